#!/usr/bin/env bash
# Records captures/state.pcap (+ state.cmds.txt and the ip -j outputs) in the nlmon VM with
# scripts/vm/state-scenario.sh.   scripts/vm/state-record.sh [OUTDIR]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$(readlink -m "${1:-$ROOT/target/state-out}")
RUN=${NLMON_VM_RUN:-$ROOT/../shared/nlmon-vm/run.sh}
rm -rf "$OUT"
bash "$RUN" -s "$ROOT/scripts/vm/state-scenario.sh" -o "$OUT"
ls -l "$OUT"
