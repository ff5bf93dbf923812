//! The numbers in our spec files against the uapi headers, checked by the C compiler: every
//! attribute, enum/flag entry and message type whose C name the headers define must have the
//! same value, and every struct the headers define the same size and member offsets.
//! Names the installed headers lack (newer kernels, kernel-internal constants) are counted,
//! not failed.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::process::Command;

use nlscope::dissect::specs::{MemberKind, SpecRegistry};

/// uapi headers our specs are written from; missing ones are skipped by `__has_include`.
const HEADERS: &[&str] = &[
    "linux/netlink.h",
    "linux/genetlink.h",
    "linux/rtnetlink.h",
    "linux/if.h",
    "linux/if_link.h",
    "linux/if_addr.h",
    "linux/if_addrlabel.h",
    "linux/if_arp.h",
    "linux/if_bridge.h",
    "linux/if_bonding.h",
    "linux/if_ether.h",
    "linux/if_tunnel.h",
    "linux/if_macsec.h",
    "linux/if_vlan.h",
    "linux/ip6_tunnel.h",
    "linux/ip.h",
    "linux/ipv6.h",
    "linux/in.h",
    "linux/in6.h",
    "linux/icmpv6.h",
    "linux/neighbour.h",
    "linux/fib_rules.h",
    "linux/nexthop.h",
    "linux/netconf.h",
    "linux/net_namespace.h",
    "linux/mroute.h",
    "linux/mroute6.h",
    "linux/dcbnl.h",
    "linux/lwtunnel.h",
    "linux/mpls.h",
    "linux/mpls_iptunnel.h",
    "linux/seg6.h",
    "linux/seg6_iptunnel.h",
    "linux/seg6_local.h",
    "linux/ila.h",
    "linux/ioam6_iptunnel.h",
    "linux/rpl_iptunnel.h",
    "linux/snmp.h",
    "linux/veth.h",
    "linux/filter.h",
    "linux/can/vxcan.h",
    "linux/xfrm.h",
    "linux/gen_stats.h",
    "linux/pkt_sched.h",
    "linux/pkt_cls.h",
    "linux/tc_ematch/tc_em_cmp.h",
    "linux/tc_ematch/tc_em_meta.h",
    "linux/tc_ematch/tc_em_nbyte.h",
    "linux/tc_ematch/tc_em_text.h",
    // sock_diag and its per-family headers, tcp_info and the ULP/congestion-control structs
    // (linux/mptcp.h is left out: it includes libc's netinet/in.h, which clashes with linux/in.h).
    "linux/sock_diag.h",
    "linux/inet_diag.h",
    "linux/unix_diag.h",
    "linux/netlink_diag.h",
    "linux/packet_diag.h",
    "linux/smc_diag.h",
    "linux/vm_sockets_diag.h",
    "linux/xdp_diag.h",
    "linux/tipc_sockets_diag.h",
    "linux/tcp.h",
    "linux/tls.h",
    // The classic protocols: audit, connector, crypto, SELinux, RDMA, SCSI transports.
    "linux/audit.h",
    "linux/connector.h",
    "linux/cn_proc.h",
    "linux/cryptouser.h",
    "linux/selinux_netlink.h",
    "rdma/rdma_netlink.h",
    "scsi/scsi_netlink.h",
    "scsi/scsi_netlink_fc.h",
];

fn c_ident(s: &str) -> bool {
    let mut ch = s.chars();
    ch.next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && ch.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[derive(Default)]
struct Checks {
    /// line number (1-based) -> description
    lines: BTreeMap<usize, String>,
    src: String,
    n: usize,
}

impl Checks {
    fn add(&mut self, expr: &str, want: i128, what: String) {
        self.n += 1;
        let line = self.src.lines().count() + 1;
        let _ = writeln!(
            self.src,
            "_Static_assert((long long)({expr}) == (long long)({want}LL), \"{line}\");"
        );
        self.lines.insert(line, what);
    }
}

/// Where the uapi headers come from: `NLSCOPE_UAPI_INCLUDE`, else the newer headers
/// `scripts/uapi-headers.sh` unpacks into `target/uapi` (CI runs it), else the system's.
fn uapi_include() -> std::path::PathBuf {
    if let Some(d) = std::env::var_os("NLSCOPE_UAPI_INCLUDE") {
        return d.into();
    }
    let local = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/uapi/usr/include");
    if local.join("linux/netlink.h").exists() {
        return local;
    }
    "/usr/include".into()
}

/// The kernel version (major, minor) of the headers in `inc` (linux/version.h).
fn header_version(inc: &std::path::Path) -> (u32, u32) {
    let text = std::fs::read_to_string(inc.join("linux/version.h")).unwrap_or_default();
    let code: u32 = text
        .lines()
        .find_map(|l| l.strip_prefix("#define LINUX_VERSION_CODE "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    (code >> 16, (code >> 8) & 0xff)
}

/// The embedded specs, plus the spec files in `NLSCOPE_TEST_SPEC_DIR` (colon-separated
/// directories) for checking spec files being written without rebuilding.
pub(crate) fn specs_under_test() -> SpecRegistry {
    let mut reg = SpecRegistry::with_embedded();
    if let Some(dirs) = std::env::var_os("NLSCOPE_TEST_SPEC_DIR") {
        for d in std::env::split_paths(&dirs) {
            reg.load_dir(&d)
                .unwrap_or_else(|e| panic!("{}: {e:?}", d.display()));
        }
    }
    assert!(reg.errors().is_empty(), "{:?}", reg.errors());
    reg
}

#[test]
fn spec_numbers_match_the_uapi_headers() {
    let cc = ["gcc", "cc"]
        .into_iter()
        .find(|c| Command::new(c).arg("--version").output().is_ok());
    let Some(cc) = cc else {
        eprintln!("skip: no C compiler (gcc/cc) to check spec numbers against the uapi headers");
        return;
    };
    let inc = uapi_include();
    if !inc.join("linux/rtnetlink.h").exists() {
        eprintln!(
            "skip: no uapi headers in {} (apt-get install linux-libc-dev)",
            inc.display()
        );
        return;
    }
    let triple = Command::new(cc)
        .arg("-dumpmachine")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let version = header_version(&inc);
    let reg = specs_under_test();
    let mut c = Checks::default();
    c.src.push_str("#include <stddef.h>\n");
    let mut headers: Vec<String> = HEADERS.iter().map(|h| h.to_string()).collect();
    if let Ok(rd) = std::fs::read_dir(inc.join("linux/tc_act")) {
        let mut acts: Vec<String> = rd
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".h") && n != "tc_ipt.h")
            .map(|n| format!("linux/tc_act/{n}"))
            .collect();
        acts.sort();
        headers.extend(acts);
    }
    for spec in reg.specs() {
        if let Some(h) = &spec.uapi_header
            && !headers.contains(h)
        {
            headers.push(h.clone());
        }
    }
    for h in &headers {
        let _ = writeln!(c.src, "#if __has_include(<{h}>)\n#include <{h}>\n#endif");
    }
    // Per spec: the first line of its checks and how many it generated.
    let mut per_spec: Vec<(String, bool, usize, usize)> = Vec::new();
    for spec in reg.specs() {
        let first = c.src.lines().count() + 1;
        let first_n = c.n;
        let sn = &spec.name;
        let mut sets: Vec<_> = spec.sets.values().collect();
        sets.sort_by(|a, b| a.name.cmp(&b.name));
        for set in sets {
            for a in &set.attrs {
                if c_ident(a.cname) {
                    c.add(
                        a.cname,
                        i128::from(a.value),
                        format!("{sn}: attribute {} ({})", a.cname, set.name),
                    );
                }
            }
        }
        let mut enums: Vec<_> = spec.enums.values().collect();
        enums.sort_by(|a, b| a.name.cmp(&b.name));
        for en in enums {
            // A numbering of other kernels than the headers' (IPSTATS_MIB_* before 6.3).
            let (since, until) = en.kernels;
            if since.is_some_and(|s| s > version) || until.is_some_and(|u| u < version) {
                continue;
            }
            for (v, name) in &en.entries {
                if c_ident(name) {
                    c.add(
                        name,
                        i128::from(*v),
                        format!("{sn}: enum {} entry {name}", en.name),
                    );
                }
            }
        }
        for op in &spec.ops {
            let v = op.request_values.first().or(op.reply_values.first());
            // nfnetlink: the uapi numbers a subsystem's messages without the subsystem.
            let v = v.map(|v| if spec.subsys.is_some() { v & 0xff } else { *v });
            if let Some(v) = v
                && c_ident(&op.cname)
            {
                c.add(
                    &op.cname,
                    i128::from(v),
                    format!("{sn}: message type {}", op.cname),
                );
            }
            // The kernel's answer named <REQUEST><suffix> (ethtool: _REPLY).
            if let Some(suffix) = &spec.reply_suffix
                && !op.request_values.is_empty()
                && let Some(v) = op.reply_values.first()
                && c_ident(&op.cname)
            {
                let rn = format!("{}{suffix}", op.cname);
                c.add(&rn, i128::from(*v), format!("{sn}: message type {rn}"));
            }
        }
        for g in &spec.mcast_groups {
            let cn = g.name.to_uppercase().replace('-', "_");
            if let Some(v) = g.value
                && c_ident(&cn)
            {
                c.add(&cn, i128::from(v), format!("{sn}: multicast group {cn}"));
            }
        }
        let mut structs: Vec<_> = spec.structs.values().collect();
        structs.sort_by(|a, b| a.name.cmp(b.name));
        for st in structs {
            let cs = st.name.replace('-', "_");
            if !c_ident(&cs) {
                continue;
            }
            // Members a later kernel appended (`nlscope-since`) are not in older headers.
            let newer = |m: &nlscope::dissect::specs::Member| {
                m.since
                    .as_deref()
                    .and_then(|v| v.split_once('.'))
                    .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)))
                    .is_some_and(|v| v > version)
            };
            let size: usize = if st.members.iter().any(newer) {
                st.members
                    .iter()
                    .filter(|m| !newer(m))
                    .map(|m| m.size(&spec.structs))
                    .sum()
            } else {
                st.size
            };
            c.add(
                &format!("sizeof(struct {cs})"),
                size as i128,
                format!("{sn}: sizeof(struct {cs})"),
            );
            let mut off = 0usize;
            for m in st.members.iter().filter(|m| !newer(m)) {
                let mn = m.name.replace('-', "_");
                if !matches!(m.kind, MemberKind::Pad(_)) && c_ident(&mn) {
                    c.add(
                        &format!("offsetof(struct {cs}, {mn})"),
                        off as i128,
                        format!("{sn}: offsetof(struct {cs}, {mn})"),
                    );
                }
                off += m.size(&spec.structs);
            }
        }
        let has_header = spec
            .uapi_header
            .as_ref()
            .is_some_and(|h| inc.join(h).exists());
        per_spec.push((sn.clone(), has_header, first, c.n - first_n));
    }
    let dir = std::env::temp_dir().join(format!("nlscope-uapi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("check.c");
    std::fs::write(&file, &c.src).unwrap();
    let out = Command::new(cc)
        .args(["-fsyntax-only", "-fmax-errors=0", "-w", "-std=gnu11"])
        .arg("-isystem")
        .arg(&inc)
        .arg("-isystem")
        .arg(inc.join(&triple))
        .arg(&file)
        .output()
        .expect("run the C compiler");
    let _ = std::fs::remove_dir_all(&dir);
    let diag = String::from_utf8_lossy(&out.stderr);
    let mut failed = BTreeMap::new();
    let mut unknown = BTreeMap::new();
    let mut outside = Vec::new();
    for l in diag.lines() {
        let Some(rest) = l.split_once("check.c:").map(|x| x.1) else {
            if l.contains("error:") {
                outside.push(l.to_string());
            }
            continue;
        };
        let Some(line) = rest.split(':').next().and_then(|n| n.parse::<usize>().ok()) else {
            continue;
        };
        if !rest.contains("error") {
            continue;
        }
        let Some(what) = c.lines.get(&line) else {
            outside.push(l.to_string());
            continue;
        };
        if rest.contains("static assertion failed") {
            failed.insert(line, what.clone());
        } else {
            unknown.insert(line, what.clone());
        }
    }
    for l in unknown.keys() {
        failed.remove(l);
    }
    let checked = c.n - unknown.len();
    eprintln!(
        "uapi check: {} numbers generated, {checked} checked against the headers, {} not in these headers, {} mismatches",
        c.n,
        unknown.len(),
        failed.len()
    );
    if std::env::var_os("NLSCOPE_UAPI_VERBOSE").is_some() {
        for w in unknown.values() {
            eprintln!("  not in headers: {w}");
        }
    }
    // A spec whose header is here must have most of its names in it: a wrong header or
    // prefix would otherwise pass as "not in these headers". (Small specs borrow names from
    // libc headers that clash with the uapi ones: rt-nduseropt's ND_* types.)
    let mut thin = Vec::new();
    for (i, (name, has_header, from, total)) in per_spec.iter().enumerate() {
        let to = per_spec.get(i + 1).map_or(usize::MAX, |n| n.2);
        let total = *total;
        let missing = unknown.range(*from..to).count();
        if std::env::var_os("NLSCOPE_UAPI_VERBOSE").is_some() {
            eprintln!("  {name}: {} of {total} checked", total - missing);
        }
        if *has_header && total >= 20 && (total - missing) * 10 < total * 7 {
            thin.push(format!(
                "{name}: only {} of {total} names found in its header",
                total - missing
            ));
        }
    }
    assert!(thin.is_empty(), "{thin:#?}");
    assert!(
        outside.is_empty(),
        "errors outside the checks (a header?): {outside:#?}"
    );
    assert!(
        failed.is_empty(),
        "spec numbers differ from the uapi headers: {failed:#?}"
    );
    assert!(checked > 1500, "only {checked} numbers could be checked");
}
