#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Fuzz idmesh's packet path from a pod, over raw sockets.

  pktfuzz.py N SEED SRC4 SRC6 DST4 DST6 VIP4

Sends N random and boundary packets (half IPv4, half IPv6) from the pod it
runs in: IPv4 with options (the SACL option of every length, alone, before
and after others, cut short), IPv6 with Hop-by-Hop headers (the option of
every length, a jumbo option, nested and truncated extension headers),
fragments, UDP, TCP and ICMP with random headers, ICMP errors quoting
random packets, to DST, to the VIP and elsewhere; sources are the pod's
own (SRC) or not. UDP to port 54 carries "DENY" (the rules deny it) and
UDP to the VIP "VIP". Prints one JSON line: the seed, the packets sent
and the send errors by errno.
"""
import errno
import json
import random
import socket
import struct
import sys

from sacltool import csum

SACL4, SACL6 = 30, 0x1E


class Fuzz:
    def __init__(self, seed, src4, src6, dst4, dst6, vip4):
        self.r = random.Random(seed)
        self.src4, self.src6, self.dst4, self.dst6 = src4, src6, dst4, dst6
        self.vip4 = vip4

    def blob(self, lo, hi):
        return bytes(self.r.getrandbits(8) for _ in range(self.r.randint(lo, hi)))

    def l4(self, proto, v6):
        r = self.r
        if proto == 17:
            dport = r.choice([53, 54, 54, 80, r.randint(0, 65535)])
            data = (b"DENY" if dport == 54 else b"VIP") + self.blob(0, 64)
            ulen = r.choice([8 + len(data), 8 + len(data), r.randint(0, 65535)])
            return struct.pack("!HHHH", r.randint(1, 65535), dport, ulen & 0xFFFF,
                               r.choice([0, r.randint(0, 65535)])) + data
        if proto == 6:
            return struct.pack("!HHIIBBHHH", r.randint(1, 65535), r.choice([54, 80]),
                               r.getrandbits(32), r.getrandbits(32),
                               r.choice([0x50, r.getrandbits(8)]), r.getrandbits(8),
                               r.randint(0, 65535), 0, 0) + self.blob(0, 40)
        if proto in (1, 58):
            typ = r.choice([0, 3, 4, 5, 8, 11, 12, 128, 129, 1, 2, 3, 4,
                            r.getrandbits(8)])
            quote = self.ip4(inner=True) if proto == 1 else self.ip6(inner=True)
            body = struct.pack("!BBHI", typ, r.getrandbits(8), 0,
                               r.getrandbits(32)) + quote[:r.randint(0, len(quote))]
            if proto == 1:
                body = body[:2] + struct.pack("!H", csum(body)) + body[4:]
            return body
        return self.blob(0, 64)

    def opts4(self):
        r = self.r
        out = b""
        for _ in range(r.randint(0, 4)):
            k = r.random()
            if k < 0.4:
                n = r.choice([2, 3, 10, 18, 18, 20, r.randint(0, 40)])
                out += bytes([SACL4, n]) + self.blob(n - 2, n - 2) if n >= 2 \
                    else bytes([SACL4, n])
            elif k < 0.6:
                out += b"\x01"
            elif k < 0.8:
                n = r.randint(3, 39)
                out += bytes([7, n, 4]) + bytes(n - 3)
            else:
                out += bytes([r.getrandbits(8), r.randint(0, 40)]) + self.blob(0, 8)
        out = out[:40]
        return out + bytes(-len(out) % 4)

    def ip4(self, inner=False):
        r = self.r
        proto = r.choice([17, 17, 6, 1, r.getrandbits(8)])
        opts = self.opts4() if r.random() < 0.6 else b""
        ihl = (20 + len(opts)) // 4
        if r.random() < 0.1:
            ihl = r.randint(0, 15)
        frag = 0
        if r.random() < 0.15:
            frag = r.choice([0x2000, r.randint(1, 0x1FFF), 0x2000 | r.randint(1, 100)])
        elif r.random() < 0.5:
            frag = 0x4000
        src = self.src4 if r.random() < 0.8 else \
            socket.inet_ntoa(struct.pack("!I", r.getrandbits(32)))
        dst = r.choice([self.dst4, self.dst4, self.vip4, "10.9.0.1",
                        socket.inet_ntoa(struct.pack("!I", r.getrandbits(32)))])
        payload = self.l4(proto, False) if not inner else self.blob(8, 28)
        hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | (ihl & 0xF), r.getrandbits(8),
                          20 + len(opts) + len(payload), r.getrandbits(16), frag,
                          r.choice([64, 1, 255, r.getrandbits(8)]), proto, 0,
                          socket.inet_aton(src), socket.inet_aton(dst)) + opts
        return hdr + payload

    def exthdrs(self, nxt):
        """A chain of extension headers ending in nxt; returns (first, bytes)."""
        r = self.r
        chain = b""
        for _ in range(r.randint(0, 3)):
            kind = r.choice([0, 0, 60, 43, 44])
            if kind == 44:
                body = struct.pack("!BBHI", nxt, 0,
                                   r.choice([0, 1, r.getrandbits(16)]), r.getrandbits(32))
            else:
                opts = b""
                for _ in range(r.randint(0, 3)):
                    k = r.random()
                    if k < 0.5:
                        n = r.choice([16, 16, 0, 8, r.randint(0, 40)])
                        opts += bytes([SACL6, n]) + self.blob(n, n)
                    elif k < 0.6:
                        opts += bytes([0xC2, 4]) + struct.pack("!I", r.getrandbits(32))
                    elif k < 0.8:
                        opts += b"\x00"
                    else:
                        opts += bytes([r.getrandbits(8), r.randint(0, 20)]) + self.blob(0, 20)
                if kind == 43:
                    opts = bytes([r.randint(0, 4), r.randint(0, 3)]) + opts
                ln = (2 + len(opts) + 7) // 8
                opts += bytes(ln * 8 - 2 - len(opts))
                hl = ln - 1 if r.random() < 0.9 else r.getrandbits(8)
                body = bytes([nxt, hl & 0xFF]) + opts
            chain = body + chain
            nxt = kind
        if r.random() < 0.1 and chain:
            chain = chain[:r.randint(0, len(chain))]
        return nxt, chain

    def ip6(self, inner=False):
        r = self.r
        proto = r.choice([17, 17, 6, 58, r.getrandbits(8)])
        payload = self.l4(proto, True) if not inner else self.blob(8, 48)
        first, ext = self.exthdrs(proto) if r.random() < 0.7 else (proto, b"")
        src = self.src6 if r.random() < 0.8 else \
            socket.inet_ntop(socket.AF_INET6, self.blob(16, 16))
        dst = r.choice([self.dst6, self.dst6, "fd09::1",
                        socket.inet_ntop(socket.AF_INET6, self.blob(16, 16))])
        plen = len(ext) + len(payload)
        if r.random() < 0.1:
            plen = r.choice([0, r.getrandbits(16)])
        hdr = struct.pack("!IHBB16s16s", 6 << 28 | r.getrandbits(20), plen & 0xFFFF,
                          first, r.choice([64, 1, 255]),
                          socket.inet_pton(socket.AF_INET6, src),
                          socket.inet_pton(socket.AF_INET6, dst))
        return hdr + ext + payload


def main():
    n, seed = int(sys.argv[1]), int(sys.argv[2])
    f = Fuzz(seed, *sys.argv[3:8])
    s4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
    sent, errors = 0, {}
    for i in range(n):
        v6 = i % 2 == 1
        pkt = f.ip6() if v6 else f.ip4()
        try:
            if v6:
                s6.sendto(pkt, (socket.inet_ntop(socket.AF_INET6, pkt[24:40]), 0))
            else:
                s4.sendto(pkt, (socket.inet_ntoa(pkt[16:20]), 0))
            sent += 1
        except OSError as e:
            name = errno.errorcode.get(e.errno, str(e.errno))
            errors[name] = errors.get(name, 0) + 1
    print(json.dumps({"seed": seed, "n": n, "sent": sent, "errors": errors}))


if __name__ == "__main__":
    main()
