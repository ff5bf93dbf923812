//! Frame-level problems as they are shown in trees, lines and exports: trailing bytes that are
//! not netlink, a frame without any message (a kobject uevent).

use super::FrameIndex;
use crate::model::{Node, Severity};

/// A node summarising a frame-level problem (trailing garbage, not netlink).
pub fn frame_problem_node(fi: &FrameIndex, frame_len: usize) -> Option<Node> {
    let (off, text) = fi.problem.as_ref()?;
    let off = (*off).min(frame_len);
    Some(Node::expert(
        Severity::Error,
        text.clone(),
        "frame",
        off,
        frame_len - off,
    ))
}

/// What the line of a frame without netlink messages shows: its problem in brackets, or else
/// the text after the cooked header (a kobject uevent) with NULs as spaces, trimmed, cut to
/// `max_chars` characters.
pub fn no_message_text(
    data: &[u8],
    header_len: usize,
    problem: Option<&str>,
    max_chars: usize,
) -> String {
    if let Some(p) = problem {
        return format!("[{p}]");
    }
    let b = data.get(header_len..).unwrap_or(&[]);
    let t = String::from_utf8_lossy(b).replace('\0', " ");
    let short: String = t.trim().chars().take(max_chars).collect();
    format!("uevent {short}")
}

/// Characters of uevent text on a `nlscope read` line.
pub const UEVENT_CHARS: usize = 120;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_message_text_of_uevents_and_problems() {
        let data = b"HDRadd@/devices/x\0ACTION=add\0";
        assert_eq!(
            no_message_text(data, 3, None, 120),
            "uevent add@/devices/x ACTION=add"
        );
        assert_eq!(no_message_text(data, 3, None, 3), "uevent add");
        assert_eq!(no_message_text(data, 99, None, 120), "uevent ");
        assert_eq!(no_message_text(data, 3, Some("bad"), 120), "[bad]");
    }
}
