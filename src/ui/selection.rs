//! What can be done to packet-list rows: the multi-selection (Ctrl-click toggles, Shift-click
//! extends; the tree and hex panes show the focused row), the row context menu, copies in the
//! export formats (the same [`Emitter::emit`] step as `nlscope read -T`), marks (Ctrl+M, kept
//! in saved pcapng files as `nlscope-marked:` packet comments) and ignored rows (left out of
//! the list and of every save and export until un-ignored).

use std::fmt::Write as _;

use egui::Ui;

use super::App;
use super::columns::{self, ColumnId};
use super::packet_list::Col;
use super::rows::RowMarks;
use super::view::Action;
use crate::dissect::FrameIndex;
use crate::export::{Emitter, Format, FrameRef, Part};
use crate::store::{NO_MSG, Store};

/// A format rows are copied in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyAs {
    /// Summary lines (`-T summary`).
    Summary,
    /// CSV with its header line (`-T csv`).
    Csv,
    /// One message: its JSON object (`-T ndjson`); several: a JSON array (`-T json`).
    Json,
    /// The message bytes as one hex string per message.
    Hex,
}

/// A request from the row menu or a row click, applied by [`App::row_action`].
#[derive(Debug, Clone, PartialEq)]
pub enum RowAction {
    /// Ctrl-click on this display row: add it to the selection or take it out.
    Toggle(usize),
    /// Shift-click on this display row: select the rows from the anchor to it.
    ExtendTo(usize),
    /// Show this display row (already selected) in the panes.
    Focus(usize),
    /// Copy the selected rows.
    Copy(CopyAs),
    /// Mark the selected rows, or unmark them when all are marked.
    ToggleMark,
    /// Ignore the selected rows.
    Ignore,
    /// Show every ignored row again.
    UnignoreAll,
    /// Select the next (true) or previous marked row.
    NextMark(bool),
}

/// The display-filter expression for the cell of store row `i` in column `col`, if the
/// column shows a field (`nlmsg.type == RTM_NEWLINK`, `proc.name == "ip"`).
pub fn cell_filter(store: &Store, i: usize, col: &ColumnId) -> Option<String> {
    let e = store.msg(i)?;
    let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    if let ColumnId::Field(f) = col {
        return columns::field_node(store, i, f)
            .as_ref()
            .and_then(super::tree_panel::filter_expr);
    }
    let ColumnId::Builtin(c) = col else {
        return None;
    };
    if *c == Col::No {
        return Some(format!("frame.number == {}", e.frame + 1));
    }
    if *c == Col::Process {
        let comm =
            crate::capture::trace::ProcInfo::from_comments(store.frame_comments(e.frame))?.comm;
        return Some(format!("proc.name == {}", quote(&comm)));
    }
    let v = store.view(i)?;
    let m = v.index();
    Some(match c {
        Col::Dir => format!("nlmsg.direction == {}", quote(m.direction.as_str())),
        Col::Family => format!("netlink.family == {}", v.family_name()),
        Col::Type => format!("nlmsg.type == {}", v.type_name()),
        Col::Flags => format!("nlmsg.flags == {:#x}", m.flags),
        Col::Seq => format!("nlmsg.seq == {}", m.seq),
        Col::Pid => format!("nlmsg.pid == {}", m.pid),
        Col::Len => format!("nlmsg.len == {}", m.len),
        Col::No | Col::Time | Col::Process | Col::Info => return None,
    })
}

/// The rows' text in `how`, as `nlscope read -T` prints those messages (in capture order).
pub fn copy_text(store: &Store, rows: &[u32], how: CopyAs) -> String {
    let mut rows = rows.to_vec();
    rows.sort_unstable();
    rows.dedup();
    let mut out = String::new();
    if how == CopyAs::Hex {
        for &i in &rows {
            let Some(e) = store.msg(i as usize) else {
                continue;
            };
            let data = store.frame_data(e.frame as usize);
            let bytes = if e.pos == NO_MSG {
                data
            } else {
                data.get(e.idx.offset..e.idx.offset + e.idx.present)
                    .unwrap_or_default()
            };
            for b in bytes {
                let _ = write!(out, "{b:02x}");
            }
            out.push('\n');
        }
        return out;
    }
    let format = match how {
        CopyAs::Summary => Format::Summary,
        CopyAs::Csv => Format::Csv,
        CopyAs::Json if rows.len() == 1 => Format::Ndjson,
        CopyAs::Json | CopyAs::Hex => Format::Json,
    };
    let mut em = Emitter::new(format);
    em.begin(&mut out);
    let t0 = store.first_ts().unwrap_or(0);
    for &i in &rows {
        emit_row(store, &mut em, &mut out, i as usize, t0);
    }
    em.end(&mut out);
    out
}

/// Emit store row `i` through `em`: its frame is put together from the store's index, the
/// way the export job's replay hands frames to [`Emitter::emit`].
fn emit_row(store: &Store, em: &mut Emitter, out: &mut String, i: usize, t0: i128) {
    let Some(e) = store.msg(i) else {
        return;
    };
    let Some(fm) = store.frame(e.frame as usize) else {
        return;
    };
    let data = store.frame_data(e.frame as usize);
    let first = fm.first_msg as usize;
    let count = fm.msg_count as usize;
    let index = FrameIndex {
        cooked: crate::dissect::cooked::parse(fm.linktype, data).ok(),
        msgs: (first..first + count)
            .filter_map(|k| store.msg(k))
            .filter(|m| m.pos != NO_MSG)
            .map(|m| m.idx)
            .collect(),
        problem: store
            .frame_problem(e.frame)
            .map(|(o, t)| (o, t.to_string())),
        ..FrameIndex::default()
    };
    let changes: Vec<_> = if em.format().needs_tree() {
        (first..first + count).map(|k| store.changes(k)).collect()
    } else {
        Vec::new()
    };
    let linked: Vec<_> = (first..first + count)
        .map(|k| store.conversations().linked(k))
        .collect();
    let at = FrameRef {
        dis: store.dissector(),
        index: &index,
        data,
        no: u64::from(e.frame) + 1,
        ts_ns: fm.ts_ns,
        linked: &linked,
        changes: &changes,
    };
    em.set_frame_comments(store.frame_comments(e.frame));
    let part = if e.pos == NO_MSG {
        Part::NoMessage
    } else {
        Part::Message(usize::from(e.pos))
    };
    em.emit(out, &at, part, t0);
}

/// The context menu of the packet-list row of store row `i`; `cell` is the column
/// right-clicked.
pub(super) fn row_menu(
    ui: &mut Ui,
    store: &Store,
    marks: &RowMarks,
    i: usize,
    cell: Option<&ColumnId>,
    actions: &mut Vec<Action>,
) {
    let mut act = |ui: &mut Ui, a: Action| {
        actions.push(a);
        ui.close();
    };
    ui.menu_button("Copy", |ui| {
        for (label, how) in [
            ("as Summary line", CopyAs::Summary),
            ("as CSV", CopyAs::Csv),
            ("as JSON", CopyAs::Json),
            ("as Hex", CopyAs::Hex),
        ] {
            if ui.button(label).clicked() {
                act(ui, Action::Rows(RowAction::Copy(how)));
            }
        }
    });
    if let Some(expr) = cell.and_then(|c| cell_filter(store, i, c)) {
        if ui
            .button("Apply as Filter")
            .on_hover_text(expr.as_str())
            .clicked()
        {
            act(ui, Action::ApplyFilter(expr.clone()));
        }
        if ui
            .button("Prepare as Filter")
            .on_hover_text(expr.as_str())
            .clicked()
        {
            act(ui, Action::PrepareFilter(expr));
        }
    }
    if store.linked(i).is_some_and(|l| l.conversation.is_some())
        && ui.button("Follow conversation").clicked()
    {
        act(ui, Action::Follow(false));
    }
    ui.separator();
    let short = |k| {
        ui.ctx()
            .format_shortcut(&egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, k))
    };
    let mark_key = short(egui::Key::M);
    let label = if marks.is_marked(i) { "Unmark" } else { "Mark" };
    if ui
        .add(egui::Button::new(label).shortcut_text(mark_key))
        .clicked()
    {
        act(ui, Action::Rows(RowAction::ToggleMark));
    }
    if ui
        .button("Ignore")
        .on_hover_text("Hide from the list and leave out of saves and exports")
        .clicked()
    {
        act(ui, Action::Rows(RowAction::Ignore));
    }
    if !marks.ignored.is_empty()
        && ui
            .button(format!("Unignore all ({})", marks.ignored.len()))
            .clicked()
    {
        act(ui, Action::Rows(RowAction::UnignoreAll));
    }
}

impl App {
    /// The selected rows (store indices, capture order): the multi-selection, or the
    /// focused row alone.
    pub fn picked_rows(&self) -> Vec<u32> {
        if self.list.picked.is_empty() {
            return self
                .selected
                .and_then(|s| u32::try_from(s).ok())
                .into_iter()
                .collect();
        }
        self.list.picked.iter().copied().collect()
    }

    /// Ctrl-click on display row `row`: add it to the selection (and show it) or take it out.
    pub fn toggle_row(&mut self, row: usize) {
        let Some(&i) = self.list.displayed.get(row) else {
            return;
        };
        if self.list.picked.is_empty()
            && let Some(s) = self.selected.and_then(|s| u32::try_from(s).ok())
        {
            self.list.picked.insert(s);
        }
        self.list.anchor = Some(i);
        if self.list.picked.remove(&i) {
            // The focus moves to another selected row, if any is left.
            match self.list.picked.iter().next_back().copied() {
                Some(j) if self.selected == Some(i as usize) => self.focus_message(j as usize),
                Some(_) => {}
                None => self.clear_selection(),
            }
        } else {
            self.list.picked.insert(i);
            self.focus_message(i as usize);
        }
    }

    /// Shift-click on display row `row`: select the displayed rows from the anchor (the last
    /// plain or Ctrl-clicked row) to it.
    pub fn extend_to(&mut self, row: usize) {
        let Some(&i) = self.list.displayed.get(row) else {
            return;
        };
        let from = self
            .list
            .anchor
            .and_then(|a| self.list.displayed.iter().position(|&d| d == a))
            .unwrap_or(row);
        let (lo, hi) = (from.min(row), from.max(row));
        self.list.picked = self
            .list
            .displayed
            .get(lo..=hi)
            .unwrap_or_default()
            .iter()
            .copied()
            .collect();
        self.focus_message(i as usize);
    }

    /// Apply a row request; copies go to `ctx`'s clipboard.
    pub(super) fn row_action(&mut self, a: RowAction, ctx: &egui::Context) {
        match a {
            RowAction::Toggle(r) => self.toggle_row(r),
            RowAction::ExtendTo(r) => self.extend_to(r),
            RowAction::Focus(r) => {
                if let Some(&i) = self.list.displayed.get(r) {
                    self.focus_message(i as usize);
                }
            }
            RowAction::Copy(how) => {
                let rows = self.picked_rows();
                if !rows.is_empty() {
                    ctx.copy_text(copy_text(&self.store, &rows, how));
                }
            }
            RowAction::ToggleMark => self.toggle_mark(),
            RowAction::Ignore => self.ignore_selected(),
            RowAction::UnignoreAll => self.unignore_all(),
            RowAction::NextMark(fwd) => {
                self.go_to_mark(fwd);
            }
        }
    }

    /// Mark the selected rows (Ctrl+M), or unmark them when all are marked.
    pub fn toggle_mark(&mut self) {
        let rows = self.picked_rows();
        self.list.marks.toggle_marked(&rows);
        self.store.set_marked(self.list.marks.marked.clone());
    }

    /// Ignore the selected rows: they leave the list, the selection and every save and
    /// export.
    pub fn ignore_selected(&mut self) {
        let rows = self.picked_rows();
        if rows.is_empty() {
            return;
        }
        self.list.marks.ignored.extend(rows.iter().copied());
        let ignored = &self.list.marks.ignored;
        self.list.displayed.retain(|i| !ignored.contains(i));
        self.clear_selection();
    }

    /// Show the ignored rows again (the filter runs again over every row).
    pub fn unignore_all(&mut self) {
        if self.list.marks.ignored.is_empty() {
            return;
        }
        self.list.marks.ignored.clear();
        self.list.clear_rows();
        self.timeline.shown = super::timeline::Histogram::default();
        self.list.scroll_to_selected = true;
    }

    /// Select the next (`forward`) or previous displayed marked row after (before) the
    /// selection; false if there is none.
    pub fn go_to_mark(&mut self, forward: bool) -> bool {
        let n = self.list.displayed.len();
        let start = self.selected_row();
        let marks = &self.list.marks;
        let is = |r: usize| {
            self.list
                .displayed
                .get(r)
                .is_some_and(|&i| marks.is_marked(i as usize))
        };
        let found = match (forward, start) {
            (true, Some(s)) => (s + 1..n).find(|&r| is(r)),
            (true, None) => (0..n).find(|&r| is(r)),
            (false, Some(s)) => (0..s).rev().find(|&r| is(r)),
            (false, None) => (0..n).rev().find(|&r| is(r)),
        };
        let Some(r) = found else {
            return false;
        };
        self.select_row(r);
        self.list.scroll_to_selected = true;
        true
    }

    /// The keyboard shortcuts of rows: Ctrl+C copies the selection's summary lines, Ctrl+M
    /// marks, Ctrl+Shift+N / Ctrl+Shift+B go to the next / previous mark.
    pub(super) fn row_shortcuts(&mut self, ui: &mut Ui) {
        let cmd = egui::Modifiers::COMMAND;
        let cmd_shift = cmd.plus(egui::Modifiers::SHIFT);
        let (next, prev, mark) = ui.input_mut(|i| {
            (
                i.consume_key(cmd_shift, egui::Key::N),
                i.consume_key(cmd_shift, egui::Key::B),
                i.consume_key(cmd, egui::Key::M),
            )
        });
        if next {
            self.go_to_mark(true);
        }
        if prev {
            self.go_to_mark(false);
        }
        if mark {
            self.toggle_mark();
        }
        // Ctrl+C arrives as a Copy event; a text field with the keyboard copies its own text.
        let copy = ui.memory(|m| m.focused().is_none())
            && ui.input(|i| i.events.iter().any(|e| matches!(e, egui::Event::Copy)));
        if copy {
            let rows = self.picked_rows();
            if !rows.is_empty() {
                ui.ctx()
                    .copy_text(copy_text(&self.store, &rows, CopyAs::Summary));
            }
        }
    }

    /// The Go menu's mark items.
    pub(super) fn mark_menu_items(&mut self, ui: &mut Ui) {
        let short = |k| {
            ui.ctx().format_shortcut(&egui::KeyboardShortcut::new(
                egui::Modifiers::COMMAND.plus(egui::Modifiers::SHIFT),
                k,
            ))
        };
        let (n, b) = (short(egui::Key::N), short(egui::Key::B));
        let any = !self.list.marks.marked.is_empty();
        if ui
            .add_enabled(any, egui::Button::new("Next mark").shortcut_text(n))
            .clicked()
        {
            self.go_to_mark(true);
            ui.close();
        }
        if ui
            .add_enabled(any, egui::Button::new("Previous mark").shortcut_text(b))
            .clicked()
        {
            self.go_to_mark(false);
            ui.close();
        }
    }
}
