//! The syscalls that can carry netlink bytes (x86_64 numbers), and where their bytes are at
//! the syscall's exit: the return value says how many the kernel took or delivered.
//!
//! Receives with `MSG_PEEK` are not recorded: the program reads the same datagram again
//! without it (iproute2 and libnl peek with `MSG_PEEK|MSG_TRUNC` to size their buffer), and
//! that read is recorded. With `MSG_TRUNC` a receive returns the datagram's full length though
//! only the buffer's bytes exist: those are recorded, with the full length as the frame's
//! original length.

use std::io;

use super::mem::{read_array, read_into};

/// Bytes copied out of the tracee per syscall at most (all message vector elements
/// together); the frame's original length still says how many there were.
pub const CAP: usize = 1 << 20;
/// Most iovecs or mmsghdrs read per syscall (the kernel's UIO_MAXIOV).
const MAX_VEC: u64 = 1024;

/// Syscalls the seccomp filter stops at, with their names.
pub const TRACED: &[(i64, &str)] = &[
    (libc::SYS_read, "read"),
    (libc::SYS_write, "write"),
    (libc::SYS_readv, "readv"),
    (libc::SYS_writev, "writev"),
    (libc::SYS_sendto, "sendto"),
    (libc::SYS_recvfrom, "recvfrom"),
    (libc::SYS_sendmsg, "sendmsg"),
    (libc::SYS_recvmsg, "recvmsg"),
    (libc::SYS_sendmmsg, "sendmmsg"),
    (libc::SYS_recvmmsg, "recvmmsg"),
];

/// The name of a traced syscall number.
pub fn name(nr: u64) -> Option<&'static str> {
    TRACED
        .iter()
        .find(|(n, _)| *n as u64 == nr)
        .map(|(_, s)| *s)
}

/// Whether the syscall sends (the program to the socket) rather than receives.
pub fn is_send(nr: u64) -> bool {
    [
        libc::SYS_write,
        libc::SYS_writev,
        libc::SYS_sendto,
        libc::SYS_sendmsg,
        libc::SYS_sendmmsg,
    ]
    .iter()
    .any(|n| *n as u64 == nr)
}

/// Whether a receive only peeks (`MSG_PEEK` in its flags argument): not recorded.
pub fn is_peek(nr: u64, args: &[u64; 6]) -> bool {
    let flags = if nr == libc::SYS_recvfrom as u64 || nr == libc::SYS_recvmmsg as u64 {
        args[3]
    } else if nr == libc::SYS_recvmsg as u64 {
        args[2]
    } else {
        return false;
    };
    flags & libc::MSG_PEEK as u64 != 0
}

/// One datagram's bytes as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// The bytes (at most [`CAP`]).
    pub bytes: Vec<u8>,
    /// How many the syscall said it moved.
    pub orig_len: usize,
    /// The multicast group a receive was delivered to (the sender address's `nl_groups`,
    /// lowest bit; groups above 32 and unicast give none).
    pub group: Option<u32>,
}

/// The group in the `sockaddr_nl` a receive filled in at `addr` (`len` bytes).
fn group_of(tid: i32, addr: u64, len: u64) -> Option<u32> {
    if addr == 0 || len < 12 {
        return None;
    }
    let a: [u8; 12] = read_array(tid, addr).ok()?;
    let family = u16::from_ne_bytes([a[0], a[1]]);
    let groups = u32::from_ne_bytes([a[8], a[9], a[10], a[11]]);
    (family == libc::AF_NETLINK as u16 && groups != 0).then(|| groups.trailing_zeros() + 1)
}

/// The group of a receive through the msghdr `hdr` (msg_name at 0, msg_namelen at 8).
fn msghdr_group(tid: i32, hdr: &[u8]) -> Option<u32> {
    let len = hdr
        .get(8..12)
        .and_then(|s| <[u8; 4]>::try_from(s).ok())
        .map_or(0, u32::from_ne_bytes);
    group_of(tid, u64_at(hdr, 0), u64::from(len))
}

fn u64_at(b: &[u8], o: usize) -> u64 {
    b.get(o..o + 8)
        .and_then(|s| <[u8; 8]>::try_from(s).ok())
        .map_or(0, u64::from_ne_bytes)
}

/// Gather up to `want` bytes from `iovcnt` iovecs at `iov` into `out`.
fn gather(tid: i32, iov: u64, iovcnt: u64, want: usize, out: &mut Vec<u8>) -> io::Result<()> {
    let n = iovcnt.min(MAX_VEC) as usize;
    let mut vecs = Vec::with_capacity(n * 16);
    read_into(tid, iov, n * 16, &mut vecs)?;
    let mut left = want;
    for v in vecs.chunks_exact(16) {
        if left == 0 {
            break;
        }
        let (base, len) = (u64_at(v, 0), u64_at(v, 8));
        let take = usize::try_from(len).unwrap_or(usize::MAX).min(left);
        read_into(tid, base, take, out)?;
        left -= take;
    }
    Ok(())
}

/// struct msghdr (64-bit): msg_iov at 16, msg_iovlen at 24.
fn gather_msghdr(tid: i32, hdr: &[u8], want: usize, out: &mut Vec<u8>) -> io::Result<()> {
    gather(tid, u64_at(hdr, 16), u64_at(hdr, 24), want, out)
}

/// The datagrams a finished syscall moved (`rval` its return value; errors and zero-length
/// results give none).
pub fn pieces(tid: i32, nr: u64, args: &[u64; 6], rval: i64) -> io::Result<Vec<Piece>> {
    let Ok(ret) = usize::try_from(rval) else {
        return Ok(Vec::new());
    };
    if ret == 0 {
        return Ok(Vec::new());
    }
    let want = ret.min(CAP);
    let mut bytes = Vec::new();
    let mut group = None;
    let n = nr as i64;
    if n == libc::SYS_read
        || n == libc::SYS_write
        || n == libc::SYS_sendto
        || n == libc::SYS_recvfrom
    {
        let len = usize::try_from(args[2]).unwrap_or(usize::MAX);
        read_into(tid, args[1], want.min(len), &mut bytes)?;
        if n == libc::SYS_recvfrom && args[4] != 0 && args[5] != 0 {
            let alen = read_array::<4>(tid, args[5]).map_or(0, u32::from_ne_bytes);
            group = group_of(tid, args[4], u64::from(alen));
        }
    } else if n == libc::SYS_readv || n == libc::SYS_writev {
        gather(tid, args[1], args[2], want, &mut bytes)?;
    } else if n == libc::SYS_sendmsg || n == libc::SYS_recvmsg {
        let hdr: [u8; 56] = read_array(tid, args[1])?;
        gather_msghdr(tid, &hdr, want, &mut bytes)?;
        if n == libc::SYS_recvmsg {
            group = msghdr_group(tid, &hdr);
        }
    } else if n == libc::SYS_sendmmsg || n == libc::SYS_recvmmsg {
        // The return value counts messages; each struct mmsghdr (64 bytes) has its msg_len.
        let count = (ret as u64).min(args[2]).min(MAX_VEC);
        let mut out = Vec::new();
        let mut budget = CAP;
        for i in 0..count {
            let h: [u8; 64] = read_array(tid, args[1].wrapping_add(i * 64))?;
            let len = h
                .get(56..60)
                .and_then(|s| <[u8; 4]>::try_from(s).ok())
                .map_or(0, u32::from_ne_bytes) as usize;
            let mut b = Vec::new();
            gather_msghdr(tid, &h, len.min(budget), &mut b)?;
            budget -= b.len().min(budget);
            if len > 0 {
                out.push(Piece {
                    bytes: b,
                    orig_len: len,
                    group: (n == libc::SYS_recvmmsg)
                        .then(|| msghdr_group(tid, &h))
                        .flatten(),
                });
            }
        }
        return Ok(out);
    } else {
        return Ok(Vec::new());
    }
    Ok(vec![Piece {
        bytes,
        orig_len: ret,
        group,
    }])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_directions() {
        assert_eq!(name(libc::SYS_sendmsg as u64), Some("sendmsg"));
        assert_eq!(name(libc::SYS_close as u64), None);
        assert!(is_send(libc::SYS_writev as u64));
        assert!(!is_send(libc::SYS_recvmmsg as u64));
        let mut a = [0u64; 6];
        a[2] = libc::MSG_PEEK as u64;
        assert!(is_peek(libc::SYS_recvmsg as u64, &a));
        assert!(!is_peek(libc::SYS_recvfrom as u64, &a));
    }

    /// Our own memory read back through the same paths (a process may read itself).
    #[test]
    fn pieces_of_our_own_buffers() {
        let tid = std::process::id() as i32;
        let a = b"hello ".to_vec();
        let b = b"netlink".to_vec();
        let iov = [
            libc::iovec {
                iov_base: a.as_ptr() as *mut _,
                iov_len: a.len(),
            },
            libc::iovec {
                iov_base: b.as_ptr() as *mut _,
                iov_len: b.len(),
            },
        ];
        let mut args = [0u64; 6];
        args[1] = iov.as_ptr() as u64;
        args[2] = 2;
        let p = pieces(tid, libc::SYS_writev as u64, &args, 9).unwrap();
        assert_eq!(
            p,
            vec![Piece {
                bytes: b"hello net".to_vec(),
                orig_len: 9,
                group: None,
            }]
        );
        // A recvmsg that returned more than the buffer (MSG_TRUNC): the buffer's bytes.
        let mut hdr: libc::msghdr = unsafe { std::mem::zeroed() };
        hdr.msg_iov = iov.as_ptr() as *mut _;
        hdr.msg_iovlen = 2;
        // Delivered to multicast group 3 (RTNLGRP_NEIGH's bit).
        let mut sa: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        sa.nl_family = libc::AF_NETLINK as u16;
        sa.nl_groups = 1 << 2;
        hdr.msg_name = &mut sa as *mut _ as *mut _;
        hdr.msg_namelen = 12;
        args[1] = &hdr as *const _ as u64;
        let p = pieces(tid, libc::SYS_recvmsg as u64, &args, 100).unwrap();
        assert_eq!(
            p,
            vec![Piece {
                bytes: b"hello netlink".to_vec(),
                orig_len: 100,
                group: Some(3),
            }]
        );
        // recvmmsg: two messages, each with its msg_len; a third that was not filled.
        let mut vec: [libc::mmsghdr; 3] = unsafe { std::mem::zeroed() };
        for (m, len) in vec.iter_mut().zip([5u32, 13, 0]) {
            m.msg_hdr.msg_iov = iov.as_ptr() as *mut _;
            m.msg_hdr.msg_iovlen = 2;
            m.msg_len = len;
        }
        let mut margs = [0u64; 6];
        margs[1] = vec.as_ptr() as u64;
        margs[2] = 3;
        let p = pieces(tid, libc::SYS_recvmmsg as u64, &margs, 2).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!((p[0].bytes.as_slice(), p[0].orig_len), (&b"hello"[..], 5));
        assert_eq!(
            (p[1].bytes.as_slice(), p[1].orig_len),
            (&b"hello netlink"[..], 13)
        );
        // A bad pointer is an error, not a panic.
        margs[1] = 8;
        assert!(pieces(tid, libc::SYS_sendmmsg as u64, &margs, 1).is_err());
        assert!(
            pieces(tid, libc::SYS_recvmsg as u64, &args, -1)
                .unwrap()
                .is_empty()
        );
    }
}
