#!/usr/bin/env python3
"""Build a big benchmark capture by repeating the real nlmon captures in ../shared/captures.

Usage: make-bench-capture.py OUT.pcap [SIZE_MB] [CAPTURE_DIR]

Frames are copied byte for byte (each source capture is replayed whole, so generic netlink
family ids are learned before they are used) with timestamps made monotonic. Nothing here is
committed output: the file is generated on demand by scripts/bench.sh.
"""
import os
import struct
import sys

out = sys.argv[1]
size = int(sys.argv[2]) if len(sys.argv) > 2 else 200
src = sys.argv[3] if len(sys.argv) > 3 else os.path.join(os.path.dirname(__file__), "..", "..", "shared", "captures")

frames = []
for name in sorted(os.listdir(src)):
    if not name.endswith(".pcap"):
        continue
    d = open(os.path.join(src, name), "rb").read()
    magic = struct.unpack("<I", d[:4])[0]
    if magic != 0xA1B2C3D4 or struct.unpack("<I", d[20:24])[0] != 253:
        continue
    off = 24
    while off + 16 <= len(d):
        _, _, incl, orig = struct.unpack("<IIII", d[off:off + 16])
        frames.append((d[off + 16:off + 16 + incl], orig))
        off += 16 + incl

target = size * 1024 * 1024
t = 1_795_000_000 * 1_000_000  # microseconds
written = 24
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 253))
    while written < target:
        for data, orig in frames:
            t += 37
            f.write(struct.pack("<IIII", t // 1_000_000, t % 1_000_000, len(data), orig))
            f.write(data)
            written += 16 + len(data)
print(f"{out}: {written} bytes")
