//! `nlscope stats`: a capture's messages by family and type, its requests by family and
//! command and by socket (answers, errors, latency percentiles), and its errors by errno.

use std::io::Write;

use super::CliError;
use super::read::{ReadOptions, walk_linked};
use crate::conv::stats::Stats;
use crate::dissect::fields::{Catalog, MsgFields};
use crate::dissect::specs::SpecRegistry;
use crate::filter::Filter;

/// Options of `nlscope stats`.
#[derive(Debug, Clone, clap::Args)]
pub struct StatsOptions {
    /// Capture file.
    #[arg(short = 'r', value_name = "FILE")]
    pub input: String,
    /// Count only the messages this display filter keeps.
    #[arg(short = 'Y', value_name = "FILTER")]
    pub filter: Option<String>,
    /// Stop after reading N frames.
    #[arg(short = 'c', value_name = "N")]
    pub count: Option<u64>,
    /// Print JSON instead of tables.
    #[arg(short = 'j', long = "json")]
    pub json: bool,
    /// Read generic netlink family id ID as family NAME (as `read --genl`); repeatable.
    #[arg(long = "genl", value_name = "NAME=ID", value_parser = super::read::parse_genl)]
    pub genl: Vec<(String, u16)>,
    /// Decode protocol PROTO with spec SPEC (as `read --decode-as`); repeatable.
    #[arg(long = "decode-as", value_name = "PROTO=SPEC", value_parser = super::read::parse_decode_as)]
    pub decode_as: Vec<(u32, String)>,
}

/// Run `stats`: one pass correlates, a second counts.
pub fn run(opts: &StatsOptions, specs: SpecRegistry, out: &mut dyn Write) -> Result<(), CliError> {
    if opts.input == "-" {
        return Err(CliError::usage(
            "nlscope stats reads a capture file twice (-r FILE), not standard input",
        ));
    }
    let filter = match &opts.filter {
        Some(f) => Some(Filter::compile(f, &Catalog::new(&specs)).map_err(|e| {
            CliError::usage(format!("invalid display filter: {e}\n{}", e.render(f)))
        })?),
        None => None,
    };
    let pins = ReadOptions {
        input: opts.input.clone(),
        filter: None,
        format: None,
        count: opts.count,
        write: None,
        out_format: None,
        coverage: false,
        time_format: None,
        genl: opts.genl.clone(),
        decode_as: opts.decode_as.clone(),
        threads: None,
        batch: None,
        window: None,
    };
    let mut stats = Stats::default();
    let res = walk_linked(&opts.input, opts.count, &pins, specs, &mut |w| {
        let view = w.dis.view(w.frame.data, w.m);
        let (frame, linked, t0) = (w.frame, w.linked, w.t0);
        if let Some(f) = &filter {
            let fields = MsgFields::new(&view, w.no, frame.ts_ns, frame.data.len())
                .relative_to(t0)
                .with_linked(linked);
            if !f.matches(&fields) {
                return;
            }
        }
        let t = (frame.ts_ns - t0) as f64 / 1e9;
        stats.add(
            view.family_str(),
            view.type_str(),
            w.m.direction,
            t,
            linked.as_ref(),
            w.m.error,
        );
    });
    stats.finish();
    let text = if opts.json {
        format!("{:#}\n", stats.json())
    } else {
        stats.text()
    };
    out.write_all(text.as_bytes())
        .map_err(|e| CliError::new(format!("writing output: {e}")))?;
    res
}
