//! The packet list panel: the displayed rows (what the applied filter let through so far), their
//! sort order, the scroll requests and the per-row expert colours. Drawing reports clicks as
//! [`Action`]s; the selection itself is the [`App`](super::App)'s.

use std::collections::BTreeSet;

use egui::{Align, Color32, CornerRadius, Layout, RichText, Sense, Ui, Vec2};
use egui_extras::{Column, TableBuilder};

use super::TimeFormat;
use super::columns::{self, ColumnId, ColumnSetting, FieldCells, FieldSort};
use super::rows::{self, RowExperts, RowMarks, RowTone};
use super::selection::RowAction;
use super::tree_panel::severity_color;
use super::view::Action;
use crate::capture::trace::ProcInfo;
use crate::model::{Direction, Severity};
use crate::store::{NO_MSG, Store};

/// The built-in columns of the packet list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
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
    /// The process (`COMM[PID]`, from the frame's `proc:` comment).
    Process,
    /// Length.
    Len,
    /// Summary.
    Info,
}

impl Col {
    /// All columns in display order.
    pub const ALL: [Col; 11] = [
        Col::No,
        Col::Time,
        Col::Dir,
        Col::Family,
        Col::Type,
        Col::Flags,
        Col::Seq,
        Col::Pid,
        Col::Process,
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
            Col::Process => "Process",
            Col::Len => "Len",
            Col::Info => "Info",
        }
    }
}

/// State of the packet list.
#[derive(Debug, Default)]
pub struct PacketList {
    /// Store indices of the displayed messages, in display order.
    pub displayed: Vec<u32>,
    /// Messages of the store the applied filter has looked at.
    pub filtered_upto: usize,
    /// Sort column and ascending flag; `None` is capture order.
    pub sort: Option<(ColumnId, bool)>,
    /// A sort by a field column being worked out (a tree per row, over several frames).
    pub field_sort: Option<FieldSort>,
    /// The selected rows (store indices): the focused one ([`App::selected`](super::App))
    /// and those added with Ctrl/Shift-click.
    pub picked: BTreeSet<u32>,
    /// Where a Shift-click extends the selection from (store index).
    pub anchor: Option<u32>,
    /// Marked and ignored rows.
    pub marks: RowMarks,
    /// Values of the field columns for the rows shown so far.
    pub cells: FieldCells,
    /// What narrowed trees answer each field column (for sorting by one).
    field_wants: columns::FieldWants,
    /// The row and column last right-clicked (for the row menu's filter items).
    menu_cell: Option<(usize, ColumnId)>,
    /// The columns shown in the last frame, and how many arrangements there have been.
    layout: (u64, Vec<ColumnId>),
    /// The list's scroll offset in the last frame.
    scroll_y: f32,
    /// New rows arrived since the last sort.
    pub(super) sort_dirty: bool,
    /// Scroll the list to the selection on the next frame.
    pub scroll_to_selected: bool,
    /// Scroll the list to its top on the next frame (a newly opened file).
    pub scroll_to_top: bool,
    /// Worst expert severity of the rows shown so far.
    pub row_experts: RowExperts,
    /// The display filter running on worker threads, if one is (see `App::filter_some`).
    pub(super) job: Option<crate::store::FilterJob>,
}

impl PacketList {
    /// Forget the rows (a new store, or a new filter): everything is filtered again.
    pub(super) fn clear_rows(&mut self) {
        self.displayed.clear();
        self.filtered_upto = 0;
        self.job = None;
    }

    /// Take the ignored rows out of the displayed rows from `from` on.
    pub(super) fn drop_ignored(&mut self, from: usize) {
        if self.marks.ignored.is_empty() {
            return;
        }
        let ignored = &self.marks.ignored;
        let mut k = from;
        let mut j = from;
        while let Some(&i) = self.displayed.get(j) {
            if !ignored.contains(&i)
                && let Some(slot) = self.displayed.get_mut(k)
            {
                *slot = i;
                k += 1;
            }
            j += 1;
        }
        self.displayed.truncate(k);
    }

    /// Display row of store index `sel`, if it is displayed.
    pub fn row_of(&self, sel: Option<usize>) -> Option<usize> {
        let s = u32::try_from(sel?).ok()?;
        self.displayed.iter().position(|&i| i == s)
    }

    /// Forget everything about the old capture's rows: selection, marks, field values.
    pub(super) fn new_capture(&mut self) {
        self.picked.clear();
        self.anchor = None;
        self.marks = RowMarks::default();
        self.cells.clear();
        self.field_sort = None;
        self.menu_cell = None;
    }

    /// Sort by `col` (toggling the direction when it is already the key).
    pub fn sort_by(&mut self, col: ColumnId, store: &Store) {
        self.sort = match self.sort.take() {
            Some((c, asc)) if c == col => Some((c, !asc)),
            _ => Some((col, true)),
        };
        self.sort_now(store);
    }

    /// Work on a running sort by a field column for about `budget`; true while it runs.
    pub(super) fn sort_step(&mut self, store: &Store, budget: std::time::Duration) -> bool {
        let Some(job) = self.field_sort.as_mut() else {
            return false;
        };
        if job.progress().1 != self.displayed.len() {
            // The displayed rows changed under it (a new filter, new rows): start over.
            self.sort_dirty = true;
            self.field_sort = None;
            return true;
        }
        match job.step(store, budget) {
            Some(order) => {
                self.displayed = order;
                self.field_sort = None;
                self.scroll_to_selected = true;
                false
            }
            None => true,
        }
    }

    /// Put the displayed rows in the order of [`PacketList::sort`] (a sort by a field column
    /// starts a [`FieldSort`] that [`PacketList::sort_step`] finishes).
    pub(super) fn sort_now(&mut self, store: &Store) {
        self.sort_dirty = false;
        self.field_sort = None;
        let col = match &self.sort {
            None => {
                self.displayed.sort_unstable();
                return;
            }
            Some((ColumnId::Field(f), asc)) => {
                let want = self.field_wants.want(store, f);
                self.field_sort = Some(FieldSort::new(
                    f.clone(),
                    *asc,
                    self.displayed.clone(),
                    want,
                ));
                return;
            }
            Some((ColumnId::Builtin(c), _)) => *c,
        };
        let asc = self.sort.as_ref().is_some_and(|s| s.1);
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
            Col::Process => {
                self.displayed
                    .sort_by_cached_key(|&i| (process_text(store, i as usize), i));
            }
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

    /// The cell texts of display row `row` (store index `i`), one per [`Col::ALL`].
    fn cell_texts(&self, store: &Store, tf: TimeFormat, row: usize, i: usize) -> [String; 11] {
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
        let time = match tf {
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
                process_text(store, i),
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
            process_text(store, i),
            e.idx.len.to_string(),
            v.summary(),
        ]
    }

    /// Draw the list (only the visible rows are built). `selected` is the selected message
    /// (store index); `to_end` scrolls to the last row (live capture autoscroll); `cols` are
    /// the columns (the header menu changes them, dragging a border their widths).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn ui(
        &mut self,
        ui: &mut Ui,
        store: &Store,
        selected: Option<usize>,
        tf: TimeFormat,
        to_end: bool,
        cols: &mut Vec<ColumnSetting>,
        actions: &mut Vec<Action>,
    ) {
        let row_h = ui.text_style_height(&egui::TextStyle::Body) + 5.0;
        let sel_row = self.row_of(selected);
        let dark = ui.visuals().dark_mode;
        *cols = columns::normalized(cols);
        let shown: Vec<(usize, ColumnSetting)> = cols
            .iter()
            .enumerate()
            .filter(|(_, c)| c.visible)
            .map(|(k, c)| (k, c.clone()))
            .collect();
        let fields: Vec<String> = shown
            .iter()
            .filter_map(|(_, c)| match &c.id {
                ColumnId::Field(f) => Some(f.clone()),
                ColumnId::Builtin(_) => None,
            })
            .collect();
        let layout: Vec<ColumnId> = shown.iter().map(|(_, c)| c.id.clone()).collect();
        // Cells touch, so a row's tint is one band; text gets its own padding.
        ui.spacing_mut().item_spacing = Vec2::ZERO;
        let mut table = TableBuilder::new(ui)
            .id_salt("packet-list")
            .striped(false)
            .resizable(true)
            .sense(Sense::click())
            .cell_layout(Layout::left_to_right(Align::Center))
            .min_scrolled_height(0.0);
        // Columns shown, hidden or moved: widths start again from the settings (the scroll
        // position, kept apart, stays).
        // (A new arrangement gets a table state of its own, at the old scroll position.)
        if self.layout.1 != layout {
            self.layout.0 += 1;
            self.layout.1 = layout;
            table = table.vertical_scroll_offset(self.scroll_y);
        }
        table = table.id_salt(("packet-list", self.layout.0));
        let last = shown.len().saturating_sub(1);
        for (n, (_, c)) in shown.iter().enumerate() {
            table = table.column(if n == last {
                Column::remainder().at_least(60.0)
            } else {
                Column::initial(c.width).at_least(30.0)
            });
        }
        if self.scroll_to_selected {
            if let Some(r) = sel_row {
                table = table.scroll_to_row(r, Some(Align::Center));
            }
            self.scroll_to_selected = false;
        }
        if to_end && !self.displayed.is_empty() {
            table = table.scroll_to_row(self.displayed.len() - 1, Some(Align::BOTTOM));
        }
        if std::mem::take(&mut self.scroll_to_top) {
            table = table.vertical_scroll_offset(0.0);
        }
        let sort = self.sort.clone();
        let sorting = self.field_sort.as_ref().map(FieldSort::progress);
        let mut builds = 0usize;
        let mut field_builds = 0usize;
        let field_start = std::time::Instant::now();
        let mut fields_pending = false;
        let mut found = Vec::new();
        let mut lefts: Vec<(usize, f32)> = Vec::new();
        let mut header_rects: Vec<(usize, egui::Rect)> = Vec::new();
        // A header being dragged: its column, and whether it was let go this frame.
        let mut dragging: Option<(usize, bool)> = None;
        let mut header_edit: Option<HeaderEdit> = None;
        let mut menu_cell = self.menu_cell.clone();
        let table = table.header(row_h + 4.0, |mut header| {
            for (k, c) in &shown {
                let (_, cell) = header.col(|ui| {
                    ui.add_space(4.0);
                    let arrow = match &sort {
                        Some((s, true)) if *s == c.id => " ^",
                        Some((s, false)) if *s == c.id => " v",
                        _ => "",
                    };
                    let busy = match sorting {
                        Some(_) if arrow.is_empty() => String::new(),
                        Some((d, all)) => format!(" (sorting {}%)", d * 100 / all.max(1)),
                        None => String::new(),
                    };
                    let r = ui.add(
                        egui::Label::new(
                            RichText::new(format!("{}{arrow}{busy}", c.title())).strong(),
                        )
                        .sense(Sense::click_and_drag())
                        .selectable(false),
                    );
                    let r = match &c.id {
                        ColumnId::Field(f) => r.on_hover_text(format!(
                            "Field {f}. Click to sort, drag to move, right-click for the \
                             column menu"
                        )),
                        ColumnId::Builtin(_) => r.on_hover_text(
                            "Click to sort, drag to move, right-click for the column menu",
                        ),
                    };
                    if r.dragged() || r.drag_stopped() {
                        dragging = Some((*k, r.drag_stopped()));
                    }
                    if r.clicked() {
                        actions.push(Action::Sort(c.id.clone()));
                    }
                    r.context_menu(|ui| {
                        if let Some(e) = header_menu(ui, cols, *k) {
                            header_edit = Some(e);
                        }
                    });
                });
                // Widths from where cells start (a cell's response may reach past its
                // column); the last column takes what is left, so it keeps no width.
                lefts.push((*k, cell.rect.left()));
                header_rects.push((*k, cell.rect));
            }
        });
        let out = table.body(|body| {
            body.rows(row_h, self.displayed.len(), |mut row| {
                let r = row.index();
                let Some(&i) = self.displayed.get(r) else {
                    return;
                };
                let i = i as usize;
                let texts = self.cell_texts(store, tf, r, i);
                let field_vals: Vec<String> = if fields.is_empty() {
                    Vec::new()
                } else {
                    // At least one new row a frame, then as many as the time budget allows.
                    let known = self.cells.knows(&fields, i);
                    let may = known
                        || field_builds == 0
                        || field_start.elapsed() < columns::FIELD_TIME_PER_FRAME;
                    field_builds += usize::from(!known && may);
                    match self.cells.get(store, &fields, i, may) {
                        Some(v) => v.to_vec(),
                        None => {
                            fields_pending = true;
                            vec!["…".to_string(); fields.len()]
                        }
                    }
                };
                let mark = store.mark(i);
                let marked = self.marks.is_marked(i);
                let proto = store.msg(i).map_or(0, |e| e.idx.protocol);
                let dirn = store.direction(i);
                let picked =
                    sel_row == Some(r) || u32::try_from(i).is_ok_and(|i| self.picked.contains(&i));
                row.set_selected(picked);
                let bg = if marked {
                    mark_color(dark)
                } else {
                    family_color(proto)
                };
                // The tree's worst expert note: known, or worked out now within a budget.
                let worst = match self.row_experts.get(i) {
                    Some(w) => w,
                    None if builds < rows::BUILDS_PER_FRAME => {
                        builds += 1;
                        let w = rows::worst_severity(store, i);
                        found.push((i, w));
                        w
                    }
                    None => None,
                };
                let fg = match rows::row_tone(mark, worst) {
                    RowTone::Error => Some(severity_color(Severity::Error)),
                    RowTone::Warning => Some(severity_color(Severity::Warning)),
                    RowTone::Plain => None,
                };
                let dir_fg = direction_color(dirn, dark);
                let mut field_k = 0usize;
                for (_, c) in &shown {
                    let (t, is_dir) = match &c.id {
                        ColumnId::Builtin(b) => {
                            let k = Col::ALL.iter().position(|x| x == b).unwrap_or(0);
                            (texts.get(k).cloned().unwrap_or_default(), *b == Col::Dir)
                        }
                        ColumnId::Field(_) => {
                            let t = field_vals.get(field_k).cloned().unwrap_or_default();
                            field_k += 1;
                            (t, false)
                        }
                    };
                    let (_, cell) = row.col(|ui| {
                        if !picked {
                            ui.painter()
                                .rect_filled(ui.max_rect(), CornerRadius::ZERO, bg);
                        }
                        let mut rt = RichText::new(t);
                        if is_dir {
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
                        if marked && !picked {
                            rt = rt.color(mark_text_color(dark));
                        }
                        ui.add_space(4.0);
                        if is_dir && dirn != Direction::Unknown {
                            direction_arrow(ui, dirn, dir_fg);
                        }
                        ui.add(egui::Label::new(rt).selectable(false).truncate());
                    });
                    if cell.secondary_clicked() {
                        menu_cell = Some((i, c.id.clone()));
                    }
                }
                let resp = row.response();
                if resp.clicked() {
                    let m = resp.ctx.input(|inp| inp.modifiers);
                    actions.push(if m.command {
                        Action::Rows(RowAction::Toggle(r))
                    } else if m.shift {
                        Action::Rows(RowAction::ExtendTo(r))
                    } else {
                        Action::SelectRow(r)
                    });
                }
                // Right-click on a row outside the selection selects it, as elsewhere; on
                // one inside it, shows it and keeps the selection (the menu acts on all).
                if resp.secondary_clicked() && !picked {
                    actions.push(Action::SelectRow(r));
                } else if resp.secondary_clicked() && sel_row != Some(r) {
                    actions.push(Action::Rows(RowAction::Focus(r)));
                }
                resp.context_menu(|ui| {
                    let cell = menu_cell.as_ref().filter(|c| c.0 == i).map(|c| &c.1);
                    super::selection::row_menu(ui, store, &self.marks, i, cell, actions);
                });
            });
        });
        self.menu_cell = menu_cell;
        self.scroll_y = out.state.clamped_offset().y;
        if let Some((from, dropped)) = dragging
            && let Some(x) = ui.ctx().input(|i| i.pointer.latest_pos()).map(|p| p.x)
        {
            let (to, line_x) = drop_target(&header_rects, x);
            if dropped {
                header_edit = Some(HeaderEdit::Drop(from, to));
            } else {
                // Where the column will land: a bar at the gap, over the header.
                ui.ctx().set_cursor_icon(egui::CursorIcon::Grabbing);
                if let Some((top, bottom)) =
                    header_rects.first().map(|(_, r)| (r.top(), r.bottom()))
                {
                    let painter = ui.ctx().layer_painter(egui::LayerId::new(
                        egui::Order::Foreground,
                        egui::Id::unique("column-drop"),
                    ));
                    painter.line_segment(
                        [egui::pos2(line_x, top), egui::pos2(line_x, bottom)],
                        egui::Stroke::new(3.0, ui.visuals().selection.bg_fill),
                    );
                }
            }
        }
        let widths = lefts
            .windows(2)
            .filter_map(|w| Some((w.first()?.0, w.get(1)?.1 - w.first()?.1)));
        for (k, w) in widths {
            if let Some(c) = cols.get_mut(k)
                && w.is_finite()
                && w > 10.0
                && (c.width - w).abs() > 0.5
            {
                c.width = w;
            }
        }
        if let Some(e) = header_edit {
            e.apply(cols);
            // Sorted by a column no longer shown: back to capture order.
            if self
                .sort
                .as_ref()
                .is_some_and(|(s, _)| !cols.iter().any(|c| c.visible && c.id == *s))
            {
                self.sort = None;
                self.sort_dirty = true;
            }
        }
        let more = builds >= rows::BUILDS_PER_FRAME || fields_pending;
        for (i, w) in found {
            self.row_experts.set(i, w);
        }
        if more {
            // Rows still without a severity or field values: finish them next frame.
            ui.ctx().request_repaint();
        }
    }
}

/// A change to the columns chosen in the header menu (applied after the table is drawn).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HeaderEdit {
    /// Show or hide the column at this index of the settings' list.
    Toggle(usize),
    /// Hide it.
    Hide(usize),
    /// Move it left (true) or right.
    Move(usize, bool),
    /// Move it before this shown column (`None`: to the end): a header dropped there.
    Drop(usize, Option<usize>),
    /// Remove a field column.
    Remove(usize),
    /// Back to the built-in columns in their order and widths.
    Reset,
}

impl HeaderEdit {
    fn apply(self, cols: &mut Vec<ColumnSetting>) {
        match self {
            HeaderEdit::Toggle(k) => {
                if let Some(c) = cols.get_mut(k) {
                    c.visible = !c.visible;
                }
            }
            HeaderEdit::Hide(k) => {
                if let Some(c) = cols.get_mut(k) {
                    c.visible = false;
                }
            }
            HeaderEdit::Move(k, left) => columns::move_column(cols, k, left),
            HeaderEdit::Drop(k, to) => columns::drop_column(cols, k, to),
            HeaderEdit::Remove(k) => {
                if k < cols.len() {
                    cols.remove(k);
                }
            }
            HeaderEdit::Reset => *cols = columns::default_columns(),
        }
        *cols = columns::normalized(cols);
    }
}

/// Where a header dropped at `x` goes, given the shown headers' cells (settings index and
/// rect, left to right): before the first column whose middle is right of `x` (`None`: after
/// the last), and the x of that gap.
fn drop_target(cells: &[(usize, egui::Rect)], x: f32) -> (Option<usize>, f32) {
    match cells.iter().find(|(_, r)| r.center().x > x) {
        Some((k, r)) => (Some(*k), r.left()),
        None => (None, cells.last().map_or(x, |(_, r)| r.right())),
    }
}

/// The column header's context menu for column `k` (index into `cols`).
fn header_menu(ui: &mut Ui, cols: &[ColumnSetting], k: usize) -> Option<HeaderEdit> {
    let mut edit = None;
    let this = cols.get(k)?;
    let shown = cols.iter().filter(|c| c.visible).count();
    if ui
        .add_enabled(
            shown > 1,
            egui::Button::new(format!("Hide {}", this.title())),
        )
        .clicked()
    {
        edit = Some(HeaderEdit::Hide(k));
    }
    if ui.button("Move left").clicked() {
        edit = Some(HeaderEdit::Move(k, true));
    }
    if ui.button("Move right").clicked() {
        edit = Some(HeaderEdit::Move(k, false));
    }
    if matches!(this.id, ColumnId::Field(_)) && ui.button("Remove this column").clicked() {
        edit = Some(HeaderEdit::Remove(k));
    }
    ui.separator();
    ui.label("Columns shown:");
    for (j, c) in cols.iter().enumerate() {
        let mut on = c.visible;
        let last = on && shown == 1;
        if ui
            .add_enabled(!last, egui::Checkbox::new(&mut on, c.title()))
            .clicked()
        {
            edit = Some(HeaderEdit::Toggle(j));
        }
    }
    ui.separator();
    if ui.button("Reset columns").clicked() {
        edit = Some(HeaderEdit::Reset);
    }
    if edit.is_some() {
        ui.close();
    }
    edit
}

/// The Process cell of message `i`: `COMM[PID]` from its frame's `proc:` packet comment
/// (`nlscope trace`, or capture-time attribution); empty when unknown.
pub fn process_text(store: &Store, i: usize) -> String {
    store
        .msg(i)
        .and_then(|e| ProcInfo::from_comments(store.frame_comments(e.frame)))
        .map(|p| format!("{}[{}]", p.comm, p.pid))
        .unwrap_or_default()
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

/// The background of a marked row (Wireshark's marked rows are dark on light).
fn mark_color(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgb(0xd8, 0xd8, 0xd8)
    } else {
        Color32::from_rgb(0x20, 0x20, 0x20)
    }
}

/// The text of a marked row.
fn mark_text_color(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgb(0x10, 0x10, 0x10)
    } else {
        Color32::from_rgb(0xf0, 0xf0, 0xf0)
    }
}

/// A faint background per netlink protocol (works on dark and light themes); the timeline
/// stacks its bars in the same colours.
fn family_color(protocol: u32) -> Color32 {
    super::timeline::class_color(super::timeline::family_class(protocol), 28)
}

// The same text as Export's summary lines and CSV rows (`export::TimeStyle`).
fn secs(ns: i128) -> String {
    crate::model::time::secs_us(ns)
}

fn time_of_day(ns: i128) -> String {
    crate::model::time::time_of_day(ns)
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
}
