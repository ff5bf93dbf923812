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

mod families;

use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::capture::genl::{GenlNames, genl_dump};
pub use families::MonitorFamily;

use super::nlsock::{NETLINK_LISTEN_ALL_NSID, NETLINK_PKTINFO, NlSocket, SOL_NETLINK};
use super::{Captured, Source, SourceStats, cooked_header};
use crate::netlink::connector::{
    CN_IDX_PROC, CN_VAL_PROC, PROC_CN_MCAST_IGNORE, PROC_CN_MCAST_LISTEN,
};
use crate::netlink::{MsgBuilder, NLMSG_DONE};

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

/// The monitor source: a socket per family.
pub struct Monitor {
    socks: Vec<Sock>,
    buf: Vec<u8>,
    stats: SourceStats,
    genl: GenlNames,
    /// `link-names:` comments: the namespace's links at start (see `capture::links`).
    links: Vec<String>,
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
            links: Vec::new(),
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
        if m.genl.families.is_empty() {
            // Not monitoring genl: still record the ids, for genl messages that other
            // families' captures carry (and files merged later).
            m.genl = GenlNames::of_host();
        }
        // After joining the groups: a link that appears meanwhile is in the snapshot or in a
        // captured notification. (Unicast dump replies reach no multicast socket.)
        m.links = crate::capture::links::link_names_of_host();
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
            MonitorFamily::Route | MonitorFamily::Netfilter | MonitorFamily::Xfrm => {
                sock.bind(0).map_err(|e| context(&label, &e))?;
                join_range(&sock, &label, family.group_table(), "CAP_NET_ADMIN")?;
            }
            MonitorFamily::Genl => {
                sock.bind(0).map_err(|e| context(&label, &e))?;
                let fams = genl_dump()
                    .map_err(|e| context(&format!("{label}: CTRL_CMD_GETFAMILY dump"), &e))?;
                let mut failed = Vec::new();
                let mut joined = 0usize;
                for f in &fams {
                    self.genl.add(f);
                    for (gid, gname) in &f.groups {
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

/// The process connector's subscribe/unsubscribe message: nlmsghdr + struct cn_msg
/// (`cb_id` idx/val, seq, ack, len, flags) + the operation.
fn proc_cn_msg(op: u32) -> Vec<u8> {
    let mut b = MsgBuilder::new(NLMSG_DONE, 0, 0, std::process::id());
    b.push_u32(CN_IDX_PROC).push_u32(CN_VAL_PROC);
    b.push_u32(0).push_u32(0); // seq, ack
    b.push_u16(4).push_u16(0); // len (of the operation), flags
    b.push_u32(op);
    b.finish()
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
        let mut c: Vec<String> = self.genl.comment().into_iter().collect();
        c.extend(self.links.iter().cloned());
        c
    }

    fn group_name(&self, interface: usize, group: u32) -> Option<String> {
        let s = self.socks.get(interface)?;
        match s.family {
            MonitorFamily::Genl => self.genl.groups.get(&group).cloned(),
            f => f.group_name(group).map(str::to_string),
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
    use crate::netlink::Messages;

    #[test]
    fn proc_connector_message_layout() {
        let m = proc_cn_msg(PROC_CN_MCAST_LISTEN);
        let msgs: Vec<_> = Messages::native(&m).collect();
        assert_eq!(msgs.len(), 1);
        assert_eq!((msgs[0].len, msgs[0].ty), (40, NLMSG_DONE));
        assert_eq!(msgs[0].pid, std::process::id());
        let ne = |v: u32| v.to_ne_bytes();
        let mut want = Vec::new();
        want.extend(ne(CN_IDX_PROC));
        want.extend(ne(CN_VAL_PROC));
        want.extend([0; 8]); // seq, ack
        want.extend(4u16.to_ne_bytes()); // len
        want.extend(0u16.to_ne_bytes()); // flags
        want.extend(ne(1)); // PROC_CN_MCAST_LISTEN
        assert_eq!(msgs[0].payload, &want[..]);
        assert_eq!(&proc_cn_msg(PROC_CN_MCAST_IGNORE)[36..], &ne(2));
    }
}
