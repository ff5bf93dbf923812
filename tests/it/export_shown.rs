//! Summary and CSV exports print what the app's list shows: the time in the list's format
//! (`nlscope read -t`, the app's View > Time setting) and links by the name the whole capture
//! gives them, also before their RTM_NEWLINK (`dev veth1`, not `dev if2`); app and command line
//! agree byte for byte.

use egui::Vec2;
use egui_kittest::Harness;
use nlscope::dissect::specs::SpecRegistry;
use nlscope::export::Format;
use nlscope::ui::{App, Scope, TimeFormat};

use crate::it::common::{TempDir, local as capture, run, run_ok};

/// NEWNETCONF of links 2 and 3 come before those links' RTM_NEWLINK (frames 9, 10, 12, 13).
const CAPTURE: &str = "route-monitor-netns-bridge.pcap";

fn read(args: &[&str]) -> String {
    let src = capture(CAPTURE);
    let mut a = vec!["read", "-r", src.to_str().unwrap()];
    a.extend_from_slice(args);
    run_ok(&a)
}

#[test]
fn summary_and_csv_name_links_before_their_newlink() {
    for args in [&[][..], &["-T", "csv"][..]] {
        let out = read(args);
        assert!(!out.contains("dev if"), "{args:?}:\n{out}");
        let l = out.lines().find(|l| l.contains("RTM_NEWNETCONF")).unwrap();
        assert!(l.contains("ipv4 dev veth1 "), "{args:?}: {l}");
    }
    // A pipe cannot look ahead: it names what it has seen so far.
    let src = std::fs::read(capture(CAPTURE)).unwrap();
    let mut child = std::process::Command::new(crate::it::common::bin())
        .args(["read", "-r", "-"])
        .env("NLSCOPE_NO_SYSTEM_SPECS", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&src));
    let piped = String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap();
    writer.join().unwrap().unwrap();
    assert!(piped.contains("ipv4 dev if2 "), "{piped}");
}

#[test]
fn time_formats_like_tsharks() {
    let rows = |t: &str| -> Vec<String> {
        read(&["-T", "csv", "-t", t, "-c", "3"])
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(2).unwrap().to_string())
            .collect()
    };
    let secs = |s: &str| s.parse::<f64>().unwrap();
    let epoch = rows("e");
    // CSV's default is epoch seconds too (rounded where -t e truncates to the microsecond).
    let default: Vec<String> = read(&["-T", "csv", "-c", "3"])
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).unwrap().to_string())
        .collect();
    for (e, d) in epoch.iter().zip(&default) {
        assert!((secs(e) - secs(d)).abs() < 1.5e-6, "{e} vs {d}");
    }
    let r = rows("r");
    assert_eq!(r[0], "0.000000");
    let d = rows("dd");
    assert_eq!(d[0], "0.000000");
    // Deltas add up to the relative times.
    let sum: f64 = d.iter().map(|s| secs(s)).sum();
    assert!((sum - secs(&r[2])).abs() < 2e-6, "{d:?} {r:?}");
    assert!((secs(&epoch[2]) - secs(&epoch[0]) - secs(&r[2])).abs() < 2e-6);
    let a = rows("a");
    let ad = rows("ad");
    for (a, ad) in a.iter().zip(&ad) {
        // HH:MM:SS.uuuuuu, and the same after the date.
        assert_eq!(a.len(), 15, "{a}");
        assert_eq!(a.as_bytes()[2], b':');
        assert!(ad.ends_with(&format!(" {a}")) && ad.len() == 26, "{ad}");
    }
    // Summary lines take it too.
    let s = read(&["-t", "ad", "-c", "1"]);
    assert!(s.contains(&ad[0]), "{s}");
    let bad = run(&["read", "-r", capture(CAPTURE).to_str().unwrap(), "-t", "x"]);
    assert_eq!(bad.status.code(), Some(2));
}

/// The app's Export of summary lines and CSV with each Time setting equals `nlscope read` with
/// the matching `-t`, and names the links as the list does.
#[test]
fn app_export_prints_the_lists_time_format_and_names() {
    let tmp = TempDir::new("export-shown");
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(&capture(CAPTURE));
    app.finish();
    let mut h = Harness::builder()
        .with_size(Vec2::new(1400.0, 900.0))
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    h.run();
    // The list's Info for the NEWNETCONF names veth1.
    let info = (0..h.state().store.len())
        .filter_map(|i| h.state().store.view(i))
        .find(|v| v.type_str() == "RTM_NEWNETCONF")
        .map(|v| v.summary())
        .unwrap();
    assert!(info.contains("dev veth1"), "{info}");
    for (tf, t) in [
        (TimeFormat::Absolute, "a"),
        (TimeFormat::Relative, "r"),
        (TimeFormat::Delta, "dd"),
    ] {
        for (format, name) in [(Format::Csv, "csv"), (Format::Summary, "summary")] {
            h.state_mut().settings.time_format = tf;
            let path = tmp.0.join(format!("{name}-{t}.txt"));
            h.state_mut()
                .export(&path, format, Scope::All)
                .expect("export");
            wait_for_job(&mut h);
            let got = std::fs::read_to_string(&path).unwrap();
            let want = read(&["-T", name, "-t", t]);
            assert_eq!(got, want, "{name} with -t {t}");
            assert!(!got.contains("dev if"), "{name} -t {t}");
        }
    }
    // The list's Time cell for the second row is the CSV's time with -t a.
    let csv = std::fs::read_to_string(tmp.0.join("csv-a.txt")).unwrap();
    let second = csv.lines().nth(2).unwrap().split(',').nth(2).unwrap();
    assert_eq!(second.len(), 15);
    check_list_time(&mut h, second);
}

fn check_list_time(h: &mut Harness<'static, App>, time: &str) {
    use egui_kittest::kittest::Queryable;
    h.state_mut().settings.time_format = TimeFormat::Absolute;
    h.run();
    h.get_by_label(time);
}

fn wait_for_job(h: &mut Harness<'static, App>) {
    for _ in 0..100_000 {
        if h.state().files.job.is_none() {
            h.run();
            return;
        }
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    panic!("the job did not end");
}
