//! The store and its printers with hand-built messages.

use serde_json::json;

use super::{Kind, State};
use crate::model::Endian;

const E: Endian = Endian::Little;

/// ifinfomsg: family, pad, type, index, flags, change.
fn ifinfo(idx: u32, flags: u32) -> Vec<u8> {
    let mut h = vec![0, 0];
    h.extend_from_slice(&1u16.to_le_bytes());
    h.extend_from_slice(&idx.to_le_bytes());
    h.extend_from_slice(&flags.to_le_bytes());
    h.extend_from_slice(&0u32.to_le_bytes());
    h
}

fn a(name: &str, b: &[u8]) -> (String, Vec<u8>) {
    (name.to_string(), b.to_vec())
}

fn link(s: &mut State, ty: u16, idx: u32, flags: u32, attrs: Vec<(String, Vec<u8>)>) {
    s.apply_raw(ty, &ifinfo(idx, flags), attrs, E);
}

#[test]
fn links_merge_and_delete() {
    let mut s = State::new();
    link(
        &mut s,
        16,
        4,
        0x1003,
        vec![a("ifname", b"veth0\0"), a("mtu", &1500u32.to_le_bytes())],
    );
    link(
        &mut s,
        16,
        4,
        0x11043,
        vec![a("mtu", &9000u32.to_le_bytes()), a("operstate", &[6])],
    );
    assert_eq!(
        s.render_text(Kind::Links),
        "4: veth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9000 state UP\n    link/ether\n"
    );
    let j = s.render_json(Kind::Links);
    assert_eq!(j[0]["ifname"], json!("veth0"));
    assert_eq!(j[0]["mtu"], json!(9000));
    link(&mut s, 17, 4, 0, vec![]);
    assert_eq!(s.render_text(Kind::Links), "");
}

#[test]
fn up_without_carrier_is_no_carrier() {
    let mut s = State::new();
    link(&mut s, 16, 2, 0x1003, vec![a("ifname", b"d\0")]);
    assert_eq!(
        s.render_json(Kind::Links)[0]["flags"],
        json!(["NO-CARRIER", "BROADCAST", "MULTICAST", "UP"])
    );
}

#[test]
fn addresses_keyed_by_device_and_prefix() {
    let mut s = State::new();
    link(&mut s, 16, 4, 0, vec![a("ifname", b"veth0\0")]);
    let hdr = [2u8, 24, 0, 0, 4, 0, 0, 0];
    let addr = vec![a("local", &[192, 0, 2, 1]), a("address", &[192, 0, 2, 1])];
    s.apply_raw(20, &hdr, addr.clone(), E);
    s.apply_raw(20, &hdr, addr.clone(), E);
    s.apply_raw(
        20,
        &[2u8, 24, 0, 0, 4, 0, 0, 0],
        vec![a("local", &[192, 0, 2, 9])],
        E,
    );
    assert_eq!(
        s.render_text(Kind::Addrs),
        "4: veth0 inet 192.0.2.1/24 scope global\n4: veth0 inet 192.0.2.9/24 scope global\n"
    );
    s.apply_raw(21, &hdr, addr, E);
    assert_eq!(
        s.render_json(Kind::Addrs)[0]["addr_info"][0]["local"],
        json!("192.0.2.9")
    );
    assert_eq!(s.render_json(Kind::Addrs).as_array().map(Vec::len), Some(1));
}

#[test]
fn routes_keyed_by_table_and_metric() {
    let mut s = State::new();
    // rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags.
    let main = [2u8, 24, 0, 0, 254, 4, 0, 1, 0, 0, 0, 0];
    let other = [2u8, 24, 0, 0, 100, 4, 0, 1, 0, 0, 0, 0];
    let dst = a("dst", &[203, 0, 113, 0]);
    let via = a("gateway", &[192, 0, 2, 2]);
    s.apply_raw(
        24,
        &main,
        vec![
            dst.clone(),
            via.clone(),
            a("priority", &10u32.to_le_bytes()),
        ],
        E,
    );
    s.apply_raw(
        24,
        &main,
        vec![dst.clone(), a("priority", &20u32.to_le_bytes())],
        E,
    );
    s.apply_raw(
        24,
        &other,
        vec![dst.clone(), a("table", &100u32.to_le_bytes())],
        E,
    );
    assert_eq!(
        s.render_text(Kind::Routes),
        "203.0.113.0/24 table 100 proto static\n\
         203.0.113.0/24 via 192.0.2.2 proto static metric 10\n\
         203.0.113.0/24 proto static metric 20\n"
    );
    s.apply_raw(25, &main, vec![dst, a("priority", &10u32.to_le_bytes())], E);
    assert_eq!(
        s.render_json(Kind::Routes).as_array().map(Vec::len),
        Some(2)
    );
}

#[test]
fn a_short_header_or_unknown_type_changes_nothing() {
    let mut s = State::new();
    s.apply_raw(16, &[0, 0, 1], vec![], E);
    s.apply_raw(18, &ifinfo(1, 0), vec![], E);
    s.apply_raw(999, &[], vec![], E);
    for k in Kind::ALL {
        assert_eq!(s.render_text(k), "", "{}", k.as_str());
        assert_eq!(Kind::parse(k.as_str()), Some(k));
    }
}

#[test]
fn nexthop_groups_and_rules() {
    let mut s = State::new();
    let mut g = Vec::new();
    for (id, w) in [(1u32, 0u8), (2, 1)] {
        g.extend_from_slice(&id.to_le_bytes());
        g.extend_from_slice(&[w, 0, 0, 0]);
    }
    s.apply_raw(
        104,
        &[2, 0, 0, 0, 0, 0, 0, 0],
        vec![a("id", &10u32.to_le_bytes()), a("group", &g)],
        E,
    );
    assert_eq!(s.render_text(Kind::Nexthops), "id 10 group 1/2,2\n");
    // fib_rule_hdr: family, dst_len, src_len, tos, table, res1, res2, action, flags.
    s.apply_raw(
        32,
        &[2, 0, 24, 0, 100, 0, 0, 1, 0, 0, 0, 0],
        vec![
            a("priority", &100u32.to_le_bytes()),
            a("src", &[192, 0, 2, 0]),
        ],
        E,
    );
    assert_eq!(
        s.render_text(Kind::Rules),
        "100:\tfrom 192.0.2.0/24 lookup 100\n"
    );
}
