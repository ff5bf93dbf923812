//! wireguard: WG_CMD_GET_DEVICE / WG_CMD_SET_DEVICE, summarised as `wg show` prints them:
//! the device, its public key, listening port and fwmark, then the first peer (public key,
//! endpoint, allowed ips). Private and preshared keys are never printed: `(hidden)`, as `wg`.

use super::text::{push_dev, push_ip, push_str};
use super::{Family, Named};
use crate::dissect::MessageView;
use crate::model::{Direction, Endian};

/// The wireguard module.
pub struct Wireguard;

/// Allowed ips printed per peer before "(+N more)".
const MAX_IPS: usize = 2;

impl Family for Wireguard {
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        let Some(n) = v.named() else { return false };
        let m = v.index();
        let dump = m.direction == Direction::ToKernel && m.flags & 0x300 == 0x300;
        out.push_str(if dump { " dump " } else { " " });
        if let Some(name) = n.get("ifname") {
            push_str(out, name);
        } else if let Some(idx) = n.u32("ifindex") {
            push_dev(v, out, idx as i32);
        } else {
            out.push_str("(no device)");
        }
        if dump {
            return true;
        }
        out.push(':');
        device(n, m.direction == Direction::ToKernel, out);
        let mut peers = n.items("peers");
        if let Some(p) = peers.next() {
            peer(p, out);
        }
        let more = peers.count();
        if more > 0 {
            out.push_str(" (+");
            out.push_str(itoa::Buffer::new().format(more));
            out.push_str(if more == 1 {
                " more peer)"
            } else {
                " more peers)"
            });
        }
        true
    }
}

/// The interface part: public key, private key (hidden), listening port, fwmark.
fn device(n: Named, request: bool, out: &mut String) {
    if let Some(k) = n.get("public-key") {
        out.push_str(" public key ");
        push_base64(out, k);
    }
    if n.get("private-key").is_some() {
        out.push_str(" private key (hidden)");
    }
    if let Some(p) = n.u16("listen-port") {
        out.push_str(" listening port ");
        out.push_str(itoa::Buffer::new().format(p));
    }
    // wg prints the fwmark only when set; a request may clear it ("fwmark off").
    match n.u32("fwmark") {
        Some(0) if request => out.push_str(" fwmark off"),
        Some(0) => {}
        Some(f) => {
            out.push_str(" fwmark 0x");
            push_hex(out, f);
        }
        None => {}
    }
    // WGDEVICE_F_REPLACE_PEERS
    if n.u32("flags").is_some_and(|f| f & 1 != 0) {
        out.push_str(" replace-peers");
    }
}

/// One peer: public key, removal, endpoint, allowed ips (the first few), keepalive.
fn peer(p: Named, out: &mut String) {
    out.push_str(" peer");
    if let Some(k) = p.get("public-key") {
        out.push(' ');
        push_base64(out, k);
    }
    let flags = p.u32("flags").unwrap_or(0);
    // WGPEER_F_REMOVE_ME
    if flags & 1 != 0 {
        out.push_str(" remove");
    }
    if let Some(ep) = p.get("endpoint") {
        let before = out.len();
        out.push_str(" endpoint ");
        if !push_endpoint(out, ep, p.endian()) {
            out.truncate(before);
        }
    }
    let mut ips = p.items("allowedips");
    let mut shown = 0;
    for ip in ips.by_ref().take(MAX_IPS) {
        let before = out.len();
        out.push_str(if shown == 0 { " allowed ips " } else { ", " });
        match ip.get("ipaddr") {
            Some(a) if push_ip(out, a) => {
                if let Some(m) = ip.u8("cidr-mask") {
                    out.push('/');
                    out.push_str(itoa::Buffer::new().format(m));
                }
                shown += 1;
            }
            _ => out.truncate(before),
        }
    }
    let more = ips.count();
    if more > 0 {
        out.push_str(" (+");
        out.push_str(itoa::Buffer::new().format(more));
        out.push_str(" more)");
    }
    if let Some(k) = p.u16("persistent-keepalive-interval").filter(|k| *k != 0) {
        out.push_str(" persistent keepalive every ");
        out.push_str(itoa::Buffer::new().format(k));
        out.push_str(" seconds");
    }
}

/// A sockaddr_in / sockaddr_in6 as wg prints endpoints: `1.2.3.4:51820`, `[2001:db8::2]:51820`.
fn push_endpoint(out: &mut String, b: &[u8], e: Endian) -> bool {
    let port = Endian::Big.u16(b, 2);
    let (Some(family), Some(port)) = (e.u16(b, 0), port) else {
        return false;
    };
    let ok = match family {
        2 => push_ip(out, b.get(4..8).unwrap_or_default()),
        10 => {
            out.push('[');
            let ok = push_ip(out, b.get(8..24).unwrap_or_default());
            out.push(']');
            ok
        }
        _ => false,
    };
    if ok {
        out.push(':');
        out.push_str(itoa::Buffer::new().format(port));
    }
    ok
}

/// Lower-case hex without leading zeros.
fn push_hex(out: &mut String, x: u32) {
    use std::fmt::Write as _;
    let _ = write!(out, "{x:x}");
}

/// Standard base64 with padding (how wg prints keys).
pub fn push_base64(out: &mut String, b: &[u8]) {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let sym = |i: u32| char::from(A.get((i & 63) as usize).copied().unwrap_or(b'A'));
    for c in b.chunks(3) {
        let (x, y, z) = (
            c.first().copied().unwrap_or(0),
            c.get(1).copied(),
            c.get(2).copied(),
        );
        let n = u32::from(x) << 16 | u32::from(y.unwrap_or(0)) << 8 | u32::from(z.unwrap_or(0));
        out.push(sym(n >> 18));
        out.push(sym(n >> 12));
        out.push(if y.is_some() { sym(n >> 6) } else { '=' });
        out.push(if z.is_some() { sym(n) } else { '=' });
    }
}

/// Summaries of generic netlink messages of family `name` (id 0x30) built by hand: each
/// `(flags, payload after the nlmsghdr)`; to-kernel when flags has NLM_F_REQUEST; flags 0
/// makes a multicast event (sequence number 0), others get sequence number 1.
#[cfg(test)]
pub(super) fn genl_summaries(name: &str, msgs: &[(u16, Vec<u8>)]) -> Vec<String> {
    use crate::dissect::Dissector;
    use crate::dissect::specs::SpecRegistry;
    let mut d = Dissector::new(SpecRegistry::with_embedded());
    d.pin_genl(0x30, name);
    msgs.iter()
        .map(|(flags, payload)| {
            // LINKTYPE_NETLINK cooked header, protocol NETLINK_GENERIC (16).
            let mut f = vec![0, 4, 0x03, 0x38, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16];
            let seq = u32::from(*flags != 0);
            f.extend(crate::netlink::nlmsg(
                Endian::Little,
                0x30,
                *flags,
                seq,
                0,
                payload,
            ));
            let fi = d.index_frame(&f, 253, Endian::Little);
            fi.msgs
                .first()
                .map(|m| d.view(&f, m).summary())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netlink::nla;

    #[test]
    fn malformed_devices_do_not_panic() {
        let e = Endian::Little;
        // genlmsghdr: cmd, version, reserved.
        let hdr = |cmd: u8| vec![cmd, 1, 0, 0];
        let mut short_peer = hdr(0);
        short_peer.extend(nla(e, 2, b"wg0\0"));
        // WGDEVICE_A_PEERS (8) holding a peer whose endpoint (4) is 3 bytes and whose
        // allowed ip (9 -> item -> ipaddr 2) has 3 bytes.
        let mut ip = nla(e, 2, &[10, 0, 0]);
        ip.extend(nla(e, 3, &[24]));
        let ips = nla(e, 9 | 0x8000, &nla(e, 0, &ip));
        let mut peer = nla(e, 4, &[2, 0, 1]);
        peer.extend(ips);
        short_peer.extend(nla(e, 8 | 0x8000, &nla(e, 0, &peer)));
        // An attribute whose length runs past the message.
        let mut overrun = hdr(0);
        overrun.extend([40, 0, 2, 0, b'w', b'g']);
        let got = genl_summaries(
            "wireguard",
            &[
                (0x2, vec![]),
                (0x2, vec![0]),
                (0x2, hdr(0)),
                (0x2, short_peer),
                (0x2, overrun),
                (0x305, hdr(0)),
            ],
        );
        assert_eq!(got[2], "WG_CMD_GET_DEVICE (no device):");
        assert_eq!(got[3], "WG_CMD_GET_DEVICE wg0: peer");
        assert_eq!(got[4], "WG_CMD_GET_DEVICE (no device):");
        assert_eq!(got[5], "WG_CMD_GET_DEVICE dump (no device)");
    }

    #[test]
    fn base64_like_wg() {
        let mut s = String::new();
        push_base64(&mut s, b"");
        assert_eq!(s, "");
        for (input, want) in [
            (&b"f"[..], "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (b"foobar", "Zm9vYmFy"),
            (&[0xfb, 0xff], "+/8="),
        ] {
            s.clear();
            push_base64(&mut s, input);
            assert_eq!(s, want);
        }
    }

    #[test]
    fn endpoints_short_and_bad() {
        let mut s = String::new();
        let e = Endian::Little;
        assert!(!push_endpoint(&mut s, &[], e));
        assert!(!push_endpoint(&mut s, &[2, 0, 0xca], e));
        // AF_INET with a truncated address.
        assert!(!push_endpoint(&mut s, &[2, 0, 0xca, 0x6c, 127, 0], e));
        s.clear();
        assert!(push_endpoint(&mut s, &[2, 0, 0xca, 0x6d, 127, 0, 0, 1], e));
        assert_eq!(s, "127.0.0.1:51821");
    }
}
