#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# "make install" into a DESTDIR: every file where a node looks for it,
# and "make uninstall" takes them all away again.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../selftests/tap.sh"
top=$(cd "$here/../.." && pwd)
d=$(mktemp -d)
tap_cleanup() { rm -rf "$d"; }
run make -s -C "$top" install DESTDIR="$d" PREFIX=/usr
assert "make install succeeds" [ "$rc" = 0 ]
for f in usr/sbin/idmesh usr/sbin/idmesh-agent usr/lib/systemd/system/idmesh-agent.service \
	 usr/lib/cni/idmesh-cni \
	 usr/share/man/man8/idmesh.8 usr/share/man/man8/idmesh-link.8 \
	 usr/share/man/man8/idmesh-cni.8 usr/share/bash-completion/completions/idmesh \
	 usr/share/idmesh/netlink/specs/idmesh.yaml usr/share/doc/idmesh/intent.rst \
	 etc/modules-load.d/idmesh.conf; do
	assert "installs /$f" [ -s "$d/$f" ]
done
assert "the module is loaded at boot: modules-load.d names it" \
	[ "$(grep -v '^#' "$d/etc/modules-load.d/idmesh.conf")" = idmesh ]
assert "the agent's unit starts the installed agent" \
	grep -qx 'ExecStart=/usr/sbin/idmesh-agent $IDMESH_AGENT_ARGS' "$d/usr/lib/systemd/system/idmesh-agent.service"
if command -v systemd-analyze >/dev/null; then
	run systemd-analyze verify --man=no "$d/usr/lib/systemd/system/idmesh-agent.service"
	# In a DESTDIR the binary is not at /usr/sbin yet: the one thing said.
	assert "systemd-analyze verify finds nothing else wrong in the unit" \
		[ -z "$(grep -v 'Command /usr/sbin/idmesh-agent is not executable' <<<"$err")" ]
fi
run "$d/usr/sbin/idmesh" help
assert "the installed tool runs" [ "$rc" = 0 ]
run make -s -C "$top" uninstall DESTDIR="$d" PREFIX=/usr
assert "make uninstall leaves no file" [ "$rc" = 0 -a -z "$(find "$d" -type f)" ]
# PREFIX everywhere: by default /usr/local, nothing outside it but the
# modules-load.d entry (systemd reads /etc/modules-load.d only).
rm -rf "$d" && mkdir -p "$d"
run make -s -C "$top" install DESTDIR="$d"
assert "make install with the default PREFIX: every file under /usr/local but /etc/modules-load.d/idmesh.conf" \
	all [ "$rc" = 0 ] :: [ -x "$d/usr/local/lib/cni/idmesh-cni" ] :: \
	[ -z "$(cd "$d" && find . -type f ! -path './usr/local/*' ! -path ./etc/modules-load.d/idmesh.conf)" ]
run make -s -C "$top" uninstall DESTDIR="$d"
assert "... and make uninstall takes them all" [ "$rc" = 0 -a -z "$(find "$d" -type f)" ]
run make -s -C "$top" install DESTDIR="$d" PREFIX=/usr CNI_BIN_DIR=/opt/cni/bin
assert "CNI_BIN_DIR puts the plugin where the runtime looks (/opt/cni/bin), nowhere else" \
	all [ "$rc" = 0 ] :: [ -x "$d/opt/cni/bin/idmesh-cni" ] :: [ ! -e "$d/usr/lib/cni/idmesh-cni" ]
run make -s -C "$top" uninstall DESTDIR="$d" PREFIX=/usr CNI_BIN_DIR=/opt/cni/bin
assert "... and uninstall finds it there" [ "$rc" = 0 -a -z "$(find "$d" -type f)" ]
tap_end
