//! The desktop app, driven headless through egui_kittest (AccessKit; no GPU, no window).

use egui::{Key, Role, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use nlscope::dissect::specs::SpecRegistry;
use nlscope::ui::{App, FilterCheck};

use crate::it::common::local as capture;

/// The app with `route-link.pcap` fully loaded, in a 1400x1100 harness.
fn harness() -> Harness<'static, App> {
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(&capture("route-link.pcap"));
    app.finish();
    assert!(app.error.is_none(), "{:?}", app.error);
    let mut h = Harness::builder()
        .with_size(Vec2::new(1400.0, 1100.0))
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    h.run();
    h
}

/// Display row of the RTM_NEWLINK reply describing veth0 (frame 86 message 3).
fn veth0_row(app: &App) -> usize {
    app.list
        .displayed
        .iter()
        .position(|&i| {
            let e = app.store.msg(i as usize).expect("msg");
            e.frame == 85 && e.pos == 3
        })
        .expect("veth0 newlink displayed")
}

#[test]
fn list_shows_the_capture() {
    let h = harness();
    let app = h.state();
    assert_eq!(app.list.displayed.len(), app.store.len());
    assert!(app.store.message_count() > 50);
    // One row per message, plus one per frame without messages (as `nlscope read` prints).
    let cli_lines = crate::it::common::run_ok(&[
        "read",
        "-r",
        capture("route-link.pcap").to_str().expect("utf-8"),
    ])
    .lines()
    .count();
    assert_eq!(app.store.len(), cli_lines);
    // Only the visible rows are built: far fewer type labels than messages.
    let shown = h.query_all_by_label("RTM_NEWLINK").count();
    assert!(shown > 0, "no RTM_NEWLINK row visible");
    assert!(shown < app.store.len());
    // The status bar counts.
    let status = format!(
        "Frames: {}  Messages: {}  Displayed: {}",
        app.store.frame_count(),
        app.store.message_count(),
        app.list.displayed.len()
    );
    h.get_by_label(&status);
    h.get_by_label("route-link.pcap");
}

#[test]
fn click_row_shows_tree_click_node_highlights_bytes_click_byte_selects_node() {
    let mut h = harness();
    let row = veth0_row(h.state());
    // Bring the row into view, then click it through AccessKit.
    h.state_mut().select_row(row);
    h.state_mut().list.scroll_to_selected = true;
    h.run();
    h.state_mut().selected = None;
    h.state_mut().detail.tree = None;
    h.run();
    // The No. cell of frame 86 message 3, as `nlscope read` numbers it.
    h.get_by_label("86:3").click();
    h.run();
    let sel = h.state().selected.expect("a message is selected");
    assert_eq!(
        Some(sel),
        h.state().list.displayed.get(row).map(|&i| i as usize)
    );
    let v = h.state().store.view(sel).expect("view");
    assert_eq!(v.type_str(), "RTM_NEWLINK");
    assert!(v.summary().contains("veth0"), "{}", v.summary());
    // The tree shows IFLA_IFNAME.
    let node = h.get_by_label("IFLA_IFNAME: \"veth0\"");
    node.click();
    h.run();
    let app = h.state();
    let path = app.detail.selected_node.clone().expect("node selected");
    let n = app.detail.node_at(&path).expect("node").clone();
    assert_eq!(n.name, "IFLA_IFNAME");
    assert_eq!(app.hex.sel, Some((n.offset, n.length)));
    // Click a byte of the ifinfomsg header: ifinfomsg's deepest child covering it is selected.
    let hdr = app
        .detail
        .tree
        .as_ref()
        .expect("tree")
        .iter()
        .find(|t| t.name == "ifinfomsg")
        .expect("ifinfomsg")
        .clone();
    let target = hdr
        .children
        .iter()
        .find(|c| c.name == "ifi_index")
        .expect("ifi_index")
        .clone();
    let label = format!("byte {}", target.offset + 1);
    h.get_by_label(&label).click();
    h.run();
    let app = h.state();
    let path = app
        .detail
        .selected_node
        .clone()
        .expect("node selected by byte");
    assert_eq!(app.detail.node_at(&path).expect("node").name, "ifi_index");
    assert_eq!(app.hex.sel, Some((target.offset, target.length)));
    // The first frame bytes are the cooked header's (scroll the hex pane up first).
    h.state_mut().hex.scroll_to = Some(0);
    h.run();
    h.get_by_label("byte 0").click();
    h.run();
    let app = h.state();
    let path = app
        .detail
        .selected_node
        .clone()
        .expect("cooked header node");
    assert!(
        app.detail
            .node_at(&path)
            .expect("node")
            .field
            .starts_with("sll")
    );
    // The frame summary heads the tree.
    h.get_by_label_contains("Frame: 86, message 3 of ");
}

#[test]
fn keyboard_moves_the_selection() {
    let mut h = harness();
    h.state_mut().select_row(0);
    h.run();
    h.key_press(Key::ArrowDown);
    h.run();
    h.key_press(Key::ArrowDown);
    h.run();
    assert_eq!(h.state().selected_row(), Some(2));
    h.key_press(Key::ArrowUp);
    h.run();
    assert_eq!(h.state().selected_row(), Some(1));
    h.key_press(Key::End);
    h.run();
    assert_eq!(
        h.state().selected_row(),
        Some(h.state().list.displayed.len() - 1)
    );
    // After clicks on a row and on a tree node the arrows still drive the list.
    h.key_press(Key::Home);
    h.run();
    h.get_by_label("2:0").click();
    h.run();
    assert_eq!(h.state().selected_row(), Some(1));
    h.get_by_label_contains("nlmsghdr: NLMSG_ERROR").click();
    h.run();
    h.key_press(Key::ArrowDown);
    h.run();
    assert_eq!(h.state().selected_row(), Some(2));
}

#[test]
fn typing_a_filter_narrows_the_list() {
    let mut h = harness();
    let all = h.state().list.displayed.len();
    let field = h.get_by_role(Role::TextInput);
    field.focus();
    h.run();
    h.get_by_role(Role::TextInput)
        .type_text("rt-link.ifname == \"veth0\"");
    h.run();
    assert_eq!(h.state().filter.check, FilterCheck::Valid);
    h.key_press(Key::Enter);
    h.run();
    let app = h.state();
    assert!(!app.list.displayed.is_empty());
    assert!(
        app.list.displayed.len() < all,
        "{} of {all}",
        app.list.displayed.len()
    );
    assert_eq!(
        app.settings.history.first().map(String::as_str),
        Some("rt-link.ifname == \"veth0\"")
    );
    for &i in &app.list.displayed {
        let t = app.store.view(i as usize).expect("view").summary();
        assert!(t.contains("veth0"), "{t}");
    }
}

#[test]
fn a_bad_filter_shows_an_error_and_keeps_the_list() {
    let mut h = harness();
    let all = h.state().list.displayed.len();
    h.get_by_role(Role::TextInput).focus();
    h.run();
    h.get_by_role(Role::TextInput).type_text("nlmsg.type == ");
    h.run();
    assert!(matches!(h.state().filter.check, FilterCheck::Invalid(_)));
    h.get_by_label_contains("Invalid filter: col ");
    h.key_press(Key::Enter);
    h.run();
    assert_eq!(h.state().list.displayed.len(), all);
    // Unknown field names are errors too, with a suggestion.
    h.state_mut().set_filter_text("rt-link.ifnme == x");
    h.run();
    h.get_by_label_contains("Invalid filter: col 1");
}

#[test]
fn field_names_complete() {
    let mut app = App::new(SpecRegistry::with_embedded());
    app.set_filter_text("nlmsg.ty");
    assert!(app.filter.completions().contains(&"nlmsg.type"));
    app.filter.complete("nlmsg.type");
    assert_eq!(app.filter.text, "nlmsg.type");
    app.set_filter_text("nlmsg.type == RTM_NEWLINK && rt-link.ifn");
    assert!(app.filter.completions().contains(&"rt-link.ifname"));
}

#[test]
fn sorting_by_length_orders_rows() {
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(&capture("route-link.pcap"));
    app.finish();
    app.sort_by(nlscope::ui::Col::Len);
    let lens: Vec<u32> = app
        .list
        .displayed
        .iter()
        .map(|&i| app.store.msg(i as usize).expect("msg").idx.len)
        .collect();
    assert!(lens.windows(2).all(|w| w[0] <= w[1]));
    app.sort_by(nlscope::ui::Col::Len);
    let first = app
        .store
        .msg(app.list.displayed[0] as usize)
        .expect("msg")
        .idx
        .len;
    assert_eq!(Some(&first), lens.iter().max());
}

#[test]
fn opening_a_missing_file_reports_it() {
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(std::path::Path::new("/nonexistent/nothing.pcap"));
    app.finish();
    assert!(
        app.error
            .as_deref()
            .is_some_and(|e| e.contains("cannot open"))
    );
    assert!(app.list.displayed.is_empty());
}

#[test]
fn tree_context_menu_applies_a_filter_and_copies() {
    let mut h = harness();
    let row = veth0_row(h.state());
    h.state_mut().select_row(row);
    h.state_mut().list.scroll_to_selected = true;
    h.run();
    let node = h.get_by_label("IFLA_IFNAME: \"veth0\"");
    node.hover();
    h.run();
    h.get_by_label("IFLA_IFNAME: \"veth0\"").click_secondary();
    h.run();
    h.get_by_label("Apply as filter").click();
    h.run();
    let app = h.state();
    let (text, _) = app.filter.applied.as_ref().expect("a filter is applied");
    assert_eq!(text, "rt-link.ifname == \"veth0\"");
    assert!(!app.list.displayed.is_empty() && app.list.displayed.len() < app.store.len());
    // Prepare as filter only fills the bar.
    h.state_mut().apply_filter_text("").expect("clear");
    h.run();
    h.get_by_label("IFLA_IFNAME: \"veth0\"").click_secondary();
    h.run();
    h.get_by_label("Prepare as filter").click();
    h.run();
    assert_eq!(h.state().filter.text, "rt-link.ifname == \"veth0\"");
    assert!(h.state().filter.applied.is_none());
}

#[test]
fn start_view_without_a_file() {
    let mut h = Harness::builder()
        .with_size(Vec2::new(1000.0, 700.0))
        .build_ui_state(
            |ui, app: &mut App| app.ui(ui),
            App::new(SpecRegistry::with_embedded()),
        );
    h.run();
    h.get_by_label("Open capture...");
    h.get_by_label_contains("No capture open");
}

#[test]
fn without_a_display_the_app_explains_itself() {
    let out = std::process::Command::new(crate::it::common::bin())
        .arg(capture("route-link.pcap"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("WAYLAND_SOCKET")
        .env("NLSCOPE_NO_SYSTEM_SPECS", "1")
        .output()
        .expect("spawn nlscope");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no graphical session"), "{err}");
    assert!(err.contains("nlscope read -r"), "{err}");
    crate::it::common::assert_no_panic(&out);
}

#[test]
fn tree_context_menu_copies_and_collapses() {
    let mut h = harness();
    let row = veth0_row(h.state());
    h.state_mut().select_row(row);
    h.state_mut().list.scroll_to_selected = true;
    h.run();
    let copied = |h: &Harness<'_, App>| -> Vec<String> {
        h.output()
            .platform_output
            .commands
            .iter()
            .filter_map(|c| match c {
                egui::OutputCommand::CopyText(t) => Some(t.clone()),
                _ => None,
            })
            .collect()
    };
    h.get_by_label("IFLA_IFNAME: \"veth0\"").click_secondary();
    h.run();
    h.get_by_label("Copy field path").click();
    h.step();
    assert_eq!(copied(&h), ["rt-link.ifname"]);
    h.run();
    h.get_by_label("IFLA_IFNAME: \"veth0\"").click_secondary();
    h.run();
    h.get_by_label("Copy value").click();
    h.step();
    assert_eq!(copied(&h), ["\"veth0\""]);
    h.run();
    // nlmsghdr starts open; Collapse all hides its fields, Expand all shows them again.
    h.get_by_label("nlmsg_len: 1428");
    h.get_by_label("IFLA_IFNAME: \"veth0\"").click_secondary();
    h.run();
    h.get_by_label("Collapse all").click();
    h.run();
    assert!(h.query_by_label("nlmsg_len: 1428").is_none());
    h.get_by_label("IFLA_IFNAME: \"veth0\"").click_secondary();
    h.run();
    h.get_by_label("Expand all").click();
    h.run();
    h.get_by_label("nlmsg_len: 1428");
}

/// A payload filter over many messages runs across frames with a progress bar and a Cancel
/// that shows every message again.
#[test]
fn a_long_filter_shows_progress_and_cancels() {
    let bytes = std::fs::read(capture("route-link.pcap")).unwrap();
    let (frames, _) = crate::it::common::read_frames(&bytes);
    let frames: Vec<Vec<u8>> = frames.iter().map(|f| f.data.clone()).collect();
    let many: Vec<Vec<u8>> = frames
        .iter()
        .cycle()
        .take(frames.len() * 300)
        .cloned()
        .collect();
    let dir = crate::it::common::TempDir::new("long-filter");
    let path = dir.path("many.pcap");
    std::fs::write(&path, crate::it::common::pcap_file(&many)).unwrap();
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(&path);
    app.finish();
    let all = app.list.displayed.len();
    assert!(all > 20_000, "{all} messages");
    let mut h = Harness::builder()
        .with_size(Vec2::new(1400.0, 1100.0))
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    h.run_steps(2);
    h.state_mut()
        .apply_filter_text("rt-link.linkinfo.kind == \"veth\"")
        .unwrap();
    h.run_steps(2);
    let (done, total) = h.state().filter.progress.expect("filtering");
    assert!(done < total && total == all, "{done} of {total}");
    h.get_by_label_contains("Filtering");
    h.get_by_label("Cancel").click();
    h.run_steps(20);
    let app = h.state();
    assert!(
        app.filter.applied.is_none(),
        "{:?} {:?}",
        app.filter.note,
        app.filter.progress
    );
    assert_eq!(app.list.displayed.len(), all);
    assert_eq!(app.filter.text, "rt-link.linkinfo.kind == \"veth\"");
    assert!(app.filter.progress.is_none());
    h.get_by_label_contains("Filter cancelled after");
}

/// A filter over many messages runs on worker threads while frames go on, and ends with the
/// rows filtering on this thread keeps.
#[test]
fn a_long_filter_runs_in_the_background() {
    let bytes = std::fs::read(capture("route-link.pcap")).unwrap();
    let (frames, _) = crate::it::common::read_frames(&bytes);
    let many: Vec<Vec<u8>> = frames
        .iter()
        .map(|f| f.data.clone())
        .cycle()
        .take(frames.len() * 300)
        .collect();
    let dir = crate::it::common::TempDir::new("bg-filter");
    let path = dir.path("many.pcap");
    std::fs::write(&path, crate::it::common::pcap_file(&many)).unwrap();
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(&path);
    app.finish();
    let text = "rt-link.mtu > 1400 || nlmsg.response_in";
    let cat = nlscope::dissect::fields::Catalog::new(&app.store.dissector().specs);
    let want = app
        .store
        .filter_all(&nlscope::filter::Filter::compile(text, &cat).unwrap());
    let mut h = Harness::builder()
        .with_size(Vec2::new(1400.0, 1100.0))
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    h.run_steps(2);
    h.state_mut().apply_filter_text(text).unwrap();
    assert!(h.state().filter_in_background());
    let mut frames = 0;
    while h.state().filter.progress.is_some() || h.state().filter_in_background() {
        h.run_steps(1);
        frames += 1;
        assert!(frames < 5_000, "still filtering after {frames} frames");
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    assert!(frames > 1, "done in {frames} frames");
    assert_eq!(h.state().list.displayed, want);
}
