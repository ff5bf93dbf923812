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

/// A writer that takes `left` bytes, then fails as a closed pipe does (`| head`).
struct Closes {
    left: usize,
    failed: usize,
}

impl std::io::Write for Closes {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            self.failed += 1;
            return Err(std::io::ErrorKind::BrokenPipe.into());
        }
        let n = b.len().min(self.left);
        self.left -= n;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Output closed early: the threads stop, and `read` ends quietly (exit 0, no message)
/// without writing on.
#[test]
fn a_closed_output_ends_every_thread() {
    let specs = SpecRegistry::load(false, &[]).unwrap();
    let mut caps = all_captures();
    caps.sort_by_key(|c| std::cmp::Reverse(std::fs::metadata(c).map_or(0, |m| m.len())));
    for cap in caps.iter().take(3) {
        let c = cap.to_str().unwrap().to_string();
        for (format, left) in [
            ("tree", 1),
            ("tree", 100_000),
            ("summary", 10),
            ("ndjson", 5000),
        ] {
            let (specs2, c2) = (specs.clone(), c.clone());
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let a = [
                    "read",
                    "-r",
                    &c2,
                    "-T",
                    format,
                    "--threads",
                    "3",
                    "--batch",
                    "2",
                ];
                let opts = Args::try_parse_from(a).unwrap().read;
                let mut out = Closes { left, failed: 0 };
                let r = run(&opts, specs2, &mut out);
                let _ = tx.send((r.err().map(|e| (e.code, e.message)), out.failed));
            });
            let (err, failed) = rx
                .recv_timeout(std::time::Duration::from_secs(120))
                .unwrap_or_else(|_| {
                    panic!("{c} -T {format}: read did not end after its output closed")
                });
            let full = read(&specs, &c, &["-T", format], "1").0.len();
            if full <= left {
                continue;
            }
            assert_eq!(err, Some((0, String::new())), "{c} -T {format}");
            // The failed write, and the buffer's own flush when it is dropped.
            assert!(failed <= 2, "{c} -T {format}: {failed} writes failed");
        }
    }
}
