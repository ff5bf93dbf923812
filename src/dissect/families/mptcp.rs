//! mptcp_pm: MPTCP path manager endpoints, limits and events, as `ip mptcp` prints them.

use std::fmt::Write as _;

use super::ip_genl::{cmd, push_ynl_bits};
use super::text::{dump, push_dev, push_ip};
use super::{Family, Named};
use crate::dissect::MessageView;
use crate::netlink::array;

/// The mptcp_pm module.
pub struct Mptcp;

impl Family for Mptcp {
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        if dump(v, out) {
            return true;
        }
        let Some(n) = v.named() else { return false };
        let len = out.len();
        if let Some(ev) = v.type_str().strip_prefix("MPTCP_EVENT_") {
            event(v, n, ev, out);
            return true;
        }
        match cmd(v, "MPTCP_PM_CMD_") {
            "GET_LIMITS" | "SET_LIMITS" => {
                // ip mptcp limits show: add_addr_accepted first.
                if let Some(x) = n.u32("rcv-add-addrs") {
                    let _ = write!(out, " add_addr_accepted {x}");
                }
                if let Some(x) = n.u32("subflows") {
                    let _ = write!(out, " subflows {x}");
                }
            }
            _ => {
                if let Some(t) = n.u32("token") {
                    let _ = write!(out, " token {t:08x}");
                }
                if let Some(a) = n.nest("addr") {
                    endpoint(v, a, out);
                }
                if let Some(a) = n.nest("addr-remote") {
                    out.push_str(" remote");
                    endpoint(v, a, out);
                }
            }
        }
        out.len() > len
    }
}

/// One endpoint as `ip mptcp endpoint show` prints it: address, port, id, flags, device.
fn endpoint(v: &MessageView, a: Named, out: &mut String) {
    let addr = a.get("addr4").or_else(|| a.get("addr6"));
    if let Some(b) = addr {
        out.push(' ');
        push_ip(out, b);
    }
    if let Some(p) = a.u16("port").filter(|p| *p != 0) {
        let _ = write!(out, " port {p}");
    }
    if let Some(id) = a.u8("id") {
        let _ = write!(out, " id {id}");
    }
    if let Some(f) = a.u32("flags") {
        push_ynl_bits(out, v.spec_enum("addr-flags"), u64::from(f));
    }
    if let Some(i) = a.u32("if-idx").filter(|i| *i != 0) {
        out.push_str(" dev ");
        push_dev(v, out, i as i32);
    }
}

/// An event as `ip mptcp monitor` prints it.
fn event(v: &MessageView, n: Named, ev: &str, out: &mut String) {
    let name = match ev {
        "SUB_ESTABLISHED" => "SF_ESTABLISHED",
        "SUB_CLOSED" => "SF_CLOSED",
        "SUB_PRIORITY" => "SF_PRIO",
        x => x,
    };
    let _ = write!(out, " [{name}]");
    if let Some(t) = n.u32("token") {
        let _ = write!(out, " token={t:08x}");
    }
    if let Some(x) = n.u8("rem-id") {
        let _ = write!(out, " remid={x}");
    }
    if let Some(x) = n.u8("loc-id") {
        let _ = write!(out, " locid={x}");
    }
    for (attr, word) in [
        ("saddr4", " saddr4="),
        ("saddr6", " saddr6="),
        ("daddr4", " daddr4="),
        ("daddr6", " daddr6="),
    ] {
        if let Some(b) = n.get(attr) {
            out.push_str(word);
            push_ip(out, b);
        }
    }
    for (attr, word) in [("sport", " sport="), ("dport", " dport=")] {
        if let Some(p) = n.get(attr).and_then(|b| array::<2>(b, 0)) {
            let _ = write!(out, "{word}{}", u16::from_be_bytes(p));
        }
    }
    if let Some(x) = n.u8("backup") {
        let _ = write!(out, " backup={x}");
    }
    if let Some(x) = n.u8("error") {
        let _ = write!(out, " error={x}");
    }
    if let Some(x) = n.u32("timeout") {
        let _ = write!(out, " timeout={x}");
    }
    if let Some(x) = n.u32("if-idx") {
        out.push_str(" dev=");
        push_dev(v, out, x as i32);
    }
    if let Some(x) = n.u32("reset-reason") {
        let _ = write!(out, " reset_reason={x}");
    }
    if let Some(x) = n.u32("reset-flags") {
        let _ = write!(out, " reset_flags={x:#x}");
    }
}

#[cfg(test)]
mod tests {
    use super::super::ip_genl::harness;

    #[test]
    fn events_and_malformed_payloads() {
        // MPTCP_EVENT_CREATED (1): token, family inet, loc-id 0, rem-id 0, saddr4, daddr4,
        // sport, dport (ports and addresses in network order).
        let mut a = Vec::new();
        let mut put = |ty: u16, p: &[u8]| {
            a.extend_from_slice(&((4 + p.len()) as u16).to_le_bytes());
            a.extend_from_slice(&ty.to_le_bytes());
            a.extend_from_slice(p);
            while a.len() % 4 != 0 {
                a.push(0);
            }
        };
        put(1, &0x3b5e_20f4u32.to_le_bytes());
        put(4, &[0]);
        put(3, &[0]);
        put(5, &[10, 0, 0, 1]);
        put(7, &[10, 0, 0, 2]);
        put(9, &1000u16.to_be_bytes());
        put(10, &80u16.to_be_bytes());
        assert_eq!(
            harness::summary("mptcp_pm", 1, 0, &a),
            "MPTCP_EVENT_CREATED [CREATED] token=3b5e20f4 remid=0 locid=0 saddr4=10.0.0.1 \
             daddr4=10.0.0.2 sport=1000 dport=80"
        );
        assert!(!harness::no_panic("mptcp_pm", &a).is_empty());
        // Closed (3) shares its number with the get-addr reply: sent unasked, it is the event.
        assert_eq!(
            harness::event("mptcp_pm", 3, a.get(..8).unwrap_or_default()),
            "MPTCP_EVENT_CLOSED [CLOSED] token=3b5e20f4"
        );
    }
}
