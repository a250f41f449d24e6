#!/bin/sh
# Lock files from public repositories, as their tools wrote them
# (tests/data/real-locks/*/, each with its licence): read exactly, shown,
# and refused or reported the way a user of that project would meet it,
# without the network.
. "$srcdir/tests/integration/lib.sh"

DATA="$(cd "$srcdir" && pwd)/tests/data/real-locks"
uvpc="$DATA/uv-pip-compile/pylock.toml"

check_exit "uv pip compile's lock is read" 0 "$PYLOCK" show "$uvpc"
check_contains "all of its packages" "$out" "16 packages, lock-version 1.0, created by uv"
check_contains "with its requires-python" "$out" "requires-python    >=3.13.12"
check_exit "show --json" 0 "$PYLOCK" show --json "$uvpc"
printf '%s' "$out" > "$T/uvpc.json"
check_equal "agrees with tomllib on every package, version, file and hash" "$(python3 -c '
import json, sys, tomllib
ours = json.load(open(sys.argv[1]))
theirs = tomllib.load(open(sys.argv[2], "rb"))
def files(p):
    fs = [("sdist", p["sdist"])] if "sdist" in p else []
    return fs + [("wheel", w) for w in p.get("wheels", [])]
want = [(p["name"], p["version"], p.get("marker"), [(k, f["url"], f["size"], f["hashes"]) for k, f in files(p)])
        for p in theirs["packages"]]
got = [(p["name"], p["version"], p["marker"],
        sorted([(f["kind"], f["url"], f["size"], f["hashes"]) for f in p["files"]], key=lambda x: x[0] != "sdist"))
       for p in ours["packages"]]
print("same" if got == want else "differ: %r" % [(g, w) for g, w in zip(got, want) if g != w][:1])' "$T/uvpc.json" "$uvpc")" same

mkdir -p "$T/site" "$PYLOCK_HOME/config"
printf '[project]\nname = "grumpyfuk"\n' > "$T/site/pyproject.toml"
cp "$uvpc" "$T/site/pylock.toml"
printf 'python: /usr/bin/python3\n' > "$PYLOCK_HOME/config/config.yaml"
check_exit "status on Debian's Python 3.11: a state, not a failure" 1 "$PYLOCK" status "$T/site"
check_contains "saying why" "$out" "cannot be built: "
check_contains "the lock's requires-python" "$out" "the lock requires Python >=3.13.12"
printf 'python: /usr/bin/python3\nfetch:\n  hosts: [pypi.example]\n' > "$PYLOCK_HOME/config/config.yaml"
check_exit "verify with PyPI's file host not allowed is refused before any connection" 2 "$PYLOCK" verify "$T/site"
check_contains "naming the host and where the lock names it" "$err" "pylock.toml:11:11: https://files.pythonhosted.org/"
check_contains "and what to do" "$err" "host files.pythonhosted.org is not one pylock fetches from"

# PDM's lock: a synthetic "default" group in default-groups, dev tools in
# "dev", markers on dependency_groups, [packages.tool.pdm] tables.
pdm="$DATA/pdm-groups/pylock.toml"
check_exit "pdm's lock is read" 0 "$PYLOCK" show "$pdm"
check_contains "with its groups" "$out" "dependency-groups  default, dev"
mkdir -p "$T/h11"
printf '[project]\nname = "h11"\n' > "$T/h11/pyproject.toml"
cp "$pdm" "$T/h11/pylock.toml"
printf 'python: /usr/bin/python3\n' > "$PYLOCK_HOME/config/config.yaml"
check_exit "status: not built yet" 1 "$PYLOCK" status "$T/h11"
check_contains "its default group holds one package for Python 3.11" "$out" \
	"1 package for this interpreter (groups default; no extras)"
check_exit "status --group dev" 1 "$PYLOCK" status --group dev "$T/h11"
check_contains "adds the dev tools" "$out" "7 packages for this interpreter (groups default, dev; no extras)"
check_exit "an unknown group is named against the lock's own" 2 "$PYLOCK" status --group docs "$T/h11"
check_contains "listing them" "$err" "the lock has no group 'docs' (it has: default, dev; default: default)"

done_testing
