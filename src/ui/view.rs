//! Drawing the window: menu bar, filter bar, packet list, protocol tree, hex pane, status bar.
//! Every change of state goes through [`App`]'s methods.

use std::fmt::Write as _;
use std::time::Duration;

use egui::{
    Align, Color32, CornerRadius, FontId, Key, Layout, Panel, RichText, Sense, TextEdit, Ui, Vec2,
    WidgetInfo, collapsing_header::CollapsingState,
};
use egui_extras::{Column, TableBuilder};

use super::rows::RowTone;
use super::{App, Col, GuiApp, TimeFormat};
use crate::model::{Direction, Node, Severity, Value};
use crate::store::NO_MSG;

/// Time the UI spends per frame on loading and filtering.
const FRAME_BUDGET: Duration = Duration::from_millis(8);

/// A change requested while drawing, applied after the pass.
pub(super) enum Action {
    SelectRow(usize),
    SelectNode(Vec<usize>),
    ClickByte(usize),
    ApplyFilter(String),
    PrepareFilter(String),
    Copy(String),
    OpenAll(bool),
    Open(std::path::PathBuf),
    Sort(Col),
}

impl eframe::App for GuiApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        let t = std::time::Instant::now();
        self.app.ui(ui);
        super::Timing::frame(&mut self.app, t.elapsed());
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.app.shutdown_capture();
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.app.settings);
    }
}

impl App {
    /// Draw the whole window into `ui` and handle its input (also used by the tests).
    pub fn ui(&mut self, ui: &mut Ui) {
        if self.pump(FRAME_BUDGET) {
            ui.ctx().request_repaint();
        } else if self.loading() || self.capturing() {
            // The loader's and capture's wakers repaint on the next batch; this is a safety net.
            ui.ctx().request_repaint_after(Duration::from_millis(100));
        }
        ui.ctx().set_theme(if self.settings.dark {
            egui::Theme::Dark
        } else {
            egui::Theme::Light
        });
        let mut actions = Vec::new();
        self.handle_input(ui, &mut actions);

        Panel::top("menu").show(ui, |ui| self.menu_bar(ui, &mut actions));
        Panel::top("filter").show(ui, |ui| self.filter_bar(ui, &mut actions));
        Panel::bottom("status").show(ui, |ui| self.status_bar(ui));
        let h = ui.available_height();
        Panel::bottom("details")
            .resizable(true)
            .default_size(h * 0.45)
            .size_range(80.0..=(h - 60.0).max(120.0))
            .show(ui, |ui| {
                let w = ui.available_width();
                Panel::left("tree")
                    .resizable(true)
                    .default_size(w * 0.45)
                    .size_range(120.0..=(w - 80.0).max(160.0))
                    .show(ui, |ui| self.tree_pane(ui, &mut actions));
                egui::CentralPanel::default().show(ui, |ui| self.hex_pane(ui, &mut actions));
            });
        // After the details pane, so it takes its height from the list, not from the details.
        if self.settings.timeline && self.file.is_some() {
            Panel::top("timeline")
                .resizable(true)
                .default_size(130.0)
                .size_range(70.0..=400.0)
                .show(ui, |ui| self.timeline_ui(ui));
        }
        egui::CentralPanel::default().show(ui, |ui| self.packet_list(ui, &mut actions));
        if self.open_prompt {
            self.open_window(ui, &mut actions);
        }
        self.live_options_window(ui.ctx());
        self.files_window(ui);

        for a in actions {
            match a {
                Action::SelectRow(r) => self.select_row(r),
                Action::SelectNode(p) => self.select_node(&p),
                Action::ClickByte(b) => self.click_byte(b),
                Action::ApplyFilter(f) => {
                    let _ = self.apply_filter_text(&f);
                }
                Action::PrepareFilter(f) => {
                    self.set_filter_text(&f);
                    self.focus_filter = true;
                }
                Action::Copy(t) => ui.ctx().copy_text(t),
                Action::OpenAll(o) => self.tree_open_all = Some(o),
                Action::Open(p) => self.open(&p),
                Action::Sort(c) => self.sort_by(c),
            }
        }
    }

    fn handle_input(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) {
        let dropped: Vec<_> = ui.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        if let Some(p) = dropped.into_iter().next() {
            actions.push(Action::Open(p));
        }
        let (open, find, save) = ui.input_mut(|i| {
            (
                i.consume_key(egui::Modifiers::COMMAND, Key::O),
                i.consume_key(egui::Modifiers::COMMAND, Key::F),
                // Ctrl+Shift+S (Save As) and Ctrl+S: nothing loaded is ever unsaved, so both
                // open the Save As dialog.
                i.consume_key(
                    egui::Modifiers::COMMAND.plus(egui::Modifiers::SHIFT),
                    Key::S,
                ) || i.consume_key(egui::Modifiers::COMMAND, Key::S),
            )
        });
        if save && !self.store.is_empty() {
            self.open_file_dialog(true);
        }
        if open {
            self.open_dialog(actions);
        }
        if find {
            self.focus_filter = true;
        }
        self.live_shortcuts(ui);
        // List navigation when no text field has the keyboard.
        if ui.memory(|m| m.focused().is_some()) {
            return;
        }
        let page = 20isize;
        let moves = ui.input(|i| {
            let mut d = 0isize;
            let mut to: Option<bool> = None;
            if i.key_pressed(Key::ArrowDown) {
                d += 1;
            }
            if i.key_pressed(Key::ArrowUp) {
                d -= 1;
            }
            if i.key_pressed(Key::PageDown) {
                d += page;
            }
            if i.key_pressed(Key::PageUp) {
                d -= page;
            }
            if i.key_pressed(Key::Home) {
                to = Some(true);
            }
            if i.key_pressed(Key::End) {
                to = Some(false);
            }
            (d, to)
        });
        match moves {
            (_, Some(true)) => {
                self.select_row(0);
                self.scroll_to_selected = true;
            }
            (_, Some(false)) => {
                self.select_row(self.displayed.len().saturating_sub(1));
                self.scroll_to_selected = true;
            }
            (0, None) => {}
            (d, None) => self.move_selection(d),
        }
    }

    fn open_dialog(&mut self, actions: &mut Vec<Action>) {
        let asked = std::time::Instant::now();
        let picked = rfd::FileDialog::new()
            .set_title("Open capture")
            .add_filter("Captures", &["pcap", "pcapng", "cap"])
            .add_filter("All files", &["*"])
            .pick_file();
        match picked {
            Some(p) => actions.push(Action::Open(p)),
            // No answer within half a second: no person cancelled that, the desktop has no
            // file chooser portal. Offer the path field instead.
            None if asked.elapsed() < Duration::from_millis(500) => self.open_prompt = true,
            None => {}
        }
    }

    fn open_window(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) {
        let mut open = true;
        egui::Window::new("Open capture file")
            .collapsible(false)
            .anchor(egui::Align2::CENTER_TOP, [0.0, 120.0])
            .open(&mut open)
            .show(ui.ctx(), |ui| {
                ui.label("Path of a pcap or pcapng file:");
                let r = ui.add(
                    TextEdit::singleline(&mut self.open_text)
                        .desired_width(420.0)
                        .hint_text("/path/to/capture.pcapng"),
                );
                if ui.memory(|m| m.focused().is_none()) {
                    r.request_focus();
                }
                let enter = r.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
                if ui.button("Open").clicked() || enter {
                    let p = std::path::PathBuf::from(self.open_text.trim());
                    actions.push(Action::Open(p));
                    self.open_prompt = false;
                }
            });
        if !open {
            self.open_prompt = false;
        }
    }

    fn menu_bar(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                if ui.button("Open...").clicked() {
                    ui.close();
                    self.open_dialog(actions);
                }
                if ui.button("Open path...").clicked() {
                    ui.close();
                    self.open_prompt = true;
                }
                let loaded = !self.store.is_empty();
                if ui
                    .add_enabled(loaded, egui::Button::new("Save As..."))
                    .clicked()
                {
                    ui.close();
                    self.open_file_dialog(true);
                }
                if ui
                    .add_enabled(loaded, egui::Button::new("Export..."))
                    .clicked()
                {
                    ui.close();
                    self.open_file_dialog(false);
                }
                ui.menu_button("Open Recent", |ui| {
                    if self.settings.recent.is_empty() {
                        ui.label("(none)");
                    }
                    for p in &self.settings.recent {
                        if ui.button(p.display().to_string()).clicked() {
                            actions.push(Action::Open(p.clone()));
                            ui.close();
                        }
                    }
                });
                ui.separator();
                if ui.button("Quit").clicked() {
                    ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
                }
            });
            self.capture_menu(ui);
            ui.menu_button("View", |ui| {
                ui.label("Time display");
                let tf = &mut self.settings.time_format;
                ui.radio_value(tf, TimeFormat::Absolute, "Time of day (UTC)");
                ui.radio_value(tf, TimeFormat::Relative, "Seconds since first frame");
                ui.radio_value(tf, TimeFormat::Delta, "Seconds since previous displayed");
                ui.separator();
                if ui.button("Expand all").clicked() {
                    actions.push(Action::OpenAll(true));
                }
                if ui.button("Collapse all").clicked() {
                    actions.push(Action::OpenAll(false));
                }
                ui.separator();
                ui.checkbox(&mut self.settings.timeline, "Timeline");
                ui.checkbox(&mut self.settings.dark, "Dark theme");
            });
        });
    }

    fn status_bar(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            match &self.file {
                Some(f) => {
                    let name = f
                        .file_name()
                        .map_or_else(|| f.display().to_string(), |n| n.to_string_lossy().into());
                    ui.label(RichText::new(name).strong())
                        .on_hover_text(f.display().to_string());
                }
                None if self.live.capture.is_some() => self.live_status(ui),
                None => {
                    ui.label("No capture open: File > Open... or drop a file here");
                }
            }
            ui.separator();
            ui.label(format!(
                "Frames: {}  Messages: {}  Displayed: {}",
                self.store.frame_count(),
                self.store.message_count(),
                self.displayed.len()
            ));
            if let Some((t, _)) = &self.applied {
                ui.separator();
                ui.label(RichText::new(format!("Filter: {t}")).monospace());
            }
            if let Some(l) = &self.loader
                && !l.done
            {
                ui.separator();
                ui.add(
                    egui::ProgressBar::new(l.progress())
                        .desired_width(180.0)
                        .text(format!(
                            "Loading {} / {} KiB",
                            l.read_bytes / 1024,
                            l.total_bytes / 1024
                        )),
                );
            }
            self.files_status(ui);
            if let Some(e) = &self.error {
                ui.separator();
                ui.colored_label(Color32::from_rgb(0xe0, 0x40, 0x40), e);
            }
        });
    }

    fn cell_texts(&self, row: usize, i: usize) -> [String; 10] {
        let store = &self.store;
        let Some(e) = store.msg(i) else {
            return Default::default();
        };
        let fm = store.frame(e.frame as usize);
        // Frame number and 0-based message position, as `nlscope read` prints them.
        let no = if e.pos == NO_MSG {
            format!("{}:-", e.frame + 1)
        } else {
            format!("{}:{}", e.frame + 1, e.pos)
        };
        let ts = fm.map_or(0, |f| f.ts_ns);
        let time = match self.settings.time_format {
            TimeFormat::Absolute => time_of_day(ts),
            TimeFormat::Relative => secs(ts - store.first_ts().unwrap_or(ts)),
            TimeFormat::Delta => {
                let prev = row
                    .checked_sub(1)
                    .and_then(|r| self.displayed.get(r))
                    .and_then(|&p| store.msg(p as usize))
                    .and_then(|p| store.frame(p.frame as usize))
                    .map_or(ts, |f| f.ts_ns);
                secs(ts - prev)
            }
        };
        let dir = match e.idx.direction {
            Direction::ToKernel => "to kernel",
            Direction::FromKernel => "from kernel",
            Direction::Unknown => "?",
        }
        .to_string();
        let Some(v) = store.view(i) else {
            // A frame without netlink messages (uevent, or not netlink).
            let family = if e.idx.protocol == 15 { "uevent" } else { "" };
            return [
                no,
                time,
                String::new(),
                family.to_string(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                e.idx.len.to_string(),
                store.frame_text(i),
            ];
        };
        let (names, rest) = v.flag_names();
        let mut flags: Vec<&str> = names
            .iter()
            .map(|n| n.strip_prefix("NLM_F_").unwrap_or(n))
            .collect();
        let extra = (rest != 0).then(|| format!("{rest:#x}"));
        if let Some(x) = &extra {
            flags.push(x);
        }
        [
            no,
            time,
            dir,
            v.family_str().to_string(),
            v.type_str().to_string(),
            flags.join("|"),
            e.idx.seq.to_string(),
            e.idx.pid.to_string(),
            e.idx.len.to_string(),
            v.summary(),
        ]
    }

    fn start_view(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) {
        ui.add_space(40.0);
        ui.vertical_centered(|ui| {
            ui.heading("nlscope");
            ui.label("Linux netlink capture and dissector");
            ui.add_space(16.0);
            if ui.button("Open capture...").clicked() {
                self.open_dialog(actions);
            }
            ui.label("or drop a pcap / pcapng file on this window");
            ui.add_space(16.0);
            if !self.settings.recent.is_empty() {
                ui.strong("Recent files");
                for p in &self.settings.recent {
                    if ui.link(p.display().to_string()).clicked() {
                        actions.push(Action::Open(p.clone()));
                    }
                }
            }
            self.live_start_section(ui);
        });
    }

    fn packet_list(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) {
        if self.file.is_none() && self.live.capture.is_none() {
            self.start_view(ui, actions);
            return;
        }
        let row_h = ui.text_style_height(&egui::TextStyle::Body) + 5.0;
        let sel_row = self.selected_row();
        let dark = ui.visuals().dark_mode;
        // Cells touch, so a row's tint is one band; text gets its own padding.
        ui.spacing_mut().item_spacing = Vec2::ZERO;
        let mut table = TableBuilder::new(ui)
            .id_salt("packet-list")
            .striped(false)
            .resizable(true)
            .sense(Sense::click())
            .cell_layout(Layout::left_to_right(Align::Center))
            .column(Column::initial(70.0).at_least(40.0))
            .column(Column::initial(100.0).at_least(40.0))
            .column(Column::initial(105.0).at_least(30.0))
            .column(Column::initial(80.0).at_least(30.0))
            .column(Column::initial(150.0).at_least(40.0))
            .column(Column::initial(110.0).at_least(30.0))
            .column(Column::initial(90.0).at_least(30.0))
            .column(Column::initial(70.0).at_least(30.0))
            .column(Column::initial(50.0).at_least(30.0))
            .column(Column::remainder().at_least(100.0))
            .min_scrolled_height(0.0);
        if self.scroll_to_selected {
            if let Some(r) = sel_row {
                table = table.scroll_to_row(r, Some(Align::Center));
            }
            self.scroll_to_selected = false;
        }
        if self.take_scroll_to_end() && !self.displayed.is_empty() {
            table = table.scroll_to_row(self.displayed.len() - 1, Some(Align::BOTTOM));
        }
        let sort = self.sort;
        let mut builds = 0usize;
        let mut found = Vec::new();
        table
            .header(row_h + 4.0, |mut header| {
                for c in Col::ALL {
                    header.col(|ui| {
                        ui.add_space(4.0);
                        let arrow = match sort {
                            Some((s, true)) if s == c => " ^",
                            Some((s, false)) if s == c => " v",
                            _ => "",
                        };
                        let r = ui.add(
                            egui::Label::new(
                                RichText::new(format!("{}{arrow}", c.title())).strong(),
                            )
                            .sense(Sense::click())
                            .selectable(false),
                        );
                        if r.on_hover_text("Click to sort").clicked() {
                            actions.push(Action::Sort(c));
                        }
                    });
                }
            })
            .body(|body| {
                body.rows(row_h, self.displayed.len(), |mut row| {
                    let r = row.index();
                    let Some(&i) = self.displayed.get(r) else {
                        return;
                    };
                    let i = i as usize;
                    let texts = self.cell_texts(r, i);
                    let mark = self.store.mark(i);
                    let proto = self.store.msg(i).map_or(0, |e| e.idx.protocol);
                    let dirn = self.store.direction(i);
                    row.set_selected(sel_row == Some(r));
                    let bg = family_color(proto);
                    // The tree's worst expert note: known, or worked out now within a budget.
                    let worst = match self.row_experts.get(i) {
                        Some(w) => w,
                        None if builds < super::rows::BUILDS_PER_FRAME => {
                            builds += 1;
                            let w = super::rows::worst_severity(&self.store, i);
                            found.push((i, w));
                            w
                        }
                        None => None,
                    };
                    let fg = match super::rows::row_tone(mark, worst) {
                        RowTone::Error => Some(severity_color(Severity::Error)),
                        RowTone::Warning => Some(severity_color(Severity::Warning)),
                        RowTone::Plain => None,
                    };
                    let dir_fg = direction_color(dirn, dark);
                    for (ci, t) in texts.into_iter().enumerate() {
                        row.col(|ui| {
                            if sel_row != Some(r) {
                                ui.painter()
                                    .rect_filled(ui.max_rect(), CornerRadius::ZERO, bg);
                            }
                            let mut rt = RichText::new(t);
                            if ci == 2 {
                                if dirn == Direction::ToKernel {
                                    rt = rt.italics();
                                }
                                if let Some(c) = dir_fg {
                                    rt = rt.color(c);
                                }
                            }
                            if let Some(c) = fg {
                                rt = rt.color(c);
                            }
                            ui.add_space(4.0);
                            if ci == 2 && dirn != Direction::Unknown {
                                direction_arrow(ui, dirn, dir_fg);
                            }
                            ui.add(egui::Label::new(rt).selectable(false).truncate());
                        });
                    }
                    if row.response().clicked() {
                        actions.push(Action::SelectRow(r));
                    }
                });
            });
        let more = builds >= super::rows::BUILDS_PER_FRAME;
        for (i, w) in found {
            self.row_experts.set(i, w);
        }
        if more {
            // Rows still without a severity: finish them next frame.
            ui.ctx().request_repaint();
        }
    }

    fn tree_pane(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) {
        let Some(tree) = self.tree.clone() else {
            ui.centered_and_justified(|ui| ui.weak("Select a message to see its protocol tree"));
            return;
        };
        let open_all = self.tree_open_all.take();
        let msg = self.selected.unwrap_or(0);
        egui::ScrollArea::both()
            .id_salt("tree-scroll")
            .auto_shrink(false)
            .show(ui, |ui| {
                for (k, n) in tree.iter().enumerate() {
                    self.node_ui(ui, n, &mut vec![k], msg, open_all, actions);
                }
            });
    }

    fn node_ui(
        &self,
        ui: &mut Ui,
        n: &Node,
        path: &mut Vec<usize>,
        msg: usize,
        open_all: Option<bool>,
        actions: &mut Vec<Action>,
    ) {
        let selected = self.selected_node.as_deref() == Some(path.as_slice());
        let text = node_text(n);
        let color = n.expert.as_ref().map(|e| severity_color(e.severity));
        let mut rt = RichText::new(text);
        if let Some(c) = color {
            rt = rt.color(c);
        }
        let label = |ui: &mut Ui| -> egui::Response {
            let r = ui.add(egui::Button::selectable(selected, rt.clone()));
            let hover = format!(
                "{}\n{} byte{} at offset {}{}",
                if n.field.is_empty() {
                    "(no field)"
                } else {
                    &n.field
                },
                n.length,
                if n.length == 1 { "" } else { "s" },
                n.offset,
                n.expert
                    .as_ref()
                    .map(|e| format!("\n[{}] {}", e.severity.as_str(), e.text))
                    .unwrap_or_default()
            );
            r.on_hover_text(hover)
        };
        let resp = if n.children.is_empty() {
            ui.horizontal(|ui| {
                ui.add_space(ui.spacing().indent);
                label(ui)
            })
            .inner
        } else {
            let id = ui.make_persistent_id(("node", msg, path.clone()));
            // Top-level protocol nodes start open; the frame summary and cooked header closed.
            let default_open = path.len() == 1 && n.field != "frame" && n.field != "sll";
            let mut state = CollapsingState::load_with_default_open(ui.ctx(), id, default_open);
            if let Some(o) = open_all {
                state.set_open(o);
            }
            let hr = state.show_header(ui, label);
            let (_, header, _) = hr.body(|ui| {
                for (k, c) in n.children.iter().enumerate() {
                    path.push(k);
                    self.node_ui(ui, c, path, msg, open_all, actions);
                    path.pop();
                }
            });
            header.inner
        };
        if resp.clicked() {
            actions.push(Action::SelectNode(path.clone()));
        }
        resp.context_menu(|ui| {
            let value = n.display.clone();
            if ui.button("Copy value").clicked() {
                actions.push(Action::Copy(value));
                ui.close();
            }
            if ui.button("Copy field path").clicked() {
                actions.push(Action::Copy(n.field.clone()));
                ui.close();
            }
            let expr = filter_expr(n);
            ui.separator();
            if ui
                .add_enabled(expr.is_some(), egui::Button::new("Apply as filter"))
                .clicked()
            {
                if let Some(e) = &expr {
                    actions.push(Action::ApplyFilter(e.clone()));
                }
                ui.close();
            }
            if ui
                .add_enabled(expr.is_some(), egui::Button::new("Prepare as filter"))
                .clicked()
            {
                if let Some(e) = &expr {
                    actions.push(Action::PrepareFilter(e.clone()));
                }
                ui.close();
            }
            ui.separator();
            if ui.button("Expand all").clicked() {
                actions.push(Action::OpenAll(true));
                ui.close();
            }
            if ui.button("Collapse all").clicked() {
                actions.push(Action::OpenAll(false));
                ui.close();
            }
        });
    }

    fn hex_pane(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) {
        let scroll_to = self.hex_scroll_to.take();
        let data = self.selected_frame_data();
        if data.is_empty() {
            ui.centered_and_justified(|ui| ui.weak("Frame bytes appear here"));
            return;
        }
        let font = FontId::monospace(ui.text_style_height(&egui::TextStyle::Monospace) - 1.0);
        let cw = ui
            .painter()
            .layout_no_wrap("0".into(), font.clone(), Color32::WHITE)
            .size()
            .x;
        let row_h = ui.text_style_height(&egui::TextStyle::Monospace) + 1.0;
        let text = ui.visuals().text_color();
        let weak = ui.visuals().weak_text_color();
        let sel_bg = ui.visuals().selection.bg_fill;
        let msg_bg = sel_bg.gamma_multiply(0.3);
        let sel = self.hex_sel;
        let bad = self.offending;
        let bad_bg = Color32::from_rgba_unmultiplied(0xe0, 0x40, 0x40, 110);
        let msg = self.selected_msg_range();
        let in_range = |r: Option<(usize, usize)>, p: usize| {
            r.is_some_and(|(o, l)| p >= o && p < o.saturating_add(l))
        };
        let rows = data.len().div_ceil(16);
        ui.spacing_mut().item_spacing = Vec2::new(0.0, 1.0);
        let mut area = egui::ScrollArea::both()
            .id_salt("hex-scroll")
            .auto_shrink(false);
        if let Some(b) = scroll_to {
            // Put the byte's row a few rows below the top.
            let row = (b / 16).saturating_sub(3);
            area = area.vertical_scroll_offset(row as f32 * (row_h + 1.0));
        }
        area.show_rows(ui, row_h, rows, |ui, range| {
            for r in range {
                let start = r * 16;
                let chunk = data.get(start..(start + 16).min(data.len())).unwrap_or(&[]);
                ui.horizontal(|ui| {
                    let (rect, _) =
                        ui.allocate_exact_size(Vec2::new(cw * 6.0, row_h), Sense::hover());
                    ui.painter().text(
                        rect.left_center(),
                        egui::Align2::LEFT_CENTER,
                        format!("{start:04x}"),
                        font.clone(),
                        weak,
                    );
                    for k in 0..16 {
                        let pos = start + k;
                        let w = if k == 7 { cw * 4.0 } else { cw * 3.0 };
                        let (rect, resp) = ui.allocate_exact_size(
                            Vec2::new(w, row_h),
                            if k < chunk.len() {
                                Sense::click()
                            } else {
                                Sense::hover()
                            },
                        );
                        let Some(b) = chunk.get(k) else { continue };
                        resp.widget_info(|| {
                            WidgetInfo::labeled(egui::Role::Button, true, format!("byte {pos}"))
                        });
                        let cell =
                            egui::Rect::from_min_size(rect.min, Vec2::new(cw * 2.0 + 2.0, row_h));
                        if in_range(sel, pos) {
                            ui.painter().rect_filled(cell, CornerRadius::ZERO, sel_bg);
                        } else if in_range(bad, pos) {
                            ui.painter().rect_filled(cell, CornerRadius::ZERO, bad_bg);
                        } else if in_range(msg, pos) {
                            ui.painter().rect_filled(cell, CornerRadius::ZERO, msg_bg);
                        }
                        ui.painter().text(
                            rect.left_center(),
                            egui::Align2::LEFT_CENTER,
                            format!("{b:02x}"),
                            font.clone(),
                            text,
                        );
                        if resp.clicked() {
                            actions.push(Action::ClickByte(pos));
                        }
                    }
                    ui.add_space(cw * 2.0);
                    for (k, b) in chunk.iter().enumerate() {
                        let pos = start + k;
                        let (rect, resp) =
                            ui.allocate_exact_size(Vec2::new(cw, row_h), Sense::click());
                        if in_range(sel, pos) {
                            ui.painter().rect_filled(rect, CornerRadius::ZERO, sel_bg);
                        } else if in_range(bad, pos) {
                            ui.painter().rect_filled(rect, CornerRadius::ZERO, bad_bg);
                        } else if in_range(msg, pos) {
                            ui.painter().rect_filled(rect, CornerRadius::ZERO, msg_bg);
                        }
                        let c = if b.is_ascii_graphic() || *b == b' ' {
                            char::from(*b)
                        } else {
                            '.'
                        };
                        ui.painter().text(
                            rect.left_center(),
                            egui::Align2::LEFT_CENTER,
                            c,
                            font.clone(),
                            if c == '.' { weak } else { text },
                        );
                        if resp.clicked() {
                            actions.push(Action::ClickByte(pos));
                        }
                    }
                });
            }
        });
    }
}

/// `name: display`, or the name alone.
pub fn node_text(n: &Node) -> String {
    let mut s = String::with_capacity(n.name.len() + n.display.len() + 4);
    if n.expert.is_some() && n.name == "expert" {
        let _ = write!(s, "[!] {}", n.display);
        return s;
    }
    s.push_str(&n.name);
    if !n.display.is_empty() {
        s.push_str(": ");
        s.push_str(&n.display);
    }
    if let Some(e) = &n.expert {
        let _ = write!(s, "  [{}] {}", e.severity.as_str(), e.text);
    }
    s
}

/// A display-filter expression selecting this node's value, if it has a field path.
pub fn filter_expr(n: &Node) -> Option<String> {
    if n.field.is_empty() {
        return None;
    }
    let f = &n.field;
    Some(match &n.value {
        Value::None => f.clone(),
        Value::Uint(u) => format!("{f} == {u}"),
        Value::Int(i) => format!("{f} == {i}"),
        Value::Bool(b) => format!("{f} == {}", u8::from(*b)),
        Value::Str(s) => {
            let esc = s.replace('\\', "\\\\").replace('"', "\\\"");
            format!("{f} == \"{esc}\"")
        }
        Value::Bytes(b) if !b.is_empty() && b.len() <= 64 => {
            let hex: Vec<String> = b.iter().map(|x| format!("{x:02x}")).collect();
            format!("{f} == {}", hex.join(":"))
        }
        Value::Bytes(_) => f.clone(),
        Value::Enum { name, value } => {
            if name.is_empty() {
                format!("{f} == {value}")
            } else {
                format!("{f} == {name}")
            }
        }
        Value::Flags { value, .. } => format!("{f} == {value:#x}"),
        Value::Ipv4(_) | Value::Ipv6(_) | Value::Mac(_) => format!("{f} == {}", n.value.display()),
    })
}

/// A small arrow before the Direction text: right for requests, left for replies.
fn direction_arrow(ui: &mut Ui, d: Direction, color: Option<Color32>) {
    let h = ui.text_style_height(&egui::TextStyle::Body);
    let (rect, _) = ui.allocate_exact_size(Vec2::new(14.0, h), Sense::hover());
    let c = color.unwrap_or_else(|| ui.visuals().text_color());
    let y = rect.center().y;
    let (from, to) = match d {
        Direction::ToKernel => (rect.left() + 1.0, rect.right() - 3.0),
        _ => (rect.right() - 3.0, rect.left() + 1.0),
    };
    ui.painter().arrow(
        egui::pos2(from, y),
        Vec2::new(to - from, 0.0),
        egui::Stroke::new(1.5, c),
    );
    ui.add_space(3.0);
}

/// The Direction column's colour: requests and replies apart at a glance.
fn direction_color(d: Direction, dark: bool) -> Option<Color32> {
    match (d, dark) {
        (Direction::ToKernel, true) => Some(Color32::from_rgb(0x7d, 0xb8, 0xff)),
        (Direction::ToKernel, false) => Some(Color32::from_rgb(0x1f, 0x5f, 0xbf)),
        (Direction::FromKernel, true) => Some(Color32::from_rgb(0x8f, 0xd6, 0x9a)),
        (Direction::FromKernel, false) => Some(Color32::from_rgb(0x1d, 0x7a, 0x35)),
        (Direction::Unknown, _) => None,
    }
}

fn severity_color(s: Severity) -> Color32 {
    match s {
        Severity::Error => Color32::from_rgb(0xff, 0x55, 0x55),
        Severity::Warning => Color32::from_rgb(0xe6, 0xa2, 0x1a),
        Severity::Note => Color32::from_rgb(0x4a, 0xa8, 0xe8),
    }
}

/// A faint background per netlink protocol (works on dark and light themes); the timeline
/// stacks its bars in the same colours.
fn family_color(protocol: u32) -> Color32 {
    super::timeline::class_color(super::timeline::family_class(protocol), 28)
}

fn secs(ns: i128) -> String {
    let neg = ns < 0;
    let a = ns.unsigned_abs();
    format!(
        "{}{}.{:06}",
        if neg { "-" } else { "" },
        a / 1_000_000_000,
        (a % 1_000_000_000) / 1000
    )
}

fn time_of_day(ns: i128) -> String {
    let s = ns.div_euclid(1_000_000_000);
    let us = ns.rem_euclid(1_000_000_000) / 1000;
    let day = s.rem_euclid(86_400);
    format!(
        "{:02}:{:02}:{:02}.{:06}",
        day / 3600,
        (day / 60) % 60,
        day % 60,
        us
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_format() {
        assert_eq!(secs(1_500_000_000), "1.500000");
        assert_eq!(secs(-2_000), "-0.000002");
        assert_eq!(time_of_day(3_661_000_001_000), "01:01:01.000001");
    }

    #[test]
    fn filter_expressions_quote_strings() {
        let n = Node::new(
            "IFLA_IFNAME",
            "rt-link.ifname",
            Value::Str("a\"b".into()),
            0,
            4,
        );
        assert_eq!(filter_expr(&n).unwrap(), "rt-link.ifname == \"a\\\"b\"");
        let n = Node::new("x", "", Value::Uint(1), 0, 4);
        assert_eq!(filter_expr(&n), None);
    }
}
