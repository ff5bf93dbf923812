//! The pcapng side of [`Reader`]: blocks, sections, interfaces and packets.

use std::io::Read;

use super::super::error::{ReadError, ReadErrorKind};
use super::super::{
    ByteOrder, Interface, MAX_RECORD_LEN, NANOS_PER_SEC, TSRESOL_MICROS, TSRESOL_NANOS, units_to_ns,
};
use super::*;

impl<R: Read> Reader<R> {
    pub(super) fn next_pcapng(&mut self) -> Result<Option<Packet>, ReadError> {
        loop {
            let start = self.pos;
            let Some(h) = self.read_record_header::<8>("pcapng block", "block")? else {
                return Ok(None);
            };
            let [t0, t1, t2, t3, l0, l1, l2, l3] = h;
            if u32::from_be_bytes([t0, t1, t2, t3]) == BT_SHB {
                self.read_section_header(start, [l0, l1, l2, l3], false)?;
                continue;
            }
            let bo = self.ng_byte_order();
            let btype = bo.u32([t0, t1, t2, t3]);
            let len = bo.u32([l0, l1, l2, l3]);
            let body = self.read_block_rest(start, len, 12, 8)?;
            let packet = match btype {
                BT_IDB => {
                    self.parse_idb(start, &body)?;
                    None
                }
                BT_EPB => Some(self.parse_packet(start, &body, false)?),
                BT_OPB => Some(self.parse_packet(start, &body, true)?),
                BT_SPB => Some(self.parse_spb(start, &body)?),
                // NRB, ISB, DSB, custom and unknown blocks carry nothing we need.
                _ => None,
            };
            // The packet's bytes stay there for the caller.
            self.put_block_buffer(body);
            if packet.is_some() {
                return Ok(packet);
            }
        }
    }

    fn ng_byte_order(&self) -> ByteOrder {
        match self.state {
            State::PcapNg { byte_order, .. } | State::Pcap { byte_order, .. } => byte_order,
        }
    }

    /// Validates a block length, reads the rest of the block (after the `present` bytes
    /// already consumed) and checks the trailing length. Returns the block body: the bytes
    /// after the first `present` bytes, without the trailing length.
    fn read_block_rest(
        &mut self,
        start: u64,
        len: u32,
        min_len: u32,
        present: usize,
    ) -> Result<Vec<u8>, ReadError> {
        if len < min_len || !len.is_multiple_of(4) || len > MAX_RECORD_LEN {
            let why = if len > MAX_RECORD_LEN {
                format!("exceeds the limit of {MAX_RECORD_LEN} bytes")
            } else if len < min_len {
                format!("is less than the minimum of {min_len}")
            } else {
                "is not a multiple of 4".to_string()
            };
            return Err(ReadError::corrupt(
                start,
                "pcapng block",
                format_args!("block length {len} {why}"),
            ));
        }
        let mut buf = self.take_block_buffer();
        let want = (len as usize).saturating_sub(present);
        let got = self.read_body(&mut buf, want)?;
        if got < want {
            return Err(ReadError::truncated(
                start,
                "pcapng block",
                format_args!("block length {len}, only {} bytes present", present + got),
            ));
        }
        let trailer = match buf.split_last_chunk::<4>() {
            Some((_, t)) => *t,
            None => [0; 4],
        };
        let trailer = self.ng_byte_order().u32(trailer);
        if trailer != len {
            return Err(ReadError::corrupt(
                start,
                "pcapng block",
                format_args!("trailing block length {trailer} differs from leading length {len}"),
            ));
        }
        buf.truncate(want.saturating_sub(4));
        Ok(buf)
    }

    fn take_block_buffer(&mut self) -> Vec<u8> {
        match &mut self.state {
            State::PcapNg { block, .. } => std::mem::take(block),
            State::Pcap { .. } => Vec::new(),
        }
    }

    fn put_block_buffer(&mut self, buf: Vec<u8>) {
        if let State::PcapNg { block, .. } = &mut self.state {
            *block = buf;
        }
    }

    /// Reads a Section Header Block whose type and (raw) length fields have already been
    /// consumed at `start`.
    pub(super) fn read_section_header(
        &mut self,
        start: u64,
        [l0, l1, l2, l3]: [u8; 4],
        first: bool,
    ) -> Result<(), ReadError> {
        let (magic, got) = self.read_fixed::<4>()?;
        if got < magic.len() {
            return Err(ReadError::truncated(
                start,
                "pcapng section header block",
                format_args!("at least 28 bytes needed, only {} present", 8 + got),
            ));
        }
        let [m0, m1, m2, m3] = magic;
        let byte_order = match u32::from_be_bytes([m0, m1, m2, m3]) {
            0x1a2b_3c4d => ByteOrder::Big,
            0x4d3c_2b1a => ByteOrder::Little,
            other if first => {
                return Err(ReadError::new(
                    ReadErrorKind::NotACapture,
                    start,
                    format!(
                        "not a pcap or pcapng file (pcapng byte-order magic {other:#010x} at byte offset {})",
                        start + 8
                    ),
                ));
            }
            other => {
                return Err(ReadError::corrupt(
                    start,
                    "pcapng section header block",
                    format_args!("invalid byte-order magic {other:#010x}"),
                ));
            }
        };
        if let State::PcapNg { byte_order: bo, .. } = &mut self.state {
            *bo = byte_order;
        }
        let len = byte_order.u32([l0, l1, l2, l3]);
        let body = self.read_block_rest(start, len, 28, 12)?;
        let parsed = parse_shb(&body, byte_order);
        self.put_block_buffer(body);
        let comments = parsed.map_err(|detail| {
            ReadError::corrupt(
                start,
                "pcapng section header block",
                format_args!("{detail}"),
            )
        })?;
        self.section_comments.extend(comments);
        let n_ifaces = self.interfaces.len();
        if let State::PcapNg {
            section_first_iface,
            ..
        } = &mut self.state
        {
            *section_first_iface = n_ifaces;
        }
        Ok(())
    }

    fn parse_idb(&mut self, start: u64, body: &[u8]) -> Result<(), ReadError> {
        let bo = self.ng_byte_order();
        let corrupt = |detail: String| {
            ReadError::corrupt(
                start,
                "pcapng interface description block",
                format_args!("{detail}"),
            )
        };
        let (Some(linktype), Some(snaplen), Some(opts)) =
            (get_u16(body, 0, bo), get_u32(body, 4, bo), body.get(8..))
        else {
            return Err(corrupt("block too short".into()));
        };
        let mut iface = Interface {
            linktype: u32::from(linktype),
            snaplen,
            name: None,
            ts_nanos: false,
            tsresol: TSRESOL_MICROS,
            byte_order: bo,
            comments: Vec::new(),
        };
        let mut ts_offset = 0i64;
        for_each_option(opts, bo, |code, val| {
            match code {
                OPT_COMMENT => iface.comments.push(lossy(val)),
                OPT_IF_NAME => iface.name = Some(lossy(val)),
                OPT_IF_TSRESOL => match val {
                    [r] => iface.tsresol = *r,
                    _ => return Err(format!("if_tsresol option has length {}", val.len())),
                },
                OPT_IF_TSOFFSET => match val.first_chunk::<8>() {
                    Some(b) if val.len() == 8 => ts_offset = bo.u64(*b).cast_signed(),
                    _ => return Err(format!("if_tsoffset option has length {}", val.len())),
                },
                _ => {}
            }
            Ok(())
        })
        .map_err(corrupt)?;
        iface.ts_nanos = iface.tsresol == TSRESOL_NANOS;
        if self.interfaces.len() >= MAX_INTERFACES {
            return Err(corrupt(format!(
                "more than {MAX_INTERFACES} interfaces in one capture"
            )));
        }
        self.interfaces.push(iface);
        if let State::PcapNg { ts_offsets, .. } = &mut self.state {
            ts_offsets.push(ts_offset);
        }
        Ok(())
    }

    /// Maps a section-local interface id to the global index, checking that it exists.
    fn global_iface(&self, start: u64, what: &str, local: u32) -> Result<usize, ReadError> {
        let first = match &self.state {
            State::PcapNg {
                section_first_iface,
                ..
            } => *section_first_iface,
            State::Pcap { .. } => 0,
        };
        let defined = self.interfaces.len().saturating_sub(first);
        match usize::try_from(local) {
            Ok(l) if l < defined => Ok(first + l),
            _ => Err(ReadError::corrupt(
                start,
                what,
                format_args!(
                    "refers to interface {local}, but the section defines {defined} interface(s)"
                ),
            )),
        }
    }

    fn make_packet(
        &self,
        start: u64,
        global: usize,
        units: Option<u64>,
        data: std::ops::Range<usize>,
        orig_len: u32,
        comments: Vec<String>,
    ) -> Packet {
        let (linktype, tsresol, byte_order) = match self.interfaces.get(global) {
            Some(i) => (i.linktype, i.tsresol, i.byte_order),
            None => (0, TSRESOL_MICROS, self.ng_byte_order()),
        };
        let ts_ns = match units {
            Some(u) => {
                let off = match &self.state {
                    State::PcapNg { ts_offsets, .. } => ts_offsets.get(global).copied(),
                    State::Pcap { .. } => None,
                };
                units_to_ns(u, tsresol) + i128::from(off.unwrap_or(0)) * NANOS_PER_SEC
            }
            None => 0,
        };
        Packet {
            start,
            global,
            ts_ns,
            linktype,
            byte_order,
            data,
            orig_len,
            comments,
        }
    }

    /// Parses an Enhanced Packet Block or (obsolete) Packet Block body.
    fn parse_packet(&self, start: u64, body: &[u8], obsolete: bool) -> Result<Packet, ReadError> {
        let what = if obsolete {
            "pcapng packet block"
        } else {
            "pcapng enhanced packet block"
        };
        let bo = self.ng_byte_order();
        let fields = (
            if obsolete {
                get_u16(body, 0, bo).map(u32::from)
            } else {
                get_u32(body, 0, bo)
            },
            get_u32(body, 4, bo),
            get_u32(body, 8, bo),
            get_u32(body, 12, bo),
            get_u32(body, 16, bo),
        );
        let (Some(local), Some(ts_hi), Some(ts_lo), Some(caplen), Some(orig_len)) = fields else {
            return Err(ReadError::corrupt(
                start,
                what,
                format_args!("block too short"),
            ));
        };
        let global = self.global_iface(start, what, local)?;
        let rest = body.get(20..).unwrap_or_default();
        if rest.len() < caplen as usize {
            return Err(ReadError::corrupt(
                start,
                what,
                format_args!(
                    "captured length {caplen} exceeds the {} bytes in the block",
                    rest.len()
                ),
            ));
        }
        // Be lenient about missing padding before the (absent) options.
        let opts = rest
            .get((caplen as usize).next_multiple_of(4)..)
            .unwrap_or_default();
        let mut comments = Vec::new();
        for_each_option(opts, bo, |code, val| {
            if code == OPT_COMMENT {
                comments.push(lossy(val));
            }
            Ok(())
        })
        .map_err(|detail| ReadError::corrupt(start, what, format_args!("{detail}")))?;
        let units = (u64::from(ts_hi) << 32) | u64::from(ts_lo);
        let data = 20..20 + caplen as usize;
        Ok(self.make_packet(start, global, Some(units), data, orig_len, comments))
    }

    fn parse_spb(&self, start: u64, body: &[u8]) -> Result<Packet, ReadError> {
        let what = "pcapng simple packet block";
        let Some(orig_len) = get_u32(body, 0, self.ng_byte_order()) else {
            return Err(ReadError::corrupt(
                start,
                what,
                format_args!("block too short"),
            ));
        };
        let global = self.global_iface(start, what, 0)?;
        let rest = body.get(4..).unwrap_or_default();
        let mut caplen = rest.len().min(orig_len as usize);
        if let Some(snaplen) = self
            .interfaces
            .get(global)
            .map(|i| i.snaplen as usize)
            .filter(|&s| s != 0)
        {
            caplen = caplen.min(snaplen);
        }
        Ok(self.make_packet(start, global, None, 4..4 + caplen, orig_len, Vec::new()))
    }
}

/// Parses a Section Header Block body (after the byte-order magic); returns its comments.
fn parse_shb(body: &[u8], bo: ByteOrder) -> Result<Vec<String>, String> {
    let (Some(major), Some(minor), Some(opts)) =
        (get_u16(body, 0, bo), get_u16(body, 2, bo), body.get(12..))
    else {
        return Err("block too short".into());
    };
    if major != 1 {
        return Err(format!(
            "unsupported version {major}.{minor} (expected 1.x)"
        ));
    }
    let mut comments = Vec::new();
    for_each_option(opts, bo, |code, val| {
        if code == OPT_COMMENT {
            comments.push(lossy(val));
        }
        Ok(())
    })?;
    Ok(comments)
}

/// Calls `f(code, value)` for each option up to `opt_endofopt` or the end of `buf`.
fn for_each_option(
    mut buf: &[u8],
    bo: ByteOrder,
    mut f: impl FnMut(u16, &[u8]) -> Result<(), String>,
) -> Result<(), String> {
    while !buf.is_empty() {
        let Some((&[c0, c1, n0, n1], rest)) = buf.split_first_chunk::<4>() else {
            return Err(format!("{} stray bytes after the last option", buf.len()));
        };
        let code = bo.u16([c0, c1]);
        if code == 0 {
            return Ok(());
        }
        let len = usize::from(bo.u16([n0, n1]));
        let Some(value) = rest.get(..len) else {
            return Err(format!(
                "option {code} of length {len} overruns the block ({} bytes left)",
                rest.len()
            ));
        };
        f(code, value)?;
        // Tolerate a missing pad after the last option.
        buf = rest.get(len.next_multiple_of(4)..).unwrap_or_default();
    }
    Ok(())
}

fn get_u16(buf: &[u8], off: usize, bo: ByteOrder) -> Option<u16> {
    buf.get(off..)?.first_chunk::<2>().map(|b| bo.u16(*b))
}

fn get_u32(buf: &[u8], off: usize, bo: ByteOrder) -> Option<u32> {
    buf.get(off..)?.first_chunk::<4>().map(|b| bo.u32(*b))
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
