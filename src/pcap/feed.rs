//! The reading side of `nlscope read` (on a reader thread, or on the thread that indexes) and
//! of the app's loader thread:
//! frames in batches with each new interface description, section comments as they appear,
//! and emptied batches taken back from the consumer for reuse.

use std::io::Read;

use crossbeam_channel::Receiver;

use super::{BorrowedFrame, Frame, Interface, ReadError, Reader};

/// A batch of frames, each with its interface description the first time that interface
/// is seen.
pub type Frames = Vec<(Frame, Option<Interface>)>;

/// What [`feed`] hands over: `P` holds the frames, one allocation each ([`Frames`]) or all
/// bytes in one buffer ([`Packed`](super::packed::Packed)).
pub enum Batch<P = Frames> {
    /// Frames read, and the input bytes read so far.
    Frames(P, u64),
    /// New section comments (e.g. generic netlink ids).
    Comments(Vec<String>),
    /// Reading failed (after the frames before the damage were handed over); nothing follows.
    Error(ReadError),
}

/// A batch being filled: frames are copied in as the reader lends them.
pub trait Pack: Send + Sized {
    /// An empty batch with room for `n` frames.
    fn with_capacity(n: usize) -> Self;
    /// An empty batch with room for `n` frames like those of `full` (a packed batch sizes its
    /// buffer by `full`'s bytes: grown from nothing it copied them over again as it doubled).
    fn with_capacity_like(n: usize, _full: &Self) -> Self {
        Self::with_capacity(n)
    }
    /// Frames held.
    fn len(&self) -> usize;
    /// Whether it holds no frame.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Copy `f` in, with its interface description if it is the first to use it.
    fn push(&mut self, f: BorrowedFrame<'_>, iface: Option<Interface>);
    /// Set the interface description of the last frame pushed.
    fn set_last_iface(&mut self, iface: Interface);
    /// Empty it for reuse.
    fn clear(&mut self);
}

impl Pack for Frames {
    fn with_capacity(n: usize) -> Self {
        Vec::with_capacity(n)
    }
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn push(&mut self, f: BorrowedFrame<'_>, iface: Option<Interface>) {
        Vec::push(self, (f.to_frame(), iface));
    }
    fn set_last_iface(&mut self, iface: Interface) {
        if let Some(last) = self.last_mut() {
            last.1 = Some(iface);
        }
    }
    fn clear(&mut self) {
        Vec::clear(self);
    }
}

/// Read `input` to its end (or `count` frames), calling `send` with batches of up to `batch`
/// frames; stops early when `send` returns false (the consumer is gone or has stopped, and
/// `send` is not called again). Batches the consumer
/// returns through `back` are filled again.
pub fn feed<R: Read, P: Pack>(
    input: R,
    batch: usize,
    count: Option<u64>,
    back: &Receiver<P>,
    send: &mut dyn FnMut(Batch<P>) -> bool,
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
    let mut pending = P::with_capacity(batch);
    // Emptied batches handed back, for the next batches.
    let mut empties: Vec<P> = Vec::new();
    let take = |pending: &mut P, empties: &mut Vec<P>| {
        let next = empties
            .pop()
            .unwrap_or_else(|| P::with_capacity_like(batch, pending));
        std::mem::replace(pending, next)
    };
    loop {
        while let Ok(mut done) = back.try_recv() {
            if empties.len() < 64 {
                done.clear();
                empties.push(done);
            }
        }
        if count.is_some_and(|c| n >= c) {
            break;
        }
        let interface = match r.next_frame_borrowed() {
            None => break,
            Some(Err(e)) => {
                if !pending.is_empty()
                    && !send(Batch::Frames(
                        take(&mut pending, &mut empties),
                        r.bytes_read(),
                    ))
                {
                    return;
                }
                send(Batch::Error(e));
                return;
            }
            Some(Ok(f)) => {
                // New comments come before the frames of their section.
                if f.section_comments.len() > seen_comments {
                    let c = f
                        .section_comments
                        .get(seen_comments..)
                        .unwrap_or(&[])
                        .to_vec();
                    seen_comments = f.section_comments.len();
                    if !pending.is_empty()
                        && !send(Batch::Frames(
                            take(&mut pending, &mut empties),
                            f.file_offset,
                        ))
                    {
                        return;
                    }
                    if !send(Batch::Comments(c)) {
                        return;
                    }
                }
                let interface = f.interface as usize;
                pending.push(f, None);
                interface
            }
        };
        if r.interfaces().len() > seen_ifaces || interface >= seen_ifaces {
            seen_ifaces = r.interfaces().len();
            if let Some(i) = r.interfaces().get(interface) {
                pending.set_last_iface(i.clone());
            }
        }
        n += 1;
        if pending.len() >= batch
            && !send(Batch::Frames(
                take(&mut pending, &mut empties),
                r.bytes_read(),
            ))
        {
            return;
        }
    }
    if !pending.is_empty() {
        send(Batch::Frames(pending, r.bytes_read()));
    }
}
