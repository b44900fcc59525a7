#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cluster.json: two Services made by "kubectl create service" and the
# objects of objects.yaml, as kubectl prints them (no cluster needed);
# netpol.json: netpol.yaml's.
# Run after changing objects.yaml.
set -e
cd "$(dirname "$0")"
ns='{"metadata":{"namespace":"shop"}}'
{
	kubectl create service clusterip web --tcp=80:8080 --clusterip=10.96.0.10 \
		--dry-run=client -o json |
		kubectl patch --local -f - --type merge -p "$ns" -o json
	kubectl create service clusterip db --tcp=5432:5432 --clusterip=10.96.0.20 \
		--dry-run=client -o json |
		kubectl patch --local -f - --type merge -p "$ns" -o json
	kubectl annotate --local -f objects.yaml idmesh.io/fixture=1 -o json
} > cluster.json.new
mv cluster.json.new cluster.json
kubectl annotate --local -f netpol.yaml idmesh.io/fixture=1 -o json > netpol.json.new
mv netpol.json.new netpol.json
