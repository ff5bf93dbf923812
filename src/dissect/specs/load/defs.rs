//! Struct layouts, enums and how a value is shown: the parts of a spec's `definitions` that
//! describe bytes (struct members with their sizes, enum and flags entries, presentation keys
//! such as `display-hint`, `byte-order` and the nlscope extensions).

use std::collections::HashMap;

use super::value::Y;

use super::super::model::*;
use super::{Ctx, R, c_name, get, get_bool, get_int, get_str, int_of, lazy, req_str, seq};
use crate::model::intern;

pub(super) fn struct_size(
    structs: &ByName<StructDef>,
    subs: &ByName<SubMessage>,
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
pub(super) fn member_size(
    structs: &ByName<StructDef>,
    subs: &ByName<SubMessage>,
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

pub(super) fn compile_enum(
    family: &str,
    ename: &str,
    is_flags: bool,
    d: &Y,
    ctx: Ctx<'_>,
) -> R<EnumDef> {
    let prefix = match get_str(d, "name-prefix", ctx)? {
        Some(p) => p.to_string(),
        None => format!("{family}-{ename}-"),
    };
    let start = get_int(d, "value-start", ctx)?.unwrap_or(0);
    let mut entries = Vec::new();
    let mut names = Vec::new();
    let mut next = start;
    for (i, e) in seq(get(d, "entries"), ctx)?.iter().enumerate() {
        let ectx = lazy(|f| write!(f, "{ctx} entries[{i}]"));
        let (ename, v) = match e {
            Y::String(s) => (s.as_ref(), None),
            Y::Mapping(_) => (req_str(e, "name", &ectx)?, get_int(e, "value", &ectx)?),
            _ => return Err(format!("{ectx}: expected a name or a mapping")),
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
        entries.push((user, intern(&c_name(&prefix, ename))));
        names.push(intern(ename));
    }
    Ok(EnumDef {
        name: ename.to_string(),
        is_flags,
        increasing: entries.windows(2).all(|w| matches!(w, [a, b] if a.0 < b.0)),
        cnames: crate::model::intern_list(&entries.iter().map(|e| e.1).collect::<Vec<_>>()),
        entries,
        names: crate::model::intern_list(&names),
        kernels: (
            kernel_version(d, "nlscope-since", ctx)?,
            kernel_version(d, "nlscope-until", ctx)?,
        ),
    })
}

/// A kernel version key (`"6.3"`) as (major, minor).
pub(super) fn kernel_version(y: &Y, key: &str, ctx: Ctx<'_>) -> R<Option<(u32, u32)>> {
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

pub(super) fn presentation(y: &Y, base: Option<&Presentation>, ctx: Ctx<'_>) -> R<Presentation> {
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

pub(super) fn len_of(
    y: &Y,
    key: &str,
    consts: &HashMap<String, i64>,
    ctx: Ctx<'_>,
) -> R<Option<usize>> {
    let v = match get(y, key) {
        None => return Ok(None),
        Some(Y::String(s)) if int_of(&Y::String(s.clone())).is_none() => consts
            .get(s.as_ref())
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

pub(super) fn compile_member(m: &Y, consts: &HashMap<String, i64>, ctx: Ctx<'_>) -> R<Member> {
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
    let zero_in_request = get_str(m, "nlscope-zero-in-request", ctx)?.map(str::to_string);
    if zero_in_request.is_some() && !matches!(kind, MemberKind::Scalar(_)) {
        return Err(format!(
            "{ctx}: 'nlscope-zero-in-request' needs an integer member"
        ));
    }
    let bits = bit_fields(m, &kind, ctx)?;
    Ok(Member {
        cname: intern(&name.replace('-', "_")),
        name: intern(&name),
        kind,
        pres,
        since,
        zero_in_request,
        bits,
        volatile: crate::dissect::specs::volatile_name(name.as_bytes()),
    })
}

/// `nlscope-bits`: the C bit fields an unsigned integer member holds.
fn bit_fields(m: &Y, kind: &MemberKind, ctx: Ctx<'_>) -> R<Vec<(String, u8)>> {
    let Some(list) = get(m, "nlscope-bits") else {
        return Ok(Vec::new());
    };
    let width = match kind {
        MemberKind::Scalar(s @ Scalar::U(_)) => s.width().unwrap_or(0) * 8,
        _ => {
            return Err(format!(
                "{ctx}: 'nlscope-bits' needs an unsigned integer member"
            ));
        }
    };
    let mut out = Vec::new();
    let mut used = 0usize;
    for (i, b) in seq(Some(list), ctx)?.iter().enumerate() {
        let bctx = lazy(|f| write!(f, "{ctx} nlscope-bits[{i}]"));
        let name = req_str(b, "name", &bctx)?.to_string();
        let n = get_int(b, "bits", &bctx)?
            .and_then(|n| u8::try_from(n).ok())
            .filter(|n| (1..=64).contains(n))
            .ok_or_else(|| format!("{bctx}: 'bits' must be 1 to 64"))?;
        used += usize::from(n);
        out.push((name, n));
    }
    if used > width || out.len() > 64 {
        return Err(format!(
            "{ctx}: bit fields of {used} bits do not fit the {width}-bit member"
        ));
    }
    Ok(out)
}
