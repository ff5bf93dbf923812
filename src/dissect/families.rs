//! Code hooks for what the YNL format cannot say. Each hook is small and names the kernel
//! behaviour it follows.

use super::specs::{EnumDef, Spec, StructDef};
use super::{MessageView, MsgIndex};
use crate::model::{Direction, Node, Severity, Value};

/// `AF_BRIDGE` (linux/socket.h).
const AF_BRIDGE: u8 = 7;
/// `AF_INET6` (linux/socket.h).
const AF_INET6: u8 = 10;

/// Nested sets chosen by the message's fixed header rather than by the spec.
///
/// rtnetlink link messages (net/core/rtnetlink.c, net/bridge/br_netlink.c,
/// net/ipv6/addrconf.c):
/// - IFLA_AF_SPEC of an AF_BRIDGE message holds IFLA_BRIDGE_* attributes, not the
///   per-address-family nests of other link messages;
/// - IFLA_PROTINFO holds IFLA_BRPORT_* for AF_BRIDGE and IFLA_INET6_* for AF_INET6.
///
/// A set the loaded spec lacks becomes an unknown set: walked as TLVs, marked raw.
pub fn overrides(
    spec: &Spec,
    _m: &MsgIndex,
    data: &[u8],
    start: usize,
    end: usize,
) -> Vec<(String, String)> {
    if spec.name != "rt-link" || start >= end {
        return Vec::new();
    }
    let known = |s: &str| {
        if spec.sets.contains_key(s) {
            s.to_string()
        } else {
            String::new()
        }
    };
    match data.get(start) {
        Some(&AF_BRIDGE) => vec![
            ("rt-link.af-spec".into(), known("bridge-af-spec-attrs")),
            ("rt-link.protinfo".into(), known("linkinfo-brport-attrs")),
        ],
        Some(&AF_INET6) => vec![("rt-link.protinfo".into(), known("ifla6-attrs"))],
        _ => Vec::new(),
    }
}

/// RTM_GETNEIGH.
const RTM_GETNEIGH: u16 = 30;

/// Another layout for a message than its op says, where the kernel decides by content.
///
/// RTM_GETNEIGH dump requests for AF_BRIDGE fdb entries: before Linux 4.12 `bridge fdb show`
/// sent `struct ifinfomsg` (+ IFLA_MASTER / IFLA_BRPORT), later versions `struct ndmsg`. The
/// kernel (rtnetlink.c, valid_fdb_dump_legacy) takes a payload of exactly sizeof(ndmsg), or
/// ndmsg plus one u32 attribute, as ndmsg and anything else as ifinfomsg with IFLA_*
/// attributes; so do we.
pub fn layout<'a>(
    specs: &'a super::specs::SpecRegistry,
    m: &MsgIndex,
    spec: &Spec,
    start: usize,
    end: usize,
) -> Option<(
    &'a Spec,
    Option<&'a StructDef>,
    Option<&'a super::specs::AttrSet>,
)> {
    let len = end.saturating_sub(start);
    if spec.name != "rt-neigh"
        || m.ty != RTM_GETNEIGH
        || m.direction != Direction::ToKernel
        || m.flags & 0x300 != 0x300
        || len == 12
        || len == 12 + 8
        || len < 16
    {
        return None;
    }
    let link = specs.get("rt-link")?;
    let hdr = link.structs.get("ifinfomsg");
    let set = link.sets.get("link-attrs");
    Some((link, hdr, set))
}

/// Dump requests shorter than the family's fixed header: rtnetlink accepts the 1-byte
/// `struct rtgenmsg` (padded to 4) that older tools send for RTM_GET* dumps
/// (rtnl_dump_all / the per-family dumpit handlers only read the family byte).
pub fn short_dump_header(
    m: &MsgIndex,
    data: &[u8],
    hdr: Option<&StructDef>,
    start: usize,
    end: usize,
) -> Option<Node> {
    let hdr = hdr?;
    let len = end.saturating_sub(start);
    if m.protocol != 0 || len >= hdr.size || len == 0 || len > 4 {
        return None;
    }
    if m.direction != Direction::ToKernel || m.flags & 0x300 == 0 {
        return None;
    }
    let mut n = Node::new("rtgenmsg", "rtgenmsg", Value::None, start, len);
    n.display = format!(
        "short dump request header ({len} bytes instead of {} for {})",
        hdr.size, hdr.name
    );
    n.set_expert(
        Severity::Note,
        "legacy rtgenmsg dump request: only the family byte is read",
    );
    let fam = data.get(start).copied().unwrap_or(0);
    n.children.push(Node::new(
        "rtgen_family",
        "rtgenmsg.family",
        Value::Uint(u64::from(fam)),
        start,
        1,
    ));
    Some(n)
}

/// Attribute names a summary reads, per kind (at most 6).
const LINK_ATTRS: [&str; 6] = ["ifname", "mtu", "master", "operstate", "", ""];
const ADDR_ATTRS: [&str; 6] = ["local", "address", "label", "", "", ""];
const ROUTE_ATTRS: [&str; 6] = ["dst", "gateway", "oif", "table", "prefsrc", "priority"];
const NEIGH_ATTRS: [&str; 6] = ["dst", "lladdr", "", "", "", ""];
/// Enums the summaries name values with.
const SUMMARY_ENUMS: [&str; 7] = [
    "ifinfo-flags",
    "operstate",
    "rt-scope",
    "rt-table",
    "rt-protocol",
    "rtm-type",
    "nud-state",
];

/// What a summary needs of a kind of message, computed once per kind.
struct SummaryMemo {
    types: [Option<u16>; 6],
    enums: Vec<Option<EnumDef>>,
}

/// iproute2-style details for rtnetlink link, address, route and neighbour messages, appended
/// to `out` after the type name. Returns false when the message is not one of those.
///
/// Struct layouts are the uapi's (ifinfomsg, ifaddrmsg, rtmsg, ndmsg); names of flags and
/// enums come from the loaded spec, shortened as `ip` prints them.
pub fn summary(v: &MessageView, out: &mut String) -> bool {
    let m = v.index();
    if m.protocol != 0 {
        return false;
    }
    let p = v.payload_bytes();
    let e = m.endian;
    let dump = m.direction == Direction::ToKernel && m.flags & 0x300 == 0x300;
    let (kind, names) = match v.spec_name() {
        Some("rt-link") if p.len() >= 16 => (Kind::Link, LINK_ATTRS),
        Some("rt-addr") if p.len() >= 8 => (Kind::Addr, ADDR_ATTRS),
        Some("rt-route") if p.len() >= 12 => (Kind::Route, ROUTE_ATTRS),
        Some("rt-neigh") if p.len() >= 12 && (28..=30).contains(&m.ty) => {
            (Kind::Neigh, NEIGH_ATTRS)
        }
        _ => return false,
    };
    if dump {
        out.push_str(" dump");
        return true;
    }
    let request = m.direction == Direction::ToKernel;
    let Some(memo) = v.memo(|v| SummaryMemo {
        types: v.top_types(names),
        enums: SUMMARY_ENUMS
            .iter()
            .map(|n| v.spec_enum(n).cloned())
            .collect(),
    }) else {
        return false;
    };
    let en = |name: &str| {
        SUMMARY_ENUMS
            .iter()
            .position(|n| *n == name)
            .and_then(|i| memo.enums.get(i)?.as_ref())
    };
    let [a0, a1, a2, a3, a4, a5] = v.top_attrs_by_type(&memo.types);
    let mut ib = itoa::Buffer::new();
    let u32_at = |b: &[u8]| e.u32(b, 0);
    let push_text = |out: &mut String, b: &[u8]| {
        out.push_str(&String::from_utf8_lossy(
            b.split(|c| *c == 0).next().unwrap_or(&[]),
        ));
    };
    let push_dev = |out: &mut String, idx: i32| match v.link_name(idx) {
        Some(n) => out.push_str(n),
        None => {
            out.push_str("if");
            out.push_str(itoa::Buffer::new().format(idx));
        }
    };
    let push_enum = |out: &mut String, name: &str, prefix: &str, val: i64, lower: bool| {
        match en(name).and_then(|d| d.name_of(val)) {
            // ip prints RT_SCOPE_UNIVERSE as "global".
            Some("RT_SCOPE_UNIVERSE") => out.push_str("global"),
            Some(n) => {
                let s = n.strip_prefix(prefix).unwrap_or(n);
                if lower {
                    out.extend(s.chars().map(|c| c.to_ascii_lowercase()));
                } else {
                    out.push_str(s);
                }
            }
            None => out.push_str(itoa::Buffer::new().format(val)),
        }
    };
    let push_bits = |out: &mut String, name: &str, prefix: &str, value: u64| {
        let Some(d) = en(name) else {
            out.push_str(&format!("{value:#x}"));
            return;
        };
        let mut first = true;
        for (bit, n) in &d.entries {
            let mask = if d.is_flags {
                *bit as u64
            } else if (0..64).contains(bit) {
                1u64 << bit
            } else {
                0
            };
            if mask.count_ones() == 1 && value & mask != 0 {
                if !first {
                    out.push(',');
                }
                first = false;
                out.push_str(n.strip_prefix(prefix).unwrap_or(n));
            }
        }
    };
    match kind {
        Kind::Link => {
            let idx = e.u32(p, 4).unwrap_or(0) as i32;
            let flags = e.u32(p, 8).unwrap_or(0);
            let before = out.len();
            // Requests name the link by index or by name; index 0 means "by name".
            if idx != 0 || !request {
                out.push(' ');
                out.push_str(ib.format(idx));
                out.push(':');
            }
            if let Some(n) = a0 {
                out.push(' ');
                push_text(out, n);
            }
            if out.len() == before {
                out.push_str(" request");
            }
            // Requests often leave the flags empty; `ip` would not print "<>" for them.
            if flags != 0 || !request {
                out.push_str(" <");
                push_bits(out, "ifinfo-flags", "IFF_", u64::from(flags));
                out.push('>');
            }
            if let Some(mtu) = a1.and_then(u32_at) {
                out.push_str(" mtu ");
                out.push_str(ib.format(mtu));
            }
            if let Some(master) = a2.and_then(u32_at) {
                out.push_str(" master ");
                push_dev(out, master as i32);
            }
            if let Some(st) = a3.and_then(|b| b.first()) {
                out.push_str(" state ");
                push_enum(out, "operstate", "IF_OPER_", i64::from(*st), false);
            }
        }
        Kind::Addr => {
            let (family, plen, scope) = (p[0], p[1], p[3]);
            let idx = e.u32(p, 4).unwrap_or(0) as i32;
            out.push(' ');
            out.push_str(ib.format(idx));
            out.push_str(": ");
            push_dev(out, idx);
            if let Some(a) = a0.or(a1).and_then(ip_text) {
                out.push_str(if family == 10 { " inet6 " } else { " inet " });
                out.push_str(&a);
                out.push('/');
                out.push_str(ib.format(plen));
            }
            out.push_str(" scope ");
            push_enum(out, "rt-scope", "RT_SCOPE_", i64::from(scope), true);
            if let Some(l) = a2 {
                out.push(' ');
                push_text(out, l);
            }
        }
        Kind::Route => {
            let dst_len = p[1];
            let table = a3.and_then(u32_at).map_or(i64::from(p[4]), i64::from);
            let (proto, scope, rtype) = (p[5], p[6], p[7]);
            match a0.and_then(ip_text) {
                Some(d) => {
                    out.push(' ');
                    out.push_str(&d);
                    out.push('/');
                    out.push_str(ib.format(dst_len));
                }
                None if dst_len == 0 => out.push_str(" default"),
                None => {}
            }
            // Unset fields of requests (RTN_UNSPEC, RTPROT_UNSPEC, RT_SCOPE_NOWHERE) are not shown.
            if rtype > 1 {
                out.push_str(" type ");
                push_enum(out, "rtm-type", "RTN_", i64::from(rtype), true);
            }
            if let Some(g) = a1.and_then(ip_text) {
                out.push_str(" via ");
                out.push_str(&g);
            }
            if let Some(oif) = a2.and_then(u32_at) {
                out.push_str(" dev ");
                push_dev(out, oif as i32);
            }
            out.push_str(" table ");
            push_enum(out, "rt-table", "RT_TABLE_", table, true);
            if proto != 0 {
                out.push_str(" proto ");
                push_enum(out, "rt-protocol", "RTPROT_", i64::from(proto), true);
            }
            if scope != 0 && !(request && scope == 255) {
                out.push_str(" scope ");
                push_enum(out, "rt-scope", "RT_SCOPE_", i64::from(scope), true);
            }
            if let Some(src) = a4.and_then(ip_text) {
                out.push_str(" src ");
                out.push_str(&src);
            }
            if let Some(pr) = a5.and_then(u32_at) {
                out.push_str(" metric ");
                out.push_str(ib.format(pr));
            }
        }
        Kind::Neigh => {
            let idx = e.u32(p, 4).unwrap_or(0) as i32;
            let state = e.u16(p, 8).unwrap_or(0);
            if let Some(d) = a0.and_then(ip_text) {
                out.push(' ');
                out.push_str(&d);
            }
            out.push_str(" dev ");
            push_dev(out, idx);
            if let Some(mac) = a1 {
                out.push_str(" lladdr ");
                out.push_str(&crate::model::mac(mac));
            }
            if state != 0 {
                out.push(' ');
                push_bits(out, "nud-state", "NUD_", u64::from(state));
            }
        }
    }
    true
}

enum Kind {
    Link,
    Addr,
    Route,
    Neigh,
}

/// An IPv4 or IPv6 address by length.
fn ip_text(b: &[u8]) -> Option<String> {
    match b.len() {
        4 => Some(std::net::Ipv4Addr::new(b[0], b[1], b[2], b[3]).to_string()),
        16 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(b);
            Some(std::net::Ipv6Addr::from(a).to_string())
        }
        _ => None,
    }
}
