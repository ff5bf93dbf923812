//! Capability bit sets and the elements that hold other elements: extended capabilities
//! (9.4.2.26), RM enabled capabilities (9.4.2.44), interworking (9.4.2.92), multiple BSSID
//! (9.4.2.45).

use super::ies::{elements, summary};
use super::{MAX_DEPTH, Rd, bit_node, bits, flags, named};
use crate::model::{Node, Severity, Value};

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

pub(super) fn ext_caps(rd: &mut Rd, out: &mut Vec<Node>) -> Option<String> {
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
pub(super) const RM_BITS: &[(u32, &str)] = &[
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

pub(super) fn interworking(rd: &mut Rd, out: &mut Vec<Node>) -> Option<String> {
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

pub(super) fn mbssid(rd: &mut Rd, out: &mut Vec<Node>, depth: usize) -> Option<String> {
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
            node.display = format!("nontransmitted BSSID profile: {}", p.display_text());
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
