//! HT (9.4.2.55-56) and VHT (9.4.2.157-158) capabilities and operation.

use super::{Rd, bit_node, bits, flags, named};
use crate::model::{Node, Value};

pub(super) const FIELDS: &[&str] = &[
    "wlan.ht.capabilities",
    "wlan.ht.capabilities.sm",
    "wlan.ht.capabilities.rxstbc",
    "wlan.ht.ampduparam",
    "wlan.ht.ampduparam.maxlength",
    "wlan.ht.ampduparam.mpdudensity",
    "wlan.ht.mcsset",
    "wlan.ht.mcsset.rxbitmask",
    "wlan.ht.mcsset.highestdatarate",
    "wlan.ht.mcsset.txsetdefined",
    "wlan.ht.mcsset.txrxmcsnotequal",
    "wlan.ht.mcsset.txmaxss",
    "wlan.ht.mcsset.txunequalmod",
    "wlan.htex.capabilities",
    "wlan.txbf",
    "wlan.asel",
    "wlan.ht.info.primarychannel",
    "wlan.ht.info.delim1",
    "wlan.ht.info.secchanoffset",
    "wlan.ht.info.chanwidth",
    "wlan.ht.info.rifs",
    "wlan.ht.info.delim2",
    "wlan.ht.info.ht_protection",
    "wlan.ht.info.delim3",
    "wlan.ht.info.basicmcsset",
    "wlan.vht.capabilities",
    "wlan.vht.capabilities.maxmpdulength",
    "wlan.vht.capabilities.supportedchanwidthset",
    "wlan.vht.capabilities.rxstbc",
    "wlan.vht.capabilities.maxampdu",
    "wlan.vht.mcsset.rxmcsmap",
    "wlan.vht.mcsset.rxhighestlonggirate",
    "wlan.vht.mcsset.txmcsmap",
    "wlan.vht.mcsset.txhighestlonggirate",
    "wlan.vht.op.channelwidth",
    "wlan.vht.op.channelcenter0",
    "wlan.vht.op.channelcenter1",
    "wlan.vht.op.basicmcsmap",
];

const HT_CAP_BITS: &[(u32, &str)] = &[
    (0, "LDPC"),
    (1, "20/40MHz"),
    (4, "greenfield"),
    (5, "short-GI-20"),
    (6, "short-GI-40"),
    (7, "TX-STBC"),
    (10, "delayed-block-ack"),
    (11, "max-A-MSDU-7935"),
    (12, "DSSS/CCK-40MHz"),
    (14, "40MHz-intolerant"),
    (15, "L-SIG-TXOP-protection"),
];

pub(super) fn ht_caps(rd: &mut Rd, out: &mut Vec<Node>) -> Option<String> {
    let at = rd.at();
    let cap = rd.num(
        out,
        2,
        "HT capabilities info",
        "wlan.ht.capabilities",
        |v| flags(v, HT_CAP_BITS),
    )?;
    let sm = bits(cap, 2, 3);
    let rx = bits(cap, 8, 9);
    if let Some(n) = out.last_mut() {
        let (v, d) = named(
            sm,
            match sm {
                0 => Some("static"),
                1 => Some("dynamic"),
                3 => Some("disabled"),
                _ => None,
            },
        );
        n.children.push(bit_node(
            "SM power save",
            "wlan.ht.capabilities.sm",
            v,
            d,
            at,
            2,
        ));
        n.children.push(bit_node(
            "RX STBC",
            "wlan.ht.capabilities.rxstbc",
            Value::Uint(rx),
            format!("{rx} spatial streams"),
            at,
            2,
        ));
    }
    let at = rd.at();
    let p = rd.num(out, 1, "A-MPDU parameters", "wlan.ht.ampduparam", |v| {
        (Value::Uint(v), format!("{v:#04x}"))
    })?;
    let exp = bits(p, 0, 1);
    let dens = bits(p, 2, 4);
    if let Some(n) = out.last_mut() {
        n.children.push(bit_node(
            "maximum RX A-MPDU length",
            "wlan.ht.ampduparam.maxlength",
            Value::Uint(exp),
            format!("{exp} ({} bytes)", (1u64 << (13 + exp)) - 1),
            at,
            1,
        ));
        let us = [
            "no restriction",
            "1/4 us",
            "1/2 us",
            "1 us",
            "2 us",
            "4 us",
            "8 us",
            "16 us",
        ];
        bit_node_push(
            n,
            "minimum MPDU start spacing",
            "wlan.ht.ampduparam.mpdudensity",
            dens,
            us.get(dens as usize).copied().unwrap_or(""),
            at,
            1,
        );
    }
    let mcs = mcs_set(rd, out, "supported MCS set", "wlan.ht.mcsset")?;
    rd.num(
        out,
        2,
        "HT extended capabilities",
        "wlan.htex.capabilities",
        |v| flags(v, &[(0, "PCO"), (10, "HTC-HT"), (11, "RD-responder")]),
    )?;
    rd.num(
        out,
        4,
        "transmit beamforming capabilities",
        "wlan.txbf",
        |v| (Value::Uint(v), format!("{v:#010x}")),
    )?;
    rd.num(out, 1, "ASEL capabilities", "wlan.asel", |v| {
        (Value::Uint(v), format!("{v:#04x}"))
    })?;
    let w = if cap & 2 != 0 { "20/40 MHz" } else { "20 MHz" };
    Some(format!("{w}, {mcs}"))
}

fn bit_node_push(n: &mut Node, name: &str, field: &str, v: u64, text: &str, at: usize, len: usize) {
    let d = if text.is_empty() {
        v.to_string()
    } else {
        format!("{v} ({text})")
    };
    n.children
        .push(bit_node(name, field, Value::Uint(v), d, at, len));
}

/// The 16-byte HT MCS set (capabilities, and the basic set of HT operation); its parts carry
/// `wlan.ht.mcsset.*` in both, as in Wireshark.
fn mcs_set(rd: &mut Rd, out: &mut Vec<Node>, name: &str, field: &str) -> Option<String> {
    let (at, s) = rd.take(out, 16, name, field)?;
    let mask = s.get(..10).unwrap_or_default();
    let mut idx = Vec::new();
    for (i, byte) in mask.iter().enumerate() {
        for b in 0..8 {
            if byte & (1 << b) != 0 {
                idx.push(i * 8 + b);
            }
        }
    }
    let ranges = ranges(&idx);
    let mut node = Node::new(
        name.to_string(),
        field.to_string(),
        Value::Bytes(s.to_vec()),
        at,
        16,
    );
    node.display = if ranges.is_empty() {
        "no MCS".into()
    } else {
        format!("MCS {ranges}")
    };
    {
        let field = "wlan.ht.mcsset";
        let mut m = Node::new(
            "RX MCS bitmask",
            format!("{field}.rxbitmask"),
            Value::Bytes(mask.to_vec()),
            at,
            10,
        );
        m.display = node.display_text().into_owned();
        let rate = super::le(s.get(10..12).unwrap_or_default()) & 0x3ff;
        let tx = s.get(12).copied().unwrap_or(0);
        node.children.push(m);
        node.children.push(bit_node(
            "highest supported data rate",
            &format!("{field}.highestdatarate"),
            Value::Uint(rate),
            format!("{rate} Mbit/s"),
            at + 10,
            2,
        ));
        node.children.push(bit_node(
            "TX MCS set defined",
            &format!("{field}.txsetdefined"),
            Value::Bool(tx & 1 != 0),
            (tx & 1 != 0).to_string(),
            at + 12,
            1,
        ));
        node.children.push(bit_node(
            "TX RX MCS set not equal",
            &format!("{field}.txrxmcsnotequal"),
            Value::Bool(tx & 2 != 0),
            (tx & 2 != 0).to_string(),
            at + 12,
            1,
        ));
        let ss = u64::from((tx >> 2) & 3);
        node.children.push(bit_node(
            "TX maximum spatial streams",
            &format!("{field}.txmaxss"),
            Value::Uint(ss + 1),
            format!("{}", ss + 1),
            at + 12,
            1,
        ));
        node.children.push(bit_node(
            "TX unequal modulation",
            &format!("{field}.txunequalmod"),
            Value::Bool(tx & 16 != 0),
            (tx & 16 != 0).to_string(),
            at + 12,
            1,
        ));
    }
    out.push(node);
    Some(if ranges.is_empty() {
        "no MCS".into()
    } else {
        format!("MCS {ranges}")
    })
}

/// `0-15,32` from sorted indexes.
fn ranges(idx: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while let Some(&start) = idx.get(i) {
        let mut end = start;
        while idx.get(i + 1) == Some(&(end + 1)) {
            end += 1;
            i += 1;
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        i += 1;
    }
    parts.join(",")
}

pub(super) fn ht_op(rd: &mut Rd, out: &mut Vec<Node>) -> Option<String> {
    let pc = rd.uint(out, 1, "primary channel", "wlan.ht.info.primarychannel")?;
    let at = rd.at();
    let d1 = rd.num(
        out,
        1,
        "HT operation information subset 1",
        "wlan.ht.info.delim1",
        |v| (Value::Uint(v), format!("{v:#04x}")),
    )?;
    let off = bits(d1, 0, 1);
    let offname = match off {
        0 => Some("no secondary channel"),
        1 => Some("secondary channel above"),
        3 => Some("secondary channel below"),
        _ => None,
    };
    let width = if d1 & 4 != 0 {
        "any channel width"
    } else {
        "20 MHz"
    };
    if let Some(n) = out.last_mut() {
        let (v, d) = named(off, offname);
        n.children.push(bit_node(
            "secondary channel offset",
            "wlan.ht.info.secchanoffset",
            v,
            d,
            at,
            1,
        ));
        n.children.push(bit_node(
            "STA channel width",
            "wlan.ht.info.chanwidth",
            Value::Uint((d1 >> 2) & 1),
            width.into(),
            at,
            1,
        ));
        n.children.push(bit_node(
            "RIFS",
            "wlan.ht.info.rifs",
            Value::Bool(d1 & 8 != 0),
            (d1 & 8 != 0).to_string(),
            at,
            1,
        ));
    }
    let at = rd.at();
    let d2 = rd.num(
        out,
        2,
        "HT operation information subset 2",
        "wlan.ht.info.delim2",
        |v| {
            flags(
                v,
                &[
                    (2, "non-greenfield-STAs-present"),
                    (4, "OBSS-non-HT-STAs-present"),
                ],
            )
        },
    )?;
    let mode = bits(d2, 0, 1);
    if let Some(n) = out.last_mut() {
        let (v, d) = named(
            mode,
            match mode {
                0 => Some("no protection"),
                1 => Some("nonmember protection"),
                2 => Some("20 MHz protection"),
                _ => Some("non-HT mixed"),
            },
        );
        n.children.push(bit_node(
            "HT protection",
            "wlan.ht.info.ht_protection",
            v,
            d,
            at,
            2,
        ));
    }
    rd.num(
        out,
        2,
        "HT operation information subset 3",
        "wlan.ht.info.delim3",
        |v| {
            flags(
                v,
                &[
                    (6, "dual-beacon"),
                    (7, "dual-CTS-protection"),
                    (8, "STBC-beacon"),
                ],
            )
        },
    )?;
    mcs_set(rd, out, "basic MCS set", "wlan.ht.info.basicmcsset")?;
    Some(format!(
        "primary channel {pc}, {}, {width}",
        offname.unwrap_or("reserved offset")
    ))
}

const VHT_CAP_BITS: &[(u32, &str)] = &[
    (4, "RX-LDPC"),
    (5, "short-GI-80"),
    (6, "short-GI-160"),
    (7, "TX-STBC"),
    (11, "SU-beamformer"),
    (12, "SU-beamformee"),
    (19, "MU-beamformer"),
    (20, "MU-beamformee"),
    (21, "TXOP-PS"),
    (22, "HTC-VHT"),
    (28, "RX-antenna-pattern-consistency"),
    (29, "TX-antenna-pattern-consistency"),
];

/// A 2-bit-per-stream MCS map (VHT: 0-7/0-8/0-9, HE: 0-7/0-9/0-11).
pub(super) fn mcs_map(v: u64, top: [u8; 3]) -> String {
    let mut parts = Vec::new();
    for ss in 0..8u32 {
        let m = bits(v, ss * 2, ss * 2 + 1);
        if let Some(t) = top.get(m as usize) {
            parts.push(format!("{}SS:0-{t}", ss + 1));
        }
    }
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(" ")
    }
}

pub(super) fn vht_caps(rd: &mut Rd, out: &mut Vec<Node>) -> Option<String> {
    let at = rd.at();
    let cap = rd.num(
        out,
        4,
        "VHT capabilities info",
        "wlan.vht.capabilities",
        |v| flags(v, VHT_CAP_BITS),
    )?;
    let mpdu = bits(cap, 0, 1);
    let cw = bits(cap, 2, 3);
    let cwname = match cw {
        0 => "80 MHz",
        1 => "160 MHz",
        2 => "160 and 80+80 MHz",
        _ => "reserved",
    };
    if let Some(n) = out.last_mut() {
        let len = [3895, 7991, 11454, 0];
        bit_node_push(
            n,
            "maximum MPDU length",
            "wlan.vht.capabilities.maxmpdulength",
            mpdu,
            &format!("{} bytes", len.get(mpdu as usize).copied().unwrap_or(0)),
            at,
            4,
        );
        bit_node_push(
            n,
            "supported channel width set",
            "wlan.vht.capabilities.supportedchanwidthset",
            cw,
            cwname,
            at,
            4,
        );
        let rx = bits(cap, 8, 10);
        bit_node_push(
            n,
            "RX STBC",
            "wlan.vht.capabilities.rxstbc",
            rx,
            &format!("{rx} spatial streams"),
            at,
            4,
        );
        let e = bits(cap, 23, 25);
        bit_node_push(
            n,
            "maximum A-MPDU length exponent",
            "wlan.vht.capabilities.maxampdu",
            e,
            &format!("{} bytes", (1u64 << (13 + e)) - 1),
            at,
            4,
        );
    }
    let vht = [7, 8, 9];
    let rx = rd.num(out, 2, "RX MCS map", "wlan.vht.mcsset.rxmcsmap", |v| {
        (Value::Uint(v), mcs_map(v, vht))
    })?;
    rd.num(
        out,
        2,
        "RX highest long GI data rate",
        "wlan.vht.mcsset.rxhighestlonggirate",
        |v| (Value::Uint(v & 0x1fff), format!("{} Mbit/s", v & 0x1fff)),
    )?;
    rd.num(out, 2, "TX MCS map", "wlan.vht.mcsset.txmcsmap", |v| {
        (Value::Uint(v), mcs_map(v, vht))
    })?;
    rd.num(
        out,
        2,
        "TX highest long GI data rate",
        "wlan.vht.mcsset.txhighestlonggirate",
        |v| (Value::Uint(v & 0x1fff), format!("{} Mbit/s", v & 0x1fff)),
    )?;
    Some(format!("{cwname}, RX {}", mcs_map(rx, vht)))
}

pub(super) fn vht_op(rd: &mut Rd, out: &mut Vec<Node>) -> Option<String> {
    let w = rd.num(out, 1, "channel width", "wlan.vht.op.channelwidth", |v| {
        named(
            v,
            match v {
                0 => Some("20 or 40 MHz"),
                1 => Some("80, 160 or 80+80 MHz"),
                2 => Some("160 MHz (deprecated)"),
                3 => Some("80+80 MHz (deprecated)"),
                _ => None,
            },
        )
    })?;
    let c0 = rd.uint(
        out,
        1,
        "channel center frequency segment 0",
        "wlan.vht.op.channelcenter0",
    )?;
    let c1 = rd.uint(
        out,
        1,
        "channel center frequency segment 1",
        "wlan.vht.op.channelcenter1",
    )?;
    rd.num(
        out,
        2,
        "basic VHT-MCS and NSS set",
        "wlan.vht.op.basicmcsmap",
        |v| (Value::Uint(v), mcs_map(v, [7, 8, 9])),
    )?;
    // 802.11-2020 Table 9-274: width 1 with CCFS1 set means 160 or 80+80.
    let width = match (w, c1) {
        (0, _) => "20/40 MHz",
        (1, 0) => "80 MHz",
        (1, _) if c1.abs_diff(c0) == 8 => "160 MHz",
        (1, _) => "80+80 MHz",
        (2, _) => "160 MHz",
        (3, _) => "80+80 MHz",
        _ => "reserved width",
    };
    Some(format!(
        "{width}, center {c0}{}",
        if c1 != 0 {
            format!("/{c1}")
        } else {
            String::new()
        }
    ))
}
