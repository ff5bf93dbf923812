//! Cross-check nlmsghdr fields against Wireshark's netlink dissector.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use serde_json::Value as J;

use super::common::*;

/// Per frame: the tshark `netlink.hdr_*` occurrences (all headers, nested ones included).
#[derive(Default, Debug)]
struct TFrame {
    len: Vec<u64>,
    ty: Vec<u64>,
    flags: Vec<u64>,
    seq: Vec<u64>,
    pid: Vec<u64>,
}

fn nums(s: &str) -> Vec<u64> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(|x| match x.strip_prefix("0x") {
            Some(h) => u64::from_str_radix(h, 16).unwrap(),
            None => x.parse().unwrap(),
        })
        .collect()
}

fn tshark_fields(ts: &str, path: &Path) -> BTreeMap<u64, TFrame> {
    let out = Command::new(ts)
        .arg("-r")
        .arg(path)
        .args(["-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,"])
        .args([
            "-e",
            "frame.number",
            "-e",
            "netlink.hdr_len",
            "-e",
            "netlink.hdr_type",
        ])
        .args([
            "-e",
            "netlink.hdr_flags",
            "-e",
            "netlink.hdr_seq",
            "-e",
            "netlink.hdr_pid",
        ])
        .output()
        .expect("run tshark");
    assert!(
        out.status.success(),
        "tshark failed on {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut m = BTreeMap::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let c: Vec<&str> = line.split('\t').collect();
        assert_eq!(c.len(), 6, "tshark line {line:?}");
        m.insert(
            c[0].parse().unwrap(),
            TFrame {
                len: nums(c[1]),
                ty: nums(c[2]),
                flags: nums(c[3]),
                seq: nums(c[4]),
                pid: nums(c[5]),
            },
        );
    }
    m
}

/// The header fields of the request echoed inside an NLMSG_ERROR, from our tree.
fn echoed(m: &J) -> Option<[u64; 5]> {
    let req = m["tree"]
        .as_array()?
        .iter()
        .find(|n| n["name"] == "request")?;
    let get = |name: &str| {
        req["children"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .and_then(|c| c["value"].as_u64())
    };
    Some([
        get("nlmsg_len")?,
        get("nlmsg_type")?,
        get("nlmsg_flags")?,
        get("nlmsg_seq")?,
        get("nlmsg_pid")?,
    ])
}

fn check(ts: &str, path: &Path) {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let t = tshark_fields(ts, path);
    let msgs = json_msgs(path, &[]);
    let mut by_frame: BTreeMap<u64, Vec<&J>> = BTreeMap::new();
    for m in &msgs {
        by_frame
            .entry(m["frame"].as_u64().unwrap())
            .or_default()
            .push(m);
    }
    let frames = nlscope_frame_count(path);
    assert_eq!(t.len() as u64, frames, "{name}: frame count");
    let mut compared = 0;
    let fnos: Vec<u64> = t.keys().copied().collect();
    let mut t = t;
    for fno in &fnos {
        let ours = by_frame.get(fno).cloned().unwrap_or_default();
        // Top-level headers, each followed by the header echoed in an NLMSG_ERROR (tshark
        // dissects that one too).
        let (mut len, mut seq, mut pid) = (vec![], vec![], vec![]);
        let (mut types, mut flags) = (BTreeSet::new(), BTreeSet::new());
        let mut top_flags = BTreeSet::new();
        // Every type and flags value ours holds, repeats included.
        let (mut ty_list, mut flag_list) = (vec![], vec![]);
        // Kobject uevents are text, not netlink: tshark shows no header for them.
        let ours: Vec<&J> = ours.into_iter().filter(|m| m["protocol"] != 15).collect();
        for m in &ours {
            let g = |k: &str| m[k].as_u64().unwrap();
            len.push(g("len"));
            seq.push(g("seq"));
            pid.push(g("pid"));
            types.insert(g("type"));
            flags.insert(g("flags"));
            top_flags.insert(g("flags"));
            ty_list.push(g("type"));
            flag_list.push(g("flags"));
            if g("type") == 2
                && let Some(e) = echoed(m)
            {
                len.push(e[0]);
                types.insert(e[1]);
                flags.insert(e[2]);
                ty_list.push(e[1]);
                flag_list.push(e[2]);
                seq.push(e[3]);
                pid.push(e[4]);
            }
        }
        // tshark also dissects zero padding after the last message as a header of length 0;
        // the kernel stops there (nlmsg_len < NLMSG_HDRLEN) and so do we.
        let mut tf = std::mem::take(t.get_mut(fno).unwrap());
        let n = len.len();
        while tf.len.len() > n && tf.len.last() == Some(&0) {
            tf.len.pop();
        }
        for v in [&mut tf.seq, &mut tf.pid] {
            v.truncate(n.max(tf.len.len()));
        }
        // Its type and flags (0, possibly repeated) may be listed too: drop the zeros ours
        // does not have (tshark may also repeat an echoed header's flags).
        let zeros = |v: &[u64]| v.iter().filter(|x| **x == 0).count();
        for (v, ours) in [(&mut tf.ty, &ty_list), (&mut tf.flags, &flag_list)] {
            while v.len() > n
                && zeros(v) > zeros(ours)
                && let Some(i) = v.iter().rposition(|x| *x == 0)
            {
                v.remove(i);
            }
        }
        assert_eq!(
            tf.len, len,
            "{name} frame {fno}: nlmsg_len (ours incl. echoed headers)"
        );
        assert_eq!(tf.seq, seq, "{name} frame {fno}: nlmsg_seq");
        assert_eq!(tf.pid, pid, "{name} frame {fno}: nlmsg_pid");
        // tshark shows hdr_type only where no sub-dissector names the type, and repeats
        // hdr_flags for some families: compare as sets.
        let tty: BTreeSet<u64> = tf.ty.iter().copied().collect();
        assert!(
            tty.is_subset(&types),
            "{name} frame {fno}: types {tty:?} vs {types:?}"
        );
        let tfl: BTreeSet<u64> = tf.flags.iter().copied().collect();
        assert!(
            tfl.is_subset(&flags),
            "{name} frame {fno}: flags {tfl:?} vs {flags:?}"
        );
        assert!(
            top_flags.is_subset(&tfl),
            "{name} frame {fno}: flags {top_flags:?} vs {tfl:?}"
        );
        compared += ours.len();
    }
    let netlink = msgs.iter().filter(|m| m["protocol"] != 15).count();
    assert_eq!(compared, netlink, "{name}: every message compared");
}

fn nlscope_frame_count(path: &Path) -> u64 {
    let (frames, err) = read_frames(&std::fs::read(path).unwrap());
    assert!(err.is_none());
    frames.len() as u64
}

#[test]
fn headers_match_tshark() {
    let Some(ts) = tshark("tshark cross-check") else {
        return;
    };
    let mut caps = captures_in(&local_dir());
    if let Some(s) = shared_captures("tshark cross-check of shared captures") {
        caps.extend(s);
    }
    for p in caps {
        check(ts, &p);
    }
}

/// How a tshark field's text compares to our node's JSON value.
#[derive(Clone, Copy)]
enum Cmp {
    /// Numbers and strings as printed.
    Text,
    /// Bytes: tshark prints `aa:bb:..`, we print hex or an address; compare the hex digits.
    Bytes,
    /// Integers: tshark prints some in hex (`0x0000000a`), we in decimal.
    Num,
}

/// A tshark field, the nlscope fields holding the same values, how to compare them.
type Field = (&'static str, &'static [&'static str], Cmp);

/// rtnetlink fields Wireshark 4.0 decodes beyond the nlmsghdr, and the nlscope field paths
/// holding the same values (several when tshark uses one field for several attributes, in
/// message order).
const RT_FIELDS: &[Field] = &[
    (
        "netlink-route.ifi_index",
        &["rt-link.ifinfomsg.ifi-index"],
        Cmp::Text,
    ),
    (
        "netlink-route.ifi_flags",
        &["rt-link.ifinfomsg.ifi-flags"],
        Cmp::Text,
    ),
    ("netlink-route.ifla_ifname", &["rt-link.ifname"], Cmp::Text),
    ("netlink-route.ifla_mtu", &["rt-link.mtu"], Cmp::Text),
    ("netlink-route.ifla_txqlen", &["rt-link.txqlen"], Cmp::Text),
    (
        "netlink-route.ifla_operstate",
        &["rt-link.operstate"],
        Cmp::Text,
    ),
    ("netlink-route.ifla_qdisc", &["rt-link.qdisc"], Cmp::Text),
    (
        "netlink-route.ifla_hwaddr",
        &["rt-link.address"],
        Cmp::Bytes,
    ),
    ("netlink-route.ifla_group", &["rt-link.group"], Cmp::Text),
    (
        "netlink-route.ifla_promiscuity",
        &["rt-link.promiscuity"],
        Cmp::Text,
    ),
    (
        "netlink-route.ifla_txqnum",
        &["rt-link.num-tx-queues"],
        Cmp::Text,
    ),
    (
        "netlink-route.ifla_min_mtu",
        &["rt-link.min-mtu"],
        Cmp::Text,
    ),
    (
        "netlink-route.ifla_max_mtu",
        &["rt-link.max-mtu"],
        Cmp::Text,
    ),
    (
        "netlink-route.ifla_carrier_changes",
        &["rt-link.carrier-changes"],
        Cmp::Text,
    ),
    (
        "netlink-route.ifa_index",
        &["rt-addr.ifaddrmsg.ifa-index"],
        Cmp::Text,
    ),
    (
        "netlink-route.ifa_prefixlen",
        &["rt-addr.ifaddrmsg.ifa-prefixlen"],
        Cmp::Text,
    ),
    ("netlink-route.ifa_label", &["rt-addr.label"], Cmp::Text),
    (
        "netlink-route.ifa_address.ipv4",
        &["rt-addr.address", "rt-addr.local", "rt-addr.broadcast"],
        Cmp::Text,
    ),
    (
        "netlink-route.ifa_address.ipv6",
        &[
            "rt-addr.address",
            "rt-addr.local",
            "rt-addr.anycast",
            "rt-addr.multicast",
        ],
        Cmp::Text,
    ),
    (
        "netlink-route.rt_dst_len",
        &["rt-route.rtmsg.rtm-dst-len"],
        Cmp::Text,
    ),
    (
        "netlink-route.rt_table",
        &["rt-route.rtmsg.rtm-table"],
        Cmp::Text,
    ),
    ("netlink-route.rta_oif", &["rt-route.oif"], Cmp::Text),
    ("netlink-route.rta_iif", &["rt-route.iif"], Cmp::Text),
    (
        "netlink-route.nd_index",
        &["rt-neigh.ndmsg.ndm-ifindex"],
        Cmp::Text,
    ),
    (
        "netlink-route.nd_state",
        &["rt-neigh.ndmsg.ndm-state"],
        Cmp::Text,
    ),
];

fn norm(s: &str, c: Cmp) -> String {
    match c {
        Cmp::Text => s.to_string(),
        Cmp::Bytes => s.chars().filter(|c| c.is_ascii_hexdigit()).collect(),
        Cmp::Num => match s.strip_prefix("0x") {
            Some(h) => u64::from_str_radix(h, 16).map_or(s.to_string(), |v| v.to_string()),
            None => s.to_string(),
        },
    }
}

fn json_text(v: &J) -> String {
    match v {
        J::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Per field index, per frame: tshark's values and ours. Returns (compared, agreed) counts per
/// field; panics on the first disagreement.
fn check_attrs(ts: &str, path: &Path, table: &[Field], counts: &mut [usize]) {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let mut cmd = Command::new(ts);
    cmd.arg("-r").arg(path).args([
        "-T",
        "fields",
        "-E",
        "occurrence=a",
        "-E",
        "aggregator=|",
        "-e",
        "frame.number",
    ]);
    for (f, _, _) in table {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().expect("run tshark");
    assert!(out.status.success(), "tshark failed on {name}");
    let mut ours: BTreeMap<(u64, usize), Vec<String>> = BTreeMap::new();
    for m in json_msgs(path, &[]) {
        let fno = m["frame"].as_u64().unwrap();
        for n in all_json_nodes(&m["tree"]) {
            let Some(field) = n["field"].as_str() else {
                continue;
            };
            for (i, (_, paths, c)) in table.iter().enumerate() {
                if paths.contains(&field) {
                    ours.entry((fno, i))
                        .or_default()
                        .push(norm(&json_text(&n["value"]), *c));
                }
            }
        }
    }
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        let fno: u64 = cols[0].parse().unwrap();
        for (i, (tf, _, c)) in table.iter().enumerate() {
            let theirs: Vec<String> = cols
                .get(i + 1)
                .unwrap_or(&"")
                .split('|')
                .filter(|x| !x.is_empty())
                .map(|x| norm(x, *c))
                .collect();
            if theirs.is_empty() {
                continue;
            }
            let mine = ours.get(&(fno, i)).cloned().unwrap_or_default();
            assert_eq!(theirs, mine, "{name} frame {fno}: {tf} (tshark vs nlscope)");
            counts[i] += theirs.len();
        }
    }
}

#[test]
fn route_attributes_match_tshark() {
    let Some(ts) = tshark("tshark cross-check of rtnetlink attributes") else {
        return;
    };
    let mut caps: Vec<_> = [
        "route-link.pcap",
        "route-monitor.pcap",
        "rt-links.pcap",
        "rt-misc.pcap",
        "bridge-extra.pcap",
    ]
    .iter()
    .map(|c| local(c))
    .collect();
    if let Some(s) = shared("tshark cross-check of shared route captures") {
        caps.push(s.join("captures/route-addr-route.pcap"));
    }
    let mut counts = vec![0usize; RT_FIELDS.len()];
    for p in &caps {
        check_attrs(ts, p, RT_FIELDS, &mut counts);
    }
    let mut total = 0;
    for ((f, _, _), n) in RT_FIELDS.iter().zip(&counts) {
        eprintln!("tshark agrees on {n} values of {f}");
        total += n;
    }
    // Every field but the rarely sent RTA_IIF was compared somewhere.
    for ((f, _, _), n) in RT_FIELDS.iter().zip(&counts) {
        if *f != "netlink-route.rta_iif" {
            assert!(*n > 0, "{f}: tshark decoded no value in these captures");
        }
    }
    assert!(total > 1000, "only {total} values compared");
}

/// nl80211 values Wireshark decodes (its nl80211 dissector names most attributes but types
/// few), each in message order per frame.
const NL80211_FIELDS: &[Field] = &[
    ("nl80211.cmd", &["genl.cmd"], Cmp::Text),
    ("nl80211.ifname", &["nl80211.ifname"], Cmp::Text),
    ("nl80211.wiphy_name", &["nl80211.wiphy-name"], Cmp::Text),
    ("nl80211.mac", &["nl80211.mac"], Cmp::Bytes),
    ("nl80211.alpha2", &["nl80211.reg-alpha2"], Cmp::Text),
];

#[test]
fn nl80211_attributes_match_tshark() {
    let Some(ts) = tshark("tshark cross-check of nl80211 attributes") else {
        return;
    };
    let mut caps = vec![local("genl-nl80211.pcap")];
    if let Some(s) = shared("tshark cross-check of the shared nl80211 capture") {
        caps.push(s.join("captures/nl80211.pcap"));
    }
    let mut counts = vec![0usize; NL80211_FIELDS.len()];
    for p in &caps {
        check_attrs(ts, p, NL80211_FIELDS, &mut counts);
    }
    for ((f, _, _), n) in NL80211_FIELDS.iter().zip(&counts) {
        eprintln!("tshark agrees on {n} values of {f}");
        assert!(*n > 0, "{f}: tshark decoded no value in these captures");
    }
}

/// sock_diag values Wireshark decodes (requests and replies of every family it knows).
const SOCK_DIAG_FIELDS: &[Field] = &[
    (
        "netlink-sock_diag.inet_sport",
        &[
            "sock-diag.inet-diag-req-v2.id.idiag-sport",
            "sock-diag.inet-diag-msg.id.idiag-sport",
        ],
        Cmp::Text,
    ),
    (
        "netlink-sock_diag.inet_dport",
        &[
            "sock-diag.inet-diag-req-v2.id.idiag-dport",
            "sock-diag.inet-diag-msg.id.idiag-dport",
        ],
        Cmp::Text,
    ),
    (
        "netlink-sock_diag.inet_src_ip4",
        &[
            "sock-diag.inet-diag-req-v2.id.idiag-src",
            "sock-diag.inet-diag-msg.id.idiag-src",
        ],
        Cmp::Text,
    ),
    (
        "netlink-sock_diag.inet_src_ip6",
        &[
            "sock-diag.inet-diag-req-v2.id.idiag-src",
            "sock-diag.inet-diag-msg.id.idiag-src",
        ],
        Cmp::Text,
    ),
    (
        "netlink-sock_diag.inode",
        &[
            "sock-diag.inet-diag-msg.idiag-inode",
            "sock-diag.unix-diag-req.udiag-ino",
            "sock-diag.unix-diag-msg.udiag-ino",
            "sock-diag.packet-diag-req.pdiag-ino",
            "sock-diag.packet-diag-msg.pdiag-ino",
            "sock-diag.netlink-diag-req.ndiag-ino",
            "sock-diag.netlink-diag-msg.ndiag-ino",
        ],
        Cmp::Text,
    ),
    (
        "netlink-sock_diag.unix_name",
        &["sock-diag.name"],
        Cmp::Text,
    ),
];

#[test]
fn sock_diag_fields_match_tshark() {
    let Some(ts) = tshark("tshark cross-check of sock_diag") else {
        return;
    };
    let mut caps = vec![local("sock-diag-extra.pcap")];
    if let Some(s) = shared("tshark cross-check of the shared sock_diag capture") {
        caps.push(s.join("captures/sock-diag.pcap"));
    }
    let mut counts = vec![0usize; SOCK_DIAG_FIELDS.len()];
    for p in &caps {
        check_attrs(ts, p, SOCK_DIAG_FIELDS, &mut counts);
    }
    for ((f, _, _), n) in SOCK_DIAG_FIELDS.iter().zip(&counts) {
        eprintln!("tshark agrees on {n} values of {f}");
        assert!(*n > 0, "{f}: tshark decoded no value in these captures");
    }
}

/// ctnetlink values Wireshark decodes: tuples, timeout, id, status, nfgenmsg.
const CONNTRACK_FIELDS: &[Field] = &[
    (
        "netlink-netfilter.nfct_tuple.ip.ip_addr",
        &[
            "conntrack.tuple-orig.ip.v4-src",
            "conntrack.tuple-orig.ip.v4-dst",
            "conntrack.tuple-reply.ip.v4-src",
            "conntrack.tuple-reply.ip.v4-dst",
        ],
        Cmp::Text,
    ),
    (
        "netlink-netfilter.nfct_tuple.proto.src_port",
        &[
            "conntrack.tuple-orig.proto.src-port",
            "conntrack.tuple-reply.proto.src-port",
        ],
        Cmp::Text,
    ),
    (
        "netlink-netfilter.nfct_tuple.proto.dst_port",
        &[
            "conntrack.tuple-orig.proto.dst-port",
            "conntrack.tuple-reply.proto.dst-port",
        ],
        Cmp::Text,
    ),
    (
        "netlink-netfilter.nfct_tuple.proto.num",
        &[
            "conntrack.tuple-orig.proto.num",
            "conntrack.tuple-reply.proto.num",
        ],
        Cmp::Text,
    ),
    (
        "netlink-netfilter.ct_attr.timeout",
        &["conntrack.timeout"],
        Cmp::Text,
    ),
    ("netlink-netfilter.ct_attr.id", &["conntrack.id"], Cmp::Num),
    (
        "netlink-netfilter.ct_attr.status",
        &["conntrack.status"],
        Cmp::Num,
    ),
    (
        "netlink-netfilter.family",
        &["conntrack.nfgenmsg.nfgen-family"],
        Cmp::Text,
    ),
];

#[test]
fn conntrack_fields_match_tshark() {
    let Some(ts) = tshark("tshark cross-check of ctnetlink") else {
        return;
    };
    let Some(s) = shared("tshark cross-check of the shared conntrack capture") else {
        return;
    };
    // Flows only: tshark 4.0 reads the per-CPU statistics' attributes as flow attributes.
    let tmp = TempDir::new("tshark-ct");
    let flows = tmp.path("flows.pcap");
    run_ok(&[
        "read",
        "-r",
        s.join("captures/conntrack.pcap").to_str().unwrap(),
        "-Y",
        "nlmsg.type == IPCTNL_MSG_CT_NEW || nlmsg.type == IPCTNL_MSG_CT_GET || nlmsg.type == IPCTNL_MSG_CT_DELETE",
        "-w",
        flows.to_str().unwrap(),
    ]);
    let mut counts = vec![0usize; CONNTRACK_FIELDS.len()];
    check_attrs(ts, &flows, CONNTRACK_FIELDS, &mut counts);
    for ((f, _, _), n) in CONNTRACK_FIELDS.iter().zip(&counts) {
        eprintln!("tshark agrees on {n} values of {f}");
        assert!(*n > 0, "{f}: tshark decoded no value in this capture");
    }
}
