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
use std::fmt;

mod eval;
mod fields;
mod lexer;
mod literals;
mod parser;

use eval::{compare, value_eq};
use lexer::{Tk, lex};
use literals::Literal;
use parser::Parser;

pub use fields::{
    AnyField, FieldCatalog, FieldSource, canonical_field_name, field_completions, suggest_field,
};

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
        "frame.marked",
        "nlmsg.role",
        "nlmsg.request_in",
        "nlmsg.caused_by",
        "nlmsg.response_in",
        "nlmsg.responses",
        "nlmsg.notifications",
        "nlmsg.latency",
        "nlmsg.unanswered",
        "nlmsg.unacked",
        "nlmsg.dump_intr",
        "nlmsg.orphan",
        "nlmsg.conversation",
        "nlmsg.port",
        "proc.pid",
        "proc.tid",
        "proc.name",
        "proc.exe",
    ];

    /// Wireshark field names and the canonical names they stand for.
    pub const ALIASES: &'static [(&'static str, &'static str)] = &[
        ("netlink.hdr_len", "nlmsg.len"),
        ("netlink.hdr_type", "nlmsg.type"),
        ("netlink.hdr_flags", "nlmsg.flags"),
        ("netlink.hdr_seq", "nlmsg.seq"),
        ("netlink.hdr_pid", "nlmsg.pid"),
        ("netlink.error", "nlmsg.error"),
        ("netlink.response_in", "nlmsg.response_in"),
        ("netlink.request_in", "nlmsg.request_in"),
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
        let mut root = p.parse_or()?;
        let t = p.peek()?;
        match t.tk {
            Tk::Eof => {
                cheap_first(&mut root, &p.fields);
                Ok(Filter {
                    root,
                    fields: p.fields,
                })
            }
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

    /// Whether any referenced field is a conversation field (`nlmsg.latency`...), which
    /// needs correlation over the capture.
    pub fn needs_conversations(&self) -> bool {
        self.fields()
            .any(|f| crate::conv::show::FIELDS.contains(&f))
    }

    /// Whether any referenced field asks what changed since the previous message about the
    /// same object (`nlmsg.changed`, `nlmsg.changes`).
    pub fn needs_changes(&self) -> bool {
        self.fields()
            .any(|f| f == "nlmsg.changed" || f == "nlmsg.changes")
    }

    /// Whether any referenced field is a `proc.*` field (the frame's `proc:` comment).
    pub fn needs_process(&self) -> bool {
        self.fields().any(|f| f.starts_with("proc."))
    }

    /// Whether any referenced field is outside [`Filter::HEADER_FIELDS`].
    pub fn needs_tree(&self) -> bool {
        self.fields().any(|f| !Self::HEADER_FIELDS.contains(&f))
    }

    /// The name of compiled field `i` (indices come from the parser, so always in range).
    fn field(&self, i: usize) -> &str {
        self.fields.get(i).map_or("", |f| f)
    }

    fn eval(&self, node: &Node, src: &dyn FieldSource) -> bool {
        match node {
            Node::True => true,
            Node::And(v) => v.iter().all(|n| self.eval(n, src)),
            Node::Or(v) => v.iter().any(|n| self.eval(n, src)),
            Node::Not(n) => !self.eval(n, src),
            Node::Exists(f) => src.any(self.field(*f), &mut |_| true),
            Node::Cmp {
                field,
                op: CmpOp::Ne,
                lit,
            } => {
                let mut seen = false;
                let eq = src.any(self.field(*field), &mut |v| {
                    seen = true;
                    value_eq(v, lit)
                });
                seen && !eq
            }
            Node::Cmp { field, op, lit } => {
                src.any(self.field(*field), &mut |v| compare(v, *op, lit))
            }
            Node::In { field, set } => src.any(self.field(*field), &mut |v| {
                set.iter().any(|l| value_eq(v, l))
            }),
        }
    }
}

/// Evaluate the cheap operands of `&&` and `||` first: a header field is read from the index,
/// a payload field may need a tree, so `rt-link.mtu > 1400 && nlmsg.type == RTM_NEWLINK`
/// builds no tree for the messages the type rules out. Operands have no side effects, so the
/// order never changes a result.
fn cheap_first(node: &mut Node, fields: &[Box<str>]) -> bool {
    let header = |f: &usize| {
        fields
            .get(*f)
            .is_some_and(|n| Filter::HEADER_FIELDS.contains(&&**n))
    };
    match node {
        Node::True => true,
        Node::Exists(f) | Node::Cmp { field: f, .. } | Node::In { field: f, .. } => header(f),
        Node::Not(n) => cheap_first(n, fields),
        Node::And(v) | Node::Or(v) => {
            let mut cheap: Vec<(bool, Node)> = v
                .drain(..)
                .map(|mut n| (cheap_first(&mut n, fields), n))
                .collect();
            // Stable: equally cheap operands keep the order they were written in.
            cheap.sort_by_key(|(c, _)| !*c);
            let all = cheap.iter().all(|(c, _)| *c);
            v.extend(cheap.into_iter().map(|(_, n)| n));
            all
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

#[cfg(test)]
mod tests;
