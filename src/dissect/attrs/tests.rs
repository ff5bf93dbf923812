//! Walker tests over a synthetic spec: arrays, unions, selectors, sub-messages.

use super::*;
use crate::netlink::nla;

const LE: crate::model::Endian = crate::model::Endian::Little;
use crate::dissect::specs::{SpecSource, load_spec};

const SPEC: &str = r#"
name: deep
protocol: netlink-raw
protonum: 0
definitions:
  - name: conf
    type: enum
    name-prefix: conf-
    value-start: 1
    entries: [forwarding, mtu]
  - name: conf-old
    type: enum
    name-prefix: conf-
    value-start: 1
    nlscope-until: "6.2"
    entries: [mtu, forwarding]
  - name: rec
    type: struct
    members:
      - {name: len, type: u16}
      - {name: hops, type: u8}
      - {name: pad, type: pad, len: 1}
  - name: via
    type: struct
    members:
      - {name: family, type: u16}
      - {name: addr, type: binary, sub-type: u8, display-hint: ipv4-or-v6}
  - name: pair
    type: struct
    members:
      - {name: n, type: u8}
      - {name: pad, type: pad, len: 1}
      - {name: both, type: binary, len: 4, sub-type: u16}
      - {name: later, type: u16, nlscope-since: "6.7"}
  - name: key
    type: struct
    members:
      - {name: mask, type: u32, display-hint: hex}
      - {name: "off", type: u16}
      - {name: pad, type: pad, len: 2}
  - name: sel
    type: struct
    members:
      - {name: flags, type: u8}
      - {name: nkeys, type: u8}
      - {name: pad, type: pad, len: 2}
      - {name: keys, type: binary, struct: key, nlscope-count: nkeys}
  - name: entry
    type: struct
    members:
      - {name: ifindex, type: u32}
  - name: xstats
    type: struct
    members:
      - {name: type, type: u32}
      - {name: stats, type: binary, sub-message: arms, selector: type}
  - name: big-arm
    type: struct
    members:
      - {name: a, type: u32}
      - {name: b, type: u32}
      - {name: c, type: u32}
  - name: small-arm
    type: struct
    members:
      - {name: d, type: s32}
  - name: qopt
    type: struct
    members:
      - {name: defcls, type: u16}
  - name: rest-hdr
    type: struct
    members:
      - {name: n, type: u8}
      - {name: pad, type: pad, len: 3}
      - {name: items, type: binary, sub-type: binary, struct: key}
  - name: tail-sel
    type: struct
    members:
      - {name: u, type: binary, sub-message: arms, selector: t}
      - {name: t, type: u16}
      - {name: pad, type: pad, len: 2}
attribute-sets:
  - name: top
    attributes:
      - {name: kind, type: string}
      - {name: sel, type: binary, struct: sel}
      - {name: group, type: binary, sub-type: binary, struct: key}
      - {name: info, type: nest, fixed-header: entry, nested-attributes: eattrs}
      - {name: stats2, type: nest, nested-attributes: stats}
      - {name: options, type: sub-message, sub-message: opts, selector: kind}
      - {name: tail, type: binary, struct: tail-sel}
      - {name: rest, type: binary, struct: rest-hdr}
      - {name: conf, type: binary, sub-type: s32, nlscope-index: conf, nlscope-index-start: 1, nlscope-index-by-count: {2: conf-old}}
      - {name: table, type: binary, sub-type: u32}
      - {name: secret, type: binary, nlscope-opaque: true}
      - {name: pair, type: binary, struct: pair}
      - {name: plain, type: binary}
      - {name: via, type: binary, struct: via}
      - {name: recs, type: binary, sub-type: binary, struct: rec, nlscope-record-len: len, nested-attributes: eattrs}
      - {name: gw, type: u32, byte-order: big-endian, display-hint: ipv4}
  - name: eattrs
    attributes:
      - {name: timer, type: u32}
  - name: stats
    attributes:
      - {name: app, type: sub-message, sub-message: app-msg, selector: kind}
  - name: curves
    attributes:
      - {name: rsc, type: u32}
sub-messages:
  - name: app-msg
    formats:
      - {value: fq, fixed-header: xstats}
  - name: arms
    formats:
      - {value: 0, fixed-header: big-arm}
      - {value: 1, fixed-header: small-arm}
  - name: opts
    formats:
      - {value: fq, fixed-header: qopt}
      - {value: fq, attribute-set: curves, nlscope-ops: [newclass]}
"#;

fn spec() -> Spec {
    load_spec(SPEC, SpecSource::Embedded("deep".into())).unwrap()
}

fn key(mask: u32, off: u16) -> Vec<u8> {
    let mut k = mask.to_le_bytes().to_vec();
    k.extend_from_slice(&off.to_le_bytes());
    k.extend_from_slice(&[0, 0]);
    k
}

fn walk(spec: &Spec, data: &[u8], op: Option<&str>) -> Vec<Node> {
    let w = Walker {
        data,
        endian: Endian::Little,
        spec: Some(spec),
        overrides: Vec::new(),
        op,
        want: None,
        prune: None,
    };
    w.attrs(0, data.len(), spec.sets.get("top"), "deep", 0)
}

fn child<'n>(n: &'n Node, name: &str) -> &'n Node {
    n.children
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no {name} under {}: {:?}", n.name, n.children))
}

fn any_raw(nodes: &[Node]) -> bool {
    nodes.iter().any(|n| n.raw || any_raw(&n.children))
}

#[test]
fn counted_array_after_a_struct() {
    let s = spec();
    assert_eq!(
        s.structs["sel"].size, 4,
        "the flexible array is not in sizeof"
    );
    let mut p = vec![7, 2, 0, 0];
    p.extend(key(0xff00_0000, 12));
    p.extend(key(0xffff, 20));
    let data = nla(LE, 2, &p);
    let n = &walk(&s, &data, None)[0];
    let keys = child(n, "keys");
    assert_eq!((keys.offset, keys.length), (8, 16));
    assert_eq!(keys.children.len(), 2);
    let k1 = &keys.children[1];
    assert_eq!((&*k1.name, k1.offset, k1.length), ("[1]", 16, 8));
    assert_eq!(child(k1, "mask").display_text(), "0xffff");
    assert_eq!(child(k1, "off").value, Value::Uint(20));
    assert_eq!(child(k1, "off").field, "deep.sel.keys.off");
    assert!(!any_raw(std::slice::from_ref(n)));

    // nkeys says 3, only 2 fit: both decoded, a warning says so.
    let mut p = vec![0, 3, 0, 0];
    p.extend(key(1, 1));
    p.extend(key(2, 2));
    let data = nla(LE, 2, &p);
    let keys = child(&walk(&s, &data, None)[0], "keys").clone();
    assert_eq!(keys.children.len(), 2);
    let e = keys.expert.expect("warning");
    assert_eq!(e.severity, Severity::Warning);
    assert!(e.text.contains("nkeys is 3"), "{}", e.text);

    // nkeys says 1 of 2: the second key is left over, raw.
    let mut p = vec![0, 1, 0, 0];
    p.extend(key(1, 1));
    p.extend(key(2, 2));
    let data = nla(LE, 2, &p);
    let n = &walk(&s, &data, None)[0];
    assert_eq!(child(n, "keys").children.len(), 1);
    let t = child(n, "trailing bytes");
    assert!(t.raw && t.length == 8);

    // A huge count on a short payload allocates nothing.
    let data = nla(LE, 2, &[0, 255, 0, 0]);
    assert!(child(&walk(&s, &data, None)[0], "keys").children.is_empty());
}

#[test]
fn struct_array_to_the_end_of_a_struct() {
    let s = spec();
    assert_eq!(s.structs["rest-hdr"].size, 4);
    let mut p = vec![9, 0, 0, 0];
    p.extend(key(1, 10));
    p.extend(key(2, 20));
    let n = &walk(&s, &nla(LE, 8, &p), None)[0];
    let items = child(n, "items");
    assert_eq!(items.display_text(), "2 x key");
    assert_eq!((items.offset, items.length), (8, 16));
    assert_eq!(child(&items.children[1], "off").value, Value::Uint(20));
    assert!(items.expert.is_none());
    assert!(!any_raw(std::slice::from_ref(n)));
    // Bytes too few for one more element stay raw, flagged as trailing.
    p.extend([0xaa, 0xbb, 0xcc, 0xdd]);
    let n = &walk(&s, &nla(LE, 8, &p), None)[0];
    assert_eq!(child(n, "items").children.len(), 2);
    assert!(child(n, "trailing bytes").raw);
    // No room at all: an empty array, no panic.
    let n = &walk(&s, &nla(LE, 8, &[1, 0, 0, 0]), None)[0];
    assert!(child(n, "items").children.is_empty());
}

#[test]
fn binary_attribute_holding_an_array_of_structs() {
    let s = spec();
    let mut p = key(1, 10);
    p.extend(key(2, 20));
    p.extend(key(3, 30));
    let data = nla(LE, 3, &p);
    let n = &walk(&s, &data, None)[0];
    assert_eq!(n.display_text(), "3 x key");
    let offs: Vec<u64> = n
        .children
        .iter()
        .map(|e| match child(e, "off").value {
            Value::Uint(v) => v,
            _ => 0,
        })
        .collect();
    assert_eq!(offs, vec![10, 20, 30]);
    assert_eq!(n.children[2].offset, 4 + 16);

    p.extend([9, 9]);
    let data = nla(LE, 3, &p);
    let n = &walk(&s, &data, None)[0];
    let t = child(n, "trailing bytes");
    assert!(t.raw && t.length == 2);
    assert_eq!(
        t.expert.as_ref().map(|e| e.severity),
        Some(Severity::Warning)
    );
}

#[test]
fn nest_with_a_fixed_header_then_attributes() {
    let s = spec();
    let mut p = 6u32.to_le_bytes().to_vec();
    p.extend(nla(LE, 1, &25949u32.to_le_bytes()));
    let data = nla(LE, 4, &p);
    let n = &walk(&s, &data, None)[0];
    let h = child(n, "entry");
    assert_eq!((h.offset, h.length), (4, 4));
    assert_eq!(child(h, "ifindex").value, Value::Uint(6));
    assert_eq!(child(h, "ifindex").field, "deep.info.entry.ifindex");
    let t = child(n, "DEEP_A_EATTRS_TIMER");
    assert_eq!((t.value.clone(), t.offset), (Value::Uint(25949), 8));
    assert!(!any_raw(std::slice::from_ref(n)));

    // Shorter than the header: an expert, no panic.
    let data = nla(LE, 4, &[1, 2]);
    let n = &walk(&s, &data, None)[0];
    assert!(
        n.children
            .iter()
            .any(|c| c.expert.is_some() || c.children.iter().any(|k| k.expert.is_some()))
    );
}

fn app(ty: u32, arm: &[u8]) -> Vec<u8> {
    let mut x = ty.to_le_bytes().to_vec();
    x.extend_from_slice(arm);
    nla(LE, 5, &nla(LE, 1, &x))
}

#[test]
fn selector_found_in_an_ancestor_and_union_arms() {
    let s = spec();
    assert_eq!(s.structs["xstats"].size, 16, "type + the largest arm");
    let mut arm = Vec::new();
    for v in [1u32, 2, 3] {
        arm.extend(v.to_le_bytes());
    }
    let mut data = nla(LE, 1, b"fq\0");
    data.extend(app(0, &arm));
    let nodes = walk(&s, &data, None);
    let a = child(&nodes[1], "DEEP_A_STATS_APP");
    assert_eq!(a.display_text(), "fq", "kind came from two levels up");
    let stats = child(child(a, "xstats"), "stats");
    assert_eq!(stats.display_text(), "big-arm");
    assert_eq!(child(stats, "c").value, Value::Uint(3));

    // Arm 1 is smaller: its member, then the rest of the union as padding (not raw).
    let mut arm = (-5i32).to_le_bytes().to_vec();
    arm.extend([0; 8]);
    let mut data = nla(LE, 1, b"fq\0");
    data.extend(app(1, &arm));
    let nodes = walk(&s, &data, None);
    let stats = child(
        child(child(&nodes[1], "DEEP_A_STATS_APP"), "xstats"),
        "stats",
    );
    assert_eq!(child(stats, "d").value, Value::Int(-5));
    assert_eq!(child(stats, "union padding").length, 8);
    assert!(!any_raw(&nodes));

    // An unknown arm: bytes, raw, with a note.
    let mut data = nla(LE, 1, b"fq\0");
    data.extend(app(9, &[0; 12]));
    let nodes = walk(&s, &data, None);
    let stats = child(
        child(child(&nodes[1], "DEEP_A_STATS_APP"), "xstats"),
        "stats",
    );
    assert!(stats.raw && stats.expert.is_some());

    // No kind anywhere: the app payload stays bytes with a note.
    let data = app(0, &[0; 12]);
    let nodes = walk(&s, &data, None);
    let a = child(&nodes[0], "DEEP_A_STATS_APP");
    assert!(a.raw);
    assert!(
        a.expert
            .as_ref()
            .is_some_and(|e| e.text.contains("no 'kind'"))
    );
}

#[test]
fn union_selected_by_a_later_member() {
    let s = spec();
    assert_eq!(s.structs["tail-sel"].size, 16);
    let mut p = (-7i32).to_le_bytes().to_vec();
    p.extend([0; 8]);
    p.extend(1u16.to_le_bytes());
    p.extend([0, 0]);
    let data = nla(LE, 7, &p);
    let n = &walk(&s, &data, None)[0];
    let u = child(n, "u");
    assert_eq!(
        (&*u.display_text(), u.offset, u.length),
        ("small-arm", 4, 12)
    );
    assert_eq!(child(u, "d").value, Value::Int(-7));
    assert_eq!(child(n, "t").value, Value::Uint(1));
    // A plain number's display is made where it is shown, not kept in the tree.
    let t = child(n, "t");
    assert!(t.plain && t.display.is_empty());
    assert_eq!(t.display_text(), "1");
    // Truncated before the selector: the union says it has none, nothing panics.
    let data = nla(LE, 7, &p[..12]);
    let n = &walk(&s, &data, None)[0];
    let u = child(n, "u");
    assert!(u.raw && u.expert.as_ref().is_some_and(|e| e.text.contains("no t")));
}

#[test]
fn sub_message_format_by_operation() {
    let s = spec();
    let mut data = nla(LE, 1, b"fq\0");
    data.extend(nla(LE, 6, &nla(LE, 1, &7u32.to_le_bytes())));
    // Another op: the format without nlscope-ops (a struct).
    let nodes = walk(&s, &data, Some("newqdisc"));
    assert!(
        child(&nodes[1], "qopt")
            .children
            .iter()
            .any(|c| c.name == "defcls")
    );
    let nodes = walk(&s, &data, None);
    assert!(nodes[1].children.iter().any(|c| c.name == "qopt"));
    // The op the format names: its attribute set.
    let nodes = walk(&s, &data, Some("newclass"));
    let rsc = child(&nodes[1], "DEEP_A_CURVES_RSC");
    assert_eq!(rsc.value, Value::Uint(7));
}

#[test]
fn extension_keys_are_checked() {
    let base = |defs: &str, attrs: &str| {
        format!(
            "name: x\nprotocol: netlink-raw\nprotonum: 0\ndefinitions:\n{defs}\nattribute-sets:\n  - name: s\n    attributes:\n{attrs}\nsub-messages:\n  - {{name: m, formats: [{{value: 0, fixed-header: k}}]}}\n"
        )
    };
    let k = "  - {name: k, type: struct, members: [{name: a, type: u32}]}\n";
    let cases = [
        (
            "  - {name: t, type: struct, members: [{name: keys, type: binary, struct: k, nlscope-count: n}, {name: n, type: u8}]}",
            "not an earlier integer member",
        ),
        (
            "  - {name: t, type: struct, members: [{name: n, type: u8}, {name: keys, type: binary, struct: k, nlscope-count: n}, {name: z, type: u8}]}",
            "must be the last member",
        ),
        (
            "  - {name: t, type: struct, members: [{name: n, type: u8}, {name: keys, type: binary, nlscope-count: n}]}",
            "needs a 'struct'",
        ),
        (
            "  - {name: t, type: struct, members: [{name: u, type: binary, sub-message: m, selector: nope}]}",
            "selector 'nope'",
        ),
        (
            "  - {name: t, type: struct, members: [{name: n, type: u8}, {name: u, type: binary, sub-message: nope, selector: n}]}",
            "sub-message 'nope'",
        ),
    ];
    for (def, want) in cases {
        let text = base(&format!("{k}{def}"), "      - {name: a, type: u8}");
        let e = load_spec(&text, SpecSource::Embedded("x".into())).unwrap_err();
        assert!(e.message.contains(want), "{want}: {}", e.message);
    }
    let text = base(k, "      - {name: a, type: binary, fixed-header: k}");
    let e = load_spec(&text, SpecSource::Embedded("x".into())).unwrap_err();
    assert!(e.message.contains("needs type nest"), "{}", e.message);
    let text = base(k, "      - {name: a, type: nest, fixed-header: nope}");
    let e = load_spec(&text, SpecSource::Embedded("x".into())).unwrap_err();
    assert!(e.message.contains("'nope' is not defined"), "{}", e.message);
}

#[test]
fn integer_arrays_named_by_an_enum() {
    let s = spec();
    // Element i is the enum entry of value i + 1; the third has no name (a newer kernel).
    let mut p = Vec::new();
    for v in [1i32, 1500, -1] {
        p.extend(v.to_le_bytes());
    }
    let data = nla(LE, 9, &p);
    let n = &walk(&s, &data, None)[0];
    assert_eq!(n.display_text(), "3 x s32");
    let names: Vec<(&str, &str)> = n.children.iter().map(|c| (&*c.name, &*c.field)).collect();
    assert_eq!(
        names,
        [
            ("CONF_FORWARDING", "deep.conf.forwarding"),
            ("CONF_MTU", "deep.conf.mtu"),
            ("[2]", "deep.conf.3"),
        ]
    );
    let c = &n.children[1];
    assert_eq!((c.offset, c.length, &c.value), (8, 4, &Value::Int(1500)));
    assert_eq!(n.children[2].value, Value::Int(-1));
    assert!(!any_raw(std::slice::from_ref(n)));
    // Two elements: an older kernel's numbering (nlscope-index-by-count), same field paths.
    let n = &walk(&s, &nla(LE, 9, p.get(..8).unwrap()), None)[0];
    let names: Vec<(&str, &str)> = n.children.iter().map(|c| (&*c.name, &*c.field)).collect();
    assert_eq!(
        names,
        [
            ("CONF_MTU", "deep.conf.mtu"),
            ("CONF_FORWARDING", "deep.conf.forwarding")
        ]
    );
    assert_eq!(s.enums["conf-old"].kernels, (None, Some((6, 2))));
    // Bytes after the last whole element: raw, with a warning.
    p.extend([0xaa, 0xbb]);
    let n = &walk(&s, &nla(LE, 9, &p), None)[0];
    assert_eq!(n.children.len(), 4);
    let t = child(n, "trailing bytes");
    assert!(t.raw && (t.offset, t.length) == (16, 2));
    assert_eq!(
        t.expert.as_ref().map(|e| e.severity),
        Some(Severity::Warning)
    );
    // Too short for one element: no elements, all trailing; empty: nothing.
    let n = &walk(&s, &nla(LE, 9, &[1, 2]), None)[0];
    assert_eq!(n.children.len(), 1);
    let n = &walk(&s, &nla(LE, 9, &[]), None)[0];
    assert!(n.children.is_empty());
    assert_eq!(n.display_text(), "0 x s32");

    // Without an enum: `[i]`, all with the attribute's field.
    let mut p = Vec::new();
    for v in [7u32, 8] {
        p.extend(v.to_le_bytes());
    }
    let n = &walk(&s, &nla(LE, 10, &p), None)[0];
    assert_eq!(n.children[1].name, "[1]");
    assert_eq!(n.children[1].field, "deep.table");
    assert_eq!(n.children[1].value, Value::Uint(8));

    // A fixed integer array member of a struct.
    let n = &walk(&s, &nla(LE, 12, &[3, 0, 5, 0, 6, 0]), None)[0];
    let both = child(n, "both");
    assert_eq!((both.offset, both.length), (6, 4));
    let v: Vec<&Value> = both.children.iter().map(|c| &c.value).collect();
    assert_eq!(v, [&Value::Uint(5), &Value::Uint(6)]);
    assert_eq!(s.structs["pair"].size, 8);
    // The payload ended before a member a later kernel appended: complete, no note.
    assert!(n.children.iter().all(|c| c.expert.is_none()), "{n:?}");
    let n = &walk(&s, &nla(LE, 12, &[3, 0, 5, 0, 6, 0, 7, 0]), None)[0];
    assert_eq!(child(n, "later").value, Value::Uint(7));
    // Cut inside it: still a warning.
    let n = &walk(&s, &nla(LE, 12, &[3, 0, 5, 0, 6, 0, 7]), None)[0];
    assert!(n.children.iter().any(|c| c.expert.is_some()), "{n:?}");
}

#[test]
fn opaque_by_nature_is_marked() {
    let s = spec();
    let n = &walk(&s, &nla(LE, 11, &[1, 2, 3, 4]), None)[0];
    assert!(n.inherently_opaque && matches!(n.value, Value::Bytes(_)));
    let n = &walk(&s, &nla(LE, 13, &[1, 2, 3, 4]), None)[0];
    assert!(!n.inherently_opaque && matches!(n.value, Value::Bytes(_)));
}

#[test]
fn integer_array_keys_are_checked() {
    let base = |attr: &str| {
        format!(
            "name: x\nprotocol: netlink-raw\nprotonum: 0\ndefinitions:\n  - {{name: e, type: enum, entries: [a]}}\n  - {{name: f, type: flags, entries: [a]}}\nattribute-sets:\n  - name: s\n    attributes:\n      - {attr}\n"
        )
    };
    let cases = [
        (
            "{name: a, type: binary, sub-type: u32, nlscope-index: nope}",
            "'nope' is not defined",
        ),
        (
            "{name: a, type: binary, sub-type: u32, nlscope-index: f}",
            "is flags",
        ),
        (
            "{name: a, type: binary, nlscope-index: e}",
            "needs type binary",
        ),
        (
            "{name: a, type: u32, nlscope-index: e}",
            "needs type binary",
        ),
        (
            "{name: a, type: binary, sub-type: uint, nlscope-index-start: 1}",
            "fixed-width",
        ),
        (
            "{name: a, type: binary, nlscope-opaque: 1}",
            "true or false",
        ),
    ];
    for (attr, want) in cases {
        let e = load_spec(&base(attr), SpecSource::Embedded("x".into())).unwrap_err();
        assert!(e.message.contains(want), "{want}: {}", e.message);
    }
    let ok = base("{name: a, type: binary, sub-type: u64, nlscope-index: e}");
    let s = load_spec(&ok, SpecSource::Embedded("x".into())).unwrap();
    let a = s.sets["s"].by_name("a").unwrap();
    assert_eq!(
        a.ints
            .as_ref()
            .map(|i| (i.scalar, i.index.as_deref(), i.index_start)),
        Some((Scalar::U(8), Some("e"), 0))
    );
    let member = "name: x\nprotocol: netlink-raw\nprotonum: 0\ndefinitions:\n  - {name: t, type: struct, members: [{name: m, type: binary, len: 6, sub-type: u32}]}\n";
    let e = load_spec(member, SpecSource::Embedded("x".into())).unwrap_err();
    assert!(e.message.contains("not a multiple"), "{}", e.message);
}

#[test]
fn records_of_a_struct_then_attributes() {
    let s = spec();
    // [len 4, hops 1], [len 12, hops 2, timer 9], then a record claiming 40 bytes.
    let mut p = vec![4, 0, 1, 0, 12, 0, 2, 0];
    p.extend(nla(LE, 1, &9u32.to_le_bytes()));
    p.extend([40, 0, 3, 0]);
    let n = &walk(&s, &nla(LE, 15, &p), None)[0];
    assert_eq!(n.display_text(), "2 x rec");
    let r1 = &n.children[1];
    assert_eq!((&*r1.name, r1.offset, r1.length), ("[1]", 8, 12));
    assert_eq!(child(r1, "hops").value, Value::Uint(2));
    let t = child(r1, "DEEP_A_EATTRS_TIMER");
    assert_eq!((&*t.field, &t.value), ("deep.recs.timer", &Value::Uint(9)));
    assert_eq!(child(r1, "len").field, "deep.recs.len");
    let bad = child(n, "trailing bytes");
    assert!(bad.raw && (bad.offset, bad.length) == (20, 4));
    assert_eq!(
        bad.expert.as_ref().map(|e| e.severity),
        Some(Severity::Error)
    );
    // A zero length cannot loop; a short tail is trailing too.
    let n = &walk(&s, &nla(LE, 15, &[0, 0, 0, 0]), None)[0];
    assert_eq!(n.children.len(), 1);
    let n = &walk(&s, &nla(LE, 15, &[4, 0, 0, 0, 9]), None)[0];
    assert_eq!(n.children.len(), 2);
    assert!(n.children[1].raw);

    let text = "name: x\nprotocol: netlink-raw\nprotonum: 0\ndefinitions:\n  - {name: r, type: struct, members: [{name: l, type: u16}]}\nattribute-sets:\n  - name: s\n    attributes:\n      - {name: a, type: binary, sub-type: binary, struct: r, nlscope-record-len: nope}\n      - {name: b, type: binary, nlscope-record-len: l}\n";
    let e = load_spec(text, SpecSource::Embedded("x".into())).unwrap_err();
    assert!(e.message.contains("needs type binary"), "{}", e.message);
    let text = text.replace(
        "      - {name: b, type: binary, nlscope-record-len: l}\n",
        "",
    );
    let e = load_spec(&text, SpecSource::Embedded("x".into())).unwrap_err();
    assert!(
        e.message.contains("'nope' is not an integer member"),
        "{}",
        e.message
    );
}

#[test]
fn hinted_byte_array_to_the_end_of_a_struct() {
    let s = spec();
    assert_eq!(s.structs["via"].size, 2);
    let n = &walk(&s, &nla(LE, 14, &[2, 0, 192, 0, 2, 1]), None)[0];
    let a = child(n, "addr");
    assert_eq!((a.offset, a.length), (6, 4));
    assert_eq!(a.display_text(), "192.0.2.1");
    // An address of another length stays bytes; none at all is an empty value.
    let n = &walk(&s, &nla(LE, 14, &[17, 0, 2, 0, 0, 0, 0, 1]), None)[0];
    assert!(matches!(child(n, "addr").value, Value::Bytes(_)));
    let n = &walk(&s, &nla(LE, 14, &[2, 0]), None)[0];
    assert_eq!(child(n, "addr").length, 0);
}

#[test]
fn a_u32_with_an_ipv4_hint_is_an_address() {
    let s = spec();
    let n = &walk(&s, &nla(LE, 16, &[192, 0, 2, 1]), None)[0];
    assert_eq!(n.value, Value::Ipv4([192, 0, 2, 1]));
    assert_eq!(n.display_text(), "192.0.2.1");
}

/// `nlscope-decode` hands a binary payload to a code decoder: its nodes sit under the
/// attribute with frame offsets, and the spec's field paths list the decoder's fields.
#[test]
fn nlscope_decode_attributes_use_the_decoder() {
    const WIFI: &str = r#"
name: wifi
protocol: netlink-raw
protonum: 0
attribute-sets:
  - name: top
    attributes:
      - {name: ie, type: binary, nlscope-decode: ieee80211-ies}
      - {name: frame, type: binary, nlscope-decode: ieee80211-frame}
      - {name: profiles, type: indexed-array, sub-type: binary, nlscope-decode: ieee80211-ies}
"#;
    let s = load_spec(WIFI, SpecSource::Embedded("wifi".into())).unwrap();
    // SSID "ab", DS channel 11 (walk() roots paths at "deep")
    let ies = [0u8, 2, b'a', b'b', 3, 1, 11];
    let mut frame = vec![0xc0, 0, 0, 0]; // deauthentication
    frame.extend_from_slice(&[1; 18]);
    frame.extend_from_slice(&[0x10, 0, 7, 0]); // sequence 1, reason 7
    let mut data = nla(LE, 1, &ies);
    data.extend(nla(LE, 2, &frame));
    let mut arr = nla(LE, 1, &[0, 1, b'x']);
    arr.extend(nla(LE, 2, &[0, 1, b'y']));
    data.extend(nla(LE, 3, &arr));
    let nodes = walk(&s, &data, None);
    // Each element of an indexed array of binary goes through the decoder.
    let items = &nodes[2].children;
    assert_eq!(items.len(), 2);
    assert_eq!(
        (&*items[1].name, &*items[1].display_text()),
        ("[2]", "1 element, SSID \"y\"")
    );
    // The last element: 4-byte header, 3 bytes, 1 byte of padding.
    assert_eq!(items[1].children[0].offset, data.len() - 4);
    let ie = &nodes[0];
    assert_eq!(
        (&*ie.field, &*ie.display_text()),
        ("deep.ie", "2 elements, SSID \"ab\"")
    );
    assert!(!any_raw(std::slice::from_ref(ie)));
    let ssid = &ie.children[0];
    assert_eq!(
        (&*ssid.name, &*ssid.field, ssid.offset, ssid.length),
        ("SSID", "wlan.tag", 4, 4)
    );
    assert_eq!(child(ssid, "SSID").value, Value::Str("ab".into()));
    assert_eq!(
        child(&ie.children[1], "current channel").value,
        Value::Uint(11)
    );
    let fr = &nodes[1];
    assert_eq!(
        fr.display_text(),
        "Deauthentication, SA 01:01:01:01:01:01, BSSID 01:01:01:01:01:01, reason Class 3 frame received from nonassociated STA (7)"
    );
    let fc = child(fr, "frame control");
    assert_eq!((&*fc.field, fc.offset), ("wlan.fc", 16));
    let mut reg = crate::dissect::specs::SpecRegistry::new();
    reg.insert(s);
    let paths = reg.field_paths();
    for f in [
        "wifi.ie",
        "wifi.frame",
        "wlan.ssid",
        "wlan.fixed.reason_code",
        "wlan.rsn.akms",
    ] {
        assert!(paths.iter().any(|p| p == f), "{f} not in the field paths");
    }
}

/// `nlscope-unit` / `nlscope-scale`: the display carries the unit (scaled, with the kernel's
/// integer), the value stays the integer filters compare.
#[test]
fn integers_shown_in_their_unit() {
    const UNITS: &str = r#"
name: units
protocol: netlink-raw
protonum: 0
attribute-sets:
  - name: top
    attributes:
      - {name: freq, type: u32, nlscope-unit: MHz}
      - {name: rate, type: u16, nlscope-unit: Mbit/s, nlscope-scale: 10}
      - {name: mbm, type: s32, nlscope-unit: dBm, nlscope-scale: 100}
      - {name: small, type: s32, nlscope-unit: dBm, nlscope-scale: 100}
"#;
    let s = load_spec(UNITS, SpecSource::Embedded("units".into())).unwrap();
    let mut data = nla(LE, 1, &2412u32.to_le_bytes());
    data.extend(nla(LE, 2, &55u16.to_le_bytes()));
    data.extend(nla(LE, 3, &(-3005i32).to_le_bytes()));
    data.extend(nla(LE, 4, &(-5i32).to_le_bytes()));
    let nodes = walk(&s, &data, None);
    let shown: Vec<String> = nodes
        .iter()
        .map(|n| n.display_text().into_owned())
        .collect();
    assert_eq!(
        shown,
        [
            "2412 MHz",
            "5.5 Mbit/s (55)",
            "-30.05 dBm (-3005)",
            "-0.05 dBm (-5)"
        ]
    );
    assert_eq!(nodes[1].value, Value::Uint(55));
    assert_eq!(nodes[2].value, Value::Int(-3005));
    // A scale that is no power of ten, or one without a unit, is refused.
    for bad in [
        "{name: x, type: u32, nlscope-unit: MHz, nlscope-scale: 3}",
        "{name: x, type: u32, nlscope-scale: 10}",
        "{name: x, type: u32, nlscope-unit: ''}",
    ] {
        let y = format!(
            "name: u\nprotocol: netlink-raw\nprotonum: 0\nattribute-sets:\n  - name: top\n    attributes:\n      - {bad}\n"
        );
        assert!(
            load_spec(&y, SpecSource::Embedded("u".into())).is_err(),
            "{bad}"
        );
    }
}

/// `nlscope-bitmap`: bytes as a bit map named by an enum (bit i in byte i / 8).
#[test]
fn bit_maps_name_their_set_bits() {
    const MAP: &str = r#"
name: map
protocol: netlink-raw
protonum: 0
definitions:
  - {name: feat, type: enum, entries: [a, b, c, d, e, f, g, h, i]}
attribute-sets:
  - name: top
    attributes:
      - {name: feats, type: binary, sub-type: u8, nlscope-bitmap: feat}
"#;
    let s = load_spec(MAP, SpecSource::Embedded("map".into())).unwrap();
    // Bits 1, 8 (byte 1, bit 0) and 12 (no entry).
    let nodes = walk(&s, &nla(LE, 1, &[0x02, 0x11]), None);
    let n = &nodes[0];
    assert_eq!(n.display_text(), "3 of 16 bits set");
    let kids: Vec<(&str, &str, usize)> = n
        .children
        .iter()
        .map(|c| (&*c.name, &*c.field, c.offset))
        .collect();
    assert_eq!(
        kids,
        [
            ("MAP_FEAT_B", "deep.feats.b", 4),
            ("MAP_FEAT_I", "deep.feats.i", 5),
            ("bit 12", "deep.feats.12", 5)
        ]
    );
    assert!(!any_raw(std::slice::from_ref(n)));
    let bad = MAP.replace("sub-type: u8", "sub-type: u16");
    assert!(load_spec(&bad, SpecSource::Embedded("map".into())).is_err());
}

/// A sub-message whose selector comes after it in the same nest (IPVS puts a destination's
/// address before its address family) is decoded once the level is read.
#[test]
fn sub_message_selector_after_the_attribute() {
    const LATE: &str = r#"
name: late
protocol: netlink-raw
protonum: 0
attribute-sets:
  - name: top
    attributes:
      - {name: addr, type: sub-message, sub-message: addr-by-family, selector: family}
      - {name: family, type: u16}
  - name: none
    attributes: []
definitions:
  - {name: v4, type: struct, members: [{name: ip, type: u32, byte-order: big-endian, display-hint: ipv4}]}
sub-messages:
  - name: addr-by-family
    formats:
      - {value: 2, fixed-header: v4}
"#;
    let s = load_spec(LATE, SpecSource::Embedded("late".into())).unwrap();
    let mut data = nla(LE, 1, &[192, 0, 2, 7]);
    data.extend(nla(LE, 2, &2u16.to_le_bytes()));
    let nodes = walk(&s, &data, None);
    assert!(nodes[0].expert.is_none(), "{:?}", nodes[0].expert);
    assert!(!any_raw(&nodes));
    let ip = &nodes[0].children[0].children[0];
    assert_eq!(ip.display_text(), "192.0.2.7");
    // No selector anywhere: still a note.
    let nodes = walk(&s, &nla(LE, 1, &[192, 0, 2, 7]), None);
    assert!(nodes[0].expert.is_some());
}

/// `nlscope-secret`: key bytes are shown with a note saying what they are.
#[test]
fn secret_key_material_gets_a_note() {
    const KEYS: &str = r#"
name: keys
protocol: netlink-raw
protonum: 0
attribute-sets:
  - name: top
    attributes:
      - {name: key, type: binary, nlscope-opaque: true, nlscope-secret: true}
      - {name: pub, type: binary, nlscope-opaque: true}
"#;
    let s = load_spec(KEYS, SpecSource::Embedded("keys".into())).unwrap();
    let mut data = nla(LE, 1, &[1, 2, 3, 4]);
    data.extend(nla(LE, 2, &[5, 6, 7, 8]));
    let nodes = walk(&s, &data, None);
    let note = nodes[0].expert.as_ref().expect("a note on the key");
    assert_eq!(note.severity, Severity::Note);
    assert!(note.text.starts_with("secret key material"));
    assert!(nodes[1].expert.is_none());
    assert!(
        load_spec(
            &KEYS.replace("nlscope-secret: true", "nlscope-secret: 1"),
            SpecSource::Embedded("k".into())
        )
        .is_err()
    );
}

mod malformed;
