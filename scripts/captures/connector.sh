#!/bin/bash
OUT=${OUT:-$PWD/captures}; S=$PWD/scripts/captures  # run from the repository root
export CMDS=$OUT/connector.cmds.txt; : >"$CMDS"; . $S/lib.sh
note "part 1 (connector-events.pcapng): background nlscope capture --monitor proc -w connector-events.pcapng -a duration:3"
${NLSCOPE:-target/debug/nlscope} capture --monitor proc -w $OUT/connector-events.pcapng -a duration:3 --force >/tmp/cn.log 2>&1 &
P=$!; sleep 1
r true
r sh -c 'exit 3'
r sleep 0.1
wait $P; echo "# nlscope capture exit $?: $(cat /tmp/cn.log)" >>"$CMDS"
note "part 2 (connector.pcap): strace2pcap.py connector.pcap -- timeout 1 forkstat   (while: true; sh -c 'exit 3'; sleep 0.1 run 0.5 s later)"
(sleep 0.3; true; sh -c 'exit 3'; sleep 0.1) &
note "strace2pcap's own strace call omits writev from trace=, and forkstat subscribes with writev: so strace is run here with writev/readv added, then strace2pcap.py --from"
echo "\$ strace -f -yy -ttt -xx -s 0 -e trace=socket,sendto,sendmsg,recvfrom,recvmsg,read,write,writev,readv -e read=all -e write=all -o /tmp/forkstat.strace timeout 1 forkstat" >>"$CMDS"
strace -f -yy -ttt -xx -s 0 -e trace=socket,sendto,sendmsg,recvfrom,recvmsg,read,write,writev,readv -e read=all -e write=all -o /tmp/forkstat.strace timeout 1 forkstat >>"$CMDS" 2>&1; echo "[exit $?]" >>"$CMDS"
r python3 ../shared/tools/strace2pcap.py $OUT/connector-forkstat.pcap --from /tmp/forkstat.strace
# The repository keeps classic pcap: the same frames, without the pcapng comments.
${NLSCOPE:-target/debug/nlscope} read -r $OUT/connector-events.pcapng -w $OUT/connector-events.pcap && rm $OUT/connector-events.pcapng
