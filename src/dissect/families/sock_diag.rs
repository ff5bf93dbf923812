//! sock_diag (NETLINK_SOCK_DIAG): one message type (SOCK_DIAG_BY_FAMILY, and SOCK_DESTROY)
//! whose request and reply structs depend on the socket family in their first byte
//! (net/core/sock_diag.c dispatches on sdiag_family); the spec describes each family's
//! structs and sets, this module picks them and writes `ss`-like summaries.

use std::fmt::Write as _;

use super::text::{dump, push_ip, until_nul};
use super::{Family, Finish, Layout, Payload};
use crate::dissect::MessageView;
use crate::dissect::attrs::Walker;
use crate::dissect::specs::SpecRegistry;
use crate::model::{Direction, Endian, Node, Value};
use crate::netlink::span;

/// The sock_diag module.
pub struct SockDiag;

const SOCK_DIAG_BY_FAMILY: u16 = 20;
const SOCK_DESTROY: u16 = 21;
const TCPDIAG_GETSOCK: u16 = 18;
const DCCPDIAG_GETSOCK: u16 = 19;

/// Per address family: (request struct, request set, reply struct, reply set).
const LAYOUTS: &[(u8, &str, &str, &str, &str)] = &[
    (1, "unix-diag-req", "", "unix-diag-msg", "unix-diag"),
    (
        2,
        "inet-diag-req-v2",
        "inet-diag-req",
        "inet-diag-msg",
        "inet-diag",
    ),
    (
        10,
        "inet-diag-req-v2",
        "inet-diag-req",
        "inet-diag-msg",
        "inet-diag",
    ),
    (
        16,
        "netlink-diag-req",
        "",
        "netlink-diag-msg",
        "netlink-diag",
    ),
    (17, "packet-diag-req", "", "packet-diag-msg", "packet-diag"),
    (40, "vsock-diag-req", "", "vsock-diag-msg", ""),
    (43, "smc-diag-req", "", "smc-diag-msg", "smc-diag"),
    (44, "xdp-diag-req", "", "xdp-diag-msg", "xdp-diag"),
];

impl Family for SockDiag {
    fn layout<'a>(&self, p: &Payload<'a>) -> Option<Layout<'a>> {
        let m = p.m;
        let family = *p.bytes().first()?;
        let request = m.direction == Direction::ToKernel;
        let pick = |st: &str, set: &str| {
            Some(Layout {
                spec: p.spec,
                header: Some(p.spec.structs.get(st)?),
                set: p.spec.sets.get(set),
            })
        };
        if m.ty != SOCK_DIAG_BY_FAMILY && m.ty != SOCK_DESTROY {
            return None;
        }
        // IPv6 raw sockets' requests name the raw protocol in the pad byte
        // (inet_diag_req_raw; the IPv4 layout leaves it unnamed).
        if request && family == 10 && p.bytes().get(1) == Some(&255) {
            return pick("inet-diag-req-raw", "inet-diag-req");
        }
        // TIPC's replies carry no struct (attributes right after the nlmsghdr,
        // net/tipc/diag.c), so their first byte is not a family: only requests name it.
        if family == 30 && request {
            return Some(Layout {
                spec: p.spec,
                header: p.spec.structs.get("tipc-sock-diag-req"),
                set: None,
            });
        }
        let &(_, rq, rqs, rp, rps) = LAYOUTS.iter().find(|l| l.0 == family)?;
        let (st, set) = if request { (rq, rqs) } else { (rp, rps) };
        pick(st, set)
    }

    fn fields(&self, specs: &SpecRegistry) -> Vec<String> {
        let mut out = specs.header_paths("sock-diag", "tipc-sock-diag-req", "sock-diag");
        for (_, rq, rqs, rp, rps) in LAYOUTS {
            out.extend(specs.header_paths("sock-diag", rq, "sock-diag"));
            out.extend(specs.header_paths("sock-diag", rp, "sock-diag"));
            for set in [rqs, rps] {
                out.extend(specs.set_paths("sock-diag", set, "sock-diag"));
            }
        }
        out.extend(specs.header_paths("sock-diag", "inet-diag-req-raw", "sock-diag"));
        // mptcp_info's and sctp_info's members under INET_DIAG_INFO (see `protocol_info`).
        for st in ["mptcp-info", "sctp-info"] {
            let from = format!("sock-diag.{st}");
            out.extend(
                specs
                    .header_paths("sock-diag", st, "sock-diag")
                    .iter()
                    .map(|f| f.replacen(&from, "sock-diag.info", 1)),
            );
        }
        out
    }

    /// An AF_INET socket's addresses are IPv4 in the first four of their sixteen bytes (the
    /// spec shows them as IPv6: the family is a field of the enclosing struct); a unix
    /// socket's abstract name starts with a NUL.
    fn finish_reads_values(&self) -> bool {
        true
    }

    fn finish(&self) -> Option<Finish> {
        Some(finish_tree)
    }

    /// `ss` words: `tcp ESTAB 127.0.0.1:41150 -> 127.0.0.1:8081 ino 1234`, `unix STREAM
    /// LISTEN /run/x.sock ino 5063`; requests name the family, protocol and states asked for.
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        let m = v.index();
        if m.ty != SOCK_DIAG_BY_FAMILY && m.ty != SOCK_DESTROY {
            return false;
        }
        let (p, e) = (v.payload_bytes(), m.endian);
        let family = p.first().copied().unwrap_or(0);
        if m.direction == Direction::ToKernel {
            if dump(v, out) {
                out.push(' ');
            } else {
                out.push_str(if m.ty == SOCK_DESTROY { " " } else { " get " });
            }
            out.push_str(family_name(family));
            if matches!(family, 2 | 10) && p.len() >= 8 {
                let _ = write!(out, " {}", proto_name(p.get(1).copied().unwrap_or(0)));
                states(out, e.u32(p, 4).unwrap_or(0));
            }
            return true;
        }
        match family {
            2 | 10 if p.len() >= 72 => {
                // struct inet_diag_msg: state 1, sockid at 4 (sport 4, dport 6 big-endian,
                // src 8, dst 24), rqueue 56, wqueue 60, inode 68; as `ss -tan` prints it.
                let state = p.get(1).copied().unwrap_or(0);
                let _ = write!(
                    out,
                    " {} {} {} ",
                    state_name(state),
                    e.u32(p, 56).unwrap_or(0),
                    e.u32(p, 60).unwrap_or(0)
                );
                let used = if family == 2 { 4 } else { 16 };
                endpoint(out, span(p, 8, used), Endian::Big.u16(p, 4).unwrap_or(0));
                out.push(' ');
                endpoint(out, span(p, 24, used), Endian::Big.u16(p, 6).unwrap_or(0));
                let _ = write!(out, " ino {}", e.u32(p, 68).unwrap_or(0));
                true
            }
            1 if p.len() >= 16 => {
                // struct unix_diag_msg: type 1, state 2, ino 4; as `ss -xa` prints it:
                // Netid State Recv-Q Send-Q Local Address:Port(ino) Peer Address:Port(ino).
                let ty = match p.get(1) {
                    Some(1) => "u_str",
                    Some(2) => "u_dgr",
                    Some(5) => "u_seq",
                    _ => "unix",
                };
                let named = v.named().map(|n| n.in_set("unix-diag").over(p, 16));
                let (rq, wq) = named.and_then(|n| n.get("rqlen")).map_or((0, 0), |r| {
                    (e.u32(r, 0).unwrap_or(0), e.u32(r, 4).unwrap_or(0))
                });
                let _ = write!(
                    out,
                    " {ty} {} {rq} {wq} ",
                    state_name(p.get(2).copied().unwrap_or(0))
                );
                match named.and_then(|n| n.get("name")) {
                    Some(name) => out.push_str(&unix_name(name)),
                    None => out.push('*'),
                }
                let peer = named.and_then(|n| n.u32("peer")).unwrap_or(0);
                let _ = write!(out, " {} * {peer}", e.u32(p, 4).unwrap_or(0));
                true
            }
            16 if p.len() >= 28 => {
                // struct netlink_diag_msg: protocol 2, state 3, portid 4, dst_portid 8,
                // dst_group 12, ino 16.
                let _ = write!(
                    out,
                    " nl {} port {} ino {}",
                    crate::netlink::protocol(u32::from(p.get(2).copied().unwrap_or(0)))
                        .map_or("?", |i| i.short),
                    e.u32(p, 4).unwrap_or(0),
                    e.u32(p, 16).unwrap_or(0)
                );
                true
            }
            17 if p.len() >= 16 => {
                // struct packet_diag_msg: type 1, num 2 (the protocol, host order: packet_diag.c
                // writes ntohs(po->num)), ino 4.
                let _ = write!(
                    out,
                    " p_{} proto {:#06x} ino {}",
                    if p.get(1) == Some(&2) { "dgr" } else { "raw" },
                    e.u16(p, 2).unwrap_or(0),
                    e.u32(p, 4).unwrap_or(0)
                );
                true
            }
            _ => false,
        }
    }
}

/// [`Family::finish`].
fn finish_tree(p: &Payload<'_>, nodes: &mut [Node]) {
    if p.bytes().first() == Some(&1) && p.m.direction != Direction::ToKernel {
        // UNIX_DIAG_NAME: an abstract name starts with a NUL (ss shows it as @name).
        for n in nodes.iter_mut().filter(|n| n.field == "sock-diag.name") {
            if let Some(b @ [0, ..]) = p.data.get(n.offset + 4..n.offset + n.length) {
                n.value = Value::Str(unix_name(b));
                n.display = n.value.display();
            }
        }
        return;
    }
    let inet = matches!(
        p.m.ty,
        TCPDIAG_GETSOCK | DCCPDIAG_GETSOCK | SOCK_DIAG_BY_FAMILY | SOCK_DESTROY
    );
    let family = p.bytes().first().copied();
    if !inet || !matches!(family, Some(2 | 10)) {
        return;
    }
    if p.m.direction != Direction::ToKernel {
        protocol_info(p, nodes);
    }
    if family != Some(2) {
        return;
    }
    for n in nodes.iter_mut().take(1) {
        n.walk_mut(&mut |c| {
            if (c.field.ends_with(".id.idiag-src") || c.field.ends_with(".id.idiag-dst"))
                && let Value::Ipv6(a) = c.value
                && let Ok(v4) = <[u8; 4]>::try_from(a.get(..4).unwrap_or_default())
            {
                c.value = Value::Ipv4(v4);
                c.display = c.value.display();
            }
        });
    }
}

/// A unix socket's name as `ss` shows it: a path, or an abstract name (its leading NUL) as
/// `@name`; either up to the next NUL.
fn unix_name(b: &[u8]) -> String {
    match b.split_first() {
        Some((0, rest)) => format!("@{}", until_nul(rest)),
        _ => until_nul(b).into_owned(),
    }
}

/// INET_DIAG_INFO of an MPTCP socket is a struct mptcp_info, which the reply cannot name (the
/// request said IPPROTO_MPTCP): told by its length, as struct tcp_info has never been shorter
/// than 104 bytes (tcpi_total_retrans ends there since Linux 2.6) and mptcp_info is.
/// An SCTP association's is a struct sctp_info: only sctp_diag sends INET_DIAG_LOCALS and
/// INET_DIAG_PEERS (net/sctp/diag.c), which tell it.
fn protocol_info(p: &Payload<'_>, nodes: &mut [Node]) {
    let sctp = nodes
        .iter()
        .any(|n| n.field == "sock-diag.locals" || n.field == "sock-diag.peers");
    for n in nodes.iter_mut().filter(|n| n.field == "sock-diag.info") {
        let len = n.length.saturating_sub(4);
        let name = match (sctp, len < 104) {
            (true, _) => "sctp-info",
            (false, true) => "mptcp-info",
            (false, false) => continue,
        };
        let Some(st) = p.spec.structs.get(name) else {
            continue;
        };
        let w = Walker {
            data: p.data,
            endian: p.m.endian,
            spec: Some(p.spec),
            overrides: Vec::new(),
            op: None,
            want: None,
            prune: None,
        };
        let (kids, _) = w.struct_members(st, n.offset + 4, len, "sock-diag.info", p.m.endian, 0);
        n.children = kids;
        n.display = name.into();
    }
}

/// `127.0.0.1:8080`, `[::1]:22`, `0.0.0.0:*` (port 0 is `*`), as `ss -n` prints them.
fn endpoint(out: &mut String, a: &[u8], port: u16) {
    if a.len() == 16 {
        out.push('[');
        push_ip(out, a);
        out.push(']');
    } else if !push_ip(out, a) {
        out.push('*');
    }
    if port == 0 {
        out.push_str(":*");
    } else {
        let _ = write!(out, ":{port}");
    }
}

/// Address families sock_diag serves.
fn family_name(f: u8) -> &'static str {
    match f {
        1 => "unix",
        2 => "inet",
        10 => "inet6",
        16 => "netlink",
        17 => "packet",
        30 => "tipc",
        40 => "vsock",
        43 => "smc",
        44 => "xdp",
        _ => "?",
    }
}

/// IP protocols as `ss` names its socket tables.
fn proto_name(p: u8) -> String {
    match p {
        6 => "tcp".into(),
        17 => "udp".into(),
        33 => "dccp".into(),
        132 => "sctp".into(),
        136 => "udplite".into(),
        255 => "raw".into(),
        p => format!("proto {p}"),
    }
}

/// TCP states as `ss` prints them (include/net/tcp_states.h).
fn state_name(s: u8) -> &'static str {
    match s {
        1 => "ESTAB",
        2 => "SYN-SENT",
        3 => "SYN-RECV",
        4 => "FIN-WAIT-1",
        5 => "FIN-WAIT-2",
        6 => "TIME-WAIT",
        7 => "UNCONN",
        8 => "CLOSE-WAIT",
        9 => "LAST-ACK",
        10 => "LISTEN",
        11 => "CLOSING",
        12 => "NEW-SYN-RECV",
        13 => "BOUND-INACTIVE",
        _ => "?",
    }
}

/// ` states ESTAB,LISTEN` from a request's bit mask (`all` when every state is asked for).
fn states(out: &mut String, mask: u32) {
    // ss asks for (1 << 12) - 1 when it means every state (bit 0 is no state).
    if mask & 0xffe == 0xffe {
        out.push_str(" states all");
        return;
    }
    let names: Vec<&str> = (1..=13)
        .filter(|s| mask & (1 << s) != 0)
        .map(|s| state_name(s as u8))
        .collect();
    if !names.is_empty() {
        let _ = write!(out, " states {}", names.join(","));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_never_panic_and_read_like_ss() {
        let mut s = String::new();
        endpoint(&mut s, &[127, 0, 0, 1], 8080);
        s.push(' ');
        endpoint(&mut s, &[0; 4], 0);
        s.push(' ');
        endpoint(&mut s, &[], 1);
        assert_eq!(s, "127.0.0.1:8080 0.0.0.0:* *:1");
        let mut s = String::new();
        states(&mut s, 1 << 10);
        states(&mut s, u32::MAX);
        assert_eq!(s, " states LISTEN states all");
        assert_eq!(family_name(99), "?");
        assert_eq!(proto_name(1), "proto 1");
    }
}
