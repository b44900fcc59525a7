#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: install what is missing, build, boot a VM on Debian's stock
# 6.1 kernel (the kernel users insmod into), load the module and show the
# tool talking to it.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

scripts/deps.sh
make -s tool
kver=$(selftests/stock-kernels.sh | sed -n 1p)
case "$kver" in missing-*) echo "demo: no stock 6.1 kernel with headers; run 'make deps'" >&2; exit 1 ;; esac
echo "demo: building the module for $kver"
scripts/build-module.sh "/lib/modules/$kver/build" "build/$kver"
echo "demo: booting $kver under QEMU (TCG)"
exec selftests/vm/run-vm.sh --stock "$kver" --mem 1024 --timeout 300 -- \
	scripts/demo-guest.sh "build/$kver"
