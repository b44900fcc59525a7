#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""One long-lived helper in a test namespace: runs the commands of the
selftests' Python tools (sacltool.py, lbtool.py, netpol.py) on request,
so that a check starts no Python of its own (0.84 s a start on the
debug kernel).
lib.sh's py_start, py and py_wait drive it.

  pyd.py DIR    requests from the FIFO DIR/req, one a line of fields
                separated by tabs: ID, VAR=VALUE ... (separated by
                spaces: LBTOOL_TIMEOUT, the tool's timeout, and PY_UID,
                a user ID to run as, with that group and no other; each
                may be empty), TOOL (sacltool, lbtool or netpol), its arguments;
                in a field, a backslash, newline and tab are escaped as
                \\\\, \\n and \\t. Each runs in a thread of its own (as
                PY_UID: in a child process, forked, not a new Python);
                what it prints goes to DIR/ID.out, then its status to
                DIR/ID.rc (by rename: whole when it appears).
"""
import io
import os
import sys
import threading
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lbtool      # noqa: E402
import netpol      # noqa: E402
import sacltool    # noqa: E402

_tl = threading.local()


class ThreadOut:
    """sys.stdout for every thread: each request's own buffer."""

    def write(self, s):
        return getattr(_tl, "out", sys.__stdout__).write(s)

    def flush(self):
        pass


def unescape(f):
    out, i = [], 0
    while i < len(f):
        c = f[i]
        if c == "\\" and i + 1 < len(f):
            out.append({"n": "\n", "t": "\t"}.get(f[i + 1], f[i + 1]))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def call(tool, argv, env):
    """The tool's command in this thread: (what it printed, its status)."""
    _tl.out = io.StringIO()
    rc = 0
    try:
        if env.get("LBTOOL_TIMEOUT"):
            lbtool._tl.timeout = float(env["LBTOOL_TIMEOUT"])
        if tool == "lbtool":
            lbtool.main(argv)
        elif tool == "sacltool":
            rc = sacltool.main(argv) or 0
        elif tool == "netpol":
            rc = netpol.main(argv) or 0
        else:
            raise ValueError("no tool " + tool)
    except SystemExit as e:
        rc = e.code if isinstance(e.code, int) else 1
    except Exception:
        _tl.out.write(traceback.format_exc())
        rc = 1
    return _tl.out.getvalue(), rc


def as_user(uid, tool, argv, env):
    """call() in a forked child that is user UID (its sockets are the
    user's); the output comes back through a pipe."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        rc = 1
        try:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            out, rc = call(tool, argv, env)
            os.write(w, out.encode())
        finally:
            os._exit(rc)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        out = f.read().decode()
    _, status = os.waitpid(pid, 0)
    return out, os.waitstatus_to_exitcode(status)


def run(d, fields):
    rid, tool, argv = fields[0], fields[2], fields[3:]
    env = dict(v.split("=", 1) for v in fields[1].split() if "=" in v)
    if env.get("PY_UID"):
        out, rc = as_user(int(env["PY_UID"]), tool, argv, env)
    else:
        out, rc = call(tool, argv, env)
    with open(f"{d}/{rid}.out", "w") as f:
        f.write(out)
    with open(f"{d}/{rid}.tmp", "w") as f:
        f.write(f"{rc}\n")
    os.rename(f"{d}/{rid}.tmp", f"{d}/{rid}.rc")


def main(d):
    sys.stdout = ThreadOut()
    # Read and write: never an end of file when a writer closes.
    req = os.fdopen(os.open(f"{d}/req", os.O_RDWR), "r")
    for line in req:
        fields = [unescape(f) for f in line.rstrip("\n").split("\t")]
        if len(fields) >= 4:
            threading.Thread(target=run, args=(d, fields), daemon=True).start()


if __name__ == "__main__":
    main(sys.argv[1])
