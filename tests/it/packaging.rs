//! Packaging: `nlscope --gen-docs` writes the man pages and shell completions the Debian package
//! installs (scripts/package-deb.sh), each naming the subcommands; the package metadata lists
//! them; and, where cargo-deb and a release build are at hand, the .deb holds them.

use std::path::Path;
use std::process::Command;

use super::common::{TempDir, run_ok};

const SUBCOMMANDS: [&str; 6] = ["read", "capture", "stats", "trace", "state", "specs"];

fn text(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn gen_docs_writes_man_pages_and_completions_naming_every_subcommand() {
    let tmp = TempDir::new("gendocs");
    let listed = run_ok(&["--gen-docs", tmp.0.to_str().unwrap()]);
    assert_eq!(listed.lines().count(), 7 + 3, "{listed}");

    let man = text(&tmp.0.join("man/nlscope.1"));
    assert!(man.contains(".TH nlscope 1"), "{man}");
    for s in SUBCOMMANDS {
        // The program's page lists each subcommand's page.
        assert!(man.contains(&format!("nlscope\\-{s}(1)")), "{s} in\n{man}");
        let page = text(&tmp.0.join(format!("man/nlscope-{s}.1")));
        assert!(page.contains(&format!(".TH nlscope-{s} 1")), "{page}");
    }
    let read = text(&tmp.0.join("man/nlscope-read.1"));
    assert!(
        read.contains("\\fBnlscope read\\fR") && read.contains("\\-Y"),
        "{read}"
    );
    // The hidden generator documents nothing about itself.
    assert!(!man.contains("gen\\-docs"), "{man}");
    assert!(!tmp.0.join("man/nlscope-gen-docs.1").exists());

    for (file, marker) in [
        ("nlscope.bash", "complete -F"),
        ("_nlscope", "#compdef nlscope"),
        ("nlscope.fish", "complete -c nlscope"),
    ] {
        let c = text(&tmp.0.join("completions").join(file));
        assert!(c.contains(marker), "{file}: no {marker}");
        for s in SUBCOMMANDS {
            assert!(c.contains(s), "{file} does not complete {s}");
        }
        assert!(!c.contains("gen-docs"), "{file} offers the hidden gen-docs");
    }
    // Options of a subcommand complete too.
    assert!(text(&tmp.0.join("completions/nlscope.fish")).contains("-l monitor"));
}

#[test]
fn the_help_does_not_show_gen_docs() {
    let help = run_ok(&["--help"]);
    assert!(
        help.contains("capture") && !help.contains("gen-docs"),
        "{help}"
    );
}

/// Every file `[package.metadata.deb]` installs from the source tree exists, and what it
/// expects generated is what `gen-docs` (plus the script's gzip) writes.
#[test]
fn deb_metadata_assets_exist() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let toml = text(&root.join("Cargo.toml"));
    let meta = toml
        .split_once("[package.metadata.deb]")
        .map(|(_, m)| m)
        .expect("[package.metadata.deb] in Cargo.toml");
    let sources: Vec<&str> = meta
        .lines()
        .filter_map(|l| l.trim().strip_prefix("[\""))
        .filter_map(|l| l.split('"').next())
        .collect();
    assert!(sources.len() >= 9, "{sources:?}");
    for s in &sources {
        if let Some(generated) = s.strip_prefix("target/release/") {
            assert!(
                generated == "nlscope"
                    || generated == "gen-docs/man/*.1.gz"
                    || generated.starts_with("gen-docs/completions/"),
                "{s}"
            );
        } else {
            assert!(root.join(s).is_file(), "{s} is missing");
        }
    }
    let desktop = text(&root.join("assets/nlscope.desktop"));
    for line in ["Exec=nlscope %f", "Icon=nlscope", "Type=Application"] {
        assert!(desktop.lines().any(|l| l == line), "{line}");
    }
    let png = std::fs::read(root.join("assets/nlscope.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert!(text(&root.join("assets/nlscope.svg")).contains("<svg"));
}

/// With cargo-deb and dpkg-deb installed: build the package (`scripts/package-deb.sh --fast`)
/// and list it. Needs a release build, so it runs only when NLSCOPE_TEST_DEB=1.
#[test]
fn the_debian_package_holds_binary_desktop_file_icon_man_pages_and_completions() {
    if std::env::var_os("NLSCOPE_TEST_DEB").is_none_or(|v| v != "1") {
        eprintln!("SKIP .deb build: set NLSCOPE_TEST_DEB=1 (it makes a release build)");
        return;
    }
    let have = |cmd: &str, arg: &[&str]| {
        Command::new(cmd)
            .args(arg)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !have("cargo", &["deb", "--version"]) || !have("dpkg-deb", &["--version"]) {
        eprintln!("SKIP .deb build: cargo-deb or dpkg-deb is not installed");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("bash")
        .arg(root.join("scripts/package-deb.sh"))
        .arg("--fast")
        .current_dir(root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let deb = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(deb.ends_with(".deb"), "{deb}");
    let list = Command::new("dpkg-deb")
        .args(["-c", &deb])
        .output()
        .unwrap();
    let list = String::from_utf8_lossy(&list.stdout);
    for f in [
        "./usr/bin/nlscope",
        "./usr/share/applications/nlscope.desktop",
        "./usr/share/icons/hicolor/scalable/apps/nlscope.svg",
        "./usr/share/icons/hicolor/128x128/apps/nlscope.png",
        "./usr/share/man/man1/nlscope.1.gz",
        "./usr/share/man/man1/nlscope-capture.1.gz",
        "./usr/share/bash-completion/completions/nlscope",
        "./usr/share/zsh/vendor-completions/_nlscope",
        "./usr/share/fish/vendor_completions.d/nlscope.fish",
    ] {
        assert!(list.lines().any(|l| l.ends_with(f)), "{f} not in\n{list}");
    }
}
