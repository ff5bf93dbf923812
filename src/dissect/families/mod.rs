//! Family modules: what the YNL format cannot say about a family, in code, one module per
//! family (or per small group of related rtnetlink families), each behind [`Family`].
//!
//! The engine (`message.rs`, `attrs.rs`) decodes every message from its spec alone and asks
//! the family's module only through the hooks of [`Family`]; the registry [`FAMILIES`] maps
//! spec names to modules. To add a family: a spec file under `assets/specs/` (names and
//! values from the uapi headers), and only if the data cannot say everything, a module here
//! implementing the hooks it needs plus one line in [`FAMILIES`]. Summaries read attributes by
//! their spec names ([`Named`], [`text::Memo`]), never by number.

mod audit;
mod audit_syscalls;
mod connector;
mod conntrack;
mod devlink;
mod ethtool;
mod ip_genl;
mod ipset;
mod l2tp;
mod macsec;
mod mptcp;
mod named;
mod nd;
mod nflog;
pub(crate) mod nftables;
mod nl80211;
mod rt_addr;
mod rt_bridge;
mod rt_link;
mod rt_misc;
mod rt_neigh;
mod rt_nexthop;
mod rt_route;
mod rt_rule;
mod rtnl;
mod sock_diag;
mod tc;
mod text;
mod tipc;
mod wireguard;
mod xfrm;

pub use named::Named;

use super::MessageView;
use super::MsgIndex;
use super::specs::{AttrSet, Op, Spec, SpecRegistry, StructDef};
use crate::model::Node;

/// One message's payload (everything after the nlmsghdr) as a hook sees it.
pub struct Payload<'a> {
    /// The message (its dissector's learned facts: link names, nftables sets).
    pub view: &'a MessageView<'a>,
    /// Every loaded spec (a hook may pick another family's layout).
    pub specs: &'a SpecRegistry,
    /// The spec describing the message.
    pub spec: &'a Spec,
    /// The op its type resolved to.
    pub op: &'a Op,
    /// The message's index entry (type, flags, direction, byte order).
    pub m: &'a MsgIndex,
    /// The frame's bytes.
    pub data: &'a [u8],
    /// Where the payload starts in `data`.
    pub start: usize,
    /// Where it ends.
    pub end: usize,
}

impl<'a> Payload<'a> {
    /// The payload's bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.data.get(self.start..self.end).unwrap_or_default()
    }

    /// The attributes of set `set` from `at` (relative to the payload), by name.
    pub fn named(&self, set: &str, at: usize) -> Named<'a> {
        Named::new(
            self.spec,
            self.spec.sets.get(set),
            self.bytes(),
            at,
            self.m.endian,
        )
    }
}

/// A payload layout chosen by content: spec, fixed header and top-level attribute set.
pub struct Layout<'a> {
    /// The spec whose names the payload is shown with.
    pub spec: &'a Spec,
    /// The fixed header.
    pub header: Option<&'a StructDef>,
    /// The top-level attribute set.
    pub set: Option<&'a AttrSet>,
}

/// A family's [`Family::finish`].
pub type Finish = fn(&Payload<'_>, &mut [Node]);

/// The hooks a family module may implement; each defaults to "the spec says it all".
pub trait Family: Sync {
    /// Another layout than the op says, where the kernel decides by content.
    fn layout<'a>(&self, _p: &Payload<'a>) -> Option<Layout<'a>> {
        None
    }

    /// The other specs (by name) whose layout [`Family::layout`] may pick: a filter skips
    /// messages whose trees cannot hold its fields by them (a test checks every capture).
    fn layout_specs(&self) -> &'static [&'static str] {
        &[]
    }

    /// A payload shorter than the fixed header that the kernel still accepts, as one node.
    /// The default covers rtnetlink's legacy `rtgenmsg` dump requests.
    fn short_header(&self, p: &Payload<'_>, header: Option<&StructDef>) -> Option<Node> {
        rtnl::short_dump_header(p, header)
    }

    /// Attribute sets for nests whose set the message's content picks: (field path, set name;
    /// an empty or unknown name walks the nest as raw TLVs).
    fn overrides(&self, _p: &Payload<'_>) -> Vec<(String, String)> {
        Vec::new()
    }

    /// Every field path [`Family::overrides`] can name: a filter's tree that reads inside
    /// none of them is built without asking (which walks the message once more).
    fn override_paths(&self) -> &'static [&'static str] {
        &[]
    }

    /// Bytes between the fixed header (ending at `header_end`) and the attributes, as one
    /// node, and where the attributes start.
    fn between(&self, _p: &Payload<'_>, _header_end: usize) -> Option<(Node, usize)> {
        None
    }

    /// What adjusts the finished tree where a value's reading depends on another field the
    /// walker cannot see from there (sock_diag's addresses are IPv4 or IPv6 by the header's
    /// family). A family with one has its trees built whole before they are written as text.
    fn finish(&self) -> Option<Finish> {
        None
    }

    /// Whether `finish` reads plain values (strings, integers) beside the nodes it changes, so
    /// a filter's tree must keep every plain value on its paths (see `attrs::Want`).
    fn finish_reads_values(&self) -> bool {
        false
    }

    /// Filter field paths of the nodes the other hooks place where no spec op says.
    fn fields(&self, _specs: &SpecRegistry) -> Vec<String> {
        Vec::new()
    }

    /// iproute2-style details appended after the type name; false leaves the engine's
    /// generic summary (`request`, `dump`, `reply`, key attribute).
    fn summary(&self, _v: &MessageView, _out: &mut String) -> bool {
        false
    }

    /// The identity of the kernel object the message describes (a link's index, a route's
    /// table and destination...), appended to `key`; false if it describes none. Messages
    /// with the same identity are about the same object: trees show what changed between
    /// them.
    fn object_key(&self, _v: &MessageView, _key: &mut Vec<u8>) -> bool {
        false
    }
}

/// A family that needs no code.
pub(crate) struct Plain;
impl Family for Plain {}

/// Spec name -> module, sorted by name (a test checks).
static FAMILIES: &[(&str, &dyn Family)] = &[
    ("IOAM6", &ip_genl::Ioam6),
    ("SEG6", &ip_genl::Seg6),
    ("TIPCv2", &tipc::Tipc),
    ("audit", &audit::Audit),
    ("connector", &connector::Connector),
    ("conntrack", &conntrack::Conntrack),
    ("conntrack-exp", &conntrack::Expect),
    ("devlink", &devlink::Devlink),
    ("ethtool", &ethtool::Ethtool),
    ("fou", &ip_genl::Fou),
    ("ila", &ip_genl::Ila),
    ("ipset", &ipset::Ipset),
    ("l2tp", &l2tp::L2tp),
    ("macsec", &macsec::Macsec),
    ("mptcp_pm", &mptcp::Mptcp),
    ("nfnetlink-log", &nflog::NfPackets),
    ("nfnetlink-queue", &nflog::NfPackets),
    ("nftables", &nftables::Nftables),
    ("nl80211", &nl80211::Nl80211),
    ("rt-addr", &rt_addr::Addr),
    ("rt-addrlabel", &rt_misc::AddrLabel),
    ("rt-bridge", &rt_bridge::Bridge),
    ("rt-cachereport", &rt_misc::CacheReport),
    ("rt-dcb", &rt_misc::Dcb),
    ("rt-link", &rt_link::Link),
    ("rt-nduseropt", &nd::NdUserOpt),
    ("rt-neigh", &rt_neigh::Neigh),
    ("rt-netconf", &rt_misc::Netconf),
    ("rt-nexthop", &rt_nexthop::Nexthop),
    ("rt-nsid", &rt_misc::Nsid),
    ("rt-prefix", &rt_misc::Prefix),
    ("rt-route", &rt_route::Route),
    ("rt-rule", &rt_rule::Rule),
    ("rt-tunnel", &rt_bridge::Tunnel),
    ("sock-diag", &sock_diag::SockDiag),
    ("tc", &tc::Tc),
    ("tcp_metrics", &ip_genl::TcpMetrics),
    ("wireguard", &wireguard::Wireguard),
    ("xfrm", &xfrm::Xfrm),
];

/// The module of the family spec `name` describes (a no-op one for families without code).
pub fn family(name: &str) -> &'static dyn Family {
    match FAMILIES.binary_search_by(|(n, _)| (*n).cmp(name)) {
        Ok(i) => FAMILIES.get(i).map_or(&Plain, |(_, f)| *f),
        Err(_) => &Plain,
    }
}

/// Filter field paths of the nodes hooks place where no spec op says: of the families whose
/// field root (see [`Spec::root_of`]) `keep` picks, and the few of no family. A family's
/// fields are below its root (a test checks): only the specs of those families are loaded.
pub fn extra_fields_of(specs: &SpecRegistry, keep: &dyn Fn(&str) -> bool) -> Vec<String> {
    let mut out = rtnl::fields();
    out.extend(super::message::uevent_fields());
    for (name, f) in FAMILIES {
        if keep(&Spec::root_of(name)) {
            out.extend(f.fields(specs));
        }
    }
    out
}

/// The identity of the object message `v` describes (see [`Family::object_key`]), hashed
/// with its spec's name; `None` if it describes none.
pub fn object_key(v: &MessageView) -> Option<u64> {
    use std::hash::{Hash, Hasher};
    let name = v.spec_name()?;
    let mut key = Vec::with_capacity(32);
    if !v.hooks().object_key(v, &mut key) {
        return None;
    }
    let mut h = std::collections::hash_map::DefaultHasher::new();
    name.hash(&mut h);
    key.hash(&mut h);
    Some(h.finish())
}

/// Append the attributes `names` of `v`'s top-level set (absent ones as a marker byte) to
/// `key`: the common way to build an object key.
pub(crate) fn key_attrs(v: &MessageView, names: &[&str], key: &mut Vec<u8>) {
    let named = v.named();
    for n in names {
        match named.and_then(|a| a.get(n)) {
            Some(b) => {
                key.extend_from_slice(&u32::try_from(b.len()).unwrap_or(u32::MAX).to_le_bytes());
                key.extend_from_slice(b);
            }
            None => key.push(0xff),
        }
    }
}

/// Append payload bytes `range` of `v` (its fixed header's identifying members) to `key`.
pub(crate) fn key_header(v: &MessageView, range: std::ops::Range<usize>, key: &mut Vec<u8>) {
    key.extend_from_slice(v.payload_bytes().get(range).unwrap_or_default());
}

/// The summary of a message by its family's module; false if it has none.
pub fn summary(v: &MessageView, out: &mut String) -> bool {
    // Without a spec the hooks are `Plain`'s, which have no summary.
    v.hooks().summary(v, out)
}

/// The attribute set of sub-message `msg`'s format `value`.
fn sub_message_set<'s>(spec: &'s Spec, msg: &str, value: &str) -> Option<&'s str> {
    spec.sub_messages
        .get(msg)?
        .formats
        .iter()
        .find(|f| f.value == value)?
        .attribute_set
        .as_deref()
}

#[cfg(test)]
mod tests;
