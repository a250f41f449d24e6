#!/bin/sh
# Builds the demo workspace in WS (which must not exist): a registry of
# Debian's real wheels and generated ones signed with a demo key, a trust
# policy that enforces that key, and four git repositories — one clean, one
# with a modified lock, one whose lock is in merge conflict, one whose
# package was tampered with. Prints the PYLOCK_HOME to use.
# Usage: demo-workspace.sh WS PYLOCK
set -eu
ws=$1 pylock=$2
top=$(cd "$(dirname "$0")/.." && pwd)
py=$(command -v python3)
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
mkdir -p "$ws/registry" "$ws/home/config" "$ws/projects"
home="$ws/home"
export PYLOCK_HOME="$home" GIT_AUTHOR_NAME=demo GIT_AUTHOR_EMAIL=demo@example.invalid \
	GIT_COMMITTER_NAME=demo GIT_COMMITTER_EMAIL=demo@example.invalid
reg="$ws/registry"
cp /usr/share/python-wheels/*.whl "$reg/"
for v in 1.0 1.1 2.0; do "$py" "$top/tests/tools/make-wheel.py" "$reg" demo-lib "$v" good 8 > /dev/null; done
"$py" "$top/tests/tools/make-wheel.py" "$reg" demo-tool 0.5 good 4 > /dev/null
"$pylock" key generate "$ws/demo" > /dev/null
"$pylock" sign --key "$ws/demo.key" "$reg"/*.whl > /dev/null
printf 'mode: enforce\nkeys: [{id: demo, file: %s}]\n' "$ws/demo.pub" > "$home/config/policy.yaml"
printf 'python: %s\nroots: [%s]\n' "$py" "$ws/projects" > "$home/config/config.yaml"
lock() { sh "$top/scripts/wheel-lock.sh" "$@"; }
pip=$(ls "$reg"/pip-*.whl) setuptools=$(ls "$reg"/setuptools-*.whl) wheel=$(ls "$reg"/wheel-*.whl)

repo() {	# repo NAME: a git repository holding a project
	mkdir -p "$ws/projects/$1"
	cd "$ws/projects/$1"
	git init -q -b main
	printf '[project]\nname = "%s"\nversion = "0.1.0"\n' "$1" > pyproject.toml
}

repo clean-app
lock "$pip" "$wheel" "$reg/demo_lib-1.0-py3-none-any.whl" > pylock.toml
git add -A && git commit -qm "lock"

repo modified-app
lock "$pip" "$wheel" "$reg/demo_lib-1.0-py3-none-any.whl" > pylock.toml
git add -A && git commit -qm "lock"
lock "$pip" "$setuptools" "$reg/demo_lib-1.1-py3-none-any.whl" "$reg/demo_tool-0.5-py3-none-any.whl" > pylock.toml

# Both branches move demo-lib and the release channel another tool keeps
# in the lock's [tool.demo] table: two conflicts.
repo conflicted-app
{ lock "$pip" "$reg/demo_lib-1.0-py3-none-any.whl"; printf '\n[tool.demo]\nchannel = "none"\n'; } > pylock.toml
git add -A && git commit -qm "lock"
git checkout -q -b feature
{ lock "$pip" "$reg/demo_lib-2.0-py3-none-any.whl"; printf '\n[tool.demo]\nchannel = "beta"\n'; } > pylock.toml
git commit -qam "demo-lib 2.0"
git checkout -q main
{ lock "$pip" "$reg/demo_lib-1.1-py3-none-any.whl"; printf '\n[tool.demo]\nchannel = "stable"\n'; } > pylock.toml
git commit -qam "demo-lib 1.1"
git merge -q feature > /dev/null 2>&1 || true

repo tampered-app
mkdir -p "$ws/registry/tampered"
cp "$setuptools" "$ws/registry/tampered/"
cp "$setuptools.sig" "$ws/registry/tampered/"
lock "$pip" "$ws/registry/tampered/$(basename "$setuptools")" > pylock.toml
git add -A && git commit -qm "lock"
printf 'tampered' >> "$ws/registry/tampered/$(basename "$setuptools")"

echo "$home"
