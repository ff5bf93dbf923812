#!/usr/bin/env bash
# same-output.sh BIN_A BIN_B: whether two builds of nlscope print the same for every capture
# of ../shared/captures and captures/, in every output format and the modes that read
# differently (one thread, delta times, what-changed filters). Lists the runs that differ.
set -u
a=$1 b=$2
here=$(cd "$(dirname "$0")/.." && pwd)
runs=0 diffs=0
for f in "$here"/../shared/captures/*.pcap "$here"/captures/*.pcap*; do
  [ -f "$f" ] || continue
  for args in "" "-T tree" "-T json" "-T ndjson" "-T csv" "--coverage" "-T tree --threads 1" \
      "-t dd" "-T tree -Y nlmsg.changed" "-Y !nlmsg.changed -T ndjson"; do
    runs=$((runs + 1))
    # shellcheck disable=SC2086 # the arguments split on purpose
    if ! cmp -s <("$a" read -r "$f" $args 2>&1) <("$b" read -r "$f" $args 2>&1); then
      diffs=$((diffs + 1))
      echo "differs: $f $args"
    fi
  done
done
echo "runs=$runs differing=$diffs"
[ "$diffs" -eq 0 ]
