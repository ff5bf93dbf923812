//! Names that live as long as the process, so tree nodes borrow them instead of allocating.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::hash::BuildHasher;
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};

use rustc_hash::{FxBuildHasher, FxHashMap, FxHashSet};

/// The interned strings, in shards by hash: the spec loader interns from two threads at start.
const SHARDS: usize = 16;

/// The shard that holds `s` if anything does, locked.
fn shard(s: &str) -> MutexGuard<'static, FxHashSet<&'static str>> {
    static SETS: [Mutex<FxHashSet<&'static str>>; SHARDS] =
        [const { Mutex::new(FxHashSet::with_hasher(FxBuildHasher)) }; SHARDS];
    let i = (FxBuildHasher.hash_one(s) >> 60) as usize;
    let [first, ..] = &SETS;
    SETS.get(i)
        .unwrap_or(first)
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
}

/// `[i]`, an array element's name: borrowed for the first 256 indices (made once), made for
/// the rest.
pub fn bracketed(i: usize) -> Cow<'static, str> {
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    let names = NAMES.get_or_init(|| {
        let all: String = (0..256).map(|i| format!("[{i}]")).collect();
        let all: &'static str = Box::leak(all.into_boxed_str());
        let mut v = Vec::with_capacity(256);
        let mut at = 0;
        for i in 0..256usize {
            let len = 2 + itoa::Buffer::new().format(i).len();
            v.push(&all[at..at + len]);
            at += len;
        }
        v
    });
    match names.get(i) {
        Some(n) => Cow::Borrowed(n),
        None => Cow::Owned(format!("[{i}]")),
    }
}

/// `s`, stored once for the life of the process (a second call with the same text returns the
/// same string). For spec names, a set bounded by the spec files loaded: the spec loader
/// interns them, and every tree node named after one borrows it.
pub fn intern(s: &str) -> &'static str {
    let mut set = shard(s);
    if let Some(&k) = set.get(s) {
        return k;
    }
    let k: &'static str = Box::leak(Box::from(s));
    set.insert(k);
    k
}

/// `names`, stored once for the life of the process (a spec's list: an enum's entries, a
/// struct's members), so [`child_fields`] can know it by its address.
pub fn intern_list(names: &[&'static str]) -> &'static [&'static str] {
    static LISTS: OnceLock<Mutex<HashSet<&'static [&'static str], FxBuildHasher>>> =
        OnceLock::new();
    let mut set = LISTS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(&k) = set.get(names) {
        return k;
    }
    let k: &'static [&'static str] = Box::leak(Box::from(names));
    set.insert(k);
    k
}

/// Whether `s` is the interned string itself (not only the same text).
fn is_interned(s: &str) -> bool {
    shard(s)
        .get(s)
        .is_some_and(|k| std::ptr::eq(k.as_ptr(), s.as_ptr()))
}

/// Two strings (a parent path and a spec name or list of names, a node's name and path), each
/// as its address and length in one word: interned and static strings are never freed, so
/// while the first is one no other text can sit at its address. `None` when an address or
/// length does not fit (then nothing is remembered).
pub type Key = (u64, u64);

fn word(p: *const u8, len: usize) -> Option<u64> {
    let p = p as usize as u64;
    (p >> 48 == 0 && len <= 0xffff).then_some((p << 16) | len as u64)
}

fn key(first: &str, p: *const u8, len: usize) -> Option<Key> {
    Some((word(first.as_ptr(), first.len())?, word(p, len)?))
}

/// Slots of the table in front of a memo's map: enough for the paths of the families a
/// capture holds, few enough to stay in the nearest cache.
const SLOTS: usize = 256;

/// A thread's answers by [`Key`]: a map, with a small direct-mapped table of recent answers in
/// front of it (looked up for every node a tree builds: a multiply and a compare). `None`
/// answers (a parent found not interned) are only kept in the table: a stale one, for an
/// address an interned string took later, only costs a new string.
pub struct Memo<V: Copy + 'static> {
    recent: [Cell<(u64, u64, Option<V>)>; SLOTS],
    map: RefCell<FxHashMap<Key, V>>,
}

impl<V: Copy + 'static> Default for Memo<V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<V: Copy + 'static> Memo<V> {
    /// An empty memo (for a `thread_local!`).
    pub const fn new() -> Self {
        Memo {
            recent: [const { Cell::new((0, 0, None)) }; SLOTS],
            map: RefCell::new(FxHashMap::with_hasher(rustc_hash::FxBuildHasher)),
        }
    }

    /// The answer for `k`, remembered or else made by `make` (which must not use this memo).
    pub fn get(&self, k: Option<Key>, make: impl FnOnce() -> Option<V>) -> Option<V> {
        let Some((a, b)) = k else {
            return make();
        };
        let i =
            ((a ^ b.rotate_left(29)).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 40) as usize % SLOTS;
        let slot = self.recent.get(i);
        if let Some((ra, rb, v)) = slot.map(Cell::get)
            && ra == a
            && rb == b
        {
            return v;
        }
        let known = self
            .map
            .try_borrow()
            .ok()
            .and_then(|m| m.get(&(a, b)).copied());
        let v = known.or_else(|| {
            let v = make()?;
            if let Ok(mut m) = self.map.try_borrow_mut() {
                m.insert((a, b), v);
            }
            Some(v)
        });
        if let Some(c) = slot {
            c.set((a, b, v));
        }
        v
    }
}

/// `path.name`, a child's field path (`format!` costs more than the rest of a small node).
pub fn dotted(path: &str, name: &str) -> String {
    let mut f = String::with_capacity(path.len() + 1 + name.len());
    f.push_str(path);
    f.push('.');
    f.push_str(name);
    f
}

/// The field paths `parent.n` for every `n` of `names` (from [`intern_list`]), when `parent`
/// is interned: one lookup for all the elements of an array or the members of a struct.
/// `None` for other parents (their children's paths are new strings, see [`child_field`]).
pub fn child_fields(
    parent: &str,
    names: &'static [&'static str],
) -> Option<&'static [&'static str]> {
    thread_local! {
        static LISTS: Memo<&'static [&'static str]> = const { Memo::new() };
    }
    let k = key(parent, names.as_ptr().cast(), names.len());
    LISTS.with(|m| {
        m.get(k, || {
            if !is_interned(parent) {
                return None;
            }
            let paths: Vec<&'static str> =
                names.iter().map(|n| intern(&dotted(parent, n))).collect();
            Some(intern_list(&paths))
        })
    })
}

/// The field path `parent.name`, borrowed when `parent` is an interned string (a path made of
/// spec names from an interned root): each thread then joins a parent and a name once and
/// looks the path up after that, by address. Other parents (a path with a number from the
/// data in it) get a new string, so data never grows the interned set.
pub fn child_field(parent: &str, name: &'static str) -> Cow<'static, str> {
    thread_local! {
        static JOINED: Memo<&'static str> = const { Memo::new() };
    }
    let k = key(parent, name.as_ptr(), name.len());
    let path = JOINED.with(|m| {
        m.get(k, || {
            is_interned(parent).then(|| intern(&dotted(parent, name)))
        })
    });
    match path {
        Some(f) => Cow::Borrowed(f),
        None => Cow::Owned(dotted(parent, name)),
    }
}

/// `make(a, b)` for two strings that live as long as the process (interned or static), made
/// once per thread and pair and kept for the process (by the strings' addresses).
pub fn pair_text(
    memo: &'static std::thread::LocalKey<Memo<&'static str>>,
    a: &'static str,
    b: &'static str,
    make: impl FnOnce() -> String,
) -> &'static str {
    let k = key(a, b.as_ptr(), b.len());
    memo.with(|m| m.get(k, || Some(intern(&make()))))
        .unwrap_or_default()
}

/// `make()` for two interned lists (`intern_list`), made once per thread and pair (by the
/// lists' addresses) and kept for the process.
pub fn pair_lists(
    memo: &'static std::thread::LocalKey<Memo<&'static [&'static str]>>,
    a: &'static [&'static str],
    b: &'static [&'static str],
    make: impl FnOnce() -> Vec<&'static str>,
) -> Option<&'static [&'static str]> {
    let k = word(a.as_ptr().cast(), a.len()).zip(word(b.as_ptr().cast(), b.len()));
    memo.with(|m| m.get(k, || Some(intern_list(&make()))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bracketed_names_are_the_index_in_brackets() {
        for i in [0, 1, 9, 10, 99, 100, 255, 256, 70_000] {
            assert_eq!(bracketed(i), format!("[{i}]"));
        }
        assert!(matches!(bracketed(255), Cow::Borrowed(_)));
        assert!(matches!(bracketed(256), Cow::Owned(_)));
    }

    #[test]
    fn same_text_same_string() {
        let a = intern(&String::from("IFLA_MTU"));
        let b = intern("IFLA_MTU");
        assert_eq!(a, "IFLA_MTU");
        assert!(std::ptr::eq(a, b));
        assert!(!std::ptr::eq(a, intern("IFLA_MTUX")));
    }

    #[test]
    fn children_of_interned_paths_are_interned() {
        let root = intern("test-root");
        let a = child_field(root, "mtu");
        assert!(matches!(a, Cow::Borrowed("test-root.mtu")));
        let b = child_field(intern("test-root"), "mtu");
        assert!(matches!((&a, &b), (Cow::Borrowed(x), Cow::Borrowed(y)) if std::ptr::eq(*x, *y)));
        // The same text, not interned: a new string each time, nothing interned for it.
        let owned = String::from("test-root");
        assert!(matches!(child_field(&owned, "ifname"), Cow::Owned(s) if s == "test-root.ifname"));
        assert!(matches!(child_field(&owned, "mtu"), Cow::Owned(s) if s == "test-root.mtu"));
        assert!(shard("test-root.ifname").get("test-root.ifname").is_none());
        // Asked again: the table in front of the map answers the same.
        assert!(
            matches!(child_field(root, "mtu"), Cow::Borrowed(x) if std::ptr::eq(x, a.as_ref()))
        );
        assert!(matches!(child_field(&owned, "mtu"), Cow::Owned(s) if s == "test-root.mtu"));
    }

    #[test]
    fn lists_of_children() {
        let names = intern_list(&[intern("a"), intern("b-c")]);
        assert!(std::ptr::eq(names, intern_list(&["a", "b-c"])));
        let root = intern("test-lists");
        let paths = child_fields(root, names).unwrap();
        assert_eq!(paths, ["test-lists.a", "test-lists.b-c"]);
        // The same strings as one at a time, and as a second time.
        assert!(
            matches!(child_field(root, names[1]), Cow::Borrowed(x) if std::ptr::eq(x, paths[1]))
        );
        assert!(std::ptr::eq(child_fields(root, names).unwrap(), paths));
        let owned = String::from("test-lists");
        assert_eq!(child_fields(&owned, names), None);
        assert_eq!(child_fields(&owned, names), None);
    }
}
