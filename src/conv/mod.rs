//! Conversations: which request each reply, dump part, `NLMSG_DONE` and ack answers, matched in
//! capture order by protocol, sequence number and port id ([`Conversations`]); and what they
//! add up to ([`stats`]).
//!
//! Messages are pushed in capture order, headers only. A request's answers are linked as they
//! arrive, so a reader that cannot look ahead (a pipe) still learns every answer's request; a
//! file is correlated ahead of printing so requests know their answers too (the app: all of
//! it; `read`: a window ahead, see [`Conversations::forget_before`]).

pub mod changes;
pub mod show;
pub mod state;
pub mod stats;

use std::collections::{HashMap, VecDeque};

use crate::dissect::{MessageView, MsgIndex};
use crate::model::Direction;
use crate::netlink::{
    FlagContext, NLM_F_ACK, NLM_F_DUMP, NLM_F_DUMP_INTR, NLM_F_MULTI, NLM_F_REQUEST, NLMSG_DONE,
    NLMSG_ERROR,
};

/// Where a message is: 1-based frame number and 0-based message index in the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MsgRef {
    /// 1-based frame number.
    pub frame: u64,
    /// 0-based message index within the frame.
    pub msg: u32,
}

/// What a request asks for, from its flag context (RTM_GET* vs RTM_NEW*/DEL*).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A get: the kernel answers with data.
    Get,
    /// A change (new, delete, set): data the kernel sends under its sequence number are the
    /// notifications it caused (or their echo).
    Change,
    /// Neither is known.
    Other,
}

/// The header facts correlation needs of one message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Msg {
    /// Where it is.
    pub at: MsgRef,
    /// Capture time, ns since the epoch.
    pub ts_ns: i128,
    /// Netlink protocol number (`u32::MAX` when the frame said none).
    pub protocol: u32,
    /// `nlmsg_type`.
    pub ty: u16,
    /// `nlmsg_flags`.
    pub flags: u16,
    /// `nlmsg_seq`.
    pub seq: u32,
    /// `nlmsg_pid`.
    pub pid: u32,
    /// Direction.
    pub direction: Direction,
    /// For NLMSG_ERROR / NLMSG_DONE: the error code.
    pub error: Option<i32>,
    /// For a request: what it asks for.
    pub kind: Kind,
    /// For an `NLMSG_ERROR`: the type of the request it echoes.
    pub echo_type: Option<u16>,
}

impl Kind {
    /// What the message `view` shows asks for, if it is a request (its flag context decides).
    pub fn of(view: &MessageView) -> Kind {
        let m = view.index();
        if m.direction != Direction::ToKernel || m.flags & NLM_F_REQUEST == 0 {
            return Kind::Other;
        }
        match view.flag_context() {
            FlagContext::Get => Kind::Get,
            FlagContext::New | FlagContext::Del => Kind::Change,
            _ => Kind::Other,
        }
    }
}

impl Msg {
    /// The facts of the message `view` shows.
    pub fn of(view: &MessageView, at: MsgRef, ts_ns: i128) -> Msg {
        Msg::from_header(
            view.index(),
            view.message_bytes(),
            at,
            ts_ns,
            Kind::of(view),
        )
    }

    /// The facts of the message with header `m` whose bytes (nlmsghdr first) are `bytes`,
    /// its request kind known already.
    pub fn from_header(m: &MsgIndex, bytes: &[u8], at: MsgRef, ts_ns: i128, kind: Kind) -> Msg {
        // nlmsgerr after the nlmsghdr: the error code, then the request's nlmsghdr (its type
        // 4 bytes in).
        let echo_type = (m.ty == NLMSG_ERROR)
            .then(|| m.endian.u16(bytes, 24))
            .flatten();
        Msg {
            at,
            ts_ns,
            protocol: m.protocol,
            ty: m.ty,
            flags: m.flags,
            seq: m.seq,
            pid: m.pid,
            direction: m.direction,
            error: m.error,
            kind,
            echo_type,
        }
    }
}

/// A message's part in a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Not part of one (a notification, a frame without netlink).
    None,
    /// A request (`NLM_F_REQUEST` to the kernel).
    Request,
    /// The answer of a get.
    Reply,
    /// One part of a multi-part answer (a dump).
    DumpPart,
    /// `NLMSG_DONE`, the end of a dump.
    Done,
    /// `NLMSG_ERROR` with error 0.
    Ack,
    /// `NLMSG_ERROR` with an error.
    Error,
    /// A notification the request caused (under its sequence number and port id).
    Notification,
}

impl Role {
    /// Lower-case name (JSON, filter field `nlmsg.role`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::None => "none",
            Role::Request => "request",
            Role::Reply => "reply",
            Role::DumpPart => "dump-part",
            Role::Done => "done",
            Role::Ack => "ack",
            Role::Error => "error",
            Role::Notification => "notification",
        }
    }
}

/// What correlation knows of one message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Linked {
    /// Its part.
    pub role: Role,
    /// For an answer or a caused notification: the request.
    pub request: Option<MsgRef>,
    /// An answer (error, ack, done, dump part) to no captured request.
    pub orphan: bool,
    /// This dump part says the dump was interrupted, or this request's dump was.
    pub dump_intr: bool,
    /// Port id of the socket of the conversation, once known (0 when not).
    pub port: u32,
    /// The request of the conversation (the message itself for a request).
    pub conversation: Option<MsgRef>,
    /// For a request: what is known of its answers.
    pub answers: Option<Answers>,
}

/// A request's answers, as far as the capture has shown them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Answers {
    /// The first answer.
    pub first: Option<MsgRef>,
    /// The last answer so far (the final one once `complete`).
    pub last: Option<MsgRef>,
    /// How many answers (replies, dump parts, done, ack or error).
    pub count: u32,
    /// Notifications it caused that the capture holds.
    pub notifications: u32,
    /// Seconds from the request to its last answer so far.
    pub latency: Option<f64>,
    /// The final answer came (an ack or error, the dump's end, a get's reply).
    pub complete: bool,
    /// It asked for an answer (`NLM_F_ACK`, a dump or a get), got no final answer, and the
    /// capture goes on long enough after it to tell.
    pub unanswered: bool,
    /// It asked for an ack (`NLM_F_ACK`) and none came although the capture covers it.
    pub unacked: bool,
    /// The error code of its final `NLMSG_ERROR` or `NLMSG_DONE`.
    pub error: Option<i32>,
}

/// How long after a request the capture must go on before a missing answer counts as missing
/// (a later message of the same socket settles it sooner).
pub const COVER_NS: i128 = 1_000_000_000;
/// Closed requests kept per (protocol, sequence number) for late notifications.
const KEEP_PER_KEY: usize = 4;
/// Requests, open or closed, that one (protocol, sequence number) matches at most.
const MAX_PER_KEY: usize = 16;
/// Requests kept for matching before old closed ones are swept out.
const SWEEP_AT: usize = 1 << 16;
const NONE: u32 = u32::MAX;

#[derive(Debug, Clone)]
struct Entry {
    at: MsgRef,
    /// Nanoseconds since the epoch, clamped to i64 (years 1677-2262): an entry per message of
    /// a whole file is kept, so 32 bytes rather than 48.
    ts_ns: i64,
    role: Role,
    /// For a request: its slot in `requests`; for an answer: the request's slot.
    slot: u32,
    dump_intr: bool,
}

/// `t` clamped to i64.
fn ns64(t: i128) -> i64 {
    i64::try_from(t).unwrap_or(if t < 0 { i64::MIN } else { i64::MAX })
}

#[derive(Debug, Clone)]
struct Request {
    ord: u32,
    protocol: u32,
    /// Port id of the socket, once known (the header's pid, or the first answer's).
    port: u32,
    header_pid: u32,
    ty: u16,
    kind: Kind,
    dump: bool,
    wants_ack: bool,
    closed: bool,
    first: u32,
    last: u32,
    count: u32,
    notifications: u32,
    dump_intr: bool,
    error: Option<i32>,
}

/// The maps' hasher: keyed by sequence numbers and port ids from the capture, so seeded per
/// process (a crafted file cannot pick colliding keys), but much cheaper than SipHash on
/// this per-message path.
type Seeded = foldhash::fast::RandomState;

/// Correlation over a capture, in capture order; see the module doc.
#[derive(Debug, Clone, Default)]
pub struct Conversations {
    /// One per message pushed, from ordinal `base` on (see [`Conversations::forget_before`]).
    entries: VecDeque<Entry>,
    base: usize,
    /// Forgotten entries a kept request still points at (as itself, first or last answer).
    pinned: HashMap<u32, Entry, Seeded>,
    /// Requests from slot `rbase` on.
    requests: VecDeque<Request>,
    rbase: u32,
    /// Requests that may still be answered, by (protocol, sequence number), oldest first.
    open: HashMap<(u32, u32), Vec<u32>, Seeded>,
    /// Latest time seen.
    end_ns: i128,
    /// When each (protocol, port id) last received a message: a socket that went on
    /// receiving after a request is past it.
    port_seen: HashMap<(u32, u32), i128, Seeded>,
    /// The open dump of each (protocol, port id).
    dumping: HashMap<(u32, u32), u32, Seeded>,
}

impl Conversations {
    /// Empty.
    pub fn new() -> Self {
        Self::default()
    }

    /// Make room for `n` more messages (and the requests among them).
    pub fn reserve(&mut self, n: usize) {
        self.entries.reserve(n);
        self.requests.reserve(n / 2);
    }

    /// Messages pushed so far.
    pub fn len(&self) -> usize {
        self.base + self.entries.len()
    }

    /// Whether nothing was pushed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The entry of message `ord`, if pushed and not forgotten.
    fn entry(&self, ord: u32) -> Option<&Entry> {
        match (ord as usize).checked_sub(self.base) {
            Some(i) => self.entries.get(i),
            None => self.pinned.get(&ord),
        }
    }

    /// The request in `slot`, if kept.
    fn req(&self, slot: u32) -> Option<&Request> {
        slot_of(&self.requests, self.rbase, slot)
    }

    fn req_mut(&mut self, slot: u32) -> Option<&mut Request> {
        let i = slot.checked_sub(self.rbase)?;
        self.requests.get_mut(i as usize)
    }

    /// Whether what is known of message `ord` is settled as far as `window` messages go: it
    /// is not a request, or its final answer came, or none came in the last `window` messages
    /// (a dump in progress is not settled).
    pub fn settled(&self, ord: usize, window: usize) -> bool {
        let Some(e) = u32::try_from(ord).ok().and_then(|o| self.entry(o)) else {
            return true;
        };
        match self.req(e.slot) {
            Some(r) if e.role == Role::Request && !r.closed => {
                let last = if r.last == NONE { r.ord } else { r.last };
                (last as usize).saturating_add(window) <= self.len()
            }
            _ => true,
        }
    }

    /// Forget messages before ordinal `ord` (a reader that has shown them and will not ask
    /// again), and requests that came more than `horizon` messages before it and had no
    /// answer since: what is remembered stays bounded on a file or stream of any length.
    /// Later messages are linked as before, except answers and notifications that come more
    /// than `horizon` messages after their request's last answer (or the request), which are
    /// then not linked to it.
    pub fn forget_before(&mut self, ord: usize, horizon: usize) {
        while self.base < ord {
            let Some(e) = self.entries.pop_front() else {
                break;
            };
            let o = u32::try_from(self.base).unwrap_or(NONE);
            self.base += 1;
            if self
                .req(e.slot)
                .is_some_and(|r| r.ord == o || r.first == o || r.last == o)
            {
                self.pinned.insert(o, e);
            }
        }
        let mut gone = false;
        while let Some(r) = self.requests.front() {
            let last = if r.last == NONE {
                r.ord
            } else {
                r.last.max(r.ord)
            };
            if (last as usize).saturating_add(horizon) >= ord {
                break;
            }
            for o in [r.ord, r.first, r.last] {
                self.pinned.remove(&o);
            }
            self.requests.pop_front();
            self.rbase = self.rbase.saturating_add(1);
            gone = true;
        }
        if gone {
            self.sweep();
            let rbase = self.rbase;
            self.dumping.retain(|_, s| *s >= rbase);
        }
    }

    /// Push a frame without messages (keeps ordinals aligned with a caller's rows).
    pub fn push_none(&mut self, at: MsgRef, ts_ns: i128) {
        self.end_ns = self.end_ns.max(ts_ns);
        self.entries.push_back(Entry {
            at,
            ts_ns: ns64(ts_ns),
            role: Role::None,
            slot: NONE,
            dump_intr: false,
        });
    }

    /// Push the next message in capture order; its ordinal is [`Conversations::len`] before.
    pub fn push(&mut self, m: &Msg) {
        let ord = u32::try_from(self.len()).unwrap_or(NONE);
        self.end_ns = self.end_ns.max(m.ts_ns);
        let mut e = Entry {
            at: m.at,
            ts_ns: ns64(m.ts_ns),
            role: Role::None,
            slot: NONE,
            dump_intr: m.flags & NLM_F_DUMP_INTR != 0 && m.ty != NLMSG_ERROR,
        };
        match m.direction {
            Direction::ToKernel if m.flags & NLM_F_REQUEST != 0 => {
                if let Some(slot) = self.echo_of(m) {
                    e.role = Role::Notification;
                    e.slot = slot;
                } else {
                    e.role = Role::Request;
                    e.slot = self.add_request(ord, m);
                }
            }
            Direction::FromKernel if m.pid != 0 && m.flags & NLM_F_REQUEST == 0 => {
                self.answer(&mut e, m);
                self.port_seen.insert((m.protocol, m.pid), m.ts_ns);
            }
            _ => {}
        }
        self.entries.push_back(e);
    }

    fn add_request(&mut self, ord: u32, m: &Msg) -> u32 {
        if self.requests.len() >= SWEEP_AT && self.requests.len().is_power_of_two() {
            self.sweep();
        }
        let slot = u32::try_from(self.requests.len())
            .ok()
            .and_then(|n| n.checked_add(self.rbase))
            .unwrap_or(NONE);
        let dump = m.kind == Kind::Get && m.flags & NLM_F_DUMP == NLM_F_DUMP;
        self.requests.push_back(Request {
            ord,
            protocol: m.protocol,
            port: m.pid,
            header_pid: m.pid,
            ty: m.ty,
            kind: m.kind,
            dump,
            wants_ack: m.flags & NLM_F_ACK != 0,
            closed: false,
            first: NONE,
            last: NONE,
            count: 0,
            notifications: 0,
            dump_intr: false,
            error: None,
        });
        let list = self.open.entry((m.protocol, m.seq)).or_default();
        if list.len() >= KEEP_PER_KEY
            && let Some(p) = list
                .iter()
                .position(|s| slot_of(&self.requests, self.rbase, *s).is_none_or(|r| r.closed))
        {
            list.remove(p);
        }
        // Requests that never close (no ACK asked, no answer) would pile up under a reused
        // sequence number, and every message with that number would walk them all: the
        // oldest gives way (a capture of a tool run in a loop reuses its numbers).
        if list.len() >= MAX_PER_KEY {
            list.remove(0);
        }
        list.push(slot);
        slot
    }

    /// The request a notification with `NLM_F_REQUEST` set copies: the kernel's nexthop
    /// notifications keep the request's flags (net/ipv4/nexthop.c, Linux 5.3+), so they look
    /// like a second request, under the requester's port id where the request had 0.
    fn echo_of(&mut self, m: &Msg) -> Option<u32> {
        if m.pid == 0 {
            return None;
        }
        let list = self.open.get(&(m.protocol, m.seq))?;
        let slot = list.iter().rev().copied().find(|s| {
            self.req(*s).is_some_and(|r| {
                r.ty == m.ty
                    && r.kind == Kind::Change
                    && r.header_pid == 0
                    && (r.port == 0 || r.port == m.pid)
                    && !r.closed
            })
        })?;
        let r = self.req_mut(slot)?;
        r.port = m.pid;
        r.notifications += 1;
        Some(slot)
    }

    /// Drop closed requests from the matching lists (their answers are long linked).
    fn sweep(&mut self) {
        let (reqs, rbase) = (&self.requests, self.rbase);
        self.open.retain(|_, list| {
            list.retain(|s| slot_of(reqs, rbase, *s).is_some_and(|r| !r.closed));
            !list.is_empty()
        });
    }

    /// The request a message from the kernel with this port id and key answers, if any.
    fn find(&self, m: &Msg) -> Option<u32> {
        let found = self.open.get(&(m.protocol, m.seq)).and_then(|list| {
            let list: Vec<u32> = list
                .iter()
                .copied()
                .filter(|s| self.req(*s).is_some_and(|r| fits(r, m)))
                .collect();
            self.pick(&list, m)
        });
        // A socket runs one dump at a time: a part under another sequence number (netlabel
        // numbers its parts) belongs to the dump in progress on its port.
        found.or_else(|| {
            (m.flags & NLM_F_MULTI != 0 && m.ty != NLMSG_ERROR)
                .then(|| self.dumping.get(&(m.protocol, m.pid)).copied())
                .flatten()
        })
    }

    fn pick(&self, list: &[u32], m: &Msg) -> Option<u32> {
        let req = |s: &u32| self.req(*s);
        let open_bound = list
            .iter()
            .rev()
            .find(|s| req(s).is_some_and(|r| !r.closed && r.port == m.pid));
        let unbound = || {
            list.iter()
                .find(|s| req(s).is_some_and(|r| !r.closed && r.first == NONE && r.header_pid == 0))
        };
        let closed_bound = || {
            list.iter()
                .rev()
                .find(|s| req(s).is_some_and(|r| r.port == m.pid))
        };
        open_bound.or_else(unbound).or_else(closed_bound).copied()
    }

    fn answer(&mut self, e: &mut Entry, m: &Msg) {
        let answerish = m.ty == NLMSG_ERROR || m.ty == NLMSG_DONE || m.flags & NLM_F_MULTI != 0;
        let Some(slot) = self.find(m) else {
            if answerish {
                e.role = role_of(m, None);
            }
            return;
        };
        let ord = u32::try_from(self.len()).unwrap_or(NONE);
        let Some(r) = self.req_mut(slot) else {
            return;
        };
        r.port = m.pid;
        let role = if !answerish && r.kind == Kind::Change {
            Role::Notification
        } else {
            role_of(m, Some(r.dump))
        };
        e.role = role;
        e.slot = slot;
        if role == Role::Notification {
            r.notifications += 1;
        } else {
            if r.first == NONE {
                r.first = ord;
            }
            if !r.closed {
                r.last = ord;
            }
            r.count += 1;
            r.dump_intr |= e.dump_intr;
            match role {
                Role::Ack | Role::Error | Role::Done => {
                    r.closed = true;
                    r.error = m.error;
                }
                Role::Reply if !r.wants_ack => r.closed = true,
                _ => {}
            }
            let key = (m.protocol, m.pid);
            if r.dump && !r.closed {
                self.dumping.insert(key, slot);
            } else if self.dumping.get(&key) == Some(&slot) {
                self.dumping.remove(&key);
            }
        }
    }

    /// What is known of message `ord` (its ordinal: the order it was pushed in).
    pub fn linked(&self, ord: usize) -> Option<Linked> {
        let e = self.entry(u32::try_from(ord).ok()?)?;
        let r = self.req(e.slot);
        let at = |o: u32| self.entry(o).map(|e| e.at);
        let mut l = Linked {
            role: e.role,
            request: None,
            orphan: false,
            dump_intr: e.dump_intr,
            port: r.map_or(0, |r| r.port),
            conversation: r.and_then(|r| at(r.ord)),
            answers: None,
        };
        match (e.role, r) {
            (Role::None, _) => return None,
            (Role::Request, Some(r)) => {
                l.dump_intr = r.dump_intr;
                l.answers = Some(self.answers(r, i128::from(e.ts_ns)));
            }
            (_, Some(r)) => l.request = at(r.ord),
            (_, None) => l.orphan = true,
        }
        Some(l)
    }

    fn answers(&self, r: &Request, ts: i128) -> Answers {
        let at = |o: u32| self.entry(o);
        let last = at(r.last);
        let expects = r.wants_ack || r.dump || r.kind == Kind::Get;
        // The socket went on receiving after it, or the capture went on long enough.
        let covered = self.end_ns - ts >= COVER_NS
            || (r.port != 0
                && self
                    .port_seen
                    .get(&(r.protocol, r.port))
                    .is_some_and(|t| *t > ts));
        let acked = matches!(
            last.map(|e| e.role),
            Some(Role::Ack | Role::Error | Role::Done)
        );
        Answers {
            first: at(r.first).map(|e| e.at),
            last: last.map(|e| e.at),
            count: r.count,
            notifications: r.notifications,
            latency: last.map(|e| (i128::from(e.ts_ns) - ts) as f64 / 1e9),
            complete: r.closed,
            unanswered: expects && !r.closed && covered,
            unacked: r.wants_ack && !acked && covered,
            error: r.error,
        }
    }

    /// The ordinal of the message at `at`, if pushed (binary search: pushed in order).
    pub fn ordinal(&self, at: MsgRef) -> Option<usize> {
        let key = (at.frame, at.msg);
        self.entries
            .binary_search_by(|e| (e.at.frame, e.at.msg).cmp(&key))
            .ok()
            .map(|i| i + self.base)
    }

    /// Ordinals of a request and everything answering it or caused by it, in order (from any
    /// message of the conversation).
    pub fn conversation(&self, ord: usize) -> Vec<usize> {
        let Some(e) = u32::try_from(ord).ok().and_then(|o| self.entry(o)) else {
            return Vec::new();
        };
        let Some(r) = self.req(e.slot) else {
            return vec![ord];
        };
        let slot = e.slot;
        let start = r.ord as usize;
        self.entries
            .iter()
            .enumerate()
            .map(|(i, e)| (i + self.base, e))
            .skip_while(|(i, _)| *i < start)
            .filter(|(i, e)| *i == start || (e.slot == slot && e.role != Role::Request))
            .map(|(i, _)| i)
            .collect()
    }

    /// Ordinals of every message of one socket: requests it sent (header or learned port id)
    /// and messages the kernel sent to its port id, on the protocol of message `ord`.
    pub fn socket(&self, ord: usize) -> Vec<usize> {
        let Some(key) = u32::try_from(ord)
            .ok()
            .and_then(|o| self.entry(o))
            .and_then(|e| self.port_of(e))
        else {
            return vec![ord];
        };
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, e)| self.port_of(e) == Some(key))
            .map(|(i, _)| i + self.base)
            .collect()
    }

    /// (protocol, port id) of the socket a message belongs to, once known.
    fn port_of(&self, e: &Entry) -> Option<(u32, u32)> {
        let r = self.req(e.slot)?;
        (r.port != 0).then_some((r.protocol, r.port))
    }
}

/// The request in `slot` of `reqs`, whose first slot is `rbase`.
fn slot_of(reqs: &VecDeque<Request>, rbase: u32, slot: u32) -> Option<&Request> {
    reqs.get(slot.checked_sub(rbase)? as usize)
}

/// Whether `m` can answer (or be caused by) request `r`: an error echoes the request's
/// type; `NLMSG_DONE` ends a dump; a reply stays in the request's family (generic netlink: the same family id; rtnetlink:
/// the same group of four types; nfnetlink: the same subsystem).
fn fits(r: &Request, m: &Msg) -> bool {
    use crate::netlink::{NETLINK_GENERIC, NETLINK_NETFILTER, NETLINK_ROUTE};
    match m.ty {
        NLMSG_ERROR => m.echo_type.is_none_or(|t| t == r.ty),
        // The end of a dump, or of a multi-part reply that began.
        NLMSG_DONE => r.dump || r.first != NONE,
        ty => match m.protocol {
            NETLINK_GENERIC => ty == r.ty,
            NETLINK_ROUTE if ty >= 16 && r.ty >= 16 => (ty - 16) / 4 == (r.ty - 16) / 4,
            NETLINK_NETFILTER => ty >> 8 == r.ty >> 8,
            _ => true,
        },
    }
}

/// The role of an answer to a request that is a dump or not (`None`: no request known).
/// A do request's reply is its reply even when flagged `NLM_F_MULTI` (ctnetlink's
/// `IPCTNL_MSG_CT_GET_STATS` answers so, without an `NLMSG_DONE`).
fn role_of(m: &Msg, dump: Option<bool>) -> Role {
    match m.ty {
        NLMSG_ERROR if m.error == Some(0) => Role::Ack,
        NLMSG_ERROR => Role::Error,
        NLMSG_DONE => Role::Done,
        _ => match dump {
            Some(true) => Role::DumpPart,
            None if m.flags & NLM_F_MULTI != 0 => Role::DumpPart,
            _ => Role::Reply,
        },
    }
}

#[cfg(test)]
mod tests;
