#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Requests the tool would never send, made by hand (userspace/tests/nlraw):
# the family validates strictly, explains every refusal, and a refused
# request changes nothing.
source "$(dirname "$0")/lib.sh"
require_module
nlraw=$top/userspace/tests/nlraw

VERSION_GET=1 CONFIG_GET=2 CONFIG_SET=3 A_FLOW_LIMIT=3 A_HASH_KEY=26

# u32 in host (little-endian) byte order as hex
le32() { printf '%02x%02x%02x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }

# refused DESC ERRNO TEXT-REGEX ARGS...
refused() {
	local desc=$1 want=$2 text=$3
	shift 3
	run "$nlraw" "$@"
	if [ "$rc" = 0 ] && [[ "$out" =~ ^error\ $want:\ (.*)$ ]] && [[ "${BASH_REMATCH[1]}" =~ $text ]]; then
		tap_pass "$desc"
	else
		tap_fail "$desc"
		echo "got: $out $err (want error $want: /$text/)" | tap_diag
	fi
}

"$IDMESH" config set flow-limit 5000 || tap_fail "baseline setting"

run "$nlraw" $VERSION_GET
assert "a well-formed request is accepted" [ "$out" = "error 0" ]
refused "an attribute a get does not take is refused" -22 "." \
	$VERSION_GET $A_FLOW_LIMIT:$(le32 4096)
refused "an unknown attribute type is refused" -22 "[Uu]nknown attribute" \
	$CONFIG_SET 200:$(le32 1)
refused "a u32 of two bytes is refused" -22 "attribute length" \
	$CONFIG_SET $A_FLOW_LIMIT:1000
refused "a u32 of eight bytes is refused" -22 "attribute length" \
	$CONFIG_SET $A_FLOW_LIMIT:$(le32 4096)00000000
refused "an out-of-range value is refused with ERANGE and the policy's bounds" -34 "out of range \\[64\\.\\.16777216\\]$" \
	$CONFIG_SET $A_FLOW_LIMIT:$(le32 63)
refused "a set without any setting is refused" -22 "No setting to change was given" \
	$CONFIG_SET
key=$("$IDMESH" config show hash-key)
refused "a hash key of 2 bytes (not 16) is refused" -34 "binary attribute size out of range" $CONFIG_SET $A_HASH_KEY:0011
refused "a hash key of 17 bytes is refused" -34 "binary attribute size out of range" \
	$CONFIG_SET $A_HASH_KEY:00112233445566778899aabbccddeeff00
assert "... and the namespace keeps its key" all \
	[ -n "$key" ] :: [ "$("$IDMESH" config show hash-key)" = "$key" ]
refused "a non-zero reserved header field is refused" -22 "reserved" \
	-r 1 $VERSION_GET
run "$nlraw" 42
assert "an unknown command is refused with EOPNOTSUPP" [ "$out" = "error -95" ]
refused "a valid setting next to an unknown attribute is refused" -22 "." \
	$CONFIG_SET $A_FLOW_LIMIT:$(le32 4096) 200:$(le32 1)
run "$IDMESH" config show
assert "refused requests changed nothing" [ "$(head -n1 <<<"$out")" = "flow-limit 5000" ]
run "$nlraw" $CONFIG_SET $A_FLOW_LIMIT:$(le32 4096)
run "$IDMESH" config show
assert "the same setting alone is applied" [ "$(head -n1 <<<"$out")" = "flow-limit 4096" ]

tap_end
