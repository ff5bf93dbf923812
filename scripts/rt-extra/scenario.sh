# nlmon VM scenario (sourced by shared/nlmon-vm/guest-init.sh) that records rtnetlink traffic
# beyond shared/captures: many link kinds, routes with multipath/encap/metrics, rules with
# port/uid ranges, nexthop groups, netconf, neighbour tables, address labels, netns ids, stats,
# tc qdiscs/classes/filters/actions/chains, bridge vlan/mdb/fdb/vni, and with the helper
# rtnl-extra (scripts/rt-extra/rtnl-extra.c): multicast/anycast dumps, DCB requests,
# ND user options and multicast cache reports. Run by scripts/rt-extra/record.sh.
rx() { /usr/local/bin/rtnl-extra "$@"; }
# guest-init.sh's cap_start with a larger capture buffer (-B, KiB): the dumps of ~50 links
# overran the default one.
cap_start() {
  NAME=$1
  : > /out/$NAME.cmds.txt
  /usr/bin/tcpdump -Z root -B 32768 -i nlmon0 --immediate-mode -U -w /out/$NAME.pcap 2>/out/$NAME.tcpdump.log &
  TPID=$!
  i=0
  while ! grep -q 'listening on' /out/$NAME.tcpdump.log 2>/dev/null; do
    i=$((i+1)); [ $i -gt 100 ] && { log "tcpdump did not start for $NAME"; break; }
    usleep 50000
  done
  usleep 200000
}
sysw() { echo "$2" > "/proc/sys/$(echo "$1" | tr . /)"; }

# Common setup, not recorded.
ip link add veth0 type veth peer name veth1
ip link add dummy0 type dummy
ip link add dummy1 type dummy
ip link add dummy2 type dummy
for d in veth0 veth1 dummy0 dummy1 dummy2; do ip link set $d up; done
ip addr add 192.0.2.1/24 dev veth0
ip addr add 192.0.2.3/24 dev veth1
ip -6 addr add 2001:db8::1/64 dev veth0 nodad
modprobe mpls_router; modprobe mpls_iptunnel
sysw net.mpls.platform_labels 1000
mkdir -p /dev/net; [ -e /dev/net/tun ] || mknod /dev/net/tun c 10 200

########## links of many kinds, one detailed dump, deletes
cap_start rt-links
r ip link add link dummy0 name dummy0.10 type vlan id 10 protocol 802.1ad egress-qos-map 1:2 ingress-qos-map 3:4
r ip link add vxlan1 type vxlan id 100 local 192.0.2.1 remote 192.0.2.9 dstport 4789 ttl 64 dev dummy0
r ip link add vxlan2 type vxlan dstport 4790 external vnifilter
r ip link add br1 type bridge stp_state 1 vlan_filtering 1 mcast_snooping 1 forward_delay 400
r ip link set veth1 master br1
r ip link set dev veth1 type bridge_slave cost 5 learning on
r ip link add bond1 type bond mode active-backup miimon 100
r ip link set dummy1 down
r ip link set dummy1 master bond1
r ip link add macvlan1 link dummy0 type macvlan mode vepa
r ip link add ipvlan0 link dummy2 type ipvlan mode l3
r ip link add gnv0 type geneve id 10 remote 192.0.2.9 ttl 32
r ip link add gre1 type gre local 192.0.2.1 remote 192.0.2.9 ttl 64 key 5
r ip link add gretap1 type gretap local 192.0.2.1 remote 192.0.2.8
r ip link add ip6gre1 type ip6gre local 2001:db8::1 remote 2001:db8::9
r ip link add ipip1 type ipip local 192.0.2.1 remote 192.0.2.7
r ip link add sit1 type sit local 192.0.2.1 remote 192.0.2.6
r ip link add ip6tnl1 type ip6tnl mode ip6ip6 local 2001:db8::1 remote 2001:db8::8
r ip link add vti1 type vti local 192.0.2.1 remote 192.0.2.5 key 7
r ip tuntap add dev tun0 mode tun
r ip link add vrf0 type vrf table 10
r ip link set dummy2 master vrf0
r ip link add team0 type team
r ip link add wg0 type wireguard
r ip link add xfrm0 type xfrm dev dummy0 if_id 5
r ip link add ifb2 type ifb
r ip link add vm0 numtxqueues 4 numrxqueues 4 type veth peer name vm1
r ip link property add dev dummy0 altname dummy-alt
r ip -d link show
r ip -s -s link show dev veth0
r ip link property del dev dummy0 altname dummy-alt
r ip link del ifb2
r ip link del team0
r ip link del gre1
cap_stop

########## addresses, routes, neighbours, rules, nexthops, netconf, ... with a monitor
cap_start rt-misc
echo '$ ip -t monitor all &   (background listener)' >> /out/$NAME.cmds.txt
/usr/sbin/ip -t monitor all > /out/rt-misc.monitor.txt 2>&1 &
MPID=$!
usleep 300000
r ip addr add 198.51.100.1/24 brd + dev dummy0 label dummy0:a
r ip -6 addr add 2001:db8:2::1/64 dev dummy0 valid_lft 3600 preferred_lft 1800
r ip route add 10.1.0.0/16 nexthop via 192.0.2.254 dev veth0 weight 1 nexthop via 192.0.2.253 dev veth0 weight 3
r ip route add 10.2.0.0/16 encap mpls 100/200 via 192.0.2.254 dev veth0
r ip -6 route add 2001:db8:9::/48 encap seg6 mode encap segs 2001:db8::a,2001:db8::b dev veth0
ip link set vxlan2 up
r ip route add 10.3.0.0/16 encap ip id 5 dst 192.0.2.9 ttl 10 dev vxlan2
r ip route add 10.4.0.0/16 via 192.0.2.254 mtu lock 1400 advmss 1360 rtt 10ms window 1000 initcwnd 10 quickack 1
r ip route add 10.5.0.0/16 via inet6 fe80::1 dev veth0
r ip -6 route add 2001:db8:5::/48 via 2001:db8::2 dev veth0 pref high expires 600
r ip route add unreachable 10.6.0.0/16
r ip route add prohibit 10.7.0.0/16 table 200
r ip -f mpls route add 100 as 200 via inet 192.0.2.254 dev veth0
r ip -f mpls route show
r ip route show table all
r ip route get 10.4.1.1
r ip route get fibmatch 10.1.2.3
r ip neigh add 192.0.2.5 lladdr 02:00:00:00:00:05 dev veth0 nud reachable
r ip neigh add proxy 192.0.2.6 dev veth0
r ip -s neigh show
r ip neigh show proxy
r ip rule add from 192.0.2.0/24 ipproto tcp sport 1000-2000 dport 80 uidrange 1000-2000 table 100 priority 1100
r ip rule add not to 10.0.0.0/8 iif veth0 oif dummy0 fwmark 0x5/0xff tos 0x10 suppress_prefixlength 0 priority 1200 lookup main
r ip -6 rule add from 2001:db8::/64 priority 1300 table 100 protocol static
r ip rule show
r ip -6 rule show
r ip nexthop add id 1 via 192.0.2.254 dev veth0
r ip nexthop add id 2 via 192.0.2.253 dev veth0
r ip nexthop add id 3 blackhole
r ip nexthop add id 4 encap mpls 300 via 192.0.2.254 dev veth0
r ip -6 nexthop add id 5 via 2001:db8::2 dev veth0
r ip nexthop add id 10 group 1/2
r ip nexthop add id 11 group 1,3/2,5
r ip nexthop add id 12 group 1/2 type resilient buckets 8 idle_timer 60
r ip route add 10.20.0.0/16 nhid 10
r ip nexthop show
r ip nexthop get id 11
r ip nexthop bucket show id 12
r sysw net.ipv4.conf.veth0.forwarding 1
r ip netconf show
r ip -6 netconf show dev veth0
r ip ntable show dev veth0
r ip ntable change name arp_cache dev veth0 queue 8
r ip addrlabel add prefix 2001:db8:7::/48 label 99
r ip addrlabel list
r ip addrlabel del prefix 2001:db8:7::/48 label 99
r ip netns add ns1
r ip netns set ns1 7
r ip netns list-id
r ip link add vns0 type veth peer name vns1 netns ns1
r ip link show dev vns0
r ip stats show dev veth0 group link
r ip stats show dev veth0 group afstats
r ip stats show dev veth0 group offload
r rx mcdump
r rx dcb dummy0
# An RA into veth0 (from its peer's side) with RDNSS/DNSSL and a prefix: RTM_NEWNDUSEROPT,
# RTM_NEWPREFIX. veth1 is a bridge port in this VM, so use a fresh pair.
echo '$ rtnl-extra listen 10 &   (listener for ND user options and cache reports)' >> /out/$NAME.cmds.txt
/usr/local/bin/rtnl-extra listen 10 > /out/rt-misc.listen.txt 2>&1 &
LPID=$!
ip link add ra0 type veth peer name ra1
ip link set ra0 up; ip link set ra1 up
ip addr add 198.18.0.1/24 dev ra1
usleep 2500000
r rx ra ra1
# Multicast routing: unresolved (S,G) on ra0 -> RTM_NEWCACHEREPORT, and the ipmr dumps.
sysw net.ipv4.conf.all.rp_filter 0
sysw net.ipv4.conf.ra0.rp_filter 0
sysw net.ipv4.conf.ra0.accept_local 1
sysw net.ipv4.conf.all.accept_local 1
echo '$ rtnl-extra mroute ra0 dummy0 6 &' >> /out/$NAME.cmds.txt
/usr/local/bin/rtnl-extra mroute ra0 dummy0 6 >> /out/$NAME.cmds.txt 2>&1 &
usleep 500000
r rx mcsend ra1
r ip mroute show
r ip -6 mroute show
wait $LPID
r ip route del 10.20.0.0/16
r ip nexthop flush
r ip rule del priority 1100
r ip -6 rule del priority 1300
r ip route del 10.1.0.0/16
r ip -6 route del 2001:db8:9::/48
r ip neigh del 192.0.2.5 dev veth0
r ip addr del 198.51.100.1/24 dev dummy0
r ip netns del ns1
usleep 300000
kill $MPID
wait $MPID
cap_stop

########## tc: qdiscs, classes, filters, actions, chains
ip link add td0 type dummy; ip link set td0 up
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do ip link add tq$i type dummy; ip link set tq$i up; done
cap_start tc-extra
echo '$ ip -t monitor all &   (background listener)' >> /out/$NAME.cmds.txt
/usr/sbin/ip -t monitor all > /out/tc-extra.monitor.txt 2>&1 &
MPID=$!
usleep 300000
r tc qdisc add dev td0 root handle 1: hfsc default 10
r tc class add dev td0 parent 1: classid 1:1 hfsc sc rate 10mbit ul rate 20mbit
r tc class add dev td0 parent 1:1 classid 1:10 hfsc ls m1 2mbit d 10ms m2 1mbit
r tc qdisc add dev td0 parent 1:10 handle 10: sfq perturb 10
r tc qdisc add dev tq1 root handle 1: prio bands 4 priomap 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3
r tc qdisc add dev tq2 root pfifo limit 100
r tc qdisc add dev tq3 root bfifo limit 10kb
r tc qdisc add dev tq4 root fq maxrate 10mbit quantum 3028 flow_limit 50
r tc qdisc add dev tq5 root fq_codel limit 1000 target 5ms interval 100ms ecn
r tc qdisc add dev tq6 root codel target 5ms interval 100ms
r tc qdisc add dev tq7 root cake bandwidth 100mbit besteffort
r tc qdisc add dev tq8 root netem delay 10ms 2ms loss 1% duplicate 1% rate 1mbit
r tc qdisc add dev tq9 root red limit 400000 min 30000 max 90000 avpkt 1000 burst 55 probability 0.02 bandwidth 10mbit
r tc qdisc add dev tq10 root tbf rate 1mbit burst 32kbit latency 400ms
r tc qdisc add dev vm0 root handle 1: mq
r tc qdisc add dev tq11 ingress
r tc qdisc add dev tq12 root handle 1: htb default 10
r tc class add dev tq12 parent 1: classid 1:10 htb rate 10mbit ceil 20mbit burst 15k
r tc qdisc add dev td0 clsact
r tc filter add dev tq12 parent 1: protocol ip prio 1 u32 match ip src 10.0.0.0/8 match ip dport 80 0xffff flowid 1:10
r tc filter add dev tq12 parent 1: protocol ip prio 2 handle 5 fw classid 1:10
r tc filter add dev tq12 parent 1: protocol ip prio 3 route to 10 classid 1:10
r tc filter add dev tq12 parent 1: protocol ip prio 4 basic match 'cmp(u8 at 9 layer network eq 6)' classid 1:10
r tc filter add dev tq12 parent 1: protocol all prio 5 bpf bytecode '1,6 0 0 4294967295,' classid 1:10
r tc filter add dev td0 ingress protocol ip prio 1 flower ip_proto tcp dst_port 80 src_ip 10.0.0.1 action drop
r tc filter add dev td0 ingress protocol all prio 2 matchall action mirred egress redirect dev tq1
r tc filter add dev td0 ingress protocol ip prio 3 u32 match ip protocol 17 0xff action police rate 1mbit burst 10k conform-exceed drop
r tc filter add dev td0 ingress protocol ip prio 4 matchall action skbedit priority 5 mark 7
r tc filter add dev td0 egress protocol ip prio 1 matchall action pedit ex munge ip ttl set 10
r tc filter add dev td0 egress protocol all prio 2 matchall action vlan push id 100
r tc filter add dev td0 egress protocol ip prio 3 matchall action csum ip4h udp
r tc filter add dev td0 egress protocol ip prio 4 matchall action bpf bytecode '1,6 0 0 4294967295,'
r tc filter add dev td0 egress protocol ip prio 5 matchall action ct zone 5
r tc filter add dev td0 egress protocol ip prio 6 matchall action nat egress 10.0.0.1 192.0.2.1
r tc actions add action gact drop index 5
r tc actions add action gact pass random determ drop 10 index 6
r tc chain add dev tq11 ingress chain 5 protocol ip flower dst_ip 192.0.2.0/24
r tc filter add dev tq11 ingress chain 5 protocol ip prio 1 flower dst_ip 192.0.2.0/24 action pass
r tc chain show dev tq11 ingress
r tc -s qdisc show
r tc -s class show dev td0
r tc -s class show dev tq12
r tc -s filter show dev tq12
r tc -s filter show dev td0 ingress
r tc -s filter show dev td0 egress
r tc -s actions list action gact
r tc chain del dev tq11 ingress chain 5
r tc filter del dev td0 ingress protocol ip prio 1 flower
r tc actions delete action gact index 5
r tc qdisc del dev td0 root
r tc qdisc del dev tq12 root
usleep 300000
kill $MPID
wait $MPID
cap_stop

########## bridge: vlan, mdb, fdb, vni (with bridge monitor)
cap_start bridge-extra
echo '$ bridge monitor all &   (background listener)' >> /out/$NAME.cmds.txt
/usr/sbin/bridge monitor all > /out/bridge-extra.monitor.txt 2>&1 &
MPID=$!
usleep 300000
r ip link set br1 up
r bridge vlan add vid 10-12 dev veth1
r bridge vlan add vid 20 dev veth1 pvid untagged
r bridge vlan add vid 10 dev br1 self
r bridge vlan show
r bridge -d vlan show
r bridge -s vlan show
r bridge vlan global set vid 10 dev br1 mcast_snooping 1 mcast_query_interval 12000
r bridge vlan global show
r bridge mdb add dev br1 port veth1 grp 239.1.1.1 permanent vid 10
r bridge mdb add dev br1 port veth1 grp ff0e::1 temp vid 10
r bridge mdb show
r bridge -d mdb show
r bridge fdb add 02:00:00:00:00:bb dev veth1 master static vlan 10
r bridge fdb append 00:00:00:00:00:00 dev vxlan1 dst 192.0.2.20
r bridge fdb show
r bridge fdb get 02:00:00:00:00:bb br br1 vlan 10
r bridge link set dev veth1 cost 10 guard on
r bridge -d link show
r bridge vni add dev vxlan2 vni 100-102
r bridge vni show
r bridge vni delete dev vxlan2 vni 101
r bridge mdb del dev br1 port veth1 grp 239.1.1.1 vid 10
r bridge fdb del 02:00:00:00:00:bb dev veth1 master vlan 10
r bridge vlan del vid 11 dev veth1
usleep 300000
kill $MPID
wait $MPID
cap_stop
