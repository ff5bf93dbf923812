//! `feed` hands over the same frames, interfaces and comments, in the same order, whether it
//! packs a batch's bytes in one buffer or gives each frame its own.

use crossbeam_channel::unbounded;

use super::pcapng::two_section_capture;
use crate::pcap::feed::{Batch, Frames, Pack, feed, feed_file};
use crate::pcap::packed::Packed;
use crate::pcap::{Frame, Interface};

/// What a feed hands over, flattened: frames with their interface, comments, errors.
#[derive(Debug, PartialEq)]
enum Got {
    Frame(Box<Frame>, Option<Interface>),
    Comments(Vec<String>),
    Error(String),
}

/// Feed `bytes` in batches of `batch`, handing every batch straight back (so later batches
/// refill emptied ones), and record what came.
fn fed<P: Pack + 'static>(
    bytes: &[u8],
    batch: usize,
    flat: impl Fn(&P) -> Vec<(Frame, Option<Interface>)>,
) -> Vec<Got> {
    let (back_tx, back_rx) = unbounded::<P>();
    let mut got = Vec::new();
    feed(bytes, batch, None, &back_rx, &mut |b| {
        match b {
            Batch::Frames(p, _) => {
                assert!(p.len() <= batch && !p.is_empty());
                got.extend(
                    flat(&p)
                        .into_iter()
                        .map(|(f, i)| Got::Frame(Box::new(f), i)),
                );
                back_tx.send(p).unwrap();
            }
            Batch::Comments(c) => got.push(Got::Comments(c)),
            Batch::Error(e) => got.push(Got::Error(e.to_string())),
        }
        true
    });
    got
}

fn packed(p: &Packed) -> Vec<(Frame, Option<Interface>)> {
    let v: Vec<_> = (0..p.len())
        .map(|i| (p.frame(i).unwrap(), p.get(i).unwrap().0.iface.clone()))
        .collect();
    // The iterator shows the same bytes as the copies.
    assert!(p.iter().zip(&v).all(|((_, data), (f, _))| data == f.data));
    assert_eq!(p.iter().len(), p.len());
    v
}

fn owned(f: &Frames) -> Vec<(Frame, Option<Interface>)> {
    f.clone()
}

#[test]
fn packed_and_owned_batches_hand_over_the_same() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("captures");
    let mut inputs = vec![("two sections".to_string(), two_section_capture())];
    for e in std::fs::read_dir(&root).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "pcap" || x == "pcapng") {
            inputs.push((p.display().to_string(), std::fs::read(&p).unwrap()));
        }
    }
    assert!(inputs.len() > 30);
    for (name, bytes) in &inputs {
        // Cut short too: the frames before the damage, then the error.
        let cut = &bytes[..bytes.len() - bytes.len() / 3];
        for b in [bytes.as_slice(), cut] {
            let want = fed::<Frames>(b, 4, owned);
            // The frames the reader reads one by one.
            let frames: Vec<Frame> = want
                .iter()
                .filter_map(|g| match g {
                    Got::Frame(f, _) => Some((**f).clone()),
                    _ => None,
                })
                .collect();
            let read: Vec<Frame> = crate::pcap::Reader::new(b)
                .unwrap()
                .map_while(Result::ok)
                .collect();
            assert!(!frames.is_empty() && frames == read, "{name}");
            for batch in [1, 3, 256] {
                assert_eq!(
                    fed::<Packed>(b, batch, packed),
                    want,
                    "{name} batch {batch}"
                );
            }
        }
    }
}

#[test]
fn an_emptied_batch_is_refilled_without_its_old_frames() {
    let bytes = two_section_capture();
    let mut p = Packed::default();
    let (tx, rx) = unbounded::<Packed>();
    let mut sizes = Vec::new();
    feed(&bytes[..], 2, None, &rx, &mut |b| {
        if let Batch::Frames(q, _) = b {
            sizes.push(q.len());
            assert!(q.iter().all(|(_, d)| !d.is_empty()));
            p = q;
            tx.send(std::mem::take(&mut p)).unwrap();
        }
        true
    });
    assert!(sizes.iter().sum::<usize>() >= 5 && sizes.iter().all(|n| *n <= 2));
    p.clear();
    assert!(p.is_empty() && p.get(0).is_none() && p.frame(0).is_none());
}

/// What [`feed`] (with `count`) or [`feed_file`] hands over in [`Packed`] batches.
fn fed_packed(bytes: &[u8], batch: usize, count: Option<u64>, whole: bool) -> Vec<Got> {
    let (back_tx, back_rx) = unbounded::<Packed>();
    let mut got = Vec::new();
    let mut send = |b: Batch<Packed>| {
        match b {
            Batch::Frames(p, _) => {
                assert!(!p.is_empty());
                let frames = packed(&p).into_iter();
                got.extend(frames.map(|(f, i)| Got::Frame(Box::new(f), i)));
                back_tx.send(p).unwrap();
            }
            Batch::Comments(c) => got.push(Got::Comments(c)),
            Batch::Error(e) => got.push(Got::Error(e.to_string())),
        }
        true
    };
    if whole {
        feed_file(bytes, batch, count, &back_rx, &mut send);
    } else {
        feed(bytes, batch, count, &back_rx, &mut send);
    }
    got
}

/// A little-endian microsecond pcap file of netlink records with these bodies.
fn pcap_of(bodies: &[Vec<u8>]) -> Vec<u8> {
    let mut b = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    b.extend(0x0004_0000u32.to_le_bytes());
    b.extend(253u32.to_le_bytes());
    for (i, body) in bodies.iter().enumerate() {
        let len = u32::try_from(body.len()).unwrap();
        for v in [1_700_000_000 + i as u32, 999_999, len, len + 1] {
            b.extend(v.to_le_bytes());
        }
        b.extend(body);
    }
    b
}

/// A file read whole (a pcap file's records straight into the batches' buffers) hands over
/// what the reader reads frame by frame: the frames, the first one's interface, the error after
/// the frames before the damage, `count` frames; for every capture, cut short, with a record
/// larger than a chunk, a corrupt length, and cut at every byte of a small file.
#[test]
fn a_file_read_whole_hands_over_what_the_reader_reads() {
    let same = |name: &str, b: &[u8]| {
        for batch in [1, 3, 256] {
            let want = fed_packed(b, batch, None, false);
            assert_eq!(
                fed_packed(b, batch, None, true),
                want,
                "{name} batch {batch}"
            );
        }
        let all = fed_packed(b, 256, None, false).len() as u64;
        for count in [0, 1, 5, all.saturating_sub(1), all] {
            let want = fed_packed(b, 4, Some(count), false);
            assert_eq!(
                fed_packed(b, 4, Some(count), true),
                want,
                "{name} -c {count}"
            );
        }
    };
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("captures");
    for e in std::fs::read_dir(&root).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "pcap" || x == "pcapng") {
            let bytes = std::fs::read(&p).unwrap();
            same(&p.display().to_string(), &bytes);
            same(
                &format!("{} cut", p.display()),
                &bytes[..bytes.len() * 2 / 3],
            );
        }
    }
    // Records around and beyond a chunk (16 KB, and 64 KB for a batch of 256).
    let sizes = [20, 70_000, 16, 16_400, 300_000, 1, 0, 65_536];
    let bodies: Vec<Vec<u8>> = sizes.iter().map(|&n| vec![0x5a; n]).collect();
    let big = pcap_of(&bodies);
    same("big records", &big);
    for cut in [
        big.len() - 1,
        big.len() - 200_000,
        24 + 16 + 20 + 16 + 5,
        24 + 7,
    ] {
        same(&format!("big records cut at {cut}"), &big[..cut]);
    }
    let mut corrupt = pcap_of(&bodies[..3]);
    let third = 24 + 16 + 20 + 16 + 70_000;
    corrupt[third + 8..third + 12].copy_from_slice(&u32::MAX.to_le_bytes());
    same("corrupt length", &corrupt);
    let got = fed_packed(&corrupt, 256, None, true);
    assert!(
        matches!(&got[..], [Got::Frame(..), Got::Frame(..), Got::Error(e)] if e.contains("exceeds"))
    );
    let small = pcap_of(&[vec![1; 40], vec![2; 3], vec![3; 100]]);
    for cut in 0..small.len() {
        same(&format!("small cut at {cut}"), &small[..cut]);
    }
}
