//! `read --coverage`: share of payload bytes decoded by name. Target of the rtnetlink issue:
//! at most 1% raw over every route, tc and bridge capture.

use super::common::*;

/// (messages, payload bytes, raw bytes) from the report's total line.
fn totals(path: &std::path::Path, filter: Option<&str>) -> (u64, u64, u64) {
    let p = path.to_str().expect("UTF-8 path");
    let mut args = vec!["read", "-r", p, "--coverage"];
    if let Some(f) = filter {
        args.extend(["-Y", f]);
    }
    let out = run_ok(&args);
    let total = out
        .lines()
        .find(|l| l.starts_with("total"))
        .unwrap_or_else(|| panic!("no total line in {out}"));
    let n: Vec<u64> = total
        .split_whitespace()
        .skip(1)
        .take(3)
        .map(|x| x.parse().expect("number"))
        .collect();
    (n[0], n[1], n[2])
}

#[test]
fn rtnetlink_captures_are_at_most_one_percent_raw() {
    let Some(dir) = shared("coverage of route/tc/bridge captures") else {
        return;
    };
    let caps = dir.join("captures");
    for name in [
        "route-link",
        "route-addr-route",
        "route-monitor",
        "bridge",
        "tc",
    ] {
        let (msgs, all, raw) = totals(&caps.join(format!("{name}.pcap")), None);
        assert!(
            msgs > 50 && all > 1000,
            "{name}: {msgs} messages, {all} bytes"
        );
        assert!(raw * 100 <= all, "{name}: {raw} of {all} payload bytes raw");
    }
    // Route messages inside the other captures, too.
    for name in ["genl-wireguard-mptcp", "nl80211", "sock-diag"] {
        let (_, all, raw) = totals(
            &caps.join(format!("{name}.pcap")),
            Some("netlink.family == route"),
        );
        assert!(
            raw * 100 <= all,
            "{name} (route part): {raw} of {all} payload bytes raw"
        );
    }
}

#[test]
fn coverage_counts_undescribed_bytes_as_raw() {
    // Without the specs' knowledge (a protocol no spec claims) everything after the header is raw.
    let Some(dir) = shared("coverage of an undescribed protocol") else {
        return;
    };
    let (_, all, raw) = totals(&dir.join("captures/xfrm.pcap"), None);
    assert!(all > 0 && raw * 100 >= all * 90, "xfrm: {raw} of {all} raw");
}

#[test]
fn recorded_route_captures_are_at_most_one_percent_raw() {
    // Our own recordings (captures/README.md): many link kinds, routes with encap, rules,
    // nexthops, tc, bridge, DCB, ND user options, cache reports.
    for name in [
        "rt-links.pcap",
        "rt-misc.pcap",
        "tc-extra.pcap",
        "bridge-extra.pcap",
        "route-link.pcap",
        "route-monitor.pcap",
        "route-monitor-netns.pcap",
        "route-monitor-netns-bridge.pcap",
    ] {
        let (msgs, all, raw) = totals(&local(name), None);
        eprintln!(
            "coverage {name}: {msgs} messages, {raw} of {all} payload bytes raw ({:.2}%)",
            raw as f64 * 100.0 / all as f64
        );
        assert!(
            msgs > 50 && all > 10_000,
            "{name}: {msgs} messages, {all} bytes"
        );
        assert!(raw * 100 <= all, "{name}: {raw} of {all} payload bytes raw");
    }
}
