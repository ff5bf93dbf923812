//! The reading side of a capture reader thread, shared by `nlscope read` and the app's loader:
//! frames in batches with each new interface description, section comments as they appear,
//! and frame buffers taken back from the consumer for reuse.

use std::io::Read;

use crossbeam_channel::Receiver;

use super::{Frame, Interface, ReadError, Reader};

/// A batch of frames, each with its interface description the first time that interface
/// is seen.
pub type Frames = Vec<(Frame, Option<Interface>)>;

/// What [`feed`] hands over.
pub enum Batch {
    /// Frames read, and the input bytes read so far.
    Frames(Frames, u64),
    /// New section comments (e.g. generic netlink ids).
    Comments(Vec<String>),
    /// Reading failed (after the frames before the damage were handed over); nothing follows.
    Error(ReadError),
}

/// Read `input` to its end (or `count` frames), calling `send` with batches of up to `batch`
/// frames; stops early when `send` returns false (the consumer is gone). Batches the consumer
/// returns through `back` give their buffers to later frames.
pub fn feed<R: Read>(
    input: R,
    batch: usize,
    count: Option<u64>,
    back: &Receiver<Frames>,
    send: &mut dyn FnMut(Batch) -> bool,
) {
    let mut r = match Reader::new(input) {
        Ok(r) => r,
        Err(e) => {
            send(Batch::Error(e));
            return;
        }
    };
    let batch = batch.max(1);
    let mut seen_ifaces = 0usize;
    let mut seen_comments = 0usize;
    let mut n = 0u64;
    let mut pending: Frames = Vec::with_capacity(batch);
    // Emptied batch vectors handed back, for the next batches (a taken batch leaves none).
    let mut empties: Vec<Frames> = Vec::new();
    loop {
        while let Ok(mut done) = back.try_recv() {
            for (f, _) in done.drain(..) {
                r.recycle(f.data);
            }
            if empties.len() < 64 {
                empties.push(done);
            }
        }
        if pending.capacity() == 0 {
            pending = empties.pop().unwrap_or_else(|| Vec::with_capacity(batch));
        }
        if count.is_some_and(|c| n >= c) {
            break;
        }
        match r.next_frame() {
            None => break,
            Some(Err(e)) => {
                if !pending.is_empty() {
                    send(Batch::Frames(std::mem::take(&mut pending), r.bytes_read()));
                }
                send(Batch::Error(e));
                return;
            }
            Some(Ok(f)) => {
                if r.section_comments().len() > seen_comments {
                    let c = r
                        .section_comments()
                        .get(seen_comments..)
                        .unwrap_or(&[])
                        .to_vec();
                    seen_comments = r.section_comments().len();
                    if !pending.is_empty()
                        && !send(Batch::Frames(std::mem::take(&mut pending), r.bytes_read()))
                    {
                        return;
                    }
                    if !send(Batch::Comments(c)) {
                        return;
                    }
                }
                let iface = if r.interfaces().len() > seen_ifaces
                    || (f.interface as usize) >= seen_ifaces
                {
                    seen_ifaces = r.interfaces().len();
                    r.interfaces().get(f.interface as usize).cloned()
                } else {
                    None
                };
                n += 1;
                pending.push((f, iface));
                if pending.len() >= batch
                    && !send(Batch::Frames(std::mem::take(&mut pending), r.bytes_read()))
                {
                    return;
                }
            }
        }
    }
    if !pending.is_empty() {
        send(Batch::Frames(pending, r.bytes_read()));
    }
}
