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
#   make bench-link idmesh links against veth and Geneve (prints ratios)
#   make bench-maglev Maglev VIPs: table build, rate vs routing and IPVS mh
#   make bench-sacl SACL gateways against none, at the paper's table sizes

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

# The module's sources as DKMS wants them: $(DESTDIR)$(USRSRC)/idmesh-VERSION.
USRSRC ?= /usr/src
VERSION_STR := $(shell cat VERSION)
dkms-src:
	rm -rf "$(DESTDIR)$(USRSRC)/idmesh-$(VERSION_STR)"
	mkdir -p "$(DESTDIR)$(USRSRC)/idmesh-$(VERSION_STR)"
	find Kbuild VERSION dkms.conf kmod uapi \( -name '*.[ch]' -o -name Kbuild \
		-o -name VERSION -o -name dkms.conf \) -print0 | \
		cpio -0 -pdmu --quiet "$(DESTDIR)$(USRSRC)/idmesh-$(VERSION_STR)"

# On a node: the sources to /usr/src, then DKMS builds and installs the
# module for the running kernel, and again for every kernel installed later.
dkms-install: dkms-src
	dkms add -m idmesh -v $(VERSION_STR)
	dkms install -m idmesh -v $(VERSION_STR)

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

.PHONY: dkms-src dkms-install all module tool deps kernel check demo lint bench-link bench-maglev bench-sacl clean
