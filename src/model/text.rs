//! Display texts built by hand where `format!` sits on the per-node path of every tree (its
//! formatting machinery cost ~14% of `-T tree`). Each function writes exactly what the
//! `format!` spelled beside it would.

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Append `v` as `0x` and lower-case hex digits, at least `min_digits` of them:
/// `format!("{v:#0w$x}")` with `w = min_digits + 2` (`min_digits` 1: `{v:#x}`).
pub fn push_hex(out: &mut String, v: u64, min_digits: usize) {
    let mut buf = [b'0'; 16];
    let mut n = 0;
    let mut x = v;
    while x != 0 || n == 0 {
        if let Some(slot) = buf.get_mut(15 - n) {
            *slot = DIGITS.get((x & 15) as usize).copied().unwrap_or(b'0');
        }
        x >>= 4;
        n += 1;
    }
    out.push_str("0x");
    for _ in n..min_digits {
        out.push('0');
    }
    // Only ASCII digits were written.
    out.push_str(std::str::from_utf8(buf.get(16 - n..).unwrap_or_default()).unwrap_or_default());
}

/// `format!("{prefix}{n}{suffix}")`.
pub fn num_text(prefix: &str, n: u64, suffix: &str) -> String {
    let mut ib = itoa::Buffer::new();
    let d = ib.format(n);
    let mut s = String::with_capacity(prefix.len() + d.len() + suffix.len());
    s.push_str(prefix);
    s.push_str(d);
    s.push_str(suffix);
    s
}

/// `v` in `unit`, divided by `scale` with as many decimals as the scale has zeros; the
/// kernel's integer follows in parentheses when scaled (`20.00 dBm (2000)`).
pub fn unit_text(v: u64, signed: bool, scale: u32, unit: &str) -> String {
    let neg = signed && (v as i64) < 0;
    let mag = if neg { (v as i64).unsigned_abs() } else { v };
    let sign = if neg { "-" } else { "" };
    if scale <= 1 {
        let mut s = String::with_capacity(22 + unit.len());
        s.push_str(sign);
        s.push_str(itoa::Buffer::new().format(mag));
        s.push(' ');
        s.push_str(unit);
        return s;
    }
    // `format!("{sign}{}.{:0digits$} {unit} ({raw})", mag / s, mag % s)`: a tree has one
    // per rate or time attribute.
    let digits = scale.ilog10() as usize;
    let s = u64::from(scale);
    let mut ib = itoa::Buffer::new();
    let mut out = String::with_capacity(32 + unit.len());
    out.push_str(sign);
    out.push_str(ib.format(mag / s));
    out.push('.');
    let frac = ib.format(mag % s);
    for _ in frac.len()..digits {
        out.push('0');
    }
    out.push_str(frac);
    out.push(' ');
    out.push_str(unit);
    out.push_str(" (");
    if signed {
        out.push_str(ib.format(v as i64));
    } else {
        out.push_str(ib.format(v));
    }
    out.push(')');
    out
}

/// Append `a` as dotted decimal: `format!("{}", Ipv4Addr::from(a))`.
pub fn push_ipv4(out: &mut String, a: [u8; 4]) {
    let mut ib = itoa::Buffer::new();
    for (i, x) in a.into_iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        out.push_str(ib.format(x));
    }
}

/// Append `b` as lower-case hex digits without separators.
pub fn push_hex_bytes(out: &mut String, b: &[u8]) {
    out.reserve(b.len() * 2);
    for x in b {
        for d in [x >> 4, x & 15] {
            out.push(char::from(
                DIGITS.get(usize::from(d)).copied().unwrap_or(b'0'),
            ));
        }
    }
}

/// `format!("{v:#x}")`.
pub fn hex_u64(v: u64) -> String {
    let mut s = String::with_capacity(18);
    push_hex(&mut s, v, 1);
    s
}

/// How a bit set's text ([`flags_text`]) ends, after the names written so far (`named`:
/// whether there was one): the bits `rest` left unnamed in hex as one more name, then the
/// value `v` in hex (`min_digits` as [`push_hex`]) in parentheses, or alone if nothing is named.
pub fn push_flags_end(out: &mut String, mut named: bool, rest: u64, v: u64, min_digits: usize) {
    if rest != 0 {
        if named {
            out.push('|');
        }
        push_hex(out, rest, 1);
        named = true;
    }
    if named {
        out.push_str(" (");
        push_hex(out, v, min_digits);
        out.push(')');
    } else {
        push_hex(out, v, min_digits);
    }
}

/// A bit set's text: the names joined by `|` and the value in hex in parentheses, or the
/// value alone without names (`format!("{} ({v:#0w$x})", names.join("|"))`).
pub fn flags_text<S: AsRef<str>>(names: &[S], v: u64, min_digits: usize) -> String {
    let mut s =
        String::with_capacity(names.iter().map(|n| n.as_ref().len() + 1).sum::<usize>() + 20);
    for (i, n) in names.iter().enumerate() {
        if i > 0 {
            s.push('|');
        }
        s.push_str(n.as_ref());
    }
    push_flags_end(&mut s, !names.is_empty(), 0, v, min_digits);
    s
}

/// `format!("{:?}", String::from_utf8_lossy(b))`: the text quoted, escaped as Rust's `Debug`
/// escapes it. Printable ASCII other than `"` and `\` is kept as it is by `Debug`, so such text
/// (nearly all) is only quoted; anything else goes through `Debug` itself.
pub fn quoted(b: &[u8]) -> String {
    if b.iter()
        .all(|c| (0x20..0x7f).contains(c) && *c != b'"' && *c != b'\\')
    {
        let mut s = String::with_capacity(b.len() + 2);
        s.push('"');
        s.push_str(std::str::from_utf8(b).unwrap_or_default());
        s.push('"');
        return s;
    }
    format!("{:?}", String::from_utf8_lossy(b))
}

/// Numbers for tests of hand-built texts: `edges`, then 2,000 of every magnitude (a xorshift
/// sequence, each shifted right by a varying amount).
/// Texts written once per key and appended again after that, for the first `N` keys met: a
/// kind of message shows few values of a column (its flags), so summaries keep their texts.
#[derive(Debug, Clone)]
pub struct Kept<K, const N: usize>(std::cell::RefCell<Vec<(K, Box<str>)>>);

impl<K, const N: usize> Default for Kept<K, N> {
    fn default() -> Self {
        Kept(std::cell::RefCell::default())
    }
}

impl<K: PartialEq, const N: usize> Kept<K, N> {
    /// Append the text of `key`: the kept one, else what `make` writes (kept while fewer than
    /// `N` are).
    pub fn push(&self, out: &mut String, key: K, make: impl FnOnce(&mut String)) {
        if let Some((_, t)) = self.0.borrow().iter().find(|(k, _)| *k == key) {
            out.push_str(t);
            return;
        }
        let start = out.len();
        make(out);
        let mut kept = self.0.borrow_mut();
        if kept.len() < N {
            kept.push((key, out.get(start..).unwrap_or_default().into()));
        }
    }
}

#[cfg(test)]
pub(crate) fn test_numbers(edges: &[u64]) -> Vec<u64> {
    let mut vals = edges.to_vec();
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..2000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        vals.push(x >> (x % 64));
    }
    vals
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_built_texts_are_what_format_writes() {
        let edges = [0u64, 1, 9, 10, 15, 16, 255, 256, 0xffff, 0x1_0000, u64::MAX];
        for v in test_numbers(&edges) {
            assert_eq!(hex_u64(v), format!("{v:#x}"));
            let mut s = String::new();
            push_hex(&mut s, v, 4);
            assert_eq!(s, format!("{v:#06x}"));
            let mut s = String::from("x");
            push_hex(&mut s, v, 8);
            assert_eq!(s, format!("x{v:#010x}"));
            let names = ["IFF_UP", "IFF_BROADCAST"];
            assert_eq!(
                flags_text(&names, v, 1),
                format!("{} ({v:#x})", names.join("|"))
            );
            assert_eq!(flags_text(&names[..1], v, 4), format!("IFF_UP ({v:#06x})"));
            assert_eq!(flags_text::<&str>(&[], v, 1), format!("{v:#x}"));
            assert_eq!(flags_text::<&str>(&[], v, 4), format!("{v:#06x}"));
            assert_eq!(num_text("attr ", v, ""), format!("attr {v}"));
            assert_eq!(
                num_text("nested, ", v, " attributes"),
                format!("nested, {v} attributes")
            );
            let b = v.to_le_bytes();
            let mut s = String::from("x");
            push_hex_bytes(&mut s, &b);
            let want: String = b.iter().map(|x| format!("{x:02x}")).collect();
            assert_eq!(s, format!("x{want}"));
            let a = (v as u32).to_be_bytes();
            let mut s = String::from("x");
            push_ipv4(&mut s, a);
            assert_eq!(s, format!("x{}", std::net::Ipv4Addr::from(a)));
        }
    }

    #[test]
    fn quoted_text_is_what_debug_writes() {
        let mut cases: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b"eth0".to_vec(),
            b"a \"b\" \\c".to_vec(),
            b"tab\there\nnl\r\x00\x1b\x7f".to_vec(),
            "caf\u{e9} \u{200b} \u{1f600}".as_bytes().to_vec(),
            b"\xff\xfe bad utf-8 \xc3".to_vec(),
        ];
        cases.extend((0u8..=255).map(|c| vec![b'x', c, b'y']));
        for b in cases {
            assert_eq!(
                quoted(&b),
                format!("{:?}", String::from_utf8_lossy(&b)),
                "{b:?}"
            );
        }
    }

    /// A scaled value with a unit reads as the `format!` it replaces spells it.
    #[test]
    fn scaled_units_are_what_format_writes() {
        let edges = [
            0u64,
            1,
            9,
            10,
            99,
            100,
            1001,
            u64::MAX,
            i64::MAX as u64,
            1 << 63,
        ];
        for v in test_numbers(&edges) {
            for signed in [false, true] {
                for scale in [1u32, 10, 100, 1000, 1_000_000] {
                    let neg = signed && (v as i64) < 0;
                    let mag = if neg { (v as i64).unsigned_abs() } else { v };
                    let sign = if neg { "-" } else { "" };
                    let want = if scale <= 1 {
                        format!("{sign}{mag} ms")
                    } else {
                        let digits = scale.ilog10() as usize;
                        let s = u64::from(scale);
                        let raw = if signed {
                            (v as i64).to_string()
                        } else {
                            v.to_string()
                        };
                        format!("{sign}{}.{:0digits$} ms ({raw})", mag / s, mag % s)
                    };
                    assert_eq!(unit_text(v, signed, scale, "ms"), want);
                }
            }
        }
    }
}
