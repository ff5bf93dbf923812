#!/bin/bash
# Record captures/connector-events.pcapng (our monitor) and captures/connector-forkstat.pcap
# (forkstat under strace); run from the repository root as root.
OUT=${OUT:-$PWD/captures}; S=$PWD/scripts/captures  # run from the repository root
export CMDS=$OUT/connector.cmds.txt; : >"$CMDS"; . $S/lib.sh
note "part 1 (connector-events.pcapng): background nlscope capture --monitor proc -w connector-events.pcapng -a duration:3"
${NLSCOPE:-target/debug/nlscope} capture --monitor proc -w $OUT/connector-events.pcapng -a duration:3 --force >/tmp/cn.log 2>&1 &
P=$!; sleep 1
r true
r sh -c 'exit 3'
r sleep 0.1
wait $P; echo "# nlscope capture exit $?: $(cat /tmp/cn.log)" >>"$CMDS"
note "part 2 (connector.pcap): strace2pcap.py connector.pcap -- timeout 2 forkstat   (while: true; sh -c 'exit 3'; sleep 0.1 run 0.5 s later)"
(sleep 0.7; true; sh -c 'exit 3'; sleep 0.1) &
python3 ../shared/tools/strace2pcap.py $OUT/connector-forkstat.pcap -- timeout 2 forkstat >/tmp/fs.log 2>&1
echo "\$ timeout 2 forkstat" >>"$CMDS"; cat /tmp/fs.log >>"$CMDS"; echo "[exit $?]" >>"$CMDS"
