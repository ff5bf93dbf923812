//! nft's datatypes (datatype.h ids) and how nft prints values of each: addresses, ports,
//! protocols, ICMP types, flag bits, verdicts, ranges and set elements.

use super::*;

// nft's datatype ids (datatype.h).
pub(super) const T_VERDICT: u32 = 1;
pub(super) const T_NFPROTO: u32 = 2;
pub(super) const T_BITMASK: u32 = 3;
pub(super) const T_INTEGER: u32 = 4;
pub(super) const T_STRING: u32 = 5;
pub(super) const T_LLADDR: u32 = 6;
pub(super) const T_IPADDR: u32 = 7;
pub(super) const T_IP6ADDR: u32 = 8;
pub(super) const T_ETHERADDR: u32 = 9;
pub(super) const T_ETHERTYPE: u32 = 10;
pub(super) const T_ARPOP: u32 = 11;
pub(super) const T_INETPROTO: u32 = 12;
pub(super) const T_INETSERVICE: u32 = 13;
pub(super) const T_ICMP_TYPE: u32 = 14;
pub(super) const T_TCP_FLAG: u32 = 15;
pub(super) const T_MARK: u32 = 19;
pub(super) const T_IFINDEX: u32 = 20;
pub(super) const T_ARPHRD: u32 = 21;
pub(super) const T_UID: u32 = 24;
pub(super) const T_GID: u32 = 25;
pub(super) const T_CT_STATE: u32 = 26;
pub(super) const T_CT_DIR: u32 = 27;
pub(super) const T_CT_STATUS: u32 = 28;
pub(super) const T_ICMP6_TYPE: u32 = 29;
pub(super) const T_PKTTYPE: u32 = 33;
pub(super) const T_IFNAME: u32 = 41;
/// fib's address type (RTN_*), a host-order u32.
pub(super) const T_FIB_ADDRTYPE: u32 = 38;
/// A yes/no register (fib ... exists, rt ipsec).
pub(super) const T_BOOLEAN: u32 = 39;
/// Bits per field of a concatenated key type (TYPE_BITS).
pub(super) const TYPE_BITS: u32 = 6;

/// The name nft gives datatype `t`.
pub(super) fn type_name(t: u32) -> Option<&'static str> {
    Some(match t {
        1 => "verdict",
        2 => "nf_proto",
        3 => "bitmask",
        4 => "integer",
        5 => "string",
        6 => "ll_addr",
        7 => "ipv4_addr",
        8 => "ipv6_addr",
        9 => "ether_addr",
        10 => "ether_type",
        11 => "arp_op",
        12 => "inet_proto",
        13 => "inet_service",
        14 => "icmp_type",
        15 => "tcp_flag",
        16 => "dccp_pkttype",
        17 => "mh_type",
        18 => "time",
        19 => "mark",
        20 => "iface_index",
        21 => "iface_type",
        22 => "realm",
        23 => "classid",
        24 => "uid",
        25 => "gid",
        26 => "ct_state",
        27 => "ct_dir",
        28 => "ct_status",
        29 => "icmpv6_type",
        30 => "pkt_type",
        31 => "icmp_code",
        32 => "icmpv6_code",
        33 => "icmpx_code",
        34 => "devgroup",
        35 => "dscp",
        36 => "ecn",
        37 => "fib_addrtype",
        38 => "boolean",
        39 => "ct_event",
        40 => "ct_label",
        41 => "ifname",
        42 => "igmp_type",
        43 => "day",
        44 => "hour",
        45 => "cgroupsv2",
        _ => return None,
    })
}

/// The fields of a (possibly concatenated) key type, first field first.
pub(super) fn subtypes(t: u32) -> Vec<u32> {
    if t < (1 << TYPE_BITS) {
        return vec![t];
    }
    let mut v = Vec::new();
    let mut t = t;
    while t != 0 && v.len() < 8 {
        v.push(t & ((1 << TYPE_BITS) - 1));
        t >>= TYPE_BITS;
    }
    v.reverse();
    v
}

pub(super) fn push_type_name(out: &mut String, t: u32) {
    for (i, s) in subtypes(t).into_iter().enumerate() {
        if i > 0 {
            out.push_str(" . ");
        }
        match type_name(s) {
            Some(n) => out.push_str(n),
            None => {
                let _ = write!(out, "{s}");
            }
        }
    }
}

/// The bytes a datatype's value takes (before padding to 32-bit registers), if fixed.
pub(super) fn type_size(t: u32) -> Option<usize> {
    Some(match t {
        T_IPADDR | T_MARK | T_IFINDEX | T_UID | T_GID | T_CT_STATE | T_CT_STATUS => 4,
        T_IP6ADDR | T_IFNAME => 16,
        T_ETHERADDR => 6,
        T_INETSERVICE | T_ETHERTYPE | T_ARPOP | T_ARPHRD => 2,
        T_INETPROTO | T_NFPROTO | T_ICMP_TYPE | T_ICMP6_TYPE | T_TCP_FLAG | T_CT_DIR => 1,
        _ => return None,
    })
}

/// Whether values of type `t` are in host byte order (meta and ct keys are).
pub(super) fn host_order(t: u32) -> bool {
    matches!(
        t,
        T_MARK
            | T_IFINDEX
            | T_UID
            | T_GID
            | T_CT_STATE
            | T_CT_STATUS
            | T_ARPHRD
            | T_PKTTYPE
            | T_FIB_ADDRTYPE
    )
}

pub(super) fn push_hex(out: &mut String, b: &[u8]) {
    out.push_str("0x");
    for x in b {
        let _ = write!(out, "{x:02x}");
    }
}

/// An integer of up to 8 bytes, big-endian or little-endian.
pub(super) fn int(b: &[u8], little: bool) -> Option<u64> {
    if b.is_empty() || b.len() > 8 {
        return None;
    }
    let mut v = 0u64;
    if little {
        for x in b.iter().rev() {
            v = (v << 8) | u64::from(*x);
        }
    } else {
        for x in b {
            v = (v << 8) | u64::from(*x);
        }
    }
    Some(v)
}

pub(super) fn inet_proto_name(p: u64) -> Option<&'static str> {
    Some(match p {
        1 => "icmp",
        2 => "igmp",
        4 => "ipip",
        6 => "tcp",
        17 => "udp",
        33 => "dccp",
        41 => "ipv6",
        47 => "gre",
        50 => "esp",
        51 => "ah",
        58 => "ipv6-icmp",
        132 => "sctp",
        136 => "udplite",
        _ => return None,
    })
}

/// Flag names of a bitmask type (ct state, ct status, tcp flags).
pub(super) fn bit_names(t: u32) -> &'static [(u64, &'static str)] {
    match t {
        T_CT_STATE => &[
            (1, "invalid"),
            (2, "established"),
            (4, "related"),
            (8, "new"),
            (64, "untracked"),
        ],
        T_CT_STATUS => &[
            (1, "expected"),
            (2, "seen-reply"),
            (4, "assured"),
            (8, "confirmed"),
            (16, "snat"),
            (32, "dnat"),
            (512, "dying"),
        ],
        T_TCP_FLAG => &[
            (1, "fin"),
            (2, "syn"),
            (4, "rst"),
            (8, "psh"),
            (16, "ack"),
            (32, "urg"),
            (64, "ecn"),
            (128, "cwr"),
        ],
        _ => &[],
    }
}

pub(super) fn push_bits(out: &mut String, t: u32, v: u64, sep: &str) {
    let mut first = true;
    let mut left = v;
    for (bit, name) in bit_names(t) {
        if v & bit != 0 {
            if !first {
                out.push_str(sep);
            }
            first = false;
            out.push_str(name);
            left &= !bit;
        }
    }
    if left != 0 || first {
        if !first {
            out.push_str(sep);
        }
        let _ = write!(out, "{left:#x}");
    }
}

/// One value of datatype `t` as nft prints it.
pub(super) fn push_value(v: &MessageView, out: &mut String, t: u32, b: &[u8]) {
    let t = if t == T_IPADDR && b.len() == 16 {
        T_IP6ADDR
    } else {
        t
    };
    let little = host_order(t) && v.index().endian == Endian::Little;
    let b = match type_size(t) {
        Some(n) if b.len() > n => b.get(..n).unwrap_or(b),
        _ => b,
    };
    let n = int(b, little);
    match (t, n) {
        (T_IPADDR, _) if b.len() == 4 => {
            if let Some(a) = array::<4>(b, 0) {
                crate::model::text::push_ipv4(out, a);
            }
        }
        (T_IP6ADDR, _) if b.len() == 16 => {
            if let Some(a) = array::<16>(b, 0) {
                let _ = write!(out, "{}", Ipv6Addr::from(a));
            }
        }
        (T_ETHERADDR | T_LLADDR, _) => {
            for (i, x) in b.iter().enumerate() {
                if i > 0 {
                    out.push(':');
                }
                let _ = write!(out, "{x:02x}");
            }
        }
        (T_STRING | T_IFNAME, _) => {
            out.push('"');
            push_str(out, b);
            out.push('"');
        }
        (T_NFPROTO, Some(p)) => match p {
            2 => out.push_str("ipv4"),
            10 => out.push_str("ipv6"),
            _ => {
                let _ = write!(out, "{p}");
            }
        },
        (T_INETPROTO, Some(p)) => match inet_proto_name(p) {
            Some(s) => out.push_str(s),
            None => {
                let _ = write!(out, "{p}");
            }
        },
        (T_ETHERTYPE, Some(p)) => match p {
            0x0800 => out.push_str("ip"),
            0x0806 => out.push_str("arp"),
            0x86dd => out.push_str("ip6"),
            0x8100 => out.push_str("8021q"),
            0x88a8 => out.push_str("8021ad"),
            _ => {
                let _ = write!(out, "{p:#06x}");
            }
        },
        (T_MARK, Some(m)) => {
            let _ = write!(out, "{m:#010x}");
        }
        (T_IFINDEX, Some(i)) => push_dev(v, out, i as i32),
        (T_FIB_ADDRTYPE, Some(x)) => {
            // nft names fib's address types up to prohibit only (RTN_PROHIBIT = 8).
            let names = crate::netlink::RTN_NAMES.get(..9).unwrap_or_default();
            match usize::try_from(x).ok().and_then(|i| names.get(i)) {
                Some(n) => out.push_str(n),
                None => {
                    let _ = write!(out, "{x}");
                }
            }
        }
        (T_BOOLEAN, Some(x)) => out.push_str(if x != 0 { "exists" } else { "missing" }),
        (T_CT_STATE | T_CT_STATUS | T_TCP_FLAG, Some(x)) => push_bits(out, t, x, ","),
        (T_CT_DIR, Some(d)) => out.push_str(match d {
            0 => "original",
            1 => "reply",
            _ => "?",
        }),
        (T_PKTTYPE, Some(p)) => match p {
            0 => out.push_str("host"),
            1 => out.push_str("broadcast"),
            2 => out.push_str("multicast"),
            3 => out.push_str("other"),
            _ => {
                let _ = write!(out, "{p}");
            }
        },
        (T_ICMP_TYPE, Some(x)) => match icmp_type(x) {
            Some(s) => out.push_str(s),
            None => {
                let _ = write!(out, "{x}");
            }
        },
        (T_ICMP6_TYPE, Some(x)) => match icmp6_type(x) {
            Some(s) => out.push_str(s),
            None => {
                let _ = write!(out, "{x}");
            }
        },
        (T_INTEGER | T_INETSERVICE | T_UID | T_GID | T_ARPOP | T_ARPHRD, Some(x)) => {
            let _ = write!(out, "{x}");
        }
        (T_BITMASK | T_VERDICT, Some(x)) => {
            let _ = write!(out, "{x:#x}");
        }
        _ => match subtypes(t).as_slice() {
            [_, _, ..] => push_concat(v, out, t, b),
            _ => push_hex(out, b),
        },
    }
}

/// A concatenated key (`192.0.2.1 . 80`): each field padded to 32-bit registers.
pub(super) fn push_concat(v: &MessageView, out: &mut String, t: u32, b: &[u8]) {
    let mut at = 0usize;
    for (i, s) in subtypes(t).into_iter().enumerate() {
        if i > 0 {
            out.push_str(" . ");
        }
        let Some(n) = type_size(s) else {
            push_hex(out, b.get(at..).unwrap_or_default());
            return;
        };
        push_value(v, out, s, b.get(at..at + n).unwrap_or_default());
        at += n.div_ceil(4) * 4;
    }
}

pub(super) fn icmp_type(x: u64) -> Option<&'static str> {
    Some(match x {
        0 => "echo-reply",
        3 => "destination-unreachable",
        4 => "source-quench",
        5 => "redirect",
        8 => "echo-request",
        9 => "router-advertisement",
        10 => "router-solicitation",
        11 => "time-exceeded",
        12 => "parameter-problem",
        13 => "timestamp-request",
        14 => "timestamp-reply",
        15 => "info-request",
        16 => "info-reply",
        17 => "address-mask-request",
        18 => "address-mask-reply",
        _ => return None,
    })
}

pub(super) fn icmp6_type(x: u64) -> Option<&'static str> {
    Some(match x {
        1 => "destination-unreachable",
        2 => "packet-too-big",
        3 => "time-exceeded",
        4 => "parameter-problem",
        128 => "echo-request",
        129 => "echo-reply",
        130 => "mld-listener-query",
        131 => "mld-listener-report",
        132 => "mld-listener-done",
        133 => "nd-router-solicit",
        134 => "nd-router-advert",
        135 => "nd-neighbor-solicit",
        136 => "nd-neighbor-advert",
        137 => "nd-redirect",
        138 => "router-renumbering",
        143 => "mld2-listener-report",
        _ => return None,
    })
}

/// A verdict as nft prints it.
pub(super) fn push_verdict(out: &mut String, code: i32, chain: Option<&str>) {
    match code {
        0 => out.push_str("drop"),
        1 => out.push_str("accept"),
        2 => out.push_str("stolen"),
        3 => out.push_str("queue"),
        4 => out.push_str("repeat"),
        5 => out.push_str("stop"),
        -1 => out.push_str("continue"),
        -2 => out.push_str("break"),
        -3 => {
            let _ = write!(out, "jump {}", chain.unwrap_or("?"));
        }
        -4 => {
            let _ = write!(out, "goto {}", chain.unwrap_or("?"));
        }
        -5 => out.push_str("return"),
        c => {
            let _ = write!(out, "verdict {c}");
        }
    }
}

/// `b - 1` as a big-endian number (saturating at zero).
pub(super) fn minus_one(b: &[u8]) -> Vec<u8> {
    let mut v = b.to_vec();
    for x in v.iter_mut().rev() {
        if *x == 0 {
            *x = 0xff;
        } else {
            *x -= 1;
            return v;
        }
    }
    vec![0; b.len()]
}

/// The prefix length of range `lo..=hi` if it is exactly one prefix.
pub(super) fn prefix_len(lo: &[u8], hi: &[u8]) -> Option<u32> {
    if lo.len() != hi.len() || lo.is_empty() {
        return None;
    }
    let bit = |b: &[u8], i: usize| b.get(i / 8).is_some_and(|x| x & (0x80 >> (i % 8)) != 0);
    let bits = lo.len() * 8;
    let mut plen = bits;
    while plen > 0 && !bit(lo, plen - 1) && bit(hi, plen - 1) {
        plen -= 1;
    }
    if plen == bits {
        return None;
    }
    (0..plen)
        .all(|i| bit(lo, i) == bit(hi, i))
        .then_some(plen as u32)
}

/// A range of type `t` as nft prints it: one value, a prefix, or `lo-hi`.
pub(super) fn push_range(v: &MessageView, out: &mut String, t: u32, lo: &[u8], hi: &[u8]) {
    if lo == hi {
        return push_value(v, out, t, lo);
    }
    if matches!(t, T_IPADDR | T_IP6ADDR)
        && let Some(p) = prefix_len(lo, hi)
    {
        push_value(v, out, t, lo);
        let _ = write!(out, "/{p}");
        return;
    }
    push_value(v, out, t, lo);
    out.push('-');
    push_value(v, out, t, hi);
}

/// Set elements as nft lists them: intervals (start and end elements) joined into ranges and
/// prefixes, sorted; map data after ` : `.
pub(super) fn push_elems(v: &MessageView, out: &mut String, elems: &[Elem], t: u32, flags: u32) {
    let interval = flags & SET_INTERVAL != 0 || elems.iter().any(|e| e.end);
    let mut items: Vec<(Vec<u8>, Vec<u8>, &str)> = Vec::new();
    if interval {
        let mut sorted: Vec<&Elem> = elems.iter().collect();
        sorted.sort_by(|a, b| a.key.cmp(&b.key).then(b.end.cmp(&a.end)));
        let mut i = 0;
        while let Some(e) = sorted.get(i) {
            i += 1;
            if e.end {
                continue;
            }
            if !e.key_end.is_empty() {
                items.push((e.key.clone(), e.key_end.clone(), &e.data));
                continue;
            }
            match sorted.get(i) {
                Some(next) if next.end => {
                    items.push((e.key.clone(), minus_one(&next.key), &e.data));
                    i += 1;
                }
                _ => items.push((e.key.clone(), vec![0xff; e.key.len()], &e.data)),
            }
        }
    } else {
        for e in elems {
            items.push((e.key.clone(), e.key.clone(), &e.data));
        }
        if host_order(t) && v.index().endian == Endian::Little {
            items.sort_by(|a, b| a.0.iter().rev().cmp(b.0.iter().rev()));
        } else {
            items.sort_by(|a, b| a.0.cmp(&b.0));
        }
    }
    for (i, (lo, hi, data)) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        if t == 0 {
            push_hex(out, lo);
            if lo != hi {
                out.push('-');
                push_hex(out, hi);
            }
        } else {
            push_range(v, out, t, lo, hi);
        }
        if !data.is_empty() {
            out.push_str(" : ");
            out.push_str(data);
        }
    }
}
