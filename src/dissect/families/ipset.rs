//! ipset: summaries in the words of `ipset save` (`create blocked hash:ip family inet timeout
//! 300 comment`, `add blocked 192.0.2.1 timeout 60 comment "nlscope"`), members of listed sets
//! included. All values are big-endian (NLA_F_NET_BYTEORDER), as the spec says.

use std::fmt::Write as _;

use super::text::{dump, push_ip};
use super::{Family, Named};
use crate::dissect::MessageView;
use crate::model::Endian;

/// The ipset module.
pub struct Ipset;

/// Members shown per listed set at most.
const MAX_MEMBERS: usize = 16;

impl Family for Ipset {
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        if dump(v, out) {
            return true;
        }
        let Some(n) = v.named() else {
            return false;
        };
        let op = v.type_str().strip_prefix("IPSET_CMD_").unwrap_or_default();
        let name = text(n, "setname");
        match op {
            "CREATE" => {
                let _ = write!(out, " create {name} {}", text(n, "typename"));
                family(n, out);
                if let Some(d) = n.nest("data") {
                    create_options(d, out);
                }
            }
            "ADD" | "DEL" | "TEST" => {
                let _ = write!(out, " {} {name}", op.to_ascii_lowercase());
                for d in n.nest("data").into_iter().chain(
                    n.nest("adt")
                        .into_iter()
                        .flat_map(|a| a.all("data"))
                        .take(MAX_MEMBERS),
                ) {
                    out.push(' ');
                    member(d, out);
                }
            }
            "LIST" | "SAVE" if !name.is_empty() => {
                let _ = write!(out, " {name}");
                let ty = text(n, "typename");
                if !ty.is_empty() {
                    let _ = write!(out, " {ty}");
                    family(n, out);
                }
                let members: Vec<Named> = n
                    .nest("adt")
                    .into_iter()
                    .flat_map(|a| a.all("data"))
                    .take(MAX_MEMBERS + 1)
                    .collect();
                if !members.is_empty() {
                    out.push_str(" members");
                }
                for (i, d) in members.iter().enumerate() {
                    out.push_str(if i == 0 { " " } else { ", " });
                    if i == MAX_MEMBERS {
                        out.push_str("...");
                        break;
                    }
                    member(*d, out);
                }
            }
            "DESTROY" | "FLUSH" | "HEADER" => {
                let _ = write!(out, " {} {name}", op.to_ascii_lowercase());
                let ty = text(n, "typename");
                if !ty.is_empty() {
                    let _ = write!(out, " {ty}");
                }
            }
            "TYPE" => {
                let _ = write!(out, " type {}", text(n, "typename"));
                family(n, out);
            }
            "PROTOCOL" => {
                if let Some(p) = n.u8("protocol") {
                    let _ = write!(out, " protocol {p}");
                }
            }
            _ => return false,
        }
        true
    }
}

/// A string attribute's text, without its NUL ("" when absent).
fn text(n: Named, name: &str) -> String {
    n.str(name).unwrap_or_default().into_owned()
}

/// ` family inet` / ` family inet6` (NFPROTO_IPV4 / IPV6).
fn family(n: Named, out: &mut String) {
    match n.u8("family") {
        Some(2) => out.push_str(" family inet"),
        Some(10) => out.push_str(" family inet6"),
        _ => {}
    }
}

/// A big-endian integer attribute.
fn be(n: Named, name: &str) -> Option<u64> {
    let b = n.get(name)?;
    match b.len() {
        1 => b.first().map(|v| u64::from(*v)),
        2 => Endian::Big.u16(b, 0).map(u64::from),
        4 => Endian::Big.u32(b, 0).map(u64::from),
        8 => Endian::Big.u64(b, 0),
        _ => None,
    }
}

/// The options `ipset save` prints after a create's type.
fn create_options(d: Named, out: &mut String) {
    for k in ["hashsize", "maxelem", "netmask", "bucketsize", "timeout"] {
        if let Some(v) = be(d, k) {
            let _ = write!(out, " {k} {v}");
        }
    }
    if let (Some(a), Some(b)) = (be(d, "port"), be(d, "port-to")) {
        let _ = write!(out, " range {a}-{b}");
    }
    // IPSET_FLAG_WITH_COUNTERS 1 << 3, WITH_COMMENT 1 << 4, WITH_SKBINFO 1 << 6.
    let flags = be(d, "cadt-flags").unwrap_or(0);
    for (bit, word) in [
        (1 << 3, "counters"),
        (1 << 4, "comment"),
        (1 << 6, "skbinfo"),
    ] {
        if flags & bit != 0 {
            let _ = write!(out, " {word}");
        }
    }
}

/// An element as `ipset save` prints it: `198.51.100.0/24,tcp:443 timeout 60 comment "x"`.
fn member(d: Named, out: &mut String) {
    let mut parts: Vec<String> = Vec::new();
    if let Some(ip) = d.nest("ip") {
        let mut s = String::new();
        if let Some(a) = ip.get("ipv4").or_else(|| ip.get("ipv6")) {
            push_ip(&mut s, a);
        }
        if let Some(c) = be(d, "cidr") {
            let _ = write!(s, "/{c}");
        }
        parts.push(s);
    }
    if let Some(p) = be(d, "port") {
        let proto = match be(d, "proto") {
            Some(6) => "tcp:",
            Some(17) => "udp:",
            _ => "",
        };
        parts.push(format!("{proto}{p}"));
    }
    if let Some(m) = d.get("ether") {
        parts.push(
            m.iter()
                .map(|b| format!("{b:02X}"))
                .collect::<Vec<_>>()
                .join(":"),
        );
    }
    let iface = text(d, "iface");
    if !iface.is_empty() {
        parts.push(iface);
    }
    let nm = text(d, "name");
    if !nm.is_empty() {
        parts.push(nm);
    }
    out.push_str(&parts.join(","));
    if let Some(t) = be(d, "timeout") {
        let _ = write!(out, " timeout {t}");
    }
    for k in ["packets", "bytes"] {
        if let Some(v) = be(d, k) {
            let _ = write!(out, " {k} {v}");
        }
    }
    let c = text(d, "comment");
    if !c.is_empty() {
        let _ = write!(out, " comment \"{c}\"");
    }
}
