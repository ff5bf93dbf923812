//! nlscope command line: `read`, `capture`, `specs`; without a subcommand, the desktop app.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

// Dissection trees are many small allocations; mimalloc makes `-T json` about a third faster
// than glibc malloc on the benchmark capture (scripts/bench.sh).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use nlscope::cli::{CliError, capture, read, specs_cmd};
use nlscope::dissect::specs::SpecRegistry;
use nlscope::export::Format;
use nlscope::pcap::OutFormat;

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
}

#[derive(Subcommand)]
enum Cmd {
    /// Read a pcap/pcapng capture (or `-` for stdin) and print or save its netlink messages.
    Read {
        /// Input file, `-` for standard input.
        #[arg(short = 'r', value_name = "FILE")]
        input: String,
        /// Display filter (e.g. `nlmsg.type == RTM_NEWLINK && rt-link.ifname == veth0`).
        #[arg(short = 'Y', value_name = "FILTER")]
        filter: Option<String>,
        /// Output format: summary, tree, json, ndjson, csv.
        #[arg(short = 'T', value_name = "FORMAT", value_parser = parse_format)]
        format: Option<Format>,
        /// Stop after reading N frames.
        #[arg(short = 'c', value_name = "N")]
        count: Option<u64>,
        /// Write the matching frames to this capture file.
        #[arg(short = 'w', value_name = "OUT")]
        write: Option<PathBuf>,
        /// Format for -w: pcapng (default) or pcap (also chosen by a .pcap extension).
        #[arg(short = 'F', value_name = "FORMAT", value_parser = parse_out_format)]
        out_format: Option<OutFormat>,
        /// Print, instead of messages, how many payload bytes the specs decoded by name and how
        /// many stayed raw, per netlink family and message type.
        #[arg(long = "coverage")]
        coverage: bool,
    },
    /// Capture live netlink traffic from an nlmon interface or multicast monitor sockets.
    Capture {
        /// nlmon interface to capture on (AF_PACKET).
        #[arg(short = 'i', value_name = "IFACE")]
        iface: Option<String>,
        /// Monitor multicast groups: route,genl,netfilter,xfrm,uevent,selinux,audit,proc or all.
        #[arg(long = "monitor", value_name = "LIST")]
        monitor: Option<String>,
        /// Write pcapng here (`-` for standard output); without it, print live summary lines.
        #[arg(short = 'w', value_name = "FILE")]
        write: Option<String>,
        /// Stop after N frames.
        #[arg(short = 'c', value_name = "N")]
        count: Option<u64>,
        /// Stop after duration:SECONDS or filesize:KB (repeatable).
        #[arg(short = 'a', value_name = "COND")]
        autostop: Vec<String>,
        /// Ring buffer: filesize:KB,files:N.
        #[arg(short = 'b', value_name = "SPEC")]
        ring: Option<String>,
        /// Capture inside this network namespace (`ip netns add NAME`).
        #[arg(long = "netns", value_name = "NAME")]
        netns: Option<String>,
        /// Also receive messages from other network namespaces (monitor; NETLINK_LISTEN_ALL_NSID).
        #[arg(long = "all-netns")]
        all_netns: bool,
        /// Create nlmon0 (or -i NAME) for the capture and remove it at the end.
        #[arg(long = "create-nlmon")]
        create_nlmon: bool,
        /// Overwrite an existing output file.
        #[arg(long = "force")]
        force: bool,
        /// Stop when standard input reaches its end (the desktop app's helper captures).
        #[arg(long = "stop-on-stdin-eof", hide = true)]
        stop_on_stdin_eof: bool,
    },
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
}

fn parse_format(s: &str) -> Result<Format, String> {
    Format::parse(s).ok_or_else(|| format!("'{s}' is not one of summary, tree, json, ndjson, csv"))
}

fn parse_out_format(s: &str) -> Result<OutFormat, String> {
    match s {
        "pcap" | "libpcap" => Ok(OutFormat::Pcap),
        "pcapng" => Ok(OutFormat::PcapNg),
        _ => Err(format!("'{s}' is not pcap or pcapng")),
    }
}

fn run(cli: Cli) -> Result<(), CliError> {
    let specs =
        SpecRegistry::load_default(&cli.spec_dir).map_err(|e| CliError::usage(e.to_string()))?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cli.cmd {
        Some(Cmd::Read {
            input,
            filter,
            format,
            count,
            write,
            out_format,
            coverage,
        }) => read::run(
            &read::ReadOptions {
                input,
                filter,
                format,
                count,
                write,
                out_format,
                coverage,
            },
            specs,
            &mut out,
        ),
        Some(Cmd::Capture {
            iface,
            monitor,
            write,
            count,
            autostop,
            ring,
            netns,
            all_netns,
            create_nlmon,
            force,
            stop_on_stdin_eof,
        }) => capture::run(
            &capture::CaptureOptions {
                iface,
                monitor,
                write,
                count,
                autostop,
                ring,
                netns,
                all_netns,
                create_nlmon,
                force,
                stop_on_stdin_eof,
            },
            specs,
        ),
        Some(Cmd::Specs { what }) => match what.unwrap_or(SpecsCmd::List) {
            SpecsCmd::List => specs_cmd::list(&specs, &mut out),
            SpecsCmd::Show { name } => specs_cmd::show(&specs, &name, &mut out),
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
        None => nlscope::ui::run(specs, cli.file)
            .map_err(|e| CliError::new(format!("desktop app: {e}"))),
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if !e.message.is_empty() {
                eprintln!("nlscope: {}", e.message);
            }
            ExitCode::from(u8::try_from(e.code).unwrap_or(1))
        }
    }
}
