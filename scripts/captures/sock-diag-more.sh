#!/bin/bash
OUT=${OUT:-$PWD/captures}; S=$PWD/scripts/captures  # run from the repository root; NS=nlsdiag
if [ "$1" != inner ]; then
  export CMDS=$OUT/sock-diag-more.cmds.txt; : >"$CMDS"; . $S/lib.sh
  ip netns del $NS 2>/dev/null
  r ip netns add $NS
  r ip -n $NS link set lo up
  note "background in netns: python3 scripts/sockdiag_fixtures.py (tcp 127.0.0.1:8081 listener+connection, udp 127.0.0.1:5353, AF_PACKET raw socket, unix socketpair)"
  ip netns exec $NS python3 $S/sockdiag_fixtures.py >/tmp/fix.log 2>&1 & FP=$!
  sleep 1.5
  note "captured with: ip netns exec $NS strace2pcap.py sock-diag-more.pcap -- bash scripts/sock-diag-more.sh inner"
  ip netns exec $NS python3 ../shared/tools/strace2pcap.py $OUT/sock-diag-more.pcap -- bash $S/sock-diag-more.sh inner >/tmp/sd.log 2>&1
  kill $FP; wait $FP 2>/dev/null
  r ip netns del $NS
  cat /tmp/sd.log; exit 0
fi
. $S/lib.sh
r ss -A netlink
r ss -0 -a
r ss -tn state established '( dport = :8081 or sport = :8081 )'
r ss -tinem
r ss -xp
r ss -uan
r ss -K dst 127.0.0.1 dport = :8081
r ss -tn
r ss -M
r ss --tipc
r ss --vsock
r ss --xdp
