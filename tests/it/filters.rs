//! Display filters through the CLI, checked against selections computed from the JSON output.

use serde_json::Value as J;

use super::common::*;

fn ids(msgs: &[J]) -> Vec<(u64, u64)> {
    msgs.iter()
        .map(|m| (m["frame"].as_u64().unwrap(), m["msg"].as_u64().unwrap()))
        .collect()
}

fn selected(cap: &str, filter: &str) -> Vec<(u64, u64)> {
    ids(&json_msgs(&local(cap), &["-Y", filter]))
}

#[test]
fn type_and_ifname() {
    let all = json_msgs(&local("route-link.pcap"), &[]);
    let want: Vec<(u64, u64)> = ids(&all
        .iter()
        .filter(|m| {
            m["type"] == 16
                && m["tree"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|n| n["name"] == "IFLA_IFNAME" && n["value"] == "veth0")
        })
        .cloned()
        .collect::<Vec<_>>());
    assert!(want.len() >= 3, "{want:?}");
    for f in [
        r#"nlmsg.type == RTM_NEWLINK && rt-link.ifname == "veth0""#,
        "nlmsg.type == 16 && rt-link.ifname == veth0",
    ] {
        assert_eq!(selected("route-link.pcap", f), want, "{f}");
    }
}

#[test]
fn dump_flag() {
    let all = json_msgs(&local("route-link.pcap"), &[]);
    let want: Vec<(u64, u64)> = ids(&all
        .iter()
        .filter(|m| {
            let f = m["flags"].as_u64().unwrap();
            let ty = m["type"].as_u64().unwrap();
            // rtnetlink RTM_GET* requests (for RTM_NEW*, 0x100/0x200 mean REPLACE/EXCL).
            ty >= 16 && ty % 4 == 2 && f & 1 != 0 && f & 0x300 != 0
        })
        .cloned()
        .collect::<Vec<_>>());
    assert!(!want.is_empty());
    let got = selected("route-link.pcap", "nlmsg.flags & NLM_F_DUMP");
    assert_eq!(got, want);
    for m in all
        .iter()
        .filter(|m| got.contains(&(m["frame"].as_u64().unwrap(), m["msg"].as_u64().unwrap())))
    {
        assert_eq!(m["direction"], "to-kernel");
        assert!(
            m["flag_names"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n == "NLM_F_DUMP"),
            "{}",
            m["flag_names"]
        );
    }
}

#[test]
fn wireshark_alias() {
    let all = json_msgs(&local("route-link.pcap"), &[]);
    let want = ids(&all
        .iter()
        .filter(|m| m["type"] == 16)
        .cloned()
        .collect::<Vec<_>>());
    assert!(!want.is_empty());
    assert_eq!(selected("route-link.pcap", "netlink.hdr_type == 16"), want);
    assert_eq!(
        selected("route-link.pcap", "nlmsg.type == RTM_NEWLINK"),
        want
    );
}

#[test]
fn error_code() {
    let all = json_msgs(&local("ethtool.pcap"), &[]);
    let want = ids(&all
        .iter()
        .filter(|m| {
            m["type"] == 2
                && m["tree"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|n| n["name"] == "error" && n["value"] == -95)
        })
        .cloned()
        .collect::<Vec<_>>());
    assert!(want.len() >= 5, "{want:?}");
    let got = json_msgs(&local("ethtool.pcap"), &["-Y", "nlmsg.error == -95"]);
    assert_eq!(ids(&got), want);
    assert!(
        got.iter()
            .all(|m| m["summary"].as_str().unwrap().contains("EOPNOTSUPP"))
    );
}

#[test]
fn bad_filter_is_a_usage_error_naming_the_column() {
    let cap = local("route-link.pcap");
    for (f, col) in [
        ("nlmsg.type ==", "col 14"),
        ("nlmsg.type == 16 &&", "col 20"),
    ] {
        let out = run(&["read", "-r", cap.to_str().unwrap(), "-Y", f]);
        assert_no_panic(&out);
        assert_eq!(out.status.code(), Some(2), "{f}");
        assert!(out.stdout.is_empty());
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.starts_with("nlscope: invalid display filter"), "{err}");
        assert!(err.contains(col), "{f}: {err}");
    }
    let out = run(&[
        "read",
        "-r",
        cap.to_str().unwrap(),
        "-Y",
        "rt-link.no-such-field == 1",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-field"));
}

#[test]
fn time_relative_selects_a_window() {
    let all = json_msgs(&local("route-link.pcap"), &[]);
    let times: Vec<f64> = all.iter().map(|m| m["time"].as_f64().unwrap()).collect();
    let t0 = times[0];
    let mut distinct: Vec<f64> = times.iter().map(|t| t - t0).collect();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    assert!(distinct.len() > 10, "{distinct:?}");
    // Bounds halfway between neighbouring times, so rounding cannot decide a message.
    let lo = (distinct[3] + distinct[4]) / 2.0;
    let hi = (distinct[distinct.len() - 4] + distinct[distinct.len() - 5]) / 2.0;
    let want: Vec<(u64, u64)> = ids(&all
        .iter()
        .filter(|m| {
            let t = m["time"].as_f64().unwrap() - t0;
            t >= lo && t <= hi
        })
        .cloned()
        .collect::<Vec<_>>());
    assert!(!want.is_empty() && want.len() < all.len());
    let f = format!("frame.time_relative >= {lo:.9} && frame.time_relative <= {hi:.9}");
    assert_eq!(selected("route-link.pcap", &f), want, "{f}");
    // The first frame is at 0.
    let first = selected("route-link.pcap", "frame.time_relative == 0");
    assert_eq!(first.first(), Some(&(1, 0)));
}
