//! Passes over a capture file on the calling thread, with frames borrowed from the reader:
//! the interface-name pass of summary lines, correlation a window ahead, `stats` and `state`.

use std::fs::File;

use super::{ReadOptions, dissector, endian_of};
use crate::cli::CliError;
use crate::cli::lookahead::{Lookahead, WINDOW};
use crate::conv::Linked;
use crate::dissect::{Dissector, FrameIndex, MsgIndex, specs::SpecRegistry};
use crate::pcap::{BorrowedFrame, ReadError};

/// Read the capture file at `path` (up to `count` frames) on this thread, indexing every frame
/// with `dis` (which learns as it goes), and call `f` with each frame's 1-based number. A read
/// error is returned after every frame before it was seen.
pub(crate) fn walk_file(
    path: &str,
    count: Option<u64>,
    dis: &mut Dissector,
    f: &mut dyn FnMut(&Dissector, u64, &BorrowedFrame, &FrameIndex),
) -> Result<(), CliError> {
    walk(path, count, dis, false, f)
}

/// Teach `dis` the interface names of the capture file at `path` (up to `count` frames), as
/// [`walk_file`] would, indexing only the frames that may name links. A read error ends it:
/// the pass that prints reports it.
pub(crate) fn learn_link_names(path: &str, count: Option<u64>, dis: &mut Dissector) {
    let _ = walk(path, count, dis, true, &mut |_, _, _, _| {});
}

/// [`learn_link_names`] from the pcap record at file offset `from` up to the first record at
/// or after offset `until`, whose offset it returns (`None`: the file ended first, or a read
/// error did).
pub(crate) fn learn_link_names_between(
    path: &str,
    from: u64,
    until: u64,
    dis: &mut Dissector,
) -> Option<u64> {
    walk_span(path, None, from..until, dis, true, &mut |_, _, _, _| {}).unwrap_or(None)
}

/// What the capture file at `path` shows, up to the first record at or after file offset
/// `until`, of the specs reading it will need: the classic protocols met (a bit per number),
/// the generic netlink families whose messages it has, and whether a generic netlink message
/// came before its family was named (it is then told from every spec). Families an nlctrl
/// dump only names are left out (`genl ctrl list` names every family of the kernel: on the
/// bench file 11 specs, 3.3M of its 44.8M instructions of specs). Learned by a
/// dissector without specs, which knows the ids the user named (`--genl`, `pins`).
pub(crate) fn sniff(path: &str, until: u64, pins: &[(String, u16)]) -> (u32, Vec<String>, bool) {
    let mut dis = Dissector::new(SpecRegistry::new());
    for (name, id) in pins {
        dis.pin_genl(*id, name);
    }
    let (mut protocols, mut unnamed) = (0u32, false);
    let mut ids = std::collections::BTreeSet::new();
    let _ = walk_span(path, None, 0..until, &mut dis, false, &mut |d, _, _, fi| {
        for m in &fi.msgs {
            protocols |= 1u32.checked_shl(m.protocol).unwrap_or(0);
            if m.protocol == crate::netlink::NETLINK_GENERIC
                && m.ty >= crate::netlink::NLMSG_MIN_TYPE
            {
                unnamed |= d.genl_family(m.ty).is_none();
                ids.insert(m.ty);
            }
        }
    });
    let genl = ids
        .iter()
        .filter_map(|id| dis.genl_family(*id))
        .map(str::to_string)
        .collect();
    (protocols, genl, unnamed)
}

/// [`walk_file`], or [`learn_link_names`] if `links_only` (`f` is then not called). Frames
/// are borrowed from the reader: parsing here costs less than copying each frame to hand it
/// over from another thread.
fn walk(
    path: &str,
    count: Option<u64>,
    dis: &mut Dissector,
    links_only: bool,
    f: &mut dyn FnMut(&Dissector, u64, &BorrowedFrame, &FrameIndex),
) -> Result<(), CliError> {
    walk_span(path, count, 0..u64::MAX, dis, links_only, f).map(|_| ())
}

/// [`walk`] over the records from file offset `span.start` (a pcap record's, or 0) to the
/// first at or after `span.end`, whose offset it returns.
fn walk_span(
    path: &str,
    count: Option<u64>,
    span: std::ops::Range<u64>,
    dis: &mut Dissector,
    links_only: bool,
    f: &mut dyn FnMut(&Dissector, u64, &BorrowedFrame, &FrameIndex),
) -> Result<Option<u64>, CliError> {
    let input = File::open(path).map_err(|e| CliError::new(format!("cannot open {path}: {e}")))?;
    let read_err = |e: ReadError| CliError::new(format!("{path}: {e}"));
    let mut r = crate::pcap::Reader::new(input).map_err(read_err)?;
    if span.start > 0 {
        r.seek_record(span.start)
            .map_err(|e| CliError::new(format!("{path}: {e}")))?;
    }
    let mut fi = FrameIndex::default();
    let (mut no, mut seen) = (0u64, 0usize);
    while count.is_none_or(|c| no < c) {
        let frame = match r.next_frame_borrowed() {
            None => break,
            Some(Err(e)) => return Err(read_err(e)),
            Some(Ok(frame)) => frame,
        };
        if frame.file_offset >= span.end {
            return Ok(Some(frame.file_offset));
        }
        no += 1;
        // As `feed` hands them over: a section's comments before its first frame.
        for c in frame.section_comments.get(seen..).unwrap_or_default() {
            dis.learn_from_comment(c);
        }
        seen = frame.section_comments.len();
        for c in &frame.comments {
            dis.learn_from_comment(c);
        }
        let endian = endian_of(frame.byte_order);
        if links_only {
            dis.learn_link_names(frame.data, frame.linktype, endian, &mut fi);
            continue;
        }
        dis.index_frame_into(frame.data, frame.linktype, endian, &mut fi);
        f(dis, no, &frame, &fi);
    }
    Ok(None)
}

/// One message as [`walk_linked`] hands it over.
pub(crate) struct Walked<'a> {
    /// The dissector (it has learned what came before the message).
    pub dis: &'a Dissector,
    /// The frame's 1-based number.
    pub no: u64,
    /// The frame.
    pub frame: &'a BorrowedFrame<'a>,
    /// The message's header.
    pub m: &'a MsgIndex,
    /// What correlation knows of it.
    pub linked: Option<Linked>,
    /// Time of the capture's first frame.
    pub t0: i128,
}

/// Read the capture file at `path` twice at once: one pass correlates it a window ahead
/// ([`Lookahead`]), the other calls `f` with each message in order. The commands built on
/// correlation (`stats`, `state`) read so.
pub(crate) fn walk_linked(
    path: &str,
    count: Option<u64>,
    pins: &ReadOptions,
    specs: SpecRegistry,
    f: &mut dyn FnMut(&Walked),
) -> Result<(), CliError> {
    File::open(path).map_err(|e| CliError::new(format!("cannot open {path}: {e}")))?;
    let mut ahead = Lookahead::start(path, count, &dissector(pins, specs.clone())?, WINDOW);
    let mut dis = dissector(pins, specs)?;
    let mut t0 = None;
    walk_file(path, count, &mut dis, &mut |dis, no, frame, fi| {
        let t0 = *t0.get_or_insert(frame.ts_ns);
        // As in `read`: a frame without messages takes an ordinal too.
        let links: Vec<_> = (0..fi.msgs.len().max(1)).map(|_| ahead.next()).collect();
        for (mi, m) in fi.msgs.iter().enumerate() {
            f(&Walked {
                dis,
                no,
                frame,
                m,
                linked: links.get(mi).copied().flatten(),
                t0,
            });
        }
    })
}
