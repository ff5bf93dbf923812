//! The dissector per family: for every message of the captures (`captures/` and, when present,
//! `../shared/captures`), grouped by family, the time to build its tree, its summary line, and
//! a filter's tree (`rt-link.ifname`-like: the first field of each message's whole tree).
//!
//!     cargo bench --bench dissect [-- FAMILY...]
//!
//! Each group is repeated until it has run for at least 200 ms; times are per message.

// Test code may panic: the crate's no-panic lint set (Cargo.toml) is for input-reading code.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use nlscope::dissect::fields::Catalog;
use nlscope::dissect::specs::SpecRegistry;
use nlscope::dissect::{Dissector, MsgIndex};
use nlscope::filter::Filter;
use nlscope::model::Endian;
use nlscope::pcap::{ByteOrder, Frame, Reader};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn frames_of(path: &Path) -> Vec<Frame> {
    let bytes = std::fs::read(path).unwrap();
    let Ok(mut r) = Reader::new(&bytes[..]) else {
        return Vec::new();
    };
    let mut v = Vec::new();
    while let Some(Ok(f)) = r.next_frame() {
        v.push(f);
    }
    v
}

/// Run `f` over `n` items until 200 ms have passed; nanoseconds per item.
fn per_item(n: usize, mut f: impl FnMut()) -> f64 {
    let t = Instant::now();
    let mut rounds = 0u32;
    while rounds == 0 || t.elapsed() < Duration::from_millis(200) {
        f();
        rounds += 1;
    }
    t.elapsed().as_nanos() as f64 / (f64::from(rounds) * n.max(1) as f64)
}

fn main() {
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let specs = SpecRegistry::load(false, &[]).expect("embedded specs");
    let cat = Catalog::new(&specs);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = ["captures", "../shared/captures"]
        .iter()
        .filter_map(|d| std::fs::read_dir(root.join(d)).ok())
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pcap" || x == "pcapng"))
        .collect();
    files.sort();
    // family -> (frame, its indexed message) of each message
    let mut groups: BTreeMap<String, Vec<(usize, MsgIndex)>> = BTreeMap::new();
    let mut all_frames = Vec::new();
    let mut dissectors = Vec::new();
    for f in &files {
        let frames = frames_of(f);
        let mut dis = Dissector::new(specs.clone());
        let base = all_frames.len();
        for (i, fr) in frames.iter().enumerate() {
            for c in &fr.comments {
                dis.learn_from_comment(c);
            }
            let endian = match fr.byte_order {
                ByteOrder::Little => Endian::Little,
                ByteOrder::Big => Endian::Big,
            };
            let fi = dis.index_frame(&fr.data, fr.linktype, endian);
            for m in &fi.msgs {
                let v = dis.view(&fr.data, m);
                let fam = v.spec_name().unwrap_or("(control)").to_string();
                groups.entry(fam).or_default().push((base + i, *m));
            }
        }
        for fr in frames {
            all_frames.push((fr, dissectors.len()));
        }
        dissectors.push(dis);
    }
    println!(
        "{:<18} {:>7} {:>10} {:>8} {:>11} {:>12}",
        "family", "msgs", "tree ns", "nodes", "summary ns", "filter ns"
    );
    for (fam, msgs) in &groups {
        if !only.is_empty() && !only.contains(fam) {
            continue;
        }
        let items: Vec<_> = msgs
            .iter()
            .filter_map(|(fi, m)| {
                let (fr, d) = all_frames.get(*fi)?;
                Some((fr, *d, *m))
            })
            .collect();
        let mut nodes = 0usize;
        let tree = per_item(items.len(), || {
            nodes = 0;
            for (fr, d, m) in &items {
                let t = dissectors[*d].view(&fr.data, m).tree();
                for n in &t {
                    n.walk(&mut |_| nodes += 1);
                }
                std::hint::black_box(t);
            }
        });
        let summary = per_item(items.len(), || {
            for (fr, d, m) in &items {
                std::hint::black_box(dissectors[*d].view(&fr.data, m).summary());
            }
        });
        // A filter on the deepest field of the first message's tree, as a user might write.
        let first = items
            .first()
            .map(|(fr, d, m)| dissectors[*d].view(&fr.data, m).tree());
        let field = first.as_deref().and_then(|t| {
            let mut deepest = None;
            for n in t {
                n.walk(&mut |x| {
                    if x.field.contains('.') && x.children.is_empty() {
                        deepest = Some(x.field.clone());
                    }
                });
            }
            deepest
        });
        let filter = field.and_then(|f| Filter::compile(&f, &cat).ok());
        let want = filter.as_ref().and_then(|f| cat.want(f));
        let filtered = match &want {
            Some(w) => format!(
                "{:.0}",
                per_item(items.len(), || {
                    for (fr, d, m) in &items {
                        std::hint::black_box(dissectors[*d].view(&fr.data, m).tree_for(Some(w)));
                    }
                })
            ),
            None => "-".into(),
        };
        println!(
            "{:<18} {:>7} {:>10.0} {:>8.1} {:>11.0} {:>12}",
            fam,
            items.len(),
            tree,
            nodes as f64 / items.len().max(1) as f64,
            summary,
            filtered
        );
    }
}
