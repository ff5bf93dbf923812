#!/bin/sh
# Record captures/ipset.pcap: ipset creating, filling, listing, testing and destroying sets of
# several types in a fresh network namespace, through strace (the kernel here has no nlmon):
#   python3 ../shared/tools/strace2pcap.py captures/ipset.pcap -- sh -c 'sh scripts/captures/ipset.sh > OUT 2>&1'
r() { echo "\$ $*"; "$@" 2>&1; echo "[exit $?]"; }
ip netns del nlsipset 2>/dev/null || true
ip netns add nlsipset
ns() { ip netns exec nlsipset "$@"; }
r ns ipset create blocked hash:ip timeout 300 comment
r ns ipset add blocked 192.0.2.1 timeout 60 comment "nlscope"
r ns ipset add blocked 192.0.2.2
r ns ipset create svc hash:net,port
r ns ipset add svc 198.51.100.0/24,tcp:443
r ns ipset create ports bitmap:port range 1-1024
r ns ipset add ports 22
r ns ipset create v6 hash:ip family inet6
r ns ipset add v6 2001:db8::1
r ns ipset test blocked 192.0.2.1
r ns ipset test blocked 192.0.2.9
r ns ipset list
r ns ipset del blocked 192.0.2.2
r ns ipset destroy
ip netns del nlsipset
