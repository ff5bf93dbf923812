//! The comparable leaves of a tree gathered as it is written ([`Gather`], a [`Sink`]), or
//! from its built nodes, and what changed between two such lists. Leaves are what
//! `each_leaf` walks: nodes without children, with a field and a shown value, outside
//! volatile subtrees; each keyed by its field's hash and occurrence.

use std::ops::Range;

use super::{Change, Leaf, Seen, diff, each_leaf, str_hash, volatile};
use crate::model::{Name, Node, Sink, Val};

/// One comparable leaf: its key (field and occurrence), its shown value's hash and
/// occurrence number, its field and name, and where its shown value is in [`Gather`]'s text.
struct Gathered {
    key: u64,
    value: u64,
    nth: u32,
    field: Name,
    name: Name,
    shown: Range<usize>,
}

/// A node opened and not closed yet.
enum Open {
    /// Shown with a value and no child so far: a leaf if none comes (its field, name, and
    /// where its shown value starts in the text).
    Leaf(Name, Name, usize),
    /// Not a leaf: it has children, or no value or field to compare.
    Inner,
}

/// The comparable leaves of a tree, gathered as it is written (or from built nodes).
#[derive(Default)]
pub(super) struct Gather {
    leaves: Vec<Gathered>,
    /// The leaves' shown values, one after the other.
    text: String,
    seen: Seen,
    open: Vec<Open>,
    /// Nodes open inside a volatile subtree (0: none), left out with all below them.
    skip: usize,
}

impl Gather {
    /// A child arrives for the node open last: it is no leaf then (its shown value goes).
    fn child(&mut self) {
        if let Some(last) = self.open.last_mut()
            && let Open::Leaf(_, _, start) = *last
        {
            self.text.truncate(start);
            *last = Open::Inner;
        }
    }

    /// A leaf at `field` named `name` whose shown value is the text from `start` on.
    fn leaf(&mut self, field: Name, name: Name, start: usize) {
        let fh = str_hash(&field);
        let k = self.seen.entry(fh).or_insert(0);
        *k += 1;
        let shown = start..self.text.len();
        self.leaves.push(Gathered {
            key: fh ^ u64::from(*k).wrapping_mul(0x9e37_79b9_7f4a_7c15),
            value: str_hash(self.text.get(shown.clone()).unwrap_or_default()),
            nth: *k,
            field,
            name,
            shown,
        });
    }

    /// Whether a node at `field` opens or is a subtree left out (inside one, or volatile).
    fn skipped(&mut self, field: &str, opens: bool) -> bool {
        if self.skip > 0 || (!field.is_empty() && volatile(field)) {
            if opens {
                self.skip += 1;
            }
            return true;
        }
        false
    }

    /// The node `n` and all below it, as `each_leaf` walks them.
    fn nodes(&mut self, n: &Node) {
        let Gather {
            leaves, text, seen, ..
        } = self;
        each_leaf(std::slice::from_ref(n), seen, &mut |node, nth, key| {
            let start = text.len();
            node.push_display(text);
            leaves.push(Gathered {
                key,
                value: str_hash(text.get(start..).unwrap_or_default()),
                nth,
                field: node.field.clone(),
                name: node.name.clone(),
                shown: start..text.len(),
            });
        });
    }

    /// The leaves of built `nodes`.
    pub(super) fn of(nodes: &[Node]) -> Gather {
        let mut g = Gather::default();
        for n in nodes {
            g.nodes(n);
        }
        g
    }

    /// Leaves whose key is in `keys`, as [`Leaf`]s.
    fn pick(&self, keys: &std::collections::HashSet<u64, super::KeyHash>) -> Vec<Leaf> {
        self.leaves
            .iter()
            .filter(|l| keys.contains(&l.key))
            .map(|l| Leaf {
                key: if l.nth == 1 {
                    l.field.to_string()
                } else {
                    format!("{}#{}", l.field, l.nth)
                },
                name: l.name.to_string(),
                value: self
                    .text
                    .get(l.shown.clone())
                    .unwrap_or_default()
                    .to_string(),
            })
            .collect()
    }

    /// The changes from the tree `self` gathered to the tree `new` did: leaves compared by
    /// hash, text copied only for the leaves that changed.
    pub(super) fn changes_to(&self, new: &Gather) -> Vec<Change> {
        let (lo, ln) = (&self.leaves, &new.leaves);
        let same = |a: &Gathered, b: &Gathered| (a.key, a.value) == (b.key, b.value);
        if lo.len() == ln.len() && lo.iter().zip(ln).all(|(a, b)| same(a, b)) {
            return Vec::new();
        }
        let before: std::collections::HashMap<u64, u64, super::KeyHash> =
            lo.iter().map(|l| (l.key, l.value)).collect();
        let now: std::collections::HashSet<u64, super::KeyHash> =
            ln.iter().map(|l| l.key).collect();
        let changed: std::collections::HashSet<u64, super::KeyHash> = ln
            .iter()
            .filter(|l| before.get(&l.key) != Some(&l.value))
            .map(|l| l.key)
            .chain(lo.iter().map(|l| l.key).filter(|k| !now.contains(k)))
            .collect();
        diff(&self.pick(&changed), &new.pick(&changed))
    }
}

impl Sink for Gather {
    const FIELDS: bool = true;

    fn node(&mut self, n: &Node) {
        self.child();
        if self.skip == 0 {
            self.nodes(n);
        }
    }

    // The JSON heads, so that a level keeps what JSON output finds there (`WrittenAt`).
    fn heads(
        &self,
        names: &'static [&'static str],
        fields: &'static [&'static str],
    ) -> Option<&'static [&'static str]> {
        crate::model::json_heads(names, fields)
    }

    fn open(
        &mut self,
        (name, field, _): (&Name, &Name, Option<&'static str>),
        v: Val<'_>,
        show: impl FnOnce(&mut String),
        _at: (usize, usize),
    ) {
        self.child();
        if self.skipped(field, true) {
            return;
        }
        let start = self.text.len();
        show(&mut self.text);
        // As `each_leaf`: a leaf needs a field, and a value or a shown one.
        let leaf = !field.is_empty() && (!matches!(v, Val::Null) || self.text.len() > start);
        self.open.push(if leaf {
            Open::Leaf(field.clone(), name.clone(), start)
        } else {
            self.text.truncate(start);
            Open::Inner
        });
    }

    fn open_bare(
        &mut self,
        (_, field, _): (&Name, &Name, Option<&'static str>),
        _at: (usize, usize),
    ) {
        self.child();
        if !self.skipped(field, true) {
            self.open.push(Open::Inner);
        }
    }

    fn number(
        &mut self,
        (name, field, _): (&Name, &Name, Option<&'static str>),
        v: Val<'_>,
        _at: (usize, usize),
    ) {
        self.child();
        if field.is_empty() || self.skipped(field, false) {
            return;
        }
        let start = self.text.len();
        let mut b = itoa::Buffer::new();
        match v {
            Val::Uint(u) => self.text.push_str(b.format(u)),
            Val::Int(i) => self.text.push_str(b.format(i)),
            _ => {}
        }
        self.leaf(field.clone(), name.clone(), start);
    }

    fn close(&mut self) {
        if self.skip > 0 {
            self.skip -= 1;
            return;
        }
        if let Some(Open::Leaf(field, name, start)) = self.open.pop() {
            self.leaf(field, name, start);
        }
    }
}
