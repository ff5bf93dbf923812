#!/bin/bash
# Record captures/uevent.pcapng (our monitor: kernel uevents of a veth pair); run from the
# repository root as root.
OUT=${OUT:-$PWD/captures}; S=$PWD/scripts/captures  # run from the repository root
export CMDS=$OUT/uevent.cmds.txt; : >"$CMDS"; . $S/lib.sh
r modprobe dummy
rm -f $OUT/uevent.pcapng
note "background: nlscope capture --monitor uevent -w uevent.pcapng -a duration:4"
${NLSCOPE:-target/debug/nlscope} capture --monitor uevent -w $OUT/uevent.pcapng -a duration:4 --force >/tmp/uev.log 2>&1 &
P=$!; sleep 1
r ip link add nlsdummy0 type dummy
r ip link del nlsdummy0
r ip link add nlsveth0 type veth peer name nlsveth1
r ip link del nlsveth0
wait $P; echo "# nlscope capture exit $?: $(cat /tmp/uev.log)" >>"$CMDS"
rs "pgrep -a udevd || echo no udevd running"
# The repository keeps classic pcap: the same frames, without the pcapng comments.
${NLSCOPE:-target/debug/nlscope} read -r $OUT/uevent.pcapng -w $OUT/uevent.pcap && rm $OUT/uevent.pcapng
