//! A pcap file read in chunks straight into the buffers of [`Packed`] batches (`nlscope read`
//! of a file): each byte is copied once, by the kernel, where reading frame by frame through a
//! buffered reader copied every frame again and parsed each record in calls of its own. The
//! frames, their order and the errors are those of [`super::Reader`]; only the batches differ,
//! cut at chunk ends (about `batch` frames each) rather than at exactly `batch` frames.

use std::io::Read;

use crossbeam_channel::Receiver;

use super::feed::{Batch, Pack};
use super::packed::{Meta, Packed};
use super::{ByteOrder, Interface, MAX_RECORD_LEN, NANOS_PER_SEC, ReadError};

const RECORD_HEADER: usize = 16;

/// Chunks are sized to hold about a batch of frames like the last chunk's, within these.
const MIN_CHUNK: usize = 16 << 10;
const MAX_CHUNK: usize = 4 << 20;

/// The rest of a pcap file after its header (see [`super::Reader::into_pcap_chunks`]).
pub(crate) struct PcapChunks<R> {
    pub(super) input: R,
    /// Bytes read but in no batch yet: the start of a record.
    pub(super) carry: Vec<u8>,
    /// File offset of `carry`'s first byte.
    pub(super) offset: u64,
    pub(super) byte_order: ByteOrder,
    pub(super) nanos: bool,
    pub(super) linktype: u32,
    /// The file's one interface, handed over with the first frame.
    pub(super) iface: Interface,
    pub(super) eof: bool,
}

/// [`super::feed::feed`] of the frames of `c`, up to `count`.
pub(crate) fn feed_chunks<R: Read>(
    mut c: PcapChunks<R>,
    batch: usize,
    count: Option<u64>,
    back: &Receiver<Packed>,
    send: &mut dyn FnMut(Batch<Packed>) -> bool,
) {
    let batch = batch.max(1);
    let mut empties: Vec<Packed> = Vec::new();
    let mut target = batch.saturating_mul(512).clamp(MIN_CHUNK, MAX_CHUNK);
    let mut n = 0u64;
    let mut first = true;
    loop {
        while let Ok(mut done) = back.try_recv() {
            if empties.len() < 64 {
                done.clear();
                empties.push(done);
            }
        }
        let left = count.map(|c| c.saturating_sub(n));
        if left == Some(0) {
            return;
        }
        let mut p = empties
            .pop()
            .unwrap_or_else(|| Packed::with_capacity(batch));
        let res = c.fill(&mut p, target, left);
        if !p.is_empty() {
            if std::mem::take(&mut first)
                && let Some(m) = p.frames.first_mut()
            {
                m.iface = Some(c.iface.clone());
            }
            let per_frame = p.bytes.len() / p.len();
            target = per_frame.saturating_mul(batch).clamp(MIN_CHUNK, MAX_CHUNK);
            n += p.len() as u64;
            if !send(Batch::Frames(p, c.offset)) {
                return;
            }
        }
        match res {
            Ok(true) => {}
            Ok(false) => return,
            Err(e) => {
                send(Batch::Error(e));
                return;
            }
        }
    }
}

impl<R: Read> PcapChunks<R> {
    /// Fill `p` (emptied) with the complete records of about `target` bytes, at least one,
    /// up to `left` frames. `Ok(false)` at the end (of the file or of `left`); an error after
    /// the frames before the bad record, which `p` holds.
    fn fill(
        &mut self,
        p: &mut Packed,
        target: usize,
        left: Option<u64>,
    ) -> Result<bool, ReadError> {
        p.bytes.clear();
        p.bytes.append(&mut self.carry);
        let base = self.offset;
        let mut want = target;
        let mut at = 0usize;
        loop {
            let mut io_err = None;
            if p.bytes.len() < want && !self.eof {
                let more = want - p.bytes.len();
                // Room first: grown as it fills, the buffer was copied over at each doubling.
                p.bytes.reserve(more);
                match (&mut self.input)
                    .take(more as u64)
                    .read_to_end(&mut p.bytes)
                {
                    Ok(0) => self.eof = true,
                    Ok(_) => {}
                    // What was read before the error was appended: its frames go first.
                    Err(e) => io_err = Some(e),
                }
            }
            let stop = self.eof || io_err.is_some();
            let end = loop {
                if left.is_some_and(|l| p.len() as u64 >= l) {
                    p.bytes.truncate(at);
                    self.offset = base + at as u64;
                    return Ok(false);
                }
                let rest = p.bytes.get(at..).unwrap_or_default();
                let Some(h) = rest.first_chunk::<RECORD_HEADER>() else {
                    break (rest.len(), RECORD_HEADER);
                };
                let start = base + at as u64;
                let [
                    t0,
                    t1,
                    t2,
                    t3,
                    f0,
                    f1,
                    f2,
                    f3,
                    i0,
                    i1,
                    i2,
                    i3,
                    o0,
                    o1,
                    o2,
                    o3,
                ] = *h;
                let bo = self.byte_order;
                let incl_len = bo.u32([i0, i1, i2, i3]);
                if incl_len > MAX_RECORD_LEN {
                    self.offset = start;
                    return Err(ReadError::corrupt(
                        start,
                        "pcap record",
                        format_args!(
                            "captured length {incl_len} exceeds the limit of {MAX_RECORD_LEN} bytes"
                        ),
                    ));
                }
                let len = RECORD_HEADER + incl_len as usize;
                if rest.len() < len {
                    break (rest.len(), len);
                }
                let frac = i128::from(bo.u32([f0, f1, f2, f3]));
                let frac_ns = if self.nanos { frac } else { frac * 1000 };
                p.frames.push(Meta {
                    ts_ns: i128::from(bo.u32([t0, t1, t2, t3])) * NANOS_PER_SEC + frac_ns,
                    interface: 0,
                    linktype: self.linktype,
                    byte_order: self.byte_order,
                    orig_len: bo.u32([o0, o1, o2, o3]),
                    comments: Vec::new(),
                    file_offset: start,
                    iface: None,
                    start: at + RECORD_HEADER,
                    end: at + len,
                });
                at += len;
            };
            let (have, need) = end;
            let start = base + at as u64;
            if let Some(e) = io_err {
                self.offset = start;
                return Err(ReadError::io(base + p.bytes.len() as u64, &e));
            }
            if stop {
                self.offset = start;
                return match have {
                    0 => Ok(false),
                    got if got < RECORD_HEADER => Err(ReadError::truncated(
                        start,
                        "pcap record",
                        format_args!(
                            "record header needs {RECORD_HEADER} bytes, only {got} present"
                        ),
                    )),
                    got => Err(ReadError::truncated(
                        start,
                        "pcap record",
                        format_args!("record length {need}, only {got} bytes present"),
                    )),
                };
            }
            if !p.is_empty() {
                // The next chunk starts with the record begun here.
                self.carry
                    .extend_from_slice(p.bytes.get(at..).unwrap_or_default());
                p.bytes.truncate(at);
                self.offset = start;
                return Ok(true);
            }
            // Not one whole record yet: read on to its end.
            want = want.max(at + need);
        }
    }
}
