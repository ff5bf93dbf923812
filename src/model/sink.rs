//! Where a shown tree goes when it is written as it is walked (`dissect::attrs::lines`):
//! `-T tree` text lines or the JSON contract's nodes, the same bytes [`Node::write_text`] and
//! [`Node::write_json`] give for the nodes it would have built.

use std::borrow::Cow;
use std::mem::MaybeUninit;

use super::node::{json_head, json_heads};
use super::{Node, json_str};

/// A node's name or field path: borrowed when interned (JSON's node heads are memoized for those).
pub type Name = Cow<'static, str>;

/// A node's value as JSON shows it.
#[derive(Debug, Clone, Copy)]
pub enum Val<'a> {
    /// No value of its own.
    Null,
    /// An unsigned number.
    Uint(u64),
    /// A signed number.
    Int(i64),
    /// Text (invalid UTF-8 replaced, as `Value::Str` holds it).
    Text(&'a [u8]),
    /// `true` (a flag attribute).
    True,
}

/// Where a shown tree goes as it is walked.
pub trait Sink {
    /// Whether nodes carry their field paths (JSON's do; text shows none).
    const FIELDS: bool;
    /// A node built whole, written with its children.
    fn node(&mut self, n: &Node);
    /// The heads of nodes named `names` at `fields` (interned lists, pairwise), made once, for
    /// [`Sink::open`] and [`Sink::number`]; `None` where a sink has no use for them.
    fn heads(
        &self,
        _names: &'static [&'static str],
        _fields: &'static [&'static str],
    ) -> Option<&'static [&'static str]> {
        None
    }
    /// Open a node whose display `show` writes (never empty), at `(offset, length)`; its
    /// children follow, then [`Sink::close`]. `head`: its name and field's, from
    /// [`Sink::heads`].
    fn open(
        &mut self,
        names: (&Name, &Name, Option<&'static str>),
        v: Val<'_>,
        show: impl FnOnce(&mut String),
        at: (usize, usize),
    );
    /// Open a node with neither value nor display (a nest, an array's element).
    fn open_bare(&mut self, names: (&Name, &Name, Option<&'static str>), at: (usize, usize));
    /// A node without children whose display is its number `v` (a `Val::Uint` or `Val::Int`).
    fn number(
        &mut self,
        names: (&Name, &Name, Option<&'static str>),
        v: Val<'_>,
        at: (usize, usize),
    );
    /// Close the node opened last.
    fn close(&mut self);
}

/// Digits `d` (below 100) as two characters: a copy of known length, made inline.
#[inline]
fn push_pair(out: &mut String, d: usize) {
    out.push_str(super::decimal::PAIRS.get(2 * d..2 * d + 2).unwrap_or("00"));
}

/// The decimal digits of `v` appended. Below 10,000 (most offsets, lengths and values) they
/// are pushed two at a time from a table: cheaper than formatting into a buffer and a copy
/// call of unknown length, or a character at a time.
#[inline]
pub(super) fn push_uint(out: &mut String, v: u64) {
    if v >= 10_000 {
        out.push_str(itoa::Buffer::new().format(v));
        return;
    }
    let v = v as usize;
    if v < 10 {
        out.push(char::from(b'0' + v as u8));
        return;
    }
    if v >= 100 {
        let hi = v / 100;
        if hi < 10 {
            out.push(char::from(b'0' + hi as u8));
        } else {
            push_pair(out, hi);
        }
    }
    push_pair(out, v % 100);
}

/// A number's digits (`Val::Uint`, `Val::Int`; nothing for the others).
#[inline]
fn push_number(out: &mut String, v: Val<'_>) {
    match v {
        Val::Uint(u) => push_uint(out, u),
        Val::Int(i) if i >= 0 => push_uint(out, i as u64),
        Val::Int(i) => out.push_str(itoa::Buffer::new().format(i)),
        _ => {}
    }
}

/// Spaces the deepest line written at once is indented with (16 levels).
const INDENT: usize = 64;

/// `name: number` on a line of its own at `depth`, written straight into `out`'s spare room:
/// the most common tree line (an integer attribute) took a capacity check per piece and a
/// loop per level. False (nothing written) below [`INDENT`]'s depth.
#[inline]
fn number_line(out: &mut String, depth: usize, name: &str, neg: bool, u: u64) -> bool {
    let indent = depth * 4;
    if indent > INDENT {
        return false;
    }
    let d = crate::model::decimal::digits(u);
    // The whole indentation is written, then the name over its tail.
    let need = INDENT + name.len() + 4 + d;
    out.reserve(need);
    // SAFETY: only ASCII (spaces, ": ", '-', digits, a newline) and the whole of `name` are
    // written, and `len` covers written bytes only.
    let v = unsafe { out.as_mut_vec() };
    let len = v.len();
    let Some(s) = v.spare_capacity_mut().get_mut(..need) else {
        return false;
    };
    // Byte by byte or in fixed-size pieces: a copy of unknown length is a `memcpy` call.
    #[inline(always)]
    fn byte(s: &mut [MaybeUninit<u8>], p: &mut usize, b: u8) {
        if let Some(m) = s.get_mut(*p) {
            m.write(b);
        }
        *p += 1;
    }
    let mut p = indent;
    if let Some(d) = s.first_chunk_mut::<INDENT>() {
        *d = [MaybeUninit::new(b' '); INDENT];
    }
    if let Some(d) = s.get_mut(p..p + name.len()) {
        d.write_copy_of_slice(name.as_bytes());
    }
    p += name.len();
    byte(s, &mut p, b':');
    byte(s, &mut p, b' ');
    if neg {
        byte(s, &mut p, b'-');
    }
    crate::model::decimal::put_digits(s, p + d, u);
    p += d;
    byte(s, &mut p, b'\n');
    // SAFETY: bytes up to `len + p` are written (above; `p <= need`).
    unsafe { v.set_len(len + p) };
    true
}

/// `-T tree` lines: four spaces a level, `name: display`.
pub struct TextSink<'o> {
    out: &'o mut String,
    depth: usize,
}

impl<'o> TextSink<'o> {
    /// Lines appended to `out`, the first level indented `depth` levels.
    pub fn new(out: &'o mut String, depth: usize) -> Self {
        TextSink { out, depth }
    }

    /// The text and the depth lines are written at now, to write lines of one's own there.
    pub fn out_at(&mut self) -> (&mut String, usize) {
        (&mut *self.out, self.depth)
    }

    fn name(&mut self, name: &str) {
        for _ in 0..self.depth {
            self.out.push_str("    ");
        }
        self.out.push_str(name);
    }
}

impl Sink for TextSink<'_> {
    const FIELDS: bool = false;

    fn node(&mut self, n: &Node) {
        n.write_text(self.out, self.depth);
    }

    #[inline]
    fn open(
        &mut self,
        (name, _, _): (&Name, &Name, Option<&'static str>),
        _v: Val<'_>,
        show: impl FnOnce(&mut String),
        _at: (usize, usize),
    ) {
        self.name(name);
        self.out.push_str(": ");
        show(self.out);
        self.out.push('\n');
        self.depth += 1;
    }

    #[inline]
    fn open_bare(
        &mut self,
        (name, _, _): (&Name, &Name, Option<&'static str>),
        _at: (usize, usize),
    ) {
        self.name(name);
        self.out.push('\n');
        self.depth += 1;
    }

    #[inline]
    fn number(
        &mut self,
        (name, _, _): (&Name, &Name, Option<&'static str>),
        v: Val<'_>,
        _at: (usize, usize),
    ) {
        let number = match v {
            Val::Uint(u) => Some((false, u)),
            Val::Int(i) => Some((i < 0, i.unsigned_abs())),
            _ => None,
        };
        if !number.is_some_and(|(neg, u)| number_line(self.out, self.depth, name, neg, u)) {
            self.name(name);
            self.out.push_str(": ");
            push_number(self.out, v);
            self.out.push('\n');
        }
    }

    #[inline]
    fn close(&mut self) {
        self.depth -= 1;
    }
}

/// JSON tree nodes, comma-separated inside the array `out` has open.
pub struct JsonSink<'o> {
    out: &'o mut String,
    /// A display is made here, then quoted into `out`.
    shown: String,
}

impl<'o> JsonSink<'o> {
    /// Nodes appended to `out`, which ends inside a JSON array (`[` or a node before).
    pub fn new(out: &'o mut String) -> Self {
        JsonSink {
            out,
            shown: String::new(),
        }
    }

    /// A comma unless the node is the first of its array.
    #[inline]
    fn sep(&mut self) {
        if !self.out.ends_with('[') {
            self.out.push(',');
        }
    }

    #[inline]
    fn head(&mut self, (name, field, head): (&Name, &Name, Option<&'static str>)) {
        self.sep();
        match head {
            Some(h) => self.out.push_str(h),
            None => json_head(self.out, name, field),
        }
    }

    /// A node's keys after its display (`lead`: what closes the display first), up to its
    /// children, or with none (`leaf`). Few pieces: each costs a copy call.
    #[inline]
    fn tail(&mut self, lead: &'static str, (offset, length): (usize, usize), leaf: bool) {
        self.out.push_str(lead);
        push_uint(self.out, offset as u64);
        self.out.push_str(",\"length\":");
        push_uint(self.out, length as u64);
        self.out.push_str(if leaf {
            ",\"raw\":false,\"expert\":null,\"children\":[]}"
        } else {
            ",\"raw\":false,\"expert\":null,\"children\":["
        });
    }
}

impl Sink for JsonSink<'_> {
    const FIELDS: bool = true;

    fn node(&mut self, n: &Node) {
        self.sep();
        n.write_json(self.out);
    }

    fn heads(
        &self,
        names: &'static [&'static str],
        fields: &'static [&'static str],
    ) -> Option<&'static [&'static str]> {
        json_heads(names, fields)
    }

    #[inline]
    fn open(
        &mut self,
        names: (&Name, &Name, Option<&'static str>),
        v: Val<'_>,
        show: impl FnOnce(&mut String),
        at: (usize, usize),
    ) {
        self.head(names);
        match v {
            Val::Null => self.out.push_str("null"),
            Val::Text(t) => json_str(self.out, &String::from_utf8_lossy(t)),
            Val::True => self.out.push_str("true"),
            num => push_number(self.out, num),
        }
        self.out.push_str(",\"display\":");
        let mut shown = std::mem::take(&mut self.shown);
        shown.clear();
        show(&mut shown);
        json_str(self.out, &shown);
        self.shown = shown;
        self.tail(",\"offset\":", at, false);
    }

    #[inline]
    fn open_bare(&mut self, names: (&Name, &Name, Option<&'static str>), at: (usize, usize)) {
        self.head(names);
        self.tail("null,\"display\":\"\",\"offset\":", at, false);
    }

    #[inline]
    fn number(
        &mut self,
        names: (&Name, &Name, Option<&'static str>),
        v: Val<'_>,
        at: (usize, usize),
    ) {
        self.head(names);
        push_number(self.out, v);
        self.out.push_str(",\"display\":\"");
        push_number(self.out, v);
        self.tail("\",\"offset\":", at, true);
    }

    #[inline]
    fn close(&mut self) {
        self.out.push_str("]}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pushed_digits_are_the_formatted_ones() {
        let mut values: Vec<u64> = (0..12_000).collect();
        values.extend([99_999, 100_000, 4_294_967_295, u64::MAX - 1, u64::MAX]);
        let mut out = String::new();
        for v in values {
            out.clear();
            push_uint(&mut out, v);
            assert_eq!(out, v.to_string());
        }
        for i in [0, 7, 9_999, 10_000, -1, -10_000, i64::MIN, i64::MAX] {
            out.clear();
            push_number(&mut out, Val::Int(i));
            assert_eq!(out, i.to_string());
        }
        out.clear();
        push_number(&mut out, Val::Null);
        assert_eq!(out, "");
    }
}
