#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module through DKMS, each step re-runnable ("make dkms-install",
# "make dkms-remove"):
#
#   scripts/dkms.sh install VERSION KVER...
#       the sources of VERSION (USRSRC/idmesh-VERSION, from "make
#       dkms-src") added to DKMS, built and installed for each KVER. The
#       same version already there is removed first (a re-install: its
#       sources changed); any other version (an upgrade, or a downgrade)
#       is removed, with its sources, once the new one has built for
#       every kernel, so a build that fails leaves the old module in place.
#   scripts/dkms.sh remove
#       every version of idmesh removed from DKMS (its module from every
#       kernel) and its sources from USRSRC; nothing there is not an error.
#
# DKMS is the dkms command, with options (the tests give it trees of its
# own: --dkmstree, --sourcetree, --installtree); USRSRC defaults to /usr/src.
set -uo pipefail
read -ra dkms <<<"${DKMS:-dkms}"
src=${USRSRC:-/usr/src}

fail() { echo "dkms.sh: $*" >&2; exit 1; }

command -v "${dkms[0]}" >/dev/null || fail "no ${dkms[0]}: install DKMS (apt-get install dkms)"

# The versions of idmesh DKMS holds, added, built or installed.
versions() {
	"${dkms[@]}" status -m idmesh 2>/dev/null |
		sed -nE 's@^idmesh(/|, )([^,:]+).*@\2@p' | sort -u
}

# VERSION: out of DKMS for every kernel (and out of its tree).
drop() {
	"${dkms[@]}" remove -m idmesh -v "$1" --all >/dev/null ||
		fail "dkms remove idmesh/$1 failed"
}

case "${1:-}" in
install)
	ver=${2:-}
	shift 2 || fail "usage: dkms.sh install VERSION KVER..."
	[ $# -gt 0 ] || fail "no kernel to build for"
	[ -f "$src/idmesh-$ver/dkms.conf" ] || fail "no sources in $src/idmesh-$ver (make dkms-src)"
	old=()
	for v in $(versions); do
		if [ "$v" = "$ver" ]; then
			drop "$v"
		else
			old+=("$v")
		fi
	done
	"${dkms[@]}" add -m idmesh -v "$ver" || fail "dkms add idmesh/$ver failed"
	for k; do
		if ! "${dkms[@]}" build -m idmesh -v "$ver" -k "$k"; then
			drop "$ver"
			fail "idmesh/$ver does not build for $k${old[*]:+; ${old[*]} left installed}"
		fi
	done
	for v in "${old[@]}"; do
		drop "$v"
		rm -rf "${src:?}/idmesh-$v"
	done
	for k; do
		"${dkms[@]}" install -m idmesh -v "$ver" -k "$k" ||
			fail "dkms install idmesh/$ver for $k failed"
	done ;;
remove)
	for v in $(versions); do
		drop "$v"
	done
	rm -rf "${src:?}"/idmesh-[0-9]* ;;
*)
	fail "usage: dkms.sh install VERSION KVER... | remove" ;;
esac
