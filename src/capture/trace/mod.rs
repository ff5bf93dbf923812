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
    /// The process's executable (`/proc/PID/exe`), when known (capture-time attribution
    /// records it; traces do not).
    pub exe: Option<String>,
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

    /// The packet comment capture-time attribution writes: `proc: pid=1234 port=5678
    /// exe=/usr/bin/ip comm=ip` (`port` the netlink port id the process was found by; `exe`
    /// percent-encoded: `%`, `=`, whitespace and control characters as `%XX`; `comm` last, as in
    /// [`ProcInfo::comment`], so readers that know only pid and comm read it too).
    pub fn attribution_comment(&self, port: u32) -> String {
        let mut s = format!("{PROC_COMMENT}pid={} port={port}", self.pid);
        if let Some(exe) = &self.exe {
            s.push_str(" exe=");
            s.push_str(&percent_encode(exe));
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
    /// defaults to pid, exe is optional).
    pub fn parse(comment: &str) -> Option<ProcInfo> {
        let rest = comment.strip_prefix(PROC_COMMENT)?;
        let (head, comm) = match rest.find("comm=") {
            Some(i) => (rest.get(..i)?, rest.get(i + 5..)?),
            None => return None,
        };
        let mut pid = None;
        let mut tid = None;
        let mut exe = None;
        for kv in head.split_whitespace() {
            match kv.split_once('=') {
                Some(("pid", v)) => pid = v.parse().ok(),
                Some(("tid", v)) => tid = v.parse().ok(),
                Some(("exe", v)) => exe = Some(percent_decode(v)),
                _ => {}
            }
        }
        let pid = pid?;
        Some(ProcInfo {
            pid,
            tid: tid.unwrap_or(pid),
            comm: comm.to_string(),
            exe,
        })
    }

    /// The first `proc:` comment among a frame's comments.
    pub fn from_comments<S: AsRef<str>>(comments: &[S]) -> Option<ProcInfo> {
        comments.iter().find_map(|c| ProcInfo::parse(c.as_ref()))
    }
}

/// `s` with `%`, `=`, whitespace and control characters as `%XX` (UTF-8 bytes), so it is one
/// whitespace-free token.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '%' || c == '=' || c.is_whitespace() || c.is_control() {
            let mut b = [0u8; 4];
            for byte in c.encode_utf8(&mut b).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The inverse of [`percent_encode`]; a malformed escape stays as written, bytes that are not
/// UTF-8 become U+FFFD.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (c, hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
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
            exe: None,
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
                comm: "ip".into(),
                exe: None,
            })
        );
        assert_eq!(ProcInfo::parse("proc: tid=5 comm=ip"), None);
        assert_eq!(ProcInfo::parse("group: 1"), None);
        assert_eq!(ProcInfo::parse("proc: pid=x comm=ip"), None);
    }

    #[test]
    fn attribution_comment_round_trip() {
        let p = ProcInfo {
            pid: 42,
            tid: 42,
            comm: "a b".into(),
            exe: Some("/opt/my dir/100%\tbin".into()),
        };
        let c = p.attribution_comment(7);
        assert_eq!(
            c,
            "proc: pid=42 port=7 exe=/opt/my%20dir/100%25%09bin comm=a b"
        );
        assert_eq!(ProcInfo::parse(&c), Some(p));
        // Malformed escapes stay as written; never a panic.
        let q = ProcInfo::parse("proc: pid=1 exe=%zz%4 comm=x").unwrap();
        assert_eq!(q.exe.as_deref(), Some("%zz%4"));
        assert_eq!(percent_decode("%E2%82%AC%"), "\u{20ac}%");
        assert_eq!(percent_encode("\u{20ac} x"), "\u{20ac}%20x");
    }
}
