//! The live-capture settings: the source, the namespace, and how the capture gets its
//! privileges (this process's capabilities, or a helper `nlscope capture` through a wrapper).

use std::process::Command;

use crate::capture::SourceRequest;
use crate::capture::monitor::MonitorFamily;

/// Where a capture reads from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SourceKind {
    /// Multicast monitor sockets (`capture --monitor`).
    Monitor,
    /// An nlmon interface (`capture -i`).
    Nlmon,
    /// One program's conversation, every protocol (`nlscope trace`; always a helper).
    Trace,
}

/// How a capture gets its privileges when this process lacks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Wrapper {
    /// `pkexec` (polkit asks for the password in a desktop dialog).
    Pkexec,
    /// `sudo -A` (the askpass program named by SUDO_ASKPASS asks).
    SudoAskpass,
    /// `sudo` (asks on the terminal the app was started from, if any).
    Sudo,
    /// Run the helper directly (it has capabilities of its own, or none are needed).
    None,
}

impl Wrapper {
    /// All choices, in menu order.
    pub const ALL: [Wrapper; 4] = [
        Wrapper::Pkexec,
        Wrapper::SudoAskpass,
        Wrapper::Sudo,
        Wrapper::None,
    ];

    /// The command words put in front of the helper.
    pub fn prefix(self) -> &'static [&'static str] {
        match self {
            Wrapper::Pkexec => &["pkexec"],
            Wrapper::SudoAskpass => &["sudo", "-A", "--"],
            Wrapper::Sudo => &["sudo", "--"],
            Wrapper::None => &[],
        }
    }

    /// Label in the options window.
    pub fn label(self) -> &'static str {
        match self {
            Wrapper::Pkexec => "pkexec",
            Wrapper::SudoAskpass => "sudo -A",
            Wrapper::Sudo => "sudo",
            Wrapper::None => "none",
        }
    }
}

/// Whether the capture runs in this process or as a helper process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RunMode {
    /// In this process when it has the privileges the source needs, else a helper.
    Auto,
    /// Always in this process.
    InProcess,
    /// Always a helper process (through the wrapper).
    Helper,
}

/// The capture settings (kept across runs).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct LiveOptions {
    /// Monitor sockets or an nlmon interface.
    pub source: SourceKind,
    /// Monitor families (names as `capture --monitor` takes them).
    pub families: Vec<String>,
    /// Every monitor family (`--monitor all`).
    pub all_families: bool,
    /// Also other namespaces' notifications (`--all-netns`).
    pub all_netns: bool,
    /// nlmon interface name.
    pub nlmon_iface: String,
    /// Create the nlmon interface for the capture (`--create-nlmon`).
    pub create_nlmon: bool,
    /// Network namespace to capture in (`--netns`); empty: this process's.
    pub netns: String,
    /// Privilege wrapper for the helper process.
    pub wrapper: Wrapper,
    /// In this process or a helper.
    pub mode: RunMode,
    /// Trace: the command to start (run by `sh -c`); empty when attaching.
    pub trace_command: String,
    /// Trace: the process to attach to, when no command is given.
    pub trace_pid: Option<u32>,
    /// Trace: follow children (`-f`).
    pub trace_follow: bool,
}

impl Default for LiveOptions {
    fn default() -> Self {
        LiveOptions {
            source: SourceKind::Monitor,
            families: vec!["route".into(), "genl".into()],
            all_families: false,
            all_netns: false,
            nlmon_iface: "nlmon0".into(),
            create_nlmon: false,
            netns: String::new(),
            wrapper: Wrapper::Pkexec,
            mode: RunMode::Auto,
            trace_command: String::new(),
            trace_pid: None,
            trace_follow: true,
        }
    }
}

const CAP_NET_BROADCAST: u32 = 11;
const CAP_NET_ADMIN: u32 = 12;
const CAP_NET_RAW: u32 = 13;
const CAP_SYS_PTRACE: u32 = 19;
const CAP_SYS_ADMIN: u32 = 21;
const CAP_AUDIT_READ: u32 = 37;

fn cap_name(c: u32) -> &'static str {
    match c {
        CAP_NET_BROADCAST => "CAP_NET_BROADCAST",
        CAP_NET_ADMIN => "CAP_NET_ADMIN",
        CAP_NET_RAW => "CAP_NET_RAW",
        CAP_SYS_PTRACE => "CAP_SYS_PTRACE",
        CAP_SYS_ADMIN => "CAP_SYS_ADMIN",
        CAP_AUDIT_READ => "CAP_AUDIT_READ",
        _ => "?",
    }
}

impl LiveOptions {
    /// The `--monitor` list.
    pub fn monitor_list(&self) -> String {
        if self.all_families {
            "all".into()
        } else {
            self.families.join(",")
        }
    }

    /// Check the options; the error says what to change.
    pub fn validate(&self) -> Result<(), String> {
        match self.source {
            SourceKind::Monitor => MonitorFamily::parse_list(&self.monitor_list())
                .map(|_| ())
                .map_err(|_| "choose at least one monitor family".to_string()),
            SourceKind::Nlmon if self.nlmon_iface.trim().is_empty() => {
                Err("name the nlmon interface".into())
            }
            SourceKind::Nlmon => Ok(()),
            SourceKind::Trace
                if self.trace_command.trim().is_empty() && self.trace_pid.is_none() =>
            {
                Err("give a command to trace or pick a process".into())
            }
            SourceKind::Trace => Ok(()),
        }
    }

    /// What the in-process capture opens (`None`: a trace, which only a helper runs).
    pub fn request(&self) -> Option<SourceRequest> {
        match self.source {
            SourceKind::Monitor => Some(SourceRequest::Monitor {
                families: self.monitor_list(),
                all_netns: self.all_netns,
            }),
            SourceKind::Nlmon => Some(SourceRequest::Nlmon {
                iface: self.nlmon_iface.trim().to_string(),
                create: self.create_nlmon,
            }),
            SourceKind::Trace => None,
        }
    }

    /// Arguments of the helper `nlscope capture` (pcapng on stdout; stops when its stdin
    /// closes, so even a helper this process may not signal ends with the app).
    pub fn capture_args(&self) -> Vec<String> {
        if self.source == SourceKind::Trace {
            // The helper's stdout is the pcapng stream; a traced command's output goes to
            // stderr (`trace -w -`). Stop closes stdin and sends SIGTERM.
            let mut a: Vec<String> = ["trace", "-w", "-"].map(String::from).to_vec();
            if self.trace_follow {
                a.push("-f".into());
            }
            match self
                .trace_pid
                .filter(|_| self.trace_command.trim().is_empty())
            {
                Some(pid) => {
                    a.push("-p".into());
                    a.push(pid.to_string());
                }
                None => a.extend(["--", "sh", "-c", self.trace_command.trim()].map(String::from)),
            }
            return a;
        }
        let mut a: Vec<String> = vec!["capture".into()];
        match self.source {
            SourceKind::Monitor => {
                a.push("--monitor".into());
                a.push(self.monitor_list());
                if self.all_netns {
                    a.push("--all-netns".into());
                }
            }
            SourceKind::Nlmon => {
                a.push("-i".into());
                a.push(self.nlmon_iface.trim().to_string());
                if self.create_nlmon {
                    a.push("--create-nlmon".into());
                }
            }
            SourceKind::Trace => {}
        }
        if !self.netns.trim().is_empty() {
            a.push("--netns".into());
            a.push(self.netns.trim().to_string());
        }
        a.extend(["-w", "-", "--stop-on-stdin-eof"].map(String::from));
        a
    }

    /// The helper command: `WRAPPER EXE capture ...`.
    pub fn helper_command(&self, exe: &std::path::Path) -> Command {
        let prefix = self.wrapper.prefix();
        let mut cmd = match prefix.split_first() {
            Some((first, rest)) => {
                let mut c = Command::new(first);
                c.args(rest);
                c.arg(exe);
                c
            }
            None => Command::new(exe),
        };
        cmd.args(self.capture_args());
        cmd
    }

    /// Capabilities the source needs (a capture without some of them may still open part of
    /// it, e.g. `all` skips families it cannot open).
    fn needed_caps(&self) -> Vec<u32> {
        let mut caps = Vec::new();
        let mut need = |c: u32| {
            if !caps.contains(&c) {
                caps.push(c);
            }
        };
        if !self.netns.trim().is_empty() {
            need(CAP_SYS_ADMIN);
        }
        match self.source {
            SourceKind::Monitor => {
                let fams = MonitorFamily::parse_list(&self.monitor_list()).unwrap_or_default();
                for f in fams {
                    match f {
                        MonitorFamily::Netfilter | MonitorFamily::Xfrm | MonitorFamily::Proc => {
                            need(CAP_NET_ADMIN)
                        }
                        MonitorFamily::Audit => need(CAP_AUDIT_READ),
                        _ => {}
                    }
                }
                if self.all_netns {
                    need(CAP_NET_BROADCAST);
                }
            }
            SourceKind::Nlmon => {
                need(CAP_NET_RAW);
                if self.create_nlmon {
                    need(CAP_NET_ADMIN);
                }
            }
            // Attaching to a process of another user needs it; a started command does not.
            SourceKind::Trace if self.trace_command.trim().is_empty() => need(CAP_SYS_PTRACE),
            SourceKind::Trace => {}
        }
        caps
    }

    /// Names of the needed capabilities this process lacks (empty: it can capture itself).
    pub fn missing_caps(&self) -> Vec<&'static str> {
        let have = effective_caps();
        self.needed_caps()
            .into_iter()
            .filter(|c| have & (1u64 << c) == 0)
            .map(cap_name)
            .collect()
    }

    /// Whether the capture runs in this process.
    pub fn in_process(&self) -> bool {
        // nlscope trace is its own program: a trace always runs as a helper.
        if self.source == SourceKind::Trace {
            return false;
        }
        match self.mode {
            RunMode::InProcess => true,
            RunMode::Helper => false,
            RunMode::Auto => self.missing_caps().is_empty(),
        }
    }

    /// A short description of the source (`monitor route,genl`, `nlmon0`).
    pub fn describe(&self) -> String {
        let mut s = match self.source {
            SourceKind::Monitor => format!("monitor {}", self.monitor_list()),
            SourceKind::Nlmon => self.nlmon_iface.trim().to_string(),
            SourceKind::Trace => match self.trace_pid {
                Some(p) if self.trace_command.trim().is_empty() => format!("trace of process {p}"),
                _ => format!("trace of {}", self.trace_command.trim()),
            },
        };
        if !self.netns.trim().is_empty() {
            s.push_str(&format!(" in netns {}", self.netns.trim()));
        }
        s
    }
}

/// The effective capability set of this process (bit n = capability n); all bits for root
/// when /proc cannot tell.
fn effective_caps() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    for line in status.lines() {
        if let Some(hex) = line.strip_prefix("CapEff:") {
            return u64::from_str_radix(hex.trim(), 16).unwrap_or(0);
        }
    }
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        u64::MAX
    } else {
        0
    }
}

/// nlmon interfaces of this network namespace (ARPHRD 824 in /sys/class/net).
pub fn nlmon_interfaces() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir("/sys/class/net")
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| {
            std::fs::read_to_string(e.path().join("type"))
                .is_ok_and(|t| t.trim() == crate::dissect::cooked::ARPHRD_NETLINK.to_string())
        })
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    v.sort();
    v
}

/// Named network namespaces (`ip netns list`).
pub fn named_netns() -> Vec<String> {
    let mut v: Vec<String> = ["/run/netns", "/var/run/netns"]
        .iter()
        .flat_map(|d| std::fs::read_dir(d).into_iter().flatten().flatten())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    v.sort();
    v.dedup();
    v
}

impl LiveOptions {
    /// Turn monitor family `name` on or off (the list keeps the `capture --monitor` order).
    pub fn set_family(&mut self, name: &str, on: bool) {
        let o = self;
        o.families.retain(|x| x != name);
        if on {
            o.families.push(name.to_string());
            // Keep the `capture --monitor` order.
            o.families.sort_by_key(|x| {
                MonitorFamily::ALL
                    .iter()
                    .position(|f| f.name() == x)
                    .unwrap_or(usize::MAX)
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helper_command_line() {
        let mut o = LiveOptions {
            families: vec!["route".into()],
            netns: "blue".into(),
            wrapper: Wrapper::SudoAskpass,
            ..Default::default()
        };
        let cmd = o.helper_command(std::path::Path::new("/usr/bin/nlscope"));
        assert_eq!(cmd.get_program(), "sudo");
        let args: Vec<_> = cmd.get_args().map(|a| a.to_string_lossy()).collect();
        assert_eq!(
            args,
            [
                "-A",
                "--",
                "/usr/bin/nlscope",
                "capture",
                "--monitor",
                "route",
                "--netns",
                "blue",
                "-w",
                "-",
                "--stop-on-stdin-eof"
            ]
        );
        o.source = SourceKind::Nlmon;
        o.create_nlmon = true;
        o.netns.clear();
        o.wrapper = Wrapper::None;
        let cmd = o.helper_command(std::path::Path::new("/x/nlscope"));
        assert_eq!(cmd.get_program(), "/x/nlscope");
        let args: Vec<_> = cmd.get_args().map(|a| a.to_string_lossy()).collect();
        assert_eq!(
            args,
            [
                "capture",
                "-i",
                "nlmon0",
                "--create-nlmon",
                "-w",
                "-",
                "--stop-on-stdin-eof"
            ]
        );
    }

    #[test]
    fn needed_privileges() {
        let mut o = LiveOptions::default();
        assert!(o.needed_caps().is_empty(), "route and genl need none");
        o.families.push("netfilter".into());
        o.all_netns = true;
        assert_eq!(o.needed_caps(), [CAP_NET_ADMIN, CAP_NET_BROADCAST]);
        o.all_families = true;
        o.all_netns = false;
        assert_eq!(o.needed_caps(), [CAP_NET_ADMIN, CAP_AUDIT_READ]);
        o.source = SourceKind::Nlmon;
        o.netns = "x".into();
        assert_eq!(o.needed_caps(), [CAP_SYS_ADMIN, CAP_NET_RAW]);
        o.mode = RunMode::Helper;
        assert!(!o.in_process());
        o.mode = RunMode::InProcess;
        assert!(o.in_process());
    }

    #[test]
    fn validation_and_family_order() {
        let mut o = LiveOptions {
            families: Vec::new(),
            ..Default::default()
        };
        assert!(o.validate().is_err());
        o.set_family("xfrm", true);
        o.set_family("route", true);
        o.set_family("uevent", true);
        o.set_family("xfrm", false);
        assert_eq!(o.monitor_list(), "route,uevent");
        assert!(o.validate().is_ok());
        o.source = SourceKind::Nlmon;
        o.nlmon_iface = " ".into();
        assert!(o.validate().is_err());
    }

    #[test]
    fn trace_runs_nlscope_trace_as_a_helper() {
        let mut o = LiveOptions {
            source: SourceKind::Trace,
            ..LiveOptions::default()
        };
        assert!(o.validate().is_err(), "nothing to trace");
        o.trace_pid = Some(42);
        o.trace_follow = false;
        assert_eq!(o.capture_args(), ["trace", "-w", "-", "-p", "42"]);
        assert_eq!(o.needed_caps(), [CAP_SYS_PTRACE]);
        assert_eq!(o.describe(), "trace of process 42");
        // A command wins over a picked process.
        o.trace_command = "nft list ruleset".into();
        assert_eq!(
            o.capture_args(),
            ["trace", "-w", "-", "--", "sh", "-c", "nft list ruleset"]
        );
        assert!(o.needed_caps().is_empty());
        o.mode = RunMode::InProcess;
        assert!(!o.in_process());
        assert!(o.request().is_none());
    }
}
