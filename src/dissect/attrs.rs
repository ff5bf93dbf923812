//! The attribute walker: TLVs -> nodes, interpreted through a spec's attribute sets.

use super::specs::{
    Attr, AttrSet, AttrType, MemberKind, Presentation, Scalar, Spec, StructDef, SubFormat,
};
use crate::model::{Endian, Node, Severity, Value};
use crate::netlink::{
    NLA_F_NESTED, NLA_F_NET_BYTEORDER, NLA_HDRLEN, NLA_TYPE_MASK, align4, array, span,
};

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
        let mut out: Vec<Node> = Vec::new();
        let end = end.min(self.data.len());
        let mut pos = start;
        while pos < end {
            let left = end - pos;
            if left < NLA_HDRLEN {
                out.push(Node::expert(
                    Severity::Error,
                    format!("{left} trailing bytes, too short for an attribute header"),
                    path,
                    pos,
                    left,
                ));
                break;
            }
            let (Some(len), Some(raw_type)) = (
                self.endian.u16(self.data, pos),
                self.endian.u16(self.data, pos + 2),
            ) else {
                break;
            };
            let len = usize::from(len);
            if len < NLA_HDRLEN {
                out.push(Node::expert(
                    Severity::Error,
                    format!("attribute length {len} is less than the 4-byte attribute header"),
                    path,
                    pos,
                    left,
                ));
                break;
            }
            if len > left {
                out.push(Node::expert(
                    Severity::Error,
                    format!("attribute length {len} exceeds the {left} bytes left"),
                    path,
                    pos,
                    left,
                ));
                break;
            }
            let scope = Scope {
                set,
                siblings: &out,
                parent,
            };
            let node = self.attr(pos, len, raw_type, path, depth, &scope);
            out.push(node);
            pos += align4(len);
        }
        out
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
        let field = format!("{path}.{}", attr.name);
        let mut node = Node::new(attr.cname.clone(), field.clone(), Value::None, pos, len);
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
        if let Some((_, set_name)) = self.overrides.iter().find(|(f, _)| *f == field)
            && !matches!(attr.ty, AttrType::Nest)
        {
            let nested = self.set(set_name);
            node.children = self.attrs_in(p0, p0 + plen, nested, &field, depth + 1, Some(scope));
            if nested.is_none() {
                mark_raw(&mut node.children);
            }
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
                node.display = format!("{:?}", String::from_utf8_lossy(text));
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
            } => {
                self.struct_array_into(&mut node, st, endian, p0, plen, depth);
            }
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
                    .find(|(f, _)| *f == field)
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
                    let (hn, next) = self.header_node(h, &field, p0, p0 + plen);
                    node.children.push(hn);
                    at = next;
                }
                let mut kids = self.attrs_in(at, p0 + plen, nested, &field, depth + 1, Some(scope));
                if nested.is_none() {
                    mark_raw(&mut kids);
                }
                node.children.append(&mut kids);
            }
            AttrType::IndexedArray(sub) => {
                node.children = self.indexed_array(attr, sub, p0, plen, &field, depth + 1, scope);
            }
            AttrType::NestTypeValue(levels) => {
                node.children = self.type_value(attr, levels, 0, p0, plen, &field, depth + 1);
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
                            format!("{field}.value"),
                            Value::Uint(v.into()),
                            p0,
                            4,
                        );
                        let mut c2 = Node::new(
                            "selector",
                            format!("{field}.selector"),
                            Value::Uint(sel.into()),
                            p0 + 4,
                            4,
                        );
                        self.present(&mut c1, &attr.pres, u64::from(v), false);
                        self.present(&mut c2, &attr.pres, u64::from(sel), false);
                        node.display = format!("{} / {}", c1.display, c2.display);
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
                node.display = format!("{plen} bytes of padding");
            }
            AttrType::Unused | AttrType::Other(_) => {
                node.value = Value::Bytes(span(self.data, p0, plen).to_vec());
                node.display = node.value.display();
            }
        }
        node
    }

    fn set(&self, name: &str) -> Option<&'a AttrSet> {
        self.spec.and_then(|s| s.sets.get(name))
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
        let field = format!("{path}.{t}");
        let mut node = Node::new(format!("attr {t}"), field.clone(), Value::None, pos, len);
        node.raw = true;
        if nested && depth >= MAX_DEPTH {
            node.set_expert(
                Severity::Warning,
                format!("attributes nested more than {MAX_DEPTH} deep; not decoded further"),
            );
        }
        if nested && depth < MAX_DEPTH {
            node.children = self.attrs(p0, pos + len, None, &field, depth + 1);
            mark_raw(&mut node.children);
            node.display = format!("nested, {} attributes", node.children.len());
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
        if s.signed() {
            let v = endian.int(self.data, p0, width).unwrap_or(0);
            node.value = Value::Int(v);
            node.display = v.to_string();
            self.present(node, pres, v as u64, true);
        } else {
            let v = endian.uint(self.data, p0, width).unwrap_or(0);
            node.value = Value::Uint(v);
            node.display = v.to_string();
            self.present(node, pres, v, false);
        }
    }

    /// Apply enum/flags names and display hints to a decoded integer.
    fn present(&self, node: &mut Node, pres: &Presentation, v: u64, signed: bool) {
        if let Some(e) = pres
            .enumeration
            .as_deref()
            .and_then(|e| self.spec?.enums.get(e))
        {
            if e.is_flags || pres.as_flags {
                let (mut names, rest) = if e.is_flags {
                    e.bit_names(v)
                } else {
                    // enum-as-flags: entries are bit positions.
                    let mut names = Vec::new();
                    let mut rest = v;
                    for (bit, n) in &e.entries {
                        if (0..64).contains(bit) && v & (1u64 << bit) != 0 {
                            names.push(n.clone());
                            rest &= !(1u64 << bit);
                        }
                    }
                    (names, rest)
                };
                if rest != 0 {
                    names.push(format!("{rest:#x}"));
                }
                node.display = if names.is_empty() {
                    format!("{v:#x}")
                } else {
                    format!("{} ({v:#x})", names.join("|"))
                };
                names.retain(|n| !n.starts_with("0x"));
                node.value = Value::Flags { value: v, names };
            } else {
                let iv = v as i64;
                let name = e.name_of(iv).unwrap_or("").to_string();
                node.display = if name.is_empty() {
                    iv.to_string()
                } else {
                    format!("{name} ({iv})")
                };
                node.value = Value::Enum { value: iv, name };
            }
            return;
        }
        if pres.hint.as_deref() == Some("hex") && !signed {
            node.display = format!("{v:#x}");
        }
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
            node.display = st.name.clone();
            if used < plen {
                let mut extra = Node::new(
                    "trailing bytes",
                    format!("{}.trailing", node.field),
                    Value::Bytes(b.get(used..).unwrap_or_default().to_vec()),
                    p0 + used,
                    plen - used,
                );
                extra.raw = true;
                extra.set_expert(
                    Severity::Note,
                    format!(
                        "{} bytes after struct {} ({} bytes)",
                        plen - used,
                        st.name,
                        st.size
                    ),
                );
                node.children.push(extra);
            }
            return;
        }
        node.value = hinted_bytes(b, pres.hint.as_deref());
        node.display = node.value.display();
        if matches!(node.value, Value::Bytes(_)) && pres.hint.is_none() {
            node.display = guess_display(b);
        }
    }

    /// The fixed header `st` at `pos` as one node (`<parent>.<struct>`) with its members, and
    /// where what follows it starts (NLMSG_ALIGNed, within `end`).
    pub fn header_node(
        &self,
        st: &StructDef,
        parent: &str,
        pos: usize,
        end: usize,
    ) -> (Node, usize) {
        let path = format!("{parent}.{}", st.name);
        let (kids, used) = self.struct_members(st, pos, end - pos, &path, self.endian, 0);
        let mut hn = Node::new(st.name.clone(), path, Value::None, pos, used);
        hn.children = kids;
        (hn, pos + align4(used).min(end - pos))
    }

    /// Decode the members of `st` from `data[p0..p0+avail]`; returns the nodes and bytes used.
    pub fn struct_members(
        &self,
        st: &StructDef,
        p0: usize,
        avail: usize,
        path: &str,
        endian: Endian,
        depth: usize,
    ) -> (Vec<Node>, usize) {
        let Some(spec) = self.spec else {
            return (Vec::new(), 0);
        };
        let mut out = Vec::new();
        let mut off = 0usize;
        // Unions whose selector comes after them (br_mdb_entry's addr, then proto): decoded
        // once all members are.
        let mut later: Vec<(usize, &str, &str, Endian, usize, usize)> = Vec::new();
        for m in &st.members {
            let size = m.size(&spec.structs);
            let name = m.name.replace('-', "_");
            let field = format!("{path}.{}", m.name);
            if off + size > avail {
                out.push(Node::expert(
                    Severity::Warning,
                    format!("struct {} ends after {avail} bytes; member {name} ({size} bytes) is missing", st.name),
                    field,
                    p0 + off,
                    avail - off,
                ));
                off = avail;
                break;
            }
            let at = p0 + off;
            let mut node = Node::new(name, field.clone(), Value::None, at, size);
            let e = if m.pres.big_endian {
                Endian::Big
            } else {
                endian
            };
            match &m.kind {
                MemberKind::Scalar(s) => self.scalar_into(&mut node, *s, &m.pres, e, at, size),
                MemberKind::Pad(_) => node.display = format!("{size} bytes of padding"),
                MemberKind::Binary { structure, .. } => {
                    if depth < MAX_DEPTH {
                        self.binary_into(
                            &mut node,
                            structure.as_deref(),
                            &m.pres,
                            e,
                            at,
                            size,
                            depth + 1,
                        );
                    }
                }
                MemberKind::Array { structure, count } => {
                    // No count: as many elements as fit (an array to the end).
                    let n = (!count.is_empty()).then(|| member_uint(&out, count).unwrap_or(0));
                    let used = match spec.structs.get(structure) {
                        Some(el) if depth < MAX_DEPTH => self.counted_array_into(
                            &mut node,
                            el,
                            (count, n),
                            e,
                            at,
                            avail - off,
                            depth + 1,
                        ),
                        _ => 0,
                    };
                    node.length = used;
                    out.push(node);
                    off += used;
                    continue;
                }
                MemberKind::Rest(sc) => {
                    let w = sc.width().unwrap_or(4);
                    let n = (avail - off) / w;
                    let mut ib = itoa::Buffer::new();
                    for i in 0..n {
                        let mut el = Node::new(
                            format!("[{}]", ib.format(i)),
                            field.clone(),
                            Value::None,
                            at + i * w,
                            w,
                        );
                        self.scalar_into(&mut el, *sc, &m.pres, e, at + i * w, w);
                        node.children.push(el);
                    }
                    node.length = n * w;
                    node.display = format!("{n} x {}", scalar_name(*sc));
                    out.push(node);
                    off += n * w;
                    continue;
                }
                MemberKind::Union {
                    sub_message,
                    selector,
                    ..
                } => {
                    let known = out
                        .iter()
                        .any(|n| n.field.rsplit('.').next() == Some(selector.as_str()));
                    if !known {
                        later.push((out.len(), sub_message, selector, e, at, size));
                    } else if depth < MAX_DEPTH {
                        let v = member_uint(&out, selector);
                        self.union_into(
                            &mut node,
                            sub_message,
                            selector,
                            v,
                            e,
                            at,
                            size,
                            depth + 1,
                        );
                    }
                }
            }
            out.push(node);
            off += size;
        }
        for (i, sub_message, selector, e, at, size) in later {
            let v = member_uint(&out, selector);
            if let Some(node) = out.get_mut(i)
                && depth < MAX_DEPTH
                && node.name != "expert"
            {
                self.union_into(node, sub_message, selector, v, e, at, size, depth + 1);
            }
        }
        (out, off)
    }

    /// `n` elements of struct `el` from `p0` (at most what `avail` bytes hold) as children
    /// `[i]` of `node`; returns the bytes used.
    #[allow(clippy::too_many_arguments)]
    fn counted_array_into(
        &self,
        node: &mut Node,
        el: &StructDef,
        (count_name, n): (&str, Option<u64>),
        endian: Endian,
        p0: usize,
        avail: usize,
        depth: usize,
    ) -> usize {
        if el.size == 0 {
            return 0;
        }
        let fit = avail / el.size;
        let take = n.map_or(fit, |n| usize::try_from(n).map_or(fit, |n| n.min(fit)));
        if let Some(n) = n.filter(|&n| (take as u64) < n) {
            node.set_expert(
                Severity::Warning,
                format!(
                    "{count_name} is {n} but only {fit} struct {} ({} bytes each) fit in the {avail} bytes left",
                    el.name, el.size
                ),
            );
        }
        node.children = self.elements(el, &node.field, endian, p0, take, depth);
        node.display = format!("{take} x {}", el.name);
        take * el.size
    }

    /// A binary attribute that is a C array of struct `st` (NHA_GROUP).
    fn struct_array_into(
        &self,
        node: &mut Node,
        st: &str,
        endian: Endian,
        p0: usize,
        plen: usize,
        depth: usize,
    ) {
        let Some(el) = self.spec.and_then(|s| s.structs.get(st)) else {
            node.value = Value::Bytes(span(self.data, p0, plen).to_vec());
            node.display = guess_display(span(self.data, p0, plen));
            return;
        };
        if el.size == 0 {
            return;
        }
        let n = plen / el.size;
        node.children = self.elements(el, &node.field, endian, p0, n, depth);
        node.display = format!("{n} x {}", el.name);
        let used = n * el.size;
        if used < plen {
            let mut extra = Node::new(
                "trailing bytes",
                format!("{}.trailing", node.field),
                Value::Bytes(span(self.data, p0 + used, plen.saturating_sub(used)).to_vec()),
                p0 + used,
                plen - used,
            );
            extra.raw = true;
            extra.set_expert(
                Severity::Warning,
                format!(
                    "{} bytes left after {n} struct {} ({} bytes each)",
                    plen - used,
                    el.name,
                    el.size
                ),
            );
            node.children.push(extra);
        }
    }

    /// Elements `[0]`..`[n-1]` of struct `el` laid out from `p0`; the caller checked they fit.
    fn elements(
        &self,
        el: &StructDef,
        field: &str,
        endian: Endian,
        p0: usize,
        n: usize,
        depth: usize,
    ) -> Vec<Node> {
        let mut out = Vec::with_capacity(n);
        let mut ib = itoa::Buffer::new();
        for i in 0..n {
            let at = p0 + i * el.size;
            let mut e = Node::new(
                format!("[{}]", ib.format(i)),
                field.to_string(),
                Value::None,
                at,
                el.size,
            );
            let (kids, _) = self.struct_members(el, at, el.size, field, endian, depth);
            e.children = kids;
            e.display = el.name.clone();
            out.push(e);
        }
        out
    }

    /// A union member: the arm (a format of `sub_message`) whose value is the selector's.
    #[allow(clippy::too_many_arguments)]
    fn union_into(
        &self,
        node: &mut Node,
        sub_message: &str,
        selector: &str,
        v: Option<u64>,
        endian: Endian,
        p0: usize,
        size: usize,
        depth: usize,
    ) {
        let arm = v.and_then(|v| {
            let f = self
                .spec?
                .sub_messages
                .get(sub_message)?
                .format(&v.to_string(), self.op)?;
            self.spec?.structs.get(f.fixed_header.as_deref()?)
        });
        let Some(arm) = arm else {
            let b = span(self.data, p0, size);
            node.value = Value::Bytes(b.to_vec());
            node.display = guess_display(b);
            node.raw = true;
            node.set_expert(
                Severity::Note,
                match v {
                    Some(v) => format!("{selector} {v} selects no known layout"),
                    None => format!("no {selector} to select the layout"),
                },
            );
            return;
        };
        let (mut kids, used) = self.struct_members(arm, p0, size, &node.field, endian, depth);
        if used < size {
            let mut pad = Node::new(
                "union padding",
                format!("{}.pad", node.field),
                Value::None,
                p0 + used,
                size - used,
            );
            pad.display = format!(
                "{} bytes of the union not used by {}",
                size - used,
                arm.name
            );
            kids.push(pad);
        }
        node.children = kids;
        node.display = arm.name.clone();
    }

    #[allow(clippy::too_many_arguments)]
    fn indexed_array(
        &self,
        attr: &Attr,
        sub: &AttrType,
        p0: usize,
        plen: usize,
        field: &str,
        depth: usize,
        scope: &Scope<'_>,
    ) -> Vec<Node> {
        let nested = attr.nested.as_deref().and_then(|n| self.set(n));
        // Elements are attributes whose type is their index.
        let mut items = self.attrs(p0, p0 + plen, None, field, depth);
        for it in items.iter_mut() {
            if it.expert.is_some() && it.name == "expert" {
                continue;
            }
            let idx = it.name.trim_start_matches("attr ").to_string();
            it.name = format!("[{idx}]");
            it.field = field.to_string();
            it.raw = false;
            let (q0, qlen) = (it.offset + NLA_HDRLEN, it.length - NLA_HDRLEN);
            match sub {
                AttrType::Nest => {
                    it.children =
                        self.attrs_in(q0, q0 + qlen, nested, field, depth + 1, Some(scope));
                    it.display = String::new();
                    it.value = Value::None;
                }
                AttrType::Scalar(s) => {
                    it.children.clear();
                    self.scalar_into(it, *s, &attr.pres, self.endian, q0, qlen);
                }
                AttrType::Binary { structure, .. } => {
                    it.children.clear();
                    self.binary_into(
                        it,
                        structure.as_deref(),
                        &attr.pres,
                        self.endian,
                        q0,
                        qlen,
                        depth,
                    );
                }
                AttrType::String => {
                    let b = span(self.data, q0, qlen);
                    let t = b.split(|c| *c == 0).next().unwrap_or(&[]);
                    it.value = Value::Str(String::from_utf8_lossy(t).into_owned());
                    it.display = format!("{:?}", String::from_utf8_lossy(t));
                }
                _ => {}
            }
        }
        items
    }

    #[allow(clippy::too_many_arguments)]
    fn type_value(
        &self,
        attr: &Attr,
        levels: &[String],
        level: usize,
        p0: usize,
        plen: usize,
        field: &str,
        depth: usize,
    ) -> Vec<Node> {
        if level >= levels.len() || depth >= MAX_DEPTH {
            let nested = attr.nested.as_deref().and_then(|n| self.set(n));
            return self.attrs(p0, p0 + plen, nested, field, depth);
        }
        let mut items = self.attrs(p0, p0 + plen, None, field, depth);
        for it in items.iter_mut() {
            if it.name == "expert" {
                continue;
            }
            let idx = it.name.trim_start_matches("attr ").to_string();
            let Some(level_name) = levels.get(level) else {
                continue;
            };
            it.name = format!("{level_name} {idx}");
            it.field = field.to_string();
            it.raw = false;
            it.value = idx.parse::<u64>().map(Value::Uint).unwrap_or(Value::None);
            it.display = String::new();
            let (q0, qlen) = (it.offset + NLA_HDRLEN, it.length - NLA_HDRLEN);
            it.children = self.type_value(attr, levels, level + 1, q0, qlen, field, depth + 1);
        }
        items
    }

    #[allow(clippy::too_many_arguments)]
    fn sub_message_into(
        &self,
        node: &mut Node,
        name: &str,
        selector: &str,
        scope: &Scope<'_>,
        p0: usize,
        plen: usize,
        nested_flag: bool,
        depth: usize,
    ) {
        let sel = find_selector(selector, scope).map(selector_text);
        let fmt: Option<&SubFormat> = sel
            .as_deref()
            .and_then(|v| self.spec?.sub_messages.get(name)?.format(v, self.op));
        let Some(fmt) = fmt else {
            // Unknown selector value: walk generically when it looks nested, else bytes.
            let what = sel.map_or_else(
                || format!("no '{selector}' attribute before it"),
                |s| format!("{selector} '{s}' is not in the spec"),
            );
            if nested_flag {
                node.children = self.attrs(p0, p0 + plen, None, &node.field, depth + 1);
                mark_raw(&mut node.children);
            } else {
                node.value = Value::Bytes(span(self.data, p0, plen).to_vec());
                node.display = guess_display(span(self.data, p0, plen));
                node.raw = true;
            }
            node.set_expert(Severity::Note, format!("format not known ({what})"));
            return;
        };
        let mut used = 0;
        let field = node.field.clone();
        if let Some(h) = fmt
            .fixed_header
            .as_deref()
            .and_then(|h| self.spec?.structs.get(h))
        {
            let (hn, next) = self.header_node(h, &field, p0, p0 + plen);
            node.children.push(hn);
            used = next - p0;
        }
        if let Some(set) = fmt.attribute_set.as_deref().and_then(|s| self.set(s)) {
            let mut kids = self.attrs_in(
                p0 + used,
                p0 + plen,
                Some(set),
                &field,
                depth + 1,
                Some(scope),
            );
            node.children.append(&mut kids);
        } else if used < plen && fmt.attribute_set.is_some() {
            let mut kids =
                self.attrs_in(p0 + used, p0 + plen, None, &field, depth + 1, Some(scope));
            mark_raw(&mut kids);
            node.children.append(&mut kids);
        }
        node.display = fmt.value.clone();
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
        return format!("{:?}", String::from_utf8_lossy(text));
    }
    crate::model::hex(b)
}

/// YNL name of a scalar type.
fn scalar_name(s: Scalar) -> String {
    match s {
        Scalar::U(w) => format!("u{}", u32::from(w) * 8),
        Scalar::S(w) => format!("s{}", u32::from(w) * 8),
        Scalar::UVar => "uint".into(),
        Scalar::SVar => "sint".into(),
    }
}

/// The value of integer member `name` among the members decoded so far.
fn member_uint(members: &[Node], name: &str) -> Option<u64> {
    let n = members
        .iter()
        .find(|n| n.field.rsplit('.').next() == Some(name))?;
    match &n.value {
        Value::Uint(v) => Some(*v),
        Value::Int(v) => u64::try_from(*v).ok(),
        Value::Enum { value, .. } => u64::try_from(*value).ok(),
        Value::Flags { value, .. } => Some(*value),
        _ => None,
    }
}

/// The attribute `selector` names, looked up as YNL does: at the innermost level whose set
/// defines it (or that already holds it), going outwards; bounded by the nesting depth.
fn find_selector<'s>(selector: &str, scope: &'s Scope<'s>) -> Option<&'s Node> {
    let mut cur = Some(scope);
    let mut hops = 0;
    while let Some(s) = cur {
        let found = s
            .siblings
            .iter()
            .rev()
            .find(|n| n.field.rsplit('.').next() == Some(selector));
        if found.is_some() || s.set.is_some_and(|set| set.by_name(selector).is_some()) {
            return found;
        }
        hops += 1;
        if hops > MAX_DEPTH {
            return None;
        }
        cur = s.parent;
    }
    None
}

/// A selector's value as the text sub-message formats are keyed by.
fn selector_text(n: &Node) -> String {
    match &n.value {
        Value::Str(s) => s.clone(),
        Value::Uint(v) => v.to_string(),
        Value::Int(v) => v.to_string(),
        Value::Enum { value, .. } => value.to_string(),
        other => other.display(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissect::specs::{SpecSource, load_spec};

    const SPEC: &str = r#"
name: deep
protocol: netlink-raw
protonum: 0
definitions:
  - name: key
    type: struct
    members:
      - {name: mask, type: u32, display-hint: hex}
      - {name: "off", type: u16}
      - {name: pad, type: pad, len: 2}
  - name: sel
    type: struct
    members:
      - {name: flags, type: u8}
      - {name: nkeys, type: u8}
      - {name: pad, type: pad, len: 2}
      - {name: keys, type: binary, struct: key, nlscope-count: nkeys}
  - name: entry
    type: struct
    members:
      - {name: ifindex, type: u32}
  - name: xstats
    type: struct
    members:
      - {name: type, type: u32}
      - {name: stats, type: binary, sub-message: arms, selector: type}
  - name: big-arm
    type: struct
    members:
      - {name: a, type: u32}
      - {name: b, type: u32}
      - {name: c, type: u32}
  - name: small-arm
    type: struct
    members:
      - {name: d, type: s32}
  - name: qopt
    type: struct
    members:
      - {name: defcls, type: u16}
  - name: rest-hdr
    type: struct
    members:
      - {name: n, type: u8}
      - {name: pad, type: pad, len: 3}
      - {name: items, type: binary, sub-type: binary, struct: key}
  - name: tail-sel
    type: struct
    members:
      - {name: u, type: binary, sub-message: arms, selector: t}
      - {name: t, type: u16}
      - {name: pad, type: pad, len: 2}
attribute-sets:
  - name: top
    attributes:
      - {name: kind, type: string}
      - {name: sel, type: binary, struct: sel}
      - {name: group, type: binary, sub-type: binary, struct: key}
      - {name: info, type: nest, fixed-header: entry, nested-attributes: eattrs}
      - {name: stats2, type: nest, nested-attributes: stats}
      - {name: options, type: sub-message, sub-message: opts, selector: kind}
      - {name: tail, type: binary, struct: tail-sel}
      - {name: rest, type: binary, struct: rest-hdr}
  - name: eattrs
    attributes:
      - {name: timer, type: u32}
  - name: stats
    attributes:
      - {name: app, type: sub-message, sub-message: app-msg, selector: kind}
  - name: curves
    attributes:
      - {name: rsc, type: u32}
sub-messages:
  - name: app-msg
    formats:
      - {value: fq, fixed-header: xstats}
  - name: arms
    formats:
      - {value: 0, fixed-header: big-arm}
      - {value: 1, fixed-header: small-arm}
  - name: opts
    formats:
      - {value: fq, fixed-header: qopt}
      - {value: fq, attribute-set: curves, nlscope-ops: [newclass]}
"#;

    fn spec() -> Spec {
        load_spec(SPEC, SpecSource::Embedded("deep".into())).unwrap()
    }

    fn attr(ty: u16, payload: &[u8]) -> Vec<u8> {
        let mut a = Vec::new();
        a.extend_from_slice(&(4 + payload.len() as u16).to_le_bytes());
        a.extend_from_slice(&ty.to_le_bytes());
        a.extend_from_slice(payload);
        while a.len() % 4 != 0 {
            a.push(0);
        }
        a
    }

    fn key(mask: u32, off: u16) -> Vec<u8> {
        let mut k = mask.to_le_bytes().to_vec();
        k.extend_from_slice(&off.to_le_bytes());
        k.extend_from_slice(&[0, 0]);
        k
    }

    fn walk(spec: &Spec, data: &[u8], op: Option<&str>) -> Vec<Node> {
        let w = Walker {
            data,
            endian: Endian::Little,
            spec: Some(spec),
            overrides: Vec::new(),
            op,
        };
        w.attrs(0, data.len(), spec.sets.get("top"), "deep", 0)
    }

    fn child<'n>(n: &'n Node, name: &str) -> &'n Node {
        n.children
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no {name} under {}: {:?}", n.name, n.children))
    }

    fn any_raw(nodes: &[Node]) -> bool {
        nodes.iter().any(|n| n.raw || any_raw(&n.children))
    }

    #[test]
    fn counted_array_after_a_struct() {
        let s = spec();
        assert_eq!(
            s.structs["sel"].size, 4,
            "the flexible array is not in sizeof"
        );
        let mut p = vec![7, 2, 0, 0];
        p.extend(key(0xff00_0000, 12));
        p.extend(key(0xffff, 20));
        let data = attr(2, &p);
        let n = &walk(&s, &data, None)[0];
        let keys = child(n, "keys");
        assert_eq!((keys.offset, keys.length), (8, 16));
        assert_eq!(keys.children.len(), 2);
        let k1 = &keys.children[1];
        assert_eq!((k1.name.as_str(), k1.offset, k1.length), ("[1]", 16, 8));
        assert_eq!(child(k1, "mask").display, "0xffff");
        assert_eq!(child(k1, "off").value, Value::Uint(20));
        assert_eq!(child(k1, "off").field, "deep.sel.keys.off");
        assert!(!any_raw(std::slice::from_ref(n)));

        // nkeys says 3, only 2 fit: both decoded, a warning says so.
        let mut p = vec![0, 3, 0, 0];
        p.extend(key(1, 1));
        p.extend(key(2, 2));
        let data = attr(2, &p);
        let keys = child(&walk(&s, &data, None)[0], "keys").clone();
        assert_eq!(keys.children.len(), 2);
        let e = keys.expert.expect("warning");
        assert_eq!(e.severity, Severity::Warning);
        assert!(e.text.contains("nkeys is 3"), "{}", e.text);

        // nkeys says 1 of 2: the second key is left over, raw.
        let mut p = vec![0, 1, 0, 0];
        p.extend(key(1, 1));
        p.extend(key(2, 2));
        let data = attr(2, &p);
        let n = &walk(&s, &data, None)[0];
        assert_eq!(child(n, "keys").children.len(), 1);
        let t = child(n, "trailing bytes");
        assert!(t.raw && t.length == 8);

        // A huge count on a short payload allocates nothing.
        let data = attr(2, &[0, 255, 0, 0]);
        assert!(child(&walk(&s, &data, None)[0], "keys").children.is_empty());
    }

    #[test]
    fn struct_array_to_the_end_of_a_struct() {
        let s = spec();
        assert_eq!(s.structs["rest-hdr"].size, 4);
        let mut p = vec![9, 0, 0, 0];
        p.extend(key(1, 10));
        p.extend(key(2, 20));
        let n = &walk(&s, &attr(8, &p), None)[0];
        let items = child(n, "items");
        assert_eq!(items.display, "2 x key");
        assert_eq!((items.offset, items.length), (8, 16));
        assert_eq!(child(&items.children[1], "off").value, Value::Uint(20));
        assert!(items.expert.is_none());
        assert!(!any_raw(std::slice::from_ref(n)));
        // Bytes too few for one more element stay raw, flagged as trailing.
        p.extend([0xaa, 0xbb, 0xcc, 0xdd]);
        let n = &walk(&s, &attr(8, &p), None)[0];
        assert_eq!(child(n, "items").children.len(), 2);
        assert!(child(n, "trailing bytes").raw);
        // No room at all: an empty array, no panic.
        let n = &walk(&s, &attr(8, &[1, 0, 0, 0]), None)[0];
        assert!(child(n, "items").children.is_empty());
    }

    #[test]
    fn binary_attribute_holding_an_array_of_structs() {
        let s = spec();
        let mut p = key(1, 10);
        p.extend(key(2, 20));
        p.extend(key(3, 30));
        let data = attr(3, &p);
        let n = &walk(&s, &data, None)[0];
        assert_eq!(n.display, "3 x key");
        let offs: Vec<u64> = n
            .children
            .iter()
            .map(|e| match child(e, "off").value {
                Value::Uint(v) => v,
                _ => 0,
            })
            .collect();
        assert_eq!(offs, vec![10, 20, 30]);
        assert_eq!(n.children[2].offset, 4 + 16);

        p.extend([9, 9]);
        let data = attr(3, &p);
        let n = &walk(&s, &data, None)[0];
        let t = child(n, "trailing bytes");
        assert!(t.raw && t.length == 2);
        assert_eq!(
            t.expert.as_ref().map(|e| e.severity),
            Some(Severity::Warning)
        );
    }

    #[test]
    fn nest_with_a_fixed_header_then_attributes() {
        let s = spec();
        let mut p = 6u32.to_le_bytes().to_vec();
        p.extend(attr(1, &25949u32.to_le_bytes()));
        let data = attr(4, &p);
        let n = &walk(&s, &data, None)[0];
        let h = child(n, "entry");
        assert_eq!((h.offset, h.length), (4, 4));
        assert_eq!(child(h, "ifindex").value, Value::Uint(6));
        assert_eq!(child(h, "ifindex").field, "deep.info.entry.ifindex");
        let t = child(n, "DEEP_A_EATTRS_TIMER");
        assert_eq!((t.value.clone(), t.offset), (Value::Uint(25949), 8));
        assert!(!any_raw(std::slice::from_ref(n)));

        // Shorter than the header: an expert, no panic.
        let data = attr(4, &[1, 2]);
        let n = &walk(&s, &data, None)[0];
        assert!(
            n.children
                .iter()
                .any(|c| c.expert.is_some() || c.children.iter().any(|k| k.expert.is_some()))
        );
    }

    fn app(ty: u32, arm: &[u8]) -> Vec<u8> {
        let mut x = ty.to_le_bytes().to_vec();
        x.extend_from_slice(arm);
        attr(5, &attr(1, &x))
    }

    #[test]
    fn selector_found_in_an_ancestor_and_union_arms() {
        let s = spec();
        assert_eq!(s.structs["xstats"].size, 16, "type + the largest arm");
        let mut arm = Vec::new();
        for v in [1u32, 2, 3] {
            arm.extend(v.to_le_bytes());
        }
        let mut data = attr(1, b"fq\0");
        data.extend(app(0, &arm));
        let nodes = walk(&s, &data, None);
        let a = child(&nodes[1], "DEEP_A_STATS_APP");
        assert_eq!(a.display, "fq", "kind came from two levels up");
        let stats = child(child(a, "xstats"), "stats");
        assert_eq!(stats.display, "big-arm");
        assert_eq!(child(stats, "c").value, Value::Uint(3));

        // Arm 1 is smaller: its member, then the rest of the union as padding (not raw).
        let mut arm = (-5i32).to_le_bytes().to_vec();
        arm.extend([0; 8]);
        let mut data = attr(1, b"fq\0");
        data.extend(app(1, &arm));
        let nodes = walk(&s, &data, None);
        let stats = child(
            child(child(&nodes[1], "DEEP_A_STATS_APP"), "xstats"),
            "stats",
        );
        assert_eq!(child(stats, "d").value, Value::Int(-5));
        assert_eq!(child(stats, "union padding").length, 8);
        assert!(!any_raw(&nodes));

        // An unknown arm: bytes, raw, with a note.
        let mut data = attr(1, b"fq\0");
        data.extend(app(9, &[0; 12]));
        let nodes = walk(&s, &data, None);
        let stats = child(
            child(child(&nodes[1], "DEEP_A_STATS_APP"), "xstats"),
            "stats",
        );
        assert!(stats.raw && stats.expert.is_some());

        // No kind anywhere: the app payload stays bytes with a note.
        let data = app(0, &[0; 12]);
        let nodes = walk(&s, &data, None);
        let a = child(&nodes[0], "DEEP_A_STATS_APP");
        assert!(a.raw);
        assert!(
            a.expert
                .as_ref()
                .is_some_and(|e| e.text.contains("no 'kind'"))
        );
    }

    #[test]
    fn union_selected_by_a_later_member() {
        let s = spec();
        assert_eq!(s.structs["tail-sel"].size, 16);
        let mut p = (-7i32).to_le_bytes().to_vec();
        p.extend([0; 8]);
        p.extend(1u16.to_le_bytes());
        p.extend([0, 0]);
        let data = attr(7, &p);
        let n = &walk(&s, &data, None)[0];
        let u = child(n, "u");
        assert_eq!(
            (u.display.as_str(), u.offset, u.length),
            ("small-arm", 4, 12)
        );
        assert_eq!(child(u, "d").value, Value::Int(-7));
        assert_eq!(child(n, "t").value, Value::Uint(1));
        // Truncated before the selector: the union says it has none, nothing panics.
        let data = attr(7, &p[..12]);
        let n = &walk(&s, &data, None)[0];
        let u = child(n, "u");
        assert!(u.raw && u.expert.as_ref().is_some_and(|e| e.text.contains("no t")));
    }

    #[test]
    fn sub_message_format_by_operation() {
        let s = spec();
        let mut data = attr(1, b"fq\0");
        data.extend(attr(6, &attr(1, &7u32.to_le_bytes())));
        // Another op: the format without nlscope-ops (a struct).
        let nodes = walk(&s, &data, Some("newqdisc"));
        assert!(
            child(&nodes[1], "qopt")
                .children
                .iter()
                .any(|c| c.name == "defcls")
        );
        let nodes = walk(&s, &data, None);
        assert!(nodes[1].children.iter().any(|c| c.name == "qopt"));
        // The op the format names: its attribute set.
        let nodes = walk(&s, &data, Some("newclass"));
        let rsc = child(&nodes[1], "DEEP_A_CURVES_RSC");
        assert_eq!(rsc.value, Value::Uint(7));
    }

    #[test]
    fn extension_keys_are_checked() {
        let base = |defs: &str, attrs: &str| {
            format!(
                "name: x\nprotocol: netlink-raw\nprotonum: 0\ndefinitions:\n{defs}\nattribute-sets:\n  - name: s\n    attributes:\n{attrs}\nsub-messages:\n  - {{name: m, formats: [{{value: 0, fixed-header: k}}]}}\n"
            )
        };
        let k = "  - {name: k, type: struct, members: [{name: a, type: u32}]}\n";
        let cases = [
            (
                "  - {name: t, type: struct, members: [{name: keys, type: binary, struct: k, nlscope-count: n}, {name: n, type: u8}]}",
                "not an earlier integer member",
            ),
            (
                "  - {name: t, type: struct, members: [{name: n, type: u8}, {name: keys, type: binary, struct: k, nlscope-count: n}, {name: z, type: u8}]}",
                "must be the last member",
            ),
            (
                "  - {name: t, type: struct, members: [{name: n, type: u8}, {name: keys, type: binary, nlscope-count: n}]}",
                "needs a 'struct'",
            ),
            (
                "  - {name: t, type: struct, members: [{name: u, type: binary, sub-message: m, selector: nope}]}",
                "selector 'nope'",
            ),
            (
                "  - {name: t, type: struct, members: [{name: n, type: u8}, {name: u, type: binary, sub-message: nope, selector: n}]}",
                "sub-message 'nope'",
            ),
        ];
        for (def, want) in cases {
            let text = base(&format!("{k}{def}"), "      - {name: a, type: u8}");
            let e = load_spec(&text, SpecSource::Embedded("x".into())).unwrap_err();
            assert!(e.message.contains(want), "{want}: {}", e.message);
        }
        let text = base(k, "      - {name: a, type: binary, fixed-header: k}");
        let e = load_spec(&text, SpecSource::Embedded("x".into())).unwrap_err();
        assert!(e.message.contains("needs type nest"), "{}", e.message);
        let text = base(k, "      - {name: a, type: nest, fixed-header: nope}");
        let e = load_spec(&text, SpecSource::Embedded("x".into())).unwrap_err();
        assert!(e.message.contains("'nope' is not defined"), "{}", e.message);
    }
}
