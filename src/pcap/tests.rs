#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{self, Read};
use std::path::Path;

use super::read::read_up_to;
use super::*;

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

fn parse<R: Read>(r: R) -> Result<Parsed, ReadError> {
    let mut rd = Reader::new(r)?;
    let mut frames = Vec::new();
    let mut error = None;
    for item in rd.by_ref() {
        match item {
            Ok(f) => frames.push(f),
            Err(e) => error = Some(e),
        }
    }
    assert!(rd.next_frame().is_none(), "reader must stay exhausted");
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

// ---- hand-built pcapng -----------------------------------------------------------------

struct Ng {
    bo: ByteOrder,
    out: Vec<u8>,
}

impl Ng {
    fn new() -> Self {
        Ng {
            bo: ByteOrder::Little,
            out: Vec::new(),
        }
    }
    fn u16(&self, v: u16) -> [u8; 2] {
        match self.bo {
            ByteOrder::Little => v.to_le_bytes(),
            ByteOrder::Big => v.to_be_bytes(),
        }
    }
    fn u32(&self, v: u32) -> [u8; 4] {
        match self.bo {
            ByteOrder::Little => v.to_le_bytes(),
            ByteOrder::Big => v.to_be_bytes(),
        }
    }
    fn u64(&self, v: u64) -> [u8; 8] {
        match self.bo {
            ByteOrder::Little => v.to_le_bytes(),
            ByteOrder::Big => v.to_be_bytes(),
        }
    }
    fn opts(&self, opts: &[(u16, &[u8])]) -> Vec<u8> {
        let mut b = Vec::new();
        for (code, val) in opts {
            b.extend(self.u16(*code));
            b.extend(self.u16(val.len() as u16));
            b.extend(*val);
            b.resize(b.len().next_multiple_of(4), 0);
        }
        if !opts.is_empty() {
            b.extend([0; 4]);
        }
        b
    }
    fn block(&mut self, btype: u32, body: &[u8]) -> usize {
        let start = self.out.len();
        let len = (12 + body.len().next_multiple_of(4)) as u32;
        self.out.extend(self.u32(btype));
        self.out.extend(self.u32(len));
        self.out.extend(body);
        self.out.resize(self.out.len().next_multiple_of(4), 0);
        self.out.extend(self.u32(len));
        start
    }
    fn shb(&mut self, bo: ByteOrder, opts: &[(u16, &[u8])]) -> usize {
        self.bo = bo;
        let mut body = self.u32(0x1a2b_3c4d).to_vec();
        body.extend(self.u16(1));
        body.extend(self.u16(0));
        body.extend(self.u64(u64::MAX));
        body.extend(self.opts(opts));
        self.block(0x0a0d_0d0a, &body)
    }
    fn idb(&mut self, linktype: u16, snaplen: u32, opts: &[(u16, &[u8])]) -> usize {
        let mut body = self.u16(linktype).to_vec();
        body.extend([0, 0]);
        body.extend(self.u32(snaplen));
        body.extend(self.opts(opts));
        self.block(1, &body)
    }
    fn epb(&mut self, iface: u32, ts: u64, data: &[u8], orig: u32, opts: &[(u16, &[u8])]) -> usize {
        let mut body = self.u32(iface).to_vec();
        body.extend(self.u32((ts >> 32) as u32));
        body.extend(self.u32(ts as u32));
        body.extend(self.u32(data.len() as u32));
        body.extend(self.u32(orig));
        body.extend(data);
        body.resize(body.len().next_multiple_of(4), 0);
        body.extend(self.opts(opts));
        self.block(6, &body)
    }
    fn opb(&mut self, iface: u16, ts: u64, data: &[u8], orig: u32, opts: &[(u16, &[u8])]) -> usize {
        let mut body = self.u16(iface).to_vec();
        body.extend(self.u16(0));
        body.extend(self.u32((ts >> 32) as u32));
        body.extend(self.u32(ts as u32));
        body.extend(self.u32(data.len() as u32));
        body.extend(self.u32(orig));
        body.extend(data);
        body.resize(body.len().next_multiple_of(4), 0);
        body.extend(self.opts(opts));
        self.block(2, &body)
    }
    fn spb(&mut self, orig: u32, data: &[u8]) -> usize {
        let mut body = self.u32(orig).to_vec();
        body.extend(data);
        self.block(3, &body)
    }
}

const SEC: u64 = 1_700_000_000;

/// Two sections (little- then big-endian), two interfaces each, every packet block kind,
/// comments, if_tsresol 9 and 2^-20, if_tsoffset, and blocks to skip.
fn two_section_capture() -> Vec<u8> {
    let mut ng = Ng::new();
    ng.shb(ByteOrder::Little, &[(1, b"section one"), (4, b"test")]);
    ng.idb(253, 0, &[(2, b"nlmon0"), (9, &[9]), (1, b"idb comment")]);
    ng.idb(1, 64, &[(9, &[0x94]), (14, &ng.u64(10))]);
    ng.epb(
        0,
        SEC * 1_000_000_000 + 123,
        b"le-nanos",
        100,
        &[(1, b"hello"), (1, b"\xffbad")],
    );
    ng.epb(1, (SEC << 20) + (1 << 19), b"le-binary", 9, &[]);
    ng.block(5, &[0; 20]); // ISB
    ng.block(0x0000_0bad, &[1, 2, 3, 4, 5, 6, 7, 8]); // custom
    ng.spb(80, &[7; 80]); // snaplen 0 on interface 0: not truncated
    ng.shb(ByteOrder::Big, &[(1, b"section two")]);
    ng.idb(253, 16, &[]);
    ng.idb(253, 0, &[(2, b"second"), (9, &[3])]);
    ng.block(4, &ng.u32(0).repeat(2)); // NRB (end of records)
    ng.spb(100, &[9; 20]); // snaplen 16: truncated to 16 bytes
    ng.opb(1, 1_700_000_000_123, b"be-obsolete", 11, &[(1, b"opb")]);
    ng.epb(0, SEC * 1_000_000 + 5, b"be-micros", 9, &[]);
    ng.out
}

#[test]
fn pcapng_two_sections_all_block_kinds() {
    let bytes = two_section_capture();
    let p = parse_ok(&bytes);
    assert_eq!(p.format, FileFormat::PcapNg);
    assert_eq!(p.section_comments, ["section one", "section two"]);
    let names: Vec<_> = p.interfaces.iter().map(|i| i.name.as_deref()).collect();
    assert_eq!(names, [Some("nlmon0"), None, None, Some("second")]);
    let i = &p.interfaces;
    assert_eq!(
        (i[0].tsresol, i[0].ts_nanos, i[0].byte_order),
        (9, true, ByteOrder::Little)
    );
    assert_eq!(i[0].comments, ["idb comment"]);
    assert_eq!(
        (i[1].tsresol, i[1].ts_nanos, i[1].snaplen, i[1].linktype),
        (0x94, false, 64, 1)
    );
    assert_eq!(
        (i[2].tsresol, i[2].byte_order, i[2].snaplen),
        (6, ByteOrder::Big, 16)
    );
    assert_eq!(i[3].tsresol, 3);

    let f = &p.frames;
    assert_eq!(f.len(), 6);
    let sec = i128::from(SEC) * 1_000_000_000;
    let summary: Vec<_> = f
        .iter()
        .map(|f| {
            (
                f.interface,
                f.ts_ns,
                f.byte_order,
                f.data.len(),
                f.orig_len,
                f.linktype,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (0, sec + 123, ByteOrder::Little, 8, 100, 253),
            // 2^-20 units, plus if_tsoffset 10 s
            (
                1,
                sec + 500_000_000 + 10_000_000_000,
                ByteOrder::Little,
                9,
                9,
                1
            ),
            (0, 0, ByteOrder::Little, 80, 80, 253),
            (2, 0, ByteOrder::Big, 16, 100, 253),
            (3, sec + 123_000_000, ByteOrder::Big, 11, 11, 253),
            (2, sec + 5_000, ByteOrder::Big, 9, 9, 253),
        ]
    );
    assert_eq!(f[0].comments, ["hello", "\u{fffd}bad"]);
    assert_eq!(f[4].comments, ["opb"]);
    assert_eq!(f[0].data, b"le-nanos");
    assert_eq!(f[4].data, b"be-obsolete");
    assert_eq!(f[3].data, [9; 16]);
    // Offsets point at the blocks.
    for fr in f {
        let off = fr.file_offset as usize;
        let t = &bytes[off..off + 4];
        assert!(
            [
                [6, 0, 0, 0],
                [3, 0, 0, 0],
                [0, 0, 0, 3],
                [0, 0, 0, 2],
                [0, 0, 0, 6]
            ]
            .contains(&t.try_into().unwrap())
        );
    }

    // Write as pcapng and read back: same frames (if_tsoffset is folded into the
    // timestamps), same interfaces, one section per byte order.
    let ng = write(&p, OutFormat::PcapNg);
    let q = parse_ok(&ng);
    assert_eq!(strip(&q.frames).len(), 6);
    for (a, b) in p.frames.iter().zip(&q.frames) {
        assert_eq!(
            (a.ts_ns, &a.data, a.orig_len, &a.comments, a.byte_order),
            (b.ts_ns, &b.data, b.orig_len, &b.comments, b.byte_order)
        );
        let (ia, ib) = (
            &p.interfaces[a.interface as usize],
            &q.interfaces[b.interface as usize],
        );
        assert_eq!(
            (ia.linktype, ia.snaplen, ia.tsresol, &ia.name, &ia.comments),
            (ib.linktype, ib.snaplen, ib.tsresol, &ib.name, &ib.comments)
        );
    }
    assert_eq!(q.section_comments, ["section one", "section two"]);
    assert_eq!(q.interfaces.len(), 4);
    assert_eq!(
        ng.windows(4)
            .filter(|w| *w == [0x0a, 0x0d, 0x0d, 0x0a])
            .count(),
        2,
        "expected two sections"
    );
}

#[test]
fn pcapng_rejects_bad_blocks() {
    let base = {
        let mut ng = Ng::new();
        ng.shb(ByteOrder::Little, &[]);
        ng.idb(253, 0, &[]);
        ng
    };
    let check = |bytes: &[u8], kind: ReadErrorKind, offset: u64| {
        let p = parse(bytes).unwrap();
        let e = p
            .error
            .unwrap_or_else(|| panic!("error expected, got {:?}", p.frames));
        assert_eq!((e.kind, e.offset), (kind, offset), "{e}");
    };
    let epb_at = base.out.len() as u64;
    for len in [0u32, 3, 8, 0xffff, 0xffff_fffc, 0xffff_ffff] {
        let mut ng = Ng {
            bo: base.bo,
            out: base.out.clone(),
        };
        ng.epb(0, 1, &[1; 40], 40, &[]);
        ng.out[epb_at as usize + 4..][..4].copy_from_slice(&len.to_le_bytes());
        check(&ng.out, ReadErrorKind::Corrupt, epb_at);
    }
    // 0x10000 is a plausible length: the block is then truncated.
    let mut ng = Ng {
        bo: base.bo,
        out: base.out.clone(),
    };
    ng.epb(0, 1, &[1; 40], 40, &[]);
    ng.out[epb_at as usize + 4..][..4].copy_from_slice(&0x10000u32.to_le_bytes());
    let e = parse(&ng.out[..]).unwrap().error.unwrap();
    assert_eq!(e.kind, ReadErrorKind::Truncated);
    assert_eq!(
        e.to_string(),
        format!(
            "truncated pcapng block at byte offset {epb_at}: block length 65536, only 72 bytes present"
        )
    );
    // Trailer mismatch.
    let mut ng = Ng {
        bo: base.bo,
        out: base.out.clone(),
    };
    ng.epb(0, 1, &[1; 40], 40, &[]);
    let n = ng.out.len();
    ng.out[n - 4] ^= 4;
    check(&ng.out, ReadErrorKind::Corrupt, epb_at);
    // Unknown interface, caplen beyond the block, overrunning option, bad if_tsresol.
    let mut ng = Ng {
        bo: base.bo,
        out: base.out.clone(),
    };
    ng.epb(1, 1, &[1; 4], 4, &[]);
    check(&ng.out, ReadErrorKind::Corrupt, epb_at);
    let mut ng = Ng {
        bo: base.bo,
        out: base.out.clone(),
    };
    ng.epb(0, 1, &[1; 4], 4, &[]);
    ng.out[epb_at as usize + 20] = 200;
    check(&ng.out, ReadErrorKind::Corrupt, epb_at);
    let mut ng = Ng {
        bo: base.bo,
        out: base.out.clone(),
    };
    ng.epb(0, 1, &[1; 4], 4, &[(1, b"abcd")]);
    ng.out[epb_at as usize + 34] = 9; // comment length 4 -> 9
    check(&ng.out, ReadErrorKind::Corrupt, epb_at);
    let mut ng = Ng {
        bo: base.bo,
        out: base.out.clone(),
    };
    ng.idb(253, 0, &[(9, &[6, 6])]);
    check(&ng.out, ReadErrorKind::Corrupt, epb_at);
    // SPB before any IDB in its section.
    let mut ng = Ng::new();
    ng.shb(ByteOrder::Big, &[]);
    let at = ng.spb(4, &[1; 4]) as u64;
    check(&ng.out, ReadErrorKind::Corrupt, at);
    // Second SHB with an unknown major version or bad magic.
    let mut ng = Ng {
        bo: base.bo,
        out: base.out.clone(),
    };
    ng.shb(ByteOrder::Big, &[]);
    ng.out[epb_at as usize + 12] = 2;
    check(&ng.out, ReadErrorKind::Corrupt, epb_at);
    let mut ng = Ng {
        bo: base.bo,
        out: base.out.clone(),
    };
    ng.shb(ByteOrder::Big, &[]);
    ng.out[epb_at as usize + 8] = 0;
    check(&ng.out, ReadErrorKind::Corrupt, epb_at);
}

#[test]
fn timestamp_resolutions() {
    let s = 1_700_000_000u64;
    let sn = i128::from(s) * 1_000_000_000;
    assert_eq!(units_to_ns(s * 1_000_000 + 7, 6), sn + 7_000);
    assert_eq!(units_to_ns(s * 1_000_000_000 + 7, 9), sn + 7);
    assert_eq!(units_to_ns(s, 0), sn);
    assert_eq!(units_to_ns(s * 1000 + 1, 12), i128::from(s)); // picoseconds
    assert_eq!(units_to_ns((s << 20) + 1, 0x94), sn + 953); // 2^-20 s, truncated
    assert_eq!(units_to_ns(s << 32, 0xa0), sn);
    for r in [0x7f, 0xff, 0x80, 40, 0xc0] {
        let _ = units_to_ns(u64::MAX, r);
        let _ = ns_to_units(i128::MAX, r);
    }
    // Exact inverse for resolutions of 1 ns or coarser.
    for r in [0u8, 3, 6, 9, 0x80, 0x8a, 0x94, 0x9d] {
        for u in [0u64, 1, 12345, s << 20, (s << 20) + 999_999, u64::MAX >> 3] {
            let ns = units_to_ns(u, r);
            assert_eq!(
                ns_to_units(ns, r).map(|x| units_to_ns(x, r)),
                Some(ns),
                "r={r:#x} u={u}"
            );
            if r & 0x80 != 0 {
                assert_eq!(ns_to_units(ns, r), Some(u), "r={r:#x} u={u}");
            }
        }
    }
    assert_eq!(ns_to_units(-1, 6), None);
    assert_eq!(ns_to_units(i128::from(u64::MAX) * 1000, 12), None);
}

// ---- truncation and corruption ---------------------------------------------------------

/// Record/block boundaries of a well-formed capture: (offset, length) of each frame's
/// record and the offset where records start.
fn boundaries(bytes: &[u8]) -> (Vec<(u64, u64)>, Vec<u64>) {
    let p = parse_ok(bytes);
    let frames = &p.frames;
    let mut all = vec![0u64];
    let mut pos = if p.format == FileFormat::Pcap {
        24usize
    } else {
        0
    };
    if pos != 0 {
        all.push(pos as u64);
    }
    let mut frame_spans = Vec::new();
    while pos < bytes.len() {
        let len = if p.format == FileFormat::Pcap {
            16 + u32::from_le_bytes(bytes[pos + 8..pos + 12].try_into().unwrap()) as usize
        } else {
            u32::from_le_bytes(bytes[pos + 4..pos + 8].try_into().unwrap()) as usize
        };
        if frames.iter().any(|f| f.file_offset == pos as u64) {
            frame_spans.push((pos as u64, len as u64));
        }
        pos += len;
        all.push(pos as u64);
    }
    assert_eq!(frame_spans.len(), frames.len());
    (frame_spans, all)
}

fn check_cut(bytes: &[u8], cut: usize, spans: &[(u64, u64)], all: &[u64], full: &[Frame]) {
    let data = &bytes[..cut];
    let first_len = if bytes[0] == 0x0a { all[1] } else { 24 };
    let res = parse(data);
    if (cut as u64) < first_len {
        let e = res.err().expect("header error");
        let kind = if cut < 4 {
            ReadErrorKind::NotACapture
        } else {
            ReadErrorKind::Truncated
        };
        assert_eq!((e.kind, e.offset), (kind, 0), "cut {cut}: {e}");
        return;
    }
    let p = res.unwrap();
    let complete = spans.iter().filter(|(o, l)| o + l <= cut as u64).count();
    assert_eq!(p.frames, full[..complete], "cut {cut}");
    let at_boundary = all.contains(&(cut as u64));
    match p.error {
        None => assert!(at_boundary, "cut {cut}: expected a truncation error"),
        Some(e) => {
            assert!(!at_boundary, "cut {cut}: unexpected {e}");
            let start = *all.iter().filter(|&&b| b <= cut as u64).max().unwrap();
            assert_eq!(
                (e.kind, e.offset),
                (ReadErrorKind::Truncated, start),
                "cut {cut}: {e}"
            );
            assert!(e.to_string().starts_with("truncated "));
        }
    }
}

#[test]
fn truncation_at_every_offset() {
    for name in ["conntrack.pcap", "tc.pcap"] {
        let Some(orig) = load(name) else { continue };
        let ng = write(&parse_ok(&orig), OutFormat::PcapNg);
        for bytes in [orig, ng] {
            let full = parse_ok(&bytes).frames;
            let (spans, all) = boundaries(&bytes);
            let mut cuts: Vec<usize> = (0..bytes.len().min(4096)).collect();
            for &b in &all {
                for d in [-1i64, 0, 1, 4, 15, 16, 17] {
                    let c = b as i64 + d;
                    if c >= 0 && c as usize <= bytes.len() {
                        cuts.push(c as usize);
                    }
                }
            }
            for cut in cuts {
                check_cut(&bytes, cut, &spans, &all, &full);
            }
        }
    }
}

fn synthetic_pcap(
    byte_order: ByteOrder,
    nanos: bool,
    snaplen: u32,
    records: &[(u32, u32, &[u8])],
) -> Vec<u8> {
    let ng = Ng {
        bo: byte_order,
        out: Vec::new(),
    };
    let mut b = ng
        .u32(if nanos { 0xa1b2_3c4d } else { 0xa1b2_c3d4 })
        .to_vec();
    b.extend(ng.u16(2));
    b.extend(ng.u16(4));
    b.extend([0; 8]);
    b.extend(ng.u32(snaplen));
    b.extend(ng.u32(253));
    for (sec, frac, data) in records {
        b.extend(ng.u32(*sec));
        b.extend(ng.u32(*frac));
        b.extend(ng.u32(data.len() as u32));
        b.extend(ng.u32(data.len() as u32));
        b.extend(*data);
    }
    b
}

#[test]
fn pcap_bad_record_lengths() {
    let rec = [0xab; 100];
    let good = synthetic_pcap(ByteOrder::Little, false, 65535, &[(1, 2, &rec)]);
    for (len, kind, frames) in [
        // 0 and 3 are valid lengths; the 0xab bytes then read as a record header claiming
        // 0xabababab bytes.
        (0u32, ReadErrorKind::Corrupt, 1),
        (3, ReadErrorKind::Corrupt, 1),
        (0xffff, ReadErrorKind::Truncated, 0),
        (MAX_RECORD_LEN + 1, ReadErrorKind::Corrupt, 0),
        (0xffff_ffff, ReadErrorKind::Corrupt, 0),
    ] {
        let mut b = good.clone();
        b[32..36].copy_from_slice(&len.to_le_bytes());
        let p = parse(&b[..]).unwrap();
        assert_eq!(p.frames.len(), frames, "len {len}");
        let e = p.error.unwrap();
        assert_eq!(e.kind, kind, "len {len}: {e}");
        let expect_off = if frames == 0 { 24 } else { 40 + u64::from(len) };
        assert_eq!(e.offset, expect_off, "len {len}: {e}");
    }
    // incl_len > orig_len is accepted.
    let mut b = good.clone();
    b[36..40].copy_from_slice(&10u32.to_le_bytes());
    let p = parse_ok(&b);
    assert_eq!((p.frames[0].data.len(), p.frames[0].orig_len), (100, 10));
    // Unsupported version.
    let mut b = good;
    b[4] = 3;
    assert_eq!(parse(&b[..]).err().unwrap().kind, ReadErrorKind::Corrupt);
}

#[test]
fn truncated_record_does_not_allocate_claimed_length() {
    let mut buf = Vec::new();
    let n = read_up_to(&mut &[7u8; 10][..], &mut buf, MAX_RECORD_LEN as usize).unwrap();
    assert_eq!(n, 10);
    assert!(buf.capacity() <= 64 * 1024, "capacity {}", buf.capacity());
    // A complete read allocates exactly what is needed.
    let src = vec![1u8; 300_000];
    let mut buf = Vec::new();
    assert_eq!(
        read_up_to(&mut &src[..], &mut buf, 200_000).unwrap(),
        200_000
    );
    assert_eq!(buf.capacity(), 200_000);
    assert_eq!(buf, src[..200_000]);
}

#[test]
fn not_a_capture() {
    let elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0\x3e\0";
    let text = b"Real nlmon (Linux netlink monitor) captures\n";
    let mut rng = 0x1234_5678_9abc_def0u64;
    let garbage: Vec<u8> = (0..1000).map(|_| xorshift(&mut rng) as u8).collect();
    for (input, msg) in [
        (&b""[..], "not a pcap or pcapng file (empty input)"),
        (
            &b"\xd4\xc3\xb2"[..],
            "not a pcap or pcapng file (only 3 bytes)",
        ),
        (
            &elf[..],
            "not a pcap or pcapng file (magic 0x7f454c46 at byte offset 0)",
        ),
        (
            &text[..],
            "not a pcap or pcapng file (magic 0x5265616c at byte offset 0)",
        ),
        (&garbage[..], ""),
        (&b"\x0a\x0d\x0d\x0a\x1c\0\0\0\x01\x02\x03\x04"[..], ""),
    ] {
        let e = Reader::new(input).err().unwrap();
        assert_eq!((e.kind, e.offset), (ReadErrorKind::NotACapture, 0), "{e}");
        if !msg.is_empty() {
            assert_eq!(e.to_string(), msg);
        }
    }
    if let Ok(f) = std::fs::File::open("/proc/self/exe") {
        assert_eq!(
            Reader::new(f).err().unwrap().kind,
            ReadErrorKind::NotACapture
        );
    }
}

fn xorshift(s: &mut u64) -> u64 {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    *s
}

#[test]
fn random_corruption_never_panics() {
    let Some(orig) = load("conntrack.pcap") else {
        return;
    };
    let ng = write(&parse_ok(&orig), OutFormat::PcapNg);
    let multi = two_section_capture();
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    for base in [&orig, &ng, &multi] {
        for _ in 0..1500 {
            let mut b = base.clone();
            for _ in 0..1 + xorshift(&mut rng) % 8 {
                let i = (xorshift(&mut rng) % b.len() as u64) as usize;
                // Favour length-like values.
                b[i] = match xorshift(&mut rng) % 4 {
                    0 => 0,
                    1 => 0xff,
                    _ => xorshift(&mut rng) as u8,
                };
            }
            let cut = (xorshift(&mut rng) % (b.len() as u64 + 1)) as usize;
            let b = if xorshift(&mut rng).is_multiple_of(2) {
                &b[..cut]
            } else {
                &b[..]
            };
            if let Ok(rd) = Reader::new(b) {
                let total = rd
                    .map(|r| r.map(|f| f.data.len()).unwrap_or(0))
                    .sum::<usize>();
                assert!(total <= b.len());
            }
        }
    }
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

// ---- writer ----------------------------------------------------------------------------

fn iface(linktype: u32, byte_order: ByteOrder, tsresol: u8) -> Interface {
    Interface {
        linktype,
        snaplen: 262_144,
        name: None,
        ts_nanos: tsresol == 9,
        tsresol,
        byte_order,
        comments: Vec::new(),
    }
}

fn frame(byte_order: ByteOrder, ts_ns: i128, data: &[u8]) -> Frame {
    Frame {
        ts_ns,
        interface: 0,
        linktype: 253,
        byte_order,
        data: data.to_vec(),
        orig_len: data.len() as u32,
        comments: Vec::new(),
        file_offset: 0,
    }
}

fn opts(format: OutFormat) -> WriterOptions {
    WriterOptions {
        format,
        section_comments: vec!["made by a test".into()],
        application: Some("nlscope 0.1.0".into()),
    }
}

#[test]
fn big_endian_nanosecond_pcap() {
    let ifc = iface(253, ByteOrder::Big, 9);
    let ts = 1_700_000_000_123_456_789i128;
    let mut w = Writer::new(Vec::new(), opts(OutFormat::Pcap));
    w.write_frame(&frame(ByteOrder::Big, ts, b"abc"), &ifc)
        .unwrap();
    w.write_frame(&frame(ByteOrder::Big, ts + 1, b""), &ifc)
        .unwrap();
    let out = w.into_inner();
    assert_eq!(out[..4], [0xa1, 0xb2, 0x3c, 0x4d]);
    let expected = synthetic_pcap(
        ByteOrder::Big,
        true,
        262_144,
        &[
            (1_700_000_000, 123_456_789, b"abc"),
            (1_700_000_000, 123_456_790, b""),
        ],
    );
    assert_eq!(out, expected);
    let p = parse_ok(&out);
    assert_eq!(
        p.interfaces[0],
        Interface {
            snaplen: 262_144,
            ..ifc.clone()
        }
    );
    assert_eq!(p.frames[0].ts_ns, ts);
    assert_eq!(p.frames[0].byte_order, ByteOrder::Big);
    let mut theirs = pcap_file::pcap::PcapReader::new(&out[..]).unwrap();
    let pkt = theirs.next_packet().unwrap().unwrap();
    assert_eq!(pkt.timestamp.as_nanos() as i128, ts);
    // Through pcapng and back: byte-exact.
    let again = write(&p, OutFormat::Pcap);
    let ng = write(&p, OutFormat::PcapNg);
    assert_eq!(again, out);
    assert_eq!(write(&parse_ok(&ng), OutFormat::Pcap), out);
}

#[test]
fn pcap_writer_rejects_mixed_frames() {
    let le = iface(253, ByteOrder::Little, 6);
    let mut w = Writer::new(Vec::new(), opts(OutFormat::Pcap));
    w.write_frame(&frame(ByteOrder::Little, 0, b"x"), &le)
        .unwrap();
    let e = w
        .write_frame(
            &frame(ByteOrder::Little, 0, b"x"),
            &iface(1, ByteOrder::Little, 6),
        )
        .unwrap_err();
    assert_eq!(e.kind, WriteErrorKind::Incompatible);
    assert!(e.message.contains("link type 1"), "{e}");
    let e = w
        .write_frame(
            &frame(ByteOrder::Big, 0, b"x"),
            &iface(253, ByteOrder::Big, 6),
        )
        .unwrap_err();
    assert_eq!(e.kind, WriteErrorKind::Incompatible);
    assert!(e.message.contains("big-endian"), "{e}");
    for ts in [-1i128, 1i128 << 80] {
        let e = w
            .write_frame(&frame(ByteOrder::Little, ts, b"x"), &le)
            .unwrap_err();
        assert_eq!(e.kind, WriteErrorKind::Unrepresentable, "{e}");
    }
    // Failed frames leave nothing behind.
    assert_eq!(parse_ok(&w.into_inner()).frames.len(), 1);
}

#[test]
fn pcapng_writer_sections_and_interfaces() {
    let a = Interface {
        name: Some("nlmon0".into()),
        comments: vec!["c".into()],
        ..iface(253, ByteOrder::Little, 6)
    };
    let b = iface(1, ByteOrder::Little, 0x94);
    let c = iface(253, ByteOrder::Big, 9);
    let mut w = Writer::new(Vec::new(), opts(OutFormat::PcapNg));
    let mut frames = Vec::new();
    for (i, (ifc, idx, bo)) in [
        (&a, 0, ByteOrder::Little),
        (&b, 1, ByteOrder::Little),
        (&a, 0, ByteOrder::Little),
        (&c, 2, ByteOrder::Big),
        (&a, 0, ByteOrder::Little),
    ]
    .into_iter()
    .enumerate()
    {
        // Multiples of 0.5 s are exact in every resolution used here.
        let mut f = frame(
            bo,
            1_700_000_000_000_000_000 + i as i128 * 500_000_000,
            &[i as u8; 5],
        );
        f.interface = idx;
        f.linktype = ifc.linktype;
        f.comments = vec![format!("frame {i}")];
        w.write_frame(&f, ifc).unwrap();
        frames.push(f);
    }
    let p = parse_ok(&w.into_inner());
    // Sections: LE (a, b), BE (c), LE (a again).
    assert_eq!(p.interfaces.len(), 4);
    assert_eq!(p.section_comments, ["made by a test"]);
    let idx: Vec<_> = p.frames.iter().map(|f| f.interface).collect();
    assert_eq!(idx, [0, 1, 0, 2, 3]);
    assert_eq!(p.interfaces[3], a);
    assert_eq!(p.interfaces[1], b);
    assert_eq!(p.interfaces[2], c);
    for (x, y) in frames.iter().zip(&p.frames) {
        assert_eq!(
            (x.ts_ns, &x.data, &x.comments, x.byte_order, x.linktype),
            (y.ts_ns, &y.data, &y.comments, y.byte_order, y.linktype)
        );
    }
    // Comment too long for an option.
    let mut w = Writer::new(Vec::new(), opts(OutFormat::PcapNg));
    let mut f = frame(ByteOrder::Little, 0, b"x");
    f.comments = vec!["x".repeat(70_000)];
    assert_eq!(
        w.write_frame(&f, &a).unwrap_err().kind,
        WriteErrorKind::Unrepresentable
    );
}

#[test]
fn header_only_output_is_a_valid_empty_capture() {
    for format in [OutFormat::Pcap, OutFormat::PcapNg] {
        let mut w = Writer::new(Vec::new(), opts(format));
        w.write_header(&iface(253, ByteOrder::Big, 6), ByteOrder::Big)
            .unwrap();
        let p = parse_ok(&w.into_inner());
        assert!(p.frames.is_empty());
    }
    // Without a header nothing is written at all.
    assert!(
        Writer::new(Vec::new(), opts(OutFormat::Pcap))
            .into_inner()
            .is_empty()
    );
}

struct FailingWriter;

impl io::Write for FailingWriter {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::ErrorKind::BrokenPipe.into())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn writer_io_errors() {
    let ifc = iface(253, ByteOrder::Little, 6);
    let mut w = Writer::new(FailingWriter, opts(OutFormat::Pcap));
    let e = w
        .write_frame(&frame(ByteOrder::Little, 0, b"x"), &ifc)
        .unwrap_err();
    assert_eq!(e.kind, WriteErrorKind::Io);
    assert!(std::error::Error::source(&e).is_some());
    let e = w
        .write_frame(&frame(ByteOrder::Little, 0, b"x"), &ifc)
        .unwrap_err();
    assert_eq!(e.kind, WriteErrorKind::Io);
    let _inner: FailingWriter = w.into_inner();
}
