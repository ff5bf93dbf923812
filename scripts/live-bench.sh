#!/usr/bin/env bash
# Measure the desktop app's UI frame times during a live capture of a burst of route
# notifications, on a real window under Xvfb (as root: it makes a network namespace).
#
#   sudo scripts/live-bench.sh [ROUTES]
#
# The app runs inside a fresh network namespace with a dummy link (or a veth); Ctrl+E (typed with xdotool)
# starts a capture with the default options (monitor route,genl; in this process, as root);
# `ip -batch` then adds ROUTES (default 20000) routes to it, and Ctrl+E stops the
# capture WAIT (default 3) seconds after. Prints the app's own NLSCOPE_TIMING lines: frames
# captured and dropped, and the UI time per frame while capturing (all frames, and the frames
# that added rows). Needs what scripts/gui-bench.sh needs, plus iproute2, and a release build
# (or NLSCOPE_BIN).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${NLSCOPE_BIN:-target/release/nlscope}")
routes=${1:-20000}
wait_s=${WAIT:-3}
[ -x "$bin" ] || { echo "live-bench: $bin not found; run cargo build --release" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "live-bench: needs root (network namespace)" >&2; exit 1; }
for t in xvfb-run xdotool ip; do
    command -v "$t" >/dev/null || { echo "live-bench: '$t' missing" >&2; exit 1; }
done
tmp=$(mktemp -d)
ns=nlsbench$$
trap 'ip netns del "$ns" 2>/dev/null || true; rm -rf "$tmp"' EXIT
ip netns add "$ns"
# A dummy link when the kernel has the module, else one end of a veth pair.
ip -n "$ns" link add d0 type dummy 2>/dev/null ||
    ip -n "$ns" link add d0 type veth peer name d1
ip -n "$ns" link set d0 up
for ((i = 0; i < routes; i++)); do
    echo "route add 10.$((i / 250)).$((i % 250)).0/24 dev d0"
done > "$tmp/routes"
export XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" HOME="$tmp"
export LIBGL_ALWAYS_SOFTWARE=1 WINIT_UNIX_BACKEND=x11 NLSCOPE_TIMING=1
unset WAYLAND_DISPLAY
xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
    bin=$1 ns=$2 batch=$3 wait_s=$4
    ip netns exec "$ns" "$bin" 2>&1 &
    pid=$!
    sleep 2
    # No window manager: give the window the focus (a click on the empty list area).
    wid=$(xdotool search --pid "$pid" | tail -1)
    xdotool windowfocus "$wid" 2>/dev/null || true
    xdotool mousemove 640 760 sleep 0.2 mousedown 1 sleep 0.1 mouseup 1; sleep 0.3
    xdotool key ctrl+e; sleep 1.5
    t0=$(date +%s.%N)
    ip -n "$ns" -batch "$batch"
    echo "ip -batch took $(echo "$(date +%s.%N) - $t0" | bc) s"
    sleep "$wait_s"
    xdotool key ctrl+e; sleep 1
    kill "$pid"; wait "$pid" 2>/dev/null || true
' _ "$bin" "$ns" "$tmp/routes" "$wait_s"
