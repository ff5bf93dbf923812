//! Navigation in the desktop app, headless through egui_kittest: the Find bar (string in the
//! list / the tree / the bytes, hex bytes, display filter; next, previous, wrap, cancel),
//! next/previous warning, first/last, Back/Forward, the Expert Information window, and the
//! timeline's zoom, pan, reset and y axis (also during a live capture).

use std::collections::{BTreeMap, VecDeque};
use std::io;
use std::time::Duration;

use egui::{Event, Key, Modifiers, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use nlscope::capture::{Captured, Source, SourceStats};
use nlscope::dissect::fields::Reads;
use nlscope::dissect::specs::SpecRegistry;
use nlscope::model::{Node, Severity};
use nlscope::pcap::Reader;
use nlscope::ui::nav::{find_node, summary_line};
use nlscope::ui::{App, FindBy, FindIn, FindOutcome, node_text};

use crate::it::common::{TempDir, local as capture, repeated};

fn harness_for(name: &str) -> Harness<'static, App> {
    harness_dt(name, 0.25)
}

/// The harness with frames `dt` seconds apart (a double click needs them shorter than the
/// default quarter second).
fn harness_dt(name: &str, dt: f32) -> Harness<'static, App> {
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(&capture(name));
    app.finish();
    assert!(app.error.is_none(), "{:?}", app.error);
    let mut h = Harness::builder()
        .with_size(Vec2::new(1400.0, 1100.0))
        // Searches and scans run in slices over several frames.
        .with_max_steps(400)
        .with_step_dt(dt)
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    h.run();
    h
}

/// Display rows whose message `pred` accepts, in order.
fn rows_where(app: &mut App, pred: impl Fn(&mut App, usize) -> bool) -> Vec<usize> {
    let shown = app.list.displayed.clone();
    shown
        .iter()
        .enumerate()
        .filter(|(_, i)| pred(app, **i as usize))
        .map(|(r, _)| r)
        .collect()
}

/// Open the Find bar with Ctrl+F and type `text` into it.
fn type_find(h: &mut Harness<'_, App>, text: &str) {
    h.key_press_modifiers(Modifiers::COMMAND, Key::F);
    h.run();
    assert!(h.state().find.open);
    let field = h.get_by_label("Search for");
    field.focus();
    h.run();
    h.get_by_label("Search for").type_text(text);
    h.run();
}

fn tree_has(tree: &[Node], pred: &dyn Fn(&Node) -> bool) -> bool {
    find_node(tree, pred).is_some()
}

#[test]
fn find_a_string_in_the_list_walks_matches_and_wraps() {
    let mut h = harness_for("route-link.pcap");
    let want = rows_where(h.state_mut(), |a, i| {
        summary_line(&a.store, i).to_lowercase().contains("veth0")
    });
    assert!(want.len() >= 3, "{want:?}");
    type_find(&mut h, "VETH0");
    h.key_press(Key::Enter);
    h.run();
    assert_eq!(h.state().selected_row(), Some(want[0]));
    assert_eq!(
        h.state().find.outcome,
        Some(FindOutcome::Found { wrapped: false })
    );
    // The row shows what was found.
    let i = h.state().selected.expect("selected");
    assert!(
        h.state()
            .store
            .view(i)
            .expect("view")
            .summary()
            .contains("veth0")
    );
    h.get_by_label("Find").click();
    h.run();
    assert_eq!(h.state().selected_row(), Some(want[1]));
    h.get_by_label("Previous").click();
    h.run();
    assert_eq!(h.state().selected_row(), Some(want[0]));
    // From the first match backwards: past the start, round to the last, with a note.
    h.get_by_label("Previous").click();
    h.run();
    assert_eq!(h.state().selected_row(), want.last().copied());
    h.get_by_label("Found (the search wrapped around)");
    // Case-sensitive: nothing is upper case.
    h.state_mut().find.case = true;
    h.state_mut().find_next(true).expect("query");
    h.run();
    h.get_by_label("No match");
    assert_eq!(h.state().selected_row(), want.last().copied());
    // Escape in the field closes the bar.
    h.get_by_label("Search for").focus();
    h.run();
    h.key_press(Key::Escape);
    h.run();
    assert!(!h.state().find.open);
    assert!(h.query_by_label("Search for").is_none());
}

#[test]
fn find_in_details_selects_and_reveals_the_node() {
    let mut h = harness_for("route-link.pcap");
    {
        let app = h.state_mut();
        app.find.by = FindBy::Text;
        app.find.within = FindIn::Details;
    }
    type_find(&mut h, "DEVCONF_MTU6: 1450");
    let want = rows_where(h.state_mut(), |a, i| {
        tree_has(&a.store.build_tree(i), &|n| {
            node_text(n).contains("DEVCONF_MTU6: 1450")
        })
    });
    assert!(!want.is_empty());
    h.key_press(Key::Enter);
    h.run();
    let app = h.state();
    assert_eq!(app.selected_row(), Some(want[0]));
    let path = app.detail.selected_node.clone().expect("a node selected");
    let n = app.detail.node_at(&path).expect("node");
    assert!(
        node_text(n).contains("DEVCONF_MTU6: 1450"),
        "{}",
        node_text(n)
    );
    // Its bytes are highlighted, and the tree opened down to it: the node is on screen.
    assert_eq!(app.hex.sel, Some((n.offset, n.length)));
    h.get_by_label_contains("DEVCONF_MTU6: 1450");
}

#[test]
fn find_hex_bytes_and_ascii_bytes_highlight_the_match() {
    let mut h = harness_for("route-link.pcap");
    h.state_mut().find.by = FindBy::Hex;
    // "veth0" in ASCII.
    type_find(&mut h, "76 65 74 68 30");
    h.key_press(Key::Enter);
    h.run();
    let app = h.state();
    let (off, len) = app.hex.sel.expect("bytes highlighted");
    assert_eq!(len, 5);
    assert_eq!(
        app.selected_frame_data().get(off..off + len),
        Some(&b"veth0"[..])
    );
    let first = app.selected_row().expect("a row");
    // The same bytes as a string in the packet bytes, without separators.
    let app = h.state_mut();
    app.find.by = FindBy::Text;
    app.find.within = FindIn::Bytes;
    app.find.text = "VETH0".into();
    app.select_row(0);
    app.find_next(true).expect("query");
    app.find_finish();
    assert_eq!(app.selected_row(), Some(first));
    assert_eq!(app.hex.sel.map(|s| s.1), Some(5));
    // A bad hex value says why.
    app.find.by = FindBy::Hex;
    app.find.text = "7g".into();
    assert!(app.find_next(true).is_err());
    h.run();
    h.get_by_label("'g' is not a hex digit");
}

#[test]
fn find_by_display_filter_and_cancel_a_slow_search() {
    let mut h = harness_for("route-link.pcap");
    let app = h.state_mut();
    let f = "nlmsg.type == RTM_NEWLINK";
    let want = rows_where(app, |a, i| {
        a.store
            .view(i)
            .is_some_and(|v| v.type_str() == "RTM_NEWLINK")
    });
    assert!(want.len() >= 2);
    app.find.by = FindBy::Filter;
    app.find.text = f.into();
    app.find_next(true).expect("query");
    app.find_finish();
    assert_eq!(app.selected_row(), Some(want[0]));
    // The field the filter names is the selected node.
    let path = app.detail.selected_node.clone().expect("node");
    assert_eq!(
        app.detail.node_at(&path).map(|n| n.field.as_ref()),
        Some("nlmsg.type")
    );
    app.find_next(true).expect("query");
    app.find_finish();
    assert_eq!(app.selected_row(), Some(want[1]));
    app.find.text = "nlmsg.type ==".into();
    assert!(app.find_next(true).is_err());
    assert!(matches!(app.find.outcome, Some(FindOutcome::Error(_))));
    // A search that finds nothing runs in slices: one row per zero-length slice, with its
    // progress, until cancelled. On a capture whose details take many frames to search (on
    // route-link.pcap it could end in the frame that takes the click).
    let mut h = harness_for("genl-nl80211.pcap");
    let app = h.state_mut();
    app.find.open = true;
    app.find.by = FindBy::Text;
    app.find.within = FindIn::Details;
    app.find.text = "no such text anywhere".into();
    app.find_next(true).expect("query");
    assert!(app.finding());
    assert!(app.find_step(Duration::ZERO));
    assert!(app.find_step(Duration::ZERO));
    assert_eq!(app.find.search.as_ref().map(|s| s.step), Some(2));
    h.run_steps(1);
    // The bar shows the progress and a Cancel button while it runs (a frame does a slice).
    assert!(h.state().finding(), "the search ended in one frame");
    h.get_by_label_contains("Searching ");
    h.get_by_label("Cancel").click();
    h.run();
    assert_eq!(h.state().find.outcome, Some(FindOutcome::Cancelled));
    let app = h.state_mut();
    // A new filter while it runs ends it: the rows it walks are other rows now.
    app.find_next(true).expect("query");
    app.apply_filter_text("nlmsg.type == RTM_NEWLINK")
        .expect("filter");
    assert!(!app.find_step(Duration::from_secs(1)));
    assert!(matches!(app.find.outcome, Some(FindOutcome::Error(_))));
    app.apply_filter_text("").expect("no filter");
    app.finish();
    app.find_next(true).expect("query");
    app.cancel_find();
    assert!(!app.finding());
    assert_eq!(app.find.outcome, Some(FindOutcome::Cancelled));
}

#[test]
fn next_and_previous_warning_first_last_back_forward() {
    let mut h = harness_for("rt-misc.pcap");
    let want = rows_where(h.state_mut(), |a, i| {
        tree_has(&a.store.build_tree(i), &|n| {
            n.expert
                .as_ref()
                .is_some_and(|e| e.severity == Severity::Warning)
        })
    });
    assert!(want.len() >= 3, "{want:?}");
    h.key_press(Key::F7);
    h.run();
    assert_eq!(h.state().selected_row(), Some(want[0]));
    // The warning node is selected and shown.
    let app = h.state();
    let path = app.detail.selected_node.clone().expect("node");
    let n = app.detail.node_at(&path).expect("node");
    assert_eq!(
        n.expert.as_ref().map(|e| e.severity),
        Some(Severity::Warning)
    );
    h.key_press(Key::F7);
    h.run();
    assert_eq!(h.state().selected_row(), Some(want[1]));
    h.key_press_modifiers(Modifiers::SHIFT, Key::F7);
    h.run();
    assert_eq!(h.state().selected_row(), Some(want[0]));
    // The Go menu has them too.
    h.get_by_label("Go").click();
    h.run();
    h.get_by_label_contains("Next warning").click();
    h.run();
    assert_eq!(h.state().selected_row(), Some(want[1]));

    // First / last.
    let last = h.state().list.displayed.len() - 1;
    h.key_press_modifiers(Modifiers::COMMAND, Key::End);
    h.run();
    assert_eq!(h.state().selected_row(), Some(last));
    h.key_press_modifiers(Modifiers::COMMAND, Key::Home);
    h.run();
    assert_eq!(h.state().selected_row(), Some(0));

    // History so far: want[0], want[1], want[0], want[1], last, 0.
    h.key_press_modifiers(Modifiers::ALT, Key::ArrowLeft);
    h.run();
    assert_eq!(h.state().selected_row(), Some(last));
    h.key_press_modifiers(Modifiers::ALT, Key::ArrowLeft);
    h.run();
    assert_eq!(h.state().selected_row(), Some(want[1]));
    h.key_press_modifiers(Modifiers::ALT, Key::ArrowRight);
    h.run();
    assert_eq!(h.state().selected_row(), Some(last));
    // A new selection drops the forward branch.
    h.state_mut().select_row(5);
    h.run();
    assert!(h.state().history.forward.is_empty());
    h.key_press_modifiers(Modifiers::ALT, Key::ArrowRight);
    h.run();
    assert_eq!(h.state().selected_row(), Some(5));
    h.get_by_label("Go").click();
    h.run();
    h.get_by_label_contains("Back").click();
    h.run();
    assert_eq!(h.state().selected_row(), Some(last));
    // Ctrl+/ gives the filter bar the keyboard (Ctrl+F is Find).
    h.key_press_modifiers(Modifiers::COMMAND, Key::Slash);
    h.run();
    h.event(Event::Text("nlmsg".into()));
    h.run();
    assert_eq!(h.state().filter.text, "nlmsg");
    assert!(!h.state().find.open);
}

#[test]
fn expert_information_groups_counts_and_jumps() {
    let mut h = harness_for("rt-misc.pcap");
    // What the window should say, worked out from every tree.
    let mut want: BTreeMap<(Severity, String), (usize, usize)> = BTreeMap::new();
    {
        let app = h.state();
        for i in 0..app.store.len() {
            let mut mine: BTreeMap<(Severity, String), usize> = BTreeMap::new();
            for n in app.store.build_tree(i) {
                n.walk(&mut |n| {
                    if let Some(e) = &n.expert {
                        *mine.entry((e.severity, e.text.clone())).or_default() += 1;
                    }
                });
            }
            for (k, c) in mine {
                let w = want.entry(k).or_default();
                w.0 += c;
                w.1 += 1;
            }
        }
    }
    assert!(want.keys().any(|k| k.0 == Severity::Warning));
    h.get_by_label("Analyze").click();
    h.run();
    h.get_by_label("Expert Information").click();
    h.run();
    assert!(!h.state().experts.running());
    let got: BTreeMap<(Severity, String), (usize, usize)> = h
        .state()
        .experts
        .groups
        .iter()
        .map(|((s, t), g)| ((s.0, t.clone()), (g.notes, g.rows.len())))
        .collect();
    assert_eq!(got, want);
    // Headers by severity, then by text with counts.
    let ((sev, text), (notes, msgs)) = want
        .iter()
        .find(|(k, _)| k.0 == Severity::Warning)
        .map(|(k, v)| (k.clone(), *v))
        .expect("a warning");
    let warnings: usize = want
        .iter()
        .filter(|(k, _)| k.0 == Severity::Warning)
        .map(|(_, v)| v.0)
        .sum();
    h.get_by_label_contains(&format!("Warning ({warnings} in "));
    let head = format!(
        "{text}  —  {notes} note{} in {msgs} message{}",
        if notes == 1 { "" } else { "s" },
        if msgs == 1 { "" } else { "s" }
    );
    h.get_by_label(&head).click();
    h.run();
    // Expanded: its messages; a click selects the message and the note.
    let first = h
        .state()
        .experts
        .groups
        .iter()
        .find(|((s, t), _)| s.0 == sev && *t == text);
    let i = first
        .and_then(|(_, g)| g.rows.first())
        .copied()
        .expect("a message") as usize;
    let e = h.state().store.msg(i).expect("msg");
    let line = format!(
        "{}:{}  {}",
        e.frame + 1,
        e.pos,
        summary_line(&h.state().store, i)
    );
    h.get_by_label(&line).click();
    h.run();
    let app = h.state();
    assert_eq!(app.selected, Some(i));
    let path = app.detail.selected_node.clone().expect("node");
    let n = app.detail.node_at(&path).expect("node");
    assert_eq!(
        n.expert.as_ref().map(|e| (e.severity, e.text.clone())),
        Some((sev, text))
    );
}

#[test]
fn expert_information_scans_in_slices_with_cancel() {
    let mut h = harness_for("rt-misc.pcap");
    let app = h.state_mut();
    app.experts.open = true;
    app.scan_experts();
    assert!(app.experts.running());
    assert!(app.experts.step(&app.store, Duration::ZERO));
    assert_eq!(app.experts.scanned.0, 1);
    app.experts.cancel();
    assert!(!app.experts.running());
    h.run();
    h.get_by_label_contains("1 of ");
    // Displayed only: a filter's messages.
    let app = h.state_mut();
    app.apply_filter_text("nlmsg.type == RTM_GETLINK")
        .expect("filter");
    app.finish();
    app.experts.displayed_only = true;
    app.scan_experts();
    while app.experts.step(&app.store, Duration::from_secs(1)) {}
    assert_eq!(app.experts.scanned.1, app.list.displayed.len());
    let shown: Vec<u32> = app.list.displayed.clone();
    assert!(
        app.experts
            .groups
            .values()
            .all(|g| g.rows.iter().all(|r| shown.contains(r)))
    );
}

/// Plot-area position at `frac` of its width, mid height.
fn at(h: &Harness<'_, App>, frac: f32) -> egui::Pos2 {
    let d = h.state().timeline.drawn.expect("timeline drawn");
    egui::pos2(d.rect.left() + d.rect.width() * frac, d.rect.center().y)
}

fn wheel(h: &mut Harness<'_, App>, pos: egui::Pos2, dy: f32) {
    h.hover_at(pos);
    h.run();
    h.event(Event::MouseWheel {
        unit: egui::MouseWheelUnit::Point,
        delta: egui::vec2(0.0, dy),
        modifiers: Modifiers::NONE,
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Unknown,
    });
    h.run();
}

#[test]
fn timeline_zooms_pans_and_resets() {
    let mut h = harness_dt("rt-misc.pcap", 0.05);
    let full = h.state().timeline.drawn.expect("drawn").x_range;
    let full_width = h.state().timeline.drawn.expect("drawn").width_ns;
    let p = at(&h, 0.25);
    let t_at = |h: &Harness<'_, App>, p: egui::Pos2| {
        let d = h.state().timeline.drawn.expect("drawn");
        let (a, b) = d.x_range;
        a + (b - a) * f64::from((p.x - d.rect.left()) / d.rect.width())
    };
    let t0 = t_at(&h, p);
    wheel(&mut h, p, 300.0);
    let d = h.state().timeline.drawn.expect("drawn");
    let (a, b) = d.x_range;
    assert!(
        b - a < (full.1 - full.0) * 0.5,
        "{:?} vs {full:?}",
        d.x_range
    );
    // Zoomed around the pointer: the time under it stays under it.
    let t1 = t_at(&h, p);
    assert!((t1 - t0).abs() < (b - a) * 0.01, "{t0} -> {t1}");
    // Finer bars when zoomed in.
    assert!(d.width_ns < full_width, "{} vs {full_width}", d.width_ns);
    assert!(h.state().timeline.view.is_some());
    h.get_by_label_contains("zoomed: ");

    // Shift+drag pans: dragging left shows later times.
    let (from, to) = (at(&h, 0.6), at(&h, 0.3));
    h.event(Event::ModifiersChanged(Modifiers::SHIFT));
    h.event(Event::PointerMoved(from));
    h.event(Event::PointerButton {
        pos: from,
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: Modifiers::SHIFT,
    });
    h.run();
    for k in 1..=6 {
        h.event(Event::PointerMoved(from.lerp(to, k as f32 / 6.0)));
        h.run();
    }
    h.event(Event::PointerButton {
        pos: to,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: Modifiers::SHIFT,
    });
    h.run();
    h.event(Event::ModifiersChanged(Modifiers::NONE));
    h.run();
    let (a2, b2) = h.state().timeline.drawn.expect("drawn").x_range;
    assert!(a2 > a && b2 > b, "{:?} -> {:?}", (a, b), (a2, b2));
    assert!(((b2 - a2) - (b - a)).abs() < (b - a) * 1e-6);
    // Panning is not a time-range filter.
    assert!(h.state().filter.applied.is_none());

    // Wheel the other way zooms out, to the whole capture at most.
    wheel(&mut h, p, -3000.0);
    assert_eq!(h.state().timeline.drawn.expect("drawn").x_range, full);
    assert!(h.state().timeline.view.is_none());
    // Double click resets.
    wheel(&mut h, p, 300.0);
    assert!(h.state().timeline.view.is_some());
    h.hover_at(p);
    // With a message selected (the first click of a double click would select one and open
    // the details pane under the list).
    h.state_mut().select_row(0);
    h.run();
    h.hover_at(p);
    h.run();
    // Two quick clicks (the harness hands one pointer button event per frame, 0.05 s apart).
    for pressed in [true, false, true, false] {
        h.event(Event::PointerButton {
            pos: p,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: Modifiers::NONE,
        });
    }
    h.run();
    assert!(h.state().timeline.view.is_none());
    assert_eq!(h.state().timeline.drawn.expect("drawn").x_range, full);
    // A click still selects the message at the clicked time.
    assert_ne!(h.state().selected_row(), Some(0));
}

#[test]
fn timeline_y_axis_fits_the_filtered_bars() {
    let mut h = harness_for("rt-misc.pcap");
    let all = h.state().timeline.drawn.expect("drawn").y_max;
    h.state_mut()
        .apply_filter_text("nlmsg.type == RTM_NEWROUTE")
        .expect("filter");
    h.state_mut().finish();
    h.run();
    let app = h.state();
    assert!(!app.list.displayed.is_empty());
    let d = app.timeline.drawn.expect("drawn");
    // The tallest filtered bar, counted directly over the bars' buckets.
    let origin = app.store.first_ts().expect("ts");
    let mut per: BTreeMap<i128, u32> = BTreeMap::new();
    for &i in &app.list.displayed {
        let e = app.store.msg(i as usize).expect("msg");
        let ts = app.store.frame(e.frame as usize).expect("frame").ts_ns;
        *per.entry((ts - origin).div_euclid(d.width_ns)).or_default() += 1;
    }
    let top = f64::from(per.values().copied().max().unwrap_or(0));
    assert_eq!(d.y_max, top.max(1.0));
    assert!(d.y_max < all, "filtered {} vs all {all}", d.y_max);
}

/// Frames of a capture, replayed by a live source as the test releases them.
struct Replay {
    frames: VecDeque<nlscope::pcap::Frame>,
    allowed: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    sent: usize,
}

impl Source for Replay {
    fn interfaces(&self) -> Vec<String> {
        vec!["replay:route-link".into()]
    }
    fn poll(&mut self, timeout: Duration, base: usize, out: &mut Vec<Captured>) -> io::Result<()> {
        std::thread::sleep(timeout.min(Duration::from_millis(2)));
        if self.sent >= self.allowed.load(std::sync::atomic::Ordering::SeqCst) {
            return Ok(());
        }
        if let Some(f) = self.frames.pop_front() {
            out.push(Captured {
                ts_ns: f.ts_ns,
                interface: base,
                orig_len: f.orig_len,
                data: f.data,
                group: None,
                nsid: None,
                drops_before: 0,
            });
            self.sent += 1;
        }
        Ok(())
    }
    fn stats(&self) -> SourceStats {
        SourceStats {
            received: self.sent as u64,
            kernel_drops: 0,
            overruns: 0,
        }
    }
}

#[test]
fn timeline_is_shown_and_grows_during_and_after_a_live_capture() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let f = std::fs::File::open(capture("route-link.pcap")).expect("open");
    let mut r = Reader::new(io::BufReader::new(f)).expect("reader");
    let mut frames = VecDeque::new();
    while let Some(f) = r.next_frame() {
        frames.push_back(f.expect("frame"));
    }
    let total = frames.len();
    let allowed = std::sync::Arc::new(AtomicUsize::new(0));
    let src = Replay {
        frames,
        allowed: std::sync::Arc::clone(&allowed),
        sent: 0,
    };
    let mut app = App::new(SpecRegistry::with_embedded());
    assert!(app.settings.timeline);
    app.start_live_source(
        "replay".into(),
        Box::new(move || Ok(vec![Box::new(src) as Box<dyn Source>])),
    );
    let mut h = super::gui_live::harness(app);
    let counted = |h: &Harness<'_, App>| h.state().timeline.all.total();
    for n in [20, 60] {
        allowed.store(n, Ordering::SeqCst);
        super::gui_live::pump_until(&mut h, "frames", |a| a.store.frame_count() == n);
        h.run_ok();
        assert!(h.state().capturing());
        h.get_by_label_contains("messages in bars of");
        assert_eq!(counted(&h), h.state().store.len() as u64);
    }
    allowed.store(total, Ordering::SeqCst);
    super::gui_live::pump_until(&mut h, "all frames", |a| a.store.frame_count() == total);
    h.state_mut().stop_capture();
    super::gui_live::pump_until(&mut h, "stopped", |a| !a.capturing());
    h.run_ok();
    // Still there after the capture, with every message.
    h.get_by_label_contains("messages in bars of");
    assert_eq!(counted(&h), h.state().store.len() as u64);
}

/// Slices of a search and of an Expert Information scan over a big capture stay near their
/// budget (run with `--ignored --nocapture` for the figures; `--release` for real speed).
#[test]
#[ignore = "measurement; slow in a debug build"]
fn find_and_expert_scan_slices_on_a_big_capture() {
    use std::time::Instant;
    let f = std::fs::File::open(capture("rt-misc.pcap")).expect("open");
    let mut r = Reader::new(io::BufReader::new(f)).expect("reader");
    let mut one = Vec::new();
    while let Some(f) = r.next_frame() {
        one.push(f.expect("frame").data);
    }
    let copies = 60_000 / one.len().max(1) + 1;
    let frames: Vec<Vec<u8>> = (0..copies).flat_map(|_| one.iter().cloned()).collect();
    let dir = crate::it::common::TempDir::new("nav-big");
    let path = dir.path("big.pcap");
    std::fs::write(&path, crate::it::common::pcap_file(&frames)).expect("write");
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(&path);
    app.finish();
    let rows = app.store.len();
    let budget = Duration::from_millis(8);
    let measure = |app: &mut App, step: &mut dyn FnMut(&mut App) -> bool| {
        let (t0, mut longest, mut slices) = (Instant::now(), Duration::ZERO, 0u32);
        loop {
            let t = Instant::now();
            let more = step(app);
            longest = longest.max(t.elapsed());
            slices += 1;
            if !more {
                break;
            }
        }
        (t0.elapsed(), longest, slices)
    };
    app.find.by = FindBy::Text;
    app.find.within = FindIn::Details;
    app.find.text = "no such text anywhere".into();
    app.find_next(true).expect("query");
    let (all, longest, slices) = measure(&mut app, &mut |a| a.find_step(budget));
    eprintln!(
        "find in details: {rows} messages in {all:?} ({:.0} messages/s), {slices} slices, longest {longest:?}",
        rows as f64 / all.as_secs_f64()
    );
    assert_eq!(app.find.outcome, Some(FindOutcome::NotFound));
    // A slice overruns its budget by one message's tree at most (plus whatever the machine's
    // load adds): never the whole search.
    assert!(longest < Duration::from_millis(250), "{longest:?}");
    app.scan_experts();
    let (all, longest, slices) = measure(&mut app, &mut |a| a.experts.step(&a.store, budget));
    eprintln!(
        "expert scan: {rows} messages in {all:?} ({:.0} messages/s), {slices} slices, longest {longest:?}",
        rows as f64 / all.as_secs_f64()
    );
    // A slice overruns its budget by one message's tree at most (plus whatever the machine's
    // load adds): never the whole search.
    assert!(longest < Duration::from_millis(250), "{longest:?}");
    assert_eq!(app.experts.scanned.0, rows);
}

/// Over more than 20,000 displayed messages a forward find by display filter runs on worker
/// threads: it selects what a row-by-row search selects, wraps past the end, says when nothing
/// matches, and can be cancelled.
#[test]
fn find_by_filter_over_many_rows_runs_in_the_background() {
    let dir = TempDir::new("find-bg");
    let cap = dir.path("long.pcap");
    std::fs::write(&cap, repeated(&capture("bridge-extra.pcap"), 60)).unwrap();
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(&cap);
    app.finish();
    let n = app.list.displayed.len();
    assert!(n > 20_000, "{n} rows");
    let f = "rt-link.ifname == \"veth0\" && nlmsg.type == RTM_NEWLINK";
    let filter = {
        let cat = nlscope::dissect::fields::Catalog::new(&app.store.dissector().specs);
        nlscope::filter::Filter::compile(f, &cat).unwrap()
    };
    let hits: Vec<usize> = (0..n)
        .filter(|&r| {
            let mut out = Vec::new();
            app.store
                .filter_range(&filter, &Reads::default(), r..r + 1, &mut out);
            !out.is_empty()
        })
        .collect();
    assert!(hits.len() >= 60, "{} hits", hits.len());
    app.find.by = FindBy::Filter;
    app.find.text = f.into();
    // From a row, to the next hit; from past the last hit, round to the first.
    let (mid, last) = (hits[hits.len() / 2], hits[hits.len() - 1]);
    for (from, want, wrapped) in [
        (mid, hits[hits.len() / 2 + 1], false),
        (last + 1, hits[0], true),
    ] {
        app.select_row(from);
        app.find_next(true).expect("query");
        assert!(app.find_step(Duration::ZERO) || app.find.outcome.is_some());
        if let Some(s) = app.find.search.as_ref() {
            assert!(s.in_background());
        }
        app.find_finish();
        assert_eq!(app.selected_row(), Some(want), "from row {from}");
        assert_eq!(app.find.outcome, Some(FindOutcome::Found { wrapped }));
    }
    app.find.text = "rt-link.ifname == \"no-such-link\"".into();
    app.find_next(true).expect("query");
    app.find_finish();
    assert_eq!(app.find.outcome, Some(FindOutcome::NotFound));
    app.find_next(true).expect("query");
    assert!(app.find_step(Duration::ZERO));
    assert!(app.find.search.as_ref().is_some_and(|s| s.in_background()));
    app.cancel_find();
    assert_eq!(app.find.outcome, Some(FindOutcome::Cancelled));
    assert!(!app.finding());
}
