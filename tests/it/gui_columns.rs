//! Packet-list columns a Wireshark user moves by dragging their header (the new order is a
//! setting), without losing click-to-sort or resizing at the cells' edges; and field columns
//! sorted from narrowed trees in the same order as from whole trees.

use std::collections::BTreeSet;

use egui::{CursorIcon, Event, PointerButton, Pos2, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use nlscope::dissect::specs::SpecRegistry;
use nlscope::model::Node;
use nlscope::ui::{App, Col, ColumnId, FieldSort, Settings};

use crate::it::common::{TempDir, local as capture, repeated};

fn harness() -> Harness<'static, App> {
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(&capture("route-link.pcap"));
    app.finish();
    let mut h = Harness::builder()
        .with_size(Vec2::new(1400.0, 1100.0))
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    h.run();
    h
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

fn button(h: &mut Harness<'static, App>, pos: Pos2, pressed: bool) {
    h.event(Event::PointerButton {
        pos,
        button: PointerButton::Primary,
        pressed,
        modifiers: Default::default(),
    });
    h.run();
}

/// Press at `from`, move to `to` in steps (the app drawing each), release there.
fn drag(h: &mut Harness<'static, App>, from: Pos2, to: Pos2) -> Vec<CursorIcon> {
    h.event(Event::PointerMoved(from));
    h.run();
    button(h, from, true);
    let mut icons = Vec::new();
    for k in 1..=10 {
        let p = from + (to - from) * (k as f32 / 10.0);
        h.event(Event::PointerMoved(p));
        h.run();
        icons.push(h.output().platform_output.cursor_icon);
    }
    button(h, to, false);
    h.run();
    icons
}

#[test]
fn dragging_a_header_moves_its_column_and_keeps_sorting_and_resizing() {
    let mut h = harness();
    let before = shown(h.state());
    assert_eq!(&before[..3], ["No.", "Time", "Direction"]);
    // Type dropped on the left half of Time: between No. and Time.
    let ty = h.get_by_label("Type").rect().center();
    let time = h.get_by_label("Time").rect();
    let icons = drag(&mut h, ty, Pos2::new(time.left() + 2.0, ty.y));
    assert!(icons.contains(&CursorIcon::Grabbing), "{icons:?}");
    let after = shown(h.state());
    assert_eq!(
        &after[..4],
        ["No.", "Type", "Time", "Direction"],
        "{after:?}"
    );
    assert_eq!(
        after.iter().collect::<BTreeSet<_>>(),
        before.iter().collect::<BTreeSet<_>>()
    );
    // A drag is not a click: no sort.
    assert!(h.state().list.sort.is_none());
    h.run();
    assert!(h.get_by_label("Type").rect().left() < h.get_by_label("Time").rect().left());
    // What eframe stores and loads back keeps the order.
    let text = serde_json::to_string(&h.state().settings).expect("serialize");
    let back: Settings = serde_json::from_str(&text).expect("deserialize");
    assert_eq!(back.columns, h.state().settings.columns);

    // Past the last column: it goes to the end.
    let no = h.get_by_label("No.").rect().center();
    drag(&mut h, no, Pos2::new(1390.0, no.y));
    let end = shown(h.state());
    assert_eq!(end.last().map(String::as_str), Some("No."), "{end:?}");
    assert_eq!(end.first().map(String::as_str), Some("Type"));

    // A click still sorts.
    h.get_by_label("Family").click();
    h.run();
    assert_eq!(
        h.state().list.sort,
        Some((ColumnId::Builtin(Col::Family), true))
    );

    // The edge between Type and Time still resizes Type.
    h.run();
    let ty = h.get_by_label("Type").rect();
    let time = h.get_by_label("Time").rect();
    let y = ty.center().y;
    let edge = (0..40)
        .map(|k| time.left() - 12.0 + k as f32 * 0.5)
        .find(|&x| {
            h.event(Event::PointerMoved(Pos2::new(x, y)));
            h.run();
            matches!(
                h.output().platform_output.cursor_icon,
                CursorIcon::ResizeHorizontal | CursorIcon::ResizeColumn | CursorIcon::ResizeEast
            )
        })
        .expect("a resize handle at the Type/Time edge");
    let width = |h: &Harness<'static, App>| {
        h.state()
            .settings
            .columns
            .iter()
            .find(|c| c.id == ColumnId::Builtin(Col::Type))
            .map(|c| c.width)
            .expect("Type")
    };
    let w0 = width(&h);
    drag(&mut h, Pos2::new(edge, y), Pos2::new(edge + 60.0, y));
    h.run();
    let w1 = width(&h);
    assert!((w1 - w0 - 60.0).abs() < 6.0, "{w0} -> {w1}");
    assert_eq!(shown(h.state()), end, "a resize moves nothing");
}

/// Fields present in a forest.
fn fields_of(nodes: &[Node], out: &mut BTreeSet<String>) {
    for n in nodes {
        n.walk(&mut |x| {
            if !x.field.is_empty() {
                out.insert(x.field.to_string());
            }
        });
    }
}

#[test]
fn field_columns_sort_from_narrowed_trees_as_from_whole_trees() {
    let (mut checked, mut narrowed) = (0usize, 0usize);
    for name in [
        "route-link.pcap",
        "rt-depth.pcap",
        "bridge-extra.pcap",
        "ethtool.pcap",
    ] {
        let mut app = App::new(SpecRegistry::with_embedded());
        app.open(&capture(name));
        app.finish();
        let n = app.store.len();
        let mut fields = BTreeSet::new();
        for i in 0..n {
            if let Some(v) = app.store.view(i) {
                fields_of(&v.tree(), &mut fields);
            }
        }
        let mut wants = nlscope::ui::FieldWants::default();
        let rows: Vec<u32> = (0..n as u32).collect();
        // One field in eight (each sort reads every row's tree twice).
        for f in fields.iter().step_by(8) {
            let want = wants.want(&app.store, f);
            narrowed += usize::from(want.is_some());
            // Sorting as the list does (narrowed trees) and from whole trees.
            for asc in [true, false] {
                let run = |want| {
                    let mut s = FieldSort::new(f.clone(), asc, rows.clone(), want);
                    loop {
                        if let Some(o) = s.step(&app.store, std::time::Duration::from_secs(60)) {
                            return o;
                        }
                    }
                };
                assert_eq!(run(want.clone()), run(None), "{name} sort by {f}");
                checked += 1;
            }
        }
    }
    eprintln!("{checked} sorts alike, {narrowed} fields narrowed");
    assert!(narrowed > 10, "{narrowed}");
}

#[test]
fn the_list_sorts_a_field_column_like_whole_trees() {
    let mut h = harness();
    nlscope::ui::add_field_column(&mut h.state_mut().settings.columns, "rt-link.mtu", "MTU");
    h.step();
    h.state_mut()
        .sort_by_column(ColumnId::Field("rt-link.mtu".into()));
    h.state_mut().finish();
    let app = h.state();
    let rows: Vec<u32> = (0..app.store.len() as u32).collect();
    let mut whole = FieldSort::new("rt-link.mtu".into(), true, rows, None);
    let want = loop {
        if let Some(o) = whole.step(&app.store, std::time::Duration::from_secs(60)) {
            break o;
        }
    };
    assert_eq!(app.list.displayed, want);
    // Numbers by value: 65536 after 1500.
    let mtus: Vec<u64> = app
        .list
        .displayed
        .iter()
        .filter_map(|&i| {
            nlscope::ui::field_text(&app.store, i as usize, "rt-link.mtu")
                .parse()
                .ok()
        })
        .collect();
    assert!(
        mtus.len() > 3 && mtus.windows(2).all(|w| w[0] <= w[1]),
        "{mtus:?}"
    );
}

/// A sort by a field column over thousands of rows takes many frames: the filter bar shows
/// its progress, and Cancel sort puts the list back in capture order.
#[test]
fn a_long_field_sort_shows_progress_and_cancels_to_capture_order() {
    let dir = TempDir::new("sort-cancel");
    let cap = dir.path("long.pcap");
    std::fs::write(&cap, repeated(&capture("bridge-extra.pcap"), 40)).unwrap();
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(&cap);
    app.finish();
    let mut h = Harness::builder()
        .with_size(Vec2::new(1400.0, 1100.0))
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    h.step();
    nlscope::ui::add_field_column(&mut h.state_mut().settings.columns, "rt-link.mtu", "MTU");
    h.step();
    let n = h.state().store.len();
    assert!(n > 15_000, "{n} messages");
    h.state_mut()
        .sort_by_column(ColumnId::Field("rt-link.mtu".into()));
    h.step();
    h.step();
    let (done, all) = h.state().list.field_sort.as_ref().unwrap().progress();
    assert!(
        done > 0 && done < all,
        "{done} of {all} keyed after two frames"
    );
    h.get_by_label("Cancel sort").click();
    h.step();
    h.step();
    let app = h.state();
    assert!(app.list.field_sort.is_none() && app.list.sort.is_none());
    assert_eq!(app.list.displayed, (0..n as u32).collect::<Vec<_>>());
    assert!(h.query_by_label("Cancel sort").is_none());
}
