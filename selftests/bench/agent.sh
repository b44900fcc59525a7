#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench-agent: what the node agent's work costs as the cluster grows.
# A cluster of 100 Nodes and N one-port Services, each with a slice of 3
# endpoints: one Service and one slice printed by kubectl, copied N times
# by a script (kubectl takes ~50 ms per object; 10,000 would take 20
# minutes). The agent (--dry-run: derive and plan, no kernel; the
# kernel's part of an event is one VIP read and one replace whatever N
# is) lists them from the stand-in API server; then one slice changes,
# EVENTS times. Printed per N: from start to the whole intent planned
# (with the stand-in server's lists, in Python), the whole intent from
# the objects held (the agent's own work), the median cost of one
# EndpointSlice event, the agent's peak memory; and the ratios of
# 10,000 to 100. Host only; prints, never
# asserts (Documentation/agent.rst has a run's figures).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
agent=$top/userspace/idmesh-agent
sizes=${SIZES:-100 1000 10000}
events=${EVENTS:-9}
t=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null || true; done
	rm -rf "$t"
}
trap cleanup EXIT
[ -x "$agent" ] || make -s -C "$top/userspace" idmesh-agent

# The templates, as kubectl prints them (a saved copy when it is absent).
if command -v kubectl >/dev/null; then
	kubectl create service clusterip svc --tcp=80:8080 --clusterip=10.96.0.10 \
		--dry-run=client -o json >"$t/svc.json"
else
	echo '{"apiVersion":"v1","kind":"Service","metadata":{"name":"svc","labels":{"app":"svc"}},"spec":{"clusterIP":"10.96.0.10","ports":[{"name":"80-8080","port":80,"protocol":"TCP","targetPort":8080}],"selector":{"app":"svc"},"type":"ClusterIP"}}' >"$t/svc.json"
fi

# gen N OUT: 100 Nodes, N Services, N slices.
gen() {
	/usr/bin/python3 - "$t/svc.json" "$1" "$2" <<-'EOF'
	import copy, json, sys
	svc, n, out = json.load(open(sys.argv[1])), int(sys.argv[2]), open(sys.argv[3], "w")
	for i in range(100):
	    out.write(json.dumps({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-%d" % i},
	        "spec": {"podCIDR": "10.%d.%d.0/24" % (100 + i // 250, i % 250), "podCIDRs": ["10.%d.%d.0/24" % (100 + i // 250, i % 250)]},
	        "status": {"addresses": [{"type": "InternalIP", "address": "192.168.%d.%d" % (i // 250, 1 + i % 250)}]}}) + "\n")
	for i in range(n):
	    s = copy.deepcopy(svc)
	    s["metadata"]["name"] = "svc-%d" % i
	    s["metadata"]["namespace"] = "bench"
	    s["spec"]["clusterIP"] = s["spec"]["clusterIPs"] = None
	    s["spec"]["clusterIP"] = "10.96.%d.%d" % (i // 250, 1 + i % 250)
	    del s["spec"]["clusterIPs"]
	    out.write(json.dumps(s) + "\n")
	    out.write(json.dumps({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
	        "metadata": {"name": "svc-%d-abcde" % i, "namespace": "bench",
	                     "labels": {"kubernetes.io/service-name": "svc-%d" % i}},
	        "addressType": "IPv4", "ports": [{"name": "80-8080", "port": 8080, "protocol": "TCP"}],
	        "endpoints": [{"addresses": ["10.%d.%d.%d" % (100 + (i + k) % 100 // 250, (i + k) % 100, 2 + i % 200)],
	                       "conditions": {"ready": True, "serving": True, "terminating": False},
	                       "nodeName": "node-%d" % ((i + k) % 100)} for k in range(3)]}) + "\n")
	EOF
}

# slice I K: slice 0 of the cluster with K ready endpoints.
slice() {
	/usr/bin/python3 - "$1" <<-'EOF'
	import json, sys
	k = int(sys.argv[1])
	print(json.dumps({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
	    "metadata": {"name": "svc-0-abcde", "namespace": "bench",
	                 "labels": {"kubernetes.io/service-name": "svc-0"}},
	    "addressType": "IPv4", "ports": [{"name": "80-8080", "port": 8080, "protocol": "TCP"}],
	    "endpoints": [{"addresses": ["10.100.%d.2" % j], "conditions": {"ready": True},
	                   "nodeName": "node-%d" % j} for j in range(k)]}))
	EOF
}

us_of() { sed -n 's/.*duration_us=\([0-9]*\).*/\1/p'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf '%-9s %14s %16s %18s %9s\n' services "list+intent ms" "whole intent ms" "one event us (med)" "peak MB"
declare -A full ev mem build
for n in $sizes; do
	gen "$n" "$t/objs.json"
	rm -f "$t/port"
	/usr/bin/python3 "$top/selftests/k8s/apiserver.py" --bookmark 60 --port-file "$t/port" \
		"$t/objs.json" &
	pids+=($!)
	for _ in $(seq 600); do [ -s "$t/port" ] && break; sleep 0.1; done
	port=$(cat "$t/port")
	printf 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:%s"}}]\ncontexts: [{name: c, context: {cluster: c}}]\ncurrent-context: c\n' \
		"$port" >"$t/kc"
	t0=$(date +%s%N)
	"$agent" --node node-0 --kubeconfig "$t/kc" --dry-run --metrics "$t/m.prom" \
		>/dev/null 2>"$t/log" &
	apid=$!
	pids+=($apid)
	until grep -q 'msg="in sync"' "$t/log"; do sleep 0.05; done
	t1=$(date +%s%N)
	for i in $(seq "$events"); do
		before=$(grep -c 'part=vips' "$t/log" || true)
		slice $((1 + i % 5)) | curl -sf -X POST --data-binary @- \
			"http://127.0.0.1:$port/_test/objects?merge" >/dev/null
		until [ "$(grep -c 'part=vips' "$t/log" || true)" -gt "$before" ]; do sleep 0.02; done
	done
	kill "$apid"
	wait "$apid" 2>/dev/null || true
	full[$n]=$(( (t1 - t0) / 1000000 ))
	ev[$n]=$(grep 'part=vips' "$t/log" | us_of | median)
	build[$n]=$(grep 'part=all' "$t/log" | us_of | awk '{ printf "%d", $1 / 1000 }')
	mem[$n]=$(awk '$1 == "idmesh_agent_max_rss_bytes" { printf "%.1f", $2 / 1048576 }' "$t/m.prom")
	printf '%-9s %14s %16s %18s %9s\n' "$n" "${full[$n]}" "${build[$n]}" "${ev[$n]}" "${mem[$n]}"
	kill "${pids[0]}" 2>/dev/null || true
	wait "${pids[0]}" 2>/dev/null || true
	pids=()
done
first=${sizes%% *} last=${sizes##* }
echo "one event, $last vs $first Services: $(awk -v a="${ev[$last]}" -v b="${ev[$first]}" 'BEGIN { printf "%.2f", a / b }') (flat: 1.00)"
echo "peak memory per Service: $(awk -v a="${mem[$last]}" -v b="${mem[$first]}" -v n="$last" -v m="$first" 'BEGIN { printf "%.1f kB", (a - b) * 1024 / (n - m) }')"
