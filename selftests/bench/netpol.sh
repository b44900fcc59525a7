#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench-netpol: NetworkPolicy's entry counts, by identity against by
# address, for a generated cluster of 1,000 Pods (PODS): 10 Nodes, 10
# namespaces with 5 Deployments each (web, api, db, cache, worker; 20
# Pods each), kube-dns, and 6 policies per namespace as teams write
# them (default deny, web from anywhere on 443, api from web, db and
# cache from api, worker's egress to db and DNS). Printed: what "idmesh
# k8s entries" counts for node-0, then again with one Deployment scaled
# from 20 to 60 Pods. Host only; prints, never asserts
# (Documentation/benchmarks.rst has a run's figures).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
tool=$top/userspace/idmesh
pods=${PODS:-1000}
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
[ -x "$tool" ] || make -s -C "$top/userspace" idmesh

# gen OUT SCALE: the cluster, team-0's web with SCALE times its Pods.
gen() {
	/usr/bin/python3 - "$1" "$pods" "$2" <<'EOF'
import json, sys
out, total, scale = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
apps = ["web", "api", "db", "cache", "worker"]
per = max(1, total // (10 * len(apps)))
objs = []
for n in range(10):
    objs.append({"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"node-{n}"},
                 "spec": {"podCIDRs": [f"10.{100 + n}.0.0/16"]},
                 "status": {"addresses": [{"type": "InternalIP", "address": f"192.168.1.{n + 1}"}]}})
def pod(ns, name, labels, ip, node, ports):
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": ns, "labels": labels},
            "spec": {"nodeName": node, "containers": [{"name": "c", "image": "x", "ports": ports}]},
            "status": {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}]}}
k = 0
for t in range(10):
    ns = f"team-{t}"
    objs.append({"apiVersion": "v1", "kind": "Namespace",
                 "metadata": {"name": ns, "labels": {"kubernetes.io/metadata.name": ns, "team": str(t)}}})
    for a, app in enumerate(apps):
        n = per * (scale if (t, app) == (0, "web") else 1)
        for i in range(n):
            node = k % 10
            ip = f"10.{100 + node}.{(k // 10) // 250}.{(k // 10) % 250 + 2}"
            k += 1
            objs.append(pod(ns, f"{app}-{i}", {"app": app, "pod-template-hash": "5d8f"}, ip,
                            f"node-{node}", [{"name": "http", "containerPort": 8080}]))
for i in range(2):
    objs.append(pod("kube-system", f"coredns-{i}", {"k8s-app": "kube-dns"}, f"10.100.255.{i + 2}",
                    f"node-{i}", [{"name": "dns", "containerPort": 53, "protocol": "UDP"}]))
def np(ns, name, sel, types, ingress=None, egress=None):
    spec = {"podSelector": sel, "policyTypes": types}
    if ingress is not None:
        spec["ingress"] = ingress
    if egress is not None:
        spec["egress"] = egress
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": ns}, "spec": spec}
app = lambda a: {"matchLabels": {"app": a}}
for t in range(10):
    ns = f"team-{t}"
    objs += [
        np(ns, "default-deny", {}, ["Ingress"]),
        np(ns, "web", app("web"), ["Ingress"], [{"from": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}}],
                                                 "ports": [{"port": 443}]}]),
        np(ns, "api", app("api"), ["Ingress"], [{"from": [{"podSelector": app("web")}], "ports": [{"port": "http"}]}]),
        np(ns, "db", app("db"), ["Ingress"], [{"from": [{"podSelector": app("api")}], "ports": [{"port": 5432}]}]),
        np(ns, "cache", app("cache"), ["Ingress"], [{"from": [{"podSelector": app("api")}], "ports": [{"port": 6379}]}]),
        np(ns, "worker", app("worker"), ["Egress"], egress=[
            {"to": [{"podSelector": app("db")}], "ports": [{"port": 5432}]},
            {"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                     "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
             "ports": [{"port": 53, "protocol": "UDP"}]}]),
    ]
json.dump({"apiVersion": "v1", "kind": "List", "items": objs}, open(out, "w"))
EOF
}

report() {
	"$tool" -j k8s entries node node-0 "$1" | /usr/bin/python3 -c '
import json, sys
j = json.load(sys.stdin)
print("  %-22s %5d Pods, %3d identities, %3d policies in the intent" % (sys.argv[1], j["workloads"], j["services"], j["policies"]))
print("  %-22s rules %d (egress %d), peers %d, server entries %d, client entries %d" %
      ("  idmesh:", j["rules"], j["rules_egress"], j["peers"], j["servers"], j["clients"]))
print("  %-22s policy entries %d: %.0fx the rules" % ("  by address:", j["address_entries"],
      j["address_entries"] / max(1, j["rules"])))' "$2"
}

echo "NetworkPolicy entries, node-0 of a generated cluster (idmesh k8s entries):"
gen "$t/c1.json" 1
s=$(date +%s%N)
report "$t/c1.json" "$pods Pods"
echo "  (derived in $(( ($(date +%s%N) - s) / 1000000 )) ms)"
gen "$t/c3.json" 3
report "$t/c3.json" "team-0's web x3"
