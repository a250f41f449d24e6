#!/usr/bin/env python3
"""Writes a file:// simple index (PEP 691 JSON pages) listing the files a
source lock names, by their hashes, for `pylock import` tests: the files
themselves are not needed (import reads pages only).
Usage: mirror-index.py OUT LOCK [--drop FILENAME]... [--swap]

LOCK is a pdm.lock or poetry.lock ([[package]] files = [{file, hash}]).
Each page also lists a file of another version (a decoy the import must not
take). --drop leaves a file out; --swap gives every file a wrong hash (an
index whose names match the lock but whose bytes do not). Sizes are the
file name's length times 1000 and upload times 2024-01-02T03:04:05Z, so a
test can tell they came from the index."""
import hashlib
import json
import os
import re
import sys
import tomllib

out, lock = sys.argv[1:3]
drop = set()
swap = False
args = sys.argv[3:]
while args:
    a = args.pop(0)
    if a == "--drop":
        drop.add(args.pop(0))
    elif a == "--swap":
        swap = True


def norm(n):
    return re.sub(r"[-_.]+", "-", n).lower()


pages = {}
for p in tomllib.load(open(lock, "rb")).get("package", []):
    for f in p.get("files", []):
        name = f.get("file")
        if not name or name in drop:
            continue
        algo, hexd = f["hash"].split(":", 1)
        if swap:
            hexd = hashlib.sha256(hexd.encode()).hexdigest()
        pages.setdefault(norm(p["name"]), {})[name] = {
            "filename": name,
            "url": f"../../files/{name}",
            "hashes": {algo: hexd},
            "size": len(name) * 1000,
            "upload-time": "2024-01-02T03:04:05.123456Z",
        }
for project, files in pages.items():
    decoy = f"{project.replace('-', '_')}-0.0.1-py3-none-any.whl"
    files.setdefault(decoy, {"filename": decoy, "url": f"../../files/{decoy}",
                             "hashes": {"sha256": hashlib.sha256(decoy.encode()).hexdigest()}})
    d = os.path.join(out, "simple", project)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "index.json"), "w") as fh:
        json.dump({"meta": {"api-version": "1.1"}, "name": project, "files": sorted(files.values(), key=lambda x: x["filename"])}, fh)
