//! The pcap/pcapng reader: the file API (`Reader`: frames, interfaces, section comments), its
//! borrowed frames (the CLI's pass for interface names), and the streaming feed the CLI and the
//! app read through, over an input that arrives in small pieces, handing buffers back for
//! reuse. All must see the same frames and the same end.
#![no_main]

use std::io::{Cursor, Read};

use crossbeam_channel::unbounded;
use libfuzzer_sys::fuzz_target;
use nlscope::pcap::Reader;
use nlscope::pcap::feed::{Batch, Frames, feed};
use nlscope::pcap::packed::Packed;

/// A reader that returns at most `step` bytes per call, like a pipe.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.data.len());
        let (head, tail) = self.data.split_at(n);
        buf[..n].copy_from_slice(head);
        self.data = tail;
        Ok(n)
    }
}

fuzz_target!(|data: &[u8]| {
    let mut direct = Vec::new();
    let mut direct_err = None;
    match Reader::new(Cursor::new(data)) {
        Ok(mut r) => {
            let _ = (r.format(), r.interfaces().len(), r.section_comments().len());
            for f in r.by_ref() {
                match f {
                    Ok(f) => direct.push(f),
                    Err(e) => {
                        direct_err = Some(e.to_string());
                        break;
                    }
                }
            }
            let _ = (
                r.interfaces().len(),
                r.section_comments().len(),
                r.bytes_read(),
            );
        }
        Err(e) => direct_err = Some(e.to_string()),
    }

    let step = 1 + data.len() % 61;
    let mut borrowed = Vec::new();
    let mut borrowed_err = None;
    match Reader::new(Trickle { data, step }) {
        Ok(mut r) => {
            while let Some(f) = r.next_frame_borrowed() {
                match f {
                    Ok(f) => borrowed.push(f.to_frame()),
                    Err(e) => borrowed_err = Some(e.to_string()),
                }
            }
        }
        Err(e) => borrowed_err = Some(e.to_string()),
    }
    assert!(direct == borrowed, "borrowed frames differ from Reader's");
    assert_eq!(direct_err.is_some(), borrowed_err.is_some());

    let (back_tx, back_rx) = unbounded::<Frames>();
    let mut streamed = Vec::new();
    let mut stream_err = None;
    feed(Trickle { data, step }, 3, None, &back_rx, &mut |b| {
        match b {
            Batch::Frames(mut f, _) => {
                streamed.extend(f.iter().map(|(f, _)| f.clone()));
                f.clear();
                let _ = back_tx.send(f);
            }
            Batch::Comments(_) => {}
            Batch::Error(e) => stream_err = Some(e.to_string()),
        }
        true
    });
    assert_eq!(
        direct.len(),
        streamed.len(),
        "feed and Reader disagree on frames"
    );
    assert!(direct == streamed, "feed and Reader read different frames");
    assert_eq!(
        direct_err.is_some(),
        stream_err.is_some(),
        "{direct_err:?} vs {stream_err:?}"
    );

    // Packed batches (what `read` hands its threads), refilled as they come back.
    let (back_tx, back_rx) = unbounded::<Packed>();
    let mut packed = Vec::new();
    let mut packed_err = None;
    feed(Trickle { data, step }, 2, None, &back_rx, &mut |b| {
        match b {
            Batch::Frames(p, _) => {
                packed.extend((0..p.len()).filter_map(|i| p.frame(i)));
                let _ = back_tx.send(p);
            }
            Batch::Comments(_) => {}
            Batch::Error(e) => packed_err = Some(e.to_string()),
        }
        true
    });
    assert!(direct == packed, "packed batches hold different frames");
    assert_eq!(stream_err, packed_err);
});
