#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: everything, counted.
#   1. host: the tool's unit tests, the YNL spec against uapi/, lint
#   2. the debug kernel (built once, cached): module + KUnit + selftests
#      + unload, with the kernel log checked for BUG/WARNING/lockdep/
#      KASAN/UBSAN/kmemleak reports
#   3. each stock Debian kernel (6.1, 6.12): module + selftests + unload
# The VMs run in parallel: the debug kernel's tests split over two guests
# (KUnit and the spine and link selftests; the Maglev selftests), the
# stock kernels one after another. Ends with "N passed, N failed".
#
# Environment: VM_TIMEOUT (seconds per VM, default 3600), STOCK_KERNELS
# (space-separated kernel releases, default the newest 6.1 and 6.12).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
res=$(mktemp -d "${TMPDIR:-/tmp}/idmesh-check.XXXXXX")
trap 'rm -rf "$res"' EXIT
# A guest that runs longer is stopped: well above what the slowest (a debug
# guest sharing two cores with two others) needs, and, with lint, below
# CI's 90 minutes.
timeout=${VM_TIMEOUT:-3600}
start=$(date +%s)

say() { echo "== $* ($(( $(date +%s) - start )) s)"; }

# result SECTION DESC STATUS [DIAG_FILE]: one TAP line of our own.
result() {
	if [ "$3" = 0 ]; then
		echo "ok - $2" >>"$res/$1.tap"
	else
		echo "not ok - $2" >>"$res/$1.tap"
		[ -n "${4:-}" ] && [ -s "$4" ] && tail -n 60 "$4" | sed 's/^/#   /' >>"$res/$1.tap"
	fi
}

# collect SECTION FILE: append a TAP stream, numbering dropped.
collect() {
	sed -E 's/^(not )?ok [0-9]+ /\1ok /' "$2" | grep -vE '^1\.\.[0-9]+' >>"$res/$1.tap"
}

show() { # SECTION
	sed "s/^/[$1] /" "$res/$1.tap"
}

# 1. host
say "host tests"
make -s -C userspace check >"$res/tool.out" 2>&1
rc=$?
collect host "$res/tool.out"
grep -qE '^(not )?ok' "$res/tool.out" || result host "tool unit tests ran" "$rc" "$res/tool.out"
[ "$rc" = 0 ] || grep -q '^not ok' "$res/tool.out" || result host "tool unit tests" "$rc" "$res/tool.out"
/usr/bin/python3 scripts/check-spec.py >"$res/spec.out" 2>&1
rc=$?
collect host "$res/spec.out"
[ "$rc" = 0 ] || grep -q '^not ok' "$res/spec.out" || result host "spec check ran" "$rc" "$res/spec.out"
show host

# 2./3. kernels and modules
say "test kernel and modules"
kdir=$(selftests/vm/build-kernel.sh 2>"$res/kbuild.err")
rc=$?
result build "debug test kernel builds (or is cached)" "$rc" "$res/kbuild.err"
vms=()
if [ "$rc" = 0 ]; then
	rm -rf build/debug
	scripts/build-module.sh "$kdir" build/debug >"$res/mod-debug.err" 2>&1
	rc=$?
	result build "module builds for the debug kernel" "$rc" "$res/mod-debug.err"
	[ "$rc" = 0 ] && vms+=("debug:$kdir/arch/x86/boot/bzImage"
			       "debug-lb:$kdir/arch/x86/boot/bzImage"
			       "debug-sacl:$kdir/arch/x86/boot/bzImage")
fi
for k in ${STOCK_KERNELS:-$(selftests/stock-kernels.sh)}; do
	case "$k" in
	missing-*)
		result build "stock ${k#missing-} kernel with headers is installed (make deps)" 1
		continue ;;
	esac
	rm -rf "build/$k"
	scripts/build-module.sh "/lib/modules/$k/build" "build/$k" >"$res/mod-$k.err" 2>&1
	rc=$?
	result build "module builds for stock kernel $k" "$rc" "$res/mod-$k.err"
	[ "$rc" = 0 ] && vms+=("$k:stock")
done

say "lint"
scripts/lint.sh "$kdir" $(for v in "${vms[@]}"; do
	[ "${v#*:}" = stock ] && echo "/lib/modules/${v%%:*}/build"; done) >"$res/lint.out" 2>&1
collect build "$res/lint.out"
show build

# What each debug guest runs; the stock guests run everything.
declare -A guest_tests=(
	[debug]="kunit idmesh_genl idmesh_strict idmesh_link"
	[debug-lb]="idmesh_maglev"
	[debug-sacl]="idmesh_sacl"
)

run_vm() { # NAME KERNEL
	local name=$1 kern=$2 args rc moddir=build/$1
	if [ "$kern" = stock ]; then
		args=(--stock "$name" --mem 1024)
	else
		args=(--kernel "$kern")
		moddir=build/debug
	fi
	# shellcheck disable=SC2086
	selftests/vm/run-vm.sh "${args[@]}" --timeout "$timeout" \
		--log "$res/$name.console" -- selftests/guest-run.sh "$moddir" \
		${guest_tests[$name]:-} >"$res/$name.out" 2>"$res/$name.err"
	rc=$?
	collect "$name" "$res/$name.out"
	case $rc in
	0|1) result "$name" "guest ran to the end, kernel log clean" 0 ;;
	*) tail -n 20 "$res/$name.out" >>"$res/$name.err"
	   result "$name" "guest ran to the end, kernel log clean (run-vm status $rc)" \
		"$rc" "$res/$name.err" ;;
	esac
	# The suite must have run at all.
	grep -q '^ok - module loads' "$res/$name.tap" ||
		result "$name" "module loaded in the guest" 1 "$res/$name.console"
}

say "VMs: ${vms[*]%%:*}"
# Three guests at a time on the two cores: debug and debug-lb each on
# their own, the stock kernels and then debug-sacl one after the other.
pids=()
serial=()
later=()
for v in "${vms[@]}"; do
	name=${v%%:*} kern=${v#*:}
	if [ "$kern" = stock ]; then
		serial+=("$v")
	elif [ "$name" = debug-sacl ]; then
		later+=("$v")
	else
		run_vm "$name" "$kern" &
		pids+=($!)
	fi
done
(for v in "${serial[@]}" "${later[@]}"; do run_vm "${v%%:*}" "${v#*:}"; done) &
pids+=($!)
wait "${pids[@]}"
for v in "${vms[@]}"; do
	say "kernel ${v%%:*}"
	show "${v%%:*}"
done

for t in "$res"/*.tap; do
	sec=$(basename "$t" .tap)
	sed "s/^/[$sec] /" "$t"
done >"$res/all"
passed=$(grep -cE '^\[[^]]*\] ok ' "$res/all" | tr -d ' ')
skipped=$(grep -cE '^\[[^]]*\] ok .*# SKIP' "$res/all" | tr -d ' ')
failed=$(grep -cE '^\[[^]]*\] not ok ' "$res/all" | tr -d ' ')
passed=$((passed - skipped))
say "done"
# The failures again, last, where a log's tail shows them.
if [ "$failed" != 0 ]; then
	echo "failed:"
	grep -A 12 -E '^\[[^]]*\] not ok ' "$res/all" | grep -vE '^\[[^]]*\] ok '
fi
[ "$skipped" = 0 ] || echo "$skipped skipped"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
