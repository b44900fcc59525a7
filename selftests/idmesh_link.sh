#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# idmesh links as a user sees them: two nodes (network namespaces) joined
# by a veth underlay, each with a pod attached by a local pair, and remote
# links between the nodes over IPv4 and IPv6.
#
#   pod1 --pair-- node1 ==remote id 100 (IPv4 underlay)== node2 --pair-- pod2
#                       ==remote id 200 (IPv6 underlay)==
source "$(dirname "$0")/lib.sh"
require_module

s=idm$$
N1=$s-node1 N2=$s-node2 P1=$s-pod1 P2=$s-pod2 P3=$s-pod3
# iperf3 server in namespace $1 bound to $2, up before we go on.
iperf_server() {
	nsx "$1" iperf3 -s -B "$2" -D -1 >/dev/null 2>&1
	wait_until 10 tcp_listening "$1" 5201
}

ns_new $N1 $N2 $P1 $P2 $P3
for ns in $N1 $N2; do
	nsx "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
done
ip link add ul netns $N1 type veth peer name ul netns $N2
for i in 1 2; do
	ip -n $s-node$i -batch - <<-EOB
	addr add 192.168.50.$i/24 dev ul
	addr add fd50::$i/64 dev ul nodad
	link set ul up
	EOB
done

# pods on local pairs; the pod end is named eth0 as in a container
assert "local pair veth-p1 <-> $P1/eth0 is created" pod46 $N1 $P1 veth-p1 10.1.1 fd01
assert "local pair veth-p2 <-> $P2/eth0 is created" pod46 $N2 $P2 veth-p2 10.2.2 fd02

run "$IDMESH" -n $N1 -j link show veth-p1
assert "show reports the pair as configured" \
	jqt '.[0] | .mode == "pair" and .peer == "eth0" and .netns == $ns and .mtu == 1500' --arg ns $P1
run ip -n $P1 -d link show eth0
assert "ip -d link: point-to-point, no ARP" grep -q "POINTOPOINT,NOARP" <<<"$out"
assert "ip -d link: no link-layer address" grep -q "link/none" <<<"$out"
assert "ip -d link: kind idmesh" grep -qw "idmesh" <<<"$out"
expect "pod1 pings its node over the pair" 0 "*" nsx $P1 ping -c 1 -W 3 10.1.1.1
expect "pod1 pings its node over the pair (IPv6)" 0 "*" nsx $P1 ping -6 -c 1 -W 3 fd01::1

# remote links
expect "remote link over IPv4 (node1)" 0 "" I $N1 link add mesh0 remote 192.168.50.2 local 192.168.50.1 id 100
expect "remote link over IPv4 (node2, by dev)" 0 "" I $N2 link add mesh0 remote 192.168.50.1 id 100 dev ul
expect "remote link over IPv6 (node1)" 0 "" I $N1 link add mesh6 remote fd50::2 id 200 port 7000
expect "remote link over IPv6 (node2)" 0 "" I $N2 link add mesh6 remote fd50::1 local fd50::2 id 200 port 7000
for i in 1 2; do
	o=$((3 - i))
	ip -n $s-node$i -batch - <<-EOB
	link set mesh0 up
	link set mesh6 up
	route add 10.$o.$o.0/24 dev mesh0
	route add fd0$o::/64 dev mesh0
	addr add 10.6.0.$i/32 peer 10.6.0.$o/32 dev mesh6
	EOB
done

run I $N1 link show mesh0
assert "show prints the remote link as configured" \
	[ "$out" = "$(ip -n $N1 -o link show mesh0 | cut -d: -f1): mesh0: remote 192.168.50.2 local 192.168.50.1 id 100 port 6081 mtu 1464 max-mtu 1464 up" ]
run I $N2 -j link show mesh0
check "show -j prints the remote link as configured" \
	'.[0] | .mode == "remote" and .remote == "192.168.50.1" and .id == 100 and .port == 6081 and .dev == "ul" and (has("local") | not)'
run I $N1 -j link show mesh6
check "IPv6 underlay: MTU is 1500 - 40 - 8 - 8 = 1444" '.[0].mtu == 1444 and .[0].port == 7000'
run I $N1 -j link show mesh0
check "IPv4 underlay: MTU is 1500 - 20 - 8 - 8 = 1464" '.[0].mtu == 1464 and .[0].max_mtu == 1464'

# traffic pod1 -> pod2 across the nodes
expect "pod1 pings pod2 across nodes (IPv4)" 0 "*" nsx $P1 ping -c 2 -W 3 10.2.2.2
expect "pod1 pings pod2 across nodes (IPv6)" 0 "*" nsx $P1 ping -6 -c 2 -W 3 fd02::2
expect "node1 pings node2 over the IPv6-underlay link" 0 "*" nsx $N1 ping -c 2 -W 3 10.6.0.2

# Correctness, not speed: a fixed amount is sent (-n, however long that
# takes on a loaded guest). TCP delivers reliably, so the whole
# amount sent means the receiver took it; iperf3's server stops counting
# when the client says it is done, with up to the socket buffers still in
# flight (more than half of 2 MiB on a loaded debug guest), so its count
# only has to show that data arrived. iperf3 writes whole 128 KiB blocks
# and may send one more than -n asks. make bench-link measures speed.
iperf_server $P2 10.2.2.2
# 2 MiB (512 KiB in paths mode) and 500 datagrams (100).
kib=$(scaled 2048 512) dgrams=$(scaled 500 100)
run nsx $P1 timeout 300 iperf3 -c 10.2.2.2 -n ${kib}K -J
assert "iperf3 TCP pod1 -> pod2: $kib KiB sent and acknowledged, data received" \
	jqt '.error == null and .end.sum_sent.bytes >= $k * 1024 and .end.sum_received.bytes > 0' --argjson k $kib
jq -c '.error, .end.sum_sent.bytes, .end.sum_received.bytes' <<<"$out" | tap_diag
iperf_server $P2 fd02::2
# 500 datagrams of 1200 bytes paced at 5 Mbit/s. UDP has no flow control,
# so a little loss is the machine's; a link that drops or mangles them
# delivers none.
run nsx $P1 timeout 300 iperf3 -c fd02::2 -u -b 5M -l 1200 -n $((dgrams * 1200)) -J
assert "iperf3 UDP pod1 -> pod2 (IPv6): $dgrams datagrams sent, at least 75 % delivered" \
	jqt '.end.sum_sent.packets == $n and .end.sum_received.packets > 0 and .end.sum_received.lost_percent < 25' --argjson n $dgrams
jq -c '.error, .end.sum_sent, .end.sum_received' <<<"$out" | tap_diag
modprobe -q sctp 2>/dev/null
if [ -d /proc/sys/net/sctp ]; then
	iperf_server $P2 10.2.2.2
	# For two seconds, whatever that moves on this machine: data arrives.
	run nsx $P1 timeout 300 iperf3 --sctp -c 10.2.2.2 -t 2 -J
	check "iperf3 SCTP pod1 -> pod2 moves data" \
		'.error == null and .end.sum_received.bytes > 0'
	jq -c '.error, .end.sum_sent.bytes, .end.sum_received.bytes' <<<"$out" | tap_diag
else
	tap_skip "iperf3 SCTP pod1 -> pod2 (no SCTP in this kernel)"
fi

# the wire: Geneve, VNI = id, inner packet unchanged. Node 1's helper
# captures on the underlay (listening before the ping; no tcpdump start).
py_start $N1
g=$(mktemp -d)
track_path "$g"
py_bg "$g/cap.json" $N1 sacltool capture ul ip "$g/ready" "$g/stop" 60
wait_until 60 test -e "$g/ready" || echo "no capture in 60 s" | tap_diag
nsx $P1 ping -c 2 -W 3 10.2.2.2 >/dev/null
: >"$g/stop"
py_wait
out=$(<"$g/cap.json")
check "the underlay carries Geneve (UDP 6081) with vni 100, both ways" \
	'[.[] | select(.geneve) | .geneve.vni] | length >= 4 and all(. == 100)'
check "... the inner packet unchanged (pod addresses, ICMP echo)" \
	'[.[] | .geneve.inner // empty | select(.src == "10.1.1.2" and .dst == "10.2.2.2" and .proto == 1)] | length == 2'
tap_flush
[ "$tap_failed" = 0 ] || jq -c '.[] | {src, dst, geneve}' <<<"$out" | head -n 8 | tap_diag

# MTU: a full-size packet passes, one byte more gets the PMTU error
expect "DF ping of exactly the link MTU passes (1464 = 1436 + 28)" 0 "*" \
	nsx $P1 ping -c 1 -W 3 -M do -s 1436 10.2.2.2
# ping prints the ICMP error, or its own local error once the route has
# learned the path MTU from it.
pmtu_error() { [ "$rc" != 0 ] && grep -qE "mtu[ =:]+$1" <<<"$out$err"; }
run nsx $P1 ping -c 2 -W 3 -M do -s 1437 10.2.2.2
assert "one byte more gets 'fragmentation needed, mtu 1464' from node1" pmtu_error 1464
expect "IPv6 ping of exactly the link MTU passes (1464 = 1416 + 48)" 0 "*" \
	nsx $P1 ping -6 -c 1 -W 3 -M do -s 1416 fd02::2
run nsx $P1 ping -6 -c 2 -W 3 -M do -s 1417 fd02::2
assert "one byte more gets 'packet too big, mtu 1464'" pmtu_error 1464

# MTU follows the underlay; a user may lower it, not raise it
ip -n $N1 link set ul mtu 1400
run I $N1 -j link show mesh0
check "underlay MTU 1400 -> link MTU 1364" '.[0].mtu == 1364'
ip -n $N1 link set ul mtu 1500
run I $N1 -j link show mesh0
check "underlay back to 1500 -> link MTU 1464" '.[0].mtu == 1464'
expect "a user may lower the MTU" 0 "" ip -n $N1 link set mesh0 mtu 1300
run ip -n $N1 link set mesh0 mtu 1465
assert "a user may not raise it above the maximum" [ "$rc" != 0 ]
ip -n $N1 link set ul mtu 1480
run I $N1 -j link show mesh0
check "a lowered MTU stays when the underlay changes and still fits" '.[0].mtu == 1300 and .[0].max_mtu == 1444'
ip -n $N1 link set ul mtu 1500
ip -n $N1 link set mesh0 mtu 1464

# drops are counted, never silent
run I $N2 -j stats show
before=$(jq .rx_unknown_id <<<"$out")
I $N1 link add stray remote 192.168.50.2 id 999 && ip -n $N1 link set stray up &&
	ip -n $N1 addr add 10.99.0.1/32 peer 10.99.0.2/32 dev stray
nsx $N1 ping -c 3 -i 0.2 -W 1 10.99.0.2 >/dev/null
run I $N2 -j stats show
assert "packets for an unknown id are dropped and counted on the receiver" \
	[ "$(jq .rx_unknown_id <<<"$out")" -ge $((before + 3)) ]
ip -n $N1 addr add 192.168.50.3/24 dev ul
expect "the same id on another local address is allowed" 0 "" \
	I $N1 link add forger remote 192.168.50.2 local 192.168.50.3 id 100
ip -n $N1 link set forger up
ip -n $N1 addr add 10.98.0.1/32 peer 10.2.2.2/32 dev forger
nsx $N1 ping -c 3 -i 0.2 -W 1 -I 10.98.0.1 10.2.2.2 >/dev/null
run I $N2 -j -s link show mesh0
check "a known id from the wrong source is dropped and counted (bad-source)" \
	'.[0].stats.drops["bad-source"] >= 3'
run I $N1 -j -s link show veth-p1
check "per-link counters count packets and bytes" \
	'.[0].stats.tx_packets > 0 and .[0].stats.rx_bytes > 0'
run ip -n $N1 -s link show mesh0
assert "ip -s link shows the link's counters" grep -qE "^ +[1-9][0-9]* +[1-9]" <<<"$out"

# bad input: an error with the kernel's reason, and nothing created
exists() { ip -n "$1" link show "$2" >/dev/null 2>&1; }
nothing() { ! exists "$@"; }
expect "unknown netns is refused" 1 'Error: cannot open network namespace "no-such-ns": No such file or directory' \
	I $N1 link add bad0 peer bad1 netns no-such-ns
assert "... and nothing was created" nothing $N1 bad0
# Privilege: a caller with CAP_NET_ADMIN over its own namespace only (an
# unprivileged user that unshared a user and a network namespace) cannot
# put the peer in a namespace it does not administer.
ip netns add $s-host
track_ns $s-host
sysctl -qw kernel.unprivileged_userns_clone=1 2>/dev/null
# a process in that namespace, for IFLA_NET_NS_PID
ip netns exec $s-host sleep 600 &
hostpid=$!
track_pid $hostpid
RP="$PY $top/selftests/rtnl_pair.py"
# The attacker's namespace lives on (a planted peer would go with it). It
# names the host's namespace by file descriptor (the tool), by pid and by
# a namespace id of its own.
pl=$(mktemp -d)
track_path "$pl"
chmod 777 "$pl"
setpriv --reuid 65534 --regid 65534 --clear-groups unshare -Urn sh -c "
	'$IDMESH' link add plant0 peer plant1 netns $s-host 2>$pl/err; echo \$? >$pl/rc
	$RP plant2 plant3 pid $hostpid >$pl/pid 2>&1
	'$IDMESH' link add mv0 peer mv1 >$pl/mvadd 2>&1
	ip link set mv1 netns $hostpid 2>$pl/move; echo \$? >$pl/moverc
	$RP plant4 plant5 nsid /run/netns/$s-host >$pl/nsid 2>&1
	exec sleep 120" &
attacker=$!
wait_until 60 test -s "$pl/nsid"
eperm="Putting the peer in that network namespace needs CAP_NET_ADMIN over it"
assert "the peer in a namespace the caller does not administer is refused" \
	[ "$(<"$pl/rc")" = 1 ]
assert "... with the reason" [ "$(<"$pl/err")" = "Error: $eperm" ]
assert "... also named by pid (IFLA_NET_NS_PID)" [ "$(<"$pl/pid")" = "error 1: $eperm" ]
assert "... also named by namespace id (IFLA_TARGET_NETNSID)" \
	[ "$(<"$pl/nsid")" = "error 1: $eperm" ]
assert "... and nothing was created there" \
	eval "nothing $s-host plant1 && nothing $s-host plant3 && nothing $s-host plant5"
assert "the same caller may make a pair in its own namespace" [ ! -s "$pl/mvadd" ]
assert "... but moving an end of it there is refused (rtnetlink checks the target)" \
	[ "$(<"$pl/moverc")" != 0 ]
assert "... and it did not arrive" nothing $s-host mv1
[ "$tap_failed" = 0 ] || tail -n +1 "$pl"/* | tap_diag
kill "$attacker" 2>/dev/null
wait "$attacker" 2>/dev/null
rm -rf "$pl"
expect "a caller with CAP_NET_ADMIN over both namespaces may" 0 "" \
	I $N1 link add plant0 peer plant1 netns $s-host
assert "... and the peer is there" exists $s-host plant1
run nsx $N1 $RP plant2 plant3 pid $hostpid
assert "... by pid too" [ "$out" = ok ]
run nsx $N1 $RP plant4 plant5 nsid /run/netns/$s-host
assert "... and by namespace id" [ "$out" = ok ]
assert "... the peers are there" eval "exists $s-host plant3 && exists $s-host plant5"
for l in plant0 plant2 plant4; do I $N1 link del $l; done
kill "$hostpid"
ip netns del $s-host
expect "a duplicate id on the same local address and port is refused" 1 \
	"Error: This id is already used on this local address and port" \
	I $N1 link add bad0 remote 192.168.50.9 local 192.168.50.1 id 100
assert "... and nothing was created" nothing $N1 bad0
expect "local and remote of different families are refused" 1 \
	"Error: Local and remote addresses are of different families" \
	I $N1 link add bad0 remote fd50::2 local 192.168.50.1 id 5
assert "... and nothing was created" nothing $N1 bad0
expect "an MTU above the maximum is refused" 1 \
	"Error: MTU above the underlay MTU minus the encapsulation" \
	I $N1 link add bad0 remote 192.168.50.2 id 5 mtu 1465
assert "... and nothing was created" nothing $N1 bad0
expect "neither peer nor remote is refused" 2 'Error: a link needs "peer PEER", "remote ADDR" or "external"' \
	I $N1 link add bad0 id 5
expect "id 0 is refused" 2 'Error: id 0 is out of range [1, 16777215]' \
	I $N1 link add bad0 remote 192.168.50.2 id 0
run "$IDMESH" -n $N1 link add bad0 remote 192.168.50.2 id 5 port 6081 dev no-such-dev
assert "an unknown underlay device is refused" [ "$rc" = 1 ]
assert "... and nothing was created" nothing $N1 bad0
expect "link del refuses a device that is not an idmesh link" 1 'Error: no idmesh link "ul"' \
	I $N1 link del ul

# moving an end, deleting one end, destroying a namespace
expect "a pair for moving" 0 "" I $N1 link add mvh peer mvp
expect "one end moves to another namespace" 0 "" ip -n $N1 link set mvp netns $P3
ip -n $N1 link set mvh up; ip -n $P3 link set mvp up
ip -n $N1 addr add 10.3.3.1/32 peer 10.3.3.2/32 dev mvh
ip -n $P3 addr add 10.3.3.2/32 peer 10.3.3.1/32 dev mvp
expect "the moved pair still carries traffic" 0 "*" nsx $P3 ping -c 1 -W 3 10.3.3.1
expect "deleting the pod end" 0 "" I $P3 link del mvp
assert "deleting one end deletes both" nothing $N1 mvh
expect "a pair for ip link del" 0 "" I $N1 link add iph peer ipp netns $P3
expect "ip link del removes an idmesh link" 0 "" ip -n $P3 link del ipp
assert "... with its peer" nothing $N1 iph
# A namespace's devices go from a workqueue, after ip netns del returns:
# poll for it.
ip netns del $P2
wait_until 60 nothing $N2 veth-p2
assert "destroying a pod's namespace deletes the node end of its pair" nothing $N2 veth-p2
ip netns del $N2
no_reply() { ! nsx $N1 ping -c 1 -W 1 10.6.0.2 >/dev/null 2>&1; }
assert "the remote side's namespace is gone: no reply (within 60 s)" wait_until 60 no_reply
assert "... and the local end of the remote link stays" exists $N1 mesh6

# The path's MTU, learnt with no other tunnel in the namespaces: node q1
# reaches node q2 through a router whose link to q2 carries 1400 bytes
# (and never fragments), over IPv6 (link id 300) and IPv4 (id 301):
#
#   qp1 --pair-- q1 ==(1500)== r ==(1400)== q2 --pair-- qp2
Q1=$s-q1 Q2=$s-q2 R=$s-r QP1=$s-qp1 QP2=$s-qp2
ns_new $Q1 $Q2 $R $QP1 $QP2
for ns in $Q1 $Q2 $R; do
	nsx "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
done
ip link add ra netns $Q1 type veth peer name ra netns $R
ip link add rb netns $Q2 type veth peer name rb netns $R mtu 1400
ip -n $Q2 link set rb mtu 1400
ip -n $Q1 -b - <<-EOB
	link set ra up
	addr add 192.168.60.1/24 dev ra
	addr add fd60::1/64 dev ra nodad
	route add 192.168.61.0/24 via 192.168.60.2
	route add fd61::/64 via fd60::2
EOB
ip -n $Q2 -b - <<-EOB
	link set rb up
	addr add 192.168.61.1/24 dev rb
	addr add fd61::1/64 dev rb nodad
	route add 192.168.60.0/24 via 192.168.61.2
	route add fd60::/64 via fd61::2
EOB
ip -n $R -b - <<-EOB
	link set ra up
	link set rb up
	addr add 192.168.60.2/24 dev ra
	addr add fd60::2/64 dev ra nodad
	addr add 192.168.61.2/24 dev rb
	addr add fd61::2/64 dev rb nodad
EOB
pod46 $Q1 $QP1 qp 10.7.1 fd07:1
pod46 $Q2 $QP2 qp 10.7.2 fd07:2
I $Q1 -b - <<-EOB
	link add q6 remote fd61::1 id 300
	link add q4 remote 192.168.61.1 id 301
EOB
I $Q2 -b - <<-EOB
	link add q6 remote fd60::1 id 300
	link add q4 remote 192.168.60.1 id 301
EOB
for q in $Q1 $Q2; do
	ip -n $q -b - <<-EOB
	link set q6 up
	link set q4 up
	EOB
done
# Pods' IPv4 over the IPv6 underlay, their IPv6 over IPv4.
ip -n $Q1 route add 10.7.2.0/24 dev q6
ip -n $Q1 route add fd07:2::/64 dev q4
ip -n $Q2 route add 10.7.1.0/24 dev q6
ip -n $Q2 route add fd07:1::/64 dev q4
# pmtu_icmp PING-ARGS...: a DF ping until the link's ICMP names MTU $want.
pmtu_icmp() {
	local i
	for i in $(seq 20); do
		nsx $QP1 ping -c 1 -W 1 "$@" 2>&1 | grep -q "mtu[ =]*$want" && return 0
	done
	return 1
}
want=1344
assert "IPv6 underlay: the router's Packet Too Big reaches the link; a DF sender hears mtu 1344" \
	pmtu_icmp -4 -M do -s 1380 10.7.2.2
run ip -n $Q1 -6 route get fd61::1
assert "... the underlay route to the remote learnt mtu 1400" grep -q "mtu 1400" <<<"$out"
run nsx $QP1 ping -4 -c 1 -W 5 -M do -s 1316 10.7.2.2
assert "... and 1344 bytes pass" [ "$rc" = 0 ]
run nsx $QP1 ping -4 -c 1 -W 5 -M dont -s 1380 10.7.2.2
assert "IPv4 without DF over it: fragmented before encapsulation, answered" [ "$rc" = 0 ]
want=1364
assert "IPv4 underlay: the router's Fragmentation Needed reaches the link; an IPv6 sender hears mtu 1364" \
	pmtu_icmp -6 -M do -s 1372 fd07:2::2
run ip -n $Q1 -4 route get 192.168.61.1
assert "... the underlay route to the remote learnt mtu 1400" grep -q "mtu 1400" <<<"$out"
nsx $QP2 timeout 60 $PY "$top/selftests/sacltool.py" sink 5001 >"$tap_out.sink" &
sp=$!
wait_until 30 tcp_listening $QP2 5001
run nsx $QP1 $PY "$top/selftests/sacltool.py" bulk 10.7.2.2 5001 1000000
wait $sp
assert "bulk TCP through the 1400-byte hop: every byte of 1 MB arrives" [ "$(<"$tap_out.sink")" = 1000000 ]

# ECN on receive (RFC 6040): Geneve packets as a router that marked them
# would deliver, sent by hand from q1's underlay address to q2's link 300.
# CE over a sender that does no ECN is dropped and counted; CE over
# ECT(0) reaches the pod as CE; an unmarked outer header leaves ECT(0).
nsx $QP2 timeout 120 $PY "$top/selftests/sacltool.py" recvtos 5002 60 2 >"$tap_out.tos" &
rp=$!
wait_until 60 udp_bound $QP2 5002
for g in "3 0 not-ect" "3 2 ect0-ce" "0 2 ect0"; do
	set -- $g
	nsx $Q1 $PY "$top/selftests/sacltool.py" geneve fd60::1 fd61::1 300 \
		"$1" 10.7.1.2 10.7.2.2 5002 "$2" "$3"
done
wait $rp
out=$(<"$tap_out.tos")
check "ECN: outer CE over ECT(0) reaches the pod as CE, an unmarked outer leaves ECT(0)" \
	'[.[] | [.data, .tos % 4]] == [["ect0-ce", 3], ["ect0", 2]]'
run I $Q2 -j -s link show q6
check "... and outer CE over not-ECT is dropped, counted as ecn" '.[0].stats.drops.ecn == 1'

# Pod churn: namespaces of pods that never used SACL or VIPs go without
# waiting for RCU callbacks or RTNL in idmesh's exit. Two rounds of N
# namespaces with one pair each, made and destroyed in batches (one
# process each); the milliseconds per namespace are printed, not asserted.
# N is 100; in paths mode (the debug kernel) one round of 8: the same
# paths under its checkers, where a namespace costs 0.6 to 0.8 s each way
# and its cleanup more (two rounds of 25 took it 340 s).
nchurn=$(scaled 100 8)
churn() { # ROUND
	local r=$1 i t0 t1 t2 rc=0
	t0=$(date +%s%N)
	for i in $(seq $nchurn); do echo "netns add $s-ch$r-$i"; done | ip -b -
	for i in $(seq $nchurn); do echo "link add ch$r-$i peer eth0 netns $s-ch$r-$i"; done |
		I $N1 -b - || rc=1
	t1=$(date +%s%N)
	for i in $(seq $nchurn); do echo "netns del $s-ch$r-$i"; done | ip -force -b - 2>/dev/null
	wait_until 300 sh -c "! ip -n $N1 -br link show | grep -q '^ch$r-'" || rc=1
	t2=$(date +%s%N)
	echo "churn round $r: $(( (t1 - t0) / nchurn / 1000000 )) ms per namespace made, $(( (t2 - t1) / nchurn / 1000000 )) ms per namespace destroyed" |
		tap_diag
	return $rc
}
assert "$nchurn pod namespaces with a pair each, made and destroyed: every node end goes" churn 1
repeats && assert "... and $nchurn more: the same" churn 2

## An external link: one device for every other node, a peer per prefix
#
#   ext1 ==eu 192.168.80.0/24 / eu2 192.168.81.0/24== ext2, each with one
#   external link "xt0" (id 300); ext1's pods 10.61.0.0/16, ext2's 10.62...
E1=$s-ext1 E2=$s-ext2
ns_new $E1 $E2
ip link add eu netns $E1 type veth peer name eu netns $E2
ip link add eu2 netns $E1 type veth peer name eu2 netns $E2
for i in 1 2; do
	ip -n $s-ext$i -batch - <<-EOB
	addr add 192.168.80.$i/24 dev eu
	addr add 192.168.81.$i/24 dev eu2
	addr add 10.6$i.0.1/32 dev lo
	link set eu up
	link set eu2 up
	EOB
done
expect "link add external: one device for many nodes" 0 "" I $E1 link add xt0 external id 300
I $E2 link add xt0 external id 300
run I $E1 -j link show xt0
check "show: external inet, its id and port, no remote of its own" \
	'.[0] | .mode == "remote" and .external == "inet" and .id == 300 and .port == 6081 and (has("remote") | not)'
for i in 1 2; do
	ip -n $s-ext$i link set xt0 up
	ip -n $s-ext$i route add 10.$((63 - i)).0.0/16 dev xt0 src 10.6$i.0.1
done
expect "link peer add: node ext2's pod CIDR" 0 "" I $E1 link peer add xt0 10.62.0.0/24 remote 192.168.80.2
I $E2 link peer add xt0 10.61.0.0/24 remote 192.168.80.1 10.61.1.0/24 remote 192.168.81.1
run I $E1 -j link peer show xt0
check "link peer show: as added" '. == [{"dev": "xt0", "prefix": "10.62.0.0/24", "remote": "192.168.80.2"}]'
assert "a packet to a peer's prefix reaches its node, and the answer comes back" \
	wait_until 10 nsx $E1 ping -c1 -W1 -q 10.62.0.1
I $E1 link peer add xt0 10.62.0.1/32 remote 192.168.80.9
assert "the longest prefix wins: a /32 peer at an address nobody has takes 10.62.0.1" \
	not nsx $E1 ping -c1 -W1 -q 10.62.0.1
I $E1 link peer del xt0 10.62.0.1/32
assert "... and with it deleted, the /24's node answers again" wait_until 10 nsx $E1 ping -c1 -W1 -q 10.62.0.1
expect "link peer add: a remote of the other family is refused" 1 \
	"Error: The remote is not of the link's underlay family
Nothing changed." I $E1 link peer add xt0 10.70.0.0/24 remote 192.168.80.7 10.71.0.0/24 remote fd00::7
run I $E1 -j link peer show xt0
check "... the whole command: the first of its peers was undone" '[.[].prefix] == ["10.62.0.0/24"]'
expect "link peer del of a prefix it does not have" 1 "Error: The link has no peer for this prefix
Nothing changed." I $E1 link peer del xt0 10.99.0.0/24
expect "link peer add on a link that is not there" 1 'Error: no idmesh link "xt9"' \
	I $E1 link peer add xt9 10.70.0.0/24 remote 192.168.80.7
I $E2 link peer del xt0 10.61.0.0/24 10.61.1.0/24
assert "from an address that is no peer's: nothing is received" not nsx $E1 ping -c1 -W1 -q 10.62.0.1
run I $E2 -j -s link show xt0
check "... dropped on ext2 as bad-source" \
	'.[0].stats.drops["bad-source"] >= 1'
I $E2 link peer add xt0 10.61.0.0/24 remote 192.168.80.1 10.61.1.0/24 remote 192.168.81.1
# The route to a peer changes: the outer packets follow it, with the new
# device's source address (the link is not pinned to an underlay).
ip -n $E1 route add 192.168.80.2/32 via 192.168.81.2 dev eu2
py_start $E2
e=$(mktemp -d)
track_path "$e"
py_bg "$e/eu2.json" $E2 sacltool capture eu2 ip "$e/ready" "$e/stop" 60
wait_until 60 test -e "$e/ready" || echo "no capture in 60 s" | tap_diag
assert "after a route change to ext2, the pod's packets still reach it ..." \
	wait_until 10 nsx $E1 ping -c1 -W1 -q 10.62.0.1
: >"$e/stop"
py_wait
out=$(<"$e/eu2.json")
check "... leaving by eu2 with its address, in Geneve with id 300" \
	'[.[] | select(.geneve and .src == "192.168.81.1" and .dst == "192.168.80.2") | .geneve.vni] |
	 length >= 1 and all(. == 300)'
ip -n $E1 route del 192.168.80.2/32
# 1,000 peers on one device (20 in paths mode: the same path, fewer
# times), each at an address of its own on ext2.
np=$(scaled 1000 20)
args=() addrs=()
for ((i = 0; i < np; i++)); do
	args+=("10.$((100 + i / 250)).$((i % 250)).0/24" remote "172.16.$((i / 250)).$((i % 250 + 1))")
	addrs+=("addr add 172.16.$((i / 250)).$((i % 250 + 1))/32 dev eu")
done
printf '%s\n' "${addrs[@]}" | ip -n $E2 -batch -
ip -n $E1 route add 172.16.0.0/16 via 192.168.80.2
ip -n $E1 route add 10.100.0.0/14 dev xt0 src 10.61.0.1
slab() { awk '/^Slab:/ { print $2 }' /proc/meminfo; }
before=$(slab)
expect "$np peers on one external link, in one command" 0 "" I $E1 link peer add xt0 "${args[@]}"
echo "# memory: Slab grew by $(( ($(slab) - before) * 1024 / np )) bytes per peer ($np peers)"
run I $E1 -j link peer show xt0
last=$((np - 1))
check "... all there" 'length == $n + 1 and .[$n] == {"dev": "xt0", "prefix": $p, "remote": $r}' \
	--argjson n "$np" --arg p "10.$((100 + last / 250)).$((last % 250)).0/24" \
	--arg r "172.16.$((last / 250)).$((last % 250 + 1))"
rx0=$(I $E2 -j -s link show xt0 | jq '.[0].stats.rx_packets')
rm -f "$e/ready" "$e/stop"
py_bg "$e/eu.json" $E2 sacltool capture eu ip "$e/ready" "$e/stop" 120
wait_until 60 test -e "$e/ready" || echo "no capture in 60 s" | tap_diag
nsx $E1 bash -c 'for ((i = 0; i < '"$np"'; i++)); do
	echo x >/dev/udp/10.$((100 + i / 250)).$((i % 250)).1/9; done' 2>/dev/null
assert "a datagram to each of the $np prefixes reaches ext2 ..." \
	wait_until 30 holds '[ "$(( $(I $E2 -j -s link show xt0 | jq ".[0].stats.rx_packets") - rx0 ))" -ge "$np" ]'
: >"$e/stop"
py_wait
out=$(<"$e/eu.json")
check "... each in Geneve to its own peer's address" \
	'[.[] | select(.geneve and (.dst | startswith("172.16."))) | .dst] | unique | length == $n' --argjson n "$np"
I $E1 link del xt0
assert "deleting the link frees its peers (kmemleak: the debug guest)" not I $E1 link show xt0
tap_end
