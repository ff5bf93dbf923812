//! Output as `nlscope read` streams it: the `-T` formats message by message ([`Emitter`]) and
//! the `-w` capture writer ([`CaptureOut`]). [`Emitter::emit`] is the one per-frame step both
//! `nlscope read` and the app's Export ([`super::job`]) go through, so their files equal the
//! command line's output byte for byte.

use std::io::{self, Write};

use crate::capture::trace::ProcInfo;

use super::{
    CSV_HEADER, Format, Record, TimeStyle, csv_row_timed, write_message_json,
    write_message_tree_text, write_summary_line_timed, write_tree_text,
};
use crate::conv::Linked;
use crate::conv::changes::Changes;
use crate::dissect::problems::{UEVENT_CHARS, frame_problem_node, no_message_text};
use crate::dissect::{Dissector, FrameIndex};
use crate::model::Node;
use crate::pcap::{Frame, Interface, OutFormat, WriteError, Writer, WriterOptions};

/// A dissected frame, as the per-frame emit step sees it.
#[derive(Clone, Copy)]
pub struct FrameRef<'a> {
    /// The dissector that indexed the frame (it has learned what came before it).
    pub dis: &'a Dissector,
    /// The frame's index.
    pub index: &'a FrameIndex,
    /// The frame's bytes.
    pub data: &'a [u8],
    /// 1-based frame number.
    pub no: u64,
    /// Capture time, nanoseconds since the epoch.
    pub ts_ns: i128,
    /// What correlation knows of each message of the frame (empty when not correlated).
    pub linked: &'a [Option<Linked>],
    /// What changed in each message of the frame since the previous one about its object
    /// (empty when not compared).
    pub changes: &'a [Option<Changes>],
}

/// What a capture writer records of a dissector's learning: generic netlink ids and link
/// names, each with a version that changes when they do.
pub trait KnownNames {
    /// See [`Dissector::genl_version`].
    fn genl_version(&self) -> u64;
    /// See [`Dissector::genl_comment`].
    fn genl_comment(&self) -> String;
    /// See [`Dissector::links_version`].
    fn links_version(&self) -> u64;
    /// See [`Dissector::links_comments`].
    fn links_comments(&self) -> Vec<String>;
}

impl KnownNames for Dissector {
    fn genl_version(&self) -> u64 {
        Dissector::genl_version(self)
    }
    fn genl_comment(&self) -> String {
        Dissector::genl_comment(self)
    }
    fn links_version(&self) -> u64 {
        Dissector::links_version(self)
    }
    fn links_comments(&self) -> Vec<String> {
        Dissector::links_comments(self)
    }
}

/// ` proc=COMM[PID]`, the end of a summary line of a traced frame.
pub fn push_proc_suffix(out: &mut String, p: &ProcInfo) {
    out.push_str(&format!(" proc={}[{}]", p.comm, p.pid));
}

/// What of a frame [`Emitter::emit`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Its message with this 0-based index (nothing if there is none).
    Message(usize),
    /// The line of a frame without netlink messages.
    NoMessage,
}

/// Writes messages in one `-T` format, with the separators and framing that format needs.
#[derive(Debug, Clone)]
pub struct Emitter {
    format: Format,
    first_json: bool,
    /// How summary lines and CSV rows give the time.
    time: TimeStyle,
    /// Time of the previous message printed (for [`TimeStyle::Delta`]).
    prev_ts: Option<i128>,
    /// The process of the frame being emitted (a `proc:` packet comment, `nlscope trace`).
    process: Option<ProcInfo>,
}

impl Emitter {
    /// An emitter for `format`.
    pub fn new(format: Format) -> Self {
        Emitter {
            format,
            first_json: true,
            time: TimeStyle::Default,
            prev_ts: None,
            process: None,
        }
    }

    /// Summary lines and CSV rows give the time as `style` says.
    pub fn with_time(mut self, style: TimeStyle) -> Self {
        self.set_time(style);
        self
    }

    /// See [`Emitter::with_time`].
    pub fn set_time(&mut self, style: TimeStyle) {
        self.time = style;
    }

    /// The packet comments of the frame whose messages come next: a `proc:` comment (see
    /// `capture::trace::ProcInfo`) adds ` proc=COMM[PID]` to summary lines and `"process":
    /// {"pid", "tid", "comm"}` to JSON objects.
    pub fn set_frame_comments<S: AsRef<str>>(&mut self, comments: &[S]) {
        self.process = ProcInfo::from_comments(comments);
    }

    /// Write every JSON object as one that follows another (`,` first): a parallel reader's
    /// workers emit so, and the first object's comma is dropped where the pieces are joined.
    pub fn continue_json(&mut self) {
        self.first_json = false;
    }

    /// The format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Text before the first message: `[` for JSON, the header line for CSV.
    pub fn begin(&self, out: &mut String) {
        match self.format {
            Format::Json => out.push('['),
            Format::Csv => {
                out.push_str(CSV_HEADER);
                out.push('\n');
            }
            _ => {}
        }
    }

    /// One message. `problem` is the frame-level note of its frame, given with the frame's
    /// last message; `t0` is the time of the capture's first frame.
    pub fn message(&mut self, out: &mut String, rec: &Record, t0: i128, problem: Option<&Node>) {
        let time = match self.format {
            Format::Summary | Format::Csv => self.time.text(rec.ts_ns, t0, self.prev_ts),
            _ => None,
        };
        self.prev_ts = Some(rec.ts_ns);
        match self.format {
            Format::Summary => {
                write_summary_line_timed(out, rec, t0, time.as_deref());
                if let Some(p) = &self.process {
                    push_proc_suffix(out, p);
                }
                out.push('\n');
            }
            Format::Csv => {
                out.push_str(&csv_row_timed(rec, time.as_deref()));
                out.push('\n');
            }
            Format::Tree => {
                write_message_tree_text(out, rec);
                if let Some(p) = problem {
                    write_tree_text(out, p, 1);
                }
                out.push('\n');
            }
            Format::Json => {
                out.push_str(if self.first_json { "\n" } else { ",\n" });
                self.first_json = false;
                write_message_json(out, rec, problem);
                self.push_process_json(out);
            }
            Format::Ndjson => {
                write_message_json(out, rec, problem);
                self.push_process_json(out);
                out.push('\n');
            }
        }
    }

    /// `,"process":{...}` inside the JSON object just written (before its closing brace).
    fn push_process_json(&self, out: &mut String) {
        let Some(p) = &self.process else {
            return;
        };
        if !out.ends_with('}') {
            return;
        }
        out.pop();
        let comm = serde_json::to_string(&p.comm).unwrap_or_else(|_| "\"\"".into());
        let exe = p
            .exe
            .as_ref()
            .and_then(|e| serde_json::to_string(e).ok())
            .map(|e| format!(",\"exe\":{e}"))
            .unwrap_or_default();
        out.push_str(&format!(
            ",\"process\":{{\"pid\":{},\"tid\":{},\"comm\":{comm}{exe}}}}}",
            p.pid, p.tid
        ));
    }

    /// One part of a dissected frame: a message (with the frame's problem note after its last
    /// message) or the frame's no-message line. `t0` is the time of the capture's first frame.
    pub fn emit(&mut self, out: &mut String, f: &FrameRef, part: Part, t0: i128) {
        self.emit_with_tree(out, f, part, t0, None);
    }

    /// [`Emitter::emit`] with the message's payload tree when the caller built it already
    /// (for a filter or a comparison), so it is not built twice.
    pub fn emit_with_tree(
        &mut self,
        out: &mut String,
        f: &FrameRef,
        part: Part,
        t0: i128,
        tree: Option<Vec<crate::model::Node>>,
    ) {
        match part {
            Part::Message(mi) => {
                let Some(m) = f.index.msgs.get(mi) else {
                    return;
                };
                let rec = Record {
                    frame: f.no,
                    msg: mi,
                    ts_ns: f.ts_ns,
                    view: f.dis.view(f.data, m),
                    linked: f.linked.get(mi).copied().flatten(),
                    changes: f.changes.get(mi).cloned().flatten(),
                    tree,
                };
                let problem = if mi + 1 == f.index.msgs.len() {
                    frame_problem_node(f.index, f.data.len())
                } else {
                    None
                };
                self.message(out, &rec, t0, problem.as_ref());
            }
            Part::NoMessage => {
                if !self.prints_frame_lines() {
                    return;
                }
                let what = no_message_text(
                    f.data,
                    f.index.cooked.map_or(0, |c| c.header_len),
                    f.index.problem.as_ref().map(|p| p.1.as_str()),
                    UEVENT_CHARS,
                );
                self.frame_line(out, f.no, f.ts_ns, t0, &what);
                if let Some(p) = &self.process
                    && self.format == Format::Summary
                    && out.ends_with('\n')
                {
                    out.pop();
                    push_proc_suffix(out, p);
                    out.push('\n');
                }
            }
        }
    }

    /// Whether the format prints lines for frames without messages.
    fn prints_frame_lines(&self) -> bool {
        matches!(self.format, Format::Summary | Format::Tree)
    }

    /// The line of a frame without netlink messages (1-based `frame`), which only the summary
    /// and tree formats print; `what` comes from [`no_message_text`].
    pub fn frame_line(&self, out: &mut String, frame: u64, ts_ns: i128, t0: i128, what: &str) {
        if self.prints_frame_lines() {
            out.push_str(&format!(
                "{:>6}:- {:>12.6} {}\n",
                frame,
                (ts_ns - t0) as f64 / 1e9,
                what
            ));
        }
    }

    /// Text after the last message (closes the JSON array).
    pub fn end(&self, out: &mut String) {
        if self.format == Format::Json {
            out.push_str(if self.first_json { "]\n" } else { "\n]\n" });
        }
    }
}

/// The `-w` writer: frames byte for byte as pcap or pcapng. pcapng output records the generic
/// netlink ids known so far as a packet comment whenever they change, so a filtered file that
/// lost the nlctrl replies still decodes by family name; likewise the interface names once a
/// `link-names:` comment (a live capture's snapshot) taught some.
#[derive(Debug)]
pub struct CaptureOut<W: Write> {
    w: Writer<W>,
    format: OutFormat,
    genl_written: u64,
    links_written: u64,
}

impl<W: Write> CaptureOut<W> {
    /// A writer of `format` into `out` (nothing is written before the first frame).
    pub fn new(out: W, format: OutFormat) -> Self {
        CaptureOut {
            w: Writer::new(
                out,
                WriterOptions {
                    format,
                    section_comments: Vec::new(),
                    application: Some(format!("nlscope {}", env!("CARGO_PKG_VERSION"))),
                },
            ),
            format,
            genl_written: 0,
            links_written: 0,
        }
    }

    /// Write `frame`, captured on `iface`; `dis` has dissected the capture up to this frame
    /// (what it learned is recorded in comments when it changes).
    pub fn write(
        &mut self,
        frame: &Frame,
        iface: &Interface,
        dis: &dyn KnownNames,
    ) -> Result<(), WriteError> {
        let mut with_comment: Option<Frame> = None;
        let mut add = |c: String| {
            if !frame.comments.contains(&c) {
                with_comment
                    .get_or_insert_with(|| frame.clone())
                    .comments
                    .push(c);
            }
        };
        if self.format == OutFormat::PcapNg && dis.genl_version() != self.genl_written {
            self.genl_written = dis.genl_version();
            add(dis.genl_comment());
        }
        if self.format == OutFormat::PcapNg && dis.links_version() != self.links_written {
            self.links_written = dis.links_version();
            dis.links_comments().into_iter().for_each(&mut add);
        }
        self.w
            .write_frame(with_comment.as_ref().unwrap_or(frame), iface)
    }

    /// Flush the output.
    pub fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }

    /// The output.
    pub fn get_ref(&self) -> &W {
        self.w.get_ref()
    }

    /// The output (e.g. to take the bytes written to a `Vec`).
    pub fn get_mut(&mut self) -> &mut W {
        self.w.get_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_framing_with_and_without_messages() {
        let e = Emitter::new(Format::Json);
        let mut s = String::new();
        e.begin(&mut s);
        e.end(&mut s);
        assert_eq!(s, "[]\n");
        let mut s = String::new();
        Emitter::new(Format::Csv).begin(&mut s);
        assert_eq!(s, format!("{CSV_HEADER}\n"));
    }

    #[test]
    fn frame_lines_only_in_text_formats() {
        let mut s = String::new();
        Emitter::new(Format::Summary).frame_line(&mut s, 3, 2_500_000_000, 1_000_000_000, "x");
        assert_eq!(s, "     3:-     1.500000 x\n");
        for f in [Format::Json, Format::Ndjson, Format::Csv] {
            let mut s = String::new();
            Emitter::new(f).frame_line(&mut s, 3, 0, 0, "x");
            assert!(s.is_empty(), "{f:?}");
        }
    }

    #[test]
    fn emit_skips_what_the_frame_does_not_have() {
        let dis = Dissector::new(crate::dissect::specs::SpecRegistry::with_embedded());
        let index = FrameIndex::default();
        let at = FrameRef {
            dis: &dis,
            index: &index,
            data: &[],
            no: 7,
            ts_ns: 1_000_000_000,
            linked: &[],
            changes: &[],
        };
        for f in [
            Format::Summary,
            Format::Tree,
            Format::Json,
            Format::Ndjson,
            Format::Csv,
        ] {
            let mut s = String::new();
            Emitter::new(f).emit(&mut s, &at, Part::Message(0), 0);
            assert!(s.is_empty(), "{f:?}: {s}");
            Emitter::new(f).emit(&mut s, &at, Part::NoMessage, 0);
            assert_eq!(
                s.is_empty(),
                !matches!(f, Format::Summary | Format::Tree),
                "{f:?}"
            );
            assert!(
                s.is_empty() || s.starts_with("     7:-     1.000000 "),
                "{f:?}: {s}"
            );
        }
    }
}
