//! `nlscope state`: the kernel objects a capture showed, as they were at a moment (links,
//! addresses, routes, neighbours, rules, nexthops, qdiscs, nftables), printed as
//! `ip`/`tc`/`nft` list them or, with `-j`, in the shape of `ip -j` / `nft -j`.

use std::io::Write;

use super::CliError;
use super::read::{ReadOptions, walk_linked};
use crate::conv::Role;
use crate::conv::state::{Kind, State};
use crate::dissect::specs::SpecRegistry;

/// Options of `nlscope state`.
#[derive(Debug, Clone, clap::Args)]
pub struct StateOptions {
    /// Capture file.
    #[arg(short = 'r', value_name = "FILE")]
    pub input: String,
    /// The moment: seconds after the first frame (as frame.time_relative), or `end`.
    #[arg(long = "at", value_name = "SECONDS", conflicts_with = "frame")]
    pub at: Option<String>,
    /// The moment: just after frame N (1-based, included).
    #[arg(long = "frame", value_name = "N")]
    pub frame: Option<u64>,
    /// Print JSON in the shape of `ip -j` / `tc -j`.
    #[arg(short = 'j', long = "json")]
    pub json: bool,
    /// What to print: links, addrs, routes, neigh, rules, nexthops, qdiscs or nft.
    #[arg(value_name = "KIND", value_parser = parse_kind)]
    pub kind: Kind,
}

/// A kind by its word.
fn parse_kind(s: &str) -> Result<Kind, String> {
    Kind::parse(s).ok_or_else(|| {
        let words: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        format!("unknown kind '{s}' (one of {})", words.join(", "))
    })
}

/// Run `state`: correlate, then apply every message up to the moment.
pub fn run(opts: &StateOptions, specs: SpecRegistry, out: &mut dyn Write) -> Result<(), CliError> {
    if opts.input == "-" {
        return Err(CliError::usage(
            "nlscope state reads a capture file twice (-r FILE), not standard input",
        ));
    }
    let at_ns = match opts.at.as_deref() {
        None | Some("end") => None,
        Some(s) => {
            let secs: f64 = s
                .parse()
                .ok()
                .filter(|x: &f64| x.is_finite() && *x >= 0.0)
                .ok_or_else(|| CliError::usage(format!("--at {s}: not a number of seconds")))?;
            Some((secs * 1e9).round() as i128)
        }
    };
    let pins = ReadOptions {
        input: opts.input.clone(),
        filter: None,
        format: None,
        count: opts.frame,
        write: None,
        out_format: None,
        coverage: false,
        time_format: None,
        genl: Vec::new(),
        decode_as: Vec::new(),
        threads: None,
        batch: None,
        window: None,
    };
    let mut state = State::new();
    let res = walk_linked(&opts.input, opts.frame, &pins, specs, &mut |w| {
        if at_ns.is_some_and(|at| w.frame.ts_ns - w.t0 > at) {
            return;
        }
        let role = w.linked.map_or(Role::None, |l| l.role);
        state.apply(&w.dis.view(w.frame.data, w.m), role);
    });
    let text = if opts.json {
        format!("{}\n", state.render_json(opts.kind))
    } else {
        state.render_text(opts.kind)
    };
    out.write_all(text.as_bytes())
        .map_err(|e| CliError::new(format!("writing output: {e}")))?;
    res
}
