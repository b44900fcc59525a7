#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Fuzz the idmesh generic netlink family and RTM_NEWLINK of kind idmesh.

  fuzz.py N SEED

Sends N requests from the current network namespace: every operation of
the family (from Documentation/netlink/specs/idmesh.yaml, so it follows
the spec) and RTM_NEWLINK of kind idmesh, with valid shapes and random or
boundary values, values taken from the addresses the selftest uses (so
that some requests succeed and change what packets meet), unknown and
oversized attributes, wrong nesting and odd header fields. Every request
asks for an answer; prints one JSON line: the seed, requests sent,
answered, and the answers by errno.
"""
import errno
import json
import os
import random
import socket
import struct
import sys
from pathlib import Path

import yaml

NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
NLM_F_EXCL, NLM_F_CREATE = 0x200, 0x400
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 16, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
NLA_F_NESTED = 0x8000
SOL_NETLINK, NETLINK_EXT_ACK = 270, 11
RTM_NEWLINK = 16
IFLA_IFNAME, IFLA_MTU, IFLA_LINKINFO = 3, 4, 18
IFLA_NET_NS_PID, IFLA_NET_NS_FD = 19, 28
IFLA_INFO_KIND, IFLA_INFO_DATA = 1, 2

top = Path(__file__).resolve().parent.parent
# libyaml's loader where PyYAML has it: the pure-Python one is eight
# times slower (60 ms against 8 ms on the host).
spec = yaml.load((top / "Documentation/netlink/specs/idmesh.yaml").read_text(),
                 Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
consts = {c["name"]: c["value"] for c in spec["definitions"] if c["type"] == "const"}


def numbered(items):
    out, nxt = {}, 0
    for it in items:
        nxt = it.get("value", nxt)
        out[it["name"]] = (nxt, it)
        nxt += 1
    return out


sets = {s["name"]: numbered(s["attributes"]) for s in spec["attribute-sets"]}
ops = numbered(spec["operations"]["list"])

# Values the selftest's namespaces use: requests with them can succeed.
POOL = {
    "addr4": [bytes([10, 100, 0, i]) for i in range(1, 4)] +
             [bytes([10, 8, i, 2]) for i in range(1, 4)],
    "addr6": [bytes.fromhex("fd640000000000000000000000000001"),
              bytes.fromhex("fd080001000000000000000000000002")],
    "addr": [bytes.fromhex("fd090000000000000000000000000002"),
             bytes.fromhex("fd080001000000000000000000000002")],
    "proto": [6, 17, 132, 0, 1, 58, 255],
    "port": [0, 53, 80, 8080, 65535],
    "kind": list(range(0, 8)),
    "ifindex": list(range(0, 8)),
    "id": [1, 2, 101, 201, 2 ** 64 - 1],
    "client-id": [101, 0x60], "server-id": [201, 0xc8],
    "table-size": [3, 7, 251, 65537, 65536, 1000003],
    "weight": [0, 1, 2, 65535, 65536],
    "action": [0, 1, 2, 3], "default": [1, 2, 3], "mode": [0, 1, 2, 3],
}
SIZES = {"u8": 1, "u16": 2, "u32": 4, "u64": 8}


def attr(kind, data):
    n = 4 + len(data)
    return struct.pack("=HH", n, kind) + data + b"\0" * ((4 - n % 4) % 4)


def limit(v):
    return consts.get(v.replace("_", "-"), v) if isinstance(v, str) else v


def scalar(rng, name, spec_attr, size):
    checks = spec_attr.get("checks", {})
    cands = [0, 1, (1 << 8 * size) - 1, rng.getrandbits(8 * size)]
    for k, d in (("min", 0), ("max", 0), ("min", -1), ("max", 1)):
        if k in checks and isinstance(limit(checks[k]), int):
            cands.append(limit(checks[k]) + d)
    if name in POOL and rng.random() < 0.6:
        cands = POOL[name]
    v = rng.choice(cands)
    if isinstance(v, bytes):
        return v
    v &= (1 << 8 * size) - 1
    order = ">" if spec_attr.get("byte-order") == "big-endian" else "="
    return struct.pack(order + "BHIQ"[[1, 2, 4, 8].index(size)], v)


def value(rng, set_name, name, depth):
    num, a = sets[set_name][name]
    t = a["type"]
    if t in SIZES:
        data = scalar(rng, name, a, SIZES[t])
    elif t == "string":
        data = bytes(rng.choice(b"abcdefgh0.:-") for _ in range(rng.randrange(40)))
        data += b"\0" if rng.random() < 0.8 else b""
    elif t == "binary":
        if name in POOL and rng.random() < 0.6:
            data = rng.choice(POOL[name])
        else:
            n = a.get("checks", {}).get("exact-len", rng.choice([0, 1, 4, 16, 64]))
            data = os.urandom(n)
    elif t == "nest" and depth < 3:
        data = nest(rng, a["nested-attributes"], None, depth + 1)
        num |= NLA_F_NESTED if rng.random() < 0.9 else 0
    else:
        data = os.urandom(rng.randrange(12))
    return num, data


def nest(rng, set_name, names, depth=0):
    """Attributes of a set: the names given (an operation's), or any."""
    names = names or [n for n, (v, a) in sets[set_name].items()
                      if a["type"] not in ("unused", "pad")]
    out = b""
    for name in rng.sample(names, min(len(names), rng.randrange(1, 6))):
        num, data = value(rng, set_name, name, depth)
        r = rng.random()
        if r < 0.04:		# oversized
            data += os.urandom(rng.choice([1, 7, 300, 4000]))
        elif r < 0.08:		# wrong nesting: a scalar wrapped, or a nest flattened
            data = attr(rng.randrange(1, 40), data)
            num |= NLA_F_NESTED
        elif r < 0.10:		# cut short
            data = data[:len(data) // 2]
        out += attr(num, data)
    if rng.random() < 0.1:	# unknown attributes
        out += attr(rng.choice([max(v for v, _ in sets[set_name].values()) + 1,
                                200, 0x7fff]), os.urandom(rng.randrange(9)))
    return out


class Netlink:
    def __init__(self, proto):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, proto)
        self.s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.s.settimeout(30)
        self.s.bind((0, 0))
        self.seq = 0

    def ask(self, kind, flags, payload):
        """Send; the answer's errno (0: acked, or the dump ended), or None."""
        self.seq += 1
        msg = struct.pack("=IHHII", 16 + len(payload), kind, flags, self.seq, 0)
        self.s.send(msg + payload)
        try:
            while True:
                data = self.s.recv(1 << 20)
                off = 0
                while off + 16 <= len(data):
                    n, t, _, seq, _ = struct.unpack_from("=IHHII", data, off)
                    if seq == self.seq and t == NLMSG_ERROR:
                        return -struct.unpack_from("=i", data, off + 16)[0]
                    if seq == self.seq and t == NLMSG_DONE:
                        return 0
                    off += max((n + 3) & ~3, 16)
        except socket.timeout:
            return None


def family_id(nl):
    payload = struct.pack("=BBH", CTRL_CMD_GETFAMILY, 1, 0) + \
        attr(CTRL_ATTR_FAMILY_NAME, b"idmesh\0")
    nl.seq += 1
    nl.s.send(struct.pack("=IHHII", 16 + len(payload), GENL_ID_CTRL,
                          NLM_F_REQUEST, nl.seq, 0) + payload)
    data = nl.s.recv(65536)
    off = 20
    while off < len(data):
        n, t = struct.unpack_from("=HH", data, off)
        if t == CTRL_ATTR_FAMILY_ID:
            return struct.unpack_from("=H", data, off + 4)[0]
        off += (n + 3) & ~3
    sys.exit("no idmesh family")


def genl_request(rng, fam):
    name = rng.choice([n for n in ops if n != "unspec"])
    cmd, op = ops[name]
    body = op.get("do") or op.get("dump") or {}
    names = (body.get("request") or {}).get("attributes") or None
    flags = NLM_F_REQUEST | NLM_F_ACK
    if "dump" in op and ("do" not in op or rng.random() < 0.5):
        flags |= NLM_F_DUMP
    r = rng.random()
    if r < 0.05:		# a command the family does not have
        cmd = rng.choice([0, len(ops), 100, 255])
    elif r < 0.08:		# a dump of an operation that has none
        flags |= NLM_F_DUMP
    version, reserved = 1, 0
    if rng.random() < 0.05:
        version = rng.randrange(256)
    if rng.random() < 0.05:
        reserved = rng.randrange(1, 65536)
    attrs = nest(rng, op.get("attribute-set", "idmesh"),
                 names if rng.random() < 0.7 else None)
    return name, fam, flags, struct.pack("=BBH", cmd, version, reserved) + attrs


LINK_ATTRS = [(1, 1), (3, 0), (4, 4), (5, 16), (6, 16), (7, 2), (8, 4), (9, 4)]


def link_request(rng):
    """RTM_NEWLINK of kind idmesh: a pair or a remote link, half-valid."""
    data = b""
    if rng.random() < 0.5:	# a pair: IFLA_IDMESH_PEER
        peer = struct.pack("=BxHiII", 0, 0, 0, 0, 0)
        if rng.random() < 0.8:
            peer += attr(IFLA_IFNAME, b"fzp%d\0" % rng.randrange(8))
        if rng.random() < 0.2:
            peer += attr(rng.choice([IFLA_NET_NS_PID, IFLA_MTU]),
                         struct.pack("=I", rng.choice([os.getpid(), 0, 68, 70000])))
        if rng.random() < 0.1:
            peer = peer[:rng.randrange(len(peer))]
        data += attr(2 | NLA_F_NESTED, peer)
    for kind, size in rng.sample(LINK_ATTRS, rng.randrange(len(LINK_ATTRS))):
        if kind == 5 or kind == 6:
            v = rng.choice([bytes([192, 168, 60, rng.randrange(4)]),
                            os.urandom(16), os.urandom(rng.randrange(20))])
        elif kind == 3:
            v = b"x" * rng.randrange(20)
        else:
            v = os.urandom(size) if rng.random() < 0.5 else \
                (rng.choice([1, 7, 0, 2 ** 24 - 1, 2 ** 24]) & ((1 << 8 * size) - 1)
                 ).to_bytes(size, "little")
        data += attr(kind, v)
    info = attr(IFLA_INFO_KIND, b"idmesh\0") + attr(IFLA_INFO_DATA | NLA_F_NESTED, data)
    payload = struct.pack("=BxHiII", 0, 0, 0, 0, 0) + \
        attr(IFLA_IFNAME, b"fz%d\0" % rng.randrange(8)) + \
        attr(IFLA_LINKINFO | NLA_F_NESTED, info)
    if rng.random() < 0.1:
        payload += attr(IFLA_MTU, struct.pack("=I", rng.choice([0, 68, 1280, 65536])))
    return "newlink", RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, payload


def main():
    n, seed = int(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    genl = Netlink(socket.NETLINK_GENERIC)
    rtnl = Netlink(socket.NETLINK_ROUTE)
    fam = family_id(genl)
    sent = answered = silent = 0
    answers, per_op = {}, {}
    for _ in range(n):
        if rng.random() < 0.15:
            name, kind, flags, payload = link_request(rng)
            nl = rtnl
        else:
            name, kind, flags, payload = genl_request(rng, fam)
            nl = genl
        err = nl.ask(kind, flags, payload)
        sent += 1
        per_op[name] = per_op.get(name, 0) + 1
        if err is None:
            # No answer in 30 s: the test fails; three in a row end it.
            silent += 1
            if silent == 3:
                break
            continue
        silent = 0
        answered += 1
        key = "ok" if err == 0 else errno.errorcode.get(err, str(err))
        answers[key] = answers.get(key, 0) + 1
    print(json.dumps({"seed": seed, "sent": sent, "answered": answered,
                      "answers": answers, "ops": per_op}))


if __name__ == "__main__":
    main()
