#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Encrypted links (link.rst, "Encryption"), as a user sees them: two
# nodes over a remote link, a pod on each, the identity gateway on both;
# the link encrypted by "apply" with a secret both nodes hold:
#
#   p1 --pair-- a ==remote id 43, IPsec ESP on 192.168.132.0/24== b --pair-- p2
#
# The underlay carries nothing but ESP (no pod address, no Geneve, no
# SACL option), the SACL IDs arrive inside, a node without the key or
# with another one reaches nothing (counted by the kernel's IPsec), and
# the secret is rotated while TCP connections stay up. Last, the two
# nodes as two clusters: a pod of one reaches a Service the other
# exports (a ServiceImport) by its clusterset IP.
source "$(dirname "$0")/lib.sh"
require_module

s=isx$$
A=$s-a B=$s-b P1=$s-p1 P2=$s-p2
LB="$PY $top/selftests/lbtool.py"
S1=5ec0000000000000000000000000000000000000000000000000000000000001
S2=5ec0000000000000000000000000000000000000000000000000000000000002
S3=5ec0000000000000000000000000000000000000000000000000000000000003
ns_new $A $B $P1 $P2
for n in $A $B; do
	nsx $n sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
done
pod46 $A $P1 p1 10.32.1 fd32:1
pod46 $B $P2 p2 10.32.2 fd32:2
ip link add ul netns $A type veth peer name ul netns $B
for i in 1 2; do
	n=$A o=2
	[ $i = 2 ] && n=$B o=1
	ip -n $n -b - <<-EOB
	link set ul up
	addr add 192.168.132.$i/24 dev ul
	EOB
	# The node's intent: its end of the link, encrypted with SECRETS.
	cat >"$tap_out.plain-$i.yaml" <<-EOY
	remote-links:
	  - {name: mesh, remote: 192.168.132.$o, local: 192.168.132.$i, id: 43,
	     routes: [10.32.$o.0/24, "fd32:$o::/64"]}
	EOY
done
# intent I SECRET...: node I's intent with its link encrypted.
intent() {
	local i=$1 f
	shift
	sed 's/id: 43,/id: 43, encrypt: true,/' "$tap_out.plain-$i.yaml"
	printf 'ipsec:\n  secrets:\n'
	for f in "$@"; do
		printf '    - "%s"\n' "$f"
	done
}
track_path "$tap_out".*
I $A apply -f "$tap_out.plain-1.yaml" >/dev/null
I $B apply -f "$tap_out.plain-2.yaml" >/dev/null
nsx $P2 $LB serve be 80 &
track_pid $!
wait_until 60 tcp_listening $P2 80 || echo "no server in 60 s" | tap_diag
# the identity gateway: p1 is client 101 on a; p2 server 201 on a and b
I $A -b - <<-EOB
	sacl port add p1
	sacl client add 10.32.1.2 dev p1 id 101
	sacl client add fd32:1::2 dev p1 id 101
	sacl server add fd32:2::2 id 201
EOB
I $B -b - <<-EOB
	sacl port add p2
	sacl server add fd32:2::2 id 201
	sacl trust add dev mesh
	sacl rule add client 101 server 201 allow
EOB
assert "plain: the pods reach each other over the link" \
	wait_until 30 nsx $P1 ping -6 -c 1 -W 2 -q fd32:2::2

## Encrypted
intent 1 $S1 >"$tap_out.x1-1.yaml"
intent 2 $S1 >"$tap_out.x1-2.yaml"
expect "apply: the link encrypted on node a" 0 "" I $A apply -f "$tap_out.x1-1.yaml"
assert "... an SA each way, a policy each way" [ "$(sort <<<"$out" | sed -E 's/spi 0x[0-9a-f]{8}/spi S/')" = \
"+ ipsec policy in 192.168.132.2 > 192.168.132.1 port 6081
+ ipsec policy out 192.168.132.1 > 192.168.132.2 port 6081
+ ipsec sa 192.168.132.1 > 192.168.132.2 spi S
+ ipsec sa 192.168.132.2 > 192.168.132.1 spi S" ]
expect "apply on node b" 0 "" I $B apply -f "$tap_out.x1-2.yaml"
run ip -n $A xfrm state
check_text() { grep -c "$2" <<<"$out" | grep -qx "$1"; }
assert "the kernel has them: ESP in transport mode, rfc4106(gcm(aes))" all \
	check_text 2 'proto esp' :: check_text 2 'mode transport' :: check_text 2 'rfc4106(gcm(aes))'
expect "apply: the same again" 0 "" I $A apply -f "$tap_out.x1-1.yaml"
assert "... changes nothing" [ -z "$out" ]
# Paths mode (the debug kernel): the module's paths under IPsec once,
# the encrypted link's traffic with the SACL option both ways and a
# rotation; what is IPsec's own (the capture, refusals by the kernel's
# policies, connections held through the rotation) on the stock kernels.
if ! repeats; then
	assert "encrypted: the pods reach each other (IPv6 with its SACL option) ..." \
		wait_until 30 nsx $P1 ping -6 -c 1 -W 2 -q fd32:2::2
	run I $B -j -s sacl show
	check "... b read the IDs inside and stripped the option" '.settings.stats.stripped >= 1'
	for i in 1 2; do intent $i $S2 $S1 >"$tap_out.r2-$i.yaml"; done
	I $A apply -f "$tap_out.r2-1.yaml" >/dev/null
	I $B apply -f "$tap_out.r2-2.yaml" >/dev/null
	assert "... and after a rotation to a new secret (sent with), over IPv4" \
		wait_until 20 nsx $P1 ping -c 1 -W 2 -q 10.32.2.2
else
rm -f "$tap_out.ready" "$tap_out.stop"
py_bg "$tap_out.cap.json" $A sacltool capture ul ip+raw "$tap_out.ready" "$tap_out.stop" 60
wait_until 60 test -e "$tap_out.ready" || echo "no capture in 60 s" | tap_diag
assert "encrypted: the pods reach each other (IPv6 with its SACL option) ..." \
	wait_until 30 nsx $P1 ping -6 -c 1 -W 2 -q fd32:2::2
assert "... and over IPv4" nsx $P1 ping -c 1 -W 5 -q 10.32.2.2
: >"$tap_out.stop"
py_wait
out=$(<"$tap_out.cap.json")
# p1's and p2's addresses, and the IDs 101 and 201, as they are on the wire
hexes='["0a200102", "0a200202", "fd320001000000000000000000000002",
	"fd320002000000000000000000000002", "0000000000000065", "00000000000000c9"]'
check "the underlay carries ESP alone: no Geneve, no pod address, no SACL option" \
	'length >= 4 and all(.[]; .proto == 50 and .geneve == null and
	  (.hex as $h | all($a[]; . as $x | $h | contains($x) | not)))' --argjson a "$hexes"
run I $B -j -s sacl show
check "... b read the IDs inside and stripped the option" '.settings.stats.stripped >= 1'
I $B -b - <<-EOB
	sacl rule del client 101 server 201
	sacl rule add client 101 server 201 deny
EOB
expect "a rule that denies p1's identity drops it on b: the IDs came through intact" 1 "*" \
	nsx $P1 ping -6 -c 1 -W 2 -q fd32:2::2
I $B -b - <<-EOB
	sacl rule del client 101 server 201
	sacl rule add client 101 server 201 allow
EOB

## A node without the key, or with another one, reaches nothing
# xstat NAME: the namespace B's IPsec counter NAME.
xstat() { nsx $B cat /proc/net/xfrm_stat | awk -v n="$1" '$1 == n { print $2 }'; }
pol0=$(xstat XfrmInTmplMismatch)
nost0=$(xstat XfrmInNoStates)
{ cat "$tap_out.plain-1.yaml"; echo 'ipsec: {secrets: []}'; } >"$tap_out.off-1.yaml"
I $A apply -f "$tap_out.off-1.yaml" >/dev/null
expect "node a without IPsec: its plain packets reach nothing on b" 1 "*" \
	nsx $P1 ping -c 2 -W 1 -q 10.32.2.2
assert "... b's inbound policy refused them, counted" [ "$(xstat XfrmInTmplMismatch)" -gt "$pol0" ]
intent 1 $S3 >"$tap_out.x3-1.yaml"
I $A apply -f "$tap_out.x3-1.yaml" >/dev/null
expect "node a with another secret: reaches nothing" 1 "*" nsx $P1 ping -c 2 -W 1 -q 10.32.2.2
assert "... b has no SA for its packets, counted" [ "$(xstat XfrmInNoStates)" -gt "$nost0" ]
I $A apply -f "$tap_out.x1-1.yaml" >/dev/null
assert "the secret back: it reaches b again" wait_until 20 nsx $P1 ping -c 1 -W 2 -q 10.32.2.2

## Rotation: the new secret accepted everywhere, then sent with, then the
## old one dropped; TCP connections held across it
cat >"$tap_out.rotate" <<EOS
set -e
$IDMESH -n $A apply -f "$tap_out.r1-1.yaml"
$IDMESH -n $B apply -f "$tap_out.r1-2.yaml"
$IDMESH -n $A apply -f "$tap_out.r2-1.yaml"
$IDMESH -n $B apply -f "$tap_out.r2-2.yaml"
$IDMESH -n $A apply -f "$tap_out.r3-1.yaml"
$IDMESH -n $B apply -f "$tap_out.r3-2.yaml"
EOS
for i in 1 2; do
	intent $i $S1 $S2 >"$tap_out.r1-$i.yaml"
	intent $i $S2 $S1 >"$tap_out.r2-$i.yaml"
	intent $i $S2 >"$tap_out.r3-$i.yaml"
done
run py $P1 lbtool conns 10.32.2.2 80 4 "bash $tap_out.rotate >$tap_out.rotate.out 2>&1"
check "rotation to a new secret in three steps: 4 TCP connections held, each answered after" \
	'.cmd == 0 and (.before | length) == 4 and all(.before[]; . == "be") and .before == .after'
run ip -n $A xfrm state
assert "... only the new secret's SAs are left" all \
	check_text 2 'proto esp' :: [ "$(I $A apply -f "$tap_out.r3-1.yaml")" = "" ]
run I $A -j apply -f "$tap_out.x1-1.yaml" --dry-run
check "apply --dry-run: the old secret again would swap both SAs, the policies stay" \
	'(.changes.ipsec_added | length) == 2 and (.changes.ipsec_removed | length) == 2 and
	 all(.changes.ipsec_added[]; startswith("ipsec sa"))'
fi

## Bad input changes nothing
before=$(ip -n $A xfrm state; ip -n $A xfrm policy)
sed 's/local: 192.168.132.1, //' "$tap_out.x1-1.yaml" >"$tap_out.bad.yaml"
expect "an encrypted link without a local address is refused" 1 \
	"Error: $tap_out.bad.yaml: remote-links[0].encrypt: needs a local address (the keys are derived from both ends' addresses)" \
	I $A apply -f "$tap_out.bad.yaml"
assert "... nothing changed" [ "$(ip -n $A xfrm state; ip -n $A xfrm policy)" = "$before" ]
printf 'remote-links: []\nipsec: {secrets: []}\n' >"$tap_out.off.yaml"
expect "apply: no encrypted link, no secret: every idmesh SA and policy removed" 0 "" \
	I $A apply -f "$tap_out.off.yaml"
assert "... and only those" all [ -z "$(ip -n $A xfrm state)" ] :: [ -z "$(ip -n $A xfrm policy)" ]

## Two clusters: node a of cluster a, node b of cluster b (both "node-1"),
## their intents from each cluster's objects and the other's (k8s
## remote-cluster); cluster a imports b's Service "be" (ServiceImport)
printf '%s\n' "$S1" >"$tap_out.secrets"
$PY - "$tap_out" <<'EOP'
import json, sys
out = sys.argv[1]
def node(addr, cidr):
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1"},
            "spec": {"podCIDR": cidr, "podCIDRs": [cidr]},
            "status": {"addresses": [{"type": "InternalIP", "address": addr}]}}
# p2's pair was made by hand, not named as "k8s dev" names a pod's: be-0
# is on a node of b the test does not run, a workload by address alone.
be = {"apiVersion": "v1", "kind": "Pod",
      "metadata": {"name": "be-0", "namespace": "shop", "labels": {"app": "be"}},
      "spec": {"nodeName": "node-2", "containers": [{"name": "be", "image": "be"}]},
      "status": {"phase": "Running", "podIP": "10.32.2.2", "podIPs": [{"ip": "10.32.2.2"}]}}
imp = {"apiVersion": "multicluster.x-k8s.io/v1alpha1", "kind": "ServiceImport",
       "metadata": {"name": "be", "namespace": "shop"},
       "spec": {"type": "ClusterSetIP", "ips": ["10.42.0.9"],
                "ports": [{"name": "http", "protocol": "TCP", "port": 80}]}}
eps = {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
       "metadata": {"name": "imported-be-b", "namespace": "shop",
                    "labels": {"multicluster.kubernetes.io/service-name": "be",
                               "multicluster.kubernetes.io/source-cluster": "b"}},
       "addressType": "IPv4", "ports": [{"name": "http", "protocol": "TCP", "port": 80}],
       "endpoints": [{"addresses": ["10.32.2.2"], "conditions": {"ready": True}}]}
lst = lambda items: {"apiVersion": "v1", "kind": "List", "items": items}
json.dump(lst([node("192.168.132.1", "10.32.1.0/24"), imp, eps]), open(out + ".cl-a.json", "w"))
json.dump(lst([node("192.168.132.2", "10.32.2.0/24"), be]), open(out + ".cl-b.json", "w"))
EOP
ok=1
for i in 1 2; do
	n=$A me=a other=b
	[ $i = 2 ] && n=$B me=b other=a
	"$IDMESH" k8s node node-1 ipsec-secrets "$tap_out.secrets" remote-cluster $other \
		"$tap_out.cl-$other.json" -o "$tap_out.k8s-$me.json" "$tap_out.cl-$me.json" &&
		I $n apply -f "$tap_out.k8s-$me.json" >"$tap_out.k8s-$me.out" 2>&1 || ok=0
done
[ "$ok" = 1 ] || cat "$tap_out".k8s-*.out | tap_diag
assert "two clusters: each node's intent from its cluster and the other's, applied" [ "$ok" = 1 ]
run I $A -j link peer show
check "... node a's external link has cluster b's node as a peer" \
	'[.[] | "\(.dev) \(.prefix) \(.remote)"] == ["idmx4 10.32.2.0/24 192.168.132.2"]'
LBTOOL_TIMEOUT=10 run py $P1 lbtool new 10.42.0.9 80 4
check "a pod of cluster a reaches the Service cluster b exports by its clusterset IP (Maglev, encrypted link)" \
	'.counts.be == 4'
run ip -n $A xfrm state
assert "... the link between the clusters is encrypted" check_text 2 'proto esp'

tap_end
