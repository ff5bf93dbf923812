//! Golden outputs of `nlscope read -T tree` / `-T ndjson` for a few chosen messages.
//! `UPDATE_GOLDEN=1 cargo test` rewrites the files.

use std::path::PathBuf;

use super::common::*;

fn golden(name: &str, capture: &str, filter: &str, format: &str) {
    let cap = local(capture);
    let out = run_ok(&[
        "read",
        "-r",
        cap.to_str().unwrap(),
        "-Y",
        filter,
        "-T",
        format,
    ]);
    assert!(
        !out.trim().is_empty(),
        "{filter} selected nothing in {capture}"
    );
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::write(&path, &out).unwrap();
        eprintln!("updated {}", path.display());
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to create it)",
            path.display()
        )
    });
    if out != want {
        let first = out
            .lines()
            .zip(want.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(out.lines().count().min(want.lines().count()));
        panic!(
            "{name} differs from golden at line {}:\n  got:  {:?}\n  want: {:?}\n(UPDATE_GOLDEN=1 to accept)",
            first + 1,
            out.lines().nth(first),
            want.lines().nth(first)
        );
    }
}

#[test]
fn golden_rtm_newlink_dump_reply() {
    // Frame 86 holds the replies to `ip link show`'s dump; msg 3 is veth0.
    golden(
        "route-link-newlink-veth0.tree.txt",
        "route-link.pcap",
        "frame.number == 86 && rt-link.ifname == \"veth0\"",
        "tree",
    );
}

#[test]
fn golden_nlmsg_error_with_extack() {
    golden(
        "ethtool-error-extack.tree.txt",
        "ethtool.pcap",
        "frame.number == 66",
        "tree",
    );
}

#[test]
fn golden_ctrl_newfamily_reply() {
    golden(
        "genl-ctrl-newfamily-ethtool.tree.txt",
        "genl-ctrl.pcap",
        "nlmsg.type == 16 && frame.number == 2 && nlctrl.family-name == \"ethtool\"",
        "tree",
    );
}

#[test]
fn golden_ndjson_extack_error() {
    golden(
        "ethtool-error-extack.ndjson",
        "ethtool.pcap",
        "frame.number == 66",
        "ndjson",
    );
}
