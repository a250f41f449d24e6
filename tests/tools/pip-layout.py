#!/usr/bin/env python3
"""Writes a pylock.toml again in the layout `pip lock` gives (tomli_w's):
every table a [header], artifacts as [[packages.wheels]] / [packages.sdist]
sub-tables with their hashes as [packages.wheels.hashes]. pip cannot run
here (no PyPI), so the merge tests make pip-layout locks from real ones."""
import sys
import tomllib


def value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list):
        return "[" + ", ".join(value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"
    return v.isoformat().replace("+00:00", "Z")


def table(out, header, t, array=False):
    out.append("")
    out.append(f"[[{header}]]" if array else f"[{header}]")
    subs = []
    for k, v in t.items():
        if isinstance(v, dict):
            subs.append((k, v, False))
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v) and k in ("wheels",):
            subs.append((k, v, True))
        else:
            out.append(f"{k} = {value(v)}")
    for k, v, arr in subs:
        if arr:
            for x in v:
                table(out, f"{header}.{k}", x, True)
        else:
            table(out, f"{header}.{k}", v)


def main():
    lock = tomllib.load(open(sys.argv[1], "rb"))
    out = []
    for k, v in lock.items():
        if k not in ("packages", "tool"):
            out.append(f"{k} = {value('pip' if k == 'created-by' else v)}")
    for p in lock.get("packages", []):
        table(out, "packages", p, True)
    if "tool" in lock:
        table(out, "tool", lock["tool"])
    sys.stdout.write("\n".join(out) + "\n")


main()
