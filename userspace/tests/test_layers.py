#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The userspace layers, from the built objects (nm), as TAP:
no object of lib/ calls into tool/ or cni/, no call cycle among the
files, and idmesh-cni carries only what it calls (no "k8s" intent
builder, VIP planner or simulator). Reads userspace/ after make."""
import glob
import os
import subprocess
import sys

n = 0
failed = False


def ok(cond, what, diag=()):
    global n, failed
    n += 1
    print(("ok" if cond else "not ok") + " %d - %s" % (n, what))
    for d in diag:
        print("# " + d)
    failed |= not cond


def symbols(path):
    out = subprocess.run(["nm", path], capture_output=True, text=True,
                         check=True).stdout
    defs, undef = set(), set()
    for line in out.splitlines():
        p = line.split()
        if len(p) == 3 and p[1] in "TDBRC":
            defs.add(p[2])
        elif len(p) == 2 and p[0] == "U":
            undef.add(p[1])
    return defs, undef


os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
objs = sorted(glob.glob("lib/*.o") + glob.glob("tool/*.o") + glob.glob("cni/*.o"))
owner, uses = {}, {}
for o in objs:
    d, u = symbols(o)
    for s in d:
        owner[s] = o
    uses[o] = u
calls = {o: {owner[s] for s in uses[o] if s in owner and owner[s] != o}
         for o in objs}

up = ["%s -> %s" % (o, t) for o in objs if o.startswith("lib/")
      for t in sorted(calls[o]) if not t.startswith("lib/")]
ok(objs and not up, "no object of lib/ calls into tool/ or cni/", up)


def reaches(a, b):
    seen, queue = set(), [a]
    while queue:
        for t in calls[queue.pop()]:
            if t == b:
                return True
            if t not in seen:
                seen.add(t)
                queue.append(t)
    return False


cyc = sorted({" <-> ".join(sorted((a, b))) for a in objs for b in calls[a]
              if reaches(b, a)})
ok(not cyc, "no call cycle among the userspace files", cyc)

cni, _ = symbols("idmesh-cni")
extra = sorted(s for s in ("idm_k8s_intent", "idm_vip_plan", "idm_sim_run",
                           "idm_intent_derive", "print_start") if s in cni)
ok("idm_intent_link_add" in cni and not extra,
   "idmesh-cni links the pair code but not what it does not call", extra)
print("1..%d" % n)
sys.exit(1 if failed else 0)
