//! The netlink toolkit every layer shares: core facts from the uapi headers (linux/netlink.h,
//! linux/genetlink.h, asm-generic/errno*.h) defined once — protocol numbers, message types,
//! header flags by context, errno names — plus endian-aware message and attribute iterators
//! ([`Messages`], [`Attrs`]), a small message builder ([`MsgBuilder`]) and acknowledgements
//! ([`Ack`]).

mod ack;
mod build;
mod errno;
mod iter;
pub mod policy;

pub use ack::Ack;
pub use build::{MsgBuilder, Nest, nla, nlmsg};
pub use errno::{describe_errno, errno_name, errno_text};
pub use iter::{Attr, Attrs, Messages, Msg, cstr};

/// Size of `struct nlmsghdr`.
pub const NLMSG_HDRLEN: usize = 16;
/// Size of `struct nlattr`.
pub const NLA_HDRLEN: usize = 4;
/// `NLA_F_NESTED`.
pub const NLA_F_NESTED: u16 = 0x8000;
/// `NLA_F_NET_BYTEORDER`.
pub const NLA_F_NET_BYTEORDER: u16 = 0x4000;
/// Mask of the attribute type bits.
pub const NLA_TYPE_MASK: u16 = 0x3fff;

/// `NLMSG_NOOP`.
pub const NLMSG_NOOP: u16 = 1;
/// `NLMSG_ERROR`.
pub const NLMSG_ERROR: u16 = 2;
/// `NLMSG_DONE`.
pub const NLMSG_DONE: u16 = 3;
/// `NLMSG_OVERRUN`.
pub const NLMSG_OVERRUN: u16 = 4;
/// `NLMSG_MIN_TYPE`: message types below are reserved for control messages.
pub const NLMSG_MIN_TYPE: u16 = 0x10;

/// Route types `RTN_UNSPEC`..`RTN_XRESOLVE` (linux/rtnetlink.h) by value, as iproute2 and nft
/// spell them.
pub const RTN_NAMES: [&str; 12] = [
    "unspec",
    "unicast",
    "local",
    "broadcast",
    "anycast",
    "multicast",
    "blackhole",
    "unreachable",
    "prohibit",
    "throw",
    "nat",
    "xresolve",
];

/// `NLM_F_REQUEST`.
pub const NLM_F_REQUEST: u16 = 0x01;
/// `NLM_F_MULTI`.
pub const NLM_F_MULTI: u16 = 0x02;
/// `NLM_F_ACK`.
pub const NLM_F_ACK: u16 = 0x04;
/// `NLM_F_ECHO`.
pub const NLM_F_ECHO: u16 = 0x08;
/// `NLM_F_DUMP_INTR`.
pub const NLM_F_DUMP_INTR: u16 = 0x10;
/// `NLM_F_DUMP` (`NLM_F_ROOT | NLM_F_MATCH`) of GET requests.
pub const NLM_F_DUMP: u16 = 0x300;
/// `NLM_F_EXCL` of NEW requests.
pub const NLM_F_EXCL: u16 = 0x200;
/// `NLM_F_CREATE` of NEW requests.
pub const NLM_F_CREATE: u16 = 0x400;
/// `NLM_F_CAPPED` of acks: the request's payload is not echoed.
pub const NLM_F_CAPPED: u16 = 0x100;
/// `NLM_F_ACK_TLVS` of acks: extended ACK attributes follow.
pub const NLM_F_ACK_TLVS: u16 = 0x200;
/// `NLMSGERR_ATTR_MSG`: the extended ACK's message text.
pub const NLMSGERR_ATTR_MSG: u16 = 1;

/// `NETLINK_ROUTE`.
pub const NETLINK_ROUTE: u32 = 0;
/// `NETLINK_XFRM`.
pub const NETLINK_XFRM: u32 = 6;
/// `NETLINK_SELINUX`.
pub const NETLINK_SELINUX: u32 = 7;
/// `NETLINK_AUDIT`.
pub const NETLINK_AUDIT: u32 = 9;
/// `NETLINK_FIB_LOOKUP`.
pub const NETLINK_FIB_LOOKUP: u32 = 10;
/// `NETLINK_CONNECTOR`.
pub const NETLINK_CONNECTOR: u32 = 11;
/// `NETLINK_NETFILTER`.
pub const NETLINK_NETFILTER: u32 = 12;
/// `NETLINK_KOBJECT_UEVENT`.
pub const NETLINK_KOBJECT_UEVENT: u32 = 15;
/// `NETLINK_GENERIC`.
pub const NETLINK_GENERIC: u32 = 16;

/// `GENL_ID_CTRL`: the fixed family id of nlctrl.
pub const GENL_ID_CTRL: u16 = 0x10;
/// Size of `struct genlmsghdr`.
pub const GENL_HDRLEN: usize = 4;
/// nlctrl commands and attributes (linux/genetlink.h): family ids for capture, policies for
/// `nlscope specs policy`.
pub mod ctrl {
    /// `CTRL_CMD_NEWFAMILY`.
    pub const CMD_NEWFAMILY: u8 = 1;
    /// `CTRL_CMD_GETFAMILY`.
    pub const CMD_GETFAMILY: u8 = 3;
    /// `CTRL_CMD_NEWMCAST_GRP`.
    pub const CMD_NEWMCAST_GRP: u8 = 7;
    /// `CTRL_CMD_GETPOLICY` (Linux 5.7+).
    pub const CMD_GETPOLICY: u8 = 10;
    /// `CTRL_ATTR_FAMILY_ID`.
    pub const ATTR_FAMILY_ID: u16 = 1;
    /// `CTRL_ATTR_FAMILY_NAME`.
    pub const ATTR_FAMILY_NAME: u16 = 2;
    /// `CTRL_ATTR_OPS`: index -> `CTRL_ATTR_OP_ID`, `CTRL_ATTR_OP_FLAGS`.
    pub const ATTR_OPS: u16 = 6;
    /// `CTRL_ATTR_OP_ID`.
    pub const ATTR_OP_ID: u16 = 1;
    /// `CTRL_ATTR_OP_FLAGS` (`GENL_CMD_CAP_*`, `GENL_ADMIN_PERM`, ...).
    pub const ATTR_OP_FLAGS: u16 = 2;
    /// `CTRL_ATTR_MCAST_GROUPS`.
    pub const ATTR_MCAST_GROUPS: u16 = 7;
    /// `CTRL_ATTR_POLICY`: policy index -> attribute type -> `NL_POLICY_TYPE_ATTR_*`.
    pub const ATTR_POLICY: u16 = 8;
    /// `CTRL_ATTR_OP_POLICY`: op -> `CTRL_ATTR_POLICY_DO` / `CTRL_ATTR_POLICY_DUMP`.
    pub const ATTR_OP_POLICY: u16 = 9;
    /// `CTRL_ATTR_OP`: the operation a GETPOLICY request asks about (Linux 5.10+).
    pub const ATTR_OP: u16 = 10;
    /// `CTRL_ATTR_POLICY_DO`.
    pub const ATTR_POLICY_DO: u16 = 1;
    /// `CTRL_ATTR_POLICY_DUMP`.
    pub const ATTR_POLICY_DUMP: u16 = 2;
    /// `CTRL_ATTR_MCAST_GRP_NAME`.
    pub const ATTR_MCAST_GRP_NAME: u16 = 1;
    /// `CTRL_ATTR_MCAST_GRP_ID`.
    pub const ATTR_MCAST_GRP_ID: u16 = 2;
}

/// The process connector (linux/connector.h, linux/cn_proc.h).
pub mod connector {
    /// `CN_IDX_PROC`: the connector index (and multicast group) of process events.
    pub const CN_IDX_PROC: u32 = 1;
    /// `CN_VAL_PROC`.
    pub const CN_VAL_PROC: u32 = 1;
    /// `PROC_CN_MCAST_LISTEN`: start receiving process events.
    pub const PROC_CN_MCAST_LISTEN: u32 = 1;
    /// `PROC_CN_MCAST_IGNORE`: stop receiving them.
    pub const PROC_CN_MCAST_IGNORE: u32 = 2;
}

/// `NLMSG_ALIGN`.
pub fn align4(n: usize) -> usize {
    n.saturating_add(3) & !3
}

/// Byte `at` of `b`, or 0 past its end: for fixed headers whose length the caller has checked.
pub fn byte(b: &[u8], at: usize) -> u8 {
    b.get(at).copied().unwrap_or(0)
}

/// `N` bytes of `b` from `at` as an array, if they are there.
pub fn array<const N: usize>(b: &[u8], at: usize) -> Option<[u8; N]> {
    b.get(at..at.checked_add(N)?)?.try_into().ok()
}

/// `len` bytes of `b` from `at`, or an empty slice where they are not all there. For ranges
/// an attribute walk has already checked against `b`: a mistake yields no bytes, not a panic.
pub fn span(b: &[u8], at: usize, len: usize) -> &[u8] {
    at.checked_add(len)
        .and_then(|end| b.get(at..end))
        .unwrap_or_default()
}

/// A netlink protocol number's uapi name and short name (the `family` of the JSON contract).
pub struct ProtocolInfo {
    /// Number (`sll_protocol` of the cooked header).
    pub number: u32,
    /// uapi constant.
    pub cname: &'static str,
    /// Short name used in output and filters.
    pub short: &'static str,
    /// Number no longer used by current kernels.
    pub obsolete: bool,
}

const fn p(number: u32, cname: &'static str, short: &'static str, obsolete: bool) -> ProtocolInfo {
    ProtocolInfo {
        number,
        cname,
        short,
        obsolete,
    }
}

/// Every netlink protocol number the uapi names.
pub static PROTOCOLS: &[ProtocolInfo] = &[
    p(0, "NETLINK_ROUTE", "route", false),
    p(1, "NETLINK_UNUSED", "unused", true),
    p(2, "NETLINK_USERSOCK", "usersock", false),
    p(3, "NETLINK_FIREWALL", "firewall", true),
    p(4, "NETLINK_SOCK_DIAG", "sock_diag", false),
    p(5, "NETLINK_NFLOG", "nflog", true),
    p(6, "NETLINK_XFRM", "xfrm", false),
    p(7, "NETLINK_SELINUX", "selinux", false),
    p(8, "NETLINK_ISCSI", "iscsi", false),
    p(9, "NETLINK_AUDIT", "audit", false),
    p(10, "NETLINK_FIB_LOOKUP", "fib_lookup", false),
    p(11, "NETLINK_CONNECTOR", "connector", false),
    p(12, "NETLINK_NETFILTER", "netfilter", false),
    p(13, "NETLINK_IP6_FW", "ip6_fw", true),
    p(14, "NETLINK_DNRTMSG", "dnrtmsg", true),
    p(15, "NETLINK_KOBJECT_UEVENT", "kobject_uevent", false),
    p(16, "NETLINK_GENERIC", "generic", false),
    p(18, "NETLINK_SCSITRANSPORT", "scsitransport", false),
    p(19, "NETLINK_ECRYPTFS", "ecryptfs", false),
    p(20, "NETLINK_RDMA", "rdma", false),
    p(21, "NETLINK_CRYPTO", "crypto", false),
    p(22, "NETLINK_SMC", "smc", false),
];

/// Facts about protocol `n`, if the uapi names it.
pub fn protocol(n: u32) -> Option<&'static ProtocolInfo> {
    PROTOCOLS.iter().find(|p| p.number == n)
}

/// Protocol number for a short name or uapi name (`route`, `NETLINK_ROUTE`, `genl`).
pub fn protocol_by_name(name: &str) -> Option<u32> {
    let n = name.to_ascii_lowercase();
    let n = n.strip_prefix("netlink_").unwrap_or(&n);
    match n {
        "genl" | "genetlink" => return Some(NETLINK_GENERIC),
        "rtnetlink" | "rtnl" => return Some(NETLINK_ROUTE),
        "inet_diag" => return Some(4),
        "uevent" => return Some(NETLINK_KOBJECT_UEVENT),
        "nf" | "nfnetlink" => return Some(NETLINK_NETFILTER),
        _ => {}
    }
    PROTOCOLS.iter().find(|p| p.short == n).map(|p| p.number)
}

/// Header flags valid for every message.
pub static BASE_FLAGS: &[(u16, &str)] = &[
    (0x01, "NLM_F_REQUEST"),
    (0x02, "NLM_F_MULTI"),
    (0x04, "NLM_F_ACK"),
    (0x08, "NLM_F_ECHO"),
    (0x10, "NLM_F_DUMP_INTR"),
    (0x20, "NLM_F_DUMP_FILTERED"),
];
/// Modifiers of GET requests.
pub static GET_FLAGS: &[(u16, &str)] = &[
    (0x100, "NLM_F_ROOT"),
    (0x200, "NLM_F_MATCH"),
    (0x400, "NLM_F_ATOMIC"),
];
/// Modifiers of NEW requests.
pub static NEW_FLAGS: &[(u16, &str)] = &[
    (0x100, "NLM_F_REPLACE"),
    (0x200, "NLM_F_EXCL"),
    (0x400, "NLM_F_CREATE"),
    (0x800, "NLM_F_APPEND"),
];
/// Modifiers of DELETE requests.
pub static DEL_FLAGS: &[(u16, &str)] = &[(0x100, "NLM_F_NONREC"), (0x200, "NLM_F_BULK")];
/// Flags of NLMSG_ERROR acknowledgements.
pub static ACK_FLAGS: &[(u16, &str)] = &[(0x100, "NLM_F_CAPPED"), (0x200, "NLM_F_ACK_TLVS")];

/// Which reading of the upper header flag bits applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagContext {
    /// GET / dump requests.
    Get,
    /// NEW requests and notifications.
    New,
    /// DELETE requests.
    Del,
    /// NLMSG_ERROR / NLMSG_DONE.
    Ack,
    /// Not known: upper bits shown as a number.
    Unknown,
}

impl FlagContext {
    /// The context an operation name implies (`getlink` -> Get).
    pub fn from_op_name(name: &str) -> FlagContext {
        let n = name.to_ascii_lowercase();
        let starts = |p: &[&str]| p.iter().any(|x| n.starts_with(x));
        if starts(&["get", "dump", "list", "show"]) {
            FlagContext::Get
        } else if starts(&["new", "add", "set", "create", "update", "replace"]) {
            FlagContext::New
        } else if starts(&["del", "destroy", "remove", "flush"]) {
            FlagContext::Del
        } else {
            FlagContext::Unknown
        }
    }

    fn table(self) -> &'static [(u16, &'static str)] {
        match self {
            FlagContext::Get => GET_FLAGS,
            FlagContext::New => NEW_FLAGS,
            FlagContext::Del => DEL_FLAGS,
            FlagContext::Ack => ACK_FLAGS,
            FlagContext::Unknown => &[],
        }
    }
}

/// Names of the flags set in `flags` read in `ctx` (NLM_F_ROOT|NLM_F_MATCH together are shown as
/// NLM_F_DUMP), and the bits left without a name.
pub fn flag_names(flags: u16, ctx: FlagContext) -> (Vec<&'static str>, u16) {
    let mut names = Vec::new();
    let rest = each_flag(flags, ctx, |n| names.push(n));
    (names, rest)
}

/// [`flag_names`] one at a time, in the same order, into `f` (a summary line writes them
/// without collecting them); returns the bits left without a name.
pub fn each_flag(flags: u16, ctx: FlagContext, mut f: impl FnMut(&'static str)) -> u16 {
    let dump = ctx == FlagContext::Get && flags & 0x300 == 0x300;
    let mut rest = flags;
    // Only the set bits, lowest first: the tables list their bits in that order. A summary
    // line asks this of every message, and most set one to three bits.
    let mut bits = flags;
    while bits != 0 {
        let bit = bits & bits.wrapping_neg();
        bits &= bits - 1;
        if dump && bit & 0x300 != 0 {
            if bit == 0x100 {
                f("NLM_F_DUMP");
                rest &= !0x300;
            }
            continue;
        }
        let table = if bit < 0x100 { BASE_FLAGS } else { ctx.table() };
        if let Some((_, name)) = table.iter().find(|(b, _)| *b == bit) {
            f(name);
            rest &= !bit;
        }
    }
    rest
}

/// rtnetlink message type names (linux/rtnetlink.h), used when no spec names a type.
pub static RTM_NAMES: &[(u16, &str)] = &[
    (16, "RTM_NEWLINK"),
    (17, "RTM_DELLINK"),
    (18, "RTM_GETLINK"),
    (19, "RTM_SETLINK"),
    (20, "RTM_NEWADDR"),
    (21, "RTM_DELADDR"),
    (22, "RTM_GETADDR"),
    (24, "RTM_NEWROUTE"),
    (25, "RTM_DELROUTE"),
    (26, "RTM_GETROUTE"),
    (28, "RTM_NEWNEIGH"),
    (29, "RTM_DELNEIGH"),
    (30, "RTM_GETNEIGH"),
    (32, "RTM_NEWRULE"),
    (33, "RTM_DELRULE"),
    (34, "RTM_GETRULE"),
    (36, "RTM_NEWQDISC"),
    (37, "RTM_DELQDISC"),
    (38, "RTM_GETQDISC"),
    (40, "RTM_NEWTCLASS"),
    (41, "RTM_DELTCLASS"),
    (42, "RTM_GETTCLASS"),
    (44, "RTM_NEWTFILTER"),
    (45, "RTM_DELTFILTER"),
    (46, "RTM_GETTFILTER"),
    (48, "RTM_NEWACTION"),
    (49, "RTM_DELACTION"),
    (50, "RTM_GETACTION"),
    (52, "RTM_NEWPREFIX"),
    (58, "RTM_GETMULTICAST"),
    (62, "RTM_GETANYCAST"),
    (64, "RTM_NEWNEIGHTBL"),
    (66, "RTM_GETNEIGHTBL"),
    (67, "RTM_SETNEIGHTBL"),
    (68, "RTM_NEWNDUSEROPT"),
    (72, "RTM_NEWADDRLABEL"),
    (73, "RTM_DELADDRLABEL"),
    (74, "RTM_GETADDRLABEL"),
    (78, "RTM_GETDCB"),
    (79, "RTM_SETDCB"),
    (80, "RTM_NEWNETCONF"),
    (81, "RTM_DELNETCONF"),
    (82, "RTM_GETNETCONF"),
    (84, "RTM_NEWMDB"),
    (85, "RTM_DELMDB"),
    (86, "RTM_GETMDB"),
    (88, "RTM_NEWNSID"),
    (89, "RTM_DELNSID"),
    (90, "RTM_GETNSID"),
    (92, "RTM_NEWSTATS"),
    (94, "RTM_GETSTATS"),
    (95, "RTM_SETSTATS"),
    (96, "RTM_NEWCACHEREPORT"),
    (100, "RTM_NEWCHAIN"),
    (101, "RTM_DELCHAIN"),
    (102, "RTM_GETCHAIN"),
    (104, "RTM_NEWNEXTHOP"),
    (105, "RTM_DELNEXTHOP"),
    (106, "RTM_GETNEXTHOP"),
    (108, "RTM_NEWLINKPROP"),
    (109, "RTM_DELLINKPROP"),
    (110, "RTM_GETLINKPROP"),
    (112, "RTM_NEWVLAN"),
    (113, "RTM_DELVLAN"),
    (114, "RTM_GETVLAN"),
    (116, "RTM_NEWNEXTHOPBUCKET"),
    (117, "RTM_DELNEXTHOPBUCKET"),
    (118, "RTM_GETNEXTHOPBUCKET"),
    (120, "RTM_NEWTUNNEL"),
    (121, "RTM_DELTUNNEL"),
    (122, "RTM_GETTUNNEL"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_byte_helpers() {
        let b = [1u8, 2, 3, 4, 5];
        assert_eq!(byte(&b, 4), 5);
        assert_eq!(byte(&b, 5), 0);
        assert_eq!(array::<4>(&b, 1), Some([2, 3, 4, 5]));
        assert_eq!(array::<4>(&b, 2), None);
        assert_eq!(array::<2>(&b, usize::MAX), None);
        assert_eq!(span(&b, 3, 2), &[4, 5]);
        assert!(span(&b, 3, 3).is_empty());
        assert!(span(&b, usize::MAX, 2).is_empty());
    }

    /// Every flag word in every context names, in table order (base flags, then the
    /// context's), what the tables say; ROOT|MATCH of a GET reads DUMP.
    #[test]
    fn flag_names_follow_the_tables() {
        let contexts = [
            FlagContext::Get,
            FlagContext::New,
            FlagContext::Del,
            FlagContext::Ack,
            FlagContext::Unknown,
        ];
        for ctx in contexts {
            for flags in 0..=u16::MAX {
                let dump = ctx == FlagContext::Get && flags & 0x300 == 0x300;
                let (mut want, mut rest) = (Vec::new(), flags);
                for (bit, name) in BASE_FLAGS.iter().chain(ctx.table()) {
                    if dump && *bit & 0x300 != 0 {
                        if *bit == 0x100 {
                            want.push("NLM_F_DUMP");
                            rest &= !0x300;
                        }
                    } else if flags & bit != 0 {
                        want.push(*name);
                        rest &= !bit;
                    }
                }
                assert_eq!(flag_names(flags, ctx), (want, rest), "{flags:#x} {ctx:?}");
            }
        }
        assert_eq!(
            flag_names(0x305, FlagContext::Get),
            (vec!["NLM_F_REQUEST", "NLM_F_ACK", "NLM_F_DUMP"], 0)
        );
        assert_eq!(
            flag_names(0x1601, FlagContext::New),
            (vec!["NLM_F_REQUEST", "NLM_F_EXCL", "NLM_F_CREATE"], 0x1000)
        );
    }
}
