//! Acknowledgements: the `NLMSG_ERROR` answering a request (error 0 = success), with the
//! extended ack's message text (linux/netlink.h `struct nlmsgerr`, `NLMSGERR_ATTR_MSG`), and the
//! `NLMSG_DONE` that ends a dump (its payload, when present, is the dump's error code).

use super::{
    Attrs, Messages, Msg, NLM_F_ACK_TLVS, NLM_F_CAPPED, NLMSG_DONE, NLMSG_ERROR, NLMSG_HDRLEN,
    NLMSGERR_ATTR_MSG, align4,
};
use crate::model::Endian;

/// The kernel's answer to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    /// 0 on success, else a negative errno.
    pub error: i32,
    /// The extended ack's message (`NLMSGERR_ATTR_MSG`), if the kernel attached one.
    pub message: Option<String>,
}

impl Ack {
    /// The ack message `m` carries, if it is one (`NLMSG_ERROR` with its error code present,
    /// or `NLMSG_DONE`). Damaged extended-ack attributes only lose the message text.
    pub fn of(m: &Msg<'_>, endian: Endian) -> Option<Ack> {
        match m.ty {
            NLMSG_DONE => Some(Ack {
                error: endian.u32(m.payload, 0).map_or(0, |e| e as i32),
                message: None,
            }),
            NLMSG_ERROR => {
                let error = endian.u32(m.payload, 0)? as i32;
                Some(Ack {
                    error,
                    message: extack_message(m, endian),
                })
            }
            _ => None,
        }
    }

    /// The ack answering sequence number `seq` among the messages of `datagram`, if any.
    pub fn find(datagram: &[u8], endian: Endian, seq: u32) -> Option<Ack> {
        Messages::new(datagram, endian)
            .filter(|m| m.seq == seq)
            .find_map(|m| Ack::of(&m, endian))
    }

    /// Whether the request succeeded.
    pub fn is_ok(&self) -> bool {
        self.error == 0
    }

    /// The positive errno of a refusal, `None` on success.
    pub fn errno(&self) -> Option<i32> {
        (self.error != 0).then(|| self.error.saturating_neg())
    }
}

/// `NLMSGERR_ATTR_MSG` of an `NLMSG_ERROR`: after the error code comes the offending request,
/// only its header when `NLM_F_CAPPED`, then the attributes when `NLM_F_ACK_TLVS`.
fn extack_message(m: &Msg<'_>, endian: Endian) -> Option<String> {
    if m.flags & NLM_F_ACK_TLVS == 0 {
        return None;
    }
    let echoed = if m.flags & NLM_F_CAPPED != 0 {
        NLMSG_HDRLEN
    } else {
        endian.u32(m.payload, 4)? as usize
    };
    let start = 4usize.checked_add(align4(echoed))?;
    let text = Attrs::from(m.payload, start, endian).find(NLMSGERR_ATTR_MSG)?;
    Some(super::cstr(text).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netlink::{MsgBuilder, NLM_F_ACK, NLM_F_REQUEST};

    /// The request being answered: its header is what a capped ack echoes.
    fn request(e: Endian, seq: u32) -> Vec<u8> {
        let mut b = MsgBuilder::with_endian(e, 16, NLM_F_REQUEST | NLM_F_ACK, seq, 0);
        b.push(&[0; 16]).attr_str(3, "nlmon0");
        b.finish()
    }

    /// An NLMSG_ERROR for `seq`: capped (header only) or with the whole request echoed.
    fn error_msg(e: Endian, seq: u32, error: i32, capped: bool, extack: Option<&str>) -> Vec<u8> {
        let req = request(e, seq);
        let mut flags = if capped { NLM_F_CAPPED } else { 0 };
        if extack.is_some() {
            flags |= NLM_F_ACK_TLVS;
        }
        let mut b = MsgBuilder::with_endian(e, NLMSG_ERROR, flags, seq, 1234);
        b.push_u32(error as u32);
        b.push(if capped { &req[..16] } else { &req });
        if let Some(t) = extack {
            b.attr_u32(4, 20); // NLMSGERR_ATTR_OFFS first: the message is looked up by type
            b.attr_str(NLMSGERR_ATTR_MSG, t);
        }
        b.finish()
    }

    #[test]
    fn errors_with_and_without_extended_ack_in_both_byte_orders() {
        for e in [Endian::Little, Endian::Big] {
            for capped in [true, false] {
                let m = error_msg(e, 5, -95, capped, Some("Unknown device type"));
                let a = Ack::find(&m, e, 5).unwrap();
                assert_eq!(a.error, -95);
                assert_eq!(a.errno(), Some(95));
                assert_eq!(a.message.as_deref(), Some("Unknown device type"));
                let a = Ack::find(&error_msg(e, 5, -17, capped, None), e, 5).unwrap();
                assert_eq!((a.errno(), a.message), (Some(17), None));
            }
            let ok = Ack::find(&error_msg(e, 5, 0, true, None), e, 5).unwrap();
            assert!(ok.is_ok() && ok.errno().is_none());
        }
    }

    #[test]
    fn the_answer_to_our_sequence_number_and_dump_ends() {
        let e = Endian::native();
        // Another request's answer first, then ours.
        let mut two = error_msg(e, 4, -1, true, None);
        two.extend(error_msg(e, 5, 0, true, None));
        assert_eq!(Ack::find(&two, e, 5).map(|a| a.error), Some(0));
        assert_eq!(Ack::find(&two, e, 6), None);
        // NLMSG_DONE: empty, or carrying the dump's error.
        let done = MsgBuilder::new(NLMSG_DONE, 2, 5, 0).finish();
        assert_eq!(Ack::find(&done, e, 5).map(|a| a.error), Some(0));
        let mut b = MsgBuilder::new(NLMSG_DONE, 2, 5, 0);
        b.push_u32((-4i32) as u32);
        assert_eq!(Ack::find(&b.finish(), e, 5).map(|a| a.error), Some(-4));
        // Other messages are not acks.
        assert_eq!(Ack::find(&request(e, 5), e, 5), None);
    }

    #[test]
    fn damage_loses_at_most_the_text() {
        let e = Endian::native();
        let full = error_msg(e, 5, -95, true, Some("Unknown device type"));
        for cut in 0..full.len() {
            let _ = Ack::find(&full[..cut], e, 5);
        }
        // The message attribute claims more bytes than there are.
        let mut bad = full.clone();
        let at = 16 + 4 + 16 + 8; // header, error, echoed header, NLMSGERR_ATTR_OFFS
        bad[at..at + 2].copy_from_slice(&e.u16_bytes(0xfff0));
        let a = Ack::find(&bad, e, 5).unwrap();
        assert_eq!((a.error, a.message), (-95, None));
        // An uncapped echo whose length runs past the message: no text, no panic.
        let mut bad = error_msg(e, 5, -95, false, Some("x"));
        bad[20..24].copy_from_slice(&e.u32_bytes(u32::MAX));
        assert_eq!(Ack::find(&bad, e, 5).map(|a| a.message), Some(None));
        // An NLMSG_ERROR too short for its error code is no answer.
        let short = MsgBuilder::new(NLMSG_ERROR, 0, 5, 0).finish();
        assert_eq!(Ack::find(&short, e, 5), None);
        assert_eq!(Ack::find(&[0xff; 40], e, 5), None);
    }
}
