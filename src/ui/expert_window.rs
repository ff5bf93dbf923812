//! Analyze > Expert Information: every expert note of the capture (or of the displayed
//! messages), grouped by severity and then by text, with counts; a group lists its messages
//! and a click on one selects it and reveals the note in the tree.
//!
//! Notes live in trees, so the window builds every message's tree once (without the store's
//! cache); that runs in time-budgeted slices from [`App::pump`] with a progress bar and Cancel,
//! never stalling a frame.

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use egui::{RichText, Ui};

use super::App;
use super::nav::find_node;
use super::view::Action;
use crate::model::Severity;
use crate::store::{NO_MSG, Store};

/// The messages of one group: how many notes, and the messages holding them (capture order).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Group {
    /// Notes counted (a message may hold the same note twice).
    pub notes: usize,
    /// Store indices of the messages, each once.
    pub rows: Vec<u32>,
}

/// Groups keyed by severity (most serious first), then text.
pub type Groups = BTreeMap<(Reverse<Severity>, String), Group>;

/// A scan in progress.
struct Scan {
    /// The messages to scan (store indices, capture order).
    rows: Vec<u32>,
    next: usize,
}

/// The Expert Information window.
#[derive(Default)]
pub struct ExpertWindow {
    /// Shown.
    pub open: bool,
    /// Scan only the displayed messages (when a filter is applied).
    pub displayed_only: bool,
    /// What the scan found so far.
    pub groups: Groups,
    /// Messages scanned, and to scan.
    pub scanned: (usize, usize),
    /// The store's length when the last scan started (a live capture adds messages).
    pub scanned_len: usize,
    /// Whether a scan was ever started for this capture.
    pub started: bool,
    scan: Option<Scan>,
}

impl ExpertWindow {
    /// Whether a scan is running.
    pub fn running(&self) -> bool {
        self.scan.is_some()
    }

    /// Forget the results (a new capture).
    pub fn reset(&mut self) {
        let open = self.open;
        let displayed_only = self.displayed_only;
        *self = ExpertWindow {
            open,
            displayed_only,
            ..ExpertWindow::default()
        };
    }

    /// Start scanning `rows` (store indices, capture order).
    pub fn start(&mut self, rows: Vec<u32>, store_len: usize) {
        self.groups.clear();
        self.scanned = (0, rows.len());
        self.scanned_len = store_len;
        self.started = true;
        self.scan = Some(Scan { rows, next: 0 });
    }

    /// Stop the scan (the groups found so far stay).
    pub fn cancel(&mut self) {
        self.scan = None;
    }

    /// Scan for about `budget`. True if the scan goes on.
    pub fn step(&mut self, store: &Store, budget: Duration) -> bool {
        let Some(scan) = self.scan.as_mut() else {
            return false;
        };
        let t0 = Instant::now();
        while let Some(&i) = scan.rows.get(scan.next) {
            scan.next += 1;
            add_notes(&mut self.groups, store, i);
            if t0.elapsed() >= budget {
                break;
            }
        }
        self.scanned.0 = scan.next;
        if scan.next >= scan.rows.len() {
            self.scan = None;
            return false;
        }
        true
    }
}

/// Count the expert notes of message `i`'s tree into `groups`.
fn add_notes(groups: &mut Groups, store: &Store, i: u32) {
    for n in store.build_tree(i as usize) {
        n.walk(&mut |n| {
            if let Some(e) = &n.expert {
                let g = groups
                    .entry((Reverse(e.severity), e.text.clone()))
                    .or_default();
                g.notes += 1;
                if g.rows.last() != Some(&i) {
                    g.rows.push(i);
                }
            }
        });
    }
}

/// Title case of a severity.
fn severity_title(s: Severity) -> &'static str {
    match s {
        Severity::Error => "Error",
        Severity::Warning => "Warning",
        Severity::Note => "Note",
    }
}

impl App {
    /// Open the Expert Information window, scanning if it has no results yet (after loading).
    pub fn open_experts(&mut self) {
        self.experts.open = true;
        if !self.experts.started && !self.loading() {
            self.scan_experts();
        }
    }

    /// (Re)scan: every message, or the displayed ones with "displayed only" and a filter.
    pub fn scan_experts(&mut self) {
        let rows = if self.experts.displayed_only && self.filter.applied.is_some() {
            let mut v = self.list.displayed.clone();
            v.sort_unstable();
            v
        } else {
            (0..self.store.len())
                .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
                .collect()
        };
        self.experts.start(rows, self.store.len());
    }

    /// Select message `i` and the first node holding the note `(severity, text)`.
    pub fn go_to_expert(&mut self, i: usize, severity: Severity, text: &str) {
        self.go_to_message(i);
        let path = self.detail.tree.as_ref().and_then(|t| {
            find_node(t, &|n| {
                n.expert
                    .as_ref()
                    .is_some_and(|e| e.severity == severity && e.text == text)
            })
        });
        if let Some(p) = path {
            self.select_node(&p);
            self.detail.reveal = true;
        }
    }

    /// Draw the window when open.
    pub(super) fn experts_window(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) {
        if !self.experts.open {
            return;
        }
        // Opened before a file finished loading (or kept open across files): scan once loaded.
        if !self.experts.started && !self.loading() && !self.store.is_empty() {
            self.scan_experts();
        }
        let mut open = true;
        let mut rescan = false;
        let filtered = self.filter.applied.is_some();
        let store_len = self.store.len();
        let store = &self.store;
        let w = &mut self.experts;
        egui::Window::new("Expert Information")
            .open(&mut open)
            .default_size([640.0, 460.0])
            .resizable(true)
            .show(ui.ctx(), |ui| {
                ui.horizontal(|ui| {
                    let before = w.displayed_only;
                    ui.add_enabled(
                        filtered,
                        egui::Checkbox::new(&mut w.displayed_only, "Displayed messages only"),
                    );
                    rescan |= before != w.displayed_only;
                    if ui.button("Refresh").clicked() {
                        rescan = true;
                    }
                    if let Some(s) = &w.scan {
                        let (done, total) = (s.next, s.rows.len());
                        ui.add(
                            egui::ProgressBar::new(done as f32 / total.max(1) as f32)
                                .desired_width(140.0),
                        );
                        ui.label(format!("Scanning {done} / {total}"));
                        if ui.button("Cancel").clicked() {
                            w.cancel();
                        }
                    } else {
                        let (done, total) = w.scanned;
                        let mut t = format!("{done} of {total} messages scanned");
                        if store_len > w.scanned_len {
                            t.push_str(&format!(
                                "; {} arrived since: Refresh",
                                store_len - w.scanned_len
                            ));
                        }
                        ui.weak(t);
                    }
                });
                ui.separator();
                if w.groups.is_empty() {
                    ui.weak(if w.running() {
                        "No expert notes yet"
                    } else {
                        "No expert notes"
                    });
                }
                egui::ScrollArea::vertical()
                    .id_salt("experts-scroll")
                    .auto_shrink([false, true])
                    .show(ui, |ui| groups_ui(ui, store, &w.groups, actions));
            });
        if !open {
            self.experts.open = false;
            self.experts.cancel();
        }
        if rescan {
            self.scan_experts();
        }
    }
}

/// The groups: a header per severity, inside it one per text, inside that its messages.
fn groups_ui(ui: &mut Ui, store: &Store, groups: &Groups, actions: &mut Vec<Action>) {
    for sev in [Severity::Error, Severity::Warning, Severity::Note] {
        let range = (Reverse(sev), String::new())..;
        let mine: Vec<_> = groups
            .range(range)
            .take_while(|((s, _), _)| s.0 == sev)
            .collect();
        if mine.is_empty() {
            continue;
        }
        let notes: usize = mine.iter().map(|(_, g)| g.notes).sum();
        let title = format!(
            "{} ({notes} in {} group{})",
            severity_title(sev),
            mine.len(),
            if mine.len() == 1 { "" } else { "s" }
        );
        egui::CollapsingHeader::new(RichText::new(title).strong())
            .id_salt(("experts", sev.as_str()))
            .default_open(true)
            .show(ui, |ui| {
                for ((_, text), g) in mine {
                    let head = format!(
                        "{text}  —  {} note{} in {} message{}",
                        g.notes,
                        if g.notes == 1 { "" } else { "s" },
                        g.rows.len(),
                        if g.rows.len() == 1 { "" } else { "s" }
                    );
                    egui::CollapsingHeader::new(head)
                        .id_salt(("experts", sev.as_str(), text))
                        .show(ui, |ui| messages_ui(ui, store, sev, text, &g.rows, actions));
                }
            });
    }
}

/// A group's messages, only the visible ones built.
fn messages_ui(
    ui: &mut Ui,
    store: &Store,
    sev: Severity,
    text: &str,
    rows: &[u32],
    actions: &mut Vec<Action>,
) {
    let h = ui.text_style_height(&egui::TextStyle::Body) + ui.spacing().item_spacing.y;
    egui::ScrollArea::vertical()
        .id_salt(("experts-rows", sev.as_str(), text))
        .max_height(220.0)
        .auto_shrink([false, true])
        .show_rows(ui, h, rows.len(), |ui, range| {
            for &i in rows.get(range).unwrap_or(&[]) {
                let i = i as usize;
                let Some(e) = store.msg(i) else {
                    continue;
                };
                let no = if e.pos == NO_MSG {
                    format!("{}:-", e.frame + 1)
                } else {
                    format!("{}:{}", e.frame + 1, e.pos)
                };
                let line = format!("{no}  {}", super::nav::summary_line(store, i));
                if ui
                    .selectable_label(false, line)
                    .on_hover_text("Select this message and its note")
                    .clicked()
                {
                    actions.push(Action::GoToExpert(i, sev, text.to_string()));
                }
            }
        });
}
