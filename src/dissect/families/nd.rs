//! rt-nduseropt: ND user options (RTM_NEWNDUSEROPT), the router advertisement options the
//! kernel passes to user space, decoded per RFC 4861, 4191, 8106, 8910 and 8781.

use std::fmt::Write as _;

use super::text::{dump, push_dev, push_ip};
use super::{Family, Payload};
use crate::dissect::MessageView;
use crate::dissect::specs::SpecRegistry;
use crate::model::{Endian, Node, Severity, Value};

/// The rt-nduseropt module.
pub struct NdUserOpt;

impl Family for NdUserOpt {
    fn between(&self, p: &Payload<'_>, header_end: usize) -> Option<(Node, usize)> {
        nd_options(p, header_end)
    }

    fn fields(&self, _specs: &SpecRegistry) -> Vec<String> {
        let mut out = vec!["rt-nduseropt.nd-options".to_string(), ND_OPTION.to_string()];
        out.extend(ND_OPTION_FIELDS.iter().map(|f| format!("{ND_OPTION}.{f}")));
        out
    }

    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        dump(v, out) || nduseropt(v, out)
    }
}

/// struct nduseroptmsg (16 bytes), the ND options, NDUSEROPT_SRCADDR (ip monitor's
/// nduseropt lines name the option; RDNSS servers are shown).
fn nduseropt(v: &MessageView, out: &mut String) -> bool {
    let (p, e) = (v.payload_bytes(), v.index().endian);
    if p.len() < 16 {
        return false;
    }
    let opts_len = usize::from(e.u16(p, 2).unwrap_or(0));
    let ifindex = e.u32(p, 4).unwrap_or(0) as i32;
    let opts = p.get(16..16 + opts_len).unwrap_or(&[]);
    let mut at = 0;
    while let (Some(&ty), Some(&units)) = (opts.get(at), opts.get(at + 1)) {
        let len = usize::from(units) * 8;
        if len == 0 {
            break;
        }
        let body = opts.get(at..at + len).unwrap_or(&[]);
        match ty {
            25 => {
                out.push_str(" rdnss");
                for a in body.get(8..).unwrap_or(&[]).chunks_exact(16) {
                    out.push(' ');
                    push_ip(out, a);
                }
            }
            31 => out.push_str(" dnssl"),
            3 => {
                out.push_str(" prefix ");
                if push_ip(out, body.get(16..32).unwrap_or(&[])) {
                    let _ = write!(out, "/{}", body.get(2).copied().unwrap_or(0));
                }
            }
            37 => out.push_str(" captive-portal"),
            38 => out.push_str(" pref64"),
            t => {
                let _ = write!(out, " option {t}");
            }
        }
        at += len;
    }
    out.push_str(" dev ");
    push_dev(v, out, ifindex);
    let attrs_at = 16 + ((opts_len + 3) & !3);
    if let Some(src) = v.named().and_then(|n| n.over(p, attrs_at).get("srcaddr")) {
        out.push_str(" from ");
        push_ip(out, src);
    }
    true
}

/// Field path of one ND option node.
const ND_OPTION: &str = "rt-nduseropt.nd-option";
/// Field paths of the nodes the ND option decoder below emits (for the filter catalog).
const ND_OPTION_FIELDS: &[&str] = &[
    "type",
    "len",
    "data",
    "reserved",
    "lifetime",
    "server",
    "domains",
    "prefix-len",
    "prefix-flags",
    "valid-lifetime",
    "preferred-lifetime",
    "prefix",
    "uri",
    "scaled-lifetime",
    "plc",
];

/// ND options of an RTM_NEWNDUSEROPT: `nduseropt_opts_len` bytes right after struct
/// nduseroptmsg (net/ipv6/ndisc.c, ndisc_ra_useropt), before the attributes. Returns the node and
/// where the attributes start. Option bodies this code does not know are raw bytes.
fn nd_options(p: &Payload<'_>, pos: usize) -> Option<(Node, usize)> {
    let (data, end) = (p.data, p.end);
    if pos >= end {
        return None;
    }
    let want = usize::from(p.m.endian.u16(data, p.start + 2)?);
    let avail = end.saturating_sub(pos);
    let len = want.min(avail);
    let opts_end = pos + len;
    let mut n = Node::new(
        "nd options",
        "rt-nduseropt.nd-options",
        Value::None,
        pos,
        len,
    );
    n.display = format!("{len} bytes");
    if want > avail {
        n.set_expert(
            Severity::Warning,
            format!("nduseropt_opts_len is {want} but only {avail} bytes follow the header"),
        );
    }
    let mut at = pos;
    while at + 2 <= opts_end {
        let ty = data.get(at).copied().unwrap_or(0);
        let units = usize::from(data.get(at + 1).copied().unwrap_or(0));
        let olen = units * 8;
        if olen == 0 || at + olen > opts_end {
            let mut bad = Node::new(
                "nd option",
                ND_OPTION,
                Value::Bytes(data.get(at..opts_end).unwrap_or(&[]).to_vec()),
                at,
                opts_end - at,
            );
            bad.raw = true;
            bad.set_expert(Severity::Warning, "ND option length runs past the options");
            n.children.push(bad);
            break;
        }
        n.children.push(nd_option(data, at, ty, olen));
        at += olen;
    }
    Some((n, opts_end))
}

/// Names of ND option types (RFC 4861, 4191, 8106, 8910, 8781).
fn nd_option_name(ty: u8) -> &'static str {
    match ty {
        1 => "ND_OPT_SOURCE_LINKADDR",
        2 => "ND_OPT_TARGET_LINKADDR",
        3 => "ND_OPT_PREFIX_INFORMATION",
        4 => "ND_OPT_REDIRECTED_HEADER",
        5 => "ND_OPT_MTU",
        24 => "ND_OPT_ROUTE_INFO",
        25 => "ND_OPT_RDNSS",
        31 => "ND_OPT_DNSSL",
        37 => "ND_OPT_CAPTIVE_PORTAL",
        38 => "ND_OPT_PREF64",
        _ => "ND option",
    }
}

fn be32(data: &[u8], at: usize) -> u64 {
    Endian::Big.u32(data, at).map_or(0, u64::from)
}

fn ipv6_at(data: &[u8], at: usize) -> Option<[u8; 16]> {
    let mut a = [0u8; 16];
    a.copy_from_slice(data.get(at..at + 16)?);
    Some(a)
}

/// One ND option at `at`, `olen` bytes (checked to be inside the data by the caller).
fn nd_option(data: &[u8], at: usize, ty: u8, olen: usize) -> Node {
    const F: &str = ND_OPTION;
    let name = nd_option_name(ty);
    let mut n = Node::new(name, F, Value::None, at, olen);
    let u8_node = |name: &'static str, field: &str, off: usize| {
        Node::new(
            name,
            format!("{F}.{field}"),
            Value::Uint(u64::from(data.get(at + off).copied().unwrap_or(0))),
            at + off,
            1,
        )
    };
    let u32_node = |name: &'static str, field: &str, off: usize| {
        Node::new(
            name,
            format!("{F}.{field}"),
            Value::Uint(be32(data, at + off)),
            at + off,
            4,
        )
    };
    let mut ty_node = Node::new(
        "nd_opt_type",
        format!("{F}.type"),
        Value::Enum {
            value: i64::from(ty),
            name: if name == "ND option" {
                String::new()
            } else {
                name.into()
            },
        },
        at,
        1,
    );
    ty_node.display = ty_node.value.display();
    n.children.push(ty_node);
    let mut len_node = u8_node("nd_opt_len", "len", 1);
    len_node.display = format!("{} ({olen} bytes)", olen / 8);
    n.children.push(len_node);
    let body = |from: usize| -> Node {
        let mut b = Node::new(
            "data",
            format!("{F}.data"),
            Value::Bytes(data.get(at + from..at + olen).unwrap_or(&[]).to_vec()),
            at + from,
            olen.saturating_sub(from),
        );
        b.raw = true;
        b
    };
    match ty {
        // RDNSS / DNSSL: reserved(2), lifetime(4), then addresses / encoded names.
        25 | 31 if olen >= 8 => {
            n.children.push(Node::new(
                "reserved",
                format!("{F}.reserved"),
                Value::None,
                at + 2,
                2,
            ));
            let mut lt = u32_node("lifetime", "lifetime", 4);
            lt.display = format!("{} s", be32(data, at + 4));
            n.children.push(lt);
            if ty == 25 {
                let mut off = 8;
                while off + 16 <= olen {
                    if let Some(a) = ipv6_at(data, at + off) {
                        n.children.push(Node::new(
                            "server",
                            format!("{F}.server"),
                            Value::Ipv6(a),
                            at + off,
                            16,
                        ));
                    }
                    off += 16;
                }
            } else {
                let names = dns_names(data.get(at + 8..at + olen).unwrap_or(&[]));
                let mut d = Node::new(
                    "domains",
                    format!("{F}.domains"),
                    Value::Str(names),
                    at + 8,
                    olen - 8,
                );
                d.display = d.value.display();
                n.children.push(d);
            }
        }
        // Prefix information: prefix length, flags (L, A, R), valid, preferred, reserved, prefix.
        3 if olen == 32 => {
            n.children.push(u8_node("prefix_len", "prefix-len", 2));
            let fl = data.get(at + 3).copied().unwrap_or(0);
            let mut names = Vec::new();
            for (bit, nm) in [(0x80u8, "L"), (0x40, "A"), (0x20, "R")] {
                if fl & bit != 0 {
                    names.push(nm.to_string());
                }
            }
            n.children.push(Node::new(
                "flags",
                format!("{F}.prefix-flags"),
                Value::Flags {
                    value: u64::from(fl),
                    names,
                },
                at + 3,
                1,
            ));
            let mut v = u32_node("valid_lifetime", "valid-lifetime", 4);
            v.display = format!("{} s", be32(data, at + 4));
            n.children.push(v);
            let mut p = u32_node("preferred_lifetime", "preferred-lifetime", 8);
            p.display = format!("{} s", be32(data, at + 8));
            n.children.push(p);
            n.children.push(Node::new(
                "reserved",
                format!("{F}.reserved"),
                Value::None,
                at + 12,
                4,
            ));
            if let Some(a) = ipv6_at(data, at + 16) {
                n.children.push(Node::new(
                    "prefix",
                    format!("{F}.prefix"),
                    Value::Ipv6(a),
                    at + 16,
                    16,
                ));
            }
        }
        // Captive portal: a URI padded with NULs.
        37 => {
            let b = data.get(at + 2..at + olen).unwrap_or(&[]);
            let s =
                String::from_utf8_lossy(b.split(|c| *c == 0).next().unwrap_or(&[])).into_owned();
            n.children.push(Node::new(
                "uri",
                format!("{F}.uri"),
                Value::Str(s),
                at + 2,
                olen - 2,
            ));
        }
        // PREF64: scaled lifetime (13 bits) + PLC (3 bits), then 96 bits of the prefix.
        38 if olen == 16 => {
            let v = Endian::Big.u16(data, at + 2).unwrap_or(0);
            let mut lt = Node::new(
                "scaled_lifetime",
                format!("{F}.scaled-lifetime"),
                Value::Uint(u64::from(v >> 3)),
                at + 2,
                2,
            );
            lt.display = format!("{} ({} s)", v >> 3, u32::from(v >> 3) * 8);
            n.children.push(lt);
            n.children.push(Node::new(
                "plc",
                format!("{F}.plc"),
                Value::Uint(u64::from(v & 7)),
                at + 2,
                2,
            ));
            let mut a = [0u8; 16];
            if let Some(b) = data.get(at + 4..at + 16) {
                a[..12].copy_from_slice(b);
            }
            n.children.push(Node::new(
                "prefix",
                format!("{F}.prefix"),
                Value::Ipv6(a),
                at + 4,
                12,
            ));
        }
        _ => n.children.push(body(2)),
    }
    n
}

/// DNS names in wire format (RFC 1035 labels, no compression), comma-separated; stops at the
/// padding.
fn dns_names(b: &[u8]) -> String {
    let mut out = String::new();
    let mut i = 0;
    let mut name = String::new();
    while let Some(&l) = b.get(i) {
        i += 1;
        if l == 0 {
            if name.is_empty() {
                // padding after the last name
                if b.get(i..).is_none_or(|r| r.iter().all(|c| *c == 0)) {
                    break;
                }
                continue;
            }
            if !out.is_empty() {
                out.push_str(", ");
            }
            out.push_str(&name);
            name.clear();
            continue;
        }
        let Some(label) = b.get(i..i + usize::from(l)) else {
            break;
        };
        if !name.is_empty() {
            name.push('.');
        }
        name.push_str(&String::from_utf8_lossy(label));
        i += usize::from(l);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_names_in_wire_format() {
        assert_eq!(
            dns_names(b"\x07example\x03org\x00\x03foo\x00\x00\x00"),
            "example.org, foo"
        );
        assert_eq!(dns_names(b"\x00\x00\x00\x00"), "");
        // a label running past the end stops the walk without panicking
        assert_eq!(dns_names(b"\x03ab"), "");
    }

    #[test]
    fn nd_option_fields_are_listed() {
        // (type, bytes) of each option kind the decoder knows, and an unknown one
        let mut prefix = vec![3u8, 4, 64, 0xc0];
        prefix.resize(32, 0);
        let mut rdnss = vec![25u8, 3, 0, 0, 0, 0, 0, 60];
        rdnss.resize(24, 0);
        let mut dnssl = vec![31u8, 2, 0, 0, 0, 0, 0, 60];
        dnssl.extend(b"\x03foo\x00\x00\x00\x00");
        let mut portal = vec![37u8, 1];
        portal.extend(b"http:/");
        let mut pref64 = vec![38u8, 2, 0x02, 0x58];
        pref64.resize(16, 0);
        for d in [
            prefix,
            rdnss,
            dnssl,
            portal,
            pref64,
            vec![200, 1, 1, 2, 3, 4, 5, 6],
        ] {
            let n = nd_option(&d, 0, d[0], d.len());
            n.walk(&mut |c| {
                let ok = c.field == ND_OPTION
                    || c.field.strip_prefix(ND_OPTION).is_some_and(|rest| {
                        ND_OPTION_FIELDS.iter().any(|f| rest == format!(".{f}"))
                    });
                assert!(ok, "{} (option {}) not in ND_OPTION_FIELDS", c.field, d[0]);
            });
        }
    }

    #[test]
    fn nd_option_kinds() {
        // PREF64: scaled lifetime 75 (600 s), PLC 0, 64:ff9b::/96
        let mut d = vec![38u8, 2, 0x02, 0x58];
        d.extend([0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0]);
        let n = nd_option(&d, 0, 38, 16);
        assert_eq!(n.name, "ND_OPT_PREF64");
        let lt = n
            .children
            .iter()
            .find(|c| c.name == "scaled_lifetime")
            .unwrap();
        assert_eq!(lt.display_text(), "75 (600 s)");
        let pfx = n.children.iter().find(|c| c.name == "prefix").unwrap();
        assert_eq!(pfx.display_text(), "64:ff9b::");
        // an unknown option keeps its body as raw bytes
        let n = nd_option(&[200, 1, 1, 2, 3, 4, 5, 6], 0, 200, 8);
        assert!(n.children.iter().any(|c| c.raw && c.name == "data"));
    }
}
