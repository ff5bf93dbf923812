//! Field names: the catalog the compiler checks names against, the source
//! that supplies occurrences at evaluation, aliases, typo suggestions and completion.

use super::{FieldValue, Filter};

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
    let n = field.chars().count();
    let limit = (n / 4).clamp(1, 3);
    known
        .into_iter()
        // Lengths further apart than the limit cannot be within it (cheap on big catalogs).
        .filter(|k| {
            k.len().abs_diff(field.len()) <= 4 * limit && k.chars().count().abs_diff(n) <= limit
        })
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

pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    // One row of the Levenshtein table at a time: `prev` is row i-1, each pair of it gives the
    // diagonal and upper cells, `left` the cell just computed.
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(prev.len());
        let mut left = i + 1;
        cur.push(left);
        for (cb, pair) in b.iter().zip(prev.windows(2)) {
            if let &[diag, up] = pair {
                left = (diag + usize::from(ca != *cb)).min(up + 1).min(left + 1);
                cur.push(left);
            }
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}
