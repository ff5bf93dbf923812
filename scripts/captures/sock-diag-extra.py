#!/usr/bin/env python3
"""Record captures/sock-diag-extra.pcap: real sock_diag requests sent from this script (no nlmon
needed) and the kernel's real replies, as a LINKTYPE_NETLINK pcap. Run as root in a fresh network
namespace: `unshare -n sh -c "ip link set lo up; python3 scripts/captures/sock-diag-extra.py OUT.pcap"`.
It opens TCP (reno/dctcp/vegas, a mark, TLS ULP), MPTCP, UDP, raw, unix (abstract and path),
netlink and packet sockets, then dumps them family by family (every extension, bytecode
filters, the legacy TCPDIAG_GETSOCK, SOCK_DESTROY, and vsock/xdp/smc/tipc requests)."""
import socket, struct, time, os, sys
NETLINK_SOCK_DIAG=4
out=[]  # raw netlink datagrams
seq=[1000]
def sockid(sport=0,dport=0,src=b'\0'*16,dst=b'\0'*16,ifi=0,cookie=(0xffffffff,0xffffffff)):
    return struct.pack('>HH',sport,dport)+src+dst+struct.pack('<III',ifi,*cookie)
def attr(t,payload):
    l=4+len(payload); return struct.pack('<HH',l,t)+payload+b'\0'*((4-l%4)%4)
def req(ty,payload,flags=0x301):
    seq[0]+=1
    nl=struct.pack('<IHHII',16+len(payload),ty,flags,seq[0],0)+payload
    s=socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_SOCK_DIAG)
    s.bind((0,0))
    s.sendto(nl,(0,0)); out.append(nl)
    s.settimeout(1)
    while True:
        try: d=s.recv(65536)
        except socket.timeout: break
        out.append(d)
        done=False; o=0
        while o+16<=len(d):
            l,t=struct.unpack('<IH',d[o:o+6])
            if t in (2,3): done=True
            if l<16: break
            o+=(l+3)&~3
        if done: break
    s.close()
def inet_v2(fam,proto,ext,states=0xfff,pad=0,attrs=b''):
    return struct.pack('<BBBBI',fam,proto,ext,pad,states)+sockid()+attrs
# sockets to look at
import threading
ls=socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR,1); ls.bind(('127.0.0.1',8080)); ls.listen(5)
c=socket.create_connection(('127.0.0.1',8080)); a,_=ls.accept(); c.send(b'x'*1000)
t=socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_MARK, 0x42)
try: t.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, b'dctcp')
except Exception as e: print('dctcp',e); t.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, b'reno')
t.connect(('127.0.0.1',8080)); a2,_=ls.accept()
v=socket.socket(); 
try: v.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, b'vegas')
except Exception as e: print('vegas',e)
v.connect(('127.0.0.1',8080)); a3,_=ls.accept()
l6=socket.socket(socket.AF_INET6); l6.bind(('::1',8443)); l6.listen(1)
u=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('127.0.0.1',5353))
u6=socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u6.bind(('::1',5354))
r=socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
m=socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262); m.bind(('127.0.0.1',9090)); m.listen(1)
mc=socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262); mc.connect(('127.0.0.1',9090)); ma,_=m.accept()
# TLS ULP
try:
    tc=socket.create_connection(('127.0.0.1',8080)); ta,_=ls.accept()
    tc.setsockopt(socket.IPPROTO_TCP, 31, b'tls')
    # struct tls12_crypto_info_aes_gcm_128: version u16, cipher u16, iv 8, key 16, salt 4, rec_seq 8
    ci=struct.pack('<HH',0x0303,51)+b'\1'*8+b'\2'*16+b'\3'*4+b'\4'*8
    tc.setsockopt(282, 1, ci)
except Exception as e: print('tls',e)
n=socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0); n.bind((0, 1|4))
us=socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); us.bind('\0abstract-name'); us.listen(1)
uc=socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); uc.connect('\0abstract-name')
up=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); up.bind('/tmp/nlscope-sock-diag.sock')
try:
    pk=socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003)); pk.bind(('lo',0))
    # PACKET_ADD_MEMBERSHIP promisc: struct packet_mreq {int ifindex; u16 type; u16 alen; u8 addr[8]}
    pk.setsockopt(263, 1, struct.pack('<iHH8s', socket.if_nametoindex('lo'), 1, 0, b''))
    pk.setsockopt(263, 18, 0x0042 | (0<<16))  # PACKET_FANOUT hash id 0x42
except Exception as e: print('packet',e)
time.sleep(0.3)
AF_INET,AF_INET6=2,10
req(20, inet_v2(AF_INET,6,0xff))
req(20, inet_v2(AF_INET6,6,0xff))
req(20, inet_v2(AF_INET,6,0x02, attrs=attr(3,struct.pack('<I',262))))   # mptcp
req(20, inet_v2(AF_INET,17,0xff)); req(20, inet_v2(AF_INET6,17,0xff))
req(20, inet_v2(AF_INET,255,0xff,pad=1))                                    # raw icmp
req(20, inet_v2(AF_INET,132,0xff))                                           # sctp (none)
# bytecode: S_GE :8080 ; D_COND 127.0.0.0/8 ; MARK_COND 0x42/0xff ; DEV_COND lo
bc=b''
bc+=struct.pack('<BBH',2,8,28)+struct.pack('<BBH',0,0,8080)                 # s-ge port, no -> skip next
bc+=struct.pack('<BBH',8,4+8+4,4+8+4+4)+struct.pack('<BBxxi',2,8,-1)+socket.inet_aton('127.0.0.0')
req(20, inet_v2(AF_INET,6,0, attrs=attr(1,bc)))
bc2=struct.pack('<BBH',10,12,24)+struct.pack('<II',0x42,0xff)+struct.pack('<BBH',9,8,12)+struct.pack('<I',1)
req(20, inet_v2(AF_INET,6,0, attrs=attr(1,bc2)))
# legacy TCPDIAG_GETSOCK
req(18, struct.pack('<BBBB',AF_INET,0,0,0x02)+sockid()+struct.pack('<II',0xfff,0))
# SOCK_DESTROY of the udp socket
req(21, struct.pack('<BBBBI',AF_INET,17,0,0,0xfff)+sockid(sport=5353,src=socket.inet_aton('127.0.0.1')+b'\0'*12), flags=0x5)
# unix all
req(20, struct.pack('<BBHIII',1,0,0,0xfff,0,0x7f)+struct.pack('<II',0xffffffff,0xffffffff))
# netlink all
req(20, struct.pack('<BBHII',16,255,0,0,0xf)+struct.pack('<II',0xffffffff,0xffffffff))
# packet all
req(20, struct.pack('<BBHII',17,0,0,0,0x3f)+struct.pack('<II',0xffffffff,0xffffffff))
# vsock, xdp, smc, tipc
req(20, struct.pack('<BBHIII',40,0,0,0xfff,0,0)+struct.pack('<II',0xffffffff,0xffffffff))
req(20, struct.pack('<BBHII',44,0,0,0,0x1f)+struct.pack('<II',0xffffffff,0xffffffff))
req(20, struct.pack('<BBBB',43,0,0,0x0f)+sockid())
req(20, struct.pack('<BBHI',30,0,0,0xfff))
# pcap
with open(sys.argv[1],'wb') as f:
    f.write(struct.pack('<IHHiIII',0xa1b2c3d4,2,4,0,0,0x40000,253))
    ts=int(time.time())
    for i,d in enumerate(out):
        hdr=struct.pack('>HHH8sH',4,824,0,b'',NETLINK_SOCK_DIAG)
        p=hdr+d
        f.write(struct.pack('<IIII',ts,i*1000,len(p),len(p))+p)
print('datagrams',len(out))
