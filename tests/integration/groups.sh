#!/bin/sh
# Extras and dependency groups (PEP 751 markers `'x' in extras`, `'g' in
# dependency_groups`) as pdm writes them (a synthetic "default" group in
# default-groups): --group, --extra, --all-groups, --all-extras,
# --no-default-groups, and [tool.pylock] groups / extras as the project's
# default; each selection its own environment.
. "$srcdir/tests/integration/lib.sh"

SRC=$(cd "$srcdir" && pwd)
PY=/usr/bin/python3
[ -x "$PY" ] || { skip "groups and extras" "needs Debian's python3"; done_testing; exit; }
P="$T/proj"
mkdir -p "$P" "$PYLOCK_HOME/config" "$T/w"
"$PYLOCK" key generate "$T/corp" > /dev/null
printf 'mode: enforce\nkeys: [{id: corp, file: %s}]\n' "$T/corp.pub" > "$PYLOCK_HOME/config/policy.yaml"
printf 'python: %s\n' "$PY" > "$PYLOCK_HOME/config/config.yaml"
for n in core devtool testtool clix; do
	w=$($PY "$SRC/tests/tools/make-wheel.py" "$T/w" "$n" 1.0 good 1)
	"$PYLOCK" sign --key "$T/corp.key" "$w" > /dev/null
done
entry() {	# entry NAME MARKER
	w=$(ls "$T/w/$1"-*.whl)
	printf '\n[[packages]]\nname = "%s"\nversion = "1.0"\nmarker = "%s"\n' "$1" "$2"
	printf 'wheels = [{ path = "%s", size = %s, hashes = { sha256 = "%s" } }]\n' "$w" "$(stat -c %s "$w")" \
		"$(sha256sum "$w" | cut -d' ' -f1)"
}
{
	printf 'lock-version = "1.0"\nrequires-python = ">=3.8"\nextras = ["cli"]\n'
	printf 'dependency-groups = ["dev", "test"]\ndefault-groups = ["default"]\ncreated-by = "pdm"\n'
	entry core "'default' in dependency_groups"
	entry devtool "'dev' in dependency_groups"
	entry testtool "'test' in dependency_groups"
	entry clix "'cli' in extras"
} > "$P/pylock.toml"
printf '[project]\nname = "grouped"\n' > "$P/pyproject.toml"
cd "$P" || exit 1

check_exit "sync installs the lock's default groups" 0 "$PYLOCK" sync
check_contains "one package here" "$err" "1 package for Python"
default_id=$out
check_exit "the default group's package imports" 0 "$PYLOCK" run -- python -c 'import core'
check_exit "a dev group's does not" 1 "$PYLOCK" run -- python -c 'import devtool'
check_exit "sync --group dev adds the group" 0 "$PYLOCK" sync --group dev
check_contains "two packages" "$err" "2 packages for Python"
check_exit "an environment of its own" 1 test "$out" = "$default_id"
check_exit "run --group dev sees it" 0 "$PYLOCK" run --group dev -- python -c 'import core, devtool'
check_exit "status --group dev: built" 0 "$PYLOCK" status --group dev
check_contains "and says what it holds" "$out" "(groups default, dev; no extras)"
run "$PYLOCK" status --json --group dev
check_contains "status --json lists the groups" "$out" '"groups": [
    "default",
    "dev"
  ]'
check_exit "--all-groups takes every group" 0 "$PYLOCK" sync --all-groups
check_contains "three packages" "$err" "3 packages for Python"
check_exit "--no-default-groups --group test leaves the default out" 0 "$PYLOCK" sync --no-default-groups --group test
check_contains "one package" "$err" "1 package for Python"
check_exit "which is the test group's" 0 "$PYLOCK" run --no-default-groups --group test -- python -c 'import testtool'
check_exit "--extra cli adds the extra" 0 "$PYLOCK" sync --extra cli
check_contains "two packages" "$err" "2 packages for Python"
check_exit "--all-extras too" 0 "$PYLOCK" sync --all-extras
check_exit "verify checks what the selection holds" 0 "$PYLOCK" verify --group test
check_contains "two packages, the others counted apart" "$out" "2 packages: 2 verified (2 more not for this interpreter)"
check_exit "group names are compared normalised (PEP 735)" 0 "$PYLOCK" sync --group DEV
check_exit "a group the lock does not have is an input error" 2 "$PYLOCK" sync --group docs
check_contains "naming those it has" "$err" "the lock has no group 'docs' (it has: dev, test; default: default)"
check_exit "so is an extra" 2 "$PYLOCK" sync --extra gui
check_contains "named too" "$err" "the lock has no extra 'gui' (it has: cli)"

# The project's own default.
printf '[project]\nname = "grouped"\n[tool.pylock]\ngroups = ["default", "dev"]\nextras = ["cli"]\n' \
	> "$P/pyproject.toml"
check_exit "[tool.pylock] groups and extras set the project's default" 0 "$PYLOCK" sync
check_contains "three packages" "$err" "3 packages for Python"
check_exit "status without flags sees that selection" 0 "$PYLOCK" status
check_contains "and shows it" "$out" "(groups default, dev; extras cli)"
run "$PYLOCK" list "$P"
check_contains "list shows what a sync installs" "$(echo "$out" | grep '^grouped ')" "default, dev +cli"
run "$PYLOCK" list --json "$P"
check_contains "list --json too" "$out" '"groups": "default, dev"'
printf '[project]\nname = "grouped"\n[tool.pylock]\ngroups = ["default", "docs"]\n' > "$P/pyproject.toml"
check_exit "a [tool.pylock] group the lock lacks is refused" 2 "$PYLOCK" sync
check_contains "at its place in pyproject.toml" "$err" "$P/pyproject.toml:4:22: group 'docs' is not one of the lock's"
printf '[project]\nname = "grouped"\n[tool.pylock]\ngroups = "dev"\n' > "$P/pyproject.toml"
check_exit "groups that are not an array are refused" 2 "$PYLOCK" sync
check_contains "said so" "$err" "pyproject.toml:4:10: [tool.pylock] groups must be an array of names"

done_testing
