//! The dissector: frames -> netlink messages (eagerly indexed headers) -> trees (on demand).

pub mod attrs;
pub mod cooked;
pub mod decode;
mod families;
pub mod fields;
mod fork;
pub mod genl_guess;
mod links;
mod message;
pub mod problems;
pub mod specs;

use std::collections::HashMap;

use crate::model::{Direction, Endian};
use crate::netlink::{self, *};
pub use fork::Fork;
pub(crate) use links::MAX_LINKS;
pub use links::{LINK_NAMES_PER_COMMENT, LINK_NAMES_PREFIX, link_names_comments};
pub use message::MessageView;
use specs::SpecRegistry;
use std::cell::RefCell;
use std::hash::{BuildHasherDefault, Hasher};

/// The cheap per-message facts, read in the indexing pass without building a tree.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MsgIndex {
    /// Offset of the nlmsghdr within the frame bytes.
    pub offset: usize,
    /// `nlmsg_len` as written (may exceed the bytes present when malformed).
    pub len: u32,
    /// `nlmsg_type`.
    pub ty: u16,
    /// `nlmsg_flags`.
    pub flags: u16,
    /// `nlmsg_seq`.
    pub seq: u32,
    /// `nlmsg_pid`.
    pub pid: u32,
    /// Netlink protocol number.
    pub protocol: u32,
    /// Inferred direction.
    pub direction: Direction,
    /// Byte order of the message.
    pub endian: Endian,
    /// Generic netlink command (first byte of genlmsghdr), when protocol is generic.
    pub genl_cmd: Option<u8>,
    /// For NLMSG_ERROR / NLMSG_DONE: the error code.
    pub error: Option<i32>,
    /// Bytes of this message actually present in the frame.
    pub present: usize,
}

/// The index of one frame.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrameIndex {
    /// Cooked header, if the frame carries netlink.
    pub cooked: Option<cooked::Cooked>,
    /// Messages found.
    pub msgs: Vec<MsgIndex>,
    /// Why the frame (or its tail) could not be walked, with the byte offset.
    pub problem: Option<(usize, String)>,
    /// The byte order differed from the file's and was corrected.
    pub swapped: bool,
    /// Zero bytes after the last message (offset, length): a sender's buffer padding, which
    /// the kernel ignores (netlink_rcv_skb stops at an nlmsg_len below the header size).
    pub zero_tail: Option<(usize, usize)>,
}

/// Values by generic netlink family id, looked up for every generic netlink message.
pub type IdMap<V> = HashMap<u16, V, BuildHasherDefault<KeyHasher>>;

/// A small multiplicative hasher for the resolution cache: its keys are a few integers of our
/// own making, so SipHash's flooding resistance buys nothing on this per-message path.
#[derive(Default)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.write_u64(u64::from(i));
    }
    fn write_u16(&mut self, i: u16) {
        self.write_u64(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.write_u64(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
}

/// How many recent requests are remembered to decode capped error acks.
const RECENT_REQUESTS: usize = 4096;
/// Messages of one unnamed generic netlink id tried before giving up guessing its family.
const MAX_GUESS_TRIES: u8 = 8;

/// Dissector state: the specs, plus what the capture itself teaches (generic netlink family ids,
/// recent requests for capped acks).
pub struct Dissector {
    /// Loaded specs.
    pub specs: SpecRegistry,
    genl: IdMap<String>,
    genl_version: u64,
    /// Bumped whenever a guess names an id (what was resolved before it is stale).
    guess_version: std::cell::Cell<u64>,
    /// Ids the user named (`--genl NAME=ID`, Decode As): what the capture says does not
    /// override them.
    genl_pinned: std::collections::HashSet<u16>,
    /// Families guessed for ids the capture never names (see `genl_guess`): the guess, or how
    /// many messages of the id failed to decide one.
    genl_guesses: RefCell<IdMap<Result<genl_guess::Guess, u8>>>,
    /// Interface names by index, learned from RTM_NEWLINK messages (for summaries).
    links: HashMap<i32, String, BuildHasherDefault<KeyHasher>>,
    /// Bumped when a `link-names:` comment teaches a name (so writers know to record them).
    links_version: u64,
    /// Whether indexing met an RTM_NEWLINK from the kernel (to read a name from).
    met_links: bool,
    /// IFLA_IFNAME's attribute number (from the rt-link spec; 3 in the uapi), read when first
    /// needed: a capture without rtnetlink loads no rt-link spec for it.
    ifla_ifname: std::cell::OnceCell<u16>,
    /// nftables sets learned from NEWSET/NEWSETELEM (key types, anonymous sets' elements),
    /// for rule and element summaries; bounded in `families::nftables`.
    nft: families::nftables::Sets,
    /// The nftables numbers learning reads (from the spec, by name), read when first needed.
    nft_nums: std::cell::OnceCell<families::nftables::LearnNums>,
    /// Message kinds resolved (see `MessageView::resolved`).
    resolved: message::Resolutions,
    /// Ring of recent requests ((protocol, pid, seq), bytes); buffers are reused, and the
    /// rare lookup (a capped error ack) scans it, so indexing pays no hashing.
    recent: Vec<((u32, u32, u32), Vec<u8>)>,
    recent_next: usize,
    /// nlctrl's family-id and family-name attribute numbers (see `ctrl_attr_types`).
    ctrl_types: (u16, u16),
    /// What it learned since the last [`Dissector::take_facts`], when recording.
    facts: Option<Vec<Fact>>,
    /// Whether indexing remembers requests (an indexer's view-building dissector replays them
    /// itself).
    remember: bool,
    /// Whether viewing a message of an unnamed generic netlink id may guess its family (a
    /// replica only takes the guesses its indexer made, as [`Fact::GenlGuess`]).
    guess_in_view: bool,
}

/// A fact indexing learned that names, summaries and trees depend on. An indexer on another
/// thread records them so the dissector that builds views can be taught the same, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    /// A generic netlink family id and name.
    Genl(u16, String),
    /// An interface index and name (from RTM_NEWLINK).
    Link(i32, String),
    /// An nftables set's declaration or an anonymous set's elements.
    Nft(families::nftables::NftFact),
    /// What guessing the family of an unnamed generic netlink id decided (see
    /// [`Dissector::view_facts`]).
    GenlGuess(u16, Option<Result<genl_guess::Guess, u8>>),
    /// The remembered request (protocol, port id, sequence) an extended ACK may point into,
    /// if any (see [`Dissector::view_facts`]).
    Request((u32, u32, u32), Option<Vec<u8>>),
}

/// What an indexer on another thread needs to index like a given [`Dissector`] (it is `Send`;
/// the dissector is not).
#[derive(Debug, Clone)]
pub struct IndexSeed {
    /// The specs: the indexer resolves what correlation and object keys need.
    specs: SpecRegistry,
    genl: IdMap<String>,
    links: HashMap<i32, String, BuildHasherDefault<KeyHasher>>,
    /// The dissector's numbers, if it read them already.
    ifla_ifname: Option<u16>,
    ctrl_types: (u16, u16),
    nft: families::nftables::Sets,
    nft_nums: Option<families::nftables::LearnNums>,
}

impl Dissector {
    /// A dissector over `specs`. nlctrl's fixed id is known from the start.
    pub fn new(specs: SpecRegistry) -> Self {
        let mut genl = IdMap::default();
        genl.insert(GENL_ID_CTRL, "nlctrl".to_string());
        let ctrl_types = ctrl_attr_types(&specs);
        Dissector {
            specs,
            ifla_ifname: std::cell::OnceCell::new(),
            nft: Default::default(),
            nft_nums: std::cell::OnceCell::new(),
            links: HashMap::default(),
            links_version: 0,
            met_links: false,
            genl,
            genl_version: 0,
            guess_version: std::cell::Cell::new(0),
            genl_pinned: std::collections::HashSet::new(),
            genl_guesses: RefCell::new(IdMap::default()),
            resolved: message::Resolutions::default(),
            recent: Vec::new(),
            recent_next: 0,
            ctrl_types,
            facts: None,
            remember: true,
            guess_in_view: true,
        }
    }

    /// The numbers nftables learning reads.
    fn nft_nums(&self) -> families::nftables::LearnNums {
        *self
            .nft_nums
            .get_or_init(|| families::nftables::learn_nums(&self.specs))
    }

    /// What an indexer needs to continue from this dissector's state (see [`Dissector::indexer`]).
    pub fn index_seed(&self) -> IndexSeed {
        IndexSeed {
            specs: self.specs.clone(),
            genl: self.genl.clone(),
            links: self.links.clone(),
            ifla_ifname: self.ifla_ifname.get().copied(),
            ctrl_types: self.ctrl_types,
            nft: self.nft.clone(),
            nft_nums: self.nft_nums.get().copied(),
        }
    }

    /// A dissector for indexing, e.g. on a loader thread: it resolves what a request's kind
    /// and an object's key need, builds no trees, records what it learns as [`Fact`]s for
    /// [`Dissector::apply_facts`] and does not remember requests (see
    /// [`Dissector::remember_request`]).
    pub fn indexer(seed: IndexSeed) -> Self {
        let mut d = Dissector::new(seed.specs);
        d.genl = seed.genl;
        d.links = seed.links;
        d.ifla_ifname = seed
            .ifla_ifname
            .map(std::cell::OnceCell::from)
            .unwrap_or_default();
        d.ctrl_types = seed.ctrl_types;
        d.nft = seed.nft;
        d.nft_nums = seed
            .nft_nums
            .map(std::cell::OnceCell::from)
            .unwrap_or_default();
        d.facts = Some(Vec::new());
        d.remember = false;
        d
    }

    /// Record what indexing learns as [`Fact`]s (see [`Dissector::take_facts`]), remembering
    /// requests as before: the indexing dissector of a reader whose replicas build the views.
    pub fn record_facts(&mut self) {
        self.facts.get_or_insert_with(Vec::new);
    }

    /// A dissector that builds views from what another one learns: it only takes
    /// [`Dissector::apply_facts`], never guesses a generic netlink family itself (so its
    /// views do not depend on which messages it viewed) and is not fed requests.
    pub fn into_replica(mut self) -> Self {
        self.guess_in_view = false;
        self
    }

    /// What viewing the messages of indexed frame `fi` (of `data`) needs beyond indexing, as
    /// facts a replica applies before viewing message `p` (`(p, fact)`): the family guessed for
    /// an unnamed generic netlink id (guessed here, message by message in capture order, as a
    /// dissector viewing every message would), and for an extended ACK the request it may
    /// point into (what [`Dissector::recent_request`] finds now).
    pub fn view_facts(&mut self, data: &[u8], fi: &FrameIndex, out: &mut Vec<(usize, Fact)>) {
        for (p, m) in fi.msgs.iter().enumerate() {
            // As MessageView's error tree reads it: the echoed header's sequence and port id.
            if m.ty == NLMSG_ERROR
                && m.flags & NLM_F_ACK_TLVS != 0
                && m.present >= 2 * NLMSG_HDRLEN + 4
            {
                let rq = m.offset + NLMSG_HDRLEN + 4;
                let seq = m.endian.u32(data, rq + 8).unwrap_or(0);
                let pid = m.endian.u32(data, rq + 12).unwrap_or(0);
                let bytes = self
                    .recent_request(m.protocol, pid, seq)
                    .map(<[u8]>::to_vec);
                out.push((p, Fact::Request((m.protocol, pid, seq), bytes)));
            }
            if m.protocol == NETLINK_GENERIC && self.genl_family(m.ty).is_none() {
                let before = self.genl_guesses.get_mut().get(&m.ty).copied();
                let _ = self.genl_family_of(data, m);
                let after = self.genl_guesses.get_mut().get(&m.ty).copied();
                if after != before {
                    out.push((p, Fact::GenlGuess(m.ty, after)));
                }
            }
        }
    }

    /// The facts an indexer learned since the last call (empty for other dissectors).
    pub fn take_facts(&mut self) -> Vec<Fact> {
        self.facts.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// Learn what an indexer learned, in its order.
    pub fn apply_facts(&mut self, facts: impl IntoIterator<Item = Fact>) {
        for f in facts {
            match f {
                Fact::Genl(id, name) => self.learn_genl(id, &name),
                Fact::Link(idx, name) => self.learn_link(idx, name),
                Fact::Nft(f) => self.learn_nft(f),
                Fact::GenlGuess(id, g) => {
                    let cache = self.genl_guesses.get_mut();
                    match g {
                        Some(g) => cache.insert(id, g),
                        None => cache.remove(&id),
                    };
                    // As when guessing: what was resolved before is stale.
                    self.resolved.forget_protocol(NETLINK_GENERIC);
                    self.guess_version.set(self.guess_version.get() + 1);
                }
                Fact::Request(key, bytes) => {
                    self.recent.clear();
                    self.recent_next = 0;
                    if let Some(b) = bytes {
                        self.recent.push((key, b));
                    }
                }
            }
        }
    }

    fn learn_nft(&mut self, f: families::nftables::NftFact) {
        if let Some(facts) = self.facts.as_mut() {
            facts.push(Fact::Nft(f.clone()));
        }
        self.nft.apply(f);
    }

    /// The nftables sets learned so far.
    pub(crate) fn nft_sets(&self) -> &families::nftables::Sets {
        &self.nft
    }

    /// Generic netlink family name for id `id`, if learned.
    pub fn genl_family(&self, id: u16) -> Option<&str> {
        self.genl.get(&id).map(String::as_str)
    }

    /// All learned generic netlink family ids.
    pub fn genl_families(&self) -> &IdMap<String> {
        &self.genl
    }

    /// The family of generic netlink message `m` of frame `data`: the learned one, else a
    /// guess from its command and attributes (with how well it fits).
    pub fn genl_family_of(
        &self,
        data: &[u8],
        m: &MsgIndex,
    ) -> Option<(&str, Option<genl_guess::Guess>)> {
        if let Some(f) = self.genl_family(m.ty) {
            return Some((f, None));
        }
        // Types below NLMSG_MIN_TYPE are netlink's own (an ACK, NLMSG_DONE): no family id.
        if m.ty < NLMSG_MIN_TYPE {
            return None;
        }
        let cached = self.genl_guesses.borrow().get(&m.ty).copied();
        let g = match cached {
            Some(Ok(g)) => Some(g),
            // Messages that fit no family or several: after a few, the id stays unnamed.
            Some(Err(tries)) if tries >= MAX_GUESS_TRIES => None,
            _ if !self.guess_in_view => None,
            // No attributes: nothing fits, and it does not count as a try (below).
            _ if m.present <= NLMSG_HDRLEN + GENL_HDRLEN => None,
            _ => {
                let payload = data.get(m.offset + NLMSG_HDRLEN..m.offset + m.present)?;
                let to_kernel = m.direction == Direction::ToKernel;
                let g = genl_guess::guess(&self.specs, payload, m.endian, to_kernel);
                let mut cache = self.genl_guesses.borrow_mut();
                match g {
                    Some(g) => {
                        cache.insert(m.ty, Ok(g));
                        // Messages of this id resolved before the guess are stale.
                        self.resolved.forget_protocol(NETLINK_GENERIC);
                        self.guess_version.set(self.guess_version.get() + 1);
                    }
                    // A message without attributes (a dump request) tells nothing.
                    None if payload.len() > GENL_HDRLEN => {
                        let tries = cache.get(&m.ty).map_or(0, |t| t.err().unwrap_or(0));
                        cache.insert(m.ty, Err(tries.saturating_add(1)));
                    }
                    None => {}
                }
                g
            }
        };
        let g = g?;
        Some((self.specs.spec_at(g.spec)?.name.as_str(), Some(g)))
    }

    /// Name generic netlink id `id` as family `name` whatever the capture says (`--genl`,
    /// Decode As).
    pub fn pin_genl(&mut self, id: u16, name: &str) {
        self.genl_pinned.remove(&id);
        self.learn_genl(id, name);
        self.genl_pinned.insert(id);
    }

    /// Decode classic protocol `proto` with the netlink-raw spec `name` (`--decode-as`,
    /// Decode As); see [`SpecRegistry::pin_protocol`].
    pub fn pin_protocol(&mut self, proto: u32, name: &str) -> Result<(), String> {
        self.specs.pin_protocol(proto, name)?;
        // Names resolved under the old choice are stale.
        self.resolved.forget();
        Ok(())
    }

    /// Whether id `id` was named by the user (`--genl`, Decode As) rather than the capture.
    pub fn genl_is_pinned(&self, id: u16) -> bool {
        self.genl_pinned.contains(&id)
    }

    /// Teach a generic netlink family id (from capture metadata or the live host).
    pub fn learn_genl(&mut self, id: u16, name: &str) {
        if id >= NLMSG_MIN_TYPE
            && !self.genl_pinned.contains(&id)
            && !name.is_empty()
            && name.len() < 64
            && self.genl.get(&id).map(String::as_str) != Some(name)
        {
            self.genl.insert(id, name.to_string());
            self.genl_version += 1;
            self.genl_guesses.get_mut().remove(&id);
            if let Some(f) = self.facts.as_mut() {
                f.push(Fact::Genl(id, name.to_string()));
            }
            // Names resolved under the old mapping are stale (only generic netlink's).
            self.resolved.forget_protocol(NETLINK_GENERIC);
        }
    }

    /// Learn from capture comments of the form `genl-families: 16=nlctrl 20=ethtool` and
    /// `link-names: 1=lo 2=eth0`.
    pub fn learn_from_comment(&mut self, comment: &str) {
        for line in comment.lines() {
            if let Some(rest) = line.trim().strip_prefix(LINK_NAMES_PREFIX) {
                self.learn_links_comment(rest);
                continue;
            }
            let Some(rest) = line.trim().strip_prefix("genl-families:") else {
                continue;
            };
            for pair in rest.split_whitespace() {
                if let Some((id, name)) = pair.split_once('=') {
                    let id = id
                        .strip_prefix("0x")
                        .map_or_else(|| id.parse().ok(), |h| u16::from_str_radix(h, 16).ok());
                    if let Some(id) = id {
                        self.learn_genl(id, name);
                    }
                }
            }
        }
    }

    /// Changes whenever a generic netlink id is learned (so writers know when to record them).
    pub fn genl_version(&self) -> u64 {
        self.genl_version
    }

    /// Changes whenever a learned id or a new guess may change how messages read (caches of
    /// decoded messages compare it).
    pub fn names_version(&self) -> u64 {
        self.genl_version.wrapping_add(self.guess_version.get())
    }

    /// The comment line that records the learned generic netlink ids (see `learn_from_comment`).
    pub fn genl_comment(&self) -> String {
        let mut ids: Vec<_> = self.genl.iter().collect();
        ids.sort();
        let pairs: Vec<String> = ids.iter().map(|(i, n)| format!("{i}={n}")).collect();
        format!("genl-families: {}", pairs.join(" "))
    }

    /// Index a frame: find every message and its header fields, infer directions, and learn
    /// generic netlink ids from nlctrl replies. Never builds trees.
    pub fn index_frame(&mut self, data: &[u8], linktype: u32, file_endian: Endian) -> FrameIndex {
        let mut fi = FrameIndex::default();
        self.index_frame_into(data, linktype, file_endian, &mut fi);
        fi
    }

    /// Index a frame only if it may name a link (an rtnetlink frame: RTM_NEWLINK names them),
    /// so that [`Dissector::link_names`] after every frame of a capture is what indexing them
    /// all gives, for less. Requests are not remembered: a dissector that skips frames has
    /// no use for them (each would be a copy).
    pub fn learn_link_names(
        &mut self,
        data: &[u8],
        linktype: u32,
        file_endian: Endian,
        fi: &mut FrameIndex,
    ) {
        let Ok(c) = cooked::parse(linktype, data) else {
            return;
        };
        let msgs = data.get(c.header_len..).unwrap_or_default();
        // RTM_NEWLINK: in either byte order, as indexing picks the frame's by its lengths.
        let newlink = |e: Endian| netlink::Messages::new(msgs, e).any(|m| m.ty == 16);
        if c.protocol == NETLINK_ROUTE && (newlink(Endian::Little) || newlink(Endian::Big)) {
            let remember = std::mem::replace(&mut self.remember, false);
            self.index_frame_into(data, linktype, file_endian, fi);
            self.remember = remember;
        }
    }

    /// [`Dissector::index_frame`] into a reused index (keeps its message buffer's capacity).
    pub fn index_frame_into(
        &mut self,
        data: &[u8],
        linktype: u32,
        file_endian: Endian,
        fi: &mut FrameIndex,
    ) {
        fi.cooked = None;
        fi.msgs.clear();
        fi.problem = None;
        fi.swapped = false;
        fi.zero_tail = None;
        let c = match cooked::parse(linktype, data) {
            Ok(c) => c,
            Err(e) => {
                fi.problem = Some((0, e));
                return;
            }
        };
        fi.cooked = Some(c);
        if c.protocol == NETLINK_KOBJECT_UEVENT {
            // Uevents are text, not netlink messages (lib/kobject_uevent.c): one
            // pseudo-message spans the text (see message/uevent.rs).
            let len = data.len().saturating_sub(c.header_len);
            if len > 0 {
                let udev = data
                    .get(c.header_len..)
                    .is_some_and(|t| t.starts_with(b"libudev\0"));
                fi.msgs.push(MsgIndex {
                    offset: c.header_len,
                    len: u32::try_from(len).unwrap_or(u32::MAX),
                    ty: 0,
                    flags: 0,
                    seq: 0,
                    pid: 0,
                    protocol: c.protocol,
                    // udevd's re-broadcasts come from a process, not the kernel.
                    direction: if udev {
                        Direction::Unknown
                    } else {
                        Direction::FromKernel
                    },
                    endian: file_endian,
                    genl_cmd: None,
                    error: None,
                    present: len,
                });
            }
            return;
        }
        let mut endian = file_endian;
        let other = match file_endian {
            Endian::Little => Endian::Big,
            Endian::Big => Endian::Little,
        };
        let first = c.header_len;
        let plausible = |e: Endian| {
            e.u32(data, first)
                .is_some_and(|l| l as usize >= NLMSG_HDRLEN && l as usize <= data.len() - first)
        };
        if !plausible(file_endian) && plausible(other) {
            endian = other;
            fi.swapped = true;
        }
        let mut pos = first;
        while pos < data.len() {
            let left = data.len() - pos;
            if !fi.msgs.is_empty() && data.get(pos..).unwrap_or_default().iter().all(|b| *b == 0) {
                fi.zero_tail = Some((pos, left));
                break;
            }
            if left < NLMSG_HDRLEN {
                fi.problem = Some((
                    pos,
                    format!("{left} trailing bytes, too short for a netlink message header"),
                ));
                break;
            }
            let len = endian.u32(data, pos).unwrap_or(0);
            let ty = endian.u16(data, pos + 4).unwrap_or(0);
            let flags = endian.u16(data, pos + 6).unwrap_or(0);
            let seq = endian.u32(data, pos + 8).unwrap_or(0);
            let pid = endian.u32(data, pos + 12).unwrap_or(0);
            let present = (len as usize).min(left);
            let mut direction = infer_direction(c.protocol, ty, flags);
            // The connector sends everything as NLMSG_DONE carrying a struct cn_msg (both
            // ways: drivers/connector/connector.c); the kernel's have port id 0.
            let connector = c.protocol == NETLINK_CONNECTOR && ty == NLMSG_DONE;
            if connector && pid != 0 {
                direction = Direction::ToKernel;
            }
            let mut m = MsgIndex {
                offset: pos,
                len,
                ty,
                flags,
                seq,
                pid,
                protocol: c.protocol,
                direction,
                endian,
                genl_cmd: None,
                error: None,
                present,
            };
            if (ty == NLMSG_ERROR || ty == NLMSG_DONE) && !connector && present >= NLMSG_HDRLEN + 4
            {
                m.error = endian.u32(data, pos + NLMSG_HDRLEN).map(|v| v as i32);
            } else if c.protocol == NETLINK_GENERIC
                && ty >= NLMSG_MIN_TYPE
                && present > NLMSG_HDRLEN
            {
                m.genl_cmd = data.get(pos + NLMSG_HDRLEN).copied();
            }
            let bad = (len as usize) < NLMSG_HDRLEN || len as usize > left;
            if !bad {
                self.learn(data, &m);
            }
            fi.msgs.push(m);
            if (len as usize) < NLMSG_HDRLEN {
                fi.problem = Some((
                    pos,
                    format!(
                        "nlmsg_len {len} is less than the 16-byte header; rest of frame not walked"
                    ),
                ));
                break;
            }
            if len as usize > left {
                fi.problem = Some((
                    pos,
                    format!("nlmsg_len {len} exceeds the {left} bytes left"),
                ));
                break;
            }
            pos += align4(len as usize);
        }
    }

    /// Learn what a message teaches: nlctrl family ids; requests (for capped acks).
    fn learn(&mut self, data: &[u8], m: &MsgIndex) {
        let end = m.offset + m.present;
        self.learn_newlink(data, m, end);
        if m.protocol == NETLINK_NETFILTER
            && let Some(f) = families::nftables::learn(&self.nft_nums(), data, m)
        {
            self.learn_nft(f);
        }
        if self.remember {
            self.remember_request(data, m);
        }
        if m.protocol == NETLINK_GENERIC
            && m.ty == GENL_ID_CTRL
            && m.direction == Direction::FromKernel
        {
            let (id_t, name_t) = self.ctrl_types;
            let mut id = None;
            let mut name = None;
            let mut pos = m.offset + NLMSG_HDRLEN + 4;
            while pos + 4 <= end {
                let l = usize::from(m.endian.u16(data, pos).unwrap_or(0));
                let t = m.endian.u16(data, pos + 2).unwrap_or(0) & NLA_TYPE_MASK;
                if l < 4 || pos + l > end {
                    break;
                }
                if t == id_t && l == 6 {
                    id = m.endian.u16(data, pos + 4);
                } else if t == name_t {
                    let b = span(data, pos + 4, l.saturating_sub(4));
                    let b = b.split(|c| *c == 0).next().unwrap_or(&[]);
                    name = std::str::from_utf8(b).ok().map(str::to_string);
                }
                pos += align4(l);
            }
            if let (Some(id), Some(name)) = (id, name) {
                self.learn_genl(id, &name);
            }
        }
    }

    /// Remember a request (for a capped ack later) as indexing does: a well-formed message of
    /// frame `data` to the kernel. A view-building dissector fed by an [`Dissector::indexer`]
    /// calls this for every message it is handed.
    pub fn remember_request(&mut self, data: &[u8], m: &MsgIndex) {
        let ok = m.len as usize >= NLMSG_HDRLEN && m.present == m.len as usize;
        if !(ok && m.direction == Direction::ToKernel && m.ty >= NLMSG_MIN_TYPE) {
            return;
        }
        let Some(bytes) = data.get(m.offset..m.offset + m.present) else {
            return;
        };
        let key = (m.protocol, m.pid, m.seq);
        if self.recent.len() < RECENT_REQUESTS {
            self.recent.push((key, bytes.to_vec()));
        } else if let Some(slot) = self.recent.get_mut(self.recent_next) {
            slot.0 = key;
            slot.1.clear();
            slot.1.extend_from_slice(bytes);
            self.recent_next = (self.recent_next + 1) % RECENT_REQUESTS;
        }
    }

    /// A remembered request (protocol, port id, sequence), for acks that do not echo it.
    pub fn recent_request(&self, protocol: u32, pid: u32, seq: u32) -> Option<&[u8]> {
        // Newest first: sequence numbers repeat (iproute2 seeds them with time()).
        let n = self.recent.len();
        (0..n)
            .map(|i| (self.recent_next + n - 1 - i) % n)
            .filter_map(|i| self.recent.get(i))
            .find(|(k, _)| *k == (protocol, pid, seq))
            .map(|(_, b)| b.as_slice())
    }

    /// A view of message `m` of a frame, for names, summaries and trees.
    pub fn view<'a>(&'a self, data: &'a [u8], m: &MsgIndex) -> MessageView<'a> {
        MessageView::new(self, data, m)
    }
}

/// nlctrl's family-id and family-name attribute numbers, from its spec (uapi values
/// CTRL_ATTR_FAMILY_ID = 1, CTRL_ATTR_FAMILY_NAME = 2 when no spec is loaded).
fn ctrl_attr_types(specs: &SpecRegistry) -> (u16, u16) {
    let set = specs.get("nlctrl").and_then(|s| s.sets.get("ctrl-attrs"));
    let v = |n: &str, d: u16| set.and_then(|s| s.by_name(n)).map_or(d, |a| a.value);
    (v("family-id", 1), v("family-name", 2))
}

/// Direction from the header alone: nlmon writes PACKET_OUTGOING for both directions, so the
/// cooked header cannot tell. Requests carry NLM_F_REQUEST; the kernel never sets it.
pub fn infer_direction(protocol: u32, ty: u16, flags: u16) -> Direction {
    if ty == NLMSG_ERROR || ty == NLMSG_DONE || ty == NLMSG_OVERRUN {
        return Direction::FromKernel;
    }
    if flags & 0x01 != 0 {
        return Direction::ToKernel;
    }
    match netlink::protocol(protocol) {
        Some(p) if !p.obsolete && p.number != 2 => Direction::FromKernel,
        _ => Direction::Unknown,
    }
}

#[cfg(test)]
pub(crate) mod tests;
