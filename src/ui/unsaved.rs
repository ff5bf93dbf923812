//! "Save captured messages?": messages a live capture brought are in memory only; opening a
//! file, starting another capture or quitting would throw them away, so the app asks first
//! (Save As..., Discard, Cancel), as Wireshark does.

use std::path::PathBuf;

use egui::Ui;

use super::App;

/// What waits for the user's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    /// Open this file.
    Open(PathBuf),
    /// Start a new live capture.
    StartCapture,
    /// Close the window.
    Quit,
}

impl App {
    /// Whether live-captured messages would be lost (none saved since the capture began).
    pub fn unsaved(&self) -> bool {
        self.live_unsaved && !self.store.is_empty()
    }

    /// Do `what` now, or ask first when live-captured messages are unsaved.
    pub fn request(&mut self, what: Pending, ctx: &egui::Context) {
        if self.unsaved() {
            self.pending = Some(what);
            return;
        }
        self.carry_out(what, ctx);
    }

    fn carry_out(&mut self, what: Pending, ctx: &egui::Context) {
        match what {
            Pending::Open(p) => self.open(&p),
            Pending::StartCapture => self.start_capture(),
            Pending::Quit => {
                self.live_unsaved = false;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        }
    }

    /// The question, while something waits for it.
    pub(super) fn unsaved_window(&mut self, ui: &mut Ui) {
        let Some(what) = self.pending.clone() else {
            return;
        };
        let n = self.store.message_count();
        let doing = match &what {
            Pending::Open(p) => format!("Opening {}", p.display()),
            Pending::StartCapture => "A new capture".to_string(),
            Pending::Quit => "Quitting".to_string(),
        };
        let mut answer = None;
        egui::Modal::new(egui::Id::unique("unsaved-prompt")).show(ui.ctx(), |ui| {
            ui.heading("Save captured messages?");
            ui.label(format!(
                "{n} messages were captured live and are not saved. {doing} discards them."
            ));
            ui.horizontal(|ui| {
                if ui.button("Save As...").clicked() {
                    answer = Some(0);
                }
                if ui.button("Discard").clicked() {
                    answer = Some(1);
                }
                if ui.button("Cancel").clicked() {
                    answer = Some(2);
                }
            });
        });
        match answer {
            // Save first; the user repeats what they asked once the file is written.
            Some(0) => {
                self.pending = None;
                self.open_file_dialog(true);
            }
            Some(1) => {
                self.pending = None;
                self.live_unsaved = false;
                self.carry_out(what, ui.ctx());
            }
            Some(_) => self.pending = None,
            None => {}
        }
    }
}
