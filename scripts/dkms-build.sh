#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module built and installed by DKMS for each kernel given, as on a
# node, but in trees of its own under OUT (nothing of the host's DKMS or
# /lib/modules is touched):
#
#   scripts/dkms-build.sh OUT KVER...
#
# OUT/src/idmesh-VERSION holds what "make dkms-install" puts in /usr/src;
# the modules land in OUT/lib/modules/KVER/updates/dkms/idmesh.ko, the
# logs in OUT/KVER.log. TAP on standard output, one result per kernel.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
source "$top/selftests/tap.sh"
dst=$(mkdir -p "$1" && cd "$1" && pwd)
shift
ver=$(cat "$top/VERSION")
if ! command -v dkms >/dev/null; then
	echo "1..0 # SKIP no dkms (make deps installs it)"
	exit $KSFT_SKIP
fi
rm -rf "$dst/src" "$dst/tree" "$dst/lib"
mkdir -p "$dst/src" "$dst/tree" "$dst/lib"
make -s -C "$top" dkms-src DESTDIR="$dst/src" USRSRC= >/dev/null
src=$dst/src/idmesh-$ver
assert "dkms.conf names the version in VERSION ($ver)" \
	grep -qx "PACKAGE_VERSION=\"$ver\"" "$src/dkms.conf"
dk=(dkms --dkmstree "$dst/tree" --sourcetree "$dst/src" --installtree "$dst/lib/modules")
run "${dk[@]}" add -m idmesh -v "$ver"
assert "dkms add" [ "$rc" = 0 ]
for k in "$@"; do
	mkdir -p "$dst/lib/modules/$k"
	{
		"${dk[@]}" build -m idmesh -v "$ver" -k "$k" &&
		"${dk[@]}" install -m idmesh -v "$ver" -k "$k" --force
	} >"$dst/$k.log" 2>&1
	rc=$?
	ko=$(find "$dst/lib/modules/$k" -name 'idmesh.ko*' 2>/dev/null | head -n1)
	if [ "$rc" = 0 ] && [ -n "$ko" ] &&
	   [ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$k" ]; then
		tap_pass "dkms build and install for $k"
	else
		tap_fail "dkms build and install for $k"
		tail -n 20 "$dst/$k.log" | tap_diag
	fi
done
tap_end
