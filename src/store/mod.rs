//! An append-only store of captured frames and their indexed netlink messages, independent of
//! any UI: frame bytes live in a few large chunks, every message's header facts are indexed
//! eagerly (by [`Store::push_frame`], or on another thread by an [`Indexer`]),
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
use crate::dissect::{
    Dissector, Fact, FrameIndex, IndexSeed, MessageView, MsgIndex, specs::SpecRegistry,
};
use crate::filter::Filter;
use crate::model::{Direction, Endian, Node};
use crate::pcap::{ByteOrder, Frame, Interface};

/// Per-frame facts kept next to the bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameMeta {
    /// Offset of the frame's first byte among all the store's frame bytes.
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
    /// Frame bytes, in chunks (one per loader batch, or filled by [`Store::push_frame`]);
    /// a frame never spans two chunks. `chunk_start` holds each chunk's first byte as an
    /// offset into the concatenation of all chunks ([`FrameMeta::data_start`]).
    chunks: Vec<Vec<u8>>,
    chunk_start: Vec<usize>,
    arena_len: usize,
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

/// Capacity of a chunk that [`Store::push_frame`] starts (live captures append frame by frame).
const PUSH_CHUNK: usize = 256 << 10;

/// Frames indexed away from a [`Store`] by an [`Indexer`] (e.g. on a loader thread), ready
/// for [`Store::append`]. Frame numbers, message numbers and byte offsets in it count from
/// its own start.
#[derive(Debug, Default)]
pub struct Indexed {
    bytes: Vec<u8>,
    frames: Vec<FrameMeta>,
    msgs: Vec<MsgEntry>,
    msg_total: usize,
    problems: Vec<(u32, usize, String)>,
    interfaces: Vec<(u32, Interface)>,
    facts: Vec<Fact>,
}

impl Indexed {
    /// Number of frames in it.
    pub fn frame_count(&self) -> usize {
        self.frames.len()
    }
}

/// Indexes frames the way [`Store::push_frame`] does, but on any thread (it is `Send`): the
/// frame bytes are copied once, into one exactly sized buffer per batch, and what indexing
/// learns travels with the batch as [`Fact`]s.
pub struct Indexer {
    dis: Dissector,
    scratch: FrameIndex,
}

impl Indexer {
    /// An indexer continuing from `seed` (see [`Store::index_seed`]).
    pub fn new(seed: IndexSeed) -> Self {
        Indexer {
            dis: Dissector::indexer(seed),
            scratch: FrameIndex::default(),
        }
    }

    /// Learn generic netlink ids from a section comment.
    pub fn learn_comment(&mut self, comment: &str) {
        self.dis.learn_from_comment(comment);
    }

    /// Index `frames` (each with its interface description when new).
    pub fn index(&mut self, frames: &[(Frame, Option<Interface>)]) -> Indexed {
        let size = frames.iter().map(|(f, _)| f.data.len()).sum();
        let mut ix = Indexed {
            bytes: Vec::with_capacity(size),
            frames: Vec::with_capacity(frames.len()),
            msgs: Vec::with_capacity(frames.len() * 2),
            ..Indexed::default()
        };
        for (f, iface) in frames {
            if let Some(i) = iface {
                ix.interfaces.push((f.interface, i.clone()));
            }
            for c in &f.comments {
                self.dis.learn_from_comment(c);
            }
            let fno = u32::try_from(ix.frames.len()).unwrap_or(u32::MAX);
            let start = ix.bytes.len();
            ix.bytes.extend_from_slice(&f.data);
            let (meta, n) = index_frame(
                &mut self.dis,
                &mut self.scratch,
                f,
                fno,
                start,
                &mut ix.msgs,
                &mut ix.problems,
            );
            ix.frames.push(meta);
            ix.msg_total += n;
        }
        ix.facts = self.dis.take_facts();
        ix
    }

    /// Facts learned since the last batch (from comments after the last frame).
    pub fn take_facts(&mut self) -> Indexed {
        Indexed {
            facts: self.dis.take_facts(),
            ..Indexed::default()
        }
    }
}

/// Index frame `f` (number `fno`, bytes at `data_start`): push its rows to `msgs` and its
/// problem to `problems`; returns its meta and how many netlink messages it holds.
fn index_frame(
    dis: &mut Dissector,
    fi: &mut FrameIndex,
    f: &Frame,
    fno: u32,
    data_start: usize,
    msgs: &mut Vec<MsgEntry>,
    problems: &mut Vec<(u32, usize, String)>,
) -> (FrameMeta, usize) {
    let endian = match f.byte_order {
        ByteOrder::Little => Endian::Little,
        ByteOrder::Big => Endian::Big,
    };
    dis.index_frame_into(&f.data, f.linktype, endian, fi);
    let first_msg = u32::try_from(msgs.len()).unwrap_or(u32::MAX);
    for (pos, m) in fi.msgs.iter().enumerate() {
        msgs.push(MsgEntry {
            frame: fno,
            pos: u16::try_from(pos).unwrap_or(u16::MAX),
            idx: m.clone(),
        });
    }
    if fi.msgs.is_empty() {
        // One row for the frame, as `nlscope read` prints one line for it.
        msgs.push(MsgEntry {
            frame: fno,
            pos: NO_MSG,
            idx: MsgIndex {
                offset: 0,
                len: u32::try_from(f.data.len()).unwrap_or(u32::MAX),
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
        problems.push((fno, *off, text.clone()));
    }
    let meta = FrameMeta {
        data_start,
        len: u32::try_from(f.data.len()).unwrap_or(u32::MAX),
        orig_len: f.orig_len,
        ts_ns: f.ts_ns,
        interface: f.interface,
        linktype: f.linktype,
        byte_order: f.byte_order,
        first_msg,
        msg_count: u32::try_from(fi.msgs.len()).unwrap_or(u32::MAX),
    };
    (meta, fi.msgs.len())
}

/// Bytes held by a [`Store`]'s allocations (capacities, not lengths), by purpose.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemoryUse {
    /// Frame bytes stored.
    pub frame_bytes: usize,
    /// Bytes allocated for them (chunk capacities).
    pub chunk_bytes: usize,
    /// Number of chunks.
    pub chunks: usize,
    /// [`FrameMeta`] records.
    pub frame_meta: usize,
    /// [`MsgEntry`] records (rows).
    pub msg_entries: usize,
    /// Frame problems and chunk bookkeeping.
    pub other: usize,
}

impl MemoryUse {
    /// All of it.
    pub fn total(&self) -> usize {
        self.chunk_bytes + self.frame_meta + self.msg_entries + self.other
    }
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
            chunks: Vec::new(),
            chunk_start: Vec::new(),
            arena_len: 0,
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

    /// The dissector (specs and what the capture taught it).
    pub fn dissector(&self) -> &Dissector {
        &self.dis
    }

    /// What an [`Indexer`] needs to index frames for this store.
    pub fn index_seed(&self) -> IndexSeed {
        self.dis.index_seed()
    }

    /// Learn generic netlink ids from a section comment.
    pub fn learn_comment(&mut self, comment: &str) {
        self.dis.learn_from_comment(comment);
    }

    fn set_interface(&mut self, idx: u32, iface: Interface) {
        let idx = idx as usize;
        if self.interfaces.len() <= idx {
            self.interfaces.resize(idx + 1, None);
        }
        if let Some(slot) = self.interfaces.get_mut(idx) {
            *slot = Some(iface);
        }
    }

    /// Append a frame: copy its bytes and index its messages (never builds trees).
    pub fn push_frame(&mut self, frame: &Frame, iface: Option<Interface>) {
        if let Some(i) = iface {
            self.set_interface(frame.interface, i);
        }
        for c in &frame.comments {
            self.dis.learn_from_comment(c);
        }
        let n = frame.data.len();
        let fits = self
            .chunks
            .last()
            .is_some_and(|c| c.capacity() - c.len() >= n);
        if !fits {
            self.chunk_start.push(self.arena_len);
            self.chunks.push(Vec::with_capacity(n.max(PUSH_CHUNK)));
        }
        if let Some(c) = self.chunks.last_mut() {
            c.extend_from_slice(&frame.data);
        }
        let fno = u32::try_from(self.frames.len()).unwrap_or(u32::MAX);
        let mut fi = std::mem::take(&mut self.scratch);
        let (meta, count) = index_frame(
            &mut self.dis,
            &mut fi,
            frame,
            fno,
            self.arena_len,
            &mut self.msgs,
            &mut self.problems,
        );
        self.scratch = fi;
        self.arena_len += n;
        self.msg_total += count;
        self.frames.push(meta);
    }

    /// Append frames an [`Indexer`] indexed for this store (same results as pushing them one
    /// by one with [`Store::push_frame`], without the indexing work on this thread).
    pub fn append(&mut self, ix: Indexed) {
        let Indexed {
            bytes,
            frames,
            msgs,
            msg_total,
            problems,
            interfaces,
            facts,
        } = ix;
        for (i, iface) in interfaces {
            self.set_interface(i, iface);
        }
        self.dis.apply_facts(facts);
        let base_frame = u32::try_from(self.frames.len()).unwrap_or(u32::MAX);
        let base_msg = u32::try_from(self.msgs.len()).unwrap_or(u32::MAX);
        self.msgs.reserve(msgs.len());
        for mut e in msgs {
            if e.pos != NO_MSG
                && let Some(fm) = frames.get(e.frame as usize)
                && let Some(data) = bytes.get(fm.data_start..fm.data_start + fm.len as usize)
            {
                // Requests are remembered here, in capture order, for capped acks.
                self.dis.remember_request(data, &e.idx);
            }
            e.frame = e.frame.saturating_add(base_frame);
            self.msgs.push(e);
        }
        self.frames.reserve(frames.len());
        for mut fm in frames {
            fm.data_start += self.arena_len;
            fm.first_msg = fm.first_msg.saturating_add(base_msg);
            self.frames.push(fm);
        }
        for (f, off, text) in problems {
            self.problems
                .push((f.saturating_add(base_frame), off, text));
        }
        self.msg_total += msg_total;
        if !bytes.is_empty() {
            self.chunk_start.push(self.arena_len);
            self.arena_len += bytes.len();
            self.chunks.push(bytes);
        }
    }

    /// Give back the spare capacity of the growing vectors (at the end of a load).
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

    /// Frame bytes held.
    pub fn arena_len(&self) -> usize {
        self.arena_len
    }

    /// What the store's own allocations hold (for memory measurements).
    pub fn memory(&self) -> MemoryUse {
        MemoryUse {
            frame_bytes: self.arena_len,
            chunk_bytes: self.chunks.iter().map(Vec::capacity).sum(),
            chunks: self.chunks.len(),
            frame_meta: self.frames.capacity() * std::mem::size_of::<FrameMeta>(),
            msg_entries: self.msgs.capacity() * std::mem::size_of::<MsgEntry>(),
            other: self.problems.capacity() * std::mem::size_of::<(u32, usize, String)>()
                + self.problems.iter().map(|p| p.2.capacity()).sum::<usize>()
                + self.chunk_start.capacity() * std::mem::size_of::<usize>()
                + self.chunks.capacity() * std::mem::size_of::<Vec<u8>>(),
        }
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
        let Some(m) = self.frames.get(f) else {
            return &[];
        };
        let k = self
            .chunk_start
            .partition_point(|s| *s <= m.data_start)
            .saturating_sub(1);
        let (Some(chunk), Some(start)) = (self.chunks.get(k), self.chunk_start.get(k)) else {
            return &[];
        };
        let off = m.data_start - start;
        chunk.get(off..off + m.len as usize).unwrap_or(&[])
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
        let fields = MsgFields::new(&view, u64::from(e.frame) + 1, fm.ts_ns, fm.len as usize);
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
