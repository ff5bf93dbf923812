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
fn golden_ctrl_getpolicy_replies() {
    // `nlscope specs policy ethtool --op 1`: the op's policies, then policy idx -> attr type ->
    // NL_POLICY_TYPE_ATTR_* (a nested policy reference, a mask, a minimum).
    golden(
        "genl-ctrl-getpolicy-ethtool.tree.txt",
        "genl-policy.pcap",
        "frame.number == 11",
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

/// One message of each rtnetlink kind from our recorded captures (captures/README.md), as
/// `-T tree`: (golden file, capture, filter selecting exactly that message).
const RT_GOLDENS: &[(&str, &str, &str)] = &[
    // links: linkinfo data (vxlan), bond master, bridge port (slave data)
    (
        "rt-newlink-vxlan.tree.txt",
        "rt-links.pcap",
        "frame.number == 140 && rt-link.ifname == \"vxlan1\"",
    ),
    (
        "rt-newlink-bond.tree.txt",
        "rt-links.pcap",
        "frame.number == 141 && rt-link.ifname == \"bond1\"",
    ),
    (
        "rt-newlinkprop.tree.txt",
        "rt-links.pcap",
        "nlmsg.type == 108",
    ),
    // addresses, routes, neighbours, rules, nexthops
    (
        "rt-newaddr-label.tree.txt",
        "rt-misc.pcap",
        "frame.number == 9",
    ),
    (
        "rt-newroute-multipath.tree.txt",
        "rt-misc.pcap",
        "frame.number == 22",
    ),
    (
        "rt-newroute-seg6.tree.txt",
        "rt-misc.pcap",
        "frame.number == 30",
    ),
    (
        "rt-newroute-mpls.tree.txt",
        "rt-misc.pcap",
        "frame.number == 64",
    ),
    ("rt-newneigh.tree.txt", "rt-misc.pcap", "frame.number == 91"),
    (
        "rt-newrule-ranges.tree.txt",
        "rt-misc.pcap",
        "frame.number == 108",
    ),
    (
        "rt-newnexthop-group.tree.txt",
        "rt-misc.pcap",
        "frame.number == 144",
    ),
    (
        "rt-newnexthopbucket.tree.txt",
        "rt-misc.pcap",
        "frame.number == 159 && rt-nexthop.res-bucket.index == 0",
    ),
    (
        "rt-newnetconf.tree.txt",
        "rt-misc.pcap",
        "frame.number == 160",
    ),
    (
        "rt-newneightbl.tree.txt",
        "rt-misc.pcap",
        "frame.number == 177 && rt-neigh.name == \"arp_cache\" && rt-neigh.config",
    ),
    (
        "rt-newaddrlabel.tree.txt",
        "rt-misc.pcap",
        "frame.number == 183",
    ),
    ("rt-newnsid.tree.txt", "rt-misc.pcap", "frame.number == 190"),
    (
        "rt-newstats.tree.txt",
        "rt-misc.pcap",
        "frame.number == 218",
    ),
    (
        "rt-getmulticast.tree.txt",
        "rt-misc.pcap",
        "frame.number == 226 && rt-addr.ifaddrmsg.ifa-index == 1 && rt-addr.multicast == ff02::1",
    ),
    (
        "rt-setdcb-ieee.tree.txt",
        "rt-misc.pcap",
        "frame.number == 235",
    ),
    (
        "rt-newprefix.tree.txt",
        "rt-misc.pcap",
        "frame.number == 278",
    ),
    (
        "rt-newnduseropt.tree.txt",
        "rt-misc.pcap",
        "frame.number == 279",
    ),
    (
        "rt-newcachereport.tree.txt",
        "rt-misc.pcap",
        "nlmsg.type == 96",
    ),
    // tc
    (
        "tc-newtclass-hfsc.tree.txt",
        "tc-extra.pcap",
        "frame.number == 14",
    ),
    (
        "tc-newtfilter-u32.tree.txt",
        "tc-extra.pcap",
        "frame.number == 86",
    ),
    (
        "tc-newtfilter-flower.tree.txt",
        "tc-extra.pcap",
        "frame.number == 106",
    ),
    (
        "tc-newqdisc-cake.tree.txt",
        "tc-extra.pcap",
        "frame.number == 164 && tc.kind == \"cake\"",
    ),
    (
        "tc-newaction-gact.tree.txt",
        "tc-extra.pcap",
        "frame.number == 144",
    ),
    (
        "tc-newchain.tree.txt",
        "tc-extra.pcap",
        "frame.number == 150",
    ),
    // bridge
    (
        "br-newvlan.tree.txt",
        "bridge-extra.pcap",
        "frame.number == 21",
    ),
    (
        "br-newmdb.tree.txt",
        "bridge-extra.pcap",
        "frame.number == 67",
    ),
    (
        "br-newneigh-fdb.tree.txt",
        "bridge-extra.pcap",
        "frame.number == 92",
    ),
    (
        "br-newtunnel.tree.txt",
        "bridge-extra.pcap",
        "frame.number == 122",
    ),
];

#[test]
fn golden_rtnetlink_kinds() {
    for (name, cap, filter) in RT_GOLDENS {
        golden(name, cap, filter, "tree");
    }
}
