#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of "make bench-sacl". Prints, never asserts.
#
# A client pod and a server pod on two nodes, over a routed IPv6 underlay:
#
#   cli --pair c1-- a --veth-- b --pair s1-- srv
#
# twice: chain "g", whose node a tags what cli sends (port c1) and whose
# node b filters and strips (port s1), replies going back tagged by b
# through connection tracking and stripped by a; and chain "n", the same
# with no gateway, measured alternately with it (the baseline of the same
# run). Measured: the packet rate of small UDP packets in FLOWS streams,
# client to server and server to client (replies of flows the client
# opened), and the RTT of ping; with both gateways holding the tables of
# the paper's evaluation (Acila §7.2): clients 1.3e2*alpha, servers
# 3.8e3*alpha, rules 3.8e3*alpha, for alpha = 0.1, 1, 4, 32, and as many
# tracked connections as servers (ess = 3.8e3*alpha): the client opens
# them through both gateways before the measurement, and the measured
# packets are spread over FLOWS (1024) streams of their own, so that
# lookups land all over a table of that size.
#
# At alpha = 1, also where the time goes, per packet, by taking the
# gateways apart (perf's cpu-clock samples are not to be trusted under
# TCG: the module's hook functions got none while sampling cut the rate
# threefold): the rates with rules and no ports (a transit node: the
# forward hook, defrag, parse), with ports but an unknown client
# (connections tracked, no option; with pair ports, inside the pairs),
# and whole; the cost of a stage is its extra microseconds per
# packet (1e6/pps) over the no-gateway chain measured next to it.
# BENCH_BREAKDOWN=0 leaves it out.
#
# Then the time itself at alpha = 1, from ftrace's function_graph tracer
# (it reads the clock at a function's entry and return, it does not
# sample): the microseconds per packet spent in the receive path, the
# forward path, the netfilter hooks and the module's functions, with the
# gateways and without, while c->s floods (see profile() below). The
# tracer's own cost on each traced call is in these figures; they rank
# the stages, the rates above are the measurement. BENCH_PROFILE=0
# leaves it out.
source "$(dirname "$0")/lib.sh"
T=${BENCH_SECONDS:-3}
FLOWS=${BENCH_FLOWS:-1024}
BREAKDOWN=${BENCH_BREAKDOWN:-1}
# Under icount every figure repeats (nothing of the host in it): one
# round, no tracer (its own instructions would be counted).
PROFILE=${BENCH_PROFILE:-$(icount && echo 0 || echo 1)}
ulimit -n 8192
ALPHAS=${BENCH_ALPHAS:-0.1 1 4 32}

bench_load || exit 1

echo "# idmesh SACL benchmark, kernel $(uname -r), $(nproc) CPUs, ${T}s per rate, $FLOWS UDP streams, ports: ${BENCH_PORTS:-pair}$(icount && echo ", under -icount (instructions)")"

# Two identical chains: "g" gets the gateways, "n" never does; their
# measurements alternate, so that both see the same machine (TCG's speed
# drifts over a run), and each figure is the median of REPS.
REPS=${BENCH_REPS:-$(icount && echo 1 || echo 3)}
# node NS POD UPLINK SELF NEAR FAR PEER: fd00::SELF on UPLINK, the pod's
# NEAR::2 on its pair POD, the far pods' FAR::/64 via fd00::PEER.
node() {
	ip -n "$1" -batch - <<-EOB
	link set $2 up
	link set $3 up
	addr add fd00::$4/64 dev $3 nodad
	route add $5::2/128 dev $2
	route add $6::/64 via fd00::$7
	EOB
}

# pod NODE DEV POD PREFIX: POD's eth0 (PREFIX::2) joined to NODE's port DEV:
# an idmesh pair, or with BENCH_PORTS=veth a veth (the node's side
# PREFIX::1, the pod's gateway).
PORTS=${BENCH_PORTS:-pair}
pod() {
	local via=
	if [ "$PORTS" = veth ]; then
		ip link add "$2" netns "$1" type veth peer name eth0 netns "$3"
		ip -n "$1" addr add "$4::1/128" dev "$2" nodad
		via="via $4::1"
	else
		"$IDMESH" -n "$1" link add "$2" peer eth0 netns "$3"
	fi
	ip -n "$3" -batch - <<-EOB
	link set eth0 up
	addr add $4::2/128 dev eth0 nodad
	route add $4::1/128 dev eth0
	route add ::/0 $via dev eth0
	EOB
}

chain() { # SUFFIX
	local x=$1 ns
	for ns in cli a b srv; do ip netns add $ns$x; ip -n $ns$x link set lo up; done
	for ns in a b; do nsx $ns$x sysctl -qw net.ipv6.conf.all.forwarding=1; done
	ip link add ua netns a$x type veth peer name ub netns b$x
	pod a$x c1 cli$x fd10
	pod b$x s1 srv$x fd20
	node a$x c1 ua 1 fd10 fd20 2
	node b$x s1 ub 2 fd20 fd10 1
	nsx cli$x ping -6 -c 1 -W 5 fd20::2 >/dev/null || echo "# chain $x: no connectivity"
}
chain g
chain n

# c->s: FLOWS streams from ephemeral ports to srv:9
c2s() { # CHAIN
	nsx srv$1 "$FLOOD" recv :: 9 "$T" >/tmp/rx &
	sleep 0.3
	nsx cli$1 "$FLOOD" send fd20::2 9 "$T" 18 "$FLOWS" >/dev/null
	wait
	awk '{print $3}' /tmp/rx
}
# s->c: the client opens cli:9 -> srv:20000+i, then the server answers
# from those ports: replies, as the gateways see them.
s2c() { # CHAIN
	nsx cli$1 /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::", 9))
for i in range(int(sys.argv[1])):
    s.sendto(b"open", ("fd20::2", 20000 + i))' "$FLOWS"
	sleep 0.2
	nsx cli$1 "$FLOOD" recv :: 9 "$T" >/tmp/rx &
	sleep 0.3
	nsx srv$1 "$FLOOD" send fd10::2 9 "$T" 18 "$FLOWS" 20000 >/dev/null
	wait
	awk '{print $3}' /tmp/rx
}
rtt() { nsx cli$1 ping -6 -q -c 50 -i 0.02 fd20::2 | awk -F/ '/^rtt/ {print $5}'; }
# measure [rates]: "c2s-g c2s-n s2c-g s2c-n rtt-g rtt-n", medians of
# alternating runs ("rates": no RTT)
measure() {
	local i
	for i in $(seq "$REPS"); do
		echo "c2s-n $(c2s n)"; echo "c2s-g $(c2s g)"
		echo "s2c-n $(s2c n)"; echo "s2c-g $(s2c g)"
	done >/tmp/m
	[ "$1" = rates ] && set -- c2s-g c2s-n s2c-g s2c-n || {
		echo "rtt-n $(rtt n)" >>/tmp/m
		echo "rtt-g $(rtt g)" >>/tmp/m
		set -- c2s-g c2s-n s2c-g s2c-n rtt-g rtt-n
	}
	for k in "$@"; do
		awk -v k=$k '$1 == k {print $2}' /tmp/m | median
	done | tr '\n' ' '
}

# held NODE: the SACL connections NODE tracks
held() { "$IDMESH" -n "$1" -j stats show | jq -r '.sacl_flows'; }

# us G N: extra microseconds per packet of rate G over rate N (under
# icount: extra instructions per packet)
us() {
	awk -v g="$1" -v n="$2" -v k="$(icount && echo 1e9 || echo 1e6)" -v f="$(icount && echo %.0f || echo %.2f)" \
		'BEGIN { if (g > 0 && n > 0) printf f, k / g - k / n; else print "-" }'
}
# breakdown: the gateways taken apart at alpha=1, each stage measured
# with the no-gateway chain alternately, as the rates above
breakdown() {
	local st cg cn sg sn
	if icount; then
		echo "where the instructions go at alpha=1 (per packet: 1e9/pps; extra over no gateway):"
		printf "    %-44s %7s %7s %6s   %7s %7s %6s\n" "" "c->s" "none" "extra" "s->c" "none" "extra"
	else
		echo "where the time goes at alpha=1 (extra us per packet over no gateway, 1e6/pps):"
		printf "    %-44s %7s %7s %6s   %7s %7s %6s\n" "" "c->s" "none" "us" "s->c" "none" "us"
	fi
	for st in hooks track full; do
		# A port's clients go with it. Port c1 without any: what comes
		# from it has no identity (a port with clients would drop an
		# address not among them as spoofed); then its clients back.
		case $st in
		hooks)	"$IDMESH" -n ag sacl port del c1
			"$IDMESH" -n bg sacl port del s1 ;;
		track)	"$IDMESH" -n ag sacl port add c1
			"$IDMESH" -n bg sacl port add s1
			"$IDMESH" -n bg -b /tmp/clients-bg ;;
		full)	"$IDMESH" -n ag -b /tmp/clients-ag ;;
		esac
		read -r cg cn sg sn < <(measure rates)
		printf "    %-44s %7s %7s %6s   %7s %7s %6s\n" "$(case $st in
			hooks) echo "rules, no ports (transit: hook, defrag)" ;;
			track) echo "+ ports, client unknown (tracked, no option)" ;;
			full) echo "+ identity (option in, rule, option out)" ;;
			esac)" "$(per_pkt "$cg")" "$(per_pkt "$cn")" "$(us "$cg" "$cn")" \
			"$(per_pkt "$sg")" "$(per_pkt "$sn")" "$(us "$sg" "$sn")"
	done
}

# profile: each function traced alone (no nested tracer cost) next to
# udpv6_rcv, which counts the packets the server pod receives (it holds
# none of the forwarding), under a c->s flood of chain g, then of chain
# n: us per received packet (the mean, with what nests in it: ipv6_rcv
# holds prerouting, the route and ip6_forward; ip6_forward the forward
# hook and the hand-off to the next device; nf_hook_slow the hooks),
# calls per packet, and the median us per call. idm_flow_touch, a few
# stores, shows what the tracer adds to each call.
PROFILED_G="ipv6_rcv ip6_forward nf_hook_slow ipv6_defrag idm_sacl_forward
idm_sacl_pair_in idm_sacl_pair_out idm_sacl_parse_skb idm_flow_lookup idm_sacl_insert idm_sacl_take_out
idm_flow_touch"
PROFILED_N="ipv6_rcv ip6_forward nf_hook_slow"
profile() {
	local tr=/sys/kernel/tracing f x
	[ -e $tr/trace ] || mount -t tracefs nodev $tr 2>/dev/null
	if [ ! -w $tr/set_ftrace_filter ]; then
		echo "# profile: no function tracer in this kernel"
		return
	fi
	echo "where the time goes, by the function tracer, each function traced alone"
	echo "(us per packet received, calls per packet, median us per call):"
	echo 32768 >$tr/buffer_size_kb
	echo 1 >$tr/options/funcgraph-tail
	for x in g n; do
		echo "  chain $x ($([ $x = g ] && echo gateways || echo no gateway)):"
		for f in $([ $x = g ] && echo $PROFILED_G || echo $PROFILED_N); do
			grep -q "^$f\\( \\|$\\)" $tr/available_filter_functions || continue
			echo "$f udpv6_rcv" >$tr/set_ftrace_filter
			echo function_graph >$tr/current_tracer
			echo >$tr/trace
			echo 1 >$tr/tracing_on
			c2s $x >/dev/null
			echo 0 >$tr/tracing_on
			awk '
			match($0, /[0-9.]+ us +\|/) {
				d = substr($0, RSTART, RLENGTH) + 0
				rest = substr($0, RSTART + RLENGTH)
				sub(/^ *(} \/\* *)?/, "", rest)
				sub(/[ (\[].*/, "", rest)
				print rest, d
			}' $tr/trace >/tmp/pd
			awk -v f=$f -v med="$(awk -v f=$f '$1 == f {print $2}' /tmp/pd | median)" '
			{ t[$1] += $2; c[$1]++ }
			END {
				pk = c["udpv6_rcv"]
				if (pk < 1) { printf "    %-22s (no packets traced)\n", f; exit }
				printf "    %-22s %7.2f us %5.2f calls   median %6.2f us   (%d packets)\n",
					f, t[f] / pk, c[f] / pk, med, pk
			}' /tmp/pd
			rm -f /tmp/pd
			echo nop >$tr/current_tracer
		done
	done
	echo >$tr/set_ftrace_filter
	echo 1408 >$tr/buffer_size_kb
}

# row LABEL C2S-G C2S-N S2C-G S2C-N RTT-G RTT-N: rates (or instructions
# per packet) with ratios of the rates.
row() {
	printf "  %-30s %7s %7s %5s   %7s %7s %5s   %6s %6s\n" "$1" "$(per_pkt "$2")" \
		"$(per_pkt "$3")" "$(ratio "$2" "$3")" "$(per_pkt "$4")" "$(per_pkt "$5")" \
		"$(ratio "$4" "$5")" "${6:-}" "${7:-}"
}
if icount; then
	echo "instructions per packet (QEMU -icount, one CPU: the guest's second is 1e9 instructions;"
	echo "1e9/pps of the whole path, sender to receiver; ratio: of the rates, as below) and ping"
	echo "RTT (ms of that clock: millions of instructions), client pod -> server pod:"
else
	echo "packet rate (pps; median of $REPS, each gateway run next to a no-gateway run)"
	echo "and ping RTT (ms), client pod -> server pod:"
fi
printf "  %-30s %7s %7s %5s   %7s %7s %5s   %6s %6s\n" "" "c->s" "none" "ratio" "s->c" "none" "ratio" "RTT" "none"
read -r cg cn sg sn rg rn < <(measure)
row "neither chain (the noise)" "$cg" "$cn" "$sg" "$sn" "$rg" "$rn"

# Both gateways: the pods' ports and own entries (identity belongs to a
# port: each node's clients are behind its pod's port, the server pod a
# client of its own node too, so that what it sends is its own), then
# the tables grown to each size.
"$IDMESH" -n ag sacl port add c1
"$IDMESH" -n bg sacl port add s1
echo "sacl client add fd10::2 dev c1 id 1" >/tmp/clients-ag
echo "sacl client add fd20::2 dev s1 id 2" >/tmp/clients-bg
for ns in ag bg; do
	"$IDMESH" -n $ns -b - <<-EOB
	sacl server add fd20::2 proto udp port 9 id 2
	sacl server add fd20::2 id 2
	sacl rule add client 1 server 2 allow
	EOB
	"$IDMESH" -n $ns -b /tmp/clients-$ns
done
# room for the largest alpha's connections and the measurement's own,
# all of them charged to one port (the client's, the server's)
for n in ag bg; do
	"$IDMESH" -n $n config set sacl-flow-limit 262144 sacl-port-flow-limit 262144
done
have_c=1 have_s=2 have_r=1
for alpha in $ALPHAS; do
	read -r nc nsv nr < <(awk -v a="$alpha" 'BEGIN {
		printf "%d %d %d\n", 1.3e2 * a + 0.5, 3.8e3 * a + 0.5, 3.8e3 * a + 0.5 }')
	for n in ag bg; do
		awk -v c0="$have_c" -v c1="$nc" -v d="$([ $n = ag ] && echo c1 || echo s1)" 'BEGIN {
			for (i = c0; i < c1; i++)
				printf "sacl client add fd10:%x::%x dev %s id %d\n", int(i / 65535) + 1, i % 65535 + 1, d, 1000 + i
		}' >/tmp/clients-new
		"$IDMESH" -n $n -b /tmp/clients-new || echo "# loading clients into $n failed"
		cat /tmp/clients-new >>/tmp/clients-$n
	done
	awk -v s0="$have_s" -v s1="$nsv" -v r0="$have_r" -v r1="$nr" 'BEGIN {
		for (i = s0; i < s1; i++)
			printf "sacl server add fd20:%x::%x proto udp port %d id %d\n", int(i / 65535) + 1, i % 65535 + 1, 80 + i % 2, 1000000 + i
		for (i = r0; i < r1; i++)
			printf "sacl rule add client %d server %d\n", 1000 + i, 1000000 + i
	}' >/tmp/tables
	for n in ag bg; do "$IDMESH" -n $n -b /tmp/tables || echo "# loading tables into $n failed"; done
	have_c=$nc have_s=$nsv have_r=$nr
	# ess connections tracked on both gateways: one datagram each from
	# new client sockets to the server's ports from 10000 (tagged by ag,
	# let in and remembered by bg), topping up those still held (some
	# expire while the larger tables load)
	need=$((nsv - $(held ag)))
	if [ "$need" -gt 0 ]; then
		fill=$(( (need + 999) / 1000 ))
		ports=$(( (need + fill - 1) / fill ))
		nsx clig "$FLOOD" fill fd20::2 10000 "$fill" "$ports" >/dev/null
	fi
	tracked="$(held ag)/$(held bg)"
	read -r cg cn sg sn rg rn < <(measure)
	row "alpha=$alpha ($nc/$nsv/$nr)" "$cg" "$cn" "$sg" "$sn" "$rg" "$rn"
	echo "#   tracked connections before the measurement (ag/bg): $tracked"
	if [ "$BREAKDOWN" = 1 ] && [ "$alpha" = 1 ]; then
		breakdown
	fi
	if [ "$PROFILE" = 1 ] && [ "$alpha" = 1 ]; then
		profile
	fi
done
echo "  (clients/servers/rules on each gateway; the paper's eBPF gateway kept 0.86 c->s and"
echo "   0.88 s->c at alpha=1, 0.76 and 0.82 at alpha=32)"
for n in ag bg; do
	echo "# node $n: $("$IDMESH" -n $n -s sacl show | sed -n 2p)"
done
echo "# flows: $("$IDMESH" -n bg -j stats show | jq -c .)"
for ns in cli a b srv; do ip netns del ${ns}g; ip netns del ${ns}n; done
sleep 0.5
rmmod idmesh
