//! Where `read` takes its batches of frames from: a reader thread, or the thread that indexes
//! them.

use std::io::Read;
use std::thread::{self, JoinHandle};

use crossbeam_channel::{Receiver, Sender, bounded, unbounded};

use crate::pcap::ReadError;
use crate::pcap::feed::{Batch, feed};
use crate::pcap::packed::Packed;

/// What a source hands over.
pub(super) enum Event {
    Frames(Packed),
    Comments(Vec<String>),
    Error(ReadError),
}

/// Batches of `batch` frames (up to `count`) read from an input.
pub(super) enum Source {
    /// Parsed on a thread of its own, which runs up to `cap` events ahead (a file reader may
    /// wait: nothing is dropped): a pipe's frames arrive while the last ones render.
    Thread(Receiver<Event>, JoinHandle<()>),
    /// Read by the thread that takes the batches, as it asks for the next. When other threads
    /// render, the main thread indexes each batch as it reads it: with a reader thread of its
    /// own, a summary of the 200 MB bench file took 18-34% more CPU in alternating runs (the
    /// hand-over, and indexing frames that another core had just written).
    Here(Box<dyn Read + Send>, Receiver<Packed>, usize, Option<u64>),
}

impl Source {
    /// A source of `input` and the sender that hands processed batches back to it, so their
    /// buffers are reused; on a thread of its own if `threaded`.
    pub(super) fn new(
        input: Box<dyn Read + Send>,
        batch: usize,
        count: Option<u64>,
        threaded: bool,
        cap: usize,
    ) -> (Source, Sender<Packed>) {
        let (back_tx, back_rx) = unbounded::<Packed>();
        if !threaded {
            return (Source::Here(input, back_rx, batch, count), back_tx);
        }
        let (tx, rx) = bounded::<Event>(cap);
        let reader = thread::spawn(move || {
            feed(input, batch, count, &back_rx, &mut |b| {
                tx.send(event(b)).is_ok()
            });
        });
        (Source::Thread(rx, reader), back_tx)
    }

    /// Call `step` with each event, and whether more are waiting already (for `Thread`, seen
    /// before `step` runs; for `Here`, always true: it is used only when other threads render,
    /// never for a live stream that must be flushed as it goes), until it returns false or the
    /// input ends.
    pub(super) fn each(self, step: &mut dyn FnMut(Event, bool) -> bool) {
        match self {
            Source::Thread(rx, reader) => {
                for ev in rx.iter() {
                    if !step(ev, !rx.is_empty()) {
                        break;
                    }
                }
                // The reader may be waiting to send: it stops when it finds no receiver.
                drop(rx);
                let _ = reader.join();
            }
            Source::Here(input, back, batch, count) => {
                feed(input, batch, count, &back, &mut |b| step(event(b), true));
            }
        }
    }
}

fn event(b: Batch<Packed>) -> Event {
    match b {
        Batch::Frames(f, _) => Event::Frames(f),
        Batch::Comments(c) => Event::Comments(c),
        Batch::Error(e) => Event::Error(e),
    }
}
