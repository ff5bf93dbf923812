# Scenario for ../shared/nlmon-vm/run.sh (-s) that made captures/rt-depth.pcap: rtnetlink
# traffic whose layouts go deeper than plain attributes: u32 selectors with several keys,
# pedit actions (classic and extended), hfsc qdisc and class options, fq_codel qdisc and
# per-flow class statistics, drr and qfq classes, mqprio with a cbs child, ets, a weighted
# nexthop group, bridge MDB entries and multicast router ports (in dumps, and in
# notifications to a running `bridge monitor mdb`). Sourced by guest-init.sh (helpers
# cap_start/cap_stop/r). Few links, since every `show` dumps them all.
for m in sch_hfsc sch_fq_codel sch_drr sch_qfq sch_mqprio sch_cbs sch_ets act_pedit; do modprobe $m; done
ip link add veth0 type veth peer name veth1
ip link add br0 type bridge
ip link add vethm0 numtxqueues 4 numrxqueues 4 type veth peer name vethm1 numtxqueues 4 numrxqueues 4
for d in veth0 veth1 br0 vethm0 vethm1; do ip link set $d up; done
ip addr add 192.0.2.1/24 dev veth0
ip neigh add 192.0.2.2 lladdr 02:00:00:00:00:02 dev veth0

cap_start rt-depth
r tc qdisc add dev br0 root handle 1: hfsc default 11
r tc class add dev br0 parent 1: classid 1:10 hfsc sc rate 10mbit ul rate 20mbit
r tc class add dev br0 parent 1:10 classid 1:11 hfsc rt m1 2mbit d 10ms m2 1mbit ls rate 5mbit
r tc filter add dev br0 parent 1: protocol ip prio 1 u32 match ip dst 192.0.2.2/32 match ip sport 80 0xffff flowid 1:11
r tc actions add action pedit munge offset 0 u8 set 0x1 munge offset 4 u32 set 0x2 index 8
r tc actions add action pedit ex munge ip ttl set 10 munge ip dst set 192.0.2.9 index 7
r tc qdisc add dev veth1 root handle 2: drr
r tc class add dev veth1 parent 2: classid 2:1 drr quantum 1500
r tc qdisc add dev veth1 parent 2:1 handle 4: qfq
r tc class add dev veth1 parent 4: classid 4:1 qfq weight 10 maxpkt 1500
r tc qdisc add dev vethm0 root handle 100: mqprio num_tc 2 map 0 0 0 0 1 1 1 1 queues 2@0 2@2 hw 0
r tc qdisc replace dev vethm0 parent 100:1 cbs idleslope 20000 sendslope -980000 hicredit 30 locredit -1470 offload 0
r tc qdisc add dev vethm1 root handle 3: ets bands 3 strict 1 quanta 1500 1000
# A slow tbf in front of fq_codel keeps the pings queued, so fq_codel has per-flow classes.
r tc qdisc add dev veth0 root handle 1: tbf rate 1kbit burst 200 limit 100000
r tc qdisc add dev veth0 parent 1:1 handle 10: fq_codel
r ping -c 4 -i 0.1 -W 1 192.0.2.2
r tc -s -d class show dev veth0
r tc -s qdisc show dev veth0
r tc -s -d qdisc show dev br0
r tc -s -d class show dev br0
r tc -s -d class show dev veth1
r tc -s -d qdisc show dev vethm0
r tc -s -d class show dev vethm1
r tc filter show dev br0
r tc actions list action pedit
r ip nexthop add id 1 via 192.0.2.2 dev veth0
r ip nexthop add id 2 via 192.0.2.3 dev veth0
r ip nexthop add id 10 group 1,3/2,5
r ip nexthop show
r ip link set dev veth1 master br0
/usr/sbin/bridge monitor mdb > /dev/null 2>&1 &
MONPID=$!
usleep 200000
r bridge mdb add dev br0 port veth1 grp 239.1.1.1 permanent
r bridge mdb add dev br0 port veth1 grp ff0e::1 temp
r bridge link set dev veth1 mcast_router 2
r bridge -d mdb show
r ip link set br0 type bridge vlan_filtering 1 mcast_vlan_snooping 1
r bridge vlan global set vid 1 dev br0 mcast_snooping 1
r bridge vlan set vid 1 dev veth1 mcast_router 2
kill $MONPID
cap_stop
