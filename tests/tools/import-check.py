#!/usr/bin/python3
"""Checks a `pylock import` result against its source lock, independently
of pylock: the packages the chosen groups install (by the source's own
words: pdm's and poetry's per-package groups, every requirements line),
each with exactly the source's hashes, and each marker true in the same
environments as the source's, over a grid of environments and extras.
Usage: import-check.py SOURCE RESULT [--groups G,G] [--extras E,E] [--expect JSON]
--expect {"name": "marker" or null, ...} names what a walked lock (no
groups per package) must hold, written out by hand: the packages, each
with all of the source's hashes for it, under that marker.
Prints "ok N packages, M environments" or what differs; exit 1 then.
Debian's python3 is used for its pip's vendored `packaging`."""
import itertools
import re
import sys
import tomllib

from pip._vendor.packaging.markers import Marker

src, result = sys.argv[1:3]
groups, extras, expect = set(), [], None
args = sys.argv[3:]
while args:
    a = args.pop(0)
    if a == "--groups":
        groups = set(args.pop(0).split(","))
    elif a == "--extras":
        extras = args.pop(0).split(",")
    elif a == "--expect":
        import json
        expect = json.loads(args.pop(0))


def norm(n):
    return re.sub(r"[-_.]+", "-", n).lower()


# name -> list of (version, hashes, marker text or None, marker dialect)
want = {}


def add(name, version, hashes, marker):
    want.setdefault(norm(name), []).append((version, frozenset(hashes), marker))


if src.endswith("requirements.txt"):
    text = re.sub(r"\\\n", " ", open(src).read())
    for line in text.splitlines():
        line = re.sub(r"(^|\s)#.*", "", line).strip()
        if not line or line.startswith("-"):
            continue
        req = line.split(" --", 1)[0]
        hashes = re.findall(r"--hash[= ]sha256:([0-9a-f]+)", line)
        spec, _, marker = req.partition(";")
        name, _, version = spec.partition("==")
        add(name.strip(), version.strip(), hashes, marker.strip() or None)
elif expect is not None:
    # Keys are names, or name==version for a name locked twice.
    for p in tomllib.load(open(src, "rb")).get("package", []):
        key = f"{norm(p['name'])}=={p.get('version')}"
        key = key if key in expect else norm(p["name"])
        if key in expect:
            add(p["name"], p.get("version"), [f["hash"].split(":", 1)[1] for f in p.get("files", [])],
                expect[key])
else:
    lock = tomllib.load(open(src, "rb"))
    for p in lock.get("package", []):
        pg = p.get("groups", [])
        hashes = [f["hash"].split(":", 1)[1] for f in p.get("files", [])]
        if "markers" in p or "python-versions" in p:  # poetry
            chosen = [g for g in pg if g in groups]
            if not chosen:
                continue
            m = p.get("markers")
            ms = [m.get(g) if isinstance(m, dict) else m for g in chosen]
            marker = None if any(x is None for x in ms) else " or ".join(f"({x})" for x in ms)
        else:  # pdm
            if not set(pg) & groups:
                continue
            marker = p.get("marker")
        version = p.get("version")
        if "source" in p and p["source"].get("type") in ("git", "directory"):
            hashes = []
            # A source tree's version is no promise (PEP 751): none is written.
            version = None if p["source"]["type"] == "directory" else version
        add(p["name"], version, hashes, marker)

got = {}
for p in tomllib.load(open(result, "rb")).get("packages", []):
    hashes = []
    for f in p.get("wheels", []) + ([p["sdist"]] if "sdist" in p else []) + ([p["archive"]] if "archive" in p else []):
        hashes += f["hashes"].values()
    got.setdefault(p["name"], []).append((p.get("version"), frozenset(hashes), p.get("marker")))

envs = []
for pv, plat, impl, extra in itertools.product(["3.10", "3.11", "3.12", "3.13"], ["linux", "win32"],
                                              ["CPython", "PyPy"], [""] + extras):
    envs.append({"python_version": pv, "python_full_version": pv + ".1", "sys_platform": plat,
                 "platform_system": "Windows" if plat == "win32" else "Linux", "os_name": "posix",
                 "platform_python_implementation": impl, "implementation_name": impl.lower(),
                 "platform_machine": "x86_64", "platform_release": "", "platform_version": "",
                 "implementation_version": pv, "extra": extra})


def holds(marker, env, pep751):
    if marker is None:
        return True
    if pep751:  # "x" in extras, with at most one extra chosen at a time
        marker = re.sub(r'"([^"]+)" in extras', r'extra == "\1"', marker)
        marker = re.sub(r'"([^"]+)" not in extras', r'extra != "\1"', marker)
    return Marker(marker).evaluate(env)


bad = []
if set(want) != set(got):
    bad.append(f"packages differ: missing {sorted(set(want) - set(got))}, extra {sorted(set(got) - set(want))}")
for name in sorted(set(want) & set(got)):
    w = sorted(want[name], key=lambda x: str(x[0]))
    g = sorted(got[name], key=lambda x: str(x[0]))
    if [(v, h) for v, h, _ in w] != [(v, h) for v, h, _ in g]:
        bad.append(f"{name}: versions or hashes differ: {[(v, len(h)) for v, h, _ in w]} vs {[(v, len(h)) for v, h, _ in g]}")
        continue
    for (v, _, wm), (_, _, gm) in zip(w, g):
        for env in envs:
            if holds(wm, env, False) != holds(gm, env, True):
                bad.append(f"{name} {v}: marker {gm!r} differs from the source's {wm!r} at {env['python_version']} "
                           f"{env['sys_platform']} {env['platform_python_implementation']} extra={env['extra']!r}")
                break
if bad:
    print("\n".join(bad))
    sys.exit(1)
print(f"ok {len(got)} packages, {len(envs)} environments")
