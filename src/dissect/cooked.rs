//! Link-layer headers that carry netlink: LINKTYPE_NETLINK (253), LINUX_SLL (113), LINUX_SLL2 (276).

use crate::model::{Node, Value};

/// `ARPHRD_NETLINK` (linux/if_arp.h).
pub const ARPHRD_NETLINK: u16 = 824;
/// LINKTYPE_NETLINK.
pub const LINKTYPE_NETLINK: u32 = 253;
/// LINKTYPE_LINUX_SLL.
pub const LINKTYPE_LINUX_SLL: u32 = 113;
/// LINKTYPE_LINUX_SLL2.
pub const LINKTYPE_LINUX_SLL2: u32 = 276;

/// The decoded cooked header of a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cooked {
    /// Link type of the frame.
    pub linktype: u32,
    /// Length of the cooked header; netlink messages start here.
    pub header_len: usize,
    /// Packet type (`PACKET_OUTGOING` = 4 for both directions on nlmon).
    pub pkttype: u16,
    /// ARPHRD type (824 for netlink).
    pub hatype: u16,
    /// Netlink protocol number.
    pub protocol: u32,
}

/// Parse the cooked header. Errors say why the frame is not netlink.
pub fn parse(linktype: u32, d: &[u8]) -> Result<Cooked, String> {
    let be16 = |o: usize| {
        d.get(o..o + 2)
            .and_then(|b| <[u8; 2]>::try_from(b).ok())
            .map(u16::from_be_bytes)
    };
    match linktype {
        LINKTYPE_NETLINK | LINKTYPE_LINUX_SLL => {
            let (Some(pkttype), Some(hatype), Some(proto)) = (be16(0), be16(2), be16(14)) else {
                return Err(format!(
                    "frame of {} bytes is shorter than the 16-byte cooked header",
                    d.len()
                ));
            };
            if hatype != ARPHRD_NETLINK {
                return Err(format!(
                    "not a netlink frame (ARPHRD {hatype}, netlink is {ARPHRD_NETLINK})"
                ));
            }
            Ok(Cooked {
                linktype,
                header_len: 16,
                pkttype,
                hatype,
                protocol: u32::from(proto),
            })
        }
        LINKTYPE_LINUX_SLL2 => {
            let (Some(proto), Some(hatype)) = (be16(0), be16(8)) else {
                return Err(format!(
                    "frame of {} bytes is shorter than the 20-byte SLL2 header",
                    d.len()
                ));
            };
            let Some(&pkttype) = d.get(10).filter(|_| d.len() >= 20) else {
                return Err("frame is shorter than the 20-byte SLL2 header".into());
            };
            if hatype != ARPHRD_NETLINK {
                return Err(format!(
                    "not a netlink frame (ARPHRD {hatype}, netlink is {ARPHRD_NETLINK})"
                ));
            }
            Ok(Cooked {
                linktype,
                header_len: 20,
                pkttype: u16::from(pkttype),
                hatype,
                protocol: u32::from(proto),
            })
        }
        other => Err(format!(
            "link type {other} does not carry netlink (253 NETLINK, 113 LINUX_SLL, 276 LINUX_SLL2 do)"
        )),
    }
}

fn pkttype_name(t: u16) -> &'static str {
    match t {
        0 => "PACKET_HOST",
        1 => "PACKET_BROADCAST",
        2 => "PACKET_MULTICAST",
        3 => "PACKET_OTHERHOST",
        4 => "PACKET_OUTGOING",
        _ => "",
    }
}

/// Tree node for the cooked header.
pub fn node(c: &Cooked, d: &[u8]) -> Node {
    let title = match c.linktype {
        LINKTYPE_NETLINK => "Linux netlink (cooked header)",
        LINKTYPE_LINUX_SLL => "Linux cooked capture v1",
        _ => "Linux cooked capture v2",
    };
    let mut n = Node::new(title, "sll", Value::None, 0, c.header_len.min(d.len()));
    // `parse` checked the length; a shorter `d` reads as zeros rather than panicking.
    let be = |o: usize, len: usize| {
        d.get(o..o + len)
            .map_or(0, |b| b.iter().fold(0u64, |a, &x| a << 8 | u64::from(x)))
    };
    let bytes = |o: usize, len: usize| d.get(o..o + len).map(<[u8]>::to_vec).unwrap_or_default();
    let pk = Value::Enum {
        value: i64::from(c.pkttype),
        name: pkttype_name(c.pkttype).into(),
    };
    let proto_name = match crate::netlink::protocol(c.protocol) {
        Some(p) if p.obsolete => format!("{} (obsolete)", p.cname),
        Some(p) => p.cname.to_string(),
        None => String::new(),
    };
    let proto = Value::Enum {
        value: i64::from(c.protocol),
        name: proto_name,
    };
    let hat = Value::Enum {
        value: i64::from(c.hatype),
        name: "ARPHRD_NETLINK".into(),
    };
    if c.linktype == LINKTYPE_LINUX_SLL2 {
        n.children = vec![
            Node::new("protocol", "sll.protocol", proto, 0, 2),
            Node::new("ifindex", "sll.ifindex", Value::Uint(be(4, 4)), 4, 4),
            Node::new("hatype", "sll.hatype", hat, 8, 2),
            Node::new("pkttype", "sll.pkttype", pk, 10, 1),
            Node::new("halen", "sll.halen", Value::Uint(be(11, 1)), 11, 1),
            Node::new("address", "sll.address", Value::Bytes(bytes(12, 8)), 12, 8),
        ];
    } else {
        n.children = vec![
            Node::new("pkttype", "sll.pkttype", pk, 0, 2),
            Node::new("hatype", "sll.hatype", hat, 2, 2),
            Node::new("halen", "sll.halen", Value::Uint(be(4, 2)), 4, 2),
            Node::new("address", "sll.address", Value::Bytes(bytes(6, 8)), 6, 8),
            Node::new("protocol", "sll.protocol", proto, 14, 2),
        ];
    }
    n
}
