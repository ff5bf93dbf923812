//! iproute2-style summary lines for the generic netlink families `ip` and `tipc` configure,
//! on real captures (values checked against the tools' own output in the `.cmds.txt` files).

use super::common::*;

/// The summaries of capture `caps` in captures/ hold every line of `want`.
fn assert_has(caps: &str, want: &[&str]) {
    assert_summaries(caps, &summaries(&local(caps)), want);
}

#[test]
fn mptcp_pm_reads_like_ip_mptcp() {
    // ip mptcp endpoint show / limits show, in the capture's .cmds.txt.
    assert_has(
        "genl-mptcp_pm.pcap",
        &[
            "MPTCP_PM_CMD_GET_ADDR 192.0.2.1 id 1 signal dev veth0",
            "MPTCP_PM_CMD_GET_ADDR 198.51.100.1 id 2 subflow backup dev dummy0",
            "MPTCP_PM_CMD_GET_ADDR 198.51.100.1 id 2 subflow dev dummy0",
            "MPTCP_PM_CMD_GET_ADDR 2001:db8::1 port 8443 id 3 signal dev veth0",
            "MPTCP_PM_CMD_ADD_ADDR 2001:db8::1 port 8443 id 3 signal dev veth0",
            "MPTCP_PM_CMD_GET_LIMITS add_addr_accepted 2 subflows 2",
            "MPTCP_PM_CMD_SET_LIMITS add_addr_accepted 2 subflows 2",
            "MPTCP_PM_CMD_DEL_ADDR id 3",
            "MPTCP_PM_CMD_GET_ADDR dump",
        ],
    );
}

#[test]
fn l2tp_reads_like_ip_l2tp_show() {
    // ip l2tp show tunnel / show session, one line per tunnel or session.
    assert_has(
        "genl-l2tp.pcap",
        &[
            "L2TP_CMD_TUNNEL_GET Tunnel 3000, encap UDP From 192.0.2.1 to 192.0.2.2 Peer tunnel 4000 \
             UDP source / dest ports: 5000/6000",
            "L2TP_CMD_TUNNEL_GET Tunnel 3001, encap IP From 192.0.2.1 to 192.0.2.3 Peer tunnel 4001",
            "L2TP_CMD_TUNNEL_GET Tunnel 3002, encap UDP From 2001:db8::1 to 2001:db8::2 Peer tunnel 4002 \
             UDP source / dest ports: 5002/6002",
            "L2TP_CMD_SESSION_GET Session 1000 in tunnel 3000 Peer session 2000, tunnel 4000 \
             interface name: l2tpeth0",
            "L2TP_CMD_SESSION_GET Session 1001 in tunnel 3001 Peer session 2001, tunnel 4001 \
             interface name: l2tpeth1 sequence numbering: send recv",
            "L2TP_CMD_SESSION_DELETE Session 1000 in tunnel 3000",
            "L2TP_CMD_TUNNEL_DELETE Tunnel 3002",
            "L2TP_CMD_TUNNEL_GET dump",
        ],
    );
    // Cookies are opaque: in the tree, never on the line.
    assert!(
        !summaries(&local("genl-l2tp.pcap"))
            .iter()
            .any(|s| s.contains("0123456789abcdef")),
        "a cookie in a summary"
    );
}

#[test]
fn macsec_reads_like_ip_macsec_show() {
    // ip macsec show: sci, cipher suite, ICV length, switches; SAs with PN, SSCI, state and
    // key id (never the key: the add requests carry 81818181..., which must not appear).
    let caps = "genl-macsec.pcap";
    assert_has(
        caps,
        &[
            "MACSEC_CMD_GET_TXSC 17: macsec0 sci 3e06953754c8000b cipher GCM-AES-128 icvlen 16 \
             validate strict encrypt on TXSA 1 RXSC 1",
            "MACSEC_CMD_GET_TXSC 18: macsec1 sci 3e06953754c8000c cipher GCM-AES-XPN-128 icvlen 16 \
             validate strict encrypt off TXSA 1 RXSC 1",
            "MACSEC_CMD_ADD_TXSA 17: macsec0 TXSC SA 0: PN 1024, state on, key 01000000000000000000000000000000",
            "MACSEC_CMD_ADD_TXSA 18: macsec1 TXSC SA 1: PN 4294967296, SSCI 00000001 state on, \
             key 02000000000000000000000000000000",
            "MACSEC_CMD_ADD_RXSC 17: macsec0 RXSC: c619528fe6a004d2",
            "MACSEC_CMD_ADD_RXSA 18: macsec1 RXSC: 0200000000000001 SA 2: PN 1, SSCI 00000002 state on, \
             key 03000000000000000000000000000000",
            "MACSEC_CMD_UPD_RXSC 17: macsec0 RXSC: c619528fe6a004d2, state off",
            "MACSEC_CMD_DEL_RXSA 17: macsec0 RXSC: c619528fe6a004d2 SA 0",
            "MACSEC_CMD_UPD_OFFLOAD 17: macsec0 offload: mac",
        ],
    );
    assert!(
        !summaries(&local(caps))
            .iter()
            .any(|s| s.contains("8181818181")),
        "a key in a summary"
    );
}

#[test]
fn tcp_metrics_reads_like_ip_tcp_metrics_show() {
    // The exact lines of `ip tcp_metrics show` (rtt/rttvar unscaled from the _us values).
    assert_has(
        "genl-tcp_metrics.pcap",
        &[
            "TCP_METRICS_CMD_GET 2001:db8::1 age 2.128sec cwnd 10 rtt 2014us rttvar 2176us source 2001:db8::1",
            "TCP_METRICS_CMD_GET 192.0.2.2 age 2.156sec cwnd 10 rtt 689us rttvar 682us source 192.0.2.2",
            "TCP_METRICS_CMD_GET 127.0.0.1 age 2.564sec cwnd 10 rtt 4184us rttvar 4729us source 127.0.0.1",
            "TCP_METRICS_CMD_GET 127.0.0.1",
            "TCP_METRICS_CMD_DEL 192.0.2.2",
            "TCP_METRICS_CMD_GET dump",
        ],
    );
}

#[test]
fn fou_reads_like_ip_fou_show() {
    // The exact lines of `ip fou show` (zero addresses, ports and ifindex left out).
    assert_has(
        "genl-fou.pcap",
        &[
            "FOU_CMD_GET port 5559 ipproto 41 -6",
            "FOU_CMD_GET port 5557 ipproto 47 local 192.0.2.1 peer 192.0.2.2 peer_port 5558 dev veth0",
            "FOU_CMD_GET port 5556 gue",
            "FOU_CMD_GET port 5555 ipproto 4",
            "FOU_CMD_ADD port 5556 gue",
            "FOU_CMD_DEL port 5555",
        ],
    );
}

#[test]
fn seg6_reads_like_ip_sr() {
    // ip sr tunsrc show / ip sr hmac show, without the secret (which must not appear).
    let caps = "genl-seg6.pcap";
    assert_has(
        caps,
        &[
            "SEG6_CMD_GET_TUNSRC tunsrc addr 2001:db8::1",
            "SEG6_CMD_GET_TUNSRC tunsrc addr ::",
            "SEG6_CMD_SET_TUNSRC tunsrc addr 2001:db8::1",
            "SEG6_CMD_DUMPHMAC hmac 7 algo sha1",
            "SEG6_CMD_DUMPHMAC hmac 42 algo sha256",
            "SEG6_CMD_SETHMAC hmac 7 algo sha1 (delete)",
            "SEG6_CMD_DUMPHMAC dump",
        ],
    );
    assert!(
        !summaries(&local(caps)).iter().any(|s| s.contains("secret")),
        "a secret in a summary"
    );
}

#[test]
fn ioam6_reads_like_ip_ioam() {
    // ip ioam namespace show / schema show.
    assert_has(
        "genl-ioam6.pcap",
        &[
            "IOAM6_CMD_DUMP_NAMESPACES namespace 124",
            "IOAM6_CMD_DUMP_NAMESPACES namespace 123 [schema 777], data 0xdeadbeef, wide 0xcafec0caf00dc0de",
            "IOAM6_CMD_DUMP_SCHEMAS schema 778, data: 30 31 32 33 34 35 36 37 38 39 00 00",
            "IOAM6_CMD_DUMP_SCHEMAS schema 777 [namespace 123], data: 74 75 74 75",
            "IOAM6_CMD_NS_SET_SCHEMA namespace 123 [schema 777]",
            "IOAM6_CMD_NS_SET_SCHEMA namespace 123 schema none",
            "IOAM6_CMD_DEL_SCHEMA schema 778",
        ],
    );
}

#[test]
fn ila_reads_like_ip_ila_add() {
    // In the words of `ip ila add` (ip ila list misprints the locators), checked against the
    // commands in the .cmds.txt and the tree (the kernel adds ident-type use-format).
    assert_has(
        "genl-ila.pcap",
        &[
            "ILA_CMD_GET loc_match 2001:0:0:1 loc 2001:0:0:2 dev veth0 csum-mode neutral-map ident-type luid",
            "ILA_CMD_GET loc_match 2001:0:0:3 loc 2001:0:0:4 csum-mode adj-transport ident-type use-format",
            "ILA_CMD_DEL loc_match 2001:0:0:1 loc 2001:0:0:2 dev veth0",
            "ILA_CMD_GET dump",
        ],
    );
}

#[test]
fn tipc_reads_like_the_tipc_tool() {
    // tipc bearer list, media list, link list, node get netid/identity, link monitor
    // summary, nametable show, socket list (the .cmds.txt), plus the properties of
    // `tipc bearer/media get` from the tree.
    assert_has(
        "genl-tipc.pcap",
        &[
            "TIPC_NL_BEARER_GET udp:udp1 priority 10 tolerance 1500 window 50 mtu 14000",
            "TIPC_NL_BEARER_GET eth:dummy0 priority 10 tolerance 1500 window 8191",
            "TIPC_NL_BEARER_ENABLE udp:udp1",
            "TIPC_NL_MEDIA_GET ib priority 10 tolerance 1500 window 500",
            "TIPC_NL_LINK_GET broadcast-link: up window 50",
            "TIPC_NL_NET_GET netid 4711 identity 1001",
            "TIPC_NL_NET_SET netid 4711",
            "TIPC_NL_MON_GET bearer udp:udp1 table_generation 0 cluster_size 1 algorithm full-mesh",
            "TIPC_NL_NAME_TABLE_GET {1,1,1} scope node port 440016057 node 31303031",
            "TIPC_NL_SOCK_GET socket 440016057 bound",
            "TIPC_NL_PUBL_GET bound to {1,1,1}",
            "TIPC_NL_BEARER_GET dump",
        ],
    );
}
