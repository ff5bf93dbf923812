//! `nlscope stats`: a capture's messages by family and type, its requests by family and
//! command and by socket (answers, errors, latency percentiles), and its errors by errno.

use std::io::Write;

use super::CliError;
use super::read::{ReadOptions, correlate_file, dissector, walk_file};
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
    let ro = ReadOptions {
        input: opts.input.clone(),
        filter: None,
        format: None,
        count: opts.count,
        write: None,
        out_format: None,
        coverage: false,
        genl: opts.genl.clone(),
        decode_as: opts.decode_as.clone(),
    };
    let conv = correlate_file(&opts.input, opts.count, &mut dissector(&ro, specs.clone())?)?;
    let mut dis = dissector(&ro, specs)?;
    let mut stats = Stats::default();
    let mut ord = 0usize;
    let mut t0 = None;
    let res = walk_file(
        &opts.input,
        opts.count,
        &mut dis,
        &mut |dis, no, frame, fi| {
            let first = ord;
            ord += fi.msgs.len().max(1);
            let t0 = *t0.get_or_insert(frame.ts_ns);
            for (mi, m) in fi.msgs.iter().enumerate() {
                let view = dis.view(&frame.data, m);
                let linked = conv.linked(first + mi);
                if let Some(f) = &filter {
                    let fields = MsgFields::new(&view, no, frame.ts_ns, frame.data.len())
                        .relative_to(t0)
                        .with_linked(linked);
                    if !f.matches(&fields) {
                        continue;
                    }
                }
                let t = (frame.ts_ns - t0) as f64 / 1e9;
                stats.add(
                    view.family_str(),
                    view.type_str(),
                    m.direction,
                    t,
                    linked.as_ref(),
                );
                if let (Some(l), Some(e)) = (linked, m.error)
                    && l.orphan
                    && e != 0
                {
                    stats.add_orphan_error(view.family_str(), e);
                }
            }
        },
    );
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
