//! The families `--monitor` can listen to, their protocol numbers and the names of their
//! multicast groups (linux/rtnetlink.h, linux/netfilter/nfnetlink.h, linux/xfrm.h).

use crate::netlink::connector::CN_IDX_PROC;
use crate::netlink::{
    NETLINK_AUDIT, NETLINK_CONNECTOR, NETLINK_GENERIC, NETLINK_KOBJECT_UEVENT, NETLINK_NETFILTER,
    NETLINK_ROUTE, NETLINK_SELINUX, NETLINK_XFRM,
};

/// A netlink family the monitor can listen to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MonitorFamily {
    /// NETLINK_ROUTE, every RTNLGRP_* group.
    Route,
    /// NETLINK_GENERIC, every multicast group of every registered family (and later ones).
    Genl,
    /// NETLINK_NETFILTER, every NFNLGRP_* group (conntrack, expectations, nftables, ...).
    Netfilter,
    /// NETLINK_XFRM, every XFRMNLGRP_* group.
    Xfrm,
    /// NETLINK_KOBJECT_UEVENT group 1 (kernel uevents, text).
    Uevent,
    /// NETLINK_SELINUX group SELNLGRP_AVC.
    Selinux,
    /// NETLINK_AUDIT group AUDIT_NLGRP_READLOG (needs CAP_AUDIT_READ).
    Audit,
    /// NETLINK_CONNECTOR, CN_IDX_PROC process events.
    Proc,
}

impl MonitorFamily {
    /// Every family, in the order `all` expands to.
    pub const ALL: [MonitorFamily; 8] = [
        MonitorFamily::Route,
        MonitorFamily::Genl,
        MonitorFamily::Netfilter,
        MonitorFamily::Xfrm,
        MonitorFamily::Uevent,
        MonitorFamily::Selinux,
        MonitorFamily::Audit,
        MonitorFamily::Proc,
    ];

    /// Parse `"route,genl,netfilter,xfrm,uevent,selinux,audit,proc"` (any subset, any order,
    /// duplicates ignored) or `"all"`. The error names the bad word.
    pub fn parse_list(s: &str) -> Result<Vec<MonitorFamily>, String> {
        let mut out: Vec<MonitorFamily> = Vec::new();
        let push = |f: MonitorFamily, out: &mut Vec<MonitorFamily>| {
            if !out.contains(&f) {
                out.push(f);
            }
        };
        for word in s.split(',').map(str::trim) {
            if word.is_empty() {
                continue;
            }
            if word.eq_ignore_ascii_case("all") {
                for f in Self::ALL {
                    push(f, &mut out);
                }
                continue;
            }
            match Self::ALL
                .iter()
                .find(|f| f.name().eq_ignore_ascii_case(word))
            {
                Some(f) => push(*f, &mut out),
                None => {
                    return Err(format!(
                        "unknown monitor family '{word}' (expected a comma-separated list of \
                         route, genl, netfilter, xfrm, uevent, selinux, audit, proc, or all)"
                    ));
                }
            }
        }
        if out.is_empty() {
            return Err("empty monitor family list (expected e.g. route,genl or all)".into());
        }
        Ok(out)
    }

    /// Short name (`route`, `genl`, ...), also the suffix of the interface name `monitor:NAME`.
    pub fn name(self) -> &'static str {
        match self {
            MonitorFamily::Route => "route",
            MonitorFamily::Genl => "genl",
            MonitorFamily::Netfilter => "netfilter",
            MonitorFamily::Xfrm => "xfrm",
            MonitorFamily::Uevent => "uevent",
            MonitorFamily::Selinux => "selinux",
            MonitorFamily::Audit => "audit",
            MonitorFamily::Proc => "proc",
        }
    }

    /// The netlink protocol number.
    pub fn protocol(self) -> u32 {
        match self {
            MonitorFamily::Route => NETLINK_ROUTE,
            MonitorFamily::Genl => NETLINK_GENERIC,
            MonitorFamily::Netfilter => NETLINK_NETFILTER,
            MonitorFamily::Xfrm => NETLINK_XFRM,
            MonitorFamily::Uevent => NETLINK_KOBJECT_UEVENT,
            MonitorFamily::Selinux => NETLINK_SELINUX,
            MonitorFamily::Audit => NETLINK_AUDIT,
            MonitorFamily::Proc => NETLINK_CONNECTOR,
        }
    }

    /// Whether peer-namespace listening (`NETLINK_LISTEN_ALL_NSID`) applies: protocols whose
    /// kernel sockets exist per namespace.
    pub(super) fn netns_aware(self) -> bool {
        matches!(
            self,
            MonitorFamily::Route
                | MonitorFamily::Genl
                | MonitorFamily::Netfilter
                | MonitorFamily::Xfrm
        )
    }

    /// Names of the protocol's fixed multicast groups, index = group number (entry 0 is the
    /// `*_NONE` placeholder); empty for families with one group or dynamic ones (genl).
    pub(super) fn group_table(self) -> &'static [&'static str] {
        match self {
            MonitorFamily::Route => RTNLGRP,
            MonitorFamily::Netfilter => NFNLGRP,
            MonitorFamily::Xfrm => XFRMNLGRP,
            _ => &[],
        }
    }

    /// The uapi name of multicast group `group`, for families whose groups are fixed (generic
    /// netlink's are learned at run time: `None` here).
    pub(super) fn group_name(self, group: u32) -> Option<&'static str> {
        match self {
            MonitorFamily::Route | MonitorFamily::Netfilter | MonitorFamily::Xfrm => self
                .group_table()
                .get(usize::try_from(group).ok()?)
                .copied(),
            MonitorFamily::Genl => None,
            MonitorFamily::Uevent => (group == 1).then_some("kernel"),
            MonitorFamily::Selinux => (group == 1).then_some("SELNLGRP_AVC"),
            MonitorFamily::Audit => (group == 1).then_some("AUDIT_NLGRP_READLOG"),
            MonitorFamily::Proc => (group == CN_IDX_PROC).then_some("CN_IDX_PROC"),
        }
    }
}

/// RTNLGRP_* names, index = group number (linux/rtnetlink.h); RTNLGRP_MAX = 36.
const RTNLGRP: &[&str] = &[
    "RTNLGRP_NONE",
    "RTNLGRP_LINK",
    "RTNLGRP_NOTIFY",
    "RTNLGRP_NEIGH",
    "RTNLGRP_TC",
    "RTNLGRP_IPV4_IFADDR",
    "RTNLGRP_IPV4_MROUTE",
    "RTNLGRP_IPV4_ROUTE",
    "RTNLGRP_IPV4_RULE",
    "RTNLGRP_IPV6_IFADDR",
    "RTNLGRP_IPV6_MROUTE",
    "RTNLGRP_IPV6_ROUTE",
    "RTNLGRP_IPV6_IFINFO",
    "RTNLGRP_DECnet_IFADDR",
    "RTNLGRP_NOP2",
    "RTNLGRP_DECnet_ROUTE",
    "RTNLGRP_DECnet_RULE",
    "RTNLGRP_NOP4",
    "RTNLGRP_IPV6_PREFIX",
    "RTNLGRP_IPV6_RULE",
    "RTNLGRP_ND_USEROPT",
    "RTNLGRP_PHONET_IFADDR",
    "RTNLGRP_PHONET_ROUTE",
    "RTNLGRP_DCB",
    "RTNLGRP_IPV4_NETCONF",
    "RTNLGRP_IPV6_NETCONF",
    "RTNLGRP_MDB",
    "RTNLGRP_MPLS_ROUTE",
    "RTNLGRP_NSID",
    "RTNLGRP_MPLS_NETCONF",
    "RTNLGRP_IPV4_MROUTE_R",
    "RTNLGRP_IPV6_MROUTE_R",
    "RTNLGRP_NEXTHOP",
    "RTNLGRP_BRVLAN",
    "RTNLGRP_MCTP_IFADDR",
    "RTNLGRP_TUNNEL",
    "RTNLGRP_STATS",
];

/// NFNLGRP_* names (linux/netfilter/nfnetlink.h); NFNLGRP_MAX = 9.
const NFNLGRP: &[&str] = &[
    "NFNLGRP_NONE",
    "NFNLGRP_CONNTRACK_NEW",
    "NFNLGRP_CONNTRACK_UPDATE",
    "NFNLGRP_CONNTRACK_DESTROY",
    "NFNLGRP_CONNTRACK_EXP_NEW",
    "NFNLGRP_CONNTRACK_EXP_UPDATE",
    "NFNLGRP_CONNTRACK_EXP_DESTROY",
    "NFNLGRP_NFTABLES",
    "NFNLGRP_ACCT_QUOTA",
    "NFNLGRP_NFTRACE",
];

/// XFRMNLGRP_* names (linux/xfrm.h); XFRMNLGRP_MAX = 8.
const XFRMNLGRP: &[&str] = &[
    "XFRMNLGRP_NONE",
    "XFRMNLGRP_ACQUIRE",
    "XFRMNLGRP_EXPIRE",
    "XFRMNLGRP_SA",
    "XFRMNLGRP_POLICY",
    "XFRMNLGRP_AEVENTS",
    "XFRMNLGRP_REPORT",
    "XFRMNLGRP_MIGRATE",
    "XFRMNLGRP_MAPPING",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_list_words_all_and_errors() {
        use MonitorFamily::*;
        assert_eq!(MonitorFamily::parse_list("route").unwrap(), vec![Route]);
        assert_eq!(
            MonitorFamily::parse_list(" genl , route,genl").unwrap(),
            vec![Genl, Route]
        );
        assert_eq!(
            MonitorFamily::parse_list("all").unwrap(),
            MonitorFamily::ALL.to_vec()
        );
        assert_eq!(
            MonitorFamily::parse_list("proc,all").unwrap()[0],
            Proc,
            "order kept, all adds the rest"
        );
        assert_eq!(MonitorFamily::parse_list("proc,all").unwrap().len(), 8);
        let e = MonitorFamily::parse_list("route,rout").unwrap_err();
        assert!(e.contains("'rout'"), "{e}");
        assert!(MonitorFamily::parse_list("").is_err());
        assert!(MonitorFamily::parse_list(",").is_err());
        for f in MonitorFamily::ALL {
            assert_eq!(MonitorFamily::parse_list(f.name()).unwrap(), vec![f]);
        }
    }

    #[test]
    fn group_tables_match_uapi_maxima() {
        assert_eq!(RTNLGRP.len() - 1, 36); // RTNLGRP_STATS
        assert_eq!(NFNLGRP.len() - 1, 9); // NFNLGRP_NFTRACE
        assert_eq!(XFRMNLGRP.len() - 1, 8); // XFRMNLGRP_MAPPING
        assert_eq!(RTNLGRP[7], "RTNLGRP_IPV4_ROUTE");
    }

    #[test]
    fn group_names() {
        use MonitorFamily::*;
        assert_eq!(Route.group_name(7), Some("RTNLGRP_IPV4_ROUTE"));
        assert_eq!(Route.group_name(37), None);
        assert_eq!(Route.group_name(u32::MAX), None);
        assert_eq!(Netfilter.group_name(7), Some("NFNLGRP_NFTABLES"));
        assert_eq!(Xfrm.group_name(8), Some("XFRMNLGRP_MAPPING"));
        assert_eq!(Genl.group_name(7), None);
        assert_eq!(Proc.group_name(1), Some("CN_IDX_PROC"));
        assert_eq!(Audit.group_name(2), None);
        assert!(Uevent.group_table().is_empty());
    }
}
