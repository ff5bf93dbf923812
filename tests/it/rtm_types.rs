//! Every rtnetlink message type of the uapi is named and decoded with its fixed header, and the
//! message kinds with a layout of their own (ND user options, cache reports, DCB) decode from
//! synthetic messages.

use std::collections::BTreeMap;

use serde_json::Value as J;

use super::common::*;

/// Fixed header (struct name as the tree shows it, size) per rtnetlink message type, from the
/// kernel's handlers (net/core/rtnetlink.c and the per-family files).
fn header_of(ty: u16) -> Option<(&'static str, u64)> {
    Some(match ty {
        16..=19 | 108..=110 => ("ifinfomsg", 16),
        20..=22 | 56..=62 => ("ifaddrmsg", 8),
        24..=26 => ("rtmsg", 12),
        28..=30 => ("ndmsg", 12),
        32..=34 => ("fib-rule-hdr", 12),
        36..=46 | 100..=102 => ("tcmsg", 20),
        48..=50 => ("tcamsg", 4),
        52 => ("prefixmsg", 12),
        64..=67 => ("ndtmsg", 4),
        68 => ("nduseroptmsg", 16),
        72..=74 => ("ifaddrlblmsg", 12),
        78 | 79 => ("dcbmsg", 4),
        80..=82 => ("netconfmsg", 1),
        84..=86 => ("br-port-msg", 8),
        88..=90 | 96 => ("rtgenmsg", 1),
        92..=95 => ("if-stats-msg", 12),
        104..=106 | 116..=118 => ("nhmsg", 8),
        112..=114 => ("br-vlan-msg", 8),
        120..=122 => ("tunnel-msg", 8),
        _ => return None,
    })
}

/// RTM_* names and values of linux/rtnetlink.h (the enum after RTM_BASE).
fn uapi_rtm_types(text: &str) -> BTreeMap<u16, String> {
    let mut out = BTreeMap::new();
    let Some(start) = text.find("RTM_BASE\t= 16,") else {
        return out;
    };
    let mut next: i64 = 16;
    for line in text[start..].lines() {
        let l = line.trim();
        if l.starts_with("__RTM_MAX") {
            break;
        }
        if !l.starts_with("RTM_") || l.starts_with("RTM_BASE") {
            continue;
        }
        let l = l.trim_end_matches(',');
        let (name, val) = match l.split_once('=') {
            Some((n, v)) => (n.trim(), v.trim().parse::<i64>().ok()),
            None => (l.trim(), None),
        };
        let v = val.unwrap_or(next);
        next = v + 1;
        out.insert(v as u16, name.to_string());
    }
    out
}

#[test]
fn every_uapi_rtm_type_is_named_with_its_fixed_header() {
    let Ok(text) = std::fs::read_to_string("/usr/include/linux/rtnetlink.h") else {
        eprintln!("SKIP: /usr/include/linux/rtnetlink.h missing (apt-get install linux-libc-dev)");
        return;
    };
    let mut types = uapi_rtm_types(&text);
    assert!(types.len() >= 70, "parsed only {} RTM_* types", types.len());
    // Linux 6.13 added these notifications; older headers (6.1) lack them.
    for (v, n) in [
        (56, "RTM_NEWMULTICAST"),
        (57, "RTM_DELMULTICAST"),
        (60, "RTM_NEWANYCAST"),
        (61, "RTM_DELANYCAST"),
    ] {
        types.entry(v).or_insert_with(|| n.to_string());
    }
    // One request per type with a 64-byte zeroed payload, so every header fits.
    let frames: Vec<Vec<u8>> = types
        .keys()
        .map(|ty| {
            let mut m = le_msg(*ty, 0x1, 1, 0);
            m.push(&[0u8; 64]);
            nl_frame(0, m)
        })
        .collect();
    let dir = TempDir::new("rtm-types");
    let path = dir.0.join("all.pcap");
    std::fs::write(&path, pcap_file(&frames)).unwrap();
    let msgs = json_msgs(&path, &[]);
    assert_eq!(msgs.len(), types.len());
    for (m, (ty, name)) in msgs.iter().zip(&types) {
        assert_eq!(m["type"].as_u64(), Some(u64::from(*ty)));
        assert_eq!(m["type_name"].as_str(), Some(name.as_str()), "type {ty}");
        let (hdr, len) = header_of(*ty)
            .unwrap_or_else(|| panic!("{name} ({ty}): no expected header in this test"));
        let first = &m["tree"][0];
        assert_eq!(first["name"].as_str(), Some(hdr), "{name}: header {first}");
        assert_eq!(first["length"].as_u64(), Some(len), "{name}: header length");
        assert_eq!(first["raw"], J::Bool(false), "{name}");
    }
}

fn tree_of(frames: &[Vec<u8>]) -> Vec<J> {
    let dir = TempDir::new("rtm-kinds");
    let path = dir.0.join("m.pcap");
    std::fs::write(&path, pcap_file(frames)).unwrap();
    json_msgs(&path, &[])
}

fn find<'a>(nodes: &'a J, name: &str) -> Option<&'a J> {
    all_json_nodes(nodes)
        .into_iter()
        .find(|n| n["name"] == name)
}

#[test]
fn nduseropt_options_then_attributes() {
    // nduseroptmsg: AF_INET6, opts_len 24 (one RDNSS option), ifindex 4, ICMPv6 134/0; the
    // options follow it, then the attributes.
    let mut p = vec![10u8, 0];
    p.extend(24u16.to_le_bytes());
    p.extend(4i32.to_le_bytes());
    p.extend([134, 0, 0, 0, 0, 0, 0, 0]);
    // RDNSS: type 25, 3 x 8 bytes, reserved, lifetime 600, 2001:db8::53
    p.extend([25, 3, 0, 0]);
    p.extend(600u32.to_be_bytes());
    p.extend([
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53,
    ]);
    // NDUSEROPT_SRCADDR fe80::1
    let mut src = [0u8; 16];
    src[0] = 0xfe;
    src[1] = 0x80;
    src[15] = 1;
    let frame = |hdr_and_opts: &[u8]| {
        let mut m = le_msg(68, 0, 0, 0);
        m.push(hdr_and_opts).attr(1, &src); // NDUSEROPT_SRCADDR
        nl_frame(0, m)
    };
    let msgs = tree_of(&[frame(&p)]);
    let t = &msgs[0]["tree"];
    assert_eq!(msgs[0]["type_name"], "RTM_NEWNDUSEROPT");
    let server = find(t, "server").expect("RDNSS server");
    assert_eq!(server["display"], "2001:db8::53");
    assert_eq!(find(t, "lifetime").unwrap()["display"], "600 s");
    assert_eq!(find(t, "NDUSEROPT_SRCADDR").unwrap()["display"], "fe80::1");
    assert!(all_json_nodes(t).iter().all(|n| n["raw"] == false), "{t}");
    assert_eq!(
        msgs[0]["summary"],
        "RTM_NEWNDUSEROPT rdnss 2001:db8::53 dev if4 from fe80::1"
    );
    // opts_len past the end: a warning, no panic, attributes not invented.
    let mut bad = p.clone();
    bad[2] = 200;
    let msgs = tree_of(&[frame(&bad)]);
    let opts = find(&msgs[0]["tree"], "nd options").unwrap();
    assert_eq!(opts["expert"]["severity"], "warning", "{opts}");
}

#[test]
fn cachereport_set_follows_the_family() {
    let mk = |family: u8, src: &[u8], dst: &[u8]| {
        let mut m = le_msg(96, 0, 0, 0);
        m.push(&[family, 0, 0, 0])
            .attr(1, &[1]) // NOCACHE
            .attr_u32(2, 0)
            .attr(3, src)
            .attr(4, dst);
        nl_frame(0, m)
    };
    let mut s6 = [0u8; 16];
    s6[0] = 0xfe;
    s6[1] = 0x80;
    s6[15] = 2;
    let mut d6 = [0u8; 16];
    d6[0] = 0xff;
    d6[1] = 0x0e;
    d6[15] = 0x23;
    let msgs = tree_of(&[mk(128, &[192, 0, 2, 1], &[239, 1, 2, 3]), mk(129, &s6, &d6)]);
    let v4 = &msgs[0]["tree"];
    assert_eq!(
        find(v4, "IPMRA_CREPORT_MSGTYPE").unwrap()["display"],
        "IGMPMSG_NOCACHE (1)"
    );
    assert_eq!(
        find(v4, "IPMRA_CREPORT_DST_ADDR").unwrap()["display"],
        "239.1.2.3"
    );
    let v6 = &msgs[1]["tree"];
    assert_eq!(
        find(v6, "IP6MRA_CREPORT_MSGTYPE").unwrap()["display"],
        "MRT6MSG_NOCACHE (1)"
    );
    assert_eq!(find(v6, "IP6MRA_CREPORT_MIF_ID").unwrap()["value"], 0);
    assert_eq!(
        find(v6, "IP6MRA_CREPORT_SRC_ADDR").unwrap()["display"],
        "fe80::2"
    );
    assert_eq!(
        msgs[1]["summary"],
        "RTM_NEWCACHEREPORT nocache (fe80::2, ff0e::23) mif 0"
    );
}

#[test]
fn getstats_request_and_newstats_reply_use_their_own_sets() {
    // RTM_GETSTATS with IFLA_STATS_GET_FILTERS { IFLA_STATS_LINK_XSTATS: mask 2 }
    let mut m = le_msg(94, 0x1, 1, 0);
    m.push(&[0u8; 12]);
    let filters = m.begin_nest_noflag(1);
    m.attr_u32(2, 2);
    m.end_nest(filters);
    let msgs = tree_of(&[nl_frame(0, m)]);
    let t = &msgs[0]["tree"];
    assert!(find(t, "IFLA_STATS_GET_FILTERS").is_some(), "{t}");
    assert_eq!(find(t, "IFLA_STATS_LINK_XSTATS").unwrap()["value"], 2);
}

#[test]
fn netkit_link_info_data() {
    // RTM_NEWLINK: ifinfomsg, IFLA_IFNAME "nk0", IFLA_LINKINFO { IFLA_INFO_KIND "netkit",
    // IFLA_INFO_DATA { IFLA_NETKIT_MODE l3, IFLA_NETKIT_POLICY drop, IFLA_NETKIT_HEADROOM 64 } }
    let mut m = le_msg(16, 0, 0, 0);
    m.push(&[0u8; 16]).attr_str(3, "nk0");
    let li = m.begin_nest_noflag(18);
    m.attr_str(1, "netkit");
    let data = m.begin_nest_noflag(2);
    m.attr_u32(5, 1).attr_u32(3, 2).attr_u16(8, 64);
    m.end_nest(data);
    m.end_nest(li);
    let msgs = tree_of(&[nl_frame(0, m)]);
    let t = &msgs[0]["tree"];
    assert_eq!(
        find(t, "IFLA_NETKIT_MODE").unwrap()["display"],
        "NETKIT_L3 (1)"
    );
    assert_eq!(
        find(t, "IFLA_NETKIT_POLICY").unwrap()["display"],
        "NETKIT_DROP (2)"
    );
    assert_eq!(find(t, "IFLA_NETKIT_HEADROOM").unwrap()["value"], 64);
    assert!(all_json_nodes(t).iter().all(|n| n["raw"] == false), "{t}");
}
