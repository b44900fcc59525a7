#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# idmesh-cni under a real runtime: Debian's podman 4.3 with its CNI
# backend starts containers (a busybox root directory: nothing is pulled)
# on an idmesh network, its conflist in CNI 1.1's form (cniVersions 1.0.0
# and 1.1.0: podman 4.3's libcni takes 1.0.0). Each gets its interface,
# address and route, and a gateway that answers; two
# containers reach each other and the node; "podman rm" leaves no device,
# route or lease behind.
source "$(dirname "$0")/lib.sh"
require_module

if ! command -v podman >/dev/null || [ ! -x /usr/lib/cni/host-local ]; then
	echo "1..0 # SKIP no podman or no /usr/lib/cni/host-local"
	exit $KSFT_SKIP
fi
pm=$(mktemp -d /tmp/idmpm.XXXXXX)
mounts=()
tap_cleanup() {
	local m
	[ -n "${P:-}" ] && $P rm -f -t 0 c1 c2 >/dev/null 2>&1
	for ((m = ${#mounts[@]} - 1; m >= 0; m--)); do umount "${mounts[m]}"; done
	ip addr del 10.87.255.1/32 dev lo 2>/dev/null
	sysctl -qw net.ipv4.ip_forward="$fwd"
	rm -rf "$pm"
}
fwd=$(sysctl -n net.ipv4.ip_forward)
# What podman needs of the guest: cgroup2, and /var/lib/cni writable (the
# host's root is read-only here).
if ! mountpoint -q /sys/fs/cgroup; then
	mount -t cgroup2 none /sys/fs/cgroup && mounts+=(/sys/fs/cgroup)
fi
mount -t tmpfs tmpfs /var/lib && mounts+=(/var/lib)
mkdir -p /var/lib/cni "$pm"/{root,run,net.d,ipam,tmp,rootfs}
# The containers' root: busybox and its applets.
mkdir -p "$pm"/rootfs/{bin,proc,sys,dev,etc,tmp}
cp /bin/busybox "$pm/rootfs/bin/"
for a in sh sleep ping ip cat; do ln -s busybox "$pm/rootfs/bin/$a"; done
cat >"$pm/containers.conf" <<EOF
[network]
network_backend = "cni"
cni_plugin_dirs = ["$top/userspace", "/usr/lib/cni"]
network_config_dir = "$pm/net.d"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$pm/events.log"
runtime = "crun"
tmp_dir = "$pm/tmp"
EOF
cat >"$pm/net.d/idmnet.conflist" <<EOF
{"cniVersion": "1.0.0", "cniVersions": ["1.0.0", "1.1.0"], "name": "idmnet",
 "plugins": [{"type": "idmesh-cni", "mtu": 1400,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.87.0.0/24"}]],
            "dataDir": "$pm/ipam"}}]}
EOF
export CONTAINERS_CONF=$pm/containers.conf TMPDIR=$pm/tmp
P="podman --root $pm/root --runroot $pm/run --storage-driver vfs"
sysctl -qw net.ipv4.ip_forward=1
ip addr add 10.87.255.1/32 dev lo

run $P network ls --format '{{.Name}} {{.Driver}}'
assert "podman sees the idmesh network" grep -q '^idmnet ' <<<"$out"
for c in c1 c2; do
	run $P run -d --name $c --network idmnet --cgroups disabled --cap-add NET_RAW --rootfs "$pm/rootfs" sleep 600
	assert "podman run $c on the idmesh network" [ "$rc" = 0 ]
	[ "$rc" = 0 ] || echo "$err" | tail -n 5 | tap_diag
done
ip1=$($P inspect -f '{{.NetworkSettings.Networks.idmnet.IPAddress}}' c1 2>/dev/null)
ip2=$($P inspect -f '{{.NetworkSettings.Networks.idmnet.IPAddress}}' c2 2>/dev/null)
assert "each container has an address of the network ($ip1, $ip2)" \
	holds '[[ $ip1 == 10.87.0.* && $ip2 == 10.87.0.* && $ip1 != "$ip2" ]]'
run $P exec c1 ip -o addr show dev eth0
assert "... on its eth0, with the config's MTU" \
	holds 'grep -q "inet $ip1/24" <<<"$out" && $P exec c1 cat /sys/class/net/eth0/mtu | grep -qx 1400'
run $P exec c1 ip route
assert "... and its default route through it" grep -q '^default dev eth0' <<<"$out"
assert "c1 reaches c2" wait_until 10 $P exec c1 ping -c1 -W1 "$ip2"
gw=$($P inspect -f '{{.NetworkSettings.Networks.idmnet.Gateway}}' c1 2>/dev/null)
assert "the gateway podman shows ($gw) answers c1's ping" \
	holds '[ "$gw" = 10.87.0.1 ] && $P exec c1 ping -c1 -W1 "$gw"'
# What a user sees, for the record.
{
	echo "\$ podman ps"; $P ps --format '{{.Names}} {{.Status}} {{.Networks}}'
	echo "\$ podman exec c1 ip addr show eth0"; $P exec c1 ip addr show eth0
	echo "\$ podman exec c1 ip route"; $P exec c1 ip route
	echo "\$ podman exec c1 ping -c1 $ip2"; $P exec c1 ping -c1 -W2 "$ip2"
	echo "\$ idmesh link show"; "$IDMESH" link show
} 2>&1 | sed 's/^/# /'
assert "c2 reaches the node" $P exec c2 ping -c1 -W1 10.87.255.1
run ip -j link show
devs=$(jq -r '.[] | select(.ifalias // "" | startswith("idmesh-cni idmnet ")) | .ifname' <<<"$out" | sort)
assert "the node has one idmesh link per container" [ "$(grep -c . <<<"$devs")" = 2 ]
run $P rm -f -t 0 c1 c2
assert "podman rm" [ "$rc" = 0 ]
run ip -j link show
assert "... leaves no device" \
	holds '[ -z "$(jq -r ".[] | select(.ifalias // \"\" | startswith(\"idmesh-cni idmnet \")) | .ifname" <<<"$out")" ]'
assert "... no route" holds '[ -z "$(ip route show root 10.87.0.0/24)" ]'
assert "... and no lease" holds '[ -z "$(ls "$pm/ipam/idmnet" | grep "^10\.")" ]'
tap_end
