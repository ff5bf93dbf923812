//! Small generic netlink families `ip` configures (fou, SEG6, IOAM6, ila, tcp_metrics), and
//! words the generic netlink summaries share.

use std::fmt::Write as _;

use super::text::{dump, push_dev, push_ip};
use super::{Family, Named};
use crate::dissect::MessageView;
use crate::dissect::specs::EnumDef;
use crate::netlink::array;

/// The YNL names of the bits of `value` set in flags enum `def`, each after a space.
pub(super) fn push_ynl_bits(out: &mut String, def: Option<&EnumDef>, value: u64) {
    let Some(d) = def else { return };
    for ((mask, _), name) in d.entries.iter().zip(d.names) {
        let mask = *mask as u64;
        if mask != 0 && value & mask == mask {
            out.push(' ');
            out.push_str(name);
        }
    }
}

/// The command's name without its family prefix (`MPTCP_PM_CMD_GET_ADDR` -> `GET_ADDR`).
pub(super) fn cmd<'a>(v: &'a MessageView, prefix: &str) -> &'a str {
    let t = v.type_str();
    t.strip_prefix(prefix).unwrap_or(t)
}

/// Bytes as lower-case hex.
pub(super) fn push_hex(out: &mut String, b: &[u8]) {
    for x in b {
        let _ = write!(out, "{x:02x}");
    }
}

/// A big-endian u16 attribute.
pub(super) fn be16(n: Named, name: &str) -> Option<u16> {
    n.get(name)
        .and_then(|b| array::<2>(b, 0))
        .map(u16::from_be_bytes)
}

/// fou: ports and their encapsulation as `ip fou show` prints them.
pub struct Fou;

impl Family for Fou {
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        if dump(v, out) {
            return true;
        }
        let Some(n) = v.named() else { return false };
        let len = out.len();
        // ip/ipfou.c print_fou_mapping.
        if let Some(p) = be16(n, "port") {
            let _ = write!(out, " port {p}");
        }
        if n.u8("type") == Some(2) {
            out.push_str(" gue");
        } else if let Some(p) = n.u8("ipproto") {
            let _ = write!(out, " ipproto {p}");
        }
        for (attr, word) in [
            ("local-v4", " local "),
            ("local-v6", " local "),
            ("peer-v4", " peer "),
            ("peer-v6", " peer "),
        ] {
            if let Some(b) = n.get(attr).filter(|b| b.iter().any(|x| *x != 0)) {
                out.push_str(word);
                push_ip(out, b);
            }
        }
        if let Some(p) = be16(n, "peer-port").filter(|p| *p != 0) {
            let _ = write!(out, " peer_port {p}");
        }
        if let Some(i) = n.u32("ifindex").filter(|i| *i != 0) {
            out.push_str(" dev ");
            push_dev(v, out, i as i32);
        }
        if n.u8("af") == Some(10) {
            out.push_str(" -6");
        }
        out.len() > len
    }
}

/// tcp_metrics: cached per-destination metrics as `ip tcp_metrics show` prints them.
pub struct TcpMetrics;

impl Family for TcpMetrics {
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        if dump(v, out) {
            return true;
        }
        let Some(n) = v.named() else { return false };
        let len = out.len();
        // ip/tcp_metrics.c process_msg.
        if let Some(b) = n.get("addr-ipv4").or_else(|| n.get("addr-ipv6")) {
            out.push(' ');
            push_ip(out, b);
        }
        if let Some(a) = n.u64("age") {
            let _ = write!(out, " age {}.{:03}sec", a / 1000, a % 1000);
        }
        if let Some(m) = n.nest("vals") {
            // rtt and rttvar last, in microseconds, unscaled as ip does (srtt << 3,
            // mdev << 2); the _us values win over the millisecond ones.
            let (mut rtt, mut rttvar) = (None, None);
            for (name, b) in m.iter() {
                let Some(x) = n.endian().u32(b, 0).map(u64::from) else {
                    continue;
                };
                match name {
                    "rtt" => rtt = rtt.or(Some((x * 1000) >> 3)),
                    "rttvar" => rttvar = rttvar.or(Some((x * 1000) >> 2)),
                    "rtt-us" => rtt = Some(x >> 3),
                    "rttvar-us" => rttvar = Some(x >> 2),
                    "ssthresh" | "cwnd" => {
                        let _ = write!(out, " {name} {x}");
                    }
                    "reodering" => {
                        let _ = write!(out, " reordering {x}");
                    }
                    _ => {}
                }
            }
            if let Some(x) = rtt {
                let _ = write!(out, " rtt {x}us");
            }
            if let Some(x) = rttvar {
                let _ = write!(out, " rttvar {x}us");
            }
        }
        if let Some(x) = n.u16("fopen-mss") {
            let _ = write!(out, " fo_mss {x}");
        }
        if let Some(b) = n.get("fopen-cookie") {
            out.push_str(" fo_cookie ");
            push_hex(out, b);
        }
        if let Some(b) = n.get("saddr-ipv4").or_else(|| n.get("saddr-ipv6")) {
            out.push_str(" source ");
            push_ip(out, b);
        }
        out.len() > len
    }
}

/// SEG6: the tunnel source and HMAC keys as `ip sr tunsrc show` / `ip sr hmac show` print
/// them (the secret never).
pub struct Seg6;

impl Family for Seg6 {
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        if dump(v, out) {
            return true;
        }
        let Some(n) = v.named() else { return false };
        let len = out.len();
        if let Some(b) = n.get("dst") {
            out.push_str(" tunsrc addr ");
            push_ip(out, b);
        }
        if let Some(id) = n.u32("hmackeyid") {
            let _ = write!(out, " hmac {id}");
            if let Some(a) = n.u8("algid") {
                out.push_str(" algo ");
                match v
                    .spec_enum("hmac-algo")
                    .and_then(|d| d.ynl_name_of(i64::from(a)))
                {
                    Some(name) => out.push_str(name),
                    None => {
                        let _ = write!(out, "{a}");
                    }
                }
            }
            if n.u8("secretlen") == Some(0) {
                out.push_str(" (delete)");
            }
        }
        out.len() > len
    }
}

/// IOAM6: namespaces and schemas as `ip ioam namespace show` / `schema show` print them.
pub struct Ioam6;

impl Family for Ioam6 {
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        if dump(v, out) {
            return true;
        }
        let Some(n) = v.named() else { return false };
        let len = out.len();
        let (ns, sc) = (n.u16("ns-id"), n.u32("sc-id"));
        if cmd(v, "IOAM6_CMD_").contains("SCHEMA") && !cmd(v, "IOAM6_CMD_").starts_with("NS_") {
            // ip/ipioam6.c print_schema.
            if let Some(s) = sc {
                let _ = write!(out, " schema {s}");
            }
            if let Some(x) = ns {
                let _ = write!(out, " [namespace {x}]");
            }
            if let Some(d) = n.get("sc-data") {
                out.push_str(", data:");
                for b in d.iter().take(16) {
                    let _ = write!(out, " {b:02x}");
                }
                if d.len() > 16 {
                    let _ = write!(out, " (+{} more)", d.len() - 16);
                }
            }
        } else {
            // print_namespace.
            if let Some(x) = ns {
                let _ = write!(out, " namespace {x}");
            }
            if let Some(s) = sc {
                let _ = write!(out, " [schema {s}]");
            } else if n.get("sc-none").is_some() {
                out.push_str(" schema none");
            }
            if let Some(d) = n.u32("ns-data") {
                let _ = write!(out, ", data {d:#010x}");
            }
            if let Some(w) = n.u64("ns-data-wide") {
                let _ = write!(out, ", wide {w:#018x}");
            }
        }
        out.len() > len
    }
}

/// ila: identifier-locator mappings, in the words `ip ila add` takes.
pub struct Ila;

/// A big-endian u64 locator as four 16-bit hex groups (`2001:0:0:1`).
fn push_locator(out: &mut String, b: &[u8]) {
    if b.len() == 8 {
        let g = |i: usize| array::<2>(b, i).map_or(0, u16::from_be_bytes);
        let _ = write!(out, "{:x}:{:x}:{:x}:{:x}", g(0), g(2), g(4), g(6));
    }
}

impl Family for Ila {
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        if dump(v, out) {
            return true;
        }
        let Some(n) = v.named() else { return false };
        let len = out.len();
        for (attr, word) in [
            ("locator-match", " loc_match "),
            ("locator", " loc "),
            ("identifier", " ident "),
        ] {
            if let Some(b) = n.get(attr) {
                out.push_str(word);
                push_locator(out, b);
            }
        }
        if let Some(i) = n.u32("ifindex").filter(|i| *i != 0) {
            out.push_str(" dev ");
            push_dev(v, out, i as i32);
        }
        for (attr, word, def) in [
            ("csum-mode", " csum-mode ", "csum-mode"),
            ("ident-type", " ident-type ", "ident-type"),
            ("hook-type", " hook-type ", "hook-type"),
        ] {
            if let Some(x) = n.u8(attr) {
                out.push_str(word);
                match v.spec_enum(def).and_then(|d| d.ynl_name_of(i64::from(x))) {
                    // iproute2's spelling.
                    Some("adjust-transport") => out.push_str("adj-transport"),
                    Some(name) => out.push_str(name),
                    None => {
                        let _ = write!(out, "{x}");
                    }
                }
            }
        }
        out.len() > len
    }
}

#[cfg(test)]
mod tests {
    use super::harness;

    #[test]
    fn fou_tcp_metrics_seg6_ioam6_ila_short_and_malformed() {
        // fou add (1): port 5555 (big-endian), ipproto 4, af inet6.
        let a = [
            6, 0, 1, 0, 0x15, 0xb3, 0, 0, 5, 0, 3, 0, 4, 0, 0, 0, 5, 0, 2, 0, 10, 0, 0, 0,
        ];
        assert_eq!(
            harness::summary("fou", 1, 1, &a),
            "FOU_CMD_ADD port 5555 ipproto 4 -6"
        );
        assert!(!harness::no_panic("fou", &a).is_empty());
        // tcp_metrics get (1) reply: addr 10.0.0.2, age 1234 ms, vals { cwnd 10 }.
        let t = [
            8, 0, 1, 0, 10, 0, 0, 2, 12, 0, 3, 0, 0xd2, 4, 0, 0, 0, 0, 0, 0, 12, 0, 6, 0, 8, 0, 4,
            0, 10, 0, 0, 0,
        ];
        assert_eq!(
            harness::summary("tcp_metrics", 1, 2, &t),
            "TCP_METRICS_CMD_GET 10.0.0.2 age 1.234sec cwnd 10"
        );
        assert!(!harness::no_panic("tcp_metrics", &t).is_empty());
        // SEG6 sethmac (1): key id 7, secret length 0, algid 1.
        let h = [
            8, 0, 3, 0, 7, 0, 0, 0, 5, 0, 5, 0, 0, 0, 0, 0, 5, 0, 6, 0, 1, 0, 0, 0,
        ];
        assert_eq!(
            harness::summary("SEG6", 1, 1, &h),
            "SEG6_CMD_SETHMAC hmac 7 algo sha1 (delete)"
        );
        assert!(!harness::no_panic("SEG6", &h).is_empty());
        // IOAM6 add namespace (1): ns-id 9, ns-data 10.
        let i = [6, 0, 1, 0, 9, 0, 0, 0, 8, 0, 2, 0, 10, 0, 0, 0];
        assert_eq!(
            harness::summary("IOAM6", 1, 1, &i),
            "IOAM6_CMD_ADD_NAMESPACE namespace 9, data 0x0000000a"
        );
        assert!(!harness::no_panic("IOAM6", &i).is_empty());
        // ila add (1): locator 2001:0:0:2, csum-mode 3.
        let l = [
            12, 0, 1, 0, 0x20, 1, 0, 0, 0, 0, 0, 2, 5, 0, 7, 0, 3, 0, 0, 0,
        ];
        assert_eq!(
            harness::summary("ila", 1, 1, &l),
            "ILA_CMD_ADD loc 2001:0:0:2 csum-mode neutral-map-auto"
        );
        assert!(!harness::no_panic("ila", &l).is_empty());
    }
}

#[cfg(test)]
pub(super) mod harness {
    use crate::dissect::Dissector;
    use crate::dissect::specs::SpecRegistry;
    use crate::model::Endian;
    use crate::netlink::nlmsg;

    fn dissector(name: &str) -> Dissector {
        let mut d = Dissector::new(SpecRegistry::with_embedded());
        d.pin_genl(0x30, name);
        d
    }

    fn one(d: &mut Dissector, cmd: u8, flags: u16, attrs: &[u8]) -> String {
        one_seq(d, cmd, flags, 1, attrs)
    }

    fn one_seq(d: &mut Dissector, cmd: u8, flags: u16, seq: u32, attrs: &[u8]) -> String {
        let mut p = vec![cmd, 1, 0, 0];
        p.extend_from_slice(attrs);
        let mut f = vec![0, 4, 0x03, 0x38, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16];
        f.extend_from_slice(&nlmsg(Endian::Little, 0x30, flags, seq, 0, &p));
        let fi = d.index_frame(&f, 253, Endian::Little);
        fi.msgs
            .first()
            .map(|m| d.view(&f, m).summary())
            .unwrap_or_default()
    }

    /// The summary of one generic netlink message of family `name`, command `cmd`, flags
    /// `flags` (0x1 request: to the kernel), attributes `attrs`.
    pub fn summary(name: &str, cmd: u8, flags: u16, attrs: &[u8]) -> String {
        one(&mut dissector(name), cmd, flags, attrs)
    }

    /// A multicast event (portid 0, sequence 0) of family `name`.
    pub fn event(name: &str, cmd: u8, attrs: &[u8]) -> String {
        one_seq(&mut dissector(name), cmd, 0, 0, attrs)
    }

    /// Every command of family `name`, both ways, over truncations and a corruption of
    /// `attrs`: no panic, and the summaries are returned.
    pub fn no_panic(name: &str, attrs: &[u8]) -> Vec<String> {
        let mut d = dissector(name);
        let mut bad = attrs.to_vec();
        for (i, b) in bad.iter_mut().enumerate() {
            if i % 4 == 0 {
                *b = b.wrapping_add(3);
            }
        }
        let mut out = Vec::new();
        for cmd in 0..24u8 {
            for flags in [0x1, 0x2, 0x301] {
                for n in (0..=attrs.len()).step_by(3) {
                    out.push(one(&mut d, cmd, flags, attrs.get(..n).unwrap_or_default()));
                }
                out.push(one(&mut d, cmd, flags, &bad));
            }
        }
        out
    }
}
