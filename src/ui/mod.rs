//! The desktop app (eframe/egui). [`App`] holds the state and the logic (open, filter, select),
//! separate from the drawing in `view`, so tests drive it directly or through AccessKit.

mod files;
mod filter_bar;
mod live;
pub mod rows;
pub mod timeline;
mod view;

pub use crate::capture::session::{
    CaptureState, LiveCapture, LiveOptions, RunMode, SourceKind, Wrapper,
};
pub use files::{FileDialog, FileJob, Files, JobStatus, Scope, Target};
pub use live::Live;

use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::dissect::fields::Catalog;
use crate::dissect::specs::SpecRegistry;
use crate::filter::{Filter, FilterError};
use crate::model::Node;
use crate::store::{Loader, Store};

/// How the Time column is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TimeFormat {
    /// Wall-clock time of day (UTC).
    Absolute,
    /// Seconds since the first frame.
    Relative,
    /// Seconds since the previous displayed message.
    Delta,
}

/// Columns of the packet list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    /// Frame and message number.
    No,
    /// Time.
    Time,
    /// Direction.
    Dir,
    /// Netlink family.
    Family,
    /// Message type.
    Type,
    /// Flags.
    Flags,
    /// Sequence number.
    Seq,
    /// Port id.
    Pid,
    /// Length.
    Len,
    /// Summary.
    Info,
}

impl Col {
    /// All columns in display order.
    pub const ALL: [Col; 10] = [
        Col::No,
        Col::Time,
        Col::Dir,
        Col::Family,
        Col::Type,
        Col::Flags,
        Col::Seq,
        Col::Pid,
        Col::Len,
        Col::Info,
    ];

    /// Header title.
    pub fn title(self) -> &'static str {
        match self {
            Col::No => "No.",
            Col::Time => "Time",
            Col::Dir => "Direction",
            Col::Family => "Family",
            Col::Type => "Type",
            Col::Flags => "Flags",
            Col::Seq => "Seq",
            Col::Pid => "Port ID",
            Col::Len => "Len",
            Col::Info => "Info",
        }
    }
}

/// Settings kept across runs (eframe persistence).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Most recent first.
    pub recent: Vec<PathBuf>,
    /// Applied filters, most recent first.
    pub history: Vec<String>,
    /// Time column format.
    pub time_format: TimeFormat,
    /// Dark theme.
    pub dark: bool,
    /// Live capture options.
    #[serde(default)]
    pub live: LiveOptions,
    /// Show the timeline strip above the packet list.
    pub timeline: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            recent: Vec::new(),
            history: Vec::new(),
            time_format: TimeFormat::Relative,
            dark: true,
            live: LiveOptions::default(),
            timeline: true,
        }
    }
}

const MAX_RECENT: usize = 10;
const MAX_HISTORY: usize = 30;

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

/// All state of the window, with no drawing in it.
pub struct App {
    /// The loaded capture.
    pub store: Store,
    /// Field names of the loaded specs, for validation and completion.
    catalog: Catalog,
    /// The capture being loaded, if any.
    pub loader: Option<Loader>,
    /// The open file.
    pub file: Option<PathBuf>,
    /// Last error to show (open failure, read error).
    pub error: Option<String>,
    /// The filter bar's text.
    pub filter_text: String,
    /// Validation of `filter_text`.
    pub filter_check: FilterCheck,
    /// The applied filter (text and compiled form).
    pub applied: Option<(String, Filter)>,
    /// Store indices of the displayed messages, in display order.
    pub displayed: Vec<u32>,
    /// Messages of the store the applied filter has looked at.
    filtered_upto: usize,
    /// Sort column and ascending flag; `None` is capture order.
    pub sort: Option<(Col, bool)>,
    sort_dirty: bool,
    /// Selected message (store index).
    pub selected: Option<usize>,
    /// Tree of the selected message.
    pub tree: Option<Rc<Vec<Node>>>,
    /// Selected tree node, as child indices from the root list.
    pub selected_node: Option<Vec<usize>>,
    /// For an error ack whose extended ack has NLMSGERR_ATTR_OFFS: the bytes of the echoed
    /// request's offending attribute (shown in the error colour in the hex pane).
    pub offending: Option<(usize, usize)>,
    /// Highlighted frame byte range (offset, length) in the hex pane.
    pub hex_sel: Option<(usize, usize)>,
    /// Scroll the list to the selection on the next frame.
    pub scroll_to_selected: bool,
    /// Force every tree node open (`Some(true)`) or closed on the next frame.
    pub tree_open_all: Option<bool>,
    /// Persisted settings.
    pub settings: Settings,
    /// Text of the fallback "open" field (when no native dialog is available).
    pub open_text: String,
    /// Whether the fallback "open" field is shown.
    pub open_prompt: bool,
    waker: Option<crate::store::Waker>,
    /// Load and frame timings, printed to stderr (`NLSCOPE_TIMING=1`).
    pub timing: Option<Timing>,
    /// Scroll the hex pane to show this frame byte on the next frame.
    pub hex_scroll_to: Option<usize>,
    /// Set when the UI wants to focus the filter bar.
    pub focus_filter: bool,
    /// Live capture.
    pub live: Live,
    /// Save As / Export: the dialog, the running job, the last outcome.
    pub files: Files,
    /// Message counts over time for the timeline strip.
    pub timeline: timeline::Timeline,
    /// Worst expert severity of the rows shown so far.
    pub row_experts: rows::RowExperts,
}

impl App {
    /// A window with no capture.
    pub fn new(specs: SpecRegistry) -> Self {
        let catalog = Catalog::new(&specs);
        App {
            store: Store::new(specs),
            catalog,
            loader: None,
            file: None,
            error: None,
            filter_text: String::new(),
            filter_check: FilterCheck::Empty,
            applied: None,
            displayed: Vec::new(),
            filtered_upto: 0,
            sort: None,
            sort_dirty: false,
            selected: None,
            tree: None,
            selected_node: None,
            hex_sel: None,
            offending: None,
            scroll_to_selected: false,
            tree_open_all: None,
            settings: Settings::default(),
            open_text: String::new(),
            open_prompt: false,
            waker: None,
            focus_filter: false,
            hex_scroll_to: None,
            live: Live::default(),
            files: Files::default(),
            timeline: timeline::Timeline::default(),
            row_experts: rows::RowExperts::default(),
            timing: std::env::var_os("NLSCOPE_TIMING").map(|_| Timing::default()),
        }
    }

    /// Call `waker` whenever background work has something for the UI.
    pub fn set_waker(&mut self, waker: crate::store::Waker) {
        self.waker = Some(waker);
    }

    /// Open `path`: a fresh store, loading on a worker thread.
    pub fn open(&mut self, path: &Path) {
        self.retire_capture();
        self.loader = None;
        // A save or export of the old capture stops (its partial file is removed).
        self.cancel_file_job();
        let old = std::mem::replace(&mut self.store, Store::new(SpecRegistry::default()));
        self.store = Store::new(old.into_specs());
        self.displayed.clear();
        self.filtered_upto = 0;
        self.timeline = timeline::Timeline::default();
        self.row_experts = rows::RowExperts::default();
        self.clear_selection();
        self.error = None;
        self.file = Some(path.to_path_buf());
        self.settings.recent.retain(|p| p != path);
        self.settings.recent.insert(0, path.to_path_buf());
        self.settings.recent.truncate(MAX_RECENT);
        match Loader::open(path, &self.store, self.waker.clone()) {
            Ok(l) => {
                if let Some(t) = self.timing.as_mut() {
                    *t = Timing {
                        opened: Some(Instant::now()),
                        rss_at_open: rss_bytes(),
                        ..Timing::default()
                    };
                }
                self.loader = Some(l);
            }
            Err(e) => self.error = Some(e),
        }
    }

    /// Whether a file is still loading.
    pub fn loading(&self) -> bool {
        self.loader.as_ref().is_some_and(|l| !l.done)
    }

    /// Do background work (drain the loader, filter new messages) for about `budget`.
    /// Returns true when more work is waiting right now (request another frame).
    pub fn pump(&mut self, budget: Duration) -> bool {
        let start = Instant::now();
        let mut more = self.pump_live(budget);
        if let Some(l) = self.loader.as_mut() {
            more |= l.drain(&mut self.store, budget);
            if l.done
                && let Some(e) = l.error.take()
            {
                self.error = Some(format!("{}: {e}", l.path.display()));
            }
        }
        self.timeline_catch_up();
        let left = budget.saturating_sub(start.elapsed());
        more |= self.filter_some(left.max(Duration::from_millis(1)));
        if self.sort_dirty && !self.loading() && self.filtered_upto >= self.store.len() {
            self.sort_now();
        }
        let left = budget.saturating_sub(start.elapsed());
        more |= self.pump_files(left.max(Duration::from_millis(1)));
        more
    }

    /// Run all pending work to the end (tests, small files).
    pub fn finish(&mut self) {
        if let Some(l) = self.loader.as_mut() {
            l.drain_all(&mut self.store);
            if let Some(e) = l.error.take() {
                self.error = Some(format!("{}: {e}", l.path.display()));
            }
        }
        self.timeline_catch_up();
        while self.filter_some(Duration::from_secs(3600)) {}
        if self.sort_dirty {
            self.sort_now();
        }
        self.finish_files();
    }

    /// Filter the messages not yet looked at, for at most `budget`. True if some remain.
    fn filter_some(&mut self, budget: Duration) -> bool {
        let start = Instant::now();
        let total = self.store.len();
        // Filters on payload fields build a tree per message: check the clock more often.
        let chunk = match &self.applied {
            Some((_, f)) if f.needs_tree() => 64,
            _ => 4096,
        };
        while self.filtered_upto < total {
            let end = (self.filtered_upto + chunk).min(total);
            let shown_before = self.displayed.len();
            match &self.applied {
                Some((_, f)) => {
                    self.store
                        .filter_range(f, self.filtered_upto..end, &mut self.displayed)
                }
                None => self
                    .displayed
                    .extend((self.filtered_upto..end).map(|i| u32::try_from(i).unwrap_or(0))),
            }
            self.filtered_upto = end;
            // Counted before any sort reorders them.
            self.timeline_shown_added(shown_before);
            if self.sort.is_some() {
                self.sort_dirty = true;
            }
            if start.elapsed() >= budget {
                break;
            }
        }
        self.filtered_upto < total
    }

    /// The filter text changed: validate it.
    pub fn set_filter_text(&mut self, text: &str) {
        self.filter_text = text.to_string();
        self.filter_check = if text.trim().is_empty() {
            FilterCheck::Empty
        } else {
            match Filter::compile(text, &self.catalog) {
                Ok(_) => FilterCheck::Valid,
                Err(e) => FilterCheck::Invalid(e),
            }
        };
    }

    /// Apply the filter text (Enter). On error nothing changes and the error is returned.
    pub fn apply_filter(&mut self) -> Result<(), FilterError> {
        let text = self.filter_text.trim().to_string();
        let f = Filter::compile(&text, &self.catalog)?;
        self.applied = if f.is_empty() {
            None
        } else {
            self.settings.history.retain(|h| *h != text);
            self.settings.history.insert(0, text.clone());
            self.settings.history.truncate(MAX_HISTORY);
            Some((text, f))
        };
        self.displayed.clear();
        self.filtered_upto = 0;
        self.timeline.shown = timeline::Histogram::default();
        self.scroll_to_selected = true;
        if let Some(t) = self.timing.as_mut() {
            t.filter_started = Some(Instant::now());
            t.frames.clear();
        }
        // A first slice now, so the list is not empty for a frame.
        self.filter_some(Duration::from_millis(8));
        Ok(())
    }

    /// Set the filter text and apply it.
    pub fn apply_filter_text(&mut self, text: &str) -> Result<(), FilterError> {
        self.set_filter_text(text);
        self.apply_filter()
    }

    /// Known field names starting with the last word of the filter text.
    pub fn completions(&self) -> Vec<&str> {
        self.field_completions(last_word(&self.filter_text), 12)
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

    /// Replace the last word of the filter text by `completion`.
    pub fn complete(&mut self, completion: &str) {
        let word = last_word(&self.filter_text).len();
        let keep = self.filter_text.len() - word;
        let mut t = self.filter_text.get(..keep).unwrap_or("").to_string();
        t.push_str(completion);
        self.set_filter_text(&t);
    }

    /// Sort the displayed list by `col` (toggling the direction when it is already the key).
    pub fn sort_by(&mut self, col: Col) {
        self.sort = match self.sort {
            Some((c, asc)) if c == col => Some((c, !asc)),
            _ => Some((col, true)),
        };
        self.sort_now();
    }

    fn sort_now(&mut self) {
        self.sort_dirty = false;
        let Some((col, asc)) = self.sort else {
            self.displayed.sort_unstable();
            return;
        };
        let store = &self.store;
        let key_num = |i: u32| -> i128 {
            let Some(e) = store.msg(i as usize) else {
                return 0;
            };
            match col {
                Col::Time => store.frame(e.frame as usize).map_or(0, |f| f.ts_ns),
                Col::Seq => i128::from(e.idx.seq),
                Col::Pid => i128::from(e.idx.pid),
                Col::Len => i128::from(e.idx.len),
                Col::Flags => i128::from(e.idx.flags),
                _ => i128::from(i),
            }
        };
        match col {
            Col::Family | Col::Type | Col::Info | Col::Dir => {
                self.displayed.sort_by_cached_key(|&i| {
                    let v = store.view(i as usize);
                    let s = match (&v, col) {
                        (Some(v), Col::Family) => v.family_str().to_string(),
                        (Some(v), Col::Type) => v.type_str().to_string(),
                        (Some(v), Col::Info) => v.summary(),
                        (Some(v), _) => v.index().direction.as_str().to_string(),
                        (None, _) => String::new(),
                    };
                    (s, i)
                });
            }
            _ => self.displayed.sort_by_cached_key(|&i| (key_num(i), i)),
        }
        if !asc {
            self.displayed.reverse();
        }
        self.scroll_to_selected = true;
    }

    fn clear_selection(&mut self) {
        self.selected = None;
        self.tree = None;
        self.selected_node = None;
        self.hex_sel = None;
        self.offending = None;
    }

    /// Select the message shown in display row `row`.
    pub fn select_row(&mut self, row: usize) {
        if let Some(&i) = self.displayed.get(row) {
            self.select_message(i as usize);
        }
    }

    /// Select message `i` (store index): build (or fetch) its tree.
    pub fn select_message(&mut self, i: usize) {
        if i >= self.store.len() {
            return;
        }
        if self.selected != Some(i) {
            self.selected = Some(i);
            let tree = self.store.tree(i);
            self.offending = offending_attr(&tree);
            self.tree = Some(tree);
            self.selected_node = None;
            self.hex_sel = None;
            self.hex_scroll_to = self.store.msg(i).map(|e| e.idx.offset);
        }
    }

    /// Display row of the selection, if it is displayed.
    pub fn selected_row(&self) -> Option<usize> {
        let s = u32::try_from(self.selected?).ok()?;
        self.displayed.iter().position(|&i| i == s)
    }

    /// Move the selection by `delta` display rows (clamped); with no selection, select the
    /// first (or last) row.
    pub fn move_selection(&mut self, delta: isize) {
        if self.displayed.is_empty() {
            return;
        }
        let last = self.displayed.len() - 1;
        let row = match self.selected_row() {
            Some(r) => r.saturating_add_signed(delta).min(last),
            None if delta < 0 => last,
            None => 0,
        };
        self.select_row(row);
        self.scroll_to_selected = true;
    }

    /// The node at `path` in the selected tree.
    pub fn node_at(&self, path: &[usize]) -> Option<&Node> {
        let tree = self.tree.as_ref()?;
        let (first, rest) = path.split_first()?;
        let mut n = tree.get(*first)?;
        for i in rest {
            n = n.children.get(*i)?;
        }
        Some(n)
    }

    /// Select the tree node at `path`: its bytes are highlighted (and scrolled into view).
    pub fn select_node(&mut self, path: &[usize]) {
        if let Some((off, len)) = self.node_at(path).map(|n| (n.offset, n.length)) {
            self.hex_sel = Some((off, len));
            self.hex_scroll_to = Some(off);
            self.selected_node = Some(path.to_vec());
        }
    }

    /// A click on frame byte `pos`: select the deepest node covering it.
    pub fn click_byte(&mut self, pos: usize) {
        let Some(tree) = self.tree.clone() else {
            return;
        };
        let Some(chain) = Node::deepest_at(&tree, pos) else {
            return;
        };
        // Turn the chain of nodes into child indices.
        let mut path = Vec::with_capacity(chain.len());
        let mut level: &[Node] = &tree;
        for n in chain {
            let Some(i) = level.iter().position(|c| std::ptr::eq(c, n)) else {
                break;
            };
            path.push(i);
            level = &n.children;
        }
        // The byte is on screen already: keep the hex pane where it is.
        let keep = self.hex_scroll_to;
        self.select_node(&path);
        self.hex_scroll_to = keep;
    }

    /// The byte range of the selected message within its frame.
    pub fn selected_msg_range(&self) -> Option<(usize, usize)> {
        let e = self.store.msg(self.selected?)?;
        Some((e.idx.offset, e.idx.present))
    }

    /// Bytes of the selected message's frame.
    pub fn selected_frame_data(&self) -> &[u8] {
        self.selected
            .and_then(|i| self.store.msg(i))
            .map_or(&[], |e| self.store.frame_data(e.frame as usize))
    }
}

/// The byte range of the attribute an error ack's NLMSGERR_ATTR_OFFS points at, when the
/// request is echoed in the same message: the deepest request node covering the offset.
pub fn offending_attr(tree: &[Node]) -> Option<(usize, usize)> {
    let req = tree.iter().find(|n| n.field == "nlmsgerr.request")?;
    let mut offs = None;
    for top in tree {
        top.walk(&mut |n| {
            if n.field == "nlmsgerr.offs"
                && let crate::model::Value::Uint(v) = n.value
            {
                offs = Some(v);
            }
        });
    }
    let target = req.offset.checked_add(usize::try_from(offs?).ok()?)?;
    let chain = Node::deepest_at(&req.children, target)?;
    chain.last().map(|n| (n.offset, n.length))
}

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
    live: Option<LiveTiming>,
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
    /// Record a frame that took `dt` and report milestones of `app`.
    fn frame(app: &mut App, dt: Duration) {
        let busy = app.loading() || app.filtered_upto < app.store.len();
        let capturing = app.capturing();
        let rows = app.store.len();
        let Some(t) = app.timing.as_mut() else {
            return;
        };
        let ms = dt.as_secs_f64() * 1e3;
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
                app.applied.as_ref().map_or("", |a| a.0.as_str()),
                app.displayed.len(),
                app.store.len(),
                f.elapsed().as_secs_f64() * 1e3
            );
            t.print_frames("while filtering", app.displayed.len());
        }
        let Some(opened) = t.opened else {
            return;
        };
        t.frames.push(dt.as_secs_f64() * 1e3);
        if !t.indexed {
            t.load_frames += 1;
        }
        if !t.first_rows && !app.displayed.is_empty() {
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
            t.print_frames("while loading", app.displayed.len());
        }
        if t.frames.len() >= 120 {
            t.print_frames("", app.displayed.len());
        }
    }

    /// Print the percentiles of the frame times collected since the last print.
    fn print_frames(&mut self, what: &str, displayed: usize) {
        let mut f = std::mem::take(&mut self.frames);
        if f.is_empty() {
            return;
        }
        f.sort_by(f64::total_cmp);
        let p = |q: f64| {
            f.get(((f.len() - 1) as f64 * q) as usize)
                .copied()
                .unwrap_or(0.0)
        };
        eprintln!(
            "timing: ui frame ms {what}{}p50 {:.2} p95 {:.2} max {:.2} ({} frames, {} displayed)",
            if what.is_empty() { "" } else { " " },
            p(0.5),
            p(0.95),
            p(1.0),
            f.len(),
            displayed
        );
    }
}

/// `p50 .. p95 .. max .. (n frames)` of frame times in ms.
fn percentiles(mut f: Vec<f64>) -> String {
    f.sort_by(f64::total_cmp);
    let p = |q: f64| {
        f.get(((f.len().saturating_sub(1)) as f64 * q) as usize)
            .copied()
            .unwrap_or(0.0)
    };
    format!(
        "p50 {:.2} p95 {:.2} max {:.2} ({} frames)",
        p(0.5),
        p(0.95),
        p(1.0),
        f.len()
    )
}

/// Resident set size of this process (Linux), 0 when unknown.
pub fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
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

/// The eframe application: [`App`] plus the window glue.
pub struct GuiApp {
    /// State and logic.
    pub app: App,
}

impl GuiApp {
    /// Wrap `app`, waking `ctx` when background work has results.
    pub fn new(mut app: App, ctx: &egui::Context) -> Self {
        let c = ctx.clone();
        app.set_waker(Arc::new(move || c.request_repaint()));
        GuiApp { app }
    }
}

/// Run the desktop app, opening `file` if given.
pub fn run(specs: SpecRegistry, file: Option<PathBuf>) -> Result<(), String> {
    if ["DISPLAY", "WAYLAND_DISPLAY", "WAYLAND_SOCKET"]
        .iter()
        .all(|v| std::env::var_os(v).is_none_or(|s| s.is_empty()))
    {
        return Err(match &file {
            Some(f) => format!(
                "no graphical session (DISPLAY and WAYLAND_DISPLAY are unset); \
                 read the capture on the terminal with `nlscope read -r {}`",
                f.display()
            ),
            None => "no graphical session (DISPLAY and WAYLAND_DISPLAY are unset); \
                     see `nlscope --help` for the command line"
                .to_string(),
        });
    }
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("nlscope")
            .with_app_id("nlscope")
            .with_inner_size([1280.0, 800.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    eframe::run_native(
        "nlscope",
        options,
        Box::new(move |cc| {
            let mut app = App::new(specs);
            if let Some(s) = cc.storage
                && let Some(settings) = eframe::get_value::<Settings>(s, eframe::APP_KEY)
            {
                app.settings = settings;
            }
            let gui = GuiApp::new(app, &cc.egui_ctx);
            let mut gui = gui;
            if let Some(f) = file {
                gui.app.open(&f);
            }
            Ok(Box::new(gui))
        }),
    )
    .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offending_attribute_of_an_echoed_request() {
        use crate::model::Value;
        let mut req = Node::new("request", "nlmsgerr.request", Value::None, 20, 36);
        let mut nest = Node::new("attr 1", "x.nest", Value::None, 40, 16);
        nest.children.push(Node::new(
            "attr 2",
            "x.name",
            Value::Str("veth0".into()),
            44,
            12,
        ));
        req.children
            .push(Node::new("nlmsg_len", "nlmsg.len", Value::Uint(36), 20, 4));
        req.children.push(nest);
        let mut ext = Node::new("extended ack", "nlmsgerr", Value::None, 56, 8);
        ext.children.push(Node::new(
            "NLMSGERR_ATTR_OFFS",
            "nlmsgerr.offs",
            Value::Uint(26),
            60,
            4,
        ));
        let tree = vec![
            Node::new("error", "nlmsg.error", Value::Int(-22), 16, 4),
            req.clone(),
            ext,
        ];
        // 20 + 26 = byte 46: inside attr 2.
        assert_eq!(offending_attr(&tree), Some((44, 12)));
        assert_eq!(offending_attr(&tree[..2]), None);
        assert_eq!(offending_attr(&[req]), None);
    }

    #[test]
    fn last_word_splits_at_operators() {
        assert_eq!(last_word("nlmsg.type == RTM && rt-link.if"), "rt-link.if");
        assert_eq!(last_word("x == "), "");
        assert_eq!(last_word("nlm"), "nlm");
    }
}
