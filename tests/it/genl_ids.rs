//! Generic netlink family ids a capture does not name: `--genl NAME=ID` and guesses.

use super::common::*;

#[test]
fn genl_option_names_an_id_whatever_the_capture_says() {
    let cap = local("ethtool.pcap");
    let cap = cap.to_str().unwrap();
    // The capture resolves ethtool's id itself (CTRL_CMD_NEWFAMILY in frame 2).
    let plain = run_ok(&["read", "-r", cap, "-c", "5"]);
    let json = run_ok(&["read", "-r", cap, "-T", "ndjson", "-c", "5"]);
    let id = json
        .lines()
        .nth(3)
        .and_then(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .and_then(|j| j["type"].as_u64())
        .expect("the type of message 4");
    assert!(
        plain.lines().nth(3).unwrap().contains("ETHTOOL_MSG_"),
        "{plain}"
    );
    // The user says that id is another family: it wins over the capture's nlctrl reply.
    let pinned = run_ok(&[
        "read",
        "-r",
        cap,
        "-c",
        "5",
        "--genl",
        &format!("nlctrl={id:#x}"),
    ]);
    let line = pinned.lines().nth(3).unwrap();
    assert!(
        !line.contains("ethtool") && line.contains("CTRL_CMD"),
        "{line}"
    );

    for (arg, want) in [
        ("nlctrl=5", "16 to 65535"),
        ("nlctrl", "NAME=ID"),
        ("nlctrl=0xzz", "not a generic netlink family id"),
        ("=0x20", "not a generic netlink family name"),
        ("nosuch=0x20", "no spec describes a family named 'nosuch'"),
    ] {
        let out = run(&["read", "-r", cap, "--genl", arg]);
        assert_no_panic(&out);
        assert!(!out.status.success(), "{arg}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{arg}: {err}");
    }
}

/// Real captures with their nlctrl exchange filtered out (nothing names the ids): families are
/// guessed from commands and attributes, marked as guesses; `--genl` makes them facts.
#[test]
fn captures_without_nlctrl_are_read_by_guess() {
    let dir = TempDir::new("guess");
    for (fam, prefix, id) in [
        ("l2tp", "L2TP_CMD_", None),
        ("wireguard", "WG_CMD_", None),
        ("tcp_metrics", "TCP_METRICS_CMD_", Some(0x1b)),
    ] {
        let cap = local(&format!("genl-{fam}.pcap"));
        let out = dir.path(&format!("{fam}.pcap"));
        let out = out.to_str().unwrap();
        run_ok(&[
            "read",
            "-r",
            cap.to_str().unwrap(),
            "-Y",
            "nlmsg.type != 16 && !(nlmsgerr.request.type == 16)",
            "-w",
            out,
        ]);
        let msgs = json_msgs(std::path::Path::new(out), &[]);
        assert!(msgs.iter().all(|m| m["type"] != 16), "{fam}: nlctrl left");
        let ours: Vec<_> = msgs
            .iter()
            .filter(|m| m["type_name"].as_str().unwrap_or("").starts_with(prefix))
            .collect();
        assert!(ours.len() >= 5, "{fam}: only {} messages named", ours.len());
        let note = format!("guessed {fam} (");
        for m in &ours {
            assert!(m["tree"].to_string().contains(&note), "{fam}: {m}");
        }
        // No other family is guessed for these ids.
        assert!(
            msgs.iter()
                .all(|m| !m["tree"].to_string().contains("guessed")
                    || m["tree"].to_string().contains(&note)),
            "{fam}: another family guessed"
        );
        // Named by the user: the same names, no guess.
        if let Some(id) = id {
            let pinned = json_msgs(
                std::path::Path::new(out),
                &["--genl", &format!("{fam}={id}")],
            );
            let named = pinned
                .iter()
                .filter(|m| m["type_name"].as_str().unwrap_or("").starts_with(prefix))
                .count();
            assert!(named > ours.len(), "{fam}: {named} named when pinned");
            assert!(
                pinned
                    .iter()
                    .all(|m| !m["tree"].to_string().contains("guessed"))
            );
        }
    }
}
