//! sock_diag's filter bytecode (INET_DIAG_REQ_BYTECODE, what `ss` compiles a FILTER such as
//! `dport = :22 or src 10.0.0.0/8` into): struct inet_diag_bc_op records of varying length,
//! each with its jump offsets, read as the kernel's inet_diag_bc_run reads them
//! (net/ipv4/inet_diag.c).

use crate::model::{Endian, Node, Severity, Value};

/// At most this many operations are shown (the kernel caps the program at a page).
const MAX_OPS: usize = 1024;

/// Filter fields of the nodes.
pub fn fields() -> Vec<String> {
    vec!["sock-diag.bytecode.op".into()]
}

/// The operations of a program in `b` (at `start` in the frame), in host byte order `e`.
pub fn decode(b: &[u8], start: usize, e: Endian) -> (Vec<Node>, String) {
    let mut out = Vec::new();
    let mut pos = 0usize;
    while pos + 4 <= b.len() && out.len() < MAX_OPS {
        let code = b.get(pos).copied().unwrap_or(0);
        let yes = usize::from(b.get(pos + 1).copied().unwrap_or(0));
        let no = e.u16(b, pos + 2).unwrap_or(0);
        let len = if yes < 4 { 4 } else { yes.min(b.len() - pos) };
        let args = b.get(pos + 4..pos + len).unwrap_or_default();
        let what = op_text(code, args, e);
        let mut n = Node::new(
            format!("op {}", out.len()),
            "sock-diag.bytecode.op",
            Value::Str(what.clone()),
            start + pos,
            len,
        );
        n.display = format!("{what}  (yes +{yes}, no +{no})");
        if yes < 4 {
            n.set_expert(
                Severity::Warning,
                format!("yes {yes} is shorter than the op itself: the kernel rejects it"),
            );
        }
        out.push(n);
        pos += len;
    }
    if pos < b.len() {
        let mut n = Node::new(
            "trailing bytes",
            "sock-diag.bytecode.op",
            Value::Bytes(b.get(pos..).unwrap_or_default().to_vec()),
            start + pos,
            b.len() - pos,
        );
        n.raw = true;
        out.push(n);
    }
    let summary = format!("{} operations", out.len());
    (out, summary)
}

/// One operation in `ss` filter words.
fn op_text(code: u8, args: &[u8], e: Endian) -> String {
    // Port tests take a second op whose `no` holds the port.
    let port = || e.u16(args, 2).map_or_else(|| "?".into(), |p| p.to_string());
    match code {
        0 => "nop".into(),
        1 => "jmp".into(),
        2 => format!("sport >= {}", port()),
        3 => format!("sport <= {}", port()),
        4 => format!("dport >= {}", port()),
        5 => format!("dport <= {}", port()),
        6 => "autobound".into(),
        7 | 8 => {
            // struct inet_diag_hostcond: family, prefix_len, port (int), addr[].
            let dir = if code == 7 { "src" } else { "dst" };
            let family = args.first().copied().unwrap_or(0);
            let plen = args.get(1).copied().unwrap_or(0);
            let port = e.u32(args, 4).map_or(-1, |p| p as i32);
            let a = args.get(8..).unwrap_or_default();
            let addr = match family {
                2 => <[u8; 4]>::try_from(a.get(..4).unwrap_or_default())
                    .map_or_else(|_| "?".into(), |x| std::net::Ipv4Addr::from(x).to_string()),
                10 => <[u8; 16]>::try_from(a.get(..16).unwrap_or_default()).map_or_else(
                    |_| "?".into(),
                    |x| format!("[{}]", std::net::Ipv6Addr::from(x)),
                ),
                _ => "*".into(),
            };
            let port = if port < 0 {
                "*".to_string()
            } else {
                port.to_string()
            };
            format!("{dir} {addr}/{plen}:{port}")
        }
        9 => format!(
            "dev ifindex {}",
            e.u32(args, 0).map_or_else(|| "?".into(), |v| v.to_string())
        ),
        10 => format!(
            "fwmark {:#x}/{:#x}",
            e.u32(args, 0).unwrap_or(0),
            e.u32(args, 4).unwrap_or(0)
        ),
        11 => format!("sport == {}", port()),
        12 => format!("dport == {}", port()),
        13 => format!(
            "cgroup id {}",
            e.u64(args, 0).map_or_else(|| "?".into(), |v| v.to_string())
        ),
        c => format!("op {c}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ss_filters_read_as_operations() {
        // dport = :8081 : D_EQ op (yes 8, no 12), then the port op (no = 8081).
        let mut b = vec![12u8, 8, 12, 0, 0, 0];
        b.extend_from_slice(&8081u16.to_le_bytes());
        // src 10.0.0.0/8: S_COND, yes 16, hostcond {2, 8, pad, port -1}, addr.
        b.extend_from_slice(&[7, 16, 4, 0, 2, 8, 0, 0]);
        b.extend_from_slice(&(-1i32).to_le_bytes());
        b.extend_from_slice(&[10, 0, 0, 0]);
        let (n, s) = decode(&b, 100, Endian::Little);
        assert_eq!(s, "2 operations");
        assert_eq!(n[0].value, Value::Str("dport == 8081".into()));
        assert_eq!((n[0].offset, n[0].length), (100, 8));
        assert_eq!(n[1].value, Value::Str("src 10.0.0.0/8:*".into()));
        // Junk never panics, and a zero-length op still advances.
        for junk in [
            &[1u8, 0, 0][..],
            &[7, 200, 0, 0, 10],
            &[0, 0, 0, 0, 0, 0, 0, 0],
        ] {
            let _ = decode(junk, 0, Endian::Big);
        }
    }
}
