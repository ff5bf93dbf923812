//! A display filter over the store on worker threads, so the UI thread only collects results:
//! the job shares the closed segments' vectors (nothing is copied but the small side tables),
//! each worker has its own dissector forked from the store's ([`Dissector::fork`]: it is not
//! `Send`), and workers take chunks of rows in turn. Results come back per chunk and are
//! handed out in row order. A filter on what changed (`nlmsg.changed`) gets a copy of which
//! row came before each about its object, and workers compare leaf hashes, building the
//! earlier message's tree only when they differ.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crossbeam_channel::{Receiver, unbounded};

use super::filter::FilterCtx;
use super::{NO_MSG, Segment, Store, row_in, walk_rows};
use crate::conv::changes::{self, Changes};
use crate::conv::{Conversations, MsgRef};
use crate::dissect::fields::Reads;
use crate::dissect::{Dissector, Fork, MessageView};
use crate::filter::Filter;

/// Rows a worker takes at a time.
const CHUNK: usize = 4096;

/// What the workers read.
pub(super) struct Shared {
    segs: Vec<Segment>,
    start: usize,
    end: usize,
    filter: Filter,
    reads: Reads,
    conv: Option<Arc<Conversations>>,
    /// The previous row about the same object, by row (filters on what changed).
    prev: Option<Arc<HashMap<u32, u32>>>,
    marked: BTreeSet<u32>,
    comments: Vec<(u32, Vec<String>)>,
    t0: Option<i128>,
    fork: Fork,
    next: AtomicUsize,
    cancel: AtomicBool,
    /// Chunks sent so far, and who to tell when the last one is (see `FilterJob::wake_when_done`).
    sent: AtomicUsize,
    waker: std::sync::OnceLock<super::Waker>,
}

/// A running background filter (see the module doc). Dropping it stops the workers.
pub struct FilterJob {
    shared: Arc<Shared>,
    results: Receiver<(usize, Vec<u32>)>,
    waiting: BTreeMap<usize, Vec<u32>>,
    /// Chunks handed out so far (in order).
    taken: usize,
    chunks: usize,
}

impl Store {
    /// Start filtering rows `from..` on `threads` worker threads, as far as the store's closed
    /// segments go (a live capture's open one is left to [`Store::filter_range`]). `None` when
    /// there is nothing to do there.
    pub fn start_filter(
        &self,
        filter: &Filter,
        reads: &Reads,
        from: usize,
        threads: usize,
    ) -> Option<FilterJob> {
        if filter.is_empty() {
            return None;
        }
        // Every closed segment: an earlier message about an object may be before `from`.
        let segs: Vec<Segment> = self.segs.iter().filter(|s| !s.open).cloned().collect();
        let end = segs.last().map(|s| s.row_start + s.rows.len())?;
        if end <= from {
            return None;
        }
        let shared = Arc::new(Shared {
            segs,
            start: from,
            end,
            filter: filter.clone(),
            reads: reads.clone(),
            conv: filter.needs_conversations().then(|| Arc::clone(&self.conv)),
            prev: filter
                .needs_changes()
                .then(|| Arc::clone(&self.object_prev)),
            marked: self.marked.clone(),
            comments: if filter.needs_process() {
                self.comments.clone()
            } else {
                Vec::new()
            },
            t0: self.first_ts(),
            fork: self.dis.fork(),
            next: AtomicUsize::new(0),
            cancel: AtomicBool::new(false),
            sent: AtomicUsize::new(0),
            waker: std::sync::OnceLock::new(),
        });
        let chunks = (end - from).div_ceil(CHUNK);
        let (tx, rx) = unbounded();
        for _ in 0..threads.clamp(1, 16) {
            let (sh, tx) = (Arc::clone(&shared), tx.clone());
            // Detached: a worker ends at the next chunk once the job is dropped.
            std::thread::spawn(move || {
                lower_priority();
                let dis = sh.fork.clone().dissector();
                let compare = sh.prev.as_ref().map(|prev| Compare {
                    dis: &dis,
                    segs: &sh.segs,
                    prev,
                    recent: RefCell::default(),
                });
                let changes =
                    |i: usize, v: &MessageView| compare.as_ref().and_then(|c| c.changes(i, v));
                let ctx = FilterCtx {
                    dis: &dis,
                    filter: &sh.filter,
                    reads: &sh.reads,
                    conv: sh.conv.as_deref(),
                    marked: &sh.marked,
                    comments: &sh.comments,
                    t0: sh.t0,
                    changes: compare.is_some().then_some(&changes),
                };
                loop {
                    let c = sh.next.fetch_add(1, Ordering::Relaxed);
                    if c >= chunks || sh.cancel.load(Ordering::Relaxed) {
                        break;
                    }
                    let lo = sh.start + c * CHUNK;
                    let hi = (lo + CHUNK).min(sh.end);
                    let mut out = Vec::new();
                    ctx.filter_rows(walk_rows(&sh.segs, lo..hi), &mut out);
                    if tx.send((c, out)).is_err() {
                        break;
                    }
                    if sh.sent.fetch_add(1, Ordering::AcqRel) + 1 == chunks
                        && let Some(w) = sh.waker.get()
                    {
                        w();
                    }
                }
            });
        }
        Some(FilterJob {
            shared,
            results: rx,
            waiting: BTreeMap::new(),
            taken: 0,
            chunks,
        })
    }
}

/// A worker's comparisons of messages with the previous one about their object.
struct Compare<'a> {
    dis: &'a Dissector,
    segs: &'a [Segment],
    prev: &'a HashMap<u32, u32>,
    /// The fingerprints of rows compared lately, for the next message about their object
    /// (often in the same chunk); bounded.
    recent: RefCell<HashMap<u32, u64>>,
}

impl Compare<'_> {
    /// What changed in row `i` (viewed as `v`) since the previous row about its object;
    /// nothing for a row that has no previous one. Trees are built only when the two rows'
    /// fingerprints differ.
    fn changes(&self, i: usize, v: &MessageView) -> Option<Changes> {
        let row = u32::try_from(i).ok()?;
        let p = *self.prev.get(&row)?;
        let (e, data) = row_in(self.segs, p as usize).filter(|(e, _)| e.pos != NO_MSG)?;
        let old = self.dis.view(data, &e.idx);
        let since = MsgRef {
            frame: u64::from(e.frame) + 1,
            msg: u32::from(e.pos),
        };
        let print = changes::fingerprint(v);
        let mut recent = self.recent.borrow_mut();
        let before = recent.remove(&p);
        if recent.len() >= 2 * CHUNK {
            recent.clear();
        }
        recent.insert(row, print);
        let changes = if before.unwrap_or_else(|| changes::fingerprint(&old)) == print {
            Vec::new()
        } else {
            changes::diff_views(&old, v)
        };
        Some(Changes { since, changes })
    }
}

/// Give this thread a lower scheduling priority (nice 5): the workers use every core, and
/// the thread drawing the window must not wait for one of them to yield its core.
fn lower_priority() {
    // SAFETY: plain syscalls on this thread's own id (Linux: a thread's nice value is its own).
    unsafe {
        let tid = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, u32::try_from(tid).unwrap_or(0), 5);
    }
}

impl FilterJob {
    /// Call `waker` once the workers have sent their last chunk (a window that polls the job
    /// shows the end at once). Only the first waker given is kept.
    pub fn wake_when_done(&self, waker: super::Waker) {
        let _ = self.shared.waker.set(waker);
        // Done before the waker was set: nobody else will call it.
        if self.shared.sent.load(Ordering::Acquire) == self.chunks
            && let Some(w) = self.shared.waker.get()
        {
            w();
        }
    }

    /// Append to `out` the matching rows of the chunks finished in order so far; the row up to
    /// which the job has filtered.
    pub fn collect(&mut self, out: &mut Vec<u32>) -> usize {
        while self.collect_chunk(out) {}
        self.upto()
    }

    /// Append to `out` the matching rows of the next chunk if it is finished (what the UI
    /// takes chunk by chunk within a frame's budget): whether it was.
    pub fn collect_chunk(&mut self, out: &mut Vec<u32>) -> bool {
        while let Ok((c, rows)) = self.results.try_recv() {
            self.waiting.insert(c, rows);
        }
        match self.waiting.remove(&self.taken) {
            Some(rows) => {
                out.extend(rows);
                self.taken += 1;
                true
            }
            None => false,
        }
    }

    /// The row up to which results were handed out.
    pub fn upto(&self) -> usize {
        (self.shared.start + self.taken * CHUNK).min(self.shared.end)
    }

    /// Whether every chunk was handed out.
    pub fn done(&self) -> bool {
        self.taken >= self.chunks
    }

    /// Wait for every chunk and append all matching rows to `out` (benches and tests); the row
    /// up to which the job filtered.
    pub fn collect_all(&mut self, out: &mut Vec<u32>) -> usize {
        while !self.done() {
            self.collect(out);
            if !self.done() && !self.wait() {
                break;
            }
        }
        self.collect(out)
    }

    /// Wait for the next chunk (tests and `App::finish`); false when none will come.
    pub fn wait(&mut self) -> bool {
        match self.results.recv() {
            Ok((c, rows)) => {
                self.waiting.insert(c, rows);
                true
            }
            Err(_) => false,
        }
    }
}

#[cfg(test)]
impl FilterJob {
    /// What the workers hold (a test counts its references to see them end).
    pub(super) fn shared_for_tests(&self) -> Arc<Shared> {
        Arc::clone(&self.shared)
    }
}

impl std::fmt::Debug for FilterJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FilterJob")
            .field("rows", &(self.shared.start..self.shared.end))
            .field("chunks", &self.chunks)
            .field("taken", &self.taken)
            .finish()
    }
}

impl Drop for FilterJob {
    fn drop(&mut self) {
        self.shared.cancel.store(true, Ordering::Relaxed);
    }
}
