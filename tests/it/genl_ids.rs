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
