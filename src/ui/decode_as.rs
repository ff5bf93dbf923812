//! Decode As: say which generic netlink family an id is, when the capture never names it
//! (no nlctrl exchange, no `genl-families:` comment) or the guess is wrong; or which spec a
//! classic protocol is read with (a user's protocol on NETLINK_USERSOCK, a module's own
//! number). The app's counterpart of `read --genl NAME=ID` and `read --decode-as PROTO=SPEC`.

use egui::Ui;

use super::view::Action;
use crate::dissect::specs::Protocol;
use crate::store::Store;

/// Netlink protocol number of generic netlink.
const NETLINK_GENERIC: u32 = 16;
/// Kobject uevents: text, no spec reads them.
const NETLINK_KOBJECT_UEVENT: u32 = 15;

/// The Decode As window's state.
#[derive(Debug, Default)]
pub struct DecodeAs {
    /// Whether the window is shown.
    pub open: bool,
    /// Choosing the spec of a classic protocol rather than a generic netlink id's family.
    pub by_protocol: bool,
    /// The generic netlink family id to name.
    pub id: u16,
    /// The family chosen for it.
    pub family: String,
    /// The classic netlink protocol number to read with a spec.
    pub protocol: u32,
    /// The netlink-raw spec chosen for it.
    pub spec: String,
}

impl DecodeAs {
    /// Open the window for store message `sel` (its id when it is a generic netlink family
    /// message), choosing the family it is read as now.
    pub fn open_for(&mut self, store: &Store, sel: Option<usize>) {
        self.open = true;
        if let Some(e) = sel.and_then(|i| store.msg(i))
            && e.idx.protocol != NETLINK_GENERIC
            && e.idx.protocol < 32
        {
            self.by_protocol = true;
            self.protocol = e.idx.protocol;
            self.spec = sel
                .and_then(|i| store.view(i))
                .and_then(|v| v.spec_name().map(str::to_string))
                .unwrap_or_default();
            return;
        }
        let Some(id) = sel.and_then(|i| genl_id(store, i)) else {
            return;
        };
        self.by_protocol = false;
        self.id = id;
        self.family = sel
            .and_then(|i| store.view(i))
            .and_then(|v| v.spec_name().map(str::to_string))
            .unwrap_or_default();
    }

    /// The window (when open): what to decode (a generic netlink id or a protocol), as what,
    /// Decode / Cancel.
    pub(super) fn window(&mut self, ui: &mut Ui, store: &Store, actions: &mut Vec<Action>) {
        if !self.open {
            return;
        }
        let want = if self.by_protocol {
            Protocol::NetlinkRaw
        } else {
            Protocol::Genetlink
        };
        let mut names: Vec<&str> = store
            .dissector()
            .specs
            .specs()
            .filter(|s| s.protocol == want)
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
                ui.horizontal(|ui| {
                    ui.radio_value(&mut self.by_protocol, false, "Generic netlink id");
                    ui.radio_value(&mut self.by_protocol, true, "Netlink protocol");
                });
                if self.by_protocol {
                    ui.label("Read every message of a netlink protocol with a spec.");
                } else {
                    ui.label("Read a generic netlink family id as the messages of a family.");
                }
                egui::Grid::new("decode-as").num_columns(2).show(ui, |ui| {
                    let d = store.dissector();
                    let chosen = if self.by_protocol {
                        let l = ui.label("Protocol");
                        ui.add(egui::DragValue::new(&mut self.protocol).range(0..=31))
                            .labelled_by(l.id);
                        ui.end_row();
                        ui.label("Now");
                        let now = d.specs.for_protonum(self.protocol).next();
                        ui.label(match now {
                            Some(s) => s.name.clone(),
                            None => "no spec".to_string(),
                        });
                        &mut self.spec
                    } else {
                        let l = ui.label("Family id");
                        ui.add(
                            egui::DragValue::new(&mut self.id)
                                .range(16..=u16::MAX)
                                .hexadecimal(4, false, false),
                        )
                        .labelled_by(l.id);
                        ui.end_row();
                        ui.label("Now");
                        ui.label(match d.genl_family(self.id) {
                            Some(n) if d.genl_is_pinned(self.id) => format!("{n} (your choice)"),
                            Some(n) => format!("{n} (named by the capture)"),
                            None => "not named by the capture".to_string(),
                        });
                        &mut self.family
                    };
                    ui.end_row();
                    let l = ui.label("Decode as");
                    egui::ComboBox::from_id_salt("decode-as-family")
                        .selected_text(if chosen.is_empty() {
                            "(choose)"
                        } else {
                            chosen.as_str()
                        })
                        .height(400.0)
                        .show_ui(ui, |ui| {
                            for n in &names {
                                ui.selectable_value(chosen, (*n).to_string(), *n);
                            }
                        })
                        .response
                        .labelled_by(l.id);
                    ui.end_row();
                });
                ui.horizontal(|ui| {
                    let ok = if self.by_protocol {
                        self.protocol != NETLINK_GENERIC
                            && self.protocol != NETLINK_KOBJECT_UEVENT
                            && names.contains(&self.spec.as_str())
                    } else {
                        self.id >= 16 && names.contains(&self.family.as_str())
                    };
                    if ui.add_enabled(ok, egui::Button::new("Decode")).clicked() {
                        actions.push(if self.by_protocol {
                            Action::DecodeProtocolAs(self.protocol, self.spec.clone())
                        } else {
                            Action::DecodeAs(self.id, self.family.clone())
                        });
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
