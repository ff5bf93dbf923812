//! Writing a live capture: pcapng written as frames arrive and flushed at least once a second,
//! optionally as a ring of files, with autostop conditions.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use super::{Captured, capture_interface};
use crate::pcap::{ByteOrder, Interface, OutFormat, Writer, WriterOptions};

/// Where the capture goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A file (or, with a ring buffer, the name pattern of the files).
    File(PathBuf),
    /// Standard output, as a pcapng stream.
    Stdout,
}

/// Limits of a capture (`-c`, `-a`, `-b`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    /// Stop after this many frames.
    pub count: Option<u64>,
    /// Stop after this long.
    pub duration: Option<Duration>,
    /// Stop after this many bytes written (all files together).
    pub total_bytes: Option<u64>,
    /// Ring buffer: switch files after this many bytes...
    pub ring_file_bytes: Option<u64>,
    /// ...keeping at most this many files (0 = keep all).
    pub ring_files: usize,
}

/// Parse `-a duration:S` / `-a filesize:KB` (kB = 1000 bytes, as dumpcap) into `limits`.
pub fn parse_autostop(s: &str, limits: &mut Limits) -> Result<(), String> {
    let (k, v) = s
        .split_once(':')
        .ok_or_else(|| format!("'{s}': expected duration:SECONDS or filesize:KB"))?;
    let n: f64 = v
        .parse()
        .ok()
        .filter(|n: &f64| n.is_finite() && *n > 0.0)
        .ok_or_else(|| format!("'{s}': '{v}' is not a positive number"))?;
    match k {
        "duration" => limits.duration = Some(Duration::from_secs_f64(n)),
        "filesize" => limits.total_bytes = Some((n * 1000.0) as u64),
        _ => {
            return Err(format!(
                "'{s}': unknown autostop condition '{k}' (duration, filesize)"
            ));
        }
    }
    Ok(())
}

/// Parse `-b filesize:KB,files:N` into `limits`.
pub fn parse_ring(s: &str, limits: &mut Limits) -> Result<(), String> {
    for part in s.split(',') {
        let (k, v) = part
            .split_once(':')
            .ok_or_else(|| format!("'{part}': expected filesize:KB or files:N"))?;
        let n: u64 = v
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("'{part}': '{v}' is not a positive integer"))?;
        match k {
            "filesize" => limits.ring_file_bytes = Some(n.saturating_mul(1000)),
            "files" => limits.ring_files = usize::try_from(n).unwrap_or(usize::MAX),
            _ => {
                return Err(format!(
                    "'{part}': unknown ring buffer option '{k}' (filesize, files)"
                ));
            }
        }
    }
    if limits.ring_file_bytes.is_none() {
        return Err("-b needs filesize:KB".into());
    }
    Ok(())
}

/// Counts bytes written through it.
struct Counting<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

type Sink = Counting<BufWriter<Box<dyn Write + Send>>>;

/// The capture file(s) being written.
pub struct CaptureFile {
    target: Target,
    limits: Limits,
    overwrite: bool,
    interfaces: Vec<Interface>,
    section_comments: Vec<String>,
    writer: Option<Writer<Sink>>,
    files: Vec<PathBuf>,
    file_no: u64,
    bytes_before: u64,
    frames: u64,
    last_flush: Instant,
    started: Instant,
}

/// Why a capture should stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// `-c N` reached.
    Count,
    /// `-a duration:S` reached.
    Duration,
    /// `-a filesize:KB` reached.
    Size,
}

impl CaptureFile {
    /// Prepare writing to `target`. Files are created on [`CaptureFile::start`]; an existing
    /// file is an error unless `overwrite`.
    pub fn new(target: Target, limits: Limits, overwrite: bool) -> io::Result<Self> {
        if let Target::File(p) = &target {
            if limits.ring_file_bytes.is_none() && p.exists() && !overwrite {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!("{} exists; use --force to overwrite it", p.display()),
                ));
            }
        } else if limits.ring_file_bytes.is_some() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a ring buffer (-b) needs -w FILE, not standard output",
            ));
        }
        Ok(CaptureFile {
            target,
            limits,
            overwrite,
            interfaces: Vec::new(),
            section_comments: Vec::new(),
            writer: None,
            files: Vec::new(),
            file_no: 0,
            bytes_before: 0,
            frames: 0,
            last_flush: Instant::now(),
            started: Instant::now(),
        })
    }

    /// The sources are open: record the interfaces and section comments, open the first file
    /// and write its headers (so even an empty capture is a valid file).
    pub fn start(&mut self, interfaces: &[String], comments: Vec<String>) -> io::Result<()> {
        self.interfaces = interfaces
            .iter()
            .map(|name| capture_interface(name))
            .collect();
        self.section_comments = comments;
        self.started = Instant::now();
        self.open_next()
    }

    /// All files written so far (ring buffer: those still kept).
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// Frames written.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Bytes written, all files together.
    pub fn bytes(&self) -> u64 {
        self.bytes_before + self.writer.as_ref().map_or(0, w_bytes)
    }

    fn path_for(&self, n: u64) -> Option<PathBuf> {
        let Target::File(p) = &self.target else {
            return None;
        };
        if self.limits.ring_file_bytes.is_none() {
            return Some(p.clone());
        }
        // dumpcap's naming: prefix_NNNNN_YYYYmmddHHMMSS.ext
        let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or("capture");
        let ext = p.extension().and_then(|s| s.to_str()).unwrap_or("pcapng");
        let secs = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let name = format!("{stem}_{n:05}_{}.{ext}", utc_stamp(secs));
        Some(p.parent().unwrap_or(Path::new("")).join(name))
    }

    fn open_next(&mut self) -> io::Result<()> {
        if let Some(mut w) = self.writer.take() {
            w.flush()?;
            self.bytes_before += w_bytes(&w);
        }
        self.file_no += 1;
        let out: Box<dyn Write + Send> = match self.path_for(self.file_no) {
            None => Box::new(io::stdout()),
            Some(p) => {
                let mut o = OpenOptions::new();
                o.write(true);
                if self.overwrite || self.limits.ring_file_bytes.is_some() {
                    o.create(true).truncate(true);
                } else {
                    o.create_new(true);
                }
                let f: File = o.open(&p).map_err(|e| {
                    io::Error::new(e.kind(), format!("cannot create {}: {e}", p.display()))
                })?;
                self.files.push(p);
                if self.limits.ring_files > 0 {
                    while self.files.len() > self.limits.ring_files {
                        let old = self.files.remove(0);
                        let _ = fs::remove_file(old);
                    }
                }
                Box::new(f)
            }
        };
        let mut w = Writer::new(
            Counting {
                inner: BufWriter::with_capacity(1 << 16, out),
                bytes: 0,
            },
            WriterOptions {
                format: OutFormat::PcapNg,
                section_comments: self.section_comments.clone(),
                application: Some(format!("nlscope {}", env!("CARGO_PKG_VERSION"))),
            },
        );
        if let Some(i) = self.interfaces.first() {
            w.write_header(i, ByteOrder::native())
                .map_err(|e| io::Error::other(e.to_string()))?;
        }
        w.flush()?;
        self.writer = Some(w);
        self.last_flush = Instant::now();
        Ok(())
    }

    /// Write one frame with its metadata comments; flushes when a second has passed.
    pub fn write(&mut self, c: &Captured, comments: Vec<String>) -> io::Result<()> {
        if let Some(limit) = self.limits.ring_file_bytes
            && self.writer.as_ref().is_some_and(|w| w_bytes(w) >= limit)
        {
            self.open_next()?;
        }
        let iface = self.interfaces.get(c.interface).cloned().ok_or_else(|| {
            io::Error::other(format!("frame from unknown interface {}", c.interface))
        })?;
        let frame = c.clone().into_frame(comments);
        let w = self
            .writer
            .as_mut()
            .ok_or_else(|| io::Error::other("capture file not started"))?;
        w.write_frame(&frame, &iface)
            .map_err(|e| io::Error::other(e.to_string()))?;
        self.frames += 1;
        self.tick()
    }

    /// Flush if a second has passed since the last flush (call this at least once a second).
    pub fn tick(&mut self) -> io::Result<()> {
        if self.last_flush.elapsed() >= Duration::from_secs(1) {
            self.flush()?;
        }
        Ok(())
    }

    /// Flush now.
    pub fn flush(&mut self) -> io::Result<()> {
        self.last_flush = Instant::now();
        match self.writer.as_mut() {
            Some(w) => w.flush(),
            None => Ok(()),
        }
    }

    /// Whether a limit has been reached.
    pub fn should_stop(&self) -> Option<Stop> {
        if self.limits.count.is_some_and(|c| self.frames >= c) {
            return Some(Stop::Count);
        }
        if self
            .limits
            .duration
            .is_some_and(|d| self.started.elapsed() >= d)
        {
            return Some(Stop::Duration);
        }
        if self.limits.total_bytes.is_some_and(|b| self.bytes() >= b) {
            return Some(Stop::Size);
        }
        None
    }
}

fn w_bytes(w: &Writer<Sink>) -> u64 {
    w.get_ref().bytes
}

/// `YYYYmmddHHMMSS` in UTC for a Unix time.
fn utc_stamp(secs: u64) -> String {
    let [y, m, d, h, mi, s] = crate::model::time::utc(i64::try_from(secs).unwrap_or(0));
    format!("{y:04}{m:02}{d:02}{h:02}{mi:02}{s:02}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::cooked_header;
    use crate::model::Endian;
    use crate::netlink::{MsgBuilder, NLM_F_MULTI, NLMSG_DONE};
    use crate::pcap::{Frame, Reader};

    /// Frame `i`: an NLMSG_DONE with sequence number `i`.
    fn frame(i: u64) -> Captured {
        let mut done =
            MsgBuilder::with_endian(Endian::Little, NLMSG_DONE, NLM_F_MULTI, i as u32, 0);
        done.push_u32(0);
        let mut data = cooked_header(4, 0).to_vec();
        data.extend(done.finish());
        Captured {
            ts_ns: 1_795_000_000_000_000_000 + i128::from(i),
            interface: 0,
            orig_len: data.len() as u32,
            data,
            group: Some(1),
            nsid: None,
            drops_before: 0,
        }
    }

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("nlscope-file-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn writes_readable_pcapng_with_comments_and_refuses_to_overwrite() {
        let d = tmp("basic");
        let p = d.join("c.pcapng");
        let mut f = CaptureFile::new(Target::File(p.clone()), Limits::default(), false).unwrap();
        f.start(
            &["monitor:route".into()],
            vec!["genl-families: 16=nlctrl".into()],
        )
        .unwrap();
        for i in 0..3 {
            f.write(&frame(i), vec![format!("group: {i}")]).unwrap();
        }
        f.flush().unwrap();
        // Readable while still open.
        let r = Reader::new(File::open(&p).unwrap()).unwrap();
        assert_eq!(
            r.section_comments(),
            &["genl-families: 16=nlctrl".to_string()]
        );
        let frames: Vec<Frame> = r.map(|x| x.unwrap()).collect();
        assert_eq!(frames.len(), 3);
        assert_eq!(frames[2].comments, vec!["group: 2".to_string()]);
        assert_eq!(frames[1].data, frame(1).data);
        assert_eq!(frames[1].ts_ns, frame(1).ts_ns);
        drop(f);
        let e = CaptureFile::new(Target::File(p.clone()), Limits::default(), false)
            .err()
            .unwrap();
        assert!(e.to_string().contains("--force"));
        assert!(CaptureFile::new(Target::File(p), Limits::default(), true).is_ok());
        let _ = fs::remove_dir_all(d);
    }

    #[test]
    fn ring_buffer_keeps_the_newest_files() {
        let d = tmp("ring");
        let mut limits = Limits::default();
        parse_ring("filesize:1,files:3", &mut limits).unwrap();
        let mut f = CaptureFile::new(Target::File(d.join("r.pcapng")), limits, false).unwrap();
        f.start(&["nlmon0".into()], Vec::new()).unwrap();
        for i in 0..200 {
            f.write(&frame(i), Vec::new()).unwrap();
        }
        f.flush().unwrap();
        assert_eq!(f.files().len(), 3);
        let on_disk = fs::read_dir(&d).unwrap().count();
        assert_eq!(on_disk, 3);
        let total: usize = f
            .files()
            .iter()
            .map(|p| Reader::new(File::open(p).unwrap()).unwrap().count())
            .sum();
        assert!(total > 0 && total < 200);
        let _ = fs::remove_dir_all(d);
    }

    #[test]
    fn limits_and_parsing() {
        let mut l = Limits {
            count: Some(2),
            ..Default::default()
        };
        parse_autostop("duration:2.5", &mut l).unwrap();
        parse_autostop("filesize:10", &mut l).unwrap();
        assert_eq!(l.duration, Some(Duration::from_millis(2500)));
        assert_eq!(l.total_bytes, Some(10_000));
        assert!(parse_autostop("duration:-1", &mut l).is_err());
        assert!(parse_autostop("packets:3", &mut l).is_err());
        assert!(parse_ring("files:3", &mut Limits::default()).is_err());
        let d = tmp("limits");
        let mut f = CaptureFile::new(Target::File(d.join("l.pcapng")), l, false).unwrap();
        f.start(&["x".into()], Vec::new()).unwrap();
        assert_eq!(f.should_stop(), None);
        f.write(&frame(0), Vec::new()).unwrap();
        f.write(&frame(1), Vec::new()).unwrap();
        assert_eq!(f.should_stop(), Some(Stop::Count));
        let _ = fs::remove_dir_all(d);
        assert_eq!(utc_stamp(1_795_000_000), "20261118110640");
        assert_eq!(utc_stamp(951_782_400), "20000229000000");
    }
}
