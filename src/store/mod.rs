//! An append-only store of captured frames and their indexed netlink messages, independent of
//! any UI: frame bytes live in a few large chunks, every message's header facts are indexed
//! eagerly on another thread by an [`Indexer`] (files and live captures alike: [`Loader`]),
//! trees are built on demand (with a small LRU cache), and display filtering produces the list
//! of displayed message indices, incrementally so a UI can spread it over several frames.
//!
//! Memory: the frame bytes, plus a packed 48-byte record per frame and 36-byte row per message
//! (60 bytes per message on the benchmark capture); [`FrameMeta`] and [`MsgEntry`] are the
//! unpacked forms handed out by value.

mod filter;
mod job;
mod load;
mod rows;

pub use job::FilterJob;
pub use load::{Input, Item, LoadEvent, Loader, Waker};
use rows::{FrameRec, NO_PROTOCOL, Row};
pub use rows::{Indexed, Indexer};

use std::rc::Rc;
use std::sync::Arc;

use crate::capture::trace::ProcInfo;
use crate::conv::changes::{Changes, diff_views};
use crate::conv::{Conversations, Linked, Msg as ConvMsg, MsgRef};
use crate::dissect::fields::MsgFields;
use crate::dissect::problems::frame_problem_node;
use crate::dissect::{
    Dissector, FrameIndex, IndexSeed, MessageView, MsgIndex, specs::SpecRegistry,
};
use crate::model::{Direction, Node};
use crate::pcap::{ByteOrder, Interface};
use std::collections::HashMap;

/// Per-frame facts (the unpacked form of what the store keeps per frame).
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

/// One indexed message: its frame and its header facts (the unpacked form of a stored row).
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

/// Frames with their bytes and rows: one per large loader batch, or filled by several small
/// ones (a live capture's). A frame never spans two segments; appending moves no existing
/// bytes (no large reallocations while a capture grows). A closed segment never changes: a
/// background filter ([`FilterJob`]) shares its vectors.
#[derive(Debug, Default, Clone)]
struct Segment {
    bytes: Arc<Vec<u8>>,
    frames: Arc<Vec<FrameRec>>,
    rows: Arc<Vec<Row>>,
    /// Number of the segment's first byte, frame and row in the whole store.
    byte_start: usize,
    frame_start: usize,
    row_start: usize,
    /// Small batches may still be copied in here.
    open: bool,
}

impl Segment {
    /// The bytes of frame record `fr` of this segment.
    fn frame_bytes(&self, fr: &FrameRec) -> &[u8] {
        self.bytes
            .get(fr.start as usize..fr.start as usize + fr.len as usize)
            .unwrap_or(&[])
    }
}

/// Batches of at most this many frames are copied into an open segment rather than kept as
/// their own (a live capture hands over a few frames at a time).
const SMALL_BATCH: usize = 64;
/// Bytes of an open segment, and the most frames it takes.
const OPEN_BYTES: usize = 256 << 10;
const OPEN_FRAMES: usize = 2048;

/// The frames and messages of one capture.
pub struct Store {
    dis: Dissector,
    segs: Vec<Segment>,
    frame_count: usize,
    row_count: usize,
    arena_len: usize,
    /// Real netlink messages among the rows.
    msg_total: usize,
    /// Frame-level problems (frame index, offset, text): rare, so kept aside.
    problems: Vec<(u32, usize, String)>,
    interfaces: Vec<Option<Interface>>,
    /// pcapng packet comments (frame index, comments): rare, so kept aside.
    comments: Vec<(u32, Vec<String>)>,
    /// Section comments, each with the index of the first frame read after it.
    section_comments: Vec<(u32, String)>,
    trees: Vec<(u32, Rc<Vec<Node>>)>,
    /// The dissector's names version the cached trees were built under.
    trees_names: u64,
    /// Requests and their answers, by row index.
    /// Shared with filter jobs on conversation fields (a copy on the UI thread took a 24 ms
    /// frame on a 1M-message capture); copied once if a job holds it while rows are added.
    conv: Arc<Conversations>,
    /// The last row about each kernel object (by object key), and for each row about an
    /// object the previous row about it.
    object_last: HashMap<u64, u32>,
    /// Shared with filter jobs: a copy on the UI thread took tens of milliseconds.
    object_prev: Arc<HashMap<u32, u32>>,
    /// Rows the user marked (`frame.marked`).
    marked: std::collections::BTreeSet<u32>,
}

/// Bytes held by a [`Store`]'s allocations (capacities, not lengths), by purpose.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemoryUse {
    /// Frame bytes stored.
    pub frame_bytes: usize,
    /// Bytes allocated for them.
    pub byte_capacity: usize,
    /// Number of segments (loader batches, or runs of pushed frames).
    pub segments: usize,
    /// Per-frame records.
    pub frame_records: usize,
    /// Per-row records.
    pub row_records: usize,
    /// Frame problems, interfaces and segment bookkeeping.
    pub other: usize,
}

impl MemoryUse {
    /// All of it.
    pub fn total(&self) -> usize {
        self.byte_capacity + self.frame_records + self.row_records + self.other
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
            segs: Vec::new(),
            frame_count: 0,
            row_count: 0,
            arena_len: 0,
            msg_total: 0,
            problems: Vec::new(),
            interfaces: Vec::new(),
            comments: Vec::new(),
            section_comments: Vec::new(),
            trees: Vec::new(),
            trees_names: 0,
            conv: Arc::default(),
            object_last: HashMap::new(),
            object_prev: Arc::default(),
            marked: std::collections::BTreeSet::new(),
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

    /// Read generic netlink id `id` as family `name` from now on, whatever the capture says
    /// (Decode As); trees built before are dropped.
    pub fn pin_genl(&mut self, id: u16, name: &str) {
        self.dis.pin_genl(id, name);
        self.trees.clear();
    }

    /// Read classic protocol `proto` with the netlink-raw spec `name` (Decode As); trees
    /// built before are dropped.
    pub fn pin_protocol(&mut self, proto: u32, name: &str) -> Result<(), String> {
        self.dis.pin_protocol(proto, name)?;
        self.trees.clear();
        Ok(())
    }

    /// The rows `frame.marked` matches.
    pub fn set_marked(&mut self, rows: std::collections::BTreeSet<u32>) {
        self.marked = rows;
    }

    /// Learn generic netlink ids from a section comment.
    pub fn learn_comment(&mut self, comment: &str) {
        let next = u32::try_from(self.frame_count).unwrap_or(u32::MAX);
        self.section_comments.push((next, comment.to_string()));
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

    /// Append frames an [`Indexer`] indexed for this store (the same results however the
    /// frames were split into batches).
    pub fn append(&mut self, ix: Indexed) {
        let Indexed {
            bytes,
            frames,
            rows,
            msg_total,
            problems,
            interfaces,
            comments,
            section_comments,
            facts,
            objects,
        } = ix;
        let base_row = u32::try_from(self.row_count).unwrap_or(u32::MAX);
        // Copied only if a filter job still holds it (a live capture's filter).
        let object_prev = Arc::make_mut(&mut self.object_prev);
        for (r, key) in objects {
            let row = base_row.saturating_add(r);
            if let Some(prev) = self.object_last.insert(key, row) {
                object_prev.insert(row, prev);
            }
        }
        for (i, iface) in interfaces {
            self.set_interface(i, iface);
        }
        self.dis.apply_facts(facts);
        // Requests are remembered here, in capture order, for capped acks.
        for r in &rows {
            if r.pos != NO_MSG
                && r.direction() == Direction::ToKernel
                && let Some(fm) = frames.get(r.frame as usize)
                && let Some(data) =
                    bytes.get(fm.start as usize..fm.start as usize + fm.len as usize)
            {
                self.dis.remember_request(data, &r.index(fm.len));
            }
        }
        let base_frame = u32::try_from(self.frame_count).unwrap_or(u32::MAX);
        for (f, c) in section_comments {
            self.section_comments
                .push((f.saturating_add(base_frame), c));
        }
        for (f, c) in comments {
            self.comments.push((f.saturating_add(base_frame), c));
        }
        for (f, off, text) in problems {
            self.problems
                .push((f.saturating_add(base_frame), off, text));
        }
        let n = frames.len();
        if n == 0 {
            return;
        }
        self.correlate(base_frame, &bytes, &frames, &rows);
        self.msg_total += msg_total;
        if n <= SMALL_BATCH {
            self.append_small(&bytes, &frames, &rows);
            return;
        }
        if let Some(s) = self.segs.last_mut() {
            s.open = false;
        }
        let seg = Segment {
            byte_start: self.arena_len,
            frame_start: self.frame_count,
            row_start: self.row_count,
            open: false,
            bytes: Arc::new(bytes),
            frames: Arc::new(frames),
            rows: Arc::new(rows),
        };
        self.arena_len += seg.bytes.len();
        self.frame_count += seg.frames.len();
        self.row_count += seg.rows.len();
        self.segs.push(seg);
    }

    /// Push the new rows to the correlation, in order (row index = ordinal). A request's
    /// cached tree may gain answers: the cache starts over.
    fn correlate(&mut self, base_frame: u32, bytes: &[u8], frames: &[FrameRec], rows: &[Row]) {
        let conv = Arc::make_mut(&mut self.conv);
        for r in rows {
            let Some(fr) = frames.get(r.frame as usize) else {
                continue;
            };
            let ts_ns = (i128::from(fr.ts_hi) << 64) | i128::from(fr.ts_lo);
            let at = MsgRef {
                frame: u64::from(base_frame.saturating_add(r.frame)) + 1,
                msg: u32::from(r.pos),
            };
            if r.pos == NO_MSG {
                conv.push_none(at, ts_ns);
                continue;
            }
            let m = r.index(fr.len);
            let msg = bytes
                .get(fr.start as usize + m.offset..)
                .unwrap_or_default();
            conv.push(&ConvMsg::from_header(&m, msg, at, ts_ns, r.kind()));
        }
        if !rows.is_empty() {
            self.trees.clear();
        }
    }

    /// Requests and their answers over the whole store (ordinals are row indices).
    pub fn conversations(&self) -> &Conversations {
        &self.conv
    }

    /// What correlation knows of message `i`.
    pub fn linked(&self, i: usize) -> Option<Linked> {
        self.conv.linked(i)
    }

    /// What changed in message `i` since the previous message about the same kernel object,
    /// if there is one (both trees are built when their fingerprints differ).
    pub fn changes(&self, i: usize) -> Option<Changes> {
        let prev = *self.object_prev.get(&u32::try_from(i).ok()?)? as usize;
        self.compare(prev, i)
    }

    /// What changed from message `a` to message `b` (any two messages).
    pub fn compare(&self, a: usize, b: usize) -> Option<Changes> {
        let (va, vb) = (self.view(a)?, self.view(b)?);
        let changes = diff_views(&va, &vb);
        let e = self.msg(a)?;
        Some(Changes {
            since: MsgRef {
                frame: u64::from(e.frame) + 1,
                msg: u32::from(e.pos),
            },
            changes,
        })
    }

    /// The row index of the message at `at` (1-based frame, message in the frame).
    pub fn row_of(&self, at: MsgRef) -> Option<usize> {
        self.conv.ordinal(at)
    }

    /// Copy a small batch into the open segment, starting one when there is none or it is
    /// full (its bytes and frames are reserved up front: they never move).
    fn append_small(&mut self, bytes: &[u8], frames: &[FrameRec], rows: &[Row]) {
        let fits = self.segs.last().is_some_and(|s| {
            s.open
                && s.bytes.capacity() - s.bytes.len() >= bytes.len()
                && s.frames.len() + frames.len() <= OPEN_FRAMES
        });
        if !fits {
            if let Some(s) = self.segs.last_mut() {
                s.open = false;
            }
            self.segs.push(Segment {
                bytes: Arc::new(Vec::with_capacity(bytes.len().max(OPEN_BYTES))),
                frames: Arc::new(Vec::with_capacity(OPEN_FRAMES)),
                rows: Arc::new(Vec::new()),
                byte_start: self.arena_len,
                frame_start: self.frame_count,
                row_start: self.row_count,
                open: true,
            });
        }
        let Some(seg) = self.segs.last_mut() else {
            return;
        };
        // Offsets in the batch count from its start; in the segment, from the segment's.
        let (b0, f0, r0) = (seg.bytes.len(), seg.frames.len(), seg.rows.len());
        let shift = |v: u32, by: usize| u32::try_from(v as usize + by).unwrap_or(u32::MAX);
        // An open segment is never shared (jobs take closed ones): these do not copy.
        Arc::make_mut(&mut seg.bytes).extend_from_slice(bytes);
        Arc::make_mut(&mut seg.frames).extend(frames.iter().map(|f| FrameRec {
            start: shift(f.start, b0),
            first_row: shift(f.first_row, r0),
            ..*f
        }));
        Arc::make_mut(&mut seg.rows).extend(rows.iter().map(|r| Row {
            frame: shift(r.frame, f0),
            ..*r
        }));
        self.arena_len += bytes.len();
        self.frame_count += frames.len();
        self.row_count += rows.len();
    }

    /// Make room for what a capture file of `bytes` bytes adds to the tables that grow a
    /// message at a time (correlation, objects), so that none of them doubles, copying
    /// megabytes, in one UI frame of the load. Reserved pages that are never written take no
    /// memory, so a generous guess costs nothing.
    pub fn expect_file(&mut self, bytes: u64) {
        // Record header (16) plus the smallest messages (16-36 bytes): at most one message per
        // ~64 bytes; most captures have one per 100-300.
        let n = usize::try_from(bytes / 96)
            .unwrap_or(usize::MAX)
            .min(1 << 24);
        Arc::make_mut(&mut self.conv).reserve(n);
        Arc::make_mut(&mut self.object_prev).reserve(n / 2);
    }

    /// Give back the spare capacity of the growing vectors (at the end of a load).
    pub fn shrink_to_fit(&mut self) {
        for s in self.segs.iter_mut().filter(|s| s.open) {
            Arc::make_mut(&mut s.frames).shrink_to_fit();
            Arc::make_mut(&mut s.rows).shrink_to_fit();
        }
        self.problems.shrink_to_fit();
        self.comments.shrink_to_fit();
    }

    /// The segment holding row `i`, and the row's position in it.
    fn seg_of_row(&self, i: usize) -> Option<(&Segment, &Row)> {
        seg_of_row(&self.segs, i)
    }

    /// The segment holding frame `f`, and the frame's record.
    fn seg_of_frame(&self, f: usize) -> Option<(&Segment, &FrameRec)> {
        let k = self
            .segs
            .partition_point(|s| s.frame_start <= f)
            .checked_sub(1)?;
        let s = self.segs.get(k)?;
        Some((s, s.frames.get(f - s.frame_start)?))
    }

    /// Row `i` unpacked, with its frame's bytes.
    fn row(&self, i: usize) -> Option<(MsgEntry, &[u8])> {
        row_in(&self.segs, i)
    }

    /// Number of frames.
    pub fn frame_count(&self) -> usize {
        self.frame_count
    }

    /// Number of rows: every message, plus one per frame without messages.
    pub fn len(&self) -> usize {
        self.row_count
    }

    /// True when no row is stored.
    pub fn is_empty(&self) -> bool {
        self.row_count == 0
    }

    /// Number of netlink messages (rows of frames without messages not counted).
    pub fn message_count(&self) -> usize {
        self.msg_total
    }

    /// One line for a row without a message: the uevent text, or the frame's problem.
    pub fn frame_text(&self, i: usize) -> String {
        let Some((e, data)) = self.row(i) else {
            return String::new();
        };
        let skip = self
            .seg_of_frame(e.frame as usize)
            .and_then(|(_, f)| crate::dissect::cooked::parse(f.linktype, data).ok())
            .map_or(0, |c| c.header_len);
        let problem = self.frame_problem(e.frame).map(|p| p.1);
        crate::dissect::problems::no_message_text(data, skip, problem, 200)
    }

    /// The pcapng packet comments of frame `f` (0-based).
    pub fn frame_comments(&self, f: u32) -> &[String] {
        comments_of(&self.comments, f)
    }

    /// Section comments (e.g. `genl-families:`), each with the index of the first frame read
    /// after it.
    pub fn section_comments(&self) -> &[(u32, String)] {
        &self.section_comments
    }

    /// Frame bytes held.
    pub fn arena_len(&self) -> usize {
        self.arena_len
    }

    /// What the store's own allocations hold (for memory measurements).
    pub fn memory(&self) -> MemoryUse {
        let mut m = MemoryUse {
            frame_bytes: self.arena_len,
            segments: self.segs.len(),
            other: self.segs.capacity() * std::mem::size_of::<Segment>()
                + self.problems.capacity() * std::mem::size_of::<(u32, usize, String)>()
                + self.problems.iter().map(|p| p.2.capacity()).sum::<usize>()
                + self.interfaces.capacity() * std::mem::size_of::<Option<Interface>>(),
            ..MemoryUse::default()
        };
        for s in &self.segs {
            m.byte_capacity += s.bytes.capacity();
            m.frame_records += s.frames.capacity() * std::mem::size_of::<FrameRec>();
            m.row_records += s.rows.capacity() * std::mem::size_of::<Row>();
        }
        m
    }

    /// Message `i`.
    pub fn msg(&self, i: usize) -> Option<MsgEntry> {
        self.row(i).map(|(e, _)| e)
    }

    /// Frame `f` (0-based).
    pub fn frame(&self, f: usize) -> Option<FrameMeta> {
        let (s, r) = self.seg_of_frame(f)?;
        Some(FrameMeta {
            data_start: s.byte_start + r.start as usize,
            len: r.len,
            orig_len: r.orig_len,
            ts_ns: (i128::from(r.ts_hi) << 64) | i128::from(r.ts_lo),
            interface: r.interface,
            linktype: r.linktype,
            byte_order: if r.big {
                ByteOrder::Big
            } else {
                ByteOrder::Little
            },
            first_msg: u32::try_from(s.row_start + r.first_row as usize).unwrap_or(u32::MAX),
            msg_count: r.msg_count,
        })
    }

    /// The bytes of frame `f` (0-based).
    pub fn frame_data(&self, f: usize) -> &[u8] {
        self.seg_of_frame(f).map_or(&[], |(s, r)| s.frame_bytes(r))
    }

    /// The interface a frame was captured on, if described.
    pub fn interface(&self, i: u32) -> Option<&Interface> {
        self.interfaces.get(i as usize).and_then(Option::as_ref)
    }

    /// Rows in closed segments: all of them but what a live capture's open segment holds
    /// (what [`Store::start_filter`] can hand to worker threads).
    pub fn closed_rows(&self) -> usize {
        self.segs
            .iter()
            .filter(|s| !s.open)
            .map(|s| s.row_start + s.rows.len())
            .max()
            .unwrap_or(0)
    }

    /// Time of the first frame (for relative times).
    pub fn first_ts(&self) -> Option<i128> {
        self.frame(0).map(|f| f.ts_ns)
    }

    /// A view of message `i` (names, summary, tree); `None` for a frame without messages.
    pub fn view(&self, i: usize) -> Option<MessageView<'_>> {
        let (e, data) = self.row(i).filter(|(e, _)| e.pos != NO_MSG)?;
        Some(self.dis.view(data, &e.idx))
    }

    /// Filter fields of message `i` (1-based frame number as the CLI counts).
    pub fn with_fields<R>(&self, i: usize, f: impl FnOnce(&MsgFields<'_>) -> R) -> Option<R> {
        let (e, data) = self.row(i).filter(|(e, _)| e.pos != NO_MSG)?;
        let (_, fr) = self.seg_of_frame(e.frame as usize)?;
        let ts = (i128::from(fr.ts_hi) << 64) | i128::from(fr.ts_lo);
        let view = self.dis.view(data, &e.idx);
        let process = ProcInfo::from_comments(self.frame_comments(e.frame));
        let mut fields = MsgFields::new(&view, u64::from(e.frame) + 1, ts, fr.len as usize)
            .with_linked(self.conv.linked(i))
            .with_process(process.as_ref())
            .with_marked(u32::try_from(i).is_ok_and(|i| self.marked.contains(&i)));
        if let Some(t0) = self.first_ts() {
            fields = fields.relative_to(t0);
        }
        fields.changes = self.changes(i);
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
        let Some((s, r)) = self.seg_of_row(i) else {
            return Mark::Normal;
        };
        let frame = u32::try_from(s.frame_start + r.frame as usize).unwrap_or(u32::MAX);
        if r.error().is_some_and(|x| x != 0) || self.frame_problem(frame).is_some() {
            Mark::Error
        } else {
            Mark::Normal
        }
    }

    /// Direction of message `i`.
    pub fn direction(&self, i: usize) -> Direction {
        self.seg_of_row(i)
            .map_or(Direction::Unknown, |(_, r)| r.direction())
    }

    /// The display tree of message `i`, as a protocol tree pane shows it: a frame summary
    /// node (no bytes of its own), the cooked header, the nlmsghdr, then the payload tree; the
    /// last message of a frame with a frame-level problem gets it as an extra expert node.
    /// Cached (LRU).
    pub fn tree(&mut self, i: usize) -> Rc<Vec<Node>> {
        // A generic netlink id learned or guessed since: the cached trees may name it wrong.
        if self.trees_names != self.dis.names_version() {
            self.trees.clear();
            self.trees_names = self.dis.names_version();
        }
        let key = u32::try_from(i).unwrap_or(u32::MAX);
        if let Some(p) = self.trees.iter().position(|(k, _)| *k == key) {
            let hit = self.trees.remove(p);
            let t = Rc::clone(&hit.1);
            self.trees.push(hit);
            return t;
        }
        let t = Rc::new(self.build_tree(i));
        if self.trees.len() >= TREE_CACHE {
            self.trees.remove(0);
        }
        self.trees.push((key, Rc::clone(&t)));
        t
    }

    /// The display tree of message `i` as [`Store::tree`] shows it, built without the cache
    /// (a search over many messages would only evict the trees someone looks at).
    pub fn build_tree(&self, i: usize) -> Vec<Node> {
        let Some((e, data)) = self.row(i) else {
            return Vec::new();
        };
        let view = self.dis.view(data, &e.idx);
        let mut tree = Vec::with_capacity(24);
        let fm = self.frame(e.frame as usize);
        if let Some(fm) = &fm {
            tree.push(frame_node(fm, &e, self.interface(fm.interface)));
            if let Ok(c) = crate::dissect::cooked::parse(fm.linktype, data) {
                tree.push(crate::dissect::cooked::node(&c, data));
            }
        }
        if e.pos == NO_MSG {
            if self.frame_problem(e.frame).is_none() {
                let text = self.frame_text(i);
                let mut n = Node::new("text", "", crate::model::Value::None, 0, 0);
                if let Some(fm) = &fm {
                    let skip = crate::dissect::cooked::parse(fm.linktype, data)
                        .map_or(0, |c| c.header_len);
                    n.offset = skip.min(data.len());
                    n.length = data.len() - n.offset;
                }
                n.display = text;
                tree.push(n);
            }
        } else {
            let mut h = view.header_node();
            if let Some(l) = self.conv.linked(i) {
                h.children.extend(crate::conv::show::nodes(&l));
            }
            tree.push(h);
            if let Some(c) = self.changes(i) {
                tree.push(crate::conv::changes::node(&c));
            }
            tree.extend(view.tree());
        }
        let last = e.pos == NO_MSG || fm.is_some_and(|f| u32::from(e.pos) + 1 == f.msg_count);
        if last && let Some((off, text)) = self.frame_problem(e.frame) {
            let fi = FrameIndex {
                problem: Some((off, text.to_string())),
                ..FrameIndex::default()
            };
            if let Some(n) = frame_problem_node(&fi, data.len()) {
                tree.push(n);
            }
        }
        tree
    }

    /// How many trees are cached (for tests).
    pub fn cached_trees(&self) -> usize {
        self.trees.len()
    }

    fn walk_rows(
        &self,
        range: std::ops::Range<usize>,
    ) -> impl Iterator<Item = (usize, &Segment, &Row, &FrameRec)> {
        walk_rows(&self.segs, range)
    }

    /// Call `f(row, ts_ns, protocol, is_error)` for the rows in `range`, in order: one walk over
    /// the segments (what the timeline counts as rows arrive; no lookup per row).
    /// `protocol` is `u32::MAX` for a frame without a cooked header; `is_error` as [`Store::mark`].
    pub fn scan_rows(
        &self,
        range: std::ops::Range<usize>,
        mut f: impl FnMut(usize, i128, u32, bool),
    ) {
        let end = range.end.min(self.row_count);
        if range.start >= end {
            return;
        }
        for (i, s, r, fr) in self.walk_rows(range.start..end) {
            {
                let ts = (i128::from(fr.ts_hi) << 64) | i128::from(fr.ts_lo);
                let protocol = if r.bits & NO_PROTOCOL != 0 {
                    u32::MAX
                } else {
                    u32::from(r.protocol)
                };
                let frame = u32::try_from(s.frame_start + r.frame as usize).unwrap_or(u32::MAX);
                let error = r.error().is_some_and(|x| x != 0)
                    || (!self.problems.is_empty() && self.frame_problem(frame).is_some());
                f(i, ts, protocol, error);
            }
        }
    }
}

/// The rows of `segs` in `range`, with their segment and frame.
fn walk_rows(
    segs: &[Segment],
    range: std::ops::Range<usize>,
) -> impl Iterator<Item = (usize, &Segment, &Row, &FrameRec)> {
    let first = segs
        .partition_point(|s| s.row_start <= range.start)
        .saturating_sub(1);
    segs.get(first..)
        .unwrap_or(&[])
        .iter()
        .take_while(move |s| s.row_start < range.end)
        .flat_map(move |s| {
            let lo = range.start.saturating_sub(s.row_start);
            let hi = (range.end - s.row_start).min(s.rows.len());
            s.rows
                .get(lo..hi)
                .unwrap_or(&[])
                .iter()
                .enumerate()
                .filter_map(move |(j, r)| {
                    let fr = s.frames.get(r.frame as usize)?;
                    Some((s.row_start + lo + j, s, r, fr))
                })
        })
}

/// The segment of `segs` holding row `i`, and the row's position in it.
fn seg_of_row(segs: &[Segment], i: usize) -> Option<(&Segment, &Row)> {
    let k = segs.partition_point(|s| s.row_start <= i).checked_sub(1)?;
    let s = segs.get(k)?;
    Some((s, s.rows.get(i - s.row_start)?))
}

/// Row `i` of `segs` unpacked, with its frame's bytes (the store's, or a job's copy of them).
fn row_in(segs: &[Segment], i: usize) -> Option<(MsgEntry, &[u8])> {
    let (s, r) = seg_of_row(segs, i)?;
    let fr = s.frames.get(r.frame as usize)?;
    let frame = u32::try_from(s.frame_start + r.frame as usize).unwrap_or(u32::MAX);
    Some((
        MsgEntry {
            frame,
            pos: r.pos,
            idx: r.index(fr.len),
        },
        s.frame_bytes(fr),
    ))
}

/// The packet comments of frame `f` among `comments` (in frame order).
fn comments_of(comments: &[(u32, Vec<String>)], f: u32) -> &[String] {
    let k = comments.partition_point(|c| c.0 < f);
    comments
        .get(k)
        .filter(|c| c.0 == f)
        .map_or(&[], |c| c.1.as_slice())
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
    time.display = format!(
        "{} ({secs}.{frac:09} since the epoch)",
        crate::model::time::date_time(fm.ts_ns)
    );
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
