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

# busybox is static: far quicker to start than dynamic binaries on a
# debug kernel under emulation.
bb=/bin/busybox
$bb mount -t proc proc /proc
$bb mount -t sysfs sysfs /sys
$bb mount -t devtmpfs devtmpfs /dev 2>/dev/null
$bb mkdir -p /dev/pts /dev/shm
# What udev would make: bash's process substitution needs /dev/fd.
$bb ln -sf /proc/self/fd /dev/fd
$bb ln -sf /proc/self/fd/0 /dev/stdin
$bb ln -sf /proc/self/fd/1 /dev/stdout
$bb ln -sf /proc/self/fd/2 /dev/stderr
$bb mount -t devpts devpts /dev/pts
$bb mount -t tmpfs tmpfs /dev/shm
$bb mount -t tmpfs tmpfs /tmp
$bb mount -t tmpfs tmpfs /run
$bb mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
$bb mkdir -p /run/idmesh-vm /run/netns /tmp/var
$bb mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 idmeshrun /run/idmesh-vm
echo on >/proc/sys/kernel/printk_devkmsg
echo idmesh-guest >/proc/sys/kernel/hostname
$bb ip link set lo up

out=/dev/ttyS1
$bb stty -F "$out" raw -echo 2>/dev/null

kmemleak=/sys/kernel/debug/kmemleak
if [ -w "$kmemleak" ]; then
	# Forget what the kernel's own boot left, so that only what the
	# command leaks is reported.
	echo "idmesh-vm: kmemleak baseline scan" >/dev/kmsg
	echo scan >"$kmemleak"
	echo clear >"$kmemleak"
	echo "idmesh-vm: kmemleak baseline done" >/dev/kmsg
fi

# A report of the kernel's checkers from its own boot, before anything of
# ours ran (a KASAN report in early APIC setup has been seen once under
# TCG): the runner is told and boots again, rather than fail the tests.
boot=$($bb dmesg | $bb grep -E 'BUG:|WARNING:|KASAN:|UBSAN:|Oops|general protection fault|Call Trace:')
if [ -n "$boot" ]; then
	$bb dmesg >/run/idmesh-vm/boot-report
	$bb sync
	$bb umount /run/idmesh-vm
	$bb reboot -f
	$bb sleep 5
	echo b >/proc/sysrq-trigger
fi

# Booted: the runner's boot watchdog stands down.
: >/run/idmesh-vm/started
read -r cwd </run/idmesh-vm/cwd
case "$cwd" in
/tmp|/tmp/*|/run|/run/*)
	# Hidden by the tmpfs mounted above: mount the runner's export of it,
	# cached as the root is (read-only; the tree does not change while a
	# guest runs): the tool and the scripts are read at every exec.
	$bb mkdir -p "$cwd"
	$bb mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=262144 idmeshcwd "$cwd" ;;
esac
cd "$cwd" || cd /
bash /run/idmesh-vm/cmd >"$out" 2>&1 </dev/null
rc=$?

if [ -w "$kmemleak" ]; then
	# kmemleak reports objects older than 5 s only.
	$bb sleep 6
	echo scan >"$kmemleak"
	while IFS= read -r line; do
		echo "idmesh-vm kmemleak: $line" >/dev/kmsg
	done <"$kmemleak"
fi

echo "$rc" >/run/idmesh-vm/rc
$bb sync
$bb umount /run/idmesh-vm
echo "idmesh-vm: command exited with status $rc" >/dev/kmsg
$bb reboot -f
$bb sleep 5
echo b >/proc/sysrq-trigger
