#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The identity controller (idmesh apply) on two gateways. A client node
# (a) with two pods, a server node (b) with one, over a routed IPv6 link:
#
#   c1 --pair-- a --veth-- b --pair-- s1
#   c2 --pair--/
#
# Each node gets its own intent (the same workloads and policies; its
# own ports, and its own workloads marked by "dev"). Default deny; one
# policy lets app=web reach app=db. c1 is web, c2 is batch: c1 reaches s1,
# c2 does not. Then c2 becomes web: re-applying changes exactly c2's
# entries, and c2 reaches s1.
source "$(dirname "$0")/lib.sh"
require_module

s=idi$$
A=$s-a B=$s-b C1=$s-c1 C2=$s-c2 S1=$s-s1
ALL="$A $B $C1 $C2 $S1"
LB="$PY $top/selftests/lbtool.py"
dir=$(mktemp -d)
track_path "$dir"

ns_new $ALL
py_start $C1 $C2
for ns in $A $B; do nsx $ns sysctl -qw net.ipv6.conf.all.forwarding=1; done
# pod NODE POD HOSTSIDE V6: a pair; the pod is ::2, the node ::1.
pod46 $A $C1 c1 - fd10:1
pod46 $A $C2 c2 - fd10:2
pod46 $B $S1 s1 - fd20:1
ip link add ua netns $A type veth peer name ub netns $B
ip -n $A -batch - <<-EOB
	link set ua up
	addr add fd00::1/64 dev ua nodad
	route add fd20::/16 via fd00::2
EOB
ip -n $B -batch - <<-EOB
	link set ub up
	addr add fd00::2/64 dev ub nodad
	route add fd10::/16 via fd00::1
EOB
nsx $S1 $LB serve s1 80 &
wait_until 20 tcp_listening $S1 80

# intent NODE C2APP: the intent of node a or b, with c2's app label.
# node_ports NODE: the ports of node a or b, and the "dev" of each workload
# on it, into the caller's ports, adev, cdev and bdev.
node_ports() {
	if [ "$1" = a ]; then
		ports='["c1", "c2"]' adev=', "dev": "c1"' cdev=', "dev": "c2"'
	else
		ports='["s1"]' bdev=', "dev": "s1"'
	fi
}

intent() {
	local node=$1 app=$2 adev= cdev= bdev= ports
	node_ports "$node"
	cat <<-EOJ
	{
	  "ports": $ports,
	  "default": "deny",
	  "service-keys": ["app", "tier"],
	  "workloads": [
	    {"name": "c1", "address": "fd10:1::2"$adev, "labels": {"app": "web", "pod": "c1"}},
	    {"name": "c2", "address": "fd10:2::2"$cdev, "labels": {"app": "$app", "pod": "c2"}},
	    {"name": "s1", "address": "fd20:1::2", "protocol": "tcp", "port": 80$bdev,
	     "labels": {"app": "db", "tier": "back"}}
	  ],
	  "policies": [
	    {"name": "web-db",
	     "client": [{"key": "app", "operator": "in", "values": ["web"]}],
	     "server": [{"key": "app", "operator": "in", "values": ["db"]},
	                {"key": "tier", "operator": "not_in", "values": ["front"]}],
	     "priority": "1:3"}
	  ]
	}
	EOJ
}
for n in a b; do
	intent $n batch >"$dir/$n.json"
	intent $n web >"$dir/$n-web.json"
done
# id NAME: a Service's ID in the dry run of a's intent ($1: the file).
svc_id() { "$IDMESH" -j apply -f "$1" --dry-run | jq -r --arg n "$2" '.services[] | select(.name == $n) | .id'; }
web=$(svc_id "$dir/a.json" app=web)
batch=$(svc_id "$dir/a.json" app=batch)
db=$(svc_id "$dir/a.json" app=db,tier=back)
assert "dry run: three Services (the pod label does not count), three IDs" \
	test -n "$web" -a -n "$batch" -a -n "$db" -a "$web" != "$batch"
assert "... the same IDs on the other node (a keyed hash, no coordinator)" \
	[ "$(svc_id "$dir/b.json" app=db,tier=back)" = "$db" ]

## first apply
run I $B -j apply -f "$dir/b.json"
check "b: applied (port s1, 3 servers, 1 client, 1 rule, default deny)" \
	'.removed == [] and (.added | length) == 6 and .default == "deny"'
run I $A -j apply -f "$dir/a.json"
check "a: applied (ports c1 c2, 2 clients, 3 servers, 1 rule)" \
	'.removed == [] and (.added | length) == 8 and .default == "deny"'
run I $B -j sacl show
dec() { printf '%u' "$1"; }
check "b's tables: what the intent says" \
	'(.ports | map(.dev)) == ["s1"] and
	 (.clients | map([.addr, .id])) == [["fd20:1::2", $db]] and
	 (.rules | map([.client, .server, .action, .priority])) == [[$web, $db, "allow", 65539]] and
	 .settings.default == "deny"' \
	--argjson web "$(dec "$web")" --argjson db "$(dec "$db")"
run I $A -j sacl show clients
check "a's clients: c1 as web, c2 as batch" \
	'map([.addr, .id]) == [["fd10:1::2", $web], ["fd10:2::2", $batch]]' \
	--argjson web "$(dec "$web")" --argjson batch "$(dec "$batch")"

run py $C1 lbtool new fd20:1::2 80 1
check "policy web-db: c1 (web) reaches s1 (db)" '.counts.s1 == 1'
LBTOOL_TIMEOUT=2 run py $C2 lbtool new fd20:1::2 80 1
check "no policy for batch, default deny: c2 does not reach s1" '.counts.none == 1'

## idempotent
run I $A -j apply -f "$dir/a.json"
check "a: the same intent again changes nothing" '.removed == [] and .added == [] and .default == null'
run I $A apply -f "$dir/a.json"
assert "... and says nothing" [ -z "$out" ]

## one label changed: exactly c2's entries
run I $A -j apply -f "$dir/a-web.json"
check "a: c2 becomes web: its client and server entries re-keyed, nothing else" \
	'(.removed | sort) == (["client fd10:2::2 dev c2 id " + $batch, "server fd10:2::2 id " + $batch] | sort) and
	 (.added | sort) == (["client fd10:2::2 dev c2 id " + $web, "server fd10:2::2 id " + $web] | sort)' \
	--arg web "$web" --arg batch "$batch"
run I $B -j apply -f "$dir/b-web.json"
check "b: only c2's server entry changes (the rule for web exists)" \
	'.removed == ["server fd10:2::2 id " + $batch] and .added == ["server fd10:2::2 id " + $web]' \
	--arg web "$web" --arg batch "$batch"
run py $C2 lbtool new fd20:1::2 80 1
check "traffic follows: c2 (web now) reaches s1" '.counts.s1 == 1'
run I $B -j -s sacl show rules
check "... through the rule, which counted the connections" '.[0].stats.hits > 0 and .[0].stats.drops == 0'

## nothing half-applied
run I $A -j sacl show
before=$out
IDMESH_TEST_FAIL_CHANGE=3 run "$IDMESH_FAULTS" -n $A apply -f "$dir/a.json"
assert "a change the kernel refuses (the 3rd of 4): apply fails" [ "$rc" = 1 ]
assert "... prints the kernel's reason, undoes the first two, says nothing changed" \
	grep -qz "Error: .*out of range.*undoing 2 change(s).*Nothing changed." <<<"$err"
echo "$err" | tap_diag
run I $A -j sacl show
assert "... the tables are as before" [ "$out" = "$before" ]
mkdir -p "$dir/x"
sed 's/"ports": \["c1", "c2"\]/"ports": ["c1", "c2", "c9"]/' "$dir/a.json" >"$dir/x/nodev.json"
expect "a port that is not here: refused before any change" 1 \
	"Error: $dir/x/nodev.json: ports: no device \"c9\" in this namespace; nothing changed" \
	I $A apply -f "$dir/x/nodev.json"
run I $A -j sacl show
assert "... the tables are as before" [ "$out" = "$before" ]
sed 's/"in", "values": \["web"\]/"in", "values": []/' "$dir/a.json" >"$dir/x/empty.json"
expect "an empty selector value list: the file, the path, the reason" 1 \
	"Error: $dir/x/empty.json: policies[0].client[0].values: needs at least one value" \
	I $A apply -f "$dir/x/empty.json"

## an entry nobody asked for is removed
I $A sacl rule add client 7 server 8 deny
run I $A -j apply -f "$dir/a-web.json"
check "an entry the intent does not name is removed" \
	'.removed == ["rule client 0x0000000000000007 server 0x0000000000000008 deny"] and .added == []'

## back to batch: c2 is denied again
run I $A -j apply -f "$dir/a.json"
run I $B -j apply -f "$dir/b.json"
LBTOOL_TIMEOUT=2 run py $C2 lbtool new fd20:1::2 80 1
check "c2 back to batch: denied again" '.counts.none == 1'
run py $C1 lbtool new fd20:1::2 80 1
check "... c1 still allowed" '.counts.s1 == 1'

## structured IDs: one rule for a tenant's group of Services
# tenants NODE C2TENANT: c1 and s1 are tenant red; c2 is C2TENANT.
tenants() {
	local node=$1 ports adev= cdev= bdev=
	node_ports "$node"
	cat <<-EOJ
	{
	  "ports": $ports,
	  "default": "deny",
	  "ids": {"structured": [{"label": "tenant", "bits": 16}]},
	  "workloads": [
	    {"name": "c1", "address": "fd10:1::2"$adev, "labels": {"tenant": "red", "app": "web"}},
	    {"name": "c2", "address": "fd10:2::2"$cdev, "labels": {"tenant": "$2", "app": "batch"}},
	    {"name": "s1", "address": "fd20:1::2"$bdev, "labels": {"tenant": "red", "app": "db"}}
	  ],
	  "policies": [
	    {"name": "red-inside",
	     "client": [{"key": "tenant", "operator": "in", "values": ["red"]}],
	     "server": [{"key": "tenant", "operator": "in", "values": ["red"]}]}
	  ]
	}
	EOJ
}
for n in a b; do
	tenants $n blue >"$dir/$n-t.json"
	tenants $n red >"$dir/$n-t-red.json"
done
run "$IDMESH" -j apply -f "$dir/b-t.json" --dry-run
red=$(jq -r '.services[] | select(.labels.app == "db") | .id' <<<"$out")
check "dry run: red's Services share their top 16 bits; the policy is one group rule" \
	'(.services | map(select(.labels.tenant == "red") | .id[0:6]) | unique | length) == 1 and
	 (.rules | length) == 1 and .rules[0].client_bits == 16 and .rules[0].server_bits == 16 and
	 .rules[0].client == .rules[0].server and .rules[0].client_service == "tenant=red"'
prefix=$(printf '0x%s000000000000' "${red:2:4}")
run I $B -j apply -f "$dir/b-t.json"
run I $A -j apply -f "$dir/a-t.json"
run I $B sacl show rules
assert "b: the group rule, shown with its prefix lengths" \
	[ "$out" = "rule client $prefix/16 server $prefix/16 allow" ]
run py $C1 lbtool new fd20:1::2 80 1
check "the group rule lets c1 (red) reach s1 (red)" '.counts.s1 == 1'
LBTOOL_TIMEOUT=2 run py $C2 lbtool new fd20:1::2 80 1
check "c2 (blue) is denied" '.counts.none == 1'
run I $B -j apply -f "$dir/b-t-red.json"
check "c2 joins red: b changes only c2's server entry, no rule" \
	'(.removed | length) == 1 and (.added | length) == 1 and (.added[0] | startswith("server fd10:2::2 id "))'
I $A apply -f "$dir/a-t-red.json" >/dev/null
run py $C2 lbtool new fd20:1::2 80 1
check "... and reaches s1 through the same group rule" '.counts.s1 == 1'
c2id=$("$IDMESH" -j apply -f "$dir/b-t-red.json" --dry-run | jq -r '.services[] | select(.labels.app == "batch") | .id')
I $B sacl rule add client "$c2id" server "$red" deny
LBTOOL_TIMEOUT=2 run py $C2 lbtool new fd20:1::2 80 1
check "a rule for c2's own Service (deny) wins over the group's (allow)" '.counts.none == 1'
run py $C1 lbtool new fd20:1::2 80 1
check "... c1 still allowed by the group" '.counts.s1 == 1'
expect "a rule's ID with bits past its prefix length is refused" 2 \
	"Error: client \"0x1234/16\" has bits set past its prefix length" \
	I $B sacl rule add client 0x1234/16 server 1
run I $B -j apply -f "$dir/b-t-red.json"
check "re-applied: the hand-made rule is removed" \
	'.removed == ["rule client " + $c + " server " + $s + " deny"] and .added == []' \
	--arg c "$c2id" --arg s "$red"

tap_end
