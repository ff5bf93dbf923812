//! Code hooks for what the YNL format cannot say. Each hook is small and names the kernel
//! behaviour it follows.

use super::MsgIndex;
use super::specs::{Spec, StructDef};
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
