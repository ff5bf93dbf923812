#!/usr/bin/env bash
# Capture soak: `nlscope capture --monitor all -b filesize:1024,files:4` inside a network
# namespace for DURATION seconds (default 600) under steady churn of links, addresses, routes
# and nftables tables/chains/rules, then:
#   - resident memory of the ring capture at the start (after a warm-up), every 30 s, and at the end;
#   - every generated event (each object gets a unique name, so each add and delete is one
#     identifiable notification) looked up in what the ring captured and in a second,
#     ring-less capture running beside it. The ring deletes its oldest files as it rotates:
#     each ring file is hard-linked as soon as it appears, so its whole content survives
#     the rotation and "all ring files together" is really everything the ring wrote;
#   - the drops both captures report.
# Exits non-zero if an event is missing from either capture or a capture reported drops.
#
# usage: scripts/soak.sh [DURATION_SECONDS]   (root; NLSCOPE=path of the binary,
#        default target/release/nlscope; SOAK_DIR=where the files go, default a temp dir)
set -euo pipefail
DURATION=${1:-600}
NLSCOPE=${NLSCOPE:-target/release/nlscope}
NS=nlsoak$$
DIR=${SOAK_DIR:-$(mktemp -d /tmp/nlscope-soak.XXXXXX)}
mkdir -p "$DIR/ring" "$DIR/kept"
[ "$(id -u)" = 0 ] || { echo "soak: needs root (network namespace, monitor sockets)" >&2; exit 2; }
command -v nft >/dev/null || { echo "soak: needs nft (nftables)" >&2; exit 2; }
[ -x "$NLSCOPE" ] || { echo "soak: no nlscope at $NLSCOPE (cargo build --release, or set NLSCOPE)" >&2; exit 2; }

ip netns add "$NS"
ring_pid= full_pid= keep_pid=
cleanup() {
  for p in $keep_pid $ring_pid $full_pid; do kill "$p" 2>/dev/null || true; done
  ip netns del "$NS" 2>/dev/null || true
}
trap cleanup EXIT

rss() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

"$NLSCOPE" capture --no-system-specs --netns "$NS" --monitor all -b filesize:1024,files:4 \
  -w "$DIR/ring/ring.pcapng" 2>"$DIR/ring.log" &
ring_pid=$!
"$NLSCOPE" capture --no-system-specs --netns "$NS" --monitor all -w "$DIR/full.pcapng" \
  2>"$DIR/full.log" &
full_pid=$!
# Hard-link each ring file the moment it exists (4 files of 1 MB cannot fill in 0.2 s).
(
  while :; do
    for f in "$DIR"/ring/ring_*.pcapng; do
      [ -e "$f" ] && [ ! -e "$DIR/kept/${f##*/}" ] && ln "$f" "$DIR/kept/${f##*/}" 2>/dev/null
    done
    sleep 0.2
  done
) &
keep_pid=$!
sleep 3
rss_start=$(rss "$ring_pid")
rss_full_start=$(rss "$full_pid")
echo "soak: $DURATION s in netns $NS, files in $DIR; ring capture RSS at start ${rss_start} kB"

# The churn: iteration i creates and removes one of each object, all named by i.
X="ip netns exec $NS"
gen=$DIR/generated.txt
: >"$gen"
i=0
end=$((SECONDS + DURATION))
next_sample=$((SECONDS + 30))
samples=()
while [ $SECONDS -lt $end ]; do
  i=$((i + 1))
  a=$(((i / 250) % 250)) b=$((i % 250))
  link=sk$i addr=10.$a.$b.1 net=10.$((100 + a)).$b.0/24 tbl=soak$i
  ip -n "$NS" link add "$link" type veth peer name "${link}p" && echo "link-add $link" >>"$gen"
  ip -n "$NS" link set "$link" up
  ip -n "$NS" addr add "$addr/32" dev "$link" && echo "addr-add $addr/32" >>"$gen"
  ip -n "$NS" route add "$net" dev "$link" && echo "route-add $net" >>"$gen"
  $X nft add table inet "$tbl" && echo "nft-table-add $tbl" >>"$gen"
  $X nft add chain inet "$tbl" c '{ type filter hook input priority 0; }' && echo "nft-chain-add $tbl" >>"$gen"
  $X nft add rule inet "$tbl" c tcp dport "$((1000 + b))" accept && echo "nft-rule-add $tbl" >>"$gen"
  # Deleting the table deletes its rule and chain too (one notification each).
  $X nft delete table inet "$tbl" && printf 'nft-rule-del %s\nnft-chain-del %s\nnft-table-del %s\n' "$tbl" "$tbl" "$tbl" >>"$gen"
  ip -n "$NS" route del "$net" dev "$link" && echo "route-del $net" >>"$gen"
  ip -n "$NS" addr del "$addr/32" dev "$link" && echo "addr-del $addr/32" >>"$gen"
  ip -n "$NS" link del "$link" && echo "link-del $link" >>"$gen"
  if [ $SECONDS -ge $next_sample ]; then
    samples+=("$(rss "$ring_pid")")
    next_sample=$((SECONDS + 30))
  fi
done
sleep 2
rss_end=$(rss "$ring_pid")
rss_full_end=$(rss "$full_pid")
kill -INT "$ring_pid" "$full_pid"
wait "$ring_pid" "$full_pid" || true
kill "$keep_pid" 2>/dev/null || true
wait "$keep_pid" 2>/dev/null || true
ring_pid= full_pid= keep_pid=

# The same identities, from the captures' summary lines.
events() {
  "$NLSCOPE" read --no-system-specs -r "$1" 2>/dev/null | awk '
    / RTM_NEWLINK [0-9]+: sk[0-9]+ / { for (i = 1; i <= NF; i++) if ($i ~ /^sk[0-9]+$/) { print "link-add " $i; break } }
    / RTM_DELLINK [0-9]+: sk[0-9]+ / { for (i = 1; i <= NF; i++) if ($i ~ /^sk[0-9]+$/) { print "link-del " $i; break } }
    / RTM_NEWADDR .* inet 10\./ { for (i = 1; i <= NF; i++) if ($i == "inet") { print "addr-add " $(i + 1); break } }
    / RTM_DELADDR .* inet 10\./ { for (i = 1; i <= NF; i++) if ($i == "inet") { print "addr-del " $(i + 1); break } }
    / RTM_NEWROUTE 10\.[0-9]+\.[0-9]+\.0\/24 / { for (i = 1; i <= NF; i++) if ($i ~ /^10\.[0-9]+\.[0-9]+\.0\/24$/) { print "route-add " $i; break } }
    / RTM_DELROUTE 10\.[0-9]+\.[0-9]+\.0\/24 / { for (i = 1; i <= NF; i++) if ($i ~ /^10\.[0-9]+\.[0-9]+\.0\/24$/) { print "route-del " $i; break } }
    / NFT_MSG_NEWTABLE table inet soak/ { for (i = 1; i <= NF; i++) if ($i == "inet") { print "nft-table-add " $(i + 1); break } }
    / NFT_MSG_DELTABLE table inet soak/ { for (i = 1; i <= NF; i++) if ($i == "inet") { print "nft-table-del " $(i + 1); break } }
    / NFT_MSG_NEWCHAIN chain inet soak/ { for (i = 1; i <= NF; i++) if ($i == "inet") { print "nft-chain-add " $(i + 1); break } }
    / NFT_MSG_DELCHAIN chain inet soak/ { for (i = 1; i <= NF; i++) if ($i == "inet") { print "nft-chain-del " $(i + 1); break } }
    / NFT_MSG_NEWRULE rule inet soak/ { for (i = 1; i <= NF; i++) if ($i == "inet") { print "nft-rule-add " $(i + 1); break } }
    / NFT_MSG_DELRULE rule inet soak/ { for (i = 1; i <= NF; i++) if ($i == "inet") { print "nft-rule-del " $(i + 1); break } }'
}
sort -u "$gen" >"$DIR/gen.sorted"
for f in "$DIR"/kept/*.pcapng; do events "$f"; done | sort -u >"$DIR/ring.sorted"
events "$DIR/full.pcapng" | sort -u >"$DIR/full.sorted"

ring_files=$(find "$DIR/kept" -name '*.pcapng' | wc -l)
ring_bytes=$(du -cb "$DIR"/kept/*.pcapng | tail -1 | cut -f1)
echo
echo "iterations: $i; ring files written: $ring_files ($ring_bytes bytes), kept by the ring at the end: $(find "$DIR/ring" -name '*.pcapng' | wc -l)"
echo "ring capture RSS: start ${rss_start} kB, end ${rss_end} kB; every 30 s: ${samples[*]:-}"
echo "full capture RSS: start ${rss_full_start} kB, end ${rss_full_end} kB"
echo "ring capture: $(tail -1 "$DIR/ring.log")"
echo "full capture: $(tail -1 "$DIR/full.log")"
printf '%-14s %10s %10s %10s %10s %10s\n' kind generated ring missing full missing
fail=0
for k in link-add link-del addr-add addr-del route-add route-del nft-table-add nft-table-del \
  nft-chain-add nft-chain-del nft-rule-add nft-rule-del; do
  g=$(grep -c "^$k " "$DIR/gen.sorted" || true)
  r=$(grep "^$k " "$DIR/gen.sorted" | comm -12 - "$DIR/ring.sorted" | wc -l)
  f=$(grep "^$k " "$DIR/gen.sorted" | comm -12 - "$DIR/full.sorted" | wc -l)
  printf '%-14s %10d %10d %10d %10d %10d\n' "$k" "$g" "$r" $((g - r)) "$f" $((g - f))
  [ "$r" -eq "$g" ] && [ "$f" -eq "$g" ] || fail=1
done
for log in ring full; do
  d=$(tail -1 "$DIR/$log.log" | sed -n 's/.* \([0-9]*\) dropped.*/\1/p')
  [ "${d:-1}" = 0 ] || { echo "$log capture dropped frames (or reported nothing): $(tail -1 "$DIR/$log.log")"; fail=1; }
done
if [ $fail = 0 ]; then echo "soak: PASS (every generated event captured by both, no drops)"; else echo "soak: FAIL"; fi
exit $fail
