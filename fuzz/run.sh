#!/usr/bin/env bash
# Build the fuzz targets with libFuzzer on the stable toolchain and run them.
#
#   fuzz/run.sh build                    build every target (target dir: $CARGO_TARGET_DIR or fuzz/target)
#   fuzz/run.sh run TARGET [ARGS...]     fuzz TARGET over fuzz/corpus/TARGET (new inputs go to
#                                        fuzz/work/TARGET), with its dictionary; ARGS go to libFuzzer
#                                        (e.g. -runs=10000000, -max_total_time=600, -jobs=2)
#   fuzz/run.sh check [SECONDS]          CI: each target for SECONDS (default 20); fails on a finding
#   fuzz/run.sh merge TARGET             minimize fuzz/work/TARGET + fuzz/corpus/TARGET into fuzz/corpus/TARGET
#   fuzz/run.sh repro TARGET FILE...     run the inputs once (a crash's reproducer)
#
# Why libFuzzer through libfuzzer-sys rather than cargo-fuzz or cargo-afl: rustc's sanitizer
# flag (-Zsanitizer) is nightly-only, but the coverage instrumentation libFuzzer needs is the
# stable `-C passes=sancov-module` LLVM pass with its options; libfuzzer-sys compiles libFuzzer
# itself with the system C++ compiler. So a plain `cargo build` with these flags makes
# in-process fuzzers (fast: no fork per input) from crates.io alone, with no tool to install.
set -euo pipefail
cd "$(dirname "$0")"
FUZZ=$PWD
TARGETS=(pcap dissect filter specs live roundtrip)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$FUZZ/target}
# A target triple keeps the flags off build scripts and proc macros (they are not fuzzed,
# and the sancov pass would leave them with unresolved symbols).
TRIPLE=$(rustc -vV | sed -n 's/^host: //p')
BIN=$CARGO_TARGET_DIR/$TRIPLE/release

build() {
  RUSTFLAGS="-C passes=sancov-module \
    -C llvm-args=-sanitizer-coverage-level=4 \
    -C llvm-args=-sanitizer-coverage-inline-8bit-counters \
    -C llvm-args=-sanitizer-coverage-pc-table \
    -C llvm-args=-sanitizer-coverage-trace-compares \
    --cfg fuzzing -C force-frame-pointers=yes" \
    cargo build --locked --release --target "$TRIPLE" --bins
}

# libFuzzer options every run takes: a 1 GiB RSS limit (OOM), a hang is 10 s per input.
common() {
  local t=$1
  local dict=()
  [ -f "$FUZZ/dict/$t.dict" ] && dict=("-dict=$FUZZ/dict/$t.dict")
  echo "${dict[@]}" -rss_limit_mb=1024 -timeout=10 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$FUZZ/artifacts/$t/"
}

run() {
  local t=$1
  shift
  mkdir -p "$FUZZ/work/$t" "$FUZZ/corpus/$t" "$FUZZ/artifacts/$t"
  # shellcheck disable=SC2046
  "$BIN/$t" $(common "$t") "$@" "$FUZZ/work/$t" "$FUZZ/corpus/$t"
}

case "${1:-}" in
  build) build ;;
  run)
    shift
    run "$@"
    ;;
  check)
    secs=${2:-20}
    build
    fail=0
    for t in "${TARGETS[@]}"; do
      log=$(mktemp)
      if run "$t" -max_total_time="$secs" >"$log" 2>&1; then
        echo "fuzz $t: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}') runs, no finding"
      else
        echo "fuzz $t: FINDING (see below)" >&2
        tail -40 "$log" >&2
        fail=1
      fi
      rm -f "$log"
    done
    exit $fail
    ;;
  merge)
    t=$2
    mkdir -p "$FUZZ/work/$t" "$FUZZ/corpus/$t" "$FUZZ/artifacts/$t"
    new=$(mktemp -d)
    # shellcheck disable=SC2046
    "$BIN/$t" $(common "$t") -merge=1 "$new" "$FUZZ/corpus/$t" "$FUZZ/work/$t"
    rm -rf "$FUZZ/corpus/$t"
    mv "$new" "$FUZZ/corpus/$t"
    ;;
  repro)
    t=$2
    shift 2
    "$BIN/$t" -rss_limit_mb=1024 -timeout=10 "$@"
    ;;
  *)
    sed -n '2,12p' "$0"
    exit 2
    ;;
esac
