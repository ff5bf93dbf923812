//! The desktop app (eframe/egui). [`App`] holds the shared state (the store, the selection, the
//! persisted [`Settings`], the runtime handles) and one struct per panel, each drawing itself
//! and reporting what the user asked for; `view` lays the panels out and applies those
//! requests through [`App`]'s methods, which tests also call directly or through AccessKit.

mod columns;
mod decode_as;
mod expert_window;
mod files;
mod filter_bar;
pub mod find;
mod hex_pane;
pub mod histogram;
mod live;
pub mod nav;
mod packet_list;
pub mod rows;
mod selection;
mod settings;
mod state_window;
mod stats_window;
pub mod timeline;
mod timing;
mod tree_panel;
mod unsaved;
mod view;
mod window;

pub use crate::capture::session::{
    CaptureState, LiveCapture, LiveOptions, RunMode, SourceKind, Wrapper,
};
pub use columns::{
    ColumnId, ColumnSetting, FieldSort, FieldWants, add_field_column, default_columns, field_text,
};
pub use expert_window::ExpertWindow;
pub use files::{FileDialog, FileJob, Files, JobStatus, Scope, Target};
pub use filter_bar::{FilterBar, FilterCheck};
pub use hex_pane::{HexPane, offending_attr};
pub use live::Live;
pub use nav::{FindBar, FindBy, FindIn, FindOutcome};
pub use packet_list::{Col, PacketList, process_text};
pub use selection::{CopyAs, RowAction, copy_text};
pub use settings::{PaneSplit, Settings, TimeFormat};
pub use state_window::StateWindow;
pub use stats_window::StatsWindow;
pub use timing::{Timing, rss_bytes, thread_cpu};
pub use tree_panel::{TreePanel, filter_expr, node_text};
pub use unsaved::Pending;
pub use window::{GuiApp, run};

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::dissect::fields::Catalog;
use crate::dissect::specs::SpecRegistry;
use crate::filter::FilterError;
use crate::store::{Loader, Store};

const MAX_RECENT: usize = 10;
const MAX_HISTORY: usize = 30;

/// All state of the window, with no drawing in it.
pub struct App {
    // Shared state.
    /// The loaded capture.
    pub store: Store,
    /// The open file.
    pub file: Option<PathBuf>,
    /// Last error to show (open failure, read error).
    pub error: Option<String>,
    /// Selected message (store index).
    pub selected: Option<usize>,
    /// Persisted settings.
    pub settings: Settings,

    // Panels.
    /// The filter bar (text, validation, applied filter).
    pub filter: FilterBar,
    /// The packet list (displayed rows, sort, scrolling).
    pub list: PacketList,
    /// The protocol tree of the selected message.
    pub detail: TreePanel,
    /// The hex pane of the selected message's frame.
    pub hex: HexPane,
    /// Message counts over time for the timeline strip.
    pub timeline: timeline::Timeline,
    /// Live capture: the capture menu, options window, status.
    pub live: Live,
    /// Save As / Export: the dialog, the running job, the last outcome.
    pub files: Files,
    /// The Decode As window (generic netlink family ids).
    pub decode_as: decode_as::DecodeAs,
    /// The Statistics window (requests, errors, latency).
    pub stats: StatsWindow,
    /// The State window (the kernel's objects at the selected message).
    pub state: StateWindow,
    /// The message other selected messages are compared with (Analyze > Compare with this).
    pub compare_base: Option<usize>,
    /// The window title last sent to the window.
    title_sent: String,
    /// The Go to packet field (Ctrl+G): its text while shown, and the last error.
    pub goto: Option<(String, Option<String>)>,
    /// The Find bar (Ctrl+F) and its running search.
    pub find: nav::FindBar,
    /// Back/Forward history of selections.
    pub history: nav::History,
    /// The Expert Information window.
    pub experts: ExpertWindow,
    /// Messages a live capture brought that no Save As of all of them has written yet.
    pub live_unsaved: bool,
    /// What waits for the answer to "Save captured messages?".
    pub pending: Option<Pending>,
    /// Text of the fallback "open" field (when no native dialog is available).
    pub open_text: String,
    /// Whether the fallback "open" field is shown.
    pub open_prompt: bool,

    // Runtime handles (never persisted).
    /// The capture being loaded, if any.
    pub loader: Option<Loader>,
    waker: Option<crate::store::Waker>,
    /// Load and frame timings, printed to stderr (`NLSCOPE_TIMING=1`).
    pub timing: Option<Timing>,
}

/// Messages left to filter from which a filter runs on worker threads.
const BACKGROUND_ROWS: usize = 20_000;

/// Filtering done at once when a filter (or Decode As) is applied, in a frame that has had
/// its work budget already.
const FIRST_SLICE: Duration = Duration::from_millis(4);

/// Worker threads of a background filter: the cores.
fn filter_threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

impl App {
    /// A window with no capture.
    pub fn new(specs: SpecRegistry) -> Self {
        let catalog = Catalog::new(&specs);
        App {
            store: Store::new(specs),
            file: None,
            error: None,
            selected: None,
            settings: Settings::default(),
            filter: FilterBar::new(catalog),
            list: PacketList::default(),
            detail: TreePanel::default(),
            hex: HexPane::default(),
            timeline: timeline::Timeline::default(),
            live: Live::default(),
            files: Files::default(),
            decode_as: decode_as::DecodeAs::default(),
            stats: StatsWindow::default(),
            state: StateWindow::default(),
            compare_base: None,
            title_sent: String::new(),
            goto: None,
            find: nav::FindBar::default(),
            history: nav::History::default(),
            experts: ExpertWindow::default(),
            live_unsaved: false,
            pending: None,
            open_text: String::new(),
            open_prompt: false,
            loader: None,
            waker: None,
            timing: std::env::var_os("NLSCOPE_TIMING").map(|_| Timing::default()),
        }
    }

    /// Call `waker` whenever background work has something for the UI.
    pub fn set_waker(&mut self, waker: crate::store::Waker) {
        self.waker = Some(waker);
    }

    /// An empty store for a new file or capture, and everything about the old one forgotten
    /// (the applied filter and the sort stay).
    fn fresh_store(&mut self) {
        self.retire_capture();
        self.loader = None;
        // A save or export of the old capture stops (its partial file is removed).
        self.cancel_file_job();
        let old = std::mem::replace(&mut self.store, Store::new(SpecRegistry::default()));
        self.store = Store::new(old.into_specs());
        self.list.clear_rows();
        self.list.scroll_to_top = true;
        self.list.row_experts = rows::RowExperts::default();
        self.list.new_capture();
        self.timeline = timeline::Timeline::default();
        self.stats.reset();
        self.compare_base = None;
        self.clear_selection();
        self.history = nav::History::default();
        self.find.search = None;
        self.experts.reset();
        self.state.reset();
        self.error = None;
        self.file = None;
    }

    /// Open `path`: a fresh store, loading on a worker thread.
    pub fn open(&mut self, path: &Path) {
        self.fresh_store();
        self.file = Some(path.to_path_buf());
        self.settings.recent.retain(|p| p != path);
        self.settings.recent.insert(0, path.to_path_buf());
        self.settings.recent.truncate(MAX_RECENT);
        match Loader::open(path, &self.store, self.waker.clone()) {
            Ok(l) => {
                self.store.expect_file(l.total_bytes);
                if let Some(t) = self.timing.as_mut() {
                    *t = Timing::opened_now();
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
            // The drain waits for the loader's next batch with what it is given: leave a
            // quarter for the timeline to count what it added and for the rest of the work.
            // The frame that shows the first rows also lays out the list and timeline for the
            // first time (about 6 ms more): it takes only a quarter.
            let share = if self.store.is_empty() { 1 } else { 3 };
            more |= l.drain(&mut self.store, budget * share / 4);
            self.list.marks.read_comments(&mut self.store);
            if l.done
                && let Some(e) = l.error.take()
            {
                self.error = Some(format!("{}: {e}", l.path.display()));
            }
        }
        self.timeline.catch_up(&self.store);
        let left = budget.saturating_sub(start.elapsed());
        more |= self.filter_some(left.max(Duration::from_millis(1)));
        if self.list.sort_dirty && !self.loading() && self.list.filtered_upto >= self.store.len() {
            self.list.sort_now(&self.store);
        }
        let left = budget.saturating_sub(start.elapsed());
        more |= self
            .list
            .sort_step(&self.store, left.max(Duration::from_millis(1)));
        let left = budget.saturating_sub(start.elapsed());
        more |= self.pump_files(left.max(Duration::from_millis(1)));
        let left = budget.saturating_sub(start.elapsed());
        more |= self.find_step(left.max(Duration::from_millis(1)));
        let left = budget.saturating_sub(start.elapsed());
        more |= self
            .experts
            .step(&self.store, left.max(Duration::from_millis(1)));
        more
    }

    /// Run all pending work to the end (tests, small files).
    pub fn finish(&mut self) {
        if let Some(l) = self.loader.as_mut() {
            l.drain_all(&mut self.store);
            self.list.marks.read_comments(&mut self.store);
            if let Some(e) = l.error.take() {
                self.error = Some(format!("{}: {e}", l.path.display()));
            }
        }
        self.timeline.catch_up(&self.store);
        loop {
            if let Some(j) = self.list.job.as_mut()
                && !j.done()
            {
                j.wait();
            }
            if !self.filter_some(Duration::from_secs(3600)) {
                break;
            }
        }
        if self.list.sort_dirty {
            self.list.sort_now(&self.store);
        }
        while self.list.sort_step(&self.store, Duration::from_secs(3600)) {}
        self.finish_files();
    }

    /// Filter the messages not yet looked at, for at most `budget`. True if some remain.
    /// Many messages go to a [`crate::store::FilterJob`] on worker threads (this thread then
    /// only collects what they found, in order); the rest, and what a live capture adds
    /// meanwhile, are filtered here in slices.
    fn filter_some(&mut self, budget: Duration) -> bool {
        let start = Instant::now();
        let total = self.store.len();
        let applied = self.filter.applied.as_ref().map(|(_, f)| f);
        let reads = &self.filter.reads;
        let list = &mut self.list;
        if list.job.is_none()
            && let Some(f) = applied
            && total.saturating_sub(list.filtered_upto) >= BACKGROUND_ROWS
        {
            list.job = self
                .store
                .start_filter(f, reads, list.filtered_upto, filter_threads());
            if let (Some(job), Some(w)) = (list.job.as_ref(), self.waker.as_ref()) {
                job.wake_when_done(w.clone());
            }
        }
        if let Some(mut job) = list.job.take() {
            // Chunk by chunk within the budget: the timeline counts what each one adds.
            let mut spent = false;
            loop {
                let shown_before = list.displayed.len();
                if !job.collect_chunk(&mut list.displayed) {
                    break;
                }
                list.filtered_upto = job.upto();
                list.drop_ignored(shown_before);
                let added = list.displayed.get(shown_before..).unwrap_or(&[]);
                self.timeline.count_shown(&self.store, added);
                if list.sort.is_some() && list.displayed.len() > shown_before {
                    list.sort_dirty = true;
                }
                if start.elapsed() >= budget {
                    spent = true;
                    break;
                }
            }
            if !job.done() {
                list.job = Some(job);
                // With chunks left over, the next frame at once; while the workers are still
                // at it, the window polls (see `ui`): redrawing flat out would take their
                // CPU (a software renderer spends much of a core per frame).
                return spent;
            }
        }
        // Filters on payload fields build a tree per message: check the clock more often.
        let chunk = match applied {
            Some(f) if f.needs_tree() => 64,
            _ => 4096,
        };
        while list.filtered_upto < total {
            let end = (list.filtered_upto + chunk).min(total);
            let shown_before = list.displayed.len();
            match applied {
                Some(f) => {
                    self.store
                        .filter_range(f, reads, list.filtered_upto..end, &mut list.displayed)
                }
                None => list
                    .displayed
                    .extend((list.filtered_upto..end).map(|i| u32::try_from(i).unwrap_or(0))),
            }
            list.filtered_upto = end;
            list.drop_ignored(shown_before);
            // Counted before any sort reorders them.
            let added = list.displayed.get(shown_before..).unwrap_or(&[]);
            self.timeline.count_shown(&self.store, added);
            if list.sort.is_some() {
                list.sort_dirty = true;
            }
            if start.elapsed() >= budget {
                break;
            }
        }
        list.filtered_upto < total
    }

    /// Whether the applied filter is running on worker threads.
    pub fn filter_in_background(&self) -> bool {
        self.list.job.is_some()
    }

    /// Stop the running filter: every message is shown again; the text stays in the bar.
    pub fn cancel_filter(&mut self) {
        let (done, total) = (self.list.filtered_upto, self.store.len());
        let text = self.filter.text.clone();
        if self.apply_filter_text("").is_ok() {
            self.filter.set_text(&text);
            self.filter.note = Some(format!(
                "Filter cancelled after {done} of {total} messages: showing all"
            ));
        }
    }

    /// Stop a running sort by a field column: the list goes back to capture order.
    pub fn cancel_sort(&mut self) {
        if self.list.field_sort.is_some() {
            self.list.sort = None;
            self.list.sort_now(&self.store);
            self.filter.note = Some("Sort cancelled: capture order".into());
        }
    }

    /// The filter text changed: validate it.
    pub fn set_filter_text(&mut self, text: &str) {
        self.filter.set_text(text);
    }

    /// Apply the filter text (Enter). On error nothing changes and the error is returned.
    pub fn apply_filter(&mut self) -> Result<(), FilterError> {
        let (text, f) = self.filter.compile()?;
        self.filter.reads = self.filter.reads_of(&f);
        self.filter.note = None;
        self.filter.applied = if f.is_empty() {
            None
        } else {
            self.settings.history.retain(|h| *h != text);
            self.settings.history.insert(0, text.clone());
            self.settings.history.truncate(MAX_HISTORY);
            Some((text, f))
        };
        self.list.clear_rows();
        self.timeline.shown = timeline::Histogram::default();
        self.list.scroll_to_selected = true;
        if let Some(t) = self.timing.as_mut() {
            t.filter_started();
        }
        // A first slice now, so the list is not empty for a frame; a short one, as this frame
        // has already had its work budget (`pump` runs before the input is handled).
        self.filter_some(FIRST_SLICE);
        Ok(())
    }

    /// Read generic netlink family id `id` as `family` (Decode As): every row, tree and
    /// filter result is worked out again under the new name.
    pub fn decode_genl_as(&mut self, id: u16, family: &str) {
        self.store.pin_genl(id, family);
        self.list.row_experts = rows::RowExperts::default();
        self.list.cells.clear();
        self.list.clear_rows();
        self.timeline.shown = timeline::Histogram::default();
        self.filter_some(FIRST_SLICE);
        if let Some(i) = self.selected.take() {
            self.select_message(i);
        }
    }

    /// Read classic protocol `protocol` with spec `spec` (Decode As), like
    /// [`App::decode_genl_as`]; an error (a spec that is not netlink-raw) is shown.
    pub fn decode_protocol_as(&mut self, protocol: u32, spec: &str) {
        if let Err(e) = self.store.pin_protocol(protocol, spec) {
            self.error = Some(format!("Decode As: {e}"));
            return;
        }
        self.list.row_experts = rows::RowExperts::default();
        self.list.cells.clear();
        self.list.clear_rows();
        self.timeline.shown = timeline::Histogram::default();
        self.filter_some(FIRST_SLICE);
        if let Some(i) = self.selected.take() {
            self.select_message(i);
        }
    }

    /// Set the filter text and apply it.
    pub fn apply_filter_text(&mut self, text: &str) -> Result<(), FilterError> {
        self.set_filter_text(text);
        self.apply_filter()
    }

    /// Sort the displayed list by `col` (toggling the direction when it is already the key).
    pub fn sort_by(&mut self, col: Col) {
        self.sort_by_column(ColumnId::Builtin(col));
    }

    /// Sort by any column, a field column too (its sort runs over the next frames).
    pub fn sort_by_column(&mut self, col: ColumnId) {
        self.list.sort_by(col, &self.store);
    }

    fn clear_selection(&mut self) {
        self.list.picked.clear();
        self.selected = None;
        self.detail.show(None);
        self.hex.clear();
    }

    /// Select the message shown in display row `row`.
    pub fn select_row(&mut self, row: usize) {
        if let Some(&i) = self.list.displayed.get(row) {
            self.select_message(i as usize);
        }
    }

    /// Select message `i` (store index) alone: build (or fetch) its tree.
    pub fn select_message(&mut self, i: usize) {
        if i >= self.store.len() {
            return;
        }
        self.list.picked.clear();
        self.list.anchor = u32::try_from(i).ok();
        self.focus_message(i);
    }

    /// Show message `i` in the tree and hex panes, keeping the multi-selection.
    fn focus_message(&mut self, i: usize) {
        if i >= self.store.len() {
            return;
        }
        if self.selected != Some(i) {
            if let Some(from) = self.selected {
                self.history.left(from);
            }
            self.selected = Some(i);
            let mut tree = self.store.tree(i);
            // With a comparison base, the tree says what differs from it, after the header.
            if let Some(b) = self.compare_base.filter(|b| *b != i)
                && let Some(c) = self.store.compare(b, i)
            {
                let mut t = (*tree).clone();
                let at = t
                    .iter()
                    .position(|n| n.field == "nlmsg")
                    .map_or(0, |p| p + 1);
                t.insert(
                    at.min(t.len()),
                    crate::conv::changes::node_named(&c, "[Compared with]"),
                );
                tree = std::rc::Rc::new(t);
            }
            self.hex
                .show(&tree, self.store.msg(i).map(|e| e.idx.offset));
            self.detail.show(Some(tree));
        }
    }

    /// The window title: the open file's name, `[live]` while capturing.
    pub fn window_title(&self) -> String {
        let name = self
            .file
            .as_ref()
            .and_then(|f| f.file_name())
            .map(|n| n.to_string_lossy().into_owned());
        match (name, self.capturing()) {
            (Some(n), true) => format!("{n} [live] - nlscope"),
            (None, true) => "[live] - nlscope".into(),
            (Some(n), false) => format!("{n} - nlscope"),
            (None, false) => "nlscope".into(),
        }
    }

    /// Go to `text`: a frame number (its first message) or `frame:message`, as the No.
    /// column shows them.
    pub fn go_to_text(&mut self, text: &str) -> Result<(), String> {
        let t = text.trim();
        let (f, m) = match t.split_once(':') {
            Some((f, m)) => (f, Some(m)),
            None => (t, None),
        };
        let frame: u64 = f
            .trim()
            .parse()
            .map_err(|_| format!("'{t}' is not a frame number or frame:message"))?;
        let row = match m {
            Some(m) => {
                let msg: u32 = m
                    .trim()
                    .parse()
                    .map_err(|_| format!("'{m}' is not a message number"))?;
                self.store.row_of(crate::conv::MsgRef { frame, msg })
            }
            None => usize::try_from(frame)
                .ok()
                .and_then(|f| f.checked_sub(1))
                .and_then(|f| self.store.frame(f))
                .map(|fm| fm.first_msg as usize),
        };
        let i = row.ok_or_else(|| format!("there is no {t} in this capture"))?;
        self.go_to_message(i);
        Ok(())
    }

    /// Select the next (or previous) displayed message marked as an error after (before) the
    /// selection; false if there is none.
    pub fn go_to_error(&mut self, forward: bool) -> bool {
        let n = self.list.displayed.len();
        let start = self.selected_row();
        let rows: Box<dyn Iterator<Item = usize>> = match (forward, start) {
            (true, Some(r)) => Box::new(r + 1..n),
            (true, None) => Box::new(0..n),
            (false, Some(r)) => Box::new((0..r).rev()),
            (false, None) => Box::new((0..n).rev()),
        };
        for r in rows {
            if let Some(&i) = self.list.displayed.get(r)
                && self.store.mark(i as usize) == crate::store::Mark::Error
            {
                self.select_row(r);
                self.list.scroll_to_selected = true;
                return true;
            }
        }
        false
    }

    /// Send the window title when it changed.
    fn update_title(&mut self, ctx: &egui::Context) {
        let t = self.window_title();
        if t != self.title_sent {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(t.clone()));
            self.title_sent = t;
        }
    }

    /// Select message `i` and scroll the list to it (when the filter displays it; otherwise
    /// its tree and bytes are shown all the same).
    pub fn go_to_message(&mut self, i: usize) {
        self.select_message(i);
        self.list.scroll_to_selected = true;
    }

    /// The message a conversation link of the selected message leads to: `nlmsg.request_in`
    /// or `nlmsg.caused_by` (its request), `nlmsg.response_in` (a request's first answer).
    pub fn linked_message(&self, field: &str) -> Option<usize> {
        let l = self.store.linked(self.selected?)?;
        let at = match field {
            "nlmsg.request_in" | "nlmsg.caused_by" => l.request?,
            "nlmsg.response_in" => l.answers?.first?,
            _ => return None,
        };
        self.store.row_of(at)
    }

    /// Filter to the selected message's conversation (its request and everything answering
    /// it) or, with `socket`, to everything its socket sent and received.
    pub fn follow(&mut self, socket: bool) -> bool {
        let Some(l) = self.selected.and_then(|i| self.store.linked(i)) else {
            return false;
        };
        let text = match (socket, l.conversation) {
            (false, Some(r)) => format!(
                "nlmsg.conversation == \"{}\"",
                crate::conv::show::conversation_id(r)
            ),
            (true, _) if l.port != 0 => {
                let fam = self
                    .selected
                    .and_then(|i| self.store.view(i))
                    .map(|v| v.family_name())
                    .unwrap_or_default();
                format!("netlink.family == {fam} && nlmsg.port == {}", l.port)
            }
            _ => return false,
        };
        self.apply_filter_text(&text).is_ok()
    }

    /// Display row of the selection, if it is displayed.
    pub fn selected_row(&self) -> Option<usize> {
        self.list.row_of(self.selected)
    }

    /// Move the selection by `delta` display rows (clamped); with no selection, select the
    /// first (or last) row.
    pub fn move_selection(&mut self, delta: isize) {
        if self.list.displayed.is_empty() {
            return;
        }
        let last = self.list.displayed.len() - 1;
        let row = match self.selected_row() {
            Some(r) => r.saturating_add_signed(delta).min(last),
            None if delta < 0 => last,
            None => 0,
        };
        self.select_row(row);
        self.list.scroll_to_selected = true;
    }

    /// Select the tree node at `path`: its bytes are highlighted (and scrolled into view).
    pub fn select_node(&mut self, path: &[usize]) {
        if let Some((off, len)) = self.detail.node_at(path).map(|n| (n.offset, n.length)) {
            self.hex.sel = Some((off, len));
            self.hex.scroll_to = Some(off);
            self.detail.selected_node = Some(path.to_vec());
        }
    }

    /// A click on frame byte `pos`: select the deepest node covering it.
    pub fn click_byte(&mut self, pos: usize) {
        let Some(path) = self.detail.path_at(pos) else {
            return;
        };
        // The byte is on screen already: keep the hex pane where it is.
        let keep = self.hex.scroll_to;
        self.select_node(&path);
        self.hex.scroll_to = keep;
        // The tree opens the node's ancestors and scrolls it into view.
        self.detail.reveal = true;
    }

    /// The byte range of the selected message within its frame.
    pub fn selected_msg_range(&self) -> Option<(usize, usize)> {
        let e = self.store.msg(self.selected?)?;
        Some((e.idx.offset, e.idx.present))
    }

    /// Bytes of the selected message's frame.
    pub fn selected_frame_data(&self) -> &[u8] {
        frame_data_of(&self.store, self.selected)
    }
}

/// Bytes of the frame of message `msg` (store index), empty for none.
fn frame_data_of(store: &Store, msg: Option<usize>) -> &[u8] {
    msg.and_then(|i| store.msg(i))
        .map_or(&[], |e| store.frame_data(e.frame as usize))
}
