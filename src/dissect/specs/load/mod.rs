//! YNL YAML -> [`Spec`]. Lenient about what the engine does not use (docs, checks, C-codegen
//! hints), strict about what it does: a wrong shape is an error naming where it is.

use std::collections::HashMap;

use value::Y;

use super::model::*;
use check::check_refs;

mod check;
mod defs;
mod packed;
mod value;

use defs::*;
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

/// Where in a document something is, for an error message. Written only when an error is
/// reported: formatting one per attribute and enum entry was ~15% of loading the embedded
/// specs, which every command does at its start.
type Ctx<'a> = &'a dyn std::fmt::Display;

/// A context that `f` writes on demand.
struct Lazy<F>(F);

impl<F: Fn(&mut std::fmt::Formatter<'_>) -> std::fmt::Result> std::fmt::Display for Lazy<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (self.0)(f)
    }
}

/// A [`Lazy`] context (the bound lets closures infer their argument's type).
fn lazy<F: Fn(&mut std::fmt::Formatter<'_>) -> std::fmt::Result>(f: F) -> Lazy<F> {
    Lazy(f)
}

fn get<'a, 'd>(y: &'a Y<'d>, key: &str) -> Option<&'a Y<'d>> {
    y.as_mapping()
        .and_then(|m| m.get(key))
        .filter(|v| !v.is_null())
}

fn get_str<'a>(y: &'a Y, key: &str, ctx: Ctx<'_>) -> R<Option<&'a str>> {
    match get(y, key) {
        None => Ok(None),
        Some(Y::String(s)) => Ok(Some(s.as_ref())),
        Some(_) => Err(format!("{ctx}: '{key}' must be a string")),
    }
}

fn req_str<'a>(y: &'a Y, key: &str, ctx: Ctx<'_>) -> R<&'a str> {
    get_str(y, key, ctx)?.ok_or_else(|| format!("{ctx}: missing '{key}'"))
}

fn get_int(y: &Y, key: &str, ctx: Ctx<'_>) -> R<Option<i64>> {
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

fn seq<'a, 'd>(y: Option<&'a Y<'d>>, ctx: Ctx<'_>) -> R<&'a [Y<'d>]> {
    match y {
        None => Ok(&[]),
        Some(Y::Sequence(s)) => Ok(s.as_slice()),
        Some(_) => Err(format!("{ctx}: expected a list")),
    }
}

/// `ifla-` + `ifname` -> `IFLA_IFNAME`.
pub fn c_name(prefix: &str, name: &str) -> String {
    // In place over the bytes: pushing char by char cost ~750 instructions a name, and every
    // start makes 12,000. ASCII bytes become ASCII bytes, so the text stays UTF-8.
    let mut b = Vec::with_capacity(prefix.len() + name.len());
    b.extend_from_slice(prefix.as_bytes());
    b.extend_from_slice(name.as_bytes());
    for c in &mut b {
        *c = if *c == b'-' {
            b'_'
        } else {
            c.to_ascii_uppercase()
        };
    }
    String::from_utf8(b).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
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

/// [`load_spec`] of a spec build.rs packed (the embedded ones, see [`packed`]): the same
/// document, read without parsing text.
pub(in crate::dissect::specs) fn load_spec_packed(
    bytes: &[u8],
    source: SpecSource,
) -> Result<Spec, SpecError> {
    let err = |message: String| SpecError {
        source: source.to_string(),
        message,
    };
    let doc = Y::unpack(bytes).map_err(|e| err(format!("packed document: {e}")))?;
    compile(&doc, source.clone()).map_err(err)
}

fn compile(doc: &Y, source: SpecSource) -> R<Spec> {
    if doc.as_mapping().is_none() {
        return Err("not a YNL spec (top level is not a mapping)".into());
    }
    let name = req_str(doc, "name", &"top level")?.to_string();
    let protocol = match get_str(doc, "protocol", &"top level")?.unwrap_or("genetlink") {
        "genetlink" | "genetlink-c" | "genetlink-legacy" => Protocol::Genetlink,
        "netlink-raw" => Protocol::NetlinkRaw,
        other => return Err(format!("unknown protocol '{other}'")),
    };
    let protonum = match get_int(doc, "protonum", &"top level")? {
        Some(n) if (0..=31).contains(&n) => Some(n as u32),
        Some(n) => return Err(format!("protonum {n} is outside 0..=31")),
        None => None,
    };

    let mut consts: HashMap<String, i64> = HashMap::new();
    let mut enums = ByName::default();
    let mut raw_structs = Vec::new();
    for (i, d) in seq(get(doc, "definitions"), &"definitions")?
        .iter()
        .enumerate()
    {
        let ctx = lazy(|f| write!(f, "definitions[{i}]"));
        let dname = req_str(d, "name", &ctx)?;
        let ctx = lazy(|f| write!(f, "definition '{dname}'"));
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
    let mut structs = ByName::default();
    for (sname, d) in raw_structs {
        let ctx = lazy(|f| write!(f, "struct '{sname}'"));
        let mut members = Vec::new();
        for (i, m) in seq(get(d, "members"), &ctx)?.iter().enumerate() {
            members.push(compile_member(
                m,
                &consts,
                &lazy(|f| write!(f, "{ctx} members[{i}]")),
            )?);
        }
        structs.insert(
            sname.to_string(),
            StructDef::new(crate::model::intern(sname), members, 0),
        );
    }

    // Attribute sets: full sets first, then subsets (which take values from their parent).
    let mut sets: ByName<AttrSet> = ByName::default();
    let raw_sets = seq(get(doc, "attribute-sets"), &"attribute-sets")?;
    let mut subsets = Vec::new();
    for (i, s) in raw_sets.iter().enumerate() {
        let ctx = lazy(|f| write!(f, "attribute-sets[{i}]"));
        let sname = req_str(s, "name", &ctx)?;
        let ctx = lazy(move |f| write!(f, "attribute-set '{sname}'"));
        if get(s, "subset-of").is_some() {
            subsets.push((sname, s, ctx));
            continue;
        }
        let prefix = match get_str(s, "name-prefix", &ctx)? {
            Some(p) => p.to_string(),
            None => format!("{name}-a-{sname}-"),
        };
        let mut set = AttrSet::new(sname);
        let list = seq(get(s, "attributes"), &ctx)?;
        // Room for all: an Attr is big, and growing the vector moved them.
        set.attrs.reserve_exact(list.len());
        let mut val: i64 = 1;
        for (j, a) in list.iter().enumerate() {
            let actx = lazy(|f| write!(f, "{ctx} attributes[{j}]"));
            if let Some(v) = get_int(a, "value", &actx)? {
                val = v;
            }
            let attr = compile_attr(a, None, val, &prefix, &consts, &actx)?;
            set.push(attr);
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
        let mut set = AttrSet::new(sname);
        for (j, a) in seq(get(s, "attributes"), &ctx)?.iter().enumerate() {
            let actx = lazy(|f| write!(f, "{ctx} attributes[{j}]"));
            let aname = req_str(a, "name", &actx)?;
            let base = parent
                .by_name(aname)
                .ok_or_else(|| format!("{actx}: '{aname}' is not in '{parent_name}'"))?;
            let prefix = base.cname.strip_suffix(&c_name("", aname)).unwrap_or("");
            let attr = compile_attr(a, Some(base), i64::from(base.value), prefix, &consts, &actx)?;
            set.push(attr);
        }
        sets.insert(sname.to_string(), set);
    }

    let mut sub_messages = ByName::default();
    for (i, s) in seq(get(doc, "sub-messages"), &"sub-messages")?
        .iter()
        .enumerate()
    {
        let ctx = lazy(|f| write!(f, "sub-messages[{i}]"));
        let sname = req_str(s, "name", &ctx)?;
        let mut formats = Vec::new();
        for (j, f) in seq(get(s, "formats"), &ctx)?.iter().enumerate() {
            let fctx = lazy(|f| write!(f, "sub-message '{sname}' formats[{j}]"));
            let value = match get(f, "value") {
                Some(Y::String(s)) => s.to_string(),
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
    let subsys = match get_int(doc, "nlscope-subsys", &"top level")? {
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
        .and_then(|o| get_str(o, "enum-model", &"operations").ok().flatten())
        == Some("directional");
    let reply_suffix = match get(doc, "operations") {
        Some(o) => get_str(o, "nlscope-reply-suffix", &"operations")?.map(str::to_string),
        None => None,
    };

    let mut mcast_groups = Vec::new();
    if let Some(m) = get(doc, "mcast-groups") {
        for (i, g) in seq(get(m, "list"), &"mcast-groups")?.iter().enumerate() {
            let ctx = lazy(|f| write!(f, "mcast-groups[{i}]"));
            mcast_groups.push(McastGroup {
                name: req_str(g, "name", &ctx)?.to_string(),
                value: get_int(g, "value", &ctx)?.and_then(|v| u32::try_from(v).ok()),
            });
        }
    }

    let mut selectors: Vec<String> = sets
        .values()
        .flat_map(|s| &s.attrs)
        .filter_map(|a| match &a.ty {
            AttrType::SubMessage { selector, .. } => Some(selector.clone()),
            _ => None,
        })
        .collect();
    selectors.sort();
    selectors.dedup();
    for a in sets.values_mut().flat_map(|s| s.attrs.iter_mut()) {
        a.selector = selectors
            .binary_search_by(|s| s.as_str().cmp(a.name))
            .is_ok();
    }
    let code_decoded = sets
        .values()
        .any(|s| s.attrs.iter().any(|a| a.decode.is_some()));
    let zeros_in_request = structs
        .values()
        .any(|st| st.members.iter().any(|m| m.zero_in_request.is_some()));
    let spec = Spec {
        root: crate::model::intern(&Spec::root_of(&name)),
        code_decoded,
        zeros_in_request,
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
        uapi_header: get_str(doc, "uapi-header", &"top level")?.map(str::to_string),
        reply_suffix,
        subsys,
        attrs_big_endian: match get_str(doc, "nlscope-attr-byte-order", &"top level")? {
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

fn too_deep(n: &str) -> String {
    format!("struct '{n}' nests structs more than 8 deep (or refers to itself)")
}

/// Size of struct `name`; None when structs nest more than 8 deep (a cycle).
fn attr_type(t: &str, y: &Y, ctx: Ctx<'_>) -> R<AttrType> {
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
    ctx: Ctx<'_>,
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
        cname: crate::model::intern(&c_name(prefix, &name)),
        volatile: crate::dissect::specs::volatile_name(name.as_bytes()),
        name: crate::model::intern(&name),
        value,
        ty,
        nested,
        pres,
        ints,
        record_len,
        exact_len,
        fixed_header,
        decode,
        selector: false,
    })
}

/// A binary attribute's integer `sub-type` and the nlscope keys naming its elements.
fn int_array(a: &Y, ty: &AttrType, ctx: Ctx<'_>) -> R<Option<IntArray>> {
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
fn index_by_count(a: &Y, ctx: Ctx<'_>) -> R<Vec<(usize, String)>> {
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

fn msg_value(mode: Option<&Y>, dir: &str, ctx: Ctx<'_>) -> R<Option<u16>> {
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
    let ctx: Ctx<'_> = &"operations";
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
        let octx = lazy(|f| write!(f, "operations.list[{i}]"));
        let name = req_str(op, "name", &octx)?.to_string();
        let octx = lazy(|f| write!(f, "operation '{name}'"));
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
