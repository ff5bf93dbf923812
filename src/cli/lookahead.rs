//! Correlation of a capture file a window ahead of the pass that prints it: requests know the
//! answers that follow them, and what is remembered stays bounded whatever the file's length.

use std::thread;

use crossbeam_channel::{Receiver, bounded};

use super::read::{push_frame, walk_file};
use crate::conv::{Conversations, Linked};
use crate::dissect::{Dissector, FrameIndex};

/// How many messages correlation runs ahead of printing (any file below this size is
/// correlated whole): a request shows the answers and notifications that come within this
/// many messages after it or its latest answer (a dump of any length, up to [`FORCE`] times
/// as many messages), and requests that had none for this long are forgotten. About 2 MB of
/// entries, 32 MB at most while a long dump is printed.
pub(crate) const WINDOW: usize = 1 << 16;

/// How many windows a request still being answered may hold back printing.
const FORCE: usize = 16;

/// Links handed over at a time.
const CHUNK: usize = 1024;

/// Where a pass that prints gets each message's links from.
pub(crate) enum Links {
    /// A pipe: each message is linked as it arrives (an answer knows its request; a request
    /// what came before it).
    Live(Box<Conversations>),
    /// A file: correlated on another thread, a window ahead.
    Ahead(Lookahead),
}

impl Links {
    /// Append the links of the ordinals of a frame that was just indexed (a frame without
    /// messages takes one).
    pub fn frame(
        &mut self,
        dis: &Dissector,
        data: &[u8],
        fi: &FrameIndex,
        (frame_no, ts_ns): (u64, i128),
        out: &mut Vec<Option<Linked>>,
    ) {
        let n = fi.msgs.len().max(1);
        match self {
            Links::Live(conv) => {
                let first = conv.len();
                push_frame(conv, dis, data, fi, frame_no, ts_ns);
                out.extend((first..first + n).map(|o| conv.linked(o)));
                conv.forget_before(first + n, WINDOW);
            }
            Links::Ahead(a) => out.extend((0..n).map(|_| a.next())),
        }
    }
}

/// A thread correlating a capture file [`WINDOW`] messages ahead of its reader.
pub(crate) struct Lookahead {
    rx: Receiver<Vec<Option<Linked>>>,
    got: std::vec::IntoIter<Option<Linked>>,
}

impl Lookahead {
    /// Correlate the file at `path` (up to `count` frames) with `dis` on a thread of its own,
    /// `window` messages ahead. A file that breaks off is correlated up to where it does (the
    /// reader reports the error).
    pub fn start(path: &str, count: Option<u64>, dis: &Dissector, window: usize) -> Self {
        let (tx, rx) = bounded::<Vec<Option<Linked>>>(16);
        let path = path.to_string();
        let fork = dis.fork();
        thread::spawn(move || {
            let mut dis = fork.dissector();
            let mut w = Writer {
                conv: Conversations::new(),
                next: 0,
                chunk: Vec::with_capacity(CHUNK),
                tx,
                gone: false,
                window,
            };
            let _ = walk_file(&path, count, &mut dis, &mut |dis, no, frame, fi| {
                if w.gone {
                    return;
                }
                push_frame(&mut w.conv, dis, frame.data, fi, no, frame.ts_ns);
                let len = w.conv.len();
                if let Some(upto) = len.checked_sub(window)
                    && upto >= w.next + CHUNK.min(window.max(1))
                {
                    w.hand(upto, len.saturating_sub(window.saturating_mul(FORCE)));
                }
            });
            let end = w.conv.len();
            w.hand(end, end);
            if !w.gone && !w.chunk.is_empty() {
                let _ = w.tx.send(w.chunk);
            }
        });
        Lookahead {
            rx,
            got: Vec::new().into_iter(),
        }
    }

    /// The links of the next message (`None` also past what the file held).
    pub fn next(&mut self) -> Option<Linked> {
        loop {
            if let Some(l) = self.got.next() {
                return l;
            }
            self.got = self.rx.recv().ok()?.into_iter();
        }
    }
}

/// The correlating thread's side of a [`Lookahead`].
struct Writer {
    conv: Conversations,
    /// The next ordinal to hand over.
    next: usize,
    chunk: Vec<Option<Linked>>,
    tx: crossbeam_channel::Sender<Vec<Option<Linked>>>,
    /// The reader is gone: nothing more to do.
    gone: bool,
    window: usize,
}

impl Writer {
    /// Hand over the links of the ordinals before `upto` (final as far as the window goes),
    /// then forget them. A request still being answered (a dump in progress) waits, and the
    /// ones after it, until it is settled or before `force`.
    fn hand(&mut self, upto: usize, force: usize) {
        while self.next < upto && !self.gone {
            let l = self.conv.linked(self.next);
            if self.next >= force && !self.conv.settled(self.next, self.window) {
                break;
            }
            self.chunk.push(l);
            self.next += 1;
            if self.chunk.len() == CHUNK {
                self.gone = self.tx.send(std::mem::take(&mut self.chunk)).is_err();
            }
        }
        self.conv.forget_before(self.next, self.window);
    }
}
