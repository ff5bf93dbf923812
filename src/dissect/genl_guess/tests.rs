//! Guessing a generic netlink family from a message's command and attributes.

use super::*;
use crate::dissect::Dissector;
use crate::dissect::specs::{SpecSource, load_spec};
use crate::model::Severity;
use crate::netlink::{nla, nlmsg};

const LE: Endian = Endian::Little;

/// Two families with a command 1 each: `alpha` (u32 id, string name, nested info), `beta`
/// (u16 id, a flag); and `gamma`, whose command 1 is only a reply.
const SPECS: [&str; 3] = [
    "name: alpha\nprotocol: genetlink\nattribute-sets:\n  - name: a\n    attributes:\n      - {name: id, type: u32}\n      - {name: name, type: string}\n      - {name: info, type: nest, nested-attributes: i}\n  - name: i\n    attributes:\n      - {name: x, type: u8}\noperations:\n  list:\n    - {name: get, value: 1, attribute-set: a, do: {request: {attributes: [id]}}}\n",
    "name: beta\nprotocol: genetlink\nattribute-sets:\n  - name: b\n    attributes:\n      - {name: id, type: u16}\n      - {name: on, type: flag}\noperations:\n  list:\n    - {name: get, value: 1, attribute-set: b}\n",
    "name: gamma\nprotocol: genetlink\nattribute-sets:\n  - name: c\n    attributes:\n      - {name: id, type: u32}\n      - {name: name, type: string}\noperations:\n  enum-model: directional\n  list:\n    - {name: get, attribute-set: c, do: {request: {value: 7}, reply: {value: 1}}}\n",
];

fn registry() -> SpecRegistry {
    let mut r = SpecRegistry::new();
    for (i, s) in SPECS.iter().enumerate() {
        r.insert(load_spec(s, SpecSource::Embedded(format!("t{i}"))).unwrap());
    }
    r
}

fn genl(cmd: u8, attrs: &[Vec<u8>]) -> Vec<u8> {
    let mut p = vec![cmd, 1, 0, 0];
    for a in attrs {
        p.extend_from_slice(a);
    }
    p
}

fn name_of(r: &SpecRegistry, g: Option<Guess>) -> Option<&str> {
    g.and_then(|g| r.spec_at(g.spec)).map(|s| s.name.as_str())
}

#[test]
fn the_family_whose_attributes_fit_wins() {
    let r = registry();
    let info = nla(LE, 1, &[5]);
    let p = genl(
        1,
        &[
            nla(LE, 1, &7u32.to_le_bytes()),
            nla(LE, 2, b"eth0\0"),
            nla(LE, 3, &info),
        ],
    );
    let g = guess(&r, &p, LE, true);
    assert_eq!(name_of(&r, g), Some("alpha"));
    assert_eq!(g.map(|g| (g.fit, g.of)), Some((4, 4)));
    // A u16 and a flag: beta's shape.
    let p = genl(1, &[nla(LE, 1, &7u16.to_le_bytes()), nla(LE, 2, &[])]);
    assert_eq!(name_of(&r, guess(&r, &p, LE, true)), Some("beta"));
    // From the kernel, gamma's reply 1 fits as well as alpha: no guess.
    let p = genl(1, &[nla(LE, 1, &7u32.to_le_bytes()), nla(LE, 2, b"x\0")]);
    assert_eq!(guess(&r, &p, LE, false), None);
    assert_eq!(name_of(&r, guess(&r, &p, LE, true)), Some("alpha"));
}

#[test]
fn no_guess_without_evidence() {
    let r = registry();
    // No attributes: every family with command 1 fits equally (nothing).
    assert_eq!(guess(&r, &genl(1, &[]), LE, true), None);
    // No family has command 9.
    let p = genl(9, &[nla(LE, 1, &7u32.to_le_bytes())]);
    assert_eq!(guess(&r, &p, LE, true), None);
    // Attributes that fit no set well (a u64 where u32/u16 are expected, unknown types).
    let p = genl(
        1,
        &[nla(LE, 1, &[0; 8]), nla(LE, 30, &[1]), nla(LE, 31, &[1])],
    );
    assert_eq!(guess(&r, &p, LE, true), None);
    // Not attributes at all, and truncated input.
    assert_eq!(guess(&r, &genl(1, &[vec![2, 0, 1, 0]]), LE, true), None);
    assert_eq!(guess(&r, &[], LE, true), None);
    assert_eq!(guess(&r, &[1, 1], LE, true), None);
}

#[test]
fn a_dissector_names_unnamed_ids_by_guess_and_the_user_overrides() {
    let mut d = Dissector::new(registry());
    let p = genl(1, &[nla(LE, 1, &7u32.to_le_bytes()), nla(LE, 2, b"eth0\0")]);
    let mut f = vec![0, 4, 0x03, 0x38, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16];
    f.extend(nlmsg(LE, 0x30, 0x5, 1, 0, &p));
    let fi = d.index_frame(&f, 253, LE);
    let m = fi.msgs.first().unwrap();
    let v = d.view(&f, m);
    assert_eq!(v.genl_family(), Some("alpha"));
    assert!(v.type_name().contains("GET"), "{}", v.type_name());
    let notes: Vec<String> = v
        .tree()
        .iter()
        .flat_map(|n| {
            let mut e = Vec::new();
            n.walk(&mut |x| {
                if let Some(x) = &x.expert {
                    e.push((x.severity, x.text.clone()));
                }
            });
            e
        })
        .filter(|(s, _)| *s == Severity::Note)
        .map(|(_, m)| m)
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("guessed alpha") && n.contains("--genl alpha=48")),
        "{notes:?}"
    );
    // The user says otherwise: no guess, no note.
    d.pin_genl(0x30, "beta");
    let v = d.view(&f, m);
    assert_eq!(v.genl_family_guess(), Some(("beta", None)));
    // And what the capture says later does not undo it.
    d.learn_genl(0x30, "alpha");
    assert_eq!(d.genl_family(0x30), Some("beta"));
}

/// An ACK of generic netlink (type NLMSG_ERROR, below the family ids) is no family's: its
/// payload (an error code and the request's header) is not scored as attributes.
#[test]
fn acks_are_not_guessed() {
    let mut d = Dissector::new(registry());
    // An ACK whose echoed request would read as alpha's command 1 with an id attribute.
    let mut body = 0u32.to_le_bytes().to_vec();
    body.extend(nlmsg(
        LE,
        0x30,
        0x5,
        1,
        0,
        &genl(1, &[nla(LE, 1, &7u32.to_le_bytes())]),
    ));
    let f = crate::dissect::tests::frame(
        16,
        &[nlmsg(LE, crate::netlink::NLMSG_ERROR, 0, 1, 0, &body)],
    );
    let fi = d.index_frame(&f, 253, LE);
    let m = fi.msgs.first().unwrap();
    let mut facts = Vec::new();
    d.view_facts(&f, &fi, &mut facts);
    assert!(facts.is_empty(), "{facts:?}");
    assert_eq!(d.genl_family_of(&f, m), None);
    assert_eq!(d.view(&f, m).genl_family_guess(), None);
}
