//! A small netlink message builder: header, fixed header bytes, attributes and nests, in either
//! byte order (requests nlscope sends use the host's; tests also build big-endian messages).

use super::{NLA_F_NESTED, NLA_HDRLEN, NLMSG_HDRLEN, align4};
use crate::model::Endian;

/// Builds one message; [`MsgBuilder::finish`] writes `nlmsg_len`.
#[derive(Debug, Clone)]
pub struct MsgBuilder {
    buf: Vec<u8>,
    endian: Endian,
}

/// An open nest: where its header is (see [`MsgBuilder::begin_nest`]).
#[derive(Debug)]
#[must_use = "close the nest with MsgBuilder::end_nest"]
pub struct Nest(usize);

impl MsgBuilder {
    /// A message of type `ty` with `flags`, `seq` and port id `pid`, in the host's byte order.
    pub fn new(ty: u16, flags: u16, seq: u32, pid: u32) -> Self {
        MsgBuilder::with_endian(Endian::native(), ty, flags, seq, pid)
    }

    /// [`MsgBuilder::new`] in byte order `endian`.
    pub fn with_endian(endian: Endian, ty: u16, flags: u16, seq: u32, pid: u32) -> Self {
        let mut b = MsgBuilder {
            buf: Vec::with_capacity(64),
            endian,
        };
        b.header(ty, flags, seq, pid);
        b
    }

    fn header(&mut self, ty: u16, flags: u16, seq: u32, pid: u32) {
        let e = self.endian;
        self.buf.extend_from_slice(&[0; 4]);
        self.buf.extend_from_slice(&e.u16_bytes(ty));
        self.buf.extend_from_slice(&e.u16_bytes(flags));
        self.buf.extend_from_slice(&e.u32_bytes(seq));
        self.buf.extend_from_slice(&e.u32_bytes(pid));
    }

    /// Append raw bytes (a fixed header such as `ifinfomsg` or `genlmsghdr`), padded to 4.
    pub fn push(&mut self, bytes: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(bytes);
        self.pad();
        self
    }

    /// Append a u32 in the message's byte order (a fixed header's member), unpadded.
    pub fn push_u32(&mut self, v: u32) -> &mut Self {
        self.buf.extend_from_slice(&self.endian.u32_bytes(v));
        self
    }

    /// Append a u16 in the message's byte order (a fixed header's member), unpadded.
    pub fn push_u16(&mut self, v: u16) -> &mut Self {
        self.buf.extend_from_slice(&self.endian.u16_bytes(v));
        self
    }

    fn pad(&mut self) {
        self.buf.resize(align4(self.buf.len()), 0);
    }

    /// Append attribute `ty` (flag bits included as given) with `payload`.
    pub fn attr(&mut self, ty: u16, payload: &[u8]) -> &mut Self {
        let len = u16::try_from(NLA_HDRLEN + payload.len()).unwrap_or(u16::MAX);
        self.buf.extend_from_slice(&self.endian.u16_bytes(len));
        self.buf.extend_from_slice(&self.endian.u16_bytes(ty));
        self.buf.extend_from_slice(payload);
        self.pad();
        self
    }

    /// A u32 attribute in the message's byte order.
    pub fn attr_u32(&mut self, ty: u16, v: u32) -> &mut Self {
        let b = self.endian.u32_bytes(v);
        self.attr(ty, &b)
    }

    /// A u16 attribute in the message's byte order.
    pub fn attr_u16(&mut self, ty: u16, v: u16) -> &mut Self {
        let b = self.endian.u16_bytes(v);
        self.attr(ty, &b)
    }

    /// A NUL-terminated string attribute.
    pub fn attr_str(&mut self, ty: u16, s: &str) -> &mut Self {
        let mut b = Vec::with_capacity(s.len() + 1);
        b.extend_from_slice(s.as_bytes());
        b.push(0);
        self.attr(ty, &b)
    }

    /// Open a nest of type `ty` (`NLA_F_NESTED` is added); attributes appended until
    /// [`MsgBuilder::end_nest`] go inside it.
    pub fn begin_nest(&mut self, ty: u16) -> Nest {
        let at = self.buf.len();
        self.attr(ty | NLA_F_NESTED, &[]);
        Nest(at)
    }

    /// [`MsgBuilder::begin_nest`] without `NLA_F_NESTED`, as older kernel code and iproute2
    /// write many nests (the kernel's `nla_nest_start_noflag`, e.g. IFLA_LINKINFO).
    pub fn begin_nest_noflag(&mut self, ty: u16) -> Nest {
        let at = self.buf.len();
        self.attr(ty, &[]);
        Nest(at)
    }

    /// Close a nest: its length now covers what was appended since it was opened.
    pub fn end_nest(&mut self, n: Nest) -> &mut Self {
        let len = u16::try_from(self.buf.len() - n.0).unwrap_or(u16::MAX);
        let b = self.endian.u16_bytes(len);
        if let Some(d) = self.buf.get_mut(n.0..n.0 + 2) {
            d.copy_from_slice(&b);
        }
        self
    }

    /// The finished message (`nlmsg_len` set to its length).
    pub fn finish(mut self) -> Vec<u8> {
        let len = u32::try_from(self.buf.len()).unwrap_or(u32::MAX);
        let b = self.endian.u32_bytes(len);
        if let Some(d) = self.buf.get_mut(..4) {
            d.copy_from_slice(&b);
        }
        debug_assert!(self.buf.len() >= NLMSG_HDRLEN);
        self.buf
    }
}

/// One attribute on its own (header, payload, padding to 4), for payloads built by hand.
pub fn nla(endian: Endian, ty: u16, payload: &[u8]) -> Vec<u8> {
    let len = u16::try_from(NLA_HDRLEN + payload.len()).unwrap_or(u16::MAX);
    let mut a = Vec::with_capacity(align4(NLA_HDRLEN + payload.len()));
    a.extend_from_slice(&endian.u16_bytes(len));
    a.extend_from_slice(&endian.u16_bytes(ty));
    a.extend_from_slice(payload);
    a.resize(align4(a.len()), 0);
    a
}

/// A whole message: nlmsghdr with `nlmsg_len` = 16 + `payload.len()` (not padded), then
/// `payload` as given.
pub fn nlmsg(endian: Endian, ty: u16, flags: u16, seq: u32, pid: u32, payload: &[u8]) -> Vec<u8> {
    let mut b = MsgBuilder::with_endian(endian, ty, flags, seq, pid);
    b.buf.extend_from_slice(payload);
    b.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standalone_attribute_and_message() {
        assert_eq!(
            nla(Endian::Little, 3, b"ab"),
            [6, 0, 3, 0, b'a', b'b', 0, 0]
        );
        assert_eq!(nla(Endian::Big, 3, &[]), [0, 4, 0, 3]);
        let m = nlmsg(Endian::Little, 16, 0x301, 7, 9, &[1, 2, 3]);
        assert_eq!(m.len(), 19);
        assert_eq!(&m[..4], &19u32.to_le_bytes());
        assert_eq!(&m[16..], &[1, 2, 3]);
    }

    #[test]
    fn layout_is_the_uapi_one() {
        let mut b = MsgBuilder::with_endian(Endian::Big, 16, 0x605, 9, 0);
        b.push(&[0; 16]).attr_str(3, "nlmon0");
        let n = b.begin_nest(18);
        b.attr_str(1, "nlmon");
        b.end_nest(n);
        let m = b.finish();
        assert_eq!(
            &m[..16],
            &[0, 0, 0, 60, 0, 16, 6, 5, 0, 0, 0, 9, 0, 0, 0, 0]
        );
        // IFLA_IFNAME "nlmon0\0" padded to 8 bytes of payload
        assert_eq!(&m[32..36], &[0, 11, 0, 3]);
        assert_eq!(&m[36..44], b"nlmon0\0\0");
        // the nest covers its header and the 12-byte IFLA_INFO_KIND
        assert_eq!(&m[44..48], &[0, 16, 0x80, 18]);
        assert_eq!(&m[48..52], &[0, 10, 0, 1]);
        assert_eq!(m.len(), 60);
        // The same nest without the flag.
        let mut b = MsgBuilder::with_endian(Endian::Big, 16, 0, 0, 0);
        let n = b.begin_nest_noflag(18);
        b.attr_str(1, "nlmon");
        b.end_nest(n);
        assert_eq!(&b.finish()[16..20], &[0, 16, 0, 18]);
    }

    #[test]
    fn fixed_header_members_are_unpadded_in_the_message_byte_order() {
        let mut b = MsgBuilder::with_endian(Endian::Little, 3, 0, 0, 77);
        b.push_u32(1).push_u16(4).push_u16(0x102).push_u32(2);
        let m = b.finish();
        assert_eq!(m.len(), 28);
        assert_eq!(&m[..4], &[28, 0, 0, 0]);
        assert_eq!(&m[12..16], &[77, 0, 0, 0]);
        assert_eq!(&m[16..], &[1, 0, 0, 0, 4, 0, 2, 1, 2, 0, 0, 0]);
        let mut b = MsgBuilder::with_endian(Endian::Big, 3, 0, 0, 0);
        b.push_u16(0x102);
        assert_eq!(
            &b.finish()[16..],
            &[1, 2],
            "nlmsg_len counts unpadded bytes"
        );
    }
}
