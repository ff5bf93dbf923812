//! The filter bar: the display-filter text field (green/red as it compiles), a caret under the
//! offending characters of an invalid filter, and a completion popup for field names that
//! Up/Down move through, Tab/Enter insert and Escape closes, as in Wireshark.

use egui::text::CCursor;
use egui::{Color32, Key, RichText, Sense, Stroke, TextEdit, Ui, WidgetInfo};

use super::view::Action;
use super::{App, FilterCheck};

/// Most completions the popup lists.
const MAX_COMPLETIONS: usize = 40;

const ERROR_RED: Color32 = Color32::from_rgb(0xe0, 0x40, 0x40);

/// Characters of a field name: the completion replaces the run of them before the cursor.
fn in_field_name(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '-' | '_')
}

impl App {
    /// The characters of the filter text an invalid filter points at: (first char index,
    /// char count, at least 1). `None` when the text compiles.
    pub fn filter_error_span(&self) -> Option<(usize, usize)> {
        match &self.filter_check {
            FilterCheck::Invalid(e) => Some((e.pos, e.len.max(1))),
            _ => None,
        }
    }

    pub(super) fn filter_bar(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) {
        let id = ui.make_persistent_id("filter-text");
        ui.add_space(2.0);
        let mut field = None;
        ui.horizontal(|ui| {
            ui.label("Filter:");
            let dark = ui.visuals().dark_mode;
            let bg = match (&self.filter_check, dark) {
                (FilterCheck::Empty, _) => ui.visuals().text_edit_bg_color(),
                (FilterCheck::Valid, true) => Color32::from_rgb(0x1e, 0x4d, 0x2b),
                (FilterCheck::Valid, false) => Color32::from_rgb(0xaf, 0xff, 0xaf),
                (FilterCheck::Invalid(_), true) => Color32::from_rgb(0x5c, 0x1e, 0x1e),
                (FilterCheck::Invalid(_), false) => Color32::from_rgb(0xff, 0xaf, 0xaf),
            };
            let mut text = self.filter_text.clone();
            let edit = TextEdit::singleline(&mut text)
                .font(egui::TextStyle::Monospace)
                .hint_text("Apply a display filter ... <Enter>  (e.g. nlmsg.type == RTM_NEWLINK)")
                .background_color(bg)
                .desired_width((ui.available_width() - 230.0).max(100.0));
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
            if self.focus_filter {
                r.request_focus();
                self.focus_filter = false;
            }
            if r.changed() || accepted || text != self.filter_text {
                self.set_filter_text(&text);
            }
            let enter = !accepted && r.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
            if ui.button("Apply").clicked() || enter {
                actions.push(Action::ApplyFilter(self.filter_text.clone()));
            }
            if ui.button("Clear").clicked() {
                actions.push(Action::ApplyFilter(String::new()));
            }
            ui.menu_button("History", |ui| {
                if self.settings.history.is_empty() {
                    ui.label("(no filters applied yet)");
                }
                for h in &self.settings.history {
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

        if let Some((pos, len)) = self.filter_error_span() {
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
        if let FilterCheck::Invalid(e) = &self.filter_check {
            ui.colored_label(ERROR_RED, format!("Invalid filter: {e}"));
        }

        ui.add_space(2.0);
    }
}
