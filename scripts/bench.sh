#!/usr/bin/env bash
# Time `nlscope read` against tshark on a generated ~200 MB capture of real netlink frames.
# Usage: scripts/bench.sh [SIZE_MB] [OUT_DIR]   (needs ../shared/captures; tshark optional)
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-200}
dir=${2:-${TMPDIR:-/tmp}/nlscope-bench}
mkdir -p "$dir"
cap="$dir/bench-${size}MB.pcap"
[ -f "$cap" ] || python3 scripts/make-bench-capture.py "$cap" "$size"
cargo build --release --quiet
bin=target/release/nlscope
msgs=$("$bin" read -r "$cap" -T csv | tail -n +2 | wc -l)
frames=$(python3 -c "import os,sys; print(os.path.getsize(sys.argv[1]))" "$cap")
echo "capture: $cap ($frames bytes, $msgs messages)"

t() { # label, command... : best of 3 runs (the first also warms the page cache)
  local label=$1; shift
  local s e d best=
  for _ in 1 2 3; do
    s=$(date +%s.%N)
    "$@" > /dev/null 2>&1
    e=$(date +%s.%N)
    d=$(echo "$e - $s" | bc)
    if [ -z "$best" ] || [ "$(echo "$d < $best" | bc)" = 1 ]; then best=$d; fi
  done
  printf '%-28s %8.2f s\n' "$label" "$best"
}
t "nlscope -T summary" "$bin" read -r "$cap" -T summary
t "nlscope -T ndjson" "$bin" read -r "$cap" -T ndjson
t "nlscope -Y header filter" "$bin" read -r "$cap" -Y 'nlmsg.type == RTM_NEWLINK' -T summary
if command -v tshark > /dev/null; then
  t "tshark -r" tshark -n -r "$cap"
  t "tshark -T json" tshark -n -r "$cap" -T json
else
  echo "tshark not installed: no comparison"
fi
