#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The part of "make demo" that runs in the guest. Fails if anything
# behaves other than shown.
top=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$top/userspace:$PATH"
moddir=$1
bad=0

# step STATUS CMD...: show the command, its output, and check its status.
step() {
	local want=$1 rc
	shift
	echo
	echo "# $*"
	"$@" 2>&1
	rc=$?
	if [ "$rc" != "$want" ]; then
		echo "demo: expected exit status $want, got $rc" >&2
		bad=1
	fi
}

echo "== idmesh demo on $(uname -r)"
step 1 idmesh version
modprobe -qa udp_tunnel ip6_udp_tunnel nf_defrag_ipv4 nf_defrag_ipv6 libcrc32c
step 0 insmod "$moddir/kmod/idmesh.ko"
step 0 idmesh version
step 0 idmesh -j -p version
step 0 idmesh config show
step 0 idmesh config set flow-limit 100000
step 0 idmesh -j config show
echo
echo "== bad input is refused with the kernel's reason, and changes nothing"
step 1 idmesh config set flow-limit 10
step 0 idmesh config show
echo
echo "== changes need CAP_NET_ADMIN"
step 1 setpriv --reuid=65534 --regid=65534 --clear-groups idmesh config set flow-limit 200
step 0 setpriv --reuid=65534 --regid=65534 --clear-groups idmesh config show
echo
echo "== every network namespace has its own settings"
ip netns add pod1
step 0 idmesh -n pod1 config show
step 0 idmesh -n pod1 config set flow-limit 4096
step 0 idmesh -n pod1 config show
step 0 idmesh config show
ip netns del pod1
echo
echo "== two pods on two nodes, over a remote link"
echo "   pod1 --pair-- node1 ==Geneve id 100== node2 --pair-- pod2"
for ns in node1 node2 pod1 pod2; do ip netns add $ns; ip -n $ns link set lo up; done
ip netns exec node1 sysctl -qw net.ipv4.ip_forward=1
ip netns exec node2 sysctl -qw net.ipv4.ip_forward=1
ip link add ul netns node1 type veth peer name ul netns node2
ip -n node1 addr add 192.168.50.1/24 dev ul; ip -n node1 link set ul up
ip -n node2 addr add 192.168.50.2/24 dev ul; ip -n node2 link set ul up
step 0 idmesh -n node1 link add veth-p1 peer eth0 netns pod1
step 0 idmesh -n node2 link add veth-p2 peer eth0 netns pod2
step 0 idmesh -n node1 link add mesh0 remote 192.168.50.2 local 192.168.50.1 id 100
step 0 idmesh -n node2 link add mesh0 remote 192.168.50.1 id 100 dev ul
for i in 1 2; do
	ip -n node$i link set veth-p$i up; ip -n node$i link set mesh0 up
	ip -n node$i addr add 10.$i.$i.1/32 peer 10.$i.$i.2/32 dev veth-p$i
	ip -n pod$i addr add 10.$i.$i.2/32 peer 10.$i.$i.1/32 dev eth0
	ip -n pod$i link set eth0 up; ip -n pod$i route add default dev eth0
done
ip -n node1 route add 10.2.2.0/24 dev mesh0
ip -n node2 route add 10.1.1.0/24 dev mesh0
step 0 idmesh -n node1 link show
step 0 idmesh -n pod1 link show
ip netns exec node1 tcpdump -i ul -c 1 -nn -v udp port 6081 2>/dev/null >/tmp/demo.pcap &
sleep 1
step 0 ip netns exec pod1 ping -c 2 10.2.2.2
wait
echo
echo "# tcpdump on node1's underlay: the pod's packet, unchanged, in Geneve, vni = id"
cat /tmp/demo.pcap
echo
echo "# the MTU is set for you: 1500 - 36 bytes of encapsulation"
step 0 ip netns exec pod1 ping -c 1 -M do -s 1436 10.2.2.2
step 1 ip netns exec pod1 ping -c 1 -M do -s 1437 10.2.2.2
step 0 idmesh -n node1 -s link show mesh0
for ns in node1 node2 pod1 pod2; do ip netns del $ns; done
echo
echo "== a Maglev-hashed virtual service: a client, a node, three backend pods"
echo "   client --pair-- node --pair-- be1, be2, be3 (each answers with its name)"
for ns in node client be1 be2 be3; do ip netns add $ns; ip -n $ns link set lo up; done
ip netns exec node sysctl -qw net.ipv4.ip_forward=1
i=0
for pod in client be1 be2 be3; do
	i=$((i + 1))
	idmesh -n node link add p-$pod peer eth0 netns $pod
	ip -n node link set p-$pod up; ip -n $pod link set eth0 up
	ip -n node addr add 10.7.$i.1/32 peer 10.7.$i.2/32 dev p-$pod
	ip -n $pod addr add 10.7.$i.2/32 peer 10.7.$i.1/32 dev eth0
	ip -n $pod route add default dev eth0
	[ $pod = client ] || { ip netns exec $pod /usr/bin/python3 "$top/selftests/lbtool.py" serve $pod 8080 & }
done
sleep 3
step 0 idmesh -n node vip add 10.100.0.1 port 80 proto tcp
for i in 2 3 4; do
	step 0 idmesh -n node backend add 10.100.0.1 port 80 proto tcp backend 10.7.$i.2 port 8080
done
echo
echo "# 300 connections from the client to 10.100.0.1:80, who answered:"
step 0 ip netns exec client /usr/bin/python3 "$top/selftests/lbtool.py" new 10.100.0.1 80 300
step 0 idmesh -n node -s vip show
echo
echo "# 30 connections held open while be3 is removed and be1 is drained (weight 0);"
echo "# before/after: which backend answered each, before and after the change"
step 0 ip netns exec client /usr/bin/python3 "$top/selftests/lbtool.py" conns 10.100.0.1 80 30 \
	"idmesh -n node backend del 10.100.0.1 port 80 proto tcp backend 10.7.4.2 port 8080 &&
	 idmesh -n node backend set 10.100.0.1 port 80 proto tcp backend 10.7.2.2 port 8080 weight 0"
echo "# (connections on be3 broke with it; all others kept their backend, be1's too)"
step 0 idmesh -n node vip show
echo "# new connections now all go to be2:"
step 0 ip netns exec client /usr/bin/python3 "$top/selftests/lbtool.py" new 10.100.0.1 80 20
echo
echo "# refused: a table size that is not prime, an IPv6 backend for an IPv4 VIP"
step 1 idmesh -n node vip add 10.100.0.2 proto udp table-size 65536
step 1 idmesh -n node backend add 10.100.0.1 port 80 proto tcp backend fd00::1
kill $(jobs -p) 2>/dev/null
wait 2>/dev/null
for ns in node client be1 be2 be3; do ip netns del $ns; done
echo
echo "== workload identity on the wire: the SACL gateway"
echo "   web  --pair c1-- node-a (tags) ==IPv6+IPv4== node-b (filters, strips) --pair s1-- db"
echo "   batch --pair c2--/"
for ns in node-a node-b web batch db; do ip netns add $ns; ip -n $ns link set lo up; done
for ns in node-a node-b; do
	ip netns exec $ns sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv4.ip_forward=1
done
for pod in "node-a c1 web fd10:1 10.10.1" "node-a c2 batch fd10:2 10.10.2" "node-b s1 db fd20:1 10.20.1"; do
	set -- $pod
	idmesh -n $1 link add $2 peer eth0 netns $3
	ip -n $1 link set $2 up; ip -n $3 link set eth0 up
	ip -n $1 route add $4::2/128 dev $2
	ip -n $1 addr add $5.1/32 peer $5.2/32 dev $2
	ip -n $3 addr add $4::2/128 dev eth0 nodad
	ip -n $3 addr add $5.2/32 peer $5.1/32 dev eth0
	ip -n $3 route add ::/0 dev eth0
	ip -n $3 route add default dev eth0
done
ip link add ua netns node-a type veth peer name ub netns node-b
ip -n node-a addr add fd00::1/64 dev ua nodad; ip -n node-a link set ua up
ip -n node-b addr add fd00::2/64 dev ub nodad; ip -n node-b link set ub up
ip -n node-a addr add 192.168.0.1/24 dev ua
ip -n node-b addr add 192.168.0.2/24 dev ub
ip -n node-a route add fd20::/16 via fd00::2
ip -n node-b route add fd10::/16 via fd00::1
ip -n node-a route add 10.20.0.0/16 via 192.168.0.2
ip -n node-b route add 10.10.0.0/16 via 192.168.0.1
echo "# node-a: its pods' ports, who they are (SACL IDs 101 web, 102 batch) and the db's ID"
step 0 idmesh -n node-a sacl port add c1
step 0 idmesh -n node-a sacl port add c2
step 0 idmesh -n node-a sacl client add fd10:1::2 dev c1 id 101
step 0 idmesh -n node-a sacl client add fd10:2::2 dev c2 id 102
step 0 idmesh -n node-a sacl server add fd20:1::2 id 201
echo "# the same workloads by their IPv4 addresses: the same IDs"
step 0 idmesh -n node-a sacl client add 10.10.1.2 dev c1 id 101
step 0 idmesh -n node-a sacl client add 10.10.2.2 dev c2 id 102
step 0 idmesh -n node-a sacl server add 10.20.1.2 id 201
echo "# node-b: only web may talk to db, with skb priority 1:3 (band 3 of a prio qdisc)"
step 0 idmesh -n node-b sacl port add s1
step 0 idmesh -n node-b sacl rule add client 101 server 201 allow priority 1:3
step 0 idmesh -n node-b sacl set default deny
step 0 idmesh -n node-b sacl show
ip netns exec node-b tcpdump -i ub -c 2 -nn -v -x 'ip6[6] == 0 and ip6 host fd10:1::2' 2>/dev/null >/tmp/demo-sacl.txt &
sleep 1
step 0 ip netns exec web ping -6 -c 1 fd20:1::2
wait
echo
echo "# tcpdump on node-b's underlay: the request and the reply (tagged through"
echo "# connection tracking), each with a Hop-by-Hop header: PadN, then option"
echo "# 0x1e of 16 bytes, client ID 101 (0x65), server ID 201 (0xc9)"
cat /tmp/demo-sacl.txt
echo "# batch is not allowed to reach db: dropped at node-b, over IPv6 and IPv4 alike"
step 1 ip netns exec batch ping -6 -c 1 -W 2 fd20:1::2
step 1 ip netns exec batch ping -4 -c 1 -W 2 10.20.1.2
echo "# web reaches db over IPv4 too; on node-b's underlay, the IPv4 option: NOP, NOP,"
echo "# type 30 (0x1e), length 18 (0x12), client ID 101, server ID 201 (IHL 10)"
ip netns exec node-b tcpdump -i ub -c 1 -nn -v -x 'ip[0] & 0xf > 5 and src host 10.10.1.2' 2>/dev/null >/tmp/demo-sacl4.txt &
sleep 1
step 0 ip netns exec web ping -4 -c 1 10.20.1.2
wait
cat /tmp/demo-sacl4.txt
echo "# db's own connection to an address with no server entry (node-a's) is"
echo "# answered under default deny: tracked on its way out, its replies pass"
step 0 ip netns exec db ping -6 -c 1 -W 2 fd00::1
step 0 ip netns exec db ping -4 -c 1 -W 2 192.168.0.1
step 0 idmesh -n node-b -s sacl show
echo "# refused: an option type a node that does not know it would drop (action bits 01)"
step 1 idmesh -n node-b sacl set option-type 0x5e
echo
echo "== the same by labels: idmesh apply turns labels into Services and SACL IDs,"
echo "   policies into rules, and changes only what differs"
# intent NODE BATCH-APP: the intent of node-a or node-b
intent() {
	local ports='["s1"]' wdev= bdev= ddev=', "dev": "s1"'
	[ "$1" = node-a ] && ports='["c1", "c2"]' wdev=', "dev": "c1"' bdev=', "dev": "c2"' ddev=
	cat <<-EOJ
	{
	  "ports": $ports,
	  "default": "deny",
	  "service-keys": ["app"],
	  "workloads": [
	    {"name": "web", "address": "fd10:1::2"$wdev, "labels": {"app": "web", "pod": "web-7f9c"}},
	    {"name": "batch", "address": "fd10:2::2"$bdev, "labels": {"app": "$2", "pod": "batch-x2"}},
	    {"name": "db", "address": "fd20:1::2"$ddev, "labels": {"app": "db"}}
	  ],
	  "policies": [
	    {"name": "web-to-db", "priority": "1:3",
	     "client": [{"key": "app", "operator": "in", "values": ["web"]}],
	     "server": [{"key": "app", "operator": "in", "values": ["db"]}]}
	  ]
	}
	EOJ
}
intent node-a batch >/tmp/demo-a.json
intent node-b batch >/tmp/demo-b.json
intent node-a web >/tmp/demo-a-web.json
intent node-b web >/tmp/demo-b-web.json
echo "# node-b's intent:"
cat /tmp/demo-b.json
step 0 idmesh apply -f /tmp/demo-b.json --dry-run
echo "# applied: the hand-made entries above go, the intent's come"
step 0 idmesh -n node-b apply -f /tmp/demo-b.json
step 0 idmesh -n node-a apply -f /tmp/demo-a.json
step 0 ip netns exec web ping -6 -c 1 -W 2 fd20:1::2
echo "# batch is still not allowed (no policy, default deny)"
step 1 ip netns exec batch ping -6 -c 1 -W 2 fd20:1::2
echo "# the same file again: nothing to change"
step 0 idmesh -n node-a apply -f /tmp/demo-a.json
echo "# batch's pod gets the label app=web: only its entries change, and it reaches db"
step 0 idmesh -n node-a apply -f /tmp/demo-a-web.json
step 0 idmesh -n node-b apply -f /tmp/demo-b-web.json
step 0 ip netns exec batch ping -6 -c 1 -W 2 fd20:1::2
echo "# refused, naming the file, the place in it and the reason; nothing changed"
sed 's/"operator": "in"/"operator": "is"/' /tmp/demo-a.json >/tmp/demo-bad.json
step 1 idmesh -n node-a apply -f /tmp/demo-bad.json
echo "# what the paper's section 7.1 counts, for its section 7.2 assumptions"
step 0 idmesh sim alpha 1,32
for ns in node-a node-b web batch db; do ip netns del $ns; done
echo
echo "== a node configured only by apply, from the objects a Kubernetes cluster holds"
echo "   (selftests/k8s/: printed by kubectl; web is a Service of 3, then 5 pods)"
LB="/usr/bin/python3 $top/selftests/lbtool.py"
K8S=$top/selftests/k8s
for ns in node-a node-b client web-1 web-2 web-3 web-4 web-5; do
	ip netns add $ns
	ip -n $ns link set lo up
done
ip netns exec node-a sysctl -qw net.ipv4.ip_forward=1
ip link add ul netns node-a type veth peer name ul netns node-b
ip -n node-a addr add 192.168.70.1/24 dev ul
ip -n node-b addr add 192.168.70.2/24 dev ul
ip -n node-a link set ul up
ip -n node-b link set ul up
echo "# the pods' links, as the CNI plugin makes them when pods start: pairs named"
echo "# by idmesh k8s dev NAMESPACE POD, with the pods' addresses and routes"
{
	echo "pairs:"
	for p in client web-1 web-2 web-3 web-4 web-5; do
		case $p in client) ip=10.50.1.20 ;; *) ip=10.50.1.$((${p#web-} + 1)) ;; esac
		echo "  - {name: $(idmesh k8s dev shop $p), peer: eth0, netns: $p," \
			"routes: [$ip/32], peer-addresses: [$ip/32], peer-routes: [0.0.0.0/0]}"
	done
} >/tmp/demo-pods.yaml
step 0 idmesh -n node-a apply -f /tmp/demo-pods.yaml
for i in 1 2 3 4 5; do
	ip netns exec web-$i $LB serve web$i 8080 >/dev/null 2>&1 &
done
for i in 1 2 3 4 5; do
	for t in $(seq 100); do
		ip netns exec web-$i ss -Hltn 'sport = :8080' | grep -q . && break
		sleep 0.2
	done
done
echo "# node-a's intent from the objects: a remote link to node-b, web's ClusterIP as"
echo "# a VIP with its ready endpoints, the pods as workloads behind their links"
step 0 idmesh k8s node node-a -o /tmp/demo-k3.json "$K8S/web3.json"
step 0 idmesh k8s node node-b -o /tmp/demo-kb.json "$K8S/web3.json"
step 0 idmesh -n node-a apply -f /tmp/demo-k3.json
step 0 idmesh -n node-b apply -f /tmp/demo-kb.json
step 0 idmesh -n node-a vip show
echo "# 30 connections from the client pod to web's ClusterIP, by pod that answered"
step 0 ip netns exec client $LB new 10.96.0.10 80 30
echo "# the same objects again: nothing to change"
step 0 idmesh -n node-a apply -f /tmp/demo-k3.json
echo "# web scaled to 5, then web-2 terminating, while 12 connections stay open:"
echo "# each answers again from the same pod (before == after)"
idmesh k8s node node-a -o /tmp/demo-k5.json "$K8S/web5.json"
idmesh k8s node node-a -o /tmp/demo-k5t.json "$K8S/web5t.json"
step 0 ip netns exec client $LB conns 10.96.0.10 80 12 \
	"idmesh -n node-a apply -f /tmp/demo-k5.json && idmesh -n node-a apply -f /tmp/demo-k5t.json"
echo "# web-2 (10.50.1.3) is drained: weight 0, no slots, no new connections"
step 0 idmesh -n node-a vip show
step 0 ip netns exec client $LB new 10.96.0.10 80 30
echo "# the node as an intent; applying it changes nothing"
idmesh -n node-a export >/tmp/demo-export.json
step 0 idmesh -n node-a apply -f /tmp/demo-export.json
for i in 1 2 3 4 5; do ip netns pids web-$i | xargs -r kill; done
for ns in node-a node-b client web-1 web-2 web-3 web-4 web-5; do ip netns del $ns; done
echo
echo "== unload"
step 0 rmmod idmesh
step 1 idmesh config show
echo
[ "$bad" = 0 ] && echo "== demo finished: everything behaved as shown" ||
	echo "== demo: something did not behave as expected"
exit "$bad"
