use std::borrow::Cow;
use std::fmt::Write as _;

use super::intern::{Memo, intern, pair_lists, pair_text};
use super::{Value, json_str};

/// How serious an expert note is (Wireshark's levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Informational remark.
    Note,
    /// Unusual but legal, or not decodable with the loaded knowledge.
    Warning,
    /// Malformed: the bytes break the protocol's rules.
    Error,
}

impl Severity {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// An expert note attached to a node.
#[derive(Debug, Clone, PartialEq)]
pub struct Expert {
    /// Severity.
    pub severity: Severity,
    /// What is wrong or noteworthy.
    pub text: String,
}

/// One node of a dissection tree. Byte ranges are relative to the captured frame bytes
/// (cooked header included), which is what the hex pane shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Display name: the uapi constant where one exists (`IFLA_IFNAME`, `ifinfomsg`).
    /// Borrowed when it comes from a spec (their names are interned, `intern`): most nodes
    /// then allocate no name.
    pub name: Cow<'static, str>,
    /// Display-filter field path (`rt-link.ifname`); borrowed when interned (paths from
    /// specs, see `intern::child_field`).
    pub field: Cow<'static, str>,
    /// Typed value.
    pub value: Value,
    /// Human-readable value; see [`Node::plain`]. Read it with [`Node::display_text`] (or
    /// [`Node::push_display`], [`Node::with_display`]), which know both.
    pub display: String,
    /// The display is the value's own ([`Value::display`]), made only where it is shown:
    /// `display` is then left empty. Set where that is a plain number: most nodes of a tree
    /// are counters and numbers (IFLA_INET6_CONF alone has 80), which then allocate no
    /// display. A non-empty `display` wins over it.
    pub plain: bool,
    /// First byte within the frame.
    pub offset: usize,
    /// Number of bytes.
    pub length: usize,
    /// True when the bytes were not decoded by any spec (coverage metric).
    pub raw: bool,
    /// True when a bytes value is opaque by nature (a key, a cookie, a hash): a hex blob is
    /// its proper display. Coverage counts the other hex-blob leaves as "opaque bytes", data
    /// with a structure nlscope does not show.
    pub inherently_opaque: bool,
    /// Expert note, if any (boxed: most nodes have none, and nodes are moved a lot).
    pub expert: Option<Box<Expert>>,
    /// Child nodes.
    pub children: Vec<Node>,
}

impl Node {
    /// A node with a value; `display` is derived from the value.
    pub fn new(
        name: impl Into<Cow<'static, str>>,
        field: impl Into<Cow<'static, str>>,
        value: Value,
        offset: usize,
        length: usize,
    ) -> Node {
        let display = value.display();
        Node {
            name: name.into(),
            field: field.into(),
            value,
            display,
            plain: false,
            offset,
            length,
            raw: false,
            inherently_opaque: false,
            expert: None,
            children: Vec::new(),
        }
    }

    /// An expert-only node covering `offset..offset+length`.
    pub fn expert(
        severity: Severity,
        text: impl Into<String>,
        field: impl Into<Cow<'static, str>>,
        offset: usize,
        length: usize,
    ) -> Node {
        let text = text.into();
        let mut n = Node::new("expert", field, Value::None, offset, length);
        n.display = text.clone();
        n.expert = Some(Box::new(Expert { severity, text }));
        n
    }

    /// Attach an expert note (keeps the more severe one if already set).
    pub fn with_expert(mut self, severity: Severity, text: impl Into<String>) -> Node {
        self.set_expert(severity, text);
        self
    }

    /// Set an expert note (keeps the more severe one if already set).
    pub fn set_expert(&mut self, severity: Severity, text: impl Into<String>) {
        match &self.expert {
            Some(e) if e.severity > severity => {}
            _ => {
                self.expert = Some(Box::new(Expert {
                    severity,
                    text: text.into(),
                }))
            }
        }
    }

    /// Show the value as its plain number from now on ([`Node::plain`]): any display goes.
    pub fn set_plain(&mut self) {
        self.display.clear();
        self.plain = true;
    }

    /// The human-readable value (made now for a [`Node::plain`] node).
    pub fn display_text(&self) -> Cow<'_, str> {
        if self.display_is_value() {
            Cow::Owned(self.value.display())
        } else {
            Cow::Borrowed(&self.display)
        }
    }

    /// Append the human-readable value to `out`.
    #[inline]
    pub fn push_display(&self, out: &mut String) {
        self.with_display(|d| out.push_str(d));
    }

    /// Call `f` with the human-readable value (a plain number is made on the stack).
    #[inline]
    pub fn with_display<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        if !self.display_is_value() {
            return f(&self.display);
        }
        let mut b = itoa::Buffer::new();
        match self.value {
            Value::Uint(v) => f(b.format(v)),
            Value::Int(v) => f(b.format(v)),
            _ => f(&self.value.display()),
        }
    }

    /// Whether the human-readable value is not empty.
    #[inline]
    pub fn has_display(&self) -> bool {
        if !self.display_is_value() {
            return !self.display.is_empty();
        }
        match self.value {
            Value::Uint(_) | Value::Int(_) => true,
            _ => !self.value.display().is_empty(),
        }
    }

    /// Whether the display is left to be made from the value (`plain`, no display set).
    #[inline]
    pub fn display_is_value(&self) -> bool {
        self.plain && self.display.is_empty()
    }

    /// Append this node and its children as `-T tree` text lines, indented four spaces a
    /// level from `depth`: `name: display`, then the expert note in brackets.
    pub fn write_text(&self, out: &mut String, depth: usize) {
        for _ in 0..depth {
            out.push_str("    ");
        }
        out.push_str(&self.name);
        if self.has_display() {
            out.push_str(": ");
            self.push_display(out);
        }
        if let Some(e) = &self.expert {
            if self.name != "expert" || self.with_display(|d| e.text != d) {
                let _ = write!(out, "  [{}: {}]", e.severity.as_str(), e.text);
            } else {
                let _ = write!(out, "  [{}]", e.severity.as_str());
            }
        }
        out.push('\n');
        for c in &self.children {
            c.write_text(out, depth + 1);
        }
    }

    /// Append this node and its children as the JSON contract's tree node (without building a
    /// `serde_json::Value`).
    pub fn write_json(&self, out: &mut String) {
        let n = self;
        json_head(out, &n.name, &n.field);
        let mut num = itoa::Buffer::new();
        // A plain number (`Node::plain`) is its value and its display: formatted once.
        let plain = match n.value {
            Value::Uint(v) if n.display_is_value() => Some(num.format(v)),
            Value::Int(v) if n.display_is_value() => Some(num.format(v)),
            _ => None,
        };
        match plain {
            Some(d) => {
                out.push_str(d);
                out.push_str(",\"display\":\"");
                out.push_str(d);
                out.push('"');
            }
            None => {
                n.value.write_json(out, &n.display);
                out.push_str(",\"display\":");
                n.with_display(|d| json_str(out, d));
            }
        }
        out.push_str(",\"offset\":");
        out.push_str(num.format(n.offset));
        out.push_str(",\"length\":");
        out.push_str(num.format(n.length));
        match (&n.expert, n.raw) {
            (None, false) => out.push_str(",\"raw\":false,\"expert\":null,\"children\":["),
            (None, true) => out.push_str(",\"raw\":true,\"expert\":null,\"children\":["),
            (Some(e), raw) => {
                out.push_str(if raw {
                    ",\"raw\":true,\"expert\":{\"severity\":"
                } else {
                    ",\"raw\":false,\"expert\":{\"severity\":"
                });
                json_str(out, e.severity.as_str());
                out.push_str(",\"text\":");
                json_str(out, &e.text);
                out.push_str("},\"children\":[");
            }
        }
        for (i, c) in n.children.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            c.write_json(out);
        }
        out.push_str("]}");
    }

    /// Depth-first visit of this node and all descendants.
    pub fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Node)) {
        f(self);
        for c in &self.children {
            c.walk(f);
        }
    }

    /// Depth-first visit of this node and all descendants, to change them.
    pub fn walk_mut(&mut self, f: &mut dyn FnMut(&mut Node)) {
        f(self);
        for c in &mut self.children {
            c.walk_mut(f);
        }
    }

    /// The deepest node in `nodes` whose range covers byte `pos`, with its ancestry.
    pub fn deepest_at(nodes: &[Node], pos: usize) -> Option<Vec<&Node>> {
        for n in nodes {
            if pos >= n.offset && pos < n.offset + n.length {
                let mut path = vec![n];
                if let Some(rest) = Node::deepest_at(&n.children, pos) {
                    path.extend(rest);
                }
                return Some(path);
            }
        }
        None
    }
}

/// A JSON tree node's start, up to its value: `{"name":NAME,"field":FIELD,"value":`.
// The `Cow`s, not `&str`: names and paths borrowed from the interned ones are memoized.
#[allow(clippy::ptr_arg)]
pub(super) fn json_head(out: &mut String, name: &Cow<'static, str>, field: &Cow<'static, str>) {
    match (name, field) {
        // Names and paths from specs: their JSON is made once per pair (most nodes).
        (Cow::Borrowed(name), Cow::Borrowed(field)) => {
            thread_local! {
                static HEADS: Memo<&'static str> = const { Memo::new() };
            }
            out.push_str(pair_text(&HEADS, name, field, || {
                let mut t = String::new();
                head_text(&mut t, name, field);
                t
            }));
        }
        _ => head_text(out, name, field),
    }
}

fn head_text(out: &mut String, name: &str, field: &str) {
    out.push_str("{\"name\":");
    json_str(out, name);
    out.push_str(",\"field\":");
    json_str(out, field);
    out.push_str(",\"value\":");
}

/// The [`json_head`]s of nodes named `names` at `fields`, pairwise: one list per pair of
/// interned lists (a struct's members, an array's elements), made once per thread.
pub(crate) fn json_heads(
    names: &'static [&'static str],
    fields: &'static [&'static str],
) -> Option<&'static [&'static str]> {
    thread_local! {
        static LISTS: Memo<&'static [&'static str]> = const { Memo::new() };
    }
    if names.len() != fields.len() {
        return None;
    }
    pair_lists(&LISTS, names, fields, || {
        let mut t = String::new();
        names
            .iter()
            .zip(fields)
            .map(|(n, f)| {
                t.clear();
                head_text(&mut t, n, f);
                intern(&t)
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(n: &Node) -> (String, String, String, bool) {
        let mut pushed = String::new();
        n.push_display(&mut pushed);
        (
            n.display_text().into_owned(),
            pushed,
            n.with_display(str::to_owned),
            n.has_display(),
        )
    }

    #[test]
    fn a_plain_node_shows_its_number_and_an_explicit_display_wins() {
        let mut n = Node::new("IFLA_MTU", "rt-link.mtu", Value::None, 0, 8);
        n.value = Value::Int(-1500);
        n.plain = true;
        assert!(n.display.is_empty());
        let t = |s: &str| (s.to_string(), s.to_string(), s.to_string(), !s.is_empty());
        assert_eq!(shown(&n), t("-1500"));
        n.value = Value::Uint(u64::MAX);
        assert_eq!(shown(&n), t("18446744073709551615"));
        // What the value shows, whatever it became.
        n.value = Value::Ipv4([192, 0, 2, 1]);
        assert_eq!(shown(&n), t("192.0.2.1"));
        n.value = Value::None;
        assert_eq!(shown(&n), t(""));
        n.value = Value::Uint(9000);
        n.display = "9000 bytes".into();
        assert_eq!(shown(&n), t("9000 bytes"));
        // Not plain: the display as it is, empty or not.
        n.plain = false;
        n.display.clear();
        assert_eq!(shown(&n), t(""));
    }
}
