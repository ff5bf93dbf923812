//! connector (NETLINK_CONNECTOR): every message is NLMSG_DONE with a struct cn_msg (the
//! spec's fixed header) and `len` bytes of data whose layout the callback id decides
//! (drivers/connector/connector.c). The process connector (CN_IDX_PROC, CN_VAL_PROC) is the
//! one user space listens to: a subscription (enum proc_cn_mcast_op, since 6.6 struct
//! proc_input) or a struct proc_event whose union member its `what` picks (linux/cn_proc.h).

use std::fmt::Write as _;

use super::text::until_nul;
use super::{Family, Payload};
use crate::dissect::MessageView;
use crate::dissect::attrs::Walker;
use crate::dissect::specs::{Spec, SpecRegistry};
use crate::model::{Endian, Node, Severity, Value};

/// The connector module.
pub struct Connector;

/// sizeof(struct cn_msg).
const CN_MSG_LEN: usize = 20;
/// sizeof the part of struct proc_event before its union.
const PROC_HDR_LEN: usize = 16;

/// The union member (spec struct) for each PROC_EVENT_* value.
const ARMS: &[(u32, &str, &str)] = &[
    (0, "ack-proc-event", "ack"),
    (1, "fork-proc-event", "fork"),
    (2, "exec-proc-event", "exec"),
    (4, "id-proc-event", "uid"),
    (0x40, "id-proc-event", "gid"),
    (0x80, "sid-proc-event", "sid"),
    (0x100, "ptrace-proc-event", "ptrace"),
    (0x200, "comm-proc-event", "comm"),
    (0x2000_0000, "exit-proc-event", "nonzero_exit"),
    (0x4000_0000, "coredump-proc-event", "coredump"),
    (0x8000_0000, "exit-proc-event", "exit"),
];

impl Family for Connector {
    fn between(&self, p: &Payload<'_>, at: usize) -> Option<(Node, usize)> {
        let e = p.m.endian;
        let pl = p.bytes();
        let idx = e.u32(pl, 0)?;
        let val = e.u32(pl, 4)?;
        let len = usize::from(e.u16(pl, 16)?);
        // A payload of 18 or 19 bytes has cn_msg's len but not the whole struct: the data
        // starts at the payload's end then (found by fuzzing).
        let start = (p.start + CN_MSG_LEN).min(p.end);
        let end = start.saturating_add(len).min(p.end);
        let mut n = Node::new("data", "connector.data", Value::None, start, end - start);
        if start + len > p.end {
            n.set_expert(
                Severity::Error,
                format!(
                    "cn_msg len {len} runs past the message ({} bytes)",
                    p.end - start
                ),
            );
        }
        if idx == 1 && val == 1 {
            proc_data(p.spec, p.data, start, end, e, &mut n);
        } else {
            n.value = Value::Bytes(p.data.get(start..end).unwrap_or_default().to_vec());
            n.display = format!("{} bytes for callback {idx}:{val}", end - start);
            n.raw = true;
        }
        // The data follows cn_msg whatever the spec's header said it used.
        let _ = at;
        Some((n, p.end.max(end)))
    }

    fn fields(&self, specs: &SpecRegistry) -> Vec<String> {
        let mut v = vec![
            "connector.data".to_string(),
            "connector.data.mcast-op".to_string(),
            "connector.data.event-type".to_string(),
            "connector.data.proc-event-hdr".to_string(),
        ];
        if let Some(spec) = specs.get("connector") {
            let hdr = spec.structs.get("proc-event-hdr");
            for m in hdr.into_iter().flat_map(|s| s.members.iter()) {
                v.push(format!("connector.data.proc-event-hdr.{}", m.name));
            }
            for (_, st, _) in ARMS {
                let Some(s) = spec.structs.get(*st) else {
                    continue;
                };
                v.push(format!("connector.data.{st}"));
                for m in &s.members {
                    v.push(format!("connector.data.{st}.{}", m.name));
                }
            }
        }
        v.sort();
        v.dedup();
        v
    }

    /// forkstat's words: `fork 123 -> 456`, `exec 456`, `exit 456 code 0`, `comm 456 "sh"`.
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        let m = v.index();
        let (p, e) = (v.payload_bytes(), m.endian);
        let (Some(1), Some(1)) = (e.u32(p, 0), e.u32(p, 4)) else {
            return false;
        };
        let d = p.get(CN_MSG_LEN..).unwrap_or_default();
        if d.len() == 4 || d.len() == 8 {
            let op = match e.u32(d, 0) {
                Some(1) => "listen",
                Some(2) => "ignore",
                _ => "?",
            };
            let _ = write!(out, " proc mcast {op}");
            return true;
        }
        let what = e.u32(d, 0).unwrap_or(0);
        let arm = ARMS.iter().find(|a| a.0 == what).map_or("?", |a| a.2);
        let u = |at: usize| e.u32(d, PROC_HDR_LEN + at).unwrap_or(0);
        let _ = match what {
            1 => write!(out, " proc fork {} -> {}", u(4), u(12)),
            2 | 0x80 => write!(out, " proc {arm} {}", u(4)),
            4 | 0x40 => write!(out, " proc {arm} {} {} -> {}", u(4), u(8), u(12)),
            0x100 => write!(out, " proc ptrace {} by {}", u(4), u(12)),
            0x200 => {
                let c = d
                    .get(PROC_HDR_LEN + 8..PROC_HDR_LEN + 24)
                    .unwrap_or_default();
                write!(out, " proc comm {} {:?}", u(4), until_nul(c))
            }
            0x2000_0000 | 0x8000_0000 => {
                write!(out, " proc {arm} {} code {} signal {}", u(4), u(8), u(12))
            }
            0x4000_0000 => write!(out, " proc coredump {}", u(4)),
            0 => write!(out, " proc ack error {}", u(0)),
            _ => write!(out, " proc event {what:#x}"),
        };
        true
    }
}

/// The process connector's data in `n` (spanning `start..end`).
fn proc_data(spec: &Spec, data: &[u8], start: usize, end: usize, e: Endian, n: &mut Node) {
    let w = Walker {
        data,
        endian: e,
        spec: Some(spec),
        overrides: Vec::new(),
        op: None,
        want: None,
        prune: None,
    };
    let len = end - start;
    let enum_node = |name: &'static str, field: &str, at: usize, en: &str| {
        let v = e.u32(data, at).unwrap_or(0);
        let label = spec
            .enums
            .get(en)
            .and_then(|d| d.name_of(i64::from(v)))
            .unwrap_or_default()
            .to_string();
        Node::new(
            name,
            field.to_string(),
            Value::Enum {
                value: i64::from(v),
                name: label,
            },
            at,
            4,
        )
    };
    if len == 4 || len == 8 {
        // A subscription: the mcast op alone (before 6.6), or struct proc_input.
        n.children.push(enum_node(
            "mcast_op",
            "connector.data.mcast-op",
            start,
            "proc-cn-mcast-op",
        ));
        if len == 8 {
            n.children.push(enum_node(
                "event_type",
                "connector.data.event-type",
                start + 4,
                "proc-event-what",
            ));
        }
        n.display = "process connector subscription".into();
        return;
    }
    let Some(hdr) = spec.structs.get("proc-event-hdr") else {
        return;
    };
    let (kids, used) = w.struct_members(hdr, start, len, "connector.data.proc-event-hdr", e, 0);
    let mut h = Node::new(
        "proc_event",
        "connector.data.proc-event-hdr",
        Value::None,
        start,
        used,
    );
    h.children = kids;
    n.children.push(h);
    let what = e.u32(data, start).unwrap_or(0);
    let at = start + PROC_HDR_LEN;
    let Some((_, st_name, label)) = ARMS.iter().find(|a| a.0 == what) else {
        n.set_expert(Severity::Note, format!("unknown proc event {what:#x}"));
        n.display = format!("proc event {what:#x}");
        return;
    };
    n.display = format!("proc event {label}");
    let Some(st) = spec.structs.get(*st_name) else {
        return;
    };
    if at >= end {
        return;
    }
    let path = format!("connector.data.{st_name}");
    let (kids, used) = w.struct_members(st, at, end - at, &path, e, 0);
    let mut a = Node::new(*label, path, Value::None, at, used);
    a.children = kids;
    n.children.push(a);
}

#[cfg(test)]
mod tests {
    use crate::dissect::Dissector;
    use crate::dissect::specs::SpecRegistry;
    use crate::model::Endian;
    use crate::netlink::nlmsg;

    /// A payload with cn_msg's len (bytes 16-17) but not the whole 20-byte struct: the data
    /// node is empty at the payload's end, with the error (fuzzing found an underflow here).
    #[test]
    fn short_cn_msg_does_not_underflow() {
        let mut d = Dissector::new(SpecRegistry::with_embedded());
        for n in 16..20 {
            let mut p = vec![1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0];
            p.truncate(n);
            let mut f = vec![0, 4, 0x03, 0x38, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11];
            f.extend_from_slice(&nlmsg(Endian::Little, 3, 0, 1, 0, &p));
            let fi = d.index_frame(&f, 253, Endian::Little);
            let m = fi.msgs.first().unwrap();
            let v = d.view(&f, m);
            let tree = v.tree();
            assert!(!tree.is_empty(), "{n} bytes");
            let _ = v.summary();
        }
    }
}
