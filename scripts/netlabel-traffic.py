#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Talk to the kernel's NetLabel generic netlink families with plain sockets.

No NetLabel tool (netlabelctl) is needed: this resolves NLBL_MGMT, NLBL_UNLBL,
NLBL_CIPSOv4 and NLBL_CALIPSO through nlctrl, reads every table, and adds and
removes a few temporary entries (CIPSOv4 DOIs 77 and 78, CALIPSO DOI 79, two
domain mappings, an unlabeled static label) so the replies carry nested lists.
Everything it adds is removed again. Needs root (CAP_NET_ADMIN) for the changes.

Record it with:
  python3 ../shared/tools/strace2pcap.py captures/genl-netlabel.pcap -- \
      python3 scripts/netlabel-traffic.py
"""
import errno
import os
import socket
import struct
import sys

NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_EXT_ACK = 11
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 0x1, 0x4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 3, 1, 2
NLA_F_NESTED = 0x8000
NETLBL_PROTO_VERSION = 3

# NetLabel numbers (net/netlabel/netlabel_*.h, include/net/netlabel.h,
# include/net/cipso_ipv4.h, include/net/calipso.h).
MGMT = dict(ADD=1, REMOVE=2, LISTALL=3, ADDDEF=4, REMOVEDEF=5, LISTDEF=6,
            PROTOCOLS=7, VERSION=8)
MGMT_A = dict(DOMAIN=1, PROTOCOL=2, VERSION=3, CV4DOI=4, IPV6ADDR=5,
              IPV6MASK=6, IPV4ADDR=7, IPV4MASK=8, ADDRSELECTOR=9,
              SELECTORLIST=10, FAMILY=11, CLPDOI=12)
UNLBL = dict(ACCEPT=1, LIST=2, STATICADD=3, STATICREMOVE=4, STATICLIST=5,
             STATICADDDEF=6, STATICREMOVEDEF=7, STATICLISTDEF=8)
UNLBL_A = dict(ACPTFLG=1, IPV6ADDR=2, IPV6MASK=3, IPV4ADDR=4, IPV4MASK=5,
               IFACE=6, SECCTX=7)
CIPSO = dict(ADD=1, REMOVE=2, LIST=3, LISTALL=4)
CIPSO_A = dict(DOI=1, MTYPE=2, TAG=3, TAGLST=4, MLSLVLLOC=5, MLSLVLREM=6,
               MLSLVL=7, MLSLVLLST=8, MLSCATLOC=9, MLSCATREM=10, MLSCAT=11,
               MLSCATLST=12)
CALIPSO = dict(ADD=1, REMOVE=2, LIST=3, LISTALL=4)
CALIPSO_A = dict(DOI=1, MTYPE=2)
NLTYPE_CIPSOV4, NLTYPE_UNLABELED, NLTYPE_CALIPSO = 3, 5, 7
CIPSO_MAP_TRANS, CIPSO_MAP_PASS, CIPSO_MAP_LOCAL = 1, 2, 3
CALIPSO_MAP_PASS = 2
CIPSO_TAG_RBITMAP, CIPSO_TAG_ENUM = 1, 2


def attr(kind, payload):
    hdr = struct.pack("=HH", 4 + len(payload), kind)
    pad = b"\0" * ((4 - len(payload) % 4) % 4)
    return hdr + payload + pad


def u8(kind, v):
    return attr(kind, struct.pack("=B", v))


def u16(kind, v):
    return attr(kind, struct.pack("=H", v))


def u32(kind, v):
    return attr(kind, struct.pack("=I", v))


def strz(kind, s):
    return attr(kind, s.encode() + b"\0")


def nest(kind, *parts):
    return attr(kind | NLA_F_NESTED, b"".join(parts))


def ip4(kind, s):
    return attr(kind, socket.inet_pton(socket.AF_INET, s))


def ip6(kind, s):
    return attr(kind, socket.inet_pton(socket.AF_INET6, s))


def parse_attrs(buf):
    out = []
    off = 0
    while off + 4 <= len(buf):
        ln, kind = struct.unpack_from("=HH", buf, off)
        if ln < 4:
            break
        out.append((kind & 0x3FFF, buf[off + 4:off + ln]))
        off += (ln + 3) & ~3
    return out


class Genl:
    def __init__(self):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.s.bind((0, 0))
        self.seq = 1000

    def request(self, fam, cmd, attrs=b"", dump=False):
        self.seq += 1
        flags = NLM_F_REQUEST | (NLM_F_DUMP if dump else NLM_F_ACK)
        payload = struct.pack("=BBH", cmd, NETLBL_PROTO_VERSION, 0) + attrs
        msg = struct.pack("=IHHII", 16 + len(payload), fam, flags, self.seq, 0) + payload
        self.s.send(msg)
        replies, err, ext = [], 0, ""
        done = False
        while not done:
            data = self.s.recv(65536)
            off = 0
            while off + 16 <= len(data):
                ln, typ, fl, seq, _ = struct.unpack_from("=IHHII", data, off)
                body = data[off + 16:off + ln]
                off += (ln + 3) & ~3
                if typ == NLMSG_ERROR:
                    err = -struct.unpack_from("=i", body)[0]
                    # extended ACK TLVs follow the (capped) original header
                    inner_len = struct.unpack_from("=I", body, 4)[0]
                    skip = 4 + (16 if fl & 0x100 else inner_len)
                    for kind, val in parse_attrs(body[skip:]):
                        if kind == 1:
                            ext = val.rstrip(b"\0").decode(errors="replace")
                    done = True
                elif typ == NLMSG_DONE:
                    done = True
                else:
                    replies.append(parse_attrs(body[4:]))
                    if not dump:
                        pass
        return replies, err, ext

    def family(self, name):
        attrs = strz(CTRL_ATTR_FAMILY_NAME, name)
        self.seq += 1
        payload = struct.pack("=BBH", CTRL_CMD_GETFAMILY, 1, 0) + attrs
        msg = struct.pack("=IHHII", 16 + len(payload), GENL_ID_CTRL,
                          NLM_F_REQUEST, self.seq, 0) + payload
        self.s.send(msg)
        data = self.s.recv(65536)
        ln, typ = struct.unpack_from("=IH", data)
        if typ == NLMSG_ERROR:
            return None
        for kind, val in parse_attrs(data[20:ln]):
            if kind == CTRL_ATTR_FAMILY_ID:
                return struct.unpack("=H", val[:2])[0]
        return None


def show(label, res):
    replies, err, ext = res
    status = "ok" if err == 0 else f"error {errno.errorcode.get(err, err)} ({os.strerror(err)})"
    if ext:
        status += f' "{ext}"'
    print(f"{label}: {len(replies)} replies, {status}")
    for r in replies:
        print("   ", " ".join(f"{k}:{v.hex()}" for k, v in r))


def main():
    g = Genl()
    fam = {}
    for name in ["NLBL_MGMT", "NLBL_UNLBL", "NLBL_CIPSOv4", "NLBL_CALIPSO"]:
        fam[name] = g.family(name)
        print(f"family {name}: id {fam[name]}")
    if None in fam.values():
        print("NetLabel is not fully available in this kernel")
        return 1
    M, U, C, L = (fam[n] for n in ["NLBL_MGMT", "NLBL_UNLBL", "NLBL_CIPSOv4", "NLBL_CALIPSO"])

    # Read everything.
    show("MGMT VERSION", g.request(M, MGMT["VERSION"]))
    show("MGMT PROTOCOLS", g.request(M, MGMT["PROTOCOLS"], dump=True))
    show("MGMT LISTALL", g.request(M, MGMT["LISTALL"], dump=True))
    show("MGMT LISTDEF inet", g.request(M, MGMT["LISTDEF"], u16(MGMT_A["FAMILY"], socket.AF_INET)))
    show("MGMT LISTDEF inet6", g.request(M, MGMT["LISTDEF"], u16(MGMT_A["FAMILY"], socket.AF_INET6)))
    show("UNLBL LIST", g.request(U, UNLBL["LIST"]))
    show("UNLBL ACCEPT 1", g.request(U, UNLBL["ACCEPT"], u8(UNLBL_A["ACPTFLG"], 1)))
    show("UNLBL STATICLIST", g.request(U, UNLBL["STATICLIST"], dump=True))
    show("UNLBL STATICLISTDEF", g.request(U, UNLBL["STATICLISTDEF"], dump=True))
    show("CIPSOv4 LISTALL", g.request(C, CIPSO["LISTALL"], dump=True))
    show("CALIPSO LISTALL", g.request(L, CALIPSO["LISTALL"], dump=True))

    # Temporary entries, removed again below.
    try:
        show("CIPSOv4 ADD doi 77 pass", g.request(C, CIPSO["ADD"],
             u32(CIPSO_A["DOI"], 77) + u32(CIPSO_A["MTYPE"], CIPSO_MAP_PASS)
             + nest(CIPSO_A["TAGLST"], u8(CIPSO_A["TAG"], CIPSO_TAG_RBITMAP),
                    u8(CIPSO_A["TAG"], CIPSO_TAG_ENUM))))
        show("CIPSOv4 ADD doi 78 trans", g.request(C, CIPSO["ADD"],
             u32(CIPSO_A["DOI"], 78) + u32(CIPSO_A["MTYPE"], CIPSO_MAP_TRANS)
             + nest(CIPSO_A["TAGLST"], u8(CIPSO_A["TAG"], CIPSO_TAG_RBITMAP))
             + nest(CIPSO_A["MLSLVLLST"],
                    nest(CIPSO_A["MLSLVL"], u32(CIPSO_A["MLSLVLLOC"], 0), u32(CIPSO_A["MLSLVLREM"], 0)),
                    nest(CIPSO_A["MLSLVL"], u32(CIPSO_A["MLSLVLLOC"], 1), u32(CIPSO_A["MLSLVLREM"], 5)))
             + nest(CIPSO_A["MLSCATLST"],
                    nest(CIPSO_A["MLSCAT"], u32(CIPSO_A["MLSCATLOC"], 0), u32(CIPSO_A["MLSCATREM"], 0)),
                    nest(CIPSO_A["MLSCAT"], u32(CIPSO_A["MLSCATLOC"], 3), u32(CIPSO_A["MLSCATREM"], 30)))))
        show("CIPSOv4 LIST doi 77", g.request(C, CIPSO["LIST"], u32(CIPSO_A["DOI"], 77)))
        show("CIPSOv4 LIST doi 78", g.request(C, CIPSO["LIST"], u32(CIPSO_A["DOI"], 78)))
        show("CIPSOv4 LIST doi 99 (absent)", g.request(C, CIPSO["LIST"], u32(CIPSO_A["DOI"], 99)))
        show("CIPSOv4 LISTALL", g.request(C, CIPSO["LISTALL"], dump=True))
        show("CALIPSO ADD doi 79 pass", g.request(L, CALIPSO["ADD"],
             u32(CALIPSO_A["DOI"], 79) + u32(CALIPSO_A["MTYPE"], CALIPSO_MAP_PASS)))
        show("CALIPSO LIST doi 79", g.request(L, CALIPSO["LIST"], u32(CALIPSO_A["DOI"], 79)))
        show("CALIPSO LISTALL", g.request(L, CALIPSO["LISTALL"], dump=True))

        show("MGMT ADD nlscope-v4 (cipsov4 77, 192.0.2.0/24)", g.request(M, MGMT["ADD"],
             strz(MGMT_A["DOMAIN"], "nlscope-v4") + u32(MGMT_A["PROTOCOL"], NLTYPE_CIPSOV4)
             + u32(MGMT_A["CV4DOI"], 77)
             + ip4(MGMT_A["IPV4ADDR"], "192.0.2.0") + ip4(MGMT_A["IPV4MASK"], "255.255.255.0")))
        show("MGMT ADD nlscope-v6 (calipso 79, 2001:db8::/32)", g.request(M, MGMT["ADD"],
             strz(MGMT_A["DOMAIN"], "nlscope-v6") + u32(MGMT_A["PROTOCOL"], NLTYPE_CALIPSO)
             + u32(MGMT_A["CLPDOI"], 79)
             + ip6(MGMT_A["IPV6ADDR"], "2001:db8::") + ip6(MGMT_A["IPV6MASK"], "ffff:ffff::")))
        show("MGMT ADD nlscope-any (unlabeled, inet)", g.request(M, MGMT["ADD"],
             strz(MGMT_A["DOMAIN"], "nlscope-any") + u32(MGMT_A["PROTOCOL"], NLTYPE_UNLABELED)
             + u16(MGMT_A["FAMILY"], socket.AF_INET)))
        show("MGMT LISTALL", g.request(M, MGMT["LISTALL"], dump=True))

        # Static labels need an LSM that maps security contexts; without one
        # the kernel answers with an error (and an extended ACK, if any).
        show("UNLBL STATICADDDEF 198.51.100.0/24", g.request(U, UNLBL["STATICADDDEF"],
             ip4(UNLBL_A["IPV4ADDR"], "198.51.100.0") + ip4(UNLBL_A["IPV4MASK"], "255.255.255.0")
             + strz(UNLBL_A["SECCTX"], "system_u:object_r:netlabel_peer_t:s0")))
        show("UNLBL STATICADD lo 2001:db8:1::/48", g.request(U, UNLBL["STATICADD"],
             strz(UNLBL_A["IFACE"], "lo")
             + ip6(UNLBL_A["IPV6ADDR"], "2001:db8:1::") + ip6(UNLBL_A["IPV6MASK"], "ffff:ffff:ffff::")
             + strz(UNLBL_A["SECCTX"], "system_u:object_r:netlabel_peer_t:s0")))
        show("UNLBL STATICLIST", g.request(U, UNLBL["STATICLIST"], dump=True))
        show("UNLBL STATICLISTDEF", g.request(U, UNLBL["STATICLISTDEF"], dump=True))
    finally:
        show("UNLBL STATICREMOVE lo 2001:db8:1::/48", g.request(U, UNLBL["STATICREMOVE"],
             strz(UNLBL_A["IFACE"], "lo")
             + ip6(UNLBL_A["IPV6ADDR"], "2001:db8:1::") + ip6(UNLBL_A["IPV6MASK"], "ffff:ffff:ffff::")))
        show("UNLBL STATICREMOVEDEF 198.51.100.0/24", g.request(U, UNLBL["STATICREMOVEDEF"],
             ip4(UNLBL_A["IPV4ADDR"], "198.51.100.0") + ip4(UNLBL_A["IPV4MASK"], "255.255.255.0")))
        for d in ["nlscope-v4", "nlscope-v6", "nlscope-any"]:
            show(f"MGMT REMOVE {d}", g.request(M, MGMT["REMOVE"], strz(MGMT_A["DOMAIN"], d)))
        show("CALIPSO REMOVE doi 79", g.request(L, CALIPSO["REMOVE"], u32(CALIPSO_A["DOI"], 79)))
        for doi in (77, 78):
            show(f"CIPSOv4 REMOVE doi {doi}", g.request(C, CIPSO["REMOVE"], u32(CIPSO_A["DOI"], doi)))
        show("MGMT LISTALL", g.request(M, MGMT["LISTALL"], dump=True))
        show("CIPSOv4 LISTALL", g.request(C, CIPSO["LISTALL"], dump=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
