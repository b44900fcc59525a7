#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the module for one kernel in a directory of its own, so that
# modules for several kernels can sit side by side:
#
#   scripts/build-module.sh KDIR OUTDIR [make arguments, e.g. W=1 C=2]
#
# Only sources are copied to OUTDIR (no objects of another kernel).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kdir=$1 out=$(mkdir -p "$2" && cd "$2" && pwd)
shift 2
[ -d "$kdir" ] || { echo "build-module: no kernel build directory $kdir" >&2; exit 1; }

(cd "$top" && find Kbuild VERSION kmod uapi \( -name '*.[ch]' -o -name Kbuild -o -name VERSION \) -print0 |
	cpio -0 -pdmu --quiet "$out")
make -s -j"$(nproc)" -C "$kdir" M="$out" "$@" modules
