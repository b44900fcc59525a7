#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Each feature's main path, once: what the stock kernel that is not the
# newest runs (testing.rst). The debug kernel, built from the same source,
# runs every selftest; this proves the module works with Debian's own
# build of it. Two nodes over a Geneve link, a pod on each, a VIP and the
# identity gateway on node a:
#
#   p1 --pair-- a ==remote id 42 (IPv4 underlay)== b --pair-- p2
source "$(dirname "$0")/lib.sh"
require_module

s=ism$$
A=$s-a B=$s-b P1=$s-p1 P2=$s-p2
LB="$PY $top/selftests/lbtool.py"
ns_new $A $B $P1 $P2
for n in $A $B; do
	nsx $n sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
done
pod46 $A $P1 p1 10.31.1 fd31:1
pod46 $B $P2 p2 10.31.2 fd31:2
ip link add ul netns $A type veth peer name ul netns $B
ip -n $A -b - <<-EOB
	link set ul up
	addr add 192.168.131.1/24 dev ul
EOB
ip -n $B -b - <<-EOB
	link set ul up
	addr add 192.168.131.2/24 dev ul
EOB
I $A link add mesh remote 192.168.131.2 id 42
I $B link add mesh remote 192.168.131.1 id 42
for n in $A $B; do
	ip -n $n link set mesh up
done
ip -n $A -b - <<-EOB
	route add 10.31.2.0/24 dev mesh
	route add fd31:2::/64 dev mesh
EOB
ip -n $B -b - <<-EOB
	route add 10.31.1.0/24 dev mesh
	route add fd31:1::/64 dev mesh
EOB

## links
run I $A -j link show p1
assert "a local pair shows as configured" jqt '.[0].mode == "pair" and .[0].peer == "eth0"'
assert "a pod reaches its node over its pair" nsx $P1 ping -c 1 -W 5 -q 10.31.1.1
run I $A -j link show mesh
assert "a remote link shows as configured, its MTU from its underlay" \
	jqt '.[0].mode == "remote" and .[0].id == 42 and .[0].mtu == 1464'
assert "pods on two nodes reach each other over Geneve (IPv4)" \
	wait_until 30 nsx $P1 ping -c 1 -W 2 -q 10.31.2.2
assert "... and IPv6" nsx $P1 ping -6 -c 1 -W 5 -q fd31:2::2

## a VIP on node a, its backend p2 behind the link
nsx $P2 $LB serve be 53 &
wait_until 60 udp_bound $P2 53 || echo "no server in 60 s" | tap_diag
I $A -b - <<-EOB
	vip add 10.131.0.1 port 53 proto udp
	backend add 10.131.0.1 port 53 proto udp backend 10.31.2.2
EOB
run py $P1 lbtool udp 10.131.0.1 53 4
check "a VIP's datagrams reach its backend over the link, the answers come back" \
	'.counts.be == 4'
run I $A -j vip show 10.131.0.1 port 53 proto udp
check "... vip show counts its flows" '.[0].flows >= 1 and .[0].backends[0].slots > 0'

## the identity gateway: p1 is client 101; p2 (on b) is server 201
I $A -b - <<-EOB
	sacl port add p1
	sacl client add 10.31.1.2 dev p1 id 101
	sacl client add fd31:1::2 dev p1 id 101
	sacl server add fd31:2::2 id 201
EOB
I $B -b - <<-EOB
	sacl port add p2
	sacl server add fd31:2::2 id 201
	sacl trust add dev mesh
	sacl rule add client 101 server 201 deny
EOB
expect "SACL: a rule that denies p1's identity drops its packets on b" 1 "*" \
	nsx $P1 ping -6 -c 1 -W 2 -q fd31:2::2
run I $A -j -s sacl show
check "... a tagged them on the way out" '.settings.stats.tagged >= 1'
I $B -b - <<-EOB
	sacl rule del client 101 server 201
	sacl rule add client 101 server 201 allow
EOB
assert "... and once it allows, they pass" nsx $P1 ping -6 -c 1 -W 5 -q fd31:2::2
run I $B -j -s sacl show
check "... b strips the option before p2" '.settings.stats.stripped >= 1'

## settings
run I $A -j config show
check "config show reads the namespace's settings" '.flow_limit >= 64'

tap_end
