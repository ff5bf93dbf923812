//! rt-route: routes (RTM_*ROUTE), MPLS routes included.

use super::{key_attrs, key_header};
use std::fmt::Write as _;

use super::text::{Memo, dump, ip_text, push_dev, push_enum, push_ip};
use super::{Family, Payload, sub_message_set};
use crate::dissect::MessageView;
use crate::model::{Direction, Endian};
use crate::netlink::byte;

/// `AF_MPLS` (linux/socket.h).
const AF_MPLS: u8 = 28;

/// The route attributes the summary reads.
const ROUTE_ATTRS: [&str; 11] = [
    "dst",
    "gateway",
    "oif",
    "table",
    "prefsrc",
    "priority",
    "newdst",
    "via",
    "nh-id",
    "encap-type",
    "multipath",
];
/// The enums it names values with.
const ROUTE_ENUMS: [&str; 4] = ["rtm-type", "rt-table", "rt-protocol", "rt-scope"];

/// The rt-route module.
pub struct Route;

impl Family for Route {
    /// RTA_ENCAP by RTA_ENCAP_TYPE wherever that comes: iproute2 and the kernel
    /// (lwtunnel_fill_encap) put RTA_ENCAP first, so the selector follows the attribute it
    /// selects.
    fn overrides(&self, p: &Payload<'_>) -> Vec<(String, String)> {
        encap(p).into_iter().collect()
    }

    fn override_paths(&self) -> &'static [&'static str] {
        &["rt-route.encap"]
    }

    /// `ip route`'s line. Struct rtmsg is the uapi's.
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        let m = v.index();
        let (p, e) = (v.payload_bytes(), m.endian);
        if p.len() < 12 {
            return false;
        }
        if dump(v, out) {
            return true;
        }
        let Some(memo) = Memo::of(v, ROUTE_ATTRS, ROUTE_ENUMS) else {
            return false;
        };
        let [dst, gateway, oif, table, prefsrc, priority, newdst, via, ..] = memo.attrs(v);
        let request = m.direction == Direction::ToKernel;
        let mut ib = itoa::Buffer::new();
        let dst_len = byte(p, 1);
        let table = table
            .and_then(|b| e.u32(b, 0))
            .map_or(i64::from(byte(p, 4)), i64::from);
        let (proto, scope, rtype) = (byte(p, 5), byte(p, 6), byte(p, 7));
        // AF_MPLS routes (ip -f mpls route: `100 as to 200 via inet 192.0.2.254 dev veth0`):
        // RTA_DST is a label stack, not an address.
        if byte(p, 0) == AF_MPLS {
            if let Some(d) = dst {
                out.push(' ');
                push_labels(out, d);
            }
            if let Some(d) = newdst {
                out.push_str(" as to ");
                push_labels(out, d);
            }
            if let Some(via) = via {
                push_via(out, via, e);
            }
            if let Some(oif) = oif.and_then(|b| e.u32(b, 0)) {
                out.push_str(" dev ");
                push_dev(v, out, oif as i32);
            }
            return true;
        }
        match dst.and_then(ip_text) {
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
            push_enum(out, memo.enum_def(0), "RTN_", i64::from(rtype), true);
        }
        if let Some(g) = gateway.and_then(ip_text) {
            out.push_str(" via ");
            out.push_str(&g);
        }
        if let Some(oif) = oif.and_then(|b| e.u32(b, 0)) {
            out.push_str(" dev ");
            push_dev(v, out, oif as i32);
        }
        out.push_str(" table ");
        push_enum(out, memo.enum_def(1), "RT_TABLE_", table, true);
        if proto != 0 {
            out.push_str(" proto ");
            push_enum(out, memo.enum_def(2), "RTPROT_", i64::from(proto), true);
        }
        if scope != 0 && !(request && scope == 255) {
            out.push_str(" scope ");
            push_enum(out, memo.enum_def(3), "RT_SCOPE_", i64::from(scope), true);
        }
        if let Some(src) = prefsrc.and_then(ip_text) {
            out.push_str(" src ");
            out.push_str(&src);
        }
        if let Some(pr) = priority.and_then(|b| e.u32(b, 0)) {
            out.push_str(" metric ");
            out.push_str(ib.format(pr));
        }
        extras(v, out, memo, p);
        true
    }

    /// A route, as the kernel tells routes apart: family, destination length, tos, table
    /// (struct rtmsg and RTA_TABLE), destination, priority (the metric) and output device
    /// (two interfaces' connected routes share the rest).
    fn object_key(&self, v: &MessageView, key: &mut Vec<u8>) -> bool {
        if v.index().direction != crate::model::Direction::FromKernel {
            return false;
        }
        key_header(v, 0..2, key);
        key_header(v, 3..5, key);
        key_attrs(v, &["table", "dst", "priority", "oif"], key);
        true
    }
}

/// The sub-message format of RTA_ENCAP, named by RTA_ENCAP_TYPE.
fn encap(p: &Payload<'_>) -> Option<(String, String)> {
    let ty = p.named("route-attrs", 12).u16("encap-type")?;
    let cname = p
        .spec
        .enums
        .get("lwtunnel-encap-types")?
        .name_of(i64::from(ty))?;
    let value = cname
        .strip_prefix("LWTUNNEL_ENCAP_")?
        .to_ascii_lowercase()
        .replace('_', "-");
    let set = sub_message_set(p.spec, "route-encap-msg", &value)?;
    Some(("rt-route.encap".into(), set.to_string()))
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
/// RTA_MULTIPATH nexthops (struct rtnexthop: len u16, flags u8, hops u8, ifindex s32, then
/// route attributes).
fn extras(v: &MessageView, out: &mut String, memo: &Memo<11, 4>, p: &[u8]) {
    let e = v.index().endian;
    for (name, b) in memo.iter(p, 12, e) {
        match name {
            "nh-id" => {
                if let Some(id) = e.u32(b, 0) {
                    let _ = write!(out, " nhid {id}");
                }
            }
            "encap-type" => {
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
            "via" => push_via(out, b, e),
            "multipath" => {
                let mut at = 0;
                let mut count = 0;
                while let Some(len) = e.u16(b, at).map(usize::from) {
                    if len < 8 || at + len > b.len() {
                        break;
                    }
                    count += 1;
                    if count > 8 {
                        out.push_str(" ...");
                        break;
                    }
                    out.push_str(" nexthop");
                    let nh = b.get(at..at + len).unwrap_or(&[]);
                    let inner = || memo.iter(nh, 8, e);
                    if let Some((_, g)) = inner().find(|(n, _)| *n == "gateway") {
                        out.push_str(" via ");
                        push_ip(out, g);
                    }
                    if let Some((_, via)) = inner().find(|(n, _)| *n == "via") {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
