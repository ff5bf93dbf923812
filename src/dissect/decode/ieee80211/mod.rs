//! IEEE 802.11 management frames and information elements (IEEE Std 802.11-2020 clause 9,
//! 802.11ax/be for HE/EHT/multi-link, the Wi-Fi Alliance's WPA, WMM and WPS layouts).
//! Integers are little-endian except inside WPS. Field paths follow Wireshark's `wlan.*`
//! names where it has one, so `wlan.ssid == "x"` means the same in both tools.

use crate::model::{Node, Severity, Value};

mod caps;
mod ext;
mod frame;
mod ht;
mod ies;
mod names;
mod rsn;
mod vendor;

#[cfg(test)]
mod tests;

/// Deepest nesting of element lists (multiple-BSSID profiles, multi-link per-STA profiles).
const MAX_DEPTH: usize = 4;

/// Children and summary of a payload of information elements at frame offset `base`.
pub fn decode_ies(b: &[u8], base: usize) -> (Vec<Node>, String) {
    let nodes = ies::elements(b, base, 0);
    let summary = ies::summary(&nodes);
    (nodes, summary)
}

/// Children and summary of a payload holding a whole 802.11 frame at frame offset `base`.
pub fn decode_frame(b: &[u8], base: usize) -> (Vec<Node>, String) {
    frame::frame(b, base)
}

/// Every field path the decoders emit.
pub fn fields() -> Vec<String> {
    let mut out: Vec<String> = [
        frame::FIELDS,
        ies::FIELDS,
        rsn::FIELDS,
        ht::FIELDS,
        ext::FIELDS,
        vendor::FIELDS,
    ]
    .iter()
    .flat_map(|f| f.iter())
    .map(|s| s.to_string())
    .collect();
    out.extend(vendor::wps_fields());
    out.sort();
    out.dedup();
    out
}

/// A reading position in a payload; `base` is the frame offset of `b[0]`. Reads that run
/// out of bytes push an expert over what is left, consume it, and return `None`, so decoders
/// stop with `?` and the tree says where and why.
pub(super) struct Rd<'a> {
    b: &'a [u8],
    base: usize,
    pos: usize,
}

impl<'a> Rd<'a> {
    pub(super) fn new(b: &'a [u8], base: usize) -> Self {
        Rd { b, base, pos: 0 }
    }

    /// Bytes not read yet.
    pub(super) fn left(&self) -> usize {
        self.b.len().saturating_sub(self.pos)
    }

    /// Frame offset of the next byte.
    pub(super) fn at(&self) -> usize {
        self.base + self.pos
    }

    /// The next `n` bytes without consuming them.
    pub(super) fn peek(&self, n: usize) -> Option<&'a [u8]> {
        self.b.get(self.pos..self.pos.checked_add(n)?)
    }

    /// Take `n` bytes, or push "`what` needs n bytes" and stop.
    pub(super) fn take(
        &mut self,
        out: &mut Vec<Node>,
        n: usize,
        what: &str,
        field: &str,
    ) -> Option<(usize, &'a [u8])> {
        match self.peek(n) {
            Some(s) => {
                let at = self.at();
                self.pos += n;
                Some((at, s))
            }
            None => {
                let left = self.left();
                out.push(Node::expert(
                    Severity::Error,
                    format!("{what} needs {n} bytes, {left} left"),
                    field.to_string(),
                    self.at(),
                    left,
                ));
                self.pos = self.b.len();
                None
            }
        }
    }

    /// A little-endian unsigned integer of `width` bytes as a node; returns the value.
    pub(super) fn uint(
        &mut self,
        out: &mut Vec<Node>,
        width: usize,
        name: &str,
        field: &str,
    ) -> Option<u64> {
        self.num(out, width, name, field, |v| (Value::Uint(v), v.to_string()))
    }

    /// An integer node whose value and display `present` makes.
    pub(super) fn num(
        &mut self,
        out: &mut Vec<Node>,
        width: usize,
        name: &str,
        field: &str,
        present: impl FnOnce(u64) -> (Value, String),
    ) -> Option<u64> {
        let (at, s) = self.take(out, width, name, field)?;
        let v = le(s);
        let (value, display) = present(v);
        let mut n = Node::new(name.to_string(), field.to_string(), value, at, width);
        n.display = display;
        out.push(n);
        Some(v)
    }

    /// A node over the next `n` bytes with the value and display `present` makes of them.
    pub(super) fn node(
        &mut self,
        out: &mut Vec<Node>,
        n: usize,
        name: &str,
        field: &str,
        present: impl FnOnce(&'a [u8]) -> (Value, String),
    ) -> Option<&'a [u8]> {
        let (at, s) = self.take(out, n, name, field)?;
        let (value, display) = present(s);
        let mut node = Node::new(name.to_string(), field.to_string(), value, at, n);
        node.display = display;
        out.push(node);
        Some(s)
    }

    /// A MAC address node.
    pub(super) fn mac(&mut self, out: &mut Vec<Node>, name: &str, field: &str) -> Option<[u8; 6]> {
        let s = self.node(out, 6, name, field, |s| {
            let v = mac_value(s);
            let d = v.display();
            (v, d)
        })?;
        s.try_into().ok()
    }

    /// The rest as a bytes node (none if nothing is left); `opaque` for keys, MICs, hashes.
    pub(super) fn rest(&mut self, out: &mut Vec<Node>, name: &str, field: &str, opaque: bool) {
        let n = self.left();
        if n == 0 {
            return;
        }
        if let Some((at, s)) = self.take(out, n, name, field) {
            let mut node = Node::new(
                name.to_string(),
                field.to_string(),
                Value::Bytes(s.to_vec()),
                at,
                n,
            );
            node.inherently_opaque = opaque;
            out.push(node);
        }
    }

    /// Bytes left after a decoded structure: a raw node with a note saying why.
    pub(super) fn trailing(&mut self, out: &mut Vec<Node>, field: &str, why: &str) {
        let n = self.left();
        if n == 0 {
            return;
        }
        if let Some((at, s)) = self.take(out, n, "trailing bytes", field) {
            let mut node = Node::new(
                "trailing bytes",
                format!("{field}.trailing"),
                Value::Bytes(s.to_vec()),
                at,
                n,
            );
            node.raw = true;
            node.set_expert(Severity::Note, format!("{n} bytes after {why}"));
            out.push(node);
        }
    }
}

/// Little-endian value of up to 8 bytes.
pub(super) fn le(s: &[u8]) -> u64 {
    s.iter()
        .rev()
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b))
}

/// Big-endian value of up to 8 bytes.
pub(super) fn be(s: &[u8]) -> u64 {
    s.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b))
}

/// Six bytes as a MAC address value (bytes if not six).
pub(super) fn mac_value(s: &[u8]) -> Value {
    match <[u8; 6]>::try_from(s) {
        Ok(m) => Value::Mac(m),
        Err(_) => Value::Bytes(s.to_vec()),
    }
}

/// An enum value with `name` (empty: unnamed) and its display `NAME (v)`.
pub(super) fn named(v: u64, name: Option<&str>) -> (Value, String) {
    let name = name.unwrap_or("").to_string();
    let value = Value::Enum {
        value: v as i64,
        name,
    };
    let d = value.display();
    (value, d)
}

/// A flags value from `(bit, name)` pairs; display `a|b (0x..)`.
pub(super) fn flags(v: u64, bits: &[(u32, &str)]) -> (Value, String) {
    let names: Vec<String> = bits
        .iter()
        .filter(|(b, _)| *b < 64 && v & (1u64 << b) != 0)
        .map(|(_, n)| (*n).to_string())
        .collect();
    let value = Value::Flags { value: v, names };
    let d = value.display();
    (value, d)
}

/// Bits `lo..=hi` of `v`.
pub(super) fn bits(v: u64, lo: u32, hi: u32) -> u64 {
    let w = hi.saturating_sub(lo) + 1;
    let mask = if w >= 64 { u64::MAX } else { (1u64 << w) - 1 };
    v.checked_shr(lo).unwrap_or(0) & mask
}

/// A leaf node for a bit field of a larger integer at `at..at + len`.
pub(super) fn bit_node(
    name: &str,
    field: &str,
    value: Value,
    display: String,
    at: usize,
    len: usize,
) -> Node {
    let mut n = Node::new(name.to_string(), field.to_string(), value, at, len);
    n.display = display;
    n
}
