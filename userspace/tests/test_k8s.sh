#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# "idmesh k8s" on the host: the intent of a node from objects kubectl
# printed (tests/k8s/cluster.json, made by tests/k8s/gen.sh), and the
# intent's links, routes and hash key as "apply --dry-run" reads them.
tool=${1:-./idmesh}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../selftests/tap.sh"
objs=$here/k8s/cluster.json
t=$(mktemp -d)
tap_cleanup() { rm -rf "$t"; }

# jget FILE EXPR: a Python expression over the JSON in FILE (as j).
jget() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }

# The fixture is what kubectl prints, when kubectl is here to say so.
if command -v kubectl >/dev/null; then
	cp -r "$here/k8s" "$t/gen"
	if "$t/gen/gen.sh" 2>"$t/gen.err"; then
		assert "k8s: the fixtures are what kubectl prints for tests/k8s/objects.yaml and netpol.yaml" all \
			cmp -s "$t/gen/cluster.json" "$objs" :: cmp -s "$t/gen/netpol.json" "$here/k8s/netpol.json"
	else
		tap_skip "k8s: kubectl could not print the fixture: $(head -c 200 "$t/gen.err")"
	fi
else
	tap_skip "k8s: no kubectl to print the fixture again"
fi

expect "k8s: node-a's intent" 0 "" "$tool" k8s node node-a "$objs"
echo "$out" >"$t/a.json"
run "$tool" k8s node node-b "$objs"
echo "$out" >"$t/b.json"

assert "k8s: one external link, a peer and a route for each pod CIDR of every other node (none yet: none)" all \
	[ "$(jget "$t/a.json" '[(l["name"], l["family"], l["local"], l["id"], l["routes"], l["peers"]) for l in j["external-links"]]')" = \
	  "[('idmx4', 'inet', '192.168.50.1', 16777215, ['10.244.2.0/24', 'fd00:244:2::/64'], [{'prefix': '10.244.2.0/24', 'remote': '192.168.50.2'}, {'prefix': 'fd00:244:2::/64', 'remote': '192.168.50.2'}])]" ] :: \
	[ "$(jget "$t/a.json" 'j["remote-links"]')" = "[]" ]
run "$tool" k8s node node-c "$objs"
echo "$out" >"$t/c.json"
assert "k8s: every node's external link has the same id; node-b's peers are node-a's pod CIDRs" all \
	[ "$(jget "$t/b.json" '[(l["id"], l["local"], [(p["prefix"], p["remote"]) for p in l["peers"]]) for l in j["external-links"]]')" = \
	  "[(16777215, '192.168.50.2', [('10.244.1.0/24', '192.168.50.1')])]" ] :: \
	[ "$(jget "$t/c.json" '[l["id"] for l in j["external-links"]]')" = "[16777215]" ]
assert "k8s: a Service's ClusterIP and port make a VIP; ready endpoints take new flows, terminating and not-ready ones keep theirs (weight 0)" \
	[ "$(jget "$t/a.json" '[(b["address"], b["port"], b.get("weight", 1)) for v in j["vips"] if v["address"] == "10.96.0.10" and v["port"] == 80 and v["protocol"] == "tcp" for b in v["backends"]]')" = \
	  "[('10.244.1.5', 8080, 1), ('10.244.2.5', 8080, 0), ('10.244.2.6', 8080, 0)]" ]
assert "k8s: a headless Service makes no VIP" \
	[ "$(jget "$t/a.json" 'sorted(v["address"] for v in j["vips"])')" = "['10.96.0.10', '10.96.0.20']" ]
run "$tool" k8s node node-a "$objs" "$here/k8s/mcs.yaml"
echo "$out" >"$t/mcs.json"
assert "k8s: an imported Service (ServiceImport, KEP-1645): a VIP at its clusterset IP, its backends the slices labelled with its name (exporting clusters' endpoints), ready ones taking new flows" all \
	[ "$rc" = 0 ] :: [ -z "$err" ] :: \
	[ "$(jget "$t/mcs.json" '[(v["port"], v["protocol"], [(b["address"], b.get("weight", 1)) for b in v["backends"]]) for v in j["vips"] if v["address"] == "10.42.0.20"]')" = \
	  "[(5432, 'tcp', [('10.80.1.5', 1), ('10.80.2.7', 1), ('10.80.2.8', 0)])]" ]
assert "k8s: ... the local Service of the same name keeps its own endpoints; a Headless import makes no VIP" all \
	[ "$(jget "$t/mcs.json" '[v for v in j["vips"] if v["address"] == "10.96.0.20"]')" = \
	  "$(jget "$t/a.json" '[v for v in j["vips"] if v["address"] == "10.96.0.20"]')" ] :: \
	[ "$(jget "$t/mcs.json" 'len(j["vips"])')" = "$(( $(jget "$t/a.json" 'len(j["vips"])') + 1 ))" ]
sed '0,/v1alpha1/s||v1beta9|; s|type: Headless|type: Magic|' "$here/k8s/mcs.yaml" >"$t/mcs-bad.yaml"
run "$tool" k8s node node-a "$objs" "$t/mcs-bad.yaml"
assert "k8s: a ServiceImport of another API version, or of an unknown type, is left out, said; the rest made" all \
	[ "$rc" = 0 ] :: [ "$err" = "Warning: $t/mcs-bad.yaml: ServiceImport shop/db (object 1): apiVersion: \"multicluster.x-k8s.io/v1beta9\" is not multicluster.x-k8s.io/v1alpha1; left out
Warning: $t/mcs-bad.yaml: ServiceImport shop/cache (object 3): spec.type: \"Magic\" is not ClusterSetIP or Headless; no VIP for it" ] :: \
	[ "$(jget /dev/stdin '[v["address"] for v in j["vips"]]' <<<"$out")" = "$(jget "$t/a.json" '[v["address"] for v in j["vips"]]')" ]
# Another cluster of the clusterset: a Node of the same name as one here,
# a db Pod on it, its own Service (not used: it comes as a ServiceImport).
python3 "$here/k8s/cluster-b.py" "$objs" "$t/cl-b.json"
run "$tool" k8s node node-a "$objs" "$here/k8s/mcs.yaml" remote-cluster b "$t/cl-b.json"
echo "$out" >"$t/clb.json"
assert "k8s remote-cluster: the other cluster's Node is a peer of the external link (its pod CIDR routed), though it has a name of this cluster" all \
	[ "$rc" = 0 ] :: [ -z "$err" ] :: \
	[ "$(jget "$t/clb.json" '[(p["prefix"], p["remote"]) for l in j["external-links"] for p in l["peers"]]')" = \
	  "[('10.80.1.0/24', '192.168.51.1'), ('10.244.2.0/24', '192.168.50.2'), ('fd00:244:2::/64', '192.168.50.2')]" ]
assert "k8s remote-cluster: its Pods are workloads by address, named by their cluster, never this node's; its Services no VIPs" all \
	[ "$(jget "$t/clb.json" '[(w["address"], "dev" in w) for w in j["workloads"] if w["name"] == "b:shop/db-b1"]')" = "[('10.80.1.5', False)]" ] :: \
	[ "$(jget "$t/clb.json" 'sorted(v["address"] for v in j["vips"])')" = "['10.42.0.20', '10.96.0.10', '10.96.0.20']" ]
assert "k8s remote-cluster: ... with the labels of the same Deployment here: one Service, one SACL ID across the clusters" \
	[ "$(jget "$t/clb.json" 'len(set(json.dumps({k: v for k, v in w["labels"].items()}, sort_keys=True) for w in j["workloads"] if w["name"].endswith("db-b1") or w["name"].startswith("shop/db")))')" = 1 ]
expect "k8s remote-cluster without a FILE: a usage error" 2 \
	'Error: "remote-cluster" needs a NAME and a FILE' "$tool" k8s node node-a "$objs" remote-cluster b
dev=$("$tool" k8s dev shop web-1)
assert "k8s dev: a Pod's link device, 15 characters at most" \
	[ "${#dev}" -le 15 -a "${dev:0:3}" = idm ]
assert "k8s dev: eth0 of any network is the pod's link; net1, or another network, a device of its own" \
	[ "$("$tool" k8s dev shop web-1 eth0 other)" = "$dev" -a \
	  "$("$tool" k8s dev shop web-1 net1 idmnet)" != "$dev" -a \
	  "$("$tool" k8s dev shop web-1 net1 other)" != "$("$tool" k8s dev shop web-1 net1 idmnet)" -a \
	  "$("$tool" k8s dev shop web-1 net1 idmnet)" = "$("$tool" k8s dev shop web-1 net1 idmnet)" ]
run "$tool" k8s dev shop web-1 net1
assert "k8s dev with an IFNAME but no NETWORK: a usage error" all \
	[ "$rc" != 0 ] :: grep -q "IFNAME and a NETWORK or neither" <<<"$err"
assert "k8s: this node's Pod is behind its link, which is a port" \
	[ "$(jget "$t/a.json" '([w.get("dev") for w in j["workloads"] if w["name"] == "shop/web-1"], j["ports"])')" = "(['$dev'], ['$dev'])" ]
assert "k8s: other nodes' Pods by address only; finished and host-network Pods left out" \
	[ "$(jget "$t/a.json" '[(w["name"], w["address"], "dev" in w) for w in j["workloads"]]')" = \
	  "[('shop/db-1', '10.244.2.7', False), ('shop/web-1', '10.244.1.5', True), ('shop/web-2', '10.244.2.5', False)]" ]
assert "k8s: a Pod's labels and namespace (and its name as the API labels it) are its Service's, not its revision's hash" \
	[ "$(jget "$t/a.json" 'sorted([w["labels"] for w in j["workloads"] if w["name"] == "shop/web-2"][0].items())')" = \
	  "[('app', 'web'), ('io.kubernetes.namespace.labels.kubernetes.io/metadata.name', 'shop'), ('io.kubernetes.pod.namespace', 'shop')]" ]
expect_out "k8s: the intent is one apply reads: web's Pods are one Service" \
	'service 0x[0-9a-f]{16} \{app=web,io.kubernetes.namespace.labels.kubernetes.io/metadata.name=shop,io.kubernetes.pod.namespace=shop\}: shop/web-1 shop/web-2' \
	"$tool" apply -f "$t/a.json" --dry-run

# Python that reads the objects of the file argv[1] (several JSON values,
# as kubectl printed them) into objs.
pyobjs='import json, sys
dec, text, objs, i = json.JSONDecoder(), open(sys.argv[1]).read(), [], 0
while i < len(text):
    while i < len(text) and text[i].isspace():
        i += 1
    if i < len(text):
        o, i = dec.raw_decode(text, i)
        objs.append(o)'

# objs_with OUT PYTHON [ARG...]: the objects (as objs, a list; by, by
# "Kind/name") after a Python statement over them (ARGs as arg), written
# to OUT as one List.
objs_with() {
	local out=$1 py=$2
	shift 2
	python3 - "$objs" "$out" "$py" "$@" <<EOP
$pyobjs
objs = [x for o in objs for x in o.get("items", [o])]
by = {o["kind"] + "/" + o["metadata"]["name"]: o for o in objs}
arg = sys.argv[4:]
exec(sys.argv[3])
json.dump({"apiVersion": "v1", "kind": "List", "items": objs}, open(sys.argv[2], "w"), indent=1)
EOP
}

# The same objects, in other files and another order, give the same intent.
python3 - "$objs" "$t" <<EOP
$pyobjs
objs.reverse()
half = len(objs) // 2
json.dump({"apiVersion": "v1", "kind": "List", "items": objs[:half]}, open(sys.argv[2] + "/l1.json", "w"))
json.dump({"apiVersion": "v1", "kind": "List", "items": objs[half:]}, open(sys.argv[2] + "/l2.json", "w"))
EOP
run "$tool" k8s node node-a "$t/l1.json" "$t/l2.json"
assert "k8s: the same objects as two lists, in reverse order: the same intent" \
	[ "$out" = "$(cat "$t/a.json")" ]
run "$tool" k8s node node-a - <"$objs"
assert "k8s: objects on standard input" [ "$out" = "$(cat "$t/a.json")" ]

# The user's identity part joins the intent.
cat >"$t/p.yaml" <<'EOY'
default: deny
service-keys: [app, io.kubernetes.pod.namespace]
policies:
  - name: web-to-db
    client: [{key: app, operator: in, values: [web]}]
    server: [{key: app, operator: in, values: [db]}]
EOY
expect_out "k8s policy FILE: its default and policies become the node's rules" \
	'policy web-to-db: \{app=web,io.kubernetes.pod.namespace=shop\} -> \{app=db,io.kubernetes.pod.namespace=shop\} allow' \
	bash -c "'$tool' k8s node node-a policy '$t/p.yaml' '$objs' | '$tool' apply -f - --dry-run"
echo '{"vips": []}' >"$t/p2.json"
expect "k8s policy FILE: only the identity part" 1 "Error: $t/p2.json: vips: unknown key" \
	"$tool" k8s node node-a policy "$t/p2.json" "$objs"

# -o: the file is replaced only by a whole intent.
expect "k8s -o: writes the intent" 0 "" "$tool" k8s node node-a -o "$t/out.json" "$objs"
assert "k8s -o: the file holds it" cmp -s "$t/out.json" "$t/a.json"

# bad SEL MUTATION DESC WARNING [GONE]: objs with one field changed (a
# Python statement over o, the object named by SEL): that object (GONE if
# another: the one left out) is left out with WARNING, and the intent is
# the one the objects make without it, byte for byte: never a refusal of
# the whole cluster.
bad() {
	local sel=$1 mut=$2 desc=$3 want=$4 gone=${5:-$1}
	objs_with "$t/gone.json" 'objs[:] = [o for o in objs if o is not by[arg[0]]]' "$gone"
	objs_with "$t/bad.json" 'o = by[arg[0]]; exec(arg[1])' "$sel" "$mut"
	run "$tool" k8s node node-a -o "$t/out.json" "$t/bad.json"
	assert "k8s: $desc: left out and reported, the rest made" all \
		[ "$rc" = 0 ] :: [ "$err" = "Warning: $t/bad.json: $want" ] :: \
		[ -z "$out" ] :: [ -s "$t/out.json" ] :: \
		[ "$(cat "$t/out.json")" = "$("$tool" k8s node node-a "$t/gone.json")" ]
}

# weights MUTATION DESC WANT: web's backends (address, weight) after a
# Python statement over eps, the endpoints of its slice (kube-proxy's
# CategorizeEndpoints: ready serve; with none ready, serving and
# terminating ones do; all others keep their flows only).
weights() {
	local mut=$1 desc=$2 want=$3
	objs_with "$t/w.json" 'eps = by["EndpointSlice/web-x7k2p"]["endpoints"]; exec(arg[0])' "$mut"
	run "$tool" k8s node node-a "$t/w.json"
	echo "$out" >"$t/w-out.json"
	assert "k8s: $desc" all [ "$rc" = 0 ] :: [ "$(jget "$t/w-out.json" '[(b["address"], b.get("weight", 1)) for v in j["vips"] if v["address"] == "10.96.0.10" and v["port"] == 80 for b in v["backends"]]')" = "$want" ]
}
weights 'eps[0]["conditions"] = {"ready": False, "serving": False, "terminating": True}' \
	"with no endpoint ready, the serving and terminating one takes new flows" \
	"[('10.244.1.5', 0), ('10.244.2.5', 1), ('10.244.2.6', 0)]"
weights 'eps[0]["conditions"] = {"ready": True, "serving": True, "terminating": True}; eps[1]["conditions"] = {"ready": True, "serving": True, "terminating": True}' \
	"ready and terminating (publishNotReadyAddresses) still take new flows" \
	"[('10.244.1.5', 1), ('10.244.2.5', 1), ('10.244.2.6', 0)]"
weights 'eps[0]["conditions"] = {"ready": False}; eps[1]["conditions"] = {"ready": False, "terminating": True}' \
	"with none ready or serving, every endpoint keeps its flows and takes no new one" \
	"[('10.244.1.5', 0), ('10.244.2.5', 0), ('10.244.2.6', 0)]"
weights 'eps[1]["conditions"] = {"terminating": True}' \
	"absent ready counts as ready, absent serving as ready says" \
	"[('10.244.1.5', 1), ('10.244.2.5', 1), ('10.244.2.6', 0)]"
weights 'eps[0]["conditions"] = {"ready": False, "serving": True, "terminating": True}; eps[1]["conditions"] = {"ready": False, "serving": True, "terminating": True}' \
	"with none ready, every serving and terminating one takes new flows" \
	"[('10.244.1.5', 1), ('10.244.2.5', 1), ('10.244.2.6', 0)]"

# mutated PYTHON: objs after a Python statement over them (as objs) in
# $t/m.json, node-a's intent from them in $t/m-out.json.
mutated() {
	objs_with "$t/m.json" "$1"
	run "$tool" k8s node node-a "$t/m.json"
	echo "$out" >"$t/m-out.json"
}
mutated 'by["Service/web"]["metadata"].setdefault("labels", {})["service.kubernetes.io/service-proxy-name"] = "other"'
assert "k8s: a Service another proxy implements (service-proxy-name) gets no VIP, as kube-proxy leaves it" all \
	[ "$rc" = 0 ] :: [ "$(jget "$t/m-out.json" 'sorted(v["address"] for v in j["vips"])')" = "['10.96.0.20']" ]
mutated 'by["Service/web"]["spec"]["sessionAffinity"] = "ClientIP"; by["Service/web"]["spec"]["sessionAffinityConfig"] = {"clientIP": {"timeoutSeconds": 600}}'
assert "k8s: sessionAffinity ClientIP: the VIP pins clients for the Service's timeoutSeconds" all \
	[ "$rc" = 0 ] :: [ "$(jget "$t/m-out.json" 'sorted((v["address"], v.get("affinity")) for v in j["vips"])')" = "[('10.96.0.10', 600), ('10.96.0.20', None)]" ]
mutated 'by["Service/web"]["spec"]["sessionAffinity"] = "ClientIP"'
assert "k8s: ... without a sessionAffinityConfig: Kubernetes' default, 10800 s" all \
	[ "$rc" = 0 ] :: [ "$(jget "$t/m-out.json" '[v.get("affinity") for v in j["vips"] if v["address"] == "10.96.0.10"]')" = "[10800]" ]
mutated 'by["Service/web"]["spec"]["sessionAffinity"] = "ClientIP"; by["Service/web"]["spec"]["sessionAffinityConfig"] = {"clientIP": {"timeoutSeconds": 86401}}'
assert "k8s: ... a timeout past the API's 86400 s: the Service is left out and reported" all \
	[ "$rc" = 0 ] :: [ "$(jget "$t/m-out.json" 'sorted(v["address"] for v in j["vips"])')" = "['10.96.0.20']" ] :: \
	grep -q "Service shop/web.*spec.sessionAffinityConfig.clientIP.timeoutSeconds: expected a number 1..86400" <<<"$err"
mutated 'by["Service/web"]["spec"]["sessionAffinity"] = "None"'
assert "k8s: ... sessionAffinity None: a VIP as before" all \
	[ "$rc" = 0 ] :: [ "$(jget "$t/m-out.json" 'sorted(v["address"] for v in j["vips"])')" = "['10.96.0.10', '10.96.0.20']" ]
mutated 'objs.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": {"kubernetes.io/metadata.name": "shop", "team": "a"}}})'
assert "k8s: a Namespace's labels join its Pods' identity (for namespaceSelector)" all \
	[ "$rc" = 0 ] :: [ "$(jget "$t/m-out.json" 'sorted([w["labels"] for w in j["workloads"] if w["name"] == "shop/web-2"][0].items())')" = \
	  "[('app', 'web'), ('io.kubernetes.namespace.labels.kubernetes.io/metadata.name', 'shop'), ('io.kubernetes.namespace.labels.team', 'a'), ('io.kubernetes.pod.namespace', 'shop')]" ]
mutated 'objs.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": {"team": 7}}})'
assert "k8s: ... a Namespace whose labels are not strings is left out and reported; its Pods have its name alone" all \
	[ "$rc" = 0 ] :: grep -q "Namespace shop (items\[[0-9]*\]): metadata.labels: team: expected a string; left out; its Pods have no namespace labels" <<<"$err" :: \
	[ "$(jget "$t/m-out.json" 'sorted([w["labels"] for w in j["workloads"] if w["name"] == "shop/web-2"][0].items())')" = \
	  "[('app', 'web'), ('io.kubernetes.namespace.labels.kubernetes.io/metadata.name', 'shop'), ('io.kubernetes.pod.namespace', 'shop')]" ]
mutated 'by["Service/web"]["spec"]["internalTrafficPolicy"] = "Local"'
assert "k8s: internalTrafficPolicy Local: this node's endpoints only" all \
	[ "$rc" = 0 ] :: [ "$(jget "$t/m-out.json" '[(b["address"], b.get("weight", 1)) for v in j["vips"] if v["address"] == "10.96.0.10" for b in v["backends"]]')" = "[('10.244.1.5', 1)]" ]
mutated 'by["Service/db"]["spec"]["internalTrafficPolicy"] = "Local"'
assert "k8s: ... and a Service with none here has no backend on this node" all \
	[ "$rc" = 0 ] :: [ "$(jget "$t/m-out.json" '[v["backends"] for v in j["vips"] if v["address"] == "10.96.0.20"]')" = "[[]]" ]
mutated 'by["Pod/web-1"]["metadata"]["labels"].update({"pod-template-generation": "7", "controller-uid": "u1", "batch.kubernetes.io/job-completion-index": "0"}); by["Pod/web-2"]["metadata"]["labels"].update({"pod-template-generation": "8", "controller-uid": "u2", "batch.kubernetes.io/job-completion-index": "1"})'
assert "k8s: labels that differ per rollout or run (pod-template-generation, controller-uid, job-completion-index) are not identity" all \
	[ "$rc" = 0 ] :: [ "$(jget "$t/m-out.json" '[w["labels"] for w in j["workloads"] if w["name"] == "shop/web-2"][0]')" = \
	  "$(jget "$t/a.json" '[w["labels"] for w in j["workloads"] if w["name"] == "shop/web-2"][0]')" ]

# k8s node ... masquerade: the node's own pod CIDRs are its pods' egress.
run "$tool" k8s node node-b masquerade "$objs"
echo "$out" >"$t/m.json"
assert "k8s node masquerade: the intent masquerades the Node's own pod CIDRs" all \
	[ "$rc" = 0 ] :: [ "$(jget "$t/m.json" 'j["masquerade"]')" = "['10.244.2.0/24', 'fd00:244:2::/64']" ]
run "$tool" k8s node node-b "$objs"
echo "$out" >"$t/m.json"
assert "... and without it, no masquerade key (apply leaves the node's alone)" \
	[ "$(jget "$t/m.json" '"masquerade" in j')" = False ]

# k8s conflist: the node's CNI network configuration from its pod CIDRs.
run "$tool" k8s conflist node node-b mtu 1400 sacl "$objs"
echo "$out" >"$t/conf.json"
assert "k8s conflist: 1.0.0 and 1.1.0; host-local gets a range set per pod CIDR of the Node, mtu and sacl as asked" all \
	[ "$rc" = 0 ] :: [ "$(jget "$t/conf.json" '(j["cniVersion"], j["cniVersions"], j["name"], [(p["type"], p["mtu"], p["sacl"], p["ipam"]["type"], p["ipam"]["ranges"]) for p in j["plugins"]])')" = \
	  "('1.0.0', ['1.0.0', '1.1.0'], 'idmesh', [('idmesh-cni', 1400, True, 'host-local', [[{'subnet': '10.244.2.0/24'}], [{'subnet': 'fd00:244:2::/64'}]])])" ]
run "$tool" k8s conflist node node-a "$objs"
echo "$out" >"$t/conf.json"
assert "k8s conflist: without mtu and sacl, the plugin's own defaults" all \
	[ "$rc" = 0 ] :: [ "$(jget "$t/conf.json" 'sorted(j["plugins"][0])')" = "['ipam', 'type']" ]
expect "k8s conflist: a Node without a pod CIDR yet" 1 \
	"Error: $objs: Node node-c (object 5): spec.podCIDRs: none yet: the node has no pod addresses to give" \
	"$tool" k8s conflist node node-c "$objs"
expect "k8s conflist: a node that is not there" 1 'Error: node "node-z" is not among the Nodes given' \
	"$tool" k8s conflist node node-z "$objs"
expect "k8s conflist: an MTU out of range" 2 'Error: mtu 40 is out of range [68, 65535]' \
	"$tool" k8s conflist node node-a mtu 40 "$objs"

objs_with "$t/dual.json" 'by["Node/node-a"]["status"]["addresses"].append({"type": "InternalIP", "address": "fd00:50::1"}); by["Node/node-b"]["status"]["addresses"] = [{"type": "InternalIP", "address": "fd00:50::2"}]; by["Node/node-c"]["spec"]["podCIDRs"] = ["10.244.2.0/25"]'
run "$tool" k8s node node-a "$t/dual.json"
assert "k8s: a dual-stack node: one link per underlay family; a Node's pod CIDRs behind its first InternalIP; one overlapping another Node's left out, said" all \
	[ "$(jget /dev/stdin '[(l["name"], l["family"], l["local"], [(p["prefix"], p["remote"]) for p in l["peers"]]) for l in j["external-links"]]' <<<"$out")" = \
	  "[('idmx4', 'inet', '192.168.50.1', []), ('idmx6', 'inet6', 'fd00:50::1', [('10.244.2.0/24', 'fd00:50::2'), ('fd00:244:2::/64', 'fd00:50::2')])]" ] :: \
	[ "$err" = "Warning: $t/dual.json: Node node-c (items[4]): spec.podCIDRs: 10.244.2.0/25 overlaps Node node-b's pod CIDRs; no link to it" ]

# skipped SEL MUTATION DESC WARNING: a Node that cannot be used is left out
# with WARNING, and every other object still makes the intent.
skipped() {
	local sel=$1 mut=$2 desc=$3 want=$4
	# node-c gets a pod CIDR: its peer is made whatever node-b's fate.
	objs_with "$t/bad.json" 'o = by[arg[0]]; exec(arg[1]); by["Node/node-c"]["spec"]["podCIDRs"] = ["10.244.3.0/24"]' "$sel" "$mut"
	run "$tool" k8s node node-a "$t/bad.json"
	echo "$out" >"$t/skip.json"
	assert "k8s: $desc: left out and reported, the rest made" all \
		[ "$rc" = 0 ] :: [ "$err" = "Warning: $t/bad.json: $want" ] :: \
		[ "$(jget "$t/skip.json" '[(p["prefix"], p["remote"]) for l in j["external-links"] for p in l["peers"]]')" = "[('10.244.3.0/24', '192.168.50.3')]" ] :: \
		python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); sys.exit(a["vips"] != b["vips"] or a["workloads"] != b["workloads"])' "$t/skip.json" "$t/a.json"
}
bad Pod/web-1 'o["status"]["podIP"] = "10.244.1"; o["status"]["podIPs"] = [{"ip": "10.244.1"}]' \
	"a Pod IP that is not one" 'Pod shop/web-1 (items[5]): status.podIPs[0].ip: "10.244.1" is not an IPv4 or IPv6 address; left out'
bad Pod/web-1 'o["metadata"]["labels"]["app"] = 3' \
	"a label that is not a string" 'Pod shop/web-1 (items[5]): metadata.labels: app: expected a string; left out'
bad EndpointSlice/web-x7k2p 'del o["endpoints"][0]["addresses"]' \
	"an endpoint without addresses" 'EndpointSlice shop/web-x7k2p (items[11]): endpoints[0].addresses: missing; left out'
bad EndpointSlice/web-x7k2p 'o["apiVersion"] = "discovery.k8s.io/v1beta1"' \
	"an EndpointSlice of another version" 'EndpointSlice shop/web-x7k2p (items[11]): apiVersion: "discovery.k8s.io/v1beta1" is not discovery.k8s.io/v1; left out'
bad EndpointSlice/web-x7k2p 'o["endpoints"][0]["conditions"]["ready"] = "yes"' \
	"a condition that is not a boolean" 'EndpointSlice shop/web-x7k2p (items[11]): endpoints[0].conditions: ready, serving and terminating are true or false; left out'
bad Service/web 'del o["spec"]["ports"][0]["port"]' \
	"a Service port without a number" 'Service shop/web (items[0]): spec.ports[0]: port: expected a number 1..65535; no VIP for it'
bad Service/web 'o["spec"]["ports"][0]["protocol"] = "ICMP"' \
	"a Service port of another protocol" 'Service shop/web (items[0]): spec.ports[0]: protocol "ICMP" is not TCP, UDP or SCTP; no VIP for it'
skipped Node/node-b 'o["status"]["addresses"] = [{"type": "ExternalIP", "address": "203.0.113.2"}]' \
	"a Node with pods and only an ExternalIP" 'Node node-b (items[3]): status.addresses: no InternalIP; no link to it'
skipped Node/node-b 'o["status"]["addresses"] = [{"type": "InternalIP", "address": "fd00:50::2"}]' \
	"an IPv6-only Node in an IPv4 cluster" 'Node node-b (items[3]): status.addresses: no InternalIP of a family this node has; no link to it'
skipped Node/node-b 'o["spec"]["podCIDRs"][0] = "10.244.2.1/24"' \
	"a pod CIDR with host bits" 'Node node-b (items[3]): spec.podCIDRs[0]: "10.244.2.1/24" has bits set past /24; no link to it'
skipped Node/node-b 'o["status"] = "up"' \
	"a Node whose status is not an object" 'Node node-b (items[3]): status: expected an object; no link to it'
bad Pod/db-1 'o["metadata"]["name"] = "web-1"' \
	"two Pods of one name" 'Pod shop/web-1 (items[7]): metadata.name: given twice (also items[5]); left out' Pod/db-1
bad Pod/db-1 'del o["metadata"]["name"]' \
	"an object without a name" 'items[7]: metadata.name: missing; left out'
run "$tool" k8s node node-a -o "$t/out.json" "$objs"
printf '{"kind": "Pod",\n "metadata": }' >"$t/cut.json"
run "$tool" k8s node node-a -o "$t/out.json" "$t/cut.json"
assert "k8s: a file that cannot be read whole is refused, and the -o file keeps the last whole intent" all \
	[ "$rc" = 1 ] :: cmp -s "$t/out.json" "$t/a.json"
expect "k8s: a node that is not there" 1 'Error: node "node-z" is not among the Nodes given' \
	"$tool" k8s node node-z "$objs"
expect "k8s: needs a node" 2 'Error: "k8s" needs node NAME and at least one FILE; try "idmesh k8s help"' \
	"$tool" k8s "$objs"
printf '{"kind": "Pod",\n "metadata": }' >"$t/cut.json"
expect "k8s: JSON that does not parse: where" 1 "Error: $t/cut.json: line 2: unexpected character" \
	"$tool" k8s node node-a "$t/cut.json"
expect "k8s: a file that is not there" 1 'Error: cannot read "/nonexistent/x.json": No such file or directory' \
	"$tool" k8s node node-a /nonexistent/x.json

# ---- the intent's links, routes and hash key (apply --dry-run) ----
cat >"$t/l.yaml" <<'EOY'
pairs:
  - name: pa0
    peer: eth0
    netns: pod-a
    mtu: 1400
    addresses: [10.0.0.1/32]
    routes: [10.1.0.2/32]
    peer-addresses: [10.1.0.2/32]
    peer-routes: [0.0.0.0/0]
remote-links:
  - {name: tn1, remote: 192.168.1.2, id: 7, routes: [10.245.1.0/24, "fd00:1::/64"]}
hash-key: 00112233445566778899aabbccddeeff
EOY
expect_out "apply --dry-run: pairs and remote links with their addresses and routes" \
	'^link pa0 peer eth0 netns pod-a mtu 1400
    address 10.0.0.1/32
    route 10.1.0.2/32
    peer address 10.1.0.2/32
    peer route 0.0.0.0/0
link tn1 remote 192.168.1.2 id 7
    route 10.245.1.0/24
    route fd00:1::/64
hash-key given' "$tool" apply -f "$t/l.yaml" --dry-run
# lbad YAML WANT: an intent refused with "FILE: WANT".
lbad() {
	printf '%s\n' "$1" >"$t/lb.yaml"
	expect "apply: $3" 1 "Error: $t/lb.yaml: $2" "$tool" apply -f "$t/lb.yaml" --dry-run
}
lbad 'pairs: [{name: pa0}]' 'pairs[0]: needs a peer (the device'"'"'s name in the pod)' "a pair without a peer"
lbad 'pairs: [{name: pa0, peer: eth0, addresses: [10.0.0.300/32]}]' \
	'pairs[0].addresses[0]: "10.0.0.300/32" is not an IPv4 or IPv6 address' "an address that is not one"
lbad 'remote-links: [{name: t1, remote: 10.0.0.2, id: 1, routes: [10.1.0.1/24]}]' \
	'remote-links[0].routes[0]: "10.1.0.1/24" has bits set past /24' "a route with host bits"
lbad 'remote-links: [{name: t1, remote: 10.0.0.2, id: 16777216}]' \
	'remote-links[0].id: 16777216 is out of range 1..16777215' "an id out of range"
lbad 'remote-links: [{name: t1, remote: 10.0.0.2, local: "fd00::1", id: 1}]' \
	"remote-links[0].local: is not of the remote's family" "a local address of the other family"
lbad $'pairs: [{name: x0, peer: eth0}]\nremote-links: [{name: x0, remote: 10.0.0.2, id: 1}]' \
	'remote-links[0]: the name "x0" is taken by pair x0' "one name for two links"
lbad 'external-links: [{name: x4, id: 1, remote: 10.0.0.2}]' \
	'external-links[0].remote: unknown key' "an external link with a remote of its own"
lbad 'external-links: [{name: x4, family: ipv4, id: 1}]' \
	'external-links[0].family: "ipv4" is not inet or inet6' "an external link of an unknown family"
lbad 'external-links: [{name: x6, family: inet6, local: 10.0.0.1, id: 1}]' \
	"external-links[0].local: is not of the link's family" "an external link's local address of the other family"
lbad 'external-links: [{name: x4, id: 1, peers: [{prefix: 10.1.0.0/24, remote: "fd00::2"}]}]' \
	"external-links[0].peers[0].remote: is not of the link's underlay family (inet)" "a peer of the other underlay family"
lbad 'external-links: [{name: x4, id: 1, peers: [{prefix: 10.1.0.1/24, remote: 10.0.0.2}]}]' \
	'external-links[0].peers[0].prefix: "10.1.0.1/24" has bits set past /24' "a peer prefix with host bits"
lbad 'external-links: [{name: x4, id: 1, peers: [{prefix: 10.1.0.0/24, remote: 10.0.0.2}, {prefix: 10.1.0.0/24, remote: 10.0.0.3}]}]' \
	'external-links[0].peers[1]: the same prefix as [0]' "one prefix for two peers"
lbad 'external-links: [{name: x4, id: 1, peers: [{remote: 10.0.0.2}]}]' \
	'external-links[0].peers[0]: needs a prefix (the pod CIDR behind the peer)' "a peer without a prefix"
lbad $'remote-links: [{name: x0, remote: 10.0.0.2, id: 1}]\nexternal-links: [{name: x0, id: 2}]' \
	'external-links[0]: the name "x0" is taken by remote link x0' "an external link of a remote link's name"
S1=5ec0000000000000000000000000000000000000000000000000000000000001
lbad 'ipsec: {secrets: ["00"]}' 'ipsec.secrets[0]: is not 64 hex digits' "an IPsec secret too short"
lbad "ipsec: {secrets: [\"$S1\", \"$S1\"]}" 'ipsec.secrets[1]: the same secret as [0]' "one IPsec secret twice"
lbad "ipsec: {secrets: [\"$S1\", \"${S1%1}2\", \"${S1%1}3\", \"${S1%1}4\", \"${S1%1}5\"]}" \
	'ipsec.secrets: has 5 secrets; at most 4' "five IPsec secrets"
lbad 'ipsec: {keys: []}' 'ipsec.keys: unknown key' "an unknown key in ipsec"
lbad 'remote-links: [{name: t1, remote: 10.0.0.2, id: 1, encrypt: true}]' \
	"remote-links[0].encrypt: needs a local address (the keys are derived from both ends' addresses)" \
	"an encrypted link without a local address"
lbad 'remote-links: [{name: t1, remote: 10.0.0.2, local: 10.0.0.1, id: 1, encrypt: yes}]' \
	'remote-links[0].encrypt: expected true or false, got a string' "encrypt that is not a boolean"
printf '%s\n' 'remote-links: [{name: t1, remote: 10.0.0.2, local: 10.0.0.1, id: 1, encrypt: true}]' \
	'ipsec: {secrets: []}' >"$t/lb.yaml"
expect "apply: an encrypted link and no secret" 1 \
	"Error: $t/lb.yaml: link t1 is encrypted, but the intent has no \"ipsec\" secrets" \
	"$tool" apply -f "$t/lb.yaml" --dry-run
printf '# the cluster secrets\n%s\n\n%s\n' "${S1%1}2" "$S1" >"$t/secrets"
run "$tool" k8s node node-a ipsec-secrets "$t/secrets" "$objs"
assert "k8s ipsec-secrets: the external links encrypted, the file's secrets in order" all \
	[ "$rc" = 0 ] :: [ "$(jget /dev/stdin '([l["encrypt"] for l in j["external-links"]], j["ipsec"]["secrets"])' <<<"$out")" = \
	"([True], ['${S1%1}2', '$S1'])" ]
printf '%s\n' "$S1" 0123 >"$t/secrets"
expect "k8s ipsec-secrets: a line that is not a secret" 1 \
	"Error: $t/secrets:2: not a secret of 64 hex digits" "$tool" k8s node node-a ipsec-secrets "$t/secrets" "$objs"
expect "k8s ipsec-secrets: a file that is not there" 1 \
	"Error: cannot read the IPsec secrets \"$t/none\": No such file or directory" \
	"$tool" k8s node node-a ipsec-secrets "$t/none" "$objs"
printf '%s\n' 'external-links: [{name: x6, family: inet6, local: "fd00::1", id: 9, mtu: 1400, routes: [10.1.0.0/24],' \
	'  peers: [{prefix: 10.1.0.0/24, remote: "fd00::2"}, {prefix: "fd01::/64", remote: "fd00::3"}]}]' >"$t/x.yaml"
run "$tool" apply -f "$t/x.yaml" --dry-run
assert "apply --dry-run: an external link with its peers, as given" all [ "$rc" = 0 ] :: \
	[ "$out" = "$(printf '%s\n' 'link x6 external inet6 local fd00::1 id 9 mtu 1400' '    route 10.1.0.0/24' \
		'    peer 10.1.0.0/24 remote fd00::2' '    peer fd01::/64 remote fd00::3')" ]
lbad 'pairs: [{name: averyveryverylongname, peer: eth0}]' \
	'pairs[0].name: "averyveryverylongname" is not a device name (1..15 characters, no '"'/'"' or space)' "a name too long"
lbad 'pairs: [{name: p0, peer: eth0, addresses: [10.0.0.1/32, 10.0.0.1/32]}]' \
	'pairs[0].addresses[1]: the same address as [0]' "an address twice"
lbad 'hash-key: "0011"' 'hash-key: is not 32 hex digits' "a hash key too short"
lbad 'pairs: [{name: p0, peer: eth0, color: red}]' 'pairs[0].color: unknown key' "an unknown key in a pair"

lbad $'pairs: [{name: p0, peer: eth0}]\n---\nremote-links: []' \
	'YAML: 2 documents ("---"); this takes one' "an intent of two YAML documents, refused whole, not cut to the first"

# A YAML stream of objects is read whole: the same intent as the JSON
# kubectl printed, never the first document's alone.
/usr/bin/python3 -c '
import json, sys, yaml
text, dec, objs, i = open(sys.argv[1]).read(), json.JSONDecoder(), [], 0
while text[i:].strip():
    v, i = dec.raw_decode(text, i + len(text[i:]) - len(text[i:].lstrip()))
    objs += v.get("items", [v])
print("---\n".join(yaml.safe_dump(o) for o in objs), end="")
' "$objs" >"$t/stream.yaml"
run "$tool" k8s node node-a "$t/stream.yaml"
assert "k8s: objects as a YAML stream (---) give the same intent as the JSON" all \
	[ "$rc" = 0 ] :: [ "$out" = "$(cat "$t/a.json")" ]
printf -- '---\n' >>"$t/stream.yaml"
run "$tool" k8s node node-a "$t/stream.yaml"
assert "k8s: ... with an empty last document too" all [ "$rc" = 0 ] :: [ "$out" = "$(cat "$t/a.json")" ]
printf -- 'kind: [\n' >>"$t/stream.yaml"
run "$tool" k8s node node-a "$t/stream.yaml"
assert "k8s: a bad document anywhere in the stream refuses it all" all \
	[ "$rc" != 0 ] :: [ -z "$out" ] :: grep -q "stream.yaml: YAML: line" <<<"$err"

# NetworkPolicy (tests/k8s/netpol.yaml): the rules apply would make of
# it, each (policy, client, server, direction, action, ports), Services
# by their app (or k8s-app) label.
rules='import json, re, sys
j = json.load(open(sys.argv[1]))
def short(r, side):
    if side + "_peers" in r:
        return r[side + "_peers"]
    return re.search("(?:^|,)(?:k8s-)?app=([^,]*)", r[side + "_service"]).group(1)
for r in j["rules"]:
    print(r["policy"], short(r, "client"), short(r, "server"), r.get("direction", "ingress"), r["action"], r.get("ports", "all"))'
netpol_rules() {
	"$tool" k8s node node-b "$@" >"$t/np.json" 2>"$t/np.err" &&
		"$tool" -j apply -f "$t/np.json" --dry-run >"$t/np-plan.json" &&
		python3 -c "$rules" "$t/np-plan.json" | sort
}
np=$here/k8s/netpol.json
assert "k8s NetworkPolicy: isolation (any, deny), allowed peers per port, egress with DNS by its named port, ipBlock" \
	[ "$(netpol_rules "$objs" "$np")" = "$(printf '%s\n' \
		"shop/db-from-office 10.0.0.0/8 db ingress allow tcp:8000-8100" \
		"shop/db-from-office any db ingress deny all" \
		"shop/db-from-web web db ingress allow tcp:5432" \
		"shop/web-egress web any egress deny all" \
		"shop/web-egress web db egress allow all" \
		"shop/web-egress web kube-dns egress allow tcp:53,udp:53")" ]
assert "k8s NetworkPolicy: two policies isolate db with one rule, each named" \
	[ "$(jget "$t/np-plan.json" '[r["policies"] for r in j["rules"] if r.get("client_peers") == "any"]')" = "[2]" ]
assert "k8s NetworkPolicy: the ipBlock, its except and the whole of IPv4 and IPv6 are peers" \
	[ "$(jget "$t/np-plan.json" '[e.split(" id ")[0] for e in j["entries"] if e.startswith("peer ")]')" = \
	  "['peer 0.0.0.0/0', 'peer 10.0.0.0/8', 'peer 10.1.0.0/16', 'peer ::/0']" ]

# Mutations of the policies: the objects of netpol.json after a Python
# statement (np: NetworkPolicies by name), with cluster.json's.
np_with() {
	python3 - "$np" "$t/npm.json" "$1" <<EOP
$pyobjs
np = {o["metadata"]["name"]: o for o in objs if o["kind"] == "NetworkPolicy"}
exec(sys.argv[3])
json.dump({"apiVersion": "v1", "kind": "List", "items": objs}, open(sys.argv[2], "w"))
EOP
}
np_with 'np["db-from-web"]["spec"]["ingress"][0]["ports"] = [{"port": "pg"}]'
objs_with "$t/pg.json" 'by["Pod/db-1"]["spec"]["containers"][0]["ports"] = [{"name": "pg", "containerPort": 5433}]'
assert "k8s NetworkPolicy: a named port is the number the server Pod gives it" \
	grep -qx "shop/db-from-web web db ingress allow tcp:5433" <<<"$(netpol_rules "$t/pg.json" "$t/npm.json")"
assert "k8s NetworkPolicy: ... and no rule where no Pod names it" \
	not grep -q "shop/db-from-web" <<<"$(netpol_rules "$objs" "$t/npm.json" | grep -v "any db")"
np_with 'np["db-from-web"]["spec"]["ingress"][0]["from"] = []; np["web-egress"]["spec"]["egress"] = [{}]'
assert "k8s NetworkPolicy: no peers is every client (two rules of 1 bit), {} every destination and port" all \
	[ "$(netpol_rules "$objs" "$t/npm.json" | grep -c "shop/db-from-web every db ingress allow tcp:5432")" = 2 ] :: \
	[ "$(netpol_rules "$objs" "$t/npm.json" | grep -c "shop/web-egress web every egress allow all")" = 2 ]
np_with 'np["db-from-web"]["spec"]["ingress"][0]["from"] = [{"namespaceSelector": {"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["shop"]}]}}]'
assert "k8s NetworkPolicy: namespaceSelector alone: Pods of the namespaces it selects (kube-dns, not web)" \
	grep -qx "shop/db-from-web kube-dns db ingress allow tcp:5432" <<<"$(netpol_rules "$objs" "$t/npm.json")"
np_with 'np["web-egress"]["spec"]["policyTypes"] = ["Ingress"]'
netpol_rules "$objs" "$t/npm.json" >"$t/np-rules"
assert "k8s NetworkPolicy: policyTypes Ingress only: its egress rules are not enforced, web is isolated for ingress" all \
	not grep -q " egress " "$t/np-rules" :: grep -qx "shop/web-egress any web ingress deny all" "$t/np-rules"
np_with 'del np["web-egress"]["spec"]["policyTypes"]'
netpol_rules "$objs" "$t/npm.json" >"$t/np-rules"
assert "k8s NetworkPolicy: no policyTypes: Ingress, and Egress as it has egress rules" all \
	grep -qx "shop/web-egress any web ingress deny all" "$t/np-rules" :: \
	grep -qx "shop/web-egress web any egress deny all" "$t/np-rules"

np_with 'np["db-from-web"]["spec"]["ingress"][0]["ports"] = [{"port": 6000 + i} for i in range(40)]'
netpol_rules "$objs" "$t/npm.json" >"$t/np-rules"
assert "k8s NetworkPolicy: a rule of 40 ports (a rule holds 32) is left out, its Pods still isolated (fail closed)" all \
	grep -q "NetworkPolicy shop/db-from-web (items\[[0-9]*\]): spec.ingress\[0\].ports: 40 ports, and a rule holds 32; this rule is not enforced: what it allows is denied" "$t/np.err" :: \
	not grep -q "^shop/db-from-web web db" "$t/np-rules" :: grep -qx "shop/db-from-office any db ingress deny all" "$t/np-rules"

echo '{"service-keys": ["app", "k8s-app", "io.kubernetes.pod.namespace"]}' >"$t/sk.json"
run "$tool" k8s node node-b policy "$t/sk.json" "$objs" "$np"
assert "k8s NetworkPolicy: with service-keys, a policy that selects by another label is left out, named; the others enforced" all \
	[ "$rc" = 0 ] :: grep -q 'NetworkPolicy shop/web-egress (object [0-9]*): spec: selects by "io.kubernetes.namespace.labels.kubernetes.io/metadata.name", which is not one of the service-keys; not enforced' <<<"$err" :: \
	[ "$(jget <(echo "$out") 'sorted({p["name"] for p in j["policies"]})')" = "['shop/db-from-office', 'shop/db-from-web']" ]

# Every error names its object and field; the object is left out, the
# others enforced.
np_bad() {
	np_with "$1"
	"$tool" k8s node node-b "$objs" "$t/npm.json" >"$t/np.json" 2>"$t/np.err"
}
for c in \
	'np["db-from-web"]["spec"]["ingress"][0]["from"][0]["podSelector"] = {"matchExpressions": [{"key": "app", "operator": "Is", "values": ["web"]}]}|spec.ingress\[0\].from\[0\].podSelector.matchExpressions\[0\].operator: "Is" is not In, NotIn, Exists or DoesNotExist' \
	'np["db-from-web"]["spec"]["ingress"][0]["from"][0]["podSelector"] = {"matchExpressions": [{"key": "app", "operator": "In"}]}|spec.ingress\[0\].from\[0\].podSelector.matchExpressions\[0\].values: In needs at least one value' \
	'np["db-from-web"]["spec"]["ingress"][0]["from"][0]["podSelector"] = {"matchExpressions": [{"key": "app", "operator": "Exists", "values": ["x"]}]}|spec.ingress\[0\].from\[0\].podSelector.matchExpressions\[0\].values: Exists takes no values' \
	'np["db-from-web"]["spec"]["ingress"][0]["from"][0]["ipBlock"] = {"cidr": "10.0.0.0/8"}|spec.ingress\[0\].from\[0\]: ipBlock is alone' \
	'np["db-from-web"]["spec"]["ingress"][0]["from"] = [{}]|spec.ingress\[0\].from\[0\]: needs a podSelector, a namespaceSelector or an ipBlock' \
	'np["db-from-web"]["spec"]["ingress"][0]["from"] = [{"ipBlock": {"cidr": "10.0.0.0"}}]|spec.ingress\[0\].from\[0\].ipBlock.cidr: "10.0.0.0" is not a CIDR ADDR/LEN' \
	'np["db-from-web"]["spec"]["ingress"][0]["from"] = [{"ipBlock": {"cidr": "10.0.0.0/16", "except": ["10.2.0.0/24"]}}]|spec.ingress\[0\].from\[0\].ipBlock.except\[0\]: 10.2.0.0/24 is not inside the cidr' \
	'np["db-from-web"]["spec"]["ingress"][0]["ports"] = [{"port": 5432, "endPort": 5000}]|spec.ingress\[0\].ports\[0\].endPort: expected a port from port (5432) to 65535' \
	'np["db-from-web"]["spec"]["ingress"][0]["ports"] = [{"port": "pg", "endPort": 6000}]|spec.ingress\[0\].ports\[0\].endPort: a named port has no endPort' \
	'np["db-from-web"]["spec"]["ingress"][0]["ports"] = [{"protocol": "ICMP"}]|spec.ingress\[0\].ports\[0\].protocol: "ICMP" is not TCP, UDP or SCTP' \
	'np["db-from-web"]["spec"]["ingress"][0]["ports"] = [{"port": 0}]|spec.ingress\[0\].ports\[0\].port: expected a port 1..65535 or a name' \
	'np["db-from-web"]["spec"]["policyTypes"] = ["Both"]|spec.policyTypes\[0\]: expected Ingress or Egress' \
	'del np["db-from-web"]["spec"]["podSelector"]|spec.podSelector: missing' \
	'np["db-from-web"]["spec"]["podSelector"] = {"matchLabels": {"statefulset.kubernetes.io/pod-name": "db-0"}}|spec.podSelector.matchLabels: "statefulset.kubernetes.io/pod-name" differs per Pod: no identity has it' \
	'np["db-from-web"]["spec"]["ingress"][0]["from"][0]["podSelector"] = {"matchExpressions": [{"key": "pod-template-hash", "operator": "Exists"}]}|spec.ingress\[0\].from\[0\].podSelector.matchExpressions\[0\].key: "pod-template-hash" differs per Pod: no identity has it' \
	'np["db-from-web"]["apiVersion"] = "extensions/v1beta1"|apiVersion: "extensions/v1beta1" is not networking.k8s.io/v1'; do
	np_bad "${c%%|*}"
	assert "k8s NetworkPolicy: refused, named, the others enforced: ${c##*|}" all \
		grep -q "NetworkPolicy shop/db-from-web (items\[[0-9]*\]): ${c##*|}" "$t/np.err" :: \
		not grep -q '"shop/db-from-web"' "$t/np.json" :: grep -q '"shop/web-egress"' "$t/np.json"
done

# policy explain: which policy judges a connection, from the intent.
"$tool" k8s node node-b "$objs" "$np" >"$t/np.json" 2>/dev/null
explain='import json, sys
j = json.load(sys.stdin)
def v(x):
    return "%s:%s %s:%s" % (x["egress"]["action"], ",".join(x["egress"].get("policies", [])) or "-",
                            x["ingress"]["action"], ",".join(x["ingress"].get("policies", [])) or "-")
print(j["verdict"], " ".join(v(b) for b in j["backends"]) if "backends" in j else v(j))'
explained() { "$tool" -j policy explain -f "$t/np.json" "$@" | python3 -c "$explain"; }
assert "policy explain: web -> db 5432 allowed at ingress by db-from-web, at egress by web-egress" \
	[ "$(explained 10.244.1.5 10.244.2.7 5432)" = "allow allow:shop/web-egress allow:shop/db-from-web" ]
assert "policy explain: web -> db 80 denied by the isolation both policies of db make" \
	[ "$(explained 10.244.1.5 10.244.2.7 tcp/80)" = "deny allow:shop/web-egress deny:shop/db-from-office,shop/db-from-web" ]
assert "policy explain: to db's cluster IP, judged at its backend" \
	[ "$(explained 10.244.1.5 10.96.0.20 5432)" = "allow allow:shop/web-egress allow:shop/db-from-web" ]
assert "policy explain: from the ipBlock's except: denied; from the rest of the block: allowed" all \
	[ "$(explained 10.1.2.3 10.244.2.7 8000)" = "deny allow:- deny:shop/db-from-office,shop/db-from-web" ] :: \
	[ "$(explained 10.2.3.4 10.244.2.7 8000)" = "allow allow:- allow:shop/db-from-office" ]
assert "policy explain: web's DNS by its named port allowed; anything else out of web denied at egress" all \
	[ "$(explained 10.244.1.5 10.244.3.2 udp/53)" = "allow allow:shop/web-egress allow:-" ] :: \
	[ "$(explained 10.244.1.5 8.8.8.8 443)" = "deny deny:shop/web-egress allow:-" ]
expect_out "policy explain: the text names the client, the server, the rule and its policies" \
	'client 10\.244\.1\.5: workload shop/web-1, service 0x[0-9a-f]{16} \{app=web,' \
	"$tool" policy explain -f "$t/np.json" 10.244.1.5 10.244.2.7 80
assert "policy explain: ... the deny, with both policies" \
	grep -q '^ingress: deny by rule client any server {app=db,.*}, policy shop/db-from-office, shop/db-from-web$' <<<"$out"
expect "policy explain: a bad protocol is a usage error" 2 'Error: "icmp" is not tcp, udp or sctp' \
	"$tool" policy explain -f "$t/np.json" 10.244.1.5 10.244.2.7 icmp/80
expect "policy explain: a bad address is a usage error" 2 'Error: "10.244.1" is not an IPv4 or IPv6 address' \
	"$tool" policy explain -f "$t/np.json" 10.244.1 10.244.2.7 80
expect "policy explain: port 0 is a usage error" 2 "Error: port 0 is out of range [1, 65535]" \
	"$tool" policy explain -f "$t/np.json" 10.244.1.5 10.244.2.7 0
expect "policy explain: without -f, a usage error" 2 "Error: policy explain needs -f FILE" \
	"$tool" policy explain 10.244.1.5 10.244.2.7 80
expect "policy explain: an intent that cannot be read" 1 'Error: cannot read "/nonexistent": No such file or directory' \
	"$tool" policy explain -f /nonexistent 10.244.1.5 10.244.2.7 80

# k8s entries: the tables per identity against per-address entries.
run "$tool" -j k8s entries node node-b "$objs" "$np"
echo "$out" >"$t/e1.json"
assert "k8s entries: the rules and peers idmesh installs, and the address pairs they stand for" \
	[ "$(jget "$t/e1.json" '(j["services"], j["rules"], j["rules_egress"], j["peers"], j["address_entries"])')" = "(3, 6, 3, 4, 12)" ]
objs_with "$t/scaled.json" '
import copy
for i in range(3, 9):
    p = copy.deepcopy(by["Pod/web-2"])
    p["metadata"]["name"] = "web-%d" % i
    p["status"]["podIP"] = "10.244.2.%d" % (20 + i)
    p["status"]["podIPs"] = [{"ip": p["status"]["podIP"]}]
    objs.append(p)'
run "$tool" -j k8s entries node node-b "$t/scaled.json" "$np"
echo "$out" >"$t/e2.json"
assert "k8s entries: web scaled 2 -> 8 Pods: not one rule more, the per-address entries grow with it" \
	[ "$(jget "$t/e2.json" '(j["services"], j["rules"], j["peers"], j["servers"], j["address_entries"])')" = "(3, 6, 4, 10, 42)" ]

tap_end
