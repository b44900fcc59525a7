#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (or reuse) the idmesh debug test kernel from Debian's linux-source-6.1.
#
# The kernel is tinyconfig + selftests/vm/config/{kernel,debug}.config. It is
# cached outside the repository, in $IDMESH_CACHE (default ~/.cache/idmesh),
# under a key made of the source version and the hash of the config
# fragments and of this script, so only the first run pays for the build.
#
# On success the build directory (usable as KDIR for external modules) is
# printed on stdout; everything else goes to stderr.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${IDMESH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/idmesh}
tarball=${LINUX_SOURCE_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
jobs=${JOBS:-$(nproc)}

log() { echo "build-kernel: $*" >&2; }
die() { log "error: $*"; exit 1; }

[ -r "$tarball" ] || die "$tarball not found; run 'make deps' (package linux-source-6.1)"
srcver=$(dpkg-query -W -f '${Version}' linux-source-6.1 2>/dev/null || stat -c %Y "$tarball")

# Bump when the way the kernel is built changes (not needed for config
# changes: the fragments are part of the key).
recipe=1
key=$( (echo "$srcver $recipe"; cat "$here/config/kernel.config" "$here/config/debug.config") |
	sha256sum | cut -c1-12)
out="$cache/kernel/6.1-$srcver-$key"

src="$cache/src/linux-source-6.1-$srcver"
extract_source() {
	if [ ! -f "$src/.extracted" ]; then
		log "extracting $tarball"
		rm -rf "$src" && mkdir -p "$src"
		tar -xf "$tarball" -C "$src" --strip-components=1
		touch "$src/.extracted"
	fi
}

# --source: only make sure the source tree is there and print its path
# (for scripts/checkpatch.pl).
if [ "${1:-}" = --source ]; then
	mkdir -p "$cache"
	exec 9>"$cache/.source.lock"
	flock 9
	extract_source
	echo "$src"
	exit 0
fi

if [ -f "$out/.done" ]; then
	log "reusing cached kernel $out"
	echo "$out/build"
	exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/.kernel.lock"
flock 9
if [ -f "$out/.done" ]; then
	echo "$out/build"
	exit 0
fi

(
	exec 9>"$cache/.source.lock"
	flock 9
	extract_source
)

rm -rf "$out"
mkdir -p "$out/build"
b="$out/build"
log "configuring in $b"
make -s -C "$src" O="$b" tinyconfig >"$out/config.log" 2>&1 || { cat "$out/config.log" >&2; exit 1; }
"$src/scripts/kconfig/merge_config.sh" -m -O "$b" "$b/.config" \
	"$here/config/kernel.config" "$here/config/debug.config" >/dev/null
make -s -C "$src" O="$b" olddefconfig >&2

# Every option the fragments ask for must have stuck; a silently dropped
# option would make the tests pass on a kernel that does not check.
missing=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=n) opt=${line%%=*}
		if grep -q "^$opt=" "$b/.config"; then
			log "option not disabled: $line"; missing=1
		fi ;;
	CONFIG_*=*)
		if ! grep -qxF "$line" "$b/.config"; then
			log "option did not stick: $line"; missing=1
		fi ;;
	esac
done < <(cat "$here/config/kernel.config" "$here/config/debug.config")
[ "$missing" = 0 ] || die "config fragments do not apply to this source"

log "building with $jobs jobs (first run only, about 10 minutes)"
start=$(date +%s)
make -s -C "$src" O="$b" -j"$jobs" bzImage modules_prepare >&2
make -s -C "$src" O="$b" -j"$jobs" modules >&2
log "built in $(( $(date +%s) - start )) s"
touch "$out/.done"
echo "$b"
