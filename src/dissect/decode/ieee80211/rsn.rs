//! RSN element (9.4.2.24) and its WPA twin (Microsoft OUI 00:50:F2 type 1): version, group
//! cipher, pairwise ciphers, AKMs, capabilities, PMKIDs, group management cipher.

use super::{Rd, bit_node, bits, flags, names};
use crate::model::{Node, Value};

pub(super) const FIELDS: &[&str] = &[
    "wlan.rsn.version",
    "wlan.rsn.gcs",
    "wlan.rsn.gcs.oui",
    "wlan.rsn.gcs.type",
    "wlan.rsn.pcs.count",
    "wlan.rsn.pcs",
    "wlan.rsn.pcs.oui",
    "wlan.rsn.pcs.type",
    "wlan.rsn.akms.count",
    "wlan.rsn.akms",
    "wlan.rsn.akms.oui",
    "wlan.rsn.akms.type",
    "wlan.rsn.capabilities",
    "wlan.rsn.capabilities.ptksa_replay_counter",
    "wlan.rsn.capabilities.gtksa_replay_counter",
    "wlan.rsn.pmkid.count",
    "wlan.rsn.pmkid.list",
    "wlan.rsn.gmcs",
    "wlan.rsn.gmcs.oui",
    "wlan.rsn.gmcs.type",
    "wlan.wfa.ie.wpa.version",
    "wlan.wfa.ie.wpa.mcs",
    "wlan.wfa.ie.wpa.mcs.oui",
    "wlan.wfa.ie.wpa.mcs.type",
    "wlan.wfa.ie.wpa.ucs.count",
    "wlan.wfa.ie.wpa.ucs",
    "wlan.wfa.ie.wpa.ucs.oui",
    "wlan.wfa.ie.wpa.ucs.type",
    "wlan.wfa.ie.wpa.akms.count",
    "wlan.wfa.ie.wpa.akms",
    "wlan.wfa.ie.wpa.akms.oui",
    "wlan.wfa.ie.wpa.akms.type",
];

/// RSN or WPA: the suites' home OUI and field prefix differ.
#[derive(Clone, Copy)]
struct Flavor {
    oui: u32,
    group: &'static str,
    pairwise: &'static str,
    akm: &'static str,
    cipher: fn(u8) -> Option<&'static str>,
    akm_name: fn(u8) -> Option<&'static str>,
}

const RSN: Flavor = Flavor {
    oui: 0x000fac,
    group: "wlan.rsn.gcs",
    pairwise: "wlan.rsn.pcs",
    akm: "wlan.rsn.akms",
    cipher: names::rsn_cipher,
    akm_name: names::rsn_akm,
};

const WPA: Flavor = Flavor {
    oui: 0x0050f2,
    group: "wlan.wfa.ie.wpa.mcs",
    pairwise: "wlan.wfa.ie.wpa.ucs",
    akm: "wlan.wfa.ie.wpa.akms",
    cipher: names::wpa_cipher,
    akm_name: names::wpa_akm,
};

/// The RSN element body; summary `CCMP-128/SAE`.
pub(super) fn rsn(rd: &mut Rd, out: &mut Vec<Node>) -> Option<String> {
    rd.uint(out, 2, "version", "wlan.rsn.version")?;
    suites_body(rd, out, RSN)
}

/// The WPA element after its OUI and type.
pub(super) fn wpa(rd: &mut Rd, out: &mut Vec<Node>) -> Option<String> {
    rd.uint(out, 2, "version", "wlan.wfa.ie.wpa.version")?;
    suites_body(rd, out, WPA).map(|s| format!("WPA {s}"))
}

/// Each part after the version is optional: the element may end after any of them.
fn suites_body(rd: &mut Rd, out: &mut Vec<Node>, f: Flavor) -> Option<String> {
    let mut group = String::new();
    let mut pairwise = Vec::new();
    let mut akms = Vec::new();
    if rd.left() > 0 {
        group = suite(rd, out, "group cipher", f.group, f.oui, f.cipher)?;
    }
    if rd.left() > 0 {
        pairwise = list(rd, out, "pairwise cipher", f.pairwise, f.oui, f.cipher)?;
    }
    if rd.left() > 0 {
        akms = list(rd, out, "AKM", f.akm, f.oui, f.akm_name)?;
    }
    let summary = format!("{} / {} / {}", group, pairwise.join(","), akms.join(","));
    if f.oui != RSN.oui {
        return Some(summary);
    }
    if rd.left() > 0 {
        capabilities(rd, out)?;
    }
    if rd.left() > 0 {
        let n = rd.uint(out, 2, "PMKID count", "wlan.rsn.pmkid.count")?;
        for _ in 0..n {
            let (at, s) = rd.take(out, 16, "PMKID", "wlan.rsn.pmkid.list")?;
            let mut p = Node::new(
                "PMKID",
                "wlan.rsn.pmkid.list",
                Value::Bytes(s.to_vec()),
                at,
                16,
            );
            p.inherently_opaque = true;
            out.push(p);
        }
    }
    if rd.left() > 0 {
        suite(
            rd,
            out,
            "group management cipher",
            "wlan.rsn.gmcs",
            RSN.oui,
            names::rsn_cipher,
        )?;
    }
    Some(summary)
}

/// A count and that many suites; the suite names.
fn list(
    rd: &mut Rd,
    out: &mut Vec<Node>,
    what: &str,
    field: &str,
    home: u32,
    name: fn(u8) -> Option<&'static str>,
) -> Option<Vec<String>> {
    let n = rd.uint(out, 2, &format!("{what} count"), &format!("{field}.count"))?;
    let mut all = Vec::new();
    for _ in 0..n {
        all.push(suite(rd, out, what, field, home, name)?);
    }
    Some(all)
}

/// One suite selector (OUI + type): a node `field` with `.oui` and `.type` children.
pub(super) fn suite(
    rd: &mut Rd,
    out: &mut Vec<Node>,
    what: &str,
    field: &str,
    home: u32,
    name: fn(u8) -> Option<&'static str>,
) -> Option<String> {
    let (at, s) = rd.take(out, 4, what, field)?;
    let &[a, b, c, t] = s else { return None };
    let oui = u32::from_be_bytes([0, a, b, c]);
    let known = if oui == home { name(t) } else { None };
    let sel = format!("{}:{t}", names::oui_str(oui).replace(':', "-"));
    let display = match known {
        Some(k) => format!("{k} ({sel})"),
        None => sel.clone(),
    };
    let value = Value::Enum {
        value: i64::from(t),
        name: known.unwrap_or("").to_string(),
    };
    let mut node = Node::new(what.to_string(), field.to_string(), value.clone(), at, 4);
    node.display = display;
    let mut o = Node::new(
        "OUI",
        format!("{field}.oui"),
        Value::Uint(u64::from(oui)),
        at,
        3,
    );
    o.display = match names::oui(oui) {
        Some(n) => format!("{} ({n})", names::oui_str(oui)),
        None => names::oui_str(oui),
    };
    let mut ty = Node::new("type", format!("{field}.type"), value, at + 3, 1);
    ty.display = ty.value.display();
    node.children = vec![o, ty];
    out.push(node);
    Some(known.map_or(sel, str::to_string))
}

const CAP_BITS: &[(u32, &str)] = &[
    (0, "preauth"),
    (1, "no-pairwise"),
    (6, "MFPR"),
    (7, "MFPC"),
    (8, "joint-multi-band-RSNA"),
    (9, "PeerKey"),
    (10, "SPP-A-MSDU-capable"),
    (11, "SPP-A-MSDU-required"),
    (12, "PBAC"),
    (13, "extended-key-ID"),
    (14, "OCVC"),
];

fn capabilities(rd: &mut Rd, out: &mut Vec<Node>) -> Option<()> {
    let at = rd.at();
    let v = rd.num(out, 2, "RSN capabilities", "wlan.rsn.capabilities", |v| {
        flags(v, CAP_BITS)
    })?;
    let counter = |x: u64| match x {
        0 => "1 replay counter",
        1 => "2 replay counters",
        2 => "4 replay counters",
        _ => "16 replay counters",
    };
    let p = bits(v, 2, 3);
    let g = bits(v, 4, 5);
    if let Some(n) = out.last_mut() {
        n.children = vec![
            bit_node(
                "PTKSA replay counter",
                "wlan.rsn.capabilities.ptksa_replay_counter",
                Value::Uint(p),
                format!("{p} ({})", counter(p)),
                at,
                2,
            ),
            bit_node(
                "GTKSA replay counter",
                "wlan.rsn.capabilities.gtksa_replay_counter",
                Value::Uint(g),
                format!("{g} ({})", counter(g)),
                at,
                2,
            ),
        ];
    }
    Some(())
}
