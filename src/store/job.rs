//! A display filter over the store on worker threads, so the UI thread only collects results:
//! the job shares the closed segments' vectors (nothing is copied but the small side tables),
//! each worker has its own dissector forked from the store's ([`Dissector::fork`]: it is not
//! `Send`), and workers take chunks of rows in turn. Results come back per chunk and are
//! handed out in row order.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crossbeam_channel::{Receiver, unbounded};

use super::{FilterCtx, Segment, Store, walk_rows};
use crate::conv::Conversations;
use crate::dissect::Fork;
use crate::dissect::attrs::Want;
use crate::filter::Filter;

/// Rows a worker takes at a time.
const CHUNK: usize = 4096;

/// What the workers read.
pub(super) struct Shared {
    segs: Vec<Segment>,
    start: usize,
    end: usize,
    filter: Filter,
    want: Option<Want>,
    conv: Option<Conversations>,
    marked: BTreeSet<u32>,
    comments: Vec<(u32, Vec<String>)>,
    t0: Option<i128>,
    fork: Fork,
    next: AtomicUsize,
    cancel: AtomicBool,
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
    /// there is nothing to do there, or the filter compares messages with earlier ones
    /// (`nlmsg.changed`: that reads trees the store caches).
    pub fn start_filter(
        &self,
        filter: &Filter,
        want: Option<&Want>,
        from: usize,
        threads: usize,
    ) -> Option<FilterJob> {
        if filter.is_empty() || filter.needs_changes() {
            return None;
        }
        let segs: Vec<Segment> = self
            .segs
            .iter()
            .filter(|s| !s.open && s.row_start + s.rows.len() > from)
            .cloned()
            .collect();
        let end = segs.last().map(|s| s.row_start + s.rows.len())?;
        if end <= from {
            return None;
        }
        let shared = Arc::new(Shared {
            segs,
            start: from,
            end,
            filter: filter.clone(),
            want: want.cloned(),
            conv: filter.needs_conversations().then(|| self.conv.clone()),
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
        });
        let chunks = (end - from).div_ceil(CHUNK);
        let (tx, rx) = unbounded();
        for _ in 0..threads.clamp(1, 16) {
            let (sh, tx) = (Arc::clone(&shared), tx.clone());
            // Detached: a worker ends at the next chunk once the job is dropped.
            std::thread::spawn(move || {
                lower_priority();
                let dis = sh.fork.clone().dissector();
                let ctx = FilterCtx {
                    dis: &dis,
                    filter: &sh.filter,
                    want: sh.want.as_ref(),
                    conv: sh.conv.as_ref(),
                    marked: &sh.marked,
                    comments: &sh.comments,
                    t0: sh.t0,
                    changes: None,
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
