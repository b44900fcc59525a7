#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Helper of the SACL selftests (runs inside namespaces).

  sacltool.py capture DEV ip6|ip[+raw] READY STOP SECONDS
                                   JSON: every IPv6 (or IPv4) packet DEV
                                   sends and receives, with its Hop-by-Hop
                                   options (IPv4: "opts4"): READY is made
                                   once it listens; it ends when STOP is
                                   there and no packet came for 0.3 s,
                                   or after SECONDS (no tcpdump to start);
                                   a Geneve packet with its VNI and inner
                                   IP header ("geneve"); +raw: each
                                   packet's bytes too ("hex")
  sacltool.py send ADDR PORT HEX [SPORT]
                                   one UDP datagram to [ADDR]:PORT carrying
                                   the Hop-by-Hop header HEX (IPV6_HOPOPTS;
                                   "-": none), from SPORT if given
  sacltool.py recv PORT SECONDS [COUNT]
                                   JSON: datagrams that came to PORT, each
                                   with its source port and the Hop-by-Hop
                                   header it carried;
                                   ends after SECONDS without one, or COUNT
  sacltool.py short ADDR           a TCP segment too short for its header
  sacltool.py send4 ADDR PORT HEX  one UDP datagram to ADDR:PORT carrying
                                   the IPv4 options HEX (IP_OPTIONS)
  sacltool.py recv4 PORT SECONDS [COUNT]
                                   as recv, over IPv4, with the options
                                   each datagram carried ("opts4")
  sacltool.py spoof SRC SPORT DST DPORT
                                   one UDP datagram from a source address
                                   that is not the sender's (IP_TRANSPARENT)
  sacltool.py icmperr DST TYPE CODE QSRC QSPORT QDST QDPORT
                                   an ICMP (ICMPv6) error to DST quoting a
                                   UDP datagram QSRC:QSPORT -> QDST:QDPORT
  sacltool.py gso ADDR PORT SIZE SEG
                                   SIZE bytes to ADDR:PORT in one send,
                                   as UDP GSO datagrams of SEG bytes
  sacltool.py sink PORT             one TCP connection to PORT: prints
                                   the bytes it carried (60 s at most)
  sacltool.py bulk ADDR PORT BYTES BYTES over one TCP connection
  sacltool.py refused ADDR PORT    one UDP datagram to a closed port:
                                   prints "refused" when the ICMP error
                                   came back, "timeout" when not
"""
import json
import socket
import struct
import sys

def hbh_options(hdr):
    opts, i = [], 2
    while i < len(hdr):
        t = hdr[i]
        if t == 0:
            opts.append({"type": 0, "len": 0, "data": ""})
            i += 1
            continue
        ln = hdr[i + 1] if i + 1 < len(hdr) else 0
        opts.append({"type": t, "len": ln, "data": hdr[i + 2:i + 2 + ln].hex()})
        i += 2 + ln
    return opts


def parse_ipv6(pkt):
    if len(pkt) < 40 or pkt[0] >> 4 != 6:
        return None
    nh = pkt[6]
    out = {"src": socket.inet_ntop(socket.AF_INET6, pkt[8:24]),
           "dst": socket.inet_ntop(socket.AF_INET6, pkt[24:40]),
           "hlim": pkt[7], "dscp": ((pkt[0] & 0xf) << 4 | pkt[1] >> 4) >> 2, "plen": struct.unpack("!H", pkt[4:6])[0],
           "hbh": None, "proto": nh}
    if nh == 0 and len(pkt) >= 48:
        hl = (pkt[41] + 1) * 8
        hdr = pkt[40:40 + hl]
        out["hbh"] = {"len": hl, "opts": hbh_options(hdr)}
        out["proto"] = hdr[0]
    return out


def ip4_options(opts):
    out, i = [], 0
    while i < len(opts):
        t = opts[i]
        if t in (0, 1):
            out.append({"type": t, "len": 1, "data": ""})
            i += 1
            if t == 0:
                break
            continue
        ln = opts[i + 1] if i + 1 < len(opts) else 0
        out.append({"type": t, "len": ln, "data": opts[i + 2:i + max(ln, 2)].hex()})
        i += max(ln, 2)
    return out


def parse_ipv4(pkt):
    if len(pkt) < 20 or pkt[0] >> 4 != 4:
        return None
    hl = (pkt[0] & 0xf) * 4
    return {"src": socket.inet_ntop(socket.AF_INET, pkt[12:16]),
            "dst": socket.inet_ntop(socket.AF_INET, pkt[16:20]),
            "hlim": pkt[8], "dscp": pkt[1] >> 2, "proto": pkt[9],
            "len": struct.unpack("!H", pkt[2:4])[0], "ihl": hl,
            "df": bool(pkt[6] & 0x40),
            "opts4": ip4_options(pkt[20:hl]) if hl > 20 else None}


def geneve(pkt):
    """A Geneve packet's header (UDP port 6081) and the inner IP header."""
    if pkt[0] >> 4 == 4:
        hl, proto = (pkt[0] & 0xf) * 4, pkt[9]
    else:
        hl, proto = 40, pkt[6]
    udp = pkt[hl:]
    if proto != 17 or len(udp) < 16 or struct.unpack("!H", udp[2:4])[0] != 6081:
        return None
    g = udp[8:]
    inner = g[8 + (g[0] & 0x3f) * 4:]
    return {"vni": int.from_bytes(g[4:7], "big"), "type": g[2:4].hex(),
            "inner": parse_ipv4(inner) or parse_ipv6(inner)}


def cmd_capture(dev, family, ready, stop, seconds):
    import os
    import select
    import time
    raw = family.endswith("+raw")
    family = family.removesuffix("+raw")
    proto = 0x86dd if family == "ip6" else 0x0800
    # ETH_P_ALL: a socket of one protocol does not see what DEV sends.
    s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(3))
    s.bind((dev, 3))
    open(ready, "w").close()
    pkts, end, last = [], time.time() + float(seconds), time.time()
    while time.time() < end:
        if select.select([s], [], [], 0.1)[0]:
            frame, addr = s.recvfrom(65536)
            if addr[1] != proto:
                continue
            p = parse_ipv6(frame) if proto == 0x86dd else parse_ipv4(frame)
            if p:
                p["geneve"] = geneve(frame)
                if raw:
                    p["hex"] = frame.hex()
                pkts.append(p)
            last = time.time()
        elif os.path.exists(stop) and time.time() - last >= 0.3:
            break
    json.dump(pkts, sys.stdout)


def cmd_send(addr, port, hexhdr, sport="0"):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.bind(("::", int(sport)))
    if hexhdr not in ("", "-"):
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_HOPOPTS,
                     bytes.fromhex(hexhdr))
    s.sendto(b"forged?", (addr, int(port)))


def cmd_short(addr):
    """A TCP segment of 3 bytes: no whole TCP header."""
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_TCP)
    s.sendto(b"\x00\x50\x00", (addr, 0))


def recv_all(s, seconds, count, what):
    """Datagrams until SECONDS without one, or COUNT; what(anc) -> (key, val)."""
    s.settimeout(float(seconds))
    got = []
    try:
        while True:
            data, anc, _, peer = s.recvmsg(2048, 1024)
            key, val = what(anc)
            got.append({"from": peer[0], "port": peer[1],
                        "data": data.decode(errors="replace"), key: val})
            if len(got) == int(count):
                break
    except socket.timeout:
        pass
    json.dump(got, sys.stdout)


def recv_opts(family, level, optname, cmsg_type, key, parse, port, seconds,
              count):
    """Datagrams with the options the kernel hands up (cmsg_type at level),
    as KEY: parse(options) or None."""
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.setsockopt(level, optname, 1)
    s.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", int(port)))

    def options(anc):
        for lvl, typ, val in anc:
            if lvl == level and typ == cmsg_type:
                return key, parse(val)
        return key, None
    recv_all(s, seconds, count, options)


def cmd_recv(port, seconds, count="0"):
    recv_opts(socket.AF_INET6, socket.IPPROTO_IPV6, socket.IPV6_RECVHOPOPTS,
              socket.IPV6_HOPOPTS, "hbh",
              lambda val: {"len": len(val), "opts": hbh_options(val)},
              port, seconds, count)


def cmd_send4(addr, port, hexopts):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_OPTIONS, bytes.fromhex(hexopts))
    s.sendto(b"forged?", (addr, int(port)))


def cmd_recv4(port, seconds, count="0"):
    recv_opts(socket.AF_INET, socket.IPPROTO_IP, socket.IP_RECVOPTS,
              socket.IP_RECVOPTS, "opts4", ip4_options, port, seconds, count)


def fam(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def cmd_spoof(src, sport, dst, dport):
    f = fam(dst)
    s = socket.socket(f, socket.SOCK_DGRAM)
    # A source that is not the sender's: IPv4 routes it only for a
    # transparent socket (FLOWI_FLAG_ANYSRC); root may.
    if f == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, 75, 1)    # IPV6_TRANSPARENT
    else:
        s.setsockopt(socket.IPPROTO_IP, 19, 1)      # IP_TRANSPARENT
    s.bind((src, int(sport)))
    s.sendto(b"spoofed?", (dst, int(dport)))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    t = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while t >> 16:
        t = (t & 0xffff) + (t >> 16)
    return ~t & 0xffff


def cmd_icmperr(dst, typ, code, qsrc, qsport, qdst, qdport):
    udp = struct.pack("!HHHH", int(qsport), int(qdport), 16, 0) + b"quoted.."
    if fam(dst) == socket.AF_INET6:
        q = struct.pack("!IHBB", 6 << 28, len(udp), 17, 64) + \
            socket.inet_pton(socket.AF_INET6, qsrc) + \
            socket.inet_pton(socket.AF_INET6, qdst) + udp
        # The kernel fills an ICMPv6 checksum.
        msg = struct.pack("!BBHI", int(typ), int(code), 0, 0) + q
        s = socket.socket(socket.AF_INET6, socket.SOCK_RAW,
                          socket.IPPROTO_ICMPV6)
    else:
        ih = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64,
                         17, 0, socket.inet_aton(qsrc),
                         socket.inet_aton(qdst))
        ih = ih[:10] + struct.pack("!H", csum(ih)) + ih[12:]
        body = ih + udp
        msg = struct.pack("!BBHI", int(typ), int(code), 0, 0) + body
        msg = msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.sendto(msg, (dst, 0))


def cmd_gso(addr, port, size, seg):
    s = socket.socket(fam(addr), socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_UDP, 103, int(seg))     # UDP_SEGMENT
    s.sendto(b"g" * int(size), (addr, int(port)))


def cmd_geneve(src, dst, vni, otos, isrc, idst, dport, itos, data):
    """One Geneve packet by hand from SRC to DST:6081 (outer traffic
    class / TOS OTOS), holding an IPv4 UDP datagram ISRC -> IDST:DPORT
    with TOS ITOS: what a router's marks on the way look like."""
    udp = struct.pack("!HHHH", 40000, int(dport), 8 + len(data), 0) + \
        data.encode()
    ih = struct.pack("!BBHHHBBH4s4s", 0x45, int(itos), 20 + len(udp), 1,
                     0x4000, 64, 17, 0, socket.inet_aton(isrc),
                     socket.inet_aton(idst))
    ih = ih[:10] + struct.pack("!H", csum(ih)) + ih[12:]
    gnv = struct.pack("!BBHI", 0, 0, 0x0800, int(vni) << 8)
    f = fam(dst)
    s = socket.socket(f, socket.SOCK_DGRAM)
    if f == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS, int(otos))
    else:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, int(otos))
    s.bind((src, 0))
    s.sendto(gnv + ih + udp, (dst, 6081))


def cmd_recvtos(port, seconds, count="0"):
    recv_opts(socket.AF_INET, socket.IPPROTO_IP, socket.IP_RECVTOS,
              socket.IP_TOS, "tos", lambda val: val[0], port, seconds, count)


def cmd_sink(port):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", int(port)))
    s.listen(1)
    s.settimeout(60)
    c, _ = s.accept()
    c.settimeout(60)
    n = 0
    try:
        while True:
            d = c.recv(65536)
            if not d:
                break
            n += len(d)
    except socket.timeout:
        pass
    print(n)


def cmd_bulk(addr, port, size):
    s = socket.create_connection((addr, int(port)), timeout=60)
    s.sendall(b"b" * int(size))
    s.close()


def cmd_refused(addr, port):
    s = socket.socket(fam(addr), socket.SOCK_DGRAM)
    s.connect((addr, int(port)))
    s.settimeout(10)
    s.send(b"anyone?")
    try:
        s.recv(100)
        print("answered")
    except ConnectionRefusedError:
        print("refused")
    except socket.timeout:
        print("timeout")


CMDS = {"capture": cmd_capture, "send": cmd_send, "recv": cmd_recv,
        "short": cmd_short, "send4": cmd_send4, "recv4": cmd_recv4,
        "spoof": cmd_spoof, "icmperr": cmd_icmperr, "gso": cmd_gso,
        "sink": cmd_sink, "bulk": cmd_bulk, "refused": cmd_refused,
        "geneve": cmd_geneve, "recvtos": cmd_recvtos}


def main(argv):
    return CMDS[argv[0]](*argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
