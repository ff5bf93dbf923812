//! The app's Save As (the frames of the chosen messages as pcapng or pcap) and Export (the
//! chosen messages decoded as JSON, NDJSON, text tree, CSV or summary lines), without the UI.
//!
//! A file is what `nlscope read` writes for the same messages, byte for byte: the store's frames
//! are dissected again in capture order by a fresh dissector, so what is learned along the way
//! (generic netlink ids, link names, requests for capped acks) is at every frame what the
//! command line knew there, and the bytes come from the same [`Emitter::emit`] step and
//! [`CaptureOut`]. That work runs in time-budgeted slices on the caller's thread (the dissector
//! is not `Send`); a writer thread does the file I/O into a temporary file beside the target,
//! renamed into place once everything is written, so a failed or cancelled job leaves any
//! existing file alone.

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crossbeam_channel::{SendTimeoutError, Sender, bounded};

use super::{CaptureOut, Emitter, Format, FrameRef, Part};
use crate::dissect::{Dissector, FrameIndex};
use crate::model::Endian;
use crate::pcap::{ByteOrder, Frame, OutFormat, WriteErrorKind};
use crate::store::{NO_MSG, Store, Waker};

/// What a job writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The frames holding the chosen messages, as a capture file (`read -w`).
    Capture(OutFormat),
    /// The chosen messages, decoded (`read -T`).
    Messages(Format),
}

impl Target {
    /// The capture formats offered by Save As.
    pub const CAPTURES: [Target; 2] = [
        Target::Capture(OutFormat::PcapNg),
        Target::Capture(OutFormat::Pcap),
    ];
    /// The formats offered by Export.
    pub const MESSAGES: [Target; 5] = [
        Target::Messages(Format::Json),
        Target::Messages(Format::Ndjson),
        Target::Messages(Format::Tree),
        Target::Messages(Format::Csv),
        Target::Messages(Format::Summary),
    ];

    /// File name extension.
    pub fn extension(self) -> &'static str {
        match self {
            Target::Capture(OutFormat::PcapNg) => "pcapng",
            Target::Capture(OutFormat::Pcap) => "pcap",
            Target::Messages(Format::Json) => "json",
            Target::Messages(Format::Ndjson) => "ndjson",
            Target::Messages(Format::Csv) => "csv",
            Target::Messages(Format::Tree | Format::Summary) => "txt",
        }
    }

    /// Name in the dialog.
    pub fn label(self) -> &'static str {
        match self {
            Target::Capture(OutFormat::PcapNg) => "pcapng",
            Target::Capture(OutFormat::Pcap) => "pcap",
            Target::Messages(Format::Json) => "JSON (one array)",
            Target::Messages(Format::Ndjson) => "NDJSON (one object per line)",
            Target::Messages(Format::Tree) => "Text tree",
            Target::Messages(Format::Csv) => "CSV (header fields)",
            Target::Messages(Format::Summary) => "Summary lines",
        }
    }
}

/// Start of the packet comment that says which messages of a frame the user marked in the
/// app (`nlscope-marked: 0,2`; `-` for a frame without messages).
pub const MARK_PREFIX: &str = "nlscope-marked:";

/// The mark comment of a frame whose messages at `positions` are marked
/// ([`crate::store::NO_MSG`] for the frame's no-message row).
pub fn mark_comment(positions: &[u16]) -> String {
    let list: Vec<String> = positions
        .iter()
        .map(|&p| {
            if p == NO_MSG {
                "-".to_string()
            } else {
                p.to_string()
            }
        })
        .collect();
    format!("{MARK_PREFIX} {}", list.join(","))
}

/// The marked positions a mark comment names (`None`: not a mark comment); unreadable
/// entries are skipped.
pub fn marked_positions(comment: &str) -> Option<Vec<u16>> {
    let rest = comment.strip_prefix(MARK_PREFIX)?;
    Some(
        rest.split(',')
            .map(str::trim)
            .filter_map(|p| {
                if p == "-" {
                    Some(NO_MSG)
                } else {
                    p.parse().ok()
                }
            })
            .take(4096)
            .collect(),
    )
}

/// Bytes handed to the writer thread at a time.
const CHUNK: usize = 1 << 20;
/// Chunks queued for the writer thread at most (memory bound while the disk is slow).
const IN_FLIGHT: usize = 4;

enum Chunk {
    Data(Vec<u8>),
    /// Everything is written: flush and rename into place.
    Commit,
}

/// The store's frames dissected again from the first, as `nlscope read` meets them.
struct Replay {
    dis: Dissector,
    /// Next frame to dissect.
    next: usize,
    /// Next section comment to learn.
    section: usize,
    /// Index of the last dissected frame.
    fi: FrameIndex,
}

impl Replay {
    /// Dissect frames up to and including `f`.
    fn advance(&mut self, store: &Store, f: usize) {
        while self.next <= f {
            let Some(fm) = store.frame(self.next) else {
                return;
            };
            let no = u32::try_from(self.next).unwrap_or(u32::MAX);
            while let Some((at, c)) = store.section_comments().get(self.section)
                && *at <= no
            {
                self.dis.learn_from_comment(c);
                self.section += 1;
            }
            for c in store.frame_comments(no) {
                self.dis.learn_from_comment(c);
            }
            let endian = match fm.byte_order {
                ByteOrder::Little => Endian::Little,
                ByteOrder::Big => Endian::Big,
            };
            self.dis.index_frame_into(
                store.frame_data(self.next),
                fm.linktype,
                endian,
                &mut self.fi,
            );
            self.next += 1;
        }
    }
}

enum Output {
    Text(Emitter, String),
    Capture(Box<CaptureOut<Vec<u8>>>, Frame),
}

/// How a step left the job.
#[derive(Debug, Clone, PartialEq)]
pub enum JobStatus {
    /// More to do: call again on the next frame.
    Running,
    /// Everything is with the writer thread; it calls the waker when it is done.
    Writing,
    /// Finished: the status line, or the error.
    Done(Result<String, String>),
}

/// A save or export in progress.
pub struct FileJob {
    /// What is written.
    pub target: Target,
    /// The destination.
    pub path: PathBuf,
    rows: Vec<u32>,
    next: usize,
    replay: Replay,
    out: Output,
    t0: i128,
    pending: Option<Vec<u8>>,
    ended: bool,
    tx: Option<Sender<Chunk>>,
    handle: Option<JoinHandle<Result<u64, String>>>,
    messages: usize,
    frames: usize,
    /// Mark comments by frame (sorted), replacing the frames' old ones in a capture file.
    marks: Vec<(u32, String)>,
    /// For `NLSCOPE_TIMING`: when the job started, time spent in steps, the longest step.
    started: Instant,
    busy: Duration,
    longest: Duration,
    steps: u64,
}

impl FileJob {
    /// Summary lines and CSV rows give the time as `style` says (the app passes its Time
    /// column's format); call before the first [`FileJob::step`].
    pub fn with_time(mut self, style: super::TimeStyle) -> Self {
        if let Output::Text(e, _) = &mut self.out {
            e.set_time(style);
        }
        self
    }

    /// Start writing `rows` (store indices, any order) of `store` to `path`.
    pub fn start(
        store: &Store,
        rows: Vec<u32>,
        target: Target,
        path: &Path,
        waker: Option<Waker>,
    ) -> Result<FileJob, String> {
        let mut rows = rows;
        // Files hold messages in capture order, whatever the list's sort.
        rows.sort_unstable();
        rows.dedup();
        let shown = path.display();
        let name = path
            .file_name()
            .filter(|n| !n.is_empty())
            .ok_or_else(|| format!("{shown} is not a file name"))?;
        if path.is_dir() {
            return Err(format!("{shown} is a directory"));
        }
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(".nlscope-part");
        let tmp = path.with_file_name(tmp_name);
        let file = File::create(&tmp).map_err(|e| format!("cannot create {shown}: {e}"))?;
        let (tx, rx) = bounded::<Chunk>(IN_FLIGHT);
        let dest = path.to_path_buf();
        let handle = thread::Builder::new()
            .name("nlscope-write".into())
            .spawn(move || {
                let res = write_file(file, &tmp, &dest, &rx);
                if let Some(w) = waker {
                    w();
                }
                res
            })
            .map_err(|e| format!("cannot start the writer thread: {e}"))?;
        let out = match target {
            Target::Messages(f) => {
                let e = Emitter::new(f);
                let mut s = String::with_capacity(CHUNK + (CHUNK >> 2));
                e.begin(&mut s);
                Output::Text(e, s)
            }
            Target::Capture(f) => Output::Capture(
                Box::new(CaptureOut::new(Vec::with_capacity(CHUNK + (CHUNK >> 2)), f)),
                Frame {
                    ts_ns: 0,
                    interface: 0,
                    linktype: 0,
                    byte_order: ByteOrder::Little,
                    data: Vec::new(),
                    orig_len: 0,
                    comments: Vec::new(),
                    file_offset: 0,
                },
            ),
        };
        let mut dis = Dissector::new(store.dissector().specs.clone());
        if matches!(target, Target::Messages(Format::Summary | Format::Csv)) {
            // Names as the list shows them: what the whole capture calls each link, also for
            // a message before its link's RTM_NEWLINK (`nlscope read` does the same).
            dis.prime_links(store.dissector().link_names());
        }
        Ok(FileJob {
            target,
            path: path.to_path_buf(),
            rows,
            next: 0,
            replay: Replay {
                dis,
                next: 0,
                section: 0,
                fi: FrameIndex::default(),
            },
            out,
            t0: store.first_ts().unwrap_or(0),
            pending: None,
            ended: false,
            tx: Some(tx),
            handle: Some(handle),
            messages: 0,
            frames: 0,
            marks: Vec::new(),
            started: Instant::now(),
            busy: Duration::ZERO,
            longest: Duration::ZERO,
            steps: 0,
        })
    }

    /// Write these mark comments ([`mark_comment`], by 0-based frame) into a capture file
    /// instead of the frames' own.
    pub fn with_marks(mut self, mut marks: Vec<(u32, String)>) -> Self {
        marks.sort_by_key(|m| m.0);
        self.marks = marks;
        self
    }

    /// Rows written so far and in all.
    pub fn progress(&self) -> (usize, usize) {
        (self.next, self.rows.len())
    }

    /// Work for about `budget` (at least one frame's rows).
    pub fn step(&mut self, store: &Store, budget: Duration) -> JobStatus {
        let start = Instant::now();
        let status = self.step_inner(store, budget, start);
        let took = start.elapsed();
        self.busy += took;
        self.longest = self.longest.max(took);
        self.steps += 1;
        status
    }

    /// One line for `NLSCOPE_TIMING`.
    pub fn timing_line(&self) -> String {
        format!(
            "timing: {} of {} rows to {}: {:.0} ms ({:.0} ms of it on the UI thread in {} \
             steps, longest {:.1} ms)",
            match self.target {
                Target::Capture(_) => "save",
                Target::Messages(_) => "export",
            },
            self.rows.len(),
            self.path.display(),
            self.started.elapsed().as_secs_f64() * 1e3,
            self.busy.as_secs_f64() * 1e3,
            self.steps,
            self.longest.as_secs_f64() * 1e3
        )
    }

    fn step_inner(&mut self, store: &Store, budget: Duration, start: Instant) -> JobStatus {
        let mut worked = false;
        loop {
            if let Some(buf) = self.pending.take() {
                let Some(tx) = &self.tx else {
                    return self.fail("internal: output closed early".into());
                };
                let left = budget.saturating_sub(start.elapsed());
                match tx.send_timeout(Chunk::Data(buf), left) {
                    Ok(()) => {}
                    Err(SendTimeoutError::Timeout(c)) => {
                        if let Chunk::Data(b) = c {
                            self.pending = Some(b);
                        }
                        return JobStatus::Running;
                    }
                    // The writer thread stopped: it has the error.
                    Err(SendTimeoutError::Disconnected(_)) => return self.collect(),
                }
            }
            if self.ended {
                if let Some(tx) = self.tx.take() {
                    let left = budget.saturating_sub(start.elapsed());
                    match tx.send_timeout(Chunk::Commit, left) {
                        Ok(()) => {}
                        Err(SendTimeoutError::Timeout(_)) => {
                            self.tx = Some(tx);
                            return JobStatus::Running;
                        }
                        Err(SendTimeoutError::Disconnected(_)) => return self.collect(),
                    }
                }
                return if self.handle.as_ref().is_none_or(|h| h.is_finished()) {
                    self.collect()
                } else {
                    JobStatus::Writing
                };
            }
            // At least one frame per step, whatever the budget.
            if worked && start.elapsed() >= budget {
                return JobStatus::Running;
            }
            worked = true;
            if let Err(e) = self.some_rows(store) {
                return self.fail(e);
            }
        }
    }

    /// Write the rows of the next frame (or end the output), queueing a full buffer.
    fn some_rows(&mut self, store: &Store) -> Result<(), String> {
        let Some(&first) = self.rows.get(self.next) else {
            match &mut self.out {
                Output::Text(e, s) => e.end(s),
                Output::Capture(w, _) => w
                    .flush()
                    .map_err(|e| format!("writing {}: {e}", self.path.display()))?,
            }
            self.ended = true;
            self.pending = Some(self.take_buffer());
            return Ok(());
        };
        let fno = store.msg(first as usize).map_or(0, |e| e.frame);
        let f = fno as usize;
        let fm = store
            .frame(f)
            .ok_or_else(|| format!("internal: no frame {}", f + 1))?;
        self.replay.advance(store, f);
        let data = store.frame_data(f);
        let mut end = self.next;
        while let Some(e) = self.rows.get(end).and_then(|&i| store.msg(i as usize)) {
            if e.frame != fno {
                break;
            }
            end += 1;
            if e.pos != NO_MSG {
                self.messages += 1;
            }
        }
        // Rows of a frame that vanished from the store would never advance.
        end = end.max(self.next + 1);
        let rows = self.rows.get(self.next..end).unwrap_or(&[]);
        let (dis, fi) = (&self.replay.dis, &self.replay.fi);
        match &mut self.out {
            Output::Text(em, s) => {
                // Trees and JSON say what changed since the previous message about an object.
                let changes: Vec<_> = if em.format().needs_tree() {
                    (0..fm.msg_count as usize)
                        .map(|k| store.changes(fm.first_msg as usize + k))
                        .collect()
                } else {
                    Vec::new()
                };
                let first = fm.first_msg as usize;
                let linked: Vec<_> = (first..first + fm.msg_count as usize)
                    .map(|k| store.conversations().linked(k))
                    .collect();
                let at = FrameRef {
                    dis,
                    index: fi,
                    data,
                    no: u64::from(fno) + 1,
                    ts_ns: fm.ts_ns,
                    linked: &linked,
                    changes: &changes,
                };
                em.set_frame_comments(store.frame_comments(fno));
                for e in rows.iter().filter_map(|&i| store.msg(i as usize)) {
                    let part = if e.pos == NO_MSG {
                        Part::NoMessage
                    } else {
                        Part::Message(usize::from(e.pos))
                    };
                    em.emit(s, &at, part, self.t0);
                }
            }
            Output::Capture(w, frame) => {
                let iface = store
                    .interface(fm.interface)
                    .ok_or_else(|| format!("frame {}: no interface description", f + 1))?;
                frame.data.clear();
                frame.data.extend_from_slice(data);
                frame.ts_ns = fm.ts_ns;
                frame.interface = fm.interface;
                frame.linktype = fm.linktype;
                frame.byte_order = fm.byte_order;
                frame.orig_len = fm.orig_len;
                frame.comments.clear();
                frame.comments.extend(
                    store
                        .frame_comments(fno)
                        .iter()
                        .filter(|c| !c.starts_with(MARK_PREFIX))
                        .cloned(),
                );
                if let Ok(k) = self.marks.binary_search_by_key(&fno, |m| m.0)
                    && let Some((_, c)) = self.marks.get(k)
                {
                    frame.comments.push(c.clone());
                }
                w.write(frame, iface, dis).map_err(|e| match e.kind {
                    WriteErrorKind::Incompatible => format!(
                        "frame {} has link type {} ({}), unlike the frames before it: a pcap \
                         file holds one link type and byte order; save as pcapng",
                        f + 1,
                        fm.linktype,
                        fm.byte_order
                    ),
                    _ => format!("frame {}: {e}", f + 1),
                })?;
                self.frames += 1;
            }
        }
        self.next = end;
        let full = match &self.out {
            Output::Text(_, s) => s.len() >= CHUNK,
            Output::Capture(w, _) => w.get_ref().len() >= CHUNK,
        };
        if full {
            self.pending = Some(self.take_buffer());
        }
        Ok(())
    }

    fn take_buffer(&mut self) -> Vec<u8> {
        match &mut self.out {
            Output::Text(_, s) => std::mem::take(s).into_bytes(),
            Output::Capture(w, _) => std::mem::take(w.get_mut()),
        }
    }

    /// Stop on an error of ours: the writer thread drops the partial file.
    fn fail(&mut self, e: String) -> JobStatus {
        self.tx = None;
        // Not joined: it may still be writing queued chunks before it deletes them.
        self.handle = None;
        JobStatus::Done(Err(e))
    }

    /// The writer thread has stopped (or is about to): its outcome.
    fn collect(&mut self) -> JobStatus {
        self.tx = None;
        let res = match self.handle.take().map(JoinHandle::join) {
            Some(Ok(r)) => r,
            Some(Err(_)) => Err("the writer thread failed".into()),
            None => Err("internal: no writer thread".into()),
        };
        let shown = self.path.display();
        JobStatus::Done(res.map(|bytes| match self.target {
            Target::Capture(_) => format!(
                "Saved {} frames ({} messages, {bytes} bytes) to {shown}",
                self.frames, self.messages
            ),
            Target::Messages(_) => format!("Exported {} messages to {shown}", self.messages),
        }))
    }
}

impl Drop for FileJob {
    /// A job dropped before its end (cancelled, another file opened): the writer thread sees
    /// the channel close without a commit and removes its partial file; nobody waits for it.
    fn drop(&mut self) {
        self.tx = None;
    }
}

/// The writer thread: chunks into `file` (the temporary `tmp`), renamed to `dest` on commit.
/// Returns the bytes written.
fn write_file(
    mut file: File,
    tmp: &Path,
    dest: &Path,
    rx: &crossbeam_channel::Receiver<Chunk>,
) -> Result<u64, String> {
    let mut n = 0u64;
    let res = (|| {
        for c in rx.iter() {
            match c {
                Chunk::Data(b) => {
                    file.write_all(&b)
                        .map_err(|e| format!("writing {}: {e}", dest.display()))?;
                    n += b.len() as u64;
                }
                Chunk::Commit => {
                    file.flush()
                        .map_err(|e| format!("writing {}: {e}", dest.display()))?;
                    std::fs::rename(tmp, dest)
                        .map_err(|e| format!("cannot replace {}: {e}", dest.display()))?;
                    return Ok(n);
                }
            }
        }
        Err("cancelled".to_string())
    })();
    if res.is_err() {
        let _ = std::fs::remove_file(tmp);
    }
    res
}

/// Test support: `dir` ends up holding only `p` with its old content "old" once a cancelled
/// job's writer thread has removed its temporary file; then `dir` is removed.
#[cfg(test)]
pub(crate) fn assert_only_old_file(dir: &Path, p: &Path) {
    for _ in 0..500 {
        if std::fs::read_dir(dir).expect("dir").count() == 1 {
            break;
        }
        thread::sleep(Duration::from_millis(2));
    }
    let names: Vec<_> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, [p.file_name().expect("file name")]);
    assert_eq!(std::fs::read(p).expect("old file"), b"old");
    let _ = std::fs::remove_dir_all(dir);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mark_comments_round_trip() {
        let c = mark_comment(&[0, 3, NO_MSG]);
        assert_eq!(c, "nlscope-marked: 0,3,-");
        assert_eq!(marked_positions(&c), Some(vec![0, 3, NO_MSG]));
        assert_eq!(marked_positions("nlscope-marked: x, 7"), Some(vec![7]));
        assert_eq!(marked_positions("proc: 1 1 3 sendmsg /bin/ip ip"), None);
    }
    use crate::dissect::specs::SpecRegistry;
    use crate::store::Loader;

    fn loaded(name: &str) -> Store {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("captures")
            .join(name);
        let mut store = Store::new(SpecRegistry::with_embedded());
        let mut l = Loader::open(&path, &store, None).expect("open");
        l.drain_all(&mut store);
        assert!(l.error.is_none(), "{:?}", l.error);
        store
    }

    fn tmpdir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("nlscope-job-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("mkdir");
        d
    }

    fn all_rows(store: &Store) -> Vec<u32> {
        (0..store.len())
            .map(|i| u32::try_from(i).expect("row"))
            .collect()
    }

    /// Step `job` to its end with `budget` per step: the outcome and the steps taken.
    fn run(mut job: FileJob, store: &Store, budget: Duration) -> (Result<String, String>, u64) {
        let mut steps = 0;
        loop {
            steps += 1;
            assert!(steps < 1_000_000, "the job does not end");
            match job.step(store, budget) {
                JobStatus::Running => {}
                JobStatus::Writing => thread::sleep(Duration::from_millis(1)),
                JobStatus::Done(r) => return (r, steps),
            }
        }
    }

    fn write(store: &Store, rows: Vec<u32>, target: Target, path: &Path, budget: Duration) -> u64 {
        let job = FileJob::start(store, rows, target, path, None).expect("start");
        let (r, steps) = run(job, store, budget);
        r.expect("written");
        steps
    }

    #[test]
    fn tiny_budgets_give_the_same_bytes() {
        // One frame group per step, chunks handed over as they fill: the same file as with a
        // generous budget. (tests/it/gui_files.rs compares the files with `nlscope read`.)
        let store = loaded("ethtool.pcap");
        let dir = tmpdir("tiny");
        for target in [
            Target::Messages(Format::Ndjson),
            Target::Messages(Format::Tree),
            Target::Capture(OutFormat::PcapNg),
        ] {
            let whole = dir.join(format!("whole.{}", target.extension()));
            write(
                &store,
                all_rows(&store),
                target,
                &whole,
                Duration::from_secs(5),
            );
            let want = std::fs::read(&whole).expect("file");
            assert!(want.len() > 1000, "{target:?}: {}", want.len());
            let p = dir.join(format!("x.{}", target.extension()));
            let steps = write(&store, all_rows(&store), target, &p, Duration::ZERO);
            assert!(steps > 10, "{target:?}: {steps}");
            assert!(std::fs::read(&p).expect("file") == want, "{target:?}");
        }
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn rows_in_any_order_are_written_once_in_capture_order() {
        let store = loaded("route-link.pcap");
        let dir = tmpdir("order");
        let target = Target::Messages(Format::Summary);
        let a = dir.join("a.txt");
        let picked: Vec<u32> = all_rows(&store).into_iter().step_by(3).collect();
        write(&store, picked.clone(), target, &a, Duration::from_secs(5));
        let mut shuffled = picked.clone();
        shuffled.reverse();
        shuffled.extend_from_slice(&picked[..picked.len() / 2]);
        let b = dir.join("b.txt");
        write(&store, shuffled, target, &b, Duration::from_secs(5));
        let text = std::fs::read_to_string(&a).expect("file");
        assert_eq!(text.lines().count(), picked.len());
        assert_eq!(std::fs::read_to_string(&b).expect("file"), text);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn outcomes_count_messages_and_frames() {
        let store = loaded("route-link.pcap");
        let dir = tmpdir("outcome");
        let p = dir.join("x.json");
        let job = FileJob::start(
            &store,
            all_rows(&store),
            Target::Messages(Format::Json),
            &p,
            None,
        )
        .expect("start");
        assert_eq!(job.progress(), (0, store.len()));
        let (r, _) = run(job, &store, Duration::from_secs(5));
        let n = store.message_count();
        assert_eq!(r, Ok(format!("Exported {n} messages to {}", p.display())));
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&p).expect("file")).expect("valid JSON");
        assert_eq!(json.as_array().map(Vec::len), Some(n));
        let p = dir.join("x.pcap");
        let job = FileJob::start(
            &store,
            all_rows(&store),
            Target::Capture(OutFormat::Pcap),
            &p,
            None,
        )
        .expect("start");
        let (r, _) = run(job, &store, Duration::from_secs(5));
        let bytes = std::fs::metadata(&p).expect("file").len();
        assert_eq!(
            r,
            Ok(format!(
                "Saved {} frames ({n} messages, {bytes} bytes) to {}",
                store.frame_count(),
                p.display()
            ))
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn bad_destinations_fail_at_start_and_leave_nothing() {
        let store = loaded("route-link.pcap");
        let dir = tmpdir("bad");
        let t = Target::Messages(Format::Json);
        let start = |p: &Path| FileJob::start(&store, all_rows(&store), t, p, None).err();
        let e = start(&dir).expect("a directory");
        assert!(e.ends_with("is a directory"), "{e}");
        let e = start(Path::new("/")).expect("no file name");
        assert!(e.ends_with("is not a file name"), "{e}");
        let e = start(&dir.join("missing/x.json")).expect("no such directory");
        assert!(e.starts_with("cannot create "), "{e}");
        assert_eq!(std::fs::read_dir(&dir).expect("dir").count(), 0);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_dropped_job_removes_its_partial_file_and_keeps_the_old_one() {
        let store = loaded("route-link.pcap");
        let dir = tmpdir("drop");
        let p = dir.join("keep.ndjson");
        std::fs::write(&p, b"old").expect("write");
        let mut job = FileJob::start(
            &store,
            all_rows(&store),
            Target::Messages(Format::Ndjson),
            &p,
            None,
        )
        .expect("start");
        assert_eq!(job.step(&store, Duration::ZERO), JobStatus::Running);
        drop(job);
        assert_only_old_file(&dir, &p);
    }

    #[test]
    fn the_writer_renames_on_commit_only() {
        let dir = tmpdir("writer");
        let (tmp, dest) = (dir.join(".d.part"), dir.join("d"));
        let (tx, rx) = bounded(4);
        tx.send(Chunk::Data(b"ab".to_vec())).expect("send");
        tx.send(Chunk::Data(b"c".to_vec())).expect("send");
        tx.send(Chunk::Commit).expect("send");
        let file = File::create(&tmp).expect("create");
        assert_eq!(write_file(file, &tmp, &dest, &rx), Ok(3));
        assert_eq!(std::fs::read(&dest).expect("dest"), b"abc");
        assert!(!tmp.exists());
        let (tx, rx) = bounded(4);
        tx.send(Chunk::Data(b"xyz".to_vec())).expect("send");
        drop(tx);
        let file = File::create(&tmp).expect("create");
        assert!(write_file(file, &tmp, &dest, &rx).is_err());
        assert!(!tmp.exists());
        assert_eq!(std::fs::read(&dest).expect("dest"), b"abc");
        let _ = std::fs::remove_dir_all(dir);
    }
}
