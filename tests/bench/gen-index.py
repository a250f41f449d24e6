#!/usr/bin/env python3
"""An index spec (for tests/tools/make-index.py) of N packages for the
resolver benchmark, and the requirements to lock from it.
Usage: gen-index.py N CHAINS SPEC.json > REQUIREMENTS

CHAINS chains app_k -> lib_k -> base of 20 versions each, where every version
but 1.0 of lib_k needs base>=2 while the requirements say base<2: each
app_k's newest version must be undone, one after the other, down to 1.0 (the
backtracking Debian's pip 23 still manages; a deeper chain makes it give up,
see tests/integration/lock.sh). The other packages are a wide tree of easy
ranges."""
import json
import random
import sys

n, chains, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = random.Random(20)
spec = {"base": {"1.0": {}, "2.0": {}}}
for k in range(chains):
    spec[f"app{k}"] = {f"{v}.0": {"deps": [f"lib{k}>={v}.0,<{v + 1}.0"]} for v in range(1, 21)}
    spec[f"lib{k}"] = {f"{v}.0": {"deps": ["base>=2"] if v > 1 else []} for v in range(1, 21)}
tops = [f"top{i}" for i in range(20)]
leaves = [f"leaf{i}" for i in range(max(1, n - len(spec) - len(tops)))]
for name in leaves:
    spec[name] = {f"{v}.0": {} for v in range(1, rng.randint(3, 6))}
for t in tops:
    spec[t] = {}
    for v in range(1, 4):
        picks = rng.sample(leaves, min(len(leaves), 15))
        spec[t][f"{v}.0"] = {"deps": [f"{p}>={rng.randint(1, 2)}.0" for p in picks]}
json.dump(spec, open(out, "w"))
print(" ".join([f"app{k}" for k in range(chains)] + tops + ["base<2"]))
