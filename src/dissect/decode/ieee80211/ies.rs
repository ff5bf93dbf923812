//! The element list and the simple elements (9.4.2).

use super::{MAX_DEPTH, Rd, bit_node, bits, ext, flags, ht, named, names, rsn, vendor};
use crate::model::{Node, Severity, Value};

pub(super) const FIELDS: &[&str] = &[
    "wlan.tag",
    "wlan.tag.number",
    "wlan.tag.length",
    "wlan.tag.data",
    "wlan.tag.trailing",
    "wlan.ssid",
    "wlan.supported_rates",
    "wlan.extended_supported_rates",
    "wlan.ds.current_channel",
    "wlan.tim.dtim_count",
    "wlan.tim.dtim_period",
    "wlan.tim.bmapctl",
    "wlan.tim.bmapctl.multicast",
    "wlan.tim.bmapctl.offset",
    "wlan.tim.partial_virtual_bitmap",
    "wlan.country_info.code",
    "wlan.country_info.environment",
    "wlan.country_info.fnm",
    "wlan.country_info.fnm.fcn",
    "wlan.country_info.fnm.nc",
    "wlan.country_info.fnm.mtpl",
    "wlan.country_info.rrc",
    "wlan.country_info.rrc.oei",
    "wlan.country_info.rrc.oc",
    "wlan.country_info.rrc.cc",
    "wlan.country_info.padding",
    "wlan.multiple_bssid_index.bssid_index",
    "wlan.multiple_bssid_index.dtim_period",
    "wlan.multiple_bssid_index.dtim_count",
    "wlan.fixed.capabilities",
    "wlan.tag.challenge_text",
    "wlan.powercap.min",
    "wlan.powercap.max",
    "wlan.csa.channel_switch_mode",
    "wlan.csa.new_channel_number",
    "wlan.csa.channel_switch.count",
    "wlan.qbss.scount",
    "wlan.qbss.cu",
    "wlan.qbss.adc",
    "wlan.powercon.local",
    "wlan.erp_info",
    "wlan.extcap",
    "wlan.mobility_domain.mdid",
    "wlan.mobility_domain.ft_capab",
    "wlan.supopeclass.current",
    "wlan.supopeclass.alt",
    "wlan.rmcap",
    "wlan.interworking.access_network_type",
    "wlan.interworking.anqp_options",
    "wlan.interworking.venue_info.group",
    "wlan.interworking.venue_info.type",
    "wlan.interworking.hessid",
    "wlan.multiple_bssid",
    "wlan.multiple_bssid.subelem",
    "wlan.multiple_bssid.subelem.id",
    "wlan.multiple_bssid.subelem.len",
    "wlan.multiple_bssid.subelem.data",
    "wlan.multiple_bssid.subelem.nontrans_profile",
];

/// Where `elements` are: the frame offset of `b[0]` and how deep inside other element lists.
pub(super) fn elements(b: &[u8], base: usize, depth: usize) -> Vec<Node> {
    let mut out = Vec::new();
    let mut ctx = Ctx::default();
    let mut rd = Rd::new(b, base);
    while rd.left() > 0 {
        let Some(&[id, len]) = rd.peek(2) else {
            out.push(Node::expert(
                Severity::Error,
                "1 trailing byte, too short for an element header",
                "wlan.tag",
                rd.at(),
                1,
            ));
            break;
        };
        let at = rd.at();
        let len = usize::from(len);
        let mut kids = Vec::new();
        let name = names::element(id)
            .map(str::to_string)
            .unwrap_or_else(|| format!("Element {id}"));
        rd.num(&mut kids, 1, "tag number", "wlan.tag.number", |v| {
            named(v, names::element(id))
        });
        rd.uint(&mut kids, 1, "tag length", "wlan.tag.length");
        let mut node = Node::new(name, "wlan.tag", Value::None, at, 2);
        if len > rd.left() {
            let left = rd.left();
            let text = format!("element length {len} exceeds the {left} bytes left");
            if let Some(l) = kids.last_mut() {
                l.set_expert(Severity::Error, text.clone());
            }
            rd.rest(&mut kids, "data", "wlan.tag.data", false);
            mark_raw_data(&mut kids);
            node.length = 2 + left;
            node.display = "malformed".into();
            node.set_expert(Severity::Error, text);
            node.children = kids;
            out.push(node);
            break;
        }
        let body = rd.peek(len).unwrap_or_default();
        let body_at = rd.at();
        let _ = rd.take(&mut kids, len, "element", "wlan.tag");
        let mut brd = Rd::new(body, body_at);
        let summary = content(id, &mut brd, &mut kids, depth, &mut ctx);
        brd.trailing(&mut kids, "wlan.tag", "the element's fields");
        node.length = 2 + len;
        node.display = summary.unwrap_or_else(|| "malformed".into());
        if let Some(e) = kids.iter().find_map(|k| k.expert.as_ref())
            && e.severity == Severity::Error
        {
            node.set_expert(Severity::Error, format!("{}: {}", node.name, e.text));
        }
        node.children = kids;
        // Extension and vendor elements name themselves by their first bytes.
        if let Some(n) = ctx.rename.take() {
            node.name = n;
        }
        out.push(node);
    }
    out
}

/// Facts one element leaves for later ones in the same list.
#[derive(Default)]
pub(super) struct Ctx {
    /// HE PHY capabilities' channel width set (sizes the EHT-MCS map).
    pub(super) he_width_set: Option<u8>,
    /// A name for the element node more precise than its ID's (`HE Capabilities`).
    pub(super) rename: Option<String>,
}

fn mark_raw_data(kids: &mut [Node]) {
    for k in kids.iter_mut().filter(|k| k.field == "wlan.tag.data") {
        k.raw = true;
    }
}

/// Decode one element's body; returns the element's summary (None: cut short).
fn content(
    id: u8,
    rd: &mut Rd,
    out: &mut Vec<Node>,
    depth: usize,
    ctx: &mut Ctx,
) -> Option<String> {
    match id {
        0 => {
            let n = rd.left();
            let s = rd.node(out, n, "SSID", "wlan.ssid", |s| {
                let t = String::from_utf8_lossy(s).into_owned();
                let d = format!("{t:?}");
                (Value::Str(t), d)
            });
            let t = String::from_utf8_lossy(s.unwrap_or_default()).into_owned();
            Some(if n == 0 {
                "wildcard SSID (hidden)".into()
            } else {
                format!("{t:?}")
            })
        }
        1 => rates(rd, out, "wlan.supported_rates"),
        50 => rates(rd, out, "wlan.extended_supported_rates"),
        3 => {
            let c = rd.uint(out, 1, "current channel", "wlan.ds.current_channel")?;
            Some(format!("channel {c}"))
        }
        5 => tim(rd, out),
        7 => country(rd, out),
        11 => {
            let s = rd.uint(out, 2, "station count", "wlan.qbss.scount")?;
            let cu = rd.num(out, 1, "channel utilization", "wlan.qbss.cu", |v| {
                (
                    Value::Uint(v),
                    format!("{v} ({:.1}%)", v as f64 * 100.0 / 255.0),
                )
            })?;
            rd.num(
                out,
                2,
                "available admission capacity",
                "wlan.qbss.adc",
                |v| (Value::Uint(v), format!("{v} (x 32 us/s)")),
            )?;
            Some(format!("{s} stations, utilization {cu}/255"))
        }
        32 => {
            let v = rd.num(
                out,
                1,
                "local power constraint",
                "wlan.powercon.local",
                |v| (Value::Uint(v), format!("{v} dB")),
            )?;
            Some(format!("{v} dB"))
        }
        42 => {
            let v = rd.num(out, 1, "ERP information", "wlan.erp_info", |v| {
                flags(v, ERP_BITS)
            })?;
            Some(super::flags(v, ERP_BITS).1)
        }
        48 => rsn::rsn(rd, out),
        45 => ht::ht_caps(rd, out),
        61 => ht::ht_op(rd, out),
        191 => ht::vht_caps(rd, out),
        192 => ht::vht_op(rd, out),
        127 => ext_caps(rd, out),
        54 => {
            let md = rd.num(
                out,
                2,
                "mobility domain ID",
                "wlan.mobility_domain.mdid",
                |v| (Value::Uint(v), format!("{v:#06x}")),
            )?;
            rd.num(
                out,
                1,
                "FT capability and policy",
                "wlan.mobility_domain.ft_capab",
                |v| flags(v, &[(0, "FT-over-DS"), (1, "resource-request-protocol")]),
            )?;
            Some(format!("MDID {md:#06x}"))
        }
        59 => {
            let c = rd.uint(
                out,
                1,
                "current operating class",
                "wlan.supopeclass.current",
            )?;
            while rd.left() > 0 {
                rd.uint(out, 1, "operating class", "wlan.supopeclass.alt")?;
            }
            Some(format!("current class {c}"))
        }
        70 => {
            let n = rd.left().min(5);
            rd.num(out, n, "RM enabled capabilities", "wlan.rmcap", |v| {
                flags(v, RM_BITS)
            })?;
            Some(format!("{n} bytes"))
        }
        107 => interworking(rd, out),
        83 => {
            let v = rd.num(
                out,
                2,
                "nontransmitted BSSID capability",
                "wlan.fixed.capabilities",
                |v| flags(v, super::frame::CAP_BITS),
            )?;
            Some(flags(v, super::frame::CAP_BITS).1)
        }
        85 => {
            let i = rd.uint(
                out,
                1,
                "BSSID index",
                "wlan.multiple_bssid_index.bssid_index",
            )?;
            // DTIM period and count are present in beacons only.
            if rd.left() >= 2 {
                rd.uint(
                    out,
                    1,
                    "DTIM period",
                    "wlan.multiple_bssid_index.dtim_period",
                )?;
                rd.uint(out, 1, "DTIM count", "wlan.multiple_bssid_index.dtim_count")?;
            }
            Some(format!("BSSID index {i}"))
        }
        16 => {
            let n = rd.left();
            rd.rest(out, "challenge text", "wlan.tag.challenge_text", true);
            Some(format!("{n} bytes"))
        }
        33 => {
            let p = |v: u64| {
                (
                    Value::Int(i64::from(v as u8 as i8)),
                    format!("{} dBm", v as u8 as i8),
                )
            };
            let lo = rd.num(out, 1, "minimum transmit power", "wlan.powercap.min", p)?;
            let hi = rd.num(out, 1, "maximum transmit power", "wlan.powercap.max", p)?;
            Some(format!("{} to {} dBm", lo as u8 as i8, hi as u8 as i8))
        }
        37 => {
            rd.uint(
                out,
                1,
                "channel switch mode",
                "wlan.csa.channel_switch_mode",
            )?;
            let c = rd.uint(out, 1, "new channel number", "wlan.csa.new_channel_number")?;
            let n = rd.uint(
                out,
                1,
                "channel switch count",
                "wlan.csa.channel_switch.count",
            )?;
            Some(format!("to channel {c} in {n} beacon intervals"))
        }
        71 => mbssid(rd, out, depth),
        221 => vendor::vendor(rd, out, ctx),
        255 => ext::ext(rd, out, ctx),
        _ => {
            rd.rest(out, "data", "wlan.tag.data", false);
            mark_raw_data(out);
            Some(format!("{} bytes", rd_len(out)))
        }
    }
}

fn rd_len(out: &[Node]) -> usize {
    out.iter()
        .filter(|n| n.field == "wlan.tag.data")
        .map(|n| n.length)
        .sum()
}

const ERP_BITS: &[(u32, &str)] = &[
    (0, "non-ERP-present"),
    (1, "use-protection"),
    (2, "barker-preamble-mode"),
];

/// A rate byte: 500 kb/s units, bit 7 = basic; 0xff..: BSS membership selectors.
fn rate_text(v: u8) -> String {
    let r = v & 0x7f;
    let sel = match (v & 0x80 != 0, r) {
        (true, 127) => Some("HT PHY"),
        (true, 126) => Some("VHT PHY"),
        (true, 125) => Some("GLK"),
        (true, 124) => Some("EPD"),
        (true, 123) => Some("SAE hash-to-element only"),
        (true, 122) => Some("HE PHY"),
        (true, 121) => Some("EHT PHY"),
        _ => None,
    };
    if let Some(s) = sel {
        return format!("BSS membership selector: {s}");
    }
    let mbit = if r % 2 == 1 {
        format!("{}.5", r / 2)
    } else {
        format!("{}", r / 2)
    };
    if v & 0x80 != 0 {
        format!("{mbit}(B)")
    } else {
        mbit
    }
}

fn rates(rd: &mut Rd, out: &mut Vec<Node>, field: &str) -> Option<String> {
    let mut all = Vec::new();
    while rd.left() > 0 {
        let v = rd.num(out, 1, "rate", field, |v| {
            let t = rate_text(v as u8);
            let d = if t.starts_with("BSS") {
                t
            } else {
                format!("{t} Mbit/s")
            };
            (Value::Uint(v), d)
        })?;
        all.push(rate_text(v as u8));
    }
    Some(format!("{} [Mbit/s]", all.join(" ")))
}

fn tim(rd: &mut Rd, out: &mut Vec<Node>) -> Option<String> {
    let c = rd.uint(out, 1, "DTIM count", "wlan.tim.dtim_count")?;
    let p = rd.uint(out, 1, "DTIM period", "wlan.tim.dtim_period")?;
    let at = rd.at();
    let ctl = rd.num(out, 1, "bitmap control", "wlan.tim.bmapctl", |v| {
        (Value::Uint(v), format!("{v:#04x}"))
    })?;
    if let Some(n) = out.last_mut() {
        n.children = vec![
            bit_node(
                "multicast",
                "wlan.tim.bmapctl.multicast",
                Value::Bool(ctl & 1 != 0),
                (ctl & 1 != 0).to_string(),
                at,
                1,
            ),
            bit_node(
                "bitmap offset",
                "wlan.tim.bmapctl.offset",
                Value::Uint(ctl >> 1),
                format!("{} (AID {})", ctl >> 1, (ctl >> 1) * 16),
                at,
                1,
            ),
        ];
    }
    rd.rest(
        out,
        "partial virtual bitmap",
        "wlan.tim.partial_virtual_bitmap",
        false,
    );
    let mcast = if ctl & 1 != 0 {
        ", multicast buffered"
    } else {
        ""
    };
    Some(format!("DTIM {c} of {p}{mcast}"))
}

fn country(rd: &mut Rd, out: &mut Vec<Node>) -> Option<String> {
    let code = rd.node(out, 2, "code", "wlan.country_info.code", |s| {
        let t = String::from_utf8_lossy(s).into_owned();
        (Value::Str(t.clone()), t)
    })?;
    let env = rd.num(
        out,
        1,
        "environment",
        "wlan.country_info.environment",
        |v| {
            named(
                v,
                match v {
                    0x20 => Some("Any"),
                    0x4f => Some("Outdoor"),
                    0x49 => Some("Indoor"),
                    0x58 => Some("Non-country"),
                    _ => None,
                },
            )
        },
    )?;
    let mut n = 0;
    while rd.left() >= 3 {
        let at = rd.at();
        let mut kids = Vec::new();
        let first = rd.peek(1).and_then(|s| s.first().copied()).unwrap_or(0);
        let (node_name, field, d) = if first >= 201 {
            let e = rd.uint(
                &mut kids,
                1,
                "operating extension ID",
                "wlan.country_info.rrc.oei",
            )?;
            let c = rd.uint(&mut kids, 1, "operating class", "wlan.country_info.rrc.oc")?;
            let cc = rd.uint(&mut kids, 1, "coverage class", "wlan.country_info.rrc.cc")?;
            (
                "operating triplet",
                "wlan.country_info.rrc",
                format!("extension {e}, class {c}, coverage {cc}"),
            )
        } else {
            let f = rd.uint(&mut kids, 1, "first channel", "wlan.country_info.fnm.fcn")?;
            let c = rd.uint(
                &mut kids,
                1,
                "number of channels",
                "wlan.country_info.fnm.nc",
            )?;
            let p = rd.num(
                &mut kids,
                1,
                "maximum transmit power",
                "wlan.country_info.fnm.mtpl",
                |v| {
                    (
                        Value::Int(i64::from(v as u8 as i8)),
                        format!("{} dBm", v as u8 as i8),
                    )
                },
            )?;
            let p = p as u8 as i8;
            (
                "subband triplet",
                "wlan.country_info.fnm",
                format!("channels {f}+{c}, {p} dBm"),
            )
        };
        let mut node = Node::new(node_name, field, Value::None, at, 3);
        node.display = d;
        node.children = kids;
        out.push(node);
        n += 1;
    }
    if rd.left() == 1 {
        rd.uint(out, 1, "padding", "wlan.country_info.padding")?;
    }
    let env = match env {
        0x20 => "any",
        0x4f => "outdoor",
        0x49 => "indoor",
        _ => "other",
    };
    Some(format!(
        "{}, {env} environment, {n} triplets",
        String::from_utf8_lossy(code)
    ))
}

/// Extended capabilities bit names (Table 9-153).
const EXTCAP_BITS: &[(u32, &str)] = &[
    (0, "20/40-BSS-coexistence-management"),
    (2, "extended-channel-switching"),
    (4, "PSMP"),
    (6, "S-PSMP"),
    (7, "event"),
    (8, "diagnostics"),
    (9, "multicast-diagnostics"),
    (10, "location-tracking"),
    (11, "FMS"),
    (12, "proxy-ARP"),
    (13, "collocated-interference-reporting"),
    (14, "civic-location"),
    (15, "geospatial-location"),
    (16, "TFS"),
    (17, "WNM-sleep-mode"),
    (18, "TIM-broadcast"),
    (19, "BSS-transition"),
    (20, "QoS-traffic-capability"),
    (21, "AC-station-count"),
    (22, "multiple-BSSID"),
    (23, "timing-measurement"),
    (24, "channel-usage"),
    (25, "SSID-list"),
    (26, "DMS"),
    (27, "UTC-TSF-offset"),
    (28, "TPU-buffer-STA"),
    (29, "TDLS-peer-PSM"),
    (30, "TDLS-channel-switching"),
    (31, "interworking"),
    (32, "QoS-map"),
    (33, "EBR"),
    (34, "SSPN-interface"),
    (36, "MSGCF"),
    (37, "TDLS-support"),
    (38, "TDLS-prohibited"),
    (39, "TDLS-channel-switching-prohibited"),
    (40, "reject-unadmitted-frame"),
    (44, "identifier-location"),
    (45, "U-APSD-coexistence"),
    (46, "WNM-notification"),
    (47, "QAB"),
    (48, "UTF-8-SSID"),
    (49, "QMF-activated"),
    (50, "QMF-reconfiguration-activated"),
    (51, "robust-AV-streaming"),
    (52, "advanced-GCR"),
    (53, "mesh-GCR"),
    (54, "SCS"),
    (55, "QLoad-report"),
    (56, "alternate-EDCA"),
    (57, "unprotected-TXOP-negotiation"),
    (58, "protected-TXOP-negotiation"),
    (60, "protected-QLoad-report"),
    (61, "TDLS-wider-bandwidth"),
    (62, "operating-mode-notification"),
    (65, "channel-schedule-management"),
    (66, "geodatabase-inband-enabling-signal"),
    (67, "network-channel-control"),
    (68, "white-space-map"),
    (69, "channel-availability-query"),
    (70, "FTM-responder"),
    (71, "FTM-initiator"),
    (72, "FILS"),
    (73, "extended-spectrum-management"),
    (74, "future-channel-guidance"),
    (75, "PAD"),
    (77, "TWT-requester"),
    (78, "TWT-responder"),
    (79, "OBSS-narrow-bandwidth-RU-tolerance"),
    (80, "complete-list-of-NonTxBSSID-profiles"),
    (81, "SAE-password-identifiers-in-use"),
    (82, "SAE-password-identifiers-used-exclusively"),
    (83, "enhanced-multi-BSSID-advertisement"),
    (84, "beacon-protection"),
    (85, "mirrored-SCS"),
    (87, "local-MAC-address-policy"),
];

fn ext_caps(rd: &mut Rd, out: &mut Vec<Node>) -> Option<String> {
    let n = rd.left();
    let at = rd.at();
    let s = rd.peek(n)?;
    let mut names = Vec::new();
    let mut unnamed = Vec::new();
    for (i, byte) in s.iter().enumerate() {
        for b in 0..8u32 {
            if byte & (1 << b) == 0 {
                continue;
            }
            let bit = i as u32 * 8 + b;
            match EXTCAP_BITS.iter().find(|(x, _)| *x == bit) {
                Some((_, name)) => names.push((*name).to_string()),
                None => unnamed.push(bit),
            }
        }
    }
    // Bits 63-64: maximum number of MSDUs in A-MSDU (a 2-bit field, not two flags).
    let msdus = (s.get(7).map_or(0, |b| b >> 7)) | (s.get(8).map_or(0, |b| (b & 1) << 1));
    unnamed.retain(|b| *b != 63 && *b != 64);
    let mut d = names.join("|");
    if !unnamed.is_empty() {
        let u: Vec<String> = unnamed.iter().map(|b| format!("bit{b}")).collect();
        if !d.is_empty() {
            d.push('|');
        }
        d.push_str(&u.join("|"));
    }
    if msdus != 0 {
        d.push_str(&format!(
            " max-MSDUs-in-A-MSDU={}",
            [0, 32, 16, 8]
                .get(usize::from(msdus & 3))
                .copied()
                .unwrap_or(0)
        ));
    }
    let _ = rd.take(out, n, "extended capabilities", "wlan.extcap");
    let mut node = Node::new(
        "extended capabilities",
        "wlan.extcap",
        Value::Flags {
            value: super::le(s.get(..n.min(8)).unwrap_or_default()),
            names: names.clone(),
        },
        at,
        n,
    );
    node.display = if d.is_empty() {
        "none".into()
    } else {
        d.clone()
    };
    out.push(node);
    Some(format!("{} capabilities", names.len() + unnamed.len()))
}

/// RM enabled capabilities (Table 9-179), bit positions over the 5 bytes.
const RM_BITS: &[(u32, &str)] = &[
    (0, "link-measurement"),
    (1, "neighbor-report"),
    (2, "parallel-measurements"),
    (3, "repeated-measurements"),
    (4, "beacon-passive-measurement"),
    (5, "beacon-active-measurement"),
    (6, "beacon-table-measurement"),
    (7, "beacon-measurement-reporting-conditions"),
    (8, "frame-measurement"),
    (9, "channel-load-measurement"),
    (10, "noise-histogram-measurement"),
    (11, "statistics-measurement"),
    (12, "LCI-measurement"),
    (13, "LCI-azimuth"),
    (14, "transmit-stream-category-measurement"),
    (15, "triggered-transmit-stream-category-measurement"),
    (16, "AP-channel-report"),
    (17, "RM-MIB"),
    (27, "measurement-pilot-transmission-information"),
    (28, "neighbor-report-TSF-offset"),
    (29, "RCPI-measurement"),
    (30, "RSNI-measurement"),
    (31, "BSS-average-access-delay"),
    (32, "BSS-available-admission-capacity"),
    (33, "antenna"),
    (34, "FTM-range-report"),
    (35, "civic-location-measurement"),
];

fn interworking(rd: &mut Rd, out: &mut Vec<Node>) -> Option<String> {
    let len = rd.left();
    let at = rd.at();
    let opt = rd.num(
        out,
        1,
        "access network options",
        "wlan.interworking.anqp_options",
        |v| flags(v, &[(4, "internet"), (5, "ASRA"), (6, "ESR"), (7, "UESA")]),
    )?;
    let t = bits(opt, 0, 3);
    let tname = match t {
        0 => Some("Private network"),
        1 => Some("Private network with guest access"),
        2 => Some("Chargeable public network"),
        3 => Some("Free public network"),
        4 => Some("Personal device network"),
        5 => Some("Emergency services only network"),
        14 => Some("Test or experimental"),
        15 => Some("Wildcard"),
        _ => None,
    };
    let (v, d) = named(t, tname);
    if let Some(n) = out.last_mut() {
        n.children.push(bit_node(
            "access network type",
            "wlan.interworking.access_network_type",
            v,
            d,
            at,
            1,
        ));
    }
    if len == 3 || len == 9 {
        rd.uint(out, 1, "venue group", "wlan.interworking.venue_info.group")?;
        rd.uint(out, 1, "venue type", "wlan.interworking.venue_info.type")?;
    }
    if len == 7 || len == 9 {
        rd.mac(out, "HESSID", "wlan.interworking.hessid")?;
    }
    Some(tname.unwrap_or("reserved network type").to_string())
}

fn mbssid(rd: &mut Rd, out: &mut Vec<Node>, depth: usize) -> Option<String> {
    let m = rd.uint(out, 1, "max BSSID indicator", "wlan.multiple_bssid")?;
    let mut profiles = 0;
    while rd.left() > 0 {
        let at = rd.at();
        let mut kids = Vec::new();
        let id = rd.num(
            &mut kids,
            1,
            "subelement ID",
            "wlan.multiple_bssid.subelem.id",
            |v| {
                named(
                    v,
                    match v {
                        0 => Some("Nontransmitted BSSID Profile"),
                        221 => Some("Vendor Specific"),
                        _ => None,
                    },
                )
            },
        )?;
        let len = rd.uint(
            &mut kids,
            1,
            "subelement length",
            "wlan.multiple_bssid.subelem.len",
        );
        let mut node = Node::new(
            "subelement",
            "wlan.multiple_bssid.subelem",
            Value::None,
            at,
            rd.at() - at,
        );
        let Some(len) = len else {
            node.children = kids;
            out.push(node);
            return None;
        };
        let (body_at, body) = match rd.take(
            &mut kids,
            len as usize,
            "subelement",
            "wlan.multiple_bssid.subelem",
        ) {
            Some(x) => x,
            None => {
                node.length = rd.at() - at;
                node.set_expert(Severity::Error, "subelement longer than the element");
                node.children = kids;
                out.push(node);
                return None;
            }
        };
        node.length = 2 + body.len();
        if id == 0 && depth < MAX_DEPTH {
            let mut p = Node::new(
                "profile",
                "wlan.multiple_bssid.subelem.nontrans_profile",
                Value::None,
                body_at,
                body.len(),
            );
            p.children = elements(body, body_at, depth + 1);
            p.display = summary(&p.children);
            node.display = format!("nontransmitted BSSID profile: {}", p.display);
            kids.push(p);
            profiles += 1;
        } else {
            let mut d = Node::new(
                "data",
                "wlan.multiple_bssid.subelem.data",
                Value::Bytes(body.to_vec()),
                body_at,
                body.len(),
            );
            d.raw = true;
            kids.push(d);
        }
        node.children = kids;
        out.push(node);
    }
    Some(format!(
        "max indicator {m} ({} BSSIDs), {profiles} profiles",
        1u64 << m.min(63)
    ))
}

/// A short description of an element list: its count and SSID.
pub(super) fn summary(nodes: &[Node]) -> String {
    let n = nodes.iter().filter(|n| n.field == "wlan.tag").count();
    let ssid = nodes
        .iter()
        .flat_map(|n| &n.children)
        .find(|c| c.field == "wlan.ssid")
        .map(|c| format!(", SSID {}", c.display))
        .unwrap_or_default();
    let s = if n == 1 { "" } else { "s" };
    format!("{n} element{s}{ssid}")
}
