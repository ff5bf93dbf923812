//! The packet list's columns: which are shown, in what order and how wide (kept in
//! [`Settings`](super::Settings)), and the values of field columns ("Apply as Column"): any
//! filter field becomes a column, worked out only for the rows on screen (a tree per row,
//! within a per-frame budget) and cached; sorting by one is spread over frames.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::packet_list::Col;
use crate::dissect::attrs::Want;
use crate::dissect::fields::Catalog;
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

/// Move column `from` (index into `cols`) so it is drawn just before the shown column `to`
/// (`None`: after the last shown one), as dropping a dragged header there does.
pub fn drop_column(cols: &mut Vec<ColumnSetting>, from: usize, to: Option<usize>) {
    if Some(from) == to || from >= cols.len() {
        return;
    }
    let c = cols.remove(from);
    let at = match to {
        Some(t) if t > from => t - 1,
        Some(t) => t,
        None => cols
            .iter()
            .rposition(|c| c.visible)
            .map_or(cols.len(), |k| k + 1),
    };
    cols.insert(at.min(cols.len()), c);
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

/// What trees must hold to answer each field column (`Catalog::want` of the field alone),
/// worked out once per field; the catalog is built on first use.
#[derive(Default)]
pub struct FieldWants {
    catalog: Option<Catalog>,
    by_field: HashMap<String, Option<Want>>,
}

impl std::fmt::Debug for FieldWants {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FieldWants")
            .field("by_field", &self.by_field)
            .finish_non_exhaustive()
    }
}

impl FieldWants {
    /// The narrowed tree for `field`; `None` when only a whole tree answers it.
    pub fn want(&mut self, store: &Store, field: &str) -> Option<Want> {
        if let Some(w) = self.by_field.get(field) {
            return w.clone();
        }
        let cat = self
            .catalog
            .get_or_insert_with(|| Catalog::new(&store.dissector().specs));
        let w = Filter::compile(field, cat).ok().and_then(|f| cat.want(&f));
        if self.by_field.len() >= MAX_FIELD_COLUMNS * 2 {
            self.by_field.clear();
        }
        self.by_field.insert(field.to_string(), w.clone());
        w
    }
}

/// A node's value as a cell shows it: its display text without children.
fn node_value_text(n: &Node) -> String {
    if n.display_text().is_empty() {
        n.value.display()
    } else {
        n.display_text().into_owned()
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

/// A sort key of a field value: absent first, then present without a value (a nest), then
/// numbers by value, then text. Taken from the value, not the display text, so a narrowed
/// tree (which has no display texts) gives the same key as a whole one.
#[derive(Debug, Clone, PartialEq, PartialOrd)]
enum Key {
    Empty,
    Present,
    Num(f64),
    Text(Box<str>),
}

fn hex_key(b: &[u8]) -> Key {
    Key::Text(b.iter().map(|x| format!("{x:02x}")).collect())
}

fn mac_num(m: &[u8; 6]) -> f64 {
    m.iter().fold(0u64, |a, &x| (a << 8) | u64::from(x)) as f64
}

fn value_key(v: &crate::model::Value) -> Key {
    use crate::model::Value;
    match v {
        Value::None => Key::Present,
        Value::Uint(u) | Value::Flags { value: u, .. } => Key::Num(*u as f64),
        Value::Int(i) | Value::Enum { value: i, .. } => Key::Num(*i as f64),
        Value::Bool(b) => Key::Num(f64::from(u8::from(*b))),
        Value::Str(s) => Key::Text(s.as_str().into()),
        Value::Bytes(b) => hex_key(b),
        Value::Ipv4(a) => Key::Num(f64::from(u32::from_be_bytes(*a))),
        Value::Ipv6(a) => hex_key(a),
        Value::Mac(m) => Key::Num(mac_num(m)),
    }
}

fn field_value_key(v: &FieldValue<'_>) -> Key {
    match v {
        FieldValue::Uint(u) | FieldValue::Flags { value: u, .. } => Key::Num(*u as f64),
        FieldValue::Int(i) => Key::Num(*i as f64),
        FieldValue::Enum { value, .. } => Key::Num(*value as f64),
        FieldValue::Float(f) if f.is_finite() => Key::Num(*f),
        FieldValue::Float(_) => Key::Present,
        FieldValue::Bool(b) => Key::Num(f64::from(u8::from(*b))),
        FieldValue::Str(s) => Key::Text(s.as_ref().into()),
        FieldValue::Bytes(b) => hex_key(b),
        FieldValue::Ipv4(a) => Key::Num(f64::from(u32::from_be_bytes(*a))),
        FieldValue::Ipv6(a) => hex_key(a),
        FieldValue::Mac(m) => Key::Num(mac_num(m)),
    }
}

/// The sort key of store row `i` by `field`: its first occurrence's value, from a tree
/// holding only what `want` names (`None`: the whole tree); header fields from the index.
fn field_key(store: &Store, i: usize, field: &str, want: Option<&Want>) -> Key {
    if Filter::HEADER_FIELDS.contains(&field) || field.starts_with("frame.") {
        return store
            .with_fields(i, |f| {
                let mut k = Key::Empty;
                f.any(field, &mut |v| {
                    k = field_value_key(v);
                    true
                });
                k
            })
            .unwrap_or(Key::Empty);
    }
    let Some(v) = store.view(i) else {
        return Key::Empty;
    };
    let mut k = None;
    let header = [v.header_node()];
    let tree = v.tree_for(want);
    for n in header.iter().chain(tree.iter()) {
        n.walk(&mut |n| {
            if k.is_none() && n.field == field {
                k = Some(value_key(&n.value));
            }
        });
    }
    k.unwrap_or(Key::Empty)
}

/// Sorting the displayed rows by a field column: each row's value needs its tree, so the keys
/// are worked out a slice per frame ([`FieldSort::step`]), each run of [`RUN`] sorted as it is
/// complete (a few milliseconds even for text), and the runs merged through a heap over
/// further slices (one sort of a million keys would hold a frame for 50 ms).
#[derive(Debug)]
pub struct FieldSort {
    /// The field.
    pub field: String,
    /// Ascending.
    pub asc: bool,
    /// What the trees must hold for `field` (`None`: whole trees).
    want: Option<Want>,
    rows: Vec<u32>,
    keys: Vec<(Key, u32)>,
    /// Keys in sorted runs so far.
    sorted: usize,
    /// Length of a run.
    run: usize,
    /// While merging: a min-heap (by their next key) of the runs' next key and end.
    heads: Option<Vec<(usize, usize)>>,
    out: Vec<u32>,
}

/// Keys sorted at once.
const RUN: usize = 4096;

/// Restore the min-heap order of `heads` (by the key each points at) below `i`.
fn sift_down(heads: &mut [(usize, usize)], mut i: usize, keys: &[(Key, u32)]) {
    let less = |a: &(usize, usize), b: &(usize, usize)| match (keys.get(a.0), keys.get(b.0)) {
        (Some(x), Some(y)) => key_order(x, y).is_lt(),
        _ => false,
    };
    loop {
        let (l, r) = (2 * i + 1, 2 * i + 2);
        let mut m = i;
        for c in [l, r] {
            if let (Some(cv), Some(mv)) = (heads.get(c), heads.get(m))
                && less(cv, mv)
            {
                m = c;
            }
        }
        if m == i {
            return;
        }
        heads.swap(i, m);
        i = m;
    }
}

fn key_order(a: &(Key, u32), b: &(Key, u32)) -> std::cmp::Ordering {
    a.0.partial_cmp(&b.0)
        .unwrap_or(std::cmp::Ordering::Equal)
        .then(a.1.cmp(&b.1))
}

impl FieldSort {
    /// A sort of `rows` by `field`, reading it from trees that hold only `want`.
    pub fn new(field: String, asc: bool, rows: Vec<u32>, want: Option<Want>) -> Self {
        FieldSort {
            field,
            asc,
            want,
            keys: Vec::with_capacity(rows.len()),
            run: RUN,
            rows,
            sorted: 0,
            heads: None,
            out: Vec::new(),
        }
    }

    /// Rows keyed so far and in all.
    pub fn progress(&self) -> (usize, usize) {
        (self.keys.len(), self.rows.len())
    }

    /// Sort the keys from the last run's end on (ties are broken by row, so an unstable
    /// sort gives the one order).
    fn sort_run(&mut self) {
        if let Some(run) = self.keys.get_mut(self.sorted..) {
            run.sort_unstable_by(key_order);
        }
        self.sorted = self.keys.len();
    }

    /// Work for about `budget`; the sorted rows when all are done.
    pub fn step(&mut self, store: &Store, budget: Duration) -> Option<Vec<u32>> {
        let start = Instant::now();
        while let Some(&i) = self.rows.get(self.keys.len()) {
            let k = field_key(store, i as usize, &self.field, self.want.as_ref());
            self.keys.push((k, i));
            if self.keys.len() - self.sorted >= self.run {
                self.sort_run();
            }
            if self.keys.len().is_multiple_of(16) && start.elapsed() >= budget {
                return None;
            }
        }
        if self.sorted < self.keys.len() {
            self.sort_run();
        }
        let n = self.keys.len();
        let run = self.run.max(1);
        let keys = &self.keys;
        let heads = self.heads.get_or_insert_with(|| {
            let mut h: Vec<(usize, usize)> =
                (0..n).step_by(run).map(|s| (s, (s + run).min(n))).collect();
            for i in (0..h.len() / 2).rev() {
                sift_down(&mut h, i, keys);
            }
            h
        });
        while let Some(&(pos, end)) = heads.first() {
            let Some(k) = keys.get(pos) else {
                break;
            };
            self.out.push(k.1);
            if pos + 1 < end {
                if let Some(top) = heads.first_mut() {
                    top.0 = pos + 1;
                }
            } else {
                let last = heads.len() - 1;
                heads.swap(0, last);
                heads.pop();
            }
            sift_down(heads, 0, keys);
            if self.out.len().is_multiple_of(256) && start.elapsed() >= budget {
                return None;
            }
        }
        let mut out = std::mem::take(&mut self.out);
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
        use crate::model::Value;
        let mut v = vec![
            value_key(&Value::Uint(10)),
            value_key(&Value::Enum {
                value: 9,
                name: "Z".into(),
            }),
            value_key(&Value::Str("abc".into())),
            Key::Empty,
            value_key(&Value::None),
            value_key(&Value::Flags {
                value: 32,
                names: vec![],
            }),
            value_key(&Value::Ipv4([10, 0, 0, 2])),
        ];
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        assert_eq!(
            v,
            [
                Key::Empty,
                Key::Present,
                Key::Num(9.0),
                Key::Num(10.0),
                Key::Num(32.0),
                Key::Num(f64::from(0x0a00_0002u32)),
                Key::Text("abc".into())
            ]
        );
    }

    #[test]
    fn runs_merge_into_one_order_over_slices() {
        let store = Store::new(crate::dissect::specs::SpecRegistry::with_embedded());
        let n = 1000u32;
        // Repeated and mixed keys, already keyed, in runs of 7.
        let key = |i: u32| match i % 5 {
            0 => Key::Empty,
            1 => Key::Text(format!("t{}", (i * 7) % 13).into()),
            2 => Key::Present,
            _ => Key::Num(f64::from((i * 31) % 17)),
        };
        let mut want: Vec<(Key, u32)> = (0..n).map(|i| (key(i), i)).collect();
        want.sort_by(key_order);
        let want: Vec<u32> = want.into_iter().map(|k| k.1).collect();
        for asc in [true, false] {
            let mut s = FieldSort::new("x".into(), asc, (0..n).collect(), None);
            s.run = 7;
            s.keys = (0..n).map(|i| (key(i), i)).collect();
            for r in s.keys.chunks_mut(7) {
                r.sort_by(key_order);
            }
            s.sorted = n as usize;
            let mut steps = 0;
            let got = loop {
                steps += 1;
                if let Some(o) = s.step(&store, Duration::ZERO) {
                    break o;
                }
            };
            assert!(steps > 2, "{steps}");
            let mut expect = want.clone();
            if !asc {
                expect.reverse();
            }
            assert_eq!(got, expect);
        }
    }
}
