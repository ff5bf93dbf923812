#!/usr/bin/env python3
"""Write the fuzz targets' dictionaries (fuzz/dict/) from netlink constants (the uapi values
of message types, flags and attribute headers), the embedded specs' family names, the
filter fields nlscope lists ($NLSCOPE specs fields) and the YNL keywords."""
import glob, os, re, struct, subprocess

NLSCOPE = os.environ.get("NLSCOPE", "target/debug/nlscope")
os.makedirs("fuzz/dict", exist_ok=True)


def esc(b):
    return "".join(chr(c) if 32 <= c < 127 and c not in (34, 92) else f"\\x{c:02x}" for c in b)


def write(name, entries):
    seen, lines = set(), []
    for e in entries:
        if isinstance(e, str):
            e = e.encode()
        if e and e not in seen and len(e) <= 64:
            seen.add(e)
            lines.append(f'"{esc(e)}"')
    open(f"fuzz/dict/{name}.dict", "w").write("\n".join(lines) + "\n")


u16 = lambda v: struct.pack("<H", v)
u32 = lambda v: struct.pack("<I", v)
# linux/netlink.h: control messages and flags; rtnetlink.h: RTM_* run 16..127 in groups of
# four; nfnetlink subsystems are the high byte; genl: nlctrl id 16, CTRL_CMD_NEWFAMILY 1.
nl = [u16(v) for v in (1, 2, 3, 4, 16, 17, 18, 19, 20, 21, 22, 24, 25, 26, 28, 29, 30, 32,
                         33, 34, 36, 37, 38, 40, 44, 48, 64, 68, 72, 78, 80, 84, 88, 92, 100,
                         104, 112, 116, 120, 124)]
nl += [u16(v) for v in (0x100, 0x101, 0x102, 0x200, 0x300, 0x400, 0x500, 0x800,
                         0xa00, 0xa01, 0xa03, 0xa06, 0xa09, 0xa0c, 0xa0f, 0xa10, 0x1000)]
nl += [u16(f) for f in (1, 2, 4, 5, 8, 0x100, 0x200, 0x300, 0x301, 0x305, 0x400, 0x405, 0x600, 0x800)]
nl += [u16(0x8000), u16(0x4000), b"\x04\x00", b"\x05\x00", b"\x06\x00", b"\x08\x00", b"\x0c\x00"]
nl += [u32(v) for v in (0, 1, 0xffffffff, 0xffffffa1, 0xffffffea, 0xfffffffe)]
nl += [b"\x08\x00\x01\x00", b"\x06\x00\x02\x00", b"\x04\x00\x03\x00", b"\x08\x00\x03\x80",
       b"\x01\x02\x00\x00", b"\x03\x01\x00\x00", b"\x10\x00\x01\x00", b"\x14\x00\x00\x00"]
families = []
for path in sorted(glob.glob("assets/specs/*.yaml")):
    m = re.search(r"^name: *(\S+)", open(path).read(), re.M)
    if m:
        families.append(m.group(1))
comments = ["genl-families: ", "genl-families: 34=nl80211 33=devlink", "proc: pid=", " tid=",
            " exe=/usr/sbin/ip", " comm=ip", "group=", "nsid="]
write("dissect", nl + families + comments)
write("live", nl + comments + [b"\x0a\x0d\x0d\x0a", b"\x4d\x3c\x2b\x1a", u32(1), u32(6), u32(2),
                               u32(0x0bad), u16(253), u16(276), u16(113), u16(1), u16(9), u16(2), u16(14)])
pcap = [b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d",
        b"\x0a\x0d\x0d\x0a", b"\x4d\x3c\x2b\x1a", b"\x1a\x2b\x3c\x4d", u32(1), u32(3), u32(5),
        u32(6), u32(2), u32(0x0bad), u32(0x80000001), u16(253), u16(276), u16(113), u16(9),
        u16(14), u16(1), u16(2), u16(3), u16(4), b"\x09", b"\x06", b"\x89", b"\x0a",
        b"\xff\xff\xff\xff", b"\x00\x00\x04\x00"]
write("pcap", pcap + comments)
write("roundtrip", pcap)
fields = subprocess.run([NLSCOPE, "specs", "fields"], capture_output=True, text=True).stdout.split()
ops = ["==", "!=", ">", "<", ">=", "<=", "&&", "||", "!", "and", "or", "not", "in", "contains",
       "matches", "~", "&", "{", "}", "(", ")", "[", "]", ":", "..", ",", '"', "eq", "ne", "gt",
       "lt", "ge", "le", "0x", "-1", "1.5", "10.0.0.1", "10.0.0.0/8", "fe80::1", "::/0",
       "00:11:22:33:44:55", "NLM_F_DUMP", "RTM_NEWLINK", "true", "false", "\\x00", "\\\"",
       "len(", "upper(", "lower(", "nlmsg.", "frame.", "proc."]
# Every header field and a sample of the spec fields (the dictionary stays small).
write("filter", ops + [f for f in fields if f.count(".") <= 1][:400] + fields[::25])
ynl = ["name: ", "protocol: netlink-raw", "protocol: genetlink", "protocol: genetlink-legacy",
       "protonum: 0", "attribute-sets:", "operations:", "definitions:", "sub-messages:",
       "mcast-groups:", "list:", "attributes:", "type: nest", "type: u32", "type: u8",
       "type: u16", "type: u64", "type: s32", "type: string", "type: binary", "type: flag",
       "type: struct", "type: enum", "type: flags", "type: indexed-array", "type: nest-type-value",
       "type: sub-message", "type: bitfield32", "type: uint", "type: sint", "type: pad",
       "nested-attributes: ", "multi-attr: true", "struct: ", "enum: ", "enum-as-flags: true",
       "value: ", "value-start: ", "entries:", "members:", "byte-order: big-endian",
       "display-hint: ipv4", "display-hint: hex", "display-hint: mac", "display-hint: ipv6",
       "fixed-header: ", "sub-type: ", "selector: ", "checks:", "max-len: ", "len: ",
       "do:", "dump:", "notify: ", "event:", "request:", "reply:", "enum-model: directional",
       "name-prefix: ", "subset-of: ", "doc: ", "header: ", "render-max: true", "nlscope-decode: ",
       "- name: ", "  ", "\n", "- ", "{", "}", "[", "]", "&a", "*a", "!!binary", "0x10", "-1"]
write("specs", ynl + families)
