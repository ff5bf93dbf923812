//! rt-nexthop: nexthops and nexthop buckets (RTM_*NEXTHOP, RTM_*NEXTHOPBUCKET), summarised
//! as `ip nexthop` prints them.

use super::key_attrs;
use std::fmt::Write as _;

use super::Family;
use super::text::{dump, push_dev, push_ip, push_rtproto};
use crate::dissect::MessageView;
use crate::model::Direction;
use crate::netlink::byte;

/// The rt-nexthop module.
pub struct Nexthop;

impl Family for Nexthop {
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        dump(v, out) || nexthop(v, out)
    }

    /// A nexthop: its id.
    fn object_key(&self, v: &MessageView, key: &mut Vec<u8>) -> bool {
        if v.index().direction != crate::model::Direction::FromKernel {
            return false;
        }
        key.extend_from_slice(&v.index().ty.to_le_bytes());
        key_attrs(v, &["id"], key);
        true
    }
}

/// struct nhmsg (8 bytes) and NHA_* (ip nexthop's print_nexthop); RTM_*NEXTHOPBUCKET too.
fn nexthop(v: &MessageView, out: &mut String) -> bool {
    let (p, e) = (v.payload_bytes(), v.index().endian);
    if p.len() < 8 {
        return false;
    }
    let Some(n) = v.named() else { return false };
    let (scope, proto) = (byte(p, 1), byte(p, 2));
    let bucket = (116..=118).contains(&v.index().ty);
    let mut any = false;
    if let Some(id) = n.u32("id") {
        let _ = write!(out, " id {id}");
        any = true;
    }
    if bucket {
        if let Some(b) = n.nest("res-bucket") {
            if let Some(i) = b.u16("index") {
                let _ = write!(out, " index {i}");
            }
            // idle time in clock_t; USER_HZ is 100 on Linux
            if let Some(t) = b.u64("idle-time") {
                let _ = write!(out, " idle_time {}.{:02}", t / 100, t % 100);
            }
            if let Some(id) = b.u32("nh-id") {
                let _ = write!(out, " nhid {id}");
            }
        }
        return true;
    }
    let (mut via, mut oif, mut resilient) = (None, None, false);
    for (name, b) in n.iter() {
        match name {
            // struct nexthop_grp { u32 id; u8 weight; u8 resvd1; u16 resvd2; }
            "group" => {
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
            // NEXTHOP_GRP_TYPE_RES (printed after the group, as ip does)
            "group-type" => resilient = e.u16(b, 0) == Some(1),
            "blackhole" => out.push_str(" blackhole"),
            // LWTUNNEL_ENCAP_*
            "encap-type" => {
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
            "gateway" => via = Some(b),
            "oif" => oif = e.u32(b, 0),
            "groups" => out.push_str(" groups"),
            "fdb" => out.push_str(" fdb"),
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
