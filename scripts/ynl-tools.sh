#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's own YNL tools (tools/net/ynl: ynl-gen-c.py, cli.py) and
# schemas (Documentation/netlink/*.yaml), from Debian's linux-source-6.12:
# extracted once into $IDMESH_CACHE (default ~/.cache/idmesh) and their
# directory printed. check-spec.py validates and generates with them.
set -euo pipefail

cache=${IDMESH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/idmesh}
tarball=${LINUX_SOURCE_612_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
[ -r "$tarball" ] || { echo "$tarball not found; run 'make deps' (package linux-source-6.12)" >&2; exit 1; }
ver=$(dpkg-query -W -f '${Version}' linux-source-6.12 2>/dev/null || stat -c %Y "$tarball")
out="$cache/src/ynl-6.12-$ver"
if [ ! -f "$out/.done" ]; then
	mkdir -p "$cache/src"
	exec 9>"$cache/.ynl.lock"
	flock 9
	if [ ! -f "$out/.done" ]; then
		rm -rf "$out" "$out.tmp"
		mkdir -p "$out.tmp"
		tar -xJf "$tarball" -C "$out.tmp" --strip-components=1 \
			--wildcards 'linux-source-6.12/tools/net/ynl/*' \
			'linux-source-6.12/Documentation/netlink/*.yaml'
		touch "$out.tmp/.done"
		mv "$out.tmp" "$out"
	fi
fi
echo "$out"
