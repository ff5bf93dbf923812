//! Reading the tracee's memory: `process_vm_readv`, or word by word with `PTRACE_PEEKDATA`
//! where that is refused. Callers bound every length before asking (see `syscalls::CAP`).

use std::io;

/// Read `len` bytes at `addr` of thread `tid` into `out` (appended). A short read (an
/// unmapped page) keeps what was read and returns an error.
pub fn read_into(tid: i32, addr: u64, len: usize, out: &mut Vec<u8>) -> io::Result<()> {
    if len == 0 {
        return Ok(());
    }
    let start = out.len();
    out.resize(start + len, 0);
    let got = match vm_readv(tid, addr, out.get_mut(start..).unwrap_or_default()) {
        Ok(n) => n,
        Err(e) if matches!(e.raw_os_error(), Some(libc::ENOSYS) | Some(libc::EPERM)) => {
            peek(tid, addr, out.get_mut(start..).unwrap_or_default())?
        }
        Err(e) => {
            out.truncate(start);
            return Err(e);
        }
    };
    out.truncate(start + got);
    if got < len {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("read {got} of {len} bytes at {addr:#x}"),
        ));
    }
    Ok(())
}

/// Read exactly `N` bytes at `addr`.
pub fn read_array<const N: usize>(tid: i32, addr: u64) -> io::Result<[u8; N]> {
    let mut v = Vec::with_capacity(N);
    read_into(tid, addr, N, &mut v)?;
    <[u8; N]>::try_from(v.as_slice()).map_err(|_| io::Error::other("short read"))
}

fn vm_readv(tid: i32, addr: u64, buf: &mut [u8]) -> io::Result<usize> {
    let mut done = 0usize;
    while done < buf.len() {
        let rest = buf.get_mut(done..).unwrap_or_default();
        let local = libc::iovec {
            iov_base: rest.as_mut_ptr().cast(),
            iov_len: rest.len(),
        };
        let remote = libc::iovec {
            iov_base: addr.wrapping_add(done as u64) as usize as *mut libc::c_void,
            iov_len: rest.len(),
        };
        // SAFETY: the local iovec covers `rest`, which we own; the remote one is only read by
        // the kernel, in the other process, with its own checks.
        let n = unsafe { libc::process_vm_readv(tid, &local, 1, &remote, 1, 0) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if done > 0 && e.raw_os_error() == Some(libc::EFAULT) {
                break;
            }
            return Err(e);
        }
        if n == 0 {
            break;
        }
        done += n as usize;
    }
    Ok(done)
}

fn peek(tid: i32, addr: u64, buf: &mut [u8]) -> io::Result<usize> {
    const W: usize = std::mem::size_of::<libc::c_long>();
    let mut done = 0usize;
    for chunk in buf.chunks_mut(W) {
        // PEEKDATA returns the word; -1 is a valid word, so errno tells errors apart.
        // SAFETY: errno location of this thread; ptrace reads the tracee's word.
        let word = unsafe {
            *libc::__errno_location() = 0;
            libc::ptrace(
                libc::PTRACE_PEEKDATA,
                tid,
                addr.wrapping_add(done as u64) as usize as *mut libc::c_void,
                std::ptr::null_mut::<libc::c_void>(),
            )
        };
        if word == -1
            && let Some(e) = io::Error::last_os_error()
                .raw_os_error()
                .filter(|e| *e != 0)
        {
            if done > 0 {
                break;
            }
            return Err(io::Error::from_raw_os_error(e));
        }
        let bytes = word.to_ne_bytes();
        for (d, s) in chunk.iter_mut().zip(bytes) {
            *d = s;
        }
        done += chunk.len();
    }
    Ok(done)
}
