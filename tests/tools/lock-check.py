#!/usr/bin/env python3
"""Checks a lock pylock made against the index spec it was made from, with
Python's own tomllib and pip's vendored packaging (independent of pylock's
parsers). Usage: lock-check.py LOCK SPEC.json [REQUIREMENT...]

Prints the chosen "name==version" pairs, sorted, one line; exits 1 (saying
why) when a chosen version's Requires-Dist (in this interpreter's
environment) or a given requirement is not satisfied by the lock, or a local
(file://) file's sha256 is not the file's."""
import hashlib
import json
import sys
import tomllib
import urllib.parse

from pip._vendor.packaging.requirements import Requirement
from pip._vendor.packaging.utils import canonicalize_name
from pip._vendor.packaging.version import Version

lock = tomllib.load(open(sys.argv[1], "rb"))
spec = json.load(open(sys.argv[2]))
chosen = {}
bad = []
for p in lock.get("packages", []):
    if "marker" in p:
        continue
    chosen[canonicalize_name(p["name"])] = Version(p["version"])
    for f in p.get("wheels", []) + ([p["sdist"]] if "sdist" in p else []):
        url = urllib.parse.urlparse(f["url"])
        if url.scheme != "file":
            continue
        path = urllib.parse.unquote(url.path)
        if hashlib.sha256(open(path, "rb").read()).hexdigest() != f["hashes"]["sha256"]:
            bad.append(f"{f['name']}: sha256 differs")


def satisfied(req_text, extra=""):
    r = Requirement(req_text)
    if r.marker and not r.marker.evaluate({"extra": extra}):
        return
    n = canonicalize_name(r.name)
    if n not in chosen:
        bad.append(f"{req_text}: {n} is not in the lock")
    elif not r.specifier.contains(chosen[n], prereleases=True):
        bad.append(f"{req_text}: the lock has {n} {chosen[n]}")


for req in sys.argv[3:]:
    satisfied(req)
for name, versions in spec.items():
    n = canonicalize_name(name)
    if n not in chosen:
        continue
    for v, o in versions.items():
        if Version(v) == chosen[n]:
            for d in o.get("deps", []):
                satisfied(d)
if bad:
    print("\n".join(bad), file=sys.stderr)
    sys.exit(1)
print(" ".join(f"{n}=={v}" for n, v in sorted(chosen.items())))
