use std::io::{self, Read};
use std::path::Path;

use super::read::read_up_to;
use super::*;

mod corrupt;
mod feed;
mod pcapng;
mod writer;

use corrupt::boundaries;

const CAPTURE_DIR: &str = "/work/shared/captures";

/// (file, expected frame count) for the shared nlmon captures.
const CAPTURES: &[(&str, usize)] = &[
    ("bridge.pcap", 107),
    ("conntrack.pcap", 39),
    ("ethtool.pcap", 89),
    ("genl-ctrl.pcap", 13),
    ("genl-wireguard-mptcp.pcap", 72),
    ("nftables.pcap", 332),
    ("nl80211.pcap", 135),
    ("route-addr-route.pcap", 192),
    ("route-link.pcap", 135),
    ("route-monitor.pcap", 70),
    ("sock-diag.pcap", 40),
    ("tc.pcap", 147),
    ("xfrm.pcap", 20),
];

fn load(name: &str) -> Option<Vec<u8>> {
    let path = Path::new(CAPTURE_DIR).join(name);
    match std::fs::read(&path) {
        Ok(b) => Some(b),
        Err(e) => {
            println!("skipping {}: {e}", path.display());
            None
        }
    }
}

struct Parsed {
    format: FileFormat,
    interfaces: Vec<Interface>,
    section_comments: Vec<String>,
    frames: Vec<Frame>,
    error: Option<ReadError>,
}

/// Parse `bytes` with [`Reader::next_frame`]; borrowed frames ([`Reader::next_frame_borrowed`]),
/// from a buffer holding everything and from reads of 7 bytes, must give the same.
fn parse(bytes: &[u8]) -> Result<Parsed, ReadError> {
    let owned = parse_with(bytes, false);
    for chunk in [usize::MAX, 7] {
        let borrowed = parse_with(Eof(Trickle { data: bytes, chunk }), true);
        match (&owned, &borrowed) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.frames, b.frames, "chunk {chunk}");
                assert_eq!(a.error, b.error, "chunk {chunk}");
                assert_eq!(a.interfaces, b.interfaces, "chunk {chunk}");
                assert_eq!(a.section_comments, b.section_comments);
            }
            (Err(a), Err(b)) => assert_eq!(a, b, "chunk {chunk}"),
            _ => panic!("chunk {chunk}: one way failed to start"),
        }
    }
    owned
}

/// [`Trickle`] that ends cleanly instead of blocking.
struct Eof<'a>(Trickle<'a>);

impl Read for Eof<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.0.data.is_empty() {
            return Ok(0);
        }
        self.0.read(buf)
    }
}

/// The next frame, read owned or borrowed (and copied).
fn next<R: Read>(rd: &mut Reader<R>, borrowed: bool) -> Option<Result<Frame, ReadError>> {
    if !borrowed {
        return rd.next_frame();
    }
    let f = rd.next_frame_borrowed()?.map(|f| f.to_frame());
    if let Ok(f) = &f {
        // What a pass that only looks sees of the input so far.
        assert!(f.file_offset < rd.bytes_read());
    }
    Some(f)
}

fn parse_with<R: Read>(r: R, borrowed: bool) -> Result<Parsed, ReadError> {
    let mut rd = Reader::new(r)?;
    let mut frames = Vec::new();
    let mut error = None;
    while let Some(item) = next(&mut rd, borrowed) {
        match item {
            Ok(f) => frames.push(f),
            Err(e) => error = Some(e),
        }
    }
    assert!(
        next(&mut rd, borrowed).is_none(),
        "reader must stay exhausted"
    );
    Ok(Parsed {
        format: rd.format(),
        interfaces: rd.interfaces().to_vec(),
        section_comments: rd.section_comments().to_vec(),
        frames,
        error,
    })
}

fn parse_ok(bytes: &[u8]) -> Parsed {
    let p = parse(bytes).unwrap();
    assert_eq!(p.error, None);
    p
}

fn write(p: &Parsed, format: OutFormat) -> Vec<u8> {
    let opts = WriterOptions {
        format,
        section_comments: p.section_comments.clone(),
        application: Some("nlscope-test".into()),
    };
    let mut w = Writer::new(Vec::new(), opts);
    for f in &p.frames {
        w.write_frame(f, &p.interfaces[f.interface as usize])
            .unwrap();
    }
    w.flush().unwrap();
    w.into_inner()
}

/// Frame content without the input position.
fn strip(frames: &[Frame]) -> Vec<Frame> {
    frames
        .iter()
        .map(|f| Frame {
            file_offset: 0,
            ..f.clone()
        })
        .collect()
}

// ---- real captures ---------------------------------------------------------------------

#[test]
fn shared_captures_round_trip_byte_exact() {
    for &(name, count) in CAPTURES {
        let Some(orig) = load(name) else { continue };
        let p = parse_ok(&orig);
        assert_eq!(p.format, FileFormat::Pcap);
        assert_eq!(p.frames.len(), count, "{name}");
        assert_eq!(p.interfaces.len(), 1);
        let i = &p.interfaces[0];
        assert_eq!(
            (i.linktype, i.byte_order, i.ts_nanos),
            (253, ByteOrder::Little, false)
        );
        assert!(
            p.frames
                .iter()
                .all(|f| f.linktype == 253 && f.interface == 0)
        );

        let ng = write(&p, OutFormat::PcapNg);
        let q = parse_ok(&ng);
        assert_eq!(q.format, FileFormat::PcapNg);
        assert_eq!(strip(&q.frames), strip(&p.frames), "{name}");
        assert_eq!(q.interfaces.len(), 1);
        assert_eq!(q.interfaces[0].snaplen, i.snaplen);

        let back = write(&q, OutFormat::Pcap);
        assert!(
            back == orig,
            "{name}: pcap -> pcapng -> pcap is not byte-exact"
        );
        // And pcap -> pcap directly.
        assert!(write(&p, OutFormat::Pcap) == orig, "{name}");
    }
}

#[test]
fn shared_captures_match_pcap_file_reader() {
    for &(name, _) in CAPTURES {
        let Some(orig) = load(name) else { continue };
        let ours = parse_ok(&orig).frames;
        let mut theirs = pcap_file::pcap::PcapReader::new(&orig[..]).unwrap();
        let mut n = 0;
        while let Some(pkt) = theirs.next_packet() {
            let pkt = pkt.unwrap();
            let f = &ours[n];
            assert_eq!(
                f.ts_ns,
                pkt.timestamp.as_nanos() as i128,
                "{name} frame {n}"
            );
            assert_eq!(f.data, &pkt.data[..]);
            assert_eq!(f.orig_len, pkt.orig_len);
            n += 1;
        }
        assert_eq!(n, ours.len(), "{name}");
    }
}

#[test]
fn our_pcapng_parses_with_pcap_file_reader() {
    let Some(orig) = load("genl-ctrl.pcap") else {
        return;
    };
    let p = parse_ok(&orig);
    let mut p2 = parse_ok(&orig);
    p2.frames[0].comments = vec!["first".into(), "ünïcode".into()];
    for ng in [write(&p, OutFormat::PcapNg), write(&p2, OutFormat::PcapNg)] {
        let mut rd = pcap_file::pcapng::PcapNgReader::new(&ng[..]).unwrap();
        let mut data = Vec::new();
        while let Some(b) = rd.next_block() {
            if let pcap_file::pcapng::Block::EnhancedPacket(epb) = b.unwrap() {
                data.push(epb.data.into_owned());
            }
        }
        let ours: Vec<_> = p.frames.iter().map(|f| f.data.clone()).collect();
        assert_eq!(data, ours);
    }
    assert_eq!(
        parse_ok(&write(&p2, OutFormat::PcapNg)).frames[0].comments,
        ["first", "ünïcode"]
    );
}

// ---- streaming -------------------------------------------------------------------------

/// Hands out `data` in `chunk`-byte reads, then fails with WouldBlock (a pipe with no
/// more input yet).
struct Trickle<'a> {
    data: &'a [u8],
    chunk: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.data.is_empty() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let n = buf.len().min(self.chunk).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

#[test]
fn frames_returned_as_soon_as_complete() {
    let Some(orig) = load("xfrm.pcap") else {
        return;
    };
    for bytes in [orig.clone(), write(&parse_ok(&orig), OutFormat::PcapNg)] {
        let full = parse_ok(&bytes).frames;
        let (spans, _) = boundaries(&bytes);
        let end_of_first = (spans[0].0 + spans[0].1) as usize;
        for chunk in [1, 7, usize::MAX] {
            let mut rd = Reader::new(Trickle {
                data: &bytes[..end_of_first],
                chunk,
            })
            .unwrap();
            assert_eq!(rd.next_frame().unwrap().unwrap(), full[0]);
            assert_eq!(rd.bytes_read(), end_of_first as u64);
            let e = rd.next_frame().unwrap().unwrap_err();
            assert_eq!((e.kind, e.offset), (ReadErrorKind::Io, end_of_first as u64));
            assert!(rd.next_frame().is_none());
        }
        // Byte-at-a-time delivery of the whole file gives the same frames.
        let mut rd = Reader::new(Trickle {
            data: &bytes,
            chunk: 1,
        })
        .unwrap();
        for f in &full {
            assert_eq!(&rd.next_frame().unwrap().unwrap(), f);
        }
    }
}
