//! `iw`, `ethtool`, `devlink` and `wg`-style summary lines for generic netlink families, on
//! real captures.

use super::common::*;

/// The summaries of a capture, which hold every line of `want`.
fn assert_has(path: &std::path::Path, want: &[&str]) -> Vec<String> {
    let got = summaries(path);
    assert_summaries(&path.display().to_string(), &got, want);
    got
}

#[test]
fn wireguard_summaries_read_like_wg_show() {
    // Keys as `wg show` printed them in genl-wireguard.cmds.txt; private and preshared keys
    // never appear.
    let got = assert_has(
        &local("genl-wireguard.pcap"),
        &[
            "WG_CMD_SET_DEVICE wg0: private key (hidden) listening port 51820 peer X6j+z4iMWpD5jfbpqGX3ie58ZeNv/ssScpsaqtS63kE= endpoint 127.0.0.1:51821 allowed ips 10.9.0.2/32, fd00:9::2/128 persistent keepalive every 25 seconds",
            "WG_CMD_GET_DEVICE dump wg0",
            "WG_CMD_GET_DEVICE wg0: public key 9IrKuqOWAz/Tkay9ntT5c0y//IMR/dyYV9M6cP0ezTg= private key (hidden) listening port 51820 peer X6j+z4iMWpD5jfbpqGX3ie58ZeNv/ssScpsaqtS63kE= endpoint 127.0.0.1:51821 allowed ips 10.9.0.2/32, fd00:9::2/128 persistent keepalive every 25 seconds",
            "WG_CMD_SET_DEVICE wg0: fwmark 0x42 peer OCHrDXIVrTQa50op/0eDbdeR8ZZ1gZfFf0six8YN3g4= endpoint [2001:db8::2]:51822 allowed ips 192.0.2.128/25, 2001:db8:2::/48",
            "WG_CMD_GET_DEVICE wg0: public key 9IrKuqOWAz/Tkay9ntT5c0y//IMR/dyYV9M6cP0ezTg= private key (hidden) listening port 51820 fwmark 0x42 peer X6j+z4iMWpD5jfbpqGX3ie58ZeNv/ssScpsaqtS63kE= endpoint 127.0.0.1:51821 allowed ips 10.9.0.2/32, fd00:9::2/128 persistent keepalive every 25 seconds (+1 more peer)",
            "WG_CMD_SET_DEVICE wg0: peer OCHrDXIVrTQa50op/0eDbdeR8ZZ1gZfFf0six8YN3g4= remove",
        ],
    );
    // `wg showconf` printed the private key QG8BCm... and the preshared key YDtWw4...
    for secret in ["QG8BCmMnYPlIJ9", "YDtWw4ugRdRpW9"] {
        assert!(
            got.iter().all(|s| !s.contains(secret)),
            "a secret key leaked"
        );
    }
    if let Some(dir) = shared("wireguard summaries") {
        assert_has(
            &dir.join("captures/genl-wireguard-mptcp.pcap"),
            &[
                "WG_CMD_SET_DEVICE wg0: private key (hidden) listening port 51820 peer hRjqyRw1PyaXPCEh1nUlIXu6Q1FXC47/Yr1gCJCgyUc= endpoint 192.0.2.2:51820 allowed ips 198.51.100.0/24",
            ],
        );
    }
}

#[test]
fn devlink_summaries_read_like_devlink() {
    // No devlink instance existed (genl-devlink.cmds.txt): dumps, and `devlink dev info
    // pci/0000:00:01.0` naming its handle as devlink does. Replies are covered by unit tests.
    let got = assert_has(
        &local("genl-devlink.pcap"),
        &[
            "DEVLINK_CMD_GET dump",
            "DEVLINK_CMD_PORT_GET dump",
            "DEVLINK_CMD_PARAM_GET dump",
            "DEVLINK_CMD_HEALTH_REPORTER_GET dump",
            "DEVLINK_CMD_INFO_GET pci/0000:00:01.0",
        ],
    );
    assert!(
        got.iter()
            .filter(|s| s.starts_with("DEVLINK_"))
            .all(|s| !s.contains(" request")),
        "the engine's generic words: {got:#?}"
    );
}

#[test]
fn ethtool_summaries_read_like_ethtool() {
    // Values as ethtool printed them (genl-ethtool.cmds.txt, ethtool.cmds.txt): `ethtool -l`
    // RX 1 TX 1 of max 2, `ethtool -L veth0 rx 2`, `ethtool -K veth0 tso off gro on`,
    // `ethtool -T` capabilities and no PHC; the rest checked against the tree.
    assert_has(
        &local("genl-ethtool.pcap"),
        &[
            "ETHTOOL_MSG_CHANNELS_GET veth0",
            "ETHTOOL_MSG_CHANNELS_GET_REPLY veth0: RX: 1 TX: 1 (max: RX 2 TX 2)",
            "ETHTOOL_MSG_CHANNELS_SET veth0: RX: 2",
            "ETHTOOL_MSG_CHANNELS_NTF veth0: RX: 2 TX: 1 (max: RX 2 TX 2)",
            "ETHTOOL_MSG_FEATURES_GET_REPLY veth0: active 25/64 changeable 28",
            "ETHTOOL_MSG_FEATURES_SET veth0: wanted tx-tcp-segmentation off tx-tcp-ecn-segmentation off tx-tcp-mangleid-segmentation off (+2 more)",
            "ETHTOOL_MSG_FEATURES_SET_REPLY veth0: Actual changes: 1",
            "ETHTOOL_MSG_FEATURES_NTF veth0: active 22/64 changeable 28",
            "ETHTOOL_MSG_STRSET_GET: features",
            "ETHTOOL_MSG_STRSET_GET_REPLY: features (64), rss_hash_funcs (3), tunables (5) (+13 more)",
        ],
    );
    let Some(dir) = shared("ethtool summaries") else {
        return;
    };
    assert_has(
        &dir.join("captures/ethtool.pcap"),
        &[
            "ETHTOOL_MSG_LINKMODES_GET_REPLY veth0: Speed: 10000Mb/s Duplex: Full Autoneg: off",
            "ETHTOOL_MSG_LINKINFO_GET_REPLY veth0: Port: Twisted Pair PHYAD: 0 Transceiver: internal",
            "ETHTOOL_MSG_LINKSTATE_GET_REPLY veth0: Link detected: yes",
            "ETHTOOL_MSG_TSINFO_GET_REPLY veth0: Capabilities: software-transmit software-receive software-system-clock PTP Hardware Clock: none",
            "ETHTOOL_MSG_FEATURES_GET_REPLY br0: active 27/64 changeable 30",
            "ETHTOOL_MSG_DEBUG_GET dummy0",
        ],
    );
}

#[test]
fn nl80211_summaries_read_like_iw() {
    // Events as `iw event` printed them (the end of genl-nl80211.cmds.txt); answers as
    // `iw dev`, `iw dev wlan0 scan`, `iw dev mesh0 station dump` and `iw reg get` did.
    assert_has(
        &local("genl-nl80211.pcap"),
        &[
            // iw event
            "NL80211_CMD_SET_INTERFACE wlan1 (phy #1): set interface type IBSS use 4addr 0",
            "NL80211_CMD_JOIN_IBSS wlan1 (phy #1): IBSS 46:8d:7c:0f:c3:de joined",
            "NL80211_CMD_TRIGGER_SCAN wlan0 (phy #0): scan started",
            "NL80211_CMD_NEW_SCAN_RESULTS wlan0 (phy #0): scan finished: 2412 2417 2422 2427 (+34 more)",
            "NL80211_CMD_NEW_STATION wlan1: new station 02:00:00:00:00:00",
            "NL80211_CMD_DEL_STATION wlan0: del station 02:00:00:00:01:00",
            "NL80211_CMD_SET_INTERFACE wlan0 (phy #0): set interface type station use 4addr 0",
            "NL80211_CMD_NEW_INTERFACE mesh1 (phy #1): new interface type mesh point use 4addr 0",
            // iw's own words for the dump answers
            "NL80211_CMD_NEW_INTERFACE Interface wlan1 ifindex 5 wdev 0x100000001 addr 02:00:00:00:01:00 type managed txpower 0.00 dBm",
            "NL80211_CMD_NEW_INTERFACE Interface wlan0 ifindex 4 wdev 0x1 addr 02:00:00:00:00:00 type managed txpower 0.00 dBm",
            "NL80211_CMD_NEW_SCAN_RESULTS BSS 46:8d:7c:0f:c3:de(on wlan0) freq 2412 signal -30.00 dBm SSID nlscope-ibss",
            "NL80211_CMD_NEW_STATION Station 42:00:00:00:01:00 (on mesh0) signal -30 dBm tx bitrate 2.0 MBit/s",
            "NL80211_CMD_GET_REG global country 00: DFS-UNSET (8 rules)",
            "NL80211_CMD_NEW_WIPHY Wiphy phy0 bands 1",
            "NL80211_CMD_NEW_SURVEY_RESULTS Survey data from wlan0 frequency: 2412 MHz noise: -92 dBm",
            // the iw commands behind the requests
            "NL80211_CMD_GET_INTERFACE dump",
            "NL80211_CMD_GET_SCAN dump wlan0",
            "NL80211_CMD_NEW_INTERFACE phy #0: interface add mon0 type monitor",
            "NL80211_CMD_JOIN_IBSS wlan1: ibss join nlscope-ibss freq 2412",
            "NL80211_CMD_JOIN_MESH mesh0: mesh join nlscope-mesh freq 2437",
            "NL80211_CMD_LEAVE_MESH mesh0: mesh leave",
            "NL80211_CMD_DEL_INTERFACE mesh1: del",
        ],
    );
    let Some(dir) = shared("nl80211 summaries") else {
        return;
    };
    assert_has(
        &dir.join("captures/nl80211.pcap"),
        &[
            "NL80211_CMD_NEW_INTERFACE Interface wlan0 ifindex 11 wdev 0x1 addr 02:00:00:00:00:00 type managed txpower 0.00 dBm",
            "NL80211_CMD_TRIGGER_SCAN wlan0: scan",
            "NL80211_CMD_GET_REG global country 00: DFS-UNSET (8 rules)",
        ],
    );
}

/// Every kind of message of the four families, cut short at many lengths and with bytes
/// overwritten: the summaries must not panic, and still name the message.
#[test]
fn damaged_genl_messages_still_summarise() {
    use nlscope::dissect::Dissector;
    use nlscope::dissect::specs::SpecRegistry;
    use std::collections::HashSet;
    const OURS: [&str; 4] = ["devlink", "ethtool", "nl80211", "wireguard"];
    let mut checked = 0;
    for name in [
        "genl-devlink.pcap",
        "genl-ethtool.pcap",
        "genl-nl80211.pcap",
        "genl-wireguard.pcap",
    ] {
        let bytes = std::fs::read(local(name)).expect("capture");
        let (frames, _) = read_frames(&bytes);
        let mut d = Dissector::new(SpecRegistry::with_embedded());
        let mut seen = HashSet::new();
        for f in &frames {
            let e = endian_of(f.byte_order);
            let fi = d.index_frame(&f.data, f.linktype, e);
            let mut kinds = Vec::new();
            for m in &fi.msgs {
                let v = d.view(&f.data, m);
                if v.spec_name().is_some_and(|s| OURS.contains(&s))
                    && seen.insert((v.type_name(), m.direction as u8, m.seq == 0))
                {
                    kinds.push((m.offset, m.offset + m.len as usize));
                }
            }
            for (start, end) in kinds {
                let end = end.min(f.data.len());
                let step = if end - start > 600 { 7 } else { 1 };
                let mut variants: Vec<Vec<u8>> = (start + 16..end)
                    .step_by(step)
                    .map(|cut| f.data.get(..cut).unwrap_or_default().to_vec())
                    .collect();
                for pos in (start + 20..end).step_by(step) {
                    for x in [0x00, 0xff, 0x05] {
                        let mut g = f.data.clone();
                        g[pos] = x;
                        variants.push(g);
                    }
                }
                for g in variants {
                    let fi = d.index_frame(&g, f.linktype, e);
                    for m in &fi.msgs {
                        let v = d.view(&g, m);
                        let s = v.summary();
                        assert!(!s.is_empty());
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 10_000, "only {checked} summaries checked");
}
