//! Small things a Wireshark user expects: the window title names the file, menus show their
//! shortcuts, tooltips give byte offsets in hex like the hex pane.

use egui::Vec2;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use nlscope::dissect::specs::SpecRegistry;
use nlscope::ui::App;

use crate::it::common::local;

#[test]
fn the_title_names_the_file() {
    let mut app = App::new(SpecRegistry::with_embedded());
    assert_eq!(app.window_title(), "nlscope");
    app.open(&local("route-link.pcap"));
    app.finish();
    assert_eq!(app.window_title(), "route-link.pcap - nlscope");
}

#[test]
fn menus_show_shortcuts_and_tooltips_hex_offsets() {
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(&local("route-link.pcap"));
    app.finish();
    let mut h = Harness::builder()
        .with_size(Vec2::new(1400.0, 1100.0))
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    h.run();
    h.get_by_label("File").click();
    h.run();
    h.get_by_label_contains("Ctrl+O");
    h.get_by_label_contains("Ctrl+S");
    h.key_press(egui::Key::Escape);
    h.run();
    // Frame 2 is an error; hover its "error" node (4 bytes at 0x20).
    let i = (0..h.state().store.len())
        .find(|&i| h.state().store.msg(i).unwrap().frame == 1)
        .unwrap();
    h.state_mut().select_message(i);
    h.run();
    h.get_by_label("error: -19 ENODEV").hover();
    h.run();
    h.get_by_label_contains("4 bytes at offset 0x0020 (32)");
}

#[test]
fn a_hex_click_reveals_its_node_in_the_tree() {
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(&local("route-link.pcap"));
    app.finish();
    let mut h = Harness::builder()
        .with_size(Vec2::new(1400.0, 1100.0))
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    h.run();
    // The RTM_NEWLINK reply describing veth0 (frame 86 message 3).
    let i = (0..h.state().store.len())
        .find(|&i| {
            let e = h.state().store.msg(i).unwrap();
            e.frame == 85 && e.pos == 3
        })
        .unwrap();
    h.state_mut().select_message(i);
    h.run();
    let kind = {
        let tree = h.state().detail.tree.clone().unwrap();
        let mut found = None;
        for n in tree.iter() {
            n.walk(&mut |n| {
                if n.name == "IFLA_INFO_KIND" {
                    found = Some(n.offset + 4);
                }
            });
        }
        found.expect("a linkinfo kind")
    };
    h.state_mut().detail.open_all = Some(false);
    h.run();
    h.run();
    assert!(h.query_by_label_contains("IFLA_INFO_KIND").is_none());
    h.state_mut().click_byte(kind);
    h.run();
    h.run();
    h.get_by_label_contains("IFLA_INFO_KIND");
    let path = h.state().detail.selected_node.clone().unwrap();
    assert_eq!(
        h.state().detail.node_at(&path).unwrap().name,
        "IFLA_INFO_KIND"
    );
}

#[test]
fn go_to_packet_and_walk_errors() {
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(&local("route-link.pcap"));
    app.finish();
    let mut h = Harness::builder()
        .with_size(Vec2::new(1400.0, 1100.0))
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    h.run();
    let at = |h: &Harness<'static, App>| {
        let e = h.state().store.msg(h.state().selected.unwrap()).unwrap();
        (e.frame + 1, e.pos)
    };
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::G);
    h.run();
    h.get_by_label("Frame or frame:message:").focus();
    h.run();
    h.get_by_label("Frame or frame:message:").type_text("86:3");
    h.run();
    assert_eq!(h.state().goto.as_ref().map(|g| g.0.as_str()), Some("86:3"));
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(at(&h), (86, 3));
    assert!(h.state().goto.is_none(), "the window closes");
    assert!(h.state_mut().go_to_text("999999").is_err());
    h.state_mut().go_to_text("2").unwrap();
    assert_eq!(at(&h), (2, 0));
    // F8: the next error after frame 2 (its own error is frame 2).
    h.key_press(egui::Key::F8);
    h.run();
    let (f, _) = at(&h);
    assert!(f > 2, "{f}");
    assert_eq!(
        h.state().store.mark(h.state().selected.unwrap()),
        nlscope::store::Mark::Error
    );
    h.key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::F8);
    h.run();
    assert_eq!(at(&h), (2, 0));
}

#[test]
fn the_typed_path_opens_on_enter() {
    let mut h = Harness::builder()
        .with_size(Vec2::new(1400.0, 1100.0))
        .build_ui_state(
            |ui, app: &mut App| app.ui(ui),
            App::new(SpecRegistry::with_embedded()),
        );
    h.state_mut().open_prompt = true;
    h.run();
    let path = local("route-link.pcap");
    h.get_by_label("Path of a pcap or pcapng file:").focus();
    h.run();
    h.get_by_label("Path of a pcap or pcapng file:")
        .type_text(path.to_str().unwrap());
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(h.state().file.as_deref(), Some(path.as_path()));
    assert!(!h.state().open_prompt);
}

#[test]
fn a_new_file_opens_at_the_top() {
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(&local("rt-misc.pcap"));
    app.finish();
    let mut h = Harness::builder()
        .with_size(Vec2::new(1400.0, 1100.0))
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    h.run();
    // Scroll far down: the last row is shown, the first is not.
    let last = h.state().list.displayed.len() - 1;
    h.state_mut().select_row(last);
    h.state_mut().list.scroll_to_selected = true;
    h.run();
    h.run();
    assert!(h.query_by_label("1:0").is_none());
    h.state_mut().open(&local("rt-links.pcap"));
    h.state_mut().finish();
    h.run();
    h.run();
    h.get_by_label("1:0");
}

#[test]
fn unsaved_live_messages_are_not_thrown_away_unasked() {
    // A store filled as a live capture fills it (the capture itself is tested in gui_live).
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(&local("route-link.pcap"));
    app.finish();
    app.file = None;
    app.live_unsaved = true;
    let mut h = Harness::builder()
        .with_size(Vec2::new(1400.0, 1100.0))
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    h.run();
    let n = h.state().store.len();
    let other = local("rt-links.pcap");
    let ctx = h.ctx.clone();
    h.state_mut()
        .request(nlscope::ui::Pending::Open(other.clone()), &ctx);
    h.run();
    h.get_by_label("Save captured messages?");
    h.get_by_label("Cancel").click();
    h.run();
    assert!(h.state().pending.is_none());
    assert_eq!(h.state().store.len(), n, "nothing was discarded");
    // Discard: the file opens.
    h.state_mut()
        .request(nlscope::ui::Pending::Open(other.clone()), &ctx);
    h.run();
    h.get_by_label("Discard").click();
    h.run();
    assert_eq!(h.state().file.as_deref(), Some(other.as_path()));
    assert!(!h.state().live_unsaved);
    // A file's messages are not "unsaved": opening another asks nothing.
    h.state_mut()
        .request(nlscope::ui::Pending::Open(local("route-link.pcap")), &ctx);
    h.run();
    assert!(h.state().pending.is_none());
    assert!(h.query_by_label("Save captured messages?").is_none());
}

#[test]
fn saving_everything_clears_the_unsaved_mark() {
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(&local("route-link.pcap"));
    app.finish();
    app.live_unsaved = true;
    let dir = std::env::temp_dir().join(format!("nlscope-unsaved-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Exporting JSON does not save the capture...
    use nlscope::ui::{Scope, Target};
    app.start_from_dialog(
        &dir.join("x.json"),
        Target::Messages(nlscope::export::Format::Json),
        Scope::All,
    );
    app.finish_files();
    assert!(app.live_unsaved);
    // ...a pcapng of all messages does.
    app.start_from_dialog(
        &dir.join("x.pcapng"),
        Target::Capture(nlscope::pcap::OutFormat::PcapNg),
        Scope::All,
    );
    app.finish_files();
    assert!(!app.live_unsaved);
    let _ = std::fs::remove_dir_all(&dir);
}
