//! Live capture in the desktop app, driven headless through egui_kittest: a simulated source
//! replaying a real capture slowly (in-process worker), a child process streaming a capture
//! through a pipe, a failing helper, and, as root, real monitor captures in a fresh network
//! namespace both in-process and through the `nlscope capture -w -` helper.

use std::collections::VecDeque;
use std::io::{self, Write};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use egui::{Key, Role, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use nlscope::capture::{Captured, Source, SourceStats};
use nlscope::dissect::specs::SpecRegistry;
use nlscope::pcap::{Frame, Reader};
use nlscope::store::NO_MSG;
use nlscope::ui::{App, CaptureState, RunMode, SourceKind, Wrapper};

use super::common::{TempDir, local as capture};

/// Frames of a real capture (route-link.pcap: 135 frames, 159 rows).
fn real_frames() -> Vec<Frame> {
    let f = std::fs::File::open(capture("route-link.pcap")).expect("open capture");
    let mut r = Reader::new(io::BufReader::new(f)).expect("reader");
    let mut v = Vec::new();
    while let Some(f) = r.next_frame() {
        v.push(f.expect("frame"));
    }
    v
}

/// A source that replays frames one per `delay` while fewer than `allowed` are out (the test
/// releases them), then idles; it reports two kernel drops once 20 frames are out (as a real
/// source's counters would).
struct Replay {
    frames: VecDeque<Frame>,
    delay: Duration,
    sent: u64,
    allowed: Arc<AtomicU64>,
}

impl Replay {
    fn new(delay: Duration, allowed: &Arc<AtomicU64>) -> Replay {
        Replay {
            frames: real_frames().into(),
            delay,
            sent: 0,
            allowed: Arc::clone(allowed),
        }
    }
}

impl Source for Replay {
    fn interfaces(&self) -> Vec<String> {
        vec!["replay:route-link".into()]
    }
    fn poll(&mut self, timeout: Duration, base: usize, out: &mut Vec<Captured>) -> io::Result<()> {
        std::thread::sleep(self.delay.min(timeout));
        if self.sent >= self.allowed.load(Ordering::SeqCst) {
            return Ok(());
        }
        if let Some(f) = self.frames.pop_front() {
            out.push(Captured {
                ts_ns: f.ts_ns,
                interface: base,
                orig_len: f.orig_len,
                data: f.data,
                group: None,
                nsid: None,
                drops_before: 0,
            });
            self.sent += 1;
        }
        Ok(())
    }
    fn stats(&self) -> SourceStats {
        SourceStats {
            received: self.sent,
            kernel_drops: if self.sent >= 20 { 2 } else { 0 },
            overruns: 0,
        }
    }
}

pub(super) fn harness(app: App) -> Harness<'static, App> {
    Harness::builder()
        .with_size(Vec2::new(1400.0, 900.0))
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app)
}

/// Run frames until `cond` holds (20 s at most).
pub(super) fn pump_until(h: &mut Harness<'_, App>, what: &str, cond: impl Fn(&App) -> bool) {
    let until = Instant::now() + Duration::from_secs(20);
    loop {
        h.run_ok();
        if cond(h.state()) {
            return;
        }
        let log: Vec<&str> = h.state().live.log.lines().collect();
        assert!(
            Instant::now() < until,
            "timed out waiting for {what}; state {:?}; log {log:?}",
            h.state().live.capture.as_ref().map(|c| c.state.clone())
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn captured(app: &App) -> u64 {
    app.live.capture.as_ref().map_or(0, |c| c.captured)
}

pub(super) fn state(app: &App) -> Option<CaptureState> {
    app.live.capture.as_ref().map(|c| c.state.clone())
}

/// The No. cell text of the newest displayed row.
fn newest_label(app: &App) -> String {
    let i = *app.list.displayed.last().expect("rows");
    let e = app.store.msg(i as usize).expect("msg");
    if e.pos == NO_MSG {
        format!("{}:-", e.frame + 1)
    } else {
        format!("{}:{}", e.frame + 1, e.pos)
    }
}

/// The status bar's capture counts, then its frame / message / displayed counts.
fn status_counts(app: &App) -> [String; 2] {
    let c = app.live.capture.as_ref().expect("capture");
    [
        format!("Captured: {}  Dropped: {}", c.captured, c.dropped),
        format!(
            "Frames: {}  Messages: {}  Displayed: {}",
            app.store.frame_count(),
            app.store.message_count(),
            app.list.displayed.len()
        ),
    ]
}

fn assert_status_counts(h: &Harness<'_, App>) {
    for label in status_counts(h.state()) {
        h.get_by_label(&label);
    }
}

#[test]
fn simulated_live_source_streams_into_the_list() {
    let total = real_frames().len() as u64;
    let allowed = Arc::new(AtomicU64::new(0));
    let mut app = App::new(SpecRegistry::with_embedded());
    let replay = Replay::new(Duration::from_millis(2), &allowed);
    app.start_live_source(
        "replay".into(),
        Box::new(move || Ok(vec![Box::new(replay) as Box<dyn Source>])),
    );
    let mut h = harness(app);
    pump_until(&mut h, "capturing", |a| {
        matches!(state(a), Some(CaptureState::Capturing(_)))
    });
    h.get_by_label("Capturing on replay:route-link");

    // Rows appear as the source delivers, while the harness runs frames.
    let mut seen = Vec::new();
    for n in [10, 25, 40, 60] {
        allowed.store(n, Ordering::SeqCst);
        pump_until(&mut h, "released frames", |a| captured(a) == n);
        seen.push(h.state().list.displayed.len());
    }
    assert!(
        seen.windows(2).all(|w| w[0] < w[1]) && seen[0] >= 10,
        "rows did not grow: {seen:?}"
    );
    h.run_ok();
    // Status bar counts and autoscroll: the newest row is on screen, the first is not.
    assert_status_counts(&h);
    h.get_by_label(&newest_label(h.state()));
    assert!(h.query_by_label("1:0").is_none(), "list did not follow");

    // A filter applied now also applies to the messages still arriving.
    h.get_by_role(Role::TextInput).focus();
    h.run_ok();
    h.get_by_role(Role::TextInput)
        .type_text("nlmsg.type == RTM_NEWLINK");
    h.run_ok();
    h.key_press(Key::Enter);
    h.run_ok();
    assert_eq!(captured(h.state()), 60);
    let shown_then = h.state().list.displayed.len();
    allowed.store(total, Ordering::SeqCst);
    pump_until(&mut h, "all frames and the drop count", |a| {
        captured(a) == total && a.live.capture.as_ref().is_some_and(|c| c.dropped == 2)
    });
    h.run_ok();
    let app = h.state();
    let newlinks = (0..app.store.len())
        .filter(|&i| {
            app.store
                .view(i)
                .is_some_and(|v| v.type_str() == "RTM_NEWLINK")
        })
        .count();
    assert!(
        newlinks > shown_then,
        "no RTM_NEWLINK arrived after the filter"
    );
    assert_eq!(app.list.displayed.len(), newlinks);
    assert_eq!(app.store.frame_count() as u64, total);
    assert_eq!(app.store.len(), 159);
    // Frames carry their interface like a loaded file's.
    let iface = app.store.interface(0).expect("interface 0");
    assert_eq!(iface.name.as_deref(), Some("replay:route-link"));
    assert_eq!(iface.linktype, 253);
    assert_status_counts(&h);
    h.get_by_label(&newest_label(h.state()));

    // Stop from the status bar; nothing arrives afterwards.
    h.get_by_label("Stop").click();
    pump_until(&mut h, "stopped", |a| {
        matches!(state(a), Some(CaptureState::Stopped(None)))
    });
    h.get_by_label("Capture stopped");
    assert!(h.query_by_label("Stop").is_none());
    assert!(!h.state().capturing());
}

#[test]
fn autoscroll_off_keeps_the_view() {
    let allowed = Arc::new(AtomicU64::new(u64::MAX));
    let mut app = App::new(SpecRegistry::with_embedded());
    app.live.autoscroll = false;
    let replay = Replay::new(Duration::from_millis(1), &allowed);
    app.start_live_source(
        "replay".into(),
        Box::new(move || Ok(vec![Box::new(replay) as Box<dyn Source>])),
    );
    let mut h = harness(app);
    pump_until(&mut h, "all frames", |a| captured(a) == 135);
    h.run_ok();
    h.get_by_label("1:0");
    assert!(h.query_by_label(&newest_label(h.state())).is_none());
    // The status bar's toggle turns it on.
    h.get_by_label("Autoscroll").click();
    h.run_ok();
    assert!(h.state().live.autoscroll);
    h.get_by_label("Stop").click();
    pump_until(&mut h, "stopped", |a| !a.capturing());
}

/// A helper process whose stdout streams a real capture through a FIFO a thread feeds slowly
/// (records split across writes); stop sends it SIGTERM and reaps it.
#[test]
fn helper_process_streams_and_is_reaped_on_stop() {
    let dir = TempDir::new("gui-live-fifo");
    let fifo = dir.path("stream");
    let c = std::ffi::CString::new(fifo.to_str().expect("utf-8")).expect("path");
    // SAFETY: mkfifo on a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let bytes = std::fs::read(capture("route-link.pcap")).expect("capture");
    let done = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&done);
    // The first quarter of the file, then the rest once the test has seen rows arrive.
    let (go, wait_go) = std::sync::mpsc::channel::<()>();
    let path = fifo.clone();
    let feeder = std::thread::spawn(move || {
        let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(&path) else {
            return;
        };
        let quarter = bytes.len() / 4;
        for (k, chunk) in bytes.chunks(700).enumerate() {
            if k * 700 >= quarter && k * 700 < quarter + 700 && wait_go.recv().is_err() {
                return;
            }
            if f.write_all(chunk).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        // Keep the stream open, as a live capture's is, until the test ends.
        while !flag.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(10));
        }
    });
    let mut cmd = Command::new("sh");
    cmd.args([
        "-c",
        "echo 'Capturing on fifo -> standard output' >&2; exec cat \"$0\"",
    ])
    .arg(&fifo);
    let mut app = App::new(SpecRegistry::with_embedded());
    app.start_live_command("fifo".into(), cmd);
    let pid = app
        .live
        .capture
        .as_ref()
        .and_then(|c| c.helper_pid())
        .expect("helper pid");
    let mut h = harness(app);
    pump_until(&mut h, "capturing", |a| {
        matches!(state(a), Some(CaptureState::Capturing(_)))
    });
    h.get_by_label("Capturing on fifo");
    pump_until(&mut h, "some rows", |a| a.list.displayed.len() >= 20);
    // Records split across writes: the rows of the first quarter and no more.
    std::thread::sleep(Duration::from_millis(100));
    h.run_ok();
    let first = h.state().list.displayed.len();
    assert!((20..159).contains(&first), "{first} rows");
    go.send(()).expect("feeder waits");
    pump_until(&mut h, "every row", |a| a.list.displayed.len() == 159);
    h.run_ok();
    assert_status_counts(&h);
    let iface = h.state().store.interface(0).expect("interface").clone();
    assert_eq!(iface.linktype, 253);
    assert!(Path::new(&format!("/proc/{pid}")).exists());
    h.get_by_label("Stop").click();
    pump_until(&mut h, "stopped", |a| {
        matches!(state(a), Some(CaptureState::Stopped(_)))
    });
    assert_eq!(state(h.state()), Some(CaptureState::Stopped(None)));
    // Reaped: not even a zombie is left.
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "helper {pid} left behind"
    );
    done.store(true, Ordering::SeqCst);
    feeder.join().expect("feeder");
    // The frames stay for saving and browsing.
    assert_eq!(h.state().store.len(), 159);
}

#[test]
fn a_failing_helper_shows_its_message() {
    let mut cmd = Command::new("sh");
    cmd.args([
        "-c",
        "echo 'nlscope: the netfilter monitor needs CAP_NET_ADMIN' >&2; exit 1",
    ]);
    let mut app = App::new(SpecRegistry::with_embedded());
    app.start_live_command("failing".into(), cmd);
    let mut h = harness(app);
    pump_until(&mut h, "the end", |a| {
        matches!(state(a), Some(CaptureState::Stopped(_)))
    });
    h.run_ok();
    let app = h.state();
    assert_eq!(
        state(app),
        Some(CaptureState::Stopped(Some(
            "the netfilter monitor needs CAP_NET_ADMIN (capture process exited with status 1)"
                .into()
        )))
    );
    assert!(
        app.live
            .log
            .lines()
            .any(|l| l.contains("needs CAP_NET_ADMIN")),
        "stderr not in the log"
    );
    h.get_by_label("Capture failed");
    h.get_by_label(
        "capture: the netfilter monitor needs CAP_NET_ADMIN (capture process exited with status 1)",
    );
    // The log is in the options window.
    h.get_by_label("Capture").click();
    h.run_ok();
    h.get_by_label("Options...").click();
    h.run_ok();
    h.get_by_label("nlscope: the netfilter monitor needs CAP_NET_ADMIN");
}

#[test]
fn start_view_offers_live_sources() {
    let mut h = harness(App::new(SpecRegistry::with_embedded()));
    h.run();
    h.get_by_label("Live capture sources");
    h.get_by_label("Start monitor capture");
    h.get_by_label("Capture options...").click();
    h.run();
    h.get_by_label("Capture options");
    h.get_by_label("Monitor (notifications)");
    h.get_by_label("pkexec");
    // No capture is running just because options were looked at.
    assert!(h.state().live.capture.is_none());
}

/// The RTM_NEWLINK rows naming `name` in the store.
fn newlink_rows(app: &App, name: &str) -> usize {
    (0..app.store.len())
        .filter(|&i| {
            app.store
                .view(i)
                .is_some_and(|v| v.type_str() == "RTM_NEWLINK" && v.summary().contains(name))
        })
        .count()
}

/// As root: an in-process monitor capture in a fresh namespace shows a new dummy link.
#[test]
fn in_process_monitor_capture_in_a_namespace() {
    if super::monitor::can_run("in_process_monitor_capture_in_a_namespace").is_none() {
        return;
    }
    let ns = super::monitor::Netns::new("guilive");
    let mut app = App::new(SpecRegistry::with_embedded());
    app.settings.live.source = SourceKind::Monitor;
    app.settings.live.families = vec!["route".into()];
    app.settings.live.netns = ns.name.clone();
    app.settings.live.mode = RunMode::InProcess;
    app.start_capture();
    let c = app.live.capture.as_ref().expect("capture");
    assert!(!c.helper && c.helper_pid().is_none());
    let mut h = harness(app);
    pump_until(&mut h, "capturing", |a| {
        matches!(state(a), Some(CaptureState::Capturing(_)))
    });
    h.get_by_label("Capturing on monitor:route");
    ns.ip(&[
        "link", "add", "nlsva", "type", "veth", "peer", "name", "nlsvb",
    ]);
    pump_until(&mut h, "RTM_NEWLINK nlsva", |a| {
        newlink_rows(a, "nlsva") > 0
    });
    h.run_ok();
    assert!(h.query_all_by_label("RTM_NEWLINK").count() > 0);
    assert_status_counts(&h);
    assert_eq!(
        h.state().store.interface(0).and_then(|i| i.name.clone()),
        Some("monitor:route".into())
    );
    h.get_by_label("Stop").click();
    pump_until(&mut h, "stopped", |a| {
        matches!(state(a), Some(CaptureState::Stopped(_)))
    });
    assert_eq!(state(h.state()), Some(CaptureState::Stopped(None)));
}

/// As root: the helper-process path (wrapper "none"): `nlscope capture --monitor route
/// --netns NS -w -` as a child; messages arrive; stop and closing the window reap it.
#[test]
fn helper_monitor_capture_in_a_namespace() {
    if super::monitor::can_run("helper_monitor_capture_in_a_namespace").is_none() {
        return;
    }
    helper_capture_through(Wrapper::None, "guihelper");
}

/// The same through `sudo` (as root it asks for no password): stdin, stdout and the stop
/// path must pass through sudo's relay (Debian's sudoers sets `use_pty`).
#[test]
fn sudo_helper_monitor_capture_in_a_namespace() {
    wrapped_capture_test(
        "sudo_helper_monitor_capture_in_a_namespace",
        &["sudo", "-n", "true"],
        "no usable sudo (.ci/run installs it)",
        Wrapper::Sudo,
        "guisudo",
    );
}

/// The same through `pkexec` (as root polkit grants it without asking; it needs the system
/// bus and polkitd, which .ci/run starts). pkexec execs the capture in its own place.
#[test]
fn pkexec_helper_monitor_capture_in_a_namespace() {
    wrapped_capture_test(
        "pkexec_helper_monitor_capture_in_a_namespace",
        &["pkexec", "/bin/true"],
        "pkexec is missing or polkit does not answer (.ci/run installs and starts them)",
        Wrapper::Pkexec,
        "guipkexec",
    );
}

/// Run [`helper_capture_through`] with `wrapper` when root and when `probe` (a harmless
/// command through that wrapper) succeeds; otherwise print why the test skips.
fn wrapped_capture_test(name: &str, probe: &[&str], why: &str, wrapper: Wrapper, ns: &str) {
    if super::monitor::can_run(name).is_none() {
        return;
    }
    let works = probe.split_first().is_some_and(|(cmd, args)| {
        std::process::Command::new(cmd)
            .args(args)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    if !works {
        println!("SKIP {name}: {why}");
        return;
    }
    helper_capture_through(wrapper, ns);
}

fn helper_capture_through(wrapper: Wrapper, ns_name: &str) {
    let ns = super::monitor::Netns::new(ns_name);
    let mut app = App::new(SpecRegistry::with_embedded());
    app.settings.live.source = SourceKind::Monitor;
    app.settings.live.families = vec!["route".into()];
    app.settings.live.netns = ns.name.clone();
    app.settings.live.mode = RunMode::Helper;
    app.settings.live.wrapper = wrapper;
    app.live.helper_exe = Some(super::common::bin().into());
    app.start_capture();
    let pid = app
        .live
        .capture
        .as_ref()
        .and_then(|c| c.helper_pid())
        .expect("a helper process");
    let mut h = harness(app);
    pump_until(&mut h, "capturing", |a| {
        matches!(state(a), Some(CaptureState::Capturing(_)))
    });
    // The process the app started is the wrapper itself (the capture runs as its child);
    // read once it streams, so past its exec.
    let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    let expected = match wrapper {
        Wrapper::Sudo => "sudo",
        _ => "nlscope",
    };
    assert_eq!(comm.trim(), expected, "helper process {pid}");
    h.get_by_label("Capturing on monitor:route");
    ns.ip(&[
        "link", "add", "nlsveth0", "type", "veth", "peer", "name", "nlsveth1",
    ]);
    pump_until(&mut h, "RTM_NEWLINK nlsveth0", |a| {
        newlink_rows(a, "nlsveth0") > 0 && newlink_rows(a, "nlsveth1") > 0
    });
    h.run_ok();
    assert_status_counts(&h);
    let app = h.state();
    assert_eq!(
        app.store.interface(0).and_then(|i| i.name.clone()),
        Some("monitor:route".into())
    );
    h.get_by_label("Stop").click();
    pump_until(&mut h, "stopped", |a| {
        matches!(state(a), Some(CaptureState::Stopped(_)))
    });
    assert_eq!(state(h.state()), Some(CaptureState::Stopped(None)));
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "helper {pid} left behind"
    );
    assert!(
        h.state()
            .live
            .log
            .lines()
            .any(|l| l.contains("frames captured")),
        "no closing line from the helper"
    );

    // Closing the window (dropping the app) stops and reaps a running helper.
    h.state_mut().start_capture();
    let pid = h
        .state()
        .live
        .capture
        .as_ref()
        .and_then(|c| c.helper_pid())
        .expect("a helper process");
    pump_until(&mut h, "capturing again", |a| {
        matches!(state(a), Some(CaptureState::Capturing(_)))
    });
    assert!(h.state().store.is_empty(), "a new capture starts empty");
    drop(h);
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "helper {pid} outlived the window"
    );
}

#[test]
fn ctrl_e_stops_and_opening_a_file_ends_the_capture() {
    let allowed = Arc::new(AtomicU64::new(u64::MAX));
    let mut app = App::new(SpecRegistry::with_embedded());
    let replay = Replay::new(Duration::from_millis(5), &allowed);
    app.start_live_source(
        "replay".into(),
        Box::new(move || Ok(vec![Box::new(replay) as Box<dyn Source>])),
    );
    let mut h = harness(app);
    pump_until(&mut h, "some frames", |a| captured(a) >= 5);
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::E);
    h.run_ok();
    assert!(!h.state().capturing(), "Ctrl+E did not stop");
    pump_until(&mut h, "stopped", |a| {
        matches!(state(a), Some(CaptureState::Stopped(None)))
    });
    let kept = captured(h.state());
    std::thread::sleep(Duration::from_millis(100));
    h.run_ok();
    assert_eq!(captured(h.state()), kept, "frames arrived after the stop");

    // Start again, then open a file: the capture ends and the file's frames alone are shown.
    allowed.store(0, Ordering::SeqCst);
    let replay = Replay::new(Duration::from_millis(1), &allowed);
    h.state_mut().start_live_source(
        "replay".into(),
        Box::new(move || Ok(vec![Box::new(replay) as Box<dyn Source>])),
    );
    pump_until(&mut h, "capturing", |a| {
        matches!(state(a), Some(CaptureState::Capturing(_)))
    });
    h.state_mut().open(&capture("route-link.pcap"));
    allowed.store(u64::MAX, Ordering::SeqCst);
    h.state_mut().finish();
    for _ in 0..10 {
        h.run_ok();
        std::thread::sleep(Duration::from_millis(10));
    }
    let app = h.state();
    assert!(app.live.capture.is_none());
    assert_eq!(app.store.len(), 159);
    assert_eq!(app.list.displayed.len(), 159);
    h.get_by_label("route-link.pcap");
}

/// The helper stops when its stdin closes, even if no signal reaches it (pkexec runs it as
/// root, out of the app's reach).
#[test]
fn capture_stops_when_stdin_closes() {
    let dir = TempDir::new("gui-live-stdin");
    let out = dir.path("c.pcapng");
    let mut child = Command::new(super::common::bin())
        .args(["capture", "--monitor", "route", "--stop-on-stdin-eof", "-w"])
        .arg(&out)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn nlscope capture");
    let mut err = io::BufReader::new(child.stderr.take().expect("stderr"));
    let mut first = String::new();
    io::BufRead::read_line(&mut err, &mut first).expect("stderr line");
    if !first.starts_with("Capturing on") {
        let _ = child.kill();
        let _ = child.wait();
        eprintln!("SKIP capture_stops_when_stdin_closes: the route monitor did not open: {first}");
        return;
    }
    drop(child.stdin.take());
    let t = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if t.elapsed() > Duration::from_secs(5) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("capture still running 5 s after its stdin closed");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
    let mut rest = String::new();
    io::Read::read_to_string(&mut err, &mut rest).expect("stderr");
    assert!(rest.contains("frames captured"), "{rest}");
    // The file is complete pcapng (section and interface headers at least).
    let bytes = std::fs::read(&out).expect("capture file");
    assert!(Reader::new(&bytes[..]).is_ok());
}

#[test]
fn an_in_process_open_failure_is_shown() {
    let mut app = App::new(SpecRegistry::with_embedded());
    app.start_live_source(
        "denied".into(),
        Box::new(|| {
            Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "the xfrm monitor needs CAP_NET_ADMIN",
            ))
        }),
    );
    let mut h = harness(app);
    pump_until(&mut h, "the end", |a| {
        matches!(state(a), Some(CaptureState::Stopped(_)))
    });
    h.run_ok();
    assert_eq!(
        state(h.state()),
        Some(CaptureState::Stopped(Some(
            "the xfrm monitor needs CAP_NET_ADMIN".into()
        )))
    );
    h.get_by_label("Capture failed");
    h.get_by_label("capture: the xfrm monitor needs CAP_NET_ADMIN");
    assert!(!h.state().capturing());
    // Start is offered again in the Capture menu.
    h.get_by_label("Capture").click();
    h.run_ok();
    // (Its label carries the shortcut.)
    assert!(
        !h.get_by_label("Start Ctrl+E")
            .accesskit_node()
            .is_disabled()
    );
}

/// As root, on demand (`cargo test --release --test main live_burst -- --ignored --nocapture`):
/// the app's time per frame (`App::ui`, frames run back to back as fast as the harness can)
/// while an in-process monitor capture takes a burst of 20,000 route notifications, and the
/// frames' p50 / p95 / max, in wall time and in the UI thread's CPU time (the wall time on a
/// busy machine includes time the thread waited for a core). Every frame from the first
/// captured frame to the last is counted.
#[test]
#[ignore = "a measurement: run by hand as root"]
fn live_burst_frame_times() {
    if super::monitor::can_run("live_burst_frame_times").is_none() {
        return;
    }
    let routes: usize = std::env::var("ROUTES")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(20_000);
    let ns = super::monitor::Netns::new("burst");
    ns.ip(&["link", "add", "d0", "type", "veth", "peer", "name", "d1"]);
    ns.ip(&["link", "set", "d0", "up"]);
    let mut app = App::new(SpecRegistry::with_embedded());
    app.settings.live.families = vec!["route".into()];
    app.settings.live.netns = ns.name.clone();
    app.settings.live.mode = RunMode::InProcess;
    app.start_capture();
    let times = Arc::new(std::sync::Mutex::new(Vec::<(f64, f64)>::new()));
    let t2 = Arc::clone(&times);
    let mut h = Harness::builder()
        .with_size(Vec2::new(1280.0, 800.0))
        .build_ui_state(
            move |ui, app: &mut App| {
                let (t, cpu) = (Instant::now(), thread_cpu_ms());
                app.ui(ui);
                if let Ok(mut v) = t2.lock() {
                    v.push((t.elapsed().as_secs_f64() * 1e3, thread_cpu_ms() - cpu));
                }
            },
            app,
        );
    pump_until(&mut h, "capturing", |a| {
        matches!(state(a), Some(CaptureState::Capturing(_)))
    });
    let dir = TempDir::new("live-burst");
    let name = ns.name.clone();
    let path = dir.path("x");
    let adder = std::thread::spawn(move || {
        let ns = super::monitor::Netns { name };
        let t = Instant::now();
        ns.batch(
            path.parent().expect("dir"),
            "routes",
            (0..routes).map(|i| {
                format!(
                    "route add 10.{}.{}.{}/32 dev d0",
                    (i >> 16) & 255,
                    (i >> 8) & 255,
                    i & 255
                )
            }),
        );
        let took = t.elapsed();
        // The namespace belongs to the test's guard.
        std::mem::forget(ns);
        took
    });
    let until = Instant::now() + Duration::from_secs(60);
    let (mut wall, mut cpu) = (Vec::new(), Vec::new());
    loop {
        let before = captured(h.state());
        times.lock().expect("times").clear();
        h.step();
        let (w, c) = times
            .lock()
            .expect("times")
            .iter()
            .fold((0.0, 0.0), |a, t| (a.0 + t.0, a.1 + t.1));
        let now = captured(h.state());
        if now > 0 {
            wall.push(w);
            cpu.push(c);
        }
        if now >= routes as u64 && now == before || Instant::now() > until {
            break;
        }
    }
    let took = adder.join().expect("adder");
    let app = h.state();
    let c = app.live.capture.as_ref().expect("capture");
    let stats = |mut v: Vec<f64>| {
        let sum: f64 = v.iter().sum();
        v.sort_by(f64::total_cmp);
        let p = |q: f64| v[((v.len() - 1) as f64 * q) as usize];
        format!(
            "p50 {:.2} p95 {:.2} max {:.2} (sum {sum:.0} ms over {} frames)",
            p(0.5),
            p(0.95),
            p(1.0),
            v.len()
        )
    };
    println!(
        "live burst: {routes} routes added in {:.0} ms; {} captured, {} dropped, {} rows\n  \
         ui frame ms, wall: {}\n  ui frame ms, UI thread CPU: {}",
        took.as_secs_f64() * 1e3,
        c.captured,
        c.dropped,
        app.store.len(),
        stats(wall),
        stats(cpu)
    );
}

/// CPU time of the calling thread, in ms.
fn thread_cpu_ms() -> f64 {
    nlscope::ui::thread_cpu().as_secs_f64() * 1e3
}

#[test]
fn a_capture_after_a_file_starts_afresh() {
    // A file with more rows than the capture, some of them shown (row colours worked out),
    // and an export of it still running.
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(&capture("rt-misc.pcap"));
    app.finish();
    let file_rows = app.store.len();
    assert!(file_rows > 159, "{file_rows} rows");
    let mut h = harness(app);
    h.run_ok();
    assert!(h.state().list.row_experts.get(0).is_some());
    let dir = TempDir::new("live-afresh");
    h.state_mut()
        .export(
            &dir.path("x.json"),
            nlscope::export::Format::Json,
            nlscope::ui::Scope::All,
        )
        .expect("export starts");
    assert!(h.state().files.job.is_some());

    let total = real_frames().len() as u64;
    let allowed = Arc::new(AtomicU64::new(total));
    let replay = Replay::new(Duration::ZERO, &allowed);
    h.state_mut().start_live_source(
        "replay".into(),
        Box::new(move || Ok(vec![Box::new(replay) as Box<dyn Source>])),
    );
    // The export of the old capture stops with it.
    assert!(h.state().files.job.is_none());
    assert_eq!(
        h.state().files.outcome,
        Some(Err("save/export cancelled".to_string()))
    );
    pump_until(&mut h, "all frames", |a| captured(a) == total);
    h.run_ok();
    let app = h.state();
    assert_eq!(app.store.len(), 159);
    // The timeline counts this capture's messages only.
    assert_eq!(app.timeline.all.total(), 159);
    assert_eq!(app.timeline.shown.total(), app.list.displayed.len() as u64);
    // Row colours are this capture's rows'.
    for i in 0..app.store.len() {
        if let Some(w) = app.list.row_experts.get(i) {
            assert_eq!(
                w,
                nlscope::ui::rows::worst_severity(&app.store, i),
                "row {i}"
            );
        }
    }
}

/// Capture > Trace a command...: the options window turns to the Trace source; starting it
/// runs `nlscope trace -w -` as a helper and streams the program's whole conversation, every
/// message naming its process, until the program ends.
#[test]
fn trace_a_command_from_the_app() {
    if !Path::new("/proc/sys/kernel").exists() || cfg!(not(target_arch = "x86_64")) {
        println!("SKIP trace_a_command_from_the_app: needs Linux x86_64");
        return;
    }
    let mut app = App::new(SpecRegistry::with_embedded());
    app.settings.live.wrapper = Wrapper::None;
    app.live.helper_exe = Some(super::common::bin().into());
    let mut h = harness(app);
    h.run_ok();
    h.get_by_label("Capture").click();
    h.run_ok();
    h.get_by_label("Trace a command...").click();
    h.run_ok();
    assert_eq!(h.state().settings.live.source, SourceKind::Trace);
    h.get_by_label("Command:").focus();
    h.run_ok();
    h.get_by_label("Command:").type_text("ip link show lo");
    h.run_ok();
    assert_eq!(h.state().settings.live.trace_command, "ip link show lo");
    let o = h.state().settings.live.clone();
    assert_eq!(
        o.capture_args(),
        [
            "trace",
            "-w",
            "-",
            "-f",
            "--",
            "sh",
            "-c",
            "ip link show lo"
        ]
    );
    assert!(!o.in_process(), "a trace always runs as a helper");
    h.state_mut().start_capture();
    // The program ends by itself, and with it the helper.
    pump_until(&mut h, "trace ended", |a| {
        matches!(state(a), Some(CaptureState::Stopped(_))) && newlink_rows(a, "lo") > 0
    });
    let app = h.state();
    let rows = app.store.len();
    assert!(rows >= 2, "request and reply: {rows}");
    for f in 0..app.store.frame_count() {
        let c = app.store.frame_comments(u32::try_from(f).unwrap());
        assert!(
            c.iter()
                .any(|c| c.starts_with("proc: ") && c.ends_with("comm=ip")),
            "frame {f}: {c:?}"
        );
    }
    assert!(app.live_unsaved, "a trace's messages are live messages");
}
