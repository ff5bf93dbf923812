#!/usr/bin/env python3
"""Make captures/route-link-be.pcap: a synthetic big-endian copy of a few route-link.pcap frames.

A real capture from a big-endian host has a big-endian pcap magic, and every netlink integer
that the kernel writes in host order is big-endian too. This script takes a few frames of the
little-endian capture and produces what the same messages would look like on such a host:

* the pcap file header and record headers are written big-endian;
* the 16-byte cooked (SLL) header is left alone (it is big-endian on every host);
* nlmsghdr len/type/flags/seq/pid, the NLMSG_ERROR error code and the echoed request header,
  struct members (ifinfomsg, rtnl_link_stats64, ...) and every nlattr len/type are swapped;
* integer attribute payloads (2, 4 or 8 bytes) and the elements of integer arrays
  (IFLA_INET6_CONF, IFLA_INET6_STATS, ...) are swapped, as are the ifinfomsg and attributes
  inside VETH_INFO_PEER;
* opaque binary payloads (shown as hex), strings, addresses and u8 values are left as they
  are.

Which bytes are integers is taken from `nlscope read -T json` of the original (node offsets
and lengths are frame offsets). Fields that are big-endian on every host (`byte-order:
big-endian` in the spec) must not be swapped: the script swaps every integer first, decodes the
result, and reverts any swap whose decoded value changed. It then checks that the decoded JSON
of the big-endian file equals the original's.

Usage: scripts/make-be-capture.py [NLSCOPE_BINARY]   (run from the repository root, after
`cargo build`; default binary target/debug/nlscope)
"""

import json
import struct
import subprocess
import sys
import tempfile

SRC = "captures/route-link.pcap"
DST = "captures/route-link-be.pcap"
# RTM_NEWLINK request + ENODEV error (full echo), veth create request (nested linkinfo) + capped
# ack, the RTM_GETLINK dump request, its six RTM_NEWLINK replies and NLMSG_DONE.
FRAMES = [1, 2, 3, 4, 85, 86, 87]
COOKED = 16


def read_pcap(path):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    assert magic in (0xA1B2C3D4, 0xA1B23C4D), "expected a little-endian pcap"
    hdr = struct.unpack("<IHHiIII", data[:24])
    pos, frames = 24, []
    while pos < len(data):
        sec, frac, incl, orig = struct.unpack("<IIII", data[pos : pos + 16])
        frames.append((sec, frac, orig, bytearray(data[pos + 16 : pos + 16 + incl])))
        pos += 16 + incl
    return hdr, frames


def write_pcap(path, hdr, frames):
    magic, vmaj, vmin, tz, sig, snap, lt = hdr
    out = bytearray(struct.pack(">IHHiIII", magic, vmaj, vmin, tz, sig, snap, lt))
    for sec, frac, orig, data in frames:
        out += struct.pack(">IIII", sec, frac, len(data), orig) + data
    open(path, "wb").write(out)


def decode(nlscope, path):
    out = subprocess.run(
        [nlscope, "read", "-r", path, "-T", "ndjson"], check=True, capture_output=True
    ).stdout
    return [json.loads(line) for line in out.splitlines()]


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def u16le(data, off):
    return struct.unpack_from("<H", data, off)[0]


def tlv_chain(data, nodes):
    """True if `nodes` are consecutive netlink attributes (nla_len == node length)."""
    if not nodes:
        return False
    for a, b in zip(nodes, nodes[1:]):
        if b["offset"] != a["offset"] + ((a["length"] + 3) & ~3):
            return False
    return all(n["length"] >= 4 and u16le(data, n["offset"]) == n["length"] for n in nodes)


def plan_struct(nodes, swaps):
    for n in nodes:
        if n["children"]:
            plan_struct(n["children"], swaps)
        elif is_int(n["value"]) and n["length"] in (2, 4, 8):
            swaps.append((n["offset"], n["length"], "member"))


def plan_attr(data, n, swaps):
    swaps.append((n["offset"], 2, "nla_len"))
    swaps.append((n["offset"] + 2, 2, "nla_type"))
    kids, plen = n["children"], n["length"] - 4
    if kids:
        if tlv_chain(data, kids):
            for k in kids:
                plan_attr(data, k, swaps)
        elif len(kids) > 1 and kids[0]["children"] and tlv_chain(data, kids[1:]):
            # A nest with a fixed header (VETH_INFO_PEER: ifinfomsg, then IFLA_* attributes).
            plan_struct(kids[:1], swaps)
            for k in kids[1:]:
                plan_attr(data, k, swaps)
        else:
            plan_struct(kids, swaps)
    elif is_int(n["value"]) and plen in (2, 4, 8):
        swaps.append((n["offset"] + 4, plen, "payload"))


def plan_mixed(data, nodes, swaps):
    """Top-level nodes after nlmsghdr: fixed header, attributes, or an echoed request."""
    for n in nodes:
        if n["name"] == "request":
            plan_mixed(data, n["children"], swaps)
        elif n["length"] >= 4 and u16le(data, n["offset"]) == n["length"] and n["name"] not in (
            "error",
        ):
            plan_attr(data, n, swaps)
        elif n["children"]:
            plan_struct(n["children"], swaps)
        elif is_int(n["value"]) and n["length"] in (2, 4, 8):
            swaps.append((n["offset"], n["length"], "member"))


def swap(data, off, width):
    data[off : off + width] = data[off : off + width][::-1]


def leaves(nodes, prefix=()):
    for i, n in enumerate(nodes):
        key = prefix + (i,)
        yield key, n
        yield from leaves(n["children"], key)


def main():
    nlscope = sys.argv[1] if len(sys.argv) > 1 else "target/debug/nlscope"
    hdr, frames = read_pcap(SRC)
    picked = [frames[i - 1] for i in FRAMES]
    with tempfile.TemporaryDirectory() as tmp:
        le_path = f"{tmp}/le.pcap"
        # The original frames alone (little-endian), to get offsets and the reference decoding.
        out = bytearray(open(SRC, "rb").read()[:24])
        for sec, frac, orig, data in picked:
            out += struct.pack("<IIII", sec, frac, len(data), orig) + data
        open(le_path, "wb").write(out)
        ref = decode(nlscope, le_path)

        # Plan swaps per frame (frame numbers in `ref` are 1-based within the picked frames).
        plans = {i: [] for i in range(len(picked))}
        for m in ref:
            fi = m["frame"] - 1
            data = picked[fi][3]
            base = COOKED
            # nlmsghdr: the message offset is found from the first tree node (after 16 bytes).
            off = m["tree"][0]["offset"] - 16 if m["tree"] else None
            if off is None:
                # Header-only message: walk to it.
                off, k = base, 0
                while k < m["msg"]:
                    off += (struct.unpack_from("<I", data, off)[0] + 3) & ~3
                    k += 1
            for o, w in ((0, 4), (4, 2), (6, 2), (8, 4), (12, 4)):
                plans[fi].append((off + o, w, "nlmsghdr"))
            plan_mixed(data, m["tree"], plans[fi])

        be = []
        for i, (sec, frac, orig, data) in enumerate(picked):
            d = bytearray(data)
            for o, w, _ in plans[i]:
                swap(d, o, w)
            be.append([sec, frac, orig, d])
        magic = hdr[0]
        write_pcap(DST, (magic,) + hdr[1:], be)

        # Revert swaps of fields that are big-endian on every host (their value changed).
        got = decode(nlscope, DST)
        assert len(got) == len(ref), "message count changed"
        reverted = 0
        for a, b in zip(ref, got):
            fi = a["frame"] - 1
            bl = dict(leaves(b["tree"]))
            for key, n in leaves(a["tree"]):
                o = bl.get(key)
                if o is not None and not n["children"] and o["value"] != n["value"]:
                    for s in plans[fi]:
                        if s[0] == n["offset"] + (n["length"] - s[1]) and s[2] in ("payload", "member"):
                            swap(be[fi][3], s[0], s[1])
                            reverted += 1
                            print(f"kept network order: frame {FRAMES[fi]} {n['name']}")
        if reverted:
            write_pcap(DST, (magic,) + hdr[1:], be)

        got = decode(nlscope, DST)
        for a, b in zip(ref, got):
            a.pop("time"), b.pop("time")
            assert a == b, f"frame {a['frame']} msg {a['msg']} differs after swapping"
    print(f"wrote {DST}: {len(be)} frames, {len(ref)} messages, big-endian")


if __name__ == "__main__":
    main()
