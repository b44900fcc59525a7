#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of "make bench-link": TCP throughput, UDP packet rate and
# ping RTT through (a) a veth pair, (b) an idmesh local pair, (n) a netkit
# pair (L3 mode, no programs; where the kernel has netkit), (c) kernel
# Geneve across a veth underlay, (d) an idmesh remote link across the same
# underlay, (w) the kernel's WireGuard across the same underlay and (e) an
# idmesh remote link encrypted by IPsec (apply, "encrypt"). Prints each
# with its ratio to its baseline (b to a and to n, d to c, e to w),
# measured in this one run: REPS rounds, each measuring every path
# once and veth twice, medians; veth against itself is the noise row.
# Prints, never asserts.
source "$(dirname "$0")/lib.sh"
T=${BENCH_SECONDS:-4}
REPS=${BENCH_REPS:-$(icount && echo 1 || echo 3)}

bench_load geneve veth wireguard || exit 1

# setup KIND: ns "src" reaches 10.10.0.2 in ns "dst" through the path
setup() {
	for ns in src dst; do ip netns add $ns; ip -n $ns link set lo up; done
	case $1 in
	veth)
		ip link add bn0 netns src type veth peer name bn1 netns dst
		dev=bn0 peer=bn1 ;;
	pair)
		"$IDMESH" -n src link add bn0 peer bn1 netns dst
		dev=bn0 peer=bn1 ;;
	netkit)
		nsx src /usr/bin/python3 "$top/selftests/rtnl_pair.py" --kind netkit \
			bn0 bn1 fd /run/netns/dst | grep -vx ok >&2
		dev=bn0 peer=bn1 ;;
	geneve|remote|esp|wg)
		ip link add ul netns src type veth peer name ul netns dst
		ip -n src addr add 192.168.60.1/24 dev ul; ip -n src link set ul up
		ip -n dst addr add 192.168.60.2/24 dev ul; ip -n dst link set ul up
		if [ "$1" = geneve ]; then
			# Ethernet over Geneve: 1500 - 50 bytes, as Geneve's own default
			ip -n src link add bn0 type geneve id 100 remote 192.168.60.2
			ip -n dst link add bn1 type geneve id 100 remote 192.168.60.1
			ip -n src link set bn0 mtu 1450; ip -n dst link set bn1 mtu 1450
		elif [ "$1" = wg ]; then
			# WireGuard's own default MTU (1420), a peer each way
			for i in 1 2; do
				(umask 077; wg genkey >/tmp/wg$i.key)
				wg pubkey </tmp/wg$i.key >/tmp/wg$i.pub
			done
			ip -n src link add bn0 type wireguard
			ip -n dst link add bn1 type wireguard
			nsx src wg set bn0 private-key /tmp/wg1.key listen-port 51820 \
				peer "$(</tmp/wg2.pub)" allowed-ips 10.10.0.2/32 endpoint 192.168.60.2:51820
			nsx dst wg set bn1 private-key /tmp/wg2.key listen-port 51820 \
				peer "$(</tmp/wg1.pub)" allowed-ips 10.10.0.1/32 endpoint 192.168.60.1:51820
		elif [ "$1" = esp ]; then
			# The same remote link, encrypted: 40 bytes below its MTU for ESP
			for i in 1 2; do
				printf 'remote-links: [{name: bn%s, remote: 192.168.60.%s, local: 192.168.60.%s, id: 100, mtu: 1424, encrypt: true}]\nipsec: {secrets: ["%s"]}\n' \
					$((i - 1)) $((3 - i)) $i "$(printf 'b%.0s' $(seq 64))" |
					"$IDMESH" -n $([ $i = 1 ] && echo src || echo dst) apply -f - >/dev/null
			done
		else
			"$IDMESH" -n src link add bn0 remote 192.168.60.2 id 100
			"$IDMESH" -n dst link add bn1 remote 192.168.60.1 id 100
		fi
		dev=bn0 peer=bn1 ;;
	esac
	ip -n src addr add 10.10.0.1/24 dev $dev; ip -n src link set $dev up
	ip -n dst addr add 10.10.0.2/24 dev $peer; ip -n dst link set $peer up
	nsx src ping -c 1 -W 3 10.10.0.2 >/dev/null || echo "# $1: no connectivity" >&2
}

teardown() { ip netns del src; ip netns del dst; sleep 0.5; }

measure() { # KIND -> "tcp_mbps udp_kpps rtt_us"
	local tcp udp rtt
	setup "$1"
	nsx dst iperf3 -s -1 -D -B 10.10.0.2 >/dev/null 2>&1
	sleep 0.5
	tcp=$(nsx src iperf3 -c 10.10.0.2 -t "$T" -J 2>/dev/null |
		jq '.end.sum_received.bits_per_second / 1e6 | floor')
	nsx dst "$FLOOD" recv 10.10.0.2 9000 "$T" >/tmp/flood.out &
	sleep 0.3
	nsx src "$FLOOD" send 10.10.0.2 9000 "$((T + 1))" >/dev/null
	wait
	udp=$(awk '{ printf "%.1f", $3 / 1000 }' /tmp/flood.out)
	rtt=$(nsx src ping -c 50 -i 0.02 -q 10.10.0.2 | awk -F/ '/rtt|round-trip/ { printf "%.0f", $5 * 1000 }')
	teardown
	echo "${tcp:-0} ${udp:-0} ${rtt:-0}"
}

# For RTT, lower is better: the ratio printed is baseline / measured.

# netkit where the kernel has it (Debian's 6.12: built in)
kinds="veth pair geneve remote wg esp veth2"
if /usr/bin/python3 "$top/selftests/rtnl_pair.py" --kind netkit nkp0 nkp1 pid $$ |
	grep -qx ok; then
	kinds="veth pair netkit geneve remote wg esp veth2"
	ip link del nkp0
fi

echo "# idmesh bench-link on $(uname -r), $(nproc) CPUs, ${T}s per test, median of $REPS rounds"
for i in $(seq "$REPS"); do
	for k in $kinds; do
		echo "$k $(measure ${k%2})"
	done
done >/tmp/links
# med KIND COLUMN: the median of that column (2 tcp, 3 udp, 4 rtt)
med() { awk -v k="$1" -v c="$2" '$1 == k {print $c}' /tmp/links | median; }
row() { # LABEL KIND BASE: the medians of KIND, with ratios to BASE
	local t u r bt bu br up
	t=$(med "$2" 2) u=$(med "$2" 3) r=$(med "$2" 4)
	# under icount: instructions per datagram, not kpps
	up=$(per_pkt "$(awk -v u="$u" 'BEGIN { print u * 1000 }')")
	icount || up=$u
	if [ -n "${3:-}" ]; then
		bt=$(med "$3" 2) bu=$(med "$3" 3) br=$(med "$3" 4)
		printf "%-24s %14s %14s %12s\n" "$1" "$t $(ratio "$t" "$bt" x)" \
			"$up $(ratio "$u" "$bu" x)" "$r $(ratio "$br" "$r" x)"
	else
		printf "%-24s %14s %14s %12s\n" "$1" "$t" "$up" "$r"
	fi
}
if icount; then
	echo "# under -icount, one CPU: the guest's second is 1e9 instructions (TCP: Mbit per"
	echo "# 1e9 instructions; UDP: instructions per datagram, sender to receiver; RTT:"
	echo "# thousands of instructions); ratios as with rates (higher is better)"
	printf "%-24s %14s %14s %12s\n" path "TCP Mbit/Ginsn" "UDP insn/pkt" "RTT kinsn"
else
	printf "%-24s %14s %14s %12s\n" path "TCP Mbit/s" "UDP kpps" "RTT us"
fi
row "(a) veth pair" veth
row "(a') veth again (noise)" veth2 veth
if [[ $kinds == *netkit* ]]; then
	row "(n) netkit pair (L3)" netkit
	row "(b) idmesh pair / veth" pair veth
	row "(b) idmesh pair / netkit" pair netkit
else
	row "(b) idmesh pair" pair veth
	echo "# (no netkit in this kernel)"
fi
row "(c) kernel geneve" geneve
row "(d) idmesh remote" remote geneve
row "(w) kernel WireGuard" wg
row "(e) idmesh remote, IPsec" esp wg
echo "# ratios: (b) against (a) and (n), (d) against (c), (e) against (w), (a') against (a); for RTT, baseline / measured (higher is better)"
echo "# goals: local pair >= 1.0x netkit (and veth); remote link >= 1.0x Geneve; encrypted link against WireGuard: measured"
rmmod idmesh
