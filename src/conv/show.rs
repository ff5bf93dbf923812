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
    // Room for both numbers: a tree shows one or two of these per message.
    let mut s = String::with_capacity(48);
    push_at(&mut s, r);
    s
}

/// [`at_text`] appended.
fn push_at(out: &mut String, r: MsgRef) {
    let mut ib = itoa::Buffer::new();
    out.push_str("frame ");
    out.push_str(ib.format(r.frame));
    out.push_str(" message ");
    out.push_str(ib.format(r.msg));
}

/// What a generated node shows.
enum Shown {
    /// A message: `frame F message M` (its value the frame number).
    At(MsgRef),
    /// A count.
    Count(u32),
    /// `true`, with an expert note.
    Noted(Severity, &'static str),
    /// A latency in seconds, and whether the final answer came.
    Latency(f64, bool),
}

/// The generated nodes of `l` in order, as (name, field, what it shows).
fn items(l: &Linked, f: &mut dyn FnMut(&'static str, &'static str, Shown)) {
    match (l.role, l.request) {
        (Role::Notification, Some(r)) => f("[Caused by]", "nlmsg.caused_by", Shown::At(r)),
        (_, Some(r)) => f("[Request in]", "nlmsg.request_in", Shown::At(r)),
        _ => {}
    }
    if l.orphan {
        f(
            "[No request]",
            "nlmsg.orphan",
            Shown::Noted(
                Severity::Note,
                "an answer to no captured request (it was sent before the capture began)",
            ),
        );
    }
    if let Some(a) = &l.answers {
        if let Some(r) = a.first {
            f("[Response in]", "nlmsg.response_in", Shown::At(r));
        }
        f("[Responses]", "nlmsg.responses", Shown::Count(a.count));
        if a.notifications > 0 {
            f(
                "[Notifications caused]",
                "nlmsg.notifications",
                Shown::Count(a.notifications),
            );
        }
        if let Some(t) = a.latency {
            f("[Latency]", "nlmsg.latency", Shown::Latency(t, a.complete));
        }
        if a.unacked {
            f(
                "[Never acknowledged]",
                "nlmsg.unacked",
                Shown::Noted(
                    Severity::Warning,
                    "NLM_F_ACK request never acknowledged, although the capture goes on after it",
                ),
            );
        } else if a.unanswered {
            f(
                "[Unanswered]",
                "nlmsg.unanswered",
                Shown::Noted(
                    Severity::Warning,
                    "the request got no final answer, although the capture goes on after it",
                ),
            );
        }
    }
    if l.dump_intr {
        f(
            "[Dump interrupted]",
            "nlmsg.dump_intr",
            Shown::Noted(
                Severity::Warning,
                "NLM_F_DUMP_INTR: the table changed during the dump; its result may be inconsistent",
            ),
        );
    }
}

/// Generated nodes (no bytes of their own) for a message's header subtree.
pub fn nodes(l: &Linked) -> Vec<Node> {
    let mut v = Vec::new();
    items(l, &mut |name, field, shown| {
        v.push(match shown {
            Shown::At(r) => {
                let mut n = Node::new(name, field, Value::None, 0, 0);
                n.value = Value::Uint(r.frame);
                n.display = at_text(r);
                n
            }
            Shown::Count(c) => Node::new(name, field, Value::Uint(u64::from(c)), 0, 0),
            Shown::Noted(severity, text) => {
                let mut n = Node::new(name, field, Value::Bool(true), 0, 0);
                n.expert = Some(Box::new(Expert {
                    severity,
                    text: text.to_string(),
                }));
                n
            }
            Shown::Latency(t, complete) => {
                let mut n = Node::new(name, field, Value::None, 0, 0);
                n.display = latency_text(t, complete);
                n
            }
        })
    });
    v
}

/// What writing [`nodes`] with [`Node::write_text`] at `depth` gives, written straight (a
/// tree has these lines for nearly every message).
pub fn write_text(l: &Linked, out: &mut String, depth: usize) {
    items(l, &mut |name, _, shown| {
        for _ in 0..depth {
            out.push_str("    ");
        }
        out.push_str(name);
        out.push_str(": ");
        match shown {
            Shown::At(r) => push_at(out, r),
            Shown::Count(c) => out.push_str(itoa::Buffer::new().format(c)),
            Shown::Noted(severity, text) => {
                out.push_str("true  [");
                out.push_str(severity.as_str());
                out.push_str(": ");
                out.push_str(text);
                out.push(']');
            }
            Shown::Latency(t, complete) => out.push_str(&latency_text(t, complete)),
        }
        out.push('\n');
    });
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
