#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The bash completion (userspace/completion/idmesh): what it offers, and
# that it offers what the tool's help names.
tool=${1:-./idmesh}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../selftests/tap.sh"
source "$here/../completion/idmesh"

# comp WORDS...: the completions of the last word (may be "").
comp() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	_idmesh
	echo "${COMPREPLY[*]}"
}

assert "objects" [ "$(comp idmesh '')" = "$_idmesh_objects" ]
assert "an object from its start" [ "$(comp idmesh li)" = "link" ]
assert "the commands of an object" [ "$(comp idmesh link '')" = "add del show peer help" ]
assert "after global options" [ "$(comp idmesh -j -n foo vip a)" = "add" ]
assert "keywords of a command" [ "$(comp idmesh vip add 10.0.0.1 p)" = "port proto" ]
assert "a keyword's values" [ "$(comp idmesh vip add 10.0.0.1 proto '')" = "tcp udp sctp" ]
assert "sacl default's values" [ "$(comp idmesh sacl set default '')" = "allow deny" ]
assert "config settings" [ "$(comp idmesh config set timeout-tcp)" = "timeout-tcp-syn timeout-tcp timeout-tcp-fin" ]
assert "global options" [ "$(comp idmesh -j)" = "-json" ]

# What it offers is what the help names.
objs=$("$tool" help | sed -n 's/^OBJECT := { \(.*\) }$/\1/p' | tr -d '|' | tr -s ' ')
assert "its objects are the help's" [ "$objs" = "$_idmesh_objects" ]
for o in $_idmesh_objects; do
	[ "$o" = help ] && continue
	h=$("$tool" help "$o")
	for w in $(_idmesh_commands "$o") $(for c in $(_idmesh_commands "$o"); do _idmesh_keywords "$o" "$c"; done); do
		[ "$w" = help ] && continue
		grep -qw -- "$w" <<<"$h" || { tap_fail "\"$w\" of $o is in \"idmesh help $o\""; continue 2; }
	done
	tap_pass "every word it offers for $o is in \"idmesh help $o\""
done
tap_end
