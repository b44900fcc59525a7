#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of "make bench-maglev". Prints, never asserts:
#  1. Maglev table build time at M = 65537 and 1000003 for N = 10, 100,
#     1000, 4096 backends (the module's own measure of its last rebuild),
#     as a ratio to a reference build of the same code (kmod/maglev.c
#     compiled for userspace: build/maglev-ref) run next to it in this
#     guest, with the table checked to be the same; medians of REPS, the
#     reference against itself as the noise. Then the time to set all N in
#     one request (backend replace) as a ratio to the one table build it
#     makes; then 1000 backends added one by one;
#  2. UDP packet rate through a VIP on a router namespace, FLOWS flows
#     (default 1000), as a ratio to plain routing and to IPVS with the mh
#     scheduler (with and without mh-port), the modes alternating over
#     REPS rounds, medians, plain routing against itself as the noise;
#  3. time to apply one backend change to a VIP covering every port while
#     1000 ports carry flows, against IPVS, which needs one service (and
#     one table) per port;
#  4. the packet rate of FLOWS flows through a VIP on a router whose flow
#     table holds a million flows more, alternating with the same on a
#     router whose table holds only them.
source "$(dirname "$0")/lib.sh"
T=${BENCH_SECONDS:-4}
FLOWS=${BENCH_FLOWS:-1000}
REPS=${BENCH_REPS:-$(icount && echo 1 || echo 5)}
# a socket per flow
ulimit -n 4096
rm -f /tmp/replace

bench_load veth ip_vs ip_vs_mh || exit 1

ms() { date +%s%N; }

echo "# idmesh Maglev benchmark, kernel $(uname -r), $(nproc) CPUs, ${T}s per rate$(icount && echo "; under -icount: a ms is a million instructions")"

## 1. table build time: the module against the reference build of the same
## code in this guest, at M = 65537 and 1000003; a change of N backends in
## one request
REF=$top/build/maglev-ref
ip netns add tb
# a route to the backends (a backend without one would be down)
ip -n tb link add fake0 type dummy
ip -n tb link set fake0 up
ip -n tb route add 10.201.0.0/16 dev fake0
be() { printf ' backend 10.201.%d.%d' $(($1 / 250)) $(($1 % 250 + 1)); }
build_ns() { nsx tb "$IDMESH" -s -j vip show | jq '.[0].stats.build_ns'; }
echo "table build (ms, median of $REPS; each module build next to two reference builds):"
printf "  %-8s %-5s %9s %9s %8s %8s  %s\n" M N module reference ratio noise table
for m in 65537 1000003; do
	nsx tb "$IDMESH" vip add 10.200.0.1 proto udp table-size $m
	for n in 10 100 1000 4096; do
		set=$(for i in $(seq 0 $((n - 1))); do be $i; done)
		# the same request with no backend: the process and one round trip
		e0=$(ms)
		nsx tb "$IDMESH" backend replace 10.200.0.1 proto udp
		e1=$(ms)
		t0=$(ms)
		nsx tb "$IDMESH" backend replace 10.200.0.1 proto udp $set
		t1=$(ms)
		echo "$m $n $((t1 - t0)) $((e1 - e0)) $(build_ns)" >>/tmp/replace
		# the reference must build the table the module holds
		if cmp -s <(nsx tb "$IDMESH" vip table 10.200.0.1 proto udp |
			    awk '!/^#/ {print $2}') <("$REF" table $m $n); then
			same="same as the module's"
		else
			same="DIFFERS from the module's"
		fi
		# the last backend out and in again, each time next to the
		# reference twice (each the median of 3 builds in one process,
		# so its pages are warm as the module's are; the two give the
		# noise)
		last=$(be $((n - 1)))
		for i in $(seq "$REPS"); do
			nsx tb "$IDMESH" backend del 10.200.0.1 proto udp $last
			nsx tb "$IDMESH" backend add 10.200.0.1 proto udp $last
			echo "$(build_ns) $("$REF" time $m $n 3) $("$REF" time $m $n 3)"
		done >/tmp/tb
		k=$(awk '{print $1}' /tmp/tb | median)
		r=$(awk '{print $2}' /tmp/tb | median)
		r2=$(awk '{print $3}' /tmp/tb | median)
		printf "  %-8s %-5s %9.3f %9.3f %8s %8s  %s\n" $m $n \
			"$(awk -v v="$k" 'BEGIN {print v / 1e6}')" \
			"$(awk -v v="$r" 'BEGIN {print v / 1e6}')" \
			"$(ratio "$k" "$r" x)" "$(ratio "$r2" "$r" x)" "$same"
	done
	nsx tb "$IDMESH" vip del 10.200.0.1 proto udp
done
echo "all N set in one request (ms), beside the same request with no backend:"
while read -r m n w e o; do
	awk -v m=$m -v n=$n -v w="$w" -v e="$e" -v o="$o" 'BEGIN {
		printf "  M=%-7s N=%-4s %8.1f ms, %7.1f ms more than none (%.1fx its one build, %.3f ms)\n",
			m, n, w / 1e6, (w - e) / 1e6, (w - e) / o, o / 1e6 }'
done </tmp/replace
# the same 1000 backends one request each (one process, a batch): a build each
nsx tb "$IDMESH" vip add 10.200.0.1 proto udp
t0=$(ms)
for i in $(seq 0 999); do echo "backend add 10.200.0.1 proto udp$(be $i)"; done |
	nsx tb "$IDMESH" -b -
t1=$(ms)
awk -v w=$((t1 - t0)) 'BEGIN { printf "1000 backends added one request each (M=65537):  %9.1f ms\n", w / 1e6 }'
ip netns del tb
echo "  (in QEMU/TCG; Envoy publishes 10.5 ms for N=100 on hardware)"

## 2. packet rate: src -> lb (router) -> dst, FLOWS flows of small UDP packets
# setup [X], teardown [X]: the router chain srcX -> lbX -> dstX (two
# chains side by side can be measured alternately)
setup() {
	local x=${1:-} ns l
	for ns in src lb dst; do ip netns add $ns$x; ip -n $ns$x link set lo up; done
	ip link add s0 netns src$x type veth peer name s1 netns lb$x
	ip link add d0 netns dst$x type veth peer name d1 netns lb$x
	ip -n src$x addr add 10.10.0.2/24 dev s0
	ip -n lb$x addr add 10.10.0.1/24 dev s1
	ip -n lb$x addr add 10.10.1.1/24 dev d1
	ip -n dst$x addr add 10.10.1.2/24 dev d0
	ip -n dst$x addr add 10.10.1.3/24 dev d0
	for l in "src s0" "lb s1" "lb d1" "dst d0"; do ip -n ${l% *}$x link set ${l#* } up; done
	ip -n src$x route add default via 10.10.0.1
	ip -n dst$x route add default via 10.10.1.1
	nsx lb$x sysctl -qw net.ipv4.ip_forward=1
	nsx src$x ping -c 1 -W 3 10.10.1.2 >/dev/null || echo "# no connectivity" >&2
}
teardown() { local ns; for ns in src lb dst; do ip netns del $ns${1:-}; done; sleep 0.5; }
rate() { # DST [X]: packets per second that reach dstX
	nsx dst${2:-} "$FLOOD" recv 0.0.0.0 9 "$T" >/tmp/rx &
	sleep 0.3
	nsx src${2:-} "$FLOOD" send "$1" 9 "$T" 18 "$FLOWS" >/dev/null
	wait
	awk '{print $3}' /tmp/rx
}

# one measure of MODE: route, idmesh, mh, mh-port (each on a fresh setup)
measure() {
	setup
	case $1 in
	route) rate 10.10.1.2 ;;
	idmesh)
		nsx lb "$IDMESH" vip add 10.10.9.1 port 9 proto udp
		nsx lb "$IDMESH" backend add 10.10.9.1 port 9 proto udp backend 10.10.1.2
		nsx lb "$IDMESH" backend add 10.10.9.1 port 9 proto udp backend 10.10.1.3
		rate 10.10.9.1
		nsx lb "$IDMESH" -s vip show | sed 's/^/# /' >&2 ;;
	mh*)
		ip -n lb addr add 10.10.9.1/32 dev lo
		if [ "$1" = mh ]; then
			nsx lb ipvsadm -A -u 10.10.9.1:9 -s mh
		else
			nsx lb ipvsadm -A -u 10.10.9.1:9 -s mh -b mh-port
		fi
		nsx lb ipvsadm -a -u 10.10.9.1:9 -r 10.10.1.2:9 -m
		nsx lb ipvsadm -a -u 10.10.9.1:9 -r 10.10.1.3:9 -m
		rate 10.10.9.1
		nsx lb ipvsadm -L -n --stats | sed 's/^/# /' >&2 ;;
	esac
	teardown
}

# pps RATE: "N pps", or under icount "N insn/pkt" (1e9 / N)
pps() { if icount; then echo "$(per_pkt "$1") insn/pkt"; else echo "$1 pps"; fi; }

# alternating: each round measures every mode once, routing twice (the
# second routing run against the first is the noise)
for i in $(seq "$REPS"); do
	for mode in route idmesh mh mh-port route2; do
		echo "$mode $(measure ${mode%2})"
	done
done >/tmp/rates 2>/tmp/rates.log
# the first round's tables: how each spread the flows over the backends
awk '/^# vip/ && ++n == 2 {exit} {print}' /tmp/rates.log
med() { awk -v k="$1" '$1 == k {print $2}' /tmp/rates | median; }
route=$(med route) idm=$(med idmesh) mh=$(med mh) mhport=$(med mh-port) route2=$(med route2)

echo "packet rate, $FLOWS UDP flows of 18-byte payloads, through a router namespace (median of $REPS rounds):"
printf "  plain routing             %16s\n" "$(pps "$route")"
printf "  plain routing again       %16s   %s of routing (the noise)\n" "$(pps "$route2")" "$(ratio "$route2" "$route" x)"
printf "  IPVS mh (source only)     %16s\n" "$(pps "$mh")"
printf "  IPVS mh + mh-port         %16s\n" "$(pps "$mhport")"
printf "  idmesh VIP (nat)          %16s   %s of routing, %s of IPVS mh, %s of IPVS mh+mh-port\n" \
	"$(pps "$idm")" "$(ratio "$idm" "$route" x)" "$(ratio "$idm" "$mh" x)" "$(ratio "$idm" "$mhport" x)"

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
## 4. the flow table at its limit: the rate of FLOWS flows through a VIP
## on router lb, whose table holds a million flows more (a VIP covering
## every port; FILL sockets send one packet to each of 65000 ports),
## alternating with the same on router lb2, whose table holds only them;
## each round measures lb2, lb, lb2 again (the noise)
FILL=${BENCH_FILL_SOCKETS:-16}
flows() { "$IDMESH" -n "$1" -j vip show | jq '[.[].flows] | add'; }
vips() { # X: the VIP of FLOWS flows, and (lb) the one that holds the fill
	nsx lb$1 "$IDMESH" -b - <<-EOB
	vip add 10.10.9.1 port 9 proto udp
	backend add 10.10.9.1 port 9 proto udp backend 10.10.1.2
	backend add 10.10.9.1 port 9 proto udp backend 10.10.1.3
	vip add 10.10.9.2 proto udp
	backend add 10.10.9.2 proto udp backend 10.10.1.2
	backend add 10.10.9.2 proto udp backend 10.10.1.3
	EOB
}
setup
setup 2
nsx lb "$IDMESH" config set flow-limit 1100000
vips ""
vips 2
rate 10.10.9.1 >/dev/null
rate 10.10.9.1 2 >/dev/null
nsx src "$FLOOD" fill 10.10.9.2 10 "$FILL" 65000 >/dev/null
n1=$(flows lb2) n2=$(flows lb)
for i in $(seq "$REPS"); do
	echo "$(rate 10.10.9.1 2) $(rate 10.10.9.1) $(rate 10.10.9.1 2)"
done >/tmp/ft
n3=$(flows lb)
teardown
teardown 2
small=$(awk '{print $1}' /tmp/ft | median)
big=$(awk '{print $2}' /tmp/ft | median)
small2=$(awk '{print $3}' /tmp/ft | median)
echo "the flow table at its limit, $FLOWS UDP flows through a VIP, two routers measured alternately (median of $REPS rounds):"
printf "  table holding %8s flows   %16s\n" "$n1" "$(pps "$small")"
printf "  the same again (noise)       %16s   %s\n" "$(pps "$small2")" "$(ratio "$small2" "$small" x)"
printf "  table holding %8s flows   %16s   %s of the small table (%s flows after)\n" \
	"$n2" "$(pps "$big")" "$(ratio "$big" "$small" x)" "$n3"
rmmod idmesh
