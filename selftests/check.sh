#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: everything, counted.
#   1. host: the tool's unit tests, the YNL spec against uapi/, lint
#   2. the debug kernel (built once, cached): module + KUnit + the
#      selftests that drive the module, in paths mode + unload, with the
#      kernel log checked for BUG/WARNING/lockdep/KASAN/UBSAN/kmemleak
#      reports, over two guests
#   3. the newest stock Debian kernel (6.12): module + every selftest in
#      full + unload, over two guests; the other (6.1): the smoke test
# (What runs where, and why: below, and Documentation/testing.rst.)
# Guests run JOBS at a time (default: the number of cores), the longest
# first. Each guest's wall time and the total are printed; the last line
# is "N passed, N failed" (", N skipped" when some were skipped).
#
# Every TAP stream must declare its plan (1..N) and hold N results: a
# stream that stops short is a failure of its own.
#
# Environment (make check VAR=...):
#   ONLY     what to run: selftest names (idmesh_sacl), kunit, host, lint,
#            dkms;
#            default everything
#   KERNELS  which guests' kernels: debug, 6.1, 6.12 (default all three)
#   JOBS     guests at a time (default: the number of cores)
#   IDMESH_COVERAGE=1  the debug guests run a module built with
#            -finstrument-functions and say which of its functions ran
#            (build/coverage/: functions, reached, reached.GUEST,
#            part/PART for load, kunit, each selftest and unload, missed)
#   VM_TIMEOUT  seconds per guest (default 2700: CI's machines have run
#            the same guest a third slower than ours)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
res=$(mktemp -d "${TMPDIR:-/tmp}/idmesh-check.XXXXXX")
trap 'rm -rf "$res"' EXIT
timeout=${VM_TIMEOUT:-2700}
jobs=${JOBS:-$(nproc)}
ONLY=${ONLY:-}
KERNELS=${KERNELS:-debug 6.1 6.12}
start=$(date +%s)

say() { echo "== $* ($(( $(date +%s) - start )) s)"; }
only() { [ -z "$ONLY" ] || [[ " $ONLY " == *" $1 "* ]]; }
kernel_wanted() { [[ " $KERNELS " == *" $1 "* ]]; }

# result SECTION DESC STATUS [DIAG_FILE]: one TAP line of our own.
result() {
	if [ "$3" = 0 ]; then
		echo "ok - $2" >>"$res/$1.tap"
	elif [ "$3" = skip ]; then
		echo "ok - $2 # SKIP" >>"$res/$1.tap"
	else
		echo "not ok - $2" >>"$res/$1.tap"
		[ -n "${4:-}" ] && [ -s "$4" ] && tail -n 60 "$4" | sed 's/^/#   /' >>"$res/$1.tap"
	fi
}

# collect SECTION NAME FILE: append a TAP stream, numbering dropped, and
# hold it to its plan: "1..N" with N results, or "1..0 # SKIP why" (one
# skipped test). A stream without a plan, or with fewer or more results
# than it planned, stopped short or is broken: a failure.
collect() {
	local sec=$1 name=$2 f=$3 plan got
	sed -E 's/^(not )?ok [0-9]+ /\1ok /' "$f" | grep -vE '^1\.\.[0-9]+' >>"$res/$sec.tap"
	plan=$(grep -E '^1\.\.[0-9]+' "$f" | tail -n 1)
	got=$(grep -cE '^(not )?ok ' "$f")
	if [[ "$plan" =~ ^1\.\.0\ *#\ *SKIP\ *(.*)$ ]]; then
		result "$sec" "$name: ${BASH_REMATCH[1]}" skip
	elif [ -z "$plan" ]; then
		result "$sec" "$name: TAP stream ends with its plan (none after $got results)" 1 "$f"
	elif [ "${plan#1..}" != "$got" ]; then
		result "$sec" "$name: TAP stream holds its plan ($plan, $got results)" 1 "$f"
	fi
}

show() { # SECTION
	[ -f "$res/$1.tap" ] && sed "s/^/[$1] /" "$res/$1.tap"
}

# 1. host: the tool's unit tests, the spec, the man pages, the tests' own lint.
host_tests() {
	say "host tests"
	if make -s -C userspace tests >"$res/tool-build.out" 2>&1; then
		for t in userspace/tests/test_*; do
			[ -x "$t" ] || continue
			case "$t" in
			*.sh) "$t" userspace/idmesh ;;
			*) "$t" ;;
			esac >"$res/t.out" 2>&1
			collect host "$(basename "$t")" "$res/t.out"
		done
	else
		result host "tool and its unit tests build" 1 "$res/tool-build.out"
	fi
	/usr/bin/python3 scripts/check-spec.py >"$res/spec.out" 2>&1
	collect host "check-spec.py" "$res/spec.out"
	/usr/bin/python3 scripts/man.py userspace/idmesh --check >"$res/man.out" 2>&1
	collect host "man.py --check" "$res/man.out"
	/usr/bin/python3 scripts/check-tests.py >"$res/tests.out" 2>&1
	collect host "check-tests.py" "$res/tests.out"
	show host
}

# Every test a guest can run; is any of them asked for?
all_tests="kunit $(cd selftests && ls idmesh_*.sh | sed 's/\.sh$//' | tr '\n' ' ')"
guests=
for t in $all_tests; do
	only "$t" && guests=1
done
[ -n "$guests" ] || KERNELS=

# 2./3. kernels and modules
say "test kernel and modules"
vms=()
kdir=
if kernel_wanted debug || only lint; then
	t0=$(date +%s)
	kdir=$(selftests/vm/build-kernel.sh 2>"$res/kbuild.err")
	rc=$?
	result build "debug test kernel builds (or is cached; $(( $(date +%s) - t0 )) s)" "$rc" "$res/kbuild.err"
	[ "$rc" = 0 ] || kdir=
fi
# Each kernel's module is built once, with W=1 (and sparse, C=2, where it
# is installed): the guests load it, the lint reads its warnings (KDIR=LOG).
lintflags=(W=1)
command -v sparse >/dev/null && lintflags+=(C=2)
declare -A built=()
if [ -n "$kdir" ] && kernel_wanted debug; then
	rm -rf build/debug
	scripts/build-module.sh "$kdir" build/debug "${lintflags[@]}" \
		${IDMESH_COVERAGE:+IDMESH_COVERAGE=1} >"$res/mod-debug.err" 2>&1
	rc=$?
	built[$kdir]=$res/mod-debug.err
	result build "module builds for the debug kernel" "$rc" "$res/mod-debug.err"
	[ "$rc" = 0 ] && vms+=(debug debug-net)
fi
stock=() stock_vm=()
for k in $(selftests/stock-kernels.sh); do
	case "$k" in
	missing-*) series=${k#missing-} ;;
	*) series=$(sed -E 's/^([0-9]+\.[0-9]+).*/\1/' <<<"$k") ;;
	esac
	kernel_wanted "$series" || only lint || continue
	case "$k" in
	missing-*)
		result build "stock $series kernel with headers is installed (make deps)" 1
		continue ;;
	esac
	stock+=("$k")
	kernel_wanted "$series" && stock_vm+=("$k")
done
# What each guest runs (Documentation/testing.rst says why):
# - the debug kernel (KASAN, UBSAN, lockdep, PROVE_RCU, kmemleak) takes
#   every path of the module the selftests take, once: KUnit and the
#   selftests that drive the module, in their paths mode (lib.sh's
#   "repeats" is false: no second pattern of a path, fewer packets), over
#   two guests. The selftests of the tool's own logic (the CNI plugin,
#   intent, podman, identity from Kubernetes objects) and of the family's
#   privileges (genl) reach no function of idmesh.ko that these do not
#   ("make check IDMESH_COVERAGE=1" lists them per selftest and result)
#   and run on the stock kernels only;
# - the newest stock kernel runs every selftest in full, over two guests;
# - the other stock kernel (the debug kernel's source) runs idmesh_smoke
#   (each feature's main path, load and unload), idmesh_agent,
#   idmesh_netpol and idmesh_ipsec: the node agent's scenario, the
#   NetworkPolicy model and encrypted links run on all three kernels.
# ONLY runs what it names on every kernel KERNELS names.
declare -A guest_tests=(
	[debug]="kunit idmesh_strict idmesh_sacl idmesh_sacl_veth idmesh_fuzz idmesh_agent idmesh_ipsec"
	[debug-net]="idmesh_maglev idmesh_link idmesh_netpol"
)
debug_skip="idmesh_smoke idmesh_cni idmesh_intent idmesh_podman idmesh_ident idmesh_genl"
newest_stock=$(printf '%s\n' "${stock[@]}" | sort -V | tail -n 1)
if [ -n "$newest_stock" ]; then
	guest_tests[$newest_stock]="idmesh_sacl idmesh_sacl_veth idmesh_maglev idmesh_podman idmesh_genl idmesh_strict idmesh_ipsec"
	guest_tests[$newest_stock:2]="idmesh_link idmesh_cni idmesh_intent idmesh_ident idmesh_fuzz idmesh_agent idmesh_netpol"
fi
# A selftest no guest names goes to the first one of each kernel, so that
# none is left out; smoke only where it is the whole run, or asked for.
for t in $all_tests; do
	case " $debug_skip " in
	*" $t "*) [ -n "$ONLY" ] && guest_tests[debug]+=" $t" ;;
	*) grep -qw -- "$t" <<<"${guest_tests[debug]} ${guest_tests[debug-net]}" ||
		guest_tests[debug]+=" $t" ;;
	esac
	[ -n "$newest_stock" ] || continue
	[ "$t" = kunit ] && continue
	[ "$t" = idmesh_smoke ] && [ -z "$ONLY" ] && continue
	grep -qw -- "$t" <<<"${guest_tests[$newest_stock]} ${guest_tests[$newest_stock:2]}" ||
		guest_tests[$newest_stock]+=" $t"
done
for k in "${stock[@]}"; do
	[ "$k" = "$newest_stock" ] && continue
	if [ -n "$ONLY" ]; then
		guest_tests[$k]=$all_tests
	else
		guest_tests[$k]="idmesh_smoke idmesh_agent idmesh_netpol idmesh_ipsec"
	fi
	guest_tests[$k:2]=
done
# ONLY: keep the named tests; a guest left with none does not run.
tests_of() { # GUEST
	local t out=
	for t in ${guest_tests[$1]-$all_tests}; do
		only "$t" && out+=" $t"
	done
	echo "${out# }"
}

run_vm() { # NAME
	local name=$1 args rc moddir=build/${1%:*} t0 tests
	tests=$(tests_of "$name")
	# One vCPU each: two guests of two vCPUs on two host cores wait on
	# each other's IPIs and preempted lock holders (testing.rst: the same
	# selftests took two to three times as long). 1 GiB each: the debug
	# guests' lowest MemAvailable is 650 MB there, and kmemleak's scans
	# (at boot and after the unload) walk every page's struct page: at 2
	# GiB they took 26 s each, at 1 GiB 12-15 s, and the boot 9 s less.
	case "$name" in
	debug*) args=(--kernel "$kdir/arch/x86/boot/bzImage" --mem 1024 --smp 1)
		moddir=build/debug ;;
	*) args=(--stock "${name%:*}" --mem 1024 --smp 1) ;;
	esac
	t0=$(date +%s)
	# shellcheck disable=SC2086
	selftests/vm/run-vm.sh "${args[@]}" --timeout "$timeout" \
		--log "$res/$name.console" -- selftests/guest-run.sh "$moddir" \
		$tests >"$res/$name.out" 2>"$res/$name.err"
	rc=$?
	echo "$(( $(date +%s) - t0 ))" >"$res/$name.time"
	collect "$name" "guest $name" "$res/$name.out"
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

# The longest guest (debug-net) starts as soon as its module is built,
# beside the host tests, the stock kernels' modules, DKMS and the lint,
# which leave most of the other core idle (Documentation/testing.rst).
running=0 started=()
if [[ " ${vms[*]} " == *" debug-net "* ]] && [ -n "$(tests_of debug-net)" ]; then
	say "VM debug-net started"
	run_vm debug-net &
	running=1 started=(debug-net)
fi
only host && host_tests

for k in "${stock_vm[@]}"; do
	rm -rf "build/$k"
	scripts/build-module.sh "/lib/modules/$k/build" "build/$k" "${lintflags[@]}" \
		${IDMESH_COVERAGE:+IDMESH_COVERAGE=1} >"$res/mod-$k.err" 2>&1
	rc=$?
	built[/lib/modules/$k/build]=$res/mod-$k.err
	result build "module builds for stock kernel $k" "$rc" "$res/mod-$k.err"
	[ "$rc" = 0 ] && vms+=("$k" "$k:2")
done

# DKMS, as a node builds the module: for every stock kernel, in trees of
# its own (scripts/dkms-build.sh); the stock guests then load what it built.
rm -rf build/dkms
if [ ${#stock[@]} -gt 0 ] && only dkms; then
	say "dkms"
	scripts/dkms-build.sh build/dkms "${stock[@]}" >"$res/dkms.out" 2>&1
	collect build "dkms-build.sh" "$res/dkms.out"
fi

if only lint; then
	say "lint"
	lintdirs=()
	for d in ${kdir:+"$kdir"} "${stock[@]/#//lib/modules/}"; do
		d=${d%/build}
		[ "$d" = "$kdir" ] || d=$d/build
		lintdirs+=("$d${built[$d]:+=${built[$d]}}")
	done
	scripts/lint.sh "${lintdirs[@]}" >"$res/lint.out" 2>&1
	collect build "lint.sh" "$res/lint.out"
fi
show build

# Guests with something to run, the longest first, the other stock
# kernel's smoke run last. The newest stock kernel's first guest is the
# longer (podman): it follows the shorter debug guest, its second the
# longer, so that both slots end together (testing.rst has the times).
queue=()
for v in debug-net debug "$newest_stock" "$newest_stock:2" "${vms[@]}"; do
	[[ " ${vms[*]} " == *" $v "* ]] || continue
	[[ " ${queue[*]} " == *" $v "* ]] && continue
	[ -n "$(tests_of "$v")" ] && queue+=("$v")
done
say "VMs: ${queue[*]:-none} ($jobs at a time)"
for v in "${queue[@]}"; do
	[[ " ${started[*]} " == *" $v "* ]] && continue
	while [ "$running" -ge "$jobs" ]; do
		wait -n
		running=$((running - 1))
	done
	run_vm "$v" &
	running=$((running + 1))
done
wait
for v in "${queue[@]}"; do
	say "kernel $v ($(cat "$res/$v.time") s)"
	show "$v"
done

# IDMESH_COVERAGE=1: which of idmesh.ko's functions the guests ran
# (kmod/cov.c): per guest, per part (load, kunit, each selftest and each
# of its results, unload) and in all, on the debug kernel (reached) and
# on the stock kernels (reached.stock), against the module's own list.
if [ -n "${IDMESH_COVERAGE:-}" ]; then
	cov=build/coverage
	rm -rf "$cov" && mkdir -p "$cov/part/debug" "$cov/part/stock"
	canon() { sed -E 's/\.(constprop|isra|part|cold)(\.[0-9]+)*//g' | sort -u; }
	for m in build/debug/kmod/idmesh.ko build/*/kmod/idmesh.ko; do
		[ -f "$m" ] || continue
		nm "$m" | awk '$2 ~ /^[tT]$/ && $3 ~ /^idm/ {print $3}' | canon >"$cov/functions"
		break
	done
	: >"$cov/kunit"
	for v in "${queue[@]}"; do
		case $v in debug*) kind=debug ;; *) kind=stock ;; esac
		# "# cov PART FUNCTION MODULE"
		awk '$1 == "#" && $2 == "cov" && NF == 5 && $4 ~ /^idm/ {
			print $3, $4, $5 }' "$res/$v.out" >"$res/cov.$v"
		awk '$3 == "idmesh" { print $2 }' "$res/cov.$v" | canon >"$cov/reached.$v"
		awk '$3 == "idmesh_kunit" { print $2 }' "$res/cov.$v" | canon >>"$cov/kunit"
		awk -v d="$cov/part/$kind" '$3 == "idmesh" { print $2 >> (d "/" $1) }' "$res/cov.$v"
	done
	for p in "$cov"/part/*/*; do
		[ -f "$p" ] && canon <"$p" >"$p.tmp" && mv "$p.tmp" "$p"
	done
	for kind in debug stock; do
		f=$cov/reached
		[ $kind = stock ] && f=$cov/reached.stock
		for v in "${queue[@]}"; do
			case $v in debug*) [ $kind = debug ] ;; *) [ $kind = stock ] ;; esac &&
				cat "$cov/reached.$v"
		done | sort -u >"$f"
	done
	sort -u -o "$cov/kunit" "$cov/kunit"
	comm -23 "$cov/functions" "$cov/reached" >"$cov/missed"
	say "coverage: $(comm -12 "$cov/functions" "$cov/reached" | wc -l) of $(wc -l <"$cov/functions") functions of idmesh.ko ran on the debug kernel ($(comm -12 "$cov/missed" "$cov/kunit" | wc -l) more only as KUnit's copies), $(comm -12 "$cov/functions" "$cov/reached.stock" | wc -l) on the stock kernels; the rest: $cov/missed; per part: $cov/part/"
fi

for t in "$res"/*.tap; do
	[ -f "$t" ] || continue
	sec=$(basename "$t" .tap)
	sed "s/^/[$sec] /" "$t"
done >"$res/all"
passed=$(grep -cE '^\[[^]]*\] ok ' "$res/all" | tr -d ' ')
skipped=$(grep -cE '^\[[^]]*\] ok .*# SKIP' "$res/all" | tr -d ' ')
failed=$(grep -cE '^\[[^]]*\] not ok ' "$res/all" | tr -d ' ')
passed=$((passed - skipped))
say "done"
[ ${#queue[@]} = 0 ] || echo "wall time per guest:$(for v in "${queue[@]}"; do printf ' %s %s s,' "$v" "$(cat "$res/$v.time")"; done | sed 's/,$//')"
echo "total: $(( $(date +%s) - start )) s"
# The failures again, last, where a log's tail shows them.
if [ "$failed" != 0 ]; then
	echo "failed:"
	grep -A 12 -E '^\[[^]]*\] not ok ' "$res/all" | grep -vE '^\[[^]]*\] ok '
fi
if [ "$skipped" != 0 ]; then
	echo "skipped:"
	grep -E '^\[[^]]*\] ok .*# SKIP' "$res/all"
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" = 0 ]
