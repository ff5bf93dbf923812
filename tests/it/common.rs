//! Shared helpers: running the binary, locating captures, building synthetic pcap files,
//! walking dissection trees.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use nlscope::dissect::Dissector;
use nlscope::dissect::specs::SpecRegistry;
use nlscope::model::{Endian, Node};
use nlscope::netlink::MsgBuilder;
use nlscope::pcap::{ByteOrder, Frame, ReadError, Reader};
use serde_json::Value as J;

/// Path of the `nlscope` binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_nlscope")
}

/// Run `nlscope ARGS`.
pub fn run<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    Command::new(bin())
        .args(args)
        // Goldens and expectations assume the embedded specs, whatever the host has installed.
        .env("NLSCOPE_NO_SYSTEM_SPECS", "1")
        .stdin(Stdio::null())
        .output()
        .expect("spawn nlscope")
}

/// Run `nlscope ARGS`, assert success, return stdout.
pub fn run_ok<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> String {
    let out = run(args);
    let shown: Vec<String> = args
        .iter()
        .map(|a| a.as_ref().to_string_lossy().into_owned())
        .collect();
    assert!(
        out.status.success(),
        "nlscope {shown:?} failed ({:?}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert_no_panic(&out);
    String::from_utf8(out.stdout).expect("stdout is UTF-8")
}

/// Assert that a run did not panic.
pub fn assert_no_panic(out: &Output) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "nlscope panicked: {err}");
}

/// `nlscope read -r PATH -T ndjson [EXTRA]`, parsed.
pub fn json_msgs(path: &Path, extra: &[&str]) -> Vec<J> {
    let p = path.to_str().expect("UTF-8 path");
    let mut args = vec!["read", "-r", p, "-T", "ndjson"];
    args.extend_from_slice(extra);
    run_ok(&args)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l}: {e}")))
        .collect()
}

/// The repository's `captures/` directory.
pub fn local_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("captures")
}

/// A capture in `captures/`.
pub fn local(name: &str) -> PathBuf {
    local_dir().join(name)
}

/// Every `*.pcap` / `*.pcapng` in `dir`, sorted.
pub fn captures_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "pcap" || x == "pcapng"))
        .collect();
    v.sort();
    v
}

/// `$CARGO_MANIFEST_DIR/../shared`, or `None` (with the reason printed) when absent.
pub fn shared(why: &str) -> Option<PathBuf> {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if d.join("captures").is_dir() {
        Some(d)
    } else {
        eprintln!(
            "SKIP {why}: {} not found (CI clones shared/ beside the repository)",
            d.display()
        );
        None
    }
}

/// The shared real captures, or `None` (skip reason printed).
pub fn shared_captures(why: &str) -> Option<Vec<PathBuf>> {
    shared(why).map(|d| captures_in(&d.join("captures")))
}

/// The local captures plus the shared ones when present.
pub fn all_captures() -> Vec<PathBuf> {
    let mut v = captures_in(&local_dir());
    if let Some(s) = shared_captures("shared captures in the all-captures set") {
        v.extend(s);
    }
    v
}

/// Read every frame of a capture in-process; the trailing read error, if any.
pub fn read_frames(bytes: &[u8]) -> (Vec<Frame>, Option<ReadError>) {
    let mut r = match Reader::new(bytes) {
        Ok(r) => r,
        Err(e) => return (Vec::new(), Some(e)),
    };
    let mut frames = Vec::new();
    while let Some(f) = r.next_frame() {
        match f {
            Ok(f) => frames.push(f),
            Err(e) => return (frames, Some(e)),
        }
    }
    (frames, None)
}

pub fn endian_of(b: ByteOrder) -> Endian {
    match b {
        ByteOrder::Little => Endian::Little,
        ByteOrder::Big => Endian::Big,
    }
}

/// One dissected message: header node plus tree.
pub struct Dissected {
    pub frame: usize,
    pub msg: usize,
    pub nodes: Vec<Node>,
}

/// Index and fully dissect every message of every frame; frame problems become extra nodes.
pub fn dissect_all(frames: &[Frame], specs: SpecRegistry) -> Vec<Dissected> {
    let mut dis = Dissector::new(specs);
    let mut out = Vec::new();
    for (fno, f) in frames.iter().enumerate() {
        let fi = dis.index_frame(&f.data, f.linktype, endian_of(f.byte_order));
        for (mi, m) in fi.msgs.iter().enumerate() {
            let v = dis.view(&f.data, m);
            let mut nodes = vec![v.header_node()];
            nodes.extend(v.tree());
            // Exercise the other renderings too: they must not panic.
            let _ = (v.type_name(), v.family_name(), v.flag_names(), v.summary());
            out.push(Dissected {
                frame: fno + 1,
                msg: mi,
                nodes,
            });
        }
        if let Some(p) = nlscope::dissect::problems::frame_problem_node(&fi, f.data.len()) {
            out.push(Dissected {
                frame: fno + 1,
                msg: usize::MAX,
                nodes: vec![p],
            });
        }
    }
    out
}

/// Every node of a forest, depth first.
pub fn all_nodes(nodes: &[Node]) -> Vec<&Node> {
    let mut v = Vec::new();
    for n in nodes {
        n.walk(&mut |x| v.push(x));
    }
    v
}

/// Every node of a JSON tree (array of node objects), depth first.
pub fn all_json_nodes(tree: &J) -> Vec<&J> {
    fn go<'a>(n: &'a J, v: &mut Vec<&'a J>) {
        v.push(n);
        for c in n["children"].as_array().into_iter().flatten() {
            go(c, v);
        }
    }
    let mut v = Vec::new();
    for n in tree.as_array().into_iter().flatten() {
        go(n, &mut v);
    }
    v
}

/// A fresh, unique temporary directory (removed by the guard's drop).
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let d = std::env::temp_dir().join(format!(
            "nlscope-it-{}-{tag}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&d).expect("create temp dir");
        TempDir(d)
    }
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A 16-byte nlmon cooked header for netlink `protocol` (fields big-endian, as nlmon writes).
pub fn cooked(protocol: u16) -> Vec<u8> {
    let mut v = Vec::with_capacity(16);
    v.extend_from_slice(&4u16.to_be_bytes()); // PACKET_OUTGOING
    v.extend_from_slice(&824u16.to_be_bytes()); // ARPHRD_NETLINK
    v.extend_from_slice(&0u16.to_be_bytes());
    v.extend_from_slice(&[0; 8]);
    v.extend_from_slice(&protocol.to_be_bytes());
    v
}

/// A builder for a little-endian netlink message (the byte order [`pcap_file`] declares).
pub fn le_msg(ty: u16, flags: u16, seq: u32, pid: u32) -> MsgBuilder {
    MsgBuilder::with_endian(Endian::Little, ty, flags, seq, pid)
}

/// A frame for [`pcap_file`]: the nlmon cooked header for `protocol`, then the message.
pub fn nl_frame(protocol: u16, msg: MsgBuilder) -> Vec<u8> {
    let mut f = cooked(protocol);
    f.extend(msg.finish());
    f
}

/// A little-endian microsecond pcap (LINKTYPE_NETLINK) holding `frames`.
pub fn pcap_file(frames: &[Vec<u8>]) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    v.extend_from_slice(&2u16.to_le_bytes());
    v.extend_from_slice(&4u16.to_le_bytes());
    v.extend_from_slice(&0i32.to_le_bytes());
    v.extend_from_slice(&0u32.to_le_bytes());
    v.extend_from_slice(&262_144u32.to_le_bytes());
    v.extend_from_slice(&253u32.to_le_bytes());
    for (i, f) in frames.iter().enumerate() {
        v.extend_from_slice(&(1_700_000_000u32 + i as u32).to_le_bytes());
        v.extend_from_slice(&0u32.to_le_bytes());
        v.extend_from_slice(&(f.len() as u32).to_le_bytes());
        v.extend_from_slice(&(f.len() as u32).to_le_bytes());
        v.extend_from_slice(f);
    }
    v
}

/// Frames of a classic pcap file, parsed independently of nlscope: (record offset, bytes).
/// Panics on anything but a well-formed pcap (the shared captures are).
pub fn raw_pcap_records(bytes: &[u8]) -> (bool, Vec<(usize, Vec<u8>)>) {
    let magic = u32::from_le_bytes(bytes[0..4].try_into().unwrap());
    let le = match magic {
        0xa1b2_c3d4 | 0xa1b2_3c4d => true,
        0xd4c3_b2a1 | 0x4d3c_b2a1 => false,
        m => panic!("not a pcap file (magic {m:#x})"),
    };
    let rd = |o: usize| {
        let b: [u8; 4] = bytes[o..o + 4].try_into().unwrap();
        if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        }
    };
    let mut pos = 24;
    let mut out = Vec::new();
    while pos < bytes.len() {
        let incl = rd(pos + 8) as usize;
        out.push((pos, bytes[pos + 16..pos + 16 + incl].to_vec()));
        pos += 16 + incl;
    }
    (le, out)
}

/// Load the kernel YNL specs from shared/ (plus the embedded ones).
pub fn kernel_specs(shared: &Path) -> SpecRegistry {
    let reg = SpecRegistry::load_default(&[shared.join("ynl-specs")]).expect("load kernel specs");
    let errors = reg.errors();
    assert!(errors.is_empty(), "kernel specs failed to load: {errors:?}");
    reg
}

/// `tshark` on PATH, or `None` with the skip reason printed.
pub fn tshark(why: &str) -> Option<&'static str> {
    let ok = Command::new("tshark")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        Some("tshark")
    } else {
        eprintln!("SKIP {why}: tshark is not on PATH (apt-get install tshark)");
        None
    }
}

/// The summary line of every message of a capture, in order.
pub fn summaries(path: &Path) -> Vec<String> {
    json_msgs(path, &[])
        .iter()
        .filter_map(|m| m["summary"].as_str().map(str::to_string))
        .collect()
}

/// Every line of `want` is among `got`, the summaries of capture `caps`.
pub fn assert_summaries(caps: &str, got: &[String], want: &[&str]) {
    for w in want {
        assert!(
            got.iter().any(|s| s == w),
            "{caps}: missing {w:?} in\n{}",
            got.join("\n")
        );
    }
}

/// Every message of capture `cap` has a named type and no expert error in its tree (and, with
/// `no_raw`, no raw node); returns the messages.
pub fn assert_decoded(no_raw: bool, cap: &Path) -> Vec<J> {
    let msgs = json_msgs(cap, &[]);
    assert!(!msgs.is_empty(), "{}: no messages", cap.display());
    for m in &msgs {
        let ty = m["type_name"].as_str().unwrap_or_default();
        assert!(
            !ty.starts_with("type "),
            "{}: unnamed type {ty} in frame {}",
            cap.display(),
            m["frame"]
        );
        for n in all_json_nodes(&m["tree"]) {
            assert!(
                !no_raw || n["raw"] != true,
                "{}: raw node in frame {}: {n}",
                cap.display(),
                m["frame"]
            );
            assert!(
                n["expert"]["severity"] != "error",
                "{}: expert error in frame {}: {n}",
                cap.display(),
                m["frame"]
            );
        }
    }
    msgs
}

/// The conversation keys of a message's JSON (`request_in`, `response_in`, `latency`...):
/// they name other frames, so a file holding some of a capture's frames links differently.
pub const CONV_KEYS: &[&str] = &[
    "role",
    "request_in",
    "caused_by",
    "response_in",
    "responses",
    "latency",
    "unanswered",
    "unacked",
    "dump_intr",
    "orphan",
    "changes",
];

/// `m` without its conversation keys (see [`CONV_KEYS`]).
pub fn without_conv(mut m: J) -> J {
    if let Some(o) = m.as_object_mut() {
        for k in CONV_KEYS {
            o.remove(*k);
        }
    }
    m
}

/// `m` without what only a look ahead knows: a request's answers (a pipe is read once).
pub fn without_forward_links(mut m: J) -> J {
    if let Some(o) = m.as_object_mut()
        && o.get("role").is_some_and(|r| r == "request")
    {
        for k in [
            "response_in",
            "responses",
            "latency",
            "unanswered",
            "unacked",
            "dump_intr",
        ] {
            o.remove(k);
        }
    }
    m
}

/// `copies` copies of the frames of `cap` one after another, each 10 s after the previous, as
/// a nanosecond pcap.
pub fn repeated(cap: &std::path::Path, copies: u32) -> Vec<u8> {
    let (frames, err) = read_frames(&std::fs::read(cap).unwrap());
    assert!(err.is_none());
    let t0 = frames.first().unwrap().ts_ns;
    let span = frames.last().unwrap().ts_ns - t0 + 10_000_000_000;
    let mut out = Vec::new();
    for v in [
        0xa1b2_3c4d_u32,
        0x0004_0002,
        0,
        0,
        0x40000,
        frames[0].linktype,
    ] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    for k in 0..copies {
        for f in &frames {
            let t = f.ts_ns + i128::from(k) * span;
            let len = f.data.len() as u32;
            out.extend_from_slice(&((t / 1_000_000_000) as u32).to_le_bytes());
            out.extend_from_slice(&((t % 1_000_000_000) as u32).to_le_bytes());
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(&f.data);
        }
    }
    out
}
