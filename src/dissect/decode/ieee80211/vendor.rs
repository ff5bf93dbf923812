//! Vendor specific elements (9.4.2.25): OUI and type, then Microsoft's WPA (type 1, the RSN
//! layout with 00:50:F2 suites), WMM/WME (type 2, Wi-Fi Multimedia spec 2.2) and WPS (type 4,
//! Wi-Fi Simple Configuration TLVs, big-endian); other vendors' data as bytes.

use super::ies::Ctx;
use super::{Rd, be, bits, flags, named, names, rsn};
use crate::model::{Node, Value};

pub(super) const FIELDS: &[&str] = &[
    "wlan.tag.oui",
    "wlan.tag.vendor.oui.type",
    "wlan.tag.vendor.data",
    "wlan.wfa.ie.wme.subtype",
    "wlan.wfa.ie.wme.version",
    "wlan.wfa.ie.wme.qos_info",
    "wlan.wfa.ie.wme.reserved",
    "wlan.wfa.ie.wme.acp",
    "wlan.wfa.ie.wme.acp.aci_aifsn",
    "wlan.wfa.ie.wme.acp.aci",
    "wlan.wfa.ie.wme.acp.aifsn",
    "wlan.wfa.ie.wme.acp.acm",
    "wlan.wfa.ie.wme.acp.ecw",
    "wlan.wfa.ie.wme.acp.ecw.min",
    "wlan.wfa.ie.wme.acp.ecw.max",
    "wlan.wfa.ie.wme.acp.txop_limit",
    "wlan.wfa.ie.wme.data",
    "wps.type",
    "wps.length",
    "wps.unknown",
    "wps.vendor_id",
    "wps.ext",
    "wps.ext.version2",
    "wps.ext.authorizedmacs",
    "wps.ext.network_key_shareable",
    "wps.ext.request_to_enroll",
    "wps.ext.settings_delay_time",
];

pub(super) fn vendor(rd: &mut Rd, out: &mut Vec<Node>, ctx: &mut Ctx) -> Option<String> {
    let oui = rd.node(out, 3, "OUI", "wlan.tag.oui", |s| {
        let v = be(s) as u32;
        let d = match names::oui(v) {
            Some(n) => format!("{} ({n})", names::oui_str(v)),
            None => names::oui_str(v),
        };
        (Value::Uint(u64::from(v)), d)
    })?;
    let oui = be(oui) as u32;
    let vendor = names::oui(oui).map_or_else(|| names::oui_str(oui), str::to_string);
    if rd.left() == 0 {
        return Some(vendor);
    }
    let ty = rd.uint(out, 1, "vendor type", "wlan.tag.vendor.oui.type")?;
    let special = match (oui, ty) {
        (0x0050f2, 1) => Some("WPA Information Element"),
        (0x0050f2, 2) => Some("WMM/WME"),
        (0x0050f2, 4) => Some("WPS"),
        _ => None,
    };
    if let Some(s) = special {
        ctx.rename = Some(format!("Vendor Specific: {s}"));
    }
    match (oui, ty) {
        (0x0050f2, 1) => rsn::wpa(rd, out),
        (0x0050f2, 2) => wmm(rd, out),
        (0x0050f2, 4) => wps(rd, out),
        _ => {
            let n = rd.left();
            rd.rest(out, "data", "wlan.tag.vendor.data", false);
            Some(format!("{vendor} type {ty}, {n} bytes"))
        }
    }
}

fn wmm(rd: &mut Rd, out: &mut Vec<Node>) -> Option<String> {
    let sub = rd.num(out, 1, "subtype", "wlan.wfa.ie.wme.subtype", |v| {
        named(
            v,
            match v {
                0 => Some("Information Element"),
                1 => Some("Parameter Element"),
                2 => Some("TSPEC Element"),
                _ => None,
            },
        )
    })?;
    rd.uint(out, 1, "version", "wlan.wfa.ie.wme.version")?;
    if sub > 1 {
        rd.rest(out, "data", "wlan.wfa.ie.wme.data", false);
        return Some(format!("WMM subtype {sub}"));
    }
    let q = rd.num(out, 1, "QoS info", "wlan.wfa.ie.wme.qos_info", |v| {
        (
            Value::Uint(v),
            format!(
                "{v:#04x} (parameter set count {}{})",
                v & 15,
                if v & 0x80 != 0 { ", U-APSD" } else { "" }
            ),
        )
    })?;
    if sub == 0 {
        return Some(format!("WMM information, QoS info {q:#04x}"));
    }
    rd.uint(out, 1, "reserved", "wlan.wfa.ie.wme.reserved")?;
    let mut acs = Vec::new();
    for _ in 0..4 {
        let at = rd.at();
        let mut kids = Vec::new();
        let a = rd.num(
            &mut kids,
            1,
            "ACI / AIFSN",
            "wlan.wfa.ie.wme.acp.aci_aifsn",
            |v| (Value::Uint(v), format!("{v:#04x}")),
        );
        let Some(a) = a else {
            out.append(&mut kids);
            return None;
        };
        let aci = bits(a, 5, 6);
        let acn = ["Best Effort", "Background", "Video", "Voice"]
            .get(aci as usize)
            .copied();
        if let Some(n) = kids.last_mut() {
            let (v, d) = named(aci, acn);
            n.children.push(super::bit_node(
                "ACI",
                "wlan.wfa.ie.wme.acp.aci",
                v,
                d,
                at,
                1,
            ));
            n.children.push(super::bit_node(
                "AIFSN",
                "wlan.wfa.ie.wme.acp.aifsn",
                Value::Uint(a & 15),
                (a & 15).to_string(),
                at,
                1,
            ));
            n.children.push(super::bit_node(
                "admission control mandatory",
                "wlan.wfa.ie.wme.acp.acm",
                Value::Bool(a & 16 != 0),
                (a & 16 != 0).to_string(),
                at,
                1,
            ));
        }
        let eat = rd.at();
        let ecw = rd.num(&mut kids, 1, "ECW", "wlan.wfa.ie.wme.acp.ecw", |v| {
            (Value::Uint(v), format!("{v:#04x}"))
        });
        let Some(ecw) = ecw else {
            out.append(&mut kids);
            return None;
        };
        let (emin, emax) = (ecw & 15, ecw >> 4);
        if let Some(n) = kids.last_mut() {
            n.children.push(super::bit_node(
                "ECWmin",
                "wlan.wfa.ie.wme.acp.ecw.min",
                Value::Uint(emin),
                format!("{emin} (CWmin {})", (1u64 << emin) - 1),
                eat,
                1,
            ));
            n.children.push(super::bit_node(
                "ECWmax",
                "wlan.wfa.ie.wme.acp.ecw.max",
                Value::Uint(emax),
                format!("{emax} (CWmax {})", (1u64 << emax) - 1),
                eat,
                1,
            ));
        }
        let txop = rd.num(
            &mut kids,
            2,
            "TXOP limit",
            "wlan.wfa.ie.wme.acp.txop_limit",
            |v| (Value::Uint(v), format!("{v} ({} us)", v * 32)),
        );
        let mut node = Node::new(
            acn.unwrap_or("AC"),
            "wlan.wfa.ie.wme.acp",
            Value::None,
            at,
            rd.at() - at,
        );
        node.display = format!(
            "AIFSN {}, CW {}-{}, TXOP {} us",
            a & 15,
            (1u64 << emin) - 1,
            (1u64 << emax) - 1,
            txop.unwrap_or(0) * 32
        );
        node.children = kids;
        out.push(node);
        txop?;
        acs.push(
            ["BE", "BK", "VI", "VO"]
                .get(aci as usize)
                .copied()
                .unwrap_or("?"),
        );
    }
    Some(format!("WMM parameters {}", acs.join(",")))
}

/// WPS attribute types (Wi-Fi Simple Configuration 2.0, 12): id, display name, field.
const WPS: &[(u16, &str, &str)] = &[
    (0x1001, "AP Channel", "ap_channel"),
    (0x1002, "Association State", "association_state"),
    (0x1003, "Authentication Type", "authentication_type"),
    (
        0x1004,
        "Authentication Type Flags",
        "authentication_type_flags",
    ),
    (0x1005, "Authenticator", "authenticator"),
    (0x1008, "Config Methods", "config_methods"),
    (0x1009, "Configuration Error", "configuration_error"),
    (0x100c, "Connection Type", "connection_type"),
    (0x100d, "Connection Type Flags", "connection_type_flags"),
    (0x100e, "Credential", "credential"),
    (0x100f, "Encryption Type", "encryption_type"),
    (0x1010, "Encryption Type Flags", "encryption_type_flags"),
    (0x1011, "Device Name", "device_name"),
    (0x1012, "Device Password ID", "device_password_id"),
    (0x1018, "Encrypted Settings", "encrypted_settings"),
    (0x101a, "Enrollee Nonce", "enrollee_nonce"),
    (0x1020, "MAC Address", "mac_address"),
    (0x1021, "Manufacturer", "manufacturer"),
    (0x1022, "Message Type", "message_type"),
    (0x1023, "Model Name", "model_name"),
    (0x1024, "Model Number", "model_number"),
    (0x1026, "Network Index", "network_index"),
    (0x1027, "Network Key", "network_key"),
    (0x102d, "OS Version", "os_version"),
    (0x1032, "Public Key", "public_key"),
    (0x1039, "Registrar Nonce", "registrar_nonce"),
    (0x103a, "Request Type", "request_type"),
    (0x103b, "Response Type", "response_type"),
    (0x103c, "RF Bands", "rf_bands"),
    (0x1041, "Selected Registrar", "selected_registrar"),
    (0x1042, "Serial Number", "serial_number"),
    (
        0x1044,
        "Wi-Fi Protected Setup State",
        "wifi_protected_setup_state",
    ),
    (0x1045, "SSID", "ssid"),
    (0x1047, "UUID-E", "uuid_e"),
    (0x1048, "UUID-R", "uuid_r"),
    (0x1049, "Vendor Extension", "vendor_extension"),
    (0x104a, "Version", "version"),
    (
        0x1053,
        "Selected Registrar Config Methods",
        "selected_registrar_config_methods",
    ),
    (0x1054, "Primary Device Type", "primary_device_type"),
    (
        0x1055,
        "Secondary Device Type List",
        "secondary_device_type_list",
    ),
    (0x1057, "AP Setup Locked", "ap_setup_locked"),
    (0x1058, "Application Extension", "application_extension"),
];

/// `wps.<name>` of every attribute in the table.
pub(super) fn wps_fields() -> Vec<String> {
    WPS.iter().map(|(_, _, f)| format!("wps.{f}")).collect()
}

const CONFIG_METHODS: &[(u32, &str)] = &[
    (0, "USBA"),
    (1, "Ethernet"),
    (2, "Label"),
    (3, "Display"),
    (4, "External-NFC-Token"),
    (5, "Integrated-NFC-Token"),
    (6, "NFC-Interface"),
    (7, "PushButton"),
    (8, "Keypad"),
    (9, "Virtual-PushButton"),
    (10, "Physical-PushButton"),
    (13, "Virtual-Display-PIN"),
    (14, "Physical-Display-PIN"),
];

fn wps(rd: &mut Rd, out: &mut Vec<Node>) -> Option<String> {
    let mut state = String::new();
    while rd.left() > 0 {
        let at = rd.at();
        let mut kids = Vec::new();
        let hdr = rd.take(&mut kids, 4, "WPS attribute header", "wps.type");
        let Some((_, h)) = hdr else {
            out.append(&mut kids);
            return None;
        };
        let t = be(h.get(..2).unwrap_or_default()) as u16;
        let len = be(h.get(2..4).unwrap_or_default()) as usize;
        let entry = WPS.iter().find(|(id, _, _)| *id == t);
        let (tv, td) = named(u64::from(t), entry.map(|(_, n, _)| *n));
        kids.push(super::bit_node("type", "wps.type", tv, td, at, 2));
        kids.push(super::bit_node(
            "length",
            "wps.length",
            Value::Uint(len as u64),
            len.to_string(),
            at + 2,
            2,
        ));
        let name = entry.map_or_else(
            || format!("Attribute {t:#06x}"),
            |(_, n, _)| (*n).to_string(),
        );
        let field = entry.map_or_else(|| "wps.unknown".to_string(), |(_, _, f)| format!("wps.{f}"));
        let body = rd.take(&mut kids, len, &name, &field);
        let mut node = Node::new(name, field, Value::None, at, rd.at() - at);
        match body {
            Some((_, b)) => {
                let (v, d) = wps_value(t, b);
                node.value = v;
                node.display = d;
                node.inherently_opaque =
                    matches!(t, 0x1005 | 0x1018 | 0x101a | 0x1027 | 0x1032 | 0x1039);
                if t == 0x1049 {
                    vendor_ext(b, at + 4, &mut kids);
                }
                if t == 0x1044 {
                    state = node.display_text().into_owned();
                }
            }
            None => node.set_expert(
                crate::model::Severity::Error,
                "attribute longer than the element",
            ),
        }
        node.children = kids;
        out.push(node);
        body?;
    }
    Some(if state.is_empty() {
        "WPS".into()
    } else {
        format!("WPS, {state}")
    })
}

fn wps_value(t: u16, b: &[u8]) -> (Value, String) {
    let n = be(b.get(..b.len().min(8)).unwrap_or_default());
    let text = || {
        let s = String::from_utf8_lossy(b).into_owned();
        let d = format!("{s:?}");
        (Value::Str(s), d)
    };
    match (t, b.len()) {
        (0x1011 | 0x1021 | 0x1023 | 0x1024 | 0x1042 | 0x1045, _) => text(),
        (0x104a, 1) => (Value::Uint(n), format!("{}.{} ({n:#04x})", n >> 4, n & 15)),
        (0x1044, 1) => named(
            n,
            match n {
                1 => Some("Not configured"),
                2 => Some("Configured"),
                _ => None,
            },
        ),
        (0x1012, 2) => named(
            n,
            match n {
                0 => Some("PIN"),
                1 => Some("User-specified"),
                2 => Some("Machine-specified"),
                3 => Some("Rekey"),
                4 => Some("PushButton"),
                5 => Some("Registrar-specified"),
                _ => None,
            },
        ),
        (0x103a | 0x103b, 1) => named(
            n,
            match n {
                0 => Some("Enrollee, Info only"),
                1 => Some("Enrollee, open 802.1X"),
                2 => Some("Registrar"),
                3 => Some(if t == 0x103a {
                    "WLAN Manager Registrar"
                } else {
                    "AP"
                }),
                _ => None,
            },
        ),
        (0x1008 | 0x1053, 2) => flags(n, CONFIG_METHODS),
        (0x103c, 1) => flags(n, &[(0, "2.4GHz"), (1, "5GHz"), (2, "60GHz")]),
        (0x1041 | 0x1057, 1) => (Value::Bool(n != 0), (n != 0).to_string()),
        (0x1047 | 0x1048, 16) => {
            let v = crate::dissect::attrs::hinted_bytes(b, Some("uuid"));
            let d = v.display();
            (v, d)
        }
        (0x1054, 8) => {
            let cat = be(b.get(..2).unwrap_or_default());
            let sub = be(b.get(6..8).unwrap_or_default());
            let oui = crate::model::hex(b.get(2..6).unwrap_or_default());
            (Value::Bytes(b.to_vec()), format!("{cat}-{oui}-{sub}"))
        }
        (_, 1 | 2 | 4) => (Value::Uint(n), n.to_string()),
        _ => {
            let v = Value::Bytes(b.to_vec());
            let d = v.display();
            (v, d)
        }
    }
}

/// A WPS vendor extension: vendor ID, and for the Wi-Fi Alliance (00:37:2A) its subelements.
fn vendor_ext(b: &[u8], base: usize, kids: &mut Vec<Node>) {
    let mut rd = Rd::new(b, base);
    let Some(id) = rd.node(kids, 3, "vendor ID", "wps.vendor_id", |s| {
        let v = be(s);
        (Value::Uint(v), names::oui_str(v as u32))
    }) else {
        return;
    };
    let id = be(id);
    if id != 0x00372a {
        return;
    }
    while rd.left() >= 2 {
        let at = rd.at();
        let Some(&[sid, len]) = rd.peek(2) else { break };
        let Some((_, s)) = rd.take(kids, 2 + usize::from(len), "WFA subelement", "wps.ext") else {
            break;
        };
        let body = s.get(2..).unwrap_or_default();
        let (name, field) = match sid {
            0 => ("Version2", "wps.ext.version2"),
            1 => ("AuthorizedMACs", "wps.ext.authorizedmacs"),
            2 => ("Network Key Shareable", "wps.ext.network_key_shareable"),
            3 => ("Request to Enroll", "wps.ext.request_to_enroll"),
            4 => ("Settings Delay Time", "wps.ext.settings_delay_time"),
            _ => ("WFA subelement", "wps.ext"),
        };
        let v = be(body.get(..body.len().min(8)).unwrap_or_default());
        let mut n = Node::new(name, field, Value::Uint(v), at, s.len());
        n.display = if sid == 0 {
            format!("{}.{} ({v:#04x})", v >> 4, v & 15)
        } else {
            crate::model::hex(body)
        };
        kids.push(n);
    }
}
