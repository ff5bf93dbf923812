# Scenario for ../shared/nlmon-vm/run.sh: real tools speaking generic netlink families, one
# small capture per family (captures/genl-FAMILY.pcap + .cmds.txt). Each capture starts before
# the tool runs, so it holds the tool's own CTRL_CMD_GETFAMILY exchange (nlscope learns the
# family id from it). Run from the repository root (Debian 12 host; ipvsadm, teamd/teamnl and
# nbd-client/nbd-server are not in the VM's default tool set, so they come from the host):
#   apt-get install ipvsadm libteam-utils nbd-client nbd-server
#   EXTRA_KMODS="drivers/block/nbd" bash ../shared/nlmon-vm/run.sh -s scripts/vm/genl-families.sh \
#     -b /usr/sbin/ipvsadm -b /usr/bin/teamnl -b /usr/bin/teamd -b /usr/bin/teamdctl \
#     -b /usr/sbin/nbd-client -b /usr/bin/nbd-server -o OUTDIR
# then copy OUTDIR/genl-*.pcap and OUTDIR/genl-*.cmds.txt to captures/.
# Tools without a binary anywhere (gtp-link, hostapd) are skipped; see the .cmds.txt notes.

# tools passed with -b (absolute paths: busybox applets must not shadow them)
ipvsadm()    { /usr/local/bin/ipvsadm "$@"; }
teamnl()     { /usr/local/bin/teamnl "$@"; }
teamd()      { /usr/local/bin/teamd "$@"; }
teamdctl()   { /usr/local/bin/teamdctl "$@"; }
nbd_client() { /usr/local/bin/nbd-client "$@"; }
note() { echo "# $*" >> /out/$NAME.cmds.txt; }
# rto SECS /abs/path ARGS...: like r, but killed after SECS (for tools that might wait forever)
rto() {
  s=$1; shift; c=$1; shift
  echo "\$ ${c##*/} $*" >> /out/$NAME.cmds.txt
  timeout "$s" "$c" "$@" >> /out/$NAME.cmds.txt 2>&1
  echo "[exit $?]" >> /out/$NAME.cmds.txt
}
# bg SUFFIX /abs/path ARGS...: start a listener in the background (output in /out/$NAME.SUFFIX.txt;
# for captures/ that output was appended to the end of $NAME.cmds.txt)
bg() {
  sfx=$1; shift; c=$1; shift
  echo "\$ ${c##*/} $* &   (background listener; output in $NAME.$sfx.txt)" >> /out/$NAME.cmds.txt
  "$c" "$@" > /out/$NAME.$sfx.txt 2>&1 &
  BGPID=$!
  usleep 300000
}
bg_stop() { usleep 300000; kill -INT $BGPID 2>/dev/null; usleep 100000; kill $BGPID 2>/dev/null; wait $BGPID 2>/dev/null; }

# cap_start as in guest-init.sh, plus a 32 MiB capture buffer (-B): with the default one
# tcpdump lost frames of the bigger dumps (iw list, teamd's link dumps)
cap_start() {
  NAME=$1
  : > /out/$NAME.cmds.txt
  /usr/bin/tcpdump -Z root -i nlmon0 -B 32768 --immediate-mode -U -w /out/$NAME.pcap 2>/out/$NAME.tcpdump.log &
  TPID=$!
  i=0
  while ! grep -q 'listening on' /out/$NAME.tcpdump.log 2>/dev/null; do
    i=$((i+1)); [ $i -gt 100 ] && { log "tcpdump did not start for $NAME"; break; }
    usleep 50000
  done
  usleep 200000
}

# r as in guest-init.sh, plus a progress line on the console (serial.log shows where a run hangs)
r() {
  log "$NAME: $*"
  echo "\$ $*" >> /out/$NAME.cmds.txt
  "$@" >> /out/$NAME.cmds.txt 2>&1
  echo "[exit $?]" >> /out/$NAME.cmds.txt
}

uname -r > /out/kernel.txt
for m in cfg80211 mac80211 l2tp_core l2tp_netlink l2tp_eth l2tp_ip l2tp_ip6 fou fou6 macsec ila tipc \
         drop_monitor team team_mode_activebackup ip_vs ip_vs_rr ip_vs_wrr ip_vs_wlc nbd; do
  modprobe $m 2>>/out/modprobe.log || log "modprobe $m failed"
done
modprobe mac80211_hwsim radios=2 2>>/out/modprobe.log || log "modprobe mac80211_hwsim failed"

# common setup, outside every capture
ip link add veth0 type veth peer name veth1
ip link add dummy0 type dummy
ip addr add 192.0.2.1/24 dev veth0
ip addr add 192.0.2.2/24 dev veth1
ip -6 addr add 2001:db8::1/64 dev veth0 nodad
ip addr add 198.51.100.1/24 dev dummy0
ip link set veth0 up; ip link set veth1 up; ip link set dummy0 up
usleep 500000

########## nlctrl: genl tool, incl. notifications of a family that registers and goes
cap_start genl-nlctrl
bg monitor /usr/sbin/genl ctrl monitor
r genl ctrl list
r genl ctrl get name nlctrl
r genl ctrl get id 0x10
r genl ctrl get name nl80211
r genl ctrl get name nosuchfamily
r genl ctrl policy name nlctrl
r genl ctrl policy name wireguard
note "gtp has no tool here (gtp-link of libgtpnl is not packaged in Debian 12): only its family"
note "registering and unregistering is recorded, seen by the monitor above"
r modprobe gtp
r genl ctrl get name gtp
r modprobe -r gtp
bg_stop
cap_stop

########## nl80211: iw with mac80211_hwsim (2 radios); IBSS on both, a scan that finds it, mesh
cap_start genl-nl80211
note "mac80211_hwsim radios=2 loaded before the capture (phy0/wlan0, phy1/wlan1)"
note "no hostapd/wpa_supplicant in the VM: no AP, no connect; IBSS and mesh are what iw alone can do"
bg events /usr/sbin/iw event -t
r iw dev
r iw list
r iw phy phy0 info
r iw reg get
r iw dev wlan1 set type ibss
r ip link set wlan1 up
r iw dev wlan1 ibss join nlscope-ibss 2412
note "(mac80211 scans for the IBSS first and creates its own after about 7 s: waiting for that in dmesg)"
i=0; while ! dmesg | grep -q 'Creating new IBSS'; do i=$((i+1)); [ $i -gt 40 ] && break; usleep 500000; done
r ip link set wlan0 up
rto 120 /usr/sbin/iw dev wlan0 scan
r ip link set wlan0 down
r iw dev wlan0 set type ibss
r ip link set wlan0 up
r iw dev wlan0 ibss join nlscope-ibss 2412
sleep 2
r iw dev wlan0 station dump
r iw dev wlan0 link
r iw dev wlan0 survey dump
r iw dev wlan0 ibss leave
r ip link set wlan0 down
r ip link set wlan1 down
r iw dev wlan0 set type managed
r iw phy phy0 interface add mon0 type monitor flags otherbss
r iw dev mon0 del
r iw phy phy0 interface add mesh0 type mp
r iw phy phy1 interface add mesh1 type mp
r ip link set mesh0 up
r ip link set mesh1 up
r iw dev mesh1 mesh join nlscope-mesh freq 2437
r iw dev mesh0 mesh join nlscope-mesh freq 2437
sleep 2
r iw dev mesh0 station dump
r iw dev mesh0 mpath dump
r iw dev mesh0 get mesh_param mesh_hwmp_rootmode
r iw dev mesh0 mesh leave
r iw dev mesh0 del
r iw dev mesh1 del
bg_stop
cap_stop
modprobe -r mac80211_hwsim   # fewer links in the later captures' link dumps

########## ethtool: veth and dummy, with ethtool --monitor running
cap_start genl-ethtool
bg monitor /usr/sbin/ethtool --monitor
r ethtool -i veth0
r ethtool -k veth0
r ethtool -K veth0 tso off gro on
r ethtool -g veth0
r ethtool -l veth0
r ethtool -L veth0 rx 2
r ethtool -a veth0
r ethtool -c veth0
r ethtool --show-eee veth0
r ethtool -S veth0
r ethtool -S veth0 --all-groups
r ethtool --json -k veth0
r ethtool --show-fec veth0
r ethtool dummy0
r ethtool -i dummy0
bg_stop
cap_stop

########## devlink: no devlink device in this VM (Debian's kernel has no netdevsim): empty dumps
cap_start genl-devlink
note "no devlink instance exists here (no netdevsim in Debian's kernel, no NIC): the dumps are empty"
bg monitor /usr/sbin/devlink monitor
r devlink dev
r devlink port
r devlink -j dev info
r devlink dev info pci/0000:00:01.0
r devlink sb
r devlink trap
r devlink health
r devlink region
r devlink dev param
bg_stop
cap_stop

########## wireguard: wg0 here, its peer wg1 in a netns (its UDP socket stays here), handshake
wg genkey > /tmp/wg0.key; wg pubkey < /tmp/wg0.key > /tmp/wg0.pub
wg genkey > /tmp/wg1.key; wg pubkey < /tmp/wg1.key > /tmp/wg1.pub
wg genkey > /tmp/wg2.key; wg pubkey < /tmp/wg2.key > /tmp/wg2.pub
wg genpsk > /tmp/wg.psk
ip netns add wgpeer
ip link add wg0 type wireguard
ip link add wg1 type wireguard
ip link set wg1 netns wgpeer
ip addr add 10.9.0.1/24 dev wg0
ip -n wgpeer addr add 10.9.0.2/24 dev wg1
ip -n wgpeer link set lo up
cap_start genl-wireguard
note "set up before: wg0 (10.9.0.1/24) here; wg1 (10.9.0.2/24) created here, moved to netns wgpeer"
note "keys: wg genkey/pubkey/genpsk (no netlink) in /tmp"
r wg set wg0 listen-port 51820 private-key /tmp/wg0.key peer "$(cat /tmp/wg1.pub)" preshared-key /tmp/wg.psk allowed-ips 10.9.0.2/32,fd00:9::2/128 endpoint 127.0.0.1:51821 persistent-keepalive 25
r ip netns exec wgpeer /usr/bin/wg set wg1 listen-port 51821 private-key /tmp/wg1.key peer "$(cat /tmp/wg0.pub)" preshared-key /tmp/wg.psk allowed-ips 10.9.0.0/24 endpoint 127.0.0.1:51820
r ip link set wg0 up
r ip -n wgpeer link set wg1 up
r ping -c 1 -W 5 10.9.0.2
sleep 2
r ping -c 2 -W 2 10.9.0.2
r wg show
r wg show all dump
r wg showconf wg0
r wg show wg0 latest-handshakes
r wg show wg0 transfer
r wg set wg0 fwmark 0x42 peer "$(cat /tmp/wg2.pub)" allowed-ips 192.0.2.128/25,2001:db8:2::/48 endpoint [2001:db8::2]:51822
r wg show wg0
r wg set wg0 peer "$(cat /tmp/wg2.pub)" remove
r ip netns exec wgpeer /usr/bin/wg show wg1 peers
r ip link del wg0
cap_stop
ip netns del wgpeer

########## mptcp_pm: endpoints and limits, with ip mptcp monitor running
cap_start genl-mptcp_pm
note "ip mptcp monitor only reports MPTCP connection events; there is no MPTCP-capable client in the VM, so it sees none"
bg monitor /usr/sbin/ip mptcp monitor
r ip mptcp limits set subflows 2 add_addr_accepted 2
r ip mptcp limits show
r ip mptcp endpoint add 192.0.2.1 dev veth0 id 1 signal
r ip mptcp endpoint add 198.51.100.1 dev dummy0 id 2 subflow backup
r ip mptcp endpoint add 2001:db8::1 dev veth0 id 3 signal port 8443
r ip mptcp endpoint show
r ip mptcp endpoint show id 2
r ip mptcp endpoint change id 2 nobackup
r ip mptcp endpoint del id 3
r ip mptcp endpoint show
r ip mptcp endpoint flush
r ip mptcp endpoint show
bg_stop
cap_stop

########## tcp_metrics: after TCP connections over lo (busybox httpd + wget)
httpd -p 127.0.0.1:8080 -h /tmp
httpd -p 8082 -h /tmp
for i in 1 2; do
  wget -q -O /dev/null http://127.0.0.1:8080/ 2>/dev/null
  wget -q -O /dev/null http://192.0.2.2:8082/ 2>/dev/null
  wget -q -O /dev/null 'http://[2001:db8::1]:8082/' 2>/dev/null
done
sleep 1
cap_start genl-tcp_metrics
note "set up before: busybox httpd on 127.0.0.1:8080 and :8082, wget to 127.0.0.1, 192.0.2.2, [2001:db8::1] (twice each)"
r ip tcp_metrics show
r ip -6 tcp_metrics show
r ip tcp_metrics show 127.0.0.1
r ip tcp_metrics delete 192.0.2.2
r ip tcp_metrics show
r ip tcp_metrics flush all
r ip tcp_metrics show
cap_stop

########## l2tp: UDP- and IP-encapsulated tunnels with ethernet sessions
cap_start genl-l2tp
r ip l2tp add tunnel tunnel_id 3000 peer_tunnel_id 4000 encap udp local 192.0.2.1 remote 192.0.2.2 udp_sport 5000 udp_dport 6000
r ip l2tp add session name l2tpeth0 tunnel_id 3000 session_id 1000 peer_session_id 2000
r ip l2tp add tunnel tunnel_id 3001 peer_tunnel_id 4001 encap ip local 192.0.2.1 remote 192.0.2.3
r ip l2tp add session tunnel_id 3001 session_id 1001 peer_session_id 2001 cookie 0123456789abcdef peer_cookie 89abcdef seq both
r ip l2tp add tunnel tunnel_id 3002 peer_tunnel_id 4002 encap udp local 2001:db8::1 remote 2001:db8::2 udp_sport 5002 udp_dport 6002 udp6_csum_tx off
r ip l2tp show tunnel
r ip l2tp show tunnel tunnel_id 3000
r ip l2tp show session
r ip l2tp show session tunnel_id 3001 session_id 1001
r ip l2tp del session tunnel_id 3000 session_id 1000
r ip l2tp del session tunnel_id 3001 session_id 1001
r ip l2tp del tunnel tunnel_id 3000
r ip l2tp del tunnel tunnel_id 3001
r ip l2tp del tunnel tunnel_id 3002
r ip l2tp show tunnel
cap_stop

########## fou: FOU and GUE receive ports
cap_start genl-fou
r ip fou add port 5555 ipproto 4
r ip fou add port 5556 gue
r ip fou add port 5557 ipproto 47 local 192.0.2.1 peer 192.0.2.2 peer_port 5558 dev veth0
r ip -6 fou add port 5559 ipproto 41
r ip fou show
r ip -6 fou show
r ip fou del port 5555
r ip fou del port 5557 local 192.0.2.1 peer 192.0.2.2 peer_port 5558 dev veth0
r ip fou del port 5556
r ip -6 fou del port 5559
r ip fou show
cap_stop

########## macsec: secure channels and associations with keys (GCM-AES-128 and -XPN-128)
cap_start genl-macsec
r ip link add link veth0 macsec0 type macsec port 11 encrypt on
r ip macsec add macsec0 tx sa 0 pn 1024 on key 01 81818181818181818181818181818181
r ip macsec add macsec0 rx port 1234 address c6:19:52:8f:e6:a0
r ip macsec add macsec0 rx port 1234 address c6:19:52:8f:e6:a0 sa 0 pn 1 on key 00 82828282828282828282828282828282
r ip link add link veth0 macsec1 type macsec port 12 cipher gcm-aes-xpn-128
r ip macsec add macsec1 tx sa 1 xpn 4294967296 on salt 838383838383838383838383 ssci 1 key 02 84848484848484848484848484848484
r ip macsec add macsec1 rx sci 0x0200000000000001
r ip macsec add macsec1 rx sci 0x0200000000000001 sa 2 xpn 1 on salt 858585858585858585858585 ssci 2 key 03 86868686868686868686868686868686
r ip macsec show
r ip -s macsec show macsec0
r ip macsec set macsec0 tx sa 0 off
r ip macsec set macsec0 rx port 1234 address c6:19:52:8f:e6:a0 off
r ip macsec set macsec0 rx port 1234 address c6:19:52:8f:e6:a0 sa 0 off
r ip macsec del macsec0 rx port 1234 address c6:19:52:8f:e6:a0 sa 0
r ip macsec offload macsec0 mac
r ip macsec show macsec0
r ip link del macsec1
r ip link del macsec0
cap_stop

########## SEG6: tunnel source and HMAC keys (ip sr reads the HMAC secret with getpass: from stdin here)
cap_start genl-seg6
r ip sr tunsrc set 2001:db8::1
r ip sr tunsrc show
echo '$ echo nlscope-secret | ip sr hmac set 42 sha256' >> /out/$NAME.cmds.txt
echo nlscope-secret | ip sr hmac set 42 sha256 >> /out/$NAME.cmds.txt 2>&1; echo "[exit $?]" >> /out/$NAME.cmds.txt
echo '$ echo other-secret | ip sr hmac set 7 sha1' >> /out/$NAME.cmds.txt
echo other-secret | ip sr hmac set 7 sha1 >> /out/$NAME.cmds.txt 2>&1; echo "[exit $?]" >> /out/$NAME.cmds.txt
r ip sr hmac show
echo '$ echo | ip sr hmac set 7 sha1   (empty secret: removes key 7)' >> /out/$NAME.cmds.txt
echo | ip sr hmac set 7 sha1 >> /out/$NAME.cmds.txt 2>&1; echo "[exit $?]" >> /out/$NAME.cmds.txt
r ip sr hmac show
r ip sr tunsrc set ::
r ip sr tunsrc show
cap_stop

########## IOAM6: namespaces and schemas
cap_start genl-ioam6
r ip ioam namespace add 123 data 0xdeadbeef wide 0xcafec0caf00dc0de
r ip ioam namespace add 124
r ip ioam schema add 777 tutu
r ip ioam schema add 778 0123456789
r ip ioam namespace set 123 schema 777
r ip ioam namespace show
r ip ioam schema show
r ip ioam namespace set 123 schema none
r ip ioam schema del 777
r ip ioam schema del 778
r ip ioam namespace del 123
r ip ioam namespace del 124
r ip ioam namespace show
cap_stop

########## ILA: locator mappings
cap_start genl-ila
r ip ila add loc_match 2001:0:0:1 loc 2001:0:0:2 dev veth0 csum-mode neutral-map ident-type luid
r ip ila add loc_match 2001:0:0:3 loc 2001:0:0:4 csum-mode adj-transport
r ip ila list
r ip ila del loc_match 2001:0:0:1 loc 2001:0:0:2 dev veth0
r ip ila del loc_match 2001:0:0:3
r ip ila list
cap_stop

########## TIPCv2: node identity, UDP and Ethernet bearers, links, name table, sockets
cap_start genl-tipc
r tipc node set netid 4711
r tipc node set identity 1001
r tipc node get identity
r tipc node get address
r tipc node get netid
r tipc bearer enable media udp name udp1 localip 192.0.2.1 localport 6118
r tipc bearer enable media eth device dummy0
r tipc bearer list
r tipc bearer get tolerance media udp name udp1
r tipc bearer get mtu media udp name udp1
r tipc media list
r tipc media get tolerance media eth
r tipc link list
r tipc link get tolerance link broadcast-link
r tipc link stat show
r tipc link monitor summary
r tipc node list
r tipc nametable show
r tipc socket list
r tipc bearer disable media udp name udp1
r tipc bearer disable media eth device dummy0
r tipc bearer list
cap_stop

########## NET_DM: dropwatch fed its interactive commands on stdin; TCP SYNs to a closed port and nft-dropped pings make drops
nft add table inet dw
nft add chain inet dw input '{ type filter hook input priority 0; policy accept; }'
nft add rule inet dw input icmp type echo-request drop
cap_start genl-net_dm
note "dropwatch -l kas, commands fed on stdin one line at a time: show; set alertlimit 1; start"
note "(stops itself after 1 alert); set alertmode packet; set trunc 64; start; (SIGINT after 2.5 s: stop); stats; exit"
note "meanwhile, every 0.2 s: a TCP SYN to 127.0.0.1:1 (no socket: dropped) and a ping to 127.0.0.1"
note "that an nft rule set up before (table inet dw, hook input) drops"
( for i in $(seq 1 80); do wget -q -O /dev/null http://127.0.0.1:1/ >/dev/null 2>&1
    ping -c 1 -W 1 127.0.0.1 >/dev/null 2>&1 & usleep 200000; done ) &
DROPPID=$!
echo '$ dropwatch -l kas   (Ctrl-C, i.e. SIGINT, once during the packet-mode monitoring)' >> /out/$NAME.cmds.txt
( echo show; usleep 500000; echo set alertlimit 1; echo start; sleep 4;
  echo set alertmode packet; echo set trunc 64; echo start; sleep 5;
  echo stats; echo exit ) | /usr/bin/dropwatch -l kas >> /out/$NAME.cmds.txt 2>&1 &
DWPID=$!
( sleep 30; kill $DWPID 2>/dev/null ) &
WDPID=$!
sleep 7
kill -INT $DWPID
wait $DWPID
echo "[exit $?]" >> /out/$NAME.cmds.txt
kill $WDPID 2>/dev/null
kill $DROPPID 2>/dev/null; wait $DROPPID 2>/dev/null
cap_stop
nft delete table inet dw

########## IPVS: ipvsadm virtual services, real servers, timeouts, sync daemon
cap_start genl-ipvs
r ipvsadm -A -t 192.0.2.1:80 -s rr
r ipvsadm -a -t 192.0.2.1:80 -r 192.0.2.2:8080 -m -w 2
r ipvsadm -a -t 192.0.2.1:80 -r 192.0.2.3:80 -g
r ipvsadm -A -u 192.0.2.1:53 -s wlc
r ipvsadm -a -u 192.0.2.1:53 -r 192.0.2.4:53 -i
r ipvsadm -A -f 7 -s wrr
r ipvsadm -A -t [2001:db8::1]:443 -s rr -p 300
r ipvsadm -L -n
r ipvsadm -L -n --stats
r ipvsadm -L -n --rate
r ipvsadm -E -t 192.0.2.1:80 -s wrr
r ipvsadm -e -t 192.0.2.1:80 -r 192.0.2.2:8080 -m -w 5
r ipvsadm --set 900 120 300
r ipvsadm -L --timeout
r ipvsadm --start-daemon master --mcast-interface veth0 --syncid 5
r ipvsadm -L --daemon
r ipvsadm --stop-daemon master
r ipvsadm -L -n -c
r ipvsadm -S -n
r ipvsadm -d -t 192.0.2.1:80 -r 192.0.2.3:80
r ipvsadm -D -u 192.0.2.1:53
r ipvsadm -C
r ipvsadm -L -n
cap_stop

########## nbd: nbd-client (netlink mode) against nbd-server on 127.0.0.1
dd if=/dev/zero of=/tmp/disk.img bs=1M count=4 2>/dev/null
printf '[generic]\nuser = root\ngroup = root\nlistenaddr = 127.0.0.1\n[disk]\nexportname = /tmp/disk.img\n' > /tmp/nbd.conf
/usr/local/bin/nbd-server -C /tmp/nbd.conf > /out/nbd-server.log 2>&1
sleep 1
cap_start genl-nbd
note "set up before: nbd-server -C /tmp/nbd.conf (export 'disk', a 4 MiB file) on 127.0.0.1:10809"
rto 20 /usr/local/bin/nbd-client -N disk 127.0.0.1 10809 /dev/nbd0
sleep 1
rto 10 /usr/local/bin/nbd-client -c /dev/nbd0
r cat /sys/block/nbd0/size
rto 10 /usr/local/bin/nbd-client -d /dev/nbd0
sleep 1
rto 10 /usr/local/bin/nbd-client -c /dev/nbd0
cap_stop

ip link del veth0; ip link del dummy0   # fewer links in teamd's link dumps
########## team: teamnl on a team device, then teamd (activebackup) driving one
mkdir -p /var/run/teamd
ip link add dummyt0 type dummy
ip link add dummyt1 type dummy
cap_start genl-team
note "set up before: dummy ports dummyt0, dummyt1"
r ip link add team0 type team
bg monitor /usr/local/bin/teamnl team0 monitor all
r teamnl team0 options
r teamnl team0 setoption mode activebackup
r teamnl team0 getoption mode
r ip link set dummyt0 master team0
r teamnl team0 ports
r teamnl team0 setoption activeport "$(cat /sys/class/net/dummyt0/ifindex)"
r teamnl team0 getoption activeport
r teamnl -p dummyt0 team0 getoption enabled
r teamnl team0 setoption mcast_rejoin_count 2
bg_stop
r ip link del team0
rto 15 /usr/local/bin/teamd -d -t team1 -c '{"runner":{"name":"activebackup"},"link_watch":{"name":"ethtool"},"ports":{"dummyt1":{}}}'
sleep 2
r teamdctl team1 state
r teamnl team1 ports
rto 15 /usr/local/bin/teamd -t team1 -k
sleep 1
cap_stop

log "genl-families done"
