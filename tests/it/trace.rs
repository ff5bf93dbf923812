//! `nlscope trace`, live: commands in a fresh network namespace traced by nlscope and by
//! strace (`-yy -xx -e read=all -e write=all` hex dumps); the recorded netlink datagrams must be
//! byte-identical (sequence numbers and port ids aside), name the right process, and read back
//! with `nlscope read` and tshark. Needs root, `unshare`, `strace` and each tool; a test skips
//! with the reason printed when something is missing.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use nlscope::capture::trace::ProcInfo;

use super::common::*;

/// One datagram as a tracer saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Datagram {
    sent: bool,
    /// None when strace could not name it (a socket not yet bound).
    protocol: Option<u16>,
    bytes: Vec<u8>,
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Root, unshare, strace and `tools`, or None with the reason printed.
fn can_run(why: &str, tools: &[&str]) -> Option<()> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("SKIP {why}: needs root (ptrace of a command in a new network namespace)");
        return None;
    }
    for t in ["unshare", "strace"].iter().chain(tools) {
        if !have(t) {
            eprintln!("SKIP {why}: `{t}` is not on PATH");
            return None;
        }
    }
    Some(())
}

struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let d = std::env::temp_dir().join(format!("nlscope-trace-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Scratch(d)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const SEND_CALLS: &[&str] = &["write", "writev", "sendto", "sendmsg", "sendmmsg"];

fn protocol_number(name: &str) -> Option<u16> {
    let names = [
        "ROUTE",
        "UNUSED",
        "USERSOCK",
        "FIREWALL",
        "SOCK_DIAG",
        "NFLOG",
        "XFRM",
        "SELINUX",
        "ISCSI",
        "AUDIT",
        "FIB_LOOKUP",
        "CONNECTOR",
        "NETFILTER",
        "IP6_FW",
        "DNRTMSG",
        "KOBJECT_UEVENT",
        "GENERIC",
        "UNUSED17",
        "SCSITRANSPORT",
        "ECRYPTFS",
        "RDMA",
        "CRYPTO",
        "SMC",
    ];
    names.iter().position(|n| *n == name).map(|p| p as u16)
}

/// The netlink datagrams in strace's output: each syscall line on a `<NETLINK:[...]>` fd and
/// the hex dump lines after it (receives with MSG_PEEK left out, as nlscope does).
fn parse_strace(text: &str) -> Vec<Datagram> {
    let mut out = Vec::new();
    let mut cur: Option<Datagram> = None;
    for line in text.lines() {
        if line.starts_with(" | ") {
            if let (Some(d), Some(hex)) = (cur.as_mut(), line.get(10..58)) {
                d.bytes.extend(
                    hex.split_whitespace()
                        .map(|h| u8::from_str_radix(h, 16).unwrap()),
                );
            }
            continue;
        }
        if line.starts_with(" * ") {
            continue;
        }
        if let Some(d) = cur.take()
            && !d.bytes.is_empty()
        {
            out.push(d);
        }
        let l = match line.strip_prefix("[pid ") {
            Some(rest) => rest.split_once("] ").map_or(rest, |x| x.1),
            None => line,
        };
        let Some((call, rest)) = l.split_once('(') else {
            continue;
        };
        let Some(nl) = rest.split_once("<NETLINK:[").map(|x| x.1) else {
            continue;
        };
        if rest.contains("MSG_PEEK") {
            continue;
        }
        let proto = nl.split([':', ']']).next().and_then(protocol_number);
        cur = Some(Datagram {
            sent: SEND_CALLS.contains(&call),
            protocol: proto,
            bytes: Vec::new(),
        });
    }
    if let Some(d) = cur.filter(|d| !d.bytes.is_empty()) {
        out.push(d);
    }
    out
}

/// Zero what differs between two runs: every nlmsghdr's seq and port id (and those of the
/// request an NLMSG_ERROR quotes), and `ids` (process and port ids) wherever they appear as
/// aligned 32-bit values in either byte order.
fn mask(bytes: &[u8], ids: &BTreeSet<u32>) -> Vec<u8> {
    let mut b = bytes.to_vec();
    let mut pos = 0usize;
    while pos + 16 <= b.len() {
        let len = u32::from_ne_bytes(b[pos..pos + 4].try_into().unwrap()) as usize;
        let ty = u16::from_ne_bytes(b[pos + 4..pos + 6].try_into().unwrap());
        b[pos + 8..pos + 16].fill(0);
        if ty == 2 && pos + 36 <= b.len() {
            b[pos + 28..pos + 36].fill(0);
        }
        let end = pos + len.max(16).next_multiple_of(4);
        for o in (pos + 16..end.min(b.len()).saturating_sub(3)).step_by(4) {
            let v = &b[o..o + 4];
            let le = u32::from_le_bytes(v.try_into().unwrap());
            let be = u32::from_be_bytes(v.try_into().unwrap());
            if ids.contains(&le) || ids.contains(&be) {
                b[o..o + 4].fill(0);
            }
        }
        pos = end;
    }
    // IFLA_INET6_CACHEINFO (len 20, type 5, max_reasm_len 65535): its tstamp and
    // reachable_time (random) differ from run to run.
    let pat = [0x14, 0, 5, 0, 0xff, 0xff, 0, 0];
    let mut o = 0;
    while o + 16 <= b.len() {
        if b[o..o + 8] == pat {
            b[o + 8..o + 16].fill(0);
        }
        o += 4;
    }
    b
}

/// How many netlink messages `b` holds.
fn count_msgs(b: &[u8]) -> usize {
    let (mut pos, mut n) = (0usize, 0);
    while pos + 16 <= b.len() {
        let len = u32::from_ne_bytes(b[pos..pos + 4].try_into().unwrap()) as usize;
        n += 1;
        pos += len.max(16).next_multiple_of(4);
    }
    n
}

/// Port ids in the nlmsghdrs of `ds`.
fn port_ids(ds: &[Datagram], ids: &mut BTreeSet<u32>) {
    for d in ds {
        let mut pos = 0usize;
        while pos + 16 <= d.bytes.len() {
            let len = u32::from_ne_bytes(d.bytes[pos..pos + 4].try_into().unwrap()) as usize;
            let pid = u32::from_ne_bytes(d.bytes[pos + 12..pos + 16].try_into().unwrap());
            if pid != 0 {
                ids.insert(pid);
            }
            pos += len.max(16).next_multiple_of(4);
        }
    }
}

/// `strace -f` of `sh -c CMD` in a new network namespace.
fn straced(cmd: &str) -> (Vec<Datagram>, BTreeSet<u32>) {
    let out = Command::new("unshare")
        .args([
            "-n",
            "strace",
            "-f",
            "-qq",
            "-yy",
            "-xx",
            "-e",
            "trace=read,write,readv,writev,sendto,recvfrom,sendmsg,recvmsg,sendmmsg,recvmmsg",
            "-e",
            "read=all",
            "-e",
            "write=all",
            "sh",
            "-c",
            cmd,
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "strace {cmd}: {:?}", out.status);
    let text = String::from_utf8_lossy(&out.stderr);
    let mut pids = BTreeSet::new();
    for l in text.lines() {
        if let Some(p) = l
            .strip_prefix("[pid ")
            .and_then(|r| r.split(']').next())
            .and_then(|p| p.trim().parse().ok())
        {
            pids.insert(p);
        }
    }
    (parse_strace(&text), pids)
}

/// A trace written to a file, read back.
struct Traced {
    datagrams: Vec<Datagram>,
    procs: Vec<ProcInfo>,
    path: PathBuf,
    stderr: String,
    /// Keeps the file until the test is done with it.
    _dir: Option<Scratch>,
}

/// `nlscope trace -f -w FILE -- sh -c CMD` in a new network namespace (with `no_filter`,
/// stopping at every syscall as an attach does).
fn traced(dir: &Scratch, tag: &str, cmd: &str, no_filter: bool) -> Traced {
    let path = dir.0.join(format!("{tag}.pcapng"));
    let out = Command::new("unshare")
        .args(["-n", bin(), "trace", "-f", "-w"])
        .arg(&path)
        .args(["--", "sh", "-c", cmd])
        .env("NLSCOPE_NO_SYSTEM_SPECS", "1")
        .env(
            "NLSCOPE_TRACE_NO_SECCOMP",
            if no_filter { "1" } else { "0" },
        )
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .output()
        .unwrap();
    assert_no_panic(&out);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "trace {cmd}: {:?} {stderr}",
        out.status
    );
    let (frames, err) = read_frames(&std::fs::read(&path).unwrap());
    assert!(err.is_none(), "{err:?}");
    let mut datagrams = Vec::new();
    let mut procs = Vec::new();
    for f in &frames {
        assert_eq!(f.linktype, 253);
        let pkttype = u16::from_be_bytes([f.data[0], f.data[1]]);
        datagrams.push(Datagram {
            sent: pkttype == 4,
            protocol: Some(u16::from_be_bytes([f.data[14], f.data[15]])),
            bytes: f.data[16..].to_vec(),
        });
        procs.push(ProcInfo::from_comments(&f.comments).expect("a proc: comment"));
    }
    Traced {
        datagrams,
        procs,
        path,
        stderr,
        _dir: None,
    }
}

/// Trace `cmd` both ways and compare; every frame's process must be `comm`.
fn compare(tag: &str, cmd: &str, comm: &str) -> Traced {
    compare_with(tag, cmd, comm, false)
}

fn compare_with(tag: &str, cmd: &str, comm: &str, no_filter: bool) -> Traced {
    let dir = Scratch::new(tag);
    let mut t = traced(&dir, tag, cmd, no_filter);
    t._dir = Some(dir);
    let (s, strace_pids) = straced(cmd);
    assert!(
        !t.datagrams.is_empty(),
        "{cmd}: nothing traced ({})",
        t.stderr
    );
    let mut ids: BTreeSet<u32> = strace_pids;
    ids.extend(t.procs.iter().flat_map(|p| [p.pid as u32, p.tid as u32]));
    port_ids(&t.datagrams, &mut ids);
    port_ids(&s, &mut ids);
    ids.retain(|&i| i > 1);
    let show = |ds: &[Datagram]| {
        ds.iter()
            .map(|d| format!("{} {}", if d.sent { ">" } else { "<" }, d.bytes.len()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        show(&t.datagrams),
        show(&s),
        "{cmd}: nlscope (left) and strace (right) saw different datagrams"
    );
    for (i, (a, b)) in t.datagrams.iter().zip(&s).enumerate() {
        if b.protocol.is_some() {
            assert_eq!(a.protocol, b.protocol, "{cmd}: datagram {i} protocol");
        }
        let (ma, mb) = (mask(&a.bytes, &ids), mask(&b.bytes, &ids));
        let diff: Vec<usize> = (0..ma.len()).filter(|&o| ma[o] != mb[o]).collect();
        assert!(
            diff.is_empty(),
            "{cmd}: datagram {i} differs at offsets {diff:?}\nnlscope {:02x?}\nstrace  {:02x?}",
            a.bytes,
            b.bytes
        );
    }
    for p in &t.procs {
        assert_eq!(p.comm, comm, "{cmd}: {p:?}");
    }
    // Every frame reads back: nlscope read (no malformed frames), tshark (same count).
    let text = run_ok(&["read", "-r", t.path.to_str().unwrap()]);
    let msgs: usize = t.datagrams.iter().map(|d| count_msgs(&d.bytes)).sum();
    assert_eq!(text.lines().count(), msgs, "{text}");
    let suffix = format!(" proc={comm}[");
    assert!(
        text.lines()
            .all(|l| l.contains(&suffix) && !l.contains("malformed")),
        "{text}"
    );
    if let Some(ts) = tshark("trace readback") {
        let out = Command::new(ts)
            .args(["-r"])
            .arg(&t.path)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "tshark: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).lines().count(),
            t.datagrams.len()
        );
    }
    t
}

#[test]
fn trace_ip_link_add_show_del_matches_strace() {
    if can_run("trace ip link", &["ip"]).is_none() {
        return;
    }
    let t = compare(
        "ip",
        "ip link add v0 address 02:00:00:00:00:01 type veth peer name v1 address 02:00:00:00:00:02 \
         && ip link show && ip link del v0",
        "ip",
    );
    let s = summaries(&t.path).join("\n");
    for want in [
        "RTM_NEWLINK v0",
        "ACK for RTM_NEWLINK",
        "RTM_GETLINK dump",
        "RTM_NEWLINK 3: v0",
        "NLMSG_DONE",
        "RTM_DELLINK",
        "ACK for RTM_DELLINK",
    ] {
        assert!(s.contains(want), "{want} missing in\n{s}");
    }
    // Three ip processes, one after the other.
    let pids: BTreeSet<i32> = t.procs.iter().map(|p| p.pid).collect();
    assert_eq!(pids.len(), 3, "{:?}", t.procs);
    // Without the seccomp filter (every syscall stops, as with -p): the same datagrams.
    let u = compare_with(
        "ip-nofilter",
        "ip link add v0 address 02:00:00:00:00:01 type veth peer name v1 address 02:00:00:00:00:02 \
         && ip link show && ip link del v0",
        "ip",
        true,
    );
    assert_eq!(u.datagrams.len(), t.datagrams.len());
}

#[test]
fn trace_tc_nft_ss_match_strace() {
    for (tool, cmd, want) in [
        ("tc", "tc qdisc show", "RTM_GETQDISC"),
        ("nft", "nft list ruleset", "NFT_MSG_GETTABLE"),
        ("ss", "ss -tan", "SOCK_DIAG_BY_FAMILY"),
    ] {
        if can_run(&format!("trace {cmd}"), &[tool]).is_none() {
            continue;
        }
        let t = compare(tool, cmd, tool);
        let s = summaries(&t.path).join("\n");
        assert!(s.contains(want), "{cmd}: {want} missing in\n{s}");
    }
}

#[test]
fn trace_genl_and_audit_match_strace() {
    for (tool, cmd, want) in [
        ("genl", "genl ctrl list", "CTRL_CMD_NEWFAMILY"),
        ("auditctl", "auditctl -s", "ACK for AUDIT_GET"),
    ] {
        if can_run(&format!("trace {cmd}"), &[tool]).is_none() {
            continue;
        }
        let t = compare(tool, cmd, tool);
        let s = summaries(&t.path).join("\n");
        assert!(s.contains(want), "{cmd}: {want} missing in\n{s}");
    }
}

/// `nlscope trace ARGS` in a new network namespace: (exit code, stdout, stderr).
fn trace_run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new("unshare")
        .args(["-n", bin(), "trace"])
        .args(args)
        .env("NLSCOPE_NO_SYSTEM_SPECS", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_no_panic(&out);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn trace_follows_children_only_with_f_and_exits_with_the_program_status() {
    if can_run("trace -f", &["ip"]).is_none() {
        return;
    }
    let cmd = "ip link show lo >/dev/null; exit 3";
    // Without -f the shell's child is not recorded; the status is the shell's.
    let (code, out, err) = trace_run(&["--", "sh", "-c", cmd]);
    assert_eq!(code, Some(3), "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("0 frames traced"), "{err}");
    let (code, out, err) = trace_run(&["-f", "--", "sh", "-c", cmd]);
    assert_eq!(code, Some(3), "{err}");
    assert!(out.contains("RTM_GETLINK lo proc=ip["), "{out}");
    assert!(
        out.contains("RTM_NEWLINK 1: lo") && out.lines().all(|l| l.ends_with(']')),
        "{out}"
    );
    // A display filter: only the matching messages are printed.
    let (code, out, err) = trace_run(&[
        "-f",
        "-Y",
        "nlmsg.type == RTM_NEWLINK",
        "--",
        "sh",
        "-c",
        cmd,
    ]);
    assert_eq!(code, Some(3), "{err}");
    assert!(
        !out.is_empty() && out.lines().all(|l| l.contains("RTM_NEWLINK")),
        "{out}"
    );
    // A signal: 128 + its number.
    let (code, _, err) = trace_run(&["--", "sh", "-c", "kill -9 $$"]);
    assert_eq!(code, Some(137), "{err}");
    let (code, _, err) = trace_run(&["--", "nlscope-no-such-command"]);
    assert_eq!(code, Some(127));
    assert!(
        err.contains("command not found: nlscope-no-such-command"),
        "{err}"
    );
    let (code, _, err) = trace_run(&["-p", "1", "--", "true"]);
    assert_eq!(code, Some(2), "{err}");
    // -w -: the pcapng stream alone on standard output (ip's own output goes to stderr).
    let out = Command::new("unshare")
        .args([
            "-n",
            bin(),
            "trace",
            "-w",
            "-",
            "--",
            "ip",
            "link",
            "show",
            "lo",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success());
    let (frames, e) = read_frames(&out.stdout);
    assert!(e.is_none() && frames.len() >= 2, "{e:?} {}", frames.len());
    assert!(String::from_utf8_lossy(&out.stderr).contains("1: lo:"));
}

#[test]
fn trace_records_every_thread_of_a_multithreaded_program() {
    if can_run("trace threads", &[]).is_none() {
        return;
    }
    // nlscope itself: `capture --monitor genl` resolves the generic netlink families on its
    // capture thread, not the main thread.
    let dir = Scratch::new("threads");
    let path = dir.0.join("t.pcapng");
    let (code, _, err) = trace_run(&[
        "-w",
        path.to_str().unwrap(),
        "--",
        bin(),
        "capture",
        "--monitor",
        "genl",
        "-a",
        "duration:0.3",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let msgs = json_msgs(&path, &[]);
    assert!(
        msgs.iter().any(|m| m["type_name"] == "CTRL_CMD_GETFAMILY"),
        "{msgs:?}"
    );
    assert!(msgs.iter().any(|m| m["type_name"] == "CTRL_CMD_NEWFAMILY"));
    for m in &msgs {
        let p = &m["process"];
        assert_eq!(p["comm"], "nlscope", "{m}");
        assert_ne!(p["pid"], p["tid"], "recorded on the capture thread: {m}");
    }
}

#[test]
fn trace_attaches_to_a_running_process_and_detaches_on_sigint() {
    if can_run("trace -p", &["ip"]).is_none() {
        return;
    }
    let script = format!(
        "ip monitor link >/dev/null & m=$!; sleep 0.3; \
         {} trace -p $m & t=$!; \
         i=0; while ! grep -q 'TracerPid:[[:space:]]*[1-9]' /proc/$m/status && [ $i -lt 200 ]; \
         do sleep 0.05; i=$((i+1)); done; sleep 0.2; \
         ip link add v0 type veth peer name v1; ip link del v0; sleep 0.5; \
         kill -INT $t; wait $t; echo status=$?; \
         grep TracerPid /proc/$m/status; kill $m",
        bin()
    );
    let out = Command::new("unshare")
        .args(["-n", "sh", "-c", &script])
        .env("NLSCOPE_NO_SYSTEM_SPECS", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_no_panic(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("status=0"), "{text}{err}");
    assert!(text.contains("TracerPid:\t0"), "still traced: {text}");
    // The multicast notifications ip monitor received, with its name.
    assert!(
        text.contains("RTM_NEWLINK") && text.contains("RTM_DELLINK"),
        "{text}{err}"
    );
    assert!(text.contains(" proc=ip["), "{text}");
}

#[test]
fn trace_without_privileges_says_why_and_still_traces_own_commands() {
    if can_run("trace unprivileged", &["setpriv", "ip"]).is_none() {
        return;
    }
    let nobody = |args: &[&str]| {
        let out = Command::new("setpriv")
            .args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                bin(),
                "trace",
            ])
            .args(args)
            .env("NLSCOPE_NO_SYSTEM_SPECS", "1")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_no_panic(&out);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, _, err) = nobody(&["-p", "1"]);
    if err.contains("Permission denied") {
        eprintln!("SKIP trace unprivileged: nobody cannot run {}", bin());
        return;
    }
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("attaching to process 1: not permitted")
            && err.contains("CAP_SYS_PTRACE")
            && err.contains("ptrace_scope"),
        "{err}"
    );
    // Its own command: the filter goes in with no_new_privs.
    let (code, out, err) = nobody(&["--", "ip", "link", "show", "lo"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("RTM_NEWLINK 1: lo") && out.contains(" proc=ip["),
        "{out}{err}"
    );
}
