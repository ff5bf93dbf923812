#!/bin/sh
# Record captures/xfrm-monitor.pcap: `ip xfrm monitor` and the commands that make it print, in
# a fresh network namespace, all under strace (the kernel here has no nlmon):
#   python3 ../shared/tools/strace2pcap.py captures/xfrm-monitor.pcap -- sh scripts/captures/xfrm-monitor.sh
# Events: new policies, an acquire (traffic that a policy wants protected but no SA covers), a
# policy whose hard time limit expires, a policy deleted, SA and policy flushes. (This
# kernel has no ESP/AH algorithms, so no SA can be added; the shared xfrm capture has SAs.)
ip netns del nlsxm 2>/dev/null || true
ip netns add nlsxm
ip -n nlsxm link set lo up
ip -n nlsxm link add d0 type veth peer name d1
ip -n nlsxm addr add 192.0.2.1/24 dev d0
ip -n nlsxm link set d0 up
ip -n nlsxm link set d1 up
ip netns exec nlsxm timeout 6 ip xfrm monitor &
sleep 1
ip -n nlsxm xfrm policy add src 192.0.2.1/32 dst 192.0.2.9/32 dir out \
    tmpl src 192.0.2.1 dst 192.0.2.9 proto esp reqid 9 mode tunnel
ip netns exec nlsxm python3 -c '
import socket
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("192.0.2.9", 9))
' 2>/dev/null || true
ip -n nlsxm xfrm policy add src 192.0.2.1/32 dst 192.0.2.77/32 dir in limit time-hard 1
ip -n nlsxm xfrm policy add src 192.0.2.1/32 dst 192.0.2.88/32 dir fwd action block
ip -n nlsxm xfrm policy del src 192.0.2.1/32 dst 192.0.2.88/32 dir fwd
sleep 2.5
ip -n nlsxm xfrm state flush
ip -n nlsxm xfrm policy flush
wait
ip netns del nlsxm
