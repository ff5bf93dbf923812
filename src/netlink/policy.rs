//! Generic netlink attribute policies as nlctrl's `CTRL_CMD_GETPOLICY` dump reports them
//! (linux/genetlink.h, linux/netlink.h): the request, and the replies parsed into a
//! [`FamilyPolicy`]. The kernel reports numbers only (attribute types, policy indexes, ops);
//! names come from specs.
//!
//! Each reply message holds one of: `CTRL_ATTR_OP_POLICY { op { CTRL_ATTR_POLICY_DO idx,
//! CTRL_ATTR_POLICY_DUMP idx } }` or `CTRL_ATTR_POLICY { idx { attr-type {
//! NL_POLICY_TYPE_ATTR_* } } }`.

use std::collections::BTreeMap;

use super::{Attrs, GENL_HDRLEN, GENL_ID_CTRL, MsgBuilder, NLM_F_DUMP, NLM_F_REQUEST, ctrl};
use crate::model::Endian;

/// `NL_POLICY_TYPE_ATTR_TYPE`: `enum netlink_attribute_type` (u32).
pub const NL_POLICY_TYPE_ATTR_TYPE: u16 = 1;
/// `NL_POLICY_TYPE_ATTR_MIN_VALUE_S` (s64).
pub const NL_POLICY_TYPE_ATTR_MIN_VALUE_S: u16 = 2;
/// `NL_POLICY_TYPE_ATTR_MAX_VALUE_S` (s64).
pub const NL_POLICY_TYPE_ATTR_MAX_VALUE_S: u16 = 3;
/// `NL_POLICY_TYPE_ATTR_MIN_VALUE_U` (u64).
pub const NL_POLICY_TYPE_ATTR_MIN_VALUE_U: u16 = 4;
/// `NL_POLICY_TYPE_ATTR_MAX_VALUE_U` (u64).
pub const NL_POLICY_TYPE_ATTR_MAX_VALUE_U: u16 = 5;
/// `NL_POLICY_TYPE_ATTR_MIN_LENGTH` (u32).
pub const NL_POLICY_TYPE_ATTR_MIN_LENGTH: u16 = 6;
/// `NL_POLICY_TYPE_ATTR_MAX_LENGTH` (u32).
pub const NL_POLICY_TYPE_ATTR_MAX_LENGTH: u16 = 7;
/// `NL_POLICY_TYPE_ATTR_POLICY_IDX` (u32): the nested policy.
pub const NL_POLICY_TYPE_ATTR_POLICY_IDX: u16 = 8;
/// `NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE` (u32): the nested policy's highest attribute type.
pub const NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE: u16 = 9;
/// `NL_POLICY_TYPE_ATTR_BITFIELD32_MASK` (u32).
pub const NL_POLICY_TYPE_ATTR_BITFIELD32_MASK: u16 = 10;
/// `NL_POLICY_TYPE_ATTR_PAD`.
pub const NL_POLICY_TYPE_ATTR_PAD: u16 = 11;
/// `NL_POLICY_TYPE_ATTR_MASK` (u64): valid bits of an unsigned integer.
pub const NL_POLICY_TYPE_ATTR_MASK: u16 = 12;

/// `enum netlink_attribute_type` names by value, YNL spelling (`NL_ATTR_TYPE_NUL_STRING` ->
/// `nul-string`). `NL_ATTR_TYPE_SINT` / `UINT` are Linux 6.8+.
pub static ATTR_TYPE_NAMES: &[&str] = &[
    "invalid",
    "flag",
    "u8",
    "u16",
    "u32",
    "u64",
    "s8",
    "s16",
    "s32",
    "s64",
    "binary",
    "string",
    "nul-string",
    "nested",
    "nested-array",
    "bitfield32",
    "sint",
    "uint",
];

/// The name of `enum netlink_attribute_type` value `t`, or `type N`.
pub fn attr_type_name(t: u32) -> String {
    usize::try_from(t)
        .ok()
        .and_then(|i| ATTR_TYPE_NAMES.get(i))
        .map_or_else(|| format!("type {t}"), |s| (*s).to_string())
}

fn type_by_name<S: serde::Serializer>(t: &u32, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&attr_type_name(*t))
}

/// At most this many attribute policies are kept from one dump (the biggest families report a
/// few thousand); more is reported as a problem, not stored.
pub const MAX_ENTRIES: usize = 200_000;

/// What the kernel accepts for one attribute type in one policy.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct AttrPolicy {
    /// `NL_POLICY_TYPE_ATTR_TYPE` (`enum netlink_attribute_type`); 0 when missing. Serialized
    /// by name (`u32`, `nul-string`, `type 99` for values newer than this table).
    #[serde(rename = "type", serialize_with = "type_by_name")]
    pub ty: u32,
    /// Smallest accepted value (signed integers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_value_s: Option<i64>,
    /// Largest accepted value (signed integers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_value_s: Option<i64>,
    /// Smallest accepted value (unsigned integers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_value_u: Option<u64>,
    /// Largest accepted value (unsigned integers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_value_u: Option<u64>,
    /// Shortest accepted payload (binary, strings, nests).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    /// Longest accepted payload.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Policy of the nested attributes (nested, nested-array).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_idx: Option<u32>,
    /// Highest attribute type of that policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_maxtype: Option<u32>,
    /// Valid selector bits of a bitfield32.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bitfield32_mask: Option<u32>,
    /// Valid bits of an unsigned integer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mask: Option<u64>,
}

impl AttrPolicy {
    /// The type's name (`u32`, `nul-string`, ...).
    pub fn type_name(&self) -> String {
        attr_type_name(self.ty)
    }

    /// Parse the `NL_POLICY_TYPE_ATTR_*` attributes of one entry; unknown ones are ignored
    /// (newer kernels), values of an unexpected width are skipped.
    pub fn parse(payload: &[u8], e: Endian) -> AttrPolicy {
        let mut p = AttrPolicy::default();
        for a in Attrs::new(payload, e) {
            let len = a.payload.len();
            // Exactly 1, 2, 4 or 8 bytes, else no value.
            let uint = || e.uint(a.payload, 0, len);
            let int = || e.int(a.payload, 0, len);
            let u32v = || uint().and_then(|v| u32::try_from(v).ok());
            match a.ty {
                NL_POLICY_TYPE_ATTR_TYPE => p.ty = u32v().unwrap_or(0),
                NL_POLICY_TYPE_ATTR_MIN_VALUE_S => p.min_value_s = int(),
                NL_POLICY_TYPE_ATTR_MAX_VALUE_S => p.max_value_s = int(),
                NL_POLICY_TYPE_ATTR_MIN_VALUE_U => p.min_value_u = uint(),
                NL_POLICY_TYPE_ATTR_MAX_VALUE_U => p.max_value_u = uint(),
                NL_POLICY_TYPE_ATTR_MIN_LENGTH => p.min_length = u32v(),
                NL_POLICY_TYPE_ATTR_MAX_LENGTH => p.max_length = u32v(),
                NL_POLICY_TYPE_ATTR_POLICY_IDX => p.policy_idx = u32v(),
                NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE => p.policy_maxtype = u32v(),
                NL_POLICY_TYPE_ATTR_BITFIELD32_MASK => p.bitfield32_mask = u32v(),
                NL_POLICY_TYPE_ATTR_MASK => p.mask = uint(),
                _ => {}
            }
        }
        p
    }

    /// The values an integer type holds anyway.
    fn type_range(&self) -> Option<(i128, i128)> {
        Some(match self.ty {
            2 => (0, u8::MAX.into()),
            3 => (0, u16::MAX.into()),
            4 => (0, u32::MAX.into()),
            5 | 17 => (0, u64::MAX.into()),
            6 => (i8::MIN.into(), i8::MAX.into()),
            7 => (i16::MIN.into(), i16::MAX.into()),
            8 => (i32::MIN.into(), i32::MAX.into()),
            9 | 16 => (i64::MIN.into(), i64::MAX.into()),
            _ => return None,
        })
    }

    /// The bounds of the reported value range that check more than the type does:
    /// (`min` if above the type's smallest value, `max` if below its largest).
    pub fn checked_bounds(&self) -> (Option<i128>, Option<i128>) {
        let lo = (self.min_value_s.map(i128::from)).or(self.min_value_u.map(i128::from));
        let hi = (self.max_value_s.map(i128::from)).or(self.max_value_u.map(i128::from));
        match self.type_range() {
            Some((a, b)) => (lo.filter(|l| *l != a), hi.filter(|h| *h != b)),
            None => (lo, hi),
        }
    }

    /// Whether the reported value range (the kernel reports one for every integer) is just
    /// the type's own, i.e. no range check; also true when none is reported.
    pub fn natural_range(&self) -> bool {
        let lo = (self.min_value_s.map(i128::from)).or(self.min_value_u.map(i128::from));
        let hi = (self.max_value_s.map(i128::from)).or(self.max_value_u.map(i128::from));
        match (lo, hi, self.type_range()) {
            (None, None, _) => true,
            (Some(l), Some(h), Some(r)) => (l, h) == r,
            _ => false,
        }
    }

    /// Value bounds (beyond the type's own), lengths and masks in words: `range 1..=4094, max
    /// length 15`. Empty if none.
    pub fn limits(&self) -> String {
        let mut parts = Vec::new();
        match self.checked_bounds() {
            (Some(a), Some(b)) => parts.push(format!("range {a}..={b}")),
            (Some(a), None) => parts.push(format!("min {a}")),
            (None, Some(b)) => parts.push(format!("max {b}")),
            (None, None) => {}
        }
        self.length_and_masks(&mut parts);
        parts.join(", ")
    }

    fn length_and_masks(&self, parts: &mut Vec<String>) {
        match (self.min_length, self.max_length) {
            (Some(a), Some(b)) if a == b => parts.push(format!("length {a}")),
            (Some(a), Some(b)) => parts.push(format!("length {a}..={b}")),
            (Some(a), None) => parts.push(format!("min length {a}")),
            (None, Some(b)) => parts.push(format!("max length {b}")),
            (None, None) => {}
        }
        if let Some(m) = self.mask {
            parts.push(format!("mask {m:#x}"));
        }
        if let Some(m) = self.bitfield32_mask {
            parts.push(format!("valid bits {m:#x}"));
        }
    }
}

/// The policies of one operation (`CTRL_ATTR_OP_POLICY` entry).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct OpPolicy {
    /// Policy index of its `do` requests.
    #[serde(rename = "do", skip_serializing_if = "Option::is_none")]
    pub do_policy: Option<u32>,
    /// Policy index of its `dump` requests.
    #[serde(rename = "dump", skip_serializing_if = "Option::is_none")]
    pub dump_policy: Option<u32>,
}

/// One family's policies from a `CTRL_CMD_GETPOLICY` dump.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FamilyPolicy {
    /// `CTRL_ATTR_FAMILY_ID` of the replies.
    pub family_id: Option<u16>,
    /// Operations (command number) with their policies, in the kernel's order. Empty before
    /// Linux 5.10 (one policy, 0). The kernel reports dump-only operations as op 0 (its
    /// `ctrl_dumppolicy_put_op` nests them under the absent `do` half's command);
    /// [`FamilyPolicy::fix_dump_only_ops`] restores their numbers.
    pub ops: Vec<(u32, OpPolicy)>,
    /// Policy index -> attribute type -> policy.
    pub policies: BTreeMap<u32, BTreeMap<u16, AttrPolicy>>,
    /// Damage or excess seen while parsing (the rest is still used).
    pub problems: Vec<String>,
    entries: usize,
}

impl FamilyPolicy {
    /// Take in one reply message's payload (genlmsghdr, then attributes).
    pub fn add_message(&mut self, payload: &[u8], e: Endian) {
        if payload.get(..GENL_HDRLEN).map(|h| h.first()) != Some(Some(&ctrl::CMD_GETPOLICY)) {
            self.problems
                .push("a reply that is not CTRL_CMD_GETPOLICY, ignored".into());
            return;
        }
        let mut it = Attrs::from(payload, GENL_HDRLEN, e);
        for a in it.by_ref() {
            match a.ty {
                ctrl::ATTR_FAMILY_ID => {
                    if let Some(id) = e.u16(a.payload, 0) {
                        self.family_id = Some(id);
                    }
                }
                ctrl::ATTR_OP_POLICY => {
                    for op in Attrs::new(a.payload, e) {
                        if self.ops.len() >= MAX_ENTRIES {
                            self.problems
                                .push(format!("more than {MAX_ENTRIES} operations, rest ignored"));
                            return;
                        }
                        let mut entry = OpPolicy::default();
                        for p in Attrs::new(op.payload, e) {
                            let v = e.u32(p.payload, 0);
                            match p.ty {
                                ctrl::ATTR_POLICY_DO => entry.do_policy = v,
                                ctrl::ATTR_POLICY_DUMP => entry.dump_policy = v,
                                _ => {}
                            }
                        }
                        self.ops.push((u32::from(op.ty), entry));
                    }
                }
                ctrl::ATTR_POLICY => {
                    for idx in Attrs::new(a.payload, e) {
                        for at in Attrs::new(idx.payload, e) {
                            if self.entries >= MAX_ENTRIES {
                                self.problems.push(format!(
                                    "more than {MAX_ENTRIES} attribute policies, rest ignored"
                                ));
                                return;
                            }
                            self.entries += 1;
                            self.policies
                                .entry(u32::from(idx.ty))
                                .or_default()
                                .insert(at.ty, AttrPolicy::parse(at.payload, e));
                        }
                        // A policy without attributes still exists.
                        if let std::collections::btree_map::Entry::Vacant(v) =
                            self.policies.entry(u32::from(idx.ty))
                        {
                            if self.entries >= MAX_ENTRIES {
                                return;
                            }
                            self.entries += 1;
                            v.insert(BTreeMap::new());
                        }
                    }
                }
                _ => {}
            }
        }
        let (at, rest) = it.rest();
        if !rest.is_empty() {
            self.problems.push(format!(
                "{} bytes at offset {at} of a reply are not an attribute",
                rest.len()
            ));
        }
    }

    /// Policy indexes no operation refers to directly (nested ones, or the single policy of
    /// kernels before 5.10), in order.
    pub fn unreferenced(&self) -> Vec<u32> {
        self.policies
            .keys()
            .copied()
            .filter(|i| {
                !self
                    .ops
                    .iter()
                    .any(|(_, o)| o.do_policy == Some(*i) || o.dump_policy == Some(*i))
            })
            .collect()
    }

    /// Entries the kernel reported as op 0 with only a dump policy: dump-only operations.
    fn dump_only_zeros(&self) -> impl Iterator<Item = usize> + '_ {
        self.ops.iter().enumerate().filter_map(|(i, (op, p))| {
            (*op == 0 && p.do_policy.is_none() && p.dump_policy.is_some()).then_some(i)
        })
    }

    /// Give dump-only operations reported as op 0 their numbers. `family_ops` are the
    /// family's operations as CTRL_CMD_GETFAMILY lists them (`CTRL_ATTR_OP_ID`,
    /// `CTRL_ATTR_OP_FLAGS`), in the same order the policy dump walks them; its dump-only
    /// operations with a policy are matched in order. Returns false (and records a problem)
    /// when the counts differ and nothing was renumbered.
    pub fn fix_dump_only_ops(&mut self, family_ops: &[(u32, u32)]) -> bool {
        let zeros: Vec<usize> = self.dump_only_zeros().collect();
        if zeros.is_empty() {
            return true;
        }
        let dump_only: Vec<u32> = family_ops
            .iter()
            .filter(|(_, f)| {
                f & GENL_CMD_CAP_DUMP != 0
                    && f & GENL_CMD_CAP_DO == 0
                    && f & GENL_CMD_CAP_HASPOL != 0
            })
            .map(|(id, _)| *id)
            .collect();
        if dump_only.len() != zeros.len() {
            self.problems.push(format!(
                "the kernel reports {} dump-only operations as op 0, the family lists {}: \
                 left as op 0",
                zeros.len(),
                dump_only.len()
            ));
            return false;
        }
        for (i, id) in zeros.into_iter().zip(dump_only) {
            if let Some((op, _)) = self.ops.get_mut(i) {
                *op = id;
            }
        }
        true
    }

    /// For a dump asked about one operation: a dump-only entry reported as op 0 is that op.
    pub fn fix_single_op(&mut self, op: u32) {
        let zeros: Vec<usize> = self.dump_only_zeros().collect();
        for i in zeros {
            if let Some((o, _)) = self.ops.get_mut(i) {
                *o = op;
            }
        }
    }
}

/// `GENL_CMD_CAP_DO`: the operation has a `do` handler.
pub const GENL_CMD_CAP_DO: u32 = 0x02;
/// `GENL_CMD_CAP_DUMP`: the operation has a `dump` handler.
pub const GENL_CMD_CAP_DUMP: u32 = 0x04;
/// `GENL_CMD_CAP_HASPOL`: the operation has an attribute policy.
pub const GENL_CMD_CAP_HASPOL: u32 = 0x08;

/// nlctrl's `version` in the genlmsghdr of the requests.
const CTRL_VERSION: u8 = 2;

/// Which family a GETPOLICY request asks about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FamilyRef<'a> {
    /// `CTRL_ATTR_FAMILY_NAME`.
    Name(&'a str),
    /// `CTRL_ATTR_FAMILY_ID`.
    Id(u16),
}

/// The `CTRL_CMD_GETPOLICY` dump request for a family (and optionally one op, Linux 5.10+).
pub fn getpolicy_request(family: FamilyRef<'_>, op: Option<u32>, seq: u32) -> Vec<u8> {
    let mut b = MsgBuilder::new(GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_DUMP, seq, 0);
    b.push(&[ctrl::CMD_GETPOLICY, CTRL_VERSION, 0, 0]);
    match family {
        FamilyRef::Name(n) => b.attr_str(ctrl::ATTR_FAMILY_NAME, n),
        FamilyRef::Id(id) => b.attr_u16(ctrl::ATTR_FAMILY_ID, id),
    };
    if let Some(op) = op {
        b.attr_u32(ctrl::ATTR_OP, op);
    }
    b.finish()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::netlink::{Messages, nla};

    fn u64_attr(b: &mut MsgBuilder, ty: u16, v: u64) {
        b.attr(ty, &v.to_ne_bytes());
    }

    type Fill = Box<dyn Fn(&mut MsgBuilder)>;

    /// Replies the way the kernel writes them: op policies first, then one attribute per
    /// message.
    pub(crate) fn replies() -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let head = |b: &mut MsgBuilder| {
            b.push(&[ctrl::CMD_GETPOLICY, 1, 0, 0])
                .attr_u16(ctrl::ATTR_FAMILY_ID, 0x15);
        };
        for (op, d, dump) in [
            (1u16, Some(0u32), Some(0u32)),
            (2, Some(1), None),
            (0, None, Some(1)),
        ] {
            let mut b = MsgBuilder::new(GENL_ID_CTRL, 2, 1, 7);
            head(&mut b);
            let n = b.begin_nest(ctrl::ATTR_OP_POLICY);
            let o = b.begin_nest(op);
            if let Some(d) = d {
                b.attr_u32(ctrl::ATTR_POLICY_DO, d);
            }
            if let Some(d) = dump {
                b.attr_u32(ctrl::ATTR_POLICY_DUMP, d);
            }
            b.end_nest(o);
            b.end_nest(n);
            out.push(b.finish());
        }
        // policy 0: 1 = u32 with a mask; 2 = nested -> policy 2
        // policy 1: 1 = nul-string max 15; 3 = s16 range -5..=5
        // policy 2: 1 = u8 range 1..=3
        let entries: Vec<(u16, u16, Fill)> = vec![
            (
                0,
                1,
                Box::new(|b| {
                    b.attr_u32(NL_POLICY_TYPE_ATTR_TYPE, 4);
                    u64_attr(b, NL_POLICY_TYPE_ATTR_MASK, 0x7);
                }),
            ),
            (
                0,
                2,
                Box::new(|b| {
                    b.attr_u32(NL_POLICY_TYPE_ATTR_TYPE, 13)
                        .attr_u32(NL_POLICY_TYPE_ATTR_POLICY_IDX, 2)
                        .attr_u32(NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE, 1);
                }),
            ),
            (
                1,
                1,
                Box::new(|b| {
                    b.attr_u32(NL_POLICY_TYPE_ATTR_TYPE, 12)
                        .attr_u32(NL_POLICY_TYPE_ATTR_MAX_LENGTH, 15);
                }),
            ),
            (
                1,
                3,
                Box::new(|b| {
                    b.attr_u32(NL_POLICY_TYPE_ATTR_TYPE, 7);
                    b.attr(NL_POLICY_TYPE_ATTR_MIN_VALUE_S, &(-5i64).to_ne_bytes());
                    b.attr(NL_POLICY_TYPE_ATTR_MAX_VALUE_S, &5i64.to_ne_bytes());
                }),
            ),
            (
                2,
                1,
                Box::new(|b| {
                    b.attr_u32(NL_POLICY_TYPE_ATTR_TYPE, 2);
                    u64_attr(b, NL_POLICY_TYPE_ATTR_MIN_VALUE_U, 1);
                    u64_attr(b, NL_POLICY_TYPE_ATTR_MAX_VALUE_U, 3);
                }),
            ),
        ];
        for (idx, at, fill) in entries {
            let mut b = MsgBuilder::new(GENL_ID_CTRL, 2, 1, 7);
            head(&mut b);
            let n = b.begin_nest(ctrl::ATTR_POLICY);
            let i = b.begin_nest(idx);
            let a = b.begin_nest(at);
            fill(&mut b);
            b.end_nest(a);
            b.end_nest(i);
            b.end_nest(n);
            out.push(b.finish());
        }
        out
    }

    fn parse_all(msgs: &[Vec<u8>]) -> FamilyPolicy {
        let mut f = FamilyPolicy::default();
        for m in msgs {
            for msg in Messages::native(m) {
                f.add_message(msg.payload, Endian::native());
            }
        }
        f
    }

    #[test]
    fn replies_parse_into_ops_and_nested_policies() {
        let f = parse_all(&replies());
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        assert_eq!(f.family_id, Some(0x15));
        assert_eq!(
            f.ops[0],
            (
                1,
                OpPolicy {
                    do_policy: Some(0),
                    dump_policy: Some(0)
                }
            )
        );
        assert_eq!(f.ops[1].1.dump_policy, None);
        // The dump-only op comes as op 0; GETFAMILY's op list gives its number.
        assert_eq!(f.ops[2].0, 0);
        let mut g = f.clone();
        let (d, p) = (GENL_CMD_CAP_DO, GENL_CMD_CAP_HASPOL);
        assert!(g.fix_dump_only_ops(&[
            (1, d | GENL_CMD_CAP_DUMP | p),
            (2, d | p),
            (7, GENL_CMD_CAP_DUMP | p)
        ]));
        assert_eq!(g.ops[2].0, 7);
        let mut g = f.clone();
        assert!(!g.fix_dump_only_ops(&[(1, d | p)]));
        assert_eq!((g.ops[2].0, g.problems.len()), (0, 1));
        let mut g = f.clone();
        g.fix_single_op(9);
        assert_eq!(g.ops.iter().map(|o| o.0).collect::<Vec<_>>(), [1, 2, 9]);
        assert_eq!(f.policies.len(), 3);
        let p0 = &f.policies[&0];
        assert_eq!(p0[&1].type_name(), "u32");
        assert_eq!(p0[&1].mask, Some(7));
        assert_eq!(p0[&1].limits(), "mask 0x7");
        assert_eq!(
            (p0[&2].policy_idx, p0[&2].policy_maxtype),
            (Some(2), Some(1))
        );
        assert_eq!(p0[&2].type_name(), "nested");
        let p1 = &f.policies[&1];
        assert_eq!(p1[&1].limits(), "max length 15");
        assert_eq!(p1[&3].limits(), "range -5..=5");
        assert_eq!(f.policies[&2][&1].limits(), "range 1..=3");
        assert_eq!(f.unreferenced(), vec![2]);
        assert!(f.policies[&0][&1].natural_range());
        assert_eq!(f.policies[&1][&3].checked_bounds(), (Some(-5), Some(5)));
        let u = AttrPolicy {
            ty: 4,
            min_value_u: Some(1),
            max_value_u: Some(u32::MAX.into()),
            ..AttrPolicy::default()
        };
        assert_eq!(
            (u.checked_bounds(), u.natural_range()),
            ((Some(1), None), false)
        );
    }

    #[test]
    fn damage_and_other_commands_do_not_panic() {
        let all: Vec<u8> = replies().concat();
        for cut in 0..all.len() {
            let mut f = FamilyPolicy::default();
            for m in Messages::native(&all[..cut]) {
                f.add_message(m.payload, Endian::native());
            }
            let _ = f.unreferenced();
        }
        let mut f = FamilyPolicy::default();
        f.add_message(&[3, 1, 0, 0], Endian::native());
        f.add_message(&[], Endian::native());
        assert_eq!(f.problems.len(), 2);
        // Trailing garbage after the attributes is reported.
        let mut p = vec![ctrl::CMD_GETPOLICY, 1, 0, 0];
        p.extend(nla(Endian::native(), ctrl::ATTR_FAMILY_ID, &[0x15, 0]));
        p.extend([0xff, 0xff]);
        let mut f = FamilyPolicy::default();
        f.add_message(&p, Endian::native());
        assert_eq!(f.family_id, Some(0x15));
        assert_eq!(f.problems.len(), 1, "{:?}", f.problems);
        // Odd widths are skipped, unknown attributes ignored.
        let mut e = nla(Endian::native(), NL_POLICY_TYPE_ATTR_MIN_LENGTH, &[1, 2, 3]);
        e.extend(nla(Endian::native(), 99, &[1]));
        assert_eq!(
            AttrPolicy::parse(&e, Endian::native()),
            AttrPolicy::default()
        );
    }

    #[test]
    fn requests_name_the_family_and_op() {
        let r = getpolicy_request(FamilyRef::Name("ethtool"), Some(3), 9);
        let m = Messages::native(&r).next().unwrap();
        assert_eq!(
            (m.ty, m.flags, m.seq),
            (GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_DUMP, 9)
        );
        assert_eq!(m.payload[0], ctrl::CMD_GETPOLICY);
        let attrs: Vec<_> = Attrs::from(m.payload, GENL_HDRLEN, Endian::native()).collect();
        assert_eq!(attrs.len(), 2);
        assert_eq!(attrs[0].str(), "ethtool");
        assert_eq!(attrs[1].ty, ctrl::ATTR_OP);
        let r = getpolicy_request(FamilyRef::Id(0x15), None, 1);
        let m = Messages::native(&r).next().unwrap();
        let a = Attrs::from(m.payload, GENL_HDRLEN, Endian::native()).find(ctrl::ATTR_FAMILY_ID);
        assert_eq!(a, Some(&0x15u16.to_ne_bytes()[..]));
        assert_eq!(attr_type_name(12), "nul-string");
        assert_eq!(attr_type_name(99), "type 99");
    }
}
