//! `nlscope specs [list|show NAME|fields|policy [FAMILY|all]]`.

pub mod policy;

use std::io::Write;

use super::CliError;
use crate::dissect::specs::{AttrType, Protocol, SpecRegistry};

/// `specs list`: every family with its protocol and source; load errors after.
pub fn list(reg: &SpecRegistry, out: &mut dyn Write) -> Result<(), CliError> {
    let mut rows: Vec<_> = reg.specs().collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    let io = |e: std::io::Error| CliError::new(format!("writing output: {e}"));
    writeln!(
        out,
        "{:<16} {:<12} {:>5} {:>5} {:>5}  SOURCE",
        "NAME", "PROTOCOL", "PROTO", "OPS", "SETS"
    )
    .map_err(io)?;
    for s in rows {
        let proto = match s.protocol {
            Protocol::Genetlink => "genetlink",
            Protocol::NetlinkRaw => "netlink-raw",
        };
        let num = match (s.protocol, s.protonum) {
            (Protocol::Genetlink, _) => "16".to_string(),
            (_, Some(n)) => n.to_string(),
            (_, None) => "-".to_string(),
        };
        writeln!(
            out,
            "{:<16} {:<12} {:>5} {:>5} {:>5}  {}",
            s.name,
            proto,
            num,
            s.ops.len(),
            s.sets.len(),
            s.source
        )
        .map_err(io)?;
    }
    for e in &reg.errors() {
        writeln!(out, "not loaded: {e}").map_err(io)?;
    }
    Ok(())
}

fn type_text(t: &AttrType) -> String {
    match t {
        AttrType::Scalar(s) => format!("{s:?}").to_lowercase(),
        AttrType::String => "string".into(),
        AttrType::Binary {
            structure: Some(s),
            array: false,
        } => format!("binary struct {s}"),
        AttrType::Binary {
            structure: Some(s),
            array: true,
        } => format!("binary array of struct {s}"),
        AttrType::Binary {
            structure: None, ..
        } => "binary".into(),
        AttrType::Flag => "flag".into(),
        AttrType::Nest => "nest".into(),
        AttrType::IndexedArray(i) => format!("indexed-array of {}", type_text(i)),
        AttrType::NestTypeValue(l) => format!("nest-type-value [{}]", l.join(", ")),
        AttrType::SubMessage { name, selector } => format!("sub-message {name} by {selector}"),
        AttrType::Bitfield32 => "bitfield32".into(),
        AttrType::Pad => "pad".into(),
        AttrType::Unused => "unused".into(),
        AttrType::Other(o) => o.clone(),
    }
}

/// `specs show NAME`: operations with their message types, attribute sets with attributes.
pub fn show(reg: &SpecRegistry, name: &str, out: &mut dyn Write) -> Result<(), CliError> {
    let s = reg.get(name).ok_or_else(|| {
        CliError::new(format!("no spec named '{name}' (see `nlscope specs list`)"))
    })?;
    let io = |e: std::io::Error| CliError::new(format!("writing output: {e}"));
    writeln!(
        out,
        "{} ({}), source {}",
        s.name,
        match s.protocol {
            Protocol::Genetlink => "generic netlink".to_string(),
            Protocol::NetlinkRaw => format!(
                "netlink protocol {}",
                s.protonum.map_or("-".into(), |n| n.to_string())
            ),
        },
        s.source
    )
    .map_err(io)?;
    writeln!(out, "operations:").map_err(io)?;
    for o in &s.ops {
        writeln!(
            out,
            "  {:<28} request {:?} reply {:?} set {} header {}",
            o.cname,
            o.request_values,
            o.reply_values,
            o.attribute_set.as_deref().unwrap_or("-"),
            o.fixed_header
                .as_deref()
                .or(s.fixed_header.as_deref())
                .unwrap_or("-")
        )
        .map_err(io)?;
    }
    let mut sets: Vec<_> = s.sets.values().collect();
    sets.sort_by(|a, b| a.name.cmp(&b.name));
    for set in sets {
        writeln!(out, "attribute-set {}:", set.name).map_err(io)?;
        for a in &set.attrs {
            let header = a
                .fixed_header
                .as_deref()
                .map(|h| format!(" (struct {h} first)"))
                .unwrap_or_default();
            let nested = a
                .nested
                .as_deref()
                .map(|n| format!("{header} -> {n}"))
                .unwrap_or(header);
            writeln!(
                out,
                "  {:>5} {:<36} {}{}",
                a.value,
                a.cname,
                type_text(&a.ty),
                nested
            )
            .map_err(io)?;
        }
    }
    if !s.mcast_groups.is_empty() {
        writeln!(out, "multicast groups:").map_err(io)?;
        for g in &s.mcast_groups {
            writeln!(
                out,
                "  {}{}",
                g.name,
                g.value.map(|v| format!(" = {v}")).unwrap_or_default()
            )
            .map_err(io)?;
        }
    }
    Ok(())
}
