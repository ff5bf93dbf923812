//! Navigation beyond the list's own keys: the Find bar (Ctrl+F: a display filter, hex bytes, or
//! a string in the list's summary line, the tree's text or the message's bytes), next/previous
//! message by expert severity, first/last message, and the Back/Forward history of selections.
//!
//! A search walks the displayed rows from the selection in time-budgeted slices ([`App::pump`]
//! calls [`App::find_step`]), so a search that builds a tree per message never stalls a frame;
//! the bar shows its progress and can cancel it.

use std::time::{Duration, Instant};

use egui::{Key, TextEdit, Ui};

use super::App;
pub use super::find::{FindBy, FindIn, FindOutcome, Query, find_node, parse_hex, summary_line};
use super::find::{byte_hit, matches, node_pred};
use crate::dissect::fields::Catalog;
use crate::filter::Filter;
use crate::model::Severity;
use crate::store::FilterJob;

/// A search in progress over the displayed rows.
pub struct Search {
    query: Query,
    forward: bool,
    /// The display row it starts after (before, backwards); `None`: from the first (last) row.
    start: Option<usize>,
    /// Rows looked at.
    pub step: usize,
    /// Rows to look at (the displayed rows when it started).
    pub total: usize,
    /// A search by filter over many rows, on worker threads.
    ahead: Option<Ahead>,
}

/// A forward search by filter handed to a [`FilterJob`]: from store index `from` to the end,
/// then (`wrapped`) from the start up to `from`.
struct Ahead {
    job: FilterJob,
    from: usize,
    wrapped: bool,
}

impl Search {
    /// Whether worker threads run it (a forward search by filter over many rows).
    pub fn in_background(&self) -> bool {
        self.ahead.is_some()
    }

    /// The display row looked at in step `k`.
    fn row_at(&self, k: usize) -> usize {
        let n = self.total.max(1);
        match (self.forward, self.start) {
            (true, Some(r)) => (r + 1 + k) % n,
            (true, None) => k % n,
            (false, Some(r)) => (r + n - 1 - k % n) % n,
            (false, None) => n - 1 - k % n,
        }
    }

    /// Whether row `row` lies past the end (start) of the list from where the search began.
    fn wrapped(&self, row: usize) -> bool {
        match (self.forward, self.start) {
            (true, Some(r)) => row <= r,
            (false, Some(r)) => row >= r,
            (_, None) => false,
        }
    }
}

/// The Find bar's state.
pub struct FindBar {
    /// Shown under the filter bar.
    pub open: bool,
    /// What the text is.
    pub by: FindBy,
    /// Where a string is looked for.
    pub within: FindIn,
    /// Case-sensitive string search.
    pub case: bool,
    /// The text.
    pub text: String,
    /// Give the text field the keyboard on the next frame.
    pub focus: bool,
    /// The search running.
    pub search: Option<Search>,
    /// How the last search ended.
    pub outcome: Option<FindOutcome>,
    /// Field names for display-filter searches, made on first use.
    catalog: Option<Catalog>,
    /// Whether the text field had the keyboard at the end of the last frame.
    field_focused: bool,
}

impl Default for FindBar {
    fn default() -> Self {
        FindBar {
            open: false,
            by: FindBy::Text,
            within: FindIn::List,
            case: false,
            text: String::new(),
            focus: false,
            search: None,
            outcome: None,
            catalog: None,
            field_focused: false,
        }
    }
}

/// Most selections the Back history keeps.
const MAX_HISTORY: usize = 500;

/// Back/Forward history of selected messages (store indices).
#[derive(Debug, Default)]
pub struct History {
    /// Earlier selections, most recent last.
    pub back: Vec<usize>,
    /// Selections gone back from, most recent last.
    pub forward: Vec<usize>,
}

impl History {
    /// The selection moved away from `from`.
    pub fn left(&mut self, from: usize) {
        if self.back.last() != Some(&from) {
            self.back.push(from);
            if self.back.len() > MAX_HISTORY {
                self.back.remove(0);
            }
        }
        self.forward.clear();
    }
}

impl App {
    /// Show the Find bar and give its field the keyboard.
    pub fn open_find(&mut self) {
        self.find.open = true;
        self.find.focus = true;
    }

    /// Compile the Find bar's text into a query.
    fn find_query(&mut self) -> Result<Query, String> {
        let f = &mut self.find;
        let text = f.text.trim();
        if text.is_empty() {
            return Err("nothing to find".into());
        }
        Ok(match f.by {
            FindBy::Filter => {
                let cat = f
                    .catalog
                    .get_or_insert_with(|| Catalog::new(&self.store.dissector().specs));
                let q = Filter::compile(text, cat).map_err(|e| e.to_string())?;
                if q.is_empty() {
                    return Err("nothing to find".into());
                }
                let reads = cat.reads(&q);
                Query::Filter(Box::new(q), reads)
            }
            FindBy::Hex => Query::Hex(parse_hex(text)?),
            FindBy::Text => Query::Text {
                needle: if f.case {
                    text.to_string()
                } else {
                    text.to_lowercase()
                },
                case: f.case,
                within: f.within,
            },
        })
    }

    /// Find the next (or previous) displayed message matching the Find bar, from the
    /// selection. The search runs in slices ([`App::find_step`], from [`App::pump`]); an error
    /// is shown in the bar and returned.
    pub fn find_next(&mut self, forward: bool) -> Result<(), String> {
        match self.find_query() {
            Ok(q) => {
                self.start_search(q, forward);
                Ok(())
            }
            Err(e) => {
                self.find.search = None;
                self.find.outcome = Some(FindOutcome::Error(e.clone()));
                Err(e)
            }
        }
    }

    /// Start searching the displayed rows for `q` (replacing any search running); the next
    /// frames do the work.
    pub fn start_search(&mut self, q: Query, forward: bool) {
        self.find.search = Some(Search {
            query: q,
            forward,
            start: self.selected_row(),
            step: 0,
            total: self.list.displayed.len(),
            ahead: None,
        });
        self.find.outcome = None;
    }

    /// Next (previous) message with an expert note of severity `s`.
    pub fn go_to_severity(&mut self, s: Severity, forward: bool) {
        self.start_search(Query::Severity(s), forward);
    }

    /// Stop the running search.
    pub fn cancel_find(&mut self) {
        if self.find.search.take().is_some() {
            self.find.outcome = Some(FindOutcome::Cancelled);
        }
    }

    /// Whether a search is running.
    pub fn finding(&self) -> bool {
        self.find.search.is_some()
    }

    /// Run the search for about `budget`. True if it goes on.
    pub fn find_step(&mut self, budget: Duration) -> bool {
        let Some(mut s) = self.find.search.take() else {
            return false;
        };
        // A new filter emptied the list since the search started: its rows are other rows now.
        if self.list.displayed.len() < s.total {
            self.find.outcome = Some(FindOutcome::Error(
                "the displayed messages changed: search again".into(),
            ));
            return false;
        }
        let t0 = Instant::now();
        if let Some(goes_on) = self.find_ahead(&mut s, t0, budget) {
            if goes_on {
                self.find.search = Some(s);
            }
            return goes_on;
        }
        while s.step < s.total {
            let row = s.row_at(s.step);
            s.step += 1;
            if let Some(&i) = self.list.displayed.get(row)
                && matches(&self.store, &s.query, i as usize)
            {
                self.show_hit(i as usize, &s.query);
                self.find.outcome = Some(FindOutcome::Found {
                    wrapped: s.wrapped(row),
                });
                return false;
            }
            if t0.elapsed() >= budget {
                break;
            }
        }
        if s.step >= s.total {
            self.find.outcome = Some(FindOutcome::NotFound);
            return false;
        }
        self.find.search = Some(s);
        true
    }

    /// A forward search by filter over many rows of a capture in the list's order runs on
    /// worker threads (as a filter does) while this thread takes what they found, in order;
    /// `None` when the search is not one. Whether it goes on.
    fn find_ahead(&mut self, s: &mut Search, t0: Instant, budget: Duration) -> Option<bool> {
        let Query::Filter(f, reads) = &s.query else {
            return None;
        };
        if s.ahead.is_none() {
            if !s.forward
                || self.list.sort.is_some()
                || s.total < super::BACKGROUND_ROWS
                || self.store.closed_rows() < self.store.len()
            {
                return None;
            }
            let from = s
                .start
                .and_then(|r| self.list.displayed.get(r))
                .map_or(0, |&i| i as usize + 1);
            let job = self
                .store
                .start_filter(f, reads, from, super::filter_threads())?;
            s.ahead = Some(Ahead {
                job,
                from,
                wrapped: false,
            });
        }
        let a = s.ahead.as_mut()?;
        let mut hits = Vec::new();
        let mut found = None;
        'chunks: loop {
            hits.clear();
            if !a.job.collect_chunk(&mut hits) {
                break;
            }
            for &h in &hits {
                if a.wrapped && h as usize >= a.from {
                    break 'chunks;
                }
                // The list is in capture order: a hit is shown if it is in it.
                if self.list.displayed.binary_search(&h).is_ok() {
                    found = Some(h as usize);
                    break 'chunks;
                }
            }
            if t0.elapsed() >= budget {
                break;
            }
        }
        if let Some(i) = found {
            let wrapped = a.wrapped;
            self.show_hit(i, &s.query);
            self.find.outcome = Some(FindOutcome::Found { wrapped });
            return Some(false);
        }
        let upto = a.job.upto();
        let below = |x: usize| self.list.displayed.partition_point(|&r| (r as usize) < x);
        s.step = if a.wrapped {
            s.total - below(a.from) + below(upto.min(a.from))
        } else {
            below(upto) - below(a.from)
        };
        let finished = a.job.done() || (a.wrapped && upto >= a.from);
        if finished
            && !a.wrapped
            && a.from > 0
            && let Some(job) = self
                .store
                .start_filter(f, reads, 0, super::filter_threads())
        {
            a.job = job;
            a.wrapped = true;
            return Some(true);
        }
        if finished {
            self.find.outcome = Some(FindOutcome::NotFound);
            return Some(false);
        }
        Some(true)
    }

    /// Run the search to its end (tests).
    pub fn find_finish(&mut self) {
        while self.find_step(Duration::from_secs(3600)) {}
    }

    /// Select message `i` found by `q` and show where: the matching node (or, for a filter, the
    /// first node of a field it names) selected and revealed, the matching bytes highlighted.
    fn show_hit(&mut self, i: usize, q: &Query) {
        self.go_to_message(i);
        if let Some(pred) = node_pred(q) {
            let path = self
                .detail
                .tree
                .as_ref()
                .and_then(|t| find_node(t, pred.as_ref()));
            if let Some(p) = path {
                self.select_node(&p);
                self.detail.reveal = true;
            }
        } else if let Some((off, len)) = byte_hit(&self.store, i, q) {
            if let Some(p) = self.detail.path_at(off) {
                self.select_node(&p);
                self.detail.reveal = true;
            }
            self.hex.sel = Some((off, len));
            self.hex.scroll_to = Some(off);
        }
    }

    /// Select the first (or last) displayed message.
    pub fn go_to_end(&mut self, first: bool) {
        let n = self.list.displayed.len();
        if n > 0 {
            self.select_row(if first { 0 } else { n - 1 });
            self.list.scroll_to_selected = true;
        }
    }

    /// Go back (or forward) in the history of selections; false when there is nowhere to go.
    pub fn go_back(&mut self, back: bool) -> bool {
        let len = self.store.len();
        loop {
            let h = &mut self.history;
            let popped = if back { h.back.pop() } else { h.forward.pop() };
            let Some(i) = popped else {
                return false;
            };
            // Entries past the store (none after a new file) are skipped.
            if i >= len || Some(i) == self.selected {
                continue;
            }
            if let Some(cur) = self.selected {
                if back {
                    h.forward.push(cur);
                } else {
                    h.back.push(cur);
                }
            }
            // Not recorded as a new visit: the history keeps its branches.
            let saved = std::mem::take(&mut self.history);
            self.go_to_message(i);
            self.history = saved;
            return true;
        }
    }

    /// Keys: Ctrl+N / Ctrl+B find next / previous, F7 / Shift+F7 next / previous warning,
    /// Ctrl+Home / Ctrl+End first / last message, Alt+Left / Alt+Right back / forward, Ctrl+/
    /// the filter bar (Wireshark's keys).
    pub(super) fn nav_shortcuts(&mut self, ui: &mut Ui) {
        use egui::Modifiers as M;
        let keys = ui.input_mut(|i| {
            [
                i.consume_key(M::COMMAND, Key::N),
                i.consume_key(M::COMMAND, Key::B),
                // Shifted first: a key without modifiers also matches it shifted.
                i.consume_key(M::SHIFT, Key::F7),
                i.consume_key(M::NONE, Key::F7),
                i.consume_key(M::COMMAND, Key::Home),
                i.consume_key(M::COMMAND, Key::End),
                i.consume_key(M::ALT, Key::ArrowLeft),
                i.consume_key(M::ALT, Key::ArrowRight),
                i.consume_key(M::COMMAND, Key::Slash),
            ]
        });
        let [
            next,
            prev,
            prev_warn,
            next_warn,
            first,
            last,
            back,
            fwd,
            filter,
        ] = keys;
        if filter {
            self.filter.focus = true;
        }
        if (next || prev) && !self.find.text.trim().is_empty() {
            let _ = self.find_next(next);
        }
        if next_warn || prev_warn {
            self.go_to_severity(Severity::Warning, next_warn);
        }
        if first || last {
            self.go_to_end(first);
        }
        if back || fwd {
            self.go_back(back);
        }
    }

    /// The Edit menu: Find Packet, Find Next, Find Previous.
    pub(super) fn edit_menu(&mut self, ui: &mut Ui) {
        ui.menu_button("Edit", |ui| {
            let short = |k: Key| {
                ui.ctx()
                    .format_shortcut(&egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, k))
            };
            let (f, n, b) = (short(Key::F), short(Key::N), short(Key::B));
            if ui
                .add(egui::Button::new("Find Packet...").shortcut_text(f))
                .clicked()
            {
                self.open_find();
                ui.close();
            }
            let can = !self.find.text.trim().is_empty();
            if ui
                .add_enabled(can, egui::Button::new("Find Next").shortcut_text(n))
                .clicked()
            {
                let _ = self.find_next(true);
                ui.close();
            }
            if ui
                .add_enabled(can, egui::Button::new("Find Previous").shortcut_text(b))
                .clicked()
            {
                let _ = self.find_next(false);
                ui.close();
            }
        });
    }

    /// The Go menu's entries after Go to packet, errors and conversation links.
    pub(super) fn go_menu_more(&mut self, ui: &mut Ui) {
        let short = |m: egui::Modifiers, k: Key| {
            ui.ctx().format_shortcut(&egui::KeyboardShortcut::new(m, k))
        };
        let cmd = egui::Modifiers::COMMAND;
        let (home, end) = (short(cmd, Key::Home), short(cmd, Key::End));
        ui.separator();
        if ui
            .add(egui::Button::new("Next warning").shortcut_text("F7"))
            .on_hover_text("The next message with a warning in its tree")
            .clicked()
        {
            self.go_to_severity(Severity::Warning, true);
            ui.close();
        }
        if ui
            .add(egui::Button::new("Previous warning").shortcut_text("Shift+F7"))
            .clicked()
        {
            self.go_to_severity(Severity::Warning, false);
            ui.close();
        }
        ui.separator();
        let any = !self.list.displayed.is_empty();
        if ui
            .add_enabled(any, egui::Button::new("First packet").shortcut_text(home))
            .clicked()
        {
            self.go_to_end(true);
            ui.close();
        }
        if ui
            .add_enabled(any, egui::Button::new("Last packet").shortcut_text(end))
            .clicked()
        {
            self.go_to_end(false);
            ui.close();
        }
        let (b, f) = (
            !self.history.back.is_empty(),
            !self.history.forward.is_empty(),
        );
        if ui
            .add_enabled(b, egui::Button::new("Back").shortcut_text("Alt+Left"))
            .on_hover_text("The message selected before")
            .clicked()
        {
            self.go_back(true);
            ui.close();
        }
        if ui
            .add_enabled(f, egui::Button::new("Forward").shortcut_text("Alt+Right"))
            .clicked()
        {
            self.go_back(false);
            ui.close();
        }
    }

    /// The Find bar (under the filter bar while open).
    pub(super) fn find_bar(&mut self, ui: &mut Ui) {
        let mut go: Option<bool> = None;
        let mut close = false;
        ui.horizontal(|ui| {
            ui.label("Find:");
            let f = &mut self.find;
            egui::ComboBox::from_id_salt("find-by")
                .selected_text(match f.by {
                    FindBy::Filter => "Display filter",
                    FindBy::Hex => "Hex value",
                    FindBy::Text => "String",
                })
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut f.by, FindBy::Filter, "Display filter");
                    ui.selectable_value(&mut f.by, FindBy::Hex, "Hex value");
                    ui.selectable_value(&mut f.by, FindBy::Text, "String");
                })
                .response
                .widget_info(|| egui::WidgetInfo::labeled(egui::Role::ComboBox, true, "Find by"));
            if f.by == FindBy::Text {
                egui::ComboBox::from_id_salt("find-in")
                    .selected_text(match f.within {
                        FindIn::List => "Packet list",
                        FindIn::Details => "Packet details",
                        FindIn::Bytes => "Packet bytes",
                    })
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut f.within, FindIn::List, "Packet list");
                        ui.selectable_value(&mut f.within, FindIn::Details, "Packet details");
                        ui.selectable_value(&mut f.within, FindIn::Bytes, "Packet bytes");
                    })
                    .response
                    .widget_info(|| {
                        egui::WidgetInfo::labeled(egui::Role::ComboBox, true, "Search in")
                    });
                ui.checkbox(&mut f.case, "Case sensitive");
            }
            let l = ui.label("Search for");
            let id = ui.make_persistent_id("find-field");
            // Enter counts if the field had the keyboard when it came (see the Go to field).
            let (enter, shift, escape) = ui.input(|i| {
                (
                    i.key_pressed(Key::Enter),
                    i.modifiers.shift,
                    i.key_pressed(Key::Escape),
                )
            });
            let had_focus = ui.memory(|m| m.has_focus(id));
            if enter && had_focus {
                go = Some(!shift);
            }
            // egui drops the focus on Escape before the field is drawn: ask the last frame.
            close |= escape && (had_focus || f.field_focused);
            let hint = match f.by {
                FindBy::Filter => "nlmsg.type == RTM_NEWLINK",
                FindBy::Hex => "0a 00 1f",
                FindBy::Text => "veth0",
            };
            let r = ui
                .add(
                    TextEdit::singleline(&mut f.text)
                        .id(id)
                        .desired_width(260.0)
                        .hint_text(hint),
                )
                .labelled_by(l.id);
            if std::mem::take(&mut f.focus) {
                r.request_focus();
            }
            f.field_focused = r.has_focus();
            if ui
                .button("Find")
                .on_hover_text("Find next (Enter)")
                .clicked()
            {
                go = Some(true);
            }
            if ui
                .button("Previous")
                .on_hover_text("Find previous (Shift+Enter)")
                .clicked()
            {
                go = Some(false);
            }
            if let Some(s) = &f.search {
                let p = s.step as f32 / s.total.max(1) as f32;
                ui.add(egui::ProgressBar::new(p).desired_width(120.0));
                ui.label(format!("Searching {} / {}", s.step, s.total));
                if ui.button("Cancel").clicked() {
                    self.cancel_find();
                }
            } else if let Some(o) = &f.outcome {
                match o {
                    FindOutcome::Found { wrapped: true } => {
                        ui.label("Found (the search wrapped around)");
                    }
                    FindOutcome::Found { wrapped: false } => {}
                    FindOutcome::NotFound => {
                        ui.colored_label(ui.visuals().warn_fg_color, "No match");
                    }
                    FindOutcome::Error(e) => {
                        ui.colored_label(ui.visuals().error_fg_color, e);
                    }
                    FindOutcome::Cancelled => {
                        ui.weak("Search cancelled");
                    }
                }
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui
                    .button("Close")
                    .on_hover_text("Close the Find bar")
                    .clicked()
                {
                    close = true;
                }
            });
        });
        if let Some(fwd) = go {
            let _ = self.find_next(fwd);
        }
        if close {
            self.cancel_find();
            self.find.open = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_visited_once_each_from_the_selection() {
        let s = |forward, start| Search {
            query: Query::Severity(Severity::Note),
            forward,
            start,
            step: 0,
            total: 5,
            ahead: None,
        };
        let order = |s: &Search| (0..5).map(|k| s.row_at(k)).collect::<Vec<_>>();
        assert_eq!(order(&s(true, Some(2))), [3, 4, 0, 1, 2]);
        assert_eq!(order(&s(false, Some(2))), [1, 0, 4, 3, 2]);
        assert_eq!(order(&s(true, None)), [0, 1, 2, 3, 4]);
        assert_eq!(order(&s(false, None)), [4, 3, 2, 1, 0]);
        assert!(s(true, Some(2)).wrapped(0));
        assert!(!s(true, Some(2)).wrapped(4));
        assert!(s(false, Some(2)).wrapped(4));
    }
}
