//! The app's live capture stream: the pcapng a capture helper (`nlscope capture -w -` run
//! through pkexec/sudo) writes to its stdout, parsed frame by frame by the session's stream
//! reader, and its stderr read line by line; the items it produces are then handled as the
//! app's loader does (comments teach the dissector, frames are indexed and dissected).
//! Input: `[n u16 le]`, n bytes of stderr, then the stdout stream.
#![no_main]

use std::io::Cursor;

use crossbeam_channel::unbounded;
use libfuzzer_sys::fuzz_target;
use nlscope::capture::session::{read_lines, read_stream};
use nlscope::model::Endian;
use nlscope::pcap::ByteOrder;
use nlscope::store::Item;
use nlscope_fuzz::{InFrame, dissect_frames, with_dissector};

fuzz_target!(|data: &[u8]| {
    let (err, out) = match data {
        [a, b, rest @ ..] => {
            rest.split_at(usize::from(u16::from_le_bytes([*a, *b])).min(rest.len()))
        }
        _ => (&[][..], data),
    };
    let mut lines = 0usize;
    read_lines(Cursor::new(err), |l| {
        lines += l.len();
        true
    });
    let (tx, rx) = unbounded();
    read_stream(Cursor::new(out), &tx);
    drop(tx);
    // Section comments reach the dissector before the frames after them, as in the loader.
    let mut frames: Vec<InFrame> = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    let mut endian = Endian::Little;
    for item in rx.iter() {
        match item {
            Item::Frames(batch, _) => {
                for (f, _) in batch {
                    if f.byte_order == ByteOrder::Big {
                        endian = Endian::Big;
                    }
                    let mut comments = std::mem::take(&mut pending);
                    comments.extend(f.comments);
                    frames.push(InFrame {
                        linktype: f.linktype,
                        data: f.data,
                        comments,
                    });
                }
            }
            Item::Comments(c) => pending.extend(c),
            Item::Error(_) | Item::Note(_) => {}
        }
    }
    with_dissector(|dis| dissect_frames(dis, endian, &frames, None));
});
