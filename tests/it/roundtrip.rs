//! pcap -> pcapng -> pcap is lossless, and Wireshark reads our pcapng.

use std::path::Path;
use std::process::Command;

use super::common::*;

fn roundtrip(src: &Path, tmp: &TempDir) -> std::path::PathBuf {
    let stem = src.file_stem().unwrap().to_string_lossy().into_owned();
    let ng = tmp.path(&format!("{stem}.pcapng"));
    let back = tmp.path(&format!("{stem}.pcap"));
    let s = src.to_str().unwrap();
    let out = run_ok(&["read", "-r", s, "-w", ng.to_str().unwrap()]);
    assert!(out.is_empty(), "-w without -T prints nothing, got {out:?}");
    let ng_bytes = std::fs::read(&ng).unwrap();
    assert_eq!(
        &ng_bytes[..4],
        &[0x0a, 0x0d, 0x0d, 0x0a],
        "{}: -w x.pcapng writes pcapng",
        src.display()
    );
    run_ok(&[
        "read",
        "-r",
        ng.to_str().unwrap(),
        "-w",
        back.to_str().unwrap(),
    ]);
    let a = std::fs::read(src).unwrap();
    let b = std::fs::read(&back).unwrap();
    assert!(
        a == b,
        "{}: pcap -> pcapng -> pcap is not byte-identical ({} vs {} bytes, first difference at {:?})",
        src.display(),
        a.len(),
        b.len(),
        a.iter().zip(&b).position(|(x, y)| x != y)
    );
    // Same messages either way.
    assert_eq!(
        strip_time(json_msgs(src, &[])),
        strip_time(json_msgs(&ng, &[]))
    );
    ng
}

fn strip_time(mut v: Vec<serde_json::Value>) -> Vec<serde_json::Value> {
    for m in &mut v {
        m.as_object_mut().unwrap().remove("time");
    }
    v
}

#[test]
fn pcap_pcapng_pcap_is_identical() {
    let tmp = TempDir::new("roundtrip");
    let mut caps = captures_in(&local_dir());
    if let Some(s) = shared_captures("round trip of shared captures") {
        caps.extend(s);
    }
    let ts = tshark("tshark reading our pcapng");
    for src in caps {
        let ng = roundtrip(&src, &tmp);
        if let Some(ts) = ts {
            let count = |p: &Path| {
                let out = Command::new(ts)
                    .arg("-r")
                    .arg(p)
                    .args([
                        "-T",
                        "fields",
                        "-E",
                        "occurrence=a",
                        "-e",
                        "netlink.hdr_len",
                    ])
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "tshark -r {}: {}",
                    p.display(),
                    String::from_utf8_lossy(&out.stderr)
                );
                String::from_utf8(out.stdout)
                    .unwrap()
                    .lines()
                    .map(|l| l.split(',').filter(|x| !x.is_empty()).count())
                    .sum::<usize>()
            };
            let (a, b) = (count(&src), count(&ng));
            // A capture of kobject uevents only has text, no netlink headers.
            let uevents_only = json_msgs(&src, &[]).iter().all(|m| m["protocol"] == 15);
            assert!(
                a > 0 || uevents_only,
                "{}: tshark found no netlink headers",
                src.display()
            );
            assert_eq!(
                a,
                b,
                "{}: tshark netlink header count, pcap vs our pcapng",
                src.display()
            );
        }
    }
}

#[test]
fn filtered_write_keeps_only_matching_frames() {
    let tmp = TempDir::new("filtered");
    let out = tmp.path("errors.pcap");
    let src = local("ethtool.pcap");
    run_ok(&[
        "read",
        "-r",
        src.to_str().unwrap(),
        "-Y",
        "nlmsg.error == -95",
        "-w",
        out.to_str().unwrap(),
    ]);
    let want: Vec<u64> = json_msgs(&src, &["-Y", "nlmsg.error == -95"])
        .iter()
        .map(|m| m["frame"].as_u64().unwrap())
        .collect();
    let (frames, err) = read_frames(&std::fs::read(&out).unwrap());
    assert!(err.is_none());
    assert_eq!(frames.len(), want.len());
    let (orig, _) = read_frames(&std::fs::read(&src).unwrap());
    for (f, n) in frames.iter().zip(&want) {
        assert_eq!(f.data, orig[*n as usize - 1].data);
        assert_eq!(f.ts_ns, orig[*n as usize - 1].ts_ns);
    }
}
