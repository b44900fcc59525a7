#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Another cluster of the clusterset, from cluster.json (what kubectl
printed): a Node of the same name as one here (node-a) on another
underlay and pod CIDR, a db Pod on it with the labels of the db Pods
here, and its own Service web (never used: it would come as a
ServiceImport). Usage: cluster-b.py cluster.json OUT.json"""
import json
import sys

text, dec, objs, i = open(sys.argv[1]).read(), json.JSONDecoder(), [], 0
while text[i:].strip():
    v, i = dec.raw_decode(text, i + len(text[i:]) - len(text[i:].lstrip()))
    objs += v.get("items", [v])
by = {o["kind"] + "/" + o["metadata"]["name"]: o for o in objs}
node = json.loads(json.dumps(by["Node/node-a"]))
node["spec"] = {"podCIDR": "10.80.1.0/24", "podCIDRs": ["10.80.1.0/24"]}
node["status"]["addresses"] = [{"type": "InternalIP", "address": "192.168.51.1"}]
db = [o for o in objs if o["kind"] == "Pod" and o["metadata"]["labels"].get("app") == "db"][0]
pod = json.loads(json.dumps(db))
pod["metadata"]["name"] = "db-b1"
pod["spec"]["nodeName"] = "node-a"
pod["status"]["podIP"] = "10.80.1.5"
pod["status"]["podIPs"] = [{"ip": "10.80.1.5"}]
svc = json.loads(json.dumps(by["Service/web"]))
svc["spec"]["clusterIP"] = "10.96.7.7"
svc["spec"]["clusterIPs"] = ["10.96.7.7"]
with open(sys.argv[2], "w") as f:
    json.dump({"apiVersion": "v1", "kind": "List", "items": [node, pod, svc]}, f)
