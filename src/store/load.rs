//! Loading a capture file on a worker thread: the worker parses pcap/pcapng, indexes the frames
//! with its own [`Indexer`] and streams the indexed batches through a bounded crossbeam
//! channel; the owner of the [`Store`] drains it within a time budget. Appending a batch is a
//! few copies of small records, so the draining (UI) thread does no parsing or indexing.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, bounded, unbounded};

use super::{IndexSeed, Indexed, Indexer, Store};
use crate::pcap::feed::{Batch, Frames, feed};

/// Frames per batch sent over the channel.
const BATCH: usize = 256;

/// What the worker hands over.
pub enum LoadEvent {
    /// Frames read and indexed, and the input bytes read so far.
    Indexed(Box<Indexed>, u64),
    /// A read error: what was read before stays valid.
    Error(String),
}

/// Called by the worker after each send (e.g. to wake the UI).
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// A capture being loaded.
pub struct Loader {
    /// The file.
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
    rx: Receiver<LoadEvent>,
    handle: Option<JoinHandle<()>>,
}

impl Loader {
    /// Start loading `path` into `store` (which gives the indexer its starting state: see
    /// [`Store::index_seed`]); `waker` is called whenever a batch is ready.
    pub fn open(path: &Path, store: &Store, waker: Option<Waker>) -> Result<Loader, String> {
        let file = File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        let total_bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
        let (tx, rx) = bounded::<LoadEvent>(16);
        let seed = store.index_seed();
        let handle = thread::Builder::new()
            .name("nlscope-load".into())
            .spawn(move || worker(BufReader::with_capacity(1 << 16, file), seed, tx, waker))
            .map_err(|e| format!("cannot start the loader thread: {e}"))?;
        Ok(Loader {
            path: path.to_path_buf(),
            total_bytes,
            read_bytes: 0,
            error: None,
            done: false,
            busy: Duration::ZERO,
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

    /// Move arrived frames into `store` until `budget` is spent. Returns true when the budget
    /// ran out with more waiting (call again on the next frame); otherwise the waker signals
    /// the next batch. While the worker is still reading, the rest of the budget is spent
    /// waiting for its next batch: the channel holds only a few batches, so returning at once
    /// would index no more than those per UI frame.
    pub fn drain(&mut self, store: &mut Store, budget: Duration) -> bool {
        if self.done {
            return false;
        }
        let start = Instant::now();
        loop {
            let left = budget.saturating_sub(start.elapsed());
            if left.is_zero() {
                return true;
            }
            match self.rx.recv_timeout(left) {
                Ok(ev) => {
                    let t = Instant::now();
                    self.apply(ev, store);
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

    fn apply(&mut self, ev: LoadEvent, store: &mut Store) {
        match ev {
            LoadEvent::Indexed(ix, read) => {
                store.append(*ix);
                self.read_bytes = read;
            }
            LoadEvent::Error(e) => self.error = Some(e),
        }
    }

    /// Block until the whole file is in `store` (tests, small files).
    pub fn drain_all(&mut self, store: &mut Store) {
        while !self.done {
            match self.rx.recv() {
                Ok(ev) => self.apply(ev, store),
                Err(_) => {
                    self.finish();
                    store.shrink_to_fit();
                }
            }
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

fn worker(input: BufReader<File>, seed: IndexSeed, tx: Sender<LoadEvent>, waker: Option<Waker>) {
    let wake = || {
        if let Some(w) = &waker {
            w();
        }
    };
    read_all(input, Indexer::new(seed), &tx, &wake);
    // Disconnect first, then wake: the drainer then sees the end at once.
    drop(tx);
    wake();
}

fn read_all(input: BufReader<File>, mut ix: Indexer, tx: &Sender<LoadEvent>, wake: &dyn Fn()) {
    // Indexed batches own copies of the bytes: the frame buffers go straight back to the
    // reader for the next frames.
    let (back, back_rx) = unbounded::<Frames>();
    let mut read = 0;
    let send = |ev: LoadEvent| {
        let ok = tx.send(ev).is_ok();
        wake();
        ok
    };
    feed(input, BATCH, None, &back_rx, &mut |b| match b {
        Batch::Frames(mut f, r) => {
            read = r;
            let batch = ix.index(&f);
            f.clear();
            let _ = back.send(f);
            send(LoadEvent::Indexed(Box::new(batch), r))
        }
        Batch::Comments(c) => {
            for line in &c {
                ix.learn_comment(line);
            }
            true
        }
        Batch::Error(e) => {
            // Facts learned after the last frame go first, like the frames before the error.
            let rest = ix.take_facts();
            (rest.is_empty() || send(LoadEvent::Indexed(Box::new(rest), read)))
                && send(LoadEvent::Error(e.to_string()))
        }
    });
    let rest = ix.take_facts();
    if !rest.is_empty() {
        send(LoadEvent::Indexed(Box::new(rest), read));
    }
}
