//! `nlscope capture`: live capture to a pcapng file, to stdout, or as live summary lines.

use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossbeam_channel::RecvTimeoutError;

use super::CliError;
use crate::capture::file::{CaptureFile, Limits, Stop, Target, parse_autostop, parse_ring};
use crate::capture::trace::ProcInfo;
use crate::capture::worker::{CaptureStats, Event, Worker};
use crate::capture::{SourceRequest, enter_netns, open_sources};
use crate::dissect::fields::MsgFields;
use crate::dissect::specs::SpecRegistry;
use crate::dissect::{Dissector, FrameIndex};
use crate::export::{self, Record};
use crate::filter::Filter;
use crate::model::Endian;

/// Options of `nlscope capture` (its command-line arguments).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CaptureOptions {
    /// nlmon interface to capture on (AF_PACKET).
    #[arg(short = 'i', value_name = "IFACE")]
    pub iface: Option<String>,
    /// Monitor multicast groups: route,genl,netfilter,xfrm,uevent,selinux,audit,proc or all.
    #[arg(long = "monitor", value_name = "LIST")]
    pub monitor: Option<String>,
    /// Write pcapng here (`-` for standard output); without it, print live summary lines.
    #[arg(short = 'w', value_name = "FILE")]
    pub write: Option<String>,
    /// Stop after N frames.
    #[arg(short = 'c', value_name = "N")]
    pub count: Option<u64>,
    /// Stop after duration:SECONDS or filesize:KB (repeatable).
    #[arg(short = 'a', value_name = "COND")]
    pub autostop: Vec<String>,
    /// Ring buffer: filesize:KB,files:N.
    #[arg(short = 'b', value_name = "SPEC")]
    pub ring: Option<String>,
    /// Capture inside this network namespace (`ip netns add NAME`).
    #[arg(long = "netns", value_name = "NAME")]
    pub netns: Option<String>,
    /// Also receive messages from other network namespaces (monitor; NETLINK_LISTEN_ALL_NSID).
    #[arg(long = "all-netns")]
    pub all_netns: bool,
    /// Create nlmon0 (or -i NAME) for the capture and remove it at the end.
    #[arg(long = "create-nlmon")]
    pub create_nlmon: bool,
    /// Overwrite an existing output file.
    #[arg(long = "force")]
    pub force: bool,
    /// Do not attribute frames to processes (by default each frame whose `nlmsg_pid` a
    /// process holds gets a `proc:` packet comment naming it; see README).
    #[arg(long = "no-proc")]
    pub no_proc: bool,
    /// Stop when standard input reaches its end (the desktop app's helper captures).
    // A parent that may not signal us (the app running this through pkexec) stops us by
    // closing the pipe.
    #[arg(long = "stop-on-stdin-eof", hide = true)]
    pub stop_on_stdin_eof: bool,
}

/// A live frame to print as summary lines.
pub(crate) struct LiveFrame<'a> {
    /// Cooked header and netlink bytes.
    pub data: &'a [u8],
    /// 1-based frame number.
    pub no: u64,
    /// Capture time, nanoseconds since the epoch.
    pub ts_ns: i128,
    /// The first frame's time.
    pub t0: i128,
    /// The frame's process (`proc.*` filter fields), if known.
    pub process: Option<&'a ProcInfo>,
}

/// Append the live summary lines of one frame to `text` (`nlscope capture` and `nlscope trace`
/// print the same): one per message matching `filter` (all without one), each followed by
/// `suffix`, or the frame's text when it has no netlink messages (uevents; only without a
/// filter). Returns whether anything was added.
pub(crate) fn push_summary_lines(
    text: &mut String,
    dis: &mut Dissector,
    fi: &mut FrameIndex,
    f: &LiveFrame<'_>,
    filter: Option<&Filter>,
    suffix: &str,
) -> bool {
    let before = text.len();
    dis.index_frame_into(
        f.data,
        crate::capture::CAPTURE_LINKTYPE,
        Endian::native(),
        fi,
    );
    for (mi, m) in fi.msgs.iter().enumerate() {
        let view = dis.view(f.data, m);
        if let Some(flt) = filter {
            let fields = MsgFields::new(&view, f.no, f.ts_ns, f.data.len())
                .relative_to(f.t0)
                .with_process(f.process);
            if !flt.matches(&fields) {
                continue;
            }
        }
        let rec = Record {
            frame: f.no,
            msg: mi,
            ts_ns: f.ts_ns,
            view,
            linked: None,
            changes: None,
            tree: None,
        };
        export::write_summary_line(text, &rec, f.t0);
        text.push_str(suffix);
        text.push('\n');
    }
    if fi.msgs.is_empty() && filter.is_none() {
        text.push_str(&format!(
            "{:>6}:- {}{suffix}\n",
            f.no,
            String::from_utf8_lossy(f.data.get(16..).unwrap_or(&[]))
                .replace('\0', " ")
                .trim()
        ));
    }
    text.len() > before
}

/// Run a capture until a limit, SIGINT/SIGTERM, or an error.
pub fn run(opts: &CaptureOptions, specs: SpecRegistry) -> Result<(), CliError> {
    let req = match (&opts.iface, &opts.monitor) {
        (Some(_), Some(_)) => {
            return Err(CliError::usage(
                "use either -i IFACE or --monitor, not both",
            ));
        }
        (Some(i), None) => SourceRequest::Nlmon {
            iface: i.clone(),
            create: opts.create_nlmon,
        },
        (None, Some(m)) => SourceRequest::Monitor {
            families: m.clone(),
            all_netns: opts.all_netns,
        },
        (None, None) if opts.create_nlmon => SourceRequest::Nlmon {
            iface: "nlmon0".into(),
            create: true,
        },
        (None, None) => {
            return Err(CliError::usage(
                "choose a source: -i IFACE (an nlmon interface, or --create-nlmon) or --monitor LIST|all",
            ));
        }
    };
    if opts.all_netns && opts.iface.is_some() {
        return Err(CliError::usage("--all-netns applies to --monitor"));
    }
    let mut limits = Limits {
        count: opts.count,
        ..Default::default()
    };
    for a in &opts.autostop {
        parse_autostop(a, &mut limits).map_err(CliError::usage)?;
    }
    if let Some(b) = &opts.ring {
        parse_ring(b, &mut limits).map_err(CliError::usage)?;
    }
    let mut file = match opts.write.as_deref() {
        None => None,
        Some("-") => Some(CaptureFile::new(Target::Stdout, limits, true)),
        Some(p) => Some(CaptureFile::new(
            Target::File(PathBuf::from(p)),
            limits,
            opts.force,
        )),
    }
    .transpose()
    .map_err(|e| CliError::usage(e.to_string()))?;
    let where_to = match opts.write.as_deref() {
        None => "live summary".to_string(),
        Some("-") => "standard output".to_string(),
        Some(p) => p.to_string(),
    };

    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, Arc::clone(&stop))
            .map_err(|e| CliError::new(format!("installing signal handler: {e}")))?;
    }
    if opts.stop_on_stdin_eof {
        let flag = Arc::clone(&stop);
        std::thread::Builder::new()
            .name("nlscope-stdin".into())
            .spawn(move || {
                let _ = io::copy(&mut io::stdin().lock(), &mut io::sink());
                flag.store(true, Ordering::SeqCst);
            })
            .map_err(|e| CliError::new(format!("starting the stdin watcher: {e}")))?;
    }
    let netns = opts.netns.clone();
    let open_req = req.clone();
    let worker = Worker::start(
        1,
        Box::new(move || {
            if let Some(ns) = &netns {
                enter_netns(ns)?;
            }
            open_sources(&open_req)
        }),
        256,
        !opts.no_proc,
    )
    .map_err(|e| CliError::new(format!("starting the capture thread: {e}")))?;

    let mut dis = Dissector::new(specs);
    let mut fi = FrameIndex::default();
    let stdout = io::stdout();
    let mut error: Option<String> = None;
    let mut stats = CaptureStats::default();
    let mut stopping = false;
    let mut t0: Option<i128> = None;
    let mut frame_no = 0u64;
    let mut text = String::new();
    let mut limit_hit: Option<Stop> = None;
    let mut started = false;
    // `-a duration` also applies without a file (live summary mode).
    let mut started_at: Option<std::time::Instant> = None;
    let duration_over = |at: Option<std::time::Instant>| {
        limits
            .duration
            .zip(at)
            .is_some_and(|(d, t)| t.elapsed() >= d)
    };
    // The loop's errors (a capture file that cannot be written) still wait for the worker:
    // it owns what it set up (an nlmon link made by `--create-nlmon`), which goes when it ends.
    let mut run = || -> Result<(), CliError> {
        loop {
            if !stopping && stop.load(Ordering::SeqCst) {
                stopping = true;
                worker.stop();
            }
            let ev = match worker.rx.recv_timeout(Duration::from_millis(200)) {
                Ok(ev) => ev,
                Err(RecvTimeoutError::Timeout) => {
                    if !stopping && duration_over(started_at) {
                        limit_hit = Some(Stop::Duration);
                        stopping = true;
                        worker.stop();
                    }
                    if let Some(f) = file.as_mut() {
                        f.tick()
                            .map_err(|e| CliError::new(format!("writing {where_to}: {e}")))?;
                        if !stopping && let Some(s) = f.should_stop() {
                            limit_hit = Some(s);
                            stopping = true;
                            worker.stop();
                        }
                    }
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => break,
            };
            match ev {
                Event::Started {
                    interfaces,
                    comments,
                    ..
                } => {
                    for c in &comments {
                        dis.learn_from_comment(c);
                    }
                    if let Some(f) = file.as_mut() {
                        f.start(&interfaces, comments)
                            .map_err(|e| CliError::new(format!("writing {where_to}: {e}")))?;
                    }
                    started = true;
                    started_at = Some(std::time::Instant::now());
                    eprintln!("Capturing on {} -> {where_to}", interfaces.join(", "));
                }
                Event::Frames { frames, .. } => {
                    for (c, comments) in frames {
                        if stopping && limit_hit.is_some() {
                            break;
                        }
                        match file.as_mut() {
                            Some(f) => {
                                f.write(&c, comments).map_err(|e| {
                                    CliError::new(format!("writing {where_to}: {e}"))
                                })?;
                                if !stopping && let Some(s) = f.should_stop() {
                                    limit_hit = Some(s);
                                    stopping = true;
                                    worker.stop();
                                }
                            }
                            None => {
                                frame_no += 1;
                                let t0v = *t0.get_or_insert(c.ts_ns);
                                text.clear();
                                let process = if comments.is_empty() {
                                    None
                                } else {
                                    ProcInfo::from_comments(&comments)
                                };
                                let mut suffix = String::new();
                                if let Some(p) = &process {
                                    export::push_proc_suffix(&mut suffix, p);
                                }
                                let frame = LiveFrame {
                                    data: &c.data,
                                    no: frame_no,
                                    ts_ns: c.ts_ns,
                                    t0: t0v,
                                    process: process.as_ref(),
                                };
                                push_summary_lines(
                                    &mut text, &mut dis, &mut fi, &frame, None, &suffix,
                                );
                                let mut out = stdout.lock();
                                if out
                                    .write_all(text.as_bytes())
                                    .and_then(|_| out.flush())
                                    .is_err()
                                {
                                    // Reader went away (e.g. `| head`): stop quietly.
                                    stopping = true;
                                    worker.stop();
                                }
                                if !stopping && opts.count.is_some_and(|n| frame_no >= n) {
                                    limit_hit = Some(Stop::Count);
                                    stopping = true;
                                    worker.stop();
                                }
                            }
                        }
                    }
                }
                Event::Stats { stats: s, .. } => stats = s,
                Event::Error { message, .. } => {
                    error = Some(message);
                }
                Event::Stopped { stats: s, .. } => {
                    stats = s;
                    break;
                }
            }
            if !stopping && duration_over(started_at) {
                limit_hit = Some(Stop::Duration);
                stopping = true;
                worker.stop();
            }
        }
        Ok(())
    };
    let outcome = run();
    worker.join();
    outcome?;
    let written = match file.as_mut() {
        Some(f) => {
            f.flush()
                .map_err(|e| CliError::new(format!("writing {where_to}: {e}")))?;
            f.frames()
        }
        None => frame_no,
    };
    if !started {
        return Err(CliError::new(
            error.unwrap_or_else(|| "the capture did not start".into()),
        ));
    }
    eprintln!(
        "{written} frames captured, {} dropped ({} by the kernel, {} in nlscope){}",
        stats.dropped(),
        stats.sources.kernel_drops,
        stats.channel_drops,
        if stats.sources.overruns > 0 {
            format!(
                "; {} receive buffer overruns (ENOBUFS)",
                stats.sources.overruns
            )
        } else {
            String::new()
        }
    );
    match error {
        Some(e) => Err(CliError::new(e)),
        None => Ok(()),
    }
}
