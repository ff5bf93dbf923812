//! End-to-end check of the nlmon source in a kernel that has nlmon: `scripts/nlmon-vm-test.sh`
//! boots the shared nlmon VM with `tests/nlmon/scenario.sh`, where tcpdump and
//! `nlscope capture` record nlmon0 at the same time while real tools run. This compares the two
//! captures frame by frame, byte for byte. It runs only when `NLSCOPE_NLMON_VM_OUT` names the
//! VM's output folder.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use nlscope::pcap::Frame;

use super::common::read_frames;

fn vm_out(why: &str) -> Option<PathBuf> {
    match std::env::var_os("NLSCOPE_NLMON_VM_OUT") {
        Some(d) if !d.is_empty() => Some(PathBuf::from(d)),
        _ => {
            eprintln!(
                "SKIP {why}: NLSCOPE_NLMON_VM_OUT is not set (run scripts/nlmon-vm-test.sh, which boots a VM whose kernel has nlmon)"
            );
            None
        }
    }
}

fn text(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (did the VM scenario run? see {})",
            dir.join(name).display(),
            dir.join("serial.log").display()
        )
    })
}

fn frames(path: &Path) -> Vec<Frame> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (frames, err) = read_frames(&bytes);
    assert!(err.is_none(), "{}: {err:?}", path.display());
    frames
}

fn hex(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Where two frames differ, with a few bytes of context from each.
fn describe_difference(i: usize, t: &Frame, n: &Frame) -> String {
    let first = t
        .data
        .iter()
        .zip(&n.data)
        .position(|(a, b)| a != b)
        .unwrap_or(t.data.len().min(n.data.len()));
    let from = first.saturating_sub(8);
    let to_t = (first + 24).min(t.data.len());
    let to_n = (first + 24).min(n.data.len());
    format!(
        "frame {}: tcpdump {} bytes (wire {}), nlscope {} bytes (wire {}); first difference at byte {first}\n  tcpdump @{from}: {}\n  nlscope @{from}: {}",
        i + 1,
        t.data.len(),
        t.orig_len,
        n.data.len(),
        n.orig_len,
        hex(t.data.get(from..to_t).unwrap_or(&[])),
        hex(n.data.get(from..to_n).unwrap_or(&[])),
    )
}

#[test]
fn nlscope_captures_the_same_frames_as_tcpdump_on_real_nlmon() {
    let Some(dir) = vm_out("nlmon end-to-end comparison") else {
        return;
    };
    let status = text(&dir, "e2e.status");
    assert!(
        status.contains("ready: listening on") && status.contains("ready: Capturing on"),
        "both captures must have started before the tools ran: {status}\ntcpdump: {}\nnlscope: {}",
        text(&dir, "tcpdump.log"),
        text(&dir, "nlscope.log")
    );
    let nlog = text(&dir, "nlscope.log");
    assert_eq!(
        text(&dir, "nlscope.rc").trim(),
        "0",
        "nlscope capture exit status after SIGINT; its stderr:\n{nlog}"
    );
    assert!(!nlog.contains("panicked"), "{nlog}");
    assert!(nlog.contains("Capturing on nlmon0"), "{nlog}");
    assert!(
        nlog.lines()
            .any(|l| l.ends_with(" frames captured, 0 dropped (0 by the kernel, 0 in nlscope)")),
        "nlscope lost frames:\n{nlog}"
    );
    let tlog = text(&dir, "tcpdump.log");
    assert_eq!(text(&dir, "tcpdump.rc").trim(), "0", "tcpdump:\n{tlog}");
    if !tlog.lines().any(|l| l == "0 packets dropped by kernel") {
        // The reference is incomplete (scripts/nlmon-vm-test.sh already booted twice): a
        // comparison would prove nothing either way, so say so loudly instead of failing.
        eprintln!("SKIP nlmon byte comparison: tcpdump, the reference, lost frames twice:\n{tlog}");
        return;
    }

    let t = frames(&dir.join("tcpdump.pcap"));
    let n = frames(&dir.join("nlscope.pcapng"));
    for f in t.iter().chain(&n) {
        assert_eq!(f.linktype, 253, "LINKTYPE_NETLINK");
    }
    // The tools must really have produced traffic of the families they speak.
    let fam = |p: u16| {
        t.iter()
            .filter(|f| f.data.get(14..16) == Some(&p.to_be_bytes()[..]))
            .count()
    };
    let (route, diag, genl) = (fam(0), fam(4), fam(16));
    eprintln!(
        "nlmon VM: tcpdump {} frames, nlscope {} frames (route {route}, sock_diag {diag}, generic {genl})",
        t.len(),
        n.len()
    );
    assert!(
        t.len() >= 50 && route > 0 && diag > 0 && genl > 0,
        "too little traffic captured; commands:\n{}",
        text(&dir, "e2e.cmds.txt")
    );

    let mut report = String::new();
    let mut max_dt = 0i128;
    for (i, (a, b)) in t.iter().zip(&n).enumerate() {
        if a.data != b.data || a.orig_len != b.orig_len {
            if report.len() < 4000 {
                let _ = writeln!(report, "{}", describe_difference(i, a, b));
            }
        } else {
            max_dt = max_dt.max((a.ts_ns - b.ts_ns).abs());
        }
    }
    assert!(
        t.len() == n.len() && report.is_empty(),
        "nlscope's capture differs from tcpdump's: {} vs {} frames\n{report}",
        t.len(),
        n.len()
    );
    eprintln!(
        "nlmon VM: all {} frames byte-identical; largest timestamp difference {} us",
        t.len(),
        max_dt / 1000
    );
    // Both read the same skb timestamp; a big gap would mean a wrong clock or unit.
    assert!(max_dt < 1_000_000_000, "timestamps differ by {max_dt} ns");
    // nlscope recorded the kernel's generic netlink ids at start (a section comment).
    let raw = std::fs::read(dir.join("nlscope.pcapng")).unwrap();
    let has = |s: &str| raw.windows(s.len()).any(|w| w == s.as_bytes());
    assert!(
        has("genl-families: 16=nlctrl") && has("=ethtool"),
        "no genl-families section comment in nlscope.pcapng"
    );
    // ... and the links (nlmon0 among them), from a dump taken before its packet socket opened.
    assert!(
        has("link-names: 1=lo ") && has("=nlmon0"),
        "no link-names section comment in nlscope.pcapng"
    );
}

#[test]
fn create_nlmon_makes_and_removes_the_interface_in_the_vm() {
    let Some(dir) = vm_out("--create-nlmon in the VM") else {
        return;
    };
    let log = text(&dir, "create.log");
    let cmds = text(&dir, "create.cmds.txt");
    assert_eq!(text(&dir, "create.rc").trim(), "0", "{log}\n{cmds}");
    assert!(log.contains("Capturing on nlmon1"), "{log}");
    // While capturing: nlmon1 exists, is an nlmon link and is up.
    let (during, after) = cmds
        .split_once("$ ip link show dev nlmon1")
        .unwrap_or_else(|| panic!("no final check in\n{cmds}"));
    assert!(
        during.contains("nlmon1: <NOARP,UP,LOWER_UP>") && during.contains("\n    nlmon "),
        "{during}"
    );
    // After the autostop: gone.
    assert!(
        after.contains("does not exist") && !after.contains("[exit 0]"),
        "nlmon1 left behind:\n{after}"
    );
    // It captured the `ip` commands run meanwhile.
    let f = frames(&dir.join("create.pcapng"));
    assert!(f.len() >= 2, "{} frames\n{log}", f.len());
}

#[test]
fn create_nlmon_removes_the_interface_when_the_file_cannot_be_written() {
    let Some(dir) = vm_out("--create-nlmon -w /dev/full in the VM") else {
        return;
    };
    let log = text(&dir, "full.log");
    let cmds = text(&dir, "full.cmds.txt");
    // The write error ends the capture (exit 1) with its message...
    assert_eq!(text(&dir, "full.rc").trim(), "1", "{log}\n{cmds}");
    assert!(
        log.contains("writing /dev/full") && log.contains("No space left"),
        "{log}"
    );
    // ... and the nlmon link the capture made is gone (its worker removed it).
    let (_, after) = cmds
        .split_once("$ ip link show dev nlmon2")
        .unwrap_or_else(|| panic!("no final check in\n{cmds}"));
    assert!(
        after.contains("does not exist") && !after.contains("[exit 0]"),
        "nlmon2 left behind:\n{after}\n{log}"
    );
}
