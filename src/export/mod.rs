//! Output formats shared by the CLI and the GUI: summary lines, text trees, JSON, NDJSON, CSV.

use std::fmt::Write as _;

use serde_json::{Map, Value as J, json};

use crate::dissect::MessageView;
use crate::model::{Node, json_str};

/// One message ready for output.
pub struct Record<'a> {
    /// 1-based frame number.
    pub frame: u64,
    /// 0-based message index within the frame.
    pub msg: usize,
    /// Capture time, nanoseconds since the epoch.
    pub ts_ns: i128,
    /// The message.
    pub view: MessageView<'a>,
}

/// Output formats (`-T`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One line per message.
    Summary,
    /// Indented protocol tree.
    Tree,
    /// One JSON array.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// Comma-separated header fields.
    Csv,
}

impl Format {
    /// Parse a `-T` value.
    pub fn parse(s: &str) -> Option<Format> {
        Some(match s {
            "summary" | "text" => Format::Summary,
            "tree" => Format::Tree,
            "json" => Format::Json,
            "ndjson" | "jsonl" => Format::Ndjson,
            "csv" => Format::Csv,
            _ => return None,
        })
    }
    /// Whether the format needs full dissection trees.
    pub fn needs_tree(self) -> bool {
        matches!(self, Format::Tree | Format::Json | Format::Ndjson)
    }
}

/// Seconds since the epoch as a float (the JSON `time`).
pub fn epoch_secs(ts_ns: i128) -> f64 {
    ts_ns as f64 / 1e9
}

fn short_flags(names: &[&str], rest: u16) -> String {
    let mut v: Vec<String> = names
        .iter()
        .map(|n| n.trim_start_matches("NLM_F_").to_string())
        .collect();
    if rest != 0 {
        v.push(format!("{rest:#x}"));
    }
    if v.is_empty() {
        "-".into()
    } else {
        v.join("|")
    }
}

/// A summary line: frame, time (relative to `t0`), direction, family, type, flags, seq, pid,
/// len, info.
pub fn summary_line(r: &Record, t0: i128) -> String {
    let m = r.view.index();
    let (names, rest) = r.view.flag_names();
    let rel = (r.ts_ns - t0) as f64 / 1e9;
    let mut s = String::with_capacity(128);
    let _ = write!(
        s,
        "{:>6}:{} {:>12.6} {:<11} {:<9} {:<24} {:<18} seq={} pid={} len={} {}",
        r.frame,
        r.msg,
        rel,
        m.direction.as_str(),
        r.view.family_name(),
        r.view.type_name(),
        short_flags(&names, rest),
        m.seq,
        m.pid,
        m.len,
        r.view.summary()
    );
    s
}

/// CSV header line.
pub const CSV_HEADER: &str =
    "frame,msg,time,protocol,family,direction,len,type,type_name,flags,flag_names,seq,pid,summary";

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// One CSV row.
pub fn csv_row(r: &Record) -> String {
    let m = r.view.index();
    let (names, _) = r.view.flag_names();
    format!(
        "{},{},{:.6},{},{},{},{},{},{},{},{},{},{},{}",
        r.frame,
        r.msg,
        epoch_secs(r.ts_ns),
        m.protocol,
        csv_field(&r.view.family_name()),
        m.direction.as_str(),
        m.len,
        m.ty,
        csv_field(&r.view.type_name()),
        m.flags,
        names.join("|"),
        m.seq,
        m.pid,
        csv_field(&r.view.summary())
    )
}

/// A node as JSON (the contract's tree node).
pub fn node_json(n: &Node) -> J {
    let mut o = Map::with_capacity(9);
    o.insert("name".into(), J::String(n.name.clone()));
    o.insert("field".into(), J::String(n.field.clone()));
    o.insert("value".into(), n.value.to_json());
    o.insert("display".into(), J::String(n.display.clone()));
    o.insert("offset".into(), J::from(n.offset));
    o.insert("length".into(), J::from(n.length));
    o.insert("raw".into(), J::Bool(n.raw));
    o.insert(
        "expert".into(),
        match &n.expert {
            Some(e) => json!({"severity": e.severity.as_str(), "text": e.text}),
            None => J::Null,
        },
    );
    o.insert(
        "children".into(),
        J::Array(n.children.iter().map(node_json).collect()),
    );
    J::Object(o)
}

/// Append a node as JSON (the contract's tree node) without building a `serde_json::Value`.
pub fn write_node_json(out: &mut String, n: &Node) {
    out.push_str("{\"name\":");
    json_str(out, &n.name);
    out.push_str(",\"field\":");
    json_str(out, &n.field);
    out.push_str(",\"value\":");
    n.value.write_json(out, &n.display);
    out.push_str(",\"display\":");
    json_str(out, &n.display);
    let _ = write!(
        out,
        ",\"offset\":{},\"length\":{},\"raw\":{},\"expert\":",
        n.offset, n.length, n.raw
    );
    match &n.expert {
        Some(e) => {
            out.push_str("{\"severity\":");
            json_str(out, e.severity.as_str());
            out.push_str(",\"text\":");
            json_str(out, &e.text);
            out.push('}');
        }
        None => out.push_str("null"),
    }
    out.push_str(",\"children\":[");
    for (i, c) in n.children.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_node_json(out, c);
    }
    out.push_str("]}");
}

/// Append the contract's JSON object for a message; `extra` nodes (frame-level notes) are
/// appended to its tree.
pub fn write_message_json(out: &mut String, r: &Record, extra: Option<&Node>) {
    let m = r.view.index();
    let (names, _) = r.view.flag_names();
    let tn = r.view.type_name();
    let _ = write!(
        out,
        "{{\"frame\":{},\"msg\":{},\"time\":{},\"protocol\":{},\"family\":",
        r.frame,
        r.msg,
        json!(epoch_secs(r.ts_ns)),
        m.protocol
    );
    json_str(out, &r.view.family_name());
    out.push_str(",\"direction\":");
    json_str(out, m.direction.as_str());
    let _ = write!(out, ",\"len\":{},\"type\":{},\"type_name\":", m.len, m.ty);
    json_str(out, &tn);
    let _ = write!(out, ",\"flags\":{},\"flag_names\":[", m.flags);
    for (i, n) in names.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_str(out, n);
    }
    let _ = write!(out, "],\"seq\":{},\"pid\":{},\"summary\":", m.seq, m.pid);
    json_str(out, &r.view.summary_with(tn));
    out.push_str(",\"tree\":[");
    let tree = r.view.tree();
    for (i, n) in tree.iter().chain(extra).enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_node_json(out, n);
    }
    out.push_str("]}");
}

/// The contract's JSON object for a message (`tree` built here).
pub fn message_json(r: &Record) -> J {
    let m = r.view.index();
    let (names, _) = r.view.flag_names();
    let tree = r.view.tree();
    let mut o = Map::with_capacity(16);
    o.insert("frame".into(), J::from(r.frame));
    o.insert("msg".into(), J::from(r.msg));
    o.insert("time".into(), json!(epoch_secs(r.ts_ns)));
    o.insert("protocol".into(), J::from(m.protocol));
    o.insert("family".into(), J::String(r.view.family_name()));
    o.insert("direction".into(), J::String(m.direction.as_str().into()));
    o.insert("len".into(), J::from(m.len));
    o.insert("type".into(), J::from(m.ty));
    o.insert("type_name".into(), J::String(r.view.type_name()));
    o.insert("flags".into(), J::from(m.flags));
    o.insert(
        "flag_names".into(),
        J::Array(names.iter().map(|n| J::String((*n).into())).collect()),
    );
    o.insert("seq".into(), J::from(m.seq));
    o.insert("pid".into(), J::from(m.pid));
    o.insert("summary".into(), J::String(r.view.summary()));
    o.insert(
        "tree".into(),
        J::Array(tree.iter().map(node_json).collect()),
    );
    J::Object(o)
}

/// Append `n` and its children as indented text lines.
pub fn write_tree_text(out: &mut String, n: &Node, depth: usize) {
    for _ in 0..depth {
        out.push_str("    ");
    }
    out.push_str(&n.name);
    if !n.display.is_empty() {
        out.push_str(": ");
        out.push_str(&n.display);
    }
    if let Some(e) = &n.expert {
        if n.name != "expert" || e.text != n.display {
            let _ = write!(out, "  [{}: {}]", e.severity.as_str(), e.text);
        } else {
            let _ = write!(out, "  [{}]", e.severity.as_str());
        }
    }
    out.push('\n');
    for c in &n.children {
        write_tree_text(out, c, depth + 1);
    }
}

/// The text tree of a message: a title line, the nlmsghdr, then the payload tree.
pub fn message_tree_text(r: &Record) -> String {
    let mut s = String::new();
    let m = r.view.index();
    let _ = writeln!(
        s,
        "Frame {} message {}: {} {} {}, {} bytes at offset {}",
        r.frame,
        r.msg,
        m.direction.as_str(),
        r.view.family_name(),
        r.view.summary(),
        m.len,
        m.offset
    );
    write_tree_text(&mut s, &r.view.header_node(), 1);
    for n in r.view.tree() {
        write_tree_text(&mut s, &n, 1);
    }
    s
}
