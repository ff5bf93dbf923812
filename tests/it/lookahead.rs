//! A file is correlated a window ahead of printing (`cli::lookahead`): on a capture much
//! longer than the window, whose conversations are shorter than it, `read` prints what it
//! prints when the window holds the whole file.

use clap::Parser;
use nlscope::cli::read::{ReadOptions, run};
use nlscope::dissect::specs::SpecRegistry;

use super::common::*;

#[derive(Parser)]
struct Args {
    #[command(flatten)]
    read: ReadOptions,
}

fn read(specs: &SpecRegistry, cap: &str, args: &[&str]) -> String {
    let mut a = vec!["read", "-r", cap];
    a.extend_from_slice(args);
    let opts = Args::try_parse_from(&a).unwrap().read;
    let mut out = Vec::new();
    run(&opts, specs.clone(), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn a_window_prints_what_the_whole_file_prints() {
    let specs = SpecRegistry::load(false, &[]).unwrap();
    let dir = TempDir::new("lookahead");
    // Dumps of up to 36 parts, acked changes, notifications and extended ACKs; 377 messages.
    let cap = dir.path("long.pcap");
    std::fs::write(&cap, repeated(&local("bridge-extra.pcap"), 30)).unwrap();
    let c = cap.to_str().unwrap();
    for args in [
        &["-T", "ndjson"][..],
        &["-T", "tree", "--threads", "1"],
        &[
            "-T",
            "csv",
            "-Y",
            "nlmsg.response_in || nlmsg.responses > 2",
        ],
    ] {
        let whole = read(&specs, c, &[args, &["--window", "100000000"]].concat());
        let window = read(&specs, c, &[args, &["--window", "1000"]].concat());
        assert!(
            whole.lines().count() > 10_000 || args.contains(&"-Y"),
            "{args:?}"
        );
        assert!(whole.contains("request_in") || !args.contains(&"ndjson"));
        assert!(
            whole == window,
            "{args:?}: a window of 1000 messages prints otherwise"
        );
    }
}
