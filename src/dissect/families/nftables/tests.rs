use super::*;
use crate::dissect::Dissector;
use crate::dissect::specs::Spec;

/// An attribute built by spec name (netfilter integers are big-endian).
pub(in crate::dissect::families) enum A {
    U32(&'static str, u32),
    U8(&'static str, u8),
    Str(&'static str, &'static str),
    Bytes(&'static str, Vec<u8>),
    /// A nest: name, the set of its attributes, its attributes.
    Nest(&'static str, &'static str, Vec<A>),
}
pub(in crate::dissect::families) use A::*;

pub(in crate::dissect::families) fn enc(spec: &Spec, set: &str, attrs: &[A], out: &mut Vec<u8>) {
    for a in attrs {
        let name = match a {
            U32(n, _) | U8(n, _) | Str(n, _) | Bytes(n, _) | Nest(n, _, _) => *n,
        };
        let ty = spec.sets[set]
            .by_name(name)
            .unwrap_or_else(|| panic!("{set}.{name}"));
        let mut payload = Vec::new();
        let mut t = ty.value;
        match a {
            U32(_, v) => payload.extend_from_slice(&v.to_be_bytes()),
            U8(_, v) => payload.push(*v),
            Str(_, v) => {
                payload.extend_from_slice(v.as_bytes());
                payload.push(0);
            }
            Bytes(_, v) => payload.extend_from_slice(v),
            Nest(_, inner, kids) => {
                enc(spec, inner, kids, &mut payload);
                t |= 0x8000;
            }
        }
        out.extend_from_slice(&((payload.len() + 4) as u16).to_le_bytes());
        out.extend_from_slice(&t.to_le_bytes());
        out.extend_from_slice(&payload);
        out.resize(out.len().div_ceil(4) * 4, 0);
    }
}

/// A data nest holding `value`.
fn val(name: &'static str, v: &[u8]) -> A {
    Nest(name, "data-attrs", vec![Bytes("value", v.to_vec())])
}

/// One expression of a rule.
fn expr(name: &'static str, set: &'static str, attrs: Vec<A>) -> A {
    Nest(
        "elem",
        "expr-attrs",
        vec![Str("name", name), Nest("data", set, attrs)],
    )
}

fn verdict(code: i32, chain: Option<&'static str>) -> A {
    let mut v = vec![U32("code", code as u32)];
    if let Some(c) = chain {
        v.push(Str("chain", c));
    }
    expr(
        "immediate",
        "immediate-attrs",
        vec![
            U32("dreg", 0),
            Nest(
                "data",
                "data-attrs",
                vec![Nest("verdict", "verdict-attrs", v)],
            ),
        ],
    )
}

fn cmp(reg: u32, op: u32, v: &[u8]) -> A {
    expr(
        "cmp",
        "cmp-attrs",
        vec![U32("sreg", reg), U32("op", op), val("data", v)],
    )
}

fn payload(base: u32, off: u32, len: u32) -> A {
    expr(
        "payload",
        "payload-attrs",
        vec![
            U32("dreg", 1),
            U32("base", base),
            U32("offset", off),
            U32("len", len),
        ],
    )
}

fn meta(key: u32, reg: &'static str, r: u32) -> A {
    expr("meta", "meta-attrs", vec![U32("key", key), U32(reg, r)])
}

fn imm(reg: u32, v: &[u8]) -> A {
    expr(
        "immediate",
        "immediate-attrs",
        vec![U32("dreg", reg), val("data", v)],
    )
}

/// The summaries of nftables messages (op name, nfgen_family, attributes), all sent by
/// the kernel in a dump, read by one dissector in order.
fn summaries(msgs: &[(&str, u8, Vec<A>)]) -> Vec<String> {
    let specs = SpecRegistry::with_embedded();
    let spec = specs.get("nftables").unwrap().clone();
    let mut d = Dissector::new(specs);
    msgs.iter()
        .map(|(op, family, attrs)| {
            let o = spec.ops.iter().find(|o| o.name == *op).unwrap();
            let set = o.attribute_set.clone().unwrap();
            let mut p = vec![*family, 0, 0, 0];
            enc(&spec, &set, attrs, &mut p);
            let mut f = vec![0, 4, 0x03, 0x38, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12];
            let ty = o.request_values[0];
            f.extend(crate::netlink::nlmsg(Endian::Little, ty, 0x2, 1, 7, &p));
            let fi = d.index_frame(&f, 253, Endian::Little);
            d.view(&f, &fi.msgs[0]).summary()
        })
        .collect()
}

fn rule(table: &'static str, chain: &'static str, exprs: Vec<A>) -> Vec<A> {
    vec![
        Str("table", table),
        Str("chain", chain),
        Nest("expressions", "expr-list-attrs", exprs),
    ]
}

#[test]
fn rules_nft_prints_from_their_expressions() {
    let got = summaries(&[
        // ip6 saddr 2001:db8::/32 tcp dport 1024-2048 meta mark set 0x00000007
        // log prefix "x " limit rate 10/second accept (in an inet table)
        (
            "newrule",
            1,
            rule(
                "filter",
                "input",
                vec![
                    meta(15, "dreg", 1),
                    cmp(1, 0, &[10]),
                    payload(1, 8, 4),
                    cmp(1, 0, &[0x20, 0x01, 0x0d, 0xb8]),
                    meta(16, "dreg", 1),
                    cmp(1, 0, &[6]),
                    payload(2, 2, 2),
                    cmp(1, 5, &1024u16.to_be_bytes()),
                    cmp(1, 3, &2048u16.to_be_bytes()),
                    imm(1, &7u32.to_le_bytes()),
                    meta(3, "sreg", 1),
                    expr("log", "log-attrs", vec![Str("prefix", "x ")]),
                    expr(
                        "limit",
                        "limit-attrs",
                        vec![
                            Bytes("rate", 10u64.to_be_bytes().to_vec()),
                            Bytes("unit", 1u64.to_be_bytes().to_vec()),
                            U32("burst", 5),
                            U32("type", 0),
                            U32("flags", 0),
                        ],
                    ),
                    verdict(1, None),
                ],
            ),
        ),
        // ip saddr 10.0.0.0/20 ip daddr 192.0.2.1 tcp dport 80 dnat to 10.0.0.1:8080
        // (an ip table: no nfproto dependency)
        (
            "newrule",
            2,
            rule(
                "nat",
                "prerouting",
                vec![
                    payload(1, 12, 3),
                    expr(
                        "bitwise",
                        "bitwise-attrs",
                        vec![
                            U32("sreg", 1),
                            U32("dreg", 1),
                            U32("len", 3),
                            val("mask", &[0xff, 0xff, 0xf0]),
                            val("xor", &[0, 0, 0]),
                        ],
                    ),
                    cmp(1, 0, &[10, 0, 0]),
                    payload(1, 16, 4),
                    cmp(1, 0, &[192, 0, 2, 1]),
                    meta(16, "dreg", 1),
                    cmp(1, 0, &[6]),
                    payload(2, 2, 2),
                    cmp(1, 0, &80u16.to_be_bytes()),
                    imm(1, &[10, 0, 0, 1]),
                    imm(2, &8080u16.to_be_bytes()),
                    expr(
                        "nat",
                        "nat-attrs",
                        vec![
                            U32("type", 1),
                            U32("family", 2),
                            U32("reg-addr-min", 1),
                            U32("reg-proto-min", 2),
                        ],
                    ),
                ],
            ),
        ),
        // An anonymous verdict map, then a rule looking it up; iifname, reject, jump.
        (
            "newset",
            1,
            vec![
                Str("table", "filter"),
                Str("name", "__map0"),
                U32("flags", SET_ANONYMOUS | SET_CONSTANT | SET_MAP),
                U32("key-type", T_INETSERVICE),
                U32("key-len", 2),
                U32("data-type", DATA_VERDICT),
            ],
        ),
        (
            "newsetelem",
            1,
            vec![
                Str("table", "filter"),
                Str("set", "__map0"),
                Nest(
                    "elements",
                    "setelem-attrs",
                    vec![
                        Nest(
                            "key",
                            "setelem-attrs",
                            vec![
                                val("key", &80u16.to_be_bytes()),
                                Nest(
                                    "data",
                                    "data-attrs",
                                    vec![Nest("verdict", "verdict-attrs", vec![U32("code", 0)])],
                                ),
                            ],
                        ),
                        Nest(
                            "key",
                            "setelem-attrs",
                            vec![
                                val("key", &22u16.to_be_bytes()),
                                Nest(
                                    "data",
                                    "data-attrs",
                                    vec![Nest(
                                        "verdict",
                                        "verdict-attrs",
                                        vec![U32("code", -3i32 as u32), Str("chain", "ssh")],
                                    )],
                                ),
                            ],
                        ),
                    ],
                ),
            ],
        ),
        (
            "newrule",
            1,
            rule(
                "filter",
                "input",
                vec![
                    meta(6, "dreg", 1),
                    cmp(1, 0, b"eth0\0\0\0\0\0\0\0\0\0\0\0\0"),
                    meta(16, "dreg", 1),
                    cmp(1, 0, &[17]),
                    payload(2, 2, 2),
                    expr(
                        "lookup",
                        "lookup-attrs",
                        vec![Str("set", "__map0"), U32("sreg", 1), U32("dreg", 0)],
                    ),
                    expr(
                        "reject",
                        "reject-attrs",
                        vec![U32("type", 1), U8("icmp-code", 0)],
                    ),
                    verdict(-3, Some("other")),
                    expr("fib", "fib-attrs", vec![]),
                ],
            ),
        ),
    ]);
    assert_eq!(
        got,
        [
            "NFT_MSG_NEWRULE rule inet filter input ip6 saddr 2001:db8::/32 tcp dport \
             1024-2048 meta mark set 0x00000007 log prefix \"x \" limit rate 10/second accept",
            "NFT_MSG_NEWRULE rule ip nat prerouting ip saddr 10.0.0.0/20 ip daddr 192.0.2.1 \
             tcp dport 80 dnat to 10.0.0.1:8080",
            "NFT_MSG_NEWSET map inet filter __map0 { type inet_service : verdict; flags constant; }",
            "NFT_MSG_NEWSETELEM element inet filter __map0 { 22 : jump ssh, 80 : drop }",
            "NFT_MSG_NEWRULE rule inet filter input iifname \"eth0\" udp dport vmap \
             { 22 : jump ssh, 80 : drop } reject with tcp reset jump other <fib>",
        ]
    );
}

#[test]
fn sets_learned_by_an_indexer_reach_the_viewing_dissector() {
    // The app indexes on a loader thread (a dissector without specs, seeded) and teaches
    // the dissector that builds views with Facts: the rule must read the same.
    let specs = SpecRegistry::with_embedded();
    let spec = specs.get("nftables").unwrap().clone();
    let mut view = Dissector::new(specs);
    let mut indexer = Dissector::indexer(view.index_seed());
    let msgs: Vec<(&str, Vec<A>)> = vec![
        (
            "newset",
            vec![
                Str("table", "filter"),
                Str("name", "__set0"),
                U32("flags", SET_ANONYMOUS | SET_CONSTANT),
                U32("key-type", T_INETSERVICE),
                U32("key-len", 2),
            ],
        ),
        (
            "newsetelem",
            vec![
                Str("table", "filter"),
                Str("set", "__set0"),
                Nest(
                    "elements",
                    "setelem-attrs",
                    [443u16, 22]
                        .iter()
                        .map(|p| Nest("key", "setelem-attrs", vec![val("key", &p.to_be_bytes())]))
                        .collect(),
                ),
            ],
        ),
        (
            "newrule",
            rule(
                "filter",
                "input",
                vec![
                    meta(16, "dreg", 1),
                    cmp(1, 0, &[6]),
                    payload(2, 2, 2),
                    expr(
                        "lookup",
                        "lookup-attrs",
                        vec![Str("set", "__set0"), U32("sreg", 1)],
                    ),
                    verdict(1, None),
                ],
            ),
        ),
    ];
    let mut got = Vec::new();
    for (op, attrs) in &msgs {
        let o = spec.ops.iter().find(|o| o.name == *op).unwrap();
        let mut p = vec![1, 0, 0, 0];
        enc(&spec, o.attribute_set.as_deref().unwrap(), attrs, &mut p);
        let mut f = vec![0, 4, 0x03, 0x38, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12];
        let ty = o.request_values[0];
        f.extend(crate::netlink::nlmsg(Endian::Little, ty, 0x2, 1, 7, &p));
        let fi = indexer.index_frame(&f, 253, Endian::Little);
        view.apply_facts(indexer.take_facts());
        got.push(view.view(&f, &fi.msgs[0]).summary());
    }
    assert_eq!(
        got.last().map(String::as_str),
        Some("NFT_MSG_NEWRULE rule inet filter input tcp dport { 22, 443 } accept")
    );
    assert_eq!(
        got.get(1).map(String::as_str),
        Some("NFT_MSG_NEWSETELEM element inet filter __set0 { 22, 443 }")
    );
}

#[test]
fn concatenations_dynamic_sets_objects_comments() {
    let got = summaries(&[
        ("newtable", 2, vec![Str("name", "t"), U32("flags", 1)]),
        (
            "newset",
            2,
            vec![
                Str("table", "t"),
                Str("name", "svc"),
                U32("key-type", (T_IPADDR << TYPE_BITS) | T_INETSERVICE),
                U32("key-len", 8),
                U32("flags", SET_CONCAT),
            ],
        ),
        (
            "newrule",
            2,
            vec![
                Str("table", "t"),
                Str("chain", "c"),
                Nest(
                    "expressions",
                    "expr-list-attrs",
                    vec![
                        payload(1, 12, 4),
                        meta(16, "dreg", 9),
                        cmp(9, 0, &[6]),
                        expr(
                            "payload",
                            "payload-attrs",
                            vec![
                                U32("dreg", 9),
                                U32("base", 2),
                                U32("offset", 2),
                                U32("len", 2),
                            ],
                        ),
                        expr(
                            "lookup",
                            "lookup-attrs",
                            vec![Str("set", "svc"), U32("sreg", 1)],
                        ),
                        payload(1, 12, 4),
                        expr(
                            "dynset",
                            "dynset-attrs",
                            vec![
                                Str("set-name", "flood"),
                                U32("op", 1),
                                U32("sreg-key", 1),
                                Bytes("timeout", 30_000u64.to_be_bytes().to_vec()),
                            ],
                        ),
                        expr(
                            "objref",
                            "objref-attrs",
                            vec![U32("imm-type", 1), Str("imm-name", "c1")],
                        ),
                        expr("notrack", "", vec![]),
                    ],
                ),
                Bytes("userdata", vec![0, 6, b'h', b'e', b'l', b'l', b'o', 0]),
            ],
        ),
    ]);
    let bitwise = |mask: &[u8]| {
        expr(
            "bitwise",
            "bitwise-attrs",
            vec![
                U32("sreg", 1),
                U32("dreg", 1),
                U32("len", mask.len() as u32),
                val("mask", mask),
                val("xor", &vec![0; mask.len()]),
            ],
        )
    };
    let flags = summaries(&[(
        "newrule",
        2,
        rule(
            "t",
            "c",
            vec![
                expr("ct", "ct-attrs", vec![U32("key", 0), U32("dreg", 1)]),
                bitwise(&2u32.to_le_bytes()),
                cmp(1, 0, &[0, 0, 0, 0]),
                meta(16, "dreg", 1),
                cmp(1, 0, &[6]),
                payload(2, 13, 1),
                bitwise(&[0x12]),
                cmp(1, 0, &[0x02]),
                verdict(0, None),
            ],
        ),
    )]);
    assert_eq!(
        flags,
        ["NFT_MSG_NEWRULE rule ip t c ct state != established tcp flags & (syn | ack) == syn drop"]
    );
    assert_eq!(
        got,
        [
            "NFT_MSG_NEWTABLE table ip t { flags dormant; }",
            "NFT_MSG_NEWSET set ip t svc { type ipv4_addr . inet_service; }",
            "NFT_MSG_NEWRULE rule ip t c ip saddr . tcp dport @svc \
             update @flood { ip saddr timeout 30s } counter name \"c1\" notrack \
             comment \"hello\"",
        ]
    );
}

#[test]
fn traces_read_like_nft_monitor_trace() {
    let verdict = |code: i32| Nest("verdict", "verdict-attrs", vec![U32("code", code as u32)]);
    let base = || {
        vec![
            U32("id", 0x9cf4_a7e5),
            Str("table", "filter"),
            Str("chain", "input"),
        ]
    };
    let mut rule = base();
    rule.extend([
        U32("type", 3),
        Bytes("rule-handle", 4u64.to_be_bytes().to_vec()),
        verdict(1),
    ]);
    let mut policy = base();
    policy.extend([U32("type", 1), U32("policy", 0)]);
    let mut ret = base();
    ret.extend([U32("type", 2), verdict(-1)]);
    let got = summaries(&[("trace", 1, rule), ("trace", 1, policy), ("trace", 1, ret)]);
    assert_eq!(
        got,
        [
            "NFT_MSG_TRACE trace id 9cf4a7e5 inet filter input rule handle 4 (verdict accept)",
            "NFT_MSG_TRACE trace id 9cf4a7e5 inet filter input policy drop",
            "NFT_MSG_TRACE trace id 9cf4a7e5 inet filter input verdict continue",
        ]
    );
}

#[test]
fn garbage_rules_do_not_panic() {
    // Every truncation and many corruptions of a real-looking rule.
    let specs = SpecRegistry::with_embedded();
    let spec = specs.get("nftables").unwrap().clone();
    let mut d = Dissector::new(specs);
    let mut p = vec![1, 0, 0, 0];
    let attrs = rule(
        "filter",
        "input",
        vec![
            meta(15, "dreg", 1),
            cmp(1, 0, &[2]),
            payload(1, 12, 3),
            cmp(1, 0, &[10, 0, 0]),
            payload(2, 0xffff_fff0, 0xffff_ffff),
            expr(
                "lookup",
                "lookup-attrs",
                vec![Str("set", "__set0"), U32("sreg", 1)],
            ),
            verdict(-3, None),
        ],
    );
    enc(&spec, "rule-attrs", &attrs, &mut p);
    let ty = spec
        .ops
        .iter()
        .find(|o| o.name == "newrule")
        .unwrap()
        .request_values[0];
    let mut seed = 0x1234_5678u32;
    for cut in 0..=p.len() + 40 {
        let mut q = p.clone();
        q.truncate(cut);
        if cut > p.len() {
            // Flip bytes pseudo-randomly instead.
            for _ in 0..4 {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                let i = (seed >> 8) as usize % q.len();
                q[i] ^= (seed >> 24) as u8 | 1;
            }
        }
        let mut f = vec![0, 4, 0x03, 0x38, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12];
        f.extend(crate::netlink::nlmsg(Endian::Little, ty, 0x2, 1, 7, &q));
        let fi = d.index_frame(&f, 253, Endian::Little);
        for m in &fi.msgs {
            let _ = d.view(&f, m).summary();
        }
    }
}

#[test]
fn prefixes_and_ranges() {
    assert_eq!(prefix_len(&[192, 0, 2, 128], &[192, 0, 2, 143]), Some(28));
    assert_eq!(prefix_len(&[10, 0, 0, 0], &[10, 255, 255, 255]), Some(8));
    assert_eq!(prefix_len(&[10, 0, 0, 1], &[10, 0, 0, 2]), None);
    assert_eq!(prefix_len(&[1, 2, 3, 4], &[1, 2, 3, 4]), None);
    assert_eq!(minus_one(&[192, 0, 3, 0]), vec![192, 0, 2, 255]);
    assert_eq!(minus_one(&[0, 0]), vec![0, 0]);
    assert_eq!(subtypes((7 << 6) | 13), vec![7, 13]);
    let mut s = String::new();
    push_type_name(&mut s, (7 << 6) | 13);
    assert_eq!(s, "ipv4_addr . inet_service");
    let mut s = String::new();
    push_prio(&mut s, 1, Some("input"), 0);
    push_prio(&mut s, 2, Some("postrouting"), 100);
    push_prio(&mut s, 2, Some("input"), 100);
    push_prio(&mut s, 1, Some("input"), 5);
    assert_eq!(s, "filtersrcnat100filter + 5");
    let mut s = String::new();
    push_bytes(&mut s, 10 * 1024 * 1024);
    push_time_ms(&mut s, 5_400_000);
    assert_eq!(s, "10 mbytes1h30m");
}

#[test]
fn fib_numgen_socket_and_synproxy_read_like_nft() {
    let got = summaries(&[
        (
            "newrule",
            2,
            rule(
                "filter",
                "input",
                vec![
                    // fib daddr type local drop (RTN_LOCAL 2, a host-order u32)
                    expr(
                        "fib",
                        "fib-attrs",
                        vec![U32("dreg", 1), U32("result", 3), U32("flags", 2)],
                    ),
                    cmp(1, 0, &2u32.to_le_bytes()),
                    verdict(0, None),
                ],
            ),
        ),
        (
            "newrule",
            2,
            rule(
                "filter",
                "input",
                vec![
                    expr(
                        "socket",
                        "socket-attrs",
                        vec![U32("key", 0), U32("dreg", 1)],
                    ),
                    cmp(1, 0, &[1]),
                    expr(
                        "numgen",
                        "ng-attrs",
                        vec![U32("dreg", 1), U32("modulus", 2), U32("type", 0)],
                    ),
                    cmp(1, 0, &0u32.to_le_bytes()),
                    expr(
                        "synproxy",
                        "synproxy-attrs",
                        vec![
                            Bytes("mss", 1460u16.to_be_bytes().to_vec()),
                            U8("wscale", 7),
                            U32("flags", 4 | 8),
                        ],
                    ),
                    expr("fib", "fib-attrs", vec![]),
                ],
            ),
        ),
        (
            "newrule",
            2,
            rule(
                "filter",
                "input",
                vec![
                    // tcp option maxseg size 1460, tcp option sack-perm exists
                    expr(
                        "exthdr",
                        "exthdr-attrs",
                        vec![
                            U32("dreg", 1),
                            U8("type", 2),
                            U32("offset", 2),
                            U32("len", 2),
                            U32("op", 1),
                        ],
                    ),
                    cmp(1, 0, &1460u16.to_be_bytes()),
                    expr(
                        "exthdr",
                        "exthdr-attrs",
                        vec![
                            U32("dreg", 1),
                            U8("type", 4),
                            U32("offset", 0),
                            U32("len", 1),
                            U32("flags", 1),
                            U32("op", 1),
                        ],
                    ),
                    cmp(1, 0, &[1]),
                ],
            ),
        ),
        (
            "newrule",
            1,
            rule(
                "filter",
                "prerouting",
                vec![
                    // osf name "Linux", then tproxy ip to 192.0.2.1:8080
                    expr("osf", "osf-attrs", vec![U32("dreg", 1), U8("ttl", 0)]),
                    cmp(1, 0, b"Linux\0\0\0\0\0\0\0\0\0\0\0"),
                    imm(1, &[192, 0, 2, 1]),
                    imm(2, &8080u16.to_be_bytes()),
                    expr(
                        "tproxy",
                        "tproxy-attrs",
                        vec![U32("family", 2), U32("reg-addr", 1), U32("reg-port", 2)],
                    ),
                ],
            ),
        ),
    ]);
    assert_eq!(
        got,
        [
            "NFT_MSG_NEWRULE rule ip filter input fib daddr type local drop",
            "NFT_MSG_NEWRULE rule ip filter input socket transparent 1 numgen inc mod 2 0 \
             synproxy mss 1460 wscale 7 timestamp sack-perm <fib>",
            "NFT_MSG_NEWRULE rule ip filter input tcp option maxseg size 1460 \
             tcp option sack-perm exists",
            "NFT_MSG_NEWRULE rule inet filter prerouting osf name \"Linux\" \
             tproxy ip to 192.0.2.1:8080",
        ]
    );
}

#[test]
fn map_keys_and_data_are_typed_in_the_tree() {
    let specs = SpecRegistry::with_embedded();
    let spec = specs.get("nftables").unwrap().clone();
    let mut d = Dissector::new(specs);
    let msgs = [
        (
            "newset",
            vec![
                Str("table", "nat"),
                Str("name", "dnat4"),
                U32("flags", SET_MAP),
                U32("key-type", T_IPADDR),
                U32("key-len", 4),
                U32("data-type", T_IPADDR),
            ],
        ),
        (
            "newsetelem",
            vec![
                Str("table", "nat"),
                Str("set", "dnat4"),
                Nest(
                    "elements",
                    "setelem-attrs",
                    vec![Nest(
                        "key",
                        "setelem-attrs",
                        vec![val("key", &[192, 0, 2, 1]), val("data", &[10, 0, 0, 1])],
                    )],
                ),
            ],
        ),
    ];
    let mut values = Vec::new();
    for (op, attrs) in &msgs {
        let o = spec.ops.iter().find(|o| o.name == *op).unwrap();
        let set = o.attribute_set.clone().unwrap();
        let mut p = vec![2, 0, 0, 0];
        enc(&spec, &set, attrs, &mut p);
        let mut f = vec![0, 4, 0x03, 0x38, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12];
        f.extend(crate::netlink::nlmsg(
            Endian::Little,
            o.request_values[0],
            0x2,
            1,
            7,
            &p,
        ));
        let fi = d.index_frame(&f, 253, Endian::Little);
        for n in d.view(&f, &fi.msgs[0]).tree() {
            n.walk(&mut |c| {
                if c.field.starts_with("nftables.elements.") && c.field.ends_with(".value") {
                    values.push((c.field.to_string(), c.value.clone()));
                }
            });
        }
    }
    assert_eq!(
        values,
        [
            (
                "nftables.elements.key.value".to_string(),
                Value::Ipv4([192, 0, 2, 1])
            ),
            (
                "nftables.elements.data.value".to_string(),
                Value::Ipv4([10, 0, 0, 1])
            ),
        ]
    );
}
