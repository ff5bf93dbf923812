//! The State window: the kernel objects the capture showed (links, addresses, routes,
//! neighbours, rules, nexthops, qdiscs) as they were at the selected message, printed as `ip`
//! and `tc` list them — `nlscope state --frame N` for the selection.

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
    /// The text shown, and for what (selected message, rows in the store, kind, JSON).
    shown: Option<((usize, usize, Kind, bool), String)>,
}

impl Default for StateWindow {
    fn default() -> Self {
        StateWindow {
            open: false,
            kind: Kind::Links,
            json: false,
            shown: None,
        }
    }
}

impl StateWindow {
    /// The objects of `kind` as they were just after message `sel` (a store index).
    pub fn render(store: &Store, sel: usize, kind: Kind, json: bool) -> String {
        let mut state = State::new();
        for i in 0..=sel.min(store.len().saturating_sub(1)) {
            if let Some(v) = store.view(i) {
                state.apply(&v, store.linked(i).map_or(Role::None, |l| l.role));
            }
        }
        if json {
            format!("{:#}\n", state.render_json(kind))
        } else {
            state.render_text(kind)
        }
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
                let key = (sel, store.len(), self.kind, self.json);
                if self.shown.as_ref().is_none_or(|(k, _)| *k != key) {
                    self.shown = Some((key, Self::render(store, sel, self.kind, self.json)));
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
