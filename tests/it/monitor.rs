//! Multicast monitor capture, live: `nlscope capture --monitor` in a namespace the test makes,
//! traffic from `ip`, then `nlscope read` (and tshark) on the file; ENOBUFS at the library
//! level. Needs root and iproute2; skipped (with the reason printed) otherwise.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use nlscope::capture::monitor::{self, MonitorFamily, MonitorOptions};
use nlscope::capture::{Captured, Source, enter_netns};

use super::common::*;

/// Root and `ip`, or `None` with the skip reason printed.
pub(super) fn can_run(why: &str) -> Option<()> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("SKIP {why}: needs root (network namespaces, netlink groups)");
        return None;
    }
    let ok = Command::new("ip")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("SKIP {why}: iproute2 `ip` is not on PATH");
        return None;
    }
    Some(())
}

/// A network namespace that exists for the guard's lifetime (deleted on drop, even when the
/// test fails).
pub(super) struct Netns {
    pub(super) name: String,
}

impl Netns {
    pub(super) fn new(tag: &str) -> Netns {
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "nlscope-test-{}-{tag}{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        ip(&["netns", "add", &name]);
        Netns { name }
    }

    /// `ip -n NAME ARGS`, asserting success.
    pub(super) fn ip(&self, args: &[&str]) {
        let mut a = vec!["-n", self.name.as_str()];
        a.extend_from_slice(args);
        ip(&a);
    }

    /// `ip -n NAME -batch FILE` with these lines.
    pub(super) fn batch(&self, dir: &Path, tag: &str, lines: impl Iterator<Item = String>) {
        let path = dir.join(format!("{tag}.batch"));
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        for l in lines {
            writeln!(f, "{l}").unwrap();
        }
        f.flush().unwrap();
        drop(f);
        self.ip(&["-batch", path.to_str().unwrap()]);
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output().expect("spawn ip");
    assert!(
        out.status.success(),
        "ip {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `n` distinct /32 host routes in 198.18.0.0/15 (the benchmarking range), in table 100.
fn route_lines(n: usize, dev: &str, table: u32, base: usize) -> impl Iterator<Item = String> {
    (base..base + n).map(move |i| {
        format!(
            "route add 198.{}.{}.{}/32 dev {dev} table {table}",
            18 + i / 65536,
            (i / 256) % 256,
            i % 256
        )
    })
}

/// A scratch directory removed on drop.
pub(super) struct TempDir(pub(super) PathBuf);

impl TempDir {
    pub(super) fn new(tag: &str) -> TempDir {
        let d = std::env::temp_dir().join(format!("nlscope-mon-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        TempDir(d)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running `nlscope capture` child; killed on drop if still running.
pub(super) struct CaptureChild {
    child: Child,
    lines: mpsc::Receiver<String>,
    stderr: Vec<String>,
}

impl CaptureChild {
    /// Start `nlscope capture ARGS` and wait for its "Capturing on" line.
    pub(super) fn start(args: &[&str]) -> CaptureChild {
        let mut child = Command::new(bin())
            .arg("capture")
            .args(args)
            .env("NLSCOPE_NO_SYSTEM_SPECS", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn nlscope capture");
        let err = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for l in BufReader::new(err).lines() {
                let Ok(l) = l else { break };
                if tx.send(l).is_err() {
                    break;
                }
            }
        });
        let mut c = CaptureChild {
            child,
            lines: rx,
            stderr: Vec::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match c.lines.recv_timeout(left) {
                Ok(l) => {
                    let ready = l.contains("Capturing on");
                    c.stderr.push(l);
                    if ready {
                        return c;
                    }
                }
                Err(_) => panic!(
                    "nlscope capture {args:?} did not report readiness: {:?} (status {:?})",
                    c.stderr,
                    c.child.try_wait()
                ),
            }
        }
    }

    /// SIGINT, wait (up to 20 s), return the exit status and all of stderr.
    pub(super) fn stop(mut self) -> (ExitStatus, String) {
        // SAFETY: signalling our own child by its pid.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGINT) };
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            assert!(
                Instant::now() < deadline,
                "nlscope capture did not stop on SIGINT"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        // The reader thread ends at EOF.
        while let Ok(l) = self.lines.recv_timeout(Duration::from_secs(5)) {
            self.stderr.push(l);
        }
        (status, self.stderr.join("\n"))
    }
}

impl Drop for CaptureChild {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// `nlscope read -r FILE -T csv [-Y FILTER]` rows (header dropped), split on commas.
fn csv_rows(path: &Path, filter: Option<&str>) -> Vec<Vec<String>> {
    let mut args = vec!["read", "-r", path.to_str().unwrap(), "-T", "csv"];
    if let Some(f) = filter {
        args.extend_from_slice(&["-Y", f]);
    }
    let out = run_ok(&args);
    let mut lines = out.lines();
    let header = lines.next().unwrap_or("");
    assert!(header.starts_with("frame,msg,time"), "csv header: {header}");
    lines.map(split_csv).collect()
}

/// One CSV line into fields (RFC 4180 quoting: summaries such as `<BROADCAST,UP>` are quoted).
fn split_csv(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    fields.push(cur);
    fields
}

/// Column `type_name` is the 9th (frame,msg,time,protocol,family,direction,len,type,type_name).
fn count_type(rows: &[Vec<String>], ty: &str) -> usize {
    rows.iter()
        .filter(|r| r.get(8).is_some_and(|t| t == ty))
        .count()
}

#[test]
fn monitor_route_sees_link_addr_route_notifications_and_a_20k_burst_without_drops() {
    let Some(()) = can_run("monitor route end to end") else {
        return;
    };
    const BURST: usize = 20_000;
    let tmp = TempDir::new("route");
    let ns = Netns::new("route");
    let file = tmp.0.join("route.pcapng");
    let cap = CaptureChild::start(&[
        "--monitor",
        "route",
        "--netns",
        &ns.name,
        "-w",
        file.to_str().unwrap(),
    ]);
    assert!(
        cap.stderr.iter().any(|l| l.contains("monitor:route")),
        "{:?}",
        cap.stderr
    );

    ns.ip(&[
        "link", "add", "nlsmon0", "type", "veth", "peer", "name", "nlsmon1",
    ]);
    ns.ip(&["addr", "add", "10.77.0.1/24", "dev", "nlsmon0"]);
    ns.ip(&["link", "set", "nlsmon0", "up"]);
    ns.ip(&["link", "set", "nlsmon1", "up"]);
    ns.ip(&["route", "add", "10.78.0.0/16", "via", "10.77.0.2"]);
    ns.ip(&["route", "del", "10.78.0.0/16", "via", "10.77.0.2"]);
    let t = Instant::now();
    ns.batch(&tmp.0, "burst", route_lines(BURST, "nlsmon0", 100, 0));
    eprintln!("{BURST} routes added in {:?}", t.elapsed());

    // Readable while the capture is still running (the writer flushes every second; the tail
    // of the burst may still be on its way, so only the start is required here).
    std::thread::sleep(Duration::from_millis(1500));
    let live = csv_rows(&file, None);
    let live_routes = count_type(&live, "RTM_NEWROUTE");
    eprintln!("live read: {} rows, {live_routes} RTM_NEWROUTE", live.len());
    assert!(
        count_type(&live, "RTM_NEWLINK") > 0 && live_routes > 0,
        "live read: {} rows",
        live.len()
    );
    if let Some(ts) = tshark("tshark reads the growing monitor capture") {
        let out = Command::new(ts)
            .args([
                "-r",
                file.to_str().unwrap(),
                "-T",
                "fields",
                "-e",
                "frame.number",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "tshark: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let n = String::from_utf8_lossy(&out.stdout).lines().count();
        assert!(n >= live_routes, "tshark saw {n} frames");
    }

    ns.ip(&["link", "del", "nlsmon0"]);
    std::thread::sleep(Duration::from_millis(300));
    let (status, stderr) = cap.stop();
    assert!(status.success(), "capture exited {status:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains(" 0 dropped"),
        "drops reported by the capture: {stderr}"
    );

    let rows = csv_rows(&file, None);
    let names = |ty: &str, needle: &str| {
        rows.iter()
            .filter(|r| r.get(8).is_some_and(|t| t == ty))
            .filter(|r| r.last().is_some_and(|s| s.contains(needle)))
            .count()
    };
    assert!(names("RTM_NEWLINK", "nlsmon0") >= 1, "NEWLINK nlsmon0");
    assert!(names("RTM_NEWLINK", "nlsmon1") >= 1, "NEWLINK nlsmon1");
    assert!(names("RTM_DELLINK", "nlsmon0") >= 1, "DELLINK nlsmon0");
    assert!(count_type(&rows, "RTM_NEWADDR") >= 1, "NEWADDR");
    assert!(count_type(&rows, "RTM_DELROUTE") >= 1, "DELROUTE");
    assert!(
        rows.iter()
            .all(|r| r.get(5).is_some_and(|d| d == "from-kernel")),
        "multicast notifications are all from the kernel"
    );
    // The 10.77.0.1 address, the 10.78/16 route and its deletion, by attribute.
    let filtered = |f: &str| csv_rows(&file, Some(f)).len();
    assert!(filtered("nlmsg.type == RTM_NEWADDR && rt-addr.address == 10.77.0.1") >= 1);
    assert!(filtered("nlmsg.type == RTM_NEWROUTE && rt-route.dst == 10.78.0.0") >= 1);
    assert!(filtered("nlmsg.type == RTM_DELROUTE && rt-route.dst == 10.78.0.0") >= 1);

    // Every burst route, each once: the dissector's count (NEWROUTE in table 100) ...
    let burst = csv_rows(
        &file,
        Some("nlmsg.type == RTM_NEWROUTE && rt-route.table == 100"),
    );
    assert_eq!(burst.len(), BURST, "RTM_NEWROUTE in table 100");
    // ... and an independent walk of the raw frames: distinct RTA_DST of those messages.
    let bytes = std::fs::read(&file).unwrap();
    let (frames, err) = read_frames(&bytes);
    assert!(err.is_none(), "{err:?}");
    let mut dsts = std::collections::HashSet::new();
    for f in &frames {
        let m = &f.data[16..];
        let ty = u16::from_ne_bytes([m[4], m[5]]);
        // struct rtmsg: family, dst_len, src_len, tos, table, ...
        if ty != 24 || m[16 + 4] != 100 {
            continue;
        }
        let len = u32::from_ne_bytes(m[0..4].try_into().unwrap()) as usize;
        let mut off = 16 + 12;
        while off + 4 <= len {
            let alen = usize::from(u16::from_ne_bytes([m[off], m[off + 1]]));
            let aty = u16::from_ne_bytes([m[off + 2], m[off + 3]]);
            if alen < 4 {
                break;
            }
            if aty == 1 && alen == 8 {
                let d = &m[off + 4..off + 8];
                dsts.insert(format!("{}.{}.{}.{}", d[0], d[1], d[2], d[3]));
            }
            off += alen.next_multiple_of(4);
        }
    }
    assert_eq!(dsts.len(), BURST, "distinct burst destinations");
    assert!(dsts.contains("198.18.0.0") && dsts.contains("198.18.78.31"));
}

/// Open a monitor source inside `ns` (setns on a helper thread; the sockets keep that
/// namespace after the thread ends).
fn open_in(ns: &str, opts: MonitorOptions) -> Box<dyn Source> {
    let ns = ns.to_string();
    std::thread::spawn(move || {
        enter_netns(&ns)?;
        monitor::open(&opts)
    })
    .join()
    .expect("opener thread")
    .expect("open monitor source")
}

/// Poll until nothing arrives for `quiet`.
fn drain(src: &mut dyn Source, quiet: Duration) -> Vec<Captured> {
    let mut all = Vec::new();
    let mut last = Instant::now();
    while last.elapsed() < quiet {
        let before = all.len();
        src.poll(Duration::from_millis(50), 0, &mut all).unwrap();
        if all.len() > before {
            last = Instant::now();
        }
    }
    all
}

#[test]
fn enobufs_is_counted_marked_and_capture_continues() {
    let Some(()) = can_run("monitor ENOBUFS") else {
        return;
    };
    let tmp = TempDir::new("enobufs");
    let ns = Netns::new("nobufs");
    ns.ip(&["link", "set", "lo", "up"]);
    let mut src = open_in(
        &ns.name,
        MonitorOptions {
            families: vec![MonitorFamily::Route],
            all_netns: false,
            rcvbuf: Some(4096),
        },
    );
    assert_eq!(src.interfaces(), vec!["monitor:route".to_string()]);
    // Nobody reads while 5,000 routes go in: the tiny buffer overflows.
    ns.batch(&tmp.0, "burst", route_lines(5000, "lo", 100, 0));
    let first = drain(src.as_mut(), Duration::from_millis(300));
    let st = src.stats();
    assert!(st.overruns > 0, "no ENOBUFS with a 4 KiB buffer: {st:?}");
    assert!(st.kernel_drops >= st.overruns);
    assert_eq!(st.received, first.len() as u64);
    assert!(
        (first.len() as u64) < 5000,
        "{} frames though the buffer overflowed",
        first.len()
    );
    // The messages read right after ENOBUFS were queued before the loss: unmarked.
    let marked: u64 = first.iter().map(|c| c.drops_before).sum();
    assert_eq!(marked, 0, "backlog frames marked as following the gap");
    // Capture goes on: a route added after the overrun arrives, intact, with its group.
    ns.ip(&[
        "route",
        "add",
        "203.0.113.7/32",
        "dev",
        "lo",
        "table",
        "101",
    ]);
    let after = drain(src.as_mut(), Duration::from_millis(300));
    let want = [203u8, 0, 113, 7];
    let got = after.iter().find(|c| c.data.windows(4).any(|w| w == want));
    let c = got.expect("route added after the overrun was not captured");
    assert_eq!(c.group, Some(7), "RTNLGRP_IPV4_ROUTE");
    // ... and the first frame after the gap carries the mark.
    assert_eq!(
        after[0].drops_before, st.overruns,
        "mark on the first frame after the gap"
    );
    assert_eq!(
        after.iter().map(|c| c.drops_before).sum::<u64>(),
        st.overruns
    );
    assert_eq!(&c.data[..2], &4u16.to_be_bytes(), "pkttype");
    assert_eq!(&c.data[14..16], &0u16.to_be_bytes(), "NETLINK_ROUTE");
    assert_eq!(c.orig_len as usize, c.data.len());
    assert_eq!(src.group_name(0, 7).as_deref(), Some("RTNLGRP_IPV4_ROUTE"));
}

#[test]
fn genl_families_are_resolved_for_the_section_header() {
    // Resolving families and joining their groups needs no privilege.
    let src = monitor::open(&MonitorOptions {
        families: vec![MonitorFamily::Genl],
        ..Default::default()
    });
    let src = match src {
        Ok(s) => s,
        Err(e) => {
            eprintln!("SKIP genl section comment: cannot open generic netlink here: {e}");
            return;
        }
    };
    let c = src.section_comments();
    let line = c
        .iter()
        .find(|l| l.starts_with("genl-families: "))
        .expect("genl-families comment");
    assert!(line.contains(" 16=nlctrl"), "{line}");
    // Same format the dissector learns from.
    let mut d = nlscope::dissect::Dissector::new(
        nlscope::dissect::specs::SpecRegistry::load_default(&[]).unwrap(),
    );
    d.learn_from_comment(line);
    assert_eq!(d.genl_family(16), Some("nlctrl"));
    // nlctrl's notify group is named family/group.
    assert_eq!(src.group_name(0, 16).as_deref(), Some("nlctrl/notify"));
    // A monitor of another family records the host's ids too (genl messages may still be
    // in its file, e.g. merged later), as an nlmon capture does.
    if let Ok(route) = monitor::open(&MonitorOptions {
        families: vec![MonitorFamily::Route],
        ..Default::default()
    }) {
        let c = route.section_comments();
        assert!(c.iter().any(|l| l == line), "{c:?} vs {line}");
    }
}

#[test]
fn monitor_all_in_a_namespace_names_genl_groups_and_keeps_uevent_text() {
    let Some(()) = can_run("monitor all end to end") else {
        return;
    };
    let tmp = TempDir::new("all");
    let ns = Netns::new("all");
    let file = tmp.0.join("all.pcapng");
    let cap = CaptureChild::start(&[
        "--monitor",
        "all",
        "--netns",
        &ns.name,
        "-w",
        file.to_str().unwrap(),
    ]);
    ns.ip(&[
        "link", "add", "nlsall0", "type", "veth", "peer", "name", "nlsall1",
    ]);
    ns.ip(&["link", "del", "nlsall0"]);
    std::thread::sleep(Duration::from_millis(300));
    let (status, stderr) = cap.stop();
    assert!(status.success(), "capture exited {status:?}: {stderr}");
    for fam in ["monitor:route", "monitor:genl", "monitor:uevent"] {
        assert!(stderr.contains(fam), "{fam} not opened: {stderr}");
    }
    let rows = csv_rows(&file, None);
    assert!(names_in(&rows, "RTM_NEWLINK", "nlsall0"));
    assert!(names_in(&rows, "RTM_DELLINK", "nlsall0"));
    // Uevent frames are text (no netlink messages): the file holds them with protocol 15
    // behind the cooked header, and read shows each as one message with a field per property.
    let out = run_ok(&[
        "read",
        "-r",
        file.to_str().unwrap(),
        "-Y",
        "uevent.action == \"add\" && uevent.subsystem == \"net\"",
    ]);
    assert!(
        out.contains("uevent KERNEL add /devices/virtual/net/nlsall"),
        "{out}"
    );
    let bytes = std::fs::read(&file).unwrap();
    let (frames, err) = read_frames(&bytes);
    assert!(err.is_none(), "{err:?}");
    let uevents: Vec<_> = frames
        .iter()
        .filter(|f| f.data.get(14..16) == Some(&15u16.to_be_bytes()[..]))
        .collect();
    assert!(
        uevents
            .iter()
            .any(|f| f.data[16..].starts_with(b"add@/devices/virtual/net/nlsall")),
        "no uevent for the veth"
    );
    if let Some(ts) = tshark("tshark shows the monitor's packet comments") {
        let out = Command::new(ts)
            .args([
                "-r",
                file.to_str().unwrap(),
                "-T",
                "fields",
                "-e",
                "frame.comment",
            ])
            .output()
            .unwrap();
        let s = String::from_utf8_lossy(&out.stdout);
        assert!(s.contains("RTNLGRP_LINK"), "{s}");
        assert!(s.contains("group: 1 kernel"), "{s}");
    }
}

fn names_in(rows: &[Vec<String>], ty: &str, needle: &str) -> bool {
    rows.iter()
        .any(|r| r.get(8).is_some_and(|t| t == ty) && r.last().is_some_and(|s| s.contains(needle)))
}

#[test]
fn all_netns_from_the_host_namespace_tags_frames_with_the_peer_nsid() {
    let Some(()) = can_run("monitor --all-netns") else {
        return;
    };
    let tmp = TempDir::new("allns");
    let ns = Netns::new("allns");
    // Only peers with an id in the listener's namespace are delivered.
    ip(&["netns", "set", &ns.name, "auto"]);
    let file = tmp.0.join("allns.pcapng");
    let cap = CaptureChild::start(&[
        "--monitor",
        "route",
        "--all-netns",
        "-w",
        file.to_str().unwrap(),
    ]);
    ns.ip(&[
        "link", "add", "nlsns0", "type", "veth", "peer", "name", "nlsns1",
    ]);
    std::thread::sleep(Duration::from_millis(300));
    let (status, stderr) = cap.stop();
    assert!(status.success(), "capture exited {status:?}: {stderr}");
    let bytes = std::fs::read(&file).unwrap();
    let (frames, err) = read_frames(&bytes);
    assert!(err.is_none(), "{err:?}");
    let ours: Vec<_> = frames
        .iter()
        .filter(|f| f.data.windows(7).any(|w| w == b"nlsns0\0"))
        .collect();
    assert!(!ours.is_empty(), "no RTM_NEWLINK for the peer's veth");
    for f in ours {
        assert!(
            f.comments.iter().any(|c| c.starts_with("nsid: ")),
            "peer frame without nsid comment: {:?}",
            f.comments
        );
    }
}

#[test]
fn unprivileged_errors_name_the_capability_and_how_to_grant_it() {
    let Some(()) = can_run("monitor privilege errors") else {
        return;
    };
    if Command::new("setpriv").arg("--version").output().is_err() {
        eprintln!("SKIP monitor privilege errors: setpriv (util-linux) is not on PATH");
        return;
    }
    let tmp = TempDir::new("priv");
    // The binary must be reachable by nobody; run it from a copy in a world-readable place.
    let bin_copy = tmp.0.join("nlscope");
    std::fs::copy(bin(), &bin_copy).unwrap();
    let mut perm = std::fs::metadata(&tmp.0).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o777);
    std::fs::set_permissions(&tmp.0, perm).unwrap();
    let nobody = |fams: &str| {
        let child = Command::new("setpriv")
            .args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "--inh-caps=-all",
                "--bounding-set=-all",
            ])
            .arg(&bin_copy)
            .args(["capture", "--monitor", fams, "-w", "-"])
            .env("NLSCOPE_NO_SYSTEM_SPECS", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Failed opens exit by themselves; successful ones run until told to stop (a fixed
        // short sleep raced a slow start on a loaded machine).
        let mut child = child;
        let until = Instant::now() + Duration::from_secs(3);
        while child.try_wait().unwrap().is_none() && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(50));
        }
        // SAFETY: signalling our own child (harmless if it has exited and not been reaped).
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
        let out = child.wait_with_output().unwrap();
        (
            out.status,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    for (fams, cap) in [
        ("netfilter", "CAP_NET_ADMIN"),
        ("audit", "CAP_AUDIT_READ"),
        ("proc", "CAP_NET_ADMIN"),
    ] {
        let (status, err) = nobody(fams);
        assert!(!status.success(), "{fams} opened unprivileged: {err}");
        assert!(err.contains(cap) && err.contains("setcap"), "{fams}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    // Audit next to another family is skipped with a warning; route needs no privilege.
    let (status, err) = nobody("route,audit");
    assert!(status.success(), "{err}");
    assert!(err.contains("skipping monitor:audit") && err.contains("CAP_AUDIT_READ"));
    assert!(err.contains("Capturing on monitor:route"), "{err}");
}

/// `nlscope capture -w - | nlscope read -r -`: frames reach the reader while the capture runs.
#[test]
fn capture_to_stdout_streams_into_read() {
    let Some(()) = can_run("capture -w - | read -r -") else {
        return;
    };
    let ns = Netns::new("pipe");
    let mut cap = Command::new(bin())
        .args([
            "capture",
            "--monitor",
            "route",
            "--netns",
            &ns.name,
            "-w",
            "-",
        ])
        .env("NLSCOPE_NO_SYSTEM_SPECS", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn capture");
    let cap_out = cap.stdout.take().unwrap();
    let cap_err = cap.stderr.take().unwrap();
    let mut read = Command::new(bin())
        .args(["read", "-r", "-", "-T", "summary"])
        .env("NLSCOPE_NO_SYSTEM_SPECS", "1")
        .stdin(Stdio::from(cap_out))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn read");
    let (ready_tx, ready_rx) = mpsc::channel();
    std::thread::spawn(move || {
        for l in BufReader::new(cap_err).lines().map_while(Result::ok) {
            if l.contains("Capturing on") {
                let _ = ready_tx.send(());
            }
        }
    });
    ready_rx
        .recv_timeout(Duration::from_secs(20))
        .expect("capture ready");
    let (tx, rx) = mpsc::channel();
    let out = read.stdout.take().unwrap();
    std::thread::spawn(move || {
        for l in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    ns.ip(&[
        "link", "add", "nlspipe0", "type", "veth", "peer", "name", "nlspipe1",
    ]);
    // The notification must come out of the reader while the capture is still running.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = Vec::new();
    let found = loop {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(l) if l.contains("RTM_NEWLINK") && l.contains("nlspipe0") => break true,
            Ok(l) => seen.push(l),
            Err(_) => break false,
        }
    };
    assert!(matches!(cap.try_wait(), Ok(None)), "capture ended early");
    // SAFETY: signalling our own child.
    unsafe { libc::kill(cap.id() as libc::pid_t, libc::SIGINT) };
    let status = cap.wait().unwrap();
    let _ = read.wait();
    assert!(
        found,
        "no RTM_NEWLINK nlspipe0 line streamed through; saw {seen:?}"
    );
    assert!(status.success(), "capture exit {status:?}");
}

/// `-a duration:S` ends the capture by itself, cleanly; without `-w` lines are printed live.
#[test]
fn autostop_duration_and_live_summary() {
    let Some(()) = can_run("capture -a duration") else {
        return;
    };
    let ns = Netns::new("auto");
    let start = Instant::now();
    let child = Command::new(bin())
        .args([
            "capture",
            "--monitor",
            "route",
            "--netns",
            &ns.name,
            "-a",
            "duration:2",
        ])
        .env("NLSCOPE_NO_SYSTEM_SPECS", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn capture");
    // Bound the wait: a capture that ignores its autostop must fail the test, not hang it.
    let mut child = child;
    let collect = |r: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            if let Some(mut r) = r {
                let _ = std::io::Read::read_to_end(&mut r, &mut v);
            }
            v
        })
    };
    let so = collect(
        child
            .stdout
            .take()
            .map(|x| Box::new(x) as Box<dyn std::io::Read + Send>),
    );
    // stderr line by line: the link is made once the capture says it is capturing.
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let err_pipe = child.stderr.take();
    let se = std::thread::spawn(move || {
        let mut v = Vec::new();
        if let Some(r) = err_pipe {
            for line in
                std::io::BufRead::split(std::io::BufReader::new(r), b'\n').map_while(Result::ok)
            {
                if String::from_utf8_lossy(&line).contains("Capturing on") {
                    let _ = tx.send(());
                }
                v.extend_from_slice(&line);
                v.push(b'\n');
            }
        }
        v
    });
    let _ = rx.recv_timeout(Duration::from_secs(10));
    ns.ip(&[
        "link", "add", "nlsauto0", "type", "veth", "peer", "name", "nlsauto1",
    ]);
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("capture -a duration:2 did not stop by itself");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = std::process::Output {
        status,
        stdout: so.join().unwrap(),
        stderr: se.join().unwrap(),
    };
    let took = start.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(took < Duration::from_secs(8), "took {took:?}");
    assert!(
        stdout
            .lines()
            .any(|l| l.contains("RTM_NEWLINK") && l.contains("nlsauto0")),
        "live summary: {stdout}"
    );
    assert!(stderr.contains("frames captured, 0 dropped"), "{stderr}");
}

#[test]
fn a_capture_file_that_cannot_be_written_ends_the_capture_with_its_error() {
    let Some(()) = can_run("capture -w /dev/full") else {
        return;
    };
    let ns = Netns::new("full");
    let start = Instant::now();
    // The file's header is written when the capture starts: the error comes from the loop,
    // which still stops and joins the capture thread (it owns what it set up) before exiting.
    let out = Command::new(bin())
        .args(["capture", "--monitor", "route", "--netns", &ns.name])
        .args(["-w", "/dev/full", "--force", "-a", "duration:20"])
        .env("NLSCOPE_NO_SYSTEM_SPECS", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run capture");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("writing /dev/full") && err.contains("No space left"),
        "{err}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
}
