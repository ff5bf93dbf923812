//! Protocols without a spec: a custom protocol number and kobject uevents.

use nlscope::model::Severity;

use super::common::*;

#[test]
fn unknown_protocol_decodes_header_and_attributes() {
    // Protocol 31: a 4-byte fixed header, then a u32, a string and a nest of two u16s.
    let mut m = le_msg(0x20, 0x1, 9, 4242);
    m.push(&[0x11, 0x22, 0x33, 0x44])
        .attr_u32(1, 42)
        .attr_str(2, "hello");
    let nest = m.begin_nest(3);
    m.attr_u16(1, 7).attr_u16(2, 8);
    m.end_nest(nest);
    let f = nl_frame(31, m);
    let file = pcap_file(std::slice::from_ref(&f));
    let tmp = TempDir::new("custom");
    let p = tmp.path("custom.pcap");
    std::fs::write(&p, &file).unwrap();

    let msgs = json_msgs(&p, &[]);
    assert_eq!(msgs.len(), 1);
    let m = &msgs[0];
    assert_eq!(m["protocol"], 31);
    assert_eq!(
        (
            m["len"].as_u64(),
            m["type"].as_u64(),
            m["seq"].as_u64(),
            m["pid"].as_u64()
        ),
        (Some(f.len() as u64 - 16), Some(0x20), Some(9), Some(4242))
    );
    let nodes = all_json_nodes(&m["tree"]);
    for n in &nodes {
        assert!(
            n["expert"].is_null() || n["expert"]["severity"] != "error",
            "{n}"
        );
    }
    // Every byte after the nlmsghdr is covered by the top-level nodes, in order.
    let top = m["tree"].as_array().unwrap();
    assert!(top.len() >= 4, "{top:?}");
    let mut pos = 32;
    for n in top {
        assert_eq!(n["offset"].as_u64().unwrap(), pos, "{n}");
        pos += (n["length"].as_u64().unwrap() + 3) & !3;
    }
    assert_eq!(pos as usize, f.len());
    // The attributes are found at the right places (header at 36, 44, 56).
    for off in [36u64, 44, 56] {
        assert!(
            top.iter().any(|n| n["offset"] == off),
            "no node at {off}: {top:?}"
        );
    }
    // The nest's two children are walked.
    let nest = top.iter().find(|n| n["offset"] == 56).unwrap();
    assert_eq!(nest["children"].as_array().map(Vec::len), Some(2), "{nest}");

    // In-process: no Error notes either.
    let (frames, _) = read_frames(&file);
    for d in dissect_all(
        &frames,
        nlscope::dissect::specs::SpecRegistry::with_embedded(),
    ) {
        assert!(all_nodes(&d.nodes).iter().all(|n| {
            n.expert
                .as_ref()
                .is_none_or(|e| e.severity < Severity::Error)
        }));
    }
}

#[test]
fn uevents_are_messages_with_a_field_per_property() {
    let mut f = cooked(15);
    f.extend_from_slice(b"add@/devices/virtual/net/dummy1\0ACTION=add\0DEVPATH=/devices/virtual/net/dummy1\0SUBSYSTEM=net\0INTERFACE=dummy1\0IFINDEX=9\0SEQNUM=1234\0");
    let mut g = cooked(15);
    g.extend_from_slice(&[0xff, 0x00, 0x10, 0x00, 0x00]); // binary junk
    // udevd's re-broadcast: "libudev\0", magic (big-endian), header size, properties offset
    // and length (host order), four filter words.
    let props = b"ACTION=remove\0DEVPATH=/devices/virtual/net/dummy1\0SUBSYSTEM=net\0ID_NET_DRIVER=dummy\0SEQNUM=1240\0";
    let mut h = cooked(15);
    h.extend_from_slice(b"libudev\0");
    h.extend_from_slice(&0xfeed_cafe_u32.to_be_bytes());
    for v in [40u32, 40, props.len() as u32] {
        h.extend_from_slice(&v.to_le_bytes());
    }
    h.extend_from_slice(&[0; 16]);
    h.extend_from_slice(props);
    let file = pcap_file(&[f, g, h]);
    let tmp = TempDir::new("uevent");
    let path = tmp.path("uevent.pcap");
    std::fs::write(&path, &file).unwrap();
    let p = path.to_str().unwrap();
    let out = run_ok(&["read", "-r", p]);
    assert_eq!(out.lines().count(), 3, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].ends_with("uevent KERNEL add /devices/virtual/net/dummy1 (net) seqnum 1234"),
        "{out}"
    );
    assert!(
        lines[2].ends_with("uevent UDEV remove /devices/virtual/net/dummy1 (net) seqnum 1240"),
        "{out}"
    );
    // Filterable by property, typed where the kernel writes numbers.
    let out = run_ok(&[
        "read",
        "-r",
        p,
        "-Y",
        "uevent.ifindex == 9 && uevent.subsystem == \"net\"",
    ]);
    assert_eq!(out.lines().count(), 1, "{out}");
    let out = run_ok(&[
        "read",
        "-r",
        p,
        "-Y",
        "uevent.property contains \"ID_NET_DRIVER=dummy\"",
    ]);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("UDEV remove"), "{out}");
    // Present in JSON with byte ranges.
    let msgs = json_msgs(&path, &[]);
    let seq = all_json_nodes(&msgs[0]["tree"])
        .into_iter()
        .find(|n| n["field"] == "uevent.seqnum")
        .expect("SEQNUM node");
    assert_eq!(seq["value"], 1234);
    assert_eq!(seq["offset"].as_u64(), Some(16 + 120));
    let tree = run_ok(&["read", "-r", p, "-T", "tree"]);
    assert!(tree.contains("magic: 0xfeedcafe"), "{tree}");
    assert!(tree.contains("ID_NET_DRIVER: dummy"), "{tree}");
    for fmt in ["json", "ndjson", "csv"] {
        run_ok(&["read", "-r", p, "-T", fmt]);
    }
    let (frames, _) = read_frames(&file);
    let _ = dissect_all(
        &frames,
        nlscope::dissect::specs::SpecRegistry::with_embedded(),
    );
}

/// `--decode-as PROTO=SPEC`: a user's spec decodes a module's own protocol number.
#[test]
fn decode_as_picks_a_users_spec_for_a_protocol() {
    let mut req = le_msg(0x10, 0x5, 1, 777);
    req.attr_u32(1, 42);
    let mut reply = le_msg(0x11, 0, 1, 777);
    reply.attr_u32(1, 42).attr_str(2, "widget");
    let nest = reply.begin_nest(3);
    reply.attr(1, &9u64.to_le_bytes()).attr_u32(2, 0b101);
    reply.end_nest(nest);
    let file = pcap_file(&[nl_frame(17, req), nl_frame(17, reply)]);
    let tmp = TempDir::new("decode-as");
    let p = tmp.path("proto17.pcap");
    std::fs::write(&p, &file).unwrap();
    let p = p.to_str().unwrap();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/usersock");
    // Without it: protocol 17 has no spec, the types are numbers.
    let plain = run_ok(&["read", "-r", p, "--spec-dir", dir]);
    assert!(!plain.contains("DEMO_MSG_GET"), "{plain}");
    let tree = run_ok(&[
        "read",
        "-r",
        p,
        "--spec-dir",
        dir,
        "--decode-as",
        "17=nlscope-demo",
        "-T",
        "tree",
    ]);
    assert!(tree.contains("DEMO_MSG_GET"), "{tree}");
    assert!(tree.contains("DEMO_MSG_NEW"), "{tree}");
    assert!(tree.contains("DEMO_A_NAME: \"widget\""), "{tree}");
    assert!(
        tree.contains("DEMO_INFO_FLAGS: DEMO_FLAG_UP|DEMO_FLAG_DIRTY (0x5)"),
        "{tree}"
    );
    let hit = run_ok(&[
        "read",
        "-r",
        p,
        "--spec-dir",
        dir,
        "--decode-as",
        "17=nlscope-demo",
        "-Y",
        "nlscope-demo.info.count == 9",
    ]);
    assert_eq!(hit.lines().count(), 1, "{hit}");
    // Unknown specs, generic netlink and bad protocols are usage errors.
    for bad in ["17=nope", "generic=nlscope-demo", "40=nlscope-demo", "17"] {
        let out = run(&["read", "-r", p, "--spec-dir", dir, "--decode-as", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}: {out:?}");
    }
}

/// The README's example: a real two-process NETLINK_USERSOCK conversation (recorded on nlmon
/// in the VM) decodes with the example spec, by its protonum or by --decode-as.
#[test]
fn usersock_example_capture_decodes_with_the_example_spec() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/usersock");
    let cap = format!("{dir}/usersock.pcap");
    let plain = run_ok(&["read", "-r", &cap]);
    assert!(plain.contains("type 16 request"), "{plain}");
    for extra in [&[][..], &["--decode-as", "usersock=nlscope-demo"][..]] {
        let mut args = vec!["--spec-dir", dir, "read", "-r", &cap];
        args.extend_from_slice(extra);
        let out = run_ok(&args);
        for want in [
            "DEMO_MSG_GET request",
            "DEMO_MSG_NEW",
            "ACK for DEMO_MSG_GET",
            "DEMO_MSG_NOTIFY",
        ] {
            assert!(out.contains(want), "{want:?} not in\n{out}");
        }
        args.push("--coverage");
        let cov = run_ok(&args);
        let total = cov.lines().find(|l| l.starts_with("total")).unwrap();
        assert_eq!(total.split_whitespace().nth(3), Some("0"), "{cov}");
    }
}
