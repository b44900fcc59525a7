# SPDX-License-Identifier: GPL-2.0
# TAP helpers for idmesh's kselftest-style scripts (sourced).
#
# Each script prints TAP ("ok N - ...", "not ok N - ...", "1..N") and
# exits 0 when all passed, 1 when one failed, 4 (kselftest's skip) when
# it could not run here.

KSFT_SKIP=4
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
IDMESH=${IDMESH:-$top/userspace/idmesh}
tap_n=0
tap_failed=0
tap_out=$(mktemp)
tap_err=$(mktemp)
trap 'rm -f "$tap_out" "$tap_err"; tap_cleanup 2>/dev/null' EXIT

tap_pass() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
tap_fail() { tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $*"; }
tap_skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $* # SKIP"; }
tap_diag() { sed 's/^/#   /'; }

tap_end() {
	echo "1..$tap_n"

	[ "$tap_failed" = 0 ] && exit 0
	exit 1
}

# run CMD...: runs it, keeping stdout in $out, stderr in $err, status in $rc.
run() {
	"$@" >"$tap_out" 2>"$tap_err"
	rc=$?
	out=$(cat "$tap_out")
	err=$(cat "$tap_err")
}

# expect DESC STATUS STDERR CMD...: the command ends with STATUS and prints
# exactly STDERR ("*" for anything) on standard error.
expect() {
	local desc=$1 want_rc=$2 want_err=$3
	shift 3
	run "$@"
	if [ "$rc" = "$want_rc" ] && { [ "$want_err" = "*" ] || [ "$err" = "$want_err" ]; }; then
		tap_pass "$desc"
	else
		tap_fail "$desc"
		{
			echo "command: $*"
			echo "status $rc (want $want_rc)"
			echo "stderr: $err"
			[ "$want_err" = "*" ] || echo "want:   $want_err"
			echo "stdout: $out"
		} | tap_diag
	fi
}

# assert DESC TEST...: a shell test that must hold.
assert() {
	local desc=$1
	shift
	if "$@"; then
		tap_pass "$desc"
	else
		tap_fail "$desc"
		echo "failed: $*" | tap_diag
	fi
}

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

require_module() {
	if [ ! -d /sys/module/idmesh ]; then
		echo "1..0 # SKIP the idmesh module is not loaded"
		exit $KSFT_SKIP
	fi
}

# Namespaces: run a command in one, idmesh in one.
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
I() { local ns=$1; shift; "$IDMESH" -n "$ns" "$@"; }

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
pod46() {
	local node=$1 pod=$2 host=$3 v4=$4 v6=$5
	"$IDMESH" -n "$node" link add "$host" peer eth0 netns "$pod" ||
		echo "# pair $host failed"
	ip -n "$node" -batch - <<-EOB || echo "# setup of $host failed"
	link set $host up
	addr add $v4.1/32 peer $v4.2/32 dev $host
	addr add $v6::1/128 dev $host nodad
	route add $v6::2/128 dev $host
	EOB
	ip -n "$pod" -batch - <<-EOB || echo "# setup of $pod failed"
	link set eth0 up
	addr add $v4.2/32 peer $v4.1/32 dev eth0
	addr add $v6::2/128 dev eth0 nodad
	route add default dev eth0
	route add ::/0 dev eth0
	EOB
}
