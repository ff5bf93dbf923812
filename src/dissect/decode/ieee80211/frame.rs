//! A whole 802.11 frame (9.2-9.3): frame control, duration, addresses, sequence control, then
//! a management frame's fixed fields (9.4.1) by subtype and its elements. Control, data and
//! protected bodies are shown as bytes.

use super::{Rd, bit_node, bits, flags, ies, named, names};
use crate::model::{Node, Value};

pub(super) const FIELDS: &[&str] = &[
    "wlan.fc",
    "wlan.fc.version",
    "wlan.fc.type",
    "wlan.fc.subtype",
    "wlan.fc.type_subtype",
    "wlan.flags",
    "wlan.duration",
    "wlan.ra",
    "wlan.ta",
    "wlan.da",
    "wlan.sa",
    "wlan.bssid",
    "wlan.seqctl",
    "wlan.seq",
    "wlan.frag",
    "wlan.qos",
    "wlan.htc",
    "wlan.data",
    "wlan.protected_data",
    "wlan.fixed.all",
    "wlan.fixed.timestamp",
    "wlan.fixed.beacon",
    "wlan.fixed.capabilities",
    "wlan.fixed.listen_ival",
    "wlan.fixed.current_ap",
    "wlan.fixed.status_code",
    "wlan.fixed.aid",
    "wlan.fixed.reason_code",
    "wlan.fixed.auth.alg",
    "wlan.fixed.auth_seq",
    "wlan.fixed.auth.data",
    "wlan.fixed.category_code",
    "wlan.fixed.action_code",
    "wlan.fixed.action.oui",
    "wlan.fixed.action.data",
    "wlan.tagged.all",
];

/// Name of a type/subtype (`wlan.fc.type_subtype`: type << 4 | subtype).
fn type_subtype(ty: u64, sub: u64) -> Option<&'static str> {
    Some(match (ty, sub) {
        (0, 0) => "Association Request",
        (0, 1) => "Association Response",
        (0, 2) => "Reassociation Request",
        (0, 3) => "Reassociation Response",
        (0, 4) => "Probe Request",
        (0, 5) => "Probe Response",
        (0, 6) => "Timing Advertisement",
        (0, 8) => "Beacon",
        (0, 9) => "ATIM",
        (0, 10) => "Disassociation",
        (0, 11) => "Authentication",
        (0, 12) => "Deauthentication",
        (0, 13) => "Action",
        (0, 14) => "Action No Ack",
        (1, 2) => "Trigger",
        (1, 4) => "Beamforming Report Poll",
        (1, 5) => "NDP Announcement",
        (1, 8) => "Block Ack Request",
        (1, 9) => "Block Ack",
        (1, 10) => "PS-Poll",
        (1, 11) => "RTS",
        (1, 12) => "CTS",
        (1, 13) => "ACK",
        (1, 14) => "CF-End",
        (2, 0) => "Data",
        (2, 4) => "Null",
        (2, 8) => "QoS Data",
        (2, 12) => "QoS Null",
        _ => return None,
    })
}

const FC_FLAGS: &[(u32, &str)] = &[
    (0, "to-DS"),
    (1, "from-DS"),
    (2, "more-fragments"),
    (3, "retry"),
    (4, "power-management"),
    (5, "more-data"),
    (6, "protected"),
    (7, "+HTC/order"),
];

pub(super) const CAP_BITS: &[(u32, &str)] = &[
    (0, "ESS"),
    (1, "IBSS"),
    (2, "CF-pollable"),
    (3, "CF-poll-request"),
    (4, "privacy"),
    (5, "short-preamble"),
    (8, "spectrum-management"),
    (9, "QoS"),
    (10, "short-slot-time"),
    (11, "APSD"),
    (12, "radio-measurement"),
    (13, "EPD"),
    (14, "delayed-block-ack"),
    (15, "immediate-block-ack"),
];

pub(super) fn frame(b: &[u8], base: usize) -> (Vec<Node>, String) {
    let mut out = Vec::new();
    let mut rd = Rd::new(b, base);
    let summary = frame_into(&mut rd, &mut out).unwrap_or_else(|| "malformed 802.11 frame".into());
    (out, summary)
}

fn frame_into(rd: &mut Rd, out: &mut Vec<Node>) -> Option<String> {
    let at = rd.at();
    let fc = rd.num(out, 2, "frame control", "wlan.fc", |v| {
        (Value::Uint(v), format!("{v:#06x}"))
    })?;
    let (ty, sub) = (bits(fc, 2, 3), bits(fc, 4, 7));
    let fl = fc >> 8;
    let tname = type_subtype(ty, sub);
    if let Some(n) = out.last_mut() {
        n.display = format!("{} ({:#06x})", tname.unwrap_or("reserved"), fc);
        let v = bits(fc, 0, 1);
        n.children.push(bit_node(
            "version",
            "wlan.fc.version",
            Value::Uint(v),
            v.to_string(),
            at,
            1,
        ));
        let tn = ["Management", "Control", "Data", "Extension"]
            .get(ty as usize)
            .copied();
        let (v, d) = named(ty, tn);
        n.children
            .push(bit_node("type", "wlan.fc.type", v, d, at, 1));
        n.children.push(bit_node(
            "subtype",
            "wlan.fc.subtype",
            Value::Uint(sub),
            sub.to_string(),
            at,
            1,
        ));
        let ts = ty << 4 | sub;
        let (v, _) = named(ts, tname);
        let d = format!("{} ({ts:#06x})", tname.unwrap_or("reserved"));
        n.children.push(bit_node(
            "type/subtype",
            "wlan.fc.type_subtype",
            v,
            d,
            at,
            1,
        ));
        let (v, d) = flags(fl, FC_FLAGS);
        n.children
            .push(bit_node("flags", "wlan.flags", v, d, at + 1, 1));
    }
    let name = tname.unwrap_or("reserved frame type").to_string();
    rd.num(out, 2, "duration", "wlan.duration", |v| {
        if v & 0x8000 == 0 {
            (Value::Uint(v), format!("{v} us"))
        } else {
            (Value::Uint(v), format!("{v:#06x}"))
        }
    })?;
    let protected = fl & 0x40 != 0;
    match ty {
        0 => {
            rd.mac(out, "receiver/destination address", "wlan.da")?;
            let sa = rd.mac(out, "transmitter/source address", "wlan.sa")?;
            let bssid = rd.mac(out, "BSSID", "wlan.bssid")?;
            seq_ctl(rd, out)?;
            if fl & 0x80 != 0 {
                rd.num(out, 4, "HT control", "wlan.htc", |v| {
                    (Value::Uint(v), format!("{v:#010x}"))
                })?;
            }
            let mut s = format!(
                "{name}, SA {}, BSSID {}",
                crate::model::mac(&sa),
                crate::model::mac(&bssid)
            );
            if protected {
                rd.rest(out, "protected body", "wlan.protected_data", true);
                s.push_str(", protected");
                return Some(s);
            }
            let extra = mgmt_body(rd, out, sub)?;
            s.push_str(&extra);
            Some(s)
        }
        1 => {
            rd.mac(out, "receiver address", "wlan.ra")?;
            if !matches!(sub, 12 | 13) && rd.left() >= 6 {
                rd.mac(out, "transmitter address", "wlan.ta")?;
            }
            rd.rest(out, "data", "wlan.data", false);
            Some(name)
        }
        2 => {
            let ds = fl & 3;
            let names: [(&str, &str); 3] = match ds {
                0 => [
                    ("destination address", "wlan.da"),
                    ("source address", "wlan.sa"),
                    ("BSSID", "wlan.bssid"),
                ],
                // to-DS
                1 => [
                    ("BSSID", "wlan.bssid"),
                    ("source address", "wlan.sa"),
                    ("destination address", "wlan.da"),
                ],
                // from-DS
                2 => [
                    ("destination address", "wlan.da"),
                    ("BSSID", "wlan.bssid"),
                    ("source address", "wlan.sa"),
                ],
                _ => [
                    ("receiver address", "wlan.ra"),
                    ("transmitter address", "wlan.ta"),
                    ("destination address", "wlan.da"),
                ],
            };
            for (n, f) in names {
                rd.mac(out, n, f)?;
            }
            seq_ctl(rd, out)?;
            if ds == 3 {
                rd.mac(out, "source address", "wlan.sa")?;
            }
            if sub & 8 != 0 {
                rd.num(out, 2, "QoS control", "wlan.qos", |v| {
                    (Value::Uint(v), format!("{v:#06x}"))
                })?;
                if fl & 0x80 != 0 {
                    rd.num(out, 4, "HT control", "wlan.htc", |v| {
                        (Value::Uint(v), format!("{v:#010x}"))
                    })?;
                }
            }
            if protected {
                rd.rest(out, "protected body", "wlan.protected_data", true);
            } else {
                rd.rest(out, "data", "wlan.data", false);
            }
            Some(name)
        }
        _ => {
            rd.rest(out, "data", "wlan.data", false);
            Some(name)
        }
    }
}

fn seq_ctl(rd: &mut Rd, out: &mut Vec<Node>) -> Option<()> {
    let at = rd.at();
    let v = rd.num(out, 2, "sequence control", "wlan.seqctl", |v| {
        (Value::Uint(v), format!("seq {}, frag {}", v >> 4, v & 15))
    })?;
    if let Some(n) = out.last_mut() {
        n.children.push(bit_node(
            "fragment number",
            "wlan.frag",
            Value::Uint(v & 15),
            (v & 15).to_string(),
            at,
            2,
        ));
        n.children.push(bit_node(
            "sequence number",
            "wlan.seq",
            Value::Uint(v >> 4),
            (v >> 4).to_string(),
            at,
            2,
        ));
    }
    Some(())
}

/// Fixed fields by subtype, then the elements; returns text for the summary.
fn mgmt_body(rd: &mut Rd, out: &mut Vec<Node>, sub: u64) -> Option<String> {
    let at = rd.at();
    let mut fixed = Vec::new();
    let mut extra = String::new();
    let mut elements = true;
    let r = (|| -> Option<()> {
        let f = &mut fixed;
        match sub {
            // Association / reassociation request.
            0 | 2 => {
                capabilities(rd, f)?;
                rd.num(f, 2, "listen interval", "wlan.fixed.listen_ival", |v| {
                    (Value::Uint(v), format!("{v} beacon intervals"))
                })?;
                if sub == 2 {
                    rd.mac(f, "current AP address", "wlan.fixed.current_ap")?;
                }
            }
            // Association / reassociation response.
            1 | 3 => {
                capabilities(rd, f)?;
                let s = status(rd, f)?;
                let aid = rd.num(f, 2, "association ID", "wlan.fixed.aid", |v| {
                    (Value::Uint(v & 0x3fff), format!("{}", v & 0x3fff))
                })?;
                extra = format!(
                    ", status {}, AID {}",
                    named(s, names::status(s)).1,
                    aid & 0x3fff
                );
            }
            // Probe response, beacon, timing advertisement.
            5 | 6 | 8 => {
                rd.num(f, 8, "timestamp", "wlan.fixed.timestamp", |v| {
                    (Value::Uint(v), format!("{v} us"))
                })?;
                if sub != 6 {
                    rd.num(f, 2, "beacon interval", "wlan.fixed.beacon", |v| {
                        (
                            Value::Uint(v),
                            format!("{v} TU ({:.1} ms)", v as f64 * 1.024),
                        )
                    })?;
                }
                capabilities(rd, f)?;
            }
            10 | 12 => {
                let r = rd.num(f, 2, "reason code", "wlan.fixed.reason_code", |v| {
                    named(v, names::reason(v))
                })?;
                extra = format!(", reason {}", named(r, names::reason(r)).1);
            }
            11 => {
                let alg = rd.num(
                    f,
                    2,
                    "authentication algorithm",
                    "wlan.fixed.auth.alg",
                    |v| named(v, names::auth_alg(v)),
                )?;
                let seq = rd.uint(
                    f,
                    2,
                    "authentication transaction sequence number",
                    "wlan.fixed.auth_seq",
                )?;
                let s = status(rd, f)?;
                extra = format!(
                    ", {} seq {seq}, status {}",
                    names::auth_alg(alg).unwrap_or("algorithm"),
                    named(s, names::status(s)).1
                );
                // SAE commit/confirm fields are not elements.
                if alg == 3 {
                    rd.rest(f, "SAE data", "wlan.fixed.auth.data", true);
                    elements = false;
                }
            }
            13 | 14 => {
                let c = rd.num(f, 1, "category code", "wlan.fixed.category_code", |v| {
                    named(v, names::category(v & 0x7f))
                })?;
                elements = false;
                if matches!(c, 126 | 127) {
                    rd.node(f, 3, "OUI", "wlan.fixed.action.oui", |s| {
                        let v = super::be(s);
                        (Value::Uint(v), names::oui_str(v as u32))
                    })?;
                    extra = format!(", {}", names::category(c).unwrap_or(""));
                } else {
                    let a = rd.num(f, 1, "action code", "wlan.fixed.action_code", |v| {
                        named(v, names::action(c, v))
                    })?;
                    extra = format!(
                        ", {}: {}",
                        names::category(c & 0x7f).unwrap_or("category"),
                        names::action(c, a).map_or_else(|| a.to_string(), str::to_string)
                    );
                }
                rd.rest(f, "action data", "wlan.fixed.action.data", false);
            }
            _ => {}
        }
        Some(())
    })();
    if !fixed.is_empty() {
        let len = fixed
            .iter()
            .map(|n| n.offset + n.length)
            .max()
            .unwrap_or(at)
            - at;
        let mut n = Node::new("fixed parameters", "wlan.fixed.all", Value::None, at, len);
        n.display = format!("{len} bytes");
        n.children = fixed;
        out.push(n);
    }
    r?;
    if elements && rd.left() > 0 {
        let at = rd.at();
        let b = rd.peek(rd.left()).unwrap_or_default();
        let mut n = Node::new(
            "tagged parameters",
            "wlan.tagged.all",
            Value::None,
            at,
            b.len(),
        );
        n.children = ies::elements(b, at, 0);
        n.display = ies::summary(&n.children);
        if let Some(s) = n
            .display_text()
            .split_once(", SSID ")
            .map(|(_, s)| s.to_string())
        {
            extra.push_str(&format!(", SSID {s}"));
        }
        out.push(n);
        let _ = rd.take(out, b.len(), "elements", "wlan.tagged.all");
    }
    Some(extra)
}

fn capabilities(rd: &mut Rd, out: &mut Vec<Node>) -> Option<u64> {
    rd.num(
        out,
        2,
        "capability information",
        "wlan.fixed.capabilities",
        |v| flags(v, CAP_BITS),
    )
}

fn status(rd: &mut Rd, out: &mut Vec<Node>) -> Option<u64> {
    rd.num(out, 2, "status code", "wlan.fixed.status_code", |v| {
        named(v, names::status(v))
    })
}
