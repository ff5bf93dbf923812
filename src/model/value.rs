use std::fmt::Write as _;
use std::net::Ipv6Addr;

/// A typed value of a dissection node.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// No value of its own (a container such as a nest or a struct).
    None,
    /// Unsigned integer.
    Uint(u64),
    /// Signed integer.
    Int(i64),
    /// Boolean (netlink flag attributes are `true` when present).
    Bool(bool),
    /// Text (strings without their terminating NUL).
    Str(String),
    /// Opaque bytes.
    Bytes(Vec<u8>),
    /// IPv4 address.
    Ipv4([u8; 4]),
    /// IPv6 address.
    Ipv6([u8; 16]),
    /// Ethernet hardware address.
    Mac([u8; 6]),
    /// A number with a symbolic name (enum member).
    Enum {
        /// Numeric value.
        value: i64,
        /// Name of the member (uapi constant), empty when the value has none.
        name: String,
    },
    /// A bit set with the names of the set bits.
    Flags {
        /// Numeric value.
        value: u64,
        /// Names of the set bits that have one.
        names: Vec<String>,
    },
}

impl Value {
    /// Human-readable rendering, as the text tree and the hex pane show it.
    pub fn display(&self) -> String {
        match self {
            Value::None => String::new(),
            Value::Uint(v) => itoa::Buffer::new().format(*v).to_owned(),
            Value::Int(v) => itoa::Buffer::new().format(*v).to_owned(),
            Value::Bool(v) => v.to_string(),
            Value::Str(s) => s.clone(),
            Value::Bytes(b) => hex(b),
            Value::Ipv4(a) => {
                let mut s = String::with_capacity(15);
                super::text::push_ipv4(&mut s, *a);
                s
            }
            Value::Ipv6(a) => Ipv6Addr::from(*a).to_string(),
            Value::Mac(m) => mac(m),
            Value::Enum { value, name } => enum_text(name, *value),
            // The value alone when the joined names are empty: none, or a single empty one.
            Value::Flags { value, names } => match names.as_slice() {
                [only] if only.is_empty() => super::text::hex_u64(*value),
                _ => super::text::flags_text(names, *value, 1),
            },
        }
    }

    /// Append the value as JSON to `out` (same mapping as [`Value::to_json`]); `display` is the
    /// node's rendering, reused for addresses and bytes so they are not formatted twice.
    pub fn write_json(&self, out: &mut String, display: &str) {
        match self {
            Value::None => out.push_str("null"),
            Value::Uint(v) => out.push_str(itoa::Buffer::new().format(*v)),
            Value::Int(v) => out.push_str(itoa::Buffer::new().format(*v)),
            Value::Bool(v) => out.push_str(if *v { "true" } else { "false" }),
            Value::Enum { value, .. } => out.push_str(itoa::Buffer::new().format(*value)),
            Value::Flags { value, .. } => out.push_str(itoa::Buffer::new().format(*value)),
            Value::Str(s) => json_str(out, s),
            Value::Bytes(b) => {
                out.push('"');
                out.push_str(&hex(b));
                out.push('"');
            }
            other => {
                if display.is_empty() {
                    json_str(out, &other.display())
                } else {
                    json_str(out, display)
                }
            }
        }
    }

    /// The value as JSON (numbers stay numbers, addresses and bytes become strings).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::None => J::Null,
            Value::Uint(v) => J::from(*v),
            Value::Int(v) => J::from(*v),
            Value::Bool(v) => J::Bool(*v),
            Value::Enum { value, .. } => J::from(*value),
            Value::Flags { value, .. } => J::from(*value),
            Value::Str(s) => J::String(s.clone()),
            other => J::String(other.display()),
        }
    }
}

/// Lower-case hex without separators.
pub fn hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 2);
    super::text::push_hex_bytes(&mut s, b);
    s
}

/// `aa:bb:cc:dd:ee:ff`.
pub fn mac(m: &[u8]) -> String {
    let mut s = String::with_capacity(m.len() * 3);
    for (i, x) in m.iter().enumerate() {
        if i > 0 {
            s.push(':');
        }
        super::text::push_hex_bytes(&mut s, std::slice::from_ref(x));
    }
    s
}

/// `NAME (v)`, or `v` alone without a name: how an enum value shows.
pub fn enum_text(name: &str, v: i64) -> String {
    let mut s = String::with_capacity(name.len() + 24);
    push_enum_text(&mut s, name, v);
    s
}

/// Append [`enum_text`] of `name` and `v` to `out`.
pub fn push_enum_text(out: &mut String, name: &str, v: i64) {
    let mut ib = itoa::Buffer::new();
    let d = ib.format(v);
    if !name.is_empty() {
        out.push_str(name);
        out.push_str(" (");
    }
    out.push_str(d);
    if !name.is_empty() {
        out.push(')');
    }
}

/// Append `v` as serde_json writes an `f64` (`json!(v)`: `null` unless finite), without
/// building a `Value` or going through `fmt` (a message's time, written for each).
pub fn json_f64(out: &mut String, v: f64) {
    use serde_json::ser::Formatter as _;
    if !v.is_finite() {
        out.push_str("null");
        return;
    }
    let mut buf = [0u8; 48];
    let mut w = std::io::Cursor::new(&mut buf[..]);
    let n = match serde_json::ser::CompactFormatter.write_f64(&mut w, v) {
        Ok(()) => w.position() as usize,
        Err(_) => 0,
    };
    match buf.get(..n).map(std::str::from_utf8) {
        Some(Ok(t)) if n > 0 => out.push_str(t),
        _ => {
            let _ = write!(out, "{}", serde_json::json!(v));
        }
    }
}

/// Append `s` as a JSON string literal (escapes as serde_json does).
pub fn json_str(out: &mut String, s: &str) {
    out.push('"');
    let b = s.as_bytes();
    let clean = clean_prefix(b);
    if clean == b.len() {
        out.push_str(s);
        out.push('"');
        return;
    }
    let mut start = 0;
    for (i, &c) in b.iter().enumerate().skip(clean) {
        // Only ASCII bytes need escaping, so slicing at them keeps UTF-8 boundaries.
        let esc: &str = match c {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if esc.is_empty() {
            let _ = write!(out, "\\u{:04x}", c);
        } else {
            out.push_str(esc);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// How many leading bytes of `b` need no JSON escape, eight at a time: most strings (names,
/// field paths, values) need none, and this is the hot loop of JSON output.
fn clean_prefix(b: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // A high bit per byte of `v` that is zero; a false one can only follow a true one.
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let mut n = 0;
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        let v = u64::from_le_bytes(w);
        // Bytes below 0x20, '"' and '\\'.
        let hit = (v.wrapping_sub(ONES * 0x20) & !v & HIGH)
            | zero(v ^ (ONES * u64::from(b'"')))
            | zero(v ^ (ONES * u64::from(b'\\')));
        if hit != 0 {
            break;
        }
        n += 8;
    }
    n + b
        .get(n..)
        .unwrap_or_default()
        .iter()
        .take_while(|&&c| c >= 0x20 && c != b'"' && c != b'\\')
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_f64_is_serde_json_s() {
        let values = [
            0.0,
            -0.0,
            1.0,
            0.1,
            1_733_578_822.123_456_7,
            1e-9,
            -2.5e-7,
            1e21,
            123_456_789_012_345_680_000.0,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        for v in values {
            let mut out = String::new();
            json_f64(&mut out, v);
            assert_eq!(out, serde_json::json!(v).to_string(), "{v}");
        }
    }

    /// A bit set shows as its names joined by `|` and the value in parentheses, or the value
    /// alone when the joined names are empty (as `format!` of the join wrote it).
    #[test]
    fn flags_display_is_the_joined_names_and_value() {
        for names in [
            vec![],
            vec![""],
            vec!["", ""],
            vec!["A", ""],
            vec!["A", "B"],
        ] {
            let known = names.join("|");
            let want = if known.is_empty() {
                format!("{:#x}", 0x41)
            } else {
                format!("{known} (0x41)")
            };
            let v = Value::Flags {
                value: 0x41,
                names: names.iter().map(|n| n.to_string()).collect(),
            };
            assert_eq!(v.display(), want, "{names:?}");
        }
    }

    /// Escapes as serde_json does, wherever the byte to escape sits in the eight-byte words.
    #[test]
    fn json_str_escapes_as_serde_json() {
        let parts = [
            "a", "\"", "\\", "\n", "\u{1}", "\u{1f}", " ", "é", "~", "\u{7f}", "→",
        ];
        for len in 0..20 {
            for k in 0..parts.len() {
                let s: String = (0..len).map(|i| parts[(i * 7 + k) % parts.len()]).collect();
                for pad in 0..9 {
                    let s = format!("{}{s}", "x".repeat(pad));
                    let mut out = String::new();
                    json_str(&mut out, &s);
                    assert_eq!(out, serde_json::to_string(&s).unwrap(), "{s:?}");
                }
            }
        }
    }

    #[test]
    fn json_strings_escape_like_serde() {
        for s in [
            "plain",
            "q\"uote",
            "back\\slash",
            "nl\n tab\t cr\r",
            "ctl\u{1}\u{8}\u{c}\u{1f}",
            "ü€😀",
            "",
        ] {
            let mut out = String::new();
            json_str(&mut out, s);
            assert_eq!(out, serde_json::to_string(s).unwrap(), "{s:?}");
            let back: String = serde_json::from_str(&out).unwrap();
            assert_eq!(back, s);
        }
    }

    #[test]
    fn hex_is_lowercase_pairs() {
        assert_eq!(hex(&[0, 0xab, 0x10, 0xff]), "00ab10ff");
    }
}
