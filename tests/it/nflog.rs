//! nflog: the logged packets decoded as IP + TCP/UDP/ICMP and summarised; checked against
//! tcpdump's own reading of the same packets (`tcpdump -i nflog:5`, in the capture's
//! .cmds.txt).

use super::common::*;

#[test]
fn nflog_packets_read_like_tcpdump() {
    let cap = local("nflog.pcap");
    let cmds = std::fs::read_to_string(local("nflog.cmds.txt")).unwrap();
    let got = summaries(&cap);
    let mut checked = 0;
    for line in cmds.lines() {
        // 17:20:51.280778 IP 127.0.0.1.41270 > 127.0.0.1.9: Flags [S], seq 301821882, ...
        let cols: Vec<&str> = line.split_whitespace().collect();
        let (Some(&proto), Some(&src), Some(&dst)) = (cols.get(1), cols.get(2), cols.get(4)) else {
            continue;
        };
        let fam = match proto {
            "IP" => "IPv4",
            "IP6" => "IPv6",
            _ => continue,
        };
        let dst = dst.trim_end_matches(':');
        let want = if cols.get(5) == Some(&"ICMP") {
            format!("{fam} {src} -> {dst} ICMP type 8 code 0")
        } else {
            let (sa, sp) = src.rsplit_once('.').unwrap();
            let (da, dp) = dst.rsplit_once('.').unwrap();
            assert_eq!(cols.get(6), Some(&"[S],"), "{line}");
            let seq = cols[8].trim_end_matches(',');
            let out = run_ok(&[
                "read",
                "-r",
                cap.to_str().unwrap(),
                "-Y",
                &format!("tcp.seq == {seq} && tcp.dstport == {dp}"),
            ]);
            assert_eq!(out.lines().count(), 1, "{line}: {out}");
            // The TCP options read as tcpdump printed them.
            let opts = line
                .split("options [")
                .nth(1)
                .and_then(|r| r.split(']').next());
            let tree = run_ok(&[
                "read",
                "-r",
                cap.to_str().unwrap(),
                "-T",
                "tree",
                "-Y",
                &format!("tcp.seq == {seq}"),
            ]);
            assert!(
                tree.contains(&format!("options: {}", opts.unwrap())),
                "{line}: {tree}"
            );
            format!("{fam} {sa} -> {da} TCP {sp} -> {dp} [SYN]")
        };
        assert!(
            got.iter()
                .any(|s| s.starts_with("NFULNL_MSG_PACKET group 5") && s.ends_with(&want)),
            "tcpdump printed {line:?}; no summary ends with {want:?}:\n{}",
            got.join("\n")
        );
        checked += 1;
    }
    assert_eq!(checked, 3);
    assert!(got.iter().any(|s| s.contains("prefix \"nlscope \"")));
    // Nothing raw.
    let cov = run_ok(&["read", "-r", cap.to_str().unwrap(), "--coverage"]);
    let total = cov.lines().find(|l| l.starts_with("total")).unwrap();
    assert_eq!(total.split_whitespace().nth(3), Some("0"), "{cov}");
}
