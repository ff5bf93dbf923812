//! `nlscope trace`: record one program's whole netlink conversation with ptrace, on every
//! netlink protocol, without nlmon.
//!
//! The tracer stops the program at its socket I/O syscalls (send/recv/read/write and their
//! vector forms), keeps only those on netlink sockets (`socket:[INODE]` in `/proc/TID/fd`,
//! looked up in the program's `/proc/TID/net/netlink`), and reads the bytes the kernel actually
//! took or delivered at the syscall's exit. Each send or receive becomes one LINKTYPE_NETLINK
//! frame (one per message vector element for sendmmsg/recvmmsg) with the cooked header nlmon
//! writes and the socket's protocol, plus a `proc:` packet comment naming the process.
//!
//! - `ptrace.rs`: starting or attaching, the wait loop, signals, forks, exec, exits;
//! - `seccomp.rs`: the BPF filter that stops a spawned program only at those syscalls;
//! - `syscalls.rs`: which syscalls, and where their bytes are (iovecs, msghdrs, mmsghdrs);
//! - `mem.rs`: bounded reads of the tracee's memory;
//! - `sockets.rs`: is this fd a netlink socket, and of which protocol.
//!
//! The `proc:` comment format and its parser live here (no ptrace needed to read them).

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod mem;
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod ptrace;
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod seccomp;
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod sockets;
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod syscalls;

use std::ffi::OsString;
use std::sync::atomic::AtomicI32;

use super::Captured;

/// What to trace.
#[derive(Debug, Clone)]
pub enum Target {
    /// Start this command (argv; the first element is looked up in `PATH`).
    Command(Vec<OsString>),
    /// Attach to these running processes (every thread of each).
    Attach(Vec<i32>),
}

/// Options of a trace.
#[derive(Debug, Clone)]
pub struct TraceOptions {
    /// The program.
    pub target: Target,
    /// Also record child processes (threads of a traced process always are).
    pub follow: bool,
    /// A started command's standard output goes to standard error (ours is the capture
    /// stream: `-w -`).
    pub stdout_to_stderr: bool,
}

/// How the trace ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The (first) traced program exited with this status (a signal `S` gives `128 + S`).
    Exited(i32),
    /// We stopped tracing (SIGINT/SIGTERM on an attach, or the consumer asked to stop).
    Detached,
}

/// Why a trace could not run.
#[derive(Debug)]
pub struct TraceError {
    /// One line for the user.
    pub message: String,
    /// Suggested exit status (127: command not found, 126: not executable, 1: other).
    pub code: i32,
}

impl TraceError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        TraceError {
            message: message.into(),
            code: 1,
        }
    }
}

/// A signal number set by the CLI's SIGINT/SIGTERM handler; the tracer checks it between
/// stops (0: none).
pub static STOP_SIGNAL: AtomicI32 = AtomicI32::new(0);

/// The process a traced frame belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcInfo {
    /// Process id (thread group id).
    pub pid: i32,
    /// Thread id.
    pub tid: i32,
    /// The process's name (`/proc/PID/comm`).
    pub comm: String,
}

/// Prefix of the packet comment that names a traced frame's process.
pub const PROC_COMMENT: &str = "proc: ";

impl ProcInfo {
    /// The packet comment: `proc: pid=1234 tid=1235 fd=3 call=sendmsg comm=ip` (`fd` and
    /// `call` optional; `comm` last, to the end of the line, control characters as `?`).
    pub fn comment(&self, fd: Option<i32>, call: Option<&str>) -> String {
        let mut s = format!("{PROC_COMMENT}pid={} tid={}", self.pid, self.tid);
        if let Some(fd) = fd {
            s.push_str(&format!(" fd={fd}"));
        }
        if let Some(c) = call {
            s.push_str(&format!(" call={c}"));
        }
        s.push_str(" comm=");
        s.extend(
            self.comm
                .chars()
                .map(|c| if c.is_control() { '?' } else { c }),
        );
        s
    }

    /// Parse a `proc:` comment (unknown keys are skipped; pid and comm are required, tid
    /// defaults to pid).
    pub fn parse(comment: &str) -> Option<ProcInfo> {
        let rest = comment.strip_prefix(PROC_COMMENT)?;
        let (head, comm) = match rest.find("comm=") {
            Some(i) => (rest.get(..i)?, rest.get(i + 5..)?),
            None => return None,
        };
        let mut pid = None;
        let mut tid = None;
        for kv in head.split_whitespace() {
            match kv.split_once('=') {
                Some(("pid", v)) => pid = v.parse().ok(),
                Some(("tid", v)) => tid = v.parse().ok(),
                _ => {}
            }
        }
        let pid = pid?;
        Some(ProcInfo {
            pid,
            tid: tid.unwrap_or(pid),
            comm: comm.to_string(),
        })
    }

    /// The first `proc:` comment among a frame's comments.
    pub fn from_comments<S: AsRef<str>>(comments: &[S]) -> Option<ProcInfo> {
        comments.iter().find_map(|c| ProcInfo::parse(c.as_ref()))
    }
}

/// One recorded send or receive.
#[derive(Debug, Clone)]
pub struct Traced {
    /// The frame (interface 0), cooked header included.
    pub frame: Captured,
    /// Who sent or received it.
    pub proc: ProcInfo,
    /// The socket's file descriptor in that process.
    pub fd: i32,
    /// The syscall (`sendmsg`, `recvfrom`, ...).
    pub call: &'static str,
}

impl Traced {
    /// The frame's packet comments (the `proc:` line).
    pub fn comments(&self) -> Vec<String> {
        let mut c = self.frame.comments(None);
        c.push(self.proc.comment(Some(self.fd), Some(self.call)));
        c
    }
}

/// Name of the pcapng interface traced frames are recorded on.
pub const TRACE_INTERFACE: &str = "trace";

/// Run the trace, handing every recorded frame to `on_frame` (which returns false to stop
/// tracing: attached processes are detached, a started command is killed).
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
pub fn run(
    opts: &TraceOptions,
    on_frame: &mut dyn FnMut(Traced) -> bool,
) -> Result<Outcome, TraceError> {
    ptrace::run(opts, on_frame)
}

/// Run the trace (x86_64 Linux only: elsewhere this says so).
#[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
pub fn run(
    _opts: &TraceOptions,
    _on_frame: &mut dyn FnMut(Traced) -> bool,
) -> Result<Outcome, TraceError> {
    Err(TraceError::new(
        "nlscope trace works on x86_64 Linux only (its syscall decoding and seccomp filter are x86_64's)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_comment_round_trip() {
        let p = ProcInfo {
            pid: 12,
            tid: 13,
            comm: "my prog\n".into(),
        };
        let c = p.comment(Some(3), Some("sendmsg"));
        assert_eq!(c, "proc: pid=12 tid=13 fd=3 call=sendmsg comm=my prog?");
        let back = ProcInfo::parse(&c).unwrap();
        assert_eq!(
            (back.pid, back.tid, back.comm.as_str()),
            (12, 13, "my prog?")
        );
        assert_eq!(
            ProcInfo::parse("proc: pid=5 comm=ip"),
            Some(ProcInfo {
                pid: 5,
                tid: 5,
                comm: "ip".into()
            })
        );
        assert_eq!(ProcInfo::parse("proc: tid=5 comm=ip"), None);
        assert_eq!(ProcInfo::parse("group: 1"), None);
        assert_eq!(ProcInfo::parse("proc: pid=x comm=ip"), None);
    }
}
