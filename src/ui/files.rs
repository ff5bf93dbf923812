//! Save As / Export. [`Files`] is the panel: the dialog and the status bar's progress,
//! reporting Save, Export and Cancel as [`Action`]s; `App`'s methods here pick the messages and
//! start, advance or cancel the job. The job itself (re-dissection, the writer thread,
//! cancellation) is [`crate::export::job`].

use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use egui::{Color32, TextEdit, Ui};

use super::App;
use super::view::Action;
use crate::export::Format;
pub use crate::export::job::{FileJob, JobStatus, Target};
use crate::pcap::OutFormat;

/// Which messages a save or export covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every message (and frame) of the capture.
    All,
    /// The messages the display filter lets through.
    Displayed,
    /// The selected message.
    Selected,
}

/// The Save As / Export dialog's choices.
#[derive(Debug, Clone, PartialEq)]
pub struct FileDialog {
    /// The chosen format (a capture format for Save As, a message format for Export).
    pub target: Target,
    /// The chosen messages.
    pub scope: Scope,
    /// The typed (or chosen) destination.
    pub path: String,
    /// Why the last attempt did not start.
    pub error: Option<String>,
    /// No native file chooser answered: say so next to the path field.
    pub no_chooser: bool,
}

impl FileDialog {
    /// Whether this is Save As (else Export).
    pub fn is_save(&self) -> bool {
        matches!(self.target, Target::Capture(_))
    }

    /// Choose `t`; a path ending in the old format's extension gets the new one.
    pub fn set_target(&mut self, t: Target) {
        let old = self.target.extension();
        let p = Path::new(self.path.trim());
        if p.extension().is_some_and(|e| e == old) {
            self.path = p.with_extension(t.extension()).display().to_string();
        }
        self.target = t;
    }
}

/// Save and export state of the window.
#[derive(Default)]
pub struct Files {
    /// The open Save As / Export dialog.
    pub dialog: Option<FileDialog>,
    /// The job running.
    pub job: Option<FileJob>,
    /// How the last job ended (or why it did not start), for the status bar.
    pub outcome: Option<Result<String, String>>,
    /// The running job saves every message as a capture file.
    pub saving_all: bool,
}

impl App {
    /// Store indices of the messages in `scope`, in capture order.
    pub fn rows_in(&self, scope: Scope) -> Result<Vec<u32>, String> {
        if self.store.is_empty() {
            return Err("no capture is loaded".into());
        }
        if self.loading() {
            return Err("wait until the capture has finished loading".into());
        }
        let mut rows = match scope {
            Scope::All => (0..self.store.len())
                .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
                .collect(),
            Scope::Displayed => {
                if self.list.filtered_upto < self.store.len() {
                    return Err("wait until the display filter has run to the end".into());
                }
                self.list.displayed.clone()
            }
            Scope::Selected => {
                let rows = self.picked_rows();
                if rows.is_empty() {
                    return Err("no message is selected".into());
                }
                rows
            }
        };
        // Ignored messages are left out of every save and export.
        let ignored = &self.list.marks.ignored;
        if !ignored.is_empty() {
            rows.retain(|i| !ignored.contains(i));
        }
        rows.sort_unstable();
        Ok(rows)
    }

    /// Start saving the frames of the messages in `scope` to `path` as `format`; progress and
    /// the outcome appear in the status bar ([`App::pump`] does the work).
    pub fn save_as(&mut self, path: &Path, format: OutFormat, scope: Scope) -> Result<(), String> {
        self.start_file_job(path, Target::Capture(format), scope)
    }

    /// Start exporting the messages in `scope` to `path` as `format` (like `nlscope read -T`).
    pub fn export(&mut self, path: &Path, format: Format, scope: Scope) -> Result<(), String> {
        self.start_file_job(path, Target::Messages(format), scope)
    }

    fn start_file_job(&mut self, path: &Path, target: Target, scope: Scope) -> Result<(), String> {
        let res = (|| {
            if self.files.job.is_some() {
                return Err("a save or export is still running".to_string());
            }
            if path.as_os_str().is_empty() {
                return Err("no file name given".to_string());
            }
            // A name without an extension gets the format's, as other tools' Save dialogs do.
            let with_ext;
            // (A directory stays as it is: writing it fails with a clear error.)
            let path = if path.extension().is_none() && !path.is_dir() {
                with_ext = path.with_extension(target.extension());
                with_ext.as_path()
            } else {
                path
            };
            let rows = self.rows_in(scope)?;
            // `read -w` would leave an empty file, which no reader opens: refuse instead.
            if rows.is_empty() && matches!(target, Target::Capture(_)) {
                return Err("no messages to save".to_string());
            }
            // Summary lines and CSV give the time as the list shows it.
            let time = match self.settings.time_format {
                super::TimeFormat::Absolute => crate::export::TimeStyle::Absolute,
                super::TimeFormat::Relative => crate::export::TimeStyle::Relative,
                super::TimeFormat::Delta => crate::export::TimeStyle::Delta,
            };
            let job = FileJob::start(&self.store, rows, target, path, self.waker.clone())?
                .with_time(time);
            Ok(match target {
                Target::Capture(OutFormat::PcapNg) => {
                    job.with_marks(self.list.marks.frame_comments(&self.store))
                }
                _ => job,
            })
        })();
        match res {
            Ok(job) => {
                self.files.job = Some(job);
                self.files.outcome = None;
                self.files.saving_all =
                    matches!(target, Target::Capture(_)) && matches!(scope, Scope::All);
                Ok(())
            }
            Err(e) => {
                self.files.outcome = Some(Err(e.clone()));
                Err(e)
            }
        }
    }

    /// Stop the running save or export; its partial file is removed, an existing file kept.
    pub fn cancel_file_job(&mut self) {
        if self.files.job.take().is_some() {
            self.files.outcome = Some(Err("save/export cancelled".into()));
        }
    }

    /// Whether a save or export is running.
    pub fn file_job_running(&self) -> bool {
        self.files.job.is_some()
    }

    /// Advance the running job for about `budget`; true when it wants another frame now.
    pub(super) fn pump_files(&mut self, budget: Duration) -> bool {
        let Some(job) = self.files.job.as_mut() else {
            return false;
        };
        match job.step(&self.store, budget) {
            JobStatus::Running => true,
            JobStatus::Writing => false,
            JobStatus::Done(r) => {
                if self.timing.is_some() {
                    eprintln!("{}", job.timing_line());
                }
                self.files.job = None;
                // A capture file of every message: nothing live is unsaved any more.
                if r.is_ok() && std::mem::take(&mut self.files.saving_all) {
                    self.live_unsaved = false;
                }
                self.files.outcome = Some(r);
                false
            }
        }
    }

    /// Run the job to its end (tests, small captures).
    pub fn finish_files(&mut self) {
        while self.files.job.is_some() {
            if !self.pump_files(Duration::from_secs(1)) {
                thread::sleep(Duration::from_millis(1));
            }
        }
    }

    /// Open the Save As (`save`) or Export dialog.
    pub fn open_file_dialog(&mut self, save: bool) {
        let target = if save {
            Target::Capture(OutFormat::PcapNg)
        } else {
            Target::Messages(Format::Json)
        };
        let path = self.file.as_ref().map_or_else(String::new, |f| {
            let stem = f.file_stem().map_or_else(
                || "capture".to_string(),
                |s| s.to_string_lossy().into_owned(),
            );
            let name = if save {
                format!("{stem}-saved.{}", target.extension())
            } else {
                format!("{stem}.{}", target.extension())
            };
            f.with_file_name(name).display().to_string()
        });
        let scope = if self.filter.applied.is_some() {
            Scope::Displayed
        } else {
            Scope::All
        };
        self.files.dialog = Some(FileDialog {
            target,
            scope,
            path,
            error: None,
            no_chooser: false,
        });
    }

    /// Messages in each scope for the dialog: all, displayed, selected (`None`: no such
    /// scope).
    pub(super) fn scope_counts(&self) -> [Option<usize>; 3] {
        [
            Some(self.store.len() - self.list.marks.ignored.len().min(self.store.len())),
            Some(self.list.displayed.len()),
            Some(self.picked_rows().len()).filter(|&n| n > 0 && !self.store.is_empty()),
        ]
    }

    /// Whether the capture is loading or the filter has not run to the end.
    pub(super) fn filtering_or_loading(&self) -> bool {
        self.loading() || self.list.filtered_upto < self.store.len()
    }

    /// Start the job the dialog asked for: the dialog closes, or shows why it did not start.
    pub fn start_from_dialog(&mut self, path: &Path, target: Target, scope: Scope) {
        match self.start_file_job(path, target, scope) {
            Ok(()) => self.files.dialog = None,
            Err(e) => {
                if let Some(d) = self.files.dialog.as_mut() {
                    d.error = Some(e);
                }
            }
        }
    }
}

impl Files {
    /// Draw the Save As / Export dialog, if open. `counts` are the messages of each scope
    /// (all, displayed, selected; `None`: no such scope); `busy` while loading or filtering.
    /// Save or Export reports [`Action::StartFileJob`]; the dialog stays open until it starts.
    pub(super) fn window(
        &mut self,
        ui: &mut Ui,
        counts: [Option<usize>; 3],
        busy: bool,
        actions: &mut Vec<Action>,
    ) {
        let Some(mut d) = self.dialog.take() else {
            return;
        };
        let save = d.is_save();
        let mut open = true;
        let mut go = false;
        let mut cancel = false;
        let mut enter = false;
        let [all, displayed, selected] = counts;
        let counts = [
            (Scope::All, "All", all),
            (Scope::Displayed, "Displayed", displayed),
            (Scope::Selected, "Selected", selected),
        ];
        egui::Window::new(if save { "Save As" } else { "Export messages" })
            .collapsible(false)
            .anchor(egui::Align2::CENTER_TOP, [0.0, 100.0])
            .open(&mut open)
            .show(ui.ctx(), |ui| {
                ui.label(if save {
                    "Save the frames of these messages as a capture file:"
                } else {
                    "Export these messages, decoded as nlscope read -T prints them:"
                });
                ui.horizontal(|ui| {
                    for (scope, name, n) in counts {
                        let text = match n {
                            Some(n) => format!("{name} ({n})"),
                            None => format!("{name} (none)"),
                        };
                        let r = ui.add_enabled(
                            n.is_some_and(|n| n > 0),
                            egui::RadioButton::new(d.scope == scope, text),
                        );
                        if r.clicked() {
                            d.scope = scope;
                        }
                    }
                });
                ui.separator();
                ui.label("Format:");
                let targets: &[Target] = if save {
                    &Target::CAPTURES
                } else {
                    &Target::MESSAGES
                };
                ui.horizontal_wrapped(|ui| {
                    for &t in targets {
                        if ui.radio(d.target == t, t.label()).clicked() {
                            d.set_target(t);
                        }
                    }
                });
                ui.separator();
                ui.horizontal(|ui| {
                    let l = ui.label("Path:");
                    let r = ui
                        .add(
                            TextEdit::singleline(&mut d.path)
                                .desired_width(380.0)
                                .hint_text("/path/to/file"),
                        )
                        .labelled_by(l.id);
                    enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                    if ui.button("Browse...").clicked() {
                        browse(&mut d);
                    }
                });
                if d.no_chooser {
                    ui.weak("No file chooser is available here: type the path.");
                }
                if busy {
                    ui.weak("Wait until the capture has loaded and the filter has run.");
                }
                if let Some(e) = &d.error {
                    ui.colored_label(Color32::from_rgb(0xe0, 0x40, 0x40), e);
                }
                ui.horizontal(|ui| {
                    let label = if save { "Save" } else { "Export" };
                    let ready = !busy && self.job.is_none();
                    go = ui.add_enabled(ready, egui::Button::new(label)).clicked()
                        || (ready && enter);
                    cancel = ui.button("Cancel").clicked();
                });
            });
        if go {
            actions.push(Action::StartFileJob {
                path: PathBuf::from(d.path.trim()),
                target: d.target,
                scope: d.scope,
            });
        }
        if open && !cancel {
            self.dialog = Some(d);
        }
    }

    /// The status bar's part: progress of the running job, or how the last one ended.
    pub(super) fn status(&self, ui: &mut Ui, actions: &mut Vec<Action>) {
        if let Some(job) = &self.job {
            let (done, all) = job.progress();
            let verb = match job.target {
                Target::Capture(_) => "Saving",
                Target::Messages(_) => "Exporting",
            };
            ui.separator();
            ui.add(
                egui::ProgressBar::new(if all == 0 {
                    1.0
                } else {
                    done as f32 / all as f32
                })
                .desired_width(180.0)
                .text(format!("{verb} {done} / {all}")),
            );
            if ui.small_button("Cancel").clicked() {
                actions.push(Action::CancelFileJob);
            }
        } else if let Some(o) = &self.outcome {
            ui.separator();
            match o {
                Ok(m) => ui.label(m),
                Err(e) => ui.colored_label(Color32::from_rgb(0xe0, 0x40, 0x40), e),
            };
        }
    }
}

/// Ask the native file chooser for the destination.
fn browse(d: &mut FileDialog) {
    let asked = Instant::now();
    let current = PathBuf::from(d.path.trim());
    let mut dialog = rfd::FileDialog::new()
        .set_title(if d.is_save() {
            "Save capture as"
        } else {
            "Export messages"
        })
        .add_filter(d.target.label(), &[d.target.extension()]);
    if let Some(dir) = current.parent().filter(|p| p.is_dir()) {
        dialog = dialog.set_directory(dir);
    }
    if let Some(n) = current.file_name() {
        dialog = dialog.set_file_name(n.to_string_lossy());
    }
    match dialog.save_file() {
        Some(p) => d.path = p.display().to_string(),
        // No answer within half a second: no person cancelled that, the desktop has no file
        // chooser portal (as in `open_dialog`).
        None if asked.elapsed() < Duration::from_millis(500) => d.no_chooser = true,
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissect::specs::SpecRegistry;

    fn capture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("captures")
            .join(name)
    }

    fn loaded(name: &str) -> App {
        let mut app = App::new(SpecRegistry::with_embedded());
        app.open(&capture(name));
        app.finish();
        assert!(app.error.is_none(), "{:?}", app.error);
        app
    }

    fn tmpdir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("nlscope-files-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&d).expect("mkdir");
        d
    }

    #[test]
    fn scopes_and_their_errors() {
        let empty = App::new(SpecRegistry::with_embedded());
        assert!(empty.rows_in(Scope::All).is_err());
        let mut app = loaded("route-link.pcap");
        assert_eq!(app.rows_in(Scope::All).expect("all").len(), app.store.len());
        assert!(app.rows_in(Scope::Selected).is_err());
        app.apply_filter_text("nlmsg.type == RTM_NEWLINK")
            .expect("filter");
        app.finish();
        app.sort_by(super::super::Col::Len);
        let rows = app.rows_in(Scope::Displayed).expect("displayed");
        assert_eq!(rows.len(), app.list.displayed.len());
        assert!(rows.windows(2).all(|w| w[0] < w[1]), "capture order");
        app.select_row(0);
        assert_eq!(
            app.rows_in(Scope::Selected).expect("selected"),
            vec![app.list.displayed[0]]
        );
        // Nothing displayed: an empty export is valid JSON, an empty capture file is not.
        app.apply_filter_text("nlmsg.seq == 4000000000")
            .expect("filter");
        app.finish();
        assert!(app.list.displayed.is_empty());
        let dir = tmpdir("empty");
        let e = app
            .save_as(&dir.join("x.pcapng"), OutFormat::PcapNg, Scope::Displayed)
            .expect_err("nothing to save");
        assert_eq!(e, "no messages to save");
        let p = dir.join("x.json");
        app.export(&p, Format::Json, Scope::Displayed)
            .expect("start");
        app.finish_files();
        assert_eq!(std::fs::read(&p).expect("file"), b"[]\n");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn bad_paths_fail_at_once_and_leave_nothing() {
        let mut app = loaded("route-link.pcap");
        let e = app
            .export(
                Path::new("/nonexistent/dir/x.json"),
                Format::Json,
                Scope::All,
            )
            .expect_err("missing directory");
        assert!(e.contains("cannot create /nonexistent/dir/x.json"), "{e}");
        assert!(matches!(&app.files.outcome, Some(Err(m)) if *m == e));
        let dir = tmpdir("bad");
        let e = app
            .save_as(&dir, OutFormat::PcapNg, Scope::All)
            .expect_err("a directory");
        assert!(e.contains("is a directory"), "{e}");
        assert!(app.files.job.is_none());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_dropped_job_removes_its_partial_file_and_keeps_the_old_one() {
        let mut app = loaded("route-link.pcap");
        let dir = tmpdir("cancel");
        let p = dir.join("keep.json");
        std::fs::write(&p, b"old").expect("write");
        app.export(&p, Format::Json, Scope::All).expect("start");
        app.pump_files(Duration::ZERO);
        // Opening another capture cancels the job.
        app.open(&capture("ethtool.pcap"));
        assert!(app.files.job.is_none());
        assert_eq!(
            app.files.outcome,
            Some(Err("save/export cancelled".to_string()))
        );
        crate::export::job::assert_only_old_file(&dir, &p);
    }

    #[test]
    fn changing_the_format_changes_a_matching_extension() {
        let mut d = FileDialog {
            target: Target::Messages(Format::Json),
            scope: Scope::All,
            path: "/tmp/a.json".into(),
            error: None,
            no_chooser: false,
        };
        d.set_target(Target::Messages(Format::Csv));
        assert_eq!(d.path, "/tmp/a.csv");
        d.path = "/tmp/mine.out".into();
        d.set_target(Target::Messages(Format::Json));
        assert_eq!(d.path, "/tmp/mine.out");
        assert_eq!(d.target, Target::Messages(Format::Json));
    }
}
