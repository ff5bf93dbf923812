//! iproute2-style summary lines for rtnetlink messages, on real captures.

use super::common::*;

fn summaries(path: &std::path::Path) -> Vec<String> {
    json_msgs(path, &[])
        .iter()
        .filter_map(|m| m["summary"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn link_addr_route_neigh_summaries_read_like_ip() {
    let Some(dir) = shared("iproute2-style summaries") else {
        return;
    };
    let caps = dir.join("captures");
    let links = summaries(&caps.join("route-link.pcap"));
    // Interface names come from earlier RTM_NEWLINK messages (master 6 is br0).
    assert!(
        links
            .iter()
            .any(|s| s == "RTM_NEWLINK 3: veth1 <UP,BROADCAST,RUNNING,MULTICAST,LOWER_UP> mtu 1500 master br0 state UP"),
        "{links:#?}"
    );
    let addr = summaries(&caps.join("route-addr-route.pcap"));
    for want in [
        "RTM_NEWROUTE 203.0.113.0/25 via 192.0.2.254 dev veth0 table main proto boot",
        "RTM_NEWROUTE 203.0.113.128/25 type blackhole table main proto boot",
        "RTM_NEWROUTE 2001:db8:1::/48 via 2001:db8::2 dev veth0 table main proto boot",
        "RTM_NEWROUTE default via 192.0.2.254 dev veth0 table 100 proto boot",
        "RTM_NEWADDR 4: veth0 inet 192.0.2.1/24 scope global",
        "RTM_NEWADDR 1: lo inet 127.0.0.1/8 scope host lo",
        "RTM_GETLINK dump",
    ] {
        assert!(
            addr.iter().any(|s| s == want),
            "missing {want:?} in {addr:#?}"
        );
    }
    let mon = summaries(&caps.join("route-monitor.pcap"));
    assert!(
        mon.iter()
            .any(|s| s == "RTM_DELNEIGH 203.0.113.2 dev dummy1 lladdr 02:00:00:00:00:22 PERMANENT"),
        "{mon:#?}"
    );
}
