//! sock_diag (NETLINK_SOCK_DIAG): one message type (SOCK_DIAG_BY_FAMILY, and SOCK_DESTROY)
//! whose request and reply structs depend on the socket family in their first byte
//! (net/core/sock_diag.c dispatches on sdiag_family); the spec describes each family's
//! structs and sets, this module picks them and writes `ss`-like summaries.

use std::fmt::Write as _;

use super::text::{dump, push_ip};
use super::{Family, Layout, Payload};
use crate::dissect::MessageView;
use crate::model::{Direction, Endian};
use crate::netlink::span;

/// The sock_diag module.
pub struct SockDiag;

const SOCK_DIAG_BY_FAMILY: u16 = 20;
const SOCK_DESTROY: u16 = 21;

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
        if m.ty != SOCK_DIAG_BY_FAMILY && m.ty != SOCK_DESTROY {
            return None;
        }
        let family = *p.bytes().first()?;
        let request = m.direction == Direction::ToKernel;
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
        Some(Layout {
            spec: p.spec,
            header: Some(p.spec.structs.get(st)?),
            set: p.spec.sets.get(set),
        })
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
                // src 8, dst 24), uid 64, inode 68.
                let state = p.get(1).copied().unwrap_or(0);
                let _ = write!(out, " {}", state_name(state));
                let used = if family == 2 { 4 } else { 16 };
                out.push(' ');
                endpoint(out, span(p, 8, used), Endian::Big.u16(p, 4).unwrap_or(0));
                out.push_str(" -> ");
                endpoint(out, span(p, 24, used), Endian::Big.u16(p, 6).unwrap_or(0));
                let _ = write!(out, " ino {}", e.u32(p, 68).unwrap_or(0));
                true
            }
            1 if p.len() >= 16 => {
                // struct unix_diag_msg: type 1, state 2, ino 4.
                let ty = match p.get(1) {
                    Some(1) => "u_str",
                    Some(2) => "u_dgr",
                    Some(5) => "u_seq",
                    _ => "unix",
                };
                let _ = write!(
                    out,
                    " {ty} {} ino {}",
                    state_name(p.get(2).copied().unwrap_or(0)),
                    e.u32(p, 4).unwrap_or(0)
                );
                let named = v.named().map(|n| n.in_set("unix-diag").over(p, 16));
                if let Some(name) = named.and_then(|n| n.get("name")) {
                    // Abstract names start with a NUL; ss shows it as @.
                    let shown = match name.split_first() {
                        Some((0, rest)) => format!("@{}", String::from_utf8_lossy(rest)),
                        _ => {
                            let path = name.split(|b| *b == 0).next().unwrap_or_default();
                            String::from_utf8_lossy(path).into_owned()
                        }
                    };
                    let _ = write!(out, " {shown}");
                }
                true
            }
            16 if p.len() >= 28 => {
                // struct netlink_diag_msg: protocol 2, state 3, portid 8, dst_portid 12, ino 24.
                let _ = write!(
                    out,
                    " nl {} port {} ino {}",
                    crate::netlink::protocol(u32::from(p.get(2).copied().unwrap_or(0)))
                        .map_or("?", |i| i.short),
                    e.u32(p, 8).unwrap_or(0),
                    e.u32(p, 24).unwrap_or(0)
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

/// `127.0.0.1:8080`, `[::1]:22`, `*:*` for the unspecified address and port.
fn endpoint(out: &mut String, a: &[u8], port: u16) {
    if a.iter().all(|b| *b == 0) {
        out.push('*');
    } else if a.len() == 16 {
        out.push('[');
        push_ip(out, a);
        out.push(']');
    } else {
        push_ip(out, a);
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
        assert_eq!(s, "127.0.0.1:8080 *:* *:1");
        let mut s = String::new();
        states(&mut s, 1 << 10);
        states(&mut s, u32::MAX);
        assert_eq!(s, " states LISTEN states all");
        assert_eq!(family_name(99), "?");
        assert_eq!(proto_name(1), "proto 1");
    }
}
