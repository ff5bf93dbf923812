//! A filter's value of a top-level plain attribute (`rt-link.mtu`, `nl80211.ifindex`), read
//! straight from the message: the attributes are scanned by type number and only the field's
//! become nodes. The tree a filter otherwise builds walks every attribute by name, makes the
//! fixed header's node and runs the family's hooks. Only where that tree holds exactly these
//! nodes at the field; else `None`, and the filter builds the tree.

use super::super::attrs::{Walker, Want};
use super::super::specs::{AttrSet, MemberKind, StructDef};
use super::tree::genl_layout;
use super::{MessageView, Target};
use crate::model::Node;
use crate::netlink::{NLMSG_HDRLEN, align4};

/// Most type numbers one field name has in a set (a set numbers a name once; a few list it
/// twice).
const MAX_TYPES: usize = 4;

impl MessageView<'_> {
    /// Whether `f` holds for one of the nodes a filter's tree (for `want`) would hold at
    /// `field`, a top-level plain attribute of this message's family (built in message order
    /// up to the first it holds for); `None` where the tree must be built to know (a family
    /// hook places or rereads values, the header has no fixed size, the field is not such an
    /// attribute, error and uevent messages, generic netlink ones without a spec).
    pub(crate) fn top_level_any(
        &self,
        field: &str,
        want: &Want,
        f: &mut dyn FnMut(&Node) -> bool,
    ) -> Option<bool> {
        let m = &self.m;
        if self.prune.is_some() || self.is_uevent() || m.present < NLMSG_HDRLEN {
            return None;
        }
        let (start, end) = (m.offset + NLMSG_HDRLEN, m.offset + m.present);
        let mut w = Walker {
            data: self.data,
            endian: m.endian,
            spec: None,
            overrides: Vec::new(),
            op: None,
            want: Some(want),
            prune: None,
        };
        // The attributes' set and where they start (after the fixed header).
        let (set, pos) = match self.target() {
            Target::Raw { spec, op } => {
                let hooks = self.hooks();
                if hooks.finish_reads_values() {
                    return None;
                }
                let (p, layout) = self.raw_layout(spec, op, start, end);
                let placed = |f: &str| {
                    f == field || f.strip_prefix(field).is_some_and(|r| r.starts_with('.'))
                };
                if hooks.override_paths().iter().any(|f| placed(f))
                    || hooks.short_header(&p, layout.header).is_some()
                {
                    return None;
                }
                let pos = after_header(layout.header, start, end)?;
                if hooks.between(&p, pos).is_some() {
                    return None;
                }
                (w.spec, w.op) = (Some(layout.spec), Some(op.name.as_str()));
                (layout.set?, pos)
            }
            // genl_tree: genlmsghdr, the op's fixed header, attributes in the family's order.
            Target::Genl {
                spec: Some(spec),
                op,
                ..
            } if end - start >= 4 => {
                let (hdr, set, attrs_endian) = genl_layout(spec, op, m.endian);
                let pos = after_header(hdr, start + 4, end)?;
                (w.spec, w.op, w.endian) = (Some(spec), op.map(|o| o.name.as_str()), attrs_endian);
                (set?, pos)
            }
            _ => return None,
        };
        let root = w.spec?.field_root();
        let name = field.strip_prefix(root)?.strip_prefix('.')?;
        let (types, n) = self.resolved().direct_types.get(set, name)?;
        Some(w.top_level_any((pos, end), set, root, types.get(..n)?, f))
    }
}

/// Where the attributes start after fixed header `st` at `pos` (the bare header node's
/// extent, attrs::Walker::header_node); `None` for a header without a fixed size or cut
/// short (the tree decodes those member by member).
fn after_header(st: Option<&StructDef>, pos: usize, end: usize) -> Option<usize> {
    let Some(st) = st else {
        return Some(pos);
    };
    let sized = st
        .members
        .iter()
        .all(|m| !matches!(m.kind, MemberKind::Array { .. } | MemberKind::Rest(_)));
    (sized && end.checked_sub(pos)? >= st.size).then(|| pos + align4(st.size).min(end - pos))
}

/// [`types_of`] of the fields a kind of message was asked for, in the sets asked (most
/// filters ask one field of one set, for every message of the kind).
#[derive(Default)]
pub(super) struct TypesMemo(std::cell::RefCell<Vec<KeptTypes>>);

/// A set (by address), a field name and its [`types_of`].
type KeptTypes = (usize, Box<str>, Option<([u16; MAX_TYPES], usize)>);

impl TypesMemo {
    /// [`types_of`]`(set, name)`, kept for the first few sets and names asked.
    fn get(&self, set: &AttrSet, name: &str) -> Option<([u16; MAX_TYPES], usize)> {
        const KEPT: usize = 8;
        let at = std::ptr::from_ref(set) as usize;
        if let Some((.., t)) = self
            .0
            .borrow()
            .iter()
            .find(|(s, n, _)| *s == at && **n == *name)
        {
            return *t;
        }
        let t = types_of(set, name);
        let mut kept = self.0.borrow_mut();
        if kept.len() < KEPT {
            kept.push((at, name.into(), t));
        }
        t
    }
}

/// The type numbers whose attribute in `set` (the first numbered so: what the walker finds)
/// is named `name`, a plain value's; `None` for a name with a dot or a number, or one that
/// names anything else.
fn types_of(set: &AttrSet, name: &str) -> Option<([u16; MAX_TYPES], usize)> {
    if name.contains('.') || name.parse::<u16>().is_ok() {
        return None;
    }
    let (mut types, mut n) = ([0u16; MAX_TYPES], 0);
    for a in set.attrs.iter().filter(|a| a.name == name) {
        if !Want::plain(&a.ty) {
            return None;
        }
        if set.get(a.value).is_some_and(|f| f.name == name) {
            *types.get_mut(n)? = a.value;
            n += 1;
        }
    }
    Some((types, n))
}

#[cfg(test)]
mod tests {
    use crate::dissect::attrs::Want;
    use crate::dissect::fields::MsgFields;
    use crate::filter::{FieldSource, FieldValue};

    fn values(fields: &MsgFields<'_>, field: &str, stop_at: usize) -> (bool, Vec<String>) {
        let mut seen = Vec::new();
        let hit = fields.any(field, &mut |v: &FieldValue<'_>| {
            seen.push(format!("{v:?}"));
            seen.len() == stop_at
        });
        (hit, seen)
    }

    /// On every repo and shared capture, each top-level attribute of each kind of message
    /// reads alike straight from the message and from the filter's tree: every value in
    /// order, and a search that stops at the second.
    #[test]
    fn direct_values_are_the_trees() {
        let (mut direct, mut compared) = (0, 0);
        crate::dissect::tests::each_capture_message(4, &mut |f, v, len| {
            let Some(spec) = v.spec() else { return };
            let root = spec.field_root();
            let mut names: Vec<&str> = spec
                .sets
                .values()
                .flat_map(|s| s.attrs.iter().map(|a| a.name))
                .collect();
            names.sort_unstable();
            names.dedup();
            for name in names {
                let field = format!("{root}.{name}");
                let want = Want::new([field.as_str()]);
                if v.top_level_any(&field, &want, &mut |_| false).is_none() {
                    continue;
                }
                direct += 1;
                for stop_at in [0, 2] {
                    let fast = MsgFields::new(v, 1, 0, len).wanting(Some(&want));
                    let got = values(&fast, &field, stop_at);
                    assert!(!fast.tree_built(), "{field}");
                    let slow = MsgFields::new(v, 1, 0, len).wanting(Some(&want));
                    let _ = slow.tree();
                    assert_eq!(got, values(&slow, &field, stop_at), "{f:?} {field}");
                    compared += usize::from(!got.1.is_empty());
                }
            }
        });
        assert!(
            direct >= 50_000 && compared >= 2_000,
            "{direct} direct reads, {compared} with values"
        );
    }
}
