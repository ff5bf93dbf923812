//! iproute2-style summary lines for rtnetlink messages, on real captures.

use super::common::*;

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

#[test]
fn tc_summaries_read_like_tc() {
    let got = summaries(&local("tc-extra.pcap"));
    assert_summaries(
        "tc-extra",
        &got,
        &[
            "RTM_NEWQDISC qdisc htb 1: dev tq12 root refcnt 2",
            "RTM_NEWQDISC qdisc cake 8006: dev tq7 root refcnt 2",
            "RTM_NEWQDISC qdisc sfq 10: dev td0 parent 1:10",
            "RTM_NEWQDISC qdisc ingress ffff: dev tq11 parent ingress",
            "RTM_NEWTCLASS class htb 1:10 dev tq12 parent 1:",
            "RTM_NEWTCLASS class hfsc 1:10 dev td0 parent 1:1 leaf 10:",
            "RTM_NEWTFILTER filter dev tq12 parent 1: protocol ip pref 1 u32 chain 0 fh 800::800",
            "RTM_NEWTFILTER filter dev td0 ingress protocol ip pref 1 flower chain 0 handle 0x1",
            "RTM_NEWTFILTER filter dev tq12 parent 1: protocol ip pref 2 fw handle 0x5",
            "RTM_NEWCHAIN chain 5 dev tq11 ingress template flower",
            "RTM_GETACTION action gact, gact, gact, gact total 4",
            "RTM_GETQDISC dump",
        ],
    );
}

#[test]
fn rule_nexthop_and_other_route_summaries_read_like_ip() {
    let got = summaries(&local("rt-misc.pcap"));
    assert_summaries(
        "rt-misc",
        &got,
        &[
            "RTM_NEWRULE 0: from all lookup local",
            "RTM_NEWRULE 32766: from all lookup main",
            "RTM_NEWRULE 1100: from 192.0.2.0/24 ipproto tcp sport 1000-2000 dport 80 uidrange 1000-2000 lookup 100",
            "RTM_NEWRULE 1200: not from all to 10.0.0.0/8 tos 0x10 fwmark 0x5/0xff iif veth0 oif dummy0 lookup main",
            "RTM_NEWNEXTHOP id 1 via 192.0.2.254 dev veth0",
            "RTM_NEWNEXTHOP id 3 blackhole",
            "RTM_NEWNEXTHOP id 11 group 1,3/2,5",
            "RTM_NEWNEXTHOP id 12 group 1/2 type resilient",
            "RTM_NEWNEXTHOPBUCKET id 12 index 0 idle_time 1.30 nhid 2",
            "RTM_NEWROUTE 10.1.0.0/16 table main proto boot nexthop via 192.0.2.254 dev veth0 weight 1 nexthop via 192.0.2.253 dev veth0 weight 3",
            "RTM_NEWROUTE 10.2.0.0/16 via 192.0.2.254 dev veth0 table main proto boot encap mpls",
            "RTM_NEWROUTE 10.5.0.0/16 dev veth0 table main proto boot via inet6 fe80::1",
            "RTM_NEWROUTE 100 as to 200 via inet 192.0.2.254 dev veth0",
            "RTM_NEWNETCONF ipv4 dev veth0 forwarding on",
            "RTM_NEWNSID nsid 7",
            "RTM_NEWADDRLABEL prefix 2001:db8:7::/48 label 99",
            "RTM_GETMULTICAST 4: veth0 inet6 ff02::1",
            "RTM_GETDCB ieee_get dev dummy0",
            "RTM_SETDCB ieee_set dev dummy0",
            "RTM_NEWNDUSEROPT rdnss 2001:db8::53 dev ra0 from fe80::109f:a9ff:fe10:ecf7",
            "RTM_NEWPREFIX prefix 2001:db8:42::/64 dev ra0 onlink autoconf valid 3600 preferred 1800",
            "RTM_NEWCACHEREPORT nocache (198.18.0.1, 239.1.2.3) vif 0",
            "RTM_NEWCACHEREPORT nocache (fe80::109f:a9ff:fe10:ecf7, ff0e::123) mif 0",
        ],
    );
    let got = summaries(&local("bridge-extra.pcap"));
    assert_summaries(
        "bridge-extra",
        &got,
        &[
            "RTM_NEWMDB dev br1 port veth1 grp 239.1.1.1 permanent vid 10",
            "RTM_GETMDB dev br1 port veth1 grp ff0e::1 temp vid 10 (+1 more)",
            "RTM_NEWVLAN dev veth1 vid 1 vid 10-12 vid 20",
            "RTM_NEWTUNNEL dev vxlan2 vni 100-102",
        ],
    );
}
