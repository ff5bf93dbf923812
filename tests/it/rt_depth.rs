//! Layouts deeper than plain attributes, on real bytes (`captures/rt-depth.pcap`, recorded in
//! the nlmon VM; the tools' own output for each value is in captures/README.md): counted
//! struct arrays (u32 and pedit keys), struct arrays (NHA_GROUP), structs before nested
//! attributes (MDB entries and router ports), selectors found in an ancestor (TCA_STATS_APP),
//! formats by message type (hfsc qdisc vs class options) and unions (fq_codel xstats).

use super::common::*;
use serde_json::Value as J;

fn msgs() -> Vec<J> {
    json_msgs(&local("rt-depth.pcap"), &[])
}

/// Every node named `name` in `m`'s tree.
fn named<'a>(m: &'a J, name: &str) -> Vec<&'a J> {
    all_json_nodes(&m["tree"])
        .into_iter()
        .filter(|n| n["name"] == name)
        .collect()
}

/// The child of `n` named `name`.
fn kid<'a>(n: &'a J, name: &str) -> &'a J {
    n["children"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name} under {}", n["name"]))
}

/// A node's numeric value.
fn u(n: &J) -> u64 {
    num(&n["value"])
}

fn num(v: &J) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// (member, value) of each element `[i]` of an array node.
fn elements(arr: &J, member: &str) -> Vec<u64> {
    arr["children"]
        .as_array()
        .expect("elements")
        .iter()
        .map(|e| u(kid(e, member)))
        .collect()
}

/// The first message of `type_name` whose tree has a node named `name`.
fn first_with<'a>(ms: &'a [J], type_name: &str, name: &str) -> (&'a J, &'a J) {
    ms.iter()
        .filter(|m| m["type_name"] == type_name)
        .find_map(|m| named(m, name).first().map(|n| (m, *n)))
        .unwrap_or_else(|| panic!("no {type_name} with {name}"))
}

#[test]
fn capture_decodes_without_raw_bytes() {
    let out = run_ok(&[
        "read",
        "-r",
        local("rt-depth.pcap").to_str().unwrap(),
        "--coverage",
    ]);
    let total = out.lines().find(|l| l.starts_with("total")).expect("total");
    let n: Vec<u64> = total
        .split_whitespace()
        .skip(1)
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    assert!(n[0] > 200 && n[1] > 100_000, "{total}");
    assert_eq!(n[2], 0, "raw bytes: {out}");
    for m in msgs() {
        for n in all_json_nodes(&m["tree"]) {
            assert!(n["expert"].is_null(), "frame {}: {n}", m["frame"]);
        }
    }
}

#[test]
fn u32_selector_keys_and_counters() {
    let ms = msgs();
    // `tc filter show`: match c0000202/ffffffff at 16, match 00500000/ffff0000 at 20.
    let replies: Vec<&J> = ms
        .iter()
        .filter(|m| m["type_name"] == "RTM_NEWTFILTER" && m["direction"] == "from-kernel")
        .collect();
    let sel = replies
        .iter()
        .flat_map(|m| named(m, "TCA_U32_SEL"))
        .find(|s| u(kid(s, "nkeys")) == 2)
        .expect("a u32 reply with two keys");
    let keys = kid(sel, "keys");
    assert_eq!(elements(keys, "val"), vec![0xc000_0202, 0x0050_0000]);
    assert_eq!(elements(keys, "mask"), vec![0xffff_ffff, 0xffff_0000]);
    assert_eq!(elements(keys, "off"), vec![16, 20]);
    // Byte ranges: the 16-byte tc_u32_sel after the 4-byte attribute header, then 16-byte keys.
    let at = num(&sel["offset"]) + 4 + 16;
    assert_eq!((num(&keys["offset"]), num(&keys["length"])), (at, 32));
    let k1 = &keys["children"][1];
    assert_eq!((num(&k1["offset"]), num(&k1["length"])), (at + 16, 16));
    assert_eq!(k1["field"], "tc.options.sel.keys");
    assert_eq!(kid(k1, "val")["field"], "tc.options.sel.keys.val");
    // TCA_U32_PCNT: rcnt, rhit, then one hit counter per key.
    let pcnt = replies
        .iter()
        .flat_map(|m| named(m, "TCA_U32_PCNT"))
        .next()
        .expect("pcnt");
    assert_eq!(
        kid(pcnt, "kcnts")["children"].as_array().map(Vec::len),
        Some(2)
    );
    // The keys are filterable by their members.
    let p = local("rt-depth.pcap");
    let hits = json_msgs(&p, &["-Y", "tc.options.sel.keys.off == 20"]);
    assert_eq!(hits.len(), 2, "the request and the dump reply");
}

#[test]
fn pedit_keys_of_classic_and_extended_actions() {
    let ms = msgs();
    // `tc actions list action pedit` (one dump reply holds both actions).
    let (_, ex) = first_with(&ms, "RTM_GETACTION", "TCA_PEDIT_PARMS_EX");
    assert_eq!(u(kid(ex, "index")), 7);
    let keys = kid(ex, "keys");
    // key #0 at ipv4+8: val 0a000000 mask 00ffffff; key #1 at ipv4+16: val c0000209 mask 0.
    assert_eq!(elements(keys, "val"), vec![0x0a00_0000, 0xc000_0209]);
    assert_eq!(elements(keys, "mask"), vec![0x00ff_ffff, 0]);
    assert_eq!(elements(keys, "off"), vec![8, 16]);
    assert_eq!(num(&keys["children"][1]["length"]), 24);
    let (_, classic) = first_with(&ms, "RTM_GETACTION", "TCA_PEDIT_PARMS");
    assert_eq!(u(kid(classic, "index")), 8);
    let keys = kid(classic, "keys");
    // key #0 at 0: val 01000000 mask 00ffffff; key #1 at 4: val 00000002 mask 0.
    assert_eq!(elements(keys, "val"), vec![0x0100_0000, 2]);
    assert_eq!(elements(keys, "off"), vec![0, 4]);
}

#[test]
fn nexthop_group_members() {
    let ms = msgs();
    // `ip nexthop add id 10 group 1,3/2,5`: the kernel keeps weight - 1.
    for dir in ["to-kernel", "from-kernel"] {
        let g = ms
            .iter()
            .filter(|m| m["type_name"] == "RTM_NEWNEXTHOP" && m["direction"] == dir)
            .flat_map(|m| named(m, "NHA_GROUP"))
            .next()
            .unwrap_or_else(|| panic!("{dir} group"));
        assert_eq!(elements(g, "id"), vec![1, 2], "{dir}");
        assert_eq!(elements(g, "weight"), vec![2, 4], "{dir}");
        assert_eq!(num(&g["children"][1]["offset"]), num(&g["offset"]) + 4 + 8);
    }
}

#[test]
fn mdb_entries_and_router_ports() {
    let ms = msgs();
    // `bridge -d mdb show`: veth1 (ifindex 3) in 239.1.1.1 permanent, proto static (RTPROT_STATIC).
    let (_, info) = ms
        .iter()
        .filter(|m| m["type_name"] == "RTM_GETMDB")
        .flat_map(|m| {
            named(m, "MDBA_MDB_ENTRY_INFO")
                .into_iter()
                .map(move |n| (m, n))
        })
        .find(|(_, n)| {
            let addr = kid(kid(n, "br-mdb-entry"), "addr");
            named_kid(addr, "ip4").is_some_and(|a| a["value"] == "239.1.1.1")
        })
        .expect("239.1.1.1 entry");
    let e = kid(info, "br-mdb-entry");
    assert_eq!(u(kid(e, "ifindex")), 3);
    assert_eq!(u(kid(e, "state")), 1, "MDB_PERMANENT");
    assert_eq!(u(kid(e, "proto")), 0x0800);
    assert_eq!(u(kid(info, "MDBA_MDB_EATTR_RTPROT")), 4, "RTPROT_STATIC");
    assert_eq!(num(&e["offset"]), num(&info["offset"]) + 4);
    // The union by proto: an IPv4 group here, and the IPv6 one (`grp ff0e::1 temp`) by filter.
    assert_eq!(kid(e, "addr")["display"], "mdb-addr-ip4");
    let p = local("rt-depth.pcap");
    let types = |filter: &str| -> Vec<String> {
        let mut t: Vec<String> = json_msgs(&p, &["-Y", filter])
            .iter()
            .map(|m| {
                format!(
                    "{} {}",
                    m["direction"].as_str().unwrap_or(""),
                    m["type_name"].as_str().unwrap_or("")
                )
            })
            .collect();
        t.sort();
        t.dedup();
        t
    };
    // The notifications of its add and (when VLAN snooping was turned on) removal, the dump.
    assert_eq!(
        types("rt-bridge.mdb.entry.info.br-mdb-entry.addr.ip6 == ff0e::1"),
        [
            "from-kernel RTM_DELMDB",
            "from-kernel RTM_GETMDB",
            "from-kernel RTM_NEWMDB"
        ]
    );
    // The request carries the same struct as MDBA_SET_ENTRY.
    assert_eq!(
        types("rt-bridge.entry.addr.ip6 == ff0e::1"),
        ["to-kernel RTM_NEWMDB"]
    );
    // Router port in the dump: ifindex, then its attributes (br_rports_fill_info).
    let (_, port) = first_with(&ms, "RTM_GETMDB", "MDBA_ROUTER_PORT");
    assert_eq!(u(kid(kid(port, "br-router-port"), "ifindex")), 3);
    let ty = kid(port, "MDBA_ROUTER_PATTR_TYPE");
    assert_eq!(
        (u(ty), ty["display"].as_str()),
        (2, Some("MDB_RTR_TYPE_PERM (2)"))
    );
    // Notifications: a bare ifindex, and (per-VLAN router) ifindex + MDBA_ROUTER_PATTR_VID.
    let ntf: Vec<&J> = ms
        .iter()
        .filter(|m| m["type_name"] == "RTM_NEWMDB" && m["direction"] == "from-kernel")
        .flat_map(|m| named(m, "MDBA_ROUTER_PORT"))
        .collect();
    assert!(
        ntf.iter()
            .any(|p| p["children"].as_array().map(Vec::len) == Some(1))
    );
    let vid = ntf
        .iter()
        .find_map(|p| named_kid(p, "MDBA_ROUTER_PATTR_VID"))
        .expect("per-vlan router port notification");
    assert_eq!(u(vid), 1);
}

fn named_kid<'a>(n: &'a J, name: &str) -> Option<&'a J> {
    n["children"].as_array()?.iter().find(|c| c["name"] == name)
}

#[test]
fn hfsc_options_by_message_type_and_class_stats() {
    let ms = msgs();
    // Qdisc: struct tc_hfsc_qopt (`default 11`).
    let q = ms
        .iter()
        .find(|m| {
            m["type_name"] == "RTM_NEWQDISC"
                && named(m, "TCA_KIND").first().map(|k| k["value"] == "hfsc") == Some(true)
        })
        .expect("hfsc qdisc");
    assert_eq!(u(named(q, "defcls")[0]), 0x11);
    assert!(named(q, "TCA_HFSC_RSC").is_empty());
    // Class 1:11: rt m1 2mbit d 10ms m2 1mbit, ls rate 5mbit (bytes per second, microseconds).
    let c = ms
        .iter()
        .filter(|m| m["type_name"] == "RTM_NEWTCLASS" && m["direction"] == "from-kernel")
        .find(|m| named(m, "tcm_handle").first().map(|h| u(h)) == Some(0x1_0011))
        .expect("class 1:11 in the dump");
    let rsc = named(c, "TCA_HFSC_RSC")[0];
    assert_eq!(
        [u(kid(rsc, "m1")), u(kid(rsc, "d")), u(kid(rsc, "m2"))],
        [250_000, 10_000, 125_000]
    );
    assert_eq!(u(kid(named(c, "TCA_HFSC_FSC")[0], "m2")), 625_000);
    assert!(named(c, "defcls").is_empty());
    // Its TCA_STATS_APP (kind two levels up): period 1 work 70 bytes rtwork 70 bytes level 0.
    let app = named(c, "TCA_STATS_APP")[0];
    assert_eq!(app["display"], "hfsc");
    let st = kid(app, "tc-hfsc-stats");
    assert_eq!(
        [
            u(kid(st, "work")),
            u(kid(st, "rtwork")),
            u(kid(st, "period")),
            u(kid(st, "level"))
        ],
        [70, 70, 1, 0]
    );
    // drr class: quantum 1500b, deficit 0b.
    let (_, q) = first_with(&ms, "RTM_NEWTCLASS", "TCA_DRR_QUANTUM");
    assert_eq!(u(q), 1500);
}

#[test]
fn fq_codel_xstats_by_type() {
    let ms = msgs();
    // fq_codel 10: on veth0 (tcm_handle 0x100000), or its flow classes (parent 10:).
    let xstats = |type_name: &str, handle_field: &str| -> Vec<&J> {
        ms.iter()
            .filter(|m| m["type_name"] == type_name && m["direction"] == "from-kernel")
            .filter(|m| named(m, handle_field).first().map(|h| u(h)) == Some(0x10_0000))
            .flat_map(|m| named(m, "tc-fq-codel-xstats"))
            .collect()
    };
    // Qdisc (type 0), `tc -s qdisc show dev veth0`: maxpacket 98 new_flow_count 4
    // new_flows_len 1 old_flows_len 0 (a later dump finds the flow list empty again).
    let q = xstats("RTM_NEWQDISC", "tcm_handle");
    assert!(q.len() >= 2);
    for x in &q {
        assert_eq!(u(kid(x, "type")), 0);
        let s = kid(x, "stats");
        assert_eq!(s["display"], "tc-fq-codel-qd-stats");
        assert_eq!(
            [u(kid(s, "maxpacket")), u(kid(s, "new_flow_count"))],
            [98, 4]
        );
    }
    let first = kid(q[0], "stats");
    assert_eq!(
        [
            u(kid(first, "new_flows_len")),
            u(kid(first, "old_flows_len"))
        ],
        [1, 0]
    );
    // Class 10:312 (type 1): deficit 1444 count 0 lastcount 0 ldelay 520ms.
    let c = xstats("RTM_NEWTCLASS", "tcm_parent");
    assert_eq!(c.len(), 2, "TCA_STATS_APP and TCA_XSTATS of the one flow");
    for x in &c {
        assert_eq!(u(kid(x, "type")), 1);
        let s = kid(x, "stats");
        assert_eq!(s["display"], "tc-fq-codel-cl-stats");
        assert_eq!(u(kid(s, "deficit")), 1444);
        assert_eq!(u(kid(s, "ldelay")) / 1000, 520);
        assert_eq!([u(kid(s, "count")), u(kid(s, "lastcount"))], [0, 0]);
        let pad = kid(s, "union padding");
        assert_eq!(num(&pad["length"]), 36 - 24);
    }
}

#[test]
fn mqprio_cbs_ets_and_qfq() {
    let ms = msgs();
    let opts = |kind: &str, type_name: &str| -> Vec<&J> {
        ms.iter()
            .filter(|m| m["type_name"] == type_name && m["direction"] == "from-kernel")
            .filter(|m| named(m, "TCA_KIND").first().map(|k| k["value"] == kind) == Some(true))
            .flat_map(|m| named(m, "TCA_OPTIONS"))
            .collect()
    };
    // `tc 2 map 0 0 0 0 1 1 1 1 ... queues:(0:1) (2:3)`: struct tc_mqprio_qopt.
    let mq = opts("mqprio", "RTM_NEWQDISC");
    let q = kid(mq[0], "tc-mqprio-qopt");
    assert_eq!(u(kid(q, "num_tc")), 2);
    // Fixed integer arrays: u8 prio_tc_map[16], u16 count[16] / offset[16].
    let ints = |n: &str| -> Vec<u64> {
        kid(q, n)["children"]
            .as_array()
            .map(|a| a.iter().map(u).collect())
            .unwrap_or_default()
    };
    assert_eq!(
        ints("prio_tc_map"),
        [0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    );
    assert_eq!(ints("count")[..3], [2, 2, 0]);
    assert_eq!(ints("offset")[..3], [0, 2, 0]);
    // `hicredit 30 locredit -1470 sendslope -980000 idleslope 20000 offload 0`.
    let cbs = kid(opts("cbs", "RTM_NEWQDISC")[0], "TCA_CBS_PARMS");
    let v = |n: &str| kid(cbs, n)["value"].as_i64().unwrap_or(0);
    assert_eq!(
        [
            v("hicredit"),
            v("locredit"),
            v("sendslope"),
            v("idleslope"),
            v("offload")
        ],
        [30, -1470, -980_000, 20_000, 0]
    );
    // ets classes: 3:2 quantum 1500, 3:3 quantum 1000 (3:1 is strict: no quantum).
    let quanta: Vec<u64> = opts("ets", "RTM_NEWTCLASS")
        .iter()
        .flat_map(|o| named_kid(o, "TCA_ETS_QUANTA_BAND"))
        .map(u)
        .collect();
    assert_eq!(quanta, vec![1500, 1000]);
    // qfq class 4:1: weight 10 maxpkt 1500, in its options and in its xstats.
    let qfq = opts("qfq", "RTM_NEWTCLASS");
    assert_eq!(u(kid(qfq[0], "TCA_QFQ_WEIGHT")), 10);
    assert_eq!(u(kid(qfq[0], "TCA_QFQ_LMAX")), 1500);
    let st = ms
        .iter()
        .flat_map(|m| named(m, "tc-qfq-stats"))
        .next()
        .expect("qfq xstats");
    assert_eq!([u(kid(st, "weight")), u(kid(st, "lmax"))], [10, 1500]);
}

#[test]
fn stats_app_of_the_shared_tc_capture() {
    let Some(dir) = shared("TCA_STATS_APP of htb classes in the shared tc capture") else {
        return;
    };
    // `tc -s class show dev veth0`: tokens 20000 ctokens 10000, tokens 40000 ctokens 40000.
    let ms = json_msgs(&dir.join("captures/tc.pcap"), &[]);
    let mut seen: Vec<(i64, i64)> = ms
        .iter()
        .flat_map(|m| named(m, "TCA_STATS_APP"))
        .filter(|a| a["display"] == "htb")
        .map(|a| {
            let x = kid(a, "tc-htb-xstats");
            (
                kid(x, "tokens")["value"].as_i64().unwrap_or(-1),
                kid(x, "ctokens")["value"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen, vec![(20000, 10000), (40000, 40000)]);
}

#[test]
fn shared_tc_and_bridge_captures_have_no_raw_bytes() {
    let Some(dir) = shared("coverage of the shared tc and bridge captures") else {
        return;
    };
    // Before these layouts were described: bridge 128 raw bytes (MDB entry attributes after
    // struct br_mdb_entry), tc 40 (u32 keys and hit counters).
    for name in ["tc", "bridge"] {
        let p = dir.join(format!("captures/{name}.pcap"));
        let out = run_ok(&["read", "-r", p.to_str().unwrap(), "--coverage"]);
        let total = out.lines().find(|l| l.starts_with("total")).expect("total");
        let raw: u64 = total
            .split_whitespace()
            .nth(3)
            .and_then(|x| x.parse().ok())
            .expect("raw column");
        assert_eq!(raw, 0, "{name}: {out}");
    }
}

#[test]
fn kernel_tc_spec_finds_the_kind_two_levels_up() {
    let Some(dir) = shared("the kernel's tc.yaml on the shared tc capture") else {
        return;
    };
    // The kernel's tc.yaml says TCA_STATS_APP is a sub-message selected by `kind`, which is
    // not in tca-stats-attrs but in the message's attributes.
    let specs = dir.join("ynl-specs");
    let p = dir.join("captures/tc.pcap");
    let out = run_ok(&[
        "--spec-dir",
        specs.to_str().unwrap(),
        "read",
        "-r",
        p.to_str().unwrap(),
        "-T",
        "ndjson",
    ]);
    let apps: Vec<J> = out
        .lines()
        .map(|l| serde_json::from_str::<J>(l).expect("JSON"))
        .flat_map(|m| {
            named(&m, "TCA_STATS_APP")
                .into_iter()
                .cloned()
                .collect::<Vec<_>>()
        })
        .collect();
    let fq: Vec<&J> = apps.iter().filter(|a| a["display"] == "fq_codel").collect();
    assert!(
        !fq.is_empty(),
        "no fq_codel TCA_STATS_APP among {} apps",
        apps.len()
    );
    for a in fq {
        assert!(!a["raw"].as_bool().unwrap_or(true));
        assert_eq!(
            kid(a, "tc-fq-codel-xstats")["children"]
                .as_array()
                .map(Vec::len),
            Some(10)
        );
    }
}
