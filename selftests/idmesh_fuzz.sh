#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fuzz: IDMESH_FUZZ_N (default 10000; 3000 in paths mode, the debug
# kernel's, where each costs most) random and half-valid requests to
# every operation of the genl family and to RTM_NEWLINK of kind idmesh
# (selftests/fuzz.py), seeded (IDMESH_FUZZ_SEED, else random; printed),
# sent from a node's namespace while packets flow through its VIP and its
# SACL gateway, which the requests change. Every request must be answered
# and the tool must still be right afterwards; the guest then unloads the
# module and fails on any kernel report or kmemleak leak. Then
# IDMESH_PKTFUZZ_N (4000; 1500 in paths mode) random packets.
#
#   cl --pair c0-- node --pair b1-- be
source "$(dirname "$0")/lib.sh"
require_module

s=idm$$
N=$s-node C=$s-cl B=$s-be
LB="$PY $top/selftests/lbtool.py"
# fuzz_node NODE CLIENT BACKEND: a node with a client pod (c0, client 101)
# and a backend pod (b1, server 201, a DNS-like server on 53) behind SACL
# ports, and VIP 10.100.0.1:53 on the backend; more requests (the rules)
# on standard input.
fuzz_node() {
	local n=$1 c=$2 b=$3 more
	more=$(cat)
	ns_new $n $c $b
	py_start $c $b
	nsx $n sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	pod46 $n $c c0 10.9.0 fd09
	pod46 $n $b b1 10.8.1 fd08:1
	nsx $b $LB serve be 53 80 &
	wait_until 60 udp_bound $b 53 || echo "no server in 60 s" | tap_diag
	{
		cat <<-EOB
		vip add 10.100.0.1 port 53 proto udp
		backend add 10.100.0.1 port 53 proto udp backend 10.8.1.2
		sacl port add c0
		sacl port add b1
		sacl client add 10.9.0.2 dev c0 id 101
		sacl client add fd09::2 dev c0 id 101
		sacl server add 10.8.1.2 id 201
		sacl server add fd08:1::2 id 201
		EOB
		echo "$more"
	} | I $n -b -
}
fuzz_node $N $C $B <<-EOB
	sacl rule add client 101 server 201 allow dscp 10
EOB
run py $C lbtool udp 10.100.0.1 53 5
check "before: the VIP answers" '.counts.be == 5'

# Packets while the fuzz runs: through the VIP, and through both SACL ports.
traffic() {
	while :; do
		py $C lbtool udp 10.100.0.1 53 20 >/dev/null 2>&1
		nsx $C ping -q -c 3 -i 0.2 -W 1 fd08:1::2 >/dev/null 2>&1
		nsx $C ping -q -c 3 -i 0.2 -W 1 10.8.1.2 >/dev/null 2>&1
	done
}
traffic &
tpid=$!

n=${IDMESH_FUZZ_N:-$(scaled 10000 3000)}
seed=${IDMESH_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
echo "# fuzz seed $seed ($n requests; again: IDMESH_FUZZ_SEED=$seed)"
run nsx $N /usr/bin/python3 "$top/selftests/fuzz.py" "$n" "$seed"
kill $tpid 2>/dev/null
wait $tpid 2>/dev/null
check "fuzz (seed $seed): all $n requests sent, every one answered" \
	".sent == $n and .answered == .sent"
check "... some were accepted, changing what packets met" '.answers.ok > 0'
check "... the rest refused with an error, none with a timeout" \
	'[.answers | to_entries[] | select(.key != "ok") | .value] | add > 0'
nops=$(grep -c "^    -$" <(sed -n '/^operations:/,$p' "$top/Documentation/netlink/specs/idmesh.yaml"))
check "... every operation of the spec ($((nops - 1))) and RTM_NEWLINK were tried" \
	"(.ops | length) == $nops and .ops.newlink > 0"

# The tool is still right: the namespace can be read and changed.
run I $N -j vip show
assert "afterwards: vip show is valid JSON" jq -e 'type == "array"' <<<"$out"
run I $N -j -s sacl show
assert "afterwards: sacl show is valid JSON" jq -e '.settings | type == "object"' <<<"$out"
run I $N -j config show
assert "afterwards: config show is valid JSON" jq -e '.flow_limit >= 64' <<<"$out"
# What the fuzz left in the SACL tables may deny anything: no ports, no filter.
I $N sacl port del c0 2>/dev/null
I $N sacl port del b1 2>/dev/null
expect "afterwards: a new VIP" 0 "" I $N vip add 10.200.0.1 port 53 proto udp
expect "... with a backend" 0 "" I $N backend add 10.200.0.1 port 53 proto udp backend 10.8.1.2
run I $N -j vip show 10.200.0.1 port 53 proto udp
check "... shows as configured" \
	'.[0].addr == "10.200.0.1" and .[0].port == 53 and ([.[0].backends[].addr] == ["10.8.1.2"])'
I $N config set flow-limit 65536 sacl-flow-limit 65536
run py $C lbtool udp 10.200.0.1 53 5
check "... and answers" '.counts.be == 5'
expect "... and goes" 0 "" I $N vip del 10.200.0.1 port 53 proto udp

## Packets: random and boundary packets from a pod (selftests/pktfuzz.py,
## the same seed) through both gateways and a VIP, on a fresh node whose
## rule denies UDP port 54 (default allow: a VIP's replies are un-NATed
## before the gateway sees them); no kernel report, and nothing the rules
## deny arrives.
N2=$s-node2 C2=$s-cl2 B2=$s-be2
ST="$PY $top/selftests/sacltool.py"
fuzz_node $N2 $C2 $B2 <<-EOB
	sacl server add 10.8.1.2 proto udp port 54 id 202
	sacl server add fd08:1::2 proto udp port 54 id 202
	sacl rule add client 101 server 201 allow
	sacl rule add client 101 server 202 deny
EOB
# The first datagram to port 54 that arrives: the node's own (its output
# meets no gateway), sent after the fuzz, unless a denied one came first.
py_bg "$tap_out.deny" $B2 sacltool recv 54 300 1
wait_until 60 udp_bound $B2 54 ||
	echo "no receiver on port 54 in 60 s" | tap_diag
pn=${IDMESH_PKTFUZZ_N:-$(scaled 4000 1500)}
echo "# packet fuzz seed $seed ($pn packets; again: IDMESH_FUZZ_SEED=$seed)"
run nsx $C2 $PY "$top/selftests/pktfuzz.py" "$pn" "$seed" \
	10.9.0.2 fd09::2 10.8.1.2 fd08:1::2 10.100.0.1
check "packet fuzz (seed $seed): most of $pn packets sent" ".sent > $pn / 2"
py $N2 sacltool spoof 10.8.1.1 5555 10.8.1.2 54
py_wait
out=$(<"$tap_out.deny")
check "... nothing the rules deny arrived: the first datagram on port 54 is the node's own" \
	'length == 1 and (.[0].from | ltrimstr("::ffff:")) == "10.8.1.1" and .[0].port == 5555'
run I $N2 -j -s sacl show
check "... the gateway dropped and counted what it must" \
	'(.settings.stats | .spoofed > 0 and .forged > 0) and
	 ([.rules[] | select(.server == 202) | .stats.drops > 0] == [true])'
run py $C2 lbtool udp 10.100.0.1 53 5
check "... and the VIP still answers" '.counts.be == 5'

tap_end
