//! rt-addr: addresses (RTM_*ADDR) and multicast / anycast addresses (RTM_*MULTICAST,
//! RTM_*ANYCAST).

use super::Family;
use super::text::{Memo, dump, ip_text, push_dev, push_enum, push_str};
use super::{key_attrs, key_header};
use crate::dissect::MessageView;
use crate::netlink::byte;

/// The rt-addr module.
pub struct Addr;

impl Family for Addr {
    /// `ip address` / `ip maddr` style: index, device, address/prefix, scope, label. Struct
    /// ifaddrmsg is the uapi's.
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        let m = v.index();
        let (p, e) = (v.payload_bytes(), m.endian);
        if p.len() < 8 {
            return false;
        }
        if dump(v, out) {
            return true;
        }
        let Some(memo) = Memo::of(
            v,
            ["local", "address", "label", "multicast", "anycast"],
            ["rt-scope"],
        ) else {
            return false;
        };
        let [local, address, label, multicast, anycast] = memo.attrs(v);
        let mut ib = itoa::Buffer::new();
        let (family, plen, scope) = (byte(p, 0), byte(p, 1), byte(p, 3));
        let idx = e.u32(p, 4).unwrap_or(0) as i32;
        out.push(' ');
        out.push_str(ib.format(idx));
        out.push_str(": ");
        push_dev(v, out, idx);
        // Multicast / anycast address messages (RTM_*MULTICAST, RTM_*ANYCAST): the group
        // or anycast address, as `ip maddr` prints it.
        if (56..=62).contains(&m.ty) {
            if let Some(a) = multicast.or(anycast).and_then(ip_text) {
                out.push_str(if family == 10 { " inet6 " } else { " inet " });
                out.push_str(&a);
            }
            return true;
        }
        if let Some(a) = local.or(address).and_then(ip_text) {
            out.push_str(if family == 10 { " inet6 " } else { " inet " });
            out.push_str(&a);
            out.push('/');
            out.push_str(ib.format(plen));
        }
        out.push_str(" scope ");
        push_enum(out, memo.enum_def(0), "RT_SCOPE_", i64::from(scope), true);
        if let Some(l) = label {
            out.push(' ');
            push_str(out, l);
        }
        true
    }

    /// An address: family, prefix length, index (struct ifaddrmsg) and the address.
    fn object_key(&self, v: &MessageView, key: &mut Vec<u8>) -> bool {
        if v.index().direction != crate::model::Direction::FromKernel {
            return false;
        }
        key_header(v, 0..2, key);
        key_header(v, 4..8, key);
        key_attrs(v, &["local", "address"], key);
        true
    }
}
