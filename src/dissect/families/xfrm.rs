//! xfrm (IPsec SAs and policies): what the spec's one header per message type cannot say.

use std::fmt::Write as _;

use super::text::{dump, push_ip};
use super::{Family, Layout, Payload};
use crate::dissect::MessageView;
use crate::model::{Direction, Endian};
use crate::netlink::{byte, span};

/// The xfrm module.
pub struct Xfrm;

/// Message types (linux/xfrm.h).
const NEWSA: u16 = 0x10;
const DELSA: u16 = 0x11;
const GETSA: u16 = 0x12;
const NEWPOLICY: u16 = 0x13;
const DELPOLICY: u16 = 0x14;
const GETPOLICY: u16 = 0x15;
const ACQUIRE: u16 = 0x17;
const EXPIRE: u16 = 0x18;
const UPDPOLICY: u16 = 0x19;
const UPDSA: u16 = 0x1a;
const POLEXPIRE: u16 = 0x1b;
const FLUSHSA: u16 = 0x1c;

impl Family for Xfrm {
    /// GETSA and GETPOLICY are dumps without a header (`ip xfrm state list`), but a request
    /// for one SA or policy (`ip xfrm state get`, strongSwan's queries) carries the id the
    /// kernel looks up: struct xfrm_usersa_id / xfrm_userpolicy_id (xfrm_user.c,
    /// xfrm_get_sa / xfrm_get_policy).
    fn layout<'a>(&self, p: &Payload<'a>) -> Option<Layout<'a>> {
        let m = p.m;
        if m.direction != Direction::ToKernel || m.flags & 0x300 == 0x300 {
            return None;
        }
        let header = match m.ty {
            GETSA => "xfrm_usersa_id",
            GETPOLICY => "xfrm_userpolicy_id",
            _ => return None,
        };
        Some(Layout {
            spec: p.spec,
            header: Some(p.spec.structs.get(header)?),
            set: p
                .op
                .attribute_set
                .as_deref()
                .and_then(|s| p.spec.sets.get(s)),
        })
    }

    /// `ip xfrm state` / `ip xfrm policy` words: `src A dst B proto esp spi 0x00001001
    /// reqid 1 mode tunnel`, `src 198.51.100.0/24 dst 203.0.113.0/24 dir out priority 0`.
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        if dump(v, out) {
            return true;
        }
        let m = v.index();
        let (p, e) = (v.payload_bytes(), m.endian);
        match m.ty {
            NEWSA | UPDSA if p.len() >= 224 => {
                // struct xfrm_usersa_info: sel 0..56, id (daddr 56, spi 72, proto 76),
                // saddr 80, reqid 208, family 212, mode 214.
                let family = e.u16(p, 212).unwrap_or(0);
                out.push_str(" src ");
                addr(out, span(p, 80, 16), family);
                out.push_str(" dst ");
                addr(out, span(p, 56, 16), family);
                sa_id(out, p, 72, 76, Endian::Big);
                let _ = write!(out, " reqid {}", e.u32(p, 208).unwrap_or(0));
                out.push_str(" mode ");
                out.push_str(mode_name(byte(p, 214)));
                true
            }
            DELSA | GETSA if p.len() >= 24 => {
                // struct xfrm_usersa_id: daddr 0, spi 16, family 20, proto 22.
                out.push_str(" dst ");
                addr(out, span(p, 0, 16), e.u16(p, 20).unwrap_or(0));
                sa_id(out, p, 16, 22, Endian::Big);
                true
            }
            NEWPOLICY | UPDPOLICY if p.len() >= 168 => {
                // struct xfrm_userpolicy_info: sel 0..56, priority 152, dir 160, action 161.
                selector(out, p, e);
                let _ = write!(out, " dir {}", dir_name(byte(p, 160)));
                let _ = write!(out, " priority {}", e.u32(p, 152).unwrap_or(0));
                if byte(p, 161) == 1 {
                    out.push_str(" action block");
                }
                true
            }
            EXPIRE if p.len() >= 225 => {
                // struct xfrm_user_expire: the SA (xfrm_usersa_info, 224 bytes), hard.
                let family = e.u16(p, 212).unwrap_or(0);
                out.push_str(" src ");
                addr(out, span(p, 80, 16), family);
                out.push_str(" dst ");
                addr(out, span(p, 56, 16), family);
                sa_id(out, p, 72, 76, Endian::Big);
                let _ = write!(out, " hard {}", byte(p, 224));
                true
            }
            ACQUIRE if p.len() >= 96 => {
                // struct xfrm_user_acquire: id (daddr 0, spi 16, proto 20), saddr 24, sel 40.
                let proto = byte(p, 20);
                let _ = write!(out, " proto {}", sa_proto_name(proto).unwrap_or("?"));
                out.push_str(" sel");
                selector(out, span(p, 40, 56), e);
                ports(out, span(p, 40, 56));
                true
            }
            POLEXPIRE if p.len() >= 169 => {
                // struct xfrm_user_polexpire: the policy (xfrm_userpolicy_info, 168), hard.
                selector(out, p, e);
                let _ = write!(out, " dir {}", dir_name(byte(p, 160)));
                let _ = write!(out, " hard {}", byte(p, 168));
                true
            }
            FLUSHSA if !p.is_empty() => {
                // struct xfrm_usersa_flush: the protocol flushed (0: all).
                let _ = write!(out, " proto {}", byte(p, 0));
                true
            }
            DELPOLICY | GETPOLICY if p.len() >= 64 => {
                // struct xfrm_userpolicy_id: sel 0..56, index 56, dir 60.
                selector(out, p, e);
                let _ = write!(out, " dir {}", dir_name(byte(p, 60)));
                true
            }
            _ => false,
        }
    }
}

/// An xfrm_address_t (16 bytes) by address family.
fn addr(out: &mut String, a: &[u8], family: u16) {
    let used = if family == 2 { 4 } else { 16 };
    if !push_ip(out, span(a, 0, used)) {
        out.push('?');
    }
}

/// IPsec protocols as `ip xfrm` names them.
fn sa_proto_name(proto: u8) -> Option<&'static str> {
    match proto {
        50 => Some("esp"),
        51 => Some("ah"),
        108 => Some("comp"),
        43 => Some("route2"),
        60 => Some("hao"),
        _ => None,
    }
}

/// ` proto udp sport 42051 dport 9` of a struct xfrm_selector (dport 32, sport 36, both
/// big-endian; proto 44), as `ip xfrm monitor` prints an acquire's selector.
fn ports(out: &mut String, sel: &[u8]) {
    let proto = byte(sel, 44);
    match proto {
        0 => return,
        6 => out.push_str(" proto tcp"),
        17 => out.push_str(" proto udp"),
        1 => out.push_str(" proto icmp"),
        58 => out.push_str(" proto ipv6-icmp"),
        p => {
            let _ = write!(out, " proto {p}");
        }
    }
    let (dport, sport) = (
        Endian::Big.u16(sel, 32).unwrap_or(0),
        Endian::Big.u16(sel, 36).unwrap_or(0),
    );
    if sport != 0 {
        let _ = write!(out, " sport {sport}");
    }
    if dport != 0 {
        let _ = write!(out, " dport {dport}");
    }
}

/// ` proto esp spi 0x00001001` from the SPI (network order) and protocol at these offsets.
fn sa_id(out: &mut String, p: &[u8], spi_at: usize, proto_at: usize, e: Endian) {
    let proto = byte(p, proto_at);
    match sa_proto_name(proto) {
        Some(name) => {
            let _ = write!(out, " proto {name}");
        }
        None => {
            let _ = write!(out, " proto {proto}");
        }
    }
    let _ = write!(out, " spi {:#010x}", e.u32(p, spi_at).unwrap_or(0));
}

/// `src 198.51.100.0/24 dst 203.0.113.0/24` of the struct xfrm_selector at the start of `p`
/// (daddr 0, saddr 16, family 40, prefixlen_d 42, prefixlen_s 43).
fn selector(out: &mut String, p: &[u8], e: Endian) {
    let family = e.u16(p, 40).unwrap_or(0);
    out.push_str(" src ");
    addr(out, span(p, 16, 16), family);
    let _ = write!(out, "/{}", byte(p, 43));
    out.push_str(" dst ");
    addr(out, span(p, 0, 16), family);
    let _ = write!(out, "/{}", byte(p, 42));
}

/// XFRM_MODE_* as `ip xfrm` names them.
fn mode_name(m: u8) -> &'static str {
    match m {
        0 => "transport",
        1 => "tunnel",
        2 => "ro",
        3 => "in_trigger",
        4 => "beet",
        5 => "iptfs",
        _ => "?",
    }
}

/// XFRM_POLICY_IN/OUT/FWD.
fn dir_name(d: u8) -> &'static str {
    match d {
        0 => "in",
        1 => "out",
        2 => "fwd",
        _ => "?",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_never_panic_on_short_input() {
        let mut s = String::new();
        addr(&mut s, &[], 2);
        addr(&mut s, &[1, 2], 10);
        sa_id(&mut s, &[], 72, 76, Endian::Big);
        selector(&mut s, &[1, 2, 3], Endian::Little);
        assert!(s.contains("proto 0 spi 0x00000000"), "{s}");
        assert_eq!(mode_name(9), "?");
        assert_eq!(dir_name(1), "out");
    }
}
