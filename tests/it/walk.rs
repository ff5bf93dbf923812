//! An independent netlink walker (no nlscope code) agrees with `nlscope read -T json` on the
//! number of messages and every header field.

use super::common::*;

/// (frame, len, type, flags, seq, pid) of every top-level message, walked by hand: pcap record
/// -> 16-byte cooked header -> nlmsghdrs at NLMSG_ALIGN steps, stopping at an all-zero tail.
fn walk(bytes: &[u8]) -> Vec<(u64, u32, u16, u16, u32, u32)> {
    let (le, recs) = raw_pcap_records(bytes);
    let u32_at = |d: &[u8], o: usize| {
        let b: [u8; 4] = d[o..o + 4].try_into().unwrap();
        if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        }
    };
    let u16_at = |d: &[u8], o: usize| {
        let b: [u8; 2] = d[o..o + 2].try_into().unwrap();
        if le {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        }
    };
    let mut out = Vec::new();
    for (i, (_, d)) in recs.iter().enumerate() {
        let frame = i as u64 + 1;
        let proto = u16::from_be_bytes([d[14], d[15]]);
        if proto == 15 {
            continue; // NETLINK_KOBJECT_UEVENT: text, no nlmsghdr
        }
        let mut pos = 16;
        while pos + 16 <= d.len() {
            if d[pos..].iter().all(|b| *b == 0) {
                break;
            }
            let len = u32_at(d, pos);
            out.push((
                frame,
                len,
                u16_at(d, pos + 4),
                u16_at(d, pos + 6),
                u32_at(d, pos + 8),
                u32_at(d, pos + 12),
            ));
            assert!(
                len >= 16 && pos + len as usize <= d.len(),
                "frame {frame}: bad nlmsg_len"
            );
            pos += (len as usize + 3) & !3;
        }
        assert!(
            pos >= d.len() || d[pos..].iter().all(|b| *b == 0),
            "frame {frame}: tail"
        );
    }
    out
}

fn ours(path: &std::path::Path) -> Vec<(u64, u32, u16, u16, u32, u32)> {
    json_msgs(path, &[])
        .iter()
        // Kobject uevents are text, not netlink messages: the walk has none for them.
        .filter(|m| m["protocol"] != 15)
        .map(|m| {
            let n = |k: &str| m[k].as_u64().unwrap_or_else(|| panic!("{k} in {m}"));
            (
                n("frame"),
                n("len") as u32,
                n("type") as u16,
                n("flags") as u16,
                n("seq") as u32,
                n("pid") as u32,
            )
        })
        .collect()
}

fn check(path: &std::path::Path) {
    let mine = walk(&std::fs::read(path).unwrap());
    let theirs = ours(path);
    let uevents_only = json_msgs(path, &[]).iter().all(|m| m["protocol"] == 15);
    assert!(
        !mine.is_empty() || uevents_only,
        "{}: no messages",
        path.display()
    );
    assert_eq!(
        mine.len(),
        theirs.len(),
        "{}: message count",
        path.display()
    );
    for (a, b) in mine.iter().zip(&theirs) {
        assert_eq!(
            a,
            b,
            "{}: (frame, len, type, flags, seq, pid)",
            path.display()
        );
    }
}

#[test]
fn headers_match_independent_walk_shared() {
    let Some(caps) = shared_captures("independent walk of shared captures") else {
        return;
    };
    assert!(
        caps.len() >= 10,
        "expected the shared captures, found {caps:?}"
    );
    for p in caps {
        check(&p);
    }
}

#[test]
fn headers_match_independent_walk_local() {
    for p in captures_in(&local_dir()) {
        check(&p);
    }
}
