#!/bin/sh
# `pylock import` of uv.lock: a real one (tests/data/uv-locks/uv-project-template,
# uv's first format) and one written for these tests in uv's current format
# with every kind of source, edge marker, extra and group
# (tests/data/uv-locks/features). Each result is checked environment by
# environment against a walk of uv.lock's own graph
# (tests/tools/uv-reach.py), and its files and hashes against uv.lock's.
. "$srcdir/tests/integration/lib.sh"

SRC=$(cd "$srcdir" && pwd)
REACH="$SRC/tests/tools/uv-reach.py"
for name in uv-project-template features; do
	cp -r "$SRC/tests/data/uv-locks/$name" "$T/$name"
done

P="$T/features"
check_exit "import writes the project's pylock.toml" 0 "$PYLOCK" import "$P"
check_contains "and says how many packages" "$out" "(12 packages)"
check_exit "pylock reads what it wrote" 0 "$PYLOCK" show "$P"
check_contains "what uv.lock installs, environment by environment, with its hashes" \
	"$(python3 "$REACH" "$P/uv.lock" "$P/pylock.toml")" "ok 84 environments, 12 packages"
check_contains "a package reached two ways has both markers" "$(cat "$P/pylock.toml")" \
	"marker = \"os_name == 'posix' or python_full_version < '3.12' and sys_platform == 'linux'\""
check_contains "a fork keeps both entries of a name apart" "$(grep -A2 'name = "numpy"' "$P/pylock.toml")" \
	"marker = \"python_full_version < '3.11'\""
check_contains "git: a vcs entry with its commit" "$(cat "$P/pylock.toml")" \
	'vcs = { type = "git", url = "https://github.com/example/gitpkg", requested-revision = "v0.3.0", commit-id = "0123456789abcdef0123456789abcdef01234567" }'
check_contains "a direct URL: an archive" "$(cat "$P/pylock.toml")" 'archive = { url = "https://example.org/direct-1.0.tar.gz", size = 300'
check_contains "a path: an archive by path" "$(cat "$P/pylock.toml")" 'archive = { path = "wheels/localwheel-1.0-py3-none-any.whl"'
check_contains "the editable project: a directory, no version" "$(grep -A2 'name = "app"' "$P/pylock.toml")" \
	'directory = { path = ".", editable = true }'
check_contains "upload times to the second, sizes kept" "$(cat "$P/pylock.toml")" "upload-time = 2024-01-02T03:04:05Z, size = 500"
check_not_contains "what nothing reaches is left out" "$(cat "$P/pylock.toml")" 'name = "orphan"'
check_not_contains "as are groups and extras not asked for" "$(cat "$P/pylock.toml")" 'name = "ruff"'
for opts in "--all-groups --all-extras" "--no-default-groups" "--group lint --extra fast"; do
	# shellcheck disable=SC2086
	"$PYLOCK" import $opts -o "$T/sel.toml" "$P" > /dev/null
	# shellcheck disable=SC2086
	check_contains "$opts: what uv.lock installs with them" "$(python3 "$REACH" "$P/uv.lock" "$T/sel.toml" $opts)" "ok 84"
done
check_contains "an extra that asks for its dependency's extra reaches it" "$(cat "$T/sel.toml")" 'name = "turbocharger"'
check_exit "-o - prints the lock" 0 "$PYLOCK" import -o - "$P"
check_contains "to standard output" "$out" 'lock-version = "1.0"'

# --check: for CI, nothing written, exit 1 with diff's words when stale.
check_exit "--check: an import that still matches" 0 "$PYLOCK" import --check "$P"
check_contains "says so" "$out" "matches"
sed 's/^version = "3.0"$/version = "3.1"/' "$P/uv.lock" > "$T/u" && mv "$T/u" "$P/uv.lock"
sed -i 's|gamma-3.0|gamma-3.1|g' "$P/uv.lock"
cp "$P/pylock.toml" "$T/before.toml"
check_exit "--check: uv.lock moved on" 1 "$PYLOCK" import --check "$P"
check_contains "says what differs" "$out" "gamma"
check_contains "in diff's words" "$out" "upgraded"
check_exit "and writes nothing" 0 cmp "$P/pylock.toml" "$T/before.toml"
check_exit "importing again" 0 "$PYLOCK" import "$P"
check_contains "prints the change" "$out" "3.0 -> 3.1"

# A real uv.lock in uv's first format: a virtual project, its dev group.
R="$T/uv-project-template"
check_exit "a real uv.lock (version 1, no revision)" 0 "$PYLOCK" import "$R"
check_contains "what it installs, with its hashes" "$(python3 "$REACH" "$R/uv.lock" "$R/pylock.toml")" "ok 84 environments, 15 packages"
check_contains "its marker, with the group it came through" "$(grep -A3 'name = "colorama"' "$R/pylock.toml")" \
	"marker = \"'dev' in dependency_groups and sys_platform == 'win32'\""
check_contains "the group walked is the lock's, installed by default (PEP 751)" "$(cat "$R/pylock.toml")" \
	'dependency-groups = ["dev"]
default-groups = ["dev"]'
check_exit "pylock reads it" 0 "$PYLOCK" show "$R"
check_exit "--all-extras" 0 "$PYLOCK" import --all-extras -o "$T/extras.toml" "$P"
check_contains "the extras walked are the lock's" "$(cat "$T/extras.toml")" 'extras = ['
check_contains "a package the project's extra brings is marked by it" "$(cat "$T/extras.toml")" "in extras"
check_contains "checked environment by environment, extras asked for" \
	"$(python3 "$REACH" "$P/uv.lock" "$T/extras.toml" --all-extras)" "ok 84 environments"
check_not_contains "the virtual project is not installed" "$(cat "$R/pylock.toml")" 'name = "python-uv-project-template"'
check_exit "without its dev group: nothing to install" 0 "$PYLOCK" import --no-default-groups -o "$T/none.toml" "$R"
check_equal "an empty lock" "$(grep -c '^\[\[packages\]\]' "$T/none.toml")" 0

# Bad input: FILE:LINE:COL, exit 2, nothing written.
B="$T/bad"
mkdir -p "$B"
printf '[project]\nname = "b"\nversion = "1"\n' > "$B/pyproject.toml"
bad() { # NAME EXPECTED: on the uv.lock just written
	check_exit "$1: exit 2" 2 "$PYLOCK" import "$B"
	check_contains "$1: says where and what" "$err" "$2"
	check_exit "$1: nothing written" 1 test -e "$B/pylock.toml"
}
head -c 700 "$SRC/tests/data/uv-locks/features/uv.lock" > "$B/uv.lock"
bad "truncated" "uv.lock:"
printf 'version = 2\n' > "$B/uv.lock"
bad "another version" "uv.lock:1:11: uv.lock of another version"
printf 'requires-python = ">=3"\n' > "$B/uv.lock"
bad "no version" "is no uv.lock"
printf 'version = 1\n[[package]]\nname = "a"\nversion = "1"\nsource = { editable = "." }\ndependencies = [{ name = "missing" }]\n' > "$B/uv.lock"
bad "a dependency the lock lacks" "uv.lock:6:17: names 'missing', which the lock does not have"
{ printf 'version = 1\n[[package]]\nname = "a"\nversion = "1"\nsource = { editable = "." }\ndependencies = [{ name = "b" }]\n'
  printf '[[package]]\nname = "b"\nversion = "1"\nsource = { registry = "https://x/simple" }\nsdist = { url = "https://x/b-1.tar.gz", hash = "sha256:00" }\n'
  printf '[[package]]\nname = "b"\nversion = "2"\nsource = { registry = "https://x/simple" }\nsdist = { url = "https://x/b-2.tar.gz", hash = "sha256:00" }\n'; } > "$B/uv.lock"
bad "two entries the dependency does not tell apart" "names 'b', of which the lock has several entries"
{ printf 'version = 1\n[[package]]\nname = "a"\nversion = "1"\nsource = { editable = "." }\n'
  printf '[[package]]\nname = "a"\nversion = "1"\nsource = { editable = "." }\n'; } > "$B/uv.lock"
bad "one name twice, nothing to tell them apart" "uv.lock:6:1: a second entry for 'a' at the same version and source"
printf 'version = 1\n[[package]]\nname = "a"\nversion = "1"\nsource = { editable = "." }\ndependencies = [{ name = "b", marker = "python_version >" }]\n[[package]]\nname = "b"\nversion = "1"\nsource = { editable = "b" }\n' > "$B/uv.lock"
bad "a bad marker" "uv.lock:6:"
{ printf 'version = 1\n[[package]]\nname = "a"\nversion = "1"\nsource = { editable = "." }\ndependencies = [{ name = "b" }]\n'
  printf '[[package]]\nname = "b"\nversion = "1"\nsource = { registry = "https://x/simple" }\n'
  printf 'wheels = [{ url = "https://x/b-1-py3-none-any.whl", hash = "sha256:0g" }]\n'; } > "$B/uv.lock"
bad "a hash that is no hex digest" "uv.lock:11:60: hash: the sha256 digest is not the hex digits it must be"
{ printf 'version = 1\n[[package]]\nname = "a"\nversion = "1"\nsource = { editable = "." }\ndependencies = [{ name = "b" }]\n'
  printf '[[package]]\nname = "b"\nversion = "1"\nsource = { registry = "https://x/simple" }\n'
  printf 'wheels = [{ url = "https://x/b-2.0-py3-none-any.whl", hash = "sha256:%s" }]\n' "$(printf '%064d' 0)"; } > "$B/uv.lock"
bad "a wheel of another version" "uv.lock:7:1: package 'b': wheel 'b-2.0-py3-none-any.whl' is version 2.0, the package is 1"
rm -f "$B/uv.lock"
printf '[[package]]\nname = "x"\n' > "$B/poetry.lock"
check_exit "a poetry.lock without [metadata]" 2 "$PYLOCK" import "$B"
check_contains "said plainly" "$err" "no [metadata] table: this is not a poetry.lock"
rm -f "$B/poetry.lock"
check_exit "nothing to import" 2 "$PYLOCK" import "$B"
check_contains "says what it looked for" "$err" "has no uv.lock, poetry.lock, pdm.lock or requirements.txt"

# pylock list shows projects whose only lock is another tool's, and which.
L="$T/listed"
mkdir -p "$L/uvproj" "$L/poetryproj" "$L/reqproj" "$T/home/config"
cp "$SRC/tests/data/uv-locks/uv-project-template/uv.lock" "$L/uvproj/"
printf '[project]\nname = "uvproj"\nversion = "1"\n' > "$L/uvproj/pyproject.toml"
printf '[[package]]\nname = "x"\n' > "$L/poetryproj/poetry.lock"
printf '[project]\nname = "poetryproj"\nversion = "1"\n' > "$L/poetryproj/pyproject.toml"
printf 'six==1.16.0 --hash=sha256:%s\n' "$(printf '%064d' 0)" > "$L/reqproj/requirements.txt"
printf 'roots: [%s]\n' "$L" > "$T/home/config/config.yaml"
check_exit "pylock list" 0 "$PYLOCK" list
check_contains "a uv project: LOCK says uv.lock" "$(echo "$out" | grep uvproj)" "uv.lock"
check_contains "a poetry project: poetry" "$(echo "$out" | grep poetryproj)" "poetry"
check_contains "a folder with only requirements.txt is found" "$(echo "$out" | grep reqproj)" "requirements"
check_exit "--json too" 0 "$PYLOCK" list --json
check_contains "as source_lock" "$out" '"source_lock": "uv.lock"'
"$PYLOCK" import "$L/uvproj" > /dev/null
check_exit "once imported" 0 "$PYLOCK" list
check_not_contains "the row is pylock.toml's" "$(echo "$out" | grep uvproj)" "uv.lock"

done_testing
