//! The split between the packet list, the tree and the hex pane is a setting: it sizes the
//! panes of a new run, a drag on a pane's edge writes it back, and it survives a restart
//! (Settings are what eframe stores).

use egui::{CursorIcon, Event, PointerButton, Pos2, Vec2};
use egui_kittest::Harness;
use nlscope::dissect::specs::SpecRegistry;
use nlscope::ui::{App, Settings};

use crate::it::common::local as capture;

/// A new run with `settings`, route-link.pcap loaded and its first message selected.
fn run_with(settings: Settings) -> Harness<'static, App> {
    let mut app = App::new(SpecRegistry::with_embedded());
    app.settings = settings;
    app.open(&capture("route-link.pcap"));
    app.finish();
    app.select_row(0);
    let mut h = Harness::builder()
        .with_size(Vec2::new(1400.0, 1100.0))
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    h.run();
    h
}

/// The y of the list/details edge: where the pointer, moving up from the status bar at x 700,
/// first turns into a vertical resize cursor.
fn edge_y(h: &mut Harness<'_, App>) -> f32 {
    let mut y = 1060.0;
    while y > 100.0 {
        h.event(Event::PointerMoved(Pos2::new(700.0, y)));
        h.step();
        let icon = h.output().platform_output.cursor_icon;
        if matches!(
            icon,
            CursorIcon::ResizeVertical | CursorIcon::ResizeRow | CursorIcon::ResizeNorth
        ) {
            return y;
        }
        y -= 3.0;
    }
    panic!("no list/details edge found");
}

#[test]
fn the_pane_split_comes_from_settings_follows_a_drag_and_survives_a_restart() {
    let mut s = Settings::default();
    s.layout.details = 0.25;
    s.layout.tree = 0.3;
    let mut h = run_with(s);
    let l = h.state().settings.layout;
    assert!((l.details - 0.25).abs() < 0.02, "{l:?}");
    assert!((l.tree - 0.3).abs() < 0.02, "{l:?}");
    let y = edge_y(&mut h);
    // The details take about a quarter of the window (the list the rest).
    assert!(y > 1100.0 * 0.65, "edge at {y}");

    // Drag the edge 200 points up.
    let x = 700.0;
    h.event(Event::PointerButton {
        pos: Pos2::new(x, y),
        button: PointerButton::Primary,
        pressed: true,
        modifiers: Default::default(),
    });
    h.run();
    for step in 1..=10 {
        h.event(Event::PointerMoved(Pos2::new(x, y - 20.0 * step as f32)));
        h.run();
    }
    h.event(Event::PointerButton {
        pos: Pos2::new(x, y - 200.0),
        button: PointerButton::Primary,
        pressed: false,
        modifiers: Default::default(),
    });
    h.run();
    let dragged = h.state().settings.layout;
    assert!(dragged.details > l.details + 0.1, "{l:?} -> {dragged:?}");
    let after = edge_y(&mut h);
    assert!((y - 200.0 - after).abs() < 8.0, "{y} -> {after}");

    // A restart: the settings as stored and loaded again give the same split.
    let stored = serde_json::to_string(&h.state().settings).unwrap();
    let mut h2 = run_with(serde_json::from_str(&stored).unwrap());
    let again = edge_y(&mut h2);
    assert!(
        (again - after).abs() < 4.0,
        "{after} after a restart: {again}"
    );
    assert!((h2.state().settings.layout.tree - 0.3).abs() < 0.02);
}

#[test]
fn a_corrupt_split_setting_still_shows_every_pane() {
    let mut s = Settings::default();
    s.layout.details = f32::NAN;
    s.layout.tree = 5.0;
    let mut h = run_with(s);
    let y = edge_y(&mut h);
    assert!(y > 200.0 && y < 1000.0, "edge at {y}");
    let l = h.state().settings.layout;
    assert!(l.details.is_finite() && l.tree < 1.0, "{l:?}");
}
