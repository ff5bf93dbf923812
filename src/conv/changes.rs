//! What changed: a message about a kernel object (a link, an address, a route, a conntrack
//! entry, an nftables rule...) compared with the previous message about the same object
//! (`MessageView::object_key`), leaf by leaf: `IFLA_MTU: 1500 -> 9000`.

use std::fmt::Write as _;

use super::MsgRef;
use crate::model::{Node, Value};

/// One leaf of a tree, as compared: field path (with `#N` for its Nth repeat), node name and
/// shown value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leaf {
    /// Field path, `#2` appended for the second occurrence.
    pub key: String,
    /// Node name (`IFLA_MTU`).
    pub name: String,
    /// Displayed value.
    pub value: String,
}

/// One change between two messages about an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Filter field path of the attribute.
    pub field: String,
    /// Node name.
    pub name: String,
    /// Value before (`None`: absent before).
    pub old: Option<String>,
    /// Value after (`None`: absent now).
    pub new: Option<String>,
}

/// What changed in a message since the previous one about its object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changes {
    /// The previous message about the object.
    pub since: MsgRef,
    /// The changes, in the order of the newer tree (removed leaves last).
    pub changes: Vec<Change>,
}

/// Counters and timestamps change with every message; comparing them says nothing.
fn volatile(field: &str) -> bool {
    [
        "stats",
        "cacheinfo",
        "xstats",
        "counters",
        "timeout",
        "use",
        "last-use",
        "age",
        // nfgenmsg's generation: every answer after a commit carries the new one.
        "res-id",
    ]
    .iter()
    .any(|v| field.rsplit('.').any(|part| part == *v))
        || field.contains(".stats")
}

/// The comparable leaves of `tree`.
pub fn leaves(tree: &[Node]) -> Vec<Leaf> {
    let mut out = Vec::new();
    let mut seen: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    for n in tree {
        n.walk(&mut |n: &Node| {
            if !n.children.is_empty() || n.field.is_empty() || volatile(&n.field) {
                return;
            }
            if matches!(n.value, Value::None) && n.display.is_empty() {
                return;
            }
            let k = seen.entry(n.field.clone()).or_insert(0);
            *k += 1;
            let key = if *k == 1 {
                n.field.clone()
            } else {
                format!("{}#{k}", n.field)
            };
            out.push(Leaf {
                key,
                name: n.name.clone(),
                value: n.display.clone(),
            });
        });
    }
    out
}

/// The changes from `old` to `new` leaves.
pub fn diff(old: &[Leaf], new: &[Leaf]) -> Vec<Change> {
    let field = |k: &str| k.split('#').next().unwrap_or(k).to_string();
    let before: std::collections::HashMap<&str, &Leaf> =
        old.iter().map(|l| (l.key.as_str(), l)).collect();
    let now: std::collections::HashSet<&str> = new.iter().map(|l| l.key.as_str()).collect();
    let mut out = Vec::new();
    for l in new {
        match before.get(l.key.as_str()) {
            Some(o) if o.value == l.value => {}
            o => out.push(Change {
                field: field(&l.key),
                name: l.name.clone(),
                old: o.map(|o| o.value.clone()),
                new: Some(l.value.clone()),
            }),
        }
    }
    for o in old.iter().filter(|o| !now.contains(o.key.as_str())) {
        out.push(Change {
            field: field(&o.key),
            name: o.name.clone(),
            old: Some(o.value.clone()),
            new: None,
        });
    }
    out
}

/// `IFLA_MTU: 1500 -> 9000`.
pub fn change_text(c: &Change) -> String {
    format!(
        "{}: {} -> {}",
        c.name,
        c.old.as_deref().unwrap_or("(absent)"),
        c.new.as_deref().unwrap_or("(absent)")
    )
}

/// The generated `[Changed since]` node: one child per change (field `nlmsg.changed`, its
/// value the attribute's field path).
pub fn node(c: &Changes) -> Node {
    node_named(c, "[Changed since]")
}

/// The changes node under another name (the app's `[Compared with]`).
pub fn node_named(c: &Changes, name: &str) -> Node {
    let mut n = Node::new(name, "nlmsg.changes", Value::None, 0, 0);
    n.display = format!("frame {} message {}: ", c.since.frame, c.since.msg);
    if c.changes.is_empty() {
        n.display.push_str("nothing");
    }
    for (i, ch) in c.changes.iter().enumerate() {
        if i == 3 {
            let _ = write!(n.display, ", ... ({} in all)", c.changes.len());
            break;
        }
        if i > 0 {
            n.display.push_str(", ");
        }
        n.display.push_str(&change_text(ch));
    }
    n.children = c
        .changes
        .iter()
        .map(|ch| {
            let mut k = Node::new(
                ch.name.clone(),
                "nlmsg.changed",
                Value::Str(ch.field.clone()),
                0,
                0,
            );
            k.display = format!(
                "{} -> {}",
                ch.old.as_deref().unwrap_or("(absent)"),
                ch.new.as_deref().unwrap_or("(absent)")
            );
            k
        })
        .collect();
    n
}

/// Append the JSON key `"changes"` (with a leading comma).
pub fn write_json(out: &mut String, c: &Changes) {
    let _ = write!(
        out,
        ",\"changes\":{{\"since\":{{\"frame\":{},\"msg\":{}}},\"fields\":[",
        c.since.frame, c.since.msg
    );
    for (i, ch) in c.changes.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(
            out,
            "{}",
            serde_json::json!({"field": ch.field, "name": ch.name, "old": ch.old, "new": ch.new})
        );
    }
    out.push_str("]}");
}

/// The objects seen so far and their last message's leaves: what a streaming reader keeps
/// to tell each message what changed. Bounded: past `MAX_OBJECTS` objects the oldest half
/// is forgotten (their next message then starts over, with no comparison).
#[derive(Debug, Default)]
pub struct Objects {
    last: std::collections::HashMap<u64, (MsgRef, u64, Vec<Leaf>)>,
    tick: u64,
}

const MAX_OBJECTS: usize = 200_000;

impl Objects {
    /// Record the message at `at` about object `key` with `tree`; what changed since the
    /// previous message about it, if there was one.
    pub fn update(&mut self, key: u64, at: MsgRef, tree: &[Node]) -> Option<Changes> {
        self.tick += 1;
        let new = leaves(tree);
        let prev = self.last.remove(&key);
        let out = prev.map(|(since, _, old)| Changes {
            since,
            changes: diff(&old, &new),
        });
        if self.last.len() >= MAX_OBJECTS {
            let cut = self.tick.saturating_sub(MAX_OBJECTS as u64 / 2);
            self.last.retain(|_, v| v.1 >= cut);
        }
        self.last.insert(key, (at, self.tick, new));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(field: &str, name: &str, v: u64) -> Node {
        Node::new(name, field, Value::Uint(v), 0, 0)
    }

    #[test]
    fn changed_added_removed_and_volatile() {
        let old = vec![
            leaf("rt-link.mtu", "IFLA_MTU", 1500),
            leaf("rt-link.txqlen", "IFLA_TXQLEN", 1000),
            leaf("rt-link.stats64.rx-packets", "rx_packets", 1),
        ];
        let new = vec![
            leaf("rt-link.mtu", "IFLA_MTU", 9000),
            leaf("rt-link.group", "IFLA_GROUP", 0),
            leaf("rt-link.stats64.rx-packets", "rx_packets", 9),
        ];
        let mut o = Objects::default();
        let a = MsgRef { frame: 1, msg: 0 };
        assert_eq!(o.update(7, a, &old), None);
        let c = o.update(7, MsgRef { frame: 2, msg: 0 }, &new).unwrap();
        assert_eq!(c.since, a);
        let texts: Vec<String> = c.changes.iter().map(change_text).collect();
        assert_eq!(
            texts,
            [
                "IFLA_MTU: 1500 -> 9000",
                "IFLA_GROUP: (absent) -> 0",
                "IFLA_TXQLEN: 1000 -> (absent)"
            ]
        );
        let n = node(&c);
        assert!(
            n.display
                .starts_with("frame 1 message 0: IFLA_MTU: 1500 -> 9000"),
            "{}",
            n.display
        );
        assert_eq!(n.children.len(), 3);
        assert_eq!(n.children[0].value, Value::Str("rt-link.mtu".into()));
        let mut j = String::new();
        write_json(&mut j, &c);
        assert!(
            j.starts_with(",\"changes\":{\"since\":{\"frame\":1,\"msg\":0},\"fields\":[{"),
            "{j}"
        );
        // The same again: nothing changed.
        let c = o.update(7, MsgRef { frame: 3, msg: 0 }, &new).unwrap();
        assert!(c.changes.is_empty());
        assert!(node(&c).display.ends_with("nothing"));
    }

    #[test]
    fn repeated_fields_compare_by_occurrence() {
        let old = vec![leaf("x.a", "A", 1), leaf("x.a", "A", 2)];
        let new = vec![leaf("x.a", "A", 1), leaf("x.a", "A", 3)];
        let d = diff(&leaves(&old), &leaves(&new));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].field, "x.a");
        assert_eq!(d[0].old.as_deref(), Some("2"));
    }
}
