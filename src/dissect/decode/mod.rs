//! Code decoders for binary attribute payloads whose structure no spec can describe (802.11
//! frames and information elements). A spec names one on a `binary` attribute with the
//! nlscope extension `nlscope-decode: NAME`; an unknown name is a load error. The walker
//! hands the payload to the decoder, which returns the attribute's child nodes.

use crate::model::{Endian, Node};

pub mod ieee80211;
pub mod inet_diag_bc;
pub mod ip_packet;

/// A registered payload decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decoder {
    /// A sequence of IEEE 802.11 information elements (`ieee80211-ies`).
    Ieee80211Ies,
    /// A whole IEEE 802.11 frame, management frames decoded to their elements
    /// (`ieee80211-frame`).
    Ieee80211Frame,
    /// sock_diag's filter program (`inet-diag-bytecode`).
    InetDiagBytecode,
    /// An IP packet from its network header on (`ip-packet`): nflog, nfqueue.
    IpPacket,
}

/// Every decoder with the name a spec uses for it.
pub const DECODERS: &[(&str, Decoder)] = &[
    ("ieee80211-frame", Decoder::Ieee80211Frame),
    ("ieee80211-ies", Decoder::Ieee80211Ies),
    ("inet-diag-bytecode", Decoder::InetDiagBytecode),
    ("ip-packet", Decoder::IpPacket),
];

impl Decoder {
    /// The decoder a spec names, if registered.
    pub fn by_name(name: &str) -> Option<Decoder> {
        DECODERS.iter().find(|(n, _)| *n == name).map(|(_, d)| *d)
    }

    /// The name specs use.
    pub fn name(self) -> &'static str {
        DECODERS
            .iter()
            .find(|(_, d)| *d == self)
            .map_or("", |(n, _)| n)
    }

    /// Names of all decoders, for error messages.
    pub fn known() -> String {
        let names: Vec<&str> = DECODERS.iter().map(|(n, _)| *n).collect();
        names.join(", ")
    }

    /// Decode `data[start..start + len]` (clamped to `data`, host byte order `e`); node
    /// offsets index into `data`. Returns the children of the attribute node and a one-line
    /// summary for its display.
    pub fn decode(self, data: &[u8], start: usize, len: usize, e: Endian) -> (Vec<Node>, String) {
        let end = start.saturating_add(len).min(data.len());
        let b = data.get(start..end).unwrap_or_default();
        match self {
            Decoder::Ieee80211Ies => ieee80211::decode_ies(b, start),
            Decoder::Ieee80211Frame => ieee80211::decode_frame(b, start),
            Decoder::InetDiagBytecode => inet_diag_bc::decode(b, start, e),
            Decoder::IpPacket => ip_packet::decode(b, start),
        }
    }

    /// The first components of every decoder's fields (`wlan`, `sock-diag`): the roots whose
    /// fields may stand in the tree of any message whose spec names a decoder.
    pub fn field_roots() -> &'static [String] {
        static ROOTS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
        ROOTS.get_or_init(|| {
            let mut roots: Vec<String> = DECODERS
                .iter()
                .flat_map(|(_, d)| d.fields())
                .map(|f| f.split('.').next().unwrap_or_default().to_string())
                .collect();
            roots.sort();
            roots.dedup();
            roots
        })
    }

    /// The filter fields this decoder's nodes may carry (absolute paths, `wlan.ssid`).
    pub fn fields(self) -> Vec<String> {
        match self {
            Decoder::Ieee80211Ies | Decoder::Ieee80211Frame => ieee80211::fields(),
            Decoder::InetDiagBytecode => inet_diag_bc::fields(),
            Decoder::IpPacket => ip_packet::fields(),
        }
    }
}
