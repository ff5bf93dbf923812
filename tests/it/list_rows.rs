//! Packet-list row colours: expert warnings and errors from the tree, error acks, direction.

use egui::Vec2;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use nlscope::dissect::specs::SpecRegistry;
use nlscope::model::Severity;
use nlscope::ui::App;
use nlscope::ui::rows::{RowTone, row_tone, worst_severity};

use nlscope::netlink::MsgBuilder;

use crate::it::common::{TempDir, le_msg, nl_frame, pcap_file};

/// ifinfomsg for RTM_NEWLINK: family 0, type 1 (ether), index 1.
fn ifinfomsg() -> Vec<u8> {
    let mut v = vec![0u8, 0];
    v.extend_from_slice(&1u16.to_le_bytes());
    v.extend_from_slice(&1i32.to_le_bytes());
    v.extend_from_slice(&[0; 8]);
    v
}

/// RTM_NEWLINK number `seq`: ifinfomsg, then what `tail` appends.
fn frame(tail: impl FnOnce(&mut MsgBuilder), seq: u32) -> Vec<u8> {
    let mut m = le_msg(16, 0, seq, 0);
    m.push(&ifinfomsg());
    tail(&mut m);
    nl_frame(0, m)
}

#[test]
fn rows_with_expert_warnings_and_errors_are_coloured() {
    let dir = TempDir::new("list-rows");
    // 1: IFLA_MTU with 2 bytes (a warning); 2: an attribute longer than the message (an
    // error); 3: a clean IFLA_IFNAME.
    let frames = [
        frame(
            |m| {
                m.attr(4, &[0xdc, 0x05]);
            },
            1,
        ),
        // By hand: nla_len 40 (IFLA_IFNAME) with only 4 bytes of it present.
        frame(
            |m| {
                m.push_u16(40).push_u16(3).push(b"lo\0\0");
            },
            2,
        ),
        frame(
            |m| {
                m.attr_str(3, "lo");
            },
            3,
        ),
    ];
    let path = dir.path("experts.pcap");
    std::fs::write(&path, pcap_file(&frames)).unwrap();
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(&path);
    app.finish();
    assert_eq!(app.store.len(), 3);
    // Nothing is worked out before the rows are shown.
    assert_eq!(app.list.row_experts.get(0), None);
    let mut h = Harness::builder()
        .with_size(Vec2::new(1400.0, 900.0))
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    h.run();
    h.get_by_label("1:0");
    let app = h.state();
    let want = [Some(Severity::Warning), Some(Severity::Error), None];
    for (i, w) in want.into_iter().enumerate() {
        assert_eq!(app.list.row_experts.get(i), Some(w), "row {i}");
        assert_eq!(worst_severity(&app.store, i), w, "row {i}");
    }
    let tones: Vec<RowTone> = (0..3)
        .map(|i| row_tone(app.store.mark(i), app.list.row_experts.get(i).flatten()))
        .collect();
    assert_eq!(tones, [RowTone::Warning, RowTone::Error, RowTone::Plain]);
    // No NLM_F_REQUEST: all three are from the kernel.
    assert_eq!(h.query_all_by_label("to kernel").count(), 0);
    assert_eq!(h.query_all_by_label("from kernel").count(), 3);
}

#[test]
fn error_acks_are_error_rows_without_building_trees_first() {
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(&crate::it::common::local("route-link.pcap"));
    app.finish();
    let errors: Vec<usize> = (0..app.store.len())
        .filter(|&i| {
            app.store
                .msg(i)
                .is_some_and(|e| e.idx.error.is_some_and(|x| x != 0))
        })
        .collect();
    assert!(!errors.is_empty());
    for i in errors {
        assert_eq!(row_tone(app.store.mark(i), None), RowTone::Error);
    }
}
