//! The classic protocols nlmon does not tap, recorded through strace and the multicast
//! monitor: audit (auditctl), the process connector (our monitor, forkstat) and kobject
//! uevents, checked against what the tools printed.

use super::common::*;

#[test]
fn audit_rules_and_status_read_like_auditctl() {
    let cap = local("audit.pcap");
    assert_decoded(true, &cap);
    let got = summaries(&cap);
    let cmds = std::fs::read_to_string(local("audit.cmds.txt")).unwrap();
    // Every rule `auditctl -l` printed is the summary of a listed rule.
    let mut cmd = "";
    let mut rules = 0;
    for line in cmds.lines() {
        if let Some(c) = line.strip_prefix("$ ") {
            cmd = c;
            continue;
        }
        if cmd == "auditctl -l" && line.starts_with('-') {
            let want = format!("AUDIT_LIST_RULES {line}");
            assert!(
                got.contains(&want),
                "auditctl -l printed {line:?}:\n{}",
                got.join("\n")
            );
            rules += 1;
        }
    }
    assert!(rules >= 5, "{rules} rules compared");
    // Each rule auditctl added or deleted is its request's summary.
    for c in cmds
        .lines()
        .filter_map(|l| l.strip_prefix("$ auditctl -a "))
    {
        let want = format!("AUDIT_ADD_RULE -a {c}");
        assert!(got.contains(&want), "{want:?} missing:\n{}", got.join("\n"));
    }
    assert!(got.contains(&"AUDIT_ADD_RULE -w /etc/hostname -p wa -k nlscope-pre2".to_string()));
    // `auditctl -s`'s status, `-e 1` as the one field it sets, `-m` as its text's fields.
    let status = "AUDIT_GET enabled 0 failure 1 pid 0 rate_limit 0 backlog_limit 64 lost 0 backlog 0 backlog_wait_time 15000";
    assert!(got.iter().any(|s| s == status), "{got:?}");
    assert!(got.contains(&"AUDIT_SET enabled 1".to_string()));
    let out = run_ok(&[
        "read",
        "-r",
        cap.to_str().unwrap(),
        "-Y",
        "audit.field contains \"nlscope test message\" || audit.exe == \"/usr/sbin/auditctl\"",
    ]);
    assert_eq!(out.lines().count(), 1, "{out}");
}

#[test]
fn proc_connector_events_read_like_forkstat() {
    for name in ["connector-events.pcap", "connector-forkstat.pcap"] {
        let cap = local(name);
        assert_decoded(true, &cap);
        let got = summaries(&cap);
        // `sh -c 'exit 3'` ran during both: a fork, an exec, and an exit with status 3 << 8.
        for want in [
            "CN_MSG proc fork ",
            "CN_MSG proc exec ",
            "code 768 signal 17",
        ] {
            assert!(
                got.iter().any(|s| s.contains(want)),
                "{name}: no {want:?} in {got:?}"
            );
        }
        // The subscription's answer: an ack with error 0.
        assert!(
            got.contains(&"CN_MSG proc ack error 0".to_string()),
            "{name}: {got:?}"
        );
    }
    // Filterable by the exit code of the event's union member.
    let out = run_ok(&[
        "read",
        "-r",
        local("connector-events.pcap").to_str().unwrap(),
        "-Y",
        "connector.data.exit-proc-event.exit_code == 768",
    ]);
    assert_eq!(out.lines().count(), 1, "{out}");
}

#[test]
fn uevents_of_a_veth_pair_read_like_udevadm_monitor() {
    let cap = local("uevent.pcap");
    let msgs = assert_decoded(true, &cap);
    assert_eq!(msgs.len(), 20);
    let got = summaries(&cap);
    for want in [
        "uevent KERNEL add /devices/virtual/net/nlsveth0 (net) seqnum",
        "uevent KERNEL remove /devices/virtual/net/nlsveth1 (net) seqnum",
        "uevent KERNEL add /devices/virtual/net/nlsveth0/queues/rx-0 (queues) seqnum",
    ] {
        assert!(
            got.iter().any(|s| s.starts_with(want)),
            "no {want:?} in {got:?}"
        );
    }
    // The interface's uevent names it and its index.
    let out = run_ok(&[
        "read",
        "-r",
        cap.to_str().unwrap(),
        "-Y",
        "uevent.interface == \"nlsveth0\" && uevent.action == \"add\" && uevent.ifindex > 0",
    ]);
    assert_eq!(out.lines().count(), 1, "{out}");
}

/// Protocols this machine cannot record (no NETLINK_CRYPTO socket, no RDMA device, SELinux
/// off): messages built from their uapi layouts decode by name with nothing raw.
#[test]
fn crypto_selinux_rdma_and_fib_lookup_decode_from_their_uapi_layouts() {
    let name64 = |s: &str| {
        let mut v = s.as_bytes().to_vec();
        v.resize(64, 0);
        v
    };
    // CRYPTO_MSG_GETALG reply: struct crypto_user_alg, CRYPTOCFGA_PRIORITY_VAL,
    // CRYPTOCFGA_REPORT_HASH (struct crypto_report_hash).
    let mut alg = le_msg(0x13, 0, 7, 4242);
    let mut hdr = name64("sha256");
    hdr.extend(name64("sha256-generic"));
    hdr.extend(name64("kernel"));
    for v in [0x0eu32, 0, 2, 0x1] {
        hdr.extend(v.to_le_bytes());
    }
    alg.push(&hdr).attr_u32(1, 100);
    let mut report = name64("shash");
    report.extend(64u32.to_le_bytes());
    report.extend(32u32.to_le_bytes());
    alg.attr(3, &report);
    // SELNL_MSG_SETENFORCE: struct selnl_msg_setenforce.
    let mut se = le_msg(0x10, 0, 0, 0);
    se.push(&1i32.to_le_bytes());
    // RDMA_NLDEV_CMD_GET reply: RDMA_NLDEV_ATTR_DEV_INDEX, RDMA_NLDEV_ATTR_DEV_NAME.
    let mut rd = le_msg((5 << 10) + 1, 0, 3, 4242);
    rd.attr_u32(1, 0).attr_str(2, "rxe0");
    // A FIB lookup of 192.0.2.1 (struct fib_result_nl), type 0 as libnl sends it.
    let mut fib = le_msg(0, 1, 9, 4242);
    let mut frn = vec![192, 0, 2, 1];
    frn.extend([0u8; 16]);
    fib.push(&frn);
    let file = pcap_file(&[
        nl_frame(21, alg),
        nl_frame(7, se),
        nl_frame(20, rd),
        nl_frame(10, fib),
    ]);
    let tmp = TempDir::new("classic-uapi");
    let p = tmp.path("classic.pcap");
    std::fs::write(&p, &file).unwrap();
    let msgs = assert_decoded(true, &p);
    let names: Vec<&str> = msgs
        .iter()
        .map(|m| m["type_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "CRYPTO_MSG_GETALG",
            "SELNL_MSG_SETENFORCE",
            "RDMA_NLDEV_CMD_GET",
            "FIB_LOOKUP_LOOKUP"
        ]
    );
    let tree = run_ok(&["read", "-r", p.to_str().unwrap(), "-T", "tree"]);
    for want in [
        "sha256-generic",
        "digestsize: 32 bytes",
        "\"rxe0\"",
        "192.0.2.1",
    ] {
        assert!(tree.contains(want), "{want:?} not in\n{tree}");
    }
}
