//! nftables summaries in nft's words, checked against what the real nft printed while the
//! shared capture was made (`nftables.cmds.txt`): the tables of `nft list tables`, and the
//! chains, sets, elements and rules of `nft list ruleset` are the summaries of the kernel's
//! dump replies; the `nft add ...` commands are the summaries of the requests they sent.

use super::common::*;

/// The lines a command printed in a `.cmds.txt` (up to its `[exit N]`).
fn output_of<'a>(cmds: &'a str, command: &str) -> Vec<&'a str> {
    let mut lines = cmds.lines();
    let want = format!("$ {command}");
    for l in lines.by_ref() {
        if l == want {
            break;
        }
    }
    lines.take_while(|l| !l.starts_with("[exit ")).collect()
}

/// What `nft list ruleset` printed, as the summaries of the objects it dumped.
fn ruleset_summaries(listing: &[&str]) -> Vec<String> {
    let mut want = Vec::new();
    let (mut fam, mut table) = (String::new(), String::new());
    // The object being listed: ("chain" | "set", name), and a set's declaration lines.
    let mut obj: Option<(&str, String)> = None;
    let (mut set_decl, mut elements) = (Vec::new(), None);
    for raw in listing {
        let l = raw.trim();
        let depth = raw.len() - raw.trim_start_matches('\t').len();
        if let Some(rest) = l.strip_prefix("table ") {
            let mut w = rest.trim_end_matches(" {").split(' ');
            fam = w.next().unwrap().to_string();
            table = w.next().unwrap().to_string();
            want.push(format!("NFT_MSG_NEWTABLE table {fam} {table}"));
        } else if depth == 1 && l.ends_with(" {") {
            let mut w = l.trim_end_matches(" {").split(' ');
            let kind = if w.next() == Some("chain") {
                "chain"
            } else {
                "set"
            };
            obj = Some((kind, w.next().unwrap().to_string()));
            set_decl.clear();
            elements = None;
        } else if depth == 1 && l == "}" {
            if let Some(("set", name)) = obj.take() {
                want.push(format!(
                    "NFT_MSG_NEWSET set {fam} {table} {name} {{ {} }}",
                    set_decl.join(" ")
                ));
                if let Some(e) = elements.take() {
                    want.push(format!(
                        "NFT_MSG_NEWSETELEM element {fam} {table} {name} {e}"
                    ));
                }
            }
        } else if depth == 2 {
            match &obj {
                Some(("chain", name)) if l.starts_with("type ") => want.push(format!(
                    "NFT_MSG_NEWCHAIN chain {fam} {table} {name} {{ {l} }}"
                )),
                Some(("chain", name)) => {
                    want.push(format!("NFT_MSG_NEWRULE rule {fam} {table} {name} {l}"))
                }
                Some(("set", _)) => match l.strip_prefix("elements = ") {
                    Some(e) => elements = Some(e.to_string()),
                    None => set_decl.push(format!("{l};")),
                },
                _ => {}
            }
        }
    }
    want
}

#[test]
fn nftables_summaries_say_what_nft_printed() {
    let Some(dir) = shared("nftables summaries against nft's own output") else {
        return;
    };
    let caps = dir.join("captures");
    let cmds = std::fs::read_to_string(caps.join("nftables.cmds.txt")).unwrap();
    let got = summaries(&caps.join("nftables.pcap"));

    // `nft list tables`.
    let tables: Vec<String> = output_of(&cmds, "nft list tables")
        .iter()
        .map(|t| format!("NFT_MSG_NEWTABLE {t}"))
        .collect();
    assert_eq!(tables.len(), 2, "{cmds}");

    // `nft list ruleset`: every chain, set, element list and rule.
    let listing = output_of(&cmds, "nft list ruleset");
    let ruleset = ruleset_summaries(&listing);
    let rules = ruleset.iter().filter(|s| s.contains("NEWRULE")).count();
    assert_eq!(rules, 5, "{ruleset:#?}");
    assert!(
        ruleset.iter().any(|s| s.contains("NEWSETELEM")),
        "{ruleset:#?}"
    );
    assert!(
        ruleset.iter().any(|s| s.contains("NEWCHAIN")),
        "{ruleset:#?}"
    );

    // The requests of `nft add set|element|rule ...` and `nft delete element ...`, in the
    // command's own words (nft quotes interface names when it prints them; the command did
    // not).
    let mut requests = Vec::new();
    for l in cmds.lines() {
        let Some(c) = l.strip_prefix("$ nft ") else {
            continue;
        };
        for (verb, ty, word) in [
            ("add set ", "NFT_MSG_NEWSET", "set"),
            ("add element ", "NFT_MSG_NEWSETELEM", "element"),
            ("delete element ", "NFT_MSG_DELSETELEM", "element"),
            ("add rule ", "NFT_MSG_NEWRULE", "rule"),
            ("add table ", "NFT_MSG_NEWTABLE", "table"),
        ] {
            if let Some(rest) = c.strip_prefix(verb) {
                requests.push(format!("{ty} {word} {rest}"));
            }
        }
    }
    assert_eq!(requests.len(), 10, "{requests:#?}");
    let unquoted: Vec<String> = got.iter().map(|s| s.replace('"', "")).collect();

    let want: Vec<&str> = tables.iter().chain(&ruleset).map(String::as_str).collect();
    assert_summaries("nftables.pcap", &got, &want);
    let want: Vec<&str> = requests.iter().map(String::as_str).collect();
    assert_summaries("nftables.pcap (requests)", &unquoted, &want);
}

/// Set element keys in the tree are typed by the set's key type once the capture showed the
/// set: addresses and ports, filterable as such.
#[test]
fn set_element_keys_are_typed_in_the_tree() {
    let Some(dir) = shared("typed set elements of the shared nftables capture") else {
        return;
    };
    let cap = dir.join("captures/nftables.pcap");
    let p = cap.to_str().unwrap();
    let tree = run_ok(&["read", "-r", p, "-T", "tree"]);
    for want in [
        "NFTA_DATA_VALUE: 192.0.2.128",
        "NFTA_DATA_VALUE: 198.51.100.7",
        "NFTA_DATA_VALUE: 443",
        // A rule's loads name the header field they read.
        "NFTA_EXPR_DATA: payload (ip saddr)",
        "NFTA_EXPR_DATA: payload (tcp dport)",
        "NFTA_EXPR_DATA: ct (ct state)",
    ] {
        assert!(tree.contains(want), "{want:?} not in the tree");
    }
    let hits = run_ok(&[
        "read",
        "-r",
        p,
        "-Y",
        "nftables.elements.key.value == 198.51.100.7",
    ]);
    assert!(hits.lines().count() >= 2, "{hits}");
    assert!(hits.lines().all(|l| l.contains("SETELEM")), "{hits}");
}

/// ipset: each command's request reads as the command, and the listed sets' members as
/// `ipset list` printed them (captures/ipset.pcap, recorded through strace).
#[test]
fn ipset_reads_like_ipset() {
    let cap = local("ipset.pcap");
    let cmds = std::fs::read_to_string(local("ipset.cmds.txt")).unwrap();
    let got: Vec<String> = summaries(&cap).iter().map(|s| s.replace('"', "")).collect();
    let mut n = 0;
    for c in cmds.lines().filter_map(|l| l.strip_prefix("$ ns ipset ")) {
        let words: Vec<&str> = c.split_whitespace().collect();
        let want = match words.first() {
            Some(&"add") | Some(&"del") | Some(&"test") => {
                format!("IPSET_CMD_{} {c}", words[0].to_uppercase())
            }
            Some(&"create") => {
                let (name, ty) = (words[1], words[2]);
                let got_line = got
                    .iter()
                    .find(|s| s.starts_with(&format!("IPSET_CMD_CREATE create {name} {ty}")));
                assert!(got_line.is_some(), "no create of {name}: {got:?}");
                let got_line = got_line.unwrap();
                for opt in &words[3..] {
                    assert!(got_line.contains(opt), "{c}: {opt} missing in {got_line}");
                }
                n += 1;
                continue;
            }
            _ => continue,
        };
        assert!(got.contains(&want), "{want:?} not in {got:?}");
        n += 1;
    }
    assert!(n >= 12, "{n} commands compared");
    // Members: one summary per listed set, its members in the kernel's order.
    let mut members: Vec<String> = Vec::new();
    let mut in_members = false;
    for l in cmds.lines() {
        if l == "Members:" {
            in_members = true;
        } else if l.is_empty() || l.starts_with('[') || l.starts_with('$') {
            in_members = false;
        } else if in_members {
            members.push(l.replace('"', ""));
        }
    }
    assert_eq!(members.len(), 5, "{members:?}");
    for m in &members {
        assert!(
            got.iter()
                .any(|s| s.starts_with("IPSET_CMD_LIST ") && s.contains(m.as_str())),
            "member {m:?} not listed in {got:?}"
        );
    }
}
