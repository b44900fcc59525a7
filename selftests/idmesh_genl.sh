#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The idmesh generic netlink family as a user sees it through the tool:
# version and features, per-namespace settings, strict input checking,
# CAP_NET_ADMIN on changes.
source "$(dirname "$0")/lib.sh"
require_module

ns=idmesh-genl-$$

version=$(<"$top/VERSION")

# version
expect "version succeeds" 0 "" "$IDMESH" version
assert "version prints the module's version" \
	grep -qx "idmesh module $version, netlink family \"idmesh\" version 1" <<<"$out"
assert "version lists the features" grep -qx "features: netns config link maglev sacl" <<<"$out"
expect "version -j succeeds" 0 "" "$IDMESH" -j version
assert "version -j is valid JSON" jqt .
assert "version -j carries module version and features" \
	jqt '.module.version == $v and .tool.version == $v and
		.module.family_version == 1 and (.module.features | index("config")) != null' --arg v "$version"
assert "version -j agrees with modinfo" \
	[ "$(jq -r .module.version <<<"$out")" = "$(</sys/module/idmesh/version)" ]
expect "version -j -p succeeds" 0 "" "$IDMESH" -j -p version
assert "version -j -p is valid JSON on several lines" \
	test "$(jq -c . <<<"$out" | wc -l)" = 1 -a "$(wc -l <<<"$out")" -gt 3

# settings: defaults, set, show
expect "config show succeeds" 0 "" "$IDMESH" config show
assert "flow-limit defaults to 65536" [ "$(head -n1 <<<"$out")" = "flow-limit 65536" ]
expect "config set flow-limit 4096" 0 "" "$IDMESH" config set flow-limit 4096
expect "config show -j" 0 "" "$IDMESH" -j config show
assert "show prints what was set" jqt '.flow_limit == 4096 and .timeout_tcp == 900'

# bad input: kernel extack text, nothing changed
expect "flow-limit below the minimum is refused with the kernel's reason" 1 \
	"Error: integer out of range (valid: 64..16777216)" "$IDMESH" config set flow-limit 63
expect "flow-limit above the maximum is refused" 1 \
	"Error: integer out of range (valid: 64..16777216)" "$IDMESH" config set flow-limit 16777217
run "$IDMESH" config show
assert "a refused change changed nothing" [ "$(head -n1 <<<"$out")" = "flow-limit 4096" ]
# flow timeouts
run "$IDMESH" config show
assert "the SACL connections' own budget is shown, with its default" \
	[ "$(sed -n 2p <<<"$out")" = "sacl-flow-limit 65536" ]
assert "the per-port budget of SACL connections is shown, with its default" \
	[ "$(sed -n 3p <<<"$out")" = "sacl-port-flow-limit 16384" ]
assert "flow timeouts and their defaults are shown" [ "$(tail -n +4 <<<"$out" | tr '\n' ' ')" = \
	"timeout-tcp-syn 60 timeout-tcp 900 timeout-tcp-fin 30 timeout-udp 300 timeout-sctp 900 " ]
expect "timeouts are set together" 0 "" "$IDMESH" config set timeout-udp 5 timeout-tcp-fin 7
expect "a timeout of 0 is refused, with the range" 1 \
	"Error: integer out of range (valid: 1..604800)" "$IDMESH" config set timeout-udp 0 flow-limit 100
run "$IDMESH" -j config show
assert "a refused request changed none of its settings" \
	jqt '.timeout_udp == 5 and .timeout_tcp_fin == 7 and .flow_limit == 4096'
"$IDMESH" config set timeout-udp 300 timeout-tcp-fin 30
expect "flow-limit at the maximum is accepted" 0 "" "$IDMESH" config set flow-limit 16777216
expect "flow-limit at the minimum is accepted" 0 "" "$IDMESH" config set flow-limit 64

# per network namespace
ip netns add "$ns"
track_ns "$ns"
expect "config show in another netns" 0 "" "$IDMESH" -n "$ns" config show
assert "a new namespace has its own default" [ "$(head -n1 <<<"$out")" = "flow-limit 65536" ]
expect "config set in another netns" 0 "" "$IDMESH" -n "$ns" config set flow-limit 1000
run "$IDMESH" config show
assert "the other namespace's change does not leak here" [ "$(head -n1 <<<"$out")" = "flow-limit 64" ]
run ip netns exec "$ns" "$IDMESH" config show
assert "ip netns exec sees the same state as -n" [ "$(head -n1 <<<"$out")" = "flow-limit 1000" ]

# privileges: reading is open, changing needs CAP_NET_ADMIN
eperm="Error: Operation not permitted (changing idmesh state needs CAP_NET_ADMIN)"
expect "an unprivileged user may read the version" 0 "" \
	setpriv --reuid=65534 --regid=65534 --clear-groups "$IDMESH" version
expect "an unprivileged user may not change settings" 1 "$eperm" \
	setpriv --reuid=65534 --regid=65534 --clear-groups "$IDMESH" config set flow-limit 100
expect "root of a user namespace may not change settings" 1 "$eperm" \
	unshare --user --map-root-user "$IDMESH" config set flow-limit 100
expect "root of a user namespace owning its netns may not either" 1 "$eperm" \
	unshare --user --map-root-user --net "$IDMESH" config set flow-limit 100
expect "... nor read the hash key it may not set: one rule for both" 1 \
	"Error: the hash key is shown only to a caller with CAP_NET_ADMIN" \
	unshare --user --map-root-user --net "$IDMESH" config show hash-key
run "$IDMESH" config show
assert "refused unprivileged changes changed nothing" [ "$(head -n1 <<<"$out")" = "flow-limit 64" ]
expect "without CAP_NET_ADMIN even uid 0 may not change settings" 1 "$eperm" \
	setpriv --inh-caps=-net_admin --bounding-set=-net_admin "$IDMESH" config set flow-limit 100

tap_end
