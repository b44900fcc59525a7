#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of an idmesh test guest (see run-vm.sh). The host's root is mounted
# read-only over 9p; /tmp and /run are tmpfs; the runner's directory is
# mounted read-write at /run/idmesh-vm. Runs the command the runner left
# there, its output on the second serial port, writes its exit status,
# has kmemleak scan, and reboots (QEMU runs with -no-reboot, so it exits).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp TERM=dumb LANG=C.UTF-8

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mkdir -p /run/idmesh-vm /run/netns /tmp/var
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 idmeshrun /run/idmesh-vm
echo on >/proc/sys/kernel/printk_devkmsg
hostname idmesh-guest
ip link set lo up

out=/dev/ttyS1
stty -F "$out" raw -echo 2>/dev/null

kmemleak=/sys/kernel/debug/kmemleak
if [ -w "$kmemleak" ]; then
	# Forget what the kernel's own boot left, so that only what the
	# command leaks is reported.
	echo scan >"$kmemleak"
	echo clear >"$kmemleak"
fi

cd "$(cat /run/idmesh-vm/cwd)" || cd /
bash /run/idmesh-vm/cmd >"$out" 2>&1 </dev/null
rc=$?

if [ -w "$kmemleak" ]; then
	# kmemleak reports objects older than 5 s only.
	sleep 6
	echo scan >"$kmemleak"
	echo scan >"$kmemleak"
	while IFS= read -r line; do
		echo "idmesh-vm kmemleak: $line" >/dev/kmsg
	done <"$kmemleak"
fi

echo "$rc" >/run/idmesh-vm/rc
sync
umount /run/idmesh-vm
echo "idmesh-vm: command exited with status $rc" >/dev/kmsg
/bin/busybox reboot -f
sleep 5
echo b >/proc/sysrq-trigger
