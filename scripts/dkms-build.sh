#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module through DKMS as a node gets it, by "make dkms-install" and
# "make dkms-remove", but in trees of their own under OUT (nothing of the
# host's DKMS, /usr/src or /lib/modules is touched):
#
#   scripts/dkms-build.sh OUT KVER...
#
# An older release (0.0.9) installed for the newest KVER; the upgrade to
# VERSION for every KVER; a re-install at VERSION; a kernel
# BUILD_EXCLUSIVE_KERNEL leaves out; remove, twice. The modules of the
# upgrade are kept in OUT/ko/KVER/idmesh.ko for the stock guests to load,
# the logs in OUT/*.log. TAP on standard output.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
source "$top/selftests/tap.sh"
dst=$(mkdir -p "$1" && cd "$1" && pwd)
shift
ver=$(cat "$top/VERSION")
newest=$(printf '%s\n' "$@" | sort -V | tail -n1)
if ! command -v dkms >/dev/null; then
	echo "1..0 # SKIP no dkms (make deps installs it)"
	exit $KSFT_SKIP
fi
rm -rf "$dst/src" "$dst/tree" "$dst/lib" "$dst/ko"
mkdir -p "$dst/src" "$dst/tree" "$dst/lib/modules"
for k; do mkdir -p "$dst/lib/modules/$k"; done
dk="dkms --dkmstree $dst/tree --sourcetree $dst/src --installtree $dst/lib/modules"
# mk LOG TARGET [VAR=VALUE]...: make, as a node runs it, logged.
mk() {
	local log=$dst/$1.log
	shift
	make -s -C "$top" "$@" DKMS="$dk" USRSRC="$dst/src" >"$log" 2>&1
	rc=$?
	[ "$rc" = 0 ] || tail -n 20 "$log" | tap_diag
}
status() { $dk status -m idmesh 2>/dev/null; }
# installed VERSION KVER: DKMS says so, and the module there is VERSION's, for KVER.
installed() {
	local ko
	ko=$(find "$dst/lib/modules/$2" -name 'idmesh.ko*' 2>/dev/null | head -n1)
	grep -q "^idmesh/$1, $2, [^:]*: installed" <<<"$(status)" && [ -n "$ko" ] &&
		[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$2" ] &&
		[ "$(modinfo -F version "$ko")" = "$1" ]
}

mk old dkms-install VERSION_STR=0.0.9 DKMS_KERNELS="$newest"
assert "make dkms-install of an older release (0.0.9) for $newest" \
	all [ "$rc" = 0 ] :: installed 0.0.9 "$newest"
mk upgrade dkms-install DKMS_KERNELS="$*"
assert "make dkms-install over it: the upgrade to $ver succeeds" [ "$rc" = 0 ]
for k; do
	assert "... $ver built and installed for $k (its vermagic, its version)" installed "$ver" "$k"
	mkdir -p "$dst/ko/$k"
	cp "$(find "$dst/lib/modules/$k" -name 'idmesh.ko*' | head -n1)" "$dst/ko/$k/"
done
assert "... 0.0.9 is gone from DKMS and its sources from /usr/src" \
	all not grep -q 0.0.9 <<<"$(status)" :: [ ! -e "$dst/src/idmesh-0.0.9" ]
assert "dkms.conf names the version in VERSION ($ver)" \
	grep -qx "PACKAGE_VERSION=\"$ver\"" "$dst/src/idmesh-$ver/dkms.conf"
mk again dkms-install DKMS_KERNELS="$newest"
assert "make dkms-install again (the same version, sources updated): a re-install" \
	all [ "$rc" = 0 ] :: installed "$ver" "$newest"
run $dk build -m idmesh -v "$ver" -k 5.10.0-30-amd64
assert "BUILD_EXCLUSIVE_KERNEL: DKMS does not build for a kernel idmesh does not support (5.10)" \
	all [ "$rc" = 77 ] :: grep -q BUILD_EXCLUSIVE <<<"$out$err"
mk remove dkms-remove
assert "make dkms-remove: nothing of idmesh left in DKMS, /usr/src or the modules" \
	all [ "$rc" = 0 ] :: [ -z "$(status)" ] :: [ -z "$(ls "$dst/src")" ] :: \
	[ -z "$(find "$dst/lib/modules" -name 'idmesh.ko*')" ]
mk remove2 dkms-remove
assert "make dkms-remove again: nothing to do, not an error" [ "$rc" = 0 ]
tap_end
