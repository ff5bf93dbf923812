//! What changed: a message about a kernel object (a link, an address, a route, a conntrack
//! entry, an nftables rule...) compared with the previous message about the same object
//! (`MessageView::object_key`), leaf by leaf: `IFLA_MTU: 1500 -> 9000`.

use std::fmt::Write as _;

use super::MsgRef;
use crate::model::{Node, Value};

mod gather;

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

/// Whether the node at `field` is left out of comparisons with all below it: its last
/// component names counters or timestamps ([`crate::dissect::specs::volatile_name`]).
pub(crate) fn volatile(field: &str) -> bool {
    let b = field.as_bytes();
    let last = b
        .iter()
        .rposition(|c| *c == b'.')
        .map_or(b, |i| b.get(i + 1..).unwrap_or_default());
    crate::dissect::specs::volatile_name(last)
}

/// Occurrences of each field so far (by the field's hash), reused between trees.
type Seen = std::collections::HashMap<u64, u32, KeyHash>;

/// A fast hash of a string, eight bytes at a time (keys of our own making: no flooding).
fn str_hash(s: &str) -> u64 {
    let mut h = s.len() as u64;
    let mut chunks = s.as_bytes().chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    let mut w = [0u8; 8];
    for (d, b) in w.iter_mut().zip(chunks.remainder()) {
        *d = *b;
    }
    (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
}

/// Call `f` with each comparable leaf of `nodes`, its occurrence number (1 for the first
/// node of its field) and its key (the field's hash mixed with the occurrence), skipping
/// volatile subtrees.
fn each_leaf<'a>(nodes: &'a [Node], seen: &mut Seen, f: &mut dyn FnMut(&'a Node, u32, u64)) {
    for n in nodes {
        if !n.field.is_empty() && volatile(&n.field) {
            continue;
        }
        if !n.children.is_empty() {
            each_leaf(&n.children, seen, f);
            continue;
        }
        if n.field.is_empty() || (matches!(n.value, Value::None) && !n.has_display()) {
            continue;
        }
        let fh = str_hash(&n.field);
        let k = seen.entry(fh).or_insert(0);
        *k += 1;
        let key = fh ^ u64::from(*k).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        f(n, *k, key);
    }
}

type KeyHash = std::hash::BuildHasherDefault<crate::dissect::KeyHasher>;

/// The comparable leaves of `tree`.
pub fn leaves(tree: &[Node]) -> Vec<Leaf> {
    let mut out = Vec::new();
    let mut seen = Seen::default();
    each_leaf(tree, &mut seen, &mut |n, k, _| out.push(Leaf::of(n, k)));
    out
}

impl Leaf {
    /// Node `n`, the `k`th of its field.
    fn of(n: &Node, k: u32) -> Leaf {
        Leaf {
            key: if k == 1 {
                n.field.to_string()
            } else {
                format!("{}#{k}", n.field)
            },
            name: n.name.to_string(),
            value: n.display_text().into_owned(),
        }
    }
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

/// The changes from tree `old` to tree `new`: leaves compared by hash, text copied only for
/// the leaves that changed.
pub fn diff_trees(old: &[Node], new: &[Node]) -> Vec<Change> {
    gather::Gather::of(old).changes_to(&gather::Gather::of(new))
}

/// What changed from message `old` to message `new` (about one object). Nothing when their
/// fingerprints are equal; else both trees are written as compared, their leaves gathered:
/// counters, and the attributes alike in both, left out (see
/// [`crate::dissect::attrs::Prune::against`]).
pub fn diff_views(
    old: &crate::dissect::MessageView,
    new: &crate::dissect::MessageView,
) -> Vec<Change> {
    use crate::dissect::attrs::Prune;
    let (po, pn) = (old.attr_prints(), new.attr_prints());
    if po.fingerprint == pn.fingerprint {
        return Vec::new();
    }
    // Their leaves gathered as the trees are written, not from built trees.
    let (mut go, mut gn) = (gather::Gather::default(), gather::Gather::default());
    old.write_pruned(&Prune::against(&po, &pn), &mut go);
    new.write_pruned(&Prune::against(&pn, &po), &mut gn);
    go.changes_to(&gn)
}

/// `IFLA_MTU: 1500 -> 9000`.
pub fn change_text(c: &Change) -> String {
    let mut s = String::new();
    push_change(&mut s, c);
    s
}

/// [`change_text`] appended.
fn push_change(out: &mut String, c: &Change) {
    out.push_str(&c.name);
    out.push_str(": ");
    push_old_new(out, c);
}

/// `1500 -> 9000` appended (`(absent)` for a side without the attribute): by hand, as a
/// tree shows it for every message that changed something.
fn push_old_new(out: &mut String, c: &Change) {
    out.push_str(c.old.as_deref().unwrap_or("(absent)"));
    out.push_str(" -> ");
    out.push_str(c.new.as_deref().unwrap_or("(absent)"));
}

/// The generated `[Changed since]` node: one child per change (field `nlmsg.changed`, its
/// value the attribute's field path).
pub fn node(c: &Changes) -> Node {
    node_named(c, "[Changed since]")
}

/// The changes node under another name (the app's `[Compared with]`).
pub fn node_named(c: &Changes, name: &str) -> Node {
    let mut n = Node::new(name.to_string(), "nlmsg.changes", Value::None, 0, 0);
    n.display = super::show::at_text(c.since);
    n.display.push_str(": ");
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
        push_change(&mut n.display, ch);
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
            k.display.clear();
            push_old_new(&mut k.display, ch);
            k
        })
        .collect();
    n
}

/// Append the JSON key `"changes"` (with a leading comma). Each change's keys in the order
/// `serde_json` sorts them (`field`, `name`, `new`, `old`), written by hand: it is written
/// for every message about an object.
pub fn write_json(out: &mut String, c: &Changes) {
    use crate::model::json_str;
    let opt = |out: &mut String, v: &Option<String>| match v {
        Some(v) => json_str(out, v),
        None => out.push_str("null"),
    };
    let _ = write!(
        out,
        ",\"changes\":{{\"since\":{{\"frame\":{},\"msg\":{}}},\"fields\":[",
        c.since.frame, c.since.msg
    );
    for (i, ch) in c.changes.iter().enumerate() {
        out.push_str(if i > 0 { ",{\"field\":" } else { "{\"field\":" });
        json_str(out, &ch.field);
        out.push_str(",\"name\":");
        json_str(out, &ch.name);
        out.push_str(",\"new\":");
        opt(out, &ch.new);
        out.push_str(",\"old\":");
        opt(out, &ch.old);
        out.push('}');
    }
    out.push_str("]}");
}

/// The last message about an object: where it is, its bytes (to show old values when
/// something changed) and its fingerprint.
#[derive(Debug)]
struct Last {
    at: MsgRef,
    tick: u64,
    msg: crate::dissect::MsgIndex,
    bytes: Vec<u8>,
    fingerprint: u64,
}

/// The fingerprint of `view` that what-changed compares first: its bytes but those of
/// volatile attributes (see `MessageView::fingerprint`). Equal fingerprints: nothing changed.
pub fn fingerprint(view: &crate::dissect::MessageView) -> u64 {
    view.fingerprint()
}

/// The objects seen so far, each with its last message: what a streaming reader keeps to
/// tell each message what changed. Messages are compared by [`fingerprint`]; both are
/// dissected only when the fingerprints differ. Bounded: past `MAX_OBJECTS` objects or
/// `MAX_HELD` bytes the half least recently seen is forgotten (their next message then starts
/// over, with no comparison), so a reader's memory stays flat on any file.
#[derive(Debug, Default)]
pub struct Objects {
    last: std::collections::HashMap<u64, Last>,
    tick: u64,
    /// Bytes the remembered messages hold (see `Last::cost`).
    held: usize,
}

const MAX_OBJECTS: usize = 200_000;
const MAX_HELD: usize = 32 << 20;

impl Last {
    /// Bytes it holds, roughly: the message and the map's entry.
    fn cost(&self) -> usize {
        self.bytes.capacity() + 128
    }
}

impl Objects {
    /// Record the message `view` (at `at`, about object `key`); what changed since the
    /// previous message about the object, if there was one.
    pub fn update(
        &mut self,
        dis: &crate::dissect::Dissector,
        key: u64,
        at: MsgRef,
        view: &crate::dissect::MessageView,
    ) -> Option<Changes> {
        let print = fingerprint(view);
        self.record(key, at, view.index(), view.message_bytes(), print)
            .map(|prev| prev.changes(dis, view))
    }

    /// Record message `m` (at `at`, about object `key`, its `bytes` and [`fingerprint`]); the
    /// previous message about the object, if there was one. A parallel reader fingerprints
    /// on its workers, records in capture order, and compares on the workers again.
    pub fn record(
        &mut self,
        key: u64,
        at: MsgRef,
        m: &crate::dissect::MsgIndex,
        bytes: &[u8],
        fingerprint: u64,
    ) -> Option<Previous> {
        self.tick += 1;
        let prev = self.last.remove(&key).map(|last| {
            self.held = self.held.saturating_sub(last.cost());
            let same = last.fingerprint == fingerprint;
            Previous { last, same }
        });
        if self.last.len() >= MAX_OBJECTS || self.held > MAX_HELD {
            self.forget_oldest_half();
        }
        // The message alone, as if at the start of a frame of its own.
        let msg = crate::dissect::MsgIndex {
            offset: 0,
            present: bytes.len(),
            ..*m
        };
        let last = Last {
            at,
            tick: self.tick,
            msg,
            bytes: bytes.to_vec(),
            fingerprint,
        };
        self.held += last.cost();
        self.last.insert(key, last);
        prev
    }

    /// Forget the half of the objects seen least recently.
    fn forget_oldest_half(&mut self) {
        let mut ticks: Vec<u64> = self.last.values().map(|v| v.tick).collect();
        let mid = ticks.len() / 2;
        let cut = ticks.select_nth_unstable(mid).1.to_owned();
        self.last.retain(|_, v| v.tick >= cut);
        self.held = self.last.values().map(Last::cost).sum();
    }

    /// Objects remembered.
    pub fn len(&self) -> usize {
        self.last.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.last.is_empty()
    }
}

/// The previous message about an object, as [`Objects::record`] returns it.
#[derive(Debug)]
pub struct Previous {
    last: Last,
    /// Whether the new message's fingerprint is this one's: nothing changed.
    same: bool,
}

impl Previous {
    /// Whether the new message may have changed something: only then does
    /// [`Previous::changes`] dissect the two.
    pub fn differs(&self) -> bool {
        !self.same
    }

    /// What changed from it to the new message `view` (the old one is dissected again by
    /// `dis`, with `view`'s dissector state, only when the fingerprints differ).
    pub fn changes(
        &self,
        dis: &crate::dissect::Dissector,
        view: &crate::dissect::MessageView,
    ) -> Changes {
        let changes = if self.same {
            Vec::new()
        } else {
            diff_views(&dis.view(&self.last.bytes, &self.last.msg), view)
        };
        Changes {
            since: self.last.at,
            changes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(field: &str, name: &str, v: u64) -> Node {
        Node::new(name.to_string(), field.to_string(), Value::Uint(v), 0, 0)
    }

    /// A statistics nest with one counter: skipped with all below it.
    fn stats(v: u64) -> Node {
        let mut n = Node::new("IFLA_STATS64", "rt-link.stats64", Value::None, 0, 0);
        n.children
            .push(leaf("rt-link.stats64.rx-packets", "rx_packets", v));
        n
    }

    /// Past its byte budget the half seen least recently is forgotten; what stays still
    /// compares.
    /// The `[Changed since]` node: the first three changes in its display, each change a
    /// child showing `old -> new` with the field path as its value.
    #[test]
    fn changes_node_shows_old_and_new() {
        let ch = |name: &str, old: Option<&str>, new: Option<&str>| Change {
            field: format!("rt-link.{name}"),
            name: name.into(),
            old: old.map(str::to_owned),
            new: new.map(str::to_owned),
        };
        let mut c = Changes {
            since: MsgRef { frame: 12, msg: 3 },
            changes: vec![
                ch("mtu", Some("1500"), Some("9000")),
                ch("ifalias", None, Some("\"x\"")),
            ],
        };
        let n = node(&c);
        assert_eq!(
            n.display,
            "frame 12 message 3: mtu: 1500 -> 9000, ifalias: (absent) -> \"x\""
        );
        let kids: Vec<(&str, &str)> = n
            .children
            .iter()
            .map(|k| (k.display.as_str(), k.field.as_ref()))
            .collect();
        assert_eq!(
            kids,
            [
                ("1500 -> 9000", "nlmsg.changed"),
                ("(absent) -> \"x\"", "nlmsg.changed")
            ]
        );
        assert_eq!(n.children[0].value, Value::Str("rt-link.mtu".into()));
        assert_eq!(change_text(&c.changes[1]), "ifalias: (absent) -> \"x\"");
        c.changes
            .extend([ch("a", Some("1"), None), ch("b", Some("2"), Some("3"))]);
        assert_eq!(
            node(&c).display,
            "frame 12 message 3: mtu: 1500 -> 9000, ifalias: (absent) -> \"x\", a: 1 -> (absent), ... (4 in all)"
        );
        c.changes.clear();
        assert_eq!(
            node_named(&c, "[Compared with]").display,
            "frame 12 message 3: nothing"
        );
    }

    /// The JSON written by hand is what `serde_json` makes of the same changes.
    #[test]
    fn changes_json_is_serde_json_s() {
        let ch = |old: Option<&str>, new: Option<&str>| Change {
            field: "rt-link.ifname".into(),
            name: "IFLA_\"IFNAME\"\n".into(),
            old: old.map(str::to_owned),
            new: new.map(str::to_owned),
        };
        let c = Changes {
            since: MsgRef { frame: 7, msg: 2 },
            changes: vec![
                ch(Some("a\u{1}"), None),
                ch(None, Some("é\\")),
                ch(Some(""), Some("x")),
            ],
        };
        let mut out = String::new();
        write_json(&mut out, &c);
        let fields: Vec<serde_json::Value> = c
            .changes
            .iter()
            .map(|ch| serde_json::json!({"field": ch.field, "name": ch.name, "old": ch.old, "new": ch.new}))
            .collect();
        let fields = serde_json::Value::Array(fields);
        let want =
            format!(",\"changes\":{{\"since\":{{\"frame\":7,\"msg\":2}},\"fields\":{fields}}}");
        assert_eq!(out, want);
        let mut empty = String::new();
        write_json(
            &mut empty,
            &Changes {
                changes: Vec::new(),
                ..c
            },
        );
        assert_eq!(
            empty,
            ",\"changes\":{\"since\":{\"frame\":7,\"msg\":2},\"fields\":[]}"
        );
    }

    #[test]
    fn memory_stays_bounded() {
        let dis = crate::dissect::Dissector::new(crate::dissect::specs::SpecRegistry::new());
        let mut o = Objects::default();
        let m = crate::dissect::MsgIndex {
            offset: 0,
            len: 16,
            ty: 16,
            flags: 0,
            seq: 0,
            pid: 0,
            protocol: 0,
            direction: crate::model::Direction::FromKernel,
            endian: crate::model::Endian::Little,
            genl_cmd: None,
            error: None,
            present: 16,
        };
        let big = vec![0u8; 64 << 10];
        for k in 0..2000u64 {
            let at = MsgRef {
                frame: k + 1,
                msg: 0,
            };
            assert!(o.record(k, at, &m, &big, 7).is_none());
        }
        assert!(
            o.held <= MAX_HELD + (64 << 10) + 256,
            "{} bytes held",
            o.held
        );
        assert!(o.len() < 2000 && o.len() > 200, "{} objects", o.len());
        // The newest is remembered and compares as unchanged.
        let prev = o.record(
            1999,
            MsgRef {
                frame: 9999,
                msg: 0,
            },
            &m,
            &big,
            7,
        );
        let prev = prev.expect("newest object kept");
        assert!(!prev.differs());
        assert!(prev.changes(&dis, &dis.view(&big, &m)).changes.is_empty());
    }

    #[test]
    fn changed_added_removed_and_volatile() {
        let old = vec![
            leaf("rt-link.mtu", "IFLA_MTU", 1500),
            leaf("rt-link.txqlen", "IFLA_TXQLEN", 1000),
            stats(1),
        ];
        let new = vec![
            leaf("rt-link.mtu", "IFLA_MTU", 9000),
            leaf("rt-link.group", "IFLA_GROUP", 0),
            stats(9),
        ];
        let a = MsgRef { frame: 1, msg: 0 };
        let c = Changes {
            since: a,
            changes: diff(&leaves(&old), &leaves(&new)),
        };
        assert_eq!(diff_trees(&old, &new), c.changes);
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
            n.display_text()
                .starts_with("frame 1 message 0: IFLA_MTU: 1500 -> 9000"),
            "{}",
            n.display_text()
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
        let c = Changes {
            since: a,
            changes: diff(&leaves(&new), &leaves(&new)),
        };
        assert!(c.changes.is_empty());
        assert!(node(&c).display_text().ends_with("nothing"));
    }

    /// Two messages about one object compare as their whole trees do, with the attributes
    /// alike in both left bare: only those at a field path of their own, in messages decoded
    /// alike.
    #[test]
    fn views_compare_as_whole_trees() {
        use crate::dissect::attrs::Prune;
        use crate::dissect::cooked::LINKTYPE_NETLINK;
        use crate::dissect::{Dissector, FrameIndex, specs::SpecRegistry};
        use crate::model::Endian::Little as LE;
        use crate::netlink::{nla, nlmsg};
        let link = |family: u8, attrs: &[Vec<u8>]| {
            let mut p = vec![family, 0, 1, 0, 3, 0, 0, 0];
            p.extend_from_slice(&[0; 8]);
            p.extend(attrs.concat());
            let mut f = vec![0, 4, 0x03, 0x38, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
            f.extend(nlmsg(LE, 16, 0, 0, 0, &p));
            f
        };
        let mtu = |v: u32| nla(LE, 4, &v.to_le_bytes());
        let name = |s: &str| nla(LE, 3, format!("{s}\0").as_bytes());
        let alt = |s: &str| nla(LE, 53, format!("{s}\0").as_bytes());
        let props = |names: &[&str]| {
            nla(
                LE,
                52,
                &names.iter().map(|n| alt(n)).collect::<Vec<_>>().concat(),
            )
        };
        // IFLA_LINKINFO: IFLA_INFO_KIND "bond", IFLA_INFO_DATA with `data`.
        let bond = |data: &[Vec<u8>]| {
            nla(
                LE,
                18,
                &[nla(LE, 1, b"bond\0"), nla(LE, 2, &data.concat())].concat(),
            )
        };
        let mode = |v: u8| nla(LE, 1, &[v]);
        let miimon = |v: u32| nla(LE, 3, &v.to_le_bytes());
        let mut dis = Dissector::new(SpecRegistry::with_embedded());
        let index = |dis: &mut Dissector, f: &[u8]| {
            let mut fi = FrameIndex::default();
            dis.index_frame_into(f, LINKTYPE_NETLINK, LE, &mut fi);
            fi.msgs[0]
        };
        let cases = [
            // The header, the name and the alternative names are alike: left bare.
            (
                link(0, &[mtu(1500), name("a"), props(&["x"])]),
                link(0, &[mtu(9000), name("a"), props(&["x"])]),
                3,
            ),
            // Two property lists (a repeat), the first alike: only the header is left bare.
            (
                link(0, &[props(&["x"]), props(&["z"])]),
                link(0, &[props(&["x"]), props(&["z", "y"])]),
                1,
            ),
            // AF_BRIDGE against AF_UNSPEC: decoded differently, nothing is left bare.
            (
                link(7, &[mtu(1500), name("a")]),
                link(0, &[mtu(9000), name("a")]),
                0,
            ),
            // A bond's data with an option more: the mode, alike, is left bare, and the data
            // it is all of in the older message is still no leaf (it has a child).
            (
                link(0, &[bond(&[mode(1)])]),
                link(0, &[bond(&[mode(1), miimon(100)])]),
                1,
            ),
        ];
        for (i, (old, new, bare)) in cases.iter().enumerate() {
            let (mo, mn) = (index(&mut dis, old), index(&mut dis, new));
            let (vo, vn) = (dis.view(old, &mo), dis.view(new, &mn));
            let whole = diff_trees(&vo.tree(), &vn.tree());
            assert!(!whole.is_empty(), "case {i}");
            assert_eq!(diff_views(&vo, &vn), whole, "case {i}");
            let (po, pn) = (vo.attr_prints(), vn.attr_prints());
            let tree = vo.tree_pruned(&Prune::against(&po, &pn));
            // Bare nodes have no field.
            let bare_nodes = tree.iter().filter(|n| n.field.is_empty()).count();
            assert_eq!(bare_nodes, *bare, "case {i}: {tree:#?}");
        }
    }

    /// Counters, statistics and running timers are left out; configured times are not.
    #[test]
    fn volatile_fields() {
        for f in [
            "rt-link.stats64",
            "rt-link.af-spec.inet6.icmp6stats",
            "rt-link.linkinfo.data.gc-timer",
            "rt-link.linkinfo.slave-data.forward-delay-timer",
            "rt-bridge.router.port.timer",
            "conntrack.timeout",
        ] {
            assert!(volatile(f), "{f}");
        }
        for f in [
            "rt-link.linkinfo.data.hello-time",
            "rt-link.linkinfo.data.forward-delay",
            "rt-nexthop.res-group.idle-timer",
            "rt-link.mtu",
        ] {
            assert!(!volatile(f), "{f}");
        }
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
