#!/usr/bin/env python3
"""Writes a pylock.toml of N packages x W wheels (default 5,000 x 3, ~7 MB)
to stdout, deterministic for a given seed. With CHANGE (0..1) and OFFSET,
that fraction of packages, starting at OFFSET, gets another version and
other wheels: two such locks differ as two branches would. Used by the
benchmarks.
Usage: gen-lock.py [N [W [SEED [CHANGE [OFFSET]]]]]"""
import hashlib
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
w = int(sys.argv[2]) if len(sys.argv) > 2 else 3
seed = sys.argv[3] if len(sys.argv) > 3 else "pylock"
change = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
offset = int(sys.argv[5]) if len(sys.argv) > 5 else 0
every = int(1 / change) if change > 0 else 0
out = sys.stdout
out.write("lock-version = '1.0'\nenvironments = [\"sys_platform == 'linux'\"]\n"
          "requires-python = '>=3.9'\ncreated-by = 'pylock-bench'\n\n")
for i in range(n):
    name = f"package-{i:05d}"
    changed = every and (i + offset) % every == 0
    version = f"{1 + i % 7}.{i % 13}.{i % 5}" + (f".post{offset + 1}" if changed else "")
    out.write(f"[[packages]]\nname = '{name}'\nversion = '{version}'\n"
              f"requires-python = '>=3.8'\nindex = 'https://pypi.org/simple'\n")
    if i > 0:
        out.write(f"dependencies = [{{name = 'package-{(i * 7) % i:05d}'}}]\n")
    out.write("\n")
    mod = name.replace("-", "_")
    for j, tag in enumerate(["py3-none-any", "cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64",
                             "cp312-cp312-musllinux_1_1_x86_64"][:w]):
        h = hashlib.sha256(f"{seed}{i}.{j}{version}".encode()).hexdigest()
        fname = f"{mod}-{version}-{tag}.whl"
        out.write(f"    [[packages.wheels]]\n    name = '{fname}'\n"
                  f"    upload-time = 2025-01-25T11:30:10.164985+00:00\n"
                  f"    url = 'https://files.pythonhosted.org/packages/{h[:2]}/{h[2:4]}/{h[4:]}/{fname}'\n"
                  f"    size = {10000 + i * 37 + j}\n"
                  f"    hashes = {{sha256 = '{h}'}}\n\n")
