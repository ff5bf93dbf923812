//! TIPCv2: bearers, media, links, nodes, the network, the link monitor, sockets and
//! publications, in the words of the `tipc` tool's list and show commands.

use std::fmt::Write as _;

use super::ip_genl::push_hex;
use super::text::{dump, push_str};
use super::{Family, Named};
use crate::dissect::MessageView;

/// The TIPCv2 module.
pub struct Tipc;

impl Family for Tipc {
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        if dump(v, out) {
            return true;
        }
        let Some(n) = v.named() else { return false };
        let len = out.len();
        if let Some(b) = n.nest("bearer") {
            // tipc bearer list / get.
            name(b, out);
            props(b, out);
        } else if let Some(m) = n.nest("media") {
            name(m, out);
            props(m, out);
        } else if let Some(l) = n.nest("link") {
            // tipc link list: "broadcast-link: up".
            name(l, out);
            if l.get("name").is_some() && v.index().direction != crate::model::Direction::ToKernel {
                out.push_str(if l.get("up").is_some() {
                    ": up"
                } else {
                    ": down"
                });
            }
            props(l, out);
        } else if let Some(x) = n.nest("node") {
            // tipc node list: "<addr>: up".
            if let Some(a) = x.u32("addr") {
                let _ = write!(out, " {a:x}: ");
                out.push_str(if x.get("up").is_some() { "up" } else { "down" });
            }
        } else if let Some(x) = n.nest("net") {
            net(x, out);
        } else if let Some(x) = n.nest("mon") {
            // tipc link monitor summary.
            if let Some(b) = x.get("bearer-name") {
                out.push_str(" bearer ");
                push_str(out, b);
            }
            if let Some(g) = x.u32("listgen") {
                let _ = write!(out, " table_generation {g}");
            }
            if let Some(c) = x.u32("peercnt") {
                let _ = write!(out, " cluster_size {c}");
            }
            if x.get("bearer-name").is_some() {
                out.push_str(if x.get("active").is_some() {
                    " algorithm overlapping-ring"
                } else {
                    " algorithm full-mesh"
                });
            }
            if let Some(t) = x.u32("activation-threshold") {
                let _ = write!(out, " threshold {t}");
            }
        } else if let Some(s) = n.nest("sock") {
            // tipc socket list.
            if let Some(r) = s.u32("ref") {
                let _ = write!(out, " socket {r}");
            }
            if s.get("has-publ").is_some() {
                out.push_str(" bound");
            }
        } else if let Some(p) = n.nest("publ") {
            out.push_str(" bound to");
            publ(p, out);
        } else if let Some(p) = n.nest("name-table").and_then(|t| t.nest("publ")) {
            // tipc nametable show: type lower upper scope port node.
            publ(p, out);
            if let Some(s) = p.u32("scope") {
                out.push_str(match s {
                    1 => " scope zone",
                    2 => " scope cluster",
                    3 => " scope node",
                    _ => " scope ?",
                });
            }
            if let Some(r) = p.u32("ref") {
                let _ = write!(out, " port {r}");
            }
            if let Some(x) = p.u32("node") {
                let _ = write!(out, " node {x:x}");
            }
        }
        out.len() > len
    }
}

fn name(n: Named, out: &mut String) {
    if let Some(b) = n.get("name") {
        out.push(' ');
        push_str(out, b);
    }
}

/// Link properties in the words of `tipc bearer/media/link get`.
fn props(n: Named, out: &mut String) {
    let Some(p) = n.nest("prop") else { return };
    for (attr, word) in [
        ("prio", " priority "),
        ("tol", " tolerance "),
        ("win", " window "),
        ("mtu", " mtu "),
    ] {
        if let Some(x) = p.u32(attr) {
            out.push_str(word);
            out.push_str(itoa::Buffer::new().format(x));
        }
    }
}

/// `{type,lower,upper}` as `tipc socket list` prints a binding.
fn publ(p: Named, out: &mut String) {
    if let (Some(t), Some(l), Some(u)) = (p.u32("type"), p.u32("lower"), p.u32("upper")) {
        let _ = write!(out, " {{{t},{l},{u}}}");
    }
}

/// tipc node get netid / identity / address.
fn net(x: Named, out: &mut String) {
    if let Some(id) = x.u32("id") {
        let _ = write!(out, " netid {id}");
    }
    if let Some(a) = x.u32("addr") {
        let _ = write!(out, " address {a:08x}");
    }
    // The 16-byte node identity, its bytes as the kernel holds them: text when printable
    // (tipc_nodeid2string), else hex.
    let mut id = Vec::with_capacity(16);
    for w in ["nodeid", "nodeid-w1"] {
        if let Some(b) = x.get(w) {
            id.extend_from_slice(b);
        }
    }
    while id.last() == Some(&0) {
        id.pop();
    }
    if !id.is_empty() {
        out.push_str(" identity ");
        if id.iter().all(|c| c.is_ascii_graphic()) {
            push_str(out, &id);
        } else {
            push_hex(out, &id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::ip_genl::harness;

    #[test]
    fn short_and_malformed_payloads() {
        // link-get (8) reply: link { name "bl", up }.
        let a = [16, 0, 4, 0, 7, 0, 1, 0, b'b', b'l', 0, 0, 4, 0, 5, 0];
        assert_eq!(
            harness::summary("TIPCv2", 8, 2, &a),
            "TIPC_NL_LINK_GET bl: up"
        );
        assert!(!harness::no_panic("TIPCv2", &a).is_empty());
    }
}
