//! Attributes holding other attributes: indexed arrays, type-value nests, sub-messages.

use super::super::specs::{Attr, AttrType, SubFormat};
use super::structs::{find_selector, selector_text};
use super::{MAX_DEPTH, Scope, Walker, guess_display, mark_raw};
use crate::model::{Node, Severity, Value};
use crate::netlink::{NLA_HDRLEN, span};

impl Walker<'_> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn indexed_array(
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
        // Elements are attributes whose type is their index. Nests, integers and decoded
        // binaries are read below whole: their elements' headers are enough (a shown tree; a
        // filter's keeps what it always had).
        let bare = self.shown()
            && match sub {
                AttrType::Nest | AttrType::Scalar(_) => true,
                AttrType::Binary {
                    structure: None, ..
                } => attr.decode.is_some(),
                _ => false,
            };
        let mut items = self.array_items(p0, p0 + plen, field, depth, bare);
        for it in items.iter_mut() {
            if it.expert.is_some() && it.name == "expert" {
                continue;
            }
            let idx = it.name.trim_start_matches("attr ");
            let mut name = String::with_capacity(idx.len() + 2);
            name.push('[');
            name.push_str(idx);
            name.push(']');
            it.name = name.into();
            it.field = field.to_string().into();
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
                AttrType::Binary {
                    structure: None, ..
                } if attr.decode.is_some() => {
                    if let Some(d) = attr.decode {
                        let (children, summary) = d.decode(self.data, q0, qlen, self.endian);
                        it.children = children;
                        it.display = summary;
                        it.value = Value::None;
                    }
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
                    it.display = crate::model::text::quoted(t);
                }
                _ => {}
            }
        }
        items
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn type_value(
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
        let mut items = self.array_items(p0, p0 + plen, field, depth, false);
        for it in items.iter_mut() {
            if it.name == "expert" {
                continue;
            }
            let idx = it.name.trim_start_matches("attr ").to_string();
            let Some(level_name) = levels.get(level) else {
                continue;
            };
            it.name = format!("{level_name} {idx}").into();
            it.field = field.to_string().into();
            it.raw = false;
            it.value = idx.parse::<u64>().map(Value::Uint).unwrap_or(Value::None);
            it.display = String::new();
            it.plain = false;
            let (q0, qlen) = (it.offset + NLA_HDRLEN, it.length - NLA_HDRLEN);
            it.children = self.type_value(attr, levels, level + 1, q0, qlen, field, depth + 1);
        }
        items
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn sub_message_into(
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
