//! The synthetic big-endian capture decodes exactly like the little-endian original.

use nlscope::dissect::specs::SpecRegistry;
use nlscope::model::Severity;
use nlscope::pcap::ByteOrder;

use super::common::*;

/// Frames of route-link.pcap that captures/route-link-be.pcap was made from (see its README).
const FRAMES: [u64; 7] = [1, 2, 3, 4, 85, 86, 87];

#[test]
fn big_endian_capture_equals_little_endian_original() {
    let be = json_msgs(&local("route-link-be.pcap"), &[]);
    let le: Vec<_> = json_msgs(&local("route-link.pcap"), &[])
        .into_iter()
        .filter(|m| FRAMES.contains(&m["frame"].as_u64().unwrap()))
        .collect();
    assert_eq!(be.len(), 15);
    assert_eq!(be.len(), le.len());
    for (b, l) in be.iter().zip(&le) {
        // Links name frames, and the big-endian file holds only some of the original's.
        let (mut b, mut l) = (without_conv(b.clone()), without_conv(l.clone()));
        let fb = b["frame"].as_u64().unwrap();
        assert_eq!(FRAMES[fb as usize - 1], l["frame"].as_u64().unwrap());
        for m in [&mut b, &mut l] {
            let o = m.as_object_mut().unwrap();
            o.remove("frame");
            o.remove("time");
        }
        assert_eq!(b, l, "BE frame {fb} differs from the LE original");
    }
}

#[test]
fn big_endian_capture_has_no_errors_and_is_big_endian() {
    let bytes = std::fs::read(local("route-link-be.pcap")).unwrap();
    assert_eq!(
        &bytes[..4],
        &[0xa1, 0xb2, 0xc3, 0xd4],
        "big-endian pcap magic"
    );
    let (frames, err) = read_frames(&bytes);
    assert!(err.is_none());
    assert!(frames.iter().all(|f| f.byte_order == ByteOrder::Big));
    let mut dis = nlscope::dissect::Dissector::new(SpecRegistry::with_embedded());
    for f in &frames {
        let fi = dis.index_frame(&f.data, f.linktype, nlscope::model::Endian::Big);
        assert!(
            !fi.swapped,
            "the file's byte order is the messages' byte order"
        );
        assert!(
            fi.msgs
                .iter()
                .all(|m| m.endian == nlscope::model::Endian::Big)
        );
    }
    for d in dissect_all(&frames, SpecRegistry::with_embedded()) {
        for n in all_nodes(&d.nodes) {
            assert!(
                n.expert
                    .as_ref()
                    .is_none_or(|e| e.severity < Severity::Error),
                "frame {} {}: {:?}",
                d.frame,
                n.name,
                n.expert
            );
        }
    }
}
