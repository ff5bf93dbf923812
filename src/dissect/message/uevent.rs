//! Kobject uevents (NETLINK_KOBJECT_UEVENT): not netlink messages but text. The kernel sends
//! `ACTION@DEVPATH\0KEY=VALUE\0...` (lib/kobject_uevent.c); udevd re-broadcasts devices as
//! `libudev\0` + struct udev_monitor_netlink_header + `KEY=VALUE\0...` (systemd's
//! libudev/sd-device monitor). The indexer makes each frame one pseudo-message spanning the
//! text; this module gives it a header node, one node per property, a type and a summary
//! like `udevadm monitor` prints.

use super::MessageView;
use crate::model::{Endian, Node, Severity, Value};

/// The 8-byte prefix of udevd's messages.
const LIBUDEV: &[u8; 8] = b"libudev\0";
/// `UDEV_MONITOR_MAGIC`, written big-endian.
const UDEV_MAGIC: u32 = 0xfeed_cafe;
/// sizeof(struct udev_monitor_netlink_header).
const UDEV_HEADER_LEN: usize = 40;

/// Properties named by their own filter field (`uevent.action`, ...); the others are
/// `uevent.property`. Numbers among them are read as numbers.
const KNOWN: &[(&str, bool)] = &[
    ("ACTION", false),
    ("DEVPATH", false),
    ("SUBSYSTEM", false),
    ("SEQNUM", true),
    ("DEVTYPE", false),
    ("DEVNAME", false),
    ("DEVMODE", false),
    ("DEVUID", true),
    ("DEVGID", true),
    ("DRIVER", false),
    ("MAJOR", true),
    ("MINOR", true),
    ("IFINDEX", true),
    ("INTERFACE", false),
    ("MODALIAS", false),
    ("FIRMWARE", false),
    ("SYNTH_UUID", false),
    ("USEC_INITIALIZED", true),
    ("TAGS", false),
    ("CURRENT_TAGS", false),
    ("DEVLINKS", false),
];

/// Filter fields of uevent nodes.
pub fn fields() -> Vec<String> {
    let mut v: Vec<String> = KNOWN
        .iter()
        .map(|(k, _)| format!("uevent.{}", k.to_ascii_lowercase()))
        .collect();
    for f in [
        "uevent",
        "uevent.header",
        "uevent.property",
        "uevent.udev.prefix",
        "uevent.udev.magic",
        "uevent.udev.header_size",
        "uevent.udev.properties_off",
        "uevent.udev.properties_len",
        "uevent.udev.subsystem_hash",
        "uevent.udev.devtype_hash",
        "uevent.udev.tag_bloom_hi",
        "uevent.udev.tag_bloom_lo",
    ] {
        v.push(f.to_string());
    }
    v
}

impl MessageView<'_> {
    /// Whether this pseudo-message is a uevent.
    pub(super) fn is_uevent(&self) -> bool {
        self.m.protocol == crate::netlink::NETLINK_KOBJECT_UEVENT
    }

    fn uevent_bytes(&self) -> &[u8] {
        let m = &self.m;
        self.data
            .get(m.offset..m.offset + m.present)
            .unwrap_or_default()
    }

    /// Whether it is udevd's (libudev header) rather than the kernel's.
    fn is_udev(&self) -> bool {
        self.uevent_bytes().starts_with(LIBUDEV)
    }

    /// Where the properties start and end (relative to the text), and the header's length.
    fn uevent_props(&self) -> (usize, usize, usize) {
        let b = self.uevent_bytes();
        if self.is_udev() {
            let e = Endian::Little;
            let off = e.u32(b, 16).map_or(UDEV_HEADER_LEN, |v| v as usize);
            let len = e.u32(b, 20).map_or(0, |v| v as usize);
            let start = off.clamp(UDEV_HEADER_LEN.min(b.len()), b.len());
            (start, start.saturating_add(len).min(b.len()), start)
        } else {
            let h = b.iter().position(|c| *c == 0).map_or(b.len(), |p| p + 1);
            (h, b.len(), h)
        }
    }

    /// The header: `ACTION@DEVPATH`, or udevd's struct.
    pub(super) fn uevent_header_node(&self) -> Node {
        let b = self.uevent_bytes();
        let o = self.m.offset;
        let (_, _, hlen) = self.uevent_props();
        if !self.is_udev() {
            let text = String::from_utf8_lossy(b.get(..hlen).unwrap_or_default());
            let text = text.trim_end_matches('\0').to_string();
            let mut n = Node::new("uevent header", "uevent.header", Value::Str(text), o, hlen);
            if !n.display_text().contains('@') {
                n.set_expert(
                    Severity::Warning,
                    "a kernel uevent starts with ACTION@DEVPATH",
                );
            }
            return n;
        }
        let mut n = Node::new("libudev header", "uevent.udev", Value::None, o, hlen);
        let e = Endian::Little;
        let mut u32_node = |name: &str, field: &str, at: usize, be: bool| {
            let v = if be {
                Endian::Big.u32(b, at)
            } else {
                e.u32(b, at)
            };
            if let Some(v) = v {
                let mut c = Node::new(
                    name.to_string(),
                    field.to_string(),
                    Value::Uint(u64::from(v)),
                    o + at,
                    4,
                );
                if field.ends_with("magic") {
                    c.display = format!("{v:#010x}");
                    if v != UDEV_MAGIC {
                        c.set_expert(Severity::Warning, "not udev's magic 0xfeedcafe");
                    }
                } else if field.contains("hash") || field.contains("bloom") {
                    c.display = format!("{v:#010x}");
                }
                n.children.push(c);
            }
        };
        u32_node("magic", "uevent.udev.magic", 8, true);
        u32_node("header_size", "uevent.udev.header_size", 12, false);
        u32_node("properties_off", "uevent.udev.properties_off", 16, false);
        u32_node("properties_len", "uevent.udev.properties_len", 20, false);
        u32_node(
            "filter_subsystem_hash",
            "uevent.udev.subsystem_hash",
            24,
            true,
        );
        u32_node("filter_devtype_hash", "uevent.udev.devtype_hash", 28, true);
        u32_node("filter_tag_bloom_hi", "uevent.udev.tag_bloom_hi", 32, true);
        u32_node("filter_tag_bloom_lo", "uevent.udev.tag_bloom_lo", 36, true);
        n.children.insert(
            0,
            Node::new(
                "prefix",
                "uevent.udev.prefix",
                Value::Str("libudev".into()),
                o,
                8,
            ),
        );
        if b.len() < UDEV_HEADER_LEN {
            n.set_expert(
                Severity::Error,
                format!(
                    "libudev header needs {UDEV_HEADER_LEN} bytes, has {}",
                    b.len()
                ),
            );
        }
        n
    }

    /// One node per `KEY=VALUE`, in order.
    pub(super) fn uevent_tree(&self) -> Vec<Node> {
        let b = self.uevent_bytes();
        let (start, end, _) = self.uevent_props();
        let mut out = Vec::new();
        let mut pos = start;
        let body = b.get(start..end).unwrap_or_default();
        for part in body.split(|c| *c == 0) {
            let at = pos;
            pos += part.len() + 1;
            if part.is_empty() {
                continue;
            }
            out.push(property_node(part, self.m.offset + at));
        }
        if end < b.len() {
            let o = self.m.offset + end;
            let mut n = Node::new(
                "trailing bytes",
                "uevent",
                Value::Bytes(b.get(end..).unwrap_or_default().to_vec()),
                o,
                b.len() - end,
            );
            n.raw = true;
            out.push(n);
        }
        out
    }

    /// `udevadm monitor` words: `KERNEL add /devices/virtual/net/dummy0 (net)` (`UDEV` for
    /// udevd's).
    pub(super) fn uevent_summary(&self, out: &mut String, tn: &str) {
        out.push_str(tn);
        out.push_str(if self.is_udev() { " UDEV" } else { " KERNEL" });
        let mut action = None;
        let mut devpath = None;
        let mut subsystem = None;
        let mut seqnum = None;
        let b = self.uevent_bytes();
        let (start, end, _) = self.uevent_props();
        for part in b.get(start..end).unwrap_or_default().split(|c| *c == 0) {
            let Some(eq) = part.iter().position(|c| *c == b'=') else {
                continue;
            };
            let (k, v) = part.split_at(eq);
            let v = v.get(1..).unwrap_or_default();
            match k {
                b"ACTION" => action = Some(v),
                b"DEVPATH" => devpath = Some(v),
                b"SUBSYSTEM" => subsystem = Some(v),
                b"SEQNUM" => seqnum = Some(v),
                _ => {}
            }
        }
        if !self.is_udev() {
            // What the properties leave out, from the `ACTION@DEVPATH` header.
            let h = b.get(..start).unwrap_or_default();
            if let Some(at) = h.iter().position(|c| *c == b'@') {
                action = action.or(h.get(..at));
                devpath = devpath.or(h.get(at + 1..).map(|p| p.strip_suffix(b"\0").unwrap_or(p)));
            }
        }
        for (pre, v) in [(" ", action), (" ", devpath)] {
            if let Some(v) = v {
                out.push_str(pre);
                out.push_str(&String::from_utf8_lossy(v));
            }
        }
        if let Some(s) = subsystem {
            out.push_str(" (");
            out.push_str(&String::from_utf8_lossy(s));
            out.push(')');
        }
        if let Some(s) = seqnum {
            out.push_str(" seqnum ");
            out.push_str(&String::from_utf8_lossy(s));
        }
    }
}

/// A `KEY=VALUE` property at `offset`.
fn property_node(part: &[u8], offset: usize) -> Node {
    let text = String::from_utf8_lossy(part);
    let Some((k, v)) = text.split_once('=') else {
        return Node::new(
            "property",
            "uevent.property",
            Value::Str(text.into_owned()),
            offset,
            part.len(),
        )
        .with_expert(Severity::Warning, "a uevent property is KEY=VALUE");
    };
    let known = KNOWN.iter().find(|(name, _)| *name == k);
    let field = match known {
        Some((name, _)) => format!("uevent.{}", name.to_ascii_lowercase()),
        None => "uevent.property".to_string(),
    };
    let value = match known {
        Some((_, true)) => v
            .parse::<u64>()
            .map_or_else(|_| Value::Str(v.to_string()), Value::Uint),
        _ if known.is_none() => Value::Str(format!("{k}={v}")),
        _ => Value::Str(v.to_string()),
    };
    let mut n = Node::new(k.to_string(), field, value, offset, part.len());
    if known.is_none() {
        n.display = v.to_string();
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_are_typed_and_unknown_keys_keep_their_name() {
        let n = property_node(b"SEQNUM=4711", 10);
        assert_eq!(n.value, Value::Uint(4711));
        assert_eq!(n.field, "uevent.seqnum");
        let n = property_node(b"ID_NET_NAME=eth0", 0);
        assert_eq!(n.field, "uevent.property");
        assert_eq!(n.value, Value::Str("ID_NET_NAME=eth0".into()));
        assert_eq!(n.display_text(), "eth0");
        let n = property_node(b"garbage", 0);
        assert!(n.expert.is_some());
        let n = property_node(b"MAJOR=x", 0);
        assert_eq!(n.value, Value::Str("x".into()));
    }
}
