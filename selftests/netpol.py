#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The NetworkPolicy selftest's servers and prober (idmesh_netpol.sh), the
model of Kubernetes' e2e suite (test/e2e/network/netpol): every pod
serves TCP, UDP and SCTP on ports 80 and 81, and a case is the whole
matrix of who reaches whom, probed at once and compared with the truth
table the case expects.

  netpol.py serve PODS          in each pod's network namespace, servers
                                on 80 and 81 (TCP, UDP, SCTP) and UDP 53
  netpol.py probe PODS PORT PROTO EXPECT
                                every client (pods, and "from" sources)
                                to every pod; prints the table ("." a
                                connection, "X" none) and exits 1 when it
                                differs from EXPECT
PODS: a JSON file {"NAME": {"netns": NS, "ip": ADDR, "role": ROLE}}, in
the table's order; ROLE "pod" (a row and a column: it probes and
serves), "server" (a column alone), "client" (a row alone: an address
outside the cluster, the probes' source, from "sport" + the column's
index when it has a "sport") or "vip" (a column alone, an
address no namespace has: a Service's cluster IP, probed on its "port"
and "proto" alone).

EXPECT: rules over "CLIENT->SERVER" with * globs, applied in order:
"all", "none", "A->B" (reaches), "!A->B" (does not), "self" (a pod
reaches itself: loopback is never subject to policy). A connection
expected is waited for (PROBE_TIMEOUT s, default 60: a loaded guest is
slow); one not expected gets 1 s more after the rest arrived.
"""
import ctypes
import fnmatch
import json
import os
import select
import socket
import sys
import time

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)
PROTO = {"tcp": (socket.SOCK_STREAM, 0), "udp": (socket.SOCK_DGRAM, 0),
         "sctp": (socket.SOCK_STREAM, socket.IPPROTO_SCTP)}


def setns(name):
    """This thread into network namespace name."""
    path = f"/run/netns/{name}"
    fd = os.open(path, os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET):
            raise OSError(ctypes.get_errno(), f"setns {path}")
    finally:
        os.close(fd)


def load(path):
    with open(path) as f:
        return json.load(f)


def serve(pods):
    socks = []

    def listen(kind, proto, port):
        s = socket.socket(socket.AF_INET, kind, proto)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", port))
        if kind == socket.SOCK_STREAM:
            s.listen(128)
        s.setblocking(False)
        socks.append(s)

    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    for p in pods.values():
        if p["role"] not in ("pod", "server"):
            continue
        setns(p["netns"])
        for port in (80, 81):
            listen(socket.SOCK_STREAM, 0, port)
            listen(socket.SOCK_DGRAM, 0, port)
            try:
                listen(socket.SOCK_STREAM, socket.IPPROTO_SCTP, port)
            except OSError:
                pass		# no SCTP in this kernel
        listen(socket.SOCK_DGRAM, 0, 53)
    _libc.setns(home, CLONE_NEWNET)
    os.close(home)
    print("serving", flush=True)
    byfd = {s.fileno(): s for s in socks}
    poll = select.poll()
    for fd in byfd:
        poll.register(fd, select.POLLIN)
    while True:
        for fd, _ in poll.poll():
            s = byfd[fd]
            try:
                if s.type == socket.SOCK_DGRAM:
                    data, peer = s.recvfrom(2048)
                    s.sendto(b"ok " + data, peer)
                else:
                    c, _ = s.accept()
                    c.setblocking(False)
                    try:
                        c.send(b"ok\n")
                    except OSError:
                        pass
                    c.close()
            except OSError:
                pass


def expected(names, servers, rules):
    want = {(c, s): False for c in names for s in servers}
    for r in rules.split(";"):
        r = r.strip()
        if not r:
            continue
        if r in ("all", "none"):
            for k in want:
                want[k] = r == "all"
            continue
        if r == "self":
            for k in want:
                want[k] = want[k] or k[0] == k[1]
            continue
        val = not r.startswith("!")
        c, _, s = r.lstrip("!").partition("->")
        hit = False
        for (a, b) in want:
            if fnmatch.fnmatchcase(a, c.strip()) and fnmatch.fnmatchcase(b, s.strip()):
                want[(a, b)] = val
                hit = True
        if not hit:
            raise SystemExit(f"expect: \"{r}\" names no cell")
    return want


def table(names, servers, got, want=None):
    w = max(len(n) for n in names)
    out = [" " * w + " " + " ".join(f"{s:>3}" for s in servers)]
    for c in names:
        row = []
        for s in servers:
            mark = "." if got[(c, s)] else "X"
            if want is not None and want[(c, s)] != got[(c, s)]:
                mark += "!"
            row.append(f"{mark:>3}")
        out.append(f"{c:<{w}} " + " ".join(row))
    return "\n".join(out)


def probe(pods, port, proto, rules):
    port = int(port)
    names = [n for n in pods if pods[n]["role"] in ("pod", "client")]
    servers = [n for n in pods if pods[n]["role"] in ("pod", "server") or
               (pods[n].get("port"), pods[n].get("proto")) == (port, proto)]
    kind, pnum = PROTO[proto]
    want = expected(names, servers, rules)
    cells = {}
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    try:
        for c in names:
            setns(pods[c]["netns"])
            for s in servers:
                k = socket.socket(socket.AF_INET, kind, pnum)
                k.setblocking(False)
                if pods[c]["role"] == "client":
                    # The same source port in every case: a connection
                    # of one case is never taken for a reply in the next.
                    k.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    k.bind((pods[c]["ip"], pods[c].get("sport", 0) and
                            pods[c]["sport"] + servers.index(s)))
                if kind == socket.SOCK_DGRAM:
                    k.connect((pods[s]["ip"], port))
                    try:
                        k.send(b"ping")
                    except OSError:
                        pass
                else:
                    k.connect_ex((pods[s]["ip"], port))
                cells[(c, s)] = k
    finally:
        _libc.setns(home, CLONE_NEWNET)
        os.close(home)
    got = {k: False for k in want}
    dead = set()
    deadline = time.time() + float(os.environ.get("PROBE_TIMEOUT", "60"))
    grace = None
    last_send = time.time()
    while time.time() < deadline:
        pending = [k for k in cells if not got[k] and k not in dead]
        if not pending:
            break
        if grace is None and all(not want[k] for k in pending):
            grace = time.time() + 1
        if grace is not None and time.time() >= grace:
            break
        poll = select.poll()
        byfd = {}
        for k in pending:
            s = cells[k]
            byfd[s.fileno()] = k
            poll.register(s, select.POLLIN if s.type == socket.SOCK_DGRAM
                          else select.POLLOUT)
        for fd, ev in poll.poll(200):
            k = byfd[fd]
            s = cells[k]
            if s.type == socket.SOCK_DGRAM:
                try:
                    got[k] = s.recv(64).startswith(b"ok")
                except OSError:
                    dead.add(k)
            elif s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                got[k] = True
            else:
                dead.add(k)
        # A datagram may wait for a neighbour: again each second.
        if time.time() - last_send > 1:
            last_send = time.time()
            for k in pending:
                if cells[k].type == socket.SOCK_DGRAM and not got[k]:
                    try:
                        cells[k].send(b"ping")
                    except OSError:
                        pass
    for s in cells.values():
        s.close()
    print(table(names, servers, got, want))
    bad = sorted(k for k in want if want[k] != got[k])
    for c, s in bad:
        print(f"{c} -> {s}: {'reached' if got[(c, s)] else 'no connection'}, "
              f"expected {'a connection' if want[(c, s)] else 'none'}")
    return 1 if bad else 0


def main(argv):
    if len(argv) == 2 and argv[0] == "serve":
        serve(load(argv[1]))
        return 0
    if len(argv) == 5 and argv[0] == "probe":
        return probe(load(argv[1]), argv[2], argv[3], argv[4])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
