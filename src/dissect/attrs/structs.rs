//! Fixed headers, structs, arrays of structs and unions inside attributes.

use super::super::specs::{MemberKind, Scalar, StructDef};
use super::{MAX_DEPTH, Scope, Walker, guess_display, hinted_bytes};
use crate::model::{Endian, Node, Severity, Value};
use crate::netlink::{align4, span};

impl Walker<'_> {
    /// The fixed header `st` at `pos` as one node (`<parent>.<struct>`) with its members, and
    /// where what follows it starts (NLMSG_ALIGNed, within `end`).
    pub fn header_node(
        &self,
        st: &StructDef,
        parent: &str,
        pos: usize,
        end: usize,
    ) -> (Node, usize) {
        let path = crate::model::child_field(parent, st.name);
        // A filter's tree that reads nothing inside a fixed-size header: the node alone. Its
        // members' values and texts would cost more than the attributes the filter reads.
        if self.want.is_some_and(|w| !w.all_plain && !w.level(&path))
            && st
                .members
                .iter()
                .all(|m| !matches!(m.kind, MemberKind::Array { .. } | MemberKind::Rest(_)))
        {
            let used = st.size.min(end - pos);
            let hn = Node::new(st.name, path, Value::None, pos, used);
            return (hn, pos + align4(used).min(end - pos));
        }
        let (kids, used) = self.struct_members(st, pos, end - pos, &path, self.endian, 0);
        let mut hn = Node::new(st.name, path, Value::None, pos, used);
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
        // Members stop early only in a short struct: room for all, not regrown per member.
        let mut out = Vec::with_capacity(st.members.len());
        let mut off = 0usize;
        // Unions whose selector comes after them (br_mdb_entry's addr, then proto): decoded
        // once all members are.
        let mut later: Vec<(usize, &str, &str, Endian, usize, usize)> = Vec::new();
        let last = st.members.len().saturating_sub(1);
        let paths = crate::model::child_fields(path, st.member_names);
        for (mi, m) in st.members.iter().enumerate() {
            let mut size = m.size(&spec.structs);
            // A union ending the struct takes what is left, up to its largest arm: a sockaddr
            // (wireguard's endpoint is sockaddr_in or sockaddr_in6, told by family and length).
            if mi == last && matches!(m.kind, MemberKind::Union { .. }) {
                size = size.min(avail.saturating_sub(off));
            }
            let name = m.cname;
            let field = match paths.and_then(|p| p.get(mi)) {
                Some(f) => std::borrow::Cow::Borrowed(*f),
                None => crate::model::child_field(path, m.name),
            };
            if off + size > avail {
                if off == avail && m.since.is_some() {
                    // An older kernel's shorter struct (members appended later are absent).
                    break;
                }
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
                MemberKind::Scalar(s) => {
                    self.scalar_into(&mut node, *s, &m.pres, e, at, size);
                    bit_fields_into(&mut node, &m.bits, e, size);
                }
                MemberKind::Pad(_) => {
                    node.display =
                        crate::model::text::num_text("", size as u64, " bytes of padding");
                }
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
                MemberKind::Rest(Scalar::U(1)) if m.pres.hint.is_some() => {
                    // `__u8 addr[]` with a display hint: one value (rtvia's address).
                    let b = span(self.data, at, avail - off);
                    node.value = hinted_bytes(b, m.pres.hint.as_deref());
                    node.display = node.value.display();
                    node.inherently_opaque = m.pres.opaque;
                    node.length = b.len();
                    super::mark_secret(&mut node, &m.pres);
                    out.push(node);
                    off = avail;
                    continue;
                }
                MemberKind::Rest(sc) => {
                    let used = self.ints_into(&mut node, *sc, &m.pres, e, at, avail - off, None);
                    node.length = used;
                    out.push(node);
                    off += used;
                    continue;
                }
                MemberKind::Ints { scalar, .. } => {
                    self.ints_into(&mut node, *scalar, &m.pres, e, at, size, None);
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
    pub(super) fn counted_array_into(
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
    pub(super) fn struct_array_into(
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
            let why = format!(
                "{} bytes left after {n} struct {} ({} bytes each)",
                plen - used,
                el.name,
                el.size
            );
            self.push_trailing(node, p0 + used, plen - used, Severity::Warning, why);
        }
    }

    /// A binary attribute holding records of different lengths (RTA_MULTIPATH): each a struct
    /// whose member `len_member` gives the record's length, then attributes of `set`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn records_into(
        &self,
        node: &mut Node,
        rec: &Records<'_>,
        endian: Endian,
        p0: usize,
        plen: usize,
        depth: usize,
        scope: &Scope<'_>,
    ) {
        let Some(el) = self.spec.and_then(|s| s.structs.get(rec.st)) else {
            node.value = Value::Bytes(span(self.data, p0, plen).to_vec());
            node.display = guess_display(span(self.data, p0, plen));
            return;
        };
        let mut at = 0usize;
        let mut n = 0usize;
        let mut ib = itoa::Buffer::new();
        while at < plen && depth < MAX_DEPTH {
            let left = plen - at;
            let (kids, _) =
                self.struct_members(el, p0 + at, left.min(el.size), &node.field, endian, depth);
            let len = member_uint(&kids, rec.len_member).and_then(|v| usize::try_from(v).ok());
            let Some(len) = len.filter(|l| *l >= el.size.max(1) && *l <= left) else {
                let why = match len {
                    Some(l) => format!(
                        "{} {l} does not fit: struct {} is {} bytes, {left} bytes are left",
                        rec.len_member, el.name, el.size
                    ),
                    None => format!(
                        "{left} bytes left, too short for struct {} ({} bytes)",
                        el.name, el.size
                    ),
                };
                self.push_trailing(node, p0 + at, left, Severity::Error, why);
                break;
            };
            let mut r = Node::new(
                format!("[{}]", ib.format(n)),
                node.field.clone(),
                Value::None,
                p0 + at,
                len,
            );
            r.display = el.name.to_string();
            r.children = kids;
            let start = p0 + at + align4(el.size).min(len);
            let mut attrs = self.attrs_in(
                start,
                p0 + at + len,
                rec.set,
                &node.field,
                depth + 1,
                Some(scope),
            );
            if rec.set.is_none() {
                super::mark_raw(&mut attrs);
            }
            r.children.append(&mut attrs);
            node.children.push(r);
            n += 1;
            at += align4(len);
        }
        node.display = format!("{n} x {}", el.name);
    }

    /// Elements `[0]`..`[n-1]` of struct `el` laid out from `p0`; the caller checked they fit.
    pub(super) fn elements(
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
            e.display = el.name.to_string();
            out.push(e);
        }
        out
    }

    /// A union member: the arm (a format of `sub_message`) whose value is the selector's.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn union_into(
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
        node.display = arm.name.to_string();
    }
}

/// Records of different lengths: struct `st` whose member `len_member` gives the record's
/// length, then attributes of `set`.
pub(super) struct Records<'a> {
    pub st: &'a str,
    pub len_member: &'a str,
    pub set: Option<&'a crate::dissect::specs::AttrSet>,
}

/// The C bit fields of an integer member as its children (see `Member::bits`): allocated
/// from the least significant bit on little-endian hosts, from the most significant on
/// big-endian ones (GCC's layout).
fn bit_fields_into(node: &mut Node, bits: &[(String, u8)], e: Endian, size: usize) {
    if bits.is_empty() {
        return;
    }
    let v = match node.value {
        Value::Uint(v) => v,
        Value::Enum { value, .. } => value as u64,
        Value::Flags { value, .. } => value,
        _ => return,
    };
    let width = (size * 8).min(64);
    let mut shift = 0usize;
    let mut shown = Vec::new();
    for (name, n) in bits {
        let n = usize::from(*n);
        if shift + n > width {
            break;
        }
        let at = match e {
            Endian::Little => shift,
            Endian::Big => width - shift - n,
        };
        let mask = if n >= 64 { u64::MAX } else { (1u64 << n) - 1 };
        let b = (v >> at) & mask;
        shown.push(format!("{} {b}", name.replace('-', "_")));
        node.children.push(Node::new(
            name.replace('-', "_"),
            format!("{}.{name}", node.field),
            Value::Uint(b),
            node.offset,
            node.length,
        ));
        shift += n;
    }
    node.display = format!("{} ({})", node.display_text(), shown.join(", "));
}

/// The value of integer member `name` among the members decoded so far.
pub(super) fn member_uint(members: &[Node], name: &str) -> Option<u64> {
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
pub(super) fn find_selector<'s>(selector: &str, scope: &'s Scope<'s>) -> Option<&'s Node> {
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
pub(super) fn selector_text(n: &Node) -> String {
    match &n.value {
        Value::Str(s) => s.clone(),
        Value::Uint(v) => v.to_string(),
        Value::Int(v) => v.to_string(),
        Value::Enum { value, .. } => value.to_string(),
        other => other.display(),
    }
}
