//! Command-line front end: `read`, `capture`, `trace`, `specs`.

pub mod capture;
pub mod docs;
pub(crate) mod lookahead;
pub(crate) mod pipeline;
pub mod read;
pub mod specs_cmd;
pub mod state;
pub mod stats;
pub mod trace;

use std::fmt;

/// A CLI failure: printed as one line on stderr, exit status non-zero.
#[derive(Debug)]
pub struct CliError {
    /// The message.
    pub message: String,
    /// Exit status.
    pub code: i32,
}

impl CliError {
    /// Error with exit status 1.
    pub fn new(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            code: 1,
        }
    }
    /// Usage error (exit status 2).
    pub fn usage(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            code: 2,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}
