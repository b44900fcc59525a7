# SPDX-License-Identifier: GPL-2.0
# What idmesh's kselftest-style scripts share (sourced): the TAP writer
# (tap.sh), JSON checks, polling, namespaces, pods, and the cleanup of
# everything a script made.

source "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
IDMESH=${IDMESH:-$top/userspace/idmesh}
# The tool with apply's fault hooks (IDMESH_TEST_FAIL_VIP, _CHANGE): a
# test build; the shipped tool has none.
IDMESH_FAULTS=${IDMESH_FAULTS:-$top/userspace/tests/idmesh-faults}
# The selftests' Python tools (lbtool, sacltool, pyd, pktfuzz, rtnl_pair)
# use the standard library only: started without the site module (-S), a
# start costs 1.0 s instead of 1.6 s on the debug kernel. fuzz.py, which
# reads the YAML spec, starts with /usr/bin/python3.
PY="/usr/bin/python3 -S"

# jqt FILTER [JQ-ARGS...]: the JSON in $out satisfies FILTER (for assert).
jqt() {
	local f=$1
	shift
	jq -e "$@" "$f" <<<"$out" >/dev/null
}

# check DESC JQ-FILTER [JQ-ARGS...]: assert on the JSON in $out, showing
# it on failure. A jq start costs 0.3 s on a stock guest and more on the
# debug kernel, so checks without JQ-ARGS are held and evaluated in
# batches, one jq for up to 16 in a row: written before any other result
# (tap_flush), at tap_end, or when 16 wait. A check the batch does not
# find true is evaluated again alone, as jq -e would: a batch never
# changes a verdict, only what it costs. In a subshell (a pipeline), at
# once.
lib_qdir=$(mktemp -d "${TMPDIR:-/tmp}/idmesh-jq.XXXXXX")
lib_pid=$BASHPID
lib_qdesc=() lib_qf=()
check() {
	local i=${#lib_qdesc[@]}
	if [ $# -gt 2 ] || [ "$BASHPID" != "$lib_pid" ]; then
		tap_flush
		check_now "$@"
		return
	fi
	printf '%s' "$out" >"$lib_qdir/j$i"
	printf '%s' "$err" >"$lib_qdir/e$i"
	lib_qdesc+=("$1") lib_qf+=("$2")
	[ $((i + 1)) -lt 16 ] || tap_flush
}

check_now() {
	if jqt "$2" "${@:3}"; then
		tap_pass "$1"
	else
		tap_fail "$1"
		{ echo "filter: $2"; echo "json: $out"; echo "stderr: $err"; } | tap_diag
	fi
}

# tap_flush (tap.sh's hook): the held checks, in order.
tap_flush() {
	local n=${#lib_qdesc[@]} i prog="" list="" res="" desc=("${lib_qdesc[@]}") f=("${lib_qf[@]}")
	local args=() out err
	[ "$n" -gt 0 ] || return 0
	lib_qdesc=() lib_qf=()
	for ((i = 0; i < n; i++)); do
		prog+="def c$i: ${f[i]};"$'\n'
		args+=(--rawfile "j$i" "$lib_qdir/j$i")
		list+="${list:+, }(try ([\$j$i | fromjson | c$i] | length > 0 and (last | . != null and . != false)) catch false)"
	done
	res=$(jq -nr "${args[@]}" "${prog}[$list] | map(if . then \"1\" else \"0\" end) | add" 2>/dev/null)
	for ((i = 0; i < n; i++)); do
		if [ "${res:i:1}" = 1 ]; then
			tap_pass "${desc[i]}"
		else
			out=$(<"$lib_qdir/j$i") err=$(<"$lib_qdir/e$i")
			check_now "${desc[i]}" "${f[i]}"
		fi
	done
}

# pause SECS: wait without a process (each costs up to a second on the
# debug kernel): a read that times out on a FIFO nobody writes to.
lib_idle=$(mktemp -u "${TMPDIR:-/tmp}/idmesh-idle.XXXXXX")
mkfifo "$lib_idle" && exec 9<>"$lib_idle" && rm -f "$lib_idle"
pause() { read -r -t "$1" -u 9 _; return 0; }

# proc_sock DIR "TABLE..." PORT [STATE]: one of DIR's /proc/net TABLEs
# (tcp, udp6, ...) has a socket on local PORT (in STATE, hex: 0A listens).
# Builtins only.
proc_sock() {
	local dir=$1 port state=${4:-} f sl loc rem st rest
	printf -v port ':%04X' "$3"
	for f in $2; do
		[ -r "$dir/$f" ] || continue
		while read -r sl loc rem st rest; do
			[[ "$loc" == *"$port" ]] || continue
			[ -z "$state" ] || [ "$st" = "$state" ] || continue
			return 0
		done <"$dir/$f"
	done
	return 1
}

# debug_kernel: the guest runs the debug kernel (built here, release
# "...-idmesh"), where repetitions of a path cost most and add least.
debug_kernel() {
	local r
	read -r r </proc/sys/kernel/osrelease
	[[ "$r" == *-idmesh* ]]
}

# repeats: this run takes a path again with other patterns, volumes and
# variations (every stock kernel's run). False on the debug kernel, whose
# run takes every path once (paths mode: Documentation/testing.rst), and
# where each repetition costs most and adds least; IDMESH_FULL=1 runs
# everything there too.
repeats() {
	[ -n "${IDMESH_FULL:-}" ] || ! debug_kernel
}

# scaled N M: N on a run that repeats, M (fewer) in paths mode.
scaled() {
	if repeats; then echo "$1"; else echo "$2"; fi
}

# ns_pid NS: a process in namespace NS into REPLY (cached), without
# starting one: the namespace of /proc/PID/ns/net is NS's when both are
# the same inode (-ef). Fails when no process is in NS.
declare -A lib_nspid=()
ns_pid() {
	local p=${lib_nspid[$1]:-}
	if [ -n "$p" ] && [[ /proc/$p/ns/net -ef /run/netns/$1 ]]; then
		REPLY=$p
		return 0
	fi
	for p in /proc/[0-9]*; do
		[[ $p/ns/net -ef /run/netns/$1 ]] || continue
		REPLY=${p#/proc/}
		lib_nspid[$1]=$REPLY
		return 0
	done
	return 1
}

# net_sock NS|PID "TABLE..." PORT [STATE]: proc_sock for the namespace NS
# (or that of process PID): through a process already in it when there
# is one (no process started), else by entering it.
net_sock() {
	local REPLY
	if [[ "$1" =~ ^[0-9]+$ ]]; then
		proc_sock "/proc/$1/net" "$2" "$3" "${4:-}"
	elif ns_pid "$1"; then
		proc_sock "/proc/$REPLY/net" "$2" "$3" "${4:-}"
	else
		nsx "$1" bash -c "$(declare -f proc_sock); proc_sock /proc/self/net '$2' '$3' '${4:-}'"
	fi
}

# udp_bound NS|PID PORT: a UDP socket of namespace NS (or of the namespace
# process PID is in) is bound to PORT. From /proc, not ss: ss may make
# the kernel load a diag module, and a guest's modprobe has been seen to
# hang there.
udp_bound() { net_sock "$1" "udp udp6" "$2"; }

# tcp_listening NS|PID PORT: a TCP socket listens on PORT (as udp_bound).
tcp_listening() { net_sock "$1" "tcp tcp6" "$2" 0A; }

# wait_until SECS TEST...: poll TEST (a command or shell test) every 0.1 s
# until it holds or SECS have passed; the status is TEST's last. For what
# the kernel or a loaded guest does later: never a fixed sleep.
wait_until() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		pause 0.1
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

# Namespaces: run a command in one, idmesh in one. nsx enters only the
# network namespace, with the static busybox's nsenter: "ip netns exec"
# (a dynamic ip, a new mount namespace, sysfs mounted again) took 1.0-1.3
# s a start on the debug kernel, busybox 0.2 s. For a bare name busybox
# would run its own applet (ip, sysctl, ping): the program goes by path.
# "nsx NS CMD &" leaves $! a subshell's, outside NS: where the process's
# own pid matters (to name NS by it), start it without the function.
nsx() {
	local ns=$1 cmd=$2
	shift 2
	if [[ "$cmd" != */* ]]; then
		hash "$cmd" 2>/dev/null || { echo "nsx: $cmd: command not found" >&2; return 127; }
		cmd=${BASH_CMDS[$cmd]}
	fi
	busybox nsenter -n/run/netns/"$ns" "$cmd" "$@"
}
I() { local ns=$1; shift; "$IDMESH" -n "$ns" "$@"; }

# What a script made, undone when it ends (tap.sh calls tap_cleanup):
# namespaces with every process in them, processes, files.
lib_ns=() lib_pids=() lib_paths=()
track_ns() { lib_ns+=("$@"); }
track_pid() { lib_pids+=("$@"); }
track_path() { lib_paths+=("$@"); }
track_path "$lib_qdir"
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
	# One process makes them all (a process start is what costs).
	printf 'netns add %s\n' "$@" | ip -batch -
	# busybox's own ip applet (static: 0.2 s a start on the debug kernel
	# where iproute2's takes 0.8 s)
	for ns in "$@"; do
		busybox nsenter -n/run/netns/"$ns" ip link set lo up
	done
	track_ns "$@"
}

# two_nodes A B: namespaces A and B as two nodes that forward, joined by
# a veth underlay "ul" (192.168.70.1 in A, .2 in B, /24), with 10.60.0.1
# on B's lo: an address behind node b.
two_nodes() {
	local ns
	for ns in "$1" "$2"; do
		nsx "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	done
	ip link add ul netns "$1" type veth peer name ul netns "$2"
	ip -n "$1" addr add 192.168.70.1/24 dev ul
	ip -n "$2" addr add 192.168.70.2/24 dev ul
	ip -n "$1" link set ul up
	ip -n "$2" link set ul up
	ip -n "$2" addr add 10.60.0.1/32 dev lo
}

# ns_cleanup NS...: end every process in the namespaces, then delete them
# (found in /proc as ns_pid does, deleted by one ip: no process a
# namespace).
ns_cleanup() {
	local ns p
	[ $# -gt 0 ] || return 0
	for p in /proc/[0-9]*; do
		for ns in "$@"; do
			[[ $p/ns/net -ef /run/netns/$ns ]] || continue
			kill "${p#/proc/}" 2>/dev/null
			break
		done
	done
	printf 'netns del %s\n' "$@" | ip -force -batch - 2>/dev/null
}

# Python without a Python start per check: py_start NS... starts one
# helper in each namespace (selftests/pyd.py); "py NS TOOL ARGS..." runs a
# command of sacltool.py or lbtool.py in it, prints what it printed and
# returns its status, starting no process (LBTOOL_TIMEOUT is passed on);
# "py NS ... >FILE &" runs one in the background, as a process would.
# A command that has not answered after PY_TIMEOUT seconds (default 600)
# fails. A namespace without a helper runs the tool as a process.
declare -A lib_pyfd=()
lib_pydir=
# lib_pyesc VAR VALUE: one field of a request, backslash, newline and
# tab escaped (pyd.py), into VAR.
lib_pyesc() { # VAR VALUE
	local _e=${2//\\/\\\\}
	_e=${_e//$'\n'/\\n}
	printf -v "$1" '%s' "${_e//$'\t'/\\t}"
}
py_start() {
	local ns fd
	if [ -z "$lib_pydir" ]; then
		lib_pydir=$(mktemp -d "${TMPDIR:-/tmp}/idmesh-py.XXXXXX")
		track_path "$lib_pydir"
	fi
	(cd "$lib_pydir" && mkdir "$@" && for ns in "$@"; do mkfifo "$ns/req"; done) ||
		return 1
	for ns in "$@"; do
		exec {fd}<>"$lib_pydir/$ns/req"
		lib_pyfd[$ns]=$fd
		nsx "$ns" $PY "$top/selftests/pyd.py" "$lib_pydir/$ns" \
			>"$lib_pydir/$ns/log" 2>&1 &
		track_pid $!
	done
}
# lib_pyreq NS TOOL ARGS...: a request to NS's helper; its ID in REPLY.
lib_pyreq() {
	local ns=$1 line a
	shift
	REPLY=$BASHPID.$((++lib_pyn))
	line=$REPLY$'\t'"LBTOOL_TIMEOUT=${LBTOOL_TIMEOUT:-} PY_UID=${PY_UID:-}"
	for a in "$@"; do lib_pyesc a "$a"; line+=$'\t'$a; done
	printf '%s\n' "$line" >&"${lib_pyfd[$ns]}"
}
# lib_pyend NS ID END: request ID's output once it has ended (by SECONDS
# END at the latest, else 124), and its status.
lib_pyend() {
	local d=$lib_pydir/$1 rc line
	until [ -e "$d/$2.rc" ]; do
		[ "$SECONDS" -lt "$3" ] || return 124
		pause 0.05
	done
	read -r rc <"$d/$2.rc"
	while IFS= read -r line || [ -n "$line" ]; do
		printf '%s\n' "$line"
	done <"$d/$2.out"
	return "$rc"
}
lib_pyn=0
# py_as UID NS TOOL ARGS...: py, as user UID (group UID, no others): the
# helper forks, no Python starts.
py_as() { PY_UID=$1 py "${@:2}"; }
py() {
	local ns=$1 rc
	if [ -z "${lib_pyfd[$ns]:-}" ]; then
		shift
		nsx "$ns" $PY "$top/selftests/$1.py" "${@:2}"
		return
	fi
	lib_pyreq "$@"
	lib_pyend "$ns" "$REPLY" $((SECONDS + ${PY_TIMEOUT:-600}))
	rc=$?
	[ "$rc" != 124 ] || echo "py $*: no answer in ${PY_TIMEOUT:-600} s" >&2
	return $rc
}
# py_bg FILE NS TOOL ARGS...: as py, in the background, with neither a
# subshell nor a job: py_wait collects it. Its output goes to FILE then.
lib_pyjobs=()
py_bg() {
	local file=$1 ns=$2
	shift 2
	if [ -z "${lib_pyfd[$ns]:-}" ]; then
		nsx "$ns" $PY "$top/selftests/$1.py" "${@:2}" >"$file" &
		lib_pyjobs+=("pid $! $file")
		return
	fi
	lib_pyreq "$ns" "$@"
	lib_pyjobs+=("$ns $REPLY $file")
}
# py_wait: every py_bg command has ended and its output is in its FILE;
# fails when one failed or did not end in PY_TIMEOUT seconds.
py_wait() {
	local j ns id file rc=0 end=$((SECONDS + ${PY_TIMEOUT:-600}))
	for j in "${lib_pyjobs[@]}"; do
		read -r ns id file <<<"$j"
		if [ "$ns" = pid ]; then
			wait "$id" || rc=1
		else
			lib_pyend "$ns" "$id" "$end" >"$file"
			case $? in
			0) ;;
			124) echo "py_bg in $ns: no answer in ${PY_TIMEOUT:-600} s" >&2; rc=1 ;;
			*) rc=1 ;;
			esac
		fi
	done
	lib_pyjobs=()
	return $rc
}

# pod46 NODE POD HOSTSIDE V4 V6: an idmesh pair from NODE to POD's eth0;
# the pod is V4.2/V6::2, the node's side V4.1/V6::1, routes both ways.
# V4 "-": IPv6 only. Fails (saying which step) when a step failed.
# PORTS=veth: a veth pair instead (an Ethernet link: the pod's routes go
# via the node's side, whose neighbours it resolves), as CNI's ptp does.
pod46() {
	local node=$1 pod=$2 host=$3 v4=$4 v6=$5 rc=0 via4= via6=
	if [ "${PORTS:-pair}" = veth ]; then
		ip link add "$host" netns "$node" type veth \
			peer name eth0 netns "$pod" ||
			{ echo "# veth $host failed"; rc=1; }
		via4="via $v4.1" via6="via $v6::1"
	else
		"$IDMESH" -n "$node" link add "$host" peer eth0 netns "$pod" ||
			{ echo "# pair $host failed"; rc=1; }
	fi
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
		echo "route add $v6::1/128 dev eth0"
		[ "$v4" = - ] || echo "route add default $via4 dev eth0"
		echo "route add ::/0 $via6 dev eth0"
	} | ip -n "$pod" -batch - || { echo "# setup of $pod failed"; rc=1; }
	return $rc
}
