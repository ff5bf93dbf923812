//! Packet-list rows and columns as a Wireshark user expects them, driven through AccessKit
//! (egui_kittest): the row menu's copies equal `nlscope read -T`, filters from cells,
//! Ctrl/Shift-click multi-selection and exporting it, marks kept in saved pcapng files,
//! ignored rows, and the column header menu with field columns ("Apply as Column").

use std::path::{Path, PathBuf};

use egui::{Key, Modifiers, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use nlscope::dissect::specs::SpecRegistry;
use nlscope::pcap::OutFormat;
use nlscope::ui::{App, ColumnId, Scope, Settings};
use serde_json::Value as J;

use crate::it::common::{local as capture, run_ok};

fn harness_with(path: &Path, settings: Option<Settings>) -> Harness<'static, App> {
    let mut app = App::new(SpecRegistry::with_embedded());
    if let Some(s) = settings {
        app.settings = s;
    }
    app.open(path);
    app.finish();
    assert!(app.error.is_none(), "{:?}", app.error);
    let mut h = Harness::builder()
        .with_size(Vec2::new(1400.0, 1100.0))
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    settle(&mut h);
    h
}

fn harness() -> Harness<'static, App> {
    harness_with(&capture("route-link.pcap"), None)
}

fn tmpdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("nlscope-gui-rows-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("mkdir");
    d
}

/// Store row of frame `frame` (1-based) message `msg`.
fn row_at(app: &App, frame: u32, msg: u16) -> usize {
    (0..app.store.len())
        .find(|&i| {
            let e = app.store.msg(i).expect("msg");
            e.frame + 1 == frame && e.pos == msg
        })
        .expect("such a message")
}

/// Select `frame:msg` and scroll the list to it.
fn show(h: &mut Harness<'static, App>, frame: u32, msg: u16) {
    let i = row_at(h.state(), frame, msg);
    h.state_mut().go_to_message(i);
    h.run();
}

/// Step until every field cell on screen has its value (a few rows' trees per frame).
fn settle(h: &mut Harness<'static, App>) {
    for k in 0..1000 {
        h.step();
        if k >= 3 && h.query_all_by_label("…").next().is_none() {
            break;
        }
    }
    h.step();
    h.run();
}

/// Texts copied to the clipboard in the last frame.
fn copied(h: &Harness<'_, App>) -> Vec<String> {
    h.output()
        .platform_output
        .commands
        .iter()
        .filter_map(|c| match c {
            egui::OutputCommand::CopyText(t) => Some(t.clone()),
            _ => None,
        })
        .collect()
}

/// The label `text` in the same list row as the No. cell `no` (e.g. `86:3`).
fn cell_in_row<'a>(
    h: &'a Harness<'static, App>,
    no: &str,
    text: &'a str,
) -> egui_kittest::Node<'a> {
    let y = h.get_by_label(no).rect().center().y;
    h.get_all_by_label(text)
        .find(|n| (n.rect().center().y - y).abs() < 3.0)
        .unwrap_or_else(|| panic!("no {text} in row {no}"))
}

/// `nlscope read -r route-link.pcap -Y 'frame.number == F' -T FORMAT` lines.
fn cli_lines(frame: u32, format: &str) -> Vec<String> {
    let f = capture("route-link.pcap");
    let filter = format!("frame.number == {frame}");
    let out = run_ok(&[
        "read",
        "-r",
        f.to_str().expect("UTF-8"),
        "-Y",
        &filter,
        "-T",
        format,
    ]);
    out.lines().map(str::to_string).collect()
}

#[test]
fn row_menu_copies_equal_the_cli() {
    let mut h = harness();
    show(&mut h, 86, 3);
    // Copy > as JSON: the message's object as `read -T ndjson` prints it.
    h.get_by_label("86:3").click_secondary();
    h.run();
    h.get_by_label("Copy").click();
    h.run();
    h.get_by_label("as JSON").click();
    h.step();
    let want = cli_lines(86, "ndjson")
        .into_iter()
        .find(|l| serde_json::from_str::<J>(l).expect("json")["msg"] == 3)
        .expect("86:3 in the cli output");
    assert_eq!(copied(&h), [format!("{want}\n")]);
    h.run();
    // Copy > as CSV: the header and the row.
    h.get_by_label("86:3").click_secondary();
    h.run();
    h.get_by_label("Copy").click();
    h.run();
    h.get_by_label("as CSV").click();
    h.step();
    let csv = cli_lines(86, "csv");
    let line = csv
        .iter()
        .find(|l| l.starts_with("86,3,"))
        .expect("86:3 csv");
    assert_eq!(copied(&h), [format!("{}\n{line}\n", csv[0])]);
    h.run();
    // Copy > as Hex: the message's bytes.
    h.get_by_label("86:3").click_secondary();
    h.run();
    h.get_by_label("Copy").click();
    h.run();
    h.get_by_label("as Hex").click();
    h.step();
    let hex = copied(&h).pop().expect("hex copied");
    let app = h.state();
    let e = app.store.msg(row_at(app, 86, 3)).expect("msg");
    assert_eq!(hex.len(), e.idx.present * 2 + 1, "{hex}");
    assert_eq!(
        u32::from_str_radix(&hex[..8], 16)
            .expect("hex")
            .swap_bytes(),
        e.idx.len
    );
    h.run();
    // Ctrl+C (a Copy event from the window): the selection's summary line.
    h.event(egui::Event::Copy);
    h.step();
    let summary = cli_lines(86, "summary")
        .into_iter()
        .find(|l| l.trim_start().starts_with("86:3 "))
        .expect("86:3 summary");
    assert_eq!(copied(&h), [format!("{summary}\n")]);
}

#[test]
fn cells_apply_and_prepare_filters() {
    let mut h = harness();
    show(&mut h, 86, 3);
    cell_in_row(&h, "86:3", "RTM_NEWLINK").click_secondary();
    h.run();
    h.get_by_label("Apply as Filter").click();
    h.run();
    let app = h.state();
    let (text, _) = app.filter.applied.as_ref().expect("a filter is applied");
    assert_eq!(text, "nlmsg.type == RTM_NEWLINK");
    let n = app.list.displayed.len();
    assert!(n > 0 && n < app.store.len());
    assert!(
        app.list
            .displayed
            .iter()
            .all(|&i| { app.store.view(i as usize).expect("view").type_name() == "RTM_NEWLINK" })
    );
    // Prepare as Filter on the Seq cell only fills the bar.
    show(&mut h, 86, 3);
    let seq = h
        .state()
        .store
        .msg(row_at(h.state(), 86, 3))
        .expect("msg")
        .idx
        .seq;
    cell_in_row(&h, "86:3", &seq.to_string()).click_secondary();
    h.run();
    h.get_by_label("Prepare as Filter").click();
    h.run();
    assert_eq!(h.state().filter.text, format!("nlmsg.seq == {seq}"));
    assert_eq!(
        h.state().filter.applied.as_ref().map(|a| a.0.as_str()),
        Some("nlmsg.type == RTM_NEWLINK")
    );
    // The Time cell has no field: no filter items.
    let time = {
        let y = h.get_by_label("86:3").rect().center().y;
        let x = h.get_by_label("Time").rect().left() + 20.0;
        egui::pos2(x, y)
    };
    h.event(egui::Event::PointerMoved(time));
    h.event(egui::Event::PointerButton {
        pos: time,
        button: egui::PointerButton::Secondary,
        pressed: true,
        modifiers: Modifiers::NONE,
    });
    h.event(egui::Event::PointerButton {
        pos: time,
        button: egui::PointerButton::Secondary,
        pressed: false,
        modifiers: Modifiers::NONE,
    });
    h.run();
    h.get_by_label("Copy");
    assert!(h.query_by_label("Apply as Filter").is_none());
}

#[test]
fn ctrl_and_shift_click_select_rows_and_export_selected_uses_them() {
    let mut h = harness();
    show(&mut h, 86, 1);
    h.get_by_label("86:1").click();
    h.run();
    h.get_by_label("86:3").click_modifiers(Modifiers::COMMAND);
    h.run();
    let (a, b) = (row_at(h.state(), 86, 1), row_at(h.state(), 86, 3));
    assert_eq!(h.state().picked_rows(), [a as u32, b as u32]);
    // The panes show the row clicked last.
    assert_eq!(h.state().selected, Some(b));
    // Ctrl-click again takes it out; the focus goes to what is left.
    h.get_by_label("86:3").click_modifiers(Modifiers::COMMAND);
    h.run();
    assert_eq!(h.state().picked_rows(), [a as u32]);
    assert_eq!(h.state().selected, Some(a));
    // Shift-click extends from the anchor (86:3, clicked last) to 86:5.
    h.get_by_label("86:5").click_modifiers(Modifiers::SHIFT);
    h.run();
    let want: Vec<u32> = (3..=5).map(|m| row_at(h.state(), 86, m) as u32).collect();
    assert_eq!(h.state().picked_rows(), want);
    // Ctrl+C: one summary line per selected row.
    h.event(egui::Event::Copy);
    h.step();
    let lines: Vec<String> = cli_lines(86, "summary")
        .into_iter()
        .filter(|l| {
            let t = l.trim_start();
            ["86:3 ", "86:4 ", "86:5 "].iter().any(|p| t.starts_with(p))
        })
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(copied(&h), [format!("{}\n", lines.join("\n"))]);
    h.run();
    // File > Export..., Selected (3), JSON: those three objects as the CLI prints them.
    let dir = tmpdir("selected");
    let out = dir.join("sel.json");
    h.get_by_label("File").click();
    h.run();
    h.get_by_label_contains("Export...").click();
    h.run();
    h.get_by_label("Selected (3)").click();
    h.run();
    h.get_by_label("Path:").focus();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run();
    h.get_by_label("Path:")
        .type_text(out.to_str().expect("UTF-8"));
    h.run();
    h.get_by_label("Export").click();
    h.step();
    h.state_mut().finish_files();
    let got: J = serde_json::from_slice(&std::fs::read(&out).expect("export")).expect("json");
    let want: Vec<J> = cli_lines(86, "ndjson")
        .iter()
        .map(|l| serde_json::from_str::<J>(l).expect("json"))
        .filter(|m| (3..=5).contains(&m["msg"].as_u64().expect("msg")))
        .collect();
    assert_eq!(got, J::Array(want));
    // A plain click selects one row again.
    h.get_by_label("86:4").click();
    h.run();
    assert_eq!(h.state().picked_rows().len(), 1);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn marks_are_kept_in_saved_pcapng_and_come_back() {
    let mut h = harness();
    show(&mut h, 86, 3);
    // Ctrl+M marks the selection; the row menu says Unmark then.
    h.key_press_modifiers(Modifiers::COMMAND, Key::M);
    h.run();
    let m3 = row_at(h.state(), 86, 3);
    assert!(h.state().list.marks.is_marked(m3));
    h.get_by_label("86:3").click_secondary();
    h.run();
    h.get_by_label_contains("Unmark").click();
    h.run();
    assert!(!h.state().list.marks.is_marked(m3));
    h.get_by_label("86:3").click_secondary();
    h.run();
    h.get_by_label_contains("Mark").click();
    h.run();
    assert!(h.state().list.marks.is_marked(m3));
    // Another mark earlier; Go > Next/Previous mark (Ctrl+Shift+N / B) walk them.
    let m2 = row_at(h.state(), 2, 0);
    h.state_mut().go_to_message(m2);
    h.key_press_modifiers(Modifiers::COMMAND, Key::M);
    h.run();
    h.state_mut().go_to_message(0);
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::N);
    h.run();
    assert_eq!(h.state().selected, Some(m2));
    h.get_by_label("Go").click();
    h.run();
    h.get_by_label_contains("Next mark").click();
    h.run();
    assert_eq!(h.state().selected, Some(m3));
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::B);
    h.run();
    assert_eq!(h.state().selected, Some(m2));
    // Saved as pcapng, the marks are packet comments; opening the file marks them again.
    let dir = tmpdir("marks");
    let out = dir.join("marked.pcapng");
    h.state_mut()
        .save_as(&out, OutFormat::PcapNg, Scope::All)
        .expect("save");
    h.state_mut().finish_files();
    let (frames, err) = crate::it::common::read_frames(&std::fs::read(&out).expect("saved file"));
    assert!(err.is_none());
    let comments: Vec<(usize, &String)> = frames
        .iter()
        .enumerate()
        .flat_map(|(k, f)| f.comments.iter().map(move |c| (k + 1, c)))
        .filter(|(_, c)| c.starts_with("nlscope-marked:"))
        .collect();
    assert_eq!(
        comments,
        [
            (2, &"nlscope-marked: 0".to_string()),
            (86, &"nlscope-marked: 3".to_string())
        ]
    );
    let mut h2 = harness_with(&out, None);
    let marked: Vec<(u32, u16)> = h2
        .state()
        .list
        .marks
        .marked
        .iter()
        .map(|&i| {
            let e = h2.state().store.msg(i as usize).expect("msg");
            (e.frame + 1, e.pos)
        })
        .collect();
    assert_eq!(marked, [(2, 0), (86, 3)]);
    // `frame.marked` filters to them, in the app and on the command line.
    h2.state_mut()
        .apply_filter_text("frame.marked")
        .expect("filter");
    h2.state_mut().finish();
    let shown: Vec<u32> = h2.state().list.displayed.clone();
    assert_eq!(
        shown,
        h2.state()
            .list
            .marks
            .marked
            .iter()
            .copied()
            .collect::<Vec<_>>()
    );
    let cli = run_ok(&[
        "read",
        "-r",
        out.to_str().expect("UTF-8"),
        "-Y",
        "frame.marked",
        "-T",
        "summary",
    ]);
    let starts: Vec<&str> = cli
        .lines()
        .map(|l| l.split_whitespace().next().unwrap_or(""))
        .collect();
    assert_eq!(starts, ["2:0", "86:3"]);
    h2.state_mut().apply_filter_text("").expect("clear");
    h2.state_mut().finish();
    // Unmarked and saved again: the comment goes.
    h2.state_mut().go_to_message(m3);
    h2.key_press_modifiers(Modifiers::COMMAND, Key::M);
    h2.run();
    let again = dir.join("again.pcapng");
    h2.state_mut()
        .save_as(&again, OutFormat::PcapNg, Scope::All)
        .expect("save");
    h2.state_mut().finish_files();
    let (frames, _) = crate::it::common::read_frames(&std::fs::read(&again).expect("file"));
    let left: Vec<&String> = frames
        .iter()
        .flat_map(|f| f.comments.iter())
        .filter(|c| c.starts_with("nlscope-marked:"))
        .collect();
    assert_eq!(left, ["nlscope-marked: 0"]);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn ignored_rows_leave_the_list_and_the_exports() {
    let mut h = harness();
    let total = h.state().store.len();
    show(&mut h, 86, 3);
    h.get_by_label("86:3").click_secondary();
    h.run();
    h.get_by_label("Ignore").click();
    h.run();
    let i = row_at(h.state(), 86, 3) as u32;
    assert_eq!(h.state().list.displayed.len(), total - 1);
    assert!(!h.state().list.displayed.contains(&i));
    assert!(h.query_by_label("86:3").is_none());
    h.get_by_label("Ignored: 1");
    // A new filter keeps it out.
    h.state_mut()
        .apply_filter_text("frame.number == 86")
        .expect("filter");
    h.state_mut().finish();
    assert!(!h.state().list.displayed.contains(&i));
    h.state_mut().apply_filter_text("").expect("clear");
    h.state_mut().finish();
    let dir = tmpdir("ignored");
    let out = dir.join("all.json");
    h.state_mut()
        .export(&out, nlscope::export::Format::Json, Scope::All)
        .expect("export");
    h.state_mut().finish_files();
    let got: J = serde_json::from_slice(&std::fs::read(&out).expect("export")).expect("json");
    let arr = got.as_array().expect("array");
    assert!(!arr.iter().any(|m| m["frame"] == 86 && m["msg"] == 3));
    assert!(arr.iter().any(|m| m["frame"] == 86 && m["msg"] == 2));
    // Unignore all (row menu) brings it back.
    h.run();
    h.get_by_label("86:2").click_secondary();
    h.run();
    h.get_by_label("Unignore all (1)").click();
    h.run();
    h.state_mut().finish();
    assert_eq!(h.state().list.displayed.len(), total);
    let _ = std::fs::remove_dir_all(dir);
}

/// Titles of the shown columns, in order.
fn shown(app: &App) -> Vec<String> {
    app.settings
        .columns
        .iter()
        .filter(|c| c.visible)
        .map(|c| c.title().to_string())
        .collect()
}

#[test]
fn header_menu_hides_moves_and_resets_columns() {
    let mut h = harness();
    h.get_by_label("Time").click_secondary();
    h.run();
    h.get_by_label("Hide Time").click();
    h.run();
    h.run();
    assert!(!shown(h.state()).contains(&"Time".to_string()));
    assert!(h.query_by_label("Time").is_none());
    // Shown again from the menu's list.
    h.get_by_label("Type").click_secondary();
    h.run();
    h.get_by_label("Time").click();
    h.run();
    assert!(shown(h.state()).contains(&"Time".to_string()));
    // Type moves left past Family.
    h.get_by_label("Type").click_secondary();
    h.run();
    h.get_by_label("Move left").click();
    h.run();
    h.run();
    let s = shown(h.state());
    let (t, f) = (
        s.iter().position(|c| c == "Type").expect("Type"),
        s.iter().position(|c| c == "Family").expect("Family"),
    );
    assert_eq!(t + 1, f, "{s:?}");
    assert!(h.get_by_label("Type").rect().left() < h.get_by_label("Family").rect().left());
    h.get_by_label("Type").click_secondary();
    h.run();
    h.get_by_label("Reset columns").click();
    h.run();
    assert_eq!(
        h.state().settings.columns,
        Settings::default().columns,
        "reset"
    );
}

#[test]
fn apply_as_column_shows_sorts_and_removes_a_field_column() {
    let mut h = harness();
    show(&mut h, 86, 3);
    h.get_by_label("IFLA_IFNAME: \"veth0\"").click_secondary();
    h.run();
    h.get_by_label("Apply as Column").click();
    settle(&mut h);
    assert!(
        h.state()
            .settings
            .columns
            .iter()
            .any(|c| c.id == ColumnId::Field("rt-link.ifname".into()) && c.visible)
    );
    // The header shows the node's name; the cells the values of the rows on screen.
    h.get_by_label("IFLA_IFNAME");
    cell_in_row(&h, "86:3", "\"veth0\"");
    // Sorting by it runs over frames (trees are built), then orders the rows by value.
    h.get_by_label("IFLA_IFNAME").click();
    h.step();
    h.state_mut().finish();
    assert!(h.state().list.field_sort.is_none());
    let app = h.state();
    let vals: Vec<String> = app
        .list
        .displayed
        .iter()
        .map(|&i| nlscope::ui::field_text(&app.store, i as usize, "rt-link.ifname"))
        .collect();
    let named: Vec<&String> = vals.iter().filter(|v| !v.is_empty()).collect();
    assert!(named.len() > 3);
    assert!(vals.iter().take_while(|v| v.is_empty()).count() + named.len() == vals.len());
    assert!(named.windows(2).all(|w| w[0] <= w[1]), "{named:?}");
    // Removed from its header menu.
    settle(&mut h);
    h.get_by_label("IFLA_IFNAME ^").click_secondary();
    settle(&mut h);
    h.get_by_label("Remove this column").click();
    h.run();
    assert!(
        !h.state()
            .settings
            .columns
            .iter()
            .any(|c| matches!(c.id, ColumnId::Field(_)))
    );
    assert!(h.state().list.sort.is_none());
}

#[test]
fn columns_and_widths_persist_in_the_settings() {
    let mut h = harness();
    h.state_mut().settings.columns = nlscope::ui::default_columns();
    nlscope::ui::add_field_column(&mut h.state_mut().settings.columns, "nlmsg.seq", "Seq#");
    h.state_mut().settings.columns[1].visible = false;
    h.state_mut().settings.columns[2].width = 222.0;
    settle(&mut h);
    let saved = h.state().settings.clone();
    // What eframe stores and loads back.
    let text = serde_json::to_string(&saved).expect("serialize");
    let back: Settings = serde_json::from_str(&text).expect("deserialize");
    assert_eq!(back, saved);
    let mut h2 = harness_with(&capture("route-link.pcap"), Some(back));
    settle(&mut h2);
    assert_eq!(shown(h2.state()), shown(h.state()));
    assert!(h2.query_by_label("Time").is_none());
    let dir = h2.get_by_label("Direction").rect().left();
    let family = h2.get_by_label("Family").rect().left();
    assert!((family - dir - 222.0).abs() < 2.0, "{}", family - dir);
    h2.get_by_label("Seq#");
}

/// Whether `got` differs from `want` only where the app knows the whole capture and the
/// command line only what came before: interface names where `want` has `ifN`, and (one
/// capture) a capped ack whose request the app's store remembers by a later one with the
/// same port and sequence number.
fn only_names_resolved(got: &str, want: &str) -> bool {
    if got.contains("(not echoed)") && want.contains("in the request seen earlier") {
        return true;
    }
    let (g, w): (Vec<&str>, Vec<&str>) = (got.split(' ').collect(), want.split(' ').collect());
    g.len() == w.len()
        && g.iter().zip(&w).all(|(a, b)| {
            a == b || {
                let t = b.trim_matches(|c: char| !c.is_ascii_alphanumeric());
                t.strip_prefix("if")
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()))
            }
        })
}

#[test]
fn copies_of_every_row_equal_the_cli_on_every_local_capture() {
    use nlscope::ui::{CopyAs, copy_text};
    let mut differ = Vec::new();
    let (mut same, mut named) = (0, 0);
    for path in crate::it::common::captures_in(&crate::it::common::local_dir()) {
        let mut app = App::new(SpecRegistry::with_embedded());
        app.open(&path);
        app.finish();
        let rows: Vec<u32> = (0..app.store.len()).map(|i| i as u32).collect();
        // Summary lines of every capture; CSV and JSON (slow to print whole) of a few.
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let all = [
            "route-link.pcap",
            "bridge-extra.pcap",
            "genl-policy.pcap",
            "ethtool.pcap",
            "audit.pcap",
            "connector-events.pcap",
        ]
        .contains(&name);
        for (how, format) in [
            (CopyAs::Summary, "summary"),
            (CopyAs::Csv, "csv"),
            (CopyAs::Json, "json"),
        ] {
            if how != CopyAs::Summary && !all {
                continue;
            }
            let got = copy_text(&app.store, &rows, how);
            let want = run_ok(&["read", "-r", path.to_str().expect("UTF-8"), "-T", format]);
            if got == want {
                same += 1;
                continue;
            }
            named += 1;
            assert_eq!(got.lines().count(), want.lines().count());
            for (k, (a, b)) in got.lines().zip(want.lines()).enumerate() {
                if a != b && !only_names_resolved(a, b) {
                    differ.push(format!(
                        "{} {format} line {k}:\n got: {a:?}\nwant: {b:?}",
                        path.display()
                    ));
                }
            }
        }
    }
    assert!(differ.is_empty(), "{}", differ.join("\n"));
    eprintln!("{same} copies equal the command line's output, {named} differ only in link names");
    assert!(same > 2 * named, "{same} {named}");
}

#[test]
#[ignore = "a measurement, not a check"]
fn measure_field_columns() {
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(&capture("rt-depth.pcap"));
    app.finish();
    let n = app.store.len();
    let t = std::time::Instant::now();
    for i in 0..n {
        let _ = nlscope::ui::field_text(&app.store, i, "rt-link.ifname");
    }
    let per = t.elapsed().as_secs_f64() / n as f64;
    let t = std::time::Instant::now();
    app.sort_by_column(ColumnId::Field("rt-link.ifname".into()));
    app.finish();
    eprintln!(
        "{n} rows: {:.1} us per row's field value, sort {:.0} ms",
        per * 1e6,
        t.elapsed().as_secs_f64() * 1e3
    );
}
