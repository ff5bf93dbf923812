//! An append-only store of captured frames and their indexed netlink messages, independent of
//! any UI: frame bytes live in one arena, every message's header facts are indexed eagerly,
//! trees are built on demand (with a small LRU cache), and display filtering produces the list
//! of displayed message indices, incrementally so a UI can spread it over several frames.
//!
//! Memory: the frame bytes, plus [`FrameMeta`] per frame and [`MsgEntry`] per message
//! (about 100 bytes together for a one-message frame).

// Input is untrusted: keep the non-test code free of panicking constructs.
#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]

mod load;

pub use load::{LoadEvent, Loader, Waker};

use std::rc::Rc;

use crate::cli::fields::MsgFields;
use crate::cli::read::frame_problem_node;
use crate::dissect::{Dissector, FrameIndex, MessageView, MsgIndex, specs::SpecRegistry};
use crate::filter::Filter;
use crate::model::{Direction, Endian, Node};
use crate::pcap::{ByteOrder, Frame, Interface};

/// Per-frame facts kept next to the bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameMeta {
    /// Start of the frame's bytes in the arena.
    pub data_start: usize,
    /// Captured length.
    pub len: u32,
    /// Original length on the wire.
    pub orig_len: u32,
    /// Capture time, ns since the epoch.
    pub ts_ns: i128,
    /// Interface index (pcapng), 0 for pcap.
    pub interface: u32,
    /// Link type.
    pub linktype: u32,
    /// Byte order of the capturing host.
    pub byte_order: ByteOrder,
    /// Index of the frame's first message in [`Store::msgs`].
    pub first_msg: u32,
    /// Number of messages found in the frame.
    pub msg_count: u32,
}

/// One indexed message: its frame and its header facts.
#[derive(Debug, Clone, PartialEq)]
pub struct MsgEntry {
    /// 0-based frame index into [`Store::frames`].
    pub frame: u32,
    /// 0-based position of the message within its frame.
    pub pos: u16,
    /// Header facts.
    pub idx: MsgIndex,
}

/// [`MsgEntry::pos`] of the row that stands for a frame without netlink messages (a kobject
/// uevent, or a frame that is not netlink): it has no message view and matches no filter.
pub const NO_MSG: u16 = u16::MAX;

/// How many built trees are kept.
const TREE_CACHE: usize = 16;

/// The frames and messages of one capture.
pub struct Store {
    dis: Dissector,
    arena: Vec<u8>,
    frames: Vec<FrameMeta>,
    msgs: Vec<MsgEntry>,
    /// Real netlink messages among `msgs`.
    msg_total: usize,
    /// Frame-level problems (frame index, offset, text): rare, so kept aside.
    problems: Vec<(u32, usize, String)>,
    interfaces: Vec<Option<Interface>>,
    trees: Vec<(u32, Rc<Vec<Node>>)>,
    scratch: FrameIndex,
}

/// Why a message is drawn in a warning colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// Nothing special.
    Normal,
    /// An NLMSG_ERROR with a non-zero errno, or a frame-level problem.
    Error,
}

impl Store {
    /// An empty store dissecting with `specs`.
    pub fn new(specs: SpecRegistry) -> Self {
        Store {
            dis: Dissector::new(specs),
            arena: Vec::new(),
            frames: Vec::new(),
            msgs: Vec::new(),
            msg_total: 0,
            problems: Vec::new(),
            interfaces: Vec::new(),
            trees: Vec::new(),
            scratch: FrameIndex::default(),
        }
    }

    /// Give the specs back (to start a fresh store for another capture).
    pub fn into_specs(self) -> SpecRegistry {
        self.dis.specs
    }

    /// Reserve arena space for about `bytes` more frame bytes (e.g. the file size).
    pub fn reserve_bytes(&mut self, bytes: usize) {
        self.arena.reserve(bytes);
    }

    /// The dissector (specs and what the capture taught it).
    pub fn dissector(&self) -> &Dissector {
        &self.dis
    }

    /// Learn generic netlink ids from a section comment.
    pub fn learn_comment(&mut self, comment: &str) {
        self.dis.learn_from_comment(comment);
    }

    /// Append a frame: copy its bytes and index its messages (never builds trees).
    pub fn push_frame(&mut self, frame: &Frame, iface: Option<Interface>) {
        if let Some(i) = iface {
            let idx = frame.interface as usize;
            if self.interfaces.len() <= idx {
                self.interfaces.resize(idx + 1, None);
            }
            if let Some(slot) = self.interfaces.get_mut(idx) {
                *slot = Some(i);
            }
        }
        for c in &frame.comments {
            self.dis.learn_from_comment(c);
        }
        let fno = u32::try_from(self.frames.len()).unwrap_or(u32::MAX);
        let data_start = self.arena.len();
        self.arena.extend_from_slice(&frame.data);
        let endian = match frame.byte_order {
            ByteOrder::Little => Endian::Little,
            ByteOrder::Big => Endian::Big,
        };
        let mut fi = std::mem::take(&mut self.scratch);
        self.dis
            .index_frame_into(&frame.data, frame.linktype, endian, &mut fi);
        let first_msg = u32::try_from(self.msgs.len()).unwrap_or(u32::MAX);
        for (pos, m) in fi.msgs.iter().enumerate() {
            self.msgs.push(MsgEntry {
                frame: fno,
                pos: u16::try_from(pos).unwrap_or(u16::MAX),
                idx: m.clone(),
            });
        }
        self.msg_total += fi.msgs.len();
        if fi.msgs.is_empty() {
            // One row for the frame, as `nlscope read` prints one line for it.
            self.msgs.push(MsgEntry {
                frame: fno,
                pos: NO_MSG,
                idx: MsgIndex {
                    offset: 0,
                    len: u32::try_from(frame.data.len()).unwrap_or(u32::MAX),
                    ty: 0,
                    flags: 0,
                    seq: 0,
                    pid: 0,
                    protocol: fi.cooked.map_or(u32::MAX, |c| c.protocol),
                    direction: Direction::Unknown,
                    endian,
                    genl_cmd: None,
                    error: None,
                    present: 0,
                },
            });
        }
        if let Some((off, text)) = &fi.problem {
            self.problems.push((fno, *off, text.clone()));
        }
        self.frames.push(FrameMeta {
            data_start,
            len: u32::try_from(frame.data.len()).unwrap_or(u32::MAX),
            orig_len: frame.orig_len,
            ts_ns: frame.ts_ns,
            interface: frame.interface,
            linktype: frame.linktype,
            byte_order: frame.byte_order,
            first_msg,
            msg_count: u32::try_from(fi.msgs.len()).unwrap_or(u32::MAX),
        });
        self.scratch = fi;
    }

    /// Give back the spare capacity of the growing vectors (at the end of a load). The arena
    /// is left alone: it was reserved at the file's size, so its slack is only the file's
    /// record headers, and shrinking it may copy it whole (mimalloc does).
    pub fn shrink_to_fit(&mut self) {
        self.frames.shrink_to_fit();
        self.msgs.shrink_to_fit();
        self.problems.shrink_to_fit();
    }

    /// Number of frames.
    pub fn frame_count(&self) -> usize {
        self.frames.len()
    }

    /// Number of rows: every message, plus one per frame without messages.
    pub fn len(&self) -> usize {
        self.msgs.len()
    }

    /// True when no row is stored.
    pub fn is_empty(&self) -> bool {
        self.msgs.is_empty()
    }

    /// Number of netlink messages (rows of frames without messages not counted).
    pub fn message_count(&self) -> usize {
        self.msg_total
    }

    /// One line for a row without a message: the uevent text, or the frame's problem.
    pub fn frame_text(&self, i: usize) -> String {
        let Some(e) = self.msgs.get(i) else {
            return String::new();
        };
        if let Some((_, p)) = self.frame_problem(e.frame) {
            return format!("[{p}]");
        }
        let data = self.frame_data(e.frame as usize);
        let skip = self
            .frames
            .get(e.frame as usize)
            .and_then(|f| crate::dissect::cooked::parse(f.linktype, data).ok())
            .map_or(0, |c| c.header_len);
        let t = String::from_utf8_lossy(data.get(skip..).unwrap_or(&[])).replace('\0', " ");
        let short: String = t.trim().chars().take(200).collect();
        format!("uevent {short}")
    }

    /// Bytes held by the arena.
    pub fn arena_len(&self) -> usize {
        self.arena.len()
    }

    /// Message `i`.
    pub fn msg(&self, i: usize) -> Option<&MsgEntry> {
        self.msgs.get(i)
    }

    /// Frame `f` (0-based).
    pub fn frame(&self, f: usize) -> Option<&FrameMeta> {
        self.frames.get(f)
    }

    /// The bytes of frame `f` (0-based).
    pub fn frame_data(&self, f: usize) -> &[u8] {
        self.frames
            .get(f)
            .and_then(|m| self.arena.get(m.data_start..m.data_start + m.len as usize))
            .unwrap_or(&[])
    }

    /// The interface a frame was captured on, if described.
    pub fn interface(&self, i: u32) -> Option<&Interface> {
        self.interfaces.get(i as usize).and_then(Option::as_ref)
    }

    /// Time of the first frame (for relative times).
    pub fn first_ts(&self) -> Option<i128> {
        self.frames.first().map(|f| f.ts_ns)
    }

    /// A view of message `i` (names, summary, tree); `None` for a frame without messages.
    pub fn view(&self, i: usize) -> Option<MessageView<'_>> {
        let e = self.msgs.get(i).filter(|e| e.pos != NO_MSG)?;
        Some(self.dis.view(self.frame_data(e.frame as usize), &e.idx))
    }

    /// Filter fields of message `i` (1-based frame number as the CLI counts).
    pub fn with_fields<R>(&self, i: usize, f: impl FnOnce(&MsgFields<'_>) -> R) -> Option<R> {
        let e = self.msgs.get(i).filter(|e| e.pos != NO_MSG)?;
        let fm = self.frames.get(e.frame as usize)?;
        let view = self.dis.view(self.frame_data(e.frame as usize), &e.idx);
        let mut fields = MsgFields::new(&view, u64::from(e.frame) + 1, fm.ts_ns, fm.len as usize);
        if let Some(t0) = self.first_ts() {
            fields = fields.relative_to(t0);
        }
        Some(f(&fields))
    }

    /// The frame-level problem of frame `f`, if any.
    pub fn frame_problem(&self, f: u32) -> Option<(usize, &str)> {
        // Pushed in frame order: binary search.
        let k = self.problems.partition_point(|p| p.0 < f);
        self.problems
            .get(k)
            .filter(|p| p.0 == f)
            .map(|p| (p.1, p.2.as_str()))
    }

    /// Colour class of message `i`.
    pub fn mark(&self, i: usize) -> Mark {
        match self.msgs.get(i) {
            Some(e) if e.idx.error.is_some_and(|x| x != 0) => Mark::Error,
            Some(e) if self.frame_problem(e.frame).is_some() => Mark::Error,
            _ => Mark::Normal,
        }
    }

    /// Direction of message `i`.
    pub fn direction(&self, i: usize) -> Direction {
        self.msgs
            .get(i)
            .map_or(Direction::Unknown, |e| e.idx.direction)
    }

    /// The display tree of message `i`, as a protocol tree pane shows it: a frame summary
    /// node (no bytes of its own), the cooked header, the nlmsghdr, then the payload tree; the
    /// last message of a frame with a frame-level problem gets it as an extra expert node.
    /// Cached (LRU).
    pub fn tree(&mut self, i: usize) -> Rc<Vec<Node>> {
        let key = u32::try_from(i).unwrap_or(u32::MAX);
        if let Some(p) = self.trees.iter().position(|(k, _)| *k == key) {
            let hit = self.trees.remove(p);
            let t = Rc::clone(&hit.1);
            self.trees.push(hit);
            return t;
        }
        let Some(e) = self.msgs.get(i) else {
            return Rc::new(Vec::new());
        };
        let data = self.frame_data(e.frame as usize);
        let view = self.dis.view(data, &e.idx);
        let mut tree = Vec::with_capacity(24);
        if let Some(fm) = self.frames.get(e.frame as usize) {
            tree.push(frame_node(fm, e, self.interface(fm.interface)));
            if let Ok(c) = crate::dissect::cooked::parse(fm.linktype, data) {
                tree.push(crate::dissect::cooked::node(&c, data));
            }
        }
        if e.pos == NO_MSG {
            if self.frame_problem(e.frame).is_none() {
                let text = self.frame_text(i);
                let mut n = Node::new("text", "", crate::model::Value::None, 0, 0);
                if let Some(fm) = self.frames.get(e.frame as usize) {
                    let skip = crate::dissect::cooked::parse(fm.linktype, data)
                        .map_or(0, |c| c.header_len);
                    n.offset = skip.min(data.len());
                    n.length = data.len() - n.offset;
                }
                n.display = text;
                tree.push(n);
            }
        } else {
            tree.push(view.header_node());
            tree.extend(view.tree());
        }
        let last = e.pos == NO_MSG
            || self
                .frames
                .get(e.frame as usize)
                .is_some_and(|f| u32::from(e.pos) + 1 == f.msg_count);
        if last && let Some((off, text)) = self.frame_problem(e.frame) {
            let fi = FrameIndex {
                problem: Some((off, text.to_string())),
                ..FrameIndex::default()
            };
            if let Some(n) = frame_problem_node(&fi, data.len()) {
                tree.push(n);
            }
        }
        let t = Rc::new(tree);
        if self.trees.len() >= TREE_CACHE {
            self.trees.remove(0);
        }
        self.trees.push((key, Rc::clone(&t)));
        t
    }

    /// How many trees are cached (for tests).
    pub fn cached_trees(&self) -> usize {
        self.trees.len()
    }

    /// Append to `out` the indices in `range` of the messages that pass `filter`.
    /// A filter over header fields only never builds a tree.
    pub fn filter_range(&self, filter: &Filter, range: std::ops::Range<usize>, out: &mut Vec<u32>) {
        let end = range.end.min(self.msgs.len());
        for i in range.start..end {
            if filter.is_empty() || self.with_fields(i, |f| filter.matches(f)).unwrap_or(false) {
                out.push(u32::try_from(i).unwrap_or(u32::MAX));
            }
        }
    }

    /// Indices of all messages that pass `filter`.
    pub fn filter_all(&self, filter: &Filter) -> Vec<u32> {
        let mut v = Vec::new();
        self.filter_range(filter, 0..self.msgs.len(), &mut v);
        v
    }
}

/// The summary node of a frame (time, lengths, interface). It covers no bytes, so a click in
/// the hex pane always selects a protocol node.
fn frame_node(fm: &FrameMeta, e: &MsgEntry, iface: Option<&Interface>) -> Node {
    use crate::model::Value;
    let n = u64::from(e.frame) + 1;
    let mut f = Node::new("Frame", "frame", Value::None, 0, 0);
    f.display = if e.pos == NO_MSG {
        format!(
            "{n}, no netlink message: {} bytes captured ({} on the wire)",
            fm.len, fm.orig_len
        )
    } else {
        format!(
            "{n}, message {} of {}: {} bytes captured ({} on the wire)",
            e.pos, fm.msg_count, fm.len, fm.orig_len
        )
    };
    let secs = fm.ts_ns.div_euclid(1_000_000_000);
    let frac = fm.ts_ns.rem_euclid(1_000_000_000);
    let mut time = Node::new("Arrival time", "frame.time", Value::None, 0, 0);
    time.display = format!("{secs}.{frac:09} (seconds since the epoch)");
    f.children.push(time);
    f.children.push(Node::new(
        "Frame number",
        "frame.number",
        Value::Uint(n),
        0,
        0,
    ));
    f.children.push(Node::new(
        "Captured length",
        "frame.len",
        Value::Uint(u64::from(fm.len)),
        0,
        0,
    ));
    let mut lt = Node::new("Link type", "", Value::Uint(u64::from(fm.linktype)), 0, 0);
    lt.display = format!("{}", fm.linktype);
    f.children.push(lt);
    let mut ifn = Node::new("Interface", "", Value::Uint(u64::from(fm.interface)), 0, 0);
    ifn.display = match iface.and_then(|i| i.name.as_deref()) {
        Some(name) => format!("{} ({name})", fm.interface),
        None => fm.interface.to_string(),
    };
    f.children.push(ifn);
    let mut bo = Node::new("Byte order", "", Value::None, 0, 0);
    bo.display = fm.byte_order.to_string();
    f.children.push(bo);
    f
}

#[cfg(test)]
mod tests;
