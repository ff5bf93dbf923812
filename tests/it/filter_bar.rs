//! The filter bar's error caret and completion popup, driven headless through egui_kittest
//! (AccessKit queries and key events).

use egui::{Key, Role, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use nlscope::dissect::specs::SpecRegistry;
use nlscope::ui::{App, FilterCheck};

fn harness() -> Harness<'static, App> {
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(&crate::it::common::local("route-link.pcap"));
    app.finish();
    let mut h = Harness::builder()
        .with_size(Vec2::new(1400.0, 900.0))
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    h.run();
    h
}

fn type_filter(h: &mut Harness<'static, App>, text: &str) {
    h.get_by_role(Role::TextInput).focus();
    h.run();
    h.get_by_role(Role::TextInput).type_text(text);
    h.run();
}

#[test]
fn an_invalid_filter_gets_a_caret_under_the_offending_characters() {
    let mut h = harness();
    // An unknown field: the whole name is underlined, from column 1.
    type_filter(&mut h, "rt-link.ifnme == x");
    assert_eq!(h.state().filter.error_span(), Some((0, 13)));
    let field = h.get_by_role(Role::TextInput).rect();
    let at1 = h.get_by_label("Error at column 1").rect();
    assert!(
        at1.top() >= field.center().y && at1.top() <= field.bottom() + 4.0,
        "{at1:?} in {field:?}"
    );
    assert!(
        at1.left() >= field.left() && at1.left() < field.left() + 20.0,
        "{at1:?} in {field:?}"
    );
    h.get_by_label_contains("Invalid filter: col 1");
    // A missing value: the caret stands after the text, further right.
    h.get_by_role(Role::TextInput).focus();
    h.run();
    for _ in 0.."rt-link.ifnme == x".len() {
        h.key_press(Key::Backspace);
    }
    h.run();
    type_filter(&mut h, "nlmsg.type == ");
    let (pos, _) = h.state().filter.error_span().expect("invalid");
    assert_eq!(
        pos,
        "nlmsg.type ==".len() + 1,
        "{:?}",
        h.state().filter.check
    );
    let at = h
        .get_by_label(&format!("Error at column {}", pos + 1))
        .rect();
    // Monospace: the caret is pos character widths right of column 1.
    let cw = at1.width() / 13.0;
    assert!(
        (at.left() - at1.left() - pos as f32 * cw).abs() < 2.0,
        "caret at {} vs column 1 at {} with char width {cw}",
        at.left(),
        at1.left()
    );
    // A valid filter has none.
    h.get_by_role(Role::TextInput).type_text("RTM_NEWLINK");
    h.run();
    assert_eq!(h.state().filter.check, FilterCheck::Valid);
    assert_eq!(h.state().filter.error_span(), None);
    assert!(h.query_by_label_contains("Error at column").is_none());
}

/// The suggestions on screen (buttons of the popup), in order.
fn shown(h: &Harness<'static, App>, expect: &[String]) -> usize {
    expect
        .iter()
        .filter(|c| h.query_by_role_and_label(Role::Button, c).is_some())
        .count()
}

#[test]
fn the_completion_popup_inserts_with_enter_and_closes_with_escape() {
    let mut h = harness();
    type_filter(&mut h, "rt-link.if");
    let comps: Vec<String> = h
        .state()
        .filter
        .field_completions("rt-link.if", 40)
        .into_iter()
        .map(String::from)
        .collect();
    assert!(comps.len() >= 3, "{comps:?}");
    assert!(shown(&h, &comps) >= 3, "popup lists the fields");
    // The popup sits under the text field.
    let field = h.get_by_role(Role::TextInput).rect();
    let first = h.get_by_role_and_label(Role::Button, &comps[0]).rect();
    assert!(
        first.top() >= field.bottom() - 1.0,
        "{first:?} under {field:?}"
    );
    // Down moves to the second entry; Enter inserts it and does not apply the filter.
    h.key_press(Key::ArrowDown);
    h.run();
    h.key_press(Key::Enter);
    h.run();
    assert_eq!(h.state().filter.text, comps[1]);
    assert!(h.state().filter.applied.is_none());
    assert!(h.get_by_role(Role::TextInput).is_focused());
    assert_eq!(shown(&h, &comps), 0, "closed after inserting");
    // Typing goes on after the inserted name.
    h.get_by_role(Role::TextInput)
        .type_text(" == lo && rt-link.if");
    h.run();
    // Up from the first entry wraps to the last; Tab inserts too.
    h.key_press(Key::ArrowUp);
    h.run();
    h.key_press(Key::Tab);
    h.run();
    let last = comps.last().unwrap();
    assert_eq!(
        h.state().filter.text,
        format!("{} == lo && {last}", comps[1])
    );
    assert!(h.get_by_role(Role::TextInput).is_focused());
    // Escape closes the popup and keeps the text and the focus.
    h.get_by_role(Role::TextInput).type_text(" && nlmsg.ty");
    h.run();
    h.get_by_role_and_label(Role::Button, "nlmsg.type");
    h.key_press(Key::Escape);
    h.run();
    assert!(
        h.query_by_role_and_label(Role::Button, "nlmsg.type")
            .is_none()
    );
    assert!(h.get_by_role(Role::TextInput).is_focused());
    // Enter now applies what is typed (an unknown field: nothing changes).
    h.key_press(Key::Enter);
    h.run();
    assert!(h.state().filter.applied.is_none());
    assert!(matches!(h.state().filter.check, FilterCheck::Invalid(_)));
}
