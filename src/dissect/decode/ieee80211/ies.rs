//! The element list and the simple elements (9.4.2).

use super::{Rd, bit_node, caps, ext, flags, ht, named, names, rsn, vendor};
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
            node.name = n.into();
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
        127 => caps::ext_caps(rd, out),
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
                flags(v, caps::RM_BITS)
            })?;
            Some(format!("{n} bytes"))
        }
        107 => caps::interworking(rd, out),
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
        71 => caps::mbssid(rd, out, depth),
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

/// A short description of an element list: its count and SSID.
pub(super) fn summary(nodes: &[Node]) -> String {
    let n = nodes.iter().filter(|n| n.field == "wlan.tag").count();
    let ssid = nodes
        .iter()
        .flat_map(|n| &n.children)
        .find(|c| c.field == "wlan.ssid")
        .map(|c| format!(", SSID {}", c.display_text()))
        .unwrap_or_default();
    let s = if n == 1 { "" } else { "s" };
    format!("{n} element{s}{ssid}")
}
