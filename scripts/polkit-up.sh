#!/usr/bin/env bash
# Make `pkexec` usable as root on a machine without systemd (CI containers): start the system
# D-Bus daemon and polkitd if they are not running. Used by .ci/run so the app's pkexec live
# capture path (tests/it/gui_live.rs) runs; harmless where both already run.
set -euo pipefail
if pkexec /bin/true 2>/dev/null; then
  exit 0
fi
# A socket left behind by a bus that is gone (a container restart) refuses connections:
# start a bus unless one runs.
if ! pgrep -x dbus-daemon >/dev/null; then
  rm -f /run/dbus/system_bus_socket
  mkdir -p /run/dbus
  dbus-daemon --system --fork --nopidfile
fi
polkitd=""
for p in /usr/lib/polkit-1/polkitd /usr/libexec/polkitd /usr/lib/policykit-1/polkitd; do
  [ -x "$p" ] && polkitd=$p && break
done
[ -n "$polkitd" ] || { echo "polkit-up: no polkitd binary" >&2; exit 1; }
pgrep -x polkitd >/dev/null || (setsid "$polkitd" --no-debug >/tmp/nlscope-polkitd.log 2>&1 &)
for _ in $(seq 50); do
  pkexec /bin/true 2>/dev/null && exit 0
  sleep 0.1
done
echo "polkit-up: pkexec still fails" >&2
exit 1
