//! The data model shared by the dissector, the store, the exporters and the views.

pub(crate) mod decimal;
mod intern;
mod node;
mod sink;
pub mod text;
pub mod time;
mod value;

pub use intern::{
    Memo, bracketed, child_field, child_fields, dotted, intern, intern_list, pair_text,
};
pub(crate) use node::json_heads;
pub use node::{Expert, Node, Severity};
pub use sink::{JsonSink, Name, Sink, TextSink, Val};
pub use value::{Value, enum_text, hex, json_f64, json_str, mac, push_enum_text};

/// Which way a netlink message travelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Userspace to the kernel (a request).
    ToKernel,
    /// The kernel to userspace (reply, ack, notification).
    FromKernel,
    /// Not decidable from the header (e.g. userspace to userspace on a custom protocol).
    Unknown,
}

impl Direction {
    /// The contract spelling: `to-kernel`, `from-kernel`, `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::ToKernel => "to-kernel",
            Direction::FromKernel => "from-kernel",
            Direction::Unknown => "unknown",
        }
    }
}

/// Byte order of integers in netlink payloads (host order of the capturing machine, or
/// network order for NLA_F_NET_BYTEORDER / `byte-order: big-endian` fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endian {
    /// Least significant byte first (x86, most ARM).
    Little,
    /// Most significant byte first (s390x, network order).
    Big,
}

impl Endian {
    /// The byte order of this machine (netlink sockets speak it).
    pub const fn native() -> Endian {
        if cfg!(target_endian = "big") {
            Endian::Big
        } else {
            Endian::Little
        }
    }
    /// `v` in this byte order.
    pub fn u16_bytes(self, v: u16) -> [u8; 2] {
        match self {
            Endian::Little => v.to_le_bytes(),
            Endian::Big => v.to_be_bytes(),
        }
    }
    /// `v` in this byte order.
    pub fn u32_bytes(self, v: u32) -> [u8; 4] {
        match self {
            Endian::Little => v.to_le_bytes(),
            Endian::Big => v.to_be_bytes(),
        }
    }
    /// The two u16s at `off` and `off + 2` in one read (an attribute's length and type), if
    /// the bytes are there: walks read one for every attribute.
    #[inline]
    pub fn u16_pair(self, b: &[u8], off: usize) -> Option<(u16, u16)> {
        let &[a0, a1, b0, b1] = b.get(off..off.saturating_add(4))? else {
            return None;
        };
        Some(match self {
            Endian::Little => (u16::from_le_bytes([a0, a1]), u16::from_le_bytes([b0, b1])),
            Endian::Big => (u16::from_be_bytes([a0, a1]), u16::from_be_bytes([b0, b1])),
        })
    }
    /// Read a u16 at `off`, if the bytes are there.
    pub fn u16(self, b: &[u8], off: usize) -> Option<u16> {
        let s: [u8; 2] = b.get(off..off.checked_add(2)?)?.try_into().ok()?;
        Some(match self {
            Endian::Little => u16::from_le_bytes(s),
            Endian::Big => u16::from_be_bytes(s),
        })
    }
    /// Read a u32 at `off`, if the bytes are there.
    pub fn u32(self, b: &[u8], off: usize) -> Option<u32> {
        let s: [u8; 4] = b.get(off..off.checked_add(4)?)?.try_into().ok()?;
        Some(match self {
            Endian::Little => u32::from_le_bytes(s),
            Endian::Big => u32::from_be_bytes(s),
        })
    }
    /// Read a u64 at `off`, if the bytes are there.
    pub fn u64(self, b: &[u8], off: usize) -> Option<u64> {
        let s: [u8; 8] = b.get(off..off.checked_add(8)?)?.try_into().ok()?;
        Some(match self {
            Endian::Little => u64::from_le_bytes(s),
            Endian::Big => u64::from_be_bytes(s),
        })
    }
    /// Read an unsigned integer of 1, 2, 4 or 8 bytes.
    pub fn uint(self, b: &[u8], off: usize, width: usize) -> Option<u64> {
        match width {
            1 => b.get(off).map(|v| u64::from(*v)),
            2 => self.u16(b, off).map(u64::from),
            4 => self.u32(b, off).map(u64::from),
            8 => self.u64(b, off),
            _ => None,
        }
    }
    /// Read a signed integer of 1, 2, 4 or 8 bytes, sign-extended.
    pub fn int(self, b: &[u8], off: usize, width: usize) -> Option<i64> {
        let u = self.uint(b, off, width)?;
        Some(match width {
            1 => i64::from(u as u8 as i8),
            2 => i64::from(u as u16 as i16),
            4 => i64::from(u as u32 as i32),
            _ => u as i64,
        })
    }
}
