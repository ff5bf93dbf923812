//! The attribute walker: TLVs -> nodes, interpreted through a spec's attribute sets.

use super::specs::{AttrSet, AttrType, Presentation, Scalar, Spec};
use crate::model::{Endian, Node, Severity, Value, text};
use crate::netlink::{
    NLA_F_NESTED, NLA_F_NET_BYTEORDER, NLA_HDRLEN, NLA_TYPE_MASK, align4, array, span,
};
pub use fingerprint::{AttrPrints, Fingerprint, Prune};
pub use lines::Written;
use structs::Records;
pub use want::Want;

/// Deepest attribute nesting decoded. The kernel's own policies nest far less (its policy
/// validator stops at MAX_POLICY_RECURSION_DEPTH = 10); anything deeper is shown as bytes.
pub const MAX_DEPTH: usize = 32;

/// State shared while walking one message.
pub struct Walker<'a> {
    /// The whole captured frame (node offsets index into it).
    pub data: &'a [u8],
    /// Host byte order of the capture.
    pub endian: Endian,
    /// The spec the attributes come from, if any.
    pub spec: Option<&'a Spec>,
    /// Nested sets chosen by context rather than by the spec (field path -> set name), e.g.
    /// IFLA_AF_SPEC of AF_BRIDGE link messages; see `families`.
    pub overrides: Vec<(String, String)>,
    /// Name of the message's operation (`newtclass`), for sub-message formats that differ by
    /// message type.
    pub op: Option<&'a str>,
    /// Build only what these fields need (a filter's tree); `None`: everything.
    pub want: Option<&'a Want>,
    /// Attributes built bare (no name or field, nothing inside): a tree for what-changed,
    /// which skips them.
    pub prune: Option<&'a Prune>,
}

/// The attributes already decoded at one nesting level, and the level around it: where a
/// sub-message looks for its selector (TCA_STATS_APP's `kind` is two levels up).
#[derive(Clone, Copy)]
pub struct Scope<'s> {
    /// The attribute set of this level (None: unknown).
    set: Option<&'s AttrSet>,
    /// Attributes of this level decoded so far.
    siblings: &'s [Node],
    /// The enclosing level.
    parent: Option<&'s Scope<'s>>,
}

impl<'a> Walker<'a> {
    /// Walk the attributes in `data[start..end]` as members of `set` (None: unknown set).
    /// `path` is the filter path of the enclosing object (`rt-link`, `rt-link.linkinfo`).
    pub fn attrs(
        &self,
        start: usize,
        end: usize,
        set: Option<&AttrSet>,
        path: &str,
        depth: usize,
    ) -> Vec<Node> {
        self.attrs_in(start, end, set, path, depth, None)
    }

    /// [`Walker::attrs`] inside the attributes of `parent` (selector lookups go up through it).
    fn attrs_in(
        &self,
        start: usize,
        end: usize,
        set: Option<&AttrSet>,
        path: &str,
        depth: usize,
        parent: Option<&Scope<'_>>,
    ) -> Vec<Node> {
        self.level(start, end, set, path, depth, parent, self.want)
    }

    /// The elements of an array nest (attributes whose type is an index, all at `path`): each
    /// is wanted if the array is. `bare`: the caller decodes each element's payload itself, so
    /// only their headers are read (not walked or shown as bytes first).
    fn array_items(
        &self,
        start: usize,
        end: usize,
        path: &str,
        depth: usize,
        bare: bool,
    ) -> Vec<Node> {
        if !bare {
            return self.level(start, end, None, path, depth, None, None);
        }
        self.headers(start, end)
            .map(|h| match h {
                Ok((pos, len, raw_type)) => {
                    let (t, nested) = (raw_type & NLA_TYPE_MASK, raw_type & NLA_F_NESTED != 0);
                    self.unknown_head(pos, len, t, nested, path, depth)
                }
                Err(bad) => bad.node(path),
            })
            .collect()
    }

    /// The attribute headers of the level `data[start..end]` in order, as (offset, length, raw
    /// type); a malformed one ends the level (see [`BadHeader`]).
    fn headers<'s>(
        &'s self,
        start: usize,
        end: usize,
    ) -> impl Iterator<Item = Result<(usize, usize, u16), BadHeader>> + 's {
        let end = end.min(self.data.len());
        let mut pos = start;
        std::iter::from_fn(move || {
            if pos >= end {
                return None;
            }
            let at = pos;
            let h = self.header_at(at, end)?;
            pos = match &h {
                Ok((len, _)) => at + align4(*len),
                Err(_) => end,
            };
            Some(h.map(|(len, raw_type)| (at, len, raw_type)))
        })
    }

    /// The header of the attribute at `pos` of a level ending at `end` (length, raw type), or
    /// what is wrong with it, where the level ends; `None`: nothing to read.
    fn header_at(&self, pos: usize, end: usize) -> Option<Result<(usize, u16), BadHeader>> {
        let left = end.saturating_sub(pos);
        if left < NLA_HDRLEN {
            return Some(Err(BadHeader {
                pos,
                left,
                len: None,
            }));
        }
        let (len, raw_type) = self.endian.u16_pair(self.data, pos)?;
        let len = usize::from(len);
        if len < NLA_HDRLEN || len > left {
            return Some(Err(BadHeader {
                pos,
                left,
                len: Some(len),
            }));
        }
        Some(Ok((len, raw_type)))
    }

    /// Whether `f` holds for one of the attributes of `set` at the level `data[start..end]`
    /// whose type number is one of `types`, each as [`Walker::attrs`] would build it (`types`
    /// name plain attributes: no sub-message or nest, so nothing else at the level bears on
    /// them); in message order, up to the first that `f` holds for. Like the level, it stops
    /// at the first malformed attribute.
    pub(crate) fn top_level_any(
        &self,
        (start, end): (usize, usize),
        set: &AttrSet,
        path: &str,
        types: &[u16],
        f: &mut dyn FnMut(&Node) -> bool,
    ) -> bool {
        let data = self.data.get(..end).unwrap_or(self.data);
        let scope = Scope {
            set: Some(set),
            siblings: &[],
            parent: None,
        };
        crate::netlink::Attrs::from(data, start, self.endian)
            .filter(|a| types.contains(&a.ty))
            .any(|a| {
                let len = NLA_HDRLEN + a.payload.len();
                f(&self.attr(a.offset, len, a.ty | a.flags, path, 0, &scope))
            })
    }

    /// One level of attributes; with `want`, only those it needs.
    #[allow(clippy::too_many_arguments)]
    fn level(
        &self,
        start: usize,
        end: usize,
        set: Option<&AttrSet>,
        path: &str,
        depth: usize,
        parent: Option<&Scope<'_>>,
        want: Option<&Want>,
    ) -> Vec<Node> {
        if want.is_some_and(|w| !w.level(path)) {
            return Vec::new();
        }
        // A whole level is built: room for each attribute (headers counted up to a malformed
        // one), so the nodes are not moved as the vector grows. A filter's pruned level grows.
        let mut out: Vec<Node> = if want.is_none() {
            Vec::with_capacity(
                crate::netlink::Attrs::from(
                    self.data.get(..end).unwrap_or(self.data),
                    start,
                    self.endian,
                )
                .count(),
            )
        } else {
            Vec::new()
        };
        // What a filter's tree keeps at this level, found once (see `Want::keeps`).
        let next = want.map(|w| w.next_at(path));
        let mut later = Vec::new();
        for h in self.headers(start, end) {
            let (pos, len, raw_type) = match h {
                Ok(h) => h,
                Err(bad) => {
                    out.push(bad.node(path));
                    break;
                }
            };
            if let Some((w, next)) = want.zip(next.as_ref()) {
                let t = raw_type & NLA_TYPE_MASK;
                let a = set.and_then(|s| s.get(t));
                let kept = next
                    .iter()
                    .any(|(name, num)| a.is_some_and(|a| a.name == *name) || *num == Some(t));
                let selector = a.is_some_and(|a| Want::plain(&a.ty) && (w.all_plain || a.selector));
                if !kept && !selector {
                    continue;
                }
            }
            let scope = Scope {
                set,
                siblings: &out,
                parent,
            };
            if self.selector_comes_later(set, raw_type, &scope) {
                later.push((out.len(), pos, len, raw_type));
            }
            let node = self.attr(pos, len, raw_type, path, depth, &scope);
            out.push(node);
        }
        // Sub-messages whose selector the kernel puts after them (IPVS: a destination's
        // address before its address family): decoded again once the whole level is known.
        for (i, pos, len, raw_type) in later {
            let scope = Scope {
                set,
                siblings: &out,
                parent,
            };
            let node = self.attr(pos, len, raw_type, path, depth, &scope);
            if let Some(slot) = out.get_mut(i) {
                *slot = node;
            }
        }
        out
    }

    /// Attribute `raw_type` of `set` is a sub-message whose selector belongs to this level
    /// but has not been seen yet.
    fn selector_comes_later(
        &self,
        set: Option<&AttrSet>,
        raw_type: u16,
        scope: &Scope<'_>,
    ) -> bool {
        let Some(a) = set.and_then(|s| s.get(raw_type & NLA_TYPE_MASK)) else {
            return false;
        };
        match &a.ty {
            AttrType::SubMessage { selector, .. } => {
                set.is_some_and(|s| s.by_name(selector).is_some())
                    && structs::find_selector(selector, scope).is_none()
            }
            _ => false,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn attr(
        &self,
        pos: usize,
        len: usize,
        raw_type: u16,
        path: &str,
        depth: usize,
        scope: &Scope<'_>,
    ) -> Node {
        let set = scope.set;
        let t = raw_type & NLA_TYPE_MASK;
        let nested_flag = raw_type & NLA_F_NESTED != 0;
        let net_order = raw_type & NLA_F_NET_BYTEORDER != 0;
        let p0 = pos + NLA_HDRLEN;
        let plen = len - NLA_HDRLEN;
        let Some(attr) = set.and_then(|s| s.get(t)) else {
            return self.unknown_attr(pos, len, t, nested_flag, path, depth);
        };
        // Bare, not even named: what-changed skips a node without a field. A selector stays
        // (a sub-message beside it takes its format from its value).
        if !attr.selector && self.prune.is_some_and(|p| p.bare(attr, pos)) {
            return Node::new(String::new(), String::new(), Value::None, pos, len);
        }
        let field = crate::model::child_field(path, attr.name);
        let mut node = Node::new(attr.cname, field, Value::None, pos, len);
        if depth >= MAX_DEPTH {
            node.raw = true;
            node.set_expert(
                Severity::Error,
                format!("attributes nested more than {MAX_DEPTH} deep; not decoded further"),
            );
            return node;
        }
        let endian = if net_order || attr.pres.big_endian {
            Endian::Big
        } else {
            self.endian
        };
        if let Some(n) = attr.exact_len
            && plen != n
            && !matches!(attr.ty, AttrType::String)
        {
            node.set_expert(
                Severity::Warning,
                format!("payload is {plen} bytes, the spec says {n}"),
            );
        }
        // A context hook may say what this attribute holds (e.g. IFLA_PROTINFO by family).
        if let Some((_, set_name)) = self.overrides.iter().find(|(f, _)| *f == node.field)
            && !matches!(attr.ty, AttrType::Nest)
        {
            let nested = self.set(set_name);
            node.children =
                self.attrs_in(p0, p0 + plen, nested, &node.field, depth + 1, Some(scope));
            if nested.is_none() {
                mark_raw(&mut node.children);
            }
            return node;
        }
        // A code decoder named by the spec (`nlscope-decode`): 802.11 frames and elements.
        if let (Some(d), AttrType::Binary { .. }) = (attr.decode, &attr.ty) {
            let (children, summary) = d.decode(self.data, p0, plen, self.endian);
            node.children = children;
            node.display = summary;
            return node;
        }
        if let (
            AttrType::Binary {
                structure: None, ..
            },
            Some(ia),
        ) = (&attr.ty, &attr.ints)
        {
            self.int_array_into(&mut node, ia, &attr.pres, endian, p0, plen);
            return node;
        }
        match &attr.ty {
            AttrType::Scalar(s) => {
                self.scalar_into(&mut node, *s, &attr.pres, endian, p0, plen);
            }
            AttrType::String => {
                let b = span(self.data, p0, plen);
                let text = b.split(|c| *c == 0).next().unwrap_or(&[]);
                node.value = Value::Str(String::from_utf8_lossy(text).into_owned());
                if self.shown() {
                    node.display = text::quoted(text);
                }
            }
            AttrType::Flag => {
                node.value = Value::Bool(true);
                node.display = "true".into();
                if plen != 0 {
                    // Some kernels send a u8 where specs say flag (e.g. IFLA_BRPORT_*).
                    if let Some(v) = endian.uint(self.data, p0, plen) {
                        node.value = Value::Uint(v);
                        node.display = v.to_string();
                    }
                    node.set_expert(
                        Severity::Note,
                        format!("the spec says flag, the attribute carries {plen} bytes"),
                    );
                }
            }
            AttrType::Binary {
                structure: Some(st),
                array: true,
            } => match &attr.record_len {
                Some(m) => {
                    let set = attr.nested.as_deref().and_then(|n| self.set(n));
                    let rec = Records {
                        st,
                        len_member: m,
                        set,
                    };
                    self.records_into(&mut node, &rec, endian, p0, plen, depth, scope);
                }
                None => self.struct_array_into(&mut node, st, endian, p0, plen, depth),
            },
            AttrType::Binary { structure, .. } => {
                self.binary_into(
                    &mut node,
                    structure.as_deref(),
                    &attr.pres,
                    endian,
                    p0,
                    plen,
                    depth,
                );
            }
            AttrType::Nest => {
                let chosen = self
                    .overrides
                    .iter()
                    .find(|(f, _)| *f == node.field)
                    .map(|(_, s)| s.as_str())
                    .or(attr.nested.as_deref());
                let nested = chosen.and_then(|n| self.set(n));
                // A struct before the attributes (nlscope's `fixed-header` on a nest).
                let mut at = p0;
                if let Some(h) = attr
                    .fixed_header
                    .as_deref()
                    .and_then(|h| self.spec?.structs.get(h))
                {
                    let (hn, next) = self.header_node(h, &node.field, p0, p0 + plen);
                    node.children.push(hn);
                    at = next;
                }
                let mut kids =
                    self.attrs_in(at, p0 + plen, nested, &node.field, depth + 1, Some(scope));
                if nested.is_none() {
                    mark_raw(&mut kids);
                }
                node.children.append(&mut kids);
            }
            AttrType::IndexedArray(sub) => {
                node.children =
                    self.indexed_array(attr, sub, p0, plen, &node.field, depth + 1, scope);
            }
            AttrType::NestTypeValue(levels) => {
                node.children = self.type_value(attr, levels, 0, p0, plen, &node.field, depth + 1);
            }
            AttrType::SubMessage { name, selector } => {
                self.sub_message_into(
                    &mut node,
                    name,
                    selector,
                    scope,
                    p0,
                    plen,
                    nested_flag,
                    depth,
                );
            }
            AttrType::Bitfield32 => {
                let v = endian.u32(self.data, p0);
                let sel = endian.u32(self.data, p0 + 4);
                match (v, sel) {
                    (Some(v), Some(sel)) if plen == 8 => {
                        let mut c1 = Node::new(
                            "value",
                            format!("{}.value", node.field),
                            Value::Uint(v.into()),
                            p0,
                            4,
                        );
                        let mut c2 = Node::new(
                            "selector",
                            format!("{}.selector", node.field),
                            Value::Uint(sel.into()),
                            p0 + 4,
                            4,
                        );
                        self.present(&mut c1, &attr.pres, u64::from(v), false);
                        self.present(&mut c2, &attr.pres, u64::from(sel), false);
                        node.display = format!("{} / {}", c1.display_text(), c2.display_text());
                        node.children = vec![c1, c2];
                    }
                    _ => {
                        node.set_expert(
                            Severity::Warning,
                            format!("bitfield32 needs 8 bytes, has {plen}"),
                        );
                        node.value = Value::Bytes(span(self.data, p0, plen).to_vec());
                        node.display = node.value.display();
                    }
                }
            }
            AttrType::Pad => {
                node.display = text::num_text("", plen as u64, " bytes of padding");
            }
            AttrType::Unused | AttrType::Other(_) => {
                node.value = Value::Bytes(span(self.data, p0, plen).to_vec());
                node.display = node.value.display();
            }
        }
        node
    }

    /// Whether the tree is for showing: a filter's tree (built for a [`Want`]) has no display
    /// texts, only values.
    fn shown(&self) -> bool {
        self.want.is_none()
    }

    fn set(&self, name: &str) -> Option<&'a AttrSet> {
        self.spec.and_then(|s| s.sets.get(name))
    }

    /// `len` bytes at `at` that a decoded value left over, as a raw child of `node` with an
    /// expert saying why.
    pub(super) fn push_trailing(
        &self,
        node: &mut Node,
        at: usize,
        len: usize,
        severity: Severity,
        why: String,
    ) {
        let mut extra = Node::new(
            "trailing bytes",
            format!("{}.trailing", node.field),
            Value::Bytes(span(self.data, at, len).to_vec()),
            at,
            len,
        );
        extra.raw = true;
        extra.set_expert(severity, why);
        node.children.push(extra);
    }

    /// An attribute the spec does not describe, its payload not decoded yet: `attr T` at
    /// `PATH.T`, raw, with a note if it is nested too deep to be walked.
    fn unknown_head(
        &self,
        pos: usize,
        len: usize,
        t: u16,
        nested: bool,
        path: &str,
        depth: usize,
    ) -> Node {
        let field = crate::model::dotted(path, itoa::Buffer::new().format(t));
        let name = text::num_text("attr ", u64::from(t), "");
        let mut node = Node::new(name, field, Value::None, pos, len);
        node.raw = true;
        if nested && depth >= MAX_DEPTH {
            node.set_expert(
                Severity::Warning,
                format!("attributes nested more than {MAX_DEPTH} deep; not decoded further"),
            );
        }
        node
    }

    /// An attribute the spec does not describe: nested if flagged so, else raw bytes.
    fn unknown_attr(
        &self,
        pos: usize,
        len: usize,
        t: u16,
        nested: bool,
        path: &str,
        depth: usize,
    ) -> Node {
        let p0 = pos + NLA_HDRLEN;
        let mut node = self.unknown_head(pos, len, t, nested, path, depth);
        if nested && depth < MAX_DEPTH {
            node.children = self.attrs(p0, pos + len, None, &node.field, depth + 1);
            mark_raw(&mut node.children);
            node.display = text::num_text("nested, ", node.children.len() as u64, " attributes");
        } else {
            let b = self.data.get(p0..pos + len).unwrap_or_default();
            node.display = guess_display(b);
            node.value = Value::Bytes(b.to_vec());
        }
        node
    }

    /// Decode a scalar payload into `node`.
    fn scalar_into(
        &self,
        node: &mut Node,
        s: Scalar,
        pres: &Presentation,
        endian: Endian,
        p0: usize,
        plen: usize,
    ) {
        let width = match s.width() {
            Some(w) => w,
            None if plen == 4 || plen == 8 => plen,
            None => 0,
        };
        if width > 0 && width == plen && self.nothing_to_present(pres) {
            // The common case, as the rest would decode it: a plain number.
            node.value = self.int_value(s, endian, p0, width);
            node.set_plain();
            return;
        }
        node.plain = false;
        if width > 0 && plen > width && s.width().is_some() {
            // Longer than its type (iw puts some u16 mesh parameters as u32): the kernel's
            // nla_get_u16() and friends read the first bytes, so that is the value.
            self.scalar_into(node, s, pres, endian, p0, width);
            node.set_expert(
                Severity::Warning,
                format!("expected {width} bytes, got {plen}; the kernel reads the first {width}"),
            );
            return;
        }
        if width == 0 || plen != width {
            let b = span(self.data, p0, plen);
            node.value = Value::Bytes(b.to_vec());
            node.display = node.value.display();
            let want = s.width().map_or("4 or 8".to_string(), |w| w.to_string());
            node.set_expert(
                Severity::Warning,
                format!("expected {want} bytes, got {plen}"),
            );
            return;
        }
        if width == 4 && matches!(pres.hint.as_deref(), Some("ipv4" | "ipv4-or-v6")) {
            // A __be32 address typed u32 (YNL: byte-order big-endian, display-hint ipv4): its
            // bytes are in network order whatever the declared byte order.
            node.value = array(self.data, p0).map_or(Value::None, Value::Ipv4);
            node.display = node.value.display();
            return;
        }
        if s.signed() {
            let v = endian.int(self.data, p0, width).unwrap_or(0);
            node.value = Value::Int(v);
            if !self.present(node, pres, v as u64, true) && self.shown() {
                // The plain number: made where it is shown (`Node::plain`).
                node.set_plain();
            }
        } else {
            let v = endian.uint(self.data, p0, width).unwrap_or(0);
            node.value = Value::Uint(v);
            if !self.present(node, pres, v, false) && self.shown() {
                // The plain number: made where it is shown (`Node::plain`).
                node.set_plain();
            }
        }
    }

    /// Whether an integer with `pres` shows as its plain number (no enum, unit or hint) in
    /// this tree (a filter's shows nothing).
    pub(super) fn nothing_to_present(&self, pres: &Presentation) -> bool {
        pres.enumeration.is_none() && pres.unit.is_none() && pres.hint.is_none() && self.shown()
    }

    /// The integer of type `s` and `width` bytes at `p0` (0 where the data ends).
    pub(super) fn int_value(&self, s: Scalar, endian: Endian, p0: usize, width: usize) -> Value {
        if s.signed() {
            Value::Int(endian.int(self.data, p0, width).unwrap_or(0))
        } else {
            Value::Uint(endian.uint(self.data, p0, width).unwrap_or(0))
        }
    }

    /// Apply enum/flags names and display hints to a decoded integer; false when none applies
    /// (the display is then the plain number, which the caller writes: not made twice).
    fn present(&self, node: &mut Node, pres: &Presentation, v: u64, signed: bool) -> bool {
        let e = pres
            .enumeration
            .as_deref()
            .and_then(|e| self.spec?.enums.get(e));
        let hex = pres.hint.as_deref() == Some("hex") && !signed;
        match e {
            Some(e) if e.is_flags || pres.as_flags => {
                // In an enum read as flags, entries are bit positions.
                let mut names: Vec<String> = e
                    .set_bits(v, !e.is_flags)
                    .map(|(_, n)| n.to_string())
                    .collect();
                names.retain(|n| !n.starts_with("0x"));
                node.value = Value::Flags { value: v, names };
            }
            Some(e) => {
                let iv = v as i64;
                let name = e.name_of(iv).unwrap_or("").to_string();
                node.value = Value::Enum { value: iv, name };
            }
            None if !self.shown() => return true,
            None if pres.unit.is_none() && !hex => return false,
            None => {}
        }
        if self.shown() {
            node.display.clear();
            lines::present_text(&mut node.display, e, pres, v, signed);
        }
        true
    }

    #[allow(clippy::too_many_arguments)]
    fn binary_into(
        &self,
        node: &mut Node,
        structure: Option<&str>,
        pres: &Presentation,
        endian: Endian,
        p0: usize,
        plen: usize,
        depth: usize,
    ) {
        let b = span(self.data, p0, plen);
        if let Some(st) = structure.and_then(|s| self.spec?.structs.get(s)) {
            let (children, used) = self.struct_members(st, p0, plen, &node.field, endian, depth);
            node.children = children;
            node.display = st.name.to_string();
            if used < plen {
                let why = format!(
                    "{} bytes after struct {} ({} bytes)",
                    plen - used,
                    st.name,
                    st.size
                );
                self.push_trailing(node, p0 + used, plen - used, Severity::Note, why);
            }
            return;
        }
        node.value = hinted_bytes(b, pres.hint.as_deref());
        node.display = node.value.display();
        node.inherently_opaque = pres.opaque;
        if matches!(node.value, Value::Bytes(_)) && pres.hint.is_none() {
            node.display = guess_display(b);
        }
        mark_secret(node, pres);
    }
}

/// An expert note on secret key material (`nlscope-secret`).
pub(super) fn mark_secret(node: &mut Node, pres: &Presentation) {
    if pres.secret {
        node.set_expert(
            Severity::Note,
            "secret key material: anyone holding this capture holds the key",
        );
    }
}

/// Mark nodes (recursively) as not decoded by a spec.
pub fn mark_raw(nodes: &mut [Node]) {
    for n in nodes {
        if n.expert.is_none() || n.name != "expert" {
            n.raw = true;
        }
        mark_raw(&mut n.children);
    }
}

/// Bytes rendered per a YNL display hint.
pub fn hinted_bytes(b: &[u8], hint: Option<&str>) -> Value {
    match (hint, b.len()) {
        (Some("ipv4") | Some("ipv4-or-v6"), 4) => array(b, 0).map_or(Value::None, Value::Ipv4),
        (Some("ipv6") | Some("ipv4-or-v6"), 16) => array(b, 0).map_or(Value::None, Value::Ipv6),
        (Some("mac"), 6) => array(b, 0).map_or(Value::None, Value::Mac),
        (Some("string"), _) => {
            let t = b.split(|c| *c == 0).next().unwrap_or(&[]);
            Value::Str(String::from_utf8_lossy(t).into_owned())
        }
        (Some("uuid"), 16) => {
            let h = crate::model::hex(b);
            Value::Str(format!(
                "{}-{}-{}-{}-{}",
                &h[0..8],
                &h[8..12],
                &h[12..16],
                &h[16..20],
                &h[20..32]
            ))
        }
        _ => Value::Bytes(b.to_vec()),
    }
}

/// Display for undescribed bytes: quoted text when it is printable and NUL-terminated, else hex.
pub fn guess_display(b: &[u8]) -> String {
    if b.len() >= 2
        && let Some((&0, text)) = b.split_last()
        && !text.is_empty()
        && text.iter().all(|c| c.is_ascii_graphic() || *c == b' ')
    {
        return text::quoted(text);
    }
    crate::model::hex(b)
}

/// YNL name of a scalar type.
fn scalar_name(s: Scalar) -> String {
    match s {
        Scalar::U(w) => text::num_text("u", u64::from(w) * 8, ""),
        Scalar::S(w) => text::num_text("s", u64::from(w) * 8, ""),
        Scalar::UVar => "uint".into(),
        Scalar::SVar => "sint".into(),
    }
}

mod fingerprint;
mod ints;
mod lines;
mod nests;
mod structs;
/// A malformed attribute header: at `pos`, with `left` bytes left in its level, and the length
/// it gives (`None`: too short to hold one). Its expert node is built only when it is met.
#[derive(Debug, Clone, Copy)]
pub(super) struct BadHeader {
    pos: usize,
    left: usize,
    len: Option<usize>,
}

impl BadHeader {
    /// The expert node ending the level at field path `path`.
    pub(super) fn node(self, path: &str) -> Node {
        let text = match self.len {
            None => format!(
                "{} trailing bytes, too short for an attribute header",
                self.left
            ),
            Some(len) if len < NLA_HDRLEN => {
                format!("attribute length {len} is less than the 4-byte attribute header")
            }
            Some(len) => format!(
                "attribute length {len} exceeds the {} bytes left",
                self.left
            ),
        };
        Node::expert(Severity::Error, text, path.to_string(), self.pos, self.left)
    }
}

#[cfg(test)]
mod tests;
mod want;
