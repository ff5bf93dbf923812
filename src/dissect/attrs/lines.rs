//! A shown tree's attributes written straight as they are walked, as `-T tree` text or JSON
//! nodes (a [`Sink`]), without building nodes where an attribute is plain: a number, a
//! string, a flag, padding, an integer array, a struct of integers, a nest or indexed array of
//! such. Most nodes of a tree are those (a link message's IFLA_INET6_CONF alone has 59), and
//! building, moving and dropping a node cost several times writing it. Any other attribute is
//! built as [`Walker::attr`] builds it and written from its node, so the output is the same
//! either way: a test compares the two over every capture
//! (`written_trees_equal_built_ones_on_every_capture`), the dissect fuzz target on any input.

use std::borrow::Cow;

use super::structs::{find_selector, selector_text};
use super::{MAX_DEPTH, Scope, Walker, guess_display, hinted_bytes, scalar_name};
use crate::dissect::specs::{
    Attr, AttrSet, AttrType, EnumDef, IntArray, Member, MemberKind, Presentation, Scalar, StructDef,
};
use crate::model::{
    Endian, Name, Node, Sink, Val, Value, bracketed, child_field, child_fields, dotted, text,
};
use crate::netlink::{NLA_F_NET_BYTEORDER, NLA_HDRLEN, NLA_TYPE_MASK, span};

/// Whether an integer of `width` bytes shown with `pres` is written straight: all but a
/// four-byte address (`scalar_into` makes that a `Value::Ipv4`).
fn writable(pres: &Presentation, width: usize) -> bool {
    width != 4 || !matches!(pres.hint.as_deref(), Some("ipv4" | "ipv4-or-v6"))
}

/// Whether every member of `st` is written straight (integers but addresses, padding) and
/// they add up to its size.
fn plain_struct(st: &StructDef) -> bool {
    let mut size = 0;
    for m in &st.members {
        size += match (&m.kind, member_int(m)) {
            (_, Some((_, w))) if writable(&m.pres, w) && m.bits.is_empty() => w,
            (MemberKind::Pad(w), None) => *w,
            _ => return false,
        };
    }
    size == st.size
}

/// A fixed-width integer member's type and width.
fn member_int(m: &Member) -> Option<(Scalar, usize)> {
    match m.kind {
        MemberKind::Scalar(s) => Some((s, s.width().filter(|w| *w > 0)?)),
        _ => None,
    }
}

/// A [`Sink`] as the payload's walk takes it (an object: the walk is not generic).
pub trait Written {
    /// A node built whole.
    fn node(&mut self, n: &Node);
    /// The attributes of `span` (of `set`, below `path`) written as they are walked.
    fn attrs(&mut self, w: &Walker, span: (usize, usize), set: Option<&AttrSet>, path: &str);
    /// A fixed header written straight, if it can be ([`Walker::header_into`]).
    fn header(
        &mut self,
        w: &Walker,
        st: &StructDef,
        parent: &str,
        span: (usize, usize),
    ) -> Option<usize>;
}

impl<S: Sink> Written for S {
    fn node(&mut self, n: &Node) {
        Sink::node(self, n);
    }

    fn attrs(&mut self, w: &Walker, span: (usize, usize), set: Option<&AttrSet>, path: &str) {
        w.attrs_into(span, set, path, self);
    }

    fn header(
        &mut self,
        w: &Walker,
        st: &StructDef,
        parent: &str,
        span: (usize, usize),
    ) -> Option<usize> {
        w.header_into(st, parent, span, self)
    }
}

/// The field path of `name` below `path`, where the sink shows paths.
fn field_of<S: Sink>(path: &str, name: &'static str) -> Cow<'static, str> {
    if S::FIELDS {
        child_field(path, name)
    } else {
        Cow::Borrowed("")
    }
}

impl Walker<'_> {
    /// The attributes of `data[start..end]` (members of `set`, below field path `path`)
    /// written to `sink`: what writing [`Walker::attrs`]' nodes gives. Not for a filter's
    /// tree (`want`); what `prune` leaves bare is written as a node without name or field.
    pub fn attrs_into<S: Sink>(
        &self,
        span: (usize, usize),
        set: Option<&AttrSet>,
        path: &str,
        sink: &mut S,
    ) {
        debug_assert!(self.want.is_none());
        self.level_into(span, set, path, 0, None, sink);
    }

    fn level_into<S: Sink>(
        &self,
        (start, end): (usize, usize),
        set: Option<&AttrSet>,
        path: &str,
        depth: usize,
        parent: Option<&Scope<'_>>,
        sink: &mut S,
    ) {
        // A sub-message whose selector comes after it is decoded again once the level is
        // known (`Walker::level`): such a level is built whole.
        if set.is_some_and(|s| s.has_sub_messages() && self.selector_after(s, (start, end))) {
            for n in self.attrs_in(start, end, set, path, depth, parent) {
                sink.node(&n);
            }
            return;
        }
        // The nodes a sub-message below could take its format from: the level's selectors
        // (every attribute named like one is marked so; see `structs::find_selector`).
        let mut selectors: Vec<Node> = Vec::new();
        // The field paths and JSON heads of the set's attributes at this path, looked up once
        // for the level rather than once per node (text shows no paths).
        let (fields, heads) = match set {
            Some(s) if S::FIELDS => {
                let made = s.written.get(path, || {
                    let (names, cnames) = s.name_lists();
                    let fields = child_fields(path, names)?;
                    Some((fields, sink.heads(cnames, fields)?))
                });
                (made.map(|m| m.0), made.map(|m| m.1))
            }
            _ => (None, None),
        };
        for h in self.headers(start, end) {
            let (pos, len, raw_type) = match h {
                Ok(h) => h,
                Err(bad) => {
                    sink.node(&bad.node(path));
                    break;
                }
            };
            let found = set.and_then(|s| s.get_at(raw_type & NLA_TYPE_MASK));
            let attr = found.map(|(_, a)| a);
            // What-changed's trees leave these bare (`Walker::attr`): a node without name or
            // field, nothing to compare inside (but its parent has a child, so is no leaf).
            if let (Some(a), Some(p)) = (attr, self.prune)
                && !a.selector
                && p.bare(a, pos)
            {
                let none: Name = Cow::Borrowed("");
                sink.open_bare((&none, &none, None), (pos, len));
                sink.close();
                continue;
            }
            let scope = Scope {
                set,
                siblings: &selectors,
                parent,
            };
            if let Some((i, a)) = found
                && !a.selector
                && depth < MAX_DEPTH
            {
                let known = (
                    fields.and_then(|f| f.get(i).copied()),
                    heads.and_then(|h| h.get(i).copied()),
                );
                if self.attr_into(a, known, (pos, len, raw_type), path, depth, &scope, sink) {
                    continue;
                }
            }
            let node = self.attr(pos, len, raw_type, path, depth, &scope);
            sink.node(&node);
            if attr.is_some_and(|a| a.selector) {
                selectors.push(node);
            }
        }
    }

    /// Whether a sub-message of `set` in the level `span` comes before its selector, an
    /// attribute of the same level (as `Walker::selector_comes_later` finds).
    fn selector_after(&self, set: &AttrSet, (start, end): (usize, usize)) -> bool {
        let mut seen: Vec<&str> = Vec::new();
        for (_, _, raw_type) in self.headers(start, end).map_while(Result::ok) {
            let Some(a) = set.get(raw_type & NLA_TYPE_MASK) else {
                continue;
            };
            if a.selector {
                seen.push(a.name);
            }
            if let AttrType::SubMessage { selector, .. } = &a.ty
                && set.by_name(selector).is_some()
                && !seen.contains(&selector.as_str())
            {
                return true;
            }
        }
        false
    }

    /// Attribute `a` at `pos` written straight, if it is plain; false (nothing written) if its
    /// node must be built. `known`: its field path and JSON head, if the level has them.
    #[allow(clippy::too_many_arguments)]
    fn attr_into<S: Sink>(
        &self,
        a: &Attr,
        (known_field, head): (Option<&'static str>, Option<&'static str>),
        (pos, len, raw_type): (usize, usize, u16),
        path: &str,
        depth: usize,
        scope: &Scope<'_>,
        sink: &mut S,
    ) -> bool {
        let (p0, plen) = (pos + NLA_HDRLEN, len - NLA_HDRLEN);
        let odd_len = a.exact_len.is_some_and(|n| n != plen) && !matches!(a.ty, AttrType::String);
        if odd_len || a.decode.is_some() {
            return false;
        }
        let overrides = !self.overrides.is_empty();
        let nests = matches!(
            a.ty,
            AttrType::Nest | AttrType::IndexedArray(_) | AttrType::SubMessage { .. }
        );
        let field = match known_field {
            Some(f) => Cow::Borrowed(f),
            None if S::FIELDS || overrides || nests => child_field(path, a.name),
            None => Cow::Borrowed(""),
        };
        if overrides && self.overrides.iter().any(|(o, _)| *o == field) {
            return false;
        }
        let endian = if raw_type & NLA_F_NET_BYTEORDER != 0 || a.pres.big_endian {
            Endian::Big
        } else {
            self.endian
        };
        let at = (pos, len);
        let name: Name = Cow::Borrowed(a.cname);
        match &a.ty {
            AttrType::Binary {
                structure: None, ..
            } => match &a.ints {
                Some(ia) => self.ints_into_sink(
                    ia,
                    &a.pres,
                    endian,
                    (p0, plen),
                    (&name, &field, head),
                    at,
                    sink,
                ),
                None => self.bytes_into(a, (p0, plen), (&name, &field, head), at, sink),
            },
            AttrType::Binary {
                structure: Some(st),
                array: false,
            } => match self.spec.and_then(|s| s.structs.get(st.as_str())) {
                Some(st) => {
                    let names = (&name, &field, head);
                    self.struct_into_sink(st, endian, (p0, plen), names, at, sink)
                }
                None => false,
            },
            AttrType::IndexedArray(sub) if matches!(**sub, AttrType::Nest) => {
                if depth + 2 >= MAX_DEPTH {
                    return false;
                }
                let nested = a.nested.as_deref().and_then(|n| self.set(n));
                sink.open_bare((&name, &field, head), at);
                // Each element an attribute whose type is its index (`indexed_array`).
                for h in self.headers(p0, p0 + plen) {
                    let (q, qlen, raw) = match h {
                        Ok(h) => h,
                        Err(bad) => {
                            sink.node(&bad.node(&field));
                            break;
                        }
                    };
                    let item = bracketed(usize::from(raw & NLA_TYPE_MASK));
                    sink.open_bare((&item, &field, None), (q, qlen));
                    let inner = (q + NLA_HDRLEN, q + qlen);
                    self.level_into(inner, nested, &field, depth + 2, Some(scope), sink);
                    sink.close();
                }
                sink.close();
                true
            }
            AttrType::Scalar(s) => {
                let width = match s.width() {
                    Some(w) => w,
                    None if plen == 4 || plen == 8 => plen,
                    None => 0,
                };
                if width == 0 || width != plen || !writable(&a.pres, width) {
                    return false;
                }
                self.int_into(
                    sink,
                    (&name, &field, head),
                    *s,
                    &a.pres,
                    endian,
                    (p0, width),
                    at,
                );
                true
            }
            AttrType::String => {
                let b = span(self.data, p0, plen);
                let t = b.split(|c| *c == 0).next().unwrap_or(&[]);
                let show = |o: &mut String| o.push_str(&text::quoted(t));
                sink.open((&name, &field, head), Val::Text(t), show, at);
                sink.close();
                true
            }
            AttrType::Flag if plen == 0 => {
                sink.open((&name, &field, head), Val::True, |o| o.push_str("true"), at);
                sink.close();
                true
            }
            AttrType::Pad => {
                let show = |o: &mut String| {
                    o.push_str(itoa::Buffer::new().format(plen));
                    o.push_str(" bytes of padding");
                };
                sink.open((&name, &field, head), Val::Null, show, at);
                sink.close();
                true
            }
            AttrType::SubMessage {
                name: sub,
                selector,
            } => {
                // The format its selector (a node kept by the level) picks, as
                // `sub_message_into` finds it; an unknown one is built with its note.
                let sel = find_selector(selector, scope).map(selector_text);
                let Some(fmt) = sel.as_deref().and_then(|v| {
                    self.spec?
                        .sub_messages
                        .get(sub.as_str())?
                        .format(v, self.op)
                }) else {
                    return false;
                };
                let nested = match fmt.attribute_set.as_deref() {
                    Some(n) => match self.set(n) {
                        Some(set) => Some(set),
                        None => return false,
                    },
                    None => None,
                };
                if fmt.fixed_header.is_some() {
                    return false;
                }
                if fmt.value.is_empty() {
                    sink.open_bare((&name, &field, head), at);
                } else {
                    sink.open(
                        (&name, &field, head),
                        Val::Null,
                        |o| o.push_str(&fmt.value),
                        at,
                    );
                }
                if let Some(set) = nested {
                    let inner = (p0, p0 + plen);
                    self.level_into(inner, Some(set), &field, depth + 1, Some(scope), sink);
                }
                sink.close();
                true
            }
            AttrType::Nest if a.fixed_header.is_none() => {
                let nested = a.nested.as_deref().and_then(|n| self.set(n));
                sink.open_bare((&name, &field, head), at);
                let inner = (p0, p0 + plen);
                self.level_into(inner, nested, &field, depth + 1, Some(scope), sink);
                sink.close();
                true
            }
            _ => false,
        }
    }

    /// Bytes shown by their display hint (an address, text) or as hex, as `binary_into`
    /// shows them; false for secret key material (its node has a note) or an empty display.
    fn bytes_into<S: Sink>(
        &self,
        a: &Attr,
        (p0, plen): (usize, usize),
        names: (&Name, &Name, Option<&'static str>),
        at: (usize, usize),
        sink: &mut S,
    ) -> bool {
        if a.pres.secret {
            return false;
        }
        let b = span(self.data, p0, plen);
        let v = hinted_bytes(b, a.pres.hint.as_deref());
        let display = match v {
            Value::Bytes(_) if a.pres.hint.is_none() => guess_display(b),
            _ => v.display(),
        };
        // The JSON value, as `Value::write_json` writes it: text, else the display.
        let value = match &v {
            Value::None => return false,
            _ if display.is_empty() => return false,
            _ if !S::FIELDS => Cow::Borrowed(""),
            Value::Bytes(b) => Cow::Owned(crate::model::hex(b)),
            Value::Str(s) => Cow::Borrowed(s.as_str()),
            _ => Cow::Borrowed(display.as_str()),
        };
        let show = |o: &mut String| o.push_str(&display);
        sink.open(names, Val::Text(value.as_bytes()), show, at);
        sink.close();
        true
    }

    /// An integer node `(name, field)` at `at` (offset, length) whose value is the `width`
    /// bytes at `p0`, shown as `scalar_into` shows it.
    #[allow(clippy::too_many_arguments)]
    fn int_into<S: Sink>(
        &self,
        sink: &mut S,
        names: (&Name, &Name, Option<&'static str>),
        s: Scalar,
        pres: &Presentation,
        endian: Endian,
        (p0, width): (usize, usize),
        at: (usize, usize),
    ) {
        // As `int_value` reads it (0 where the data ends).
        let (bits, signed) = if s.signed() {
            (endian.int(self.data, p0, width).unwrap_or(0) as u64, true)
        } else {
            (endian.uint(self.data, p0, width).unwrap_or(0), false)
        };
        let e = pres
            .enumeration
            .as_deref()
            .and_then(|e| self.spec?.enums.get(e));
        // The JSON value as the node's would be: an enum's `Value::Enum` is signed, flags'
        // unsigned, a number as read.
        let v = match e {
            Some(e) if !(e.is_flags || pres.as_flags) => Val::Int(bits as i64),
            Some(_) => Val::Uint(bits),
            None if signed => Val::Int(bits as i64),
            None => Val::Uint(bits),
        };
        let hex = pres.hint.as_deref() == Some("hex") && !signed;
        if e.is_none() && pres.unit.is_none() && !hex {
            // Nothing to present: the plain number (`Node::plain`).
            return sink.number(names, v, at);
        }
        sink.open(names, v, |o| present_text(o, e, pres, bits, signed), at);
        sink.close();
    }

    /// A struct of plain integers filling the payload (`rtnl_link_stats64`), as `binary_into`
    /// shows it: `NAME: struct`, then its members.
    #[allow(clippy::too_many_arguments)]
    fn struct_into_sink<S: Sink>(
        &self,
        st: &StructDef,
        endian: Endian,
        (p0, plen): (usize, usize),
        names: (&Name, &Name, Option<&'static str>),
        at: (usize, usize),
        sink: &mut S,
    ) -> bool {
        if plen != st.size || !st.plain(plain_struct) {
            return false;
        }
        sink.open(names, Val::Null, |o| o.push_str(st.name), at);
        self.members_into(st, endian, p0, names.1, sink);
        sink.close();
        true
    }

    /// A fixed header `st` at `pos` (below `parent`) of plain members, as `header_node`
    /// shows it; where what follows starts, or `None` (nothing written) if its node must be
    /// built.
    pub(super) fn header_into<S: Sink>(
        &self,
        st: &StructDef,
        parent: &str,
        (pos, end): (usize, usize),
        sink: &mut S,
    ) -> Option<usize> {
        if end.saturating_sub(pos) < st.size || !st.plain(plain_struct) {
            return None;
        }
        let field: Name = child_field(parent, st.name);
        sink.open_bare((&Cow::Borrowed(st.name), &field, None), (pos, st.size));
        self.members_into(st, self.endian, pos, &field, sink);
        sink.close();
        Some(pos + crate::netlink::align4(st.size).min(end - pos))
    }

    /// The members of a [`plain_struct`] `st` at `p0` (below `field`), as `struct_members`
    /// shows them.
    fn members_into<S: Sink>(
        &self,
        st: &StructDef,
        endian: Endian,
        p0: usize,
        field: &Name,
        sink: &mut S,
    ) {
        let made = if S::FIELDS {
            st.written.get(field, || {
                let paths = child_fields(field, st.member_names)?;
                Some((paths, sink.heads(st.member_cnames, paths)?))
            })
        } else {
            None
        };
        let (paths, heads) = (made.map(|m| m.0), made.map(|m| m.1));
        let mut off = p0;
        for (mi, m) in st.members.iter().enumerate() {
            let head = heads.and_then(|h| h.get(mi).copied());
            let f = match paths.and_then(|p| p.get(mi)) {
                Some(f) => Cow::Borrowed(*f),
                None => field_of::<S>(field, m.name),
            };
            let n: Name = Cow::Borrowed(m.cname);
            match (&m.kind, member_int(m)) {
                (_, Some((s, w))) => {
                    let e = if m.pres.big_endian {
                        Endian::Big
                    } else {
                        endian
                    };
                    self.int_into(sink, (&n, &f, head), s, &m.pres, e, (off, w), (off, w));
                    off += w;
                }
                (MemberKind::Pad(w), None) => {
                    let w = *w;
                    let show = |o: &mut String| {
                        o.push_str(itoa::Buffer::new().format(w));
                        o.push_str(" bytes of padding");
                    };
                    sink.open((&n, &f, head), Val::Null, show, (off, w));
                    sink.close();
                    off += w;
                }
                _ => {}
            }
        }
    }

    /// An integer array (what `ints::int_array_into` makes of it): `NAME: N x s32`, then its
    /// elements, named by the index enum (`DEVCONF_MTU6`) or `[i]`.
    #[allow(clippy::too_many_arguments)]
    fn ints_into_sink<S: Sink>(
        &self,
        ia: &IntArray,
        pres: &Presentation,
        endian: Endian,
        (p0, plen): (usize, usize),
        names: (&Name, &Name, Option<&'static str>),
        at: (usize, usize),
        sink: &mut S,
    ) -> bool {
        let field = names.1;
        let Some(w) = ia.scalar.width().filter(|w| *w > 0) else {
            return false;
        };
        if ia.bitmap.is_some() || plen % w != 0 || !writable(pres, w) {
            return false;
        }
        let count = plen / w;
        let index = self.array_index(ia, count);
        let show = |o: &mut String| {
            o.push_str(itoa::Buffer::new().format(count));
            o.push_str(" x ");
            o.push_str(&scalar_name(ia.scalar));
        };
        sink.open(names, Val::Null, show, at);
        let paths = match index {
            Some(e) if S::FIELDS => child_fields(field, e.names),
            _ => None,
        };
        let heads = index.zip(paths).and_then(|(e, p)| sink.heads(e.cnames, p));
        let mut ib = itoa::Buffer::new();
        let mut hint = 0;
        for i in 0..count {
            let v = i64::try_from(i)
                .unwrap_or(i64::MAX)
                .saturating_add(ia.index_start);
            let mut head = None;
            let (name, f): (Name, Name) = match index.and_then(|e| e.at(v, hint)) {
                Some((k, c, y)) => {
                    hint = k + 1;
                    head = heads.and_then(|h| h.get(k).copied());
                    let f = match paths.and_then(|p| p.get(k)) {
                        Some(f) => Cow::Borrowed(*f),
                        None => field_of::<S>(field, y),
                    };
                    (Cow::Borrowed(c), f)
                }
                None => {
                    let f = match index {
                        Some(_) if S::FIELDS => Cow::Owned(dotted(field, ib.format(v))),
                        _ => field.clone(),
                    };
                    (bracketed(i), f)
                }
            };
            let el = (p0 + i * w, w);
            self.int_into(sink, (&name, &f, head), ia.scalar, pres, endian, el, el);
        }
        sink.close();
        true
    }
}

/// What an integer `v` that is not a plain number shows (`Walker::present` for a node, the
/// written tree's lines): its enum's (`e`, looked up), else its unit's, else (the hint `hex`)
/// hex, written to `out`.
pub(super) fn present_text(
    out: &mut String,
    e: Option<&EnumDef>,
    pres: &Presentation,
    v: u64,
    signed: bool,
) {
    if let Some(e) = e {
        if !(e.is_flags || pres.as_flags) {
            let iv = v as i64;
            crate::model::push_enum_text(out, e.name_of(iv).unwrap_or(""), iv);
            return;
        }
        // `NAME|NAME|0xREST (0xVALUE)`, or the value alone: `text::flags_text`.
        let mut rest = v;
        let mut named = false;
        for (m, n) in e.set_bits(v, !e.is_flags) {
            if named {
                out.push('|');
            }
            out.push_str(n);
            named = true;
            rest &= !m;
        }
        text::push_flags_end(out, named, rest, v, 1);
        return;
    }
    match &pres.unit {
        Some(u) => out.push_str(&text::unit_text(v, signed, pres.scale, u)),
        None => text::push_hex(out, v, 1),
    }
}
