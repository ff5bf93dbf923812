//! Output formats shared by the CLI and the GUI: summary lines, text trees, JSON, NDJSON, CSV.

pub mod job;
mod line;
mod stream;

pub use stream::{CaptureOut, Emitter, FrameRef, KnownNames, Part, push_proc_suffix};

use std::fmt::Write as _;

use serde_json::{Map, Value as J, json};

use crate::conv::Linked;
use crate::dissect::MessageView;
use crate::model::{Node, Value, json_str};
use line::Columns;

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
    /// What correlation knows of it (request, answers, latency), when it was correlated.
    pub linked: Option<Linked>,
    /// What changed since the previous message about the same object, when compared.
    pub changes: Option<crate::conv::changes::Changes>,
    /// The payload tree, when the caller built it already (else it is built here).
    pub tree: Option<Vec<Node>>,
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

/// Append `s` padded with spaces to `width` (left-aligned unless `right`).
fn push_padded(out: &mut String, s: &str, width: usize, right: bool) {
    // Column text is ASCII (names, numbers), so bytes are characters.
    let n = s.len();
    if right {
        push_spaces(out, width.saturating_sub(n));
    }
    out.push_str(s);
    if !right {
        push_spaces(out, width.saturating_sub(n));
    }
}

fn push_spaces(out: &mut String, n: usize) {
    const SPACES: &str = "                                ";
    let mut n = n;
    while n > 0 {
        let k = n.min(SPACES.len());
        out.push_str(&SPACES[..k]);
        n -= k;
    }
}

fn push_short_flags(out: &mut String, v: &MessageView, width: usize) {
    let start = out.len();
    let mut named = false;
    let rest = v.each_flag(|n| {
        if named {
            out.push('|');
        }
        named = true;
        out.push_str(n.strip_prefix("NLM_F_").unwrap_or(n));
    });
    if rest != 0 {
        if named {
            out.push('|');
        }
        let _ = write!(out, "{rest:#x}");
    }
    if out.len() == start {
        out.push('-');
    }
    let n = out.len() - start;
    push_spaces(out, width.saturating_sub(n));
}

/// Append a summary line: frame, time (relative to `t0`), direction, family, type, flags,
/// seq, pid, len, info.
pub fn write_summary_line(out: &mut String, r: &Record, t0: i128) {
    write_summary_line_timed(out, r, t0, None);
}

/// [`write_summary_line`] with the time given as text (see [`TimeStyle`]); `None`: seconds
/// since `t0`.
pub fn write_summary_line_timed(out: &mut String, r: &Record, t0: i128, time: Option<&str>) {
    let m = r.view.index();
    {
        let mut c = Columns::new(out);
        c.uint(r.frame, 6);
        c.byte(b':');
        c.uint(r.msg as u64, 0);
        c.byte(b' ');
        match time {
            Some(t) => c.text_right(t, 12),
            None => c.rel_time(r.ts_ns - t0, 12),
        }
        c.byte(b' ');
    }
    // Direction, family and type are the kind's: padded once per kind.
    out.push_str(r.view.summary_columns(|v| {
        let mut s = String::with_capacity(48);
        push_padded(&mut s, v.index().direction.as_str(), 11, false);
        s.push(' ');
        push_padded(&mut s, v.family_str(), 9, false);
        s.push(' ');
        push_padded(&mut s, v.type_str(), 24, false);
        s.push(' ');
        s
    }));
    let tn = r.view.type_str();
    r.view
        .summary_flags(out, |v, out| push_short_flags(out, v, 18));
    {
        let mut c = Columns::new(out);
        c.text(" seq=");
        c.uint(u64::from(m.seq), 0);
        c.text(" pid=");
        c.uint(u64::from(m.pid), 0);
        c.text(" len=");
        c.uint(u64::from(m.len), 0);
        c.byte(b' ');
    }
    r.view.write_summary(out, tn);
}

/// How summary lines and CSV rows give a message's time (`nlscope read -t`, and the app's Time
/// column for its Export).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TimeStyle {
    /// Each format's own: seconds since the first frame in summary lines, epoch seconds in CSV.
    #[default]
    Default,
    /// Seconds since the first frame (`-t r`).
    Relative,
    /// Time of day, UTC (`-t a`).
    Absolute,
    /// Date and time of day, UTC (`-t ad`).
    AbsoluteDate,
    /// Seconds since the previous message printed (`-t dd`, `-t d`).
    Delta,
    /// Seconds since the epoch (`-t e`).
    Epoch,
}

impl TimeStyle {
    /// `-t` values, as tshark spells them.
    pub fn parse(s: &str) -> Result<TimeStyle, String> {
        Ok(match s {
            "r" => TimeStyle::Relative,
            "a" => TimeStyle::Absolute,
            "ad" => TimeStyle::AbsoluteDate,
            "d" | "dd" => TimeStyle::Delta,
            "e" => TimeStyle::Epoch,
            _ => {
                return Err(format!(
                    "'{s}' is not a time format: r (relative), a (time of day), ad (date and time), dd (delta), e (epoch)"
                ));
            }
        })
    }

    /// The time of a message at `ts`; `t0` is the first frame's time and `prev` the previous
    /// printed message's. `None` for [`TimeStyle::Default`].
    pub fn text(self, ts: i128, t0: i128, prev: Option<i128>) -> Option<String> {
        use crate::model::time;
        Some(match self {
            TimeStyle::Default => return None,
            TimeStyle::Relative => time::secs_us(ts - t0),
            TimeStyle::Absolute => time::time_of_day(ts),
            TimeStyle::AbsoluteDate => time::date_time_us(ts),
            TimeStyle::Delta => time::secs_us(ts - prev.unwrap_or(ts)),
            TimeStyle::Epoch => time::secs_us(ts),
        })
    }
}

/// A summary line (see [`write_summary_line`]).
pub fn summary_line(r: &Record, t0: i128) -> String {
    let mut s = String::with_capacity(160);
    write_summary_line(&mut s, r, t0);
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
    csv_row_timed(r, None)
}

/// [`csv_row`] with the time given as text (see [`TimeStyle`]); `None`: epoch seconds.
pub fn csv_row_timed(r: &Record, time: Option<&str>) -> String {
    let m = r.view.index();
    let (names, _) = r.view.flag_names();
    let time = time.map_or_else(|| format!("{:.6}", epoch_secs(r.ts_ns)), csv_field);
    format!(
        "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
        r.frame,
        r.msg,
        time,
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
    o.insert("name".into(), J::String(n.name.to_string()));
    o.insert("field".into(), J::String(n.field.to_string()));
    o.insert("value".into(), n.value.to_json());
    o.insert("display".into(), J::String(n.display_text().into_owned()));
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

/// Append a node as JSON (see [`Node::write_json`]).
pub fn write_node_json(out: &mut String, n: &Node) {
    n.write_json(out);
}

/// Append the contract's JSON object for a message; `extra` nodes (frame-level notes) are
/// appended to its tree.
pub fn write_message_json(out: &mut String, r: &Record, extra: Option<&Node>) {
    let m = r.view.index();
    let (names, _) = r.view.flag_names();
    let tn = r.view.type_name();
    // The numbers by hand (itoa): `write!` cost more than the rest of the header.
    let mut ib = itoa::Buffer::new();
    out.push_str("{\"frame\":");
    out.push_str(ib.format(r.frame));
    out.push_str(",\"msg\":");
    out.push_str(ib.format(r.msg));
    out.push_str(",\"time\":");
    crate::model::json_f64(out, epoch_secs(r.ts_ns));
    out.push_str(",\"protocol\":");
    out.push_str(ib.format(m.protocol));
    out.push_str(",\"family\":");
    json_str(out, &r.view.family_name());
    out.push_str(",\"direction\":");
    json_str(out, m.direction.as_str());
    out.push_str(",\"len\":");
    out.push_str(ib.format(m.len));
    out.push_str(",\"type\":");
    out.push_str(ib.format(m.ty));
    out.push_str(",\"type_name\":");
    json_str(out, &tn);
    out.push_str(",\"flags\":");
    out.push_str(ib.format(m.flags));
    out.push_str(",\"flag_names\":[");
    for (i, n) in names.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_str(out, n);
    }
    out.push_str("],\"seq\":");
    out.push_str(ib.format(m.seq));
    out.push_str(",\"pid\":");
    out.push_str(ib.format(m.pid));
    if let Some(l) = &r.linked {
        crate::conv::show::write_json(out, l);
    }
    if let Some(c) = &r.changes {
        crate::conv::changes::write_json(out, c);
    }
    out.push_str(",\"summary\":");
    json_str(out, &r.view.summary_with(tn));
    out.push_str(",\"tree\":[");
    match &r.tree {
        Some(t) => t.iter().for_each(|n| push_node_json(out, n)),
        None => r.view.write_tree_json(out),
    }
    if let Some(n) = extra {
        push_node_json(out, n);
    }
    out.push_str("]}");
}

/// A node of a JSON array `out` has open: a comma first unless it is the first.
fn push_node_json(out: &mut String, n: &Node) {
    if !out.ends_with('[') {
        out.push(',');
    }
    n.write_json(out);
}

/// Append `n` and its children as indented text lines (see [`Node::write_text`]).
pub fn write_tree_text(out: &mut String, n: &Node, depth: usize) {
    n.write_text(out, depth);
}

/// Append the text tree of a message to `s`: a title line, the nlmsghdr, then the payload
/// tree.
pub fn write_message_tree_text(s: &mut String, r: &Record) {
    let m = r.view.index();
    // "Frame F message M: DIRECTION FAMILY SUMMARY, LEN bytes at offset OFFSET", by hand: this
    // line is written for every message (`format!` cost more than the rest of it).
    let mut ib = itoa::Buffer::new();
    s.push_str("Frame ");
    s.push_str(ib.format(r.frame));
    s.push_str(" message ");
    s.push_str(ib.format(r.msg));
    s.push_str(": ");
    s.push_str(m.direction.as_str());
    s.push(' ');
    s.push_str(r.view.family_str());
    s.push(' ');
    r.view.write_summary(s, r.view.type_str());
    s.push_str(", ");
    s.push_str(ib.format(m.len));
    s.push_str(" bytes at offset ");
    s.push_str(ib.format(m.offset));
    s.push('\n');
    r.view.write_header_text(s, 1, &mut |out, depth| {
        if let Some(l) = &r.linked {
            crate::conv::show::write_text(l, out, depth);
        }
    });
    if let Some(c) = &r.changes {
        write_tree_text(s, &crate::conv::changes::node(c), 1);
    }
    match &r.tree {
        Some(t) => t.iter().for_each(|n| n.write_text(s, 1)),
        None => r.view.write_tree_text(s, 1),
    }
}

/// Decoding coverage: payload bytes (after the nlmsghdr) decoded by a spec vs left raw, and
/// decoded bytes shown only as a hex blob although they have a structure ("opaque").
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Coverage {
    /// (family, message type) -> counts.
    pub by_kind: std::collections::BTreeMap<(String, String), CoverageCounts>,
}

/// Counts of one (family, message type) of a [`Coverage`], or their totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CoverageCounts {
    /// Messages.
    pub msgs: u64,
    /// Payload bytes (after the nlmsghdr).
    pub payload: u64,
    /// Bytes no spec describes.
    pub raw: u64,
    /// Bytes of leaves a spec describes but shows as a hex blob, although the data is not
    /// opaque by nature (see [`Node::inherently_opaque`]).
    pub opaque: u64,
}

impl CoverageCounts {
    fn add(&mut self, o: &CoverageCounts) {
        self.msgs += o.msgs;
        self.payload += o.payload;
        self.raw += o.raw;
        self.opaque += o.opaque;
    }
}

impl Coverage {
    /// Count a message's tree.
    pub fn add(&mut self, view: &MessageView, tree: &[Node]) {
        let m = view.index();
        // A uevent has no nlmsghdr: all of its text is payload.
        let hdr = if m.protocol == crate::netlink::NETLINK_KOBJECT_UEVENT {
            0
        } else {
            crate::netlink::NLMSG_HDRLEN
        };
        let payload = m.present.saturating_sub(hdr) as u64;
        let raw = tree.iter().map(raw_bytes).sum::<u64>().min(payload);
        let opaque = tree
            .iter()
            .map(opaque_bytes)
            .sum::<u64>()
            .min(payload - raw);
        self.by_kind
            .entry((view.family_name(), view.type_name()))
            .or_default()
            .add(&CoverageCounts {
                msgs: 1,
                payload,
                raw,
                opaque,
            });
    }

    /// Totals over all kinds.
    pub fn totals(&self) -> CoverageCounts {
        let mut t = CoverageCounts::default();
        for c in self.by_kind.values() {
            t.add(c);
        }
        t
    }

    /// The report `read --coverage` prints.
    pub fn report(&self) -> String {
        let mut s = String::from(
            "family     type                          msgs    payload      raw   raw%   opaque opaque%\n",
        );
        let pct = |part: u64, all: u64| {
            if all == 0 {
                0.0
            } else {
                part as f64 * 100.0 / all as f64
            }
        };
        let mut line = |fam: &str, ty: &str, c: &CoverageCounts| {
            let _ = writeln!(
                s,
                "{fam:<10} {ty:<28} {:>6} {:>10} {:>8} {:>6.2} {:>8} {:>7.2}",
                c.msgs,
                c.payload,
                c.raw,
                pct(c.raw, c.payload),
                c.opaque,
                pct(c.opaque, c.payload)
            );
        };
        for ((fam, ty), c) in &self.by_kind {
            line(fam, ty, c);
        }
        line("total", "", &self.totals());
        s
    }
}

/// Bytes under the top-most raw nodes (a raw node's children are not counted again).
fn raw_bytes(n: &Node) -> u64 {
    if n.raw {
        n.length as u64
    } else {
        n.children.iter().map(raw_bytes).sum()
    }
}

/// Bytes of decoded leaves shown as a hex blob that are not opaque by nature.
fn opaque_bytes(n: &Node) -> u64 {
    if n.raw {
        return 0;
    }
    if !n.children.is_empty() {
        return n.children.iter().map(opaque_bytes).sum();
    }
    match &n.value {
        Value::Bytes(b) if !n.inherently_opaque && !n.display_text().starts_with('"') => {
            b.len().min(n.length) as u64
        }
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The direction, family, type and flags columns a kind of message keeps for its summary
    /// lines are those a fresh dissector writes: for more flags values than a kind keeps, each
    /// line written twice, the same kind in both directions (a request and a notification).
    #[test]
    fn kept_summary_columns_are_written_anew_alike() {
        use crate::dissect::{Dissector, specs::SpecRegistry};
        let e = crate::model::Endian::Little;
        let mut kept = Dissector::new(SpecRegistry::with_embedded());
        let mut flags: Vec<u16> = vec![0, 1, 5, 0x300, 0x305, 0x100, 0x200, 0x400, 0x800, 0x8000];
        flags.extend([2, 0x4001, 0x1234, 0xffff, 0x20, 0x301, 0x10]);
        for f in flags {
            for (seq, pid) in [(1, 0), (0, 0)] {
                let msg = crate::netlink::nlmsg(e, 18, f, seq, pid, &[0; 16]);
                let frame = crate::dissect::tests::frame(0, &[msg]);
                let line = |d: &mut Dissector| {
                    let fi = d.index_frame(&frame, crate::dissect::cooked::LINKTYPE_NETLINK, e);
                    let r = Record {
                        frame: 1,
                        msg: 0,
                        ts_ns: 0,
                        view: d.view(&frame, &fi.msgs[0]),
                        linked: None,
                        changes: None,
                        tree: None,
                    };
                    summary_line(&r, 0)
                };
                let mut fresh = Dissector::new(SpecRegistry::with_embedded());
                let want = line(&mut fresh);
                for _ in 0..2 {
                    assert_eq!(line(&mut kept), want, "flags {f:#x} seq {seq}");
                }
            }
        }
    }

    /// Summary lines' hand-written time reads as `-t r` formats it, right-aligned.
    #[test]
    fn relative_time_is_secs_us_right_aligned() {
        let edges = [
            0,
            1,
            999,
            1000,
            999_999_999,
            1_000_000_000,
            123_456_789_012,
            u64::MAX,
        ];
        let mut vals: Vec<i128> = crate::model::text::test_numbers(&edges)
            .into_iter()
            .map(i128::from)
            .collect();
        vals.extend([i128::from(u64::MAX) + 1, i128::MAX, i128::MIN]);
        for v in vals {
            for ns in [v, v.saturating_neg()] {
                let mut s = String::from("x");
                Columns::new(&mut s).rel_time(ns, 12);
                assert_eq!(
                    s,
                    format!("x{:>12}", crate::model::time::secs_us(ns)),
                    "{ns}"
                );
            }
        }
    }
}
