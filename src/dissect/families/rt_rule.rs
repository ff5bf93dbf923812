//! rt-rule: policy routing rules (RTM_*RULE), summarised as `ip rule` prints them.

use super::{key_attrs, key_header};
use std::fmt::Write as _;

use super::Family;
use super::text::{dump, push_ip, push_str, push_table};
use crate::dissect::MessageView;
use crate::model::Direction;
use crate::netlink::byte;

/// The rt-rule module.
pub struct Rule;

impl Family for Rule {
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        dump(v, out) || rule(v, out)
    }

    /// A rule: family, table, action (struct fib_rule_hdr), priority and table attribute.
    fn object_key(&self, v: &MessageView, key: &mut Vec<u8>) -> bool {
        if v.index().direction != crate::model::Direction::FromKernel {
            return false;
        }
        key_header(v, 0..3, key);
        key_header(v, 4..5, key);
        key_attrs(v, &["priority", "table", "src", "dst"], key);
        true
    }
}

/// struct fib_rule_hdr (12 bytes) and FRA_* (ip rule's print_rule).
fn rule(v: &MessageView, out: &mut String) -> bool {
    let (p, e) = (v.payload_bytes(), v.index().endian);
    if p.len() < 12 {
        return false;
    }
    let Some(n) = v.named() else { return false };
    let (dst_len, src_len, tos, table8, action) =
        (byte(p, 1), byte(p, 2), byte(p, 3), byte(p, 4), byte(p, 7));
    let flags = e.u32(p, 8).unwrap_or(0);
    let mut prio = None;
    let (mut src, mut dst, mut table, mut goto) = (None, None, None, None);
    let (mut iif, mut oif, mut mark, mut mask) = (None, None, None, None);
    let (mut sport, mut dport, mut uid, mut ipproto) = (None, None, None, None);
    let mut l3mdev = false;
    for (name, b) in n.iter() {
        match name {
            "dst" => dst = Some(b),
            "src" => src = Some(b),
            "iifname" => iif = Some(b),
            "goto" => goto = e.u32(b, 0),
            "priority" => prio = e.u32(b, 0),
            "fwmark" => mark = e.u32(b, 0),
            "table" => table = e.u32(b, 0),
            "fwmask" => mask = e.u32(b, 0),
            "oifname" => oif = Some(b),
            "l3mdev" => l3mdev = b.first().is_some_and(|x| *x != 0),
            "uid-range" => uid = Some((e.u32(b, 0), e.u32(b, 4))),
            "ip-proto" => ipproto = b.first().copied(),
            "sport-range" => sport = Some((e.u16(b, 0), e.u16(b, 2))),
            "dport-range" => dport = Some((e.u16(b, 0), e.u16(b, 2))),
            _ => {}
        }
    }
    // The kernel leaves FRA_PRIORITY out of replies when it is 0 (the local table's rule).
    match prio {
        Some(pr) => {
            let _ = write!(out, " {pr}:");
        }
        None if v.index().direction != Direction::ToKernel => out.push_str(" 0:"),
        None => {}
    }
    // FIB_RULE_INVERT
    if flags & 0x2 != 0 {
        out.push_str(" not");
    }
    out.push_str(" from ");
    match src {
        Some(b) if push_ip(out, b) => {
            if src_len != if b.len() == 4 { 32 } else { 128 } {
                let _ = write!(out, "/{src_len}");
            }
        }
        _ => out.push_str("all"),
    }
    if let Some(b) = dst {
        out.push_str(" to ");
        if push_ip(out, b) && dst_len != if b.len() == 4 { 32 } else { 128 } {
            let _ = write!(out, "/{dst_len}");
        }
    }
    if tos != 0 {
        let _ = write!(out, " tos 0x{tos:x}");
    }
    if let Some(mk) = mark {
        let _ = write!(out, " fwmark 0x{mk:x}");
        if let Some(ms) = mask.filter(|m| *m != 0xffff_ffff) {
            let _ = write!(out, "/0x{ms:x}");
        }
    }
    if let Some(b) = iif {
        out.push_str(" iif ");
        push_str(out, b);
    }
    if let Some(b) = oif {
        out.push_str(" oif ");
        push_str(out, b);
    }
    if let Some(pr) = ipproto {
        // /etc/protocols names ip rule prints
        match pr {
            1 => out.push_str(" ipproto icmp"),
            6 => out.push_str(" ipproto tcp"),
            17 => out.push_str(" ipproto udp"),
            58 => out.push_str(" ipproto ipv6-icmp"),
            132 => out.push_str(" ipproto sctp"),
            _ => {
                let _ = write!(out, " ipproto {pr}");
            }
        }
    }
    for (word, range) in [(" sport ", sport), (" dport ", dport)] {
        if let Some((Some(a), Some(b))) = range {
            out.push_str(word);
            if a == b {
                let _ = write!(out, "{a}");
            } else {
                let _ = write!(out, "{a}-{b}");
            }
        }
    }
    if let Some((Some(a), Some(b))) = uid {
        let _ = write!(out, " uidrange {a}-{b}");
    }
    if l3mdev {
        out.push_str(" lookup [l3mdev-table]");
    }
    match action {
        // FR_ACT_TO_TBL
        1 if !l3mdev => {
            out.push_str(" lookup ");
            push_table(out, table.unwrap_or(u32::from(table8)));
        }
        2 => {
            out.push_str(" goto ");
            match goto {
                Some(g) => {
                    let _ = write!(out, "{g}");
                }
                None => out.push_str("none"),
            }
        }
        3 => out.push_str(" nop"),
        6 => out.push_str(" blackhole"),
        7 => out.push_str(" unreachable"),
        8 => out.push_str(" prohibit"),
        _ => {}
    }
    true
}
