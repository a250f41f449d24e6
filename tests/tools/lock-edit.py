#!/usr/bin/env python3
"""Edits a lock's text the way a producer would, touching one entry only:
  lock-edit.py marker FILE INDEX VALUE   set the INDEXth package's marker
  lock-edit.py drop FILE INDEX           remove the INDEXth package
The file is rewritten in place; everything else keeps its bytes."""
import json
import re
import sys


def span(text, i):
    starts = [m.start() for m in re.finditer(r"(?m)^\[\[packages\]\]\n", text)]
    end = starts[i + 1] if i + 1 < len(starts) else len(text)
    tail = re.search(r"(?m)^\[(?!\[?packages[.\]])", text[starts[i]:end])
    return starts[i], starts[i] + tail.start() if tail else end


def marker(text, i, value):
    a, b = span(text, i)
    line = "marker = " + json.dumps(value) + "\n"
    seg, n = re.subn(r"(?m)^marker = .*\n", lambda _: line, text[a:b], count=1)
    if not n:
        seg = re.sub(r"(?m)^(version = .*\n)", lambda m: m.group(1) + line, seg, count=1)
    return text[:a] + seg + text[b:]


def drop(text, i):
    a, b = span(text, i)
    return text[:a] + text[b:]


def main():
    op, path, index = sys.argv[1], sys.argv[2], int(sys.argv[3])
    text = open(path).read()
    text = marker(text, index, sys.argv[4]) if op == "marker" else drop(text, index)
    open(path, "w").write(text)


main()
