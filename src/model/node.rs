use std::borrow::Cow;

use super::Value;

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
    /// Human-readable value.
    pub display: String,
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
