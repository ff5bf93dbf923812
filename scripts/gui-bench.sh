#!/usr/bin/env bash
# Measure the desktop app's load time, frame times and memory on a real window under Xvfb.
#
#   scripts/gui-bench.sh [CAPTURE] [FILTER...]
#
# Without CAPTURE: the window with no file (the baseline memory). With it: the app opens the
# file, then each FILTER is typed into the filter bar (xdotool) and applied once the previous
# work is done. Prints the app's own NLSCOPE_TIMING lines (first rows, fully indexed, RSS, UI
# frame time p50/p95, filter times) and /proc memory figures sampled while it runs (VmRSS,
# VmHWM = peak, RssAnon, RssFile). Needs what scripts/screenshot.sh needs, plus xdotool, and a
# release build (or NLSCOPE_BIN). WAIT (default 6) is the seconds given to the load and to
# each filter.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${NLSCOPE_BIN:-target/release/nlscope}
capture=${1:-}
[ $# -gt 0 ] && shift
wait_s=${WAIT:-6}
[ -x "$bin" ] || { echo "gui-bench: $bin not found; run cargo build --release" >&2; exit 1; }
for t in xvfb-run xdotool; do
    command -v "$t" >/dev/null || { echo "gui-bench: '$t' missing (apt-get install xvfb xauth xdotool libgl1-mesa-dri)" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" HOME="$tmp"
export LIBGL_ALWAYS_SOFTWARE=1 WINIT_UNIX_BACKEND=x11 NLSCOPE_TIMING=1
unset WAYLAND_DISPLAY
printf '%s\n' "$@" > "$tmp/filters"
xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
    bin=$1 capture=$2 wait_s=$3 filters=$4
    mem() {
        awk -v l="$1" "/^(VmRSS|VmHWM|RssAnon|RssFile):/ {s = s \" \" \$1 \" \" int(\$2/1024) \" MB\"} END {print \"mem \" l \":\" s}" /proc/$pid/status
    }
    if [ -n "$capture" ]; then "$bin" "$capture" 2>&1 & else "$bin" 2>&1 & fi
    pid=$!
    sleep 1; mem "after 1 s"
    sleep "$wait_s"; mem "after load"
    while IFS= read -r f; do
        [ -n "$f" ] || continue
        # No window manager: give the window the focus, then click the filter bar (under the menu).
        wid=$(xdotool search --pid "$pid" | tail -1)
        xdotool windowfocus "$wid" 2>/dev/null || true
        xdotool mousemove 400 39 sleep 0.2 mousedown 1 sleep 0.1 mouseup 1; sleep 0.3
        xdotool key ctrl+a; xdotool type --delay 5 "$f"; sleep 0.3
        xdotool key Return
        sleep "$wait_s"; mem "after filter $f"
    done < "$filters"
    kill "$pid"; wait "$pid" 2>/dev/null || true
' _ "$bin" "$capture" "$wait_s" "$tmp/filters"
