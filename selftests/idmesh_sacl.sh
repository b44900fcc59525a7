#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The SACL identity gateway as a user sees it. A client node (a) with two
# client pods, a spine router (sp), a server node (b) with two server
# pods, over a routed IPv6 (and IPv4) underlay:
#
#   c1 --pair-- a --veth-- sp --veth-- b --pair-- s1
#   c2 --pair--/                         \--pair-- s2
#
# a tags what c1/c2 send; sp only classifies; b filters, prioritises and
# strips. c2's port is a marker port: two UIDs in c2 are two clients.
# The pods' ports are idmesh pairs, whose devices do the gateway's work;
# PORTS=veth (idmesh_sacl_veth.sh) makes them veths, and the work the
# forward hook's.
source "$(dirname "$0")/lib.sh"
require_module

s=idm$$
A=$s-a SP=$s-sp B=$s-b C1=$s-c1 C2=$s-c2 S1=$s-s1 S2=$s-s2
ALL="$A $SP $B $C1 $C2 $S1 $S2"
LB="$PY $top/selftests/lbtool.py"
cap=$(mktemp -d)
track_path "$cap"

ns_new $ALL
py_start $C1 $C2 $S1 $S2 $SP
for ns in $A $SP $B; do
	nsx $ns sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
done

pod46 $A $C1 c1 10.10.1 fd10:1
pod46 $A $C2 c2 10.10.2 fd10:2
pod46 $B $S1 s1 10.20.1 fd20:1
pod46 $B $S2 s2 10.20.2 fd20:2
# underlay: a (fd00:a::1) - sp - b (fd00:b::1)
ip link add ua netns $A type veth peer name ua netns $SP
ip link add ub netns $B type veth peer name ub netns $SP
# uplink NODE DEV V6NET V4NET FAR6 FAR4: the node is V6NET::1 and
# V4NET.1 on DEV, the spine ::2 and .2; the far pods' prefixes via it.
uplink() {
	ip -n "$1" -batch - <<-EOB
	link set $2 up
	addr add $3::1/64 dev $2 nodad
	addr add $4.1/24 dev $2
	route add $5 via $3::2
	route add $6 via $4.2
	EOB
}
uplink $A ua fd00:a 192.168.10 fd20::/16 10.20.0.0/16
uplink $B ub fd00:b 192.168.20 fd10::/16 10.10.0.0/16
ip -n $SP -batch - <<-EOB
	link set ua up
	link set ub up
	addr add fd00:a::2/64 dev ua nodad
	addr add fd00:b::2/64 dev ub nodad
	addr add 192.168.10.2/24 dev ua
	addr add 192.168.20.2/24 dev ub
	route add fd10::/16 via fd00:a::1
	route add fd20::/16 via fd00:b::1
	route add 10.10.0.0/16 via 192.168.10.1
	route add 10.20.0.0/16 via 192.168.20.1
EOB

for p in 1 2; do
	nsx $s-s$p $LB serve s$p 80 &
done
for p in 1 2; do
	wait_until 20 tcp_listening $s-s$p 80
done

# udp_ready NS PORT: wait until a UDP socket is bound to PORT in NS (python
# starts slowly on a loaded debug guest; a datagram sent before would be lost).
udp_ready() {
	wait_until 30 udp_bound "$1" "$2" && return 0
	echo "no UDP receiver on port $2 in $1 after 30 s" | tap_diag
}

# connect POD ADDR: one TCP connection to port 80; $out has the counts.
connect() { run py "$1" lbtool new "$2" 80 1; }
# sacl_stat NS KEY: a SACL counter of namespace NS.
sacl_stat() { I "$1" -j -s sacl show | jq -r ".settings.stats.$2"; }
# path NS: where NS's gateway works, as "sacl show" says.
path() { I "$1" -j sacl show | jq -r .settings.path; }
# capture NS DEV NAME CMD...: the packets DEV in NS sends and receives
# while CMD runs, with their Hop-by-Hop options, as JSON in $out. NS's
# helper listens (AF_PACKET) before CMD starts, and stops once CMD is done
# and the packets stopped. IPv6 packets only, unless CAPF says otherwise
# (CAPF=ip: IPv4).
capture() {
	local ns=$1 dev=$2 name=$3
	shift 3
	py_bg "$cap/$name.cap" "$ns" sacltool capture "$dev" "${CAPF:-ip6}" \
		"$cap/$name.ready" "$cap/$name.stop" 120
	wait_until 60 test -e "$cap/$name.ready" ||
		echo "capture in $ns did not start in 60 s" | tap_diag
	"$@" >/dev/null 2>&1
	: >"$cap/$name.stop"
	py_wait
	out=$(<"$cap/$name.cap")
}

## configuration and bad input
assert "no ports, no rules: the gateway works nowhere (path none)" \
	[ "$(path $A)" = none ]
expect "port add" 0 "" I $A sacl port add c1
expect "port add (marker)" 0 "" I $A sacl port add c2 marker
expect "client by address, behind its port" 0 "" I $A sacl client add fd10:1::2 dev c1 id 101
expect "client by marker port and LID" 0 "" I $A sacl client add dev c2 lid 5 id 105
expect "another LID on the same port" 0 "" I $A sacl client add dev c2 lid 6 id 106
expect "server by address, protocol and port" 0 "" \
	I $A sacl server add fd20:1::2 proto tcp port 80 id 201
expect "server by address only" 0 "" I $A sacl server add fd20:2::2 id 202
expect "server for UDP" 0 "" I $A sacl server add fd20:1::2 proto udp id 201
run I $A -j sacl show
before=$out
expect "a port twice is refused" 1 "Error: Device is already a port" \
	I $A sacl port add c1
expect "a client twice is refused" 1 "Error: Client already exists" \
	I $A sacl client add fd10:1::2 dev c1 id 7
expect "an address behind another port is refused: one port holds it" 1 \
	"Error: Address is a client behind another port" \
	I $A sacl client add fd10:1::2 dev c2 id 7
expect "a client address without its port is refused by the tool" 2 \
	"Error: a client's address needs the port it is behind: client ADDR dev DEV id ID" \
	I $A sacl client add fd10:1::3 id 7
expect "a client address behind a device that is not a port is refused" 1 \
	"Error: Device is not a port" I $A sacl client add fd10:1::3 dev ua id 7
expect "a LID client on a port that is not a marker port is refused" 1 \
	"Error: Port is not a marker port" I $A sacl client add dev c1 lid 1 id 7
expect "a LID client on a device that is not a port is refused" 1 \
	"Error: Device is not a port" I $A sacl client add dev ua lid 1 id 7
run I $A sacl client add fd10:9::2 dev c1 id 0
assert "ID 0 is refused with the policy's bounds" \
	grep -q "^Error: .*(valid: 1\.\." <<<"$err"
expect "... also in a rule, where it may only start a prefix" 1 \
	"Error: SACL ID 0 is not an ID: only a prefix of fewer bits may be 0" \
	I $A sacl rule add client 0 server 5
expect "a group of IDs that starts with 0 (the lower half of them) is one" 0 "" \
	I $A sacl rule add client 0/1 server 5
assert "... shown with its prefix length" \
	grep -qx "rule client 0x0000000000000000/1 server 5 allow" <<<"$(I $A sacl show rules)"
expect "... and removed by it" 0 "" I $A sacl rule del client 0/1 server 5
expect "option type with action bits 01 is refused" 1 \
	"Error: Option type must have action bits 00 (below 0x40), so that nodes unaware of it skip it" \
	I $A sacl set option-type 0x5e
expect "a port on an unknown device is refused by the tool" 1 \
	'Error: cannot find device "nosuch"' I $A sacl port add nosuch
expect "an IPv4-mapped address is refused: IPv4 is written as IPv4" 2 \
	'Error: client "::ffff:10.10.1.2" is not an IPv4 or IPv6 address (IPv4 is written a.b.c.d)' \
	I $A sacl client add ::ffff:10.10.1.2 id 9
expect "an IPv4 option type that is not RFC 4727's is refused" 1 \
	"Error: IPv4 option type must be one of RFC 4727's experimental types: 30, 94, 158 or 222" \
	I $A sacl set ipv4-option-type 7
expect "deleting what does not exist is refused" 1 "Error: No such entry" \
	I $A sacl rule del client 1 server 2
expect "a server port without a protocol is refused" 1 \
	"Error: A port needs the protocol tcp, udp or sctp" \
	I $A sacl server add fd20:1::2 port 81 id 9
run I $A -j sacl show
assert "refused requests changed nothing" [ "$out" = "$before" ]
check "show prints what was configured" \
	'.settings.option_type == 30 and .settings.default == "allow" and
	 ([.ports[] | "\(.dev) \(.marker)"] == ["c1 false", "c2 true"]) and
	 ([.clients[] | "\(.addr // .dev) \(.lid // "-") \(.id)"] ==
	  ["fd10:1::2 - 101", "c2 5 105", "c2 6 106"]) and
	 ([.servers[] | "\(.addr) \(.proto // "-") \(.port // "-") \(.id)"] ==
	  ["fd20:1::2 tcp 80 201", "fd20:2::2 - - 202", "fd20:1::2 udp - 201"])'
run I $A sacl show clients
assert "clients show with their ports" [ "$out" = "client fd10:1::2 dev c1 id 101
client dev c2 lid 5 id 105
client dev c2 lid 6 id 106" ]
run I $A sacl show servers
assert "text show of one table" [ "$out" = "server fd20:1::2 proto tcp port 80 id 201
server fd20:2::2 id 202
server fd20:1::2 proto udp id 201" ]

# b: its pods are behind ports; rules filter and prioritise.
I $B sacl port add s1
I $B sacl port add s2
I $B sacl rule add client 101 server 201 allow priority 1:3
I $B sacl rule add client 105 server 201 allow
I $B sacl rule add client 106 server 201 deny
# sp: classifies for priority only
I $SP sacl rule add client 101 server 201 priority 1:2 dscp 10
# Where the work is done: a node whose ports are all idmesh pairs does it
# inside them, with no netfilter hook of its own (nor defragmentation);
# with veth ports (PORTS=veth: idmesh_sacl_veth.sh), the forward hook.
if [ "${PORTS:-pair}" = veth ]; then
	assert "veth ports: a's and b's forward hooks do the work (path hook)" \
		all [ "$(path $A)" = hook ] :: [ "$(path $B)" = hook ]
else
	assert "ports that are all pairs: a and b do the work inside them (path pairs)" \
		all [ "$(path $A)" = pairs ] :: [ "$(path $B)" = pairs ]
fi
assert "the transit node sp (rules, no ports) classifies at its forward hook" \
	[ "$(path $SP)" = hook ]
# The kernel's own list of hooks, where it has one (nfnetlink_hook: 6.12;
# the kernel's own, apparmor's, may be in it: not idmesh's).
if nsx $SP nft list hooks 2>/dev/null | grep -q idm_sacl_forward; then
	for ns in $A $B; do
		nsx $ns nft list hooks >"$cap/hooks.$ns" 2>&1
	done
	if [ "${PORTS:-pair}" = veth ]; then
		assert "... the kernel lists idmesh's forward hook on a and b" \
			all grep -q idm_sacl_forward "$cap/hooks.$A" :: \
			grep -q idm_sacl_forward "$cap/hooks.$B"
	else
		assert "... the kernel lists no hook of idmesh's on a or b, no defragmentation" \
			all holds "! grep -qE 'idm_|defrag' $cap/hooks.$A" :: \
			holds "! grep -qE 'idm_|defrag' $cap/hooks.$B"
	fi
else
	tap_skip "the kernel's own list of netfilter hooks (no nfnetlink_hook here)"
fi
run I $B sacl show rules
assert "rules show as given (priority as a class id)" [ "$out" = "rule client 101 server 201 allow priority 1:3
rule client 105 server 201 allow
rule client 106 server 201 deny" ]
tc -n $SP qdisc add dev ub root handle 1: prio

## on the wire
capture $SP ub tcp connect $C1 fd20:1::2
wire=$out
run echo "$wire"
check "the underlay carries the option with the client's and the server's IDs" \
	'[.[] | select(.src == "fd10:1::2" and .hbh != null) | .hbh.opts[] |
	  select(.type == 30)] | length > 0 and
	 all(.len == 16 and .data == "0000000000000065" + "00000000000000c9")'
check "the option sits in a 24-byte header, IDs 8-byte aligned (PadN 4 first)" \
	'[.[] | select(.src == "fd10:1::2")] | length > 0 and
	 all(.hbh.len == 24 and .hbh.opts[0].type == 1 and .hbh.opts[0].len == 2)'
check "replies are tagged too, through connection tracking on b" \
	'[.[] | select(.src == "fd20:1::2")] | length > 0 and
	 all(.hbh.opts[] | select(.type == 30) | .data == "0000000000000065" + "00000000000000c9")'
check "the spine set its rule's DSCP 10 on the tagged packets" \
	'[.[] | select(.src == "fd10:1::2")] | length > 0 and all(.dscp == 10)'
check "... that left a with DSCP 0" \
	'[.[] | select(.src == "fd20:1::2")] | length > 0 and all(.dscp == 0)' 
capture $S1 eth0 pod connect $C1 fd20:1::2
check "inside the server pod: no option at all" \
	'[.[] | select(.src == "fd10:1::2")] | length > 0 and all(.hbh == null)'
connect $C1 fd20:1::2
check "allowed by rule: c1 reaches s1" '.counts.s1 == 1'

## priority
# band_pkts NS DEV CLASS: packets a prio qdisc's band has sent.
band_pkts() {
	tc -n "$1" -s class show dev "$2" |
		awk -v c="$3" '$1 == "class" { cur = $3 } $1 == "Sent" && cur == c { print $4 }'
}
# hooked NS: NS's gateway works at its forward hook.
hooked() { [ "$(path "$1")" = hook ]; }
tc -n $B qdisc add dev s1 root handle 1: prio
if [ "${PORTS:-pair}" = pair ]; then
	# The rule's priority classifies in the port's own qdisc: with one,
	# the decision must come before it, and b's forward hook takes over
	# (from the packet that finds the qdisc there).
	connect $C1 fd20:1::2
	assert "a pair port given a qdisc: b's forward hook takes the work" \
		wait_until 30 hooked $B
fi
connect $C1 fd20:1::2
b3=$(band_pkts $B s1 1:3)
assert "b: the rule's priority 1:3 put c1's packets in band 3 of s1's prio qdisc" \
	[ "${b3:-0}" -gt 0 ]
assert "... and none in band 1" [ "$(band_pkts $B s1 1:1)" = 0 ]
tc -n $B qdisc del dev s1 root
if [ "${PORTS:-pair}" = pair ]; then
	connect $C1 fd20:1::2
	assert "... its qdisc gone, b's pairs take the work back: no hook" \
		wait_until 30 holds '! hooked $B'
fi
b2=$(band_pkts $SP ub 1:2)
assert "sp (transit): priority 1:2 from its own rule, band 2 of ub" [ "${b2:-0}" -gt 0 ]
run I $SP -j -s sacl show
check "sp counted transit packets and its rule's hits, dropped nothing" \
	'.settings.stats.transit > 0 and .rules[0].stats.hits > 0 and
	 .rules[0].stats.drops == 0'

## filtering
connect $C1 fd20:2::2
check "no rule, default allow: c1 reaches s2" '.counts.s2 == 1'
I $B sacl set default deny
LBTOOL_TIMEOUT=2 connect $C1 fd20:2::2
check "no rule, default deny: c1 does not reach s2" '.counts.none == 1'
run I $B -j -s sacl show
check "... counted as the default's drops" \
	'.settings.default == "deny" and .settings.stats.default_drops > 0'
connect $C1 fd20:1::2
check "default deny: a rule still allows c1 to s1" '.counts.s1 == 1'
run nsx $C1 ping -4 -c 1 -W 5 10.20.2.2
assert "default deny holds for IPv4 too (untagged: no IPv4 entries yet)" [ "$rc" != 0 ]

# Rules for groups of IDs: 0x60/59 is 0x60..0x7f (c1 is 101 = 0x65),
# 0xc8/61 is 0xc8..0xcf (s2 is 202 = 0xca).
expect "a rule for a group of clients and a group of servers" 0 "" \
	I $B sacl rule add client 0x60/59 server 0xc8/61 allow
connect $C1 fd20:2::2
check "the group rule lets c1 reach s2" '.counts.s2 == 1'
I $B sacl rule add client 101 server 202 deny
LBTOOL_TIMEOUT=2 connect $C1 fd20:2::2
check "a rule for c1 and s2 themselves (deny) wins over the group's" '.counts.none == 1'
I $B sacl rule del client 101 server 202
run I $B sacl show rules
assert "a group rule shows its prefix lengths" \
	grep -qx "rule client 0x0000000000000060/59 server 0x00000000000000c8/61 allow" <<<"$out"
run I $B -j sacl show rules
before=$out
for n in $(seq 14); do
	echo "sacl rule add client 0x8000000000000000/$n server 0x8000000000000000/1"
done | I $B -b -
expect "a 17th pair of prefix lengths is refused" 1 \
	"Error: Too many different prefix lengths among the rules" \
	I $B sacl rule add client 0x8000000000000000/15 server 0x8000000000000000/1
for n in $(seq 14); do
	echo "sacl rule del client 0x8000000000000000/$n server 0x8000000000000000/1"
done | I $B -b -
run I $B -j sacl show rules
assert "... and once those rules are gone, the rules are as before" [ "$out" = "$before" ]
I $B sacl rule del client 0x60/59 server 0xc8/61
LBTOOL_TIMEOUT=2 connect $C1 fd20:2::2
check "the group rule deleted: c1 is denied again" '.counts.none == 1'

# One connection (UDP from c1's port 4242 to s2) whose rule changes under
# it: a tracked connection keeps its rule only until the rules change.
I $B sacl rule add client 101 server 202 allow
run py $C1 lbtool udp fd20:2::2 80 1 4242
check "one UDP connection, its rule allows it: answered" '.ports["4242"] == "s2"'
I $B -b - <<-EOB
	sacl rule del client 101 server 202
	sacl rule add client 101 server 202 deny
EOB
LBTOOL_TIMEOUT=2 run py $C1 lbtool udp fd20:2::2 80 1 4242
check "... the same connection once its rule is deny: dropped" '.counts.none == 1'
run I $B -j -s sacl show rules
check "... by that rule, counted" \
	'[.[] | select(.client == 101 and .server == 202)][0].stats.drops >= 1'
I $B -b - <<-EOB
	sacl rule del client 101 server 202
	sacl rule add client 101 server 202 allow
EOB
run py $C1 lbtool udp fd20:2::2 80 1 4242
check "... and allowed again: answered" '.ports["4242"] == "s2"'
I $B sacl rule del client 101 server 202

## LID marker: two UIDs in c2 are two clients
I $C2 sacl set marker on
run py_as 5 $C2 lbtool new fd20:1::2 80 1
check "uid 5 (LID 5, client 105): allowed" '.counts.s1 == 1'
LBTOOL_TIMEOUT=2 run py_as 6 $C2 lbtool new fd20:1::2 80 1
check "uid 6 (LID 6, client 106): denied by its rule" '.counts.none == 1'
run I $B -j -s sacl show rules
check "the deny rule counted its drops" \
	'[.[] | select(.client == 106)][0].stats.drops > 0'
capture $SP ua lid py_as 5 $C2 lbtool new fd20:1::2 80 1
check "the wire shows client 105 and a restored hop limit" \
	'[.[] | select(.src == "fd10:2::2")] | length > 0 and
	 all(.hlim < 100 and (.hbh.opts[] | select(.type == 30) | .data[0:16]) ==
	     "0000000000000069")'
run I $C2 -j -s sacl show
check "the marker counted what it marked" '.settings.marker and .settings.stats.marked > 0'

## forged and malformed
# send_hbh NAME TO FROM ADDR HEX: one datagram with the Hop-by-Hop options
# HEX from FROM to ADDR:9000, received (or not, in 4 s: each use expects
# a drop, which its counter shows) in TO, into $cap/NAME.json.
send_hbh() {
	py_bg "$cap/$1.json" "$2" sacltool recv 9000 4
	udp_ready "$2" 9000
	py "$3" sacltool send "$4" 9000 "$5"
	py_wait
}
n0=$(sacl_stat $A forged)
send_hbh forged $S1 $C1 fd20:1::2 "0002010200001e10000000000000000100000000000000c9"
assert "a pod's own SACL option is dropped as forged" [ "$(sacl_stat $A forged)" -gt "$n0" ]
assert "... and never reaches the server" [ "$(jq length "$cap/forged.json")" = 0 ]

# a bad option from the spine (not a port): b drops and counts it
n0=$(sacl_stat $B malformed)
send_hbh bad $S2 $SP fd20:2::2 "00001e02abcd0100"
assert "a malformed SACL option on the wire is dropped and counted" \
	[ "$(sacl_stat $B malformed)" -gt "$n0" ]
n0=$(sacl_stat $B malformed)
run py $SP sacltool short fd20:2::2
for i in $(seq 50); do
	[ "$(sacl_stat $B malformed)" = "$n0" ] || break
	pause 0.1
done
assert "a TCP segment cut short towards a port is dropped and counted" \
	[ "$(sacl_stat $B malformed)" = $((n0 + 1)) ]
[ "$(sacl_stat $B malformed)" = $((n0 + 1)) ] || echo "sender: rc $rc $err" | tap_diag

# another Hop-by-Hop option of the pod's: extended, not duplicated, kept
I $B sacl set default allow
py_bg "$cap/ext.json" $S1 sacltool recv 9001 60 1
udp_ready $S1 9001
capture $SP ub ext py $C1 sacltool send fd20:1::2 9001 "00003c0200000100"
py_wait
# Its 4 bytes of padding give way to the option: 8 + 16 bytes, no run of
# padding over 7 bytes (a Linux receiver drops such a packet).
check "a pod's own Hop-by-Hop header is extended (one header, both options, 24 bytes)" \
	'[.[] | select(.src == "fd10:1::2" and .proto == 17)] | length == 1 and
	 (.[0].hbh.len == 24) and ([.[0].hbh.opts[].type] | index(60) != null and index(30) != null)'
out=$(<"$cap/ext.json")
check "... and the server gets the pod's option back, without ours" \
	'length == 1 and ([.[0].hbh.opts[].type] | index(60) != null and index(30) == null) and .[0].hbh.len == 8'

## MTU: the option's 24 bytes are reported in Packet Too Big
I $A sacl server add fd20:1::2 proto icmpv6 id 201
run nsx $C1 ping -6 -c 1 -W 3 -M do -s 1452 fd20:1::2
assert "a full-size packet (1500) gets Packet Too Big, mtu 1476" \
	grep -q "mtu=1476\|mtu = 1476" <<<"$out$err"
run nsx $C1 ping -6 -c 1 -W 5 -M do -s 1428 fd20:1::2
assert "1476 bytes with the option pass" [ "$rc" = 0 ]
assert "a's too-big counter" [ "$(sacl_stat $A too_big)" -gt 0 ]

## IPv4: the same tables, rules, default, conntrack and counters
I $B sacl set default allow
expect "IPv4 client by address" 0 "" I $A sacl client add 10.10.1.2 dev c1 id 101
expect "IPv4 server by address, protocol and port" 0 "" \
	I $A sacl server add 10.20.1.2 proto tcp port 80 id 201
I $A sacl server add 10.20.1.2 proto icmp id 201
I $A sacl server add 10.20.1.2 proto udp id 201
I $A sacl server add 10.20.2.2 id 202
run I $A -j sacl show
check "IPv4 entries show as IPv4, beside the IPv6 ones" \
	'([.clients[] | select(.addr == "10.10.1.2") | .id] == [101]) and
	 ([.servers[] | select(.addr == "10.20.1.2") | "\(.proto) \(.id)"] ==
	  ["tcp 201", "icmp 201", "udp 201"]) and .settings.ipv4_option_type == 30'
CAPF=ip capture $SP ub tcp4 connect $C1 10.20.1.2
check "IPv4 on the underlay: option 30, 18 bytes, the client's and the server's IDs" \
	'[.[] | select(.src == "10.10.1.2")] | length > 0 and
	 all((.opts4 // []) | map(select(.type == 30)) |
	     length == 1 and .[0].len == 18 and
	     .[0].data == "0000000000000065" + "00000000000000c9")'
check "... 20 bytes more: two NOPs and the option, ihl 40" \
	'[.[] | select(.src == "10.10.1.2")] | all(.ihl == 40 and .opts4[0].type == 1 and .opts4[1].type == 1)'
check "IPv4 replies are tagged through connection tracking on b" \
	'[.[] | select(.src == "10.20.1.2")] | length > 0 and
	 all(.opts4[] | select(.type == 30) | .data == "0000000000000065" + "00000000000000c9")'
check "the spine set its rule's DSCP 10 on tagged IPv4" \
	'[.[] | select(.src == "10.10.1.2")] | all(.dscp == 10)'
CAPF=ip capture $S1 eth0 pod4 connect $C1 10.20.1.2
check "inside the server pod: IPv4 without options" \
	'[.[] | select(.src == "10.10.1.2")] | length > 0 and all(.opts4 == null and .ihl == 20)'
I $B sacl set default deny
connect $C1 10.20.1.2
check "IPv4, default deny: the rule lets c1 reach s1" '.counts.s1 == 1'
LBTOOL_TIMEOUT=2 connect $C1 10.20.2.2
check "IPv4, default deny: c1 does not reach s2 (no rule), as over IPv6" '.counts.none == 1'
run nsx $C1 ping -4 -c 1 -W 2 10.20.2.2
assert "... nor does its ping" [ "$rc" != 0 ]
run py_as 5 $C2 lbtool new 10.20.1.2 80 1
check "IPv4 marker: uid 5 (LID 5 in the TTL, client 105) allowed" '.counts.s1 == 1'
LBTOOL_TIMEOUT=2 run py_as 6 $C2 lbtool new 10.20.1.2 80 1
check "IPv4 marker: uid 6 (client 106) denied by its rule" '.counts.none == 1'

# MTU: 20 bytes for the option; DF gets Fragmentation Needed, no DF is fragmented
n0=$(sacl_stat $A too_big)
run nsx $C1 ping -4 -c 1 -W 3 -M do -s 1472 10.20.1.2
assert "IPv4 with DF at 1500 bytes: Fragmentation Needed, mtu 1480" \
	grep -q "mtu = 1480\|mtu=1480" <<<"$out$err"
assert "... counted as too-big" [ "$(sacl_stat $A too_big)" -gt "$n0" ]
run nsx $C1 ping -4 -c 1 -W 5 -M do -s 1452 10.20.1.2
assert "1480 bytes with DF pass with the option" [ "$rc" = 0 ]
run nsx $C1 ping -4 -c 1 -W 5 -M dont -s 1472 10.20.1.2
assert "1500 bytes without DF are fragmented after the option and arrive" [ "$rc" = 0 ]

# Bad input over IPv4: forged, malformed, no room. Three receivers on s1
# at once, one datagram each with the IPv4 options HEX; what each received
# is in $cap/NAME.json.
# recv_s1 NAME PORT [SECS COUNT]: a receiver in the background (5 s: the
# first three expect nothing, and their drops are counted).
recv_s1() { py_bg "$cap/$1.json" $S1 sacltool recv4 "$2" "${3:-5}" ${4:-}; }
I $B sacl set default allow
n_forged=$(sacl_stat $A forged) n_bad=$(sacl_stat $B malformed) n_room=$(sacl_stat $A no_room)
recv_s1 forged4 9004
recv_s1 bad4 9005
recv_s1 room4 9006
recv_s1 rr4 9007 60 1
for p in 9004 9005 9006 9007; do udp_ready $S1 $p; done
py $C1 sacltool send4 10.20.1.2 9004 "01011e12000000000000000100000000000000c9"
py $SP sacltool send4 10.20.1.2 9005 "1e0aabcd0102030405060000"
# a record route of 23 bytes: 24 bytes of options leave no room for 20
py $C1 sacltool send4 10.20.1.2 9006 "071704$(printf '%040d' 0)00"
py $C1 sacltool send4 10.20.1.2 9007 "070b04$(printf '%016d' 0)"
py_wait
assert "a pod's own IPv4 SACL option is dropped as forged" [ "$(sacl_stat $A forged)" -gt "$n_forged" ]
assert "... and never reaches the server" [ "$(jq length "$cap/forged4.json")" = 0 ]
assert "an IPv4 option of our type but 10 bytes long is dropped as malformed" \
	[ "$(sacl_stat $B malformed)" -gt "$n_bad" ]
assert "... and never reaches the server" [ "$(jq length "$cap/bad4.json")" = 0 ]
assert "no room among 40 bytes of IPv4 options: dropped, counted as no-room" \
	[ "$(sacl_stat $A no_room)" -gt "$n_room" ]
assert "... and never reaches the server" [ "$(jq length "$cap/room4.json")" = 0 ]
out=$(<"$cap/rr4.json")
check "a pod's record route (12 bytes) travels with the option and arrives without it" \
	'length == 1 and ([.[0].opts4[] | .type] | index(7) != null and index(30) == null)'

## a workload's own connections under default deny
I $B sacl set default deny
nsx $SP $LB serve sp 80 &
wait_until 20 tcp_listening $SP 80
n0=$(sacl_stat $B replies)
run py $S1 lbtool new fd00:b::2 80 1
check "default deny: s1's own TCP connection to an unlisted IPv6 address is answered" '.counts.sp == 1'
run py $S1 lbtool new 192.168.20.2 80 1
check "... and to an unlisted IPv4 address" '.counts.sp == 1'
run py $S1 lbtool udp 192.168.20.2 80 1
check "... and its UDP query" '.counts.sp == 1'
run py $S1 lbtool udp fd00:b::2 80 1
check "... over IPv6 too" '.counts.sp == 1'
assert "... its answers counted as replies on b" [ "$(sacl_stat $B replies)" -gt "$n0" ]
LBTOOL_TIMEOUT=2 run py $SP lbtool new 10.20.1.2 80 1
check "an unsolicited IPv4 connection from that address to s1 is still denied" '.counts.none == 1'
LBTOOL_TIMEOUT=2 run py $SP lbtool new fd20:1::2 80 1
check "... and over IPv6" '.counts.none == 1'
## rules for every client, by port range, egress, and peers (NetworkPolicy's shape)
I $B -b - <<-EOB
	sacl set default allow
	sacl server add fd20:1::2 id 201
	sacl server add fd20:2::2 id 202
	sacl client add fd20:2::2 dev s2 id 202
	sacl rule add client any server 202 deny
	sacl rule add client 101 server 202 allow ports tcp:80,udp:53-60
EOB
run I $B sacl show rules
assert "a rule for any client shows as given" \
	grep -qx "rule client any server 202 deny" <<<"$out"
assert "... and one limited to ports" \
	grep -qx "rule client 101 server 202 allow ports tcp:80,udp:53-60" <<<"$out"
expect "the same key twice is refused" 1 "Error: Rule already exists" \
	I $B sacl rule add client any server 202 allow
expect "a port range that ends first is refused by the tool" 2 \
	"Error: port range 80-70 ends before it starts" \
	I $B sacl rule add client 102 server 202 ports tcp:80-70
expect "the direction is part of the key: no such egress rule" 1 "Error: No such entry" \
	I $B sacl rule del client any server 202 egress
connect $C1 fd20:2::2
check "c1 to s2's TCP port 80: its rule's range covers it" '.counts.s2 == 1'
run nsx $C1 ping -6 -c 1 -W 3 -q fd20:2::2
assert "c1's ping to s2: in no range of its rule, the rule for any client denies it" [ "$rc" != 0 ]
LBTOOL_TIMEOUT=2 run py_as 5 $C2 lbtool new fd20:2::2 80 1
check "another client (LID 5, 105): denied by the rule for any client" '.counts.none == 1'
LBTOOL_TIMEOUT=2 run py $SP lbtool new fd20:2::2 80 1
check "a connection with no identity (from the spine) meets that rule too" '.counts.none == 1'
run I $B -j -s sacl show rules
check "... each counted as that rule's drops" \
	'[.[] | select(.client_bits == 0 and .server == 202)][0].stats.drops >= 3'
I $B -b - <<-EOB
	sacl rule add client 202 server any egress deny
	sacl rule add client 202 server 201 egress allow ports tcp:80
EOB
connect $C1 fd20:2::2
check "egress deny for s2: a connection to it is still answered (its replies are replies)" \
	'.counts.s2 == 1'
LBTOOL_TIMEOUT=2 run py $S2 lbtool new fd00:b::2 80 1
check "... but its own new connection is dropped as it leaves its port" '.counts.none == 1'
run py $S2 lbtool new fd20:1::2 80 1
check "... but for the one its egress rule allows: s1's TCP port 80" '.counts.s1 == 1'
run I $B -j -s sacl show rules
check "egress rules show their direction and count what they dropped" \
	'[.[] | select(.client == 202 and .server_bits == 0)][0] |
	 .direction == "egress" and .action == "deny" and .stats.drops >= 1'
I $B -b - <<-EOB
	sacl peer add fd00:b::/64 id 77
	sacl rule add client 77 server 202 allow ports tcp:80
	sacl rule add client 202 server 77 egress allow ports tcp:80
EOB
run I $B sacl show peers
assert "a peer shows as given" [ "$out" = "peer fd00:b::/64 id 77" ]
run py $SP lbtool new fd20:2::2 80 1
check "the spine, in peer fd00:b::/64 (ID 77), reaches s2, which allows 77" '.counts.s2 == 1'
I $B sacl peer add fd00:b::2 id 78
LBTOOL_TIMEOUT=2 run py $SP lbtool new fd20:2::2 80 1
check "... a longer peer prefix for its address (78: no rule) wins: denied" '.counts.none == 1'
expect "a peer twice is refused" 1 "Error: Peer already exists" \
	I $B sacl peer add fd00:b::2 id 79
expect "a peer with bits set past its length is refused" 1 \
	"Error: The address has bits set past its prefix length" \
	I $B sacl peer add fd00:b::1/64 id 79
I $B sacl peer del fd00:b::2
run py $S2 lbtool new fd00:b::2 80 1
check "s2, egress denied but to peer 77: its connection to the spine's port 80 leaves" \
	'.counts.sp == 1'
I $B -b - <<-EOB
	sacl rule del client 202 server 77 egress
	sacl rule del client 77 server 202
	sacl peer del fd00:b::/64
EOB
I $B -b - <<-EOB
	vip add fd96::9 port 80 proto tcp
	backend add fd96::9 port 80 proto tcp backend fd20:1::2
EOB
run py $S2 lbtool new fd96::9 80 1
check "s2 through a VIP on its node to s1: the reply, its source made the VIP's, is the connection's reply (not new, which the rule for any client would deny)" \
	'.counts.s1 == 1'
I $B vip del fd96::9 port 80 proto tcp
I $B -b - <<-EOB
	sacl rule del client 202 server 201 egress
	sacl rule del client 202 server any egress
	sacl rule del client 101 server 202
	sacl rule del client any server 202
	sacl client del fd20:2::2
	sacl server del fd20:2::2
	sacl server del fd20:1::2
	sacl set default deny
EOB
## identity belongs to the port: no pod borrows another's
# stat_at_least NS KEY N: the SACL counter KEY of NS reaches N (polled).
stat_at_least() {
	wait_until 30 sh -c "[ \$($IDMESH -n $1 -j -s sacl show | jq .settings.stats.$2) -ge $3 ]" && return
	I "$1" -j -s sacl show | jq -c .settings.stats | tap_diag
	return 1
}
# s1 listens on UDP 9010 (IPv6) and 9011 (IPv4) for one datagram. c2
# (whose port holds only LID clients) sends one of each with c1's address
# as its source, from port 4000; c1 one with c2's address (no client, but
# not one of c1's port's) from 4001; then c1 one from its own, from 4002.
# Only c1's own may pass: b allows 101 to 201, denies the rest.
n0=$(sacl_stat $A spoofed)
recv_s1b() { py_bg "$cap/$3.json" $S1 sacltool "$1" "$2" 240 1; }
recv_s1b recv 9010 own6
recv_s1b recv4 9011 own4
udp_ready $S1 9010
udp_ready $S1 9011
py $C2 sacltool spoof fd10:1::2 4000 fd20:1::2 9010
py $C2 sacltool spoof 10.10.1.2 4000 10.20.1.2 9011
py $C1 sacltool spoof fd10:2::2 4001 fd20:1::2 9010
py $C1 sacltool spoof 10.10.2.2 4001 10.20.1.2 9011
py $C1 sacltool spoof fd10:1::2 4002 fd20:1::2 9010
py $C1 sacltool spoof 10.10.1.2 4002 10.20.1.2 9011
py_wait
out=$(<"$cap/own6.json")
check "c2 writing c1's IPv6 address is not tagged as c1: only c1's own datagram reaches s1" \
	'length == 1 and .[0].from == "fd10:1::2" and .[0].port == 4002'
out=$(<"$cap/own4.json")
check "... nor over IPv4" 'length == 1 and .[0].from == "10.10.1.2" and .[0].port == 4002'
assert "another port's address, or none of the port's own: dropped, counted as spoofed" \
	stat_at_least $A spoofed $((n0 + 4))

# On b, s2 writes s1's address as its source towards the spine (b has no
# client entries: no address to compare with), so b tracks that as a
# connection of s2's port; then the spine "answers" towards s1's port.
# That is no reply of s1's: b's default deny drops it. s1 takes the
# first datagram to come: c1's (allowed by the rule), sent last.
py_bg "$cap/hijack6.json" $S1 sacltool recv 5432 240 1
py_bg "$cap/hijack4.json" $S1 sacltool recv4 5433 240 1
udp_ready $S1 5432
udp_ready $S1 5433
py $S2 sacltool spoof fd20:1::2 5432 fd00:b::2 7777
py $S2 sacltool spoof 10.20.1.2 5433 192.168.20.2 7778
LBTOOL_TIMEOUT=1 run py $SP lbtool udp fd20:1::2 5432 1 7777
LBTOOL_TIMEOUT=1 run py $SP lbtool udp 10.20.1.2 5433 1 7778
py $C1 sacltool spoof fd10:1::2 4444 fd20:1::2 5432
py $C1 sacltool spoof 10.10.1.2 4444 10.20.1.2 5433
py_wait
out=$(<"$cap/hijack6.json")
check "a connection tracked from s2's port is not s1's: the spine's 'reply' to s1 is dropped" \
	'length == 1 and .[0].from == "fd10:1::2"'
out=$(<"$cap/hijack4.json")
check "... over IPv4 too" 'length == 1 and .[0].from == "10.10.1.2"'
I $B -b - <<-EOB
	sacl client add fd20:1::2 dev s1 id 201
	sacl client add 10.20.1.2 dev s1 id 201
EOB
n0=$(sacl_stat $B spoofed)
py $S2 sacltool spoof fd20:1::2 5432 fd00:b::2 7777
py $S2 sacltool spoof 10.20.1.2 5433 192.168.20.2 7778
assert "with s1's addresses its port's, s2 writing them is dropped as spoofed" \
	stat_at_least $B spoofed $((n0 + 2))
I $B -b - <<-EOB
	sacl client del fd20:1::2 dev s1
	sacl client del 10.20.1.2
EOB
# c1_addrs_on DEV: c1's addresses (client 101) behind port DEV instead
c1_addrs_on() {
	I $A -b - <<-EOB
	sacl client del fd10:1::2
	sacl client del 10.10.1.2
	sacl client add fd10:1::2 dev $1 id 101
	sacl client add 10.10.1.2 dev $1 id 101
	EOB
}
# to_spine: c1's datagram from its own addresses, port 4010, to the spine
to_spine() {
	py $C1 sacltool spoof fd10:1::2 4010 fd00:a::2 7
	py $C1 sacltool spoof 10.10.1.2 4010 192.168.10.2 7
}
# A connection's later packets are not looked up among the clients while
# they stay as they were when its first was. c1 opens an untagged one to
# the spine (no server entry: it outlives a change of IDs); c1's address
# then moves to c2: c1 writing it on that same connection is spoofed.
to_spine
n0=$(sacl_stat $A spoofed)
c1_addrs_on c2
to_spine
assert "an address moved to another port: its old port's connection is spoofed from then on" \
	stat_at_least $A spoofed $((n0 + 2))
c1_addrs_on c1
# That connection left untagged (the spine is no listed server). Once a
# server entry names the spine, its next packet leaves tagged: an untagged
# connection is identified again when the tables change.
to_spine
n0=$(sacl_stat $A tagged)
I $A -b - <<-EOB
	sacl server add fd00:a::2 id 777
	sacl server add 192.168.10.2 id 777
EOB
to_spine
assert "an untagged connection whose server gets an entry leaves tagged from its next packet" \
	stat_at_least $A tagged $((n0 + 2))
I $A -b - <<-EOB
	sacl server del fd00:a::2
	sacl server del 192.168.10.2
EOB
# b, under default allow, tracks the spine's untagged datagram to s1
# (server 201, no client); then the same connection's packets come
# tagged (client 101: the spine's tables learnt it). b tracks it anew:
# s1's reply leaves tagged with those IDs.
I $B -b - <<-EOB
	sacl set default allow
	sacl server add fd20:1::2 id 201
EOB
py $SP sacltool send fd20:1::2 9040 - 5040
py $SP sacltool send fd20:1::2 9040 "0002010200001e10000000000000006500000000000000c9" 5040
n0=$(sacl_stat $B tagged)
py $S1 sacltool spoof fd20:1::2 9040 fd00:b::2 5040
assert "a connection tracked untagged whose packets come tagged: its reply leaves tagged" \
	stat_at_least $B tagged $((n0 + 1))
I $B -b - <<-EOB
	sacl set default deny
	sacl server del fd20:1::2
EOB

## ICMP errors: only those that quote a connection of their port
# (The spine's side of a: fd00:a::2, 192.168.10.2.)
run py $C1 sacltool refused fd00:a::2 9
assert "an error quoting c1's own datagram reaches c1: connection refused" [ "$out" = refused ]
run py $C1 sacltool refused 192.168.10.2 9
assert "... over IPv4 too" [ "$out" = refused ]
# Connections c1 opened (port 5555 to port 19 of the spine), known by
# their ports; the spine's own errors about them come and go first.
py $C1 sacltool spoof fd10:1::2 5555 fd00:a::2 19
py $C1 sacltool spoof 10.10.1.2 5555 192.168.10.2 19
pause 1
n0=$(sacl_stat $A unrelated)
py $SP sacltool icmperr fd10:1::2 1 4 fd10:1::2 3333 fd00:a::2 4444
py $SP sacltool icmperr 10.10.1.2 3 3 10.10.1.2 3333 192.168.10.2 4444
py $SP sacltool icmperr 10.10.1.2 5 1 10.10.1.2 5555 192.168.10.2 19
py $C2 sacltool icmperr fd10:1::2 1 4 fd10:1::2 5555 fd00:a::2 19
py $SP sacltool icmperr fd10:1::2 1 4 fd10:1::2 5555 fd00:a::2 19
assert "errors quoting no connection, a redirect, and one from another port: dropped as unrelated" \
	stat_at_least $A unrelated $((n0 + 4))
assert "... and the one from the connection's own side was not" \
	[ "$(sacl_stat $A unrelated)" = $((n0 + 4)) ]

## GSO: a 64 KiB send whose length field cannot hold the option is segmented
# One UDP GSO send of the largest payload (IPv4 65507 bytes, IPv6 65527:
# their length fields are full) in 1400-byte datagrams from c1 to s1;
# every byte arrives, each datagram tagged on the way.
py_bg "$cap/gso4.json" $S1 sacltool recv4 9030 120 47
py_bg "$cap/gso6.json" $S1 sacltool recv 9031 120 47
udp_ready $S1 9030
udp_ready $S1 9031
n0=$(sacl_stat $A tagged)
py $C1 sacltool gso 10.20.1.2 9030 65507 1400
py $C1 sacltool gso fd20:1::2 9031 65527 1400
py_wait
out=$(<"$cap/gso4.json")
check "IPv4: a 65507-byte UDP GSO send arrives whole, 47 datagrams without the option" \
	'length == 47 and (map(.data | length) | add) == 65507 and all(.opts4 == null)'
out=$(<"$cap/gso6.json")
check "IPv6: a 65527-byte one too" 'length == 47 and (map(.data | length) | add) == 65527'
assert "... each datagram tagged on a" [ "$(sacl_stat $A tagged)" -ge $((n0 + 94)) ]
if [ "${PORTS:-pair}" = pair ]; then
	assert "... counted as segmented (one at least: the stack may cut the other first)" \
		[ "$(sacl_stat $A segmented)" -ge 1 ]
else
	# A veth's sender segments UDP GSO sends itself.
	echo "UDP GSO sends segmented by the gateway: $(sacl_stat $A segmented)" |
		tap_diag
fi

## BIG TCP: GSO packets over 64 KiB (IPv6 always, IPv4 where the kernel
## has gso_ipv4_max_size) from the spine to c1, segmented before the gateway
# bigtcp ADDR PORT: $big bytes (4 MB; 400 kB in paths mode) from the
# spine to c1 at ADDR:PORT arrive whole.
big=$(scaled 4000000 400000)
bigtcp() {
	local n
	py_bg "$cap/big.$2" $C1 sacltool sink "$2"
	wait_until 60 tcp_listening $C1 "$2" || echo "no listener on $2" | tap_diag
	py $SP sacltool bulk "$1" "$2" $big
	py_wait
	n=$(<"$cap/big.$2")
	[ "$n" = $big ] && return
	echo "$n of $big bytes arrived" | tap_diag
	return 1
}
# A slow guest's pacing keeps TSO packets to a millisecond of data: the
# spine's TCP is made to build them as large as the link lets it.
if ip -n $SP link set ua gso_max_size 185000 2>/dev/null &&
   nsx $SP sysctl -qw net.ipv4.tcp_min_tso_segs=127; then
	n0=$(sacl_stat $A segmented)
	assert "BIG TCP over IPv6 (gso_max_size 185000) to a port: every byte of $big arrives" \
		bigtcp fd10:1::2 9040
	if ip -n $SP link set ua gso_ipv4_max_size 185000 2>/dev/null; then
		assert "... and over IPv4 (gso_ipv4_max_size 185000)" bigtcp 10.10.1.2 9041
	else
		tap_skip "BIG TCP over IPv4 (no gso_ipv4_max_size in this kernel)"
	fi
	# Whether the guest's TCP built packets over 64 KiB is its own affair
	# (pacing): what the gateway segmented is printed, not asserted.
	echo "GSO packets segmented by the gateway during BIG TCP: $(( $(sacl_stat $A segmented) - n0 ))" |
		tap_diag
	ip -n $SP link set ua gso_max_size 65536
	ip -n $SP link set ua gso_ipv4_max_size 65536 2>/dev/null
else
	tap_skip "BIG TCP (no gso_max_size over 64 KiB in this kernel)"
	tap_skip "BIG TCP over IPv4"
fi

## a port's budget of connections: a flood from one port evicts only its own
# The table's budget at 128, a port's at its minimum, 64. c1 opens one UDP
# connection to the spine (port 5000 to 9), then c2 opens 300 (120 in
# paths mode). Under default deny on a, the spine's answer to c1 must
# still be a reply.
expect "config set sacl-port-flow-limit" 0 "" \
	I $A config set sacl-flow-limit 128 sacl-port-flow-limit 64
assert "a lowered table budget is reached" \
	wait_until 30 sh -c "[ \$($IDMESH -n $A -j stats show | jq .sacl_flows) -le 128 ]"
I $A sacl set default deny
py $C1 sacltool spoof fd10:1::2 5000 fd00:a::2 9
py_bg "$cap/budget.json" $C1 sacltool recv 5000 240 1
udp_ready $C1 5000
nfl=$(scaled 300 120)
LBTOOL_TIMEOUT=1 run py $C2 lbtool udp fd00:a::2 81 $nfl 6000
run I $A -j -s sacl show ports
check "c2's port holds its budget of 64 and evicted its own beyond it ($nfl connections)" \
	'[.[] | select(.dev == "c2") | .stats | .flows == 64 and .evicted >= $n - 64] == [true]' --argjson n $nfl
check "... none of c1's" '[.[] | select(.dev == "c1") | .stats.evicted] == [0]'
py $SP sacltool spoof fd00:a::2 9 fd10:1::2 5000
py_wait
out=$(<"$cap/budget.json")
check "c1's connection outlived the flood: the spine's answer passes default deny as a reply" \
	'length == 1 and .[0].from == "fd00:a::2"'
I $A config set sacl-flow-limit 65536 sacl-port-flow-limit 16384
I $A sacl set default allow

I $B sacl set default allow
I $A -b - <<-EOB
	sacl client del 10.10.1.2
	sacl server del 10.20.1.2 proto tcp port 80
	sacl server del 10.20.1.2 proto icmp
	sacl server del 10.20.1.2 proto udp
	sacl server del 10.20.2.2
EOB

## where tags are trusted from
expect "trust a source prefix" 0 "" I $B sacl trust add fd99::/16
expect "a prefix with bits set past its length is refused" 1 \
	"Error: The address has bits set past its prefix length" I $B sacl trust add fd99::1/16
expect "the same trusted source twice is refused" 1 \
	"Error: Trusted source already exists" I $B sacl trust add fd99::/16
expect "trusting a device that does not exist is refused by the tool" 1 \
	'Error: cannot find device "nosuch"' I $B sacl trust add dev nosuch
n0=$(sacl_stat $B untrusted)
LBTOOL_TIMEOUT=2 connect $C1 fd20:1::2
check "a tag from a source not trusted is dropped, allow rule or not" '.counts.none == 1'
assert "... and counted as untrusted" [ "$(sacl_stat $B untrusted)" -gt "$n0" ]
expect "trust the underlay device" 0 "" I $B sacl trust add dev ub
connect $C1 fd20:1::2
check "a tag that came in on the trusted device is believed" '.counts.s1 == 1'
I $B sacl trust del dev ub
I $B sacl trust add fd10::/16
I $B sacl trust add 10.10.0.0/16
connect $C1 fd20:1::2
check "a tag from a trusted source prefix is believed" '.counts.s1 == 1'
ip -n $B link add td0 type dummy
I $B sacl trust add dev td0
ip -n $B link del td0
run I $B sacl show trust
assert "show prints the trusted sources as given; a deleted device's entry is gone" \
	[ "$out" = "trust fd99::/16
trust fd10::/16
trust 10.10.0.0/16" ]
I $B -b - <<-EOB
	sacl trust del fd99::/16
	sacl trust del fd10::/16
	sacl trust del 10.10.0.0/16
EOB
connect $C1 fd20:1::2
check "with no trusted source named, tags are believed from any device again" '.counts.s1 == 1'

## removal
expect "port del" 0 "" I $A sacl port del c2
run I $A -j sacl show
check "a port's LID clients go with it" \
	'[.ports[].dev] == ["c1"] and ([.clients[].addr] == ["fd10:1::2"])'
ip -n $B link del s2
run I $B -j sacl show ports
check "a deleted device stops being a port" '[.[].dev] == ["s1"]'

## batch: many entries in one run of the tool; it stops at the first refusal
expect "a batch stops at the line the kernel refused" 1 \
	"Error: Client already exists
Command failed -:3" I $A -b - <<-EOB
	sacl client add fd10:7::1 dev c1 id 701
	sacl client add fd10:7::2 dev c1 id 702
	sacl client add fd10:7::1 dev c1 id 703
	sacl client add fd10:7::3 dev c1 id 704
EOB
run I $A -j sacl show clients
check "... what came before it is applied, nothing after" \
	'[.[].id] == [101, 701, 702]'

tap_end
