//! How a message's conversation facts ([`Linked`]) appear: generated tree nodes in the
//! manner of Wireshark's `[Response in: 12]`, JSON keys, and filter fields (`nlmsg.*`).

use std::borrow::Cow;

use super::{Linked, MsgRef, Role};
use crate::filter::FieldValue;
use crate::model::{Expert, Node, Severity, Value};

/// The filter fields correlation answers (all without a tree).
pub const FIELDS: &[&str] = &[
    "nlmsg.role",
    "nlmsg.request_in",
    "nlmsg.caused_by",
    "nlmsg.response_in",
    "nlmsg.responses",
    "nlmsg.notifications",
    "nlmsg.latency",
    "nlmsg.unanswered",
    "nlmsg.unacked",
    "nlmsg.dump_intr",
    "nlmsg.orphan",
    "nlmsg.conversation",
    "nlmsg.port",
];

/// `F:M`, the `nlmsg.conversation` value of a conversation whose request is at `r`.
pub fn conversation_id(r: MsgRef) -> String {
    format!("{}:{}", r.frame, r.msg)
}

/// `frame F message M`.
pub(super) fn at_text(r: MsgRef) -> String {
    let mut s = crate::model::text::num_text("frame ", r.frame, " message ");
    s.push_str(itoa::Buffer::new().format(r.msg));
    s
}

fn link_node(name: &'static str, field: &'static str, r: MsgRef) -> Node {
    let mut n = Node::new(name, field, Value::None, 0, 0);
    n.value = Value::Uint(r.frame);
    n.display = at_text(r);
    n
}

fn note(mut n: Node, severity: Severity, text: &str) -> Node {
    n.expert = Some(Box::new(Expert {
        severity,
        text: text.to_string(),
    }));
    n
}

/// Generated nodes (no bytes of their own) for a message's header subtree.
pub fn nodes(l: &Linked) -> Vec<Node> {
    let mut v = Vec::new();
    match (l.role, l.request) {
        (Role::Notification, Some(r)) => v.push(link_node("[Caused by]", "nlmsg.caused_by", r)),
        (_, Some(r)) => v.push(link_node("[Request in]", "nlmsg.request_in", r)),
        _ => {}
    }
    if l.orphan {
        v.push(note(
            Node::new("[No request]", "nlmsg.orphan", Value::Bool(true), 0, 0),
            Severity::Note,
            "an answer to no captured request (it was sent before the capture began)",
        ));
    }
    if let Some(a) = &l.answers {
        if let Some(r) = a.first {
            v.push(link_node("[Response in]", "nlmsg.response_in", r));
        }
        v.push(Node::new(
            "[Responses]",
            "nlmsg.responses",
            Value::Uint(u64::from(a.count)),
            0,
            0,
        ));
        if a.notifications > 0 {
            v.push(Node::new(
                "[Notifications caused]",
                "nlmsg.notifications",
                Value::Uint(u64::from(a.notifications)),
                0,
                0,
            ));
        }
        if let Some(t) = a.latency {
            let mut n = Node::new("[Latency]", "nlmsg.latency", Value::None, 0, 0);
            n.display = latency_text(t, a.complete);
            v.push(n);
        }
        if a.unacked {
            v.push(note(
                Node::new(
                    "[Never acknowledged]",
                    "nlmsg.unacked",
                    Value::Bool(true),
                    0,
                    0,
                ),
                Severity::Warning,
                "NLM_F_ACK request never acknowledged, although the capture goes on after it",
            ));
        } else if a.unanswered {
            v.push(note(
                Node::new("[Unanswered]", "nlmsg.unanswered", Value::Bool(true), 0, 0),
                Severity::Warning,
                "the request got no final answer, although the capture goes on after it",
            ));
        }
    }
    if l.dump_intr {
        v.push(note(
            Node::new(
                "[Dump interrupted]",
                "nlmsg.dump_intr",
                Value::Bool(true),
                0,
                0,
            ),
            Severity::Warning,
            "NLM_F_DUMP_INTR: the table changed during the dump; its result may be inconsistent",
        ));
    }
    v
}

/// `0.000412 s`, with `(so far)` while the final answer has not come.
pub fn latency_text(t: f64, complete: bool) -> String {
    if complete {
        format!("{t:.6} s")
    } else {
        format!("{t:.6} s (so far)")
    }
}

/// Append the JSON keys (each with a leading comma): `request_in` / `caused_by` as
/// `{"frame":F,"msg":M}`, a request's `response_in`, `responses`, `latency`, and the flags
/// `unanswered`, `unacked`, `dump_intr`, `orphan` when true.
pub fn write_json(out: &mut String, l: &Linked) {
    // By hand: once per message of every JSON output.
    let link = |out: &mut String, key: &str, r: MsgRef| {
        let mut ib = itoa::Buffer::new();
        out.push_str(",\"");
        out.push_str(key);
        out.push_str("\":{\"frame\":");
        out.push_str(ib.format(r.frame));
        out.push_str(",\"msg\":");
        out.push_str(ib.format(r.msg));
        out.push('}');
    };
    match (l.role, l.request) {
        (Role::Notification, Some(r)) => link(out, "caused_by", r),
        (_, Some(r)) => link(out, "request_in", r),
        _ => {}
    }
    out.push_str(",\"role\":\"");
    out.push_str(l.role.as_str());
    out.push('"');
    if let Some(a) = &l.answers {
        if let Some(r) = a.first {
            link(out, "response_in", r);
        }
        out.push_str(",\"responses\":");
        out.push_str(itoa::Buffer::new().format(a.count));
        if let Some(t) = a.latency {
            out.push_str(",\"latency\":");
            crate::model::json_f64(out, t);
        }
        if a.unanswered {
            out.push_str(",\"unanswered\":true");
        }
        if a.unacked {
            out.push_str(",\"unacked\":true");
        }
    }
    if l.dump_intr {
        out.push_str(",\"dump_intr\":true");
    }
    if l.orphan {
        out.push_str(",\"orphan\":true");
    }
}

/// Answer filter field `field` (one of [`FIELDS`]) for a message; `None` if it is not one.
pub fn field(
    l: Option<&Linked>,
    field: &str,
    f: &mut dyn FnMut(&FieldValue<'_>) -> bool,
) -> Option<bool> {
    if !FIELDS.contains(&field) {
        return None;
    }
    let Some(l) = l else {
        return Some(false);
    };
    let a = l.answers.as_ref();
    let uint = |v: Option<u64>, f: &mut dyn FnMut(&FieldValue<'_>) -> bool| {
        v.is_some_and(|v| f(&FieldValue::Uint(v)))
    };
    let flag =
        |b: bool, f: &mut dyn FnMut(&FieldValue<'_>) -> bool| b && f(&FieldValue::Bool(true));
    let notif = l.role == Role::Notification;
    Some(match field {
        "nlmsg.role" => f(&FieldValue::Str(Cow::Borrowed(l.role.as_str()))),
        "nlmsg.request_in" => uint(l.request.filter(|_| !notif).map(|r| r.frame), f),
        "nlmsg.caused_by" => uint(l.request.filter(|_| notif).map(|r| r.frame), f),
        "nlmsg.response_in" => uint(a.and_then(|a| a.first).map(|r| r.frame), f),
        "nlmsg.responses" => uint(a.map(|a| u64::from(a.count)), f),
        "nlmsg.notifications" => uint(a.map(|a| u64::from(a.notifications)), f),
        "nlmsg.latency" => a
            .and_then(|a| a.latency)
            .is_some_and(|t| f(&FieldValue::Float(t))),
        "nlmsg.unanswered" => flag(a.is_some_and(|a| a.unanswered), f),
        "nlmsg.unacked" => flag(a.is_some_and(|a| a.unacked), f),
        "nlmsg.dump_intr" => flag(l.dump_intr, f),
        "nlmsg.orphan" => flag(l.orphan, f),
        "nlmsg.conversation" => l
            .conversation
            .is_some_and(|r| f(&FieldValue::Str(Cow::Owned(conversation_id(r))))),
        "nlmsg.port" => uint((l.port != 0).then_some(u64::from(l.port)), f),
        _ => false,
    })
}
