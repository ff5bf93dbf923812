//! Filter language tests: syntax, semantics, errors.

use std::net::Ipv6Addr;

use super::fields::edit_distance;
use super::*;

const KNOWN: &[&str] = &[
    "rt-link.ifname",
    "rt-link.address",
    "rt-link.mtu",
    "rt-link.linkinfo.kind",
    "rt-addr.address",
    "rt-addr.local6",
    "nlctrl.family-name",
    "x.bytes",
    "x.bool",
    "x.neg",
];

const NLM_FLAGS: &[(&str, u64)] = &[
    ("NLM_F_REQUEST", 0x1),
    ("NLM_F_MULTI", 0x2),
    ("NLM_F_ACK", 0x4),
    ("NLM_F_ECHO", 0x8),
    ("NLM_F_ROOT", 0x100),
    ("NLM_F_MATCH", 0x200),
    ("NLM_F_ATOMIC", 0x400),
    ("NLM_F_DUMP", 0x300),
];

struct Msg(Vec<(&'static str, FieldValue<'static>)>);

impl FieldSource for Msg {
    fn any(&self, field: &str, f: &mut dyn FnMut(&FieldValue<'_>) -> bool) -> bool {
        self.0
            .iter()
            .filter(|(n, _)| *n == field)
            .any(|(_, v)| f(v))
    }
}

fn msg() -> Msg {
    Msg(vec![
        ("frame.number", FieldValue::Uint(7)),
        ("frame.time", FieldValue::Float(1795421574.75)),
        ("netlink.family", FieldValue::enumerated(0, "route")),
        ("nlmsg.len", FieldValue::Uint(1240)),
        (
            "nlmsg.type",
            FieldValue::Enum {
                value: 16,
                name: Cow::Borrowed("RTM_NEWLINK"),
                aliases: &["newlink"],
            },
        ),
        ("nlmsg.flags", FieldValue::flags(0x305, NLM_FLAGS)),
        ("nlmsg.seq", FieldValue::Uint(42)),
        ("nlmsg.pid", FieldValue::Uint(0)),
        ("nlmsg.error", FieldValue::Int(-95)),
        ("nlmsg.direction", FieldValue::enumerated(1, "from-kernel")),
        ("rt-link.ifname", FieldValue::str("lo")),
        ("rt-link.ifname", FieldValue::str("veth0")),
        ("rt-link.mtu", FieldValue::Uint(1500)),
        ("rt-link.linkinfo.kind", FieldValue::str("veth")),
        ("rt-link.address", FieldValue::Mac([2, 0, 0, 0, 0, 1])),
        ("rt-addr.address", FieldValue::Ipv4([192, 0, 2, 1])),
        (
            "rt-addr.local6",
            FieldValue::Ipv6("2001:db8::1".parse::<Ipv6Addr>().unwrap().octets()),
        ),
        ("nlctrl.family-name", FieldValue::str("say \"hi\"\n\\")),
        (
            "x.bytes",
            FieldValue::bytes(&[0xde, 0xad, 0xbe, 0xef, 0x41]),
        ),
        ("x.bool", FieldValue::Bool(true)),
        ("x.neg", FieldValue::Int(i64::MIN)),
    ])
}

fn compile(s: &str) -> Filter {
    match Filter::compile(s, &KNOWN) {
        Ok(f) => f,
        Err(e) => panic!("{s:?}: {}", e.render(s)),
    }
}

fn m(s: &str) -> bool {
    compile(s).matches(&msg())
}

fn yes(list: &[&str]) {
    for s in list {
        assert!(m(s), "expected match: {s}");
    }
}

fn no(list: &[&str]) {
    for s in list {
        assert!(!m(s), "expected no match: {s}");
    }
}

fn err(s: &str) -> FilterError {
    match Filter::compile(s, &KNOWN) {
        Ok(f) => panic!("{s:?} compiled: {f:?}"),
        Err(e) => e,
    }
}

fn err_at(s: &str, pos: usize, len: usize, needle: &str) {
    let e = err(s);
    assert_eq!((e.pos, e.len), (pos, len), "{s:?}: {}", e.render(s));
    assert!(
        e.message.contains(needle),
        "{s:?}: {:?} lacks {needle:?}",
        e.message
    );
}

#[test]
fn numeric_comparisons() {
    yes(&[
        "frame.number == 7",
        "frame.number eq 7",
        "frame.number != 8",
        "frame.number ne 8",
        "frame.number < 8",
        "frame.number lt 8",
        "frame.number <= 7",
        "frame.number le 7",
        "frame.number > 6",
        "frame.number gt -6",
        "frame.number >= 7",
        "frame.number ge 7",
        "frame.number == 0x7",
        "frame.number == 0X07",
        "nlmsg.len == 0x4d8",
        "frame.number == 7.0",
        "frame.number < 7.5",
        "nlmsg.error == -95",
        "nlmsg.error==-95",
        "nlmsg.error < -94",
        "nlmsg.error > -0x60",
        "x.neg == -9223372036854775808",
        "x.neg < 0",
        "frame.time >= 1795421574.5",
        "frame.time < 1795421575",
        "frame.time > 1795421574",
        "frame.time == 1795421574.75",
    ]);
    no(&[
        "frame.number == 8",
        "frame.number != 7",
        "frame.number < 7",
        "frame.number > 7",
        "nlmsg.error == 95",
        "nlmsg.error > 0",
        "frame.number == -7",
        "frame.number == 99999999999999999999999999999999999999999",
        "frame.time == 1795421574",
        "frame.number == seven",
        "frame.number contains 7",
    ]);
}

#[test]
fn strings() {
    yes(&[
        "rt-link.ifname == veth0",
        "rt-link.ifname == \"veth0\"",
        "rt-link.ifname == lo",
        "rt-link.ifname contains eth",
        "rt-link.ifname contains \"th0\"",
        "rt-link.linkinfo.kind == veth",
        "rt-link.linkinfo.kind > vet",
        "rt-link.linkinfo.kind < vetha",
        "rt-link.linkinfo.kind >= veth",
        "nlctrl.family-name == \"say \\\"hi\\\"\\n\\\\\"",
        "nlctrl.family-name contains \"\\x68i\"",
        "nlctrl.family-name contains \"\\\"\\x0a\"",
    ]);
    no(&[
        "rt-link.ifname == VETH0",
        "rt-link.ifname contains ETH",
        "rt-link.ifname == veth",
        "rt-link.ifname == \"veth0 \"",
        "rt-link.linkinfo.kind contains \"\\xff\"",
    ]);
}

#[test]
fn multi_occurrence() {
    // == is "any occurrence equals"; != is "exists and none equals".
    yes(&[
        "rt-link.ifname == lo && rt-link.ifname == veth0",
        "rt-link.ifname != eth0",
        "!(rt-link.ifname == eth0)",
        "rt-link.ifname > m",
        "rt-link.ifname < m",
        "rt-link.ifname in {eth0 veth0}",
    ]);
    no(&[
        "rt-link.ifname != lo",
        "rt-link.ifname != veth0",
        "!(rt-link.ifname == lo)",
    ]);
}

#[test]
fn missing_fields() {
    let empty = Msg(vec![]);
    for (s, expect) in [
        ("rt-link.ifname == lo", false),
        ("rt-link.ifname != lo", false),
        ("rt-link.ifname contains l", false),
        ("rt-link.ifname < zzz", false),
        ("rt-link.ifname", false),
        ("!rt-link.ifname", true),
        ("not rt-link.ifname", true),
        ("!(rt-link.ifname == lo)", true),
        ("", true),
    ] {
        assert_eq!(compile(s).matches(&empty), expect, "{s}");
    }
    yes(&["rt-link.ifname", "x.bytes", "nlmsg.flags"]);
    no(&["!rt-link.ifname", "rt-addr.local6 == 192.0.2.1"]);
}

#[test]
fn logic_and_precedence() {
    yes(&[
        "frame.number == 7 && nlmsg.seq == 42",
        "frame.number == 7 and nlmsg.seq == 42",
        "frame.number == 8 || nlmsg.seq == 42",
        "frame.number == 8 or nlmsg.seq == 42",
        // && binds tighter than ||: true || (false && false)
        "frame.number == 7 || frame.number == 8 && frame.number == 9",
        // (false && false) || true
        "frame.number == 8 && frame.number == 9 || frame.number == 7",
        "!frame.number == 8",
        "!!frame.number",
        "not not not frame.number == 8",
        "!(frame.number == 8 || nlmsg.seq == 1)",
        "((frame.number == 7))",
        "(frame.number == 8 || nlmsg.seq == 42) && (rt-link.ifname == lo)",
    ]);
    no(&[
        // (true || false) && false
        "(frame.number == 7 || frame.number == 8) && frame.number == 9",
        "frame.number == 7 && nlmsg.seq == 41",
        "frame.number == 8 or nlmsg.seq == 41",
        "!frame.number",
        "!(frame.number == 7)",
        "not (frame.number == 7 and nlmsg.seq == 42)",
    ]);
}

#[test]
fn no_spaces_and_arrays() {
    yes(&[
        "frame.number==7&&nlmsg.seq==42",
        "!rt-link.ifname||nlmsg.type==RTM_NEWLINK",
        "(nlmsg.error<=-95)&&nlmsg.flags&NLM_F_ACK",
        "rt-link.ifname==\"lo\"&&rt-addr.address==192.0.2.0/24",
    ]);
    let arr = ["rt-link.ifname"];
    assert!(Filter::compile("rt-link.ifname", &arr).is_ok());
    let e = Filter::compile("rt-link.ifnam", &arr).unwrap_err();
    assert!(e.message.contains("did you mean 'rt-link.ifname'"));
}

#[test]
fn aliases() {
    yes(&[
        "netlink.hdr_len == 1240",
        "netlink.hdr_type == 16",
        "netlink.hdr_flags & NLM_F_ACK",
        "netlink.hdr_seq == 42",
        "netlink.hdr_pid == 0",
        "netlink.error == -95",
        "netlink.family == route",
    ]);
    let f = compile("netlink.hdr_type == 1 || nlmsg.type == 2 || netlink.hdr_seq");
    assert_eq!(f.fields().collect::<Vec<_>>(), ["nlmsg.type", "nlmsg.seq"]);
    assert_eq!(canonical_field_name("netlink.hdr_pid"), "nlmsg.pid");
    assert_eq!(canonical_field_name("rt-link.ifname"), "rt-link.ifname");
}

#[test]
fn enums() {
    yes(&[
        "nlmsg.type == RTM_NEWLINK",
        "nlmsg.type == rtm_newlink",
        "nlmsg.type == \"RTM_NEWLINK\"",
        "nlmsg.type == newlink",
        "nlmsg.type == NEWLINK",
        "nlmsg.type == 16",
        "nlmsg.type == 0x10",
        "nlmsg.type >= 16",
        "nlmsg.type < 20",
        "nlmsg.type != RTM_GETLINK",
        "nlmsg.type in {RTM_GETLINK, RTM_NEWLINK}",
        "nlmsg.type in {18 16}",
        "nlmsg.type contains NEWLINK",
        "nlmsg.type & 0x10",
        "nlmsg.direction == from-kernel",
        "nlmsg.direction != to-kernel",
        "netlink.family == 0",
    ]);
    no(&[
        "nlmsg.type == RTM_GETLINK",
        "nlmsg.type == 18",
        "nlmsg.type == RTM_NEWLIN",
        "nlmsg.type < RTM_GETLINK",
        "nlmsg.type in {RTM_GETLINK 18}",
        "nlmsg.type & 0x1",
        "nlmsg.direction == to-kernel",
    ]);
}

#[test]
fn flags() {
    // value 0x305 = REQUEST | ACK | ROOT | MATCH (= DUMP)
    yes(&[
        "nlmsg.flags & NLM_F_DUMP",
        "nlmsg.flags & nlm_f_ack",
        "nlmsg.flags & NLM_F_REQUEST",
        "nlmsg.flags & NLM_F_ROOT",
        "nlmsg.flags & \"NLM_F_ACK\"",
        "nlmsg.flags contains NLM_F_ACK",
        "nlmsg.flags == NLM_F_ACK",
        "nlmsg.flags == 0x305",
        "nlmsg.flags & 0x4",
        "nlmsg.flags & 0x6",
        "nlmsg.flags contains 0x5",
        "nlmsg.flags > 0x300",
        "nlmsg.flags != 0x5",
        "!(nlmsg.flags & NLM_F_MULTI)",
    ]);
    no(&[
        "nlmsg.flags & NLM_F_MULTI",
        "nlmsg.flags & NLM_F_ATOMIC",
        "nlmsg.flags & NLM_F_UNKNOWN",
        "nlmsg.flags == NLM_F_ECHO",
        "nlmsg.flags == 0x5",
        "nlmsg.flags & 0x2",
        "nlmsg.flags & 0",
        "nlmsg.flags contains 0x6",
    ]);
    let partial = Msg(vec![("nlmsg.flags", FieldValue::flags(0x101, NLM_FLAGS))]);
    assert!(!compile("nlmsg.flags & NLM_F_DUMP").matches(&partial));
    assert!(compile("nlmsg.flags & 0x300").matches(&partial));
    let v = FieldValue::flags(0x305, NLM_FLAGS);
    assert_eq!(
        v.flag_names().collect::<Vec<_>>(),
        [
            "NLM_F_REQUEST",
            "NLM_F_ACK",
            "NLM_F_ROOT",
            "NLM_F_MATCH",
            "NLM_F_DUMP"
        ]
    );
    assert_eq!(FieldValue::Uint(3).flag_names().count(), 0);
    // bit tests on plain integers
    yes(&["rt-link.mtu & 0x4", "x.bool & 1", "nlmsg.error & 1"]);
    no(&["rt-link.mtu & 0x1", "rt-link.ifname & 1"]);
}

#[test]
fn addresses() {
    yes(&[
        "rt-addr.address == 192.0.2.1",
        "rt-addr.address == 192.0.2.0/24",
        "rt-addr.address == 192.0.2.1/32",
        "rt-addr.address == 192.0.0.0/22",
        "rt-addr.address == 0.0.0.0/0",
        "rt-addr.address == 192.0.2.255/24",
        "rt-addr.address != 198.51.100.0/24",
        "rt-addr.address > 192.0.1.255",
        "rt-addr.address in {10.0.0.0/8 192.0.2.0/25}",
        "rt-addr.local6 == 2001:db8::1",
        "rt-addr.local6 == 2001:DB8:0:0:0:0:0:1",
        "rt-addr.local6 == 2001:db8::/32",
        "rt-addr.local6 == 2001:db8::/127",
        "rt-addr.local6 == ::/0",
        "rt-addr.local6 < 2001:db8::2",
        "rt-link.address == 02:00:00:00:00:01",
        "rt-link.address == 2:0:0:0:0:1",
        "rt-link.address == 02-00-00-00-00-01",
        "rt-link.address contains 00:01",
        "rt-link.address < 02:00:00:00:00:02",
    ]);
    no(&[
        "rt-addr.address == 192.0.2.2",
        "rt-addr.address == 192.0.3.0/24",
        "rt-addr.address == 192.0.2.1/33",
        "rt-addr.address == 1.2.3",
        "rt-addr.address == \"192.0.2.1x\"",
        "rt-addr.local6 == 2001:db8::2",
        "rt-addr.local6 == 2001:db9::/32",
        "rt-addr.local6 == 2001:db8::1/129",
        "rt-addr.local6 == 192.0.2.1",
        "rt-link.address == 02:00:00:00:00:02",
        "rt-link.address == 02:00:00:00:00",
    ]);
}

#[test]
fn bytes_and_bools() {
    yes(&[
        "x.bytes == de:ad:be:ef:41",
        "x.bytes == DE:AD:BE:EF:41",
        "x.bytes contains ad:be",
        "x.bytes contains be",
        "x.bytes contains \"A\"",
        "x.bytes contains \"\\xef\\x41\"",
        "x.bytes > de:ad",
        "x.bytes < df",
        "x.bool == true",
        "x.bool == TRUE",
        "x.bool == 1",
        "x.bool != false",
        "x.bool > 0",
    ]);
    no(&[
        "x.bytes == de:ad:be:ef",
        "x.bytes contains ad:ef",
        "x.bytes contains \"a\"",
        "x.bool == false",
        "x.bool == 0",
        "x.bool == yes",
    ]);
}

#[test]
fn literal_interpretations() {
    let l = Literal::bare("-0x10");
    assert_eq!(l.int, Some(-16));
    assert_eq!(l.mask, Some((-16i64) as u64));
    assert_eq!(Literal::bare("1.5e3").float, Some(1500.0));
    assert_eq!(Literal::bare("inf").float, None);
    assert_eq!(Literal::bare("nan").float, None);
    assert_eq!(Literal::bare("1.2.3").float, None);
    assert_eq!(Literal::bare("1.2.3").ipv4, None);
    assert_eq!(Literal::bare("0x").int, None);
    assert_eq!(Literal::bare("-").int, None);
    assert_eq!(Literal::bare("aa:bb").raw[..], [0xaa, 0xbb]);
    assert_eq!(Literal::bare("aa:b").raw[..], *b"aa:b");
    assert_eq!(Literal::bare("10.0.0.0/8").ipv4, Some(([10, 0, 0, 0], 8)));
    assert_eq!(Literal::bare("::1").ipv6.map(|x| x.1), Some(128));
    assert!(Literal::bare("aa:bb:cc:dd:ee:ff").mac.is_some());
    assert!(Literal::bare("aa:bb:cc:dd:ee:ff").ipv6.is_none());
    assert!(Literal::quoted(b"\xff").text.is_none());
    assert_eq!(Literal::quoted(b"12").int, Some(12));
}

#[test]
fn fields_and_needs_tree() {
    let f = compile("frame.number > 1 && (nlmsg.type == 16 || !nlmsg.flags)");
    assert!(!f.needs_tree());
    assert!(!f.is_empty());
    assert_eq!(
        f.fields().collect::<Vec<_>>(),
        ["frame.number", "nlmsg.type", "nlmsg.flags"]
    );
    let f = compile("nlmsg.type == 16 && rt-link.ifname == lo && rt-link.ifname");
    assert!(f.needs_tree());
    assert_eq!(f.fields().count(), 2);
    for s in ["", "   ", "\t\n"] {
        let f = compile(s);
        assert!(f.is_empty() && !f.needs_tree() && f.fields().count() == 0);
        assert!(f.matches(&msg()));
    }
    // header fields are known even if the catalog does not list them
    let none: &[&str] = &[];
    assert!(Filter::compile("frame.number == 1 && nlmsg.error", &none).is_ok());
    assert!(Filter::compile("foo.bar-baz_1.x2", &AnyField).is_ok());
}

#[test]
fn errors() {
    err_at(
        "nlmsg.type == && x",
        14,
        2,
        "expected a value after '==', found '&&'",
    );
    err_at(
        "nlmsg.type ==",
        13,
        1,
        "expected a value after '==', found end of filter",
    );
    err_at("nlmsg.type eq", 13, 1, "after 'eq'");
    err_at("rt-link.ifname == \"abc", 18, 4, "unterminated string");
    err_at("rt-link.ifname == \"abc\\", 18, 5, "unterminated string");
    err_at("rt-link.ifname == \"a\\qb\"", 20, 2, "invalid escape '\\q'");
    err_at(
        "rt-link.ifname == \"a\\x4\"",
        20,
        4,
        "'\\x' needs two hex digits",
    );
    err_at(
        "rt-link.ifname == \"a\\x4",
        20,
        3,
        "'\\x' needs two hex digits",
    );
    err_at("(frame.number == 1", 0, 1, "unclosed '('");
    err_at("((frame.number == 1)", 0, 1, "unclosed '('");
    err_at("frame.number == 1)", 17, 1, "unmatched ')'");
    err_at(
        "(frame.number == 1 x)",
        19,
        1,
        "expected ')' or an operator",
    );
    err_at(
        "()",
        1,
        1,
        "expected a field, '!' or '(' after '(', found ')'",
    );
    err_at(
        "rt-link.ifnme == lo",
        0,
        13,
        "unknown field 'rt-link.ifnme'; did you mean 'rt-link.ifname'?",
    );
    err_at(
        "frame.number == 1 && rt-lnk.zzzzzzz",
        21,
        14,
        "unknown field 'rt-lnk.zzzzzzz'",
    );
    err_at("frame.numbr", 0, 11, "did you mean 'frame.number'?");
    err_at(
        "frame.number == 1 &&",
        20,
        1,
        "after '&&', found end of filter",
    );
    err_at(
        "frame.number == 1 ||",
        20,
        1,
        "after '||', found end of filter",
    );
    err_at("!", 1, 1, "after '!', found end of filter");
    err_at(
        "&& frame.number",
        0,
        2,
        "expected a field, '!' or '(', found '&&'",
    );
    err_at(
        "frame.number == 1 2",
        18,
        1,
        "expected '&&', '||' or end of filter, found '2'",
    );
    err_at(
        "frame.number 1",
        13,
        1,
        "expected an operator after 'frame.number', found '1'",
    );
    err_at("rt-link.ifname lo", 15, 2, "expected an operator");
    err_at("frame.number = 1", 13, 1, "use '=='");
    err_at("frame.number == 1 | x", 18, 1, "use '||'");
    err_at("frame.number == 1 ~ x", 18, 1, "unexpected character '~'");
    err_at("frame.number == 1 €", 18, 1, "unexpected character '€'");
    err_at(
        "7 == frame.number",
        0,
        1,
        "expected a field name, found '7'",
    );
    err_at("RTM_GETLINK", 0, 11, "expected a field name");
    err_at("rt-link..ifname", 0, 15, "expected a field name");
    err_at("rt-link.ifname-", 0, 15, "expected a field name");
    err_at("\"x\" == rt-link.ifname", 0, 3, "found string \"x\"");
    err_at("rt-link.ifname matches \"^v\"", 15, 7, "not supported");
    err_at(
        "rt-link.mtu & 1.2.3.4",
        14,
        7,
        "bitwise '&' needs a number or a flag name",
    );
    err_at(
        "nlmsg.type in RTM_GETLINK",
        14,
        11,
        "expected '{' after 'in'",
    );
    err_at("nlmsg.type in {1 2", 14, 1, "unclosed '{'");
    err_at("nlmsg.type in {}", 15, 1, "empty set");
    err_at(
        "nlmsg.type in {1 &&}",
        17,
        2,
        "expected a value or '}' in set",
    );
    err_at("nlmsg.type == and", 14, 3, "expected a value after '=='");
    // errors are reported left to right, even for lexical errors later on
    err_at("zz.q == \"unterminated", 0, 4, "unknown field 'zz.q'");
    // positions are in characters, not bytes
    err_at("rt-link.ifname == \"é\" &&", 24, 1, "found end of filter");
}

#[test]
fn depth_limits() {
    let ok = format!(
        "{}frame.number{}",
        "(".repeat(MAX_DEPTH),
        ")".repeat(MAX_DEPTH)
    );
    assert!(compile(&ok).matches(&msg()));
    let ok = format!("{}frame.number", "!".repeat(MAX_DEPTH));
    assert!(compile(&ok).matches(&msg()));
    for n in [MAX_DEPTH + 1, 10_000, 200_000] {
        for (s, pos) in [
            (
                format!("{}frame.number{}", "(".repeat(n), ")".repeat(n)),
                64,
            ),
            ("(".repeat(n), 64),
            (format!("{}frame.number", "!".repeat(n)), 64),
            (format!("{}frame.number", "not ".repeat(n)), 256),
            (format!("{}frame.number", "!(".repeat(n)), 64),
        ] {
            let e = Filter::compile(&s, &KNOWN).unwrap_err();
            assert!(e.message.contains("nesting too deep"), "{}", e.message);
            assert_eq!(e.pos, pos, "{n}");
        }
    }
    // long flat chains are not nested and compile fine
    let long = vec!["frame.number == 7"; 20_000].join(" && ");
    assert!(compile(&long).matches(&msg()));
    let long = vec!["frame.number == 8"; 20_000].join(" || ");
    assert!(!compile(&long).matches(&msg()));
}

#[test]
fn display_and_render() {
    let s = "nlmsg.type == && x";
    let e = err(s);
    assert_eq!(
        e.to_string(),
        "col 15: expected a value after '==', found '&&'"
    );
    assert_eq!(
        e.render(s),
        "nlmsg.type == && x\n              ^^ expected a value after '==', found '&&'"
    );
    let s = "a\tb";
    let e = Filter::compile(s, &AnyField).unwrap_err();
    assert_eq!(
        e.render(s),
        "a b\n  ^ expected an operator after 'a', found 'b'"
    );
}

#[test]
fn helpers() {
    assert_eq!(
        suggest_field("rt-link.ifnme", KNOWN.iter().copied()),
        Some("rt-link.ifname")
    );
    assert_eq!(
        suggest_field("completely.else", KNOWN.iter().copied()),
        None
    );
    assert_eq!(
        field_completions("rt-link.", KNOWN.iter().copied()),
        [
            "rt-link.address",
            "rt-link.ifname",
            "rt-link.linkinfo.kind",
            "rt-link.mtu"
        ]
    );
    assert_eq!(edit_distance("", "abc"), 3);
    assert_eq!(edit_distance("kitten", "sitting"), 3);
}

/// The banded distance agrees with the whole Levenshtein table within its limit (fuzzing found
/// the whole table too slow: a long unknown field against the catalog took about a second).
#[test]
fn banded_edit_distance_matches_full_table() {
    fn full(a: &[char], b: &[char]) -> usize {
        let mut t = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for (i, row) in t.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in t[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let c = usize::from(a[i - 1] != b[j - 1]);
                t[i][j] = (t[i - 1][j - 1] + c)
                    .min(t[i - 1][j] + 1)
                    .min(t[i][j - 1] + 1);
            }
        }
        t[a.len()][b.len()]
    }
    let mut rng = Rng(7);
    let alphabet = ['a', 'b', 'c', '.', 'é'];
    for _ in 0..3000 {
        let word = |rng: &mut Rng| -> Vec<char> {
            let n = (rng.next() % 9) as usize;
            (0..n)
                .map(|_| alphabet[(rng.next() % 5) as usize])
                .collect()
        };
        let (a, b) = (word(&mut rng), word(&mut rng));
        let d = full(&a, &b);
        for limit in 0..5 {
            let got = super::fields::edit_distance_within(&a, &b, limit);
            assert_eq!(got, (d <= limit).then_some(d), "{a:?} {b:?} limit {limit}");
            let trimmed = super::fields::distance_within(&a, &b, limit);
            assert_eq!(trimmed, got, "{a:?} {b:?} limit {limit}");
        }
    }
    // A long unknown name is answered at once, without a suggestion.
    let long = format!("rt-link.{}", "x".repeat(1000));
    let names: Vec<String> = (0..2000)
        .map(|i| format!("rt-link.{}", "y".repeat(990 + i % 20)))
        .collect();
    let t = std::time::Instant::now();
    assert_eq!(suggest_field(&long, names.iter().map(String::as_str)), None);
    assert!(
        t.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        t.elapsed()
    );
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

fn no_panic(s: &str) {
    for cat in [&KNOWN as &dyn FieldCatalog, &AnyField] {
        match Filter::compile(s, cat) {
            Ok(f) => {
                f.matches(&msg());
                f.matches(&Msg(vec![]));
                let _ = f.needs_tree();
            }
            Err(e) => {
                assert!(e.len >= 1);
                assert!(e.pos <= s.chars().count(), "{s:?} {e:?}");
                let _ = e.render(s);
                let _ = e.to_string();
            }
        }
    }
}

#[test]
fn fuzz_no_panic() {
    let complex = [
        "!(nlmsg.type in {RTM_NEWLINK, 0x10 \"x\\x41\"}) && (rt-link.ifname contains \"v\\teth\\\"\" || nlmsg.flags & NLM_F_DUMP) or not frame.time >= 1795421574.5",
        "rt-addr.address == 192.0.2.0/24 && rt-addr.local6 == 2001:db8::/32 || rt-link.address == 02:00:00:00:00:01 and x.bytes contains de:ad",
        "((nlmsg.error == -95) || netlink.hdr_flags & 0x300) && !x.bool && nlmsg.direction != to-kernel",
        "rt-link.ifname == \"é€\\\\\" || nlmsg.seq le 5 || nlmsg.pid ge 0x7fffffffffffffffffffffffffffffff",
    ];
    for s in complex {
        assert!(Filter::compile(s, &KNOWN).is_ok(), "{s}");
        let chars: Vec<char> = s.chars().collect();
        for i in 0..=chars.len() {
            no_panic(&chars[..i].iter().collect::<String>());
            no_panic(&chars[i..].iter().collect::<String>());
        }
    }
    let mut rng = Rng(0x5eed);
    let alphabet: Vec<char> = "()!&|=<>\"\\{},.:-/_ xaz09éA\t~".chars().collect();
    let vocab = [
        "(",
        ")",
        "!",
        "&&",
        "||",
        "&",
        "==",
        "!=",
        "<",
        ">=",
        "not",
        "and",
        "or",
        "in",
        "{",
        "}",
        ",",
        "contains",
        "matches",
        "\"",
        "\\",
        "frame.number",
        "rt-link.ifname",
        "nlmsg.flags",
        "NLM_F_DUMP",
        "-95",
        "0x",
        "1.5",
        "192.0.2.0/24",
        "::",
        "aa:bb",
        "\"s\\x4\"",
        "zz.q",
    ];
    for _ in 0..20_000 {
        let n = (rng.next() % 24) as usize;
        let s: String = match rng.next() % 3 {
            0 => {
                let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                String::from_utf8_lossy(&bytes).into_owned()
            }
            1 => (0..n)
                .map(|_| alphabet[(rng.next() as usize) % alphabet.len()])
                .collect(),
            _ => (0..n)
                .map(|_| vocab[(rng.next() as usize) % vocab.len()])
                .collect::<Vec<_>>()
                .join(" "),
        };
        no_panic(&s);
    }
}

/// Header operands of `&&`/`||` run before payload ones: a payload field is never asked for
/// when the header decides.
#[test]
fn header_operands_decide_first() {
    struct Src(std::cell::Cell<usize>);
    impl FieldSource for Src {
        fn any(&self, field: &str, f: &mut dyn FnMut(&FieldValue<'_>) -> bool) -> bool {
            match field {
                "nlmsg.seq" => f(&FieldValue::Uint(1)),
                _ => {
                    self.0.set(self.0.get() + 1);
                    f(&FieldValue::Uint(9))
                }
            }
        }
    }
    let cat =
        crate::dissect::fields::Catalog::new(&crate::dissect::specs::SpecRegistry::with_embedded());
    let src = Src(std::cell::Cell::new(0));
    for (text, want) in [
        ("rt-link.mtu == 9 && nlmsg.seq == 2", false),
        ("rt-link.mtu == 9 || nlmsg.seq == 1", true),
        (
            "(rt-link.mtu == 9 && rt-link.mtu > 1) && !(nlmsg.seq != 2)",
            false,
        ),
    ] {
        let f = Filter::compile(text, &cat).unwrap();
        assert_eq!(f.matches(&src), want, "{text}");
    }
    assert_eq!(src.0.get(), 0, "a payload field was read");
    let f = Filter::compile("nlmsg.seq == 1 && rt-link.mtu == 9", &cat).unwrap();
    assert!(f.matches(&src));
    assert_eq!(src.0.get(), 1);
}
