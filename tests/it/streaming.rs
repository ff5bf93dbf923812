//! Reading from stdin: same output as the file, and frames are printed as they arrive.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use super::common::*;

#[test]
fn stdin_equals_file() {
    for cap in ["route-link.pcap", "ethtool.pcap"] {
        let path = local(cap);
        let from_file = run_ok(&["read", "-r", path.to_str().unwrap(), "-T", "ndjson"]);
        let mut child = Command::new(bin())
            .args(["read", "-r", "-", "-T", "ndjson"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let feeder = std::thread::spawn(move || {
            // Uneven chunks, like a pipe delivers them.
            for c in bytes.chunks(777) {
                stdin.write_all(c).unwrap();
            }
        });
        let out = child.wait_with_output().unwrap();
        feeder.join().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // A pipe is read once: a request printed before its answers came does not know them.
        let lines = |s: &str| -> Vec<serde_json::Value> {
            s.lines()
                .map(|l| without_forward_links(serde_json::from_str(l).unwrap()))
                .collect()
        };
        assert_eq!(
            lines(&String::from_utf8(out.stdout).unwrap()),
            lines(&from_file),
            "{cap}"
        );
    }
}

#[test]
fn frame_is_printed_before_stdin_closes() {
    let bytes = std::fs::read(local("route-link.pcap")).unwrap();
    let (_, recs) = raw_pcap_records(&bytes);
    let first_end = recs[1].0;
    let mut child = Command::new(bin())
        .args(["read", "-r", "-", "-T", "ndjson"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&bytes[..first_end]).unwrap();
    stdin.flush().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut r = BufReader::new(stdout);
        let mut line = String::new();
        let _ = r.read_line(&mut line);
        let _ = tx.send(line);
    });
    let got = rx.recv_timeout(Duration::from_secs(10));
    drop(stdin);
    let _ = child.wait();
    let _ = reader.join();
    let line = got.expect("no output within 10 s while stdin was still open");
    let j: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(j["frame"], 1);
    assert_eq!(j["type_name"], "RTM_NEWLINK");
}
