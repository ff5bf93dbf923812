//! `feed` hands over the same frames, interfaces and comments, in the same order, whether it
//! packs a batch's bytes in one buffer or gives each frame its own.

use crossbeam_channel::unbounded;

use super::pcapng::two_section_capture;
use crate::pcap::feed::{Batch, Frames, Pack, feed};
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
        .map(|i| {
            (
                p.frame(i).unwrap(),
                p.get(i).unwrap().0.iface.as_deref().cloned(),
            )
        })
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
