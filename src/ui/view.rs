//! The window's layout: menu bar, status bar and start view, with the panels (filter bar,
//! timeline, packet list, protocol tree, hex pane) drawn by their own structs. What the user
//! asks for is collected as [`Action`]s and applied through [`App`]'s methods after the pass.

use std::time::Duration;

use egui::{Color32, Key, Panel, RichText, TextEdit, Ui};

use super::{App, ColumnId, GuiApp, TimeFormat};

/// Time the UI spends per frame on loading and filtering.
const FRAME_BUDGET: Duration = Duration::from_millis(8);

/// A change requested while drawing (by a panel, the menu or the keyboard), applied after the
/// pass.
pub(super) enum Action {
    /// Select the message in this display row.
    SelectRow(usize),
    /// Select the tree node at this path.
    SelectNode(Vec<usize>),
    /// Select the deepest node covering this frame byte.
    ClickByte(usize),
    /// Apply this filter text.
    ApplyFilter(String),
    /// Stop the running filter and show every message.
    CancelFilter,
    /// Stop the running sort by a field column and show capture order.
    CancelSort,
    /// Put this text in the filter bar and focus it.
    PrepareFilter(String),
    /// Copy to the clipboard.
    Copy(String),
    /// Expand (true) or collapse every tree node.
    OpenAll(bool),
    /// Open this capture file.
    Open(std::path::PathBuf),
    /// Sort by this column.
    Sort(ColumnId),
    /// A packet-list row request (multi-selection, copy, mark, ignore).
    Rows(super::RowAction),
    /// Add a column showing this field (path, title).
    AddColumn(String, String),
    /// Select the first displayed message at or after this time (ns since the first frame).
    SelectAtTime(i128),
    /// Filter to this time range (seconds since the first frame).
    TimeRange(f64, f64),
    /// Start a live capture with the options in the settings.
    StartCapture,
    /// Stop the live capture.
    StopCapture,
    /// Save or export the messages in `scope` to `path` (from the Save As / Export dialog).
    StartFileJob {
        /// Destination.
        path: std::path::PathBuf,
        /// Capture or message format.
        target: super::Target,
        /// Which messages.
        scope: super::Scope,
    },
    /// Stop the running save or export.
    CancelFileJob,
    /// Open the Decode As window for the selected message.
    OpenDecodeAs,
    /// Read this generic netlink family id as this family.
    DecodeAs(u16, String),
    /// Read classic protocol N with the netlink-raw spec named so.
    DecodeProtocolAs(u32, String),
    /// Select this message (store index) and scroll to it.
    GoToMessage(usize),
    /// Go where this conversation field of the selected message points
    /// (`nlmsg.request_in`, `nlmsg.caused_by`, `nlmsg.response_in`).
    GoToLinked(String),
    /// Filter to the selected message's conversation (false) or socket (true).
    Follow(bool),
    /// Open the Statistics window.
    OpenStats,
    /// Compare every selected message with this one (`None`: stop comparing).
    CompareWith(Option<usize>),
    /// Select this message and its expert note (severity, text) (Expert Information).
    GoToExpert(usize, crate::model::Severity, String),
}

impl eframe::App for GuiApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        let t = std::time::Instant::now();
        let cpu = super::timing::thread_cpu();
        self.app.ui(ui);
        let cpu = super::timing::thread_cpu().saturating_sub(cpu);
        super::Timing::frame(&mut self.app, t.elapsed(), cpu);
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
        } else if self.list.job.is_some() {
            // A filter on the worker threads: its progress, ten times a second (twenty
            // slowed the workers more than it showed sooner, under a software renderer).
            ui.ctx().request_repaint_after(Duration::from_millis(100));
        }
        ui.ctx().set_theme(if self.settings.dark {
            egui::Theme::Dark
        } else {
            egui::Theme::Light
        });
        let mut actions = Vec::new();
        self.update_title(ui.ctx());
        self.handle_input(ui, &mut actions);

        Panel::top("menu").show(ui, |ui| self.menu_bar(ui, &mut actions));
        let (done, total) = (self.list.filtered_upto, self.store.len());
        self.filter.progress =
            (self.filter.applied.is_some() && done < total).then_some((done, total));
        self.filter.sorting = self
            .list
            .field_sort
            .as_ref()
            .map(super::FieldSort::progress);
        Panel::top("filter").show(ui, |ui| {
            self.filter.ui(ui, &self.settings.history, &mut actions);
        });
        if self.find.open {
            Panel::top("find").show(ui, |ui| self.find_bar(ui));
        }
        Panel::bottom("status").show(ui, |ui| self.status_bar(ui, &mut actions));
        let h = ui.available_height();
        // The list has the window until a message is selected; then the tree and bytes take
        // the bottom. The split is a setting kept across runs: it sizes panels egui has no
        // size for yet (a new run), and each frame writes back what a drag made of them.
        let split = self.settings.layout.clamped();
        if self.selected.is_some() {
            let details = Panel::bottom("details")
                .resizable(true)
                .default_size(h * split.details)
                .size_range(80.0..=(h - 60.0).max(120.0))
                .show(ui, |ui| {
                    let w = ui.available_width();
                    let tree = Panel::left("tree")
                        .resizable(true)
                        .default_size(w * split.tree)
                        .size_range(120.0..=(w - 80.0).max(160.0))
                        .show(ui, |ui| {
                            self.detail.ui(ui, self.selected.unwrap_or(0), &mut actions);
                        });
                    egui::CentralPanel::default().show(ui, |ui| {
                        let msg = self.selected_msg_range();
                        let data = super::frame_data_of(&self.store, self.selected);
                        self.hex.ui(ui, data, msg, &mut actions);
                    });
                    (w > 0.0).then(|| tree.response.rect.width() / w)
                });
            if h > 0.0 {
                self.settings.layout.details = details.response.rect.height() / h;
            }
            if let Some(t) = details.inner {
                self.settings.layout.tree = t;
            }
        }
        // After the details pane, so it takes its height from the list, not from the details.
        // Shown for a live capture too (it has no file), while and after it runs.
        let anything = self.file.is_some() || self.live.capture.is_some() || !self.store.is_empty();
        if self.settings.timeline && anything {
            let timeline = Panel::top("timeline")
                .resizable(true)
                .default_size(split.timeline)
                .size_range(70.0..=400.0)
                .show(ui, |ui| {
                    self.timeline.catch_up(&self.store);
                    let filtered = self.filter.applied.is_some();
                    let tl = &mut self.timeline;
                    tl.ui(ui, &self.store, self.selected, filtered, &mut actions);
                });
            self.settings.layout.timeline = timeline.response.rect.height();
        }
        egui::CentralPanel::default().show(ui, |ui| self.central(ui, &mut actions));
        if self.open_prompt {
            self.open_window(ui, &mut actions);
        }
        self.goto_window(ui);
        // Closing the window with live messages unsaved asks first.
        if ui.input(|i| i.viewport().close_requested()) && self.unsaved() {
            ui.ctx()
                .send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.pending = Some(super::Pending::Quit);
        }
        self.unsaved_window(ui);
        let running = self.capturing();
        self.live
            .options_window(ui.ctx(), &mut self.settings.live, running, &mut actions);
        let (counts, busy) = (self.scope_counts(), self.filtering_or_loading());
        self.files.window(ui, counts, busy, &mut actions);
        self.decode_as.window(ui, &self.store, &mut actions);
        let displayed = self.filter.applied.as_ref().map(|(text, _)| {
            use std::hash::{Hash, Hasher};
            let mut h = std::hash::DefaultHasher::new();
            (text, self.list.displayed.len()).hash(&mut h);
            (&self.list.displayed[..], h.finish())
        });
        self.stats.window(ui, &self.store, displayed, &mut actions);
        self.state.window(ui, &self.store, self.selected);
        self.experts_window(ui, &mut actions);

        for a in actions {
            match a {
                Action::SelectRow(r) => self.select_row(r),
                Action::SelectNode(p) => self.select_node(&p),
                Action::ClickByte(b) => self.click_byte(b),
                Action::ApplyFilter(f) => {
                    let _ = self.apply_filter_text(&f);
                }
                Action::CancelFilter => self.cancel_filter(),
                Action::CancelSort => self.cancel_sort(),
                Action::PrepareFilter(f) => {
                    self.set_filter_text(&f);
                    self.filter.focus = true;
                }
                Action::Copy(t) => ui.ctx().copy_text(t),
                Action::OpenAll(o) => self.detail.open_all = Some(o),
                Action::Open(p) => self.request(super::Pending::Open(p), ui.ctx()),
                Action::Sort(c) => self.sort_by_column(c),
                Action::Rows(a) => self.row_action(a, ui.ctx()),
                Action::AddColumn(f, t) => {
                    super::columns::add_field_column(&mut self.settings.columns, &f, &t);
                }
                Action::SelectAtTime(ns) => {
                    self.select_at_time(ns);
                }
                Action::TimeRange(a, b) => {
                    // A filter built from two numbers always compiles; an error would leave
                    // the list as it was.
                    let _ = self.apply_time_range(a, b);
                }
                Action::StartCapture => self.request(super::Pending::StartCapture, ui.ctx()),
                Action::StopCapture => self.stop_capture(),
                Action::StartFileJob {
                    path,
                    target,
                    scope,
                } => self.start_from_dialog(&path, target, scope),
                Action::CancelFileJob => self.cancel_file_job(),
                Action::OpenDecodeAs => self.decode_as.open_for(&self.store, self.selected),
                Action::DecodeAs(id, f) => self.decode_genl_as(id, &f),
                Action::DecodeProtocolAs(p, s) => self.decode_protocol_as(p, &s),
                Action::GoToMessage(i) => self.go_to_message(i),
                Action::GoToLinked(f) => {
                    if let Some(i) = self.linked_message(&f) {
                        self.go_to_message(i);
                    }
                }
                Action::Follow(socket) => {
                    self.follow(socket);
                }
                Action::OpenStats => self.stats.open = true,
                Action::CompareWith(b) => self.compare_base = b,
                Action::GoToExpert(i, s, t) => self.go_to_expert(i, s, &t),
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
            self.open_find();
        }
        // Rows first: their Ctrl+Shift+N/B would also match Find's Ctrl+N/B (egui ignores an
        // extra Shift when matching a shortcut).
        self.row_shortcuts(ui);
        self.nav_shortcuts(ui);
        self.live_shortcuts(ui);
        let (goto, prev_err, next_err) = ui.input_mut(|i| {
            // Shift+F8 first: a key without modifiers also matches it shifted.
            (
                i.consume_key(egui::Modifiers::COMMAND, Key::G),
                i.consume_key(egui::Modifiers::SHIFT, Key::F8),
                i.consume_key(egui::Modifiers::NONE, Key::F8),
            )
        });
        if goto {
            self.goto = Some((String::new(), None));
        }
        if next_err {
            self.go_to_error(true);
        }
        if prev_err {
            self.go_to_error(false);
        }
        // Alt+Up: the selected answer's request; Alt+Down: the selected request's first answer.
        let (up, down) = ui.input_mut(|i| {
            (
                i.consume_key(egui::Modifiers::ALT, Key::ArrowUp),
                i.consume_key(egui::Modifiers::ALT, Key::ArrowDown),
            )
        });
        if up {
            let f = if self.linked_message("nlmsg.request_in").is_some() {
                "nlmsg.request_in"
            } else {
                "nlmsg.caused_by"
            };
            actions.push(Action::GoToLinked(f.into()));
        }
        if down {
            actions.push(Action::GoToLinked("nlmsg.response_in".into()));
        }
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
                self.list.scroll_to_selected = true;
            }
            (_, Some(false)) => {
                self.select_row(self.list.displayed.len().saturating_sub(1));
                self.list.scroll_to_selected = true;
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

    /// The Go to packet field (Ctrl+G): `frame` or `frame:message`, Enter goes.
    fn goto_window(&mut self, ui: &mut Ui) {
        let Some((mut text, mut err)) = self.goto.take() else {
            return;
        };
        let mut open = true;
        let mut go = false;
        egui::Window::new("Go to packet")
            .collapsible(false)
            .anchor(egui::Align2::CENTER_TOP, [0.0, 120.0])
            .open(&mut open)
            .show(ui.ctx(), |ui| {
                ui.horizontal(|ui| {
                    let l = ui.label("Frame or frame:message:");
                    // Enter counts if the field had the keyboard when it came: a single-line
                    // field gives the keyboard up on Enter before its response says so.
                    let id = ui.make_persistent_id("goto-field");
                    let enter =
                        ui.memory(|m| m.has_focus(id)) && ui.input(|i| i.key_pressed(Key::Enter));
                    let r = ui
                        .add(TextEdit::singleline(&mut text).id(id).desired_width(120.0))
                        .labelled_by(l.id);
                    if ui.memory(|m| m.focused().is_none()) {
                        r.request_focus();
                    }
                    go = enter || ui.button("Go").clicked();
                });
                if let Some(e) = &err {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
            });
        if go {
            match self.go_to_text(&text) {
                Ok(()) => return,
                Err(e) => err = Some(e),
            }
        }
        if open && !ui.input(|i| i.key_pressed(Key::Escape)) {
            self.goto = Some((text, err));
        }
    }

    fn open_window(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) {
        let mut open = true;
        egui::Window::new("Open capture file")
            .collapsible(false)
            .anchor(egui::Align2::CENTER_TOP, [0.0, 120.0])
            .open(&mut open)
            .show(ui.ctx(), |ui| {
                let l = ui.label("Path of a pcap or pcapng file:");
                // Enter counts if the field had the keyboard (see the Go to packet field).
                let id = ui.make_persistent_id("open-path-field");
                let enter =
                    ui.memory(|m| m.has_focus(id)) && ui.input(|i| i.key_pressed(Key::Enter));
                let r = ui
                    .add(
                        TextEdit::singleline(&mut self.open_text)
                            .id(id)
                            .desired_width(420.0)
                            .hint_text("/path/to/capture.pcapng"),
                    )
                    .labelled_by(l.id);
                if ui.memory(|m| m.focused().is_none()) {
                    r.request_focus();
                }
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
                let key = |m: egui::Modifiers, k: Key| {
                    ui.ctx()
                        .format_shortcut(&egui::KeyboardShortcut::new(m, k))
                };
                let (open, save) = (
                    key(egui::Modifiers::COMMAND, Key::O),
                    key(egui::Modifiers::COMMAND, Key::S),
                );
                if ui
                    .add(egui::Button::new("Open...").shortcut_text(open))
                    .clicked()
                {
                    ui.close();
                    self.open_dialog(actions);
                }
                if ui.button("Open path...").clicked() {
                    ui.close();
                    self.open_prompt = true;
                }
                let loaded = !self.store.is_empty();
                if ui
                    .add_enabled(loaded, egui::Button::new("Save As...").shortcut_text(save))
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
                    ui.close();
                    self.request(super::Pending::Quit, ui.ctx());
                }
            });
            self.edit_menu(ui);
            let running = self.capturing();
            self.live.menu(ui, &self.settings.live, running, actions);
            ui.menu_button("Go", |ui| {
                let short = |m: egui::Modifiers, k: Key| {
                    ui.ctx()
                        .format_shortcut(&egui::KeyboardShortcut::new(m, k))
                };
                if ui
                    .add(
                        egui::Button::new("Go to packet...")
                            .shortcut_text(short(egui::Modifiers::COMMAND, Key::G)),
                    )
                    .clicked()
                {
                    self.goto = Some((String::new(), None));
                    ui.close();
                }
                if ui
                    .add(egui::Button::new("Next error").shortcut_text("F8"))
                    .clicked()
                {
                    self.go_to_error(true);
                    ui.close();
                }
                if ui
                    .add(egui::Button::new("Previous error").shortcut_text("Shift+F8"))
                    .clicked()
                {
                    self.go_to_error(false);
                    ui.close();
                }
                ui.separator();
                let has = |f: &str| self.linked_message(f).is_some();
                let req = has("nlmsg.request_in") || has("nlmsg.caused_by");
                if ui
                    .add_enabled(req, egui::Button::new("Request").shortcut_text("Alt+Up"))
                    .on_hover_text("The request the selected message answers (or was caused by)")
                    .clicked()
                {
                    let f = if has("nlmsg.request_in") {
                        "nlmsg.request_in"
                    } else {
                        "nlmsg.caused_by"
                    };
                    actions.push(Action::GoToLinked(f.into()));
                    ui.close();
                }
                if ui
                    .add_enabled(
                        has("nlmsg.response_in"),
                        egui::Button::new("First response").shortcut_text("Alt+Down"),
                    )
                    .clicked()
                {
                    actions.push(Action::GoToLinked("nlmsg.response_in".into()));
                    ui.close();
                }
                self.go_menu_more(ui);
                ui.separator();
                self.mark_menu_items(ui);
            });
            ui.menu_button("Analyze", |ui| {
                let linked = self.selected.and_then(|i| self.store.linked(i));
                if ui
                    .add_enabled(
                        linked.is_some_and(|l| l.conversation.is_some()),
                        egui::Button::new("Follow conversation"),
                    )
                    .on_hover_text(
                        "Show the selected message's request and everything answering it",
                    )
                    .clicked()
                {
                    actions.push(Action::Follow(false));
                    ui.close();
                }
                if ui
                    .add_enabled(
                        linked.is_some_and(|l| l.port != 0),
                        egui::Button::new("Follow socket"),
                    )
                    .on_hover_text(
                        "Show everything the selected message's socket sent and received",
                    )
                    .clicked()
                {
                    actions.push(Action::Follow(true));
                    ui.close();
                }
                let base = self.compare_base;
                if ui
                    .add_enabled(
                        self.selected.is_some(),
                        egui::Button::new("Compare others with this message"),
                    )
                    .on_hover_text(
                        "Each message you select next shows [Compared with]: what differs from this one",
                    )
                    .clicked()
                {
                    actions.push(Action::CompareWith(self.selected));
                    ui.close();
                }
                if ui
                    .add_enabled(base.is_some(), egui::Button::new("Stop comparing"))
                    .clicked()
                {
                    actions.push(Action::CompareWith(None));
                    ui.close();
                }
                if ui
                    .button("State at this message...")
                    .on_hover_text(
                        "Links, addresses, routes... as the capture showed them at the selected message",
                    )
                    .clicked()
                {
                    self.state.open = true;
                    ui.close();
                }
                if ui.button("Statistics...").clicked() {
                    actions.push(Action::OpenStats);
                    ui.close();
                }
                if ui.button("Expert Information").clicked() {
                    self.open_experts();
                    ui.close();
                }
                ui.separator();
                if ui
                    .button("Decode As...")
                    .on_hover_text("Read a generic netlink family id as a family of your choice")
                    .clicked()
                {
                    actions.push(Action::OpenDecodeAs);
                    ui.close();
                }
            });
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

    fn status_bar(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) {
        ui.horizontal(|ui| {
            match &self.file {
                Some(f) => {
                    let name = f
                        .file_name()
                        .map_or_else(|| f.display().to_string(), |n| n.to_string_lossy().into());
                    ui.label(RichText::new(name).strong())
                        .on_hover_text(f.display().to_string());
                }
                None if self.live.capture.is_some() => self.live.status(ui, actions),
                None => {
                    ui.label("No capture open: File > Open... or drop a file here");
                }
            }
            ui.separator();
            ui.label(format!(
                "Frames: {}  Messages: {}  Displayed: {}",
                self.store.frame_count(),
                self.store.message_count(),
                self.list.displayed.len()
            ));
            let ignored = self.list.marks.ignored.len();
            if ignored > 0 {
                ui.label(format!("Ignored: {ignored}"));
            }
            if let Some((t, _)) = &self.filter.applied {
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
            self.files.status(ui, actions);
            if let Some(e) = &self.error {
                ui.separator();
                ui.colored_label(Color32::from_rgb(0xe0, 0x40, 0x40), e);
            }
        });
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
            self.live
                .start_section(ui, &mut self.settings.live, actions);
        });
    }

    /// The central panel: the start view with nothing open, else the packet list.
    fn central(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) {
        if self.file.is_none() && self.live.capture.is_none() {
            self.start_view(ui, actions);
            return;
        }
        let to_end = self.take_scroll_to_end();
        self.list.ui(
            ui,
            &self.store,
            self.selected,
            self.settings.time_format,
            to_end,
            &mut self.settings.columns,
            actions,
        );
    }
}
