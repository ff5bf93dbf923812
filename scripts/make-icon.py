#!/usr/bin/env python3
"""Draw assets/nlscope.png (128x128 RGBA) from the shapes of assets/nlscope.svg, with no
imaging library: each shape is a distance test, 4x4 supersampled, composited in SVG order.

    python3 scripts/make-icon.py [OUT.png] [SIZE]
"""
import math
import struct
import sys
import zlib

OUT = sys.argv[1] if len(sys.argv) > 1 else "assets/nlscope.png"
SIZE = int(sys.argv[2]) if len(sys.argv) > 2 else 128
SS = 4  # samples per axis


def rgb(h):
    return tuple(int(h[i:i + 2], 16) / 255 for i in (1, 3, 5))


def seg_dist(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def in_round_rect(x, y, x0, y0, w, h, r):
    cx = min(max(x, x0 + r), x0 + w - r)
    cy = min(max(y, y0 + r), y0 + h - r)
    return x0 <= x <= x0 + w and y0 <= y <= y0 + h and math.hypot(x - cx, y - cy) <= r


TRACE = [(15, 28), (20, 28), (23, 20), (27, 35), (31, 22), (34, 28), (39, 28)]
# (colour, inside(x, y)) in painting order, in the SVG's 64x64 user units.
SHAPES = [
    (rgb("#1d3557"), lambda x, y: in_round_rect(x, y, 2, 2, 60, 60, 12)),
    (rgb("#0b1d33"), lambda x, y: math.hypot(x - 27, y - 27) <= 15),
    (rgb("#f1faee"), lambda x, y: abs(math.hypot(x - 27, y - 27) - 15) <= 2),
    (rgb("#f4a261"), lambda x, y: any(seg_dist(x, y, *a, *b) <= 1.5
                                      for a, b in zip(TRACE, TRACE[1:]))),
    (rgb("#f1faee"), lambda x, y: seg_dist(x, y, 38.5, 38.5, 52, 52) <= 3),
]


def pixel(px, py):
    acc = [0.0, 0.0, 0.0, 0.0]  # premultiplied
    for sy in range(SS):
        for sx in range(SS):
            x = (px + (sx + 0.5) / SS) * 64 / SIZE
            y = (py + (sy + 0.5) / SS) * 64 / SIZE
            c, a = (0.0, 0.0, 0.0), 0.0
            for col, inside in SHAPES:
                if inside(x, y):
                    c, a = col, 1.0
            for i in range(3):
                acc[i] += c[i] * a
            acc[3] += a
    n = SS * SS
    a = acc[3] / n
    if a == 0:
        return bytes(4)
    return bytes(round(acc[i] / n / a * 255) for i in range(3)) + bytes([round(a * 255)])


def chunk(kind, data):
    c = kind + data
    return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c) & 0xFFFFFFFF)


rows = b"".join(b"\0" + b"".join(pixel(x, y) for x in range(SIZE)) for y in range(SIZE))
png = (b"\x89PNG\r\n\x1a\n"
       + chunk(b"IHDR", struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(rows, 9))
       + chunk(b"IEND", b""))
with open(OUT, "wb") as f:
    f.write(png)
