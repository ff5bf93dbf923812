#!/usr/bin/env bash
# Burst benchmark for the multicast monitor (not run in CI; needs root and iproute2).
#
# In a fresh network namespace, N parallel `ip -batch` senders add M routes each (distinct /32s
# in table 100) while `nlscope capture --monitor route` and `ip monitor route` listen side by
# side. Reports notifications/s and drops for both. Then a second phase: the capture process
# is stopped (SIGSTOP) during the same burst into table 101, so everything waits in the socket's
# receive buffer, and is continued: reports what survived and how fast the backlog drained.
#
#   scripts/monitor-bench.sh [SENDERS=4] [ROUTES_PER_SENDER=25000]
set -euo pipefail
cd "$(dirname "$0")/.."

senders=${1:-4}
per=${2:-25000}
total=$((senders * per))
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }

cargo build --release --quiet
bin=$PWD/target/release/nlscope

ns=nlscope-bench-$$
tmp=$(mktemp -d)
cap_pid=
mon_pid=
cleanup() {
  [ -n "$cap_pid" ] && kill "$cap_pid" 2>/dev/null || true
  [ -n "$mon_pid" ] && kill "$mon_pid" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

ip netns add "$ns"
ip -n "$ns" link add bench0 type veth peer name bench1
ip -n "$ns" link set bench0 up
ip -n "$ns" link set bench1 up

# Batch files: sender s adds 198.(18+k/65536).x.y/32 for k in [s*per, (s+1)*per).
for s in $(seq 0 $((senders - 1))); do
  awk -v s="$s" -v per="$per" 'BEGIN {
    for (k = s * per; k < (s + 1) * per; k++)
      printf "route add 198.%d.%d.%d/32 dev bench0 table 100\n", 18 + int(k / 65536), int(k / 256) % 256, k % 256
  }' >"$tmp/batch$s"
done

"$bin" capture --monitor route --netns "$ns" -w "$tmp/cap.pcapng" 2>"$tmp/cap.err" &
cap_pid=$!
ip -n "$ns" monitor route >"$tmp/ipmon.out" 2>"$tmp/ipmon.err" &
mon_pid=$!
for _ in $(seq 100); do grep -q "Capturing on" "$tmp/cap.err" && break; sleep 0.1; done
grep -q "Capturing on" "$tmp/cap.err" || { cat "$tmp/cap.err"; exit 1; }
sleep 0.5

t0=$(date +%s.%N)
pids=()
for s in $(seq 0 $((senders - 1))); do
  ip -n "$ns" -batch "$tmp/batch$s" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
t1=$(date +%s.%N)
added=$(ip -n "$ns" route show table 100 | wc -l)

# Let both listeners catch up (nlscope flushes its file every second).
sleep 3
kill -INT "$cap_pid"; wait "$cap_pid" || true; cap_pid=
kill "$mon_pid"; wait "$mon_pid" 2>/dev/null || true; mon_pid=

secs=$(echo "$t1 - $t0" | bc -l)
cap_routes=$("$bin" read -r "$tmp/cap.pcapng" -T csv -Y 'nlmsg.type == RTM_NEWROUTE && rt-route.table == 100' | tail -n +2 | wc -l)
cap_line=$(grep "frames captured" "$tmp/cap.err" || true)
# Capture-side rate: first to last burst notification as timestamped by nlscope.
span=$("$bin" read -r "$tmp/cap.pcapng" -T csv -Y 'nlmsg.type == RTM_NEWROUTE && rt-route.table == 100' \
  | awk -F, 'NR == 2 { a = $3 } NR > 1 { b = $3 } END { if (b > a) printf "%.3f", b - a; else print "0" }')
ipmon_routes=$(grep -c "table 100" "$tmp/ipmon.out" || true)
ipmon_err=$(sort "$tmp/ipmon.err" | uniq -c | tr '\n' ';' || true)

printf 'senders: %d x %d routes = %d (in the table afterwards: %d)\n' "$senders" "$per" "$total" "$added"
printf 'burst: %.2f s, %.0f routes/s\n' "$secs" "$(echo "$total / $secs" | bc -l)"
printf 'nlscope capture --monitor route: %d/%d RTM_NEWROUTE captured (%.0f events/s over %s s of notifications); %s\n' \
  "$cap_routes" "$total" "$(echo "$cap_routes / $secs" | bc -l)" "$span" "$cap_line"
printf 'ip monitor route:                %d/%d lines (%d missing); stderr: %s\n' \
  "$ipmon_routes" "$total" "$((total - ipmon_routes))" "${ipmon_err:-none}"

# Phase 2: backlog. The listener sleeps through the burst; the receive buffer holds it.
sed -i 's/ table 100$/ table 101/' "$tmp"/batch*
"$bin" capture --monitor route --netns "$ns" -w "$tmp/backlog.pcapng" 2>"$tmp/backlog.err" &
cap_pid=$!
for _ in $(seq 100); do grep -q "Capturing on" "$tmp/backlog.err" && break; sleep 0.1; done
sleep 0.3
kill -STOP "$cap_pid"
pids=()
for s in $(seq 0 $((senders - 1))); do
  ip -n "$ns" -batch "$tmp/batch$s" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
kill -CONT "$cap_pid"
sleep 3
kill -INT "$cap_pid"; wait "$cap_pid" || true; cap_pid=
"$bin" read -r "$tmp/backlog.pcapng" -T csv -Y 'nlmsg.type == RTM_NEWROUTE && rt-route.table == 101' \
  | awk -F, -v total="$total" 'NR == 2 { a = $3 } NR > 1 { b = $3; n++ }
      END { printf "backlog (listener stopped during the burst): %d/%d survived, drained in %.3f s (%.0f frames/s)\n", n, total, b - a, (b > a ? n / (b - a) : 0) }'
echo "  $(grep "frames captured" "$tmp/backlog.err" || true)"
