//! A message's content hash without its tree: the bytes its attributes are decoded from, with
//! the attributes a caller calls volatile (counters, timestamps) left out with all below them.
//! What-changed compares two messages about an object by it first and builds their trees only
//! when it differs.

use super::Walker;
use crate::dissect::specs::{AttrSet, AttrType};
use crate::netlink::{NLA_HDRLEN, NLA_TYPE_MASK, align4};

/// A 64-bit hash fed with words and byte strings.
#[derive(Debug, Clone, Copy)]
pub struct Fingerprint(u64);

impl Default for Fingerprint {
    fn default() -> Self {
        Fingerprint(0x243f_6a88_85a3_08d3)
    }
}

impl Fingerprint {
    /// Mix in one word.
    pub fn word(&mut self, w: u64) {
        let x = (self.0 ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 = x ^ (x >> 29) ^ w.rotate_left(17);
    }

    /// Mix in `b` and its length, eight bytes at a time.
    pub fn bytes(&mut self, b: &[u8]) {
        self.word(b.len() as u64);
        let mut chunks = b.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.word(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            for (d, s) in w.iter_mut().zip(rest) {
                *d = *s;
            }
            self.word(u64::from_le_bytes(w));
        }
    }

    /// The hash.
    pub fn finish(&self) -> u64 {
        let x = self.0 ^ (self.0 >> 31);
        x.wrapping_mul(0xbf58_476d_1ce4_e5b9) ^ (x >> 27)
    }
}

impl Walker<'_> {
    /// Feed `fp` with the attributes in `data[start..end]` of `set` as [`Walker::attrs`] would
    /// decode them at `path`, leaving out each attribute whose field path `skip` accepts.
    ///
    /// Whatever the tree's values could depend on beyond the attribute's own bytes is hashed
    /// whole, not walked: a nest whose set a family hook picks (an override), a sub-message or
    /// a selector (its siblings' format), a nest with a fixed header, anything deeper than
    /// the tree decodes. So two messages with the same fingerprint have the same tree but for
    /// what `skip` leaves out.
    #[allow(clippy::too_many_arguments)]
    pub fn fingerprint(
        &self,
        start: usize,
        end: usize,
        set: Option<&AttrSet>,
        path: &mut String,
        depth: usize,
        skip: &dyn Fn(&str) -> bool,
        fp: &mut Fingerprint,
    ) {
        let end = end.min(self.data.len());
        let mut pos = start;
        while pos < end {
            let (Some(len), Some(raw_type)) = (
                self.endian.u16(self.data, pos),
                self.endian.u16(self.data, pos + 2),
            ) else {
                break;
            };
            let len = usize::from(len);
            let whole = self.data.get(pos..end).unwrap_or_default();
            if len < NLA_HDRLEN || len > end - pos {
                // Malformed: the rest as it is (the tree shows it as an expert note).
                fp.bytes(whole);
                return;
            }
            let bytes = whole.get(..len).unwrap_or_default();
            let attr = set.and_then(|s| s.get(raw_type & NLA_TYPE_MASK));
            let Some(attr) = attr else {
                fp.bytes(bytes);
                pos += align4(len);
                continue;
            };
            let before = path.len();
            path.push('.');
            path.push_str(&attr.name);
            if !attr.selector && skip(path) {
                path.truncate(before);
                pos += align4(len);
                continue;
            }
            let overridden = self.overrides.iter().any(|(f, _)| f == path);
            let nested = match (&attr.ty, &attr.nested, &attr.fixed_header) {
                (AttrType::Nest, Some(n), None) if !overridden && depth + 1 < super::MAX_DEPTH => {
                    self.spec.and_then(|s| s.sets.get(n))
                }
                _ => None,
            };
            match nested {
                Some(inner) => {
                    fp.word(u64::from(raw_type) | 1 << 32);
                    let p0 = pos + NLA_HDRLEN;
                    self.fingerprint(p0, pos + len, Some(inner), path, depth + 1, skip, fp);
                    fp.word(1 << 33);
                }
                None => fp.bytes(bytes),
            }
            path.truncate(before);
            pos += align4(len);
        }
        // Trailing bytes shorter than an attribute header.
        fp.bytes(self.data.get(pos.min(end)..end).unwrap_or_default());
    }
}

impl Walker<'_> {
    /// Where the attributes after fixed header `st` at `pos` start, as
    /// [`Walker::header_node`] finds it: summed member sizes when every member has a fixed
    /// size and is present, else from the header's nodes.
    pub fn header_end(
        &self,
        st: &crate::dissect::specs::StructDef,
        pos: usize,
        end: usize,
    ) -> usize {
        use crate::dissect::specs::MemberKind;
        let avail = end.saturating_sub(pos);
        let fixed = self.spec.and_then(|spec| {
            let last = st.members.len().saturating_sub(1);
            let mut off = 0usize;
            for (i, m) in st.members.iter().enumerate() {
                match m.kind {
                    MemberKind::Array { .. } | MemberKind::Rest(_) => return None,
                    MemberKind::Union { .. } if i == last => return None,
                    _ => {}
                }
                off += m.size(&spec.structs);
                if off > avail {
                    return None;
                }
            }
            Some(off)
        });
        match fixed {
            Some(used) => pos + align4(used).min(avail),
            None => self.header_node(st, "", pos, end).1,
        }
    }
}
