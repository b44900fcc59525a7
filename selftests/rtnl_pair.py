#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Create an idmesh local pair with a hand-made RTM_NEWLINK, naming the
peer's namespace the way other tools do (the idmesh tool sends a file
descriptor only); with --kind netkit, a netkit pair in L3 mode with no
programs (both ends pass), which Debian 12's iproute2 cannot make
(make bench-link's baseline):

  rtnl_pair.py [--kind netkit] NAME PEER pid PID        IFLA_NET_NS_PID
  rtnl_pair.py NAME PEER fd PATH        IFLA_NET_NS_FD
  rtnl_pair.py NAME PEER nsid PATH      IFLA_TARGET_NETNSID, after giving
                                        PATH's namespace an id here

Prints "ok" or "error ERRNO: EXTACK" and exits 0 either way (1 when the
request could not be made at all).
"""
import os
import socket
import struct
import sys

NLM_F_REQUEST, NLM_F_ACK, NLM_F_EXCL, NLM_F_CREATE = 1, 4, 0x200, 0x400
NLMSG_ERROR, RTM_NEWLINK, RTM_NEWNSID, RTM_GETNSID = 2, 16, 88, 90
IFLA_IFNAME, IFLA_LINKINFO, IFLA_NET_NS_PID = 3, 18, 19
IFLA_NET_NS_FD, IFLA_TARGET_NETNSID = 28, 46
IFLA_INFO_KIND, IFLA_INFO_DATA = 1, 2
IFLA_IDMESH_PEER = 2
IFLA_NETKIT_PEER_INFO, IFLA_NETKIT_MODE, NETKIT_L3 = 1, 5, 1
NETNSA_NSID, NETNSA_FD = 1, 3
NETLINK_EXT_ACK, NLMSGERR_ATTR_MSG, NLM_F_ACK_TLVS = 11, 1, 0x200
SOL_NETLINK = 270


def attr(kind, data):
    n = 4 + len(data)
    return struct.pack("=HH", n, kind) + data + b"\0" * ((4 - n % 4) % 4)


def ifinfomsg():
    return struct.pack("=BxHiII", 0, 0, 0, 0, 0)


def request(sock, kind, payload, seq, reply=None):
    """Send; return the error text, or the first message of type reply."""
    flags = NLM_F_REQUEST | (0 if reply else NLM_F_ACK)
    if kind == RTM_NEWLINK:
        flags |= NLM_F_CREATE | NLM_F_EXCL
    msg = struct.pack("=IHHII", 16 + len(payload), kind, flags, seq, 0)
    sock.send(msg + payload)
    while True:
        data = sock.recv(65536)
        off = 0
        while off < len(data):
            n, t, fl, s, _ = struct.unpack_from("=IHHII", data, off)
            if t == NLMSG_ERROR and s == seq:
                return error(data[off:off + n], fl)
            if t == reply and s == seq:
                return data[off + 16:off + n]
            off += (n + 3) & ~3


def nsid_of(sock, fd):
    """The id this namespace has for the one fd names, given one if none."""
    fdattr = attr(NETNSA_FD, struct.pack("=I", fd))
    hdr = struct.pack("=B3x", socket.AF_UNSPEC)	# struct rtgenmsg, padded
    res = request(sock, RTM_NEWNSID, hdr + fdattr +
                  attr(NETNSA_NSID, struct.pack("=i", 77)), 1)
    if res != "ok" and not res.startswith("error 17:"):
        print(f"nsid: {res}")
        sys.exit(1)
    body = request(sock, RTM_GETNSID, hdr + fdattr, 2, reply=RTM_NEWNSID)
    if isinstance(body, str):
        print(f"nsid: {body}")
        sys.exit(1)
    off = 4
    while off + 4 <= len(body):
        n, t = struct.unpack_from("=HH", body, off)
        if t == NETNSA_NSID:
            return struct.unpack_from("=i", body, off + 4)[0]
        off += (n + 3) & ~3
    print("nsid: none in the reply")
    sys.exit(1)


def error(msg, flags):
    err = -struct.unpack_from("=i", msg, 16)[0]
    if not err:
        return "ok"
    text = ""
    if flags & NLM_F_ACK_TLVS:
        # the request's header only when capped (NLM_F_CAPPED), then TLVs
        inner = struct.unpack_from("=I", msg, 20)[0]
        off = 20 + 16 if flags & 0x100 else 20 + ((inner + 3) & ~3)
        while off + 4 <= len(msg):
            n, t = struct.unpack_from("=HH", msg, off)
            if n < 4:
                break
            if t == NLMSGERR_ATTR_MSG:
                text = msg[off + 4:off + n].split(b"\0")[0].decode()
            off += (n + 3) & ~3
    return f"error {err}: {text}"


def main():
    args = sys.argv[1:]
    kind = "idmesh"
    if args[:1] == ["--kind"] and len(args) > 1:
        kind, args = args[1], args[2:]
    if len(args) != 4 or args[2] not in ("pid", "fd", "nsid") or \
            kind not in ("idmesh", "netkit"):
        sys.exit(__doc__)
    name, peer, how, what = args
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
    sock.setsockopt(SOL_NETLINK, 10, 1)		# NETLINK_CAP_ACK
    sock.bind((0, 0))
    if how == "pid":
        target = attr(IFLA_NET_NS_PID, struct.pack("=I", int(what)))
    elif how == "fd":
        fd = os.open(what, os.O_RDONLY)
        target = attr(IFLA_NET_NS_FD, struct.pack("=I", fd))
    else:
        nsid = nsid_of(sock, os.open(what, os.O_RDONLY))
        target = attr(IFLA_TARGET_NETNSID, struct.pack("=i", nsid))
    peer_msg = ifinfomsg() + attr(IFLA_IFNAME, peer.encode() + b"\0") + target
    if kind == "netkit":
        data = attr(IFLA_NETKIT_PEER_INFO, peer_msg) + \
            attr(IFLA_NETKIT_MODE, struct.pack("=I", NETKIT_L3))
    else:
        data = attr(IFLA_IDMESH_PEER, peer_msg)
    info = attr(IFLA_INFO_KIND, kind.encode() + b"\0") + \
        attr(IFLA_INFO_DATA, data)
    payload = ifinfomsg() + attr(IFLA_IFNAME, name.encode() + b"\0") + \
        attr(IFLA_LINKINFO, info)
    print(request(sock, RTM_NEWLINK, payload, 3))


if __name__ == "__main__":
    main()
