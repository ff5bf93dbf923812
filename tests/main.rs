//! Integration tests: one test binary, modules under `tests/it/`.

mod it;
