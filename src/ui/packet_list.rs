//! The packet list panel: the displayed rows (what the applied filter let through so far), their
//! sort order, the scroll requests and the per-row expert colours. Drawing reports clicks as
//! [`Action`]s; the selection itself is the [`App`](super::App)'s.

use egui::{Align, Color32, CornerRadius, Layout, RichText, Sense, Ui, Vec2};
use egui_extras::{Column, TableBuilder};

use super::TimeFormat;
use super::rows::{self, RowExperts, RowTone};
use super::tree_panel::severity_color;
use super::view::Action;
use crate::capture::trace::ProcInfo;
use crate::model::{Direction, Severity};
use crate::store::{NO_MSG, Store};

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
    pub sort: Option<(Col, bool)>,
    /// New rows arrived since the last sort.
    pub(super) sort_dirty: bool,
    /// Scroll the list to the selection on the next frame.
    pub scroll_to_selected: bool,
    /// Scroll the list to its top on the next frame (a newly opened file).
    pub scroll_to_top: bool,
    /// Worst expert severity of the rows shown so far.
    pub row_experts: RowExperts,
}

impl PacketList {
    /// Forget the rows (a new store, or a new filter): everything is filtered again.
    pub(super) fn clear_rows(&mut self) {
        self.displayed.clear();
        self.filtered_upto = 0;
    }

    /// Display row of store index `sel`, if it is displayed.
    pub fn row_of(&self, sel: Option<usize>) -> Option<usize> {
        let s = u32::try_from(sel?).ok()?;
        self.displayed.iter().position(|&i| i == s)
    }

    /// Sort by `col` (toggling the direction when it is already the key).
    pub fn sort_by(&mut self, col: Col, store: &Store) {
        self.sort = match self.sort {
            Some((c, asc)) if c == col => Some((c, !asc)),
            _ => Some((col, true)),
        };
        self.sort_now(store);
    }

    /// Put the displayed rows in the order of [`PacketList::sort`].
    pub(super) fn sort_now(&mut self, store: &Store) {
        self.sort_dirty = false;
        let Some((col, asc)) = self.sort else {
            self.displayed.sort_unstable();
            return;
        };
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
    /// (store index); `to_end` scrolls to the last row (live capture autoscroll).
    pub(super) fn ui(
        &mut self,
        ui: &mut Ui,
        store: &Store,
        selected: Option<usize>,
        tf: TimeFormat,
        to_end: bool,
        actions: &mut Vec<Action>,
    ) {
        let row_h = ui.text_style_height(&egui::TextStyle::Body) + 5.0;
        let sel_row = self.row_of(selected);
        let dark = ui.visuals().dark_mode;
        // Cells touch, so a row's tint is one band; text gets its own padding.
        ui.spacing_mut().item_spacing = Vec2::ZERO;
        let mut table = TableBuilder::new(ui)
            .id_salt("packet-list")
            .striped(false)
            .resizable(true)
            .sense(Sense::click())
            .cell_layout(Layout::left_to_right(Align::Center))
            .column(Column::initial(70.0).at_least(40.0))
            .column(Column::initial(100.0).at_least(40.0))
            .column(Column::initial(105.0).at_least(30.0))
            .column(Column::initial(80.0).at_least(30.0))
            .column(Column::initial(150.0).at_least(40.0))
            .column(Column::initial(110.0).at_least(30.0))
            .column(Column::initial(90.0).at_least(30.0))
            .column(Column::initial(70.0).at_least(30.0))
            .column(Column::initial(110.0).at_least(30.0))
            .column(Column::initial(50.0).at_least(30.0))
            .column(Column::remainder().at_least(100.0))
            .min_scrolled_height(0.0);
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
        let sort = self.sort;
        let mut builds = 0usize;
        let mut found = Vec::new();
        table
            .header(row_h + 4.0, |mut header| {
                for c in Col::ALL {
                    header.col(|ui| {
                        ui.add_space(4.0);
                        let arrow = match sort {
                            Some((s, true)) if s == c => " ^",
                            Some((s, false)) if s == c => " v",
                            _ => "",
                        };
                        let r = ui.add(
                            egui::Label::new(
                                RichText::new(format!("{}{arrow}", c.title())).strong(),
                            )
                            .sense(Sense::click())
                            .selectable(false),
                        );
                        if r.on_hover_text("Click to sort").clicked() {
                            actions.push(Action::Sort(c));
                        }
                    });
                }
            })
            .body(|body| {
                body.rows(row_h, self.displayed.len(), |mut row| {
                    let r = row.index();
                    let Some(&i) = self.displayed.get(r) else {
                        return;
                    };
                    let i = i as usize;
                    let texts = self.cell_texts(store, tf, r, i);
                    let mark = store.mark(i);
                    let proto = store.msg(i).map_or(0, |e| e.idx.protocol);
                    let dirn = store.direction(i);
                    row.set_selected(sel_row == Some(r));
                    let bg = family_color(proto);
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
                    for (ci, t) in texts.into_iter().enumerate() {
                        row.col(|ui| {
                            if sel_row != Some(r) {
                                ui.painter()
                                    .rect_filled(ui.max_rect(), CornerRadius::ZERO, bg);
                            }
                            let mut rt = RichText::new(t);
                            if ci == 2 {
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
                            ui.add_space(4.0);
                            if ci == 2 && dirn != Direction::Unknown {
                                direction_arrow(ui, dirn, dir_fg);
                            }
                            ui.add(egui::Label::new(rt).selectable(false).truncate());
                        });
                    }
                    if row.response().clicked() {
                        actions.push(Action::SelectRow(r));
                    }
                });
            });
        let more = builds >= rows::BUILDS_PER_FRAME;
        for (i, w) in found {
            self.row_experts.set(i, w);
        }
        if more {
            // Rows still without a severity: finish them next frame.
            ui.ctx().request_repaint();
        }
    }
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
