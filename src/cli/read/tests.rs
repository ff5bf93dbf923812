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
    let (mut named, mut met) = (0, 0);
    for f in &files {
        let path = f.to_str().unwrap();
        for count in [None, Some(5)] {
            let mut all = Dissector::new(specs.clone());
            let _ = walk_file(path, count, &mut all, &mut |_, _, _, _| {});
            let mut pass = Dissector::new(specs.clone());
            learn_link_names(path, count, &mut pass);
            assert_eq!(names(&pass), names(&all), "{path} count {count:?}");
            // The pass that starts before the specs are loaded learns the same.
            let learned = names::early(path, count);
            assert_eq!(learned.met_links, all.met_links(), "{path} count {count:?}");
            met += usize::from(learned.met_links);
            let mut early = learned.names;
            early.sort();
            assert_eq!(early, names(&all), "{path} count {count:?}, without specs");
            named += usize::from(count.is_none() && !names(&all).is_empty());
        }
    }
    assert!(named >= 10, "only {named} captures name links");
    assert!(
        met >= 10 && met < 2 * files.len(),
        "{met} of {} passes met links",
        files.len()
    );
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

fn read_opts(args: &[&str]) -> ReadOptions {
    #[derive(clap::Parser)]
    struct Args {
        #[command(flatten)]
        read: ReadOptions,
    }
    <Args as clap::Parser>::parse_from(std::iter::once("read").chain(args.iter().copied())).read
}

/// The names the pass started before the specs loaded are used only if the specs number
/// IFLA_IFNAME as the pass did (3); else, and with `--decode-as`/`--genl`, the pass runs again.
#[test]
fn early_names_are_used_only_when_the_specs_agree() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/route-link.pcap");
    let path = path.to_str().unwrap();
    let opts = read_opts(&["-r", path]);
    let sorted = |mut v: Vec<(i32, String)>| {
        v.sort();
        v
    };
    let embedded = SpecRegistry::with_embedded();
    let real = sorted(names::primed(&opts, &embedded, None).unwrap());
    assert!(real.contains(&(1, "lo".into())), "{real:?}");
    // An early pass is taken as it is: a made-up result shows which one was used.
    let fake = || Some(names::EarlyNames::ready(vec![(7, "fake".into())]));
    assert_eq!(
        names::primed(&opts, &embedded, fake()).unwrap(),
        [(7, "fake".into())]
    );
    // A pass that met no RTM_NEWLINK is taken without asking the specs' number (its names
    // came from comments), so rt-link is not loaded for it.
    let lazy = SpecRegistry::with_embedded();
    let commented = || Some(names::EarlyNames::from_comments(vec![(8, "noted".into())]));
    assert_eq!(
        names::primed(&opts, &lazy, commented()).unwrap(),
        [(8, "noted".into())]
    );
    assert!(!lazy.is_loaded("rt-link"));
    names::primed(&opts, &lazy, fake()).unwrap();
    assert!(lazy.is_loaded("rt-link"));
    // A spec numbering IFLA_IFNAME 7: the early pass learned with the wrong number.
    let mut odd = SpecRegistry::new();
    let rt_link = "name: rt-link\nprotocol: netlink-raw\nprotonum: 0\nattribute-sets:\n  - name: link-attrs\n    name-prefix: ifla-\n    attributes:\n      - {name: ifname, type: string, value: 7}\n";
    odd.insert(
        crate::dissect::specs::load_spec(
            rt_link,
            crate::dissect::specs::SpecSource::Embedded("t".into()),
        )
        .unwrap(),
    );
    assert!(
        names::primed(&opts, &odd, fake())
            .unwrap()
            .iter()
            .all(|(_, n)| n != "fake")
    );
    // Pins need the specs: no early pass; nor for formats that name no links.
    assert!(names::start(&read_opts(&["-r", path, "--genl", "nlctrl=16"])).is_none());
    assert!(names::start(&read_opts(&["-r", path, "-T", "json"])).is_none());
    assert!(names::start(&read_opts(&["-r", "-"])).is_none());
    let early = names::start(&opts);
    assert!(early.is_some());
    assert_eq!(
        sorted(names::primed(&opts, &embedded, early).unwrap()),
        real
    );
}

/// A pass split at any record start learns what one pass learns; so does one split at a
/// wrong guess (mid-record, past the end: the first half does not arrive there and walks on).
#[test]
fn a_split_name_pass_learns_what_one_pass_learns() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = captures_in(&root.join("captures"));
    files.extend(captures_in(&root.join("../shared/captures")));
    files.retain(|f| f.extension().is_some_and(|e| e == "pcap"));
    let (mut splits, mut named) = (0, 0);
    for f in &files {
        let path = f.to_str().unwrap();
        let mut one = Dissector::new(SpecRegistry::new());
        learn_link_names(path, None, &mut one);
        let want = names(&one);
        named += usize::from(!want.is_empty());
        let starts: Vec<u64> = crate::pcap::Reader::new(File::open(f).unwrap())
            .unwrap()
            .map_while(Result::ok)
            .map(|fr| fr.file_offset)
            .collect();
        let len = std::fs::metadata(f).unwrap().len();
        let step = starts.len() / 40 + 1;
        let guesses = starts
            .iter()
            .step_by(step)
            .flat_map(|&s| [s, s + 1, s + 17]);
        for mid in guesses.chain([len, len + 100]) {
            let mut got = names::split_walk(path, mid).names;
            got.sort();
            assert_eq!(got, want, "{path} split at {mid}");
            splits += 1;
        }
    }
    assert!(
        named >= 5 && splits >= 500,
        "{named} captures name links, {splits} splits"
    );
}

/// A file large enough to be split: its second half renames links the first named, and
/// names others; the split pass learns what one pass does.
#[test]
fn a_large_pcap_is_split_and_later_names_win() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/route-link.pcap");
    let r = crate::pcap::Reader::new(File::open(&src).unwrap()).unwrap();
    let iface = r.interfaces()[0].clone();
    let frames: Vec<_> = r.map(Result::unwrap).collect();
    let path = std::env::temp_dir().join(format!("nlscope-split-{}.pcap", std::process::id()));
    let opts = WriterOptions {
        format: OutFormat::Pcap,
        section_comments: Vec::new(),
        application: None,
    };
    let mut w = Writer::new(File::create(&path).unwrap(), opts);
    let mut written = 0;
    let mut round = 0u8;
    while written < 10 << 20 {
        for f in &frames {
            let mut f = f.clone();
            // Past the middle, every name "veth1" reads "vet_1" (same length, same layout).
            if written > 5 << 20
                && let Some(p) = f.data.windows(5).position(|w| w == b"veth1")
            {
                f.data[p + 3] = b'_';
            }
            written += f.data.len() + 16;
            w.write_frame(&f, &iface).unwrap();
        }
        round = round.wrapping_add(1);
    }
    w.flush().unwrap();
    drop(w);
    let p = path.to_str().unwrap();
    let file = File::open(&path).unwrap();
    let mid = crate::pcap::split::record_start_near(&file, file.metadata().unwrap().len() / 2);
    assert!(mid.is_some(), "{round} rounds");
    let mut one = Dissector::new(SpecRegistry::new());
    learn_link_names(p, None, &mut one);
    let want = names(&one);
    assert!(want.iter().any(|(_, n)| n == "vet_1"), "{want:?}");
    assert!(!want.iter().any(|(_, n)| n == "veth1"), "{want:?}");
    let mut got = names::early(p, None).names;
    got.sort();
    assert_eq!(got, want);
    let _ = std::fs::remove_file(&path);
}

/// A filter on one family's fields passes over the messages of other protocols without
/// loading their specs (resolving a generic netlink message loads its family's spec, guessing
/// its family every family's), and still matches what it reads.
#[test]
fn a_filter_loads_no_spec_of_protocols_it_passes_over() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/genl-nl80211.pcap");
    let run = |filter: &str| {
        let specs = SpecRegistry::with_embedded();
        let opts = read_opts(&["-r", path.to_str().unwrap(), "-Y", filter]);
        let mut out = Vec::new();
        super::run(&opts, specs.clone(), &mut out).unwrap();
        (String::from_utf8(out).unwrap().lines().count(), specs)
    };
    let (lines, specs) = run("rt-link.mtu > 0");
    assert_eq!(lines, 8);
    assert!(specs.is_loaded("rt-link"));
    assert!(!specs.is_loaded("nl80211"));
    // (nlctrl's is, for indexing: it learns the family ids from CTRL_CMD_NEWFAMILY.)
    let (lines, specs) = run("nl80211.wiphy");
    assert_eq!(lines, 590);
    assert!(specs.is_loaded("nl80211"));
}

/// A large file's specs load in the background: those its first megabyte shows it needs (its
/// protocols', its named generic netlink families'), not every spec.
#[test]
fn the_specs_warmed_are_those_the_file_shows() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/genl-nl80211.pcap");
    let (protocols, genl, unnamed) = walk::sniff(path.to_str().unwrap(), SNIFF_BYTES, &[]);
    assert_ne!(protocols & (1 << 16), 0);
    assert!(genl.iter().any(|n| n == "nl80211"), "{genl:?}");
    assert!(!unnamed);
    let specs = SpecRegistry::with_embedded();
    let genl: Vec<&str> = genl.iter().map(String::as_str).collect();
    specs.load_for(protocols, &genl, unnamed);
    assert!(specs.is_loaded("nl80211") && specs.is_loaded("nlctrl"));
    assert!(!specs.is_loaded("devlink") && !specs.is_loaded("audit"));
    // `genl ctrl list` names every family of the kernel, but has messages of nlctrl alone.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/genl-ctrl.pcap");
    let mut dis = crate::dissect::Dissector::new(SpecRegistry::new());
    super::walk::walk_file(path.to_str().unwrap(), None, &mut dis, &mut |_, _, _, _| {}).unwrap();
    assert!(dis.genl_families().len() > 10, "{:?}", dis.genl_families());
    let (_, genl, unnamed) = walk::sniff(path.to_str().unwrap(), SNIFF_BYTES, &[]);
    assert_eq!((genl, unnamed), (vec!["nlctrl".to_string()], false));
    // An id the user named (`--genl`) is that family, whatever the capture says.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/genl-nl80211.pcap");
    let mut dis = crate::dissect::Dissector::new(SpecRegistry::new());
    super::walk::walk_file(path.to_str().unwrap(), None, &mut dis, &mut |_, _, _, _| {}).unwrap();
    let (&id, _) = dis
        .genl_families()
        .iter()
        .find(|(_, n)| *n == "nl80211")
        .unwrap();
    let pins = [("devlink".to_string(), id)];
    let (_, genl, _) = walk::sniff(path.to_str().unwrap(), SNIFF_BYTES, &pins);
    assert!(
        genl.iter().any(|n| n == "devlink") && !genl.iter().any(|n| n == "nl80211"),
        "{genl:?}"
    );
    // A generic netlink message before its family was named: every generic netlink spec.
    let specs = SpecRegistry::with_embedded();
    specs.load_for(1 << 16, &[], true);
    assert!(specs.is_loaded("devlink") && specs.is_loaded("nlctrl"));
    assert!(!specs.is_loaded("rt-link"));
}
