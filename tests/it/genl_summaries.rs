//! `iw`, `ethtool`, `devlink` and `wg`-style summary lines for generic netlink families, on
//! real captures.

use super::common::*;

fn summaries(path: &std::path::Path) -> Vec<String> {
    json_msgs(path, &[])
        .iter()
        .filter_map(|m| m["summary"].as_str().map(str::to_string))
        .collect()
}

fn assert_has(path: &std::path::Path, want: &[&str]) -> Vec<String> {
    let got = summaries(path);
    for w in want {
        assert!(
            got.iter().any(|s| s == w),
            "{}: missing {w:?} in\n{}",
            path.display(),
            got.join("\n")
        );
    }
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
