//! Endian-aware walks over netlink messages and attributes. Both stop at the first header that
//! does not fit (a length below the header size or beyond the bytes left) and never panic:
//! callers that must report such damage look at [`Messages::rest`] / [`Attrs::rest`].

use super::{NLA_HDRLEN, NLA_TYPE_MASK, NLMSG_HDRLEN, align4};
use crate::model::Endian;

/// One netlink message header and its payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Msg<'a> {
    /// Offset of the nlmsghdr in the walked bytes.
    pub offset: usize,
    /// `nlmsg_len`.
    pub len: u32,
    /// `nlmsg_type`.
    pub ty: u16,
    /// `nlmsg_flags`.
    pub flags: u16,
    /// `nlmsg_seq`.
    pub seq: u32,
    /// `nlmsg_pid`.
    pub pid: u32,
    /// The bytes after the 16-byte header, up to `nlmsg_len`.
    pub payload: &'a [u8],
}

/// The messages of a datagram or frame body, `NLMSG_ALIGN`ed.
#[derive(Debug, Clone)]
pub struct Messages<'a> {
    data: &'a [u8],
    pos: usize,
    endian: Endian,
}

impl<'a> Messages<'a> {
    /// Messages of `data` in byte order `endian`.
    pub fn new(data: &'a [u8], endian: Endian) -> Self {
        Messages {
            data,
            pos: 0,
            endian,
        }
    }

    /// Messages in the host's byte order (sockets of this machine).
    pub fn native(data: &'a [u8]) -> Self {
        Messages::new(data, Endian::native())
    }

    /// Offset and bytes not walked: empty after a clean walk, else from the bad header on.
    pub fn rest(&self) -> (usize, &'a [u8]) {
        let pos = self.pos.min(self.data.len());
        (pos, self.data.get(pos..).unwrap_or(&[]))
    }
}

impl<'a> Iterator for Messages<'a> {
    type Item = Msg<'a>;
    fn next(&mut self) -> Option<Msg<'a>> {
        let d = self.data;
        let at = self.pos;
        let e = self.endian;
        let len = e.u32(d, at)?;
        let l = len as usize;
        if l < NLMSG_HDRLEN || l > d.len() - at {
            return None;
        }
        let m = Msg {
            offset: at,
            len,
            ty: e.u16(d, at + 4)?,
            flags: e.u16(d, at + 6)?,
            seq: e.u32(d, at + 8)?,
            pid: e.u32(d, at + 12)?,
            payload: d.get(at + NLMSG_HDRLEN..at + l)?,
        };
        self.pos = at.saturating_add(align4(l));
        Some(m)
    }
}

/// One attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attr<'a> {
    /// Offset of the nlattr header in the walked bytes.
    pub offset: usize,
    /// Type without the `NLA_F_NESTED` / `NLA_F_NET_BYTEORDER` bits.
    pub ty: u16,
    /// The flag bits of `nla_type` (`NLA_F_NESTED`, `NLA_F_NET_BYTEORDER`).
    pub flags: u16,
    /// The bytes after the 4-byte header, up to `nla_len`.
    pub payload: &'a [u8],
}

impl<'a> Attr<'a> {
    /// The payload as a string up to its first NUL (lossy UTF-8).
    pub fn str(&self) -> std::borrow::Cow<'a, str> {
        cstr(self.payload)
    }
}

/// A NUL-terminated (or unterminated) string attribute's text, lossy UTF-8.
pub fn cstr(b: &[u8]) -> std::borrow::Cow<'_, str> {
    let b = b.split(|c| *c == 0).next().unwrap_or(&[]);
    // Names are mostly valid UTF-8: checked at once, the lossy walk only for those that are not.
    match std::str::from_utf8(b) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(b),
    }
}

/// A chain of attributes, `NLA_ALIGN`ed.
#[derive(Debug, Clone)]
pub struct Attrs<'a> {
    data: &'a [u8],
    pos: usize,
    endian: Endian,
}

impl<'a> Attrs<'a> {
    /// Attributes of `data` in byte order `endian`.
    pub fn new(data: &'a [u8], endian: Endian) -> Self {
        Attrs {
            data,
            pos: 0,
            endian,
        }
    }

    /// Attributes in the host's byte order (sockets of this machine).
    pub fn native(data: &'a [u8]) -> Self {
        Attrs::new(data, Endian::native())
    }

    /// Attributes of `data` starting at `start` (after a fixed header); offsets stay relative
    /// to `data`.
    pub fn from(data: &'a [u8], start: usize, endian: Endian) -> Self {
        Attrs {
            data,
            pos: start,
            endian,
        }
    }

    /// The payload of the first attribute of type `ty` (from here on).
    pub fn find(mut self, ty: u16) -> Option<&'a [u8]> {
        self.find_map(|a| (a.ty == ty).then_some(a.payload))
    }

    /// Offset and bytes not walked: empty after a clean walk, else from the bad header on.
    pub fn rest(&self) -> (usize, &'a [u8]) {
        let pos = self.pos.min(self.data.len());
        (pos, self.data.get(pos..).unwrap_or(&[]))
    }
}

impl<'a> Iterator for Attrs<'a> {
    type Item = Attr<'a>;
    fn next(&mut self) -> Option<Attr<'a>> {
        let d = self.data;
        let at = self.pos;
        let (l, t) = self.endian.u16_pair(d, at)?;
        let l = usize::from(l);
        if l < NLA_HDRLEN || l > d.len() - at {
            return None;
        }
        let a = Attr {
            offset: at,
            ty: t & NLA_TYPE_MASK,
            flags: t & !NLA_TYPE_MASK,
            payload: d.get(at + NLA_HDRLEN..at + l)?,
        };
        self.pos = at.saturating_add(align4(l));
        Some(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netlink::MsgBuilder;

    #[test]
    fn messages_walk_and_stop_at_damage() {
        let mut b = MsgBuilder::with_endian(Endian::Big, 16, 0x1, 7, 0);
        b.push(&[1, 2, 3, 4]);
        let one = b.finish();
        let mut data = one.clone();
        data.extend_from_slice(&[0, 0, 0]); // not an nlmsghdr
        let mut it = Messages::new(&data, Endian::Big);
        let m = it.next().unwrap();
        let got = (m.len, m.ty, m.flags, m.seq, m.payload);
        assert_eq!(got, (20, 16, 1, 7, &[1u8, 2, 3, 4][..]));
        assert_eq!(it.next(), None);
        assert_eq!(it.rest(), (20, &[0u8, 0, 0][..]));
        // nlmsg_len beyond the bytes present
        let mut bad = one;
        bad[3] = 200;
        assert_eq!(Messages::new(&bad, Endian::Big).count(), 0);
    }

    #[test]
    fn attributes_with_flags_find_and_strings() {
        let mut b = MsgBuilder::new(16, 0, 0, 0);
        b.attr_str(3, "veth0");
        let n = b.begin_nest(18);
        b.attr_u32(1, 9);
        b.end_nest(n);
        let msg = b.finish();
        let m = Messages::native(&msg).next().unwrap();
        let all: Vec<_> = Attrs::native(m.payload).collect();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].str(), "veth0");
        assert_eq!(all[1].flags, crate::netlink::NLA_F_NESTED);
        let inner = Attrs::native(m.payload).find(18).unwrap();
        assert_eq!(Attrs::native(inner).find(1), Some(&9u32.to_ne_bytes()[..]));
        // a length below the header stops the walk without panicking
        assert_eq!(Attrs::native(&[2, 0, 1, 0, 0, 0]).count(), 0);
        assert_eq!(Attrs::native(&[8, 0]).count(), 0);
    }
}
