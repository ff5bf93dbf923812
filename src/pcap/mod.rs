//! Reading and writing pcap / pcapng capture files.
//!
//! [`Reader`] is a streaming parser for both formats that works on any [`std::io::Read`]
//! (including a pipe), reports byte offsets in its errors and never allocates more than
//! [`MAX_RECORD_LEN`] bytes for a single record, whatever the input claims.
//!
//! [`Writer`] writes pcap or pcapng using the encoders of the `pcap-file` crate.

mod error;
pub mod feed;
pub mod packed;
mod read;
pub mod split;
mod write;

#[cfg(test)]
mod tests;

pub use error::{ReadError, ReadErrorKind};
pub use read::Reader;
pub use write::{OutFormat, WriteError, WriteErrorKind, Writer, WriterOptions};

/// Largest pcap record (`incl_len`) or pcapng block (total length) accepted, in bytes.
///
/// Anything larger is reported as [`ReadErrorKind::Corrupt`] instead of being allocated.
pub const MAX_RECORD_LEN: u32 = 16 * 1024 * 1024;

/// The pcapng `if_tsresol` value meaning microseconds (the pcapng default).
pub const TSRESOL_MICROS: u8 = 6;
/// The pcapng `if_tsresol` value meaning nanoseconds.
pub const TSRESOL_NANOS: u8 = 9;

const NANOS_PER_SEC: i128 = 1_000_000_000;

/// Byte order of the host that wrote a pcap file or pcapng section.
///
/// Netlink payloads are in the capturing host's byte order, so this is also the byte order
/// of the integers inside the captured netlink messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ByteOrder {
    /// Little-endian (x86, most ARM).
    Little,
    /// Big-endian (s390x, some MIPS/PowerPC).
    Big,
}

impl ByteOrder {
    /// The byte order of this machine (what a live capture records).
    pub const fn native() -> ByteOrder {
        if cfg!(target_endian = "big") {
            ByteOrder::Big
        } else {
            ByteOrder::Little
        }
    }

    fn u16(self, b: [u8; 2]) -> u16 {
        match self {
            ByteOrder::Little => u16::from_le_bytes(b),
            ByteOrder::Big => u16::from_be_bytes(b),
        }
    }

    fn u32(self, b: [u8; 4]) -> u32 {
        match self {
            ByteOrder::Little => u32::from_le_bytes(b),
            ByteOrder::Big => u32::from_be_bytes(b),
        }
    }

    fn u64(self, b: [u8; 8]) -> u64 {
        match self {
            ByteOrder::Little => u64::from_le_bytes(b),
            ByteOrder::Big => u64::from_be_bytes(b),
        }
    }
}

impl std::fmt::Display for ByteOrder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ByteOrder::Little => "little-endian",
            ByteOrder::Big => "big-endian",
        })
    }
}

/// Container format of an input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Classic libpcap format.
    Pcap,
    /// pcapng.
    PcapNg,
}

/// A capture interface: the pcap file header, or one pcapng Interface Description Block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interface {
    /// Link-layer header type (`LINKTYPE_*`, e.g. 253 for netlink), low 16 bits only.
    pub linktype: u32,
    /// Maximum captured length per packet (0 means unlimited in pcapng).
    pub snaplen: u32,
    /// pcapng `if_name`, if present.
    pub name: Option<String>,
    /// True if timestamps have nanosecond resolution (pcap nanosecond magic, or pcapng
    /// `if_tsresol` = 9).
    pub ts_nanos: bool,
    /// Raw pcapng `if_tsresol` byte: high bit clear means 10^-n seconds, set means 2^-n.
    /// For pcap input this is 6 (microseconds) or 9 (nanoseconds).
    pub tsresol: u8,
    /// Byte order of the file / section the interface was described in.
    pub byte_order: ByteOrder,
    /// pcapng interface `opt_comment`s (always empty for pcap).
    pub comments: Vec<String>,
}

impl Interface {
    /// True if the interface's timestamp resolution is finer than one microsecond.
    #[must_use]
    pub fn finer_than_micros(&self) -> bool {
        if self.ts_nanos {
            return true;
        }
        let n = self.tsresol & 0x7f;
        if self.tsresol & 0x80 == 0 {
            n > 6
        } else {
            // 2^-20 s is about 0.95 us.
            n >= 20
        }
    }
}

/// One captured packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Absolute capture time in nanoseconds since the Unix epoch.
    pub ts_ns: i128,
    /// Index into [`Reader::interfaces`] (global across pcapng sections).
    pub interface: u32,
    /// Link type of the interface, copied for convenience.
    pub linktype: u32,
    /// Byte order of the capturing host (pcap magic / pcapng section).
    pub byte_order: ByteOrder,
    /// Captured bytes.
    pub data: Vec<u8>,
    /// Original length of the packet on the wire.
    pub orig_len: u32,
    /// pcapng packet `opt_comment`s, UTF-8 lossy.
    pub comments: Vec<String>,
    /// Byte offset of this record / block in the input.
    pub file_offset: u64,
}

/// A frame whose bytes the [`Reader`] lends until its next read
/// ([`Reader::next_frame_borrowed`]); the fields are those of [`Frame`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BorrowedFrame<'a> {
    /// Absolute capture time in nanoseconds since the Unix epoch.
    pub ts_ns: i128,
    /// Index into [`Reader::interfaces`].
    pub interface: u32,
    /// Link type of the interface.
    pub linktype: u32,
    /// Byte order of the capturing host.
    pub byte_order: ByteOrder,
    /// Captured bytes.
    pub data: &'a [u8],
    /// Original length of the packet on the wire.
    pub orig_len: u32,
    /// pcapng packet `opt_comment`s, UTF-8 lossy.
    pub comments: Vec<String>,
    /// Byte offset of this record / block in the input.
    pub file_offset: u64,
    /// [`Reader::section_comments`]: those of every section read so far, this frame's last.
    pub section_comments: &'a [String],
}

impl BorrowedFrame<'_> {
    /// The frame with its bytes copied.
    pub fn to_frame(&self) -> Frame {
        Frame {
            ts_ns: self.ts_ns,
            interface: self.interface,
            linktype: self.linktype,
            byte_order: self.byte_order,
            data: self.data.to_vec(),
            orig_len: self.orig_len,
            comments: self.comments.clone(),
            file_offset: self.file_offset,
        }
    }
}

/// Converts a raw pcapng timestamp in units of `tsresol` to nanoseconds (truncating).
fn units_to_ns(units: u64, tsresol: u8) -> i128 {
    let n = u32::from(tsresol & 0x7f);
    let units = i128::from(units);
    if tsresol & 0x80 == 0 {
        if n <= 9 {
            // 10^(9-n) <= 10^9 and units < 2^64: no overflow in i128.
            units * 10i128.pow(9 - n)
        } else {
            // A divisor that does not fit (10^39 and beyond) exceeds any u64 value.
            10i128.checked_pow(n - 9).map_or(0, |d| units / d)
        }
    } else {
        // units * 10^9 < 2^94, shift amount <= 127.
        (units * NANOS_PER_SEC) >> n
    }
}

/// Converts nanoseconds to raw pcapng timestamp units of `tsresol`; `None` if the value is
/// negative or does not fit in 64 bits. Exact inverse of [`units_to_ns`] for resolutions
/// of a nanosecond or coarser.
fn ns_to_units(ns: i128, tsresol: u8) -> Option<u64> {
    let ns = u128::try_from(ns).ok()?;
    let n = u32::from(tsresol & 0x7f);
    let units = if tsresol & 0x80 == 0 {
        if n <= 9 {
            ns / 10u128.pow(9 - n)
        } else {
            ns.checked_mul(10u128.checked_pow(n - 9)?)?
        }
    } else {
        // Round up so that units_to_ns (which rounds down) gives back `ns`.
        ns.checked_mul(1u128.checked_shl(n)?)?
            .div_ceil(NANOS_PER_SEC as u128)
    };
    u64::try_from(units).ok()
}
