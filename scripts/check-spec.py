#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check the YNL spec with the kernel's own tools, and the module against it.

1. The spec is valid under the kernel's schema for the protocol it
   declares (Documentation/netlink/<protocol>.yaml of linux-source-6.12).
2. The kernel's ynl-gen-c.py generates the uapi header from the spec:
   every name it defines has the same value in uapi/linux/idmesh.h
   (compiled, not read), and the header has no command or attribute the
   spec lacks.
3. ynl-gen-c.py generates the kernel's policies and ops table from the
   spec; the module's hand-written ones (kmod/*.c) must match them:
   the same commands, do or dump, the same GENL_ADMIN_PERM, each request
   taking exactly the attributes the spec lists, each attribute with the
   same type and checks (ranges, lengths), nests with the same policies.
   The module stays stricter in two ways the check allows and reports:
   a request that takes no attributes is refused one (the generated op
   has no policy, so it would ignore them), and a nest refuses the
   reply-only attributes of its set (YNL cannot mark those).

The module keeps its own tables because ynl-gen-c.py emits split ops
(struct genl_split_ops), which the 6.1 kernels it must load on lack.
Prints TAP. Run with Debian's /usr/bin/python3 (python3-yaml and
python3-jsonschema; scripts/ynl-tools.sh gives the kernel's tools).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

top = Path(__file__).resolve().parent.parent
spec_path = top / "Documentation/netlink/specs/idmesh.yaml"
hdr_path = top / "uapi/linux/idmesh.h"
spec = yaml.safe_load(spec_path.read_text())

n = 0
failed = 0
tmp = None


def tap(ok, desc, diag=""):
    global n, failed
    n += 1
    if not ok:
        failed += 1
    print(f"{'ok' if ok else 'not ok'} {n} - {desc}")
    for line in (diag or "").splitlines():
        print(f"#   {line}")


def done():
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"1..{n}")
    sys.exit(1 if failed else 0)


try:
    ynl = Path(subprocess.run([str(top / "scripts/ynl-tools.sh")], check=True,
                              capture_output=True, text=True).stdout.strip())
except subprocess.CalledProcessError as e:
    tap(False, "the kernel's YNL tools are there (linux-source-6.12)", e.stderr)
    done()

# 1. The kernel's schema for the declared protocol.
import jsonschema  # noqa: E402

schema_path = ynl / "Documentation/netlink" / f"{spec['protocol']}.yaml"
errs = []
if not schema_path.exists():
    errs.append(f"no kernel schema for protocol {spec['protocol']!r}")
else:
    schema = yaml.safe_load(schema_path.read_text())
    v = jsonschema.Draft7Validator(schema)
    errs = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in v.iter_errors(spec)]
tap(not errs, f"the spec is valid under the kernel's {spec['protocol']}.yaml schema",
    "\n".join(errs[:20]))

# 2, 3. Generate as the kernel would: its tools want a tree with a
# MAINTAINERS file and the schemas beside specs/.
tmp = Path(tempfile.mkdtemp(prefix="idmesh-ynl."))
(tmp / "Documentation/netlink/specs").mkdir(parents=True)
(tmp / "MAINTAINERS").touch()
for f in (ynl / "Documentation/netlink").glob("*.yaml"):
    (tmp / "Documentation/netlink" / f.name).write_bytes(f.read_bytes())
tspec = tmp / "Documentation/netlink/specs/idmesh.yaml"
tspec.write_bytes(spec_path.read_bytes())
gen = {}
for mode, kind in (("uapi", "--header"), ("kernel", "--source")):
    out = tmp / f"{mode}{kind}.out"
    r = subprocess.run([sys.executable, str(ynl / "tools/net/ynl/ynl-gen-c.py"),
                        "--spec", str(tspec), "--mode", mode, kind, "-o", str(out)],
                       capture_output=True, text=True, timeout=120)
    ok = r.returncode == 0 and out.exists()
    tap(ok, f"ynl-gen-c.py generates the {mode} {kind[2:]} from the spec",
        r.stdout + r.stderr)
    gen[mode] = out.read_text() if ok else ""

# 2. The uapi header: every name the generator defines, compiled both ways.
names = re.findall(r"^#define\s+([A-Z][A-Z0-9_]*)\s+\S", gen["uapi"], re.M)
names = [x for x in names if not x.startswith("_")]
for body in re.findall(r"enum\s*\w*\s*{(.*?)};", gen["uapi"], re.S):
    names += re.findall(r"^\s*([A-Z][A-Z0-9_]*)\b", re.sub(r"/\*.*?\*/", "", body, flags=re.S), re.M)


def ceval(expr):
    try:
        return eval(expr.replace("(1 << ", "(1<<"), {})
    except Exception:
        return expr.strip()


def values(include, numeric=()):
    src = tmp / "v.c"
    prog = tmp / "v"
    lines = [f'#include "{include}"', "#include <stdio.h>",
             "#define STR_(x) #x", "#define STR(x) STR_(x)", "int main(void) {"]
    for x in names:
        if x.startswith("__"):
            continue
        if x in numeric:
            lines.append(f'printf("%s %lld\\n", "{x}", (long long)({x}));')
            continue
        lines.append(f'#ifdef {x}\nprintf("%s %s\\n", "{x}", STR({x}));\n#else\n'
                     f'printf("%s %lld\\n", "{x}", (long long)({x}));\n#endif')
    lines.append("return 0; }")
    src.write_text("\n".join(lines) + "\n")
    r = subprocess.run(["cc", "-w", "-o", str(prog), str(src)], capture_output=True, text=True)
    if r.returncode:
        return None, r.stderr
    return dict(line.split(" ", 1) for line in
                subprocess.run([str(prog)], capture_output=True, text=True,
                               check=True).stdout.splitlines()), ""


(tmp / "gen.h").write_text(gen["uapi"])
want, e1 = values(str(tmp / "gen.h"))
got, e2 = values(str(hdr_path), {k for k, v in (want or {}).items()
                                  if isinstance(ceval(v), int)})


diff = []
if want is None or got is None:
    diff.append("does not compile: " + (e1 or e2)[:400])
else:
    for k, v in want.items():
        if str(ceval(v)) != str(ceval(got[k])):
            diff.append(f"{k}: generated {v}, header {got[k]}")
tap(names and not diff, f"uapi/linux/idmesh.h has the generator's {len(names)} names with its values",
    "\n".join(diff))

# The header's commands and genetlink attributes all come from the spec.
hdr = hdr_path.read_text()
extra = []
for m in re.finditer(r"enum\s+(idmesh_cmd|idmesh_attr|idmesh_vip_attr|idmesh_backend_attr|idmesh_sacl_attr)\s*{(.*?)};", hdr, re.S):
    for x in re.findall(r"^\s*([A-Z][A-Z0-9_]*)\b", re.sub(r"/\*.*?\*/", "", m.group(2), flags=re.S), re.M):
        if x not in names and not x.startswith("__"):
            extra.append(f"{x} (enum {m.group(1)}) is not in the spec")
tap(not extra, "the header has no command or attribute the spec lacks", "\n".join(extra))

# 3. Policies and ops: the generator's against the module's.
consts = {}
if got:
    for k, v in got.items():
        c = ceval(v)
        if isinstance(c, int):
            consts[k] = c


def cval(tok):
    tok = tok.strip()
    tok = re.sub(r"sizeof\(struct in6_addr\)", "16", tok)
    tok = re.sub(r"(\d+)U?L*L*\b", r"\1", tok)
    if tok in consts:
        return consts[tok]
    try:
        return int(tok, 0)
    except ValueError:
        return tok


def parse_c(text):
    """Policy arrays {name: {ATTR: canonical}}, ranges, ops {cmd: op}."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    ranges = {}
    for m in re.finditer(r"struct netlink_range_validation\s+(\w+)\s*=\s*{(.*?)}", text, re.S):
        r = dict(re.findall(r"\.(min|max)\s*=\s*([^,}]+)", m.group(2)))
        ranges[m.group(1)] = (cval(r.get("min", "0")), cval(r["max"]) if "max" in r else None)
    pols = {}
    for m in re.finditer(r"struct nla_policy\s+(\w+)\s*\[[^\]]*\]\s*=\s*{(.*?)\n}", text, re.S):
        ents = {}
        for e in re.finditer(r"\[(\w+)\]\s*=\s*(.*?)(?=,\s*\[|,?\s*$)", m.group(2).strip(), re.S):
            ents[e.group(1)] = canon(" ".join(e.group(2).split()), ranges)
        pols[m.group(1)] = ents
    ops = {}
    om = re.search(r"struct genl_(?:split_)?ops\s+\w+\s*\[[^\]]*\]\s*=\s*{(.*)", text, re.S)
    for b in re.findall(r"{([^{}]*\.cmd[^{}]*)}", om.group(1) if om else ""):
        f = dict((k, v.strip()) for k, v in re.findall(r"\.(\w+)\s*=\s*([^,]+)", b))
        ops[f["cmd"]] = {
            "kind": "dump" if "dumpit" in f else "do",
            "admin": "GENL_ADMIN_PERM" in f.get("flags", ""),
            "policy": f.get("policy"),
        }
    return pols, ops


def canon(expr, ranges):
    e = expr.replace("NLA_BE", "NLA_U")  # the same length check
    m = re.match(r"{\s*\.type\s*=\s*(\w+),?\s*}$", e)
    if m:
        return (m.group(1),)
    m = re.match(r"NLA_POLICY_(\w+)\((.*)\)$", e)
    if not m:
        return (e,)
    kind, args = m.group(1), [a.strip() for a in m.group(2).split(",")]
    if kind == "FULL_RANGE":
        lo, hi = ranges.get(args[1].lstrip("&"), (None, None))
        return ("RANGE", args[0], lo, hi)
    if kind == "RANGE":
        return ("RANGE", args[0], cval(args[1]), cval(args[2]))
    if kind in ("MIN", "MAX"):
        return (kind, args[0], cval(args[1]))
    if kind == "EXACT_LEN":
        return ("EXACT_LEN", cval(args[0]))
    if kind == "NESTED":
        return ("NESTED", args[0])
    return (kind, *args)


gpols, gops = parse_c(gen["kernel"])
mine = "\n".join(p.read_text() for p in sorted((top / "kmod").glob("*.c")))
mpols, mops = parse_c(mine)

notes = []


def same_nest(gname, mname, where, seen):
    """The module's nest mname against the generated gname."""
    diff = []
    if (gname, mname) in seen:
        return diff
    seen.add((gname, mname))
    g, m = gpols.get(gname), mpols.get(mname)
    if g is None or m is None:
        return [f"{where}: no policy {gname if g is None else mname}"]
    for a, pol in m.items():
        if a not in g:
            diff.append(f"{mname}: {a} is in the module's policy, not the spec's request")
        elif pol[0] == "NESTED" and g[a][0] == "NESTED":
            diff += same_nest(g[a][1], pol[1], f"{where} {a}", seen)
        elif pol != g[a]:
            diff.append(f"{mname}: {a} is {pol} in the module, {g[a]} in the spec")
    for a in g:
        if a not in m:
            notes.append(f"{mname}: {a} refused in requests (reply only)")
    return diff


diff = []
for cmd in sorted(set(gops) | set(mops)):
    g, m = gops.get(cmd), mops.get(cmd)
    if not g or not m:
        diff.append(f"{cmd} is only in the {'module' if m else 'spec'}")
        continue
    if g["kind"] != m["kind"] or g["admin"] != m["admin"]:
        diff.append(f"{cmd}: spec {g['kind']}{' admin' if g['admin'] else ''}, "
                    f"module {m['kind']}{' admin' if m['admin'] else ''}")
    if g["policy"] is None:
        if any(mpols.get(m["policy"], {"?": 1}).values()):
            diff.append(f"{cmd}: takes no attributes in the spec, the module's policy takes some")
        else:
            notes.append(f"{cmd}: no attributes; refused by the module's empty policy")
        continue
    diff += same_nest(g["policy"], m["policy"], cmd, set())
tap(gops and not diff,
    f"the module's ops and policies match the {len(gops)} the generator makes from the spec",
    "\n".join(sorted(set(diff))))
for line in sorted(set(notes)):
    print(f"# stricter than generated: {line}")
done()
