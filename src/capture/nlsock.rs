//! A small safe wrapper over raw `AF_NETLINK` sockets (libc): open, bind, join groups, socket
//! options, send to the kernel, `recvmsg` with the netlink control messages parsed, and a
//! request/acknowledgement exchange. The socket options (linux/netlink.h) are defined here.

use std::io;
use std::mem::size_of;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use crate::netlink::{Ack, Messages, Msg, NLMSG_DONE, NLMSG_ERROR};

/// `SOL_NETLINK` (not exported by every libc version under that name).
pub const SOL_NETLINK: i32 = 270;
/// `NETLINK_ADD_MEMBERSHIP`.
pub const NETLINK_ADD_MEMBERSHIP: i32 = 1;
/// `NETLINK_DROP_MEMBERSHIP`.
pub const NETLINK_DROP_MEMBERSHIP: i32 = 2;
/// `NETLINK_PKTINFO`: deliver `struct nl_pktinfo` (the multicast group) with every message.
pub const NETLINK_PKTINFO: i32 = 3;
/// `NETLINK_LISTEN_ALL_NSID`: receive from every peer namespace with an id; cmsg gives the id.
pub const NETLINK_LISTEN_ALL_NSID: i32 = 8;
/// `NETLINK_CAP_ACK`: error acks echo only the request's header.
pub const NETLINK_CAP_ACK: i32 = 10;
/// `NETLINK_EXT_ACK`: error acks carry the kernel's message (`NLMSGERR_ATTR_MSG`).
pub const NETLINK_EXT_ACK: i32 = 11;

/// How long [`NlSocket::for_requests`] waits for an answer before giving up.
const REQUEST_TIMEOUT: libc::timeval = libc::timeval {
    tv_sec: 5,
    tv_usec: 0,
};

/// What `recvmsg` returned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Received {
    /// Bytes stored in the buffer.
    pub len: usize,
    /// Length of the datagram (larger than `len` when the buffer truncated it).
    pub orig_len: usize,
    /// Control-message metadata.
    pub meta: CmsgInfo,
}

/// Netlink metadata from the control messages of one datagram.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CmsgInfo {
    /// `NETLINK_PKTINFO` group (0 = unicast, reported as `None`).
    pub group: Option<u32>,
    /// `NETLINK_LISTEN_ALL_NSID` peer namespace id.
    pub nsid: Option<i32>,
}

/// Size of `struct cmsghdr` on this platform (`size_t len; int level; int type;`).
const CMSGHDR_LEN: usize = size_of::<usize>() + 2 * size_of::<i32>();

fn cmsg_align(n: usize) -> usize {
    let a = size_of::<usize>();
    n.div_ceil(a) * a
}

fn ne_i32(b: &[u8], at: usize) -> Option<i32> {
    Some(i32::from_ne_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn ne_usize(b: &[u8], at: usize) -> Option<usize> {
    const N: usize = size_of::<usize>();
    Some(usize::from_ne_bytes(b.get(at..at + N)?.try_into().ok()?))
}

/// Parse the control buffer `recvmsg` filled (only its first `msg_controllen` bytes). Walks
/// `struct cmsghdr` records by hand (the layout the `CMSG_*` macros describe) so a malformed or
/// truncated buffer ends the walk instead of reading out of bounds.
pub fn parse_cmsgs(control: &[u8]) -> CmsgInfo {
    let mut info = CmsgInfo::default();
    let mut off = 0usize;
    while off + CMSGHDR_LEN <= control.len() {
        let Some(len) = ne_usize(control, off) else {
            break;
        };
        let (Some(level), Some(ty)) = (
            ne_i32(control, off + size_of::<usize>()),
            ne_i32(control, off + size_of::<usize>() + 4),
        ) else {
            break;
        };
        if len < CMSGHDR_LEN || len > control.len() - off {
            break;
        }
        let Some(data) = control.get(off + CMSGHDR_LEN..off + len) else {
            break;
        };
        if level == SOL_NETLINK {
            match ty {
                NETLINK_PKTINFO => {
                    if let Some(g) = ne_i32(data, 0) {
                        // u32 in the kernel; read as i32 bits.
                        let g = g as u32;
                        info.group = (g != 0).then_some(g);
                    }
                }
                NETLINK_LISTEN_ALL_NSID => info.nsid = ne_i32(data, 0),
                _ => {}
            }
        }
        off += cmsg_align(len);
    }
    info
}

/// Receive buffer of [`NlSocket::dump`]: the kernel fills dump datagrams up to 32 KiB.
const DUMP_BUF: usize = 256 << 10;

/// An error acknowledgement with the kernel's extended-ack message. The errno stays reachable
/// through [`dump_errno`].
#[derive(Debug)]
pub struct DumpError {
    /// The errno.
    pub os: io::Error,
    /// The kernel's message.
    pub msg: String,
}

impl std::fmt::Display for DumpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.os, self.msg)
    }
}

impl std::error::Error for DumpError {}

/// The errno of an error from [`NlSocket::dump`] (also when it carries an extended ack).
pub fn dump_errno(e: &io::Error) -> Option<i32> {
    e.raw_os_error().or_else(|| {
        e.get_ref()
            .and_then(|i| i.downcast_ref::<DumpError>())
            .and_then(|d| d.os.raw_os_error())
    })
}

/// Room for both netlink control messages (and some to spare).
const CONTROL_LEN: usize = 128;

/// An `AF_NETLINK` raw socket.
#[derive(Debug)]
pub struct NlSocket {
    fd: OwnedFd,
    protocol: u32,
}

fn cvt(r: libc::c_int) -> io::Result<libc::c_int> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

impl NlSocket {
    /// `socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC [| SOCK_NONBLOCK], protocol)`.
    pub fn open(protocol: u32, nonblocking: bool) -> io::Result<NlSocket> {
        let mut ty = libc::SOCK_RAW | libc::SOCK_CLOEXEC;
        if nonblocking {
            ty |= libc::SOCK_NONBLOCK;
        }
        let proto = libc::c_int::try_from(protocol)
            .map_err(|_| io::Error::from_raw_os_error(libc::EPROTONOSUPPORT))?;
        // SAFETY: plain syscall with integer arguments.
        let fd = cvt(unsafe { libc::socket(libc::AF_NETLINK, ty, proto) })?;
        // SAFETY: `fd` is a fresh descriptor we own.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(NlSocket { fd, protocol })
    }

    /// A blocking socket for requests answered by acks or dumps: extended acks with capped
    /// echoes (best effort: without them the kernel still answers, with less detail) and a
    /// receive timeout, so a kernel that never answers cannot hang the caller.
    pub fn for_requests(protocol: u32) -> io::Result<NlSocket> {
        let sock = NlSocket::open(protocol, false)?;
        let _ = sock.set_int(SOL_NETLINK, NETLINK_EXT_ACK, 1);
        let _ = sock.set_int(SOL_NETLINK, NETLINK_CAP_ACK, 1);
        sock.set_timeval(libc::SOL_SOCKET, libc::SO_RCVTIMEO, REQUEST_TIMEOUT)?;
        Ok(sock)
    }

    /// The netlink protocol number.
    pub fn protocol(&self) -> u32 {
        self.protocol
    }

    /// Bind with a kernel-assigned port id and the legacy group bitmask `groups` (groups 1..=32).
    pub fn bind(&self, groups: u32) -> io::Result<()> {
        // SAFETY: sockaddr_nl is plain data; all-zero is valid.
        let mut sa: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        sa.nl_family = libc::AF_NETLINK as libc::sa_family_t;
        sa.nl_groups = groups;
        // SAFETY: pointer and length describe `sa`, which outlives the call.
        cvt(unsafe {
            libc::bind(
                self.fd.as_raw_fd(),
                (&raw const sa).cast::<libc::sockaddr>(),
                size_of::<libc::sockaddr_nl>() as libc::socklen_t,
            )
        })?;
        Ok(())
    }

    /// `setsockopt(level, name, &int)`.
    pub fn set_int(&self, level: i32, name: i32, value: i32) -> io::Result<()> {
        // SAFETY: pointer and length describe `value`, which outlives the call.
        cvt(unsafe {
            libc::setsockopt(
                self.fd.as_raw_fd(),
                level,
                name,
                (&raw const value).cast::<libc::c_void>(),
                size_of::<i32>() as libc::socklen_t,
            )
        })?;
        Ok(())
    }

    /// `setsockopt(level, name, &timeval)` (SO_RCVTIMEO).
    pub fn set_timeval(&self, level: i32, name: i32, tv: libc::timeval) -> io::Result<()> {
        // SAFETY: pointer and length describe `tv`, which outlives the call.
        cvt(unsafe {
            libc::setsockopt(
                self.fd.as_raw_fd(),
                level,
                name,
                (&raw const tv).cast::<libc::c_void>(),
                size_of::<libc::timeval>() as libc::socklen_t,
            )
        })?;
        Ok(())
    }

    /// `getsockopt(level, name)` of an int.
    pub fn get_int(&self, level: i32, name: i32) -> io::Result<i32> {
        let mut v: i32 = 0;
        let mut len = size_of::<i32>() as libc::socklen_t;
        // SAFETY: pointers describe `v` and `len`, which outlive the call.
        cvt(unsafe {
            libc::getsockopt(
                self.fd.as_raw_fd(),
                level,
                name,
                (&raw mut v).cast::<libc::c_void>(),
                &raw mut len,
            )
        })?;
        Ok(v)
    }

    /// Bytes queued for reading (`SO_MEMINFO` `SK_MEMINFO_RMEM_ALLOC`; Linux 4.12+).
    pub fn queued_bytes(&self) -> io::Result<u32> {
        // SK_MEMINFO_VARS is 9 today; room for growth (the kernel copies at most `len`).
        let mut v = [0u32; 16];
        let mut len = std::mem::size_of_val(&v) as libc::socklen_t;
        // SAFETY: pointers describe `v` and `len`, which outlive the call.
        cvt(unsafe {
            libc::getsockopt(
                self.fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_MEMINFO,
                v.as_mut_ptr().cast::<libc::c_void>(),
                &raw mut len,
            )
        })?;
        Ok(v[0])
    }

    /// Join multicast group `group` (any number, not limited to 32).
    pub fn add_membership(&self, group: u32) -> io::Result<()> {
        self.set_int(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group as i32)
    }

    /// Leave multicast group `group`.
    pub fn drop_membership(&self, group: u32) -> io::Result<()> {
        self.set_int(SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, group as i32)
    }

    /// Set the receive buffer: `SO_RCVBUFFORCE` (ignores `rmem_max`, needs CAP_NET_ADMIN), or
    /// `SO_RCVBUF` when that is refused. Returns the size the kernel reports afterwards and
    /// whether the forced variant worked.
    pub fn set_rcvbuf(&self, bytes: usize) -> io::Result<(usize, bool)> {
        let v = i32::try_from(bytes).unwrap_or(i32::MAX / 2);
        let forced = match self.set_int(libc::SOL_SOCKET, libc::SO_RCVBUFFORCE, v) {
            Ok(()) => true,
            Err(_) => {
                self.set_int(libc::SOL_SOCKET, libc::SO_RCVBUF, v)?;
                false
            }
        };
        let got = self.get_int(libc::SOL_SOCKET, libc::SO_RCVBUF)?;
        Ok((usize::try_from(got).unwrap_or(0), forced))
    }

    /// Send one datagram to the kernel (port id 0).
    pub fn send_to_kernel(&self, buf: &[u8]) -> io::Result<usize> {
        // SAFETY: sockaddr_nl is plain data; all-zero is valid.
        let mut sa: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        sa.nl_family = libc::AF_NETLINK as libc::sa_family_t;
        // SAFETY: pointers and lengths describe `buf` and `sa`, which outlive the call.
        let n = unsafe {
            libc::sendto(
                self.fd.as_raw_fd(),
                buf.as_ptr().cast::<libc::c_void>(),
                buf.len(),
                0,
                (&raw const sa).cast::<libc::sockaddr>(),
                size_of::<libc::sockaddr_nl>() as libc::socklen_t,
            )
        };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(n as usize)
    }

    /// Send request `req` (built with sequence number `seq` and `NLM_F_ACK`) and wait for the
    /// kernel's answer to it, skipping anything else that arrives. The wait ends with an error
    /// at the socket's receive timeout (see [`NlSocket::for_requests`]).
    pub fn request(&self, req: &[u8], seq: u32) -> io::Result<Ack> {
        self.send_to_kernel(req)?;
        let mut buf = vec![0u8; 32 * 1024];
        loop {
            let got = match self.recv(&mut buf, false) {
                Ok(r) => r,
                Err(e) if e.raw_os_error() == Some(libc::EINTR) => continue,
                Err(e) => return Err(e),
            };
            let data = buf.get(..got.len).unwrap_or(&[]);
            if let Some(ack) = Ack::find(data, crate::model::Endian::native(), seq) {
                return Ok(ack);
            }
        }
    }

    /// Send request `req` (built with sequence number `seq`): a dump, or a `do` with
    /// `NLM_F_ACK`. Pass each reply message of that sequence to `on_msg` until `NLMSG_DONE` or
    /// the acknowledgement. An error acknowledgement (or an error in `NLMSG_DONE`) ends it
    /// with that errno, the kernel's extended-ack message in the error's text. Ends with an
    /// error at the socket's receive timeout.
    pub fn dump(&self, req: &[u8], seq: u32, mut on_msg: impl FnMut(&Msg<'_>)) -> io::Result<()> {
        self.send_to_kernel(req)?;
        let endian = crate::model::Endian::native();
        let mut buf = vec![0u8; DUMP_BUF];
        loop {
            let got = match self.recv(&mut buf, false) {
                Ok(r) => r,
                Err(e) if e.raw_os_error() == Some(libc::EINTR) => continue,
                Err(e) => return Err(e),
            };
            if got.orig_len > got.len {
                return Err(io::Error::other(format!(
                    "a {}-byte reply did not fit the {DUMP_BUF}-byte buffer",
                    got.orig_len
                )));
            }
            let data = buf.get(..got.len).unwrap_or(&[]);
            if data.is_empty() {
                return Ok(());
            }
            for m in Messages::native(data) {
                if m.seq != seq {
                    continue;
                }
                match m.ty {
                    NLMSG_DONE => {
                        return match endian.u32(m.payload, 0).map(|v| v as i32) {
                            Some(e) if e < 0 => Err(io::Error::from_raw_os_error(-e)),
                            _ => Ok(()),
                        };
                    }
                    NLMSG_ERROR => match Ack::of(&m, endian) {
                        Some(a) if a.errno().is_some() => {
                            let errno = a.errno().unwrap_or(libc::EIO);
                            let os = io::Error::from_raw_os_error(errno);
                            return Err(match a.message {
                                Some(msg) => io::Error::new(os.kind(), DumpError { os, msg }),
                                None => os,
                            });
                        }
                        Some(_) => return Ok(()),
                        None => {}
                    },
                    _ => on_msg(&m),
                }
            }
        }
    }

    /// `recvmsg` one datagram into `buf` with `MSG_TRUNC` (so the real length is reported) and
    /// the netlink control messages parsed. `dontwait` adds `MSG_DONTWAIT`.
    pub fn recv(&self, buf: &mut [u8], dontwait: bool) -> io::Result<Received> {
        // u64 array: cmsghdr needs size_t alignment.
        let mut control = [0u64; CONTROL_LEN / 8];
        let mut iov = libc::iovec {
            iov_base: buf.as_mut_ptr().cast::<libc::c_void>(),
            iov_len: buf.len(),
        };
        // SAFETY: msghdr is plain data; all-zero is valid.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_iov = &raw mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.as_mut_ptr().cast::<libc::c_void>();
        msg.msg_controllen = CONTROL_LEN as _;
        let mut flags = libc::MSG_TRUNC;
        if dontwait {
            flags |= libc::MSG_DONTWAIT;
        }
        // SAFETY: msg points at `iov` (describing `buf`) and `control`, all live for the call.
        let n = unsafe { libc::recvmsg(self.fd.as_raw_fd(), &raw mut msg, flags) };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        let orig_len = n as usize;
        let len = orig_len.min(buf.len());
        let clen = (msg.msg_controllen as usize).min(CONTROL_LEN);
        // SAFETY: `control` is CONTROL_LEN initialised bytes; clen <= CONTROL_LEN.
        let bytes = unsafe { std::slice::from_raw_parts(control.as_ptr().cast::<u8>(), clen) };
        Ok(Received {
            len,
            orig_len,
            meta: parse_cmsgs(bytes),
        })
    }
}

impl AsRawFd for NlSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

/// Wait until any of `fds` is readable or `timeout_ms` passes (`poll(2)`); returns the indexes
/// of the ready descriptors (readable, or in error so that `recv` reports it).
pub fn wait_readable(fds: &[RawFd], timeout_ms: i32, ready: &mut Vec<usize>) -> io::Result<()> {
    ready.clear();
    let mut pfds: Vec<libc::pollfd> = fds
        .iter()
        .map(|&fd| libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        })
        .collect();
    // SAFETY: pointer and count describe `pfds`, live for the call.
    let r = unsafe { libc::poll(pfds.as_mut_ptr(), pfds.len() as libc::nfds_t, timeout_ms) };
    if r < 0 {
        let e = io::Error::last_os_error();
        if e.kind() == io::ErrorKind::Interrupted {
            return Ok(());
        }
        return Err(e);
    }
    for (i, p) in pfds.iter().enumerate() {
        if p.revents != 0 {
            ready.push(i);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Build a control buffer the way the kernel does, with libc's CMSG macros.
    fn cmsg(records: &[(i32, i32, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        for (level, ty, data) in records {
            // SAFETY: pure arithmetic macros.
            let (len, space) = unsafe {
                (
                    libc::CMSG_LEN(data.len() as u32) as usize,
                    libc::CMSG_SPACE(data.len() as u32) as usize,
                )
            };
            let start = out.len();
            out.extend_from_slice(&len.to_ne_bytes());
            out.extend_from_slice(&level.to_ne_bytes());
            out.extend_from_slice(&ty.to_ne_bytes());
            out.extend_from_slice(data);
            out.resize(start + space, 0);
        }
        out
    }

    #[test]
    fn pktinfo_and_nsid() {
        let b = cmsg(&[
            (SOL_NETLINK, NETLINK_PKTINFO, &7u32.to_ne_bytes()),
            (SOL_NETLINK, NETLINK_LISTEN_ALL_NSID, &3i32.to_ne_bytes()),
        ]);
        assert_eq!(
            parse_cmsgs(&b),
            CmsgInfo {
                group: Some(7),
                nsid: Some(3)
            }
        );
    }

    #[test]
    fn unicast_other_levels_and_garbage() {
        // Group 0 means unicast; SOL_SOCKET records are skipped.
        let b = cmsg(&[
            (libc::SOL_SOCKET, libc::SCM_TIMESTAMPNS, &[1u8; 16]),
            (SOL_NETLINK, NETLINK_PKTINFO, &0u32.to_ne_bytes()),
        ]);
        assert_eq!(parse_cmsgs(&b), CmsgInfo::default());
        // Truncated, zero-length and oversized records end the walk without panicking.
        let good = cmsg(&[(SOL_NETLINK, NETLINK_PKTINFO, &9u32.to_ne_bytes())]);
        for cut in 0..good.len() {
            let _ = parse_cmsgs(&good[..cut]);
        }
        let mut bad = good.clone();
        bad[..size_of::<usize>()].copy_from_slice(&0usize.to_ne_bytes());
        assert_eq!(parse_cmsgs(&bad), CmsgInfo::default());
        bad[..size_of::<usize>()].copy_from_slice(&usize::MAX.to_ne_bytes());
        assert_eq!(parse_cmsgs(&bad), CmsgInfo::default());
        // A short payload yields no value rather than a misread.
        let short = cmsg(&[(SOL_NETLINK, NETLINK_LISTEN_ALL_NSID, &[1u8, 2])]);
        assert_eq!(parse_cmsgs(&short).nsid, None);
        assert_eq!(parse_cmsgs(&good).group, Some(9));
    }

    #[test]
    fn a_request_gets_its_ack_from_the_kernel() {
        use crate::netlink::{MsgBuilder, NETLINK_ROUTE, NLM_F_ACK, NLM_F_REQUEST};
        let sock = NlSocket::for_requests(NETLINK_ROUTE).expect("NETLINK_ROUTE socket");
        assert_eq!(sock.protocol(), NETLINK_ROUTE);
        // RTM_GETLINK of an interface index nobody has: refused with ENODEV.
        let seq = 0x5eed;
        let mut b = MsgBuilder::new(18, NLM_F_REQUEST | NLM_F_ACK, seq, 0);
        b.push(&[0; 4])
            .push_u32(0x7fff_fff0)
            .push_u32(0)
            .push_u32(0);
        let ack = sock.request(&b.finish(), seq).expect("an answer");
        assert_eq!(ack.errno(), Some(libc::ENODEV), "{ack:?}");
        // An out-of-range protocol number is refused before any syscall.
        let e = NlSocket::open(u32::MAX, false).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::EPROTONOSUPPORT));
    }
}
