//! Read errors: what went wrong, where in the file.

use std::fmt;
use std::io;

/// What went wrong while reading a capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadErrorKind {
    /// The underlying reader failed.
    Io,
    /// The input ended in the middle of a header, record or block.
    Truncated,
    /// A header, record or block is malformed.
    Corrupt,
    /// The input does not start with a pcap or pcapng magic number.
    NotACapture,
}

/// An error while reading a capture, with the byte offset it refers to.
///
/// For `Truncated` and `Corrupt`, `offset` is the start of the offending record or block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// Byte offset in the input.
    pub offset: u64,
    /// Error category.
    pub kind: ReadErrorKind,
    /// Complete one-line description (this is what `Display` prints).
    pub message: String,
}

impl ReadError {
    pub(super) fn new(kind: ReadErrorKind, offset: u64, message: String) -> Self {
        ReadError {
            offset,
            kind,
            message,
        }
    }

    pub(super) fn truncated(offset: u64, what: &str, detail: fmt::Arguments<'_>) -> Self {
        Self::new(
            ReadErrorKind::Truncated,
            offset,
            format!("truncated {what} at byte offset {offset}: {detail}"),
        )
    }

    pub(super) fn corrupt(offset: u64, what: &str, detail: fmt::Arguments<'_>) -> Self {
        Self::new(
            ReadErrorKind::Corrupt,
            offset,
            format!("corrupt {what} at byte offset {offset}: {detail}"),
        )
    }

    pub(super) fn io(offset: u64, err: &io::Error) -> Self {
        Self::new(
            ReadErrorKind::Io,
            offset,
            format!("read error at byte offset {offset}: {err}"),
        )
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ReadError {}
