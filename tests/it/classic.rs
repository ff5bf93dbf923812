//! The classic protocols nlmon does not tap, recorded through strace and the multicast
//! monitor: audit (auditctl), the process connector (our monitor, forkstat) and kobject
//! uevents, checked against what the tools printed.

use super::common::*;

/// Every message of a capture has a named type, nothing raw, no expert errors.
fn decoded_cleanly(cap: &std::path::Path) -> Vec<serde_json::Value> {
    let msgs = json_msgs(cap, &[]);
    assert!(!msgs.is_empty(), "{}", cap.display());
    for m in &msgs {
        let ty = m["type_name"].as_str().unwrap_or_default();
        assert!(
            !ty.starts_with("type "),
            "unnamed type {ty} in frame {}",
            m["frame"]
        );
        for n in all_json_nodes(&m["tree"]) {
            assert!(n["raw"] != true, "raw node in frame {}: {n}", m["frame"]);
            assert!(
                n["expert"]["severity"] != "error",
                "error in frame {}: {n}",
                m["frame"]
            );
        }
    }
    msgs
}

#[test]
fn audit_rules_and_status_read_like_auditctl() {
    let cap = local("audit.pcap");
    decoded_cleanly(&cap);
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
    for name in ["connector-events.pcapng", "connector-forkstat.pcap"] {
        let cap = local(name);
        decoded_cleanly(&cap);
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
        local("connector-events.pcapng").to_str().unwrap(),
        "-Y",
        "connector.data.exit-proc-event.exit_code == 768",
    ]);
    assert_eq!(out.lines().count(), 1, "{out}");
}

#[test]
fn uevents_of_a_veth_pair_read_like_udevadm_monitor() {
    let cap = local("uevent.pcapng");
    let msgs = decoded_cleanly(&cap);
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
