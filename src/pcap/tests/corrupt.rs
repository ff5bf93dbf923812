//! Truncation at every offset, bad record lengths, random corruption: never a panic.

use super::pcapng::{Ng, two_section_capture};
use super::*;

/// Record/block boundaries of a well-formed capture: (offset, length) of each frame's
/// record and the offset where records start.
pub(super) fn boundaries(bytes: &[u8]) -> (Vec<(u64, u64)>, Vec<u64>) {
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

pub(super) fn synthetic_pcap(
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
