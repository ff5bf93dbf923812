//! conntrack (ctnetlink, nfnetlink subsystem NFNL_SUBSYS_CTNETLINK): flows summarized the way
//! `conntrack -L` prints them (libnetfilter_conntrack's default format), events with
//! `conntrack -E`'s `[NEW]`/`[UPDATE]`/`[DESTROY]` first, per-CPU statistics like
//! `conntrack -S`.

use std::fmt::Write as _;

use super::text::{dump, push_ip};
use super::{Family, Named};
use crate::dissect::MessageView;
use crate::model::{Direction, Endian};

/// The conntrack module.
pub struct Conntrack;

/// NLM_F_MULTI.
const F_MULTI: u16 = 0x2;
/// NLM_F_CREATE | NLM_F_EXCL: a NEW event (an UPDATE has neither).
const F_CREATE_EXCL: u16 = 0x400 | 0x200;
/// IPS_SEEN_REPLY.
const IPS_SEEN_REPLY: u32 = 1 << 1;
/// IPS_ASSURED.
const IPS_ASSURED: u32 = 1 << 2;
/// IPS_OFFLOAD.
const IPS_OFFLOAD: u32 = 1 << 14;
/// IPS_HW_OFFLOAD.
const IPS_HW_OFFLOAD: u32 = 1 << 15;

fn be32(n: Named, name: &str) -> Option<u32> {
    Endian::Big.u32(n.get(name)?, 0)
}

fn be16(n: Named, name: &str) -> Option<u16> {
    Endian::Big.u16(n.get(name)?, 0)
}

fn be64(n: Named, name: &str) -> Option<u64> {
    Endian::Big.u64(n.get(name)?, 0)
}

impl Family for Conntrack {
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        if dump(v, out) {
            return true;
        }
        let Some(n) = v.named() else {
            return false;
        };
        let m = v.index();
        match v.type_str() {
            t @ ("IPCTNL_MSG_CT_NEW" | "IPCTNL_MSG_CT_DELETE" | "IPCTNL_MSG_CT_GET") => {
                let event = m.direction == Direction::FromKernel
                    && m.flags & F_MULTI == 0
                    && m.seq == 0
                    && m.pid == 0;
                if event {
                    out.push_str(match t {
                        "IPCTNL_MSG_CT_DELETE" => " [DESTROY]",
                        _ if m.flags & F_CREATE_EXCL != 0 => " [NEW]",
                        _ => " [UPDATE]",
                    });
                }
                if t == "IPCTNL_MSG_CT_DELETE"
                    && m.direction == Direction::ToKernel
                    && n.iter().next().is_none()
                {
                    // No tuple, no filter: `conntrack -F`.
                    out.push_str(" flush");
                    return true;
                }
                flow(n, out);
                true
            }
            "IPCTNL_MSG_CT_GET_STATS_CPU" if m.direction == Direction::FromKernel => {
                // The CPU is nfgenmsg's res_id (big-endian).
                let cpu = Endian::Big.u16(v.payload_bytes(), 2).unwrap_or(0);
                let _ = write!(out, " cpu={cpu}");
                for (name, payload) in n.iter() {
                    if let (false, Some(x)) = (name.is_empty(), Endian::Big.u32(payload, 0)) {
                        let word = match name {
                            "chain-toolong" => "chaintoolong".to_string(),
                            w => w.replace('-', "_"),
                        };
                        let _ = write!(out, " {word}={x}");
                    }
                }
                true
            }
            "IPCTNL_MSG_CT_GET_STATS" if m.direction == Direction::FromKernel => {
                for (name, payload) in n.iter() {
                    if let (false, Some(x)) = (name.is_empty(), Endian::Big.u32(payload, 0)) {
                        let _ = write!(out, " {}={x}", name.replace('-', "_"));
                    }
                }
                true
            }
            _ => false,
        }
    }

    /// A connection: its id (CTA_ID).
    fn object_key(&self, v: &MessageView, key: &mut Vec<u8>) -> bool {
        if v.index().direction != crate::model::Direction::FromKernel {
            return false;
        }
        let Some(id) = v.named().and_then(|n| n.get("id")) else {
            return false;
        };
        key.extend_from_slice(id);
        true
    }
}

/// The layer 4 protocol name conntrack prints.
fn proto_name(p: u8) -> &'static str {
    match p {
        1 => "icmp",
        6 => "tcp",
        17 => "udp",
        33 => "dccp",
        47 => "gre",
        58 => "icmpv6",
        132 => "sctp",
        136 => "udplite",
        _ => "unknown",
    }
}

/// TCP_CONNTRACK_* as libnetfilter_conntrack names them.
fn tcp_state(s: u8) -> &'static str {
    match s {
        0 => "NONE",
        1 => "SYN_SENT",
        2 => "SYN_RECV",
        3 => "ESTABLISHED",
        4 => "FIN_WAIT",
        5 => "CLOSE_WAIT",
        6 => "LAST_ACK",
        7 => "TIME_WAIT",
        8 => "CLOSE",
        9 => "SYN_SENT2",
        _ => "UNKNOWN",
    }
}

/// SCTP_CONNTRACK_* as libnetfilter_conntrack names them.
fn sctp_state(s: u8) -> &'static str {
    match s {
        0 => "NONE",
        1 => "CLOSED",
        2 => "COOKIE_WAIT",
        3 => "COOKIE_ECHOED",
        4 => "ESTABLISHED",
        5 => "SHUTDOWN_SENT",
        6 => "SHUTDOWN_RECD",
        7 => "SHUTDOWN_ACK_SENT",
        8 => "HEARTBEAT_SENT",
        _ => "UNKNOWN",
    }
}

/// One flow in `conntrack -L` words: `tcp 6 119 TIME_WAIT src=... dst=... sport=...
/// dport=... src=... [ASSURED] mark=0 use=1`.
fn flow(n: Named, out: &mut String) {
    let orig = n.nest("tuple-orig");
    let reply = n.nest("tuple-reply");
    let proto = orig
        .or(reply)
        .and_then(|t| t.nest("proto"))
        .and_then(|p| p.u8("num"));
    if let Some(p) = proto {
        let _ = write!(out, " {} {p}", proto_name(p));
    }
    if let Some(t) = be32(n, "timeout") {
        let _ = write!(out, " {t}");
    }
    if let Some(pi) = n.nest("protoinfo") {
        if let Some(s) = pi.nest("tcp").and_then(|t| t.u8("state")) {
            let _ = write!(out, " {}", tcp_state(s));
        } else if let Some(s) = pi.nest("sctp").and_then(|t| t.u8("state")) {
            let _ = write!(out, " {}", sctp_state(s));
        }
    }
    if let Some(t) = orig {
        tuple(t, out, "orig");
    }
    if let Some(c) = n.nest("counters-orig") {
        counters(c, out);
    }
    let status = be32(n, "status");
    if let Some(s) = status
        && s & IPS_SEEN_REPLY == 0
    {
        out.push_str(" [UNREPLIED]");
    }
    if let Some(t) = reply {
        tuple(t, out, "reply");
    }
    if let Some(c) = n.nest("counters-reply") {
        counters(c, out);
    }
    let s = status.unwrap_or(0);
    if s & IPS_ASSURED != 0 {
        out.push_str(" [ASSURED]");
    }
    if s & IPS_OFFLOAD != 0 {
        out.push_str(" [OFFLOAD]");
    }
    if s & IPS_HW_OFFLOAD != 0 {
        out.push_str(" [HW_OFFLOAD]");
    }
    if let Some(x) = be32(n, "mark") {
        let _ = write!(out, " mark={x}");
    }
    if let Some(x) = be32(n, "secmark") {
        let _ = write!(out, " secmark={x}");
    }
    if let Some(ctx) = n.nest("secctx").and_then(|c| c.get("name")) {
        out.push_str(" secctx=");
        super::text::push_str(out, ctx);
    }
    if let Some(z) = be16(n, "zone") {
        let _ = write!(out, " zone={z}");
    }
    if let Some(l) = n.get("labels")
        && l.iter().any(|b| *b != 0)
    {
        // Label bits by number (conntrack prints connlabel.conf names; none are read).
        out.push_str(" labels=");
        let mut first = true;
        for (i, b) in l.iter().enumerate().take(16) {
            for bit in 0..8 {
                if b & (1 << bit) != 0 {
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    let _ = write!(out, "{}", i * 8 + bit);
                }
            }
        }
    }
    if let Some(u) = be32(n, "use") {
        let _ = write!(out, " use={u}");
    }
}

/// ` src=A dst=B sport=P dport=Q` (or ICMP's `type=8 code=0 id=445`), ` zone-orig=Z` (`dir`).
fn tuple(t: Named, out: &mut String, dir: &str) {
    if let Some(ip) = t.nest("ip") {
        for (word, v4, v6) in [("src", "v4-src", "v6-src"), ("dst", "v4-dst", "v6-dst")] {
            if let Some(a) = ip.get(v4).or_else(|| ip.get(v6)) {
                let _ = write!(out, " {word}=");
                if !push_ip(out, a) {
                    out.push('?');
                }
            }
        }
    }
    if let Some(p) = t.nest("proto") {
        let (ty, code, id) = match p.u8("num") {
            Some(58) => ("icmpv6-type", "icmpv6-code", "icmpv6-id"),
            _ => ("icmp-type", "icmp-code", "icmp-id"),
        };
        if let Some(x) = p.u8(ty) {
            let _ = write!(out, " type={x}");
        }
        if let Some(x) = p.u8(code) {
            let _ = write!(out, " code={x}");
        }
        if let Some(x) = be16(p, id) {
            let _ = write!(out, " id={x}");
        }
        if let Some(x) = be16(p, "src-port") {
            let _ = write!(out, " sport={x}");
        }
        if let Some(x) = be16(p, "dst-port") {
            let _ = write!(out, " dport={x}");
        }
    }
    if let Some(z) = be16(t, "zone") {
        let _ = write!(out, " zone-{dir}={z}");
    }
}

/// The conntrack-exp module: expectations in `conntrack -L expect` words.
pub struct Expect;

impl Family for Expect {
    /// `300 proto=6 src=A dst=B sport=0 dport=41739 mask-src=... master-src=... sport=36390
    /// dport=21 class=0 helper=ftp`.
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        if dump(v, out) {
            return true;
        }
        let Some(n) = v.named() else {
            return false;
        };
        let Some(t) = n.nest("tuple") else {
            return false;
        };
        if let Some(x) = be32(n, "timeout") {
            let _ = write!(out, " {x}");
        }
        if let Some(p) = t.nest("proto").and_then(|p| p.u8("num")) {
            let _ = write!(out, " proto={p}");
        }
        tuple(t, out, "orig");
        for (name, prefix) in [("mask", "mask-"), ("master", "master-")] {
            if let Some(x) = n.nest(name) {
                let mut s = String::new();
                tuple(x, &mut s, "orig");
                out.push_str(&s.replacen(" src=", &format!(" {prefix}src="), 1).replacen(
                    " dst=",
                    &format!(" {prefix}dst="),
                    1,
                ));
            }
        }
        if let Some(c) = be32(n, "class") {
            let _ = write!(out, " class={c}");
        }
        if let Some(h) = n.str("help-name").filter(|h| !h.is_empty()) {
            let _ = write!(out, " helper={h}");
        }
        true
    }
}

/// ` packets=N bytes=M` of a direction's counters.
fn counters(c: Named, out: &mut String) {
    let packets = be64(c, "counters-packets").or(be32(c, "counters32-packets").map(u64::from));
    let bytes = be64(c, "counters-bytes").or(be32(c, "counters32-bytes").map(u64::from));
    if let (Some(p), Some(b)) = (packets, bytes) {
        let _ = write!(out, " packets={p} bytes={b}");
    }
}

#[cfg(test)]
mod tests {
    use super::super::nftables::tests::{A, A::*, enc};
    use crate::dissect::Dissector;
    use crate::dissect::specs::SpecRegistry;
    use crate::model::Endian;

    /// Summaries of ctnetlink messages (op name, direction's message value, flags, seq,
    /// attributes) read by one dissector.
    fn summaries(msgs: Vec<(u16, u16, u32, Vec<A>)>) -> Vec<String> {
        let specs = SpecRegistry::with_embedded();
        let spec = specs.get("conntrack").unwrap().clone();
        let mut d = Dissector::new(specs);
        msgs.into_iter()
            .map(|(ty, flags, seq, attrs)| {
                let mut p = vec![10, 0, 0, 0];
                enc(&spec, "ct-attrs", &attrs, &mut p);
                let mut f = vec![0, 4, 0x03, 0x38, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12];
                f.extend(crate::netlink::nlmsg(Endian::Little, ty, flags, seq, 0, &p));
                let fi = d.index_frame(&f, 253, Endian::Little);
                d.view(&f, &fi.msgs[0]).summary()
            })
            .collect()
    }

    fn tuple(name: &'static str, src: [u8; 16], dst: [u8; 16], sp: u16, dp: u16) -> A {
        Nest(
            name,
            "tuple-attrs",
            vec![
                Nest(
                    "ip",
                    "ip-attrs",
                    vec![Bytes("v6-src", src.to_vec()), Bytes("v6-dst", dst.to_vec())],
                ),
                Nest(
                    "proto",
                    "proto-attrs",
                    vec![
                        U8("num", 17),
                        Bytes("src-port", sp.to_be_bytes().to_vec()),
                        Bytes("dst-port", dp.to_be_bytes().to_vec()),
                    ],
                ),
            ],
        )
    }

    #[test]
    fn ipv6_flows_counters_zones_and_destroy_events() {
        let a = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        let b = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
        let counters = |name| {
            Nest(
                name,
                "counters-attrs",
                vec![
                    Bytes("counters-packets", 3u64.to_be_bytes().to_vec()),
                    Bytes("counters-bytes", 180u64.to_be_bytes().to_vec()),
                ],
            )
        };
        let flow = || {
            vec![
                tuple("tuple-orig", a, b, 5353, 53),
                counters("counters-orig"),
                tuple("tuple-reply", b, a, 53, 5353),
                counters("counters-reply"),
                U32("status", 0x8 | 0x2),
                U32("timeout", 25),
                Bytes("zone", 4u16.to_be_bytes().to_vec()),
            ]
        };
        // IPCTNL_MSG_CT_NEW (0x100) in a dump; IPCTNL_MSG_CT_DELETE (0x102) as an event.
        let got = summaries(vec![(0x100, 0x2, 9, flow()), (0x102, 0, 0, flow())]);
        let line = "udp 17 25 src=2001:db8::1 dst=2001:db8::2 sport=5353 dport=53 packets=3 \
                    bytes=180 src=2001:db8::2 dst=2001:db8::1 sport=53 dport=5353 packets=3 \
                    bytes=180 zone=4";
        assert_eq!(
            got,
            [
                format!("IPCTNL_MSG_CT_NEW {line}"),
                format!("IPCTNL_MSG_CT_DELETE [DESTROY] {line}"),
            ]
        );
    }

    #[test]
    fn truncated_flows_do_not_panic() {
        let specs = SpecRegistry::with_embedded();
        let spec = specs.get("conntrack").unwrap().clone();
        let mut d = Dissector::new(specs);
        let mut p = vec![2, 0, 0, 0];
        let t = [1u8; 16];
        enc(
            &spec,
            "ct-attrs",
            &[tuple("tuple-orig", t, t, 1, 2)],
            &mut p,
        );
        for cut in 0..=p.len() {
            let mut f = vec![0, 4, 0x03, 0x38, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12];
            let q = &p[..cut];
            f.extend(crate::netlink::nlmsg(Endian::Little, 0x100, 0x2, 1, 0, q));
            let fi = d.index_frame(&f, 253, Endian::Little);
            for m in &fi.msgs {
                let _ = d.view(&f, m).summary();
            }
        }
    }

    #[test]
    fn expectations_read_like_conntrack_l_expect() {
        let specs = SpecRegistry::with_embedded();
        let spec = specs.get("conntrack-exp").unwrap().clone();
        let mut d = Dissector::new(specs);
        let t = |name: &'static str, src: [u8; 4], dst: [u8; 4], sp: u16, dp: u16| {
            Nest(
                name,
                "tuple-attrs",
                vec![
                    Nest(
                        "ip",
                        "ip-attrs",
                        vec![Bytes("v4-src", src.to_vec()), Bytes("v4-dst", dst.to_vec())],
                    ),
                    Nest(
                        "proto",
                        "proto-attrs",
                        vec![
                            U8("num", 6),
                            Bytes("src-port", sp.to_be_bytes().to_vec()),
                            Bytes("dst-port", dp.to_be_bytes().to_vec()),
                        ],
                    ),
                ],
            )
        };
        let attrs = vec![
            t("master", [192, 0, 2, 1], [192, 0, 2, 2], 36390, 21),
            t("tuple", [192, 0, 2, 1], [192, 0, 2, 2], 0, 41739),
            t("mask", [255; 4], [255; 4], 0, 0xffff),
            U32("timeout", 300),
            U32("class", 0),
            Str("help-name", "ftp"),
        ];
        let mut p = vec![2, 0, 0, 0];
        enc(&spec, "exp-attrs", &attrs, &mut p);
        let mut f = vec![0, 4, 0x03, 0x38, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12];
        // IPCTNL_MSG_EXP_NEW in subsystem NFNL_SUBSYS_CTNETLINK_EXP (2).
        f.extend(crate::netlink::nlmsg(Endian::Little, 0x200, 0x2, 1, 7, &p));
        let fi = d.index_frame(&f, 253, Endian::Little);
        assert_eq!(
            d.view(&f, &fi.msgs[0]).summary(),
            "IPCTNL_MSG_EXP_NEW 300 proto=6 src=192.0.2.1 dst=192.0.2.2 sport=0 dport=41739 \
             mask-src=255.255.255.255 mask-dst=255.255.255.255 sport=0 dport=65535 \
             master-src=192.0.2.1 master-dst=192.0.2.2 sport=36390 dport=21 class=0 helper=ftp"
        );
    }
}
