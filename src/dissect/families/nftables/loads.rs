//! Expressions that load a value nft writes as a keyword phrase: `fib daddr type`, `numgen
//! inc mod 2`, `jhash ip saddr mod 4 seed 0x1`, `rt nexthop`, `socket transparent`; and the
//! `synproxy` statement.

use super::*;

impl Rule<'_, '_> {
    /// Register `dreg` now holds field `text` of datatype `ty` (`proto`: the protocol a
    /// dependency match selects, for meta nfproto/l4proto; else "").
    pub(super) fn set_field(&mut self, dreg: u32, text: String, ty: u32, proto: &'static str) {
        self.widths
            .insert(dreg, type_size(ty).map_or(4, |n| n as u32));
        self.regs.insert(
            dreg,
            Reg::Field {
                text,
                ty,
                proto,
                mask: None,
            },
        );
    }

    /// Put a loaded field into its register (an expression without one prints as `<name>`).
    fn load(&mut self, d: Named, text: String, ty: u32) {
        match Self::reg(d, "dreg") {
            Some(dreg) => self.set_field(dreg, text, ty, ""),
            None => {
                let name = text.split(' ').next().unwrap_or_default();
                self.push(format!("<{name}>"));
            }
        }
    }

    /// `fib saddr . iif oif`, `fib daddr type` (NFTA_FIB_*: net/netfilter/nft_fib.c).
    pub(super) fn fib(&mut self, d: Named) {
        let flags = nu32(d, "flags").unwrap_or(0);
        let keys: Vec<&str> = [
            (1, "saddr"),
            (2, "daddr"),
            (4, "mark"),
            (8, "iif"),
            (16, "oif"),
        ]
        .iter()
        .filter(|(b, _)| flags & b != 0)
        .map(|(_, n)| *n)
        .collect();
        let (result, ty) = match nu32(d, "result") {
            Some(1) => ("oif", T_IFINDEX),
            Some(2) => ("oifname", T_IFNAME),
            Some(3) => ("type", T_FIB_ADDRTYPE),
            _ => ("?", T_INTEGER),
        };
        let text = format!("fib {} {result}", keys.join(" . "));
        // NFTA_FIB_F_PRESENT: only whether there is a result (the cmp prints `exists`).
        self.load(d, text, if flags & 32 != 0 { T_BOOLEAN } else { ty });
    }

    /// `numgen inc mod 2 offset 1`, `numgen random mod 10`.
    pub(super) fn numgen(&mut self, d: Named) {
        let kind = if nu32(d, "type") == Some(1) {
            "random"
        } else {
            "inc"
        };
        let mut text = format!("numgen {kind} mod {}", nu32(d, "modulus").unwrap_or(0));
        if let Some(o) = nu32(d, "offset").filter(|o| *o != 0) {
            let _ = write!(text, " offset {o}");
        }
        self.load(d, text, T_INTEGER);
    }

    /// `jhash ip saddr . tcp sport mod 4 seed 0xdeadbeef`, `symhash mod 2`.
    pub(super) fn hash(&mut self, d: Named) {
        let mut text = if nu32(d, "type") == Some(1) {
            String::from("symhash")
        } else {
            let src = Self::reg(d, "sreg")
                .and_then(|r| match self.regs.get(&r) {
                    Some(Reg::Field { text, .. }) => Some(text.clone()),
                    _ => None,
                })
                .unwrap_or_else(|| "?".into());
            format!("jhash {src}")
        };
        let _ = write!(text, " mod {}", nu32(d, "modulus").unwrap_or(0));
        if let Some(s) = nu32(d, "seed") {
            let _ = write!(text, " seed {s:#x}");
        }
        if let Some(o) = nu32(d, "offset").filter(|o| *o != 0) {
            let _ = write!(text, " offset {o}");
        }
        self.load(d, text, T_INTEGER);
    }

    /// `rt classid`, `rt ip nexthop`, `rt mtu`, `rt ipsec` (NFT_RT_*).
    pub(super) fn rt(&mut self, d: Named) {
        let (text, ty) = match nu32(d, "key") {
            Some(0) => ("rt classid", T_INTEGER),
            Some(1) => ("rt ip nexthop", T_IPADDR),
            Some(2) => ("rt ip6 nexthop", T_IP6ADDR),
            Some(3) => ("rt mtu", T_INTEGER),
            Some(4) => ("rt ipsec", T_BOOLEAN),
            _ => ("rt ?", T_INTEGER),
        };
        self.load(d, text.into(), ty);
    }

    /// `socket transparent`, `socket mark`, `socket wildcard`, `socket cgroupv2 level 1`.
    pub(super) fn socket(&mut self, d: Named) {
        let (text, ty) = match nu32(d, "key") {
            Some(0) => ("socket transparent".to_string(), T_INTEGER),
            Some(1) => ("socket mark".to_string(), T_MARK),
            Some(2) => ("socket wildcard".to_string(), T_INTEGER),
            Some(3) => (
                format!("socket cgroupv2 level {}", nu32(d, "level").unwrap_or(0)),
                T_INTEGER,
            ),
            _ => ("socket ?".to_string(), T_INTEGER),
        };
        self.load(d, text, ty);
    }

    /// `tcp option maxseg size`, `tcp option sack-perm exists`, `exthdr frag exists`,
    /// `ip option rr exists` (NFT_EXTHDR_OP_*: ipv6 0, tcpopt 1, ipv4 2).
    pub(super) fn exthdr(&mut self, d: Named) {
        let kind = d.u8("type").unwrap_or(0);
        let off = nu32(d, "offset").unwrap_or(0);
        let len = nu32(d, "len").unwrap_or(0);
        let present = nu32(d, "flags").unwrap_or(0) & 1 != 0;
        let (hdr, field, ty) = match nu32(d, "op").unwrap_or(0) {
            1 => {
                let name = match kind {
                    0 => "eol",
                    1 => "nop",
                    2 => "maxseg",
                    3 => "window",
                    4 => "sack-perm",
                    5 => "sack",
                    8 => "timestamp",
                    _ => "",
                };
                let field = match (kind, off, len) {
                    (2, 2, 2) => "size",
                    (3, 2, 1) => "count",
                    (5, 2, 4) => "left",
                    (5, 6, 4) => "right",
                    (8, 2, 4) => "tsval",
                    (8, 6, 4) => "tsecr",
                    (_, 1, 1) => "length",
                    (_, 0, 1) => "kind",
                    _ => "",
                };
                let hdr = if name.is_empty() {
                    format!("tcp option @{kind},{},{}", off * 8, len * 8)
                } else {
                    format!("tcp option {name}")
                };
                (hdr, field, T_INTEGER)
            }
            2 => {
                let name = match kind {
                    7 => "rr",
                    68 => "ts",
                    130 => "lsrr",
                    131 => "ssrr",
                    148 => "ra",
                    _ => "",
                };
                (format!("ip option {name}"), "", T_INTEGER)
            }
            _ => {
                let name = match kind {
                    0 => "hbh",
                    43 => "rt",
                    44 => "frag",
                    60 => "dst",
                    135 => "mh",
                    _ => "",
                };
                (format!("exthdr {name}"), "", T_INTEGER)
            }
        };
        // A presence test loads a boolean the cmp prints (`exists` / `missing`).
        let text = if present {
            hdr
        } else if field.is_empty() {
            format!("{hdr} @{},{}", off * 8, len * 8)
        } else {
            format!("{hdr} {field}")
        };
        if let Some(sreg) = Self::reg(d, "sreg") {
            let mut s = format!("{text} set ");
            self.push_reg_value(&mut s, sreg, ty);
            self.push(s);
            return;
        }
        self.load(d, text, if present { T_BOOLEAN } else { ty });
    }

    /// `osf name`, `osf ttl skip version` (NFTA_OSF_*; NF_OSF_TTL_TRUE 0, LESS 1, NOCHECK 2).
    pub(super) fn osf(&mut self, d: Named) {
        let mut text = String::from("osf");
        match d.u8("ttl") {
            Some(1) => text.push_str(" ttl loose"),
            Some(2) => text.push_str(" ttl skip"),
            _ => {}
        }
        // NFT_OSF_F_VERSION 1.
        text.push_str(if nu32(d, "flags").unwrap_or(0) & 1 != 0 {
            " version"
        } else {
            " name"
        });
        self.load(d, text, T_STRING);
    }

    /// `tproxy to 192.0.2.1:8080`, `tproxy ip to :8080` (the family named in an inet table).
    pub(super) fn tproxy(&mut self, d: Named) {
        let family = nu32(d, "family").unwrap_or(0);
        let mut s = String::from("tproxy");
        if self.family == 1 {
            match family {
                2 => s.push_str(" ip"),
                10 => s.push_str(" ip6"),
                _ => {}
            }
        }
        s.push_str(" to ");
        let ty = if family == 10 { T_IP6ADDR } else { T_IPADDR };
        if let Some(r) = Self::reg(d, "reg-addr") {
            let v6 = family == 10;
            if v6 {
                s.push('[');
            }
            self.push_reg_value(&mut s, r, ty);
            if v6 {
                s.push(']');
            }
        }
        if let Some(r) = Self::reg(d, "reg-port") {
            s.push(':');
            self.push_reg_value(&mut s, r, T_INETSERVICE);
        }
        self.push(s);
    }

    /// `synproxy mss 1460 wscale 7 timestamp sack-perm`.
    pub(super) fn synproxy(&mut self, d: Named) {
        let mut s = String::from("synproxy");
        if let Some(m) = d.get("mss").and_then(|b| Endian::Big.u16(b, 0)) {
            let _ = write!(s, " mss {m}");
        }
        if let Some(w) = d.u8("wscale") {
            let _ = write!(s, " wscale {w}");
        }
        // NF_SYNPROXY_OPT_TIMESTAMP 4, NF_SYNPROXY_OPT_SACK_PERM 8.
        let flags = nu32(d, "flags").unwrap_or(0);
        if flags & 4 != 0 {
            s.push_str(" timestamp");
        }
        if flags & 8 != 0 {
            s.push_str(" sack-perm");
        }
        self.push(s);
    }
}
