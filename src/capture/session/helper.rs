//! A capture in a child process (`nlscope capture ... -w -`, usually through a privilege
//! wrapper): its pcapng stdout is parsed by the streaming reader, its stderr read line by line,
//! and one reaper thread owns the child (signals, SIGKILL escalation, the exit status). All
//! three send into one channel, so the end comes after the last frame.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, bounded, unbounded};

use super::Status;
use crate::pcap::feed::{Batch, Frames, feed};
use crate::store::Item;

/// Items queued between the helper's threads and the indexer (one frame each).
const CHANNEL: usize = 1024;
/// Longest stderr line kept, in bytes (the rest of the line is dropped).
pub(super) const MAX_LINE: u64 = 4096;
/// After SIGTERM, how long a child gets before SIGKILL.
const KILL_AFTER: Duration = Duration::from_secs(5);

/// The controlling end of a running helper.
pub(super) struct Helper {
    pub(super) pid: u32,
    /// Its stdin: closing it stops the helper (`--stop-on-stdin-eof`).
    stdin: Option<ChildStdin>,
    /// Signals for the reaper to deliver.
    signal: Sender<i32>,
    reaper: Option<JoinHandle<()>>,
}

/// Start `cmd` with piped stdin, stdout and stderr; returns its control and the channel of
/// its frames, comments and state.
pub(super) fn spawn(mut cmd: Command) -> Result<(Helper, Receiver<Item<Status>>), String> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let pid = child.id();
    let stdin = child.stdin.take();
    let (tx, rx) = bounded(CHANNEL);
    let (signal, signal_rx) = unbounded::<i32>();
    let mut readers = Vec::new();
    if let Some(out) = child.stdout.take() {
        let tx = tx.clone();
        let h = thread::Builder::new()
            .name("nlscope-live-read".into())
            .spawn(move || read_stream(out, &tx));
        readers.extend(h.ok());
    }
    if let Some(err) = child.stderr.take() {
        let tx = tx.clone();
        let h = thread::Builder::new()
            .name("nlscope-live-err".into())
            .spawn(move || read_lines(err, |line| tx.send(Item::Note(Status::Log(line))).is_ok()));
        readers.extend(h.ok());
    }
    let reaper = thread::Builder::new()
        .name("nlscope-live-reap".into())
        .spawn(move || reap(child, readers, &signal_rx, &tx))
        .map_err(|e| format!("cannot start the capture thread: {e}"))?;
    Ok((
        Helper {
            pid,
            stdin,
            signal,
            reaper: Some(reaper),
        },
        rx,
    ))
}

impl Helper {
    /// Ask the helper to stop: closing its stdin stops it even where signals cannot reach it
    /// (pkexec runs it as root); SIGTERM is quicker where they can.
    pub(super) fn stop(&mut self) {
        self.close_stdin();
        let _ = self.signal.send(libc::SIGTERM);
    }

    pub(super) fn close_stdin(&mut self) {
        drop(self.stdin.take());
    }

    /// Wait for the reaper (after it reported the end).
    pub(super) fn join(&mut self) {
        if let Some(h) = self.reaper.take() {
            let _ = h.join();
        }
    }
}

/// Parse the pcapng stream frame by frame (a live stream must not wait for a batch).
pub fn read_stream(out: impl Read, tx: &Sender<Item<Status>>) {
    // Buffers are not handed back across the indexer (it merges frames into larger batches).
    let (_back, back_rx) = unbounded::<Frames>();
    feed(out, 1, None, &back_rx, &mut |b| {
        let item = match b {
            Batch::Frames(f, _) => Item::Frames(f, 0),
            Batch::Comments(c) => Item::Comments(c),
            Batch::Error(e) => Item::Note(Status::Log(format!("capture stream: {e}"))),
        };
        tx.send(item).is_ok()
    });
}

/// Call `f` with each line of `r` (lines cut at [`MAX_LINE`] bytes) until EOF or `f` says stop.
pub fn read_lines(r: impl Read, mut f: impl FnMut(String) -> bool) {
    let mut br = BufReader::new(r);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match (&mut br).take(MAX_LINE).read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                if buf.last() != Some(&b'\n') && buf.len() as u64 >= MAX_LINE {
                    // Skip the rest of an overlong line.
                    let mut rest = Vec::new();
                    if (&mut br)
                        .take(1 << 20)
                        .read_until(b'\n', &mut rest)
                        .is_err()
                    {
                        return;
                    }
                }
                let line = String::from_utf8_lossy(&buf).trim_end().to_string();
                if !line.is_empty() && !f(line) {
                    return;
                }
            }
        }
    }
}

/// Own the child, deliver signals while it runs (the only place that reaps it, so a signal
/// never reaches a recycled pid), escalate to SIGKILL, and report its end after its output
/// has been read.
fn reap(
    mut child: Child,
    readers: Vec<JoinHandle<()>>,
    signals: &Receiver<i32>,
    tx: &Sender<Item<Status>>,
) {
    let mut term_at: Option<Instant> = None;
    let mut killed = false;
    let status: Option<ExitStatus> = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) => {}
            Err(_) => break None,
        }
        if let Some(t) = term_at
            && !killed
            && t.elapsed() >= KILL_AFTER
        {
            killed = true;
            // Fails with EPERM for a helper running as another user; its closed stdin and the
            // SIGTERM are all it gets then.
            let _ = child.kill();
        }
        match signals.recv_timeout(Duration::from_millis(50)) {
            Ok(sig) => {
                if let Ok(pid) = i32::try_from(child.id()) {
                    // SAFETY: plain kill(2) on our own, not yet reaped, child.
                    unsafe { libc::kill(pid, sig) };
                }
                term_at.get_or_insert_with(Instant::now);
            }
            Err(RecvTimeoutError::Timeout) => {}
            // The owner is gone: stop the helper.
            Err(RecvTimeoutError::Disconnected) => {
                if term_at.is_none() {
                    if let Ok(pid) = i32::try_from(child.id()) {
                        // SAFETY: as above.
                        unsafe { libc::kill(pid, libc::SIGTERM) };
                    }
                    term_at = Some(Instant::now());
                }
                thread::sleep(Duration::from_millis(50));
            }
        }
    };
    // Its pipes end with it; wait (briefly: a grandchild could hold them) for the last frames.
    let until = Instant::now() + Duration::from_secs(2);
    for r in readers {
        while !r.is_finished() && Instant::now() < until {
            thread::sleep(Duration::from_millis(10));
        }
        if r.is_finished() {
            let _ = r.join();
        }
    }
    let how = match status {
        None => Some("the capture process could not be waited for".to_string()),
        Some(s) if s.success() => None,
        Some(s) if term_at.is_some() && s.code().is_none() => None,
        Some(s) => Some(match s.code() {
            Some(126) => "capture process: authorization dismissed (exit status 126)".into(),
            Some(127) => {
                "capture process: not authorized, or the wrapper was not found (exit status 127)"
                    .into()
            }
            Some(c) => format!("capture process exited with status {c}"),
            None => format!("capture process ended by a signal ({s})"),
        }),
    };
    let _ = tx.send(Item::Note(Status::Ended(how)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_stderr_lines_are_cut() {
        let mut input = vec![b'a'; 10_000];
        input.extend_from_slice(b"\nsecond\n\nthird");
        let mut lines = Vec::new();
        read_lines(&input[..], |l| {
            lines.push(l);
            true
        });
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].len(), MAX_LINE as usize);
        assert_eq!(lines[1], "second");
        assert_eq!(lines[2], "third");
    }
}
