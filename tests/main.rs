//! Integration tests: one test binary, modules under `tests/it/`.

// Test code may panic: the crate's no-panic lint set (Cargo.toml) is for input-reading code.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod it;
