//! Multicast monitor capture: one netlink socket per family joined to every multicast group the
//! family has (route, generic netlink, netfilter, xfrm, kobject uevents, SELinux, audit, the
//! process connector). Unlike nlmon this needs no interface and sees only notifications (what
//! the kernel multicasts), but works in any network namespace and without CAP_NET_ADMIN for most
//! families.
//!
//! Every datagram becomes one frame: the 16-byte LINKTYPE_NETLINK cooked header with pkttype 4
//! (`PACKET_OUTGOING`, what nlmon writes for both directions) and the socket's protocol, then
//! the bytes as received. The group comes from `NETLINK_PKTINFO`, the peer namespace id from
//! `NETLINK_LISTEN_ALL_NSID`, the time from `CLOCK_REALTIME` when the datagram is read.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::nlsock::{NETLINK_LISTEN_ALL_NSID, NETLINK_PKTINFO, NlSocket, SOL_NETLINK};
use super::{Captured, Source, SourceStats, cooked_header};

/// A netlink family the monitor can listen to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MonitorFamily {
    /// NETLINK_ROUTE, every RTNLGRP_* group.
    Route,
    /// NETLINK_GENERIC, every multicast group of every registered family (and later ones).
    Genl,
    /// NETLINK_NETFILTER, every NFNLGRP_* group (conntrack, expectations, nftables, ...).
    Netfilter,
    /// NETLINK_XFRM, every XFRMNLGRP_* group.
    Xfrm,
    /// NETLINK_KOBJECT_UEVENT group 1 (kernel uevents, text).
    Uevent,
    /// NETLINK_SELINUX group SELNLGRP_AVC.
    Selinux,
    /// NETLINK_AUDIT group AUDIT_NLGRP_READLOG (needs CAP_AUDIT_READ).
    Audit,
    /// NETLINK_CONNECTOR, CN_IDX_PROC process events.
    Proc,
}

impl MonitorFamily {
    /// Every family, in the order `all` expands to.
    pub const ALL: [MonitorFamily; 8] = [
        MonitorFamily::Route,
        MonitorFamily::Genl,
        MonitorFamily::Netfilter,
        MonitorFamily::Xfrm,
        MonitorFamily::Uevent,
        MonitorFamily::Selinux,
        MonitorFamily::Audit,
        MonitorFamily::Proc,
    ];

    /// Parse `"route,genl,netfilter,xfrm,uevent,selinux,audit,proc"` (any subset, any order,
    /// duplicates ignored) or `"all"`. The error names the bad word.
    pub fn parse_list(s: &str) -> Result<Vec<MonitorFamily>, String> {
        let mut out: Vec<MonitorFamily> = Vec::new();
        let push = |f: MonitorFamily, out: &mut Vec<MonitorFamily>| {
            if !out.contains(&f) {
                out.push(f);
            }
        };
        for word in s.split(',').map(str::trim) {
            if word.is_empty() {
                continue;
            }
            if word.eq_ignore_ascii_case("all") {
                for f in Self::ALL {
                    push(f, &mut out);
                }
                continue;
            }
            match Self::ALL
                .iter()
                .find(|f| f.name().eq_ignore_ascii_case(word))
            {
                Some(f) => push(*f, &mut out),
                None => {
                    return Err(format!(
                        "unknown monitor family '{word}' (expected a comma-separated list of \
                         route, genl, netfilter, xfrm, uevent, selinux, audit, proc, or all)"
                    ));
                }
            }
        }
        if out.is_empty() {
            return Err("empty monitor family list (expected e.g. route,genl or all)".into());
        }
        Ok(out)
    }

    /// Short name (`route`, `genl`, ...), also the suffix of the interface name `monitor:NAME`.
    pub fn name(self) -> &'static str {
        match self {
            MonitorFamily::Route => "route",
            MonitorFamily::Genl => "genl",
            MonitorFamily::Netfilter => "netfilter",
            MonitorFamily::Xfrm => "xfrm",
            MonitorFamily::Uevent => "uevent",
            MonitorFamily::Selinux => "selinux",
            MonitorFamily::Audit => "audit",
            MonitorFamily::Proc => "proc",
        }
    }

    /// The netlink protocol number.
    pub fn protocol(self) -> i32 {
        match self {
            MonitorFamily::Route => NETLINK_ROUTE,
            MonitorFamily::Genl => NETLINK_GENERIC,
            MonitorFamily::Netfilter => NETLINK_NETFILTER,
            MonitorFamily::Xfrm => NETLINK_XFRM,
            MonitorFamily::Uevent => NETLINK_KOBJECT_UEVENT,
            MonitorFamily::Selinux => NETLINK_SELINUX,
            MonitorFamily::Audit => NETLINK_AUDIT,
            MonitorFamily::Proc => NETLINK_CONNECTOR,
        }
    }

    /// Whether peer-namespace listening (`NETLINK_LISTEN_ALL_NSID`) applies: protocols whose
    /// kernel sockets exist per namespace.
    fn netns_aware(self) -> bool {
        matches!(
            self,
            MonitorFamily::Route
                | MonitorFamily::Genl
                | MonitorFamily::Netfilter
                | MonitorFamily::Xfrm
        )
    }
}

/// What to open.
#[derive(Debug, Clone, Default)]
pub struct MonitorOptions {
    /// Families to listen to (one socket each).
    pub families: Vec<MonitorFamily>,
    /// Also receive notifications from every peer namespace that has an id here
    /// (`NETLINK_LISTEN_ALL_NSID`, needs CAP_NET_BROADCAST); frames carry the `nsid`.
    pub all_netns: bool,
    /// Receive buffer per socket: `None` = [`DEFAULT_RCVBUF`] via SO_RCVBUFFORCE (falling back
    /// to SO_RCVBUF, capped by net.core.rmem_max); `Some(n)` = exactly `n`.
    pub rcvbuf: Option<usize>,
}

/// Default receive buffer per socket (the kernel doubles it for bookkeeping).
pub const DEFAULT_RCVBUF: usize = 64 << 20;
/// Receive buffer: larger than any netlink skb the kernel multicasts.
const RECV_BUF: usize = 256 << 10;
/// Packet type written in the cooked header (PACKET_OUTGOING, as nlmon does).
pub const PKTTYPE: u16 = 4;
/// Datagrams read from one socket per `poll` before the others get their turn and the worker
/// gets a batch to send.
const MAX_PER_SOCKET: usize = 4096;
/// Once frames arrived, `poll` keeps collecting for this long (or up to [`BATCH`] frames).
const LINGER: Duration = Duration::from_millis(5);
/// Frames per `poll` after which it returns at once.
const BATCH: usize = 8192;

const NETLINK_ROUTE: i32 = 0;
const NETLINK_SELINUX: i32 = 7;
const NETLINK_XFRM: i32 = 6;
const NETLINK_AUDIT: i32 = 9;
const NETLINK_CONNECTOR: i32 = 11;
const NETLINK_NETFILTER: i32 = 12;
const NETLINK_KOBJECT_UEVENT: i32 = 15;
const NETLINK_GENERIC: i32 = 16;

/// RTNLGRP_* names, index = group number (linux/rtnetlink.h); RTNLGRP_MAX = 36.
const RTNLGRP: &[&str] = &[
    "RTNLGRP_NONE",
    "RTNLGRP_LINK",
    "RTNLGRP_NOTIFY",
    "RTNLGRP_NEIGH",
    "RTNLGRP_TC",
    "RTNLGRP_IPV4_IFADDR",
    "RTNLGRP_IPV4_MROUTE",
    "RTNLGRP_IPV4_ROUTE",
    "RTNLGRP_IPV4_RULE",
    "RTNLGRP_IPV6_IFADDR",
    "RTNLGRP_IPV6_MROUTE",
    "RTNLGRP_IPV6_ROUTE",
    "RTNLGRP_IPV6_IFINFO",
    "RTNLGRP_DECnet_IFADDR",
    "RTNLGRP_NOP2",
    "RTNLGRP_DECnet_ROUTE",
    "RTNLGRP_DECnet_RULE",
    "RTNLGRP_NOP4",
    "RTNLGRP_IPV6_PREFIX",
    "RTNLGRP_IPV6_RULE",
    "RTNLGRP_ND_USEROPT",
    "RTNLGRP_PHONET_IFADDR",
    "RTNLGRP_PHONET_ROUTE",
    "RTNLGRP_DCB",
    "RTNLGRP_IPV4_NETCONF",
    "RTNLGRP_IPV6_NETCONF",
    "RTNLGRP_MDB",
    "RTNLGRP_MPLS_ROUTE",
    "RTNLGRP_NSID",
    "RTNLGRP_MPLS_NETCONF",
    "RTNLGRP_IPV4_MROUTE_R",
    "RTNLGRP_IPV6_MROUTE_R",
    "RTNLGRP_NEXTHOP",
    "RTNLGRP_BRVLAN",
    "RTNLGRP_MCTP_IFADDR",
    "RTNLGRP_TUNNEL",
    "RTNLGRP_STATS",
];

/// NFNLGRP_* names (linux/netfilter/nfnetlink.h); NFNLGRP_MAX = 9.
const NFNLGRP: &[&str] = &[
    "NFNLGRP_NONE",
    "NFNLGRP_CONNTRACK_NEW",
    "NFNLGRP_CONNTRACK_UPDATE",
    "NFNLGRP_CONNTRACK_DESTROY",
    "NFNLGRP_CONNTRACK_EXP_NEW",
    "NFNLGRP_CONNTRACK_EXP_UPDATE",
    "NFNLGRP_CONNTRACK_EXP_DESTROY",
    "NFNLGRP_NFTABLES",
    "NFNLGRP_ACCT_QUOTA",
    "NFNLGRP_NFTRACE",
];

/// XFRMNLGRP_* names (linux/xfrm.h); XFRMNLGRP_MAX = 8.
const XFRMNLGRP: &[&str] = &[
    "XFRMNLGRP_NONE",
    "XFRMNLGRP_ACQUIRE",
    "XFRMNLGRP_EXPIRE",
    "XFRMNLGRP_SA",
    "XFRMNLGRP_POLICY",
    "XFRMNLGRP_AEVENTS",
    "XFRMNLGRP_REPORT",
    "XFRMNLGRP_MIGRATE",
    "XFRMNLGRP_MAPPING",
];

/// Generic netlink controller constants (linux/genetlink.h).
const GENL_ID_CTRL: u16 = 0x10;
const CTRL_CMD_NEWFAMILY: u8 = 1;
const CTRL_CMD_GETFAMILY: u8 = 3;
const CTRL_CMD_NEWMCAST_GRP: u8 = 7;
const CTRL_ATTR_FAMILY_ID: u16 = 1;
const CTRL_ATTR_FAMILY_NAME: u16 = 2;
const CTRL_ATTR_MCAST_GROUPS: u16 = 7;
const CTRL_ATTR_MCAST_GRP_NAME: u16 = 1;
const CTRL_ATTR_MCAST_GRP_ID: u16 = 2;

const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLM_F_REQUEST: u16 = 0x1;
const NLM_F_DUMP: u16 = 0x300;

/// Process connector (linux/connector.h, linux/cn_proc.h).
const CN_IDX_PROC: u32 = 1;
const CN_VAL_PROC: u32 = 1;
const PROC_CN_MCAST_LISTEN: u32 = 1;
const PROC_CN_MCAST_IGNORE: u32 = 2;

/// Capability bits (linux/capability.h).
const CAP_NET_ADMIN: u32 = 12;

/// How to grant what a monitor needs.
const GRANT: &str = "grant it with `sudo setcap cap_net_admin,cap_net_raw,cap_audit_read+ep $(which nlscope)` or run as root";

fn privilege_error(what: &str, cap: &str, e: &io::Error) -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!("{what}: {e}; this needs {cap}: {GRANT}"),
    )
}

fn context(what: &str, e: &io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{what}: {e}"))
}

fn is_eperm(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::EPERM) | Some(libc::EACCES))
}

/// Whether the process has capability `cap` in its effective set (from /proc/self/status).
fn has_capability(cap: u32) -> Option<bool> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let hex = s.lines().find_map(|l| l.strip_prefix("CapEff:"))?.trim();
    let bits = u64::from_str_radix(hex, 16).ok()?;
    Some(cap < 64 && bits & (1u64 << cap) != 0)
}

/// One socket of the monitor.
struct Sock {
    family: MonitorFamily,
    sock: NlSocket,
    /// Protocol number for the cooked header.
    protocol: u16,
    /// ENOBUFS seen and not yet marked on a frame.
    pending_drops: u64,
    /// After ENOBUFS: still reading the messages queued before the loss. The kernel reports
    /// the error before the queued messages and drops everything new until the queue is empty
    /// (NETLINK_S_CONGESTED), so the gap sits after this backlog: the mark goes on the first
    /// frame read after the queue was seen empty.
    backlog: bool,
}

/// Generic netlink names resolved at start and from nlctrl notifications.
#[derive(Debug, Default)]
struct GenlNames {
    /// Family id -> name.
    families: BTreeMap<u16, String>,
    /// Multicast group id -> "family/group".
    groups: HashMap<u32, String>,
}

/// One family as the controller describes it.
#[derive(Debug, Default, PartialEq, Eq)]
struct GenlFamily {
    id: u16,
    name: String,
    groups: Vec<(u32, String)>,
}

/// The monitor source: a socket per family.
pub struct Monitor {
    socks: Vec<Sock>,
    buf: Vec<u8>,
    stats: SourceStats,
    genl: GenlNames,
    fds: Vec<RawFd>,
    ready: Vec<usize>,
    /// Index of the process-connector socket subscribed with PROC_CN_MCAST_LISTEN.
    proc_subscribed: Option<usize>,
}

/// Open one [`Source`] holding a socket per family in `opts` (interfaces `monitor:route`,
/// `monitor:genl`, ...).
///
/// A family whose protocol the kernel lacks (EPROTONOSUPPORT, e.g. selinux without SELinux),
/// audit without CAP_AUDIT_READ, and — when every family was asked for — any family that cannot
/// be opened, is skipped with a warning on stderr; otherwise a failure is an error whose message
/// names the missing capability and how to grant it. No family opened is always an error.
pub fn open(opts: &MonitorOptions) -> io::Result<Box<dyn Source>> {
    Ok(Box::new(Monitor::open(opts)?))
}

impl Monitor {
    /// See [`open`].
    pub fn open(opts: &MonitorOptions) -> io::Result<Monitor> {
        if opts.families.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "no monitor family given",
            ));
        }
        let everything = MonitorFamily::ALL.iter().all(|f| opts.families.contains(f));
        let mut m = Monitor {
            socks: Vec::new(),
            buf: vec![0u8; RECV_BUF],
            stats: SourceStats::default(),
            genl: GenlNames::default(),
            fds: Vec::new(),
            ready: Vec::new(),
            proc_subscribed: None,
        };
        let mut rcvbuf_note = None;
        let mut first_err = None;
        for &family in &opts.families {
            match m.open_family(family, opts, &mut rcvbuf_note) {
                Ok(()) => {}
                Err(e) => {
                    let optional = everything
                        || opts.families.len() > 1
                            && (family == MonitorFamily::Audit
                                || e.raw_os_error() == Some(libc::EPROTONOSUPPORT));
                    if optional {
                        eprintln!("nlscope: warning: skipping {e}");
                        first_err.get_or_insert(e);
                    } else {
                        return Err(e);
                    }
                }
            }
        }
        if m.socks.is_empty() {
            return Err(
                first_err.unwrap_or_else(|| io::Error::other("no monitor family could be opened"))
            );
        }
        if let Some(n) = rcvbuf_note {
            eprintln!(
                "nlscope: note: SO_RCVBUFFORCE refused (needs CAP_NET_ADMIN); receive buffers are \
                 {n} bytes (limited by net.core.rmem_max), so bursts may be dropped"
            );
        }
        m.fds = m.socks.iter().map(|s| s.sock.as_raw_fd()).collect();
        Ok(m)
    }

    fn open_family(
        &mut self,
        family: MonitorFamily,
        opts: &MonitorOptions,
        rcvbuf_note: &mut Option<usize>,
    ) -> io::Result<()> {
        let label = format!("monitor:{}", family.name());
        let sock = NlSocket::open(family.protocol(), true)
            .map_err(|e| context(&format!("{label}: netlink socket"), &e))?;
        let want = opts.rcvbuf.unwrap_or(DEFAULT_RCVBUF);
        let (got, forced) = sock
            .set_rcvbuf(want)
            .map_err(|e| context(&format!("{label}: receive buffer"), &e))?;
        if !forced && opts.rcvbuf.is_none() {
            rcvbuf_note.get_or_insert(got);
        }
        sock.set_int(SOL_NETLINK, NETLINK_PKTINFO, 1)
            .map_err(|e| context(&format!("{label}: NETLINK_PKTINFO"), &e))?;
        if opts.all_netns && family.netns_aware() {
            sock.set_int(SOL_NETLINK, NETLINK_LISTEN_ALL_NSID, 1)
                .map_err(|e| {
                    if is_eperm(&e) {
                        io::Error::new(
                            io::ErrorKind::PermissionDenied,
                            format!(
                                "{label}: NETLINK_LISTEN_ALL_NSID: {e}; --all-netns needs \
                                 CAP_NET_BROADCAST: grant it with `sudo setcap \
                                 cap_net_admin,cap_net_raw,cap_net_broadcast,cap_audit_read+ep \
                                 $(which nlscope)` or run as root"
                            ),
                        )
                    } else {
                        context(&format!("{label}: NETLINK_LISTEN_ALL_NSID"), &e)
                    }
                })?;
        }
        let mut subscribed_proc = false;
        match family {
            MonitorFamily::Route => {
                sock.bind(0).map_err(|e| context(&label, &e))?;
                join_range(&sock, &label, RTNLGRP, "CAP_NET_ADMIN")?;
            }
            MonitorFamily::Netfilter => {
                sock.bind(0).map_err(|e| context(&label, &e))?;
                join_range(&sock, &label, NFNLGRP, "CAP_NET_ADMIN")?;
            }
            MonitorFamily::Xfrm => {
                sock.bind(0).map_err(|e| context(&label, &e))?;
                join_range(&sock, &label, XFRMNLGRP, "CAP_NET_ADMIN")?;
            }
            MonitorFamily::Genl => {
                sock.bind(0).map_err(|e| context(&label, &e))?;
                let fams = genl_dump()
                    .map_err(|e| context(&format!("{label}: CTRL_CMD_GETFAMILY dump"), &e))?;
                let mut failed = Vec::new();
                let mut joined = 0usize;
                for f in &fams {
                    self.genl.families.insert(f.id, f.name.clone());
                    for (gid, gname) in &f.groups {
                        self.genl.groups.insert(*gid, format!("{}/{gname}", f.name));
                        match sock.add_membership(*gid) {
                            Ok(()) => joined += 1,
                            Err(e) => failed.push(format!("{}/{gname} ({e})", f.name)),
                        }
                    }
                }
                if joined == 0 {
                    return Err(io::Error::other(format!(
                        "{label}: could not join any generic netlink group (not even nlctrl/notify): {}",
                        failed.join(", ")
                    )));
                }
                if !failed.is_empty() {
                    eprintln!(
                        "nlscope: note: {label}: {} group(s) not joined: {}",
                        failed.len(),
                        failed.join(", ")
                    );
                }
            }
            MonitorFamily::Uevent => {
                sock.bind(0).map_err(|e| context(&label, &e))?;
                sock.add_membership(1)
                    .map_err(|e| context(&format!("{label}: join group 1"), &e))?;
            }
            MonitorFamily::Selinux => {
                sock.bind(0).map_err(|e| context(&label, &e))?;
                sock.add_membership(1)
                    .map_err(|e| context(&format!("{label}: join SELNLGRP_AVC"), &e))?;
            }
            MonitorFamily::Audit => {
                sock.bind(0).map_err(|e| context(&label, &e))?;
                sock.add_membership(1).map_err(|e| {
                    if is_eperm(&e) {
                        privilege_error(
                            &format!("{label}: join AUDIT_NLGRP_READLOG"),
                            "CAP_AUDIT_READ",
                            &e,
                        )
                    } else {
                        context(&format!("{label}: join AUDIT_NLGRP_READLOG"), &e)
                    }
                })?;
            }
            MonitorFamily::Proc => {
                // The kernel accepts the subscription silently either way; check first so the
                // user gets an error instead of an empty capture.
                if has_capability(CAP_NET_ADMIN) == Some(false) {
                    return Err(privilege_error(
                        &format!("{label}: PROC_CN_MCAST_LISTEN"),
                        "CAP_NET_ADMIN",
                        &io::Error::from_raw_os_error(libc::EPERM),
                    ));
                }
                sock.bind(1 << (CN_IDX_PROC - 1))
                    .map_err(|e| context(&format!("{label}: bind CN_IDX_PROC"), &e))?;
                sock.send_to_kernel(&proc_cn_msg(PROC_CN_MCAST_LISTEN))
                    .map_err(|e| {
                        let what = if e.raw_os_error() == Some(libc::ECONNREFUSED) {
                            format!(
                                "{label}: PROC_CN_MCAST_LISTEN (the process connector exists only in the initial network namespace)"
                            )
                        } else {
                            format!("{label}: PROC_CN_MCAST_LISTEN")
                        };
                        context(&what, &e)
                    })?;
                subscribed_proc = true;
            }
        }
        let protocol = u16::try_from(family.protocol()).unwrap_or(0);
        if subscribed_proc {
            self.proc_subscribed = Some(self.socks.len());
        }
        self.socks.push(Sock {
            family,
            sock,
            protocol,
            pending_drops: 0,
            backlog: false,
        });
        Ok(())
    }

    /// Read everything waiting on socket `i` (up to [`MAX_PER_SOCKET`] datagrams).
    fn drain(&mut self, i: usize, base: usize, out: &mut Vec<Captured>) -> io::Result<bool> {
        let mut n = 0usize;
        while n < MAX_PER_SOCKET {
            let Some(s) = self.socks.get_mut(i) else {
                return Ok(false);
            };
            let r = match s.sock.recv(&mut self.buf, true) {
                Ok(r) => r,
                Err(e) => match e.raw_os_error() {
                    Some(libc::EAGAIN) => {
                        s.backlog = false;
                        return Ok(false);
                    }
                    Some(libc::EINTR) => continue,
                    Some(libc::ENOBUFS) => {
                        // The kernel dropped messages for lack of room in our receive buffer;
                        // how many is unknown. Count it, mark the first frame after the
                        // backlog, keep reading.
                        self.stats.overruns += 1;
                        self.stats.kernel_drops += 1;
                        s.pending_drops += 1;
                        s.backlog = true;
                        continue;
                    }
                    _ => {
                        return Err(context(
                            &format!("monitor:{}: recvmsg", s.family.name()),
                            &e,
                        ));
                    }
                },
            };
            n += 1;
            let ts_ns = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as i128);
            let payload = self.buf.get(..r.len).unwrap_or(&[]);
            let mut data = Vec::with_capacity(16 + payload.len());
            data.extend_from_slice(&cooked_header(PKTTYPE, s.protocol));
            data.extend_from_slice(payload);
            let orig_len = u32::try_from(16 + r.orig_len).unwrap_or(u32::MAX);
            out.push(Captured {
                ts_ns,
                interface: base + i,
                data,
                orig_len,
                group: r.meta.group,
                nsid: r.meta.nsid,
                drops_before: if s.backlog {
                    0
                } else {
                    std::mem::take(&mut s.pending_drops)
                },
            });
            // Without SO_MEMINFO the backlog ends at the next EAGAIN instead.
            if s.backlog && s.sock.queued_bytes().is_ok_and(|b| b == 0) {
                s.backlog = false;
            }
            self.received(i, r.len);
        }
        Ok(true)
    }

    /// Bookkeeping after a datagram of `len` bytes in `self.buf` arrived on socket `i`: count
    /// it, and on the generic netlink socket follow nlctrl's family/group announcements.
    fn received(&mut self, i: usize, len: usize) {
        self.stats.received += 1;
        let Some(s) = self.socks.get(i) else {
            return;
        };
        if s.family != MonitorFamily::Genl {
            return;
        }
        let data = self.buf.get(..len).unwrap_or(&[]);
        for gid in self.genl.learn(data) {
            // A failure here (e.g. a group needing CAP_NET_ADMIN) just means we miss it.
            let _ = s.sock.add_membership(gid);
        }
    }
}

impl GenlNames {
    /// Learn from nlctrl CTRL_CMD_NEWFAMILY / CTRL_CMD_NEWMCAST_GRP notifications in a
    /// datagram; returns the multicast group ids they announce (to join).
    fn learn(&mut self, datagram: &[u8]) -> Vec<u32> {
        let mut join = Vec::new();
        for (ty, _flags, payload) in NlMsgs(datagram) {
            if ty != GENL_ID_CTRL {
                continue;
            }
            let Some(&cmd) = payload.first() else {
                continue;
            };
            if cmd != CTRL_CMD_NEWFAMILY && cmd != CTRL_CMD_NEWMCAST_GRP {
                continue;
            }
            let f = parse_family(payload);
            if f.name.is_empty() {
                continue;
            }
            self.families.insert(f.id, f.name.clone());
            for (gid, gname) in f.groups {
                self.groups.insert(gid, format!("{}/{gname}", f.name));
                join.push(gid);
            }
        }
        join
    }
}

/// Join groups 1..names.len()-1 of a fixed-group protocol; errors for groups the running kernel
/// lacks are ignored, but none joined is an error.
fn join_range(sock: &NlSocket, label: &str, names: &[&str], cap: &str) -> io::Result<()> {
    let mut joined = 0;
    let mut first_err = None;
    for g in 1..names.len() {
        match sock.add_membership(g as u32) {
            Ok(()) => joined += 1,
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    if joined > 0 {
        return Ok(());
    }
    let e = first_err.unwrap_or_else(|| io::Error::from_raw_os_error(libc::EINVAL));
    let what = format!(
        "{label}: could not join any of {}..{}",
        names.get(1).unwrap_or(&""),
        names.last().unwrap_or(&"")
    );
    Err(if is_eperm(&e) {
        privilege_error(&what, cap, &e)
    } else {
        context(&what, &e)
    })
}

/// The process connector's subscribe/unsubscribe message: nlmsghdr + struct cn_msg + op.
fn proc_cn_msg(op: u32) -> Vec<u8> {
    let len: u32 = 16 + 20 + 4;
    let mut m = Vec::with_capacity(len as usize);
    m.extend_from_slice(&len.to_ne_bytes());
    m.extend_from_slice(&NLMSG_DONE.to_ne_bytes());
    m.extend_from_slice(&0u16.to_ne_bytes()); // flags
    m.extend_from_slice(&0u32.to_ne_bytes()); // seq
    m.extend_from_slice(&std::process::id().to_ne_bytes()); // pid
    m.extend_from_slice(&CN_IDX_PROC.to_ne_bytes());
    m.extend_from_slice(&CN_VAL_PROC.to_ne_bytes());
    m.extend_from_slice(&0u32.to_ne_bytes()); // seq
    m.extend_from_slice(&0u32.to_ne_bytes()); // ack
    m.extend_from_slice(&4u16.to_ne_bytes()); // len
    m.extend_from_slice(&0u16.to_ne_bytes()); // flags
    m.extend_from_slice(&op.to_ne_bytes());
    m
}

/// Netlink messages in a datagram: (type, flags, payload after the 16-byte header). Stops at
/// the first malformed header.
struct NlMsgs<'a>(&'a [u8]);

impl<'a> Iterator for NlMsgs<'a> {
    type Item = (u16, u16, &'a [u8]);
    fn next(&mut self) -> Option<Self::Item> {
        let b = self.0;
        let len = u32::from_ne_bytes(b.get(0..4)?.try_into().ok()?) as usize;
        let ty = u16::from_ne_bytes(b.get(4..6)?.try_into().ok()?);
        let flags = u16::from_ne_bytes(b.get(6..8)?.try_into().ok()?);
        if len < 16 || len > b.len() {
            self.0 = &[];
            return None;
        }
        let payload = b.get(16..len)?;
        self.0 = b.get(len.next_multiple_of(4)..).unwrap_or(&[]);
        Some((ty, flags, payload))
    }
}

/// Netlink attributes: (type without flag bits, payload).
struct Attrs<'a>(&'a [u8]);

impl<'a> Iterator for Attrs<'a> {
    type Item = (u16, &'a [u8]);
    fn next(&mut self) -> Option<Self::Item> {
        let b = self.0;
        let len = usize::from(u16::from_ne_bytes(b.get(0..2)?.try_into().ok()?));
        let ty = u16::from_ne_bytes(b.get(2..4)?.try_into().ok()?) & 0x3fff;
        if len < 4 || len > b.len() {
            self.0 = &[];
            return None;
        }
        let payload = b.get(4..len)?;
        self.0 = b.get(len.next_multiple_of(4)..).unwrap_or(&[]);
        Some((ty, payload))
    }
}

fn attr_str(p: &[u8]) -> String {
    let end = p.iter().position(|&c| c == 0).unwrap_or(p.len());
    String::from_utf8_lossy(&p[..end]).into_owned()
}

/// Parse an nlctrl family message payload (genlmsghdr + attributes).
fn parse_family(payload: &[u8]) -> GenlFamily {
    let mut f = GenlFamily::default();
    for (ty, p) in Attrs(payload.get(4..).unwrap_or(&[])) {
        match ty {
            CTRL_ATTR_FAMILY_ID => {
                if let Some(b) = p.get(0..2) {
                    f.id = u16::from_ne_bytes([b[0], b[1]]);
                }
            }
            CTRL_ATTR_FAMILY_NAME => f.name = attr_str(p),
            CTRL_ATTR_MCAST_GROUPS => {
                for (_, grp) in Attrs(p) {
                    let mut id = None;
                    let mut name = String::new();
                    for (t, v) in Attrs(grp) {
                        match t {
                            CTRL_ATTR_MCAST_GRP_ID => {
                                id = v
                                    .get(0..4)
                                    .and_then(|b| b.try_into().ok())
                                    .map(u32::from_ne_bytes);
                            }
                            CTRL_ATTR_MCAST_GRP_NAME => name = attr_str(v),
                            _ => {}
                        }
                    }
                    if let Some(id) = id {
                        f.groups.push((id, name));
                    }
                }
            }
            _ => {}
        }
    }
    f
}

/// Every generic netlink family with its multicast groups (CTRL_CMD_GETFAMILY dump on a
/// separate socket).
fn genl_dump() -> io::Result<Vec<GenlFamily>> {
    let sock = NlSocket::open(NETLINK_GENERIC, false)?;
    sock.bind(0)?;
    // Do not hang forever if the kernel never finishes the dump.
    let tv = libc::timeval {
        tv_sec: 5,
        tv_usec: 0,
    };
    sock.set_timeval(libc::SOL_SOCKET, libc::SO_RCVTIMEO, tv)?;
    let seq: u32 = 1;
    let mut req = Vec::with_capacity(20);
    req.extend_from_slice(&20u32.to_ne_bytes());
    req.extend_from_slice(&GENL_ID_CTRL.to_ne_bytes());
    req.extend_from_slice(&(NLM_F_REQUEST | NLM_F_DUMP).to_ne_bytes());
    req.extend_from_slice(&seq.to_ne_bytes());
    req.extend_from_slice(&0u32.to_ne_bytes());
    req.extend_from_slice(&[CTRL_CMD_GETFAMILY, 2, 0, 0]);
    sock.send_to_kernel(&req)?;
    let mut buf = vec![0u8; RECV_BUF];
    let mut fams = Vec::new();
    loop {
        let r = sock.recv(&mut buf, false)?;
        let data = buf.get(..r.len).unwrap_or(&[]);
        if data.is_empty() {
            return Ok(fams);
        }
        for (ty, _, payload) in NlMsgs(data) {
            match ty {
                NLMSG_DONE => return Ok(fams),
                NLMSG_ERROR => {
                    let err = payload
                        .get(0..4)
                        .and_then(|b| b.try_into().ok())
                        .map_or(0, i32::from_ne_bytes);
                    if err != 0 {
                        return Err(io::Error::from_raw_os_error(-err));
                    }
                }
                GENL_ID_CTRL => {
                    let f = parse_family(payload);
                    if !f.name.is_empty() {
                        fams.push(f);
                    }
                }
                _ => {}
            }
        }
    }
}

impl Source for Monitor {
    fn interfaces(&self) -> Vec<String> {
        self.socks
            .iter()
            .map(|s| format!("monitor:{}", s.family.name()))
            .collect()
    }

    fn poll(&mut self, timeout: Duration, base: usize, out: &mut Vec<Captured>) -> io::Result<()> {
        // Once something arrived, keep collecting for up to LINGER (or BATCH frames) so a burst
        // travels as a few large batches instead of thousands of tiny ones: the worker's channel
        // is bounded in batches, and a slow consumer must not turn a burst into drops.
        let start = std::time::Instant::now();
        let first = out.len();
        let mut got_at: Option<std::time::Instant> = None;
        let mut ready = std::mem::take(&mut self.ready);
        let result = loop {
            let wait = match got_at {
                Some(t) => LINGER.saturating_sub(t.elapsed()),
                None => timeout.saturating_sub(start.elapsed()),
            };
            // Round up so a sub-millisecond remainder still waits instead of spinning.
            let ms = i32::try_from(wait.as_micros().div_ceil(1000)).unwrap_or(i32::MAX);
            if let Err(e) = super::nlsock::wait_readable(&self.fds, ms, &mut ready) {
                break Err(e);
            }
            let mut failed = None;
            for &i in &ready {
                if let Err(e) = self.drain(i, base, out) {
                    failed = Some(e);
                    break;
                }
            }
            if let Some(e) = failed {
                break Err(e);
            }
            if out.len() > first {
                got_at.get_or_insert_with(std::time::Instant::now);
            }
            let done = match got_at {
                Some(t) => out.len() - first >= BATCH || t.elapsed() >= LINGER,
                None => start.elapsed() >= timeout,
            };
            if done {
                break Ok(());
            }
        };
        self.ready = ready;
        result
    }

    fn stats(&self) -> SourceStats {
        self.stats
    }

    fn section_comments(&self) -> Vec<String> {
        let mut c = Vec::new();
        if !self.genl.families.is_empty() {
            let pairs: Vec<String> = self
                .genl
                .families
                .iter()
                .map(|(id, n)| format!("{id}={n}"))
                .collect();
            c.push(format!("genl-families: {}", pairs.join(" ")));
        }
        c
    }

    fn group_name(&self, interface: usize, group: u32) -> Option<String> {
        let s = self.socks.get(interface)?;
        let g = group as usize;
        match s.family {
            MonitorFamily::Route => RTNLGRP.get(g).map(|n| (*n).to_string()),
            MonitorFamily::Netfilter => NFNLGRP.get(g).map(|n| (*n).to_string()),
            MonitorFamily::Xfrm => XFRMNLGRP.get(g).map(|n| (*n).to_string()),
            MonitorFamily::Genl => self.genl.groups.get(&group).cloned(),
            MonitorFamily::Uevent => (group == 1).then(|| "kernel".to_string()),
            MonitorFamily::Selinux => (group == 1).then(|| "SELNLGRP_AVC".to_string()),
            MonitorFamily::Audit => (group == 1).then(|| "AUDIT_NLGRP_READLOG".to_string()),
            MonitorFamily::Proc => (group == CN_IDX_PROC).then(|| "CN_IDX_PROC".to_string()),
        }
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        if let Some(s) = self.proc_subscribed.and_then(|i| self.socks.get(i)) {
            // The kernel counts listeners globally; tell it we are gone.
            let _ = s.sock.send_to_kernel(&proc_cn_msg(PROC_CN_MCAST_IGNORE));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_list_words_all_and_errors() {
        use MonitorFamily::*;
        assert_eq!(MonitorFamily::parse_list("route").unwrap(), vec![Route]);
        assert_eq!(
            MonitorFamily::parse_list(" genl , route,genl").unwrap(),
            vec![Genl, Route]
        );
        assert_eq!(
            MonitorFamily::parse_list("all").unwrap(),
            MonitorFamily::ALL.to_vec()
        );
        assert_eq!(
            MonitorFamily::parse_list("proc,all").unwrap()[0],
            Proc,
            "order kept, all adds the rest"
        );
        assert_eq!(MonitorFamily::parse_list("proc,all").unwrap().len(), 8);
        let e = MonitorFamily::parse_list("route,rout").unwrap_err();
        assert!(e.contains("'rout'"), "{e}");
        assert!(MonitorFamily::parse_list("").is_err());
        assert!(MonitorFamily::parse_list(",").is_err());
        for f in MonitorFamily::ALL {
            assert_eq!(MonitorFamily::parse_list(f.name()).unwrap(), vec![f]);
        }
    }

    #[test]
    fn group_tables_match_uapi_maxima() {
        assert_eq!(RTNLGRP.len() - 1, 36); // RTNLGRP_STATS
        assert_eq!(NFNLGRP.len() - 1, 9); // NFNLGRP_NFTRACE
        assert_eq!(XFRMNLGRP.len() - 1, 8); // XFRMNLGRP_MAPPING
        assert_eq!(RTNLGRP[7], "RTNLGRP_IPV4_ROUTE");
    }

    fn attr(ty: u16, payload: &[u8]) -> Vec<u8> {
        let mut a = Vec::new();
        a.extend_from_slice(&((4 + payload.len()) as u16).to_ne_bytes());
        a.extend_from_slice(&ty.to_ne_bytes());
        a.extend_from_slice(payload);
        a.resize(a.len().next_multiple_of(4), 0);
        a
    }

    fn family_msg(cmd: u8, id: u16, name: &str, groups: &[(u32, &str)]) -> Vec<u8> {
        let mut body = vec![cmd, 2, 0, 0];
        body.extend(attr(CTRL_ATTR_FAMILY_ID, &id.to_ne_bytes()));
        body.extend(attr(CTRL_ATTR_FAMILY_NAME, format!("{name}\0").as_bytes()));
        let mut gs = Vec::new();
        for (i, (gid, gname)) in groups.iter().enumerate() {
            let mut g = attr(CTRL_ATTR_MCAST_GRP_NAME, format!("{gname}\0").as_bytes());
            g.extend(attr(CTRL_ATTR_MCAST_GRP_ID, &gid.to_ne_bytes()));
            gs.extend(attr(0x8000 | (i as u16 + 1), &g));
        }
        body.extend(attr(0x8000 | CTRL_ATTR_MCAST_GROUPS, &gs));
        let mut m = Vec::new();
        m.extend_from_slice(&((16 + body.len()) as u32).to_ne_bytes());
        m.extend_from_slice(&GENL_ID_CTRL.to_ne_bytes());
        m.extend_from_slice(&0u16.to_ne_bytes());
        m.extend_from_slice(&[0; 8]);
        m.extend(body);
        m
    }

    #[test]
    fn nlctrl_family_messages_parse_and_truncation_is_harmless() {
        let m = family_msg(
            CTRL_CMD_NEWFAMILY,
            20,
            "ethtool",
            &[(5, "monitor"), (6, "other")],
        );
        let msgs: Vec<_> = NlMsgs(&m).collect();
        assert_eq!(msgs.len(), 1);
        assert_eq!(msgs[0].0, GENL_ID_CTRL);
        let f = parse_family(msgs[0].2);
        assert_eq!(
            f,
            GenlFamily {
                id: 20,
                name: "ethtool".into(),
                groups: vec![(5, "monitor".into()), (6, "other".into())]
            }
        );
        for cut in 0..m.len() {
            for (_, _, p) in NlMsgs(&m[..cut]) {
                let _ = parse_family(p);
            }
            let _ = parse_family(&m[..cut]);
        }
    }

    #[test]
    fn nlctrl_notifications_teach_names_and_groups_to_join() {
        let mut g = GenlNames::default();
        // A family appearing later: NEWFAMILY with its groups, then NEWMCAST_GRP.
        let mut d = family_msg(CTRL_CMD_NEWFAMILY, 33, "wireguard", &[(12, "peers")]);
        d.extend(family_msg(
            CTRL_CMD_NEWMCAST_GRP,
            33,
            "wireguard",
            &[(13, "more")],
        ));
        assert_eq!(g.learn(&d), vec![12, 13]);
        assert_eq!(g.families.get(&33).map(String::as_str), Some("wireguard"));
        assert_eq!(
            g.groups.get(&13).map(String::as_str),
            Some("wireguard/more")
        );
        // Other commands (GETFAMILY replies are not notifications here, DELFAMILY) and other
        // families' messages teach nothing.
        let del = family_msg(2, 34, "gone", &[(14, "x")]);
        assert!(g.learn(&del).is_empty());
        let mut other = family_msg(CTRL_CMD_NEWFAMILY, 35, "x", &[(15, "y")]);
        other[4..6].copy_from_slice(&20u16.to_ne_bytes());
        assert!(g.learn(&other).is_empty());
        assert!(!g.families.contains_key(&34) && !g.families.contains_key(&35));
    }

    #[test]
    fn proc_connector_message_layout() {
        let m = proc_cn_msg(PROC_CN_MCAST_LISTEN);
        assert_eq!(m.len(), 40);
        assert_eq!(u32::from_ne_bytes(m[0..4].try_into().unwrap()), 40);
        assert_eq!(u16::from_ne_bytes(m[4..6].try_into().unwrap()), NLMSG_DONE);
        assert_eq!(
            u32::from_ne_bytes(m[16..20].try_into().unwrap()),
            CN_IDX_PROC
        );
        assert_eq!(u16::from_ne_bytes(m[32..34].try_into().unwrap()), 4);
        assert_eq!(u32::from_ne_bytes(m[36..40].try_into().unwrap()), 1);
    }
}
