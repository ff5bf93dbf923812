//! nlscope command line: `read`, `capture`, `trace`, `specs`; without a subcommand, the desktop app.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

// Dissection trees are many small allocations; mimalloc makes `-T json` about a third faster
// than glibc malloc on the benchmark capture (scripts/bench.sh).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use nlscope::cli::{CliError, capture, docs, read, specs_cmd, state, stats, trace};
use nlscope::dissect::specs::SpecRegistry;

#[derive(Parser)]
#[command(
    name = "nlscope",
    version,
    about = "Linux netlink capture and dissector"
)]
struct Cli {
    /// Extra directory of YNL spec files (repeatable; later ones override earlier ones).
    #[arg(long = "spec-dir", global = true, value_name = "DIR")]
    spec_dir: Vec<PathBuf>,
    /// Do not load specs from the system directories (/usr/share/ynl/specs); also set by the
    /// environment variable NLSCOPE_NO_SYSTEM_SPECS=1.
    #[arg(long = "no-system-specs", global = true)]
    no_system_specs: bool,
    #[command(subcommand)]
    cmd: Option<Cmd>,
    /// Capture file to open in the desktop app.
    file: Option<PathBuf>,
    /// Write man pages and shell completions into DIR (`man/`, `completions/`) and exit; for
    /// packaging (scripts/package-deb.sh).
    #[arg(long = "gen-docs", value_name = "DIR", hide = true)]
    gen_docs: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Read a pcap/pcapng capture (or `-` for stdin) and print or save its netlink messages.
    Read(read::ReadOptions),
    /// Capture live netlink traffic from an nlmon interface or multicast monitor sockets.
    Capture(capture::CaptureOptions),
    /// Requests and answers of a capture: counts, errors by errno, latency percentiles, per
    /// family and command and per socket.
    Stats(stats::StatsOptions),
    /// Record one program's netlink messages, every protocol, with ptrace (no nlmon needed).
    Trace(trace::TraceOptions),
    /// The kernel's objects (links, addresses, routes, ...) as a capture showed them at a
    /// moment, printed as `ip`/`tc` list them.
    State(state::StateOptions),
    /// List the loaded YNL specs, or show one.
    Specs {
        #[command(subcommand)]
        what: Option<SpecsCmd>,
    },
}

#[derive(Subcommand)]
enum SpecsCmd {
    /// Every family with its protocol and source file.
    List,
    /// Operations and attribute sets of one family.
    Show {
        /// Family name (e.g. rt-link, nlctrl).
        name: String,
    },
    /// Every display-filter field path the specs define.
    Fields,
    /// What the running kernel accepts: generic netlink attribute policies per operation, with
    /// types, ranges and nesting (nlctrl CTRL_CMD_GETPOLICY; Linux 5.7+, no root needed).
    Policy(specs_cmd::policy::PolicyOptions),
}

fn run(cli: Cli) -> Result<(), CliError> {
    if let Some(dir) = &cli.gen_docs {
        for p in docs::generate(Cli::command(), dir)? {
            println!("{}", p.display());
        }
        return Ok(());
    }
    // Started first: it reads the file while the specs load.
    let early = match &cli.cmd {
        Some(Cmd::Read(opts)) => read::names::start(opts),
        _ => None,
    };
    let specs =
        SpecRegistry::load_default(&cli.spec_dir).map_err(|e| CliError::usage(e.to_string()))?;
    // The specs live as long as the process: the exit frees them at once, rather than a
    // command's end dropping each spec's sets and attributes (~1.5 ms of `read` when a large
    // capture loaded them all).
    std::mem::forget(specs.clone());
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cli.cmd {
        Some(Cmd::Read(opts)) => read::run_named(&opts, specs, early, &mut out),
        Some(Cmd::Capture(opts)) => capture::run(&opts, specs),
        Some(Cmd::Stats(opts)) => stats::run(&opts, specs, &mut out),
        Some(Cmd::Trace(opts)) => trace::run(&opts, specs),
        Some(Cmd::State(opts)) => state::run(&opts, specs, &mut out),
        Some(Cmd::Specs { what }) => match what.unwrap_or(SpecsCmd::List) {
            SpecsCmd::List => specs_cmd::list(&specs, &mut out),
            SpecsCmd::Show { name } => specs_cmd::show(&specs, &name, &mut out),
            SpecsCmd::Policy(opts) => specs_cmd::policy::run(&opts, &specs, &mut out),
            SpecsCmd::Fields => {
                use std::io::Write;
                let cat = nlscope::dissect::fields::Catalog::new(&specs);
                for p in nlscope::filter::Filter::HEADER_FIELDS
                    .iter()
                    .copied()
                    .chain(cat.paths().iter().map(String::as_str))
                {
                    writeln!(out, "{p}").map_err(|e| CliError::new(e.to_string()))?;
                }
                Ok(())
            }
        },
        #[cfg(feature = "gui")]
        None => nlscope::ui::run(specs, cli.file)
            .map_err(|e| CliError::new(format!("desktop app: {e}"))),
        #[cfg(not(feature = "gui"))]
        None => {
            let _ = cli.file;
            Err(CliError::usage(
                "built without the desktop app (feature gui)",
            ))
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.cmd.is_some();
    let code = match run(cli) {
        Ok(()) => 0,
        Err(e) => {
            if !e.message.is_empty() {
                eprintln!("nlscope: {}", e.message);
            }
            u8::try_from(e.code).unwrap_or(1)
        }
    };
    if command {
        // A command has written and closed what it writes; what is left is memory. A normal
        // exit runs mimalloc's exit handler, which collects every arena and hands freed pages
        // back with madvise (a TLB flush each): 1-2 ms at the end of `read` of a large file,
        // on one core, after the last line. The kernel frees it all at once anyway.
        use std::io::Write;
        let _ = std::io::stdout().flush();
        // SAFETY: `_exit` ends the process without running atexit handlers or destructors:
        // stdout is flushed above, stderr is unbuffered, and every file a command writes is
        // flushed and closed before `run` returns.
        unsafe { libc::_exit(i32::from(code)) }
    }
    ExitCode::from(code)
}
