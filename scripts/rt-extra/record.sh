#!/usr/bin/env bash
# Records captures/rt-links.pcap, rt-misc.pcap, tc-extra.pcap and bridge-extra.pcap (and their
# .cmds.txt) in the nlmon VM (../shared/nlmon-vm/run.sh) with scripts/rt-extra/scenario.sh.
#   scripts/rt-extra/record.sh [OUTDIR]   (default target/rt-extra-out; copy what you keep)
# Needs root, gcc and the Debian archive on the first run (see shared/nlmon-vm/README.md).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$(readlink -m "${1:-$ROOT/target/rt-extra-out}")
RUN=${NLMON_VM_RUN:-$ROOT/../shared/nlmon-vm/run.sh}
mkdir -p "$ROOT/target"
gcc -O2 -Wall -o "$ROOT/target/rtnl-extra" "$ROOT/scripts/rt-extra/rtnl-extra.c"
rm -rf "$OUT"
bash "$RUN" -s "$ROOT/scripts/rt-extra/scenario.sh" -b "$ROOT/target/rtnl-extra" -o "$OUT"
ls -l "$OUT"
