//! `nlscope read` on several threads prints exactly what it prints on one: every capture,
//! every output format, filters that read headers, payloads, processes and changes, and the
//! frames `-w` writes. Small batches on three threads make each thread miss most batches,
//! so what it must learn from the others (link names, generic netlink ids and guesses,
//! nftables sets, requests behind extended ACKs, objects' previous messages) is tested.

use clap::Parser;
use nlscope::cli::read::{ReadOptions, run};
use nlscope::dissect::specs::SpecRegistry;

use super::common::*;

#[derive(Parser)]
struct Args {
    #[command(flatten)]
    read: ReadOptions,
}

/// Output and error of `nlscope read -r CAP ARGS` on `threads` threads (batches of two
/// frames), run in this process.
fn read(specs: &SpecRegistry, cap: &str, args: &[&str], threads: &str) -> (Vec<u8>, String) {
    let mut a = vec!["read", "-r", cap, "--threads", threads, "--batch", "2"];
    a.extend_from_slice(args);
    let opts = Args::try_parse_from(&a).unwrap().read;
    let mut out = Vec::new();
    let err = run(&opts, specs.clone(), &mut out).err();
    (out, err.map(|e| e.message).unwrap_or_default())
}

const CASES: &[&[&str]] = &[
    &["-T", "summary"],
    &["-T", "tree"],
    &["-T", "json"],
    &["-T", "ndjson"],
    &["-T", "csv"],
    &["-T", "summary", "-t", "ad"],
    &[
        "-T",
        "summary",
        "-Y",
        "nlmsg.flags & 0x300 || nlmsg.error != 0",
    ],
    &["-T", "json", "-Y", "rt-link.mtu > 1000 || rt-addr.label"],
    &["-T", "ndjson", "-Y", "nlmsg.changed"],
    &[
        "-T",
        "csv",
        "-Y",
        "proc.comm || frame.marked || nlmsg.response_in",
    ],
];

#[test]
fn many_threads_print_what_one_prints() {
    let specs = SpecRegistry::load(false, &[]).unwrap();
    let mut compared = 0;
    for cap in all_captures() {
        let c = cap.to_str().unwrap();
        for args in CASES {
            let one = read(&specs, c, args, "1");
            let many = read(&specs, c, args, "3");
            assert!(
                one == many,
                "{c} {args:?}: 3 threads differ from 1 (first differing byte {:?}; errors {:?} vs {:?})",
                one.0.iter().zip(&many.0).position(|(a, b)| a != b),
                one.1,
                many.1,
            );
            compared += 1;
        }
    }
    assert!(compared >= CASES.len() * 40, "only {compared} runs");
}

#[test]
fn many_threads_write_the_frames_one_writes() {
    let specs = SpecRegistry::load(false, &[]).unwrap();
    let dir = TempDir::new("threads-w");
    for cap in all_captures().iter().take(30) {
        let c = cap.to_str().unwrap();
        let mut outs = Vec::new();
        for threads in ["1", "3"] {
            let path = dir.path(&format!("{threads}.pcapng"));
            let p = path.to_str().unwrap();
            let _ = read(&specs, c, &["-Y", "nlmsg.type != 3", "-w", p], threads);
            outs.push(std::fs::read(&path).unwrap_or_default());
        }
        assert!(outs[0] == outs[1], "{c}: -w on 3 threads wrote other bytes");
    }
}
