#!/usr/bin/env python3
"""Writes a uv.lock (version 1, revision 3) of N packages (default 180) with
W wheels each on average (default ~10.5: about 1,900 wheels, ~700 KB), an
editable project depending on a tenth of them, each package on up to three
earlier ones, some edges under markers. Deterministic. Usage: gen-uvlock.py [N]"""
import hashlib
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 180
tags = ["cp39-cp39", "cp310-cp310", "cp311-cp311", "cp312-cp312", "cp313-cp313"]
plats = ["macosx_11_0_arm64", "manylinux_2_17_x86_64.manylinux2014_x86_64", "win_amd64", "musllinux_1_2_x86_64"]
markers = ["sys_platform == 'win32'", "python_full_version < '3.11'", "platform_machine == 'x86_64'"]
out = sys.stdout
out.write('version = 1\nrevision = 3\nrequires-python = ">=3.9"\n\n')
out.write('[[package]]\nname = "bench-app"\nversion = "0.1.0"\nsource = { editable = "." }\ndependencies = [\n')
for i in range(0, n, 10):
    out.write(f'    {{ name = "pkg-{i:04d}" }},\n')
out.write("]\n\n")


def h(s):
    return hashlib.sha256(s.encode()).hexdigest()


for i in range(n):
    name = f"pkg-{i:04d}"
    version = f"1.{i % 9}.{i % 4}"
    out.write(f'[[package]]\nname = "{name}"\nversion = "{version}"\n'
              'source = { registry = "https://pypi.org/simple" }\n')
    deps = [j for j in (i + 1, i + 7, i + 31) if j < n]
    if deps:
        out.write("dependencies = [\n")
        for k, j in enumerate(deps):
            m = f', marker = "{markers[(i + k) % 3]}"' if (i + k) % 4 == 0 else ""
            out.write(f'    {{ name = "pkg-{j:04d}"{m} }},\n')
        out.write("]\n")
    out.write(f'sdist = {{ url = "https://files.pythonhosted.org/packages/ab/cd/{h(name)[:40]}/{name}-{version}.tar.gz", '
              f'hash = "sha256:{h(name + "s")}", size = {10000 + i}, upload-time = "2025-01-0{1 + i % 9}T10:00:00.123Z" }}\n')
    out.write("wheels = [\n")
    count = 2 + (i * 7) % 18
    for w in range(count):
        tag = f"{tags[w % 5]}-{plats[(w // 5) % 4]}" if w else "py3-none-any"
        out.write(f'    {{ url = "https://files.pythonhosted.org/packages/ef/01/{h(name + str(w))[:40]}/'
                  f'{name.replace("-", "_")}-{version}-{tag}.whl", hash = "sha256:{h(name + tag + str(w))}", '
                  f'size = {20000 + w}, upload-time = "2025-01-0{1 + w % 9}T10:00:00.5Z" }},\n')
    out.write("]\n\n")
