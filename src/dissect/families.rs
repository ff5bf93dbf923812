//! Code hooks for what the YNL format cannot say. Each hook is small and names the kernel
//! behaviour it follows.

use super::specs::{AttrSet, EnumDef, Spec, StructDef};
use super::{MessageView, MsgIndex};
use crate::model::{Direction, Endian, Node, Severity, Value};
use crate::netlink::{array, byte};

/// `AF_BRIDGE` (linux/socket.h).
const AF_BRIDGE: u8 = 7;
/// `AF_INET6` (linux/socket.h).
const AF_INET6: u8 = 10;
/// `AF_MPLS` (linux/socket.h).
const AF_MPLS: u8 = 28;

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
    m: &MsgIndex,
    data: &[u8],
    start: usize,
    end: usize,
) -> Vec<(String, String)> {
    if start >= end {
        return Vec::new();
    }
    let payload = data.get(start..end).unwrap_or(&[]);
    if spec.name == "rt-route" {
        return route_encap(spec, m, payload).into_iter().collect();
    }
    if spec.name != "rt-link" {
        return Vec::new();
    }
    let mut out = slave_data(spec, m, payload).into_iter().collect::<Vec<_>>();
    let known = |s: &str| {
        if spec.sets.contains_key(s) {
            s.to_string()
        } else {
            String::new()
        }
    };
    match data.get(start) {
        Some(&AF_BRIDGE) => out.extend([
            ("rt-link.af-spec".into(), known("bridge-af-spec-attrs")),
            ("rt-link.protinfo".into(), known("linkinfo-brport-attrs")),
        ]),
        Some(&AF_INET6) => out.push(("rt-link.protinfo".into(), known("ifla6-attrs"))),
        _ => {}
    }
    out
}

/// Filter field paths of the nodes the hooks in this module place where no spec op says: the
/// override sets above, the legacy `rtgenmsg` header, ip6mr cache reports, ND options.
pub fn extra_fields(specs: &super::specs::SpecRegistry) -> Vec<String> {
    let mut out: Vec<String> = ["rtgenmsg", "rtgenmsg.family", "rt-nduseropt.nd-options"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    out.push(ND_OPTION.to_string());
    out.extend(ND_OPTION_FIELDS.iter().map(|f| format!("{ND_OPTION}.{f}")));
    for (spec, set, prefix) in [
        ("rt-link", "bridge-af-spec-attrs", "rt-link.af-spec"),
        ("rt-link", "linkinfo-brport-attrs", "rt-link.protinfo"),
        ("rt-link", "ifla6-attrs", "rt-link.protinfo"),
        ("rt-cachereport", "ip6mra-creport-attrs", "rt-cachereport"),
    ] {
        out.extend(specs.set_paths(spec, set, prefix));
    }
    out
}

/// The attribute set of sub-message `msg`'s format `value`.
fn sub_message_set(spec: &Spec, msg: &str, value: &str) -> Option<String> {
    spec.sub_messages
        .get(msg)?
        .formats
        .iter()
        .find(|f| f.value == value)?
        .attribute_set
        .clone()
}

/// RTA_ENCAP by RTA_ENCAP_TYPE wherever that comes: iproute2 and the kernel
/// (lwtunnel_fill_encap) put RTA_ENCAP first, so the selector follows the attribute it selects.
fn route_encap(spec: &Spec, m: &MsgIndex, p: &[u8]) -> Option<(String, String)> {
    const RTA_ENCAP_TYPE: u16 = 21;
    let b = super::rtsummary::attr(p, 12, m.endian, RTA_ENCAP_TYPE)?;
    let ty = m.endian.u16(b, 0)?;
    let cname = spec
        .enums
        .get("lwtunnel-encap-types")?
        .name_of(i64::from(ty))?;
    let value = cname
        .strip_prefix("LWTUNNEL_ENCAP_")?
        .to_ascii_lowercase()
        .replace('_', "-");
    let set = sub_message_set(spec, "route-encap-msg", &value)?;
    Some(("rt-route.encap".into(), set))
}

/// IFLA_INFO_SLAVE_DATA without IFLA_INFO_SLAVE_KIND: `ip link set DEV type bridge_slave ...`
/// sends IFLA_INFO_KIND "bridge_slave" and the port options; the kernel reads them with the
/// master's ops (rtnl_newlink), so the kind's prefix names the format.
fn slave_data(spec: &Spec, m: &MsgIndex, p: &[u8]) -> Option<(String, String)> {
    const IFLA_LINKINFO: u16 = 18;
    const IFLA_INFO_KIND: u16 = 1;
    const IFLA_INFO_SLAVE_KIND: u16 = 4;
    let e = m.endian;
    let li = super::rtsummary::attr(p, 16, e, IFLA_LINKINFO)?;
    if super::rtsummary::attr(li, 0, e, IFLA_INFO_SLAVE_KIND).is_some() {
        return None;
    }
    let kind = super::rtsummary::attr(li, 0, e, IFLA_INFO_KIND)?;
    let kind = kind.split(|c| *c == 0).next()?;
    let master = std::str::from_utf8(kind.strip_suffix(b"_slave")?).ok()?;
    let set = sub_message_set(spec, "linkinfo-member-data-msg", master)?;
    Some(("rt-link.linkinfo.slave-data".into(), set))
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
const ADDR_ATTRS: [&str; 6] = ["local", "address", "label", "multicast", "anycast", ""];
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
    if super::rtsummary::summary(v, out) {
        return true;
    }
    let p = v.payload_bytes();
    let e = m.endian;
    let dump = m.direction == Direction::ToKernel && m.flags & 0x300 == 0x300;
    let (kind, names) = match v.spec_name() {
        Some("rt-link") if p.len() >= 16 && (16..=19).contains(&m.ty) => (Kind::Link, LINK_ATTRS),
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
            let (family, plen, scope) = (byte(p, 0), byte(p, 1), byte(p, 3));
            let idx = e.u32(p, 4).unwrap_or(0) as i32;
            out.push(' ');
            out.push_str(ib.format(idx));
            out.push_str(": ");
            push_dev(out, idx);
            // Multicast / anycast address messages (RTM_*MULTICAST, RTM_*ANYCAST): the group
            // or anycast address, as `ip maddr` prints it.
            if (56..=62).contains(&m.ty) {
                if let Some(a) = a3.or(a4).and_then(ip_text) {
                    out.push_str(if family == 10 { " inet6 " } else { " inet " });
                    out.push_str(&a);
                }
                return true;
            }
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
            let dst_len = byte(p, 1);
            let table = a3.and_then(u32_at).map_or(i64::from(byte(p, 4)), i64::from);
            let (proto, scope, rtype) = (byte(p, 5), byte(p, 6), byte(p, 7));
            // AF_MPLS routes: RTA_DST is a label stack entry, not an address.
            if byte(p, 0) == AF_MPLS {
                super::rtsummary::mpls_route(v, out, p, e);
                return true;
            }
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
            super::rtsummary::route_extras(v, out, p, e);
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
        4 => Some(std::net::Ipv4Addr::from(array::<4>(b, 0).unwrap_or_default()).to_string()),
        16 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(b);
            Some(std::net::Ipv6Addr::from(a).to_string())
        }
        _ => None,
    }
}

/// `RTNL_FAMILY_IP6MR` (linux/rtnetlink.h).
const RTNL_FAMILY_IP6MR: u8 = 129;

/// The attribute set of an RTM_NEWCACHEREPORT, picked by its rtgenmsg family: ip6mr reports
/// carry IP6MRA_CREPORT_* (net/ipv6/ip6mr.c, mrt6msg_netlink_event), ipmr ones IPMRA_CREPORT_*.
pub fn cachereport_set<'a>(spec: &'a Spec, data: &[u8], start: usize) -> Option<&'a AttrSet> {
    if spec.name != "rt-cachereport" || data.get(start) != Some(&RTNL_FAMILY_IP6MR) {
        return None;
    }
    spec.sets.get("ip6mra-creport-attrs")
}

/// ND options of an RTM_NEWNDUSEROPT: `nduseropt_opts_len` bytes right after struct
/// nduseroptmsg (net/ipv6/ndisc.c, ndisc_ra_useropt), before the attributes. Returns the node and
/// where the attributes start. Option bodies this code does not know are raw bytes.
/// Field path of one ND option node.
const ND_OPTION: &str = "rt-nduseropt.nd-option";
/// Field paths of the nodes the ND option decoder below emits (for the filter catalog).
const ND_OPTION_FIELDS: &[&str] = &[
    "type",
    "len",
    "data",
    "reserved",
    "lifetime",
    "server",
    "domains",
    "prefix-len",
    "prefix-flags",
    "valid-lifetime",
    "preferred-lifetime",
    "prefix",
    "uri",
    "scaled-lifetime",
    "plc",
];

pub fn nd_options(
    spec: &Spec,
    m: &MsgIndex,
    data: &[u8],
    hdr_start: usize,
    pos: usize,
    end: usize,
) -> Option<(Node, usize)> {
    if spec.name != "rt-nduseropt" || pos >= end {
        return None;
    }
    let want = usize::from(m.endian.u16(data, hdr_start + 2)?);
    let avail = end.saturating_sub(pos);
    let len = want.min(avail);
    let opts_end = pos + len;
    let mut n = Node::new(
        "nd options",
        "rt-nduseropt.nd-options",
        Value::None,
        pos,
        len,
    );
    n.display = format!("{len} bytes");
    if want > avail {
        n.set_expert(
            Severity::Warning,
            format!("nduseropt_opts_len is {want} but only {avail} bytes follow the header"),
        );
    }
    let mut at = pos;
    while at + 2 <= opts_end {
        let ty = data.get(at).copied().unwrap_or(0);
        let units = usize::from(data.get(at + 1).copied().unwrap_or(0));
        let olen = units * 8;
        if olen == 0 || at + olen > opts_end {
            let mut bad = Node::new(
                "nd option",
                ND_OPTION,
                Value::Bytes(data.get(at..opts_end).unwrap_or(&[]).to_vec()),
                at,
                opts_end - at,
            );
            bad.raw = true;
            bad.set_expert(Severity::Warning, "ND option length runs past the options");
            n.children.push(bad);
            break;
        }
        n.children.push(nd_option(data, at, ty, olen));
        at += olen;
    }
    Some((n, opts_end))
}

/// Names of ND option types (RFC 4861, 4191, 8106, 8910, 8781).
fn nd_option_name(ty: u8) -> &'static str {
    match ty {
        1 => "ND_OPT_SOURCE_LINKADDR",
        2 => "ND_OPT_TARGET_LINKADDR",
        3 => "ND_OPT_PREFIX_INFORMATION",
        4 => "ND_OPT_REDIRECTED_HEADER",
        5 => "ND_OPT_MTU",
        24 => "ND_OPT_ROUTE_INFO",
        25 => "ND_OPT_RDNSS",
        31 => "ND_OPT_DNSSL",
        37 => "ND_OPT_CAPTIVE_PORTAL",
        38 => "ND_OPT_PREF64",
        _ => "ND option",
    }
}

fn be32(data: &[u8], at: usize) -> u64 {
    Endian::Big.u32(data, at).map_or(0, u64::from)
}

fn ipv6_at(data: &[u8], at: usize) -> Option<[u8; 16]> {
    let mut a = [0u8; 16];
    a.copy_from_slice(data.get(at..at + 16)?);
    Some(a)
}

/// One ND option at `at`, `olen` bytes (checked to be inside the data by the caller).
fn nd_option(data: &[u8], at: usize, ty: u8, olen: usize) -> Node {
    const F: &str = ND_OPTION;
    let name = nd_option_name(ty);
    let mut n = Node::new(name, F, Value::None, at, olen);
    let u8_node = |name: &str, field: &str, off: usize| {
        Node::new(
            name,
            format!("{F}.{field}"),
            Value::Uint(u64::from(data.get(at + off).copied().unwrap_or(0))),
            at + off,
            1,
        )
    };
    let u32_node = |name: &str, field: &str, off: usize| {
        Node::new(
            name,
            format!("{F}.{field}"),
            Value::Uint(be32(data, at + off)),
            at + off,
            4,
        )
    };
    let mut ty_node = Node::new(
        "nd_opt_type",
        format!("{F}.type"),
        Value::Enum {
            value: i64::from(ty),
            name: if name == "ND option" {
                String::new()
            } else {
                name.into()
            },
        },
        at,
        1,
    );
    ty_node.display = ty_node.value.display();
    n.children.push(ty_node);
    let mut len_node = u8_node("nd_opt_len", "len", 1);
    len_node.display = format!("{} ({olen} bytes)", olen / 8);
    n.children.push(len_node);
    let body = |from: usize| -> Node {
        let mut b = Node::new(
            "data",
            format!("{F}.data"),
            Value::Bytes(data.get(at + from..at + olen).unwrap_or(&[]).to_vec()),
            at + from,
            olen.saturating_sub(from),
        );
        b.raw = true;
        b
    };
    match ty {
        // RDNSS / DNSSL: reserved(2), lifetime(4), then addresses / encoded names.
        25 | 31 if olen >= 8 => {
            n.children.push(Node::new(
                "reserved",
                format!("{F}.reserved"),
                Value::None,
                at + 2,
                2,
            ));
            let mut lt = u32_node("lifetime", "lifetime", 4);
            lt.display = format!("{} s", be32(data, at + 4));
            n.children.push(lt);
            if ty == 25 {
                let mut off = 8;
                while off + 16 <= olen {
                    if let Some(a) = ipv6_at(data, at + off) {
                        n.children.push(Node::new(
                            "server",
                            format!("{F}.server"),
                            Value::Ipv6(a),
                            at + off,
                            16,
                        ));
                    }
                    off += 16;
                }
            } else {
                let names = dns_names(data.get(at + 8..at + olen).unwrap_or(&[]));
                let mut d = Node::new(
                    "domains",
                    format!("{F}.domains"),
                    Value::Str(names),
                    at + 8,
                    olen - 8,
                );
                d.display = d.value.display();
                n.children.push(d);
            }
        }
        // Prefix information: prefix length, flags (L, A, R), valid, preferred, reserved, prefix.
        3 if olen == 32 => {
            n.children.push(u8_node("prefix_len", "prefix-len", 2));
            let fl = data.get(at + 3).copied().unwrap_or(0);
            let mut names = Vec::new();
            for (bit, nm) in [(0x80u8, "L"), (0x40, "A"), (0x20, "R")] {
                if fl & bit != 0 {
                    names.push(nm.to_string());
                }
            }
            n.children.push(Node::new(
                "flags",
                format!("{F}.prefix-flags"),
                Value::Flags {
                    value: u64::from(fl),
                    names,
                },
                at + 3,
                1,
            ));
            let mut v = u32_node("valid_lifetime", "valid-lifetime", 4);
            v.display = format!("{} s", be32(data, at + 4));
            n.children.push(v);
            let mut p = u32_node("preferred_lifetime", "preferred-lifetime", 8);
            p.display = format!("{} s", be32(data, at + 8));
            n.children.push(p);
            n.children.push(Node::new(
                "reserved",
                format!("{F}.reserved"),
                Value::None,
                at + 12,
                4,
            ));
            if let Some(a) = ipv6_at(data, at + 16) {
                n.children.push(Node::new(
                    "prefix",
                    format!("{F}.prefix"),
                    Value::Ipv6(a),
                    at + 16,
                    16,
                ));
            }
        }
        // Captive portal: a URI padded with NULs.
        37 => {
            let b = data.get(at + 2..at + olen).unwrap_or(&[]);
            let s =
                String::from_utf8_lossy(b.split(|c| *c == 0).next().unwrap_or(&[])).into_owned();
            n.children.push(Node::new(
                "uri",
                format!("{F}.uri"),
                Value::Str(s),
                at + 2,
                olen - 2,
            ));
        }
        // PREF64: scaled lifetime (13 bits) + PLC (3 bits), then 96 bits of the prefix.
        38 if olen == 16 => {
            let v = Endian::Big.u16(data, at + 2).unwrap_or(0);
            let mut lt = Node::new(
                "scaled_lifetime",
                format!("{F}.scaled-lifetime"),
                Value::Uint(u64::from(v >> 3)),
                at + 2,
                2,
            );
            lt.display = format!("{} ({} s)", v >> 3, u32::from(v >> 3) * 8);
            n.children.push(lt);
            n.children.push(Node::new(
                "plc",
                format!("{F}.plc"),
                Value::Uint(u64::from(v & 7)),
                at + 2,
                2,
            ));
            let mut a = [0u8; 16];
            if let Some(b) = data.get(at + 4..at + 16) {
                a[..12].copy_from_slice(b);
            }
            n.children.push(Node::new(
                "prefix",
                format!("{F}.prefix"),
                Value::Ipv6(a),
                at + 4,
                12,
            ));
        }
        _ => n.children.push(body(2)),
    }
    n
}

/// DNS names in wire format (RFC 1035 labels, no compression), comma-separated; stops at the
/// padding.
fn dns_names(b: &[u8]) -> String {
    let mut out = String::new();
    let mut i = 0;
    let mut name = String::new();
    while let Some(&l) = b.get(i) {
        i += 1;
        if l == 0 {
            if name.is_empty() {
                // padding after the last name
                if b.get(i..).is_none_or(|r| r.iter().all(|c| *c == 0)) {
                    break;
                }
                continue;
            }
            if !out.is_empty() {
                out.push_str(", ");
            }
            out.push_str(&name);
            name.clear();
            continue;
        }
        let Some(label) = b.get(i..i + usize::from(l)) else {
            break;
        };
        if !name.is_empty() {
            name.push('.');
        }
        name.push_str(&String::from_utf8_lossy(label));
        i += usize::from(l);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_names_in_wire_format() {
        assert_eq!(
            dns_names(b"\x07example\x03org\x00\x03foo\x00\x00\x00"),
            "example.org, foo"
        );
        assert_eq!(dns_names(b"\x00\x00\x00\x00"), "");
        // a label running past the end stops the walk without panicking
        assert_eq!(dns_names(b"\x03ab"), "");
    }

    #[test]
    fn nd_option_fields_are_listed() {
        // (type, bytes) of each option kind the decoder knows, and an unknown one
        let mut prefix = vec![3u8, 4, 64, 0xc0];
        prefix.resize(32, 0);
        let mut rdnss = vec![25u8, 3, 0, 0, 0, 0, 0, 60];
        rdnss.resize(24, 0);
        let mut dnssl = vec![31u8, 2, 0, 0, 0, 0, 0, 60];
        dnssl.extend(b"\x03foo\x00\x00\x00\x00");
        let mut portal = vec![37u8, 1];
        portal.extend(b"http:/");
        let mut pref64 = vec![38u8, 2, 0x02, 0x58];
        pref64.resize(16, 0);
        for d in [
            prefix,
            rdnss,
            dnssl,
            portal,
            pref64,
            vec![200, 1, 1, 2, 3, 4, 5, 6],
        ] {
            let n = nd_option(&d, 0, d[0], d.len());
            n.walk(&mut |c| {
                let ok = c.field == ND_OPTION
                    || c.field.strip_prefix(ND_OPTION).is_some_and(|rest| {
                        ND_OPTION_FIELDS.iter().any(|f| rest == format!(".{f}"))
                    });
                assert!(ok, "{} (option {}) not in ND_OPTION_FIELDS", c.field, d[0]);
            });
        }
    }

    #[test]
    fn nd_option_kinds() {
        // PREF64: scaled lifetime 75 (600 s), PLC 0, 64:ff9b::/96
        let mut d = vec![38u8, 2, 0x02, 0x58];
        d.extend([0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0]);
        let n = nd_option(&d, 0, 38, 16);
        assert_eq!(n.name, "ND_OPT_PREF64");
        let lt = n
            .children
            .iter()
            .find(|c| c.name == "scaled_lifetime")
            .unwrap();
        assert_eq!(lt.display, "75 (600 s)");
        let pfx = n.children.iter().find(|c| c.name == "prefix").unwrap();
        assert_eq!(pfx.display, "64:ff9b::");
        // an unknown option keeps its body as raw bytes
        let n = nd_option(&[200, 1, 1, 2, 3, 4, 5, 6], 0, 200, 8);
        assert!(n.children.iter().any(|c| c.raw && c.name == "data"));
    }
}
