//! conntrack summaries in conntrack-tools' words, checked against what the real `conntrack`
//! printed while the shared capture was made: the flows of `conntrack -L`, `-G`, `-U` and
//! `-D` (conntrack.cmds.txt), the per-CPU lines of `conntrack -S`, the count of
//! `conntrack -C`, and the events `conntrack -E` printed (conntrack.events.txt).

use super::common::*;

/// A line with its runs of blanks made single spaces.
fn words(l: &str) -> String {
    l.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The lines a command printed in a `.cmds.txt` (up to its `[exit N]`).
fn output_of<'a>(cmds: &'a str, command: &str) -> Vec<&'a str> {
    let want = format!("$ {command}");
    let mut lines = cmds.lines();
    for l in lines.by_ref() {
        if l == want {
            break;
        }
    }
    lines.take_while(|l| !l.starts_with("[exit ")).collect()
}

#[test]
fn conntrack_summaries_say_what_conntrack_printed() {
    let Some(dir) = shared("conntrack summaries against conntrack's own output") else {
        return;
    };
    let caps = dir.join("captures");
    let cmds = std::fs::read_to_string(caps.join("conntrack.cmds.txt")).unwrap();
    let got = summaries(&caps.join("conntrack.pcap"));

    let mut want = Vec::new();
    // Flows: the kernel's replies to the dumps and gets (`-o extended` adds the layer 3
    // protocol first, which the summary leaves to the nfgenmsg).
    for command in [
        "conntrack -L",
        "conntrack -L -o extended",
        "conntrack -L -p tcp",
        "conntrack -G -s 192.0.2.1 -d 198.51.100.1 -p tcp --sport 40000 --dport 80",
        "conntrack -U -s 192.0.2.1 -m 7",
        "conntrack -D -s 192.0.2.1",
    ] {
        let flows: Vec<String> = output_of(&cmds, command)
            .iter()
            .filter(|l| !l.starts_with("conntrack v"))
            .map(|l| {
                let l = words(l);
                match l.strip_prefix("ipv4 2 ").or(l.strip_prefix("ipv6 10 ")) {
                    Some(rest) => rest.to_string(),
                    None => l,
                }
            })
            .collect();
        assert!(!flows.is_empty(), "{command}: no flows in {cmds}");
        want.extend(flows.iter().map(|f| format!("IPCTNL_MSG_CT_NEW {f}")));
    }
    // `conntrack -S`: one line per CPU.
    let stats = output_of(&cmds, "conntrack -S");
    assert_eq!(stats.len(), 2, "{cmds}");
    want.extend(
        stats
            .iter()
            .map(|l| format!("IPCTNL_MSG_CT_GET_STATS_CPU {}", words(l))),
    );
    // Events: `[NEW] icmp 1 29 ...` after a timestamp.
    let events = std::fs::read_to_string(caps.join("conntrack.events.txt")).unwrap();
    let events: Vec<String> = events
        .lines()
        .filter_map(|l| l.split_once(']').map(|(_, rest)| words(rest)))
        .filter(|l| l.starts_with('['))
        .map(|l| format!("IPCTNL_MSG_CT_NEW {l}"))
        .collect();
    assert_eq!(events.len(), 2, "{events:#?}");
    want.extend(events);
    let want: Vec<&str> = want.iter().map(String::as_str).collect();
    assert_summaries("conntrack.pcap", &got, &want);

    // `conntrack -C`: the global count.
    let count = output_of(&cmds, "conntrack -C").join("");
    let line = format!("IPCTNL_MSG_CT_GET_STATS entries={} ", count.trim());
    assert!(
        got.iter().any(|s| s.starts_with(&line)),
        "{line:?} not in {got:#?}"
    );
    // `conntrack -F`: a delete without a tuple.
    assert!(
        got.iter().any(|s| s == "IPCTNL_MSG_CT_DELETE flush"),
        "{got:#?}"
    );
}
