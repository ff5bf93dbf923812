//! pcap/pcapng -> pcapng -> pcap: every frame the writer accepts is read back equal (bytes,
//! original length, link type, time, pcapng comments), and the pcapng written is written
//! again as pcap and read back equal to the time resolution pcap keeps.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use nlscope::pcap::{Frame, Interface, OutFormat, Reader, Writer, WriterOptions};

/// The frames of `data` (up to the first error) with their interfaces.
fn read_all(data: &[u8]) -> Vec<(Frame, Interface)> {
    let Ok(mut r) = Reader::new(Cursor::new(data)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    while let Some(Ok(f)) = r.next_frame() {
        if let Some(i) = r.interfaces().get(f.interface as usize).cloned() {
            out.push((f, i));
        }
    }
    out
}

/// Write `frames` in `format`; returns the file and the frames it took.
fn write_all(
    frames: &[(Frame, Interface)],
    format: OutFormat,
) -> (Vec<u8>, Vec<(Frame, Interface)>) {
    let opts = WriterOptions {
        format,
        section_comments: vec!["genl-families: 16=nlctrl".into()],
        application: Some("nlscope-fuzz".into()),
    };
    let mut w = Writer::new(Vec::new(), opts);
    let mut taken = Vec::new();
    for (f, i) in frames {
        if w.write_frame(f, i).is_ok() {
            taken.push((f.clone(), i.clone()));
        }
    }
    (w.into_inner(), taken)
}

fuzz_target!(|data: &[u8]| {
    let frames = read_all(data);
    if frames.is_empty() {
        return;
    }
    let (ng, taken) = write_all(&frames, OutFormat::PcapNg);
    let back = read_all(&ng);
    assert_eq!(
        back.len(),
        taken.len(),
        "pcapng: frames written vs read back"
    );
    for ((a, ai), (b, bi)) in taken.iter().zip(&back) {
        assert_eq!(a.data, b.data);
        assert_eq!(a.orig_len, b.orig_len);
        assert_eq!(a.linktype, b.linktype);
        assert_eq!(a.ts_ns, b.ts_ns, "pcapng time");
        assert_eq!(a.comments, b.comments);
        assert_eq!(ai.linktype, bi.linktype);
    }

    let (pcap, taken) = write_all(&back, OutFormat::Pcap);
    let again = read_all(&pcap);
    assert_eq!(
        again.len(),
        taken.len(),
        "pcap: frames written vs read back"
    );
    for ((a, _), (b, bi)) in taken.iter().zip(&again) {
        assert_eq!(a.data, b.data);
        assert_eq!(a.orig_len, b.orig_len);
        assert_eq!(a.linktype, b.linktype);
        let unit = if bi.ts_nanos { 1 } else { 1000 };
        assert_eq!(
            a.ts_ns.div_euclid(unit),
            b.ts_ns.div_euclid(unit),
            "pcap time"
        );
    }
});
