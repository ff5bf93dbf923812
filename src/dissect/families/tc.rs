//! tc: queueing disciplines, classes, filters, chains and actions (RTM_*QDISC, RTM_*TCLASS,
//! RTM_*TFILTER, RTM_*CHAIN, RTM_*ACTION), summarised as `tc` prints them.

use super::key_header;
use std::fmt::Write as _;

use super::text::{dump, push_dev, push_str};
use super::{Family, Named};
use crate::dissect::MessageView;
use crate::model::Direction;

/// The tc module.
pub struct Tc;

impl Family for Tc {
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        dump(v, out) || tc(v, out)
    }

    /// A qdisc, class, filter or chain (by message type group): index, handle, parent and,
    /// for filters, priority and protocol (struct tcmsg).
    fn object_key(&self, v: &MessageView, key: &mut Vec<u8>) -> bool {
        let m = v.index();
        if m.direction != crate::model::Direction::FromKernel || m.ty < 16 {
            return false;
        }
        key.extend_from_slice(&((m.ty - 16) / 4).to_le_bytes());
        key_header(v, 4..20, key);
        true
    }
}

/// A tc handle as `tc` prints it (print_tc_classid): `root`, `none`, `ingress`, `1:`, `1:10`.
fn push_handle(out: &mut String, h: u32) {
    match h {
        0xffff_ffff => out.push_str("root"),
        0 => out.push_str("none"),
        0xffff_fff1 => out.push_str("ingress"),
        _ if h & 0xffff == 0 => {
            let _ = write!(out, "{:x}:", h >> 16);
        }
        _ if h >> 16 == 0 => {
            let _ = write!(out, ":{:x}", h & 0xffff);
        }
        _ => {
            let _ = write!(out, "{:x}:{:x}", h >> 16, h & 0xffff);
        }
    }
}

/// Ethernet protocol names as `tc` prints them (lib/ll_proto.c), else hex.
fn push_proto(out: &mut String, p: u16) {
    let name = match p {
        0x0003 => "all",
        0x0800 => "ip",
        0x86dd => "ipv6",
        0x0806 => "arp",
        0x8100 => "802.1Q",
        0x88a8 => "802.1ad",
        0x8847 => "mpls_uc",
        0x8848 => "mpls_mc",
        0x88cc => "lldp",
        _ => "",
    };
    if name.is_empty() {
        let _ = write!(out, "0x{p:04x}");
    } else {
        out.push_str(name);
    }
}

/// struct tcmsg (20 bytes) for qdiscs, classes, filters and chains; struct tcamsg (4) for
/// actions.
fn tc(v: &MessageView, out: &mut String) -> bool {
    let (p, e) = (v.payload_bytes(), v.index().endian);
    let ty = v.index().ty;
    let Some(n) = v.named() else { return false };
    if (48..=50).contains(&ty) {
        return actions(out, n);
    }
    if p.len() < 20 {
        return false;
    }
    let ifindex = e.u32(p, 4).unwrap_or(0) as i32;
    let handle = e.u32(p, 8).unwrap_or(0);
    let parent = e.u32(p, 12).unwrap_or(0);
    let info = e.u32(p, 16).unwrap_or(0);
    let kind = n.get("kind");
    let request = v.index().direction == Direction::ToKernel;
    let dev = |out: &mut String| {
        if ifindex != 0 {
            out.push_str(" dev ");
            push_dev(v, out, ifindex);
        }
    };
    let parent_text = |out: &mut String| {
        if parent == 0xffff_ffff {
            out.push_str(" root");
        } else if parent != 0 {
            out.push_str(" parent ");
            push_handle(out, parent);
        }
    };
    match ty {
        // RTM_*QDISC (tc_qdisc.c print_qdisc)
        36..=38 => {
            out.push_str(" qdisc");
            if let Some(k) = kind {
                out.push(' ');
                push_str(out, k);
            }
            let _ = write!(out, " {:x}:", handle >> 16);
            dev(out);
            parent_text(out);
            if !request && info != 1 {
                let _ = write!(out, " refcnt {info}");
            }
        }
        // RTM_*TCLASS (tc_class.c print_class)
        40..=42 => {
            out.push_str(" class");
            if let Some(k) = kind {
                out.push(' ');
                push_str(out, k);
            }
            out.push(' ');
            push_handle(out, handle);
            dev(out);
            parent_text(out);
            if info != 0 {
                let _ = write!(out, " leaf {:x}:", info >> 16);
            }
        }
        // RTM_*TFILTER (tc_filter.c print_filter): tcm_info is prio << 16 | protocol (network
        // order).
        44..=46 => {
            out.push_str(" filter");
            dev(out);
            match parent {
                0xffff_fff2 => out.push_str(" ingress"),
                0xffff_fff3 => out.push_str(" egress"),
                _ => parent_text(out),
            }
            let proto = u16::from_be((info & 0xffff) as u16);
            if proto != 0 {
                out.push_str(" protocol ");
                push_proto(out, proto);
            }
            if info >> 16 != 0 {
                let _ = write!(out, " pref {}", info >> 16);
            }
            if let Some(k) = kind {
                out.push(' ');
                push_str(out, k);
                if let Some(c) = n.u32("chain") {
                    let _ = write!(out, " chain {c}");
                }
                if handle != 0 {
                    if k.starts_with(b"u32\0") || k == b"u32" {
                        // u32's handle is htid:hash:node (cls_u32.c, TC_U32_*).
                        let _ = write!(out, " fh {:x}:", handle >> 20);
                        if (handle >> 12) & 0xff != 0 {
                            let _ = write!(out, "{:x}", (handle >> 12) & 0xff);
                        }
                        out.push(':');
                        if handle & 0xfff != 0 {
                            let _ = write!(out, "{:x}", handle & 0xfff);
                        }
                    } else {
                        let _ = write!(out, " handle 0x{handle:x}");
                    }
                }
            }
        }
        // RTM_*CHAIN (tc_filter.c print_chain... "chain N")
        100..=102 => {
            out.push_str(" chain");
            if let Some(c) = n.u32("chain") {
                let _ = write!(out, " {c}");
            }
            dev(out);
            match parent {
                0xffff_fff2 => out.push_str(" ingress"),
                0xffff_fff3 => out.push_str(" egress"),
                _ => parent_text(out),
            }
            if let Some(k) = kind {
                out.push_str(" template ");
                push_str(out, k);
            }
        }
        _ => return false,
    }
    true
}

/// Actions: struct tcamsg, the root table holding one nest per action (by order) with its
/// kind and index; the count in dump replies.
fn actions(out: &mut String, n: Named<'_>) -> bool {
    if n.get("tab").is_none() {
        return false;
    }
    let mut count = 0;
    for act in n.items("tab") {
        count += 1;
        if count > 4 {
            out.push_str(" ...");
            break;
        }
        out.push_str(if count == 1 { " action " } else { ", " });
        match act.get("kind") {
            Some(k) => push_str(out, k),
            None => out.push('?'),
        }
        if let Some(i) = act.u32("index") {
            let _ = write!(out, " index {i}");
        }
    }
    if let Some(c) = n.u32("count") {
        let _ = write!(out, " total {c}");
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tc_handles_as_tc_prints_them() {
        let h = |v: u32| {
            let mut s = String::new();
            push_handle(&mut s, v);
            s
        };
        assert_eq!(h(0xffff_ffff), "root");
        assert_eq!(h(0), "none");
        assert_eq!(h(0xffff_fff1), "ingress");
        assert_eq!(h(0x0001_0000), "1:");
        assert_eq!(h(0x0001_0010), "1:10");
        assert_eq!(h(0x0000_0005), ":5");
    }
}
