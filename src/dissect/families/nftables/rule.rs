//! A rule decompiled from its expressions the way nft prints it: registers track what each
//! load put there, matches combine a load with cmp/lookup/bitwise, and dependencies nft hides
//! (`meta l4proto tcp` before `tcp dport`) are dropped.

use super::*;

// ---------------------------------------------------------------------------------------
// Rules.

/// What a register holds: a loaded field (its words and datatype) or an immediate value.
#[derive(Clone)]
pub(super) enum Reg {
    /// A field: nft's words (`ip saddr`), datatype, and the protocol it belongs to
    /// (`ip`, `tcp`, ... for dependency elimination).
    Field {
        text: String,
        ty: u32,
        proto: &'static str,
        /// A bitwise mask applied to it.
        mask: Option<Vec<u8>>,
    },
    /// A constant (immediate).
    Value(Vec<u8>),
}

/// A dependency match nft hides when a later payload needs it: the protocol it selects.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Dep {
    /// `meta nfproto ipv4`, `ether type ip`: the network header is this protocol.
    L3(&'static str),
    /// `meta l4proto tcp`, `ip protocol tcp`: the transport header is this protocol.
    L4(&'static str),
}

pub(super) struct Stmt {
    pub(super) text: String,
    pub(super) dep: Option<Dep>,
    /// A `>=` match waiting for its `<=` (nft's ranges): (field words, low value).
    pub(super) range_lo: Option<(String, String)>,
}

/// The decompiler of one rule's expressions.
pub(super) struct Rule<'v, 'a> {
    pub(super) v: &'v MessageView<'a>,
    pub(super) family: u8,
    pub(super) table: String,
    pub(super) regs: HashMap<u32, Reg>,
    /// Bytes loaded into each register (a concatenation spans several).
    pub(super) widths: HashMap<u32, u32>,
    pub(super) stmts: Vec<Stmt>,
    pub(super) l3: Option<&'static str>,
    pub(super) l4: Option<&'static str>,
}

/// Expressions decompiled per rule at most.
pub(super) const MAX_EXPRS: usize = 256;

impl<'v, 'a> Rule<'v, 'a> {
    pub(super) fn new(v: &'v MessageView<'a>, n: Named, family: u8) -> Self {
        let l3 = match family {
            2 => Some("ip"),
            10 => Some("ip6"),
            3 => Some("arp"),
            _ => None,
        };
        Rule {
            v,
            family,
            table: nstr(n, "table").unwrap_or_default().into_owned(),
            regs: HashMap::new(),
            widths: HashMap::new(),
            stmts: Vec::new(),
            l3,
            l4: None,
        }
    }

    pub(super) fn push(&mut self, text: String) {
        self.stmts.push(Stmt {
            text,
            dep: None,
            range_lo: None,
        });
    }

    pub(super) fn decompile(mut self, list: Named) -> String {
        for e in list.all("elem").take(MAX_EXPRS) {
            let name = nstr(e, "name").unwrap_or_default();
            let data = e.get("data").unwrap_or_default();
            // The expression's attributes in the set the spec's sub-message picks by its
            // name (none for an expression the spec does not know: it prints `<name>`).
            let set = sub_message_set_of(self.v, &name).unwrap_or_default();
            self.expr(&name, e.in_set(set).over(data, 0));
        }
        let mut out = String::new();
        for s in &self.stmts {
            if s.text.is_empty() {
                continue;
            }
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&s.text);
        }
        out
    }

    /// What each expression loads into a register, in nft's words (`ip saddr`, `meta
    /// l4proto`, `ct state`), by the expression's position: for the tree's expression nodes.
    pub(super) fn loads(mut self, list: Named) -> Vec<Option<String>> {
        let mut out = Vec::new();
        for e in list.all("elem").take(MAX_EXPRS) {
            let name = nstr(e, "name").unwrap_or_default();
            let data = e.get("data").unwrap_or_default();
            let set = sub_message_set_of(self.v, &name).unwrap_or_default();
            let d = e.in_set(set).over(data, 0);
            self.expr(&name, d);
            let loaded = match &*name {
                "payload" | "meta" | "ct" | "fib" | "numgen" | "hash" | "rt" | "socket"
                | "exthdr" => Self::reg(d, "dreg").and_then(|r| match self.regs.get(&r) {
                    Some(Reg::Field { text, .. }) => Some(text.clone()),
                    _ => None,
                }),
                _ => None,
            };
            out.push(loaded);
        }
        out
    }

    /// The register number as a 32-bit register index: NFT_REG_1..4 are 128 bits wide and
    /// name the same storage as NFT_REG32_00..15 (8..23), four of those each.
    pub(super) fn reg(n: Named, name: &str) -> Option<u32> {
        let r = nu32(n, name)?;
        Some(match r {
            1..=4 => 8 + (r - 1) * 4,
            r => r,
        })
    }

    pub(super) fn expr(&mut self, name: &str, d: Named) {
        match name {
            "payload" => self.payload(d),
            "meta" => self.meta(d),
            "fib" => self.fib(d),
            "exthdr" => self.exthdr(d),
            "osf" => self.osf(d),
            "tproxy" => self.tproxy(d),
            "numgen" => self.numgen(d),
            "hash" => self.hash(d),
            "rt" => self.rt(d),
            "socket" => self.socket(d),
            "synproxy" => self.synproxy(d),
            "ct" => self.ct(d),
            "bitwise" => self.bitwise(d),
            "cmp" => self.cmp(d),
            "range" => self.range(d),
            "lookup" => self.lookup(d),
            "immediate" => self.immediate(d),
            "counter" => {
                let mut s = String::from("counter");
                if let (Some(p), Some(b)) = (nu64(d, "packets"), nu64(d, "bytes")) {
                    let _ = write!(s, " packets {p} bytes {b}");
                }
                self.push(s);
            }
            "masq" | "redir" => {
                let mut s = String::from(if name == "masq" {
                    "masquerade"
                } else {
                    "redirect"
                });
                if let Some(r) = Self::reg(d, "reg-proto-min") {
                    s.push_str(" to :");
                    self.push_reg_value(&mut s, r, T_INETSERVICE);
                    if let Some(r2) = Self::reg(d, "reg-proto-max")
                        && r2 != r
                    {
                        s.push('-');
                        self.push_reg_value(&mut s, r2, T_INETSERVICE);
                    }
                }
                push_nat_flags(&mut s, nu32(d, "flags").unwrap_or(0));
                self.push(s);
            }
            "nat" => self.nat(d),
            "log" => self.log(d),
            "limit" => self.limit(d),
            "reject" => self.reject(d),
            "notrack" => self.push("notrack".into()),
            "dynset" => self.dynset(d),
            "objref" => {
                let name = nstr(d, "imm-name").unwrap_or_default();
                let s = match nu32(d, "imm-type").unwrap_or(0) {
                    1 => format!("counter name \"{name}\""),
                    2 => format!("quota name \"{name}\""),
                    3 => format!("ct helper set \"{name}\""),
                    4 => format!("limit name \"{name}\""),
                    7 => format!("ct timeout set \"{name}\""),
                    8 => format!("meta secmark set \"{name}\""),
                    9 => format!("ct expectation set \"{name}\""),
                    10 => format!("synproxy name \"{name}\""),
                    _ => format!("<objref {name}>"),
                };
                self.push(s);
            }
            "quota" => {
                let mut s = String::from("quota ");
                if nu32(d, "flags").unwrap_or(0) & 1 != 0 {
                    s.push_str("over ");
                }
                push_bytes(&mut s, nu64(d, "bytes").unwrap_or(0));
                if let Some(c) = nu64(d, "consumed")
                    && c > 0
                {
                    s.push_str(" used ");
                    push_bytes(&mut s, c);
                }
                self.push(s);
            }
            "queue" => {
                let mut s = String::from("queue");
                let flags = Endian::Big.u16(d.get("flags").unwrap_or_default(), 0);
                let flags = flags.unwrap_or(0);
                let mut fl = Vec::new();
                if flags & 1 != 0 {
                    fl.push("bypass");
                }
                if flags & 2 != 0 {
                    fl.push("fanout");
                }
                if !fl.is_empty() {
                    let _ = write!(s, " flags {}", fl.join(","));
                }
                if let Some(num) = Endian::Big.u16(d.get("num").unwrap_or_default(), 0) {
                    let total = Endian::Big.u16(d.get("total").unwrap_or_default(), 0);
                    match total {
                        Some(t) if t > 1 => {
                            let _ = write!(s, " num {num}-{}", u32::from(num) + u32::from(t) - 1);
                        }
                        _ => {
                            let _ = write!(s, " num {num}");
                        }
                    }
                }
                self.push(s);
            }
            _ => self.push(format!("<{name}>")),
        }
    }

    /// `add @set { ip saddr }`, `update @set { ip saddr timeout 30s }`.
    pub(super) fn dynset(&mut self, d: Named) {
        let op = match nu32(d, "op").unwrap_or(0) {
            0 => "add",
            1 => "update",
            2 => "delete",
            _ => "?",
        };
        let set = nstr(d, "set-name").unwrap_or_default();
        let mut s = format!("{op} @{set} {{ ");
        match Self::reg(d, "sreg-key") {
            Some(r) => self.push_reg_value(&mut s, r, T_INTEGER),
            None => s.push('?'),
        }
        if let Some(t) = nu64(d, "timeout")
            && t > 0
        {
            s.push_str(" timeout ");
            push_time_ms(&mut s, t);
        }
        if let Some(r) = Self::reg(d, "sreg-data") {
            s.push_str(" : ");
            self.push_reg_value(&mut s, r, T_INTEGER);
        }
        s.push_str(" }");
        self.push(s);
    }

    pub(super) fn payload(&mut self, d: Named) {
        let base = nu32(d, "base").unwrap_or(0);
        let off = nu32(d, "offset").unwrap_or(0);
        let len = nu32(d, "len").unwrap_or(0);
        if let Some(sreg) = Self::reg(d, "sreg") {
            // payload set: `ip daddr set 192.0.2.1`
            let (text, ty, _) = self.payload_field(base, off, len);
            let mut s = format!("{text} set ");
            self.push_reg_value(&mut s, sreg, ty);
            self.push(s);
            return;
        }
        let Some(dreg) = Self::reg(d, "dreg") else {
            return;
        };
        // nft loads only the bytes of an address prefix (`ip saddr 10.0.0.0/24` loads 3):
        // the field, masked to those bytes.
        let full = match (base, self.l3, off) {
            (1, Some("ip"), 12 | 16) if (1..4).contains(&len) => Some(4),
            (1, Some("ip6"), 8 | 24) if (1..16).contains(&len) => Some(16),
            _ => None,
        };
        let mask = full.map(|f: u32| {
            let mut m = vec![0xffu8; len as usize];
            m.resize(f as usize, 0);
            m
        });
        let (text, ty, proto) = self.payload_field(base, off, full.unwrap_or(len));
        self.widths.insert(dreg, full.unwrap_or(len));
        // The dependency this payload makes implicit.
        if !proto.is_empty() {
            let want_l3 = matches!(proto, "ip" | "ip6" | "arp" | "vlan");
            if let Some(i) = self.stmts.iter().rposition(|s| {
                s.dep
                    == Some(if want_l3 {
                        Dep::L3(proto)
                    } else {
                        Dep::L4(proto)
                    })
            }) {
                self.stmts.remove(i);
            }
        }
        self.regs.insert(
            dreg,
            Reg::Field {
                text,
                ty,
                proto,
                mask,
            },
        );
    }

    /// nft's words for a payload field: (`ip saddr`, datatype, protocol).
    pub(super) fn payload_field(
        &self,
        base: u32,
        off: u32,
        len: u32,
    ) -> (String, u32, &'static str) {
        let known: Option<(&'static str, &'static str, u32)> = match base {
            0 => match (off, len) {
                (0, 6) => Some(("ether", "daddr", T_ETHERADDR)),
                (6, 6) => Some(("ether", "saddr", T_ETHERADDR)),
                (12, 2) => Some(("ether", "type", T_ETHERTYPE)),
                _ => None,
            },
            1 => match self.l3 {
                Some("ip") => match (off, len) {
                    (2, 2) => Some(("ip", "length", T_INTEGER)),
                    (4, 2) => Some(("ip", "id", T_INTEGER)),
                    (6, 2) => Some(("ip", "frag-off", T_INTEGER)),
                    (8, 1) => Some(("ip", "ttl", T_INTEGER)),
                    (9, 1) => Some(("ip", "protocol", T_INETPROTO)),
                    (10, 2) => Some(("ip", "checksum", T_INTEGER)),
                    (12, 4) => Some(("ip", "saddr", T_IPADDR)),
                    (16, 4) => Some(("ip", "daddr", T_IPADDR)),
                    _ => None,
                },
                Some("ip6") => match (off, len) {
                    (4, 2) => Some(("ip6", "length", T_INTEGER)),
                    (6, 1) => Some(("ip6", "nexthdr", T_INETPROTO)),
                    (7, 1) => Some(("ip6", "hoplimit", T_INTEGER)),
                    (8, 16) => Some(("ip6", "saddr", T_IP6ADDR)),
                    (24, 16) => Some(("ip6", "daddr", T_IP6ADDR)),
                    _ => None,
                },
                _ => None,
            },
            2 => match (self.l4, off, len) {
                (Some(p @ ("tcp" | "udp" | "udplite" | "sctp" | "dccp")), 0, 2) => {
                    Some((p, "sport", T_INETSERVICE))
                }
                (Some(p @ ("tcp" | "udp" | "udplite" | "sctp" | "dccp")), 2, 2) => {
                    Some((p, "dport", T_INETSERVICE))
                }
                (Some("tcp"), 4, 4) => Some(("tcp", "sequence", T_INTEGER)),
                (Some("tcp"), 8, 4) => Some(("tcp", "ackseq", T_INTEGER)),
                (Some("tcp"), 13, 1) => Some(("tcp", "flags", T_TCP_FLAG)),
                (Some("tcp"), 14, 2) => Some(("tcp", "window", T_INTEGER)),
                (Some("udp"), 4, 2) => Some(("udp", "length", T_INTEGER)),
                (Some("icmp"), 0, 1) => Some(("icmp", "type", T_ICMP_TYPE)),
                (Some("icmp"), 1, 1) => Some(("icmp", "code", T_INTEGER)),
                (Some("icmp"), 4, 2) => Some(("icmp", "id", T_INTEGER)),
                (Some("icmp"), 6, 2) => Some(("icmp", "sequence", T_INTEGER)),
                (Some("ipv6-icmp"), 0, 1) => Some(("icmpv6", "type", T_ICMP6_TYPE)),
                (Some("ipv6-icmp"), 1, 1) => Some(("icmpv6", "code", T_INTEGER)),
                (None, 0, 2) => Some(("th", "sport", T_INETSERVICE)),
                (None, 2, 2) => Some(("th", "dport", T_INETSERVICE)),
                _ => None,
            },
            _ => None,
        };
        match known {
            Some((p, f, t)) => {
                // The dependency protocol: `ipv6-icmp` is selected by l4proto ipv6-icmp.
                let dep = match p {
                    "icmpv6" => "ipv6-icmp",
                    "th" | "ether" => "",
                    p => p,
                };
                (format!("{p} {f}"), t, dep)
            }
            None => {
                let b = match base {
                    0 => "ll",
                    1 => "nh",
                    2 => "th",
                    3 => "ih",
                    _ => "?",
                };
                let (off, len) = (u64::from(off) * 8, u64::from(len) * 8);
                (format!("@{b},{off},{len}"), T_INTEGER, "")
            }
        }
    }

    pub(super) fn meta(&mut self, d: Named) {
        let key = nu32(d, "key").unwrap_or(u32::MAX);
        let (name, ty) = meta_key(key);
        let qualified = !matches!(key, 4..=7 | 21 | 22);
        let text = if qualified {
            format!("meta {name}")
        } else {
            name.to_string()
        };
        if let Some(sreg) = Self::reg(d, "sreg") {
            let mut s = format!("{text} set ");
            self.push_reg_value(&mut s, sreg, ty);
            self.push(s);
            return;
        }
        if let Some(dreg) = Self::reg(d, "dreg") {
            let proto = match key {
                15 => "nfproto",
                16 => "l4proto",
                _ => "",
            };
            self.set_field(dreg, text, ty, proto);
        }
    }

    pub(super) fn ct(&mut self, d: Named) {
        let key = nu32(d, "key").unwrap_or(u32::MAX);
        let (name, ty) = ct_key(key);
        let mut text = String::from("ct ");
        match d.u8("direction") {
            Some(0) => text.push_str("original "),
            Some(1) => text.push_str("reply "),
            _ => {}
        }
        text.push_str(name);
        // ct saddr/daddr are as wide as the rule's network protocol.
        let ty = match (key, self.l3) {
            (8 | 9, Some("ip6")) => T_IP6ADDR,
            _ => ty,
        };
        if let Some(dreg) = Self::reg(d, "dreg") {
            self.widths
                .insert(dreg, type_size(ty).map_or(4, |n| n as u32));
        }
        if let Some(sreg) = Self::reg(d, "sreg") {
            let mut s = format!("{text} set ");
            self.push_reg_value(&mut s, sreg, ty);
            self.push(s);
            return;
        }
        if let Some(dreg) = Self::reg(d, "dreg") {
            self.regs.insert(
                dreg,
                Reg::Field {
                    text,
                    ty,
                    proto: "",
                    mask: None,
                },
            );
        }
    }

    pub(super) fn data_value(d: Named, name: &str) -> Option<Vec<u8>> {
        let b = d.nest(name)?.get("value")?;
        Some(b.get(..b.len().min(MAX_KEY)).unwrap_or(b).to_vec())
    }

    pub(super) fn bitwise(&mut self, d: Named) {
        let (Some(sreg), Some(dreg)) = (Self::reg(d, "sreg"), Self::reg(d, "dreg")) else {
            return;
        };
        let mask = Self::data_value(d, "mask");
        let xor = Self::data_value(d, "xor");
        let op = nu32(d, "op").unwrap_or(0);
        let src = self.regs.get(&sreg).cloned();
        match (src, op, mask) {
            (
                Some(Reg::Field {
                    text,
                    ty,
                    proto,
                    mask: loaded,
                }),
                0,
                Some(mut mask),
            ) if xor.as_ref().is_none_or(|x| x.iter().all(|b| *b == 0)) => {
                // A prefix of a field loaded in part: the mask covers the whole field.
                if let Some(l) = loaded {
                    mask.resize(l.len().max(mask.len()), 0);
                }
                self.regs.insert(
                    dreg,
                    Reg::Field {
                        text,
                        ty,
                        proto,
                        mask: Some(mask),
                    },
                );
            }
            _ => {
                self.regs.remove(&dreg);
                self.push("<bitwise>".into());
            }
        }
    }

    pub(super) fn cmp(&mut self, d: Named) {
        let Some(sreg) = Self::reg(d, "sreg") else {
            return;
        };
        let op = nu32(d, "op").unwrap_or(0);
        let data = Self::data_value(d, "data").unwrap_or_default();
        let Some(Reg::Field {
            text,
            ty,
            proto,
            mask,
        }) = self.regs.get(&sreg).cloned()
        else {
            self.push("<cmp>".into());
            return;
        };
        let opw = match op {
            0 => "",
            1 => "!= ",
            2 => "< ",
            3 => "<= ",
            4 => "> ",
            5 => ">= ",
            _ => "? ",
        };
        let mut value = String::new();
        if let Some(mask) = &mask {
            let mut data = data.clone();
            if data.len() < mask.len() {
                data.resize(mask.len(), 0);
            }
            let zero = data.iter().all(|b| *b == 0);
            let little = host_order(ty) && self.v.index().endian == Endian::Little;
            if op <= 1 && zero && !bit_names(ty).is_empty() {
                // ct state established,related: (state & mask) != 0; `!=` for == 0.
                push_bits(&mut value, ty, int(mask, little).unwrap_or(0), ",");
                let not = if op == 0 { "!= " } else { "" };
                self.push(format!("{text} {not}{value}"));
                return;
            }
            if !bit_names(ty).is_empty() {
                // tcp flags & (syn | ack) == syn
                let mut m = String::new();
                let mv = int(mask, little).unwrap_or(0);
                push_bits(&mut m, ty, mv, " | ");
                if mv.count_ones() > 1 {
                    m = format!("({m})");
                }
                push_bits(&mut value, ty, int(&data, little).unwrap_or(0), " | ");
                let opw = if op == 0 { "== " } else { opw };
                self.push(format!("{text} & {m} {opw}{value}"));
                return;
            }
            let plen = mask.iter().map(|b| b.count_ones()).sum::<u32>();
            let is_prefix = mask.iter().enumerate().all(|(i, b)| {
                b.count_ones() == plen.saturating_sub(i as u32 * 8).min(8)
                    && (b.leading_ones() == b.count_ones())
            });
            if op == 0 && matches!(ty, T_IPADDR | T_IP6ADDR) && is_prefix {
                // ip saddr 10.0.0.0/8: (saddr & mask) == net
                push_value(self.v, &mut value, ty, &data);
                self.push(format!("{text} {value}/{plen}"));
                return;
            }
            let mut m = String::new();
            push_value(self.v, &mut m, ty, mask);
            push_value(self.v, &mut value, ty, &data);
            let opw = if op == 0 { "== " } else { opw };
            self.push(format!("{text} & {m} {opw}{value}"));
            return;
        }
        push_value(self.v, &mut value, ty, &data);
        // nft's ranges: `>= lo` then `<= hi` on the same field.
        if op == 3
            && let Some(last) = self.stmts.last_mut()
            && let Some((t, lo)) = last.range_lo.take()
            && t == text
        {
            last.text = format!("{text} {lo}-{value}");
            return;
        }
        let dep = if op == 0 {
            let n = int(&data, false).unwrap_or(u64::MAX);
            match (proto, ty) {
                ("nfproto", _) => match n {
                    2 => Some(Dep::L3("ip")),
                    10 => Some(Dep::L3("ip6")),
                    _ => None,
                },
                (_, T_ETHERTYPE) => match n {
                    0x0800 => Some(Dep::L3("ip")),
                    0x86dd => Some(Dep::L3("ip6")),
                    0x0806 => Some(Dep::L3("arp")),
                    _ => None,
                },
                ("l4proto" | "ip" | "ip6", T_INETPROTO) => inet_proto_name(n).map(Dep::L4),
                _ => None,
            }
        } else {
            None
        };
        match dep {
            Some(Dep::L3(p)) => self.l3 = Some(p),
            Some(Dep::L4(p)) => self.l4 = Some(p),
            None => {}
        }
        self.stmts.push(Stmt {
            text: format!("{text} {opw}{value}"),
            dep,
            range_lo: (op == 5).then(|| (text.clone(), value.clone())),
        });
    }

    pub(super) fn range(&mut self, d: Named) {
        let Some(sreg) = Self::reg(d, "sreg") else {
            return;
        };
        let Some(Reg::Field { text, ty, .. }) = self.regs.get(&sreg).cloned() else {
            self.push("<range>".into());
            return;
        };
        let lo = Self::data_value(d, "from-data").unwrap_or_default();
        let hi = Self::data_value(d, "to-data").unwrap_or_default();
        let mut s = text;
        s.push(' ');
        if nu32(d, "op") == Some(1) {
            s.push_str("!= ");
        }
        push_value(self.v, &mut s, ty, &lo);
        s.push('-');
        push_value(self.v, &mut s, ty, &hi);
        self.push(s);
    }

    pub(super) fn lookup(&mut self, d: Named) {
        let Some(sreg) = Self::reg(d, "sreg") else {
            return;
        };
        let set = nstr(d, "set").unwrap_or_default();
        let key = set_key(&*set, nu32(d, "set-id"));
        let info = self.v.nft_sets().get(self.family, &self.table, &key);
        let (text, ty) = match self.regs.get(&sreg) {
            Some(Reg::Field { text, ty, .. }) => (text.clone(), *ty),
            _ => ("<lookup>".to_string(), 0),
        };
        // A concatenated key (`ip saddr . tcp dport`): the fields in consecutive registers.
        let fields = info.map_or(1, |i| subtypes(i.key_type).len());
        let mut s = text;
        let mut r = sreg;
        for _ in 1..fields {
            let w = self.widths.get(&r).copied().unwrap_or(4);
            r = r.saturating_add(w.div_ceil(4).max(1));
            match self.regs.get(&r) {
                Some(Reg::Field { text, .. }) => {
                    s.push_str(" . ");
                    s.push_str(text);
                }
                _ => break,
            }
        }
        s.push(' ');
        if nu32(d, "flags").unwrap_or(0) & 1 != 0 {
            s.push_str("!= ");
        }
        let dreg = nu32(d, "dreg");
        match dreg {
            Some(0) => s.push_str("vmap "),
            Some(_) => s.push_str("map "),
            None => {}
        }
        match info {
            Some(i) if i.flags & SET_ANONYMOUS != 0 || set.starts_with("__") => {
                let t = if i.key_type != 0 { i.key_type } else { ty };
                s.push_str("{ ");
                push_elems(self.v, &mut s, &i.elems, t, i.flags);
                s.push_str(" }");
            }
            _ => {
                let _ = write!(s, "@{set}");
            }
        }
        if let Some(r) = Self::reg(d, "dreg")
            && r != 0
        {
            self.regs.insert(
                r,
                Reg::Field {
                    text: s,
                    ty: T_INTEGER,
                    proto: "",
                    mask: None,
                },
            );
            return;
        }
        self.push(s);
    }
}

/// The sub-message attribute set of expression `name` in the message's spec.
pub(super) fn sub_message_set_of<'v>(v: &MessageView<'v>, name: &str) -> Option<&'v str> {
    let spec = v.spec()?;
    sub_message_set(spec, "expr-ops", name)
}

/// NFT_META_* keys: nft's name and the datatype of their values.
pub(super) fn meta_key(k: u32) -> (&'static str, u32) {
    match k {
        0 => ("length", T_INTEGER),
        1 => ("protocol", T_ETHERTYPE),
        2 => ("priority", T_INTEGER),
        3 => ("mark", T_MARK),
        4 => ("iif", T_IFINDEX),
        5 => ("oif", T_IFINDEX),
        6 => ("iifname", T_IFNAME),
        7 => ("oifname", T_IFNAME),
        8 => ("iiftype", T_ARPHRD),
        9 => ("oiftype", T_ARPHRD),
        10 => ("skuid", T_UID),
        11 => ("skgid", T_GID),
        12 => ("nftrace", T_INTEGER),
        13 => ("rtclassid", T_INTEGER),
        14 => ("secmark", T_INTEGER),
        15 => ("nfproto", T_NFPROTO),
        16 => ("l4proto", T_INETPROTO),
        17 => ("ibrname", T_IFNAME),
        18 => ("obrname", T_IFNAME),
        19 => ("pkttype", T_PKTTYPE),
        20 => ("cpu", T_INTEGER),
        21 => ("iifgroup", T_INTEGER),
        22 => ("oifgroup", T_INTEGER),
        23 => ("cgroup", T_INTEGER),
        24 => ("random", T_INTEGER),
        25 => ("secpath", T_INTEGER),
        26 => ("iifkind", T_IFNAME),
        27 => ("oifkind", T_IFNAME),
        28 => ("ibrpvid", T_INTEGER),
        29 => ("ibrvproto", T_ETHERTYPE),
        30 => ("time", T_INTEGER),
        31 => ("day", T_INTEGER),
        32 => ("hour", T_INTEGER),
        33 => ("sdif", T_IFINDEX),
        34 => ("sdifname", T_IFNAME),
        35 => ("broute", T_INTEGER),
        _ => ("?", T_INTEGER),
    }
}

/// NFT_CT_* keys: nft's name and the datatype of their values.
pub(super) fn ct_key(k: u32) -> (&'static str, u32) {
    match k {
        0 => ("state", T_CT_STATE),
        1 => ("direction", T_CT_DIR),
        2 => ("status", T_CT_STATUS),
        3 => ("mark", T_MARK),
        4 => ("secmark", T_INTEGER),
        5 => ("expiration", T_INTEGER),
        6 => ("helper", T_STRING),
        7 => ("l3proto", T_NFPROTO),
        8 => ("saddr", T_IPADDR),
        9 => ("daddr", T_IPADDR),
        10 => ("protocol", T_INETPROTO),
        11 => ("proto-src", T_INETSERVICE),
        12 => ("proto-dst", T_INETSERVICE),
        13 => ("label", T_INTEGER),
        14 => ("packets", T_INTEGER),
        15 => ("bytes", T_INTEGER),
        16 => ("avgpkt", T_INTEGER),
        17 => ("zone", T_INTEGER),
        18 => ("event", T_INTEGER),
        19 => ("ip saddr", T_IPADDR),
        20 => ("ip daddr", T_IPADDR),
        21 => ("ip6 saddr", T_IP6ADDR),
        22 => ("ip6 daddr", T_IP6ADDR),
        23 => ("id", T_INTEGER),
        _ => ("?", T_INTEGER),
    }
}
