//! A running kernel's generic netlink attribute policies, asked of nlctrl with
//! `CTRL_CMD_GETPOLICY` dumps (Linux 5.7+; per operation since 5.10). No privileges needed.

use std::io;

use super::monitor::genl::genl_dump;
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

/// Every generic netlink family of the running kernel: (id, name), sorted by name.
pub fn families() -> io::Result<Vec<(u16, String)>> {
    let mut v: Vec<(u16, String)> = genl_dump()?.into_iter().map(|f| (f.id, f.name)).collect();
    v.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(v)
}

/// The policies of `family` (of its operation `op` only, if given).
pub fn query(family: FamilyRef<'_>, op: Option<u32>) -> Result<FamilyPolicy, PolicyError> {
    let sock = NlSocket::for_requests(NETLINK_GENERIC).map_err(PolicyError::Io)?;
    sock.bind(0).map_err(PolicyError::Io)?;
    let seq = 1;
    let mut fp = FamilyPolicy::default();
    let r = sock.dump(&getpolicy_request(family, op, seq), seq, |m| {
        fp.add_message(m.payload, Endian::native());
    });
    match r {
        Ok(()) => Ok(fp),
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
        let fp = match query(FamilyRef::Name("nlctrl"), None) {
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
        let e = query(FamilyRef::Name("nosuchfamily"), None);
        assert!(matches!(e, Err(PolicyError::NotFound)), "{e:?}");
        assert!(
            families()
                .unwrap()
                .iter()
                .any(|(id, n)| *id == 0x10 && n == "nlctrl")
        );
    }
}
