use std::path::PathBuf;
use std::time::Duration;

use super::*;
use crate::cli::fields::Catalog;

fn capture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("captures")
        .join(name)
}

fn loaded(name: &str) -> Store {
    let mut store = Store::new(SpecRegistry::with_embedded());
    let mut l = Loader::open(&capture(name), None).expect("open");
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
    store.filter_range(&f, 0..mid, &mut v);
    store.filter_range(&f, mid..usize::MAX, &mut v);
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
    let mut l = Loader::open(&capture("route-monitor.pcap"), None).expect("open");
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
    assert!(Loader::open(std::path::Path::new("/nonexistent/x.pcap"), None).is_err());
    let dir = std::env::temp_dir().join(format!("nlscope-store-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("junk.pcap");
    std::fs::write(&p, b"this is not a capture file at all").unwrap();
    let mut store = Store::new(SpecRegistry::with_embedded());
    let mut l = Loader::open(&p, None).unwrap();
    l.drain_all(&mut store);
    assert!(l.error.is_some());
    assert_eq!(store.len(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn memory_per_message_is_small() {
    assert!(std::mem::size_of::<MsgEntry>() + std::mem::size_of::<FrameMeta>() <= 128);
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
    let mut l = Loader::open(&p, None).unwrap();
    l.drain_all(&mut store);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(l.error.is_none(), "{:?}", l.error);
    assert_eq!(store.len(), 3);
    assert_eq!(store.message_count(), 1);
    assert!(store.view(0).is_none());
    assert!(
        store
            .frame_text(0)
            .starts_with("uevent add@/devices/x ACTION=add"),
        "{}",
        store.frame_text(0)
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
    assert!(
        t.iter()
            .any(|n| n.name == "text" && n.display.starts_with("uevent"))
    );
    let t = store.tree(2);
    assert!(t.iter().any(|n| n.expert.is_some()));
    // Only the empty filter shows them, as in `nlscope read`.
    assert_eq!(store.filter_all(&compile(&store, "")), vec![0, 1, 2]);
    assert_eq!(
        store.filter_all(&compile(&store, "nlmsg.seq == 7")),
        vec![1]
    );
}
