// Sample 802.11 frames built byte by byte from the standard's layouts (IEEE Std 802.11-2020,
// 802.11ax/be, WMM 2.2, WSC 2.0). Shared by the unit tests and tests/it/ieee80211.rs (which
// `include!`s this file and cross-checks the decode against tshark).

/// An element: ID, length, body.
pub fn ie(id: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![id, body.len() as u8];
    v.extend_from_slice(body);
    v
}

/// An extension element (ID 255 + extension ID).
pub fn ext_ie(ext: u8, body: &[u8]) -> Vec<u8> {
    let mut b = vec![ext];
    b.extend_from_slice(body);
    ie(255, &b)
}

pub const AP: [u8; 6] = [0x02, 0x00, 0x00, 0x00, 0x01, 0x00];
pub const STA: [u8; 6] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x00];
pub const BCAST: [u8; 6] = [0xff; 6];

/// Management header: frame control (subtype), duration, DA, SA, BSSID, sequence control.
pub fn mgmt(subtype: u8, flags: u8, da: [u8; 6], sa: [u8; 6], bssid: [u8; 6], seq: u16) -> Vec<u8> {
    let mut v = vec![subtype << 4, flags, 0x3a, 0x01];
    v.extend_from_slice(&da);
    v.extend_from_slice(&sa);
    v.extend_from_slice(&bssid);
    v.extend_from_slice(&(seq << 4).to_le_bytes());
    v
}

pub fn rsn_body() -> Vec<u8> {
    let mut b = vec![1, 0]; // version 1
    b.extend_from_slice(&[0x00, 0x0f, 0xac, 4]); // group CCMP-128
    b.extend_from_slice(&[2, 0, 0x00, 0x0f, 0xac, 4, 0x00, 0x0f, 0xac, 2]); // CCMP-128, TKIP
    b.extend_from_slice(&[2, 0, 0x00, 0x0f, 0xac, 8, 0x00, 0x0f, 0xac, 2]); // SAE, PSK
    b.extend_from_slice(&[0xcc, 0x00]); // caps: PTKSA 3, GTKSA 0, MFPR, MFPC
    b.extend_from_slice(&[1, 0]);
    b.extend_from_slice(&[0x11; 16]); // PMKID
    b.extend_from_slice(&[0x00, 0x0f, 0xac, 6]); // BIP-CMAC-128
    b
}

pub fn wmm_param() -> Vec<u8> {
    let mut b = vec![0x00, 0x50, 0xf2, 2, 1, 1, 0x81, 0];
    b.extend_from_slice(&[0x03, 0xa4, 0x00, 0x00]); // BE: AIFSN 3, CW 15-1023
    b.extend_from_slice(&[0x27, 0xa4, 0x00, 0x00]); // BK: AIFSN 7
    b.extend_from_slice(&[0x42, 0x43, 0x5e, 0x00]); // VI: AIFSN 2, CW 7-15, TXOP 94
    b.extend_from_slice(&[0x62, 0x32, 0x2f, 0x00]); // VO: AIFSN 2, CW 3-7, TXOP 47
    b
}

pub fn wps() -> Vec<u8> {
    let mut b = vec![0x00, 0x50, 0xf2, 4];
    let mut tlv = |t: u16, v: &[u8]| {
        b.extend_from_slice(&t.to_be_bytes());
        b.extend_from_slice(&(v.len() as u16).to_be_bytes());
        b.extend_from_slice(v);
    };
    tlv(0x104a, &[0x10]);
    tlv(0x1044, &[2]);
    tlv(0x1057, &[1]);
    tlv(0x1041, &[1]);
    tlv(0x1012, &[0, 4]);
    tlv(0x1053, &[0x26, 0x88]);
    tlv(0x103b, &[3]);
    tlv(0x1047, &[0xab; 16]);
    tlv(0x1021, b"Intel");
    tlv(0x1023, b"AP1");
    tlv(0x1054, &[0, 6, 0x00, 0x50, 0xf2, 4, 0, 1]);
    tlv(0x1011, b"dev");
    tlv(0x103c, &[3]);
    tlv(0x1049, &[0x00, 0x37, 0x2a, 0, 1, 0x20]);
    b
}

/// A beacon with the legacy, HT, VHT, RSN and vendor elements.
pub fn beacon() -> Vec<u8> {
    let mut f = mgmt(8, 0, BCAST, AP, AP, 1);
    f[2] = 0;
    f[3] = 0;
    f.extend_from_slice(&0x0000_0123_4567_89abu64.to_le_bytes()); // timestamp
    f.extend_from_slice(&100u16.to_le_bytes()); // beacon interval
    f.extend_from_slice(&0x0431u16.to_le_bytes()); // ESS, privacy, short preamble, short slot
    f.extend(ie(0, b"hwsim"));
    f.extend(ie(1, &[0x82, 0x84, 0x8b, 0x96, 0x0c, 0x12, 0x18, 0x24]));
    f.extend(ie(3, &[6]));
    f.extend(ie(5, &[0, 2, 0x01, 0x00]));
    f.extend(ie(7, b"US\x20\x01\x0b\x1e\xc9\x51\x00\x00"));
    f.extend(ie(11, &[5, 0, 128, 0x10, 0x00]));
    f.extend(ie(32, &[3]));
    f.extend(ie(42, &[0x02]));
    f.extend(ie(48, &rsn_body()));
    f.extend(ie(50, &[0x30, 0x48, 0x60, 0x6c]));
    let mut ht = vec![0xef, 0x19, 0x1b];
    ht.extend_from_slice(&[0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0x2c, 0x01, 0x01, 0, 0, 0]);
    ht.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0]);
    f.extend(ie(45, &ht));
    let mut op = vec![6, 0x05, 0x04, 0x00, 0x00, 0x00];
    op.extend_from_slice(&[0; 16]);
    f.extend(ie(61, &op));
    f.extend(ie(54, &[0x34, 0x12, 0x01]));
    f.extend(ie(59, &[81, 81, 83, 84]));
    f.extend(ie(70, &[0x72, 0x00, 0x00, 0x00, 0x00]));
    f.extend(ie(127, &[0x04, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x40]));
    f.extend(ie(107, &[0x13, 0x02, 0x08, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00]));
    f.extend(ie(191, &[0xb1, 0x01, 0xc0, 0x33, 0xfa, 0xff, 0x00, 0x00, 0xfa, 0xff, 0x00, 0x20]));
    f.extend(ie(192, &[1, 42, 0, 0xfc, 0xff]));
    let mut wpa = vec![0x00, 0x50, 0xf2, 1, 1, 0, 0x00, 0x50, 0xf2, 2];
    wpa.extend_from_slice(&[1, 0, 0x00, 0x50, 0xf2, 2, 1, 0, 0x00, 0x50, 0xf2, 2]);
    f.extend(ie(221, &wpa));
    f.extend(ie(221, &wmm_param()));
    f.extend(ie(221, &wps()));
    f.extend(ie(221, &[0x00, 0x10, 0x18, 2, 0, 0, 0x1c, 0, 0]));
    f
}

/// A 6 GHz probe response: HE, EHT, multi-link, multiple BSSID.
pub fn probe_resp() -> Vec<u8> {
    let mut f = mgmt(5, 0, STA, AP, AP, 2);
    f.extend_from_slice(&1_000_000u64.to_le_bytes());
    f.extend_from_slice(&100u16.to_le_bytes());
    f.extend_from_slice(&0x1111u16.to_le_bytes()); // ESS, privacy, spectrum mgmt, radio meas
    f.extend(ie(0, b"six"));
    f.extend(ie(1, &[0x8c, 0x12, 0x98, 0x24, 0xb0, 0x48, 0x60, 0x6c]));
    let mut he = vec![0x01, 0, 0, 0, 0, 0]; // MAC: +HTC-HE
    he.extend_from_slice(&[0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // PHY: 40/80 + 160 in 5/6 GHz
    he.extend_from_slice(&[0xfa, 0xff, 0xfa, 0xff, 0xfa, 0xff, 0xfa, 0xff]);
    f.extend(ext_ie(35, &he));
    // HE operation: PE 4, RTS threshold 1023, 6 GHz info present; color 42; 6 GHz ch 37 160 MHz
    f.extend(ext_ie(36, &[0xf4, 0x3f, 0x02, 0x2a, 0xfc, 0xff, 37, 0x03, 39, 47, 6]));
    let mut eht = vec![0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0, 0]; // PHY: 320 MHz in 6 GHz
    eht.extend_from_slice(&[0x22; 9]);
    f.extend(ext_ie(108, &eht));
    f.extend(ext_ie(106, &[0x01, 0x11, 0x11, 0x11, 0x11, 0x04, 47, 31]));
    let mut ml = vec![0x10, 0x00, 8, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55, 0x00];
    ml.extend_from_slice(&[0, 13, 0x31, 0x00, 7, 0x02, 0, 0, 0, 0, 2, 0x31, 0x04, 0, 0]);
    f.extend(ext_ie(107, &ml));
    let mut prof = ie(83, &[0x11, 0x00]);
    prof.extend(ie(0, b"guest"));
    prof.extend(ie(85, &[1]));
    let mut mb = vec![3];
    mb.extend(ie(0, &prof));
    f.extend(ie(71, &mb));
    f
}

pub fn assoc_req() -> Vec<u8> {
    let mut f = mgmt(0, 0, AP, STA, AP, 3);
    f.extend_from_slice(&0x0431u16.to_le_bytes());
    f.extend_from_slice(&10u16.to_le_bytes());
    f.extend(ie(0, b"hwsim"));
    f.extend(ie(1, &[0x82, 0x84, 0x8b, 0x96]));
    f
}

pub fn assoc_resp() -> Vec<u8> {
    let mut f = mgmt(1, 0, STA, AP, AP, 4);
    f.extend_from_slice(&0x0431u16.to_le_bytes());
    f.extend_from_slice(&0u16.to_le_bytes());
    f.extend_from_slice(&0xc001u16.to_le_bytes());
    f.extend(ie(1, &[0x82, 0x84, 0x8b, 0x96]));
    f
}

pub fn reassoc_req() -> Vec<u8> {
    let mut f = mgmt(2, 0, AP, STA, AP, 5);
    f.extend_from_slice(&0x0431u16.to_le_bytes());
    f.extend_from_slice(&3u16.to_le_bytes());
    f.extend_from_slice(&[0x02, 0, 0, 0, 0x09, 0]);
    f.extend(ie(0, b"hwsim"));
    f
}

pub fn auth_open() -> Vec<u8> {
    let mut f = mgmt(11, 0, AP, STA, AP, 6);
    f.extend_from_slice(&[0, 0, 1, 0, 0, 0]);
    f
}

pub fn auth_sae() -> Vec<u8> {
    let mut f = mgmt(11, 0, AP, STA, AP, 7);
    f.extend_from_slice(&[3, 0, 1, 0, 0, 0, 19, 0]);
    f.extend_from_slice(&[0x5a; 32]);
    f
}

pub fn deauth() -> Vec<u8> {
    let mut f = mgmt(12, 0, STA, AP, AP, 8);
    f.extend_from_slice(&3u16.to_le_bytes());
    f
}

pub fn disassoc() -> Vec<u8> {
    let mut f = mgmt(10, 0, AP, STA, AP, 9);
    f.extend_from_slice(&8u16.to_le_bytes());
    f
}

/// Block Ack ADDBA request: category 3, action 0, then its fields.
pub fn action_addba() -> Vec<u8> {
    let mut f = mgmt(13, 0, AP, STA, AP, 10);
    f.extend_from_slice(&[3, 0, 1, 0x02, 0x10, 0, 0, 0x10, 0]);
    f
}

/// Probe request with a wildcard SSID.
pub fn probe_req() -> Vec<u8> {
    let mut f = mgmt(4, 0, BCAST, STA, BCAST, 11);
    f.extend(ie(0, b""));
    f.extend(ie(1, &[0x02, 0x04, 0x0b, 0x16]));
    f
}

/// Every sample with a name.
pub fn all_samples() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("beacon", beacon()),
        ("probe_resp", probe_resp()),
        ("assoc_req", assoc_req()),
        ("assoc_resp", assoc_resp()),
        ("reassoc_req", reassoc_req()),
        ("auth_open", auth_open()),
        ("auth_sae", auth_sae()),
        ("deauth", deauth()),
        ("disassoc", disassoc()),
        ("action_addba", action_addba()),
        ("probe_req", probe_req()),
    ]
}
