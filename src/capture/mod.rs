//! Live capture: sources (nlmon interfaces, multicast monitor sockets) run on a worker thread and
//! hand frames to the consumer through a bounded crossbeam channel. The worker never blocks on a
//! slow consumer: a frame that does not fit in the channel is counted as dropped.

pub mod file;
pub(crate) mod genl;
pub(crate) mod links;
pub mod monitor;
pub mod nlmon;
pub mod nlsock;
pub mod policy;
pub mod procmap;
pub mod session;
pub mod trace;
pub mod worker;

use std::io;
use std::time::Duration;

use crate::dissect::cooked::{ARPHRD_NETLINK, LINKTYPE_NETLINK};
use crate::pcap::{ByteOrder, Frame, Interface};

/// One captured frame, already in LINKTYPE_NETLINK form (16-byte cooked header + payload).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Captured {
    /// Capture time, nanoseconds since the epoch.
    pub ts_ns: i128,
    /// Index of the source interface (see [`Source::interface_name`]) in the worker's list.
    pub interface: usize,
    /// Cooked header + netlink bytes.
    pub data: Vec<u8>,
    /// Length on the wire (more than `data.len()` when the receive buffer truncated it).
    pub orig_len: u32,
    /// Multicast group the message was delivered to (monitor sources, NETLINK_PKTINFO).
    pub group: Option<u32>,
    /// Network namespace id of the sender (monitor with NETLINK_LISTEN_ALL_NSID).
    pub nsid: Option<i32>,
    /// Messages the kernel dropped (ENOBUFS) before this one, if known.
    pub drops_before: u64,
}

impl Captured {
    /// pcapng comments carrying this frame's metadata (`group: 3`, `nsid: 1`,
    /// `drops: 12 before this frame (ENOBUFS)`). Wireshark shows them as packet comments.
    pub fn comments(&self, group_name: Option<&str>) -> Vec<String> {
        let mut c = Vec::new();
        match (self.group, group_name) {
            (Some(g), Some(n)) => c.push(format!("group: {g} {n}")),
            (Some(g), None) => c.push(format!("group: {g}")),
            _ => {}
        }
        if let Some(ns) = self.nsid {
            c.push(format!("nsid: {ns}"));
        }
        if self.drops_before > 0 {
            c.push(format!(
                "drops: {} before this frame (ENOBUFS)",
                self.drops_before
            ));
        }
        c
    }
}

/// The 16-byte LINKTYPE_NETLINK header nlmon writes (big-endian fields): packet type, ARPHRD
/// 824, no address, and the netlink protocol number.
pub fn cooked_header(pkttype: u16, protocol: u16) -> [u8; 16] {
    let mut h = [0u8; 16];
    h[0..2].copy_from_slice(&pkttype.to_be_bytes());
    h[2..4].copy_from_slice(&ARPHRD_NETLINK.to_be_bytes());
    h[14..16].copy_from_slice(&protocol.to_be_bytes());
    h
}

/// Link type of every captured frame.
pub const CAPTURE_LINKTYPE: u32 = LINKTYPE_NETLINK;

/// The pcapng interface a live capture records for the source interface `name`: the capture
/// link type, nanosecond timestamps, this machine's byte order.
pub fn capture_interface(name: &str) -> Interface {
    Interface {
        linktype: CAPTURE_LINKTYPE,
        snaplen: 262_144,
        name: Some(name.to_string()),
        ts_nanos: true,
        tsresol: 9,
        byte_order: ByteOrder::native(),
        comments: Vec::new(),
    }
}

impl Captured {
    /// The frame as a capture file records it, with its packet `comments`.
    pub fn into_frame(self, comments: Vec<String>) -> Frame {
        Frame {
            ts_ns: self.ts_ns,
            interface: u32::try_from(self.interface).unwrap_or(u32::MAX),
            linktype: CAPTURE_LINKTYPE,
            byte_order: ByteOrder::native(),
            data: self.data,
            orig_len: self.orig_len,
            comments,
            file_offset: 0,
        }
    }
}

/// Counters a source keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SourceStats {
    /// Frames received from the kernel.
    pub received: u64,
    /// Frames the kernel dropped (ENOBUFS on netlink, PACKET_STATISTICS drops on AF_PACKET).
    pub kernel_drops: u64,
    /// ENOBUFS errors seen (each may stand for many lost messages).
    pub overruns: u64,
}

/// A capture source, driven by the worker thread.
pub trait Source: Send {
    /// Names of the interfaces this source delivers on (pcapng IDB names), e.g. `nlmon0` or
    /// `monitor:route`. `Captured::interface` indexes the worker's combined list.
    fn interfaces(&self) -> Vec<String>;
    /// Wait up to `timeout` for frames and append them to `out`; returning with none is fine.
    /// `base` is the worker-wide index of this source's first interface.
    fn poll(&mut self, timeout: Duration, base: usize, out: &mut Vec<Captured>) -> io::Result<()>;
    /// Counters so far.
    fn stats(&self) -> SourceStats;
    /// Comments for the capture file's section header (e.g. generic netlink family ids and
    /// multicast group names resolved at start).
    fn section_comments(&self) -> Vec<String> {
        Vec::new()
    }
    /// A name for a multicast group number of an interface, if the source knows it.
    fn group_name(&self, _interface: usize, _group: u32) -> Option<String> {
        None
    }
}

/// What to capture from.
#[derive(Debug, Clone)]
pub enum SourceRequest {
    /// An nlmon interface (`-i`), optionally created for the capture (`--create-nlmon`).
    Nlmon {
        /// Interface name.
        iface: String,
        /// Create it first and remove it at the end.
        create: bool,
    },
    /// Multicast monitor sockets (`--monitor LIST`).
    Monitor {
        /// Family list as given (`route,genl` or `all`).
        families: String,
        /// Also receive other namespaces' messages (NETLINK_LISTEN_ALL_NSID).
        all_netns: bool,
    },
}

/// Enter the named network namespace (`ip netns add NAME`) on the calling thread only: the
/// capture worker calls this before opening its sockets.
pub fn enter_netns(name: &str) -> io::Result<()> {
    if name.is_empty() || name.contains('/') || name == "." || name == ".." {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("'{name}' is not a network namespace name"),
        ));
    }
    let path = ["/run/netns", "/var/run/netns"]
        .iter()
        .map(|d| std::path::Path::new(d).join(name))
        .find(|p| p.exists())
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("no network namespace '{name}' (see `ip netns list`)"),
            )
        })?;
    let f = std::fs::File::open(&path)?;
    use std::os::fd::AsRawFd;
    // SAFETY: setns on a valid, open namespace file descriptor; affects only this thread.
    let rc = unsafe { libc::setns(f.as_raw_fd(), libc::CLONE_NEWNET) };
    if rc != 0 {
        let e = io::Error::last_os_error();
        return Err(match e.raw_os_error() {
            Some(libc::EPERM) => io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!(
                    "entering network namespace '{name}' needs CAP_SYS_ADMIN: run as root (e.g. with sudo)"
                ),
            ),
            _ => io::Error::new(
                e.kind(),
                format!("entering network namespace '{name}': {e}"),
            ),
        });
    }
    Ok(())
}

/// Open the sources for `req`.
pub fn open_sources(req: &SourceRequest) -> io::Result<Vec<Box<dyn Source>>> {
    match req {
        SourceRequest::Nlmon { iface, create } => Ok(vec![nlmon::open(&nlmon::NlmonOptions {
            iface: iface.clone(),
            create: *create,
        })?]),
        SourceRequest::Monitor {
            families,
            all_netns,
        } => {
            let families = monitor::MonitorFamily::parse_list(families)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
            Ok(vec![monitor::open(&monitor::MonitorOptions {
                families,
                all_netns: *all_netns,
                rcvbuf: None,
            })?])
        }
    }
}
