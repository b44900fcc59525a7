#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian 12 packages idmesh needs. Idempotent; silent when
# everything is already installed.
set -euo pipefail

pkgs=(
	# build: module, tool, test kernel
	gcc make libc6-dev pkg-config libnl-3-dev libnl-genl-3-dev libjson-c-dev libyaml-dev
	libcurl4-openssl-dev
	flex bison bc libelf-dev libssl-dev cpio xz-utils zstd kmod perl
	linux-source-6.1
	# the kernel's YNL tools and schemas (check-spec.py)
	linux-source-6.12 python3-jsonschema
	# the stock kernels the module is tested on, with their headers
	linux-image-amd64 linux-headers-amd64
	linux-image-6.12-amd64 linux-headers-6.12-amd64
	# the VM and what runs in it
	qemu-system-x86 busybox-static iproute2 util-linux jq
	iputils-ping iperf3 tcpdump python3-scapy ipvsadm
	# bench-link's baseline for encrypted links: the kernel's WireGuard
	wireguard-tools
	# the CNI plugin's tests: host-local and friends, a real runtime
	containernetworking-plugins podman
	# pod egress: the masquerade rules (idmesh-cni's ipMasq, the intent's)
	nftables
	# DKMS, as a node builds the module
	dkms
	# checks
	sparse python3-yaml groff-base
)

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
