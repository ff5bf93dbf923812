//! The filter bar: the display-filter text field (green/red as it compiles), a caret under the
//! offending characters of an invalid filter, and a completion popup for field names that
//! Up/Down move through, Tab/Enter insert and Escape closes, as in Wireshark. [`FilterBar`]
//! holds the text, its validation and the applied filter; Apply, Clear and History are
//! reported as [`Action::ApplyFilter`].

use egui::text::CCursor;
use egui::{Color32, Key, RichText, Sense, Stroke, TextEdit, Ui, WidgetInfo};

use super::view::Action;
use crate::dissect::fields::{Catalog, Reads};
use crate::filter::{Filter, FilterError};

/// Most completions the popup lists.
const MAX_COMPLETIONS: usize = 40;

const ERROR_RED: Color32 = Color32::from_rgb(0xe0, 0x40, 0x40);

/// Characters of a field name: the completion replaces the run of them before the cursor.
fn in_field_name(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '-' | '_')
}

/// The live validation state of the filter text.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterCheck {
    /// Empty text: show everything.
    Empty,
    /// Compiles.
    Valid,
    /// Does not compile.
    Invalid(FilterError),
}

/// State of the filter bar.
pub struct FilterBar {
    /// The text in the field.
    pub text: String,
    /// Validation of `text`.
    pub check: FilterCheck,
    /// The applied filter (text and compiled form).
    pub applied: Option<(String, Filter)>,
    /// What the applied filter reads of messages (see `Catalog::reads`).
    pub reads: Reads,
    /// How far the applied filter has got (messages looked at, of all), while it runs.
    pub progress: Option<(usize, usize)>,
    /// How far a sort by a field column has got (rows keyed, of all), while it runs.
    pub sorting: Option<(usize, usize)>,
    /// A word on the last filter (cancelled), shown until the next one is applied.
    pub note: Option<String>,
    /// Give the field the keyboard on the next frame.
    pub focus: bool,
    /// Field names of the loaded specs, for validation and completion.
    catalog: Catalog,
}

impl FilterBar {
    /// An empty bar validating against `catalog`.
    pub fn new(catalog: Catalog) -> Self {
        FilterBar {
            text: String::new(),
            check: FilterCheck::Empty,
            applied: None,
            reads: Reads::default(),
            progress: None,
            sorting: None,
            note: None,
            focus: false,
            catalog,
        }
    }

    /// What `f` reads of messages.
    pub fn reads_of(&self, f: &Filter) -> Reads {
        self.catalog.reads(f)
    }

    /// The text changed: validate it.
    pub fn set_text(&mut self, text: &str) {
        self.text = text.to_string();
        self.check = if text.trim().is_empty() {
            FilterCheck::Empty
        } else {
            match Filter::compile(text, &self.catalog) {
                Ok(_) => FilterCheck::Valid,
                Err(e) => FilterCheck::Invalid(e),
            }
        };
    }

    /// Compile the (trimmed) text: the text and the filter to apply.
    pub fn compile(&self) -> Result<(String, Filter), FilterError> {
        let text = self.text.trim().to_string();
        let f = Filter::compile(&text, &self.catalog)?;
        Ok((text, f))
    }

    /// Known field names starting with the last word of the text.
    pub fn completions(&self) -> Vec<&str> {
        self.field_completions(last_word(&self.text), 12)
    }

    /// At most `max` known field names that start with `word` (and are longer).
    pub fn field_completions(&self, word: &str, max: usize) -> Vec<&str> {
        if word.is_empty() {
            return Vec::new();
        }
        let known = Filter::HEADER_FIELDS
            .iter()
            .copied()
            .chain(self.catalog.paths().iter().map(String::as_str));
        let mut v = crate::filter::field_completions(word, known);
        v.retain(|c| *c != word);
        v.truncate(max);
        v
    }

    /// Replace the last word of the text by `completion`.
    pub fn complete(&mut self, completion: &str) {
        let word = last_word(&self.text).len();
        let keep = self.text.len() - word;
        let mut t = self.text.get(..keep).unwrap_or("").to_string();
        t.push_str(completion);
        self.set_text(&t);
    }

    /// The characters of the filter text an invalid filter points at: (first char index,
    /// char count, at least 1). `None` when the text compiles.
    pub fn error_span(&self) -> Option<(usize, usize)> {
        match &self.check {
            FilterCheck::Invalid(e) => Some((e.pos, e.len.max(1))),
            _ => None,
        }
    }

    /// Draw the bar; `history` lists the filters applied before, most recent first.
    pub(super) fn ui(&mut self, ui: &mut Ui, history: &[String], actions: &mut Vec<Action>) {
        let id = ui.make_persistent_id("filter-text");
        ui.add_space(2.0);
        let mut field = None;
        ui.horizontal(|ui| {
            ui.label("Filter:");
            let dark = ui.visuals().dark_mode;
            let bg = match (&self.check, dark) {
                (FilterCheck::Empty, _) => ui.visuals().text_edit_bg_color(),
                (FilterCheck::Valid, true) => Color32::from_rgb(0x1e, 0x4d, 0x2b),
                (FilterCheck::Valid, false) => Color32::from_rgb(0xaf, 0xff, 0xaf),
                (FilterCheck::Invalid(_), true) => Color32::from_rgb(0x5c, 0x1e, 0x1e),
                (FilterCheck::Invalid(_), false) => Color32::from_rgb(0xff, 0xaf, 0xaf),
            };
            let mut text = self.text.clone();
            // Room for the buttons (and the progress bar while a filter runs).
            let reserve = 230.0
                + 190.0 * f32::from(u8::from(self.progress.is_some()))
                + 190.0 * f32::from(u8::from(self.sorting.is_some()));
            let edit = TextEdit::singleline(&mut text)
                .font(egui::TextStyle::Monospace)
                .hint_text("Apply a display filter ... <Enter>  (e.g. nlmsg.type == RTM_NEWLINK)")
                .background_color(bg)
                .desired_width((ui.available_width() - reserve).max(100.0));
            // egui's completion popup: Up/Down move, Tab/Enter/click insert, Escape closes
            // (until the word changes); the text field keeps the keyboard throughout.
            let popup = egui::CompletionPopup::new(id)
                .word_boundary(|c| !in_field_name(c))
                .align(egui::RectAlign::BOTTOM_START)
                .max_height(260.0)
                .show(ui, edit, |q| {
                    self.field_completions(q.word, MAX_COMPLETIONS)
                        .into_iter()
                        .map(|f| egui::Suggestion::new(f).content(RichText::new(f).monospace()))
                        .collect()
                });
            let accepted = popup.accepted.is_some();
            let out = popup.text_edit;
            let r = out.response.response.clone();
            if self.focus {
                r.request_focus();
                self.focus = false;
            }
            if r.changed() || accepted || text != self.text {
                self.set_text(&text);
            }
            let enter = !accepted && r.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
            if ui.button("Apply").clicked() || enter {
                actions.push(Action::ApplyFilter(self.text.clone()));
            }
            if ui.button("Clear").clicked() {
                actions.push(Action::ApplyFilter(String::new()));
            }
            if let Some((done, total)) = self.progress {
                // A payload filter over a big file takes seconds: say how far, and let it go.
                let frac = done as f32 / total.max(1) as f32;
                ui.add(
                    egui::ProgressBar::new(frac)
                        .desired_width(110.0)
                        .text(format!("Filtering {:.0}%", frac * 100.0)),
                );
                if ui
                    .button("Cancel")
                    .on_hover_text("Stop filtering and show every message again")
                    .clicked()
                {
                    actions.push(Action::CancelFilter);
                }
            }
            if let Some((done, total)) = self.sorting {
                // Keying a million rows by a field reads a million trees.
                let frac = done as f32 / total.max(1) as f32;
                ui.add(
                    egui::ProgressBar::new(frac)
                        .desired_width(110.0)
                        .text(format!("Sorting {:.0}%", frac * 100.0)),
                );
                if ui
                    .button("Cancel sort")
                    .on_hover_text("Stop sorting and show the messages in capture order")
                    .clicked()
                {
                    actions.push(Action::CancelSort);
                }
            }
            ui.menu_button("History", |ui| {
                if history.is_empty() {
                    ui.label("(no filters applied yet)");
                }
                for h in history {
                    if ui.button(RichText::new(h).monospace()).clicked() {
                        actions.push(Action::ApplyFilter(h.clone()));
                        ui.close();
                    }
                }
            });
            field = Some((out.galley, out.galley_pos, out.text_clip_rect));
        });
        let Some((galley, galley_pos, clip)) = field else {
            return;
        };

        if let Some((pos, len)) = self.error_span() {
            // Underline the offending characters (a caret after the text when the error is
            // at its end), inside the field's visible text.
            let left = galley.pos_from_cursor(CCursor::new(pos));
            let right = galley.pos_from_cursor(CCursor::new(pos + len));
            let cw = (galley.size().x / galley.job.text.chars().count().max(1) as f32).max(4.0);
            let x0 = galley_pos.x + left.min.x;
            let x1 = (galley_pos.x + right.min.x).max(x0 + cw);
            let y = galley_pos.y + left.max.y + 1.0;
            let rect = egui::Rect::from_min_max(egui::pos2(x0, y - 1.0), egui::pos2(x1, y + 3.0));
            let painter = ui
                .painter()
                .with_clip_rect(clip.expand2(egui::vec2(0.0, 4.0)));
            painter.line_segment(
                [rect.left_top(), rect.right_top()],
                Stroke::new(2.0, ERROR_RED),
            );
            painter.add(egui::Shape::convex_polygon(
                vec![
                    egui::pos2(x0, y + 5.0),
                    egui::pos2(x0 + 4.0, y + 5.0),
                    egui::pos2(x0 + 2.0, y + 1.0),
                ],
                ERROR_RED,
                Stroke::NONE,
            ));
            let caret = ui.interact(rect, id.with("error-caret"), Sense::hover());
            let label = format!("Error at column {}", pos + 1);
            caret.widget_info(|| WidgetInfo::labeled(egui::Role::Label, true, label.clone()));
        }
        if let FilterCheck::Invalid(e) = &self.check {
            ui.colored_label(ERROR_RED, format!("Invalid filter: {e}"));
        } else if let Some(n) = &self.note {
            ui.label(n);
        }

        ui.add_space(2.0);
    }
}

/// The trailing field-name-like word of a filter text.
fn last_word(s: &str) -> &str {
    let start = s
        .char_indices()
        .rev()
        .find(|(_, c)| !(c.is_alphanumeric() || matches!(c, '.' | '-' | '_')))
        .map_or(0, |(i, c)| i + c.len_utf8());
    s.get(start..).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_word_splits_at_operators() {
        assert_eq!(last_word("nlmsg.type == RTM && rt-link.if"), "rt-link.if");
        assert_eq!(last_word("x == "), "");
        assert_eq!(last_word("nlm"), "nlm");
    }
}
