#!/usr/bin/env bash
# nlscope beside tshark, each pair in this one run on the same file: prints one Markdown table
# (best of RUNS wall-clock seconds each, the two alternating, and nlscope's peak resident memory).
# Usage: scripts/bench.sh [OUT_DIR]   (env: RUNS=3, SMALL=50, BIG=200 (MB), QUICK=1 skips BIG)
# Needs ../shared/captures (the files are generated from its real frames) and tshark.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-${TMPDIR:-/tmp}/nlscope-bench}
runs=${RUNS:-3}
small=${SMALL:-50}
big=${BIG:-200}
mkdir -p "$dir"
for size in "$small" "$big"; do
  [ "${QUICK:-0}" = 1 ] && [ "$size" = "$big" ] && continue
  [ -f "$dir/bench-${size}MB.pcap" ] || python3 scripts/make-bench-capture.py "$dir/bench-${size}MB.pcap" "$size"
done
command -v tshark > /dev/null || { echo "bench.sh: tshark is needed for the comparison" >&2; exit 1; }
cargo build --release --quiet
bin=target/release/nlscope
out=$dir/out
mkdir -p "$out"

# once CAPTURE COMMAND...: one run's wall time in seconds, by bash's microsecond clock around it
# (time(1) gives hundredths: a 0.06 s run read 0.05 or 0.07, a ratio off by a sixth); its peak
# RSS (KB) goes to $out/rss1. Output is discarded. The capture is read into the page cache just
# before: both tools are timed on a cached file. (This machine's kernel pages out memory not
# touched for a minute (a DAMON pageout scheme): the 200 MB file, idle while the 50 MB rows
# ran, came back from disk in the first runs of its next row, inside the timing.)
once() {
  local s e
  cat "$1" > /dev/null
  shift
  s=$EPOCHREALTIME
  /usr/bin/time -o "$out/time" -f '%M' "$@" > /dev/null 2> /dev/null || true
  e=$EPOCHREALTIME
  tail -1 "$out/time" > "$out/rss1"
  echo "$e - $s" | bc
}

echo "| work | file | nlscope | tshark $(tshark --version | head -1 | awk '{print $3}') | ratio | nlscope peak RSS |"
echo "|---|---|---|---|---|---|"
row() { # WORK SIZE 'NLSCOPE ARGS' 'TSHARK ARGS' (args are word-split; no spaces inside)
  local work=$1 size=$2 cap="$dir/bench-$2MB.pcap"
  [ -f "$cap" ] || return 0
  shift 2
  local n= t= r= x
  # The two alternate, best of $runs each: the machine's speed drifts, and both see the same.
  for _ in $(seq "$runs"); do
    # shellcheck disable=SC2086
    x=$(once "$cap" "$bin" read -r "$cap" $1)
    if [ -z "$n" ] || [ "$(echo "$x < $n" | bc)" = 1 ]; then n=$x; r=$(cat "$out/rss1"); fi
    # shellcheck disable=SC2086
    x=$(once "$cap" tshark -n -r "$cap" $2)
    if [ -z "$t" ] || [ "$(echo "$x < $t" | bc)" = 1 ]; then t=$x; fi
  done
  printf '| %s | %s MB | %.3f s | %.2f s | %.1fx | %d MB |\n' "$work" "$size" "$n" "$t" \
    "$(echo "$t / $n" | bc -l)" "$((r / 1024))"
}

# Filters with spaces go through variables: row's arguments are word-split.
row "summary lines (\`-T summary\` / \`tshark -r\`)" "$big" "-T summary" ""
row "summary lines" "$small" "-T summary" ""
row "tree (\`-T tree\` / \`-V\`)" "$small" "-T tree" "-V"
row "NDJSON / JSON (\`-T ndjson\` / \`-T json\`)" "$small" "-T ndjson" "-T json"
row "JSON (\`-T json\` / \`-T json\`)" "$small" "-T json" "-T json"
row "header filter \`nlmsg.type==RTM_NEWLINK\`" "$small" "-Y nlmsg.type==RTM_NEWLINK" "-Y netlink.hdr_type==16"
row "header filter \`nlmsg.type==RTM_NEWLINK\`" "$big" "-Y nlmsg.type==RTM_NEWLINK" "-Y netlink.hdr_type==16"
row "payload filter \`rt-link.mtu>1400\`" "$small" "-Y rt-link.mtu>1400" "-Y netlink-route.ifla_mtu>1400"
row "payload filter \`rt-link.mtu>1400\`" "$big" "-Y rt-link.mtu>1400" "-Y netlink-route.ifla_mtu>1400"
row "payload filter \`rt-link.ifname==\"veth0\"\`" "$small" "-Y rt-link.ifname==\"veth0\"" "-Y netlink-route.ifla_ifname==\"veth0\""
row "payload filter \`rt-link.ifname==\"veth0\"\`" "$big" "-Y rt-link.ifname==\"veth0\"" "-Y netlink-route.ifla_ifname==\"veth0\""
row "filtered copy (\`-Y rt-link.mtu>1400 -w\`)" "$small" "-Y rt-link.mtu>1400 -w $out/n.pcapng" "-Y netlink-route.ifla_mtu>1400 -w $out/t.pcapng"
