#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The node agent (Documentation/agent.rst) keeping two nodes in step with
# a cluster: the stand-in API server (selftests/k8s/apiserver.py, the
# real list/watch protocol) serves objects kubectl printed, node a runs
# pods behind idmesh pairs, node b another node over a veth underlay:
#
#   client, web-1..5 (pods) --pairs-- a ==external link== b (10.60.0.1)
#
# The cluster changes as a real one does, and at each step the node's
# VIPs, links and identity entries, and the connections it holds, are
# what kube-proxy's semantics say: web scaled 3 -> 5 with 24 connections
# held, web-2 terminating and web-3 not ready (held, no new ones), web-2
# then gone, the streams
# cut and the history expired (410) in between, web given
# sessionAffinity ClientIP, a Node joining (while a device holds its
# link's name: the apply fails, is undone and retried) and leaving, a Pod
# coming and going, a Service with no endpoints rejecting.
source "$(dirname "$0")/lib.sh"
require_module

s=iag$$
A=$s-a B=$s-b
LB="$PY $top/selftests/lbtool.py"
K8S=$top/selftests/k8s
AGENT=${IDMESH_AGENT:-$top/userspace/idmesh-agent}

ns_new $A $B
two_nodes $A $B
track_path "$tap_out".*

# The pods' links, as the CNI plugin makes them (pairs are the plugin's,
# never the agent's: its intent has no "pairs" and leaves them).
pods="client web-1 web-2 web-3 web-4 web-5"
{
	echo "pairs:"
	for p in $pods; do
		case $p in client) ip=10.50.1.20 ;; *) ip=10.50.1.$((${p#web-} + 1)) ;; esac
		ns_new $s-$p
		echo "  - {name: $("$IDMESH" k8s dev shop $p), peer: eth0, netns: $s-$p," \
			"routes: [$ip/32], peer-addresses: [$ip/32], peer-routes: [0.0.0.0/0]}"
	done
} >"$tap_out.pods.yaml"
expect "the pods' pairs" 0 "" I $A apply -f "$tap_out.pods.yaml"
for i in 1 2 3 4 5; do
	nsx $s-web-$i $LB serve web$i 8080 &
	track_pid $!
done
CL=$s-client

# objs OUT PY: web5t.json's objects changed by PY (over the list o).
objs() { $PY "$K8S/objs.py" "$K8S/web5t.json" "$1" "$2"; }

## The API server and an agent per node
nsx $A $PY "$K8S/apiserver.py" --addr 0.0.0.0 --bookmark 5 \
	--port-file "$tap_out.port" "$K8S/web3.json" 2>"$tap_out.srv" &
track_pid $!
if ! wait_until 120 test -s "$tap_out.port"; then
	tap_fail "the stand-in API server starts"
	tap_diag <"$tap_out.srv"
	tap_end
fi
port=$(cat "$tap_out.port")
for n in a b; do
	addr=127.0.0.1
	[ $n = b ] && addr=192.168.70.1
	cat >"$tap_out.kc-$n" <<-EOF
	apiVersion: v1
	kind: Config
	clusters: [{name: c, cluster: {server: "http://$addr:$port"}}]
	contexts: [{name: c, context: {cluster: c}}]
	current-context: c
	EOF
done
# post PATH [FILE]: change the cluster (from node a, where the server is).
post() { nsx $A curl -sf -X POST ${2:+--data-binary @"$2"} "http://127.0.0.1:$port$1" >/dev/null; }
# metric NODE NAME: a value of that node's agent.
metric() { awk -v n="$2" '$1 == n { print $2 }' "$tap_out.prom-$1" 2>/dev/null; }
synced() { [ "$(metric "$1" idmesh_agent_synced)" = 1 ]; }
for n in a b; do
	ns=$A
	[ $n = b ] && ns=$B
	nsx $ns "$AGENT" --node node-$n --kubeconfig "$tap_out.kc-$n" \
		--metrics "$tap_out.prom-$n" >"$tap_out.out-$n" 2>"$tap_out.log-$n" &
	track_pid $!
done
assert "both agents list the cluster and are in sync" wait_until 60 eval 'synced a && synced b'
run I $A -j vip show
check "web's VIP has its 3 ready endpoints" \
	'[.[] | {addr, port, b: [.backends[] | [.addr, .port, .weight]]}] ==
	 [{"addr": "10.96.0.10", "port": 80,
	   "b": [["10.50.1.2", 8080, 1], ["10.50.1.3", 8080, 1], ["10.50.1.4", 8080, 1]]}]'
for i in 1 2 3 4 5; do
	wait_until 20 tcp_listening $s-web-$i 8080
done
n=$(scaled 30 8)
run py $CL lbtool new 10.96.0.10 80 "$n"
check "$n connections to web's ClusterIP, all answered by its 3 pods" \
	'(.counts.none // 0) == 0 and ([.counts[]] | add) == '"$n"' and
	 (.counts | keys) - ["web1", "web2", "web3"] == []'
assert "the client pod reaches node b over the link both agents made" \
	wait_until 10 nsx $CL ping -c1 -W1 -q 10.60.0.1
assert "the pairs are the plugin's: the agent left them" \
	[ "$(I $A -j link show | jq '[.[] | select(.mode == "pair")] | length')" = 6 ]

## Scaled 3 -> 5, then web-2 terminating and web-3 not ready, with 24 connections held
objs "$tap_out.web5tn.json" '
sl = named("EndpointSlice", "web-7xk2p")
[e for e in sl["endpoints"] if e["targetRef"]["name"] == "web-3"][0]["conditions"] = \
    {"ready": False, "serving": False, "terminating": False}'
backends() { I $A -j vip show | jq -c '[.[] | select(.addr == "10.96.0.10") | .backends[] | [.addr, .weight]]'; }
cat >"$tap_out.step.sh" <<EOF
set -e
ip netns exec $A curl -sf -X POST --data-binary @$K8S/web5.json http://127.0.0.1:$port/_test/objects >/dev/null
for i in \$(seq 300); do [ "\$($IDMESH -n $A -j vip show | jq '.[0].backends | length')" = 5 ] && break; sleep 0.3; done
ip netns exec $A curl -sf -X POST --data-binary @$tap_out.web5tn.json http://127.0.0.1:$port/_test/objects >/dev/null
for i in \$(seq 300); do [ "\$($IDMESH -n $A -j vip show | jq -c '[.[0].backends[].weight]')" = "[1,0,0,1,1]" ] && exit 0; sleep 0.3; done
exit 1
EOF
run py $CL lbtool conns 10.96.0.10 80 "$(scaled 24 6)" "bash $tap_out.step.sh"
check "scaled to 5, then web-2 terminating and web-3 not ready: the agent followed, every held connection on its pod" \
	'.cmd == 0 and (.before | all(. != null)) and .before == .after'
assert "web's VIP: 5 endpoints, web-2's and web-3's drained (weight 0)" [ "$(backends)" = \
	'[["10.50.1.2",1],["10.50.1.3",0],["10.50.1.4",0],["10.50.1.5",1],["10.50.1.6",1]]' ]
n=$(scaled 40 12)
run py $CL lbtool new 10.96.0.10 80 "$n"
check "new connections: to the 3 ready pods, none to the terminating or the not-ready one" \
	'(.counts.none // 0) == 0 and ([.counts[]] | add) == '"$n"' and (.counts.web2 // 0) == 0 and (.counts.web3 // 0) == 0 and
	 ((.counts.web4 // 0) + (.counts.web5 // 0)) > 0'
assert "each step changed web's VIP alone: no whole-node apply since the first" \
	wait_until 10 eval '[ "$(metric a "idmesh_agent_applies_total{part=\"vips\"}")" -ge 2 ] &&
		[ "$(metric a "idmesh_agent_applies_total{part=\"all\"}")" = 1 ]'

## The streams cut, then the history expired: the next change still arrives
relists=$(metric a 'idmesh_agent_relists_total{kind="EndpointSlice"}')
post /_test/cut
post /_test/compact
# Scaled down to 2: web-2 gone from the slice, web-4 and web-5 too.
objs "$tap_out.web2.json" '
sl = named("EndpointSlice", "web-7xk2p")
sl["endpoints"] = [e for e in sl["endpoints"] if e["targetRef"]["name"] in ("web-1", "web-3")]'
post /_test/objects "$tap_out.web2.json"
assert "after a cut and a 410, the agent relisted and web is scaled to 2" \
	wait_until 60 eval '[ "$(backends)" = "[[\"10.50.1.2\",1],[\"10.50.1.4\",1]]" ]'
# The metrics file is rewritten every second: polled, not read once.
assert "... every kind listed again after the 410" \
	wait_until 10 eval '[ "$(metric a "idmesh_agent_relists_total{kind=\"EndpointSlice\"}")" -gt "$relists" ]'
n=$(scaled 20 6)
run py $CL lbtool new 10.96.0.10 80 "$n"
check "new connections: only web-1 and web-3 answer" \
	'(.counts.none // 0) == 0 and ([.counts[]] | add) == '"$n"' and
	 (.counts | keys) - ["web1", "web3"] == []'

## sessionAffinity ClientIP: web's VIP pins a client, changed in place
objs "$tap_out.aff.json" '
sl = named("EndpointSlice", "web-7xk2p")
sl["endpoints"] = [e for e in sl["endpoints"] if e["targetRef"]["name"] in ("web-1", "web-3")]
sv = named("Service", "web")
sv["spec"]["sessionAffinity"] = "ClientIP"
sv["spec"]["sessionAffinityConfig"] = {"clientIP": {"timeoutSeconds": 300}}'
post /_test/objects "$tap_out.aff.json"
affinity() { I $A -j vip show | jq -c '[.[] | select(.addr == "10.96.0.10") | .affinity]'; }
assert "sessionAffinity ClientIP: web's VIP pins clients for the Service's 300 s" \
	wait_until 30 eval '[ "$(affinity)" = "[300]" ]'
run py $CL lbtool new 10.96.0.10 80 "$n"
check "... the client's new connections all go to one pod" \
	'(.counts.none // 0) == 0 and (.counts | length) == 1'

## A Node joins and leaves; a Pod comes and goes
objs "$tap_out.node.json" '
sl = named("EndpointSlice", "web-7xk2p")
sl["endpoints"] = [e for e in sl["endpoints"] if e["targetRef"]["name"] in ("web-1", "web-3")]
n = json.loads(json.dumps(named("Node", "node-b")))
n["metadata"]["name"] = "node-c"
n["spec"] = {"podCIDR": "10.70.0.0/24", "podCIDRs": ["10.70.0.0/24"]}
n["status"]["addresses"] = [{"type": "InternalIP", "address": "192.168.70.3"}]
p = json.loads(json.dumps(named("Pod", "web-5")))
p["metadata"]["name"] = "db-1"
p["metadata"]["labels"] = {"app": "db"}
p["spec"]["nodeName"] = "node-c"
p["status"]["podIP"] = "10.70.0.5"
p["status"]["podIPs"] = [{"ip": "10.70.0.5"}]
o += [n, p]'
# A route of node a's own holds node-c's pod CIDR: adding the peer's
# route fails, nothing of the apply stays, and it is retried with backoff
# until the route is gone.
ip -n $A route add 10.70.0.0/24 dev lo
fails=$(metric a 'idmesh_agent_apply_failures_total{part="links"}')
post /_test/objects "$tap_out.node.json"
remotes() { I $A -j link peer show | jq -c '[.[] | .remote] | sort'; }
assert "a route in the way of node-c's pod CIDR: the apply fails, is undone and retried with backoff" all \
	wait_until 30 eval '[ "$(metric a "idmesh_agent_apply_failures_total{part=\"links\"}")" -ge $((fails + 2)) ]' :: \
	grep -q 'msg="retry after backoff"' "$tap_out.log-a" :: \
	[ "$(remotes)" = "[\"192.168.70.2\"]" ]
ip -n $A route del 10.70.0.0/24 dev lo
assert "node-c joins: once the route is gone, node a's external link gets its peer" \
	wait_until 60 eval '[ "$(remotes)" = "[\"192.168.70.2\",\"192.168.70.3\"]" ]'
sacl_has() { I $A -j sacl show | jq -e --arg a "$1" '[.. | .addr? // empty] | index($a) != null' >/dev/null; }
assert "a Pod on node-c comes: node a knows its address's identity" wait_until 30 sacl_has 10.70.0.5
post /_test/objects "$tap_out.web2.json"
assert "node-c leaves: its peer is removed" \
	wait_until 30 eval '[ "$(remotes)" = "[\"192.168.70.2\"]" ]'
assert "... and its Pod's entry" wait_until 30 eval '! sacl_has 10.70.0.5'
assert "the link to node b stayed, the pods still reach it" nsx $CL ping -c1 -W2 -q 10.60.0.1

## A Service with no endpoints rejects at once, as kube-proxy's does
objs "$tap_out.empty.json" '
sl = named("EndpointSlice", "web-7xk2p")
sl["endpoints"] = []'
post /_test/objects "$tap_out.empty.json"
assert "web has no endpoint: its VIP stays, with no backend" \
	wait_until 30 eval '[ "$(backends)" = "[]" ]'
run py $CL lbtool refused 10.96.0.10 80 tcp
check "a connection to it is refused, not left to hang" '.result == "refused"'

run cat "$tap_out.log-a"
assert "node a's agent logged no error but those of the device in the way" \
	holds '! grep "level=error" <<<"$out" | grep -v "watch broken" |
	       grep -v "msg=\"apply failed\" part=links what=links"'
tap_end
