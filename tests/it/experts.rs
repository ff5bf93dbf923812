//! Every real capture dissects without Error expert notes (and, with the kernel's specs, without
//! warnings either).

use nlscope::dissect::specs::SpecRegistry;
use nlscope::model::Severity;

use super::common::*;

/// (capture, frame, msg, node name, severity, text) of every note at or above `min`.
fn notes(min: Severity, specs: impl Fn() -> SpecRegistry) -> Vec<String> {
    let mut bad = Vec::new();
    for path in all_captures() {
        let bytes = std::fs::read(&path).unwrap();
        let (frames, err) = read_frames(&bytes);
        assert!(err.is_none(), "{}: read error {err:?}", path.display());
        assert!(!frames.is_empty(), "{}: no frames", path.display());
        for d in dissect_all(&frames, specs()) {
            for n in all_nodes(&d.nodes) {
                if let Some(e) = &n.expert
                    && e.severity >= min
                {
                    bad.push(format!(
                        "{} frame {} msg {}: {} [{}] {} @{}+{}",
                        path.file_name().unwrap().to_string_lossy(),
                        d.frame,
                        d.msg,
                        n.name,
                        e.severity.as_str(),
                        e.text,
                        n.offset,
                        n.length
                    ));
                }
            }
        }
    }
    bad
}

#[test]
fn no_expert_errors_with_embedded_specs() {
    let bad = notes(Severity::Error, SpecRegistry::with_embedded);
    assert!(
        bad.is_empty(),
        "{} error notes:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn no_errors_or_warnings_with_kernel_specs() {
    let Some(sh) = shared("kernel specs") else {
        return;
    };
    // Where the kernel's own spec files are wrong or newer than the 6.1 kernel that made the
    // captures, a warning is the right answer: (node name, start of the note).
    const KERNEL_SPEC_GAPS: &[(&str, &str)] = &[
        // rt-rule.yaml types FRA_SRC/FRA_DST as u32; IPv6 rules carry 16 bytes.
        ("FRA_SRC", "expected 4 bytes, got 16"),
        ("FRA_DST", "expected 4 bytes, got 16"),
        // tc.yaml's struct tc_fq_qd_stats has members added after Linux 6.1.
        ("expert", "struct tc-fq-qd-stats ends after 104 bytes"),
        // tc.yaml gives hfsc classes the qdisc's fixed header (struct tc_hfsc_qopt).
        ("expert", "struct tc-hfsc-qopt ends after 0 bytes"),
    ];
    let bad: Vec<String> = notes(Severity::Warning, || kernel_specs(&sh))
        .into_iter()
        .filter(|n| {
            !KERNEL_SPEC_GAPS
                .iter()
                .any(|(name, text)| n.contains(&format!(": {name} [warning] {text}")))
        })
        .collect();
    assert!(
        bad.is_empty(),
        "{} warning/error notes:\n{}",
        bad.len(),
        bad.iter().take(60).cloned().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn node_ranges_stay_inside_their_frame() {
    for path in all_captures() {
        let bytes = std::fs::read(&path).unwrap();
        let (frames, _) = read_frames(&bytes);
        for d in dissect_all(&frames, SpecRegistry::with_embedded()) {
            let flen = frames[d.frame - 1].data.len();
            for n in all_nodes(&d.nodes) {
                assert!(
                    n.offset + n.length <= flen,
                    "{} frame {} node {} {}+{} beyond frame length {flen}",
                    path.display(),
                    d.frame,
                    n.name,
                    n.offset,
                    n.length
                );
            }
        }
    }
}
