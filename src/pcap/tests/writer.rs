//! The writer: byte orders, resolutions, sections and interfaces, I/O errors.

use super::corrupt::synthetic_pcap;
use super::*;

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
