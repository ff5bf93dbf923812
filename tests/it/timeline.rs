//! The timeline strip, driven headless
//! through egui_kittest (AccessKit queries and pointer events).

use egui::{Pos2, Role, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use nlscope::dissect::specs::SpecRegistry;
use nlscope::ui::App;
use nlscope::ui::timeline::{Bucket, CLASSES, family_class};

use crate::it::common::local as capture;

fn harness(file: &str) -> Harness<'static, App> {
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(&capture(file));
    app.finish();
    assert!(app.error.is_none(), "{:?}", app.error);
    let mut h = Harness::builder()
        .with_size(Vec2::new(1400.0, 900.0))
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    h.run();
    h
}

/// ns since the first frame of store row `i`.
fn rel_ns(app: &App, i: usize) -> i128 {
    let e = app.store.msg(i).expect("msg");
    app.store.frame(e.frame as usize).expect("frame").ts_ns - app.store.first_ts().expect("t0")
}

/// Counts per bucket of `width` ns of the displayed rows, straight from the store.
fn direct_counts(app: &App, width: i128) -> Vec<(i128, Bucket)> {
    let mut m = std::collections::BTreeMap::<i128, Bucket>::new();
    for &i in &app.list.displayed {
        let i = i as usize;
        let e = app.store.msg(i).expect("msg");
        let b = m.entry(rel_ns(app, i).div_euclid(width)).or_default();
        b.by_class[family_class(e.idx.protocol)] += 1;
        let error =
            e.idx.error.is_some_and(|x| x != 0) || app.store.frame_problem(e.frame).is_some();
        b.errors += u32::from(error);
    }
    m.into_iter().collect()
}

/// The timeline's bars at the width it drew with (empty buckets left out).
fn drawn_counts(app: &App) -> (i128, Vec<(i128, Bucket)>) {
    let w = app.timeline.drawn.expect("timeline drawn").width_ns;
    let (first, v) = app.timeline.shown.rebinned(w);
    let bars = v
        .iter()
        .enumerate()
        .filter(|(_, b)| b.total() > 0)
        .map(|(j, b)| (first + j as i128, *b))
        .collect();
    (w, bars)
}

/// Press and release the primary button at `pos` (a click), each in its own frame.
fn click_at(h: &mut Harness<'static, App>, pos: Pos2) {
    h.hover_at(pos);
    h.run();
    h.drag_at(pos);
    h.run();
    h.drop_at(pos);
    h.run();
}

/// Decimal seconds (as the filter text has them) to ns, exactly.
fn parse_ns(s: &str) -> i128 {
    let (neg, s) = s.strip_prefix('-').map_or((false, s), |r| (true, r));
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let frac = format!("{frac:0<9}");
    let v = int.parse::<i128>().unwrap() * 1_000_000_000 + frac[..9].parse::<i128>().unwrap();
    if neg { -v } else { v }
}

#[test]
fn timeline_bars_count_the_displayed_messages() {
    for file in ["route-link.pcap", "ethtool.pcap"] {
        let h = harness(file);
        let app = h.state();
        let n = app.list.displayed.len();
        h.get_by_label_contains(&format!("Timeline: {n} messages in bars of "));
        let (w, bars) = drawn_counts(app);
        assert!(bars.len() > 5, "{file}: {} bars", bars.len());
        assert_eq!(bars, direct_counts(app, w), "{file}");
        let errors: u32 = bars.iter().map(|b| b.1.errors).sum();
        if file == "route-link.pcap" {
            assert!(errors > 0, "route-link has error acks");
        }
        // The legend names the families present and counts the errors.
        h.get_by_label(&format!("errors ({errors})"));
        let (class, absent) = if file == "ethtool.pcap" {
            ("generic", "route")
        } else {
            ("route", "generic")
        };
        assert!(h.query_all_by_label(class).count() > 1, "legend and rows");
        assert!(
            h.query_by_label(absent).is_none(),
            "legend names only present families"
        );
        // Every class but one is empty here: the bars stack a single family.
        let used = (0..CLASSES)
            .filter(|&c| bars.iter().any(|b| b.1.by_class[c] > 0))
            .count();
        assert_eq!(used, 1, "{file}");
    }
}

#[test]
fn clicking_the_timeline_selects_the_first_message_of_the_interval() {
    let mut h = harness("route-link.pcap");
    let drawn = h.state().timeline.drawn.expect("drawn");
    let rect = h.get_by_label_contains("Timeline: ").rect();
    assert!(
        (rect.left() - drawn.rect.left()).abs() < 1.0,
        "{rect:?} {drawn:?}"
    );
    let w = drawn.width_ns;
    // Aim at the middle of the interval that holds the veth0 RTM_NEWLINK reply (86:3).
    let app = h.state();
    let target = app
        .list
        .displayed
        .iter()
        .map(|&i| i as usize)
        .find(|&i| {
            let e = app.store.msg(i).unwrap();
            e.frame == 85 && e.pos == 3
        })
        .expect("86:3");
    let g = rel_ns(app, target).div_euclid(w);
    let want = app
        .list
        .displayed
        .iter()
        .map(|&i| i as usize)
        .filter(|&i| rel_ns(app, i) >= g * w)
        .min_by_key(|&i| (rel_ns(app, i), i))
        .expect("a message in the interval");
    assert!(rel_ns(app, want) < (g + 1) * w);
    let x = drawn.x_of((g * w + w / 2) as f64 / 1e9);
    click_at(&mut h, Pos2::new(x, rect.center().y));
    let app = h.state();
    assert_eq!(app.selected, Some(want));
    assert!(app.filter.applied.is_none(), "a click is not a drag");
    // The list scrolled to it: its row's No. cell is on screen.
    let e = app.store.msg(want).unwrap();
    h.get_by_label(&format!("{}:{}", e.frame + 1, e.pos));
}

#[test]
fn select_at_time_picks_the_first_displayed_at_or_after() {
    let mut h = harness("route-link.pcap");
    let app = h.state_mut();
    app.apply_filter_text("nlmsg.type == RTM_NEWLINK").unwrap();
    app.finish();
    let times: Vec<(i128, usize)> = app
        .list
        .displayed
        .iter()
        .map(|&i| (rel_ns(app, i as usize), i as usize))
        .collect();
    let (t5, i5) = times[5];
    // Just after the previous one: the fifth is the first at or after.
    let at = times[4].0 + 1;
    assert!(at <= t5);
    assert_eq!(app.select_at_time(at), Some(i5));
    assert_eq!(app.selected, Some(i5));
    // Past the end: the last displayed message.
    let last = *times.iter().max().unwrap();
    assert_eq!(app.select_at_time(last.0 + 1_000_000_000), Some(last.1));
}

#[test]
fn dragging_on_the_timeline_filters_the_time_range() {
    let mut h = harness("route-link.pcap");
    let drawn = h.state().timeline.drawn.expect("drawn");
    let rect = h.get_by_label_contains("Timeline: ").rect();
    let y = rect.center().y;
    let (x1, x2) = (
        rect.left() + rect.width() * 0.3,
        rect.left() + rect.width() * 0.6,
    );
    h.hover_at(Pos2::new(x1, y));
    h.run();
    h.drag_at(Pos2::new(x1, y));
    h.run();
    for k in 1..=5 {
        h.hover_at(Pos2::new(x1 + (x2 - x1) * k as f32 / 5.0, y));
        h.run();
    }
    h.drop_at(Pos2::new(x2, y));
    h.run();
    let app = h.state();
    let (text, _) = app
        .filter
        .applied
        .clone()
        .expect("the drag applied a filter");
    let rest = text
        .strip_prefix("frame.time_relative >= ")
        .unwrap_or_else(|| panic!("{text}"));
    let (a, b) = rest
        .split_once(" && frame.time_relative <= ")
        .unwrap_or_else(|| panic!("{text}"));
    let (a, b) = (parse_ns(a), parse_ns(b));
    // The bounds are where the pointer went down and up, to within a pixel.
    let per_px = (drawn.x_range.1 - drawn.x_range.0) / f64::from(rect.width()) * 1e9;
    let want_a = (drawn.x_range.0 + (drawn.x_range.1 - drawn.x_range.0) * 0.3) * 1e9;
    let want_b = (drawn.x_range.0 + (drawn.x_range.1 - drawn.x_range.0) * 0.6) * 1e9;
    assert!(((a as f64) - want_a).abs() <= per_px, "{a} vs {want_a}");
    assert!(((b as f64) - want_b).abs() <= per_px, "{b} vs {want_b}");
    // Exactly the messages in the range are listed.
    let want: Vec<u32> = (0..app.store.len())
        .filter(|&i| app.store.view(i).is_some())
        .filter(|&i| (a..=b).contains(&rel_ns(app, i)))
        .map(|i| i as u32)
        .collect();
    assert!(!want.is_empty() && want.len() < app.store.len());
    assert_eq!(app.list.displayed, want);
    // The bars now count only those; the drawn counts still match the store.
    h.get_by_label_contains(&format!("Timeline: {} messages in bars of ", want.len()));
    let (w, bars) = drawn_counts(h.state());
    assert_eq!(bars, direct_counts(h.state(), w));
}

#[test]
fn a_time_range_is_combined_with_the_applied_filter() {
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(&capture("route-link.pcap"));
    app.finish();
    app.apply_filter_text("nlmsg.type == RTM_NEWLINK || nlmsg.type == RTM_GETLINK")
        .unwrap();
    app.finish();
    let all_links = app.list.displayed.clone();
    let (a, b) = (0.2, 1.7);
    app.apply_time_range(b, a).unwrap();
    app.finish();
    let (text, _) = app.filter.applied.clone().unwrap();
    assert_eq!(
        text,
        "(nlmsg.type == RTM_NEWLINK || nlmsg.type == RTM_GETLINK) && \
         frame.time_relative >= 0.2 && frame.time_relative <= 1.7"
    );
    let want: Vec<u32> = all_links
        .iter()
        .copied()
        .filter(|&i| (200_000_000..=1_700_000_000).contains(&rel_ns(&app, i as usize)))
        .collect();
    assert!(!want.is_empty() && want.len() < all_links.len());
    assert_eq!(app.list.displayed, want);
}

#[test]
fn the_timeline_can_be_hidden() {
    let mut h = harness("route-link.pcap");
    h.get_by_label_contains("Timeline: ");
    h.get_by_label("View").click();
    h.run();
    h.get_by_role_and_label(Role::CheckBox, "Timeline").click();
    h.run();
    assert!(!h.state().settings.timeline);
    assert!(h.query_by_label_contains("Timeline: ").is_none());
}
