//! Netlink core facts from the uapi headers (linux/netlink.h, asm-generic/errno*.h): protocol
//! numbers, message types, header flags by context, errno names.

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

/// `NETLINK_ROUTE`.
pub const NETLINK_ROUTE: u32 = 0;
/// `NETLINK_NETFILTER`.
pub const NETLINK_NETFILTER: u32 = 12;
/// `NETLINK_KOBJECT_UEVENT`.
pub const NETLINK_KOBJECT_UEVENT: u32 = 15;
/// `NETLINK_GENERIC`.
pub const NETLINK_GENERIC: u32 = 16;
/// `GENL_ID_CTRL`: the fixed family id of nlctrl.
pub const GENL_ID_CTRL: u16 = 0x10;

/// `NLMSG_ALIGN`.
pub fn align4(n: usize) -> usize {
    n.saturating_add(3) & !3
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
    let mut rest = flags;
    for (bit, name) in BASE_FLAGS.iter().chain(ctx.table()) {
        if ctx == FlagContext::Get && *bit == 0x100 && flags & 0x300 == 0x300 {
            names.push("NLM_F_DUMP");
            rest &= !0x300;
            continue;
        }
        if ctx == FlagContext::Get && *bit == 0x200 && flags & 0x300 == 0x300 {
            continue;
        }
        if flags & bit != 0 {
            names.push(*name);
            rest &= !bit;
        }
    }
    (names, rest)
}

/// The uapi name of a positive errno value.
pub fn errno_name(e: i64) -> Option<&'static str> {
    ERRNO.iter().find(|(n, _)| *n == e).map(|(_, s)| *s)
}

/// errno values of asm-generic/errno*.h, plus the kernel-internal ones (include/linux/errno.h)
/// that leak to userspace in netlink acks (e.g. -524 ENOTSUPP).
static ERRNO: &[(i64, &str)] = &[
    (1, "EPERM"),
    (2, "ENOENT"),
    (3, "ESRCH"),
    (4, "EINTR"),
    (5, "EIO"),
    (6, "ENXIO"),
    (7, "E2BIG"),
    (8, "ENOEXEC"),
    (9, "EBADF"),
    (10, "ECHILD"),
    (11, "EAGAIN"),
    (12, "ENOMEM"),
    (13, "EACCES"),
    (14, "EFAULT"),
    (15, "ENOTBLK"),
    (16, "EBUSY"),
    (17, "EEXIST"),
    (18, "EXDEV"),
    (19, "ENODEV"),
    (20, "ENOTDIR"),
    (21, "EISDIR"),
    (22, "EINVAL"),
    (23, "ENFILE"),
    (24, "EMFILE"),
    (25, "ENOTTY"),
    (26, "ETXTBSY"),
    (27, "EFBIG"),
    (28, "ENOSPC"),
    (29, "ESPIPE"),
    (30, "EROFS"),
    (31, "EMLINK"),
    (32, "EPIPE"),
    (33, "EDOM"),
    (34, "ERANGE"),
    (35, "EDEADLK"),
    (36, "ENAMETOOLONG"),
    (37, "ENOLCK"),
    (38, "ENOSYS"),
    (39, "ENOTEMPTY"),
    (40, "ELOOP"),
    (42, "ENOMSG"),
    (43, "EIDRM"),
    (44, "ECHRNG"),
    (45, "EL2NSYNC"),
    (46, "EL3HLT"),
    (47, "EL3RST"),
    (48, "ELNRNG"),
    (49, "EUNATCH"),
    (50, "ENOCSI"),
    (51, "EL2HLT"),
    (52, "EBADE"),
    (53, "EBADR"),
    (54, "EXFULL"),
    (55, "ENOANO"),
    (56, "EBADRQC"),
    (57, "EBADSLT"),
    (59, "EBFONT"),
    (60, "ENOSTR"),
    (61, "ENODATA"),
    (62, "ETIME"),
    (63, "ENOSR"),
    (64, "ENONET"),
    (65, "ENOPKG"),
    (66, "EREMOTE"),
    (67, "ENOLINK"),
    (68, "EADV"),
    (69, "ESRMNT"),
    (70, "ECOMM"),
    (71, "EPROTO"),
    (72, "EMULTIHOP"),
    (73, "EDOTDOT"),
    (74, "EBADMSG"),
    (75, "EOVERFLOW"),
    (76, "ENOTUNIQ"),
    (77, "EBADFD"),
    (78, "EREMCHG"),
    (79, "ELIBACC"),
    (80, "ELIBBAD"),
    (81, "ELIBSCN"),
    (82, "ELIBMAX"),
    (83, "ELIBEXEC"),
    (84, "EILSEQ"),
    (85, "ERESTART"),
    (86, "ESTRPIPE"),
    (87, "EUSERS"),
    (88, "ENOTSOCK"),
    (89, "EDESTADDRREQ"),
    (90, "EMSGSIZE"),
    (91, "EPROTOTYPE"),
    (92, "ENOPROTOOPT"),
    (93, "EPROTONOSUPPORT"),
    (94, "ESOCKTNOSUPPORT"),
    (95, "EOPNOTSUPP"),
    (96, "EPFNOSUPPORT"),
    (97, "EAFNOSUPPORT"),
    (98, "EADDRINUSE"),
    (99, "EADDRNOTAVAIL"),
    (100, "ENETDOWN"),
    (101, "ENETUNREACH"),
    (102, "ENETRESET"),
    (103, "ECONNABORTED"),
    (104, "ECONNRESET"),
    (105, "ENOBUFS"),
    (106, "EISCONN"),
    (107, "ENOTCONN"),
    (108, "ESHUTDOWN"),
    (109, "ETOOMANYREFS"),
    (110, "ETIMEDOUT"),
    (111, "ECONNREFUSED"),
    (112, "EHOSTDOWN"),
    (113, "EHOSTUNREACH"),
    (114, "EALREADY"),
    (115, "EINPROGRESS"),
    (116, "ESTALE"),
    (117, "EUCLEAN"),
    (118, "ENOTNAM"),
    (119, "ENAVAIL"),
    (120, "EISNAM"),
    (121, "EREMOTEIO"),
    (122, "EDQUOT"),
    (123, "ENOMEDIUM"),
    (124, "EMEDIUMTYPE"),
    (125, "ECANCELED"),
    (126, "ENOKEY"),
    (127, "EKEYEXPIRED"),
    (128, "EKEYREVOKED"),
    (129, "EKEYREJECTED"),
    (130, "EOWNERDEAD"),
    (131, "ENOTRECOVERABLE"),
    (132, "ERFKILL"),
    (133, "EHWPOISON"),
    (512, "ERESTARTSYS"),
    (513, "ERESTARTNOINTR"),
    (514, "ERESTARTNOHAND"),
    (515, "ENOIOCTLCMD"),
    (516, "ERESTART_RESTARTBLOCK"),
    (517, "EPROBE_DEFER"),
    (518, "EOPENSTALE"),
    (519, "ENOPARAM"),
    (521, "EBADHANDLE"),
    (522, "ENOTSYNC"),
    (523, "EBADCOOKIE"),
    (524, "ENOTSUPP"),
    (525, "ETOOSMALL"),
    (526, "ESERVERFAULT"),
    (527, "EBADTYPE"),
    (528, "EJUKEBOX"),
    (529, "EIOCBQUEUED"),
    (530, "ERECALLCONFLICT"),
];

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
