//! Display filters over the store's rows, on the UI thread in slices ([`Store::filter_range`])
//! and on worker threads ([`super::FilterJob`]): both filter rows with a [`FilterCtx`].

use super::{FrameRec, NO_MSG, Row, Segment, Store, comments_of};
use crate::capture::trace::ProcInfo;
use crate::conv::Conversations;
use crate::conv::changes::Changes;
use crate::dissect::fields::{MsgFields, Reads};
use crate::dissect::{Dissector, MessageView};
use crate::filter::Filter;

impl Store {
    /// Append to `out` the indices in `range` of the messages that pass `filter`.
    /// A filter over header fields only never builds a tree; with `reads` (the filter's
    /// [`crate::dissect::fields::Catalog::reads`]) a tree holds only what the filter reads,
    /// and messages it cannot match are skipped unread.
    pub fn filter_range(
        &self,
        filter: &Filter,
        reads: &Reads,
        range: std::ops::Range<usize>,
        out: &mut Vec<u32>,
    ) {
        let end = range.end.min(self.row_count);
        if range.start >= end {
            return;
        }
        if filter.is_empty() {
            out.extend((range.start..end).map(|i| u32::try_from(i).unwrap_or(u32::MAX)));
            return;
        }
        let changes = |i: usize, _: &MessageView| self.changes(i);
        let ctx = FilterCtx {
            dis: &self.dis,
            filter,
            reads,
            conv: Some(&self.conv),
            marked: &self.marked,
            comments: &self.comments,
            t0: self.first_ts(),
            changes: filter.needs_changes().then_some(&changes),
        };
        ctx.filter_rows(self.walk_rows(range.start..end), out);
    }

    /// Indices of all messages that pass `filter`.
    pub fn filter_all(&self, filter: &Filter) -> Vec<u32> {
        let mut v = Vec::new();
        self.filter_range(filter, &Reads::default(), 0..self.row_count, &mut v);
        v
    }
}

/// What filtering rows reads besides the rows: the store's, or a [`super::FilterJob`]'s copy.
pub(super) struct FilterCtx<'a> {
    pub(super) dis: &'a Dissector,
    pub(super) filter: &'a Filter,
    /// What the filter reads (its trees' fields, the messages it cannot match).
    pub(super) reads: &'a Reads,
    pub(super) conv: Option<&'a Conversations>,
    pub(super) marked: &'a std::collections::BTreeSet<u32>,
    pub(super) comments: &'a [(u32, Vec<String>)],
    pub(super) t0: Option<i128>,
    /// What changed in row `i`, whose view is given (only for filters on changes).
    pub(super) changes: Option<&'a ChangesOf<'a>>,
}

/// See [`FilterCtx::changes`].
pub(super) type ChangesOf<'a> = dyn Fn(usize, &MessageView) -> Option<Changes> + 'a;

impl FilterCtx<'_> {
    /// Push the indices of the `rows` that pass the filter to `out`.
    pub(super) fn filter_rows<'s>(
        &self,
        rows: impl Iterator<Item = (usize, &'s Segment, &'s Row, &'s FrameRec)>,
        out: &mut Vec<u32>,
    ) {
        let wants_process = self.filter.needs_process();
        // Comparing reads whole trees: the filter reads those.
        let want = self
            .reads
            .want
            .as_ref()
            .filter(|_| !self.filter.needs_changes());
        let unseen = self.reads.unseen.as_ref();
        // The last frame's parsed `proc:` comment: its messages are consecutive rows.
        let mut process: Option<(usize, Option<ProcInfo>)> = None;
        for (i, s, r, fr) in rows {
            if r.pos == NO_MSG {
                continue;
            }
            let frame_ix = s.frame_start + r.frame as usize;
            if wants_process && process.as_ref().is_none_or(|p| p.0 != frame_ix) {
                let comments = u32::try_from(frame_ix)
                    .map(|f| comments_of(self.comments, f))
                    .unwrap_or(&[]);
                process = Some((frame_ix, ProcInfo::from_comments(comments)));
            }
            let data = s.frame_bytes(fr);
            let idx = r.index(fr.len);
            let view = self.dis.view(data, &idx);
            if unseen.is_some_and(|u| u.cannot_match(&view)) {
                continue;
            }
            let ts = (i128::from(fr.ts_hi) << 64) | i128::from(fr.ts_lo);
            let mut fields = MsgFields::new(&view, frame_ix as u64 + 1, ts, fr.len as usize)
                .with_linked(self.conv.and_then(|c| c.linked(i)))
                .with_process(process.as_ref().and_then(|p| p.1.as_ref()))
                .with_marked(u32::try_from(i).is_ok_and(|i| self.marked.contains(&i)))
                .wanting(want);
            if let Some(t0) = self.t0 {
                fields = fields.relative_to(t0);
            }
            if let Some(c) = self.changes {
                fields.changes = c(i, &view);
            }
            if self.filter.matches(&fields) {
                out.push(u32::try_from(i).unwrap_or(u32::MAX));
            }
        }
    }
}
