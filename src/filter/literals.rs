//! Value literals, parsed at compile time into every interpretation they admit.

use std::cmp::Ordering;
use std::net::{Ipv4Addr, Ipv6Addr};

/// A value literal pre-parsed into every interpretation it admits.
#[derive(Debug, Clone)]
pub(super) struct Literal {
    /// Text (None for a quoted string that is not valid UTF-8).
    pub(super) text: Option<Box<str>>,
    /// Bytes for byte fields: decoded hex for bare `aa:bb`, else the string.
    pub(super) raw: Box<[u8]>,
    pub(super) int: Option<i128>,
    pub(super) float: Option<f64>,
    /// Integer as a bit mask (negative values as two's complement).
    pub(super) mask: Option<u64>,
    pub(super) boolean: Option<bool>,
    pub(super) ipv4: Option<([u8; 4], u8)>,
    pub(super) ipv6: Option<([u8; 16], u8)>,
    pub(super) mac: Option<[u8; 6]>,
}

impl Literal {
    pub(super) fn bare(word: &str) -> Literal {
        let raw = parse_hex_bytes(word).unwrap_or_else(|| word.as_bytes().to_vec());
        Literal::from_text(Some(word), raw)
    }

    pub(super) fn quoted(bytes: &[u8]) -> Literal {
        let text = std::str::from_utf8(bytes).ok();
        Literal::from_text(text, bytes.to_vec())
    }

    pub(super) fn from_text(text: Option<&str>, raw: Vec<u8>) -> Literal {
        let t = text.unwrap_or("");
        let int = text.and_then(parse_int);
        let float = match int {
            Some(i) => Some(i as f64),
            None => text.and_then(parse_float),
        };
        let mask = int.and_then(|i| {
            u64::try_from(i)
                .ok()
                .or_else(|| i64::try_from(i).ok().map(|v| v as u64))
        });
        let boolean = if t.eq_ignore_ascii_case("true") || int == Some(1) {
            Some(true)
        } else if t.eq_ignore_ascii_case("false") || int == Some(0) {
            Some(false)
        } else {
            None
        };
        Literal {
            text: text.map(Box::from),
            raw: raw.into_boxed_slice(),
            int,
            float,
            mask,
            boolean,
            ipv4: text.and_then(parse_ipv4),
            ipv6: text.and_then(parse_ipv6),
            mac: text.and_then(parse_mac),
        }
    }

    pub(super) fn num_cmp_int(&self, x: i128) -> Option<Ordering> {
        match (self.int, self.float) {
            (Some(n), _) => Some(x.cmp(&n)),
            (None, Some(f)) => (x as f64).partial_cmp(&f),
            _ => None,
        }
    }

    pub(super) fn num_cmp_float(&self, x: f64) -> Option<Ordering> {
        self.float.and_then(|f| x.partial_cmp(&f))
    }

    /// Text equals `name` or one of `aliases`, ASCII case-insensitively.
    pub(super) fn names(&self, name: &str, aliases: &[&str]) -> bool {
        self.text.as_deref().is_some_and(|t| {
            name.eq_ignore_ascii_case(t) || aliases.iter().any(|a| a.eq_ignore_ascii_case(t))
        })
    }

    /// The literal names a flag of `table` whose whole mask is set in `value`.
    pub(super) fn flag_set(&self, value: u64, table: &[(&str, u64)]) -> bool {
        let Some(t) = self.text.as_deref() else {
            return false;
        };
        table
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(t))
            .is_some_and(|(_, m)| *m != 0 && value & m == *m)
    }
}

pub(super) fn parse_int(s: &str) -> Option<i128> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let v = if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        if h.is_empty() || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u128::from_str_radix(h, 16).ok()?
    } else {
        if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        body.parse::<u128>().ok()?
    };
    let v = i128::try_from(v).ok()?;
    Some(if neg { -v } else { v })
}

pub(super) fn parse_float(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let body = s.strip_prefix('-').unwrap_or(s).as_bytes();
    let starts_ok = match body {
        [d, ..] if d.is_ascii_digit() => true,
        [b'.', d, ..] if d.is_ascii_digit() => true,
        _ => false,
    };
    if !starts_ok
        || !b
            .iter()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'-' | b'+' | b'e' | b'E'))
    {
        return None;
    }
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

pub(super) fn split_prefix(s: &str, max: u8) -> Option<(&str, u8)> {
    match s.split_once('/') {
        None => Some((s, max)),
        Some((addr, p)) => {
            if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let p: u8 = p.parse().ok()?;
            (p <= max).then_some((addr, p))
        }
    }
}

pub(super) fn parse_ipv4(s: &str) -> Option<([u8; 4], u8)> {
    let (addr, plen) = split_prefix(s, 32)?;
    let a: Ipv4Addr = addr.parse().ok()?;
    Some((a.octets(), plen))
}

pub(super) fn parse_ipv6(s: &str) -> Option<([u8; 16], u8)> {
    if !s.contains(':') {
        return None;
    }
    let (addr, plen) = split_prefix(s, 128)?;
    let a: Ipv6Addr = addr.parse().ok()?;
    Some((a.octets(), plen))
}

pub(super) fn parse_mac(s: &str) -> Option<[u8; 6]> {
    let sep = if s.contains(':') { ':' } else { '-' };
    let mut out = [0u8; 6];
    let mut n = 0;
    for part in s.split(sep) {
        if n == 6 || part.is_empty() || part.len() > 2 {
            return None;
        }
        *out.get_mut(n)? = u8::from_str_radix(part, 16).ok()?;
        n += 1;
    }
    (n == 6).then_some(out)
}

/// `aa`, `aa:bb:cc`: pairs of hex digits separated by `:`.
pub(super) fn parse_hex_bytes(s: &str) -> Option<Vec<u8>> {
    s.split(':')
        .map(|p| {
            if p.len() == 2 && p.bytes().all(|b| b.is_ascii_hexdigit()) {
                u8::from_str_radix(p, 16).ok()
            } else {
                None
            }
        })
        .collect()
}

pub(super) fn is_flag_name(s: &str) -> bool {
    let mut b = s.bytes();
    b.next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
}
