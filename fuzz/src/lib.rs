//! What the fuzz targets share: the embedded specs (loaded once), the dissector input's
//! framing, and the walk `nlscope read` does over dissected frames (trees, summaries, JSON,
//! correlation, changes) so every output path runs on every message.

use std::cell::RefCell;
use std::sync::OnceLock;

use nlscope::capture::trace::ProcInfo;
use nlscope::conv::changes::{Changes, Objects, diff_trees, diff_views, fingerprint};
use nlscope::conv::{Conversations, Msg as ConvMsg, MsgRef};
use nlscope::dissect::attrs::Want;
use nlscope::dissect::fields::{Catalog, MsgFields};
use nlscope::dissect::specs::SpecRegistry;
use nlscope::dissect::{Dissector, FrameIndex, MessageView};
use nlscope::export::{Emitter, Format, FrameRef, Part};
use nlscope::filter::FieldSource;
use nlscope::model::{Endian, Node};

/// The embedded specs, loaded once per process.
pub fn specs() -> &'static SpecRegistry {
    static SPECS: OnceLock<SpecRegistry> = OnceLock::new();
    SPECS.get_or_init(SpecRegistry::with_embedded)
}

/// The filter field catalog of the embedded specs.
pub fn catalog() -> &'static Catalog {
    static CAT: OnceLock<Catalog> = OnceLock::new();
    CAT.get_or_init(|| Catalog::new(specs()))
}

thread_local! {
    /// A dissector whose specs are reused: a new dissector per input keeps runs independent
    /// (nothing learned leaks into the next input) without cloning the specs each time.
    static DIS: RefCell<Option<Dissector>> = const { RefCell::new(None) };
}

/// Run `f` with a fresh dissector over the embedded specs.
pub fn with_dissector<T>(f: impl FnOnce(&mut Dissector) -> T) -> T {
    DIS.with(|cell| {
        let mut slot = cell.borrow_mut();
        let specs = match slot.take() {
            Some(mut d) => std::mem::take(&mut d.specs),
            None => specs().clone(),
        };
        let mut dis = Dissector::new(specs);
        let out = f(&mut dis);
        *slot = Some(dis);
        out
    })
}

/// Link types that carry netlink (and one that does not).
const LINKTYPES: [u32; 4] = [253, 113, 276, 1];

/// One frame of a dissector input.
pub struct InFrame {
    pub linktype: u32,
    pub data: Vec<u8>,
    pub comments: Vec<String>,
}

/// The dissector target's input: byte 0 chooses the link type (bits 0-1) and the file's
/// byte order (bit 2); then frames, each `[protocol u8][pkttype u8][len u16 le]` and `len`
/// netlink bytes (the last frame takes what is left). A pkttype with bit 7 set is followed
/// by `[n u8]` and an n-byte frame comment (a `genl:` or `proc:` line).
pub fn parse_frames(data: &[u8]) -> (Endian, Vec<InFrame>) {
    let Some((&mode, mut rest)) = data.split_first() else {
        return (Endian::Little, Vec::new());
    };
    let linktype = LINKTYPES[usize::from(mode & 3)];
    let endian = if mode & 4 != 0 {
        Endian::Big
    } else {
        Endian::Little
    };
    let mut frames = Vec::new();
    while rest.len() >= 4 && frames.len() < 64 {
        let proto = rest[0];
        let pkttype = rest[1];
        let len = usize::from(u16::from_le_bytes([rest[2], rest[3]]));
        rest = &rest[4..];
        let mut comments = Vec::new();
        if pkttype & 0x80 != 0 && !rest.is_empty() {
            let n = usize::from(rest[0]).min(rest.len() - 1);
            comments.push(String::from_utf8_lossy(&rest[1..1 + n]).into_owned());
            rest = &rest[1 + n..];
        }
        let len = len.min(rest.len());
        let (body, tail) = rest.split_at(len);
        rest = tail;
        let mut frame = cooked(linktype, pkttype & 0x7f, proto);
        frame.extend_from_slice(body);
        frames.push(InFrame {
            linktype,
            data: frame,
            comments,
        });
    }
    (endian, frames)
}

/// The cooked header of `linktype` for netlink protocol `proto`.
pub fn cooked(linktype: u32, pkttype: u8, proto: u8) -> Vec<u8> {
    let mut h = Vec::with_capacity(20);
    if linktype == 276 {
        // LINUX_SLL2: protocol, reserved, ifindex, hatype, pkttype, addr len, addr.
        h.extend_from_slice(&u16::from(proto).to_be_bytes());
        h.extend_from_slice(&[0, 0, 0, 0, 0, 1]);
        h.extend_from_slice(&824u16.to_be_bytes());
        h.extend_from_slice(&[pkttype, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    } else {
        // NETLINK / LINUX_SLL: pkttype, hatype, addr len, addr (8), protocol.
        h.extend_from_slice(&u16::from(pkttype).to_be_bytes());
        h.extend_from_slice(&824u16.to_be_bytes());
        h.extend_from_slice(&[0; 10]);
        h.extend_from_slice(&u16::from(proto).to_be_bytes());
    }
    h
}

/// Fields whose filter trees are compared with the whole tree: plain values, nests that
/// family code overrides (rt-link's protinfo, af-spec and slave data, rt-route's encap), and
/// other families.
const WANTED: &[&str] = &[
    "rt-link.mtu",
    "rt-link.ifname",
    "rt-link.linkinfo.kind",
    "rt-link.linkinfo.slave-data.cost",
    "rt-link.af-spec.inet6.conf.forwarding",
    "rt-link.af-spec.mode",
    "rt-link.protinfo.cost",
    "rt-link.protinfo.flags",
    "rt-route.dst",
    "rt-route.encap.dst",
    "nl80211.wiphy",
    "conntrack.tuple-orig.ip.v4-src",
];

/// A filter's tree (built for its fields only) holds the values the whole tree holds for each
/// of them: a filter reads what the tree shows.
fn check_filter_trees(view: &MessageView) {
    let values = |nodes: &[Node], field: &str| {
        let mut v = std::collections::BTreeSet::new();
        for n in nodes {
            n.walk(&mut |n| {
                if n.field == field {
                    v.insert(format!("{:?}", n.value));
                }
            });
        }
        v
    };
    let full = view.tree();
    for field in WANTED {
        let want = Want::new([*field]);
        let pruned = view.tree_for(Some(&want));
        assert_eq!(
            values(&pruned, field),
            values(&full, field),
            "the filter tree of {field} differs from the tree"
        );
        // What a filter reads of the field without building its tree (a top-level plain
        // attribute read from the message) is what it reads from the tree.
        let read = |f: &MsgFields| {
            let mut seen = Vec::new();
            f.any(field, &mut |v| {
                seen.push(format!("{v:?}"));
                false
            });
            seen
        };
        let direct = MsgFields::new(view, 1, 0, 0).wanting(Some(&want));
        let tree = MsgFields::new(view, 1, 0, 0).wanting(Some(&want));
        let _ = tree.tree();
        assert_eq!(
            read(&direct),
            read(&tree),
            "{field} reads differently without the tree"
        );
    }
}

/// Everything `nlscope read -T tree/json/summary` and the app do with a capture's frames:
/// index each (learning genl ids, links, nftables sets), correlate, compare with the previous
/// message about the same object, evaluate `filter` (if any), and emit every message in
/// the summary, tree and JSON formats; filter trees are checked against whole ones. Returns
/// how many messages the filter matched.
pub fn dissect_frames(
    dis: &mut Dissector,
    endian: Endian,
    frames: &[InFrame],
    filter: Option<&nlscope::filter::Filter>,
) -> usize {
    let mut conv = Conversations::new();
    // What `read` keeps of a long file: correlation a window ahead, forgetting what is behind.
    let mut windowed = Conversations::new();
    let mut objects = Objects::default();
    let mut emitters = [
        Emitter::new(Format::Summary),
        Emitter::new(Format::Tree),
        Emitter::new(Format::Json),
        Emitter::new(Format::Csv),
    ];
    let mut text = String::new();
    for e in &emitters {
        e.begin(&mut text);
    }
    let mut fi = FrameIndex::default();
    let mut ord = 0usize;
    let mut matched = 0;
    let mut changes: Vec<Option<Changes>> = Vec::new();
    // What a parallel `read` does besides: the indexing dissector records what it learns
    // and what views need (Dissector::view_facts), and a replica builds trees from that.
    dis.record_facts();
    let mut replica = Dissector::new(dis.specs.clone()).into_replica();
    let mut view_facts = Vec::new();
    // The pass before summary lines learns link names from fewer frames, and the same ones.
    let check_names = dis.link_names().next().is_none();
    let mut names_only = Dissector::new(dis.specs.clone());
    let mut names_fi = FrameIndex::default();
    // The message before, for the what-changed oracle.
    let mut prev = None;
    for (i, f) in frames.iter().enumerate() {
        let no = i as u64 + 1;
        let ts = 1_700_000_000_000_000_000i128 + i as i128 * 1_000;
        for c in &f.comments {
            dis.learn_from_comment(c);
            names_only.learn_from_comment(c);
        }
        names_only.learn_link_names(&f.data, f.linktype, endian, &mut names_fi);
        dis.index_frame_into(&f.data, f.linktype, endian, &mut fi);
        replica.apply_facts(dis.take_facts());
        dis.view_facts(&f.data, &fi, &mut view_facts);
        let mut placed = view_facts.drain(..).peekable();
        for (mi, m) in fi.msgs.iter().enumerate() {
            while let Some((_, fact)) = placed.next_if(|(p, _)| *p <= mi) {
                replica.apply_facts([fact]);
            }
            // Oracle: a tree written as it is walked is its built nodes written.
            let v = replica.view(&f.data, m);
            let mut direct = String::new();
            v.write_tree_text(&mut direct, 1);
            let mut built = String::new();
            for n in v.tree() {
                n.write_text(&mut built, 1);
            }
            assert_eq!(direct, built, "tree text of frame {no} message {mi}");
            let mut direct = String::from("[");
            v.write_tree_json(&mut direct);
            let mut built = String::from("[");
            for (i, n) in v.tree().iter().enumerate() {
                if i > 0 {
                    built.push(',');
                }
                n.write_json(&mut built);
            }
            assert_eq!(direct, built, "JSON tree of frame {no} message {mi}");
            // Oracle: what-changed compares pruned trees' gathered leaves as whole trees
            // compare, and equal fingerprints mean trees equal but for counters: any two
            // messages in a row, the earlier viewed as a renderer's replica views the previous
            // message about an object (with what it knows now).
            if let Some((pi, pm)) = prev.replace((i, *m))
                && let Some(pf) = frames.get(pi)
            {
                let old = replica.view(&pf.data, &pm);
                let whole = diff_trees(&old.tree(), &v.tree());
                assert_eq!(
                    diff_views(&old, &v),
                    whole,
                    "changes, frame {no} message {mi}"
                );
                if fingerprint(&old) == fingerprint(&v) {
                    assert!(
                        whole.is_empty(),
                        "equal fingerprints, frame {no} message {mi}"
                    );
                }
            }
        }
        drop(placed);
        let first = ord;
        ord += fi.msgs.len().max(1);
        if fi.msgs.is_empty() {
            let at = MsgRef {
                frame: no,
                msg: u32::from(u16::MAX),
            };
            conv.push_none(at, ts);
            windowed.push_none(at, ts);
        }
        let process = ProcInfo::from_comments(&f.comments);
        changes.clear();
        changes.resize(fi.msgs.len(), None);
        for (mi, m) in fi.msgs.iter().enumerate() {
            let view = dis.view(&f.data, m);
            check_filter_trees(&view);
            let at = MsgRef {
                frame: no,
                msg: mi as u32,
            };
            let cm = ConvMsg::of(&view, at, ts);
            conv.push(&cm);
            windowed.push(&cm);
            let _ = view.summary();
            let mut fields = MsgFields::new(&view, no, ts, f.data.len())
                .with_process(process.as_ref())
                .with_linked(conv.linked(first + mi));
            if let Some(key) = view.object_key() {
                fields.changes = objects.update(dis, key, at, &view);
                if let Some(slot) = changes.get_mut(mi) {
                    slot.clone_from(&fields.changes);
                }
            }
            if filter.is_none_or(|flt| flt.matches(&fields)) {
                matched += 1;
            }
        }
        let linked: Vec<_> = (first..first + fi.msgs.len())
            .map(|o| conv.linked(o))
            .collect();
        let behind = ord.saturating_sub(3);
        for o in behind.saturating_sub(2)..ord {
            let _ = (windowed.linked(o), windowed.settled(o, 3));
        }
        windowed.forget_before(behind, 3);
        for em in &mut emitters {
            em.set_frame_comments(&f.comments);
            let at = FrameRef {
                dis,
                index: &fi,
                data: &f.data,
                no,
                ts_ns: ts,
                linked: &linked,
                changes: &changes,
            };
            if fi.msgs.is_empty() {
                em.emit(&mut text, &at, Part::NoMessage, 0);
            }
            for mi in 0..fi.msgs.len() {
                em.emit(&mut text, &at, Part::Message(mi), 0);
            }
        }
        // Keep memory flat over long inputs.
        text.clear();
    }
    if check_names {
        let sorted = |d: &Dissector| {
            let mut v: Vec<(i32, String)> =
                d.link_names().map(|(i, n)| (i, n.to_string())).collect();
            v.sort();
            v
        };
        assert_eq!(
            sorted(&names_only),
            sorted(dis),
            "the link-name pass learned otherwise"
        );
    }
    for e in &emitters {
        e.end(&mut text);
    }
    matched
}
