//! Element ID extension (255): HE (802.11ax 9.4.2.248-249), EHT and multi-link (802.11be
//! 9.4.2.311-313); others by name with their bytes.

use super::ies::Ctx;
use super::{Rd, bit_node, bits, flags, ht::mcs_map, named, names};
use crate::model::{Node, Value};

pub(super) const FIELDS: &[&str] = &[
    "wlan.ext_tag.number",
    "wlan.ext_tag.data",
    "wlan.ext_tag.he_mac_caps",
    "wlan.ext_tag.he_phy_cap",
    "wlan.ext_tag.he_phy_cap.chan_width_set",
    "wlan.ext_tag.he_mcs_map.rx_he_mcs_map_lte_80",
    "wlan.ext_tag.he_mcs_map.tx_he_mcs_map_lte_80",
    "wlan.ext_tag.he_mcs_map.rx_he_mcs_map_160",
    "wlan.ext_tag.he_mcs_map.tx_he_mcs_map_160",
    "wlan.ext_tag.he_mcs_map.rx_he_mcs_map_80_80",
    "wlan.ext_tag.he_mcs_map.tx_he_mcs_map_80_80",
    "wlan.ext_tag.he_ppe_thresholds",
    "wlan.ext_tag.he_operation.params",
    "wlan.ext_tag.he_operation.default_pe_duration",
    "wlan.ext_tag.he_operation.txop_duration_rts_thresh",
    "wlan.ext_tag.bss_color_information",
    "wlan.ext_tag.bss_color_information.bss_color",
    "wlan.ext_tag.he_operation.basic_he_mcs_and_nss",
    "wlan.ext_tag.he_operation.vht_op_info",
    "wlan.ext_tag.he_operation.max_co_hosted_bssid_indicator",
    "wlan.ext_tag.he_operation.6ghz.primary_channel",
    "wlan.ext_tag.he_operation.6ghz.control",
    "wlan.ext_tag.he_operation.6ghz.control.channel_width",
    "wlan.ext_tag.he_operation.6ghz.chan_center_freq_seg_0",
    "wlan.ext_tag.he_operation.6ghz.chan_center_freq_seg_1",
    "wlan.ext_tag.he_operation.6ghz.minimum_rate",
    "wlan.eht.mac_capabilities",
    "wlan.eht.phy_capabilities",
    "wlan.eht.supported_mcs_nss",
    "wlan.eht.supported_mcs_nss.bw_20",
    "wlan.eht.supported_mcs_nss.bw_le_80",
    "wlan.eht.supported_mcs_nss.bw_160",
    "wlan.eht.supported_mcs_nss.bw_320",
    "wlan.eht.ppe_thresholds",
    "wlan.eht.operation.parameters",
    "wlan.eht.operation.basic_mcs",
    "wlan.eht.operation.control",
    "wlan.eht.operation.ccfs0",
    "wlan.eht.operation.ccfs1",
    "wlan.eht.operation.disabled_subchannel_bitmap",
    "wlan.eht.multi_link.control",
    "wlan.eht.multi_link.control.type",
    "wlan.eht.multi_link.common_info.length",
    "wlan.eht.multi_link.common_info.mld_mac_address",
    "wlan.eht.multi_link.common_info.rest",
    "wlan.eht.multi_link.sta_profile",
    "wlan.eht.multi_link.sta_profile.id",
    "wlan.eht.multi_link.sta_profile.length",
    "wlan.eht.multi_link.sta_profile.sta_control",
    "wlan.eht.multi_link.sta_profile.sta_control.link_id",
    "wlan.eht.multi_link.sta_profile.sta_info",
    "wlan.eht.multi_link.sta_profile.data",
];

pub(super) fn ext(rd: &mut Rd, out: &mut Vec<Node>, ctx: &mut Ctx) -> Option<String> {
    let id = rd.num(out, 1, "extension ID", "wlan.ext_tag.number", |v| {
        named(v, names::ext_element(v as u8))
    })?;
    let name = names::ext_element(id as u8);
    ctx.rename = Some(name.map_or_else(|| format!("Extension element {id}"), str::to_string));
    match id {
        35 => he_caps(rd, out, ctx),
        36 => he_op(rd, out),
        108 => eht_caps(rd, out, ctx),
        106 => eht_op(rd, out),
        107 => multi_link(rd, out),
        _ => {
            let n = rd.left();
            rd.rest(out, "data", "wlan.ext_tag.data", false);
            if let Some(d) = out.last_mut().filter(|d| d.field == "wlan.ext_tag.data") {
                d.raw = true;
            }
            Some(format!("{n} bytes"))
        }
    }
}

const HE_MAC_BITS: &[(u32, &str)] = &[
    (0, "HTC-HE"),
    (1, "TWT-requester"),
    (2, "TWT-responder"),
    (11, "all-ack"),
    (12, "TRS"),
    (13, "BSR"),
    (14, "broadcast-TWT"),
    (15, "32-bit-BA-bitmap"),
    (16, "MU-cascading"),
    (17, "ack-enabled-aggregation"),
    (19, "OM-control"),
    (20, "OFDMA-RA"),
    (25, "A-MSDU-fragmentation"),
    (26, "flexible-TWT-schedule"),
    (27, "RX-control-frame-to-MultiBSS"),
    (28, "BSRP-BQRP-A-MPDU-aggregation"),
    (29, "QTP"),
    (30, "BQR"),
    (31, "PSR-responder"),
    (32, "NDP-feedback-report"),
    (33, "OPS"),
    (34, "A-MSDU-not-under-BA-in-ack-enabled-A-MPDU"),
    (36, "UL-2x996-tone-RU"),
    (37, "OM-control-UL-MU-data-disable-RX"),
];

const HE_WIDTH_BITS: &[(u32, &str)] = &[
    (0, "40MHz-in-2.4GHz"),
    (1, "40/80MHz-in-5/6GHz"),
    (2, "160MHz-in-5/6GHz"),
    (3, "160/80+80MHz-in-5/6GHz"),
    (4, "242-tone-RU-in-2.4GHz"),
    (5, "242-tone-RU-in-5/6GHz"),
];

fn he_caps(rd: &mut Rd, out: &mut Vec<Node>, ctx: &mut Ctx) -> Option<String> {
    rd.num(
        out,
        6,
        "HE MAC capabilities",
        "wlan.ext_tag.he_mac_caps",
        |v| flags(v, HE_MAC_BITS),
    )?;
    let at = rd.at();
    let phy = rd.node(
        out,
        11,
        "HE PHY capabilities",
        "wlan.ext_tag.he_phy_cap",
        |s| (Value::Bytes(s.to_vec()), crate::model::hex(s)),
    )?;
    let b0 = phy.first().copied().unwrap_or(0);
    let set = (b0 >> 1) & 0x7f;
    ctx.he_width_set = Some(set);
    let (v, d) = flags(u64::from(set), HE_WIDTH_BITS);
    if let Some(n) = out.last_mut() {
        n.children.push(bit_node(
            "channel width set",
            "wlan.ext_tag.he_phy_cap.chan_width_set",
            v,
            d.clone(),
            at,
            1,
        ));
    }
    let he = [7, 9, 11];
    let map = |rd: &mut Rd, out: &mut Vec<Node>, name: &str, f: &str| {
        rd.num(out, 2, name, f, |v| (Value::Uint(v), mcs_map(v, he)))
    };
    let rx = map(
        rd,
        out,
        "RX HE-MCS map <= 80 MHz",
        "wlan.ext_tag.he_mcs_map.rx_he_mcs_map_lte_80",
    )?;
    map(
        rd,
        out,
        "TX HE-MCS map <= 80 MHz",
        "wlan.ext_tag.he_mcs_map.tx_he_mcs_map_lte_80",
    )?;
    if set & 4 != 0 {
        map(
            rd,
            out,
            "RX HE-MCS map 160 MHz",
            "wlan.ext_tag.he_mcs_map.rx_he_mcs_map_160",
        )?;
        map(
            rd,
            out,
            "TX HE-MCS map 160 MHz",
            "wlan.ext_tag.he_mcs_map.tx_he_mcs_map_160",
        )?;
    }
    if set & 8 != 0 {
        map(
            rd,
            out,
            "RX HE-MCS map 80+80 MHz",
            "wlan.ext_tag.he_mcs_map.rx_he_mcs_map_80_80",
        )?;
        map(
            rd,
            out,
            "TX HE-MCS map 80+80 MHz",
            "wlan.ext_tag.he_mcs_map.tx_he_mcs_map_80_80",
        )?;
    }
    // PPE thresholds present: PHY capabilities bit 55 (byte 6 bit 7).
    if phy.get(6).is_some_and(|b| b & 0x80 != 0) {
        rd.rest(
            out,
            "PPE thresholds",
            "wlan.ext_tag.he_ppe_thresholds",
            false,
        );
    }
    Some(format!("{d}, RX {}", mcs_map(rx, he)))
}

fn he_op(rd: &mut Rd, out: &mut Vec<Node>) -> Option<String> {
    let at = rd.at();
    let p = rd.num(
        out,
        3,
        "HE operation parameters",
        "wlan.ext_tag.he_operation.params",
        |v| {
            flags(
                v,
                &[
                    (3, "TWT-required"),
                    (14, "VHT-operation-information-present"),
                    (15, "co-hosted-BSS"),
                    (16, "ER-SU-disable"),
                    (17, "6GHz-operation-information-present"),
                ],
            )
        },
    )?;
    if let Some(n) = out.last_mut() {
        let pe = bits(p, 0, 2);
        n.children.push(bit_node(
            "default PE duration",
            "wlan.ext_tag.he_operation.default_pe_duration",
            Value::Uint(pe),
            format!("{pe} ({} us)", pe * 4),
            at,
            3,
        ));
        let t = bits(p, 4, 13);
        n.children.push(bit_node(
            "TXOP duration RTS threshold",
            "wlan.ext_tag.he_operation.txop_duration_rts_thresh",
            Value::Uint(t),
            t.to_string(),
            at,
            3,
        ));
    }
    let at = rd.at();
    let c = rd.num(
        out,
        1,
        "BSS color information",
        "wlan.ext_tag.bss_color_information",
        |v| flags(v, &[(6, "partial-BSS-color"), (7, "BSS-color-disabled")]),
    )?;
    let color = c & 0x3f;
    if let Some(n) = out.last_mut() {
        n.children.push(bit_node(
            "BSS color",
            "wlan.ext_tag.bss_color_information.bss_color",
            Value::Uint(color),
            color.to_string(),
            at,
            1,
        ));
    }
    rd.num(
        out,
        2,
        "basic HE-MCS and NSS set",
        "wlan.ext_tag.he_operation.basic_he_mcs_and_nss",
        |v| (Value::Uint(v), mcs_map(v, [7, 9, 11])),
    )?;
    if p & (1 << 14) != 0 {
        rd.node(
            out,
            3,
            "VHT operation information",
            "wlan.ext_tag.he_operation.vht_op_info",
            |s| (Value::Bytes(s.to_vec()), crate::model::hex(s)),
        )?;
    }
    if p & (1 << 15) != 0 {
        rd.uint(
            out,
            1,
            "max co-hosted BSSID indicator",
            "wlan.ext_tag.he_operation.max_co_hosted_bssid_indicator",
        )?;
    }
    let mut six = String::new();
    if p & (1 << 17) != 0 {
        let pc = rd.uint(
            out,
            1,
            "6 GHz primary channel",
            "wlan.ext_tag.he_operation.6ghz.primary_channel",
        )?;
        let at = rd.at();
        let ctl = rd.num(
            out,
            1,
            "6 GHz control",
            "wlan.ext_tag.he_operation.6ghz.control",
            |v| flags(v, &[(2, "duplicate-beacon")]),
        )?;
        let w = bits(ctl, 0, 1);
        let wn = ["20 MHz", "40 MHz", "80 MHz", "160/80+80 MHz"]
            .get(w as usize)
            .copied();
        if let Some(n) = out.last_mut() {
            let (v, d) = named(w, wn);
            n.children.push(bit_node(
                "channel width",
                "wlan.ext_tag.he_operation.6ghz.control.channel_width",
                v,
                d,
                at,
                1,
            ));
        }
        rd.uint(
            out,
            1,
            "channel center frequency segment 0",
            "wlan.ext_tag.he_operation.6ghz.chan_center_freq_seg_0",
        )?;
        rd.uint(
            out,
            1,
            "channel center frequency segment 1",
            "wlan.ext_tag.he_operation.6ghz.chan_center_freq_seg_1",
        )?;
        rd.uint(
            out,
            1,
            "minimum rate",
            "wlan.ext_tag.he_operation.6ghz.minimum_rate",
        )?;
        six = format!(", 6 GHz channel {pc} {}", wn.unwrap_or(""));
    }
    Some(format!("BSS color {color}{six}"))
}

fn eht_caps(rd: &mut Rd, out: &mut Vec<Node>, ctx: &Ctx) -> Option<String> {
    rd.num(
        out,
        2,
        "EHT MAC capabilities",
        "wlan.eht.mac_capabilities",
        |v| {
            flags(
                v,
                &[
                    (0, "EPCS-priority-access"),
                    (1, "OM-control"),
                    (2, "TXS-mode-1"),
                    (3, "TXS-mode-2"),
                    (4, "restricted-TWT"),
                    (5, "SCS-traffic-description"),
                ],
            )
        },
    )?;
    let phy = rd.node(
        out,
        9,
        "EHT PHY capabilities",
        "wlan.eht.phy_capabilities",
        |s| {
            let v = super::le(s.get(..8).unwrap_or_default());
            flags(
                v,
                &[
                    (1, "320MHz-in-6GHz"),
                    (2, "242-tone-RU-in-BW>20MHz"),
                    (3, "NDP-with-4x-EHT-LTF-and-3.2us-GI"),
                    (5, "SU-beamformer"),
                    (6, "SU-beamformee"),
                ],
            )
        },
    )?;
    let start = rd.at();
    let mut mcs = Vec::new();
    // 802.11be 9.4.2.313.4: the EHT-MCS map's layout follows the HE channel width set.
    match ctx.he_width_set {
        Some(set) if set & 0x0f == 0 => {
            rd.node(
                &mut mcs,
                4,
                "EHT-MCS map (20 MHz-only STA)",
                "wlan.eht.supported_mcs_nss.bw_20",
                |s| (Value::Bytes(s.to_vec()), crate::model::hex(s)),
            )?;
        }
        Some(set) => {
            let mut maps = vec![(
                "EHT-MCS map BW <= 80 MHz",
                "wlan.eht.supported_mcs_nss.bw_le_80",
            )];
            if set & 4 != 0 {
                maps.push((
                    "EHT-MCS map BW = 160 MHz",
                    "wlan.eht.supported_mcs_nss.bw_160",
                ));
            }
            if phy.first().is_some_and(|b| b & 2 != 0) {
                maps.push((
                    "EHT-MCS map BW = 320 MHz",
                    "wlan.eht.supported_mcs_nss.bw_320",
                ));
            }
            for (name, f) in maps {
                rd.node(&mut mcs, 3, name, f, |s| {
                    (Value::Bytes(s.to_vec()), crate::model::hex(s))
                })?;
            }
        }
        None => {}
    }
    if ctx.he_width_set.is_some() {
        let mut n = Node::new(
            "supported EHT-MCS and NSS set",
            "wlan.eht.supported_mcs_nss",
            Value::None,
            start,
            rd.at() - start,
        );
        n.children = mcs;
        out.push(n);
        // PPE thresholds present: PHY capabilities B43.
        if phy.get(5).is_some_and(|b| b & 8 != 0) {
            rd.rest(out, "EHT PPE thresholds", "wlan.eht.ppe_thresholds", false);
        }
    } else {
        rd.rest(
            out,
            "EHT-MCS map and PPE thresholds (layout depends on the HE capabilities)",
            "wlan.eht.supported_mcs_nss",
            false,
        );
    }
    let w320 = if phy.first().is_some_and(|b| b & 2 != 0) {
        ", 320 MHz"
    } else {
        ""
    };
    Some(format!("EHT{w320}"))
}

fn eht_op(rd: &mut Rd, out: &mut Vec<Node>) -> Option<String> {
    let p = rd.num(
        out,
        1,
        "EHT operation parameters",
        "wlan.eht.operation.parameters",
        |v| {
            flags(
                v,
                &[
                    (0, "EHT-operation-information-present"),
                    (1, "disabled-subchannel-bitmap-present"),
                    (2, "EHT-default-PE-duration"),
                    (3, "group-addressed-BU-indication-limit"),
                ],
            )
        },
    )?;
    rd.num(
        out,
        4,
        "basic EHT-MCS and NSS set",
        "wlan.eht.operation.basic_mcs",
        |v| (Value::Uint(v), format!("{v:#010x}")),
    )?;
    if p & 1 == 0 {
        return Some("no operation information".into());
    }
    let w = rd.num(
        out,
        1,
        "control (channel width)",
        "wlan.eht.operation.control",
        |v| {
            let w = bits(v, 0, 2);
            named(
                w,
                ["20 MHz", "40 MHz", "80 MHz", "160 MHz", "320 MHz"]
                    .get(w as usize)
                    .copied(),
            )
        },
    )?;
    let c0 = rd.uint(out, 1, "CCFS0", "wlan.eht.operation.ccfs0")?;
    rd.uint(out, 1, "CCFS1", "wlan.eht.operation.ccfs1")?;
    if p & 2 != 0 {
        rd.num(
            out,
            2,
            "disabled subchannel bitmap",
            "wlan.eht.operation.disabled_subchannel_bitmap",
            |v| (Value::Uint(v), format!("{v:#06x}")),
        )?;
    }
    let wn = ["20 MHz", "40 MHz", "80 MHz", "160 MHz", "320 MHz"]
        .get(bits(w, 0, 2) as usize)
        .copied()
        .unwrap_or("reserved width");
    Some(format!("{wn}, center {c0}"))
}

fn multi_link(rd: &mut Rd, out: &mut Vec<Node>) -> Option<String> {
    let at = rd.at();
    let ctl = rd.num(
        out,
        2,
        "multi-link control",
        "wlan.eht.multi_link.control",
        |v| (Value::Uint(v), format!("{v:#06x}")),
    )?;
    let ty = bits(ctl, 0, 2);
    let tname = [
        "Basic",
        "Probe Request",
        "Reconfiguration",
        "TDLS",
        "Priority Access",
    ]
    .get(ty as usize)
    .copied();
    if let Some(n) = out.last_mut() {
        let (v, d) = named(ty, tname);
        n.children.push(bit_node(
            "type",
            "wlan.eht.multi_link.control.type",
            v,
            d,
            at,
            2,
        ));
    }
    let clen = rd.uint(
        out,
        1,
        "common info length",
        "wlan.eht.multi_link.common_info.length",
    )?;
    let mut used = 1;
    let mut mld = String::new();
    if ty == 0 && clen >= 7 {
        let m = rd.mac(
            out,
            "MLD MAC address",
            "wlan.eht.multi_link.common_info.mld_mac_address",
        )?;
        mld = format!(", MLD {}", crate::model::mac(&m));
        used += 6;
    }
    let rest = (clen as usize).saturating_sub(used);
    if rest > 0 {
        rd.node(
            out,
            rest,
            "common info (rest)",
            "wlan.eht.multi_link.common_info.rest",
            |s| (Value::Bytes(s.to_vec()), crate::model::hex(s)),
        )?;
    }
    let mut links = 0;
    while rd.left() >= 2 {
        let at = rd.at();
        let mut kids = Vec::new();
        let id = rd.uint(
            &mut kids,
            1,
            "subelement ID",
            "wlan.eht.multi_link.sta_profile.id",
        )?;
        let len = rd.uint(
            &mut kids,
            1,
            "subelement length",
            "wlan.eht.multi_link.sta_profile.length",
        )? as usize;
        let mut node = Node::new(
            "per-STA profile",
            "wlan.eht.multi_link.sta_profile",
            Value::None,
            at,
            2,
        );
        let body = rd.take(
            &mut kids,
            len,
            "subelement",
            "wlan.eht.multi_link.sta_profile",
        );
        node.length = rd.at() - at;
        if let Some((bat, body)) = body {
            let mut b = Rd::new(body, bat);
            if id == 0 {
                let sat = b.at();
                let sc = b.num(
                    &mut kids,
                    2,
                    "STA control",
                    "wlan.eht.multi_link.sta_profile.sta_control",
                    |v| {
                        flags(
                            v,
                            &[(4, "complete-profile"), (5, "STA-MAC-address-present")],
                        )
                    },
                );
                if let Some(sc) = sc {
                    let link = bits(sc, 0, 3);
                    if let Some(n) = kids.last_mut() {
                        n.children.push(bit_node(
                            "link ID",
                            "wlan.eht.multi_link.sta_profile.sta_control.link_id",
                            Value::Uint(link),
                            link.to_string(),
                            sat,
                            2,
                        ));
                    }
                    node.display = format!("link {link}");
                    // STA info: its own length byte first.
                    let ilen = b.peek(1).and_then(|s| s.first().copied()).unwrap_or(0) as usize;
                    if b.node(
                        &mut kids,
                        ilen.max(1),
                        "STA info",
                        "wlan.eht.multi_link.sta_profile.sta_info",
                        |s| (Value::Bytes(s.to_vec()), crate::model::hex(s)),
                    )
                    .is_some()
                    {
                        // The profile's fixed fields depend on the frame carrying it
                        // (capability information in (re)association frames), so they and
                        // the elements after them stay bytes.
                        b.rest(
                            &mut kids,
                            "STA profile",
                            "wlan.eht.multi_link.sta_profile.data",
                            false,
                        );
                    }
                }
                links += 1;
            } else {
                b.rest(
                    &mut kids,
                    "data",
                    "wlan.eht.multi_link.sta_profile.data",
                    false,
                );
            }
        } else {
            node.set_expert(
                crate::model::Severity::Error,
                "subelement longer than the element",
            );
        }
        node.children = kids;
        out.push(node);
    }
    Some(format!(
        "{} multi-link{mld}, {links} per-STA profiles",
        tname.unwrap_or("reserved")
    ))
}
