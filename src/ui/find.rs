//! What the Find bar looks for and how one message is tested: hex bytes, a string in the
//! list's summary line, the tree's text or the message's bytes, a display filter, an expert
//! severity ([`super::nav`] walks the rows and draws the bar).

use super::tree_panel::node_text;
use crate::dissect::fields::Reads;
use crate::filter::Filter;
use crate::model::{Node, Severity};
use crate::store::{NO_MSG, Store};

/// What the Find bar's text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindBy {
    /// A display filter.
    Filter,
    /// Hex bytes (`0a 00 1f`, `0a001f`, `0a:00:1f`).
    Hex,
    /// A string.
    Text,
}

/// Where a string is looked for (Wireshark's "Search In").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindIn {
    /// The summary line of the list (family, type, Info, process).
    List,
    /// The text of every tree node.
    Details,
    /// The message's bytes read as ASCII.
    Bytes,
}

/// A compiled search.
pub enum Query {
    /// Messages the filter passes (with what it reads of them: `Catalog::reads`).
    Filter(Box<Filter>, Reads),
    /// Messages whose bytes hold this sequence.
    Hex(Vec<u8>),
    /// A string; `needle` is lower-cased unless `case`.
    Text {
        /// What is looked for.
        needle: String,
        /// Case-sensitive.
        case: bool,
        /// Where.
        within: FindIn,
    },
    /// Messages with an expert note of this severity (in the tree as shown: conversation
    /// notes such as an unanswered request count).
    Severity(Severity),
}

/// How the last search ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindOutcome {
    /// A message was selected; `wrapped` when the search went past the end (or start).
    Found {
        /// Past the end of the list and round again.
        wrapped: bool,
    },
    /// Nothing displayed matches.
    NotFound,
    /// The text does not compile / parse.
    Error(String),
    /// Cancelled by the user.
    Cancelled,
}

/// Most bytes a hex search looks for.
const MAX_HEX: usize = 4096;

/// Parse hex bytes: pairs of hex digits, optionally separated by spaces, `:`, `-` or `,`, with
/// an optional `0x` prefix.
pub fn parse_hex(text: &str) -> Result<Vec<u8>, String> {
    let t = text.trim();
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    let digits: Vec<u8> = t
        .bytes()
        .filter(|b| !matches!(b, b' ' | b':' | b'-' | b',' | b'\t'))
        .collect();
    if digits.is_empty() {
        return Err("no hex bytes given".into());
    }
    if !digits.len().is_multiple_of(2) {
        return Err("hex bytes need two digits each (0a 00 1f or 0a001f)".into());
    }
    if digits.len() / 2 > MAX_HEX {
        return Err(format!("at most {MAX_HEX} bytes"));
    }
    let nib = |c: u8| -> Result<u8, String> {
        (c as char)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
            .ok_or_else(|| format!("'{}' is not a hex digit", c as char))
    };
    digits
        .chunks(2)
        .map(|p| match p {
            [h, l] => Ok(nib(*h)? << 4 | nib(*l)?),
            _ => Err("odd number of hex digits".into()),
        })
        .collect()
}

/// Where `needle` first occurs in `hay` (ASCII case folded with `fold`).
fn find_bytes(hay: &[u8], needle: &[u8], fold: bool) -> Option<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| {
        if fold {
            w.eq_ignore_ascii_case(needle)
        } else {
            w == needle
        }
    })
}

/// The bytes of message `i` (the frame's, for a row without a message) and where they start
/// in the frame.
fn msg_bytes(store: &Store, i: usize) -> Option<(usize, &[u8])> {
    let e = store.msg(i)?;
    let data = store.frame_data(e.frame as usize);
    if e.pos == NO_MSG {
        return Some((0, data));
    }
    let start = e.idx.offset.min(data.len());
    let end = start.saturating_add(e.idx.present).min(data.len());
    Some((start, data.get(start..end).unwrap_or(&[])))
}

/// The summary line a list search reads: family, type, Info and process, as the list shows.
pub fn summary_line(store: &Store, i: usize) -> String {
    let process = super::process_text(store, i);
    match store.view(i) {
        Some(v) => format!(
            "{} {} {} {process}",
            v.family_str(),
            v.type_str(),
            v.summary()
        ),
        None => format!("{} {process}", store.frame_text(i)),
    }
}

fn has_text(hay: &str, needle: &str, case: bool) -> bool {
    if case {
        hay.contains(needle)
    } else {
        hay.to_lowercase().contains(needle)
    }
}

/// The path (child indices) of the first node, depth first, that `pred` accepts.
pub fn find_node(tree: &[Node], pred: &dyn Fn(&Node) -> bool) -> Option<Vec<usize>> {
    // Explicit stack: a tree's depth is bounded by the dissector, but no recursion is needed.
    let mut stack: Vec<(&[Node], usize)> = vec![(tree, 0)];
    let mut path: Vec<usize> = Vec::new();
    while let Some((level, k)) = stack.pop() {
        let Some(n) = level.get(k) else {
            path.pop();
            continue;
        };
        stack.push((level, k + 1));
        path.push(k);
        if pred(n) {
            return Some(path);
        }
        if n.children.is_empty() {
            path.pop();
        } else {
            stack.push((&n.children, 0));
        }
    }
    None
}

/// A test on a tree node.
type NodePred<'a> = Box<dyn Fn(&Node) -> bool + 'a>;

/// The node predicate of a query (which node to select in the found message's tree).
pub(super) fn node_pred(q: &Query) -> Option<NodePred<'_>> {
    match q {
        Query::Text {
            needle,
            case,
            within: FindIn::Details,
        } => Some(Box::new(move |n: &Node| {
            has_text(&node_text(n), needle, *case)
        })),
        Query::Severity(s) => Some(Box::new(move |n: &Node| {
            n.expert.as_ref().is_some_and(|e| e.severity == *s)
        })),
        // The first node of a field the filter names (as Wireshark highlights it).
        Query::Filter(f, _) => Some(Box::new(move |n: &Node| {
            !n.field.is_empty() && f.fields().any(|x| x == n.field)
        })),
        _ => None,
    }
}

/// Where the query's bytes are in message `i`'s frame: (offset, length).
pub(super) fn byte_hit(store: &Store, i: usize, q: &Query) -> Option<(usize, usize)> {
    let (start, bytes) = msg_bytes(store, i)?;
    let (needle, fold) = match q {
        Query::Hex(b) => (b.as_slice(), false),
        Query::Text {
            needle,
            case,
            within: FindIn::Bytes,
        } => (needle.as_bytes(), !*case),
        _ => return None,
    };
    find_bytes(bytes, needle, fold).map(|at| (start + at, needle.len()))
}

/// Whether message `i` matches `q`.
pub(super) fn matches(store: &Store, q: &Query, i: usize) -> bool {
    match q {
        Query::Filter(f, reads) => {
            let mut hit = Vec::new();
            store.filter_range(f, reads, i..i + 1, &mut hit);
            !hit.is_empty()
        }
        Query::Hex(_)
        | Query::Text {
            within: FindIn::Bytes,
            ..
        } => byte_hit(store, i, q).is_some(),
        Query::Text {
            needle,
            case,
            within: FindIn::List,
        } => has_text(&summary_line(store, i), needle, *case),
        Query::Text {
            needle,
            case,
            within: FindIn::Details,
        } => find_node(&store.build_tree(i), &|n| {
            has_text(&node_text(n), needle, *case)
        })
        .is_some(),
        Query::Severity(s) => find_node(&store.build_tree(i), &|n| {
            n.expert.as_ref().is_some_and(|e| e.severity == *s)
        })
        .is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Value;

    #[test]
    fn hex_forms() {
        assert_eq!(parse_hex("0a 00 1f").unwrap(), [0x0a, 0, 0x1f]);
        assert_eq!(parse_hex("0a001F").unwrap(), [0x0a, 0, 0x1f]);
        assert_eq!(parse_hex("0x0a:00-1f").unwrap(), [0x0a, 0, 0x1f]);
        assert!(parse_hex("0a0").is_err());
        assert!(parse_hex("zz").is_err());
        assert!(parse_hex("  ").is_err());
        assert!(parse_hex(&"00".repeat(MAX_HEX + 1)).is_err());
    }

    #[test]
    fn bytes_are_found_with_and_without_case() {
        assert_eq!(find_bytes(b"xxVeth0", b"veth", true), Some(2));
        assert_eq!(find_bytes(b"xxVeth0", b"veth", false), None);
        assert_eq!(find_bytes(b"ab", b"abc", false), None);
        assert_eq!(find_bytes(b"ab", b"", false), None);
    }

    #[test]
    fn node_paths_depth_first() {
        let leaf = |n: &str| Node::new(n.to_string(), "", Value::None, 0, 0);
        let mut a = leaf("a");
        let mut b = leaf("b");
        b.children.push(leaf("c"));
        a.children.push(leaf("x"));
        a.children.push(b);
        let tree = vec![leaf("top"), a];
        assert_eq!(find_node(&tree, &|n| n.name == "c"), Some(vec![1, 1, 0]));
        assert_eq!(find_node(&tree, &|n| n.name == "x"), Some(vec![1, 0]));
        assert_eq!(find_node(&tree, &|n| n.name == "top"), Some(vec![0]));
        assert_eq!(find_node(&tree, &|n| n.name == "none"), None);
    }
}
