//! The packet list's columns: which are shown, in what order and how wide (kept in
//! [`Settings`](super::Settings)), and the values of field columns ("Apply as Column"): any
//! filter field becomes a column, worked out only for the rows on screen (a tree per row,
//! within a per-frame budget) and cached; sorting by one is spread over frames.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::packet_list::Col;
use crate::filter::{FieldSource, FieldValue, Filter};
use crate::model::Node;
use crate::store::Store;

/// What a column shows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ColumnId {
    /// One of the built-in columns.
    Builtin(Col),
    /// The value of a display-filter field (`rt-link.ifname`).
    Field(String),
}

/// One column of the list as the settings keep it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ColumnSetting {
    /// What it shows.
    pub id: ColumnId,
    /// Shown (hidden built-in columns stay listed so they can be shown again).
    pub visible: bool,
    /// Width in points, as last dragged.
    pub width: f32,
    /// Header title of a field column (the tree node's name); the field path when empty.
    #[serde(default)]
    pub title: String,
}

impl ColumnSetting {
    /// The header title.
    pub fn title(&self) -> &str {
        match &self.id {
            ColumnId::Builtin(c) => c.title(),
            ColumnId::Field(f) if self.title.is_empty() => f,
            ColumnId::Field(_) => &self.title,
        }
    }
}

/// Initial width of a built-in column.
fn default_width(c: Col) -> f32 {
    match c {
        Col::No | Col::Pid => 70.0,
        Col::Time => 100.0,
        Col::Dir => 105.0,
        Col::Family => 80.0,
        Col::Type => 150.0,
        Col::Flags | Col::Process => 110.0,
        Col::Seq => 90.0,
        Col::Len => 50.0,
        Col::Info => 300.0,
    }
}

/// The built-in columns, all shown, in their usual order.
pub fn default_columns() -> Vec<ColumnSetting> {
    Col::ALL
        .iter()
        .map(|&c| ColumnSetting {
            id: ColumnId::Builtin(c),
            visible: true,
            width: default_width(c),
            title: String::new(),
        })
        .collect()
}

/// Most field columns kept.
const MAX_FIELD_COLUMNS: usize = 32;

/// `cols` made usable whatever the settings file said: no duplicates, every built-in column
/// listed (missing ones appended), sane widths, at least one column shown.
pub fn normalized(cols: &[ColumnSetting]) -> Vec<ColumnSetting> {
    let mut out: Vec<ColumnSetting> = Vec::with_capacity(cols.len() + Col::ALL.len());
    let mut fields = 0;
    for c in cols {
        if out.iter().any(|o| o.id == c.id) {
            continue;
        }
        if let ColumnId::Field(f) = &c.id {
            fields += 1;
            if f.is_empty() || fields > MAX_FIELD_COLUMNS {
                continue;
            }
        }
        let mut c = c.clone();
        if !c.width.is_finite() || c.width < 20.0 {
            c.width = 80.0;
        }
        c.width = c.width.min(4000.0);
        out.push(c);
    }
    for d in default_columns() {
        if !out.iter().any(|o| o.id == d.id) {
            out.push(d);
        }
    }
    if !out.iter().any(|c| c.visible) {
        return default_columns();
    }
    out
}

/// Move column `k` (index into `cols`) past its shown neighbour to the left (`left`) or
/// right; hidden columns in between move with nothing.
pub fn move_column(cols: &mut [ColumnSetting], k: usize, left: bool) {
    let shown: Vec<usize> = (0..cols.len())
        .filter(|&i| cols.get(i).is_some_and(|c| c.visible))
        .collect();
    let Some(p) = shown.iter().position(|&i| i == k) else {
        return;
    };
    let other = if left {
        p.checked_sub(1).and_then(|q| shown.get(q))
    } else {
        shown.get(p + 1)
    };
    if let Some(&o) = other {
        cols.swap(k, o);
    }
}

/// Add a column showing `field` (at the end, before Info when Info is last); a field already
/// a column is shown again instead.
pub fn add_field_column(cols: &mut Vec<ColumnSetting>, field: &str, title: &str) {
    if let Some(c) = cols
        .iter_mut()
        .find(|c| c.id == ColumnId::Field(field.to_string()))
    {
        c.visible = true;
        return;
    }
    let new = ColumnSetting {
        id: ColumnId::Field(field.to_string()),
        visible: true,
        width: 120.0,
        title: title.to_string(),
    };
    let last_shown = cols.iter().rposition(|c| c.visible);
    match last_shown {
        Some(k)
            if cols
                .get(k)
                .is_some_and(|c| c.id == ColumnId::Builtin(Col::Info)) =>
        {
            cols.insert(k, new);
        }
        _ => cols.push(new),
    }
    *cols = normalized(cols);
}

/// At most this many occurrences of a field are shown in a cell.
const MAX_OCCURRENCES: usize = 8;

/// The text a field column shows for store row `i`: every occurrence of `field` in the
/// message (`,` between them), as the tree shows its value; header fields come from the
/// index without a tree.
pub fn field_text(store: &Store, i: usize, field: &str) -> String {
    if Filter::HEADER_FIELDS.contains(&field) || field.starts_with("frame.") {
        return store
            .with_fields(i, |f| {
                let mut parts = Vec::new();
                f.any(field, &mut |v| {
                    parts.push(value_text(v));
                    parts.len() >= MAX_OCCURRENCES
                });
                parts.join(",")
            })
            .unwrap_or_default();
    }
    let Some(v) = store.view(i) else {
        return String::new();
    };
    let mut parts = Vec::new();
    let header = [v.header_node()];
    let tree = v.tree();
    for n in header.iter().chain(tree.iter()) {
        n.walk(&mut |n| {
            if n.field == field && parts.len() < MAX_OCCURRENCES {
                parts.push(node_value_text(n));
            }
        });
    }
    parts.join(",")
}

/// The first node of store row `i`'s tree with `field` (for Apply as Filter on a field cell).
pub fn field_node(store: &Store, i: usize, field: &str) -> Option<Node> {
    let v = store.view(i)?;
    let mut found = None;
    let header = [v.header_node()];
    let tree = v.tree();
    for n in header.iter().chain(tree.iter()) {
        n.walk(&mut |n| {
            if found.is_none() && n.field == field {
                found = Some(n.clone());
            }
        });
    }
    found
}

/// A node's value as a cell shows it: its display text without children.
fn node_value_text(n: &Node) -> String {
    if n.display.is_empty() {
        n.value.display()
    } else {
        n.display.clone()
    }
}

fn value_text(v: &FieldValue<'_>) -> String {
    match v {
        FieldValue::Uint(u) => u.to_string(),
        FieldValue::Int(i) => i.to_string(),
        FieldValue::Float(f) => format!("{f:.6}"),
        FieldValue::Bool(b) => b.to_string(),
        FieldValue::Str(s) => s.to_string(),
        FieldValue::Bytes(b) => b.iter().map(|x| format!("{x:02x}")).collect(),
        FieldValue::Ipv4(a) => std::net::Ipv4Addr::from(*a).to_string(),
        FieldValue::Ipv6(a) => std::net::Ipv6Addr::from(*a).to_string(),
        FieldValue::Mac(m) => m
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect::<Vec<_>>()
            .join(":"),
        FieldValue::Enum { value, name, .. } if name.is_empty() => value.to_string(),
        FieldValue::Enum { value, name, .. } => format!("{name} ({value})"),
        FieldValue::Flags { value, .. } => format!("{value:#x}"),
    }
}

/// Time a frame spends at most on new rows' field cells (each builds the row's tree once).
pub const FIELD_TIME_PER_FRAME: Duration = Duration::from_millis(4);
/// Cached rows before the cache starts over.
const CACHE_ROWS: usize = 50_000;

/// Field column values of the rows shown so far, per row for the current set of fields.
#[derive(Debug, Default)]
pub struct FieldCells {
    fields: Vec<String>,
    rows: HashMap<u32, Vec<String>>,
}

impl FieldCells {
    /// Forget every value (another capture, another reading of ids).
    pub fn clear(&mut self) {
        self.rows.clear();
    }

    /// Whether the values of `fields` for row `i` are known.
    pub fn knows(&self, fields: &[String], i: usize) -> bool {
        self.fields == fields && u32::try_from(i).is_ok_and(|k| self.rows.contains_key(&k))
    }

    /// The values of `fields` for row `i` if known; with `may_build`, worked out now.
    pub fn get(
        &mut self,
        store: &Store,
        fields: &[String],
        i: usize,
        may_build: bool,
    ) -> Option<&[String]> {
        if self.fields != fields {
            self.fields = fields.to_vec();
            self.rows.clear();
        }
        let key = u32::try_from(i).ok()?;
        if !self.rows.contains_key(&key) {
            if !may_build {
                return None;
            }
            if self.rows.len() >= CACHE_ROWS {
                self.rows.clear();
            }
            let vals = fields.iter().map(|f| field_text(store, i, f)).collect();
            self.rows.insert(key, vals);
        }
        self.rows.get(&key).map(Vec::as_slice)
    }
}

/// A sort key of a field value: numbers by value (before text), text as text.
#[derive(Debug, Clone, PartialEq, PartialOrd)]
enum Key {
    Empty,
    Num(f64),
    Text(String),
}

fn sort_key(text: String) -> Key {
    if text.is_empty() {
        return Key::Empty;
    }
    // `NAME (3)` sorts by name; a leading number by value.
    let first = text.split([',', ' ']).next().unwrap_or("");
    let num = first
        .parse::<f64>()
        .ok()
        .or_else(|| {
            first
                .strip_prefix("0x")
                .and_then(|h| u64::from_str_radix(h, 16).ok())
                .map(|u| u as f64)
        })
        .filter(|f| f.is_finite());
    match num {
        Some(n) => Key::Num(n),
        None => Key::Text(text),
    }
}

/// Sorting the displayed rows by a field column: each row's value needs its tree, so the keys
/// are worked out a slice per frame ([`FieldSort::step`]) and the order applied at the end.
#[derive(Debug)]
pub struct FieldSort {
    /// The field.
    pub field: String,
    /// Ascending.
    pub asc: bool,
    rows: Vec<u32>,
    keys: Vec<(Key, u32)>,
}

impl FieldSort {
    /// A sort of `rows` by `field`.
    pub fn new(field: String, asc: bool, rows: Vec<u32>) -> Self {
        FieldSort {
            field,
            asc,
            keys: Vec::with_capacity(rows.len()),
            rows,
        }
    }

    /// Rows keyed so far and in all.
    pub fn progress(&self) -> (usize, usize) {
        (self.keys.len(), self.rows.len())
    }

    /// Work out keys for about `budget`; the sorted rows when all are done.
    pub fn step(&mut self, store: &Store, budget: Duration) -> Option<Vec<u32>> {
        let start = Instant::now();
        while let Some(&i) = self.rows.get(self.keys.len()) {
            let k = sort_key(field_text(store, i as usize, &self.field));
            self.keys.push((k, i));
            if self.keys.len().is_multiple_of(16) && start.elapsed() >= budget {
                return None;
            }
        }
        let mut keys = std::mem::take(&mut self.keys);
        keys.sort_by(|a, b| {
            a.0.partial_cmp(&b.0)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.1.cmp(&b.1))
        });
        let mut out: Vec<u32> = keys.into_iter().map(|(_, i)| i).collect();
        if !self.asc {
            out.reverse();
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizing_keeps_order_and_restores_missing_columns() {
        let mut cols = default_columns();
        cols.swap(0, 3);
        cols.retain(|c| c.id != ColumnId::Builtin(Col::Len));
        cols.push(cols[0].clone());
        if let Some(c) = cols.get_mut(1) {
            c.visible = false;
            c.width = f32::NAN;
        }
        let n = normalized(&cols);
        assert_eq!(n.len(), Col::ALL.len());
        assert_eq!(n[0].id, ColumnId::Builtin(Col::Family));
        assert_eq!(n.last().unwrap().id, ColumnId::Builtin(Col::Len));
        assert!(!n[1].visible);
        assert_eq!(n[1].width, 80.0);
        let hidden: Vec<_> = default_columns()
            .into_iter()
            .map(|mut c| {
                c.visible = false;
                c
            })
            .collect();
        assert_eq!(normalized(&hidden), default_columns());
    }

    #[test]
    fn moving_skips_hidden_columns_and_fields_go_before_info() {
        let mut cols = default_columns();
        cols[1].visible = false;
        move_column(&mut cols, 2, true);
        assert_eq!(cols[0].id, ColumnId::Builtin(Col::Dir));
        assert_eq!(cols[2].id, ColumnId::Builtin(Col::No));
        move_column(&mut cols, 0, true);
        assert_eq!(cols[0].id, ColumnId::Builtin(Col::Dir));
        add_field_column(&mut cols, "rt-link.mtu", "IFLA_MTU");
        let n = cols.len();
        assert_eq!(cols[n - 2].id, ColumnId::Field("rt-link.mtu".into()));
        assert_eq!(cols[n - 2].title(), "IFLA_MTU");
        cols[n - 2].visible = false;
        add_field_column(&mut cols, "rt-link.mtu", "IFLA_MTU");
        assert_eq!(cols.len(), n);
        assert!(cols[n - 2].visible);
    }

    #[test]
    fn keys_sort_numbers_by_value() {
        let mut v = vec![
            sort_key("10".into()),
            sort_key("9".into()),
            sort_key("abc".into()),
            sort_key(String::new()),
            sort_key("0x20".into()),
        ];
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        assert_eq!(
            v,
            [
                Key::Empty,
                Key::Num(9.0),
                Key::Num(10.0),
                Key::Num(32.0),
                Key::Text("abc".into())
            ]
        );
    }
}
