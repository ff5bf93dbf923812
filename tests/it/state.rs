//! `nlscope state` against the real tools: captures/state.pcap was recorded in the nlmon VM
//! (scripts/vm/state-record.sh) while `ip monitor all` listened; after capturing stopped the
//! scenario saved `ip -j ... show` / `tc -j qdisc show` in tests/state/. The state at the
//! end must agree with them, and the state just after the initial dumps with those dumps.
//!
//! Fields compared are those a capture carries and both sides print the same way (see
//! `FIELDS`). Skipped: counters and lifetimes (`valid_life_time`, `refcnt`, qdisc `options`),
//! route `flags` (`linkdown`/`dead` follow carrier changes the kernel does not notify), and
//! `linkmode`/`group` (not printed by nlscope yet), and a link's `qdisc` (attaching a qdisc
//! sends no link notification: the capture knows the qdisc of the link's last message). Objects are compared where both sides have
//! them; each side's missing objects are listed below (the capture cannot know of qdiscs that
//! changed without a notification: `ip monitor all` does not join the tc group).

use std::path::Path;

use serde_json::Value as J;

use super::common::{local, run_ok};

/// The fields compared per kind, and the fields that identify an object.
const FIELDS: [(&str, &str, &[&str], &[&str]); 7] = [
    (
        "links",
        "link",
        &["ifindex"],
        &[
            "ifname",
            "flags",
            "mtu",
            "operstate",
            "txqlen",
            "link_type",
            "address",
            "broadcast",
            "link",
            "master",
        ],
    ),
    (
        "addrs",
        "addr",
        &["ifindex", "local", "prefixlen"],
        &["ifname", "family", "scope", "label", "broadcast"],
    ),
    (
        "routes",
        "route",
        &["dst", "table", "dev", "type", "metric"],
        &[
            "gateway", "protocol", "scope", "prefsrc", "pref", "nexthops",
        ],
    ),
    ("neigh", "neigh", &["dst", "dev"], &["lladdr", "state"]),
    (
        "rules",
        "rule",
        &["priority"],
        &[
            "src", "srclen", "dst", "dstlen", "table", "iif", "oif", "fwmark",
        ],
    ),
    (
        "nexthops",
        "nexthop",
        &["id"],
        &["gateway", "dev", "scope", "group"],
    ),
    (
        "qdiscs",
        "qdisc",
        &["dev", "handle"],
        &["kind", "root", "parent"],
    ),
];

fn capture() -> String {
    local("state.pcap").display().to_string()
}

fn ours(kind: &str, moment: &[&str]) -> Vec<J> {
    let cap = capture();
    let mut args = vec!["state", "-r", cap.as_str(), "-j"];
    args.extend_from_slice(moment);
    args.push(kind);
    let out = run_ok(&args);
    match serde_json::from_str(&out) {
        Ok(J::Array(a)) => a,
        other => panic!("state {kind}: not a JSON array: {other:?}"),
    }
}

/// What the tool printed, one object per address for `addrs`, nexthop entries without flags.
fn theirs(file: &str) -> Vec<J> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/state")
        .join(file);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let J::Array(a) = serde_json::from_str(&text).unwrap_or(J::Null) else {
        panic!("{file}: not an array");
    };
    let mut out = Vec::new();
    for mut o in a {
        if file == "addr.json" {
            for info in o["addr_info"].as_array().cloned().unwrap_or_default() {
                let mut x = info.clone();
                x["ifindex"] = o["ifindex"].clone();
                x["ifname"] = o["ifname"].clone();
                out.push(x);
            }
            continue;
        }
        if let Some(hops) = o.get_mut("nexthops").and_then(J::as_array_mut) {
            for h in hops {
                if let Some(h) = h.as_object_mut() {
                    h.remove("flags");
                }
            }
        }
        out.push(o);
    }
    out
}

/// Our addrs flattened the same way.
fn flat_addrs(a: Vec<J>) -> Vec<J> {
    a.into_iter()
        .flat_map(|o| {
            let infos = o["addr_info"].as_array().cloned().unwrap_or_default();
            infos.into_iter().map(move |mut x| {
                x["ifindex"] = o["ifindex"].clone();
                x["ifname"] = o["ifname"].clone();
                x
            })
        })
        .collect()
}

fn key(o: &J, keys: &[&str]) -> String {
    keys.iter()
        .map(|k| format!("{k}={} ", o.get(*k).unwrap_or(&J::Null)))
        .collect()
}

#[test]
fn state_at_end_equals_ip_json() {
    let mut report = String::new();
    for (kind, file, keys, fields) in FIELDS {
        let mut mine = ours(kind, &["--at", "end"]);
        if kind == "addrs" {
            // ip -j addr show: one object per link, with its addresses in addr_info.
            let links = theirs("link.json").len();
            assert_eq!(mine.len(), links, "addrs: one object per link");
            mine = flat_addrs(mine);
        }
        let want = theirs(&format!("{file}.json"));
        let mut matched = 0;
        for w in &want {
            let k = key(w, keys);
            let Some(m) = mine.iter().find(|m| key(m, keys) == k) else {
                // Only qdiscs change without a notification ip monitor all receives.
                assert_eq!(kind, "qdiscs", "{kind}: the state lacks {k}");
                report.push_str(&format!("{kind}: the capture does not know {k}\n"));
                continue;
            };
            matched += 1;
            for f in fields {
                assert_eq!(m.get(*f), w.get(*f), "{kind} {k}: field {f}");
            }
        }
        for m in &mine {
            let k = key(m, keys);
            assert!(
                want.iter().any(|w| key(w, keys) == k),
                "{kind}: {k} is in the state but not in ip's output"
            );
        }
        assert!(matched > 0 || want.is_empty(), "{kind}: nothing matched");
        eprintln!("{kind}: {matched} of {} objects compared", want.len());
    }
    eprint!("{report}");
}

/// The lines of the initial dump of `cmd` in captures/state.cmds.txt.
fn dumped(cmd: &str) -> Vec<String> {
    let text = std::fs::read_to_string(local("state.cmds.txt")).unwrap_or_default();
    let head = format!("$ {cmd}");
    text.lines()
        .skip_while(|l| *l != head)
        .skip(1)
        .take_while(|l| !l.starts_with("[exit"))
        .map(|l| l.trim_end().to_string())
        .collect()
}

/// Frame 37 is the NLMSG_DONE of the last initial dump (`tc qdisc show`); frame 38 is the
/// first change request. The state there is what the dumps listed.
#[test]
fn state_after_the_dumps_equals_them() {
    let cap = capture();
    let text = |kind: &str| {
        run_ok(&["state", "-r", cap.as_str(), "--frame", "37", kind])
            .lines()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let first = run_ok(&["read", "-r", cap.as_str(), "-c", "38"]);
    let last = first.lines().last().unwrap_or("");
    assert!(
        last.contains("38:0") && last.contains("RTM_NEWLINK"),
        "{last}"
    );
    // --at: frame 37 is at 0.6237 s, frame 38 at 0.6762 s.
    let at = run_ok(&["state", "-r", cap.as_str(), "--at", "0.65", "routes"]);
    assert_eq!(
        at.lines().map(str::to_string).collect::<Vec<_>>(),
        text("routes")
    );
    // Routes, rules: ip's very lines.
    assert_eq!(text("routes"), dumped("ip route show table all"));
    assert_eq!(text("rules"), dumped("ip rule show"));
    assert!(text("neigh").is_empty() && dumped("ip neigh show").is_empty());
    assert!(text("nexthops").is_empty() && dumped("ip nexthop show").is_empty());
    // Links and qdiscs: ours is the start of ip's line (ip adds mode, group, refcnt...).
    let links: Vec<String> = dumped("ip link show")
        .into_iter()
        .filter(|l| !l.starts_with(' '))
        .collect();
    let mine: Vec<String> = text("links")
        .into_iter()
        .filter(|l| !l.starts_with(' '))
        .map(|l| l.split(" qlen").next().unwrap_or("").to_string())
        .collect();
    assert_eq!(mine.len(), links.len());
    for (m, l) in mine.iter().zip(&links) {
        assert!(l.starts_with(m.as_str()), "{m} / {l}");
    }
    let q = dumped("tc qdisc show");
    let mine = text("qdiscs");
    assert_eq!(mine.len(), q.len());
    for (m, l) in mine.iter().zip(&q) {
        assert!(l.starts_with(m.as_str()), "{m} / {l}");
    }
    // Addresses: the same address lines' words.
    let addrs: Vec<String> = dumped("ip addr show")
        .into_iter()
        .filter(|l| l.trim_start().starts_with("inet"))
        .map(|l| l.trim().split(' ').take(2).collect::<Vec<_>>().join(" "))
        .collect();
    let mine: Vec<String> = text("addrs")
        .iter()
        .map(|l| l.split(' ').skip(2).take(2).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(mine, addrs);
}

/// nftables: the ruleset rebuilt from the kernel's dump replies equals what `nft list ruleset`
/// printed in the same session (tests/../shared/captures/nftables.cmds.txt); the later
/// deletions were not dumped or notified, so the capture cannot know them.
#[test]
fn nft_state_equals_nft_list_ruleset() {
    let Some(shared) = super::common::shared("nft state") else {
        return;
    };
    let cap = shared.join("captures/nftables.pcap");
    let cmds = std::fs::read_to_string(shared.join("captures/nftables.cmds.txt")).unwrap();
    let want: String = cmds
        .split("$ nft list ruleset\n")
        .nth(1)
        .and_then(|rest| rest.split("[exit").next())
        .unwrap()
        .to_string();
    let got = run_ok(&["state", "-r", cap.to_str().unwrap(), "nft"]);
    assert_eq!(got, want);
    // Before `nft add table ip nat` only the filter table exists.
    let nat = run_ok(&[
        "read",
        "-r",
        cap.to_str().unwrap(),
        "-Y",
        "nlmsg.type == NFT_MSG_NEWTABLE && nlmsg.direction == \"from-kernel\"",
    ]);
    let first_nat = nat
        .lines()
        .find(|l| l.contains("table ip nat"))
        .and_then(|l| l.trim().split(':').next())
        .unwrap()
        .to_string();
    let before: u64 = first_nat.parse::<u64>().unwrap() - 1;
    let early = run_ok(&[
        "state",
        "-r",
        cap.to_str().unwrap(),
        "--frame",
        &before.to_string(),
        "nft",
    ]);
    assert!(early.starts_with("table inet filter {"), "{early}");
    assert!(!early.contains("table ip nat"), "{early}");
    let j: J = serde_json::from_str(&run_ok(&[
        "state",
        "-r",
        cap.to_str().unwrap(),
        "-j",
        "nft",
    ]))
    .unwrap();
    let items = j["nftables"].as_array().unwrap();
    let count = |k: &str| items.iter().filter(|i| i.get(k).is_some()).count();
    assert_eq!(
        (count("table"), count("chain"), count("set"), count("rule")),
        (2, 3, 1, 5)
    );
    let chain = items.iter().find_map(|i| i.get("chain")).unwrap();
    assert_eq!(chain["hook"], "input");
    assert_eq!(chain["policy"], "accept");
}
