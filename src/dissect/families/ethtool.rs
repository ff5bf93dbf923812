//! ethtool: the ETHTOOL_MSG_* requests, replies and notifications, summarised as `ethtool`
//! and `ethtool --monitor` print them: the device (from the request header), then the
//! message's key settings in ethtool's words (`Speed: 1000Mb/s`, `Link detected: yes`, ...).

use std::fmt::Write as _;

use super::text::{push_dev, push_enum, push_str};
use super::{Family, Named};
use crate::dissect::MessageView;
use crate::model::Direction;

/// The ethtool module.
pub struct Ethtool;

/// Bits or string sets named before "(+N more)".
const MAX_NAMES: usize = 3;

impl Family for Ethtool {
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        let Some(n) = v.named() else { return false };
        let m = v.index();
        let request = m.direction == Direction::ToKernel;
        let dump = request && m.flags & 0x300 == 0x300;
        if dump {
            out.push_str(" dump");
        }
        if let Some(h) = n.nest("header") {
            if let Some(name) = h.get("dev-name") {
                out.push(' ');
                push_str(out, name);
            } else if let Some(i) = h.u32("dev-index") {
                out.push(' ');
                push_dev(v, out, i as i32);
            }
        }
        // The message kind: ETHTOOL_MSG_<KIND>_{GET,SET,ACT,NTF}[_REPLY].
        let tn = v.type_str();
        let kind = tn.strip_prefix("ETHTOOL_MSG_").unwrap_or(tn);
        let kind = kind.strip_suffix("_REPLY").unwrap_or(kind);
        let get = kind.ends_with("_GET");
        let kind = ["_GET", "_SET", "_NTF", "_ACT"]
            .iter()
            .find_map(|s| kind.strip_suffix(s))
            .unwrap_or(kind);
        // A GET request says only which device; its answer says the rest.
        if request && get && kind != "STRSET" {
            return true;
        }
        let before = out.len();
        out.push(':');
        let mark = out.len();
        facts(v, kind, n, out);
        if out.len() == mark {
            out.truncate(before);
        }
        true
    }
}

/// The settings of message kind `kind` (LINKMODES, LINKINFO, ...) present in `n`.
fn facts(v: &MessageView, kind: &str, n: Named, out: &mut String) {
    let mut ib = itoa::Buffer::new();
    let mut num = |out: &mut String, label: &str, x: Option<u32>| {
        if let Some(x) = x {
            out.push_str(label);
            out.push_str(ib.format(x));
        }
    };
    let onoff = |out: &mut String, label: &str, x: Option<u8>| {
        if let Some(x) = x {
            out.push_str(label);
            out.push_str(if x != 0 { "on" } else { "off" });
        }
    };
    match kind {
        "LINKMODES" => {
            match n.u32("speed") {
                Some(0 | u32::MAX) => out.push_str(" Speed: Unknown!"),
                Some(s) => {
                    let _ = write!(out, " Speed: {s}Mb/s");
                }
                None => {}
            }
            if let Some(d) = n.u8("duplex") {
                out.push_str(" Duplex: ");
                out.push_str(match d {
                    0 => "Half",
                    1 => "Full",
                    _ => "Unknown!",
                });
            }
            onoff(out, " Autoneg: ", n.u8("autoneg"));
            num(out, " Lanes: ", n.u32("lanes"));
        }
        "LINKINFO" => {
            if let Some(p) = n.u8("port") {
                out.push_str(" Port: ");
                out.push_str(match p {
                    0 => "Twisted Pair",
                    1 => "AUI",
                    2 => "MII",
                    3 => "FIBRE",
                    4 => "BNC",
                    5 => "Direct Attach Copper",
                    0xef => "None",
                    _ => "Other",
                });
            }
            num(out, " PHYAD: ", n.u8("phyaddr").map(u32::from));
            if let Some(t) = n.u8("transceiver") {
                out.push_str(" Transceiver: ");
                out.push_str(match t {
                    0 => "internal",
                    1 => "external",
                    _ => "Unknown!",
                });
            }
        }
        "LINKSTATE" => {
            if let Some(l) = n.u8("link") {
                out.push_str(" Link detected: ");
                out.push_str(if l != 0 { "yes" } else { "no" });
            }
            num(out, " SQI: ", n.u32("sqi"));
            if let Some(s) = n.u8("ext-state") {
                out.push_str(" Link state: ");
                push_enum(
                    out,
                    v.spec_enum("link-ext-state"),
                    "ETHTOOL_LINK_EXT_STATE_",
                    i64::from(s),
                    false,
                );
            }
        }
        "CHANNELS" => {
            for (label, a) in [
                (" RX: ", "rx-count"),
                (" TX: ", "tx-count"),
                (" Other: ", "other-count"),
                (" Combined: ", "combined-count"),
            ] {
                num(out, label, n.u32(a));
            }
            let at = out.len();
            for (label, a) in [
                (" RX ", "rx-max"),
                (" TX ", "tx-max"),
                (" Other ", "other-max"),
                (" Combined ", "combined-max"),
            ] {
                num(out, label, n.u32(a));
            }
            if out.len() > at {
                out.insert_str(at, " (max:");
                out.push(')');
            }
        }
        "RINGS" => {
            for (label, a) in [
                (" RX: ", "rx"),
                (" RX Mini: ", "rx-mini"),
                (" RX Jumbo: ", "rx-jumbo"),
                (" TX: ", "tx"),
                (" RX Buf Len: ", "rx-buf-len"),
            ] {
                num(out, label, n.u32(a));
            }
        }
        "COALESCE" => {
            onoff(out, " Adaptive RX: ", n.u8("use-adaptive-rx"));
            onoff(out, " TX: ", n.u8("use-adaptive-tx"));
            for (label, a) in [
                (" rx-usecs: ", "rx-usecs"),
                (" rx-frames: ", "rx-max-frames"),
                (" tx-usecs: ", "tx-usecs"),
                (" tx-frames: ", "tx-max-frames"),
            ] {
                num(out, label, n.u32(a));
            }
        }
        "PAUSE" => {
            onoff(out, " Autonegotiate: ", n.u8("autoneg"));
            onoff(out, " RX: ", n.u8("rx"));
            onoff(out, " TX: ", n.u8("tx"));
        }
        "EEE" => {
            if let Some(e) = n.u8("enabled") {
                out.push_str(" EEE status: ");
                out.push_str(match (e, n.u8("active")) {
                    (0, _) => "disabled",
                    (_, Some(0)) => "enabled - inactive",
                    (_, Some(_)) => "enabled - active",
                    (_, None) => "enabled",
                });
            }
            num(out, " Tx LPI: ", n.u32("tx-lpi-timer"));
        }
        "DEBUG" => {
            if let Some((value, _, _)) = n.nest("msgmask").and_then(compact) {
                let _ = write!(out, " Current message level: 0x{value:08x} ({value})");
            }
        }
        "WOL" => {
            if let Some(b) = n.nest("modes") {
                out.push_str(" Wake-on:");
                bits(b, out);
            }
        }
        "TSINFO" => {
            if let Some(b) = n.nest("timestamping") {
                out.push_str(" Capabilities:");
                bits(b, out);
            }
            match n.u32("phc-index") {
                Some(i) if i as i32 >= 0 => num(out, " PTP Hardware Clock: ", Some(i)),
                _ if n.get("timestamping").is_some() => out.push_str(" PTP Hardware Clock: none"),
                _ => {}
            }
        }
        "FEATURES" => features(n, out),
        "STRSET" => {
            let mut sets = n
                .nest("stringsets")
                .into_iter()
                .flat_map(|s| s.all("stringset"));
            let def = v.spec_enum("stringset");
            let mut first = true;
            for s in sets.by_ref().take(MAX_NAMES) {
                out.push_str(if first { " " } else { ", " });
                first = false;
                match s.u32("id") {
                    Some(id) => push_enum(out, def, "ETH_SS_", i64::from(id), true),
                    None => out.push('?'),
                }
                if let Some(c) = s.u32("count") {
                    let _ = write!(out, " ({c})");
                }
            }
            more(out, sets.count());
        }
        _ => {}
    }
}

/// Features: the bits a request names; a reply's active count of all and how many are
/// the device lets change (the others are `ethtool -k`'s "[fixed]"); a set reply's actual
/// changes.
fn features(n: Named, out: &mut String) {
    let active = n.nest("active");
    let changes = active.is_some_and(|a| a.get("mask").is_some());
    if let Some(w) = n.nest("wanted").filter(|w| w.get("bits").is_some()) {
        out.push_str(" wanted");
        bits(w, out);
    } else if changes {
        // ETHTOOL_MSG_FEATURES_SET_REPLY: wanted holds what could not be applied, active
        // what changed (value under mask).
        if let Some((_, _, ones)) = active.and_then(compact) {
            let _ = write!(out, " Actual changes: {ones}");
        }
        if let Some((_, _, ones)) = n.nest("wanted").and_then(compact).filter(|c| c.2 > 0) {
            let _ = write!(out, " unapplied: {ones}");
        }
    } else if let Some(a) = active {
        out.push_str(" active");
        bits(a, out);
        if let Some((_, _, ones)) = n.nest("hw").and_then(compact) {
            let _ = write!(out, " changeable {ones}");
        }
    }
}

/// A compact bitset (`value`, `mask`, `size`): the first words of value and mask, and the
/// number of set bits in the value (under the mask when there is one).
fn compact(b: Named) -> Option<(u32, u32, u32)> {
    let e = b.endian();
    let value = b.get("value")?;
    let mask = b.get("mask");
    let mut ones = 0;
    for (i, w) in value.chunks_exact(4).enumerate() {
        let x = e.u32(w, 0).unwrap_or(0);
        let m = mask.and_then(|m| e.u32(m, i * 4)).unwrap_or(u32::MAX);
        ones += (x & m).count_ones();
    }
    let first = e.u32(value, 0)?;
    let first_mask = mask.and_then(|m| e.u32(m, 0)).unwrap_or(u32::MAX);
    Some((first, first_mask, ones))
}

/// A bitset in ethtool's words: named bits of a list bitset (`tx-tcp-segmentation off`,
/// the first few), or for a compact one how many bits are on (of how many, or changed).
fn bits(b: Named, out: &mut String) {
    if let Some(list) = b.nest("bits") {
        let nomask = b.get("nomask").is_some();
        let mut all = list.all("bit");
        let mut shown = 0;
        for bit in all.by_ref().take(MAX_NAMES) {
            out.push(' ');
            match bit.get("name") {
                Some(name) => push_str(out, name),
                None => {
                    let _ = write!(out, "bit{}", bit.u32("index").unwrap_or(0));
                }
            }
            if !nomask {
                out.push_str(if bit.get("value").is_some() {
                    " on"
                } else {
                    " off"
                });
            }
            shown += 1;
        }
        let rest = all.count();
        if shown == 0 {
            out.push_str(" none");
        }
        more(out, rest);
        return;
    }
    let size = b.u32("size");
    match (compact(b), b.get("mask").is_some()) {
        (Some((_, _, ones)), true) => {
            let _ = write!(out, " {ones} changed");
        }
        (Some((_, _, ones)), false) => {
            let _ = write!(out, " {ones}");
            if let Some(s) = size {
                let _ = write!(out, "/{s}");
            }
        }
        (None, _) => out.push_str(" ?"),
    }
}

/// "(+N more)" when `n` > 0.
fn more(out: &mut String, n: usize) {
    if n > 0 {
        let _ = write!(out, " (+{n} more)");
    }
}

#[cfg(test)]
mod tests {
    use super::super::wireguard::genl_summaries;
    use crate::dissect::specs::SpecRegistry;
    use crate::model::Endian;
    use crate::netlink::nla;

    #[test]
    fn replies_and_malformed_payloads() {
        let specs = SpecRegistry::with_embedded();
        let spec = specs.get("ethtool").expect("ethtool spec");
        let t = |set: &str, name: &str| {
            spec.sets
                .get(set)
                .and_then(|s| s.by_name(name))
                .expect(name)
                .value
        };
        let e = Endian::Little;
        let header = nla(
            e,
            t("linkmodes", "header"),
            &nla(e, t("header", "dev-name"), b"eth0\0"),
        );
        // ETHTOOL_MSG_LINKMODES_GET_REPLY (4) and ETHTOOL_MSG_RINGS_GET_REPLY (16).
        let mut lm = vec![4, 1, 0, 0];
        lm.extend(&header);
        lm.extend(nla(e, t("linkmodes", "speed"), &1000u32.to_le_bytes()));
        lm.extend(nla(e, t("linkmodes", "duplex"), &[1]));
        lm.extend(nla(e, t("linkmodes", "autoneg"), &[1]));
        let mut rings = vec![16, 1, 0, 0];
        rings.extend(&header);
        rings.extend(nla(e, t("rings", "rx"), &256u32.to_le_bytes()));
        rings.extend(nla(e, t("rings", "tx"), &512u32.to_le_bytes()));
        // ETHTOOL_MSG_DEBUG_GET_REPLY (7): a compact bitset value 0x7 and one whose value
        // is 2 bytes (no word).
        let debug = |value: &[u8]| {
            let mut m = vec![7, 1, 0, 0];
            m.extend(&header);
            let mut bs = nla(e, t("bitset", "nomask"), &[]);
            bs.extend(nla(e, t("bitset", "size"), &32u32.to_le_bytes()));
            bs.extend(nla(e, t("bitset", "value"), value));
            m.extend(nla(e, t("debug", "msgmask"), &bs));
            m
        };
        // A speed attribute of one byte, and a header that runs past the message.
        let mut short = vec![4, 1, 0, 0];
        short.extend(&header);
        short.extend(nla(e, t("linkmodes", "speed"), &[1]));
        let mut overrun = vec![4, 1, 0, 0];
        overrun.extend([60, 0, 1, 0, 8, 0]);
        let got = genl_summaries(
            "ethtool",
            &[
                (0x2, lm),
                (0x2, rings),
                (0x2, debug(&7u32.to_le_bytes())),
                (0x2, debug(&[7, 0])),
                (0x2, short),
                (0x2, overrun),
                (0x2, vec![4]),
            ],
        );
        assert_eq!(
            got[0],
            "ETHTOOL_MSG_LINKMODES_GET_REPLY eth0: Speed: 1000Mb/s Duplex: Full Autoneg: on"
        );
        assert_eq!(got[1], "ETHTOOL_MSG_RINGS_GET_REPLY eth0: RX: 256 TX: 512");
        assert_eq!(
            got[2],
            "ETHTOOL_MSG_DEBUG_GET_REPLY eth0: Current message level: 0x00000007 (7)"
        );
        assert_eq!(got[3], "ETHTOOL_MSG_DEBUG_GET_REPLY eth0");
        assert_eq!(got[4], "ETHTOOL_MSG_LINKMODES_GET_REPLY eth0");
        assert_eq!(got[5], "ETHTOOL_MSG_LINKMODES_GET_REPLY");
    }

    #[test]
    fn pause_eee_and_wol_in_ethtool_words() {
        let specs = SpecRegistry::with_embedded();
        let spec = specs.get("ethtool").expect("ethtool spec");
        let t = |set: &str, name: &str| {
            spec.sets
                .get(set)
                .and_then(|s| s.by_name(name))
                .expect(name)
                .value
        };
        let e = Endian::Little;
        let hdr = |set: &str| {
            nla(
                e,
                t(set, "header"),
                &nla(e, t("header", "dev-index"), &9u32.to_le_bytes()),
            )
        };
        // ETHTOOL_MSG_PAUSE_GET_REPLY (22), ETHTOOL_MSG_EEE_GET_REPLY (24),
        // ETHTOOL_MSG_WOL_GET_REPLY (9) with a list bitset of two named bits.
        let mut pause = vec![22, 1, 0, 0];
        pause.extend(hdr("pause"));
        pause.extend(nla(e, t("pause", "autoneg"), &[0]));
        pause.extend(nla(e, t("pause", "rx"), &[1]));
        pause.extend(nla(e, t("pause", "tx"), &[0]));
        let mut eee = vec![24, 1, 0, 0];
        eee.extend(hdr("eee"));
        eee.extend(nla(e, t("eee", "active"), &[0]));
        eee.extend(nla(e, t("eee", "enabled"), &[1]));
        eee.extend(nla(e, t("eee", "tx-lpi-timer"), &17u32.to_le_bytes()));
        let bit = |name: &[u8], on: bool| {
            let mut b = nla(e, t("bitset-bit", "name"), name);
            if on {
                b.extend(nla(e, t("bitset-bit", "value"), &[]));
            }
            nla(e, t("bitset-bits", "bit"), &b)
        };
        let mut bits = bit(b"magic\0", true);
        bits.extend(bit(b"phy\0", false));
        let mut wol = vec![9, 1, 0, 0];
        wol.extend(hdr("wol"));
        wol.extend(nla(
            e,
            t("wol", "modes"),
            &nla(e, t("bitset", "bits"), &bits),
        ));
        let got = genl_summaries("ethtool", &[(0x2, pause), (0x2, eee), (0x2, wol)]);
        // Device 9 was never named by an RTM_NEWLINK: ifN.
        assert_eq!(
            got[0],
            "ETHTOOL_MSG_PAUSE_GET_REPLY if9: Autonegotiate: off RX: on TX: off"
        );
        assert_eq!(
            got[1],
            "ETHTOOL_MSG_EEE_GET_REPLY if9: EEE status: enabled - inactive Tx LPI: 17"
        );
        assert_eq!(
            got[2],
            "ETHTOOL_MSG_WOL_GET_REPLY if9: Wake-on: magic on phy off"
        );
    }
}
