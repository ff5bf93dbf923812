//! File > Save As... and File > Export... driven through AccessKit (egui_kittest): the files
//! must equal what `nlscope read` writes for the same messages, byte for byte.

use std::path::{Path, PathBuf};

use egui::{Key, Modifiers, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use nlscope::dissect::specs::SpecRegistry;
use nlscope::ui::App;
use serde_json::Value as J;

use crate::it::common::{local as capture, run, run_ok, tshark};

const FILTER: &str = "nlmsg.type == RTM_NEWLINK || nlmsg.error != 0";

fn harness(path: &Path) -> Harness<'static, App> {
    let mut app = App::new(SpecRegistry::with_embedded());
    app.open(path);
    app.finish();
    assert!(app.error.is_none(), "{:?}", app.error);
    let mut h = Harness::builder()
        .with_size(Vec2::new(1400.0, 900.0))
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    h.run();
    h
}

fn tmpdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("nlscope-gui-files-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("mkdir");
    d
}

/// Step the app until the save/export job is over.
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

/// File > `item`, pick `format` and the scope whose label starts with `scope`, type `path`,
/// press the dialog's button, and wait for the job.
fn through_dialog(
    h: &mut Harness<'static, App>,
    item: &str,
    format: &str,
    scope: &str,
    path: &Path,
) {
    h.get_by_label("File").click();
    h.run();
    // Menu items carry their shortcut in the label ("Save As... Ctrl+S").
    h.get_by_label_contains(item).click();
    h.run();
    h.get_by_label(format).click();
    h.run();
    h.get_by_label_contains(scope).click();
    h.run();
    h.get_by_label("Path:").focus();
    h.run();
    // Replace the suggested path.
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run();
    h.get_by_label("Path:")
        .type_text(path.to_str().expect("UTF-8 path"));
    h.run();
    let button = if item == "Save As..." {
        "Save"
    } else {
        "Export"
    };
    h.get_by_label(button).click();
    // The job keeps the app repainting until it ends.
    h.step();
    wait_for_job(h);
}

/// `nlscope read -r SRC [-Y F] -T FORMAT`, as bytes.
fn cli_bytes(src: &Path, filter: Option<&str>, format: &str) -> Vec<u8> {
    // `-t r`: the app's Time column by default (seconds since the first frame), which its
    // summary and CSV exports print.
    let mut args = vec![
        "read",
        "-r",
        src.to_str().expect("UTF-8"),
        "-T",
        format,
        "-t",
        "r",
    ];
    if let Some(f) = filter {
        args.extend(["-Y", f]);
    }
    let out = run(&args);
    assert!(out.status.success(), "{args:?}");
    out.stdout
}

const FORMATS: [(&str, &str); 5] = [
    ("JSON (one array)", "json"),
    ("NDJSON (one object per line)", "ndjson"),
    ("Text tree", "tree"),
    ("CSV (header fields)", "csv"),
    ("Summary lines", "summary"),
];

fn assert_same(got: &Path, want: &[u8], what: &str) {
    let got = std::fs::read(got).unwrap_or_else(|e| panic!("{what}: {e}"));
    if got != want {
        let g = String::from_utf8_lossy(&got);
        let w = String::from_utf8_lossy(want);
        let line = g
            .lines()
            .zip(w.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(g.lines().count().min(w.lines().count()));
        panic!(
            "{what}: differs from `nlscope read` at line {line}:\n got: {:?}\nwant: {:?}",
            g.lines().nth(line),
            w.lines().nth(line)
        );
    }
}

#[test]
fn export_all_displayed_and_selected_equals_the_cli_in_every_format() {
    let src = capture("route-link.pcap");
    let dir = tmpdir("export");
    let mut h = harness(&src);
    // All, no filter applied.
    for (label, t) in FORMATS {
        let p = dir.join(format!("all.{t}"));
        through_dialog(&mut h, "Export...", label, "All (", &p);
        assert_same(&p, &cli_bytes(&src, None, t), &format!("all as {t}"));
        let status = format!(
            "Exported {} messages to {}",
            h.state().store.message_count(),
            p.display()
        );
        h.get_by_label(&status);
    }
    // Displayed, with a filter typed into the filter bar.
    h.get_by_role(egui::Role::TextInput).focus();
    h.run();
    h.get_by_role(egui::Role::TextInput).type_text(FILTER);
    h.run();
    h.key_press(Key::Enter);
    h.run();
    let shown = h.state().list.displayed.len();
    assert!(shown > 0 && shown < h.state().store.len());
    for (label, t) in FORMATS {
        let p = dir.join(format!("displayed.{t}"));
        through_dialog(&mut h, "Export...", label, "Displayed (", &p);
        assert_same(
            &p,
            &cli_bytes(&src, Some(FILTER), t),
            &format!("displayed as {t}"),
        );
    }
    // Sorting the list does not change the file: messages stay in capture order.
    h.state_mut().sort_by(nlscope::ui::Col::Len);
    h.run();
    let p = dir.join("sorted.ndjson");
    through_dialog(
        &mut h,
        "Export...",
        "NDJSON (one object per line)",
        "Displayed (",
        &p,
    );
    assert_same(
        &p,
        &cli_bytes(&src, Some(FILTER), "ndjson"),
        "sorted displayed",
    );
    h.state_mut().apply_filter_text("").expect("clear");
    h.state_mut().list.sort = None;
    h.run();

    // Selected: a message alone in its frame, clicked in the list.
    let app = h.state();
    let row = app
        .list
        .displayed
        .iter()
        .position(|&i| {
            let e = app.store.msg(i as usize).expect("msg");
            e.frame > 10 && app.store.frame(e.frame as usize).expect("frame").msg_count == 1
        })
        .expect("a one-message frame");
    let frame = app
        .store
        .msg(app.list.displayed[row] as usize)
        .expect("msg")
        .frame
        + 1;
    h.state_mut().select_row(row);
    h.state_mut().list.scroll_to_selected = true;
    h.run();
    h.state_mut().selected = None;
    h.run();
    h.get_by_label(&format!("{frame}:0")).click();
    h.run();
    assert!(h.state().selected.is_some());
    let only = format!("frame.number == {frame}");
    for (label, t) in FORMATS {
        let p = dir.join(format!("selected.{t}"));
        through_dialog(&mut h, "Export...", label, "Selected (", &p);
        assert_same(
            &p,
            &cli_bytes(&src, Some(&only), t),
            &format!("selected as {t}"),
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn selected_message_of_a_multi_message_frame() {
    // Frame 86 message 3 (the veth0 RTM_NEWLINK of a dump reply): one NDJSON line and one
    // summary line, those `nlscope read` prints for it.
    let src = capture("route-link.pcap");
    let dir = tmpdir("selected");
    let mut h = harness(&src);
    let i = (0..h.state().store.len())
        .find(|&i| {
            let e = h.state().store.msg(i).expect("msg");
            e.frame == 85 && e.pos == 3
        })
        .expect("86:3");
    h.state_mut().select_message(i);
    h.run();
    let lines = |t: &str| -> Vec<String> {
        String::from_utf8(cli_bytes(&src, Some("frame.number == 86"), t))
            .expect("UTF-8")
            .lines()
            .map(str::to_string)
            .collect()
    };
    let p = dir.join("one.ndjson");
    through_dialog(
        &mut h,
        "Export...",
        "NDJSON (one object per line)",
        "Selected (",
        &p,
    );
    let want = lines("ndjson")
        .into_iter()
        .find(|l| l.starts_with("{\"frame\":86,\"msg\":3,"))
        .expect("86:3 in the CLI output");
    assert_same(&p, format!("{want}\n").as_bytes(), "86:3 as ndjson");
    let p = dir.join("one.txt");
    through_dialog(&mut h, "Export...", "Summary lines", "Selected (", &p);
    let want = lines("summary")
        .into_iter()
        .find(|l| l.trim_start().starts_with("86:3 "))
        .expect("86:3 summary");
    assert_same(&p, format!("{want}\n").as_bytes(), "86:3 as summary");
    let _ = std::fs::remove_dir_all(dir);
}

/// The CLI's messages without their frame numbers (a filtered file renumbers frames).
fn unnumbered(path: &Path, filter: Option<&str>) -> Vec<J> {
    let mut extra = vec![];
    if let Some(f) = filter {
        extra.extend(["-Y", f]);
    }
    crate::it::common::json_msgs(path, &extra)
        .into_iter()
        .map(|m| {
            // Frame numbers and the links that name them differ in a file of some frames.
            let mut m = crate::it::common::without_conv(m);
            m.as_object_mut().expect("object").remove("frame");
            m
        })
        .collect()
}

#[test]
fn save_as_displayed_pcapng_and_pcap_hold_the_filtered_messages() {
    let src = capture("route-link.pcap");
    let dir = tmpdir("save");
    let mut h = harness(&src);
    h.state_mut().apply_filter_text(FILTER).expect("filter");
    h.state_mut().finish();
    h.run();
    let want = unnumbered(&src, Some(FILTER));
    assert!(!want.is_empty());
    for (label, ext) in [("pcapng", "pcapng"), ("pcap", "pcap")] {
        let p = dir.join(format!("displayed.{ext}"));
        through_dialog(&mut h, "Save As...", label, "Displayed (", &p);
        assert!(
            matches!(&h.state().files.outcome, Some(Ok(m)) if m.starts_with("Saved ")),
            "{:?}",
            h.state().files.outcome
        );
        // Exactly the filtered messages when read back...
        assert_eq!(unnumbered(&p, None), want, "{ext}");
        // ...and the same file `read -w` writes.
        let cli = dir.join(format!("cli.{ext}"));
        run_ok(&[
            "read",
            "-r",
            src.to_str().expect("UTF-8"),
            "-Y",
            FILTER,
            "-w",
            cli.to_str().expect("UTF-8"),
        ]);
        assert_same(&p, &std::fs::read(&cli).expect("cli file"), ext);
        if let Some(ts) = tshark("tshark reads the saved file") {
            let out = std::process::Command::new(ts)
                .arg("-r")
                .arg(&p)
                .output()
                .expect("run tshark");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let frames = String::from_utf8_lossy(&out.stdout).lines().count();
            let ours = run_ok(&["read", "-r", p.to_str().expect("UTF-8"), "-T", "csv"]);
            let mut numbers: Vec<&str> = ours
                .lines()
                .skip(1)
                .filter_map(|l| l.split(',').next())
                .collect();
            numbers.dedup();
            assert_eq!(frames, numbers.len(), "tshark's frame count of {ext}");
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn save_as_keeps_comments_and_learned_generic_netlink_ids() {
    // A pcapng with a section comment naming ethtool's id, a packet comment, and without the
    // nlctrl frames that would teach it: saving all of it equals `read -w`, comments kept.
    use nlscope::pcap::{OutFormat, Writer, WriterOptions};
    let dir = tmpdir("comments");
    let bytes = std::fs::read(capture("ethtool.pcap")).expect("capture");
    let (frames, err) = crate::it::common::read_frames(&bytes);
    assert!(err.is_none());
    let mut r = nlscope::pcap::Reader::new(bytes.as_slice()).expect("reader");
    let _ = r.next_frame();
    let iface = r.interfaces()[0].clone();
    let msgs = crate::it::common::json_msgs(&capture("ethtool.pcap"), &[]);
    let is_ethtool = |m: &J| {
        m["type_name"]
            .as_str()
            .is_some_and(|t| t.starts_with("ETHTOOL_MSG_"))
    };
    let ethtool_id = msgs
        .iter()
        .find(|m| is_ethtool(m))
        .map(|m| m["type"].as_u64().expect("type"))
        .expect("an ethtool message");
    // Frames (1-based) holding nlctrl messages (GENL_ID_CTRL = 16).
    let nlctrl: Vec<u64> = msgs
        .iter()
        .filter(|m| m["type"] == 16)
        .map(|m| m["frame"].as_u64().expect("frame"))
        .collect();
    assert!(!nlctrl.is_empty());
    let src = dir.join("src.pcapng");
    let mut w = Writer::new(
        Vec::new(),
        WriterOptions {
            format: OutFormat::PcapNg,
            section_comments: vec![format!("genl-families: {ethtool_id}=ethtool")],
            application: None,
        },
    );
    let mut kept = 0;
    for (k, f) in frames.iter().enumerate() {
        if nlctrl.contains(&(k as u64 + 1)) {
            continue;
        }
        let mut f = f.clone();
        if kept == 2 {
            f.comments.push("a packet comment".into());
        }
        kept += 1;
        w.write_frame(&f, &iface).expect("write");
    }
    std::fs::write(&src, w.into_inner()).expect("write src");

    let mut h = harness(&src);
    let out = dir.join("saved.pcapng");
    through_dialog(&mut h, "Save As...", "pcapng", "All (", &out);
    let cli = dir.join("cli.pcapng");
    run_ok(&[
        "read",
        "-r",
        src.to_str().expect("UTF-8"),
        "-w",
        cli.to_str().expect("UTF-8"),
    ]);
    assert_same(&out, &std::fs::read(&cli).expect("cli"), "saved pcapng");
    let saved = std::fs::read(&out).expect("saved");
    let (back, err) = crate::it::common::read_frames(&saved);
    assert!(err.is_none());
    assert_eq!(back.len(), kept);
    assert!(
        back.iter()
            .any(|f| f.comments.iter().any(|c| c == "a packet comment"))
    );
    // Frames are byte-identical, timestamps kept.
    let orig = crate::it::common::read_frames(&std::fs::read(&src).expect("src")).0;
    for (a, b) in orig.iter().zip(&back) {
        assert_eq!(
            (a.ts_ns, &a.data, a.orig_len),
            (b.ts_ns, &b.data, b.orig_len)
        );
    }
    // The ethtool messages still decode by name.
    let back_msgs = crate::it::common::json_msgs(&out, &[]);
    assert!(back_msgs.iter().any(is_ethtool), "no ethtool message");
    assert!(back_msgs.iter().all(|m| m["type"] != 16), "nlctrl left in");
    // By the recorded id, not by a guess from the attributes.
    let want = format!("genl-families: 16=nlctrl {ethtool_id}=ethtool");
    assert!(
        saved.windows(want.len()).any(|w| w == want.as_bytes()),
        "{want}"
    );
    assert!(
        back_msgs.iter().all(|m| !m.to_string().contains("guessed")),
        "a message was read by a guess"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_bad_path_shows_an_error_and_nothing_panics() {
    let src = capture("route-link.pcap");
    let mut h = harness(&src);
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Export...").click();
    h.run();
    h.get_by_label("Path:").focus();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run();
    h.get_by_label("Path:")
        .type_text("/nonexistent/dir/out.json");
    h.run();
    // Enter in the path field starts it too.
    h.key_press(Key::Enter);
    h.run();
    // The dialog stays open with the reason; the status bar says it too.
    let shown = h
        .query_all_by_label_contains("cannot create /nonexistent/dir/out.json")
        .count();
    assert_eq!(shown, 2);
    assert!(h.state().files.dialog.is_some());
    h.get_by_label("Cancel").click();
    h.run();
    assert!(h.state().files.dialog.is_none());
    // A pcap file holds one link type: a capture mixing two says so instead of writing.
    let dir = tmpdir("badpath");
    let mixed = dir.join("mixed.pcapng");
    {
        use nlscope::pcap::{Interface, OutFormat, Writer, WriterOptions};
        let bytes = std::fs::read(capture("route-link.pcap")).expect("capture");
        let (frames, _) = crate::it::common::read_frames(&bytes);
        let mut r = nlscope::pcap::Reader::new(bytes.as_slice()).expect("reader");
        let _ = r.next_frame();
        let nl: Interface = r.interfaces()[0].clone();
        assert_eq!(nl.linktype, 253);
        let sll = Interface {
            linktype: 113,
            ..nl.clone()
        };
        let mut w = Writer::new(
            Vec::new(),
            WriterOptions {
                format: OutFormat::PcapNg,
                section_comments: vec![],
                application: None,
            },
        );
        w.write_frame(&frames[0], &nl).expect("first");
        // The same bytes as a LINUX_SLL frame (both cooked headers are 16 bytes).
        let mut second = frames[1].clone();
        second.interface = 1;
        second.linktype = 113;
        w.write_frame(&second, &sll).expect("second");
        std::fs::write(&mixed, w.into_inner()).expect("write");
    }
    let mut h = harness(&mixed);
    let out = dir.join("mixed.pcap");
    through_dialog(&mut h, "Save As...", "pcap", "All (", &out);
    assert!(
        h.query_all_by_label_contains("frame 2 has link type 113")
            .count()
            > 0,
        "{:?}",
        h.state().files.outcome
    );
    assert!(!out.exists());
    // The writer thread removes its partial file.
    let left = || std::fs::read_dir(&dir).expect("dir").count();
    for _ in 0..1000 {
        if left() == 1 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    assert_eq!(left(), 1, "partial file left");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn ctrl_shift_s_opens_save_as() {
    let mut h = harness(&capture("route-link.pcap"));
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::S);
    h.run();
    let d = h.state().files.dialog.as_ref().expect("dialog open");
    assert!(d.is_save());
    assert!(d.path.ends_with("route-link-saved.pcapng"), "{}", d.path);
    h.get_by_label("Save As");
}

#[test]
fn a_name_without_extension_gets_the_formats() {
    let src = capture("route-link.pcap");
    let dir = tmpdir("ext");
    let mut h = harness(&src);
    through_dialog(
        &mut h,
        "Export...",
        "JSON (one array)",
        "All (",
        &dir.join("noext"),
    );
    assert!(dir.join("noext.json").is_file());
    assert!(!dir.join("noext").exists());
    through_dialog(&mut h, "Save As...", "pcap", "All (", &dir.join("cap"));
    assert!(dir.join("cap.pcap").is_file());
    // An extension given is kept, whatever it is.
    through_dialog(
        &mut h,
        "Export...",
        "JSON (one array)",
        "All (",
        &dir.join("x.out"),
    );
    assert!(dir.join("x.out").is_file());
}
