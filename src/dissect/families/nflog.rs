//! nflog and nfqueue: summaries naming the group or queue, the log prefix, the verdict and
//! the packet (`IPv4 127.0.0.1 -> 127.0.0.1 TCP 47274 -> 9 [SYN]`), like `tcpdump -i
//! nflog:N` prints it. The packet's tree comes from the `ip-packet` decoder.

use std::fmt::Write as _;

use super::Family;
use super::text::dump;
use crate::dissect::MessageView;
use crate::dissect::decode::ip_packet;
use crate::model::Endian;

/// The nfnetlink-log and nfnetlink-queue module.
pub struct NfPackets;

/// NFULNL_MSG_PACKET / NFQNL_MSG_PACKET (low byte of the type), NFQNL_MSG_VERDICT.
const PACKET: u16 = 0;
const VERDICT: u16 = 1;

impl Family for NfPackets {
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        if dump(v, out) {
            return true;
        }
        let m = v.index();
        let queue = v.spec_name() == Some("nfnetlink-queue");
        let Some(n) = v.named() else {
            return false;
        };
        let p = v.payload_bytes();
        // nfgenmsg's res_id: the log group or queue number (big-endian).
        let res = Endian::Big.u16(p, 2).unwrap_or(0);
        match m.ty & 0xff {
            PACKET => {
                let _ = write!(out, " {} {res}", if queue { "queue" } else { "group" });
                if let Some(pre) = n.str("prefix").filter(|p| !p.is_empty()) {
                    let _ = write!(out, " prefix {pre:?}");
                }
                if let Some(pkt) = n.get("payload") {
                    out.push(' ');
                    out.push_str(&ip_packet::summary(pkt));
                }
                true
            }
            VERDICT if queue => {
                let _ = write!(out, " queue {res}");
                if let Some(h) = n.get("verdict-hdr") {
                    let verdict = match Endian::Big.u32(h, 0) {
                        Some(0) => "drop".to_string(),
                        Some(1) => "accept".to_string(),
                        Some(3) => "queue".to_string(),
                        Some(4) => "repeat".to_string(),
                        Some(5) => "stop".to_string(),
                        Some(x) => format!("verdict {x}"),
                        None => "?".to_string(),
                    };
                    let _ = write!(out, " {verdict} id {}", Endian::Big.u32(h, 4).unwrap_or(0));
                }
                true
            }
            _ => false,
        }
    }
}
