//! Conversations in the app: a link node leads to its request and back, Alt+Up/Down jump,
//! Follow conversation/socket filter, the Statistics window counts what `nlscope stats` does.

use egui::{Modifiers, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use nlscope::dissect::specs::SpecRegistry;
use nlscope::ui::App;

use crate::it::common::{TempDir, local, repeated, run_ok};

fn harness() -> Harness<'static, App> {
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(&local("route-link.pcap"));
    app.finish();
    assert!(app.error.is_none(), "{:?}", app.error);
    let mut h = Harness::builder()
        .with_size(Vec2::new(1400.0, 1100.0))
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    h.run();
    h
}

/// Store index of the message at 1-based `frame`, message `msg`.
fn at(app: &App, frame: u32, msg: u16) -> usize {
    (0..app.store.len())
        .find(|&i| {
            let e = app.store.msg(i).unwrap();
            e.frame + 1 == frame && e.pos == msg
        })
        .unwrap()
}

#[test]
fn an_error_leads_to_its_request_and_back() {
    let mut h = harness();
    // Frame 2: error -19 ENODEV answering the RTM_NEWLINK of frame 1.
    let err = at(h.state(), 2, 0);
    let req = at(h.state(), 1, 0);
    h.state_mut().select_message(err);
    h.run();
    let link = h.get_by_label("[Request in]: frame 1 message 0");
    link.click_secondary();
    h.run();
    h.get_by_label("Go to frame 1 message 0").click();
    h.run();
    assert_eq!(h.state().selected, Some(req));
    h.get_by_label("[Response in]: frame 2 message 0");
    h.get_by_label_contains("[Latency]: 0.000940 s");
    // Keyboard: Alt+Down to the answer, Alt+Up back.
    h.key_press_modifiers(Modifiers::ALT, egui::Key::ArrowDown);
    h.run();
    assert_eq!(h.state().selected, Some(err));
    h.key_press_modifiers(Modifiers::ALT, egui::Key::ArrowUp);
    h.run();
    assert_eq!(h.state().selected, Some(req));
}

#[test]
fn follow_conversation_and_socket() {
    let mut h = harness();
    // A dump: its request and every part and the NLMSG_DONE.
    let cap = local("route-link.pcap");
    let p = cap.to_str().unwrap();
    let dump = run_ok(&[
        "read",
        "-r",
        p,
        "-Y",
        "nlmsg.flags & NLM_F_DUMP && nlmsg.responses > 2",
    ]);
    let first = dump.lines().next().expect("a dump with answers");
    let (f, m) = first
        .trim()
        .split_once(' ')
        .unwrap()
        .0
        .split_once(':')
        .unwrap();
    let req = at(h.state(), f.parse().unwrap(), m.parse().unwrap());
    h.state_mut().select_message(req);
    h.run();
    assert!(h.state_mut().follow(false));
    h.state_mut().finish();
    h.run();
    let want = run_ok(&[
        "read",
        "-r",
        p,
        "-Y",
        &format!("nlmsg.conversation == \"{f}:{m}\""),
    ]);
    assert_eq!(h.state().list.displayed.len(), want.lines().count());
    let responses: usize = h
        .state()
        .store
        .linked(req)
        .and_then(|l| l.answers)
        .map(|a| a.count as usize)
        .unwrap();
    assert_eq!(h.state().list.displayed.len(), responses + 1);
    // The socket: this request and everything else its port id sent and received.
    assert!(h.state_mut().follow(true));
    h.state_mut().finish();
    h.run();
    let (text, _) = h.state().filter.applied.clone().unwrap();
    assert!(
        text.starts_with("netlink.family == route && nlmsg.port == "),
        "{text}"
    );
    assert!(h.state().list.displayed.len() > responses);
}

#[test]
fn statistics_window_counts_like_the_cli() {
    let mut h = harness();
    h.get_by_label("Analyze").click();
    h.run();
    h.get_by_label("Statistics...").click();
    h.run();
    h.run();
    h.get_by_label("Requests by family and command");
    h.get_by_label("Latency over time");
    let app = h.state();
    let c = app.stats.stats.as_ref().expect("computed");
    let cap = local("route-link.pcap");
    let cli: serde_json::Value =
        serde_json::from_str(&run_ok(&["stats", "-r", cap.to_str().unwrap(), "-j"])).unwrap();
    let cmds = cli["commands"].as_array().unwrap();
    assert_eq!(c.stats.commands.len(), cmds.len());
    for cmd in cmds {
        let k = (
            cmd["family"].as_str().unwrap().to_string(),
            cmd["command"].as_str().unwrap().to_string(),
        );
        let r = &c.stats.commands[&k];
        assert_eq!(Some(r.requests), cmd["requests"].as_u64(), "{k:?}");
        assert_eq!(Some(r.errors), cmd["errors"].as_u64(), "{k:?}");
    }
    h.get_by_label("Errors by errno");
    h.get_by_label("-19 ENODEV");
}

#[test]
fn changes_and_comparison_in_the_tree() {
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(&local("rt-misc.pcap"));
    app.finish();
    let mut h = Harness::builder()
        .with_size(Vec2::new(1400.0, 1100.0))
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    h.run();
    let vxlan_up = at(h.state(), 36, 0);
    h.state_mut().select_message(vxlan_up);
    h.run();
    h.get_by_label_contains("[Changed since]: frame 4 message 5");
    // Closed at first; its line lists the first changes.
    h.get_by_label_contains("IFLA_OPERSTATE: IF_OPER_DOWN (2) -> IF_OPER_UNKNOWN (0)");
    // Compare another link with this one.
    h.get_by_label("Analyze").click();
    h.run();
    h.get_by_label("Compare others with this message").click();
    h.run();
    assert_eq!(h.state().compare_base, Some(vxlan_up));
    let other = at(h.state(), 4, 0);
    h.state_mut().select_message(other);
    h.run();
    h.get_by_label_contains("[Compared with]: frame 36 message 0");
}

#[test]
fn the_store_knows_what_changed() {
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(&local("rt-misc.pcap"));
    app.finish();
    let i = at(&app, 36, 0);
    let c = app.store.changes(i);
    assert!(c.is_some(), "no changes for {i}");
}

#[test]
fn state_window_shows_the_state_at_the_selected_message() {
    let cap = local("state.pcap");
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(&cap);
    app.finish();
    let mut h = Harness::builder()
        .with_size(Vec2::new(1400.0, 1100.0))
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    h.run();
    let n = h.state().store.frame_count() as u32;
    for frame in [37, n] {
        let i = at(h.state(), frame, 0);
        h.state_mut().select_message(i);
        h.run();
        for (kind, word) in [
            (nlscope::conv::state::Kind::Links, "links"),
            (nlscope::conv::state::Kind::Routes, "routes"),
        ] {
            let got = nlscope::ui::StateWindow::render(&h.state().store, i, kind, false);
            let want = run_ok(&[
                "state",
                "-r",
                cap.to_str().unwrap(),
                "--frame",
                &frame.to_string(),
                word,
            ]);
            assert_eq!(got, want, "{word} at frame {frame}");
        }
    }
    h.get_by_label("Analyze").click();
    h.run();
    h.get_by_label("State at this message...").click();
    h.run();
    h.run();
    h.get_by_label_contains("As the capture showed it after frame");
    h.get_by_label("routes").click();
    h.run();
    h.run();
    assert_eq!(h.state().state.kind, nlscope::conv::state::Kind::Routes);
}

/// On a long capture the state is built over several frames (with progress), carried
/// forward to a later selection and started over for an earlier one, and shows what
/// `StateWindow::render` gives.
#[test]
fn state_window_builds_a_long_capture_over_frames() {
    let dir = TempDir::new("state-window");
    let cap = dir.path("long.pcap");
    std::fs::write(&cap, repeated(&local("state.pcap"), 60)).unwrap();
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(&cap);
    app.finish();
    app.state.open = true;
    let mut h = Harness::builder()
        .with_size(Vec2::new(1400.0, 1100.0))
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    let n = h.state().store.len();
    assert!(n > 10_000, "{n} messages");
    for i in [n - 1, n / 2, n - 2] {
        h.state_mut().select_message(i);
        h.step();
        let mut frames = 1;
        while h.state().state.shown_at(i).is_none() {
            // However many frames this machine takes, while it builds it says so.
            h.get_by_label_contains("Applying message");
            h.step();
            frames += 1;
            assert!(frames < 100_000);
        }
        let kind = h.state().state.kind;
        let want = nlscope::ui::StateWindow::render(&h.state().store, i, kind, false);
        assert_eq!(
            h.state().state.shown_at(i),
            Some(want.as_str()),
            "message {i}"
        );
    }
}

/// On a long capture the Statistics window counts over several frames with its progress
/// shown, and ends with the tables a count in one go gives.
#[test]
fn statistics_window_counts_a_long_capture_over_frames() {
    let dir = TempDir::new("stats-window");
    let cap = dir.path("long.pcap");
    std::fs::write(&cap, repeated(&local("rt-misc.pcap"), 40)).unwrap();
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(&cap);
    app.finish();
    app.stats.open = true;
    let mut h = Harness::builder()
        .with_size(Vec2::new(1400.0, 1100.0))
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    h.step();
    // How many frames it takes depends on the machine: while it counts, it says so.
    let mut frames = 1;
    while h.state().stats.stats.is_none() {
        h.get_by_label_contains("Counting");
        h.step();
        frames += 1;
        assert!(frames < 100_000);
    }
    let store = &h.state().store;
    let whole = nlscope::ui::StatsWindow::compute(store, 0..store.len(), None);
    let got = h.state().stats.stats.as_ref().unwrap();
    assert_eq!(got.stats.text(), whole.stats.text());
    assert_eq!(got.points_at, whole.points_at);
    assert!(got.stats.commands.len() > 3);
}

#[test]
fn statistics_of_the_displayed_messages_follow_a_new_filter_of_the_same_length() {
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(&local("route-link.pcap"));
    app.finish();
    app.stats.open = true;
    app.stats.displayed_only = true;
    let mut h = Harness::builder()
        .with_size(Vec2::new(1400.0, 1100.0))
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    let counted = |h: &mut Harness<'static, App>, filter: &str| {
        h.state_mut().apply_filter_text(filter).unwrap();
        h.state_mut().finish();
        for _ in 0..1000 {
            h.step();
            if h.state()
                .stats
                .stats
                .as_ref()
                .is_some_and(|c| c.over.1.is_some())
                && !h.state().stats.counting()
            {
                break;
            }
        }
        assert_eq!(h.state().list.displayed.len(), 1, "{filter}");
        let i = h.state().list.displayed[0] as usize;
        let got = h.state().stats.stats.as_ref().unwrap().stats.text();
        let store = &h.state().store;
        assert_eq!(
            got,
            nlscope::ui::StatsWindow::compute(store, i..i + 1, None)
                .stats
                .text()
        );
        got
    };
    // Frame 1 is a request, frame 2 the error answering it: one message each.
    let request = counted(&mut h, "frame.number == 1");
    let answer = counted(&mut h, "frame.number == 2");
    assert_ne!(request, answer);
}
