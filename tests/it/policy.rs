//! Generic netlink attribute policies: `nlscope specs policy` against the running kernel, and
//! nlctrl's CTRL_CMD_GETPOLICY requests and replies in `captures/genl-policy.pcap` (our own
//! traffic, recorded with strace2pcap; commands in `captures/genl-policy.cmds.txt`).

use nlscope::dissect::specs::{AttrType, SpecRegistry, SpecSource, load_spec};
use serde_json::Value as J;

use super::common::*;

/// Every node of a JSON tree, depth first.
fn nodes(tree: &J) -> Vec<&J> {
    let mut out = Vec::new();
    let mut stack: Vec<&J> = tree
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    while let Some(n) = stack.pop() {
        out.push(n);
        if let Some(c) = n["children"].as_array() {
            stack.extend(c.iter());
        }
    }
    out
}

#[test]
fn getpolicy_capture_decodes_every_policy_attribute_by_name() {
    let ms = json_msgs(&local("genl-policy.pcap"), &["-Y", "genl.cmd == 10"]);
    let (req, rep): (Vec<&J>, Vec<&J>) = ms.iter().partition(|m| m["direction"] == "to-kernel");
    assert_eq!(
        (req.len(), rep.len()),
        (3, 15),
        "GETPOLICY requests and replies"
    );
    let mut types = Vec::new();
    let mut op_policy = 0;
    for m in &rep {
        for n in nodes(&m["tree"]) {
            assert_eq!(n["raw"], false, "raw node in {}: {n}", m["frame"]);
            assert!(n["expert"].is_null(), "expert in {}: {n}", m["frame"]);
            let name = n["name"].as_str().unwrap();
            assert!(!name.starts_with("attr "), "unnamed attribute: {n}");
            if name == "NL_POLICY_TYPE_ATTR_TYPE" {
                types.push(n["display"].as_str().unwrap().to_string());
            }
            if name == "CTRL_ATTR_OP_POLICY" {
                op_policy += 1;
                // op -> CTRL_ATTR_POLICY_DO / _DUMP
                let op = &n["children"][0];
                assert!(op["name"].as_str().unwrap().starts_with("op-id "), "{op}");
                let kids: Vec<&str> = op["children"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c["name"].as_str().unwrap())
                    .collect();
                assert!(
                    kids.iter().all(|k| k.starts_with("CTRL_ATTR_POLICY_D")),
                    "{kids:?}"
                );
            }
        }
    }
    // nlctrl: getfamily (do+dump), getpolicy (dump-only, reported as op 0); ethtool op 1.
    assert_eq!(op_policy, 3);
    // policy idx -> attr type -> NL_POLICY_TYPE_ATTR_*, the type by its enum name.
    assert!(types.len() >= 10, "{types:?}");
    for want in [
        "NL_ATTR_TYPE_U16 (3)",
        "NL_ATTR_TYPE_NUL_STRING (12)",
        "NL_ATTR_TYPE_NESTED (13)",
        "NL_ATTR_TYPE_FLAG (1)",
    ] {
        assert!(types.iter().any(|t| t == want), "{want} not in {types:?}");
    }
    // The nested reference, mask and minimum of ethtool's header policy.
    let ethtool = json_msgs(
        &local("genl-policy.pcap"),
        &["-Y", "genl.cmd == 10 && nlctrl.family-id == 21"],
    );
    let all: Vec<&J> = ethtool.iter().flat_map(|m| nodes(&m["tree"])).collect();
    let field = |f: &str| -> Vec<&J> { all.iter().copied().filter(|n| n["field"] == f).collect() };
    assert!(
        field("nlctrl.policy.policy-idx")
            .iter()
            .any(|n| n["value"] == 1)
    );
    assert!(
        field("nlctrl.policy.policy-maxtype")
            .iter()
            .any(|n| n["value"] == 4)
    );
    assert!(field("nlctrl.policy.mask").iter().any(|n| n["value"] == 3));
    assert!(
        field("nlctrl.policy.min-value-u")
            .iter()
            .any(|n| n["value"] == 1)
    );
    // Requests: family name and op.
    let reqs: Vec<&J> = req.iter().flat_map(|m| nodes(&m["tree"])).collect();
    assert!(
        reqs.iter()
            .any(|n| n["field"] == "nlctrl.op" && n["value"] == 77)
    );
    assert!(
        reqs.iter()
            .any(|n| n["field"] == "nlctrl.family-name" && n["value"] == "ethtool")
    );
    // Nothing of the capture stays raw.
    let out = run_ok(&[
        "read",
        "-r",
        local("genl-policy.pcap").to_str().unwrap(),
        "--coverage",
    ]);
    let row = out
        .lines()
        .find(|l| l.contains("CTRL_CMD_GETPOLICY"))
        .unwrap_or_else(|| panic!("{out}"));
    let cols: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(cols.get(4), Some(&"0"), "raw bytes: {row}");
}

#[test]
fn capped_error_acks_do_not_read_extack_attributes_as_the_command() {
    // Frame 17: ENOENT for `--op 77`, capped, with NLMSGERR_ATTR_OFFS; its first byte used to be
    // taken for the request's genl command (8, CTRL_CMD_DELMCAST_GRP).
    let ms = json_msgs(&local("genl-policy.pcap"), &["-Y", "frame.number == 17"]);
    assert_eq!(ms.len(), 1);
    assert_eq!(ms[0]["summary"], "error -2 ENOENT for nlctrl");
}

/// `nlscope specs policy ARGS`, or `None` (reason printed) where the kernel lacks GETPOLICY.
fn policy(args: &[&str]) -> Option<std::process::Output> {
    let mut all = vec!["specs", "policy"];
    all.extend_from_slice(args);
    let out = run(&all);
    assert_no_panic(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    if err.contains("CTRL_CMD_GETPOLICY needs Linux 5.7") {
        eprintln!("SKIP specs policy: {err}");
        return None;
    }
    Some(out)
}

#[test]
fn specs_policy_reads_this_kernel() {
    let Some(out) = policy(&["nlctrl"]) else {
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let t = String::from_utf8(out.stdout).unwrap();
    assert!(t.starts_with("nlctrl (id 16): "), "{t}");
    assert!(
        t.contains("  getfamily (3)\n    do, dump: policy 0 [ctrl-attrs]\n"),
        "{t}"
    );
    assert!(
        t.contains(" family-name                  nul-string, max length 15\n"),
        "{t}"
    );
    // getpolicy is dump-only: the kernel says op 0, we say 10.
    assert!(t.contains("  getpolicy (10)\n    dump: policy "), "{t}");
    assert!(!t.contains("op 0"), "{t}");

    let j: J = serde_json::from_str(&run_ok(&["specs", "policy", "nlctrl", "--json"])).unwrap();
    let f = &j[0];
    assert_eq!(
        (f["family"].as_str(), f["id"].as_u64()),
        (Some("nlctrl"), Some(16))
    );
    let ops: Vec<(u64, &str)> = f["ops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["op"].as_u64().unwrap(), o["name"].as_str().unwrap()))
        .collect();
    assert!(
        ops.contains(&(3, "getfamily")) && ops.contains(&(10, "getpolicy")),
        "{ops:?}"
    );
    let name = f["policies"][0]["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "family-name")
        .unwrap();
    assert_eq!(
        (&name["type"], &name["max_length"]),
        (&J::from("nul-string"), &J::from(15))
    );

    // The skeleton is a loadable spec with the kernel's numbers.
    let y = run_ok(&["specs", "policy", "nlctrl", "--yaml"]);
    assert!(y.contains("# SKELETON"), "{y}");
    let s = load_spec(&y, SpecSource::Embedded("skeleton".into())).unwrap();
    let set = s.sets.get("ctrl-attrs").unwrap();
    assert_eq!(set.by_name("family-name").map(|a| a.value), Some(2));
    assert!(s.ops.iter().any(|o| o.name == "getpolicy"));

    // One op; every family; errors.
    let one = run_ok(&["specs", "policy", "nlctrl", "--op", "getfamily"]);
    assert!(
        one.contains("  getfamily (3)") && !one.contains("getpolicy"),
        "{one}"
    );
    let all = run_ok(&["specs", "policy"]);
    assert!(
        all.lines().any(|l| l.starts_with("nlctrl (id 16): ")),
        "{all}"
    );
    let bad = run(&["specs", "policy", "nosuchfamily"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("no generic netlink family 'nosuchfamily'")
    );
    let bad = run(&["specs", "policy", "all", "--op", "3"]);
    assert_eq!(bad.status.code(), Some(2));
    let bad = run(&["specs", "policy", "nlctrl", "--op", "nosuchop"]);
    assert_eq!(bad.status.code(), Some(2));
}

/// Attributes whose policy says u32 while the kernel puts a signed value in them: thermal's
/// temperatures are `int` millidegrees Celsius put with nla_put_u32
/// (drivers/thermal/thermal_netlink.c, 6.1 to 6.18), and below zero is a real reading.
const SIGNED_IN_USE: &[&str] = &[
    "thermal.tz-temp",
    "thermal.tz-trip-temp",
    "thermal.threshold-temp",
];

/// The YNL type names a kernel policy type is compatible with.
fn compatible(kernel: &str, spec: &AttrType) -> bool {
    let s = match spec {
        AttrType::Scalar(s) => format!("{s:?}"),
        other => format!("{other:?}"),
    };
    match kernel {
        "u8" => s == "U(1)",
        "u16" => s == "U(2)",
        "u32" => s == "U(4)",
        "u64" => s == "U(8)",
        "s8" => s == "S(1)",
        "s16" => s == "S(2)",
        "s32" => s == "S(4)",
        "s64" => s == "S(8)",
        "uint" => s == "UVar",
        "sint" => s == "SVar",
        "flag" => s == "Flag",
        "string" | "nul-string" => s == "String",
        "nested" => s == "Nest" || s.starts_with("NestTypeValue") || s.starts_with("SubMessage"),
        "nested-array" => s.starts_with("IndexedArray"),
        "bitfield32" => s == "Bitfield32",
        // NLA_BINARY and NLA_UNSPEC-with-length cover structs and arrays; also
        // NLA_POLICY_MIN_LEN'd strings.
        "binary" => s.starts_with("Binary") || s == "String",
        _ => false,
    }
}

#[test]
fn kernel_policies_agree_with_the_kernels_ynl_specs() {
    let Some(sh) = shared("policy names and types from the kernel's YNL specs") else {
        return;
    };
    let dir = sh.join("ynl-specs");
    let Some(out) = policy(&["--spec-dir", dir.to_str().unwrap(), "--json"]) else {
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: J = serde_json::from_slice(&out.stdout).unwrap();
    let mut reg = SpecRegistry::with_embedded();
    reg.load_dir(&dir).unwrap();
    let (mut named, mut checked, mut total) = (0, 0, 0);
    let mut bad = Vec::new();
    for f in j.as_array().unwrap() {
        let Some(spec) = f["family"].as_str().and_then(|n| reg.get(n)) else {
            continue;
        };
        for p in f["policies"].as_array().into_iter().flatten() {
            let set = p["set"].as_str().and_then(|s| spec.sets.get(s));
            for a in p["attributes"].as_array().unwrap() {
                total += 1;
                let Some(name) = a["name"].as_str() else {
                    continue;
                };
                named += 1;
                let sa = set.and_then(|s| s.by_name(name)).unwrap();
                let kt = a["type"].as_str().unwrap();
                let key = format!("{}.{name}", spec.name);
                if compatible(kt, &sa.ty) || SIGNED_IN_USE.contains(&key.as_str()) {
                    checked += 1;
                } else {
                    bad.push(format!(
                        "{}.{}: kernel {kt}, spec {:?}",
                        spec.name, name, sa.ty
                    ));
                }
            }
        }
    }
    eprintln!("{named} of {total} kernel policy attributes named by a spec; {checked} types agree");
    assert!(bad.is_empty(), "{bad:#?}");
}
