//! `NLSCOPE_TIMING=1`: load and frame timings of the app, printed to stderr (what
//! `scripts/gui-bench.sh` and `scripts/live-bench.sh` report).

use std::time::{Duration, Instant};

use super::App;

/// Measurements for `NLSCOPE_TIMING=1`: time to the first rows, to the fully indexed file,
/// and the UI's own time per frame, with the resident memory.
#[derive(Debug, Default)]
pub struct Timing {
    opened: Option<Instant>,
    rss_at_open: u64,
    filter_started: Option<Instant>,
    load_frames: u64,
    first_rows: bool,
    indexed: bool,
    frames: Vec<f64>,
    /// The UI thread's CPU time in each of `frames` (what it did, less preemption).
    cpu: Vec<f64>,
    live: Option<LiveTiming>,
    /// A sort by a field column running: when it started, and its frames' times.
    field_sort: Option<(Instant, Vec<f64>)>,
}

/// Frame times of one live capture, from its start to the stop request.
#[derive(Debug, Default)]
struct LiveTiming {
    /// Every frame's time.
    all: Vec<f64>,
    /// Times of the frames that added rows.
    grew: Vec<f64>,
    /// Times from the start of the previous frame to the start of this one (what the
    /// window's frame rate shows: drawing and painting included).
    intervals: Vec<f64>,
    /// When the previous frame started.
    last: Option<Instant>,
    /// Rows in the store after the last frame.
    rows: usize,
}

impl Timing {
    /// Timings of a file opened now.
    pub(super) fn opened_now() -> Self {
        Timing {
            opened: Some(Instant::now()),
            rss_at_open: rss_bytes(),
            ..Timing::default()
        }
    }

    /// A filter was applied now: time it, with the frames from now on.
    pub(super) fn filter_started(&mut self) {
        self.filter_started = Some(Instant::now());
        self.frames.clear();
        self.cpu.clear();
    }

    /// Record a frame that took `dt` (`cpu` of the UI thread's CPU time) and report
    /// milestones of `app`.
    pub(super) fn frame(app: &mut App, dt: Duration, cpu: Duration) {
        let busy = app.loading() || app.list.filtered_upto < app.store.len();
        let capturing = app.capturing();
        let rows = app.store.len();
        let Some(t) = app.timing.as_mut() else {
            return;
        };
        let ms = dt.as_secs_f64() * 1e3;
        match (&mut t.field_sort, &app.list.field_sort) {
            (None, Some(_)) => t.field_sort = Some((Instant::now(), vec![ms])),
            (Some((_, f)), Some(_)) => f.push(ms),
            (Some((start, f)), None) => {
                eprintln!(
                    "timing: sort by {:?}: {} rows in {:.0} ms; ui frame ms while sorting {}",
                    app.list.sort.as_ref().map(|s| &s.0),
                    app.list.displayed.len(),
                    start.elapsed().as_secs_f64() * 1e3,
                    percentiles(std::mem::take(f))
                );
                t.field_sort = None;
            }
            (None, None) => {}
        }
        if capturing {
            let l = t.live.get_or_insert_with(LiveTiming::default);
            let started = Instant::now().checked_sub(dt);
            if let (Some(a), Some(b)) = (l.last, started) {
                l.intervals
                    .push(b.saturating_duration_since(a).as_secs_f64() * 1e3);
            }
            l.last = started;
            l.all.push(ms);
            if rows > l.rows {
                l.grew.push(ms);
            }
            l.rows = rows;
        } else if let Some(l) = t.live.take() {
            let (captured, dropped) = app
                .live
                .capture
                .as_ref()
                .map_or((0, 0), |c| (c.captured, c.dropped));
            eprintln!(
                "timing: live capture: {captured} frames captured, {dropped} dropped, {rows} rows"
            );
            eprintln!("timing: ui frame ms while capturing {}", percentiles(l.all));
            eprintln!(
                "timing: ui frame ms while capturing, frames adding rows {}",
                percentiles(l.grew)
            );
            eprintln!(
                "timing: frame interval ms while capturing {}",
                percentiles(l.intervals)
            );
        }
        if let Some(f) = t.filter_started
            && !busy
        {
            t.filter_started = None;
            eprintln!(
                "timing: filter {:?}: {} of {} messages in {:.0} ms",
                app.filter.applied.as_ref().map_or("", |a| a.0.as_str()),
                app.list.displayed.len(),
                app.store.len(),
                f.elapsed().as_secs_f64() * 1e3
            );
            t.print_frames("while filtering", app.list.displayed.len());
        }
        let Some(opened) = t.opened else {
            return;
        };
        t.frames.push(dt.as_secs_f64() * 1e3);
        t.cpu.push(cpu.as_secs_f64() * 1e3);
        if !t.indexed {
            t.load_frames += 1;
        }
        if !t.first_rows && !app.list.displayed.is_empty() {
            t.first_rows = true;
            eprintln!(
                "timing: first rows after {:.0} ms",
                opened.elapsed().as_secs_f64() * 1e3
            );
        }
        let loading = app.loader.as_ref().is_some_and(|l| !l.done);
        if !t.indexed && !loading && app.loader.is_some() {
            t.indexed = true;
            eprintln!(
                "timing: {} frames, {} messages indexed after {:.0} ms ({:.0} ms of it \
                 indexing, {} UI frames); arena {} MB; RSS {} MB ({} MB before opening)",
                app.store.frame_count(),
                app.store.message_count(),
                opened.elapsed().as_secs_f64() * 1e3,
                app.loader
                    .as_ref()
                    .map_or(0.0, |l| l.busy.as_secs_f64() * 1e3),
                t.load_frames,
                app.store.arena_len() >> 20,
                rss_bytes() >> 20,
                t.rss_at_open >> 20
            );
            t.print_frames("while loading", app.list.displayed.len());
        }
        if t.frames.len() >= 120 {
            t.print_frames("", app.list.displayed.len());
        }
    }

    /// Print the percentiles of the frame times collected since the last print.
    fn print_frames(&mut self, what: &str, displayed: usize) {
        let mut f = std::mem::take(&mut self.frames);
        let mut cpu = std::mem::take(&mut self.cpu);
        if f.is_empty() {
            return;
        }
        f.sort_by(f64::total_cmp);
        cpu.sort_by(f64::total_cmp);
        let p = quantile;
        eprintln!(
            "timing: ui frame ms {what}{}p50 {:.2} p95 {:.2} max {:.2}, UI thread CPU p50 {:.2} \
             p95 {:.2} max {:.2} ({} frames, {} displayed)",
            if what.is_empty() { "" } else { " " },
            p(&f, 0.5),
            p(&f, 0.95),
            p(&f, 1.0),
            p(&cpu, 0.5),
            p(&cpu, 0.95),
            p(&cpu, 1.0),
            f.len(),
            displayed
        );
    }
}

/// `p50 .. p95 .. max .. (n frames)` of frame times in ms.
fn percentiles(mut f: Vec<f64>) -> String {
    f.sort_by(f64::total_cmp);
    let p = |q: f64| quantile(&f, q);
    format!(
        "p50 {:.2} p95 {:.2} p99 {:.2} max {:.2} ({} frames)",
        p(0.5),
        p(0.95),
        p(0.99),
        p(1.0),
        f.len()
    )
}

/// The value at quantile `q` (0..=1) of sorted `v`; 0 when empty.
fn quantile(v: &[f64], q: f64) -> f64 {
    v.get((v.len().saturating_sub(1) as f64 * q) as usize)
        .copied()
        .unwrap_or(0.0)
}

/// CPU time this thread has used (also what the load bench and live tests measure).
pub fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec for the call to fill.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(
        u64::try_from(ts.tv_sec).unwrap_or(0),
        u32::try_from(ts.tv_nsec).unwrap_or(0),
    )
}

/// Resident set size of this process (Linux), 0 when unknown.
pub fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}
