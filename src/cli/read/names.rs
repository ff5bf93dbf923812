//! The interface names a summary or CSV row of a file shows: learned by a pass over the whole
//! file before the lines are printed (a route printed before its link's RTM_NEWLINK reads
//! `dev veth1`, as in the app's list). The pass starts on its own thread before the specs are
//! loaded, so the two overlap (on the 200 MB bench file the pass takes ~60 ms of a core and
//! loading the specs ~25 ms of two), and a pcap file's second half is walked on another
//! thread at the same time.

use std::collections::HashSet;
use std::thread::{self, JoinHandle};

use super::{ReadOptions, format_of, learn_link_names, learn_link_names_between};
use crate::cli::CliError;
use crate::dissect::{Dissector, MAX_LINKS, specs::SpecRegistry};
use crate::export::Format;

/// Files below this size are walked by one thread.
const SPLIT_FROM: u64 = 8 << 20;

/// A pass over the file started before the specs were loaded; learned with dissectors
/// without specs, which read IFLA_IFNAME as the uapi numbers it (3).
pub struct EarlyNames(JoinHandle<Learned>);

type Names = Vec<(i32, String)>;

/// What a pass learned: the names, and whether it met an RTM_NEWLINK to read one from (if
/// not, its names came from capture comments, which any dissector learns alike).
pub(super) struct Learned {
    pub names: Names,
    pub met_links: bool,
}

#[cfg(test)]
impl EarlyNames {
    /// A pass that has ended with `names`, read from RTM_NEWLINK messages.
    pub(super) fn ready(names: Names) -> Self {
        EarlyNames(thread::spawn(move || Learned {
            names,
            met_links: true,
        }))
    }

    /// A pass that has ended with `names`, all from capture comments.
    pub(super) fn from_comments(names: Names) -> Self {
        EarlyNames(thread::spawn(move || Learned {
            names,
            met_links: false,
        }))
    }
}

/// Whether `read` with `opts` names links from a pass over the whole file first.
pub(super) fn wanted(opts: &ReadOptions) -> bool {
    matches!(format_of(opts), Some(Format::Summary | Format::Csv)) && opts.input != "-"
}

/// Start the pass for `opts` if `read` wants one and it can run without specs: not with
/// `--genl` or `--decode-as`, which need them (the pass then runs after loading them).
pub fn start(opts: &ReadOptions) -> Option<EarlyNames> {
    if !wanted(opts) || !opts.genl.is_empty() || !opts.decode_as.is_empty() {
        return None;
    }
    let (path, count) = (opts.input.clone(), opts.count);
    let pass = thread::Builder::new().name("link names".into());
    pass.spawn(move || early(&path, count)).ok().map(EarlyNames)
}

fn names(d: &Dissector) -> Names {
    d.link_names().map(|(i, n)| (i, n.to_string())).collect()
}

fn learned(d: &Dissector) -> Learned {
    Learned {
        names: names(d),
        met_links: d.met_links(),
    }
}

fn bare() -> Dissector {
    Dissector::new(SpecRegistry::new())
}

/// What [`learn_link_names`] learns, a large pcap file's second half on another thread: from
/// a record start near the middle ([`crate::pcap::split`]) that the first half's walk must
/// arrive at exactly, else it walks on alone. Names learn by index, later ones win: the second
/// half's go over the first's, unless together they could have filled the table (then the
/// first half's walk goes on, as one pass would have).
pub(super) fn early(path: &str, count: Option<u64>) -> Learned {
    let mid = std::fs::File::open(path).ok().and_then(|f| {
        let len = f.metadata().ok()?.len();
        (count.is_none() && len >= SPLIT_FROM)
            .then(|| crate::pcap::split::record_start_near(&f, len / 2))
            .flatten()
    });
    match mid {
        Some(mid) => split_walk(path, mid),
        None => {
            let mut d = bare();
            learn_link_names(path, count, &mut d);
            learned(&d)
        }
    }
}

/// [`early`] from a record start near the middle, `mid` (a guess: the first half checks it).
pub(super) fn split_walk(path: &str, mid: u64) -> Learned {
    let mut d = bare();
    let p = path.to_string();
    let second = thread::spawn(move || {
        let mut d = bare();
        learn_link_names_between(&p, mid, u64::MAX, &mut d);
        learned(&d)
    });
    let go_on_from = match learn_link_names_between(path, 0, mid, &mut d) {
        // The file ended, or a read error ended it, before the middle: as one pass.
        None => return learned(&d),
        // Not a record start after all (the second half's walk is left to end unheard).
        Some(at) if at != mid => at,
        Some(_) => match second.join() {
            Ok(rest) if fits(&d, &rest.names) => {
                let mut all = names(&d);
                let later: HashSet<i32> = rest.names.iter().map(|(i, _)| *i).collect();
                all.retain(|(i, _)| !later.contains(i));
                all.extend(rest.names);
                return Learned {
                    names: all,
                    met_links: d.met_links() || rest.met_links,
                };
            }
            _ => mid,
        },
    };
    learn_link_names_between(path, go_on_from, u64::MAX, &mut d);
    learned(&d)
}

/// Whether the first half's names and `rest` stay under the table's size (so neither half
/// met the limit, and one pass would not have either).
fn fits(d: &Dissector, rest: &Names) -> bool {
    let mut all: HashSet<i32> = d.link_names().map(|(i, _)| i).collect();
    all.extend(rest.iter().map(|(i, _)| *i));
    all.len() < MAX_LINKS
}

/// The names for `read` with `opts`: those of the early pass, if it started and learned as a
/// dissector over `specs` would (the same IFLA_IFNAME number, asked only if the pass met an
/// RTM_NEWLINK: a capture without one loads no rt-link spec for it), else from a pass now.
pub(super) fn primed(
    opts: &ReadOptions,
    specs: &SpecRegistry,
    early: Option<EarlyNames>,
) -> Result<Names, CliError> {
    if !wanted(opts) {
        return Ok(Vec::new());
    }
    let mut d = super::dissector(opts, specs.clone())?;
    match early.map(|e| e.0.join()) {
        Some(Ok(l)) if !l.met_links || bare().learns_links_as(&d) => Ok(l.names),
        _ => {
            learn_link_names(&opts.input, opts.count, &mut d);
            Ok(names(&d))
        }
    }
}
