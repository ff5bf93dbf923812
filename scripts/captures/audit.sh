#!/bin/bash
# Reproduce audit.pcap (strace2pcap) + audit-events.pcapng (nlscope --monitor audit)
OUT=${OUT:-$PWD/captures}; S=$PWD/scripts/captures  # run from the repository root
if [ "$1" != inner ]; then
  export CMDS=$OUT/audit.cmds.txt; : >"$CMDS"; . $S/lib.sh
  note "saved rules: auditctl -l > /tmp/audit-rules.saved"; auditctl -l >/tmp/audit-rules.saved 2>&1
  note "captured with: strace2pcap.py audit.pcap -- bash scripts/audit.sh inner"
  python3 ../shared/tools/strace2pcap.py $OUT/audit.pcap -- bash $S/audit.sh inner >/dev/null 2>&1
  echo "strace2pcap exit $?"
  exit 0
fi
. $S/lib.sh
r auditctl -s
r auditctl -a always,exit -F arch=b64 -S unlink -F key=nlscope-pre1
r auditctl -w /etc/hostname -p wa -k nlscope-pre2
r auditctl -l
r auditctl -a always,exit -F arch=b64 -S openat -F dir=/tmp -F key=nlscope-test
r auditctl -l
r auditctl -d always,exit -F arch=b64 -S openat -F dir=/tmp -F key=nlscope-test
r auditctl -W /etc/hostname -p wa -k nlscope-pre2
r auditctl -d always,exit -F arch=b64 -S unlink -F key=nlscope-pre1
r auditctl -l
r auditctl -e 1
r auditctl -m "nlscope test message"
r auditctl -e 0
r auditctl -s
