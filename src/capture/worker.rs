//! The capture worker thread: polls its sources, batches frames, and sends them through a
//! bounded channel without ever blocking on the consumer.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, TrySendError, bounded};

use super::procmap::{self, ProcMap};
use super::{Captured, Source, SourceStats};

/// Totals of a capture.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CaptureStats {
    /// Frames handed to the consumer.
    pub delivered: u64,
    /// Frames dropped because the consumer's channel was full.
    pub channel_drops: u64,
    /// Sum of the sources' counters.
    pub sources: SourceStats,
}

impl CaptureStats {
    /// Everything lost: kernel drops plus channel drops.
    pub fn dropped(&self) -> u64 {
        self.sources.kernel_drops + self.channel_drops
    }
}

/// What the worker sends. Every event carries the capture id it belongs to, so a consumer that
/// restarted capturing can ignore a stopped capture's stragglers.
#[derive(Debug)]
pub enum Event {
    /// The sources are open: interface names and section comments for the capture file.
    Started {
        /// Capture id.
        id: u64,
        /// Interface names, indexed by `Captured::interface`.
        interfaces: Vec<String>,
        /// Section-header comments (e.g. generic netlink family ids).
        comments: Vec<String>,
    },
    /// Frames, in arrival order, with their metadata comments.
    Frames {
        /// Capture id.
        id: u64,
        /// Frames and the pcapng comments describing each.
        frames: Vec<(Captured, Vec<String>)>,
    },
    /// Counters, sent about once a second and at the end.
    Stats {
        /// Capture id.
        id: u64,
        /// Totals so far.
        stats: CaptureStats,
    },
    /// Opening or reading a source failed; the capture has stopped.
    Error {
        /// Capture id.
        id: u64,
        /// What failed (with the privilege to grant, when that is the cause).
        message: String,
    },
    /// The worker has stopped (after a stop request or an error); final counters.
    Stopped {
        /// Capture id.
        id: u64,
        /// Final totals.
        stats: CaptureStats,
    },
}

/// Opens the sources inside the worker thread (so a `setns` there affects only the capture).
pub type Opener = Box<dyn FnOnce() -> io::Result<Vec<Box<dyn Source>>> + Send>;

/// A running capture.
pub struct Worker {
    /// Capture id carried by every event.
    pub id: u64,
    /// Events from the worker.
    pub rx: Receiver<Event>,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Worker {
    /// Start capturing on a new thread; `capacity` is the channel size in batches. With
    /// `attribute`, frames whose port id a [`ProcMap`] resolves get a `proc:` comment.
    pub fn start(id: u64, open: Opener, capacity: usize, attribute: bool) -> io::Result<Worker> {
        let (tx, rx) = bounded(capacity.max(1));
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let handle = std::thread::Builder::new()
            .name("nlscope-capture".into())
            .spawn(move || run(id, open, &tx, &flag, attribute))?;
        Ok(Worker {
            id,
            rx,
            stop,
            handle: Some(handle),
        })
    }

    /// A flag that stops the worker when set (e.g. from a signal handler thread).
    pub fn stop_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.stop)
    }

    /// Ask the worker to stop; it sends `Stopped` and ends within one poll interval.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    /// Stop and wait for the thread, dropping the events it still sends: its last ones
    /// (`Error`, `Stopped`) wait for room in the channel, so a full channel nobody reads would
    /// hold it forever (a capture whose consumer gave up on an error, with frames queued).
    pub fn join(mut self) {
        self.stop();
        // The worker holds the only sender: the channel closes when its thread ends.
        while self.rx.recv().is_ok() {}
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn run(id: u64, open: Opener, tx: &Sender<Event>, stop: &AtomicBool, attribute: bool) {
    let mut sources = match open() {
        Ok(s) => s,
        Err(e) => {
            let _ = tx.send(Event::Error {
                id,
                message: e.to_string(),
            });
            let _ = tx.send(Event::Stopped {
                id,
                stats: CaptureStats::default(),
            });
            return;
        }
    };
    let mut bases = Vec::with_capacity(sources.len());
    let mut interfaces = Vec::new();
    let mut comments = Vec::new();
    for s in &sources {
        bases.push(interfaces.len());
        interfaces.extend(s.interfaces());
        comments.extend(s.section_comments());
    }
    if tx
        .send(Event::Started {
            id,
            interfaces,
            comments,
        })
        .is_err()
    {
        return;
    }
    let mut stats = CaptureStats::default();
    // Frames lost in the channel are marked on the next frame that gets through.
    let mut lost_pending = 0u64;
    let mut last_stats = Instant::now();
    let timeout = if sources.len() > 1 {
        Duration::from_millis(20)
    } else {
        Duration::from_millis(100)
    };
    let mut batch: Vec<Captured> = Vec::new();
    let mut failure = None;
    // Opened after the sources, on this thread: in the capture's network namespace.
    let mut procs = attribute.then(ProcMap::new);
    while !stop.load(Ordering::SeqCst) {
        for (s, base) in sources.iter_mut().zip(&bases) {
            if let Err(e) = s.poll(timeout, *base, &mut batch) {
                failure = Some(e.to_string());
                break;
            }
        }
        // A request (port id 0) whose answer is not read yet: wait a moment for the answer,
        // whose port id names the requester (nlmon; at most once per batch, 2 ms).
        if procs.is_some() && failure.is_none() && !batch.is_empty() && {
            let frames: Vec<&[u8]> = batch.iter().map(|c| c.data.as_slice()).collect();
            procmap::batch_has_unanswered_request(&frames)
        } {
            for (s, base) in sources.iter_mut().zip(&bases) {
                if let Err(e) = s.poll(Duration::from_millis(2), *base, &mut batch) {
                    failure = Some(e.to_string());
                    break;
                }
            }
        }
        if !batch.is_empty() {
            let mut ports = if procs.is_some() {
                procmap::batch_ports(batch.iter().map(|c| c.data.as_slice()))
            } else {
                Vec::new()
            }
            .into_iter();
            let frames: Vec<(Captured, Vec<String>)> = batch
                .drain(..)
                .map(|mut c| {
                    let port = ports.next().flatten();
                    c.drops_before += std::mem::take(&mut lost_pending);
                    let group_name = c.group.and_then(|g| {
                        let (src, base) = owner(&sources, &bases, c.interface)?;
                        src.group_name(c.interface - base, g)
                    });
                    let mut comments = c.comments(group_name.as_deref());
                    // Another namespace's port ids are not ours to look up.
                    if c.nsid.is_none()
                        && let Some(pm) = procs.as_mut()
                        && let Some((protocol, portid)) = port
                        && let Some(pc) = pm.comment_for_port(protocol, portid)
                    {
                        comments.push(pc);
                    }
                    (c, comments)
                })
                .collect();
            let n = frames.len() as u64;
            match tx.try_send(Event::Frames { id, frames }) {
                Ok(()) => stats.delivered += n,
                Err(TrySendError::Full(_)) => {
                    stats.channel_drops += n;
                    lost_pending += n;
                }
                Err(TrySendError::Disconnected(_)) => return,
            }
        }
        if failure.is_some() {
            break;
        }
        if last_stats.elapsed() >= Duration::from_secs(1) {
            last_stats = Instant::now();
            stats.sources = sum(&sources);
            // Counters are advisory: if the channel is full, the next ones will do.
            let _ = tx.try_send(Event::Stats { id, stats });
        }
    }
    stats.sources = sum(&sources);
    if let Some(message) = failure {
        let _ = tx.send(Event::Error { id, message });
    }
    let _ = tx.send(Event::Stopped { id, stats });
}

fn owner<'a>(
    sources: &'a [Box<dyn Source>],
    bases: &[usize],
    interface: usize,
) -> Option<(&'a dyn Source, usize)> {
    let i = bases.iter().rposition(|b| *b <= interface)?;
    Some((sources.get(i)?.as_ref(), *bases.get(i)?))
}

fn sum(sources: &[Box<dyn Source>]) -> SourceStats {
    let mut t = SourceStats::default();
    for s in sources {
        let x = s.stats();
        t.received += x.received;
        t.kernel_drops += x.kernel_drops;
        t.overruns += x.overruns;
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::cooked_header;

    /// A source that yields `n` frames per poll until `total`, without waiting.
    struct Fake {
        left: u64,
        per_poll: u64,
        seen: u64,
        /// Set once every frame is out.
        done: Arc<AtomicBool>,
    }

    /// Stop `w` once `done` is set (frames out; a loaded machine takes longer), and at least
    /// `min` after the start; after a minute regardless, so a source that never finishes
    /// fails the test's counts rather than hanging it.
    fn stop_when(w: &Worker, done: &Arc<AtomicBool>, min: Duration) -> std::thread::JoinHandle<()> {
        let (stop, done) = (w.stop_flag(), Arc::clone(done));
        std::thread::spawn(move || {
            let start = Instant::now();
            while (!done.load(Ordering::SeqCst) || start.elapsed() < min)
                && start.elapsed() < Duration::from_secs(60)
            {
                std::thread::sleep(Duration::from_millis(10));
            }
            stop.store(true, Ordering::SeqCst);
        })
    }

    impl Source for Fake {
        fn interfaces(&self) -> Vec<String> {
            vec!["fake".into()]
        }
        fn poll(
            &mut self,
            timeout: Duration,
            base: usize,
            out: &mut Vec<Captured>,
        ) -> io::Result<()> {
            if self.left == 0 {
                std::thread::sleep(timeout.min(Duration::from_millis(5)));
                return Ok(());
            }
            if self.per_poll == 1 {
                // Steady trickle, like a busy kernel.
                std::thread::sleep(Duration::from_micros(50));
            }
            for _ in 0..self.per_poll.min(self.left) {
                let mut data = cooked_header(4, 0).to_vec();
                data.extend_from_slice(&self.seen.to_le_bytes());
                out.push(Captured {
                    ts_ns: 0,
                    interface: base,
                    data,
                    orig_len: 24,
                    group: Some(1),
                    nsid: None,
                    drops_before: 0,
                });
                self.seen += 1;
                self.left -= 1;
            }
            if self.left == 0 {
                self.done.store(true, Ordering::SeqCst);
            }
            Ok(())
        }
        fn stats(&self) -> SourceStats {
            SourceStats {
                received: self.seen,
                ..Default::default()
            }
        }
    }

    /// A worker (id `id`, a channel of `capacity` batches) over a [`Fake`] source of `left`
    /// frames, `per_poll` a poll, and the flag the source sets when all are out.
    fn fake_worker(
        id: u64,
        left: u64,
        per_poll: u64,
        capacity: usize,
    ) -> (Worker, Arc<AtomicBool>) {
        let done = Arc::new(AtomicBool::new(false));
        let d = Arc::clone(&done);
        let w = Worker::start(
            id,
            Box::new(move || {
                Ok(vec![Box::new(Fake {
                    left,
                    per_poll,
                    seen: 0,
                    done: d,
                }) as Box<dyn Source>])
            }),
            capacity,
            false,
        )
        .unwrap();
        (w, done)
    }

    fn collect(w: &Worker) -> (Vec<Captured>, CaptureStats) {
        let mut frames = Vec::new();
        for ev in w.rx.iter() {
            match ev {
                Event::Frames { id, frames: f } => {
                    assert_eq!(id, w.id);
                    frames.extend(f.into_iter().map(|(c, _)| c));
                }
                Event::Stopped { stats, .. } => return (frames, stats),
                _ => {}
            }
        }
        unreachable!("channel closed without Stopped")
    }

    #[test]
    fn delivers_everything_to_a_keen_consumer() {
        let (w, done) = fake_worker(7, 1000, 10, 1024);
        let t = stop_when(&w, &done, Duration::from_millis(300));
        let (frames, stats) = collect(&w);
        t.join().unwrap();
        assert_eq!(frames.len(), 1000);
        assert_eq!(stats.delivered, 1000);
        assert_eq!(stats.channel_drops, 0);
        assert_eq!(stats.sources.received, 1000);
    }

    #[test]
    fn join_returns_when_the_channel_is_full_and_nobody_reads() {
        let (w, _) = fake_worker(3, 10_000, 10, 1);
        // Frames fill the one slot; nothing reads them.
        let deadline = Instant::now() + Duration::from_secs(5);
        while !w.rx.is_full() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(w.rx.is_full());
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            w.join();
            let _ = tx.send(());
        });
        assert!(
            rx.recv_timeout(Duration::from_secs(10)).is_ok(),
            "join waited on a worker blocked sending into a full channel"
        );
    }

    #[test]
    fn a_slow_consumer_costs_counted_and_marked_drops_not_a_blocked_reader() {
        let (w, done) = fake_worker(1, 5000, 1, 2);
        // Read slowly: the worker must keep going regardless, counting what did not fit. It
        // stops once all 5,000 are out (under load the trickle took over the 1.5 s it had).
        let t = stop_when(&w, &done, Duration::from_millis(1500));
        let mut frames = Vec::new();
        let mut stats = CaptureStats::default();
        for ev in w.rx.iter() {
            std::thread::sleep(Duration::from_millis(2));
            match ev {
                Event::Frames { frames: f, .. } => frames.extend(f.into_iter().map(|(c, _)| c)),
                Event::Stopped { stats: s, .. } => {
                    stats = s;
                    break;
                }
                _ => {}
            }
        }
        t.join().unwrap();
        assert!(stats.channel_drops > 0);
        assert_eq!(stats.delivered + stats.channel_drops, 5000);
        assert_eq!(frames.len() as u64, stats.delivered);
        let marked: u64 = frames.iter().map(|f| f.drops_before).sum();
        assert!(marked > 0 && marked <= stats.channel_drops);
    }

    #[test]
    fn open_failure_is_reported() {
        let w = Worker::start(
            3,
            Box::new(|| {
                Err(io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    "need CAP_NET_ADMIN",
                ))
            }),
            4,
            false,
        )
        .unwrap();
        let evs: Vec<Event> = w.rx.iter().collect();
        assert!(
            matches!(&evs[0], Event::Error { message, .. } if message.contains("CAP_NET_ADMIN"))
        );
        assert!(matches!(evs.last(), Some(Event::Stopped { .. })));
    }
}
