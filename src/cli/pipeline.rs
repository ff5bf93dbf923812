//! The dissecting half of `nlscope read`, on as many threads as there are cores.
//!
//! The reading thread indexes frames and learns from them in capture order (generic netlink
//! ids, link names, nftables sets, the guesses and remembered requests views need: see
//! [`Dissector::view_facts`]), and hands a batch of frames with what it learned, as
//! [`Fact`]s placed before the message they precede, to a [`Renderer`]. A renderer holds
//! replicas of the dissector that apply those facts at the same places, so each message is
//! dissected, filtered and printed exactly as one thread would; the texts are written in
//! batch order. Comparing a message with the previous one about its object is the one step
//! that needs every earlier message: renderers pass it in batch order through a [`Gate`].
//!
//! Renderers take batches from one queue, whichever is free first. Handed batches in turn, a
//! renderer would wait at the gate for the next batch of a renderer still busy with a long
//! one: two renderers waited 0.5 s in all so in a 1.75 s `-T ndjson` run on two cores. What
//! the batches a renderer skipped learned it reads from the [`FactLog`].

use std::cell::RefCell;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use crate::capture::trace::ProcInfo;
use crate::conv::changes::{self, Changes, Objects, Previous};
use crate::conv::{Linked, MsgRef};
use crate::dissect::fields::{MsgFields, Reads};
use crate::dissect::{Dissector, Fact, FrameIndex};
use crate::export::{Coverage, Emitter, FrameRef, KnownNames, Part};
use crate::filter::Filter;
use crate::pcap::packed::Packed;

/// Facts of a batch: (frame in the batch, message position, fact); a fact applies before the
/// frame's message at that position is viewed (all of a frame's before its next frame).
pub(crate) type BatchFacts = Vec<(u32, u32, Fact)>;

/// A batch of indexed frames for a [`Renderer`].
pub(crate) struct Job {
    /// Batch number, from 0.
    pub seq: u64,
    /// The frames (with the interface each one's block introduced).
    pub frames: Packed,
    /// Each frame's index.
    pub index: Vec<FrameIndex>,
    /// What indexing learned in this batch.
    pub facts: Arc<BatchFacts>,
    /// What earlier batches this renderer did not see learned, in order (see [`FactLog`]).
    pub prior: Vec<Arc<BatchFacts>>,
    /// 1-based number of the first frame.
    pub first_no: u64,
    /// Ordinal of the first frame's first message in the capture (a frame without messages
    /// takes one too).
    pub first_ord: usize,
    /// What correlation knows of each ordinal from `first_ord` on (empty when not correlated).
    pub linked: Vec<Option<Linked>>,
    /// Time of the capture's first frame.
    pub t0: i128,
    /// For a capture writer: what the indexing dissector knew at each frame.
    pub names: Vec<Arc<NamesAt>>,
}

/// A rendered [`Job`].
pub(crate) struct Done {
    /// The job (its frames, for a capture writer and to be reused).
    pub job: Job,
    /// Its messages in the output format.
    pub text: String,
    /// Per frame: whether it matched the filter (what a capture writer writes).
    pub matched: Vec<bool>,
}

/// What a dissector knew when a frame was indexed, as [`crate::export::CaptureOut`]
/// records it.
#[derive(Debug, Default)]
pub(crate) struct NamesAt {
    pub genl_version: u64,
    pub genl_comment: String,
    pub links_version: u64,
    pub links_comments: Vec<String>,
}

impl NamesAt {
    /// `dis`'s names, or `last` when they did not change.
    pub fn of(dis: &Dissector, last: Option<&Arc<NamesAt>>) -> Arc<NamesAt> {
        match last {
            Some(l)
                if l.genl_version == dis.genl_version()
                    && l.links_version == dis.links_version() =>
            {
                Arc::clone(l)
            }
            _ => Arc::new(NamesAt {
                genl_version: dis.genl_version(),
                genl_comment: dis.genl_comment(),
                links_version: dis.links_version(),
                links_comments: dis.links_comments(),
            }),
        }
    }
}

impl KnownNames for NamesAt {
    fn genl_version(&self) -> u64 {
        self.genl_version
    }
    fn genl_comment(&self) -> String {
        self.genl_comment.clone()
    }
    fn links_version(&self) -> u64 {
        self.links_version
    }
    fn links_comments(&self) -> Vec<String> {
        self.links_comments.clone()
    }
}

/// Where renderers record messages about kernel objects, one batch at a time in batch order.
pub(crate) trait Gate {
    /// Run `f` with the objects once every batch before `seq` has passed.
    fn pass(&self, seq: u64, f: &mut dyn FnMut(&mut Objects));
}

/// The gate of a single renderer: batches come in order.
#[derive(Default)]
pub(crate) struct Inline(RefCell<Objects>);

impl Gate for Inline {
    fn pass(&self, _seq: u64, f: &mut dyn FnMut(&mut Objects)) {
        f(&mut self.0.borrow_mut());
    }
}

/// The gate of renderers on several threads: a batch waits for the one before it.
pub(crate) struct Turnstile {
    /// The next batch to pass, and the objects; `None` once a renderer died (the others then
    /// pass without waiting, and the panic surfaces when the threads are joined).
    state: Mutex<(Option<u64>, Objects)>,
    turn: Condvar,
}

impl Turnstile {
    /// A turnstile where batch 0 passes first.
    pub fn new() -> Self {
        Turnstile {
            state: Mutex::new((Some(0), Objects::default())),
            turn: Condvar::new(),
        }
    }

    /// A renderer that panics calls this (from a drop guard) so the others do not wait.
    pub fn abandon(&self) {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).0 = None;
        self.turn.notify_all();
    }
}

impl Gate for Turnstile {
    fn pass(&self, seq: u64, f: &mut dyn FnMut(&mut Objects)) {
        let mut st = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        while st.0.is_some_and(|next| next < seq) {
            st = self.turn.wait(st).unwrap_or_else(PoisonError::into_inner);
        }
        f(&mut st.1);
        if let Some(next) = st.0.as_mut() {
            *next = seq + 1;
        }
        drop(st);
        self.turn.notify_all();
    }
}

/// What batches learned, kept until every renderer has applied it: renderers take batches
/// from one queue, and each catches up on the batches the others took.
pub(crate) struct FactLog {
    /// (batch, what it learned) of the batches that learned something, in batch order.
    entries: Mutex<VecDeque<(u64, Arc<BatchFacts>)>>,
    /// Per renderer: the batch after the last it took (it knows what all before learned).
    next: Vec<AtomicU64>,
}

impl FactLog {
    /// A log for `renderers` renderers.
    pub fn new(renderers: usize) -> Self {
        FactLog {
            entries: Mutex::new(VecDeque::new()),
            next: (0..renderers).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    /// Record what batch `seq` learned, before it is handed out (batches come in order).
    pub fn push(&self, seq: u64, facts: &Arc<BatchFacts>) {
        // What every renderer is past (renderers only move on, so a stale value forgets less).
        let known = self.next.iter().map(|n| n.load(Ordering::Acquire)).min();
        let known = known.unwrap_or(0);
        let mut e = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        while e.front().is_some_and(|(s, _)| *s < known) {
            e.pop_front();
        }
        if !facts.is_empty() {
            e.push_back((seq, Arc::clone(facts)));
        }
    }

    /// What renderer `r`, about to render batch `seq`, has not seen: what the batches
    /// between its previous one and `seq` learned, in order.
    pub fn catch_up(&self, r: usize, seq: u64) -> Vec<Arc<BatchFacts>> {
        let Some(next) = self.next.get(r) else {
            return Vec::new();
        };
        let from = next.load(Ordering::Acquire);
        let e = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let missed = e
            .iter()
            .filter(|(s, _)| (from..seq).contains(s))
            .map(|(_, f)| Arc::clone(f))
            .collect();
        next.store(seq + 1, Ordering::Release);
        missed
    }
}

/// What every renderer reads (shared by the threads).
pub(crate) struct Setup<'a> {
    /// The display filter.
    pub filter: Option<&'a Filter>,
    /// What the filter reads of messages (its trees' fields, the messages it cannot match).
    pub reads: &'a Reads,
}

/// A message of a batch about a kernel object, between the steps that compare it.
struct Object {
    frame: usize,
    msg: usize,
    key: u64,
    fingerprint: u64,
    prev: Option<Previous>,
}

/// Dissects, filters and prints batches (see the module's doc).
pub(crate) struct Renderer {
    /// Replica that fingerprints messages about objects in step 1 (only when comparing).
    prints: Option<Dissector>,
    /// Replica that views, filters and prints.
    view: Dissector,
    emitter: Option<Emitter>,
    /// `--coverage` counts instead of printing (a renderer on the reading thread only).
    pub coverage: Option<Coverage>,
    objects: Vec<Object>,
    frame_changes: Vec<Option<Changes>>,
    /// Text buffers the writer gives back once written: reused rather than freed on another
    /// thread (an allocator keeps such memory long; peak memory doubled without this).
    pub texts: Option<crossbeam_channel::Receiver<String>>,
    /// The longest text this renderer made: a new buffer starts that large rather than
    /// doubling (and copying) its way there, as a tree batch's megabytes would.
    text_len: usize,
}

/// Apply `facts[*at..]` up to frame `frame`, message `pos`.
fn apply_until(
    dis: &mut Dissector,
    facts: &[(u32, u32, Fact)],
    at: &mut usize,
    frame: usize,
    pos: usize,
) {
    while let Some((f, p, fact)) = facts.get(*at) {
        if (*f as usize, *p as usize) > (frame, pos) {
            break;
        }
        dis.apply_facts([fact.clone()]);
        *at += 1;
    }
}

impl Renderer {
    /// A renderer whose replicas are made by `replica` (a dissector as the indexing one was
    /// made, before it read anything), printing with `emitter`.
    pub fn new(replica: &dyn Fn() -> Dissector, changes: bool, emitter: Option<Emitter>) -> Self {
        Renderer {
            prints: changes.then(|| replica().into_replica()),
            view: replica().into_replica(),
            emitter,
            coverage: None,
            objects: Vec::new(),
            frame_changes: Vec::new(),
            texts: None,
            text_len: 0,
        }
    }

    /// Render `job`.
    pub fn render(&mut self, setup: &Setup, job: Job, gate: &dyn Gate) -> Done {
        for facts in &job.prior {
            for d in std::iter::once(&mut self.view).chain(self.prints.as_mut()) {
                d.apply_facts(facts.iter().map(|f| f.2.clone()));
            }
        }
        self.objects.clear();
        if let Some(pd) = self.prints.as_mut() {
            // Step 1: the fingerprints of messages about objects.
            let mut at = 0;
            for (i, ((_, data), fi)) in job.frames.iter().zip(&job.index).enumerate() {
                for (mi, m) in fi.msgs.iter().enumerate() {
                    apply_until(pd, &job.facts, &mut at, i, mi);
                    let view = pd.view(data, m);
                    if let Some(key) = view.object_key() {
                        self.objects.push(Object {
                            frame: i,
                            msg: mi,
                            key,
                            fingerprint: changes::fingerprint(&view),
                            prev: None,
                        });
                    }
                }
                apply_until(pd, &job.facts, &mut at, i, usize::MAX);
            }
        }
        // Step 2, in batch order: record them (every message about an object is remembered,
        // whether the filter keeps it). Without comparisons no renderer waits for another.
        let objects = &mut self.objects;
        let record = &mut |all: &mut Objects| {
            for o in objects.iter_mut() {
                let Some(((_, data), m)) = job
                    .frames
                    .get(o.frame)
                    .zip(job.index.get(o.frame).and_then(|fi| fi.msgs.get(o.msg)))
                else {
                    continue;
                };
                let bytes = data.get(m.offset..m.offset + m.present).unwrap_or_default();
                let at = MsgRef {
                    frame: job.first_no + o.frame as u64,
                    msg: u32::try_from(o.msg).unwrap_or(u32::MAX),
                };
                o.prev = all.record(o.key, at, m, bytes, o.fingerprint);
            }
        };
        if self.prints.is_some() {
            gate.pass(job.seq, record);
        }
        // Step 3: filter and print.
        let mut text = self
            .texts
            .as_ref()
            .and_then(|r| r.try_recv().ok())
            .unwrap_or_default();
        text.clear();
        text.reserve(self.text_len);
        let mut matched = vec![false; job.frames.len()];
        let mut at = 0;
        let mut next_object = 0;
        let mut ord = job.first_ord;
        for (i, ((frame, data), fi)) in job.frames.iter().zip(&job.index).enumerate() {
            let frame_no = job.first_no + i as u64;
            let first = ord - job.first_ord;
            ord += fi.msgs.len().max(1);
            let linked = job.linked.get(first..).unwrap_or_default();
            let mut any_match = false;
            // Only comparing renderers record changes (the others' stay empty: none to show).
            if self.prints.is_some() {
                self.frame_changes.clear();
                self.frame_changes.resize(fi.msgs.len(), None);
            }
            if let Some(em) = self.emitter.as_mut() {
                em.set_frame_comments(&frame.comments);
            }
            // The `proc.*` fields: the frame's `proc:` comment, parsed once for its messages.
            let process = if frame.comments.is_empty() {
                None
            } else {
                ProcInfo::from_comments(&frame.comments)
            };
            // `frame.marked`: the messages the app's `nlscope-marked:` comment names.
            let marked: Vec<u16> = frame
                .comments
                .iter()
                .filter_map(|c| crate::export::job::marked_positions(c))
                .flatten()
                .collect();
            for (mi, m) in fi.msgs.iter().enumerate() {
                apply_until(&mut self.view, &job.facts, &mut at, i, mi);
                let view = self.view.view(data, m);
                if let Some(o) = self.objects.get_mut(next_object)
                    && (o.frame, o.msg) == (i, mi)
                {
                    next_object += 1;
                    let changes = o.prev.as_ref().map(|p| p.changes(&self.view, &view));
                    if let Some(slot) = self.frame_changes.get_mut(mi) {
                        *slot = changes;
                    }
                }
                // The fields only where something reads them: a filter, or coverage (its
                // tree). A tree the filter built is printed, not built again.
                let tree = if setup.filter.is_some() || self.coverage.is_some() {
                    let mut fields = MsgFields::new(&view, frame_no, frame.ts_ns, data.len())
                        .relative_to(job.t0)
                        .with_process(process.as_ref())
                        .with_marked(u16::try_from(mi).is_ok_and(|p| marked.contains(&p)))
                        .with_linked(linked.get(mi).copied().flatten())
                        .wanting(setup.reads.want.as_ref());
                    // A copy: the printed tree takes its changes from `frame_changes`.
                    fields.changes = self.frame_changes.get(mi).cloned().flatten();
                    if let Some(f) = setup.filter
                        && (setup
                            .reads
                            .unseen
                            .as_ref()
                            .is_some_and(|u| u.cannot_match(&view))
                            || !f.matches(&fields))
                    {
                        continue;
                    }
                    fields.into_tree()
                } else {
                    None
                };
                any_match = true;
                if let Some(cov) = self.coverage.as_mut() {
                    let tree = tree.unwrap_or_else(|| view.tree());
                    cov.add(&view, &tree);
                    continue;
                }
                if let Some(em) = self.emitter.as_mut() {
                    let at = FrameRef {
                        dis: &self.view,
                        index: fi,
                        data,
                        no: frame_no,
                        ts_ns: frame.ts_ns,
                        linked,
                        changes: &self.frame_changes,
                    };
                    em.emit_with_tree(&mut text, &at, Part::Message(mi), job.t0, tree);
                }
            }
            apply_until(&mut self.view, &job.facts, &mut at, i, usize::MAX);
            if fi.msgs.is_empty() && setup.filter.is_none() {
                any_match = true;
                if let Some(em) = self.emitter.as_mut() {
                    let at = FrameRef {
                        dis: &self.view,
                        index: fi,
                        data,
                        no: frame_no,
                        ts_ns: frame.ts_ns,
                        linked: &[],
                        changes: &[],
                    };
                    em.emit(&mut text, &at, Part::NoMessage, job.t0);
                }
            }
            if let Some(slot) = matched.get_mut(i) {
                *slot = any_match;
            }
        }
        self.text_len = self.text_len.max(text.len());
        Done { job, text, matched }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn learned(name: &str) -> Arc<BatchFacts> {
        Arc::new(vec![(0, 0, Fact::Link(1, name.to_string()))])
    }

    fn names(facts: &[Arc<BatchFacts>]) -> Vec<String> {
        let name = |f: &Fact| match f {
            Fact::Link(_, n) => n.clone(),
            _ => String::new(),
        };
        facts
            .iter()
            .flat_map(|b| b.iter().map(|f| name(&f.2)))
            .collect()
    }

    /// Each renderer gets what the batches it skipped learned, in order, and nothing twice;
    /// an entry is forgotten once every renderer is past it.
    #[test]
    fn renderers_catch_up_on_batches_they_skipped() {
        let log = FactLog::new(2);
        log.push(0, &learned("a"));
        assert!(log.catch_up(0, 0).is_empty());
        log.push(1, &Arc::new(Vec::new()));
        log.push(2, &learned("c"));
        assert_eq!(names(&log.catch_up(1, 2)), ["a"]);
        log.push(3, &learned("d"));
        log.push(4, &learned("e"));
        // Renderer 0 skipped 1-3; 1 was empty.
        assert_eq!(names(&log.catch_up(0, 4)), ["c", "d"]);
        let kept = |log: &FactLog| -> Vec<u64> {
            let e = log.entries.lock().unwrap();
            e.iter().map(|e| e.0).collect()
        };
        // Both renderers are past batch 2: what 0 and 2 learned is forgotten.
        log.push(5, &Arc::new(Vec::new()));
        assert_eq!(kept(&log), [3, 4]);
        assert_eq!(names(&log.catch_up(1, 5)), ["d", "e"]);
        log.push(6, &learned("g"));
        assert_eq!(kept(&log), [6]);
        assert!(log.catch_up(7, 6).is_empty(), "no such renderer");
    }
}
