use std::path::PathBuf;
use std::time::Duration;

use super::*;
use crate::netlink::{nla, nlmsg};

const LE: crate::model::Endian = crate::model::Endian::Little;
use crate::dissect::fields::{Catalog, Reads};
use crate::filter::Filter;
use crate::model::Endian;

/// What changed: fingerprints and pruned trees against whole ones.
mod changes;

fn capture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("captures")
        .join(name)
}

fn loaded(name: &str) -> Store {
    let mut store = Store::new(SpecRegistry::with_embedded());
    let mut l = Loader::open(&capture(name), &store, None).expect("open");
    l.drain_all(&mut store);
    assert!(l.error.is_none(), "{:?}", l.error);
    assert!(l.done);
    store
}

fn compile(store: &Store, f: &str) -> Filter {
    let cat = Catalog::new(&store.dissector().specs);
    Filter::compile(f, &cat).expect("filter compiles")
}

#[test]
fn loads_every_message_like_the_cli() {
    let store = loaded("route-link.pcap");
    assert!(store.frame_count() > 0);
    assert!(store.len() >= store.frame_count() / 2);
    // Frame 86 message 3 is the RTM_NEWLINK for veth0 (see tests/golden).
    let i = (0..store.len())
        .find(|&i| {
            let e = store.msg(i).expect("msg");
            e.frame == 85 && e.pos == 3
        })
        .expect("frame 86 message 3");
    let v = store.view(i).expect("view");
    assert_eq!(v.type_str(), "RTM_NEWLINK");
    assert!(v.summary().contains("veth0"), "{}", v.summary());
}

#[test]
fn frame_bytes_are_kept_exactly() {
    let store = loaded("route-link.pcap");
    let mut r =
        crate::pcap::Reader::new(std::fs::File::open(capture("route-link.pcap")).unwrap()).unwrap();
    let mut n = 0;
    while let Some(Ok(f)) = r.next_frame() {
        assert_eq!(store.frame_data(n), f.data.as_slice());
        assert_eq!(store.frame(n).unwrap().ts_ns, f.ts_ns);
        n += 1;
    }
    assert_eq!(n, store.frame_count());
    assert_eq!(store.frame_data(n), &[] as &[u8]);
}

#[test]
fn tree_cache_is_bounded_and_hits_return_the_same_tree() {
    let mut store = loaded("route-link.pcap");
    let a = store.tree(0);
    let b = store.tree(0);
    assert!(Rc::ptr_eq(&a, &b));
    for i in 0..store.len().min(40) {
        store.tree(i);
    }
    assert!(store.cached_trees() <= TREE_CACHE);
    assert!(store.tree(usize::MAX).is_empty());
}

#[test]
fn header_only_filter_builds_no_tree_and_matches_the_cli_count() {
    let store = loaded("route-link.pcap");
    let f = compile(&store, "nlmsg.type == RTM_NEWLINK");
    assert!(!f.needs_tree());
    let shown = store.filter_all(&f);
    assert!(!shown.is_empty() && shown.len() < store.len());
    for &i in &shown {
        assert_eq!(store.view(i as usize).unwrap().type_str(), "RTM_NEWLINK");
    }
    // The header-only path never built a tree.
    let built = (0..store.len())
        .filter(|&i| {
            store
                .with_fields(i, |fl| {
                    f.matches(fl);
                    fl.tree_built()
                })
                .unwrap_or(false)
        })
        .count();
    assert_eq!(built, 0);
    // Incremental filtering gives the same answer in pieces.
    let mut v = Vec::new();
    let mid = store.len() / 2;
    store.filter_range(&f, &Reads::default(), 0..mid, &mut v);
    store.filter_range(&f, &Reads::default(), mid..usize::MAX, &mut v);
    assert_eq!(v, shown);
}

#[test]
fn tree_filter_finds_veth0() {
    let store = loaded("route-link.pcap");
    let f = compile(&store, "rt-link.ifname == \"veth0\"");
    let shown = store.filter_all(&f);
    assert!(!shown.is_empty());
    let all = store.filter_all(&compile(&store, ""));
    assert_eq!(all.len(), store.len());
}

#[test]
fn background_drain_respects_the_budget_and_finishes() {
    let mut store = Store::new(SpecRegistry::with_embedded());
    let mut l = Loader::open(&capture("route-monitor.pcap"), &store, None).expect("open");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !l.done {
        l.drain(&mut store, Duration::from_millis(2));
        assert!(std::time::Instant::now() < deadline, "load did not finish");
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(!store.is_empty());
    assert_eq!(l.progress(), 1.0);
}

#[test]
fn unreadable_inputs_report_errors() {
    assert!(
        Loader::open(
            std::path::Path::new("/nonexistent/x.pcap"),
            &Store::new(SpecRegistry::default()),
            None
        )
        .is_err()
    );
    let dir = std::env::temp_dir().join(format!("nlscope-store-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("junk.pcap");
    std::fs::write(&p, b"this is not a capture file at all").unwrap();
    let mut store = Store::new(SpecRegistry::with_embedded());
    let mut l = Loader::open(&p, &store, None).unwrap();
    l.drain_all(&mut store);
    assert!(l.error.is_some());
    assert_eq!(store.len(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn memory_per_message_is_small() {
    // What is kept per row and per frame (the unpacked MsgEntry / FrameMeta are 56 / 64).
    assert_eq!(std::mem::size_of::<Row>(), 36);
    assert_eq!(std::mem::size_of::<FrameRec>(), 48);
}

#[test]
fn rows_unpack_to_what_was_packed() {
    let base = MsgIndex {
        offset: 16,
        len: 40,
        ty: 2,
        flags: 0x300,
        seq: 7,
        pid: 9,
        protocol: 16,
        direction: Direction::FromKernel,
        endian: Endian::Big,
        genl_cmd: None,
        error: Some(-22),
        present: 30,
    };
    let variants = [
        base,
        MsgIndex {
            error: None,
            genl_cmd: Some(3),
            direction: Direction::ToKernel,
            endian: Endian::Little,
            ..base
        },
        MsgIndex {
            protocol: u32::MAX,
            direction: Direction::Unknown,
            error: Some(0),
            ..base
        },
        MsgIndex {
            present: 40,
            ..base
        },
    ];
    for m in variants {
        // `present` is `len` cut at the end of the frame.
        let frame_len = (m.offset + m.present) as u32;
        let r = Row::pack(5, 1, &m);
        assert_eq!(r.index(frame_len), m);
        assert_eq!(r.direction(), m.direction);
    }
    let none = MsgIndex {
        present: 0,
        offset: 0,
        ..base
    };
    assert_eq!(Row::pack(0, NO_MSG, &none).index(100), none);
}

/// Every row and frame as the CLI indexes them (a fresh dissector per capture, frame by frame).
fn assert_like_the_cli(store: &Store, path: &std::path::Path) {
    let mut d = Dissector::new(SpecRegistry::with_embedded());
    let mut r = crate::pcap::Reader::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut row = 0;
    let mut n = 0;
    while let Some(Ok(f)) = r.next_frame() {
        let endian = match f.byte_order {
            ByteOrder::Little => Endian::Little,
            ByteOrder::Big => Endian::Big,
        };
        let fi = d.index_frame(&f.data, f.linktype, endian);
        let fm = store.frame(n).unwrap();
        assert_eq!(
            (
                fm.ts_ns,
                fm.len as usize,
                fm.orig_len,
                fm.interface,
                fm.linktype
            ),
            (f.ts_ns, f.data.len(), f.orig_len, f.interface, f.linktype)
        );
        assert_eq!((fm.byte_order, fm.first_msg as usize), (f.byte_order, row));
        assert_eq!(fm.msg_count as usize, fi.msgs.len());
        for (pos, m) in fi.msgs.iter().enumerate() {
            let e = store.msg(row).unwrap();
            assert_eq!((e.frame as usize, e.pos as usize), (n, pos));
            assert_eq!(e.idx, *m, "frame {n} message {pos}");
            row += 1;
        }
        if fi.msgs.is_empty() {
            assert_eq!(store.msg(row).unwrap().pos, NO_MSG);
            row += 1;
        }
        n += 1;
    }
    assert_eq!((n, row), (store.frame_count(), store.len()));
}

/// A pcap (LINKTYPE_NETLINK) of `frames`.
fn pcap_of(frames: &[Vec<u8>]) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    f.extend_from_slice(&2u16.to_le_bytes());
    f.extend_from_slice(&4u16.to_le_bytes());
    f.extend_from_slice(&0i32.to_le_bytes());
    f.extend_from_slice(&0u32.to_le_bytes());
    f.extend_from_slice(&65535u32.to_le_bytes());
    f.extend_from_slice(&253u32.to_le_bytes());
    for (k, d) in frames.iter().enumerate() {
        f.extend_from_slice(&(1_700_000_000u32 + k as u32).to_le_bytes());
        f.extend_from_slice(&0u32.to_le_bytes());
        f.extend_from_slice(&(d.len() as u32).to_le_bytes());
        f.extend_from_slice(&(d.len() as u32).to_le_bytes());
        f.extend_from_slice(d);
    }
    f
}

fn cooked(proto: u16) -> Vec<u8> {
    let mut f = vec![0, 4, 0x03, 0x38, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    f.extend_from_slice(&proto.to_be_bytes());
    f
}

#[test]
fn frames_without_messages_get_one_row_each() {
    let mut uevent = cooked(15);
    uevent.extend_from_slice(b"add@/devices/x\0ACTION=add\0");
    let mut link = cooked(0);
    link.extend_from_slice(&16u32.to_le_bytes());
    link.extend_from_slice(&16u16.to_le_bytes());
    link.extend_from_slice(&0u16.to_le_bytes());
    link.extend_from_slice(&7u32.to_le_bytes());
    link.extend_from_slice(&0u32.to_le_bytes());
    let short = vec![1, 2, 3];
    let dir = std::env::temp_dir().join(format!("nlscope-store-nomsg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("mixed.pcap");
    std::fs::write(&p, pcap_of(&[uevent, link, short])).unwrap();
    let mut store = Store::new(SpecRegistry::with_embedded());
    let mut l = Loader::open(&p, &store, None).unwrap();
    l.drain_all(&mut store);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(l.error.is_none(), "{:?}", l.error);
    assert_eq!(store.len(), 3);
    // A uevent is a pseudo-message of its own (message/uevent.rs).
    assert_eq!(store.message_count(), 2);
    assert_eq!(
        store.view(0).unwrap().summary(),
        "uevent KERNEL add /devices/x"
    );
    assert_eq!(store.view(1).unwrap().type_str(), "RTM_NEWLINK");
    assert!(
        store.frame_text(2).starts_with('['),
        "{}",
        store.frame_text(2)
    );
    assert_eq!(store.mark(2), Mark::Error);
    assert_eq!(store.mark(0), Mark::Normal);
    let t = store.tree(0);
    assert!(t.iter().any(|n| n.field == "uevent.action"), "{t:?}");
    let t = store.tree(2);
    assert!(t.iter().any(|n| n.expert.is_some()));
    // Only the empty filter shows them, as in `nlscope read`.
    assert_eq!(store.filter_all(&compile(&store, "")), vec![0, 1, 2]);
    assert_eq!(
        store.filter_all(&compile(&store, "nlmsg.seq == 7")),
        vec![1]
    );
}

/// The store as a live capture fills it: every frame indexed and appended on its own (so
/// copied into open segments), section comments learned as they come.
fn pushed(path: &std::path::Path) -> (Store, Option<String>) {
    let mut store = Store::new(SpecRegistry::with_embedded());
    let mut ix = Indexer::new(store.index_seed());
    let mut r = crate::pcap::Reader::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut seen = 0;
    let mut err = None;
    while let Some(f) = r.next_frame() {
        let f = match f {
            Ok(f) => f,
            Err(e) => {
                err = Some(e.to_string());
                break;
            }
        };
        for c in &r.section_comments()[seen..] {
            ix.learn_comment(c);
        }
        seen = r.section_comments().len();
        let iface = r.interfaces().get(f.interface as usize).cloned();
        store.append(ix.index(&[(f, iface)]));
    }
    store.append(ix.take_facts());
    (store, err)
}

/// The store filled by an [`Indexer`] in batches of `batch` frames, appended one by one.
fn indexed_by(path: &std::path::Path, batch: usize) -> Store {
    let mut store = Store::new(SpecRegistry::with_embedded());
    let mut ix = Indexer::new(store.index_seed());
    append_file(&mut store, &mut ix, &std::fs::read(path).unwrap(), batch);
    store.append(ix.take_facts());
    store
}

/// Index the capture `bytes` with `ix` into `store`, `batch` frames at a time, learning its
/// section comments where they come.
fn append_file(store: &mut Store, ix: &mut Indexer, bytes: &[u8], batch: usize) {
    let mut r = crate::pcap::Reader::new(bytes).unwrap();
    let mut seen = 0;
    let mut pending = Vec::new();
    while let Some(Ok(f)) = r.next_frame() {
        if r.section_comments().len() > seen {
            store.append(ix.index(&std::mem::take(&mut pending)));
            for c in &r.section_comments()[seen..] {
                ix.learn_comment(c);
            }
            seen = r.section_comments().len();
        }
        let iface = r.interfaces().get(f.interface as usize).cloned();
        pending.push((f, iface));
        if pending.len() >= batch {
            store.append(ix.index(&std::mem::take(&mut pending)));
        }
    }
    store.append(ix.index(&pending));
}

const SAME_FILTERS: &[&str] = &[
    "",
    "nlmsg.type == RTM_NEWLINK",
    "genl.family == ethtool",
    "genl.family == devlink || genl.family == nl80211",
    "rt-link.ifname == \"veth0\"",
    "rt-link.mtu",
    "nlmsg.error",
];

/// Everything the UI reads from `a` and `b` is the same.
fn assert_same(a: &mut Store, b: &mut Store) {
    assert_eq!(a.len(), b.len());
    assert_eq!(a.frame_count(), b.frame_count());
    assert_eq!(a.message_count(), b.message_count());
    assert_eq!(a.arena_len(), b.arena_len());
    assert_eq!(a.dissector().genl_families(), b.dissector().genl_families());
    for f in 0..a.frame_count() {
        assert_eq!(a.frame(f), b.frame(f), "frame {f}");
        assert_eq!(a.frame_data(f), b.frame_data(f), "frame {f}");
        assert_eq!(a.frame_problem(f as u32), b.frame_problem(f as u32));
        let fm = a.frame(f).unwrap();
        assert_eq!(a.interface(fm.interface), b.interface(fm.interface));
    }
    for i in 0..a.len() {
        assert_eq!(a.msg(i), b.msg(i), "row {i}");
        assert_eq!(a.mark(i), b.mark(i), "row {i}");
        assert_eq!(a.frame_text(i), b.frame_text(i), "row {i}");
        let sa = a.view(i).map(|v| (v.summary(), v.type_str().to_string()));
        let sb = b.view(i).map(|v| (v.summary(), v.type_str().to_string()));
        assert_eq!(sa, sb, "row {i}");
        assert_eq!(*a.tree(i), *b.tree(i), "row {i}");
    }
    for text in SAME_FILTERS {
        let fa = compile(a, text);
        let all = a.filter_all(&fa);
        assert_eq!(all, b.filter_all(&fa), "filter {text}");
        // Row by row through with_fields, and in pieces across segment boundaries.
        let one_by_one: Vec<u32> = (0..a.len())
            .filter(|&i| fa.is_empty() || a.with_fields(i, |f| fa.matches(f)).unwrap_or(false))
            .map(|i| i as u32)
            .collect();
        assert_eq!(all, one_by_one, "filter {text}");
        let mut pieces = Vec::new();
        for start in (0..a.len() + 7).step_by(7) {
            b.filter_range(&fa, &Reads::default(), start..start + 7, &mut pieces);
        }
        assert_eq!(all, pieces, "filter {text}");
    }
}

#[test]
fn loader_indexing_matches_indexing_on_the_store_for_every_capture() {
    let names = all_captures();
    assert!(names.len() >= 5, "{names:?}");
    for name in names {
        let (mut reference, err) = pushed(&capture(&name));
        assert!(err.is_none(), "{name}: {err:?}");
        let mut loaded = loaded(&name);
        assert_like_the_cli(&loaded, &capture(&name));
        assert_same(&mut loaded, &mut reference);
        // Facts learned in one batch must reach views of frames appended in earlier ones.
        assert_same(&mut indexed_by(&capture(&name), 1), &mut reference);
    }
}

fn genl_msg(ty: u16, flags: u16, seq: u32, cmd: u8, attrs: &[u8]) -> Vec<u8> {
    let mut m = Vec::new();
    m.extend_from_slice(&(20 + attrs.len() as u32).to_le_bytes());
    m.extend_from_slice(&ty.to_le_bytes());
    m.extend_from_slice(&flags.to_le_bytes());
    m.extend_from_slice(&seq.to_le_bytes());
    m.extend_from_slice(&0u32.to_le_bytes());
    m.extend_from_slice(&[cmd, 1, 0, 0]);
    m.extend_from_slice(attrs);
    m
}

/// A pcapng whose generic netlink ids come from a section comment, a packet comment and an
/// nlctrl reply in the middle of the capture (after a message that needs it), with a capped
/// ack that needs a remembered request and an interface name learned from RTM_NEWLINK.
fn learning_pcapng(path: &std::path::Path) {
    use crate::pcap::{ByteOrder, Frame, Interface, OutFormat, Writer, WriterOptions};
    let mut frames: Vec<(Vec<u8>, Vec<String>)> = Vec::new();
    let genl = |m: Vec<u8>| {
        let mut f = cooked(16);
        f.extend(m);
        f
    };
    let route = |m: Vec<u8>| {
        let mut f = cooked(0);
        f.extend(m);
        f
    };
    // ethtool (0x20) used before nlctrl names it.
    frames.push((genl(genl_msg(0x20, 0x5, 1, 1, &[])), vec![]));
    let mut ctrl = nla(LE, 2, b"ethtool\0");
    ctrl.extend(nla(LE, 1, &0x20u16.to_le_bytes()));
    frames.push((genl(genl_msg(0x10, 0, 1, 1, &ctrl)), vec![]));
    frames.push((genl(genl_msg(0x20, 0, 1, 2, &[])), vec![]));
    // devlink (33) from the section comment; nl80211 (34) from a packet comment.
    frames.push((genl(genl_msg(33, 0x5, 2, 1, &[])), vec![]));
    frames.push((
        genl(genl_msg(34, 0x5, 3, 1, &[])),
        vec!["genl-families: 34=nl80211".to_string()],
    ));
    // RTM_NEWLINK from the kernel naming ifindex 9, then a request about it and a capped ack.
    let mut ifi = vec![0u8; 16];
    ifi[4..8].copy_from_slice(&9i32.to_le_bytes());
    let mut newlink = ifi.clone();
    newlink.extend(nla(LE, 3, b"veth0\0"));
    newlink.extend(nla(LE, 4, &1500u32.to_le_bytes()));
    frames.push((route(nlmsg(LE, 16, 0x2, 4, 0, &newlink)), vec![]));
    let mut set = ifi.clone();
    set.extend(nla(LE, 4, &9000u32.to_le_bytes()));
    let req = nlmsg(LE, 16, 0x5, 5, 0, &set);
    frames.push((route(req.clone()), vec![]));
    let mut ack = (-34i32).to_le_bytes().to_vec();
    ack.extend_from_slice(&req[..16]);
    ack.extend(nla(LE, 2, &32u32.to_le_bytes()));
    frames.push((route(nlmsg(LE, 2, 0x300, 5, 0, &ack)), vec![]));
    let iface = Interface {
        linktype: 253,
        snaplen: 65535,
        name: Some("nlmon0".into()),
        ts_nanos: true,
        tsresol: 9,
        byte_order: ByteOrder::Little,
        comments: Vec::new(),
    };
    let mut w = Writer::new(
        std::fs::File::create(path).unwrap(),
        WriterOptions {
            format: OutFormat::PcapNg,
            section_comments: vec!["genl-families: 33=devlink".to_string()],
            application: None,
        },
    );
    for (k, (data, comments)) in frames.into_iter().enumerate() {
        let f = Frame {
            ts_ns: 1_700_000_000_000_000_000 + k as i128,
            interface: 0,
            linktype: 253,
            byte_order: ByteOrder::Little,
            orig_len: data.len() as u32,
            data,
            comments,
            file_offset: 0,
        };
        w.write_frame(&f, &iface).unwrap();
    }
    w.flush().unwrap();
}

#[test]
fn loader_learns_genl_ids_links_and_requests_like_the_store() {
    let dir = std::env::temp_dir().join(format!("nlscope-store-learn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("learn.pcapng");
    learning_pcapng(&p);
    let (mut reference, err) = pushed(&p);
    assert!(err.is_none(), "{err:?}");
    let mut store = Store::new(SpecRegistry::with_embedded());
    let mut l = Loader::open(&p, &store, None).unwrap();
    l.drain_all(&mut store);
    assert!(l.error.is_none(), "{:?}", l.error);
    let mut by_one = indexed_by(&p, 1);
    assert_like_the_cli(&store, &p);
    let _ = std::fs::remove_dir_all(&dir);
    // What the capture teaches reached the store through the loader.
    let d = store.dissector();
    assert_eq!(d.genl_family(0x20), Some("ethtool"));
    assert_eq!(d.genl_family(33), Some("devlink"));
    assert_eq!(d.genl_family(34), Some("nl80211"));
    assert_eq!(d.link_name(9), Some("veth0"));
    assert_eq!(store.view(0).unwrap().genl_family(), Some("ethtool"));
    assert!(d.recent_request(0, 0, 5).is_some());
    let offs = store
        .tree(7)
        .iter()
        .flat_map(|n| {
            let mut v = Vec::new();
            n.walk(&mut |x| v.push(x.clone()));
            v
        })
        .find(|n| n.field == "nlmsgerr.offs")
        .expect("offs");
    assert!(
        offs.display_text().contains("IFLA_MTU"),
        "{}",
        offs.display_text()
    );
    assert_same(&mut store, &mut reference);
    assert_same(&mut by_one, &mut reference);
}

#[test]
fn truncated_file_keeps_every_complete_frame_and_the_error() {
    let src = std::fs::read(capture("route-link.pcap")).unwrap();
    let dir = std::env::temp_dir().join(format!("nlscope-store-trunc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("cut.pcap");
    std::fs::write(&p, &src[..src.len() * 2 / 3]).unwrap();
    let (mut reference, err) = pushed(&p);
    let mut store = Store::new(SpecRegistry::with_embedded());
    let mut l = Loader::open(&p, &store, None).unwrap();
    l.drain_all(&mut store);
    let _ = std::fs::remove_dir_all(&dir);
    let err = err.expect("the reference read fails too");
    assert_eq!(l.error.as_deref(), Some(err.as_str()));
    assert!(err.contains("truncated"), "{err}");
    assert!(reference.frame_count() > 10);
    assert_same(&mut store, &mut reference);
}

#[test]
fn small_batches_roll_over_into_new_segments() {
    let mut r =
        crate::pcap::Reader::new(std::fs::File::open(capture("route-link.pcap")).unwrap()).unwrap();
    let mut frames = Vec::new();
    while let Some(Ok(f)) = r.next_frame() {
        frames.push(f);
    }
    let mut store = Store::new(SpecRegistry::with_embedded());
    let mut ix = Indexer::new(store.index_seed());
    let mut n = 0;
    while n <= 2 * OPEN_FRAMES + 10 {
        // Batches of 1 to 7 frames, as a live capture's come.
        for chunk in frames.chunks(1 + n % 7) {
            let batch: Vec<_> = chunk.iter().map(|f| (f.clone(), None)).collect();
            store.append(ix.index(&batch));
            n += chunk.len();
        }
    }
    // Full segments (by frames or bytes) roll over; small batches never get their own.
    let segs = store.memory().segments;
    assert!(segs >= 3 && segs < n / SMALL_BATCH, "{:?}", store.memory());
    for i in 0..store.frame_count() {
        let f = &frames[i % frames.len()];
        assert_eq!(store.frame_data(i), f.data.as_slice(), "frame {i}");
        let fm = store.frame(i).unwrap();
        assert_eq!(fm.ts_ns, f.ts_ns);
        let e = store.msg(fm.first_msg as usize).unwrap();
        assert_eq!(e.frame as usize, i);
    }
    let last = store.len() - 1;
    assert_eq!(
        store.msg(last).unwrap().frame as usize,
        store.frame_count() - 1
    );
    assert!(store.msg(last + 1).is_none());
}

/// An input handing over what the test scripted, then waiting for `hold` to close.
struct Scripted {
    items: Vec<Item<u32>>,
    hold: crossbeam_channel::Receiver<()>,
}

impl Input for Scripted {
    type Note = u32;

    fn run(
        self,
        _back: &crossbeam_channel::Receiver<crate::pcap::feed::Frames>,
        sink: &mut dyn FnMut(Item<u32>) -> bool,
    ) {
        for i in self.items {
            if !sink(i) {
                return;
            }
        }
        let _ = self.hold.recv();
    }
}

#[test]
fn a_live_input_s_notes_keep_their_place_among_its_frames() {
    let mut r =
        crate::pcap::Reader::new(std::fs::File::open(capture("route-link.pcap")).unwrap()).unwrap();
    let mut frames = Vec::new();
    while let Some(Ok(f)) = r.next_frame() {
        let iface = (frames.is_empty()).then(|| r.interfaces()[0].clone());
        frames.push((f, iface));
    }
    let rest = frames.split_off(10);
    let (release, hold) = crossbeam_channel::bounded(0);
    let input = Scripted {
        items: vec![
            Item::Frames(frames, 0),
            Item::Note(1),
            Item::Frames(rest, 0),
            Item::Note(2),
        ],
        hold,
    };
    let mut store = Store::new(SpecRegistry::with_embedded());
    let mut l = Loader::start(input, &store, None).unwrap();
    let mut seen = Vec::new();
    let t = std::time::Instant::now();
    while seen.len() < 2 {
        assert!(t.elapsed() < Duration::from_secs(20), "stuck");
        // A live loader never waits out its budget for more.
        let d = std::time::Instant::now();
        l.drain_with(&mut store, Duration::from_secs(5), &mut |n| seen.push(n));
        assert!(d.elapsed() < Duration::from_secs(2), "drain waited");
        let n = store.frame_count();
        assert!(n <= 10 || seen.contains(&1), "frames overtook note 1");
        assert!(!seen.contains(&1) || n >= 10, "note 1 overtook its frames");
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(seen, [1, 2]);
    assert_eq!((l.frames, store.frame_count()), (135, 135));
    assert!(!l.done);
    drop(release);
    while !l.done {
        assert!(t.elapsed() < Duration::from_secs(20), "no end");
        l.drain_with(&mut store, Duration::from_millis(5), &mut |_| {});
    }
    let mut reference = indexed_by(&capture("route-link.pcap"), 256);
    assert_same(&mut store, &mut reference);
}

/// Rows `filter` keeps as the app gets them from a background job: the job's, then the rows
/// it left (an open segment's) filtered here.
fn by_job(store: &Store, filter: &Filter, threads: usize) -> (Vec<u32>, bool) {
    let reads = Catalog::new(&store.dissector().specs).reads(filter);
    let mut out = Vec::new();
    let mut upto = 0;
    let job = store.start_filter(filter, &reads, 0, threads);
    let ran = job.is_some();
    if let Some(mut job) = job {
        upto = job.collect_all(&mut out);
        assert!(job.done(), "{job:?}");
    }
    store.filter_range(filter, &reads, upto..store.len(), &mut out);
    (out, ran)
}

/// `name`'s frames appended `times` times to one store, 500 frames a batch.
fn repeated(name: &str, times: usize) -> Store {
    let mut store = Store::new(SpecRegistry::with_embedded());
    let mut ix = Indexer::new(store.index_seed());
    let bytes = std::fs::read(capture(name)).unwrap();
    for _ in 0..times {
        append_file(&mut store, &mut ix, &bytes, 500);
    }
    store.append(ix.take_facts());
    store
}

const JOB_FILTERS: &[&str] = &[
    "nlmsg.type == RTM_NEWLINK || nlmsg.error != 0",
    "rt-link.ifname == \"veth0\" || rt-addr.label || rt-link.mtu > 1000",
    "genl.family == nl80211 || nl80211.wiphy-name || ethtool.header.dev-name",
    // Messages of other families skipped unread (`Catalog::unseen`).
    "nl80211.wiphy-name || ethtool.header.dev-name",
    "rt-link.linkinfo.kind == \"veth\"",
    "nlmsg.response_in || nlmsg.latency > 0.0001 || frame.time_relative > 0.5",
    "frame.marked || proc.pid",
    "nlmsg.changed",
    "nlmsg.changed == \"rt-link.operstate\" || nlmsg.changes && rt-link.mtu > 1000",
];

/// A filter on worker threads keeps the rows filtering on the UI thread keeps, in order: on
/// every capture, and over many chunks taken by three threads.
#[test]
fn background_filter_keeps_what_filter_all_keeps() {
    let names = all_captures();
    let mut jobs = 0;
    for name in &names {
        let mut store = loaded(name);
        store.set_marked([1u32, 4, 9].into_iter().collect());
        for f in JOB_FILTERS {
            let filter = compile(&store, f);
            let (rows, ran) = by_job(&store, &filter, 3);
            assert_eq!(rows, store.filter_all(&filter), "{name}: {f}");
            jobs += usize::from(ran);
        }
    }
    assert!(jobs > 20, "only {jobs} filters ran as jobs");
    let big = repeated("route-link.pcap", 120);
    assert!(big.len() > 4 * 4096, "{} rows", big.len());
    for f in [
        "rt-link.mtu > 1000",
        "nlmsg.response_in",
        "frame.time_relative > 0.5",
        // Compared with earlier rows, across chunks and before the job's first row.
        "nlmsg.changed",
        "nlmsg.changes && !nlmsg.changed",
    ] {
        let filter = compile(&big, f);
        let all = big.filter_all(&filter);
        assert!(!all.is_empty(), "{f} keeps nothing");
        assert_eq!(by_job(&big, &filter, 3), (all, true), "{f}");
    }
    // A job that starts further on still compares with the rows before its first.
    let filter = compile(&big, "nlmsg.changed");
    let mut job = big
        .start_filter(&filter, &Reads::default(), 5000, 2)
        .expect("a job");
    let mut rows = Vec::new();
    job.collect_all(&mut rows);
    let later: Vec<u32> = big
        .filter_all(&filter)
        .into_iter()
        .filter(|r| *r >= 5000)
        .collect();
    assert!(!later.is_empty());
    assert_eq!(rows, later);
}

/// Every capture of the repository, by file name.
fn all_captures() -> Vec<String> {
    let mut names: Vec<_> = std::fs::read_dir(capture(""))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".pcap") || n.ends_with(".pcapng"))
        .collect();
    names.sort();
    names
}

/// Dropping a job stops its threads (they take no more chunks).
#[test]
fn dropped_job_stops() {
    let big = repeated("route-link.pcap", 120);
    let filter = compile(&big, "rt-link.mtu > 0");
    let job = big
        .start_filter(&filter, &Reads::default(), 0, 2)
        .expect("a job");
    let shared = job.shared_for_tests();
    drop(job);
    for _ in 0..200 {
        if std::sync::Arc::strong_count(&shared) == 1 {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("workers still hold the job 2 s after it was dropped");
}

/// A job wakes the window once its last chunk is sent, whether the waker came before that or
/// after.
#[test]
fn a_job_wakes_when_done() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let big = repeated("route-link.pcap", 120);
    let filter = compile(&big, "rt-link.mtu > 1000");
    for early in [true, false] {
        let woken = Arc::new(AtomicUsize::new(0));
        let w = Arc::clone(&woken);
        let waker: Waker = Arc::new(move || {
            w.fetch_add(1, Ordering::SeqCst);
        });
        let mut job = big
            .start_filter(&filter, &Reads::default(), 0, 2)
            .expect("a job");
        if early {
            job.wake_when_done(Arc::clone(&waker));
        }
        let mut rows = Vec::new();
        job.collect_all(&mut rows);
        assert!(!rows.is_empty());
        if !early {
            // The workers count a chunk after sending it: wait until they are gone.
            for _ in 0..1000 {
                if Arc::strong_count(&job.shared_for_tests()) == 2 {
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            assert_eq!(woken.load(Ordering::SeqCst), 0);
            job.wake_when_done(waker);
        }
        for _ in 0..1000 {
            if woken.load(Ordering::SeqCst) > 0 {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(woken.load(Ordering::SeqCst) > 0, "early: {early}");
    }
}
