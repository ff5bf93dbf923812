//! Compiled form of a YNL spec: what the engine interprets.

use std::collections::HashMap;

/// A spec's definitions by name. Looked up for every message and nest the dissector walks,
/// with names from the spec files: FxHash, as SipHash's flood resistance buys nothing here.
pub type ByName<V> = rustc_hash::FxHashMap<String, V>;

/// Where a spec came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpecSource {
    /// Compiled into the binary from `assets/specs`.
    Embedded(String),
    /// Loaded from a file (`--spec-dir`, system directories).
    File(std::path::PathBuf),
}

impl std::fmt::Display for SpecSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SpecSource::Embedded(n) => write!(f, "embedded:{n}"),
            SpecSource::File(p) => write!(f, "{}", p.display()),
        }
    }
}

/// The YNL `protocol:` of a spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// `genetlink`, `genetlink-c`, `genetlink-legacy`: generic netlink family.
    Genetlink,
    /// `netlink-raw`: a classic netlink protocol (with `protonum`).
    NetlinkRaw,
}

/// Integer widths and signedness of scalar fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    /// Unsigned of the given width in bytes.
    U(u8),
    /// Signed of the given width in bytes.
    S(u8),
    /// Variable-width unsigned (`uint`: 4 or 8 bytes).
    UVar,
    /// Variable-width signed (`sint`: 4 or 8 bytes).
    SVar,
}

impl Scalar {
    /// Parse a YNL type name (`u8` ... `s64`, `uint`, `sint`).
    pub fn parse(t: &str) -> Option<Scalar> {
        Some(match t {
            "u8" => Scalar::U(1),
            "u16" => Scalar::U(2),
            "u32" => Scalar::U(4),
            "u64" => Scalar::U(8),
            "s8" => Scalar::S(1),
            "s16" => Scalar::S(2),
            "s32" => Scalar::S(4),
            "s64" => Scalar::S(8),
            "uint" => Scalar::UVar,
            "sint" => Scalar::SVar,
            _ => return None,
        })
    }
    /// Fixed width in bytes, if fixed.
    pub fn width(self) -> Option<usize> {
        match self {
            Scalar::U(w) | Scalar::S(w) => Some(usize::from(w)),
            _ => None,
        }
    }
    /// Whether the value is signed.
    pub fn signed(self) -> bool {
        matches!(self, Scalar::S(_) | Scalar::SVar)
    }
}

/// How to render a scalar or binary value (`display-hint`, `enum`, `struct`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Presentation {
    /// Enum or flags definition name.
    pub enumeration: Option<String>,
    /// Treat an `enum` as a set of bits.
    pub as_flags: bool,
    /// `display-hint`: hex, mac, ipv4, ipv6, ipv4-or-v6, uuid, fddi.
    pub hint: Option<String>,
    /// Big-endian (network order) regardless of the host.
    pub big_endian: bool,
    /// Bytes opaque by nature (keys, cookies, hashes), shown as hex on purpose: not counted
    /// as opaque bytes by `--coverage`. nlscope extension: `nlscope-opaque: true`.
    pub opaque: bool,
    /// Unit an integer is shown in (`MHz`, `dBm`, `Mbit/s`). nlscope extension:
    /// `nlscope-unit: UNIT`, with `nlscope-scale: N` (a power of ten) when the kernel counts
    /// in Nths of it (bitrates in 100 kbit/s: `Mbit/s` with scale 10). The value stays the
    /// kernel's integer: filters compare that.
    pub unit: Option<Box<str>>,
    /// Divisor for [`Presentation::unit`] (1, 10, 100, 1000, ...).
    pub scale: u32,
    /// Secret key material (IPsec and WireGuard keys, HMAC secrets): shown, with an expert
    /// note saying so. nlscope extension: `nlscope-secret: true`.
    pub secret: bool,
}

/// A binary payload that is a C array of integers: YNL's scalar `sub-type` on a binary
/// attribute (`IFLA_INET6_STATS`, `__u64[]`), or on a struct member with a `len`.
#[derive(Debug, Clone, PartialEq)]
pub struct IntArray {
    /// Element type (fixed width).
    pub scalar: Scalar,
    /// Enum whose entries name the elements: element i is the entry of value
    /// `i + index_start` (`DEVCONF_*` for IFLA_INET6_CONF). nlscope extension:
    /// `nlscope-index: ENUM`.
    pub index: Option<String>,
    /// Enum value of element 0 (IFLA_INET_CONF's element 0 is IPV4_DEVCONF_FORWARDING = 1).
    /// nlscope extension: `nlscope-index-start: N`, default 0.
    pub index_start: i64,
    /// Element counts whose elements another enum names, for kernels that renumbered them
    /// (IPSTATS_MIB_* before Linux 6.3: 37 counters). nlscope extension:
    /// `nlscope-index-by-count: {COUNT: ENUM}`.
    pub index_by_count: Vec<(usize, String)>,
    /// The bytes are a bit map: bit i (byte i / 8, bit i % 8) is the entry of value i of
    /// this enum (nl80211's extended features). nlscope extension: `nlscope-bitmap: ENUM`
    /// with `sub-type: u8`.
    pub bitmap: Option<String>,
}

/// A kernel version: (major, minor).
pub type KernelVersion = (u32, u32);

/// One member of a struct (fixed header or binary attribute layout).
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// Member name (interned).
    pub name: &'static str,
    /// Its C name, the node name (`ifi_family` for `ifi-family`), interned.
    pub cname: &'static str,
    /// Kind and size.
    pub kind: MemberKind,
    /// How to show it.
    pub pres: Presentation,
    /// The kernel version that appended this member (nlscope extension `nlscope-since`): older
    /// kernels send the struct without it, so a payload ending right before it is complete.
    pub since: Option<String>,
    /// What a zero in this member means in a request to the kernel, where it is not the enum
    /// entry of value 0 but "don't care" (`ifi_type` 0 is not `ARPHRD_NETROM` in a
    /// RTM_GETLINK dump; the kernel ignores it). nlscope extension:
    /// `nlscope-zero-in-request: TEXT` (e.g. `unspecified`), shown as `TEXT (0)`.
    pub zero_in_request: Option<String>,
    /// C bit fields packed in this integer member (`__u8 tcpi_snd_wscale : 4,
    /// tcpi_rcv_wscale : 4`): (name, width in bits), first declared first. GCC allocates them
    /// from the least significant bit on little-endian hosts and from the most significant
    /// on big-endian ones. nlscope extension: `nlscope-bits: [{name: N, bits: W}, ...]`.
    pub bits: Vec<(String, u8)>,
    /// Its name says it holds a counter or timestamp ([`volatile_name`]): what-changed leaves
    /// it out (nfgenmsg's `res-id`, the generation every answer after a commit carries).
    pub volatile: bool,
}

/// Kind of a struct member.
#[derive(Debug, Clone, PartialEq)]
pub enum MemberKind {
    /// Integer.
    Scalar(Scalar),
    /// Bytes of a fixed length (`binary` with `len`), or a nested struct.
    Binary {
        /// Length in bytes.
        len: usize,
        /// Layout, when the member is itself a struct.
        structure: Option<String>,
    },
    /// Padding of a fixed length.
    Pad(usize),
    /// A flexible array member (`struct tc_u32_key keys[]`): as many `structure`s as the
    /// earlier integer member `count` says. Like C's `sizeof`, the struct's size excludes it.
    /// nlscope extension: `nlscope-count: MEMBER` on a `binary` member with `struct`; with
    /// `sub-type: binary` instead, the array fills the rest of the payload.
    Array {
        /// Element struct.
        structure: String,
        /// Name of the earlier member holding the element count; empty: to the end.
        count: String,
    },
    /// A flexible array of integers filling the rest of the payload (`__u64 kcnts[]` of
    /// `struct tc_u32_pcnt`): YNL's `sub-type` of a binary attribute, on a last member.
    Rest(Scalar),
    /// A fixed array of integers (`__u16 count[TC_QOPT_MAX_QUEUE]`): a `binary` member with a
    /// `len` and an integer `sub-type` (nlscope extension on members).
    Ints {
        /// Element type.
        scalar: Scalar,
        /// Length in bytes.
        len: usize,
    },
    /// A union whose arm is chosen by another integer member of the struct, before or after it
    /// (`struct tc_fq_codel_xstats`, `br_mdb_entry.addr`): the formats of sub-message
    /// `sub_message` (their `fixed-header` structs) keyed by the value of member `selector`. Its size is the largest arm's. nlscope extension: `sub-message`
    /// and `selector` on a `binary` struct member.
    Union {
        /// Sub-message listing the arms.
        sub_message: String,
        /// Name of the member whose value picks the arm.
        selector: String,
        /// Size in bytes (the largest arm), set when the spec is compiled.
        len: usize,
    },
}

impl Member {
    /// Size in bytes (variable-width scalars count as 4; they do not occur in structs).
    pub fn size(&self, structs: &ByName<StructDef>) -> usize {
        match &self.kind {
            MemberKind::Scalar(s) => s.width().unwrap_or(4),
            MemberKind::Binary { len, structure } => {
                if *len == 0 {
                    structure
                        .as_ref()
                        .and_then(|s| structs.get(s))
                        .map(|s| s.size)
                        .unwrap_or(0)
                } else {
                    *len
                }
            }
            MemberKind::Pad(n) | MemberKind::Ints { len: n, .. } => *n,
            MemberKind::Array { .. } | MemberKind::Rest(_) => 0,
            MemberKind::Union { len, .. } => *len,
        }
    }
}

/// A struct definition.
#[derive(Debug, Clone, PartialEq)]
pub struct StructDef {
    /// Name (`ifinfomsg`), interned.
    pub name: &'static str,
    /// Members in order.
    pub members: Vec<Member>,
    /// The members' names, in order, as an interned list ([`crate::model::child_fields`]).
    pub member_names: &'static [&'static str],
    /// The members' C names (node names), in order, as an interned list.
    pub member_cnames: &'static [&'static str],
    /// Total size in bytes.
    pub size: usize,
    /// The field paths and JSON heads of its members where it is written.
    pub written: WrittenAt,
    /// What [`StructDef::plain`] worked out, on first use.
    plain: Made<bool>,
}

impl StructDef {
    /// A struct of `members` (named, `size` bytes in all).
    pub fn new(name: &'static str, members: Vec<Member>, size: usize) -> Self {
        StructDef {
            name,
            member_names: crate::model::intern_list(
                &members.iter().map(|m| m.name).collect::<Vec<_>>(),
            ),
            member_cnames: crate::model::intern_list(
                &members.iter().map(|m| m.cname).collect::<Vec<_>>(),
            ),
            members,
            size,
            written: WrittenAt::default(),
            plain: Made::default(),
        }
    }

    /// `test(self)`, worked out once (trees ask it of every struct they write): whether the
    /// walker may write its members straight (see `attrs::lines::plain_struct`).
    pub fn plain(&self, test: impl FnOnce(&StructDef) -> bool) -> bool {
        *self.plain.0.get_or_init(|| test(self))
    }
}

/// An enum or flags definition.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumDef {
    /// Name.
    pub name: String,
    /// A flags definition: entries are bit masks.
    pub is_flags: bool,
    /// Entries: numeric value (a mask for flags) and C constant name (interned).
    pub entries: Vec<(i64, &'static str)>,
    /// YNL names of the entries (`forwarding`), in the order of `entries` (interned, the
    /// list too: [`crate::model::child_fields`] knows it by address).
    pub names: &'static [&'static str],
    /// The entries' C names in their order, as an interned list.
    pub cnames: &'static [&'static str],
    /// Every entry's value is larger than the one before (so no value is there twice).
    pub increasing: bool,
    /// The kernels (major, minor) this numbering is for, first and last, when it is not every
    /// kernel's (nlscope extensions `nlscope-since`, `nlscope-until`).
    pub kernels: (Option<KernelVersion>, Option<KernelVersion>),
}

impl EnumDef {
    /// The YNL name of `value`, if it has one.
    pub fn ynl_name_of(&self, value: i64) -> Option<&'static str> {
        let i = self.entries.iter().position(|(v, _)| *v == value)?;
        self.names.get(i).copied()
    }
    /// The entry of `value` (the first, as [`EnumDef::name_of`] finds it): its position, C
    /// name and YNL name. Tries position `hint` first: an array's elements are mostly the
    /// entries in order.
    pub fn at(&self, value: i64, hint: usize) -> Option<(usize, &'static str, &'static str)> {
        let k = match self.entries.get(hint) {
            // With values increasing, the entry at `hint` holding `value` is its only one.
            Some((v, _)) if self.increasing && *v == value => hint,
            _ => self.entries.iter().position(|(v, _)| *v == value)?,
        };
        let (_, c) = self.entries.get(k)?;
        Some((k, c, self.names.get(k)?))
    }
    /// The C name of `value`, if it has one.
    pub fn name_of(&self, value: i64) -> Option<&'static str> {
        self.entries
            .iter()
            .find(|(v, _)| *v == value)
            .map(|(_, n)| *n)
    }
    /// The entries whose bit is set in `value`, in order, with that bit: an entry's value is
    /// its mask in a flags enum, or its bit's position (`positions`: an enum read as flags);
    /// entries that are no single bit are skipped.
    pub fn set_bits(
        &self,
        value: u64,
        positions: bool,
    ) -> impl Iterator<Item = (u64, &'static str)> + '_ {
        self.entries.iter().filter_map(move |&(v, n)| {
            let m = match v {
                _ if !positions => v as u64,
                0..64 => 1u64 << v,
                _ => 0,
            };
            (m.count_ones() == 1 && value & m == m).then_some((m, n))
        })
    }
}

/// Attribute payload types (YNL `type:`).
#[derive(Debug, Clone, PartialEq)]
pub enum AttrType {
    /// Integer.
    Scalar(Scalar),
    /// NUL-terminated (or not) text.
    String,
    /// Bytes, optionally with a struct layout or display hint.
    Binary {
        /// Struct layout name.
        structure: Option<String>,
        /// The payload is a C array of `structure`s (`sub-type: binary` with `struct`, as
        /// indexed-array elements say it), e.g. NHA_GROUP's `struct nexthop_grp[]`.
        array: bool,
    },
    /// Presence-only flag (zero length).
    Flag,
    /// Nested attribute set.
    Nest,
    /// Array whose element type is `sub-type`.
    IndexedArray(Box<AttrType>),
    /// Nested levels whose attribute types are indexes.
    NestTypeValue(Vec<String>),
    /// Payload whose format is picked by a selector attribute.
    SubMessage {
        /// Sub-message name.
        name: String,
        /// Name of the sibling attribute whose value selects the format.
        selector: String,
    },
    /// `struct nla_bitfield32` (value + selector).
    Bitfield32,
    /// Alignment padding.
    Pad,
    /// Reserved / unused slot.
    Unused,
    /// A type this engine does not know; decoded as bytes.
    Other(String),
}

/// One attribute of an attribute set.
#[derive(Debug, Clone, PartialEq)]
pub struct Attr {
    /// YNL name (`ifname`), also the filter path component; interned.
    pub name: &'static str,
    /// C constant (`IFLA_IFNAME`), interned ([`crate::model::intern`]): nodes borrow it.
    pub cname: &'static str,
    /// Attribute type number.
    pub value: u16,
    /// Payload type.
    pub ty: AttrType,
    /// Nested attribute set (nest, indexed-array of nests, nest-type-value).
    pub nested: Option<String>,
    /// Rendering.
    pub pres: Presentation,
    /// A `binary` attribute with a fixed-width integer `sub-type`: its elements.
    pub ints: Option<IntArray>,
    /// An array of structs (`sub-type: binary` + `struct`) whose elements are records of
    /// different lengths: this integer member of the struct gives a record's length, struct
    /// included; the rest of the record holds attributes of `nested` (RTA_MULTIPATH: struct
    /// rtnexthop by `rtnh_len`, then RTA_GATEWAY, ...). Records start 4-byte aligned.
    /// nlscope extension: `nlscope-record-len: MEMBER`.
    pub record_len: Option<String>,
    /// Exact payload length if the spec fixes one (`checks: exact-len`, binary `len`).
    pub exact_len: Option<usize>,
    /// A struct before the nested attributes of a `nest` (MDBA_MDB_ENTRY_INFO starts with
    /// `struct br_mdb_entry`). nlscope extension: YNL's `fixed-header` key on a nest attribute.
    pub fixed_header: Option<String>,
    /// A code decoder for the payload of a `binary` attribute, or for each element of an
    /// `indexed-array` of binary (802.11 frames and elements). nlscope extension:
    /// `nlscope-decode: NAME` (see `dissect::decode::DECODERS`).
    pub decode: Option<crate::dissect::decode::Decoder>,
    /// Some sub-message of the spec is selected by an attribute of this name (its value must
    /// be kept in a filter's tree).
    pub selector: bool,
    /// Its name says it holds counters or timestamps ([`volatile_name`]).
    pub volatile: bool,
}

/// Counters, timestamps and running timers change with nearly every message; what-changed
/// leaves out a node whose last field component is one of these or holds "stats", with all
/// below it.
const VOLATILE: &[&[u8]] = &[
    b"cacheinfo",
    b"xstats",
    b"counters",
    b"timeout",
    b"use",
    b"last-use",
    b"age",
    // nfgenmsg's generation: every answer after a commit carries the new one.
    b"res-id",
    // The time left on a bridge's running timers (IFLA_BR_*_TIMER, IFLA_BRPORT_*_TIMER,
    // the multicast querier's and router ports' MDBA_*_TIMER): `ip -d link` prints them as
    // they tick; not the configured times (hello-time, forward-delay).
    b"hello-timer",
    b"tcn-timer",
    b"topology-change-timer",
    b"gc-timer",
    b"message-age-timer",
    b"forward-delay-timer",
    b"hold-timer",
    b"ip-other-timer",
    b"ipv6-other-timer",
    b"timer",
    b"inet-timer",
    b"inet6-timer",
];

/// Whether an attribute (or a node) named `name` holds counters or timestamps.
pub fn volatile_name(name: &[u8]) -> bool {
    // "stats" anywhere: looked for at each 's' only (asked of every node compared).
    let stats = name
        .iter()
        .enumerate()
        .any(|(i, c)| *c == b's' && name.get(i..i + 5) == Some(b"stats".as_slice()));
    stats || VOLATILE.contains(&name)
}

/// An attribute set.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AttrSet {
    /// Name.
    pub name: String,
    /// Attributes.
    pub attrs: Vec<Attr>,
    /// Attribute index by type number, for numbers below [`AttrSet::DENSE`] (`u16::MAX`: none).
    /// A table, not a hash map: every attribute of every message is looked up here.
    by_value: Vec<u16>,
    /// Some attribute is a sub-message (its format picked by a sibling's value).
    sub_messages: bool,
    /// Its attributes' names and C names as interned lists, made on first use.
    lists: Made<(&'static [&'static str], &'static [&'static str])>,
    /// The field paths and JSON heads of its attributes where it is written.
    pub written: WrittenAt,
}

/// What a set or struct works out once from its definition (equal whether made or not).
#[derive(Debug, Clone, Default)]
struct Made<T>(std::sync::OnceLock<T>);

impl<T> PartialEq for Made<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// Field paths and JSON heads, interned lists.
pub type PathsAndHeads = (&'static [&'static str], &'static [&'static str]);

/// The field paths and JSON heads of a set's attributes or a struct's members (in order)
/// below the first few field paths it is written at, kept with the definition: a set is
/// nearly always written at one or two paths, and this costs less than looking them up in a
/// memo for every level or struct written (`model::child_fields`, `model::json_heads`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WrittenAt([Made<(usize, usize, PathsAndHeads)>; 4]);

impl WrittenAt {
    /// Those below the field path `path`, as `make` makes them (`None` unless `path` is
    /// interned), kept for the first few paths.
    pub fn get(
        &self,
        path: &str,
        make: impl FnOnce() -> Option<PathsAndHeads>,
    ) -> Option<PathsAndHeads> {
        // By address: an interned path is never freed, so no other text can be at it.
        let at = (path.as_ptr() as usize, path.len());
        for slot in &self.0 {
            match slot.0.get() {
                Some(&(a, l, made)) if (a, l) == at => return Some(made),
                Some(_) => continue,
                None => {
                    let made = make()?;
                    // Another thread may have taken the slot meanwhile: then it is not kept.
                    let _ = slot.0.set((at.0, at.1, made));
                    return Some(made);
                }
            }
        }
        make()
    }
}

impl AttrSet {
    /// Type numbers below this are found through the table; the rest (no spec has them) by a
    /// scan, so a spec cannot make the table big.
    const DENSE: u16 = 1024;

    /// An empty set named `name`.
    pub fn new(name: &str) -> Self {
        AttrSet {
            name: name.to_string(),
            ..Default::default()
        }
    }

    /// Add `attr`; the first attribute with a type number keeps it.
    pub fn push(&mut self, attr: Attr) {
        let (v, i) = (attr.value, self.attrs.len());
        if v < Self::DENSE
            && let Ok(i) = u16::try_from(i)
        {
            let v = usize::from(v);
            if self.by_value.len() <= v {
                self.by_value.resize(v + 1, u16::MAX);
            }
            if let Some(slot) = self.by_value.get_mut(v)
                && *slot == u16::MAX
            {
                *slot = i;
            }
        }
        self.sub_messages |= matches!(attr.ty, AttrType::SubMessage { .. });
        self.attrs.push(attr);
        self.lists = Made::default();
        self.written = WrittenAt::default();
    }

    /// Its attributes' names and C names, in order, as interned lists (made once): what the
    /// field paths and JSON heads of a level are made from once per path
    /// ([`crate::model::child_fields`]).
    pub fn name_lists(&self) -> (&'static [&'static str], &'static [&'static str]) {
        *self.lists.0.get_or_init(|| {
            let names: Vec<&'static str> = self.attrs.iter().map(|a| a.name).collect();
            let cnames: Vec<&'static str> = self.attrs.iter().map(|a| a.cname).collect();
            (
                crate::model::intern_list(&names),
                crate::model::intern_list(&cnames),
            )
        })
    }

    /// Whether some attribute is a sub-message, read by the value of another.
    pub fn has_sub_messages(&self) -> bool {
        self.sub_messages
    }

    /// The attribute with type number `t`.
    pub fn get(&self, t: u16) -> Option<&Attr> {
        self.get_at(t).map(|(_, a)| a)
    }

    /// The attribute with type number `t` and its place in [`AttrSet::attrs`].
    pub fn get_at(&self, t: u16) -> Option<(usize, &Attr)> {
        // Sets of up to u16::MAX attributes (every real one) are indexed whole.
        if t < Self::DENSE && self.attrs.len() < usize::from(u16::MAX) {
            let i = usize::from(*self.by_value.get(usize::from(t))?);
            return Some((i, self.attrs.get(i)?));
        }
        self.attrs.iter().enumerate().find(|(_, a)| a.value == t)
    }
    /// The attribute named `name`.
    pub fn by_name(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }
}

/// One format of a sub-message.
#[derive(Debug, Clone, PartialEq)]
pub struct SubFormat {
    /// Selector value (e.g. link kind `vlan`).
    pub value: String,
    /// Attribute set of the payload.
    pub attribute_set: Option<String>,
    /// Fixed header struct before the attributes.
    pub fixed_header: Option<String>,
    /// Only for messages of these operations (empty: any). Where one selector value has
    /// different layouts by message type (hfsc qdisc vs class options). nlscope extension:
    /// `nlscope-ops: [op, ...]` on a format; a format naming the message's op wins over one
    /// without the key.
    pub ops: Vec<String>,
}

/// A sub-message: payload formats keyed by a selector value.
#[derive(Debug, Clone, PartialEq)]
pub struct SubMessage {
    /// Name.
    pub name: String,
    /// Formats.
    pub formats: Vec<SubFormat>,
}

impl SubMessage {
    /// The format for selector value `value` in a message of operation `op`: one that names
    /// `op` in its `ops`, else one without `ops`.
    pub fn format(&self, value: &str, op: Option<&str>) -> Option<&SubFormat> {
        let mut fallback = None;
        for f in self.formats.iter().filter(|f| f.value == value) {
            if f.ops.is_empty() {
                fallback = fallback.or(Some(f));
            } else if op.is_some_and(|o| f.ops.iter().any(|x| x == o)) {
                return Some(f);
            }
        }
        fallback
    }
}

/// One operation (message type / genl command) of a family.
#[derive(Debug, Clone, PartialEq)]
pub struct Op {
    /// YNL name (`getlink`).
    pub name: String,
    /// C constant (`RTM_GETLINK`).
    pub cname: String,
    /// Attribute set of its messages.
    pub attribute_set: Option<String>,
    /// Fixed header struct (after genlmsghdr for generic netlink).
    pub fixed_header: Option<String>,
    /// Message type / command values sent to the kernel.
    pub request_values: Vec<u16>,
    /// Message type / command values the kernel sends.
    pub reply_values: Vec<u16>,
    /// A notification or event (YNL `notify` / `event`): sent unasked.
    pub event: bool,
}

/// A multicast group.
#[derive(Debug, Clone, PartialEq)]
pub struct McastGroup {
    /// Group name.
    pub name: String,
    /// Group number where fixed (classic netlink); generic netlink ids are dynamic.
    pub value: Option<u32>,
}

/// A loaded, compiled spec.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    /// Family / spec name (`rt-link`, `nlctrl`, `ethtool`).
    pub name: String,
    /// Where it came from.
    pub source: SpecSource,
    /// Generic or classic netlink.
    pub protocol: Protocol,
    /// Netlink protocol number claimed (netlink-raw).
    pub protonum: Option<u32>,
    /// Enums and flags by name.
    pub enums: ByName<EnumDef>,
    /// Structs by name.
    pub structs: ByName<StructDef>,
    /// Attribute sets by name.
    pub sets: ByName<AttrSet>,
    /// Sub-messages by name.
    pub sub_messages: ByName<SubMessage>,
    /// Operations.
    pub ops: Vec<Op>,
    /// Family-wide fixed header.
    pub fixed_header: Option<String>,
    /// `enum-model: directional`: message ids differ by direction.
    pub directional: bool,
    /// Multicast groups.
    pub mcast_groups: Vec<McastGroup>,
    /// `uapi-header`: the header defining the family's names (`linux/nl80211.h`).
    pub uapi_header: Option<String>,
    /// How the uapi names the kernel's answer to a request: the request's C name plus this
    /// (`_REPLY`: ETHTOOL_MSG_STRSET_GET_REPLY). nlscope extension on `operations`:
    /// `nlscope-reply-suffix`.
    pub reply_suffix: Option<String>,
    /// nfnetlink subsystem: message types are `(subsys << 8) | message` (the ops' values
    /// include it). nlscope extension: top-level `nlscope-subsys: N`.
    pub subsys: Option<u8>,
    /// Attributes (their headers and integers) are big-endian whatever the host, after a
    /// fixed header in host order: the legacy TIPC family's TLVs (linux/tipc_config.h).
    /// nlscope extension: top-level `nlscope-attr-byte-order: big-endian`.
    pub attrs_big_endian: bool,
    /// [`Spec::field_root`], made once (interned: its nodes' field paths are then interned).
    pub root: &'static str,
    /// Some attribute is decoded by code (`nlscope-decode`), whose nodes' field paths are
    /// not below the attribute's.
    pub code_decoded: bool,
    /// Some struct member says what a zero means in a request (`nlscope-zero-in-request`).
    pub zeros_in_request: bool,
}

impl Spec {
    /// The first segment of this family's filter fields (see [`Spec::root_of`]).
    pub fn field_root(&self) -> &'static str {
        self.root
    }

    /// The first segment of the filter fields of family `name`: in lower case, as filter
    /// fields start with a lower-case letter (upper case names constants: `IPVS` -> `ipvs.dest`).
    pub fn root_of(name: &str) -> String {
        // Kept to the characters a field may hold; a name that starts with no letter gets a
        // prefix ("802.15.4 MAC" -> `genl-802_15_4_mac`).
        let mut root: String = name
            .chars()
            .map(|c| match c.to_ascii_lowercase() {
                c @ ('a'..='z' | '0'..='9' | '_' | '-') => c,
                _ => '_',
            })
            .collect();
        if !root.starts_with(|c: char| c.is_ascii_lowercase()) {
            root.insert_str(0, "genl-");
        }
        root
    }

    /// The operation for message type / command `v` in a direction (`to_kernel`); falls back to
    /// the other direction when only that one knows the value (e.g. notifications).
    pub fn op_for(&self, v: u16, to_kernel: bool) -> Option<&Op> {
        let pick = |req: bool| {
            self.ops.iter().find(|o| {
                if req {
                    o.request_values.contains(&v)
                } else {
                    o.reply_values.contains(&v)
                }
            })
        };
        // Generic netlink families with directional ids (ethtool) reuse numbers with other
        // meanings the other way; only classic protocols share ids across directions.
        let share = self.protocol == Protocol::NetlinkRaw || !self.directional;
        pick(to_kernel).or_else(|| if share { pick(!to_kernel) } else { None })
    }

    /// [`Spec::op_for`] for a message the kernel sent unasked (`unsolicited`: portid 0 and
    /// sequence 0, as multicast notifications are) or not: where an event and a reply share
    /// the number (mptcp_pm's get-addr reply and closed event are both 3), an unasked message
    /// is the event.
    pub fn op_for_msg(&self, v: u16, to_kernel: bool, unsolicited: bool) -> Option<&Op> {
        // Otherwise the first listed wins, as for any message (nlctrl lists newfamily before
        // getfamily, whose replies carry CTRL_CMD_NEWFAMILY).
        if !to_kernel && unsolicited {
            let event = self
                .ops
                .iter()
                .find(|o| o.event && o.reply_values.contains(&v));
            if event.is_some() {
                return event;
            }
        }
        self.op_for(v, to_kernel)
    }

    /// The attribute set every operation uses, if they all use one.
    pub fn sole_set(&self) -> Option<&str> {
        let mut sets = self.ops.iter().filter_map(|o| o.attribute_set.as_deref());
        let first = sets.next()?;
        sets.all(|s| s == first).then_some(first)
    }

    /// C name of message type / command `v`: the op that sends it as a request owns the name
    /// (RTM_NEWLINK is both newlink's request and getlink's reply).
    pub fn type_name(&self, v: u16) -> Option<&str> {
        self.ops
            .iter()
            .find(|o| o.request_values.contains(&v))
            .or_else(|| self.ops.iter().find(|o| o.reply_values.contains(&v)))
            .map(|o| o.cname.as_str())
    }

    /// The attribute set most operations use: the default for unknown commands.
    pub fn main_set(&self) -> Option<&str> {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for o in &self.ops {
            if let Some(s) = &o.attribute_set {
                *counts.entry(s.as_str()).or_default() += 1;
            }
        }
        counts
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
            .map(|(s, _)| s)
            .or_else(|| {
                let mut names: Vec<&String> = self.sets.keys().collect();
                names.sort();
                names.first().map(|s| s.as_str())
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a set or struct keeps is by path: kept for the first four interned paths, made
    /// again for any other, never kept for a path `make` refuses.
    #[test]
    fn written_names_are_kept_by_path() {
        let w = WrittenAt::default();
        let lists = |p: &str| -> PathsAndHeads {
            let l = crate::model::intern_list(&[crate::model::intern(p)]);
            (l, l)
        };
        let made = std::cell::Cell::new(0);
        let get = |p: &str, ok: bool| {
            w.get(p, || {
                made.set(made.get() + 1);
                ok.then(|| lists(p))
            })
        };
        let paths: Vec<&'static str> = (0..6)
            .map(|i| crate::model::intern(&format!("test-set.p{i}")))
            .collect();
        let owned = String::from("test-set.owned");
        assert_eq!(get(&owned, false), None);
        for p in &paths {
            assert_eq!(get(p, true), Some(lists(p)));
        }
        assert_eq!(made.get(), 7);
        // The first four are kept, the others made again.
        for p in &paths {
            assert_eq!(get(p, true), Some(lists(p)));
        }
        assert_eq!(made.get(), 9);
        assert_eq!(w, WrittenAt::default());
    }
}
