//! Hand-built pcapng: every block kind, sections, bad blocks, timestamp resolutions.

use super::*;

pub(super) struct Ng {
    pub(super) bo: ByteOrder,
    pub(super) out: Vec<u8>,
}

impl Ng {
    pub(super) fn new() -> Self {
        Ng {
            bo: ByteOrder::Little,
            out: Vec::new(),
        }
    }
    pub(super) fn u16(&self, v: u16) -> [u8; 2] {
        match self.bo {
            ByteOrder::Little => v.to_le_bytes(),
            ByteOrder::Big => v.to_be_bytes(),
        }
    }
    pub(super) fn u32(&self, v: u32) -> [u8; 4] {
        match self.bo {
            ByteOrder::Little => v.to_le_bytes(),
            ByteOrder::Big => v.to_be_bytes(),
        }
    }
    pub(super) fn u64(&self, v: u64) -> [u8; 8] {
        match self.bo {
            ByteOrder::Little => v.to_le_bytes(),
            ByteOrder::Big => v.to_be_bytes(),
        }
    }
    pub(super) fn opts(&self, opts: &[(u16, &[u8])]) -> Vec<u8> {
        let mut b = Vec::new();
        for (code, val) in opts {
            b.extend(self.u16(*code));
            b.extend(self.u16(val.len() as u16));
            b.extend(*val);
            b.resize(b.len().next_multiple_of(4), 0);
        }
        if !opts.is_empty() {
            b.extend([0; 4]);
        }
        b
    }
    pub(super) fn block(&mut self, btype: u32, body: &[u8]) -> usize {
        let start = self.out.len();
        let len = (12 + body.len().next_multiple_of(4)) as u32;
        self.out.extend(self.u32(btype));
        self.out.extend(self.u32(len));
        self.out.extend(body);
        self.out.resize(self.out.len().next_multiple_of(4), 0);
        self.out.extend(self.u32(len));
        start
    }
    pub(super) fn shb(&mut self, bo: ByteOrder, opts: &[(u16, &[u8])]) -> usize {
        self.bo = bo;
        let mut body = self.u32(0x1a2b_3c4d).to_vec();
        body.extend(self.u16(1));
        body.extend(self.u16(0));
        body.extend(self.u64(u64::MAX));
        body.extend(self.opts(opts));
        self.block(0x0a0d_0d0a, &body)
    }
    pub(super) fn idb(&mut self, linktype: u16, snaplen: u32, opts: &[(u16, &[u8])]) -> usize {
        let mut body = self.u16(linktype).to_vec();
        body.extend([0, 0]);
        body.extend(self.u32(snaplen));
        body.extend(self.opts(opts));
        self.block(1, &body)
    }
    pub(super) fn epb(
        &mut self,
        iface: u32,
        ts: u64,
        data: &[u8],
        orig: u32,
        opts: &[(u16, &[u8])],
    ) -> usize {
        let mut body = self.u32(iface).to_vec();
        body.extend(self.u32((ts >> 32) as u32));
        body.extend(self.u32(ts as u32));
        body.extend(self.u32(data.len() as u32));
        body.extend(self.u32(orig));
        body.extend(data);
        body.resize(body.len().next_multiple_of(4), 0);
        body.extend(self.opts(opts));
        self.block(6, &body)
    }
    pub(super) fn opb(
        &mut self,
        iface: u16,
        ts: u64,
        data: &[u8],
        orig: u32,
        opts: &[(u16, &[u8])],
    ) -> usize {
        let mut body = self.u16(iface).to_vec();
        body.extend(self.u16(0));
        body.extend(self.u32((ts >> 32) as u32));
        body.extend(self.u32(ts as u32));
        body.extend(self.u32(data.len() as u32));
        body.extend(self.u32(orig));
        body.extend(data);
        body.resize(body.len().next_multiple_of(4), 0);
        body.extend(self.opts(opts));
        self.block(2, &body)
    }
    pub(super) fn spb(&mut self, orig: u32, data: &[u8]) -> usize {
        let mut body = self.u32(orig).to_vec();
        body.extend(data);
        self.block(3, &body)
    }
}

const SEC: u64 = 1_700_000_000;

/// Two sections (little- then big-endian), two interfaces each, every packet block kind,
/// comments, if_tsresol 9 and 2^-20, if_tsoffset, and blocks to skip.
pub(super) fn two_section_capture() -> Vec<u8> {
    let mut ng = Ng::new();
    ng.shb(ByteOrder::Little, &[(1, b"section one"), (4, b"test")]);
    ng.idb(253, 0, &[(2, b"nlmon0"), (9, &[9]), (1, b"idb comment")]);
    ng.idb(1, 64, &[(9, &[0x94]), (14, &ng.u64(10))]);
    ng.epb(
        0,
        SEC * 1_000_000_000 + 123,
        b"le-nanos",
        100,
        &[(1, b"hello"), (1, b"\xffbad")],
    );
    ng.epb(1, (SEC << 20) + (1 << 19), b"le-binary", 9, &[]);
    ng.block(5, &[0; 20]); // ISB
    ng.block(0x0000_0bad, &[1, 2, 3, 4, 5, 6, 7, 8]); // custom
    ng.spb(80, &[7; 80]); // snaplen 0 on interface 0: not truncated
    ng.shb(ByteOrder::Big, &[(1, b"section two")]);
    ng.idb(253, 16, &[]);
    ng.idb(253, 0, &[(2, b"second"), (9, &[3])]);
    ng.block(4, &ng.u32(0).repeat(2)); // NRB (end of records)
    ng.spb(100, &[9; 20]); // snaplen 16: truncated to 16 bytes
    ng.opb(1, 1_700_000_000_123, b"be-obsolete", 11, &[(1, b"opb")]);
    ng.epb(0, SEC * 1_000_000 + 5, b"be-micros", 9, &[]);
    ng.out
}

#[test]
fn pcapng_two_sections_all_block_kinds() {
    let bytes = two_section_capture();
    let p = parse_ok(&bytes);
    assert_eq!(p.format, FileFormat::PcapNg);
    assert_eq!(p.section_comments, ["section one", "section two"]);
    let names: Vec<_> = p.interfaces.iter().map(|i| i.name.as_deref()).collect();
    assert_eq!(names, [Some("nlmon0"), None, None, Some("second")]);
    let i = &p.interfaces;
    assert_eq!(
        (i[0].tsresol, i[0].ts_nanos, i[0].byte_order),
        (9, true, ByteOrder::Little)
    );
    assert_eq!(i[0].comments, ["idb comment"]);
    assert_eq!(
        (i[1].tsresol, i[1].ts_nanos, i[1].snaplen, i[1].linktype),
        (0x94, false, 64, 1)
    );
    assert_eq!(
        (i[2].tsresol, i[2].byte_order, i[2].snaplen),
        (6, ByteOrder::Big, 16)
    );
    assert_eq!(i[3].tsresol, 3);

    let f = &p.frames;
    assert_eq!(f.len(), 6);
    let sec = i128::from(SEC) * 1_000_000_000;
    let summary: Vec<_> = f
        .iter()
        .map(|f| {
            (
                f.interface,
                f.ts_ns,
                f.byte_order,
                f.data.len(),
                f.orig_len,
                f.linktype,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (0, sec + 123, ByteOrder::Little, 8, 100, 253),
            // 2^-20 units, plus if_tsoffset 10 s
            (
                1,
                sec + 500_000_000 + 10_000_000_000,
                ByteOrder::Little,
                9,
                9,
                1
            ),
            (0, 0, ByteOrder::Little, 80, 80, 253),
            (2, 0, ByteOrder::Big, 16, 100, 253),
            (3, sec + 123_000_000, ByteOrder::Big, 11, 11, 253),
            (2, sec + 5_000, ByteOrder::Big, 9, 9, 253),
        ]
    );
    assert_eq!(f[0].comments, ["hello", "\u{fffd}bad"]);
    assert_eq!(f[4].comments, ["opb"]);
    assert_eq!(f[0].data, b"le-nanos");
    assert_eq!(f[4].data, b"be-obsolete");
    assert_eq!(f[3].data, [9; 16]);
    // Offsets point at the blocks.
    for fr in f {
        let off = fr.file_offset as usize;
        let t = &bytes[off..off + 4];
        assert!(
            [
                [6, 0, 0, 0],
                [3, 0, 0, 0],
                [0, 0, 0, 3],
                [0, 0, 0, 2],
                [0, 0, 0, 6]
            ]
            .contains(&t.try_into().unwrap())
        );
    }

    // Write as pcapng and read back: same frames (if_tsoffset is folded into the
    // timestamps), same interfaces, one section per byte order.
    let ng = write(&p, OutFormat::PcapNg);
    let q = parse_ok(&ng);
    assert_eq!(strip(&q.frames).len(), 6);
    for (a, b) in p.frames.iter().zip(&q.frames) {
        assert_eq!(
            (a.ts_ns, &a.data, a.orig_len, &a.comments, a.byte_order),
            (b.ts_ns, &b.data, b.orig_len, &b.comments, b.byte_order)
        );
        let (ia, ib) = (
            &p.interfaces[a.interface as usize],
            &q.interfaces[b.interface as usize],
        );
        assert_eq!(
            (ia.linktype, ia.snaplen, ia.tsresol, &ia.name, &ia.comments),
            (ib.linktype, ib.snaplen, ib.tsresol, &ib.name, &ib.comments)
        );
    }
    assert_eq!(q.section_comments, ["section one", "section two"]);
    assert_eq!(q.interfaces.len(), 4);
    assert_eq!(
        ng.windows(4)
            .filter(|w| *w == [0x0a, 0x0d, 0x0d, 0x0a])
            .count(),
        2,
        "expected two sections"
    );
}

#[test]
fn pcapng_rejects_bad_blocks() {
    let base = {
        let mut ng = Ng::new();
        ng.shb(ByteOrder::Little, &[]);
        ng.idb(253, 0, &[]);
        ng
    };
    let check = |bytes: &[u8], kind: ReadErrorKind, offset: u64| {
        let p = parse(bytes).unwrap();
        let e = p
            .error
            .unwrap_or_else(|| panic!("error expected, got {:?}", p.frames));
        assert_eq!((e.kind, e.offset), (kind, offset), "{e}");
    };
    let epb_at = base.out.len() as u64;
    for len in [0u32, 3, 8, 0xffff, 0xffff_fffc, 0xffff_ffff] {
        let mut ng = Ng {
            bo: base.bo,
            out: base.out.clone(),
        };
        ng.epb(0, 1, &[1; 40], 40, &[]);
        ng.out[epb_at as usize + 4..][..4].copy_from_slice(&len.to_le_bytes());
        check(&ng.out, ReadErrorKind::Corrupt, epb_at);
    }
    // 0x10000 is a plausible length: the block is then truncated.
    let mut ng = Ng {
        bo: base.bo,
        out: base.out.clone(),
    };
    ng.epb(0, 1, &[1; 40], 40, &[]);
    ng.out[epb_at as usize + 4..][..4].copy_from_slice(&0x10000u32.to_le_bytes());
    let e = parse(&ng.out[..]).unwrap().error.unwrap();
    assert_eq!(e.kind, ReadErrorKind::Truncated);
    assert_eq!(
        e.to_string(),
        format!(
            "truncated pcapng block at byte offset {epb_at}: block length 65536, only 72 bytes present"
        )
    );
    // Trailer mismatch.
    let mut ng = Ng {
        bo: base.bo,
        out: base.out.clone(),
    };
    ng.epb(0, 1, &[1; 40], 40, &[]);
    let n = ng.out.len();
    ng.out[n - 4] ^= 4;
    check(&ng.out, ReadErrorKind::Corrupt, epb_at);
    // Unknown interface, caplen beyond the block, overrunning option, bad if_tsresol.
    let mut ng = Ng {
        bo: base.bo,
        out: base.out.clone(),
    };
    ng.epb(1, 1, &[1; 4], 4, &[]);
    check(&ng.out, ReadErrorKind::Corrupt, epb_at);
    let mut ng = Ng {
        bo: base.bo,
        out: base.out.clone(),
    };
    ng.epb(0, 1, &[1; 4], 4, &[]);
    ng.out[epb_at as usize + 20] = 200;
    check(&ng.out, ReadErrorKind::Corrupt, epb_at);
    let mut ng = Ng {
        bo: base.bo,
        out: base.out.clone(),
    };
    ng.epb(0, 1, &[1; 4], 4, &[(1, b"abcd")]);
    ng.out[epb_at as usize + 34] = 9; // comment length 4 -> 9
    check(&ng.out, ReadErrorKind::Corrupt, epb_at);
    let mut ng = Ng {
        bo: base.bo,
        out: base.out.clone(),
    };
    ng.idb(253, 0, &[(9, &[6, 6])]);
    check(&ng.out, ReadErrorKind::Corrupt, epb_at);
    // SPB before any IDB in its section.
    let mut ng = Ng::new();
    ng.shb(ByteOrder::Big, &[]);
    let at = ng.spb(4, &[1; 4]) as u64;
    check(&ng.out, ReadErrorKind::Corrupt, at);
    // Second SHB with an unknown major version or bad magic.
    let mut ng = Ng {
        bo: base.bo,
        out: base.out.clone(),
    };
    ng.shb(ByteOrder::Big, &[]);
    ng.out[epb_at as usize + 12] = 2;
    check(&ng.out, ReadErrorKind::Corrupt, epb_at);
    let mut ng = Ng {
        bo: base.bo,
        out: base.out.clone(),
    };
    ng.shb(ByteOrder::Big, &[]);
    ng.out[epb_at as usize + 8] = 0;
    check(&ng.out, ReadErrorKind::Corrupt, epb_at);
}

#[test]
fn timestamp_resolutions() {
    let s = 1_700_000_000u64;
    let sn = i128::from(s) * 1_000_000_000;
    assert_eq!(units_to_ns(s * 1_000_000 + 7, 6), sn + 7_000);
    assert_eq!(units_to_ns(s * 1_000_000_000 + 7, 9), sn + 7);
    assert_eq!(units_to_ns(s, 0), sn);
    assert_eq!(units_to_ns(s * 1000 + 1, 12), i128::from(s)); // picoseconds
    assert_eq!(units_to_ns((s << 20) + 1, 0x94), sn + 953); // 2^-20 s, truncated
    assert_eq!(units_to_ns(s << 32, 0xa0), sn);
    for r in [0x7f, 0xff, 0x80, 40, 0xc0] {
        let _ = units_to_ns(u64::MAX, r);
        let _ = ns_to_units(i128::MAX, r);
    }
    // Exact inverse for resolutions of 1 ns or coarser.
    for r in [0u8, 3, 6, 9, 0x80, 0x8a, 0x94, 0x9d] {
        for u in [0u64, 1, 12345, s << 20, (s << 20) + 999_999, u64::MAX >> 3] {
            let ns = units_to_ns(u, r);
            assert_eq!(
                ns_to_units(ns, r).map(|x| units_to_ns(x, r)),
                Some(ns),
                "r={r:#x} u={u}"
            );
            if r & 0x80 != 0 {
                assert_eq!(ns_to_units(ns, r), Some(u), "r={r:#x} u={u}");
            }
        }
    }
    assert_eq!(ns_to_units(-1, 6), None);
    assert_eq!(ns_to_units(i128::from(u64::MAX) * 1000, 12), None);
}
