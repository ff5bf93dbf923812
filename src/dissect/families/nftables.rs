//! nftables (nfnetlink subsystem NFNL_SUBSYS_NFTABLES): objects summarized the way `nft`
//! prints them (`table inet filter`, `chain inet filter input { type filter hook input
//! priority filter; policy accept; }`, `set ...`, `element ...`, and rules decompiled from
//! their expressions: `rule inet filter input ip saddr @blocked counter packets 0 bytes 0
//! drop`).
//!
//! The spec says what each attribute is; what it cannot say is how nft *reads* a rule: which
//! expressions form one match, which matches are implicit dependencies nft hides, and the
//! types of set keys (nft's own datatype numbers). Sets are learned while indexing
//! ([`learn`], [`Sets`]): a set's key type, and the elements of anonymous sets, so that a
//! lookup of `__set0` prints `{ 22, 80, 443 }` as nft does.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::text::{dump, push_dev, push_str};
use super::{Family, Named, sub_message_set};
use crate::dissect::MessageView;
use crate::dissect::MsgIndex;
use crate::dissect::specs::SpecRegistry;
use crate::model::Endian;
use crate::netlink::{Attrs, array};

/// The nftables module.
pub struct Nftables;

// ---------------------------------------------------------------------------------------
// Learning sets while indexing.

/// Sets learned at most (a capture naming more keeps the first ones).
const MAX_SETS: usize = 4096;
/// Elements learned per anonymous set at most.
const MAX_ELEMS: usize = 1024;
/// Longest key (or key end) kept, in bytes (a concatenation of registers is at most 64).
const MAX_KEY: usize = 64;
/// Longest table or set name kept.
const MAX_NAME: usize = 256;

/// A set: address family (NFPROTO_*), table and set name. A set a request creates before the
/// kernel names it (`__set%d`) is named with its batch id appended (`__set%d#2`), as rules
/// and elements of the same batch refer to it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SetId {
    /// nfgen_family.
    pub family: u8,
    /// Table name.
    pub table: String,
    /// Set name.
    pub set: String,
}

/// One set element as the kernel carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Elem {
    /// NFTA_SET_ELEM_KEY's value.
    pub key: Vec<u8>,
    /// NFTA_SET_ELEM_KEY_END's value (ranges of concatenations), empty if none.
    pub key_end: Vec<u8>,
    /// NFT_SET_ELEM_INTERVAL_END.
    pub end: bool,
    /// The element's data as nft prints it (a verdict of a verdict map), empty if none.
    pub data: String,
}

/// What indexing learned from one nftables message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NftFact {
    /// A set's declaration (NEWSET): key type (nft's datatype id), key length, NFT_SET_*
    /// flags, data type. Forgets the elements learned before.
    Set {
        /// The set.
        id: SetId,
        /// NFTA_SET_KEY_TYPE.
        key_type: u32,
        /// NFTA_SET_FLAGS.
        flags: u32,
        /// NFTA_SET_DATA_TYPE.
        data_type: u32,
    },
    /// Elements of an anonymous set (NEWSETELEM), added.
    Elems {
        /// The set.
        id: SetId,
        /// Its elements.
        elems: Vec<Elem>,
    },
}

/// A learned set.
#[derive(Debug, Clone, Default)]
pub struct SetInfo {
    /// nft's datatype id of the key (concatenations: 6 bits per field).
    pub key_type: u32,
    /// NFT_SET_* flags.
    pub flags: u32,
    /// Elements (anonymous sets only).
    pub elems: Vec<Elem>,
}

/// The sets learned from a capture (bounded by [`MAX_SETS`] and [`MAX_ELEMS`]).
#[derive(Debug, Clone, Default)]
pub struct Sets {
    sets: HashMap<SetId, SetInfo>,
}

impl Sets {
    /// Learn a fact.
    pub fn apply(&mut self, f: NftFact) {
        match f {
            NftFact::Set {
                id,
                key_type,
                flags,
                data_type: _,
            } => {
                if self.sets.len() >= MAX_SETS && !self.sets.contains_key(&id) {
                    return;
                }
                self.sets.insert(
                    id,
                    SetInfo {
                        key_type,
                        flags,
                        elems: Vec::new(),
                    },
                );
            }
            NftFact::Elems { id, elems } => {
                if self.sets.len() >= MAX_SETS && !self.sets.contains_key(&id) {
                    return;
                }
                let s = self.sets.entry(id).or_default();
                for e in elems {
                    if s.elems.len() >= MAX_ELEMS {
                        break;
                    }
                    if !s.elems.contains(&e) {
                        s.elems.push(e);
                    }
                }
            }
        }
    }

    /// A learned set.
    pub fn get(&self, family: u8, table: &str, set: &str) -> Option<&SetInfo> {
        self.sets.get(&SetId {
            family,
            table: table.to_string(),
            set: set.to_string(),
        })
    }
}

/// Message types and attribute numbers learning reads, looked up by spec name once (an
/// indexer has no specs of its own: they travel in its seed). `None`: no nftables spec.
#[derive(Debug, Clone, Copy, Default)]
pub struct LearnNums(Option<Nums>);

#[derive(Debug, Clone, Copy)]
struct Nums {
    newset: u16,
    newsetelem: u16,
    set_table: u16,
    set_name: u16,
    set_flags: u16,
    set_key_type: u16,
    set_data_type: u16,
    set_id: u16,
    list_table: u16,
    list_set: u16,
    list_elements: u16,
    list_set_id: u16,
    elem_key: u16,
    elem_key_end: u16,
    elem_data: u16,
    elem_flags: u16,
    data_value: u16,
    data_verdict: u16,
    verdict_code: u16,
    verdict_chain: u16,
}

/// The numbers [`learn`] needs, from the nftables spec.
pub fn learn_nums(specs: &SpecRegistry) -> LearnNums {
    let f = || {
        let spec = specs.get("nftables")?;
        let op = |name: &str| {
            spec.ops
                .iter()
                .find(|o| o.name == name)?
                .request_values
                .first()
                .copied()
        };
        let a = |set: &str, name: &str| Some(spec.sets.get(set)?.by_name(name)?.value);
        Some(Nums {
            newset: op("newset")?,
            newsetelem: op("newsetelem")?,
            set_table: a("set-attrs", "table")?,
            set_name: a("set-attrs", "name")?,
            set_flags: a("set-attrs", "flags")?,
            set_key_type: a("set-attrs", "key-type")?,
            set_data_type: a("set-attrs", "data-type")?,
            set_id: a("set-attrs", "id")?,
            list_table: a("setelem-list-attrs", "table")?,
            list_set: a("setelem-list-attrs", "set")?,
            list_elements: a("setelem-list-attrs", "elements")?,
            list_set_id: a("setelem-list-attrs", "set-id")?,
            elem_key: a("setelem-attrs", "key")?,
            elem_key_end: a("setelem-attrs", "key-end")?,
            elem_data: a("setelem-attrs", "data")?,
            elem_flags: a("setelem-attrs", "flags")?,
            data_value: a("data-attrs", "value")?,
            data_verdict: a("data-attrs", "verdict")?,
            verdict_code: a("verdict-attrs", "code")?,
            verdict_chain: a("verdict-attrs", "chain")?,
        })
    };
    LearnNums(f())
}

/// NFT_SET_ANONYMOUS.
const SET_ANONYMOUS: u32 = 0x1;
/// NFT_SET_CONSTANT.
const SET_CONSTANT: u32 = 0x2;
/// NFT_SET_INTERVAL.
const SET_INTERVAL: u32 = 0x4;
/// NFT_SET_MAP.
const SET_MAP: u32 = 0x8;
/// NFT_SET_TIMEOUT.
const SET_TIMEOUT: u32 = 0x10;
/// NFT_SET_EVAL.
const SET_EVAL: u32 = 0x20;
/// NFT_SET_OBJECT.
const SET_OBJECT: u32 = 0x40;
/// NFT_SET_CONCAT.
#[cfg(test)]
const SET_CONCAT: u32 = 0x80;
/// NFT_DATA_VERDICT.
const DATA_VERDICT: u32 = 0xffff_ff00;

/// A string attribute up to its NUL, capped.
fn name_of(b: &[u8]) -> String {
    let s = b.split(|c| *c == 0).next().unwrap_or(&[]);
    let s = s.get(..s.len().min(MAX_NAME)).unwrap_or(&[]);
    String::from_utf8_lossy(s).into_owned()
}

/// A set's name as learned: `__set%d` (not yet named by the kernel) gets its batch id.
fn set_key(name: String, id: Option<u32>) -> String {
    match id {
        Some(id) if name.contains('%') => format!("{name}#{id}"),
        _ => name,
    }
}

fn be32(b: Option<&[u8]>) -> Option<u32> {
    Endian::Big.u32(b?, 0)
}

/// What an nftables message teaches (message `m` of frame `data`): a set's declaration or an
/// anonymous set's elements. Both directions: a batch's requests name `__set%d` sets that
/// its rules then look up.
pub fn learn(nums: &LearnNums, data: &[u8], m: &MsgIndex) -> Option<NftFact> {
    let n = nums.0?;
    if m.ty != n.newset && m.ty != n.newsetelem {
        return None;
    }
    let end = (m.offset + m.present).min(data.len());
    let p = data.get(m.offset + crate::netlink::NLMSG_HDRLEN..end)?;
    let family = *p.first()?;
    let e = m.endian;
    let find = |t: u16| Attrs::from(p, 4, e).find(t);
    if m.ty == n.newset {
        let id = be32(find(n.set_id));
        return Some(NftFact::Set {
            id: SetId {
                family,
                table: name_of(find(n.set_table)?),
                set: set_key(name_of(find(n.set_name)?), id),
            },
            key_type: be32(find(n.set_key_type)).unwrap_or(0),
            flags: be32(find(n.set_flags)).unwrap_or(0),
            data_type: be32(find(n.set_data_type)).unwrap_or(0),
        });
    }
    let set = name_of(find(n.list_set)?);
    if !set.starts_with("__") {
        return None;
    }
    let id = SetId {
        family,
        table: name_of(find(n.list_table)?),
        set: set_key(set, be32(find(n.list_set_id))),
    };
    let mut elems = Vec::new();
    for item in Attrs::new(find(n.list_elements)?, e) {
        if elems.len() >= MAX_ELEMS {
            break;
        }
        let value = |t: u16| -> Vec<u8> {
            Attrs::new(Attrs::new(item.payload, e).find(t).unwrap_or_default(), e)
                .find(n.data_value)
                .map(|v| v.get(..v.len().min(MAX_KEY)).unwrap_or_default().to_vec())
                .unwrap_or_default()
        };
        let flags = be32(Attrs::new(item.payload, e).find(n.elem_flags)).unwrap_or(0);
        let mut data = String::new();
        if let Some(d) = Attrs::new(item.payload, e).find(n.elem_data) {
            if let Some(v) = Attrs::new(d, e).find(n.data_verdict) {
                let code = be32(Attrs::new(v, e).find(n.verdict_code)).unwrap_or(0) as i32;
                let chain = Attrs::new(v, e).find(n.verdict_chain).map(name_of);
                push_verdict(&mut data, code, chain.as_deref());
            } else if let Some(v) = Attrs::new(d, e).find(n.data_value) {
                push_hex(&mut data, v.get(..v.len().min(MAX_KEY)).unwrap_or_default());
            }
        }
        elems.push(Elem {
            key: value(n.elem_key),
            key_end: value(n.elem_key_end),
            end: flags & 1 != 0,
            data,
        });
    }
    Some(NftFact::Elems { id, elems })
}

// ---------------------------------------------------------------------------------------
// Summaries.

/// A rule's comment from its userdata: nft's TLVs (u8 type, u8 length, value), the comment
/// being type 0 (NFTNL_UDATA_RULE_COMMENT), NUL-terminated.
fn comment(b: &[u8]) -> Option<String> {
    let mut at = 0usize;
    while let (Some(t), Some(l)) = (b.get(at), b.get(at + 1)) {
        let v = b.get(at + 2..at + 2 + usize::from(*l))?;
        if *t == 0 {
            return Some(name_of(v));
        }
        at += 2 + usize::from(*l);
    }
    None
}

/// NFPROTO_* as nft names table families.
fn family_name(f: u8) -> &'static str {
    match f {
        1 => "inet",
        2 => "ip",
        3 => "arp",
        5 => "netdev",
        7 => "bridge",
        10 => "ip6",
        _ => "unknown",
    }
}

/// A big-endian attribute of a view.
fn nu32(n: Named, name: &str) -> Option<u32> {
    Endian::Big.u32(n.get(name)?, 0)
}

fn nu64(n: Named, name: &str) -> Option<u64> {
    Endian::Big.u64(n.get(name)?, 0)
}

fn nstr(n: Named, name: &str) -> Option<String> {
    n.get(name).map(name_of)
}

impl Family for Nftables {
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        if dump(v, out) {
            return true;
        }
        let Some(n) = v.named() else {
            return false;
        };
        let family = v.payload_bytes().first().copied().unwrap_or(0);
        let fam = family_name(family);
        let op = v.type_str();
        let op = op.strip_prefix("NFT_MSG_").unwrap_or(op);
        let kind = op
            .trim_start_matches("NEW")
            .trim_start_matches("GET")
            .trim_start_matches("DEL")
            .trim_start_matches("DESTROY")
            .trim_end_matches("_RESET");
        match kind {
            "TABLE" => {
                let _ = write!(out, " table {fam}");
                if let Some(t) = nstr(n, "name") {
                    let _ = write!(out, " {t}");
                }
                let flags = nu32(n, "flags").unwrap_or(0);
                let names = [(1, "dormant"), (2, "owner"), (4, "persist")];
                let set: Vec<&str> = names
                    .iter()
                    .filter(|(b, _)| flags & b != 0)
                    .map(|(_, n)| *n)
                    .collect();
                if !set.is_empty() {
                    let _ = write!(out, " {{ flags {}; }}", set.join(","));
                }
                true
            }
            "CHAIN" => {
                chain(n, family, out);
                true
            }
            "RULE" => {
                let _ = write!(out, " rule {fam}");
                for a in ["table", "chain"] {
                    if let Some(t) = nstr(n, a) {
                        let _ = write!(out, " {t}");
                    }
                }
                let is_new = op.starts_with("NEW");
                match n.nest("expressions") {
                    Some(list) if is_new => {
                        let text = Rule::new(v, n, family).decompile(list);
                        if !text.is_empty() {
                            out.push(' ');
                            out.push_str(&text);
                        }
                        if let Some(c) = n.get("userdata").and_then(comment) {
                            let _ = write!(out, " comment \"{c}\"");
                        }
                    }
                    _ => {
                        if let Some(h) = nu64(n, "handle") {
                            let _ = write!(out, " handle {h}");
                        }
                    }
                }
                true
            }
            "SET" => {
                set(n, family, out);
                true
            }
            "SETELEM" => {
                let table = nstr(n, "table").unwrap_or_default();
                let name = nstr(n, "set").unwrap_or_default();
                let _ = write!(out, " element {fam} {table} {name}");
                let key = set_key(name, nu32(n, "set-id"));
                let info = v.nft_sets().get(family, &table, &key);
                let elems: Vec<Elem> = n
                    .items("elements")
                    .take(MAX_ELEMS)
                    .map(|it| {
                        let value = |a: &str| {
                            it.nest(a)
                                .and_then(|d| d.get("value"))
                                .map(|b| b.get(..b.len().min(MAX_KEY)).unwrap_or_default())
                                .unwrap_or_default()
                                .to_vec()
                        };
                        let mut data = String::new();
                        if let Some(d) = it.nest("data") {
                            if let Some(vd) = d.nest("verdict") {
                                let code = nu32(vd, "code").unwrap_or(0) as i32;
                                push_verdict(&mut data, code, nstr(vd, "chain").as_deref());
                            } else if let Some(b) = d.get("value") {
                                push_hex(&mut data, b.get(..b.len().min(MAX_KEY)).unwrap_or(b));
                            }
                        }
                        Elem {
                            key: value("key"),
                            key_end: value("key-end"),
                            end: nu32(it, "flags").unwrap_or(0) & 1 != 0,
                            data,
                        }
                    })
                    .collect();
                if !elems.is_empty() {
                    let (ty, flags) = info.map_or((0, 0), |s| (s.key_type, s.flags));
                    out.push_str(" { ");
                    push_elems(v, out, &elems, ty, flags);
                    out.push_str(" }");
                }
                true
            }
            "GEN" => {
                if let Some(id) = nu32(n, "id") {
                    let _ = write!(out, " generation {id}");
                }
                if let Some(p) = nstr(n, "proc-name") {
                    let _ = write!(out, " {p}");
                }
                if let Some(p) = nu32(n, "proc-pid") {
                    let _ = write!(out, " pid {p}");
                }
                true
            }
            "TRACE" => {
                // nft monitor trace: `trace id 9cf4a7e5 inet filter input rule handle 4
                // (verdict accept)`, `... policy drop`, `... verdict continue`.
                let _ = write!(out, " trace id {:08x} {fam}", nu32(n, "id").unwrap_or(0));
                for a in ["table", "chain"] {
                    if let Some(t) = nstr(n, a) {
                        let _ = write!(out, " {t}");
                    }
                }
                let verdict = n.nest("verdict").map(|vd| {
                    let mut s = String::new();
                    let code = nu32(vd, "code").unwrap_or(0) as i32;
                    push_verdict(&mut s, code, nstr(vd, "chain").as_deref());
                    s
                });
                match nu32(n, "type") {
                    Some(1) => {
                        let mut s = String::new();
                        push_verdict(&mut s, nu32(n, "policy").unwrap_or(0) as i32, None);
                        let _ = write!(out, " policy {s}");
                    }
                    Some(3) => {
                        if let Some(h) = nu64(n, "rule-handle") {
                            let _ = write!(out, " rule handle {h}");
                        }
                        if let Some(vd) = verdict {
                            let _ = write!(out, " (verdict {vd})");
                        }
                    }
                    _ => {
                        if let Some(vd) = verdict {
                            let _ = write!(out, " verdict {vd}");
                        }
                    }
                }
                true
            }
            "OBJ" | "FLOWTABLE" => {
                let word = if kind == "OBJ" { "object" } else { "flowtable" };
                let _ = write!(out, " {word} {fam}");
                for a in ["table", "name"] {
                    if let Some(t) = nstr(n, a) {
                        let _ = write!(out, " {t}");
                    }
                }
                true
            }
            _ => false,
        }
    }
}

/// NF_INET_* / NF_ARP_* / NF_NETDEV_* hook names by family.
fn hook_name(family: u8, hook: u32) -> Option<&'static str> {
    Some(match (family, hook) {
        (3, 0) => "input",
        (3, 1) => "output",
        (3, 2) => "forward",
        (5, 0) => "ingress",
        (5, 1) => "egress",
        (3 | 5, _) => return None,
        (_, 0) => "prerouting",
        (_, 1) => "input",
        (_, 2) => "forward",
        (_, 3) => "output",
        (_, 4) => "postrouting",
        (_, 5) => "ingress",
        _ => return None,
    })
}

/// A base chain's priority as nft prints it: a standard name (± an offset up to 10) where
/// the family and hook allow it (nft's `prio2str`), else the number.
fn push_prio(out: &mut String, family: u8, hook: Option<&str>, prio: i32) {
    let std: &[(&str, i32)] = if family == 7 {
        &[
            ("dstnat", -300),
            ("filter", -200),
            ("out", 100),
            ("srcnat", 300),
        ]
    } else {
        &[
            ("raw", -300),
            ("mangle", -150),
            ("dstnat", -100),
            ("filter", 0),
            ("security", 50),
            ("srcnat", 100),
        ]
    };
    for (name, val) in std {
        let off = i64::from(prio) - i64::from(*val);
        if off.abs() > 10 {
            continue;
        }
        let ok = match (family, *name) {
            (3 | 5, n) => n == "filter",
            (_, "dstnat") => hook == Some("prerouting"),
            (_, "srcnat") => hook == Some("postrouting"),
            (7, "out") => hook == Some("output"),
            _ => true,
        };
        if !ok {
            break;
        }
        out.push_str(name);
        if off > 0 {
            let _ = write!(out, " + {off}");
        } else if off < 0 {
            let _ = write!(out, " - {}", -off);
        }
        return;
    }
    let _ = write!(out, "{prio}");
}

/// `chain inet filter input { type filter hook input priority filter; policy accept; }`.
fn chain(n: Named, family: u8, out: &mut String) {
    let _ = write!(out, " chain {}", family_name(family));
    for a in ["table", "name"] {
        if let Some(t) = nstr(n, a) {
            let _ = write!(out, " {t}");
        }
    }
    let Some(hook) = n.nest("hook") else {
        return;
    };
    out.push_str(" {");
    if let Some(t) = nstr(n, "type") {
        let _ = write!(out, " type {t}");
    }
    let hname = nu32(hook, "hooknum").and_then(|h| hook_name(family, h));
    match (hname, nu32(hook, "hooknum")) {
        (Some(h), _) => {
            let _ = write!(out, " hook {h}");
        }
        (None, Some(h)) => {
            let _ = write!(out, " hook {h}");
        }
        _ => {}
    }
    if let Some(d) = nstr(hook, "dev") {
        let _ = write!(out, " device \"{d}\"");
    } else if let Some(devs) = hook.nest("devs") {
        let names: Vec<String> = devs
            .iter()
            .filter(|(k, _)| *k == "name")
            .take(64)
            .map(|(_, b)| name_of(b))
            .collect();
        if !names.is_empty() {
            let _ = write!(out, " devices = {{ {} }}", names.join(", "));
        }
    }
    if let Some(p) = nu32(hook, "priority") {
        out.push_str(" priority ");
        push_prio(out, family, hname, p as i32);
    }
    out.push(';');
    match nu32(n, "policy") {
        Some(0) => out.push_str(" policy drop;"),
        Some(1) => out.push_str(" policy accept;"),
        Some(p) => {
            let _ = write!(out, " policy {p};");
        }
        None => {}
    }
    out.push_str(" }");
}

/// `set inet filter blocked { type ipv4_addr; flags interval; }` (`map` for maps).
fn set(n: Named, family: u8, out: &mut String) {
    let flags = nu32(n, "flags").unwrap_or(0);
    let word = if flags & SET_MAP != 0 { "map" } else { "set" };
    let _ = write!(out, " {word} {}", family_name(family));
    for a in ["table", "name"] {
        if let Some(t) = nstr(n, a) {
            let _ = write!(out, " {t}");
        }
    }
    let Some(kt) = nu32(n, "key-type") else {
        return;
    };
    out.push_str(" { type ");
    push_type_name(out, kt);
    if flags & SET_MAP != 0 {
        out.push_str(" : ");
        match nu32(n, "data-type") {
            Some(DATA_VERDICT) => out.push_str("verdict"),
            Some(t) => push_type_name(out, t),
            None => out.push('?'),
        }
    } else if flags & SET_OBJECT != 0 {
        out.push_str(" : ");
        out.push_str(match nu32(n, "obj-type").unwrap_or(0) {
            1 => "counter",
            2 => "quota",
            3 => "ct helper",
            4 => "limit",
            7 => "ct timeout",
            8 => "secmark",
            9 => "ct expectation",
            10 => "synproxy",
            _ => "object",
        });
    }
    out.push(';');
    let names = [
        (SET_CONSTANT, "constant"),
        (SET_INTERVAL, "interval"),
        (SET_TIMEOUT, "timeout"),
        (SET_EVAL, "dynamic"),
    ];
    let mut first = true;
    for (bit, name) in names {
        if flags & bit != 0 {
            out.push_str(if first { " flags " } else { "," });
            out.push_str(name);
            first = false;
        }
    }
    if !first {
        out.push(';');
    }
    if let Some(t) = nu64(n, "timeout") {
        out.push_str(" timeout ");
        push_time_ms(out, t);
        out.push(';');
    }
    out.push_str(" }");
}

/// Milliseconds as nft prints times (`1h30m`, `30s`, `500ms`).
fn push_time_ms(out: &mut String, ms: u64) {
    if ms == 0 {
        out.push_str("0s");
        return;
    }
    let units = [
        (86_400_000, "d"),
        (3_600_000, "h"),
        (60_000, "m"),
        (1000, "s"),
        (1, "ms"),
    ];
    let mut left = ms;
    for (u, name) in units {
        if left >= u {
            let _ = write!(out, "{}{name}", left / u);
            left %= u;
        }
    }
}

// nft's datatype ids (datatype.h).
const T_VERDICT: u32 = 1;
const T_NFPROTO: u32 = 2;
const T_BITMASK: u32 = 3;
const T_INTEGER: u32 = 4;
const T_STRING: u32 = 5;
const T_LLADDR: u32 = 6;
const T_IPADDR: u32 = 7;
const T_IP6ADDR: u32 = 8;
const T_ETHERADDR: u32 = 9;
const T_ETHERTYPE: u32 = 10;
const T_ARPOP: u32 = 11;
const T_INETPROTO: u32 = 12;
const T_INETSERVICE: u32 = 13;
const T_ICMP_TYPE: u32 = 14;
const T_TCP_FLAG: u32 = 15;
const T_MARK: u32 = 19;
const T_IFINDEX: u32 = 20;
const T_ARPHRD: u32 = 21;
const T_UID: u32 = 24;
const T_GID: u32 = 25;
const T_CT_STATE: u32 = 26;
const T_CT_DIR: u32 = 27;
const T_CT_STATUS: u32 = 28;
const T_ICMP6_TYPE: u32 = 29;
const T_PKTTYPE: u32 = 33;
const T_IFNAME: u32 = 41;
/// Bits per field of a concatenated key type (TYPE_BITS).
const TYPE_BITS: u32 = 6;

/// The name nft gives datatype `t`.
fn type_name(t: u32) -> Option<&'static str> {
    Some(match t {
        1 => "verdict",
        2 => "nf_proto",
        3 => "bitmask",
        4 => "integer",
        5 => "string",
        6 => "ll_addr",
        7 => "ipv4_addr",
        8 => "ipv6_addr",
        9 => "ether_addr",
        10 => "ether_type",
        11 => "arp_op",
        12 => "inet_proto",
        13 => "inet_service",
        14 => "icmp_type",
        15 => "tcp_flag",
        16 => "dccp_pkttype",
        17 => "mh_type",
        18 => "time",
        19 => "mark",
        20 => "iface_index",
        21 => "iface_type",
        22 => "realm",
        23 => "classid",
        24 => "uid",
        25 => "gid",
        26 => "ct_state",
        27 => "ct_dir",
        28 => "ct_status",
        29 => "icmpv6_type",
        30 => "pkt_type",
        31 => "icmp_code",
        32 => "icmpv6_code",
        33 => "icmpx_code",
        34 => "devgroup",
        35 => "dscp",
        36 => "ecn",
        37 => "fib_addrtype",
        38 => "boolean",
        39 => "ct_event",
        40 => "ct_label",
        41 => "ifname",
        42 => "igmp_type",
        43 => "day",
        44 => "hour",
        45 => "cgroupsv2",
        _ => return None,
    })
}

/// The fields of a (possibly concatenated) key type, first field first.
fn subtypes(t: u32) -> Vec<u32> {
    if t < (1 << TYPE_BITS) {
        return vec![t];
    }
    let mut v = Vec::new();
    let mut t = t;
    while t != 0 && v.len() < 8 {
        v.push(t & ((1 << TYPE_BITS) - 1));
        t >>= TYPE_BITS;
    }
    v.reverse();
    v
}

fn push_type_name(out: &mut String, t: u32) {
    for (i, s) in subtypes(t).into_iter().enumerate() {
        if i > 0 {
            out.push_str(" . ");
        }
        match type_name(s) {
            Some(n) => out.push_str(n),
            None => {
                let _ = write!(out, "{s}");
            }
        }
    }
}

/// The bytes a datatype's value takes (before padding to 32-bit registers), if fixed.
fn type_size(t: u32) -> Option<usize> {
    Some(match t {
        T_IPADDR | T_MARK | T_IFINDEX | T_UID | T_GID | T_CT_STATE | T_CT_STATUS => 4,
        T_IP6ADDR | T_IFNAME => 16,
        T_ETHERADDR => 6,
        T_INETSERVICE | T_ETHERTYPE | T_ARPOP | T_ARPHRD => 2,
        T_INETPROTO | T_NFPROTO | T_ICMP_TYPE | T_ICMP6_TYPE | T_TCP_FLAG | T_CT_DIR => 1,
        _ => return None,
    })
}

/// Whether values of type `t` are in host byte order (meta and ct keys are).
fn host_order(t: u32) -> bool {
    matches!(
        t,
        T_MARK | T_IFINDEX | T_UID | T_GID | T_CT_STATE | T_CT_STATUS | T_ARPHRD | T_PKTTYPE
    )
}

fn push_hex(out: &mut String, b: &[u8]) {
    out.push_str("0x");
    for x in b {
        let _ = write!(out, "{x:02x}");
    }
}

/// An integer of up to 8 bytes, big-endian or little-endian.
fn int(b: &[u8], little: bool) -> Option<u64> {
    if b.is_empty() || b.len() > 8 {
        return None;
    }
    let mut v = 0u64;
    if little {
        for x in b.iter().rev() {
            v = (v << 8) | u64::from(*x);
        }
    } else {
        for x in b {
            v = (v << 8) | u64::from(*x);
        }
    }
    Some(v)
}

fn inet_proto_name(p: u64) -> Option<&'static str> {
    Some(match p {
        1 => "icmp",
        2 => "igmp",
        4 => "ipip",
        6 => "tcp",
        17 => "udp",
        33 => "dccp",
        41 => "ipv6",
        47 => "gre",
        50 => "esp",
        51 => "ah",
        58 => "ipv6-icmp",
        132 => "sctp",
        136 => "udplite",
        _ => return None,
    })
}

/// Flag names of a bitmask type (ct state, ct status, tcp flags).
fn bit_names(t: u32) -> &'static [(u64, &'static str)] {
    match t {
        T_CT_STATE => &[
            (1, "invalid"),
            (2, "established"),
            (4, "related"),
            (8, "new"),
            (64, "untracked"),
        ],
        T_CT_STATUS => &[
            (1, "expected"),
            (2, "seen-reply"),
            (4, "assured"),
            (8, "confirmed"),
            (16, "snat"),
            (32, "dnat"),
            (512, "dying"),
        ],
        T_TCP_FLAG => &[
            (1, "fin"),
            (2, "syn"),
            (4, "rst"),
            (8, "psh"),
            (16, "ack"),
            (32, "urg"),
            (64, "ecn"),
            (128, "cwr"),
        ],
        _ => &[],
    }
}

fn push_bits(out: &mut String, t: u32, v: u64, sep: &str) {
    let mut first = true;
    let mut left = v;
    for (bit, name) in bit_names(t) {
        if v & bit != 0 {
            if !first {
                out.push_str(sep);
            }
            first = false;
            out.push_str(name);
            left &= !bit;
        }
    }
    if left != 0 || first {
        if !first {
            out.push_str(sep);
        }
        let _ = write!(out, "{left:#x}");
    }
}

/// One value of datatype `t` as nft prints it.
fn push_value(v: &MessageView, out: &mut String, t: u32, b: &[u8]) {
    let t = if t == T_IPADDR && b.len() == 16 {
        T_IP6ADDR
    } else {
        t
    };
    let little = host_order(t) && v.index().endian == Endian::Little;
    let b = match type_size(t) {
        Some(n) if b.len() > n => b.get(..n).unwrap_or(b),
        _ => b,
    };
    let n = int(b, little);
    match (t, n) {
        (T_IPADDR, _) if b.len() == 4 => {
            if let Some(a) = array::<4>(b, 0) {
                let _ = write!(out, "{}", Ipv4Addr::from(a));
            }
        }
        (T_IP6ADDR, _) if b.len() == 16 => {
            if let Some(a) = array::<16>(b, 0) {
                let _ = write!(out, "{}", Ipv6Addr::from(a));
            }
        }
        (T_ETHERADDR | T_LLADDR, _) => {
            for (i, x) in b.iter().enumerate() {
                if i > 0 {
                    out.push(':');
                }
                let _ = write!(out, "{x:02x}");
            }
        }
        (T_STRING | T_IFNAME, _) => {
            out.push('"');
            push_str(out, b);
            out.push('"');
        }
        (T_NFPROTO, Some(p)) => match p {
            2 => out.push_str("ipv4"),
            10 => out.push_str("ipv6"),
            _ => {
                let _ = write!(out, "{p}");
            }
        },
        (T_INETPROTO, Some(p)) => match inet_proto_name(p) {
            Some(s) => out.push_str(s),
            None => {
                let _ = write!(out, "{p}");
            }
        },
        (T_ETHERTYPE, Some(p)) => match p {
            0x0800 => out.push_str("ip"),
            0x0806 => out.push_str("arp"),
            0x86dd => out.push_str("ip6"),
            0x8100 => out.push_str("8021q"),
            0x88a8 => out.push_str("8021ad"),
            _ => {
                let _ = write!(out, "{p:#06x}");
            }
        },
        (T_MARK, Some(m)) => {
            let _ = write!(out, "{m:#010x}");
        }
        (T_IFINDEX, Some(i)) => push_dev(v, out, i as i32),
        (T_CT_STATE | T_CT_STATUS | T_TCP_FLAG, Some(x)) => push_bits(out, t, x, ","),
        (T_CT_DIR, Some(d)) => out.push_str(match d {
            0 => "original",
            1 => "reply",
            _ => "?",
        }),
        (T_PKTTYPE, Some(p)) => match p {
            0 => out.push_str("host"),
            1 => out.push_str("broadcast"),
            2 => out.push_str("multicast"),
            3 => out.push_str("other"),
            _ => {
                let _ = write!(out, "{p}");
            }
        },
        (T_ICMP_TYPE, Some(x)) => match icmp_type(x) {
            Some(s) => out.push_str(s),
            None => {
                let _ = write!(out, "{x}");
            }
        },
        (T_ICMP6_TYPE, Some(x)) => match icmp6_type(x) {
            Some(s) => out.push_str(s),
            None => {
                let _ = write!(out, "{x}");
            }
        },
        (T_INTEGER | T_INETSERVICE | T_UID | T_GID | T_ARPOP | T_ARPHRD, Some(x)) => {
            let _ = write!(out, "{x}");
        }
        (T_BITMASK | T_VERDICT, Some(x)) => {
            let _ = write!(out, "{x:#x}");
        }
        _ => match subtypes(t).as_slice() {
            [_, _, ..] => push_concat(v, out, t, b),
            _ => push_hex(out, b),
        },
    }
}

/// A concatenated key (`192.0.2.1 . 80`): each field padded to 32-bit registers.
fn push_concat(v: &MessageView, out: &mut String, t: u32, b: &[u8]) {
    let mut at = 0usize;
    for (i, s) in subtypes(t).into_iter().enumerate() {
        if i > 0 {
            out.push_str(" . ");
        }
        let Some(n) = type_size(s) else {
            push_hex(out, b.get(at..).unwrap_or_default());
            return;
        };
        push_value(v, out, s, b.get(at..at + n).unwrap_or_default());
        at += n.div_ceil(4) * 4;
    }
}

fn icmp_type(x: u64) -> Option<&'static str> {
    Some(match x {
        0 => "echo-reply",
        3 => "destination-unreachable",
        4 => "source-quench",
        5 => "redirect",
        8 => "echo-request",
        9 => "router-advertisement",
        10 => "router-solicitation",
        11 => "time-exceeded",
        12 => "parameter-problem",
        13 => "timestamp-request",
        14 => "timestamp-reply",
        15 => "info-request",
        16 => "info-reply",
        17 => "address-mask-request",
        18 => "address-mask-reply",
        _ => return None,
    })
}

fn icmp6_type(x: u64) -> Option<&'static str> {
    Some(match x {
        1 => "destination-unreachable",
        2 => "packet-too-big",
        3 => "time-exceeded",
        4 => "parameter-problem",
        128 => "echo-request",
        129 => "echo-reply",
        130 => "mld-listener-query",
        131 => "mld-listener-report",
        132 => "mld-listener-done",
        133 => "nd-router-solicit",
        134 => "nd-router-advert",
        135 => "nd-neighbor-solicit",
        136 => "nd-neighbor-advert",
        137 => "nd-redirect",
        138 => "router-renumbering",
        143 => "mld2-listener-report",
        _ => return None,
    })
}

/// A verdict as nft prints it.
fn push_verdict(out: &mut String, code: i32, chain: Option<&str>) {
    match code {
        0 => out.push_str("drop"),
        1 => out.push_str("accept"),
        2 => out.push_str("stolen"),
        3 => out.push_str("queue"),
        4 => out.push_str("repeat"),
        5 => out.push_str("stop"),
        -1 => out.push_str("continue"),
        -2 => out.push_str("break"),
        -3 => {
            let _ = write!(out, "jump {}", chain.unwrap_or("?"));
        }
        -4 => {
            let _ = write!(out, "goto {}", chain.unwrap_or("?"));
        }
        -5 => out.push_str("return"),
        c => {
            let _ = write!(out, "verdict {c}");
        }
    }
}

/// `b - 1` as a big-endian number (saturating at zero).
fn minus_one(b: &[u8]) -> Vec<u8> {
    let mut v = b.to_vec();
    for x in v.iter_mut().rev() {
        if *x == 0 {
            *x = 0xff;
        } else {
            *x -= 1;
            return v;
        }
    }
    vec![0; b.len()]
}

/// The prefix length of range `lo..=hi` if it is exactly one prefix.
fn prefix_len(lo: &[u8], hi: &[u8]) -> Option<u32> {
    if lo.len() != hi.len() || lo.is_empty() {
        return None;
    }
    let bit = |b: &[u8], i: usize| b.get(i / 8).is_some_and(|x| x & (0x80 >> (i % 8)) != 0);
    let bits = lo.len() * 8;
    let mut plen = bits;
    while plen > 0 && !bit(lo, plen - 1) && bit(hi, plen - 1) {
        plen -= 1;
    }
    if plen == bits {
        return None;
    }
    (0..plen)
        .all(|i| bit(lo, i) == bit(hi, i))
        .then_some(plen as u32)
}

/// A range of type `t` as nft prints it: one value, a prefix, or `lo-hi`.
fn push_range(v: &MessageView, out: &mut String, t: u32, lo: &[u8], hi: &[u8]) {
    if lo == hi {
        return push_value(v, out, t, lo);
    }
    if matches!(t, T_IPADDR | T_IP6ADDR)
        && let Some(p) = prefix_len(lo, hi)
    {
        push_value(v, out, t, lo);
        let _ = write!(out, "/{p}");
        return;
    }
    push_value(v, out, t, lo);
    out.push('-');
    push_value(v, out, t, hi);
}

/// Set elements as nft lists them: intervals (start and end elements) joined into ranges and
/// prefixes, sorted; map data after ` : `.
fn push_elems(v: &MessageView, out: &mut String, elems: &[Elem], t: u32, flags: u32) {
    let interval = flags & SET_INTERVAL != 0 || elems.iter().any(|e| e.end);
    let mut items: Vec<(Vec<u8>, Vec<u8>, &str)> = Vec::new();
    if interval {
        let mut sorted: Vec<&Elem> = elems.iter().collect();
        sorted.sort_by(|a, b| a.key.cmp(&b.key).then(b.end.cmp(&a.end)));
        let mut i = 0;
        while let Some(e) = sorted.get(i) {
            i += 1;
            if e.end {
                continue;
            }
            if !e.key_end.is_empty() {
                items.push((e.key.clone(), e.key_end.clone(), &e.data));
                continue;
            }
            match sorted.get(i) {
                Some(next) if next.end => {
                    items.push((e.key.clone(), minus_one(&next.key), &e.data));
                    i += 1;
                }
                _ => items.push((e.key.clone(), vec![0xff; e.key.len()], &e.data)),
            }
        }
    } else {
        for e in elems {
            items.push((e.key.clone(), e.key.clone(), &e.data));
        }
        if host_order(t) && v.index().endian == Endian::Little {
            items.sort_by(|a, b| a.0.iter().rev().cmp(b.0.iter().rev()));
        } else {
            items.sort_by(|a, b| a.0.cmp(&b.0));
        }
    }
    for (i, (lo, hi, data)) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        if t == 0 {
            push_hex(out, lo);
            if lo != hi {
                out.push('-');
                push_hex(out, hi);
            }
        } else {
            push_range(v, out, t, lo, hi);
        }
        if !data.is_empty() {
            out.push_str(" : ");
            out.push_str(data);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Rules.

/// What a register holds: a loaded field (its words and datatype) or an immediate value.
#[derive(Clone)]
enum Reg {
    /// A field: nft's words (`ip saddr`), datatype, and the protocol it belongs to
    /// (`ip`, `tcp`, ... for dependency elimination).
    Field {
        text: String,
        ty: u32,
        proto: &'static str,
        /// A bitwise mask applied to it.
        mask: Option<Vec<u8>>,
    },
    /// A constant (immediate).
    Value(Vec<u8>),
}

/// A dependency match nft hides when a later payload needs it: the protocol it selects.
#[derive(Clone, Copy, PartialEq)]
enum Dep {
    /// `meta nfproto ipv4`, `ether type ip`: the network header is this protocol.
    L3(&'static str),
    /// `meta l4proto tcp`, `ip protocol tcp`: the transport header is this protocol.
    L4(&'static str),
}

struct Stmt {
    text: String,
    dep: Option<Dep>,
    /// A `>=` match waiting for its `<=` (nft's ranges): (field words, low value).
    range_lo: Option<(String, String)>,
}

/// The decompiler of one rule's expressions.
struct Rule<'v, 'a> {
    v: &'v MessageView<'a>,
    family: u8,
    table: String,
    regs: HashMap<u32, Reg>,
    /// Bytes loaded into each register (a concatenation spans several).
    widths: HashMap<u32, u32>,
    stmts: Vec<Stmt>,
    l3: Option<&'static str>,
    l4: Option<&'static str>,
}

/// Expressions decompiled per rule at most.
const MAX_EXPRS: usize = 256;

impl<'v, 'a> Rule<'v, 'a> {
    fn new(v: &'v MessageView<'a>, n: Named, family: u8) -> Self {
        let l3 = match family {
            2 => Some("ip"),
            10 => Some("ip6"),
            3 => Some("arp"),
            _ => None,
        };
        Rule {
            v,
            family,
            table: nstr(n, "table").unwrap_or_default(),
            regs: HashMap::new(),
            widths: HashMap::new(),
            stmts: Vec::new(),
            l3,
            l4: None,
        }
    }

    fn push(&mut self, text: String) {
        self.stmts.push(Stmt {
            text,
            dep: None,
            range_lo: None,
        });
    }

    fn decompile(mut self, list: Named) -> String {
        for e in list.all("elem").take(MAX_EXPRS) {
            let name = nstr(e, "name").unwrap_or_default();
            let data = e.get("data").unwrap_or_default();
            // The expression's attributes in the set the spec's sub-message picks by its
            // name (none for an expression the spec does not know: it prints `<name>`).
            let set = sub_message_set_of(self.v, &name).unwrap_or_default();
            self.expr(&name, e.in_set(&set).over(data, 0));
        }
        let mut out = String::new();
        for s in &self.stmts {
            if s.text.is_empty() {
                continue;
            }
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&s.text);
        }
        out
    }

    /// The register number as a 32-bit register index: NFT_REG_1..4 are 128 bits wide and
    /// name the same storage as NFT_REG32_00..15 (8..23), four of those each.
    fn reg(n: Named, name: &str) -> Option<u32> {
        let r = nu32(n, name)?;
        Some(match r {
            1..=4 => 8 + (r - 1) * 4,
            r => r,
        })
    }

    fn expr(&mut self, name: &str, d: Named) {
        match name {
            "payload" => self.payload(d),
            "meta" => self.meta(d),
            "ct" => self.ct(d),
            "bitwise" => self.bitwise(d),
            "cmp" => self.cmp(d),
            "range" => self.range(d),
            "lookup" => self.lookup(d),
            "immediate" => self.immediate(d),
            "counter" => {
                let mut s = String::from("counter");
                if let (Some(p), Some(b)) = (nu64(d, "packets"), nu64(d, "bytes")) {
                    let _ = write!(s, " packets {p} bytes {b}");
                }
                self.push(s);
            }
            "masq" | "redir" => {
                let mut s = String::from(if name == "masq" {
                    "masquerade"
                } else {
                    "redirect"
                });
                if let Some(r) = Self::reg(d, "reg-proto-min") {
                    s.push_str(" to :");
                    self.push_reg_value(&mut s, r, T_INETSERVICE);
                    if let Some(r2) = Self::reg(d, "reg-proto-max")
                        && r2 != r
                    {
                        s.push('-');
                        self.push_reg_value(&mut s, r2, T_INETSERVICE);
                    }
                }
                push_nat_flags(&mut s, nu32(d, "flags").unwrap_or(0));
                self.push(s);
            }
            "nat" => self.nat(d),
            "log" => self.log(d),
            "limit" => self.limit(d),
            "reject" => self.reject(d),
            "notrack" => self.push("notrack".into()),
            "dynset" => self.dynset(d),
            "objref" => {
                let name = nstr(d, "imm-name").unwrap_or_default();
                let s = match nu32(d, "imm-type").unwrap_or(0) {
                    1 => format!("counter name \"{name}\""),
                    2 => format!("quota name \"{name}\""),
                    3 => format!("ct helper set \"{name}\""),
                    4 => format!("limit name \"{name}\""),
                    7 => format!("ct timeout set \"{name}\""),
                    8 => format!("meta secmark set \"{name}\""),
                    9 => format!("ct expectation set \"{name}\""),
                    10 => format!("synproxy name \"{name}\""),
                    _ => format!("<objref {name}>"),
                };
                self.push(s);
            }
            "quota" => {
                let mut s = String::from("quota ");
                if nu32(d, "flags").unwrap_or(0) & 1 != 0 {
                    s.push_str("over ");
                }
                push_bytes(&mut s, nu64(d, "bytes").unwrap_or(0));
                if let Some(c) = nu64(d, "consumed")
                    && c > 0
                {
                    s.push_str(" used ");
                    push_bytes(&mut s, c);
                }
                self.push(s);
            }
            "queue" => {
                let mut s = String::from("queue");
                let flags = Endian::Big.u16(d.get("flags").unwrap_or_default(), 0);
                let flags = flags.unwrap_or(0);
                let mut fl = Vec::new();
                if flags & 1 != 0 {
                    fl.push("bypass");
                }
                if flags & 2 != 0 {
                    fl.push("fanout");
                }
                if !fl.is_empty() {
                    let _ = write!(s, " flags {}", fl.join(","));
                }
                if let Some(num) = Endian::Big.u16(d.get("num").unwrap_or_default(), 0) {
                    let total = Endian::Big.u16(d.get("total").unwrap_or_default(), 0);
                    match total {
                        Some(t) if t > 1 => {
                            let _ = write!(s, " num {num}-{}", u32::from(num) + u32::from(t) - 1);
                        }
                        _ => {
                            let _ = write!(s, " num {num}");
                        }
                    }
                }
                self.push(s);
            }
            _ => self.push(format!("<{name}>")),
        }
    }

    /// `add @set { ip saddr }`, `update @set { ip saddr timeout 30s }`.
    fn dynset(&mut self, d: Named) {
        let op = match nu32(d, "op").unwrap_or(0) {
            0 => "add",
            1 => "update",
            2 => "delete",
            _ => "?",
        };
        let set = nstr(d, "set-name").unwrap_or_default();
        let mut s = format!("{op} @{set} {{ ");
        match Self::reg(d, "sreg-key") {
            Some(r) => self.push_reg_value(&mut s, r, T_INTEGER),
            None => s.push('?'),
        }
        if let Some(t) = nu64(d, "timeout")
            && t > 0
        {
            s.push_str(" timeout ");
            push_time_ms(&mut s, t);
        }
        if let Some(r) = Self::reg(d, "sreg-data") {
            s.push_str(" : ");
            self.push_reg_value(&mut s, r, T_INTEGER);
        }
        s.push_str(" }");
        self.push(s);
    }

    fn payload(&mut self, d: Named) {
        let base = nu32(d, "base").unwrap_or(0);
        let off = nu32(d, "offset").unwrap_or(0);
        let len = nu32(d, "len").unwrap_or(0);
        if let Some(sreg) = Self::reg(d, "sreg") {
            // payload set: `ip daddr set 192.0.2.1`
            let (text, ty, _) = self.payload_field(base, off, len);
            let mut s = format!("{text} set ");
            self.push_reg_value(&mut s, sreg, ty);
            self.push(s);
            return;
        }
        let Some(dreg) = Self::reg(d, "dreg") else {
            return;
        };
        // nft loads only the bytes of an address prefix (`ip saddr 10.0.0.0/24` loads 3):
        // the field, masked to those bytes.
        let full = match (base, self.l3, off) {
            (1, Some("ip"), 12 | 16) if (1..4).contains(&len) => Some(4),
            (1, Some("ip6"), 8 | 24) if (1..16).contains(&len) => Some(16),
            _ => None,
        };
        let mask = full.map(|f: u32| {
            let mut m = vec![0xffu8; len as usize];
            m.resize(f as usize, 0);
            m
        });
        let (text, ty, proto) = self.payload_field(base, off, full.unwrap_or(len));
        self.widths.insert(dreg, full.unwrap_or(len));
        // The dependency this payload makes implicit.
        if !proto.is_empty() {
            let want_l3 = matches!(proto, "ip" | "ip6" | "arp" | "vlan");
            if let Some(i) = self.stmts.iter().rposition(|s| {
                s.dep
                    == Some(if want_l3 {
                        Dep::L3(proto)
                    } else {
                        Dep::L4(proto)
                    })
            }) {
                self.stmts.remove(i);
            }
        }
        self.regs.insert(
            dreg,
            Reg::Field {
                text,
                ty,
                proto,
                mask,
            },
        );
    }

    /// nft's words for a payload field: (`ip saddr`, datatype, protocol).
    fn payload_field(&self, base: u32, off: u32, len: u32) -> (String, u32, &'static str) {
        let known: Option<(&'static str, &'static str, u32)> = match base {
            0 => match (off, len) {
                (0, 6) => Some(("ether", "daddr", T_ETHERADDR)),
                (6, 6) => Some(("ether", "saddr", T_ETHERADDR)),
                (12, 2) => Some(("ether", "type", T_ETHERTYPE)),
                _ => None,
            },
            1 => match self.l3 {
                Some("ip") => match (off, len) {
                    (2, 2) => Some(("ip", "length", T_INTEGER)),
                    (4, 2) => Some(("ip", "id", T_INTEGER)),
                    (6, 2) => Some(("ip", "frag-off", T_INTEGER)),
                    (8, 1) => Some(("ip", "ttl", T_INTEGER)),
                    (9, 1) => Some(("ip", "protocol", T_INETPROTO)),
                    (10, 2) => Some(("ip", "checksum", T_INTEGER)),
                    (12, 4) => Some(("ip", "saddr", T_IPADDR)),
                    (16, 4) => Some(("ip", "daddr", T_IPADDR)),
                    _ => None,
                },
                Some("ip6") => match (off, len) {
                    (4, 2) => Some(("ip6", "length", T_INTEGER)),
                    (6, 1) => Some(("ip6", "nexthdr", T_INETPROTO)),
                    (7, 1) => Some(("ip6", "hoplimit", T_INTEGER)),
                    (8, 16) => Some(("ip6", "saddr", T_IP6ADDR)),
                    (24, 16) => Some(("ip6", "daddr", T_IP6ADDR)),
                    _ => None,
                },
                _ => None,
            },
            2 => match (self.l4, off, len) {
                (Some(p @ ("tcp" | "udp" | "udplite" | "sctp" | "dccp")), 0, 2) => {
                    Some((p, "sport", T_INETSERVICE))
                }
                (Some(p @ ("tcp" | "udp" | "udplite" | "sctp" | "dccp")), 2, 2) => {
                    Some((p, "dport", T_INETSERVICE))
                }
                (Some("tcp"), 4, 4) => Some(("tcp", "sequence", T_INTEGER)),
                (Some("tcp"), 8, 4) => Some(("tcp", "ackseq", T_INTEGER)),
                (Some("tcp"), 13, 1) => Some(("tcp", "flags", T_TCP_FLAG)),
                (Some("tcp"), 14, 2) => Some(("tcp", "window", T_INTEGER)),
                (Some("udp"), 4, 2) => Some(("udp", "length", T_INTEGER)),
                (Some("icmp"), 0, 1) => Some(("icmp", "type", T_ICMP_TYPE)),
                (Some("icmp"), 1, 1) => Some(("icmp", "code", T_INTEGER)),
                (Some("icmp"), 4, 2) => Some(("icmp", "id", T_INTEGER)),
                (Some("icmp"), 6, 2) => Some(("icmp", "sequence", T_INTEGER)),
                (Some("ipv6-icmp"), 0, 1) => Some(("icmpv6", "type", T_ICMP6_TYPE)),
                (Some("ipv6-icmp"), 1, 1) => Some(("icmpv6", "code", T_INTEGER)),
                (None, 0, 2) => Some(("th", "sport", T_INETSERVICE)),
                (None, 2, 2) => Some(("th", "dport", T_INETSERVICE)),
                _ => None,
            },
            _ => None,
        };
        match known {
            Some((p, f, t)) => {
                // The dependency protocol: `ipv6-icmp` is selected by l4proto ipv6-icmp.
                let dep = match p {
                    "icmpv6" => "ipv6-icmp",
                    "th" | "ether" => "",
                    p => p,
                };
                (format!("{p} {f}"), t, dep)
            }
            None => {
                let b = match base {
                    0 => "ll",
                    1 => "nh",
                    2 => "th",
                    3 => "ih",
                    _ => "?",
                };
                let (off, len) = (u64::from(off) * 8, u64::from(len) * 8);
                (format!("@{b},{off},{len}"), T_INTEGER, "")
            }
        }
    }

    fn meta(&mut self, d: Named) {
        let key = nu32(d, "key").unwrap_or(u32::MAX);
        let (name, ty) = meta_key(key);
        let qualified = !matches!(key, 4..=7 | 21 | 22);
        let text = if qualified {
            format!("meta {name}")
        } else {
            name.to_string()
        };
        if let Some(sreg) = Self::reg(d, "sreg") {
            let mut s = format!("{text} set ");
            self.push_reg_value(&mut s, sreg, ty);
            self.push(s);
            return;
        }
        if let Some(dreg) = Self::reg(d, "dreg") {
            let proto = match key {
                15 => "nfproto",
                16 => "l4proto",
                _ => "",
            };
            self.widths
                .insert(dreg, type_size(ty).map_or(4, |n| n as u32));
            self.regs.insert(
                dreg,
                Reg::Field {
                    text,
                    ty,
                    proto,
                    mask: None,
                },
            );
        }
    }

    fn ct(&mut self, d: Named) {
        let key = nu32(d, "key").unwrap_or(u32::MAX);
        let (name, ty) = ct_key(key);
        let mut text = String::from("ct ");
        match d.u8("direction") {
            Some(0) => text.push_str("original "),
            Some(1) => text.push_str("reply "),
            _ => {}
        }
        text.push_str(name);
        // ct saddr/daddr are as wide as the rule's network protocol.
        let ty = match (key, self.l3) {
            (8 | 9, Some("ip6")) => T_IP6ADDR,
            _ => ty,
        };
        if let Some(dreg) = Self::reg(d, "dreg") {
            self.widths
                .insert(dreg, type_size(ty).map_or(4, |n| n as u32));
        }
        if let Some(sreg) = Self::reg(d, "sreg") {
            let mut s = format!("{text} set ");
            self.push_reg_value(&mut s, sreg, ty);
            self.push(s);
            return;
        }
        if let Some(dreg) = Self::reg(d, "dreg") {
            self.regs.insert(
                dreg,
                Reg::Field {
                    text,
                    ty,
                    proto: "",
                    mask: None,
                },
            );
        }
    }

    fn data_value(d: Named, name: &str) -> Option<Vec<u8>> {
        let b = d.nest(name)?.get("value")?;
        Some(b.get(..b.len().min(MAX_KEY)).unwrap_or(b).to_vec())
    }

    fn bitwise(&mut self, d: Named) {
        let (Some(sreg), Some(dreg)) = (Self::reg(d, "sreg"), Self::reg(d, "dreg")) else {
            return;
        };
        let mask = Self::data_value(d, "mask");
        let xor = Self::data_value(d, "xor");
        let op = nu32(d, "op").unwrap_or(0);
        let src = self.regs.get(&sreg).cloned();
        match (src, op, mask) {
            (
                Some(Reg::Field {
                    text,
                    ty,
                    proto,
                    mask: loaded,
                }),
                0,
                Some(mut mask),
            ) if xor.as_ref().is_none_or(|x| x.iter().all(|b| *b == 0)) => {
                // A prefix of a field loaded in part: the mask covers the whole field.
                if let Some(l) = loaded {
                    mask.resize(l.len().max(mask.len()), 0);
                }
                self.regs.insert(
                    dreg,
                    Reg::Field {
                        text,
                        ty,
                        proto,
                        mask: Some(mask),
                    },
                );
            }
            _ => {
                self.regs.remove(&dreg);
                self.push("<bitwise>".into());
            }
        }
    }

    fn cmp(&mut self, d: Named) {
        let Some(sreg) = Self::reg(d, "sreg") else {
            return;
        };
        let op = nu32(d, "op").unwrap_or(0);
        let data = Self::data_value(d, "data").unwrap_or_default();
        let Some(Reg::Field {
            text,
            ty,
            proto,
            mask,
        }) = self.regs.get(&sreg).cloned()
        else {
            self.push("<cmp>".into());
            return;
        };
        let opw = match op {
            0 => "",
            1 => "!= ",
            2 => "< ",
            3 => "<= ",
            4 => "> ",
            5 => ">= ",
            _ => "? ",
        };
        let mut value = String::new();
        if let Some(mask) = &mask {
            let mut data = data.clone();
            if data.len() < mask.len() {
                data.resize(mask.len(), 0);
            }
            let zero = data.iter().all(|b| *b == 0);
            let little = host_order(ty) && self.v.index().endian == Endian::Little;
            if op <= 1 && zero && !bit_names(ty).is_empty() {
                // ct state established,related: (state & mask) != 0; `!=` for == 0.
                push_bits(&mut value, ty, int(mask, little).unwrap_or(0), ",");
                let not = if op == 0 { "!= " } else { "" };
                self.push(format!("{text} {not}{value}"));
                return;
            }
            if !bit_names(ty).is_empty() {
                // tcp flags & (syn | ack) == syn
                let mut m = String::new();
                let mv = int(mask, little).unwrap_or(0);
                push_bits(&mut m, ty, mv, " | ");
                if mv.count_ones() > 1 {
                    m = format!("({m})");
                }
                push_bits(&mut value, ty, int(&data, little).unwrap_or(0), " | ");
                let opw = if op == 0 { "== " } else { opw };
                self.push(format!("{text} & {m} {opw}{value}"));
                return;
            }
            let plen = mask.iter().map(|b| b.count_ones()).sum::<u32>();
            let is_prefix = mask.iter().enumerate().all(|(i, b)| {
                b.count_ones() == plen.saturating_sub(i as u32 * 8).min(8)
                    && (b.leading_ones() == b.count_ones())
            });
            if op == 0 && matches!(ty, T_IPADDR | T_IP6ADDR) && is_prefix {
                // ip saddr 10.0.0.0/8: (saddr & mask) == net
                push_value(self.v, &mut value, ty, &data);
                self.push(format!("{text} {value}/{plen}"));
                return;
            }
            let mut m = String::new();
            push_value(self.v, &mut m, ty, mask);
            push_value(self.v, &mut value, ty, &data);
            let opw = if op == 0 { "== " } else { opw };
            self.push(format!("{text} & {m} {opw}{value}"));
            return;
        }
        push_value(self.v, &mut value, ty, &data);
        // nft's ranges: `>= lo` then `<= hi` on the same field.
        if op == 3
            && let Some(last) = self.stmts.last_mut()
            && let Some((t, lo)) = last.range_lo.take()
            && t == text
        {
            last.text = format!("{text} {lo}-{value}");
            return;
        }
        let dep = if op == 0 {
            let n = int(&data, false).unwrap_or(u64::MAX);
            match (proto, ty) {
                ("nfproto", _) => match n {
                    2 => Some(Dep::L3("ip")),
                    10 => Some(Dep::L3("ip6")),
                    _ => None,
                },
                (_, T_ETHERTYPE) => match n {
                    0x0800 => Some(Dep::L3("ip")),
                    0x86dd => Some(Dep::L3("ip6")),
                    0x0806 => Some(Dep::L3("arp")),
                    _ => None,
                },
                ("l4proto" | "ip" | "ip6", T_INETPROTO) => inet_proto_name(n).map(Dep::L4),
                _ => None,
            }
        } else {
            None
        };
        match dep {
            Some(Dep::L3(p)) => self.l3 = Some(p),
            Some(Dep::L4(p)) => self.l4 = Some(p),
            None => {}
        }
        self.stmts.push(Stmt {
            text: format!("{text} {opw}{value}"),
            dep,
            range_lo: (op == 5).then(|| (text.clone(), value.clone())),
        });
    }

    fn range(&mut self, d: Named) {
        let Some(sreg) = Self::reg(d, "sreg") else {
            return;
        };
        let Some(Reg::Field { text, ty, .. }) = self.regs.get(&sreg).cloned() else {
            self.push("<range>".into());
            return;
        };
        let lo = Self::data_value(d, "from-data").unwrap_or_default();
        let hi = Self::data_value(d, "to-data").unwrap_or_default();
        let mut s = text;
        s.push(' ');
        if nu32(d, "op") == Some(1) {
            s.push_str("!= ");
        }
        push_value(self.v, &mut s, ty, &lo);
        s.push('-');
        push_value(self.v, &mut s, ty, &hi);
        self.push(s);
    }

    fn lookup(&mut self, d: Named) {
        let Some(sreg) = Self::reg(d, "sreg") else {
            return;
        };
        let set = nstr(d, "set").unwrap_or_default();
        let key = set_key(set.clone(), nu32(d, "set-id"));
        let info = self.v.nft_sets().get(self.family, &self.table, &key);
        let (text, ty) = match self.regs.get(&sreg) {
            Some(Reg::Field { text, ty, .. }) => (text.clone(), *ty),
            _ => ("<lookup>".to_string(), 0),
        };
        // A concatenated key (`ip saddr . tcp dport`): the fields in consecutive registers.
        let fields = info.map_or(1, |i| subtypes(i.key_type).len());
        let mut s = text;
        let mut r = sreg;
        for _ in 1..fields {
            let w = self.widths.get(&r).copied().unwrap_or(4);
            r = r.saturating_add(w.div_ceil(4).max(1));
            match self.regs.get(&r) {
                Some(Reg::Field { text, .. }) => {
                    s.push_str(" . ");
                    s.push_str(text);
                }
                _ => break,
            }
        }
        s.push(' ');
        if nu32(d, "flags").unwrap_or(0) & 1 != 0 {
            s.push_str("!= ");
        }
        let dreg = nu32(d, "dreg");
        match dreg {
            Some(0) => s.push_str("vmap "),
            Some(_) => s.push_str("map "),
            None => {}
        }
        match info {
            Some(i) if i.flags & SET_ANONYMOUS != 0 || set.starts_with("__") => {
                let t = if i.key_type != 0 { i.key_type } else { ty };
                s.push_str("{ ");
                push_elems(self.v, &mut s, &i.elems, t, i.flags);
                s.push_str(" }");
            }
            _ => {
                let _ = write!(s, "@{set}");
            }
        }
        if let Some(r) = Self::reg(d, "dreg")
            && r != 0
        {
            self.regs.insert(
                r,
                Reg::Field {
                    text: s,
                    ty: T_INTEGER,
                    proto: "",
                    mask: None,
                },
            );
            return;
        }
        self.push(s);
    }

    fn immediate(&mut self, d: Named) {
        let Some(dreg) = Self::reg(d, "dreg") else {
            return;
        };
        let Some(data) = d.nest("data") else {
            return;
        };
        if let Some(vd) = data.nest("verdict") {
            let mut s = String::new();
            let code = nu32(vd, "code").unwrap_or(0) as i32;
            push_verdict(&mut s, code, nstr(vd, "chain").as_deref());
            self.push(s);
            return;
        }
        if let Some(b) = data.get("value") {
            self.regs.insert(
                dreg,
                Reg::Value(b.get(..b.len().min(MAX_KEY)).unwrap_or(b).to_vec()),
            );
        }
    }

    /// A register's value as type `t` (an immediate), or the field it holds.
    fn push_reg_value(&self, out: &mut String, r: u32, t: u32) {
        match self.regs.get(&r) {
            Some(Reg::Value(b)) => push_value(self.v, out, t, b),
            Some(Reg::Field { text, .. }) => out.push_str(text),
            None => out.push('?'),
        }
    }

    fn nat(&mut self, d: Named) {
        let mut s = String::from(match nu32(d, "type") {
            Some(0) => "snat",
            Some(1) => "dnat",
            _ => "nat",
        });
        let nfam = nu32(d, "family").unwrap_or(0);
        let t = if nfam == 10 { T_IP6ADDR } else { T_IPADDR };
        if self.family == 1 || self.family == 7 || self.family == 5 {
            s.push_str(if nfam == 10 { " ip6" } else { " ip" });
        }
        let amin = Self::reg(d, "reg-addr-min");
        let pmin = Self::reg(d, "reg-proto-min");
        if amin.is_some() || pmin.is_some() {
            s.push_str(" to ");
        }
        if let Some(r) = amin {
            let v6 = t == T_IP6ADDR && pmin.is_some();
            if v6 {
                s.push('[');
            }
            self.push_reg_value(&mut s, r, t);
            if let Some(r2) = Self::reg(d, "reg-addr-max")
                && r2 != r
            {
                s.push('-');
                self.push_reg_value(&mut s, r2, t);
            }
            if v6 {
                s.push(']');
            }
        }
        if let Some(r) = pmin {
            s.push(':');
            self.push_reg_value(&mut s, r, T_INETSERVICE);
            if let Some(r2) = Self::reg(d, "reg-proto-max")
                && r2 != r
            {
                s.push('-');
                self.push_reg_value(&mut s, r2, T_INETSERVICE);
            }
        }
        push_nat_flags(&mut s, nu32(d, "flags").unwrap_or(0));
        self.push(s);
    }

    fn log(&mut self, d: Named) {
        let mut s = String::from("log");
        if let Some(p) = nstr(d, "prefix") {
            let _ = write!(s, " prefix \"{p}\"");
        }
        if let Some(g) = Endian::Big.u16(d.get("group").unwrap_or_default(), 0) {
            let _ = write!(s, " group {g}");
        }
        if let Some(l) = nu32(d, "snaplen") {
            let _ = write!(s, " snaplen {l}");
        }
        if let Some(q) = Endian::Big.u16(d.get("qthreshold").unwrap_or_default(), 0) {
            let _ = write!(s, " queue-threshold {q}");
        }
        if let Some(l) = nu32(d, "level")
            && l != 4
        {
            let names = [
                "emerg", "alert", "crit", "err", "warn", "notice", "info", "debug", "audit",
            ];
            match names.get(l as usize) {
                Some(n) => {
                    let _ = write!(s, " level {n}");
                }
                None => {
                    let _ = write!(s, " level {l}");
                }
            }
        }
        let f = nu32(d, "flags").unwrap_or(0);
        if f & 0x2f == 0x2f {
            s.push_str(" flags all");
        } else if f != 0 {
            let mut parts = Vec::new();
            match f & 3 {
                3 => parts.push("tcp sequence,options"),
                1 => parts.push("tcp sequence"),
                2 => parts.push("tcp options"),
                _ => {}
            }
            if f & 4 != 0 {
                parts.push("ip options");
            }
            if f & 8 != 0 {
                parts.push("skuid");
            }
            if f & 0x20 != 0 {
                parts.push("ether");
            }
            for p in parts {
                let _ = write!(s, " flags {p}");
            }
        }
        self.push(s);
    }

    fn limit(&mut self, d: Named) {
        let rate = nu64(d, "rate").unwrap_or(0);
        let unit = nu64(d, "unit").unwrap_or(1);
        let bytes = nu32(d, "type") == Some(1);
        let burst = nu32(d, "burst").unwrap_or(0);
        let mut s = String::from("limit rate ");
        if nu32(d, "flags").unwrap_or(0) & 1 != 0 {
            s.push_str("over ");
        }
        let per = match unit {
            1 => "second",
            60 => "minute",
            3600 => "hour",
            86400 => "day",
            604_800 => "week",
            _ => "?",
        };
        if bytes {
            push_bytes(&mut s, rate);
            let _ = write!(s, "/{per}");
            if burst != 0 {
                s.push_str(" burst ");
                push_bytes(&mut s, u64::from(burst));
            }
        } else {
            let _ = write!(s, "{rate}/{per}");
            if burst != 0 && burst != 5 {
                let _ = write!(s, " burst {burst} packets");
            }
        }
        self.push(s);
    }

    fn reject(&mut self, d: Named) {
        let ty = nu32(d, "type").unwrap_or(0);
        let code = d.u8("icmp-code").unwrap_or(0);
        let s = match ty {
            1 => "reject with tcp reset".to_string(),
            2 => match code {
                1 => "reject".to_string(),
                c => {
                    let n = match c {
                        0 => "no-route",
                        2 => "host-unreachable",
                        3 => "admin-prohibited",
                        _ => "?",
                    };
                    format!("reject with icmpx {n}")
                }
            },
            _ => {
                let v6 = self.family == 10;
                let default = if v6 { 4 } else { 3 };
                if code == default {
                    "reject".to_string()
                } else if v6 {
                    let n = match code {
                        0 => "no-route",
                        1 => "admin-prohibited",
                        3 => "addr-unreachable",
                        5 => "policy-fail",
                        6 => "reject-route",
                        _ => "?",
                    };
                    format!("reject with icmpv6 {n}")
                } else {
                    let n = match code {
                        0 => "net-unreachable",
                        1 => "host-unreachable",
                        2 => "prot-unreachable",
                        9 => "net-prohibited",
                        10 => "host-prohibited",
                        13 => "admin-prohibited",
                        _ => "?",
                    };
                    format!("reject with icmp {n}")
                }
            }
        };
        self.push(s);
    }
}

/// The sub-message attribute set of expression `name` in the message's spec.
fn sub_message_set_of(v: &MessageView, name: &str) -> Option<String> {
    let spec = v.spec()?;
    sub_message_set(spec, "expr-ops", name)
}

/// NF_NAT_RANGE_* flags nft prints after a nat statement.
fn push_nat_flags(s: &mut String, f: u32) {
    let mut names = Vec::new();
    if f & 0x4 != 0 {
        names.push("random");
    }
    if f & 0x10 != 0 {
        names.push("fully-random");
    }
    if f & 0x8 != 0 {
        names.push("persistent");
    }
    if !names.is_empty() {
        s.push(' ');
        s.push_str(&names.join(","));
    }
}

/// A byte count as nft prints it (`10 mbytes`).
fn push_bytes(s: &mut String, b: u64) {
    let (mut v, mut unit) = (b, "bytes");
    for next in ["kbytes", "mbytes"] {
        if v >= 1024 && v % 1024 == 0 {
            v /= 1024;
            unit = next;
        }
    }
    let _ = write!(s, "{v} {unit}");
}

/// NFT_META_* keys: nft's name and the datatype of their values.
fn meta_key(k: u32) -> (&'static str, u32) {
    match k {
        0 => ("length", T_INTEGER),
        1 => ("protocol", T_ETHERTYPE),
        2 => ("priority", T_INTEGER),
        3 => ("mark", T_MARK),
        4 => ("iif", T_IFINDEX),
        5 => ("oif", T_IFINDEX),
        6 => ("iifname", T_IFNAME),
        7 => ("oifname", T_IFNAME),
        8 => ("iiftype", T_ARPHRD),
        9 => ("oiftype", T_ARPHRD),
        10 => ("skuid", T_UID),
        11 => ("skgid", T_GID),
        12 => ("nftrace", T_INTEGER),
        13 => ("rtclassid", T_INTEGER),
        14 => ("secmark", T_INTEGER),
        15 => ("nfproto", T_NFPROTO),
        16 => ("l4proto", T_INETPROTO),
        17 => ("ibrname", T_IFNAME),
        18 => ("obrname", T_IFNAME),
        19 => ("pkttype", T_PKTTYPE),
        20 => ("cpu", T_INTEGER),
        21 => ("iifgroup", T_INTEGER),
        22 => ("oifgroup", T_INTEGER),
        23 => ("cgroup", T_INTEGER),
        24 => ("random", T_INTEGER),
        25 => ("secpath", T_INTEGER),
        26 => ("iifkind", T_IFNAME),
        27 => ("oifkind", T_IFNAME),
        28 => ("ibrpvid", T_INTEGER),
        29 => ("ibrvproto", T_ETHERTYPE),
        30 => ("time", T_INTEGER),
        31 => ("day", T_INTEGER),
        32 => ("hour", T_INTEGER),
        33 => ("sdif", T_IFINDEX),
        34 => ("sdifname", T_IFNAME),
        35 => ("broute", T_INTEGER),
        _ => ("?", T_INTEGER),
    }
}

/// NFT_CT_* keys: nft's name and the datatype of their values.
fn ct_key(k: u32) -> (&'static str, u32) {
    match k {
        0 => ("state", T_CT_STATE),
        1 => ("direction", T_CT_DIR),
        2 => ("status", T_CT_STATUS),
        3 => ("mark", T_MARK),
        4 => ("secmark", T_INTEGER),
        5 => ("expiration", T_INTEGER),
        6 => ("helper", T_STRING),
        7 => ("l3proto", T_NFPROTO),
        8 => ("saddr", T_IPADDR),
        9 => ("daddr", T_IPADDR),
        10 => ("protocol", T_INETPROTO),
        11 => ("proto-src", T_INETSERVICE),
        12 => ("proto-dst", T_INETSERVICE),
        13 => ("label", T_INTEGER),
        14 => ("packets", T_INTEGER),
        15 => ("bytes", T_INTEGER),
        16 => ("avgpkt", T_INTEGER),
        17 => ("zone", T_INTEGER),
        18 => ("event", T_INTEGER),
        19 => ("ip saddr", T_IPADDR),
        20 => ("ip daddr", T_IPADDR),
        21 => ("ip6 saddr", T_IP6ADDR),
        22 => ("ip6 daddr", T_IP6ADDR),
        23 => ("id", T_INTEGER),
        _ => ("?", T_INTEGER),
    }
}

#[cfg(test)]
pub(super) mod tests {
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

    pub(in crate::dissect::families) fn enc(
        spec: &Spec,
        set: &str,
        attrs: &[A],
        out: &mut Vec<u8>,
    ) {
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
                                        vec![Nest(
                                            "verdict",
                                            "verdict-attrs",
                                            vec![U32("code", 0)],
                                        )],
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
                            .map(|p| {
                                Nest("key", "setelem-attrs", vec![val("key", &p.to_be_bytes())])
                            })
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
            [
                "NFT_MSG_NEWRULE rule ip t c ct state != established tcp flags & (syn | ack) == syn drop"
            ]
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
}
