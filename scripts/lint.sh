#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's own checks on kmod/ and uapi/, as TAP:
#   checkpatch.pl --strict (from Debian's linux-source-6.1),
#   sparse (C=2) and W=1 against the debug kernel (with the KUnit module),
#   W=1 against each stock kernel's headers.
#
#   scripts/lint.sh [KDIR[=LOG]...]   (default: the debug kernel and the
#                                      stock kernels)
#
# KDIR=LOG: the module was already built against KDIR with W=1 (and C=2
# where sparse is installed) by "scripts/build-module.sh KDIR OUT W=1 C=2",
# which printed LOG: its warnings are read, nothing is built again
# (make check builds each kernel's module once, for the guests and this).
top=$(cd "$(dirname "$0")/.." && pwd)
source "$top/selftests/tap.sh"

src=$("$top/selftests/vm/build-kernel.sh" --source 2>/dev/null)
files=$(cd "$top" && ls kmod/*.[ch] kmod/kunit/*.[ch] uapi/linux/*.h)
if [ -x "$src/scripts/checkpatch.pl" ]; then
	out=$(cd "$top" && "$src/scripts/checkpatch.pl" --strict --no-tree --terse \
		--show-types -f $files 2>&1)
	if grep -qE '(ERROR|WARNING|CHECK):' <<<"$out"; then
		tap_fail "checkpatch --strict is clean on kmod/ and uapi/"
		grep -E '(ERROR|WARNING|CHECK):' <<<"$out" | tap_diag
	else
		tap_pass "checkpatch --strict is clean on kmod/ and uapi/"
	fi
else
	tap_fail "checkpatch.pl found (linux-source-6.1; run 'make deps')"
fi

if [ $# -eq 0 ]; then
	set -- "$("$top/selftests/vm/build-kernel.sh" 2>/dev/null)" \
		$("$top/selftests/stock-kernels.sh" | sed 's|^|/lib/modules/|; s|$|/build|')
fi
for arg in "$@"; do
	kdir=${arg%%=*}
	case "$kdir" in
	/lib/modules/*/build) name=$(basename "$(dirname "$kdir")") ;;
	*) name=$(cat "$kdir/include/config/kernel.release" 2>/dev/null || basename "$kdir") ;;
	esac
	flags=(W=1)
	command -v sparse >/dev/null && flags+=(C=2)
	if [ "$arg" != "$kdir" ]; then
		log=$(cat "${arg#*=}")
		rc=$?
	else
		out_dir="$top/build/lint-$name"
		rm -rf "$out_dir"
		log=$("$top/scripts/build-module.sh" "$kdir" "$out_dir" "${flags[@]}" 2>&1)
		rc=$?
	fi
	warn=$(grep -E 'warning:|error:' <<<"$log" | grep -v 'Skipping BTF')
	if [ $rc = 0 ] && [ -z "$warn" ]; then
		tap_pass "W=1${flags[1]:+ and sparse} clean against $name"
	else
		tap_fail "W=1${flags[1]:+ and sparse} clean against $name"
		echo "$log" | tail -n 30 | tap_diag
	fi
done
tap_end
