#!/usr/bin/env bash
# Build the Debian package with cargo-deb (`cargo install cargo-deb`): the release binary, the
# man pages and shell completions generated from the command line (`nlscope --gen-docs`, into
# target/release/gen-docs where [package.metadata.deb] in Cargo.toml expects them), then
# `cargo deb --no-build`. Extra arguments go to cargo deb (e.g. --fast). Prints the .deb's path.
#
#   scripts/package-deb.sh [CARGO-DEB-ARGS...]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
if ! cargo deb --version >/dev/null 2>&1; then
  echo "package-deb: cargo-deb is not installed (cargo install cargo-deb)" >&2
  exit 1
fi
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
cargo build --release --locked --bin nlscope
GEN=$TARGET/release/gen-docs
rm -rf "$GEN"
"$TARGET/release/nlscope" --gen-docs "$GEN" >/dev/null
gzip -9n "$GEN"/man/*.1
# --strip: the release profile keeps line tables (for backtraces in development); the package
# does not need them.
cargo deb --no-build --strip --locked "$@" | tail -n 1
