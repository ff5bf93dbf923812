//! The Statistics window: the tables of `nlscope stats` (requests per family and command and
//! per socket, errors by errno) over all or the displayed messages, and latency over time.
//! Clicking a point of the plot selects its request.
//!
//! Counting runs in time-budgeted slices over frames; while it runs (and while a live capture
//! grows) the last complete tables stay shown.

use std::time::{Duration, Instant};

use egui::Ui;
use egui_plot::{Legend, Plot, PlotPoints, Points};

use super::view::Action;
use crate::conv::stats::{Stats, errno_text, request_cells};
use crate::store::Store;

/// The Statistics window's state.
#[derive(Debug, Default)]
pub struct StatsWindow {
    /// Whether the window is shown.
    pub open: bool,
    /// Count only the displayed messages (the applied filter's).
    pub displayed_only: bool,
    /// The tables, once computed, with what they were computed over.
    pub stats: Option<Computed>,
    /// Counting in progress.
    counting: Option<Counting>,
}

/// Time a frame gives to counting.
const BUDGET: Duration = Duration::from_millis(6);

/// What a count is over: the store's length, and for the displayed messages only, a key of
/// the displayed list (its filter and length).
type Over = (usize, Option<u64>);

/// A count in progress: `rows` (store indices; `None`: all of the store's first `over.0`)
/// counted up to `next`.
#[derive(Debug)]
struct Counting {
    stats: Stats,
    points_at: Vec<usize>,
    rows: Option<Vec<u32>>,
    next: usize,
    over: Over,
    took: Duration,
}

impl Counting {
    fn new(over: Over, rows: Option<Vec<u32>>) -> Self {
        Counting {
            stats: Stats::default(),
            points_at: Vec::new(),
            rows,
            next: 0,
            over,
            took: Duration::ZERO,
        }
    }

    fn len(&self) -> usize {
        self.rows.as_ref().map_or(self.over.0, Vec::len)
    }

    /// Count for about `budget`: the tables when all is counted.
    fn step(&mut self, store: &Store, budget: Duration) -> Option<Computed> {
        let t = Instant::now();
        let t0 = store.first_ts().unwrap_or(0);
        while self.next < self.len() {
            let i = match &self.rows {
                Some(r) => r.get(self.next).map_or(usize::MAX, |&i| i as usize),
                None => self.next,
            };
            self.next += 1;
            count(store, i, t0, &mut self.stats, &mut self.points_at);
            if self.next.is_multiple_of(256) && t.elapsed() >= budget {
                self.took += t.elapsed();
                return None;
            }
        }
        self.took += t.elapsed();
        let mut stats = std::mem::take(&mut self.stats);
        stats.finish();
        Some(Computed {
            stats,
            over: self.over,
            took: self.took,
            points_at: std::mem::take(&mut self.points_at),
        })
    }

    /// (counted, to count).
    fn progress(&self) -> (usize, usize) {
        (self.next, self.len())
    }
}

/// Count message `i` of `store` (`t0`: the capture's first time).
fn count(store: &Store, i: usize, t0: i128, stats: &mut Stats, points_at: &mut Vec<usize>) {
    let (Some(view), Some(fm)) = (
        store.view(i),
        store.msg(i).and_then(|e| store.frame(e.frame as usize)),
    ) else {
        return;
    };
    let linked = store.linked(i);
    let before = stats.latency_points.len();
    let m = view.index();
    stats.add(
        view.family_str(),
        view.type_str(),
        m.direction,
        (fm.ts_ns - t0) as f64 / 1e9,
        linked.as_ref(),
        m.error,
    );
    if stats.latency_points.len() > before {
        points_at.push(i);
    }
}

/// Statistics computed over some rows.
#[derive(Debug)]
pub struct Computed {
    /// The tables.
    pub stats: Stats,
    /// Rows the store had, and whether only displayed ones counted.
    pub over: Over,
    /// How long counting took.
    pub took: Duration,
    /// The store index of each latency point's request (same order as the plot points).
    pub points_at: Vec<usize>,
}

impl StatsWindow {
    /// Whether a count is running.
    pub fn counting(&self) -> bool {
        self.counting.is_some()
    }

    /// Forget the tables and any count (another capture).
    pub fn reset(&mut self) {
        self.stats = None;
        self.counting = None;
    }

    /// Count `rows` of `store` (store indices, in capture order); `displayed`: the key of the
    /// displayed list they are, if they are.
    pub fn compute(
        store: &Store,
        rows: impl Iterator<Item = usize>,
        displayed: Option<u64>,
    ) -> Computed {
        let t = Instant::now();
        let mut stats = Stats::default();
        let mut points_at = Vec::new();
        let t0 = store.first_ts().unwrap_or(0);
        for i in rows {
            count(store, i, t0, &mut stats, &mut points_at);
        }
        stats.finish();
        Computed {
            stats,
            over: (store.len(), displayed),
            took: t.elapsed(),
            points_at,
        }
    }

    /// Draw the window (when open). `displayed` lists the displayed rows when a filter is on,
    /// with a key that changes with them (another filter, more rows).
    pub(super) fn window(
        &mut self,
        ui: &mut Ui,
        store: &Store,
        displayed: Option<(&[u32], u64)>,
        actions: &mut Vec<Action>,
    ) {
        if !self.open {
            return;
        }
        let shown = displayed.filter(|_| self.displayed_only);
        let want = (store.len(), shown.map(|d| d.1));
        if self.stats.as_ref().is_none_or(|c| c.over != want)
            && self.counting.as_ref().is_none_or(|c| c.over != want)
        {
            // In capture order (a sorted list is not), as counting expects.
            let rows = shown.map(|d| {
                let mut v = d.0.to_vec();
                v.sort_unstable();
                v
            });
            self.counting = Some(Counting::new(want, rows));
        }
        if let Some(c) = self.counting.as_mut() {
            match c.step(store, BUDGET) {
                Some(done) => {
                    self.stats = Some(done);
                    self.counting = None;
                }
                None => ui.ctx().request_repaint(),
            }
        }
        let counting = self.counting.as_ref().map(Counting::progress);
        let mut open = self.open;
        egui::Window::new("Statistics")
            .open(&mut open)
            .default_size([900.0, 600.0])
            .vscroll(true)
            .show(ui.ctx(), |ui| {
                ui.horizontal(|ui| {
                    ui.add_enabled(
                        displayed.is_some(),
                        egui::Checkbox::new(&mut self.displayed_only, "Displayed messages only"),
                    );
                    if let Some((done, all)) = counting {
                        ui.add(
                            egui::ProgressBar::new(done as f32 / all.max(1) as f32)
                                .desired_width(200.0)
                                .text(format!("Counting {done} of {all}")),
                        );
                    } else if let Some(c) = &self.stats {
                        ui.weak(format!(
                            "{} messages counted in {:.0} ms",
                            c.stats
                                .types
                                .values()
                                .map(|t| t.to_kernel + t.from_kernel + t.other)
                                .sum::<u64>(),
                            c.took.as_secs_f64() * 1e3
                        ));
                    }
                });
                if let Some(c) = &self.stats {
                    contents(ui, c, actions);
                }
            });
        self.open = open;
    }
}

fn contents(ui: &mut Ui, c: &Computed, actions: &mut Vec<Action>) {
    let s = &c.stats;
    egui::CollapsingHeader::new("Requests by family and command")
        .default_open(true)
        .show(ui, |ui| {
            request_grid(
                ui,
                "cmds",
                "command",
                s.commands
                    .iter()
                    .map(|((f, c), r)| (f.clone(), c.clone(), r)),
            );
        });
    egui::CollapsingHeader::new("Latency over time")
        .default_open(true)
        .show(ui, |ui| {
            let pts: Vec<[f64; 2]> = s
                .latency_points
                .iter()
                .map(|(t, l, _)| [*t, l * 1e3])
                .collect();
            let resp = Plot::new("latency-plot")
                .height(220.0)
                .legend(Legend::default())
                .x_axis_label("seconds since the first frame")
                .y_axis_label("latency (ms)")
                .allow_scroll(false)
                .show(ui, |p| {
                    p.points(Points::new("requests", PlotPoints::new(pts.clone())).radius(2.5));
                    p.pointer_coordinate()
                });
            // A click selects the nearest request.
            if resp.response.clicked()
                && let Some(at) = resp.inner
                && let Some(k) = nearest(&pts, at.x, at.y)
                && let Some(&i) = c.points_at.get(k)
            {
                actions.push(Action::GoToMessage(i));
            }
        });
    egui::CollapsingHeader::new("Errors by errno")
        .default_open(true)
        .show(ui, |ui| {
            egui::Grid::new("errnos").striped(true).show(ui, |ui| {
                for h in ["family", "command", "errno", "count"] {
                    ui.strong(h);
                }
                ui.end_row();
                for ((f, cmd, e), n) in &s.errors {
                    ui.label(f);
                    ui.label(cmd);
                    ui.label(errno_text(*e));
                    ui.label(n.to_string());
                    ui.end_row();
                }
            });
        });
    egui::CollapsingHeader::new("Requests by socket (port id)")
        .default_open(false)
        .show(ui, |ui| {
            request_grid(
                ui,
                "ports",
                "port",
                s.ports.iter().map(|((f, p), r)| {
                    let port = if *p == 0 { "?".into() } else { p.to_string() };
                    (f.clone(), port, r)
                }),
            );
        });
    egui::CollapsingHeader::new("Messages by family and type")
        .default_open(false)
        .show(ui, |ui| {
            egui::Grid::new("types").striped(true).show(ui, |ui| {
                for h in ["family", "type", "to kernel", "from kernel", "other"] {
                    ui.strong(h);
                }
                ui.end_row();
                for ((f, t), n) in &s.types {
                    ui.label(f);
                    ui.label(t);
                    for v in [n.to_kernel, n.from_kernel, n.other] {
                        ui.label(v.to_string());
                    }
                    ui.end_row();
                }
            });
        });
}

fn request_grid<'a>(
    ui: &mut Ui,
    id: &str,
    second: &str,
    rows: impl Iterator<Item = (String, String, &'a crate::conv::stats::Requests)>,
) {
    egui::Grid::new(id).striped(true).show(ui, |ui| {
        for h in [
            "family",
            second,
            "requests",
            "answers",
            "errors",
            "unanswered",
            "dump-intr",
            "p50 ms",
            "p90 ms",
            "p99 ms",
            "max ms",
        ] {
            ui.strong(h);
        }
        ui.end_row();
        for (a, b, r) in rows {
            ui.label(a);
            ui.label(b);
            for cell in request_cells(r) {
                ui.label(cell);
            }
            ui.end_row();
        }
    });
}

/// Index of the point of `pts` nearest to (x, y), each axis scaled by its range.
fn nearest(pts: &[[f64; 2]], x: f64, y: f64) -> Option<usize> {
    let span = |k: usize| {
        let (lo, hi) = pts.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| {
            let v = p.get(k).copied().unwrap_or(0.0);
            (lo.min(v), hi.max(v))
        });
        (hi - lo).max(1e-9)
    };
    let (sx, sy) = (span(0), span(1));
    pts.iter()
        .enumerate()
        .map(|(i, p)| {
            let dx = (p.first().copied().unwrap_or(0.0) - x) / sx;
            let dy = (p.get(1).copied().unwrap_or(0.0) - y) / sy;
            (i, dx * dx + dy * dy)
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}
