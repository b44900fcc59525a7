#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""objs.py BASE OUT PY: the objects of BASE (a stream of JSON values or
Lists, as "kubectl ... -o json" prints them) changed by the Python
statements PY, written to OUT one per line, for the stand-in API server
(apiserver.py). PY sees the list o and named(kind, name), and json.
"""
import json
import sys


def main():
    text, dec, o, i = open(sys.argv[1]).read(), json.JSONDecoder(), [], 0
    while text[i:].strip():
        i += len(text[i:]) - len(text[i:].lstrip())
        v, i = dec.raw_decode(text, i)
        o += v.get("items", [v])

    def named(kind, name):
        return [x for x in o if x["kind"] == kind and x["metadata"]["name"] == name][0]

    exec(sys.argv[3], {"json": json, "o": o, "named": named})
    with open(sys.argv[2], "w") as f:
        for x in o:
            f.write(json.dumps(x) + "\n")


if __name__ == "__main__":
    main()
