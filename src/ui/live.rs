//! Live capture in the app: a capture runs either in this process (src/capture's worker thread,
//! when the process has the privileges the chosen source needs) or as a child
//! `nlscope capture ... -w -` started through a privilege wrapper (pkexec, sudo), whose pcapng
//! stdout is parsed by the streaming reader. Both hand frames to the UI through one bounded
//! crossbeam channel; the UI drains it within a per-frame time budget into the [`Store`], like
//! a file being loaded.
//!
//! [`Store`]: crate::store::Store

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TryRecvError, bounded, unbounded};
use egui::{Color32, RichText, Ui};

use super::App;
use crate::capture::monitor::MonitorFamily;
use crate::capture::worker::{Event, Opener, Worker};
use crate::capture::{CAPTURE_LINKTYPE, Captured, SourceRequest, enter_netns, open_sources};
use crate::pcap::feed::{Batch, Frames, feed};
use crate::pcap::{ByteOrder, Frame, Interface};
use crate::store::{Store, Waker};

/// Events queued between a helper's threads and the UI (one frame each).
const CHANNEL: usize = 1024;
/// Batches queued between the in-process worker's forwarder and the UI (a batch can hold
/// thousands of frames; the worker's own channel buffers more, and counts drops past it).
const FORWARD: usize = 4;
/// Lines of capture messages (a child's stderr, state changes) kept for the options window.
const LOG_LINES: usize = 200;
/// Longest stderr line kept, in bytes (the rest of the line is dropped).
const MAX_LINE: u64 = 4096;
/// Starts or stops a capture.
const START_STOP: egui::KeyboardShortcut =
    egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::E);
/// After SIGTERM, how long a child gets before SIGKILL.
const KILL_AFTER: Duration = Duration::from_secs(5);
/// How long closing the window waits for a capture to end (a created nlmon interface is removed
/// and a child reaped on the way).
const SHUTDOWN_WAIT: Duration = Duration::from_secs(3);

/// Where a capture reads from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SourceKind {
    /// Multicast monitor sockets (`capture --monitor`).
    Monitor,
    /// An nlmon interface (`capture -i`).
    Nlmon,
}

/// How a capture gets its privileges when this process lacks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Wrapper {
    /// `pkexec` (polkit asks for the password in a desktop dialog).
    Pkexec,
    /// `sudo -A` (the askpass program named by SUDO_ASKPASS asks).
    SudoAskpass,
    /// `sudo` (asks on the terminal the app was started from, if any).
    Sudo,
    /// Run the helper directly (it has capabilities of its own, or none are needed).
    None,
}

impl Wrapper {
    /// All choices, in menu order.
    pub const ALL: [Wrapper; 4] = [
        Wrapper::Pkexec,
        Wrapper::SudoAskpass,
        Wrapper::Sudo,
        Wrapper::None,
    ];

    /// The command words put in front of the helper.
    pub fn prefix(self) -> &'static [&'static str] {
        match self {
            Wrapper::Pkexec => &["pkexec"],
            Wrapper::SudoAskpass => &["sudo", "-A", "--"],
            Wrapper::Sudo => &["sudo", "--"],
            Wrapper::None => &[],
        }
    }

    /// Label in the options window.
    pub fn label(self) -> &'static str {
        match self {
            Wrapper::Pkexec => "pkexec",
            Wrapper::SudoAskpass => "sudo -A",
            Wrapper::Sudo => "sudo",
            Wrapper::None => "none",
        }
    }
}

/// Whether the capture runs in this process or as a helper process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RunMode {
    /// In this process when it has the privileges the source needs, else a helper.
    Auto,
    /// Always in this process.
    InProcess,
    /// Always a helper process (through the wrapper).
    Helper,
}

/// The capture settings (kept across runs).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct LiveOptions {
    /// Monitor sockets or an nlmon interface.
    pub source: SourceKind,
    /// Monitor families (names as `capture --monitor` takes them).
    pub families: Vec<String>,
    /// Every monitor family (`--monitor all`).
    pub all_families: bool,
    /// Also other namespaces' notifications (`--all-netns`).
    pub all_netns: bool,
    /// nlmon interface name.
    pub nlmon_iface: String,
    /// Create the nlmon interface for the capture (`--create-nlmon`).
    pub create_nlmon: bool,
    /// Network namespace to capture in (`--netns`); empty: this process's.
    pub netns: String,
    /// Privilege wrapper for the helper process.
    pub wrapper: Wrapper,
    /// In this process or a helper.
    pub mode: RunMode,
}

impl Default for LiveOptions {
    fn default() -> Self {
        LiveOptions {
            source: SourceKind::Monitor,
            families: vec!["route".into(), "genl".into()],
            all_families: false,
            all_netns: false,
            nlmon_iface: "nlmon0".into(),
            create_nlmon: false,
            netns: String::new(),
            wrapper: Wrapper::Pkexec,
            mode: RunMode::Auto,
        }
    }
}

const CAP_NET_BROADCAST: u32 = 11;
const CAP_NET_ADMIN: u32 = 12;
const CAP_NET_RAW: u32 = 13;
const CAP_SYS_ADMIN: u32 = 21;
const CAP_AUDIT_READ: u32 = 37;

fn cap_name(c: u32) -> &'static str {
    match c {
        CAP_NET_BROADCAST => "CAP_NET_BROADCAST",
        CAP_NET_ADMIN => "CAP_NET_ADMIN",
        CAP_NET_RAW => "CAP_NET_RAW",
        CAP_SYS_ADMIN => "CAP_SYS_ADMIN",
        CAP_AUDIT_READ => "CAP_AUDIT_READ",
        _ => "?",
    }
}

impl LiveOptions {
    /// The `--monitor` list.
    pub fn monitor_list(&self) -> String {
        if self.all_families {
            "all".into()
        } else {
            self.families.join(",")
        }
    }

    /// Check the options; the error says what to change.
    pub fn validate(&self) -> Result<(), String> {
        match self.source {
            SourceKind::Monitor => MonitorFamily::parse_list(&self.monitor_list())
                .map(|_| ())
                .map_err(|_| "choose at least one monitor family".to_string()),
            SourceKind::Nlmon if self.nlmon_iface.trim().is_empty() => {
                Err("name the nlmon interface".into())
            }
            SourceKind::Nlmon => Ok(()),
        }
    }

    /// What the in-process capture opens.
    pub fn request(&self) -> SourceRequest {
        match self.source {
            SourceKind::Monitor => SourceRequest::Monitor {
                families: self.monitor_list(),
                all_netns: self.all_netns,
            },
            SourceKind::Nlmon => SourceRequest::Nlmon {
                iface: self.nlmon_iface.trim().to_string(),
                create: self.create_nlmon,
            },
        }
    }

    /// Arguments of the helper `nlscope capture` (pcapng on stdout; stops when its stdin
    /// closes, so even a helper this process may not signal ends with the app).
    pub fn capture_args(&self) -> Vec<String> {
        let mut a: Vec<String> = vec!["capture".into()];
        match self.source {
            SourceKind::Monitor => {
                a.push("--monitor".into());
                a.push(self.monitor_list());
                if self.all_netns {
                    a.push("--all-netns".into());
                }
            }
            SourceKind::Nlmon => {
                a.push("-i".into());
                a.push(self.nlmon_iface.trim().to_string());
                if self.create_nlmon {
                    a.push("--create-nlmon".into());
                }
            }
        }
        if !self.netns.trim().is_empty() {
            a.push("--netns".into());
            a.push(self.netns.trim().to_string());
        }
        a.extend(["-w", "-", "--stop-on-stdin-eof"].map(String::from));
        a
    }

    /// The helper command: `WRAPPER EXE capture ...`.
    pub fn helper_command(&self, exe: &std::path::Path) -> Command {
        let prefix = self.wrapper.prefix();
        let mut cmd = match prefix.split_first() {
            Some((first, rest)) => {
                let mut c = Command::new(first);
                c.args(rest);
                c.arg(exe);
                c
            }
            None => Command::new(exe),
        };
        cmd.args(self.capture_args());
        cmd
    }

    /// Capabilities the source needs (a capture without some of them may still open part of
    /// it, e.g. `all` skips families it cannot open).
    fn needed_caps(&self) -> Vec<u32> {
        let mut caps = Vec::new();
        let mut need = |c: u32| {
            if !caps.contains(&c) {
                caps.push(c);
            }
        };
        if !self.netns.trim().is_empty() {
            need(CAP_SYS_ADMIN);
        }
        match self.source {
            SourceKind::Monitor => {
                let fams = MonitorFamily::parse_list(&self.monitor_list()).unwrap_or_default();
                for f in fams {
                    match f {
                        MonitorFamily::Netfilter | MonitorFamily::Xfrm | MonitorFamily::Proc => {
                            need(CAP_NET_ADMIN)
                        }
                        MonitorFamily::Audit => need(CAP_AUDIT_READ),
                        _ => {}
                    }
                }
                if self.all_netns {
                    need(CAP_NET_BROADCAST);
                }
            }
            SourceKind::Nlmon => {
                need(CAP_NET_RAW);
                if self.create_nlmon {
                    need(CAP_NET_ADMIN);
                }
            }
        }
        caps
    }

    /// Names of the needed capabilities this process lacks (empty: it can capture itself).
    pub fn missing_caps(&self) -> Vec<&'static str> {
        let have = effective_caps();
        self.needed_caps()
            .into_iter()
            .filter(|c| have & (1u64 << c) == 0)
            .map(cap_name)
            .collect()
    }

    /// Whether the capture runs in this process.
    pub fn in_process(&self) -> bool {
        match self.mode {
            RunMode::InProcess => true,
            RunMode::Helper => false,
            RunMode::Auto => self.missing_caps().is_empty(),
        }
    }

    /// A short description of the source (`monitor route,genl`, `nlmon0`).
    pub fn describe(&self) -> String {
        let mut s = match self.source {
            SourceKind::Monitor => format!("monitor {}", self.monitor_list()),
            SourceKind::Nlmon => self.nlmon_iface.trim().to_string(),
        };
        if !self.netns.trim().is_empty() {
            s.push_str(&format!(" in netns {}", self.netns.trim()));
        }
        s
    }
}

/// The effective capability set of this process (bit n = capability n); all bits for root
/// when /proc cannot tell.
fn effective_caps() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    for line in status.lines() {
        if let Some(hex) = line.strip_prefix("CapEff:") {
            return u64::from_str_radix(hex.trim(), 16).unwrap_or(0);
        }
    }
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        u64::MAX
    } else {
        0
    }
}

/// nlmon interfaces of this network namespace (ARPHRD 824 in /sys/class/net).
pub fn nlmon_interfaces() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir("/sys/class/net")
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| {
            std::fs::read_to_string(e.path().join("type"))
                .is_ok_and(|t| t.trim() == crate::dissect::cooked::ARPHRD_NETLINK.to_string())
        })
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    v.sort();
    v
}

/// Named network namespaces (`ip netns list`).
pub fn named_netns() -> Vec<String> {
    let mut v: Vec<String> = ["/run/netns", "/var/run/netns"]
        .iter()
        .flat_map(|d| std::fs::read_dir(d).into_iter().flatten().flatten())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    v.sort();
    v.dedup();
    v
}

/// What a capture's threads tell the UI.
#[derive(Debug)]
enum LiveEvent {
    /// Sources open (in-process): interface names, section comments.
    Started(Vec<String>, Vec<String>),
    /// Frames with their interface description the first time it is seen.
    Frames(Frames),
    /// Section comments (generic netlink ids).
    Comments(Vec<String>),
    /// Frames lost so far (kernel + channel), from the in-process worker.
    Dropped(u64),
    /// A line for the log (a helper's stderr).
    Log(String),
    /// The capture failed (what the user should read).
    Error(String),
    /// The capture ended (the helper is reaped); how, when not plainly.
    Ended(Option<String>),
}

/// The state shown in the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaptureState {
    /// Opening sources / waiting for the helper.
    Starting,
    /// Frames flow (interface names).
    Capturing(String),
    /// Stop requested, waiting for the end.
    Stopping,
    /// Ended; the error when it failed.
    Stopped(Option<String>),
}

enum Control {
    InProcess {
        worker: Option<Worker>,
    },
    Helper {
        pid: u32,
        stdin: Option<ChildStdin>,
        signal: Sender<i32>,
        reaper: Option<JoinHandle<()>>,
    },
}

/// One capture (running or ended) and its counters.
pub struct LiveCapture {
    /// Generation: every event carries it; events of another capture are ignored.
    pub id: u64,
    /// What it captures from.
    pub label: String,
    /// Where it is.
    pub state: CaptureState,
    /// Frames added to the store.
    pub captured: u64,
    /// Frames lost (kernel and nlscope), as far as known.
    pub dropped: u64,
    /// Runs as a helper process (not in this process).
    pub helper: bool,
    rx: Receiver<(u64, LiveEvent)>,
    back: Sender<Frames>,
    ctl: Control,
    /// Interfaces described to the store so far (in-process frames carry only an index).
    described: Vec<bool>,
    interfaces: Vec<String>,
    /// A batch being moved into the store, and the index of its next frame.
    partial: Option<(Frames, usize)>,
    /// The helper's last `nlscope: ...` error line.
    last_error: Option<String>,
}

fn native_order() -> ByteOrder {
    if cfg!(target_endian = "big") {
        ByteOrder::Big
    } else {
        ByteOrder::Little
    }
}

fn interface(name: &str) -> Interface {
    Interface {
        linktype: CAPTURE_LINKTYPE,
        snaplen: 262_144,
        name: Some(name.to_string()),
        ts_nanos: true,
        tsresol: 9,
        byte_order: native_order(),
        comments: Vec::new(),
    }
}

fn frame_of(c: Captured, comments: Vec<String>) -> Frame {
    Frame {
        ts_ns: c.ts_ns,
        interface: u32::try_from(c.interface).unwrap_or(u32::MAX),
        linktype: CAPTURE_LINKTYPE,
        byte_order: native_order(),
        data: c.data,
        orig_len: c.orig_len,
        comments,
        file_offset: 0,
    }
}

/// `N` of a `drops: N before this frame` comment.
fn drops_in(comments: &[String]) -> u64 {
    comments
        .iter()
        .filter_map(|c| c.strip_prefix("drops: "))
        .filter_map(|r| r.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

/// `D` of the helper's closing line `N frames captured, D dropped (...)`.
fn dropped_in_closing_line(line: &str) -> Option<u64> {
    let (_, rest) = line.split_once(" frames captured, ")?;
    rest.split_whitespace().next()?.parse().ok()
}

impl LiveCapture {
    /// Capture in this process: `open` runs on the worker thread (so a `setns` there affects
    /// only the capture).
    pub fn in_process(
        id: u64,
        label: String,
        open: Opener,
        waker: Option<Waker>,
    ) -> Result<LiveCapture, String> {
        let worker = Worker::start(id, open, 256)
            .map_err(|e| format!("cannot start the capture thread: {e}"))?;
        let (tx, rx) = bounded(FORWARD);
        let (back, _) = unbounded();
        let events = worker.rx.clone();
        thread::Builder::new()
            .name("nlscope-live".into())
            .spawn(move || forward(id, &events, &tx, waker))
            .map_err(|e| format!("cannot start the capture thread: {e}"))?;
        Ok(LiveCapture {
            id,
            label,
            state: CaptureState::Starting,
            captured: 0,
            dropped: 0,
            helper: false,
            rx,
            back,
            ctl: Control::InProcess {
                worker: Some(worker),
            },
            described: Vec::new(),
            interfaces: Vec::new(),
            partial: None,
            last_error: None,
        })
    }

    /// Capture with a child process writing pcapng to its stdout (messages on stderr). Its
    /// stdin is a pipe closed on stop.
    pub fn helper(
        id: u64,
        label: String,
        mut cmd: Command,
        waker: Option<Waker>,
    ) -> Result<LiveCapture, String> {
        let program = cmd.get_program().to_string_lossy().into_owned();
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot run {program}: {e}"))?;
        let pid = child.id();
        let stdin = child.stdin.take();
        let (tx, rx) = bounded(CHANNEL);
        let (back, back_rx) = unbounded::<Frames>();
        let (signal, signal_rx) = unbounded::<i32>();
        let mut readers = Vec::new();
        if let Some(out) = child.stdout.take() {
            let tx = tx.clone();
            let waker = waker.clone();
            let h = thread::Builder::new()
                .name("nlscope-live-read".into())
                .spawn(move || read_stream(id, out, &back_rx, &tx, waker.as_ref()));
            readers.extend(h.ok());
        }
        if let Some(err) = child.stderr.take() {
            let tx = tx.clone();
            let waker = waker.clone();
            let h = thread::Builder::new()
                .name("nlscope-live-err".into())
                .spawn(move || {
                    read_lines(err, |line| {
                        let ok = tx.send((id, LiveEvent::Log(line))).is_ok();
                        wake(waker.as_ref());
                        ok
                    })
                });
            readers.extend(h.ok());
        }
        let reaper = thread::Builder::new()
            .name("nlscope-live-reap".into())
            .spawn(move || reap(id, child, readers, &signal_rx, &tx, waker.as_ref()))
            .map_err(|e| format!("cannot start the capture thread: {e}"))?;
        Ok(LiveCapture {
            id,
            label,
            state: CaptureState::Starting,
            captured: 0,
            dropped: 0,
            helper: true,
            rx,
            back,
            ctl: Control::Helper {
                pid,
                stdin,
                signal,
                reaper: Some(reaper),
            },
            described: Vec::new(),
            interfaces: Vec::new(),
            partial: None,
            last_error: None,
        })
    }

    /// Whether the capture is starting or running (not stopping or ended).
    pub fn running(&self) -> bool {
        matches!(
            self.state,
            CaptureState::Starting | CaptureState::Capturing(_)
        )
    }

    /// Whether the capture has ended (the helper is reaped).
    pub fn ended(&self) -> bool {
        matches!(self.state, CaptureState::Stopped(_))
    }

    /// The helper's process id, if the capture runs as one.
    pub fn helper_pid(&self) -> Option<u32> {
        match &self.ctl {
            Control::Helper { pid, .. } => Some(*pid),
            Control::InProcess { .. } => None,
        }
    }

    /// Ask the capture to stop. Frames that arrive after this are ignored.
    pub fn request_stop(&mut self) {
        if self.ended() {
            return;
        }
        self.state = CaptureState::Stopping;
        match &mut self.ctl {
            Control::InProcess { worker } => {
                if let Some(w) = worker {
                    w.stop();
                }
            }
            Control::Helper { stdin, signal, .. } => {
                // Closing stdin stops the helper even where signals cannot reach it (pkexec
                // runs it as root); SIGTERM is quicker where they can.
                drop(stdin.take());
                let _ = signal.send(libc::SIGTERM);
            }
        }
    }

    /// Apply events for up to `budget`; frames go into `store`. Returns (frames added, more
    /// waiting).
    fn drain(&mut self, store: &mut Store, budget: Duration, log: &mut Log) -> (u64, bool) {
        let deadline = Instant::now() + budget;
        let mut added = 0;
        loop {
            if self.partial.is_some() {
                added += self.push_frames(store, deadline);
            }
            if Instant::now() >= deadline {
                return (added, self.partial.is_some() || !self.rx.is_empty());
            }
            match self.rx.try_recv() {
                Ok((id, ev)) if id == self.id => self.apply(ev, store, log),
                // Not this capture's (cannot happen with one channel per capture; kept as the
                // rule the design states).
                Ok(_) => {}
                Err(TryRecvError::Empty) => return (added, false),
                Err(TryRecvError::Disconnected) => {
                    if !self.ended() {
                        self.finish(None);
                    }
                    return (added, false);
                }
            }
        }
    }

    /// A retired capture: skip whatever is queued, note its end.
    fn poll_end(&mut self, log: &mut Log) {
        for _ in 0..CHANNEL {
            match self.rx.try_recv() {
                Ok((_, LiveEvent::Ended(how))) => {
                    if let Some(h) = &how {
                        log.push(h.clone());
                    }
                    self.finish(how);
                    self.join_threads();
                    return;
                }
                Ok((_, LiveEvent::Log(line))) => log.push(line),
                Ok(_) => {}
                Err(TryRecvError::Empty) => return,
                Err(TryRecvError::Disconnected) => {
                    self.finish(None);
                    return;
                }
            }
        }
    }

    /// Move frames of the batch in hand into the store until `deadline` (a monitor batch can
    /// hold thousands of frames: more than one UI frame's budget).
    fn push_frames(&mut self, store: &mut Store, deadline: Instant) -> u64 {
        let Some((mut frames, mut next)) = self.partial.take() else {
            return 0;
        };
        let mut added = 0;
        while let Some((f, iface)) = frames.get_mut(next) {
            let iface = iface.take().or_else(|| {
                // In-process frames: describe each interface once.
                let i = f.interface as usize;
                let slot = self.described.get_mut(i)?;
                if *slot {
                    return None;
                }
                *slot = true;
                self.interfaces.get(i).map(|n| interface(n))
            });
            if self.helper {
                self.dropped += drops_in(&f.comments);
            }
            store.push_frame(f, iface);
            next += 1;
            added += 1;
            if added % 64 == 0 && Instant::now() >= deadline {
                break;
            }
        }
        self.captured += added;
        if next < frames.len() {
            self.partial = Some((frames, next));
        } else {
            frames.clear();
            let _ = self.back.send(frames);
        }
        added
    }

    fn apply(&mut self, ev: LiveEvent, store: &mut Store, log: &mut Log) {
        match ev {
            LiveEvent::Started(interfaces, comments) => {
                for c in &comments {
                    store.learn_comment(c);
                }
                self.described = vec![false; interfaces.len()];
                if self.running() {
                    self.state = CaptureState::Capturing(interfaces.join(", "));
                }
                log.push(format!("Capturing on {}", interfaces.join(", ")));
                self.interfaces = interfaces;
            }
            LiveEvent::Frames(frames) => {
                // Batches received after the stop request are a stopped capture's stragglers:
                // dropped. (One already in hand is finished: it arrived before.)
                if self.running() {
                    self.partial = Some((frames, 0));
                }
            }
            LiveEvent::Comments(c) => {
                for line in c {
                    store.learn_comment(&line);
                }
            }
            LiveEvent::Dropped(d) => self.dropped = d,
            LiveEvent::Log(line) => {
                if let Some(rest) = line.strip_prefix("Capturing on ") {
                    let ifaces = rest.split(" -> ").next().unwrap_or(rest).to_string();
                    if self.running() {
                        self.state = CaptureState::Capturing(ifaces);
                    }
                }
                if let Some(e) = line.strip_prefix("nlscope: ") {
                    self.last_error = Some(e.to_string());
                }
                if let Some(d) = dropped_in_closing_line(&line) {
                    self.dropped = self.dropped.max(d);
                }
                log.push(line);
            }
            LiveEvent::Error(e) => {
                log.push(format!("error: {e}"));
                self.finish(Some(e));
            }
            LiveEvent::Ended(how) => {
                if let Some(h) = &how {
                    log.push(h.clone());
                }
                // An error reported before the end stays the reason; a helper's own error line
                // says more than its exit status.
                let err = match (&self.state, how) {
                    (CaptureState::Stopped(Some(e)), _) => Some(e.clone()),
                    (_, Some(h)) => Some(match self.last_error.take() {
                        Some(e) => format!("{e} ({h})"),
                        None => h,
                    }),
                    (_, None) => None,
                };
                self.finish(err);
                self.join_threads();
            }
        }
    }

    fn finish(&mut self, error: Option<String>) {
        self.state = CaptureState::Stopped(error);
        if let Control::Helper { stdin, .. } = &mut self.ctl {
            drop(stdin.take());
        }
    }

    fn join_threads(&mut self) {
        if let Control::Helper { reaper, .. } = &mut self.ctl
            && let Some(h) = reaper.take()
        {
            let _ = h.join();
        }
    }

    /// Stop and wait (at most `wait`) for the end: the helper is reaped, a created nlmon
    /// interface removed. Frames still queued are dropped.
    pub fn shutdown(&mut self, wait: Duration) {
        if self.ended() {
            self.join_threads();
            return;
        }
        self.request_stop();
        let deadline = Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok((_, LiveEvent::Ended(how))) => {
                    self.finish(how);
                    self.join_threads();
                    return;
                }
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => return,
                Err(RecvTimeoutError::Disconnected) => {
                    self.finish(None);
                    return;
                }
            }
        }
    }
}

impl Drop for LiveCapture {
    fn drop(&mut self) {
        self.shutdown(SHUTDOWN_WAIT);
        if let Control::InProcess { worker } = &mut self.ctl {
            // Its thread ends within one poll interval; a created nlmon link is removed there.
            drop(worker.take());
        }
    }
}

fn wake(w: Option<&Waker>) {
    if let Some(w) = w {
        w();
    }
}

/// In-process: turn the worker's events into the UI's, blocking when the UI lags (the worker
/// then counts drops instead of blocking its sockets).
fn forward(id: u64, events: &Receiver<Event>, tx: &Sender<(u64, LiveEvent)>, waker: Option<Waker>) {
    for ev in events.iter() {
        let (out, last) = match ev {
            Event::Started {
                interfaces,
                comments,
                ..
            } => (LiveEvent::Started(interfaces, comments), false),
            Event::Frames { frames, .. } => (
                LiveEvent::Frames(
                    frames
                        .into_iter()
                        .map(|(c, comments)| (frame_of(c, comments), None))
                        .collect(),
                ),
                false,
            ),
            Event::Stats { stats, .. } => (LiveEvent::Dropped(stats.dropped()), false),
            Event::Error { message, .. } => (LiveEvent::Error(message), false),
            Event::Stopped { stats, .. } => {
                let _ = tx.send((id, LiveEvent::Dropped(stats.dropped())));
                (LiveEvent::Ended(None), true)
            }
        };
        let ok = tx.send((id, out)).is_ok();
        wake(waker.as_ref());
        if !ok || last {
            return;
        }
    }
}

/// Helper: parse the pcapng stream frame by frame (a live stream must not wait for a batch).
fn read_stream(
    id: u64,
    out: impl Read,
    back: &Receiver<Frames>,
    tx: &Sender<(u64, LiveEvent)>,
    waker: Option<&Waker>,
) {
    feed(out, 1, None, back, &mut |b| {
        let ev = match b {
            Batch::Frames(f, _) => LiveEvent::Frames(f),
            Batch::Comments(c) => LiveEvent::Comments(c),
            Batch::Error(e) => LiveEvent::Log(format!("capture stream: {e}")),
        };
        let ok = tx.send((id, ev)).is_ok();
        wake(waker);
        ok
    });
}

/// Call `f` with each line of `r` (lines cut at [`MAX_LINE`] bytes) until EOF or `f` says stop.
fn read_lines(r: impl Read, mut f: impl FnMut(String) -> bool) {
    let mut br = BufReader::new(r);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match (&mut br).take(MAX_LINE).read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                if buf.last() != Some(&b'\n') && buf.len() as u64 >= MAX_LINE {
                    // Skip the rest of an overlong line.
                    let mut rest = Vec::new();
                    if (&mut br)
                        .take(1 << 20)
                        .read_until(b'\n', &mut rest)
                        .is_err()
                    {
                        return;
                    }
                }
                let line = String::from_utf8_lossy(&buf).trim_end().to_string();
                if !line.is_empty() && !f(line) {
                    return;
                }
            }
        }
    }
}

/// Helper: own the child, deliver signals while it runs (the only place that reaps it, so a
/// signal never reaches a recycled pid), escalate to SIGKILL, and report its end after its
/// output has been read.
fn reap(
    id: u64,
    mut child: Child,
    readers: Vec<JoinHandle<()>>,
    signals: &Receiver<i32>,
    tx: &Sender<(u64, LiveEvent)>,
    waker: Option<&Waker>,
) {
    let mut term_at: Option<Instant> = None;
    let mut killed = false;
    let status: Option<ExitStatus> = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) => {}
            Err(_) => break None,
        }
        if let Some(t) = term_at
            && !killed
            && t.elapsed() >= KILL_AFTER
        {
            killed = true;
            // Fails with EPERM for a helper running as another user; its closed stdin and the
            // SIGTERM are all it gets then.
            let _ = child.kill();
        }
        match signals.recv_timeout(Duration::from_millis(50)) {
            Ok(sig) => {
                if let Ok(pid) = i32::try_from(child.id()) {
                    // SAFETY: plain kill(2) on our own, not yet reaped, child.
                    unsafe { libc::kill(pid, sig) };
                }
                term_at.get_or_insert_with(Instant::now);
            }
            Err(RecvTimeoutError::Timeout) => {}
            // The UI is gone: stop the helper.
            Err(RecvTimeoutError::Disconnected) => {
                if term_at.is_none() {
                    if let Ok(pid) = i32::try_from(child.id()) {
                        // SAFETY: as above.
                        unsafe { libc::kill(pid, libc::SIGTERM) };
                    }
                    term_at = Some(Instant::now());
                }
                thread::sleep(Duration::from_millis(50));
            }
        }
    };
    // Its pipes end with it; wait (briefly: a grandchild could hold them) for the last frames.
    let until = Instant::now() + Duration::from_secs(2);
    for r in readers {
        while !r.is_finished() && Instant::now() < until {
            thread::sleep(Duration::from_millis(10));
        }
        if r.is_finished() {
            let _ = r.join();
        }
    }
    let how = match status {
        None => Some("the capture process could not be waited for".to_string()),
        Some(s) if s.success() => None,
        Some(s) if term_at.is_some() && s.code().is_none() => None,
        Some(s) => Some(match s.code() {
            Some(126) => "capture process: authorization dismissed (exit status 126)".into(),
            Some(127) => {
                "capture process: not authorized, or the wrapper was not found (exit status 127)"
                    .into()
            }
            Some(c) => format!("capture process exited with status {c}"),
            None => format!("capture process ended by a signal ({s})"),
        }),
    };
    let _ = tx.send((id, LiveEvent::Ended(how)));
    wake(waker);
}

/// Lines for the options window's log.
#[derive(Debug, Default)]
pub struct Log {
    lines: VecDeque<String>,
}

impl Log {
    fn push(&mut self, line: String) {
        if self.lines.len() >= LOG_LINES {
            self.lines.pop_front();
        }
        self.lines.push_back(line);
    }

    /// The lines, oldest first.
    pub fn lines(&self) -> impl Iterator<Item = &str> {
        self.lines.iter().map(String::as_str)
    }
}

/// The app's live-capture state.
pub struct Live {
    /// The current (or last) capture; its frames are in the store.
    pub capture: Option<LiveCapture>,
    /// Stopped captures still ending (drained only for their end).
    retired: Vec<LiveCapture>,
    next_id: u64,
    /// Follow the newest row.
    pub autoscroll: bool,
    /// Scroll the list to its last row on the next frame.
    pub scroll_to_end: bool,
    /// The options window is open.
    pub show_options: bool,
    /// Capture messages (helper stderr, starts and ends).
    pub log: Log,
    /// The program run as helper (default: this executable).
    pub helper_exe: Option<PathBuf>,
    nlmon_list: Vec<String>,
    netns_list: Vec<String>,
    lists_at: Option<Instant>,
}

impl Default for Live {
    fn default() -> Self {
        Live {
            capture: None,
            retired: Vec::new(),
            next_id: 1,
            autoscroll: true,
            scroll_to_end: false,
            show_options: false,
            log: Log::default(),
            helper_exe: None,
            nlmon_list: Vec::new(),
            netns_list: Vec::new(),
            lists_at: None,
        }
    }
}

impl Live {
    /// Refresh the lists of nlmon interfaces and namespaces (at most once a second).
    fn refresh_lists(&mut self) {
        if self
            .lists_at
            .is_none_or(|t| t.elapsed() >= Duration::from_secs(1))
        {
            self.nlmon_list = nlmon_interfaces();
            self.netns_list = named_netns();
            self.lists_at = Some(Instant::now());
        }
    }
}

impl App {
    /// Whether a live capture is starting or running.
    pub fn capturing(&self) -> bool {
        self.live.capture.as_ref().is_some_and(LiveCapture::running)
    }

    /// Start a live capture with the options in the settings.
    pub fn start_capture(&mut self) {
        let opts = self.settings.live.clone();
        if let Err(e) = opts.validate() {
            self.error = Some(format!("capture: {e}"));
            self.live.show_options = true;
            return;
        }
        let label = opts.describe();
        if opts.in_process() {
            let req = opts.request();
            let netns = opts.netns.trim().to_string();
            self.start_live_source(
                label,
                Box::new(move || {
                    if !netns.is_empty() {
                        enter_netns(&netns)?;
                    }
                    open_sources(&req)
                }),
            );
        } else {
            let exe = match self.live.helper_exe.clone() {
                Some(p) => p,
                None => match std::env::current_exe() {
                    Ok(p) => p,
                    Err(e) => {
                        self.error = Some(format!("capture: cannot find this program: {e}"));
                        return;
                    }
                },
            };
            let cmd = opts.helper_command(&exe);
            self.start_live_command(label, cmd);
        }
    }

    /// Start capturing in this process from the sources `open` returns (run on the capture
    /// thread).
    pub fn start_live_source(&mut self, label: String, open: Opener) {
        let id = self.begin_live();
        let r = LiveCapture::in_process(id, label, open, self.waker.clone());
        self.started_live(r);
    }

    /// Start capturing from a command that writes pcapng to its stdout.
    pub fn start_live_command(&mut self, label: String, cmd: Command) {
        let id = self.begin_live();
        let r = LiveCapture::helper(id, label, cmd, self.waker.clone());
        self.started_live(r);
    }

    /// A fresh store for a new capture; returns its id.
    fn begin_live(&mut self) -> u64 {
        self.retire_capture();
        self.loader = None;
        self.file = None;
        let old = std::mem::replace(
            &mut self.store,
            Store::new(crate::dissect::specs::SpecRegistry::default()),
        );
        self.store = Store::new(old.into_specs());
        self.displayed.clear();
        self.filtered_upto = 0;
        self.clear_selection();
        self.error = None;
        let id = self.live.next_id;
        self.live.next_id += 1;
        id
    }

    fn started_live(&mut self, r: Result<LiveCapture, String>) {
        match r {
            Ok(c) => {
                let how = if c.helper {
                    "helper process"
                } else {
                    "in this process"
                };
                self.live
                    .log
                    .push(format!("Starting capture: {} ({how})", c.label));
                self.live.capture = Some(c);
            }
            Err(e) => {
                self.live.log.push(format!("error: {e}"));
                self.error = Some(e);
            }
        }
    }

    /// Stop the running capture (its frames stay).
    pub fn stop_capture(&mut self) {
        if let Some(c) = self.live.capture.as_mut()
            && c.running()
        {
            c.request_stop();
            self.live.log.push("Stopping capture".into());
        }
    }

    /// Stop the capture and keep draining it for its end only (a new capture or file takes
    /// over the store).
    pub(super) fn retire_capture(&mut self) {
        if let Some(mut c) = self.live.capture.take()
            && !c.ended()
        {
            c.request_stop();
            self.live.retired.push(c);
        }
    }

    /// Stop the capture and wait for its end (closing the window).
    pub fn shutdown_capture(&mut self) {
        if let Some(c) = self.live.capture.as_mut() {
            c.shutdown(SHUTDOWN_WAIT);
        }
        for c in &mut self.live.retired {
            c.shutdown(SHUTDOWN_WAIT);
        }
        self.live.retired.clear();
    }

    /// Drain the live capture into the store for at most `budget`. True when more waits.
    pub(super) fn pump_live(&mut self, budget: Duration) -> bool {
        let start = Instant::now();
        for c in &mut self.live.retired {
            c.poll_end(&mut self.live.log);
        }
        self.live.retired.retain(|c| !c.ended());
        let Some(c) = self.live.capture.as_mut() else {
            return false;
        };
        let was_ended = c.ended();
        let left = budget.saturating_sub(start.elapsed());
        let (added, more) = c.drain(&mut self.store, left, &mut self.live.log);
        if !was_ended && let CaptureState::Stopped(Some(e)) = &c.state {
            self.error = Some(format!("capture: {e}"));
        }
        if added > 0 && self.live.autoscroll {
            self.live.scroll_to_end = true;
        }
        more
    }

    /// Whether the list should jump to its end now (consumes the request).
    pub(super) fn take_scroll_to_end(&mut self) -> bool {
        std::mem::take(&mut self.live.scroll_to_end) && self.live.autoscroll
    }

    /// Ctrl+E starts or stops a capture (as in Wireshark).
    pub(super) fn live_shortcuts(&mut self, ui: &mut Ui) {
        if ui.input_mut(|i| i.consume_shortcut(&START_STOP)) {
            if self.capturing() {
                self.stop_capture();
            } else {
                self.start_capture();
            }
        }
    }

    /// The Capture menu.
    pub(super) fn capture_menu(&mut self, ui: &mut Ui) {
        ui.menu_button("Capture", |ui| {
            let running = self.capturing();
            if ui
                .add_enabled(
                    !running,
                    egui::Button::new("Start").shortcut_text(ui.ctx().format_shortcut(&START_STOP)),
                )
                .on_hover_text(self.settings.live.describe())
                .clicked()
            {
                ui.close();
                self.start_capture();
            }
            if ui.add_enabled(running, egui::Button::new("Stop")).clicked() {
                ui.close();
                self.stop_capture();
            }
            ui.separator();
            ui.checkbox(&mut self.live.autoscroll, "Autoscroll");
            if ui.button("Options...").clicked() {
                ui.close();
                self.live.show_options = true;
            }
        });
    }

    /// The start view's list of live capture sources.
    pub(super) fn live_start_section(&mut self, ui: &mut Ui) {
        self.live.refresh_lists();
        ui.add_space(16.0);
        ui.strong("Live capture sources");
        ui.add_space(4.0);
        let mut start = None;
        // A fixed-width block, so the centred start view centres it.
        let width = 640.0_f32.min(ui.available_width());
        ui.allocate_ui(egui::vec2(width, 0.0), |ui| {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.set_width(width - 16.0);
                ui.horizontal_wrapped(|ui| {
                    let o = &mut self.settings.live;
                    ui.label("Monitor:");
                    for f in MonitorFamily::ALL {
                        let mut on = o.all_families || o.families.iter().any(|x| x == f.name());
                        if ui
                            .add_enabled(!o.all_families, egui::Checkbox::new(&mut on, f.name()))
                            .changed()
                        {
                            set_family(o, f.name(), on);
                        }
                    }
                    ui.checkbox(&mut o.all_families, "all");
                });
                ui.horizontal(|ui| {
                    ui.checkbox(&mut self.settings.live.all_netns, "All namespaces");
                    if ui.button("Start monitor capture").clicked() {
                        start = Some((SourceKind::Monitor, None));
                    }
                });
                ui.separator();
                ui.horizontal_wrapped(|ui| {
                    ui.label("nlmon:");
                    for name in &self.live.nlmon_list {
                        if ui.link(format!("Capture on {name}")).clicked() {
                            start = Some((SourceKind::Nlmon, Some((name.clone(), false))));
                        }
                    }
                    if !self.live.nlmon_list.iter().any(|n| n == "nlmon0")
                        && ui
                            .button("Create nlmon0 and capture")
                            .on_hover_text("Removed again when the capture stops (--create-nlmon)")
                            .clicked()
                    {
                        start = Some((SourceKind::Nlmon, Some(("nlmon0".into(), true))));
                    }
                });
                ui.separator();
                if ui.button("Capture options...").clicked() {
                    self.live.show_options = true;
                }
            });
        });
        if let Some((kind, nlmon)) = start {
            self.settings.live.source = kind;
            if let Some((name, create)) = nlmon {
                self.settings.live.nlmon_iface = name;
                self.settings.live.create_nlmon = create;
            }
            self.start_capture();
        }
    }

    /// The capture part of the status bar: state, counts, autoscroll, Stop.
    pub(super) fn live_status(&mut self, ui: &mut Ui) {
        let Some(c) = &self.live.capture else {
            return;
        };
        let (text, color) = match &c.state {
            CaptureState::Starting => (format!("Starting capture: {}", c.label), None),
            CaptureState::Capturing(on) => (
                format!("Capturing on {on}"),
                Some(Color32::from_rgb(0x3c, 0xb3, 0x71)),
            ),
            CaptureState::Stopping => ("Stopping capture".to_string(), None),
            CaptureState::Stopped(None) => ("Capture stopped".to_string(), None),
            CaptureState::Stopped(Some(_)) => (
                "Capture failed".to_string(),
                Some(Color32::from_rgb(0xe0, 0x40, 0x40)),
            ),
        };
        let mut rt = RichText::new(text).strong();
        if let Some(col) = color {
            rt = rt.color(col);
        }
        ui.label(rt).on_hover_text(&c.label);
        ui.separator();
        ui.label(format!("Captured: {}  Dropped: {}", c.captured, c.dropped));
        let running = c.running();
        ui.checkbox(&mut self.live.autoscroll, "Autoscroll");
        if running && ui.button("Stop").clicked() {
            self.stop_capture();
        }
    }

    /// The capture options window.
    pub(super) fn live_options_window(&mut self, ctx: &egui::Context) {
        if !self.live.show_options {
            return;
        }
        self.live.refresh_lists();
        let mut open = true;
        let mut start = false;
        let running = self.capturing();
        egui::Window::new("Capture options")
            .collapsible(false)
            .pivot(egui::Align2::CENTER_TOP)
            .default_pos(ctx.content_rect().center_top() + egui::vec2(0.0, 90.0))
            .open(&mut open)
            .show(ctx, |ui| {
                let o = &mut self.settings.live;
                ui.horizontal(|ui| {
                    ui.label("Source:");
                    ui.radio_value(
                        &mut o.source,
                        SourceKind::Monitor,
                        "Monitor (notifications)",
                    );
                    ui.radio_value(
                        &mut o.source,
                        SourceKind::Nlmon,
                        "nlmon interface (all traffic)",
                    );
                });
                match o.source {
                    SourceKind::Monitor => {
                        ui.horizontal_wrapped(|ui| {
                            for f in MonitorFamily::ALL {
                                let mut on =
                                    o.all_families || o.families.iter().any(|x| x == f.name());
                                if ui
                                    .add_enabled(
                                        !o.all_families,
                                        egui::Checkbox::new(&mut on, f.name()),
                                    )
                                    .changed()
                                {
                                    set_family(o, f.name(), on);
                                }
                            }
                            ui.checkbox(&mut o.all_families, "all");
                        });
                        ui.checkbox(&mut o.all_netns, "All network namespaces (--all-netns)");
                    }
                    SourceKind::Nlmon => {
                        ui.horizontal(|ui| {
                            ui.label("Interface:");
                            ui.add(
                                egui::TextEdit::singleline(&mut o.nlmon_iface).desired_width(120.0),
                            );
                            for n in &self.live.nlmon_list {
                                if ui.small_button(n).clicked() {
                                    o.nlmon_iface = n.clone();
                                }
                            }
                        });
                        if self.live.nlmon_list.is_empty() {
                            ui.weak("No nlmon interface exists in this namespace.");
                        }
                        ui.checkbox(
                            &mut o.create_nlmon,
                            "Create it for the capture (removed at the end; --create-nlmon)",
                        );
                    }
                }
                ui.horizontal(|ui| {
                    ui.label("Network namespace:");
                    ui.add(
                        egui::TextEdit::singleline(&mut o.netns)
                            .desired_width(160.0)
                            .hint_text("(this one)"),
                    );
                    for n in &self.live.netns_list {
                        if ui.small_button(n).clicked() {
                            o.netns = n.clone();
                        }
                    }
                });
                ui.separator();
                ui.horizontal(|ui| {
                    ui.label("Run the capture:");
                    ui.radio_value(&mut o.mode, RunMode::Auto, "automatic");
                    ui.radio_value(&mut o.mode, RunMode::InProcess, "in this process");
                    ui.radio_value(&mut o.mode, RunMode::Helper, "as a helper process");
                });
                ui.horizontal(|ui| {
                    ui.label("Helper privileges via:");
                    for w in Wrapper::ALL {
                        ui.radio_value(&mut o.wrapper, w, w.label());
                    }
                });
                let missing = o.missing_caps();
                let how = if o.in_process() {
                    "Runs in this process.".to_string()
                } else {
                    let mut cmd = o.wrapper.prefix().join(" ");
                    if !cmd.is_empty() {
                        cmd.push(' ');
                    }
                    format!("Runs as: {cmd}nlscope {}", o.capture_args().join(" "))
                };
                if missing.is_empty() {
                    ui.weak(format!("This process has the privileges needed. {how}"));
                } else {
                    ui.weak(format!("This process lacks {}. {how}", missing.join(", ")));
                }
                if let Err(e) = o.validate() {
                    ui.colored_label(Color32::from_rgb(0xe0, 0x40, 0x40), e);
                }
                ui.horizontal(|ui| {
                    if ui
                        .add_enabled(!running, egui::Button::new("Start"))
                        .clicked()
                    {
                        start = true;
                    }
                });
                ui.separator();
                ui.label("Capture log:");
                egui::ScrollArea::vertical()
                    .max_height(140.0)
                    .stick_to_bottom(true)
                    .show(ui, |ui| {
                        for l in self.live.log.lines() {
                            ui.monospace(l);
                        }
                    });
            });
        if !open {
            self.live.show_options = false;
        }
        if start {
            self.live.show_options = false;
            self.start_capture();
        }
    }
}

fn set_family(o: &mut LiveOptions, name: &str, on: bool) {
    o.families.retain(|x| x != name);
    if on {
        o.families.push(name.to_string());
        // Keep the `capture --monitor` order.
        o.families.sort_by_key(|x| {
            MonitorFamily::ALL
                .iter()
                .position(|f| f.name() == x)
                .unwrap_or(usize::MAX)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helper_command_line() {
        let mut o = LiveOptions {
            families: vec!["route".into()],
            netns: "blue".into(),
            wrapper: Wrapper::SudoAskpass,
            ..Default::default()
        };
        let cmd = o.helper_command(std::path::Path::new("/usr/bin/nlscope"));
        assert_eq!(cmd.get_program(), "sudo");
        let args: Vec<_> = cmd.get_args().map(|a| a.to_string_lossy()).collect();
        assert_eq!(
            args,
            [
                "-A",
                "--",
                "/usr/bin/nlscope",
                "capture",
                "--monitor",
                "route",
                "--netns",
                "blue",
                "-w",
                "-",
                "--stop-on-stdin-eof"
            ]
        );
        o.source = SourceKind::Nlmon;
        o.create_nlmon = true;
        o.netns.clear();
        o.wrapper = Wrapper::None;
        let cmd = o.helper_command(std::path::Path::new("/x/nlscope"));
        assert_eq!(cmd.get_program(), "/x/nlscope");
        let args: Vec<_> = cmd.get_args().map(|a| a.to_string_lossy()).collect();
        assert_eq!(
            args,
            [
                "capture",
                "-i",
                "nlmon0",
                "--create-nlmon",
                "-w",
                "-",
                "--stop-on-stdin-eof"
            ]
        );
    }

    #[test]
    fn needed_privileges() {
        let mut o = LiveOptions::default();
        assert!(o.needed_caps().is_empty(), "route and genl need none");
        o.families.push("netfilter".into());
        o.all_netns = true;
        assert_eq!(o.needed_caps(), [CAP_NET_ADMIN, CAP_NET_BROADCAST]);
        o.all_families = true;
        o.all_netns = false;
        assert_eq!(o.needed_caps(), [CAP_NET_ADMIN, CAP_AUDIT_READ]);
        o.source = SourceKind::Nlmon;
        o.netns = "x".into();
        assert_eq!(o.needed_caps(), [CAP_SYS_ADMIN, CAP_NET_RAW]);
        o.mode = RunMode::Helper;
        assert!(!o.in_process());
        o.mode = RunMode::InProcess;
        assert!(o.in_process());
    }

    #[test]
    fn validation_and_family_order() {
        let mut o = LiveOptions {
            families: Vec::new(),
            ..Default::default()
        };
        assert!(o.validate().is_err());
        set_family(&mut o, "xfrm", true);
        set_family(&mut o, "route", true);
        set_family(&mut o, "uevent", true);
        set_family(&mut o, "xfrm", false);
        assert_eq!(o.monitor_list(), "route,uevent");
        assert!(o.validate().is_ok());
        o.source = SourceKind::Nlmon;
        o.nlmon_iface = " ".into();
        assert!(o.validate().is_err());
    }

    #[test]
    fn counts_from_comments_and_closing_line() {
        assert_eq!(
            drops_in(&[
                "group: 1".into(),
                "drops: 12 before this frame (ENOBUFS)".into()
            ]),
            12
        );
        assert_eq!(
            dropped_in_closing_line(
                "40 frames captured, 3 dropped (1 by the kernel, 2 in nlscope)"
            ),
            Some(3)
        );
        assert_eq!(dropped_in_closing_line("Capturing on monitor:route"), None);
    }

    /// A source that hands over `n` frames in one poll, then idles.
    struct Burst(usize);

    impl crate::capture::Source for Burst {
        fn interfaces(&self) -> Vec<String> {
            vec!["burst".into()]
        }
        fn poll(
            &mut self,
            timeout: Duration,
            base: usize,
            out: &mut Vec<Captured>,
        ) -> std::io::Result<()> {
            if self.0 == 0 {
                thread::sleep(timeout.min(Duration::from_millis(5)));
            }
            for seq in 0..std::mem::take(&mut self.0) {
                let mut data = crate::capture::cooked_header(4, 0).to_vec();
                // NLMSG_NOOP, 16 bytes, sequence number = position.
                data.extend_from_slice(&16u32.to_ne_bytes());
                data.extend_from_slice(&1u16.to_ne_bytes());
                data.extend_from_slice(&0u16.to_ne_bytes());
                data.extend_from_slice(&(seq as u32).to_ne_bytes());
                data.extend_from_slice(&0u32.to_ne_bytes());
                out.push(Captured {
                    ts_ns: 0,
                    interface: base,
                    data,
                    orig_len: 32,
                    group: None,
                    nsid: None,
                    drops_before: 0,
                });
            }
            Ok(())
        }
        fn stats(&self) -> crate::capture::SourceStats {
            Default::default()
        }
    }

    #[test]
    fn a_big_batch_is_spread_over_several_budgets() {
        let n = 50_000;
        let mut c = LiveCapture::in_process(
            1,
            "burst".into(),
            Box::new(move || Ok(vec![Box::new(Burst(n)) as Box<dyn crate::capture::Source>])),
            None,
        )
        .unwrap();
        let mut store = Store::new(crate::dissect::specs::SpecRegistry::default());
        let mut log = Log::default();
        let mut rounds = 0;
        let t = Instant::now();
        while store.frame_count() < n {
            assert!(t.elapsed() < Duration::from_secs(30), "stuck");
            let (_, more) = c.drain(&mut store, Duration::from_millis(1), &mut log);
            if !more {
                thread::sleep(Duration::from_millis(1));
            }
            rounds += 1;
        }
        assert!(rounds > 3, "one budget took the whole batch");
        assert_eq!(c.captured, n as u64);
        // Order kept across the split, and the interface described once.
        let last = store.msg(n - 1).unwrap();
        assert_eq!(last.idx.seq as usize, n - 1);
        assert_eq!(store.interface(0).unwrap().name.as_deref(), Some("burst"));
        c.request_stop();
        while !c.ended() {
            assert!(t.elapsed() < Duration::from_secs(30), "no end");
            c.drain(&mut store, Duration::from_millis(5), &mut log);
            thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(c.state, CaptureState::Stopped(None));
    }

    #[test]
    fn settings_saved_before_live_capture_still_load() {
        let old =
            r#"{"recent":[],"history":["nlmsg.seq == 1"],"time_format":"Relative","dark":false}"#;
        let s: crate::ui::Settings = serde_json::from_str(old).unwrap();
        assert_eq!(s.live, LiveOptions::default());
        assert!(!s.dark);
        let mut s = s;
        s.live.wrapper = Wrapper::Sudo;
        s.live.families = vec!["xfrm".into()];
        let back: crate::ui::Settings =
            serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back.live, s.live);
    }

    #[test]
    fn long_stderr_lines_are_cut() {
        let mut input = vec![b'a'; 10_000];
        input.extend_from_slice(b"\nsecond\n\nthird");
        let mut lines = Vec::new();
        read_lines(&input[..], |l| {
            lines.push(l);
            true
        });
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].len(), MAX_LINE as usize);
        assert_eq!(lines[1], "second");
        assert_eq!(lines[2], "third");
    }
}
