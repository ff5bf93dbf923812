//! YNL YAML -> [`Spec`]. Lenient about what the engine does not use (docs, checks, C-codegen
//! hints), strict about what it does: a wrong shape is an error naming where it is.

use std::collections::HashMap;

use serde_norway::Value as Y;

use super::model::*;
use check::check_refs;

mod check;
#[cfg(test)]
mod tests;

/// A spec file that could not be loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct SpecError {
    /// Which file (or embedded name).
    pub source: String,
    /// What is wrong, with the path inside the document.
    pub message: String,
}

impl std::fmt::Display for SpecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.source, self.message)
    }
}

impl std::error::Error for SpecError {}

/// Largest spec file we read; the kernel's biggest is well under 200 KB.
pub const MAX_SPEC_BYTES: usize = 4 << 20;

type R<T> = Result<T, String>;

fn get<'a>(y: &'a Y, key: &str) -> Option<&'a Y> {
    y.as_mapping()
        .and_then(|m| m.get(key))
        .filter(|v| !v.is_null())
}

fn get_str<'a>(y: &'a Y, key: &str, ctx: &str) -> R<Option<&'a str>> {
    match get(y, key) {
        None => Ok(None),
        Some(Y::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(format!("{ctx}: '{key}' must be a string")),
    }
}

fn req_str<'a>(y: &'a Y, key: &str, ctx: &str) -> R<&'a str> {
    get_str(y, key, ctx)?.ok_or_else(|| format!("{ctx}: missing '{key}'"))
}

fn get_int(y: &Y, key: &str, ctx: &str) -> R<Option<i64>> {
    match get(y, key) {
        None => Ok(None),
        Some(v) => int_of(v)
            .map(Some)
            .ok_or_else(|| format!("{ctx}: '{key}' must be an integer")),
    }
}

fn int_of(v: &Y) -> Option<i64> {
    match v {
        Y::Number(n) => n.as_i64().or_else(|| n.as_u64().map(|u| u as i64)),
        Y::String(s) => {
            let s = s.trim();
            if let Some(h) = s.strip_prefix("0x") {
                i64::from_str_radix(h, 16).ok()
            } else {
                s.parse().ok()
            }
        }
        _ => None,
    }
}

fn get_bool(y: &Y, key: &str) -> bool {
    matches!(get(y, key), Some(Y::Bool(true)))
}

fn seq<'a>(y: Option<&'a Y>, ctx: &str) -> R<&'a [Y]> {
    match y {
        None => Ok(&[]),
        Some(Y::Sequence(s)) => Ok(s.as_slice()),
        Some(_) => Err(format!("{ctx}: expected a list")),
    }
}

/// `ifla-` + `ifname` -> `IFLA_IFNAME`.
pub fn c_name(prefix: &str, name: &str) -> String {
    let mut s = String::with_capacity(prefix.len() + name.len());
    for ch in prefix.chars().chain(name.chars()) {
        s.push(match ch {
            '-' => '_',
            c => c.to_ascii_uppercase(),
        });
    }
    s
}

/// Parse and compile one YNL document.
pub fn load_spec(text: &str, source: SpecSource) -> Result<Spec, SpecError> {
    let src = source.to_string();
    let err = |message: String| SpecError {
        source: src.clone(),
        message,
    };
    if text.len() > MAX_SPEC_BYTES {
        return Err(err(format!(
            "file is {} bytes, more than the {MAX_SPEC_BYTES} a spec may have",
            text.len()
        )));
    }
    let doc: Y = serde_norway::from_str(text).map_err(|e| err(format!("YAML: {e}")))?;
    compile(&doc, source).map_err(err)
}

fn compile(doc: &Y, source: SpecSource) -> R<Spec> {
    if doc.as_mapping().is_none() {
        return Err("not a YNL spec (top level is not a mapping)".into());
    }
    let name = req_str(doc, "name", "top level")?.to_string();
    let protocol = match get_str(doc, "protocol", "top level")?.unwrap_or("genetlink") {
        "genetlink" | "genetlink-c" | "genetlink-legacy" => Protocol::Genetlink,
        "netlink-raw" => Protocol::NetlinkRaw,
        other => return Err(format!("unknown protocol '{other}'")),
    };
    let protonum = match get_int(doc, "protonum", "top level")? {
        Some(n) if (0..=31).contains(&n) => Some(n as u32),
        Some(n) => return Err(format!("protonum {n} is outside 0..=31")),
        None => None,
    };

    let mut consts: HashMap<String, i64> = HashMap::new();
    let mut enums = HashMap::new();
    let mut raw_structs = Vec::new();
    for (i, d) in seq(get(doc, "definitions"), "definitions")?
        .iter()
        .enumerate()
    {
        let ctx = format!("definitions[{i}]");
        let dname = req_str(d, "name", &ctx)?;
        let ctx = format!("definition '{dname}'");
        match req_str(d, "type", &ctx)? {
            "const" => {
                if let Some(v) = get(d, "value").and_then(int_of) {
                    consts.insert(dname.to_string(), v);
                    // References may use the prefixed name (`wg-` + `key-len`).
                    if let Some(p) = get_str(d, "name-prefix", &ctx)? {
                        consts.insert(format!("{p}{dname}"), v);
                    }
                }
            }
            t @ ("enum" | "flags") => {
                let e = compile_enum(&name, dname, t == "flags", d, &ctx)?;
                enums.insert(dname.to_string(), e);
            }
            "struct" => raw_structs.push((dname, d)),
            _ => {} // unions and future types: not used by the engine
        }
    }
    let mut structs = HashMap::new();
    for (sname, d) in raw_structs {
        let ctx = format!("struct '{sname}'");
        let mut members = Vec::new();
        for (i, m) in seq(get(d, "members"), &ctx)?.iter().enumerate() {
            members.push(compile_member(m, &consts, &format!("{ctx} members[{i}]"))?);
        }
        structs.insert(
            sname.to_string(),
            StructDef {
                name: sname.to_string(),
                members,
                size: 0,
            },
        );
    }

    // Attribute sets: full sets first, then subsets (which take values from their parent).
    let mut sets: HashMap<String, AttrSet> = HashMap::new();
    let raw_sets = seq(get(doc, "attribute-sets"), "attribute-sets")?;
    let mut subsets = Vec::new();
    for (i, s) in raw_sets.iter().enumerate() {
        let ctx = format!("attribute-sets[{i}]");
        let sname = req_str(s, "name", &ctx)?;
        let ctx = format!("attribute-set '{sname}'");
        if get(s, "subset-of").is_some() {
            subsets.push((sname, s, ctx));
            continue;
        }
        let prefix = match get_str(s, "name-prefix", &ctx)? {
            Some(p) => p.to_string(),
            None => format!("{name}-a-{sname}-"),
        };
        let mut set = AttrSet {
            name: sname.to_string(),
            ..Default::default()
        };
        let mut val: i64 = 1;
        for (j, a) in seq(get(s, "attributes"), &ctx)?.iter().enumerate() {
            let actx = format!("{ctx} attributes[{j}]");
            if let Some(v) = get_int(a, "value", &actx)? {
                val = v;
            }
            let attr = compile_attr(a, None, val, &prefix, &consts, &actx)?;
            push_attr(&mut set, attr);
            val += 1;
        }
        sets.insert(sname.to_string(), set);
    }
    for (sname, s, ctx) in subsets {
        let parent_name = req_str(s, "subset-of", &ctx)?;
        let parent = sets
            .get(parent_name)
            .cloned()
            .ok_or_else(|| format!("{ctx}: subset-of unknown set '{parent_name}'"))?;
        let mut set = AttrSet {
            name: sname.to_string(),
            ..Default::default()
        };
        for (j, a) in seq(get(s, "attributes"), &ctx)?.iter().enumerate() {
            let actx = format!("{ctx} attributes[{j}]");
            let aname = req_str(a, "name", &actx)?;
            let base = parent
                .by_name(aname)
                .ok_or_else(|| format!("{actx}: '{aname}' is not in '{parent_name}'"))?;
            let prefix = base.cname.strip_suffix(&c_name("", aname)).unwrap_or("");
            let attr = compile_attr(a, Some(base), i64::from(base.value), prefix, &consts, &actx)?;
            push_attr(&mut set, attr);
        }
        sets.insert(sname.to_string(), set);
    }

    let mut sub_messages = HashMap::new();
    for (i, s) in seq(get(doc, "sub-messages"), "sub-messages")?
        .iter()
        .enumerate()
    {
        let ctx = format!("sub-messages[{i}]");
        let sname = req_str(s, "name", &ctx)?;
        let mut formats = Vec::new();
        for (j, f) in seq(get(s, "formats"), &ctx)?.iter().enumerate() {
            let fctx = format!("sub-message '{sname}' formats[{j}]");
            let value = match get(f, "value") {
                Some(Y::String(s)) => s.clone(),
                Some(v) => int_of(v)
                    .map(|n| n.to_string())
                    .ok_or_else(|| format!("{fctx}: bad 'value'"))?,
                None => return Err(format!("{fctx}: missing 'value'")),
            };
            let mut ops = Vec::new();
            for (k, o) in seq(get(f, "nlscope-ops"), &fctx)?.iter().enumerate() {
                let o = o
                    .as_str()
                    .ok_or_else(|| format!("{fctx}: nlscope-ops[{k}] must be an op name"))?;
                ops.push(o.to_string());
            }
            formats.push(SubFormat {
                value,
                attribute_set: get_str(f, "attribute-set", &fctx)?.map(str::to_string),
                fixed_header: get_str(f, "fixed-header", &fctx)?.map(str::to_string),
                ops,
            });
        }
        sub_messages.insert(
            sname.to_string(),
            SubMessage {
                name: sname.to_string(),
                formats,
            },
        );
    }

    // Sizes after all structs and sub-messages (union arms) are known; nesting is bounded so a
    // cycle cannot loop forever.
    let mut names: Vec<String> = structs.keys().cloned().collect();
    names.sort();
    for n in &names {
        let unions: Vec<(usize, usize)> = structs
            .get(n)
            .map(|s| {
                s.members
                    .iter()
                    .enumerate()
                    .filter_map(|(i, m)| match &m.kind {
                        MemberKind::Union { .. } => {
                            Some((i, member_size(&structs, &sub_messages, m, 0)))
                        }
                        _ => None,
                    })
                    .map(|(i, sz)| sz.map(|sz| (i, sz)))
                    .collect::<Option<Vec<_>>>()
            })
            .unwrap_or(Some(Vec::new()))
            .ok_or_else(|| too_deep(n))?;
        if let Some(s) = structs.get_mut(n) {
            for (i, sz) in unions {
                if let Some(MemberKind::Union { len, .. }) =
                    s.members.get_mut(i).map(|m| &mut m.kind)
                {
                    *len = sz;
                }
            }
        }
    }
    for n in &names {
        let size = struct_size(&structs, &sub_messages, n, 0).ok_or_else(|| too_deep(n))?;
        if let Some(s) = structs.get_mut(n) {
            s.size = size;
        }
    }

    let (mut ops, fixed_header) = match get(doc, "operations") {
        Some(o) => compile_ops(&name, protocol, o)?,
        None => (Vec::new(), None),
    };
    // nfnetlink: a subsystem's message types are (subsystem << 8) | message, while the uapi
    // numbers the messages alone (NFT_MSG_NEWTABLE = 0 is type 0xa00).
    let subsys = match get_int(doc, "nlscope-subsys", "top level")? {
        None => None,
        Some(n) => match u8::try_from(n) {
            Ok(n) if protocol == Protocol::NetlinkRaw => Some(n),
            _ => {
                return Err("'nlscope-subsys' must be 0 to 255, in a netlink-raw spec".to_string());
            }
        },
    };
    if let Some(n) = subsys {
        for op in &mut ops {
            for v in op
                .request_values
                .iter_mut()
                .chain(op.reply_values.iter_mut())
            {
                if *v > 0xff {
                    return Err(format!(
                        "operation '{}': message {v} does not fit beside subsystem {n} (0 to 255)",
                        op.name
                    ));
                }
                *v |= u16::from(n) << 8;
            }
        }
    }
    let directional = get(doc, "operations")
        .and_then(|o| get_str(o, "enum-model", "operations").ok().flatten())
        == Some("directional");
    let reply_suffix = match get(doc, "operations") {
        Some(o) => get_str(o, "nlscope-reply-suffix", "operations")?.map(str::to_string),
        None => None,
    };

    let mut mcast_groups = Vec::new();
    if let Some(m) = get(doc, "mcast-groups") {
        for (i, g) in seq(get(m, "list"), "mcast-groups")?.iter().enumerate() {
            let ctx = format!("mcast-groups[{i}]");
            mcast_groups.push(McastGroup {
                name: req_str(g, "name", &ctx)?.to_string(),
                value: get_int(g, "value", &ctx)?.and_then(|v| u32::try_from(v).ok()),
            });
        }
    }

    let spec = Spec {
        name,
        source,
        protocol,
        protonum,
        enums,
        structs,
        sets,
        sub_messages,
        ops,
        fixed_header,
        directional,
        mcast_groups,
        uapi_header: get_str(doc, "uapi-header", "top level")?.map(str::to_string),
        reply_suffix,
        subsys,
        attrs_big_endian: match get_str(doc, "nlscope-attr-byte-order", "top level")? {
            None | Some("host") => false,
            Some("big-endian") => true,
            Some(o) => {
                return Err(format!(
                    "'nlscope-attr-byte-order' is big-endian or host, not '{o}'"
                ));
            }
        },
    };
    check_refs(&spec)?;
    Ok(spec)
}

fn push_attr(set: &mut AttrSet, attr: Attr) {
    set.by_value.entry(attr.value).or_insert(set.attrs.len());
    set.attrs.push(attr);
}

fn too_deep(n: &str) -> String {
    format!("struct '{n}' nests structs more than 8 deep (or refers to itself)")
}

/// Size of struct `name`; None when structs nest more than 8 deep (a cycle).
fn struct_size(
    structs: &HashMap<String, StructDef>,
    subs: &HashMap<String, SubMessage>,
    name: &str,
    depth: u32,
) -> Option<usize> {
    if depth > 8 {
        return None;
    }
    let s = structs.get(name)?;
    let mut total = 0usize;
    for m in &s.members {
        total = total.checked_add(member_size(structs, subs, m, depth)?)?;
    }
    Some(total)
}

/// Size of member `m` of a struct at nesting `depth`: nested structs and union arms measured.
fn member_size(
    structs: &HashMap<String, StructDef>,
    subs: &HashMap<String, SubMessage>,
    m: &Member,
    depth: u32,
) -> Option<usize> {
    match &m.kind {
        MemberKind::Binary {
            len: 0,
            structure: Some(inner),
        } => struct_size(structs, subs, inner, depth + 1),
        MemberKind::Union { sub_message, .. } => {
            let mut max = 0usize;
            for f in subs.get(sub_message).map_or(&[][..], |s| &s.formats) {
                if let Some(h) = &f.fixed_header {
                    max = max.max(struct_size(structs, subs, h, depth + 1)?);
                }
            }
            Some(max)
        }
        _ => Some(m.size(structs)),
    }
}

fn compile_enum(family: &str, ename: &str, is_flags: bool, d: &Y, ctx: &str) -> R<EnumDef> {
    let prefix = match get_str(d, "name-prefix", ctx)? {
        Some(p) => p.to_string(),
        None => format!("{family}-{ename}-"),
    };
    let start = get_int(d, "value-start", ctx)?.unwrap_or(0);
    let mut entries = Vec::new();
    let mut names = Vec::new();
    let mut next = start;
    for (i, e) in seq(get(d, "entries"), ctx)?.iter().enumerate() {
        let (ename, v) = match e {
            Y::String(s) => (s.as_str(), None),
            Y::Mapping(_) => (
                req_str(e, "name", &format!("{ctx} entries[{i}]"))?,
                get_int(e, "value", &format!("{ctx} entries[{i}]"))?,
            ),
            _ => return Err(format!("{ctx} entries[{i}]: expected a name or a mapping")),
        };
        let v = v.unwrap_or(next);
        next = v.saturating_add(1);
        let user = if is_flags {
            if !(0..64).contains(&v) {
                return Err(format!("{ctx}: flag '{ename}' has bit {v}, outside 0..64"));
            }
            (1u64 << v) as i64
        } else {
            v
        };
        entries.push((user, c_name(&prefix, ename)));
        names.push(ename.to_string());
    }
    Ok(EnumDef {
        name: ename.to_string(),
        is_flags,
        entries,
        names,
        kernels: (
            kernel_version(d, "nlscope-since", ctx)?,
            kernel_version(d, "nlscope-until", ctx)?,
        ),
    })
}

/// A kernel version key (`"6.3"`) as (major, minor).
fn kernel_version(y: &Y, key: &str, ctx: &str) -> R<Option<(u32, u32)>> {
    let Some(v) = get_str(y, key, ctx)? else {
        return Ok(None);
    };
    let parsed = v
        .split_once('.')
        .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)));
    parsed.map(Some).ok_or_else(|| {
        format!("{ctx}: '{key}' must be a kernel version such as \"6.3\", not '{v}'")
    })
}

fn presentation(y: &Y, base: Option<&Presentation>, ctx: &str) -> R<Presentation> {
    let mut p = base.cloned().unwrap_or_default();
    if let Some(e) = get_str(y, "enum", ctx)? {
        p.enumeration = Some(e.to_string());
    }
    if get(y, "enum-as-flags").is_some() {
        p.as_flags = get_bool(y, "enum-as-flags");
    }
    if let Some(h) = get_str(y, "display-hint", ctx)? {
        p.hint = Some(h.to_string());
    }
    if let Some(b) = get_str(y, "byte-order", ctx)? {
        p.big_endian = b == "big-endian";
    }
    match get(y, "nlscope-opaque") {
        None => {}
        Some(Y::Bool(b)) => p.opaque = *b,
        Some(_) => return Err(format!("{ctx}: 'nlscope-opaque' must be true or false")),
    }
    match get(y, "nlscope-secret") {
        None => {}
        Some(Y::Bool(b)) => p.secret = *b,
        Some(_) => return Err(format!("{ctx}: 'nlscope-secret' must be true or false")),
    }
    if let Some(u) = get_str(y, "nlscope-unit", ctx)? {
        if u.is_empty() || u.len() > 16 {
            return Err(format!("{ctx}: 'nlscope-unit' must be 1 to 16 characters"));
        }
        p.unit = Some(u.into());
    }
    if let Some(n) = get_int(y, "nlscope-scale", ctx)? {
        match u32::try_from(n) {
            Ok(n @ (1 | 10 | 100 | 1000 | 10_000 | 100_000 | 1_000_000)) if p.unit.is_some() => {
                p.scale = n;
            }
            _ => {
                return Err(format!(
                    "{ctx}: 'nlscope-scale' must be a power of ten up to 1000000, with nlscope-unit"
                ));
            }
        }
    }
    Ok(p)
}

fn len_of(y: &Y, key: &str, consts: &HashMap<String, i64>, ctx: &str) -> R<Option<usize>> {
    let v = match get(y, key) {
        None => return Ok(None),
        Some(Y::String(s)) if int_of(&Y::String(s.clone())).is_none() => consts
            .get(s.as_str())
            .copied()
            .ok_or_else(|| format!("{ctx}: '{key}' names unknown constant '{s}'"))?,
        Some(v) => int_of(v).ok_or_else(|| format!("{ctx}: '{key}' must be a length"))?,
    };
    usize::try_from(v)
        .ok()
        .filter(|n| *n <= 65535)
        .map(Some)
        .ok_or_else(|| format!("{ctx}: '{key}' {v} is not a length in 0..=65535"))
}

fn compile_member(m: &Y, consts: &HashMap<String, i64>, ctx: &str) -> R<Member> {
    let name = req_str(m, "name", ctx)?.to_string();
    let t = req_str(m, "type", ctx)?;
    let mut pres = presentation(m, None, ctx)?;
    let len = len_of(m, "len", consts, ctx)?;
    let kind = if let Some(s) = Scalar::parse(t) {
        MemberKind::Scalar(s)
    } else {
        match t {
            "pad" => MemberKind::Pad(len.unwrap_or(0)),
            "binary" => {
                let structure = get_str(m, "struct", ctx)?.map(str::to_string);
                // nlscope extensions: counted flexible arrays and selected unions.
                let count = get_str(m, "nlscope-count", ctx)?;
                let sub = get_str(m, "sub-message", ctx)?;
                match (structure, count, sub) {
                    (Some(st), Some(c), None) => MemberKind::Array {
                        structure: st,
                        count: c.to_string(),
                    },
                    (None, None, Some(sm)) => MemberKind::Union {
                        sub_message: sm.to_string(),
                        selector: req_str(m, "selector", ctx)?.to_string(),
                        len: 0,
                    },
                    (None, Some(_), _) => {
                        return Err(format!("{ctx}: 'nlscope-count' needs a 'struct'"));
                    }
                    (Some(_), _, Some(_)) => {
                        return Err(format!(
                            "{ctx}: a member is a struct or a sub-message, not both"
                        ));
                    }
                    (Some(st), None, None)
                        if get_str(m, "sub-type", ctx)? == Some("binary") && len.is_none() =>
                    {
                        MemberKind::Array {
                            structure: st,
                            count: String::new(),
                        }
                    }
                    (structure, None, None) => {
                        match get_str(m, "sub-type", ctx)?.and_then(Scalar::parse) {
                            Some(sc) if structure.is_none() && len.is_none() => {
                                MemberKind::Rest(sc)
                            }
                            Some(sc) if structure.is_none() => {
                                let n = len.unwrap_or(0);
                                match sc.width() {
                                    Some(w) if n % w == 0 => {
                                        MemberKind::Ints { scalar: sc, len: n }
                                    }
                                    _ => {
                                        return Err(format!(
                                            "{ctx}: 'len' {n} is not a multiple of the size of sub-type elements"
                                        ));
                                    }
                                }
                            }
                            _ => MemberKind::Binary {
                                len: len.unwrap_or(0),
                                structure,
                            },
                        }
                    }
                }
            }
            "string" => {
                pres.hint.get_or_insert_with(|| "string".into());
                MemberKind::Binary {
                    len: len.unwrap_or(0),
                    structure: None,
                }
            }
            other => return Err(format!("{ctx}: member type '{other}' is not supported")),
        }
    };
    if let MemberKind::Binary {
        len: 0,
        structure: None,
    } = kind
    {
        return Err(format!("{ctx}: binary member without 'len' or 'struct'"));
    }
    let since = get_str(m, "nlscope-since", ctx)?.map(str::to_string);
    Ok(Member {
        name,
        kind,
        pres,
        since,
    })
}

fn attr_type(t: &str, y: &Y, ctx: &str) -> R<AttrType> {
    Ok(if let Some(s) = Scalar::parse(t) {
        AttrType::Scalar(s)
    } else {
        match t {
            "string" => AttrType::String,
            "binary" => {
                let structure = get_str(y, "struct", ctx)?.map(str::to_string);
                // `sub-type: binary` + `struct`: a C array of that struct.
                let array = structure.is_some() && get_str(y, "sub-type", ctx)? == Some("binary");
                AttrType::Binary { structure, array }
            }
            "flag" => AttrType::Flag,
            "nest" => AttrType::Nest,
            "indexed-array" | "array-nest" => {
                let sub = get_str(y, "sub-type", ctx)?.unwrap_or("nest");
                let inner = if sub == "indexed-array" {
                    AttrType::Other(sub.to_string())
                } else {
                    attr_type(sub, y, ctx)?
                };
                AttrType::IndexedArray(Box::new(inner))
            }
            "nest-type-value" => {
                let levels = match get(y, "type-value") {
                    Some(Y::Sequence(s)) => s
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect(),
                    _ => Vec::new(),
                };
                AttrType::NestTypeValue(levels)
            }
            "sub-message" => AttrType::SubMessage {
                name: req_str(y, "sub-message", ctx)?.to_string(),
                selector: req_str(y, "selector", ctx)?.to_string(),
            },
            "bitfield32" => AttrType::Bitfield32,
            "pad" => AttrType::Pad,
            "unused" => AttrType::Unused,
            other => AttrType::Other(other.to_string()),
        }
    })
}

fn compile_attr(
    a: &Y,
    base: Option<&Attr>,
    value: i64,
    prefix: &str,
    consts: &HashMap<String, i64>,
    ctx: &str,
) -> R<Attr> {
    let name = req_str(a, "name", ctx)?.to_string();
    let value = u16::try_from(value & 0x3fff)
        .ok()
        .filter(|_| (0..=0x3fff).contains(&value))
        .ok_or_else(|| format!("{ctx}: attribute value {value} is outside 0..=16383"))?;
    let ty = match (get_str(a, "type", ctx)?, base) {
        (Some(t), _) => attr_type(t, a, ctx)?,
        (None, Some(b)) => b.ty.clone(),
        (None, None) => return Err(format!("{ctx}: missing 'type'")),
    };
    let nested = get_str(a, "nested-attributes", ctx)?
        .map(str::to_string)
        .or_else(|| base.and_then(|b| b.nested.clone()));
    let pres = presentation(a, base.map(|b| &b.pres), ctx)?;
    let mut exact_len = base.and_then(|b| b.exact_len);
    if let Some(c) = get(a, "checks")
        && let Some(n) = len_of(c, "exact-len", consts, ctx)?
    {
        exact_len = Some(n);
    }
    if let Some(n) = len_of(a, "len", consts, ctx)? {
        exact_len = Some(n);
    }
    let fixed_header = get_str(a, "fixed-header", ctx)?
        .map(str::to_string)
        .or_else(|| base.and_then(|b| b.fixed_header.clone()));
    let ints = match int_array(a, &ty, ctx)? {
        Some(i) => Some(i),
        None => base.and_then(|b| b.ints.clone()),
    };
    let record_len = match get_str(a, "nlscope-record-len", ctx)? {
        Some(m) if matches!(ty, AttrType::Binary { array: true, .. }) => Some(m.to_string()),
        Some(_) => {
            return Err(format!(
                "{ctx}: 'nlscope-record-len' needs type binary with sub-type binary and a struct"
            ));
        }
        None => base.and_then(|b| b.record_len.clone()),
    };
    let decode = match get(a, "nlscope-decode") {
        None => base.and_then(|b| b.decode),
        Some(Y::String(d)) => {
            let dec = crate::dissect::decode::Decoder::by_name(d).ok_or_else(|| {
                format!(
                    "{ctx}: unknown 'nlscope-decode' decoder '{d}' (known: {})",
                    crate::dissect::decode::Decoder::known()
                )
            })?;
            let plain = |t: &AttrType| {
                matches!(
                    t,
                    AttrType::Binary {
                        structure: None,
                        ..
                    }
                )
            };
            // A binary payload, or each element of an indexed array of them.
            let fits = match &ty {
                AttrType::IndexedArray(sub) => plain(sub),
                t => plain(t),
            };
            if !fits || ints.is_some() {
                return Err(format!(
                    "{ctx}: 'nlscope-decode' needs type binary (or an indexed-array of binary) without struct or integer sub-type"
                ));
            }
            Some(dec)
        }
        Some(_) => return Err(format!("{ctx}: 'nlscope-decode' must be a decoder name")),
    };
    Ok(Attr {
        cname: c_name(prefix, &name),
        name,
        value,
        ty,
        nested,
        pres,
        ints,
        record_len,
        exact_len,
        fixed_header,
        decode,
    })
}

/// A binary attribute's integer `sub-type` and the nlscope keys naming its elements.
fn int_array(a: &Y, ty: &AttrType, ctx: &str) -> R<Option<IntArray>> {
    let index = get_str(a, "nlscope-index", ctx)?;
    let start = get_int(a, "nlscope-index-start", ctx)?;
    let sub = get_str(a, "sub-type", ctx)?.and_then(Scalar::parse);
    let plain = matches!(
        ty,
        AttrType::Binary {
            structure: None,
            ..
        }
    );
    match sub.filter(|s| plain && s.width().is_some()) {
        Some(scalar) => Ok(Some(IntArray {
            scalar,
            index: index.map(str::to_string),
            index_start: start.unwrap_or(0),
            index_by_count: index_by_count(a, ctx)?,
            bitmap: match get_str(a, "nlscope-bitmap", ctx)? {
                Some(_) if scalar != Scalar::U(1) => {
                    return Err(format!("{ctx}: 'nlscope-bitmap' needs sub-type u8"));
                }
                b => b.map(str::to_string),
            },
        })),
        None if index.is_some()
            || start.is_some()
            || get(a, "nlscope-bitmap").is_some()
            || get(a, "nlscope-index-by-count").is_some() =>
        {
            Err(format!(
                "{ctx}: 'nlscope-index' needs type binary with a fixed-width integer sub-type"
            ))
        }
        None => Ok(None),
    }
}

/// `nlscope-index-by-count: {37: ipstats-mib-6-1}`: element counts whose names come from
/// another enum (a kernel that numbered the elements differently).
fn index_by_count(a: &Y, ctx: &str) -> R<Vec<(usize, String)>> {
    let Some(m) = get(a, "nlscope-index-by-count") else {
        return Ok(Vec::new());
    };
    let Some(m) = m.as_mapping() else {
        return Err(format!(
            "{ctx}: 'nlscope-index-by-count' must map element counts to enums"
        ));
    };
    m.iter()
        .map(|(k, v)| {
            let n = int_of(k).and_then(|n| usize::try_from(n).ok());
            match (n, v.as_str()) {
                (Some(n), Some(e)) => Ok((n, e.to_string())),
                _ => Err(format!(
                    "{ctx}: 'nlscope-index-by-count' entries are COUNT: ENUM"
                )),
            }
        })
        .collect()
}

fn msg_value(mode: Option<&Y>, dir: &str, ctx: &str) -> R<Option<u16>> {
    let Some(m) = mode.and_then(|m| get(m, dir)) else {
        return Ok(None);
    };
    match get_int(m, "value", ctx)? {
        None => Ok(None),
        Some(v) => u16::try_from(v)
            .map(Some)
            .map_err(|_| format!("{ctx}: {dir} value {v} is outside 0..=65535")),
    }
}

fn compile_ops(family: &str, proto: Protocol, o: &Y) -> R<(Vec<Op>, Option<String>)> {
    let ctx = "operations";
    let fixed = get_str(o, "fixed-header", ctx)?.map(str::to_string);
    let prefix = match get_str(o, "name-prefix", ctx)? {
        Some(p) => p.to_string(),
        None => format!("{family}-cmd-"),
    };
    let directional = get_str(o, "enum-model", ctx)? == Some("directional");
    let start = get_int(o, "value-start", ctx)?.unwrap_or(1);
    let mut ops = Vec::new();
    let mut next = start;
    let (mut req_next, mut rsp_next) = (1i64, 1i64);
    let mut notify_of: Vec<Option<String>> = Vec::new();
    for (i, op) in seq(get(o, "list"), ctx)?.iter().enumerate() {
        let octx = format!("operations.list[{i}]");
        let name = req_str(op, "name", &octx)?.to_string();
        let octx = format!("operation '{name}'");
        let attribute_set = get_str(op, "attribute-set", &octx)?.map(str::to_string);
        let fixed_header = get_str(op, "fixed-header", &octx)?.map(str::to_string);
        let mut request_values = Vec::new();
        let mut reply_values = Vec::new();
        let explicit = get_int(op, "value", &octx)?;
        let is_event = get(op, "notify").is_some() || get(op, "event").is_some();
        if directional {
            // Implicit ids count separately per direction, as the kernel's YNL library does:
            // a do/dump op takes the next request id and, if it has a reply, the next reply id;
            // a notify/event op takes only the next reply id. Explicit values reset a counter.
            if is_event {
                if let Some(v) = explicit {
                    rsp_next = v;
                }
                if let Ok(v) = u16::try_from(rsp_next) {
                    reply_values.push(v);
                }
                rsp_next = rsp_next.saturating_add(1);
            } else {
                let mode = get(op, "do").or_else(|| get(op, "dump"));
                for m in ["do", "dump"] {
                    let md = get(op, m);
                    if let Some(v) = msg_value(md, "request", &octx)? {
                        request_values.push(v);
                    }
                    if let Some(v) = msg_value(md, "reply", &octx)? {
                        reply_values.push(v);
                    }
                }
                if let Some(v) = msg_value(mode, "request", &octx)? {
                    req_next = i64::from(v);
                }
                if let Some(v) = msg_value(mode, "reply", &octx)? {
                    rsp_next = i64::from(v);
                }
                if mode.is_some() {
                    if request_values.is_empty()
                        && let Ok(v) = u16::try_from(req_next)
                    {
                        request_values.push(v);
                    }
                    req_next = req_next.saturating_add(1);
                    if mode.and_then(|m| get(m, "reply")).is_some() {
                        if reply_values.is_empty()
                            && let Ok(v) = u16::try_from(rsp_next)
                        {
                            reply_values.push(v);
                        }
                        rsp_next = rsp_next.saturating_add(1);
                    }
                } else if let Some(v) = explicit.and_then(|v| u16::try_from(v).ok()) {
                    reply_values.push(v);
                }
            }
        } else {
            let v = explicit.unwrap_or(next);
            next = v.saturating_add(1);
            let v = u16::try_from(v).map_err(|_| format!("{octx}: value {v} out of range"))?;
            if is_event {
                reply_values.push(v);
            } else {
                request_values.push(v);
                reply_values.push(v);
            }
        }
        request_values.dedup();
        reply_values.sort_unstable();
        reply_values.dedup();
        let _ = proto;
        notify_of.push(get_str(op, "notify", &octx)?.map(str::to_string));
        ops.push(Op {
            cname: c_name(&prefix, &name),
            name,
            attribute_set,
            fixed_header,
            request_values,
            reply_values,
            event: is_event,
        });
    }
    // A notify op borrows the attribute set (and fixed header) of the op it mirrors, which may
    // come later in the list.
    for (i, target) in notify_of.iter().enumerate() {
        let Some(t) = target else { continue };
        let src = ops
            .iter()
            .find(|o| &o.name == t)
            .map(|o| (o.attribute_set.clone(), o.fixed_header.clone()));
        if let (Some((set, hdr)), Some(op)) = (src, ops.get_mut(i)) {
            if op.attribute_set.is_none() {
                op.attribute_set = set;
            }
            if op.fixed_header.is_none() {
                op.fixed_header = hdr;
            }
        }
    }
    Ok((ops, fixed))
}
