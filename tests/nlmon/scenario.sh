# nlmon end-to-end scenario: tcpdump and `nlscope capture` record nlmon0 at the same time while
# real tools talk netlink; the host then checks that both captured the same frames, byte for byte
# (tests/it/nlmon_vm.rs). Sourced by shared/nlmon-vm/guest-init.sh after nlmon0 is up; log, r
# and the tool functions (ip, tc, genl, ss, ethtool) come from there. Results land in /out:
#   tcpdump.pcap tcpdump.log tcpdump.rc   nlscope.pcapng nlscope.log nlscope.rc
#   e2e.cmds.txt (commands, output, exit codes)   e2e.status (ready/stopped markers)
#   create.pcapng create.log create.rc create.cmds.txt (the --create-nlmon run at the end)
#   full.log full.rc full.cmds.txt (--create-nlmon writing to /dev/full)

NAME=e2e
: > /out/e2e.cmds.txt
: > /out/e2e.status

# wait_for FILE TEXT: up to 10 s for TEXT to appear in FILE
wait_for() {
  i=0
  while ! grep -q "$2" "$1" 2>/dev/null; do
    i=$((i+1))
    if [ $i -gt 200 ]; then log "timed out waiting for '$2' in $1"; echo "timeout: $2" >> /out/e2e.status; return 1; fi
    usleep 50000
  done
  echo "ready: $2" >> /out/e2e.status
}

# nlscope first: at start it dumps the namespace's generic netlink families and links (for the
# file's section comments) before opening its own packet socket, so it does not capture those
# dumps; tcpdump, started after, does not see them either.
/usr/local/bin/nlscope capture -i nlmon0 -w /out/nlscope.pcapng 2>/out/nlscope.log &
NPID=$!
wait_for /out/nlscope.log 'Capturing on'
# -B: libpcap's default 2 MB ring holds only 8 frames of nlmon's 256 KiB snapshot length, and
# under emulation a burst (a dump reply) overran it now and then: 64 MB holds 256.
/usr/bin/tcpdump -Z root -i nlmon0 --immediate-mode -U -B 65536 -w /out/tcpdump.pcap 2>/out/tcpdump.log &
TPID=$!
wait_for /out/tcpdump.log 'listening on'
usleep 300000
log "e2e: tcpdump ($TPID) and nlscope ($NPID) capturing"

r ip link add veth0 type veth peer name veth1
r ip link add dummy0 type dummy
r ip link set dummy0 up
r ip link set veth0 up
r ip addr add 192.0.2.1/24 dev veth0
r ip -6 addr add 2001:db8::1/64 dev veth0 nodad
r ip route add 198.51.100.0/24 via 192.0.2.254 dev veth0
r ip link show
r ip -d link show dev veth0
r ip addr show
r ip route show
r ip -6 route show
r tc qdisc add dev veth0 root handle 1: htb default 10
r tc class add dev veth0 parent 1: classid 1:10 htb rate 10mbit
r tc qdisc show
r tc class show dev veth0
r genl ctrl list
r ss -tan
r ss -xa
r ethtool veth0
r ethtool -i veth0
r ethtool -k dummy0
r tc qdisc del dev veth0 root
r ip route del 198.51.100.0/24
r ip link del dummy0
r ip link del veth0

# Let late notifications arrive, then stop both; tcpdump needs a moment to write its last frames.
usleep 500000
kill -INT $NPID
kill -INT $TPID
wait $NPID
echo $? > /out/nlscope.rc
wait $TPID
echo $? > /out/tcpdump.rc
echo stopped >> /out/e2e.status
log "e2e: nlscope: $(tail -n 1 /out/nlscope.log)"
log "e2e: tcpdump: $(tail -n 3 /out/tcpdump.log | tr '\n' ' ')"

# --create-nlmon: nlscope makes nlmon1 itself, captures for 3 s (autostop) and removes it again.
NAME=create
: > /out/create.cmds.txt
/usr/local/bin/nlscope capture --create-nlmon -i nlmon1 -a duration:3 -w /out/create.pcapng 2>/out/create.log &
CPID=$!
wait_for /out/create.log 'Capturing on'
r ip -d link show dev nlmon1
r ip -br link show
wait $CPID
echo $? > /out/create.rc
r ip link show dev nlmon1
log "create: $(tail -n 1 /out/create.log)"

# --create-nlmon with a file that cannot be written: the capture ends at once with the write
# error and still removes the nlmon link it made (its worker owns the link; the loop's error
# path joins it).
NAME=full
: > /out/full.cmds.txt
/usr/local/bin/nlscope capture --create-nlmon -i nlmon2 -a duration:20 -w /dev/full --force 2>/out/full.log &
FPID=$!
r ip -br link show
wait $FPID
echo $? > /out/full.rc
r ip link show dev nlmon2
log "full: $(tail -n 1 /out/full.log)"
