//! Per-row expert severity for the packet list: the worst expert note of a message's tree
//! (warnings and errors colour the row), found when the row is first shown and kept, so the
//! list never builds trees for rows nobody looks at. Also the rows the user marked or
//! ignored ([`RowMarks`]).

use std::collections::BTreeSet;

use crate::export::job::{mark_comment, marked_positions};
use crate::model::Severity;
use crate::store::{Mark, NO_MSG, Store};

/// Trees built per frame for rows shown for the first time (the rest follow next frame).
pub const BUILDS_PER_FRAME: usize = 64;

const UNKNOWN: u8 = 0;
const CLEAN: u8 = 1;

fn code(s: Option<Severity>) -> u8 {
    match s {
        None => CLEAN,
        Some(Severity::Note) => 2,
        Some(Severity::Warning) => 3,
        Some(Severity::Error) => 4,
    }
}

fn decode(c: u8) -> Option<Option<Severity>> {
    match c {
        CLEAN => Some(None),
        2 => Some(Some(Severity::Note)),
        3 => Some(Some(Severity::Warning)),
        4 => Some(Some(Severity::Error)),
        _ => None,
    }
}

/// The worst expert severity in the tree of store row `i` (frame problems count as errors).
pub fn worst_severity(store: &Store, i: usize) -> Option<Severity> {
    let problem = store
        .msg(i)
        .and_then(|e| store.frame_problem(e.frame))
        .map(|_| Severity::Error);
    let Some(v) = store.view(i) else {
        return problem;
    };
    let mut worst = problem;
    for n in v.tree() {
        n.walk(&mut |n| {
            if let Some(e) = &n.expert {
                worst = worst.max(Some(e.severity));
            }
        });
    }
    worst
}

/// Known severities of store rows (one byte per row, filled as rows are shown).
#[derive(Debug, Default)]
pub struct RowExperts {
    codes: Vec<u8>,
}

impl RowExperts {
    /// The worst severity of row `i`, if it has been worked out: `Some(None)` for none.
    pub fn get(&self, i: usize) -> Option<Option<Severity>> {
        self.codes.get(i).copied().and_then(decode)
    }

    /// Record row `i`'s severity.
    pub fn set(&mut self, i: usize, s: Option<Severity>) {
        if self.codes.len() <= i {
            self.codes.resize(i + 1, UNKNOWN);
        }
        if let Some(c) = self.codes.get_mut(i) {
            *c = code(s);
        }
    }
}

/// How a packet-list row is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowTone {
    /// Family tint only.
    Plain,
    /// An expert warning in the tree.
    Warning,
    /// An error ack, a frame problem, or an expert error in the tree.
    Error,
}

/// The tone of a row from its mark and (if known) its worst expert severity.
pub fn row_tone(mark: Mark, worst: Option<Severity>) -> RowTone {
    match (mark, worst) {
        (Mark::Error, _) | (_, Some(Severity::Error)) => RowTone::Error,
        (_, Some(Severity::Warning)) => RowTone::Warning,
        _ => RowTone::Plain,
    }
}

/// Rows the user marked (Ctrl+M: kept in saved pcapng files as packet comments) and ignored
/// (left out of the list and of every save and export).
#[derive(Debug, Default)]
pub struct RowMarks {
    /// Marked store rows.
    pub marked: BTreeSet<u32>,
    /// Ignored store rows.
    pub ignored: BTreeSet<u32>,
    /// Frames of the store whose comments have been read for marks.
    frames_read: usize,
}

impl RowMarks {
    /// Whether row `i` is marked.
    pub fn is_marked(&self, i: usize) -> bool {
        u32::try_from(i).is_ok_and(|i| self.marked.contains(&i))
    }

    /// Whether row `i` is ignored.
    pub fn is_ignored(&self, i: usize) -> bool {
        u32::try_from(i).is_ok_and(|i| self.ignored.contains(&i))
    }

    /// Mark rows `rows` or, when all of them are marked, unmark them.
    pub fn toggle_marked(&mut self, rows: &[u32]) {
        toggle(&mut self.marked, rows);
    }

    /// Ignore rows `rows` or, when all of them are ignored, stop ignoring them.
    pub fn toggle_ignored(&mut self, rows: &[u32]) {
        toggle(&mut self.ignored, rows);
    }

    /// Mark the rows that frames loaded since the last call say were marked when saved
    /// (their `nlscope-marked:` packet comment), and tell the store (`frame.marked`).
    pub fn read_comments(&mut self, store: &mut Store) {
        let n = store.frame_count();
        let before = self.marked.len();
        for f in self.frames_read..n {
            let Ok(fno) = u32::try_from(f) else {
                break;
            };
            let comments = store.frame_comments(fno);
            if comments.is_empty() {
                continue;
            }
            let Some(fm) = store.frame(f) else {
                continue;
            };
            for pos in comments
                .iter()
                .filter_map(|c| marked_positions(c))
                .flatten()
            {
                // A frame without messages has one row; its position is written as `-`.
                let k = if pos == NO_MSG { 0 } else { u32::from(pos) };
                if pos == NO_MSG || k < fm.msg_count {
                    self.marked.insert(fm.first_msg.saturating_add(k));
                }
            }
        }
        self.frames_read = n;
        if self.marked.len() != before {
            store.set_marked(self.marked.clone());
        }
    }

    /// The `nlscope-marked:` comment of each frame holding marked rows, for a save.
    pub fn frame_comments(&self, store: &Store) -> Vec<(u32, String)> {
        let mut out: Vec<(u32, Vec<u16>)> = Vec::new();
        for &i in &self.marked {
            let Some(e) = store.msg(i as usize) else {
                continue;
            };
            match out.last_mut() {
                Some((f, v)) if *f == e.frame => v.push(e.pos),
                _ => out.push((e.frame, vec![e.pos])),
            }
        }
        out.into_iter()
            .map(|(f, v)| (f, mark_comment(&v)))
            .collect()
    }
}

fn toggle(set: &mut BTreeSet<u32>, rows: &[u32]) {
    if rows.iter().all(|r| set.contains(r)) {
        for r in rows {
            set.remove(r);
        }
    } else {
        set.extend(rows.iter().copied());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toggling_marks_all_or_unmarks_all() {
        let mut m = RowMarks::default();
        m.toggle_marked(&[1, 2]);
        assert!(m.is_marked(1) && m.is_marked(2));
        m.toggle_marked(&[2, 3]);
        assert!(m.is_marked(3));
        m.toggle_marked(&[2, 3]);
        assert!(!m.is_marked(2) && !m.is_marked(3) && m.is_marked(1));
        m.toggle_ignored(&[7]);
        assert!(m.is_ignored(7));
    }

    #[test]
    fn codes_round_trip_and_unknown_stays_unknown() {
        let mut r = RowExperts::default();
        assert_eq!(r.get(5), None);
        r.set(5, Some(Severity::Warning));
        r.set(2, None);
        assert_eq!(r.get(5), Some(Some(Severity::Warning)));
        assert_eq!(r.get(2), Some(None));
        assert_eq!(r.get(3), None);
        r.set(3, Some(Severity::Error));
        assert_eq!(r.get(3), Some(Some(Severity::Error)));
    }

    #[test]
    fn tones() {
        assert_eq!(row_tone(Mark::Error, None), RowTone::Error);
        assert_eq!(
            row_tone(Mark::Normal, Some(Severity::Error)),
            RowTone::Error
        );
        assert_eq!(
            row_tone(Mark::Normal, Some(Severity::Warning)),
            RowTone::Warning
        );
        assert_eq!(row_tone(Mark::Normal, Some(Severity::Note)), RowTone::Plain);
        assert_eq!(row_tone(Mark::Normal, None), RowTone::Plain);
    }
}
