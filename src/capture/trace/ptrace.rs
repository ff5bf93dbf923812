//! The ptrace side: start a command under a seccomp filter (or attach to processes), then one
//! wait loop that decodes the traced syscalls at their exit, follows forks, threads and exec,
//! re-injects signals, and ends when every tracee is gone.
//!
//! A started command runs under `seccomp::program()`: only the traced syscalls stop it
//! (`PTRACE_EVENT_SECCOMP` at entry; if the fd is a netlink socket we ask for the exit stop with
//! `PTRACE_SYSCALL`). An attached process cannot be given a filter, so it stops at every
//! syscall's entry and exit (`PTRACE_SYSCALL`). `PTRACE_GET_SYSCALL_INFO` (Linux 5.3) tells
//! entry from exit and gives the number, arguments and return value.

use std::collections::HashMap;
use std::ffi::{CString, OsString};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::sync::atomic::Ordering;
use std::time::{SystemTime, UNIX_EPOCH};

use super::sockets::Sockets;
use super::{Outcome, ProcInfo, STOP_SIGNAL, Target, TraceError, TraceOptions, Traced, syscalls};
use crate::capture::{Captured, cooked_header};

const PTRACE_GET_SYSCALL_INFO: libc::c_uint = 0x420e;
const OP_ENTRY: u8 = 1;
const OP_EXIT: u8 = 2;
const OP_SECCOMP: u8 = 3;
const AUDIT_ARCH_X86_64: u32 = super::seccomp::AUDIT_ARCH_X86_64;
/// Packet type of what the program sent (nlmon writes this for both directions; the dissector
/// reads the direction from the header).
const PKT_SENT: u16 = 4; // PACKET_OUTGOING
/// Packet type of what the program received.
const PKT_RECEIVED: u16 = 0; // PACKET_HOST

/// struct ptrace_syscall_info: op, reserved, flags, arch, ip, sp, then the union (entry and
/// seccomp: nr, args[6]; exit: rval, is_error).
#[repr(C)]
#[derive(Default)]
struct SyscallInfo {
    op: u8,
    reserved: u8,
    flags: u16,
    arch: u32,
    ip: u64,
    sp: u64,
    data: [u64; 8],
}

impl SyscallInfo {
    fn nr(&self) -> u64 {
        self.data[0]
    }
    fn args(&self) -> [u64; 6] {
        let d = &self.data;
        [d[1], d[2], d[3], d[4], d[5], d[6]]
    }
    fn rval(&self) -> i64 {
        self.data[0] as i64
    }
}

fn syscall_info(tid: i32) -> Option<SyscallInfo> {
    let mut info = SyscallInfo::default();
    // SAFETY: the kernel writes at most the size we pass into `info`.
    let n = unsafe {
        libc::ptrace(
            PTRACE_GET_SYSCALL_INFO,
            tid,
            std::mem::size_of::<SyscallInfo>(),
            &mut info as *mut SyscallInfo,
        )
    };
    (n > 0).then_some(info)
}

fn ptrace_req(req: libc::c_uint, tid: i32, addr: usize, data: usize) -> io::Result<libc::c_long> {
    // SAFETY: requests used here take integer addr/data or (GETEVENTMSG) a pointer we own.
    let r = unsafe { libc::ptrace(req, tid, addr, data) };
    if r == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

fn event_msg(tid: i32) -> Option<u64> {
    let mut v: libc::c_ulong = 0;
    ptrace_req(
        libc::PTRACE_GETEVENTMSG,
        tid,
        0,
        &mut v as *mut libc::c_ulong as usize,
    )
    .ok()
    .map(|_| v as u64)
}

fn now_ns() -> i128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128)
}

fn tgid_of(tid: i32) -> i32 {
    std::fs::read_to_string(format!("/proc/{tid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Tgid:").and_then(|v| v.trim().parse().ok()))
        })
        .unwrap_or(tid)
}

fn comm_of(pid: i32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|s| s.trim_end_matches('\n').to_string())
        .unwrap_or_default()
}

extern "C" fn on_signal(sig: libc::c_int) {
    STOP_SIGNAL.store(sig, Ordering::SeqCst);
}

/// SIGINT/SIGTERM set [`STOP_SIGNAL`] and interrupt `waitpid` (no SA_RESTART).
fn install_signal_handlers() {
    for sig in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: a zeroed sigaction with an async-signal-safe handler (one atomic store).
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_signal as *const () as usize;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
}

/// A syscall on a netlink socket waiting for its exit.
struct Pending {
    nr: u64,
    args: [u64; 6],
    fd: i32,
    inode: u64,
    /// None until the socket is bound (a send binds it automatically).
    protocol: Option<u16>,
}

struct Tracee {
    tgid: i32,
    pending: Option<Pending>,
}

struct Tracer<'a> {
    tracees: HashMap<i32, Tracee>,
    sockets: Sockets,
    /// Tracees stop only at the filter's syscalls (resume with PTRACE_CONT).
    seccomp: bool,
    follow: bool,
    /// Processes whose messages are always recorded (the command, the attached pids).
    roots: Vec<i32>,
    /// The process whose exit status is ours.
    main: i32,
    status: Option<i32>,
    attach: bool,
    /// Detaching (attach mode, after SIGINT/SIGTERM).
    detaching: bool,
    /// The consumer asked to stop: keep the program running, record nothing more.
    quiet: bool,
    execed: bool,
    /// Read end of the started command's report pipe (see [`reports`]).
    pipe: Option<libc::c_int>,
    on_frame: &'a mut dyn FnMut(Traced) -> bool,
}

const PTRACE_EVENT_STOP: i32 = 128;

impl Tracer<'_> {
    fn resume(&self, tid: i32, sig: i32) {
        let syscall = !self.seccomp || self.tracees.get(&tid).is_some_and(|t| t.pending.is_some());
        let req = if syscall {
            libc::PTRACE_SYSCALL
        } else {
            libc::PTRACE_CONT
        };
        // ESRCH: it died meanwhile; its exit comes through waitpid.
        let _ = ptrace_req(req, tid, 0, sig as usize);
    }

    fn recorded(&self, tgid: i32) -> bool {
        !self.quiet && (self.follow || self.roots.contains(&tgid))
    }

    /// Syscall entry (seccomp stop or syscall-entry stop): remember it if it is on a netlink
    /// socket of a recorded process.
    fn entry(&mut self, tid: i32, info: &SyscallInfo) {
        let nr = info.nr();
        // An attached 32-bit program's syscalls have other numbers: not traced.
        if info.arch != AUDIT_ARCH_X86_64 || syscalls::name(nr).is_none() {
            return;
        }
        let args = info.args();
        let Some(tgid) = self.tracees.get(&tid).map(|t| t.tgid) else {
            return;
        };
        if !self.recorded(tgid) || syscalls::is_peek(nr, &args) {
            return;
        }
        let fd = args[0] as i32;
        if let Some(inode) = self.sockets.netlink_inode(tid, fd) {
            let protocol = self.sockets.protocol(tid, inode);
            if let Some(t) = self.tracees.get_mut(&tid) {
                t.pending = Some(Pending {
                    nr,
                    args,
                    fd,
                    inode,
                    protocol,
                });
            }
        }
    }

    /// Syscall exit: record what it moved.
    fn exit(&mut self, tid: i32, info: &SyscallInfo) {
        let Some(t) = self.tracees.get_mut(&tid) else {
            return;
        };
        let tgid = t.tgid;
        let Some(p) = t.pending.take() else {
            return;
        };
        let ts_ns = now_ns();
        let Some(protocol) = p.protocol.or_else(|| self.sockets.protocol(tid, p.inode)) else {
            return;
        };
        let Ok(pieces) = syscalls::pieces(tid, p.nr, &p.args, info.rval()) else {
            return;
        };
        let pkttype = if syscalls::is_send(p.nr) {
            PKT_SENT
        } else {
            PKT_RECEIVED
        };
        let call = syscalls::name(p.nr).unwrap_or("?");
        let proc = ProcInfo {
            pid: tgid,
            tid,
            comm: comm_of(tgid),
            exe: None,
        };
        for piece in pieces {
            let mut data = Vec::with_capacity(16 + piece.bytes.len());
            data.extend_from_slice(&cooked_header(pkttype, protocol));
            data.extend_from_slice(&piece.bytes);
            let frame = Captured {
                ts_ns,
                interface: 0,
                data,
                orig_len: u32::try_from(16 + piece.orig_len).unwrap_or(u32::MAX),
                group: piece.group,
                nsid: None,
                drops_before: 0,
            };
            let go_on = (self.on_frame)(Traced {
                frame,
                proc: proc.clone(),
                fd: p.fd,
                call,
            });
            if !go_on {
                self.quiet = true;
                break;
            }
        }
    }

    fn exec(&mut self, tid: i32) {
        if let Some(former) = event_msg(tid).and_then(|v| i32::try_from(v).ok())
            && former != tid
        {
            self.tracees.remove(&former);
        }
        if let Some(t) = self.tracees.get_mut(&tid) {
            t.pending = None;
        }
        if tid == self.main && !self.execed {
            self.execed = true;
            let no_filter = self
                .pipe
                .is_some_and(|rd| reports(rd).iter().any(|r| r.0 == STAGE_SECCOMP));
            if self.seccomp && no_filter {
                // The filter could not be installed: stop at every syscall instead.
                self.seccomp = false;
            }
        }
    }

    fn stop_requested(&mut self, sig: i32) {
        if self.attach {
            if !self.detaching {
                self.detaching = true;
                for tid in self.tracees.keys() {
                    let _ = ptrace_req(libc::PTRACE_INTERRUPT, *tid, 0, 0);
                }
            }
        } else if sig == libc::SIGTERM {
            // SIGINT from a terminal reached the program itself; SIGTERM was for us.
            // SAFETY: kill(2) on our child.
            unsafe { libc::kill(self.main, sig) };
        }
    }

    fn detach(&mut self, tid: i32, sig: i32) {
        let _ = ptrace_req(libc::PTRACE_DETACH, tid, 0, sig as usize);
        self.tracees.remove(&tid);
    }

    fn run(&mut self) -> Result<Outcome, TraceError> {
        loop {
            let sig = STOP_SIGNAL.swap(0, Ordering::SeqCst);
            if sig != 0 {
                self.stop_requested(sig);
            }
            if self.detaching && self.tracees.is_empty() {
                return Ok(Outcome::Detached);
            }
            let mut st: libc::c_int = 0;
            // SAFETY: waitpid writes the status into `st`.
            let tid = unsafe { libc::waitpid(-1, &mut st, libc::__WALL) };
            if tid < 0 {
                match io::Error::last_os_error().raw_os_error() {
                    Some(libc::EINTR) => continue,
                    Some(libc::ECHILD) => break,
                    _ => {
                        return Err(TraceError::new(format!(
                            "waiting for the traced program: {}",
                            io::Error::last_os_error()
                        )));
                    }
                }
            }
            if libc::WIFEXITED(st) || libc::WIFSIGNALED(st) {
                self.tracees.remove(&tid);
                if tid == self.main {
                    self.status = Some(if libc::WIFEXITED(st) {
                        libc::WEXITSTATUS(st)
                    } else {
                        128 + libc::WTERMSIG(st)
                    });
                }
                if self.attach && self.tracees.is_empty() {
                    // Attached processes are not our children: nothing else to wait for.
                    break;
                }
                continue;
            }
            if !libc::WIFSTOPPED(st) {
                continue;
            }
            let sig = libc::WSTOPSIG(st);
            let event = (st >> 16) & 0xffff;
            let fresh = !self.tracees.contains_key(&tid);
            if fresh {
                self.tracees.insert(
                    tid,
                    Tracee {
                        tgid: tgid_of(tid),
                        pending: None,
                    },
                );
            }
            if self.detaching {
                let inject = if event == 0 && sig != (libc::SIGTRAP | 0x80) {
                    sig
                } else {
                    0
                };
                self.detach(tid, inject);
                continue;
            }
            if sig == libc::SIGTRAP | 0x80 {
                if let Some(info) = syscall_info(tid) {
                    match info.op {
                        OP_ENTRY | OP_SECCOMP => self.entry(tid, &info),
                        OP_EXIT => self.exit(tid, &info),
                        _ => {}
                    }
                }
                self.resume(tid, 0);
                continue;
            }
            if sig == libc::SIGTRAP && event != 0 {
                match event {
                    libc::PTRACE_EVENT_SECCOMP => {
                        if let Some(info) = syscall_info(tid)
                            && info.op == OP_SECCOMP
                        {
                            self.entry(tid, &info);
                        }
                    }
                    libc::PTRACE_EVENT_EXEC => self.exec(tid),
                    _ => {} // fork/vfork/clone: the new tracee reports its own stop
                }
                self.resume(tid, 0);
                continue;
            }
            if event == PTRACE_EVENT_STOP {
                // Seized tracees: the attach stop, a new child's first stop, or a group-stop.
                if matches!(
                    sig,
                    libc::SIGSTOP | libc::SIGTSTP | libc::SIGTTIN | libc::SIGTTOU
                ) {
                    let _ = ptrace_req(libc::PTRACE_LISTEN, tid, 0, 0);
                } else {
                    self.resume(tid, 0);
                }
                continue;
            }
            if fresh && sig == libc::SIGSTOP {
                // A new child's first stop (not seized).
                self.resume(tid, 0);
                continue;
            }
            // A signal for the program, or a group-stop (GETSIGINFO fails): let it go on.
            // SAFETY: siginfo_t is plain data the kernel fills.
            let mut si: libc::siginfo_t = unsafe { std::mem::zeroed() };
            let group_stop = ptrace_req(
                libc::PTRACE_GETSIGINFO,
                tid,
                0,
                &mut si as *mut libc::siginfo_t as usize,
            )
            .is_err();
            self.resume(tid, if group_stop { 0 } else { sig });
        }
        Ok(match self.status {
            Some(s) => Outcome::Exited(s),
            None if self.attach => Outcome::Detached,
            None => Outcome::Exited(1),
        })
    }
}

/// Find `prog` in PATH (or take it as a path if it has a slash).
fn resolve(prog: &OsString) -> Result<CString, TraceError> {
    use std::os::unix::fs::PermissionsExt;
    let bytes = prog.as_bytes();
    let executable = |p: &std::path::Path| {
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    let found = if bytes.contains(&b'/') {
        let p = std::path::PathBuf::from(prog);
        if !p.exists() {
            return Err(TraceError {
                message: format!("{}: no such file", p.display()),
                code: 127,
            });
        }
        p
    } else {
        let path = std::env::var_os("PATH").unwrap_or_else(|| {
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into()
        });
        std::env::split_paths(&path)
            .map(|d| d.join(prog))
            .find(|p| executable(p))
            .ok_or_else(|| TraceError {
                message: format!("command not found: {}", prog.to_string_lossy()),
                code: 127,
            })?
    };
    CString::new(found.as_os_str().as_bytes())
        .map_err(|_| TraceError::new("the command's path contains a NUL byte"))
}

/// Stages the child reports a failure at, through the CLOEXEC pipe.
const STAGE_TRACEME: u8 = 1;
const STAGE_EXEC: u8 = 2;
/// Not fatal: the command runs without the filter (the tracer then stops it at every syscall).
const STAGE_SECCOMP: u8 = 3;

/// Fork, stop, and exec `argv` under the seccomp filter. Returns the child's pid (stopped at its
/// SIGSTOP, options set) and the read end of the error pipe.
fn spawn(argv: &[OsString], stdout_to_stderr: bool) -> Result<(i32, libc::c_int), TraceError> {
    let prog = argv
        .first()
        .ok_or_else(|| TraceError::new("no command given"))?;
    let path = resolve(prog)?;
    let cargs: Vec<CString> = argv
        .iter()
        .map(|a| CString::new(a.as_bytes()))
        .collect::<Result<_, _>>()
        .map_err(|_| TraceError::new("an argument contains a NUL byte"))?;
    let mut ptrs: Vec<*const libc::c_char> = cargs.iter().map(|c| c.as_ptr()).collect();
    ptrs.push(std::ptr::null());
    let filter = super::seccomp::program();
    // NLSCOPE_TRACE_NO_SECCOMP=1: stop at every syscall, as an attach does (for tests and
    // comparisons).
    let use_filter = std::env::var_os("NLSCOPE_TRACE_NO_SECCOMP").is_none_or(|v| v != "1");
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: pipe2 fills `fds`.
    // Non-blocking: the tracer reads it at the exec event or the child's end, when whatever
    // the child wrote is there (the write end closes at exec).
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) } != 0 {
        return Err(TraceError::new(format!(
            "creating a pipe: {}",
            io::Error::last_os_error()
        )));
    }
    let [rd, wr] = fds;
    // SAFETY: fork; the child only makes async-signal-safe calls until exec or _exit.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(TraceError::new(format!(
            "fork: {}",
            io::Error::last_os_error()
        )));
    }
    if pid == 0 {
        // SAFETY: (child) raw syscalls on our own fds and memory prepared before the fork.
        unsafe {
            let report = |stage: u8| {
                let e = *libc::__errno_location();
                let mut b = [0u8; 5];
                b[0] = stage;
                b[1..].copy_from_slice(&e.to_ne_bytes());
                libc::write(wr, b.as_ptr().cast(), b.len());
            };
            libc::close(rd);
            if stdout_to_stderr {
                libc::dup2(2, 1);
            }
            if libc::ptrace(libc::PTRACE_TRACEME, 0, 0usize, 0usize) != 0 {
                report(STAGE_TRACEME);
                libc::_exit(126);
            }
            libc::raise(libc::SIGSTOP);
            if !use_filter || super::seccomp::install(&filter).is_err() {
                report(STAGE_SECCOMP);
            }
            libc::execv(path.as_ptr(), ptrs.as_ptr());
            report(STAGE_EXEC);
            libc::_exit(127);
        }
    }
    // SAFETY: our copy of the write end.
    unsafe { libc::close(wr) };
    let mut st: libc::c_int = 0;
    // SAFETY: waitpid on our child.
    let r = unsafe { libc::waitpid(pid, &mut st, libc::__WALL) };
    if r != pid || !libc::WIFSTOPPED(st) {
        let why = child_error(rd);
        // SAFETY: closing our fd.
        unsafe { libc::close(rd) };
        return Err(why.unwrap_or_else(|| TraceError::new("the command did not start")));
    }
    let opts = libc::PTRACE_O_TRACESYSGOOD
        | libc::PTRACE_O_TRACEEXEC
        | libc::PTRACE_O_TRACESECCOMP
        | libc::PTRACE_O_EXITKILL
        // The filter is inherited: children stop at the traced syscalls too, so they must be
        // traced (without -f their messages are not recorded).
        | libc::PTRACE_O_TRACEFORK
        | libc::PTRACE_O_TRACEVFORK
        | libc::PTRACE_O_TRACECLONE;
    ptrace_req(libc::PTRACE_SETOPTIONS, pid, 0, opts as usize)
        .map_err(|e| TraceError::new(format!("PTRACE_SETOPTIONS: {e}")))?;
    Ok((pid, rd))
}

/// The (stage, errno) records the child wrote to the report pipe so far (at most three).
fn reports(rd: libc::c_int) -> Vec<(u8, i32)> {
    let mut b = [0u8; 15];
    let mut n = 0usize;
    while let Some(rest) = b.get_mut(n..).filter(|r| !r.is_empty()) {
        // SAFETY: read into our buffer; the fd is non-blocking.
        let r = unsafe { libc::read(rd, rest.as_mut_ptr().cast(), rest.len()) };
        match usize::try_from(r) {
            Ok(0) | Err(_) => break,
            Ok(k) => n += k,
        }
    }
    b.get(..n)
        .unwrap_or_default()
        .chunks_exact(5)
        .map(|c| {
            let e = c.get(1..5).and_then(|x| <[u8; 4]>::try_from(x).ok());
            (
                c.first().copied().unwrap_or(0),
                e.map_or(0, i32::from_ne_bytes),
            )
        })
        .collect()
}

/// Why the command did not start, from the report pipe, if the child said.
fn child_error(rd: libc::c_int) -> Option<TraceError> {
    let (stage, errno) = reports(rd)
        .into_iter()
        .find(|r| r.0 == STAGE_TRACEME || r.0 == STAGE_EXEC)?;
    let e = io::Error::from_raw_os_error(errno);
    Some(match stage {
        STAGE_TRACEME => TraceError::new(format!("PTRACE_TRACEME: {e}{}", eperm_hint(errno))),
        _ => TraceError {
            message: format!("cannot execute the command: {e}"),
            code: if errno == libc::ENOENT { 127 } else { 126 },
        },
    })
}

fn eperm_hint(errno: i32) -> &'static str {
    if errno == libc::EPERM { EPERM_HINT } else { "" }
}

const EPERM_HINT: &str = "; ptrace needs CAP_SYS_PTRACE (run as root), or Yama's \
    /proc/sys/kernel/yama/ptrace_scope at 0 (any process of yours) or 1 (your descendants only); \
    a container's seccomp profile may forbid ptrace altogether; a process that a debugger or \
    strace already traces cannot be traced again";

/// Seize every thread of `pid` and interrupt it (the first stop then starts syscall tracing).
fn attach(pid: i32, follow: bool) -> Result<Vec<i32>, TraceError> {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task"))
        .map_err(|_| TraceError::new(format!("no process {pid}")))?;
    let mut opts =
        libc::PTRACE_O_TRACESYSGOOD | libc::PTRACE_O_TRACEEXEC | libc::PTRACE_O_TRACECLONE;
    if follow {
        opts |= libc::PTRACE_O_TRACEFORK | libc::PTRACE_O_TRACEVFORK;
    }
    let mut tids = Vec::new();
    for t in tasks.flatten() {
        let Some(tid) = t.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
            continue;
        };
        match ptrace_req(libc::PTRACE_SEIZE, tid, 0, opts as usize) {
            Ok(_) => {}
            Err(e) if e.raw_os_error() == Some(libc::EPERM) => {
                return Err(TraceError::new(format!(
                    "attaching to process {pid}: not permitted{EPERM_HINT}"
                )));
            }
            // A thread that ended meanwhile.
            Err(e) if e.raw_os_error() == Some(libc::ESRCH) && tid != pid => continue,
            Err(e) => return Err(TraceError::new(format!("attaching to process {pid}: {e}"))),
        }
        let _ = ptrace_req(libc::PTRACE_INTERRUPT, tid, 0, 0);
        tids.push(tid);
    }
    Ok(tids)
}

pub fn run(
    opts: &TraceOptions,
    on_frame: &mut dyn FnMut(Traced) -> bool,
) -> Result<Outcome, TraceError> {
    install_signal_handlers();
    let mut t = Tracer {
        tracees: HashMap::new(),
        sockets: Sockets::default(),
        seccomp: false,
        follow: opts.follow,
        roots: Vec::new(),
        main: 0,
        status: None,
        attach: false,
        detaching: false,
        quiet: false,
        execed: false,
        pipe: None,
        on_frame,
    };
    match &opts.target {
        Target::Command(argv) => {
            let (pid, rd) = spawn(argv, opts.stdout_to_stderr)?;
            t.seccomp = true;
            t.pipe = Some(rd);
            t.main = pid;
            t.roots.push(pid);
            t.tracees.insert(
                pid,
                Tracee {
                    tgid: pid,
                    pending: None,
                },
            );
            t.resume(pid, 0);
            let out = t.run();
            let failed = if t.execed { None } else { child_error(rd) };
            // SAFETY: closing our fd.
            unsafe { libc::close(rd) };
            match failed {
                Some(e) => Err(e),
                None => out,
            }
        }
        Target::Attach(pids) => {
            t.attach = true;
            t.main = pids.first().copied().unwrap_or(0);
            for &pid in pids {
                if pid <= 0 {
                    return Err(TraceError::new(format!("no process {pid}")));
                }
                let tgid = tgid_of(pid);
                for tid in attach(pid, opts.follow)? {
                    t.tracees.insert(
                        tid,
                        Tracee {
                            tgid,
                            pending: None,
                        },
                    );
                }
                t.roots.push(tgid);
            }
            t.run()
        }
    }
}
