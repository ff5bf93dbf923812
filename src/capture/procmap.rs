//! Capture-time process attribution: which process owns a netlink port id.
//!
//! `/proc/thread-self/net/netlink` lists the netlink sockets of the calling thread's network
//! namespace with their protocol, port id and inode; the `socket:[INODE]` links in
//! `/proc/PID/fd` say which process holds each inode, and `/proc/PID/comm` and
//! `/proc/PID/exe` name it. Where that file is missing, sock_diag's netlink diag dump
//! (`SOCK_DIAG_BY_FAMILY` with a `netlink_diag_req`) gives the same facts; it is the second
//! choice because nlmon taps SOCK_DIAG: an nlmon capture would record our own lookups.
//!
//! [`ProcMap::lookup`] answers from the last snapshot and takes a new one when a port id it
//! does not know appears, at most [`REFRESH_PER_SEC`] times a second, each scan bounded in
//! time ([`SCAN_BUDGET`]) and in size ([`MAX_SOCKETS`]). It is a best effort: a process that
//! has exited (or a port id reused) before the refresh is not known or is misnamed.

use std::collections::{HashMap, HashSet};
use std::io;
use std::time::{Duration, Instant};

use super::nlsock::NlSocket;
use super::trace::ProcInfo;
use crate::netlink::{MsgBuilder, NLM_F_DUMP, NLM_F_REQUEST};

/// `NETLINK_SOCK_DIAG`.
const NETLINK_SOCK_DIAG: u32 = 4;
/// `SOCK_DIAG_BY_FAMILY`.
const SOCK_DIAG_BY_FAMILY: u16 = 20;
/// `NDIAG_PROTO_ALL`: every netlink protocol.
const NDIAG_PROTO_ALL: u8 = 255;
/// Size of `struct netlink_diag_msg`.
const DIAG_MSG_LEN: usize = 28;

/// Most snapshots a second.
pub const REFRESH_PER_SEC: u32 = 10;
/// Longest a snapshot may take; a scan that takes longer keeps what it found so far.
pub const SCAN_BUDGET: Duration = Duration::from_millis(50);
/// Most sockets a snapshot keeps.
pub const MAX_SOCKETS: usize = 65_536;
/// Most unknown port ids remembered (a port id not found is not looked for again until
/// [`NEGATIVE_TTL`] has passed).
const MAX_MISSES: usize = 4096;
/// How long a port id a snapshot did not find stays unknown without a new look.
const NEGATIVE_TTL: Duration = Duration::from_secs(2);

/// One netlink socket of a diag reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiagSocket {
    /// Netlink protocol.
    pub protocol: u8,
    /// Bound port id (0: not bound).
    pub portid: u32,
    /// Socket inode.
    pub inode: u32,
}

/// The `netlink_diag_req` dump request for every netlink socket (no extra attributes).
pub fn diag_request(seq: u32) -> Vec<u8> {
    let mut b = MsgBuilder::new(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, seq, 0);
    // sdiag_family, sdiag_protocol, pad, ndiag_ino, ndiag_show, ndiag_cookie[2]
    b.push(&[libc::AF_NETLINK as u8, NDIAG_PROTO_ALL, 0, 0]);
    b.push_u32(0);
    b.push_u32(0);
    b.push_u32(u32::MAX);
    b.push_u32(u32::MAX);
    b.finish()
}

/// Parse a `netlink_diag_msg` payload (native byte order): `None` when it is short or not
/// `AF_NETLINK`.
pub fn parse_diag_msg(payload: &[u8]) -> Option<DiagSocket> {
    let head = payload.get(..DIAG_MSG_LEN)?;
    let u32_at = |o: usize| -> Option<u32> {
        let b: [u8; 4] = head.get(o..o + 4)?.try_into().ok()?;
        Some(u32::from_ne_bytes(b))
    };
    if u16::from(*head.first()?) != libc::AF_NETLINK as u16 {
        return None;
    }
    Some(DiagSocket {
        protocol: *head.get(2)?,
        portid: u32_at(4)?,
        inode: u32_at(16)?,
    })
}

/// Parse `/proc/net/netlink` text: `sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode`.
pub fn parse_proc_net_netlink(text: &str) -> Vec<DiagSocket> {
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            Some(DiagSocket {
                protocol: f.get(1)?.parse().ok()?,
                portid: f.get(2)?.parse().ok()?,
                inode: f.get(9)?.parse().ok()?,
            })
        })
        .take(MAX_SOCKETS)
        .collect()
}

/// The netlink sockets of the calling thread's network namespace.
pub fn netlink_sockets() -> io::Result<Vec<DiagSocket>> {
    match std::fs::read_to_string("/proc/thread-self/net/netlink") {
        Ok(t) => Ok(parse_proc_net_netlink(&t)),
        Err(_) => diag_dump(),
    }
}

fn diag_dump() -> io::Result<Vec<DiagSocket>> {
    let sock = NlSocket::for_requests(NETLINK_SOCK_DIAG)?;
    let mut out = Vec::new();
    sock.dump(&diag_request(1), 1, |m| {
        if out.len() < MAX_SOCKETS
            && let Some(s) = parse_diag_msg(m.payload)
        {
            out.push(s);
        }
    })?;
    Ok(out)
}

/// The inode of a `socket:[INODE]` link target.
pub fn socket_inode(link: &str) -> Option<u32> {
    link.strip_prefix("socket:[")?
        .strip_suffix(']')?
        .parse()
        .ok()
}

/// A process's comm and exe.
fn proc_info(pid: i32) -> ProcInfo {
    let comm = std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|s| s.trim_end_matches('\n').to_string())
        .unwrap_or_default();
    let exe = std::fs::read_link(format!("/proc/{pid}/exe"))
        .ok()
        .map(|p| p.to_string_lossy().into_owned());
    ProcInfo {
        pid,
        tid: pid,
        comm,
        exe,
    }
}

/// Which process holds each of `inodes`: a walk over `/proc/*/fd` until every inode is found
/// or `deadline` passes (the lowest pid wins for a socket several processes share).
fn owners(inodes: &HashSet<u32>, deadline: Instant) -> HashMap<u32, i32> {
    let mut found = HashMap::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return found;
    };
    let mut pids: Vec<i32> = dir
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    pids.sort_unstable();
    for pid in pids {
        if found.len() >= inodes.len() || Instant::now() >= deadline {
            break;
        }
        let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            let Ok(target) = std::fs::read_link(fd.path()) else {
                continue;
            };
            if let Some(ino) = target.to_str().and_then(socket_inode)
                && inodes.contains(&ino)
            {
                found.entry(ino).or_insert(pid);
            }
        }
    }
    found
}

/// Counters of a [`ProcMap`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProcMapStats {
    /// Snapshots taken.
    pub refreshes: u64,
    /// Time spent in them.
    pub refresh_time: Duration,
    /// Longest one.
    pub longest: Duration,
}

/// Port id → process, refreshed as unknown port ids appear (see the module docs).
#[derive(Debug, Default)]
pub struct ProcMap {
    /// (protocol, port id) → process, from the last snapshot.
    known: HashMap<(u8, u32), ProcInfo>,
    /// Port ids the last snapshots did not find, and when they were looked for.
    misses: HashMap<(u8, u32), Instant>,
    last_refresh: Option<Instant>,
    stats: ProcMapStats,
}

impl ProcMap {
    /// An empty map (the first lookup takes a snapshot).
    pub fn new() -> Self {
        ProcMap::default()
    }

    /// Counters so far.
    pub fn stats(&self) -> ProcMapStats {
        self.stats
    }

    /// The process owning `portid` of `protocol` (port id 0, the kernel, has none).
    pub fn lookup(&mut self, protocol: u8, portid: u32) -> Option<&ProcInfo> {
        if portid == 0 {
            return None;
        }
        let key = (protocol, portid);
        if !self.known.contains_key(&key) && self.may_refresh(key) {
            self.refresh();
            if !self.known.contains_key(&key) {
                if self.misses.len() >= MAX_MISSES {
                    self.misses.clear();
                }
                self.misses.insert(key, Instant::now());
            }
        }
        self.known.get(&key)
    }

    fn may_refresh(&self, key: (u8, u32)) -> bool {
        let now = Instant::now();
        if self
            .misses
            .get(&key)
            .is_some_and(|t| now.duration_since(*t) < NEGATIVE_TTL)
        {
            return false;
        }
        self.last_refresh.is_none_or(|t| {
            now.duration_since(t) >= Duration::from_secs(1) / REFRESH_PER_SEC.max(1)
        })
    }

    /// Take a new snapshot (errors leave the old one).
    pub fn refresh(&mut self) {
        let start = Instant::now();
        self.last_refresh = Some(start);
        let Ok(sockets) = netlink_sockets() else {
            return;
        };
        let inodes: HashSet<u32> = sockets
            .iter()
            .filter(|s| s.portid != 0 && s.inode != 0)
            .map(|s| s.inode)
            .collect();
        let owners = owners(&inodes, start + SCAN_BUDGET);
        let mut infos: HashMap<i32, ProcInfo> = HashMap::new();
        let mut known = HashMap::with_capacity(owners.len());
        for s in &sockets {
            let Some(pid) = owners.get(&s.inode) else {
                continue;
            };
            let info = infos.entry(*pid).or_insert_with(|| proc_info(*pid)).clone();
            known.insert((s.protocol, s.portid), info);
        }
        self.known = known;
        self.misses.retain(|k, _| !self.known.contains_key(k));
        let took = start.elapsed();
        self.stats.refreshes += 1;
        self.stats.refresh_time += took;
        self.stats.longest = self.stats.longest.max(took);
    }

    /// The `proc:` comment for the owner of `portid` in `protocol`, if known.
    pub fn comment_for_port(&mut self, protocol: u8, portid: u32) -> Option<String> {
        let p = self.lookup(protocol, portid)?;
        Some(p.attribution_comment(portid))
    }

    /// The `proc:` comment for a captured frame (cooked header + netlink bytes): the process
    /// owning its first message's `nlmsg_pid` (the sender of a request that names its port,
    /// the receiver of a unicast answer, the requester that caused a notification).
    pub fn comment_for(&mut self, data: &[u8]) -> Option<String> {
        let (protocol, portid) = frame_port(data)?;
        self.comment_for_port(protocol, portid)
    }
}

/// The netlink protocol (cooked header) and first message's `nlmsg_pid` (native order) of a
/// captured frame.
pub fn frame_port(data: &[u8]) -> Option<(u8, u32)> {
    let h = frame_header(data)?;
    Some((h.protocol, h.pid))
}

/// The header facts attribution needs of a frame's first message.
#[derive(Debug, Clone, Copy)]
struct FrameHeader {
    protocol: u8,
    flags: u16,
    seq: u32,
    pid: u32,
}

fn frame_header(data: &[u8]) -> Option<FrameHeader> {
    let proto: [u8; 2] = data.get(14..16)?.try_into().ok()?;
    let flags: [u8; 2] = data.get(16 + 6..16 + 8)?.try_into().ok()?;
    let seq: [u8; 4] = data.get(16 + 8..16 + 12)?.try_into().ok()?;
    let pid: [u8; 4] = data.get(16 + 12..16 + 16)?.try_into().ok()?;
    Some(FrameHeader {
        protocol: u8::try_from(u16::from_be_bytes(proto)).ok()?,
        flags: u16::from_ne_bytes(flags),
        seq: u32::from_ne_bytes(seq),
        pid: u32::from_ne_bytes(pid),
    })
}

/// How far after a request its answer is looked for in a batch.
const ANSWER_WINDOW: usize = 64;

/// The (protocol, port id) to attribute each frame of a batch by: its first message's
/// `nlmsg_pid`, or, for a request with port id 0 (nlmon sees iproute2's requests so), the
/// `nlmsg_pid` of the first answer in the same batch (same protocol and sequence number, not
/// a request, port id set) within [`ANSWER_WINDOW`] frames: the kernel addresses its answer
/// to the requesting socket. `None`: nothing to look up.
pub fn batch_ports<'a>(frames: impl Iterator<Item = &'a [u8]>) -> Vec<Option<(u8, u32)>> {
    let heads: Vec<Option<FrameHeader>> = frames.map(frame_header).collect();
    heads
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = (*h)?;
            if h.pid != 0 {
                return Some((h.protocol, h.pid));
            }
            if h.flags & NLM_F_REQUEST == 0 {
                return None;
            }
            heads
                .iter()
                .skip(i + 1)
                .take(ANSWER_WINDOW)
                .flatten()
                .find(|a| {
                    a.protocol == h.protocol
                        && a.seq == h.seq
                        && a.pid != 0
                        && a.flags & NLM_F_REQUEST == 0
                })
                .map(|a| (a.protocol, a.pid))
        })
        .collect()
}

/// Whether a batch has a request with port id 0 that [`batch_ports`] found no answer for
/// (the worker then waits a moment for the answer before handing the batch on).
pub fn batch_has_unanswered_request(frames: &[&[u8]]) -> bool {
    let ports = batch_ports(frames.iter().copied());
    frames.iter().zip(ports).any(|(f, p)| {
        p.is_none() && frame_header(f).is_some_and(|h| h.pid == 0 && h.flags & NLM_F_REQUEST != 0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diag_msg_parsing() {
        let mut p = vec![16u8, 3, 0, 7];
        p.extend_from_slice(&1234u32.to_ne_bytes()); // portid
        p.extend_from_slice(&0u32.to_ne_bytes()); // dst portid
        p.extend_from_slice(&0u32.to_ne_bytes()); // dst group
        p.extend_from_slice(&99u32.to_ne_bytes()); // inode
        p.extend_from_slice(&[0; 8]); // cookie
        assert_eq!(
            parse_diag_msg(&p),
            Some(DiagSocket {
                protocol: 0,
                portid: 1234,
                inode: 99
            })
        );
        assert_eq!(parse_diag_msg(p.get(..27).unwrap()), None);
        p[0] = 2;
        assert_eq!(parse_diag_msg(&p), None);
        let req = diag_request(5);
        assert_eq!(req.len(), 16 + 20);
        assert_eq!(req.get(16..18), Some(&[16u8, 255][..]));
    }

    #[test]
    fn proc_net_netlink_and_links() {
        let t = "sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode\n\
                 ffff8880        0   4242       00000551 0        0        0     2        0        31337\n\
                 garbage\n";
        assert_eq!(
            parse_proc_net_netlink(t),
            vec![DiagSocket {
                protocol: 0,
                portid: 4242,
                inode: 31337
            }]
        );
        assert_eq!(socket_inode("socket:[123]"), Some(123));
        assert_eq!(socket_inode("pipe:[123]"), None);
        assert_eq!(socket_inode("socket:[x]"), None);
    }

    #[test]
    fn frame_port_reads_header() {
        let mut d = crate::capture::cooked_header(4, 0).to_vec();
        d.extend_from_slice(&20u32.to_ne_bytes());
        d.extend_from_slice(&[16, 0, 0, 0, 1, 0, 0, 0]);
        d.extend_from_slice(&777u32.to_ne_bytes());
        assert_eq!(frame_port(&d), Some((0, 777)));
        assert_eq!(frame_port(d.get(..20).unwrap()), None);
    }

    fn frame(protocol: u16, flags: u16, seq: u32, pid: u32) -> Vec<u8> {
        let mut d = crate::capture::cooked_header(4, protocol).to_vec();
        d.extend_from_slice(&16u32.to_ne_bytes());
        d.extend_from_slice(&16u16.to_ne_bytes());
        d.extend_from_slice(&flags.to_ne_bytes());
        d.extend_from_slice(&seq.to_ne_bytes());
        d.extend_from_slice(&pid.to_ne_bytes());
        d
    }

    #[test]
    fn requests_take_the_port_of_their_answer_in_the_batch() {
        let b = [
            frame(0, 1, 7, 0),    // request, port 0: answered by frame 3
            frame(0, 0, 0, 0),    // notification without a port
            frame(16, 2, 7, 900), // another protocol's message, same seq
            frame(0, 2, 7, 500),  // the answer
            frame(0, 5, 9, 600),  // a request naming its port
            frame(0, 1, 11, 0),   // a request with no answer in the batch
        ];
        let ports = batch_ports(b.iter().map(Vec::as_slice));
        assert_eq!(
            ports,
            vec![
                Some((0, 500)),
                None,
                Some((16, 900)),
                Some((0, 500)),
                Some((0, 600)),
                None
            ]
        );
        let refs: Vec<&[u8]> = b.iter().map(Vec::as_slice).collect();
        assert!(batch_has_unanswered_request(&refs));
        assert!(!batch_has_unanswered_request(refs.get(..5).unwrap()));
        assert!(batch_ports([&[0u8; 10][..]].into_iter()) == vec![None]);
    }

    /// Our own socket is found in our own process (needs netlink diag or /proc, any user).
    #[test]
    fn finds_own_socket() {
        let s = NlSocket::open(0, false).unwrap();
        s.bind(0).unwrap();
        let port = netlink_sockets()
            .unwrap_or_default()
            .into_iter()
            .find(|d| {
                d.protocol == 0 && {
                    let fd = std::os::fd::AsRawFd::as_raw_fd(&s);
                    std::fs::read_link(format!("/proc/self/fd/{fd}"))
                        .ok()
                        .and_then(|l| socket_inode(l.to_str()?))
                        == Some(d.inode)
                }
            })
            .map(|d| d.portid);
        let Some(port) = port else {
            eprintln!("SKIP: no netlink diag and no /proc/thread-self/net/netlink");
            return;
        };
        let mut m = ProcMap::new();
        let p = m.lookup(0, port).cloned().unwrap();
        let procs = std::fs::read_dir("/proc")
            .map(|d| {
                d.flatten()
                    .filter(|e| {
                        e.file_name()
                            .to_str()
                            .is_some_and(|n| n.parse::<u32>().is_ok())
                    })
                    .count()
            })
            .unwrap_or(0);
        eprintln!("snapshot over {procs} processes: {:?}", m.stats());
        assert_eq!(p.pid, std::process::id() as i32);
        assert!(p.exe.is_some());
    }
}
