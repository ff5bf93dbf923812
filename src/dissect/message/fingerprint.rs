//! [`MessageView::fingerprint`]: what a message's tree is decoded from, hashed without
//! building it.

use super::super::attrs::{AttrPrints, Fingerprint, Walker};
use super::super::specs::{Spec, StructDef};
use super::tree::genl_layout;
use super::{MessageView, Target, TargetIds};
use crate::netlink::NLMSG_HDRLEN;

impl MessageView<'_> {
    /// A hash of the message's kind and of the bytes its tree ([`MessageView::tree`]) is
    /// decoded from, leaving out counters ([`crate::dissect::specs::Attr::volatile`], with all
    /// below them). Two messages with the same fingerprint have the same tree outside those
    /// attributes, as long as what the dissector has learned (names, ids) is the same.
    ///
    /// Where a family's code reads across attributes (`Family::finish`), or the payload is
    /// not attributes of a known spec, every payload byte counts.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint_into(None)
    }

    /// [`MessageView::fingerprint`] with the hash of each attribute, for
    /// [`crate::dissect::attrs::Prune::against`].
    pub fn attr_prints(&self) -> AttrPrints {
        let mut prints = AttrPrints::with_room();
        prints.fingerprint = self.fingerprint_into(Some(&mut prints));
        prints
    }

    fn fingerprint_into(&self, rec: Option<&mut AttrPrints>) -> u64 {
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
        let mut context = fp;
        let start = m.offset + NLMSG_HDRLEN;
        let end = (m.offset + m.present).min(self.data.len());
        if self.is_uevent() || m.present < NLMSG_HDRLEN || start > end {
            // No payload after a header (a uevent, a malformed header: an expert, no payload
            // node): told apart from an empty payload, whose tree has a node.
            fp.word(u64::MAX);
            fp.bytes(self.message_bytes());
            return fp.finish();
        }
        let whole = |fp: &mut Fingerprint| {
            fp.bytes(self.payload_bytes());
            fp.finish()
        };
        let (walker, set, mut pos, hdr) = match self.target() {
            Target::Raw { spec, op } => {
                let hooks = self.hooks();
                let (p, layout) = self.raw_layout(spec, op, start, end);
                let (spec, hdr, set) = (layout.spec, layout.header, layout.set);
                if hooks.short_header(&p, hdr).is_some() {
                    return whole(&mut fp);
                }
                let w = Walker {
                    data: self.data,
                    endian: m.endian,
                    spec: Some(spec),
                    overrides: hooks.overrides(&p),
                    op: Some(op.name.as_str()),
                    want: None,
                    prune: None,
                };
                let mut pos = start;
                if let Some(st) = hdr {
                    pos = w.header_end(st, pos, end);
                }
                // Values read across attributes: every attribute byte counts, but not the
                // header's counters (nfgenmsg's `res-id`, new in every answer after a commit).
                if hooks.finish_reads_values() {
                    fp.word(header_print(hdr, spec, self.data, (start, pos)));
                    fp.bytes(self.data.get(pos..end).unwrap_or_default());
                    return fp.finish();
                }
                for (f, s) in &w.overrides {
                    context.bytes(f.as_bytes());
                    context.bytes(s.as_bytes());
                }
                if let Some((_, after)) = hooks.between(&p, pos) {
                    pos = after;
                }
                (w, set, pos, hdr)
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
                    prune: None,
                };
                let mut pos = start + 4;
                let (hdr, set, endian) = genl_layout(spec, op, m.endian);
                if let Some(st) = hdr {
                    pos = w.header_end(st, pos, end);
                }
                (Walker { endian, ..w }, set, pos, hdr)
            }
            _ => return whole(&mut fp),
        };
        let Some(spec) = walker.spec else {
            return whole(&mut fp);
        };
        // The family header (but its counters) and anything before the attributes.
        pos = pos.clamp(start, end);
        let header = header_print(hdr, spec, self.data, (start, pos));
        fp.word(header);
        let mut path = spec.field_root().to_string();
        let mut rec = rec;
        if let Some(r) = rec.as_deref_mut() {
            r.header = header;
            r.context = context;
            r.usable = !spec.code_decoded;
        }
        walker.fingerprint(pos, end, set, &mut path, 0, &mut fp, rec);
        fp.finish()
    }
}

/// The hash of a payload's fixed header `st` and what follows it up to the attributes,
/// `data[start..end]`, but for its members named as counters ([`Member::volatile`]), which
/// trees show and what-changed skips.
fn header_print(
    st: Option<&StructDef>,
    spec: &Spec,
    data: &[u8],
    (start, end): (usize, usize),
) -> u64 {
    let bytes = data.get(start..end).unwrap_or_default();
    let mut h = Fingerprint::default();
    match st {
        Some(st) if st.members.iter().any(|m| m.volatile) => {
            let mut off = 0;
            for m in &st.members {
                let size = m.size(&spec.structs);
                if !m.volatile {
                    h.bytes(bytes.get(off..off + size).unwrap_or_default());
                }
                off += size;
                // A member of no fixed size (an array, the rest) ends the walk: the rest is
                // hashed whole below.
                if size == 0 || off >= bytes.len() {
                    break;
                }
            }
            h.bytes(bytes.get(off.min(bytes.len())..).unwrap_or_default());
        }
        _ => h.bytes(bytes),
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use crate::dissect::cooked::LINKTYPE_NETLINK;
    use crate::dissect::{Dissector, FrameIndex, specs::SpecRegistry};
    use crate::model::Endian;
    use crate::netlink::{nla, nlmsg};

    const LE: Endian = Endian::Little;

    /// An RTM_NEWLINK notification of link 3 (family `family`) with `attrs`, as a frame.
    fn link(family: u8, attrs: &[Vec<u8>]) -> Vec<u8> {
        let mut p = vec![family, 0, 1, 0];
        p.extend_from_slice(&3i32.to_le_bytes());
        p.extend_from_slice(&[0; 8]);
        for a in attrs {
            p.extend_from_slice(a);
        }
        let mut f = vec![0, 4, 0x03, 0x38, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        f.extend(nlmsg(LE, 16, 0, 0, 0, &p));
        f
    }

    /// The fingerprint of `frame`'s message.
    fn print(dis: &mut Dissector, frame: &[u8]) -> u64 {
        let mut fi = FrameIndex::default();
        dis.index_frame_into(frame, LINKTYPE_NETLINK, LE, &mut fi);
        let m = fi.msgs.first().expect("a message");
        dis.view(frame, m).fingerprint()
    }

    fn af_spec(inet6: &[Vec<u8>]) -> Vec<u8> {
        nla(LE, 26, &nla(LE, 10, &inet6.concat()))
    }

    /// Volatile attributes are left out at any depth, also in a set a family hook picks;
    /// every other byte counts.
    #[test]
    fn leaves_out_volatile_attributes_only() {
        let mut dis = Dissector::new(SpecRegistry::with_embedded());
        let mtu = |v: u32| nla(LE, 4, &v.to_le_bytes());
        let stats64 = |v: u8| nla(LE, 23, &[v; 200]);
        let inet6_stats = |v: u8| nla(LE, 3, &[v; 16]);
        let inet6_flags = |v: u32| nla(LE, 1, &v.to_le_bytes());
        let base = print(
            &mut dis,
            &link(
                0,
                &[
                    mtu(1500),
                    stats64(1),
                    af_spec(&[inet6_flags(0), inet6_stats(1)]),
                ],
            ),
        );
        let alike = [
            link(
                0,
                &[
                    mtu(1500),
                    stats64(9),
                    af_spec(&[inet6_flags(0), inet6_stats(1)]),
                ],
            ),
            link(
                0,
                &[
                    mtu(1500),
                    stats64(1),
                    af_spec(&[inet6_flags(0), inet6_stats(7)]),
                ],
            ),
            link(0, &[mtu(1500), af_spec(&[inet6_flags(0)])]),
        ];
        for f in &alike {
            assert_eq!(print(&mut dis, f), base);
        }
        let differ = [
            link(
                0,
                &[
                    mtu(9000),
                    stats64(1),
                    af_spec(&[inet6_flags(0), inet6_stats(1)]),
                ],
            ),
            link(
                0,
                &[
                    mtu(1500),
                    stats64(1),
                    af_spec(&[inet6_flags(1), inet6_stats(1)]),
                ],
            ),
            link(
                2,
                &[
                    mtu(1500),
                    stats64(1),
                    af_spec(&[inet6_flags(0), inet6_stats(1)]),
                ],
            ),
        ];
        for f in &differ {
            assert_ne!(print(&mut dis, f), base);
        }
        // AF_BRIDGE: IFLA_PROTINFO holds bridge port attributes (a set a hook picks), walked
        // as such: its running timers (IFLA_BRPORT_HOLD_TIMER) are left out, its cost is not.
        let port = |cost: u32, timer: u64| {
            let info = [
                nla(LE, 3, &cost.to_le_bytes()),
                nla(LE, 23, &timer.to_le_bytes()),
            ];
            link(7, &[nla(LE, 12, &info.concat())])
        };
        assert_eq!(
            print(&mut dis, &port(2, 100)),
            print(&mut dis, &port(2, 250))
        );
        assert_ne!(
            print(&mut dis, &port(2, 100)),
            print(&mut dis, &port(10, 100))
        );
        // An unknown attribute in the picked set counts as its bytes.
        let bridge = |v: u8| link(7, &[af_spec(&[inet6_stats(v)])]);
        assert_ne!(print(&mut dis, &bridge(1)), print(&mut dis, &bridge(2)));
    }

    /// A message whose header is malformed (its tree an expert, no payload node) does not
    /// hash as one with an empty payload (a dissect fuzz target finding).
    #[test]
    fn a_malformed_header_is_not_an_empty_payload() {
        let mut dis = Dissector::new(SpecRegistry::with_embedded());
        let mut bad = vec![0u8; 16];
        bad[8] = 5;
        let f = crate::dissect::tests::frame(108, &[nlmsg(LE, 0, 0, 0, 0, &[]), bad]);
        let mut fi = FrameIndex::default();
        dis.index_frame_into(&f, LINKTYPE_NETLINK, LE, &mut fi);
        let [a, b] = fi.msgs.as_slice() else {
            panic!("{} messages", fi.msgs.len());
        };
        let (va, vb) = (dis.view(&f, a), dis.view(&f, b));
        let changes = crate::conv::changes::diff_trees(&va.tree(), &vb.tree());
        assert!(!changes.is_empty());
        assert_ne!(va.fingerprint(), vb.fingerprint());
        assert_eq!(crate::conv::changes::diff_views(&va, &vb), changes);
    }

    /// nftables trees read values across attributes: every attribute byte counts, but not
    /// nfgenmsg's `res-id` (the generation), which what-changed skips in trees.
    #[test]
    fn nftables_counts_every_attribute_byte_but_the_generation() {
        let mut dis = Dissector::new(SpecRegistry::with_embedded());
        // NFT_MSG_NEWTABLE (subsystem 10, message 0): nfgenmsg, NFTA_TABLE_NAME, _FLAGS.
        let table = |res_id: u16, flags: u32| {
            let mut p = vec![2, 0];
            p.extend_from_slice(&res_id.to_be_bytes());
            p.extend(nla(LE, 1, b"filter\0"));
            p.extend(nla(LE, 2, &flags.to_be_bytes()));
            crate::dissect::tests::frame(12, &[nlmsg(LE, 10 << 8, 2, 1, 9, &p)])
        };
        let base = print(&mut dis, &table(7, 0));
        assert_eq!(print(&mut dis, &table(8, 0)), base);
        assert_ne!(print(&mut dis, &table(7, 1)), base);
    }
}
