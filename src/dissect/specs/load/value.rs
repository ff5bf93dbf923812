//! A spec document as the loader reads it: YAML (spec files) deserializes into it, the
//! embedded specs (packed by build.rs) are read into it. Mappings are small (a spec's objects have a
//! few keys) and kept in file order as pairs: looking a key up by scanning them costs less
//! than hashing it, and loading the specs is where every command starts (serde_norway's
//! `Value`, an IndexMap with SipHash, was ~20% of `read -c 1`).

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// One value of the document. Its strings borrow from the document where they can (the
/// embedded specs: ~40,000 of them at every start).
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Y<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Sequence(Vec<Y<'a>>),
    Mapping(Mapping<'a>),
}

/// A number as the document wrote it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Number {
    Int(i64),
    UInt(u64),
    Float(f64),
}

impl Number {
    pub(super) fn as_i64(self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(i),
            Number::UInt(u) => i64::try_from(u).ok(),
            Number::Float(_) => None,
        }
    }

    pub(super) fn as_u64(self) -> Option<u64> {
        match self {
            Number::Int(i) => u64::try_from(i).ok(),
            Number::UInt(u) => Some(u),
            Number::Float(_) => None,
        }
    }
}

/// A mapping's entries in document order (keys are distinct).
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct Mapping<'a>(Vec<(Y<'a>, Y<'a>)>);

impl<'a> Mapping<'a> {
    /// The value of the string key `key`.
    pub(super) fn get(&self, key: &str) -> Option<&Y<'a>> {
        self.0
            .iter()
            .find(|(k, _)| matches!(k, Y::String(s) if s == key))
            .map(|(_, v)| v)
    }

    /// The entries in document order.
    pub(super) fn iter(&self) -> impl Iterator<Item = (&Y<'a>, &Y<'a>)> {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl<'a> Y<'a> {
    pub(super) fn as_mapping(&self) -> Option<&Mapping<'a>> {
        match self {
            Y::Mapping(m) => Some(m),
            _ => None,
        }
    }

    pub(super) fn as_str(&self) -> Option<&str> {
        match self {
            Y::String(s) => Some(s),
            _ => None,
        }
    }

    pub(super) fn is_null(&self) -> bool {
        matches!(self, Y::Null)
    }
}

/// Nesting a packed document may have (serde_json's limit, for the JSON it replaced).
const MAX_DEPTH: usize = 128;

impl<'a> Y<'a> {
    /// The document build.rs packed (see [`super::packed`]), its strings borrowed from `bytes`.
    pub(super) fn unpack(bytes: &'a [u8]) -> Result<Y<'a>, String> {
        let mut r = Unpack {
            b: bytes,
            at: 0,
            strings: "",
        };
        let n = r.count()?;
        r.strings = std::str::from_utf8(r.take(n)?).map_err(|e| format!("strings: {e}"))?;
        let doc = r.value(0)?;
        if r.at != bytes.len() {
            return Err(format!("{} bytes after the document", bytes.len() - r.at));
        }
        Ok(doc)
    }
}

/// A reader of a packed document.
struct Unpack<'a> {
    b: &'a [u8],
    at: usize,
    strings: &'a str,
}

impl<'a> Unpack<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.saturating_add(n);
        let s = self
            .b
            .get(self.at..end)
            .ok_or_else(|| format!("truncated at byte {}", self.at))?;
        self.at = end;
        Ok(s)
    }

    fn eight(&mut self) -> Result<[u8; 8], String> {
        let mut a = [0; 8];
        a.copy_from_slice(self.take(8)?);
        Ok(a)
    }

    /// A length, offset or count; not trusted to size an allocation beyond the bytes left.
    fn count(&mut self) -> Result<usize, String> {
        let mut a = [0; 4];
        a.copy_from_slice(self.take(4)?);
        Ok(u32::from_le_bytes(a) as usize)
    }

    fn room(&self, n: usize) -> usize {
        n.min(self.b.len().saturating_sub(self.at))
    }

    fn value(&mut self, depth: usize) -> Result<Y<'a>, String> {
        use super::packed::*;
        if depth > MAX_DEPTH {
            return Err(format!("nested more than {MAX_DEPTH} deep"));
        }
        let at = self.at;
        let tag = self.take(1)?.first().copied().unwrap_or(NULL);
        Ok(match tag {
            NULL => Y::Null,
            FALSE => Y::Bool(false),
            TRUE => Y::Bool(true),
            INT => Y::Number(Number::Int(i64::from_le_bytes(self.eight()?))),
            UINT => Y::Number(Number::UInt(u64::from_le_bytes(self.eight()?))),
            FLOAT => Y::Number(Number::Float(f64::from_le_bytes(self.eight()?))),
            STR => {
                let (off, len) = (self.count()?, self.count()?);
                let s = self
                    .strings
                    .get(off..off.saturating_add(len))
                    .ok_or_else(|| format!("string at byte {at} is outside the strings"))?;
                Y::String(Cow::Borrowed(s))
            }
            SEQ => {
                let n = self.count()?;
                let mut v = Vec::with_capacity(self.room(n));
                for _ in 0..n {
                    v.push(self.value(depth + 1)?);
                }
                Y::Sequence(v)
            }
            MAP => {
                let n = self.count()?;
                let mut m = Vec::with_capacity(self.room(n));
                for _ in 0..n {
                    let k = self.value(depth + 1)?;
                    if !matches!(k, Y::String(_) | Y::Bool(_) | Y::Number(_)) {
                        return Err("a mapping key must be a string or a number".into());
                    }
                    m.push((k, self.value(depth + 1)?));
                }
                Y::Mapping(Mapping(m))
            }
            other => return Err(format!("unknown tag {other} at byte {at}")),
        })
    }
}

impl<'de> Deserialize<'de> for Y<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(YVisitor)
    }
}

struct YVisitor;

impl<'de> Visitor<'de> for YVisitor {
    type Value = Y<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML or JSON value")
    }

    fn visit_unit<E>(self) -> Result<Y<'de>, E> {
        Ok(Y::Null)
    }

    fn visit_none<E>(self) -> Result<Y<'de>, E> {
        Ok(Y::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Y<'de>, D::Error> {
        Y::deserialize(d)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Y<'de>, E> {
        Ok(Y::Bool(b))
    }

    fn visit_i64<E>(self, i: i64) -> Result<Y<'de>, E> {
        Ok(Y::Number(Number::Int(i)))
    }

    fn visit_u64<E>(self, u: u64) -> Result<Y<'de>, E> {
        Ok(Y::Number(Number::UInt(u)))
    }

    fn visit_f64<E>(self, f: f64) -> Result<Y<'de>, E> {
        Ok(Y::Number(Number::Float(f)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Y<'de>, E> {
        Ok(Y::String(Cow::Owned(s.to_string())))
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Y<'de>, E> {
        Ok(Y::String(Cow::Borrowed(s)))
    }

    fn visit_string<E>(self, s: String) -> Result<Y<'de>, E> {
        Ok(Y::String(Cow::Owned(s)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Y<'de>, A::Error> {
        // The size hint is the input's claim: not trusted for the allocation.
        let mut v = Vec::with_capacity(a.size_hint().unwrap_or(0).min(64));
        while let Some(e) = a.next_element()? {
            v.push(e);
        }
        Ok(Y::Sequence(v))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Y<'de>, A::Error> {
        let mut m: Vec<(Y<'de>, Y<'de>)> = Vec::with_capacity(a.size_hint().unwrap_or(0).min(64));
        // Keys seen, once a mapping is large enough that scanning them would cost more.
        let mut seen: Option<HashSet<String>> = None;
        while let Some((k, v)) = a.next_entry::<Y<'de>, Y<'de>>()? {
            if !matches!(k, Y::String(_) | Y::Bool(_) | Y::Number(_)) {
                return Err(de::Error::custom(
                    "a mapping key must be a string or a number",
                ));
            }
            let dup = match seen.as_mut() {
                Some(set) => key_id(&k).is_some_and(|id| !set.insert(id)),
                None => m.iter().any(|(s, _)| same_key(s, &k)),
            };
            if dup {
                return Err(de::Error::custom(format_args!(
                    "duplicate key {}",
                    Shown(&k)
                )));
            }
            m.push((k, v));
            if seen.is_none() && m.len() >= 16 {
                seen = Some(m.iter().filter_map(|(k, _)| key_id(k)).collect());
            }
        }
        Ok(Y::Mapping(Mapping(m)))
    }
}

/// What tells keys apart (a number by its value, however it was written); `None`: not a key
/// a spec has.
fn key_id(k: &Y<'_>) -> Option<String> {
    Some(match k {
        Y::String(s) => format!("s{s}"),
        Y::Bool(b) => format!("b{b}"),
        Y::Number(Number::Int(i)) => format!("n{i}"),
        Y::Number(Number::UInt(u)) => format!("n{u}"),
        Y::Number(Number::Float(f)) => format!("f{f}"),
        Y::Null | Y::Sequence(_) | Y::Mapping(_) => return None,
    })
}

/// Whether two keys are the same key (as [`key_id`] tells them apart).
fn same_key(a: &Y<'_>, b: &Y<'_>) -> bool {
    match (a, b) {
        (Y::String(x), Y::String(y)) => x == y,
        (Y::Bool(x), Y::Bool(y)) => x == y,
        (Y::Number(Number::Float(x)), Y::Number(Number::Float(y))) => x == y,
        (Y::Number(x), Y::Number(y)) => {
            let wide = |n: &Number| match n {
                Number::Int(i) => Some(i128::from(*i)),
                Number::UInt(u) => Some(i128::from(*u)),
                Number::Float(_) => None,
            };
            wide(x).is_some() && wide(x) == wide(y)
        }
        _ => false,
    }
}

/// A key as an error message shows it.
struct Shown<'a>(&'a Y<'a>);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Y::String(s) => write!(f, "'{s}'"),
            Y::Number(Number::Int(i)) => write!(f, "{i}"),
            Y::Number(Number::UInt(u)) => write!(f, "{u}"),
            other => write!(f, "{other:?}"),
        }
    }
}
