//! The nlmon capture source: an AF_PACKET socket bound to an nlmon interface, the kernel's tap
//! that sees every netlink message sent or received on the host (in its network namespace).
//!
//! Frames are stored exactly as libpcap (tcpdump) stores nlmon frames: LINKTYPE_NETLINK, i.e. the
//! 16-byte cooked (Linux SLL v1) header built from the `sockaddr_ll` of each packet, followed by
//! the netlink bytes. With `create`, the source makes the interface itself through rtnetlink
//! requests (`rtnl`) and removes it again when it is dropped.

use std::ffi::CString;
use std::io;
use std::mem::{size_of, zeroed};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::Duration;

use super::{Captured, Source, SourceStats};
use crate::dissect::cooked::ARPHRD_NETLINK;
use crate::netlink::describe_errno;

mod rtnl;

/// What to capture on.
#[derive(Debug, Clone, Default)]
pub struct NlmonOptions {
    /// Interface name (e.g. `nlmon0`).
    pub iface: String,
    /// Create the interface first (and delete it when the source is dropped).
    pub create: bool,
}

/// tcpdump's default snapshot length; frames (cooked header included) are cut there like its frames.
pub const SNAPLEN: usize = 262_144;
/// Length of the cooked header in front of every frame.
pub const COOKED_LEN: usize = 16;
/// Most frames taken from the socket in one `poll` call (the worker wants to batch, not starve).
const MAX_PER_POLL: usize = 4096;
/// Receive buffer asked for (SO_RCVBUFFORCE, else SO_RCVBUF capped by net.core.rmem_max).
const RCVBUF: libc::c_int = 32 << 20;

const SOL_PACKET: libc::c_int = 263;
const PACKET_STATISTICS: libc::c_int = 6;
const ETH_P_ALL: u16 = 0x0003;

/// The command that grants the capabilities a capture needs.
pub const SETCAP_HINT: &str = "sudo setcap cap_net_raw,cap_net_admin+ep $(which nlscope)";

/// `struct tpacket_stats` (linux/if_packet.h).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
struct TpacketStats {
    tp_packets: u32,
    tp_drops: u32,
}

/// `struct ifreq` with room for any member of its union.
#[repr(C)]
struct Ifreq {
    name: [libc::c_char; libc::IFNAMSIZ],
    data: [u8; 24],
    _pad: [u8; 8],
}

/// Open an AF_PACKET source on an nlmon interface (interface name = the iface). With `create`,
/// create it first (RTM_NEWLINK, IFLA_IFNAME + IFLA_LINKINFO/IFLA_INFO_KIND "nlmon", then set it up)
/// and delete it again when the source is dropped.
pub fn open(opts: &NlmonOptions) -> io::Result<Box<dyn Source>> {
    check_name(&opts.iface)?;
    // Created first, so an AF_PACKET failure below drops (deletes) it again.
    let created = if opts.create {
        Some(rtnl::create_nlmon(&opts.iface)?)
    } else {
        None
    };
    let src = NlmonSource::open(&opts.iface, opts.create, created)?;
    Ok(Box::new(src))
}

fn check_name(name: &str) -> io::Result<()> {
    let bad = name.is_empty()
        || name.len() >= libc::IFNAMSIZ
        || name == "."
        || name == ".."
        || name
            .bytes()
            .any(|b| b == b'/' || b == b':' || b == 0 || b.is_ascii_whitespace());
    if bad {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "'{name}' is not a valid interface name (1 to {} characters, no '/', ':' or spaces)",
                libc::IFNAMSIZ - 1
            ),
        ));
    }
    Ok(())
}

/// What the capture file records about the namespace at start.
#[derive(Default)]
struct HostNames {
    genl: crate::capture::genl::GenlNames,
    /// `link-names:` comments (see `capture::links`).
    links: Vec<String>,
}

/// The nlmon source.
pub struct NlmonSource {
    fd: OwnedFd,
    iface: String,
    ifindex: i32,
    /// Receive buffer for the netlink bytes (the cooked header is built separately).
    buf: Vec<u8>,
    stats: SourceStats,
    /// Kernel drops not yet reported on a frame.
    drops_pending: u64,
    /// The host's generic netlink families and links at start, recorded in the capture file.
    names: HostNames,
    /// The interface this source created; deleting it happens when this is dropped, after the
    /// socket (declared first) is closed.
    _created: Option<rtnl::CreatedLink>,
}

impl NlmonSource {
    fn open(iface: &str, create: bool, created: Option<rtnl::CreatedLink>) -> io::Result<Self> {
        // Before the packet socket exists: nlmon would capture these dumps too.
        let names = HostNames {
            genl: crate::capture::genl::GenlNames::of_host(),
            links: crate::capture::links::link_names_of_host(),
        };
        let fd = packet_socket(iface, create)?;
        let ifindex = ifindex_of(iface)?;

        let hatype = ifreq_get(fd.as_raw_fd(), iface, libc::SIOCGIFHWADDR)
            .map(|d| u16::from_ne_bytes([d[0], d[1]]))
            .map_err(|e| os_error(&format!("reading the link type of {iface}"), &e))?;
        if hatype != ARPHRD_NETLINK {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "{iface} is not an nlmon interface (link type ARPHRD {hatype}, nlmon is {ARPHRD_NETLINK}); create one with `ip link add nlmon0 type nlmon` or use --create-nlmon"
                ),
            ));
        }
        let flags = ifreq_get(fd.as_raw_fd(), iface, libc::SIOCGIFFLAGS)
            .map(|d| i16::from_ne_bytes([d[0], d[1]]))
            .map_err(|e| os_error(&format!("reading the flags of {iface}"), &e))?;
        if i32::from(flags) & libc::IFF_UP == 0 {
            return Err(io::Error::other(format!(
                "{iface} is down: bring it up with `ip link set {iface} up`"
            )));
        }

        let src = Self::bind_socket(fd, iface, ifindex, names, created)?;
        Ok(src)
    }

    /// Options, bind to `ifindex` for every protocol, drain nothing (nothing arrived before).
    fn bind_socket(
        fd: OwnedFd,
        iface: &str,
        ifindex: i32,
        names: HostNames,
        created: Option<rtnl::CreatedLink>,
    ) -> io::Result<Self> {
        let s = fd.as_raw_fd();
        if setsockopt_int(s, libc::SOL_SOCKET, libc::SO_RCVBUFFORCE, RCVBUF).is_err() {
            // Without CAP_NET_ADMIN: as much as net.core.rmem_max allows.
            let _ = setsockopt_int(s, libc::SOL_SOCKET, libc::SO_RCVBUF, RCVBUF);
        }
        setsockopt_int(s, libc::SOL_SOCKET, libc::SO_TIMESTAMPNS, 1)
            .map_err(|e| os_error("enabling SO_TIMESTAMPNS", &e))?;

        // SAFETY: sockaddr_ll is plain data; all-zero is valid.
        let mut sll: libc::sockaddr_ll = unsafe { zeroed() };
        sll.sll_family = libc::AF_PACKET as u16;
        sll.sll_protocol = ETH_P_ALL.to_be();
        sll.sll_ifindex = ifindex;
        // SAFETY: bind with a correctly sized sockaddr_ll.
        let rc = unsafe {
            libc::bind(
                s,
                (&raw const sll).cast::<libc::sockaddr>(),
                size_of::<libc::sockaddr_ll>() as libc::socklen_t,
            )
        };
        if rc != 0 {
            let e = io::Error::last_os_error();
            return Err(os_error(&format!("binding to {iface}"), &e));
        }
        let mut src = NlmonSource {
            fd,
            iface: iface.to_string(),
            ifindex,
            buf: vec![0; SNAPLEN - COOKED_LEN],
            stats: SourceStats::default(),
            drops_pending: 0,
            names,
            _created: created,
        };
        // Start the drop counters from zero.
        let _ = src.read_kernel_stats();
        src.stats.kernel_drops = 0;
        src.drops_pending = 0;
        Ok(src)
    }

    /// Read (and so reset) the socket's PACKET_STATISTICS; new drops go to the next frame.
    fn read_kernel_stats(&mut self) -> io::Result<()> {
        let mut st = TpacketStats::default();
        let mut len = size_of::<TpacketStats>() as libc::socklen_t;
        // SAFETY: getsockopt writes at most `len` bytes into `st`.
        let rc = unsafe {
            libc::getsockopt(
                self.fd.as_raw_fd(),
                SOL_PACKET,
                PACKET_STATISTICS,
                (&raw mut st).cast::<libc::c_void>(),
                &mut len,
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        let drops = u64::from(st.tp_drops);
        self.stats.kernel_drops += drops;
        self.drops_pending += drops;
        Ok(())
    }

    /// One frame from the socket, `Ok(None)` when none is waiting.
    fn recv_one(&mut self) -> io::Result<Option<Captured>> {
        loop {
            // SAFETY: plain data, all-zero is valid.
            let mut sll: libc::sockaddr_ll = unsafe { zeroed() };
            let mut iov = libc::iovec {
                iov_base: self.buf.as_mut_ptr().cast::<libc::c_void>(),
                iov_len: self.buf.len(),
            };
            // Room for SCM_TIMESTAMPNS (and anything else), 8-byte aligned.
            let mut control = [0u64; 16];
            // SAFETY: plain data, all-zero is valid.
            let mut msg: libc::msghdr = unsafe { zeroed() };
            msg.msg_name = (&raw mut sll).cast::<libc::c_void>();
            msg.msg_namelen = size_of::<libc::sockaddr_ll>() as libc::socklen_t;
            msg.msg_iov = &raw mut iov;
            msg.msg_iovlen = 1;
            msg.msg_control = control.as_mut_ptr().cast::<libc::c_void>();
            msg.msg_controllen = size_of::<[u64; 16]>() as _;
            // SAFETY: every pointer in `msg` points at live buffers of the stated sizes.
            let n = unsafe {
                libc::recvmsg(
                    self.fd.as_raw_fd(),
                    &mut msg,
                    libc::MSG_TRUNC | libc::MSG_DONTWAIT,
                )
            };
            if n < 0 {
                let e = io::Error::last_os_error();
                return match e.raw_os_error() {
                    Some(libc::EAGAIN | libc::EINTR) => Ok(None),
                    Some(libc::ENETDOWN) => Err(io::Error::other(format!(
                        "capturing on {}: the interface went down (ENETDOWN)",
                        self.iface
                    ))),
                    _ => Err(os_error(&format!("reading from {}", self.iface), &e)),
                };
            }
            if sll.sll_ifindex != self.ifindex {
                // Like libpcap: only the bound interface's frames.
                continue;
            }
            let wire = usize::try_from(n).unwrap_or(0);
            let cap = wire.min(self.buf.len());
            let ts_ns = timestamp_from_cmsgs(&msg).unwrap_or_else(realtime_ns);
            let mut data = Vec::with_capacity(COOKED_LEN + cap);
            data.extend_from_slice(&cooked_header_from_sll(&sll));
            data.extend_from_slice(self.buf.get(..cap).unwrap_or(&[]));
            self.stats.received += 1;
            return Ok(Some(Captured {
                ts_ns,
                interface: 0,
                data,
                orig_len: u32::try_from(COOKED_LEN + wire).unwrap_or(u32::MAX),
                group: None,
                nsid: None,
                drops_before: std::mem::take(&mut self.drops_pending),
            }));
        }
    }
}

impl Source for NlmonSource {
    fn interfaces(&self) -> Vec<String> {
        vec![self.iface.clone()]
    }

    fn section_comments(&self) -> Vec<String> {
        let mut c: Vec<String> = self.names.genl.comment().into_iter().collect();
        c.extend(self.names.links.iter().cloned());
        c
    }

    fn poll(&mut self, timeout: Duration, base: usize, out: &mut Vec<Captured>) -> io::Result<()> {
        let mut pfd = libc::pollfd {
            fd: self.fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = libc::c_int::try_from(timeout.as_millis()).unwrap_or(libc::c_int::MAX);
        // SAFETY: one valid pollfd.
        let rc = unsafe { libc::poll(&mut pfd, 1, ms) };
        if rc < 0 {
            let e = io::Error::last_os_error();
            if e.raw_os_error() == Some(libc::EINTR) {
                return Ok(());
            }
            return Err(os_error(
                &format!("waiting for frames on {}", self.iface),
                &e,
            ));
        }
        // Drops so far belong in front of the frames about to be read.
        let _ = self.read_kernel_stats();
        if rc == 0 {
            return Ok(());
        }
        if pfd.revents & libc::POLLNVAL != 0 {
            return Err(io::Error::other(format!(
                "capturing on {}: the socket was closed",
                self.iface
            )));
        }
        // POLLERR: recvmsg reports the pending socket error (e.g. ENETDOWN).
        for _ in 0..MAX_PER_POLL {
            match self.recv_one()? {
                Some(mut c) => {
                    c.interface = base;
                    out.push(c);
                }
                None => break,
            }
        }
        Ok(())
    }

    fn stats(&self) -> SourceStats {
        self.stats
    }
}

/// The 16-byte cooked header libpcap writes for a packet received with `sll`: packet type
/// (PACKET_HOST..PACKET_OUTGOING kept, anything else 0xffff, as libpcap maps it), ARPHRD type,
/// address length, the first 8 address bytes (zero beyond the length) and the protocol (already
/// big-endian in `sll`), all big-endian.
pub fn cooked_header_from_sll(sll: &libc::sockaddr_ll) -> [u8; COOKED_LEN] {
    let pkttype: u16 = match sll.sll_pkttype {
        p @ 0..=4 => u16::from(p),
        _ => 0xffff,
    };
    let mut h = [0u8; COOKED_LEN];
    h[0..2].copy_from_slice(&pkttype.to_be_bytes());
    h[2..4].copy_from_slice(&sll.sll_hatype.to_be_bytes());
    h[4..6].copy_from_slice(&u16::from(sll.sll_halen).to_be_bytes());
    for (d, a) in h[6..14]
        .iter_mut()
        .zip(sll.sll_addr)
        .take(usize::from(sll.sll_halen))
    {
        *d = a;
    }
    // sll_protocol is in network byte order already: copy its bytes as they are.
    h[14..16].copy_from_slice(&sll.sll_protocol.to_ne_bytes());
    h
}

/// An unbound AF_PACKET/SOCK_DGRAM socket (protocol 0 until bind, so it sees no other
/// interface's traffic meanwhile), non-blocking.
fn packet_socket(iface: &str, create: bool) -> io::Result<OwnedFd> {
    // SAFETY: plain socket(2) call.
    let raw = unsafe {
        libc::socket(
            libc::AF_PACKET,
            libc::SOCK_DGRAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            0,
        )
    };
    if raw < 0 {
        let e = io::Error::last_os_error();
        return Err(match e.raw_os_error() {
            Some(libc::EPERM | libc::EACCES) => privilege_error(iface, create),
            _ => os_error(&format!("opening an AF_PACKET socket for {iface}"), &e),
        });
    }
    // SAFETY: `raw` is a fresh descriptor owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(raw) })
}

fn ifindex_of(iface: &str) -> io::Result<i32> {
    let cname = CString::new(iface)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "NUL in interface name"))?;
    // SAFETY: if_nametoindex reads a NUL-terminated string.
    let ifindex = unsafe { libc::if_nametoindex(cname.as_ptr()) };
    if ifindex == 0 {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!(
                "no interface '{iface}': create one with `ip link add {iface} type nlmon && ip link set {iface} up`, or use --create-nlmon"
            ),
        ));
    }
    i32::try_from(ifindex)
        .map_err(|_| io::Error::other(format!("interface index {ifindex} out of range")))
}

/// SCM_TIMESTAMPNS from a received message's control data, in ns since the epoch.
fn timestamp_from_cmsgs(msg: &libc::msghdr) -> Option<i128> {
    // SAFETY: `msg` was filled by recvmsg; the CMSG_* helpers stay within msg_controllen.
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(msg);
        while !c.is_null() {
            let h = &*c;
            if h.cmsg_level == libc::SOL_SOCKET
                && h.cmsg_type == libc::SO_TIMESTAMPNS
                && h.cmsg_len as usize
                    >= libc::CMSG_LEN(size_of::<libc::timespec>() as u32) as usize
            {
                let ts = std::ptr::read_unaligned(libc::CMSG_DATA(c).cast::<libc::timespec>());
                return Some(i128::from(ts.tv_sec) * 1_000_000_000 + i128::from(ts.tv_nsec));
            }
            c = libc::CMSG_NXTHDR(msg, c);
        }
    }
    None
}

fn realtime_ns() -> i128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i128)
        .unwrap_or(0)
}

fn setsockopt_int(
    fd: RawFd,
    level: libc::c_int,
    opt: libc::c_int,
    v: libc::c_int,
) -> io::Result<()> {
    // SAFETY: setsockopt reads one c_int.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            level,
            opt,
            (&raw const v).cast::<libc::c_void>(),
            size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// An interface ioctl (SIOCGIF*); returns the union bytes of the answer.
fn ifreq_get(fd: RawFd, iface: &str, req: libc::c_ulong) -> io::Result<[u8; 24]> {
    let mut ifr = Ifreq {
        name: [0; libc::IFNAMSIZ],
        data: [0; 24],
        _pad: [0; 8],
    };
    for (d, s) in ifr
        .name
        .iter_mut()
        .zip(iface.bytes().take(libc::IFNAMSIZ - 1))
    {
        *d = s as libc::c_char;
    }
    // SAFETY: the kernel reads and writes at most sizeof(struct ifreq) (40) bytes of `ifr`.
    let rc = unsafe { libc::ioctl(fd, req as _, &raw mut ifr) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    // For SIOCGIFHWADDR the union is a sockaddr: the family (= ARPHRD type) comes first;
    // for SIOCGIFFLAGS it is a short.
    Ok(ifr.data)
}

fn privilege_error(iface: &str, create: bool) -> io::Error {
    let caps = if create {
        "CAP_NET_RAW, and CAP_NET_ADMIN for --create-nlmon"
    } else {
        "CAP_NET_RAW (and CAP_NET_ADMIN for --create-nlmon)"
    };
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!(
            "capturing on {iface} needs {caps}: run as root, or grant both once with `{SETCAP_HINT}`"
        ),
    )
}

/// `what: ENAME (description)`.
fn os_error(what: &str, e: &io::Error) -> io::Error {
    match e.raw_os_error() {
        Some(n) => io::Error::new(e.kind(), format!("{what}: {}", describe_errno(n))),
        None => io::Error::new(e.kind(), format!("{what}: {e}")),
    }
}

#[cfg(test)]
mod tests;
