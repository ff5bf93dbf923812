#!/usr/bin/env python3
# fixtures for sock-diag-more: TCP listener + connection on 127.0.0.1:8081, a UDP socket,
# an AF_PACKET raw socket, a unix socketpair. Holds them until killed.
import socket, time, signal, sys
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); l.bind(("127.0.0.1", 8081)); l.listen(4)
c = socket.create_connection(("127.0.0.1", 8081)); a, _ = l.accept()
c.send(b"hello nlscope"); a.recv(100)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 5353))
p = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
x1, x2 = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
print("ready", flush=True)
time.sleep(120)
