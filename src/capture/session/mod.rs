//! A live capture session, with no UI in it: the capture runs either in this process (the
//! [`Worker`] thread, when the process has the privileges the source needs) or as a child
//! `nlscope capture ... -w -` started through a privilege wrapper (pkexec, sudo), whose
//! pcapng stdout is parsed by the streaming reader. Either way its frames go through the
//! store's indexing [`Loader`], like a file's: the loader thread turns the capture's events
//! into frames, indexes them, and passes the capture's state along as [`Status`] notes, in
//! order with the frames. The owner drains it within a time budget.

mod helper;
mod options;

/// The parsing of a helper's stdout (pcapng) and stderr (lines), without a process: the
/// `live` fuzz target's entry (fuzz/).
#[doc(hidden)]
pub use helper::{read_lines, read_stream};
pub use options::{LiveOptions, RunMode, SourceKind, Wrapper, named_netns, nlmon_interfaces};

use std::collections::VecDeque;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossbeam_channel::Receiver;

use super::worker::{Event, Opener, Worker};
use super::{capture_interface, enter_netns, open_sources};
use crate::pcap::Interface;
use crate::pcap::feed::Frames;
use crate::store::{Input, Item, Loader, Store, Waker};

/// Lines of capture messages (a child's stderr, state changes) kept for the UI.
const LOG_LINES: usize = 200;
/// Frames per batch handed to the indexer (a monitor poll can bring thousands; smaller
/// batches reach the store sooner).
const BATCH: usize = 256;
/// How long closing waits for a capture to end (a created nlmon interface is removed and a
/// child reaped on the way).
pub const SHUTDOWN_WAIT: Duration = Duration::from_secs(3);

/// A capture's state changes, passed through the indexer in order with its frames.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Sources open (in-process): interface names.
    Started(Vec<String>),
    /// Frames lost so far (kernel + channel), as far as known.
    Dropped(u64),
    /// A line for the log (a helper's stderr).
    Log(String),
    /// The capture failed (what the user should read).
    Error(String),
    /// The capture ended (a helper is reaped); how, when not plainly.
    Ended(Option<String>),
}

/// Where a capture is.
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

/// Capture messages (helper stderr, starts and ends), the newest [`LOG_LINES`].
#[derive(Debug, Default)]
pub struct Log {
    lines: VecDeque<String>,
}

impl Log {
    /// Add a line, forgetting the oldest past [`LOG_LINES`].
    pub fn push(&mut self, line: String) {
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

/// The indexer's side of a capture: its events as [`Item`]s.
struct Feed {
    kind: FeedKind,
    /// Set on a stop request: frames after it are dropped.
    stopped: Arc<AtomicBool>,
}

enum FeedKind {
    InProcess(Receiver<Event>),
    Helper(Receiver<Item<Status>>),
}

impl Input for Feed {
    type Note = Status;

    fn run(self, _back: &Receiver<Frames>, sink: &mut dyn FnMut(Item<Status>) -> bool) {
        match self.kind {
            FeedKind::InProcess(events) => feed_events(&events, &self.stopped, sink),
            FeedKind::Helper(items) => feed_helper(&items, &self.stopped, sink),
        }
    }
}

/// In-process: turn the worker's events into frames (each interface described with its
/// first frame) and notes, until it stops.
fn feed_events(
    events: &Receiver<Event>,
    stopped: &AtomicBool,
    sink: &mut dyn FnMut(Item<Status>) -> bool,
) {
    let mut interfaces: Vec<String> = Vec::new();
    let mut described: Vec<bool> = Vec::new();
    for ev in events.iter() {
        let ok = match ev {
            Event::Started {
                interfaces: names,
                comments,
                ..
            } => {
                described = vec![false; names.len()];
                interfaces.clone_from(&names);
                (comments.is_empty() || sink(Item::Comments(comments)))
                    && sink(Item::Note(Status::Started(names)))
            }
            Event::Frames { frames, .. } => {
                let mut frames = frames.into_iter().peekable();
                let mut ok = true;
                while ok && frames.peek().is_some() && !stopped.load(Ordering::SeqCst) {
                    let batch: Frames = frames
                        .by_ref()
                        .take(BATCH)
                        .map(|(c, comments)| {
                            let iface = describe(&mut described, &interfaces, c.interface);
                            (c.into_frame(comments), iface)
                        })
                        .collect();
                    ok = sink(Item::Frames(batch, 0));
                }
                ok
            }
            Event::Stats { stats, .. } => sink(Item::Note(Status::Dropped(stats.dropped()))),
            Event::Error { message, .. } => sink(Item::Note(Status::Error(message))),
            Event::Stopped { stats, .. } => {
                let _ = sink(Item::Note(Status::Dropped(stats.dropped())))
                    && sink(Item::Note(Status::Ended(None)));
                return;
            }
        };
        if !ok {
            return;
        }
    }
}

/// Helper: pass its items on, merging the frames waiting into batches and counting the drops
/// their comments report, until the helper is reaped.
fn feed_helper(
    items: &Receiver<Item<Status>>,
    stopped: &AtomicBool,
    sink: &mut dyn FnMut(Item<Status>) -> bool,
) {
    let mut dropped = 0u64;
    let mut next = None;
    loop {
        let item = match next.take() {
            Some(i) => i,
            None => match items.recv() {
                Ok(i) => i,
                Err(_) => return,
            },
        };
        let ok = match item {
            Item::Frames(mut f, _) => {
                while f.len() < BATCH {
                    match items.try_recv() {
                        Ok(Item::Frames(g, _)) => f.extend(g),
                        Ok(other) => {
                            next = Some(other);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                if stopped.load(Ordering::SeqCst) {
                    continue;
                }
                let d: u64 = f.iter().map(|(fr, _)| drops_in(&fr.comments)).sum();
                dropped += d;
                sink(Item::Frames(f, 0)) && (d == 0 || sink(Item::Note(Status::Dropped(dropped))))
            }
            Item::Note(Status::Ended(how)) => {
                sink(Item::Note(Status::Ended(how)));
                return;
            }
            other => sink(other),
        };
        if !ok {
            return;
        }
    }
}

/// The description of interface `i` the first time it is asked for.
fn describe(described: &mut [bool], names: &[String], i: usize) -> Option<Interface> {
    let slot = described.get_mut(i)?;
    if *slot {
        return None;
    }
    *slot = true;
    names.get(i).map(|n| capture_interface(n))
}

enum Control {
    InProcess(Option<Worker>),
    Helper(helper::Helper),
}

/// One capture (running or ended), its counters, and the loader its frames come through.
pub struct LiveCapture {
    /// Generation number given by the owner.
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
    loader: Loader<Status>,
    ctl: Control,
    stopped: Arc<AtomicBool>,
    /// The helper's last `nlscope: ...` error line.
    last_error: Option<String>,
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
    /// Start the capture `opts` describe (validated) into `store` (which must be empty): in
    /// this process when it has the privileges (or is told to), else as a helper: `exe`
    /// (default: this program) through the chosen wrapper.
    pub fn start(
        id: u64,
        opts: &LiveOptions,
        exe: Option<&Path>,
        store: &Store,
        waker: Option<Waker>,
    ) -> Result<LiveCapture, String> {
        let label = opts.describe();
        if opts.in_process()
            && let Some(req) = opts.request()
        {
            let netns = opts.netns.trim().to_string();
            let open: Opener = Box::new(move || {
                if !netns.is_empty() {
                    enter_netns(&netns)?;
                }
                open_sources(&req)
            });
            return LiveCapture::in_process(id, label, open, store, waker);
        }
        let exe = match exe {
            Some(p) => p.to_path_buf(),
            None => std::env::current_exe()
                .map_err(|e| format!("capture: cannot find this program: {e}"))?,
        };
        LiveCapture::helper(id, label, opts.helper_command(&exe), store, waker)
    }

    /// Capture in this process into `store` (which must be empty): `open` runs on the worker
    /// thread (so a `setns` there affects only the capture). `waker` is called when frames or
    /// news are ready.
    pub fn in_process(
        id: u64,
        label: String,
        open: Opener,
        store: &Store,
        waker: Option<Waker>,
    ) -> Result<LiveCapture, String> {
        let worker = Worker::start(id, open, 256, true)
            .map_err(|e| format!("cannot start the capture thread: {e}"))?;
        let kind = FeedKind::InProcess(worker.rx.clone());
        LiveCapture::new(
            id,
            label,
            kind,
            Control::InProcess(Some(worker)),
            store,
            waker,
        )
    }

    /// Capture with a child process writing pcapng to its stdout (messages on stderr) into
    /// `store` (which must be empty). Its stdin is a pipe closed on stop.
    pub fn helper(
        id: u64,
        label: String,
        cmd: Command,
        store: &Store,
        waker: Option<Waker>,
    ) -> Result<LiveCapture, String> {
        let (h, items) = helper::spawn(cmd)?;
        LiveCapture::new(
            id,
            label,
            FeedKind::Helper(items),
            Control::Helper(h),
            store,
            waker,
        )
    }

    fn new(
        id: u64,
        label: String,
        kind: FeedKind,
        ctl: Control,
        store: &Store,
        waker: Option<Waker>,
    ) -> Result<LiveCapture, String> {
        let stopped = Arc::new(AtomicBool::new(false));
        let feed = Feed {
            kind,
            stopped: Arc::clone(&stopped),
        };
        // On failure `ctl` is dropped: the worker stops, the helper's reaper ends it.
        let loader = Loader::start(feed, store, waker)?;
        Ok(LiveCapture {
            id,
            label,
            state: CaptureState::Starting,
            captured: 0,
            dropped: 0,
            helper: matches!(ctl, Control::Helper(_)),
            loader,
            ctl,
            stopped,
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
            Control::Helper(h) => Some(h.pid),
            Control::InProcess(_) => None,
        }
    }

    /// Ask the capture to stop. Frames captured after this are dropped.
    pub fn request_stop(&mut self) {
        if self.ended() {
            return;
        }
        self.state = CaptureState::Stopping;
        self.stopped.store(true, Ordering::SeqCst);
        match &mut self.ctl {
            Control::InProcess(worker) => {
                if let Some(w) = worker {
                    w.stop();
                }
            }
            Control::Helper(h) => h.stop(),
        }
    }

    /// Move indexed frames into `store` and apply state changes, for up to `budget` (never
    /// waiting for more). Returns (frames added, more waiting).
    pub fn drain(&mut self, store: &mut Store, budget: Duration, log: &mut Log) -> (u64, bool) {
        let before = self.loader.frames;
        let mut notes = Vec::new();
        let more = self
            .loader
            .drain_with(store, budget, &mut |n| notes.push(n));
        for n in notes {
            self.apply(n, log);
        }
        if self.loader.done && !self.ended() {
            // The loader ended without the capture's end (its thread is gone).
            self.finish(None);
        }
        self.captured = self.loader.frames;
        (self.loader.frames - before, more)
    }

    /// A retired capture (its store is gone): skip whatever arrived, note its end.
    pub fn poll_end(&mut self, log: &mut Log) {
        self.skim_for_end(Duration::ZERO, Some(log));
    }

    /// Skim the loader up to `wait` for the capture's end; true when it came.
    fn skim_for_end(&mut self, wait: Duration, mut log: Option<&mut Log>) -> bool {
        let mut end = None;
        self.loader.skim(wait, &mut |n| match n {
            Status::Ended(how) => {
                end = Some(how);
                true
            }
            Status::Log(line) => {
                if let Some(l) = log.as_deref_mut() {
                    l.push(line);
                }
                false
            }
            _ => false,
        });
        match end {
            Some(how) => {
                if let (Some(h), Some(l)) = (&how, log) {
                    l.push(h.clone());
                }
                self.finish(how);
                self.join_threads();
                true
            }
            None => {
                if self.loader.done && !self.ended() {
                    self.finish(None);
                }
                false
            }
        }
    }

    fn apply(&mut self, s: Status, log: &mut Log) {
        match s {
            Status::Started(interfaces) => {
                if self.running() {
                    self.state = CaptureState::Capturing(interfaces.join(", "));
                }
                log.push(format!("Capturing on {}", interfaces.join(", ")));
            }
            Status::Dropped(d) => self.dropped = self.dropped.max(d),
            Status::Log(line) => {
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
            Status::Error(e) => {
                log.push(format!("error: {e}"));
                self.finish(Some(e));
            }
            Status::Ended(how) => {
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
        if let Control::Helper(h) = &mut self.ctl {
            h.close_stdin();
        }
    }

    fn join_threads(&mut self) {
        if let Control::Helper(h) = &mut self.ctl {
            h.join();
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
        self.skim_for_end(wait, None);
    }
}

impl Drop for LiveCapture {
    fn drop(&mut self) {
        self.shutdown(SHUTDOWN_WAIT);
        if let Control::InProcess(worker) = &mut self.ctl {
            // Its thread ends within one poll interval; a created nlmon link is removed there.
            drop(worker.take());
        }
    }
}

#[cfg(test)]
mod tests;
