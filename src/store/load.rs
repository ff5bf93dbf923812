//! Loading a capture file on a worker thread: the worker parses pcap/pcapng and streams frame
//! batches through a bounded crossbeam channel; the owner of the [`Store`] drains it within a
//! time budget (the dissector is not `Send`, so indexing happens on the draining side, which
//! is cheap: headers only).

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, bounded, unbounded};

use super::Store;
use crate::pcap::feed::{Batch, Frames, feed};

/// Frames per batch sent over the channel.
const BATCH: usize = 256;

/// What the worker hands over.
pub enum LoadEvent {
    /// Frames read, with the interface description when it is new, and the bytes read so far.
    Frames(Frames, u64),
    /// New section comments (generic netlink ids).
    Comments(Vec<String>),
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
    /// Time spent moving frames into the store (indexing included).
    pub busy: Duration,
    rx: Receiver<LoadEvent>,
    back: Sender<Frames>,
    handle: Option<JoinHandle<()>>,
}

impl Loader {
    /// Start loading `path`; `waker` is called whenever a batch is ready.
    pub fn open(path: &Path, waker: Option<Waker>) -> Result<Loader, String> {
        let file = File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        let total_bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
        let (tx, rx) = bounded::<LoadEvent>(16);
        let (back, back_rx) = unbounded::<Frames>();
        let handle = thread::Builder::new()
            .name("nlscope-load".into())
            .spawn(move || worker(BufReader::with_capacity(1 << 16, file), tx, back_rx, waker))
            .map_err(|e| format!("cannot start the loader thread: {e}"))?;
        Ok(Loader {
            path: path.to_path_buf(),
            total_bytes,
            read_bytes: 0,
            error: None,
            done: false,
            busy: Duration::ZERO,
            rx,
            back,
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
            LoadEvent::Frames(mut frames, read) => {
                for (f, iface) in frames.iter() {
                    store.push_frame(f, iface.clone());
                }
                self.read_bytes = read;
                frames.clear();
                // Hand the buffers back to the reader for reuse (it may be gone: fine).
                let _ = self.back.send(frames);
            }
            LoadEvent::Comments(c) => {
                for line in c {
                    store.learn_comment(&line);
                }
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

fn worker(
    input: BufReader<File>,
    tx: Sender<LoadEvent>,
    back: Receiver<Frames>,
    waker: Option<Waker>,
) {
    let wake = || {
        if let Some(w) = &waker {
            w();
        }
    };
    read_all(input, &tx, &back, &wake);
    // Disconnect first, then wake: the drainer then sees the end at once.
    drop(tx);
    wake();
}

fn read_all(
    input: BufReader<File>,
    tx: &Sender<LoadEvent>,
    back: &Receiver<Frames>,
    wake: &dyn Fn(),
) {
    feed(input, BATCH, None, back, &mut |b| {
        let ev = match b {
            Batch::Frames(f, read) => LoadEvent::Frames(f, read),
            Batch::Comments(c) => LoadEvent::Comments(c),
            Batch::Error(e) => LoadEvent::Error(e.to_string()),
        };
        let ok = tx.send(ev).is_ok();
        wake();
        ok
    });
}
