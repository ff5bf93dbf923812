//! Malformed input: truncated files, corrupted netlink lengths, absurd nesting, random byte
//! flips and non-capture files never panic and are reported cleanly.

use nlscope::dissect::specs::SpecRegistry;
use nlscope::model::{Node, Severity};
use nlscope::netlink::MsgBuilder;
use nlscope::pcap::ReadErrorKind;

use super::common::*;

/// Cut points: every block boundary, and a spread of points inside headers and records.
fn cut_points(len: usize, bounds: &[usize]) -> Vec<usize> {
    let mut cuts: Vec<usize> = (0..=64.min(len)).collect();
    for w in bounds.windows(2) {
        let (a, b) = (w[0], w[1]);
        for c in [
            a,
            a + 1,
            a + 7,
            a + 15,
            a + 16,
            a + 17,
            a + 20,
            (a + b) / 2,
            b - 1,
        ] {
            if c < b {
                cuts.push(c);
            }
        }
    }
    cuts.push(len);
    cuts.sort_unstable();
    cuts.dedup();
    cuts
}

/// Truncate `bytes` everywhere. `blocks` are (start offset, holds a frame) for every header
/// block / record in file order.
fn check_truncations(name: &str, bytes: &[u8], blocks: &[(usize, bool)]) {
    let (all, err) = read_frames(bytes);
    assert!(err.is_none(), "{name}: {err:?}");
    let mut bounds: Vec<usize> = blocks.iter().map(|b| b.0).collect();
    bounds.push(bytes.len());
    for cut in cut_points(bytes.len(), &bounds) {
        let (frames, err) = read_frames(&bytes[..cut]);
        let complete = blocks
            .iter()
            .zip(&bounds[1..])
            .filter(|((_, pkt), end)| *pkt && **end <= cut)
            .count();
        assert_eq!(
            frames.len(),
            complete,
            "{name} cut at {cut}: complete frames"
        );
        assert_eq!(
            frames[..],
            all[..complete],
            "{name} cut at {cut}: frames differ"
        );
        if cut == 0 {
            assert_eq!(
                err.map(|e| e.kind),
                Some(ReadErrorKind::NotACapture),
                "{name}: empty"
            );
        } else if bounds.contains(&cut) {
            assert!(err.is_none(), "{name} cut at block boundary {cut}: {err:?}");
        } else {
            let e = err.unwrap_or_else(|| panic!("{name} cut at {cut}: no error"));
            let start = *bounds.iter().rfind(|b| **b < cut).unwrap();
            if start == 0 && cut < 4 {
                assert_eq!(
                    e.kind,
                    ReadErrorKind::NotACapture,
                    "{name} cut at {cut}: {e}"
                );
                continue;
            }
            assert_eq!(e.kind, ReadErrorKind::Truncated, "{name} cut at {cut}: {e}");
            assert_eq!(e.offset as usize, start, "{name} cut at {cut}: {e}");
            assert!(e.to_string().contains(&format!("offset {start}")), "{e}");
            assert!(!e.to_string().contains('\n'), "{e}");
        }
    }
}

#[test]
fn truncated_pcap_yields_complete_frames_and_an_offset() {
    for cap in ["route-link.pcap", "ethtool.pcap", "genl-ctrl.pcap"] {
        let bytes = std::fs::read(local(cap)).unwrap();
        let (_, recs) = raw_pcap_records(&bytes);
        let mut blocks = vec![(0, false)];
        blocks.extend(recs.iter().map(|(o, _)| (*o, true)));
        check_truncations(cap, &bytes, &blocks);
    }
}

#[test]
fn truncated_pcapng_yields_complete_frames_and_an_offset() {
    let tmp = TempDir::new("trunc-ng");
    for cap in ["genl-ctrl.pcap", "xfrm.pcap"] {
        let ng = tmp.path(&format!("{cap}ng"));
        run_ok(&[
            "read",
            "-r",
            local(cap).to_str().unwrap(),
            "-w",
            ng.to_str().unwrap(),
        ]);
        let bytes = std::fs::read(&ng).unwrap();
        // Walk the (little-endian) blocks by hand: type, total length.
        let mut blocks = Vec::new();
        let mut pos = 0;
        while pos < bytes.len() {
            let ty = u32::from_le_bytes(bytes[pos..pos + 4].try_into().unwrap());
            let len = u32::from_le_bytes(bytes[pos + 4..pos + 8].try_into().unwrap()) as usize;
            blocks.push((pos, ty == 6 || ty == 3));
            pos += len;
        }
        assert_eq!(pos, bytes.len());
        assert!(blocks.iter().filter(|b| b.1).count() >= 10);
        check_truncations(&format!("{cap}ng"), &bytes, &blocks);
    }
}

#[test]
fn truncated_file_via_cli_prints_frames_then_one_line_error() {
    let tmp = TempDir::new("trunc-cli");
    let bytes = std::fs::read(local("genl-ctrl.pcap")).unwrap();
    let (_, recs) = raw_pcap_records(&bytes);
    let cut = recs[5].0 + 30;
    let p = tmp.path("cut.pcap");
    std::fs::write(&p, &bytes[..cut]).unwrap();
    let out = run(&["read", "-r", p.to_str().unwrap()]);
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let frames: std::collections::BTreeSet<&str> = stdout
        .lines()
        .map(|l| l.trim_start().split(':').next().unwrap())
        .collect();
    assert_eq!(
        frames.into_iter().collect::<Vec<_>>(),
        ["1", "2", "3", "4", "5"]
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!("offset {}", recs[5].0)),
        "{stderr}"
    );
}

/// Dissect one frame completely: (problem, all nodes of all messages incl. header nodes).
fn dissect_frame(frame: &[u8]) -> (Option<(usize, String)>, Vec<Node>) {
    let file = pcap_file(&[frame.to_vec()]);
    let (frames, err) = read_frames(&file);
    assert!(err.is_none());
    let mut nodes = Vec::new();
    for d in dissect_all(&frames, SpecRegistry::with_embedded()) {
        nodes.extend(d.nodes);
    }
    let mut dis = nlscope::dissect::Dissector::new(SpecRegistry::with_embedded());
    let fi = dis.index_frame(&frames[0].data, 253, nlscope::model::Endian::Little);
    for n in all_nodes(&nodes) {
        assert!(
            n.offset + n.length <= frame.len(),
            "node {} out of frame",
            n.name
        );
    }
    (fi.problem, nodes)
}

fn errors(nodes: &[Node]) -> Vec<(String, usize, usize)> {
    all_nodes(nodes)
        .into_iter()
        .filter_map(|n| match &n.expert {
            Some(e) if e.severity == Severity::Error => Some((e.text.clone(), n.offset, n.length)),
            _ => None,
        })
        .collect()
}

/// route-link.pcap frame 3: `ip link add veth0 type veth peer name veth1` (92-byte message:
/// ifinfomsg, IFLA_IFNAME at 48, IFLA_LINKINFO at 60).
fn veth_request() -> Vec<u8> {
    let (_, recs) = raw_pcap_records(&std::fs::read(local("route-link.pcap")).unwrap());
    let f = recs[2].1.clone();
    assert_eq!(u32::from_le_bytes(f[16..20].try_into().unwrap()), 92);
    assert_eq!(&f[52..57], b"veth0");
    f
}

#[test]
fn bad_nlmsg_len() {
    for len in [0u32, 3, 15] {
        let mut f = veth_request();
        f[16..20].copy_from_slice(&len.to_le_bytes());
        let (problem, nodes) = dissect_frame(&f);
        let (off, text) = problem.expect("problem");
        assert_eq!(off, 16);
        assert!(
            text.contains(&format!("nlmsg_len {len} is less than")),
            "{text}"
        );
        let e = errors(&nodes);
        assert!(
            e.contains(&(
                format!("nlmsg_len {len} is less than the 16-byte header"),
                16,
                4
            )),
            "{e:?}"
        );
    }
    for len in [0xffffu32, 0xffff_ffff] {
        let mut f = veth_request();
        f[16..20].copy_from_slice(&len.to_le_bytes());
        let (problem, nodes) = dissect_frame(&f);
        let (off, text) = problem.expect("problem");
        assert_eq!(
            (off, text),
            (16, format!("nlmsg_len {len} exceeds the 92 bytes left"))
        );
        let e = errors(&nodes);
        assert!(
            e.contains(&(
                format!("nlmsg_len {len} exceeds the 92 bytes present"),
                16,
                4
            )),
            "{e:?}"
        );
        // The bytes that are there are still decoded.
        assert!(all_nodes(&nodes).iter().any(|n| n.name == "IFLA_IFNAME"));
    }
}

#[test]
fn bad_nla_len() {
    // The message ends at 108; IFLA_IFNAME's header is at 48: 60 bytes left.
    for (nla_len, text) in [
        (
            0u16,
            "attribute length 0 is less than the 4-byte attribute header".to_string(),
        ),
        (
            3,
            "attribute length 3 is less than the 4-byte attribute header".to_string(),
        ),
        (
            0xffff,
            "attribute length 65535 exceeds the 60 bytes left".to_string(),
        ),
    ] {
        let mut f = veth_request();
        f[48..50].copy_from_slice(&nla_len.to_le_bytes());
        let (problem, nodes) = dissect_frame(&f);
        assert_eq!(problem, None);
        let e = errors(&nodes);
        assert_eq!(e, vec![(text, 48, 60)], "nla_len {nla_len}");
    }
}

#[test]
fn attribute_overrunning_the_message() {
    // RTM_NEWLINK notification: ifinfomsg, IFLA_MTU, then a header claiming 9 bytes with 4 left.
    let mut m = le_msg(16, 0, 0, 0);
    m.push(&[0u8; 16]).attr_u32(4, 1500);
    m.push_u16(9).push_u16(3); // by hand: nla_len 9, IFLA_IFNAME
    let f = nl_frame(0, m);
    let (problem, nodes) = dissect_frame(&f);
    assert_eq!(problem, None);
    assert_eq!(
        errors(&nodes),
        vec![(
            "attribute length 9 exceeds the 4 bytes left".to_string(),
            56,
            4
        )]
    );
    assert!(
        all_nodes(&nodes)
            .iter()
            .any(|n| n.name == "IFLA_MTU" && n.display_text() == "1500")
    );
}

/// Append `depth` nested attributes of type `ty` (NLA_F_NESTED set), innermost holding a u32.
fn nest_chain(m: &mut MsgBuilder, ty: u16, depth: usize) {
    let nests: Vec<_> = (0..depth).map(|_| m.begin_nest(ty)).collect();
    m.attr_u32(1, 7);
    for n in nests.into_iter().rev() {
        m.end_nest(n);
    }
}

fn check_deep(f: &[u8]) {
    let (problem, nodes) = dissect_frame(f);
    assert_eq!(problem, None);
    // Decoding stops at a bounded depth (no stack overflow). The lengths are all consistent,
    // so the only acceptable error is about the depth itself.
    for (t, _, _) in errors(&nodes) {
        assert!(t.contains("nested more than"), "unexpected error {t}");
    }
    // The innermost bytes are still covered by some node (shown raw, not dropped).
    let last = f.len() - 4;
    assert!(
        all_nodes(&nodes)
            .iter()
            .any(|n| n.offset <= last && last < n.offset + n.length),
        "innermost attribute not covered"
    );
    let depth = nodes.iter().map(node_depth).max().unwrap();
    assert!(depth < 100, "tree depth {depth}");
}

fn node_depth(n: &Node) -> usize {
    1 + n.children.iter().map(node_depth).max().unwrap_or(0)
}

#[test]
fn deep_nesting_in_rt_link() {
    for ty in [
        18u16, /* IFLA_LINKINFO */
        26,    /* IFLA_AF_SPEC */
        500,   /* unknown */
    ] {
        let mut m = le_msg(16, 0, 1, 0);
        m.push(&[0u8; 16]);
        nest_chain(&mut m, ty, 4000);
        check_deep(&nl_frame(0, m));
    }
}

#[test]
fn deep_nesting_in_unknown_protocol() {
    let mut m = le_msg(0x20, 0, 1, 1234);
    m.push(&[1u8, 2, 3, 4]);
    nest_chain(&mut m, 2, 4000);
    check_deep(&nl_frame(31, m));
}

/// xorshift64*: deterministic pseudo-random numbers without a dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn random_byte_flips_never_panic() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut mutated = Vec::new();
    for cap in [
        "route-link.pcap",
        "ethtool.pcap",
        "genl-ctrl.pcap",
        "xfrm.pcap",
        "route-monitor.pcap",
    ] {
        let (_, recs) = raw_pcap_records(&std::fs::read(local(cap)).unwrap());
        for (_, f) in &recs {
            for round in 0..6 {
                let mut g = f.clone();
                let flips = 1 + round * 2;
                for _ in 0..flips {
                    // Mostly hit the netlink part, sometimes the cooked header.
                    let i = if rng.below(8) == 0 {
                        rng.below(16)
                    } else {
                        16 + rng.below(g.len() - 16)
                    };
                    g[i] ^= 1 << rng.below(8);
                }
                if round == 5 {
                    let cut = 16 + rng.below(g.len() - 16);
                    g.truncate(cut);
                }
                mutated.push(g);
            }
        }
    }
    let file = pcap_file(&mutated);
    let (frames, err) = read_frames(&file);
    assert!(err.is_none());
    assert_eq!(frames.len(), mutated.len());
    let all = dissect_all(&frames, SpecRegistry::with_embedded());
    assert!(!all.is_empty());
    for d in &all {
        let flen = frames[d.frame - 1].data.len();
        for n in all_nodes(&d.nodes) {
            assert!(
                n.offset + n.length <= flen,
                "frame {} node {} out of range",
                d.frame,
                n.name
            );
        }
    }
    // The CLI also survives every output format on the mutated file.
    let tmp = TempDir::new("flips");
    let p = tmp.path("flipped.pcap");
    std::fs::write(&p, &file).unwrap();
    for fmt in ["summary", "tree", "json", "csv"] {
        run_ok(&["read", "-r", p.to_str().unwrap(), "-T", fmt]);
    }
}

#[test]
fn non_capture_files_fail_cleanly() {
    let tmp = TempDir::new("noncap");
    let text = tmp.path("notes.txt");
    std::fs::write(&text, "this is not a capture\nsecond line\n").unwrap();
    let empty = tmp.path("empty.pcap");
    std::fs::write(&empty, b"").unwrap();
    let missing = tmp.path("missing.pcap");
    let mut inputs = vec![text, empty, missing];
    for elf in ["/bin/true", "/usr/bin/true"] {
        if std::path::Path::new(elf).exists() {
            inputs.push(elf.into());
            break;
        }
    }
    for p in inputs {
        let out = run(&["read", "-r", p.to_str().unwrap()]);
        assert_no_panic(&out);
        assert!(
            !out.status.success(),
            "{}: exit status {:?}",
            p.display(),
            out.status
        );
        assert!(
            out.stdout.is_empty(),
            "{}: printed {:?}",
            p.display(),
            out.stdout
        );
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{}: stderr {err:?}", p.display());
        assert!(err.starts_with("nlscope: "), "{err}");
    }
}
