//! Decode As: say which generic netlink family an id is, when the capture never names it
//! (no nlctrl exchange, no `genl-families:` comment) or the guess is wrong; the app's
//! counterpart of `read --genl NAME=ID`.

use egui::Ui;

use super::view::Action;
use crate::dissect::specs::Protocol;
use crate::store::Store;

/// Netlink protocol number of generic netlink.
const NETLINK_GENERIC: u32 = 16;

/// The Decode As window's state.
#[derive(Debug, Default)]
pub struct DecodeAs {
    /// Whether the window is shown.
    pub open: bool,
    /// The generic netlink family id to name.
    pub id: u16,
    /// The family chosen for it.
    pub family: String,
}

impl DecodeAs {
    /// Open the window for store message `sel` (its id when it is a generic netlink family
    /// message), choosing the family it is read as now.
    pub fn open_for(&mut self, store: &Store, sel: Option<usize>) {
        self.open = true;
        let Some(id) = sel.and_then(|i| genl_id(store, i)) else {
            return;
        };
        self.id = id;
        self.family = sel
            .and_then(|i| store.view(i))
            .and_then(|v| v.spec_name().map(str::to_string))
            .unwrap_or_default();
    }

    /// The window (when open): id, family, Decode / Cancel.
    pub(super) fn window(&mut self, ui: &mut Ui, store: &Store, actions: &mut Vec<Action>) {
        if !self.open {
            return;
        }
        let mut names: Vec<&str> = store
            .dissector()
            .specs
            .specs()
            .iter()
            .filter(|s| s.protocol == Protocol::Genetlink)
            .map(|s| s.name.as_str())
            .collect();
        names.sort_unstable_by_key(|n| n.to_ascii_lowercase());
        let mut open = self.open;
        let mut close = false;
        egui::Window::new("Decode As")
            .open(&mut open)
            .resizable(false)
            .collapsible(false)
            .show(ui.ctx(), |ui| {
                ui.label("Read a generic netlink family id as the messages of a family.");
                egui::Grid::new("decode-as").num_columns(2).show(ui, |ui| {
                    let l = ui.label("Family id");
                    ui.add(
                        egui::DragValue::new(&mut self.id)
                            .range(16..=u16::MAX)
                            .hexadecimal(4, false, false),
                    )
                    .labelled_by(l.id);
                    ui.end_row();
                    ui.label("Now");
                    let d = store.dissector();
                    ui.label(match d.genl_family(self.id) {
                        Some(n) if d.genl_is_pinned(self.id) => format!("{n} (your choice)"),
                        Some(n) => format!("{n} (named by the capture)"),
                        None => "not named by the capture".to_string(),
                    });
                    ui.end_row();
                    let l = ui.label("Decode as");
                    egui::ComboBox::from_id_salt("decode-as-family")
                        .selected_text(if self.family.is_empty() {
                            "(choose)"
                        } else {
                            &self.family
                        })
                        .height(400.0)
                        .show_ui(ui, |ui| {
                            for n in &names {
                                ui.selectable_value(&mut self.family, (*n).to_string(), *n);
                            }
                        })
                        .response
                        .labelled_by(l.id);
                    ui.end_row();
                });
                ui.horizontal(|ui| {
                    let ok = self.id >= 16 && names.contains(&self.family.as_str());
                    if ui.add_enabled(ok, egui::Button::new("Decode")).clicked() {
                        actions.push(Action::DecodeAs(self.id, self.family.clone()));
                        close = true;
                    }
                    if ui.button("Cancel").clicked() {
                        close = true;
                    }
                });
            });
        self.open = open && !close;
    }
}

/// The generic netlink family id of store message `i`, if it is one (not a control message).
pub fn genl_id(store: &Store, i: usize) -> Option<u16> {
    let e = store.msg(i)?;
    (e.idx.protocol == NETLINK_GENERIC && e.idx.ty >= 16).then_some(e.idx.ty)
}
