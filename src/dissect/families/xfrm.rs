//! xfrm (IPsec SAs and policies): what the spec's one header per message type cannot say.

use super::{Family, Layout, Payload};
use crate::model::Direction;

/// The xfrm module.
pub struct Xfrm;

/// XFRM_MSG_GETSA and XFRM_MSG_GETPOLICY (linux/xfrm.h).
const GETSA: u16 = 0x12;
const GETPOLICY: u16 = 0x15;

impl Family for Xfrm {
    /// GETSA and GETPOLICY are dumps without a header (`ip xfrm state list`), but a request
    /// for one SA or policy (`ip xfrm state get`, strongSwan's queries) carries the id the
    /// kernel looks up: struct xfrm_usersa_id / xfrm_userpolicy_id (xfrm_user.c,
    /// xfrm_get_sa / xfrm_get_policy).
    fn layout<'a>(&self, p: &Payload<'a>) -> Option<Layout<'a>> {
        let m = p.m;
        if m.direction != Direction::ToKernel || m.flags & 0x300 == 0x300 {
            return None;
        }
        let header = match m.ty {
            GETSA => "xfrm_usersa_id",
            GETPOLICY => "xfrm_userpolicy_id",
            _ => return None,
        };
        Some(Layout {
            spec: p.spec,
            header: Some(p.spec.structs.get(header)?),
            set: p
                .op
                .attribute_set
                .as_deref()
                .and_then(|s| p.spec.sets.get(s)),
        })
    }
}
