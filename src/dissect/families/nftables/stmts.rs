//! Statements of a rule (verdicts and immediates, nat, log, limit, reject) in nft's words.

use super::*;

impl Rule<'_, '_> {
    pub(super) fn immediate(&mut self, d: Named) {
        let Some(dreg) = Self::reg(d, "dreg") else {
            return;
        };
        let Some(data) = d.nest("data") else {
            return;
        };
        if let Some(vd) = data.nest("verdict") {
            let mut s = String::new();
            let code = nu32(vd, "code").unwrap_or(0) as i32;
            push_verdict(&mut s, code, nstr(vd, "chain").as_deref());
            self.push(s);
            return;
        }
        if let Some(b) = data.get("value") {
            self.regs.insert(
                dreg,
                Reg::Value(b.get(..b.len().min(MAX_KEY)).unwrap_or(b).to_vec()),
            );
        }
    }

    /// A register's value as type `t` (an immediate), or the field it holds.
    pub(super) fn push_reg_value(&self, out: &mut String, r: u32, t: u32) {
        match self.regs.get(&r) {
            Some(Reg::Value(b)) => push_value(self.v, out, t, b),
            Some(Reg::Field { text, .. }) => out.push_str(text),
            None => out.push('?'),
        }
    }

    pub(super) fn nat(&mut self, d: Named) {
        let mut s = String::from(match nu32(d, "type") {
            Some(0) => "snat",
            Some(1) => "dnat",
            _ => "nat",
        });
        let nfam = nu32(d, "family").unwrap_or(0);
        let t = if nfam == 10 { T_IP6ADDR } else { T_IPADDR };
        if self.family == 1 || self.family == 7 || self.family == 5 {
            s.push_str(if nfam == 10 { " ip6" } else { " ip" });
        }
        let amin = Self::reg(d, "reg-addr-min");
        let pmin = Self::reg(d, "reg-proto-min");
        if amin.is_some() || pmin.is_some() {
            s.push_str(" to ");
        }
        if let Some(r) = amin {
            let v6 = t == T_IP6ADDR && pmin.is_some();
            if v6 {
                s.push('[');
            }
            self.push_reg_value(&mut s, r, t);
            if let Some(r2) = Self::reg(d, "reg-addr-max")
                && r2 != r
            {
                s.push('-');
                self.push_reg_value(&mut s, r2, t);
            }
            if v6 {
                s.push(']');
            }
        }
        if let Some(r) = pmin {
            s.push(':');
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

    pub(super) fn log(&mut self, d: Named) {
        let mut s = String::from("log");
        if let Some(p) = nstr(d, "prefix") {
            let _ = write!(s, " prefix \"{p}\"");
        }
        if let Some(g) = Endian::Big.u16(d.get("group").unwrap_or_default(), 0) {
            let _ = write!(s, " group {g}");
        }
        if let Some(l) = nu32(d, "snaplen") {
            let _ = write!(s, " snaplen {l}");
        }
        if let Some(q) = Endian::Big.u16(d.get("qthreshold").unwrap_or_default(), 0) {
            let _ = write!(s, " queue-threshold {q}");
        }
        if let Some(l) = nu32(d, "level")
            && l != 4
        {
            let names = [
                "emerg", "alert", "crit", "err", "warn", "notice", "info", "debug", "audit",
            ];
            match names.get(l as usize) {
                Some(n) => {
                    let _ = write!(s, " level {n}");
                }
                None => {
                    let _ = write!(s, " level {l}");
                }
            }
        }
        let f = nu32(d, "flags").unwrap_or(0);
        if f & 0x2f == 0x2f {
            s.push_str(" flags all");
        } else if f != 0 {
            let mut parts = Vec::new();
            match f & 3 {
                3 => parts.push("tcp sequence,options"),
                1 => parts.push("tcp sequence"),
                2 => parts.push("tcp options"),
                _ => {}
            }
            if f & 4 != 0 {
                parts.push("ip options");
            }
            if f & 8 != 0 {
                parts.push("skuid");
            }
            if f & 0x20 != 0 {
                parts.push("ether");
            }
            for p in parts {
                let _ = write!(s, " flags {p}");
            }
        }
        self.push(s);
    }

    pub(super) fn limit(&mut self, d: Named) {
        let rate = nu64(d, "rate").unwrap_or(0);
        let unit = nu64(d, "unit").unwrap_or(1);
        let bytes = nu32(d, "type") == Some(1);
        let burst = nu32(d, "burst").unwrap_or(0);
        let mut s = String::from("limit rate ");
        if nu32(d, "flags").unwrap_or(0) & 1 != 0 {
            s.push_str("over ");
        }
        let per = match unit {
            1 => "second",
            60 => "minute",
            3600 => "hour",
            86400 => "day",
            604_800 => "week",
            _ => "?",
        };
        if bytes {
            push_bytes(&mut s, rate);
            let _ = write!(s, "/{per}");
            if burst != 0 {
                s.push_str(" burst ");
                push_bytes(&mut s, u64::from(burst));
            }
        } else {
            let _ = write!(s, "{rate}/{per}");
            if burst != 0 && burst != 5 {
                let _ = write!(s, " burst {burst} packets");
            }
        }
        self.push(s);
    }

    pub(super) fn reject(&mut self, d: Named) {
        let ty = nu32(d, "type").unwrap_or(0);
        let code = d.u8("icmp-code").unwrap_or(0);
        let s = match ty {
            1 => "reject with tcp reset".to_string(),
            2 => match code {
                1 => "reject".to_string(),
                c => {
                    let n = match c {
                        0 => "no-route",
                        2 => "host-unreachable",
                        3 => "admin-prohibited",
                        _ => "?",
                    };
                    format!("reject with icmpx {n}")
                }
            },
            _ => {
                let v6 = self.family == 10;
                let default = if v6 { 4 } else { 3 };
                if code == default {
                    "reject".to_string()
                } else if v6 {
                    let n = match code {
                        0 => "no-route",
                        1 => "admin-prohibited",
                        3 => "addr-unreachable",
                        5 => "policy-fail",
                        6 => "reject-route",
                        _ => "?",
                    };
                    format!("reject with icmpv6 {n}")
                } else {
                    let n = match code {
                        0 => "net-unreachable",
                        1 => "host-unreachable",
                        2 => "prot-unreachable",
                        9 => "net-prohibited",
                        10 => "host-prohibited",
                        13 => "admin-prohibited",
                        _ => "?",
                    };
                    format!("reject with icmp {n}")
                }
            }
        };
        self.push(s);
    }
}

/// NF_NAT_RANGE_* flags nft prints after a nat statement.
pub(super) fn push_nat_flags(s: &mut String, f: u32) {
    let mut names = Vec::new();
    if f & 0x4 != 0 {
        names.push("random");
    }
    if f & 0x10 != 0 {
        names.push("fully-random");
    }
    if f & 0x8 != 0 {
        names.push("persistent");
    }
    if !names.is_empty() {
        s.push(' ');
        s.push_str(&names.join(","));
    }
}

/// A byte count as nft prints it (`10 mbytes`).
pub(super) fn push_bytes(s: &mut String, b: u64) {
    let (mut v, mut unit) = (b, "bytes");
    for next in ["kbytes", "mbytes"] {
        if v >= 1024 && v % 1024 == 0 {
            v /= 1024;
            unit = next;
        }
    }
    let _ = write!(s, "{v} {unit}");
}
