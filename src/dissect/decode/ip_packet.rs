//! An IP packet from its network header on, as nflog and nfqueue hand it to user space
//! (NFULA_PAYLOAD, NFQA_PAYLOAD): the IPv4 or IPv6 header, then a TCP, UDP or ICMP header,
//! with Wireshark's field names (`ip.src`, `tcp.dstport`). The packet's own data stays bytes.

use std::fmt::Write as _;

use crate::model::{Node, Value};

/// Filter fields of the nodes.
pub fn fields() -> Vec<String> {
    [
        "ip",
        "ip.version",
        "ip.hdr_len",
        "ip.dsfield",
        "ip.len",
        "ip.id",
        "ip.flags",
        "ip.frag_offset",
        "ip.ttl",
        "ip.proto",
        "ip.checksum",
        "ip.src",
        "ip.dst",
        "ip.options",
        "ipv6",
        "ipv6.version",
        "ipv6.tclass",
        "ipv6.flow",
        "ipv6.plen",
        "ipv6.nxt",
        "ipv6.hlim",
        "ipv6.src",
        "ipv6.dst",
        "tcp",
        "tcp.srcport",
        "tcp.dstport",
        "tcp.seq",
        "tcp.ack",
        "tcp.hdr_len",
        "tcp.flags",
        "tcp.window_size_value",
        "tcp.checksum",
        "tcp.urgent_pointer",
        "tcp.options",
        "tcp.option",
        "tcp.options.mss_val",
        "tcp.options.wscale.shift",
        "tcp.options.timestamp.tsval",
        "udp",
        "udp.srcport",
        "udp.dstport",
        "udp.length",
        "udp.checksum",
        "icmp",
        "icmp.type",
        "icmp.code",
        "icmp.checksum",
        "icmpv6",
        "icmpv6.type",
        "icmpv6.code",
        "icmpv6.checksum",
        "data",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// The one-line summary of [`decode`] without building its nodes (for summary lines).
pub fn summary(b: &[u8]) -> String {
    let mut s = String::new();
    let (l4, at) = match b.first().map(|v| v >> 4) {
        Some(4) if b.len() >= 20 => {
            let ihl = (usize::from(b.first().copied().unwrap_or(0) & 0xf) * 4).clamp(20, b.len());
            let (src, dst) = (
                addr4(b, 12).unwrap_or_default(),
                addr4(b, 16).unwrap_or_default(),
            );
            let _ = write!(
                s,
                "IPv4 {} -> {}",
                std::net::Ipv4Addr::from(src),
                std::net::Ipv4Addr::from(dst)
            );
            let first = be(b, 6, 2).unwrap_or(0) & 0x1fff == 0;
            (first.then(|| b.get(9).copied().unwrap_or(0)), ihl)
        }
        Some(6) if b.len() >= 40 => {
            let (src, dst) = (
                addr6(b, 8).unwrap_or_default(),
                addr6(b, 24).unwrap_or_default(),
            );
            let _ = write!(
                s,
                "IPv6 {} -> {}",
                std::net::Ipv6Addr::from(src),
                std::net::Ipv6Addr::from(dst)
            );
            (b.get(6).copied(), 40)
        }
        _ => return format!("{} bytes", b.len()),
    };
    let r = b.get(at..).unwrap_or_default();
    let port = |o: usize| be(r, o, 2).unwrap_or(0);
    match l4 {
        Some(6) if r.len() >= 20 => {
            let flags = be(r, 12, 2).unwrap_or(0) & 0x1ff;
            let _ = write!(
                s,
                " TCP {} -> {} [{}]",
                port(0),
                port(2),
                tcp_flags(flags).join(", ")
            );
        }
        Some(17 | 136) if r.len() >= 8 => {
            let _ = write!(s, " UDP {} -> {}", port(0), port(2));
        }
        Some(p @ (1 | 58)) if r.len() >= 4 => {
            let label = if p == 1 { "ICMP" } else { "ICMPv6" };
            let (t, c) = (
                r.first().copied().unwrap_or(0),
                r.get(1).copied().unwrap_or(0),
            );
            let _ = write!(s, " {label} type {t} code {c}");
        }
        Some(p) => {
            let _ = write!(s, " proto {p}");
        }
        None => {}
    }
    s
}

/// TCP flag names set in `flags` (the 9 bits after the data offset).
fn tcp_flags(flags: u64) -> Vec<String> {
    [
        (0x100, "AE"),
        (0x80, "CWR"),
        (0x40, "ECE"),
        (0x20, "URG"),
        (0x10, "ACK"),
        (0x08, "PSH"),
        (0x04, "RST"),
        (0x02, "SYN"),
        (0x01, "FIN"),
    ]
    .iter()
    .filter(|(bit, _)| flags & bit != 0)
    .map(|(_, n)| (*n).to_string())
    .collect()
}

/// A big-endian integer of `n` bytes at `at`.
fn be(b: &[u8], at: usize, n: usize) -> Option<u64> {
    let s = b.get(at..at + n)?;
    Some(s.iter().fold(0u64, |v, x| (v << 8) | u64::from(*x)))
}

/// Builds the children of one header node.
struct Hdr<'a> {
    b: &'a [u8],
    base: usize,
    node: Node,
}

impl<'a> Hdr<'a> {
    fn new(name: &str, field: &str, b: &'a [u8], base: usize, at: usize, len: usize) -> Self {
        Hdr {
            b,
            base,
            node: Node::new(
                name.to_string(),
                field.to_string(),
                Value::None,
                base + at,
                len,
            ),
        }
    }

    /// An unsigned field of `n` bytes at `at` (relative to the packet); `hex` shows it so.
    fn uint(&mut self, name: &str, field: &str, at: usize, n: usize, hex: bool) -> Option<u64> {
        let v = be(self.b, at, n)?;
        let mut c = Node::new(
            name.to_string(),
            field.to_string(),
            Value::Uint(v),
            self.base + at,
            n,
        );
        if hex {
            c.display = format!("{v:#0w$x}", w = 2 + 2 * n);
        }
        self.node.children.push(c);
        Some(v)
    }

    fn push(&mut self, n: Node) {
        self.node.children.push(n);
    }
}

/// The packet in `b` (at `start` in the frame): header nodes and a one-line summary.
pub fn decode(b: &[u8], start: usize) -> (Vec<Node>, String) {
    let mut out = Vec::new();
    let mut summary = String::new();
    let version = b.first().map(|v| v >> 4);
    let (l4, proto, at) = match version {
        Some(4) if b.len() >= 20 => {
            let ihl = usize::from(b.first().copied().unwrap_or(0) & 0xf) * 4;
            let ihl = ihl.clamp(20, b.len());
            let mut h = Hdr::new("Internet Protocol Version 4", "ip", b, start, 0, ihl);
            let mut v = Node::new("version", "ip.version", Value::Uint(4), start, 1);
            v.display = "4".into();
            h.push(v);
            h.push(Node::new(
                "header length",
                "ip.hdr_len",
                Value::Uint(ihl as u64),
                start,
                1,
            ));
            h.uint("dsfield", "ip.dsfield", 1, 1, true);
            h.uint("total length", "ip.len", 2, 2, false);
            h.uint("identification", "ip.id", 4, 2, true);
            let ff = be(b, 6, 2).unwrap_or(0);
            h.push(Node::new(
                "flags",
                "ip.flags",
                Value::Uint(ff >> 13),
                start + 6,
                1,
            ));
            h.push(Node::new(
                "fragment offset",
                "ip.frag_offset",
                Value::Uint((ff & 0x1fff) * 8),
                start + 6,
                2,
            ));
            h.uint("time to live", "ip.ttl", 8, 1, false);
            let proto = h.uint("protocol", "ip.proto", 9, 1, false).unwrap_or(0) as u8;
            h.uint("header checksum", "ip.checksum", 10, 2, true);
            let src = addr4(b, 12);
            let dst = addr4(b, 16);
            for (name, field, at, a) in [
                ("source", "ip.src", 12, src),
                ("destination", "ip.dst", 16, dst),
            ] {
                if let Some(a) = a {
                    h.push(Node::new(name, field, Value::Ipv4(a), start + at, 4));
                }
            }
            if ihl > 20 {
                let mut o = Node::new("options", "ip.options", Value::None, start + 20, ihl - 20);
                o.value = Value::Bytes(b.get(20..ihl).unwrap_or_default().to_vec());
                o.display = format!("{} bytes", ihl - 20);
                h.push(o);
            }
            let (s, d) = (src.unwrap_or_default(), dst.unwrap_or_default());
            h.node.display = format!(
                "{} -> {}",
                std::net::Ipv4Addr::from(s),
                std::net::Ipv4Addr::from(d)
            );
            let _ = write!(summary, "IPv4 {}", h.node.display_text());
            out.push(h.node);
            // A fragment after the first has no transport header.
            let l4 = if ff & 0x1fff == 0 { Some(proto) } else { None };
            (l4, proto, ihl)
        }
        Some(6) if b.len() >= 40 => {
            let mut h = Hdr::new("Internet Protocol Version 6", "ipv6", b, start, 0, 40);
            let w = be(b, 0, 4).unwrap_or(0);
            h.push(Node::new(
                "version",
                "ipv6.version",
                Value::Uint(6),
                start,
                1,
            ));
            h.push(Node::new(
                "traffic class",
                "ipv6.tclass",
                Value::Uint((w >> 20) & 0xff),
                start,
                2,
            ));
            h.push(Node::new(
                "flow label",
                "ipv6.flow",
                Value::Uint(w & 0xfffff),
                start + 1,
                3,
            ));
            h.uint("payload length", "ipv6.plen", 4, 2, false);
            let proto = h.uint("next header", "ipv6.nxt", 6, 1, false).unwrap_or(0) as u8;
            h.uint("hop limit", "ipv6.hlim", 7, 1, false);
            let src = addr6(b, 8).unwrap_or_default();
            let dst = addr6(b, 24).unwrap_or_default();
            h.push(Node::new(
                "source",
                "ipv6.src",
                Value::Ipv6(src),
                start + 8,
                16,
            ));
            h.push(Node::new(
                "destination",
                "ipv6.dst",
                Value::Ipv6(dst),
                start + 24,
                16,
            ));
            h.node.display = format!(
                "{} -> {}",
                std::net::Ipv6Addr::from(src),
                std::net::Ipv6Addr::from(dst)
            );
            let _ = write!(summary, "IPv6 {}", h.node.display_text());
            out.push(h.node);
            // Extension headers are left as data.
            (Some(proto), proto, 40)
        }
        _ => {
            let mut d = Node::new("data", "data", Value::Bytes(b.to_vec()), start, b.len());
            d.inherently_opaque = true;
            d.display = format!("{} bytes (not IPv4 or IPv6)", b.len());
            return (vec![d], format!("{} bytes", b.len()));
        }
    };
    let rest = b.get(at..).unwrap_or_default();
    let used = match l4 {
        Some(6) if rest.len() >= 20 => tcp(rest, start + at, &mut out, &mut summary),
        Some(17) | Some(136) if rest.len() >= 8 => {
            let mut h = Hdr::new("User Datagram Protocol", "udp", rest, start + at, 0, 8);
            let s = h
                .uint("source port", "udp.srcport", 0, 2, false)
                .unwrap_or(0);
            let d = h
                .uint("destination port", "udp.dstport", 2, 2, false)
                .unwrap_or(0);
            h.uint("length", "udp.length", 4, 2, false);
            h.uint("checksum", "udp.checksum", 6, 2, true);
            h.node.display = format!("{s} -> {d}");
            let _ = write!(summary, " UDP {s} -> {d}");
            out.push(h.node);
            8
        }
        Some(p @ (1 | 58)) if rest.len() >= 4 => {
            let (name, f) = if p == 1 {
                ("Internet Control Message Protocol", "icmp")
            } else {
                ("Internet Control Message Protocol v6", "icmpv6")
            };
            let mut h = Hdr::new(name, f, rest, start + at, 0, 4);
            let t = h
                .uint("type", &format!("{f}.type"), 0, 1, false)
                .unwrap_or(0);
            let c = h
                .uint("code", &format!("{f}.code"), 1, 1, false)
                .unwrap_or(0);
            h.uint("checksum", &format!("{f}.checksum"), 2, 2, true);
            h.node.display = format!("type {t} code {c}");
            let label = if p == 1 { "ICMP" } else { "ICMPv6" };
            let _ = write!(summary, " {label} type {t} code {c}");
            out.push(h.node);
            4
        }
        _ => {
            let _ = write!(summary, " proto {proto}");
            0
        }
    };
    let data_at = at + used;
    if data_at < b.len() {
        let mut d = Node::new(
            "data",
            "data",
            Value::Bytes(b.get(data_at..).unwrap_or_default().to_vec()),
            start + data_at,
            b.len() - data_at,
        );
        // The packet's own payload: application bytes, opaque by nature.
        d.inherently_opaque = true;
        d.display = format!("{} bytes", b.len() - data_at);
        out.push(d);
    }
    (out, summary)
}

/// A TCP header at the start of `b`; returns its length.
fn tcp(b: &[u8], base: usize, out: &mut Vec<Node>, summary: &mut String) -> usize {
    let off = usize::from(b.get(12).copied().unwrap_or(0) >> 4) * 4;
    let len = off.clamp(20, b.len());
    let mut h = Hdr::new("Transmission Control Protocol", "tcp", b, base, 0, len);
    let s = h
        .uint("source port", "tcp.srcport", 0, 2, false)
        .unwrap_or(0);
    let d = h
        .uint("destination port", "tcp.dstport", 2, 2, false)
        .unwrap_or(0);
    h.uint("sequence number", "tcp.seq", 4, 4, false);
    h.uint("acknowledgment number", "tcp.ack", 8, 4, false);
    h.push(Node::new(
        "header length",
        "tcp.hdr_len",
        Value::Uint(len as u64),
        base + 12,
        1,
    ));
    let flags = be(b, 12, 2).unwrap_or(0) & 0x1ff;
    let names = tcp_flags(flags);
    let mut f = Node::new(
        "flags",
        "tcp.flags",
        Value::Flags {
            value: flags,
            names: names.clone(),
        },
        base + 12,
        2,
    );
    f.display = format!("{} ({flags:#05x})", names.join("|"));
    h.push(f);
    h.uint("window", "tcp.window_size_value", 14, 2, false);
    h.uint("checksum", "tcp.checksum", 16, 2, true);
    h.uint("urgent pointer", "tcp.urgent_pointer", 18, 2, false);
    if len > 20 {
        let mut o = Node::new("options", "tcp.options", Value::None, base + 20, len - 20);
        o.children = tcp_options(b.get(20..len).unwrap_or_default(), base + 20);
        o.display = o
            .children
            .iter()
            .map(|c| c.display_text())
            .collect::<Vec<_>>()
            .join(",");
        h.push(o);
    }
    h.node.display = format!("{s} -> {d} [{}]", names.join(", "));
    let _ = write!(summary, " TCP {s} -> {d} [{}]", names.join(", "));
    out.push(h.node);
    len
}

/// TCP options (RFC 9293, 7323, 2018) as tcpdump names them: `mss 65495`, `sackOK`,
/// `TS val 1 ecr 0`, `nop`, `wscale 10`.
fn tcp_options(b: &[u8], base: usize) -> Vec<Node> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&kind) = b.get(i) {
        let len = match kind {
            0 | 1 => 1,
            _ => usize::from(b.get(i + 1).copied().unwrap_or(0)),
        };
        if len == 0 || i + len > b.len() {
            let mut n = Node::new(
                "option",
                "tcp.option",
                Value::Bytes(b.get(i..).unwrap_or_default().to_vec()),
                base + i,
                b.len() - i,
            );
            n.display = format!("bad option length {len}");
            n.raw = true;
            out.push(n);
            break;
        }
        let at = base + i;
        let mut n = match (kind, len) {
            (2, 4) => {
                let v = be(b, i + 2, 2).unwrap_or(0);
                let mut n = Node::new("mss", "tcp.options.mss_val", Value::Uint(v), at, len);
                n.display = format!("mss {v}");
                n
            }
            (3, 3) => {
                let v = u64::from(b.get(i + 2).copied().unwrap_or(0));
                let mut n = Node::new(
                    "window scale",
                    "tcp.options.wscale.shift",
                    Value::Uint(v),
                    at,
                    len,
                );
                n.display = format!("wscale {v}");
                n
            }
            (8, 10) => {
                let (tv, te) = (be(b, i + 2, 4).unwrap_or(0), be(b, i + 6, 4).unwrap_or(0));
                let mut n = Node::new(
                    "timestamps",
                    "tcp.options.timestamp.tsval",
                    Value::Uint(tv),
                    at,
                    len,
                );
                n.display = format!("TS val {tv} ecr {te}");
                n
            }
            _ => {
                let name = match kind {
                    0 => "eol",
                    1 => "nop",
                    4 => "sackOK",
                    5 => "sack",
                    _ => "option",
                };
                let mut n = Node::new(name, "tcp.option", Value::Uint(u64::from(kind)), at, len);
                n.display = if name == "option" {
                    format!("option {kind}")
                } else {
                    name.to_string()
                };
                n
            }
        };
        if n.name.is_empty() {
            n.name = "option".into();
        }
        out.push(n);
        i += len;
        if kind == 0 {
            break;
        }
    }
    out
}

fn addr4(b: &[u8], at: usize) -> Option<[u8; 4]> {
    <[u8; 4]>::try_from(b.get(at..at + 4)?).ok()
}

fn addr6(b: &[u8], at: usize) -> Option<[u8; 16]> {
    <[u8; 16]>::try_from(b.get(at..at + 16)?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_tcp_and_ipv6_icmp_read_like_wireshark() {
        // IPv4 192.0.2.1 -> 198.51.100.1, TCP 40000 -> 80 SYN, 4 bytes of data.
        let mut p = vec![0x45, 0, 0, 44, 0x12, 0x34, 0x40, 0, 64, 6, 0xab, 0xcd];
        p.extend_from_slice(&[192, 0, 2, 1, 198, 51, 100, 1]);
        p.extend_from_slice(&40000u16.to_be_bytes());
        p.extend_from_slice(&80u16.to_be_bytes());
        p.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0]);
        p.extend_from_slice(b"data");
        let (n, s) = decode(&p, 100);
        assert_eq!(s, "IPv4 192.0.2.1 -> 198.51.100.1 TCP 40000 -> 80 [SYN]");
        assert_eq!(summary(&p), s);
        assert_eq!(n.len(), 3);
        assert_eq!((n[2].offset, n[2].length), (140, 4));
        let dport = n[1]
            .children
            .iter()
            .find(|c| c.field == "tcp.dstport")
            .unwrap();
        assert_eq!((dport.value.clone(), dport.offset), (Value::Uint(80), 122));
        // IPv6 ::1 -> ::1 ICMPv6 echo request.
        let mut p = vec![0x60, 0, 0, 0, 0, 8, 58, 64];
        p.extend_from_slice(&[0; 15]);
        p.push(1);
        p.extend_from_slice(&[0; 15]);
        p.push(1);
        p.extend_from_slice(&[128, 0, 0, 0, 0, 1, 0, 1]);
        let (_, s) = decode(&p, 0);
        assert_eq!(s, "IPv6 ::1 -> ::1 ICMPv6 type 128 code 0");
        assert_eq!(summary(&p), s);
        // Truncated and junk packets never panic.
        for junk in [
            &[0x45u8][..],
            &[0x4f; 30],
            &[0x60; 39],
            &[
                0x45, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0x50,
            ],
        ] {
            let _ = (decode(junk, 0), summary(junk));
        }
    }
}
