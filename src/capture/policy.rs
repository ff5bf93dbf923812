//! A running kernel's generic netlink attribute policies, asked of nlctrl with
//! `CTRL_CMD_GETPOLICY` dumps (Linux 5.7+; per operation since 5.10). No privileges needed.

use std::io;

use super::genl::{GenlFamily, genl_dump, genl_get};
use super::nlsock::{NlSocket, dump_errno};
use crate::model::Endian;
use crate::netlink::NETLINK_GENERIC;
use crate::netlink::policy::{FamilyPolicy, FamilyRef, getpolicy_request};

/// Why a family's policies could not be read.
#[derive(Debug)]
pub enum PolicyError {
    /// `ENOENT`: no such family (or, with an op, no such operation).
    NotFound,
    /// `ENODATA`: the family (or operation) has no attribute policy.
    NoPolicy,
    /// `EOPNOTSUPP`: the kernel does not know `CTRL_CMD_GETPOLICY` (before 5.7).
    Unsupported(io::Error),
    /// Anything else: socket errors, timeouts, `EINVAL` (a name longer than 15 bytes, or
    /// `CTRL_ATTR_OP` before Linux 5.10).
    Io(io::Error),
}

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PolicyError::NotFound => f.write_str("not found (ENOENT)"),
            PolicyError::NoPolicy => f.write_str("no attribute policy (ENODATA)"),
            PolicyError::Unsupported(e) => write!(
                f,
                "the kernel refused the policy dump ({e}): CTRL_CMD_GETPOLICY needs Linux 5.7"
            ),
            PolicyError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for PolicyError {}

/// A generic netlink family of the running kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelFamily {
    /// Family id.
    pub id: u16,
    /// Name.
    pub name: String,
    /// Operations: (`CTRL_ATTR_OP_ID`, `CTRL_ATTR_OP_FLAGS`), in the kernel's order.
    pub ops: Vec<(u32, u32)>,
}

/// Every generic netlink family of the running kernel, sorted by name.
pub fn families() -> io::Result<Vec<KernelFamily>> {
    let mut v: Vec<KernelFamily> = genl_dump()?.into_iter().map(KernelFamily::from).collect();
    v.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(v)
}

/// The family called `name`, if the running kernel has one.
pub fn family(name: &str) -> io::Result<Option<KernelFamily>> {
    Ok(genl_get(name)?.map(KernelFamily::from))
}

impl From<GenlFamily> for KernelFamily {
    fn from(f: GenlFamily) -> Self {
        KernelFamily {
            id: f.id,
            name: f.name,
            ops: f.ops,
        }
    }
}

/// The policies of `family` (of its operation `op` only, if given). Dump-only operations,
/// which the kernel reports as op 0, get their numbers from `family_ops` (the family's
/// operations from [`families`]) or from `op`.
pub fn query(
    family: FamilyRef<'_>,
    op: Option<u32>,
    family_ops: &[(u32, u32)],
) -> Result<FamilyPolicy, PolicyError> {
    let sock = NlSocket::for_requests(NETLINK_GENERIC).map_err(PolicyError::Io)?;
    sock.bind(0).map_err(PolicyError::Io)?;
    let seq = 1;
    let mut fp = FamilyPolicy::default();
    let r = sock.dump(&getpolicy_request(family, op, seq), seq, |m| {
        fp.add_message(m.payload, Endian::native());
    });
    match r {
        Ok(()) => {
            match op {
                Some(op) => fp.fix_single_op(op),
                None => {
                    fp.fix_dump_only_ops(family_ops);
                }
            }
            Ok(fp)
        }
        Err(e) => Err(match dump_errno(&e) {
            Some(libc::ENOENT) => PolicyError::NotFound,
            Some(libc::ENODATA) => PolicyError::NoPolicy,
            Some(libc::EOPNOTSUPP) => PolicyError::Unsupported(e),
            _ => PolicyError::Io(e),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nlctrl_reports_its_own_policies() {
        let fams = families().unwrap();
        let ctrl = fams.iter().find(|f| f.name == "nlctrl").expect("nlctrl");
        assert_eq!(ctrl.id, 0x10);
        assert_eq!(family("nlctrl").unwrap().as_ref(), Some(ctrl));
        assert_eq!(family("nosuchfamily").unwrap(), None);
        let fp = match query(FamilyRef::Name("nlctrl"), None, &ctrl.ops) {
            Ok(fp) => fp,
            Err(PolicyError::Unsupported(e)) => {
                eprintln!("skipped: kernel without CTRL_CMD_GETPOLICY ({e})");
                return;
            }
            Err(e) => panic!("{e}"),
        };
        assert_eq!(fp.family_id, Some(crate::netlink::GENL_ID_CTRL));
        assert!(!fp.policies.is_empty(), "{fp:?}");
        assert!(fp.problems.is_empty(), "{:?}", fp.problems);
        // CTRL_ATTR_FAMILY_NAME is a NUL-terminated string of at most GENL_NAMSIZ - 1 bytes.
        let name = fp
            .policies
            .values()
            .find_map(|p| p.get(&crate::netlink::ctrl::ATTR_FAMILY_NAME))
            .expect("family-name in a policy");
        assert_eq!(name.type_name(), "nul-string");
        assert_eq!(name.max_length, Some(15));
        // CTRL_CMD_GETPOLICY (10) is dump-only: reported as op 0, renumbered from the op list.
        assert!(
            fp.ops
                .iter()
                .any(|(op, p)| *op == 10 && p.dump_policy.is_some()),
            "{fp:?}"
        );
        assert!(fp.ops.iter().all(|(op, _)| *op != 0), "{fp:?}");
        let one = query(FamilyRef::Name("nlctrl"), Some(10), &[]).unwrap();
        assert_eq!(one.ops.iter().map(|o| o.0).collect::<Vec<_>>(), [10]);
        let e = query(FamilyRef::Name("nosuchfamily"), None, &[]);
        assert!(matches!(e, Err(PolicyError::NotFound)), "{e:?}");
    }
}
