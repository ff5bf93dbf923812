#!/bin/sh
# Record captures/nflog.pcap: nftables log rules in a fresh network namespace and tcpdump
# reading their log group (libpcap nflog:5), all under strace (../shared/tools/strace2pcap.py):
#   python3 ../shared/tools/strace2pcap.py captures/nflog.pcap -- sh scripts/captures/nflog.sh
# (the kernel here has no nft queue expression: nfqueue is not in this capture).
ip netns del nlsnf 2>/dev/null || true
ip netns add nlsnf
ip -n nlsnf link set lo up
ip netns exec nlsnf nft add table inet t
ip netns exec nlsnf nft add chain inet t out '{ type filter hook output priority 0; }'
ip netns exec nlsnf nft add rule inet t out ip protocol icmp log prefix '"nlscope "' group 5
ip netns exec nlsnf nft add rule inet t out tcp dport 9 log group 5
( sleep 1; ip netns exec nlsnf python3 -c '
import socket
r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
r.sendto(bytes([8, 0, 0xf7, 0xfe, 0, 1, 0, 0]) + b"nlscope", ("127.0.0.1", 0))
for fam, addr in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
    try:
        socket.create_connection((addr, 9), timeout=1)
    except OSError:
        pass
' ) &
ip netns exec nlsnf timeout 4 tcpdump -n -i nflog:5 -c 3 2>&1 || true
wait
wait
ip netns del nlsnf
