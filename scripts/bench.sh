#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench-NAME: runs selftests/bench/NAME-guest.sh on Debian's stock 6.1
# kernel in QEMU (TCG, 2 CPUs): "link" (idmesh links against veth, netkit
# and kernel Geneve; on every stock kernel, 6.12 being the one with
# netkit), "maglev" (table build against a reference build, packet rate
# against routing and IPVS mh, time of a backend change), "sacl" (the
# identity gateway against no gateway). Prints ratios; asserts nothing.
# Each runs twice: with the host's time (rates, two CPUs), then under
# QEMU's -icount with one CPU, where the guest's clock counts its
# instructions: the same figures as instructions per packet, which
# repeat from run to run whatever else the host does.
#
#   scripts/bench.sh link|maglev|sacl
#   BENCH_ICOUNT=0|1            only the rates (0), only instructions (1)
#   BENCH_KERNELS="6.1 6.12"    which stock kernels (series), instead
#   BENCH_PORTS=veth            sacl: the pods on veth ports (the forward
#                               hook) instead of idmesh pairs
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
name=${1:-}
[ -x "selftests/bench/$name-guest.sh" ] || { echo "usage: scripts/bench.sh link|maglev|sacl" >&2; exit 2; }
make -s tool
mkdir -p build
cc -O2 -Wall -o build/udpflood selftests/bench/udpflood.c
cc -O2 -Wall -I selftests/bench/ushim -o build/maglev-ref selftests/bench/maglev-ref.c \
	kmod/maglev.c userspace/lib/siphash.c
if [ -n "${BENCH_KERNELS:-}" ]; then
	want=$BENCH_KERNELS
elif [ "$name" = link ]; then
	want="6.1 6.12"
else
	want=6.1
fi
rc=0
for kver in $(selftests/stock-kernels.sh); do
	case "$kver" in missing-*) continue ;; esac
	[[ " $want " == *" $(echo "$kver" | cut -d. -f1-2) "* ]] || continue
	scripts/build-module.sh "/lib/modules/$kver/build" "build/$kver" 2>&1 |
		grep -v 'Skipping BTF' || true
	if [ "${BENCH_ICOUNT:-}" != 1 ]; then
		BENCH_ICOUNT=0 selftests/vm/run-vm.sh --stock "$kver" --mem 2048 --timeout 1800 -- \
			"selftests/bench/$name-guest.sh" "build/$kver" || rc=$?
	fi
	if [ "${BENCH_ICOUNT:-}" != 0 ]; then
		BENCH_ICOUNT=1 selftests/vm/run-vm.sh --stock "$kver" --mem 2048 --smp 1 --icount \
			--timeout 3600 -- "selftests/bench/$name-guest.sh" "build/$kver" || rc=$?
	fi
done
exit $rc
