#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Test scripts whose assertions cannot fail the way they read.

"assert DESC [ a ] && [ b ]" hands assert the words of "[ a ]" alone: the
shell runs "[ b ]" after it and nothing looks at its status, so the test
passes whatever b is. The same goes for "||", "|" and ";" after an
assert's words. Several tests are asserted with "all" (selftests/tap.sh):
"assert DESC all [ a ] :: [ b ]". Two here-strings (<<<) in one assert
feed its one standard input: the last wins, the first reader takes it.
Prints TAP, one line per script.

    scripts/check-tests.py [FILE]...   (default: every test script)
"""
import glob
import os
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def statements(text):
    """(line number, words of one shell statement) for each assert."""
    lines = text.split('\n')
    i = 0
    while i < len(lines):
        if not lines[i].lstrip().startswith('assert '):
            i += 1
            continue
        start, stmt = i, lines[i]
        # Continued by a backslash, or inside a quote that spans lines.
        while (stmt.endswith('\\') or open_quote(stmt)) and i + 1 < len(lines):
            i += 1
            stmt = stmt + '\n' + lines[i]
        yield start + 1, stmt
        i += 1


def open_quote(s):
    return scan(s)[1] is not None


def scan(s):
    """Operators outside quotes and $(...), and the quote left open."""
    ops, stack, i = [], [], 0
    while i < len(s):
        c, top = s[i], stack[-1] if stack else None
        if c == '\\':
            i += 2
            continue
        if top == '"':
            if c == '"':
                stack.pop()
            elif s.startswith('$(', i):
                stack.append('$(')
                i += 1
        elif c == "'":
            end = s.find("'", i + 1)
            if end < 0:
                return ops, "'"
            i = end
        elif c == '"':
            stack.append('"')
        elif s.startswith('$(', i):
            stack.append('$(')
            i += 1
        elif c == ')' and top == '$(':
            stack.pop()
        elif top is None:
            if s.startswith('<<<', i):
                ops.append('<<<')
                i += 2
            elif s.startswith('&&', i) or s.startswith('||', i):
                ops.append(s[i:i + 2])
                i += 1
            elif c in '|;':
                ops.append(c)
        i += 1
    return ops, ('"' if '"' in stack else '$(' if stack else None)


def main(argv):
    files = argv[1:] or sorted(
        glob.glob(os.path.join(TOP, 'selftests', '*.sh')) +
        glob.glob(os.path.join(TOP, 'selftests', '*', '*.sh')) +
        glob.glob(os.path.join(TOP, 'userspace', 'tests', '*.sh')))
    bad = 0
    for n, f in enumerate(files, 1):
        found = []
        with open(f) as fh:
            for line, stmt in statements(fh.read()):
                ops = scan(stmt)[0]
                bad_ops = [o for o in ops if o != '<<<']
                if bad_ops:
                    found.append((line, bad_ops[0]))
                elif ops.count('<<<') > 1:
                    found.append((line, '<<<'))
        name = os.path.relpath(f, TOP)
        if found:
            bad += 1
            print(f'not ok {n} - {name}: every assert checks all it says')
            for line, op in found:
                if op == '<<<':
                    print(f'#   line {line}: two here-strings: the command '
                          'reads the last alone; one per assert')
                else:
                    print(f'#   line {line}: "{op}" after the words assert runs; '
                          'use "assert DESC all A :: B"')
        else:
            print(f'ok {n} - {name}: every assert checks all it says')
    print(f'1..{len(files)}')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
