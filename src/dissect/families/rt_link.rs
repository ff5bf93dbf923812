//! rt-link: link messages (RTM_*LINK) and link statistics (RTM_*STATS).

use super::key_header;
use super::text::{Memo, dump, push_dev, push_enum, push_str};
use super::{Family, Payload, sub_message_set};
use crate::dissect::MessageView;
use crate::dissect::specs::SpecRegistry;
use crate::model::Direction;

/// `AF_BRIDGE` (linux/socket.h).
const AF_BRIDGE: u8 = 7;
/// `AF_INET6` (linux/socket.h).
const AF_INET6: u8 = 10;

/// The rt-link module.
pub struct Link;

impl Family for Link {
    /// Nested sets chosen by the message's fixed header rather than by the spec
    /// (net/core/rtnetlink.c, net/bridge/br_netlink.c, net/ipv6/addrconf.c):
    /// - IFLA_AF_SPEC of an AF_BRIDGE message holds IFLA_BRIDGE_* attributes, not the
    ///   per-address-family nests of other link messages;
    /// - IFLA_PROTINFO holds IFLA_BRPORT_* for AF_BRIDGE and IFLA_INET6_* for AF_INET6;
    /// - IFLA_INFO_SLAVE_DATA without IFLA_INFO_SLAVE_KIND (see [`slave_data`]).
    ///
    /// A set the loaded spec lacks becomes an unknown set: walked as TLVs, marked raw.
    fn overrides(&self, p: &Payload<'_>) -> Vec<(String, String)> {
        if p.start >= p.end {
            return Vec::new();
        }
        let mut out = slave_data(p).into_iter().collect::<Vec<_>>();
        let known = |s: &str| {
            if p.spec.sets.contains_key(s) {
                s.to_string()
            } else {
                String::new()
            }
        };
        match p.data.get(p.start) {
            Some(&AF_BRIDGE) => out.extend([
                ("rt-link.af-spec".into(), known("bridge-af-spec-attrs")),
                ("rt-link.protinfo".into(), known("linkinfo-brport-attrs")),
            ]),
            Some(&AF_INET6) => out.push(("rt-link.protinfo".into(), known("ifla6-attrs"))),
            _ => {}
        }
        out
    }

    fn override_paths(&self) -> &'static [&'static str] {
        &[
            "rt-link.linkinfo.slave-data",
            "rt-link.af-spec",
            "rt-link.protinfo",
        ]
    }

    fn fields(&self, specs: &SpecRegistry) -> Vec<String> {
        let mut out = specs.set_paths("rt-link", "bridge-af-spec-attrs", "rt-link.af-spec");
        out.extend(specs.set_paths("rt-link", "linkinfo-brport-attrs", "rt-link.protinfo"));
        out.extend(specs.set_paths("rt-link", "ifla6-attrs", "rt-link.protinfo"));
        out
    }

    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        match v.index().ty {
            16..=19 => link(v, out),
            92..=95 => dump(v, out) || stats(v, out),
            _ => false,
        }
    }

    /// A link: its family (AF_BRIDGE port entries are apart) and index (struct ifinfomsg;
    /// struct if_stats_msg has it at the same place).
    fn object_key(&self, v: &MessageView, key: &mut Vec<u8>) -> bool {
        if v.index().direction != crate::model::Direction::FromKernel {
            return false;
        }
        // Links and their statistics (RTM_*STATS, same spec) are apart by type group.
        key.extend_from_slice(&(v.index().ty.saturating_sub(16) / 4).to_le_bytes());
        key_header(v, 0..1, key);
        key_header(v, 4..8, key);
        true
    }
}

/// IFLA_INFO_SLAVE_DATA without IFLA_INFO_SLAVE_KIND: `ip link set DEV type bridge_slave ...`
/// sends IFLA_INFO_KIND "bridge_slave" and the port options; the kernel reads them with the
/// master's ops (rtnl_newlink), so the kind's prefix names the format.
fn slave_data(p: &Payload<'_>) -> Option<(String, String)> {
    let li = p.named("link-attrs", 16).nest("linkinfo")?;
    if li.get("slave-kind").is_some() {
        return None;
    }
    let kind = li.get("kind")?;
    let kind = kind.split(|c| *c == 0).next()?;
    let master = std::str::from_utf8(kind.strip_suffix(b"_slave")?).ok()?;
    let set = sub_message_set(p.spec, "linkinfo-member-data-msg", master)?;
    Some(("rt-link.linkinfo.slave-data".into(), set.to_string()))
}

/// `ip link`'s line: index, name, flags, mtu, master, operstate. Struct ifinfomsg is the uapi's.
fn link(v: &MessageView, out: &mut String) -> bool {
    let m = v.index();
    let (p, e) = (v.payload_bytes(), m.endian);
    if p.len() < 16 {
        return false;
    }
    if dump(v, out) {
        return true;
    }
    let Some(memo) = Memo::of(
        v,
        ["ifname", "mtu", "master", "operstate"],
        ["ifinfo-flags", "operstate"],
    ) else {
        return false;
    };
    let [name, mtu, master, operstate] = memo.attrs(v);
    let request = m.direction == Direction::ToKernel;
    let mut ib = itoa::Buffer::new();
    let idx = e.u32(p, 4).unwrap_or(0) as i32;
    let flags = e.u32(p, 8).unwrap_or(0);
    let before = out.len();
    // Requests name the link by index or by name; index 0 means "by name".
    if idx != 0 || !request {
        out.push(' ');
        out.push_str(ib.format(idx));
        out.push(':');
    }
    if let Some(n) = name {
        out.push(' ');
        push_str(out, n);
    }
    if out.len() == before {
        out.push_str(" request");
    }
    // Requests often leave the flags empty; `ip` would not print "<>" for them.
    if flags != 0 || !request {
        out.push_str(" <");
        memo.push_bits(out, 0, "IFF_", u64::from(flags));
        out.push('>');
    }
    if let Some(mtu) = mtu.and_then(|b| e.u32(b, 0)) {
        out.push_str(" mtu ");
        out.push_str(ib.format(mtu));
    }
    if let Some(master) = master.and_then(|b| e.u32(b, 0)) {
        out.push_str(" master ");
        push_dev(v, out, master as i32);
    }
    if let Some(st) = operstate.and_then(|b| b.first()) {
        out.push_str(" state ");
        push_enum(out, memo.enum_def(1), "IF_OPER_", i64::from(*st), false);
    }
    true
}

/// struct if_stats_msg (12 bytes: family, pad, ifindex, filter_mask): the device and which
/// IFLA_STATS_* groups were asked for or are present.
fn stats(v: &MessageView, out: &mut String) -> bool {
    let (p, e) = (v.payload_bytes(), v.index().endian);
    let Some(idx) = e.u32(p, 4) else { return false };
    if idx != 0 {
        out.push_str(" dev ");
        push_dev(v, out, idx as i32);
    }
    const GROUPS: [&str; 5] = [
        "link_64",
        "link_xstats",
        "link_xstats_slave",
        "offload_xstats",
        "af_spec",
    ];
    let mask = e.u32(p, 8).unwrap_or(0);
    let mut first = true;
    for (i, g) in GROUPS.iter().enumerate() {
        if mask & (1 << i) != 0 {
            out.push_str(if first { " groups " } else { "," });
            out.push_str(g);
            first = false;
        }
    }
    true
}
