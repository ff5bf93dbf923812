//! A batch of frames whose bytes share one buffer: how `nlscope read` hands frames to its
//! threads. Filling it copies each frame once and allocates nothing per frame; the consumer
//! hands the emptied batch back to be filled again.

use super::feed::Pack;
use super::{BorrowedFrame, ByteOrder, Frame, Interface};

/// Frames read in a row, their bytes one after the other in one buffer.
#[derive(Debug, Default)]
pub struct Packed {
    bytes: Vec<u8>,
    frames: Vec<Meta>,
}

/// A packed frame: the fields of [`Frame`] but its bytes, which [`Packed`] holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    /// Absolute capture time in nanoseconds since the Unix epoch.
    pub ts_ns: i128,
    /// Index into the reader's interfaces.
    pub interface: u32,
    /// Link type of the interface.
    pub linktype: u32,
    /// Byte order of the capturing host.
    pub byte_order: ByteOrder,
    /// Original length of the packet on the wire.
    pub orig_len: u32,
    /// pcapng packet `opt_comment`s.
    pub comments: Vec<String>,
    /// Byte offset of this record / block in the input.
    pub file_offset: u64,
    /// The interface's description, with the first frame that uses it.
    pub iface: Option<Box<Interface>>,
    start: usize,
    end: usize,
}

/// An emptied batch keeps a buffer up to this size for the next one (a batch of huge frames
/// does not pin its memory).
const KEEP_BYTES: usize = 8 << 20;

impl Packed {
    /// Frames held.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// Whether it holds no frame.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// The frames in order, each with its bytes.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&Meta, &[u8])> + '_ {
        self.frames
            .iter()
            .map(|m| (m, self.bytes.get(m.start..m.end).unwrap_or_default()))
    }

    /// Frame `i` with its bytes.
    pub fn get(&self, i: usize) -> Option<(&Meta, &[u8])> {
        let m = self.frames.get(i)?;
        Some((m, self.bytes.get(m.start..m.end).unwrap_or_default()))
    }

    /// Frame `i` as a [`Frame`] of its own (a copy).
    pub fn frame(&self, i: usize) -> Option<Frame> {
        let (m, data) = self.get(i)?;
        Some(Frame {
            ts_ns: m.ts_ns,
            interface: m.interface,
            linktype: m.linktype,
            byte_order: m.byte_order,
            data: data.to_vec(),
            orig_len: m.orig_len,
            comments: m.comments.clone(),
            file_offset: m.file_offset,
        })
    }
}

impl Pack for Packed {
    fn with_capacity(n: usize) -> Self {
        Packed {
            bytes: Vec::new(),
            frames: Vec::with_capacity(n),
        }
    }
    fn with_capacity_like(n: usize, full: &Self) -> Self {
        Packed {
            // A quarter more: the next batch's frames are rarely all as short.
            bytes: Vec::with_capacity((full.bytes.len() + full.bytes.len() / 4).min(KEEP_BYTES)),
            frames: Vec::with_capacity(n),
        }
    }
    fn len(&self) -> usize {
        self.frames.len()
    }
    fn push(&mut self, f: BorrowedFrame<'_>, iface: Option<Interface>) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(f.data);
        self.frames.push(Meta {
            ts_ns: f.ts_ns,
            interface: f.interface,
            linktype: f.linktype,
            byte_order: f.byte_order,
            orig_len: f.orig_len,
            comments: f.comments,
            file_offset: f.file_offset,
            iface: iface.map(Box::new),
            start,
            end: self.bytes.len(),
        });
    }
    fn set_last_iface(&mut self, iface: Interface) {
        if let Some(last) = self.frames.last_mut() {
            last.iface = Some(Box::new(iface));
        }
    }
    fn clear(&mut self) {
        self.frames.clear();
        if self.bytes.capacity() > KEEP_BYTES {
            self.bytes = Vec::new();
        } else {
            self.bytes.clear();
        }
    }
}
