//! iproute2-style summaries for the rtnetlink messages beyond link/address/route/neighbour:
//! tc (qdisc, class, filter, chain, action), rules, nexthops and their buckets, netconf, netns
//! ids, bridge mdb entries, ND user options, multicast cache reports and DCB.
//!
//! Attribute numbers and struct layouts are the uapi's (linux/rtnetlink.h, pkt_sched.h,
//! fib_rules.h, nexthop.h, netconf.h, net_namespace.h, if_bridge.h, mroute.h, dcbnl.h); the
//! words are those `tc`, `ip` and `bridge` print. Everything is written straight into `out`,
//! with no allocation per message.

use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::MessageView;
use crate::model::{Direction, Endian};
use crate::netlink::{array, byte};

/// Attributes from `start` within `p`: (type without flag bits, payload).
pub(super) fn attrs(p: &[u8], start: usize, e: Endian) -> impl Iterator<Item = (u16, &[u8])> {
    let mut pos = start;
    std::iter::from_fn(move || {
        let l = usize::from(e.u16(p, pos)?);
        let t = e.u16(p, pos + 2)? & 0x3fff;
        if l < 4 || pos + l > p.len() {
            return None;
        }
        let payload = p.get(pos + 4..pos + l)?;
        pos += (l + 3) & !3;
        Some((t, payload))
    })
}

/// The first attribute of type `t`.
pub(super) fn attr(p: &[u8], start: usize, e: Endian, t: u16) -> Option<&[u8]> {
    attrs(p, start, e).find(|(ty, _)| *ty == t).map(|(_, b)| b)
}

fn push_ip(out: &mut String, b: &[u8]) -> bool {
    match b.len() {
        4 => {
            let _ = write!(
                out,
                "{}",
                Ipv4Addr::from(array::<4>(b, 0).unwrap_or_default())
            );
            true
        }
        16 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(b);
            let _ = write!(out, "{}", Ipv6Addr::from(a));
            true
        }
        _ => false,
    }
}

fn push_str(out: &mut String, b: &[u8]) {
    let s = b.split(|c| *c == 0).next().unwrap_or(&[]);
    match std::str::from_utf8(s) {
        Ok(s) => out.push_str(s),
        Err(_) => out.push_str(&String::from_utf8_lossy(s)),
    }
}

fn push_dev(v: &MessageView, out: &mut String, idx: i32) {
    match v.link_name(idx) {
        Some(n) => out.push_str(n),
        None => {
            let _ = write!(out, "if{idx}");
        }
    }
}

/// A tc handle as `tc` prints it (print_tc_classid): `root`, `none`, `ingress`, `1:`, `1:10`.
fn push_handle(out: &mut String, h: u32) {
    match h {
        0xffff_ffff => out.push_str("root"),
        0 => out.push_str("none"),
        0xffff_fff1 => out.push_str("ingress"),
        _ if h & 0xffff == 0 => {
            let _ = write!(out, "{:x}:", h >> 16);
        }
        _ if h >> 16 == 0 => {
            let _ = write!(out, ":{:x}", h & 0xffff);
        }
        _ => {
            let _ = write!(out, "{:x}:{:x}", h >> 16, h & 0xffff);
        }
    }
}

/// Ethernet protocol names as `tc` prints them (lib/ll_proto.c), else hex.
fn push_proto(out: &mut String, p: u16) {
    let name = match p {
        0x0003 => "all",
        0x0800 => "ip",
        0x86dd => "ipv6",
        0x0806 => "arp",
        0x8100 => "802.1Q",
        0x88a8 => "802.1ad",
        0x8847 => "mpls_uc",
        0x8848 => "mpls_mc",
        0x88cc => "lldp",
        _ => "",
    };
    if name.is_empty() {
        let _ = write!(out, "0x{p:04x}");
    } else {
        out.push_str(name);
    }
}

/// Routing table names (the kernel's reserved ids; /etc/iproute2/rt_tables is not read).
fn push_table(out: &mut String, t: u32) {
    match t {
        253 => out.push_str("default"),
        254 => out.push_str("main"),
        255 => out.push_str("local"),
        _ => {
            let _ = write!(out, "{t}");
        }
    }
}

/// Route protocol names (linux/rtnetlink.h RTPROT_*; lib/rt_names.c spells them this way).
fn push_rtproto(out: &mut String, p: u8) {
    let name = match p {
        1 => "redirect",
        2 => "kernel",
        3 => "boot",
        4 => "static",
        8 => "gated",
        9 => "ra",
        10 => "mrt",
        11 => "zebra",
        12 => "bird",
        13 => "dnrouted",
        14 => "xorp",
        15 => "ntk",
        16 => "dhcp",
        17 => "keepalived",
        42 => "babel",
        99 => "openr",
        186 => "bgp",
        187 => "isis",
        188 => "ospf",
        189 => "rip",
        192 => "eigrp",
        _ => "",
    };
    if name.is_empty() {
        let _ = write!(out, "{p}");
    } else {
        out.push_str(name);
    }
}

/// Summaries of the message kinds this module knows; false for the others.
pub fn summary(v: &MessageView, out: &mut String) -> bool {
    let m = v.index();
    if m.protocol != 0 {
        return false;
    }
    let kind = match v.spec_name() {
        Some("tc") => Kind::Tc,
        Some("rt-rule") => Kind::Rule,
        Some("rt-nexthop") => Kind::Nexthop,
        Some("rt-netconf") => Kind::Netconf,
        Some("rt-nsid") => Kind::Nsid,
        Some("rt-bridge") if (84..=86).contains(&m.ty) => Kind::Mdb,
        Some("rt-nduseropt") => Kind::NdUserOpt,
        Some("rt-cachereport") => Kind::CacheReport,
        Some("rt-dcb") => Kind::Dcb,
        Some("rt-addrlabel") => Kind::AddrLabel,
        Some("rt-bridge") if (112..=114).contains(&m.ty) => Kind::Vlan,
        Some("rt-tunnel") => Kind::Tunnel,
        Some("rt-prefix") => Kind::Prefix,
        Some("rt-link") if (92..=95).contains(&m.ty) => Kind::Stats,
        _ => return false,
    };
    let p = v.payload_bytes();
    let e = m.endian;
    let request = m.direction == Direction::ToKernel;
    if request && m.flags & 0x300 == 0x300 && kind != Kind::Dcb {
        out.push_str(" dump");
        return true;
    }
    match kind {
        Kind::Tc => tc(v, out, p, e),
        Kind::Rule => rule(v, out, p, e),
        Kind::Nexthop => nexthop(v, out, p, e),
        Kind::Netconf => netconf(v, out, p, e),
        Kind::Nsid => nsid(out, p, e),
        Kind::Mdb => mdb(v, out, p, e),
        Kind::NdUserOpt => nduseropt(v, out, p, e),
        Kind::CacheReport => cachereport(out, p, e),
        Kind::Dcb => dcb(out, p, e),
        Kind::AddrLabel => addrlabel(out, p, e),
        Kind::Vlan => vlan(v, out, p, e),
        Kind::Tunnel => tunnel(v, out, p, e),
        Kind::Prefix => prefix(v, out, p, e),
        Kind::Stats => stats(v, out, p, e),
    }
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Kind {
    Tc,
    Rule,
    Nexthop,
    Netconf,
    Nsid,
    Mdb,
    NdUserOpt,
    CacheReport,
    Dcb,
    AddrLabel,
    Vlan,
    Tunnel,
    Prefix,
    Stats,
}

/// struct tcmsg (20 bytes) for qdiscs, classes, filters and chains; struct tcamsg (4) for
/// actions.
fn tc(v: &MessageView, out: &mut String, p: &[u8], e: Endian) -> bool {
    let ty = v.index().ty;
    if (48..=50).contains(&ty) {
        return tc_actions(out, p, e);
    }
    if p.len() < 20 {
        return false;
    }
    let ifindex = e.u32(p, 4).unwrap_or(0) as i32;
    let handle = e.u32(p, 8).unwrap_or(0);
    let parent = e.u32(p, 12).unwrap_or(0);
    let info = e.u32(p, 16).unwrap_or(0);
    let kind = attr(p, 20, e, 1); // TCA_KIND
    let request = v.index().direction == Direction::ToKernel;
    let dev = |out: &mut String| {
        if ifindex != 0 {
            out.push_str(" dev ");
            push_dev(v, out, ifindex);
        }
    };
    let parent_text = |out: &mut String| {
        if parent == 0xffff_ffff {
            out.push_str(" root");
        } else if parent != 0 {
            out.push_str(" parent ");
            push_handle(out, parent);
        }
    };
    match ty {
        // RTM_*QDISC (tc_qdisc.c print_qdisc)
        36..=38 => {
            out.push_str(" qdisc");
            if let Some(k) = kind {
                out.push(' ');
                push_str(out, k);
            }
            let _ = write!(out, " {:x}:", handle >> 16);
            dev(out);
            parent_text(out);
            if !request && info != 1 {
                let _ = write!(out, " refcnt {info}");
            }
        }
        // RTM_*TCLASS (tc_class.c print_class)
        40..=42 => {
            out.push_str(" class");
            if let Some(k) = kind {
                out.push(' ');
                push_str(out, k);
            }
            out.push(' ');
            push_handle(out, handle);
            dev(out);
            parent_text(out);
            if info != 0 {
                let _ = write!(out, " leaf {:x}:", info >> 16);
            }
        }
        // RTM_*TFILTER (tc_filter.c print_filter): tcm_info is prio << 16 | protocol (network
        // order).
        44..=46 => {
            out.push_str(" filter");
            dev(out);
            match parent {
                0xffff_fff2 => out.push_str(" ingress"),
                0xffff_fff3 => out.push_str(" egress"),
                _ => parent_text(out),
            }
            let proto = u16::from_be((info & 0xffff) as u16);
            if proto != 0 {
                out.push_str(" protocol ");
                push_proto(out, proto);
            }
            if info >> 16 != 0 {
                let _ = write!(out, " pref {}", info >> 16);
            }
            if let Some(k) = kind {
                out.push(' ');
                push_str(out, k);
                if let Some(c) = attr(p, 20, e, 11).and_then(|b| e.u32(b, 0)) {
                    let _ = write!(out, " chain {c}");
                }
                if handle != 0 {
                    if k.starts_with(b"u32\0") || k == b"u32" {
                        // u32's handle is htid:hash:node (cls_u32.c, TC_U32_*).
                        let _ = write!(out, " fh {:x}:", handle >> 20);
                        if (handle >> 12) & 0xff != 0 {
                            let _ = write!(out, "{:x}", (handle >> 12) & 0xff);
                        }
                        out.push(':');
                        if handle & 0xfff != 0 {
                            let _ = write!(out, "{:x}", handle & 0xfff);
                        }
                    } else {
                        let _ = write!(out, " handle 0x{handle:x}");
                    }
                }
            }
        }
        // RTM_*CHAIN (tc_filter.c print_chain... "chain N")
        100..=102 => {
            out.push_str(" chain");
            if let Some(c) = attr(p, 20, e, 11).and_then(|b| e.u32(b, 0)) {
                let _ = write!(out, " {c}");
            }
            dev(out);
            match parent {
                0xffff_fff2 => out.push_str(" ingress"),
                0xffff_fff3 => out.push_str(" egress"),
                _ => parent_text(out),
            }
            if let Some(k) = kind {
                out.push_str(" template ");
                push_str(out, k);
            }
        }
        _ => return false,
    }
    true
}

/// Actions: struct tcamsg, TCA_ROOT_TAB (1) holding one nest per action (by order) with
/// TCA_ACT_KIND (1) and TCA_ACT_INDEX (3); TCA_ROOT_COUNT (3) in dump replies.
fn tc_actions(out: &mut String, p: &[u8], e: Endian) -> bool {
    let Some(tab) = attr(p, 4, e, 1) else {
        return false;
    };
    let mut n = 0;
    for (_, act) in attrs(tab, 0, e) {
        n += 1;
        if n > 4 {
            out.push_str(" ...");
            break;
        }
        out.push_str(if n == 1 { " action " } else { ", " });
        match attr(act, 0, e, 1) {
            Some(k) => push_str(out, k),
            None => out.push('?'),
        }
        if let Some(i) = attr(act, 0, e, 3).and_then(|b| e.u32(b, 0)) {
            let _ = write!(out, " index {i}");
        }
    }
    if let Some(c) = attr(p, 4, e, 3).and_then(|b| e.u32(b, 0)) {
        let _ = write!(out, " total {c}");
    }
    true
}

/// struct fib_rule_hdr (12 bytes) and FRA_* (ip rule's print_rule).
fn rule(v: &MessageView, out: &mut String, p: &[u8], e: Endian) -> bool {
    if p.len() < 12 {
        return false;
    }
    let (dst_len, src_len, tos, table8, action) =
        (byte(p, 1), byte(p, 2), byte(p, 3), byte(p, 4), byte(p, 7));
    let flags = e.u32(p, 8).unwrap_or(0);
    let mut prio = None;
    let (mut src, mut dst, mut table, mut goto) = (None, None, None, None);
    let (mut iif, mut oif, mut mark, mut mask) = (None, None, None, None);
    let (mut sport, mut dport, mut uid, mut ipproto) = (None, None, None, None);
    let mut l3mdev = false;
    for (t, b) in attrs(p, 12, e) {
        match t {
            1 => dst = Some(b),
            2 => src = Some(b),
            3 => iif = Some(b),
            4 => goto = e.u32(b, 0),
            6 => prio = e.u32(b, 0),
            10 => mark = e.u32(b, 0),
            15 => table = e.u32(b, 0),
            16 => mask = e.u32(b, 0),
            17 => oif = Some(b),
            19 => l3mdev = b.first().is_some_and(|x| *x != 0),
            20 => uid = Some((e.u32(b, 0), e.u32(b, 4))),
            22 => ipproto = b.first().copied(),
            23 => sport = Some((e.u16(b, 0), e.u16(b, 2))),
            24 => dport = Some((e.u16(b, 0), e.u16(b, 2))),
            _ => {}
        }
    }
    // The kernel leaves FRA_PRIORITY out of replies when it is 0 (the local table's rule).
    match prio {
        Some(pr) => {
            let _ = write!(out, " {pr}:");
        }
        None if v.index().direction != Direction::ToKernel => out.push_str(" 0:"),
        None => {}
    }
    // FIB_RULE_INVERT
    if flags & 0x2 != 0 {
        out.push_str(" not");
    }
    out.push_str(" from ");
    match src {
        Some(b) if push_ip(out, b) => {
            if src_len != if b.len() == 4 { 32 } else { 128 } {
                let _ = write!(out, "/{src_len}");
            }
        }
        _ => out.push_str("all"),
    }
    if let Some(b) = dst {
        out.push_str(" to ");
        if push_ip(out, b) && dst_len != if b.len() == 4 { 32 } else { 128 } {
            let _ = write!(out, "/{dst_len}");
        }
    }
    if tos != 0 {
        let _ = write!(out, " tos 0x{tos:x}");
    }
    if let Some(mk) = mark {
        let _ = write!(out, " fwmark 0x{mk:x}");
        if let Some(ms) = mask.filter(|m| *m != 0xffff_ffff) {
            let _ = write!(out, "/0x{ms:x}");
        }
    }
    if let Some(b) = iif {
        out.push_str(" iif ");
        push_str(out, b);
    }
    if let Some(b) = oif {
        out.push_str(" oif ");
        push_str(out, b);
    }
    if let Some(pr) = ipproto {
        // /etc/protocols names ip rule prints
        match pr {
            1 => out.push_str(" ipproto icmp"),
            6 => out.push_str(" ipproto tcp"),
            17 => out.push_str(" ipproto udp"),
            58 => out.push_str(" ipproto ipv6-icmp"),
            132 => out.push_str(" ipproto sctp"),
            _ => {
                let _ = write!(out, " ipproto {pr}");
            }
        }
    }
    for (word, range) in [(" sport ", sport), (" dport ", dport)] {
        if let Some((Some(a), Some(b))) = range {
            out.push_str(word);
            if a == b {
                let _ = write!(out, "{a}");
            } else {
                let _ = write!(out, "{a}-{b}");
            }
        }
    }
    if let Some((Some(a), Some(b))) = uid {
        let _ = write!(out, " uidrange {a}-{b}");
    }
    if l3mdev {
        out.push_str(" lookup [l3mdev-table]");
    }
    match action {
        // FR_ACT_TO_TBL
        1 if !l3mdev => {
            out.push_str(" lookup ");
            push_table(out, table.unwrap_or(u32::from(table8)));
        }
        2 => {
            out.push_str(" goto ");
            match goto {
                Some(g) => {
                    let _ = write!(out, "{g}");
                }
                None => out.push_str("none"),
            }
        }
        3 => out.push_str(" nop"),
        6 => out.push_str(" blackhole"),
        7 => out.push_str(" unreachable"),
        8 => out.push_str(" prohibit"),
        _ => {}
    }
    true
}

/// struct nhmsg (8 bytes) and NHA_* (ip nexthop's print_nexthop); RTM_*NEXTHOPBUCKET too.
fn nexthop(v: &MessageView, out: &mut String, p: &[u8], e: Endian) -> bool {
    if p.len() < 8 {
        return false;
    }
    let (scope, proto) = (byte(p, 1), byte(p, 2));
    let bucket = (116..=118).contains(&v.index().ty);
    let mut any = false;
    if let Some(id) = attr(p, 8, e, 1).and_then(|b| e.u32(b, 0)) {
        let _ = write!(out, " id {id}");
        any = true;
    }
    if bucket {
        // NHA_RES_BUCKET (13): NHA_RES_BUCKET_INDEX (1, u16), _IDLE_TIME (2, u64 clock_t),
        // _NH_ID (3, u32)
        if let Some(b) = attr(p, 8, e, 13) {
            if let Some(i) = attr(b, 0, e, 1).and_then(|x| e.u16(x, 0)) {
                let _ = write!(out, " index {i}");
            }
            if let Some(t) = attr(b, 0, e, 2).and_then(|x| e.u64(x, 0)) {
                // USER_HZ is 100 on Linux
                let _ = write!(out, " idle_time {}.{:02}", t / 100, t % 100);
            }
            if let Some(n) = attr(b, 0, e, 3).and_then(|x| e.u32(x, 0)) {
                let _ = write!(out, " nhid {n}");
            }
        }
        return true;
    }
    let (mut via, mut oif, mut resilient) = (None, None, false);
    for (t, b) in attrs(p, 8, e) {
        match t {
            // NHA_GROUP: struct nexthop_grp { u32 id; u8 weight; u8 resvd1; u16 resvd2; }
            2 => {
                out.push_str(" group ");
                for (i, g) in b.chunks_exact(8).enumerate() {
                    if i > 0 {
                        out.push('/');
                    }
                    if i >= 16 {
                        out.push_str("...");
                        break;
                    }
                    let _ = write!(out, "{}", e.u32(g, 0).unwrap_or(0));
                    if let Some(w) = g.get(4).filter(|w| **w != 0) {
                        let _ = write!(out, ",{}", u16::from(*w) + 1);
                    }
                }
            }
            // NHA_GROUP_TYPE: NEXTHOP_GRP_TYPE_RES (printed after the group, as ip does)
            3 => resilient = e.u16(b, 0) == Some(1),
            4 => out.push_str(" blackhole"),
            // NHA_ENCAP_TYPE: LWTUNNEL_ENCAP_*
            7 => {
                let name = match e.u16(b, 0).unwrap_or(0) {
                    1 => "mpls",
                    2 => "ip",
                    3 => "ila",
                    4 => "ip6",
                    5 => "seg6",
                    6 => "bpf",
                    7 => "seg6local",
                    8 => "rpl",
                    9 => "ioam6",
                    _ => "?",
                };
                out.push_str(" encap ");
                out.push_str(name);
            }
            6 => via = Some(b),
            5 => oif = e.u32(b, 0),
            9 => out.push_str(" groups"),
            11 => out.push_str(" fdb"),
            _ => {}
        }
        any = true;
    }
    if resilient {
        out.push_str(" type resilient");
    }
    if let Some(b) = via {
        out.push_str(" via ");
        push_ip(out, b);
    }
    if let Some(i) = oif {
        out.push_str(" dev ");
        push_dev(v, out, i as i32);
    }
    if !any && v.index().direction == Direction::ToKernel {
        out.push_str(" request");
        return true;
    }
    if scope == 253 {
        out.push_str(" scope link");
    }
    if proto != 0 {
        out.push_str(" proto ");
        push_rtproto(out, proto);
    }
    true
}

/// struct netconfmsg (family, padded to 4) and NETCONFA_* (ip netconf's print_netconf).
fn netconf(v: &MessageView, out: &mut String, p: &[u8], e: Endian) -> bool {
    let Some(&family) = p.first() else {
        return false;
    };
    out.push(' ');
    out.push_str(match family {
        2 => "ipv4",
        10 => "ipv6",
        28 => "mpls",
        _ => "family",
    });
    if !matches!(family, 2 | 10 | 28) {
        let _ = write!(out, " {family}");
    }
    let mut rest = false;
    for (t, b) in attrs(p, 4, e) {
        let Some(val) = e.u32(b, 0) else { continue };
        let val = val as i32;
        let word = match t {
            1 => {
                match val {
                    -1 => out.push_str(" all"),
                    -2 => out.push_str(" default"),
                    i => {
                        out.push_str(" dev ");
                        push_dev(v, out, i);
                    }
                }
                continue;
            }
            2 => "forwarding",
            3 => {
                out.push_str(" rp_filter ");
                out.push_str(match val {
                    0 => "off",
                    1 => "strict",
                    2 => "loose",
                    _ => "unknown mode",
                });
                rest = true;
                continue;
            }
            4 => "mc_forwarding",
            5 => "proxy_neigh",
            6 => "ignore_routes_with_linkdown",
            7 => "input",
            8 => "bc_forwarding",
            _ => continue,
        };
        out.push(' ');
        out.push_str(word);
        out.push_str(if val != 0 { " on" } else { " off" });
        rest = true;
    }
    let _ = rest;
    true
}

/// struct rtgenmsg and NETNSA_* (ip netns list-id).
fn nsid(out: &mut String, p: &[u8], e: Endian) -> bool {
    let mut any = false;
    for (t, b) in attrs(p, 4, e) {
        let Some(val) = e.u32(b, 0) else { continue };
        let word = match t {
            1 => "nsid",
            2 => "pid",
            3 => "fd",
            4 => "target-nsid",
            5 => "current-nsid",
            _ => continue,
        };
        let _ = write!(out, " {word} {}", val as i32);
        any = true;
    }
    if !any {
        out.push_str(" request");
    }
    true
}

/// One struct br_mdb_entry (bridge mdb's print_mdb_entry): ifindex u32, state u8, flags u8,
/// vid u16, addr union (16 bytes), proto be16.
fn mdb_entry(v: &MessageView, out: &mut String, b: &[u8], e: Endian) {
    let Some(port) = e.u32(b, 0) else { return };
    out.push_str(" port ");
    push_dev(v, out, port as i32);
    let proto = Endian::Big.u16(b, 24).unwrap_or(0);
    out.push_str(" grp ");
    match proto {
        0x0800 => {
            push_ip(out, b.get(8..12).unwrap_or(&[]));
        }
        0x86dd => {
            push_ip(out, b.get(8..24).unwrap_or(&[]));
        }
        _ => out.push_str(&crate::model::mac(b.get(8..14).unwrap_or(&[]))),
    }
    // MDB_TEMPORARY 0, MDB_PERMANENT 1
    out.push_str(if b.get(4) == Some(&1) {
        " permanent"
    } else {
        " temp"
    });
    if let Some(vid) = e.u16(b, 6).filter(|v| *v != 0) {
        let _ = write!(out, " vid {vid}");
    }
}

/// struct br_port_msg (8 bytes: family, ifindex) with MDBA_SET_ENTRY (requests) or
/// MDBA_MDB > MDBA_MDB_ENTRY > MDBA_MDB_ENTRY_INFO (replies and notifications).
fn mdb(v: &MessageView, out: &mut String, p: &[u8], e: Endian) -> bool {
    if p.len() < 8 {
        return false;
    }
    let br = e.u32(p, 4).unwrap_or(0) as i32;
    out.push_str(" dev ");
    push_dev(v, out, br);
    if let Some(entry) = attr(p, 8, e, 1).filter(|_| v.index().direction == Direction::ToKernel) {
        mdb_entry(v, out, entry, e);
        return true;
    }
    let mut n = 0;
    if let Some(m) = attr(p, 8, e, 1) {
        for (t, ent) in attrs(m, 0, e) {
            if t != 1 {
                continue;
            }
            for (t2, info) in attrs(ent, 0, e) {
                if t2 != 1 {
                    continue;
                }
                n += 1;
                if n == 1 {
                    mdb_entry(v, out, info, e);
                }
            }
        }
    }
    if n > 1 {
        let _ = write!(out, " (+{} more)", n - 1);
    }
    // MDBA_ROUTER
    if attr(p, 8, e, 2).is_some() {
        out.push_str(" router ports");
    }
    true
}

/// struct nduseroptmsg (16 bytes), the ND options, NDUSEROPT_SRCADDR (ip monitor's
/// nduseropt lines name the option; RDNSS servers are shown).
fn nduseropt(v: &MessageView, out: &mut String, p: &[u8], e: Endian) -> bool {
    if p.len() < 16 {
        return false;
    }
    let opts_len = usize::from(e.u16(p, 2).unwrap_or(0));
    let ifindex = e.u32(p, 4).unwrap_or(0) as i32;
    let opts = p.get(16..16 + opts_len).unwrap_or(&[]);
    let mut at = 0;
    while let (Some(&ty), Some(&units)) = (opts.get(at), opts.get(at + 1)) {
        let len = usize::from(units) * 8;
        if len == 0 {
            break;
        }
        let body = opts.get(at..at + len).unwrap_or(&[]);
        match ty {
            25 => {
                out.push_str(" rdnss");
                for a in body.get(8..).unwrap_or(&[]).chunks_exact(16) {
                    out.push(' ');
                    push_ip(out, a);
                }
            }
            31 => out.push_str(" dnssl"),
            3 => {
                out.push_str(" prefix ");
                if push_ip(out, body.get(16..32).unwrap_or(&[])) {
                    let _ = write!(out, "/{}", body.get(2).copied().unwrap_or(0));
                }
            }
            37 => out.push_str(" captive-portal"),
            38 => out.push_str(" pref64"),
            t => {
                let _ = write!(out, " option {t}");
            }
        }
        at += len;
    }
    out.push_str(" dev ");
    push_dev(v, out, ifindex);
    let attrs_at = 16 + ((opts_len + 3) & !3);
    if let Some(src) = attr(p, attrs_at, e, 1) {
        out.push_str(" from ");
        push_ip(out, src);
    }
    true
}

/// struct rtgenmsg (family 128 ipmr / 129 ip6mr) and IPMRA_CREPORT_* / IP6MRA_CREPORT_*.
fn cachereport(out: &mut String, p: &[u8], e: Endian) -> bool {
    let fam = p.first().copied().unwrap_or(0);
    let msg = attr(p, 4, e, 1).and_then(|b| b.first().copied());
    out.push_str(match msg {
        Some(1) => " nocache",
        Some(2) => {
            if fam == 129 {
                " wrongmif"
            } else {
                " wrongvif"
            }
        }
        Some(3) => " wholepkt",
        Some(4) => {
            if fam == 129 {
                " wrmifwhole"
            } else {
                " wrvifwhole"
            }
        }
        _ => " report",
    });
    if let Some(src) = attr(p, 4, e, 3) {
        out.push_str(" (");
        push_ip(out, src);
        out.push_str(", ");
        if let Some(dst) = attr(p, 4, e, 4) {
            push_ip(out, dst);
        }
        out.push(')');
    }
    if let Some(vif) = attr(p, 4, e, 2).and_then(|b| e.u32(b, 0)) {
        out.push_str(if fam == 129 { " mif " } else { " vif " });
        let _ = write!(out, "{vif}");
    }
    true
}

/// struct dcbmsg: the command, and the device from DCB_ATTR_IFNAME.
fn dcb(out: &mut String, p: &[u8], e: Endian) -> bool {
    let Some(&cmd) = p.get(1) else { return false };
    const CMDS: [&str; 28] = [
        "undefined",
        "gstate",
        "sstate",
        "pgtx_gcfg",
        "pgtx_scfg",
        "pgrx_gcfg",
        "pgrx_scfg",
        "pfc_gcfg",
        "pfc_scfg",
        "set_all",
        "gperm_hwaddr",
        "gcap",
        "gnumtcs",
        "snumtcs",
        "pfc_gstate",
        "pfc_sstate",
        "bcn_gcfg",
        "bcn_scfg",
        "gapp",
        "sapp",
        "ieee_set",
        "ieee_get",
        "gdcbx",
        "sdcbx",
        "gfeatcfg",
        "sfeatcfg",
        "cee_get",
        "ieee_del",
    ];
    out.push(' ');
    match CMDS.get(usize::from(cmd)) {
        Some(c) => out.push_str(c),
        None => {
            let _ = write!(out, "cmd {cmd}");
        }
    }
    if let Some(n) = attr(p, 4, e, 1) {
        out.push_str(" dev ");
        push_str(out, n);
    }
    true
}

/// `via` of struct rtvia (RTA_VIA: u16 family, then the address), as ip prints it.
fn push_via(out: &mut String, b: &[u8], e: Endian) {
    let fam = e.u16(b, 0).unwrap_or(0);
    out.push_str(match fam {
        2 => " via inet ",
        10 => " via inet6 ",
        _ => " via ",
    });
    if !push_ip(out, b.get(2..).unwrap_or(&[])) {
        out.push('?');
    }
}

/// An MPLS label stack (RTA_DST / RTA_NEWDST: be32 entries, label in the top 20 bits).
fn push_labels(out: &mut String, b: &[u8]) {
    for (i, l) in b.chunks_exact(4).enumerate() {
        if i > 0 {
            out.push('/');
        }
        let v = Endian::Big.u32(l, 0).unwrap_or(0);
        let _ = write!(out, "{}", v >> 12);
    }
}

/// What ip route prints after the basics: nexthop id, encapsulation, RTA_VIA and the
/// RTA_MULTIPATH nexthops (struct rtnexthop: len u16, flags u8, hops u8, ifindex s32, attrs).
pub(super) fn route_extras(v: &MessageView, out: &mut String, p: &[u8], e: Endian) {
    const RTA_MULTIPATH: u16 = 9;
    const RTA_VIA: u16 = 18;
    const RTA_ENCAP_TYPE: u16 = 21;
    const RTA_NH_ID: u16 = 30;
    for (t, b) in attrs(p, 12, e) {
        match t {
            RTA_NH_ID => {
                if let Some(id) = e.u32(b, 0) {
                    let _ = write!(out, " nhid {id}");
                }
            }
            RTA_ENCAP_TYPE => {
                out.push_str(match e.u16(b, 0).unwrap_or(0) {
                    1 => " encap mpls",
                    2 => " encap ip",
                    3 => " encap ila",
                    4 => " encap ip6",
                    5 => " encap seg6",
                    6 => " encap bpf",
                    7 => " encap seg6local",
                    8 => " encap rpl",
                    9 => " encap ioam6",
                    10 => " encap xfrm",
                    _ => " encap",
                });
            }
            RTA_VIA => push_via(out, b, e),
            RTA_MULTIPATH => {
                let mut at = 0;
                let mut n = 0;
                while let Some(len) = e.u16(b, at).map(usize::from) {
                    if len < 8 || at + len > b.len() {
                        break;
                    }
                    n += 1;
                    if n > 8 {
                        out.push_str(" ...");
                        break;
                    }
                    out.push_str(" nexthop");
                    let nh = b.get(at..at + len).unwrap_or(&[]);
                    if let Some(g) = attr(nh, 8, e, 5) {
                        out.push_str(" via ");
                        push_ip(out, g);
                    }
                    if let Some(via) = attr(nh, 8, e, RTA_VIA) {
                        push_via(out, via, e);
                    }
                    if let Some(idx) = e.u32(nh, 4) {
                        out.push_str(" dev ");
                        push_dev(v, out, idx as i32);
                    }
                    let _ = write!(
                        out,
                        " weight {}",
                        u16::from(nh.get(3).copied().unwrap_or(0)) + 1
                    );
                    at += (len + 3) & !3;
                }
            }
            _ => {}
        }
    }
}

/// An AF_MPLS route (ip -f mpls route): `100 as to 200 via inet 192.0.2.254 dev veth0`.
pub(super) fn mpls_route(v: &MessageView, out: &mut String, p: &[u8], e: Endian) {
    const RTA_DST: u16 = 1;
    const RTA_OIF: u16 = 4;
    const RTA_NEWDST: u16 = 19;
    if let Some(d) = attr(p, 12, e, RTA_DST) {
        out.push(' ');
        push_labels(out, d);
    }
    if let Some(n) = attr(p, 12, e, RTA_NEWDST) {
        out.push_str(" as to ");
        push_labels(out, n);
    }
    if let Some(via) = attr(p, 12, e, 18) {
        push_via(out, via, e);
    }
    if let Some(oif) = attr(p, 12, e, RTA_OIF).and_then(|b| e.u32(b, 0)) {
        out.push_str(" dev ");
        push_dev(v, out, oif as i32);
    }
}

/// struct ifaddrlblmsg (12 bytes), IFAL_ADDRESS, IFAL_LABEL (ip addrlabel list).
fn addrlabel(out: &mut String, p: &[u8], e: Endian) -> bool {
    let Some(&plen) = p.get(2) else { return false };
    if let Some(a) = attr(p, 12, e, 1) {
        out.push_str(" prefix ");
        if push_ip(out, a) {
            let _ = write!(out, "/{plen}");
        }
    }
    if let Some(idx) = e.u32(p, 4).filter(|i| *i != 0) {
        let _ = write!(out, " dev if{idx}");
    }
    if let Some(l) = attr(p, 12, e, 2).and_then(|b| e.u32(b, 0)) {
        let _ = write!(out, " label {l}");
    }
    true
}

/// `vid N[-M]` entries of BRIDGE_VLANDB_ENTRY nests (struct bridge_vlan_info: flags u16, vid
/// u16; BRIDGE_VLANDB_ENTRY_RANGE u16) or VXLAN_VNIFILTER_ENTRY nests (START/END u32).
fn push_ranges(out: &mut String, p: &[u8], start: usize, e: Endian, word: &str, vni: bool) {
    let mut n = 0;
    for (t, ent) in attrs(p, start, e) {
        if t != 1 {
            continue;
        }
        let (lo, hi) = if vni {
            (
                attr(ent, 0, e, 1).and_then(|b| e.u32(b, 0)),
                attr(ent, 0, e, 2).and_then(|b| e.u32(b, 0)),
            )
        } else {
            (
                attr(ent, 0, e, 1).and_then(|b| e.u16(b, 2)).map(u32::from),
                attr(ent, 0, e, 2).and_then(|b| e.u16(b, 0)).map(u32::from),
            )
        };
        let Some(lo) = lo else { continue };
        n += 1;
        if n > 8 {
            out.push_str(" ...");
            break;
        }
        let _ = write!(out, " {word} {lo}");
        if let Some(hi) = hi.filter(|h| *h > lo) {
            let _ = write!(out, "-{hi}");
        }
    }
}

/// struct br_vlan_msg (8 bytes: family, reserved, ifindex) and BRIDGE_VLANDB_ENTRY nests
/// (bridge vlan show / bridge monitor vlan).
fn vlan(v: &MessageView, out: &mut String, p: &[u8], e: Endian) -> bool {
    let Some(idx) = e.u32(p, 4) else { return false };
    out.push_str(" dev ");
    push_dev(v, out, idx as i32);
    push_ranges(out, p, 8, e, "vid", false);
    true
}

/// struct tunnel_msg (8 bytes: family, flags, reserved, ifindex) and VXLAN_VNIFILTER_ENTRY
/// nests (bridge vni show).
fn tunnel(v: &MessageView, out: &mut String, p: &[u8], e: Endian) -> bool {
    let Some(idx) = e.u32(p, 4) else { return false };
    out.push_str(" dev ");
    push_dev(v, out, idx as i32);
    push_ranges(out, p, 8, e, "vni", true);
    true
}

/// struct prefixmsg (12 bytes), PREFIX_ADDRESS, PREFIX_CACHEINFO (ip monitor prefix).
fn prefix(v: &MessageView, out: &mut String, p: &[u8], e: Endian) -> bool {
    if p.len() < 12 {
        return false;
    }
    let (idx, plen, flags) = (e.u32(p, 4).unwrap_or(0) as i32, byte(p, 9), byte(p, 10));
    if let Some(a) = attr(p, 12, e, 1) {
        out.push_str(" prefix ");
        if push_ip(out, a) {
            let _ = write!(out, "/{plen}");
        }
    }
    out.push_str(" dev ");
    push_dev(v, out, idx);
    // IF_PREFIX_ONLINK 0x01 / IF_PREFIX_AUTOCONF 0x02; kernels since the prefix_info flags
    // union (also 6.1.y) copy the option's own L (0x80) and A (0x40) bits instead.
    if flags & 0x81 != 0 {
        out.push_str(" onlink");
    }
    if flags & 0x42 != 0 {
        out.push_str(" autoconf");
    }
    if let Some(ci) = attr(p, 12, e, 2)
        && let (Some(pref), Some(valid)) = (e.u32(ci, 0), e.u32(ci, 4))
    {
        let _ = write!(out, " valid {valid} preferred {pref}");
    }
    true
}

/// struct if_stats_msg (12 bytes: family, pad, ifindex, filter_mask): the device and which
/// IFLA_STATS_* groups were asked for or are present.
fn stats(v: &MessageView, out: &mut String, p: &[u8], e: Endian) -> bool {
    let Some(idx) = e.u32(p, 4) else { return false };
    if idx != 0 {
        out.push_str(" dev ");
        push_dev(v, out, idx as i32);
    }
    const GROUPS: [&str; 5] = [
        "link_64",
        "link_xstats",
        "link_xstats_slave",
        "offload_xstats",
        "af_spec",
    ];
    let mask = e.u32(p, 8).unwrap_or(0);
    let mut first = true;
    for (i, g) in GROUPS.iter().enumerate() {
        if mask & (1 << i) != 0 {
            out.push_str(if first { " groups " } else { "," });
            out.push_str(g);
            first = false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tc_handles_as_tc_prints_them() {
        let h = |v: u32| {
            let mut s = String::new();
            push_handle(&mut s, v);
            s
        };
        assert_eq!(h(0xffff_ffff), "root");
        assert_eq!(h(0), "none");
        assert_eq!(h(0xffff_fff1), "ingress");
        assert_eq!(h(0x0001_0000), "1:");
        assert_eq!(h(0x0001_0010), "1:10");
        assert_eq!(h(0x0000_0005), ":5");
    }

    #[test]
    fn mpls_labels_and_vias() {
        let mut s = String::new();
        // label 100 (bottom of stack), label 200
        push_labels(&mut s, &[0x00, 0x06, 0x40, 0x00, 0x00, 0x0c, 0x81, 0x00]);
        assert_eq!(s, "100/200");
        let mut s = String::new();
        push_via(&mut s, &[2, 0, 192, 0, 2, 1], Endian::Little);
        assert_eq!(s, " via inet 192.0.2.1");
        let mut s = String::new();
        push_via(&mut s, &[10, 0, 1, 2], Endian::Little);
        assert_eq!(s, " via inet6 ?");
    }

    #[test]
    fn attribute_walk_stops_at_bad_lengths() {
        let e = Endian::Little;
        // one good u32 attribute, then a length running past the end
        let mut p = vec![8, 0, 1, 0, 7, 0, 0, 0];
        p.extend([200, 0, 2, 0, 1]);
        let got: Vec<(u16, &[u8])> = attrs(&p, 0, e).collect();
        assert_eq!(got, vec![(1u16, &[7u8, 0, 0, 0][..])]);
        // length below the header size, and a start past the end
        assert_eq!(attrs(&[2, 0, 1, 0], 0, e).count(), 0);
        assert_eq!(attrs(&p, 100, e).count(), 0);
        assert_eq!(attr(&p, 0, e, 1), Some(&[7u8, 0, 0, 0][..]));
        assert_eq!(attr(&p, 0, e, 2), None);
    }
}
