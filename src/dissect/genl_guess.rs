//! Which generic netlink family a message of an unknown family id belongs to, when the capture
//! never names the id (no nlctrl exchange, no `genl-families:` comment): the family whose
//! command exists in that direction and whose attribute set fits the attributes best.

use super::specs::{AttrSet, AttrType, Protocol, Scalar, Spec, SpecRegistry};
use crate::model::Endian;
use crate::netlink::{GENL_HDRLEN, NLA_TYPE_MASK, align4};

/// Nesting followed while scoring (the kernel's own limit is far deeper; a few levels tell).
const MAX_DEPTH: usize = 3;

/// A family that fits a message: its index in the registry and how well.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guess {
    /// Index of the spec in [`SpecRegistry::specs`].
    pub spec: usize,
    /// Attributes whose number and payload fit the family's set.
    pub fit: u32,
    /// Attributes in the message (top level and the nests followed).
    pub of: u32,
}

/// The best-fitting generic netlink family for a message's payload (genlmsghdr onwards), sent
/// to the kernel or not. `None` when no family fits or two fit equally well.
pub fn guess(specs: &SpecRegistry, payload: &[u8], e: Endian, to_kernel: bool) -> Option<Guess> {
    let cmd = *payload.first()?;
    let mut best: Option<Guess> = None;
    let mut tie = false;
    for (i, s) in specs.indexed() {
        if s.protocol != Protocol::Genetlink || s.name == "nlctrl" {
            continue;
        }
        let Some((fit, of)) = score(s, payload, e, cmd, to_kernel) else {
            continue;
        };
        let g = Guess { spec: i, fit, of };
        match best {
            Some(b) if better(b, g) => {}
            Some(b) if !better(g, b) => tie = true,
            _ => {
                best = Some(g);
                tie = false;
            }
        }
    }
    best.filter(|b| !tie && b.fit > 0 && b.fit * 4 >= b.of * 3)
}

/// `a` fits strictly better than `b`: more attributes fit, then fewer misfits.
fn better(a: Guess, b: Guess) -> bool {
    (a.fit, u32::MAX - (a.of - a.fit)) > (b.fit, u32::MAX - (b.of - b.fit))
}

/// (attributes that fit, attributes seen) of `payload` read as family `s`, or `None` when the
/// family has no such command or the bytes are not attributes at its header size.
fn score(s: &Spec, payload: &[u8], e: Endian, cmd: u8, to_kernel: bool) -> Option<(u32, u32)> {
    let op = s.op_for(u16::from(cmd), to_kernel)?;
    let set = s.sets.get(op.attribute_set.as_deref()?)?;
    let header = op
        .fixed_header
        .as_ref()
        .or(s.fixed_header.as_ref())
        .and_then(|h| s.structs.get(h))
        .map_or(0, |st| st.size);
    let attrs = payload.get(GENL_HDRLEN + header..)?;
    let (mut fit, mut of) = (0, 0);
    walk(s, set, attrs, e, 0, &mut fit, &mut of)?;
    Some((fit, of))
}

/// Score the attributes of `data` against `set`; `None` if `data` is not a run of attributes.
fn walk(
    s: &Spec,
    set: &AttrSet,
    data: &[u8],
    e: Endian,
    depth: usize,
    fit: &mut u32,
    of: &mut u32,
) -> Option<()> {
    let mut pos = 0;
    while pos < data.len() {
        let len = usize::from(e.u16(data, pos)?);
        let ty = e.u16(data, pos + 2)? & NLA_TYPE_MASK;
        let body = data.get(pos + 4..pos.checked_add(len)?)?;
        *of += 1;
        if let Some(a) = set.get(ty) {
            let fits = match &a.ty {
                AttrType::Scalar(Scalar::U(w) | Scalar::S(w)) => body.len() == usize::from(*w),
                AttrType::Scalar(Scalar::UVar | Scalar::SVar) => matches!(body.len(), 4 | 8),
                AttrType::Flag => body.is_empty(),
                AttrType::Bitfield32 => body.len() == 8,
                AttrType::String => text(body),
                AttrType::Nest => match a.nested.as_ref().and_then(|n| s.sets.get(n)) {
                    Some(inner) if depth < MAX_DEPTH => {
                        walk(s, inner, body, e, depth + 1, fit, of).is_some()
                    }
                    _ => attrs_shape(body, e),
                },
                AttrType::IndexedArray(_) | AttrType::NestTypeValue(_) => attrs_shape(body, e),
                _ => a.exact_len.is_none_or(|n| n == body.len()),
            };
            if fits {
                *fit += 1;
            }
        }
        pos += align4(len.max(4));
    }
    Some(())
}

/// Text as the kernel's NLA_STRING / NLA_NUL_STRING carry it.
fn text(b: &[u8]) -> bool {
    let t = b.strip_suffix(&[0]).unwrap_or(b);
    t.iter().all(|c| c.is_ascii_graphic() || *c == b' ')
}

/// `b` is a run of well-formed attributes.
fn attrs_shape(b: &[u8], e: Endian) -> bool {
    let mut pos = 0;
    while pos < b.len() {
        let Some(len) = e.u16(b, pos).map(usize::from) else {
            return false;
        };
        if len < 4 || pos + len > b.len() {
            return false;
        }
        pos += align4(len);
    }
    true
}

#[cfg(test)]
mod tests;
