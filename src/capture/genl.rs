//! Generic netlink family and multicast group discovery: a CTRL_CMD_GETFAMILY dump at start
//! (recorded in capture files, so ids are named even when the capture holds no nlctrl
//! exchange), then for the monitor nlctrl's CTRL_CMD_NEWFAMILY / CTRL_CMD_NEWMCAST_GRP
//! notifications for families that appear later.

use std::collections::{BTreeMap, HashMap};
use std::io;

use crate::capture::nlsock::NlSocket;
use crate::model::Endian;
use crate::netlink::{
    Attrs, GENL_HDRLEN, GENL_ID_CTRL, Messages, MsgBuilder, NETLINK_GENERIC, NLM_F_ACK, NLM_F_DUMP,
    NLM_F_REQUEST, cstr, ctrl,
};

/// nlctrl's `version` in the genlmsghdr of our requests.
const CTRL_VERSION: u8 = 2;

/// Generic netlink names resolved at start and from nlctrl notifications.
#[derive(Debug, Default)]
pub(crate) struct GenlNames {
    /// Family id -> name.
    pub families: BTreeMap<u16, String>,
    /// Multicast group id -> "family/group".
    pub groups: HashMap<u32, String>,
}

/// One family as the controller describes it.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct GenlFamily {
    pub id: u16,
    pub name: String,
    pub groups: Vec<(u32, String)>,
    /// Operations: (`CTRL_ATTR_OP_ID`, `CTRL_ATTR_OP_FLAGS`), in the kernel's order.
    pub ops: Vec<(u32, u32)>,
}

impl GenlNames {
    /// The running kernel's families, or none if the controller cannot be asked.
    pub fn of_host() -> GenlNames {
        let mut g = GenlNames::default();
        for f in genl_dump().unwrap_or_default() {
            g.add(&f);
        }
        g
    }

    /// The section comment recording the family ids (`genl-families: 16=nlctrl 20=ethtool`,
    /// read back by `Dissector::learn_from_comment`), if any are known.
    pub fn comment(&self) -> Option<String> {
        if self.families.is_empty() {
            return None;
        }
        let pairs: Vec<String> = self
            .families
            .iter()
            .map(|(id, n)| format!("{id}={n}"))
            .collect();
        Some(format!("genl-families: {}", pairs.join(" ")))
    }

    /// Remember family `f` and its groups.
    pub fn add(&mut self, f: &GenlFamily) {
        self.families.insert(f.id, f.name.clone());
        for (gid, gname) in &f.groups {
            self.groups.insert(*gid, format!("{}/{gname}", f.name));
        }
    }

    /// Learn from nlctrl CTRL_CMD_NEWFAMILY / CTRL_CMD_NEWMCAST_GRP notifications in a
    /// datagram; returns the multicast group ids they announce (to join).
    pub fn learn(&mut self, datagram: &[u8]) -> Vec<u32> {
        let mut join = Vec::new();
        for m in Messages::native(datagram) {
            if m.ty != GENL_ID_CTRL {
                continue;
            }
            let Some(&cmd) = m.payload.first() else {
                continue;
            };
            if cmd != ctrl::CMD_NEWFAMILY && cmd != ctrl::CMD_NEWMCAST_GRP {
                continue;
            }
            let f = parse_family(m.payload);
            if f.name.is_empty() {
                continue;
            }
            self.add(&f);
            join.extend(f.groups.iter().map(|(gid, _)| *gid));
        }
        join
    }
}

/// Parse an nlctrl family message payload (genlmsghdr + attributes).
fn parse_family(payload: &[u8]) -> GenlFamily {
    let e = Endian::native();
    let mut f = GenlFamily::default();
    for a in Attrs::from(payload, GENL_HDRLEN, e) {
        match a.ty {
            ctrl::ATTR_FAMILY_ID => {
                if let Some(id) = e.u16(a.payload, 0) {
                    f.id = id;
                }
            }
            ctrl::ATTR_FAMILY_NAME => f.name = a.str().into_owned(),
            ctrl::ATTR_OPS => {
                for op in Attrs::new(a.payload, e) {
                    let (mut id, mut flags) = (None, 0);
                    for o in Attrs::new(op.payload, e) {
                        match o.ty {
                            ctrl::ATTR_OP_ID => id = e.u32(o.payload, 0),
                            ctrl::ATTR_OP_FLAGS => flags = e.u32(o.payload, 0).unwrap_or(0),
                            _ => {}
                        }
                    }
                    f.ops.extend(id.map(|id| (id, flags)));
                }
            }
            ctrl::ATTR_MCAST_GROUPS => {
                for grp in Attrs::new(a.payload, e) {
                    let mut id = None;
                    let mut name = String::new();
                    for g in Attrs::new(grp.payload, e) {
                        match g.ty {
                            ctrl::ATTR_MCAST_GRP_ID => id = e.u32(g.payload, 0),
                            ctrl::ATTR_MCAST_GRP_NAME => name = cstr(g.payload).into_owned(),
                            _ => {}
                        }
                    }
                    if let Some(id) = id {
                        f.groups.push((id, name));
                    }
                }
            }
            _ => {}
        }
    }
    f
}

/// The CTRL_CMD_GETFAMILY dump request.
fn getfamily_dump_request(seq: u32) -> Vec<u8> {
    let mut b = MsgBuilder::new(GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_DUMP, seq, 0);
    b.push(&[ctrl::CMD_GETFAMILY, CTRL_VERSION, 0, 0]);
    b.finish()
}

/// One family by name (CTRL_CMD_GETFAMILY `do`), or `None` if the kernel has none of that name.
pub(crate) fn genl_get(name: &str) -> io::Result<Option<GenlFamily>> {
    let sock = NlSocket::for_requests(NETLINK_GENERIC)?;
    sock.bind(0)?;
    let mut b = MsgBuilder::new(GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, 1, 0);
    b.push(&[ctrl::CMD_GETFAMILY, CTRL_VERSION, 0, 0])
        .attr_str(ctrl::ATTR_FAMILY_NAME, name);
    let mut found = None;
    let r = sock.dump(&b.finish(), 1, |m| {
        if m.ty == GENL_ID_CTRL {
            let f = parse_family(m.payload);
            if f.name == name {
                found = Some(f);
            }
        }
    });
    match r {
        Ok(()) => Ok(found),
        Err(e) if crate::capture::nlsock::dump_errno(&e) == Some(libc::ENOENT) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Every generic netlink family with its multicast groups (CTRL_CMD_GETFAMILY dump on a
/// separate socket).
pub(crate) fn genl_dump() -> io::Result<Vec<GenlFamily>> {
    let sock = NlSocket::for_requests(NETLINK_GENERIC)?;
    sock.bind(0)?;
    let mut fams = Vec::new();
    sock.dump(&getfamily_dump_request(1), 1, |m| {
        if m.ty == GENL_ID_CTRL {
            let f = parse_family(m.payload);
            if !f.name.is_empty() {
                fams.push(f);
            }
        }
    })?;
    Ok(fams)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netlink::NLA_F_NESTED;

    /// An nlctrl message as the kernel sends it: family id and name, then the groups nested.
    fn family_msg(cmd: u8, id: u16, name: &str, groups: &[(u32, &str)]) -> Vec<u8> {
        let mut b = MsgBuilder::new(GENL_ID_CTRL, 0, 0, 0);
        b.push(&[cmd, CTRL_VERSION, 0, 0])
            .attr_u16(ctrl::ATTR_FAMILY_ID, id)
            .attr_str(ctrl::ATTR_FAMILY_NAME, name);
        let ops = b.begin_nest(ctrl::ATTR_OPS);
        for (i, (id, flags)) in (1u16..).zip([(1u32, 0x0eu32), (2, 0x02)]) {
            let o = b.begin_nest(i);
            b.attr_u32(ctrl::ATTR_OP_ID, id)
                .attr_u32(ctrl::ATTR_OP_FLAGS, flags);
            b.end_nest(o);
        }
        b.end_nest(ops);
        let all = b.begin_nest(ctrl::ATTR_MCAST_GROUPS);
        for (i, (gid, gname)) in (1u16..).zip(groups) {
            let g = b.begin_nest(i);
            b.attr_str(ctrl::ATTR_MCAST_GRP_NAME, gname)
                .attr_u32(ctrl::ATTR_MCAST_GRP_ID, *gid);
            b.end_nest(g);
        }
        b.end_nest(all);
        b.finish()
    }

    #[test]
    fn the_dump_request_is_a_getfamily_dump() {
        let r = getfamily_dump_request(1);
        let m: Vec<_> = Messages::native(&r).collect();
        assert_eq!(m.len(), 1);
        assert_eq!((m[0].len, m[0].ty, m[0].seq), (20, GENL_ID_CTRL, 1));
        assert_eq!(m[0].flags, NLM_F_REQUEST | NLM_F_DUMP);
        assert_eq!(m[0].payload, &[ctrl::CMD_GETFAMILY, 2, 0, 0]);
    }

    #[test]
    fn nlctrl_family_messages_parse_and_truncation_is_harmless() {
        let m = family_msg(
            ctrl::CMD_NEWFAMILY,
            20,
            "ethtool",
            &[(5, "monitor"), (6, "other")],
        );
        // The nests carry NLA_F_NESTED, as the kernel's do.
        assert_eq!(
            Endian::native().u16(&m, 16 + 4 + 8 + 12 + 44 + 2),
            Some(ctrl::ATTR_MCAST_GROUPS | NLA_F_NESTED)
        );
        let msgs: Vec<_> = Messages::native(&m).collect();
        assert_eq!(msgs.len(), 1);
        assert_eq!(msgs[0].ty, GENL_ID_CTRL);
        let f = parse_family(msgs[0].payload);
        assert_eq!(
            f,
            GenlFamily {
                id: 20,
                name: "ethtool".into(),
                groups: vec![(5, "monitor".into()), (6, "other".into())],
                ops: vec![(1, 0x0e), (2, 0x02)],
            }
        );
        for cut in 0..m.len() {
            for msg in Messages::native(&m[..cut]) {
                let _ = parse_family(msg.payload);
            }
            let _ = parse_family(&m[..cut]);
        }
    }

    #[test]
    fn nlctrl_notifications_teach_names_and_groups_to_join() {
        let mut g = GenlNames::default();
        // A family appearing later: NEWFAMILY with its groups, then NEWMCAST_GRP.
        let mut d = family_msg(ctrl::CMD_NEWFAMILY, 33, "wireguard", &[(12, "peers")]);
        d.extend(family_msg(
            ctrl::CMD_NEWMCAST_GRP,
            33,
            "wireguard",
            &[(13, "more")],
        ));
        assert_eq!(g.learn(&d), vec![12, 13]);
        assert_eq!(g.families.get(&33).map(String::as_str), Some("wireguard"));
        assert_eq!(
            g.groups.get(&13).map(String::as_str),
            Some("wireguard/more")
        );
        // Other commands (GETFAMILY replies are not notifications here, DELFAMILY) and other
        // families' messages teach nothing.
        let del = family_msg(2, 34, "gone", &[(14, "x")]);
        assert!(g.learn(&del).is_empty());
        let mut other = family_msg(ctrl::CMD_NEWFAMILY, 35, "x", &[(15, "y")]);
        other[4..6].copy_from_slice(&20u16.to_ne_bytes());
        assert!(g.learn(&other).is_empty());
        assert!(!g.families.contains_key(&34) && !g.families.contains_key(&35));
    }
}
