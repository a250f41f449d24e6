#!/bin/sh
# pylock show: tables, JSON, project lookup, and what bad lockfiles get.
. "$srcdir/tests/integration/lib.sh"

example="$srcdir/tests/data/pylock.example.toml"
check_exit "show reads the PEP 751 example" 0 "$PYLOCK" show "$example"
check_contains "the table lists numpy with its version" "$out" "numpy   2.2.3    wheel       2  83807d445817"
check_contains "the summary counts packages" "$out" "3 packages, lock-version 1.0, created by mousebender"

check_exit "show --json exits 0" 0 "$PYLOCK" show --json "$example"
printf '%s' "$out" > "$T/show.json"
check_equal "the JSON names every package" \
	"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(",".join(p["name"] for p in d["packages"]), d["lock_version"], len(d["packages"][2]["files"]))' "$T/show.json")" \
	"attrs,cattrs,numpy 1.0 2"

# A project found from a folder inside it, with a lock of Debian's real wheels.
mkdir -p "$T/proj/src/deep"
printf '[project]\nname = "demo"\nversion = "0.1"\n' > "$T/proj/pyproject.toml"
sh "$srcdir/scripts/wheel-lock.sh" /usr/share/python-wheels/*.whl > "$T/proj/pylock.toml"
nwheels=$(ls /usr/share/python-wheels/*.whl | wc -l)
cd "$T/proj/src/deep" || exit 1
check_exit "show without arguments finds the enclosing project" 0 "$PYLOCK" show
check_contains "it shows Debian's pip wheel" "$out" "pip "
check_contains "it counts Debian's wheels" "$out" "$nwheels packages"
cd "$T" || exit 1
check_exit "show PROJECT-FOLDER works" 0 "$PYLOCK" show "$T/proj"
check_exit "show NAME finds a project discovered under the roots" 0 "$PYLOCK" show demo
check_contains "the named project's lock is shown" "$out" "$nwheels packages"
mkdir -p "$T/twins/a" "$T/twins/b"
printf '[project]\nname = "twin"\n' | tee "$T/twins/a/pyproject.toml" > "$T/twins/b/pyproject.toml"
check_exit "an ambiguous name is an input error" 2 "$PYLOCK" show twin
check_contains "it lists where" "$err" "2 projects are named 'twin'"
check_exit "a project without a lockfile is an input error" 2 "$PYLOCK" show "$T/twins/a"
check_contains "it says there is no lockfile" "$err" "project 'twin' has no pylock.toml"

printf 'lock-version = "1.0"\ncreated-by = "x"\n[[packages]]\nname = "a"\nversion = "1.0"\nwheels = [{url = "https://x/a-1.0-py3-none-any.whl"}]\n' > "$T/nohash.toml"
check_exit "a wheel without hashes is an input error" 2 "$PYLOCK" show "$T/nohash.toml"
check_contains "the error names file, line and column" "$err" "pylock: $T/nohash.toml:6:11: wheel"

printf 'lock-version = "1.0"\ncreated-by = "x"\npackages = [\n' > "$T/broken.toml"
check_exit "malformed TOML is an input error" 2 "$PYLOCK" show "$T/broken.toml"
check_contains "the TOML error has a position" "$err" "broken.toml:4:1: expected a value"

printf 'lock-version = "1.0"\n<<<<<<< HEAD\ncreated-by = "a"\n=======\ncreated-by = "b"\n>>>>>>> other\n' > "$T/conflict.toml"
check_exit "a conflicted lockfile is an input error" 2 "$PYLOCK" show "$T/conflict.toml"
check_contains "it is called conflicted" "$err" "conflict.toml:2:1: conflicted"

printf 'lock-version = "2.0"\ncreated-by = "x"\npackages = []\n' > "$T/v2.toml"
check_exit "an unsupported major lock-version is refused" 2 "$PYLOCK" show "$T/v2.toml"
check_contains "the refusal says why" "$err" "unsupported lock-version '2.0'"

printf 'lock-version = "1.1"\ncreated-by = "x"\npackages = []\n' > "$T/v11.toml"
check_exit "a newer minor lock-version is read" 0 "$PYLOCK" show "$T/v11.toml"
check_contains "with a warning" "$err" "warning: $T/v11.toml:1:16: lock-version '1.1' is newer"

mkdir -p "$T/empty"
cd "$T/empty" || exit 1
check_exit "show outside any project is an input error" 2 "$PYLOCK" show
check_contains "it says so" "$err" "not inside a Python project"
check_exit "show of a missing path is an input error" 2 "$PYLOCK" show "$T/nope"
check_exit "show takes one argument" 2 "$PYLOCK" show a b

# What uv and pdm write beyond wheels: the lock's own settings, vcs,
# directory and archive sources.
cat > "$T/sources.toml" <<'EOF'
lock-version = "1.0"
requires-python = ">=3.9"
environments = ["sys_platform == 'linux'"]
extras = ["cli"]
dependency-groups = ["dev"]
default-groups = ["default"]
created-by = "pdm"

[[packages]]
name = "from-git"
version = "1.2"
vcs = { type = "git", url = "https://example.org/g.git", requested-revision = "main", commit-id = "0123456789abcdef0123456789abcdef01234567", subdirectory = "pkg" }

[[packages]]
name = "app"
directory = { path = ".", editable = true }

[[packages]]
name = "tarred"
version = "3.0"
archive = { url = "https://example.org/tarred-3.0.tar.gz", subdirectory = "src", upload-time = 2025-01-02T03:04:05Z, hashes = { sha256 = "0000000000000000000000000000000000000000000000000000000000000000" } }
EOF
check_exit "show reads a lock with vcs, directory and archive sources" 0 "$PYLOCK" show "$T/sources.toml"
check_contains "the lock's requires-python" "$out" "requires-python    >=3.9"
check_contains "its environments" "$out" "environments       sys_platform == 'linux'"
check_contains "its groups" "$out" "dependency-groups  dev"
check_contains "the default groups" "$out" "default-groups     default"
check_contains "a vcs entry's type and commit" "$(echo "$out" | grep '^from-git ')" "vcs git 0123456789ab"
check_contains "a directory's path, editable" "$(echo "$out" | grep '^app ')" "directory . editable"
check_exit "show --json" 0 "$PYLOCK" show --json "$T/sources.toml"
printf '%s' "$out" > "$T/sources.json"
check_equal "every detail in JSON" "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
p = {x["name"]: x for x in d["packages"]}
print(d["requires_python"], d["environments"], d["extras"], d["dependency_groups"], d["default_groups"])
print(p["from-git"]["vcs"])
print(p["app"]["directory"], p["app"]["version"])
f = p["tarred"]["files"][0]
print(f["kind"], f["url"], f["subdirectory"], f["upload_time"])' "$T/sources.json")" ">=3.9 [\"sys_platform == 'linux'\"] ['cli'] ['dev'] ['default']
{'type': 'git', 'url': 'https://example.org/g.git', 'path': None, 'requested_revision': 'main', 'commit_id': '0123456789abcdef0123456789abcdef01234567', 'subdirectory': 'pkg'}
{'path': '.', 'editable': True, 'subdirectory': None} None
archive https://example.org/tarred-3.0.tar.gz src 2025-01-02T03:04:05Z"
printf 'lock-version = "1.0"\ncreated-by = "t\\u0001\\"q\\\\"\npackages = []\n' > "$T/escaped.toml"
check_exit "control characters in a lock's strings" 0 "$PYLOCK" show --json "$T/escaped.toml"
check_contains "are escaped in JSON" "$out" '"created_by": "t\u0001\"q\\"'

done_testing
