#!/bin/sh
# The Packages tab's lock actions, through the engine's relock on a thread:
# L relocks, a adds a requirement, x removes one, U upgrades; the status
# line says what changed in the lock, as pylock diff words it.
. "$srcdir/tests/tui/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || { skip "lock from the UI" "needs Debian's python3"; done_testing; exit; }
L="$T/lockws"
mkdir -p "$L/lockapp" "$T/lockhome/config"
printf '{"alpha": {"1.0": {}, "2.0": {}}, "beta": {"1.0": {}, "2.0": {}}}\n' > "$T/spec.json"
$PY "$SRC/tests/tools/make-index.py" "$T/idx" "$T/spec.json"
printf '[project]\nname = "lockapp"\nversion = "1"\ndependencies = ["alpha"]\n' > "$L/lockapp/pyproject.toml"
export PYLOCK_HOME="$T/lockhome"
printf 'python: %s\n' "$PY" > "$PYLOCK_HOME/config/config.yaml"
printf 'mode: warn\nregistries:\n  - {name: local, url: "file://%s/idx/simple"}\n' "$T" > "$PYLOCK_HOME/config/policy.yaml"

ROOT="$L" start
until_shown "lockapp" > /dev/null
tm resize-window -t ui -x 160 -y 30
keys L
check_exit "L makes the lock of a project that has none" 0 until_shown "locked lockapp: "
check_contains "and says what it added" "$(screen)" "added alpha 2.0"
check_exit "the lock is on disk" 0 test -f "$L/lockapp/pylock.toml"
keys 1
check_exit "the Packages tab shows it" 0 until_shown "2.0"

keys a
until_shown "add requirement:" > /dev/null
keys "beta<2" Enter
check_exit "a adds a requirement and relocks" 0 until_shown "added beta 1.0"
check_contains "into pyproject.toml" "$(cat "$L/lockapp/pyproject.toml")" '"beta<2"'

keys a
until_shown "add requirement:" > /dev/null
keys "alpha>=9" Enter
check_exit "what cannot be locked says why" 0 until_shown "no solution for lockapp"
check_contains "and leaves pyproject.toml as it was" "$(screen)" "pyproject.toml left as it was"
check_not_contains "(it was)" "$(cat "$L/lockapp/pyproject.toml")" "alpha>=9"

keys x
until_shown "remove requirement:" > /dev/null
keys "beta" Enter
check_exit "x removes a requirement and relocks" 0 until_shown "removed beta 1.0"

printf '{"alpha": {"1.0": {}, "2.0": {}, "3.0": {}}, "beta": {"1.0": {}, "2.0": {}}}\n' > "$T/spec.json"
$PY "$SRC/tests/tools/make-index.py" "$T/idx" "$T/spec.json"
keys L
check_exit "a relock keeps what is locked" 0 until_shown "pylock.toml is up to date"
keys U
check_exit "U upgrades" 0 until_shown "upgraded alpha 2.0 -> 3.0"

done_testing
