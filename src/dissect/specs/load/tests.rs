use super::*;

fn load(text: &str) -> Result<Spec, SpecError> {
    load_spec(text, SpecSource::Embedded("t".into()))
}

const BASE: &str = r#"
name: fam
protocol: genetlink
definitions:
  - name: colours
    type: enum
    value-start: 3
    entries: [red, {name: green, value: 7}, blue]
  - name: bits
    type: flags
    entries: [a, b, {name: d, value: 3}]
attribute-sets:
  - name: main
    attributes:
      - name: first
        type: u32
      - name: second
        type: string
      - name: later
        type: nest
        value: 10
        nested-attributes: inner
      - name: after
        type: u8
  - name: inner
    name-prefix: in-
    attributes:
      - {name: zero, type: unused, value: 0}
      - {name: one, type: flag}
  - name: sub
    subset-of: main
    attributes:
      - name: after
operations:
  list:
    - name: get
      attribute-set: main
      do: {request: {attributes: [first]}, reply: {attributes: [first]}}
    - name: set
      value: 5
      attribute-set: main
      do: {request: {attributes: [first]}}
    - name: ntf
      notify: get
"#;

#[test]
fn implicit_values_prefixes_and_subsets() {
    let s = load(BASE).unwrap();
    let main = &s.sets["main"];
    let v: Vec<(u16, &str)> = main.attrs.iter().map(|a| (a.value, a.cname)).collect();
    assert_eq!(
        v,
        vec![
            (1, "FAM_A_MAIN_FIRST"),
            (2, "FAM_A_MAIN_SECOND"),
            (10, "FAM_A_MAIN_LATER"),
            (11, "FAM_A_MAIN_AFTER")
        ]
    );
    assert_eq!(s.sets["inner"].get(1).unwrap().cname, "IN_ONE");
    assert_eq!(s.sets["sub"].attrs[0].value, 11);
    let c = &s.enums["colours"];
    assert_eq!(
        c.entries,
        vec![
            (3, "FAM_COLOURS_RED"),
            (7, "FAM_COLOURS_GREEN"),
            (8, "FAM_COLOURS_BLUE")
        ]
    );
    assert!(c.increasing);
    // An entry by value, from any hint; the first of two with one value.
    for hint in 0..5 {
        assert_eq!(c.at(7, hint), Some((1, "FAM_COLOURS_GREEN", "green")));
        assert_eq!(c.at(4, hint), None);
    }
    let b = &s.enums["bits"];
    assert_eq!(
        b.entries.iter().map(|e| e.0).collect::<Vec<_>>(),
        vec![1, 2, 8]
    );
    let twice = load(
        "name: x\ndefinitions: [{name: e, type: enum, entries: [a, {name: b, value: 0}, c]}]\n",
    )
    .unwrap();
    let e = &twice.enums["e"];
    assert!(!e.increasing);
    assert_eq!(e.at(0, 1), Some((0, "X_E_A", "a")));
    assert_eq!(e.at(1, 2), Some((2, "X_E_C", "c")));
    // Unified op ids: 1, 5 (explicit), 6 (notify: reply only, borrows get's set).
    assert_eq!(s.ops[0].request_values, vec![1]);
    assert_eq!(s.ops[1].request_values, vec![5]);
    assert_eq!(s.ops[2].reply_values, vec![6]);
    assert!(s.ops[2].request_values.is_empty());
    assert_eq!(s.ops[2].attribute_set.as_deref(), Some("main"));
    assert_eq!(s.type_name(5), Some("FAM_CMD_SET"));
}

#[test]
fn directional_ids_count_per_direction() {
    let text = r#"
name: d
attribute-sets: [{name: s, attributes: [{name: x, type: u8}]}]
operations:
  enum-model: directional
  list:
    - {name: a-get, attribute-set: s, do: {request: {attributes: [x]}, reply: {attributes: [x]}}}
    - {name: a-set, attribute-set: s, do: {request: {attributes: [x]}}}
    - {name: a-ntf, notify: a-get}
    - {name: b-get, attribute-set: s, do: {request: {attributes: [x]}, reply: {attributes: [x]}}}
"#;
    let s = load(text).unwrap();
    let ids: Vec<(Vec<u16>, Vec<u16>)> = s
        .ops
        .iter()
        .map(|o| (o.request_values.clone(), o.reply_values.clone()))
        .collect();
    assert_eq!(
        ids,
        vec![
            (vec![1], vec![1]),
            (vec![2], vec![]),
            (vec![], vec![2]),
            (vec![3], vec![3])
        ]
    );
    // Directional generic netlink: no guessing across directions.
    assert_eq!(s.op_for(2, true).map(|o| o.name.as_str()), Some("a-set"));
    assert_eq!(s.op_for(2, false).map(|o| o.name.as_str()), Some("a-ntf"));
    assert!(s.op_for(4, false).is_none());
}

/// An event sharing a reply's number (mptcp_pm: get-addr's reply and the closed event are
/// both 3) is chosen for messages the kernel sent unasked; otherwise the first listed.
#[test]
fn events_and_replies_sharing_a_number() {
    let text = r#"
name: d
attribute-sets: [{name: s, attributes: [{name: x, type: u8}]}]
operations:
  enum-model: directional
  list:
    - {name: get, value: 3, attribute-set: s, do: {request: {value: 3, attributes: [x]}, reply: {value: 3, attributes: [x]}}}
    - {name: closed, value: 3, attribute-set: s, event: {attributes: [x]}}
"#;
    let s = load(text).unwrap();
    let pick = |unasked| s.op_for_msg(3, false, unasked).map(|o| o.name.as_str());
    assert_eq!(pick(false), Some("get"));
    assert_eq!(pick(true), Some("closed"));
    assert_eq!(
        s.op_for_msg(3, true, false).map(|o| o.name.as_str()),
        Some("get")
    );
}

#[test]
fn bad_specs_are_errors_not_panics() {
    let cases = [
        ("", "not a YNL spec"),
        ("- a\n- b\n", "not a YNL spec"),
        ("protocol: genetlink\n", "missing 'name'"),
        ("name: x\nprotocol: carrier-pigeon\n", "unknown protocol"),
        (
            "name: x\nprotocol: netlink-raw\nprotonum: 99\n",
            "outside 0..=31",
        ),
        (
            "name: x\nattribute-sets: [{name: s, attributes: [{name: a, type: nest, nested-attributes: nope}]}]\n",
            "not defined",
        ),
        (
            "name: x\nattribute-sets: [{name: s, attributes: [{name: a, type: u8, value: 70000}]}]\n",
            "outside 0..=16383",
        ),
        (
            "name: x\nattribute-sets: [{name: s, subset-of: t, attributes: [{name: a}]}]\n",
            "unknown set",
        ),
        (
            "name: x\ndefinitions: [{name: s, type: struct, members: [{name: m, type: binary}]}]\n",
            "without 'len'",
        ),
        (
            "name: x\ndefinitions: [{name: f, type: flags, entries: [{name: a, value: 99}]}]\n",
            "outside 0..64",
        ),
        (
            "name: x\ndefinitions: [{name: s, type: struct, members: [{name: m, type: binary, struct: s}]}]\n",
            "refers to itself",
        ),
        ("name: x\n: : :\n", "YAML"),
    ];
    for (text, want) in cases {
        let e = load(text).unwrap_err();
        assert!(e.message.contains(want), "{text:?}: {}", e.message);
    }
}

#[test]
fn alias_bombs_are_refused() {
    let mut t = String::from("name: x\na: &a [1,1,1,1,1,1,1,1,1,1]\n");
    let mut prev = 'a';
    for c in 'b'..='k' {
        t.push_str(&format!("{c}: &{c} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
        prev = c;
    }
    assert!(load(&t).is_err());
}

#[test]
fn nlscope_decode_names_a_registered_decoder() {
    let spec = |attr: &str| {
        format!(
            "name: w\nattribute-sets:\n  - name: main\n    attributes:\n      - {attr}\n  - name: sub\n    subset-of: main\n    attributes:\n      - name: ie\n"
        )
    };
    let s = load(&spec(
        "{name: ie, type: binary, nlscope-decode: ieee80211-ies}",
    ))
    .unwrap();
    use crate::dissect::decode::Decoder;
    assert_eq!(s.sets["main"].attrs[0].decode, Some(Decoder::Ieee80211Ies));
    assert_eq!(
        s.sets["sub"].attrs[0].decode,
        Some(Decoder::Ieee80211Ies),
        "a subset keeps its parent's decoder"
    );
    let e = load(&spec(
        "{name: ie, type: binary, nlscope-decode: ieee80211-beacon}",
    ))
    .unwrap_err();
    assert_eq!(
        e.message,
        "attribute-set 'main' attributes[0]: unknown 'nlscope-decode' decoder 'ieee80211-beacon' (known: ieee80211-frame, ieee80211-ies, inet-diag-bytecode, ip-packet)"
    );
    for bad in [
        "{name: ie, type: u32, nlscope-decode: ieee80211-ies}",
        "{name: ie, type: binary, sub-type: u32, nlscope-decode: ieee80211-ies}",
    ] {
        let e = load(&spec(bad)).unwrap_err();
        assert!(
            e.message.contains("'nlscope-decode' needs type binary"),
            "{bad}: {e}"
        );
    }
    let e = load(&spec("{name: ie, type: binary, nlscope-decode: [x]}")).unwrap_err();
    assert!(e.message.contains("must be a decoder name"), "{e}");
}

/// `nlscope-subsys`: nfnetlink message types carry the subsystem in their high byte.
#[test]
fn nfnetlink_subsystem_in_the_message_type() {
    let text = r#"
name: nft
protocol: netlink-raw
protonum: 12
nlscope-subsys: 10
attribute-sets: [{name: s, attributes: [{name: x, type: u8}]}]
operations:
  list:
    - {name: newtable, value: 0, attribute-set: s, do: {request: {attributes: [x]}}}
    - {name: gettable, attribute-set: s, do: {request: {attributes: [x]}}}
"#;
    let s = load(text).unwrap();
    let ids: Vec<&[u16]> = s.ops.iter().map(|o| o.request_values.as_slice()).collect();
    assert_eq!(ids, [&[0xa00][..], &[0xa01][..]]);
    assert_eq!(s.subsys, Some(10));
    assert!(load(&text.replace("nlscope-subsys: 10", "nlscope-subsys: 300")).is_err());
    assert!(load(&text.replace("value: 0,", "value: 256,")).is_err());
    let genl = text.replace("protocol: netlink-raw\nprotonum: 12", "protocol: genetlink");
    assert!(load(&genl).is_err());
}

/// Filter field roots are valid field names whatever the family is called.
#[test]
fn field_roots_are_field_names() {
    for (name, root) in [
        ("IPVS", "ipvs"),
        ("rt-link", "rt-link"),
        ("802.15.4 MAC", "genl-802_15_4_mac"),
        ("TIPCv2", "tipcv2"),
    ] {
        let s = load(&format!("name: {name:?}\nprotocol: genetlink\n")).unwrap();
        assert_eq!(s.field_root(), root);
    }
}

/// `nlscope-attr-byte-order`: big-endian or host, nothing else.
#[test]
fn attribute_byte_order_of_a_family() {
    let base = "name: t\nprotocol: genetlink-legacy\n";
    assert!(
        load(&format!("{base}nlscope-attr-byte-order: big-endian\n"))
            .unwrap()
            .attrs_big_endian
    );
    assert!(
        !load(&format!("{base}nlscope-attr-byte-order: host\n"))
            .unwrap()
            .attrs_big_endian
    );
    assert!(!load(base).unwrap().attrs_big_endian);
    assert!(load(&format!("{base}nlscope-attr-byte-order: little\n")).is_err());
}

/// build.rs embeds the specs packed: each must compile to exactly what its YAML file does.
#[test]
fn embedded_packed_equals_yaml() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/specs");
    let mut packed = 0;
    for e in crate::dissect::specs::EMBEDDED {
        let file = e.file;
        let yaml = std::fs::read_to_string(dir.join(file)).unwrap();
        let source = || SpecSource::Embedded(file.to_string());
        let from_yaml = load_spec(&yaml, source()).unwrap();
        if e.packed {
            packed += 1;
            assert_eq!(
                load_spec_packed(e.bytes, source()).unwrap(),
                from_yaml,
                "{file}"
            );
        }
        // The registry files it by the name and number build.rs read, before loading it.
        let raw = from_yaml
            .protonum
            .filter(|_| from_yaml.protocol == Protocol::NetlinkRaw);
        assert_eq!(
            (e.name, e.raw_protonum),
            (from_yaml.name.as_str(), raw),
            "{file}"
        );
    }
    assert_eq!(packed, crate::dissect::specs::EMBEDDED.len());
}

/// The packed form holds what YAML does (a tag as a one-entry mapping, as serde gives it),
/// and a damaged one is an error, not a panic.
#[test]
fn packed_documents_read_back() {
    let text = "a: [1, -2, 2.5, true, null, 'x y']\n3: !t v\nb: {c: ''}\n";
    let v: serde_norway::Value = serde_norway::from_str(text).unwrap();
    let b = super::packed::encode(&v).unwrap();
    let doc = Y::unpack(&b).unwrap();
    let json = serde_json::to_string(&v).unwrap();
    let via_json: Y = serde_json::from_str(&json).unwrap();
    // JSON makes the key 3 a string; apart from that the documents are the same.
    let m = doc.as_mapping().unwrap();
    assert_eq!(m.get("a"), via_json.as_mapping().unwrap().get("a"));
    assert_eq!(m.get("b"), via_json.as_mapping().unwrap().get("b"));
    let tagged = m.iter().find(|(k, _)| !matches!(k, Y::String(_))).unwrap();
    assert_eq!(tagged.0, &Y::Number(value::Number::UInt(3)));
    assert_eq!(
        tagged.1.as_mapping().unwrap().get("!t").and_then(Y::as_str),
        Some("v")
    );
    for cut in 0..b.len() {
        assert!(Y::unpack(&b[..cut]).is_err(), "cut at {cut}");
    }
    let mut extra = b.clone();
    extra.push(0);
    assert!(Y::unpack(&extra).is_err());
    use super::packed::{MAP, NULL, SEQ, STR};
    let no_strings = |values: &[u8]| [&[0, 0, 0, 0][..], values].concat();
    let deep = no_strings(&[[SEQ, 1, 0, 0, 0].repeat(200), vec![NULL]].concat());
    assert!(Y::unpack(&deep).unwrap_err().contains("nested"));
    // A key that is a collection, a count far beyond the bytes, strings that are not UTF-8,
    // a string outside the strings or across a character.
    assert!(Y::unpack(&no_strings(&[MAP, 1, 0, 0, 0, SEQ, 0, 0, 0, 0, NULL])).is_err());
    assert!(Y::unpack(&no_strings(&[SEQ, 255, 255, 255, 255])).is_err());
    assert!(Y::unpack(&[2, 0, 0, 0, 0xff, 0xfe, NULL]).is_err());
    assert!(Y::unpack(&no_strings(&[STR, 0, 0, 0, 0, 1, 0, 0, 0])).is_err());
    let across = [
        &[2, 0, 0, 0][..],
        "ä".as_bytes(),
        &[STR, 1, 0, 0, 0, 1, 0, 0, 0],
    ]
    .concat();
    assert!(Y::unpack(&across).is_err());
}

#[test]
fn zero_in_request_is_read_on_integer_members_only() {
    let spec = |member: &str| {
        BASE.replace(
            "attribute-sets:",
            &format!("  - name: hdr\n    type: struct\n    members:\n{member}\nattribute-sets:"),
        )
    };
    let s = load(&spec(
        "      - {name: kind, type: u16, enum: colours, nlscope-zero-in-request: any}",
    ))
    .unwrap();
    let m = &s.structs["hdr"].members[0];
    assert_eq!(m.zero_in_request.as_deref(), Some("any"));
    let e = load(&spec(
        "      - {name: raw, type: binary, len: 4, nlscope-zero-in-request: any}",
    ))
    .unwrap_err();
    assert!(e.to_string().contains("needs an integer member"), "{e}");
}

/// Spec documents read into the loader's own value as into serde_norway's (which the loader
/// read before): every embedded spec and every kernel spec in ../shared/ynl-specs.
#[test]
fn documents_read_as_serde_norway_reads_them() {
    use super::value::{Number, Y};
    fn conv(v: &serde_norway::Value) -> Y<'static> {
        use serde_norway::Value as N;
        match v {
            N::Null => Y::Null,
            N::Bool(b) => Y::Bool(*b),
            N::Number(n) => Y::Number(match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => Number::Int(i),
                (None, Some(u), _) => Number::UInt(u),
                (None, None, f) => Number::Float(f.unwrap()),
            }),
            N::String(s) => Y::String(s.clone().into()),
            N::Sequence(s) => Y::Sequence(s.iter().map(conv).collect()),
            N::Mapping(m) => {
                let text: String = m
                    .iter()
                    .map(|(k, v)| format!("{:?}={:?};", conv(k), conv(v)))
                    .collect();
                Y::String(text.into())
            }
            N::Tagged(t) => panic!("tag {t:?}"),
        }
    }
    // Mappings compared as their entries in order (ours keeps pairs, theirs an IndexMap).
    fn flat<'a>(v: &Y<'a>) -> Y<'a> {
        match v {
            Y::Mapping(m) => Y::String(
                m.iter()
                    .map(|(k, v)| format!("{:?}={:?};", flat(k), flat(v)))
                    .collect::<String>()
                    .into(),
            ),
            Y::Sequence(s) => Y::Sequence(s.iter().map(flat).collect()),
            // A number as the loader reads it (`as_i64`, else `as_u64`).
            Y::Number(n) => Y::Number(match n.as_i64() {
                Some(i) => Number::Int(i),
                None => *n,
            }),
            other => other.clone(),
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut n = 0;
    for dir in [root.join("assets/specs"), root.join("../shared/ynl-specs")] {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd {
            let p = e.unwrap().path();
            if p.extension().is_none_or(|x| x != "yaml") {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            let theirs: serde_norway::Value = serde_norway::from_str(&text).unwrap();
            let ours: Y = serde_norway::from_str(&text).unwrap();
            assert_eq!(flat(&ours), conv(&theirs), "{p:?}");
            n += 1;
        }
    }
    assert!(n >= 80, "{n} spec files");
}

#[test]
fn duplicate_and_odd_keys_are_errors() {
    use super::value::Y;
    for (text, want) in [
        ("a: 1\nb: 2\na: 3\n", "duplicate key 'a'"),
        ("1: x\n0x1: y\n", "duplicate key 1"),
        ("[1]: x\n", "must be a string or a number"),
    ] {
        let e = serde_norway::from_str::<Y>(text).unwrap_err().to_string();
        assert!(e.contains(want), "{text:?}: {e}");
    }
    // A large mapping (the set of seen keys takes over from scanning them).
    let mut big: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
    assert!(serde_norway::from_str::<Y>(&big).is_ok());
    big.push_str("k7: again\n");
    let e = serde_norway::from_str::<Y>(&big).unwrap_err().to_string();
    assert!(e.contains("duplicate key 'k7'"), "{e}");
    let json: Y = serde_json::from_str(r#"{"a": [1, -2, 3.5, "x", null, true]}"#).unwrap();
    assert_eq!(
        json.as_mapping()
            .and_then(|m| m.get("a"))
            .map(|v| matches!(v, Y::Sequence(s) if s.len() == 6)),
        Some(true)
    );
}

/// Contexts are written only when an error is reported: each still says where the error is,
/// whether in YAML or packed as the embedded specs are.
#[test]
fn errors_name_where_they_are() {
    let cases = [
        (
            "definitions:\n  - name: e\n    type: enum\n    entries: [a, {value: 3}]\n",
            "definition 'e' entries[1]: missing 'name'",
        ),
        (
            "definitions:\n  - name: s\n    type: struct\n    members:\n      - name: a\n        type: u32\n      - type: u8\n",
            "struct 's' members[1]: missing 'name'",
        ),
        (
            "definitions:\n  - name: s\n    type: struct\n    members:\n      - name: a\n        type: u32\n        nlscope-bits:\n          - {name: x, bits: 99}\n",
            "struct 's' members[0] nlscope-bits[0]: 'bits' must be 1 to 64",
        ),
        (
            "attribute-sets:\n  - name: m\n    attributes:\n      - name: a\n        type: u32\n      - name: b\n",
            "attribute-set 'm' attributes[1]: missing 'type'",
        ),
        (
            "attribute-sets:\n  - name: m\n    attributes:\n      - name: a\n        type: u32\n  - name: s\n    subset-of: m\n    attributes:\n      - name: z\n",
            "attribute-set 's' attributes[0]: 'z' is not in 'm'",
        ),
        (
            "attribute-sets:\n  - name: m\n    attributes:\n      - name: a\n        type: nest\n        nested-attributes: nowhere\n",
            "attribute 'a' of set 'm': nested-attributes 'nowhere' is not defined",
        ),
        (
            "definitions:\n  - name: s\n    type: struct\n    members:\n      - name: a\n        type: u8\n      - name: b\n        type: binary\n        struct: s2\n        nlscope-count: a\n      - name: c\n        type: u8\n  - name: s2\n    type: struct\n    members:\n      - name: x\n        type: u8\n",
            "struct 's' member 'b': an array of structs must be the last member",
        ),
        (
            "sub-messages:\n  - name: sm\n    formats:\n      - attribute-set: m\n",
            "sub-message 'sm' formats[0]: missing 'value'",
        ),
        (
            "mcast-groups:\n  list:\n    - value: 1\n",
            "mcast-groups[0]: missing 'name'",
        ),
        (
            "operations:\n  list:\n    - name: get\n      value: 1\n      attribute-set: 5\n",
            "operation 'get': 'attribute-set' must be a string",
        ),
    ];
    for (body, want) in cases {
        let text = format!("name: fam\nprotocol: genetlink\n{body}");
        let e = load(&text).expect_err(body);
        assert_eq!(e.message, want, "YAML:\n{text}");
        let doc: serde_norway::Value = serde_norway::from_str(&text).expect("YAML");
        let packed = super::packed::encode(&doc).expect("packed");
        let e = load_spec_packed(&packed, SpecSource::Embedded("t".into())).expect_err(body);
        assert_eq!(e.message, want, "packed:\n{text}");
    }
}

#[test]
fn c_names_are_upper_case_with_underscores() {
    assert_eq!(c_name("ifla-", "ifname"), "IFLA_IFNAME");
    assert_eq!(
        c_name("nl80211-attr-", "wiphy-name"),
        "NL80211_ATTR_WIPHY_NAME"
    );
    assert_eq!(c_name("", "a-b_c9"), "A_B_C9");
    // Not ASCII: kept as it is (only ASCII letters change case).
    assert_eq!(c_name("x-", "äö-ß"), "X_äö_ß");
    assert_eq!(c_name("", ""), "");
}
