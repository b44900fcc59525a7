#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Traffic helper of the Maglev selftests (runs inside namespaces).

  lbtool.py serve NAME PORT...          TCP and UDP servers on every
                                        address (v4 and v6): say "NAME
                                        LOCAL PEER" on connect and for
                                        every line / datagram
  lbtool.py udp ADDR PORT N [SPORT]     N datagrams, each from its own
                                        socket; JSON counts by NAME (with
                                        SPORT, from ports SPORT..SPORT+N-1,
                                        and which NAME answered each port)
  lbtool.py new ADDR PORT N [sctp]      N TCP (or SCTP) connections, one
                                        after the other; JSON counts by NAME
  lbtool.py conns ADDR PORT N CMD       N TCP connections held open while
                                        CMD runs (shell), then each asks
                                        again; JSON before/after NAMEs
  lbtool.py refused ADDR PORT tcp|udp   one TCP connection, or a datagram
                                        of a connected UDP socket: JSON
                                        "refused" (RST or ICMP port
                                        unreachable), "none" (no answer
                                        in time), "eperm" (dropped on
                                        this host's way out) or "open"
The LOCAL and PEER addresses let a test see what the backend saw.

A connection that gets no answer gives up after LBTOOL_TIMEOUT seconds
(default 60: an answer on a loaded guest may be slow); a test that expects
none (a denied connection) sets a shorter one.
"""
import json
import os
import select
import socket
import subprocess
import sys
import threading
import time


TIMEOUT = float(os.environ.get("LBTOOL_TIMEOUT", "60"))
# A request of pyd.py may set its own (its thread's).
_tl = threading.local()


def timeout():
    return getattr(_tl, "timeout", TIMEOUT)


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def plain(addr):
    return addr[7:] if addr.startswith("::ffff:") else addr


def serve(name, ports):
    def tcp_client(c):
        local, peer = plain(c.getsockname()[0]), plain(c.getpeername()[0])
        msg = f"{name} {local} {peer}\n".encode()
        try:
            c.sendall(msg)
            f = c.makefile("rb")
            for _ in f:
                c.sendall(msg)
        except OSError:
            pass
        c.close()

    def sock(kind, port, proto=0):
        s = socket.socket(socket.AF_INET6, kind, proto)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("::", port))
        return s

    def tcp(port, proto=0):
        try:
            s = sock(socket.SOCK_STREAM, port, proto)
        except OSError:
            return		# no SCTP in this kernel
        s.listen(512)
        while True:
            c, _ = s.accept()
            threading.Thread(target=tcp_client, args=(c,), daemon=True).start()

    def udp(port):
        u = sock(socket.SOCK_DGRAM, port)
        while True:
            data, peer = u.recvfrom(2048)
            try:
                u.sendto(f"{name} - {plain(peer[0])}\n".encode(), peer)
            except OSError:
                pass	# a peer one cannot answer (a fuzzed source)

    for port in ports:
        threading.Thread(target=tcp, args=(port,), daemon=True).start()
        threading.Thread(target=udp, args=(port,), daemon=True).start()
        threading.Thread(target=tcp, args=(port, socket.IPPROTO_SCTP),
                         daemon=True).start()
    while True:
        time.sleep(3600)


def count(names):
    out = {}
    for n in names:
        out[n or "none"] = out.get(n or "none", 0) + 1
    return out


def udp(addr, port, n, sport=0):
    fam = family(addr)
    socks = []
    for i in range(n):
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.setblocking(False)
        if sport:
            s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", sport + i))
        s.sendto(b"hello", (addr, port))
        socks.append(s)
        if len(socks) % 200 == 0:
            time.sleep(0.01)
    got = {}
    deadline = time.time() + timeout()
    byfd = {s.fileno(): s for s in socks}
    p = select.poll()
    for fd in byfd:
        p.register(fd, select.POLLIN)
    while len(got) < n and time.time() < deadline:
        for fd, _ in p.poll(500):
            s = byfd[fd]
            data, src = s.recvfrom(2048)
            got[s] = (data.decode().split()[0], src[0])
            p.unregister(fd)
    names = [got[s][0] if s in got else None for s in socks]
    srcs = sorted({got[s][1] for s in got})
    out = {"counts": count(names), "sources": srcs}
    if sport:
        out["ports"] = {str(sport + i): names[i] for i in range(n)}
    print(json.dumps(out))


def tcp_name(s, f):
    line = f.readline().decode().split()
    return line if line else None


def connect(addr, port, proto=0):
    if proto:
        s = socket.socket(family(addr), socket.SOCK_STREAM, proto)
        s.settimeout(timeout())
        s.connect((addr, port))
    else:
        s = socket.create_connection((addr, port), timeout=timeout())
    f = s.makefile("rb")
    return s, f, tcp_name(s, f)


def new(addr, port, n, proto=0):
    names, seen = [], set()
    for _ in range(n):
        try:
            s, f, line = connect(addr, port, proto)
            names.append(line[0] if line else None)
            if line:
                seen.add(" ".join(line[1:]))
            s.close()
        except OSError:
            names.append(None)
    print(json.dumps({"counts": count(names), "seen": sorted(seen)}))


def conns(addr, port, n, cmd):
    held = []
    for _ in range(n):
        held.append(connect(addr, port))
    before = [c[2][0] if c[2] else None for c in held]
    rc = subprocess.call(cmd, shell=True)
    after = []
    for s, f, _ in held:
        try:
            s.sendall(b"again\n")
            line = tcp_name(s, f)
            after.append(line[0] if line else None)
        except OSError:
            after.append(None)
        s.close()
    print(json.dumps({"cmd": rc, "before": before, "after": after}))


def refused(addr, port, proto):
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    s = socket.socket(family(addr), kind)
    s.settimeout(timeout())
    try:
        s.connect((addr, port))
        if kind == socket.SOCK_DGRAM:
            s.send(b"hello")
            s.recv(2048)
        res = "open"
    except ConnectionRefusedError:
        res = "refused"
    except PermissionError:
        # A hook of this host dropped what this host sent: no answer is
        # needed to say so (UDP's send fails at once).
        res = "eperm"
    except (socket.timeout, TimeoutError):
        res = "none"
    finally:
        s.close()
    print(json.dumps({"result": res}))


def main(a=None):
    a = sys.argv[1:] if a is None else a
    if a[0] == "serve":
        serve(a[1], [int(p) for p in a[2:]])
    elif a[0] == "udp":
        udp(a[1], int(a[2]), int(a[3]), int(a[4]) if a[4:] else 0)
    elif a[0] == "new":
        new(a[1], int(a[2]), int(a[3]),
            socket.IPPROTO_SCTP if a[4:] == ["sctp"] else 0)
    elif a[0] == "conns":
        conns(a[1], int(a[2]), int(a[3]), a[4])
    elif a[0] == "refused":
        refused(a[1], int(a[2]), a[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
