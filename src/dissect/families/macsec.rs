//! macsec: SecYs, secure channels and associations as `ip macsec show` prints them (keys
//! never; key ids as ip prints them).

use std::fmt::Write as _;

use super::ip_genl::{cmd, push_hex};
use super::text::{dump, push_dev};
use super::{Family, Named};
use crate::dissect::MessageView;
use crate::netlink::array;

/// The macsec module.
pub struct Macsec;

impl Family for Macsec {
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        if dump(v, out) {
            return true;
        }
        let Some(n) = v.named() else { return false };
        let Some(idx) = n.u32("ifindex") else {
            return false;
        };
        let _ = write!(out, " {idx}: ");
        push_dev(v, out, idx as i32);
        if let Some(s) = n.nest("secy") {
            secy(v, s, out);
            let tx = n.items("txsa-list").count();
            let rx = n.items("rxsc-list").count();
            let _ = write!(out, " TXSA {tx} RXSC {rx}");
        }
        let c = cmd(v, "MACSEC_CMD_");
        if let Some(rx) = n.nest("rxsc-config") {
            out.push_str(" RXSC: ");
            push_sci(out, rx);
            if let Some(a) = rx.u8("active") {
                out.push_str(if a != 0 { ", state on" } else { ", state off" });
            }
        } else if c.ends_with("TXSA") {
            out.push_str(" TXSC");
        }
        if let Some(sa) = n.nest("sa-config") {
            push_sa(sa, out);
        }
        if let Some(t) = n
            .nest("offload")
            .and_then(|o| o.u8("type"))
            .filter(|t| *t != 0)
        {
            out.push_str(match t {
                1 => " offload: phy",
                2 => " offload: mac",
                _ => " offload: ?",
            });
        }
        true
    }
}

/// An SCI (big-endian u64) as 16 hex digits.
fn push_sci(out: &mut String, n: Named) {
    if let Some(b) = n.get("sci").and_then(|b| array::<8>(b, 0)) {
        push_hex(out, &b);
    }
}

fn on(out: &mut String, word: &str, x: Option<u8>) {
    if let Some(x) = x {
        let _ = write!(out, " {word} {}", if x != 0 { "on" } else { "off" });
    }
}

/// ip/ipmacsec.c print_one_secy, short: sci, cipher, icv length, the switches that matter.
fn secy(v: &MessageView, s: Named, out: &mut String) {
    out.push_str(" sci ");
    push_sci(out, s);
    if let Some(c) = s.u64("cipher-suite") {
        let name = v
            .spec_enum("cipher-id")
            .and_then(|d| d.ynl_name_of(c as i64))
            .map(|n| match n {
                "cipher-id-gcm-aes-128" | "default-cipher-id" => "GCM-AES-128",
                "cipher-id-gcm-aes-256" => "GCM-AES-256",
                "cipher-id-gcm-aes-xpn-128" => "GCM-AES-XPN-128",
                "cipher-id-gcm-aes-xpn-256" => "GCM-AES-XPN-256",
                _ => "?",
            });
        match name {
            Some(n) => {
                let _ = write!(out, " cipher {n}");
            }
            None => {
                let _ = write!(out, " cipher {c:#x}");
            }
        }
    }
    if let Some(l) = s.u8("icv-len") {
        let _ = write!(out, " icvlen {l}");
    }
    // protect and send_sci only when off (their defaults keep the line short).
    if s.u8("protect") == Some(0) {
        out.push_str(" protect off");
    }
    if let Some(x) = s.u8("validate") {
        out.push_str(match x {
            0 => " validate disabled",
            1 => " validate check",
            2 => " validate strict",
            _ => " validate ?",
        });
    }
    on(out, "encrypt", s.u8("encrypt"));
    if s.u8("inc-sci") == Some(0) {
        out.push_str(" send_sci off");
    }
}

/// One SA as ip prints it: `0: PN 1024, state on, key 01…` (the key id, not the key).
fn push_sa(sa: Named, out: &mut String) {
    if let Some(an) = sa.u8("an") {
        let _ = write!(out, " SA {an}:");
    }
    if let Some(pn) = sa.get("pn") {
        let pn = match pn.len() {
            8 => sa.u64("pn"),
            _ => sa.u32("pn").map(u64::from),
        };
        if let Some(pn) = pn {
            let _ = write!(out, " PN {pn},");
        }
    }
    if let Some(s) = sa.get("ssci").and_then(|b| array::<4>(b, 0)) {
        let _ = write!(out, " SSCI {:08x}", u32::from_be_bytes(s));
    }
    if let Some(a) = sa.u8("active") {
        out.push_str(if a != 0 { " state on," } else { " state off," });
    }
    if let Some(k) = sa.get("keyid") {
        out.push_str(" key ");
        push_hex(out, k);
    }
    if out.ends_with([',', ':']) {
        out.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::super::ip_genl::harness;

    #[test]
    fn short_and_malformed_payloads() {
        // add-rxsc (1): ifindex 5, rxsc-config { sci, active 1 }.
        let a = [
            8, 0, 1, 0, 5, 0, 0, 0, 24, 0, 2, 0, 12, 0, 1, 0, 0xc6, 0x19, 0x52, 0x8f, 0xe6, 0xa0,
            4, 0xd2, 5, 0, 2, 0, 1, 0, 0, 0,
        ];
        assert_eq!(
            harness::summary("macsec", 1, 1, &a),
            "MACSEC_CMD_ADD_RXSC 5: if5 RXSC: c619528fe6a004d2, state on"
        );
        assert!(!harness::no_panic("macsec", &a).is_empty());
    }
}
