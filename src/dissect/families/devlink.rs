//! devlink: instances, ports, parameters, info, health reporters, regions, traps, shared
//! buffers and eswitch modes, summarised as `devlink` / `devlink monitor` print them: the
//! handle first (`pci/0000:01:00.0`, `pci/0000:01:00.0/1` for ports), then the key facts.

use super::text::{push_enum, push_str};
use super::{Family, Named};
use crate::dissect::MessageView;
use crate::model::Direction;

/// The devlink module.
pub struct Devlink;

impl Family for Devlink {
    fn summary(&self, v: &MessageView, out: &mut String) -> bool {
        let Some(n) = v.named() else { return false };
        let m = v.index();
        let dump = m.direction == Direction::ToKernel && m.flags & 0x300 == 0x300;
        if dump {
            out.push_str(" dump");
        }
        let (Some(bus), Some(dev)) = (n.get("bus-name"), n.get("dev-name")) else {
            // A dump of every instance, or a message without a handle.
            return dump;
        };
        out.push(' ');
        push_str(out, bus);
        out.push('/');
        push_str(out, dev);
        if let Some(p) = n.u32("port-index") {
            out.push('/');
            out.push_str(itoa::Buffer::new().format(p));
        }
        let before = out.len();
        out.push(':');
        let mark = out.len();
        facts(v, n, out);
        if out.len() == mark {
            out.truncate(before);
        }
        true
    }
}

/// The facts after the handle, in `devlink`'s words; nothing if the message has none.
fn facts(v: &MessageView, n: Named, out: &mut String) {
    let mut ib = itoa::Buffer::new();
    let en = |out: &mut String, def: &str, prefix: &str, val: Option<u64>| {
        if let Some(x) = val {
            push_enum(out, v.spec_enum(def), prefix, x as i64, true);
        }
    };
    // Ports (`devlink port`): type, netdev, flavour, port number, pf/vf.
    if let Some(t) = n.u16("port-type") {
        out.push_str(" type ");
        en(out, "port-type", "DEVLINK_PORT_TYPE_", Some(u64::from(t)));
    }
    if let Some(d) = n.get("port-netdev-name") {
        out.push_str(" netdev ");
        push_str(out, d);
    }
    if let Some(f) = n.u16("port-flavour") {
        out.push_str(" flavour ");
        en(
            out,
            "port-flavour",
            "DEVLINK_PORT_FLAVOUR_",
            Some(u64::from(f)),
        );
    }
    if let Some(p) = n.u32("port-number") {
        out.push_str(" port ");
        out.push_str(ib.format(p));
    }
    if let Some(p) = n.u16("port-pci-pf-number") {
        out.push_str(" pfnum ");
        out.push_str(ib.format(p));
    }
    if let Some(p) = n.u16("port-pci-vf-number") {
        out.push_str(" vfnum ");
        out.push_str(ib.format(p));
    }
    // `devlink dev eswitch`
    if let Some(m) = n.u16("eswitch-mode") {
        out.push_str(" mode ");
        en(
            out,
            "eswitch-mode",
            "DEVLINK_ESWITCH_MODE_",
            Some(u64::from(m)),
        );
    }
    // `devlink dev info`
    if let Some(d) = n.get("info-driver-name") {
        out.push_str(" driver ");
        push_str(out, d);
    }
    if let Some(s) = n.get("info-serial-number") {
        out.push_str(" serial_number ");
        push_str(out, s);
    }
    // `devlink dev param`
    if let Some(p) = n.nest("param") {
        param(v, p, out);
    } else if let Some(name) = n.get("param-name") {
        out.push_str(" name ");
        push_str(out, name);
    }
    // `devlink health`
    if let Some(h) = n
        .nest("health-reporter")
        .or(n.get("health-reporter-name").map(|_| n))
    {
        if let Some(name) = h.get("health-reporter-name") {
            out.push_str(" reporter ");
            push_str(out, name);
        }
        if let Some(s) = h.u8("health-reporter-state") {
            out.push_str(" state ");
            en(
                out,
                "health-reporter-state",
                "DEVLINK_HEALTH_REPORTER_STATE_",
                Some(u64::from(s)),
            );
        }
        if let Some(c) = h.u64("health-reporter-err-count") {
            out.push_str(" error ");
            out.push_str(ib.format(c));
        }
        if let Some(c) = h.u64("health-reporter-recover-count") {
            out.push_str(" recover ");
            out.push_str(ib.format(c));
        }
    }
    // `devlink region`
    if let Some(r) = n.get("region-name") {
        out.push_str(" region ");
        push_str(out, r);
        if let Some(s) = n.u64("region-size") {
            out.push_str(" size ");
            out.push_str(ib.format(s));
        }
    }
    // `devlink trap`
    if let Some(t) = n.get("trap-name") {
        out.push_str(" name ");
        push_str(out, t);
        if let Some(ty) = n.u8("trap-type") {
            out.push_str(" type ");
            en(out, "trap-type", "DEVLINK_TRAP_TYPE_", Some(u64::from(ty)));
        }
        if let Some(a) = n.u8("trap-action") {
            out.push_str(" action ");
            en(
                out,
                "trap-action",
                "DEVLINK_TRAP_ACTION_",
                Some(u64::from(a)),
            );
        }
    }
    if let Some(g) = n.get("trap-group-name") {
        out.push_str(" group ");
        push_str(out, g);
    }
    // `devlink sb`
    if let Some(sb) = n.u32("sb-index") {
        out.push_str(" sb ");
        out.push_str(ib.format(sb));
        if let Some(s) = n.u32("sb-size") {
            out.push_str(" size ");
            out.push_str(ib.format(s));
        }
    }
    // `devlink dev reload`
    if let Some(a) = n.u8("reload-action") {
        out.push_str(" reload action ");
        en(
            out,
            "reload-action",
            "DEVLINK_RELOAD_ACTION_",
            Some(u64::from(a)),
        );
    }
}

/// One parameter as `devlink dev param show` prints it: name, generic/driver-specific, and
/// the first value with its configuration mode.
fn param(v: &MessageView, p: Named, out: &mut String) {
    if let Some(name) = p.get("param-name") {
        out.push_str(" name ");
        push_str(out, name);
    }
    out.push_str(if p.get("param-generic").is_some() {
        " type generic"
    } else {
        " type driver-specific"
    });
    let ty = p.u8("param-type");
    let mut values = p
        .nest("param-values-list")
        .into_iter()
        .flat_map(|l| l.all("param-value"));
    let Some(val) = values.next() else { return };
    if let Some(c) = val.u8("param-value-cmode") {
        out.push_str(" cmode ");
        push_enum(
            out,
            v.spec_enum("param-cmode"),
            "DEVLINK_PARAM_CMODE_",
            i64::from(c),
            true,
        );
    }
    let data = val.get("param-value-data");
    let e = p.endian();
    let mut ib = itoa::Buffer::new();
    out.push_str(" value ");
    let num = match (ty, data) {
        (Some(1), Some(d)) => d.first().map(|x| u64::from(*x)),
        (Some(2), Some(d)) => e.u16(d, 0).map(u64::from),
        (Some(3), Some(d)) => e.u32(d, 0).map(u64::from),
        (Some(4), Some(d)) => e.u64(d, 0),
        _ => None,
    };
    match (ty, data, num) {
        (_, _, Some(x)) => out.push_str(ib.format(x)),
        // DEVLINK_VAR_ATTR_TYPE_FLAG: present means true.
        (Some(6), d, _) => out.push_str(if d.is_some() { "true" } else { "false" }),
        (Some(5 | 10), Some(d), _) => push_str(out, d),
        _ => out.push('?'),
    }
    let more = values.count();
    if more > 0 {
        out.push_str(" (+");
        out.push_str(ib.format(more));
        out.push_str(" more)");
    }
}

#[cfg(test)]
mod tests {
    use super::super::wireguard::genl_summaries;
    use crate::dissect::specs::SpecRegistry;
    use crate::model::Endian;
    use crate::netlink::nla;

    #[test]
    fn replies_and_malformed_payloads() {
        let specs = SpecRegistry::with_embedded();
        let spec = specs.get("devlink").expect("devlink spec");
        let set = spec.sets.get("devlink").expect("devlink set");
        let t = |name: &str| set.by_name(name).expect(name).value;
        let e = Endian::Little;
        let a = |name: &str, p: &[u8]| nla(e, t(name), p);
        // DEVLINK_CMD_PORT_NEW (cmd 7) reply.
        let mut port = vec![7, 1, 0, 0];
        port.extend(a("bus-name", b"netdevsim\0"));
        port.extend(a("dev-name", b"netdevsim10\0"));
        port.extend(a("port-index", &0u32.to_le_bytes()));
        port.extend(a("port-type", &2u16.to_le_bytes()));
        port.extend(a("port-netdev-name", b"eni10np1\0"));
        port.extend(a("port-flavour", &0u16.to_le_bytes()));
        port.extend(a("port-number", &1u32.to_le_bytes()));
        // DEVLINK_CMD_PARAM_NEW (cmd 40): max_macs, generic, u32 32 in driverinit.
        let mut value = a("param-value-cmode", &[1]);
        value.extend(a("param-value-data", &32u32.to_le_bytes()));
        let mut prm = a("param-name", b"max_macs\0");
        prm.extend(a("param-generic", &[]));
        prm.extend(a("param-type", &[3]));
        prm.extend(a("param-values-list", &a("param-value", &value)));
        let mut param = vec![40, 1, 0, 0];
        param.extend(a("bus-name", b"netdevsim\0"));
        param.extend(a("dev-name", b"netdevsim10\0"));
        param.extend(a("param", &prm));
        // Truncated: a handle whose dev-name runs past the end; a param nest with a 2-byte
        // u32 value.
        let mut short = vec![1, 1, 0, 0];
        short.extend(a("bus-name", b"pci\0"));
        short.extend([20, 0, t("dev-name") as u8, 0, b'x']);
        let mut bad_value = a("param-value-cmode", &[0]);
        bad_value.extend(a("param-value-data", &[1, 2]));
        let mut bad = a("param-type", &[3]);
        bad.extend(a("param-values-list", &a("param-value", &bad_value)));
        let mut bad_param = vec![40, 1, 0, 0];
        bad_param.extend(a("bus-name", b"pci\0"));
        bad_param.extend(a("dev-name", b"0000:00:01.0\0"));
        bad_param.extend(a("param", &bad));
        let got = genl_summaries(
            "devlink",
            &[
                (0x2, port),
                (0x2, param),
                (0x2, short),
                (0x2, bad_param),
                (0x2, vec![40]),
            ],
        );
        assert_eq!(
            got[0],
            "DEVLINK_CMD_PORT_NEW netdevsim/netdevsim10/0: type eth netdev eni10np1 flavour physical port 1"
        );
        assert_eq!(
            got[1],
            "DEVLINK_CMD_PARAM_NEW netdevsim/netdevsim10: name max_macs type generic cmode driverinit value 32"
        );
        assert!(!got[2].contains("pci/"), "{}", got[2]);
        assert_eq!(
            got[3],
            "DEVLINK_CMD_PARAM_NEW pci/0000:00:01.0: type driver-specific cmode runtime value ?"
        );
    }

    #[test]
    fn health_reporters_and_traps() {
        let specs = SpecRegistry::with_embedded();
        let spec = specs.get("devlink").expect("devlink spec");
        let set = spec.sets.get("devlink").expect("devlink set");
        let t = |name: &str| set.by_name(name).expect(name).value;
        let e = Endian::Little;
        let a = |name: &str, p: &[u8]| nla(e, t(name), p);
        let handle = || {
            let mut h = vec![0, 1, 0, 0];
            h.extend(a("bus-name", b"pci\0"));
            h.extend(a("dev-name", b"0000:01:00.0\0"));
            h
        };
        // DEVLINK_CMD_HEALTH_REPORTER_GET (52) reply: reporter fw, healthy, 1 error, 1 recovery.
        let mut rep = a("health-reporter-name", b"fw\0");
        rep.extend(a("health-reporter-state", &[0]));
        rep.extend(a("health-reporter-err-count", &1u64.to_le_bytes()));
        rep.extend(a("health-reporter-recover-count", &1u64.to_le_bytes()));
        let mut health = handle();
        health[0] = 52;
        health.extend(a("health-reporter", &rep));
        // DEVLINK_CMD_INFO_GET (51) reply.
        let mut info = handle();
        info[0] = 51;
        info.extend(a("info-driver-name", b"mlx5_core\0"));
        let got = genl_summaries("devlink", &[(0x2, health), (0x2, info)]);
        assert_eq!(
            got[0],
            "DEVLINK_CMD_HEALTH_REPORTER_GET pci/0000:01:00.0: reporter fw state healthy error 1 recover 1"
        );
        assert_eq!(
            got[1],
            "DEVLINK_CMD_INFO_GET pci/0000:01:00.0: driver mlx5_core"
        );
    }
}
