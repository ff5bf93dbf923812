//! The seccomp filter a started program runs under: `SECCOMP_RET_TRACE` for the syscalls that
//! may move netlink bytes (so only they stop the program), `SECCOMP_RET_ALLOW` for the rest and
//! for any other architecture's syscalls (a 32-bit program on x86_64 is not traced).

use std::io;

use super::syscalls::TRACED;

const SECCOMP_SET_MODE_FILTER: libc::c_ulong = 1;
const SECCOMP_RET_TRACE: u32 = 0x7ff0_0000;
const SECCOMP_RET_ALLOW: u32 = 0x7fff_0000;
/// AUDIT_ARCH_X86_64 (EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE).
pub const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;
// struct seccomp_data: int nr; __u32 arch; ...
const OFF_NR: u32 = 0;
const OFF_ARCH: u32 = 4;

const BPF_LD_W_ABS: u16 = (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16;
const BPF_JEQ_K: u16 = (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16;
const BPF_RET_K: u16 = (libc::BPF_RET | libc::BPF_K) as u16;

fn stmt(code: u16, k: u32) -> libc::sock_filter {
    libc::sock_filter {
        code,
        jt: 0,
        jf: 0,
        k,
    }
}

fn jump(code: u16, k: u32, jt: u8, jf: u8) -> libc::sock_filter {
    libc::sock_filter { code, jt, jf, k }
}

/// The filter program: check the architecture, then one comparison per traced syscall.
pub fn program() -> Vec<libc::sock_filter> {
    let n = TRACED.len();
    let mut p = Vec::with_capacity(n + 5);
    p.push(stmt(BPF_LD_W_ABS, OFF_ARCH));
    // Not x86_64: skip the nr load and the n comparisons, to ALLOW.
    p.push(jump(BPF_JEQ_K, AUDIT_ARCH_X86_64, 0, (n + 1) as u8));
    p.push(stmt(BPF_LD_W_ABS, OFF_NR));
    for (i, (nr, _)) in TRACED.iter().enumerate() {
        // Match: jump to the TRACE return after the remaining comparisons and the ALLOW.
        let to_trace = (n - i) as u8;
        p.push(jump(BPF_JEQ_K, *nr as u32, to_trace, 0));
    }
    p.push(stmt(BPF_RET_K, SECCOMP_RET_ALLOW));
    p.push(stmt(BPF_RET_K, SECCOMP_RET_TRACE));
    p
}

/// Install `prog` for the calling thread (the forked child, before exec). Without
/// CAP_SYS_ADMIN the kernel wants no_new_privs first, which is then set (setuid programs run
/// without their privileges, as under strace --seccomp-bpf).
///
/// Only async-signal-safe calls: this runs between fork and exec.
pub fn install(prog: &[libc::sock_filter]) -> io::Result<()> {
    let fprog = libc::sock_fprog {
        len: prog.len() as u16,
        filter: prog.as_ptr().cast_mut(),
    };
    let set = |fprog: &libc::sock_fprog| {
        // SAFETY: seccomp(2) reads `fprog` and the filter it points at, which outlive the call.
        unsafe {
            libc::syscall(
                libc::SYS_seccomp,
                SECCOMP_SET_MODE_FILTER,
                0 as libc::c_ulong,
                fprog as *const libc::sock_fprog,
            )
        }
    };
    if set(&fprog) == 0 {
        return Ok(());
    }
    if io::Error::last_os_error().raw_os_error() != Some(libc::EACCES) {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: prctl with integer arguments.
    if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
        return Err(io::Error::last_os_error());
    }
    if set(&fprog) == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Run the program as the kernel would on (arch, nr).
    fn eval(p: &[libc::sock_filter], arch: u32, nr: u32) -> u32 {
        let mut pc = 0usize;
        let mut a = 0u32;
        loop {
            let i = p[pc];
            match i.code {
                BPF_LD_W_ABS => a = if i.k == OFF_ARCH { arch } else { nr },
                BPF_JEQ_K => {
                    pc += usize::from(if a == i.k { i.jt } else { i.jf });
                }
                BPF_RET_K => return i.k,
                c => panic!("opcode {c}"),
            }
            pc += 1;
        }
    }

    #[test]
    fn filter_traces_only_the_socket_io_syscalls() {
        let p = program();
        for (nr, name) in TRACED {
            assert_eq!(
                eval(&p, AUDIT_ARCH_X86_64, *nr as u32),
                SECCOMP_RET_TRACE,
                "{name}"
            );
            assert_eq!(
                eval(&p, 0x4000_0003, *nr as u32),
                SECCOMP_RET_ALLOW,
                "{name} i386"
            );
        }
        for nr in [
            libc::SYS_openat,
            libc::SYS_close,
            libc::SYS_socket,
            libc::SYS_execve,
        ] {
            assert_eq!(eval(&p, AUDIT_ARCH_X86_64, nr as u32), SECCOMP_RET_ALLOW);
        }
    }
}
