//! Loading frames on a worker thread, from a capture file or a live capture alike: the worker
//! takes frames from an [`Input`], indexes them with its own [`Indexer`] and streams the
//! indexed batches (and the input's notes, in order) through a bounded crossbeam channel; the
//! owner of the [`Store`] drains it within a time budget. Appending a batch is a few copies of
//! small records, so the draining (UI) thread does no parsing or indexing.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TryRecvError, bounded, unbounded};

use super::{IndexSeed, Indexed, Indexer, Store};
use crate::pcap::feed::{Batch, Frames, feed};

/// Frames per batch sent over the channel.
const BATCH: usize = 256;

/// What an [`Input`] hands the worker.
pub enum Item<N> {
    /// Frames, and the input bytes read so far (0 when unknown).
    Frames(Frames, u64),
    /// Section comments (e.g. generic netlink ids).
    Comments(Vec<String>),
    /// A read error: what was read before stays valid.
    Error(String),
    /// Passed through to the owner in order with the frames (e.g. a live capture's state).
    Note(N),
}

/// Where the worker's frames come from: a capture file, or a live capture.
pub trait Input: Send + 'static {
    /// What the input passes through besides frames.
    type Note: Send + 'static;

    /// Hand every item to `sink` until the input ends or `sink` returns false (the owner is
    /// gone). Frame buffers the worker is done with come back through `back`.
    fn run(self, back: &Receiver<Frames>, sink: &mut dyn FnMut(Item<Self::Note>) -> bool);
}

/// A pcap or pcapng stream read to its end.
struct FileInput(BufReader<File>);

impl Input for FileInput {
    type Note = ();

    fn run(self, back: &Receiver<Frames>, sink: &mut dyn FnMut(Item<()>) -> bool) {
        feed(self.0, BATCH, None, back, &mut |b| {
            sink(match b {
                Batch::Frames(f, read) => Item::Frames(f, read),
                Batch::Comments(c) => Item::Comments(c),
                Batch::Error(e) => Item::Error(e.to_string()),
            })
        });
    }
}

/// What the worker hands over.
pub enum LoadEvent<N = ()> {
    /// Frames read and indexed, and the input bytes read so far.
    Indexed(Box<Indexed>, u64),
    /// A read error: what was read before stays valid.
    Error(String),
    /// The input's note.
    Note(N),
}

/// Called by the worker after each send (e.g. to wake the UI).
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// A capture being loaded (`N`: the notes its input passes through).
pub struct Loader<N = ()> {
    /// The file (empty for a live capture).
    pub path: PathBuf,
    /// Its size in bytes (0 when unknown).
    pub total_bytes: u64,
    /// Bytes parsed so far.
    pub read_bytes: u64,
    /// The read error, if one ended the load.
    pub error: Option<String>,
    /// All frames arrived.
    pub done: bool,
    /// Time spent moving indexed frames into the store.
    pub busy: Duration,
    /// Frames moved into the store.
    pub frames: u64,
    /// [`Loader::drain_with`] spends the rest of its budget waiting for the next batch (a
    /// file: the reader is seldom idle; not a live capture).
    wait: bool,
    rx: Receiver<LoadEvent<N>>,
    handle: Option<JoinHandle<()>>,
}

impl Loader {
    /// Start loading `path` into `store` (which gives the indexer its starting state: see
    /// [`Store::index_seed`]); `waker` is called whenever a batch is ready.
    pub fn open(path: &Path, store: &Store, waker: Option<Waker>) -> Result<Loader, String> {
        let file = File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        let total_bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
        let input = FileInput(BufReader::with_capacity(1 << 16, file));
        let mut l = Loader::start(input, store, waker)?;
        l.path = path.to_path_buf();
        l.total_bytes = total_bytes;
        l.wait = true;
        Ok(l)
    }

    /// Move arrived frames into `store` until `budget` is spent; see [`Loader::drain_with`].
    pub fn drain(&mut self, store: &mut Store, budget: Duration) -> bool {
        self.drain_with(store, budget, &mut |()| {})
    }

    /// Block until the whole file is in `store` (tests, small files).
    pub fn drain_all(&mut self, store: &mut Store) {
        while !self.done {
            match self.rx.recv() {
                Ok(ev) => self.apply(ev, store, &mut |()| {}),
                Err(_) => {
                    self.finish();
                    store.shrink_to_fit();
                }
            }
        }
    }
}

impl<N: Send + 'static> Loader<N> {
    /// Start indexing the frames of `input` for `store` (which gives the indexer its starting
    /// state: see [`Store::index_seed`]); `waker` is called whenever a batch or note is ready.
    pub fn start<I: Input<Note = N>>(
        input: I,
        store: &Store,
        waker: Option<Waker>,
    ) -> Result<Loader<N>, String> {
        let (tx, rx) = bounded::<LoadEvent<N>>(16);
        let seed = store.index_seed();
        let handle = thread::Builder::new()
            .name("nlscope-load".into())
            .spawn(move || worker(input, seed, tx, waker))
            .map_err(|e| format!("cannot start the loader thread: {e}"))?;
        Ok(Loader {
            path: PathBuf::new(),
            total_bytes: 0,
            read_bytes: 0,
            error: None,
            done: false,
            busy: Duration::ZERO,
            frames: 0,
            wait: false,
            rx,
            handle: Some(handle),
        })
    }

    /// Fraction loaded, 0..=1.
    pub fn progress(&self) -> f32 {
        if self.done || self.total_bytes == 0 {
            return if self.done { 1.0 } else { 0.0 };
        }
        (self.read_bytes as f64 / self.total_bytes as f64).clamp(0.0, 1.0) as f32
    }

    /// Move arrived frames into `store` until `budget` is spent, handing notes to `note`.
    /// Returns true when the budget ran out with more waiting (call again on the next frame);
    /// otherwise the waker signals the next batch. While a file's worker is still reading, the
    /// rest of the budget is spent waiting for its next batch: the channel holds only a few
    /// batches, so returning at once would index no more than those per UI frame. A live
    /// capture's drain returns as soon as the channel is empty.
    pub fn drain_with(
        &mut self,
        store: &mut Store,
        budget: Duration,
        note: &mut dyn FnMut(N),
    ) -> bool {
        if self.done {
            return false;
        }
        let start = Instant::now();
        loop {
            let left = budget.saturating_sub(start.elapsed());
            if left.is_zero() {
                return !self.rx.is_empty();
            }
            let ev = if self.wait {
                self.rx.recv_timeout(left)
            } else {
                self.rx.try_recv().map_err(|e| match e {
                    TryRecvError::Empty => RecvTimeoutError::Timeout,
                    TryRecvError::Disconnected => RecvTimeoutError::Disconnected,
                })
            };
            match ev {
                Ok(ev) => {
                    let t = Instant::now();
                    self.apply(ev, store, note);
                    self.busy += t.elapsed();
                }
                // Nothing within the budget: the worker's waker calls back on the next batch.
                Err(RecvTimeoutError::Timeout) => return false,
                Err(RecvTimeoutError::Disconnected) => {
                    self.finish();
                    store.shrink_to_fit();
                    return false;
                }
            }
        }
    }

    /// Consume what has arrived without a store (a capture whose store is gone): notes go to
    /// `note` until it returns true, frames are dropped. Waits up to `wait` for more; returns
    /// true when `note` said so.
    pub fn skim(&mut self, wait: Duration, note: &mut dyn FnMut(N) -> bool) -> bool {
        let deadline = Instant::now() + wait;
        while !self.done {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(LoadEvent::Note(n)) => {
                    if note(n) {
                        return true;
                    }
                }
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => return false,
                Err(RecvTimeoutError::Disconnected) => self.finish(),
            }
        }
        false
    }

    fn apply(&mut self, ev: LoadEvent<N>, store: &mut Store, note: &mut dyn FnMut(N)) {
        match ev {
            LoadEvent::Indexed(ix, read) => {
                self.frames += ix.frame_count() as u64;
                store.append(*ix);
                self.read_bytes = read;
            }
            LoadEvent::Error(e) => self.error = Some(e),
            LoadEvent::Note(n) => note(n),
        }
    }

    fn finish(&mut self) {
        self.done = true;
        self.read_bytes = self.read_bytes.max(self.total_bytes);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn worker<I: Input>(
    input: I,
    seed: IndexSeed,
    tx: Sender<LoadEvent<I::Note>>,
    waker: Option<Waker>,
) {
    let wake = || {
        if let Some(w) = &waker {
            w();
        }
    };
    index_all(input, Indexer::new(seed), &tx, &wake);
    // Disconnect first, then wake: the drainer then sees the end at once.
    drop(tx);
    wake();
}

fn index_all<I: Input>(
    input: I,
    mut ix: Indexer,
    tx: &Sender<LoadEvent<I::Note>>,
    wake: &dyn Fn(),
) {
    // Indexed batches own copies of the bytes: the frame buffers go straight back to the
    // reader for the next frames.
    let (back, back_rx) = unbounded::<Frames>();
    let mut read = 0;
    let send = |ev: LoadEvent<I::Note>| {
        let ok = tx.send(ev).is_ok();
        wake();
        ok
    };
    // Facts learned after the last frame go first, like the frames before a note or error.
    let flush = |ix: &mut Indexer, read: u64| {
        let rest = ix.take_facts();
        rest.is_empty() || send(LoadEvent::Indexed(Box::new(rest), read))
    };
    input.run(&back_rx, &mut |item| match item {
        Item::Frames(mut f, r) => {
            read = r;
            let batch = ix.index(&f);
            f.clear();
            let _ = back.send(f);
            send(LoadEvent::Indexed(Box::new(batch), r))
        }
        Item::Comments(c) => {
            for line in &c {
                ix.learn_comment(line);
            }
            true
        }
        Item::Error(e) => flush(&mut ix, read) && send(LoadEvent::Error(e)),
        Item::Note(n) => flush(&mut ix, read) && send(LoadEvent::Note(n)),
    });
    flush(&mut ix, read);
}
