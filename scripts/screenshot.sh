#!/usr/bin/env bash
# Run the real nlscope window under a virtual X server and save a PNG of it.
#
#   scripts/screenshot.sh [CAPTURE] [OUT.png]
#
# Defaults: captures/route-link.pcap -> assets/screenshot.png. Installs nothing itself; needs
# (Debian/Ubuntu): apt-get install xvfb xauth imagemagick libgl1-mesa-dri
# and a release build (cargo build --release; or set NLSCOPE_BIN). eframe's glow backend
# renders through Mesa's software OpenGL (llvmpipe) under Xvfb. WAIT (seconds, default 3)
# is how long the window runs before the shot; SIZE (default 1280x800) the screen size.
# CLICK="X,Y X,Y ..." clicks those screen points (with xdotool, apt-get install xdotool) before
# the shot, e.g. to select a message and a tree node for the README picture; X,Y,BxN presses
# mouse button B N times there (X,Y,4x5: the wheel up five times; X,Y,3: a right click).
set -euo pipefail
cd "$(dirname "$0")/.."
capture=${1:-captures/route-link.pcap}
out=${2:-assets/screenshot.png}
bin=${NLSCOPE_BIN:-target/release/nlscope}
size=${SIZE:-1280x800}
wait_s=${WAIT:-3}
[ -x "$bin" ] || { echo "screenshot: $bin not found; run cargo build --release" >&2; exit 1; }
if [ -n "${CLICK:-}" ]; then
    command -v xdotool >/dev/null || { echo "screenshot: CLICK needs xdotool" >&2; exit 1; }
fi
for t in xvfb-run import convert; do
    command -v "$t" >/dev/null || {
        echo "screenshot: '$t' missing; apt-get install xvfb xauth imagemagick libgl1-mesa-dri" >&2
        exit 1
    }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A private config/data home: persisted settings of a developer's own runs stay out of the shot.
export XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" HOME="$tmp"
export LIBGL_ALWAYS_SOFTWARE=1 WINIT_UNIX_BACKEND=x11
unset WAYLAND_DISPLAY
xvfb-run -a -s "-screen 0 ${size}x24" bash -c '
    "$1" "$2" &
    pid=$!
    sleep "$3"
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "screenshot: nlscope exited early" >&2
        exit 1
    fi
    for xy in $5; do
        IFS=, read -r x y b <<< "$xy"
        b=${b:-1}
        xdotool mousemove "$x" "$y" click --repeat "${b#*x}" --delay 80 "${b%x*}"
        sleep 0.7
    done
    [ -z "$5" ] || xdotool mousemove 5 795
    sleep 0.5
    import -window root "$4"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
' _ "$bin" "$capture" "$wait_s" "$tmp/raw.png" "${CLICK:-}"
mkdir -p "$(dirname "$out")"
# A 256-colour palette keeps the PNG small; UI text survives it.
convert "$tmp/raw.png" -strip -colors 256 "PNG8:$out"
echo "screenshot: wrote $out ($(stat -c %s "$out") bytes)"
