# nlmon VM scenario (sourced by shared/nlmon-vm/guest-init.sh) for `nlscope state`: dumps, then
# changes while `ip monitor all` listens (so notifications are delivered and tapped), then,
# after capturing stopped, what `ip -j` / `tc -j` print. Run by scripts/vm/state-record.sh.
cap_start state
ip monitor all > /out/state.monitor.txt 2>&1 &
MPID=$!
usleep 300000
r ip link show
r ip addr show
r ip route show table all
r ip neigh show
r ip rule show
r ip nexthop show
r tc qdisc show
r ip link add veth0 type veth peer name veth1
r ip link set veth0 mtu 9000
r ip link set veth0 up
r ip link set veth1 up
r ip link add dummy0 type dummy
r ip link set dummy0 up
r ip addr add 192.0.2.1/24 dev veth0
r ip addr add 198.51.100.1/24 brd + dev dummy0 label dummy0:a
r ip -6 addr add 2001:db8::1/64 dev veth0 nodad
r ip -6 addr add 2001:db8:1::1/64 dev dummy0 nodad
r ip route add 203.0.113.0/24 via 192.0.2.2 dev veth0 metric 10
r ip route add 10.9.0.0/16 nexthop via 192.0.2.2 dev veth0 weight 1 nexthop via 198.51.100.2 dev dummy0 weight 2
r ip route add 10.10.0.0/16 dev dummy0 table 100
r ip -6 route add 2001:db8:5::/48 via 2001:db8::2 dev veth0
r ip neigh add 192.0.2.2 lladdr 02:00:00:00:00:02 dev veth0 nud permanent
r ip neigh add 2001:db8::2 lladdr 02:00:00:00:00:03 dev veth0 nud reachable
r ip rule add from 192.0.2.0/24 table 100 priority 100
r ip nexthop add id 1 via 192.0.2.2 dev veth0
r ip nexthop add id 2 via 198.51.100.2 dev dummy0
r ip nexthop add id 10 group 1/2
r tc qdisc add dev dummy0 root handle 1: htb default 10
r tc qdisc add dev veth0 root fq_codel
r ip route del 10.10.0.0/16 dev dummy0 table 100
r ip addr del 198.51.100.1/24 dev dummy0
r ip nexthop del id 10
r ip link set dummy0 mtu 1400
usleep 500000
kill $MPID 2>/dev/null
usleep 200000
cap_stop
ip -j link show > /out/state.link.json
ip -j addr show > /out/state.addr.json
ip -j route show table all > /out/state.route.json  # both families
ip -j neigh show > /out/state.neigh.json
ip -j rule show > /out/state.rule.json
ip -j nexthop show > /out/state.nexthop.json
tc -j qdisc show > /out/state.qdisc.json
