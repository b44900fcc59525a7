#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# idmesh-cni called as a runtime calls a plugin (the CNI specification:
# CNI_* in the environment, the network config on standard input, the
# result or the error object on standard output), with Debian's
# host-local for addresses. Pods p1..p3 on a node n:
#
#   p1, p2, p3 --pairs-- n ==remote link (MTU from its underlay)== m
source "$(dirname "$0")/lib.sh"
require_module

s=idc$$
N=$s-n M=$s-m P1=$s-p1 P2=$s-p2 P3=$s-p3 P4=$s-p4
CNI=$top/userspace/idmesh-cni
export CNI_PATH=$top/userspace:/usr/lib/cni
if [ ! -x /usr/lib/cni/host-local ]; then
	echo "1..0 # SKIP no /usr/lib/cni/host-local (containernetworking-plugins)"
	exit $KSFT_SKIP
fi
ns_new $N $M $P1 $P2 $P3 $P4
nsx $N sysctl -qw net.ipv4.ip_forward=1
ip -n $N addr add 10.88.255.1/32 dev lo
ipam=$(mktemp -d)
track_path "$ipam" "$tap_out".*

# conf [EXTRA-JSON-MEMBERS]: the network config, in version CV (1.1.0, as
# runtimes of today write it) with IPAM (Debian's host-local, which speaks
# up to 1.0.0).
conf() {
	echo "{\"cniVersion\": \"${CV:-1.1.0}\", \"name\": \"idmnet\", \"type\": \"idmesh-cni\"$1,
	 \"ipam\": {\"type\": \"${IPAM:-host-local}\", \"ranges\": [[{\"subnet\": \"10.88.0.0/24\"}]],
	            \"dataDir\": \"$ipam\"}}"
}
# cni COMMAND CONTAINERID NETNS [CONF]: the plugin in node n, as a runtime runs it.
cni() {
	local cmd=$1 id=$2 netns=$3 c=${4:-$(conf)}
	run nsx $N env CNI_COMMAND="$cmd" CNI_CONTAINERID="$id" CNI_NETNS="$netns" \
		CNI_IFNAME="${IFNAME:-eth0}" CNI_ARGS="${ARGS:-}" "$CNI" <<<"$c"
}
lease() { [ -e "$ipam/idmnet/$1" ]; }
no_dev() { ! ip -n "$1" link show "$2" >/dev/null 2>&1; }
dev_of() { "$IDMESH" k8s dev "$1" eth0; }	# a pod without Kubernetes names

## ADD
cni ADD c1 /run/netns/$P1
check "ADD at 1.1.0 (host-local spoken to at 1.0.0): the result: the node's end, the pod's, the address, default route" \
	'.cniVersion == "1.1.0" and .interfaces == [{"name": $d, "mac": "00:00:00:00:00:00"},
	                 {"name": "eth0", "mac": "00:00:00:00:00:00", "sandbox": $ns}] and
	 .ips == [{"interface": 1, "address": "10.88.0.2/24", "gateway": "10.88.0.1"}] and
	 .routes == [{"dst": "0.0.0.0/0"}]' --arg d "$(dev_of c1)" --arg ns "/run/netns/$P1"
run ip -n $P1 -j addr show dev eth0
check "... the pod's eth0 is up with its address" \
	'(.[0].flags | index("UP")) and ([.[0].addr_info[] | select(.family == "inet") | .local] == ["10.88.0.2"])'
run ip -n $P1 -j route show default
check "... its default route is the link" '.[0].dev == "eth0"'
run ip -n $N -j route show 10.88.0.2
check "... the node routes the address to the pod" '.[0].dev == $d' --arg d "$(dev_of c1)"
assert "... and host-local holds its lease" lease 10.88.0.2
run ip -n $N -j addr show dev "$(dev_of c1)"
check "... the result's gateway is an address of the node's end" \
	'[.[0].addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen)"] == ["10.88.0.1/32"]'
assert "... which answers the pod's ping" wait_until 10 nsx $P1 ping -c1 -W1 -q 10.88.0.1
cni ADD c2 /run/netns/$P2 "$(conf ', "mtu": 1400, "sacl": true')"
assert "ADD: a second pod gets the next address" holds '[ "$rc" = 0 ] && jqt ".ips[0].address == \"10.88.0.3/24\""'
run ip -n $P2 -j link show dev eth0
check "... with the config's MTU" '.[0].mtu == 1400'
run I $N -j sacl show ports
check "... and its link is a SACL port (\"sacl\": true)" \
	'[.[] | .dev] == [$d]' --arg d "$(dev_of c2)"
assert "the two pods reach each other through the node" wait_until 10 nsx $P1 ping -c1 -W1 -q 10.88.0.3
assert "a pod reaches the node" nsx $P2 ping -c1 -W1 -q 10.88.255.1
# the MTU of the node's remote links, when the config has none
ip link add ul netns $N mtu 1500 type veth peer name ul netns $M
ip -n $N addr add 192.168.90.1/24 dev ul
ip -n $N link set ul up
I $N link add tm remote 192.168.90.2 id 9 dev ul
rmtu=$(ip -n $N -j link show dev tm | jq '.[0].mtu')
ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=shop;K8S_POD_NAME=web-3" cni ADD c3 /run/netns/$P3
run ip -n $P3 -j link show dev eth0
check "ADD without an MTU: the node's remote links' ($rmtu)" '.[0].mtu == $m' --argjson m "$rmtu"
assert "... and a Kubernetes pod's link has the name idmesh k8s gives it" \
	ip -n $N link show "$("$IDMESH" k8s dev shop web-3)"

# Chained after another plugin: its prevResult comes first in the result.
ns_new $s-p5
prev5='{"cniVersion": "1.0.0", "interfaces": [{"name": "x0"}], "ips": [{"address": "192.0.2.9/32", "interface": 0}],
        "routes": [{"dst": "192.0.2.0/24"}], "dns": {"nameservers": ["192.0.2.53"]}}'
cni ADD c6 /run/netns/$s-p5 "$(conf ", \"prevResult\": $prev5")"
check "ADD chained: prevResult's interfaces, ips, routes and dns come first, ours after" \
	'[.interfaces[].name] == ["x0", $d, "eth0"] and [.ips[] | [.address, .interface]] ==
	 [["192.0.2.9/32", 0], ["10.88.0.5/24", 2]] and [.routes[].dst] == ["192.0.2.0/24", "0.0.0.0/0"] and
	 .dns.nameservers == ["192.0.2.53"]' --arg d "$(dev_of c6)"

## CHECK
prev=$(ARGS= cni ADD c4 /run/netns/$P4; echo "$out")
cni CHECK c4 /run/netns/$P4 "$(conf ", \"prevResult\": $prev")"
assert "CHECK: what ADD made is there" holds '[ "$rc" = 0 ] && [ -z "$out" ]'
ip -n $P4 addr flush dev eth0
cni CHECK c4 /run/netns/$P4 "$(conf ", \"prevResult\": $prev")"
assert "CHECK: a pod address gone is found" holds '[ "$rc" != 0 ] && jqt "(.code == 101) and (.msg | test(\"has not 10.88.0.6/24\"))"'
cni CHECK c4 /run/netns/$P4
assert "CHECK without prevResult: the error object" holds '[ "$rc" != 0 ] && jqt ".code == 7 and (.msg | startswith(\"prevResult: missing\"))"'

## DEL
cni DEL c1 /run/netns/$P1
assert "DEL: succeeds, prints nothing" holds '[ "$rc" = 0 ] && [ -z "$out" ]'
assert "... the node's end is gone" no_dev $N "$(dev_of c1)"
assert "... with the pod's" no_dev $P1 eth0
assert "... and the lease" holds '! lease 10.88.0.2'
cni DEL c1 /run/netns/$P1
assert "DEL again: succeeds, silent on stdout and stderr" holds '[ "$rc" = 0 ] && [ -z "$out$err" ]'
ip netns del $P2
cni DEL c2 ""
assert "DEL after the namespace is gone: succeeds, the lease released" holds '[ "$rc" = 0 ] && ! lease 10.88.0.3'
assert "... and nothing of it is left on the node" no_dev $N "$(dev_of c2)"

## GC (1.1): attachments not in cni.dev/valid-attachments
cni ADD c5 /run/netns/$P1
gc=$(conf ', "cni.dev/valid-attachments": [{"containerID": "c5", "ifname": "eth0"}, {"containerID": "c3", "ifname": "eth0"}]')
cni GC "" "" "$gc"
assert "GC: succeeds" holds '[ "$rc" = 0 ] && [ -z "$out" ]'
assert "... removes the attachment not listed (c4), its link and lease" \
	holds 'no_dev $N "$(dev_of c4)" && ! lease 10.88.0.6'
assert "... and keeps the listed ones" \
	holds 'ip -n $N link show "$(dev_of c5)" >/dev/null && ip -n $N link show "$("$IDMESH" k8s dev shop web-3)" >/dev/null'

## One pod, two attachments; the same pod's sandbox made again
k3="IgnoreUnknown=1;K8S_POD_NAMESPACE=shop;K8S_POD_NAME=web-3"
c3net1=$(conf | jq -c '.ipam.routes = [{"dst": "10.99.0.0/16"}]')
IFNAME=net1 ARGS=$k3 cni ADD c3 /run/netns/$P3 "$c3net1"
assert "ADD of a pod's second attachment (net1): a device of its own, beside eth0's" \
	holds '[ "$rc" = 0 ] && ip -n $N link show "$("$IDMESH" k8s dev shop web-3 net1 idmnet)" >/dev/null &&
	       ip -n $N link show "$("$IDMESH" k8s dev shop web-3)" >/dev/null && ip -n $P3 link show net1 >/dev/null'
old3=$(ip -n $P3 -j addr show dev eth0 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')
ns_new $s-p3b
ARGS=$k3 cni ADD c3b /run/netns/$s-p3b
assert "ADD of the same pod's eth0 from a new sandbox: the stale attachment's pair and lease go first" \
	holds '[ "$rc" = 0 ] && no_dev $P3 eth0 && ! lease $old3 && ip -n $s-p3b link show eth0 >/dev/null'
run ip -n $N -j link show "$("$IDMESH" k8s dev shop web-3)"
check "... and the node's end is the new sandbox's" '.[0].ifalias | startswith("idmesh-cni idmnet c3b eth0 ")'
assert "... the pod's other attachment is left alone" ip -n $P3 link show net1
ip link add "$("$IDMESH" k8s dev shop web-8)" netns $N type dummy
ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=shop;K8S_POD_NAME=web-8" cni ADD c8 /run/netns/$s-p3b
assert "ADD where the node has a device of that name not of this pod: code 11, the device untouched" \
	holds '[ "$rc" != 0 ] && jqt ".code == 11" && ip -n $N -d link show "$("$IDMESH" k8s dev shop web-8)" | grep -q dummy'

## STATUS, VERSION
cni STATUS "" "" "$(conf)"
assert "STATUS: the module is loaded (host-local, of 1.0.0, has no STATUS to ask)" [ "$rc" = 0 ]
cni VERSION "" ""
check "VERSION: the versions it speaks" '.supportedVersions == ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"]'

## Versions: the IPAM plugin is asked with VERSION and spoken to in the
## newest version both speak; GC and STATUS go to an IPAM of 1.1.
export IDM_TEST_IPAM_LOG=$ipam/calls CNI_PATH=$CNI_PATH:$top/selftests/cni
calls() { grep -c "$1" "$ipam/calls"; }
ns_new $s-v1 $s-v2 $s-g1 $s-g2
IDM_TEST_IPAM_SPEAKS=0.3.1 IPAM=idm-test-ipam cni ADD v1 /run/netns/$s-v1
check "ADD at 1.1.0, an IPAM of 0.3.1 only: its 0.3.1 result converted to 1.1.0 (no ips[].version)" \
	'.cniVersion == "1.1.0" and (.ips | length) == 1 and (.ips[0] | has("version") | not) and
	 .ips[0].interface == 1 and .ips[0].gateway == "10.88.0.1"'
assert "... the IPAM was asked at 0.3.1" grep -q '^ADD 0.3.1 v1 eth0$' "$ipam/calls"
IDM_TEST_IPAM_SPEAKS=0.3.1 IPAM=idm-test-ipam cni DEL v1 ""
assert "... and so is its DEL, which releases the lease" \
	holds '[ "$rc" = 0 ] && grep -q "^DEL 0.3.1 v1 eth0$" "$ipam/calls" && no_dev $N "$(dev_of v1)"'
CV=0.4.0 IPAM=idm-test-ipam cni ADD v2 /run/netns/$s-v2
check "ADD at 0.4.0, an IPAM of 0.3.0 .. 1.1.0: asked at 0.4.0, the result has 0.4.0's ips[].version" \
	'.cniVersion == "0.4.0" and .ips[0].version == "4" and (.ips[0].address | startswith("10.88.0."))'
assert "... the IPAM's ADD came at 0.4.0" grep -q '^ADD 0.4.0 v2 eth0$' "$ipam/calls"
IPAM=idm-test-ipam cni ADD g1 /run/netns/$s-g1
IPAM=idm-test-ipam cni ADD g2 /run/netns/$s-g2
g2addr=$(jq -r '.ips[0].address | split("/")[0]' <<<"$out")
run ip -n $N -j link show
valid=$(jq -c '[.[] | .ifalias // "" | select(startswith("idmesh-cni idmnet ")) | split(" ") |
	{containerID: .[2], ifname: .[3]} | select(.containerID != "g2")]' <<<"$out")
cni GC "" "" "$(IPAM=idm-test-ipam conf ", \"cni.dev/valid-attachments\": $valid")"
assert "GC with an IPAM of 1.1: succeeds, prints nothing" holds '[ "$rc" = 0 ] && [ -z "$out" ]'
assert "... the IPAM got GC with the same list, and no DEL" \
	holds '[ "$(grep "^GC 1.1.0 " "$ipam/calls" | grep -cF -- " $valid")" = 1 ] && [ "$(calls "^DEL .* g2 ")" = 0 ]'
assert "... the attachment not listed (g2): its pair gone, its lease released by the IPAM" \
	holds 'no_dev $N "$(dev_of g2)" && no_dev $s-g2 eth0 && ! lease $g2addr'
assert "... the listed ones kept" holds 'ip -n $N link show "$(dev_of g1)" >/dev/null && ip -n $s-g1 link show eth0 >/dev/null'
IPAM=idm-test-ipam cni STATUS "" ""
assert "STATUS with an IPAM of 1.1: asked, available" holds '[ "$rc" = 0 ] && [ "$(calls "^STATUS 1.1.0")" = 1 ]'
touch "$ipam/calls.down"
IPAM=idm-test-ipam cni STATUS "" ""
assert "STATUS: the IPAM's unavailability passed on (code 50, its message)" \
	holds '[ "$rc" != 0 ] && jqt ".code == 50 and .msg == \"idm-test-ipam STATUS: the IPAM'"'"'s store is down\""'
rm -f "$ipam/calls.down"

## ipMasq: pod egress, masqueraded by the kernel's nftables
# x: an address outside the cluster, with no route back to the pods.
ns_new $s-x $s-m1 $s-m2
ip link add wan netns $N type veth peer name wan netns $s-x
ip -n $N addr add 203.0.113.1/24 dev wan
ip -n $s-x addr add 203.0.113.2/24 dev wan
ip -n $N link set wan up
ip -n $s-x link set wan up
masq_pkts() { nsx $N nft -j list chain inet idmesh cni-idmnet 2>/dev/null |
	jq '[.nftables[].rule | select(. != null) | .expr[] | .counter? | select(. != null) | .packets] | add // 0'; }
assert "without ipMasq, a pod's packet leaves with its own source and no answer comes back" \
	not nsx $P1 ping -c1 -W1 -q 203.0.113.2
cni ADD m1 /run/netns/$s-m1 "$(conf ', "ipMasq": true')"
run nsx $N nft -j list chain inet idmesh cni-idmnet
check "ADD with ipMasq: table inet idmesh, chain cni-idmnet at postrouting, one rule for the pod's subnet" \
	'[.nftables[] | .chain? // empty | [.hook, .type]] == [["postrouting", "nat"]] and
	 [.nftables[] | .rule? // empty | .comment] == ["10.88.0.0/24"]'
assert "a pod of that network reaches the outside address: with the node's source, since the answer comes back" \
	wait_until 10 nsx $s-m1 ping -c1 -W1 -q 203.0.113.2
n0=$(masq_pkts)
assert "... counted by the rule" [ "$n0" -ge 1 ]
p1addr=$(ip -n $P1 -j addr show dev eth0 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')
assert "pod to pod through the node ($p1addr) is not masqueraded (it leaves by an idmesh device)" \
	all nsx $s-m1 ping -c2 -i0.2 -W1 -q "$p1addr" :: [ "$(masq_pkts)" = "$n0" ]
assert "... and so the other pods (same network, no ipMasq in their ADD) go out too" \
	nsx $P1 ping -c1 -W1 -q 203.0.113.2
cni ADD m2 /run/netns/$s-m2 "$(conf ', "ipMasq": true, "ipMasqBackend": "nftables"')"
assert "a second ADD with ipMasq (ipMasqBackend nftables): the same one rule" \
	holds '[ "$(nsx $N nft list table inet idmesh | grep -c masquerade)" = 1 ]'
err_masq=$(conf ', "ipMasq": "yes"')
err_backend=$(conf ', "ipMasq": true, "ipMasqBackend": "iptables"')
# The node's intent masquerades its own pod CIDRs ("masquerade", chain "intent").
ns_new $s-ip
I $N link add im0 peer eth0 netns $s-ip
ip -n $N link set im0 up
ip -n $N route add 10.77.0.2/32 dev im0
ip -n $s-ip addr add 10.77.0.2/24 dev eth0
ip -n $s-ip link set eth0 up
ip -n $s-ip route add default dev eth0
printf 'masquerade: [10.77.0.0/24]\n' >"$ipam/masq.yaml"
run I $N apply -f "$ipam/masq.yaml"
assert "apply: the intent's masquerade, said so" all [ "$rc" = 0 ] :: grep -qx '~ masquerade 10.77.0.0/24' <<<"$out"
assert "... the intent's pod reaches the outside address" wait_until 10 nsx $s-ip ping -c1 -W1 -q 203.0.113.2
run I $N apply -f "$ipam/masq.yaml"
assert "apply again: nothing to change" all [ "$rc" = 0 ] :: [ -z "$out" ]
printf 'masquerade: [10.77.0.1/24]\n' >"$ipam/bad.yaml"
expect "apply: a CIDR with host bits is refused, nothing changed" 1 \
	"Error: $ipam/bad.yaml: masquerade[0]: \"10.77.0.1/24\" has bits set past /24" I $N apply -f "$ipam/bad.yaml"
printf 'masquerade: []\n' >"$ipam/none.yaml"
run I $N apply -f "$ipam/none.yaml"
assert "apply of masquerade [] : the intent's chain goes, the CNI network's stays" \
	all [ "$rc" = 0 ] :: not nsx $N nft list chain inet idmesh intent :: nsx $N nft list chain inet idmesh cni-idmnet

## Errors: the spec's error object, non-zero, nothing left behind
links() { ip -n $N -br link show | wc -l; }
leases() { ls "$ipam/idmnet" | grep -c '^10\.'; }
before="$(links) $(leases)"
# err DESC CODE MSG-REGEX COMMAND ID NETNS [CONF]
err() {
	local desc=$1 code=$2 msg=$3
	shift 3
	cni "$@"
	if [ "$rc" != 0 ] && jqt '.code == $c and (.msg | test($m))' --argjson c "$code" --arg m "$msg" &&
	   [ "$(links) $(leases)" = "$before" ]; then
		tap_pass "$desc"
	else
		tap_fail "$desc"
		{ echo "status $rc: $out"; echo "links, leases: $(links) $(leases) (before: $before)"; } | tap_diag
	fi
}
ns_new $P2
err "error: a netns that is not there" 3 '^CNI_NETNS "/run/netns/nope": No such file' ADD e1 /run/netns/nope
err "error: no CNI_NETNS on ADD" 4 'CNI_NETNS must be set' ADD e1 ""
err "error: config that is not JSON" 6 'not a JSON object' ADD e1 /run/netns/$P2 '{"cniVersion": '
err "error: an unknown field" 2 'unknown field "colour"' ADD e1 /run/netns/$P2 "$(conf ', "colour": "red"')"
err "error: a version it does not speak" 1 '"9.9.9" is not one of' ADD e1 /run/netns/$P2 "$(CV=9.9.9 conf)"
err "error: an MTU out of range" 7 '^mtu: a number 68..65535$' ADD e1 /run/netns/$P2 "$(conf ', "mtu": 20')"
err "error: an IPAM plugin that is not there" 7 'no plugin "nope" in CNI_PATH' ADD e1 /run/netns/$P2 \
	"$(conf | sed 's/host-local/nope/')"
ip -n $P2 link add eth0 type dummy
err "error: the kernel refuses the pair (eth0 is taken in the pod): its lease released" 100 \
	'^the pair .* / eth0 was refused$' ADD e2 /run/netns/$P2
assert "... with the kernel's reason in details" jqt '.details | length > 0'
ip -n $P2 link del eth0
full='{"cniVersion": "1.1.0", "name": "idmnet", "type": "idmesh-cni",
 "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.89.0.0/30"}]], "dataDir": "'$ipam'"}}'
cni ADD f1 /run/netns/$P2 "$full"
before="$(links) $(leases)"
err "error: IPAM out of addresses: host-local's error passed on, nothing made" 999 \
	'^host-local ADD: failed to allocate' ADD f2 /run/netns/$P4 "$full"
IDM_TEST_IPAM_SPEAKS=1.1.0 err "error: an IPAM that speaks only 1.1.0 under a 1.0.0 config: code 1, nothing made" 1 \
	'^the IPAM plugin "idm-test-ipam" speaks none of 0.3.0 .. 1.0.0$' ADD e1 /run/netns/$P2 \
	"$(CV=1.0.0 IPAM=idm-test-ipam conf)"
err "error: ipMasq that is not a boolean" 7 '^ipMasq: true or false$' ADD e1 /run/netns/$P2 "$err_masq"
err "error: ipMasqBackend iptables (nftables only)" 7 '^ipMasqBackend: "nftables" ' ADD e1 /run/netns/$P2 \
	"$err_backend"
err "error: an unknown command" 4 'CNI_COMMAND "FROB"' FROB e1 /run/netns/$P2
err "error: a network name outside the spec's characters (a space) is refused" 7 \
	'^name "idm net": at most 64 letters' ADD e1 /run/netns/$P2 "$(conf | sed 's/"idmnet"/"idm net"/')"
err "error: a container ID outside the spec's characters" 4 '^CNI_CONTAINERID "e 1": ' \
	ADD "e 1" /run/netns/$P2
err "error: a prevResult whose routes are not a list is refused, not a crash" 6 \
	'^prevResult.routes: not an array$' ADD e1 /run/netns/$P2 "$(conf ', "prevResult": {"routes": 5}')"
err "error: a prevResult whose ips hold a string" 6 '^prevResult.ips\[0\]: not an object$' \
	ADD e1 /run/netns/$P2 "$(conf ', "prevResult": {"ips": ["10.0.0.1"]}')"

## GC of everything: the attachments, and the network's masquerade with them
cni GC "" "" "$(conf ', "ipMasq": true, "cni.dev/valid-attachments": []')"
assert "GC with no valid attachment: succeeds" [ "$rc" = 0 ]
run ip -n $N -j link show
assert "... no link of the network is left" \
	not jq -e '.[] | select(.ifalias // "" | startswith("idmesh-cni idmnet "))' <<<"$out"
assert "... and its masquerade chain is gone" not nsx $N nft list chain inet idmesh cni-idmnet
I $N apply -f "$ipam/masq.yaml" >/dev/null
run make -s -C "$top" uninstall DESTDIR="$ipam/root" NFT="ip netns exec $N nft"
assert "make uninstall on the node: nftables' table inet idmesh goes, with the intent's masquerade" \
	all [ "$rc" = 0 ] :: not nsx $N nft list table inet idmesh
tap_end
