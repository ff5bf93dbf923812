//! A message's content hash without its tree: the bytes its attributes are decoded from, with
//! the attributes a caller calls volatile (counters, timestamps) left out with all below them.
//! What-changed compares two messages about an object by it first and builds their trees only
//! when it differs.

use std::collections::HashMap;

use super::Walker;
use crate::dissect::specs::{Attr, AttrSet, AttrType};
use crate::netlink::{Attrs, NLA_HDRLEN, NLA_TYPE_MASK, align4};

type KeyHash = std::hash::BuildHasherDefault<crate::dissect::KeyHasher>;

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

/// The hash of each attribute of a message, by where it is (its field path), as
/// [`Walker::fingerprint`] walks them: what lets a comparison of two messages about one object
/// build only the attributes that differ (see [`Prune`]).
#[derive(Debug, Default)]
pub struct AttrPrints {
    /// The message's fingerprint.
    pub fingerprint: u64,
    /// Field path key -> the attribute. A key stands for the attribute types from the top
    /// level down (with the sets they imply, the same names: see [`AttrPrints::key_of`]).
    attrs: HashMap<u64, Walked, KeyHash>,
    /// The key of the nest being walked (0 at the top level).
    parent: u64,
    /// The hash of the bytes before the attributes (the family's fixed header).
    pub(in crate::dissect) header: u64,
    /// What decoding an attribute reads besides its bytes: the message's kind, the sets its
    /// family's hooks pick, every selector's value.
    pub(in crate::dissect) context: Fingerprint,
    /// False where nodes' fields may leave their attribute's path (a spec with code
    /// decoders) or nothing was walked: no attribute can be left bare then.
    pub(in crate::dissect) usable: bool,
}

/// An attribute [`AttrPrints`] saw.
#[derive(Debug, Clone, Copy)]
struct Walked {
    /// Its offset (of its header) in the frame.
    pos: usize,
    /// Its hash (with all below it).
    hash: u64,
    /// Whether it is the only one at its field path.
    once: bool,
}

impl AttrPrints {
    /// Empty, with room for a link message's attributes.
    pub fn with_room() -> Self {
        AttrPrints {
            attrs: HashMap::with_capacity_and_hasher(64, KeyHash::default()),
            ..AttrPrints::default()
        }
    }

    /// The key of attribute type `t` inside the nest being walked.
    fn key_of(&self, t: u16) -> u64 {
        let mut f = Fingerprint(self.parent);
        f.word(u64::from(t));
        f.finish()
    }

    fn saw(&mut self, key: u64, pos: usize, hash: u64) {
        self.attrs
            .entry(key)
            .and_modify(|w| w.once = false)
            .or_insert(Walked {
                pos,
                hash,
                once: true,
            });
    }

    /// Whether `other`'s attributes were decoded as this message's would be.
    fn comparable(&self, other: &AttrPrints) -> bool {
        self.usable && other.usable && self.context.finish() == other.context.finish()
    }
}

/// Which attributes a tree builds bare: a node at the attribute's bytes with neither name nor
/// field, nothing decoded inside. What-changed skips a node without a field, so it builds the
/// trees it compares so. Counters ([`crate::dissect::specs::Attr::volatile`]) are always bare.
pub struct Prune {
    /// Offsets of the other attributes left bare, sorted.
    alike: Vec<usize>,
    /// The fixed header is alike in both messages: bare too.
    header: bool,
}

impl Prune {
    /// Leave the counters bare.
    pub fn counters() -> Self {
        Prune {
            alike: Vec::new(),
            header: false,
        }
    }

    /// Whether the fixed header before the attributes is built bare.
    pub fn header(&self) -> bool {
        self.header
    }

    /// Also leave bare each attribute that is the only one at its field path in both this
    /// message (`own`) and the one it is compared with (`other`), and hashes alike in both
    /// (when both were decoded alike); and the fixed header when its bytes are alike. Both
    /// trees then lose the same leaves, all of them equal, and all the leaves of their
    /// fields (a field's leaves are all below its one attribute or the header), so their
    /// comparison is that of the whole trees.
    pub fn against(own: &AttrPrints, other: &AttrPrints) -> Self {
        if !own.comparable(other) {
            return Prune::counters();
        }
        let mut alike: Vec<usize> = own
            .attrs
            .iter()
            .filter(|(k, a)| {
                a.once
                    && other
                        .attrs
                        .get(k)
                        .is_some_and(|b| b.once && b.hash == a.hash)
            })
            .map(|(_, a)| a.pos)
            .collect();
        alike.sort_unstable();
        Prune {
            alike,
            header: own.header == other.header,
        }
    }

    /// Whether attribute `attr` at `pos` is built bare. The tree decodes what the fingerprint
    /// walked as it walked it, so the attribute at a recorded offset is the one recorded.
    pub(super) fn bare(&self, attr: &Attr, pos: usize) -> bool {
        attr.volatile || self.alike.binary_search(&pos).is_ok()
    }
}

impl Walker<'_> {
    /// Feed `fp` with the attributes in `data[start..end]` of `set` as [`Walker::attrs`] would
    /// decode them at `path`, leaving out counters ([`Attr::volatile`]).
    ///
    /// Whatever the tree's values could depend on beyond the attribute's own bytes is hashed
    /// whole, not walked: a sub-message whose format is not sure or a selector (its
    /// siblings' format), a nest with a fixed header, anything deeper than the tree decodes.
    /// A set a family hook picks (an override) is walked as that set: the picks are hashed
    /// into the message's context. So two messages with the same fingerprint have the same
    /// tree but for the counters. With `rec`, each attribute's hash is recorded there too.
    #[allow(clippy::too_many_arguments)]
    pub fn fingerprint(
        &self,
        start: usize,
        end: usize,
        set: Option<&AttrSet>,
        path: &mut String,
        depth: usize,
        fp: &mut Fingerprint,
        mut rec: Option<&mut AttrPrints>,
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
            if !attr.selector && attr.volatile {
                pos += align4(len);
                continue;
            }
            // The field path only says whether a hook picks the set (most messages have no
            // such hook): kept only then.
            let before = path.len();
            let track = !self.overrides.is_empty();
            if track {
                path.push('.');
                path.push_str(attr.name);
            }
            // The set a hook picks is walked as the tree walks it (`Walker::attr`): the
            // picks are in the message's context. A nest's fixed header is hashed with it.
            let picked = track
                .then(|| self.overrides.iter().find(|(f, _)| f == path))
                .flatten();
            let walk = depth + 1 < super::MAX_DEPTH;
            let nested = match (&attr.ty, &attr.nested, &attr.fixed_header) {
                (AttrType::Nest, _, Some(_)) if picked.is_some() => None,
                _ if picked.is_some() => picked.and_then(|(_, s)| self.set(s)).filter(|_| walk),
                (AttrType::Nest, Some(n), None) if walk => self.spec.and_then(|s| s.sets.get(n)),
                (AttrType::SubMessage { name, selector }, _, None) if walk => {
                    set.and_then(|s| self.sub_message_set(name, selector, s, start, end))
                }
                _ => None,
            };
            let key = rec.as_ref().map_or(0, |r| r.key_of(attr.value));
            // Each attribute hashed on its own, then into the message's hash.
            let mut one = Fingerprint::default();
            match nested {
                Some(inner) => {
                    one.word(u64::from(raw_type) | 1 << 32);
                    let p0 = pos + NLA_HDRLEN;
                    // Its attributes' keys are below its own.
                    let outer = rec
                        .as_deref_mut()
                        .map(|r| std::mem::replace(&mut r.parent, key));
                    let r = rec.as_deref_mut();
                    self.fingerprint(p0, pos + len, Some(inner), path, depth + 1, &mut one, r);
                    if let (Some(r), Some(o)) = (rec.as_deref_mut(), outer) {
                        r.parent = o;
                    }
                }
                None => one.bytes(bytes),
            }
            let hash = one.finish();
            fp.word(hash);
            if let Some(r) = rec.as_deref_mut() {
                r.saw(key, pos, hash);
                if attr.selector {
                    r.context.word(key);
                    r.context.word(hash);
                }
            }
            if track {
                path.truncate(before);
            }
            pos += align4(len);
        }
        // Trailing bytes shorter than an attribute header.
        fp.bytes(self.data.get(pos.min(end)..end).unwrap_or_default());
    }
}

impl<'a> Walker<'a> {
    /// The attribute set the tree decodes sub-message `name` (selected by `selector`) with,
    /// when this level's bytes (`data[start..end]`, attributes of `set`) say it for sure: the
    /// selector is a string attribute of `set` present once, the level is well formed, and
    /// the format it picks is attributes without a fixed header. Else `None`: the
    /// sub-message is hashed as bytes.
    fn sub_message_set(
        &self,
        name: &str,
        selector: &str,
        set: &AttrSet,
        start: usize,
        end: usize,
    ) -> Option<&'a AttrSet> {
        let sel = set.by_name(selector)?;
        if !matches!(sel.ty, AttrType::String) {
            return None;
        }
        let mut level = Attrs::from(self.data.get(..end)?, start, self.endian);
        let mut found = None;
        for a in level.by_ref().filter(|a| a.ty == sel.value) {
            if found.replace(a).is_some() {
                return None;
            }
        }
        if !level.rest().1.is_empty() {
            return None;
        }
        // As the tree reads a string: up to its first NUL.
        let fmt = self
            .spec?
            .sub_messages
            .get(name)?
            .format(&found?.str(), self.op)?;
        if fmt.fixed_header.is_some() {
            return None;
        }
        self.spec?.sets.get(fmt.attribute_set.as_deref()?)
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
