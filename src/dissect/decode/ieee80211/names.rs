//! Name tables (IEEE Std 802.11-2020 clause 9 and amendments).

/// Element IDs (Table 9-92).
pub(super) fn element(id: u8) -> Option<&'static str> {
    Some(match id {
        0 => "SSID",
        1 => "Supported Rates",
        3 => "DS Parameter Set",
        4 => "CF Parameter Set",
        5 => "TIM",
        6 => "IBSS Parameter Set",
        7 => "Country",
        10 => "Request",
        11 => "BSS Load",
        12 => "EDCA Parameter Set",
        13 => "TSPEC",
        16 => "Challenge Text",
        32 => "Power Constraint",
        33 => "Power Capability",
        35 => "TPC Report",
        36 => "Supported Channels",
        37 => "Channel Switch Announcement",
        38 => "Measurement Request",
        39 => "Measurement Report",
        40 => "Quiet",
        42 => "ERP",
        45 => "HT Capabilities",
        46 => "QoS Capability",
        48 => "RSN",
        50 => "Extended Supported Rates",
        51 => "AP Channel Report",
        52 => "Neighbor Report",
        54 => "Mobility Domain",
        55 => "Fast BSS Transition",
        56 => "Timeout Interval",
        59 => "Supported Operating Classes",
        60 => "Extended Channel Switch Announcement",
        61 => "HT Operation",
        62 => "Secondary Channel Offset",
        70 => "RM Enabled Capabilities",
        71 => "Multiple BSSID",
        72 => "20/40 BSS Coexistence",
        74 => "Overlapping BSS Scan Parameters",
        76 => "Management MIC",
        83 => "Non-Transmitted BSSID Capability",
        84 => "SSID List",
        85 => "Multiple BSSID-Index",
        107 => "Interworking",
        108 => "Advertisement Protocol",
        111 => "Roaming Consortium",
        113 => "Mesh Configuration",
        114 => "Mesh ID",
        127 => "Extended Capabilities",
        191 => "VHT Capabilities",
        192 => "VHT Operation",
        195 => "VHT Transmit Power Envelope",
        199 => "Operating Mode Notification",
        201 => "Reduced Neighbor Report",
        221 => "Vendor Specific",
        244 => "RSN Extension",
        255 => "Element ID Extension",
        _ => return None,
    })
}

/// Element ID extensions (Table 9-92, ID 255).
pub(super) fn ext_element(id: u8) -> Option<&'static str> {
    Some(match id {
        32 => "OWE Diffie-Hellman Parameter",
        35 => "HE Capabilities",
        36 => "HE Operation",
        37 => "UORA Parameter Set",
        38 => "MU EDCA Parameter Set",
        39 => "Spatial Reuse Parameter Set",
        42 => "NDP Feedback Report Parameter Set",
        55 => "BSS Color Change Announcement",
        59 => "HE 6 GHz Band Capabilities",
        106 => "EHT Operation",
        107 => "Multi-Link",
        108 => "EHT Capabilities",
        109 => "TID-To-Link Mapping",
        _ => return None,
    })
}

/// Status codes (Table 9-50), the common ones.
pub(super) fn status(v: u64) -> Option<&'static str> {
    Some(match v {
        0 => "Successful",
        1 => "Unspecified failure",
        10 => "Cannot support all requested capabilities",
        11 => "Reassociation denied: association cannot be confirmed",
        12 => "Association denied for a reason outside the standard",
        13 => "Authentication algorithm not supported",
        14 => "Authentication transaction sequence number out of sequence",
        15 => "Authentication rejected: challenge failure",
        16 => "Authentication rejected: timeout",
        17 => "AP unable to handle additional associated STAs",
        18 => "Basic rates not supported",
        30 => "Association request rejected temporarily; try again later",
        31 => "Robust management frame policy violation",
        37 => "The request has been declined",
        40 => "Invalid element",
        41 => "Invalid group cipher",
        42 => "Invalid pairwise cipher",
        43 => "Invalid AKMP",
        44 => "Unsupported RSNE version",
        45 => "Invalid RSNE capabilities",
        46 => "Cipher suite rejected by policy",
        53 => "Invalid PMKID",
        72 => "Anti-clogging token required",
        77 => "Finite cyclic group not supported",
        126 => "SAE hash-to-element",
        _ => return None,
    })
}

/// Reason codes (Table 9-49), the common ones.
pub(super) fn reason(v: u64) -> Option<&'static str> {
    Some(match v {
        1 => "Unspecified reason",
        2 => "Previous authentication no longer valid",
        3 => "Deauthenticated because sending STA is leaving",
        4 => "Disassociated due to inactivity",
        5 => "AP unable to handle all currently associated STAs",
        6 => "Class 2 frame received from nonauthenticated STA",
        7 => "Class 3 frame received from nonassociated STA",
        8 => "Disassociated because sending STA is leaving the BSS",
        9 => "STA requesting association is not authenticated",
        10 => "Power capability unacceptable",
        11 => "Supported channels unacceptable",
        12 => "Disassociated due to BSS transition management",
        13 => "Invalid element",
        14 => "Message integrity code failure",
        15 => "4-way handshake timeout",
        16 => "Group key handshake timeout",
        17 => "Element in 4-way handshake differs",
        18 => "Invalid group cipher",
        19 => "Invalid pairwise cipher",
        20 => "Invalid AKMP",
        21 => "Unsupported RSNE version",
        22 => "Invalid RSNE capabilities",
        23 => "IEEE 802.1X authentication failed",
        24 => "Cipher suite rejected by policy",
        34 => "Disassociated: excessive unacknowledged frames",
        _ => return None,
    })
}

/// Authentication algorithm numbers (9.4.1.1).
pub(super) fn auth_alg(v: u64) -> Option<&'static str> {
    Some(match v {
        0 => "Open System",
        1 => "Shared Key",
        2 => "Fast BSS Transition",
        3 => "SAE",
        4 => "FILS shared key",
        5 => "FILS shared key with PFS",
        6 => "FILS public key",
        7 => "PASN",
        0xffff => "Vendor specific",
        _ => return None,
    })
}

/// Action frame categories (Table 9-51).
pub(super) fn category(v: u64) -> Option<&'static str> {
    Some(match v {
        0 => "Spectrum Management",
        1 => "QoS",
        3 => "Block Ack",
        4 => "Public",
        5 => "Radio Measurement",
        6 => "Fast BSS Transition",
        7 => "HT",
        8 => "SA Query",
        9 => "Protected Dual of Public Action",
        10 => "WNM",
        11 => "Unprotected WNM",
        12 => "TDLS",
        13 => "Mesh",
        14 => "Multihop",
        15 => "Self-protected",
        16 => "DMG",
        17 => "WMM",
        18 => "Fast Session Transfer",
        19 => "Robust AV Streaming",
        20 => "Unprotected DMG",
        21 => "VHT",
        26 => "FILS",
        30 => "HE",
        31 => "Protected HE",
        33 => "Protected FTM",
        34 => "EHT",
        35 => "Protected EHT",
        126 => "Vendor-specific Protected",
        127 => "Vendor Specific",
        _ => return None,
    })
}

/// Action codes of a category, where named.
pub(super) fn action(cat: u64, v: u64) -> Option<&'static str> {
    Some(match (cat, v) {
        (0, 0) => "Measurement Request",
        (0, 1) => "Measurement Report",
        (0, 2) => "TPC Request",
        (0, 3) => "TPC Report",
        (0, 4) => "Channel Switch Announcement",
        (3, 0) => "ADDBA Request",
        (3, 1) => "ADDBA Response",
        (3, 2) => "DELBA",
        (4 | 9, 0) => "20/40 BSS Coexistence Management",
        (4 | 9, 4) => "Extended Channel Switch Announcement",
        (4 | 9, 9) => "Vendor Specific",
        (4 | 9, 10) => "GAS Initial Request",
        (4 | 9, 11) => "GAS Initial Response",
        (4 | 9, 12) => "GAS Comeback Request",
        (4 | 9, 13) => "GAS Comeback Response",
        (4 | 9, 14) => "TDLS Discovery Response",
        (4 | 9, 32) => "FTM Request",
        (4 | 9, 33) => "FTM",
        (5, 0) => "Radio Measurement Request",
        (5, 1) => "Radio Measurement Report",
        (5, 2) => "Link Measurement Request",
        (5, 3) => "Link Measurement Report",
        (5, 4) => "Neighbor Report Request",
        (5, 5) => "Neighbor Report Response",
        (6, 1) => "FT Request",
        (6, 2) => "FT Response",
        (6, 3) => "FT Confirm",
        (6, 4) => "FT Ack",
        (7, 0) => "Notify Channel Width",
        (7, 1) => "SM Power Save",
        (8, 0) => "SA Query Request",
        (8, 1) => "SA Query Response",
        (10, 7) => "BSS Transition Management Query",
        (10, 8) => "BSS Transition Management Request",
        (10, 9) => "BSS Transition Management Response",
        (15, 1) => "Mesh Peering Open",
        (15, 2) => "Mesh Peering Confirm",
        (15, 3) => "Mesh Peering Close",
        (21, 0) => "VHT Compressed Beamforming",
        (21, 2) => "Operating Mode Notification",
        _ => return None,
    })
}

/// Organization names of OUIs that occur in elements.
pub(super) fn oui(v: u32) -> Option<&'static str> {
    Some(match v {
        0x000fac => "IEEE 802.11",
        0x0050f2 => "Microsoft",
        0x506f9a => "Wi-Fi Alliance",
        0x001018 => "Broadcom",
        0x00904c => "Epigram",
        0x0017f2 => "Apple",
        0x00037f => "Atheros",
        0x8cfdf0 => "Qualcomm",
        0x000c43 => "Ralink",
        0x00e04c => "Realtek",
        0x00a040 => "Apple",
        0x0013ef => "Cisco",
        0x00146c => "Netgear",
        _ => return None,
    })
}

/// `00:50:f2` for an OUI.
pub(super) fn oui_str(v: u32) -> String {
    format!("{:02x}:{:02x}:{:02x}", v >> 16, (v >> 8) & 0xff, v & 0xff)
}

/// Cipher suites of OUI 00-0F-AC (Table 9-149).
pub(super) fn rsn_cipher(t: u8) -> Option<&'static str> {
    Some(match t {
        0 => "Use group cipher",
        1 => "WEP-40",
        2 => "TKIP",
        4 => "CCMP-128",
        5 => "WEP-104",
        6 => "BIP-CMAC-128",
        7 => "Group addressed traffic not allowed",
        8 => "GCMP-128",
        9 => "GCMP-256",
        10 => "CCMP-256",
        11 => "BIP-GMAC-128",
        12 => "BIP-GMAC-256",
        13 => "BIP-CMAC-256",
        _ => return None,
    })
}

/// AKM suites of OUI 00-0F-AC (Table 9-151, 802.11be).
pub(super) fn rsn_akm(t: u8) -> Option<&'static str> {
    Some(match t {
        1 => "802.1X",
        2 => "PSK",
        3 => "FT-802.1X",
        4 => "FT-PSK",
        5 => "802.1X-SHA256",
        6 => "PSK-SHA256",
        7 => "TDLS",
        8 => "SAE",
        9 => "FT-SAE",
        10 => "AP-PeerKey",
        11 => "802.1X-Suite-B",
        12 => "802.1X-Suite-B-192",
        13 => "FT-802.1X-SHA384",
        14 => "FILS-SHA256",
        15 => "FILS-SHA384",
        16 => "FT-FILS-SHA256",
        17 => "FT-FILS-SHA384",
        18 => "OWE",
        19 => "FT-PSK-SHA384",
        20 => "PSK-SHA384",
        21 => "PASN",
        23 => "802.1X-SHA384",
        24 => "SAE-EXT-KEY",
        25 => "FT-SAE-EXT-KEY",
        _ => return None,
    })
}

/// WPA (Microsoft OUI 00:50:F2) cipher suites.
pub(super) fn wpa_cipher(t: u8) -> Option<&'static str> {
    Some(match t {
        0 => "Use group cipher",
        1 => "WEP-40",
        2 => "TKIP",
        4 => "CCMP",
        5 => "WEP-104",
        _ => return None,
    })
}

/// WPA (Microsoft OUI 00:50:F2) AKM suites.
pub(super) fn wpa_akm(t: u8) -> Option<&'static str> {
    Some(match t {
        1 => "802.1X",
        2 => "PSK",
        _ => return None,
    })
}
