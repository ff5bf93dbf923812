//! Comparing one field occurrence with a literal.

use std::cmp::Ordering;

use super::literals::Literal;
use super::{CmpOp, FieldValue};

pub(super) fn prefix_match(a: &[u8], net: &[u8], plen: u8) -> bool {
    let full = usize::from(plen / 8);
    let rem = plen % 8;
    match (a.get(..full), net.get(..full)) {
        (Some(x), Some(y)) if x == y => {}
        _ => return false,
    }
    if rem == 0 {
        return true;
    }
    match (a.get(full), net.get(full)) {
        (Some(x), Some(y)) => (x ^ y) & (0xffu8 << (8 - rem)) == 0,
        _ => false,
    }
}

pub(super) fn find_sub(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

pub(super) fn value_eq(v: &FieldValue<'_>, lit: &Literal) -> bool {
    match v {
        FieldValue::Uint(u) => lit.num_cmp_int(i128::from(*u)) == Some(Ordering::Equal),
        FieldValue::Int(i) => lit.num_cmp_int(i128::from(*i)) == Some(Ordering::Equal),
        FieldValue::Float(f) => lit.num_cmp_float(*f) == Some(Ordering::Equal),
        FieldValue::Bool(b) => lit.boolean == Some(*b),
        FieldValue::Str(s) => lit.text.as_deref() == Some(&**s),
        FieldValue::Bytes(b) => **b == *lit.raw,
        FieldValue::Ipv4(a) => lit
            .ipv4
            .is_some_and(|(net, plen)| prefix_match(a, &net, plen)),
        FieldValue::Ipv6(a) => lit
            .ipv6
            .is_some_and(|(net, plen)| prefix_match(a, &net, plen)),
        FieldValue::Mac(m) => lit.mac == Some(*m),
        FieldValue::Enum {
            value,
            name,
            aliases,
        } => {
            lit.num_cmp_int(i128::from(*value)) == Some(Ordering::Equal) || lit.names(name, aliases)
        }
        FieldValue::Flags { value, table } => match lit.int {
            Some(n) => i128::from(*value) == n,
            None => lit.flag_set(*value, table),
        },
    }
}

pub(super) fn value_cmp(v: &FieldValue<'_>, lit: &Literal) -> Option<Ordering> {
    match v {
        FieldValue::Uint(u) => lit.num_cmp_int(i128::from(*u)),
        FieldValue::Int(i) => lit.num_cmp_int(i128::from(*i)),
        FieldValue::Float(f) => lit.num_cmp_float(*f),
        FieldValue::Bool(b) => lit.num_cmp_int(i128::from(*b)),
        FieldValue::Str(s) => lit.text.as_deref().map(|t| (**s).cmp(t)),
        FieldValue::Bytes(b) => Some((**b).cmp(&*lit.raw)),
        FieldValue::Ipv4(a) => lit.ipv4.map(|(x, _)| a.cmp(&x)),
        FieldValue::Ipv6(a) => lit.ipv6.map(|(x, _)| a.cmp(&x)),
        FieldValue::Mac(m) => lit.mac.map(|x| m.cmp(&x)),
        FieldValue::Enum { value, .. } => lit.num_cmp_int(i128::from(*value)),
        FieldValue::Flags { value, .. } => lit.num_cmp_int(i128::from(*value)),
    }
}

pub(super) fn value_contains(v: &FieldValue<'_>, lit: &Literal) -> bool {
    match v {
        FieldValue::Str(s) => lit.text.as_deref().is_some_and(|t| s.contains(t)),
        FieldValue::Bytes(b) => find_sub(b, &lit.raw),
        FieldValue::Mac(m) => find_sub(m, &lit.raw),
        FieldValue::Enum { name, .. } => lit.text.as_deref().is_some_and(|t| name.contains(t)),
        FieldValue::Flags { value, table } => match lit.mask {
            Some(m) => value & m == m,
            None => lit.flag_set(*value, table),
        },
        _ => false,
    }
}

pub(super) fn value_bitand(v: &FieldValue<'_>, lit: &Literal) -> bool {
    let mask = lit.mask;
    match v {
        FieldValue::Uint(u) => mask.is_some_and(|m| u & m != 0),
        FieldValue::Int(i) => mask.is_some_and(|m| (*i as u64) & m != 0),
        FieldValue::Bool(b) => *b && mask.is_some_and(|m| m & 1 != 0),
        FieldValue::Enum { value, .. } => mask.is_some_and(|m| (*value as u64) & m != 0),
        FieldValue::Flags { value, table } => match mask {
            Some(m) => value & m != 0,
            None => lit.flag_set(*value, table),
        },
        _ => false,
    }
}

pub(super) fn compare(v: &FieldValue<'_>, op: CmpOp, lit: &Literal) -> bool {
    use Ordering::{Equal, Greater, Less};
    match op {
        CmpOp::Eq => value_eq(v, lit),
        CmpOp::Ne => !value_eq(v, lit),
        CmpOp::Lt => value_cmp(v, lit) == Some(Less),
        CmpOp::Le => matches!(value_cmp(v, lit), Some(Less | Equal)),
        CmpOp::Gt => value_cmp(v, lit) == Some(Greater),
        CmpOp::Ge => matches!(value_cmp(v, lit), Some(Greater | Equal)),
        CmpOp::Contains => value_contains(v, lit),
        CmpOp::BitAnd => value_bitand(v, lit),
    }
}
