//! The object store and its apply step.

use std::collections::BTreeMap;

use super::super::Role;
use crate::dissect::MessageView;
use crate::model::{Direction, Endian};

/// `NETLINK_ROUTE`.
const NETLINK_ROUTE: u32 = 0;
/// `NETLINK_NETFILTER`.
const NETLINK_NETFILTER: u32 = 12;
/// `AF_INET6`.
const AF_INET6: u8 = 10;
/// Most attributes an object keeps (bounded memory for hostile input).
const MAX_ATTRS: usize = 256;
/// Most objects of one kind.
const MAX_OBJECTS: usize = 100_000;

/// The kinds of objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Links (RTM_*LINK), `ip link show`.
    Links,
    /// Addresses (RTM_*ADDR), `ip addr show`.
    Addrs,
    /// Routes (RTM_*ROUTE), `ip route show table all`.
    Routes,
    /// Neighbours (RTM_*NEIGH), `ip neigh show`.
    Neigh,
    /// Rules (RTM_*RULE), `ip rule show`.
    Rules,
    /// Nexthops (RTM_*NEXTHOP), `ip nexthop show`.
    Nexthops,
    /// Qdiscs (RTM_*QDISC), `tc qdisc show`.
    Qdiscs,
    /// nftables tables, chains, sets and rules, `nft list ruleset`.
    Nft,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 8] = [
        Kind::Links,
        Kind::Addrs,
        Kind::Routes,
        Kind::Neigh,
        Kind::Rules,
        Kind::Nexthops,
        Kind::Qdiscs,
        Kind::Nft,
    ];

    /// The command-line word.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Links => "links",
            Kind::Addrs => "addrs",
            Kind::Routes => "routes",
            Kind::Neigh => "neigh",
            Kind::Rules => "rules",
            Kind::Nexthops => "nexthops",
            Kind::Qdiscs => "qdiscs",
            Kind::Nft => "nft",
        }
    }

    /// The kind named `s` (its command-line word).
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The kind of rtnetlink message type `ty`, its fixed header's size and whether it adds
    /// (NEW) or removes (DEL).
    fn of_type(ty: u16) -> Option<(Kind, usize, bool)> {
        let (k, hdr) = match ty {
            16 | 17 => (Kind::Links, 16),
            20 | 21 => (Kind::Addrs, 8),
            24 | 25 => (Kind::Routes, 12),
            28 | 29 => (Kind::Neigh, 12),
            32 | 33 => (Kind::Rules, 12),
            36 | 37 => (Kind::Qdiscs, 20),
            104 | 105 => (Kind::Nexthops, 8),
            _ => return None,
        };
        Some((k, hdr, ty.is_multiple_of(2)))
    }
}

/// One kernel object: its fixed header and its top-level attributes by spec name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Obj {
    /// The fixed header (ifinfomsg, ifaddrmsg, rtmsg, ...).
    pub hdr: Vec<u8>,
    /// Top-level attributes by spec name (the first of a repeated name).
    pub attrs: BTreeMap<String, Vec<u8>>,
    /// Byte order of the numbers in it.
    pub endian: Endian,
}

impl Obj {
    /// Header byte at `off`.
    pub fn b(&self, off: usize) -> u8 {
        self.hdr.get(off).copied().unwrap_or(0)
    }
    /// Header u32 at `off`.
    pub fn h32(&self, off: usize) -> u32 {
        self.endian.u32(&self.hdr, off).unwrap_or(0)
    }
    /// Header u16 at `off`.
    pub fn h16(&self, off: usize) -> u16 {
        self.endian.u16(&self.hdr, off).unwrap_or(0)
    }
    /// Attribute `name`'s payload.
    pub fn a(&self, name: &str) -> Option<&[u8]> {
        self.attrs.get(name).map(Vec::as_slice)
    }
    /// Attribute `name` as a u32.
    pub fn a32(&self, name: &str) -> Option<u32> {
        self.endian.u32(self.a(name)?, 0)
    }

    /// The kernel's key of this object of kind `k`.
    fn key(&self, k: Kind) -> Vec<u8> {
        let mut key = Vec::new();
        let mut put = |b: &[u8]| {
            key.extend_from_slice(&u32::try_from(b.len()).unwrap_or(0).to_le_bytes());
            key.extend_from_slice(b);
        };
        let h = &self.hdr;
        let at = |r: std::ops::Range<usize>| h.get(r).unwrap_or(&[]);
        match k {
            // ifindex.
            Kind::Links => put(at(4..8)),
            // ifindex, family, address, prefix length.
            Kind::Addrs => {
                put(at(4..8));
                put(at(0..2));
                put(self.a("local").or(self.a("address")).unwrap_or(&[]));
            }
            // family, table, dst/len, tos, priority (fib_table_insert's key); IPv6 keeps
            // routes to one prefix apart by their device and gateway too (fib6_add_rt2node).
            Kind::Routes => {
                put(at(0..1));
                put(&self.table().to_be_bytes());
                put(self.a("dst").unwrap_or(&[]));
                put(at(1..2));
                put(at(3..4));
                put(self.a("priority").unwrap_or(&[]));
                put(self.a("src").unwrap_or(&[]));
                if self.b(0) == AF_INET6 {
                    put(self.a("oif").unwrap_or(&[]));
                    put(self.a("gateway").unwrap_or(&[]));
                }
            }
            // ifindex, family, destination.
            Kind::Neigh => {
                put(at(4..8));
                put(at(0..1));
                put(self.a("dst").unwrap_or(&[]));
            }
            // family, priority, match fields.
            Kind::Rules => {
                put(at(0..1));
                put(&self.a32("priority").unwrap_or(0).to_be_bytes());
                put(at(1..5));
                put(at(7..8));
                for n in ["src", "dst", "iifname", "oifname", "fwmark", "table"] {
                    put(self.a(n).unwrap_or(&[]));
                }
            }
            // id.
            Kind::Nexthops => put(self.a("id").unwrap_or(&[])),
            // ifindex, handle, parent.
            Kind::Qdiscs => {
                put(at(4..12));
                put(at(12..16));
            }
            // Not stored as objects (see `nft.rs`).
            Kind::Nft => {}
        }
        key
    }

    /// A route's table: RTA_TABLE, else rtm_table.
    pub fn table(&self) -> u32 {
        self.a32("table").unwrap_or(u32::from(self.b(4)))
    }
}

/// The objects known at a moment.
#[derive(Debug, Clone, Default)]
pub struct State {
    objs: BTreeMap<Kind, BTreeMap<Vec<u8>, Obj>>,
    /// nftables objects (`Kind::Nft`).
    pub(super) nft: super::nft::Nft,
}

impl State {
    /// Nothing known.
    pub fn new() -> Self {
        State::default()
    }

    /// Apply one message (its correlation `role`): what the kernel reported changes the
    /// state; requests, acks, errors and other protocols do not.
    pub fn apply(&mut self, v: &MessageView, role: Role) {
        let m = v.index();
        // nftables (NFNL_SUBSYS_NFTABLES, 10): the object's nft text is its summary.
        if m.protocol == NETLINK_NETFILTER && m.ty >> 8 == 10 {
            if role == Role::Request || m.direction != Direction::FromKernel {
                return;
            }
            let s = v.summary();
            let text = s.strip_prefix(v.type_str()).unwrap_or(&s).trim();
            let handle = v.named().and_then(|n| n.get("handle"));
            self.nft.apply(m.ty & 0xff, text, handle);
            return;
        }
        if m.protocol != NETLINK_ROUTE {
            return;
        }
        // nexthop_notify (net/ipv4/nexthop.c) copies the request's flags, NLM_F_REQUEST
        // included, into its notification, so it reads as a request; the kernel sets the
        // requester's port id where iproute2's request carries 0.
        let nexthop_notify = matches!(m.ty, 104 | 105) && m.pid != 0;
        if !nexthop_notify && (role == Role::Request || m.direction != Direction::FromKernel) {
            return;
        }
        let Some((_, hdr_len, _)) = Kind::of_type(m.ty) else {
            return;
        };
        let p = v.payload_bytes();
        let Some(hdr) = p.get(..hdr_len) else {
            return;
        };
        let attrs = v
            .named()
            .map(|n| {
                n.iter()
                    .filter(|(name, _)| !name.is_empty())
                    .map(|(name, b)| (name.to_string(), b.to_vec()))
                    .take(MAX_ATTRS)
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        self.apply_raw(m.ty, hdr, attrs, m.endian);
    }

    /// Apply an rtnetlink message of type `ty` from the kernel, given its fixed header and
    /// its named top-level attributes.
    pub fn apply_raw(&mut self, ty: u16, hdr: &[u8], attrs: Vec<(String, Vec<u8>)>, e: Endian) {
        let Some((kind, hdr_len, add)) = Kind::of_type(ty) else {
            return;
        };
        let Some(hdr) = hdr.get(..hdr_len) else {
            return;
        };
        let mut obj = Obj {
            hdr: hdr.to_vec(),
            attrs: BTreeMap::new(),
            endian: e,
        };
        for (n, b) in attrs.into_iter().take(MAX_ATTRS) {
            obj.attrs.entry(n).or_insert(b);
        }
        let key = obj.key(kind);
        let map = self.objs.entry(kind).or_default();
        if !add {
            map.remove(&key);
        } else if let (Kind::Links, Some(old)) = (kind, map.get_mut(&key)) {
            old.hdr = obj.hdr;
            old.attrs.extend(obj.attrs);
        } else if map.len() < MAX_OBJECTS || map.contains_key(&key) {
            map.insert(key, obj);
        }
    }

    /// The objects of kind `k`, in key order.
    pub fn objects(&self, k: Kind) -> impl Iterator<Item = &Obj> {
        self.objs.get(&k).into_iter().flat_map(|m| m.values())
    }

    /// A link's name by index.
    pub fn link_name(&self, idx: u32) -> Option<String> {
        let obj = self.objects(Kind::Links).find(|o| o.h32(4) == idx)?;
        Some(nul_str(obj.a("ifname")?))
    }
}

/// A string attribute up to its first NUL.
pub(super) fn nul_str(b: &[u8]) -> String {
    String::from_utf8_lossy(b.split(|c| *c == 0).next().unwrap_or(&[])).into_owned()
}
