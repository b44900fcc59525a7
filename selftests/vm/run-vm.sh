#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run one command in a QEMU guest and return its exit status.
#
#   run-vm.sh [--kernel BZIMAGE | --stock KVER] [--timeout SECONDS] [--kvm]
#             [--mem MB] [--smp CPUS] [--log FILE] [--allow PATTERN]
#             [--icount] -- COMMAND [ARGS...]
#
# The guest sees the host's root read-only over 9p, with tmpfs on /tmp and
# /run; the command runs in the current directory (exported on its own, so
# that it may be under /tmp) with its output on this script's stdout. TCG is used unless --kvm is given (KVM hangs on some
# hosts). Exit status: the command's; 124 when the guest had to be killed
# after the timeout; 125 when the guest died without a status (panic);
# 126 when the kernel log holds a BUG, WARNING, lockdep, KASAN, UBSAN or
# kmemleak report, even if the command succeeded.
#
# --icount: the guest's clock counts instructions, not the host's time
# (QEMU's -icount shift=0: one instruction is one nanosecond; sleep=off:
# an idle guest's clock jumps to its next timer), so that what the guest
# measures in its own time (a packet rate, a round trip) is a count of
# instructions, the same on a loaded host and an idle one
# (Documentation/testing.rst, "Benchmarks").
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${IDMESH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/idmesh}
kernel= stock= timeout=600 accel=tcg mem=1024 smp=2 log= allow= icount=

die() { echo "run-vm: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2; shift 2 ;;
	--stock) stock=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--kvm) accel=kvm; shift ;;
	--mem) mem=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--allow) allow=$2; shift 2 ;;
	--icount) icount=1; shift ;;
	--) shift; break ;;
	*) die "unknown option $1" ;;
	esac
done
[ $# -gt 0 ] || die "no command given"
[ -n "$kernel$stock" ] || die "give --kernel BZIMAGE or --stock KVER"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found; run 'make deps'"

# Build (or reuse) the initramfs that loads a stock kernel's 9p modules.
stock_initramfs() {
	local kver=$1 key out tmp m f
	key=$( (echo "$kver"; cat "$here/initramfs-init" /bin/busybox) | sha256sum | cut -c1-12)
	out="$cache/initramfs/$kver-$key.cpio.gz"
	[ -f "$out" ] && { echo "$out"; return 0; }
	mkdir -p "$cache/initramfs"
	tmp=$(mktemp -d)
	mkdir -p "$tmp"/{bin,dev,proc,modules}
	cp /bin/busybox "$tmp/bin/busybox"
	cp "$here/initramfs-init" "$tmp/init"
	: >"$tmp/modules.list"
	while read -r kind f _; do
		[ "$kind" = insmod ] || continue
		m=$(basename "$f")
		case "$m" in
		*.ko.xz) xz -dc "$f" >"$tmp/modules/${m%.xz}"; m=${m%.xz} ;;
		*.ko.zst) zstd -qdc "$f" >"$tmp/modules/${m%.zst}"; m=${m%.zst} ;;
		*.ko.gz) gzip -dc "$f" >"$tmp/modules/${m%.gz}"; m=${m%.gz} ;;
		*) cp "$f" "$tmp/modules/$m" ;;
		esac
		grep -qx "$m" "$tmp/modules.list" || echo "$m" >>"$tmp/modules.list"
	done < <(modprobe -S "$kver" --show-depends -a virtio_pci 9pnet_virtio 9p 2>/dev/null)
	(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp" &&
		mv "$out.tmp" "$out"
	rm -rf "$tmp"
	echo "$out"
}

run=$(mktemp -d "${TMPDIR:-/tmp}/idmesh-vm.XXXXXX")
trap 'rm -rf "$run"' EXIT
# The selftests' and benchmarks' own settings go along (a fuzz seed to
# replay, timeouts, rounds).
for v in $(compgen -e | grep -E '^(IDMESH_(FUZZ|STEP|SELFTEST)|BENCH)_'); do
	printf 'export %s=%q\n' "$v" "${!v}"
done >"$run/cmd"
printf '%q ' "$@" >>"$run/cmd"
echo >>"$run/cmd"
pwd >"$run/cwd"
console="$run/console.log"

# Time under TCG: the guest's TSC is the host's (constant and reliable on
# the hosts we run on), so the clocksource watchdog, which a descheduled
# vCPU fools into calling it unstable, is off; the debug kernel has ACPI so
# that the TSC and the local APIC timer are calibrated against the PM timer
# and the HPET, as on the stock kernels, not against the PIT alone.
append="console=ttyS0 panic=-1 oops=panic panic_on_warn=0 loglevel=7 tsc=reliable"
# The host's TSC frequency, when it is constant and known, so that no
# calibration runs at all (a loaded host makes the PIT tick unevenly:
# "tsc: Unable to calibrate against PIT", loops_per_jiffy misestimated).
host_tsc_khz() {
	grep -qw constant_tsc /proc/cpuinfo && grep -qw nonstop_tsc /proc/cpuinfo || return 1
	local mhz
	mhz=$(dmesg 2>/dev/null | sed -n 's/.*tsc: Refined TSC clocksource calibration: \([0-9.]*\) MHz.*/\1/p' | tail -n 1)
	[ -n "$mhz" ] || mhz=$(dmesg 2>/dev/null | sed -n 's/.*tsc: Detected \([0-9.]*\) MHz processor.*/\1/p' | tail -n 1)
	[ -n "$mhz" ] || { grep -qw tsc_known_freq /proc/cpuinfo &&
		mhz=$(sed -n 's/^cpu MHz[[:space:]]*: *\([0-9.]*\)$/\1/p' /proc/cpuinfo | head -n 1); }
	[ -n "$mhz" ] && awk -v m="$mhz" 'BEGIN { if (m > 100) printf "%d\n", m * 1000; else exit 1 }'
}
# Under --icount the guest's TSC counts its clock's nanoseconds: 1 GHz.
if [ -n "$icount" ]; then
	append="$append tsc_early_khz=1000000 lpj=$((1000000 * 1000 / 250))"
elif khz=$(host_tsc_khz); then
	# loops_per_jiffy as the kernel derives it from the TSC (HZ=250 on
	# the debug and Debian's kernels).
	append="$append tsc_early_khz=$khz lpj=$((khz * 1000 / 250))"
fi
append="$append idmesh_guest_init=$here/guest-init.sh"
qemu=(qemu-system-x86_64 -machine q35,accel="$accel" -cpu max -m "$mem" -smp "$smp"
      -nographic -no-reboot -nodefaults -display none
      -chardev file,id=con,path="$console" -serial chardev:con
      -chardev stdio,id=out,signal=off -serial chardev:out
      -fsdev local,id=rootfs,path=/,security_model=none,readonly=on,multidevs=remap
      -device virtio-9p-pci,fsdev=rootfs,mount_tag=root
      -fsdev local,id=runfs,path="$run",security_model=none,multidevs=remap
      -device virtio-9p-pci,fsdev=runfs,mount_tag=idmeshrun
      -fsdev local,id=cwdfs,path="$PWD",security_model=none,readonly=on,multidevs=remap
      -device virtio-9p-pci,fsdev=cwdfs,mount_tag=idmeshcwd)
if [ -n "$icount" ]; then
	[ "$accel" = tcg ] || die "--icount needs TCG, not --kvm"
	qemu+=(-icount shift=0,sleep=off)
fi
if [ -n "$stock" ]; then
	[ -r "/boot/vmlinuz-$stock" ] || die "no /boot/vmlinuz-$stock; run 'make deps'"
	initrd=$(stock_initramfs "$stock") || die "cannot build the initramfs for $stock"
	qemu+=(-kernel "/boot/vmlinuz-$stock" -initrd "$initrd"
	       -append "$append rdinit=/init")
else
	[ -r "$kernel" ] || die "kernel $kernel not found"
	qemu+=(-kernel "$kernel"
	       -append "$append root=root rootfstype=9p rootflags=trans=virtio,version=9p2000.L,cache=loose,msize=262144 ro init=$here/guest-init.sh")
fi

# A guest that has not started the command after boot_timeout seconds is
# stuck in boot: stopped then, not at the end of the whole timeout.
boot_timeout=${IDMESH_BOOT_TIMEOUT:-300}
qemu+=(-pidfile "$run/qemu.pid")
# A guest whose kernel reported during its own boot, before the command
# ran (guest-init.sh checks), is booted once more: the report is printed,
# and a second one fails the run as any report does.
for attempt in 1 2; do
	rm -f "$run/started" "$run/done" "$run/boot-report"
	(
		waited=0
		while [ "$waited" -lt "$boot_timeout" ]; do
			sleep 2
			waited=$((waited + 2))
			[ -e "$run/started" ] || [ -e "$run/done" ] && exit 0
		done
		[ -e "$run/started" ] || [ -e "$run/done" ] && exit 0
		: >"$run/boot-stuck"
		kill "$(cat "$run/qemu.pid" 2>/dev/null)" 2>/dev/null
	) &
	watcher=$!
	timeout --foreground -k 5 "$timeout" "${qemu[@]}" </dev/null | sed -u 's/\r$//'
	qrc=${PIPESTATUS[0]}
	: >"$run/done"
	kill "$watcher" 2>/dev/null
	wait "$watcher" 2>/dev/null
	[ -e "$run/boot-report" ] || break
	echo "run-vm: the kernel reported during its own boot (attempt $attempt), before the command ran:" >&2
	grep -nE 'BUG:|WARNING:|KASAN:|UBSAN:|Oops|general protection fault' "$run/boot-report" | head -n 10 >&2
	[ "$attempt" = 2 ] && cp "$run/boot-report" "$console"
done
[ -n "$log" ] && cp "$console" "$log"

if [ -e "$run/boot-stuck" ]; then
	echo "run-vm: guest did not start its command within $boot_timeout s of boot and was stopped; last kernel messages:" >&2
	tail -n 30 "$console" >&2
	exit 124
fi

if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	echo "run-vm: guest did not finish within $timeout s and was killed; last kernel messages:" >&2
	tail -n 30 "$console" >&2
	exit 124
fi
if [ ! -s "$run/rc" ]; then
	echo "run-vm: guest stopped without an exit status (QEMU status $qrc); last kernel messages:" >&2
	tail -n 40 "$console" >&2
	exit 125
fi
rc=$(cat "$run/rc")

# Reports of the kernel's checkers, whatever the command said.
pattern='BUG:|WARNING:|INFO: (possible|trying|task .* blocked)|Kernel panic|Oops|KASAN:|UBSAN:|'
pattern+='unreferenced object|suspected memory leak|general protection fault|'
pattern+='RCU detected stall|rcu_sched self-detected stall|DEBUG_LOCKS_WARN_ON|'
pattern+='turning off the locking correctness validator|Call Trace:'
findings=$(grep -E "$pattern" "$console" | grep -vE 'Lock dependency validator|MAX_LOCKDEP|LOCKDEP_|lockdep_depth' || true)
if [ -n "$allow" ] && [ -n "$findings" ]; then
	findings=$(grep -vE "$allow" <<<"$findings" || true)
fi
if [ -n "$findings" ]; then
	echo "run-vm: kernel log (last 200 lines):" >&2
	sed 's/^/    | /' "$console" | tail -n 200 >&2
	echo "run-vm: the guest kernel log has reports (command status $rc):" >&2
	grep -nE "$pattern" "$console" | head -n 40 >&2
	exit 126
fi
exit "$rc"
