//! The embedded specs' packed form: build.rs parses each YAML file once and writes its document
//! in this tagged binary layout, which the loader reads back without parsing text (JSON, the
//! form before, was a third of loading the specs at every start). This file is also compiled
//! into build.rs (`#[path]`), so it uses nothing of the crate.
//!
//! A document is a u32 byte length and that many bytes of UTF-8, its strings one after
//! another (each once), then its top value. A value is a tag byte, then (numbers
//! little-endian):
//! - `NULL`, `FALSE`, `TRUE`: nothing more;
//! - `INT` (i64), `UINT` (u64), `FLOAT` (f64): 8 bytes, as serde gives the number;
//! - `STR`: the string's u32 offset and u32 byte length in the strings (checked as UTF-8
//!   once, not string by string);
//! - `SEQ`: a u32 count, then the items; `MAP`: a u32 count, then key and value for each entry,
//!   in document order. A YAML tag (`!foo x`) is a mapping of one entry, as serde writes it.

/// Null (and a value serde has no other form for).
pub const NULL: u8 = 0;
/// `false`.
pub const FALSE: u8 = 1;
/// `true`.
pub const TRUE: u8 = 2;
/// A negative integer.
pub const INT: u8 = 3;
/// A non-negative integer.
pub const UINT: u8 = 4;
/// A number with a fraction or exponent.
pub const FLOAT: u8 = 5;
/// A string.
pub const STR: u8 = 6;
/// A sequence.
pub const SEQ: u8 = 7;
/// A mapping.
pub const MAP: u8 = 8;

/// `v` packed; `None` when its strings or a collection are too long for u32 lengths.
#[cfg_attr(not(test), allow(dead_code))]
pub fn encode(v: &serde_norway::Value) -> Option<Vec<u8>> {
    let mut p = Packer::default();
    p.value(v)?;
    let mut out = Vec::with_capacity(4 + p.strings.len() + p.values.len());
    out.extend_from_slice(&u32::try_from(p.strings.len()).ok()?.to_le_bytes());
    out.extend_from_slice(p.strings.as_bytes());
    out.extend_from_slice(&p.values);
    Some(out)
}

#[derive(Default)]
#[cfg_attr(not(test), allow(dead_code))]
struct Packer {
    strings: String,
    at: std::collections::HashMap<String, u32>,
    values: Vec<u8>,
}

#[cfg_attr(not(test), allow(dead_code))]
impl Packer {
    fn value(&mut self, v: &serde_norway::Value) -> Option<()> {
        use serde_norway::Value;
        match v {
            Value::Null => self.values.push(NULL),
            Value::Bool(b) => self.values.push(if *b { TRUE } else { FALSE }),
            // As serde serializes them: non-negative integers as u64, negative ones as i64.
            Value::Number(n) => {
                let (tag, bytes) = match (n.as_u64(), n.as_i64()) {
                    (Some(u), _) => (UINT, u.to_le_bytes()),
                    (None, Some(i)) => (INT, i.to_le_bytes()),
                    (None, None) => (FLOAT, n.as_f64().unwrap_or(f64::NAN).to_le_bytes()),
                };
                self.values.push(tag);
                self.values.extend_from_slice(&bytes);
            }
            Value::String(s) => self.string(s)?,
            Value::Sequence(items) => {
                self.head(SEQ, items.len())?;
                for i in items {
                    self.value(i)?;
                }
            }
            Value::Mapping(m) => {
                self.head(MAP, m.len())?;
                for (k, v) in m {
                    self.value(k)?;
                    self.value(v)?;
                }
            }
            Value::Tagged(t) => {
                self.head(MAP, 1)?;
                self.string(&t.tag.to_string())?;
                self.value(&t.value)?;
            }
        }
        Some(())
    }

    fn head(&mut self, tag: u8, n: usize) -> Option<()> {
        self.values.push(tag);
        self.values
            .extend_from_slice(&u32::try_from(n).ok()?.to_le_bytes());
        Some(())
    }

    fn string(&mut self, s: &str) -> Option<()> {
        let off = match self.at.get(s) {
            Some(&o) => o,
            None => {
                let o = u32::try_from(self.strings.len()).ok()?;
                self.strings.push_str(s);
                self.at.insert(s.to_string(), o);
                o
            }
        };
        self.values.push(STR);
        self.values.extend_from_slice(&off.to_le_bytes());
        self.values
            .extend_from_slice(&u32::try_from(s.len()).ok()?.to_le_bytes());
        Some(())
    }
}
