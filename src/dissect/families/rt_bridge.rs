//! rt-bridge and rt-tunnel: bridge mdb entries (RTM_*MDB), bridge vlans (RTM_*VLAN) and
//! vxlan vni filters (RTM_*TUNNEL), summarised as `bridge` prints them.

use std::fmt::Write as _;

use super::text::{dump, push_dev, push_ip};
use super::{Family, Named};
use crate::dissect::MessageView;
use crate::model::{Direction, Endian};

/// The rt-bridge module.
pub struct Bridge;

impl Family for Bridge {
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        match v.index().ty {
            84..=86 => dump(v, out) || mdb(v, out),
            112..=114 => dump(v, out) || vlan(v, out),
            _ => false,
        }
    }
}

/// The rt-tunnel module.
pub struct Tunnel;

impl Family for Tunnel {
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        dump(v, out) || tunnel(v, out)
    }
}

/// One struct br_mdb_entry (bridge mdb's print_mdb_entry): ifindex u32, state u8, flags u8,
/// vid u16, addr union (16 bytes), proto be16.
fn mdb_entry(v: &MessageView, out: &mut String, b: &[u8], e: Endian) {
    let Some(port) = e.u32(b, 0) else { return };
    out.push_str(" port ");
    push_dev(v, out, port as i32);
    let proto = Endian::Big.u16(b, 24).unwrap_or(0);
    out.push_str(" grp ");
    match proto {
        0x0800 => {
            push_ip(out, b.get(8..12).unwrap_or(&[]));
        }
        0x86dd => {
            push_ip(out, b.get(8..24).unwrap_or(&[]));
        }
        _ => out.push_str(&crate::model::mac(b.get(8..14).unwrap_or(&[]))),
    }
    // MDB_TEMPORARY 0, MDB_PERMANENT 1
    out.push_str(if b.get(4) == Some(&1) {
        " permanent"
    } else {
        " temp"
    });
    if let Some(vid) = e.u16(b, 6).filter(|v| *v != 0) {
        let _ = write!(out, " vid {vid}");
    }
}

/// struct br_port_msg (8 bytes: family, ifindex) with the entry to set (requests) or
/// mdb > entry > info nests (replies and notifications).
fn mdb(v: &MessageView, out: &mut String) -> bool {
    let (p, e) = (v.payload_bytes(), v.index().endian);
    if p.len() < 8 {
        return false;
    }
    let Some(n) = v.named() else { return false };
    let br = e.u32(p, 4).unwrap_or(0) as i32;
    out.push_str(" dev ");
    push_dev(v, out, br);
    // Requests carry one struct br_mdb_entry.
    if let Some(entry) = n
        .get("entry")
        .filter(|_| v.index().direction == Direction::ToKernel)
    {
        mdb_entry(v, out, entry, e);
        return true;
    }
    let mut count = 0;
    for ent in n.nest("mdb").into_iter().flat_map(|m| m.all("entry")) {
        for info in ent.all("info") {
            count += 1;
            if count == 1 {
                mdb_entry(v, out, info.bytes(), e);
            }
        }
    }
    if count > 1 {
        let _ = write!(out, " (+{} more)", count - 1);
    }
    if n.get("router").is_some() {
        out.push_str(" router ports");
    }
    true
}

/// `vid N[-M]` entries of BRIDGE_VLANDB_ENTRY nests (struct bridge_vlan_info: flags u16, vid
/// u16; BRIDGE_VLANDB_ENTRY_RANGE u16) or VXLAN_VNIFILTER_ENTRY nests (START/END u32).
fn push_ranges(out: &mut String, n: Named<'_>, word: &str, vni: bool) {
    let e = n.endian();
    let mut count = 0;
    for ent in n.all("entry") {
        let (lo, hi) = if vni {
            (ent.u32("start"), ent.u32("end"))
        } else {
            (
                ent.get("info").and_then(|b| e.u16(b, 2)).map(u32::from),
                ent.u16("range").map(u32::from),
            )
        };
        let Some(lo) = lo else { continue };
        count += 1;
        if count > 8 {
            out.push_str(" ...");
            break;
        }
        let _ = write!(out, " {word} {lo}");
        if let Some(hi) = hi.filter(|h| *h > lo) {
            let _ = write!(out, "-{hi}");
        }
    }
}

/// struct br_vlan_msg (8 bytes: family, reserved, ifindex) and BRIDGE_VLANDB_ENTRY nests
/// (bridge vlan show / bridge monitor vlan).
fn vlan(v: &MessageView, out: &mut String) -> bool {
    let Some(idx) = v.index().endian.u32(v.payload_bytes(), 4) else {
        return false;
    };
    out.push_str(" dev ");
    push_dev(v, out, idx as i32);
    if let Some(n) = v.named() {
        push_ranges(out, n, "vid", false);
    }
    true
}

/// struct tunnel_msg (8 bytes: family, flags, reserved, ifindex) and VXLAN_VNIFILTER_ENTRY
/// nests (bridge vni show).
fn tunnel(v: &MessageView, out: &mut String) -> bool {
    let Some(idx) = v.index().endian.u32(v.payload_bytes(), 4) else {
        return false;
    };
    out.push_str(" dev ");
    push_dev(v, out, idx as i32);
    if let Some(n) = v.named() {
        push_ranges(out, n, "vni", true);
    }
    true
}
