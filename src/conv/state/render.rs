//! The printers: `ip`/`tc`-style text and `ip -j`-shaped JSON, from the fields a capture can
//! know (what the kernel's messages carried).

use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};

use serde_json::{Map, Value, json};

use super::store::{Kind, Obj, State, nul_str};

/// IFF_* bits (linux/if.h) and names in the order `ip` prints them (print_link_flags).
const IFF: [(u32, &str); 17] = [
    (0x8, "LOOPBACK"),
    (0x2, "BROADCAST"),
    (0x10, "POINTOPOINT"),
    (0x1000, "MULTICAST"),
    (0x80, "NOARP"),
    (0x200, "ALLMULTI"),
    (0x100, "PROMISC"),
    (0x20, "NOTRAILERS"),
    (0x4, "DEBUG"),
    (0x8000, "DYNAMIC"),
    (0x4000, "AUTOMEDIA"),
    (0x2000, "PORTSEL"),
    (0x400, "MASTER"),
    (0x800, "SLAVE"),
    (0x1, "UP"),
    (0x10000, "LOWER_UP"),
    (0x20000, "DORMANT"),
];

/// NUD_* names in bit order (linux/neighbour.h).
const NUD: [&str; 8] = [
    "INCOMPLETE",
    "REACHABLE",
    "STALE",
    "DELAY",
    "PROBE",
    "FAILED",
    "NOARP",
    "PERMANENT",
];

impl State {
    /// The objects of kind `k` as `ip`/`tc` print them.
    pub fn render_text(&self, k: Kind) -> String {
        if k == Kind::Nft {
            return self.nft.text();
        }
        let mut out = String::new();
        for o in self.objects(k) {
            let line = match k {
                Kind::Links => self.link_text(o),
                Kind::Addrs => self.addr_text(o),
                Kind::Routes => self.route_text(o),
                Kind::Neigh => self.neigh_text(o),
                Kind::Rules => rule_text(o),
                Kind::Nexthops => self.nexthop_text(o),
                Kind::Qdiscs => self.qdisc_text(o),
                Kind::Nft => String::new(),
            };
            out.push_str(&line);
            out.push('\n');
        }
        out
    }

    /// The objects of kind `k` in the shape of `ip -j` / `tc -j` (an array).
    pub fn render_json(&self, k: Kind) -> Value {
        if k == Kind::Nft {
            return self.nft.json();
        }
        if k == Kind::Addrs {
            return self.addrs_json();
        }
        Value::Array(self.objects(k).map(|o| self.json_of(k, o)).collect())
    }

    /// `ip -j addr show`: per link (known links, and devices only addresses named) its link
    /// fields and `addr_info`, the addresses on it.
    fn addrs_json(&self) -> Value {
        let mut by_link: std::collections::BTreeMap<u32, Map<String, Value>> = self
            .objects(Kind::Links)
            .map(|o| {
                let mut m = Map::new();
                self.link_json(o, &mut m);
                m.insert("addr_info".into(), json!([]));
                (o.h32(4), m)
            })
            .collect();
        for o in self.objects(Kind::Addrs) {
            let idx = o.h32(4);
            let link = by_link.entry(idx).or_insert_with(|| {
                let mut m = Map::new();
                m.insert("ifindex".into(), json!(idx));
                m.insert("ifname".into(), json!(self.dev(idx)));
                m.insert("addr_info".into(), json!([]));
                m
            });
            if let Some(Value::Array(a)) = link.get_mut("addr_info") {
                a.push(Value::Object(State::addr_info(o)));
            }
        }
        Value::Array(by_link.into_values().map(Value::Object).collect())
    }

    /// One object's JSON.
    fn json_of(&self, k: Kind, o: &Obj) -> Value {
        let mut m = Map::new();
        match k {
            Kind::Links => self.link_json(o, &mut m),
            Kind::Addrs => {
                m.insert("ifindex".into(), json!(o.h32(4)));
                m.insert("ifname".into(), json!(self.dev(o.h32(4))));
                m.insert("addr_info".into(), json!([State::addr_info(o)]));
            }
            Kind::Routes => self.route_json(o, &mut m),
            Kind::Neigh => self.neigh_json(o, &mut m),
            Kind::Rules => rule_json(o, &mut m),
            Kind::Nexthops => self.nexthop_json(o, &mut m),
            Kind::Qdiscs => self.qdisc_json(o, &mut m),
            // Not stored as objects (see `nft.rs`).
            Kind::Nft => {}
        }
        Value::Object(m)
    }

    /// Device name of link `idx` (`ifN` if the capture never named it).
    fn dev(&self, idx: u32) -> String {
        self.link_name(idx).unwrap_or_else(|| format!("if{idx}"))
    }

    fn link_json(&self, o: &Obj, m: &mut Map<String, Value>) {
        m.insert("ifindex".into(), json!(o.h32(4)));
        if let Some(l) = o.a32("link").filter(|l| *l != 0 && *l != o.h32(4)) {
            m.insert("link".into(), json!(self.dev(l)));
        }
        if let Some(n) = o.a("ifname") {
            m.insert("ifname".into(), json!(nul_str(n)));
        }
        m.insert("flags".into(), json!(iff(o.h32(8))));
        put_u32(m, o, "mtu", "mtu");
        if let Some(q) = o.a("qdisc") {
            m.insert("qdisc".into(), json!(nul_str(q)));
        }
        if let Some(master) = o.a32("master") {
            m.insert("master".into(), json!(self.dev(master)));
        }
        if let Some(s) = o.a("operstate").and_then(|b| b.first()) {
            m.insert("operstate".into(), json!(operstate(*s)));
        }
        put_u32(m, o, "txqlen", "txqlen");
        m.insert("link_type".into(), json!(link_type(o.h16(2))));
        if let Some(a) = o.a("address").filter(|a| !a.is_empty()) {
            m.insert("address".into(), json!(mac(a)));
        }
        if let Some(a) = o.a("broadcast").filter(|a| !a.is_empty()) {
            m.insert("broadcast".into(), json!(mac(a)));
        }
    }

    fn link_text(&self, o: &Obj) -> String {
        let mut s = String::new();
        let name = o.a("ifname").map(nul_str).unwrap_or_default();
        let _ = write!(s, "{}: {name}: <{}>", o.h32(4), iff(o.h32(8)).join(","));
        if let Some(mtu) = o.a32("mtu") {
            let _ = write!(s, " mtu {mtu}");
        }
        if let Some(q) = o.a("qdisc") {
            let _ = write!(s, " qdisc {}", nul_str(q));
        }
        if let Some(master) = o.a32("master") {
            let _ = write!(s, " master {}", self.dev(master));
        }
        if let Some(st) = o.a("operstate").and_then(|b| b.first()) {
            let _ = write!(s, " state {}", operstate(*st));
        }
        if let Some(q) = o.a32("txqlen") {
            let _ = write!(s, " qlen {q}");
        }
        let _ = write!(s, "\n    link/{}", link_type(o.h16(2)));
        if let Some(a) = o.a("address").filter(|a| !a.is_empty()) {
            let _ = write!(s, " {}", mac(a));
        }
        if let Some(a) = o.a("broadcast").filter(|a| !a.is_empty()) {
            let _ = write!(s, " brd {}", mac(a));
        }
        s
    }

    /// An address's `addr_info` entry.
    fn addr_info(o: &Obj) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("family".into(), json!(family(o.b(0))));
        if let Some(a) = o.a("local").or(o.a("address")).and_then(ip) {
            m.insert("local".into(), json!(a));
        }
        if let (Some(a), Some(l)) = (o.a("address").and_then(ip), o.a("local").and_then(ip))
            && a != l
        {
            m.insert("address".into(), json!(a));
        }
        m.insert("prefixlen".into(), json!(o.b(1)));
        if let Some(b) = o.a("broadcast").and_then(ip) {
            m.insert("broadcast".into(), json!(b));
        }
        m.insert("scope".into(), json!(scope(o.b(3))));
        if let Some(l) = o.a("label") {
            m.insert("label".into(), json!(nul_str(l)));
        }
        m
    }

    fn addr_text(&self, o: &Obj) -> String {
        let i = State::addr_info(o);
        let g = |k: &str| i.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let mut s = format!(
            "{}: {} {} {}/{}",
            o.h32(4),
            self.dev(o.h32(4)),
            g("family"),
            g("local"),
            o.b(1)
        );
        if i.contains_key("broadcast") {
            let _ = write!(s, " brd {}", g("broadcast"));
        }
        let _ = write!(s, " scope {}", g("scope"));
        if i.contains_key("label") {
            let _ = write!(s, " {}", g("label"));
        }
        s
    }

    fn route_json(&self, o: &Obj, m: &mut Map<String, Value>) {
        let ty = o.b(7);
        if ty != 1 {
            m.insert("type".into(), json!(rtn_type(ty)));
        }
        let dst = match o.a("dst").and_then(ip) {
            Some(d) if (o.b(0) == 2 && o.b(1) == 32) || (o.b(0) == 10 && o.b(1) == 128) => d,
            Some(d) => format!("{d}/{}", o.b(1)),
            None => "default".into(),
        };
        m.insert("dst".into(), json!(dst));
        if let Some(g) = o.a("gateway").and_then(ip) {
            m.insert("gateway".into(), json!(g));
        }
        if let Some(d) = o.a32("oif") {
            m.insert("dev".into(), json!(self.dev(d)));
        }
        let table = o.table();
        if table != 254 {
            m.insert("table".into(), json!(table_name(table)));
        }
        if o.b(5) != 3 {
            m.insert("protocol".into(), json!(rtproto(o.b(5))));
        }
        if o.b(6) != 0 {
            m.insert("scope".into(), json!(scope(o.b(6))));
        }
        if let Some(p) = o.a32("priority") {
            m.insert("metric".into(), json!(p));
        }
        if let Some(p) = o.a("prefsrc").and_then(ip) {
            m.insert("prefsrc".into(), json!(p));
        }
        if let Some(n) = o.a32("nh-id") {
            m.insert("nhid".into(), json!(n));
        }
        // RTA_PREF (ICMPV6_ROUTER_PREF_*): ip prints it for every IPv6 route that has it.
        if let Some(p) = o.a("pref").and_then(|b| b.first()) {
            let w = match p {
                1 => "high",
                3 => "low",
                0 => "medium",
                _ => "invalid",
            };
            m.insert("pref".into(), json!(w));
        }
        if let Some(mp) = o.a("multipath") {
            m.insert("nexthops".into(), Value::Array(self.nexthops(mp, o)));
        }
    }

    /// struct rtnexthop entries of RTA_MULTIPATH: gateway, dev, weight.
    fn nexthops(&self, b: &[u8], o: &Obj) -> Vec<Value> {
        let e = o.endian;
        let mut out = Vec::new();
        let mut off = 0usize;
        while out.len() < 256 {
            let (Some(len), Some(hops), Some(idx)) =
                (e.u16(b, off), b.get(off + 3), e.u32(b, off + 4))
            else {
                break;
            };
            let len = usize::from(len);
            if len < 8 {
                break;
            }
            let mut h = Map::new();
            // RTA_GATEWAY (5) inside the nexthop.
            let attrs = b.get(off + 8..off + len).unwrap_or(&[]);
            let mut a = 0usize;
            while let (Some(al), Some(at)) = (e.u16(attrs, a), e.u16(attrs, a + 2)) {
                let al = usize::from(al);
                if al < 4 {
                    break;
                }
                if at == 5
                    && let Some(g) = attrs.get(a + 4..a + al).and_then(ip)
                {
                    h.insert("gateway".into(), json!(g));
                }
                a += (al + 3) & !3;
            }
            h.insert("dev".into(), json!(self.dev(idx)));
            h.insert("weight".into(), json!(u32::from(*hops) + 1));
            out.push(Value::Object(h));
            off += (len + 3) & !3;
        }
        out
    }

    fn route_text(&self, o: &Obj) -> String {
        let mut m = Map::new();
        self.route_json(o, &mut m);
        let mut s = String::new();
        if let Some(t) = m.get("type").and_then(Value::as_str) {
            s.push_str(t);
            s.push(' ');
        }
        let g = |k: &str| m.get(k).map(plain);
        s.push_str(&g("dst").unwrap_or_default());
        for (key, word) in [
            ("nhid", "nhid"),
            ("gateway", "via"),
            ("dev", "dev"),
            ("table", "table"),
            ("protocol", "proto"),
            ("scope", "scope"),
            ("prefsrc", "src"),
            ("metric", "metric"),
            ("pref", "pref"),
        ] {
            if let Some(v) = g(key) {
                let _ = write!(s, " {word} {v}");
            }
        }
        for h in m
            .get("nexthops")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            s.push_str("\n\tnexthop");
            if let Some(v) = h.get("gateway") {
                let _ = write!(s, " via {}", plain(v));
            }
            if let Some(v) = h.get("dev") {
                let _ = write!(s, " dev {}", plain(v));
            }
            if let Some(v) = h.get("weight") {
                let _ = write!(s, " weight {}", plain(v));
            }
        }
        s
    }

    fn neigh_json(&self, o: &Obj, m: &mut Map<String, Value>) {
        if let Some(d) = o.a("dst").and_then(ip) {
            m.insert("dst".into(), json!(d));
        }
        m.insert("dev".into(), json!(self.dev(o.h32(4))));
        if let Some(l) = o.a("lladdr") {
            m.insert("lladdr".into(), json!(mac(l)));
        }
        let state = o.h16(8);
        let names: Vec<&str> = NUD
            .iter()
            .enumerate()
            .filter(|(i, _)| state & (1 << i) != 0)
            .map(|(_, n)| *n)
            .collect();
        m.insert("state".into(), json!(names));
    }

    fn neigh_text(&self, o: &Obj) -> String {
        let mut m = Map::new();
        self.neigh_json(o, &mut m);
        let g = |k: &str| m.get(k).map(plain).unwrap_or_default();
        let mut s = format!("{} dev {}", g("dst"), g("dev"));
        if m.contains_key("lladdr") {
            let _ = write!(s, " lladdr {}", g("lladdr"));
        }
        for st in m
            .get("state")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let _ = write!(s, " {}", plain(st));
        }
        s
    }

    fn nexthop_json(&self, o: &Obj, m: &mut Map<String, Value>) {
        put_u32(m, o, "id", "id");
        if let Some(g) = o.a("gateway").and_then(ip) {
            m.insert("gateway".into(), json!(g));
        }
        if let Some(d) = o.a32("oif") {
            m.insert("dev".into(), json!(self.dev(d)));
        }
        if let Some(g) = o.a("group") {
            let e = o.endian;
            let group: Vec<Value> = (0..g.len() / 8)
                .filter_map(|i| {
                    let id = e.u32(g, i * 8)?;
                    let w = g.get(i * 8 + 4)?;
                    Some(json!({"id": id, "weight": u32::from(*w) + 1}))
                })
                .collect();
            m.insert("group".into(), json!(group));
        }
        if o.a("blackhole").is_some() {
            m.insert("blackhole".into(), json!(null));
        }
        if o.b(1) != 0 && o.a("group").is_none() {
            m.insert("scope".into(), json!(scope(o.b(1))));
        }
    }

    fn nexthop_text(&self, o: &Obj) -> String {
        let mut m = Map::new();
        self.nexthop_json(o, &mut m);
        let mut s = format!("id {}", m.get("id").map(plain).unwrap_or_default());
        if let Some(g) = m.get("group").and_then(Value::as_array) {
            let parts: Vec<String> = g
                .iter()
                .map(|x| {
                    let id = x.get("id").map(plain).unwrap_or_default();
                    match x.get("weight").and_then(Value::as_u64) {
                        Some(w) if w != 1 => format!("{id},{w}"),
                        _ => id,
                    }
                })
                .collect();
            let _ = write!(s, " group {}", parts.join("/"));
        }
        for (key, word) in [("gateway", "via"), ("dev", "dev"), ("scope", "scope")] {
            if let Some(v) = m.get(key) {
                let _ = write!(s, " {word} {}", plain(v));
            }
        }
        s
    }

    fn qdisc_json(&self, o: &Obj, m: &mut Map<String, Value>) {
        if let Some(k) = o.a("kind") {
            m.insert("kind".into(), json!(nul_str(k)));
        }
        m.insert("handle".into(), json!(handle(o.h32(8))));
        m.insert("dev".into(), json!(self.dev(o.h32(4))));
        match o.h32(12) {
            0xffff_ffff => {
                m.insert("root".into(), json!(true));
            }
            0xffff_fff1 => {
                m.insert("parent".into(), json!("ffff:fff1"));
            }
            p => {
                m.insert("parent".into(), json!(handle(p)));
            }
        }
    }

    fn qdisc_text(&self, o: &Obj) -> String {
        let mut m = Map::new();
        self.qdisc_json(o, &mut m);
        let g = |k: &str| m.get(k).map(plain).unwrap_or_default();
        let mut s = format!("qdisc {} {} dev {}", g("kind"), g("handle"), g("dev"));
        if m.contains_key("root") {
            s.push_str(" root");
        } else {
            let _ = write!(s, " parent {}", g("parent"));
        }
        s
    }
}

fn rule_json(o: &Obj, m: &mut Map<String, Value>) {
    m.insert("priority".into(), json!(o.a32("priority").unwrap_or(0)));
    match o.a("src").and_then(ip) {
        Some(a) => {
            m.insert("src".into(), json!(a));
            m.insert("srclen".into(), json!(o.b(2)));
        }
        None => {
            m.insert("src".into(), json!("all"));
        }
    }
    if let Some(a) = o.a("dst").and_then(ip) {
        m.insert("dst".into(), json!(a));
        m.insert("dstlen".into(), json!(o.b(1)));
    }
    if let Some(n) = o.a("iifname") {
        m.insert("iif".into(), json!(nul_str(n)));
    }
    if let Some(n) = o.a("oifname") {
        m.insert("oif".into(), json!(nul_str(n)));
    }
    if let Some(f) = o.a32("fwmark") {
        m.insert("fwmark".into(), json!(format!("{f:#x}")));
    }
    // FR_ACT_TO_TBL (1) looks the table up (struct fib_rule_hdr's action byte).
    if o.b(7) == 1 {
        let t = o.a32("table").unwrap_or(u32::from(o.b(4)));
        m.insert("table".into(), json!(table_name(t)));
    }
}

fn rule_text(o: &Obj) -> String {
    let mut m = Map::new();
    rule_json(o, &mut m);
    let g = |k: &str| m.get(k).map(plain).unwrap_or_default();
    let mut s = format!("{}:\tfrom {}", g("priority"), g("src"));
    if m.contains_key("srclen") {
        let _ = write!(s, "/{}", g("srclen"));
    }
    if m.contains_key("dst") {
        let _ = write!(s, " to {}/{}", g("dst"), g("dstlen"));
    }
    for (key, word) in [
        ("iif", "iif"),
        ("oif", "oif"),
        ("fwmark", "fwmark"),
        ("table", "lookup"),
    ] {
        if m.contains_key(key) {
            let _ = write!(s, " {word} {}", g(key));
        }
    }
    s
}

/// A JSON value as plain text (strings without quotes).
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        v => v.to_string(),
    }
}

/// Put u32 attribute `attr` as `key`.
fn put_u32(m: &mut Map<String, Value>, o: &Obj, attr: &str, key: &str) {
    if let Some(v) = o.a32(attr) {
        m.insert(key.into(), json!(v));
    }
}

/// IFF_* flag names as `ip` prints them: NO-CARRIER first for a link up without carrier
/// (IFF_UP without IFF_RUNNING), RUNNING never.
fn iff(flags: u32) -> Vec<&'static str> {
    let mut out = Vec::new();
    if flags & 0x1 != 0 && flags & 0x40 == 0 {
        out.push("NO-CARRIER");
    }
    out.extend(IFF.iter().filter(|(b, _)| flags & b != 0).map(|(_, n)| *n));
    out
}

/// IF_OPER_* (RFC 2863).
fn operstate(s: u8) -> &'static str {
    match s {
        1 => "NOTPRESENT",
        2 => "DOWN",
        3 => "LOWERLAYERDOWN",
        4 => "TESTING",
        5 => "DORMANT",
        6 => "UP",
        _ => "UNKNOWN",
    }
}

/// ARPHRD_* as `ip` names the link type.
fn link_type(t: u16) -> String {
    match t {
        1 => "ether".into(),
        772 => "loopback".into(),
        776 => "sit".into(),
        778 => "gre".into(),
        768 => "ipip".into(),
        769 => "tunnel6".into(),
        823 => "ip6gre".into(),
        824 => "netlink".into(),
        65534 => "none".into(),
        t => format!("[{t}]"),
    }
}

/// Hardware address as colon-separated hex.
fn mac(b: &[u8]) -> String {
    let parts: Vec<String> = b.iter().map(|x| format!("{x:02x}")).collect();
    parts.join(":")
}

/// IPv4 / IPv6 address text by length.
fn ip(b: &[u8]) -> Option<String> {
    if let Ok(a) = <[u8; 4]>::try_from(b) {
        Some(Ipv4Addr::from(a).to_string())
    } else if let Ok(a) = <[u8; 16]>::try_from(b) {
        Some(Ipv6Addr::from(a).to_string())
    } else {
        None
    }
}

/// Address family word.
fn family(f: u8) -> String {
    match f {
        2 => "inet".into(),
        10 => "inet6".into(),
        7 => "bridge".into(),
        f => f.to_string(),
    }
}

/// RT_SCOPE_* as `ip` names them.
fn scope(s: u8) -> String {
    match s {
        0 => "global".into(),
        200 => "site".into(),
        253 => "link".into(),
        254 => "host".into(),
        255 => "nowhere".into(),
        s => s.to_string(),
    }
}

/// RTN_* route types.
fn rtn_type(t: u8) -> String {
    crate::netlink::RTN_NAMES
        .get(usize::from(t))
        .map_or_else(|| t.to_string(), |s| (*s).to_string())
}

/// Reserved table ids by name.
fn table_name(t: u32) -> String {
    match t {
        253 => "default".into(),
        254 => "main".into(),
        255 => "local".into(),
        t => t.to_string(),
    }
}

/// RTPROT_* names (the common ones).
fn rtproto(p: u8) -> String {
    match p {
        0 => "unspec".into(),
        1 => "redirect".into(),
        2 => "kernel".into(),
        3 => "boot".into(),
        4 => "static".into(),
        9 => "ra".into(),
        16 => "dhcp".into(),
        p => p.to_string(),
    }
}

/// A tc handle as `major:minor` (`tc` prints "1:" when minor is 0).
fn handle(h: u32) -> String {
    let (maj, min) = (h >> 16, h & 0xffff);
    if min == 0 {
        format!("{maj:x}:")
    } else {
        format!("{maj:x}:{min:x}")
    }
}
