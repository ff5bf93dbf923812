//! pcap / pcapng writer on top of the `pcap-file` crate's writers.
//!
//! The `pcap-file` writers (`PcapWriter`, `PcapNgWriter`) own their output and write the
//! file header in their constructor, while our header is written lazily (it depends on the
//! first frame) and [`Writer::into_inner`] must always be able to hand back the output.
//! So they write into an in-memory [`Staging`] buffer, and every header or frame is moved
//! to the real output with a single `write_all`. This also means a pipe reader sees each
//! frame complete as soon as it is written.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::io::{self, Write};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use pcap_file::pcap::{PcapHeader, PcapWriter, RawPcapPacket};
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::pcapng::blocks::enhanced_packet::{EnhancedPacketBlock, EnhancedPacketOption};
use pcap_file::pcapng::blocks::interface_description::{
    InterfaceDescriptionBlock, InterfaceDescriptionOption,
};
use pcap_file::pcapng::blocks::section_header::{SectionHeaderBlock, SectionHeaderOption};
use pcap_file::{DataLink, Endianness, PcapError, TsResolution};

use super::{
    ByteOrder, Frame, Interface, MAX_RECORD_LEN, NANOS_PER_SEC, TSRESOL_MICROS, ns_to_units,
};

/// Output container format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutFormat {
    /// Classic libpcap format (one link type and byte order per file).
    Pcap,
    /// pcapng.
    PcapNg,
}

/// Options for [`Writer::new`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriterOptions {
    /// Output container format.
    pub format: OutFormat,
    /// pcapng only: `opt_comment`s for the first Section Header Block.
    pub section_comments: Vec<String>,
    /// pcapng only: `shb_userappl` for every Section Header Block, e.g. `"nlscope 0.1.0"`.
    pub application: Option<String>,
}

/// What went wrong while writing a capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteErrorKind {
    /// The output failed (or failed earlier; the writer then refuses further writes).
    Io,
    /// The frame does not fit the pcap file already started (different link type or
    /// byte order); pcapng output can hold it.
    Incompatible,
    /// A value cannot be encoded (timestamp out of range, oversized frame or option).
    Unrepresentable,
}

/// An error while writing a capture.
#[derive(Debug)]
pub struct WriteError {
    /// Error category.
    pub kind: WriteErrorKind,
    /// Complete one-line description (this is what `Display` prints).
    pub message: String,
    source: Option<io::Error>,
}

impl WriteError {
    fn new(kind: WriteErrorKind, message: String) -> Self {
        WriteError {
            kind,
            message,
            source: None,
        }
    }

    fn unrepresentable(f: &Frame, detail: fmt::Arguments<'_>) -> Self {
        Self::new(
            WriteErrorKind::Unrepresentable,
            format!(
                "cannot write frame from input byte offset {}: {detail}",
                f.file_offset
            ),
        )
    }
}

impl From<io::Error> for WriteError {
    fn from(e: io::Error) -> Self {
        WriteError {
            kind: WriteErrorKind::Io,
            message: format!("write error: {e}"),
            source: Some(e),
        }
    }
}

impl From<PcapError> for WriteError {
    fn from(e: PcapError) -> Self {
        match e {
            PcapError::IoError(e) => e.into(),
            other => Self::new(
                WriteErrorKind::Unrepresentable,
                format!("pcap-file encoder: {other}"),
            ),
        }
    }
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for WriteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// In-memory output shared with the `pcap-file` writer (see the module docs).
#[derive(Debug, Clone, Default)]
struct Staging(Arc<Mutex<Vec<u8>>>);

impl Staging {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Gives back an emptied buffer so its allocation is reused.
    fn give_back(&self, mut buf: Vec<u8>) {
        buf.clear();
        let mut staged = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if staged.is_empty() {
            *staged = buf;
        }
    }
}

impl Write for Staging {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// IDBs written in the current pcapng section: source interface index -> (interface, id).
type IdbMap = HashMap<u32, Vec<(Interface, u32)>>;

enum State {
    /// Nothing written yet.
    Start,
    Pcap {
        w: PcapWriter<Staging>,
        linktype: u32,
        byte_order: ByteOrder,
    },
    PcapNg {
        w: PcapNgWriter<Staging>,
        byte_order: ByteOrder,
        idbs: IdbMap,
    },
}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            State::Start => f.write_str("Start"),
            State::Pcap {
                linktype,
                byte_order,
                ..
            } => f
                .debug_struct("Pcap")
                .field("linktype", linktype)
                .field("byte_order", byte_order)
                .finish_non_exhaustive(),
            State::PcapNg { byte_order, .. } => f
                .debug_struct("PcapNg")
                .field("byte_order", byte_order)
                .finish_non_exhaustive(),
        }
    }
}

/// Writes frames as pcap or pcapng.
///
/// The file header is written with the first frame (it needs the link type and byte
/// order), or explicitly with [`Writer::write_header`]. Each header and frame reaches the
/// output in one `write_all`; wrap files in a `BufWriter` if syscall count matters.
#[derive(Debug)]
pub struct Writer<W: Write> {
    out: W,
    opts: WriterOptions,
    staging: Staging,
    state: State,
    failed: bool,
}

impl<W: Write> Writer<W> {
    /// Creates a writer; nothing is written until the first frame.
    pub fn new(w: W, opts: WriterOptions) -> Self {
        Writer {
            out: w,
            opts,
            staging: Staging::default(),
            state: State::Start,
            failed: false,
        }
    }

    /// Writes the file header for `iface` now, if it has not been written yet.
    ///
    /// Only needed so that an output receiving no frames is still a valid (empty) capture.
    /// For pcap this fixes the link type, snaplen, resolution and byte order of the file;
    /// for pcapng it writes the Section Header Block only.
    ///
    /// # Errors
    /// `Io` if the output fails, `Unrepresentable` for an over-long pcapng option.
    pub fn write_header(
        &mut self,
        iface: &Interface,
        byte_order: ByteOrder,
    ) -> Result<(), WriteError> {
        self.check_usable()?;
        if matches!(self.state, State::Start) {
            self.start(iface, byte_order)?;
            self.drain()?;
        }
        Ok(())
    }

    /// Writes one frame captured on `iface` (the interface `f.interface` refers to).
    ///
    /// # Errors
    /// `Incompatible` if a pcap file was started with another link type or byte order,
    /// `Unrepresentable` for values the format cannot hold, `Io` if the output fails.
    /// On `Incompatible` / `Unrepresentable` nothing of the frame is written and the
    /// writer stays usable; after `Io` it refuses further writes.
    pub fn write_frame(&mut self, f: &Frame, iface: &Interface) -> Result<(), WriteError> {
        self.check_usable()?;
        if f.data.len() > MAX_RECORD_LEN as usize {
            return Err(WriteError::unrepresentable(
                f,
                format_args!(
                    "{} captured bytes exceed the limit of {MAX_RECORD_LEN}",
                    f.data.len()
                ),
            ));
        }
        if matches!(self.state, State::Start) {
            self.start(iface, f.byte_order)?;
        }
        let res = match &mut self.state {
            State::Start => Ok(()),
            State::Pcap {
                w,
                linktype,
                byte_order,
            } => write_pcap_record(w, *linktype, *byte_order, f, iface),
            State::PcapNg {
                w,
                byte_order,
                idbs,
            } => write_pcapng_frame(w, byte_order, idbs, &self.opts, f, iface),
        };
        if let Err(e) = res {
            // Frames are validated before any of their bytes are staged, so at most a header
            // staged by `start` is pending: write it so the state matches the output.
            if !matches!(e.kind, WriteErrorKind::Io) {
                self.drain()?;
            }
            return Err(e);
        }
        self.drain()
    }

    /// Flushes the underlying writer.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Returns the underlying writer (everything written so far has been passed to it).
    pub fn get_ref(&self) -> &W {
        &self.out
    }

    /// Returns the underlying writer mutably (e.g. to take the bytes written to a `Vec`).
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }

    /// Consumes the writer and returns the underlying output.
    pub fn into_inner(self) -> W {
        self.out
    }

    fn check_usable(&self) -> Result<(), WriteError> {
        if self.failed {
            return Err(WriteError::new(
                WriteErrorKind::Io,
                "output failed earlier; nothing more is written".into(),
            ));
        }
        Ok(())
    }

    /// Moves staged bytes to the output.
    fn drain(&mut self) -> Result<(), WriteError> {
        let buf = self.staging.take();
        if buf.is_empty() {
            return Ok(());
        }
        let res = self.out.write_all(&buf);
        self.staging.give_back(buf);
        res.map_err(|e| {
            self.failed = true;
            e.into()
        })
    }

    /// Stages the file header; the state changes only on success.
    fn start(&mut self, iface: &Interface, byte_order: ByteOrder) -> Result<(), WriteError> {
        self.state = match self.opts.format {
            OutFormat::Pcap => {
                let header = PcapHeader {
                    version_major: 2,
                    version_minor: 4,
                    ts_correction: 0,
                    ts_accuracy: 0,
                    snaplen: iface.snaplen,
                    datalink: datalink(iface.linktype),
                    ts_resolution: if iface.finer_than_micros() {
                        TsResolution::NanoSecond
                    } else {
                        TsResolution::MicroSecond
                    },
                    endianness: endianness(byte_order),
                };
                State::Pcap {
                    w: PcapWriter::with_header(self.staging.clone(), header)?,
                    linktype: iface.linktype,
                    byte_order,
                }
            }
            OutFormat::PcapNg => {
                let shb = section_header(&self.opts, byte_order, true)?;
                State::PcapNg {
                    w: PcapNgWriter::with_section_header(self.staging.clone(), shb)?,
                    byte_order,
                    idbs: HashMap::new(),
                }
            }
        };
        Ok(())
    }
}

fn write_pcap_record(
    w: &mut PcapWriter<Staging>,
    linktype: u32,
    byte_order: ByteOrder,
    f: &Frame,
    iface: &Interface,
) -> Result<(), WriteError> {
    if iface.linktype != linktype || f.byte_order != byte_order {
        return Err(WriteError::new(
            WriteErrorKind::Incompatible,
            format!(
                "frame from input byte offset {} has link type {} ({}), but this pcap file \
                 holds link type {linktype} ({byte_order}); pcap has one link type and byte \
                 order per file (use pcapng)",
                f.file_offset, iface.linktype, f.byte_order
            ),
        ));
    }
    let nanos = w.ts_resolution() == TsResolution::NanoSecond;
    let (Ok(ts_sec), Ok(sub_ns)) = (
        u32::try_from(f.ts_ns.div_euclid(NANOS_PER_SEC)),
        u32::try_from(f.ts_ns.rem_euclid(NANOS_PER_SEC)),
    ) else {
        return Err(WriteError::unrepresentable(
            f,
            format_args!(
                "timestamp {} ns is outside the pcap range (1970 to 2106)",
                f.ts_ns
            ),
        ));
    };
    let ts_frac = if nanos { sub_ns } else { sub_ns / 1000 };
    // `write_raw_packet` rather than `write_packet`: the latter rejects incl_len > orig_len,
    // which real writers produce and the reader accepts, and would not round-trip exactly.
    w.write_raw_packet(&RawPcapPacket {
        ts_sec,
        ts_frac,
        incl_len: len_u32(f.data.len()),
        orig_len: f.orig_len,
        data: Cow::Borrowed(&f.data),
    })?;
    Ok(())
}

fn write_pcapng_frame(
    w: &mut PcapNgWriter<Staging>,
    byte_order: &mut ByteOrder,
    idbs: &mut IdbMap,
    opts: &WriterOptions,
    f: &Frame,
    iface: &Interface,
) -> Result<(), WriteError> {
    // Validate everything before staging anything, so that an error leaves no partial
    // block behind.
    let mut epb_len = 32 + f.data.len().next_multiple_of(4);
    for c in &f.comments {
        epb_len += 4 + option_len(f, "packet comment", c.len())?.next_multiple_of(4);
    }
    if !f.comments.is_empty() {
        epb_len += 4;
    }
    if epb_len > MAX_RECORD_LEN as usize {
        return Err(WriteError::unrepresentable(
            f,
            format_args!(
                "enhanced packet block of {epb_len} bytes exceeds the limit of {MAX_RECORD_LEN}"
            ),
        ));
    }
    let Some(units) = ns_to_units(f.ts_ns, iface.tsresol) else {
        return Err(WriteError::unrepresentable(
            f,
            format_args!(
                "timestamp {} ns does not fit a 64-bit pcapng timestamp with if_tsresol {:#04x}",
                f.ts_ns, iface.tsresol
            ),
        ));
    };
    let new_section = f.byte_order != *byte_order;
    let known = (!new_section)
        .then(|| idbs.get(&f.interface))
        .flatten()
        .and_then(|v| v.iter().find(|(i, _)| i == iface))
        .map(|&(_, id)| id);
    let idb = match known {
        Some(_) => None,
        None => Some(interface_description(f, iface)?),
    };

    if new_section {
        w.write_pcapng_block(section_header(opts, f.byte_order, false)?)?;
        *byte_order = f.byte_order;
        idbs.clear();
    }
    let interface_id = match (known, idb) {
        (Some(id), _) => id,
        (None, idb) => {
            let id = len_u32(w.interfaces().len());
            if let Some(idb) = idb {
                w.write_pcapng_block(idb)?;
            }
            idbs.entry(f.interface)
                .or_default()
                .push((iface.clone(), id));
            id
        }
    };
    w.write_pcapng_block(EnhancedPacketBlock {
        interface_id,
        // pcap-file 2.0 writes `timestamp.as_nanos()` verbatim as the 64-bit EPB timestamp,
        // ignoring if_tsresol; passing the raw unit count as "nanoseconds" encodes it as is.
        timestamp: Duration::from_nanos(units),
        original_len: f.orig_len,
        data: Cow::Borrowed(&f.data),
        options: f
            .comments
            .iter()
            .map(|c| EnhancedPacketOption::Comment(Cow::Borrowed(c.as_str())))
            .collect(),
    })?;
    Ok(())
}

fn interface_description(
    f: &Frame,
    iface: &Interface,
) -> Result<InterfaceDescriptionBlock<'static>, WriteError> {
    if iface.linktype > 0xffff {
        return Err(WriteError::unrepresentable(
            f,
            format_args!("link type {} does not fit pcapng's 16 bits", iface.linktype),
        ));
    }
    let mut options = Vec::new();
    if let Some(name) = &iface.name {
        option_len(f, "interface name", name.len())?;
        options.push(InterfaceDescriptionOption::IfName(Cow::Owned(name.clone())));
    }
    if iface.tsresol != TSRESOL_MICROS {
        options.push(InterfaceDescriptionOption::IfTsResol(iface.tsresol));
    }
    for c in &iface.comments {
        option_len(f, "interface comment", c.len())?;
        options.push(InterfaceDescriptionOption::Comment(Cow::Owned(c.clone())));
    }
    Ok(InterfaceDescriptionBlock {
        linktype: datalink(iface.linktype),
        snaplen: iface.snaplen,
        options,
    })
}

fn section_header(
    opts: &WriterOptions,
    byte_order: ByteOrder,
    first: bool,
) -> Result<SectionHeaderBlock<'static>, WriteError> {
    let too_long = |what: &str, len: usize| {
        WriteError::new(
            WriteErrorKind::Unrepresentable,
            format!("pcapng {what} of {len} bytes exceeds the 65535-byte option limit"),
        )
    };
    let mut options = Vec::new();
    if first {
        for c in &opts.section_comments {
            if c.len() > usize::from(u16::MAX) {
                return Err(too_long("section comment", c.len()));
            }
            options.push(SectionHeaderOption::Comment(Cow::Owned(c.clone())));
        }
    }
    if let Some(app) = &opts.application {
        if app.len() > usize::from(u16::MAX) {
            return Err(too_long("application name", app.len()));
        }
        options.push(SectionHeaderOption::UserApplication(Cow::Owned(
            app.clone(),
        )));
    }
    Ok(SectionHeaderBlock {
        endianness: endianness(byte_order),
        major_version: 1,
        minor_version: 0,
        section_length: -1,
        options,
    })
}

/// pcap-file writes option lengths as `len as u16`; reject what would be truncated.
fn option_len(f: &Frame, what: &str, len: usize) -> Result<usize, WriteError> {
    if len > usize::from(u16::MAX) {
        return Err(WriteError::unrepresentable(
            f,
            format_args!("{what} of {len} bytes exceeds the 65535-byte pcapng option limit"),
        ));
    }
    Ok(len)
}

/// `pcap-file` maps link type numbers to named variants; fall back to `Unknown` so that
/// any number is written back exactly.
fn datalink(linktype: u32) -> DataLink {
    let d = DataLink::from(linktype);
    if u32::from(d) == linktype {
        d
    } else {
        DataLink::Unknown(linktype)
    }
}

fn endianness(b: ByteOrder) -> Endianness {
    match b {
        ByteOrder::Little => Endianness::Little,
        ByteOrder::Big => Endianness::Big,
    }
}

/// Lengths here are bounded by [`MAX_RECORD_LEN`] or the interface count.
fn len_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
