//! `nlscope trace`: record a program's netlink conversation (ptrace; see `capture::trace`) to a
//! pcapng file, to stdout, or as live summary lines.

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::PathBuf;

use super::CliError;
use super::capture::{LiveFrame, push_summary_lines};
use crate::capture::file::{CaptureFile, Limits, Target as FileTarget};
use crate::capture::trace::{self, Outcome, TRACE_INTERFACE, Target, Traced};
use crate::dissect::fields::{Catalog, MsgFields};
use crate::dissect::specs::SpecRegistry;
use crate::dissect::{Dissector, FrameIndex};
use crate::filter::Filter;
use crate::model::Endian;

/// Options of `nlscope trace` (its command-line arguments).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TraceOptions {
    /// Write pcapng here (`-` for standard output); without it, print live summary lines.
    #[arg(short = 'w', value_name = "FILE")]
    pub write: Option<String>,
    /// Also record child processes (every thread of the traced processes is always recorded).
    #[arg(short = 'f')]
    pub follow: bool,
    /// Display filter: print only matching messages, write only frames with one.
    #[arg(short = 'Y', value_name = "FILTER")]
    pub filter: Option<String>,
    /// Overwrite an existing output file.
    #[arg(long = "force")]
    pub force: bool,
    /// Attach to running processes (every thread of each) instead of starting a command.
    #[arg(short = 'p', value_name = "PID", value_delimiter = ',')]
    pub pids: Vec<i32>,
    /// The command to start and trace (after `--`).
    #[arg(
        value_name = "CMD",
        trailing_var_arg = true,
        allow_hyphen_values = true,
        num_args = 0..
    )]
    pub command: Vec<OsString>,
}

/// Trace until the program ends (exit status: the program's) or, with -p, SIGINT/SIGTERM.
pub fn run(opts: &TraceOptions, specs: SpecRegistry) -> Result<(), CliError> {
    let target = match (opts.pids.is_empty(), opts.command.is_empty()) {
        (true, false) => Target::Command(opts.command.clone()),
        (false, true) => Target::Attach(opts.pids.clone()),
        (true, true) => {
            return Err(CliError::usage(
                "give a command (nlscope trace -- CMD ARGS...) or -p PID[,PID]",
            ));
        }
        (false, false) => {
            return Err(CliError::usage("give either a command or -p PID, not both"));
        }
    };
    let filter = match &opts.filter {
        Some(f) => {
            let cat = Catalog::new(&specs);
            Some(Filter::compile(f, &cat).map_err(|e| {
                CliError::usage(format!("invalid display filter: {e}\n{}", e.render(f)))
            })?)
        }
        None => None,
    };
    let mut file = match opts.write.as_deref() {
        None => None,
        Some("-") => Some(CaptureFile::new(
            FileTarget::Stdout,
            Limits::default(),
            true,
        )),
        Some(p) => Some(CaptureFile::new(
            FileTarget::File(PathBuf::from(p)),
            Limits::default(),
            opts.force,
        )),
    }
    .transpose()
    .map_err(|e| CliError::usage(e.to_string()))?;
    let what = match &target {
        Target::Command(argv) => argv
            .iter()
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" "),
        Target::Attach(p) => format!(
            "process {}",
            p.iter().map(i32::to_string).collect::<Vec<_>>().join(",")
        ),
    };
    let where_to = match opts.write.as_deref() {
        None => "live summary".to_string(),
        Some("-") => "standard output".to_string(),
        Some(p) => p.to_string(),
    };
    if let Some(f) = file.as_mut() {
        f.start(
            &[TRACE_INTERFACE.to_string()],
            vec![format!("nlscope trace: {what}")],
        )
        .map_err(|e| CliError::new(format!("writing {where_to}: {e}")))?;
    }
    eprintln!("Tracing {what} -> {where_to}");

    let mut dis = Dissector::new(specs);
    let mut fi = FrameIndex::default();
    let mut text = String::new();
    let mut t0: Option<i128> = None;
    let mut seen = 0u64;
    let mut kept = 0u64;
    let mut error: Option<CliError> = None;
    let stdout = io::stdout();
    let mut on_frame = |t: Traced| -> bool {
        seen += 1;
        let comments = t.comments();
        for c in &comments {
            dis.learn_from_comment(c);
        }
        let t0v = *t0.get_or_insert(t.frame.ts_ns);
        let live = LiveFrame {
            data: &t.frame.data,
            no: seen,
            ts_ns: t.frame.ts_ns,
            t0: t0v,
            process: Some(&t.proc),
        };
        match file.as_mut() {
            Some(f) => {
                if let Some(flt) = &filter {
                    // Index every frame (generic netlink ids are learned in order), keep those
                    // with a matching message.
                    dis.index_frame_into(
                        live.data,
                        crate::capture::CAPTURE_LINKTYPE,
                        Endian::native(),
                        &mut fi,
                    );
                    let hit = fi.msgs.iter().any(|m| {
                        let view = dis.view(live.data, m);
                        flt.matches(
                            &MsgFields::new(&view, live.no, live.ts_ns, live.data.len())
                                .relative_to(t0v)
                                .with_process(live.process),
                        )
                    });
                    if !hit {
                        return true;
                    }
                }
                if let Err(e) = f.write(&t.frame, comments).and_then(|_| f.flush()) {
                    error = Some(CliError::new(format!("writing {where_to}: {e}")));
                    return false;
                }
                kept += 1;
            }
            None => {
                text.clear();
                let mut suffix = String::new();
                crate::export::push_proc_suffix(&mut suffix, &t.proc);
                if push_summary_lines(
                    &mut text,
                    &mut dis,
                    &mut fi,
                    &live,
                    filter.as_ref(),
                    &suffix,
                ) {
                    kept += 1;
                    let mut out = stdout.lock();
                    if out
                        .write_all(text.as_bytes())
                        .and_then(|_| out.flush())
                        .is_err()
                    {
                        // The reader went away (e.g. `| head`): record nothing more.
                        return false;
                    }
                }
            }
        }
        true
    };
    let outcome = trace::run(
        &trace::TraceOptions {
            target,
            follow: opts.follow,
            stdout_to_stderr: opts.write.as_deref() == Some("-"),
        },
        &mut on_frame,
    );
    if let Some(f) = file.as_mut() {
        f.flush()
            .map_err(|e| CliError::new(format!("writing {where_to}: {e}")))?;
    }
    let outcome = outcome.map_err(|e| CliError {
        message: e.message,
        code: e.code,
    })?;
    eprintln!(
        "{seen} frames traced{}",
        if filter.is_some() {
            format!(", {kept} matched the filter")
        } else {
            String::new()
        }
    );
    if let Some(e) = error {
        return Err(e);
    }
    match outcome {
        Outcome::Exited(0) | Outcome::Detached => Ok(()),
        Outcome::Exited(code) => Err(CliError {
            message: String::new(),
            code,
        }),
    }
}
