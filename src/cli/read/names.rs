//! The interface names a summary or CSV row of a file shows: learned by a pass over the whole
//! file before the lines are printed (a route printed before its link's RTM_NEWLINK reads
//! `dev veth1`, as in the app's list). The pass starts on its own thread before the specs are
//! loaded, so the two overlap: on the 200 MB bench file the pass takes ~50 ms and loading the
//! specs ~25 ms of two cores.

use std::thread::{self, JoinHandle};

use super::{ReadOptions, format_of, learn_link_names};
use crate::cli::CliError;
use crate::dissect::{Dissector, specs::SpecRegistry};
use crate::export::Format;

/// A pass over the file started before the specs were loaded; learned with a dissector
/// without specs, which reads IFLA_IFNAME as the uapi numbers it (3).
pub struct EarlyNames(JoinHandle<Names>);

type Names = Vec<(i32, String)>;

/// Whether `read` with `opts` names links from a pass over the whole file first.
pub(super) fn wanted(opts: &ReadOptions) -> bool {
    matches!(format_of(opts), Some(Format::Summary | Format::Csv)) && opts.input != "-"
}

#[cfg(test)]
impl EarlyNames {
    /// A pass that has ended with `names`.
    pub(super) fn ready(names: Names) -> Self {
        EarlyNames(thread::spawn(move || names))
    }
}

/// Start the pass for `opts` if `read` wants one and it can run without specs: not with
/// `--genl` or `--decode-as`, which need them (the pass then runs after loading them).
pub fn start(opts: &ReadOptions) -> Option<EarlyNames> {
    if !wanted(opts) || !opts.genl.is_empty() || !opts.decode_as.is_empty() {
        return None;
    }
    let (path, count) = (opts.input.clone(), opts.count);
    let pass = thread::Builder::new().name("link names".into());
    let h = pass.spawn(move || names_of(&path, count, Dissector::new(SpecRegistry::new())));
    h.ok().map(EarlyNames)
}

pub(super) fn names_of(path: &str, count: Option<u64>, mut d: Dissector) -> Names {
    learn_link_names(path, count, &mut d);
    d.link_names().map(|(i, n)| (i, n.to_string())).collect()
}

/// The names for `read` with `opts`: those of the early pass, if it started and learned as a
/// dissector over `specs` would (the same IFLA_IFNAME number), else from a pass now.
pub(super) fn primed(
    opts: &ReadOptions,
    specs: &SpecRegistry,
    early: Option<EarlyNames>,
) -> Result<Names, CliError> {
    if !wanted(opts) {
        return Ok(Vec::new());
    }
    let d = super::dissector(opts, specs.clone())?;
    let same = Dissector::new(SpecRegistry::new()).learns_links_as(&d);
    match early.map(|e| e.0.join()) {
        Some(Ok(names)) if same => Ok(names),
        _ => Ok(names_of(&opts.input, opts.count, d)),
    }
}
