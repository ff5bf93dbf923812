//! Statistics over a capture's conversations: messages by family and type, requests by
//! family and command (answers, errors, latency percentiles), errors by errno, and sockets by
//! port id. `nlscope stats` prints them; the app's Statistics window shows the same tables.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value as J, json};

use super::Linked;
use crate::model::Direction;

/// Messages of one family and type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TypeCount {
    /// Sent to the kernel.
    pub to_kernel: u64,
    /// Sent by the kernel.
    pub from_kernel: u64,
    /// Neither (unknown direction).
    pub other: u64,
}

/// Requests of one family and command (or of one socket).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Requests {
    /// How many.
    pub requests: u64,
    /// Answers they got (replies, dump parts, done, acks, errors).
    pub answers: u64,
    /// Finished with an error.
    pub errors: u64,
    /// Asked for an answer and got none in a capture that covers it.
    pub unanswered: u64,
    /// Dumps the kernel interrupted (`NLM_F_DUMP_INTR`).
    pub dump_intr: u64,
    /// Latencies in seconds, request to final answer (sorted by [`Stats::finish`]).
    pub latencies: Vec<f64>,
}

impl Requests {
    fn add(&mut self, l: &Linked) {
        let Some(a) = l.answers else {
            return;
        };
        self.requests += 1;
        self.answers += u64::from(a.count);
        self.errors += u64::from(a.error.is_some_and(|e| e != 0));
        self.unanswered += u64::from(a.unanswered);
        self.dump_intr += u64::from(l.dump_intr);
        if a.complete
            && let Some(t) = a.latency
        {
            self.latencies.push(t);
        }
    }

    /// The `p`-th percentile latency (nearest rank), seconds.
    pub fn percentile(&self, p: f64) -> Option<f64> {
        percentile(&self.latencies, p)
    }
}

/// The `p`-th percentile (0-100, nearest rank) of sorted `v`.
pub fn percentile(v: &[f64], p: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    v.get(rank.clamp(1, v.len()) - 1).copied()
}

/// Statistics of a capture (or of the messages a filter kept).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    /// Messages by (family, type name).
    pub types: BTreeMap<(String, String), TypeCount>,
    /// Requests by (family, command).
    pub commands: BTreeMap<(String, String), Requests>,
    /// Final errors by (family, command, errno); answers to no captured request count under
    /// the command `(no request)`.
    pub errors: BTreeMap<(String, String, i32), u64>,
    /// Requests by (family, port id) of the socket that sent them (0: never learned).
    pub ports: BTreeMap<(String, u32), Requests>,
    /// (seconds since the first message, latency in seconds, family and command) of each
    /// answered request, in capture order: the latency-over-time plot.
    pub latency_points: Vec<(f64, f64, String)>,
}

impl Stats {
    /// Count one message: its `family` and `type_name`, `direction`, time `t` (seconds since
    /// the capture's first message), what correlation knows of it, and the error code of an
    /// `NLMSG_ERROR` / `NLMSG_DONE` (an error answering no captured request counts under the
    /// command `(no request)`).
    pub fn add(
        &mut self,
        family: &str,
        type_name: &str,
        direction: Direction,
        t: f64,
        linked: Option<&Linked>,
        error: Option<i32>,
    ) {
        let key = (family.to_string(), type_name.to_string());
        let c = self.types.entry(key.clone()).or_default();
        match direction {
            Direction::ToKernel => c.to_kernel += 1,
            Direction::FromKernel => c.from_kernel += 1,
            Direction::Unknown => c.other += 1,
        }
        let Some(l) = linked else {
            return;
        };
        if l.orphan {
            // The error code is the answer's own; its request is unknown.
            if let Some(e) = error.filter(|e| *e != 0) {
                self.add_orphan_error(family, e);
            }
            return;
        }
        let Some(a) = l.answers else {
            return;
        };
        self.commands.entry(key.clone()).or_default().add(l);
        self.ports
            .entry((family.to_string(), l.port))
            .or_default()
            .add(l);
        if let Some(e) = a.error.filter(|e| *e != 0) {
            *self
                .errors
                .entry((key.0.clone(), key.1.clone(), e))
                .or_default() += 1;
        }
        if a.complete
            && let Some(lat) = a.latency
        {
            self.latency_points
                .push((t, lat, format!("{family} {type_name}")));
        }
    }

    /// Count an error answer to no captured request (`errno` its code).
    fn add_orphan_error(&mut self, family: &str, errno: i32) {
        *self
            .errors
            .entry((family.to_string(), "(no request)".into(), errno))
            .or_default() += 1;
    }

    /// Sort the latencies (call once after the last [`Stats::add`]).
    pub fn finish(&mut self) {
        for r in self.commands.values_mut().chain(self.ports.values_mut()) {
            r.latencies.sort_by(f64::total_cmp);
        }
    }

    /// The tables as text, the way `nlscope stats` prints them.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let mut t = Table::new(&["family", "type", "to-kernel", "from-kernel", "other"]);
        for ((f, ty), c) in &self.types {
            t.row(vec![
                f.clone(),
                ty.clone(),
                c.to_kernel.to_string(),
                c.from_kernel.to_string(),
                c.other.to_string(),
            ]);
        }
        t.write(&mut out, "Messages by family and type");
        let mut t = Table::new(&REQUEST_COLUMNS_CMD);
        for ((f, c), r) in &self.commands {
            t.row([vec![f.clone(), c.clone()], request_cells(r)].concat());
        }
        t.write(&mut out, "Requests by family and command (latency in ms)");
        let mut t = Table::new(&["family", "command", "errno", "count"]);
        for ((f, c, e), n) in &self.errors {
            t.row(vec![f.clone(), c.clone(), errno_text(*e), n.to_string()]);
        }
        t.write(&mut out, "Errors by errno");
        let mut t = Table::new(&REQUEST_COLUMNS_PORT);
        for ((f, p), r) in &self.ports {
            let port = if *p == 0 {
                "?".to_string()
            } else {
                p.to_string()
            };
            t.row([vec![f.clone(), port], request_cells(r)].concat());
        }
        t.write(&mut out, "Requests by socket (port id; ? = never learned)");
        out
    }

    /// The tables as JSON (`nlscope stats -j`).
    pub fn json(&self) -> J {
        let req = |k1: &str, v1: J, k2: &str, v2: J, r: &Requests| {
            let mut o = serde_json::Map::new();
            o.insert(k1.into(), v1);
            o.insert(k2.into(), v2);
            for (k, v) in [
                ("requests", r.requests),
                ("answers", r.answers),
                ("errors", r.errors),
                ("unanswered", r.unanswered),
                ("dump_intr", r.dump_intr),
            ] {
                o.insert(k.into(), J::from(v));
            }
            o.insert(
                "latency".into(),
                json!({
                    "p50": r.percentile(50.0),
                    "p90": r.percentile(90.0),
                    "p99": r.percentile(99.0),
                    "max": r.latencies.last(),
                }),
            );
            J::Object(o)
        };
        json!({
            "types": self.types.iter().map(|((f, t), c)| json!({
                "family": f, "type": t, "to_kernel": c.to_kernel,
                "from_kernel": c.from_kernel, "other": c.other,
            })).collect::<Vec<_>>(),
            "commands": self.commands.iter()
                .map(|((f, c), r)| req("family", json!(f), "command", json!(c), r))
                .collect::<Vec<_>>(),
            "errors": self.errors.iter().map(|((f, c, e), n)| json!({
                "family": f, "command": c, "error": e,
                "errno": crate::netlink::errno_name(-i64::from(*e)), "count": n,
            })).collect::<Vec<_>>(),
            "ports": self.ports.iter()
                .map(|((f, p), r)| req("family", json!(f), "port", json!(p), r))
                .collect::<Vec<_>>(),
        })
    }
}

const REQUEST_COLUMNS_CMD: [&str; 11] = [
    "family",
    "command",
    "requests",
    "answers",
    "errors",
    "unanswered",
    "dump-intr",
    "p50",
    "p90",
    "p99",
    "max",
];
const REQUEST_COLUMNS_PORT: [&str; 11] = [
    "family",
    "port",
    "requests",
    "answers",
    "errors",
    "unanswered",
    "dump-intr",
    "p50",
    "p90",
    "p99",
    "max",
];

/// The number cells of a request row (latencies in milliseconds).
pub fn request_cells(r: &Requests) -> Vec<String> {
    let ms = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |s| format!("{:.3}", s * 1e3));
    vec![
        r.requests.to_string(),
        r.answers.to_string(),
        r.errors.to_string(),
        r.unanswered.to_string(),
        r.dump_intr.to_string(),
        ms(r.percentile(50.0)),
        ms(r.percentile(90.0)),
        ms(r.percentile(99.0)),
        ms(r.latencies.last().copied()),
    ]
}

/// `-22 EINVAL`.
pub fn errno_text(e: i32) -> String {
    match crate::netlink::errno_name(-i64::from(e)) {
        Some(n) => format!("{e} {n}"),
        None => e.to_string(),
    }
}

/// A text table: columns as wide as their widest cell; numbers right-aligned.
struct Table {
    head: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn new(head: &[&str]) -> Self {
        Table {
            head: head.iter().map(|s| s.to_string()).collect(),
            rows: Vec::new(),
        }
    }
    fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }
    fn write(&self, out: &mut String, title: &str) {
        let _ = writeln!(out, "{title}");
        if self.rows.is_empty() {
            out.push_str("  (none)\n\n");
            return;
        }
        let mut w: Vec<usize> = self.head.iter().map(String::len).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate() {
                if let Some(x) = w.get_mut(i) {
                    *x = (*x).max(c.chars().count());
                }
            }
        }
        for r in std::iter::once(&self.head).chain(&self.rows) {
            for (i, c) in r.iter().enumerate() {
                let width = w.get(i).copied().unwrap_or(0);
                // The first two columns are names; the rest are numbers.
                if i < 2 {
                    let _ = write!(out, "  {c:<width$}");
                } else {
                    let _ = write!(out, "  {c:>width$}");
                }
            }
            let trimmed = out.trim_end_matches(' ').len();
            out.truncate(trimmed);
            out.push('\n');
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conv::{Answers, MsgRef, Role};

    fn req(lat: f64, error: Option<i32>, port: u32) -> Linked {
        Linked {
            role: Role::Request,
            request: None,
            orphan: false,
            dump_intr: false,
            port,
            conversation: None,
            answers: Some(Answers {
                first: Some(MsgRef { frame: 2, msg: 0 }),
                last: Some(MsgRef { frame: 2, msg: 0 }),
                count: 1,
                notifications: 0,
                latency: Some(lat),
                complete: true,
                unanswered: false,
                unacked: false,
                error,
            }),
        }
    }

    #[test]
    fn tables_count_requests_errors_and_percentiles() {
        let mut s = Stats::default();
        for (i, lat) in [0.001, 0.002, 0.003, 0.004].iter().enumerate() {
            let e = (i == 3).then_some(-22);
            s.add(
                "rtnetlink",
                "RTM_NEWLINK",
                Direction::ToKernel,
                i as f64,
                Some(&req(*lat, e, 7)),
                None,
            );
        }
        s.add(
            "rtnetlink",
            "NLMSG_ERROR",
            Direction::FromKernel,
            5.0,
            None,
            Some(-22),
        );
        s.finish();
        let r = &s.commands[&("rtnetlink".into(), "RTM_NEWLINK".into())];
        assert_eq!((r.requests, r.errors), (4, 1));
        assert_eq!(r.percentile(50.0), Some(0.002));
        assert_eq!(r.percentile(99.0), Some(0.004));
        assert_eq!(
            s.errors[&("rtnetlink".into(), "RTM_NEWLINK".into(), -22)],
            1
        );
        assert_eq!(s.ports[&("rtnetlink".into(), 7)].requests, 4);
        let text = s.text();
        assert!(
            text.contains("  rtnetlink  RTM_NEWLINK         4        4       1"),
            "{text}"
        );
        assert!(text.contains("-22 EINVAL"), "{text}");
        assert_eq!(s.json()["commands"][0]["latency"]["max"], json!(0.004));
        assert_eq!(s.latency_points.len(), 4);
    }

    #[test]
    fn percentile_nearest_rank() {
        assert_eq!(percentile(&[], 50.0), None);
        assert_eq!(percentile(&[1.0], 99.0), Some(1.0));
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 90.0), Some(90.0));
        assert_eq!(percentile(&v, 0.0), Some(1.0));
    }
}
