//! Arrays of integers inside binary payloads: YNL's integer `sub-type` on a binary attribute
//! or struct member, optionally with elements named by an enum (nlscope's `nlscope-index`).

use std::borrow::Cow;

use super::super::specs::{EnumDef, IntArray, Presentation, Scalar};
use super::{Walker, scalar_name};
use crate::model::{Endian, Node, Severity, Value, child_field, child_fields, dotted};

impl Walker<'_> {
    /// A binary attribute holding `ia`'s integers: one child per element, named by the index
    /// enum where it has one (`DEVCONF_FORWARDING`, field `<attr>.forwarding`), else `[i]`;
    /// bytes after the last whole element are a raw node with an expert.
    pub(super) fn int_array_into(
        &self,
        node: &mut Node,
        ia: &IntArray,
        pres: &Presentation,
        endian: Endian,
        p0: usize,
        plen: usize,
    ) {
        if let Some(e) = ia.bitmap.as_deref().and_then(|e| self.spec?.enums.get(e)) {
            self.bitmap_into(node, e, p0, plen);
            return;
        }
        let count = ia.scalar.width().filter(|w| *w > 0).map_or(0, |w| plen / w);
        let index = self.array_index(ia, count).map(|e| (e, ia.index_start));
        let used = self.ints_into(node, ia.scalar, pres, endian, p0, plen, index);
        if used < plen {
            let why = format!(
                "{} bytes after {} x {} ({} bytes each)",
                plen - used,
                node.children.len(),
                scalar_name(ia.scalar),
                ia.scalar.width().unwrap_or(0)
            );
            self.push_trailing(node, p0 + used, plen - used, Severity::Warning, why);
        }
    }

    /// The enum naming the elements of `ia` when it has `count` of them: the one for that
    /// count, else its index enum.
    pub(super) fn array_index(&self, ia: &IntArray, count: usize) -> Option<&EnumDef> {
        let by_count = ia
            .index_by_count
            .iter()
            .find(|(n, _)| *n == count)
            .map(|(_, e)| e.as_str());
        by_count
            .or(ia.index.as_deref())
            .and_then(|e| self.spec?.enums.get(e))
    }

    /// A bit map named by enum `e`: one child per set bit (on the byte holding it), named
    /// by the entry of the bit's number (`bit N` where the enum has none).
    fn bitmap_into(&self, node: &mut Node, e: &EnumDef, p0: usize, plen: usize) {
        let bytes = crate::netlink::span(self.data, p0, plen);
        let mut ib = itoa::Buffer::new();
        for (i, b) in bytes.iter().enumerate() {
            for bit in 0..8 {
                if b & (1 << bit) == 0 {
                    continue;
                }
                let v = i64::try_from(i * 8 + bit).unwrap_or(i64::MAX);
                let (name, field) = match (e.name_of(v), e.ynl_name_of(v)) {
                    (Some(c), Some(y)) => (Cow::Borrowed(c), child_field(&node.field, y)),
                    _ => (
                        Cow::Owned(format!("bit {}", ib.format(v))),
                        Cow::Owned(dotted(&node.field, ib.format(v))),
                    ),
                };
                let mut n = Node::new(name, field, Value::Bool(true), p0 + i, 1);
                n.display = "true".to_string();
                node.children.push(n);
            }
        }
        node.display = format!("{} of {} bits set", node.children.len(), bytes.len() * 8);
    }

    /// As many `scalar`s as fit in `data[p0..p0+avail]`, as children of `node` (which gets the
    /// display `N x u32`); returns the bytes used. Named by `index` (enum, value of element 0)
    /// when given.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn ints_into(
        &self,
        node: &mut Node,
        scalar: Scalar,
        pres: &Presentation,
        endian: Endian,
        p0: usize,
        avail: usize,
        index: Option<(&EnumDef, i64)>,
    ) -> usize {
        let Some(w) = scalar.width().filter(|w| *w > 0) else {
            return 0;
        };
        let n = avail / w;
        let mut ib = itoa::Buffer::new();
        node.children.reserve(n);
        // The elements' paths all at once; entries found from the last one's (see `EnumDef::at`).
        let paths = index.and_then(|(e, _)| child_fields(&node.field, e.names));
        // Elements with nothing to present (no enum, unit or hint: counters, most arrays) are
        // plain numbers, read here as `scalar_into` would (their width is the scalar's).
        let plain = self.nothing_to_present(pres);
        let mut hint = 0;
        for i in 0..n {
            let at = p0 + i * w;
            let bracketed = |ib: &mut itoa::Buffer| {
                let d = ib.format(i);
                let mut n = String::with_capacity(d.len() + 2);
                n.push('[');
                n.push_str(d);
                n.push(']');
                n
            };
            let (name, field) = match index {
                Some((e, start)) => {
                    let v = i64::try_from(i).unwrap_or(i64::MAX).saturating_add(start);
                    match e.at(v, hint) {
                        Some((k, c, y)) => {
                            hint = k + 1;
                            let field = match paths.and_then(|p| p.get(k)) {
                                Some(f) => Cow::Borrowed(*f),
                                None => child_field(&node.field, y),
                            };
                            (Cow::Borrowed(c), field)
                        }
                        None => (
                            Cow::Owned(bracketed(&mut ib)),
                            Cow::Owned(dotted(&node.field, ib.format(v))),
                        ),
                    }
                }
                None => (Cow::Owned(bracketed(&mut ib)), node.field.clone()),
            };
            let mut el = Node::new(name, field, Value::None, at, w);
            if plain {
                el.value = self.int_value(scalar, endian, at, w);
                el.set_plain();
            } else {
                self.scalar_into(&mut el, scalar, pres, endian, at, w);
            }
            node.children.push(el);
        }
        node.display = crate::model::text::num_text("", n as u64, " x ");
        node.display.push_str(&scalar_name(scalar));
        n * w
    }
}
