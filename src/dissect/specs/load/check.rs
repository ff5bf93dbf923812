//! Cross-reference checks of a compiled [`Spec`]: what its structs, arrays and attribute sets
//! name must exist.

use super::{R, lazy};
use crate::dissect::specs::model::*;

/// Arrays and unions of struct `st` refer to what exists: an earlier integer member for the
/// count or selector, a defined element struct or sub-message; an array comes last.
fn check_members(s: &Spec, st: &StructDef) -> R<()> {
    for (i, m) in st.members.iter().enumerate() {
        let ctx = lazy(|f| write!(f, "struct '{}' member '{}'", st.name, m.name));
        let earlier_int = |n: &str| {
            st.members
                .iter()
                .take(i)
                .any(|e| e.name == n && matches!(e.kind, MemberKind::Scalar(_)))
        };
        match &m.kind {
            MemberKind::Array { structure, count } => {
                if !s.structs.contains_key(structure) {
                    return Err(format!("{ctx}: struct '{structure}' is not defined"));
                }
                if !count.is_empty() && !earlier_int(count) {
                    return Err(format!(
                        "{ctx}: nlscope-count '{count}' is not an earlier integer member"
                    ));
                }
                if i + 1 != st.members.len() {
                    return Err(format!(
                        "{ctx}: an array of structs must be the last member"
                    ));
                }
            }
            MemberKind::Rest(_) if i + 1 != st.members.len() => {
                return Err(format!(
                    "{ctx}: an array to the end must be the last member"
                ));
            }
            MemberKind::Union {
                sub_message,
                selector,
                ..
            } => {
                if !s.sub_messages.contains_key(sub_message) {
                    return Err(format!("{ctx}: sub-message '{sub_message}' is not defined"));
                }
                let int_member = st
                    .members
                    .iter()
                    .any(|e| e.name == *selector && matches!(e.kind, MemberKind::Scalar(_)));
                if !int_member {
                    return Err(format!(
                        "{ctx}: selector '{selector}' is not an integer member of the struct"
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

pub(super) fn check_refs(s: &Spec) -> R<()> {
    let has_struct = |n: &str| s.structs.contains_key(n);
    for set in s.sets.values() {
        for a in &set.attrs {
            let ctx = lazy(|f| write!(f, "attribute '{}' of set '{}'", a.name, set.name));
            if let Some(n) = &a.nested
                && !s.sets.contains_key(n)
            {
                return Err(format!("{ctx}: nested-attributes '{n}' is not defined"));
            }
            if let AttrType::Binary {
                structure: Some(st),
                ..
            } = &a.ty
                && !has_struct(st)
            {
                return Err(format!("{ctx}: struct '{st}' is not defined"));
            }
            if let Some(h) = &a.fixed_header {
                if !has_struct(h) {
                    return Err(format!("{ctx}: fixed-header '{h}' is not defined"));
                }
                if !matches!(a.ty, AttrType::Nest) {
                    return Err(format!("{ctx}: fixed-header needs type nest"));
                }
            }
            if let (
                Some(m),
                AttrType::Binary {
                    structure: Some(st),
                    ..
                },
            ) = (&a.record_len, &a.ty)
            {
                let int_member = s.structs.get(st).is_some_and(|d| {
                    d.members
                        .iter()
                        .any(|e| e.name == *m && matches!(e.kind, MemberKind::Scalar(_)))
                });
                if !int_member {
                    return Err(format!(
                        "{ctx}: nlscope-record-len '{m}' is not an integer member of struct '{st}'"
                    ));
                }
            }
            let index_enums = a.ints.iter().flat_map(|i| {
                i.index
                    .iter()
                    .chain(i.index_by_count.iter().map(|(_, e)| e))
            });
            for e in index_enums {
                match s.enums.get(e) {
                    None => return Err(format!("{ctx}: nlscope-index '{e}' is not defined")),
                    Some(d) if d.is_flags => {
                        return Err(format!("{ctx}: nlscope-index '{e}' is flags, not an enum"));
                    }
                    Some(_) => {}
                }
            }
            if let AttrType::SubMessage { name, .. } = &a.ty
                && !s.sub_messages.contains_key(name)
            {
                return Err(format!("{ctx}: sub-message '{name}' is not defined"));
            }
        }
    }
    for st in s.structs.values() {
        check_members(s, st)?;
    }
    for sm in s.sub_messages.values() {
        for f in &sm.formats {
            if let Some(set) = &f.attribute_set
                && !s.sets.contains_key(set)
            {
                return Err(format!(
                    "sub-message '{}' format '{}': attribute set '{set}' is not defined",
                    sm.name, f.value
                ));
            }
            if let Some(h) = &f.fixed_header
                && !has_struct(h)
            {
                return Err(format!(
                    "sub-message '{}' format '{}': struct '{h}' is not defined",
                    sm.name, f.value
                ));
            }
        }
    }
    for op in &s.ops {
        if let Some(set) = &op.attribute_set
            && !s.sets.contains_key(set)
        {
            return Err(format!(
                "operation '{}': attribute set '{set}' is not defined",
                op.name
            ));
        }
        for h in op.fixed_header.iter().chain(s.fixed_header.iter()) {
            if !has_struct(h) {
                return Err(format!(
                    "operation '{}': fixed header '{h}' is not defined",
                    op.name
                ));
            }
        }
    }
    Ok(())
}
