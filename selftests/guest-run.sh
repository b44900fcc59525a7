#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the test guest: load the module built for this kernel, run
# the KUnit suites when the kernel has KUnit, run every selftest, unload.
# Prints TAP, one line per test, and exits 1 when anything failed.
#
#   guest-run.sh MODULE_DIR [TEST...]
#
# TEST names what to run: "kunit" and selftest names (idmesh_link, ...);
# by default, all of them. The unload checks always run.
top=$(cd "$(dirname "$0")/.." && pwd)
moddir=$1
shift
WANT="$*"
want() { [ -z "$WANT" ] || [[ " $WANT " == *" $1 "* ]]; }
source "$top/selftests/tap.sh"
# The selftests list what each of their results reached; this script
# lists by part (cov_dump), not by the results it passes on.
tap_cov_file=

echo "# kernel $(uname -r)"
# What idmesh.ko needs, where the kernel has it as modules.
modprobe -qa udp_tunnel ip6_udp_tunnel nf_defrag_ipv4 nf_defrag_ipv6 libcrc32c sctp sch_prio 2>/dev/null
# Coverage builds (IDMESH_COVERAGE=1): the recorder first, read at the end.
cov_ko=$moddir/kmod/idmesh_cov.ko
if [ -f "$cov_ko" ]; then
	mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
	insmod "$cov_ko" || echo "# coverage: idmesh_cov.ko did not load"
fi
# cov_dump PART: the functions of the modules under test that ran since
# the last dump, as "# cov PART FUNCTION MODULE" lines for check.sh, and
# the recorder emptied: each part (load, kunit, a selftest, unload) is
# listed with what it reached itself.
cov_dump() {
	[ -w /sys/kernel/debug/idmesh_cov ] || return 0
	sed -E "s/^([^+ ]+)\+[^ ]* \[([^]]+)\]\$/# cov $1 \1 \2/" /sys/kernel/debug/idmesh_cov
	echo 0 >/sys/kernel/debug/idmesh_cov
}
if insmod "$moddir/kmod/idmesh.ko"; then
	tap_pass "module loads"
	cov_dump load
else
	tap_fail "module loads"
	dmesg | tail -n 20 | tap_diag
	tap_end
fi

if want kunit && [ -f "$moddir/kmod/idmesh_kunit.ko" ]; then
	dmesg -C
	if insmod "$moddir/kmod/idmesh_kunit.ko"; then
		ktap=$(dmesg | sed -E 's/^\[[ 0-9.]+\] ?//')
		cases=0
		while IFS= read -r line; do
			case "$line" in
			"    ok "*|"    not ok "*)
				cases=$((cases + 1))
				# (a match, not a sed: a process a case costs 0.4 s)
				[[ "$line" =~ ^\ +(not\ )?ok\ [0-9]+\ (-\ )?(.*)$ ]]
				name=${BASH_REMATCH[3]}
				if [[ "$line" == "    ok "* ]]; then
					tap_pass "kunit: $name"
				else
					tap_fail "kunit: $name"
				fi ;;
			"    # "*|"        # "*) echo "#${line}" ;;
			esac
		done <<<"$ktap"
		suites=$(grep -cE '^(not )?ok [0-9]+ (- )?idmesh' <<<"$ktap")
		if [ "$cases" -gt 0 ] && [ "$suites" -gt 0 ] &&
		   ! grep -qE '^not ok [0-9]+ ' <<<"$ktap"; then
			tap_pass "kunit: $suites suite(s), $cases case(s), all passed"
		else
			tap_fail "kunit: $suites suite(s), $cases case(s)"
			tap_diag <<<"$ktap"
		fi
		rmmod idmesh_kunit || tap_fail "kunit module unloads"
		cov_dump kunit
	else
		tap_fail "kunit module loads"
	fi
fi

# A selftest is stopped when it has printed nothing for STEP seconds (its
# current step hangs: reported at once, with what it waits for) or has run
# for LIMIT seconds in all. Both well above what a loaded debug guest needs.
step=${IDMESH_STEP_TIMEOUT:-300}
limit=${IDMESH_SELFTEST_TIMEOUT:-2400}
# Waiting costs no process (each costs about a second on the debug kernel):
# a read with a timeout on a FIFO nobody writes to.
idle=$(mktemp -d)
mkfifo "$idle/fifo" && exec 8<>"$idle/fifo" && rm -rf "$idle"
pause() { read -r -t "$1" -u 8 _; }

# stalled NAME WHY: what the guest was doing when a selftest had to be stopped.
stalled() {
	echo "# $1: $2; its last lines, the processes and the blocked tasks:"
	tail -n 5 /tmp/selftest.raw | tap_diag
	ps -eo pid,ppid,stat,etime,wchan:32,args | grep -v ' \[' | tap_diag
	echo w >/proc/sysrq-trigger 2>/dev/null
}

# Processes started since boot (/proc/stat): what a selftest costs in them.
forks() {
	local key val
	while read -r key val; do
		[ "$key" = processes ] && { echo "$val"; return; }
	done </proc/stat
}

for t in "$top"/selftests/idmesh_*.sh; do
	name=$(basename "$t" .sh)
	want "$name" || continue
	echo "# selftest $name"
	t0=$SECONDS
	forks0=$(forks)
	# Into a file, not a pipe: a process the test leaves behind cannot
	# hold us, and what it printed is kept if it has to be stopped.
	: >/tmp/selftest.raw
	"$t" >/tmp/selftest.raw &
	tpid=$!
	size=0 moved=$SECONDS stop= lowmem= steps=()
	while kill -0 "$tpid" 2>/dev/null; do
		pause 1
		# The least memory left during the test: a guest near exhaustion
		# crawls instead of failing.
		while read -r key val _; do
			[ "$key" = MemAvailable: ] || continue
			[ -n "$lowmem" ] && [ "$val" -ge "$lowmem" ] || lowmem=$val
			break
		done </proc/meminfo
		mapfile -t lines </tmp/selftest.raw
		now=${#lines[@]}
		if [ "$now" != "$size" ]; then
			# Where the time goes: how long the newest line took.
			steps+=("$((SECONDS - moved)) ${lines[now - 1]}")
			size=$now moved=$SECONDS
		elif [ $((SECONDS - moved)) -ge "$step" ]; then
			stop="no progress for $step s"
		fi
		[ $((SECONDS - t0)) -lt "$limit" ] || stop="still running after $limit s"
		[ -z "$stop" ] || break
	done
	if [ -n "$stop" ]; then
		stalled "$name" "$stop"
		last=$(grep -E '^(not )?ok ' /tmp/selftest.raw | tail -n 1 | sed -E 's/^(not )?ok [0-9]+ - //')
		# Its own processes first, then whatever it left in its namespaces.
		pkill -TERM -P "$tpid" 2>/dev/null
		kill "$tpid" 2>/dev/null
		pause 2
		pkill -KILL -P "$tpid" 2>/dev/null
		kill -9 "$tpid" 2>/dev/null
		for ns in $(ip netns list | cut -d' ' -f1); do
			kill -9 $(ip netns pids "$ns") 2>/dev/null
			ip netns del "$ns"
		done
	fi
	{ wait "$tpid"; } 2>/dev/null
	rc=$?
	sed -E "s/^(not )?ok ([0-9]+) - /\1ok \2 - $name: /" /tmp/selftest.raw >/tmp/selftest.out
	got=0 plan=
	while IFS= read -r line; do
		case "$line" in
		"ok "*) got=$((got + 1)); tap_pass "${line#ok * - }" ;;
		"not ok "*) got=$((got + 1)); tap_fail "${line#not ok * - }" ;;
		"1.."*) plan=${line#1..}; plan=${plan%% *} ;;
		"#"*) echo "$line" ;;
		esac
	done </tmp/selftest.out
	if [ -n "$stop" ]; then
		tap_fail "$name: the step after \"${last:-the start}\" finished ($stop)"
	elif [ "$rc" = 4 ] && [ "$plan" = 0 ]; then
		tap_skip "$name: $(sed -n 's/^1\.\.0 # SKIP //p' /tmp/selftest.out)"
	elif [ -z "$plan" ] || [ "$plan" != "$got" ]; then
		tap_fail "$name: its TAP stream is whole (plan ${plan:-missing}, $got results, status $rc)"
	elif [ "$rc" != 0 ] && ! grep -qE '^not ok' /tmp/selftest.out; then
		tap_fail "$name exited with status $rc"
	fi
	echo "# selftest $name took $((SECONDS - t0)) s, $(($(forks) - forks0)) processes, lowest MemAvailable ${lowmem:-?} kB; slowest steps (s):"
	printf '%s\n' "${steps[@]}" | sort -rn | head -n 5 | cut -c1-110 | tap_diag
	cov_dump "$name"
done

# Unloading with links, VIPs (with flows) and SACL tables present removes them, in
# every namespace.
ip netns add unload-test
"$top/userspace/idmesh" link add unl0 peer unl1 netns unload-test &&
	"$top/userspace/idmesh" link add unl2 remote 192.0.2.1 id 1 &&
	"$top/userspace/idmesh" -n unload-test link add unl3 remote 2001:db8::1 id 2 ||
	tap_fail "links for the unload test"
ip link set unl0 up && ip -n unload-test link set unl1 up &&
	ip addr add 10.250.0.1/32 peer 10.250.0.2/32 dev unl0 &&
	ip route add 10.251.0.0/24 dev unl0 &&
	"$top/userspace/idmesh" vip add 10.251.0.1 port 9 proto udp &&
	"$top/userspace/idmesh" backend add 10.251.0.1 port 9 proto udp backend 10.250.0.2 &&
	"$top/userspace/idmesh" -n unload-test vip add fd51::1 proto tcp &&
	for i in 1 2 3; do echo x >/dev/udp/10.251.0.1/9; done &&
	[ "$("$top/userspace/idmesh" -j stats show | jq .flows)" -ge 1 ] ||
	tap_fail "VIPs and flows for the unload test"
# ... and SACL ports, clients, servers, rules and hooks.
"$top/userspace/idmesh" sacl port add unl0 marker &&
	"$top/userspace/idmesh" sacl client add dev unl0 lid 3 id 7 &&
	"$top/userspace/idmesh" sacl client add fd52::2 dev unl0 id 9 &&
	"$top/userspace/idmesh" sacl server add fd53::1 proto tcp port 80 id 8 &&
	"$top/userspace/idmesh" sacl rule add client 7 server 8 deny priority 1:3 &&
	"$top/userspace/idmesh" -n unload-test sacl set marker on default deny ||
	tap_fail "SACL configuration for the unload test"
if rmmod idmesh; then
	tap_pass "module unloads with links, VIPs, flows and SACL tables present"
else
	tap_fail "module unloads with links, VIPs, flows and SACL tables present"
fi
if ! ip link show unl0 >/dev/null 2>&1 && ! ip link show unl2 >/dev/null 2>&1 &&
   ! ip -n unload-test link show unl1 >/dev/null 2>&1 &&
   ! ip -n unload-test link show unl3 >/dev/null 2>&1; then
	tap_pass "unloading removed every idmesh link"
else
	tap_fail "unloading removed every idmesh link"
fi
ip netns del unload-test
if [ ! -e /sys/module/idmesh ] &&
   [ "$("$top/userspace/idmesh" version 2>&1 >/dev/null)" = "Error: the idmesh kernel module is not loaded (generic netlink family \"idmesh\" not found); load it with \"modprobe idmesh\" or \"insmod kmod/idmesh.ko\"" ]; then
	tap_pass "after unload the family is gone and the tool says how to load it"
else
	tap_fail "after unload the family is gone and the tool says how to load it"
fi
# The module DKMS built for this kernel (check.sh's dkms step), loaded as
# a node loads it.
dkms_ko=$(ls "$top"/build/dkms/ko/"$(uname -r)"/idmesh.ko* 2>/dev/null | head -n1)
if [ -n "$dkms_ko" ]; then
	if insmod "$dkms_ko" && "$top/userspace/idmesh" -j version | jq -e '.module.version' >/dev/null &&
	   "$top/userspace/idmesh" link add dk0 peer dk1 && rmmod idmesh; then
		tap_pass "the module DKMS built loads, works and unloads"
	else
		tap_fail "the module DKMS built loads, works and unloads"
		rmmod idmesh 2>/dev/null
	fi
fi

# What the unload checks reached, exit paths included.
cov_dump unload

tap_end
