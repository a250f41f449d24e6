#!/usr/bin/env python3
"""Checks a pylock.toml imported from a uv.lock against the uv.lock itself,
environment by environment: in each environment of a grid (Python 3.8 to
3.14 on Linux, Windows and macOS, CPython and PyPy, x86_64 and arm64), the
packages whose marker holds must be exactly those a walk of uv.lock's graph
reaches there (edges followed when their marker holds; the project, its
default or named groups and extras, uv export's rules), and every package's
files and hashes must be uv.lock's. An independent check: it evaluates
markers per environment, where pylock combines them symbolically.
Usage: uv-reach.py UV_LOCK PYLOCK [--all-groups] [--no-default-groups]
       [--group G]... [--extra E]... [--all-extras]
Prints "ok N environments" or the first difference, exit 1."""
import re
import sys
import tomllib

sys.path.insert(0, "/usr/lib/python3/dist-packages/pip/_vendor")
sys.path.insert(0, "/usr/share/python-wheels")
try:
    from packaging.markers import Marker
except ImportError:
    from pip._vendor.packaging.markers import Marker


def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def environments():
    for minor in range(8, 15):
        for plat, os_name in (("linux", "posix"), ("win32", "nt"), ("darwin", "posix")):
            for impl, pimpl in (("cpython", "CPython"), ("pypy", "PyPy")):
                for machine in ("x86_64", "arm64"):
                    yield {
                        "python_version": f"3.{minor}", "python_full_version": f"3.{minor}.1",
                        "sys_platform": plat, "os_name": os_name, "platform_system":
                        {"linux": "Linux", "win32": "Windows", "darwin": "Darwin"}[plat],
                        "implementation_name": impl, "platform_python_implementation": pimpl,
                        "platform_machine": machine, "implementation_version": f"3.{minor}.1",
                        "platform_release": "", "platform_version": "", "extra": "",
                    }


# PEP 751's membership tests ('x' in extras, 'g' in dependency_groups),
# which this packaging cannot evaluate, decided by what was asked for: each
# becomes a comparison that is always true or always false.
CHOSEN = {"extras": set(), "dependency_groups": set()}


def membership(m):
    name, negated, kind = m.group(2), bool(m.group(3)), m.group(4)
    inside = norm(name) in CHOSEN[kind]
    return "platform_machine != '@'" if inside != negated else "platform_machine == '@'"


def holds(marker, env):
    if marker is None:
        return True
    marker = re.sub(r"""(['"])([^'"]+)\1\s+(not\s+)?in\s+(extras|dependency_groups)""", membership, marker)
    return Marker(marker).evaluate(env)


def main():
    args = sys.argv[3:]
    all_groups = "--all-groups" in args
    no_default = "--no-default-groups" in args
    all_extras = "--all-extras" in args
    groups = {norm(args[i + 1]) for i, a in enumerate(args) if a == "--group"}
    extras = {norm(args[i + 1]) for i, a in enumerate(args) if a == "--extra"}
    uv = tomllib.load(open(sys.argv[1], "rb"))
    lock = tomllib.load(open(sys.argv[2], "rb"))
    # Everything asked for is installed: uv export's selection.
    every = set()
    for p in uv.get("package", []):
        every |= {norm(g) for g in p.get("dev-dependencies", p.get("dependency-groups", {}))}
        every |= {norm(x) for x in p.get("optional-dependencies", {})}
    every |= {norm(g) for g in uv.get("manifest", {}).get("dependency-groups", {})}
    CHOSEN["dependency_groups"] = every if all_groups else groups | (set() if no_default else {"dev"})
    CHOSEN["extras"] = every if all_extras else extras
    pkgs = uv.get("package", [])
    by_name = {}
    for i, p in enumerate(pkgs):
        by_name.setdefault(norm(p["name"]), []).append(i)

    def find(dep):
        cands = [i for i in by_name[norm(dep["name"])]
                 if ("version" not in dep or pkgs[i].get("version") == dep["version"])
                 and ("source" not in dep or pkgs[i]["source"] == dep["source"])]
        assert len(cands) == 1, dep
        return cands[0]

    members = {norm(m) for m in uv.get("manifest", {}).get("members", [])}
    roots = [i for i, p in enumerate(pkgs)
             if (norm(p["name"]) in members) if members] or \
            [i for i, p in enumerate(pkgs)
             if p["source"].get("editable") == "." or p["source"].get("virtual") == "."]

    def group_on(g):
        return all_groups or norm(g) in groups or (not no_default and g == "dev")

    def reached(env):
        seen, todo = set(), []

        def take(dep):
            if holds(dep.get("marker"), env):
                i = find(dep)
                todo.append((i, None))
                for x in dep.get("extra", []):
                    todo.append((i, norm(x)))
        for r in roots:
            todo.append((r, None))
            for x in pkgs[r].get("optional-dependencies", {}):
                if all_extras or norm(x) in extras:
                    todo.append((r, norm(x)))
            for g, deps in pkgs[r].get("dev-dependencies", pkgs[r].get("dependency-groups", {})).items():
                if group_on(g):
                    for d in deps:
                        take(d)
        while todo:
            i, x = todo.pop()
            if (i, x) in seen:
                continue
            seen.add((i, x))
            p = pkgs[i]
            if x is None:
                deps = p.get("dependencies", [])
            else:
                opt = {norm(k): v for k, v in p.get("optional-dependencies", {}).items()}
                deps = opt.get(x, [])
            for d in deps:
                take(d)
        return {(norm(pkgs[i]["name"]), pkgs[i].get("version") if "directory" not in pkgs[i]["source"]
                 and "editable" not in pkgs[i]["source"] else None)
                for i, x in seen if x is None and "virtual" not in pkgs[i]["source"]}

    entries = lock.get("packages", [])
    n = 0
    for env in environments():
        want = reached(env)
        got = {(e["name"], e.get("version")) for e in entries if holds(e.get("marker"), env)}
        if want != got:
            print(f"differs in {env['sys_platform']} {env['python_full_version']} {env['implementation_name']} "
                  f"{env['platform_machine']}: only uv.lock {sorted(want - got)}, only pylock {sorted(got - want)}")
            sys.exit(1)
        n += 1
    # Files: each entry's hashes are uv.lock's.
    for e in entries:
        cands = [p for p in pkgs if norm(p["name"]) == e["name"] and
                 (e.get("version") is None or p.get("version") == e["version"])]
        p = cands[0]
        uvh = sorted(f["hash"].split(":", 1)[1] for f in ([p["sdist"]] if "sdist" in p else []) + p.get("wheels", []))
        files = e.get("wheels", []) + [e[k] for k in ("sdist", "archive") if k in e]
        ours = sorted(h for f in files for h in f["hashes"].values())
        if "directory" in e or "vcs" in e:
            continue
        if "archive" in e:
            uvh = uvh[:1] if uvh else uvh
        if ours != uvh:
            print(f"files of {e['name']} differ: uv.lock {uvh}, pylock {ours}")
            sys.exit(1)
    print(f"ok {n} environments, {len(entries)} packages")


main()
