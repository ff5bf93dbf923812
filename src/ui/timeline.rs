//! The timeline strip above the packet list: messages per time bucket, stacked by netlink
//! family, with error acks and frame problems marked. A click jumps to the first displayed
//! message of the clicked interval; a drag applies the time range as a display filter.
//!
//! Like Wireshark's I/O graph, the bars count the **displayed** messages (what the list shows),
//! and while a filter is applied a grey outline keeps the count of all messages for context.
//! Counts are kept in two [`Histogram`]s (`histogram.rs`) fed as messages arrive and as the
//! filter passes them (O(1) per message); drawing regroups the buckets in view (at most
//! [`MAX_BUCKETS`]) per frame, never touching the messages. Zooming in shows finer bars down to
//! the histogram's bucket width (a [`MAX_BUCKETS`]th of the capture's span, 1 µs at the
//! finest).

use egui::{Color32, RichText, Stroke, Ui, WidgetInfo};
use egui_plot::{Bar, BarChart, Line, MarkerShape, Plot, PlotBounds, PlotPoints, Points, Span};

use super::App;
pub use super::histogram::{
    Bucket, CLASS_NAMES, CLASSES, Histogram, MAX_BUCKETS, class_color, display_width, family_class,
    width_over,
};
use super::view::Action;
use crate::filter::FilterError;
use crate::store::{Mark, Store};

/// The fewest histogram buckets a zoomed view spans (bars are never finer than the histogram).
const MIN_VIEW_BUCKETS: f64 = 8.0;

/// Timeline state kept in [`App`].
#[derive(Debug, Default)]
pub struct Timeline {
    /// All messages of the store.
    pub all: Histogram,
    /// The displayed messages.
    pub shown: Histogram,
    /// Messages of the store counted in `all`.
    all_upto: usize,
    /// Where a drag started, seconds since the first frame.
    drag_from: Option<f64>,
    /// Where the pointer is during a drag.
    drag_to: Option<f64>,
    /// The zoomed view, seconds since the first frame (`None`: the whole capture).
    pub view: Option<(f64, f64)>,
    /// Geometry of the last drawn strip.
    pub drawn: Option<Drawn>,
}

/// What the last frame drew: the plot area on screen and the time it spans.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Drawn {
    /// Plot area (screen points).
    pub rect: egui::Rect,
    /// Seconds since the first frame at the left and right edges.
    pub x_range: (f64, f64),
    /// Bucket width of the bars, ns.
    pub width_ns: i128,
    /// Top of the tallest displayed bar in view (the y axis fits it).
    pub y_max: f64,
}

impl Drawn {
    /// Screen x of `secs` since the first frame.
    pub fn x_of(&self, secs: f64) -> f32 {
        let (a, b) = self.x_range;
        let t = if b > a { (secs - a) / (b - a) } else { 0.0 };
        self.rect.left() + (t as f32) * self.rect.width()
    }
}

/// Time (ns since `origin`), family class and error mark of store row `i`.
fn point(store: &Store, origin: i128, i: usize) -> Option<(i128, usize, bool)> {
    let e = store.msg(i)?;
    let ts = store.frame(e.frame as usize)?.ts_ns;
    Some((
        ts.saturating_sub(origin),
        family_class(e.idx.protocol),
        store.mark(i) == Mark::Error,
    ))
}

/// `ns` as decimal seconds, exact, without trailing zeros (`1.5`, `-0.000001`).
pub fn secs_text(ns: i128) -> String {
    let sign = if ns < 0 { "-" } else { "" };
    let a = ns.unsigned_abs();
    let frac = format!("{:09}", a % 1_000_000_000);
    let frac = frac.trim_end_matches('0');
    format!(
        "{sign}{}.{}",
        a / 1_000_000_000,
        if frac.is_empty() { "0" } else { frac }
    )
}

impl Timeline {
    /// The whole capture's time span, seconds since the first frame.
    pub fn full_range(&self) -> Option<(f64, f64)> {
        let (a, b) = self.all.range()?;
        Some((a as f64 / 1e9, b as f64 / 1e9))
    }

    /// The span shown: the zoomed view within the capture, or the whole capture.
    pub fn visible_range(&self) -> Option<(f64, f64)> {
        let full = self.full_range()?;
        Some(self.view.map_or(full, |v| self.clamp_view(full, v)))
    }

    /// `v` kept inside `full` and no narrower than [`MIN_VIEW_BUCKETS`] histogram buckets.
    fn clamp_view(&self, full: (f64, f64), (a, b): (f64, f64)) -> (f64, f64) {
        let min = (self.all.width() as f64 / 1e9 * MIN_VIEW_BUCKETS).min(full.1 - full.0);
        let span = (b - a).max(min).min(full.1 - full.0);
        let a = a.max(full.0).min(full.1 - span);
        (a, a + span)
    }

    /// Zoom by `factor` (< 1 zooms in) keeping `center` (seconds) where it is on screen.
    pub fn zoom_at(&mut self, center: f64, factor: f64) {
        let (Some(full), Some((a, b))) = (self.full_range(), self.visible_range()) else {
            return;
        };
        let f = factor.clamp(0.05, 20.0);
        let c = center.clamp(a, b);
        let v = self.clamp_view(full, (c - (c - a) * f, c + (b - c) * f));
        self.view = (v.1 - v.0 < (full.1 - full.0) * 0.999_999).then_some(v);
    }

    /// Move the view by `dx` seconds (positive: later).
    pub fn pan_by(&mut self, dx: f64) {
        let (Some(full), Some((a, b))) = (self.full_range(), self.visible_range()) else {
            return;
        };
        if self.view.is_some() {
            self.view = Some(self.clamp_view(full, (a + dx, b + dx)));
        }
    }

    /// Count the store's new messages (cheap when nothing is new).
    pub(super) fn catch_up(&mut self, store: &Store) {
        let Some(origin) = store.first_ts() else {
            return;
        };
        let end = store.len();
        if self.all_upto >= end {
            return;
        }
        let all = &mut self.all;
        store.scan_rows(self.all_upto..end, |_, ts, protocol, err| {
            all.add(ts.saturating_sub(origin), family_class(protocol), err);
        });
        self.all_upto = end;
    }

    /// Count `rows` (store indices just let through by the filter) as shown.
    pub(super) fn count_shown(&mut self, store: &Store, rows: &[u32]) {
        let Some(origin) = store.first_ts() else {
            return;
        };
        for &i in rows {
            if let Some((t, c, err)) = point(store, origin, i as usize) {
                self.shown.add(t, c, err);
            }
        }
    }
}

impl App {
    /// Select (and scroll to) the first displayed message at or after `rel_ns` since the
    /// first frame, or the last one when none is that late. Returns the store index.
    pub fn select_at_time(&mut self, rel_ns: i128) -> Option<usize> {
        let origin = self.store.first_ts()?;
        let mut best: Option<(i128, u32)> = None;
        let mut latest: Option<(i128, u32)> = None;
        for &i in &self.list.displayed {
            let Some((t, _, _)) = point(&self.store, origin, i as usize) else {
                continue;
            };
            if t >= rel_ns && best.is_none_or(|b| (t, i) < b) {
                best = Some((t, i));
            }
            if latest.is_none_or(|l| (t, i) > l) {
                latest = Some((t, i));
            }
        }
        let (_, i) = best.or(latest)?;
        self.select_message(i as usize);
        self.list.scroll_to_selected = true;
        Some(i as usize)
    }

    /// The display filter for `[from_s, to_s]` seconds since the first frame, combined with
    /// the applied filter. The bounds are widened to whole nanoseconds.
    pub fn time_range_filter(&self, from_s: f64, to_s: f64) -> String {
        let (a, b) = if from_s <= to_s {
            (from_s, to_s)
        } else {
            (to_s, from_s)
        };
        // Casts saturate; the bounds come from the screen, not from the capture.
        let a = (a * 1e9).floor() as i128;
        let b = (b * 1e9).ceil() as i128;
        let range = format!(
            "frame.time_relative >= {} && frame.time_relative <= {}",
            secs_text(a),
            secs_text(b)
        );
        match &self.filter.applied {
            Some((t, _)) => format!("({t}) && {range}"),
            None => range,
        }
    }

    /// Apply [`App::time_range_filter`] (a drag on the timeline).
    pub fn apply_time_range(&mut self, from_s: f64, to_s: f64) -> Result<(), FilterError> {
        let f = self.time_range_filter(from_s, to_s);
        self.apply_filter_text(&f)
    }
}

impl Timeline {
    /// Draw the strip; `selected` is the selected message (a vertical line), `filtered` whether
    /// a filter is applied (the outline of all messages). A click reports
    /// [`Action::SelectAtTime`], a drag [`Action::TimeRange`].
    pub(super) fn ui(
        &mut self,
        ui: &mut Ui,
        store: &Store,
        selected: Option<usize>,
        filtered: bool,
        actions: &mut Vec<Action>,
    ) {
        let tl = &*self;
        if tl.all.range().is_none() {
            ui.weak("Timeline: no messages yet");
            return;
        }
        let max_bars = ((ui.available_width() / 5.0) as usize).clamp(8, 512);
        let (x_lo, x_hi) = tl.visible_range().unwrap_or((0.0, 1.0));
        let ns = |s: f64| (s * 1e9) as i128;
        let width = width_over(&tl.all, &tl.shown, (ns(x_lo), ns(x_hi)), max_bars);
        let view = (ns(x_lo), ns(x_hi));
        let (g0, all_b) = tl.all.rebinned_in(width, view);
        let (s0, shown_b) = tl.shown.rebinned_in(width, view);
        let secs = |ns: i128| ns as f64 / 1e9;
        // Buckets (global index) at least partly inside the view.
        let (v0, v1) = (ns(x_lo).div_euclid(width), ns(x_hi).div_euclid(width));
        let in_view = |g: i128| g >= v0 && g <= v1;

        // Legend: the classes present, then errors.
        let mut present = [false; CLASSES];
        let mut errors = 0u64;
        for b in &all_b {
            for (p, &c) in present.iter_mut().zip(&b.by_class) {
                *p |= c > 0;
            }
        }
        for (j, b) in shown_b.iter().enumerate() {
            if in_view(s0 + j as i128) {
                errors += u64::from(b.errors);
            }
        }
        ui.horizontal(|ui| {
            ui.label(RichText::new("Timeline").strong());
            for (k, name) in CLASS_NAMES.iter().enumerate() {
                if present.get(k).copied().unwrap_or(false) {
                    swatch(ui, class_color(k, 255), false);
                    ui.label(RichText::new(*name).small());
                }
            }
            swatch(ui, ERROR_COLOR, true);
            ui.label(RichText::new(format!("errors ({errors})")).small());
            ui.weak(
                RichText::new(
                    "  click: go to · drag: filter time range · wheel: zoom · \
                     shift+drag: pan · double-click: whole capture",
                )
                .small(),
            );
            if self.view.is_some() {
                ui.label(
                    RichText::new(format!(
                        "zoomed: {} – {} s",
                        egui_plot::format_number(x_lo, 6),
                        egui_plot::format_number(x_hi, 6)
                    ))
                    .small(),
                );
            }
        });

        let mut charts: Vec<Vec<Bar>> = vec![Vec::new(); CLASSES];
        let mut marks = Vec::new();
        let mut y_max = 1.0f64;
        // The y axis fits the displayed bars in view; the outline of all messages (under a
        // filter) may run off the top.
        for (j, b) in shown_b.iter().enumerate() {
            let g = s0 + j as i128;
            if !in_view(g) {
                continue;
            }
            let x = secs(g * width) + secs(width) / 2.0;
            let mut base = 0.0;
            for (k, &c) in b.by_class.iter().enumerate() {
                if c == 0 {
                    continue;
                }
                if let Some(v) = charts.get_mut(k) {
                    v.push(
                        Bar::new(x, f64::from(c))
                            .base_offset(base)
                            .width(secs(width))
                            .fill(class_color(k, 230))
                            .stroke(Stroke::NONE),
                    );
                }
                base += f64::from(c);
            }
            y_max = y_max.max(base);
            if b.errors > 0 {
                marks.push([x, base]);
            }
        }
        let outline: Vec<[f64; 2]> = if filtered {
            let mut v = Vec::with_capacity(all_b.len() * 2);
            for (j, b) in all_b.iter().enumerate() {
                let g = g0 + j as i128;
                if !in_view(g) {
                    continue;
                }
                let h = b.total() as f64;
                v.push([secs(g * width), h]);
                v.push([secs((g + 1) * width), h]);
            }
            v
        } else {
            Vec::new()
        };
        let selected = selected
            .zip(store.first_ts())
            .and_then(|(i, o)| point(store, o, i))
            .map(|(t, _, _)| secs(t));
        let drag = self.drag_from.zip(self.drag_to);
        let weak = ui.visuals().weak_text_color();
        let sel_color = ui.visuals().selection.stroke.color;
        let grid_color = ui.visuals().widgets.noninteractive.bg_stroke.color;

        let plot = Plot::new("timeline-plot")
            .height(ui.available_height().max(40.0))
            .allow_drag(false)
            .allow_zoom(false)
            .allow_scroll(false)
            .allow_boxed_zoom(false)
            .allow_double_click_reset(false)
            .allow_axis_zoom_drag(false)
            .show_x(false)
            .show_y(false)
            .show_grid([false, true])
            .grid_color(grid_color)
            .y_axis_min_width(44.0)
            .x_axis_formatter(|m, _| format!("{} s", egui_plot::format_number(m.value, 3)))
            .y_axis_formatter(|m, _| {
                if m.value.fract() == 0.0 {
                    format!("{}", m.value)
                } else {
                    String::new()
                }
            });
        let resp = plot.show(ui, move |p| {
            p.set_plot_bounds(PlotBounds::from_min_max(
                [x_lo, 0.0],
                [x_hi.max(x_lo + 1e-9), y_max * 1.15],
            ));
            if !outline.is_empty() {
                p.line(
                    Line::new("all messages", PlotPoints::new(outline))
                        .color(weak)
                        .width(1.0)
                        .allow_hover(false),
                );
            }
            for (k, bars) in charts.into_iter().enumerate() {
                if bars.is_empty() {
                    continue;
                }
                let name = CLASS_NAMES.get(k).copied().unwrap_or("other");
                p.add(
                    BarChart::new(name, bars)
                        .color(class_color(k, 255))
                        .allow_hover(false),
                );
            }
            if !marks.is_empty() {
                p.add(
                    Points::new("errors", PlotPoints::new(marks))
                        .shape(MarkerShape::Down)
                        .filled(true)
                        .radius(3.5)
                        .color(ERROR_COLOR)
                        .allow_hover(false),
                );
            }
            if let Some(x) = selected {
                p.add(
                    egui_plot::VLine::new("selected", x)
                        .color(sel_color)
                        .width(1.5),
                );
            }
            if let Some((a, b)) = drag {
                p.add(
                    Span::new("range", a.min(b)..=a.max(b))
                        .fill(sel_color.gamma_multiply(0.25))
                        .border_color(sel_color),
                );
            }
        });
        let r = resp.response;
        let t = resp.transform;
        let shown_total = self.shown.total();
        let label = format!(
            "Timeline: {shown_total} messages in bars of {} s",
            secs_text(width)
        );
        r.widget_info(|| WidgetInfo::labeled(egui::Role::Figure, true, label.clone()));
        self.drawn = Some(Drawn {
            rect: *t.frame(),
            x_range: (x_lo, x_hi),
            width_ns: width,
            y_max,
        });
        let x_at = |p: egui::Pos2| t.value_from_position(p).x;
        // Wheel (or pinch / ctrl+wheel) over the strip zooms around the pointer.
        if let Some(p) = r.hover_pos() {
            let (wheel, pinch) = ui.input(|i| {
                let wheel: f32 = i
                    .events
                    .iter()
                    .filter_map(|e| match e {
                        egui::Event::MouseWheel { unit, delta, .. } => Some(match unit {
                            egui::MouseWheelUnit::Point => delta.y,
                            egui::MouseWheelUnit::Line => delta.y * 40.0,
                            egui::MouseWheelUnit::Page => delta.y * 400.0,
                        }),
                        _ => None,
                    })
                    .sum();
                (wheel, i.zoom_delta())
            });
            // Ctrl+wheel arrives as a zoom factor, not as a scroll.
            let factor = if pinch != 1.0 {
                1.0 / f64::from(pinch)
            } else {
                (-f64::from(wheel) / 200.0).exp()
            };
            if factor != 1.0 {
                self.zoom_at(x_at(p), factor);
                ui.ctx().request_repaint();
            }
        }
        let pan = ui.input(|i| i.modifiers.shift) || r.dragged_by(egui::PointerButton::Middle);
        if r.double_clicked() {
            self.view = None;
            self.drag_from = None;
            self.drag_to = None;
            return;
        }
        if pan && r.dragged() {
            let dx = f64::from(r.drag_delta().x);
            let w = f64::from(t.frame().width().max(1.0));
            self.pan_by(-dx * (x_hi - x_lo) / w);
            self.drag_from = None;
            self.drag_to = None;
            return;
        }
        if r.drag_started()
            && let Some(p) = ui
                .input(|i| i.pointer.press_origin())
                .or(r.interact_pointer_pos())
        {
            // Where the button went down: a drag is only recognised some pixels later.
            self.drag_from = Some(x_at(p));
        }
        if r.dragged()
            && let Some(p) = r.interact_pointer_pos()
        {
            self.drag_to = Some(x_at(p));
        }
        if r.drag_stopped() {
            let range = self.drag_from.zip(self.drag_to);
            self.drag_from = None;
            self.drag_to = None;
            if let Some((a, b)) = range {
                // A filter built from two numbers always compiles; an error would leave the
                // list as it was.
                actions.push(Action::TimeRange(a, b));
            }
        } else if r.clicked()
            && let Some(p) = r.interact_pointer_pos()
        {
            // The interval under the pointer, as Wireshark's I/O graph jumps to it.
            let g = ((x_at(p) * 1e9) as i128).div_euclid(width);
            actions.push(Action::SelectAtTime(g * width));
        } else if let Some(p) = r.hover_pos() {
            let g = ((x_at(p) * 1e9) as i128).div_euclid(width);
            let pick = |first: i128, v: &[Bucket]| {
                usize::try_from(g - first)
                    .ok()
                    .and_then(|j| v.get(j).copied())
                    .unwrap_or_default()
            };
            let s = pick(s0, &shown_b);
            let mut text = format!(
                "{} – {} s: {} message{}",
                secs_text(g * width),
                secs_text((g + 1) * width),
                s.total(),
                if s.total() == 1 { "" } else { "s" }
            );
            for (k, &c) in s.by_class.iter().enumerate() {
                if c > 0 {
                    let name = CLASS_NAMES.get(k).copied().unwrap_or("other");
                    text.push_str(&format!("\n  {name}: {c}"));
                }
            }
            if s.errors > 0 {
                text.push_str(&format!("\n  errors: {}", s.errors));
            }
            if filtered {
                text.push_str(&format!("\n({} in all)", pick(g0, &all_b).total()));
            }
            r.on_hover_text_at_pointer(text);
        }
    }
}

/// A legend mark: a square, or the error marker's down-pointing triangle.
fn swatch(ui: &mut Ui, color: Color32, triangle: bool) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
    if triangle {
        let pts = vec![
            rect.left_top(),
            rect.right_top(),
            egui::pos2(rect.center().x, rect.bottom()),
        ];
        ui.painter()
            .add(egui::Shape::convex_polygon(pts, color, Stroke::NONE));
    } else {
        ui.painter().rect_filled(rect, 1.0, color);
    }
}

/// The colour of error marks (as the list's error rows).
pub const ERROR_COLOR: Color32 = Color32::from_rgb(0xff, 0x55, 0x55);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_are_exact() {
        assert_eq!(secs_text(1_500_000_000), "1.5");
        assert_eq!(secs_text(0), "0.0");
        assert_eq!(secs_text(-1_000), "-0.000001");
        assert_eq!(secs_text(123_456_789), "0.123456789");
    }
}
