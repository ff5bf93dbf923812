//! The rtnetlink requests behind `--create-nlmon`: create the nlmon link, bring it up, delete it
//! again. The messages are netlink-packet-route's typed ones; they go out through
//! [`NlSocket::request`], which waits for the kernel's [`Ack`].

use std::io;

use netlink_packet_core::{NetlinkHeader, NetlinkMessage, NetlinkPayload};
use netlink_packet_route::RouteNetlinkMessage;
use netlink_packet_route::link::{InfoKind, LinkAttribute, LinkFlags, LinkInfo, LinkMessage};

use super::{SETCAP_HINT, ifindex_of, os_error, realtime_ns};
use crate::capture::nlsock::NlSocket;
use crate::netlink::{
    Ack, NETLINK_ROUTE, NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REQUEST, describe_errno,
};

/// `msg` with `flags` and sequence number `seq`, serialised (the kernel fills in the port id).
fn serialize(msg: RouteNetlinkMessage, flags: u16, seq: u32) -> Vec<u8> {
    let mut header = NetlinkHeader::default();
    header.flags = flags;
    header.sequence_number = seq;
    let mut m = NetlinkMessage::new(header, NetlinkPayload::from(msg));
    // Sets nlmsg_len and nlmsg_type from the payload, so the buffer below is the right size.
    m.finalize();
    let mut buf = vec![0u8; m.buffer_len()];
    m.serialize(&mut buf);
    buf
}

/// A link message for interface `index` (0: none) with IFF_UP in flags and change mask when `up`.
fn link(index: u32, up: bool, attributes: Vec<LinkAttribute>) -> LinkMessage {
    let mut l = LinkMessage::default();
    l.header.index = index;
    if up {
        l.header.flags = LinkFlags::Up;
        l.header.change_mask = LinkFlags::Up;
    }
    l.attributes = attributes;
    l
}

/// RTM_NEWLINK (create, exclusive, ack): IFLA_IFNAME `name`, IFLA_LINKINFO { KIND "nlmon" },
/// as `ip link add NAME type nlmon` sends it.
pub fn newlink_request(seq: u32, name: &str) -> Vec<u8> {
    let attrs = vec![
        LinkAttribute::IfName(name.to_string()),
        LinkAttribute::LinkInfo(vec![LinkInfo::Kind(InfoKind::Nlmon)]),
    ];
    serialize(
        RouteNetlinkMessage::NewLink(link(0, false, attrs)),
        NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
        seq,
    )
}

/// RTM_NEWLINK setting IFF_UP on `index` (like `ip link set NAME up`).
pub fn up_request(seq: u32, index: u32) -> Vec<u8> {
    serialize(
        RouteNetlinkMessage::NewLink(link(index, true, Vec::new())),
        NLM_F_REQUEST | NLM_F_ACK,
        seq,
    )
}

/// RTM_DELLINK of `index`.
pub fn dellink_request(seq: u32, index: u32) -> Vec<u8> {
    serialize(
        RouteNetlinkMessage::DelLink(link(index, false, Vec::new())),
        NLM_F_REQUEST | NLM_F_ACK,
        seq,
    )
}

/// A NETLINK_ROUTE socket for a few requests, with its sequence numbers.
struct Rtnl {
    sock: NlSocket,
    seq: u32,
}

impl Rtnl {
    fn open() -> io::Result<Rtnl> {
        Ok(Rtnl {
            sock: NlSocket::for_requests(NETLINK_ROUTE)?,
            seq: realtime_ns() as u32,
        })
    }

    /// Send the request `build` makes for the next sequence number; the kernel's answer.
    fn request(&mut self, build: impl FnOnce(u32) -> Vec<u8>) -> io::Result<Ack> {
        self.seq = self.seq.wrapping_add(1);
        self.sock.request(&build(self.seq), self.seq)
    }
}

/// An interface this process created; deleted (RTM_DELLINK) when dropped.
#[derive(Debug)]
pub struct CreatedLink {
    name: String,
    ifindex: u32,
}

impl Drop for CreatedLink {
    fn drop(&mut self) {
        let res = Rtnl::open().and_then(|mut r| r.request(|s| dellink_request(s, self.ifindex)));
        let problem = match res {
            Ok(a) if a.is_ok() => return,
            // Already gone (someone deleted it): nothing left to clean up.
            Ok(a) if a.errno() == Some(libc::ENODEV) => return,
            Ok(a) => refusal(&a),
            Err(e) => e.to_string(),
        };
        eprintln!(
            "nlscope: could not delete {} ({problem}); remove it with `ip link del {}`",
            self.name, self.name
        );
    }
}

/// A refused request as users read it: `ENAME (description): extack message`.
fn refusal(a: &Ack) -> String {
    with_extack(describe_errno(a.errno().unwrap_or(0)), a.message.as_deref())
}

fn with_extack(s: String, m: Option<&str>) -> String {
    match m {
        Some(m) if !m.is_empty() => format!("{s}: {m}"),
        _ => s,
    }
}

/// What a refused RTM_NEWLINK for an nlmon link means, as an error for the user.
pub fn create_error(name: &str, errno: i32, extack: Option<&str>) -> io::Error {
    let what = with_extack(describe_errno(errno), extack);
    match errno {
        libc::EOPNOTSUPP | libc::ENOENT | libc::EPROTONOSUPPORT | libc::EAFNOSUPPORT => {
            io::Error::new(
                io::ErrorKind::Unsupported,
                format!(
                    "creating {name}: {what}: this kernel lacks nlmon (it needs CONFIG_NLMON=y or =m; try `modprobe nlmon`); without it, capture with --monitor instead"
                ),
            )
        }
        libc::EPERM | libc::EACCES => io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "creating {name}: {what}: --create-nlmon needs CAP_NET_ADMIN (and capturing CAP_NET_RAW): run as root, or grant both once with `{SETCAP_HINT}`"
            ),
        ),
        libc::EEXIST => io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "creating {name}: {what}: an interface with that name exists; capture on it with `-i {name}` (without --create-nlmon), or pick another name"
            ),
        ),
        _ => io::Error::other(format!("creating {name}: {what}")),
    }
}

/// Create the nlmon interface `name` and bring it up.
pub fn create_nlmon(name: &str) -> io::Result<CreatedLink> {
    let mut r = Rtnl::open().map_err(|e| match e.raw_os_error() {
        Some(n) => create_error(name, n, None),
        None => e,
    })?;
    let ack = r
        .request(|s| newlink_request(s, name))
        .map_err(|e| os_error(&format!("creating {name}"), &e))?;
    if let Some(e) = ack.errno() {
        return Err(create_error(name, e, ack.message.as_deref()));
    }
    let ifindex = ifindex_of(name).map_err(|_| {
        io::Error::other(format!(
            "created {name}, but it has no interface index (removed meanwhile?)"
        ))
    })?;
    let link = CreatedLink {
        name: name.to_string(),
        // if_nametoindex gave a positive index.
        ifindex: ifindex.unsigned_abs(),
    };
    let ack = r
        .request(|s| up_request(s, link.ifindex))
        .map_err(|e| os_error(&format!("bringing {name} up"), &e))?;
    if ack.is_ok() {
        Ok(link)
    } else {
        // `link` is dropped here: the half-made interface goes away again.
        Err(io::Error::other(format!(
            "bringing {name} up: {}",
            refusal(&ack)
        )))
    }
}
