//! What holds for every rtnetlink family: the legacy `rtgenmsg` dump request header.

use super::Payload;
use crate::dissect::specs::StructDef;
use crate::model::{Direction, Node, Severity, Value};
use crate::netlink::NETLINK_ROUTE;

/// Dump requests shorter than the family's fixed header: rtnetlink accepts the 1-byte
/// `struct rtgenmsg` (padded to 4) that older tools send for RTM_GET* dumps
/// (rtnl_dump_all / the per-family dumpit handlers only read the family byte).
pub fn short_dump_header(p: &Payload<'_>, hdr: Option<&StructDef>) -> Option<Node> {
    let hdr = hdr?;
    let (m, start) = (p.m, p.start);
    let len = p.end.saturating_sub(start);
    if m.protocol != NETLINK_ROUTE || len >= hdr.size || len == 0 || len > 4 {
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
    let fam = p.data.get(start).copied().unwrap_or(0);
    n.children.push(Node::new(
        "rtgen_family",
        "rtgenmsg.family",
        Value::Uint(u64::from(fam)),
        start,
        1,
    ));
    Some(n)
}

/// Filter fields of the `rtgenmsg` node.
pub fn fields() -> Vec<String> {
    vec!["rtgenmsg".into(), "rtgenmsg.family".into()]
}
