//! Interface names a dissector knows, for summaries: learned from RTM_NEWLINK messages (by
//! IFLA_IFNAME's number in the rt-link spec, read when first needed) and `link-names:`
//! capture comments, primed from a pass over a whole file, recorded as comments again.

use super::{Dissector, Fact, MsgIndex};
use crate::model::Direction;
use crate::netlink::{NETLINK_ROUTE, NLA_TYPE_MASK, NLMSG_HDRLEN, align4, span};

/// Prefix of the capture comment recording interface names (`link-names: 1=lo 2=eth0`): a
/// live capture's snapshot of the kernel's links at start (see `capture::links`), so messages
/// that name a link only by index read with its name from the first one.
pub const LINK_NAMES_PREFIX: &str = "link-names:";
/// Links one `link-names:` comment lists at most: it stays under pcapng's 65535-byte option
/// limit (an entry is at most 10 digits, `=`, 15 bytes of name and a space).
pub const LINK_NAMES_PER_COMMENT: usize = 2000;
/// Interface names remembered at most (RTM_NEWLINK and `link-names:` comments).
pub(crate) const MAX_LINKS: usize = 65_536;

/// `link-names:` comments for `links` (index, name), [`LINK_NAMES_PER_COMMENT`] a comment;
/// names a comment could not carry (empty, with whitespace) are left out.
pub fn link_names_comments<'a>(links: impl IntoIterator<Item = (i32, &'a str)>) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = String::new();
    let mut n = 0;
    for (idx, name) in links {
        if name.is_empty() || name.len() >= 16 || name.chars().any(char::is_whitespace) {
            continue;
        }
        if n == LINK_NAMES_PER_COMMENT {
            out.push(std::mem::take(&mut line));
            n = 0;
        }
        if n == 0 {
            line.push_str(LINK_NAMES_PREFIX);
        }
        line.push_str(&format!(" {idx}={name}"));
        n += 1;
    }
    if n > 0 {
        out.push(line);
    }
    out
}

impl Dissector {
    /// IFLA_IFNAME's attribute number.
    fn ifla_ifname(&self) -> u16 {
        *self.ifla_ifname.get_or_init(|| {
            let set = |s: &super::specs::Spec| {
                s.sets.values().find_map(|set| {
                    let a = set.attrs.iter().find(|a| a.cname == "IFLA_IFNAME")?;
                    Some(a.value)
                })
            };
            self.specs.get("rt-link").and_then(set).unwrap_or(3)
        })
    }

    /// RTM_NEWLINK from the kernel (message `m` of `data`, ending at `end`): remember the
    /// interface's name (ifinfomsg is 16 bytes).
    pub(super) fn learn_newlink(&mut self, data: &[u8], m: &MsgIndex, end: usize) {
        if m.protocol != NETLINK_ROUTE
            || m.ty != 16
            || m.direction != Direction::FromKernel
            || self.links.len() >= MAX_LINKS
        {
            return;
        }
        self.met_links = true;
        let ifla_ifname = self.ifla_ifname();
        let p = m.offset + NLMSG_HDRLEN;
        let Some(idx) = m.endian.u32(data, p + 4) else {
            return;
        };
        let mut pos = p + 16;
        while pos + 4 <= end {
            let l = usize::from(m.endian.u16(data, pos).unwrap_or(0));
            if l < 4 || pos + l > end {
                break;
            }
            if m.endian.u16(data, pos + 2).unwrap_or(0) & NLA_TYPE_MASK == ifla_ifname {
                let b = span(data, pos + 4, l.saturating_sub(4));
                let b = b.split(|c| *c == 0).next().unwrap_or(&[]);
                if let Ok(name) = std::str::from_utf8(b)
                    && self.links.get(&(idx as i32)).map(String::as_str) != Some(name)
                {
                    self.learn_link(idx as i32, name.to_string());
                }
                break;
            }
            pos += align4(l);
        }
    }

    /// Remember `name` for interface `idx`, as a fact for replicas when recording them.
    pub(super) fn learn_link(&mut self, idx: i32, name: String) {
        if let Some(f) = self.facts.as_mut() {
            f.push(Fact::Link(idx, name.clone()));
        }
        self.links.insert(idx, name);
    }

    /// `1=lo 2=eth0` of a `link-names:` comment. A kernel interface name has no whitespace
    /// (dev_valid_name), so entries split on it; the index ends at the first `=`.
    pub(super) fn learn_links_comment(&mut self, rest: &str) {
        for pair in rest.split_whitespace() {
            let Some((idx, name)) = pair.split_once('=') else {
                continue;
            };
            let Ok(idx) = idx.parse::<i32>() else {
                continue;
            };
            let known = self.links.get(&idx).map(String::as_str);
            if idx > 0
                && !name.is_empty()
                && name.len() < 16
                && known != Some(name)
                && (known.is_some() || self.links.len() < MAX_LINKS)
            {
                self.learn_link(idx, name.to_string());
                self.links_version += 1;
            }
        }
    }

    /// Changes whenever a `link-names:` comment teaches a name (see [`Dissector::links_comments`]).
    pub fn links_version(&self) -> u64 {
        self.links_version
    }

    /// The `link-names:` comments recording every interface name known (empty when none is),
    /// at most [`LINK_NAMES_PER_COMMENT`] links each, by index.
    pub fn links_comments(&self) -> Vec<String> {
        let mut links: Vec<(&i32, &String)> = self.links.iter().collect();
        links.sort();
        link_names_comments(links.into_iter().map(|(i, n)| (*i, n.as_str())))
    }

    /// Every interface name known: (index, name), in no order.
    pub fn link_names(&self) -> impl Iterator<Item = (i32, &str)> {
        self.links.iter().map(|(i, n)| (*i, n.as_str()))
    }

    /// Name the interfaces of `links` whose index nothing named yet (what a whole capture
    /// calls them, for messages before their link's RTM_NEWLINK); what is learned later in
    /// capture order still wins. Records no fact.
    pub fn prime_links<'a>(&mut self, links: impl IntoIterator<Item = (i32, &'a str)>) {
        for (i, n) in links {
            if self.links.len() >= MAX_LINKS {
                break;
            }
            self.links.entry(i).or_insert_with(|| n.to_string());
        }
    }

    /// Whether indexing met an RTM_NEWLINK from the kernel: else the names it knows came
    /// from capture comments, whatever IFLA_IFNAME's number.
    pub fn met_links(&self) -> bool {
        self.met_links
    }

    /// Whether indexing learns interface names as `other` does (IFLA_IFNAME's number).
    pub fn learns_links_as(&self, other: &Dissector) -> bool {
        self.ifla_ifname() == other.ifla_ifname()
    }

    /// An interface's name, if an RTM_NEWLINK for it was seen.
    pub fn link_name(&self, index: i32) -> Option<&str> {
        self.links.get(&index).map(String::as_str)
    }
}
