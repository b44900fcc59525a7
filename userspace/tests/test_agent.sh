#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# idmesh-agent on the host, against the stand-in API server
# (selftests/k8s/apiserver.py: list, watch, bookmarks, 410, TLS, token)
# with objects kubectl printed. --dry-run: each change the agent would
# make is a JSON line on its standard output, so that what an event
# touches, and nothing else, is seen without a kernel. The same agent
# applying to a kernel: selftests/idmesh_agent.sh.
tool=${1:-./idmesh}
agent=$(dirname "$tool")/idmesh-agent
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../selftests/tap.sh"
fix=$here/../../selftests/k8s
t=$(mktemp -d)
pids=()
tap_cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$t"
}

if ! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$t/key.pem" -out "$t/ca.crt" -days 2 -subj /CN=127.0.0.1 \
	-addext "subjectAltName=IP:127.0.0.1" 2>/dev/null; then
	tap_skip "agent: no openssl to make the server's certificate"
	tap_end
fi

# server FILE...: the stand-in API server on a free port, its port in $port.
server() {
	rm -f "$t/port"
	/usr/bin/python3 "$fix/apiserver.py" --token s3cret --cert "$t/ca.crt" \
		--key "$t/key.pem" --bookmark 0.3 --port-file "$t/port" "$@" &
	pids+=($!)
	for _ in $(seq 100); do [ -s "$t/port" ] && break; sleep 0.1; done
	port=$(cat "$t/port")
	api=https://127.0.0.1:$port
}

# kubeconfig FILE TOKEN: a kubeconfig for the server, the CA by path.
kubeconfig() {
	cat >"$1" <<-EOF
	apiVersion: v1
	kind: Config
	clusters:
	- name: stand-in
	  cluster: {server: "$api", certificate-authority: ca.crt}
	users:
	- name: agent
	  user: {token: $2}
	contexts:
	- name: test
	  context: {cluster: stand-in, user: agent}
	current-context: test
	EOF
}

# post PATH [FILE]: drive the server.
post() { curl -sf --cacert "$t/ca.crt" -X POST ${2:+--data-binary @"$2"} "$api$1" >/dev/null; }

# until_true SECONDS CMD...: poll until CMD succeeds (never a fixed wait).
until_true() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.1
	done
}

# objs OUT PY: the fixture web3.json changed by PY (over a list o of objects).
objs() { /usr/bin/python3 "$fix/objs.py" "$fix/web3.json" "$1" "$2"; }

# metric NAME: its value in the agent's metrics file.
metric() { awk -v n="$1" '$1 == n { print $2 }' "$t/metrics.prom" 2>/dev/null; }
# lines PY: the agent's planned changes (out.jsonl) since the line
# $mark (mark: the lines so far) for which PY (over l) holds.
lines() {
	python3 -c 'import json, sys
n = 0
for s in open(sys.argv[1]).readlines()[int(sys.argv[3]):]:
    l = json.loads(s)
    n += bool(eval(sys.argv[2]))
print(n)' "$t/out.jsonl" "$1" "${mark:-0}"
}
has_lines() { [ "$(lines "$1")" -ge "${2:-1}" ]; }
mark() { mark=$(wc -l <"$t/out.jsonl"); }

# ---- configuration ----
expect "agent: an unknown word is a usage error" 2 "*" "$agent" --node a extra
expect "agent: a bad --table-size is refused" 2 \
	'Error: --table-size: expected a number 0..1000003, not "many"' "$agent" --table-size many
expect "agent: a --table-size that is not a prime is refused at the start, not at every apply" 2 \
	'Error: --table-size: vips[0].table-size: 4 is not a prime' "$agent" --table-size 4
env -u KUBERNETES_SERVICE_HOST -u KUBECONFIG "$agent" --node a >/dev/null 2>"$t/e"
assert "agent: outside a cluster with no kubeconfig, it says so" \
	grep -qx 'Error: not in a cluster (KUBERNETES_SERVICE_HOST and _PORT unset) and no --kubeconfig (or KUBECONFIG)' "$t/e"
expect "agent: a kubeconfig that cannot be read" 1 \
	"Error: cannot read \"$t/none\": No such file or directory" "$agent" --kubeconfig "$t/none"
api=https://127.0.0.1:1
kubeconfig "$t/kc" s3cret
expect "agent: a context the kubeconfig lacks" 1 \
	"Error: $t/kc: no context \"prod\"" "$agent" --kubeconfig "$t/kc" --context prod
sed 's/user: {token: s3cret}/user: {exec: {command: gcloud}}/' "$t/kc" >"$t/kc-exec"
expect "agent: an exec credential plugin is refused, not ignored" 1 \
	"Error: $t/kc-exec: user \"agent\": exec and auth-provider plugins are not supported; give a token or a client certificate" \
	"$agent" --kubeconfig "$t/kc-exec"

# ---- one list, the whole intent ----
server "$fix/../../userspace/tests/k8s/cluster.json"
kubeconfig "$t/kc" s3cret
run "$agent" --node node-a --kubeconfig "$t/kc" --dry-run --once
echo "$out" >"$t/once.jsonl"
"$tool" k8s node node-a "$here/k8s/cluster.json" >"$t/k8s.json" 2>/dev/null
assert "agent --once: over TLS with a token, the intent is what \"idmesh k8s node\" makes of the same objects" all \
	[ "$rc" = 0 ] :: python3 -c 'import json, sys
l = json.loads(open(sys.argv[1]).readline())
sys.exit(l["part"] != "all" or l["intent"] != json.load(open(sys.argv[2])))' "$t/once.jsonl" "$t/k8s.json"
# What nothing reads is not held: objects as a real API server gives
# them (managed fields, annotations, a Node's images) make the same intent.
python3 - "$here/k8s/cluster.json" "$t/heavy.json" <<'EOF'
import json, sys
text, dec, o, i = open(sys.argv[1]).read(), json.JSONDecoder(), [], 0
while text[i:].strip():
    i += len(text[i:]) - len(text[i:].lstrip())
    v, i = dec.raw_decode(text, i)
    o += v.get("items", [v])
with open(sys.argv[2], "w") as f:
    for x in o:
        x["metadata"]["managedFields"] = [{"manager": "kubectl", "operation": "Update",
                                           "fieldsV1": {"f:spec": {"f:x": {}}} }] * 20
        x["metadata"].setdefault("annotations", {})["kubectl.kubernetes.io/last-applied-configuration"] = "x" * 4000
        if x["kind"] == "Node":
            x.setdefault("status", {})["images"] = [{"names": ["img%d" % n], "sizeBytes": n} for n in range(200)]
        f.write(json.dumps(x) + "\n")
EOF
server "$t/heavy.json"
kubeconfig "$t/kc" s3cret
run "$agent" --node node-a --kubeconfig "$t/kc" --dry-run --once --metrics "$t/heavy.prom"
assert "agent --once: objects with managed fields, annotations and images: the same intent" all \
	[ "$rc" = 0 ] :: python3 -c 'import json, sys
l = json.loads(open(sys.argv[1]).readline())
sys.exit(l["intent"] != json.load(open(sys.argv[2])))' /dev/stdin "$t/k8s.json" <<<"$out"
kubeconfig "$t/kc-bad" wrong
run timeout 20 "$agent" --node node-a --kubeconfig "$t/kc-bad" --dry-run --once
assert "agent: a token the server refuses: the list fails with its 401, nothing planned" all \
	[ "$rc" = 1 ] :: [ -z "$out" ] :: grep -q 'msg="list failed" kind=Node http=401 error=Unauthorized' <<<"$err"
mkdir "$t/sa"
cp "$t/ca.crt" "$t/sa/ca.crt"
echo s3cret >"$t/sa/token"
run env KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT="$port" \
	IDMESH_SERVICEACCOUNT_DIR="$t/sa" KUBECONFIG= \
	timeout 20 "$agent" --node node-a --dry-run --once
assert "agent: in a Pod, the service account's token and CA" all \
	[ "$rc" = 0 ] :: grep -q 'config=in-cluster' <<<"$err" :: [ "$(echo "$out" | head -1)" = "$(head -1 "$t/once.jsonl")" ]

# ---- other clusters of the clusterset; imported Services (KEP-1645) ----
/usr/bin/python3 -c 'import json, sys, yaml
for d in yaml.safe_load_all(open(sys.argv[1])):
    print(json.dumps(d))' "$here/k8s/mcs.yaml" >"$t/mcs.json"
python3 "$here/k8s/cluster-b.py" "$here/k8s/cluster.json" "$t/cl-b.json"
# Cluster a without the MCS CRDs (the stand-in answers 404 for them), b.
server "$here/k8s/cluster.json" "$t/mcs.json"
api_a=$api
server "$t/cl-b.json"
api_b=$api
# kubeconfig2 FILE: contexts a (the current one) and b, one per server.
kubeconfig2() {
	cat >"$1" <<-EOK
	apiVersion: v1
	kind: Config
	clusters:
	- {name: a, cluster: {server: "$api_a", certificate-authority: ca.crt}}
	- {name: b, cluster: {server: "$api_b", certificate-authority: ca.crt}}
	users:
	- {name: agent, user: {token: s3cret}}
	contexts:
	- {name: a, context: {cluster: a, user: agent}}
	- {name: b, context: {cluster: b, user: agent}}
	current-context: a
	EOK
}
kubeconfig2 "$t/kc2"
expect "agent --remote-cluster without a context: a usage error" 2 \
	'Error: --remote-cluster: expected NAME=CONTEXT, not "b"' "$agent" --remote-cluster b
expect "agent --remote-cluster: a name that is not a DNS label is refused" 2 \
	'Error: --remote-cluster: the name "B:x" is not a DNS label (a-z, 0-9, "-", ".")' \
	"$agent" --remote-cluster B:x=b
expect "agent --remote-cluster: the same name twice is refused" 2 \
	'Error: --remote-cluster: "b" given twice' "$agent" --remote-cluster b=b --remote-cluster b=a
expect "agent --remote-cluster: a context the kubeconfig lacks" 1 \
	"Error: --remote-cluster b: $t/kc2: no context \"zz\"" \
	"$agent" --kubeconfig "$t/kc2" --remote-cluster b=zz
"$tool" k8s node node-a "$here/k8s/cluster.json" remote-cluster b "$t/cl-b.json" >"$t/k8s-b.json" 2>/dev/null
run timeout 60 "$agent" --node node-a --kubeconfig "$t/kc2" --remote-cluster b=b --dry-run --once
assert "agent --remote-cluster: the other cluster's Nodes, Pods and Namespaces too: the intent \"idmesh k8s node ... remote-cluster\" makes" all \
	[ "$rc" = 0 ] :: python3 -c 'import json, sys
l = json.loads(open(sys.argv[1]).readline())
sys.exit(l["part"] != "all" or l["intent"] != json.load(open(sys.argv[2])))' /dev/stdin "$t/k8s-b.json" <<<"$out"
echo "$err" >"$t/err"
assert "agent: ServiceImport not served (no CRD): none held, said once, and the node in sync without it" all \
	[ "$(grep -c 'msg="kind not served: none held, asked again after backoff" kind=ServiceImport path=/apis/multicluster.x-k8s.io/v1alpha1/serviceimports$' "$t/err")" = 1 ] :: \
	grep -q 'msg="in sync"' "$t/err"
api_b=https://127.0.0.1:1 kubeconfig2 "$t/kc-down"
"$tool" k8s node node-a "$here/k8s/cluster.json" >"$t/k8s-a.json" 2>/dev/null
run timeout 60 "$agent" --node node-a --kubeconfig "$t/kc-down" --remote-cluster b=b --dry-run --once
echo "$out" >"$t/out"
assert "agent --remote-cluster: another cluster that cannot be reached holds this one's sync back not at all" all \
	[ "$rc" = 0 ] :: grep -q 'msg="list failed" kind=Node http=0 error=.* cluster=b$' <<<"$err" :: \
	python3 -c 'import json, sys
l = json.loads(open(sys.argv[1]).readline())
sys.exit(l["intent"] != json.load(open(sys.argv[2])))' "$t/out" "$t/k8s-a.json"

"$agent" --node node-a --kubeconfig "$t/kc2" --remote-cluster b=b --dry-run \
	--metrics "$t/metrics.prom" >"$t/out.jsonl" 2>"$t/log2" &
pids+=($!)
assert "agent: in sync with both clusters, ServiceImport counted as not served" \
	until_true 30 eval '[ "$(metric idmesh_agent_synced)" = 1 ] && [ "$(metric "idmesh_agent_kind_served{kind=\"ServiceImport\"}")" = 0 ] && [ "$(metric "idmesh_agent_objects{kind=\"Pod\",cluster=\"b\"}")" = 1 ]'
mark
api=$api_a post "/_test/crd?installed=1"
assert "agent: the MCS CRD installed: ServiceImports listed and watched, the import's VIP at its clusterset IP, its slice's endpoints" all \
	until_true 90 has_lines 'l["part"] == "vips" and l["what"] == "ServiceImport shop/db" and [(v["address"], [b["address"] for b in v["backends"]]) for v in l["intent"]["vips"]] == [("10.42.0.20", ["10.80.1.5", "10.80.2.7", "10.80.2.8"])]' :: \
	until_true 10 eval '[ "$(metric "idmesh_agent_kind_served{kind=\"ServiceImport\"}")" = 1 ]'
mark
/usr/bin/python3 -c 'import json, sys
o = json.load(open(sys.argv[1]))["items"][0]
o["metadata"]["name"] = "node-b2"
o["spec"] = {"podCIDR": "10.80.2.0/24", "podCIDRs": ["10.80.2.0/24"]}
o["status"]["addresses"] = [{"type": "InternalIP", "address": "192.168.51.2"}]
print(json.dumps(o))' "$t/cl-b.json" >"$t/b-node.json"
api=$api_b post "/_test/objects?merge" "$t/b-node.json"
assert "agent: a Node joins the other cluster: the links part again, its pod CIDR a peer" \
	until_true 30 has_lines 'l["part"] == "links" and ("10.80.2.0/24", "192.168.51.2") in [(p["prefix"], p["remote"]) for x in l["intent"]["external-links"] for p in x["peers"]]'
mark
/usr/bin/python3 -c 'import json, sys
for d in open(sys.argv[1]):
    d = json.loads(d)
    if d["kind"] == "ServiceImport" and d["metadata"]["name"] == "db":
        d["spec"]["ips"] = ["10.42.0.21"]
    print(json.dumps(d))' "$t/mcs.json" >"$t/mcs2.json"
api=$api_a post "/_test/objects?merge" "$t/mcs2.json"
assert "agent: a ServiceImport's clusterset IP changes: that import's VIPs alone, the old one gone" \
	until_true 30 has_lines 'l["part"] == "vips" and l["what"] == "ServiceImport shop/db" and [v["address"] for v in l["intent"]["vips"]] == ["10.42.0.21"] and l["gone"] == ["10.42.0.20"]'
kill "${pids[-1]}"
wait "${pids[-1]}" 2>/dev/null
rm -f "$t/metrics.prom"
mark=0

# ---- watching ----
server "$fix/web3.json"
kubeconfig "$t/kc" s3cret
S1=5ec0000000000000000000000000000000000000000000000000000000000001
echo "$S1" >"$t/secrets"
"$agent" --node node-a --kubeconfig "$t/kc" --dry-run --metrics "$t/metrics.prom" \
	--conflist "$t/10-idmesh.conflist" --ipsec-secrets "$t/secrets" >"$t/out.jsonl" 2>"$t/log" &
pids+=($!)
assert "agent: in sync after the first list, the whole intent planned once" \
	until_true 30 eval '[ "$(metric idmesh_agent_synced)" = 1 ] && has_lines "l[\"part\"] == \"all\""'
assert "agent: the node's conflist, written from its podCIDRs" \
	grep -q '"subnet": "10.50.1.0/24"' "$t/10-idmesh.conflist"

mark
post /_test/objects "$fix/web5.json"
# shellcheck disable=SC2016
five='l["part"] == "vips" and l["what"] == "shop/web" and len(l["intent"]["vips"][0]["backends"]) == 5'
assert "agent: a slice scaled 3 -> 5: that Service's VIPs alone, with 5 backends" \
	until_true 30 has_lines "$five"
assert "agent: ... and nothing else (no links, no identity, no whole intent)" \
	[ "$(mark=0 lines 'l["part"] != "vips"')" = 1 ]
mark
post /_test/objects "$fix/web5t.json"
assert "agent: an endpoint turns terminating: kept with weight 0 (its flows stay, no new ones)" \
	until_true 30 has_lines '[[b.get("weight", 1) for b in v["backends"]] for v in l["intent"].get("vips", [])] == [[1, 0, 1, 1, 1]]'

objs "$t/gone.json" 'o.remove(named("Service", "web"))'
mark
post /_test/objects "$t/gone.json"
assert "agent: a Service deleted: its VIP removed, the others untouched" \
	until_true 30 has_lines 'l["intent"].get("vips") == [] and l["gone"] == ["10.96.0.10"]'

objs "$t/ns.json" 'o.remove(named("Service", "web")); o.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": {"kubernetes.io/metadata.name": "shop", "team": "a"}}})'
mark
post /_test/objects "$t/ns.json"
assert "agent: a Namespace's labels join its Pods' identity: the SACL part planned again" \
	until_true 30 has_lines 'l["part"] == "sacl" and [w["labels"].get("io.kubernetes.namespace.labels.team") for w in l["intent"]["workloads"] if w["name"] == "shop/web-1"] == ["a"]'

objs "$t/np.json" 'o.remove(named("Service", "web")); o.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": {"kubernetes.io/metadata.name": "shop", "team": "a"}}}); o.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "web-from-client", "namespace": "shop"}, "spec": {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "client"}}}], "ports": [{"port": 8080}]}]}})'
mark
post /_test/objects "$t/np.json"
assert "agent: a NetworkPolicy arrives: the SACL part planned again with its policies" \
	until_true 30 has_lines 'l["part"] == "sacl" and sorted((p["name"], p["action"] if "action" in p else "allow", p.get("ports")) for p in l["intent"]["policies"]) == [("shop/web-from-client", "allow", ["tcp:8080"]), ("shop/web-from-client", "deny", None)]'
mark
post /_test/objects "$t/ns.json"
assert "agent: ... and deleted: no policy left" \
	until_true 30 has_lines 'l["part"] == "sacl" and l["intent"]["policies"] == []'

nlists=$(metric 'idmesh_agent_lists_total{kind="Service"}')
post /_test/cut
mark
post /_test/objects "$fix/web3.json"
assert "agent: streams cut: watched again from where they were (no list), and the change after the cut arrives" all \
	until_true 30 has_lines 'l["part"] == "vips" and [len(v["backends"]) for v in l["intent"]["vips"]] == [3]' :: \
	[ "$(metric 'idmesh_agent_lists_total{kind="Service"}')" = "$nlists" ] :: \
	grep -q 'msg="watch again after backoff" kind=Service backoff_s=' "$t/log"
assert "agent: ... and the Namespace gone with it: its labels leave its Pods' identity" \
	until_true 30 has_lines 'l["part"] == "sacl" and [w["labels"].get("io.kubernetes.namespace.labels.team") for w in l["intent"]["workloads"] if w["name"] == "shop/web-1"] == [None]'

before=$(wc -l <"$t/out.jsonl")
post /_test/compact
assert "agent: 410 Gone after the history expired: every kind listed again" \
	until_true 30 eval '[ "$(metric "idmesh_agent_relists_total{kind=\"Pod\"}")" = 1 ] && [ "$(metric "idmesh_agent_relists_total{kind=\"Node\"}")" = 1 ]'
sleep 1
assert "agent: ... and a relist that finds nothing new changes nothing" \
	[ "$(wc -l <"$t/out.jsonl")" = "$before" ]
tail -n +$((before + 1)) "$t/out.jsonl" | tap_diag

objs "$t/bad.json" '
bad = json.loads(json.dumps(named("Service", "web")))
bad["metadata"]["name"] = "bad"
bad["spec"]["clusterIP"] = "10.96.0.11"
bad["spec"]["ports"][0]["port"] = 0
good = json.loads(json.dumps(named("Service", "web")))
good["metadata"]["name"] = "db"
good["spec"]["clusterIP"] = "10.96.0.12"
o += [bad, good]'
mark
post /_test/objects "$t/bad.json"
assert "agent: a bad Service is left out with its name and field; the next one gets its VIP" all \
	until_true 30 has_lines 'l["what"] == "shop/db" and l["intent"]["vips"][0]["address"] == "10.96.0.12"' :: \
	grep -q 'msg="object left out" reason="Service shop/bad: spec.ports\[0\]: port: expected a number 1..65535; no VIP for it"' "$t/log" :: \
	not has_lines 'l["what"] == "shop/bad" and l["intent"]["vips"]'

objs "$t/node.json" '
n = json.loads(json.dumps(named("Node", "node-b")))
n["metadata"]["name"] = "node-c"
n["spec"] = {"podCIDR": "10.70.0.0/24", "podCIDRs": ["10.70.0.0/24"]}
n["status"]["addresses"] = [{"type": "InternalIP", "address": "192.168.70.3"}]
o.append(n)'
mark
post /_test/objects "$t/node.json"
assert "agent: a Node joins: the external link again, one more peer, its pod CIDR routed" \
	until_true 30 has_lines 'l["part"] == "links" and [(x["routes"], [p["remote"] for p in x["peers"]]) for x in l["intent"]["external-links"]] == [(["10.60.0.0/24", "10.70.0.0/24"], ["192.168.70.2", "192.168.70.3"])]'

mark
printf '%s\n' "${S1%1}2" "$S1" >"$t/secrets.new"
mv "$t/secrets.new" "$t/secrets"
assert "agent: the IPsec secrets' file replaced: the links again, encrypted with the new secrets" all \
	until_true 30 has_lines 'l["part"] == "links" and l["intent"]["ipsec"]["secrets"] == ["'"${S1%1}2"'", "'"$S1"'"] and all(x["encrypt"] for x in l["intent"]["external-links"])' :: \
	grep -q 'msg="the IPsec secrets changed"' "$t/log"

post "/_test/fail?n=3&what=list"
post /_test/compact
assert "agent: lists that fail are tried again with backoff until one succeeds" all \
	until_true 60 eval '[ "$(metric "idmesh_agent_relists_total{kind=\"Pod\"}")" = 2 ] && [ "$(metric idmesh_agent_synced)" = 1 ] && [ "$(metric "idmesh_agent_lists_total{kind=\"Node\"}")" -ge 3 ]' :: \
	grep -q 'msg="list failed" kind=.* http=500 error="injected failure"' "$t/log" :: \
	grep -q 'msg="list again after backoff"' "$t/log"
assert "agent: bookmarks arrive and are counted" \
	[ "$(metric 'idmesh_agent_events_total{kind="Pod",type="BOOKMARK"}')" -ge 1 ]

# ---- deploy/: the DaemonSet and the unit ----
man=$here/../../deploy/idmesh-agent.yaml
if command -v kubectl >/dev/null; then
	run env HOME="$t" kubectl apply --dry-run=client --validate=false --kubeconfig "$t/kc" \
		-f "$man"
	assert "deploy: kubectl apply --dry-run=client takes the manifest: account, role, binding, DaemonSet" all \
		[ "$rc" = 0 ] :: [ "$out" = "serviceaccount/idmesh-agent created (dry run)
clusterrole.rbac.authorization.k8s.io/idmesh-agent created (dry run)
clusterrolebinding.rbac.authorization.k8s.io/idmesh-agent created (dry run)
daemonset.apps/idmesh-agent created (dry run)" ]
	sed 's/^kind: DaemonSet$/kind: DaemonSett/' "$man" >"$t/bad.yaml"
	run env HOME="$t" kubectl apply --dry-run=client --validate=false --kubeconfig "$t/kc" \
		-f "$t/bad.yaml"
	assert "deploy: ... and refuses a kind the API does not have" all \
		[ "$rc" != 0 ] :: grep -q 'no matches for kind "DaemonSett"' <<<"$err"
else
	tap_skip "deploy: no kubectl to check the manifest"
fi
run /usr/bin/python3 - "$man" <<'EOF'
import sys, yaml
docs = {d["kind"]: d for d in yaml.safe_load_all(open(sys.argv[1]))}
rules = docs["ClusterRole"]["rules"]
print(sorted((g, r, tuple(x["verbs"])) for x in rules for g in x["apiGroups"] for r in x["resources"]))
spec = docs["DaemonSet"]["spec"]["template"]["spec"]
c = spec["containers"][0]
print(spec["hostNetwork"], spec["serviceAccountName"], c["env"][0]["valueFrom"]["fieldRef"]["fieldPath"],
      c["securityContext"]["capabilities"])
print(" ".join(c["args"]))
EOF
assert "deploy: the role lists and watches the seven kinds the agent reads, and nothing else" \
	[ "$(sed -n 1p <<<"$out")" = "[('', 'namespaces', ('list', 'watch')), ('', 'nodes', ('list', 'watch')), ('', 'pods', ('list', 'watch')), ('', 'services', ('list', 'watch')), ('discovery.k8s.io', 'endpointslices', ('list', 'watch')), ('multicluster.x-k8s.io', 'serviceimports', ('list', 'watch')), ('networking.k8s.io', 'networkpolicies', ('list', 'watch'))]" ]
assert "deploy: the host's network, its own account, the node's name, CAP_NET_ADMIN alone" \
	[ "$(sed -n 2p <<<"$out")" = "True idmesh-agent spec.nodeName {'drop': ['ALL'], 'add': ['NET_ADMIN']}" ]
# shellcheck disable=SC2046
run "$agent" $(sed -n 3p <<<"$out") --version
assert "deploy: the DaemonSet's arguments are the agent's options" [ "$rc" = 0 ]

# ---- metrics on a port ----
mport=$( (python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') )
"$agent" --node node-a --kubeconfig "$t/kc" --dry-run --metrics "127.0.0.1:$mport" >/dev/null 2>"$t/log3" &
pids+=($!)
assert "agent --metrics ADDR:PORT: Prometheus text on GET /metrics" \
	until_true 30 eval 'curl -sf "http://127.0.0.1:$mport/metrics" | grep -qx "idmesh_agent_synced 1"'
run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$mport/other"
assert "agent --metrics: another path is 404" [ "$out" = 404 ]

tap_end
