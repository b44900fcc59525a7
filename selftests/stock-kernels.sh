#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Print the stock Debian kernels to test on: the newest installed 6.1 and
# 6.12 amd64 kernels that have their headers. A missing series is printed
# as "missing-SERIES" so that the caller reports it.
for series in 6.1 6.12; do
	found=
	for k in $(ls /boot/vmlinuz-"$series".*-amd64 2>/dev/null | sed 's|^/boot/vmlinuz-||' | sort -rV); do
		if [ -d "/lib/modules/$k/build" ]; then
			found=$k
			break
		fi
	done
	echo "${found:-missing-$series}"
done
