#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Kubernetes NetworkPolicy enforced by identity (Documentation/
# identity.rst, "NetworkPolicy"), as the upstream e2e suite checks it
# (test/e2e/network/netpol): namespaces x, y, z with pods a, b, c
# serving 80 and 81 (TCP, UDP, SCTP), b's on node b and the others on
# node a, coredns behind its cluster IP on node b, and two addresses
# outside the cluster (ext: 172.20.1.2 and 172.20.2.2) behind node a:
#
#   x/a x/c y/a ... --pairs-- a ==remote link== b --pairs-- x/b y/b z/b dns
#                             |
#                            ext
#
# Each case applies what "idmesh k8s node" makes of the cluster and its
# policies on both nodes, then probes every client against every pod at
# once and compares the whole table with the one the case expects.
source "$(dirname "$0")/lib.sh"
require_module

s=inp$$
A=$s-a B=$s-b X=$s-ext
MODEL=$top/selftests/k8s/netpol-model.yaml
pods="x/a x/b x/c y/a y/b y/c z/a z/b z/c kube-system/coredns-1"

ns_new $A $B $X
two_nodes $A $B
track_path "$tap_out".*
# Replies to ext leave node b over the underlay, requests came over the link.
nsx $B sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
ip -n $B route add 172.20.0.0/16 via 192.168.70.1
ip link add ext0 netns $A type veth peer name eth0 netns $X
ip -n $A addr add 172.20.0.1/16 dev ext0
ip -n $X addr add 172.20.1.2/16 dev eth0
ip -n $X addr add 172.20.2.2/16 dev eth0
ip -n $A link set ext0 up
ip -n $X link set eth0 up
ip -n $X route add default via 172.20.0.1

# The pods' pairs, as the CNI plugin makes them, and what the prober knows.
pod_ns() { case $1 in kube-system/*) echo "$s-dns" ;; *) echo "$s-${1/\//}" ;; esac; }
{
	for n in a b; do
		echo "$n pairs:"
		for p in $pods; do
			ip=$(awk -v ns="${p%/*}" -v n="${p#*/}" '
				/^metadata:/ { m = ($0 ~ "name: " n ", namespace: " ns "[,}]") }
				m && /podIP:/ { sub(/.*podIP: /, ""); sub(/,.*/, ""); print; exit }' "$MODEL")
			node=$(awk -v ns="${p%/*}" -v n="${p#*/}" '
				/^metadata:/ { m = ($0 ~ "name: " n ", namespace: " ns "[,}]") }
				m && /nodeName:/ { print $2; exit }' "$MODEL")
			[ "$node" = node-$n ] || continue
			echo "  - {name: $("$IDMESH" k8s dev "${p%/*}" "${p#*/}"), peer: eth0," \
				"netns: $(pod_ns "$p"), routes: [$ip/32], peer-addresses: [$ip/32]," \
				"peer-routes: [0.0.0.0/0]}"
			echo "$p $ip" >>"$tap_out.ips"
		done
	done
} >"$tap_out.pairs"
for p in $pods; do
	ns_new "$(pod_ns "$p")"
done
for n in a b; do
	N=$A
	[ $n = b ] && N=$B
	sed -n "/^$n pairs:/,/^[ab] pairs:/p" "$tap_out.pairs" | sed '1s/.*/pairs:/; /^[ab] pairs:/d' \
		>"$tap_out.pairs-$n.yaml"
	expect "node $n: the pods' pairs" 0 "" I $N apply -f "$tap_out.pairs-$n.yaml"
done
$PY - "$s" "$tap_out.ips" >"$tap_out.pods.json" <<'EOF'
import json, sys
s, pods = sys.argv[1], {}
for line in open(sys.argv[2]):
    name, ip = line.split()
    short = "dns" if name.startswith("kube-system/") else name
    pods[short] = {"netns": f"{s}-dns" if short == "dns" else f"{s}-{name.replace('/', '')}", "ip": ip,
                   "role": "server" if short == "dns" else "pod"}
order = [f"{n}/{p}" for n in "xyz" for p in "abc"] + ["dns"]
out = {k: pods[k] for k in order}
out["vip"] = {"ip": "10.96.0.10", "role": "vip", "port": 53, "proto": "udp"}
out["ext1"] = {"netns": f"{s}-ext", "ip": "172.20.1.2", "role": "client", "sport": 40000}
out["ext2"] = {"netns": f"{s}-ext", "ip": "172.20.2.2", "role": "client", "sport": 40000}
json.dump(out, sys.stdout)
EOF
nsx $A $PY "$top/selftests/netpol.py" serve "$tap_out.pods.json" >"$tap_out.serve" 2>&1 &
track_pid $!
py_start $A
assert "every pod serves" wait_until 60 grep -q serving "$tap_out.serve"

# policy NAME: the policies of the case from standard input (YAML, as
# "kubectl get -o yaml" prints them, documents of kind NetworkPolicy),
# on both nodes, with the cluster of MODEL.
policy() {
	local n N
	cat >"$tap_out.pol.yaml"
	for n in a b; do
		N=$A
		[ $n = b ] && N=$B
		# shellcheck disable=SC2046
		"$IDMESH" k8s node node-$n "$MODEL" $([ -s "$tap_out.pol.yaml" ] && echo "$tap_out.pol.yaml") \
			>"$tap_out.int-$n.json" 2>"$tap_out.k8s-$n" &&
			I $N apply -f "$tap_out.int-$n.json" >/dev/null 2>>"$tap_out.k8s-$n" || {
			tap_fail "$1: the intent of node $n"
			tap_diag <"$tap_out.k8s-$n"
			return 1
		}
	done
}
# reach NAME PORT PROTO EXPECT: the whole table is what EXPECT says
# (selftests/netpol.py: "all", "none", "A->B", "!A->B", "self").
reach() {
	local out rc
	out=$(py $A netpol probe "$tap_out.pods.json" "$2" "$3" "$4" 2>&1)
	rc=$?
	if [ $rc = 0 ]; then
		tap_pass "$1 ($3/$2)"
	else
		tap_fail "$1 ($3/$2)"
		{
			echo "$out"
			echo "node a's tables:"
			I $A -s sacl show
		} | tap_diag
	fi
	return $rc
}

## Before any policy: every pod reaches every pod
policy "no policy" </dev/null
if ! reach "no policy: every client reaches every pod" 80 tcp "all"; then
	# Nothing else can pass: say why, and stop.
	{
		cat "$tap_out.serve" "$tap_out.k8s-a" "$tap_out.k8s-b"
		ip -n $A route
		ip -n $B route
		I $A link show
	} 2>&1 | tap_diag
	tap_end
fi
reach "no policy: ... and over UDP" 80 udp "all"
reach "no policy: coredns answers through its cluster IP" 53 udp "all"
if [ -d /proc/sys/net/sctp ]; then
	reach "no policy: ... and over SCTP" 81 sctp "all"
else
	tap_skip "no policy: SCTP (no SCTP in this kernel)"
fi

## Default deny ingress in x
policy "deny ingress" <<'EOF'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-ingress, namespace: x}
spec:
  podSelector: {}
  policyTypes: [Ingress]
EOF
reach "default deny ingress: nothing reaches x but itself" 80 tcp "all; !*->x/*; self"
reach "default deny ingress: ... over UDP alike" 81 udp "all; !*->x/*; self"
assert "default deny ingress: the drops are counted on the rule that isolates x ..." \
	eval '[ "$(I $A -j -s sacl show rules | jq "[.[] | select(.client_bits == 0 and .action == \"deny\") | .stats.drops] | add")" -gt 0 ]'
assert "... and on its policy (policy show)" \
	eval '[ "$(I $A -j policy show -f "$tap_out.int-a.json" | jq ".[] | select(.name == \"x/deny-ingress\") | .drops")" -gt 0 ]'

## Default deny egress in x (and its pods still answer)
policy "deny egress" <<'EOF'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-egress, namespace: x}
spec:
  podSelector: {}
  policyTypes: [Egress]
EOF
reach "default deny egress: x reaches nothing but itself; others still reach x" 80 tcp "all; !x/*->*; self"

## Allow from the same namespace
policy "same namespace" <<'EOF'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-x, namespace: x}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
  - from:
    - podSelector: {}
EOF
reach "allow from the same namespace: x from x alone" 80 tcp "all; !*->x/*; x/*->x/*"

## Allow from a namespace by its label, to one pod
policy "namespace by label" <<'EOF'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-from-y, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {ns: y}}
EOF
reach "allow from a namespace by label: x/a from y alone" 80 tcp "all; !*->x/a; y/*->x/a; self"

## A pod AND its namespace
policy "pod and namespace" <<'EOF'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-from-yb, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - namespaceSelector:
        matchExpressions: [{key: ns, operator: In, values: [y]}]
      podSelector:
        matchExpressions: [{key: pod, operator: In, values: [b]}]
EOF
reach "podSelector AND namespaceSelector: x/a from y/b alone" 80 tcp "all; !*->x/a; y/b->x/a; self"

## Ports: by number, by name, a range
policy "port by number" <<'EOF'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-81, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {ns: y}}
    ports:
    - {protocol: TCP, port: 81}
EOF
reach "a port by number: x/a from y on 81 ..." 81 tcp "all; !*->x/a; y/*->x/a; self"
reach "a port by number: ... and from no one on 80" 80 tcp "all; !*->x/a; self"
if [ -d /proc/sys/net/sctp ]; then
	reach "a port by number: ... and TCP's alone: not SCTP's 81" 81 sctp "all; !*->x/a; self"
else
	tap_skip "a port by number: SCTP (no SCTP in this kernel)"
fi
policy "port by name" <<'EOF'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-serve-81-udp, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Ingress]
  ingress:
  - ports:
    - {protocol: UDP, port: serve-81-udp}
EOF
reach "a port by name (serve-81-udp): x/a from everyone on UDP 81 ..." 81 udp "all"
reach "a port by name: ... not on UDP 80" 80 udp "all; !*->x/a; self"
policy "endPort" <<'EOF'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-81-90, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - podSelector: {}
      namespaceSelector: {}
    ports:
    - {protocol: TCP, port: 81, endPort: 90}
EOF
reach "endPort 81-90: x/a from every pod on 81 (ext is no pod) ..." 81 tcp "all; !ext*->x/a"
reach "endPort: ... and from no one on 80" 80 tcp "all; !*->x/a; self"

## ipBlock with except (addresses outside the cluster)
policy "ipBlock" <<'EOF'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-from-office, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - ipBlock:
        cidr: 172.20.0.0/16
        except: [172.20.2.0/24]
EOF
reach "ipBlock 172.20/16 except 172.20.2/24: x/a from ext1 alone" 80 tcp "all; !*->x/a; ext1->x/a; self"

## Egress to one namespace, and DNS by kube-dns's labels
policy "egress to y and DNS" <<'EOF'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-to-y, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector: {matchLabels: {ns: y}}
  - to:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
      podSelector: {matchLabels: {k8s-app: kube-dns}}
    ports:
    - {protocol: UDP, port: 53}
EOF
reach "egress to y: x/a reaches y alone" 80 tcp "all; !x/a->*; x/a->y/*; self"
reach "egress DNS: x/a asks coredns, by its cluster IP too (judged after the VIP's NAT)" 53 udp \
	"all; !x/a->*; x/a->y/*; x/a->dns; x/a->vip; self"

## Two policies: their union
policy "union" <<'EOF'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-from-y, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {ns: y}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-from-zc, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {ns: z}}
      podSelector: {matchLabels: {pod: c}}
    ports:
    - {protocol: TCP, port: 80}
EOF
reach "two policies: x/a from y, and from z/c on 80" 80 tcp "all; !*->x/a; y/*->x/a; z/c->x/a; self"
reach "two policies: ... on 81 from y alone" 81 tcp "all; !*->x/a; y/*->x/a; self"

## Labels of a running pod change: its identity and its access with them
cat >"$tap_out.relabel.yaml" <<'EOF'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-from-updated, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - podSelector: {matchLabels: {pod2: updated}}
EOF
policy "before the update" <"$tap_out.relabel.yaml"
reach "x/a from pods labelled pod2=updated: none yet" 80 tcp "all; !*->x/a; self"
sed 's/^metadata: {name: b, namespace: x, labels: {pod: b}}$/metadata: {name: b, namespace: x, labels: {pod: b, pod2: updated}}/' \
	"$MODEL" >"$tap_out.relabel-model.yaml"
MODEL=$tap_out.relabel-model.yaml policy "x/b relabelled" <"$tap_out.relabel.yaml"
reach "x/b labelled pod2=updated: it reaches x/a now" 80 tcp "all; !*->x/a; x/b->x/a; self"
# The label removed again while x/b holds a connection to x/a: the
# connection keeps its old identity, which no rule allows any more.
nsx $s-xa $PY "$top/selftests/lbtool.py" serve xa 8080 &
track_pid $!
wait_until 60 tcp_listening $s-xa 8080
cat >"$tap_out.back.sh" <<EOF
set -e
for n in a b; do
	N=$A
	[ \$n = b ] && N=$B
	$IDMESH k8s node node-\$n $MODEL $tap_out.relabel.yaml >$tap_out.back-\$n.json
	$IDMESH -n \$N apply -f $tap_out.back-\$n.json >/dev/null
done
EOF
run nsx $s-xb env LBTOOL_TIMEOUT=3 $PY "$top/selftests/lbtool.py" conns 10.70.1.11 8080 1 "bash $tap_out.back.sh"
check "the label removed with a connection held: it was answered before, not after" \
	'.cmd == 0 and .before == ["xa"] and .after == [null]'
reach "... and new connections from x/b are denied" 80 tcp "all; !*->x/a; self"

## The policies deleted: connectivity is back
policy "deleted" </dev/null
reach "every policy deleted: every client reaches every pod again" 80 tcp "all"
assert "every policy deleted: no rule and no peer left on either node" all \
	[ "$(I $A -j sacl show rules | jq length)" = 0 ] :: [ "$(I $B -j sacl show peers | jq length)" = 0 ]

tap_end
