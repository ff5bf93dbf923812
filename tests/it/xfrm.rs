//! xfrm: the shared capture of `ip xfrm` decodes fully, and a get request for one SA or
//! policy (not a dump) is read with the id struct the kernel looks up.

use super::common::*;

#[test]
fn single_sa_and_policy_gets_carry_their_id() {
    // XFRM_MSG_GETSA for one SA: struct xfrm_usersa_id (daddr, spi, family, proto).
    let mut sa = le_msg(0x12, 0x1, 1, 0);
    let mut daddr = vec![192, 0, 2, 1];
    daddr.resize(16, 0);
    sa.push(&daddr);
    sa.push(&0x1001u32.to_be_bytes());
    sa.push_u16(2);
    sa.push(&[50, 0]);
    // XFRM_MSG_GETPOLICY for one policy: struct xfrm_userpolicy_id (selector, index, dir).
    let mut pol = le_msg(0x15, 0x1, 2, 0);
    pol.push(&[0; 56]); // xfrm_selector, family 0: read as IPv6
    pol.push_u32(0x99);
    pol.push(&[1, 0, 0, 0]); // dir out, padding
    // The dump form: no header at all.
    let dump = le_msg(0x12, 0x301, 3, 0);
    let frames = vec![nl_frame(6, sa), nl_frame(6, pol), nl_frame(6, dump)];
    let dir = TempDir::new("xfrm-get");
    let cap = dir.path("get.pcap");
    std::fs::write(&cap, pcap_file(&frames)).unwrap();
    let msgs = json_msgs(&cap, &[]);
    let field = |m: &serde_json::Value, f: &str| -> Option<String> {
        all_json_nodes(&m["tree"])
            .into_iter()
            .find(|n| n["field"] == f)
            .map(|n| n["display"].as_str().unwrap_or_default().to_string())
    };
    assert_eq!(
        field(&msgs[0], "xfrm.xfrm_usersa_id.spi").as_deref(),
        Some("0x1001")
    );
    assert_eq!(
        field(&msgs[0], "xfrm.xfrm_usersa_id.proto").as_deref(),
        Some("IPPROTO_ESP (50)")
    );
    assert_eq!(
        field(&msgs[1], "xfrm.xfrm_userpolicy_id.index").as_deref(),
        Some("153")
    );
    for m in &msgs {
        assert!(!m["tree"].to_string().contains("\"severity\""), "{m}");
    }
    assert_eq!(
        msgs[0]["summary"],
        "XFRM_MSG_GETSA dst 192.0.2.1 proto esp spi 0x00001001"
    );
    assert_eq!(
        msgs[1]["summary"],
        "XFRM_MSG_GETPOLICY src ::/0 dst ::/0 dir out"
    );
    assert_eq!(msgs[2]["summary"], "XFRM_MSG_GETSA dump");
    let cov = run_ok(&["read", "-r", cap.to_str().unwrap(), "--coverage"]);
    let total = cov.lines().find(|l| l.starts_with("total")).unwrap();
    assert_eq!(total.split_whitespace().nth(3), Some("0"), "{cov}");
}

#[test]
fn ip_xfrm_capture_is_decoded() {
    let Some(dir) = shared("xfrm coverage") else {
        return;
    };
    let cap = dir.join("captures/xfrm.pcap");
    let cov = run_ok(&["read", "-r", cap.to_str().unwrap(), "--coverage"]);
    let total = cov.lines().find(|l| l.starts_with("total")).unwrap();
    let cols: Vec<&str> = total.split_whitespace().collect();
    assert_eq!((cols[3], cols[5]), ("0", "0"), "{cov}");
    let msgs = json_msgs(&cap, &[]);
    assert!(
        msgs.iter()
            .all(|m| !m["type_name"].as_str().unwrap_or("").starts_with("type "))
    );
    // `ip xfrm state` printed: spi 0x00001001 reqid 1 mode tunnel, auth-trunc hmac(sha256) 96.
    let text = run_ok(&["read", "-r", cap.to_str().unwrap(), "-T", "tree"]);
    for want in [
        "spi: 0x1001",
        "reqid: 1",
        "XFRM_MODE_TUNNEL",
        "hmac(sha256)",
        "cbc(aes)",
    ] {
        assert!(text.contains(want), "{want} not in the tree");
    }
    // Summaries in `ip xfrm state/policy list` words (the .cmds.txt output).
    let lines: Vec<String> = msgs
        .iter()
        .filter_map(|m| m["summary"].as_str().map(str::to_string))
        .collect();
    for want in [
        "XFRM_MSG_NEWSA src 192.0.2.2 dst 192.0.2.1 proto esp spi 0x00001001 reqid 1 mode tunnel",
        "XFRM_MSG_NEWSA src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x00001000 reqid 1 mode tunnel",
        "XFRM_MSG_NEWPOLICY src 198.51.100.0/24 dst 203.0.113.0/24 dir out priority 0",
    ] {
        assert!(lines.iter().any(|l| l == want), "{want} not in {lines:#?}");
    }
}

/// The kernel's xfrm notifications summarised in `ip xfrm monitor` words, checked against
/// what the monitor printed for the same events (captures/xfrm-monitor.cmds.txt).
#[test]
fn xfrm_events_read_like_ip_xfrm_monitor() {
    let cap = local("xfrm-monitor.pcap");
    let cmds = std::fs::read_to_string(local("xfrm-monitor.cmds.txt")).unwrap();
    let got = summaries(&cap);
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    // The monitor's event paragraphs, each flattened to one line.
    let text = norm(
        &cmds
            .lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join(" "),
    );
    for (ours, theirs) in [
        (
            "XFRM_MSG_ACQUIRE proto esp sel src 192.0.2.1/32 dst 192.0.2.9/32 proto udp sport",
            "acquire proto esp sel src 192.0.2.1/32 dst 192.0.2.9/32 proto udp sport",
        ),
        (
            "XFRM_MSG_POLEXPIRE src 192.0.2.1/32 dst 192.0.2.77/32 dir in hard 1",
            "Expired src 192.0.2.1/32 dst 192.0.2.77/32 dir in priority 0 ptype main hard 1",
        ),
        ("XFRM_MSG_FLUSHSA proto 0", "Flushed state proto 0"),
        (
            "XFRM_MSG_DELPOLICY src 192.0.2.1/32 dst 192.0.2.88/32 dir fwd",
            "Deleted src 192.0.2.1/32 dst 192.0.2.88/32 dir fwd",
        ),
    ] {
        assert!(
            text.contains(theirs),
            "ip xfrm monitor did not print {theirs:?}"
        );
        assert!(
            got.iter().any(|s| s.starts_with(ours)),
            "no summary {ours:?} in\n{}",
            got.join("\n")
        );
    }
    // The acquire's ports are the ones the monitor printed.
    let sport = text
        .split("proto udp sport ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap();
    assert!(
        got.iter()
            .any(|s| s.starts_with("XFRM_MSG_ACQUIRE")
                && s.ends_with(&format!("sport {sport} dport 9"))),
        "{got:?}"
    );
}
