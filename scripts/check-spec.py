#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check that the YNL spec and uapi/linux/idmesh.h describe the same ABI.

Every command and attribute of the spec must exist in the header with
the same value, and the other way round; constants must agree. Prints TAP.
Run with Debian's /usr/bin/python3 (needs python3-yaml).
"""
import re
import sys
from pathlib import Path

import yaml

top = Path(__file__).resolve().parent.parent
spec = yaml.safe_load((top / "Documentation/netlink/specs/idmesh.yaml").read_text())
hdr = (top / "uapi/linux/idmesh.h").read_text()

n = 0
failed = 0


def tap(ok, desc, diag=""):
    global n, failed
    n += 1
    if not ok:
        failed += 1
    print(f"{'ok' if ok else 'not ok'} {n} - {desc}")
    if not ok and diag:
        for line in diag.splitlines():
            print(f"#   {line}")


def c_name(prefix, name):
    return (prefix + name).upper().replace("-", "_")


def header_enum(enum_name):
    """Return {NAME: value} of a C enum in the header, in order."""
    m = re.search(r"enum\s+%s\s*{(.*?)};" % re.escape(enum_name), hdr, re.S)
    if not m:
        return None
    body = re.sub(r"/\*.*?\*/", "", m.group(1), flags=re.S)
    values, nxt = {}, 0
    for item in body.split(","):
        item = item.strip()
        if not item:
            continue
        if "=" in item:
            name, val = (s.strip() for s in item.split("=", 1))
            nxt = int(val, 0)
        else:
            name = item
        values[name] = nxt
        nxt += 1
    return values


def spec_enum(prefix, items):
    values, nxt = {}, 0
    for it in items:
        if "value" in it:
            nxt = it["value"]
        values[c_name(prefix, it["name"])] = nxt
        nxt += 1
    return values


def compare(what, want, got):
    got = {k: v for k, v in (got or {}).items() if not k.startswith("__")}
    diff = []
    for k, v in want.items():
        if k not in got:
            diff.append(f"{k} is in the spec, not in the header")
        elif got[k] != v:
            diff.append(f"{k} is {v} in the spec, {got[k]} in the header")
    for k in got:
        if k not in want:
            diff.append(f"{k} is in the header, not in the spec")
    tap(not diff, f"spec and header agree on {what}", "\n".join(diff))


tap(spec.get("name") == "idmesh" and
    re.search(r'#define IDMESH_GENL_NAME\s+"%s"' % spec["name"], hdr) is not None,
    "family name")

ops = spec["operations"]
compare("commands", spec_enum(ops["name-prefix"], ops["list"]),
        header_enum(ops["enum-name"].replace("-", "_")))

for aset in spec["attribute-sets"]:
    compare(f"attribute set {aset['name']}",
            spec_enum(aset["name-prefix"], aset["attributes"]),
            header_enum(aset["enum-name"].replace("-", "_")))

consts = []
for d in spec.get("definitions", []):
    if d["type"] != "const":
        continue
    name = c_name("idmesh-", d["name"])
    m = re.search(r"#define %s\s+(.+)" % name, hdr)
    val = eval(m.group(1), {}) if m else None  # header constants are arithmetic
    if val != d["value"]:
        consts.append(f"{name}: spec {d['value']}, header {val}")
tap(not consts, "spec and header agree on constants", "\n".join(consts))

# Every attribute an operation names exists in its set.
missing = []
for op in ops["list"]:
    names = {a["name"] for s in spec["attribute-sets"]
             if s["name"] == op.get("attribute-set") for a in s["attributes"]}
    for mode in ("do", "dump"):
        for part in ("request", "reply"):
            for a in (op.get(mode) or {}).get(part, {}).get("attributes", []):
                if a not in names:
                    missing.append(f"{op['name']} {mode} {part}: {a}")
tap(not missing, "operations name only attributes of their set", "\n".join(missing))

print(f"1..{n}")
sys.exit(1 if failed else 0)
