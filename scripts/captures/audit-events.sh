#!/bin/bash
# audit-events.pcapng: AUDIT_NLGRP_READLOG multicast via nlscope capture --monitor audit
OUT=${OUT:-$PWD/captures}; S=$PWD/scripts/captures  # run from the repository root
export CMDS=$OUT/audit-events.cmds.txt; : >"$CMDS"; . $S/lib.sh
mkdir -p /tmp/nlscope-audit
r auditctl -e 1
r auditctl -w /tmp/nlscope-audit -p wa -k nlscope-watch
note "background: nlscope capture --monitor audit -w audit-events.pcapng -a duration:3"
${NLSCOPE:-target/debug/nlscope} capture --monitor audit -w $OUT/audit-events.pcapng -a duration:3 --force >/tmp/au.log 2>&1 & P=$!
sleep 1
r touch /tmp/nlscope-audit/file1
r auditctl -m "nlscope test message"
wait $P; echo "# nlscope capture exit $?: $(cat /tmp/au.log)" >>"$CMDS"
r auditctl -W /tmp/nlscope-audit -p wa -k nlscope-watch
r auditctl -e 0
r auditctl -l
# The repository keeps classic pcap: the same frames, without the pcapng comments.
${NLSCOPE:-target/debug/nlscope} read -r $OUT/audit-events.pcapng -w $OUT/audit-events.pcap && rm $OUT/audit-events.pcapng
