# SPDX-License-Identifier: GPL-2.0
# What idmesh's kselftest-style scripts share (sourced): the TAP writer
# (tap.sh), JSON checks, polling, namespaces, pods, and the cleanup of
# everything a script made.

source "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
IDMESH=${IDMESH:-$top/userspace/idmesh}

# jqt FILTER [JQ-ARGS...]: the JSON in $out satisfies FILTER (for assert).
jqt() {
	local f=$1
	shift
	jq -e "$@" "$f" <<<"$out" >/dev/null
}

# check DESC JQ-FILTER [JQ-ARGS...]: assert on the JSON in $out, showing
# it on failure.
check() {
	if jqt "$2" "${@:3}"; then
		tap_pass "$1"
	else
		tap_fail "$1"
		{ echo "filter: $2"; echo "json: $out"; echo "stderr: $err"; } | tap_diag
	fi
}

# udp_bound NS PORT: a UDP socket of NS is bound to PORT. From /proc, not
# ss: ss may make the kernel load a diag module, and a guest's modprobe
# has been seen to hang there.
udp_bound() {
	ip netns exec "$1" cat /proc/net/udp /proc/net/udp6 2>/dev/null |
		grep -q "$(printf ':%04X ' "$2")"
}

# tcp_listening NS PORT: a TCP socket of NS listens on PORT (from /proc).
tcp_listening() {
	ip netns exec "$1" cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
		awk -v p="$(printf ':%04X' "$2")" \
			'$4 == "0A" && substr($2, length($2) - 4) == p { f = 1 } END { exit !f }'
}

# wait_until SECS TEST...: poll TEST (a command or shell test) every 0.1 s
# until it holds or SECS have passed; the status is TEST's last. For what
# the kernel or a loaded guest does later: never a fixed sleep.
wait_until() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# holds 'SHELL CONDITION': for assert, when the condition has && or !
# (assert runs one command: "assert D [ a ] && [ b ]" would test only a).
holds() { eval "$1"; }

require_module() {
	if [ ! -d /sys/module/idmesh ]; then
		echo "1..0 # SKIP the idmesh module is not loaded"
		exit $KSFT_SKIP
	fi
}

# Namespaces: run a command in one, idmesh in one.
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
I() { local ns=$1; shift; "$IDMESH" -n "$ns" "$@"; }

# What a script made, undone when it ends (tap.sh calls tap_cleanup):
# namespaces with every process in them, processes, files.
lib_ns=() lib_pids=() lib_paths=()
track_ns() { lib_ns+=("$@"); }
track_pid() { lib_pids+=("$@"); }
track_path() { lib_paths+=("$@"); }
tap_cleanup() {
	local p
	# Processes first: a server may hold the test's standard output.
	for p in "${lib_pids[@]}"; do kill "$p" 2>/dev/null; done
	ns_cleanup "${lib_ns[@]}"
	[ ${#lib_paths[@]} = 0 ] || rm -rf "${lib_paths[@]}"
}

# ns_new NS...: new namespaces with their loopback up, removed at the end.
ns_new() {
	local ns
	for ns in "$@"; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	done
	track_ns "$@"
}

# ns_cleanup NS...: end every process in the namespaces, then delete them.
ns_cleanup() {
	local ns p
	for ns in "$@"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill "$p" 2>/dev/null; done
	done
	for ns in "$@"; do ip netns del "$ns" 2>/dev/null; done
}

# pod46 NODE POD HOSTSIDE V4 V6: an idmesh pair from NODE to POD's eth0;
# the pod is V4.2/V6::2, the node's side V4.1/V6::1, routes both ways.
# V4 "-": IPv6 only. Fails (saying which step) when a step failed.
pod46() {
	local node=$1 pod=$2 host=$3 v4=$4 v6=$5 rc=0
	"$IDMESH" -n "$node" link add "$host" peer eth0 netns "$pod" ||
		{ echo "# pair $host failed"; rc=1; }
	{
		echo "link set $host up"
		[ "$v4" = - ] || echo "addr add $v4.1/32 peer $v4.2/32 dev $host"
		echo "addr add $v6::1/128 dev $host nodad"
		echo "route add $v6::2/128 dev $host"
	} | ip -n "$node" -batch - || { echo "# setup of $host failed"; rc=1; }
	{
		echo "link set eth0 up"
		[ "$v4" = - ] || echo "addr add $v4.2/32 peer $v4.1/32 dev eth0"
		echo "addr add $v6::2/128 dev eth0 nodad"
		[ "$v4" = - ] || echo "route add default dev eth0"
		echo "route add ::/0 dev eth0"
	} | ip -n "$pod" -batch - || { echo "# setup of $pod failed"; rc=1; }
	return $rc
}
