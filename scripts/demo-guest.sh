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
echo "== unload"
step 0 rmmod idmesh
step 1 idmesh config show
echo
[ "$bad" = 0 ] && echo "== demo finished: everything behaved as shown" ||
	echo "== demo: something did not behave as expected"
exit "$bad"
