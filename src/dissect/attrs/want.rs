//! The fields a display filter reads, so a tree built for it holds only their paths.

use super::super::specs::AttrType;

/// Field paths a tree must answer (`rt-link.mtu`, `rt-link.linkinfo.kind`). Built for a filter
/// by [`crate::dissect::fields::Catalog::want`]; the walker then builds only attributes on those
/// paths plus, at each level on them, the plain values sub-messages take their format from
/// (their selectors; all plain values for a family hook that reads them), and skips
/// everything else.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Want {
    fields: Vec<Box<str>>,
    /// Keep every plain value at the levels walked, not only selectors: a family hook reads
    /// them (nftables types set keys by the set named beside them).
    pub(in crate::dissect) all_plain: bool,
}

impl Want {
    /// A tree for `fields` (canonical filter field names).
    pub fn new<'f>(fields: impl IntoIterator<Item = &'f str>) -> Self {
        Want {
            fields: fields.into_iter().map(Box::from).collect(),
            all_plain: false,
        }
    }

    /// The same fields, keeping every plain value on their paths.
    pub(in crate::dissect) fn with_all_plain(&self) -> Self {
        Want {
            all_plain: true,
            ..self.clone()
        }
    }

    /// Whether the attributes inside `path` can hold a wanted field.
    pub fn level(&self, path: &str) -> bool {
        self.fields.iter().any(|f| {
            f.strip_prefix(path)
                .is_some_and(|rest| rest.starts_with('.'))
        })
    }

    /// Whether the node at `path` or anything inside it is wanted.
    pub fn covers(&self, path: &str) -> bool {
        self.fields.iter().any(|f| {
            f.strip_prefix(path)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
        })
    }

    /// The components right after `path` of the wanted fields inside it: the names (and the
    /// numbers they parse as) of the attributes [`Want::keeps`] there.
    pub fn next_at(&self, path: &str) -> Vec<(&str, Option<u16>)> {
        self.fields
            .iter()
            .filter_map(|f| f.strip_prefix(path)?.strip_prefix('.'))
            .map(|rest| {
                let comp = rest.split('.').next().unwrap_or("");
                (comp, comp.parse::<u16>().ok())
            })
            .collect()
    }

    /// Whether the attribute `name` (or number `num`) inside `path` is wanted or holds a
    /// wanted field.
    pub fn keeps(&self, path: &str, name: Option<&str>, num: u16) -> bool {
        self.fields.iter().any(|f| {
            let Some(rest) = f.strip_prefix(path).and_then(|r| r.strip_prefix('.')) else {
                return false;
            };
            let comp = rest.split('.').next().unwrap_or("");
            name.is_some_and(|n| n == comp) || comp.parse::<u16>() == Ok(num)
        })
    }

    /// Whether an attribute of type `ty` is a plain value (a sub-message's selector is one).
    pub(crate) fn plain(ty: &AttrType) -> bool {
        matches!(
            ty,
            AttrType::Scalar(_)
                | AttrType::String
                | AttrType::Flag
                | AttrType::Bitfield32
                | AttrType::Pad
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_keeps() {
        let w = Want::new(["rt-link.linkinfo.kind", "rt-link.mtu"]);
        assert!(w.level("rt-link"));
        assert!(w.level("rt-link.linkinfo"));
        assert!(!w.level("rt-link.linkinfo.kind"));
        assert!(!w.level("rt-link.af-spec"));
        assert!(!w.level("rt-addr"));
        assert!(!w.level("rt-lin"));
        assert!(w.covers("rt-link.mtu") && w.covers("rt-link") && w.covers("rt-link.linkinfo"));
        assert!(!w.covers("rt-link.mt") && !w.covers("genl") && !w.covers("rt-lin"));
        assert!(w.keeps("rt-link", Some("linkinfo"), 18));
        assert!(w.keeps("rt-link", Some("mtu"), 4));
        assert!(!w.keeps("rt-link", Some("mtu6"), 99));
        assert!(!w.keeps("rt-link", Some("af-spec"), 26));
        assert_eq!(w.next_at("rt-link"), [("linkinfo", None), ("mtu", None)]);
        let n = Want::new(["rt-link.linkinfo.45"]);
        assert_eq!(n.next_at("rt-link.linkinfo"), [("45", Some(45))]);
        assert!(n.keeps("rt-link.linkinfo", None, 45));
        assert!(!n.keeps("rt-link.linkinfo", None, 4));
    }
}
