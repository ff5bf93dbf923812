//! Per-row expert severity for the packet list: the worst expert note of a message's tree
//! (warnings and errors colour the row), found when the row is first shown and kept, so the
//! list never builds trees for rows nobody looks at.

use crate::model::Severity;
use crate::store::{Mark, Store};

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

#[cfg(test)]
mod tests {
    use super::*;

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
