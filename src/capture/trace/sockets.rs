//! Which file descriptors are netlink sockets, and of which protocol: the fd's
//! `/proc/TID/fd/N` link names the socket inode (`socket:[12345]`), and the program's network
//! namespace's `/proc/TID/net/netlink` lists every netlink socket's inode with its protocol.
//! Whether a socket is netlink at all comes from its `system.sockprotoname` attribute (a
//! socket is in the table only once bound). The link is read at every traced syscall (so a
//! closed and reused fd never keeps a stale answer); answers per inode are cached.

use std::collections::HashMap;

/// Cached answers, by socket inode.
#[derive(Debug, Default)]
pub struct Sockets {
    /// Netlink sockets' protocols.
    protocols: HashMap<u64, u16>,
    /// Whether a socket is a netlink socket (its `system.sockprotoname` is `NETLINK`).
    netlink: HashMap<u64, bool>,
}

/// The inode of `socket:[N]`.
pub fn socket_inode(link: &str) -> Option<u64> {
    link.strip_prefix("socket:[")?
        .strip_suffix(']')?
        .parse()
        .ok()
}

/// (inode, protocol) of every socket in a `/proc/net/netlink` table.
pub fn parse_table(text: &str) -> Vec<(u64, u16)> {
    let mut out = Vec::new();
    let mut lines = text.lines();
    let Some(head) = lines.next() else {
        return out;
    };
    let cols: Vec<&str> = head.split_whitespace().collect();
    let col = |name: &str| cols.iter().position(|c| *c == name);
    // sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
    let (Some(eth), Some(ino)) = (col("Eth"), col("Inode")) else {
        return out;
    };
    for l in lines {
        let f: Vec<&str> = l.split_whitespace().collect();
        if let (Some(p), Some(i)) = (
            f.get(eth).and_then(|s| s.parse().ok()),
            f.get(ino).and_then(|s| s.parse().ok()),
        ) {
            out.push((i, p));
        }
    }
    out
}

/// The socket's protocol name (`NETLINK`, `UNIX`, `TCP`...), from the `system.sockprotoname`
/// extended attribute sockfs gives every socket.
fn sockprotoname(path: &str) -> Option<Vec<u8>> {
    let c = std::ffi::CString::new(path).ok()?;
    let mut buf = [0u8; 32];
    // SAFETY: getxattr writes at most `buf.len()` bytes into `buf`.
    let n = unsafe {
        libc::getxattr(
            c.as_ptr(),
            c"system.sockprotoname".as_ptr(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    };
    let n = usize::try_from(n).ok()?;
    let name = buf.get(..n)?;
    Some(name.split(|b| *b == 0).next().unwrap_or_default().to_vec())
}

impl Sockets {
    /// The socket inode of `fd` in thread `tid` when it is a netlink socket.
    pub fn netlink_inode(&mut self, tid: i32, fd: i32) -> Option<u64> {
        if fd < 0 {
            return None;
        }
        let path = format!("/proc/{tid}/fd/{fd}");
        let link = std::fs::read_link(&path).ok()?;
        let inode = socket_inode(link.to_str()?)?;
        if self.protocols.contains_key(&inode) {
            return Some(inode);
        }
        if let Some(&is) = self.netlink.get(&inode) {
            return is.then_some(inode);
        }
        // Bound the caches: a long trace of a program opening many sockets forgets the rest.
        if self.netlink.len() > 100_000 {
            self.netlink.clear();
            self.protocols.clear();
        }
        let is = sockprotoname(&path).is_some_and(|n| n == b"NETLINK");
        self.netlink.insert(inode, is);
        is.then_some(inode)
    }

    /// The protocol of the netlink socket `inode` of thread `tid`. A socket is listed only
    /// once bound: one that a send is about to bind automatically is found at the send's exit.
    pub fn protocol(&mut self, tid: i32, inode: u64) -> Option<u16> {
        if let Some(p) = self.protocols.get(&inode) {
            return Some(*p);
        }
        // Refresh from the program's namespace (and ours, for a socket made before a setns).
        for path in [
            format!("/proc/{tid}/net/netlink"),
            "/proc/net/netlink".into(),
        ] {
            if let Ok(t) = std::fs::read_to_string(&path) {
                for (i, p) in parse_table(&t) {
                    self.protocols.insert(i, p);
                }
            }
            if let Some(p) = self.protocols.get(&inode) {
                return Some(*p);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_and_links() {
        let t = "sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode\n\
                 ffff8b2a43a2c000 0   1234       00000000 0        0        0     2        0        5678\n\
                 ffff8b2a43a2d000 16  0          00000000 0        0        0     2        0        91\n\
                 garbage\n";
        assert_eq!(parse_table(t), vec![(5678, 0), (91, 16)]);
        assert_eq!(parse_table(""), vec![]);
        assert_eq!(socket_inode("socket:[42]"), Some(42));
        assert_eq!(socket_inode("pipe:[42]"), None);
        assert_eq!(socket_inode("/dev/null"), None);
    }

    #[test]
    fn our_own_netlink_socket() {
        // SAFETY: plain socket(2).
        let fd = unsafe { libc::socket(libc::AF_NETLINK, libc::SOCK_RAW, libc::NETLINK_ROUTE) };
        assert!(fd >= 0);
        let mut s = Sockets::default();
        let tid = std::process::id() as i32;
        // Unbound: a netlink socket, protocol not listed yet.
        let inode = s.netlink_inode(tid, fd).unwrap();
        assert_eq!(s.protocol(tid, inode), None);
        let mut sa: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        sa.nl_family = libc::AF_NETLINK as u16;
        // SAFETY: bind with a sockaddr_nl of the right size.
        let r = unsafe {
            libc::bind(
                fd,
                &sa as *const _ as *const libc::sockaddr,
                std::mem::size_of::<libc::sockaddr_nl>() as u32,
            )
        };
        assert_eq!(r, 0);
        assert_eq!(s.protocol(tid, inode), Some(0));
        let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        use std::os::fd::AsRawFd;
        assert_eq!(s.netlink_inode(tid, udp.as_raw_fd()), None);
        // SAFETY: our fd.
        unsafe { libc::close(fd) };
    }
}
