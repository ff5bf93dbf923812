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
    let chars: Vec<char> = field.chars().collect();
    let n = chars.len();
    let limit = (n / 4).clamp(1, 3);
    let mut b = Vec::new();
    let mut best: Option<(usize, &str)> = None;
    // The catalog has ~40,000 names: each is first ruled out by length (a name further apart
    // than the limit cannot be within it), and the distance itself is bounded by the limit.
    let ascii = field.is_ascii();
    for k in known {
        // A name has at most as many characters as bytes, and at most 4 bytes a character.
        if k.len().abs_diff(field.len()) > 4 * limit || (ascii && k.len() + limit < n) {
            continue;
        }
        let d = if ascii && k.is_ascii() {
            distance_within(field.as_bytes(), k.as_bytes(), limit)
        } else {
            b.clear();
            b.extend(k.chars());
            distance_within(&chars, &b, limit)
        };
        if let Some(d) = d
            && best.is_none_or(|(bd, _)| d < bd)
        {
            best = Some((d, k));
        }
    }
    best.map(|(_, k)| k)
}

/// [`edit_distance_within`] after the common prefix and suffix (which do not change the
/// distance; field names share long prefixes) are cut off.
pub(super) fn distance_within<T: PartialEq>(a: &[T], b: &[T], limit: usize) -> Option<usize> {
    let pre = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (
        a.get(pre..).unwrap_or_default(),
        b.get(pre..).unwrap_or_default(),
    );
    let suf = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let a = a.get(..a.len() - suf).unwrap_or_default();
    let b = b.get(..b.len() - suf).unwrap_or_default();
    edit_distance_within(a, b, limit)
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

#[cfg(test)]
pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let all = a.len().max(b.len());
    edit_distance_within(&a, &b, all).unwrap_or(all)
}

/// The Levenshtein distance of `a` and `b` if it is at most `limit`. Only the cells within
/// `limit` of the diagonal are computed and the walk stops at the first row past the limit,
/// so a typo check costs O(len * limit) rather than O(len^2) per known name (a long unknown
/// field against the whole catalog took a second before).
pub(super) fn edit_distance_within<T: PartialEq>(a: &[T], b: &[T], limit: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    // Stands for "more than the limit" (cells outside the band).
    let over = limit.saturating_add(1);
    let mut prev: Vec<usize> = (0..=b.len()).map(|j| j.min(over)).collect();
    let mut cur = vec![over; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        let row = i + 1;
        let lo = row.saturating_sub(limit);
        let hi = row.saturating_add(limit).min(b.len());
        // The cell left of the band, and the one right of it that the next row reads.
        if let Some(c) = lo.checked_sub(1).and_then(|j| cur.get_mut(j)) {
            *c = over;
        }
        if let Some(c) = cur.get_mut(hi + 1) {
            *c = over;
        }
        let mut row_min = over;
        if lo == 0 {
            if let Some(c) = cur.first_mut() {
                *c = row.min(over);
            }
            row_min = row.min(over);
        }
        for j in lo.max(1)..=hi {
            let cost = usize::from(b.get(j - 1) != Some(ca));
            let diag = prev.get(j - 1).copied().unwrap_or(over);
            let up = prev.get(j).copied().unwrap_or(over);
            let left = cur.get(j - 1).copied().unwrap_or(over);
            let v = (diag + cost).min(up + 1).min(left + 1).min(over);
            if let Some(c) = cur.get_mut(j) {
                *c = v;
            }
            row_min = row_min.min(v);
        }
        if row_min > limit {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.last().copied().filter(|&d| d <= limit)
}
