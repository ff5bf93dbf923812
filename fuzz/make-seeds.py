#!/usr/bin/env python3
"""Make the fuzz targets' seed corpora from the repository's captures (fuzz/seeds/, not
committed: fuzz/corpus/ holds the minimized corpora). Run from the repository root after a
build of nlscope (its path in $NLSCOPE, for the pcapng seeds)."""
import glob, os, struct, subprocess, sys

NLSCOPE = os.environ.get("NLSCOPE", "target/debug/nlscope")
OUT = "fuzz/seeds"
MODE = {253: 0, 113: 1, 276: 2}


def pcap_frames(path):
    b = open(path, "rb").read()
    magic = b[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return None, []
    linktype = struct.unpack(e + "I", b[20:24])[0] & 0xFFFF
    off, frames = 24, []
    while off + 16 <= len(b):
        incl = struct.unpack(e + "I", b[off + 8:off + 12])[0]
        frames.append(b[off:off + 16 + incl])
        off += 16 + incl
    return (b[:24], linktype, e), frames


def dissect_input(linktype, endian, frames):
    """frames: records (16-byte header + cooked data)."""
    out = bytearray([MODE.get(linktype, 3) | (4 if endian == ">" else 0)])
    for rec in frames:
        d = rec[16:]
        hl = 20 if linktype == 276 else 16
        if linktype == 276:
            proto, pkttype = struct.unpack(">H", d[0:2])[0], d[10]
        else:
            pkttype, proto = struct.unpack(">H", d[0:2])[0], struct.unpack(">H", d[14:16])[0]
        body = d[hl:]
        out += bytes([proto & 0xFF, pkttype & 0x7F]) + struct.pack("<H", len(body)) + body
    return bytes(out)


def write(target, name, data):
    os.makedirs(f"{OUT}/{target}", exist_ok=True)
    open(f"{OUT}/{target}/{name}", "wb").write(data)


def main():
    caps = sorted(glob.glob("captures/*.pcap")) + sorted(glob.glob("../shared/captures/*.pcap"))
    filter_msgs = []
    for path in caps:
        base = os.path.basename(path)[:-5]
        if path.startswith("../shared"):
            base = "shared-" + base
        hdr, frames = pcap_frames(path)
        if hdr is None or not frames:
            continue
        fhdr, linktype, e = hdr
        # Dissector: the first frames (nlctrl replies teaching ids come first in genl
        # captures) and later windows, each at most ~4 KB.
        for i in range(0, min(len(frames), 48), 8):
            chunk = []
            size = 0
            for rec in frames[i:i + 8]:
                if size + len(rec) > 4096 and chunk:
                    break
                chunk.append(rec)
                size += len(rec)
            write("dissect", f"{base}-{i}", dissect_input(linktype, e, chunk))
        if base in ("rt-link", "genl-nl80211", "nftables", "shared-conntrack", "rt-addr") or len(filter_msgs) < 1:
            filter_msgs.append(dissect_input(linktype, e, frames[:6])[1:])
        # Readers: the file's first three records.
        small = fhdr + b"".join(frames[:3])
        write("pcap", base + ".pcap", small)
        write("roundtrip", base + ".pcap", small)
        tmp = f"{OUT}/tmp.pcap"
        open(tmp, "wb").write(small)
        tmpng = f"{OUT}/tmp.pcapng"
        subprocess.run([NLSCOPE, "read", "-r", tmp, "-w", tmpng, "-F", "pcapng"], capture_output=True)
        ng = open(tmpng, "rb").read() if os.path.exists(tmpng) else b""
        if os.path.exists(tmpng):
            os.remove(tmpng)
        if ng:
            write("pcap", base + ".pcapng", ng)
            write("roundtrip", base + ".pcapng", ng)
            write("live", base, b"\0\0" + ng)
        os.remove(tmp)
    # The filter target's fixed messages: a few frames of several families (LE, NETLINK).
    open("fuzz/fuzz_targets/filter_messages.bin", "wb").write(b"\0" + b"".join(filter_msgs))
    filters = [
        'nlmsg.type == RTM_NEWLINK && rt-link.ifname == "veth0"', "rt-link.mtu > 1400",
        "nlmsg.error == -95", "nlmsg.flags & NLM_F_DUMP", "nlmsg.latency > 0.01",
        "nlmsg.request_in == 33", 'proc.name == "NetworkManager"', "!proc.pid",
        'genl.family == "nl80211" || nl80211.wiphy', "rt-addr.address == 10.0.0.1",
        'frame.len >= 100 and not nlmsg.seq in {1 2 3}', 'rt-link.ifname matches "^v.*"',
        'rt-link.ifname contains "eth"', "nlmsg.pid != 0 && (nlmsg.seq > 5 || nlmsg.len < 20)",
        "rt-route.dst == fe80::/64", 'nlmsg.changed', "rt-link.address == 00:11:22:33:44:55",
    ]
    for i, f in enumerate(filters):
        write("filter", f"f{i}", f.encode())
    # Spec loader: the smaller specs, each followed by a NUL and a message for it.
    for path in sorted(glob.glob("assets/specs/*.yaml")):
        t = open(path, "rb").read()
        if len(t) <= 6000:
            msg = struct.pack("<IHHII", 28, 0x20, 1, 1, 0) + b"\x01\x01\x00\x00" + b"\x08\x00\x01\x00\x2a\x00\x00\x00"
            write("specs", os.path.basename(path), t + b"\0" + b"\x00" + bytes([16, 0]) + struct.pack("<H", len(msg)) + msg)


if __name__ == "__main__":
    main()
