#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The node as one intent (Documentation/intent.rst), as a user sees it.
# Two nodes a and b joined by a veth underlay, and pods on node a:
#
#   p (pod) --pair p1-- a ==remote link== b (10.60.0.1 on its lo)
#
# First an intent written by hand: a pair with the addresses and routes
# of both ends, a remote link with its routes, the hash key; the same
# again (nothing), export and apply of the export (nothing), changes in
# place, a refused change (everything undone). Then the intent of node a
# from Kubernetes objects (selftests/k8s/*.json, printed by kubectl): its
# remote link and the Service "web" as a VIP, traffic through it, and web
# scaled from 3 to 5 endpoints and one terminating with flows kept. Last,
# an external link: its peers applied, exported, changed in place, undone.
source "$(dirname "$0")/lib.sh"
require_module

s=idi$$
A=$s-a B=$s-b P=$s-p
key=00112233445566778899aabbccddeeff

ns_new $A $B $P
two_nodes $A $B
track_path "$tap_out".*
no_dev() { ! ip -n "$1" link show "$2" >/dev/null 2>&1; }

## An intent by hand
cat >"$tap_out.a.yaml" <<EOY
pairs:
  - name: p1
    peer: eth0
    netns: $P
    mtu: 1400
    addresses: [10.50.0.1/32]
    routes: [10.50.1.2/32, "fd50:1::2/128"]
    peer-addresses: [10.50.1.2/32, "fd50:1::2/128"]
    peer-routes: [0.0.0.0/0, "::/0"]
remote-links:
  - {name: tn7, remote: 192.168.70.2, local: 192.168.70.1, id: 7, routes: [10.60.0.0/24]}
hash-key: $key
EOY
cat >"$tap_out.b.yaml" <<EOY
remote-links:
  - {name: tn7, remote: 192.168.70.1, local: 192.168.70.2, id: 7, routes: [10.50.1.0/24]}
EOY
expect "apply: a pair, a remote link and the hash key" 0 "" I $A apply -f "$tap_out.a.yaml"
assert "... and said so, in order" [ "$out" = "+ link p1 peer eth0 netns $P mtu 1400
+ link tn7 remote 192.168.70.2 local 192.168.70.1 id 7
~ hash-key set" ]
expect "apply on node b: its end of the remote link" 0 "" I $B apply -f "$tap_out.b.yaml"
run I $A -j link show
check "the links as the intent says" \
	'[.[] | {name, mode, mtu, up, peer, netns, remote, id}] ==
	 [{"name": "p1", "mode": "pair", "mtu": 1400, "up": true, "peer": "eth0", "netns": $p,
	   "remote": null, "id": null},
	  {"name": "tn7", "mode": "remote", "mtu": .[1].mtu, "up": true, "peer": null, "netns": null,
	   "remote": "192.168.70.2", "id": 7}]' --arg p "$P"
run ip -n $P -j addr show dev eth0
check "the pod's end: up, with its addresses and MTU" \
	'.[0].mtu == 1400 and (.[0].flags | index("UP")) and
	 ([.[0].addr_info[] | select(.scope == "global") | "\(.local)/\(.prefixlen)"] | sort) ==
	 ["10.50.1.2/32", "fd50:1::2/128"]'
run ip -n $P -j route show default
check "the pod's default route is its link" '.[0].dev == "eth0"'
run ip -n $P -j -6 route show default
check "... for IPv6 too" '.[0].dev == "eth0"'
run ip -n $A -j route show proto static
check "the node's routes: the pod over its pair, b's pods over the remote link" \
	'[.[] | "\(.dst) \(.dev)"] | sort == ["10.50.1.2 p1", "10.60.0.0/24 tn7"]'
run ip -n $A -j -6 route show dev p1 proto static
check "... and the pod's IPv6 address" '[.[] | .dst] == ["fd50:1::2"]'
assert "the pod reaches the node's end" wait_until 10 nsx $P ping -c1 -W1 -q 10.50.0.1
assert "the pod reaches node b over the remote link" wait_until 10 nsx $P ping -c1 -W1 -q 10.60.0.1
run I $A config show hash-key
assert "the hash key is the intent's" [ "$out" = "hash-key $key" ]
expect "apply: the same intent again" 0 "" I $A apply -f "$tap_out.a.yaml"
assert "... changes nothing and prints nothing" [ -z "$out" ]

## Export
expect "export: the node as an intent" 0 "" I $A export
echo "$out" >"$tap_out.e1.json"
check "export: the pair with both ends' addresses and routes, the link, the key" \
	'(.pairs | map({name, peer, netns, mtu, addresses, routes, "peer-addresses", "peer-routes"})) ==
	 [{"name": "p1", "peer": "eth0", "netns": $p, "mtu": 1400, "addresses": ["10.50.0.1/32"],
	   "routes": ["10.50.1.2/32", "fd50:1::2/128"],
	   "peer-addresses": ["10.50.1.2/32", "fd50:1::2/128"], "peer-routes": ["0.0.0.0/0", "::/0"]}]
	 and (.["remote-links"] | map({name, remote, local, id, port, routes})) ==
	 [{"name": "tn7", "remote": "192.168.70.2", "local": "192.168.70.1", "id": 7, "port": 6081,
	   "routes": ["10.60.0.0/24"]}]
	 and .["hash-key"] == $k and .vips == [] and (.["sacl-entries"] | type) == "array"' \
	--arg p "$P" --arg k "$key"
expect "apply of the export" 0 "" I $A apply -f "$tap_out.e1.json"
assert "... changes nothing" [ -z "$out" ]
run I $A export
assert "... and exports the same again" [ "$out" = "$(<"$tap_out.e1.json")" ]

## Changes in place
sed 's/mtu: 1400/mtu: 1300/; s|routes: \[10.60.0.0/24\]|routes: [10.61.0.0/24]|' \
	"$tap_out.a.yaml" >"$tap_out.a2.yaml"
run I $A apply -f "$tap_out.a2.yaml" --dry-run
changes=$(sed -n '/^changes:$/,$p' <<<"$out")
assert "apply --dry-run: the changes it would make" holds '[ "$rc" = 0 ] && [ "$changes" = "changes:
~ link p1 mtu 1300
- route 10.60.0.0/24 dev tn7
+ route 10.61.0.0/24 dev tn7" ]'
assert "... and makes none" [ "$(I $A export)" = "$(<"$tap_out.e1.json")" ]
run I $A -j apply -f "$tap_out.a2.yaml" --dry-run
check "... in JSON too" '.changes.links_changed == ["link p1 mtu 1300", "del route 10.60.0.0/24 dev tn7", "add route 10.61.0.0/24 dev tn7"] and .changes.links_added == []'
expect "apply: an MTU and a route changed" 0 "" I $A apply -f "$tap_out.a2.yaml"
assert "... changed in place, nothing else" [ "$out" = "~ link p1 mtu 1300
- route 10.60.0.0/24 dev tn7
+ route 10.61.0.0/24 dev tn7" ]
run ip -n $P -j link show dev eth0
check "... both ends of the pair have the MTU" '.[0].mtu == 1300'
run ip -n $A -j route show dev tn7 proto static
check "... the remote link routes only the new prefix" '[.[] | .dst] == ["10.61.0.0/24"]'

## Refusals: nothing changed
before=$(I $A export)
cat >"$tap_out.a3.yaml" <<EOY
pairs:
  - {name: p1, peer: eth0, netns: $P, mtu: 1300, addresses: [10.50.0.1/32],
     routes: [10.50.1.2/32, "fd50:1::2/128"], peer-addresses: [10.50.1.2/32, "fd50:1::2/128"],
     peer-routes: [0.0.0.0/0, "::/0"]}
  - {name: p2, peer: eth1, netns: $P, addresses: [10.50.0.9/32]}
remote-links:
  - {name: tn7, remote: 192.168.70.2, local: 192.168.70.1, id: 7, routes: [10.61.0.0/24]}
hash-key: $key
vips:
  - {address: 10.96.9.9, port: 80, protocol: tcp, backends: [{address: 10.50.1.2}]}
EOY
IDMESH_TEST_FAIL_VIP=1 run "$IDMESH_FAULTS" -n $A apply -f "$tap_out.a3.yaml"
assert "apply: a new pair, then a VIP the kernel refuses: the apply fails" \
	holds '[ "$rc" = 1 ] && grep -q "undoing 1 change(s)" <<<"$err" && grep -q "^Nothing changed.$" <<<"$err"'
assert "... and the pair is gone again: the node is as it was" [ "$(I $A export)" = "$before" ]
assert "... in the pod too" no_dev $P eth1
sed "s/netns: $P\$/netns: $s-nope/" "$tap_out.a2.yaml" >"$tap_out.a4.yaml"
expect "apply: a pod namespace that is not there is refused before any change" 1 \
	"Error: $tap_out.a4.yaml: link p1: no network namespace \"$s-nope\"; nothing changed" \
	I $A apply -f "$tap_out.a4.yaml"
assert "... nothing changed" [ "$(I $A export)" = "$before" ]

## "pairs: []" removes the pairs, and leaves the remote links
sed -n '/^remote-links:/,$p' "$tap_out.a2.yaml" >"$tap_out.a5.yaml"
sed -i '1i pairs: []' "$tap_out.a5.yaml"
expect "apply: no pairs" 0 "" I $A apply -f "$tap_out.a5.yaml"
assert "... removes the pair, and only it" [ "$out" = "- link p1 peer eth0 netns $P mtu 1300" ]
assert "... with its pod's end" no_dev $P eth0
run I $A -j link show
check "... the remote link stays" '[.[] | .name] == ["tn7"]'

## An external link: one device, a peer (pod CIDR -> node) per other node
cat >"$tap_out.x.yaml" <<EOY
external-links:
  - name: xt4
    local: 192.168.70.1
    id: 9
    addresses: [10.50.9.1/32]
    routes: [10.60.0.0/24, 10.63.0.0/24]
    peers:
      - {prefix: 10.60.0.0/24, remote: 192.168.70.2}
      - {prefix: 10.63.0.0/24, remote: 192.168.70.2}
EOY
cat >"$tap_out.xb.yaml" <<EOY
external-links:
  - {name: xt4, local: 192.168.70.2, id: 9, routes: [10.50.9.0/24],
     peers: [{prefix: 10.50.9.0/24, remote: 192.168.70.1}]}
EOY
expect "apply: an external link with its peers" 0 "" I $A apply -f "$tap_out.x.yaml"
assert "... said so; the remote link stays" all \
	[ "$out" = "+ link xt4 external inet local 192.168.70.1 id 9" ] :: \
	[ "$(I $A -j link show | jq -c '[.[] | .name]')" = '["tn7","xt4"]' ]
expect "apply on node b: its external link" 0 "" I $B apply -f "$tap_out.xb.yaml"
run I $A -j link peer show
check "the peers as the intent says" \
	'[.[] | "\(.dev) \(.prefix) \(.remote)"] == ["xt4 10.60.0.0/24 192.168.70.2", "xt4 10.63.0.0/24 192.168.70.2"]'
assert "node a reaches node b's pods over it" \
	wait_until 10 nsx $A ping -c1 -W1 -q -I 10.50.9.1 10.60.0.1
expect "apply: the same again" 0 "" I $A apply -f "$tap_out.x.yaml"
assert "... changes nothing" [ -z "$out" ]
run I $A export
echo "$out" >"$tap_out.x1.json"
check "export: the external link with its peers" \
	'.["external-links"] == [{"name": "xt4", "family": "inet", "local": "192.168.70.1", "id": 9,
	   "port": 6081, "mtu": .["external-links"][0].mtu, "addresses": ["10.50.9.1/32"],
	   "routes": ["10.60.0.0/24", "10.63.0.0/24"],
	   "peers": [{"prefix": "10.60.0.0/24", "remote": "192.168.70.2"},
		     {"prefix": "10.63.0.0/24", "remote": "192.168.70.2"}]}]'
expect "apply of the export" 0 "" I $A apply -f "$tap_out.x1.json"
assert "... changes nothing" [ -z "$out" ]
sed 's|, 10.63.0.0/24\]|]|; /10.60.0.0.24, remote/d; s|10.63.0.0/24, remote: 192.168.70.2|10.63.0.0/24, remote: 192.168.70.3|; s|routes: \[10.60.0.0/24\]|routes: [10.63.0.0/24]|' \
	"$tap_out.x.yaml" >"$tap_out.x2.yaml"
expect "apply: one peer gone, one moved to another node" 0 "" I $A apply -f "$tap_out.x2.yaml"
assert "... in place, said so" [ "$out" = "- route 10.60.0.0/24 dev xt4
- peer 10.60.0.0/24 remote 192.168.70.2 dev xt4
+ peer 10.63.0.0/24 remote 192.168.70.3 dev xt4" ]
run I $A -j link peer show
check "... the peers now" '[.[] | "\(.prefix) \(.remote)"] == ["10.63.0.0/24 192.168.70.3"]'
before=$(I $A export)
sed 's|remote: 192.168.70.3|remote: 192.168.70.2|' "$tap_out.x2.yaml" >"$tap_out.x3.yaml"
cat >>"$tap_out.x3.yaml" <<EOY
    mtu: 1300
vips:
  - {address: 10.96.9.9, port: 80, protocol: tcp, backends: [{address: 10.63.0.2}]}
EOY
IDMESH_TEST_FAIL_VIP=1 run "$IDMESH_FAULTS" -n $A apply -f "$tap_out.x3.yaml"
assert "apply: a peer moved back, then a VIP the kernel refuses: all undone, the peer where it was" all \
	[ "$rc" = 1 ] :: grep -q "^Nothing changed.$" <<<"$err" :: [ "$(I $A export)" = "$before" ]
cat >"$tap_out.x4.yaml" <<EOY
external-links:
  - {name: xt4, local: 192.168.70.1, id: 9, peers: [{prefix: 10.64.0.0/24, remote: "fd00::2"}]}
EOY
expect "apply: a peer of the other underlay family is refused before any change" 1 \
	"Error: $tap_out.x4.yaml: external-links[0].peers[0].remote: is not of the link's underlay family (inet)" \
	I $A apply -f "$tap_out.x4.yaml"
assert "... nothing changed" [ "$(I $A export)" = "$before" ]

tap_end
