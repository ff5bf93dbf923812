//! Load a capture into a [`Store`] the way the app does (loader thread, drained in 8 ms slices
//! as the UI's frames would), then filter it, printing times and a memory breakdown. No window
//! is involved, so the figures are the store's own; `scripts/gui-bench.sh` measures the app.
//!
//!     cargo bench --bench load -- CAPTURE ['FILTER' ...]
//!
//! CAPTURE: e.g. the ~200 MB file of `scripts/bench.sh` (`scripts/make-bench-capture.py`).

// Test code may panic: the crate's no-panic lint set (Cargo.toml) is for input-reading code.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::time::{Duration, Instant};

use nlscope::dissect::fields::Catalog;
use nlscope::dissect::specs::SpecRegistry;
use nlscope::filter::Filter;
use nlscope::store::{FrameMeta, Loader, MsgEntry, Store};
use nlscope::ui::thread_cpu;

// As in the binary: the allocator decides what resident memory a load leaves behind.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Resident (VmRSS) and peak (VmHWM) memory in MB, from /proc/self/status.
fn mem() -> (u64, u64) {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |k: &str| {
        s.lines()
            .find(|l| l.starts_with(k))
            .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (kb("VmRSS:") >> 10, kb("VmHWM:") >> 10)
}

/// CPU time of this process so far (user + system), from /proc/self/stat.
fn cpu() -> Duration {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = s.rsplit_once(')').map_or("", |r| r.1);
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    // Fields 14 and 15 (utime, stime); the text after the name starts at field 3.
    let ticks = f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

fn pct(v: &mut [f64], q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(((v.len().max(1) - 1) as f64 * q) as usize)
        .copied()
        .unwrap_or(0.0)
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let Some(path) = args.first() else {
        eprintln!("usage: cargo bench --bench load -- CAPTURE ['FILTER' ...]");
        std::process::exit(2);
    };
    let specs = SpecRegistry::load(false, &[]).expect("embedded specs");
    let catalog = Catalog::new(&specs);
    let mut store = Store::new(specs);
    let (rss0, _) = mem();
    let cpu0 = cpu();
    let t0 = Instant::now();
    let mut loader = Loader::open(std::path::Path::new(path), &store, None).expect("open");
    let mut first = None;
    let mut slices = 0;
    let ui0 = thread_cpu();
    while !loader.done {
        let s = Instant::now();
        loader.drain(&mut store, Duration::from_millis(8));
        slices += 1;
        if first.is_none() && !store.is_empty() {
            first = Some(t0.elapsed());
        }
        // The rest of a 16 ms frame goes to drawing.
        std::thread::sleep(Duration::from_millis(16).saturating_sub(s.elapsed()));
    }
    let loaded = t0.elapsed();
    let cpu_load = cpu() - cpu0;
    let ui_cpu = thread_cpu() - ui0;
    if let Some(e) = &loader.error {
        println!("read error: {e}");
    }
    let (rss1, hwm1) = mem();
    let m = store.memory();
    let mb = |b: usize| b as f64 / (1 << 20) as f64;
    println!(
        "{} frames, {} rows ({} messages); first rows {:.0} ms, fully indexed {:.0} ms \
         (drain on the UI side {:.0} ms wall, {:.0} ms CPU, in {} slices; process CPU {:.0} ms)",
        store.frame_count(),
        store.len(),
        store.message_count(),
        first.unwrap_or_default().as_secs_f64() * 1e3,
        loaded.as_secs_f64() * 1e3,
        loader.busy.as_secs_f64() * 1e3,
        ui_cpu.as_secs_f64() * 1e3,
        slices,
        cpu_load.as_secs_f64() * 1e3,
    );
    println!(
        "RSS {rss0} MB before, {rss1} MB after (+{} MB), peak {hwm1} MB",
        rss1 - rss0
    );
    println!(
        "store: frame bytes {:.1} MB in {} segments holding {:.1} MB; frame records {:.1} MB \
         ({} B each); rows {:.1} MB ({} B each); other {:.2} MB; total {:.1} MB = {:.0} B per \
         message beyond the frame bytes (FrameMeta / MsgEntry unpacked: {} / {} B)",
        mb(m.frame_bytes),
        m.segments,
        mb(m.byte_capacity),
        mb(m.frame_records),
        m.frame_records / store.frame_count().max(1),
        mb(m.row_records),
        m.row_records / store.len().max(1),
        mb(m.other),
        mb(m.total()),
        (m.total() - m.frame_bytes) as f64 / store.message_count().max(1) as f64,
        std::mem::size_of::<FrameMeta>(),
        std::mem::size_of::<MsgEntry>(),
    );
    for text in args.iter().skip(1) {
        // `sort:FIELD`: sort every row by a field column as the list does (8 ms slices),
        // from whole trees and from trees narrowed to the field.
        if let Some(field) = text.strip_prefix("sort:") {
            let rows: Vec<u32> = (0..store.len() as u32).collect();
            let mut wants = nlscope::ui::FieldWants::default();
            let narrowed = wants.want(&store, field);
            for (how, want) in [("whole trees", None), ("narrowed trees", narrowed)] {
                let mut job = nlscope::ui::FieldSort::new(field.into(), true, rows.clone(), want);
                let t = Instant::now();
                let mut times = Vec::new();
                loop {
                    let s = Instant::now();
                    let done = job.step(&store, Duration::from_millis(8));
                    times.push(s.elapsed().as_secs_f64() * 1e3);
                    if done.is_some() {
                        break;
                    }
                }
                println!(
                    "sort by {field} ({how}): {} rows in {:.0} ms ({} slices: p50 {:.2} ms, \
                     p99 {:.2} ms, max {:.2} ms)",
                    rows.len(),
                    t.elapsed().as_secs_f64() * 1e3,
                    times.len(),
                    pct(&mut times, 0.5),
                    pct(&mut times, 0.99),
                    pct(&mut times, 1.0),
                );
            }
            continue;
        }
        let f = Filter::compile(text, &catalog).expect("filter");
        let reads = catalog.reads(&f);
        let chunk = if f.needs_tree() { 64 } else { 4096 };
        let t = Instant::now();
        let c = thread_cpu();
        let mut out = Vec::new();
        let mut times = Vec::new();
        let mut i = 0;
        while i < store.len() {
            let s = Instant::now();
            store.filter_range(&f, &reads, i..i + chunk, &mut out);
            times.push(s.elapsed().as_secs_f64() * 1e3);
            i += chunk;
        }
        println!(
            "filter {text:?}: {} of {} in {:.0} ms ({:.0} ms CPU; slices of {chunk}: p50 {:.2} ms, \
             max {:.2} ms)",
            out.len(),
            store.len(),
            t.elapsed().as_secs_f64() * 1e3,
            (thread_cpu() - c).as_secs_f64() * 1e3,
            pct(&mut times, 0.5),
            pct(&mut times, 1.0),
        );
        // As the app runs it on a file: on worker threads, the UI thread only collecting.
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let t = Instant::now();
        let mut got = Vec::new();
        if let Some(mut job) = store.start_filter(&f, &reads, 0, threads) {
            job.collect_all(&mut got);
        }
        assert_eq!(got, out, "the workers found other rows than the slices");
        println!(
            "filter {text:?} on {threads} workers: {} rows in {:.0} ms",
            got.len(),
            t.elapsed().as_secs_f64() * 1e3
        );
    }
    let (rss2, hwm2) = mem();
    println!("after filtering: RSS {rss2} MB, peak {hwm2} MB");
    // Where the resident memory is: the mappings holding more than 2 MB of it.
    let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap_or_default();
    let mut name = String::new();
    for l in smaps.lines() {
        if l.split_whitespace().next().is_some_and(|w| w.contains('-')) {
            name = l.split_whitespace().skip(5).collect::<Vec<_>>().join(" ");
            if name.is_empty() {
                name = format!("[anon {}]", l.split_whitespace().next().unwrap_or(""));
            }
        } else if let Some(kb) = l.strip_prefix("Rss:") {
            let kb: u64 = kb
                .trim()
                .trim_end_matches(" kB")
                .trim()
                .parse()
                .unwrap_or(0);
            if kb > 2048 {
                println!("  resident {:>5} MB  {name}", kb >> 10);
            }
        }
    }
}
