use std::path::PathBuf;
use std::thread;
use std::time::Instant;

use super::*;
use crate::capture::Captured;
use crate::dissect::specs::SpecRegistry;

fn capture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("captures")
        .join(name)
}

#[test]
fn counts_from_comments_and_closing_line() {
    assert_eq!(
        drops_in(&[
            "group: 1".into(),
            "drops: 12 before this frame (ENOBUFS)".into()
        ]),
        12
    );
    assert_eq!(
        dropped_in_closing_line("40 frames captured, 3 dropped (1 by the kernel, 2 in nlscope)"),
        Some(3)
    );
    assert_eq!(dropped_in_closing_line("Capturing on monitor:route"), None);
}

#[test]
fn the_log_keeps_the_newest_lines() {
    let mut log = Log::default();
    for i in 0..LOG_LINES + 5 {
        log.push(i.to_string());
    }
    assert_eq!(log.lines().count(), LOG_LINES);
    assert_eq!(log.lines().next(), Some("5"));
}

/// A source that hands over `n` frames in one poll, then idles.
struct Burst(usize);

impl crate::capture::Source for Burst {
    fn interfaces(&self) -> Vec<String> {
        vec!["burst".into()]
    }
    fn poll(
        &mut self,
        timeout: Duration,
        base: usize,
        out: &mut Vec<Captured>,
    ) -> std::io::Result<()> {
        if self.0 == 0 {
            thread::sleep(timeout.min(Duration::from_millis(5)));
        }
        for seq in 0..std::mem::take(&mut self.0) {
            let mut data = crate::capture::cooked_header(4, 0).to_vec();
            // NLMSG_NOOP, 16 bytes, sequence number = position.
            data.extend_from_slice(&16u32.to_ne_bytes());
            data.extend_from_slice(&1u16.to_ne_bytes());
            data.extend_from_slice(&0u16.to_ne_bytes());
            data.extend_from_slice(&(seq as u32).to_ne_bytes());
            data.extend_from_slice(&0u32.to_ne_bytes());
            out.push(Captured {
                ts_ns: 0,
                interface: base,
                data,
                orig_len: 32,
                group: None,
                nsid: None,
                drops_before: 0,
            });
        }
        Ok(())
    }
    fn stats(&self) -> crate::capture::SourceStats {
        Default::default()
    }
}

/// Drain `c` into `store` in 1 ms budgets until `done` holds (30 s at most); returns the
/// longest drain.
fn drain_until(
    c: &mut LiveCapture,
    store: &mut Store,
    log: &mut Log,
    done: impl Fn(&LiveCapture, &Store) -> bool,
) -> Duration {
    let t = Instant::now();
    let mut longest = Duration::ZERO;
    while !done(c, store) {
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "stuck: {:?}",
            c.state
        );
        let d = Instant::now();
        let (_, more) = c.drain(store, Duration::from_millis(1), log);
        longest = longest.max(d.elapsed());
        if !more {
            thread::sleep(Duration::from_millis(1));
        }
    }
    longest
}

#[test]
fn a_big_burst_is_indexed_off_the_draining_thread() {
    let n = 50_000;
    let mut store = Store::new(SpecRegistry::default());
    let mut c = LiveCapture::in_process(
        1,
        "burst".into(),
        Box::new(move || Ok(vec![Box::new(Burst(n)) as Box<dyn crate::capture::Source>])),
        &store,
        None,
    )
    .unwrap();
    let mut log = Log::default();
    drain_until(&mut c, &mut store, &mut log, |_, s| s.frame_count() >= n);
    assert_eq!(c.captured, n as u64);
    assert_eq!(c.state, CaptureState::Capturing("burst".into()));
    // Order kept across batches, and the interface described once.
    for i in [0, 255, 256, n - 1] {
        assert_eq!(store.msg(i).unwrap().idx.seq as usize, i);
    }
    assert_eq!(store.interface(0).unwrap().name.as_deref(), Some("burst"));
    assert_eq!(store.frame(0).unwrap().interface, 0);
    c.request_stop();
    assert_eq!(c.state, CaptureState::Stopping);
    drain_until(&mut c, &mut store, &mut log, |c, _| c.ended());
    assert_eq!(c.state, CaptureState::Stopped(None));
    assert_eq!(log.lines().next(), Some("Capturing on burst"));
}

#[test]
fn an_open_failure_ends_the_capture_with_its_message() {
    let mut store = Store::new(SpecRegistry::default());
    let mut c = LiveCapture::in_process(
        1,
        "denied".into(),
        Box::new(|| Err(std::io::Error::other("no CAP_NET_ADMIN"))),
        &store,
        None,
    )
    .unwrap();
    let mut log = Log::default();
    drain_until(&mut c, &mut store, &mut log, |c, _| c.ended());
    assert_eq!(
        c.state,
        CaptureState::Stopped(Some("no CAP_NET_ADMIN".into()))
    );
    assert!(log.lines().any(|l| l == "error: no CAP_NET_ADMIN"));
}

fn sh(script: &str, arg: &std::path::Path) -> Command {
    let mut cmd = Command::new("sh");
    cmd.args(["-c", script]).arg(arg);
    cmd
}

#[test]
fn a_helper_stream_goes_through_the_indexer() {
    let cmd = sh(
        "echo 'Capturing on file -> standard output' >&2; cat \"$0\"; \
         echo '135 frames captured, 4 dropped (4 by the kernel, 0 in nlscope)' >&2",
        &capture("route-link.pcap"),
    );
    let mut store = Store::new(SpecRegistry::with_embedded());
    let mut c = LiveCapture::helper(1, "file".into(), cmd, &store, None).unwrap();
    assert!(c.helper && c.helper_pid().is_some());
    let mut log = Log::default();
    drain_until(&mut c, &mut store, &mut log, |c, _| c.ended());
    assert_eq!(c.state, CaptureState::Stopped(None));
    assert_eq!((c.captured, c.dropped), (135, 4));
    assert_eq!(store.frame_count(), 135);
    assert_eq!(store.len(), 159);
    // Frames merged into batches still land in open segments, not one segment each.
    assert!(store.memory().segments < 10, "{:?}", store.memory());
    assert_eq!(
        log.lines().collect::<Vec<_>>(),
        [
            "Capturing on file -> standard output",
            "135 frames captured, 4 dropped (4 by the kernel, 0 in nlscope)"
        ]
    );
}

#[test]
fn a_failing_helper_reports_its_error_line_and_status() {
    let cmd = sh(
        "echo 'nlscope: the netfilter monitor needs CAP_NET_ADMIN' >&2; exit 1",
        std::path::Path::new("x"),
    );
    let mut store = Store::new(SpecRegistry::default());
    let mut c = LiveCapture::helper(1, "failing".into(), cmd, &store, None).unwrap();
    let mut log = Log::default();
    drain_until(&mut c, &mut store, &mut log, |c, _| c.ended());
    assert_eq!(
        c.state,
        CaptureState::Stopped(Some(
            "the netfilter monitor needs CAP_NET_ADMIN (capture process exited with status 1)"
                .into()
        ))
    );
    assert_eq!(store.frame_count(), 0);
}

#[test]
fn stopping_a_helper_reaps_it() {
    let cmd = sh("exec sleep 30", std::path::Path::new("x"));
    let mut store = Store::new(SpecRegistry::default());
    let mut c = LiveCapture::helper(1, "sleep".into(), cmd, &store, None).unwrap();
    let pid = c.helper_pid().unwrap();
    c.request_stop();
    let mut log = Log::default();
    drain_until(&mut c, &mut store, &mut log, |c, _| c.ended());
    // Ended by the SIGTERM it was sent: a plain stop.
    assert_eq!(c.state, CaptureState::Stopped(None));
    assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists());
}

#[test]
fn a_retired_capture_is_skimmed_for_its_end() {
    let store = Store::new(SpecRegistry::default());
    let mut c = LiveCapture::in_process(
        1,
        "burst".into(),
        Box::new(|| {
            Ok(vec![
                Box::new(Burst(5000)) as Box<dyn crate::capture::Source>
            ])
        }),
        &store,
        None,
    )
    .unwrap();
    // Its store is gone: only its end is looked for.
    drop(store);
    c.request_stop();
    let mut log = Log::default();
    let t = Instant::now();
    while !c.ended() {
        assert!(t.elapsed() < Duration::from_secs(30), "no end");
        c.poll_end(&mut log);
        thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(c.state, CaptureState::Stopped(None));
}
