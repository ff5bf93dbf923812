//! Our spec files against the kernel's YNL specs (../shared/ynl-specs), an independent oracle
//! never copied into the repository: where both describe an attribute (same C name), its number
//! and type must agree; where both name an enum entry or an operation, its value must agree.

use std::collections::HashMap;

use nlscope::dissect::specs::{AttrType, Scalar, Spec, SpecSource, load_spec};

use super::common::shared;
use super::uapi::specs_under_test;

/// A type's class for comparison: variable-width integers agree with the fixed widths the
/// kernel used before `uint`/`sint` existed (Linux 6.7).
fn class(t: &AttrType) -> Option<String> {
    Some(match t {
        AttrType::Scalar(Scalar::U(n)) => format!("u{}", 8 * u32::from(*n)),
        AttrType::Scalar(Scalar::S(n)) => format!("s{}", 8 * u32::from(*n)),
        AttrType::Scalar(Scalar::UVar) => "uint".into(),
        AttrType::Scalar(Scalar::SVar) => "sint".into(),
        AttrType::String => "string".into(),
        AttrType::Binary { .. } => "binary".into(),
        AttrType::Flag => "flag".into(),
        AttrType::Nest => "nest".into(),
        AttrType::IndexedArray(_) => "indexed-array".into(),
        AttrType::NestTypeValue(_) => "nest-type-value".into(),
        AttrType::SubMessage { .. } => "sub-message".into(),
        AttrType::Bitfield32 => "bitfield32".into(),
        AttrType::Pad | AttrType::Unused | AttrType::Other(_) => return None,
    })
}

/// Where the kernel's YNL files are wrong or vaguer than the kernel's own code, with the fact
/// that decides: (C name or C name prefix, why ours differs).
const KNOWN: &[(&str, &str)] = &[
    (
        "chain-attrs.flags",
        "nftables: nf_tables.h numbers NFTA_CHAIN_FLAGS 10 after NFTA_CHAIN_PAD 9; the kernel's file leaves the pad out (uapi test checks ours)",
    ),
    (
        "chain-attrs.id",
        "nftables: NFTA_CHAIN_ID is 11 in nf_tables.h (pad 9 counted)",
    ),
    (
        "chain-attrs.userdata",
        "nftables: NFTA_CHAIN_USERDATA is 12 in nf_tables.h (pad 9 counted)",
    ),
    (
        "rule-attrs.id",
        "nftables: NFTA_RULE_ID is 9 in nf_tables.h (NFTA_RULE_PAD 8 counted)",
    ),
    (
        "rule-attrs.position-id",
        "nftables: NFTA_RULE_POSITION_ID is 10 in nf_tables.h (pad counted)",
    ),
    (
        "rule-attrs.chain-id",
        "nftables: NFTA_RULE_CHAIN_ID is 11 in nf_tables.h (pad counted)",
    ),
    (
        "setelem-attrs.objref",
        "nftables: NFTA_SET_ELEM_OBJREF is 9 in nf_tables.h (NFTA_SET_ELEM_PAD 8 counted)",
    ),
    (
        "setelem-attrs.key-end",
        "nftables: NFTA_SET_ELEM_KEY_END is 10 in nf_tables.h (pad counted)",
    ),
    (
        "setelem-attrs.expressions",
        "nftables: NFTA_SET_ELEM_EXPRESSIONS is 11 in nf_tables.h (pad counted)",
    ),
    (
        "verdict-attrs.code",
        "nftables: a verdict is an int, negative for NFT_CONTINUE..NFT_RETURN (enum nft_verdicts)",
    ),
    (
        "flowtable-hook-attrs.priority",
        "nftables: the kernel reads the priority into an int; priorities can be negative",
    ),
    (
        "setelem-list-attrs.elements",
        "nftables: nft numbers the elements 1..n and the kernel ignores the type: an indexed array reads requests and replies",
    ),
    (
        "vport.ifindex",
        "ovs_vport: vport_policy NLA_S32 with a minimum of 0 (6.1 policy dump)",
    ),
    (
        "vport.netnsid",
        "ovs_vport: vport_policy NLA_S32, put with nla_put_s32 (a netns id may be -1)",
    ),
    (
        "vport-options.dst-port",
        "ovs_vport: openvswitch.h calls OVS_TUNNEL_ATTR_DST_PORT a 16-bit UDP port; nla_put_u16",
    ),
    (
        "vport-options.extension",
        "ovs_vport: OVS_TUNNEL_ATTR_EXTENSION is a nest of OVS_VXLAN_EXT_* attributes",
    ),
    (
        "OVS_DP_ATTR_IFINDEX",
        "datapath_policy: NLA_S32 with a minimum of 0 (an ifindex given as a signed int)",
    ),
    (
        "OVS_ACTION_ATTR_PSAMPLE",
        "linux/openvswitch.h numbers it 25, after OVS_ACTION_ATTR_DROP = 24 (checked by the uapi test)",
    ),
    (
        "NL80211_WOWLAN_TRIG_PKT_PATTERN",
        "nl80211.h: a nest of patterns in the request, not a flag",
    ),
    (
        "NL80211_WOWLAN_TRIG_WAKEUP_PKT_",
        "nl80211.h: the wakeup report carries the packet (binary) and its length (u32)",
    ),
    (
        "NL80211_WOWLAN_TRIG_TCP_CONNECTION",
        "nl80211.h: a nest of NL80211_WOWLAN_TCP_* attributes",
    ),
    (
        "NL80211_WOWLAN_TRIG_NET_DETECT",
        "nl80211.h: a nest of scheduled-scan attributes in requests",
    ),
    (
        "NL80211_ATTR_RX_SIGNAL_DBM",
        "nl80211_send_mgmt: nla_put_u32 of a negative dBm value; nl80211.h documents it signed",
    ),
    (
        "NL80211_ATTR_MLO_TTLM_",
        "nl80211.h: 8 u16 link bitmaps, one per TID (a binary array in the kernel's spec)",
    ),
    (
        "MPTCP_ATTR_IF_IDX",
        "mptcp_event_put_token_and_ssk: nla_put_s32 of sk_bound_dev_if (linux/mptcp.h says s32)",
    ),
    (
        "ETHTOOL_A_STATS_GRP_STAT",
        "stat_put(): a nest holding one u64 whose attribute type is the counter's index",
    ),
    (
        "ETHTOOL_MODULE_FW_FLASH_STATUS_",
        "linux/ethtool.h: STARTED = 1 (the uapi test checks it)",
    ),
    (
        "ETHTOOL_C33_PSE_EXT_STATE_",
        "linux/ethtool.h: PD_DLL_POWER_TYPE is 7, so these are 8 and 9 (the uapi test checks it)",
    ),
    (
        "NL_POLICY_TYPE_ATTR_MASK",
        "linux/netlink.h: 12 (NL_POLICY_TYPE_ATTR_PAD is 11; nlctrl.yaml omits pad)",
    ),
    (
        "IFLA_BRPORT_",
        "br_port_policy: NLA_U8 and br_port_fill_attrs nla_put_u8, not zero-length flags",
    ),
    ("IFLA_BOND_SLAVE_PRIO", "bond_slave_policy: NLA_S32"),
    (
        "TCA_CAKE_OVERHEAD",
        "cake_policy: NLA_S32 (negative overhead compensation)",
    ),
    (
        "TCA_TUNNEL_KEY_ENC_KEY_ID",
        "tunnel_key_dump: nla_put_be32, a 32-bit key id",
    ),
    ("FRA_SRC", "an address of the rule's family: 4 or 16 bytes"),
    ("FRA_DST", "an address of the rule's family: 4 or 16 bytes"),
    (
        "IFLA_PROTO_DOWN_REASON",
        "rtnl_fill_proto_down: a nest of IFLA_PROTO_DOWN_REASON_MASK/VALUE",
    ),
    (
        "IFLA_WIRELESS",
        "wireless extensions events: struct iw_event records, not text",
    ),
    (
        "IFLA_PROTINFO",
        "a nest whose set depends on the family (AF_BRIDGE, AF_INET6), not text",
    ),
];

/// Ours agrees with the kernel's spec: the same type; or a refinement of its `binary` (a
/// struct, nest, integer or text the kernel's spec left undescribed); or an integer width
/// the kernel fixed before `uint`/`sint` existed (Linux 6.7).
fn agree(ours: &str, theirs: &str) -> bool {
    ours == theirs
        || theirs == "binary"
        || matches!(
            (ours, theirs),
            ("uint", "u32" | "u64") | ("u32" | "u64", "uint")
        )
        || matches!(
            (ours, theirs),
            ("sint", "s32" | "s64") | ("s32" | "s64", "sint")
        )
}

/// C name (or, with `by_set`, `<set>.<attr>`) -> (number, class) of every attribute of a
/// spec, over all its sets.
fn attrs(spec: &Spec, by_set: bool) -> HashMap<String, Vec<(u16, String)>> {
    let mut m: HashMap<String, Vec<(u16, String)>> = HashMap::new();
    for set in spec.sets.values() {
        for a in &set.attrs {
            if let Some(c) = class(&a.ty) {
                let key = if by_set {
                    format!("{}.{}", set.name, a.name)
                } else {
                    a.cname.to_string()
                };
                m.entry(key).or_default().push((a.value, c));
            }
        }
    }
    m
}

#[test]
fn our_specs_agree_with_the_kernel_ynl_specs() {
    let Some(sh) = shared("comparing our specs with the kernel's YNL specs") else {
        return;
    };
    let reg = specs_under_test();
    let mut problems = Vec::new();
    let mut compared = 0usize;
    let mut families = 0usize;
    let mut files: Vec<_> = std::fs::read_dir(sh.join("ynl-specs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    for p in files {
        let theirs = load_spec(
            &std::fs::read_to_string(&p).unwrap(),
            SpecSource::File(p.clone()),
        )
        .unwrap();
        let Some(ours) = reg.get(&theirs.name) else {
            continue;
        };
        families += 1;
        let fam = &theirs.name;
        let mut n = 0usize;
        // The kernel's ovs_* files give no name-prefix, so their C names are not the uapi's
        // (OVS_VPORT_A_VPORT_PORT_NO for OVS_VPORT_ATTR_PORT_NO): then sets and attributes
        // are matched by their YNL names.
        let mut by_set = false;
        let mut their_attrs = attrs(&theirs, false);
        let mine_attrs = attrs(ours, false);
        if !mine_attrs.keys().any(|k| their_attrs.contains_key(k)) {
            by_set = true;
            their_attrs = attrs(&theirs, true);
        }
        for (cname, mine) in attrs(ours, by_set) {
            let Some(t) = their_attrs.get(&cname) else {
                continue;
            };
            n += 1;
            // A C name can sit in several sets (IFLA_STATS_LINK_64 is also a filter mask):
            // one pair that agrees in number and type is enough.
            let ok = mine
                .iter()
                .any(|(v, c)| t.iter().any(|(tv, tc)| tv == v && agree(c, tc)));
            if !ok && !KNOWN.iter().any(|(k, _)| cname.starts_with(k)) {
                problems.push(format!(
                    "{fam}: {cname} is {mine:?}, the kernel's spec says {t:?}"
                ));
            }
        }
        let their_enums: HashMap<&str, i64> = theirs
            .enums
            .values()
            .flat_map(|e| e.entries.iter().map(|(v, c)| (*c, *v)))
            .collect();
        for e in ours.enums.values() {
            for (v, c) in &e.entries {
                if let Some(tv) = their_enums.get(*c) {
                    n += 1;
                    if tv != v && !KNOWN.iter().any(|(k, _)| c.starts_with(k)) {
                        problems.push(format!("{fam}: {c} is {v}, the kernel's spec says {tv}"));
                    }
                }
            }
        }
        for op in &ours.ops {
            if let Some(t) = theirs.ops.iter().find(|t| t.cname == op.cname) {
                n += 1;
                if t.request_values.first() != op.request_values.first()
                    && t.reply_values.first() != op.reply_values.first()
                {
                    problems.push(format!(
                        "{fam}: {} is {:?}/{:?}, the kernel's spec says {:?}/{:?}",
                        op.cname,
                        op.request_values,
                        op.reply_values,
                        t.request_values,
                        t.reply_values
                    ));
                }
            }
        }
        let how = if by_set { " (by YNL name)" } else { "" };
        eprintln!("{fam}: {n} names compared with the kernel's spec{how}");
        assert!(n > 0, "{fam}: no C name in common with the kernel's spec");
        compared += n;
    }
    eprintln!("{families} families, {compared} names compared");
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(
        families >= 5,
        "only {families} of our families have a kernel spec"
    );
}
