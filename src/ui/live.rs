//! Live capture in the app. [`Live`] is the panel: the Capture menu, the start view's sources,
//! the options window and the status bar, editing the capture settings it is given and
//! reporting Start and Stop as [`Action`]s; `App`'s methods here start, stop and drain the
//! capture. The capture itself (in this process or a helper process, its frames indexed on the
//! store's loader thread like a file's) is a [`LiveCapture`] from `capture::session`, drained
//! within the per-frame budget.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use egui::{Color32, RichText, Ui};

use super::App;
use super::view::Action;
use crate::capture::monitor::MonitorFamily;
use crate::capture::session::{
    CaptureState, LiveCapture, LiveOptions, Log, RunMode, SHUTDOWN_WAIT, SourceKind, Wrapper,
    named_netns, nlmon_interfaces,
};
use crate::capture::worker::Opener;

/// Starts or stops a capture.
const START_STOP: egui::KeyboardShortcut =
    egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::E);

/// The live-capture panel and the running capture's handles.
pub struct Live {
    /// The current (or last) capture; its frames are in the store.
    pub capture: Option<LiveCapture>,
    /// Stopped captures still ending (drained only for their end).
    retired: Vec<LiveCapture>,
    next_id: u64,
    /// Follow the newest row.
    pub autoscroll: bool,
    /// Scroll the list to its last row on the next frame.
    pub scroll_to_end: bool,
    /// The options window is open.
    pub show_options: bool,
    /// Capture messages (helper stderr, starts and ends).
    pub log: Log,
    /// The program run as helper (default: this executable).
    pub helper_exe: Option<PathBuf>,
    nlmon_list: Vec<String>,
    netns_list: Vec<String>,
    /// Running processes for the Trace source's picker (pid, comm).
    processes: Vec<(u32, String)>,
    /// Capture > Trace a command (false) / a process (true) asked for the options window.
    pub trace_preset: Option<bool>,
    lists_at: Option<Instant>,
}

/// The Trace source's options: a command to start, or a running process to attach to
/// (picked from a list of /proc), and whether to follow children.
fn trace_options(ui: &mut Ui, o: &mut LiveOptions, processes: &mut Vec<(u32, String)>) {
    ui.horizontal(|ui| {
        let l = ui.label("Command:");
        ui.add(
            egui::TextEdit::singleline(&mut o.trace_command)
                .desired_width(320.0)
                .hint_text("ip link show"),
        )
        .labelled_by(l.id);
    });
    ui.horizontal(|ui| {
        let shown = o.trace_pid.map_or_else(
            || "(none)".to_string(),
            |p| {
                processes
                    .iter()
                    .find(|(q, _)| *q == p)
                    .map_or_else(|| p.to_string(), |(q, n)| format!("{n} [{q}]"))
            },
        );
        let r = egui::ComboBox::from_label("or a running process to attach to")
            .selected_text(shown)
            .width(260.0)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut o.trace_pid, None, "(none)");
                for (p, n) in processes.iter() {
                    ui.selectable_value(&mut o.trace_pid, Some(*p), format!("{n} [{p}]"));
                }
            });
        if r.response.clicked() || processes.is_empty() {
            *processes = list_processes();
        }
    });
    if o.trace_pid.is_some() && !o.trace_command.trim().is_empty() {
        ui.weak("The command is started; clear it to attach to the process.");
    }
    ui.checkbox(&mut o.trace_follow, "Follow children and threads (-f)");
}

/// Running processes (pid, comm), by pid, at most a few thousand.
fn list_processes() -> Vec<(u32, String)> {
    let mut v: Vec<(u32, String)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .take(8192)
        .filter_map(|p| {
            let comm = std::fs::read_to_string(format!("/proc/{p}/comm")).ok()?;
            Some((p, comm.trim().to_string()))
        })
        .collect();
    v.sort();
    v
}

impl Default for Live {
    fn default() -> Self {
        Live {
            capture: None,
            retired: Vec::new(),
            next_id: 1,
            autoscroll: true,
            scroll_to_end: false,
            show_options: false,
            log: Log::default(),
            helper_exe: None,
            nlmon_list: Vec::new(),
            netns_list: Vec::new(),
            processes: Vec::new(),
            trace_preset: None,
            lists_at: None,
        }
    }
}

impl Live {
    /// Refresh the lists of nlmon interfaces and namespaces (at most once a second).
    fn refresh_lists(&mut self) {
        if self
            .lists_at
            .is_none_or(|t| t.elapsed() >= Duration::from_secs(1))
        {
            self.nlmon_list = nlmon_interfaces();
            self.netns_list = named_netns();
            self.lists_at = Some(Instant::now());
        }
    }
}

impl App {
    /// Whether a live capture is starting or running.
    pub fn capturing(&self) -> bool {
        self.live.capture.as_ref().is_some_and(LiveCapture::running)
    }

    /// Start a live capture with the options in the settings.
    pub fn start_capture(&mut self) {
        let opts = self.settings.live.clone();
        if let Err(e) = opts.validate() {
            self.error = Some(format!("capture: {e}"));
            self.live.show_options = true;
            return;
        }
        let id = self.begin_live();
        let r = LiveCapture::start(
            id,
            &opts,
            self.live.helper_exe.as_deref(),
            &self.store,
            self.waker.clone(),
        );
        self.started_live(r);
    }

    /// Start capturing in this process from the sources `open` returns (run on the capture
    /// thread).
    pub fn start_live_source(&mut self, label: String, open: Opener) {
        let id = self.begin_live();
        let r = LiveCapture::in_process(id, label, open, &self.store, self.waker.clone());
        self.started_live(r);
    }

    /// Start capturing from a command that writes pcapng to its stdout.
    pub fn start_live_command(&mut self, label: String, cmd: Command) {
        let id = self.begin_live();
        let r = LiveCapture::helper(id, label, cmd, &self.store, self.waker.clone());
        self.started_live(r);
    }

    /// A fresh store for a new capture; returns its id.
    fn begin_live(&mut self) -> u64 {
        self.fresh_store();
        self.live_unsaved = true;
        let id = self.live.next_id;
        self.live.next_id += 1;
        id
    }

    fn started_live(&mut self, r: Result<LiveCapture, String>) {
        match r {
            Ok(c) => {
                let how = if c.helper {
                    "helper process"
                } else {
                    "in this process"
                };
                self.live
                    .log
                    .push(format!("Starting capture: {} ({how})", c.label));
                self.live.capture = Some(c);
            }
            Err(e) => {
                self.live.log.push(format!("error: {e}"));
                self.error = Some(e);
            }
        }
    }

    /// Stop the running capture (its frames stay).
    pub fn stop_capture(&mut self) {
        if let Some(c) = self.live.capture.as_mut()
            && c.running()
        {
            c.request_stop();
            self.live.log.push("Stopping capture".into());
        }
    }

    /// Stop the capture and keep draining it for its end only (a new capture or file takes
    /// over the store).
    pub(super) fn retire_capture(&mut self) {
        if let Some(mut c) = self.live.capture.take()
            && !c.ended()
        {
            c.request_stop();
            self.live.retired.push(c);
        }
    }

    /// Stop the capture and wait for its end (closing the window).
    pub fn shutdown_capture(&mut self) {
        if let Some(c) = self.live.capture.as_mut() {
            c.shutdown(SHUTDOWN_WAIT);
        }
        for c in &mut self.live.retired {
            c.shutdown(SHUTDOWN_WAIT);
        }
        self.live.retired.clear();
    }

    /// Drain the live capture into the store for at most `budget`. True when more waits.
    pub(super) fn pump_live(&mut self, budget: Duration) -> bool {
        let start = Instant::now();
        for c in &mut self.live.retired {
            c.poll_end(&mut self.live.log);
        }
        self.live.retired.retain(|c| !c.ended());
        let Some(c) = self.live.capture.as_mut() else {
            return false;
        };
        let was_ended = c.ended();
        let left = budget.saturating_sub(start.elapsed());
        let (added, more) = c.drain(&mut self.store, left, &mut self.live.log);
        if !was_ended && let CaptureState::Stopped(Some(e)) = &c.state {
            self.error = Some(format!("capture: {e}"));
        }
        if added > 0 && self.live.autoscroll {
            self.live.scroll_to_end = true;
        }
        more
    }

    /// Whether the list should jump to its end now (consumes the request).
    pub(super) fn take_scroll_to_end(&mut self) -> bool {
        std::mem::take(&mut self.live.scroll_to_end) && self.live.autoscroll
    }

    /// Ctrl+E starts or stops a capture (as in Wireshark).
    pub(super) fn live_shortcuts(&mut self, ui: &mut Ui) {
        if ui.input_mut(|i| i.consume_shortcut(&START_STOP)) {
            if self.capturing() {
                self.stop_capture();
            } else {
                self.start_capture();
            }
        }
    }
}

impl Live {
    /// The Capture menu; `opts` are the capture settings, `running` whether a capture runs.
    pub(super) fn menu(
        &mut self,
        ui: &mut Ui,
        opts: &LiveOptions,
        running: bool,
        actions: &mut Vec<Action>,
    ) {
        ui.menu_button("Capture", |ui| {
            if ui
                .add_enabled(
                    !running,
                    egui::Button::new("Start").shortcut_text(ui.ctx().format_shortcut(&START_STOP)),
                )
                .on_hover_text(opts.describe())
                .clicked()
            {
                ui.close();
                actions.push(Action::StartCapture);
            }
            if ui.add_enabled(running, egui::Button::new("Stop")).clicked() {
                ui.close();
                actions.push(Action::StopCapture);
            }
            ui.separator();
            ui.checkbox(&mut self.autoscroll, "Autoscroll");
            if ui.button("Options...").clicked() {
                ui.close();
                self.show_options = true;
            }
            ui.separator();
            if ui.button("Trace a command...").clicked() {
                ui.close();
                self.show_options = true;
                self.trace_preset = Some(false);
            }
            if ui.button("Trace a process...").clicked() {
                ui.close();
                self.show_options = true;
                self.trace_preset = Some(true);
            }
        });
    }

    /// The start view's list of live capture sources (starting one sets `opts`).
    pub(super) fn start_section(
        &mut self,
        ui: &mut Ui,
        opts: &mut LiveOptions,
        actions: &mut Vec<Action>,
    ) {
        self.refresh_lists();
        ui.add_space(16.0);
        ui.strong("Live capture sources");
        ui.add_space(4.0);
        let mut start = None;
        // A fixed-width block, so the centred start view centres it.
        let width = 640.0_f32.min(ui.available_width());
        ui.allocate_ui(egui::vec2(width, 0.0), |ui| {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.set_width(width - 16.0);
                ui.horizontal_wrapped(|ui| {
                    let o = &mut *opts;
                    ui.label("Monitor:");
                    for f in MonitorFamily::ALL {
                        let mut on = o.all_families || o.families.iter().any(|x| x == f.name());
                        if ui
                            .add_enabled(!o.all_families, egui::Checkbox::new(&mut on, f.name()))
                            .changed()
                        {
                            o.set_family(f.name(), on);
                        }
                    }
                    ui.checkbox(&mut o.all_families, "all");
                });
                ui.horizontal(|ui| {
                    ui.checkbox(&mut opts.all_netns, "All namespaces");
                    if ui.button("Start monitor capture").clicked() {
                        start = Some((SourceKind::Monitor, None));
                    }
                });
                ui.separator();
                ui.horizontal_wrapped(|ui| {
                    ui.label("nlmon:");
                    for name in &self.nlmon_list {
                        if ui.link(format!("Capture on {name}")).clicked() {
                            start = Some((SourceKind::Nlmon, Some((name.clone(), false))));
                        }
                    }
                    if !self.nlmon_list.iter().any(|n| n == "nlmon0")
                        && ui
                            .button("Create nlmon0 and capture")
                            .on_hover_text("Removed again when the capture stops (--create-nlmon)")
                            .clicked()
                    {
                        start = Some((SourceKind::Nlmon, Some(("nlmon0".into(), true))));
                    }
                });
                ui.separator();
                if ui.button("Capture options...").clicked() {
                    self.show_options = true;
                }
            });
        });
        if let Some((kind, nlmon)) = start {
            opts.source = kind;
            if let Some((name, create)) = nlmon {
                opts.nlmon_iface = name;
                opts.create_nlmon = create;
            }
            actions.push(Action::StartCapture);
        }
    }

    /// The capture part of the status bar: state, counts, autoscroll, Stop.
    pub(super) fn status(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) {
        let Some(c) = &self.capture else {
            return;
        };
        let (text, color) = match &c.state {
            CaptureState::Starting => (format!("Starting capture: {}", c.label), None),
            CaptureState::Capturing(on) => (
                format!("Capturing on {on}"),
                Some(Color32::from_rgb(0x3c, 0xb3, 0x71)),
            ),
            CaptureState::Stopping => ("Stopping capture".to_string(), None),
            CaptureState::Stopped(None) => ("Capture stopped".to_string(), None),
            CaptureState::Stopped(Some(_)) => (
                "Capture failed".to_string(),
                Some(Color32::from_rgb(0xe0, 0x40, 0x40)),
            ),
        };
        let mut rt = RichText::new(text).strong();
        if let Some(col) = color {
            rt = rt.color(col);
        }
        ui.label(rt).on_hover_text(&c.label);
        ui.separator();
        ui.label(format!("Captured: {}  Dropped: {}", c.captured, c.dropped));
        let running = c.running();
        ui.checkbox(&mut self.autoscroll, "Autoscroll");
        if running && ui.button("Stop").clicked() {
            actions.push(Action::StopCapture);
        }
    }

    /// The capture options window, editing `opts`.
    pub(super) fn options_window(
        &mut self,
        ctx: &egui::Context,
        opts: &mut LiveOptions,
        running: bool,
        actions: &mut Vec<Action>,
    ) {
        if !self.show_options {
            return;
        }
        // Capture > Trace a command / a process: the Trace source, ready for one or the other.
        if let Some(attach) = self.trace_preset.take() {
            opts.source = SourceKind::Trace;
            if attach {
                opts.trace_command.clear();
                self.processes = list_processes();
            } else {
                opts.trace_pid = None;
            }
        }
        self.refresh_lists();
        let mut open = true;
        let mut start = false;
        egui::Window::new("Capture options")
            .collapsible(false)
            .pivot(egui::Align2::CENTER_TOP)
            .default_pos(ctx.content_rect().center_top() + egui::vec2(0.0, 90.0))
            .open(&mut open)
            .show(ctx, |ui| {
                let o = &mut *opts;
                ui.horizontal(|ui| {
                    ui.label("Source:");
                    ui.radio_value(
                        &mut o.source,
                        SourceKind::Monitor,
                        "Monitor (notifications)",
                    );
                    ui.radio_value(
                        &mut o.source,
                        SourceKind::Nlmon,
                        "nlmon interface (all traffic)",
                    );
                    ui.radio_value(&mut o.source, SourceKind::Trace, "Trace a program");
                });
                match o.source {
                    SourceKind::Monitor => {
                        ui.horizontal_wrapped(|ui| {
                            for f in MonitorFamily::ALL {
                                let mut on =
                                    o.all_families || o.families.iter().any(|x| x == f.name());
                                if ui
                                    .add_enabled(
                                        !o.all_families,
                                        egui::Checkbox::new(&mut on, f.name()),
                                    )
                                    .changed()
                                {
                                    o.set_family(f.name(), on);
                                }
                            }
                            ui.checkbox(&mut o.all_families, "all");
                        });
                        ui.checkbox(&mut o.all_netns, "All network namespaces (--all-netns)");
                    }
                    SourceKind::Nlmon => {
                        ui.horizontal(|ui| {
                            ui.label("Interface:");
                            ui.add(
                                egui::TextEdit::singleline(&mut o.nlmon_iface).desired_width(120.0),
                            );
                            for n in &self.nlmon_list {
                                if ui.small_button(n).clicked() {
                                    o.nlmon_iface = n.clone();
                                }
                            }
                        });
                        if self.nlmon_list.is_empty() {
                            ui.weak("No nlmon interface exists in this namespace.");
                        }
                        ui.checkbox(
                            &mut o.create_nlmon,
                            "Create it for the capture (removed at the end; --create-nlmon)",
                        );
                    }
                    SourceKind::Trace => trace_options(ui, o, &mut self.processes),
                }
                ui.horizontal(|ui| {
                    ui.label("Network namespace:");
                    ui.add(
                        egui::TextEdit::singleline(&mut o.netns)
                            .desired_width(160.0)
                            .hint_text("(this one)"),
                    );
                    for n in &self.netns_list {
                        if ui.small_button(n).clicked() {
                            o.netns = n.clone();
                        }
                    }
                });
                ui.separator();
                ui.horizontal(|ui| {
                    ui.label("Run the capture:");
                    ui.radio_value(&mut o.mode, RunMode::Auto, "automatic");
                    ui.radio_value(&mut o.mode, RunMode::InProcess, "in this process");
                    ui.radio_value(&mut o.mode, RunMode::Helper, "as a helper process");
                });
                ui.horizontal(|ui| {
                    ui.label("Helper privileges via:");
                    for w in Wrapper::ALL {
                        ui.radio_value(&mut o.wrapper, w, w.label());
                    }
                });
                let missing = o.missing_caps();
                let how = if o.in_process() {
                    "Runs in this process.".to_string()
                } else {
                    let mut cmd = o.wrapper.prefix().join(" ");
                    if !cmd.is_empty() {
                        cmd.push(' ');
                    }
                    format!("Runs as: {cmd}nlscope {}", o.capture_args().join(" "))
                };
                if missing.is_empty() {
                    ui.weak(format!("This process has the privileges needed. {how}"));
                } else {
                    ui.weak(format!("This process lacks {}. {how}", missing.join(", ")));
                }
                if let Err(e) = o.validate() {
                    ui.colored_label(Color32::from_rgb(0xe0, 0x40, 0x40), e);
                }
                ui.horizontal(|ui| {
                    if ui
                        .add_enabled(!running, egui::Button::new("Start"))
                        .clicked()
                    {
                        start = true;
                    }
                });
                ui.separator();
                ui.label("Capture log:");
                egui::ScrollArea::vertical()
                    .max_height(140.0)
                    .stick_to_bottom(true)
                    .show(ui, |ui| {
                        for l in self.log.lines() {
                            ui.monospace(l);
                        }
                    });
            });
        if !open {
            self.show_options = false;
        }
        if start {
            self.show_options = false;
            actions.push(Action::StartCapture);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::capture::session::{LiveOptions, Wrapper};

    #[test]
    fn settings_saved_before_live_capture_still_load() {
        let old =
            r#"{"recent":[],"history":["nlmsg.seq == 1"],"time_format":"Relative","dark":false}"#;
        let s: crate::ui::Settings = serde_json::from_str(old).unwrap();
        assert_eq!(s.live, LiveOptions::default());
        assert!(!s.dark);
        let mut s = s;
        s.live.wrapper = Wrapper::Sudo;
        s.live.families = vec!["xfrm".into()];
        let back: crate::ui::Settings =
            serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back.live, s.live);
    }
}
