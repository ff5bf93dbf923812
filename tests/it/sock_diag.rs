//! sock_diag: every socket family's structs and sets, tcp_info's bit fields, the filter
//! bytecode, and summaries in `ss` words checked against the tool's own output.

use super::common::*;

/// The State, Recv-Q, Send-Q, Local and Peer columns (Netid first for unix sockets) of the
/// `ss` lines `cmds` recorded for the commands in `cols` are among the summaries of `cap`.
fn ss_lines_match(cap: &std::path::Path, cmds: &str, cols: &[(&str, usize)]) -> usize {
    let got: Vec<String> = summaries(cap)
        .iter()
        .filter_map(|s| s.strip_prefix("SOCK_DIAG_BY_FAMILY "))
        .map(|s| s.split(" ino ").next().unwrap_or(s).to_string())
        .collect();
    let mut checked = 0;
    let mut n = 0;
    let mut cmd = "";
    for line in cmds.lines() {
        if let Some(c) = line.strip_prefix("$ ") {
            cmd = c;
            n = cols.iter().find(|(k, _)| *k == c).map_or(0, |(_, n)| *n);
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        // Socket lines only: -i/-e/-m detail lines are indented.
        if n == 0
            || words.len() < n
            || line.starts_with(char::is_whitespace)
            || matches!(words[0], "State" | "Netid" | "Failed")
        {
            continue;
        }
        let want = words[..n].join(" ");
        assert!(
            got.contains(&want),
            "`{cmd}` printed {want:?}; our summaries:\n{}",
            got.join("\n")
        );
        checked += 1;
    }
    checked
}

/// The shared capture (nlmon, Linux 6.1) and ours (strace, Linux 6.18): every socket `ss`
/// listed reads as `ss` printed it.
#[test]
fn sock_diag_summaries_read_like_ss() {
    let more = std::fs::read_to_string(local("sock-diag-more.cmds.txt")).unwrap();
    let n = ss_lines_match(
        &local("sock-diag-more.pcap"),
        &more,
        &[("ss -tinem", 5), ("ss -xp", 8), ("ss -uan", 5)],
    );
    assert_eq!(n, 5, "ss lines compared in sock-diag-more");
    let Some(dir) = shared("ss lines of the shared sock-diag capture") else {
        return;
    };
    let cmds = std::fs::read_to_string(dir.join("captures/sock-diag.cmds.txt")).unwrap();
    let n = ss_lines_match(
        &dir.join("captures/sock-diag.pcap"),
        &cmds,
        &[("ss -tanp", 5), ("ss -ltn", 5), ("ss -xa", 8)],
    );
    assert!(n >= 5, "only {n} ss lines compared");
}

/// The local capture: real kernel replies for TCP (with every extension), MPTCP, UDP, unix,
/// netlink and packet sockets, filters and the legacy request: decoded with nothing raw.
#[test]
fn sock_diag_decodes_every_family_of_the_capture() {
    let cap = local("sock-diag-extra.pcap");
    let msgs = json_msgs(&cap, &[]);
    let mut found = std::collections::BTreeMap::<&str, Vec<String>>::new();
    for m in &msgs {
        for n in all_json_nodes(&m["tree"]) {
            assert!(n["raw"] != true, "raw node in frame {}: {n}", m["frame"]);
            let f = n["field"].as_str().unwrap_or_default();
            for want in [
                "sock-diag.inet-diag-msg.id.idiag-src",
                "sock-diag.unix-diag-msg.udiag-ino",
                "sock-diag.netlink-diag-msg.ndiag-portid",
                "sock-diag.packet-diag-msg.pdiag-ino",
                "sock-diag.bytecode.op",
                "sock-diag.info.tcpi-snd-wscale-rcv-wscale.tcpi-snd-wscale",
                "sock-diag.info.tcpi-delivery-rate-app-limited-fastopen-client-fail.tcpi-delivery-rate-app-limited",
                "sock-diag.cong",
                "sock-diag.ulp-info.name",
                "sock-diag.name",
            ] {
                if f == want {
                    let v = match &n["value"] {
                        serde_json::Value::String(s) => s.clone(),
                        v => v.to_string(),
                    };
                    found.entry(want).or_default().push(v);
                }
            }
        }
    }
    for (k, v) in &found {
        eprintln!("{k}: {:?}", &v[..v.len().min(6)]);
    }
    assert_eq!(found.len(), 10, "{:?}", found.keys().collect::<Vec<_>>());
    // IPv4 addresses read as IPv4 (the family sits in the enclosing struct).
    assert!(found["sock-diag.inet-diag-msg.id.idiag-src"].contains(&"127.0.0.1".to_string()));
    assert!(
        found["sock-diag.bytecode.op"].contains(&"dport == 8080".to_string())
            || found["sock-diag.bytecode.op"].contains(&"sport >= 8080".to_string())
    );
    assert!(found["sock-diag.bytecode.op"].contains(&"fwmark 0x42/0xff".to_string()));
    assert!(
        found["sock-diag.name"]
            .iter()
            .any(|n| n.ends_with("abstract-name"))
    );
    // Summaries per family in ss words.
    let s = summaries(&cap);
    for want in [
        "SOCK_DIAG_BY_FAMILY LISTEN 0 5 127.0.0.1:8080 0.0.0.0:* ino 1246684",
        "SOCK_DIAG_BY_FAMILY LISTEN 0 1 [::1]:8443 [::]:* ino 1246691",
        "SOCK_DIAG_BY_FAMILY UNCONN 0 0 127.0.0.1:5353 0.0.0.0:* ino 1246692",
        "SOCK_DIAG_BY_FAMILY u_str LISTEN 1 1 @abstract-name 1246703 * 0",
        "SOCK_DIAG_BY_FAMILY p_raw proto 0x0003 ino 1246706",
        "SOCK_DIAG_BY_FAMILY dump inet6 tcp states all",
        "SOCK_DESTROY inet udp states all",
    ] {
        assert!(
            s.iter().any(|x| x == want),
            "missing {want:?} in\n{}",
            s.join("\n")
        );
    }
    // Filterable by the IPv4 address.
    let out = run_ok(&[
        "read",
        "-r",
        cap.to_str().unwrap(),
        "-Y",
        "sock-diag.inet-diag-msg.id.idiag-dst == 127.0.0.1 && sock-diag.inet-diag-msg.id.idiag-dport == 8080",
    ]);
    assert!(out.lines().count() >= 4, "{out}");
}

/// An SCTP association's INET_DIAG_INFO is a struct sctp_info, told by the INET_DIAG_LOCALS
/// only sctp_diag sends (this machine has no SCTP module: built from the uapi layout).
#[test]
fn sctp_info_is_read_as_sctp_info() {
    let mut m = le_msg(20, 0x2, 5, 4242);
    let mut hdr = vec![2u8, 1, 0, 0];
    hdr.extend(9899u16.to_be_bytes());
    hdr.extend(9900u16.to_be_bytes());
    hdr.extend([127, 0, 0, 1]);
    hdr.extend([0; 12]);
    hdr.extend([127, 0, 0, 1]);
    hdr.extend([0; 12]);
    hdr.extend([0; 4 + 8 + 20]);
    assert_eq!(hdr.len(), 72);
    m.push(&hdr);
    // INET_DIAG_LOCALS (12): one address; INET_DIAG_INFO (2): struct sctp_info.
    let mut sin = vec![2u8, 0];
    sin.extend(9899u16.to_be_bytes());
    sin.extend([127, 0, 0, 1]);
    // Each address fills a struct sockaddr_storage (net/sctp/diag.c).
    sin.resize(128, 0);
    m.attr(12, &sin);
    let mut info = 0xdead_beef_u32.to_le_bytes().to_vec();
    info.resize(368, 0);
    m.attr(2, &info);
    let file = pcap_file(&[nl_frame(4, m)]);
    let tmp = TempDir::new("sctp-diag");
    let p = tmp.path("sctp.pcap");
    std::fs::write(&p, &file).unwrap();
    let tree = run_ok(&["read", "-r", p.to_str().unwrap(), "-T", "tree"]);
    assert!(tree.contains("INET_DIAG_INFO: sctp-info"), "{tree}");
    assert!(tree.contains("sctpi_tag: 0xdeadbeef"), "{tree}");
    assert!(
        !tree.contains("[warning]") && !tree.contains("[error]"),
        "{tree}"
    );
}
