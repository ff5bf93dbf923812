//! The stored index: frames and message rows packed small, and the indexer that builds
//! them away from the store (on the loader thread).

use super::NO_MSG;
use crate::conv::Kind;
use crate::dissect::{Dissector, Fact, FrameIndex, IndexSeed, MsgIndex};
use crate::model::{Direction, Endian};
use crate::pcap::{ByteOrder, Frame, Interface};
/// A frame as stored: 48 bytes where [`FrameMeta`] takes 64 (its i128 is kept as two
/// halves, and positions count from the frame's segment).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct FrameRec {
    pub(super) ts_lo: u64,
    pub(super) ts_hi: i64,
    pub(super) start: u32,
    pub(super) len: u32,
    pub(super) orig_len: u32,
    pub(super) interface: u32,
    pub(super) linktype: u32,
    pub(super) first_row: u32,
    pub(super) msg_count: u32,
    pub(super) big: bool,
}

/// A row as stored: 36 bytes where [`MsgEntry`] takes 56. `present` is not kept (it is
/// `len` cut at the frame's end), the frame counts from the row's segment, and the small
/// facts share one byte of flags.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Row {
    pub(super) frame: u32,
    pub(super) offset: u32,
    pub(super) len: u32,
    pub(super) seq: u32,
    pub(super) pid: u32,
    pub(super) error: i32,
    pub(super) ty: u16,
    pub(super) flags: u16,
    pub(super) pos: u16,
    pub(super) protocol: u16,
    pub(super) genl_cmd: u8,
    pub(super) bits: u8,
}

pub(super) const BIG: u8 = 1;
pub(super) const HAS_ERROR: u8 = 2;
pub(super) const HAS_GENL_CMD: u8 = 4;
/// The frame had no cooked header (`MsgIndex::protocol` is `u32::MAX`).
pub(super) const NO_PROTOCOL: u8 = 8;
pub(super) const DIR_SHIFT: u8 = 4;
/// A request's [`Kind`] (what correlation needs of its flag context) in bits 6-7.
pub(super) const KIND_SHIFT: u8 = 6;

impl Row {
    pub(super) fn pack(frame: u32, pos: u16, m: &MsgIndex) -> Row {
        let dir = match m.direction {
            Direction::ToKernel => 0,
            Direction::FromKernel => 1,
            Direction::Unknown => 2,
        };
        let mut bits = dir << DIR_SHIFT;
        if m.endian == Endian::Big {
            bits |= BIG;
        }
        if m.error.is_some() {
            bits |= HAS_ERROR;
        }
        if m.genl_cmd.is_some() {
            bits |= HAS_GENL_CMD;
        }
        // Cooked headers carry the protocol in 16 bits; u32::MAX marks "no cooked header".
        let protocol = u16::try_from(m.protocol).unwrap_or_else(|_| {
            bits |= NO_PROTOCOL;
            0
        });
        Row {
            frame,
            offset: u32::try_from(m.offset).unwrap_or(u32::MAX),
            len: m.len,
            seq: m.seq,
            pid: m.pid,
            error: m.error.unwrap_or(0),
            ty: m.ty,
            flags: m.flags,
            pos,
            protocol,
            genl_cmd: m.genl_cmd.unwrap_or(0),
            bits,
        }
    }

    /// With a request's kind (see [`KIND_SHIFT`]).
    pub(super) fn with_kind(mut self, kind: Kind) -> Row {
        let k = match kind {
            Kind::Other => 0,
            Kind::Get => 1,
            Kind::Change => 2,
        };
        self.bits |= k << KIND_SHIFT;
        self
    }

    /// A request's kind.
    pub(super) fn kind(&self) -> Kind {
        match self.bits >> KIND_SHIFT {
            1 => Kind::Get,
            2 => Kind::Change,
            _ => Kind::Other,
        }
    }

    pub(super) fn direction(&self) -> Direction {
        match (self.bits >> DIR_SHIFT) & 3 {
            0 => Direction::ToKernel,
            1 => Direction::FromKernel,
            _ => Direction::Unknown,
        }
    }

    pub(super) fn error(&self) -> Option<i32> {
        (self.bits & HAS_ERROR != 0).then_some(self.error)
    }

    /// The header facts, for a frame of `frame_len` bytes.
    pub(super) fn index(&self, frame_len: u32) -> MsgIndex {
        let offset = self.offset as usize;
        MsgIndex {
            offset,
            len: self.len,
            ty: self.ty,
            flags: self.flags,
            seq: self.seq,
            pid: self.pid,
            protocol: if self.bits & NO_PROTOCOL != 0 {
                u32::MAX
            } else {
                u32::from(self.protocol)
            },
            direction: self.direction(),
            endian: if self.bits & BIG != 0 {
                Endian::Big
            } else {
                Endian::Little
            },
            genl_cmd: (self.bits & HAS_GENL_CMD != 0).then_some(self.genl_cmd),
            error: self.error(),
            present: if self.pos == NO_MSG {
                0
            } else {
                (self.len as usize).min((frame_len as usize).saturating_sub(offset))
            },
        }
    }
}

/// Frames indexed away from a [`Store`] by an [`Indexer`] (e.g. on a loader thread), ready
/// for [`Store::append`]. Frame numbers, message numbers and byte offsets in it count from
/// its own start.
#[derive(Debug, Default)]
pub struct Indexed {
    pub(super) bytes: Vec<u8>,
    pub(super) frames: Vec<FrameRec>,
    pub(super) rows: Vec<Row>,
    pub(super) msg_total: usize,
    pub(super) problems: Vec<(u32, usize, String)>,
    pub(super) interfaces: Vec<(u32, Interface)>,
    /// Packet comments (frame, comments).
    pub(super) comments: Vec<(u32, Vec<String>)>,
    /// Section comments (index of the first frame read after it, comment).
    pub(super) section_comments: Vec<(u32, String)>,
    pub(super) facts: Vec<Fact>,
    /// (row, object key) of the messages about a kernel object (see
    /// `MessageView::object_key`).
    pub(super) objects: Vec<(u32, u64)>,
}

impl Indexed {
    /// Number of frames in it.
    pub fn frame_count(&self) -> usize {
        self.frames.len()
    }

    /// Nothing to append: no frames, facts or comments.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty() && self.facts.is_empty() && self.section_comments.is_empty()
    }
}

/// Indexes frames for a [`Store`] on any thread (it is `Send`): the frame bytes are copied once, into one exactly sized buffer per batch, and what indexing
/// learns travels with the batch as [`Fact`]s.
pub struct Indexer {
    pub(super) dis: Dissector,
    pub(super) scratch: FrameIndex,
    /// Section comments read since the last batch (they precede its first frame).
    pub(super) pending_comments: Vec<String>,
}

impl Indexer {
    /// An indexer continuing from `seed` (see [`Store::index_seed`]).
    pub fn new(seed: IndexSeed) -> Self {
        Indexer {
            dis: Dissector::indexer(seed),
            scratch: FrameIndex::default(),
            pending_comments: Vec::new(),
        }
    }

    /// Learn generic netlink ids from a section comment.
    pub fn learn_comment(&mut self, comment: &str) {
        self.pending_comments.push(comment.to_string());
        self.dis.learn_from_comment(comment);
    }

    /// Index `frames` (each with its interface description when new).
    pub fn index(&mut self, frames: &[(Frame, Option<Interface>)]) -> Indexed {
        let size = frames.iter().map(|(f, _)| f.data.len()).sum();
        let mut ix = Indexed {
            bytes: Vec::with_capacity(size),
            frames: Vec::with_capacity(frames.len()),
            rows: Vec::with_capacity(frames.len() * 2),
            section_comments: self.pending_comments.drain(..).map(|c| (0, c)).collect(),
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
            if !f.comments.is_empty() {
                ix.comments.push((fno, f.comments.clone()));
            }
            let start = ix.bytes.len();
            ix.bytes.extend_from_slice(&f.data);
            let first_row = u32::try_from(ix.rows.len()).unwrap_or(u32::MAX);
            let (rows, objects) = (&mut ix.rows, &mut ix.objects);
            let (mut rec, n, problem) = index_frame(
                &mut self.dis,
                &mut self.scratch,
                f,
                start,
                |pos, m, kind, key| {
                    if let Some(k) = key {
                        objects.push((u32::try_from(rows.len()).unwrap_or(u32::MAX), k));
                    }
                    rows.push(Row::pack(fno, pos, m).with_kind(kind));
                },
            );
            rec.first_row = first_row;
            if let Some((off, text)) = problem {
                ix.problems.push((fno, off, text));
            }
            ix.frames.push(rec);
            ix.msg_total += n;
        }
        // The row estimate may be generous; this copy happens here, not on the UI thread.
        ix.rows.shrink_to_fit();
        ix.facts = self.dis.take_facts();
        ix
    }

    /// Facts learned since the last batch (from comments after the last frame).
    pub fn take_facts(&mut self) -> Indexed {
        Indexed {
            facts: self.dis.take_facts(),
            section_comments: self.pending_comments.drain(..).map(|c| (0, c)).collect(),
            ..Indexed::default()
        }
    }
}

/// Index frame `f` whose bytes start at `start` in its segment: hand each row to `row`
/// (with the position in the frame); returns the frame's record, how many netlink messages
/// it holds, and its problem. `first_row` is left for the caller.
pub(super) fn index_frame(
    dis: &mut Dissector,
    fi: &mut FrameIndex,
    f: &Frame,
    start: usize,
    mut row: impl FnMut(u16, &MsgIndex, Kind, Option<u64>),
) -> (FrameRec, usize, Option<(usize, String)>) {
    let endian = match f.byte_order {
        ByteOrder::Little => Endian::Little,
        ByteOrder::Big => Endian::Big,
    };
    dis.index_frame_into(&f.data, f.linktype, endian, fi);
    for (pos, m) in fi.msgs.iter().enumerate() {
        // Resolved here, on the loader thread, so the store's correlation needs no view.
        let (kind, key) = if m.direction == Direction::ToKernel {
            (Kind::of(&dis.view(&f.data, m)), None)
        } else {
            (Kind::Other, dis.view(&f.data, m).object_key())
        };
        row(u16::try_from(pos).unwrap_or(u16::MAX), m, kind, key);
    }
    if fi.msgs.is_empty() {
        // One row for the frame, as `nlscope read` prints one line for it.
        row(
            NO_MSG,
            &MsgIndex {
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
            Kind::Other,
            None,
        );
    }
    let rec = FrameRec {
        ts_lo: f.ts_ns as u64,
        ts_hi: (f.ts_ns >> 64) as i64,
        start: u32::try_from(start).unwrap_or(u32::MAX),
        len: u32::try_from(f.data.len()).unwrap_or(u32::MAX),
        orig_len: f.orig_len,
        interface: f.interface,
        linktype: f.linktype,
        first_row: 0,
        msg_count: u32::try_from(fi.msgs.len()).unwrap_or(u32::MAX),
        big: f.byte_order == ByteOrder::Big,
    };
    (rec, fi.msgs.len(), fi.problem.take())
}
