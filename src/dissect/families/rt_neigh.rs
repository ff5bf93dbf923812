//! rt-neigh: neighbour entries (RTM_*NEIGH), bridge fdb entries included.

use super::text::{Memo, dump, ip_text, push_dev};
use super::{Family, Layout, Payload};
use super::{key_attrs, key_header};
use crate::dissect::MessageView;
use crate::model::Direction;

/// RTM_GETNEIGH.
const RTM_GETNEIGH: u16 = 30;

/// The rt-neigh module.
pub struct Neigh;

impl Family for Neigh {
    /// RTM_GETNEIGH dump requests for AF_BRIDGE fdb entries: before Linux 4.12 `bridge fdb
    /// show` sent `struct ifinfomsg` (+ IFLA_MASTER / IFLA_BRPORT), later versions `struct
    /// ndmsg`. The kernel (rtnetlink.c, valid_fdb_dump_legacy) takes a payload of exactly
    /// sizeof(ndmsg), or ndmsg plus one u32 attribute, as ndmsg and anything else as ifinfomsg
    /// with IFLA_* attributes; so do we.
    fn layout<'a>(&self, p: &Payload<'a>) -> Option<Layout<'a>> {
        let m = p.m;
        let len = p.end.saturating_sub(p.start);
        if m.ty != RTM_GETNEIGH
            || m.direction != Direction::ToKernel
            || m.flags & 0x300 != 0x300
            || len == 12
            || len == 12 + 8
            || len < 16
        {
            return None;
        }
        let link = p.specs.get("rt-link")?;
        Some(Layout {
            spec: link,
            header: link.structs.get("ifinfomsg"),
            set: link.sets.get("link-attrs"),
        })
    }

    fn layout_specs(&self) -> &'static [&'static str] {
        &["rt-link"]
    }

    /// `ip neigh`'s line: address, device, link-layer address, state. Struct ndmsg is the
    /// uapi's.
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        let m = v.index();
        let (p, e) = (v.payload_bytes(), m.endian);
        if p.len() < 12 || !(28..=30).contains(&m.ty) {
            return false;
        }
        if dump(v, out) {
            return true;
        }
        let Some(memo) = Memo::of(v, ["dst", "lladdr"], ["nud-state"]) else {
            return false;
        };
        let [dst, lladdr] = memo.attrs(v);
        let idx = e.u32(p, 4).unwrap_or(0) as i32;
        let state = e.u16(p, 8).unwrap_or(0);
        if let Some(d) = dst.and_then(ip_text) {
            out.push(' ');
            out.push_str(&d);
        }
        out.push_str(" dev ");
        push_dev(v, out, idx);
        if let Some(mac) = lladdr {
            out.push_str(" lladdr ");
            out.push_str(&crate::model::mac(mac));
        }
        if state != 0 {
            out.push(' ');
            memo.push_bits(out, 0, "NUD_", u64::from(state));
        }
        true
    }

    /// A neighbour: family and index (struct ndmsg) and the destination address; neighbour
    /// tables have no index (their name tells them apart).
    fn object_key(&self, v: &MessageView, key: &mut Vec<u8>) -> bool {
        let m = v.index();
        if m.direction != crate::model::Direction::FromKernel {
            return false;
        }
        key.extend_from_slice(&m.ty.to_le_bytes());
        key_header(v, 0..1, key);
        key_header(v, 4..8, key);
        key_attrs(v, &["dst", "name"], key);
        true
    }
}
