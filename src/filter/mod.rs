//! Wireshark-like display filters for netlink messages.
//!
//! A filter is compiled once with [`Filter::compile`] and then evaluated
//! against any number of messages with [`Filter::matches`]; evaluation does
//! not allocate.
//!
//! # Language
//!
//! * **Fields** are dotted names starting with a lowercase letter (`frame.number`,
//!   `nlmsg.type`, `rt-link.ifname`, `rt-link.linkinfo.kind`); later characters may be
//!   uppercase where a spec's member is (`tc.options.tc-sfq-qopt-v1.Wlog`). `-` is an
//!   ordinary name character. Wireshark names are accepted as aliases (see
//!   [`Filter::ALIASES`]), e.g. `netlink.hdr_type` means `nlmsg.type`.
//! * A bare field is an **existence test**: `rt-link.ifname`.
//! * **Comparisons**: `==` `!=` `<` `<=` `>` `>=` (or `eq ne lt le gt ge`),
//!   `contains`, bitwise test `field & value`, and set membership
//!   `field in {v1 v2, v3}` (commas optional). `matches` is rejected.
//! * **Logic**: `!`/`not`, `&&`/`and`, `||`/`or`, parentheses. `!` binds
//!   tightest, then `&&`, then `||`. Keywords (`and or not eq ne lt le gt
//!   ge contains matches in`) are lowercase only; quote them to use them as
//!   values.
//! * **Values** (always on the right of an operator): decimal (`-95`), hex
//!   (`0x1f`), float (`1795421574.5`), quoted strings with escapes
//!   `\" \\ \n \t \r \0 \' \xNN`, bare words (`RTM_GETLINK`, `veth0`,
//!   `to-kernel`), IPv4/IPv6 addresses with optional `/prefix`
//!   (`192.0.2.0/24`, `2001:db8::/32`), MAC addresses (`02:00:00:00:00:01`)
//!   and byte strings (`de:ad:be:ef`). A literal is parsed at compile time into
//!   every interpretation it admits; the field's runtime type picks one.
//!
//! # Semantics
//!
//! * A field may occur several times in a message. `f == v`, `f < v`,
//!   `f contains v`, `f & v` and `f in {..}` are true if **any** occurrence
//!   satisfies them.
//! * `f != v` is true if the field occurs and **no** occurrence equals `v`
//!   (Wireshark's `!==`/"all not equal"). A missing field makes every
//!   comparison, including `!=`, false; `!f` is true. Use `!(f == v)` for
//!   "absent or different".
//! * Numbers compare by value across `Uint`/`Int`/`Float` (negatives are
//!   handled); `Enum` matches a number by value and a word/string by name or
//!   alias (ASCII case-insensitive); `Flags == number` compares the whole
//!   value, while `Flags == NAME`, `contains NAME` and `& NAME` are true if
//!   **all** bits of the named mask are set (so `& NLM_F_DUMP` needs both
//!   `ROOT` and `MATCH`); `& number` is true if any bit is set.
//! * Strings: `==` exact, `contains` case-sensitive substring, `<`/`>`
//!   lexicographic. Bytes: `==`/`contains`/order on the byte-string literal (a
//!   quoted string stands for its UTF-8 bytes). Addresses: `==` with a
//!   `/prefix` literal is a network membership test.
//! * An empty or whitespace-only filter compiles to a filter that matches
//!   everything ([`Filter::is_empty`] returns true).

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// Maximum nesting depth of parentheses and `!`/`not` operators combined.
pub const MAX_DEPTH: usize = 64;

/// One occurrence of a field in a message, as supplied by a [`FieldSource`].
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue<'a> {
    /// Unsigned integer.
    Uint(u64),
    /// Signed integer.
    Int(i64),
    /// Floating point number (e.g. `frame.time` in seconds).
    Float(f64),
    /// Boolean; matches `true`/`false`/`1`/`0`.
    Bool(bool),
    /// UTF-8 text.
    Str(Cow<'a, str>),
    /// Raw bytes.
    Bytes(Cow<'a, [u8]>),
    /// IPv4 address.
    Ipv4([u8; 4]),
    /// IPv6 address.
    Ipv6([u8; 16]),
    /// Ethernet MAC address.
    Mac([u8; 6]),
    /// A number with a symbolic name: matches a number literal by value and a
    /// word or string by `name` or any of `aliases` (ASCII case-insensitive).
    Enum {
        /// Numeric value.
        value: i64,
        /// Symbolic name, e.g. `RTM_NEWLINK`.
        name: Cow<'a, str>,
        /// Extra accepted names, e.g. `newlink`.
        aliases: &'a [&'a str],
    },
    /// A bit set. `table` lists every known flag name with its mask (masks may
    /// span several bits, e.g. `("NLM_F_DUMP", 0x300)`); the names of the set
    /// flags are derived from it (see [`FieldValue::flag_names`]).
    Flags {
        /// The raw flag word.
        value: u64,
        /// All known flag names for this field with their masks.
        table: &'a [(&'a str, u64)],
    },
}

impl<'a> FieldValue<'a> {
    /// Borrowed string value.
    pub fn str(s: &'a str) -> Self {
        FieldValue::Str(Cow::Borrowed(s))
    }

    /// Borrowed bytes value.
    pub fn bytes(b: &'a [u8]) -> Self {
        FieldValue::Bytes(Cow::Borrowed(b))
    }

    /// Enum value with a borrowed name and no aliases.
    pub fn enumerated(value: i64, name: &'a str) -> Self {
        FieldValue::Enum {
            value,
            name: Cow::Borrowed(name),
            aliases: &[],
        }
    }

    /// Flags value with its table of known names.
    pub fn flags(value: u64, table: &'a [(&'a str, u64)]) -> Self {
        FieldValue::Flags { value, table }
    }

    /// For `Flags`, the names in the table whose whole mask is set in the
    /// value; empty for other variants.
    pub fn flag_names(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let (value, table): (u64, &'a [(&'a str, u64)]) = match self {
            FieldValue::Flags { value, table } => (*value, table),
            _ => (0, &[]),
        };
        table
            .iter()
            .filter(move |(_, m)| *m != 0 && value & m == *m)
            .map(|(n, _)| *n)
    }
}

/// A compile-time syntax or name error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    /// Offset in characters (not bytes) into the input, 0-based. May equal
    /// the input length for "end of filter" errors.
    pub pos: usize,
    /// Length in characters of the offending text (at least 1).
    pub len: usize,
    /// Human readable message.
    pub message: String,
}

impl FilterError {
    fn new(pos: usize, len: usize, message: impl Into<String>) -> Self {
        FilterError {
            pos,
            len: len.max(1),
            message: message.into(),
        }
    }

    /// Two-line caret diagram: the input (control characters shown as
    /// spaces), then carets under the offending text followed by the message.
    pub fn render(&self, input: &str) -> String {
        let line: String = input
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        format!(
            "{}\n{}{} {}",
            line,
            " ".repeat(self.pos),
            "^".repeat(self.len),
            self.message
        )
    }
}

impl fmt::Display for FilterError {
    /// `col N: message`, with a 1-based column.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "col {}: {}", self.pos + 1, self.message)
    }
}

impl std::error::Error for FilterError {}

/// Tells the compiler which (canonical) field names exist.
///
/// [`Filter::HEADER_FIELDS`] are always accepted, whatever the catalog says.
pub trait FieldCatalog {
    /// Whether `field` (canonical name) is a known field.
    fn is_known(&self, field: &str) -> bool;
    /// A close known name to suggest for an unknown `field`.
    fn suggest(&self, _field: &str) -> Option<String> {
        None
    }
}

/// A catalog that accepts every syntactically valid field name.
#[derive(Debug, Clone, Copy, Default)]
pub struct AnyField;

impl FieldCatalog for AnyField {
    fn is_known(&self, _field: &str) -> bool {
        true
    }
}

/// A fixed list of known names; suggests the closest name for typos.
impl FieldCatalog for &[&str] {
    fn is_known(&self, field: &str) -> bool {
        self.contains(&field)
    }
    fn suggest(&self, field: &str) -> Option<String> {
        suggest_field(field, self.iter().copied()).map(String::from)
    }
}

/// A fixed array of known names (e.g. `&["rt-link.ifname"]`).
impl<const N: usize> FieldCatalog for [&str; N] {
    fn is_known(&self, field: &str) -> bool {
        self.contains(&field)
    }
    fn suggest(&self, field: &str) -> Option<String> {
        suggest_field(field, self.iter().copied()).map(String::from)
    }
}

/// Supplies field occurrences of the message being tested.
pub trait FieldSource {
    /// Call `f` for each occurrence of `field` (canonical name) in the current
    /// message; stop early if `f` returns true; return whether any call
    /// returned true.
    fn any(&self, field: &str, f: &mut dyn FnMut(&FieldValue<'_>) -> bool) -> bool;
}

/// Map a Wireshark alias to its canonical field name (identity otherwise).
pub fn canonical_field_name(name: &str) -> &str {
    Filter::ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map_or(name, |(_, canon)| canon)
}

/// The closest name in `known` to `field` by edit distance, if close enough
/// to be a plausible typo.
pub fn suggest_field<'a>(field: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (field.chars().count() / 4).clamp(1, 3);
    known
        .into_iter()
        .map(|k| (edit_distance(field, k), k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Known names starting with `prefix`, sorted and deduplicated (for
/// interactive completion).
pub fn field_completions<'a>(
    prefix: &str,
    known: impl IntoIterator<Item = &'a str>,
) -> Vec<&'a str> {
    let mut v: Vec<&str> = known
        .into_iter()
        .filter(|k| k.starts_with(prefix))
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// A compiled display filter.
#[derive(Debug, Clone)]
pub struct Filter {
    root: Node,
    fields: Vec<Box<str>>,
}

impl Filter {
    /// Canonical names of the fields available without a dissection tree.
    pub const HEADER_FIELDS: &'static [&'static str] = &[
        "frame.number",
        "frame.time",
        "frame.time_relative",
        "netlink.family",
        "nlmsg.len",
        "nlmsg.type",
        "nlmsg.flags",
        "nlmsg.seq",
        "nlmsg.pid",
        "nlmsg.error",
        "nlmsg.direction",
        "genl.family",
        "genl.cmd",
        "frame.len",
    ];

    /// Wireshark field names and the canonical names they stand for.
    pub const ALIASES: &'static [(&'static str, &'static str)] = &[
        ("netlink.hdr_len", "nlmsg.len"),
        ("netlink.hdr_type", "nlmsg.type"),
        ("netlink.hdr_flags", "nlmsg.flags"),
        ("netlink.hdr_seq", "nlmsg.seq"),
        ("netlink.hdr_pid", "nlmsg.pid"),
        ("netlink.error", "nlmsg.error"),
    ];

    /// Compile `input`. Unknown fields (per `catalog`, header fields are always
    /// known) are errors. Empty/whitespace input yields a match-all filter.
    pub fn compile(input: &str, catalog: &dyn FieldCatalog) -> Result<Filter, FilterError> {
        let chars: Vec<char> = input.chars().collect();
        let toks = lex(&chars);
        let mut p = Parser {
            src: &chars,
            toks,
            i: 0,
            depth: 0,
            catalog,
            fields: Vec::new(),
        };
        if p.peek()?.tk == Tk::Eof {
            return Ok(Filter {
                root: Node::True,
                fields: Vec::new(),
            });
        }
        let root = p.parse_or()?;
        let t = p.peek()?;
        match t.tk {
            Tk::Eof => Ok(Filter {
                root,
                fields: p.fields,
            }),
            Tk::RParen => Err(FilterError::new(t.pos, t.len, "unmatched ')'")),
            _ => Err(FilterError::new(
                t.pos,
                t.len,
                format!(
                    "expected '&&', '||' or end of filter, found {}",
                    p.describe(&t)
                ),
            )),
        }
    }

    /// Whether the message exposed by `src` passes the filter.
    pub fn matches(&self, src: &dyn FieldSource) -> bool {
        self.eval(&self.root, src)
    }

    /// Every canonical field name the filter references (deduplicated, in
    /// order of first appearance).
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|f| &**f)
    }

    /// True for the match-all filter compiled from empty input.
    pub fn is_empty(&self) -> bool {
        matches!(self.root, Node::True)
    }

    /// Whether any referenced field is outside [`Filter::HEADER_FIELDS`].
    pub fn needs_tree(&self) -> bool {
        self.fields().any(|f| !Self::HEADER_FIELDS.contains(&f))
    }

    fn eval(&self, node: &Node, src: &dyn FieldSource) -> bool {
        match node {
            Node::True => true,
            Node::And(v) => v.iter().all(|n| self.eval(n, src)),
            Node::Or(v) => v.iter().any(|n| self.eval(n, src)),
            Node::Not(n) => !self.eval(n, src),
            Node::Exists(f) => src.any(&self.fields[*f], &mut |_| true),
            Node::Cmp {
                field,
                op: CmpOp::Ne,
                lit,
            } => {
                let mut seen = false;
                let eq = src.any(&self.fields[*field], &mut |v| {
                    seen = true;
                    value_eq(v, lit)
                });
                seen && !eq
            }
            Node::Cmp { field, op, lit } => {
                src.any(&self.fields[*field], &mut |v| compare(v, *op, lit))
            }
            Node::In { field, set } => src.any(&self.fields[*field], &mut |v| {
                set.iter().any(|l| value_eq(v, l))
            }),
        }
    }
}

#[derive(Debug, Clone)]
enum Node {
    True,
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Exists(usize),
    Cmp {
        field: usize,
        op: CmpOp,
        lit: Box<Literal>,
    },
    In {
        field: usize,
        set: Vec<Literal>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Contains,
    BitAnd,
}

// ---------------------------------------------------------------- literals

/// A value literal pre-parsed into every interpretation it admits.
#[derive(Debug, Clone)]
struct Literal {
    /// Text (None for a quoted string that is not valid UTF-8).
    text: Option<Box<str>>,
    /// Bytes for byte fields: decoded hex for bare `aa:bb`, else the string.
    raw: Box<[u8]>,
    int: Option<i128>,
    float: Option<f64>,
    /// Integer as a bit mask (negative values as two's complement).
    mask: Option<u64>,
    boolean: Option<bool>,
    ipv4: Option<([u8; 4], u8)>,
    ipv6: Option<([u8; 16], u8)>,
    mac: Option<[u8; 6]>,
}

impl Literal {
    fn bare(word: &str) -> Literal {
        let raw = parse_hex_bytes(word).unwrap_or_else(|| word.as_bytes().to_vec());
        Literal::from_text(Some(word), raw)
    }

    fn quoted(bytes: &[u8]) -> Literal {
        let text = std::str::from_utf8(bytes).ok();
        Literal::from_text(text, bytes.to_vec())
    }

    fn from_text(text: Option<&str>, raw: Vec<u8>) -> Literal {
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

    fn num_cmp_int(&self, x: i128) -> Option<Ordering> {
        match (self.int, self.float) {
            (Some(n), _) => Some(x.cmp(&n)),
            (None, Some(f)) => (x as f64).partial_cmp(&f),
            _ => None,
        }
    }

    fn num_cmp_float(&self, x: f64) -> Option<Ordering> {
        self.float.and_then(|f| x.partial_cmp(&f))
    }

    /// Text equals `name` or one of `aliases`, ASCII case-insensitively.
    fn names(&self, name: &str, aliases: &[&str]) -> bool {
        self.text.as_deref().is_some_and(|t| {
            name.eq_ignore_ascii_case(t) || aliases.iter().any(|a| a.eq_ignore_ascii_case(t))
        })
    }

    /// The literal names a flag of `table` whose whole mask is set in `value`.
    fn flag_set(&self, value: u64, table: &[(&str, u64)]) -> bool {
        let Some(t) = self.text.as_deref() else {
            return false;
        };
        table
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(t))
            .is_some_and(|(_, m)| *m != 0 && value & m == *m)
    }
}

fn parse_int(s: &str) -> Option<i128> {
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

fn parse_float(s: &str) -> Option<f64> {
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

fn split_prefix(s: &str, max: u8) -> Option<(&str, u8)> {
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

fn parse_ipv4(s: &str) -> Option<([u8; 4], u8)> {
    let (addr, plen) = split_prefix(s, 32)?;
    let a: Ipv4Addr = addr.parse().ok()?;
    Some((a.octets(), plen))
}

fn parse_ipv6(s: &str) -> Option<([u8; 16], u8)> {
    if !s.contains(':') {
        return None;
    }
    let (addr, plen) = split_prefix(s, 128)?;
    let a: Ipv6Addr = addr.parse().ok()?;
    Some((a.octets(), plen))
}

fn parse_mac(s: &str) -> Option<[u8; 6]> {
    let sep = if s.contains(':') { ':' } else { '-' };
    let mut out = [0u8; 6];
    let mut n = 0;
    for part in s.split(sep) {
        if n == 6 || part.is_empty() || part.len() > 2 {
            return None;
        }
        out[n] = u8::from_str_radix(part, 16).ok()?;
        n += 1;
    }
    (n == 6).then_some(out)
}

/// `aa`, `aa:bb:cc`: pairs of hex digits separated by `:`.
fn parse_hex_bytes(s: &str) -> Option<Vec<u8>> {
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

fn is_flag_name(s: &str) -> bool {
    let mut b = s.bytes();
    b.next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
}

// -------------------------------------------------------------- evaluation

fn prefix_match(a: &[u8], net: &[u8], plen: u8) -> bool {
    let full = usize::from(plen / 8);
    let rem = plen % 8;
    if a.len() < full || net.len() < full || a[..full] != net[..full] {
        return false;
    }
    if rem == 0 {
        return true;
    }
    match (a.get(full), net.get(full)) {
        (Some(x), Some(y)) => (x ^ y) & (0xffu8 << (8 - rem)) == 0,
        _ => false,
    }
}

fn find_sub(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

fn value_eq(v: &FieldValue<'_>, lit: &Literal) -> bool {
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

fn value_cmp(v: &FieldValue<'_>, lit: &Literal) -> Option<Ordering> {
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

fn value_contains(v: &FieldValue<'_>, lit: &Literal) -> bool {
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

fn value_bitand(v: &FieldValue<'_>, lit: &Literal) -> bool {
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

fn compare(v: &FieldValue<'_>, op: CmpOp, lit: &Literal) -> bool {
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

// ------------------------------------------------------------------- lexer

#[derive(Debug, Clone, PartialEq)]
enum Tk {
    LParen,
    RParen,
    LBrace,
    RBrace,
    Comma,
    Cmp(CmpOp),
    And,
    Or,
    Not,
    In,
    Matches,
    Word(String),
    Str(Vec<u8>),
    Eof,
    /// A lexical error; the parser reports it when it reaches it.
    Bad(String),
}

#[derive(Debug, Clone)]
struct Tok {
    tk: Tk,
    pos: usize,
    len: usize,
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | '/')
}

fn keyword(w: &str) -> Option<Tk> {
    Some(match w {
        "and" => Tk::And,
        "or" => Tk::Or,
        "not" => Tk::Not,
        "eq" => Tk::Cmp(CmpOp::Eq),
        "ne" => Tk::Cmp(CmpOp::Ne),
        "lt" => Tk::Cmp(CmpOp::Lt),
        "le" => Tk::Cmp(CmpOp::Le),
        "gt" => Tk::Cmp(CmpOp::Gt),
        "ge" => Tk::Cmp(CmpOp::Ge),
        "contains" => Tk::Cmp(CmpOp::Contains),
        "matches" => Tk::Matches,
        "in" => Tk::In,
        _ => return None,
    })
}

/// Tokenise; stops at the first lexical error (a `Bad` token). Always ends
/// with `Eof`.
fn lex(chars: &[char]) -> Vec<Tok> {
    let mut out = Vec::new();
    let n = chars.len();
    let mut i = 0;
    while i < n {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let next = chars.get(i + 1).copied();
        let (tk, len) = match c {
            '(' => (Tk::LParen, 1),
            ')' => (Tk::RParen, 1),
            '{' => (Tk::LBrace, 1),
            '}' => (Tk::RBrace, 1),
            ',' => (Tk::Comma, 1),
            '=' if next == Some('=') => (Tk::Cmp(CmpOp::Eq), 2),
            '=' => (
                Tk::Bad("'=' is not an operator; use '==' to compare".into()),
                1,
            ),
            '!' if next == Some('=') => (Tk::Cmp(CmpOp::Ne), 2),
            '!' => (Tk::Not, 1),
            '<' if next == Some('=') => (Tk::Cmp(CmpOp::Le), 2),
            '<' => (Tk::Cmp(CmpOp::Lt), 1),
            '>' if next == Some('=') => (Tk::Cmp(CmpOp::Ge), 2),
            '>' => (Tk::Cmp(CmpOp::Gt), 1),
            '&' if next == Some('&') => (Tk::And, 2),
            '&' => (Tk::Cmp(CmpOp::BitAnd), 1),
            '|' if next == Some('|') => (Tk::Or, 2),
            '|' => (
                Tk::Bad("'|' is not an operator; use '||' for logical or".into()),
                1,
            ),
            '"' => match lex_string(chars, i) {
                Ok((bytes, end)) => (Tk::Str(bytes), end - i),
                Err(e) => {
                    out.push(Tok {
                        tk: Tk::Bad(e.message),
                        pos: e.pos,
                        len: e.len,
                    });
                    break;
                }
            },
            c if is_word_char(c) => {
                let mut j = i;
                while j < n && is_word_char(chars[j]) {
                    j += 1;
                }
                let w: String = chars[i..j].iter().collect();
                (keyword(&w).unwrap_or(Tk::Word(w)), j - i)
            }
            c => (
                Tk::Bad(format!("unexpected character '{}'", c.escape_debug())),
                1,
            ),
        };
        let bad = matches!(tk, Tk::Bad(_));
        out.push(Tok { tk, pos: i, len });
        if bad {
            break;
        }
        i += len;
    }
    out.push(Tok {
        tk: Tk::Eof,
        pos: n,
        len: 1,
    });
    out
}

/// Lex a quoted string starting at `chars[start] == '"'`; returns the decoded
/// bytes and the index after the closing quote.
fn lex_string(chars: &[char], start: usize) -> Result<(Vec<u8>, usize), FilterError> {
    let unterminated = || {
        FilterError::new(
            start,
            chars.len() - start,
            "unterminated string (missing closing '\"')",
        )
    };
    let mut buf = Vec::new();
    let mut i = start + 1;
    loop {
        match chars.get(i) {
            None => return Err(unterminated()),
            Some('"') => return Ok((buf, i + 1)),
            Some('\\') => {
                let b = match chars.get(i + 1) {
                    None => return Err(unterminated()),
                    Some('"') => b'"',
                    Some('\\') => b'\\',
                    Some('\'') => b'\'',
                    Some('n') => b'\n',
                    Some('t') => b'\t',
                    Some('r') => b'\r',
                    Some('0') => 0,
                    Some('x') => {
                        let h: Option<u8> = match (chars.get(i + 2), chars.get(i + 3)) {
                            (Some(a), Some(b)) => a
                                .to_digit(16)
                                .zip(b.to_digit(16))
                                .map(|(a, b)| (a * 16 + b) as u8),
                            _ => None,
                        };
                        match h {
                            Some(h) => {
                                buf.push(h);
                                i += 4;
                                continue;
                            }
                            None => {
                                let len = (chars.len() - i).min(4);
                                return Err(FilterError::new(
                                    i,
                                    len,
                                    "invalid escape: '\\x' needs two hex digits",
                                ));
                            }
                        }
                    }
                    Some(c) => {
                        return Err(FilterError::new(
                            i,
                            2,
                            format!("invalid escape '\\{}' in string", c.escape_debug()),
                        ));
                    }
                };
                buf.push(b);
                i += 2;
            }
            Some(c) => {
                let mut tmp = [0u8; 4];
                buf.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
                i += 1;
            }
        }
    }
}

// ------------------------------------------------------------------ parser

struct Parser<'a> {
    src: &'a [char],
    toks: Vec<Tok>,
    i: usize,
    depth: usize,
    catalog: &'a dyn FieldCatalog,
    fields: Vec<Box<str>>,
}

fn valid_field_syntax(w: &str) -> bool {
    w.as_bytes().first().is_some_and(u8::is_ascii_lowercase)
        && w.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        && w.split('.')
            .all(|seg| !seg.is_empty() && !seg.starts_with('-') && !seg.ends_with('-'))
}

impl Parser<'_> {
    fn peek(&self) -> Result<Tok, FilterError> {
        let t = &self.toks[self.i.min(self.toks.len() - 1)];
        match &t.tk {
            Tk::Bad(m) => Err(FilterError::new(t.pos, t.len, m.clone())),
            _ => Ok(t.clone()),
        }
    }

    fn bump(&mut self) {
        if self.i + 1 < self.toks.len() {
            self.i += 1;
        }
    }

    fn text(&self, t: &Tok) -> String {
        let end = (t.pos + t.len).min(self.src.len());
        let start = t.pos.min(end);
        let s = &self.src[start..end];
        if s.len() > 40 {
            let mut out: String = s[..37].iter().collect();
            out.push_str("...");
            out
        } else {
            s.iter().collect()
        }
    }

    fn describe(&self, t: &Tok) -> String {
        match t.tk {
            Tk::Eof => "end of filter".into(),
            Tk::Str(_) => format!("string {}", self.text(t)),
            _ => format!("'{}'", self.text(t)),
        }
    }

    fn err(&self, t: &Tok, msg: impl Into<String>) -> FilterError {
        FilterError::new(t.pos, t.len, msg)
    }

    fn enter(&mut self, t: &Tok) -> Result<(), FilterError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(
                t,
                format!("nesting too deep (more than {MAX_DEPTH} levels of '(' and '!')"),
            ));
        }
        Ok(())
    }

    fn parse_or(&mut self) -> Result<Node, FilterError> {
        let mut items = Vec::new();
        loop {
            match self.parse_and()? {
                Node::Or(v) => items.extend(v),
                n => items.push(n),
            }
            if self.peek()?.tk != Tk::Or {
                break;
            }
            self.bump();
        }
        Ok(if items.len() == 1 {
            items.swap_remove(0)
        } else {
            Node::Or(items)
        })
    }

    fn parse_and(&mut self) -> Result<Node, FilterError> {
        let mut items = Vec::new();
        loop {
            match self.parse_unary()? {
                Node::And(v) => items.extend(v),
                n => items.push(n),
            }
            if self.peek()?.tk != Tk::And {
                break;
            }
            self.bump();
        }
        Ok(if items.len() == 1 {
            items.swap_remove(0)
        } else {
            Node::And(items)
        })
    }

    fn parse_unary(&mut self) -> Result<Node, FilterError> {
        let t = self.peek()?;
        if t.tk != Tk::Not {
            return self.parse_primary();
        }
        self.enter(&t)?;
        self.bump();
        let inner = self.parse_unary()?;
        self.depth -= 1;
        Ok(match inner {
            Node::Not(x) => *x,
            other => Node::Not(Box::new(other)),
        })
    }

    fn parse_primary(&mut self) -> Result<Node, FilterError> {
        let t = self.peek()?;
        match &t.tk {
            Tk::LParen => {
                self.enter(&t)?;
                self.bump();
                let e = self.parse_or()?;
                let c = self.peek()?;
                match c.tk {
                    Tk::RParen => self.bump(),
                    Tk::Eof => return Err(self.err(&t, "unclosed '(' (missing ')')")),
                    _ => {
                        return Err(self.err(
                            &c,
                            format!("expected ')' or an operator, found {}", self.describe(&c)),
                        ));
                    }
                }
                self.depth -= 1;
                Ok(e)
            }
            Tk::Word(w) => self.parse_field_test(&t, w),
            _ => {
                let after = match self.i.checked_sub(1).and_then(|j| self.toks.get(j)) {
                    Some(p) => format!(" after '{}'", self.text(p)),
                    None => String::new(),
                };
                Err(self.err(
                    &t,
                    format!(
                        "expected a field, '!' or '('{after}, found {}",
                        self.describe(&t)
                    ),
                ))
            }
        }
    }

    fn parse_field_test(&mut self, t: &Tok, w: &str) -> Result<Node, FilterError> {
        if !valid_field_syntax(w) {
            return Err(self.err(
                t,
                format!("expected a field name, found '{}'", self.text(t)),
            ));
        }
        let canon = canonical_field_name(w);
        if !Filter::HEADER_FIELDS.contains(&canon) && !self.catalog.is_known(canon) {
            let hint = self
                .catalog
                .suggest(canon)
                .or_else(|| {
                    suggest_field(canon, Filter::HEADER_FIELDS.iter().copied()).map(String::from)
                })
                .map(|s| format!("; did you mean '{s}'?"))
                .unwrap_or_default();
            return Err(self.err(t, format!("unknown field '{w}'{hint}")));
        }
        let field = match self.fields.iter().position(|f| **f == *canon) {
            Some(i) => i,
            None => {
                self.fields.push(canon.into());
                self.fields.len() - 1
            }
        };
        self.bump();
        let op_t = self.peek()?;
        match op_t.tk {
            Tk::Cmp(op) => {
                self.bump();
                let lit = self.parse_value(&op_t)?;
                if op == CmpOp::BitAnd
                    && lit.mask.is_none()
                    && !lit.text.as_deref().is_some_and(is_flag_name)
                {
                    return Err(self.err(
                        &self.toks[self.i - 1],
                        format!(
                            "bitwise '&' needs a number or a flag name, found {}",
                            self.describe(&self.toks[self.i - 1])
                        ),
                    ));
                }
                Ok(Node::Cmp {
                    field,
                    op,
                    lit: Box::new(lit),
                })
            }
            Tk::In => {
                self.bump();
                self.parse_set(field)
            }
            Tk::Matches => Err(self.err(
                &op_t,
                "'matches' (regular expressions) is not supported; use 'contains'",
            )),
            Tk::Word(_) | Tk::Str(_) => Err(self.err(
                &op_t,
                format!(
                    "expected an operator after '{w}', found {}",
                    self.describe(&op_t)
                ),
            )),
            _ => Ok(Node::Exists(field)),
        }
    }

    fn parse_value(&mut self, op_t: &Tok) -> Result<Literal, FilterError> {
        let t = self.peek()?;
        let lit = match &t.tk {
            Tk::Word(w) => Literal::bare(w),
            Tk::Str(b) => Literal::quoted(b),
            _ => {
                return Err(self.err(
                    &t,
                    format!(
                        "expected a value after '{}', found {}",
                        self.text(op_t),
                        self.describe(&t)
                    ),
                ));
            }
        };
        self.bump();
        Ok(lit)
    }

    fn parse_set(&mut self, field: usize) -> Result<Node, FilterError> {
        let open = self.peek()?;
        if open.tk != Tk::LBrace {
            return Err(self.err(
                &open,
                format!("expected '{{' after 'in', found {}", self.describe(&open)),
            ));
        }
        self.bump();
        let mut set = Vec::new();
        loop {
            let t = self.peek()?;
            match &t.tk {
                Tk::RBrace => {
                    if set.is_empty() {
                        return Err(self.err(&t, "empty set: expected a value before '}'"));
                    }
                    self.bump();
                    return Ok(Node::In { field, set });
                }
                Tk::Comma => self.bump(),
                Tk::Word(w) => {
                    set.push(Literal::bare(w));
                    self.bump();
                }
                Tk::Str(b) => {
                    set.push(Literal::quoted(b));
                    self.bump();
                }
                Tk::Eof => return Err(self.err(&open, "unclosed '{' (missing '}')")),
                _ => {
                    return Err(self.err(
                        &t,
                        format!(
                            "expected a value or '}}' in set, found {}",
                            self.describe(&t)
                        ),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: &[&str] = &[
        "rt-link.ifname",
        "rt-link.address",
        "rt-link.mtu",
        "rt-link.linkinfo.kind",
        "rt-addr.address",
        "rt-addr.local6",
        "nlctrl.family-name",
        "x.bytes",
        "x.bool",
        "x.neg",
    ];

    const NLM_FLAGS: &[(&str, u64)] = &[
        ("NLM_F_REQUEST", 0x1),
        ("NLM_F_MULTI", 0x2),
        ("NLM_F_ACK", 0x4),
        ("NLM_F_ECHO", 0x8),
        ("NLM_F_ROOT", 0x100),
        ("NLM_F_MATCH", 0x200),
        ("NLM_F_ATOMIC", 0x400),
        ("NLM_F_DUMP", 0x300),
    ];

    struct Msg(Vec<(&'static str, FieldValue<'static>)>);

    impl FieldSource for Msg {
        fn any(&self, field: &str, f: &mut dyn FnMut(&FieldValue<'_>) -> bool) -> bool {
            self.0
                .iter()
                .filter(|(n, _)| *n == field)
                .any(|(_, v)| f(v))
        }
    }

    fn msg() -> Msg {
        Msg(vec![
            ("frame.number", FieldValue::Uint(7)),
            ("frame.time", FieldValue::Float(1795421574.75)),
            ("netlink.family", FieldValue::enumerated(0, "route")),
            ("nlmsg.len", FieldValue::Uint(1240)),
            (
                "nlmsg.type",
                FieldValue::Enum {
                    value: 16,
                    name: Cow::Borrowed("RTM_NEWLINK"),
                    aliases: &["newlink"],
                },
            ),
            ("nlmsg.flags", FieldValue::flags(0x305, NLM_FLAGS)),
            ("nlmsg.seq", FieldValue::Uint(42)),
            ("nlmsg.pid", FieldValue::Uint(0)),
            ("nlmsg.error", FieldValue::Int(-95)),
            ("nlmsg.direction", FieldValue::enumerated(1, "from-kernel")),
            ("rt-link.ifname", FieldValue::str("lo")),
            ("rt-link.ifname", FieldValue::str("veth0")),
            ("rt-link.mtu", FieldValue::Uint(1500)),
            ("rt-link.linkinfo.kind", FieldValue::str("veth")),
            ("rt-link.address", FieldValue::Mac([2, 0, 0, 0, 0, 1])),
            ("rt-addr.address", FieldValue::Ipv4([192, 0, 2, 1])),
            (
                "rt-addr.local6",
                FieldValue::Ipv6("2001:db8::1".parse::<Ipv6Addr>().unwrap().octets()),
            ),
            ("nlctrl.family-name", FieldValue::str("say \"hi\"\n\\")),
            (
                "x.bytes",
                FieldValue::bytes(&[0xde, 0xad, 0xbe, 0xef, 0x41]),
            ),
            ("x.bool", FieldValue::Bool(true)),
            ("x.neg", FieldValue::Int(i64::MIN)),
        ])
    }

    fn compile(s: &str) -> Filter {
        match Filter::compile(s, &KNOWN) {
            Ok(f) => f,
            Err(e) => panic!("{s:?}: {}", e.render(s)),
        }
    }

    fn m(s: &str) -> bool {
        compile(s).matches(&msg())
    }

    fn yes(list: &[&str]) {
        for s in list {
            assert!(m(s), "expected match: {s}");
        }
    }

    fn no(list: &[&str]) {
        for s in list {
            assert!(!m(s), "expected no match: {s}");
        }
    }

    fn err(s: &str) -> FilterError {
        match Filter::compile(s, &KNOWN) {
            Ok(f) => panic!("{s:?} compiled: {f:?}"),
            Err(e) => e,
        }
    }

    fn err_at(s: &str, pos: usize, len: usize, needle: &str) {
        let e = err(s);
        assert_eq!((e.pos, e.len), (pos, len), "{s:?}: {}", e.render(s));
        assert!(
            e.message.contains(needle),
            "{s:?}: {:?} lacks {needle:?}",
            e.message
        );
    }

    #[test]
    fn numeric_comparisons() {
        yes(&[
            "frame.number == 7",
            "frame.number eq 7",
            "frame.number != 8",
            "frame.number ne 8",
            "frame.number < 8",
            "frame.number lt 8",
            "frame.number <= 7",
            "frame.number le 7",
            "frame.number > 6",
            "frame.number gt -6",
            "frame.number >= 7",
            "frame.number ge 7",
            "frame.number == 0x7",
            "frame.number == 0X07",
            "nlmsg.len == 0x4d8",
            "frame.number == 7.0",
            "frame.number < 7.5",
            "nlmsg.error == -95",
            "nlmsg.error==-95",
            "nlmsg.error < -94",
            "nlmsg.error > -0x60",
            "x.neg == -9223372036854775808",
            "x.neg < 0",
            "frame.time >= 1795421574.5",
            "frame.time < 1795421575",
            "frame.time > 1795421574",
            "frame.time == 1795421574.75",
        ]);
        no(&[
            "frame.number == 8",
            "frame.number != 7",
            "frame.number < 7",
            "frame.number > 7",
            "nlmsg.error == 95",
            "nlmsg.error > 0",
            "frame.number == -7",
            "frame.number == 99999999999999999999999999999999999999999",
            "frame.time == 1795421574",
            "frame.number == seven",
            "frame.number contains 7",
        ]);
    }

    #[test]
    fn strings() {
        yes(&[
            "rt-link.ifname == veth0",
            "rt-link.ifname == \"veth0\"",
            "rt-link.ifname == lo",
            "rt-link.ifname contains eth",
            "rt-link.ifname contains \"th0\"",
            "rt-link.linkinfo.kind == veth",
            "rt-link.linkinfo.kind > vet",
            "rt-link.linkinfo.kind < vetha",
            "rt-link.linkinfo.kind >= veth",
            "nlctrl.family-name == \"say \\\"hi\\\"\\n\\\\\"",
            "nlctrl.family-name contains \"\\x68i\"",
            "nlctrl.family-name contains \"\\\"\\x0a\"",
        ]);
        no(&[
            "rt-link.ifname == VETH0",
            "rt-link.ifname contains ETH",
            "rt-link.ifname == veth",
            "rt-link.ifname == \"veth0 \"",
            "rt-link.linkinfo.kind contains \"\\xff\"",
        ]);
    }

    #[test]
    fn multi_occurrence() {
        // == is "any occurrence equals"; != is "exists and none equals".
        yes(&[
            "rt-link.ifname == lo && rt-link.ifname == veth0",
            "rt-link.ifname != eth0",
            "!(rt-link.ifname == eth0)",
            "rt-link.ifname > m",
            "rt-link.ifname < m",
            "rt-link.ifname in {eth0 veth0}",
        ]);
        no(&[
            "rt-link.ifname != lo",
            "rt-link.ifname != veth0",
            "!(rt-link.ifname == lo)",
        ]);
    }

    #[test]
    fn missing_fields() {
        let empty = Msg(vec![]);
        for (s, expect) in [
            ("rt-link.ifname == lo", false),
            ("rt-link.ifname != lo", false),
            ("rt-link.ifname contains l", false),
            ("rt-link.ifname < zzz", false),
            ("rt-link.ifname", false),
            ("!rt-link.ifname", true),
            ("not rt-link.ifname", true),
            ("!(rt-link.ifname == lo)", true),
            ("", true),
        ] {
            assert_eq!(compile(s).matches(&empty), expect, "{s}");
        }
        yes(&["rt-link.ifname", "x.bytes", "nlmsg.flags"]);
        no(&["!rt-link.ifname", "rt-addr.local6 == 192.0.2.1"]);
    }

    #[test]
    fn logic_and_precedence() {
        yes(&[
            "frame.number == 7 && nlmsg.seq == 42",
            "frame.number == 7 and nlmsg.seq == 42",
            "frame.number == 8 || nlmsg.seq == 42",
            "frame.number == 8 or nlmsg.seq == 42",
            // && binds tighter than ||: true || (false && false)
            "frame.number == 7 || frame.number == 8 && frame.number == 9",
            // (false && false) || true
            "frame.number == 8 && frame.number == 9 || frame.number == 7",
            "!frame.number == 8",
            "!!frame.number",
            "not not not frame.number == 8",
            "!(frame.number == 8 || nlmsg.seq == 1)",
            "((frame.number == 7))",
            "(frame.number == 8 || nlmsg.seq == 42) && (rt-link.ifname == lo)",
        ]);
        no(&[
            // (true || false) && false
            "(frame.number == 7 || frame.number == 8) && frame.number == 9",
            "frame.number == 7 && nlmsg.seq == 41",
            "frame.number == 8 or nlmsg.seq == 41",
            "!frame.number",
            "!(frame.number == 7)",
            "not (frame.number == 7 and nlmsg.seq == 42)",
        ]);
    }

    #[test]
    fn no_spaces_and_arrays() {
        yes(&[
            "frame.number==7&&nlmsg.seq==42",
            "!rt-link.ifname||nlmsg.type==RTM_NEWLINK",
            "(nlmsg.error<=-95)&&nlmsg.flags&NLM_F_ACK",
            "rt-link.ifname==\"lo\"&&rt-addr.address==192.0.2.0/24",
        ]);
        let arr = ["rt-link.ifname"];
        assert!(Filter::compile("rt-link.ifname", &arr).is_ok());
        let e = Filter::compile("rt-link.ifnam", &arr).unwrap_err();
        assert!(e.message.contains("did you mean 'rt-link.ifname'"));
    }

    #[test]
    fn aliases() {
        yes(&[
            "netlink.hdr_len == 1240",
            "netlink.hdr_type == 16",
            "netlink.hdr_flags & NLM_F_ACK",
            "netlink.hdr_seq == 42",
            "netlink.hdr_pid == 0",
            "netlink.error == -95",
            "netlink.family == route",
        ]);
        let f = compile("netlink.hdr_type == 1 || nlmsg.type == 2 || netlink.hdr_seq");
        assert_eq!(f.fields().collect::<Vec<_>>(), ["nlmsg.type", "nlmsg.seq"]);
        assert_eq!(canonical_field_name("netlink.hdr_pid"), "nlmsg.pid");
        assert_eq!(canonical_field_name("rt-link.ifname"), "rt-link.ifname");
    }

    #[test]
    fn enums() {
        yes(&[
            "nlmsg.type == RTM_NEWLINK",
            "nlmsg.type == rtm_newlink",
            "nlmsg.type == \"RTM_NEWLINK\"",
            "nlmsg.type == newlink",
            "nlmsg.type == NEWLINK",
            "nlmsg.type == 16",
            "nlmsg.type == 0x10",
            "nlmsg.type >= 16",
            "nlmsg.type < 20",
            "nlmsg.type != RTM_GETLINK",
            "nlmsg.type in {RTM_GETLINK, RTM_NEWLINK}",
            "nlmsg.type in {18 16}",
            "nlmsg.type contains NEWLINK",
            "nlmsg.type & 0x10",
            "nlmsg.direction == from-kernel",
            "nlmsg.direction != to-kernel",
            "netlink.family == 0",
        ]);
        no(&[
            "nlmsg.type == RTM_GETLINK",
            "nlmsg.type == 18",
            "nlmsg.type == RTM_NEWLIN",
            "nlmsg.type < RTM_GETLINK",
            "nlmsg.type in {RTM_GETLINK 18}",
            "nlmsg.type & 0x1",
            "nlmsg.direction == to-kernel",
        ]);
    }

    #[test]
    fn flags() {
        // value 0x305 = REQUEST | ACK | ROOT | MATCH (= DUMP)
        yes(&[
            "nlmsg.flags & NLM_F_DUMP",
            "nlmsg.flags & nlm_f_ack",
            "nlmsg.flags & NLM_F_REQUEST",
            "nlmsg.flags & NLM_F_ROOT",
            "nlmsg.flags & \"NLM_F_ACK\"",
            "nlmsg.flags contains NLM_F_ACK",
            "nlmsg.flags == NLM_F_ACK",
            "nlmsg.flags == 0x305",
            "nlmsg.flags & 0x4",
            "nlmsg.flags & 0x6",
            "nlmsg.flags contains 0x5",
            "nlmsg.flags > 0x300",
            "nlmsg.flags != 0x5",
            "!(nlmsg.flags & NLM_F_MULTI)",
        ]);
        no(&[
            "nlmsg.flags & NLM_F_MULTI",
            "nlmsg.flags & NLM_F_ATOMIC",
            "nlmsg.flags & NLM_F_UNKNOWN",
            "nlmsg.flags == NLM_F_ECHO",
            "nlmsg.flags == 0x5",
            "nlmsg.flags & 0x2",
            "nlmsg.flags & 0",
            "nlmsg.flags contains 0x6",
        ]);
        let partial = Msg(vec![("nlmsg.flags", FieldValue::flags(0x101, NLM_FLAGS))]);
        assert!(!compile("nlmsg.flags & NLM_F_DUMP").matches(&partial));
        assert!(compile("nlmsg.flags & 0x300").matches(&partial));
        let v = FieldValue::flags(0x305, NLM_FLAGS);
        assert_eq!(
            v.flag_names().collect::<Vec<_>>(),
            [
                "NLM_F_REQUEST",
                "NLM_F_ACK",
                "NLM_F_ROOT",
                "NLM_F_MATCH",
                "NLM_F_DUMP"
            ]
        );
        assert_eq!(FieldValue::Uint(3).flag_names().count(), 0);
        // bit tests on plain integers
        yes(&["rt-link.mtu & 0x4", "x.bool & 1", "nlmsg.error & 1"]);
        no(&["rt-link.mtu & 0x1", "rt-link.ifname & 1"]);
    }

    #[test]
    fn addresses() {
        yes(&[
            "rt-addr.address == 192.0.2.1",
            "rt-addr.address == 192.0.2.0/24",
            "rt-addr.address == 192.0.2.1/32",
            "rt-addr.address == 192.0.0.0/22",
            "rt-addr.address == 0.0.0.0/0",
            "rt-addr.address == 192.0.2.255/24",
            "rt-addr.address != 198.51.100.0/24",
            "rt-addr.address > 192.0.1.255",
            "rt-addr.address in {10.0.0.0/8 192.0.2.0/25}",
            "rt-addr.local6 == 2001:db8::1",
            "rt-addr.local6 == 2001:DB8:0:0:0:0:0:1",
            "rt-addr.local6 == 2001:db8::/32",
            "rt-addr.local6 == 2001:db8::/127",
            "rt-addr.local6 == ::/0",
            "rt-addr.local6 < 2001:db8::2",
            "rt-link.address == 02:00:00:00:00:01",
            "rt-link.address == 2:0:0:0:0:1",
            "rt-link.address == 02-00-00-00-00-01",
            "rt-link.address contains 00:01",
            "rt-link.address < 02:00:00:00:00:02",
        ]);
        no(&[
            "rt-addr.address == 192.0.2.2",
            "rt-addr.address == 192.0.3.0/24",
            "rt-addr.address == 192.0.2.1/33",
            "rt-addr.address == 1.2.3",
            "rt-addr.address == \"192.0.2.1x\"",
            "rt-addr.local6 == 2001:db8::2",
            "rt-addr.local6 == 2001:db9::/32",
            "rt-addr.local6 == 2001:db8::1/129",
            "rt-addr.local6 == 192.0.2.1",
            "rt-link.address == 02:00:00:00:00:02",
            "rt-link.address == 02:00:00:00:00",
        ]);
    }

    #[test]
    fn bytes_and_bools() {
        yes(&[
            "x.bytes == de:ad:be:ef:41",
            "x.bytes == DE:AD:BE:EF:41",
            "x.bytes contains ad:be",
            "x.bytes contains be",
            "x.bytes contains \"A\"",
            "x.bytes contains \"\\xef\\x41\"",
            "x.bytes > de:ad",
            "x.bytes < df",
            "x.bool == true",
            "x.bool == TRUE",
            "x.bool == 1",
            "x.bool != false",
            "x.bool > 0",
        ]);
        no(&[
            "x.bytes == de:ad:be:ef",
            "x.bytes contains ad:ef",
            "x.bytes contains \"a\"",
            "x.bool == false",
            "x.bool == 0",
            "x.bool == yes",
        ]);
    }

    #[test]
    fn literal_interpretations() {
        let l = Literal::bare("-0x10");
        assert_eq!(l.int, Some(-16));
        assert_eq!(l.mask, Some((-16i64) as u64));
        assert_eq!(Literal::bare("1.5e3").float, Some(1500.0));
        assert_eq!(Literal::bare("inf").float, None);
        assert_eq!(Literal::bare("nan").float, None);
        assert_eq!(Literal::bare("1.2.3").float, None);
        assert_eq!(Literal::bare("1.2.3").ipv4, None);
        assert_eq!(Literal::bare("0x").int, None);
        assert_eq!(Literal::bare("-").int, None);
        assert_eq!(Literal::bare("aa:bb").raw[..], [0xaa, 0xbb]);
        assert_eq!(Literal::bare("aa:b").raw[..], *b"aa:b");
        assert_eq!(Literal::bare("10.0.0.0/8").ipv4, Some(([10, 0, 0, 0], 8)));
        assert_eq!(Literal::bare("::1").ipv6.map(|x| x.1), Some(128));
        assert!(Literal::bare("aa:bb:cc:dd:ee:ff").mac.is_some());
        assert!(Literal::bare("aa:bb:cc:dd:ee:ff").ipv6.is_none());
        assert!(Literal::quoted(b"\xff").text.is_none());
        assert_eq!(Literal::quoted(b"12").int, Some(12));
    }

    #[test]
    fn fields_and_needs_tree() {
        let f = compile("frame.number > 1 && (nlmsg.type == 16 || !nlmsg.flags)");
        assert!(!f.needs_tree());
        assert!(!f.is_empty());
        assert_eq!(
            f.fields().collect::<Vec<_>>(),
            ["frame.number", "nlmsg.type", "nlmsg.flags"]
        );
        let f = compile("nlmsg.type == 16 && rt-link.ifname == lo && rt-link.ifname");
        assert!(f.needs_tree());
        assert_eq!(f.fields().count(), 2);
        for s in ["", "   ", "\t\n"] {
            let f = compile(s);
            assert!(f.is_empty() && !f.needs_tree() && f.fields().count() == 0);
            assert!(f.matches(&msg()));
        }
        // header fields are known even if the catalog does not list them
        let none: &[&str] = &[];
        assert!(Filter::compile("frame.number == 1 && nlmsg.error", &none).is_ok());
        assert!(Filter::compile("foo.bar-baz_1.x2", &AnyField).is_ok());
    }

    #[test]
    fn errors() {
        err_at(
            "nlmsg.type == && x",
            14,
            2,
            "expected a value after '==', found '&&'",
        );
        err_at(
            "nlmsg.type ==",
            13,
            1,
            "expected a value after '==', found end of filter",
        );
        err_at("nlmsg.type eq", 13, 1, "after 'eq'");
        err_at("rt-link.ifname == \"abc", 18, 4, "unterminated string");
        err_at("rt-link.ifname == \"abc\\", 18, 5, "unterminated string");
        err_at("rt-link.ifname == \"a\\qb\"", 20, 2, "invalid escape '\\q'");
        err_at(
            "rt-link.ifname == \"a\\x4\"",
            20,
            4,
            "'\\x' needs two hex digits",
        );
        err_at(
            "rt-link.ifname == \"a\\x4",
            20,
            3,
            "'\\x' needs two hex digits",
        );
        err_at("(frame.number == 1", 0, 1, "unclosed '('");
        err_at("((frame.number == 1)", 0, 1, "unclosed '('");
        err_at("frame.number == 1)", 17, 1, "unmatched ')'");
        err_at(
            "(frame.number == 1 x)",
            19,
            1,
            "expected ')' or an operator",
        );
        err_at(
            "()",
            1,
            1,
            "expected a field, '!' or '(' after '(', found ')'",
        );
        err_at(
            "rt-link.ifnme == lo",
            0,
            13,
            "unknown field 'rt-link.ifnme'; did you mean 'rt-link.ifname'?",
        );
        err_at(
            "frame.number == 1 && rt-lnk.zzzzzzz",
            21,
            14,
            "unknown field 'rt-lnk.zzzzzzz'",
        );
        err_at("frame.numbr", 0, 11, "did you mean 'frame.number'?");
        err_at(
            "frame.number == 1 &&",
            20,
            1,
            "after '&&', found end of filter",
        );
        err_at(
            "frame.number == 1 ||",
            20,
            1,
            "after '||', found end of filter",
        );
        err_at("!", 1, 1, "after '!', found end of filter");
        err_at(
            "&& frame.number",
            0,
            2,
            "expected a field, '!' or '(', found '&&'",
        );
        err_at(
            "frame.number == 1 2",
            18,
            1,
            "expected '&&', '||' or end of filter, found '2'",
        );
        err_at(
            "frame.number 1",
            13,
            1,
            "expected an operator after 'frame.number', found '1'",
        );
        err_at("rt-link.ifname lo", 15, 2, "expected an operator");
        err_at("frame.number = 1", 13, 1, "use '=='");
        err_at("frame.number == 1 | x", 18, 1, "use '||'");
        err_at("frame.number == 1 ~ x", 18, 1, "unexpected character '~'");
        err_at("frame.number == 1 €", 18, 1, "unexpected character '€'");
        err_at(
            "7 == frame.number",
            0,
            1,
            "expected a field name, found '7'",
        );
        err_at("RTM_GETLINK", 0, 11, "expected a field name");
        err_at("rt-link..ifname", 0, 15, "expected a field name");
        err_at("rt-link.ifname-", 0, 15, "expected a field name");
        err_at("\"x\" == rt-link.ifname", 0, 3, "found string \"x\"");
        err_at("rt-link.ifname matches \"^v\"", 15, 7, "not supported");
        err_at(
            "rt-link.mtu & 1.2.3.4",
            14,
            7,
            "bitwise '&' needs a number or a flag name",
        );
        err_at(
            "nlmsg.type in RTM_GETLINK",
            14,
            11,
            "expected '{' after 'in'",
        );
        err_at("nlmsg.type in {1 2", 14, 1, "unclosed '{'");
        err_at("nlmsg.type in {}", 15, 1, "empty set");
        err_at(
            "nlmsg.type in {1 &&}",
            17,
            2,
            "expected a value or '}' in set",
        );
        err_at("nlmsg.type == and", 14, 3, "expected a value after '=='");
        // errors are reported left to right, even for lexical errors later on
        err_at("zz.q == \"unterminated", 0, 4, "unknown field 'zz.q'");
        // positions are in characters, not bytes
        err_at("rt-link.ifname == \"é\" &&", 24, 1, "found end of filter");
    }

    #[test]
    fn depth_limits() {
        let ok = format!(
            "{}frame.number{}",
            "(".repeat(MAX_DEPTH),
            ")".repeat(MAX_DEPTH)
        );
        assert!(compile(&ok).matches(&msg()));
        let ok = format!("{}frame.number", "!".repeat(MAX_DEPTH));
        assert!(compile(&ok).matches(&msg()));
        for n in [MAX_DEPTH + 1, 10_000, 200_000] {
            for (s, pos) in [
                (
                    format!("{}frame.number{}", "(".repeat(n), ")".repeat(n)),
                    64,
                ),
                ("(".repeat(n), 64),
                (format!("{}frame.number", "!".repeat(n)), 64),
                (format!("{}frame.number", "not ".repeat(n)), 256),
                (format!("{}frame.number", "!(".repeat(n)), 64),
            ] {
                let e = Filter::compile(&s, &KNOWN).unwrap_err();
                assert!(e.message.contains("nesting too deep"), "{}", e.message);
                assert_eq!(e.pos, pos, "{n}");
            }
        }
        // long flat chains are not nested and compile fine
        let long = vec!["frame.number == 7"; 20_000].join(" && ");
        assert!(compile(&long).matches(&msg()));
        let long = vec!["frame.number == 8"; 20_000].join(" || ");
        assert!(!compile(&long).matches(&msg()));
    }

    #[test]
    fn display_and_render() {
        let s = "nlmsg.type == && x";
        let e = err(s);
        assert_eq!(
            e.to_string(),
            "col 15: expected a value after '==', found '&&'"
        );
        assert_eq!(
            e.render(s),
            "nlmsg.type == && x\n              ^^ expected a value after '==', found '&&'"
        );
        let s = "a\tb";
        let e = Filter::compile(s, &AnyField).unwrap_err();
        assert_eq!(
            e.render(s),
            "a b\n  ^ expected an operator after 'a', found 'b'"
        );
    }

    #[test]
    fn helpers() {
        assert_eq!(
            suggest_field("rt-link.ifnme", KNOWN.iter().copied()),
            Some("rt-link.ifname")
        );
        assert_eq!(
            suggest_field("completely.else", KNOWN.iter().copied()),
            None
        );
        assert_eq!(
            field_completions("rt-link.", KNOWN.iter().copied()),
            [
                "rt-link.address",
                "rt-link.ifname",
                "rt-link.linkinfo.kind",
                "rt-link.mtu"
            ]
        );
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 33
        }
    }

    fn no_panic(s: &str) {
        for cat in [&KNOWN as &dyn FieldCatalog, &AnyField] {
            match Filter::compile(s, cat) {
                Ok(f) => {
                    f.matches(&msg());
                    f.matches(&Msg(vec![]));
                    let _ = f.needs_tree();
                }
                Err(e) => {
                    assert!(e.len >= 1);
                    assert!(e.pos <= s.chars().count(), "{s:?} {e:?}");
                    let _ = e.render(s);
                    let _ = e.to_string();
                }
            }
        }
    }

    #[test]
    fn fuzz_no_panic() {
        let complex = [
            "!(nlmsg.type in {RTM_NEWLINK, 0x10 \"x\\x41\"}) && (rt-link.ifname contains \"v\\teth\\\"\" || nlmsg.flags & NLM_F_DUMP) or not frame.time >= 1795421574.5",
            "rt-addr.address == 192.0.2.0/24 && rt-addr.local6 == 2001:db8::/32 || rt-link.address == 02:00:00:00:00:01 and x.bytes contains de:ad",
            "((nlmsg.error == -95) || netlink.hdr_flags & 0x300) && !x.bool && nlmsg.direction != to-kernel",
            "rt-link.ifname == \"é€\\\\\" || nlmsg.seq le 5 || nlmsg.pid ge 0x7fffffffffffffffffffffffffffffff",
        ];
        for s in complex {
            assert!(Filter::compile(s, &KNOWN).is_ok(), "{s}");
            let chars: Vec<char> = s.chars().collect();
            for i in 0..=chars.len() {
                no_panic(&chars[..i].iter().collect::<String>());
                no_panic(&chars[i..].iter().collect::<String>());
            }
        }
        let mut rng = Rng(0x5eed);
        let alphabet: Vec<char> = "()!&|=<>\"\\{},.:-/_ xaz09éA\t~".chars().collect();
        let vocab = [
            "(",
            ")",
            "!",
            "&&",
            "||",
            "&",
            "==",
            "!=",
            "<",
            ">=",
            "not",
            "and",
            "or",
            "in",
            "{",
            "}",
            ",",
            "contains",
            "matches",
            "\"",
            "\\",
            "frame.number",
            "rt-link.ifname",
            "nlmsg.flags",
            "NLM_F_DUMP",
            "-95",
            "0x",
            "1.5",
            "192.0.2.0/24",
            "::",
            "aa:bb",
            "\"s\\x4\"",
            "zz.q",
        ];
        for _ in 0..20_000 {
            let n = (rng.next() % 24) as usize;
            let s: String = match rng.next() % 3 {
                0 => {
                    let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                    String::from_utf8_lossy(&bytes).into_owned()
                }
                1 => (0..n)
                    .map(|_| alphabet[(rng.next() as usize) % alphabet.len()])
                    .collect(),
                _ => (0..n)
                    .map(|_| vocab[(rng.next() as usize) % vocab.len()])
                    .collect::<Vec<_>>()
                    .join(" "),
            };
            no_panic(&s);
        }
    }
}
