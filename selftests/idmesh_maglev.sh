#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Maglev virtual services as a user sees them. A load-balancer node (lb)
# with a client pod and backend pods on local pairs, and one more backend
# pod behind a second node, over a remote link:
#
#   cl --pair-- lb --pair-- b1, b2, b3 (b4 added later)
#                  ==remote id 7== n2 --pair-- b5
#
# Backends run selftests/lbtool.py, which answers "NAME LOCAL PEER": who
# served, and what addresses it saw.
source "$(dirname "$0")/lib.sh"
require_module

s=idm$$
L=$s-lb C=$s-cl N2=$s-n2
B1=$s-b1 B2=$s-b2 B3=$s-b3 B4=$s-b4 B5=$s-b5
ALL="$L $C $N2 $B1 $B2 $B3 $B4 $B5"
LB="$PY $top/selftests/lbtool.py"
ulimit -n 8192

ns_new $ALL
py_start $C $L
nsx $L sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
nsx $N2 sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

pod46 $L $C c0 10.9.0 fd09
pod46 $L $B1 b1 10.8.1 fd08:1
pod46 $L $B2 b2 10.8.2 fd08:2
pod46 $L $B3 b3 10.8.3 fd08:3
pod46 $L $B4 b4 10.8.4 fd08:4
pod46 $N2 $B5 b5 10.8.5 fd08:5
# lb <-> n2: a veth underlay, a remote link over it (each namespace's
# configuration in one ip process: a process start is what costs)
ip link add ul netns $L type veth peer name ul netns $N2
I $L link add mesh0 remote 192.168.60.2 id 7
I $N2 link add mesh0 remote 192.168.60.1 id 7
# b1 holds the VIP that has no backend (10.100.0.3): a leak would reach
# it. The lb node's own traffic to the VIPs needs a route (any will do).
# A route to the backends that are only numbers (no pod): a backend
# without one is down and owns no slot.
ip -force -n $L -batch - <<-EOB
	addr add 192.168.60.1/24 dev ul
	link set ul up
	link set mesh0 up
	route add 10.8.5.0/24 dev mesh0
	route add 10.100.0.3/32 dev b1
	route add 10.100.0.0/24 dev b2
	link add fake0 type dummy
	link set fake0 up
	route add 10.66.0.0/16 dev fake0
	route add 10.201.0.0/16 dev fake0
EOB
# n2 passes what comes for the tunnel VIP to its backend pod
ip -n $N2 -batch - <<-EOB
	addr add 192.168.60.2/24 dev ul
	link set ul up
	link set mesh0 up
	route add 10.9.0.0/24 dev mesh0
	route add 10.100.0.2/32 dev b5
EOB
# tunnel-mode backends hold the VIPs 10.100.0.2 and fd64::2
for ns in $B1 $B2 $B5; do
	ip -n "$ns" -batch - <<-EOB
	addr add 10.100.0.2/32 dev lo
	addr add fd64::2/128 dev lo nodad
	EOB
done
ip -n $B1 addr add 10.100.0.3/32 dev lo

for i in 1 2 3 4 5; do
	ns=$s-b$i
	nsx "$ns" $LB serve b$i 80 8080 &
	track_pid $!
done
# wait for the servers
for i in 1 2 3 4 5; do
	wait_until 20 tcp_listening $s-b$i 8080
done

# counts KEY: the count of KEY in the JSON in $out (0 when absent).
counts() { jq -r --arg k "$1" '.counts[$k] // 0' <<<"$out"; }

## bad input: an error, and nothing changed
expect "vip add (nat, tcp port 80)" 0 "" I $L vip add 10.100.0.1 port 80 proto tcp
run I $L -j vip show
before=$out
expect "duplicate VIP is refused" 1 "Error: VIP already exists" \
	I $L vip add 10.100.0.1 port 80 proto tcp
run I $L vip add 10.100.0.9 proto tcp table-size 65536
assert "table size that is not prime is refused" [ "$rc" = 1 ]
assert "... with the reason" [ "$err" = "Error: Table size must be a prime number" ]
run I $L vip add 10.100.0.9 proto tcp table-size 1000033
assert "table size above 1000003 is refused with the range" \
	grep -q "(valid: 3..1000003)" <<<"$err"
expect "backend of the other family is refused" 1 "Error: IPv6 backend for an IPv4 VIP" \
	I $L backend add 10.100.0.1 port 80 proto tcp backend fd08:1::2
run I $L backend add 10.100.0.1 port 80 proto tcp backend 10.8.1.2 weight 65536
assert "weight out of range is refused with the range" \
	grep -q "(valid: 0..65535)" <<<"$err"
expect "backend of an unknown VIP is refused" 1 "Error: No such VIP" \
	I $L backend add 10.100.0.1 port 81 proto tcp backend 10.8.1.2
expect "protocol other than tcp/udp/sctp is refused" 1 "Error: Protocol must be tcp, udp or sctp" \
	I $L vip add 10.100.0.9 proto 1
expect "vip add needs CAP_NET_ADMIN" 1 "*" \
	nsx $L capsh --drop=cap_net_admin -- -c "$IDMESH vip add 10.100.0.9 proto tcp"
run I $L -j vip show
assert "nothing changed by the refused commands" [ "$out" = "$before" ]

## NAT, IPv4, TCP: port 80 to port 8080 of b1..b3
for i in 1 2 3; do
	I $L backend add 10.100.0.1 port 80 proto tcp backend 10.8.$i.2 port 8080
done
expect "duplicate backend is refused" 1 "Error: Backend already exists for this VIP" \
	I $L backend add 10.100.0.1 port 80 proto tcp backend 10.8.1.2 port 8080
run py $C lbtool new 10.100.0.1 80 30
assert "nat: 30 connections to the VIP, all answered" [ "$(counts none)" = 0 ]
check "nat: spread over the three backends" \
	'.counts | (.b1 > 0) and (.b2 > 0) and (.b3 > 0)'
check "nat: backends saw the client's own address" \
	'.seen | all(test("^10\\.8\\.[123]\\.2 10\\.9\\.0\\.2$"))'

run I $L -j vip show 10.100.0.1 port 80 proto tcp
check "show: as configured" \
	'.[0] | .addr == "10.100.0.1" and .port == 80 and .proto == "tcp" and .mode == "nat" and .table_size == 65537 and (.backends | length) == 3 and .backends[0].port == 8080 and .backends[0].weight == 1'
check "show: equal weights own floor or ceil of M/N slots each" \
	'[.[0].backends[].slots] | all(. == 21845 or . == 21846) and add == 65537'
run I $L -j vip table 10.100.0.1 port 80 proto tcp
check "table: 65537 slots, shares as show reports" \
	'(.slots | length) == 65537 and ([.slots[] | select(. == 0)] | length) >= 21845'

## spread: UDP, one datagram per flow
I $L vip add 10.100.0.1 port 53 proto udp
for i in 1 2 3; do
	I $L backend add 10.100.0.1 port 53 proto udp backend 10.8.$i.2 port 8080
done
# Fewer in paths mode (the debug kernel), where each packet costs most.
nflows=$(scaled 3000 150)
# Each backend gets nflows/3 give or take five standard deviations.
lo=$(awk -v n=$nflows 'BEGIN { printf "%d", n / 3 - 5 * sqrt(n * 2 / 9) }')
hi=$(awk -v n=$nflows 'BEGIN { printf "%d", n / 3 + 5 * sqrt(n * 2 / 9) + 0.999 }')
run py $C lbtool udp 10.100.0.1 53 $nflows
assert "udp: $nflows flows, all answered" [ "$(counts none)" = 0 ]
for b in b1 b2 b3; do
	c=$(counts $b)
	assert "udp: $b got $lo..$hi of $nflows flows ($c)" test "$c" -ge $lo -a "$c" -le $hi
done
check "udp: the client saw only the VIP" '.sources == ["10.100.0.1"]'
run I $L -s -j vip show 10.100.0.1 port 53 proto udp
check "counters: backends' packets add up to the VIP's" \
	'.[0] | .stats.packets == ([.backends[].stats.packets] | add) and .stats.packets >= $n and .flows == $n' --argjson n $nflows

## SCTP, with port translation: its CRC32c is redone
I $L vip add 10.100.0.7 port 7000 proto sctp
I $L backend add 10.100.0.7 port 7000 proto sctp backend 10.8.1.2 port 8080
I $L backend add 10.100.0.7 port 7000 proto sctp backend 10.8.2.2 port 8080
run py $C lbtool new 10.100.0.7 7000 12 sctp
check "sctp: 12 associations to the VIP, all answered by b1 or b2" \
	'(.counts.none // 0) == 0 and ((.counts.b1 // 0) + (.counts.b2 // 0)) == 12'
I $L vip del 10.100.0.7 port 7000 proto sctp

## the table must hold every backend
I $L vip add 10.100.0.8 proto udp table-size 3
for i in 1 2 3; do I $L backend add 10.100.0.8 proto udp backend 10.8.$i.2; done
expect "a backend more than the table has slots is refused" 1 \
	"Error: Table size is too small for more backends" \
	I $L backend add 10.100.0.8 proto udp backend 10.8.4.2
I $L vip del 10.100.0.8 proto udp

## established connections keep their backend while others come and go
run py $C lbtool conns 10.100.0.1 80 24 \
	"$IDMESH -n $L backend add 10.100.0.1 port 80 proto tcp backend 10.8.4.2 port 8080 &&
	 $IDMESH -n $L backend del 10.100.0.1 port 80 proto tcp backend 10.8.3.2 port 8080"
diag=$out
check "survive: the changes were applied" '.cmd == 0'
check "survive: every connection not on the removed backend kept its backend" \
	'[.before, .after] | transpose | map(select(.[0] != "b3")) | (length > 0) and all(.[0] == .[1])'
run I $L -j vip show 10.100.0.1 port 80 proto tcp
check "survive: b4 in, b3 out" \
	'[.[0].backends[].addr] == ["10.8.1.2", "10.8.2.2", "10.8.4.2"]'

## drain: weight 0 keeps old flows, sends no new ones
run py $C lbtool conns 10.100.0.1 80 24 \
	"$IDMESH -n $L backend set 10.100.0.1 port 80 proto tcp backend 10.8.1.2 port 8080 weight 0"
check "drain: connections to b1 still answered by b1" \
	'[.before, .after] | transpose | map(select(.[0] == "b1")) | (length > 0) and all(.[1] == "b1")'
run py $C lbtool new 10.100.0.1 80 30
check "drain: no new connection goes to b1" \
	'(.counts.b1 // 0) == 0 and (.counts.none // 0) == 0'
run I $L -j vip show 10.100.0.1 port 80 proto tcp
check "drain: b1 owns no slot, weight 0 shown" \
	'.[0].backends[0] | .weight == 0 and .slots == 0'

## session affinity (a Service's ClientIP): a client address stays put
I $L -b - <<-EOB
	vip add 10.100.0.6 port 80 proto tcp affinity 600
	backend replace 10.100.0.6 port 80 proto tcp backend 10.8.1.2 port 8080 backend 10.8.2.2 port 8080 backend 10.8.3.2 port 8080
EOB
# clients: the client addresses pinned at the VIP now.
clients() { I $L -j vip show 10.100.0.6 port 80 proto tcp | jq -r '.[0].clients // 0'; }
run py $C lbtool new 10.100.0.6 80 12
check "affinity: 12 connections of one client (12 source ports) all went to one backend" \
	'(.counts.none // 0) == 0 and (.counts | length) == 1'
pinned=$(jq -r '.counts | keys[0]' <<<"$out")
run I $L -j vip show 10.100.0.6 port 80 proto tcp
check "affinity: shown as configured, one client pinned" \
	'.[0] | .affinity == 600 and .clients == 1'
I $L backend set 10.100.0.6 port 80 proto tcp backend 10.8.${pinned#b}.2 port 8080 weight 0
run py $C lbtool new 10.100.0.6 80 12
check "affinity: its backend drained, the client's next connections all go to one other" \
	'(.counts.none // 0) == 0 and (.counts | length) == 1 and (.counts | keys[0]) != $p' --arg p "$pinned"
expect "vip set: a shorter timeout" 0 "" I $L vip set 10.100.0.6 port 80 proto tcp affinity 1
assert "affinity: a client idle past the timeout is forgotten" wait_until 30 eval '[ "$(clients)" = 0 ]'
I $L vip set 10.100.0.6 port 80 proto tcp affinity 600
run py $C lbtool conns 10.100.0.6 80 12 \
	"$IDMESH -n $L vip set 10.100.0.6 port 80 proto tcp affinity none"
check "vip set affinity none: applied, and every connection kept its backend" \
	'.cmd == 0 and ([.before, .after] | transpose | all(.[0] == .[1]))'
run I $L -j vip show 10.100.0.6 port 80 proto tcp
check "... none shown, no client pinned" '.[0] | has("affinity") == false and has("clients") == false'
run py $C lbtool new 10.100.0.6 80 24
check "... new connections spread again" '(.counts.none // 0) == 0 and (.counts | length) == 2'
expect "vip set of a VIP that is not there" 1 "Error: No such VIP" \
	I $L vip set 10.100.0.6 port 81 proto tcp affinity 60
expect "vip set needs CAP_NET_ADMIN" 1 "*" \
	nsx $L capsh --drop=cap_net_admin -- -c "$IDMESH vip set 10.100.0.6 port 80 proto tcp affinity 60"
expect "vip set: affinity past Kubernetes' bound is a usage error" 2 \
	'Error: affinity 86401 is out of range [0, 86400]' I $L vip set 10.100.0.6 port 80 proto tcp affinity 86401
I $L vip del 10.100.0.6 port 80 proto tcp

## replace: a VIP's whole backend set at once, in one table build
I $L -b - <<-EOB
	vip add 10.100.0.9 port 80 proto tcp
	backend replace 10.100.0.9 port 80 proto tcp backend 10.8.1.2 port 8080 backend 10.8.2.2 port 8080 backend 10.8.3.2 port 8080
EOB
run I $L -s -j vip show 10.100.0.9 port 80 proto tcp
check "replace: three backends set in one build (the VIP's second)" \
	'.[0] | [.backends[].addr] == ["10.8.1.2", "10.8.2.2", "10.8.3.2"] and .stats.builds == 2'
before=$out
expect "replace: a backend given twice is refused" 1 "Error: A backend is given twice" \
	I $L backend replace 10.100.0.9 port 80 proto tcp backend 10.8.4.2 port 8080 backend 10.8.4.2 port 8080
expect "replace: a backend of the other family is refused" 1 "Error: IPv6 backend for an IPv4 VIP" \
	I $L backend replace 10.100.0.9 port 80 proto tcp backend 10.8.4.2 backend fd08:4::2
expect "replace: an unknown VIP is refused" 1 "Error: No such VIP" \
	I $L backend replace 10.100.0.9 port 81 proto tcp backend 10.8.4.2
run I $L -s -j vip show 10.100.0.9 port 80 proto tcp
assert "replace: nothing changed by the refused requests" \
	[ "$(jq -c '.[0] | [.backends, .stats.builds]' <<<"$out")" = "$(jq -c '.[0] | [.backends, .stats.builds]' <<<"$before")" ]
run py $C lbtool conns 10.100.0.9 80 24 \
	"$IDMESH -n $L backend replace 10.100.0.9 port 80 proto tcp backend 10.8.1.2 port 8080 weight 2 backend 10.8.2.2 port 8080 backend 10.8.4.2 port 8080"
check "replace: applied" '.cmd == 0'
check "replace: every connection not on the backend that went kept its backend" \
	'[.before, .after] | transpose | map(select(.[0] != "b3")) | (length > 0) and all(.[0] == .[1])'
run I $L -s -j vip show 10.100.0.9 port 80 proto tcp
check "replace: b3 out, b4 in, b1's weight 2, one more build" \
	'.[0] | [.backends[] | [.addr, .weight]] == [["10.8.1.2", 2], ["10.8.2.2", 1], ["10.8.4.2", 1]] and .stats.builds == 3'
# a thousand backends in one request (one batch line) and one build
set=$(for i in $(seq 0 999); do printf ' backend 10.201.%d.%d' $((i / 250)) $((i % 250 + 1)); done)
expect "replace: 1000 backends in one request" 0 "" \
	I $L -b - <<<"backend replace 10.100.0.9 port 80 proto tcp$set"
run I $L -s -j vip show 10.100.0.9 port 80 proto tcp
check "... all of them, with one build, and the table shared among them" \
	'.[0] | (.backends | length) == 1000 and .stats.builds == 4 and ([.backends[].slots] | add) == 65537 and all(.backends[]; .slots >= 65)'
expect "replace with no backend empties the set" 0 "" I $L backend replace 10.100.0.9 port 80 proto tcp
run I $L -s -j vip show 10.100.0.9 port 80 proto tcp
check "... in one build" '.[0] | (.backends | length) == 0 and .stats.builds == 5'
I $L vip del 10.100.0.9 port 80 proto tcp

## skewed weights on the largest table: bounded work, packets flow on
# 4096 backends on 1000003 slots, one of weight 65535 and the rest 1 (the
# old build's worst case: about 4e9 steps under the VIP's lock). Pings
# through the node run while it builds and while its VIP is dumped; their
# loss is printed, not asserted (a loaded guest's timing is its own).
set=$(for i in $(seq 0 4095); do printf ' backend 10.202.%d.%d' $((i / 250)) $((i % 250 + 1)); done)
I $L vip add 10.100.0.7 port 80 proto tcp table-size 1000003
# Reachable (health: a backend with no route owns no slot), never used.
ip -n $L route add 10.202.0.0/16 dev b1
nsx $C ping -q -c 100 -i 0.1 -W 1 10.8.1.2 >"$tap_out.ping" 2>&1 &
pp=$!
expect "skewed weights: 4096 backends on 1000003 slots, one of weight 65535, in one request" 0 "" \
	I $L -b - <<<"backend replace 10.100.0.7 port 80 proto tcp${set/ backend 10.202.0.1/ backend 10.202.0.1 weight 65535}"
repeats && for i in 1 2 3; do
	I $L -s -j vip show 10.100.0.7 port 80 proto tcp >/dev/null
done
run I $L -s -j vip show 10.100.0.7 port 80 proto tcp
# (4096 backends: on failure, a summary rather than the whole JSON.)
d="... one build: every slot owned, the heavy backend most of them"
if jqt '.[0] | (.backends | length) == 4096 and ([.backends[].slots] | add) == 1000003 and
	(.backends | max_by(.weight) | .weight == 65535 and .slots > 500000)'; then
	tap_pass "$d"
else
	tap_fail "$d"
	jq -c '.[0] | {stats, down: ([.backends[] | select(.down)] | length),
		       heavy: (.backends | max_by(.weight) | .slots)}' <<<"$out" | tap_diag
fi
wait $pp
grep -E 'packets transmitted' "$tap_out.ping" | sed 's/^/pings through the node meanwhile: /' | tap_diag
I $L vip del 10.100.0.7 port 80 proto tcp
ip -n $L route del 10.202.0.0/16 dev b1

## locally originated traffic to a VIP
run py $L lbtool new 10.100.0.1 80 10
check "local-out: the node's own connections are served" \
	'(.counts.none // 0) == 0 and ((.counts.b2 // 0) + (.counts.b4 // 0)) == 10'

## NAT, IPv6, UDP, every port
expect "vip add (IPv6, udp, every port)" 0 "" I $L vip add fd64::1 proto udp
I $L backend add fd64::1 proto udp backend fd08:1::2 port 8080
I $L backend add fd64::1 proto udp backend fd08:2::2 port 8080
run py $C lbtool udp fd64::1 5353 200
check "nat6: 200 flows, all answered by b1 or b2" \
	'(.counts.none // 0) == 0 and .counts.b1 > 0 and .counts.b2 > 0'
check "nat6: the client saw only the VIP" '.sources == ["fd64::1"]'

## tunnel: forwarded unchanged; b5 is behind the remote link
expect "vip add (tunnel)" 0 "" I $L vip add 10.100.0.2 port 80 proto tcp mode tunnel
for b in 10.8.1.2 10.8.2.2 10.8.5.2; do
	I $L backend add 10.100.0.2 port 80 proto tcp backend $b
done
run py $C lbtool new 10.100.0.2 80 30
check "tunnel: 30 connections, all answered" '(.counts.none // 0) == 0'
check "tunnel: b5 served over the remote link" '.counts.b5 > 0'
check "tunnel: backends saw the VIP and the client, unchanged" \
	'.seen == ["10.100.0.2 10.9.0.2"]'
expect "vip add (tunnel, IPv6)" 0 "" I $L vip add fd64::2 port 80 proto tcp mode tunnel
I $L backend add fd64::2 port 80 proto tcp backend fd08:1::2
I $L backend add fd64::2 port 80 proto tcp backend fd08:2::2
run py $C lbtool new fd64::2 80 20
check "tunnel6: 20 connections, all answered by b1 or b2" \
	'(.counts.none // 0) == 0 and .counts.b1 > 0 and .counts.b2 > 0'
check "tunnel6: backends saw the VIP and the client, unchanged" \
	'.seen == ["fd64::2 fd09::2"]'
# tunnel needs a point-to-point route: n2's underlay address is on veth
I $L vip add 10.100.0.5 port 9 proto udp mode tunnel
I $L backend add 10.100.0.5 port 9 proto udp backend 192.168.60.2
LBTOOL_TIMEOUT=3 run py $C lbtool udp 10.100.0.5 9 5
assert "tunnel over a device that resolves neighbours: nothing sent" [ "$(counts none)" = 5 ]
run I $L -s -j vip show 10.100.0.5 port 9 proto udp
check "... and counted as no-route" '.[0].stats.no_route == 5'

## no backend: rejected at once, as kube-proxy rejects a Service without
## endpoints (ICMP port unreachable, TCP too), counted, never leaked to
## the VIP's owner. The lb node's ICMP rate limit off: every error counts.
nsx $L sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
ip -n $L route add fd64::3/128 dev b1
I $L -b - <<-EOB
	vip add 10.100.0.3 port 8080 proto udp
	vip add 10.100.0.3 port 8081 proto tcp
	vip add fd64::3 port 8080 proto udp
	vip add fd64::3 port 8081 proto tcp
EOB
for v in 10.100.0.3 fd64::3; do
	for p in "8080 udp" "8081 tcp"; do
		run py $C lbtool refused $v $p
		check "no backend: $v ${p#* } from a pod: refused at once, not left to time out" '.result == "refused"'
	done
done
# From the lb node itself (LOCAL_OUT) a UDP send fails at once (EPERM)
# whether dropped or rejected; a TCP connect tells them apart: it would
# wait out its SYNs if dropped, and is refused at once if rejected.
for v in 10.100.0.3 fd64::3; do
	run py $L lbtool refused $v 8081 tcp
	check "no backend: $v from the lb node itself (LOCAL_OUT): refused" '.result == "refused"'
done
LBTOOL_TIMEOUT=3 run py $C lbtool udp 10.100.0.3 8080 20
assert "no backend: no answer (b1 holds the VIP address)" [ "$(counts none)" = 20 ]
run I $L -s -j vip show 10.100.0.3 port 8080 proto udp
check "no backend: every packet counted (21 datagrams)" '.[0].stats.no_backend == 21'
run I $L -s -j vip show 10.100.0.3 port 8081 proto tcp
check "... and the TCP SYNs" '.[0].stats.no_backend >= 2'
I $L -b - <<-EOB
	vip del fd64::3 port 8080 proto udp
	vip del fd64::3 port 8081 proto tcp
	vip del 10.100.0.3 port 8081 proto tcp
EOB

## a VIP with more backends than one netlink message holds (added in one
## batch: one process, 400 requests); fake0 routes them (a backend
## without a route would be down)
I $L vip add 10.100.0.6 proto tcp table-size 4099
for i in $(seq 0 399); do
	echo "backend add 10.100.0.6 proto tcp backend 10.66.$((i / 200)).$((i % 200 + 1))"
done >"$tap_out.batch"
expect "400 backends added in one batch" 0 "" I $L -b "$tap_out.batch"
rm -f "$tap_out.batch"
run I $L -j vip show 10.100.0.6 proto tcp
check "show of a VIP with 400 backends (several messages): all there, every slot owned" \
	'.[0].backends | length == 400 and ([.[].slots] | add) == 4099 and all(.slots >= 10 and .slots <= 11)'
run I $L -j vip table 10.100.0.6 proto tcp
check "table of a VIP with 400 backends" \
	'(.backends | length) == 400 and (.slots | length) == 4099 and (.slots | max) == 399'
I $L vip del 10.100.0.6 proto tcp

## SACL connections and Maglev flows have budgets of their own: c0 is a
## SACL port, so what the client sends is tracked as SACL connections too
expect "config set sacl-flow-limit" 0 "" I $L config set sacl-flow-limit 64
run I $L -j config show
check "config shows both budgets" '.sacl_flow_limit == 64 and .flow_limit == 65536'
expect "sacl-flow-limit below the minimum is refused" 1 \
	"Error: integer out of range (valid: 64..16777216)" I $L config set sacl-flow-limit 63
I $L sacl port add c0
run py $C lbtool conns 10.100.0.1 80 12 "$LB udp 10.8.2.2 8080 300 >/dev/null"
check "a flood of 300 SACL connections: the 12 Maglev connections held open kept their backends" \
	'.cmd == 0 and (.before | length) == 12 and all(.before[]; . != null) and .before == .after'
run I $L -j stats show
check "... it evicted SACL connections only ($(jq -c '{flows_evicted, sacl_flows, sacl_flows_evicted}' <<<"$out"))" \
	'.sacl_flows <= 64 and .sacl_flows_evicted >= 236 and .flows_evicted == 0'
I $L config set sacl-flow-limit 65536

## the flow table stays at its limit under a flood of new flows
for v in "10.100.0.1 port 80 proto tcp" "10.100.0.1 port 53 proto udp" \
	 "fd64::1 proto udp" "10.100.0.2 port 80 proto tcp" \
	 "fd64::2 port 80 proto tcp" "10.100.0.5 port 9 proto udp"; do
	I $L vip del $v
done
run I $L -j stats show
check "vip del forgets the VIP's flows" '.flows == 0'
I $L vip add 10.100.0.4 port 53 proto udp
I $L backend add 10.100.0.4 port 53 proto udp backend 10.8.2.2 port 8080
I $L config set flow-limit 64
se0=$(I $L -j stats show | jq .sacl_flows_evicted)
LBTOOL_TIMEOUT=10 run py $C lbtool udp 10.100.0.4 53 500
run I $L -j stats show
check "flood: 500 new flows, 64 tracked ($(jq .flows <<<"$out"))" '.flows == 64'
check "flood: the others evicted and counted" '.flows_evicted >= 436'
check "... and no SACL connection evicted by Maglev's flood" ".sacl_flows_evicted == $se0"
I $L config set flow-limit 65536
expect "vip del" 0 "" I $L vip del 10.100.0.3 port 8080 proto udp
expect "vip del of an unknown VIP" 1 "Error: No such VIP" I $L vip del 10.100.0.3 port 8080 proto udp

## consistent choice across nodes: two nodes behind the same VIP (ECMP in
## front of them), each with a client pod and three backend pods of the
## same addresses. With the same hash key and backends, each of 1000 flows
## goes to the same backend on both; with another key, not.
# In paths mode (the debug kernel) node x alone: the key's paths are the
# same on one node, which then changes its own key.
X=$s-x Y=$s-y
nodes="$X $Y"
repeats || nodes=$X
for n in $nodes; do
	ns_new $n $n-c $n-b1 $n-b2 $n-b3
	py_start $n-c
done
K1=00112233445566778899aabbccddeeff K2=ffeeddccbbaa99887766554433221100
for n in $nodes; do
	nsx $n sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	pod46 $n $n-c c0 10.70.0 fd70
	for i in 1 2 3; do
		pod46 $n $n-b$i b$i 10.71.$i fd71:$i
		nsx $n-b$i $LB serve b$i 53 &
		track_pid $!
	done
	I $n -b - <<-EOB
	config set hash-key $K1
	vip add 10.72.0.1 port 53 proto udp
	backend add 10.72.0.1 port 53 proto udp backend 10.71.1.2
	backend add 10.72.0.1 port 53 proto udp backend 10.71.2.2
	backend add 10.72.0.1 port 53 proto udp backend 10.71.3.2
	EOB
done
for n in $nodes; do
	for i in 1 2 3; do
		wait_until 60 udp_bound $n-b$i 53 ||
			echo "no server in $n-b$i after 60 s" | tap_diag
	done
done
run I $X config show hash-key
assert "config show hash-key: the key as set" [ "$out" = "hash-key $K1" ]
run I $X -j config show hash-key
check "config show hash-key -j: the key" '.hash_key == $k' --arg k $K1
run I $X config show
assert "... which config show leaves out" holds '[ -n "$out" ] && ! grep -q hash-key <<<"$out"'
expect "... and shows only to a caller with CAP_NET_ADMIN" 1 \
	"Error: the hash key is shown only to a caller with CAP_NET_ADMIN" \
	nsx $X capsh --drop=cap_net_admin -- -c "$IDMESH config show hash-key"
expect "a hash key of the wrong length is refused by the tool" 2 \
	'Error: hash-key "0011" is not 32 hex digits' I $X config set hash-key 0011
run I $X config show hash-key
assert "... and the key is unchanged" [ "$out" = "hash-key $K1" ]
nx=$(scaled 1000 150)
run py $X-c lbtool udp 10.72.0.1 53 $nx 20000
xmap=$out
check "$nx flows through node x, all answered, spread over the 3 backends" \
	'.counts.none == null and (.counts | length) == 3 and (.ports | length) == $n' --argjson n $nx
if repeats; then
	run py $Y-c lbtool udp 10.72.0.1 53 $nx 20000
	ymap=$out
	check "... through node y too" '.counts.none == null and (.ports | length) == $n' --argjson n $nx
	assert "same key, same backends: each of the $nx flows on the same backend on both nodes" \
		[ "$(jq -cS .ports <<<"$xmap")" = "$(jq -cS .ports <<<"$ymap")" ]
	I $Y config set hash-key $K2
	run py $X-c lbtool udp 10.72.0.1 53 $nx 30000
	xmap=$out
	run py $Y-c lbtool udp 10.72.0.1 53 $nx 30000
	ymap=$out
	on="node y"
else
	# Node x's flows on the same ports after its key changed: new flows,
	# so the VIP is made again (a flow keeps its backend across a key
	# change, as across any other).
	I $X -b - <<-EOB
	config set hash-key $K2
	vip del 10.72.0.1 port 53 proto udp
	vip add 10.72.0.1 port 53 proto udp
	backend add 10.72.0.1 port 53 proto udp backend 10.71.1.2
	backend add 10.72.0.1 port 53 proto udp backend 10.71.2.2
	backend add 10.72.0.1 port 53 proto udp backend 10.71.3.2
	EOB
	run py $X-c lbtool udp 10.72.0.1 53 $nx 20000
	ymap=$out
	I $X config set hash-key $K1
	on="node x"
fi
moved=$(jq -n --argjson a "$xmap" --argjson b "$ymap" \
	'[$a.ports | keys[] as $p | select($a.ports[$p] != $b.ports[$p])] | length')
# Two thirds move on average: more than three tenths, five sigma below.
assert "another key on $on: new flows land elsewhere ($moved of $nx)" [ "$moved" -gt $((nx * 3 / 10)) ]
## backends that die: b3's link deleted under traffic, then made again
## (backend port 80: no other VIP's flows use it, so no reply tuple is taken)
I $L -b - <<-EOB
	vip add 10.100.0.11 port 53 proto udp
	backend replace 10.100.0.11 port 53 proto udp backend 10.8.1.2 port 80 backend 10.8.2.2 port 80 backend 10.8.3.2 port 80
EOB
# Fixed source ports, below the ephemeral range the flood below uses: a
# port the flood used is the same flow (5-tuple) and keeps its backend.
run py $C lbtool udp 10.100.0.11 53 60 21000
check "health: 60 flows, all answered, b3 among the backends" \
	'(.counts.none // 0) == 0 and .counts.b3 > 0'
# b3: is it down (or up), with its slots gone (or back)?
b3() {
	I $L -s -j vip show 10.100.0.11 port 53 proto udp |
		jq -e ".[0].backends[] | select(.addr == \"10.8.3.2\") | $1" >/dev/null
}
LBTOOL_TIMEOUT=5 py_bg /dev/null $C lbtool udp 10.100.0.11 53 "$(scaled 300 100)"
ip -n $L link del b3
py_wait
assert "health: b3 found down within 10 s of its link going" \
	wait_until 10 b3 '.down and .slots == 0'
run I $L -s -j vip show 10.100.0.11 port 53 proto udp
check "... its slots went to b1 and b2, and it was counted" \
	'.[0] | ([.backends[] | select(.addr != "10.8.3.2") | .slots] | add) == 65537 and
	 ([.backends[] | select(.addr == "10.8.3.2") | .stats.downs] == [1])'
run py $C lbtool udp 10.100.0.11 53 60 22000
check "health: new flows all answered, none by b3" \
	'(.counts.none // 0) == 0 and (.counts.b3 // 0) == 0'
pod46 $L $B3 b3 10.8.3 fd08:3
assert "health: b3 back within 10 s of its link" \
	wait_until 10 b3 '(.down | not) and .slots > 0'
run py $C lbtool udp 10.100.0.11 53 60 23000
check "health: new flows reach b3 again" '(.counts.none // 0) == 0 and .counts.b3 > 0'
I $L vip del 10.100.0.11 port 53 proto udp
## apply: the node's VIPs from the intent (node x, which has no SACL part)
cat >"$tap_out.vips.json" <<-EOJ
{"vips": [
  {"address": "10.72.0.1", "port": 53, "protocol": "udp",
   "backends": [{"address": "10.71.1.2", "weight": 2}, {"address": "10.71.2.2"}]},
  {"address": "10.73.0.1", "port": 53, "protocol": "udp",
   "backends": [{"address": "10.71.3.2"}]}]}
EOJ
b72=$(I $X -s -j vip show | jq '.[0].stats.builds')
expect "apply: a VIP's set changed, a VIP added" 0 "" I $X apply -f "$tap_out.vips.json"
assert "... and said so, in order" [ "$out" = "~ vip 10.72.0.1 port 53 proto udp mode nat table-size 65537, 2 backend(s)
+ vip 10.73.0.1 port 53 proto udp mode nat table-size 65537, 1 backend(s)" ]
run I $X -s -j vip show
check "... the VIPs as the intent says, each set in one build" \
	'[.[] | {addr, b: [.backends[] | [.addr, .weight]], builds: .stats.builds}] ==
	 [{"addr": "10.72.0.1", "b": [["10.71.1.2", 2], ["10.71.2.2", 1]], "builds": ($b + 1)},
	  {"addr": "10.73.0.1", "b": [["10.71.3.2", 1]], "builds": 2}]' --argjson b "$b72"
run py $X-c lbtool udp 10.73.0.1 53 20
check "apply: the new VIP carries traffic" '(.counts.none // 0) == 0 and .counts.b3 == 20'
expect "apply: the same intent again changes nothing" 0 "" I $X apply -f "$tap_out.vips.json"
assert "... and prints nothing" [ -z "$out" ]
# what the VIPs are, not their counters
conf() { I $X -j vip show | jq -c '[.[] | {addr, port, proto, mode, table_size, b: [.backends[] | [.addr, .port, .weight]]}]'; }
before=$(conf)
sed 's/"weight": 2/"weight": 3/; s/"address": "10.71.3.2"/"address": "10.71.2.2"/' \
	"$tap_out.vips.json" >"$tap_out.two.json"
IDMESH_TEST_FAIL_VIP=2 run "$IDMESH_FAULTS" -n $X apply -f "$tap_out.two.json"
assert "apply: the second of two VIP changes refused: the apply fails" \
	holds '[ "$rc" = 1 ] && grep -q "undoing 1 change(s)" <<<"$err" && grep -q "Nothing changed" <<<"$err"'
assert "... and the first is undone: the VIPs are as they were" [ "$(conf)" = "$before" ]
# The shipped tool has no fault hook: the variable changes nothing.
IDMESH_TEST_FAIL_VIP=2 run I $X apply -f "$tap_out.two.json"
assert "... the same two changes apply when nothing refuses them (the shipped tool ignores the hook's variable)" \
	holds '[ "$rc" = 0 ] && [ "$(grep -c "^~ vip" <<<"$out")" = 2 ]'
sed 's/"port": 53, "protocol": "udp",$/"port": 53, "protocol": "udp", "table-size": 65536,/' \
	"$tap_out.vips.json" >"$tap_out.bad.json"
expect "apply: a table size that is not prime is refused before any change" 1 \
	"Error: $tap_out.bad.json: vips[0].table-size: 65536 is not a prime" I $X apply -f "$tap_out.bad.json"
echo '{"vips": []}' >"$tap_out.none.json"
expect "apply: no VIP in the intent removes the node's" 0 "" I $X apply -f "$tap_out.none.json"
run I $X -j vip show
check "... all of them" 'length == 0'
rm -f "$tap_out.vips.json" "$tap_out.two.json" "$tap_out.bad.json" "$tap_out.none.json"
tap_end
