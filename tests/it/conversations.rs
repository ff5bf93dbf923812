//! Conversations: every answer linked to its request (`request_in`), requests to their answers
//! (`response_in`, `responses`, `latency`), checked against an independent walk of every
//! capture; the filter fields, the pipe mode, the expert notes and `nlscope stats`.

use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value as J;

use super::common::*;

type Key = (u64, u64);

fn key(j: &J) -> Key {
    (j["frame"].as_u64().unwrap(), j["msg"].as_u64().unwrap())
}

fn link(j: &J, name: &str) -> Option<Key> {
    j.get(name).filter(|v| !v.is_null()).map(key)
}

fn flag(j: &J, name: &str) -> bool {
    j["flag_names"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f.as_str() == Some(name))
}

/// The request type an NLMSG_ERROR echoes (`nlmsgerr.request.type` in its tree).
fn echoed_type(j: &J) -> Option<u64> {
    all_json_nodes(&j["tree"])
        .into_iter()
        .find(|n| n["field"] == "nlmsgerr.request.type")
        .and_then(|n| n["value"].as_u64())
}

/// An independent pairing of the two answers that end a conversation: each `NLMSG_ERROR`
/// answers the latest earlier request of its protocol, sequence number and echoed type that no
/// error answered yet (and whose port, if it had one, is the error's); each `NLMSG_DONE` the
/// latest earlier request of its protocol and sequence number that no `NLMSG_DONE` ended yet
/// and that is a dump or got a multi-part answer (team's do replies end so).
fn independent(msgs: &[J]) -> HashMap<Key, Option<Key>> {
    let mut ended: [HashMap<Key, ()>; 2] = Default::default();
    let mut multi: HashMap<(u64, u64, u64), ()> = HashMap::new();
    let mut out = HashMap::new();
    for (i, m) in msgs.iter().enumerate() {
        let ty = m["type"].as_u64().unwrap();
        let pid = m["pid"].as_u64().unwrap();
        let proto = m["protocol"].as_u64().unwrap();
        let seq = m["seq"].as_u64().unwrap();
        if m["direction"] == "from-kernel" && flag(m, "NLM_F_MULTI") && ty != 3 {
            multi.insert((proto, seq, pid), ());
        }
        if m["direction"] != "from-kernel" || pid == 0 || !(ty == 2 || ty == 3) {
            continue;
        }
        let want = if ty == 2 { echoed_type(m) } else { None };
        let done = &ended[usize::from(ty == 3)];
        let candidate = |j: usize, r: &J, dump_only: bool| {
            // Kernel nexthop notifications keep the request's flags: a copy of the request
            // right after it, with the requester's port id, is not a request.
            let echo = r["pid"] != 0
                && msgs[j.saturating_sub(3)..j]
                    .iter()
                    .any(|o| o["pid"] == 0 && o["seq"] == r["seq"] && o["type"] == r["type"]);
            !echo
                && r["direction"] == "to-kernel"
                && flag(r, "NLM_F_REQUEST")
                && r["protocol"] == m["protocol"]
                && r["seq"] == m["seq"]
                && (r["pid"] == 0 || r["pid"] == m["pid"])
                && !done.contains_key(&key(r))
                && match ty {
                    2 => want.is_none_or(|t| r["type"].as_u64() == Some(t)),
                    _ if dump_only => flag(r, "NLM_F_DUMP"),
                    _ => multi.contains_key(&(proto, seq, pid)),
                }
        };
        // A dump first; else a do request that got a multi-part answer.
        let req = [true, false].into_iter().find_map(|dump_only| {
            msgs[..i]
                .iter()
                .enumerate()
                .rev()
                .find(|(j, r)| candidate(*j, r, dump_only))
        });
        let req = req.map(|(_, r)| r);
        if let Some(r) = req {
            ended[usize::from(ty == 3)].insert(key(r), ());
        }
        out.insert(key(m), req.map(key));
    }
    out
}

#[test]
fn pairing_agrees_with_an_independent_walk_on_every_capture() {
    let mut checked = 0;
    for cap in all_captures() {
        let name = cap.file_name().unwrap().to_string_lossy().to_string();
        let msgs = json_msgs(&cap, &[]);
        let by_key: HashMap<Key, &J> = msgs.iter().map(|m| (key(m), m)).collect();
        // Ends of conversations: the same request as the independent walk finds.
        for (k, want) in independent(&msgs) {
            let m = by_key[&k];
            let got = link(m, "request_in");
            assert_eq!(got, want, "{name} frame {k:?}: {}", m["summary"]);
            assert_eq!(
                m.get("orphan").is_some(),
                want.is_none(),
                "{name} {k:?}: orphan flag"
            );
            checked += 1;
        }
        // Every link points back in time to a request of the same protocol, and each
        // request's counts agree with the answers that name it.
        let mut answers: HashMap<Key, Vec<&J>> = HashMap::new();
        for m in &msgs {
            let Some(r) = link(m, "request_in") else {
                continue;
            };
            let req = by_key[&r];
            assert!(r <= key(m), "{name}: {:?} answers a later message", key(m));
            assert_eq!(req["direction"], "to-kernel", "{name} {:?}", key(m));
            assert_eq!(req["protocol"], m["protocol"], "{name} {:?}", key(m));
            assert!(
                req["seq"] == m["seq"] || flag(m, "NLM_F_MULTI"),
                "{name} {:?}: another sequence number outside a dump",
                key(m)
            );
            answers.entry(r).or_default().push(m);
        }
        for m in msgs.iter().filter(|m| m["role"] == "request") {
            let got = answers.get(&key(m)).map_or(&[][..], Vec::as_slice);
            assert_eq!(
                m["responses"].as_u64(),
                Some(got.len() as u64),
                "{name} {:?}",
                key(m)
            );
            assert_eq!(
                link(m, "response_in"),
                got.first().map(|a| key(a)),
                "{name} {:?}",
                key(m)
            );
            if let Some(l) = m["latency"].as_f64() {
                assert!(l >= 0.0, "{name} {:?}: latency {l}", key(m));
            }
        }
    }
    assert!(checked > 300, "only {checked} conversation ends checked");
}

#[test]
fn a_pipe_links_answers_as_they_come() {
    let cap = match shared("pipe correlation") {
        Some(d) => d.join("captures/route-link.pcap"),
        None => local("rt-links.pcap"),
    };
    let file = json_msgs(&cap, &[]);
    let mut child = Command::new(bin())
        .args(["read", "-r", "-", "-T", "ndjson"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let bytes = std::fs::read(&cap).unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&bytes));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    let piped: Vec<J> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(piped.len(), file.len());
    let mut answered = 0;
    for (p, f) in piped.iter().zip(&file) {
        assert_eq!(
            link(p, "request_in"),
            link(f, "request_in"),
            "{}",
            p["summary"]
        );
        answered += usize::from(link(p, "request_in").is_some());
        if p["role"] == "request" {
            // What came after a request was not known when it was printed.
            assert_eq!(link(p, "response_in"), None);
            assert_eq!(p["responses"], 0);
        }
    }
    assert!(answered > 20, "{answered}");
}

#[test]
fn conversation_filter_fields() {
    let cap = local("rt-links.pcap");
    let msgs = json_msgs(&cap, &[]);
    let frames =
        |filter: &str| -> Vec<Key> { json_msgs(&cap, &["-Y", filter]).iter().map(key).collect() };
    let want =
        |f: &dyn Fn(&J) -> bool| -> Vec<Key> { msgs.iter().filter(|m| f(m)).map(key).collect() };
    let acks = want(&|m| m["role"] == "ack");
    assert!(!acks.is_empty());
    assert_eq!(frames("nlmsg.role == \"ack\""), acks);
    let slow = want(&|m| m["latency"].as_f64().is_some_and(|l| l > 0.002));
    assert!(!slow.is_empty());
    assert_eq!(frames("nlmsg.latency > 0.002"), slow);
    let first_req = msgs.iter().find(|m| m["role"] == "request").unwrap();
    let f = key(first_req).0;
    assert_eq!(
        frames(&format!("nlmsg.request_in == {f}")),
        want(&|m| link(m, "request_in").is_some_and(|r| r.0 == f))
    );
    assert_eq!(
        frames("netlink.response_in"),
        want(&|m| m.get("response_in").is_some())
    );
    assert_eq!(
        frames("nlmsg.responses > 1"),
        want(&|m| m["responses"].as_u64().is_some_and(|n| n > 1))
    );
}

#[test]
fn notes_for_a_missing_ack_an_orphan_and_an_interrupted_dump() {
    let dir = TempDir::new("conv-notes");
    let msg = |ty: u16, flags: u16, seq: u32, pid: u32, body: &[u8]| {
        let mut m = le_msg(ty, flags, seq, pid);
        m.push(body);
        nl_frame(0, m)
    };
    let mut err = vec![0xea, 0xff, 0xff, 0xff];
    err.extend_from_slice(&[0; 16]);
    // One frame a second: the capture goes on two seconds after the request.
    let pcap = pcap_file(&[
        msg(16, 0x0005, 7, 0, &[0; 16]),
        msg(2, 0, 99, 4242, &err),
        msg(18, 0x0301, 8, 0, &[0; 16]),
        msg(16, 0x0012, 8, 55, &[0; 16]),
        msg(16, 0, 0, 0, &[0; 16]),
    ]);
    let path = dir.0.join("notes.pcap");
    std::fs::write(&path, pcap).unwrap();
    let p = path.to_str().unwrap();
    let tree = run_ok(&["read", "-r", p, "-T", "tree"]);
    assert!(
        tree.contains("[Never acknowledged]: true  [warning: NLM_F_ACK request never acknowledged"),
        "{tree}"
    );
    assert!(
        tree.contains("[No request]: true  [note: an answer to no captured request"),
        "{tree}"
    );
    assert!(
        tree.contains("[Dump interrupted]: true  [warning: NLM_F_DUMP_INTR"),
        "{tree}"
    );
    assert!(tree.contains("[Request in]: frame 3 message 0"), "{tree}");
    let hits = |f: &str| run_ok(&["read", "-r", p, "-Y", f]).lines().count();
    assert_eq!(hits("nlmsg.unacked"), 1);
    assert_eq!(hits("nlmsg.orphan"), 1);
    assert_eq!(hits("nlmsg.dump_intr"), 2, "the part and its request");
    assert_eq!(
        hits("nlmsg.unanswered"),
        2,
        "the unacked request and the unfinished dump"
    );
}

#[test]
fn stats_tables_count_what_the_links_say() {
    let cap = local("rt-links.pcap");
    let p = cap.to_str().unwrap();
    let msgs = json_msgs(&cap, &[]);
    let j: J = serde_json::from_str(&run_ok(&["stats", "-r", p, "-j"])).unwrap();
    let cmds = j["commands"].as_array().unwrap();
    let total: u64 = cmds.iter().map(|c| c["requests"].as_u64().unwrap()).sum();
    let requests = msgs.iter().filter(|m| m["role"] == "request").count() as u64;
    assert_eq!(total, requests);
    let errors: u64 = cmds.iter().map(|c| c["errors"].as_u64().unwrap()).sum();
    let want_errors = msgs
        .iter()
        .filter(|m| m["role"] == "error" && m.get("request_in").is_some())
        .count() as u64;
    assert_eq!(errors, want_errors);
    let by_errno: u64 = j["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["command"] != "(no request)")
        .map(|e| e["count"].as_u64().unwrap())
        .sum();
    assert_eq!(by_errno, want_errors);
    let text = run_ok(&["stats", "-r", p]);
    for title in [
        "Messages by family and type",
        "Requests by family and command (latency in ms)",
        "Errors by errno",
        "Requests by socket",
    ] {
        assert!(text.contains(title), "{text}");
    }
    let getlink = cmds.iter().find(|c| c["command"] == "RTM_GETLINK").unwrap();
    let line = text
        .lines()
        .find(|l| l.contains(" RTM_GETLINK ") && l.split_whitespace().count() == 11)
        .unwrap();
    assert_eq!(
        line.split_whitespace().nth(2),
        Some(getlink["requests"].to_string().as_str()),
        "{line}"
    );
    // A filter narrows what is counted.
    let j: J = serde_json::from_str(&run_ok(&[
        "stats",
        "-r",
        p,
        "-j",
        "-Y",
        "nlmsg.type == RTM_GETLINK",
    ]))
    .unwrap();
    assert_eq!(j["commands"].as_array().unwrap().len(), 1);
}
