#!/usr/bin/env bash
# Overhead of `nlscope trace`: `ip link show` of LINKS links (veth pairs) in a fresh network
# namespace, run RUNS times plain, under `nlscope trace -w FILE`, under `nlscope trace` printing
# summary lines, and under strace (for comparison). Needs root.
#   scripts/trace-bench.sh [path/to/nlscope]   (default target/release/nlscope)
#   LINKS=2000 RUNS=5 scripts/trace-bench.sh
set -euo pipefail
bin=$(realpath "${1:-target/release/nlscope}")
links=${LINKS:-2000}
runs=${RUNS:-5}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export bin links runs out NLSCOPE_NO_SYSTEM_SPECS=1
unshare -n bash -c '
  set -euo pipefail
  for i in $(seq 1 $((links / 2))); do echo "link add a$i type veth peer name b$i"; done > "$out/batch"
  ip -batch "$out/batch"
  echo "$(ip -o link show | wc -l) links; $runs runs each; seconds per run (best, median)"
  measure() {
    local name=$1; shift
    local t=()
    for r in $(seq 1 "$runs"); do
      local s e
      s=$(date +%s.%N)
      "$@" > /dev/null 2>&1
      e=$(date +%s.%N)
      t+=("$(echo "$e - $s" | bc)")
    done
    printf "%-34s %s\n" "$name" "$(printf "%s\n" "${t[@]}" | sort -n | awk "{a[NR]=\$1} END {printf \"%.4f  %.4f\", a[1], a[int((NR+1)/2)]}")"
  }
  measure "ip link show" ip link show
  measure "nlscope trace -w FILE" "$bin" trace -w "$out/t.pcapng" --force -- ip link show
  measure "nlscope trace (summary lines)" "$bin" trace -- ip link show
  NLSCOPE_TRACE_NO_SECCOMP=1 measure "... without the seccomp filter" "$bin" trace -w "$out/u.pcapng" --force -- ip link show
  measure "nlscope trace -- true (start-up)" "$bin" trace -- true
  if command -v strace > /dev/null; then
    measure "strace -f -e trace=%network" strace -f -o /dev/null -e trace=%network ip link show
  fi
  frames=$("$bin" read -r "$out/t.pcapng" | wc -l)
  echo "messages recorded per run: $frames"
'
