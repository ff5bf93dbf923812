//! Dissector tests: indexing, names in context, errors, learning, malformed input.

use super::*;
use crate::netlink::{nla, nlmsg};

const LE: crate::model::Endian = crate::model::Endian::Little;
use crate::dissect::specs::{SpecSource, load_spec};
use crate::model::{Node, Severity, Value};

/// A LINKTYPE_NETLINK frame: cooked header for `proto`, then `msgs`.
pub(crate) fn frame(proto: u16, msgs: &[Vec<u8>]) -> Vec<u8> {
    let mut f = vec![0, 4, 0x03, 0x38, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    f.extend_from_slice(&proto.to_be_bytes());
    for m in msgs {
        f.extend_from_slice(m);
        while f.len() % 4 != 0 {
            f.push(0);
        }
    }
    f
}

fn all(nodes: &[Node]) -> Vec<&Node> {
    let mut v = Vec::new();
    for n in nodes {
        n.walk(&mut |x| v.push(x));
    }
    v
}

fn dis() -> Dissector {
    let reg = SpecRegistry::with_embedded();
    assert!(
        reg.errors().is_empty(),
        "embedded specs: {:?}",
        reg.errors()
    );
    Dissector::new(reg)
}

#[test]
fn flags_are_named_in_context() {
    let mut d = dis();
    let ifinfo = [0u8; 16];
    let f = frame(
        0,
        &[
            nlmsg(LE, 18, 0x301, 1, 0, &ifinfo), // RTM_GETLINK dump
            nlmsg(LE, 16, 0x605, 2, 0, &ifinfo), // RTM_NEWLINK create|excl|ack
            nlmsg(LE, 17, 0x105, 3, 0, &ifinfo), // RTM_DELLINK nonrec
        ],
    );
    let fi = d.index_frame(&f, 253, Endian::Little);
    assert_eq!(fi.msgs.len(), 3);
    let names: Vec<(String, Vec<&str>)> = fi
        .msgs
        .iter()
        .map(|m| {
            let v = d.view(&f, m);
            (v.type_name(), v.flag_names().0)
        })
        .collect();
    assert_eq!(names[0].0, "RTM_GETLINK");
    assert_eq!(names[0].1, vec!["NLM_F_REQUEST", "NLM_F_DUMP"]);
    assert_eq!(names[1].0, "RTM_NEWLINK");
    assert_eq!(
        names[1].1,
        vec!["NLM_F_REQUEST", "NLM_F_ACK", "NLM_F_EXCL", "NLM_F_CREATE"]
    );
    assert_eq!(
        names[2].1,
        vec!["NLM_F_REQUEST", "NLM_F_ACK", "NLM_F_NONREC"]
    );
    assert!(fi.msgs.iter().all(|m| m.direction == Direction::ToKernel));
}

#[test]
fn error_ack_names_errno_echoed_request_and_extack_offset() {
    let mut d = dis();
    // The request: RTM_NEWLINK with ifinfomsg and IFLA_IFNAME "veth0" (type 3).
    let mut payload = vec![0u8; 16];
    payload.extend(nla(LE, 3, b"veth0\0"));
    let req = nlmsg(LE, 16, 0x405, 7, 0, &payload);
    // The error: -22 EINVAL, echoed request (not capped), extack MSG + OFFS -> the attr.
    let mut ep = (-22i32).to_le_bytes().to_vec();
    ep.extend_from_slice(&req);
    ep.extend(nla(LE, 1, b"bad name\0"));
    ep.extend(nla(LE, 2, &32u32.to_le_bytes())); // 16 hdr + 16 ifinfomsg = IFLA_IFNAME
    let e = nlmsg(LE, 2, 0x200, 7, 99, &ep);
    let f = frame(0, &[e]);
    let fi = d.index_frame(&f, 253, Endian::Little);
    let v = d.view(&f, &fi.msgs[0]);
    assert_eq!(v.summary(), "error -22 EINVAL for RTM_NEWLINK: bad name");
    assert_eq!(fi.msgs[0].direction, Direction::FromKernel);
    assert_eq!(v.flag_names().0, vec!["NLM_F_ACK_TLVS"]);
    let tree = v.tree();
    let nodes = all(&tree);
    let err = nodes.iter().find(|n| n.field == "nlmsg.error").unwrap();
    assert_eq!(err.display_text(), "-22 EINVAL");
    let ifname = nodes.iter().find(|n| n.field == "rt-link.ifname").unwrap();
    assert_eq!(ifname.value, Value::Str("veth0".into()));
    // 16 cooked + 16 nlmsghdr + 4 errno + 16 echoed hdr + 16 ifinfomsg
    assert_eq!((ifname.offset, ifname.length), (68, 10));
    let offs = nodes.iter().find(|n| n.field == "nlmsgerr.offs").unwrap();
    assert!(
        offs.display_text().contains("IFLA_IFNAME"),
        "{}",
        offs.display_text()
    );
    assert!(nodes.iter().all(|n| n.expert.is_none()));
}

#[test]
fn missing_attribute_is_named_in_its_nest() {
    let mut d = dis();
    let mut payload = vec![0u8; 16];
    payload.extend(nla(LE, 0x8000 | 18, &nla(LE, 1, b"vlan\0"))); // IFLA_LINKINFO { IFLA_INFO_KIND }
    let req = nlmsg(LE, 16, 0x405, 3, 0, &payload);
    let mut ep = (-22i32).to_le_bytes().to_vec();
    ep.extend_from_slice(&req);
    ep.extend(nla(LE, 5, &2u32.to_le_bytes())); // MISS_TYPE: IFLA_INFO_DATA
    ep.extend(nla(LE, 6, &32u32.to_le_bytes())); // MISS_NEST: the IFLA_LINKINFO nest
    let f = frame(0, &[nlmsg(LE, 2, 0x200, 3, 9, &ep)]);
    let fi = d.index_frame(&f, 253, Endian::Little);
    let tree = d.view(&f, &fi.msgs[0]).tree();
    let nodes = all(&tree);
    let nest = nodes
        .iter()
        .find(|n| n.field == "nlmsgerr.miss-nest")
        .unwrap();
    assert!(
        nest.display_text().contains("IFLA_LINKINFO"),
        "{}",
        nest.display_text()
    );
    let miss = nodes
        .iter()
        .find(|n| n.field == "nlmsgerr.miss-type")
        .unwrap();
    assert_eq!(miss.display_text(), "IFLA_INFO_DATA (2) missing");
}

#[test]
fn fdb_dump_requests_are_read_as_the_kernel_reads_them() {
    let mut d = dis();
    // Legacy `bridge fdb show`: ifinfomsg (AF_BRIDGE) + IFLA_MASTER 6.
    let mut legacy = vec![0u8; 16];
    legacy[0] = 7;
    legacy.extend(nla(LE, 10, &6u32.to_le_bytes()));
    // Current: ndmsg + NDA_MASTER 6.
    let mut current = vec![0u8; 12];
    current[0] = 7;
    current.extend(nla(LE, 9, &6u32.to_le_bytes()));
    let f = frame(
        0,
        &[
            nlmsg(LE, 30, 0x301, 1, 0, &legacy),
            nlmsg(LE, 30, 0x301, 2, 0, &current),
        ],
    );
    let fi = d.index_frame(&f, 253, Endian::Little);
    let t0 = d.view(&f, &fi.msgs[0]).tree();
    assert_eq!(t0[0].name, "ifinfomsg");
    assert!(
        all(&t0)
            .iter()
            .any(|n| n.field == "rt-link.master" && n.value == Value::Uint(6))
    );
    let t1 = d.view(&f, &fi.msgs[1]).tree();
    assert_eq!(t1[0].name, "ndmsg");
    assert!(
        all(&t1)
            .iter()
            .any(|n| n.name == "NDA_MASTER" && n.value == Value::Uint(6))
    );
    assert!(
        all(&t0)
            .iter()
            .chain(all(&t1).iter())
            .all(|n| !n.raw && n.expert.is_none())
    );
}

#[test]
fn capped_ack_finds_the_request_seen_earlier() {
    let mut d = dis();
    let mut payload = vec![0u8; 16];
    payload.extend(nla(LE, 4, &9000u32.to_le_bytes())); // IFLA_MTU
    let req = nlmsg(LE, 16, 0x5, 9, 0, &payload);
    let mut ep = (-34i32).to_le_bytes().to_vec();
    ep.extend_from_slice(&req[..16]);
    ep.extend(nla(LE, 2, &32u32.to_le_bytes()));
    let e = nlmsg(LE, 2, 0x300, 9, 5, &ep);
    let f1 = frame(0, &[req]);
    let f2 = frame(0, &[e]);
    d.index_frame(&f1, 253, Endian::Little);
    let fi = d.index_frame(&f2, 253, Endian::Little);
    let tree = d.view(&f2, &fi.msgs[0]).tree();
    let offs = all(&tree)
        .into_iter()
        .find(|n| n.field == "nlmsgerr.offs")
        .unwrap();
    assert!(
        offs.display_text().contains("IFLA_MTU"),
        "{}",
        offs.display_text()
    );
}

#[test]
fn malformed_attribute_becomes_expert_with_range() {
    let mut d = dis();
    let mut payload = vec![0u8; 16];
    payload.extend_from_slice(&[9, 0, 3, 0]); // claims 9 bytes, 4 left
    let f = frame(0, &[nlmsg(LE, 16, 0, 0, 0, &payload)]);
    let fi = d.index_frame(&f, 253, Endian::Little);
    let tree = d.view(&f, &fi.msgs[0]).tree();
    let ex = all(&tree)
        .into_iter()
        .find(|n| {
            n.expert
                .as_ref()
                .is_some_and(|e| e.severity == Severity::Error)
        })
        .unwrap();
    assert_eq!(
        ex.expert.as_ref().unwrap().text,
        "attribute length 9 exceeds the 4 bytes left"
    );
    assert_eq!((ex.offset, ex.length), (48, 4));
}

#[test]
fn bad_message_lengths_are_reported_not_fatal() {
    let mut d = dis();
    for len in [0u32, 3, 0xffff, 0xffff_ffff] {
        let mut m = nlmsg(LE, 16, 0, 0, 0, &[0u8; 16]);
        m[..4].copy_from_slice(&len.to_le_bytes());
        let f = frame(0, &[m]);
        let fi = d.index_frame(&f, 253, Endian::Little);
        assert!(fi.problem.is_some(), "len {len}");
        for m in &fi.msgs {
            let v = d.view(&f, m);
            let _ = v.tree();
            let h = v.header_node();
            assert!(h.children[0].expert.is_some(), "len {len}");
        }
    }
}

#[test]
fn deep_nesting_is_bounded() {
    let mut d = dis();
    // 4000 NLA_F_NESTED levels inside an unknown attribute of rt-link and of protocol 31.
    let mut inner = nla(LE, 1, &[1, 2, 3, 4]);
    for _ in 0..4000 {
        let mut a = Vec::new();
        let len = 4 + inner.len();
        if len > 0xffff {
            break;
        }
        a.extend_from_slice(&(len as u16).to_le_bytes());
        a.extend_from_slice(&(0x8000u16 | 60).to_le_bytes());
        a.extend_from_slice(&inner);
        inner = a;
    }
    for proto in [0u16, 31] {
        let mut payload = vec![0u8; 16];
        payload.extend_from_slice(&inner);
        let f = frame(proto, &[nlmsg(LE, 16, 0, 0, 0, &payload)]);
        let fi = d.index_frame(&f, 253, Endian::Little);
        let tree = d.view(&f, &fi.msgs[0]).tree();
        let mut depth = 0;
        fn max_depth(n: &[Node], d: usize, m: &mut usize) {
            for x in n {
                *m = (*m).max(d);
                max_depth(&x.children, d + 1, m);
            }
        }
        max_depth(&tree, 0, &mut depth);
        assert!(depth <= attrs::MAX_DEPTH + 2, "depth {depth}");
    }
}

#[test]
fn big_endian_frames_decode() {
    let mut d = dis();
    let mut m = Vec::new();
    let mut payload = vec![0u8; 16];
    payload[4..8].copy_from_slice(&3u32.to_be_bytes()); // ifi_index
    let mut a = Vec::new();
    a.extend_from_slice(&10u16.to_be_bytes());
    a.extend_from_slice(&3u16.to_be_bytes());
    a.extend_from_slice(b"veth0\0\0\0");
    payload.extend(a);
    m.extend_from_slice(&(16 + payload.len() as u32).to_be_bytes());
    m.extend_from_slice(&16u16.to_be_bytes());
    m.extend_from_slice(&0u16.to_be_bytes());
    m.extend_from_slice(&1u32.to_be_bytes());
    m.extend_from_slice(&0u32.to_be_bytes());
    m.extend(payload);
    let f = frame(0, &[m]);
    let fi = d.index_frame(&f, 253, Endian::Big);
    assert_eq!(fi.msgs[0].ty, 16);
    let tree = d.view(&f, &fi.msgs[0]).tree();
    let nodes = all(&tree);
    assert!(
        nodes
            .iter()
            .any(|n| n.field == "rt-link.ifname" && n.value == Value::Str("veth0".into()))
    );
    assert!(
        nodes
            .iter()
            .any(|n| n.field == "rt-link.ifinfomsg.ifi-index" && n.display_text() == "3")
    );
    // Read as little-endian by mistake, nlmsg_len does not fit: the order is corrected.
    let fi = d.index_frame(&f, 253, Endian::Little);
    assert!(fi.swapped);
    assert_eq!(fi.msgs[0].endian, Endian::Big);
}

#[test]
fn custom_protocol_from_a_spec_and_heuristic_without() {
    let spec = r#"
name: mymod
protocol: netlink-raw
protonum: 31
definitions:
  - name: myhdr
    type: struct
    members:
      - name: version
        type: u32
attribute-sets:
  - name: my-attrs
    name-prefix: my-attr-
    attributes:
      - name: greeting
        type: string
      - name: count
        type: u32
operations:
  enum-model: directional
  fixed-header: myhdr
  list:
    - name: hello
      attribute-set: my-attrs
      do:
        request:
          value: 17
          attributes: [greeting, count]
"#;
    let mut payload = 1u32.to_le_bytes().to_vec();
    payload.extend(nla(LE, 1, b"hi\0"));
    payload.extend(nla(LE, 2, &5u32.to_le_bytes()));
    let f = frame(31, &[nlmsg(LE, 17, 1, 0, 0, &payload)]);
    // Without the spec: header + TLVs found after a 4-byte fixed header, all raw.
    let mut d = dis();
    let fi = d.index_frame(&f, 253, Endian::Little);
    let tree = d.view(&f, &fi.msgs[0]).tree();
    assert_eq!(tree.len(), 3, "{tree:#?}");
    assert!(all(&tree).iter().all(|n| n.raw && n.expert.is_none()));
    assert_eq!(tree[1].display_text(), "\"hi\"");
    // With it: named and typed.
    let mut reg = SpecRegistry::with_embedded();
    reg.insert(load_spec(spec, SpecSource::Embedded("test".into())).unwrap());
    let mut d = Dissector::new(reg);
    let fi = d.index_frame(&f, 253, Endian::Little);
    let v = d.view(&f, &fi.msgs[0]);
    assert_eq!(v.family_name(), "mymod");
    assert_eq!(v.type_name(), "MYMOD_CMD_HELLO");
    let tree = v.tree();
    let nodes = all(&tree);
    assert!(
        nodes
            .iter()
            .any(|n| n.name == "MY_ATTR_GREETING" && n.value == Value::Str("hi".into()))
    );
    assert!(
        nodes
            .iter()
            .any(|n| n.field == "mymod.count" && n.value == Value::Uint(5))
    );
    assert!(nodes.iter().all(|n| !n.raw));
}

#[test]
fn genl_ids_are_learned_from_nlctrl_and_comments() {
    let mut d = dis();
    let mut p = vec![1u8, 2, 0, 0]; // CTRL_CMD_NEWFAMILY
    p.extend(nla(LE, 2, b"ethtool\0"));
    p.extend(nla(LE, 1, &20u16.to_le_bytes()));
    let f = frame(16, &[nlmsg(LE, 0x10, 0, 1, 5, &p)]);
    d.index_frame(&f, 253, Endian::Little);
    assert_eq!(d.genl_family(20), Some("ethtool"));
    d.learn_from_comment("genl-families: 21=nl80211 0x16=devlink");
    assert_eq!(d.genl_family(21), Some("nl80211"));
    assert_eq!(d.genl_family(22), Some("devlink"));
    assert!(d.genl_comment().contains("20=ethtool"));
}

#[test]
fn a_learned_family_without_a_spec_roots_its_fields_apart_from_spec_fields() {
    // A capture comment names id 16 with a dot, as no kernel family is named: its fields must
    // not read as nl80211's `wiphy` (a filter's tree and the whole tree disagreed: fuzzing).
    let mut d = dis();
    d.learn_from_comment("genl-families: 16=nl80211.wiphy");
    let mut p = vec![1u8, 2, 0, 0];
    p.extend(nla(LE, 2, b"fou\0"));
    p.extend(&[0u8, 5, 4, 0]); // an attribute longer than what is left: an expert
    let f = frame(16, &[nlmsg(LE, 16, 0, 1, 5, &p)]);
    let fi = d.index_frame(&f, 253, Endian::Little);
    let v = d.view(&f, &fi.msgs[0]);
    let tree = v.tree();
    let fields: Vec<&str> = all(&tree).iter().map(|n| &*n.field).collect();
    assert!(fields.contains(&"nl80211_wiphy.2"), "{fields:?}");
    assert!(
        !fields.iter().any(|f| f.starts_with("nl80211.")),
        "{fields:?}"
    );
    let want = crate::dissect::attrs::Want::new(["nl80211.wiphy"]);
    assert!(
        all(&v.tree_for(Some(&want)))
            .iter()
            .all(|n| n.field != "nl80211.wiphy")
    );
    // A name whose root is a spec's (`RT-LINK` -> rt-link) is kept apart from it.
    d.learn_from_comment("genl-families: 16=RT-LINK");
    let fi = d.index_frame(&f, 253, Endian::Little);
    let tree = d.view(&f, &fi.msgs[0]).tree();
    let fields: Vec<&str> = all(&tree).iter().map(|n| &*n.field).collect();
    assert!(fields.contains(&"genl-rt-link.2"), "{fields:?}");
}

#[test]
fn a_learned_genl_id_renames_messages_resolved_before() {
    let mut d = dis();
    // A generic netlink message of id 20 (command 1, no attributes), twice in a row: the
    // second resolution comes from the last one handed out.
    let f = frame(16, &[nlmsg(LE, 20, 1, 1, 5, &[1u8, 1, 0, 0])]);
    let fi = d.index_frame(&f, 253, Endian::Little);
    let before = d.view(&f, &fi.msgs[0]).type_name();
    assert_eq!(d.view(&f, &fi.msgs[0]).type_name(), before);
    d.learn_genl(20, "ethtool");
    assert_ne!(before, "ETHTOOL_MSG_STRSET_GET");
    assert_eq!(
        d.view(&f, &fi.msgs[0]).type_name(),
        "ETHTOOL_MSG_STRSET_GET"
    );
}

#[test]
fn non_netlink_link_types_and_short_frames() {
    let mut d = dis();
    assert!(d.index_frame(&[0; 40], 1, Endian::Little).problem.is_some());
    assert!(
        d.index_frame(&[0; 10], 253, Endian::Little)
            .problem
            .is_some()
    );
    let mut sll2 = vec![0u8; 20];
    sll2[8..10].copy_from_slice(&824u16.to_be_bytes());
    sll2.extend(nlmsg(LE, 3, 2, 1, 1, &0u32.to_le_bytes()));
    let fi = d.index_frame(&sll2, 276, Endian::Little);
    assert_eq!(fi.msgs.len(), 1);
    assert_eq!(d.view(&sll2, &fi.msgs[0]).type_name(), "NLMSG_DONE");
}

#[test]
fn a_zero_ifi_type_is_unspecified_in_a_request_and_netrom_in_a_reply() {
    let mut d = dis();
    // RTM_GETLINK dump request, ifinfomsg all zeros; then a kernel RTM_NEWLINK with type 0.
    let req = nlmsg(LE, 18, 0x301, 1, 0, &[0u8; 16]);
    let rep = nlmsg(LE, 16, 0x2, 1, 77, &[0u8; 16]);
    let f = frame(0, &[req, rep]);
    let fi = d.index_frame(&f, 253, Endian::Little);
    let ty = |i: usize| {
        let tree = d.view(&f, &fi.msgs[i]).tree();
        let n = all(&tree)
            .into_iter()
            .find(|n| n.field == "rt-link.ifinfomsg.ifi-type")
            .cloned()
            .unwrap();
        (n.display_text().into_owned(), n.value)
    };
    let (disp, val) = ty(0);
    assert_eq!(disp, "unspecified (0)");
    assert!(matches!(val, Value::Enum { value: 0, .. }));
    assert_eq!(ty(1).0, "ARPHRD_NETROM (0)");
}

/// IFLA_IFNAME's number and the nftables numbers are read from their specs when a message
/// needs them: indexing other families loads neither spec.
#[test]
fn numbers_from_specs_are_read_when_needed() {
    let reg = SpecRegistry::with_embedded();
    let mut d = Dissector::new(reg.clone());
    let ctrl = frame(16, &[nlmsg(LE, 0x10, 0x5, 1, 0, &[3, 1, 0, 0])]);
    d.index_frame(&ctrl, 253, LE);
    assert!(!reg.is_loaded("rt-link") && !reg.is_loaded("nftables"));
    let mut ifinfo = vec![0u8; 16];
    ifinfo[4..8].copy_from_slice(&7i32.to_le_bytes());
    ifinfo.extend(nla(LE, 3, b"veth0\0"));
    let mut link = frame(0, &[nlmsg(LE, 16, 0, 1, 0, &ifinfo)]);
    link[1] = 0; // PACKET_HOST: from the kernel
    d.index_frame(&link, 253, LE);
    assert_eq!(d.link_name(7), Some("veth0"));
    assert!(reg.is_loaded("rt-link") && !reg.is_loaded("nftables"));
    // An indexer seeded from it reads what it read, and what it did not when needed.
    let mut ix = Dissector::indexer(d.index_seed());
    link[16 + 16 + 4] = 9; // ifinfomsg index 9
    ix.index_frame(&link, 253, LE);
    assert_eq!(ix.link_name(9), Some("veth0"));
    assert!(d.learns_links_as(&ix));
}

/// `f` for up to `per_kind` messages of each kind (protocol, type) of every repository and
/// shared capture, viewed by a dissector that has read the capture up to them (trees in a
/// debug build are slow: a few of each kind per file): the file, the view, the frame's length.
pub(crate) fn each_capture_message(
    per_kind: usize,
    f: &mut dyn FnMut(&std::path::Path, &MessageView, usize),
) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in [root.join("captures"), root.join("../shared/captures")] {
        let Ok(rd) = std::fs::read_dir(dir) else {
            continue;
        };
        files.extend(rd.filter_map(|e| e.ok().map(|e| e.path())));
    }
    files.retain(|p| p.extension().is_some_and(|e| e == "pcap" || e == "pcapng"));
    files.sort();
    let specs = SpecRegistry::with_embedded();
    for file in &files {
        let Ok(r) = crate::pcap::Reader::new(std::fs::File::open(file).unwrap()) else {
            continue;
        };
        let mut d = Dissector::new(specs.clone());
        let mut kinds: HashMap<(u32, u16), usize> = HashMap::new();
        for frame in r.map_while(Result::ok) {
            let e = match frame.byte_order {
                crate::pcap::ByteOrder::Little => Endian::Little,
                crate::pcap::ByteOrder::Big => Endian::Big,
            };
            for c in &frame.comments {
                d.learn_from_comment(c);
            }
            let fi = d.index_frame(&frame.data, frame.linktype, e);
            for m in &fi.msgs {
                let seen = kinds.entry((m.protocol, m.ty)).or_default();
                *seen += 1;
                if *seen <= per_kind {
                    f(file, &d.view(&frame.data, m), frame.data.len());
                }
            }
        }
    }
}
