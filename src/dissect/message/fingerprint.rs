//! [`MessageView::fingerprint`]: what a message's tree is decoded from, hashed without
//! building it.

use super::super::attrs::{Fingerprint, Walker};
use super::super::families::Payload;
use super::{MessageView, Target, TargetIds};
use crate::netlink::NLMSG_HDRLEN;

impl MessageView<'_> {
    /// A hash of the message's kind and of the bytes its tree ([`MessageView::tree`]) is
    /// decoded from, leaving out the attributes whose field path `skip` accepts (with all
    /// below them). Two messages with the same fingerprint have the same tree outside those
    /// attributes, as long as what the dissector has learned (names, ids) is the same.
    ///
    /// Where a family's code reads across attributes (`Family::finish`), or the payload is
    /// not attributes of a known spec, every payload byte counts.
    pub fn fingerprint(&self, skip: &dyn Fn(&str) -> bool) -> u64 {
        let m = &self.m;
        let mut fp = Fingerprint::default();
        // What the tree is read as: the spec and operation the kind resolves to (a dump reply
        // and a notification of one object read alike), the direction and byte order.
        fp.word(u64::from(m.protocol) | (m.direction as u64) << 8 | (m.endian as u64) << 16);
        let none = u64::MAX;
        let (a, b, c) = match self.resolved().target {
            TargetIds::Control => (0, u64::from(m.ty), 0),
            TargetIds::Genl { spec, op } => (
                1,
                spec.map_or(none, |s| s as u64),
                op.map_or(none, |o| o as u64),
            ),
            TargetIds::Raw { spec, op } => (2, spec as u64, op as u64),
            TargetIds::Unknown => (3, u64::from(m.ty), 0),
        };
        fp.word(a);
        fp.word(b);
        fp.word(c);
        let start = m.offset + NLMSG_HDRLEN;
        let end = (m.offset + m.present).min(self.data.len());
        if self.is_uevent() || m.present < NLMSG_HDRLEN || start > end {
            fp.bytes(self.message_bytes());
            return fp.finish();
        }
        let whole = |fp: &mut Fingerprint| {
            fp.bytes(self.payload_bytes());
            fp.finish()
        };
        let (walker, set, mut pos) = match self.target() {
            Target::Raw { spec, op } => {
                let hooks = self.hooks();
                let p = Payload {
                    view: self,
                    specs: &self.d.specs,
                    spec,
                    op,
                    m,
                    data: self.data,
                    start,
                    end,
                };
                let (spec, hdr, set) = match hooks.layout(&p) {
                    Some(l) => (l.spec, l.header, l.set),
                    None => {
                        let hdr = op.fixed_header.as_deref().or(spec.fixed_header.as_deref());
                        let set = op.attribute_set.as_deref().and_then(|s| spec.sets.get(s));
                        (spec, hdr.and_then(|h| spec.structs.get(h)), set)
                    }
                };
                if hooks.finish_reads_values() || hooks.short_header(&p, hdr).is_some() {
                    return whole(&mut fp);
                }
                let w = Walker {
                    data: self.data,
                    endian: m.endian,
                    spec: Some(spec),
                    overrides: hooks.overrides(&p),
                    op: Some(op.name.as_str()),
                    want: None,
                };
                let mut pos = start;
                if let Some(st) = hdr {
                    pos = w.header_end(st, pos, end);
                }
                if let Some((_, after)) = hooks.between(&p, pos) {
                    pos = after;
                }
                (w, set, pos)
            }
            Target::Genl {
                spec: Some(spec),
                op,
                ..
            } if end - start >= 4 => {
                let w = Walker {
                    data: self.data,
                    endian: m.endian,
                    spec: Some(spec),
                    overrides: Vec::new(),
                    op: op.map(|o| o.name.as_str()),
                    want: None,
                };
                let mut pos = start + 4;
                let hdr = op
                    .and_then(|o| o.fixed_header.as_deref())
                    .or(spec.fixed_header.as_deref());
                if let Some(st) = hdr.and_then(|h| spec.structs.get(h)) {
                    pos = w.header_end(st, pos, end);
                }
                let set = op
                    .and_then(|o| o.attribute_set.as_deref())
                    .or_else(|| spec.sole_set())
                    .and_then(|s| spec.sets.get(s));
                let w = Walker {
                    endian: if spec.attrs_big_endian {
                        crate::model::Endian::Big
                    } else {
                        m.endian
                    },
                    ..w
                };
                (w, set, pos)
            }
            _ => return whole(&mut fp),
        };
        let Some(spec) = walker.spec else {
            return whole(&mut fp);
        };
        // The family header and anything before the attributes, as they are.
        pos = pos.clamp(start, end);
        fp.bytes(self.data.get(start..pos).unwrap_or_default());
        let mut path = spec.field_root().to_string();
        walker.fingerprint(pos, end, set, &mut path, 0, skip, &mut fp);
        fp.finish()
    }
}
