//! Words shared by the iproute2-style summaries: addresses, devices, tables, protocols and
//! spec enums printed the way `ip`, `tc` and `bridge` print them. Everything is written
//! straight into the summary string.

use std::fmt::Write as _;
use std::net::Ipv6Addr;

use crate::dissect::MessageView;
use crate::dissect::specs::EnumDef;
use crate::model::text::Kept;
use crate::model::{Direction, Endian};
use crate::netlink::{Attrs, array};

/// A dump request: writes " dump" and returns true (a summary has nothing more to say).
pub fn dump(v: &MessageView, out: &mut String) -> bool {
    let m = v.index();
    let dump = m.direction == Direction::ToKernel && m.flags & 0x300 == 0x300;
    if dump {
        out.push_str(" dump");
    }
    dump
}

/// An IPv4 or IPv6 address by length; false (nothing written) for other lengths.
pub fn push_ip(out: &mut String, b: &[u8]) -> bool {
    if let (4, Some(a)) = (b.len(), array::<4>(b, 0)) {
        crate::model::text::push_ipv4(out, a);
        true
    } else if let (16, Some(a)) = (b.len(), array::<16>(b, 0)) {
        let _ = write!(out, "{}", Ipv6Addr::from(a));
        true
    } else {
        false
    }
}

/// An IPv4 or IPv6 address by length.
pub fn ip_text(b: &[u8]) -> Option<String> {
    let mut s = String::new();
    push_ip(&mut s, b).then_some(s)
}

/// A string attribute up to its first NUL.
pub fn push_str(out: &mut String, b: &[u8]) {
    out.push_str(&until_nul(b));
}

/// The text of a string attribute up to its first NUL (lossy UTF-8): [`crate::netlink::cstr`].
pub fn until_nul(b: &[u8]) -> std::borrow::Cow<'_, str> {
    crate::netlink::cstr(b)
}

/// A device by index: its name if the capture showed it, else `ifN`.
pub fn push_dev(v: &MessageView, out: &mut String, idx: i32) {
    match v.link_name(idx) {
        Some(n) => out.push_str(n),
        None => {
            let _ = write!(out, "if{idx}");
        }
    }
}

/// Routing table names (the kernel's reserved ids; /etc/iproute2/rt_tables is not read).
pub fn push_table(out: &mut String, t: u32) {
    match t {
        253 => out.push_str("default"),
        254 => out.push_str("main"),
        255 => out.push_str("local"),
        _ => {
            let _ = write!(out, "{t}");
        }
    }
}

/// Route protocol names (linux/rtnetlink.h RTPROT_*; lib/rt_names.c spells them this way).
pub fn push_rtproto(out: &mut String, p: u8) {
    let name = match p {
        1 => "redirect",
        2 => "kernel",
        3 => "boot",
        4 => "static",
        8 => "gated",
        9 => "ra",
        10 => "mrt",
        11 => "zebra",
        12 => "bird",
        13 => "dnrouted",
        14 => "xorp",
        15 => "ntk",
        16 => "dhcp",
        17 => "keepalived",
        42 => "babel",
        99 => "openr",
        186 => "bgp",
        187 => "isis",
        188 => "ospf",
        189 => "rip",
        192 => "eigrp",
        _ => "",
    };
    if name.is_empty() {
        let _ = write!(out, "{p}");
    } else {
        out.push_str(name);
    }
}

/// A value named by a spec enum without `prefix`, lowercased if `lower` (`ip` style).
pub fn push_enum(out: &mut String, def: Option<&EnumDef>, prefix: &str, val: i64, lower: bool) {
    match def.and_then(|d| d.name_of(val)) {
        // ip prints RT_SCOPE_UNIVERSE as "global".
        Some("RT_SCOPE_UNIVERSE") => out.push_str("global"),
        Some(n) => {
            let s = n.strip_prefix(prefix).unwrap_or(n);
            if lower {
                out.extend(s.chars().map(|c| c.to_ascii_lowercase()));
            } else {
                out.push_str(s);
            }
        }
        None => out.push_str(itoa::Buffer::new().format(val)),
    }
}

/// The single-bit names of a flags value, comma-separated, without `prefix`.
pub fn push_bits(out: &mut String, def: Option<&EnumDef>, prefix: &str, value: u64) {
    let Some(d) = def else {
        let _ = write!(out, "{value:#x}");
        return;
    };
    let mut first = true;
    for (bit, n) in &d.entries {
        let mask = if d.is_flags {
            *bit as u64
        } else if (0..64).contains(bit) {
            1u64 << bit
        } else {
            0
        };
        if mask.count_ones() == 1 && value & mask != 0 {
            if !first {
                out.push(',');
            }
            first = false;
            out.push_str(n.strip_prefix(prefix).unwrap_or(n));
        }
    }
}

/// What a summary needs of a kind of message, looked up once per kind: the numbers of the
/// top-level attributes it reads (by spec name) and the spec enums it names values with. For
/// the hot kinds (links, addresses, routes) where a hash lookup per attribute would show.
pub struct Memo<const N: usize, const E: usize> {
    names: [&'static str; N],
    types: [Option<u16>; N],
    enums: [Option<EnumDef>; E],
    /// Flags texts written by [`Memo::push_bits`], by (enum, value).
    bits: Kept<(usize, u64), 16>,
}

impl<const N: usize, const E: usize> Memo<N, E> {
    /// The memo of `v`'s kind, computed on first use.
    pub fn of<'v>(
        v: &'v MessageView,
        attrs: [&'static str; N],
        enums: [&str; E],
    ) -> Option<&'v Memo<N, E>> {
        v.memo(|v| Memo {
            names: attrs,
            types: v.top_types(attrs),
            enums: enums.map(|n| v.spec_enum(n).cloned()),
            bits: Kept::default(),
        })
    }

    /// The payloads of the first attributes named in `attrs`, in that order, in one pass.
    pub fn attrs<'a>(&self, v: &MessageView<'a>) -> [Option<&'a [u8]>; N] {
        v.top_attrs_by_type(&self.types)
    }

    /// The name (one of `attrs`) of attribute type `ty` of the top-level set, or "".
    pub fn name_of(&self, ty: u16) -> &'static str {
        self.types
            .iter()
            .zip(self.names)
            .find(|(t, _)| **t == Some(ty))
            .map_or("", |(_, n)| n)
    }

    /// The attributes of `b` from `start` (in the top-level set) named as [`Memo::name_of`].
    pub fn iter<'a>(
        &self,
        b: &'a [u8],
        start: usize,
        e: Endian,
    ) -> impl Iterator<Item = (&'static str, &'a [u8])> {
        Attrs::from(b, start, e).map(|a| (self.name_of(a.ty), a.payload))
    }

    /// Enum `i` of those named in `enums`.
    pub fn enum_def(&self, i: usize) -> Option<&EnumDef> {
        self.enums.get(i)?.as_ref()
    }

    /// [`push_bits`] of enum `i`, kept for the first few values met: a kind's messages show
    /// few (a link's flags were 1.8% of a 10 MB summary's instructions). Callers must pass the
    /// same `prefix` for an enum every time: the kept text is looked up by enum and value.
    pub fn push_bits(&self, out: &mut String, i: usize, prefix: &str, value: u64) {
        self.bits.push(out, (i, value), |out| {
            push_bits(out, self.enum_def(i), prefix, value)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A kind's kept flags texts are those `push_bits` writes, for more values than it keeps.
    #[test]
    fn kept_flags_texts_match_push_bits() {
        let def = EnumDef {
            name: "f".into(),
            is_flags: true,
            entries: vec![
                (1, "F_UP"),
                (2, "F_BROADCAST"),
                (8, "F_LOOP"),
                (64, "F_RUN"),
            ],
            names: &[],
            cnames: &[],
            increasing: true,
            kernels: (None, None),
        };
        let memo = Memo::<0, 1> {
            names: [],
            types: [],
            enums: [Some(def.clone())],
            bits: Kept::default(),
        };
        for round in 0..2 {
            for value in 0..80u64 {
                let (mut kept, mut plain) = (String::from("x"), String::from("x"));
                memo.push_bits(&mut kept, 0, "F_", value);
                push_bits(&mut plain, Some(&def), "F_", value);
                assert_eq!(kept, plain, "value {value}, round {round}");
            }
        }
        let mut none = String::new();
        memo.push_bits(&mut none, 1, "F_", 3);
        assert_eq!(none, "0x3");
    }

    #[test]
    fn addresses_by_length() {
        let mut s = String::new();
        assert!(push_ip(&mut s, &[192, 0, 2, 1]));
        assert!(!push_ip(&mut s, &[1, 2, 3]));
        assert_eq!(s, "192.0.2.1");
        assert_eq!(ip_text(&[0; 16]).as_deref(), Some("::"));
        assert_eq!(ip_text(&[]), None);
    }
}
