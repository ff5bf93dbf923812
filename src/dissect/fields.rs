//! Display-filter field values of a message: header fields from the index, the rest from the
//! dissection tree (built only when the filter asks for a non-header field).

use std::borrow::Cow;
use std::cell::OnceCell;
use std::sync::OnceLock;

use crate::capture::trace::ProcInfo;
use crate::conv::Linked;
use crate::dissect::MessageView;
use crate::dissect::attrs::Want;
use crate::dissect::specs::SpecRegistry;
use crate::filter::{FieldCatalog, FieldSource, FieldValue, Filter};
use crate::model::{Node, Value};
use crate::netlink::{ACK_FLAGS, BASE_FLAGS, DEL_FLAGS, FlagContext, GET_FLAGS, NEW_FLAGS};

/// Flag names with masks for `nlmsg.flags` in each context, built once from the uapi lists in
/// `netlink` (GET also knows NLM_F_DUMP = ROOT|MATCH).
fn flag_table(ctx: FlagContext) -> &'static [(&'static str, u64)] {
    static TABLES: OnceLock<[Vec<(&'static str, u64)>; 5]> = OnceLock::new();
    let tables = TABLES.get_or_init(|| {
        let with = |extra: &[(u16, &'static str)]| -> Vec<(&'static str, u64)> {
            BASE_FLAGS
                .iter()
                .chain(extra)
                .map(|(bit, name)| (*name, u64::from(*bit)))
                .collect()
        };
        let mut get = with(GET_FLAGS);
        get.push(("NLM_F_DUMP", 0x300));
        [
            get,
            with(NEW_FLAGS),
            with(DEL_FLAGS),
            with(ACK_FLAGS),
            with(&[]),
        ]
    });
    let [get, new, del, ack, unknown] = tables;
    match ctx {
        FlagContext::Get => get,
        FlagContext::New => new,
        FlagContext::Del => del,
        FlagContext::Ack => ack,
        FlagContext::Unknown => unknown,
    }
}

/// The fields of one message for filter evaluation.
pub struct MsgFields<'a> {
    /// The message.
    pub view: &'a MessageView<'a>,
    /// 1-based frame number.
    pub frame: u64,
    /// Capture time in ns since the epoch.
    pub ts_ns: i128,
    /// Captured frame length.
    pub frame_len: usize,
    /// Capture time of the first frame (for `frame.time_relative`); `None` leaves that field
    /// absent.
    pub first_ts_ns: Option<i128>,
    /// What correlation knows of the message (`nlmsg.request_in`, `nlmsg.latency`...);
    /// `None` leaves those fields absent.
    pub linked: Option<Linked>,
    /// What changed since the previous message about the same object (`nlmsg.changed`);
    /// `None` when not compared or the first message about it.
    pub changes: Option<crate::conv::changes::Changes>,
    /// The frame's process (its `proc:` packet comment, parsed once per frame) for the
    /// `proc.*` fields; `None` leaves them absent.
    pub process: Option<&'a ProcInfo>,
    /// Build trees only for these fields (see [`Catalog::want`]); such a tree is not printed.
    pub want: Option<&'a Want>,
    /// Marked by the user (`frame.marked`: the app's marks, or the frame's `nlscope-marked:`
    /// comment naming the message).
    pub marked: bool,
    tree: OnceCell<Vec<Node>>,
}

impl<'a> MsgFields<'a> {
    /// Fields of `view`.
    pub fn new(view: &'a MessageView<'a>, frame: u64, ts_ns: i128, frame_len: usize) -> Self {
        MsgFields {
            view,
            frame,
            ts_ns,
            frame_len,
            first_ts_ns: None,
            linked: None,
            changes: None,
            process: None,
            want: None,
            marked: false,
            tree: OnceCell::new(),
        }
    }

    /// Build the tree only for the fields in `want` (a filter's: see [`Catalog::want`]).
    pub fn wanting(mut self, want: Option<&'a Want>) -> Self {
        self.want = want;
        self
    }

    /// The message's whole tree, built already (e.g. to compare it with the previous message
    /// about its object); filters and printing read it.
    pub fn with_tree(self, tree: Vec<Node>) -> Self {
        let _ = self.tree.set(tree);
        self
    }

    /// Measure `frame.time_relative` from `first_ts_ns` (the capture's first frame).
    pub fn relative_to(mut self, first_ts_ns: i128) -> Self {
        self.first_ts_ns = Some(first_ts_ns);
        self
    }

    /// Answer the conversation fields from `linked`.
    pub fn with_linked(mut self, linked: Option<Linked>) -> Self {
        self.linked = linked;
        self
    }

    /// Answer the `proc.*` fields from `process` (the frame's parsed `proc:` comment).
    pub fn with_process(mut self, process: Option<&'a ProcInfo>) -> Self {
        self.process = process;
        self
    }

    /// Answer `frame.marked` (present only when marked).
    pub fn with_marked(mut self, marked: bool) -> Self {
        self.marked = marked;
        self
    }

    /// The tree, built at most once (only what `want` needs, if set).
    pub fn tree(&self) -> &[Node] {
        self.tree.get_or_init(|| self.view.tree_for(self.want))
    }

    /// Whether the tree has been built (a header-only filter never builds it).
    pub fn tree_built(&self) -> bool {
        self.tree.get().is_some()
    }

    /// Take the tree if it was built whole (so output does not build it twice).
    pub fn into_tree(self) -> Option<Vec<Node>> {
        if self.want.is_some() {
            return None;
        }
        self.tree.into_inner()
    }
}

fn node_value<'v>(v: &'v Value) -> Option<FieldValue<'v>> {
    Some(match v {
        Value::None => return None,
        Value::Uint(u) => FieldValue::Uint(*u),
        Value::Int(i) => FieldValue::Int(*i),
        Value::Bool(b) => FieldValue::Bool(*b),
        Value::Str(s) => FieldValue::Str(Cow::Borrowed(s)),
        Value::Bytes(b) => FieldValue::Bytes(Cow::Borrowed(b)),
        Value::Ipv4(a) => FieldValue::Ipv4(*a),
        Value::Ipv6(a) => FieldValue::Ipv6(*a),
        Value::Mac(a) => FieldValue::Mac(*a),
        Value::Enum { value, name } => FieldValue::Enum {
            value: *value,
            name: Cow::Borrowed(name),
            aliases: &[],
        },
        Value::Flags { value, .. } => FieldValue::Uint(*value),
    })
}

impl FieldSource for MsgFields<'_> {
    fn any(&self, field: &str, f: &mut dyn FnMut(&FieldValue<'_>) -> bool) -> bool {
        let m = self.view.index();
        match field {
            "frame.number" => f(&FieldValue::Uint(self.frame)),
            "frame.time" => f(&FieldValue::Float(self.ts_ns as f64 / 1e9)),
            // The difference first, so a nanosecond stays exact (epoch seconds as f64 do not).
            "frame.time_relative" => self.first_ts_ns.is_some_and(|t0| {
                f(&FieldValue::Float(
                    self.ts_ns.saturating_sub(t0) as f64 / 1e9,
                ))
            }),
            "frame.len" => f(&FieldValue::Uint(self.frame_len as u64)),
            "frame.marked" => self.marked && f(&FieldValue::Bool(true)),
            "netlink.family" => {
                let name = self.view.family_name();
                let cname = crate::netlink::protocol(m.protocol).map(|p| p.cname);
                let aliases: Vec<&str> = cname.into_iter().collect();
                f(&FieldValue::Enum {
                    value: i64::from(m.protocol),
                    name: Cow::Borrowed(&name),
                    aliases: &aliases,
                })
            }
            "nlmsg.len" => f(&FieldValue::Uint(u64::from(m.len))),
            "nlmsg.type" => {
                let name = self.view.type_name();
                f(&FieldValue::Enum {
                    value: i64::from(m.ty),
                    name: Cow::Borrowed(&name),
                    aliases: &[],
                })
            }
            "nlmsg.flags" => f(&FieldValue::Flags {
                value: u64::from(m.flags),
                table: flag_table(self.view.flag_context()),
            }),
            "nlmsg.seq" => f(&FieldValue::Uint(u64::from(m.seq))),
            "nlmsg.pid" => f(&FieldValue::Uint(u64::from(m.pid))),
            "nlmsg.error" => match m.error {
                Some(e)
                    if m.ty == crate::netlink::NLMSG_ERROR
                        || m.ty == crate::netlink::NLMSG_DONE =>
                {
                    let name = crate::netlink::errno_name(-i64::from(e)).unwrap_or("");
                    f(&FieldValue::Enum {
                        value: i64::from(e),
                        name: Cow::Borrowed(name),
                        aliases: &[],
                    })
                }
                _ => false,
            },
            "nlmsg.changes" => self.changes.is_some() && f(&FieldValue::Bool(true)),
            "nlmsg.changed" => self.changes.as_ref().is_some_and(|c| {
                c.changes
                    .iter()
                    .any(|ch| f(&FieldValue::Str(Cow::Borrowed(&ch.field))))
            }),
            "proc.pid" => self
                .process
                .is_some_and(|p| f(&FieldValue::Uint(u64::try_from(p.pid).unwrap_or(0)))),
            "proc.tid" => self
                .process
                .is_some_and(|p| f(&FieldValue::Uint(u64::try_from(p.tid).unwrap_or(0)))),
            "proc.name" => self
                .process
                .is_some_and(|p| f(&FieldValue::Str(Cow::Borrowed(&p.comm)))),
            "proc.exe" => self
                .process
                .and_then(|p| p.exe.as_deref())
                .is_some_and(|e| f(&FieldValue::Str(Cow::Borrowed(e)))),
            "nlmsg.direction" => f(&FieldValue::Str(Cow::Borrowed(m.direction.as_str()))),
            "genl.family" => match self.view.genl_family() {
                Some(name) => f(&FieldValue::Str(Cow::Borrowed(name))),
                None => false,
            },
            "genl.cmd" => match m.genl_cmd {
                Some(c) if self.view.genl_family().is_some() || m.protocol == 16 => {
                    let name = self.view.type_name();
                    f(&FieldValue::Enum {
                        value: i64::from(c),
                        name: Cow::Borrowed(&name),
                        aliases: &[],
                    })
                }
                _ => false,
            },
            _ => {
                // The conversation fields (conv::show::FIELDS), answered without a tree.
                if let Some(hit) = crate::conv::show::field(self.linked.as_ref(), field, f) {
                    return hit;
                }
                // A top-level plain attribute: its nodes alone, without the tree.
                let direct = match self.want {
                    Some(w) if !self.tree_built() => self.view.top_level_any(field, w, &mut |n| {
                        any_at(std::slice::from_ref(n), field, f)
                    }),
                    _ => None,
                };
                direct.unwrap_or_else(|| any_at(self.tree(), field, f))
            }
        }
    }
}

/// Whether `f` holds for a node at `field` in `nodes` or below them.
fn any_at(nodes: &[Node], field: &str, f: &mut dyn FnMut(&FieldValue<'_>) -> bool) -> bool {
    let mut hit = false;
    for n in nodes {
        n.walk(&mut |n| {
            if hit || n.field != field {
                return;
            }
            if let Value::Flags { value, names } = &n.value {
                // Only set bits are named; each name's mask is within `value`.
                let table: Vec<(&str, u64)> = names.iter().map(|s| (s.as_str(), *value)).collect();
                if f(&FieldValue::Flags {
                    value: *value,
                    table: &table,
                }) {
                    hit = true;
                }
            } else if let Some(v) = node_value(&n.value) {
                if f(&v) {
                    hit = true;
                }
            } else if f(&FieldValue::Bool(true)) {
                // Containers: present is all a filter can ask of them.
                hit = true;
            }
        });
        if hit {
            return true;
        }
    }
    hit
}

/// Whether filter field `f` is answered from a tree: not a header field (the index's), a
/// conversation field or what changed.
fn from_tree(f: &str) -> bool {
    !Filter::HEADER_FIELDS.contains(&f)
        && !crate::conv::show::FIELDS.contains(&f)
        && !matches!(f, "nlmsg.changes" | "nlmsg.changed")
}

/// The first component of field `f` (`rt-link` of `rt-link.mtu`).
fn root_of(f: &str) -> &str {
    f.split('.').next().unwrap_or(f)
}

/// What a compiled filter reads of messages, found once from the catalog: the fields its
/// trees must hold ([`Catalog::want`]) and the messages it cannot match ([`Catalog::unseen`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reads {
    /// The fields the filter's trees must answer (`None`: whole trees).
    pub want: Option<Want>,
    /// The messages the filter cannot match, known from their kind.
    pub unseen: Option<Unseen>,
}

/// What a filter knows of messages before reading them (see [`Catalog::unseen`]): the spec
/// roots of the fields it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unseen {
    /// Interned: [`SpecRegistry::may_walk`] compares them by address.
    roots: Vec<&'static str>,
}

impl Unseen {
    /// Whether the filter cannot match `v`: its tree is walked with specs of none of the
    /// filter's roots (known from its kind, without reading its attributes).
    pub fn cannot_match(&self, v: &MessageView) -> bool {
        v.protocol_walks_none_of(&self.roots)
            || self.roots.iter().all(|r| v.walked_by(r) == Some(false))
    }
}

/// A message without any field (what a filter says of messages that cannot hold its fields).
struct Absent;

impl FieldSource for Absent {
    fn any(&self, _field: &str, _f: &mut dyn FnMut(&FieldValue<'_>) -> bool) -> bool {
        false
    }
}

/// Field names the filter accepts: header fields, the specs' attribute paths, and paths of
/// the always-present nodes (genlmsghdr, error parts).
pub struct Catalog {
    paths: Vec<String>,
    /// The specs' field roots (`rt-link`, `nl80211`): fields under them come from the walker.
    roots: Vec<String>,
    /// Fields family code places (sorted): the walker cannot tell what they need.
    placed: Vec<String>,
}

impl Catalog {
    /// Catalog from the loaded specs.
    pub fn new(specs: &SpecRegistry) -> Self {
        Self::of(specs, &|_| true)
    }

    /// A catalog for compiling `filter` once: only the paths of the specs whose field root it
    /// names (listing every spec's paths costs more than filtering a small file). Names a
    /// filter misspells are not in it: compile again with [`Catalog::new`] for the error's
    /// suggestion.
    pub fn for_filter(specs: &SpecRegistry, filter: &str) -> Self {
        Self::of(specs, &|root| {
            filter.match_indices(root).any(|(i, _)| {
                let before = filter.get(..i).and_then(|b| b.chars().last());
                let after = filter.get(i + root.len()..).and_then(|a| a.chars().next());
                !before.is_some_and(|c| c.is_alphanumeric() || "-_.".contains(c))
                    && !after.is_some_and(|c| c.is_alphanumeric() || "-_".contains(c))
            })
        })
    }

    fn of(specs: &SpecRegistry, keep: &dyn Fn(&str) -> bool) -> Self {
        let mut paths = specs.field_paths_of(keep);
        let mut placed = super::families::extra_fields_of(specs, keep);
        placed.sort();
        placed.dedup();
        paths.extend(placed.iter().cloned());
        let mut roots: Vec<String> = specs
            .names()
            .map(crate::dissect::specs::Spec::root_of)
            .collect();
        roots.extend(["genl", "nlmsgerr"].map(String::from));
        roots.sort();
        roots.dedup();
        for extra in [
            "genl",
            "genl.version",
            "genl.reserved",
            "nlmsgerr",
            "nlmsgerr.msg",
            "nlmsgerr.offs",
            "nlmsgerr.cookie",
            "nlmsgerr.policy",
            "nlmsgerr.miss-type",
            "nlmsgerr.miss-nest",
            "nlmsgerr.request",
            "nlmsgerr.request.len",
            "nlmsgerr.request.type",
            "nlmsgerr.request.flags",
            "nlmsgerr.request.seq",
            "nlmsgerr.request.pid",
            "nlmsg",
            "nlmsg.attr",
            "nlmsg.payload",
            "nlmsg.header",
            "nlmsg.changes",
            "nlmsg.changed",
        ] {
            paths.push(extra.to_string());
        }
        paths.sort();
        paths.dedup();
        Catalog {
            paths,
            roots,
            placed,
        }
    }

    /// What the trees `filter` reads must hold, when the walker alone builds all of it: its
    /// fields other than those answered without a tree, each under a spec's root and none
    /// placed by family code (a hook may build those from anything). `None`: whole trees.
    pub fn want(&self, filter: &Filter) -> Option<Want> {
        let tree_fields: Vec<&str> = filter.fields().filter(|f| from_tree(f)).collect();
        let walked = |f: &str| {
            self.is_root(root_of(f)) && self.placed.binary_search_by(|p| p.as_str().cmp(f)).is_err()
        };
        if tree_fields.is_empty() || !tree_fields.iter().all(|f| walked(f)) {
            return None;
        }
        Some(Want::new(tree_fields))
    }

    /// The messages `filter` cannot match whatever their content, when it reads only fields
    /// the walker builds under spec roots (no header, conversation, generic netlink header,
    /// error or decoder fields) and matches no message without them: those whose trees are
    /// walked with specs of other roots only ([`Unseen::cannot_match`]). Family hooks place
    /// fields below their own root and decoders below theirs (tests check both), so such a
    /// tree holds none of the filter's fields. `None` otherwise.
    pub fn unseen(&self, filter: &Filter) -> Option<Unseen> {
        let decoders = crate::dissect::decode::Decoder::field_roots();
        let mut roots: Vec<String> = Vec::new();
        for f in filter.fields() {
            let root = root_of(f);
            let walked = from_tree(f)
                && !matches!(root, "genl" | "nlmsgerr")
                && !decoders.iter().any(|d| d == root)
                && self.is_root(root);
            if !walked {
                return None;
            }
            if !roots.iter().any(|r| r == root) {
                roots.push(root.to_string());
            }
        }
        (!roots.is_empty() && !filter.matches(&Absent)).then(|| Unseen {
            roots: roots.iter().map(|r| crate::model::intern(r)).collect(),
        })
    }

    /// Whether `root` is a spec's field root (or the generic netlink header's, an error's).
    fn is_root(&self, root: &str) -> bool {
        self.roots
            .binary_search_by(|r| r.as_str().cmp(root))
            .is_ok()
    }

    /// [`Catalog::want`] and [`Catalog::unseen`] of `filter`.
    pub fn reads(&self, filter: &Filter) -> Reads {
        Reads {
            want: self.want(filter),
            unseen: self.unseen(filter),
        }
    }

    /// All known paths (sorted).
    pub fn paths(&self) -> &[String] {
        &self.paths
    }
}

impl FieldCatalog for Catalog {
    fn is_known(&self, field: &str) -> bool {
        if self
            .paths
            .binary_search_by(|p| p.as_str().cmp(field))
            .is_ok()
        {
            return true;
        }
        // Attributes no spec names are addressed by number, at any depth below a known path
        // or a family: `rt-link.linkinfo.45`, `ethtool.1.2`, `nlmsg.attr.3.1`.
        let mut parent = field;
        while let Some((p, last)) = parent.rsplit_once('.') {
            if last.parse::<u16>().is_err() {
                break;
            }
            parent = p;
        }
        parent != field
            && (!parent.contains('.')
                || self
                    .paths
                    .binary_search_by(|p| p.as_str().cmp(parent))
                    .is_ok())
    }
    fn suggest(&self, field: &str) -> Option<String> {
        crate::filter::suggest_field(
            field,
            self.paths
                .iter()
                .map(String::as_str)
                .chain(Filter::HEADER_FIELDS.iter().copied()),
        )
        .map(str::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissect::Dissector;
    use crate::dissect::specs::Spec;
    use crate::model::Endian;
    use crate::netlink::{NLM_F_DUMP, NLM_F_REQUEST, nla, nlmsg};

    fn unseen(cat: &Catalog, filter: &str) -> Option<Vec<String>> {
        let f = Filter::compile(filter, cat).unwrap_or_else(|e| panic!("{filter}: {e}"));
        cat.unseen(&f)
            .map(|u| u.roots.iter().map(|r| r.to_string()).collect())
    }

    #[test]
    fn filters_that_skip_messages_by_kind() {
        let cat = Catalog::new(&SpecRegistry::with_embedded());
        assert_eq!(
            unseen(&cat, "rt-link.mtu > 1400"),
            Some(vec!["rt-link".into()])
        );
        assert_eq!(
            unseen(&cat, "rt-link.ifname == \"veth0\" || rt-addr.local"),
            Some(vec!["rt-link".into(), "rt-addr".into()])
        );
        for f in [
            // Messages without the field match.
            "!rt-link.mtu",
            "rt-link.mtu || nlmsg.type == 16",
            // Fields other than the walker's, or under roots any message may hold.
            "nlmsg.responses > 0",
            "genl.version == 1",
            "wlan.ssid",
            "sock-diag.bytecode.op",
            "nlmsgerr.msg",
            "frame.len > 1",
        ] {
            assert_eq!(unseen(&cat, f), None, "{f}");
        }
    }

    /// A legacy `bridge fdb show` request is walked as struct ifinfomsg with rt-link's
    /// attributes (rt_neigh's layout hook): its tree holds rt-link fields.
    #[test]
    fn a_layout_hook_spec_counts() {
        let e = Endian::native();
        // ifinfomsg (AF_BRIDGE), then IFLA_MASTER 3.
        let mut payload = vec![7u8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        payload.extend(nla(e, 10, &e.u32_bytes(3)));
        let msg = nlmsg(e, 30, NLM_F_REQUEST | NLM_F_DUMP, 1, 0, &payload);
        let frame = crate::dissect::tests::frame(0, &[msg]);
        let mut d = Dissector::new(SpecRegistry::with_embedded());
        let fi = d.index_frame(&frame, crate::dissect::cooked::LINKTYPE_NETLINK, e);
        let v = d.view(&frame, &fi.msgs[0]);
        assert_eq!(v.type_name(), "RTM_GETNEIGH");
        assert_eq!(v.walked_by("rt-neigh"), Some(true));
        assert_eq!(v.walked_by("rt-link"), Some(true));
        assert_eq!(v.walked_by("rt-addr"), Some(false));
        let mut fields = Vec::new();
        for n in v.tree() {
            n.walk(&mut |n| fields.push(n.field.to_string()));
        }
        assert!(fields.iter().any(|f| f == "rt-link.master"), "{fields:?}");
    }

    /// On every repo and shared capture, each field of a message's whole tree under a spec
    /// root (not a decoder's, the generic netlink header's or an error's) is under one its
    /// message is walked by, and one its protocol may be walked by: what
    /// [`Unseen::cannot_match`] relies on.
    #[test]
    fn trees_hold_only_the_roots_they_are_walked_by() {
        let specs = SpecRegistry::with_embedded();
        let decoders = crate::dissect::decode::Decoder::field_roots();
        let spec_roots: Vec<String> = specs
            .names()
            .map(Spec::root_of)
            .filter(|r| !decoders.contains(r))
            .collect();
        let (mut walked, mut checked) = (0, 0);
        crate::dissect::tests::each_capture_message(4, &mut |f, v, _| {
            let mut roots: Vec<String> = Vec::new();
            for n in v.tree() {
                n.walk(&mut |n| {
                    let r = n.field.split('.').next().unwrap_or_default();
                    if spec_roots.iter().any(|s| s == r) && !roots.iter().any(|x| x == r) {
                        roots.push(r.to_string());
                    }
                });
            }
            walked += usize::from(v.walked_by("").is_some());
            for r in &roots {
                checked += 1;
                // The protocol-wide reading, before resolving: for control messages too.
                assert!(
                    !v.protocol_walks_none_of(&[crate::model::intern(r)]),
                    "{f:?}: {r} in {} of protocol {}",
                    v.type_name(),
                    v.index().protocol
                );
                assert_ne!(
                    v.walked_by(r),
                    Some(false),
                    "{f:?}: {r} in {}",
                    v.type_name()
                );
            }
        });
        assert!(
            walked >= 1_000 && checked >= 1_000,
            "{walked} walked, {checked} roots"
        );
    }
}
