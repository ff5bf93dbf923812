//! A live capture records the namespace's links at start (`link-names:` section comments), so a
//! message that names a link only by index reads with its name from the first message: in
//! `nlscope capture -w` files (and filtered copies of them), live summary lines, and the app's
//! in-process and helper-process captures. As root, in a fresh network namespace whose link
//! exists before the capture starts (so no RTM_NEWLINK in the capture names it).

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use nlscope::dissect::specs::SpecRegistry;
use nlscope::ui::{App, CaptureState, RunMode, SourceKind, Wrapper};

use super::common::{TempDir, bin, run_ok};
use super::gui_live::{harness, pump_until, state};
use super::monitor::{CaptureChild, Netns, can_run};

/// A namespace with veth pair `ctx0`/`ctx1`, `ctx0` up (so routes may use it).
fn netns_with_link(tag: &str) -> Netns {
    let ns = Netns::new(tag);
    ns.ip(&[
        "link", "add", "ctx0", "type", "veth", "peer", "name", "ctx1",
    ]);
    ns.ip(&["link", "set", "ctx0", "up"]);
    ns
}

/// The route whose notification names the link by index only (RTA_OIF). 192.0.2.0/24 is
/// TEST-NET-1, and the namespace has no way out anyway.
fn add_route(ns: &Netns) {
    ns.ip(&["route", "add", "192.0.2.0/24", "dev", "ctx0"]);
}

/// Summary lines of `nlscope read -r FILE [ARGS]`.
fn read_lines(file: &std::path::Path, args: &[&str]) -> Vec<String> {
    let mut a = vec!["read", "-r", file.to_str().unwrap()];
    a.extend_from_slice(args);
    run_ok(&a).lines().map(str::to_string).collect()
}

#[test]
fn capture_file_names_links_from_the_first_message() {
    let Some(()) = can_run("capture -w names links from the start") else {
        return;
    };
    let tmp = TempDir::new("ctxfile");
    let ns = netns_with_link("ctxfile");
    let file = tmp.0.join("ctx.pcapng");
    let cap = CaptureChild::start(&[
        "--monitor",
        "route",
        "--netns",
        &ns.name,
        "-w",
        file.to_str().unwrap(),
    ]);
    add_route(&ns);
    std::thread::sleep(Duration::from_millis(300));
    let (status, stderr) = cap.stop();
    assert!(status.success(), "{stderr}");

    let raw = std::fs::read(&file).unwrap();
    let has = |s: &str| raw.windows(s.len()).any(|w| w == s.as_bytes());
    assert!(has("link-names: 1=lo "), "no link-names section comment");
    let lines = read_lines(&file, &[]);
    let first = lines.first().expect("a message");
    assert!(
        first.contains("RTM_NEWROUTE 192.0.2.0/24 dev ctx0 "),
        "first message: {first}\n{lines:#?}"
    );
    assert!(!lines.iter().any(|l| l.contains("dev if")), "{lines:#?}");

    // A filtered copy that keeps only the route still names it (a packet comment carries the
    // names the section comment taught).
    let copy = tmp.0.join("copy.pcapng");
    run_ok(&[
        "read",
        "-r",
        file.to_str().unwrap(),
        "-Y",
        "nlmsg.type == 24",
        "-w",
        copy.to_str().unwrap(),
    ]);
    let lines = read_lines(&copy, &[]);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(lines[0].contains("dev ctx0 "), "{lines:#?}");
}

#[test]
fn live_summary_lines_name_links_from_the_first_message() {
    let Some(()) = can_run("live summary lines name links from the start") else {
        return;
    };
    let ns = netns_with_link("ctxlive");
    let mut child = Command::new(bin())
        .args([
            "capture",
            "--monitor",
            "route",
            "--netns",
            &ns.name,
            "-c",
            "1",
        ])
        .env("NLSCOPE_NO_SYSTEM_SPECS", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let err = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for l in BufReader::new(err).lines().map_while(Result::ok) {
            let _ = tx.send(l);
        }
    });
    let ready = rx
        .iter()
        .take(20)
        .find(|l| l.contains("Capturing on"))
        .is_some();
    assert!(ready, "the capture did not start");
    add_route(&ns);
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "capture -c 1 did not end");
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert!(
        out.contains("RTM_NEWROUTE 192.0.2.0/24 dev ctx0 "),
        "live line: {out}"
    );
}

/// The app's live capture, in-process or through the helper process: the first route row
/// names its link.
fn app_capture_names_links(mode: RunMode, tag: &str) {
    let ns = netns_with_link(tag);
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
    add_route(&ns);
    let route = |a: &App| {
        (0..a.store.len())
            .filter_map(|i| a.store.view(i))
            .find(|v| v.type_str() == "RTM_NEWROUTE")
            .map(|v| v.summary())
    };
    pump_until(&mut h, "the route notification", |a| route(a).is_some());
    let s = route(h.state()).unwrap_or_default();
    assert!(s.contains("192.0.2.0/24 dev ctx0 "), "{s}");
    h.state_mut().stop_capture();
    pump_until(&mut h, "stopped", |a| {
        matches!(state(a), Some(CaptureState::Stopped(_)))
    });
}

#[test]
fn in_process_app_capture_names_links_from_the_first_message() {
    if can_run("in-process app capture names links").is_none() {
        return;
    }
    app_capture_names_links(RunMode::InProcess, "ctxapp");
}

#[test]
fn helper_app_capture_names_links_from_the_first_message() {
    if can_run("helper app capture names links").is_none() {
        return;
    }
    app_capture_names_links(RunMode::Helper, "ctxhelper");
}
