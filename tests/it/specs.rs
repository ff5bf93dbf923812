//! YNL spec loading: every kernel spec file, the embedded set, and `nlscope specs`.

use nlscope::dissect::specs::{SpecRegistry, SpecSource, load_spec};

use super::common::*;

#[test]
fn embedded_specs_all_load() {
    let reg = SpecRegistry::with_embedded();
    assert!(reg.errors().is_empty(), "{:?}", reg.errors());
    for f in ["nlctrl", "rt-link", "rt-addr", "rt-route"] {
        assert!(reg.get(f).is_some(), "embedded spec {f} missing");
    }
}

#[test]
fn every_kernel_spec_loads() {
    let Some(sh) = shared("kernel spec loading") else {
        return;
    };
    let dir = sh.join("ynl-specs");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        let spec = load_spec(&text, SpecSource::File(p.clone()))
            .unwrap_or_else(|e| panic!("{}: {e:?}", p.display()));
        assert!(!spec.name.is_empty(), "{}", p.display());
        n += 1;
    }
    assert!(n >= 20, "only {n} spec files in {}", dir.display());
}

#[test]
fn specs_list_shows_every_family_with_its_source() {
    let out = run_ok(&["specs", "list"]);
    let reg = SpecRegistry::with_embedded();
    let rows: Vec<Vec<&str>> = out
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().collect())
        .collect();
    for name in [
        "nlctrl", "rt-link", "rt-addr", "rt-neigh", "rt-route", "rt-rule",
    ] {
        assert!(reg.get(name).is_some());
        let row = rows
            .iter()
            .find(|r| r[0] == name)
            .unwrap_or_else(|| panic!("{name} not listed:\n{out}"));
        assert!(row.last().unwrap().starts_with("embedded:"), "{row:?}");
    }

    let Some(sh) = shared("specs list with --spec-dir") else {
        return;
    };
    let dir = sh.join("ynl-specs");
    let out = run_ok(&["--spec-dir", dir.to_str().unwrap(), "specs", "list"]);
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "yaml") {
            continue;
        }
        let spec = load_spec(
            &std::fs::read_to_string(&p).unwrap(),
            SpecSource::File(p.clone()),
        )
        .unwrap();
        let line = out
            .lines()
            .find(|l| l.split_whitespace().next() == Some(spec.name.as_str()))
            .unwrap_or_else(|| panic!("{} not listed:\n{out}", spec.name));
        // Later --spec-dir files replace the embedded ones: the source is the file.
        assert!(
            line.contains(p.file_name().unwrap().to_str().unwrap()),
            "{line}"
        );
        assert!(!line.contains("embedded:"), "{line}");
    }
}

#[test]
fn specs_show_and_fields() {
    let out = run_ok(&["specs", "show", "rt-link"]);
    assert!(out.contains("IFLA_IFNAME"), "{out}");
    assert!(out.contains("RTM_NEWLINK"), "{out}");
    let fields = run_ok(&["specs", "fields"]);
    for f in ["nlmsg.type", "nlmsg.flags", "rt-link.ifname"] {
        assert!(
            fields.lines().any(|l| l == f),
            "{f} missing from specs fields"
        );
    }
    let bad = run(&["specs", "show", "no-such-family"]);
    assert_no_panic(&bad);
    assert!(!bad.status.success());
}
