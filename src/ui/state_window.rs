//! The State window: the kernel objects the capture showed (links, addresses, routes,
//! neighbours, rules, nexthops, qdiscs) as they were at the selected message, printed as `ip`
//! and `tc` list them — `nlscope state --frame N` for the selection.
//!
//! The state is built by applying every message up to the selection, in time-budgeted slices
//! over frames (a million messages take about a second), and carried forward when a later
//! message is selected.

use std::time::{Duration, Instant};

use egui::Ui;

use crate::conv::Role;
use crate::conv::state::{Kind, State};
use crate::store::Store;

/// The State window's state.
#[derive(Debug)]
pub struct StateWindow {
    /// Whether the window is shown.
    pub open: bool,
    /// Which objects.
    pub kind: Kind,
    /// JSON in the shape of `ip -j` rather than text.
    pub json: bool,
    /// The text shown, and for what (selected message, kind, JSON).
    shown: Option<((usize, Kind, bool), String)>,
    /// The state being built: messages `0..next` applied.
    built: Option<(State, usize)>,
}

/// Time a frame gives to building the state.
const BUDGET: Duration = Duration::from_millis(6);

impl Default for StateWindow {
    fn default() -> Self {
        StateWindow {
            open: false,
            kind: Kind::Links,
            json: false,
            shown: None,
            built: None,
        }
    }
}

/// Apply messages from `*next` up to `sel` (a store index) to `state`, for about `budget`:
/// whether it got there.
fn build(store: &Store, state: &mut State, next: &mut usize, sel: usize, budget: Duration) -> bool {
    let end = sel.saturating_add(1).min(store.len());
    let t0 = Instant::now();
    while *next < end {
        if let Some(v) = store.view(*next) {
            state.apply(&v, store.linked(*next).map_or(Role::None, |l| l.role));
        }
        *next += 1;
        if next.is_multiple_of(64) && t0.elapsed() >= budget {
            break;
        }
    }
    *next >= end
}

fn render(state: &State, kind: Kind, json: bool) -> String {
    if json {
        format!("{:#}\n", state.render_json(kind))
    } else {
        state.render_text(kind)
    }
}

impl StateWindow {
    /// The objects of `kind` as they were just after message `sel` (a store index).
    pub fn render(store: &Store, sel: usize, kind: Kind, json: bool) -> String {
        let mut state = State::new();
        build(store, &mut state, &mut 0, sel, Duration::MAX);
        render(&state, kind, json)
    }

    /// The text shown for message `sel`, once the state there is built.
    pub fn shown_at(&self, sel: usize) -> Option<&str> {
        self.shown
            .as_ref()
            .filter(|((s, _, _), _)| *s == sel)
            .map(|(_, t)| t.as_str())
    }

    /// Forget what was built (another capture).
    pub fn reset(&mut self) {
        self.shown = None;
        self.built = None;
    }

    /// Build towards the state at `sel` for about `budget`, carrying on from what was built
    /// when `sel` is not before it: true once it is there.
    fn advance(&mut self, store: &Store, sel: usize, budget: Duration) -> bool {
        let (state, next) = match &mut self.built {
            Some((state, next)) if *next <= sel + 1 => (state, next),
            built => {
                let (state, next) = built.insert((State::new(), 0));
                (state, next)
            }
        };
        build(store, state, next, sel, budget)
    }

    /// Draw the window (when open) for the selected message.
    pub(super) fn window(&mut self, ui: &mut Ui, store: &Store, selected: Option<usize>) {
        if !self.open {
            return;
        }
        let mut open = self.open;
        egui::Window::new("State")
            .open(&mut open)
            .default_size([760.0, 480.0])
            .show(ui.ctx(), |ui| {
                ui.horizontal(|ui| {
                    for k in Kind::ALL {
                        ui.selectable_value(&mut self.kind, k, k.as_str());
                    }
                    ui.separator();
                    ui.checkbox(&mut self.json, "JSON (ip -j)");
                });
                let Some(sel) = selected else {
                    ui.weak("Select a message: the state is shown as it was just after it.");
                    return;
                };
                let key = (sel, self.kind, self.json);
                if self.shown.as_ref().is_none_or(|(k, _)| *k != key) {
                    if self.advance(store, sel, BUDGET) {
                        if let Some((state, _)) = &self.built {
                            self.shown = Some((key, render(state, self.kind, self.json)));
                        }
                    } else {
                        let done = self.built.as_ref().map_or(0, |b| b.1);
                        ui.add(
                            egui::ProgressBar::new(done as f32 / (sel + 1) as f32)
                                .desired_width(240.0)
                                .text(format!("Applying message {done} of {}", sel + 1)),
                        );
                        ui.ctx().request_repaint();
                        return;
                    }
                }
                if let Some(e) = store.msg(sel) {
                    ui.weak(format!(
                        "As the capture showed it after frame {} message {} (dumps, replies and \
                         notifications up to there; requests change nothing)",
                        e.frame + 1,
                        e.pos
                    ));
                }
                if let Some((_, text)) = &self.shown {
                    if ui.button("Copy").clicked() {
                        ui.ctx().copy_text(text.clone());
                    }
                    egui::ScrollArea::both().show(ui, |ui| {
                        let mut t = text.as_str();
                        ui.add(
                            egui::TextEdit::multiline(&mut t)
                                .font(egui::TextStyle::Monospace)
                                .desired_width(f32::INFINITY),
                        );
                    });
                }
            });
        self.open = open;
    }
}
