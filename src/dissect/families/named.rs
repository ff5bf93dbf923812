//! Attributes read by their spec names: how family modules look into a message without
//! attribute numbers of their own.

use crate::dissect::specs::{AttrSet, Spec};
use crate::model::Endian;
use crate::netlink::Attrs;

/// The attributes of one set in some bytes, looked up by name through the spec.
#[derive(Clone, Copy)]
pub struct Named<'a> {
    spec: &'a Spec,
    set: Option<&'a AttrSet>,
    bytes: &'a [u8],
    start: usize,
    e: Endian,
}

impl<'a> Named<'a> {
    /// Attributes of `set` in `bytes` from `start` (no set: every lookup finds nothing).
    pub fn new(
        spec: &'a Spec,
        set: Option<&'a AttrSet>,
        bytes: &'a [u8],
        start: usize,
        e: Endian,
    ) -> Self {
        Named {
            spec,
            set,
            bytes,
            start,
            e,
        }
    }

    /// The same set over other bytes (attributes after a struct inside an attribute).
    pub fn over(self, bytes: &'a [u8], start: usize) -> Self {
        Named {
            bytes,
            start,
            ..self
        }
    }

    /// Another set of the same spec (a layout a family hook picked by content).
    pub fn in_set(self, set: &str) -> Self {
        Named {
            set: self.spec.sets.get(set),
            ..self
        }
    }

    /// The bytes walked (a nest's payload for views from [`Named::all`]).
    pub fn bytes(self) -> &'a [u8] {
        self.bytes
    }

    /// The byte order of the message.
    pub fn endian(self) -> Endian {
        self.e
    }

    /// Every attribute: its spec name ("" if the set has none for it) and payload.
    pub fn iter(self) -> impl Iterator<Item = (&'a str, &'a [u8])> {
        Attrs::from(self.bytes, self.start, self.e).map(move |a| {
            let name = self.set.and_then(|s| s.get(a.ty)).map_or("", |x| x.name);
            (name, a.payload)
        })
    }

    /// The payload of the first attribute named `name`.
    pub fn get(self, name: &str) -> Option<&'a [u8]> {
        let t = self.set?.by_name(name)?.value;
        Attrs::from(self.bytes, self.start, self.e).find(t)
    }

    /// String attribute `name` up to its first NUL.
    pub fn str(self, name: &str) -> Option<std::borrow::Cow<'a, str>> {
        self.get(name).map(super::text::until_nul)
    }

    /// `name` as a u32 in the message's byte order.
    pub fn u32(self, name: &str) -> Option<u32> {
        self.e.u32(self.get(name)?, 0)
    }

    /// `name` as a u16 in the message's byte order.
    pub fn u16(self, name: &str) -> Option<u16> {
        self.e.u16(self.get(name)?, 0)
    }

    /// `name` as a u64 in the message's byte order.
    pub fn u64(self, name: &str) -> Option<u64> {
        self.e.u64(self.get(name)?, 0)
    }

    /// The first byte of `name`.
    pub fn u8(self, name: &str) -> Option<u8> {
        self.get(name)?.first().copied()
    }

    /// The nest `name`, viewed with its nested set.
    pub fn nest(self, name: &str) -> Option<Named<'a>> {
        self.all(name).next()
    }

    /// Every occurrence of nest `name` (multi-attr nests), each viewed with its nested set.
    pub fn all(self, name: &str) -> impl Iterator<Item = Named<'a>> {
        let attr = self.set.and_then(|s| s.by_name(name));
        let inner = attr
            .and_then(|a| a.nested.as_deref())
            .and_then(|n| self.spec.sets.get(n));
        Attrs::from(self.bytes, self.start, self.e)
            .filter(move |a| attr.is_some_and(|x| x.value == a.ty))
            .map(move |a| Named {
                set: inner,
                bytes: a.payload,
                start: 0,
                ..self
            })
    }

    /// The items of indexed array `name` (each a nest of its nested set, typed by index).
    pub fn items(self, name: &str) -> impl Iterator<Item = Named<'a>> {
        self.nest(name).into_iter().flat_map(|tab| {
            Attrs::from(tab.bytes, 0, tab.e).map(move |a| Named {
                bytes: a.payload,
                start: 0,
                ..tab
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissect::specs::SpecRegistry;
    use crate::netlink::{MsgBuilder, cstr};

    #[test]
    fn lookups_by_spec_name() {
        let specs = SpecRegistry::with_embedded();
        let spec = specs.get("tc").expect("embedded tc spec");
        let e = Endian::Little;
        // TCA_ROOT_TAB (1) holding two actions (kind "gact", index 7; kind "mirred"), then
        // TCA_ROOT_COUNT (3) = 2.
        let mut b = MsgBuilder::with_endian(e, 48, 0, 0, 0);
        let tab = b.begin_nest(1);
        for (i, (kind, index)) in [("gact", Some(7u32)), ("mirred", None)].iter().enumerate() {
            let item = b.begin_nest(i as u16 + 1);
            b.attr_str(1, kind);
            if let Some(x) = index {
                b.attr_u32(3, *x);
            }
            b.end_nest(item);
        }
        b.end_nest(tab);
        b.attr_u32(3, 2);
        let bytes = b.finish();
        let n = Named::new(spec, spec.sets.get("root-attrs"), &bytes, 16, e);
        assert_eq!(n.u32("count"), Some(2));
        assert_eq!(n.get("nonexistent"), None);
        let items: Vec<_> = n.items("tab").collect();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].get("kind").map(cstr).as_deref(), Some("gact"));
        assert_eq!(items[0].u32("index"), Some(7));
        assert_eq!(items[1].u32("index"), None);
        let names: Vec<&str> = n.iter().map(|(name, _)| name).collect();
        assert_eq!(names, ["tab", "count"]);
        // No set: nothing is found, nothing panics.
        let none = Named::new(spec, None, &bytes, 16, e);
        assert_eq!(none.get("count"), None);
        assert_eq!(none.items("tab").count(), 0);
    }
}
