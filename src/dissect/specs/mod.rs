//! YNL spec files: loading (embedded, system, `--spec-dir`) and lookup by family.

mod load;
mod model;

pub use load::{SpecError, c_name, load_spec};
pub use model::*;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::dissect::decode::Decoder;

include!(concat!(env!("OUT_DIR"), "/embedded_specs.rs"));

/// Classic netlink protocol numbers (the kernel's MAX_LINKS, include/uapi/linux/netlink.h).
const MAX_PROTOCOLS: usize = 32;

/// Where distributions install the kernel's YNL specs.
pub const SYSTEM_SPEC_DIRS: &[&str] = &["/usr/share/ynl/specs"];

/// One embedded spec file (the list is written by build.rs).
#[derive(Debug)]
pub struct Embedded {
    /// File name in `assets/specs`.
    pub file: &'static str,
    /// The packed document, or the YAML text.
    pub bytes: &'static [u8],
    /// Whether `bytes` are packed (see `load/packed.rs`).
    pub packed: bool,
    /// The family name, when the registry may file the spec under it before loading it.
    pub name: &'static str,
    /// Its netlink-raw protocol number, if it is netlink-raw and has one.
    pub raw_protonum: Option<u32>,
}

impl Embedded {
    fn load(&self) -> Result<Spec, SpecError> {
        let source = SpecSource::Embedded(self.file.to_string());
        if self.packed {
            return load::load_spec_packed(self.bytes, source);
        }
        match std::str::from_utf8(self.bytes) {
            Ok(text) => load_spec(text, source),
            Err(e) => Err(SpecError {
                source: source.to_string(),
                message: format!("not UTF-8: {e}"),
            }),
        }
    }
}

/// A spec of the registry: an embedded one is loaded when first asked for (a command needs a
/// few of the ~100: loading them all took most of a short run).
#[derive(Debug, Clone)]
struct Slot {
    /// The embedded file it loads from, if it was not given loaded.
    embedded: Option<&'static Embedded>,
    spec: std::sync::OnceLock<Result<Spec, SpecError>>,
}

impl Slot {
    fn get(&self) -> Option<&Spec> {
        let loaded = self.spec.get_or_init(|| match self.embedded {
            Some(e) => e.load(),
            None => Err(SpecError {
                source: "registry".into(),
                message: "internal: a slot with neither a spec nor a file".into(),
            }),
        });
        loaded.as_ref().ok()
    }
}

/// All loaded specs, indexed for the dissector.
#[derive(Debug, Default, Clone)]
pub struct SpecRegistry {
    /// Shared by clones (each thread's dissector has one): loading a file is copy-on-write,
    /// and an embedded spec loaded by one clone is loaded for all.
    specs: std::sync::Arc<Vec<Slot>>,
    by_name: HashMap<String, usize>,
    /// Specs claiming each classic netlink protocol number, in load order (later wins).
    by_protonum: HashMap<u32, Vec<usize>>,
    /// Files that failed to load (not fatal): see [`SpecRegistry::errors`].
    errors: Vec<SpecError>,
    /// Per protocol number, the interned field roots its messages may be walked with, by
    /// address and sorted ([`SpecRegistry::may_walk`]): found when first asked for, and again
    /// after a change (filing a spec or pinning a protocol clears it).
    walk_roots: std::sync::OnceLock<Vec<Vec<usize>>>,
}

impl SpecRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// The embedded specs, then the system directories, then `extra_dirs` (later files replace
    /// earlier ones with the same family name). Unreadable or invalid files are recorded in
    /// `errors`; a missing `extra_dir` is an error because the user asked for it.
    pub fn load_default(extra_dirs: &[PathBuf]) -> Result<Self, SpecError> {
        Self::load(true, extra_dirs)
    }

    /// [`SpecRegistry::load_default`], with the system directories only if `system`.
    pub fn load(system: bool, extra_dirs: &[PathBuf]) -> Result<Self, SpecError> {
        let mut reg = Self::with_embedded();
        for d in SYSTEM_SPEC_DIRS.iter().filter(|_| system) {
            let p = Path::new(d);
            if p.is_dir() {
                reg.load_dir(p)?;
            }
        }
        for d in extra_dirs {
            reg.load_dir(d)?;
        }
        Ok(reg)
    }

    /// Only the embedded specs, each loaded when first asked for (one whose name build.rs
    /// could not read is loaded now). One that fails to load is a build bug, in
    /// [`SpecRegistry::errors`] and caught by the tests.
    pub fn with_embedded() -> Self {
        let mut reg = Self::new();
        for e in EMBEDDED {
            if e.name.is_empty() {
                match e.load() {
                    Ok(s) => reg.insert(s),
                    Err(err) => reg.errors.push(err),
                }
            } else {
                let slot = Slot {
                    embedded: Some(e),
                    spec: std::sync::OnceLock::new(),
                };
                reg.file(e.name.to_string(), e.raw_protonum, slot);
            }
        }
        reg
    }

    /// Load every embedded spec not loaded yet, on this thread and another, each taking the
    /// next, biggest first (so both finish together): for what looks at every spec.
    pub fn load_all(&self) {
        self.load_slots(self.specs.iter().collect());
    }

    /// Load, as [`SpecRegistry::load_all`] does, the specs that messages of the classic
    /// protocols `protocols` (a bit per number) may be read with: those claiming one, and for
    /// generic netlink those of the families `genl` (or every generic netlink spec if
    /// `all_genl`: telling an unnamed id's family tries them all), with the specs their
    /// families' layouts pick. What a capture needs beyond that loads when first used.
    pub fn load_for(&self, protocols: u32, genl: &[&str], all_genl: bool) {
        let mut pick: HashSet<usize> = HashSet::new();
        for (p, v) in &self.by_protonum {
            if *p < 32 && protocols & (1 << p) != 0 {
                pick.extend(v);
            }
        }
        if protocols & (1 << crate::netlink::NETLINK_GENERIC) != 0 {
            if all_genl {
                let claimed: HashSet<&usize> = self.by_protonum.values().flatten().collect();
                pick.extend((0..self.specs.len()).filter(|i| !claimed.contains(i)));
            } else {
                for n in genl.iter().copied().chain(["nlctrl"]) {
                    pick.extend(self.index_for(n));
                }
            }
        }
        let named: Vec<&String> = self
            .by_name
            .iter()
            .filter(|(_, i)| pick.contains(i))
            .map(|(n, _)| n)
            .collect();
        for n in named {
            for l in crate::dissect::families::family(n).layout_specs() {
                pick.extend(self.index_for(l));
            }
        }
        self.load_slots(pick.iter().filter_map(|&i| self.specs.get(i)).collect());
    }

    /// Position of the spec named `name` (either spelling, see [`SpecRegistry::get`]), not
    /// loading it.
    fn index_for(&self, name: &str) -> Option<usize> {
        self.by_name
            .get(name)
            .or_else(|| self.by_name.get(&name.replace('_', "-")))
            .or_else(|| self.by_name.get(&name.replace('-', "_")))
            .copied()
    }

    /// Load the slots `order` not loaded yet, on this thread and another, biggest first.
    fn load_slots(&self, order: Vec<&Slot>) {
        let mut order: Vec<&Slot> = order
            .into_iter()
            .filter(|s| s.spec.get().is_none())
            .collect();
        if order.len() < 2 {
            for s in order {
                s.get();
            }
            return;
        }
        order.sort_by_key(|s| std::cmp::Reverse(s.embedded.map_or(0, |e| e.bytes.len())));
        let next = std::sync::atomic::AtomicUsize::new(0);
        let work = || {
            while let Some(s) = order.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed)) {
                s.get();
            }
        };
        // Loading never panics (the crate denies it); if the other thread did, or could not
        // start, what it left is loaded here or on first use.
        std::thread::scope(|sc| {
            let other = std::thread::Builder::new().spawn_scoped(sc, work);
            work();
            if let Ok(t) = other {
                let _ = t.join();
            }
        });
    }

    /// Files that failed to load (shown by `specs list`, not fatal): every embedded spec is
    /// loaded to tell.
    pub fn errors(&self) -> Vec<SpecError> {
        self.load_all();
        let lazy = self
            .specs
            .iter()
            .filter_map(|s| s.spec.get()?.as_ref().err());
        lazy.chain(&self.errors).cloned().collect()
    }

    /// Load every `*.yaml` in `dir` (not recursive). Bad files go to `errors`.
    pub fn load_dir(&mut self, dir: &Path) -> Result<(), SpecError> {
        let rd = std::fs::read_dir(dir).map_err(|e| SpecError {
            source: dir.display().to_string(),
            message: format!("cannot read spec directory: {e}"),
        })?;
        let mut files: Vec<PathBuf> = rd
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect();
        files.sort();
        for f in files {
            match self.load_file(&f) {
                Ok(()) => {}
                Err(e) => self.errors.push(e),
            }
        }
        Ok(())
    }

    /// Load one spec file.
    pub fn load_file(&mut self, path: &Path) -> Result<(), SpecError> {
        let err = |message: String| SpecError {
            source: path.display().to_string(),
            message,
        };
        let meta = std::fs::metadata(path).map_err(|e| err(e.to_string()))?;
        if meta.len() > load::MAX_SPEC_BYTES as u64 {
            return Err(err(format!("{} bytes is too big for a spec", meta.len())));
        }
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        let spec = load_spec(&text, SpecSource::File(path.to_path_buf()))?;
        self.insert(spec);
        Ok(())
    }

    /// Add a spec, replacing one of the same name.
    pub fn insert(&mut self, spec: Spec) {
        let name = spec.name.clone();
        let raw_protonum = spec
            .protonum
            .filter(|_| spec.protocol == Protocol::NetlinkRaw);
        let slot = Slot {
            embedded: None,
            spec: std::sync::OnceLock::from(Ok(spec)),
        };
        self.file(name, raw_protonum, slot);
    }

    /// File `slot` under family `name` (and netlink-raw protocol `raw_protonum`), replacing
    /// the spec of that name.
    fn file(&mut self, name: String, raw_protonum: Option<u32>, slot: Slot) {
        let specs = std::sync::Arc::make_mut(&mut self.specs);
        let idx = match self.by_name.get(&name).copied() {
            Some(i) if i < specs.len() => {
                if let Some(old) = specs.get_mut(i) {
                    *old = slot;
                }
                i
            }
            _ => {
                specs.push(slot);
                specs.len() - 1
            }
        };
        self.by_name.insert(name, idx);
        self.walk_roots = std::sync::OnceLock::new();
        self.by_protonum
            .values_mut()
            .for_each(|v| v.retain(|&i| i != idx));
        if let Some(p) = raw_protonum {
            self.by_protonum.entry(p).or_default().push(idx);
        }
    }

    /// Decode classic protocol `proto` with the netlink-raw spec named `name` before any other
    /// spec claiming it (`--decode-as`, Decode As): a user's protocol on NETLINK_USERSOCK or a
    /// module's own number. Errors when no such spec is loaded or it is not netlink-raw.
    pub fn pin_protocol(&mut self, proto: u32, name: &str) -> Result<(), String> {
        let idx = self
            .get(name)
            .map(|s| s.name.clone())
            .and_then(|n| self.index_of(&n))
            .ok_or_else(|| format!("no spec named '{name}' is loaded (see nlscope specs list)"))?;
        if self.spec_at(idx).map(|s| s.protocol) != Some(Protocol::NetlinkRaw) {
            return Err(format!(
                "spec '{name}' is not a netlink-raw spec (generic netlink families are chosen by id: --genl)"
            ));
        }
        self.walk_roots = std::sync::OnceLock::new();
        let v = self.by_protonum.entry(proto).or_default();
        v.retain(|&i| i != idx);
        // Most recently loaded first: the end of the list wins.
        v.push(idx);
        Ok(())
    }

    /// All specs in load order (every embedded one loaded first).
    pub fn specs(&self) -> impl Iterator<Item = &Spec> {
        self.indexed().map(|(_, s)| s)
    }

    /// [`SpecRegistry::specs`] with each one's position (see [`SpecRegistry::spec_at`]).
    pub fn indexed(&self) -> impl Iterator<Item = (usize, &Spec)> {
        self.load_all();
        self.specs
            .iter()
            .enumerate()
            .filter_map(|(i, s)| Some((i, s.get()?)))
    }

    /// The spec at position `i` (as [`SpecRegistry::index_of`] gives it), loaded if need be.
    pub fn spec_at(&self, i: usize) -> Option<&Spec> {
        self.specs.get(i)?.get()
    }

    /// Whether the spec named `name` is loaded (not only filed).
    #[cfg(test)]
    pub(crate) fn is_loaded(&self, name: &str) -> bool {
        let slot = self.by_name.get(name).and_then(|&i| self.specs.get(i));
        slot.is_some_and(|s| s.spec.get().is_some())
    }

    /// The family names of all specs, none loaded for it.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
    }

    /// A spec by family name. Generic netlink family names use `_` where some spec files use
    /// `-` (and the other way round), so both spellings are tried.
    pub fn get(&self, name: &str) -> Option<&Spec> {
        self.index_for(name).and_then(|i| self.spec_at(i))
    }

    /// Position of the spec named `name` in [`SpecRegistry::specs`].
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// Specs claiming classic netlink protocol `proto`, most recently loaded first.
    pub fn for_protonum(&self, proto: u32) -> impl Iterator<Item = &Spec> {
        self.by_protonum
            .get(&proto)
            .into_iter()
            .flat_map(|v| v.iter().rev())
            .filter_map(|&i| self.spec_at(i))
    }

    /// Whether a message of classic protocol `proto` may be walked with a spec of one of the
    /// field roots `roots` (interned: see [`crate::model::intern`]): one claiming the protocol
    /// (for NETLINK_GENERIC, any spec claiming no number) or one their families' layouts pick.
    /// Known from the specs' names, without loading one, so that a filter can pass over
    /// messages of other protocols without resolving them. A protocol number beyond the
    /// kernel's 32 may be walked by anything.
    pub fn may_walk(&self, proto: u32, roots: &[&'static str]) -> bool {
        let by_proto = self.walk_roots.get_or_init(|| {
            let mut all = vec![Vec::new(); MAX_PROTOCOLS];
            for (name, &i) in &self.by_name {
                let mut protos: Vec<u32> = self
                    .by_protonum
                    .iter()
                    .filter(|(_, v)| v.contains(&i))
                    .map(|(&p, _)| p)
                    .collect();
                if protos.is_empty() {
                    protos.push(crate::netlink::NETLINK_GENERIC);
                }
                let layouts = crate::dissect::families::family(name).layout_specs();
                for n in std::iter::once(name.as_str()).chain(layouts.iter().copied()) {
                    let root = crate::model::intern(&Spec::root_of(n)).as_ptr() as usize;
                    for p in &protos {
                        if let Some(v) = usize::try_from(*p).ok().and_then(|p| all.get_mut(p)) {
                            v.push(root);
                        }
                    }
                }
            }
            for v in &mut all {
                v.sort_unstable();
                v.dedup();
            }
            all
        });
        let Some(walkers) = usize::try_from(proto).ok().and_then(|p| by_proto.get(p)) else {
            return true;
        };
        roots
            .iter()
            .any(|r| walkers.binary_search(&(r.as_ptr() as usize)).is_ok())
    }

    /// The spec and op for a classic netlink message: the first claiming spec that knows the
    /// type in this direction, else one that knows it in the other direction.
    pub fn raw_op(&self, proto: u32, msg_type: u16, to_kernel: bool) -> Option<(&Spec, &Op)> {
        let dir = |want: bool| {
            self.for_protonum(proto).find_map(|s| {
                s.ops
                    .iter()
                    .find(|o| {
                        if want {
                            o.request_values.contains(&msg_type)
                        } else {
                            o.reply_values.contains(&msg_type)
                        }
                    })
                    .map(|o| (s, o))
            })
        };
        dir(to_kernel).or_else(|| dir(!to_kernel))
    }

    /// Paths of attribute set `set` of spec `spec` placed under `prefix`: for sets a code hook
    /// puts where the spec does not say (see `dissect::families`). Empty when either is missing.
    pub fn set_paths(&self, spec: &str, set: &str, prefix: &str) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(s) = self.get(spec) {
            collect_paths(s, set, prefix, 1, &mut out);
        }
        out
    }

    /// Paths of fixed header `st` of spec `spec` (its node and members) under `prefix`: for
    /// headers a code hook picks by content. Empty when either is missing.
    pub fn header_paths(&self, spec: &str, st: &str, prefix: &str) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(s) = self.get(spec) {
            header_paths(s, st, prefix, &mut out);
        }
        out
    }

    /// Every filter field path the specs define (`rt-link.ifname`, `rt-link.linkinfo.kind`, ...),
    /// for validation and completion. Nested paths are followed a few levels deep.
    pub fn field_paths(&self) -> Vec<String> {
        self.field_paths_of(&|_| true)
    }

    /// [`SpecRegistry::field_paths`] of the specs whose field root (see [`Spec::root_of`])
    /// `keep` picks; only those are loaded.
    pub fn field_paths_of(&self, keep: &dyn Fn(&str) -> bool) -> Vec<String> {
        let mut out = Vec::new();
        let mut kept: Vec<usize> = self
            .by_name
            .iter()
            .filter(|(name, _)| keep(&Spec::root_of(name)))
            .map(|(_, &i)| i)
            .collect();
        // In load order, as before (the paths are sorted later, but not deduplicated).
        kept.sort_unstable();
        for s in kept.into_iter().filter_map(|i| self.spec_at(i)) {
            let mut roots: Vec<(&str, Option<&str>)> = Vec::new();
            for op in &s.ops {
                if let Some(set) = &op.attribute_set {
                    roots.push((set.as_str(), op.fixed_header.as_deref()));
                }
            }
            if roots.is_empty()
                && let Some(m) = s.main_set()
            {
                roots.push((m, None));
            }
            let mut headers: Vec<&str> = s
                .ops
                .iter()
                .filter_map(|o| o.fixed_header.as_deref())
                .chain(s.fixed_header.as_deref())
                .collect();
            headers.sort_unstable();
            headers.dedup();
            for h in headers {
                // The header node and its members, nested structs and unions included
                // (xfrm.xfrm_usersa_info.id.spi).
                header_paths(s, h, s.field_root(), &mut out);
            }
            roots.sort_unstable();
            roots.dedup();
            for (set, _) in roots {
                collect_paths(s, set, s.field_root(), 0, &mut out);
            }
            // Code decoders' nodes carry their own absolute fields (`wlan.ssid`): once per
            // decoder the spec names anywhere.
            let mut decoders: Vec<Decoder> = s
                .sets
                .values()
                .flat_map(|set| &set.attrs)
                .filter_map(|a| a.decode)
                .collect();
            decoders.sort_unstable_by_key(|d| d.name());
            decoders.dedup();
            for d in decoders {
                out.extend(d.fields());
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

/// Attribute paths under `prefix`. No dedupe while walking: two formats of a sub-message may
/// give one attribute name different layouts, and each must be followed (the caller sorts and
/// dedupes). A set is re-entered only across a sub-message, once (nl80211-attrs nests itself in
/// half a dozen places: following those gave hundreds of millions of paths); the depth bound and
/// the total cap stop anything else that grows.
fn collect_paths(s: &Spec, set: &str, prefix: &str, depth: usize, out: &mut Vec<String>) {
    let mut open = Vec::new();
    collect_set(s, set, prefix, depth, &mut open, out);
}

/// Most paths one spec may add to the catalog (the largest, nl80211, has about 20 000).
const MAX_PATHS: usize = 200_000;

fn collect_set<'a>(
    s: &'a Spec,
    set: &'a str,
    prefix: &str,
    depth: usize,
    open: &mut Vec<&'a str>,
    out: &mut Vec<String>,
) {
    let Some(set_def) = s.sets.get(set) else {
        return;
    };
    // A set already open is entered once more only across a sub-message (veth's peer is
    // rt-link inside rt-link's linkinfo data) or when small (pedit's keys-ex, ets's priomap
    // nest their own set's attributes); big self-nesting sets (nl80211-attrs) are not.
    let again = match open.iter().rposition(|o| *o == set) {
        None => true,
        Some(i) => {
            (open.get(i + 1..).is_some_and(|o| o.contains(&"")) || set_def.attrs.len() <= 32)
                && open.iter().filter(|o| **o == set).count() < 2
        }
    };
    if depth > 8 || !again || out.len() > MAX_PATHS {
        return;
    }
    open.push(set);
    collect_attrs(s, set_def, prefix, depth, open, out);
    open.pop();
}

fn collect_attrs<'a>(
    s: &'a Spec,
    set: &'a AttrSet,
    prefix: &str,
    depth: usize,
    open: &mut Vec<&'a str>,
    out: &mut Vec<String>,
) {
    for a in &set.attrs {
        let path = format!("{prefix}.{}", a.name);
        if let Some(h) = &a.fixed_header {
            header_paths(s, h, &path, out);
        }
        if let Some(n) = &a.nested {
            collect_set(s, n, &path, depth + 1, open, out);
        }
        // Elements of an integer array named by an enum: `<attr>.<entry>`.
        if let Some(ia) = &a.ints {
            let enums = ia
                .index
                .iter()
                .chain(ia.index_by_count.iter().map(|(_, e)| e))
                .chain(ia.bitmap.iter());
            for e in enums.filter_map(|e| s.enums.get(e)) {
                for n in e.names {
                    out.push(format!("{path}.{n}"));
                }
            }
        }
        // An indexed array's elements add no segment: `<attr>.<member>` as for one struct.
        let ty = match &a.ty {
            AttrType::IndexedArray(inner) => inner.as_ref(),
            t => t,
        };
        match ty {
            AttrType::Binary {
                structure: Some(st),
                ..
            } => struct_paths(s, st, &path, 0, out),
            AttrType::Bitfield32 => {
                out.push(format!("{path}.value"));
                out.push(format!("{path}.selector"));
            }
            AttrType::SubMessage { name, .. } => {
                for f in s
                    .sub_messages
                    .get(name)
                    .into_iter()
                    .flat_map(|m| &m.formats)
                {
                    if let Some(h) = &f.fixed_header {
                        header_paths(s, h, &path, out);
                    }
                    if let Some(fs) = &f.attribute_set {
                        open.push("");
                        collect_set(s, fs, &path, depth + 1, open, out);
                        open.pop();
                    }
                }
            }
            _ => {}
        }
        out.push(path);
    }
}

/// A fixed header inside `prefix`: its node (`<prefix>.<struct>`) and members.
fn header_paths(s: &Spec, h: &str, prefix: &str, out: &mut Vec<String>) {
    if s.structs.contains_key(h) {
        let path = format!("{prefix}.{h}");
        out.push(path.clone());
        struct_paths(s, h, &path, 0, out);
    }
}

/// Members of struct `st` under `prefix`, with nested structs, array elements and union arms.
fn struct_paths(s: &Spec, st: &str, prefix: &str, depth: usize, out: &mut Vec<String>) {
    let Some(st) = s.structs.get(st) else { return };
    if depth > 4 {
        return;
    }
    for m in &st.members {
        let path = format!("{prefix}.{}", m.name);
        match &m.kind {
            MemberKind::Binary {
                structure: Some(x), ..
            }
            | MemberKind::Array { structure: x, .. } => {
                struct_paths(s, x, &path, depth + 1, out);
            }
            MemberKind::Union { sub_message, .. } => {
                for h in s
                    .sub_messages
                    .get(sub_message)
                    .into_iter()
                    .flat_map(|sm| &sm.formats)
                    .filter_map(|f| f.fixed_header.as_deref())
                {
                    struct_paths(s, h, &path, depth + 1, out);
                }
                // bytes of the union the chosen arm leaves unused
                out.push(format!("{path}.pad"));
            }
            _ => {}
        }
        for (b, _) in &m.bits {
            out.push(format!("{path}.{b}"));
        }
        out.push(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loaded(r: &SpecRegistry) -> Vec<&str> {
        let specs = r.specs.iter().filter_map(|s| s.spec.get()?.as_ref().ok());
        specs.map(|s| s.name.as_str()).collect()
    }

    /// Embedded specs load when asked for, once for every clone, and all of them for what
    /// looks at every spec; a file loaded over one replaces it.
    #[test]
    fn embedded_specs_load_when_asked_for() {
        let r = SpecRegistry::with_embedded();
        assert!(loaded(&r).is_empty());
        let clone = r.clone();
        assert_eq!(r.get("rt-link").map(|s| s.name.as_str()), Some("rt-link"));
        assert!(loaded(&clone).contains(&"rt-link"));
        assert!(!loaded(&clone).contains(&"nl80211"));
        let i = r.index_of("nl80211").unwrap();
        assert_eq!(clone.spec_at(i).map(|s| s.name.as_str()), Some("nl80211"));
        assert!(loaded(&r).contains(&"nl80211"));
        assert!(r.errors().is_empty());
        assert_eq!(loaded(&r).len(), EMBEDDED.len());
        assert_eq!(r.specs().count(), EMBEDDED.len());

        let mut r = SpecRegistry::with_embedded();
        let mine = "name: rt-link\nprotocol: netlink-raw\nprotonum: 0\n";
        r.insert(load_spec(mine, SpecSource::Embedded("mine".into())).unwrap());
        assert_eq!(r.get("rt-link").map(|s| s.ops.len()), Some(0));
        assert_eq!(r.specs().count(), EMBEDDED.len());
    }

    /// Which protocols a root may walk, from the names alone: its own spec's protocol, the
    /// protocols of specs whose layouts pick it, generic netlink for genl families, a pinned
    /// protocol after the pin; nothing is loaded for it.
    #[test]
    fn protocols_a_root_may_walk() {
        use crate::model::intern;
        use crate::netlink::{NETLINK_GENERIC, NETLINK_NETFILTER, NETLINK_ROUTE};
        const NETLINK_USERSOCK: u32 = 2;
        let mut r = SpecRegistry::with_embedded();
        let (link, wifi) = (intern("rt-link"), intern("nl80211"));
        assert!(r.may_walk(NETLINK_ROUTE, &[link]));
        assert!(!r.may_walk(NETLINK_GENERIC, &[link]));
        assert!(!r.may_walk(NETLINK_NETFILTER, &[link]));
        assert!(!r.may_walk(NETLINK_USERSOCK, &[link]));
        assert!(r.may_walk(NETLINK_GENERIC, &[wifi]));
        assert!(!r.may_walk(NETLINK_ROUTE, &[wifi]));
        assert!(r.may_walk(NETLINK_ROUTE, &[wifi, link]));
        assert!(r.may_walk(NETLINK_NETFILTER, &[intern("nftables")]));
        // Compared by address: the same text not interned is another root.
        let copy: &'static str = Box::leak(Box::from("rt-link"));
        assert!(!r.may_walk(NETLINK_ROUTE, &[copy]));
        // Beyond the kernel's protocol numbers: anything may.
        assert!(r.may_walk(40, &[link]));
        assert!(loaded(&r).is_empty(), "{:?}", loaded(&r));
        r.pin_protocol(NETLINK_USERSOCK, "rt-link").unwrap();
        assert!(r.may_walk(NETLINK_USERSOCK, &[link]));
        // rt-neigh's layout picks rt-link's sets: a root of the pinned spec's layouts too.
        r.pin_protocol(NETLINK_NETFILTER, "rt-neigh").unwrap();
        assert!(r.may_walk(NETLINK_NETFILTER, &[link]));
    }
}
