# SPDX-License-Identifier: GPL-2.0
# What the guest sides of the benchmarks share (sourced): the selftests'
# namespace helpers, and the figures they print. Benchmarks print, never
# assert.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

# The guest script's argument: where the module built for this kernel is.
moddir=$1
FLOOD=$top/build/udpflood

# bench_load MODULE...: the kernel's modules idmesh.ko needs (as
# guest-run.sh loads them) and those the benchmark names, then idmesh.ko.
bench_load() {
	modprobe -qa udp_tunnel ip6_udp_tunnel nf_defrag_ipv4 nf_defrag_ipv6 \
		libcrc32c "$@" 2>/dev/null
	insmod "$moddir/kmod/idmesh.ko"
}

# median: of the numbers on standard input, one per line.
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# ratio A B [SUFFIX]: A / B to two decimals (then SUFFIX), or n/a.
ratio() {
	awk -v a="$1" -v b="$2" -v s="${3:-}" \
		'BEGIN { if (b > 0) printf "%.2f%s", a / b, s; else print "n/a" }'
}

# icount: the guest runs under QEMU's -icount (scripts/bench.sh with
# BENCH_ICOUNT=1, one CPU): its clock counts instructions, one a
# nanosecond, so a rate of R a second is 1e9 / R instructions for each
# packet, on a loaded host as on an idle one.
icount() { [ "${BENCH_ICOUNT:-0}" = 1 ]; }

# per_pkt RATE: what the rows print for a rate: the rate itself, or under
# icount the instructions per packet (1e9 / RATE).
per_pkt() {
	if icount; then
		awk -v r="$1" 'BEGIN { if (r > 0) printf "%.0f", 1e9 / r; else print "-" }'
	else
		echo "$1"
	fi
}
