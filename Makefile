# SPDX-License-Identifier: GPL-2.0
#
# idmesh: kernel module, tool, tests and demo.
#
#   make            build kmod/idmesh.ko (against KDIR) and userspace/idmesh
#   make deps       install the Debian packages this project needs
#   make check      installs what is missing (make deps), host tests, then
#                   the module in QEMU on the debug and stock kernels; ends
#                   with "N passed, N failed". One part only, e.g.:
#                   make check ONLY=idmesh_sacl KERNELS=6.1
#                   (Documentation/testing.rst)
#   make demo       boot a VM, load the module and talk to it
#   make lint       checkpatch --strict, sparse and W=1 on kmod/ and uapi/
#   make kernel     build (or reuse) the cached debug test kernel
#   make bench-link idmesh links against veth, netkit and Geneve (ratios)
#   make bench-maglev Maglev VIPs: table build, rate vs routing and IPVS mh
#   make bench-agent  the node agent: whole intent and one event, 100 to 10,000 Services
#   make bench-sacl SACL gateways against none, at the paper's table sizes
#   make bench-netpol NetworkPolicy entries by identity vs by address, 1,000 Pods
#   make install    the tool, the CNI plugin, manuals, completion (DESTDIR,
#                   PREFIX, CNI_BIN_DIR); make uninstall takes them away
#   make dkms-install the module through DKMS (again: re-install or upgrade);
#                   make dkms-remove takes it away

KDIR ?= /lib/modules/$(shell uname -r)/build

all: module tool

module:
	@if [ ! -d "$(KDIR)/" ]; then \
		echo "No kernel build directory at $(KDIR)."; \
		echo "Install the headers of your kernel (apt-get install linux-headers-$$(uname -r))"; \
		echo "or give one: make KDIR=/lib/modules/VERSION/build"; \
		exit 1; \
	fi
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tool:
	$(MAKE) -C userspace

# A node's install (the module: dkms-install). DESTDIR, PREFIX as usual;
# the CNI plugin in $(PREFIX)/lib/cni, or where the runtime looks for
# plugins: CNI_BIN_DIR=/opt/cni/bin (containerd, CRI-O), /usr/lib/cni
# (Debian's podman).
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
CNI_BIN_DIR ?= $(PREFIX)/lib/cni
# Where systemd-modules-load finds the module to load at boot (the module
# itself comes from "make dkms-install").
MODULESLOADDIR ?= /etc/modules-load.d
# The node agent's unit, for nodes run without its DaemonSet.
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
install: tool
	install -D -m 0755 userspace/idmesh "$(DESTDIR)$(SBINDIR)/idmesh"
	install -D -m 0755 userspace/idmesh-agent "$(DESTDIR)$(SBINDIR)/idmesh-agent"
	install -d "$(DESTDIR)$(SYSTEMDUNITDIR)"
	sed 's|@SBINDIR@|$(SBINDIR)|g' deploy/idmesh-agent.service \
		>"$(DESTDIR)$(SYSTEMDUNITDIR)/idmesh-agent.service"
	install -D -m 0755 userspace/idmesh-cni "$(DESTDIR)$(CNI_BIN_DIR)/idmesh-cni"
	install -d "$(DESTDIR)$(MANDIR)/man8" "$(DESTDIR)$(DATADIR)/doc/idmesh"
	install -m 0644 Documentation/man/*.8 "$(DESTDIR)$(MANDIR)/man8/"
	install -D -m 0644 userspace/completion/idmesh \
		"$(DESTDIR)$(DATADIR)/bash-completion/completions/idmesh"
	install -D -m 0644 Documentation/netlink/specs/idmesh.yaml \
		"$(DESTDIR)$(DATADIR)/idmesh/netlink/specs/idmesh.yaml"
	install -m 0644 README.md Documentation/*.rst "$(DESTDIR)$(DATADIR)/doc/idmesh/"
	install -d "$(DESTDIR)$(MODULESLOADDIR)"
	printf '# idmesh: loaded at boot (installed by "make install")\nidmesh\n' \
		>"$(DESTDIR)$(MODULESLOADDIR)/idmesh.conf"

# On the node itself (no DESTDIR), uninstall also takes the pods'
# masquerade away: nftables' table inet idmesh (NFT: the nft command).
NFT ?= $(if $(DESTDIR),,nft)
uninstall:
	rm -f "$(DESTDIR)$(SBINDIR)/idmesh-agent" "$(DESTDIR)$(SYSTEMDUNITDIR)/idmesh-agent.service"
	rm -f "$(DESTDIR)$(SBINDIR)/idmesh" "$(DESTDIR)$(DATADIR)/bash-completion/completions/idmesh"
	rm -f "$(DESTDIR)$(CNI_BIN_DIR)/idmesh-cni"
	for f in Documentation/man/*.8; do rm -f "$(DESTDIR)$(MANDIR)/man8/$${f##*/}"; done
	rm -rf "$(DESTDIR)$(DATADIR)/idmesh" "$(DESTDIR)$(DATADIR)/doc/idmesh"
	rm -f "$(DESTDIR)$(MODULESLOADDIR)/idmesh.conf"
	if [ -n "$(NFT)" ] && $(NFT) list table inet idmesh >/dev/null 2>&1; then \
		$(NFT) delete table inet idmesh; \
	fi

# The module's sources as DKMS wants them: $(DESTDIR)$(USRSRC)/idmesh-VERSION
# (VERSION_STR: the file VERSION, which dkms.conf and the module say).
USRSRC ?= /usr/src
VERSION_STR := $(shell cat VERSION)
dkms-src:
	rm -rf "$(DESTDIR)$(USRSRC)/idmesh-$(VERSION_STR)"
	mkdir -p "$(DESTDIR)$(USRSRC)/idmesh-$(VERSION_STR)"
	find Kbuild dkms.conf kmod uapi \( -name '*.[ch]' -o -name Kbuild \
		-o -name dkms.conf \) -print0 | \
		cpio -0 -pdmu --quiet "$(DESTDIR)$(USRSRC)/idmesh-$(VERSION_STR)"
	echo "$(VERSION_STR)" >"$(DESTDIR)$(USRSRC)/idmesh-$(VERSION_STR)/VERSION"
	sed -i 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="$(VERSION_STR)"/' \
		"$(DESTDIR)$(USRSRC)/idmesh-$(VERSION_STR)/dkms.conf"

# On a node: the sources to /usr/src, then DKMS builds and installs the
# module for the running kernel (DKMS_KERNELS), and again for every kernel
# installed later. Run again, it re-installs (the same version) or
# upgrades (another version goes); dkms-remove takes every version away
# (scripts/dkms.sh). DKMS: the command, with options for trees of its own.
DKMS ?= dkms
DKMS_KERNELS ?= $(shell uname -r)
dkms-install: dkms-src
	DKMS="$(DKMS)" USRSRC="$(DESTDIR)$(USRSRC)" scripts/dkms.sh install $(VERSION_STR) $(DKMS_KERNELS)

dkms-remove:
	DKMS="$(DKMS)" USRSRC="$(DESTDIR)$(USRSRC)" scripts/dkms.sh remove

deps:
	@scripts/deps.sh

kernel:
	@selftests/vm/build-kernel.sh

# Like demo, check may be the first command on a new machine.
check: deps
	@$(MAKE) -s tool
	@ONLY="$(ONLY)" KERNELS="$(KERNELS)" selftests/check.sh

demo:
	@scripts/demo.sh

lint:
	@scripts/lint.sh

# The node agent as the cluster grows (host only, no VM): the whole
# intent and one EndpointSlice event for 100, 1,000, 10,000 Services.
bench-agent: tool
	selftests/bench/agent.sh

# NetworkPolicy's entry counts for a generated 1,000-Pod cluster (host).
bench-netpol: tool
	selftests/bench/netpol.sh

bench-link:
	@scripts/bench.sh link

bench-maglev:
	@scripts/bench.sh maglev

bench-sacl:
	@scripts/bench.sh sacl

clean:
	-[ -d "$(KDIR)/" ] && $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C userspace clean
	rm -rf build

.PHONY: install uninstall dkms-src dkms-install dkms-remove all module tool deps kernel check demo lint bench-link bench-maglev bench-sacl bench-agent bench-netpol clean
