#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench-NAME: runs selftests/bench/NAME-guest.sh on Debian's stock 6.1
# kernel in QEMU (TCG, 2 CPUs): "link" (idmesh links against veth and kernel
# Geneve), "maglev" (table build, packet rate against routing and IPVS mh,
# time of a backend change), "sacl" (the identity gateway against no gateway).
# Prints ratios; asserts nothing.
#
#   scripts/bench.sh link|maglev|sacl
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
name=${1:-}
[ -x "selftests/bench/$name-guest.sh" ] || { echo "usage: scripts/bench.sh link|maglev|sacl" >&2; exit 2; }
make -s tool
mkdir -p build
cc -O2 -Wall -o build/udpflood selftests/bench/udpflood.c
kver=$(selftests/stock-kernels.sh | sed -n 1p)
scripts/build-module.sh "/lib/modules/$kver/build" "build/$kver" 2>&1 | grep -v 'Skipping BTF' || true
exec selftests/vm/run-vm.sh --stock "$kver" --mem 2048 --timeout 1200 -- \
	"selftests/bench/$name-guest.sh" "build/$kver"
