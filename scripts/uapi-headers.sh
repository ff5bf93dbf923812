#!/usr/bin/env bash
# Unpacks the newest uapi headers Debian has (linux-libc-dev from unstable) into DIR
# (default target/uapi), for tests/it/uapi.rs: the installed headers of a stable distribution
# lack the generic netlink families of newer kernels (netdev, dpll, handshake, net_shaper,
# ovpn, ...). Uses apt with private state; the system's sources and packages are untouched.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${1:-target/uapi}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main" >"$work/sources.list"
opts=(-o "Dir::Etc::sourcelist=$work/sources.list" -o Dir::Etc::sourceparts=-
      -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o APT::Sandbox::User=root)
apt-get -qq "${opts[@]}" update
(cd "$work" && apt-get -qq "${opts[@]}" download linux-libc-dev)
deb=$(ls "$work"/linux-libc-dev_*.deb)
rm -rf "$dest"
mkdir -p "$dest"
dpkg-deb -x "$deb" "$dest"
echo "uapi headers: $(basename "$deb") in $dest"
