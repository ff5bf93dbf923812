//! Process attribution: the `proc:` packet comment, the `proc.*` filter fields, and
//! capture-time attribution of a monitor capture (a requester that keeps its netlink socket
//! open is named on the notifications it caused; one that has exited is not). The live tests
//! need root, `ip` and python3 and skip with the reason printed otherwise.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use nlscope::capture::trace::ProcInfo;

use super::common::*;
use super::monitor::{CaptureChild, Netns, TempDir, can_run};

/// A pcapng file of one RTM_NEWADDR notification per (pid, comments) entry.
fn file_with_comments(frames: &[(u32, Vec<String>)]) -> Vec<u8> {
    use nlscope::pcap::{ByteOrder, Frame, Interface, OutFormat, Writer, WriterOptions};
    let iface = Interface {
        linktype: 253,
        snaplen: 65535,
        name: Some("t".into()),
        ts_nanos: true,
        tsresol: 9,
        byte_order: ByteOrder::native(),
        comments: Vec::new(),
    };
    let mut w = Writer::new(
        Vec::new(),
        WriterOptions {
            format: OutFormat::PcapNg,
            section_comments: Vec::new(),
            application: None,
        },
    );
    for (i, (pid, comments)) in frames.iter().enumerate() {
        let mut b = nlscope::netlink::MsgBuilder::new(20, 0, 1, *pid);
        b.push(&[2, 32, 0, 0]).push_u32(1);
        let mut data = nlscope::capture::cooked_header(4, 0).to_vec();
        data.extend_from_slice(&b.finish());
        let len = data.len() as u32;
        let f = Frame {
            ts_ns: 1_000_000_000 + i as i128,
            interface: 0,
            linktype: 253,
            byte_order: ByteOrder::native(),
            data,
            orig_len: len,
            comments: comments.clone(),
            file_offset: 0,
        };
        w.write_frame(&f, &iface).unwrap();
    }
    w.into_inner()
}

#[test]
fn proc_fields_filter_from_comments_without_a_tree() {
    let dir = TempDir::new("procfields");
    let path = dir.0.join("p.pcapng");
    let attributed = ProcInfo {
        pid: 4242,
        tid: 4242,
        comm: "my daemon".into(),
        exe: Some("/usr/sbin/my daemon".into()),
    }
    .attribution_comment(4242);
    std::fs::write(
        &path,
        file_with_comments(&[
            (4242, vec!["group: 5".into(), attributed]),
            (
                77,
                vec!["proc: pid=77 tid=78 fd=3 call=sendmsg comm=ip".into()],
            ),
            (0, vec![]),
        ]),
    )
    .unwrap();
    let p = path.to_str().unwrap();
    let frames = |flt: &str| -> Vec<u64> {
        json_msgs(&path, &["-Y", flt])
            .iter()
            .map(|m| m["frame"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(frames("proc.name == \"my daemon\""), vec![1]);
    assert_eq!(frames("proc.exe == \"/usr/sbin/my daemon\""), vec![1]);
    assert_eq!(frames("proc.pid == 77"), vec![2]);
    assert_eq!(frames("proc.tid == 78"), vec![2]);
    assert_eq!(frames("proc.tid == 4242"), vec![1]);
    assert_eq!(frames("proc.pid"), vec![1, 2]);
    assert_eq!(frames("!proc.name"), vec![3]);
    assert_eq!(frames("proc.exe"), vec![1]);
    // JSON carries the exe; summary lines the COMM[PID].
    let j = json_msgs(&path, &[]);
    assert_eq!(j[0]["process"]["exe"], "/usr/sbin/my daemon");
    assert_eq!(j[1]["process"]["tid"], 78);
    let s = run_ok(&["read", "-r", p]);
    assert!(s.contains(" proc=my daemon[4242]"), "{s}");
    assert!(s.contains(" proc=ip[77]"), "{s}");
}

/// A python3 program that adds `addr`/32 to lo through a netlink socket it keeps open for
/// `hold` seconds; it prints its port id once the kernel acked.
const REQUESTER: &str = r#"
import socket, struct, sys, time
addr = socket.inet_aton(sys.argv[1])
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
s.bind((0, 0))
port = s.getsockname()[0]
def nla(t, p):
    l = 4 + len(p)
    return struct.pack("HH", l, t) + p + b"\0" * ((4 - l % 4) % 4)
body = struct.pack("BBBBI", socket.AF_INET, 32, 0, 0, 1) + nla(2, addr) + nla(1, addr)
msg = struct.pack("IHHII", 16 + len(body), 20, 0x1 | 0x4 | 0x400 | 0x200, 1, port) + body
s.send(msg)
ack = s.recv(65536)
print(port, struct.unpack_from("i", ack, 16)[0], flush=True)
time.sleep(float(sys.argv[2]))
"#;

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn monitor_capture_names_the_requester_that_is_still_running() {
    if can_run("monitor process attribution").is_none() {
        return;
    }
    if !have("python3") {
        eprintln!("SKIP monitor process attribution: python3 is not on PATH");
        return;
    }
    let dir = TempDir::new("procattr");
    let ns = Netns::new("proc");
    let script = dir.0.join("req.py");
    std::fs::write(&script, REQUESTER).unwrap();
    let file = dir.0.join("mon.pcapng");
    let f = file.to_str().unwrap();
    let cap = CaptureChild::start(&["--monitor", "route", "--netns", &ns.name, "-w", f]);
    // A long-running requester: its socket is still open when the notification arrives.
    let mut py = Command::new("ip")
        .args(["netns", "exec", &ns.name, "python3"])
        .arg(&script)
        .args(["10.66.0.1", "3"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(py.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let mut it = line.split_whitespace();
    let port: u32 = it.next().unwrap().parse().unwrap();
    assert_eq!(it.next(), Some("0"), "the address add failed: {line}");
    // A requester that exits at once: `ip` is gone before anything can look it up.
    ns.ip(&["addr", "add", "10.66.0.2/32", "dev", "lo"]);
    std::thread::sleep(Duration::from_millis(500));
    let (status, err) = cap.stop();
    assert!(status.success(), "{err}");
    let _ = py.wait();

    let msgs = json_msgs(&file, &["-Y", "nlmsg.type == RTM_NEWADDR"]);
    let by_addr = |a: &str| {
        msgs.iter()
            .find(|m| m["summary"].as_str().is_some_and(|s| s.contains(a)))
            .unwrap_or_else(|| panic!("no RTM_NEWADDR for {a} in {msgs:?}"))
    };
    let py_msg = by_addr("10.66.0.1/32");
    assert_eq!(py_msg["pid"], port);
    assert_eq!(
        py_msg["process"]["comm"].as_str().unwrap().get(..6),
        Some("python")
    );
    assert_eq!(py_msg["process"]["pid"], py.id());
    assert!(
        py_msg["process"]["exe"]
            .as_str()
            .unwrap()
            .contains("python")
    );
    let ip_msg = by_addr("10.66.0.2/32");
    assert!(ip_msg["pid"].as_u64().unwrap() != 0);
    assert!(ip_msg.get("process").is_none(), "{ip_msg}");

    // The filter field and the summary suffix on the file.
    let s = run_ok(&["read", "-r", f, "-Y", "proc.name contains \"python\""]);
    assert!(
        s.contains("10.66.0.1/32") && s.contains(" proc=python"),
        "{s}"
    );
    assert!(!s.contains("10.66.0.2"), "{s}");

    // --no-proc writes no process comments.
    let file2 = dir.0.join("noproc.pcapng");
    let f2 = file2.to_str().unwrap();
    let cap = CaptureChild::start(&[
        "--monitor",
        "route",
        "--netns",
        &ns.name,
        "--no-proc",
        "-w",
        f2,
    ]);
    let mut py = Command::new("ip")
        .args(["netns", "exec", &ns.name, "python3"])
        .arg(&script)
        .args(["10.66.0.3", "1"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(py.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let (status, err) = cap.stop();
    assert!(status.success(), "{err}");
    let _ = py.wait();
    let msgs = json_msgs(&file2, &[]);
    assert!(!msgs.is_empty());
    assert!(msgs.iter().all(|m| m.get("process").is_none()));
}

#[test]
fn trace_filter_on_proc_name() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 || !have("unshare") || !have("ip") {
        eprintln!("SKIP trace -Y proc.name: needs root, unshare and ip");
        return;
    }
    let run = |flt: &str| {
        let out = Command::new("unshare")
            .args(["-n", bin(), "trace", "-f", "-Y", flt, "--"])
            .args(["sh", "-c", "ip link show lo >/dev/null"])
            .env("NLSCOPE_NO_SYSTEM_SPECS", "1")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_no_panic(&out);
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let hit = run("proc.name == \"ip\"");
    assert!(
        hit.contains("RTM_GETLINK") && hit.contains(" proc=ip["),
        "{hit}"
    );
    assert!(hit.lines().all(|l| l.contains(" proc=ip[")), "{hit}");
    let miss = run("proc.name == \"sh\"");
    assert!(miss.trim().is_empty(), "{miss}");
}

#[test]
fn app_process_column_shows_sorts_and_filters() {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;
    use nlscope::dissect::specs::SpecRegistry;
    use nlscope::ui::{App, Col, process_text};

    let dir = TempDir::new("appcol");
    let path = dir.0.join("p.pcapng");
    let attributed = ProcInfo {
        pid: 4242,
        tid: 4242,
        comm: "my daemon".into(),
        exe: None,
    }
    .attribution_comment(4242);
    std::fs::write(
        &path,
        file_with_comments(&[
            (4242, vec![attributed]),
            (77, vec!["proc: pid=77 tid=78 comm=ip".into()]),
            (0, vec![]),
        ]),
    )
    .unwrap();
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(&path);
    app.finish();
    assert!(app.error.is_none(), "{:?}", app.error);
    let cells = |app: &App| -> Vec<String> {
        app.list
            .displayed
            .iter()
            .map(|&i| process_text(&app.store, i as usize))
            .collect()
    };
    assert_eq!(cells(&app), ["my daemon[4242]", "ip[77]", ""]);
    app.sort_by(Col::Process);
    assert_eq!(cells(&app), ["", "ip[77]", "my daemon[4242]"]);
    app.sort_by(Col::Process);
    assert_eq!(cells(&app), ["my daemon[4242]", "ip[77]", ""]);
    app.apply_filter_text("proc.name == \"ip\" || proc.exe")
        .unwrap();
    app.finish();
    assert_eq!(cells(&app), ["ip[77]"]);
    app.apply_filter_text("!proc.pid").unwrap();
    app.finish();
    assert_eq!(cells(&app), [""]);
    app.apply_filter_text("").unwrap();
    app.finish();
    let mut h = Harness::builder()
        .with_size(egui::Vec2::new(1400.0, 600.0))
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    h.run();
    h.get_by_label("Process v");
    h.get_by_label("my daemon[4242]");
    h.get_by_label("ip[77]");
}

/// The requester program running in `ns`, holding its socket for `hold` seconds: (child, its
/// port id) once the kernel acked its address.
fn start_requester(
    ns: &Netns,
    script: &std::path::Path,
    addr: &str,
    hold: &str,
) -> (std::process::Child, u32) {
    let mut py = Command::new("ip")
        .args(["netns", "exec", &ns.name, "python3"])
        .arg(script)
        .args([addr, hold])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(py.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let mut it = line.split_whitespace();
    let port = it.next().unwrap().parse().unwrap();
    assert_eq!(it.next(), Some("0"), "the address add failed: {line}");
    (py, port)
}

/// The app's live captures (in this process, and through the helper process) attribute
/// frames as `nlscope capture` does: the Process column names the requester.
#[test]
fn app_live_capture_names_the_requester() {
    use super::gui_live::{harness, pump_until, state};
    use egui_kittest::kittest::Queryable;
    use nlscope::dissect::specs::SpecRegistry;
    use nlscope::ui::{App, CaptureState, RunMode, SourceKind, Wrapper, process_text};

    if can_run("app live process attribution").is_none() {
        return;
    }
    if !have("python3") {
        eprintln!("SKIP app live process attribution: python3 is not on PATH");
        return;
    }
    let dir = TempDir::new("applive");
    let script = dir.0.join("req.py");
    std::fs::write(&script, REQUESTER).unwrap();
    for (k, mode) in [RunMode::InProcess, RunMode::Helper]
        .into_iter()
        .enumerate()
    {
        let ns = Netns::new("appproc");
        let mut app = App::new(SpecRegistry::with_embedded());
        app.settings.live.source = SourceKind::Monitor;
        app.settings.live.families = vec!["route".into()];
        app.settings.live.netns = ns.name.clone();
        app.settings.live.mode = mode;
        app.settings.live.wrapper = Wrapper::None;
        app.live.helper_exe = Some(bin().into());
        app.start_capture();
        let mut h = harness(app);
        pump_until(&mut h, "capturing", |a| {
            matches!(state(a), Some(CaptureState::Capturing(_)))
        });
        let (mut py, _port) = start_requester(&ns, &script, &format!("10.67.0.{}", k + 1), "2");
        let want = format!("[{}]", py.id());
        pump_until(&mut h, "an attributed row", |a| {
            (0..a.store.len()).any(|i| process_text(&a.store, i).ends_with(&want))
        });
        let _ = py.wait();
        h.get_by_label("Stop").click();
        pump_until(&mut h, "stopped", |a| {
            matches!(state(a), Some(CaptureState::Stopped(_)))
        });
    }
}

/// Without `-w`, the live summary lines end with ` proc=COMM[PID]`.
#[test]
fn live_summary_lines_name_the_requester() {
    if can_run("live summary process attribution").is_none() {
        return;
    }
    if !have("python3") {
        eprintln!("SKIP live summary process attribution: python3 is not on PATH");
        return;
    }
    let dir = TempDir::new("livesum");
    let script = dir.0.join("req.py");
    std::fs::write(&script, REQUESTER).unwrap();
    let ns = Netns::new("livesum");
    let mut cap = Command::new(bin())
        .args([
            "capture",
            "--monitor",
            "route",
            "--netns",
            &ns.name,
            "-c",
            "2",
        ])
        .env("NLSCOPE_NO_SYSTEM_SPECS", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(cap.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    assert!(line.contains("Capturing on"), "{line}");
    let (mut py, _) = start_requester(&ns, &script, "10.68.0.1", "1");
    let out = cap.wait_with_output().unwrap();
    let _ = py.wait();
    let text = String::from_utf8_lossy(&out.stdout);
    let want = format!("[{}]", py.id());
    assert!(
        text.lines()
            .any(|l| l.contains("RTM_NEWADDR") && l.contains(" proc=python") && l.ends_with(&want)),
        "{text}"
    );
}
