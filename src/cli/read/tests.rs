use std::path::{Path, PathBuf};

use super::*;
use crate::pcap::{Writer, WriterOptions};

fn captures_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|e| e == "pcap" || e == "pcapng"));
    v.sort();
    v
}

fn names(d: &Dissector) -> Vec<(i32, String)> {
    let mut v: Vec<_> = d.link_names().map(|(i, n)| (i, n.to_string())).collect();
    v.sort();
    v
}

/// route-link.pcap as pcapng whose names also come from comments: the section's (a name
/// the frames rename later) and one frame's.
fn commented(dir: &Path) -> PathBuf {
    let src = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/route-link.pcap"))
        .unwrap();
    let r = crate::pcap::Reader::new(&src[..]).unwrap();
    let iface = r.interfaces()[0].clone();
    let out = dir.join("commented.pcapng");
    let opts = WriterOptions {
        format: OutFormat::PcapNg,
        section_comments: vec!["link-names: 1=early 900=from-section".into()],
        application: None,
    };
    let mut w = Writer::new(File::create(&out).unwrap(), opts);
    for (i, f) in r.enumerate() {
        let mut f = f.unwrap();
        if i == 3 {
            f.comments.push("link-names: 901=from-frame".into());
        }
        w.write_frame(&f, &iface).unwrap();
    }
    w.flush().unwrap();
    out
}

/// The pass before summary lines learns the names that indexing every frame teaches, from
/// every capture, with and without a frame count, and from comments.
#[test]
fn link_name_pass_learns_what_indexing_learns() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("nlscope-link-names-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = captures_in(&root.join("captures"));
    files.extend(captures_in(&root.join("../shared/captures")));
    let commented = commented(&dir);
    files.push(commented.clone());
    let specs = SpecRegistry::with_embedded();
    let mut named = 0;
    for f in &files {
        let path = f.to_str().unwrap();
        for count in [None, Some(5)] {
            let mut all = Dissector::new(specs.clone());
            let _ = walk_file(path, count, &mut all, &mut |_, _, _, _| {});
            let mut pass = Dissector::new(specs.clone());
            learn_link_names(path, count, &mut pass);
            assert_eq!(names(&pass), names(&all), "{path} count {count:?}");
            named += usize::from(count.is_none() && !names(&all).is_empty());
        }
    }
    assert!(named >= 10, "only {named} captures name links");
    let mut pass = Dissector::new(specs);
    learn_link_names(commented.to_str().unwrap(), None, &mut pass);
    let got = names(&pass);
    for want in ["from-section", "from-frame"] {
        assert!(got.iter().any(|(_, n)| n == want), "{want} in {got:?}");
    }
    // The frames rename link 1: what comes later in the file wins.
    assert!(got.contains(&(1, "lo".into())), "{got:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
