#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The manual pages, from the tool's own help and a page of extras each.

  scripts/man.py TOOL           write Documentation/man/*.8
  scripts/man.py TOOL --check   TAP: each page is what TOOL's help and the
                                extras make (so that the pages and the help
                                say the same thing), and renders cleanly

idmesh.8 is "idmesh help"; idmesh-OBJECT.8 is "idmesh help OBJECT": its
Usage lines are the SYNOPSIS, the rest the DESCRIPTION. Each page's
Documentation/man/NAME.in adds its sections (EXAMPLES, FILES, SEE ALSO,
...) after those; idmesh-cni.in and idmesh-agent.in are whole pages of
their own (a plugin a runtime runs, a daemon).
"""
import os
import re
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAN = os.path.join(TOP, "Documentation", "man")


def objects(tool):
    """The objects "idmesh help" lists (but help): a page each."""
    m = re.search(r"OBJECT := \{([^}]*)\}", help_of(tool, None))
    return [o.strip() for o in m.group(1).split("|") if o.strip() != "help"]


def esc(line):
    """A line of text as troff text: backslashes, leading dots and dashes."""
    line = line.replace("\\", "\\e").replace("-", "\\-")
    if line.startswith((".", "'")):
        line = "\\&" + line
    return line


def help_of(tool, obj):
    args = [tool, "help"] + ([obj] if obj else [])
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def summaries(tool):
    """OBJECT -> its one-line summary, from "idmesh help"."""
    out = {}
    for line in help_of(tool, None).splitlines():
        m = re.match(r"^  (\w+)\s{2,}(.*)$", line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def split_help(text):
    """(synopsis lines, description lines) of one object's help: the
    "Usage:" line and the lines indented under it, then the rest."""
    lines = text.rstrip("\n").split("\n")
    syn = []
    for i, line in enumerate(lines):
        if i == 0 and line.startswith("Usage: "):
            syn.append(line[len("Usage: "):])
        elif syn and line.startswith(" " * len("Usage: ")):
            syn.append(line[len("Usage: "):])
        else:
            break
    return syn, lines[len(syn):]


def version():
    with open(os.path.join(TOP, "VERSION")) as f:
        return f.read().strip()


def page(tool, name, summary, syn, desc, extra):
    out = [".\\\" SPDX-License-Identifier: GPL-2.0",
           ".\\\" Made by scripts/man.py from \"%s\" and %s.in: edit those." %
           (" ".join(["idmesh help"] + ([name[len("idmesh-"):]] if "-" in name else [])), name),
           '.TH %s 8 "" "idmesh %s" "System Administration"' % (name.upper(), version()),
           ".SH NAME", "%s \\- %s" % (esc(name), esc(summary)),
           ".SH SYNOPSIS", ".nf"]
    out += [esc(l) for l in syn]
    out += [".fi", ".SH DESCRIPTION", ".nf"]
    out += [esc(l) for l in desc]
    out += [".fi"]
    out += extra.rstrip("\n").split("\n") if extra.strip() else []
    return "\n".join(out) + "\n"


def extra_of(name):
    path = os.path.join(MAN, name + ".in")
    if not os.path.exists(path):
        return ""
    with open(path) as f:
        return f.read()


def pages(tool):
    s = summaries(tool)
    top = help_of(tool, None)
    syn, desc = split_help(top)
    out = {"idmesh": page(tool, "idmesh", "node networking for containers: links, "
                          "identity, Maglev", syn, desc, extra_of("idmesh"))}
    for o in objects(tool):
        syn, desc = split_help(help_of(tool, o))
        out["idmesh-" + o] = page(tool, "idmesh-" + o, s.get(o, o), syn, desc,
                                  extra_of("idmesh-" + o))
    for whole in ("idmesh-cni", "idmesh-agent"):
        with open(os.path.join(MAN, whole + ".in")) as f:
            out[whole] = f.read().replace("@VERSION@", version())
    return out


def renders(path):
    r = subprocess.run(["groff", "-man", "-ww", "-z", path], capture_output=True, text=True)
    return r.returncode == 0 and not r.stderr.strip(), r.stderr


def main():
    tool, check = sys.argv[1], sys.argv[2:] == ["--check"]
    ps = pages(tool)
    if not check:
        for name, text in ps.items():
            with open(os.path.join(MAN, name + ".8"), "w") as f:
                f.write(text)
        return 0
    n, bad = 0, 0
    for name, text in sorted(ps.items()):
        path = os.path.join(MAN, name + ".8")
        n += 1
        have = open(path).read() if os.path.exists(path) else None
        if have == text:
            print("ok %d - %s.8 says what the help says" % (n, name))
        else:
            bad += 1
            print("not ok %d - %s.8 says what the help says (run scripts/man.py %s)" %
                  (n, name, tool))
        n += 1
        ok, err = renders(path) if have is not None else (False, "missing")
        print("%s %d - %s.8 renders without warnings" % ("ok" if ok else "not ok", n, name))
        if not ok:
            bad += 1
            for line in err.splitlines()[:5]:
                print("#   " + line)
    print("1..%d" % n)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
