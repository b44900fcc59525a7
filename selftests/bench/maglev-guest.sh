#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of "make bench-maglev". Prints, never asserts:
#  1. Maglev table build time at M=65537 for N = 10, 100, 1000 backends
#     (the module's own measure of its last rebuild, median of 5), and the
#     time to set all N in one request (backend replace) as a ratio to the
#     one table build it makes; then 1000 backends added one by one;
#  2. UDP packet rate through a VIP on a router namespace, as a ratio to
#     plain routing and to IPVS with the mh scheduler (with and without
#     mh-port), all measured in this run;
#  3. time to apply one backend change to a VIP covering every port while
#     1000 ports carry flows, against IPVS, which needs one service (and
#     one table) per port.
source "$(dirname "$0")/lib.sh"
T=${BENCH_SECONDS:-4}
FLOWS=${BENCH_FLOWS:-16}

bench_load udp_tunnel ip6_udp_tunnel nf_defrag_ipv4 nf_defrag_ipv6 libcrc32c \
	veth ip_vs ip_vs_mh || exit 1

ms() { date +%s%N; }

echo "# idmesh Maglev benchmark, kernel $(uname -r), $(nproc) CPUs, ${T}s per rate"

## 1. table build time; a change of N backends in one request
ip netns add tb
# a route to the backends (a backend without one would be down)
ip -n tb link add fake0 type dummy
ip -n tb link set fake0 up
ip -n tb route add 10.201.0.0/16 dev fake0
nsx tb "$IDMESH" vip add 10.200.0.1 proto udp
be() { printf ' backend 10.201.%d.%d' $(($1 / 250)) $(($1 % 250 + 1)); }
for n in 10 100 1000; do
	set=$(for i in $(seq 0 $((n - 1))); do be $i; done)
	# the same request with no backend: the process and one round trip
	e0=$(ms)
	nsx tb "$IDMESH" backend replace 10.200.0.1 proto udp
	e1=$(ms)
	t0=$(ms)
	nsx tb "$IDMESH" backend replace 10.200.0.1 proto udp $set
	t1=$(ms)
	one=$(nsx tb "$IDMESH" -s -j vip show | jq '.[0].stats.build_ns')
	# the last backend out and in again, five times
	last=$(be $((n - 1)))
	for i in 1 2 3 4 5; do
		nsx tb "$IDMESH" backend del 10.200.0.1 proto udp $last
		nsx tb "$IDMESH" backend add 10.200.0.1 proto udp $last
		nsx tb "$IDMESH" -s -j vip show | jq '.[0].stats.build_ns'
	done | median > /tmp/build_ns
	awk -v n=$n -v v="$(cat /tmp/build_ns)" -v w=$((t1 - t0)) -v e=$((e1 - e0)) -v o="$one" 'BEGIN {
		printf "table build, M=65537, N=%-4s  %7.3f ms; all N set in one request: %7.1f ms, %6.1f ms more than none (%.1fx its one build, %.3f ms)\n",
			n, v / 1e6, w / 1e6, (w - e) / 1e6, (w - e) / o, o / 1e6 }'
done
# the same 1000 backends one request each (one process, a batch): a build each
nsx tb "$IDMESH" backend replace 10.200.0.1 proto udp
t0=$(ms)
for i in $(seq 0 999); do echo "backend add 10.200.0.1 proto udp$(be $i)"; done |
	nsx tb "$IDMESH" -b -
t1=$(ms)
awk -v w=$((t1 - t0)) 'BEGIN { printf "1000 backends added one request each:  %9.1f ms\n", w / 1e6 }'
ip netns del tb
echo "  (in QEMU/TCG; Envoy publishes 10.5 ms for N=100 on hardware)"

## 2. packet rate: src -> lb (router) -> dst, 16 flows of small UDP packets
setup() {
	for ns in src lb dst; do ip netns add $ns; ip -n $ns link set lo up; done
	ip link add s0 netns src type veth peer name s1 netns lb
	ip link add d0 netns dst type veth peer name d1 netns lb
	ip -n src addr add 10.10.0.2/24 dev s0
	ip -n lb addr add 10.10.0.1/24 dev s1
	ip -n lb addr add 10.10.1.1/24 dev d1
	ip -n dst addr add 10.10.1.2/24 dev d0
	ip -n dst addr add 10.10.1.3/24 dev d0
	for l in "src s0" "lb s1" "lb d1" "dst d0"; do ip -n ${l% *} link set ${l#* } up; done
	ip -n src route add default via 10.10.0.1
	ip -n dst route add default via 10.10.1.1
	nsx lb sysctl -qw net.ipv4.ip_forward=1
	nsx src ping -c 1 -W 3 10.10.1.2 >/dev/null || echo "# no connectivity" >&2
}
teardown() { for ns in src lb dst; do ip netns del $ns; done; sleep 0.5; }
rate() { # DST: packets per second that reach dst
	nsx dst "$FLOOD" recv 0.0.0.0 9 "$T" >/tmp/rx &
	sleep 0.3
	nsx src "$FLOOD" send "$1" 9 "$T" 18 "$FLOWS" >/dev/null
	wait
	awk '{print $3}' /tmp/rx
}

setup
route=$(rate 10.10.1.2)
nsx lb "$IDMESH" vip add 10.10.9.1 port 9 proto udp
nsx lb "$IDMESH" backend add 10.10.9.1 port 9 proto udp backend 10.10.1.2
nsx lb "$IDMESH" backend add 10.10.9.1 port 9 proto udp backend 10.10.1.3
idm=$(rate 10.10.9.1)
nsx lb "$IDMESH" -s vip show | sed 's/^/# /'
teardown

ipvs() { # extra ipvsadm -A arguments
	setup
	ip -n lb addr add 10.10.9.1/32 dev lo
	nsx lb ipvsadm -A -u 10.10.9.1:9 -s mh "$@"
	nsx lb ipvsadm -a -u 10.10.9.1:9 -r 10.10.1.2:9 -m
	nsx lb ipvsadm -a -u 10.10.9.1:9 -r 10.10.1.3:9 -m
	rate 10.10.9.1
	nsx lb ipvsadm -L -n --stats | sed 's/^/# /' >&2
	teardown
}
mh=$(ipvs)
mhport=$(ipvs -b mh-port)

echo "packet rate, $FLOWS UDP flows of 18-byte payloads, through a router namespace:"
printf "  plain routing             %9s pps\n" "$route"
printf "  IPVS mh (source only)     %9s pps\n" "$mh"
printf "  IPVS mh + mh-port         %9s pps\n" "$mhport"
printf "  idmesh VIP (nat)          %9s pps   %s of routing, %s of IPVS mh, %s of IPVS mh+mh-port\n" \
	"$idm" "$(ratio "$idm" "$route" x)" "$(ratio "$idm" "$mh" x)" "$(ratio "$idm" "$mhport" x)"

## 3. one backend change on a VIP covering 1000 ports
setup
nsx lb "$IDMESH" vip add 10.10.9.1 proto udp
nsx lb "$IDMESH" backend add 10.10.9.1 proto udp backend 10.10.1.2
nsx src bash -c 'for p in $(seq 1000 1999); do echo x >/dev/udp/10.10.9.1/$p; done'
flows=$("$IDMESH" -n lb -j vip show | jq '.[0].flows')
# median of 5 adds (each undone after)
for i in 1 2 3 4 5; do
	t0=$(ms)
	"$IDMESH" -n lb backend add 10.10.9.1 proto udp backend 10.10.1.3
	t1=$(ms)
	echo $((t1 - t0)) "$("$IDMESH" -n lb -s -j vip show | jq '.[0].stats.build_ns')"
	"$IDMESH" -n lb backend del 10.10.9.1 proto udp backend 10.10.1.3
done | sort -n | sed -n 3p >/tmp/change
read -r idm_ns bns </tmp/change
teardown

setup
ip -n lb addr add 10.10.9.1/32 dev lo
for p in $(seq 1000 1999); do
	echo "-A -u 10.10.9.1:$p -s mh"
	echo "-a -u 10.10.9.1:$p -r 10.10.1.2:$p -m"
done | nsx lb ipvsadm -R
for p in $(seq 1000 1999); do echo "-a -u 10.10.9.1:$p -r 10.10.1.3:$p -m"; done >/tmp/ipvs-add
t2=$(ms)
nsx lb ipvsadm -R </tmp/ipvs-add
t3=$(ms)
teardown
echo "one backend added to a service on 1000 ports ($flows flows tracked):"
awk -v a="$idm_ns" -v k="$bns" -v b=$((t3 - t2)) 'BEGIN {
	printf "  idmesh, one VIP for every port  %8.1f ms (the command; the rebuild itself %.2f ms)\n", a / 1e6, k / 1e6
	printf "  IPVS mh, 1000 services          %8.1f ms (ipvsadm -R, 1000 tables)   %.1fx idmesh\n", b / 1e6, b / a
}'
rmmod idmesh
