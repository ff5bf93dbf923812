//! The kernel's interfaces at the start of a live capture: an RTM_GETLINK dump (the request
//! built with netlink-packet-route) whose index -> name pairs the capture records as
//! `link-names:` section comments, so that messages naming a link only by index (routes,
//! IPv6 addresses, neighbours, tc) read with its name from the first message on.
//!
//! The dump runs on the calling thread, so in the network namespace being captured. An nlmon
//! capture takes it before opening its packet socket: its own request and replies are not
//! captured frames.

use std::collections::BTreeMap;
use std::io;

use netlink_packet_core::{NetlinkHeader, NetlinkMessage, NetlinkPayload};
use netlink_packet_route::RouteNetlinkMessage;
use netlink_packet_route::link::{LinkAttribute, LinkExtentMask, LinkMessage};

use crate::capture::nlsock::NlSocket;
use crate::model::Endian;
use crate::netlink::{Attrs, NETLINK_ROUTE, NLM_F_DUMP, NLM_F_REQUEST};

/// `RTM_NEWLINK`.
const RTM_NEWLINK: u16 = 16;
/// `sizeof(struct ifinfomsg)`.
const IFINFOMSG_LEN: usize = 16;
/// `IFLA_IFNAME`.
const IFLA_IFNAME: u16 = 3;

/// The RTM_GETLINK dump request (`ip link show` without statistics: IFLA_EXT_MASK
/// RTEXT_FILTER_SKIP_STATS keeps the replies small).
pub(crate) fn getlink_dump_request(seq: u32) -> Vec<u8> {
    let mut header = NetlinkHeader::default();
    header.flags = NLM_F_REQUEST | NLM_F_DUMP;
    header.sequence_number = seq;
    let mut link = LinkMessage::default();
    link.attributes = vec![LinkAttribute::ExtMask(vec![LinkExtentMask::SkipStats])];
    let mut m = NetlinkMessage::new(
        header,
        NetlinkPayload::from(RouteNetlinkMessage::GetLink(link)),
    );
    // Sets nlmsg_len and nlmsg_type from the payload, so the buffer below is the right size.
    m.finalize();
    let mut buf = vec![0u8; m.buffer_len()];
    m.serialize(&mut buf);
    buf
}

/// The index and name an RTM_NEWLINK payload (ifinfomsg + attributes) carries, if both are
/// there and the name is UTF-8.
fn parse_link(payload: &[u8], e: Endian) -> Option<(i32, String)> {
    let idx = e.u32(payload, 4)?;
    let idx = i32::try_from(idx).ok().filter(|i| *i > 0)?;
    let name = Attrs::from(payload, IFINFOMSG_LEN, e)
        .find(IFLA_IFNAME)
        .and_then(|b| {
            let b = b.split(|c| *c == 0).next().unwrap_or(&[]);
            std::str::from_utf8(b).ok().map(str::to_string)
        })?;
    (!name.is_empty()).then_some((idx, name))
}

/// The calling thread's network namespace's interfaces, index -> name.
pub(crate) fn link_dump() -> io::Result<BTreeMap<i32, String>> {
    let sock = NlSocket::for_requests(NETLINK_ROUTE)?;
    sock.bind(0)?;
    let e = Endian::native();
    let mut links = BTreeMap::new();
    sock.dump(&getlink_dump_request(1), 1, |m| {
        if m.ty == RTM_NEWLINK
            && let Some((i, n)) = parse_link(m.payload, e)
        {
            links.insert(i, n);
        }
    })?;
    Ok(links)
}

/// The section comments recording this namespace's interfaces (none when they cannot be
/// read: the capture then names links from its own RTM_NEWLINK messages only, as before).
pub(crate) fn link_names_of_host() -> Vec<String> {
    let links = link_dump().unwrap_or_default();
    crate::dissect::link_names_comments(links.iter().map(|(i, n)| (*i, n.as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netlink::{Messages, MsgBuilder};

    #[test]
    fn the_dump_request_is_an_ifinfomsg_getlink_dump_skipping_stats() {
        let r = getlink_dump_request(7);
        let m: Vec<_> = Messages::native(&r).collect();
        assert_eq!(m.len(), 1);
        // RTM_GETLINK, REQUEST|DUMP, ifinfomsg of zeros, IFLA_EXT_MASK (29) = 1 << 3.
        assert_eq!((m[0].ty, m[0].flags, m[0].seq), (18, 0x301, 7));
        let mut want = vec![0u8; 16];
        want.extend(8u16.to_ne_bytes());
        want.extend(29u16.to_ne_bytes());
        want.extend(8u32.to_ne_bytes());
        assert_eq!(m[0].payload, &want[..]);
    }

    #[test]
    fn link_replies_give_index_and_name_and_junk_gives_nothing() {
        let mut b = MsgBuilder::new(RTM_NEWLINK, 0, 1, 0);
        let mut ifi = [0u8; 16];
        ifi[4..8].copy_from_slice(&7i32.to_ne_bytes());
        b.push(&ifi).attr_u32(4, 1500).attr_str(IFLA_IFNAME, "v77b");
        let msg = b.finish();
        let m: Vec<_> = Messages::native(&msg).collect();
        let e = Endian::native();
        assert_eq!(parse_link(m[0].payload, e), Some((7, "v77b".to_string())));
        for cut in 0..m[0].payload.len() {
            let _ = parse_link(&m[0].payload[..cut], e);
        }
        // No name, index 0: nothing.
        assert_eq!(parse_link(&ifi, e), None);
        assert_eq!(parse_link(&[0u8; 16], e), None);
    }

    #[test]
    fn comments_round_trip_through_the_dissector_in_chunks() {
        let names: Vec<(i32, String)> = (1..=4500).map(|i| (i, format!("veth{i}"))).collect();
        let c = crate::dissect::link_names_comments(names.iter().map(|(i, n)| (*i, n.as_str())));
        assert_eq!(c.len(), 3);
        assert!(
            c.iter()
                .all(|l| l.len() < 65_535 && l.starts_with("link-names: "))
        );
        let mut d =
            crate::dissect::Dissector::new(crate::dissect::specs::SpecRegistry::with_embedded());
        for l in &c {
            d.learn_from_comment(l);
        }
        assert_eq!(d.link_name(1), Some("veth1"));
        assert_eq!(d.link_name(4500), Some("veth4500"));
        assert_eq!(d.links_comments(), c);
    }
}
