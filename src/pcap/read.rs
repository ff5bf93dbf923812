//! Streaming pcap / pcapng parser.

use std::io::{self, BufRead, BufReader, Read};

use super::error::{ReadError, ReadErrorKind};
use super::{
    BorrowedFrame, ByteOrder, FileFormat, Frame, Interface, MAX_RECORD_LEN, NANOS_PER_SEC,
    TSRESOL_MICROS, TSRESOL_NANOS,
};

const PCAP_HEADER_LEN: usize = 24;
const PCAP_RECORD_HEADER_LEN: usize = 16;

/// pcapng block types (the SHB type is a byte-order palindrome).
const BT_SHB: u32 = 0x0a0d_0d0a;
const BT_IDB: u32 = 1;
const BT_OPB: u32 = 2;
const BT_SPB: u32 = 3;
const BT_EPB: u32 = 6;

/// pcapng option codes used here.
const OPT_COMMENT: u16 = 1;
const OPT_IF_NAME: u16 = 2;
const OPT_IF_TSRESOL: u16 = 9;
const OPT_IF_TSOFFSET: u16 = 14;

/// Size of the first read into a record buffer; later reads double it up to the record
/// length, so allocation follows the data actually present.
const FIRST_CHUNK: usize = 64 * 1024;

/// Upper bound on the number of interfaces in one input, so that a stream of tiny IDBs
/// cannot grow memory without limit.
const MAX_INTERFACES: usize = 1 << 16;

/// Format-specific reader state.
#[derive(Debug)]
enum State {
    Pcap {
        byte_order: ByteOrder,
        nanos: bool,
        linktype: u32,
    },
    PcapNg {
        byte_order: ByteOrder,
        /// Global index of interface 0 of the current section.
        section_first_iface: usize,
        /// `if_tsoffset` in seconds, parallel to `Reader::interfaces`.
        ts_offsets: Vec<i64>,
        /// Reusable buffer for block bodies.
        block: Vec<u8>,
    },
}

/// Streaming reader for pcap and pcapng files.
///
/// Works on any [`Read`] (no `Seek` needed) and returns each frame as soon as its bytes have
/// arrived. Iterating yields every complete frame; on truncated or malformed input the last
/// item is an error, after which the reader is exhausted.
#[derive(Debug)]
pub struct Reader<R: Read> {
    inner: BufReader<R>,
    pos: u64,
    state: State,
    interfaces: Vec<Interface>,
    section_comments: Vec<String>,
    done: bool,
    /// Bytes of `inner`'s buffer that a borrowed frame still shows; consumed on the next read.
    pending: usize,
    /// A borrowed pcap frame's bytes when they were not all in `inner`'s buffer.
    scratch: Vec<u8>,
}

/// What a pcap record header or a pcapng packet block says of its frame; the bytes are
/// `body[data]` of the block (pcapng) or follow the header (pcap).
struct Packet {
    start: u64,
    global: usize,
    ts_ns: i128,
    linktype: u32,
    byte_order: ByteOrder,
    data: std::ops::Range<usize>,
    orig_len: u32,
    comments: Vec<String>,
}

impl<R: Read> Reader<R> {
    /// Reads and checks the pcap file header or the first pcapng Section Header Block.
    ///
    /// # Errors
    /// [`ReadErrorKind::NotACapture`] for empty or non-capture input, otherwise
    /// `Truncated`, `Corrupt` or `Io` for a bad header.
    pub fn new(r: R) -> Result<Self, ReadError> {
        let mut rd = Reader {
            inner: BufReader::with_capacity(1 << 17, r),
            pos: 0,
            state: State::Pcap {
                byte_order: ByteOrder::Little,
                nanos: false,
                linktype: 0,
            },
            interfaces: Vec::new(),
            section_comments: Vec::new(),
            done: false,
            pending: 0,
            scratch: Vec::new(),
        };
        let (magic, got) = rd.read_fixed::<4>()?;
        if got < 4 {
            let message = if got == 0 {
                "not a pcap or pcapng file (empty input)".to_string()
            } else {
                format!("not a pcap or pcapng file (only {got} bytes)")
            };
            return Err(ReadError::new(ReadErrorKind::NotACapture, 0, message));
        }
        let pcap = pcap_magic(magic);
        let other = u32::from_be_bytes(magic);
        if pcap.is_none() && other != BT_SHB {
            return Err(ReadError::new(
                ReadErrorKind::NotACapture,
                0,
                format!("not a pcap or pcapng file (magic {other:#010x} at byte offset 0)"),
            ));
        }
        match pcap {
            Some((byte_order, nanos)) => rd.read_pcap_header(byte_order, nanos)?,
            None => {
                rd.state = State::PcapNg {
                    byte_order: ByteOrder::Little,
                    section_first_iface: 0,
                    ts_offsets: Vec::new(),
                    block: Vec::new(),
                };
                let (len, got) = rd.read_fixed::<4>()?;
                if got < len.len() {
                    return Err(ReadError::truncated(
                        0,
                        "pcapng section header block",
                        format_args!("at least 28 bytes needed, only {} present", 4 + got),
                    ));
                }
                rd.read_section_header(0, len, true)?;
            }
        }
        Ok(rd)
    }

    /// The container format of the input.
    pub fn format(&self) -> FileFormat {
        match self.state {
            State::Pcap { .. } => FileFormat::Pcap,
            State::PcapNg { .. } => FileFormat::PcapNg,
        }
    }

    /// Interfaces seen so far; [`Frame::interface`] indexes this slice.
    ///
    /// For pcapng the list grows as Interface Description Blocks are read; the interface of
    /// a returned frame is always present.
    pub fn interfaces(&self) -> &[Interface] {
        &self.interfaces
    }

    /// Section Header Block comments of all pcapng sections read so far.
    pub fn section_comments(&self) -> &[String] {
        &self.section_comments
    }

    /// Number of bytes consumed from the input so far.
    pub fn bytes_read(&self) -> u64 {
        self.pos
    }

    /// Returns the next frame, `None` at a clean end of input (and after any error).
    pub fn next_frame(&mut self) -> Option<Result<Frame, ReadError>> {
        let p = match self.next_packet()? {
            Ok(p) => p,
            Err(e) => return Some(Err(e)),
        };
        let res = match self.state {
            // A fresh buffer: recycled ones made `read` slower (on the 200 MB bench file).
            State::Pcap { .. } => {
                let mut data = Vec::new();
                self.pcap_body(&p, &mut data).map(|()| data)
            }
            State::PcapNg { ref block, .. } => {
                Ok(Vec::from(block.get(p.data.clone()).unwrap_or_default()))
            }
        };
        Some(self.finish(res).map(|data| Frame {
            ts_ns: p.ts_ns,
            interface: u32::try_from(p.global).unwrap_or(u32::MAX),
            linktype: p.linktype,
            byte_order: p.byte_order,
            data,
            orig_len: p.orig_len,
            comments: p.comments,
            file_offset: p.start,
        }))
    }

    /// [`Reader::next_frame`] with the bytes borrowed from the reader, which copies and
    /// allocates nothing for most frames (a pass that only looks, e.g. for interface names).
    /// Frames and errors are those of `next_frame`.
    pub fn next_frame_borrowed(&mut self) -> Option<Result<BorrowedFrame<'_>, ReadError>> {
        if let State::Pcap {
            byte_order,
            nanos,
            linktype,
        } = self.state
            && !self.done
        {
            self.inner.consume(std::mem::take(&mut self.pending));
            if let Some((ts_ns, orig_len, n)) = self.whole_pcap_record(byte_order, nanos) {
                let file_offset = self.pos;
                self.inner.consume(PCAP_RECORD_HEADER_LEN);
                self.pos += (PCAP_RECORD_HEADER_LEN + n) as u64;
                self.pending = n;
                return Some(Ok(BorrowedFrame {
                    ts_ns,
                    interface: 0,
                    linktype,
                    byte_order,
                    data: self.inner.buffer().get(..n).unwrap_or_default(),
                    orig_len,
                    comments: Vec::new(),
                    file_offset,
                    section_comments: &self.section_comments,
                }));
            }
        }
        let p = match self.next_packet()? {
            Ok(p) => p,
            Err(e) => return Some(Err(e)),
        };
        let n = p.data.len();
        let in_buffer = matches!(self.state, State::Pcap { .. }) && self.inner.buffer().len() >= n;
        if in_buffer {
            // Consumed by the next read, so that the bytes stay where they are meanwhile.
            self.pending = n;
            self.pos += n as u64;
        } else if matches!(self.state, State::Pcap { .. }) {
            let mut buf = std::mem::take(&mut self.scratch);
            let res = self.pcap_body(&p, &mut buf);
            self.scratch = buf;
            if let Err(e) = self.finish(res) {
                return Some(Err(e));
            }
        }
        let data = match &self.state {
            State::Pcap { .. } if in_buffer => self.inner.buffer().get(..n),
            State::Pcap { .. } => Some(&self.scratch[..]),
            State::PcapNg { block, .. } => block.get(p.data.clone()),
        };
        Some(Ok(BorrowedFrame {
            ts_ns: p.ts_ns,
            interface: u32::try_from(p.global).unwrap_or(u32::MAX),
            linktype: p.linktype,
            byte_order: p.byte_order,
            data: data.unwrap_or_default(),
            orig_len: p.orig_len,
            comments: p.comments,
            file_offset: p.start,
            section_comments: &self.section_comments,
        }))
    }

    /// The next frame's description (a pcapng block's body stays in the block buffer), after
    /// consuming what a borrowed frame left; `None` at the end, and after any error.
    fn next_packet(&mut self) -> Option<Result<Packet, ReadError>> {
        if self.done {
            return None;
        }
        self.inner.consume(std::mem::take(&mut self.pending));
        let res = match self.state {
            State::Pcap { .. } => self.next_pcap(),
            State::PcapNg { .. } => self.next_pcapng(),
        };
        match self.finish(res) {
            Ok(Some(p)) => Some(Ok(p)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => Some(Err(e)),
        }
    }

    /// Marks the reader exhausted on an error.
    fn finish<T>(&mut self, res: Result<T, ReadError>) -> Result<T, ReadError> {
        if res.is_err() {
            self.done = true;
        }
        res
    }

    // ---- low-level input -------------------------------------------------------------

    /// Reads up to `N` bytes; fewer only at end of input. Returns the bytes and the count.
    fn read_fixed<const N: usize>(&mut self) -> Result<([u8; N], usize), ReadError> {
        let mut buf = [0u8; N];
        // Mostly in the buffer already: a fixed-size copy, no read call (a record header each
        // frame).
        if let Some(b) = self.inner.buffer().first_chunk::<N>() {
            buf = *b;
            self.inner.consume(N);
            self.pos += N as u64;
            return Ok((buf, N));
        }
        let mut got = 0;
        while let Some(dst) = buf.get_mut(got..).filter(|d| !d.is_empty()) {
            match self.inner.read(dst) {
                Ok(0) => break,
                Ok(k) => {
                    let k = k.min(dst.len());
                    got += k;
                    self.pos += k as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(ReadError::io(self.pos, &e)),
            }
        }
        Ok((buf, got))
    }

    /// The `N` bytes of a record's `header` (`what` names the record in the error): `None` at
    /// the end of the input, a truncation error when only part of it is there.
    fn read_record_header<const N: usize>(
        &mut self,
        what: &str,
        header: &str,
    ) -> Result<Option<[u8; N]>, ReadError> {
        let start = self.pos;
        let (h, got) = self.read_fixed::<N>()?;
        if got == 0 {
            return Ok(None);
        }
        if got < N {
            return Err(ReadError::truncated(
                start,
                what,
                format_args!("{header} header needs {N} bytes, only {got} present"),
            ));
        }
        Ok(Some(h))
    }

    // ---- pcap ------------------------------------------------------------------------

    fn read_pcap_header(&mut self, byte_order: ByteOrder, nanos: bool) -> Result<(), ReadError> {
        let (h, got) = self.read_fixed::<{ PCAP_HEADER_LEN - 4 }>()?;
        if got < h.len() {
            return Err(ReadError::truncated(
                0,
                "pcap file header",
                format_args!("{PCAP_HEADER_LEN} bytes needed, only {} present", got + 4),
            ));
        }
        let [
            v0,
            v1,
            v2,
            v3,
            _tz0,
            _tz1,
            _tz2,
            _tz3,
            _sf0,
            _sf1,
            _sf2,
            _sf3,
            s0,
            s1,
            s2,
            s3,
            l0,
            l1,
            l2,
            l3,
        ] = h;
        let major = byte_order.u16([v0, v1]);
        let minor = byte_order.u16([v2, v3]);
        if major != 2 {
            return Err(ReadError::corrupt(
                0,
                "pcap file header",
                format_args!("unsupported version {major}.{minor} (expected 2.4)"),
            ));
        }
        let snaplen = byte_order.u32([s0, s1, s2, s3]);
        // The upper bits hold FCS information; the link type is the low 16 bits.
        let linktype = byte_order.u32([l0, l1, l2, l3]) & 0xffff;
        self.interfaces.push(Interface {
            linktype,
            snaplen,
            name: None,
            ts_nanos: nanos,
            tsresol: if nanos { TSRESOL_NANOS } else { TSRESOL_MICROS },
            byte_order,
            comments: Vec::new(),
        });
        self.state = State::Pcap {
            byte_order,
            nanos,
            linktype,
        };
        Ok(())
    }

    fn next_pcap(&mut self) -> Result<Option<Packet>, ReadError> {
        let State::Pcap {
            byte_order: bo,
            nanos,
            linktype,
        } = self.state
        else {
            return Ok(None);
        };
        let start = self.pos;
        let Some(h) = self.read_record_header::<PCAP_RECORD_HEADER_LEN>("pcap record", "record")?
        else {
            return Ok(None);
        };
        let (ts_ns, incl_len, orig_len) = record_fields(h, bo, nanos);
        if incl_len > MAX_RECORD_LEN {
            return Err(ReadError::corrupt(
                start,
                "pcap record",
                format_args!(
                    "captured length {incl_len} exceeds the limit of {MAX_RECORD_LEN} bytes"
                ),
            ));
        }
        Ok(Some(Packet {
            start,
            global: 0,
            ts_ns,
            linktype,
            byte_order: bo,
            data: 0..incl_len as usize,
            orig_len,
            comments: Vec::new(),
        }))
    }

    /// The time, original length and captured length of the pcap record at the start of the
    /// buffer if all of it is there and within the limit (most records): read in place, it
    /// skips the general path's steps (a 50 MB summary's indexing thread spent ~140
    /// instructions a frame in them). Anything else is left to [`Reader::next_pcap`].
    fn whole_pcap_record(&self, bo: ByteOrder, nanos: bool) -> Option<(i128, u32, usize)> {
        let buf = self.inner.buffer();
        let h = buf.first_chunk::<PCAP_RECORD_HEADER_LEN>()?;
        let (ts_ns, incl_len, orig_len) = record_fields(*h, bo, nanos);
        let n = incl_len as usize;
        if incl_len > MAX_RECORD_LEN || buf.len() - PCAP_RECORD_HEADER_LEN < n {
            return None;
        }
        Some((ts_ns, orig_len, n))
    }

    /// Reads the body of pcap record `p` into `buf`.
    fn pcap_body(&mut self, p: &Packet, buf: &mut Vec<u8>) -> Result<(), ReadError> {
        let want = p.data.len();
        let n = self.read_body(buf, want)?;
        if n < want {
            return Err(ReadError::truncated(
                p.start,
                "pcap record",
                format_args!(
                    "record length {}, only {} bytes present",
                    PCAP_RECORD_HEADER_LEN + want,
                    PCAP_RECORD_HEADER_LEN + n
                ),
            ));
        }
        Ok(())
    }

    /// Reads `n` bytes (fewer only at end of input) into `buf`, replacing its contents.
    fn read_body(&mut self, buf: &mut Vec<u8>, n: usize) -> Result<usize, ReadError> {
        // Most bodies are in the buffer already: one copy, without the zero-fill and read
        // calls of the general path.
        if let Some(b) = self.inner.buffer().get(..n) {
            buf.clear();
            buf.extend_from_slice(b);
            self.inner.consume(n);
            self.pos += n as u64;
            return Ok(n);
        }
        let res = read_up_to(&mut self.inner, buf, n);
        self.pos += buf.len() as u64;
        res.map_err(|e| ReadError::io(self.pos, &e))
    }
}

/// A pcap file's byte order and whether its timestamps are in nanoseconds, from the magic
/// number its header starts with; `None` for anything else (pcapng among them).
pub(super) fn pcap_magic(magic: [u8; 4]) -> Option<(ByteOrder, bool)> {
    match u32::from_be_bytes(magic) {
        0xa1b2_c3d4 => Some((ByteOrder::Big, false)),
        0xa1b2_3c4d => Some((ByteOrder::Big, true)),
        0xd4c3_b2a1 => Some((ByteOrder::Little, false)),
        0x4d3c_b2a1 => Some((ByteOrder::Little, true)),
        _ => None,
    }
}

impl<R: Read + io::Seek> Reader<R> {
    /// Go on reading a pcap file at `offset`, where a record starts (a pass split across
    /// threads): what follows reads as it would after reading up to there. Not for pcapng,
    /// whose frames need the interfaces described before them.
    ///
    /// # Errors
    /// A pcapng input, or the seek's error.
    pub fn seek_record(&mut self, offset: u64) -> io::Result<()> {
        if !matches!(self.state, State::Pcap { .. }) {
            return Err(io::Error::other("only pcap files resume mid-file"));
        }
        io::Seek::seek(&mut self.inner, io::SeekFrom::Start(offset))?;
        self.pos = offset;
        self.pending = 0;
        self.done = false;
        Ok(())
    }
}

impl<R: Read> Iterator for Reader<R> {
    type Item = Result<Frame, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_frame()
    }
}

/// A pcap record header's time (ns since the epoch), captured length and original length.
fn record_fields(h: [u8; PCAP_RECORD_HEADER_LEN], bo: ByteOrder, nanos: bool) -> (i128, u32, u32) {
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
    ] = h;
    let ts_frac = i128::from(bo.u32([f0, f1, f2, f3]));
    let frac_ns = if nanos { ts_frac } else { ts_frac * 1000 };
    let ts_ns = i128::from(bo.u32([t0, t1, t2, t3])) * NANOS_PER_SEC + frac_ns;
    (ts_ns, bo.u32([i0, i1, i2, i3]), bo.u32([o0, o1, o2, o3]))
}

/// Reads until `buf` holds `n` bytes or the input ends; returns the number of bytes read.
///
/// `buf` is cleared first. Its allocation grows geometrically with the data actually
/// received, so a large length claimed by a truncated file does not allocate up front;
/// a complete read leaves the capacity at exactly `n` (for a fresh buffer).
pub(super) fn read_up_to<R: Read>(src: &mut R, buf: &mut Vec<u8>, n: usize) -> io::Result<usize> {
    buf.clear();
    let mut filled = 0;
    while filled < n {
        if filled == buf.len() {
            let target = n.min(filled.saturating_mul(2).max(FIRST_CHUNK));
            buf.reserve_exact(target - filled);
            buf.resize(target, 0);
        }
        let Some(dst) = buf.get_mut(filled..) else {
            break;
        };
        match src.read(dst) {
            Ok(0) => break,
            Ok(k) => filled += k.min(dst.len()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                buf.truncate(filled);
                return Err(e);
            }
        }
    }
    buf.truncate(filled);
    Ok(filled)
}

mod pcapng;
