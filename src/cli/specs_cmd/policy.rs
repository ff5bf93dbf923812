//! `nlscope specs policy [FAMILY|all]`: what a running kernel accepts, from nlctrl's
//! `CTRL_CMD_GETPOLICY` dumps: per family and operation, the attributes of its `do` / `dump`
//! policies with types, ranges, lengths and masks, nested policies inline (a policy shared by
//! several places is printed once and referred to after). The kernel reports numbers only;
//! names come from a loaded spec of the family when there is one. `--json` for programs,
//! `--yaml` for a YNL spec skeleton to start a spec from.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use super::super::CliError;
use crate::capture::policy::{PolicyError, families, family, query};
use crate::dissect::specs::{AttrSet, Protocol, Spec, SpecRegistry};
use crate::netlink::policy::{AttrPolicy, FamilyPolicy, FamilyRef, OpPolicy};

/// Nested policies deeper than this are not printed (the kernel's own nesting limit,
/// `MAX_POLICY_RECURSION_DEPTH`, is 10).
const MAX_DEPTH: usize = 16;

/// Options of `nlscope specs policy`.
#[derive(clap::Args, Debug, Clone)]
pub struct PolicyOptions {
    /// Generic netlink family name as the kernel knows it (nlctrl, ethtool, nl80211, ...), or
    /// `all`.
    #[arg(default_value = "all", value_name = "FAMILY|all")]
    pub family: String,
    /// Only this operation: a number, or an op name from the family's loaded spec (Linux 5.10+).
    #[arg(long, value_name = "OP")]
    pub op: Option<String>,
    /// Print JSON: one object per family.
    #[arg(long, conflicts_with = "yaml")]
    pub json: bool,
    /// Print a YNL spec skeleton per family (attribute sets with types, checks and nesting;
    /// placeholder names where no spec names them).
    #[arg(long)]
    pub yaml: bool,
}

/// One family's answer from the kernel.
#[derive(Debug)]
pub struct FamilyReport {
    /// Family name.
    pub name: String,
    /// Family id, when known.
    pub id: Option<u16>,
    /// Its policies, or why there are none.
    pub result: Result<FamilyPolicy, PolicyError>,
}

fn io_err(e: io::Error) -> CliError {
    CliError::new(format!("writing output: {e}"))
}

fn genl_spec<'a>(reg: &'a SpecRegistry, family: &str) -> Option<&'a Spec> {
    reg.get(family)
        .filter(|s| s.protocol == Protocol::Genetlink)
}

/// The op number `--op` names for `family`.
fn resolve_op(reg: &SpecRegistry, family: &str, op: &str) -> Result<u32, CliError> {
    if let Ok(n) = op.parse::<u32>() {
        return Ok(n);
    }
    let spec = genl_spec(reg, family).ok_or_else(|| {
        CliError::usage(format!(
            "no spec for family '{family}' names operations: give --op as a number"
        ))
    })?;
    spec.ops
        .iter()
        .find(|o| o.name == op || o.cname.eq_ignore_ascii_case(op))
        .and_then(|o| o.request_values.first())
        .map(|v| u32::from(*v))
        .ok_or_else(|| {
            CliError::usage(format!(
                "family '{family}' has no operation '{op}' (see `nlscope specs show {family}`)"
            ))
        })
}

/// `nlscope specs policy`: ask the kernel, print in the chosen format.
pub fn run(opts: &PolicyOptions, reg: &SpecRegistry, out: &mut dyn Write) -> Result<(), CliError> {
    let all = opts.family == "all";
    if all && opts.op.is_some() {
        return Err(CliError::usage("--op needs one family, not `all`"));
    }
    if opts.family.len() > 15 {
        return Err(CliError::usage(format!(
            "'{}' is longer than a generic netlink family name can be (15 bytes)",
            opts.family
        )));
    }
    let op = opts
        .op
        .as_deref()
        .map(|o| resolve_op(reg, &opts.family, o))
        .transpose()?;
    let mut reports = Vec::new();
    if all {
        let fams = families()
            .map_err(|e| CliError::new(format!("listing generic netlink families: {e}")))?;
        for f in fams {
            let result = query(FamilyRef::Id(f.id), None, &f.ops);
            reports.push(FamilyReport {
                name: f.name,
                id: Some(f.id),
                result,
            });
        }
    } else {
        let fam = family(&opts.family)
            .map_err(|e| CliError::new(format!("asking for family '{}': {e}", opts.family)))?;
        let result = match &fam {
            Some(f) => query(FamilyRef::Name(&opts.family), op, &f.ops),
            None => Err(PolicyError::NotFound),
        };
        match &result {
            Err(PolicyError::NotFound) if op.is_some() && fam.is_some() => {
                return Err(CliError::new(format!(
                    "generic netlink family '{}' has no operation {}",
                    opts.family,
                    opts.op.as_deref().unwrap_or_default()
                )));
            }
            Err(PolicyError::NotFound) => {
                return Err(CliError::new(format!(
                    "the running kernel has no generic netlink family '{}' (see `nlscope specs \
                     policy all`; a family of a module appears once the module is loaded)",
                    opts.family
                )));
            }
            Err(e @ (PolicyError::Unsupported(_) | PolicyError::Io(_))) => {
                return Err(CliError::new(format!("{}: {e}", opts.family)));
            }
            _ => {}
        }
        let id = result.as_ref().ok().and_then(|f| f.family_id);
        reports.push(FamilyReport {
            name: opts.family.clone(),
            id,
            result,
        });
    }
    if opts.json {
        json(&reports, reg, out)
    } else if opts.yaml {
        let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").ok();
        yaml(&reports, reg, release.as_deref().map(str::trim), out)
    } else {
        text(&reports, reg, out)
    }
}

/// Which spec attribute set each policy index holds: from each op's `attribute-set`, then
/// down the nests (`nested-attributes` of the attribute that refers to a nested policy).
/// Without ops (kernels before 5.10 report one policy, 0) the spec's main set names policy 0.
fn set_names<'a>(spec: Option<&'a Spec>, fp: &FamilyPolicy) -> BTreeMap<u32, &'a AttrSet> {
    let mut sets = BTreeMap::new();
    let Some(spec) = spec else {
        return sets;
    };
    let mut stack: Vec<(u32, &AttrSet)> = Vec::new();
    for (op, p) in fp.ops.iter().rev() {
        let set = op_of(spec, *op)
            .and_then(|o| o.attribute_set.as_deref())
            .and_then(|s| spec.sets.get(s));
        if let Some(set) = set {
            stack.extend(
                [p.dump_policy, p.do_policy]
                    .into_iter()
                    .flatten()
                    .map(|i| (i, set)),
            );
        }
    }
    if fp.ops.is_empty()
        && let Some(set) = spec.main_set().and_then(|s| spec.sets.get(s))
    {
        stack.push((0, set));
    }
    // Each index is entered once, so this ends after at most as many steps as attributes.
    while let Some((idx, set)) = stack.pop() {
        if sets.contains_key(&idx) {
            continue;
        }
        sets.insert(idx, set);
        for (t, ap) in fp.policies.get(&idx).into_iter().flatten() {
            let Some(child) = ap.policy_idx else {
                continue;
            };
            if let Some(cs) = set
                .get(*t)
                .and_then(|a| a.nested.as_deref())
                .and_then(|n| spec.sets.get(n))
            {
                stack.push((child, cs));
            }
        }
    }
    sets
}

fn op_of(spec: &Spec, op: u32) -> Option<&crate::dissect::specs::Op> {
    u16::try_from(op).ok().and_then(|v| spec.op_for(v, true))
}

fn op_name(spec: Option<&Spec>, op: u32) -> Option<String> {
    spec.and_then(|s| op_of(s, op)).map(|o| o.name.clone())
}

fn attr_name<'a>(sets: &BTreeMap<u32, &'a AttrSet>, idx: u32, t: u16) -> Option<&'a str> {
    sets.get(&idx).and_then(|s| s.get(t)).map(|a| a.name)
}

fn describe(ap: &AttrPolicy) -> String {
    let limits = ap.limits();
    if limits.is_empty() {
        ap.type_name()
    } else {
        format!("{}, {limits}", ap.type_name())
    }
}

/// The text form of one family.
struct Text<'a, 'o> {
    fp: &'a FamilyPolicy,
    sets: BTreeMap<u32, &'a AttrSet>,
    printed: BTreeSet<u32>,
    out: &'o mut dyn Write,
}

impl Text<'_, '_> {
    fn set_label(&self, idx: u32) -> String {
        self.sets
            .get(&idx)
            .map(|s| format!(" [{}]", s.name))
            .unwrap_or_default()
    }

    /// Print policy `idx`'s attributes at `indent`, nested policies below their attribute.
    fn policy(&mut self, idx: u32, indent: usize, depth: usize) -> io::Result<()> {
        self.printed.insert(idx);
        let fp = self.fp;
        let pad = " ".repeat(indent);
        let Some(attrs) = fp.policies.get(&idx) else {
            return writeln!(self.out, "{pad}(policy {idx} is not in the dump)");
        };
        if attrs.is_empty() {
            writeln!(self.out, "{pad}(no attributes)")?;
        }
        for (t, ap) in attrs {
            let name = attr_name(&self.sets, idx, *t).unwrap_or("");
            let desc = describe(ap);
            let Some(child) = ap.policy_idx else {
                writeln!(self.out, "{pad}{t:>5} {name:<28} {desc}")?;
                continue;
            };
            let label = self.set_label(child);
            let maxtype = ap
                .policy_maxtype
                .map(|m| format!(", max type {m}"))
                .unwrap_or_default();
            if self.printed.contains(&child) {
                writeln!(
                    self.out,
                    "{pad}{t:>5} {name:<28} {desc}, policy {child}{label} (see above)"
                )?;
            } else if depth >= MAX_DEPTH {
                writeln!(
                    self.out,
                    "{pad}{t:>5} {name:<28} {desc}, policy {child}{label}: deeper than \
                     {MAX_DEPTH} levels, not shown"
                )?;
            } else {
                writeln!(
                    self.out,
                    "{pad}{t:>5} {name:<28} {desc}, policy {child}{label}{maxtype}:"
                )?;
                self.policy(child, indent + 6, depth + 1)?;
            }
        }
        Ok(())
    }
}

fn plural(n: usize, what: &str) -> String {
    match (n, what) {
        (1, _) => format!("1 {what}"),
        (_, "policy") => format!("{n} policies"),
        _ => format!("{n} {what}s"),
    }
}

/// Text for every family.
pub fn text(
    reports: &[FamilyReport],
    reg: &SpecRegistry,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    for r in reports {
        text_family(r, reg, out).map_err(io_err)?;
    }
    Ok(())
}

fn text_family(r: &FamilyReport, reg: &SpecRegistry, out: &mut dyn Write) -> io::Result<()> {
    let id = r.id.map(|i| format!(" (id {i})")).unwrap_or_default();
    let fp = match &r.result {
        Ok(fp) => fp,
        Err(e) => return writeln!(out, "{}{id}: {e}", r.name),
    };
    let spec = genl_spec(reg, &r.name);
    writeln!(
        out,
        "{}{id}: {} with policies, {}{}",
        r.name,
        plural(fp.ops.len(), "operation"),
        plural(fp.policies.len(), "policy"),
        spec.map(|s| format!("; names from spec {}", s.source))
            .unwrap_or_else(|| "; no spec loaded, attributes by number".into())
    )?;
    let mut t = Text {
        fp,
        sets: set_names(spec, fp),
        printed: BTreeSet::new(),
        out,
    };
    for (op, p) in &fp.ops {
        match op_name(spec, *op) {
            Some(name) => writeln!(t.out, "  {name} ({op})")?,
            None => writeln!(t.out, "  op {op}")?,
        }
        let mut policies: Vec<(&str, u32)> = Vec::new();
        match (p.do_policy, p.dump_policy) {
            (Some(a), Some(b)) if a == b => policies.push(("do, dump", a)),
            (a, b) => {
                policies.extend(a.map(|a| ("do", a)));
                policies.extend(b.map(|b| ("dump", b)));
            }
        }
        if policies.is_empty() {
            writeln!(t.out, "    no policy")?;
        }
        for (what, idx) in policies {
            let label = t.set_label(idx);
            if t.printed.contains(&idx) {
                writeln!(t.out, "    {what}: policy {idx}{label} (see above)")?;
            } else {
                writeln!(t.out, "    {what}: policy {idx}{label}")?;
                t.policy(idx, 6, 1)?;
            }
        }
    }
    let rest: Vec<u32> = fp
        .policies
        .keys()
        .copied()
        .filter(|i| !t.printed.contains(i))
        .collect();
    for idx in rest {
        if t.printed.contains(&idx) {
            continue;
        }
        let label = t.set_label(idx);
        let why = if fp.ops.is_empty() {
            "the family's policy (the kernel reports no operations before Linux 5.10)"
        } else {
            "no operation refers to it"
        };
        writeln!(t.out, "  policy {idx}{label}: {why}")?;
        t.policy(idx, 6, 1)?;
    }
    for p in &fp.problems {
        writeln!(t.out, "  problem: {p}")?;
    }
    Ok(())
}

#[derive(serde::Serialize)]
struct JsonFamily<'a> {
    family: &'a str,
    id: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    spec: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    ops: Vec<JsonOp>,
    policies: Vec<JsonPolicy<'a>>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    problems: &'a [String],
}

#[derive(serde::Serialize)]
struct JsonOp {
    op: u32,
    name: Option<String>,
    #[serde(flatten)]
    policy: OpPolicy,
}

#[derive(serde::Serialize)]
struct JsonPolicy<'a> {
    index: u32,
    set: Option<&'a str>,
    attributes: Vec<JsonAttr<'a>>,
}

#[derive(serde::Serialize)]
struct JsonAttr<'a> {
    attr: u16,
    name: Option<&'a str>,
    #[serde(flatten)]
    policy: &'a AttrPolicy,
}

/// JSON: an array with one object per family.
pub fn json(
    reports: &[FamilyReport],
    reg: &SpecRegistry,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let mut fams = Vec::new();
    for r in reports {
        let spec = genl_spec(reg, &r.name);
        let mut f = JsonFamily {
            family: &r.name,
            id: r.id,
            spec: spec.map(|s| s.source.to_string()),
            error: None,
            ops: Vec::new(),
            policies: Vec::new(),
            problems: &[],
        };
        match &r.result {
            Err(e) => f.error = Some(e.to_string()),
            Ok(fp) => {
                let sets = set_names(spec, fp);
                f.id = f.id.or(fp.family_id);
                f.problems = &fp.problems;
                f.ops = fp
                    .ops
                    .iter()
                    .map(|(op, p)| JsonOp {
                        op: *op,
                        name: op_name(spec, *op),
                        policy: *p,
                    })
                    .collect();
                f.policies = fp
                    .policies
                    .iter()
                    .map(|(idx, attrs)| JsonPolicy {
                        index: *idx,
                        set: sets.get(idx).map(|s| s.name.as_str()),
                        attributes: attrs
                            .iter()
                            .map(|(t, ap)| JsonAttr {
                                attr: *t,
                                name: attr_name(&sets, *idx, *t),
                                policy: ap,
                            })
                            .collect(),
                    })
                    .collect();
            }
        }
        fams.push(f);
    }
    serde_json::to_writer_pretty(&mut *out, &fams)
        .map_err(|e| CliError::new(format!("writing output: {e}")))?;
    writeln!(out).map_err(io_err)
}

/// The YNL attribute type for a kernel policy type, with its `sub-type` and whether the
/// string may be unterminated.
fn ynl_type(ap: &AttrPolicy) -> (&'static str, Option<&'static str>, bool) {
    match ap.type_name().as_str() {
        "flag" => ("flag", None, false),
        "u8" => ("u8", None, false),
        "u16" => ("u16", None, false),
        "u32" => ("u32", None, false),
        "u64" => ("u64", None, false),
        "s8" => ("s8", None, false),
        "s16" => ("s16", None, false),
        "s32" => ("s32", None, false),
        "s64" => ("s64", None, false),
        "sint" => ("sint", None, false),
        "uint" => ("uint", None, false),
        // NLA_NUL_STRING is YNL's plain `string`; NLA_STRING its `unterminated-ok`.
        "nul-string" => ("string", None, false),
        "string" => ("string", None, true),
        "nested" => ("nest", None, false),
        "nested-array" => ("indexed-array", Some("nest"), false),
        "bitfield32" => ("bitfield32", None, false),
        _ => ("binary", None, false),
    }
}

/// A YNL spec skeleton per family (YAML documents). Names are placeholders (`attr-N`,
/// `op-N`, `policy-N`) unless a loaded spec gave them.
pub fn yaml(
    reports: &[FamilyReport],
    reg: &SpecRegistry,
    release: Option<&str>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    for r in reports {
        yaml_family(r, reg, release, out).map_err(io_err)?;
    }
    Ok(())
}

fn yaml_family(
    r: &FamilyReport,
    reg: &SpecRegistry,
    release: Option<&str>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let fp = match &r.result {
        Ok(fp) => fp,
        Err(e) => return writeln!(out, "# {}: {e}", r.name),
    };
    let spec = genl_spec(reg, &r.name);
    let sets = set_names(spec, fp);
    // One attribute set per kernel policy; the first policy of a spec set gets its name.
    let mut used = BTreeSet::new();
    let mut set_name: BTreeMap<u32, String> = BTreeMap::new();
    for idx in fp.policies.keys() {
        let n = match sets.get(idx) {
            Some(s) if used.insert(s.name.clone()) => s.name.clone(),
            _ => format!("policy-{idx}"),
        };
        set_name.insert(*idx, n);
    }
    let aname = |idx: u32, t: u16| {
        attr_name(&sets, idx, t).map_or_else(|| format!("attr-{t}"), str::to_string)
    };
    writeln!(out, "---")?;
    writeln!(
        out,
        "# SKELETON, not a finished spec: written by `nlscope specs policy --yaml` from the\n\
         # attribute policies of a running kernel{}.\n\
         # The kernel reports numbers only: names are placeholders (attr-N, op-N, policy-N)\n\
         # unless a loaded spec gave them; take the real names, enums, flags and docs from the\n\
         # uapi header. Each kernel policy is one attribute set here: per-operation policies\n\
         # of one uapi attribute enum need merging.",
        release.map(|r| format!(" (Linux {r})")).unwrap_or_default()
    )?;
    writeln!(out, "name: {}", r.name)?;
    writeln!(out, "protocol: genetlink")?;
    writeln!(out, "attribute-sets:")?;
    for (idx, attrs) in &fp.policies {
        writeln!(out, "  -")?;
        writeln!(
            out,
            "    name: {}",
            set_name.get(idx).cloned().unwrap_or_default()
        )?;
        if let Some(s) = sets.get(idx) {
            writeln!(out, "    # kernel policy {idx}, attributes of {}", s.name)?;
        } else {
            writeln!(out, "    # kernel policy {idx}")?;
        }
        writeln!(out, "    attributes:")?;
        for (t, ap) in attrs {
            let (ty, sub, unterminated) = ynl_type(ap);
            writeln!(out, "      -")?;
            writeln!(out, "        name: {}", aname(*idx, *t))?;
            writeln!(out, "        value: {t}")?;
            writeln!(out, "        type: {ty}")?;
            if let Some(sub) = sub {
                writeln!(out, "        sub-type: {sub}")?;
            }
            if let Some(child) = ap.policy_idx {
                writeln!(
                    out,
                    "        nested-attributes: {}",
                    set_name
                        .get(&child)
                        .cloned()
                        .unwrap_or_else(|| format!("policy-{child}"))
                )?;
            }
            let mut checks = Vec::new();
            let (lo, hi) = ap.checked_bounds();
            checks.extend(lo.map(|v| format!("min: {v}")));
            checks.extend(hi.map(|v| format!("max: {v}")));
            if ap.policy_idx.is_none() {
                match (ap.min_length, ap.max_length) {
                    (Some(a), Some(b)) if a == b => checks.push(format!("exact-len: {a}")),
                    (a, b) => {
                        checks.extend(a.map(|v| format!("min-len: {v}")));
                        checks.extend(b.map(|v| format!("max-len: {v}")));
                    }
                }
            }
            if unterminated {
                checks.push("unterminated-ok: true".into());
            }
            if !checks.is_empty() {
                writeln!(out, "        checks:")?;
                for c in checks {
                    writeln!(out, "          {c}")?;
                }
            }
            if let Some(m) = ap.mask {
                writeln!(
                    out,
                    "        # kernel mask {m:#x}: YNL's `checks: flags-mask:` names a flags enum"
                )?;
            }
            if let Some(m) = ap.bitfield32_mask {
                writeln!(out, "        # valid bits {m:#x}")?;
            }
        }
    }
    if !fp.ops.is_empty() {
        writeln!(out, "operations:")?;
        writeln!(out, "  list:")?;
        for (op, p) in &fp.ops {
            writeln!(out, "    -")?;
            writeln!(
                out,
                "      name: {}",
                op_name(spec, *op).unwrap_or_else(|| format!("op-{op}"))
            )?;
            writeln!(out, "      value: {op}")?;
            if let Some(set) = p.do_policy.or(p.dump_policy).and_then(|i| set_name.get(&i)) {
                writeln!(out, "      attribute-set: {set}")?;
            }
            for (what, idx) in [("do", p.do_policy), ("dump", p.dump_policy)] {
                let Some(idx) = idx else {
                    continue;
                };
                let names: Vec<String> = fp
                    .policies
                    .get(&idx)
                    .into_iter()
                    .flatten()
                    .map(|(t, _)| aname(idx, *t))
                    .collect();
                writeln!(out, "      {what}:")?;
                writeln!(out, "        request:")?;
                writeln!(out, "          attributes: [ {} ]", names.join(", "))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissect::specs::{SpecSource, load_spec};
    use crate::model::Endian;
    use crate::netlink::Messages;

    /// The replies of `netlink::policy`'s tests: ops 1 (do+dump policy 0), 2 (do policy 1),
    /// a dump-only op reported as 0 (dump policy 1); policy 0 attr 2 nests policy 2.
    fn family(name: &str) -> FamilyReport {
        let mut fp = FamilyPolicy::default();
        for m in crate::netlink::policy::tests::replies() {
            for msg in Messages::native(&m) {
                fp.add_message(msg.payload, Endian::native());
            }
        }
        assert!(fp.fix_dump_only_ops(&[(1, 0x0e), (2, 0x0a), (7, 0x0c)]));
        FamilyReport {
            name: name.into(),
            id: Some(0x15),
            result: Ok(fp),
        }
    }

    const SPEC: &str = "
name: fam
protocol: genetlink
attribute-sets:
  -
    name: main
    attributes:
      - { name: hdr, type: u32 }
      - { name: inner, type: nest, nested-attributes: inner }
      - { name: level, type: s16 }
  -
    name: inner
    attributes:
      - { name: x, type: u8 }
operations:
  list:
    - { name: get, value: 1, attribute-set: main }
    - { name: set, value: 2, attribute-set: main }
";

    fn registry() -> SpecRegistry {
        let mut reg = SpecRegistry::new();
        reg.insert(load_spec(SPEC, SpecSource::Embedded("fam.yaml".into())).unwrap());
        reg
    }

    fn render(
        f: fn(&[FamilyReport], &SpecRegistry, &mut dyn Write) -> Result<(), CliError>,
        name: &str,
        reg: &SpecRegistry,
    ) -> String {
        let mut out = Vec::new();
        f(&[family(name)], reg, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn text_nests_and_refers_to_shared_policies() {
        let t = render(text, "other", &registry());
        assert!(
            t.starts_with("other (id 21): 3 operations with policies, 3 policies; no spec"),
            "{t}"
        );
        assert!(t.contains("  op 1\n    do, dump: policy 0\n"), "{t}");
        assert!(
            t.contains("    2                              nested, policy 2, max type 1:\n"),
            "{t}"
        );
        assert!(t.contains("range 1..=3"), "{t}");
        assert!(
            t.contains("  op 7\n    dump: policy 1 (see above)\n"),
            "{t}"
        );
        assert!(t.contains("range -5..=5"), "{t}");
        assert!(t.contains("mask 0x7"), "{t}");
        assert!(
            !t.contains("policy 2:") || !t.contains("no operation refers"),
            "{t}"
        );
    }

    #[test]
    fn names_come_from_the_spec_down_the_nests() {
        let reg = registry();
        let t = render(text, "fam", &reg);
        assert!(t.contains("names from spec embedded:fam.yaml"), "{t}");
        assert!(
            t.contains("  get (1)\n    do, dump: policy 0 [main]\n"),
            "{t}"
        );
        assert!(t.contains(" hdr "), "{t}");
        assert!(t.contains(" inner "), "{t}");
        assert!(t.contains("policy 2 [inner], max type 1:"), "{t}");
        assert!(t.contains(" x "), "{t}");
        // op 7 is not in the spec
        assert!(t.contains("  op 7\n"), "{t}");
        let j: serde_json::Value = serde_json::from_str(&render(json, "fam", &reg)).unwrap();
        let f = &j[0];
        assert_eq!(f["id"], 21);
        assert_eq!(f["ops"][0]["name"], "get");
        assert_eq!(f["ops"][2]["op"], 7);
        assert_eq!(f["ops"][2]["dump"], 1);
        assert!(f["ops"][2].get("do").is_none());
        assert_eq!(f["policies"][2]["set"], "inner");
        assert_eq!(f["policies"][0]["attributes"][1]["name"], "inner");
        assert_eq!(f["policies"][0]["attributes"][1]["type"], "nested");
        assert_eq!(f["policies"][0]["attributes"][1]["policy_idx"], 2);
        assert_eq!(f["policies"][1]["attributes"][1]["min_value_s"], -5);
    }

    #[test]
    fn the_yaml_skeleton_loads_as_a_spec() {
        let mut out = Vec::new();
        yaml(&[family("other")], &registry(), Some("6.18"), &mut out).unwrap();
        let y = String::from_utf8(out).unwrap();
        assert!(y.contains("# SKELETON"), "{y}");
        let s = load_spec(&y, SpecSource::Embedded("x".into())).unwrap();
        assert_eq!(s.name, "other");
        let p0 = s.sets.get("policy-0").unwrap();
        assert_eq!(p0.get(2).unwrap().nested.as_deref(), Some("policy-2"));
        assert_eq!(s.ops.len(), 3);
        assert!(
            y.contains("        checks:\n          min: 1\n          max: 3\n"),
            "{y}"
        );
        assert!(y.contains("          max-len: 15\n"), "{y}");
        // With a spec, its names; a second policy of the same set gets a placeholder name.
        let mut out = Vec::new();
        yaml(&[family("fam")], &registry(), None, &mut out).unwrap();
        let y = String::from_utf8(out).unwrap();
        let s = load_spec(&y, SpecSource::Embedded("x".into())).unwrap();
        assert!(
            s.sets.contains_key("main") && s.sets.contains_key("inner"),
            "{y}"
        );
        assert!(s.sets.contains_key("policy-1"), "{y}");
        assert_eq!(s.ops.first().map(|o| o.name.as_str()), Some("get"));
    }

    #[test]
    fn cycles_and_deep_chains_end() {
        let nested = |to: u32| AttrPolicy {
            ty: 13,
            policy_idx: Some(to),
            ..AttrPolicy::default()
        };
        let mut fp = FamilyPolicy::default();
        fp.ops.push((
            1,
            OpPolicy {
                do_policy: Some(0),
                dump_policy: None,
            },
        ));
        // 0 -> 0 (itself), and a chain 0 -> 100 -> 101 -> ... -> 139
        fp.policies.entry(0).or_default().insert(1, nested(0));
        fp.policies.entry(0).or_default().insert(2, nested(100));
        for i in 100..140 {
            fp.policies.entry(i).or_default().insert(1, nested(i + 1));
        }
        let r = FamilyReport {
            name: "x".into(),
            id: None,
            result: Ok(fp),
        };
        let mut out = Vec::new();
        text(std::slice::from_ref(&r), &SpecRegistry::new(), &mut out).unwrap();
        let t = String::from_utf8(out).unwrap();
        assert!(t.contains("nested, policy 0 (see above)"), "{t}");
        assert!(t.contains("deeper than 16 levels, not shown"), "{t}");
        // What the depth limit left out is printed on its own, once.
        assert!(t.contains("no operation refers to it"), "{t}");
        assert!(t.contains("(policy 140 is not in the dump)"), "{t}");
        let mut out = Vec::new();
        yaml(
            std::slice::from_ref(&r),
            &SpecRegistry::new(),
            None,
            &mut out,
        )
        .unwrap();
        let mut out = Vec::new();
        json(&[r], &SpecRegistry::new(), &mut out).unwrap();
    }

    #[test]
    fn errors_are_reported_per_family() {
        let r = FamilyReport {
            name: "VFS_DQUOT".into(),
            id: Some(17),
            result: Err(PolicyError::NoPolicy),
        };
        let mut out = Vec::new();
        text(&[r], &SpecRegistry::new(), &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "VFS_DQUOT (id 17): no attribute policy (ENODATA)\n"
        );
    }
}
