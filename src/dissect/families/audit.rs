//! audit (NETLINK_AUDIT): the spec names every message type and the fixed structs; code
//! reads what a struct cannot say: a rule's fields (struct audit_rule_data's parallel arrays
//! and the strings packed in its buf, kernel/auditfilter.c audit_data_to_entry) and the text
//! records (`audit(1700000000.123:42): key=value ...`) split into fields.

use std::fmt::Write as _;

use super::{Family, Payload};
use crate::dissect::MessageView;
use crate::dissect::specs::SpecRegistry;
use crate::model::{Endian, Node, Severity, Value};

/// The audit module.
pub struct Audit;

/// Message types with a struct audit_rule_data (linux/audit.h).
const ADD_RULE: u16 = 1011;
const DEL_RULE: u16 = 1012;
const LIST_RULES: u16 = 1013;
/// AUDIT_GET's reply / AUDIT_SET: struct audit_status.
const GET: u16 = 1000;
const SET: u16 = 1001;
/// AUDIT_SIGNAL_INFO: struct audit_sig_info, then the sender's security context.
const SIGNAL_INFO: u16 = 1010;

/// sizeof(struct audit_rule_data) without buf: flags, action, field_count, mask[64],
/// fields[64], values[64], fieldflags[64], buflen.
const RULE_LEN: usize = 4 * (3 + 64 * 4 + 1);
const AUDIT_MAX_FIELDS: usize = 64;

/// Field types whose value is a string in buf (its length in values[i]).
const STRING_FIELDS: &[u32] = &[13, 14, 15, 16, 17, 19, 20, 21, 22, 23, 105, 107, 112, 210];

/// Record keys with a filter field of their own; the others are `audit.field`.
const KEYS: &[&str] = &[
    "type",
    "pid",
    "ppid",
    "uid",
    "auid",
    "ses",
    "comm",
    "exe",
    "key",
    "syscall",
    "success",
    "exit",
    "arch",
    "res",
    "op",
    "msg",
    "name",
    "cwd",
    "proctitle",
    "items",
    "tty",
    "subj",
];

impl Family for Audit {
    fn between(&self, p: &Payload<'_>, at: usize) -> Option<(Node, usize)> {
        let m = p.m;
        let e = m.endian;
        match m.ty {
            ADD_RULE | DEL_RULE | LIST_RULES => {
                rule_node(p.data, p.start, p.start + RULE_LEN, p.end, e)
            }
            SIGNAL_INFO if at > p.start && at < p.end => {
                let n = text_node(p.data, at, p.end, "ctx", "audit.ctx");
                Some((n, p.end))
            }
            _ if p.op.fixed_header.is_none() && p.op.attribute_set.is_none() && at < p.end => {
                Some((record_node(p.data, at, p.end), p.end))
            }
            _ => None,
        }
    }

    fn fields(&self, _specs: &SpecRegistry) -> Vec<String> {
        let mut v: Vec<String> = KEYS.iter().map(|k| format!("audit.{k}")).collect();
        for f in [
            "audit.record",
            "audit.stamp",
            "audit.serial",
            "audit.field",
            "audit.ctx",
            "audit.rule",
            "audit.rule.field",
            "audit.rule.syscalls",
        ] {
            v.push(f.into());
        }
        v
    }

    /// `auditctl -l` / `auditctl -s` words, or the record's text.
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        let m = v.index();
        let (p, e) = (v.payload_bytes(), m.endian);
        match m.ty {
            ADD_RULE | DEL_RULE | LIST_RULES if p.len() >= RULE_LEN => {
                out.push(' ');
                out.push_str(&rule_text(p, e));
                true
            }
            GET | SET if p.len() >= 32 => {
                // struct audit_status; AUDIT_SET changes only what `mask` names
                // (AUDIT_STATUS_ENABLED 1, FAILURE 2, PID 4, RATE_LIMIT 8, BACKLOG_LIMIT
                // 0x10, BACKLOG_WAIT_TIME 0x20 at offset 36, LOST 0x40 resets).
                let mask = if m.ty == SET {
                    e.u32(p, 0).unwrap_or(0)
                } else {
                    u32::MAX
                };
                let names = [
                    ("enabled", 4, 0x01),
                    ("failure", 8, 0x02),
                    ("pid", 12, 0x04),
                    ("rate_limit", 16, 0x08),
                    ("backlog_limit", 20, 0x10),
                    ("lost", 24, 0x40),
                    ("backlog", 28, 0),
                    ("backlog_wait_time", 36, 0x20),
                ];
                for (n, at, bit) in names {
                    let shown = if m.ty == SET { mask & bit != 0 } else { true };
                    if let (true, Some(v)) = (shown, e.u32(p, at)) {
                        let _ = write!(out, " {n} {v}");
                    }
                }
                true
            }
            // AUDIT_USER (auditctl -m) and every record type carry text.
            t if (t == 1005 || (1100..3000).contains(&t)) && !p.is_empty() => {
                let text = String::from_utf8_lossy(p);
                let text = text.trim_end_matches(['\0', '\n']);
                out.push(' ');
                out.extend(text.chars().take(200));
                true
            }
            _ => false,
        }
    }
}

/// The rule of a struct audit_rule_data at `start` (the struct's members are the spec's; this
/// reads them together), covering buf from `at`.
fn rule_node(data: &[u8], start: usize, at: usize, end: usize, e: Endian) -> Option<(Node, usize)> {
    let p = data.get(start..end)?;
    if p.len() < RULE_LEN {
        return None;
    }
    let buflen = e.u32(p, RULE_LEN - 4).unwrap_or(0) as usize;
    let buf_end = at.saturating_add(buflen).min(end);
    let fields = rule_fields(p, e);
    let syscalls = syscalls(p, e);
    let mut n = Node::new(
        "rule",
        "audit.rule",
        Value::Str(rule_words(p, e, &fields, &syscalls)),
        at,
        buf_end - at,
    );
    if at + buflen > end {
        n.set_expert(
            Severity::Error,
            format!(
                "buflen {buflen} runs past the message ({} bytes left)",
                end - at
            ),
        );
    }
    for f in fields {
        let name = field_name(f.ty);
        let mut c = Node::new(
            name.clone(),
            "audit.rule.field",
            Value::Str(format!("{name}{}{}", f.op, f.shown)),
            start + f.at,
            f.len,
        );
        c.display = format!("{} {}", f.op, f.shown);
        n.children.push(c);
    }
    if end > buf_end {
        // NLMSG_ALIGN padding after buf (buflen need not be a multiple of 4).
        let mut pad = Node::new("padding", "audit.rule", Value::None, buf_end, end - buf_end);
        pad.display = format!("{} bytes of padding", end - buf_end);
        n.children.push(pad);
    }
    let mut s = Node::new(
        "syscalls",
        "audit.rule.syscalls",
        Value::Str(syscalls.clone()),
        start + 12,
        256,
    );
    s.display = syscalls;
    n.children.push(s);
    Some((n, end.max(buf_end)))
}

/// One field of a rule: its type, operator, value as auditctl shows it, and where its bytes
/// are in the struct (a string's in buf, a number's in values[]).
struct RuleField {
    ty: u32,
    op: &'static str,
    shown: String,
    at: usize,
    len: usize,
}

/// The fields of a struct audit_rule_data: `field_count` of the parallel arrays, the string
/// fields' values packed in buf in order, each `values[i]` bytes long.
fn rule_fields(p: &[u8], e: Endian) -> Vec<RuleField> {
    let count = (e.u32(p, 8).unwrap_or(0) as usize).min(AUDIT_MAX_FIELDS);
    let mut out = Vec::with_capacity(count);
    let mut sp = 0usize;
    for i in 0..count {
        let ty = e.u32(p, 12 + 256 + 4 * i).unwrap_or(0);
        let val = e.u32(p, 12 + 512 + 4 * i).unwrap_or(0);
        let op = op_text(e.u32(p, 12 + 768 + 4 * i).unwrap_or(0));
        let (shown, at, len) = if STRING_FIELDS.contains(&ty) {
            let at = RULE_LEN + sp;
            sp += val as usize;
            match p.get(at..at + val as usize) {
                Some(s) => (String::from_utf8_lossy(s).into_owned(), at, val as usize),
                None => ("?".into(), at, 0),
            }
        } else {
            (field_value(ty, val), 12 + 512 + 4 * i, 4)
        };
        out.push(RuleField {
            ty,
            op,
            shown,
            at,
            len,
        });
    }
    out
}

/// The rule as `auditctl -l` prints it (syscalls named for x86_64 and i386 rules).
fn rule_text(p: &[u8], e: Endian) -> String {
    rule_words(p, e, &rule_fields(p, e), &syscalls(p, e))
}

/// [`rule_text`] from the rule's fields and syscalls, read once by the caller.
fn rule_words(p: &[u8], e: Endian, fields: &[RuleField], sys: &str) -> String {
    let flags = e.u32(p, 0).unwrap_or(0);
    let action = e.u32(p, 4).unwrap_or(0);
    let list = match flags & !0x10 {
        0 => "user",
        1 => "task",
        2 => "entry",
        3 => "watch",
        4 => "exit",
        5 => "exclude",
        6 => "filesystem",
        7 => "io_uring",
        _ => "?",
    };
    let action = match action {
        0 => "never",
        1 => "possible",
        2 => "always",
        _ => "?",
    };
    // A file watch (`auditctl -w`): exit list, always, every syscall, only path/perm/key.
    let watch = fields.iter().find(|f| f.ty == 105);
    if list == "exit"
        && action == "always"
        && sys == "all"
        && let Some(w) = watch
        && fields.iter().all(|f| matches!(f.ty, 105 | 106 | 210))
    {
        let mut s = format!("-w {}", w.shown);
        for f in fields {
            match f.ty {
                106 => {
                    let _ = write!(s, " -p {}", f.shown);
                }
                210 => {
                    let _ = write!(s, " -k {}", f.shown);
                }
                _ => {}
            }
        }
        return s;
    }
    let prepend = if flags & 0x10 != 0 { "-A" } else { "-a" };
    let mut s = format!("{prepend} {action},{list}");
    // auditctl puts arch first, then the syscalls, then the other fields.
    for f in fields.iter().filter(|f| f.ty == 11) {
        let _ = write!(s, " -F arch{}{}", f.op, f.shown);
    }
    // Syscalls by name for the rule's arch (auditctl's b64 / b32 on x86), else by number.
    let arch = fields.iter().find(|f| f.ty == 11).map(|f| f.shown.as_str());
    let table = match arch {
        Some("b64") => Some(super::audit_syscalls::X86_64),
        Some("b32") => Some(super::audit_syscalls::I386),
        _ => None,
    };
    if list == "exit" || list == "entry" || list == "io_uring" {
        if sys != "all" && !sys.is_empty() {
            for n in sys.split(',') {
                let name = n.parse::<u16>().ok().and_then(|n| {
                    let t = table?;
                    let i = t.binary_search_by_key(&n, |(k, _)| *k).ok()?;
                    t.get(i).map(|(_, name)| *name)
                });
                let _ = write!(s, " -S {}", name.unwrap_or(n));
            }
        } else if sys == "all" {
            s.push_str(" -S all");
        }
    }
    for f in fields.iter().filter(|f| f.ty != 11) {
        let _ = write!(s, " -F {}{}{}", field_name(f.ty), f.op, f.shown);
    }
    s
}

/// The syscall numbers of the rule's mask: `all`, or `257,59`.
fn syscalls(p: &[u8], e: Endian) -> String {
    let words: Vec<u32> = (0..64).map(|i| e.u32(p, 12 + 4 * i).unwrap_or(0)).collect();
    // Every syscall: the kernel lists such a rule with the top 16 bits clear (they are the
    // syscall classes, AUDIT_SYSCALL_CLASSES, not syscalls).
    if words.iter().take(63).all(|w| *w == u32::MAX) {
        return "all".into();
    }
    let mut v = Vec::new();
    for (i, w) in words.iter().enumerate() {
        for b in 0..32 {
            if w & (1 << b) != 0 {
                v.push((i * 32 + b).to_string());
            }
        }
    }
    v.join(",")
}

/// AUDIT_* operators as auditctl writes them.
fn op_text(f: u32) -> &'static str {
    match f & 0x7800_0000 {
        0x4000_0000 => "=",
        0x3000_0000 => "!=",
        0x1000_0000 => "<",
        0x2000_0000 => ">",
        0x5000_0000 => "<=",
        0x6000_0000 => ">=",
        0x0800_0000 => "&",
        0x4800_0000 => "&=",
        _ => "?",
    }
}

/// A field's number as auditctl names it (AUDIT_* field types).
fn field_name(t: u32) -> String {
    let n = match t {
        0 => "pid",
        1 => "uid",
        2 => "euid",
        3 => "suid",
        4 => "fsuid",
        5 => "gid",
        6 => "egid",
        7 => "sgid",
        8 => "fsgid",
        9 => "auid",
        10 => "pers",
        11 => "arch",
        12 => "msgtype",
        13 => "subj_user",
        14 => "subj_role",
        15 => "subj_type",
        16 => "subj_sen",
        17 => "subj_clr",
        18 => "ppid",
        19 => "obj_user",
        20 => "obj_role",
        21 => "obj_type",
        22 => "obj_lev_low",
        23 => "obj_lev_high",
        24 => "loginuid_set",
        25 => "sessionid",
        26 => "fstype",
        100 => "devmajor",
        101 => "devminor",
        102 => "inode",
        103 => "exit",
        104 => "success",
        105 => "path",
        106 => "perm",
        107 => "dir",
        108 => "filetype",
        109 => "obj_uid",
        110 => "obj_gid",
        111 => "field_compare",
        112 => "exe",
        113 => "saddr_fam",
        200 => "a0",
        201 => "a1",
        202 => "a2",
        203 => "a3",
        210 => "key",
        _ => return format!("field{t}"),
    };
    n.to_string()
}

/// A numeric field's value as auditctl shows it.
fn field_value(t: u32, v: u32) -> String {
    match t {
        // AUDIT_ARCH_X86_64 / AUDIT_ARCH_I386 (auditctl's b64/b32 on x86).
        11 if v == 0xc000_003e => "b64".into(),
        11 if v == 0x4000_0003 => "b32".into(),
        11 => format!("{v:#x}"),
        // AUDIT_PERM_EXEC 1, WRITE 2, READ 4, ATTR 8, printed r, w, x, a.
        106 => [(4, 'r'), (2, 'w'), (1, 'x'), (8, 'a')]
            .iter()
            .filter(|(b, _)| v & b != 0)
            .map(|(_, c)| *c)
            .collect(),
        // Unset ids are -1.
        1..=9 | 18 | 25 | 109 | 110 if v == u32::MAX => "-1".into(),
        _ => v.to_string(),
    }
}

/// A text payload as one node.
fn text_node(data: &[u8], at: usize, end: usize, name: &'static str, field: &str) -> Node {
    let b = data.get(at..end).unwrap_or_default();
    let t = String::from_utf8_lossy(b);
    Node::new(
        name,
        field.to_string(),
        Value::Str(t.trim_end_matches('\0').to_string()),
        at,
        end - at,
    )
}

/// A text record: `audit(SECONDS.MS:SERIAL): ` (kernel records) and `key=value` fields.
fn record_node(data: &[u8], at: usize, end: usize) -> Node {
    let b = data.get(at..end).unwrap_or_default();
    let mut n = text_node(data, at, end, "record", "audit.record");
    let mut pos = 0usize;
    if b.starts_with(b"audit(")
        && let Some(close) = b.iter().position(|c| *c == b')')
    {
        let inner = String::from_utf8_lossy(b.get(6..close).unwrap_or_default()).into_owned();
        if let Some((stamp, serial)) = inner.split_once(':') {
            n.children.push(Node::new(
                "stamp",
                "audit.stamp",
                Value::Str(stamp.to_string()),
                at + 6,
                stamp.len(),
            ));
            let sv = serial
                .parse::<u64>()
                .map_or_else(|_| Value::Str(serial.into()), Value::Uint);
            n.children.push(Node::new(
                "serial",
                "audit.serial",
                sv,
                at + 7 + stamp.len(),
                serial.len(),
            ));
        }
        pos = close + 1;
        if b.get(pos) == Some(&b':') {
            pos += 1;
        }
    }
    for (k, v, o, l) in split_fields(b, pos) {
        let field = if KEYS.contains(&k.as_str()) {
            format!("audit.{k}")
        } else {
            "audit.field".into()
        };
        let value = if field == "audit.field" {
            Value::Str(format!("{k}={v}"))
        } else {
            Value::Str(v.clone())
        };
        let mut c = Node::new(k, field, value, at + o, l);
        c.display = v;
        n.children.push(c);
    }
    n
}

/// `key=value` pairs from `pos`: values plain, "double-quoted" or 'single-quoted' (user
/// messages put their own fields in msg='...'). Returns (key, value, offset, length).
fn split_fields(b: &[u8], mut pos: usize) -> Vec<(String, String, usize, usize)> {
    let mut out = Vec::new();
    let n = b.len();
    while pos < n && out.len() < 512 {
        while pos < n && matches!(b.get(pos), Some(b' ' | b'\n' | b'\0')) {
            pos += 1;
        }
        let start = pos;
        while pos < n && !matches!(b.get(pos), Some(b'=' | b' ' | b'\0')) {
            pos += 1;
        }
        if b.get(pos) != Some(&b'=') {
            // A word without a value (free text): skip it.
            continue;
        }
        let key = String::from_utf8_lossy(b.get(start..pos).unwrap_or_default()).into_owned();
        pos += 1;
        let (vs, ve, next) = match b.get(pos) {
            Some(&q @ (b'"' | b'\'')) => {
                let close = b
                    .get(pos + 1..)
                    .and_then(|r| r.iter().position(|c| *c == q))
                    .map_or(n, |c| pos + 1 + c);
                (pos + 1, close, (close + 1).min(n))
            }
            _ => {
                let mut e = pos;
                while e < n && !matches!(b.get(e), Some(b' ' | b'\0' | b'\n')) {
                    e += 1;
                }
                (pos, e, e)
            }
        };
        let val = String::from_utf8_lossy(b.get(vs..ve).unwrap_or_default()).into_owned();
        out.push((key, val, start, next - start));
        pos = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_split_into_fields() {
        let t = b"audit(1700000000.123:42): arch=c000003e syscall=257 success=yes comm=\"touch\" key=\"x\" msg='op=test res=1'";
        let n = record_node(t, 0, t.len());
        let get = |name: &str| n.children.iter().find(|c| c.name == name).unwrap();
        assert_eq!(get("serial").value, Value::Uint(42));
        assert_eq!(get("stamp").display_text(), "1700000000.123");
        assert_eq!(get("syscall").field, "audit.syscall");
        assert_eq!(get("comm").display_text(), "touch");
        assert_eq!(get("msg").display_text(), "op=test res=1");
        let c = get("comm");
        assert_eq!(&t[c.offset..c.offset + c.length], b"comm=\"touch\"");
        // Free text, unterminated quotes and junk never panic.
        for junk in [
            &b"hello world"[..],
            b"a=\"open",
            b"=== =",
            b"audit(",
            b"audit(1:x):",
        ] {
            let _ = record_node(junk, 0, junk.len());
        }
    }

    #[test]
    fn rules_read_like_auditctl() {
        let e = Endian::Little;
        let mut p = vec![0u8; RULE_LEN];
        let put =
            |p: &mut Vec<u8>, at: usize, v: u32| p[at..at + 4].copy_from_slice(&v.to_le_bytes());
        put(&mut p, 0, 4); // exit
        put(&mut p, 4, 2); // always
        put(&mut p, 8, 3);
        put(&mut p, 12 + 4 * 8, 1 << 1); // syscall 257 = word 8 bit 1
        for (i, (ty, val, op)) in [
            (11, 0xc000_003e, 0x4000_0000),
            (107, 4, 0x4000_0000),
            (210, 1, 0x4000_0000),
        ]
        .iter()
        .enumerate()
        {
            put(&mut p, 12 + 256 + 4 * i, *ty);
            put(&mut p, 12 + 512 + 4 * i, *val);
            put(&mut p, 12 + 768 + 4 * i, *op);
        }
        put(&mut p, RULE_LEN - 4, 5);
        p.extend_from_slice(b"/tmpk");
        assert_eq!(
            rule_text(&p, e),
            "-a always,exit -F arch=b64 -S openat -F dir=/tmp -F key=k"
        );
        let (n, after) = rule_node(&p, 0, RULE_LEN, p.len(), e).unwrap();
        assert_eq!(after, p.len());
        assert_eq!(n.children.len(), 4);
        // Alignment padding after buf is shown as such.
        let mut q = p.clone();
        q.extend_from_slice(&[0, 0, 0]);
        let (n, after) = rule_node(&q, 0, RULE_LEN, q.len(), e).unwrap();
        assert_eq!((after, n.children.len()), (q.len(), 5));
        // A watch rule.
        for w in 0..64 {
            put(&mut p, 12 + 4 * w, u32::MAX);
        }
        put(&mut p, 12 + 256, 105);
        put(&mut p, 12 + 512, 4);
        put(&mut p, 12 + 256 + 4, 106);
        put(&mut p, 12 + 512 + 4, 2 | 8);
        assert_eq!(rule_text(&p, e), "-w /tmp -p wa -k k");
        // Short and lying inputs.
        put(&mut p, 8, 999);
        put(&mut p, RULE_LEN - 4, 1 << 30);
        let _ = rule_text(&p, e);
        assert!(
            rule_node(&p, 0, RULE_LEN, p.len(), e)
                .unwrap()
                .0
                .expert
                .is_some()
        );
        assert!(rule_node(&p[..100], 0, 100, 100, e).is_none());
    }
}
