#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench-maglev: Maglev VIPs: table build, packet rate against routing and IPVS mh, change time, on Debian's
# stock 6.1 kernel in QEMU (TCG, 2 CPUs). Prints ratios; asserts nothing.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
make -s tool
mkdir -p build
cc -O2 -Wall -o build/udpflood selftests/bench/udpflood.c
kver=$(selftests/stock-kernels.sh | sed -n 1p)
scripts/build-module.sh "/lib/modules/$kver/build" "build/$kver" 2>&1 | grep -v 'Skipping BTF' || true
exec selftests/vm/run-vm.sh --stock "$kver" --mem 2048 --timeout 1200 -- \
	selftests/bench/maglev-guest.sh "build/$kver"
