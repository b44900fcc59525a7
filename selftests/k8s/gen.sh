#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The cluster's objects as kubectl prints them (no cluster needed), one
# file per moment: web with 3 endpoints (web3.json), scaled to 5
# (web5.json), then with web-2 terminating (web5t.json). Run after
# changing a YAML file here.
set -e
cd "$(dirname "$0")"
for s in 3 5 5t; do
	{
		kubectl create service clusterip web --tcp=80:8080 --clusterip=10.96.0.10 \
			--dry-run=client -o json |
			kubectl patch --local -f - --type merge \
				-p '{"metadata":{"namespace":"shop"}}' -o json
		kubectl annotate --local -f base.yaml idmesh.io/fixture=1 -o json
		kubectl annotate --local -f slice$s.yaml idmesh.io/fixture=1 -o json
	} >web$s.json.new
	mv web$s.json.new web$s.json
done
