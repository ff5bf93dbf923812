//! `nlscope read`: a capture file or stdin -> filtered messages in the chosen format, and/or
//! the matching frames to a capture file.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread;

use crossbeam_channel::bounded;

use super::CliError;
use crate::cli::lookahead::{Links, Lookahead, WINDOW};
use crate::cli::pipeline::{
    BatchFacts, Done, FactLog, Inline, Job, NamesAt, Renderer, Setup, Turnstile,
};
use crate::conv::{Conversations, Msg as ConvMsg, MsgRef};
use crate::dissect::fields::{Catalog, Reads};
use crate::dissect::{Dissector, FrameIndex, specs::SpecRegistry};
use crate::export::{self, CaptureOut, Emitter, Format};
use crate::filter::Filter;
use crate::model::Endian;
use crate::pcap::packed::Packed;
use crate::pcap::{ByteOrder, Interface, OutFormat, ReadError};

pub mod names;
mod source;
mod walk;

use source::{Event, Source};

pub(crate) use walk::{learn_link_names, learn_link_names_between, walk_file, walk_linked};

/// Options of `nlscope read` (its command-line arguments).
#[derive(Debug, Clone, clap::Args)]
pub struct ReadOptions {
    /// Input file, `-` for standard input.
    #[arg(short = 'r', value_name = "FILE")]
    pub input: String,
    /// Display filter (e.g. `nlmsg.type == RTM_NEWLINK && rt-link.ifname == veth0`).
    #[arg(short = 'Y', value_name = "FILTER")]
    pub filter: Option<String>,
    /// Output format: summary, tree, json, ndjson, csv.
    #[arg(short = 'T', value_name = "FORMAT", value_parser = parse_format)]
    pub format: Option<Format>,
    /// Stop after reading N frames.
    #[arg(short = 'c', value_name = "N")]
    pub count: Option<u64>,
    /// Write the matching frames to this capture file.
    #[arg(short = 'w', value_name = "OUT")]
    pub write: Option<PathBuf>,
    /// Format for -w: pcapng (default) or pcap (also chosen by a .pcap extension).
    #[arg(short = 'F', value_name = "FORMAT", value_parser = parse_out_format)]
    pub out_format: Option<OutFormat>,
    /// Print, instead of messages, how many payload bytes the specs decoded by name and how
    /// many stayed raw, per netlink family and message type.
    #[arg(long = "coverage")]
    pub coverage: bool,
    /// Time in summary lines and CSV rows, as tshark's -t: r (seconds since the first frame;
    /// the summary's default), a (time of day, UTC), ad (date and time, UTC), dd or d
    /// (seconds since the previous message printed), e (seconds since the epoch; CSV's
    /// default).
    #[arg(short = 't', value_name = "FORMAT", value_parser = export::TimeStyle::parse)]
    pub time_format: Option<export::TimeStyle>,
    /// Read generic netlink family id ID as family NAME, whatever the capture says (e.g.
    /// `--genl nl80211=0x22` for a capture that never resolved the id); repeatable.
    #[arg(long = "genl", value_name = "NAME=ID", value_parser = parse_genl)]
    pub genl: Vec<(String, u16)>,
    /// Decode classic netlink protocol PROTO (a number or a name such as `usersock`) with the
    /// netlink-raw spec SPEC (a loaded spec's name, e.g. from `--spec-dir`), whatever other
    /// spec claims it; repeatable.
    #[arg(long = "decode-as", value_name = "PROTO=SPEC", value_parser = parse_decode_as)]
    pub decode_as: Vec<(u32, String)>,
    /// Dissect on N threads (default: as many as there are cores; 1 dissects on the thread
    /// that reads). The output is the same.
    #[arg(long = "threads", value_name = "N")]
    pub threads: Option<usize>,
    /// Frames per batch a dissecting thread takes (default 256, 64 for trees and JSON; small
    /// ones test the hand-over).
    #[arg(long = "batch", value_name = "N", hide = true)]
    pub batch: Option<usize>,
    /// Messages correlation looks ahead of printing (default 131072; small ones test how
    /// older requests are forgotten).
    #[arg(long = "window", value_name = "N", hide = true)]
    pub window: Option<usize>,
}

/// `--decode-as` values: `PROTO=SPEC`, PROTO a netlink protocol number (0-31) or name.
pub fn parse_decode_as(s: &str) -> Result<(u32, String), String> {
    let (proto, spec) = s.split_once('=').ok_or_else(|| {
        format!("'{s}' is not PROTO=SPEC (e.g. usersock=my-proto or 17=my-proto)")
    })?;
    let n = match proto.parse::<u32>() {
        Ok(n) => Some(n),
        Err(_) => crate::netlink::protocol_by_name(proto),
    }
    .filter(|n| *n < 32)
    .ok_or_else(|| {
        format!("'{proto}' is not a netlink protocol (a number 0-31 or a name like usersock)")
    })?;
    if n == crate::netlink::NETLINK_GENERIC || n == crate::netlink::NETLINK_KOBJECT_UEVENT {
        return Err(format!(
            "'{proto}': generic netlink families are chosen by id (--genl NAME=ID), uevents are text"
        ));
    }
    if spec.is_empty() {
        return Err(format!("'{s}': the spec name is empty"));
    }
    Ok((n, spec.to_string()))
}

/// `--genl` values: `NAME=ID`, ID decimal or 0x hex, a dynamic id (16 and up).
pub fn parse_genl(s: &str) -> Result<(String, u16), String> {
    let (name, id) = s
        .split_once('=')
        .ok_or_else(|| format!("'{s}' is not NAME=ID (e.g. nl80211=0x22)"))?;
    let id = match id.strip_prefix("0x").or_else(|| id.strip_prefix("0X")) {
        Some(h) => u16::from_str_radix(h, 16).ok(),
        None => id.parse().ok(),
    }
    .filter(|v| *v >= 16)
    .ok_or_else(|| format!("'{id}' is not a generic netlink family id (16 to 65535)"))?;
    if name.is_empty() || name.len() > 63 || !name.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(format!("'{name}' is not a generic netlink family name"));
    }
    Ok((name.to_string(), id))
}

/// `-T` values.
fn parse_format(s: &str) -> Result<Format, String> {
    Format::parse(s).ok_or_else(|| format!("'{s}' is not one of summary, tree, json, ndjson, csv"))
}

/// `-F` values.
fn parse_out_format(s: &str) -> Result<OutFormat, String> {
    match s {
        "pcap" | "libpcap" => Ok(OutFormat::Pcap),
        "pcapng" => Ok(OutFormat::PcapNg),
        _ => Err(format!("'{s}' is not pcap or pcapng")),
    }
}

fn endian_of(b: ByteOrder) -> Endian {
    match b {
        ByteOrder::Little => Endian::Little,
        ByteOrder::Big => Endian::Big,
    }
}

/// Output format for `-w PATH` when `-F` is not given: `.pcap` -> pcap, else pcapng.
pub fn out_format_for(path: &std::path::Path) -> OutFormat {
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("pcap") || e.eq_ignore_ascii_case("cap") => {
            OutFormat::Pcap
        }
        _ => OutFormat::PcapNg,
    }
}

/// A dissector over `specs` with the `--genl` and `--decode-as` pins of `opts`.
pub(crate) fn dissector(opts: &ReadOptions, specs: SpecRegistry) -> Result<Dissector, CliError> {
    let mut dis = Dissector::new(specs);
    for (name, id) in &opts.genl {
        if dis.specs.get(name).is_none() {
            return Err(CliError::usage(format!(
                "--genl {name}={id}: no spec describes a family named '{name}' (see nlscope specs list)"
            )));
        }
        dis.pin_genl(*id, name);
    }
    for (proto, name) in &opts.decode_as {
        dis.pin_protocol(*proto, name)
            .map_err(|e| CliError::usage(format!("--decode-as {proto}={name}: {e}")))?;
    }
    Ok(dis)
}

/// Push the messages of an indexed frame (1-based `frame_no`) to `conv`.
pub(crate) fn push_frame(
    conv: &mut Conversations,
    dis: &Dissector,
    data: &[u8],
    fi: &FrameIndex,
    frame_no: u64,
    ts_ns: i128,
) {
    if fi.msgs.is_empty() {
        conv.push_none(
            MsgRef {
                frame: frame_no,
                msg: u32::from(u16::MAX),
            },
            ts_ns,
        );
    }
    for (mi, m) in fi.msgs.iter().enumerate() {
        let at = MsgRef {
            frame: frame_no,
            msg: u32::try_from(mi).unwrap_or(u32::MAX),
        };
        conv.push(&ConvMsg::of(&dis.view(data, m), at, ts_ns));
    }
}

/// Run `read`. Prints what could be read; a read error is returned after the output.
pub fn run(
    opts: &ReadOptions,
    specs: SpecRegistry,
    stdout: &mut dyn Write,
) -> Result<(), CliError> {
    run_named(opts, specs, None, stdout)
}

/// Files from this size load their specs in the background (see [`run_named`]), those that
/// the first `SNIFF_BYTES` of the file show it needs.
const WARM_SPECS_FROM: u64 = 4 << 20;
const SNIFF_BYTES: u64 = 1 << 20;

/// [`run`] with the interface-name pass [`names::start`] began before the specs were loaded.
pub fn run_named(
    opts: &ReadOptions,
    specs: SpecRegistry,
    early: Option<names::EarlyNames>,
    stdout: &mut dyn Write,
) -> Result<(), CliError> {
    let mut reads = Reads::default();
    let filter = match &opts.filter {
        Some(f) => {
            let mut cat = Catalog::for_filter(&specs, f);
            let filter = match Filter::compile(f, &cat) {
                Ok(filter) => filter,
                Err(_) => {
                    // The error (and its suggestion) as the whole catalog gives it.
                    cat = Catalog::new(&specs);
                    Filter::compile(f, &cat).map_err(|e| {
                        CliError::usage(format!("invalid display filter: {e}\n{}", e.render(f)))
                    })?
                }
            };
            reads = cat.reads(&filter);
            Some(filter)
        }
        None => None,
    };
    // The specs a large file needs load meanwhile, rather than each one on the thread that
    // first meets it: those of the protocols and families its first megabyte shows (every
    // spec took 64.1M instructions where the bench file needs 45.2M, before the first line).
    // Not for a filter that passes over the messages of protocols its specs do not walk:
    // those that it lets through need few specs.
    if reads.unseen.is_none()
        && opts.input != "-"
        && std::fs::metadata(&opts.input).is_ok_and(|m| m.len() >= WARM_SPECS_FROM)
    {
        let (mut all, path) = (specs.clone(), opts.input.clone());
        let pins = opts.genl.clone();
        // Pinned as the reading dissector pins them, so a protocol's warm-up picks the spec
        // `--decode-as` names (the clone shares what it loads).
        for (proto, name) in &opts.decode_as {
            let _ = all.pin_protocol(*proto, name);
        }
        let _ = thread::Builder::new().name("specs".into()).spawn(move || {
            let (protocols, genl, all_genl) = walk::sniff(&path, SNIFF_BYTES, &pins);
            let genl: Vec<&str> = genl.iter().map(String::as_str).collect();
            all.load_for(protocols, &genl, all_genl);
        });
    }
    let mut coverage = opts.coverage.then(export::Coverage::default);
    let format = format_of(opts);
    let input: Box<dyn Read + Send> = if opts.input == "-" {
        Box::new(io::stdin())
    } else {
        Box::new(
            File::open(&opts.input)
                .map_err(|e| CliError::new(format!("cannot open {}: {e}", opts.input)))?,
        )
    };
    let out_fmt = match &opts.write {
        Some(p) => opts.out_format.unwrap_or_else(|| out_format_for(p)),
        None => OutFormat::PcapNg,
    };
    let writer = match &opts.write {
        Some(p) => {
            let f = File::create(p)
                .map_err(|e| CliError::new(format!("cannot create {}: {e}", p.display())))?;
            // Large writes: with 8 KB ones, the write calls of a 34 MB copy were ~15% of its
            // time. A live stream's frames are still flushed whenever no more are waiting.
            Some(CaptureOut::new(
                BufWriter::with_capacity(1 << 18, f),
                out_fmt,
            ))
        }
        None => None,
    };

    let count = opts.count;
    // Frames travel in batches to keep channel overhead off the per-frame cost; a stream (stdin)
    // sends each frame at once so it is shown as soon as it has arrived.
    // Batches of 256 frames keep the hand-over cheap; 64 when each message prints a whole
    // tree (a batch's text waits for its turn in memory). With 32, each batch woke the main
    // thread, which took a core from a renderer: 11k context switches in a 50 MB `-T tree`
    // run, 6k with 64, and 7% less time and CPU (tree and NDJSON, alternating runs); peak
    // memory on the 200 MB file: `-T json` 73 -> 76 MB, NDJSON 71 -> 72, tree 56 -> 55.
    let batch = if opts.input == "-" {
        1
    } else if format.is_some_and(Format::needs_tree) {
        opts.batch.unwrap_or(64).max(1)
    } else {
        opts.batch.unwrap_or(256).max(1)
    };
    let time = opts.time_format.unwrap_or_default();
    // One thread renders what it reads when more would not help or could not print the same:
    // a pipe (each frame as it comes), `--coverage` (one tally), and times since the previous
    // message printed.
    let threads = opts
        .threads
        .unwrap_or_else(|| thread::available_parallelism().map_or(1, usize::from))
        .clamp(1, 64);
    let inline =
        threads == 1 || opts.input == "-" || opts.coverage || time == export::TimeStyle::Delta;
    // Read on a thread of its own when this one renders too, up to 16 batches ahead. A packed
    // batch keeps its buffer until it comes back to be refilled: with 32, summary lines of the
    // 200 MB bench file peaked at 48-50 MB instead of 42-43, in the same time.
    let (source, back_tx) = Source::new(input, batch, count, inline, 16);

    // Trees, JSON and conversation fields show which request a message answers. A file is
    // correlated on another thread a window ahead, so requests also know their answers; a
    // pipe is correlated as it arrives (answers know their request; a request knows what
    // came before it).
    let want_conv = format.is_some_and(Format::needs_tree)
        || filter.as_ref().is_some_and(Filter::needs_conversations);
    let mut links = None;
    if want_conv {
        links = Some(if opts.input == "-" {
            Links::Live(Box::default())
        } else {
            let d = dissector(opts, specs.clone())?;
            let window = opts.window.unwrap_or(WINDOW);
            Links::Ahead(Lookahead::start(&opts.input, opts.count, &d, window))
        });
    }
    // Summary lines and CSV name a link as the whole file does (see `names`). A pipe names
    // what it has seen.
    let primed = names::primed(opts, &specs, early)?;
    let prime = |d: &mut Dissector| d.prime_links(primed.iter().map(|(i, n)| (*i, n.as_str())));
    let mut dis = dissector(opts, specs.clone())?;
    prime(&mut dis);
    dis.record_facts();
    // Replicas are made the same way: they know the pins and primed names already.
    let _ = dis.take_facts();
    let replica = || {
        let mut d =
            dissector(opts, specs.clone()).unwrap_or_else(|_| Dissector::new(specs.clone()));
        prime(&mut d);
        d
    };
    // Trees and JSON show what changed in a message since the previous one about its object.
    let want_changes = format.is_some_and(Format::needs_tree)
        || filter.as_ref().is_some_and(Filter::needs_changes);
    // Comparing objects needs every message's whole tree: the filter then reads that one.
    if want_changes || opts.coverage {
        reads.want = None;
    }
    let emitter = || format.map(|f| Emitter::new(f).with_time(time));
    let setup = Setup {
        filter: filter.as_ref(),
        reads: &reads,
    };
    let mut sink = Sink {
        out: BufWriter::with_capacity(1 << 16, stdout),
        writer,
        write_path: opts.write.clone(),
        ifaces: Vec::new(),
        strip_comma: !inline && format == Some(Format::Json),
        started: false,
        back: back_tx,
        texts: None,
    };
    let mut text = String::new();
    let mut ends = emitter();
    if let Some(e) = &ends {
        e.begin(&mut text);
        sink.out.write_all(text.as_bytes()).map_err(io_err)?;
    }
    let mut ix = Indexing::new(&mut dis, sink.writer.is_some());
    let mut read_error: Option<ReadError> = None;
    let mut result = Ok(());
    if inline {
        let mut r = Renderer::new(&replica, want_changes, emitter());
        r.coverage = coverage.take();
        // One text buffer, written and handed back each batch.
        let (text_tx, text_rx) = crossbeam_channel::unbounded::<String>();
        sink.texts = Some(text_tx);
        r.texts = Some(text_rx);
        let gate = Inline::default();
        source.each(&mut |ev, more| {
            let job = match ev {
                Event::Error(e) => {
                    read_error = Some(e);
                    return false;
                }
                Event::Comments(c) => {
                    ix.learn(&c);
                    return true;
                }
                Event::Frames(f) => ix.job(f, links.as_mut()),
            };
            let done = r.render(&setup, job, &gate);
            result = sink.write(done);
            // Nothing more waiting (a live stream, or the end of a file): show what we have.
            if result.is_ok() && !more {
                result = sink.flush();
            }
            result.is_ok()
        });
        coverage = r.coverage.take();
    } else {
        let gate = Turnstile::new();
        let log = FactLog::new(threads);
        let (text_tx, text_rx) = crossbeam_channel::unbounded::<String>();
        sink.texts = Some(text_tx);
        result = thread::scope(|s| {
            // Bounded, so rendered text waits in a few batches at most (peak memory): while
            // the main thread waits to hand a batch over, it takes what is done. `None`: a
            // renderer panicked (the panic surfaces when the threads are joined).
            let (done_tx, done_rx) = bounded::<Option<Done>>(threads);
            let (job_tx, job_rx) = bounded::<Job>(threads);
            for k in 0..threads {
                let mut em = emitter();
                if let Some(e) = em.as_mut() {
                    e.continue_json();
                }
                let (done_tx, job_rx, text_rx) = (done_tx.clone(), job_rx.clone(), text_rx.clone());
                let (gate, log, setup, replica) = (&gate, &log, &setup, &replica);
                s.spawn(move || {
                    // A dissector is not `Send` (its caches): each thread makes its own.
                    let mut r = Renderer::new(replica, want_changes, em);
                    r.texts = Some(text_rx);
                    let _leave = LeaveOnPanic(gate, done_tx.clone());
                    for mut job in job_rx {
                        job.prior = log.catch_up(k, job.seq);
                        // The main thread may be gone (a closed pipe): the batch still
                        // passes the gate, so later ones do not wait for it.
                        let _ = done_tx.send(Some(r.render(setup, job, gate)));
                    }
                });
            }
            drop((done_tx, job_rx));
            let mut order = InOrder::default();
            let mut result = Ok(());
            // Batches handed out and not written yet, beyond which the main thread only takes
            // what is done. A tree batch's text is large: a renderer has one in hand and one
            // queued (`-T json` of the 50 MB bench file peaks at 75 MB, as before; 8 in all
            // would be 3% faster at 87 MB). Lines are small: 4 per renderer keep the indexing
            // main thread from waiting.
            let per = if format.is_some_and(Format::needs_tree) {
                2
            } else {
                4
            };
            let ahead = (per * threads + 1) as u64;
            source.each(&mut |ev, _| {
                let job = match ev {
                    Event::Error(e) => {
                        read_error = Some(e);
                        return false;
                    }
                    Event::Comments(c) => {
                        ix.learn(&c);
                        return true;
                    }
                    Event::Frames(f) => ix.job(f, links.as_mut()),
                };
                log.push(job.seq, &job.facts);
                let mut job = Some(job);
                while let Some(j) = job.take() {
                    let mut sel = crossbeam_channel::Select::new();
                    let send = (j.seq < order.next + ahead).then(|| sel.send(&job_tx));
                    sel.recv(&done_rx);
                    let op = sel.select();
                    if Some(op.index()) == send {
                        if op.send(&job_tx, j).is_err() {
                            return false;
                        }
                        continue;
                    }
                    job = Some(j);
                    let Ok(Some(d)) = op.recv(&done_rx) else {
                        return false;
                    };
                    // Nothing more is written after an error (a closed pipe).
                    result = order.push(d, &mut sink);
                    if result.is_err() {
                        return false;
                    }
                }
                while let Ok(d) = done_rx.try_recv() {
                    let Some(d) = d else { return false };
                    result = order.push(d, &mut sink);
                    if result.is_err() {
                        return false;
                    }
                }
                true
            });
            drop(job_tx);
            for d in done_rx.iter().flatten() {
                if result.is_ok() {
                    result = order.push(d, &mut sink);
                }
            }
            result
        });
    }
    result?;
    if let Some(e) = ends.as_mut() {
        text.clear();
        if sink.started {
            e.continue_json();
        }
        e.end(&mut text);
        sink.out.write_all(text.as_bytes()).map_err(io_err)?;
    }
    if let Some(cov) = &coverage {
        sink.out
            .write_all(cov.report().as_bytes())
            .map_err(io_err)?;
    }
    sink.flush()?;
    if let Some(e) = read_error {
        return Err(CliError::new(format!("{}: {e}", opts.input)));
    }
    Ok(())
}

/// What `read` prints: `-T`, else nothing when it only writes a file or counts coverage, else
/// summary lines.
fn format_of(opts: &ReadOptions) -> Option<Format> {
    match (opts.format, &opts.write) {
        (_, _) if opts.coverage => None,
        (Some(f), _) => Some(f),
        (None, Some(_)) => None,
        (None, None) => Some(Format::Summary),
    }
}

/// A closed pipe ends the output quietly (as `head` expects); other errors are reported.
fn io_err(e: io::Error) -> CliError {
    if e.kind() == io::ErrorKind::BrokenPipe {
        CliError {
            message: String::new(),
            code: 0,
        }
    } else {
        CliError::new(format!("writing output: {e}"))
    }
}

/// Where rendered batches go, in order: the text to the output, the matching frames to the
/// capture file, the frames' buffers back to the reader.
struct Sink<'a> {
    out: BufWriter<&'a mut dyn Write>,
    writer: Option<CaptureOut<BufWriter<File>>>,
    write_path: Option<PathBuf>,
    ifaces: Vec<Option<Interface>>,
    /// Drop the comma before the first JSON object (workers print every object as a follower).
    strip_comma: bool,
    /// Something was printed.
    started: bool,
    back: crossbeam_channel::Sender<Packed>,
    /// Where written texts go back to the renderers.
    texts: Option<crossbeam_channel::Sender<String>>,
}

impl Sink<'_> {
    fn write(&mut self, done: Done) -> Result<(), CliError> {
        let Done {
            job,
            mut text,
            matched,
        } = done;
        let mut t = text.as_str();
        if self.strip_comma && !self.started {
            t = t.strip_prefix(',').unwrap_or(t);
        }
        if !t.is_empty() {
            self.started = true;
            // A large text goes to the writer as it is when nothing waits in the buffer, not
            // copied into the buffer first (the summary of the 50 MB bench file is 27 MB of
            // text, half of it in batches under the buffer's 64 KB); a small one, a frame of a
            // pipe or a batch with few matches, waits in the buffer for the next.
            if self.out.buffer().is_empty() && t.len() >= self.out.capacity() / 4 {
                self.out.get_mut().write_all(t.as_bytes())
            } else {
                self.out.write_all(t.as_bytes())
            }
            .map_err(io_err)?;
        }
        for (k, (frame, _)) in job.frames.iter().enumerate() {
            if let Some(i) = frame.iface.as_deref().cloned() {
                let idx = frame.interface as usize;
                if self.ifaces.len() <= idx {
                    self.ifaces.resize(idx + 1, None);
                }
                if let Some(slot) = self.ifaces.get_mut(idx) {
                    *slot = Some(i);
                }
            }
            let Some(w) = self.writer.as_mut() else {
                continue;
            };
            if !matched.get(k).copied().unwrap_or(false) {
                continue;
            }
            let path = || {
                self.write_path
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            };
            let names = job
                .names
                .get(k)
                .ok_or_else(|| CliError::new("internal: no names"))?;
            match self
                .ifaces
                .get(frame.interface as usize)
                .and_then(Option::as_ref)
            {
                // A frame of its own: only a capture writer copies frames.
                Some(i) => w
                    .write(
                        &job.frames
                            .frame(k)
                            .ok_or_else(|| CliError::new("internal: no frame"))?,
                        i,
                        names.as_ref(),
                    )
                    .map_err(|e| CliError::new(format!("writing {}: {e}", path())))?,
                None => return Err(CliError::new("internal: frame without interface")),
            }
        }
        // The reader may be gone already (end of input): then the buffers just drop.
        let _ = self.back.send(job.frames);
        if let Some(t) = self.texts.as_ref() {
            text.clear();
            let _ = t.send(text);
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), CliError> {
        self.out.flush().map_err(io_err)?;
        if let Some(w) = self.writer.as_mut() {
            w.flush()
                .map_err(|e| CliError::new(format!("writing capture: {e}")))?;
        }
        Ok(())
    }
}

/// Rendered batches put back in batch order.
#[derive(Default)]
struct InOrder {
    next: u64,
    waiting: std::collections::BTreeMap<u64, Done>,
}

impl InOrder {
    fn push(&mut self, d: Done, sink: &mut Sink) -> Result<(), CliError> {
        self.waiting.insert(d.job.seq, d);
        while let Some(d) = self.waiting.remove(&self.next) {
            self.next += 1;
            sink.write(d)?;
        }
        Ok(())
    }
}

/// Lets the other renderers through the gate if this one panics, and tells the main thread
/// to stop handing out batches (the panic surfaces when the threads are joined).
struct LeaveOnPanic<'a>(&'a Turnstile, crossbeam_channel::Sender<Option<Done>>);

impl Drop for LeaveOnPanic<'_> {
    fn drop(&mut self) {
        if thread::panicking() {
            self.0.abandon();
            let _ = self.1.send(None);
        }
    }
}

/// The reading thread's half: index each frame and learn, in capture order, into [`Job`]s.
struct Indexing<'a> {
    dis: &'a mut Dissector,
    frame_no: u64,
    ord: usize,
    t0: Option<i128>,
    seq: u64,
    /// What a capture writer needs to know per frame.
    names: bool,
    last_names: Option<Arc<NamesAt>>,
    view_facts: Vec<(usize, crate::dissect::Fact)>,
    /// Frames are indexed here, then copied at their size: growing each frame's list from
    /// empty cost a reallocation or two per frame.
    scratch: FrameIndex,
}

impl<'a> Indexing<'a> {
    fn new(dis: &'a mut Dissector, names: bool) -> Self {
        Indexing {
            dis,
            frame_no: 0,
            ord: 0,
            t0: None,
            seq: 0,
            names,
            last_names: None,
            view_facts: Vec::new(),
            scratch: FrameIndex::default(),
        }
    }

    /// Section comments (read before the next frame).
    fn learn(&mut self, comments: &[String]) {
        for line in comments {
            self.dis.learn_from_comment(line);
        }
    }

    /// Index `frames`, with their links when correlating.
    fn job(&mut self, frames: Packed, mut links: Option<&mut Links>) -> Job {
        let mut index = Vec::with_capacity(frames.len());
        let mut facts = BatchFacts::new();
        let mut names = Vec::new();
        let first_no = self.frame_no + 1;
        let first_ord = self.ord;
        let mut linked = Vec::new();
        for (i, (frame, data)) in frames.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            for c in &frame.comments {
                self.dis.learn_from_comment(c);
            }
            self.frame_no += 1;
            self.t0.get_or_insert(frame.ts_ns);
            let fi = &mut self.scratch;
            self.dis
                .index_frame_into(data, frame.linktype, endian_of(frame.byte_order), fi);
            // A frame without messages takes an ordinal too (as the app's row for it does).
            self.ord += fi.msgs.len().max(1);
            // Most frames teach nothing: no iterator to set up then.
            let learned = self.dis.take_facts();
            if !learned.is_empty() {
                facts.extend(learned.into_iter().map(|f| (i, 0, f)));
            }
            self.dis.view_facts(data, fi, &mut self.view_facts);
            if !self.view_facts.is_empty() {
                facts.extend(
                    self.view_facts
                        .drain(..)
                        .map(|(p, f)| (i, u32::try_from(p).unwrap_or(u32::MAX), f)),
                );
            }
            if let Some(l) = links.as_deref_mut() {
                let at = (self.frame_no, frame.ts_ns);
                l.frame(self.dis, data, fi, at, &mut linked);
            }
            if self.names {
                let n = NamesAt::of(self.dis, self.last_names.as_ref());
                self.last_names = Some(Arc::clone(&n));
                names.push(n);
            }
            index.push(FrameIndex {
                cooked: fi.cooked,
                msgs: fi.msgs.as_slice().to_vec(),
                problem: fi.problem.take(),
                swapped: fi.swapped,
                zero_tail: fi.zero_tail,
            });
        }
        let seq = self.seq;
        self.seq += 1;
        Job {
            seq,
            frames,
            index,
            facts: Arc::new(facts),
            prior: Vec::new(),
            first_no,
            first_ord,
            linked,
            t0: self.t0.unwrap_or_default(),
            names,
        }
    }
}

#[cfg(test)]
mod tests;
