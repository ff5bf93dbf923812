//! l2tp: tunnels and sessions as `ip l2tp show tunnel` / `show session` print them, on one
//! line each (checksum settings and cookies left to the tree).

use std::fmt::Write as _;

use super::ip_genl::cmd;
use super::text::{dump, push_ip, push_str};
use super::{Family, Named};
use crate::dissect::MessageView;

/// The l2tp module.
pub struct L2tp;

impl Family for L2tp {
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        if dump(v, out) {
            return true;
        }
        let Some(n) = v.named() else { return false };
        let len = out.len();
        if cmd(v, "L2TP_CMD_").starts_with("SESSION") {
            session(n, out);
        } else {
            tunnel(n, out);
        }
        out.len() > len
    }
}

/// ip/ipl2tp.c print_tunnel.
fn tunnel(n: Named, out: &mut String) {
    let Some(id) = n.u32("conn-id") else { return };
    let _ = write!(out, " Tunnel {id}");
    let encap = n.u16("encap-type");
    match encap {
        Some(0) => out.push_str(", encap UDP"),
        Some(1) => out.push_str(", encap IP"),
        Some(_) => out.push_str(", encap ??"),
        None => {}
    }
    let src = n.get("ip-saddr").or_else(|| n.get("ip6-saddr"));
    let dst = n.get("ip-daddr").or_else(|| n.get("ip6-daddr"));
    if let (Some(s), Some(d)) = (src, dst) {
        out.push_str(" From ");
        push_ip(out, s);
        out.push_str(" to ");
        push_ip(out, d);
    }
    if let Some(p) = n.u32("peer-conn-id") {
        let _ = write!(out, " Peer tunnel {p}");
    }
    // The checksum settings stay in the tree (keeps the line short).
    if let (Some(0), Some(s), Some(d)) = (encap, n.u16("udp-sport"), n.u16("udp-dport")) {
        let _ = write!(out, " UDP source / dest ports: {s}/{d}");
    }
}

/// ip/ipl2tp.c print_session.
fn session(n: Named, out: &mut String) {
    let (Some(s), Some(t)) = (n.u32("session-id"), n.u32("conn-id")) else {
        return;
    };
    let _ = write!(out, " Session {s} in tunnel {t}");
    if let Some(p) = n.u32("peer-session-id") {
        let _ = write!(out, " Peer session {p}");
        if let Some(pt) = n.u32("peer-conn-id") {
            let _ = write!(out, ", tunnel {pt}");
        }
    }
    if let Some(i) = n.get("ifname") {
        out.push_str(" interface name: ");
        push_str(out, i);
    }
    // Cookies are opaque (nlscope-opaque in the spec): the tree shows them, the line not.
    let send = n.u8("send-seq").is_some_and(|x| x != 0);
    let recv = n.u8("recv-seq").is_some_and(|x| x != 0);
    if send || recv {
        out.push_str(" sequence numbering:");
        if send {
            out.push_str(" send");
        }
        if recv {
            out.push_str(" recv");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::ip_genl::harness;

    #[test]
    fn short_and_malformed_payloads() {
        // session-get (8): conn-id 7 (9), session-id 8 (11), then a truncated attribute.
        let a = [
            8, 0, 9, 0, 7, 0, 0, 0, 8, 0, 11, 0, 8, 0, 0, 0, 8, 0, 12, 0, 1,
        ];
        assert_eq!(
            harness::summary("l2tp", 8, 0, &a),
            "L2TP_CMD_SESSION_GET Session 8 in tunnel 7"
        );
        assert!(!harness::no_panic("l2tp", &a).is_empty());
    }
}
