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

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::Ipv6Addr;

use super::text::{dump, push_dev, push_str};
use super::{Family, Finish, Named, Payload, sub_message_set};
use crate::dissect::MessageView;
use crate::dissect::MsgIndex;
use crate::dissect::specs::SpecRegistry;
use crate::model::{Endian, Node, Value};
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
    /// nft's datatype id of a map's data (NFT_DATA_VERDICT for verdict maps, 0 for sets).
    pub data_type: u32,
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
                data_type,
            } => {
                if self.sets.len() >= MAX_SETS && !self.sets.contains_key(&id) {
                    return;
                }
                self.sets.insert(
                    id,
                    SetInfo {
                        key_type,
                        flags,
                        data_type,
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
    name_cow(b).into_owned()
}

/// [`name_of`], borrowed where the bytes are UTF-8 (summaries print names, they keep none).
fn name_cow(b: &[u8]) -> Cow<'_, str> {
    let s = b.split(|c| *c == 0).next().unwrap_or(&[]);
    let s = s.get(..s.len().min(MAX_NAME)).unwrap_or(&[]);
    String::from_utf8_lossy(s)
}

/// A set's name as learned: `__set%d` (not yet named by the kernel) gets its batch id.
fn set_key(name: impl Into<String> + AsRef<str>, id: Option<u32>) -> String {
    match id {
        Some(id) if name.as_ref().contains('%') => format!("{}#{id}", name.as_ref()),
        _ => name.into(),
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
/// A rule's loading expressions (payload, meta, ct) named in the tree by the field they read,
/// as nft would write it: `payload (ip saddr)`, `meta (meta l4proto)`.
fn name_loads(p: &Payload<'_>, nodes: &mut [Node]) {
    let Some(n) = p.view.named() else {
        return;
    };
    let Some(list) = n.nest("expressions") else {
        return;
    };
    let family = p.bytes().first().copied().unwrap_or(0);
    let loads = Rule::new(p.view, n, family).loads(list);
    let Some(exprs) = nodes.iter_mut().find(|x| x.field == "nftables.expressions") else {
        return;
    };
    for (elem, load) in exprs.children.iter_mut().zip(loads) {
        let Some(text) = load else {
            continue;
        };
        if let Some(data) = elem
            .children
            .iter_mut()
            .find(|c| c.field.ends_with(".data") && !c.children.is_empty())
        {
            data.display = format!("{} ({text})", data.display_text());
        }
    }
}

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

/// A string attribute as [`name_of`] reads it, borrowed where the bytes are UTF-8.
fn nstr<'a>(n: Named<'a>, name: &str) -> Option<Cow<'a, str>> {
    n.get(name).map(name_cow)
}

/// ` NAME` for each of the string attributes `attrs` present, in that order.
fn push_names<const N: usize>(out: &mut String, n: Named, attrs: [&str; N]) {
    for a in attrs {
        if let Some(t) = nstr(n, a) {
            out.push(' ');
            out.push_str(&t);
        }
    }
}

impl Family for Nftables {
    /// Set element keys typed by the set's key type when the capture showed the set
    /// (`192.0.2.128` rather than `c0000280`, port 22 rather than `0016`).
    fn finish_reads_values(&self) -> bool {
        true
    }

    fn finish(&self) -> Option<Finish> {
        Some(finish_tree)
    }

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
        // By prefix and suffix rather than `trim_*_matches`, whose string searcher costs more
        // to set up than these short names take to compare.
        let mut kind = op;
        for p in ["NEW", "GET", "DEL", "DESTROY"] {
            while let Some(k) = kind.strip_prefix(p) {
                kind = k;
            }
        }
        while let Some(k) = kind.strip_suffix("_RESET") {
            kind = k;
        }
        match kind {
            "TABLE" => {
                out.push_str(" table ");
                out.push_str(fam);
                push_names(out, n, ["name"]);
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
                out.push_str(" rule ");
                out.push_str(fam);
                push_names(out, n, ["table", "chain"]);
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
                for w in [" element ", fam, " ", &table, " ", &name] {
                    out.push_str(w);
                }
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
                push_names(out, n, ["table", "chain"]);
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
                for w in [" ", word, " ", fam] {
                    out.push_str(w);
                }
                push_names(out, n, ["table", "name"]);
                true
            }
            _ => false,
        }
    }

    /// A table, chain, rule, set or object (by message type group, NFT_MSG_NEW* / DEL*):
    /// family (struct nfgenmsg), table, and the chain's, set's or object's name or the rule's
    /// chain and handle.
    fn object_key(&self, v: &MessageView, key: &mut Vec<u8>) -> bool {
        let m = v.index();
        let msg = m.ty & 0xff;
        if m.direction != crate::model::Direction::FromKernel || msg >= 21 {
            return false;
        }
        key.push((msg / 3) as u8);
        super::key_header(v, 0..1, key);
        super::key_attrs(v, &["table", "name", "chain", "handle"], key);
        true
    }
}

/// [`Family::finish`].
fn finish_tree(p: &Payload<'_>, nodes: &mut [Node]) {
    // NFT_MSG_NEWRULE, DELRULE: each loading expression says what it loads.
    if matches!(p.m.ty & 0xff, 6 | 8) {
        return name_loads(p, nodes);
    }
    // NFT_MSG_NEWSETELEM, GETSETELEM, DELSETELEM, DESTROYSETELEM (low byte of the type).
    if !matches!(p.m.ty & 0xff, 12..=14 | 28) {
        return;
    }
    let family = p.bytes().first().copied().unwrap_or(0);
    let text = |f: &str| {
        nodes
            .iter()
            .find(|n| n.field == f)
            .and_then(|n| match &n.value {
                Value::Str(s) => Some(s.clone()),
                _ => None,
            })
    };
    let (Some(table), Some(name)) = (text("nftables.table"), text("nftables.set")) else {
        return;
    };
    let id = nodes
        .iter()
        .find(|n| n.field == "nftables.set-id")
        .and_then(|n| match n.value {
            Value::Uint(v) => u32::try_from(v).ok(),
            _ => None,
        });
    let Some(info) = p.view.nft_sets().get(family, &table, &set_key(name, id)) else {
        return;
    };
    // A map's data (not a verdict map's verdicts) is typed by its data type.
    let dt = info.data_type;
    let typed_data = info.flags & SET_MAP != 0 && dt != DATA_VERDICT && dt != 0;
    for n in nodes.iter_mut() {
        n.walk_mut(&mut |c| {
            let t = match c.field.as_ref() {
                "nftables.elements.key.value" => info.key_type,
                "nftables.elements.data.value" if typed_data => dt,
                _ => return,
            };
            let Value::Bytes(b) = &c.value else {
                return;
            };
            let mut shown = String::new();
            if t >> TYPE_BITS == 0 {
                push_value(p.view, &mut shown, t, b);
            } else {
                push_concat(p.view, &mut shown, t, b);
            }
            let typed = match (t, b.len()) {
                (T_IPADDR, 4) => <[u8; 4]>::try_from(b.as_slice()).ok().map(Value::Ipv4),
                (T_IP6ADDR, 16) => <[u8; 16]>::try_from(b.as_slice()).ok().map(Value::Ipv6),
                (T_INETSERVICE, 2) => Endian::Big.u16(b, 0).map(|v| Value::Uint(v.into())),
                _ => None,
            };
            if let Some(v) = typed {
                c.value = v;
            }
            c.display = shown;
            c.plain = false;
        });
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
    out.push_str(" chain ");
    out.push_str(family_name(family));
    push_names(out, n, ["table", "name"]);
    let Some(hook) = n.nest("hook") else {
        return;
    };
    out.push_str(" {");
    if let Some(t) = nstr(n, "type") {
        out.push_str(" type ");
        out.push_str(&t);
    }
    let hname = nu32(hook, "hooknum").and_then(|h| hook_name(family, h));
    match (hname, nu32(hook, "hooknum")) {
        (Some(h), _) => {
            out.push_str(" hook ");
            out.push_str(h);
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
    for w in [" ", word, " ", family_name(family)] {
        out.push_str(w);
    }
    push_names(out, n, ["table", "name"]);
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

mod loads;
mod rule;
mod stmts;
mod types;

use rule::*;
use stmts::*;
use types::*;

#[cfg(test)]
pub(super) mod tests;
