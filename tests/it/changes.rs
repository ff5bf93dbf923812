//! What changed since the previous message about the same object: `[Changed since]` in
//! trees, `"changes"` in JSON, `nlmsg.changed` in filters; checked against the two messages'
//! own trees.

use std::collections::HashMap;

use serde_json::Value as J;

use super::common::*;

type Key = (u64, u64);

fn key(j: &J) -> Key {
    (j["frame"].as_u64().unwrap(), j["msg"].as_u64().unwrap())
}

/// First displayed value of `field` in a message's JSON tree.
fn value_of(m: &J, field: &str) -> Option<String> {
    all_json_nodes(&m["tree"])
        .into_iter()
        .find(|n| n["field"] == field && n["children"].as_array().is_none_or(|c| c.is_empty()))
        .and_then(|n| n["display"].as_str().map(str::to_string))
}

#[test]
fn link_changes_agree_with_the_two_trees() {
    let mut checked = 0;
    for cap in ["rt-misc.pcap", "rt-links.pcap", "route-link.pcap"] {
        let msgs = json_msgs(&local(cap), &[]);
        let by_key: HashMap<Key, &J> = msgs.iter().map(|m| (key(m), m)).collect();
        for m in msgs.iter().filter(|m| m.get("changes").is_some()) {
            let c = &m["changes"];
            let since = by_key[&key(&c["since"])];
            assert!(key(since) < key(m), "{cap} {:?}", key(m));
            // The same kind of object (RTM_NEWROUTE and RTM_DELROUTE are one group of four).
            let group = |j: &J| (j["type"].as_u64().unwrap() - 16) / 4;
            assert_eq!(group(since), group(m), "{cap} {:?}: another kind", key(m));
            if m["type_name"] != "RTM_NEWLINK" {
                continue;
            }
            // The same link...
            assert_eq!(
                value_of(since, "rt-link.ifinfomsg.ifi-index"),
                value_of(m, "rt-link.ifinfomsg.ifi-index"),
                "{cap} {:?}",
                key(m)
            );
            // ...and each change is what the two trees show.
            for ch in c["fields"].as_array().unwrap() {
                let f = ch["field"].as_str().unwrap();
                if all_json_nodes(&m["tree"])
                    .iter()
                    .filter(|n| n["field"] == f)
                    .count()
                    > 1
                {
                    continue;
                }
                assert_eq!(
                    value_of(since, f).as_deref(),
                    ch["old"].as_str(),
                    "{cap} {f}"
                );
                assert_eq!(value_of(m, f).as_deref(), ch["new"].as_str(), "{cap} {f}");
                checked += 1;
            }
        }
    }
    assert!(checked > 20, "{checked}");
}

#[test]
fn an_interface_coming_up_says_so() {
    let cap = local("rt-misc.pcap");
    let p = cap.to_str().unwrap();
    let tree = run_ok(&["read", "-r", p, "-Y", "frame.number == 36", "-T", "tree"]);
    assert!(
        tree.contains("    [Changed since]: frame 4 message 5: ifi_flags:"),
        "{tree}"
    );
    assert!(
        tree.contains("        IFLA_OPERSTATE: IF_OPER_DOWN (2) -> IF_OPER_UNKNOWN (0)"),
        "{tree}"
    );
    assert!(
        tree.contains("        IFLA_QDISC: \"noop\" -> \"noqueue\""),
        "{tree}"
    );
    let hits = run_ok(&[
        "read",
        "-r",
        p,
        "-Y",
        "nlmsg.changed == \"rt-link.operstate\"",
    ]);
    assert!(
        hits.lines().any(|l| l.trim_start().starts_with("36:0 ")),
        "{hits}"
    );
    // Counters that change with every message are not changes.
    let all = json_msgs(&cap, &["-Y", "nlmsg.changed"]);
    for m in &all {
        for ch in m["changes"]["fields"].as_array().unwrap() {
            let f = ch["field"].as_str().unwrap();
            assert!(!f.contains(".stats"), "{f}");
            assert!(!f.ends_with(".cacheinfo"), "{f}");
        }
    }
    // The summary format shows no changes; a filter on them still works with it.
    assert_eq!(
        run_ok(&["read", "-r", p, "-Y", "nlmsg.changes"])
            .lines()
            .count(),
        json_msgs(&cap, &["-Y", "nlmsg.changes"]).len()
    );
}
