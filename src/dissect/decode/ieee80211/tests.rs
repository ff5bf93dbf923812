//! Decoder tests over frames built from the standard's layouts (samples.rs).

use super::*;
use crate::model::{Node, Severity, Value};

include!("samples.rs");

/// Frame offset of the payload in the tests: nonzero so relative/absolute mix-ups show.
const BASE: usize = 20;

fn decode(frame: &[u8]) -> (Vec<Node>, String) {
    let mut data = vec![0xee; BASE];
    data.extend_from_slice(frame);
    let (nodes, s) = decode_frame(data.get(BASE..).unwrap(), BASE);
    check_ranges(&nodes, BASE, BASE + frame.len());
    (nodes, s)
}

fn walk<'a>(nodes: &'a [Node], f: &mut dyn FnMut(&'a Node)) {
    for n in nodes {
        n.walk(f);
    }
}

/// All nodes with `field`, depth first.
fn all<'a>(nodes: &'a [Node], field: &str) -> Vec<&'a Node> {
    let mut v = Vec::new();
    walk(nodes, &mut |n| {
        if n.field == field {
            v.push(n);
        }
    });
    v
}

fn one<'a>(nodes: &'a [Node], field: &str) -> &'a Node {
    all(nodes, field)
        .first()
        .copied()
        .unwrap_or_else(|| panic!("no {field}"))
}

fn tag<'a>(nodes: &'a [Node], name: &str) -> &'a Node {
    all(nodes, "wlan.tag")
        .into_iter()
        .find(|n| n.name == name)
        .unwrap_or_else(|| panic!("no element {name}"))
}

fn uint(n: &Node) -> u64 {
    match &n.value {
        Value::Uint(v) => *v,
        Value::Enum { value, .. } => *value as u64,
        Value::Flags { value, .. } => *value,
        Value::Bool(b) => u64::from(*b),
        v => panic!("{} is not a number: {v:?}", n.field),
    }
}

/// Every node lies inside its parent and the payload.
fn check_ranges(nodes: &[Node], start: usize, end: usize) {
    for n in nodes {
        assert!(
            n.offset >= start && n.offset + n.length <= end,
            "{} ({}) at {}+{} outside {start}..{end}",
            n.name,
            n.field,
            n.offset,
            n.length
        );
        check_ranges(&n.children, n.offset, n.offset + n.length);
    }
}

fn errors(nodes: &[Node]) -> Vec<String> {
    let mut v = Vec::new();
    walk(nodes, &mut |n| {
        if let Some(e) = &n.expert {
            v.push(format!("{:?} {}: {}", e.severity, n.field, e.text));
        }
    });
    v
}

#[test]
fn beacon_header_and_fixed_fields() {
    let (t, summary) = decode(&beacon());
    assert_eq!(
        summary,
        "Beacon, SA 02:00:00:00:01:00, BSSID 02:00:00:00:01:00, SSID \"hwsim\""
    );
    assert!(errors(&t).is_empty(), "{:?}", errors(&t));
    let fc = one(&t, "wlan.fc");
    assert_eq!((fc.offset, fc.length, uint(fc)), (BASE, 2, 0x0080));
    assert_eq!(one(&t, "wlan.fc.type_subtype").display, "Beacon (0x0008)");
    assert_eq!(uint(one(&t, "wlan.fc.type")), 0);
    assert_eq!(one(&t, "wlan.da").display, "ff:ff:ff:ff:ff:ff");
    assert_eq!(one(&t, "wlan.bssid").value, Value::Mac(AP));
    let bssid = one(&t, "wlan.bssid");
    assert_eq!((bssid.offset, bssid.length), (BASE + 16, 6));
    assert_eq!(uint(one(&t, "wlan.seq")), 1);
    assert_eq!(uint(one(&t, "wlan.fixed.timestamp")), 0x0123_4567_89ab);
    assert_eq!(one(&t, "wlan.fixed.beacon").display, "100 TU (102.4 ms)");
    let cap = one(&t, "wlan.fixed.capabilities");
    assert_eq!((cap.offset, uint(cap)), (BASE + 34, 0x0431));
    assert_eq!(
        cap.display,
        "ESS|privacy|short-preamble|short-slot-time (0x431)"
    );
    let tagged = one(&t, "wlan.tagged.all");
    assert_eq!(tagged.offset, BASE + 36);
    assert_eq!(tagged.offset + tagged.length, BASE + beacon().len());
}

#[test]
fn beacon_simple_elements() {
    let (t, _) = decode(&beacon());
    let ssid = tag(&t, "SSID");
    assert_eq!((ssid.offset, ssid.length), (BASE + 36, 7));
    assert_eq!(ssid.display, "\"hwsim\"");
    assert_eq!(one(&t, "wlan.ssid").value, Value::Str("hwsim".into()));
    assert_eq!(uint(one(&t, "wlan.tag.number")), 0);
    let rates = all(&t, "wlan.supported_rates");
    assert_eq!(rates.len(), 8);
    assert_eq!(rates[2].display, "5.5(B) Mbit/s");
    assert_eq!(rates[4].display, "6 Mbit/s");
    assert_eq!(
        tag(&t, "Supported Rates").display,
        "1(B) 2(B) 5.5(B) 11(B) 6 9 12 18 [Mbit/s]"
    );
    assert_eq!(
        all(&t, "wlan.extended_supported_rates")[3].display,
        "54 Mbit/s"
    );
    assert_eq!(uint(one(&t, "wlan.ds.current_channel")), 6);
    assert_eq!(tag(&t, "TIM").display, "DTIM 0 of 2, multicast buffered");
    assert_eq!(uint(one(&t, "wlan.tim.bmapctl.multicast")), 1);
    assert_eq!(one(&t, "wlan.tim.partial_virtual_bitmap").length, 1);
    assert_eq!(
        tag(&t, "Country").display,
        "US, any environment, 2 triplets"
    );
    assert_eq!(
        one(&t, "wlan.country_info.code").value,
        Value::Str("US".into())
    );
    assert_eq!(
        one(&t, "wlan.country_info.fnm").display,
        "channels 1+11, 30 dBm"
    );
    assert_eq!(uint(one(&t, "wlan.country_info.rrc.oc")), 81);
    assert_eq!(one(&t, "wlan.country_info.padding").length, 1);
    assert_eq!(uint(one(&t, "wlan.qbss.scount")), 5);
    assert_eq!(uint(one(&t, "wlan.qbss.cu")), 128);
    assert_eq!(uint(one(&t, "wlan.qbss.adc")), 16);
    assert_eq!(tag(&t, "Power Constraint").display, "3 dB");
    assert_eq!(one(&t, "wlan.erp_info").display, "use-protection (0x2)");
    assert_eq!(tag(&t, "Mobility Domain").display, "MDID 0x1234");
    assert_eq!(
        one(&t, "wlan.mobility_domain.ft_capab").display,
        "FT-over-DS (0x1)"
    );
    assert_eq!(uint(one(&t, "wlan.supopeclass.current")), 81);
    assert_eq!(all(&t, "wlan.supopeclass.alt").len(), 3);
    assert_eq!(
        one(&t, "wlan.rmcap").display,
        "neighbor-report|beacon-passive-measurement|beacon-active-measurement|beacon-table-measurement (0x72)"
    );
    assert_eq!(
        one(&t, "wlan.extcap").display,
        "extended-channel-switching|BSS-transition|operating-mode-notification"
    );
    assert_eq!(tag(&t, "Interworking").display, "Free public network");
    assert_eq!(
        one(&t, "wlan.interworking.access_network_type").display,
        "Free public network (3)"
    );
    assert_eq!(
        one(&t, "wlan.interworking.anqp_options").display,
        "internet (0x13)"
    );
    assert_eq!(uint(one(&t, "wlan.interworking.venue_info.group")), 2);
    assert_eq!(one(&t, "wlan.interworking.hessid").value, Value::Mac(AP));
}

#[test]
fn beacon_rsn() {
    let (t, _) = decode(&beacon());
    let rsn = tag(&t, "RSN");
    assert_eq!(rsn.display, "CCMP-128 / CCMP-128,TKIP / SAE,PSK");
    assert_eq!(uint(one(&t, "wlan.rsn.version")), 1);
    let g = one(&t, "wlan.rsn.gcs");
    assert_eq!(g.display, "CCMP-128 (00-0f-ac:4)");
    assert_eq!(
        one(&t, "wlan.rsn.gcs.oui").display,
        "00:0f:ac (IEEE 802.11)"
    );
    assert_eq!(uint(one(&t, "wlan.rsn.gcs.type")), 4);
    let pcs: Vec<String> = all(&t, "wlan.rsn.pcs")
        .iter()
        .map(|n| n.display.clone())
        .collect();
    assert_eq!(pcs, ["CCMP-128 (00-0f-ac:4)", "TKIP (00-0f-ac:2)"]);
    assert_eq!(uint(one(&t, "wlan.rsn.akms.count")), 2);
    let akms: Vec<&str> = all(&t, "wlan.rsn.akms")
        .iter()
        .map(|n| n.display.as_str())
        .collect();
    assert_eq!(akms, ["SAE (00-0f-ac:8)", "PSK (00-0f-ac:2)"]);
    let caps = one(&t, "wlan.rsn.capabilities");
    assert_eq!(caps.display, "MFPR|MFPC (0xcc)");
    assert_eq!(
        one(&t, "wlan.rsn.capabilities.ptksa_replay_counter").display,
        "3 (16 replay counters)"
    );
    assert_eq!(uint(one(&t, "wlan.rsn.pmkid.count")), 1);
    let pmkid = one(&t, "wlan.rsn.pmkid.list");
    assert!(pmkid.inherently_opaque && pmkid.length == 16);
    assert_eq!(
        one(&t, "wlan.rsn.gmcs").display,
        "BIP-CMAC-128 (00-0f-ac:6)"
    );
    // The last suite ends where the element ends.
    let gm = one(&t, "wlan.rsn.gmcs");
    assert_eq!(gm.offset + gm.length, rsn.offset + rsn.length);
}

#[test]
fn beacon_ht_vht() {
    let (t, _) = decode(&beacon());
    let ht = one(&t, "wlan.ht.capabilities");
    assert_eq!(uint(ht), 0x19ef);
    assert!(
        ht.display
            .starts_with("LDPC|20/40MHz|short-GI-20|short-GI-40|TX-STBC|max-A-MSDU-7935"),
        "{}",
        ht.display
    );
    assert_eq!(one(&t, "wlan.ht.capabilities.sm").display, "disabled (3)");
    assert_eq!(uint(one(&t, "wlan.ht.capabilities.rxstbc")), 1);
    assert_eq!(
        one(&t, "wlan.ht.ampduparam.maxlength").display,
        "3 (65535 bytes)"
    );
    assert_eq!(
        one(&t, "wlan.ht.ampduparam.mpdudensity").display,
        "6 (8 us)"
    );
    assert_eq!(one(&t, "wlan.ht.mcsset").display, "MCS 0-15");
    assert_eq!(uint(one(&t, "wlan.ht.mcsset.highestdatarate")), 300);
    assert_eq!(uint(one(&t, "wlan.ht.mcsset.txsetdefined")), 1);
    assert_eq!(tag(&t, "HT Capabilities").display, "20/40 MHz, MCS 0-15");
    assert_eq!(
        tag(&t, "HT Operation").display,
        "primary channel 6, secondary channel above, any channel width"
    );
    assert_eq!(uint(one(&t, "wlan.ht.info.secchanoffset")), 1);
    assert_eq!(
        one(&t, "wlan.ht.info.delim2").display,
        "non-greenfield-STAs-present (0x4)"
    );
    let vht = one(&t, "wlan.vht.capabilities");
    assert_eq!(uint(vht), 0x33c0_01b1);
    assert_eq!(
        one(&t, "wlan.vht.capabilities.maxmpdulength").display,
        "1 (7991 bytes)"
    );
    assert_eq!(uint(one(&t, "wlan.vht.capabilities.maxampdu")), 7);
    assert_eq!(
        one(&t, "wlan.vht.mcsset.rxmcsmap").display,
        "1SS:0-9 2SS:0-9"
    );
    assert_eq!(tag(&t, "VHT Operation").display, "80 MHz, center 42");
    assert_eq!(one(&t, "wlan.vht.op.basicmcsmap").display, "1SS:0-7");
}

#[test]
fn beacon_vendor_elements() {
    let (t, _) = decode(&beacon());
    let wpa = tag(&t, "Vendor Specific: WPA Information Element");
    assert_eq!(wpa.display, "WPA TKIP / TKIP / PSK");
    assert_eq!(one(&t, "wlan.tag.oui").display, "00:50:f2 (Microsoft)");
    assert_eq!(uint(one(&t, "wlan.tag.oui")), 0x0050f2);
    assert_eq!(one(&t, "wlan.wfa.ie.wpa.mcs").display, "TKIP (00-50-f2:2)");
    assert_eq!(one(&t, "wlan.wfa.ie.wpa.akms").display, "PSK (00-50-f2:2)");
    let wmm = tag(&t, "Vendor Specific: WMM/WME");
    assert_eq!(wmm.display, "WMM parameters BE,BK,VI,VO");
    let acs = all(&t, "wlan.wfa.ie.wme.acp");
    assert_eq!(acs.len(), 4);
    assert_eq!(acs[0].name, "Best Effort");
    assert_eq!(acs[2].display, "AIFSN 2, CW 7-15, TXOP 3008 us");
    assert_eq!(
        one(&t, "wlan.wfa.ie.wme.acp.ecw.max").display,
        "10 (CWmax 1023)"
    );
    let wps = tag(&t, "Vendor Specific: WPS");
    assert_eq!(wps.display, "WPS, Configured (2)");
    assert_eq!(one(&t, "wps.version").display, "1.0 (0x10)");
    assert_eq!(
        one(&t, "wps.manufacturer").value,
        Value::Str("Intel".into())
    );
    assert_eq!(one(&t, "wps.device_password_id").display, "PushButton (4)");
    assert_eq!(
        one(&t, "wps.selected_registrar_config_methods").display,
        "Display|PushButton|Virtual-PushButton|Physical-PushButton|Virtual-Display-PIN (0x2688)"
    );
    assert_eq!(
        one(&t, "wps.uuid_e").display,
        "abababab-abab-abab-abab-abababababab"
    );
    assert_eq!(one(&t, "wps.primary_device_type").display, "6-0050f204-1");
    assert_eq!(one(&t, "wps.rf_bands").display, "2.4GHz|5GHz (0x3)");
    assert_eq!(one(&t, "wps.ext.version2").display, "2.0 (0x20)");
    let m = one(&t, "wps.manufacturer");
    assert_eq!(m.length, 9, "the attribute node covers its type and length");
    let other = tag(&t, "Vendor Specific");
    assert_eq!(other.display, "Broadcom type 2, 5 bytes");
    assert_eq!(one(&t, "wlan.tag.vendor.data").length, 5);
}

#[test]
fn probe_response_he_eht_multi_link() {
    let (t, summary) = decode(&probe_resp());
    assert!(summary.starts_with("Probe Response, SA "), "{summary}");
    assert!(errors(&t).is_empty(), "{:?}", errors(&t));
    let he = tag(&t, "HE Capabilities");
    assert_eq!(uint(one(&t, "wlan.ext_tag.number")), 35);
    assert_eq!(
        he.display,
        "40/80MHz-in-5/6GHz|160MHz-in-5/6GHz (0x6), RX 1SS:0-11 2SS:0-11"
    );
    assert_eq!(one(&t, "wlan.ext_tag.he_mac_caps").display, "HTC-HE (0x1)");
    assert_eq!(
        all(&t, "wlan.ext_tag.he_mcs_map.rx_he_mcs_map_160").len(),
        1
    );
    assert!(all(&t, "wlan.ext_tag.he_mcs_map.rx_he_mcs_map_80_80").is_empty());
    let op = tag(&t, "HE Operation");
    assert_eq!(op.display, "BSS color 42, 6 GHz channel 37 160/80+80 MHz");
    assert_eq!(
        uint(one(&t, "wlan.ext_tag.he_operation.default_pe_duration")),
        4
    );
    assert_eq!(
        uint(one(
            &t,
            "wlan.ext_tag.he_operation.txop_duration_rts_thresh"
        )),
        1023
    );
    assert_eq!(
        uint(one(
            &t,
            "wlan.ext_tag.he_operation.6ghz.chan_center_freq_seg_1"
        )),
        47
    );
    assert_eq!(tag(&t, "EHT Capabilities").display, "EHT, 320 MHz");
    let maps = one(&t, "wlan.eht.supported_mcs_nss");
    assert_eq!(maps.children.len(), 3, "<=80, 160 and 320 MHz maps");
    assert_eq!(one(&t, "wlan.eht.supported_mcs_nss.bw_320").length, 3);
    assert_eq!(tag(&t, "EHT Operation").display, "320 MHz, center 47");
    let ml = tag(&t, "Multi-Link");
    assert_eq!(
        ml.display,
        "Basic multi-link, MLD 02:11:22:33:44:55, 1 per-STA profiles"
    );
    assert_eq!(one(&t, "wlan.eht.multi_link.sta_profile").display, "link 1");
    assert_eq!(one(&t, "wlan.eht.multi_link.sta_profile.data").length, 4);
    let mb = tag(&t, "Multiple BSSID");
    assert_eq!(mb.display, "max indicator 3 (8 BSSIDs), 1 profiles");
    let prof = one(&t, "wlan.multiple_bssid.subelem.nontrans_profile");
    assert_eq!(prof.display, "3 elements, SSID \"guest\"");
    assert_eq!(all(&t, "wlan.ssid").len(), 2);
}

#[test]
fn other_management_frames() {
    let (t, s) = decode(&assoc_req());
    assert_eq!(uint(one(&t, "wlan.fixed.listen_ival")), 10);
    assert!(s.ends_with("SSID \"hwsim\""), "{s}");
    let (t, s) = decode(&assoc_resp());
    assert!(s.ends_with(", status Successful (0), AID 1"), "{s}");
    assert_eq!(uint(one(&t, "wlan.fixed.aid")), 1);
    let (t, _) = decode(&reassoc_req());
    assert_eq!(
        one(&t, "wlan.fixed.current_ap").display,
        "02:00:00:00:09:00"
    );
    let (t, s) = decode(&auth_open());
    assert!(
        s.ends_with("Open System seq 1, status Successful (0)"),
        "{s}"
    );
    assert!(all(&t, "wlan.tagged.all").is_empty());
    let (t, s) = decode(&auth_sae());
    assert!(s.contains("SAE seq 1"), "{s}");
    let d = one(&t, "wlan.fixed.auth.data");
    assert!(d.inherently_opaque && d.length == 34);
    assert!(
        all(&t, "wlan.tag").is_empty(),
        "SAE fields are not elements"
    );
    let (t, s) = decode(&deauth());
    assert!(
        s.ends_with("reason Deauthenticated because sending STA is leaving (3)"),
        "{s}"
    );
    assert_eq!(uint(one(&t, "wlan.fixed.reason_code")), 3);
    let (_, s) = decode(&disassoc());
    assert!(s.starts_with("Disassociation"), "{s}");
    let (t, s) = decode(&action_addba());
    assert!(s.ends_with("Block Ack: ADDBA Request"), "{s}");
    assert_eq!(one(&t, "wlan.fixed.category_code").display, "Block Ack (3)");
    assert_eq!(one(&t, "wlan.fixed.action.data").length, 7);
    let (t, s) = decode(&probe_req());
    assert!(s.starts_with("Probe Request"), "{s}");
    assert_eq!(tag(&t, "SSID").display, "wildcard SSID (hidden)");
}

#[test]
fn data_control_and_protected_frames() {
    // QoS data, to-DS, protected: addresses by DS bits, QoS control, body opaque.
    let mut f = vec![0x88, 0x41, 0, 0];
    f.extend_from_slice(&AP);
    f.extend_from_slice(&STA);
    f.extend_from_slice(&BCAST);
    f.extend_from_slice(&[0x10, 0x00, 0x05, 0x00]);
    f.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
    let (t, s) = decode(&f);
    assert_eq!(s, "QoS Data");
    assert_eq!(one(&t, "wlan.bssid").value, Value::Mac(AP));
    assert_eq!(one(&t, "wlan.sa").value, Value::Mac(STA));
    assert_eq!(uint(one(&t, "wlan.qos")), 5);
    assert_eq!(one(&t, "wlan.flags").display, "to-DS|protected (0x41)");
    assert!(one(&t, "wlan.protected_data").inherently_opaque);
    // ACK: receiver address only.
    let mut f = vec![0xd4, 0, 0, 0];
    f.extend_from_slice(&STA);
    let (t, s) = decode(&f);
    assert_eq!(s, "ACK");
    assert!(all(&t, "wlan.ta").is_empty());
    // A protected deauthentication (802.11w): the body is not decoded.
    let mut f = mgmt(12, 0x40, STA, AP, AP, 3);
    f.extend_from_slice(&[0; 18]);
    let (t, s) = decode(&f);
    assert!(s.ends_with(", protected"), "{s}");
    assert!(all(&t, "wlan.fixed.reason_code").is_empty());
}

#[test]
fn element_longer_than_payload() {
    let mut b = ie(0, b"ok");
    b.extend_from_slice(&[48, 20, 1, 0, 0x00]);
    let (nodes, s) = decode_ies(&b, BASE);
    check_ranges(&nodes, BASE, BASE + b.len());
    assert_eq!(s, "2 elements, SSID \"ok\"");
    let bad = &nodes[1];
    assert_eq!(bad.name, "RSN");
    assert_eq!((bad.offset, bad.length), (BASE + 4, 5));
    let e = bad.expert.as_ref().unwrap();
    assert_eq!(
        (e.severity, e.text.as_str()),
        (
            Severity::Error,
            "element length 20 exceeds the 3 bytes left"
        )
    );
    assert!(one(&nodes, "wlan.tag.data").raw);
}

#[test]
fn short_fields_become_experts() {
    // RSN says 5 pairwise suites, has 1.
    let b = ie(48, &[1, 0, 0x00, 0x0f, 0xac, 4, 5, 0, 0x00, 0x0f, 0xac, 4]);
    let (nodes, _) = decode_ies(&b, BASE);
    check_ranges(&nodes, BASE, BASE + b.len());
    let rsn = &nodes[0];
    assert_eq!(rsn.display, "malformed");
    let e = rsn.expert.as_ref().unwrap();
    assert!(
        e.text.contains("pairwise cipher needs 4 bytes, 0 left"),
        "{}",
        e.text
    );
    // HT capabilities cut after the A-MPDU parameters.
    let b = ie(45, &[0xef, 0x19, 0x1b, 0xff]);
    let (nodes, _) = decode_ies(&b, BASE);
    let x = one(&nodes, "wlan.ht.mcsset");
    assert_eq!((x.offset, x.length), (BASE + 5, 1));
    assert_eq!(
        x.expert.as_ref().unwrap().text,
        "supported MCS set needs 16 bytes, 1 left"
    );
    // A DS element with extra bytes: decoded, the rest noted.
    let b = ie(3, &[6, 7]);
    let (nodes, _) = decode_ies(&b, BASE);
    let tr = one(&nodes, "wlan.tag.trailing");
    assert_eq!((tr.offset, tr.length, tr.raw), (BASE + 3, 1, true));
    // One byte left after the elements.
    let mut b = ie(3, &[6]);
    b.push(0);
    let (nodes, _) = decode_ies(&b, BASE);
    assert_eq!(
        nodes[1].expert.as_ref().unwrap().text,
        "1 trailing byte, too short for an element header"
    );
    // WPS attribute longer than the element.
    let b = ie(221, &[0x00, 0x50, 0xf2, 4, 0x10, 0x4a, 0x00, 0x09, 0x10]);
    let (nodes, _) = decode_ies(&b, BASE);
    assert!(nodes[0].expert.is_some());
    check_ranges(&nodes, BASE, BASE + b.len());
}

#[test]
fn every_prefix_and_mutation_is_safe() {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for (name, f) in all_samples() {
        for cut in 0..f.len() {
            let (t, _) = decode(&f[..cut]);
            if cut > 0 && cut < 24 {
                assert!(!errors(&t).is_empty(), "{name} cut at {cut} has no expert");
            }
        }
        for _ in 0..300 {
            let mut g = f.clone();
            for _ in 0..4 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let i = (seed as usize) % g.len();
                g[i] = (seed >> 32) as u8;
            }
            decode(&g);
            let (n, _) = decode_ies(&g, BASE);
            check_ranges(&n, BASE, BASE + g.len());
        }
    }
}

#[test]
fn samples_decode_cleanly_and_fields_are_registered() {
    let known = fields();
    for (name, f) in all_samples() {
        let (t, _) = decode(&f);
        assert!(errors(&t).is_empty(), "{name}: {:?}", errors(&t));
        walk(&t, &mut |n| {
            assert!(
                known.contains(&n.field.to_string()),
                "{name}: {} not in fields()",
                n.field
            );
            assert!(!n.raw, "{name}: {} ({}) is raw", n.name, n.field);
        });
    }
}
