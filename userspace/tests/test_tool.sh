#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The built tool's command line, exit statuses and messages, on the host.
# The host kernel has no idmesh module, which is itself a case to test.
tool=${1:-./idmesh}
source "$(dirname "$0")/../../selftests/tap.sh"

nomod='Error: the idmesh kernel module is not loaded (generic netlink family "idmesh" not found); load it with "modprobe idmesh" or "insmod kmod/idmesh.ko"'

if [ -e /sys/module/idmesh ]; then
	echo "1..0 # SKIP the idmesh module is loaded on this host"
	exit 0
fi

expect "no arguments prints usage, status 2" 2 "*" "$tool"
expect "help succeeds" 0 "" "$tool" help
expect "-h succeeds" 0 "" "$tool" -h
expect "help for an object" 0 "" "$tool" help config
expect "OBJECT help" 0 "" "$tool" config help
expect_out "help lists the objects" "OBJECT := \{ version \| link \| vip \| backend \| sacl \| apply \| export \| k8s \| policy \| sim \| config \| stats \| help \}" "$tool" help
expect "vip add without proto" 2 'Error: a VIP needs "proto tcp|udp|sctp"' "$tool" vip add 10.0.0.1 port 80
expect "backend without a backend" 2 'Error: name the backend: "... backend ADDR [port PORT] [weight W]"' "$tool" backend add 10.0.0.1 proto tcp
expect "unknown vip command" 2 'Error: unknown command "vip frob"; try "idmesh vip help"' "$tool" vip frob
expect "sacl rule without a server" 2 "Error: a rule needs client ID and server ID" "$tool" sacl rule add client 1
expect "unknown sacl command" 2 'Error: unknown command "frob"; try "idmesh sacl help"' "$tool" sacl frob
expect "sacl show of an unknown table" 2 'Error: "bananas" is not ports, clients, servers, rules, trust or peers' "$tool" sacl show bananas
expect "config set timeout twice" 2 'Error: "timeout-udp" given twice' "$tool" config set timeout-udp 5 timeout-udp 6
expect "unknown object" 2 'Error: unknown object "frob"; try "idmesh help"' "$tool" frob
expect "unknown option" 2 'Error: unknown option "-z"; try "idmesh help"' "$tool" -z version
expect "unknown config command" 2 'Error: unknown command "config frob"; try "idmesh config help"' "$tool" config frob
expect "config set without a setting" 2 'Error: "config set" needs a setting, e.g. "flow-limit 65536"' "$tool" config set
expect "config set with a non-number" 2 'Error: flow-limit "12x" is not a number' "$tool" config set flow-limit 12x
expect "config set with an unknown setting" 2 'Error: unknown setting "speed"; try "idmesh config help"' "$tool" config set speed 1
expect "config set twice the same setting" 2 'Error: "flow-limit" given twice' "$tool" config set flow-limit 100 flow-limit 200
expect "config set hash-key of the wrong length" 2 'Error: hash-key "0011" is not 32 hex digits' "$tool" config set hash-key 0011
expect "config set hash-key that is not hex" 2 'Error: hash-key "0011223344556677889900aabbccddxx" is not 32 hex digits' \
	"$tool" config set hash-key 0011223344556677889900aabbccddxx
expect "config set hash-key twice" 2 'Error: "hash-key" given twice' \
	"$tool" config set hash-key 00112233445566778899aabbccddeeff hash-key 00112233445566778899aabbccddeeff
expect "version with an argument" 2 'Error: "idmesh version" takes no arguments, got "x"' "$tool" version x
expect "link add without peer or remote" 2 'Error: a link needs "peer PEER", "remote ADDR" or "external"' "$tool" link add x
expect "link add with a bad id" 2 'Error: id 0 is out of range [1, 16777215]' "$tool" link add x remote 192.0.2.1 id 0
expect "link peer add: a prefix with host bits" 2 'Error: prefix "10.0.0.1/24" has bits set past /24' \
	"$tool" link peer add x 10.0.0.1/24 remote 192.0.2.1
expect "link peer add without a remote" 2 'Error: "link peer add" needs NAME and PREFIX remote ADDR, once or more' \
	"$tool" link peer add x 10.0.0.0/24
expect "unknown link command" 2 'Error: unknown command "link frob"; try "idmesh link help"' "$tool" link frob
expect "link help" 0 "" "$tool" link help
expect "version without the module fails" 1 "$nomod" "$tool" version
expect_out "version without the module still prints the tool's version" "^idmesh tool [0-9]" "$tool" version
expect_out "version -j without the module prints the tool's version as JSON" '^\{"tool":\{"version":"[^"]+"\}\}$' "$tool" -j version
expect "config show without the module fails" 1 "$nomod" "$tool" config show
expect "unknown netns" 1 'Error: cannot open network namespace "no-such-ns-idmesh": No such file or directory' "$tool" -n no-such-ns-idmesh config show
expect "batch: a bad line stops it, with its line number" 2 'Error: unknown object "frob"; try "idmesh help"
Command failed -:4' "$tool" -b - <<<"# comment
link help

frob
version"
expect "batch: a failing command stops it" 1 "$nomod
Command failed -:1" "$tool" -b - <<<"config show
version"
expect "batch: blank lines and comments only" 0 "" "$tool" -b - <<<"
   # nothing"
expect "batch: a file that is not there" 1 'Error: cannot open "/nonexistent/x": No such file or directory' "$tool" -b /nonexistent/x
expect "batch: no command besides" 2 'Error: -b takes no command of its own' "$tool" -b - version
expect "batch: needs a file" 2 'Error: option "-b" needs a file name' "$tool" -b

# idmesh apply and sim (no module needed for --dry-run and sim)
t=$(mktemp -d)
tap_cleanup() { rm -rf "$t"; }
cat >"$t/i.json" <<'EOJ'
{"ports": ["c1"], "default": "deny",
 "workloads": [{"name": "web", "address": "fd10::1", "dev": "c1", "labels": {"app": "web"}},
               {"name": "db", "address": "fd20::1", "protocol": "tcp", "port": 5432, "labels": {"app": "db"}}],
 "policies": [{"client": [{"key": "app", "operator": "in", "values": ["web"]}],
               "server": [{"key": "app", "operator": "in", "values": ["db"]}], "priority": "1:3"}]}
EOJ
# the same intent in YAML
cat >"$t/i.yaml" <<'EOY'
# a comment
ports: [c1]
default: deny
workloads:
  - {name: web, address: "fd10::1", dev: c1, labels: {app: web}}
  - name: db
    address: "fd20::1"
    protocol: tcp
    port: 5432
    labels:
      app: db
policies:
  - client: [{key: app, operator: in, values: [web]}]
    server: [{key: app, operator: in, values: [db]}]
    priority: "1:3"
EOY
run "$tool" apply -f "$t/i.json" --dry-run
json_plan=$out
run "$tool" apply -f "$t/i.yaml" --dry-run
assert "apply: an intent in YAML means what the same in JSON means" all \
	[ "$rc" = 0 ] :: [ -n "$out" ] :: [ "$out" = "$json_plan" ]
printf 'ports: [c1\n' >"$t/bad1.yaml"
expect "apply: YAML that does not parse: where and why" 1 \
	"Error: $t/bad1.yaml: YAML: line 2, column 1: did not find expected ',' or ']'" \
	"$tool" apply -f "$t/bad1.yaml" --dry-run
printf 'ports: &p [c1]\nservice-keys: *p\n' >"$t/bad2.yaml"
expect "apply: YAML aliases are refused" 1 \
	"Error: $t/bad2.yaml: YAML: line 2, column 15: aliases (*name) are not taken" \
	"$tool" apply -f "$t/bad2.yaml" --dry-run
printf 'workloads:\n  - {name: db, address: "fd20::1", port: "5432", labels: {}}\n' >"$t/bad3.yaml"
run "$tool" apply -f "$t/bad3.yaml" --dry-run
assert "apply: a quoted number in YAML is a string, refused where a number goes" all \
	[ "$rc" = 1 ] :: grep -q "workloads\[0\].port" <<<"$err"
# VIPs in the intent
cat >"$t/v.yaml" <<'EOY'
vips:
  - {address: 10.100.0.1, port: 80, protocol: tcp, backends: [{address: 10.8.1.2, port: 8080}, {address: 10.8.2.2, weight: 2}]}
  - {address: "fd64::1", protocol: udp, mode: tunnel, table-size: 251, affinity: 600}
EOY
expect_out "apply --dry-run: the intent's VIPs and their backends" \
	'^vip 10\.100\.0\.1 port 80 proto tcp mode nat table-size 65537
    backend 10\.8\.1\.2 port 8080 weight 1
    backend 10\.8\.2\.2 weight 2
vip fd64::1 proto udp mode tunnel table-size 251 affinity 600$' "$tool" apply -f "$t/v.yaml" --dry-run
echo '{"vips": [{"address": "10.0.0.1", "protocol": "tcp", "affinity": 86401}]}' >"$t/v4.json"
expect "apply: an affinity past 86400 s" 1 "Error: $t/v4.json: vips[0].affinity: 86401 is out of range 0..86400" "$tool" apply -f "$t/v4.json" --dry-run
echo '{"vips": [{"address": "10.0.0.1", "protocol": "tcp", "backends": [{"address": "fd00::1"}]}]}' >"$t/v1.json"
expect "apply: a backend of the other family" 1 \
	"Error: $t/v1.json: vips[0].backends[0].address: is not of the VIP's family" "$tool" apply -f "$t/v1.json" --dry-run
echo '{"vips": [{"address": "10.0.0.1", "protocol": "tcp"}, {"address": "10.0.0.1", "protocol": "tcp"}]}' >"$t/v2.json"
expect "apply: the same VIP twice" 1 "Error: $t/v2.json: vips[1]: the same VIP as vips[0]" "$tool" apply -f "$t/v2.json" --dry-run
echo '{"vips": [{"address": "10.0.0.1", "protocol": "tcp", "table-size": 4}]}' >"$t/v3.json"
expect "apply: a table size that is not prime" 1 "Error: $t/v3.json: vips[0].table-size: 4 is not a prime" "$tool" apply -f "$t/v3.json" --dry-run
expect "apply needs -f" 2 'Error: apply needs -f FILE' "$tool" apply
expect "apply: an unknown word" 2 'Error: unknown word "now"; try "idmesh apply help"' "$tool" apply -f x now
expect "apply: a file that is not there" 1 'Error: cannot read "/nonexistent/i.json": No such file or directory' "$tool" apply -f /nonexistent/i.json
echo '{"workloads": [{"name": "a", "labels": {}}]}' >"$t/bad.json"
expect "apply: bad intent names the file, the path and the reason" 1 "Error: $t/bad.json: workloads[0]: needs an address, or a dev and a lid" "$tool" apply -f "$t/bad.json" --dry-run
expect "apply: the kernel is not asked when the intent is bad" 1 "Error: $t/bad.json: workloads[0]: needs an address, or a dev and a lid" "$tool" apply -f "$t/bad.json"
expect "apply without the module fails" 1 "$nomod" "$tool" apply -f "$t/i.json"
expect_out "apply --dry-run: the rule between the two Services" \
	'rule client 0x[0-9a-f]{16} server 0x[0-9a-f]{16} allow priority 1:3' "$tool" apply -f "$t/i.json" --dry-run
expect_out "apply --dry-run -j: Services with IDs and workloads" \
	'"services":\[\{"id":"0x[0-9a-f]{16}","name":"app=db","labels":\{"app":"db"\},"workloads":\["db"\]\}' \
	"$tool" -j apply -f "$t/i.json" --dry-run
expect_out "apply reads standard input" 'server fd20::1 proto tcp port 5432 id' "$tool" apply -f - --dry-run <"$t/i.json"
expect_out "sim: the paper's gateway at alpha=1" '"gateway":\{"esc":128,"escs":3840,"ess":3840\}' "$tool" -j sim alpha 1
expect "sim: a bad parameter" 2 'Error: unknown parameter "rack"' "$tool" sim rack 3
expect "sim: a bad alpha" 2 'Error: alpha "0,1" is not a list of at most 16 numbers in (0, 1024]' "$tool" sim alpha 0,1

tap_end
