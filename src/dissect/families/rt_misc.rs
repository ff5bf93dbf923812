//! The smaller rtnetlink families: netconf (RTM_*NETCONF), netns ids (RTM_*NSID), multicast
//! cache reports (RTM_NEWCACHEREPORT), DCB (RTM_*DCB), address labels (RTM_*ADDRLABEL) and
//! prefixes (RTM_NEWPREFIX), summarised as `ip` prints them.

use std::fmt::Write as _;

use super::text::{dump, push_dev, push_ip, push_str};
use super::{Family, Layout, Payload};
use crate::dissect::MessageView;
use crate::dissect::specs::SpecRegistry;
use crate::netlink::byte;

/// The rt-netconf module.
pub struct Netconf;

impl Family for Netconf {
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        dump(v, out) || netconf(v, out)
    }
}

/// The rt-nsid module.
pub struct Nsid;

impl Family for Nsid {
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        dump(v, out) || nsid(v, out)
    }
}

/// `RTNL_FAMILY_IP6MR` (linux/rtnetlink.h).
const RTNL_FAMILY_IP6MR: u8 = 129;

/// The rt-cachereport module.
pub struct CacheReport;

impl Family for CacheReport {
    /// The attribute set by the rtgenmsg family: ip6mr reports carry IP6MRA_CREPORT_*
    /// (net/ipv6/ip6mr.c, mrt6msg_netlink_event), ipmr ones IPMRA_CREPORT_*.
    fn layout<'a>(&self, p: &Payload<'a>) -> Option<Layout<'a>> {
        if p.data.get(p.start) != Some(&RTNL_FAMILY_IP6MR) {
            return None;
        }
        let hdr =
            p.op.fixed_header
                .as_deref()
                .or(p.spec.fixed_header.as_deref());
        Some(Layout {
            spec: p.spec,
            header: hdr.and_then(|h| p.spec.structs.get(h)),
            set: Some(p.spec.sets.get("ip6mra-creport-attrs")?),
        })
    }

    fn fields(&self, specs: &SpecRegistry) -> Vec<String> {
        specs.set_paths("rt-cachereport", "ip6mra-creport-attrs", "rt-cachereport")
    }

    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        dump(v, out) || cachereport(v, out)
    }
}

/// The rt-dcb module.
pub struct Dcb;

impl Family for Dcb {
    /// DCB requests are not dumps whatever their flags say: no " dump" shortcut.
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        dcb(v, out)
    }
}

/// The rt-addrlabel module.
pub struct AddrLabel;

impl Family for AddrLabel {
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        dump(v, out) || addrlabel(v, out)
    }
}

/// The rt-prefix module.
pub struct Prefix;

impl Family for Prefix {
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        dump(v, out) || prefix(v, out)
    }
}

/// struct netconfmsg (family, padded to 4) and NETCONFA_* (ip netconf's print_netconf).
fn netconf(v: &MessageView, out: &mut String) -> bool {
    let (p, e) = (v.payload_bytes(), v.index().endian);
    let Some(&family) = p.first() else {
        return false;
    };
    out.push(' ');
    out.push_str(match family {
        2 => "ipv4",
        10 => "ipv6",
        28 => "mpls",
        _ => "family",
    });
    if !matches!(family, 2 | 10 | 28) {
        let _ = write!(out, " {family}");
    }
    let Some(n) = v.named() else { return true };
    for (name, b) in n.iter() {
        let Some(val) = e.u32(b, 0) else { continue };
        let val = val as i32;
        let word = match name {
            "ifindex" => {
                match val {
                    -1 => out.push_str(" all"),
                    -2 => out.push_str(" default"),
                    i => {
                        out.push_str(" dev ");
                        push_dev(v, out, i);
                    }
                }
                continue;
            }
            "forwarding" => "forwarding",
            "rp-filter" => {
                out.push_str(" rp_filter ");
                out.push_str(match val {
                    0 => "off",
                    1 => "strict",
                    2 => "loose",
                    _ => "unknown mode",
                });
                continue;
            }
            "mc-forwarding" => "mc_forwarding",
            "proxy-neigh" => "proxy_neigh",
            "ignore-routes-with-linkdown" => "ignore_routes_with_linkdown",
            "input" => "input",
            "bc-forwarding" => "bc_forwarding",
            _ => continue,
        };
        out.push(' ');
        out.push_str(word);
        out.push_str(if val != 0 { " on" } else { " off" });
    }
    true
}

/// struct rtgenmsg and NETNSA_* (ip netns list-id).
fn nsid(v: &MessageView, out: &mut String) -> bool {
    let mut any = false;
    let e = v.index().endian;
    for (name, b) in v.named().into_iter().flat_map(|n| n.iter()) {
        let Some(val) = e.u32(b, 0) else { continue };
        // The spec's names are the words `ip netns list-id` prints.
        if name.is_empty() {
            continue;
        }
        let word = name;
        let _ = write!(out, " {word} {}", val as i32);
        any = true;
    }
    if !any {
        out.push_str(" request");
    }
    true
}

/// struct rtgenmsg (family 128 ipmr / 129 ip6mr) and IPMRA_CREPORT_* / IP6MRA_CREPORT_*.
fn cachereport(v: &MessageView, out: &mut String) -> bool {
    let fam = v.payload_bytes().first().copied().unwrap_or(0);
    let Some(n) = v.named() else { return false };
    let msg = n.u8("msgtype");
    out.push_str(match msg {
        Some(1) => " nocache",
        Some(2) => {
            if fam == 129 {
                " wrongmif"
            } else {
                " wrongvif"
            }
        }
        Some(3) => " wholepkt",
        Some(4) => {
            if fam == 129 {
                " wrmifwhole"
            } else {
                " wrvifwhole"
            }
        }
        _ => " report",
    });
    if let Some(src) = n.get("src-addr") {
        out.push_str(" (");
        push_ip(out, src);
        out.push_str(", ");
        if let Some(dst) = n.get("dst-addr") {
            push_ip(out, dst);
        }
        out.push(')');
    }
    // The summary reads the ipmr names; ip6mr's mif-id has vif-id's number.
    if let Some(vif) = n.u32("vif-id") {
        out.push_str(if fam == 129 { " mif " } else { " vif " });
        let _ = write!(out, "{vif}");
    }
    true
}

/// struct dcbmsg: the command, and the device from DCB_ATTR_IFNAME.
fn dcb(v: &MessageView, out: &mut String) -> bool {
    let Some(&cmd) = v.payload_bytes().get(1) else {
        return false;
    };
    const CMDS: [&str; 28] = [
        "undefined",
        "gstate",
        "sstate",
        "pgtx_gcfg",
        "pgtx_scfg",
        "pgrx_gcfg",
        "pgrx_scfg",
        "pfc_gcfg",
        "pfc_scfg",
        "set_all",
        "gperm_hwaddr",
        "gcap",
        "gnumtcs",
        "snumtcs",
        "pfc_gstate",
        "pfc_sstate",
        "bcn_gcfg",
        "bcn_scfg",
        "gapp",
        "sapp",
        "ieee_set",
        "ieee_get",
        "gdcbx",
        "sdcbx",
        "gfeatcfg",
        "sfeatcfg",
        "cee_get",
        "ieee_del",
    ];
    out.push(' ');
    match CMDS.get(usize::from(cmd)) {
        Some(c) => out.push_str(c),
        None => {
            let _ = write!(out, "cmd {cmd}");
        }
    }
    if let Some(n) = v.named().and_then(|n| n.get("ifname")) {
        out.push_str(" dev ");
        push_str(out, n);
    }
    true
}

/// struct ifaddrlblmsg (12 bytes), IFAL_ADDRESS, IFAL_LABEL (ip addrlabel list).
fn addrlabel(v: &MessageView, out: &mut String) -> bool {
    let (p, e) = (v.payload_bytes(), v.index().endian);
    let Some(&plen) = p.get(2) else { return false };
    let n = v.named();
    if let Some(a) = n.and_then(|n| n.get("address")) {
        out.push_str(" prefix ");
        if push_ip(out, a) {
            let _ = write!(out, "/{plen}");
        }
    }
    if let Some(idx) = e.u32(p, 4).filter(|i| *i != 0) {
        let _ = write!(out, " dev if{idx}");
    }
    if let Some(l) = n.and_then(|n| n.u32("label")) {
        let _ = write!(out, " label {l}");
    }
    true
}

/// struct prefixmsg (12 bytes), PREFIX_ADDRESS, PREFIX_CACHEINFO (ip monitor prefix).
fn prefix(v: &MessageView, out: &mut String) -> bool {
    let (p, e) = (v.payload_bytes(), v.index().endian);
    if p.len() < 12 {
        return false;
    }
    let n = v.named();
    let (idx, plen, flags) = (e.u32(p, 4).unwrap_or(0) as i32, byte(p, 9), byte(p, 10));
    if let Some(a) = n.and_then(|n| n.get("address")) {
        out.push_str(" prefix ");
        if push_ip(out, a) {
            let _ = write!(out, "/{plen}");
        }
    }
    out.push_str(" dev ");
    push_dev(v, out, idx);
    // IF_PREFIX_ONLINK 0x01 / IF_PREFIX_AUTOCONF 0x02; kernels since the prefix_info flags
    // union (also 6.1.y) copy the option's own L (0x80) and A (0x40) bits instead.
    if flags & 0x81 != 0 {
        out.push_str(" onlink");
    }
    if flags & 0x42 != 0 {
        out.push_str(" autoconf");
    }
    if let Some(ci) = n.and_then(|n| n.get("cacheinfo"))
        && let (Some(pref), Some(valid)) = (e.u32(ci, 0), e.u32(ci, 4))
    {
        let _ = write!(out, " valid {valid} preferred {pref}");
    }
    true
}
