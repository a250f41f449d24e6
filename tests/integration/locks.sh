#!/bin/sh
# Named locks (pylock.NAME.toml, PEP 751): --lock NAME or a lock's path on
# every project command, one environment and one record for each, and a
# project with several locks asks which.
. "$srcdir/tests/integration/lib.sh"

SRC=$(cd "$srcdir" && pwd)
PY=/usr/bin/python3
[ -x "$PY" ] || { skip "named locks" "needs Debian's python3"; done_testing; exit; }
P="$T/proj"
mkdir -p "$P" "$PYLOCK_HOME/config" "$T/w"
printf 'mode: warn\n' > "$PYLOCK_HOME/config/policy.yaml"
printf 'python: %s\n' "$PY" > "$PYLOCK_HOME/config/config.yaml"
prod=$($PY "$SRC/tests/tools/make-wheel.py" "$T/w" prodlib 1.0 good 1)
dev=$($PY "$SRC/tests/tools/make-wheel.py" "$T/w" devlib 2.0 good 1)
printf '[project]\nname = "multi"\n' > "$P/pyproject.toml"
sh "$SRC/scripts/wheel-lock.sh" "$dev" > "$P/pylock.dev.toml"
cd "$P" || exit 1

check_exit "a project whose only lock is pylock.dev.toml syncs it" 0 "$PYLOCK" sync
dev_id=$out
check_exit "and runs in it" 0 "$PYLOCK" run -- python -c 'import devlib'
check_exit "status finds it" 0 "$PYLOCK" status
check_contains "and names it" "$out" "pylock.dev.toml"
check_exit "show finds it too" 0 "$PYLOCK" show
check_contains "listing its package" "$out" "devlib"

sh "$SRC/scripts/wheel-lock.sh" "$prod" > "$P/pylock.prod.toml"
check_exit "with two named locks, sync asks which" 2 "$PYLOCK" sync
check_contains "naming both" "$err" "several locks (pylock.dev.toml, pylock.prod.toml): choose one with --lock NAME"
check_exit "so do run" 2 "$PYLOCK" run -- true
check_exit "and show" 2 "$PYLOCK" show
check_exit "--lock prod syncs pylock.prod.toml" 0 "$PYLOCK" sync --lock prod
prod_id=$out
check_exit "an environment of its own" 1 test "$prod_id" = "$dev_id"
check_exit "run --lock prod uses it" 0 "$PYLOCK" run --lock prod -- python -c 'import prodlib'
check_exit "run --lock dev the other" 0 "$PYLOCK" run --lock dev -- python -c 'import devlib'
check_exit "status --lock dev is still built (each lock has its own record)" 0 "$PYLOCK" status --lock dev
check_contains "with its own env-id" "$out" "built $dev_id"
check_exit "status --lock prod too" 0 "$PYLOCK" status --lock prod
check_exit "a lock's file name works as --lock" 0 "$PYLOCK" verify --lock pylock.prod.toml
check_exit "a lock's path names its project and itself" 0 "$PYLOCK" status "$P/pylock.dev.toml"
check_contains "that lock" "$out" "built $dev_id"
check_exit "show --lock dev" 0 "$PYLOCK" show --lock dev
check_contains "shows that lock" "$out" "devlib"
check_exit "an unknown lock is an input error" 2 "$PYLOCK" sync --lock staging
check_contains "listing the project's locks" "$err" "no such lock in this project (it has: pylock.dev.toml, pylock.prod.toml)"
check_exit "a lock name with a slash is refused" 2 "$PYLOCK" sync --lock ../x
mkdir -p "$T/other" && cp "$P/pylock.prod.toml" "$T/other/pylock.prod.toml"
check_exit "another folder's lock is not this project's" 2 "$PYLOCK" sync --lock "$T/other/pylock.prod.toml"
check_contains "said so" "$err" "is not a lock of the project in $P"

# git: diff and resolve take --lock.
export HOME="$T/home" GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t
mkdir -p "$HOME"
git init -q -b main && git add -A && git commit -qm one
sh "$SRC/scripts/wheel-lock.sh" "$dev" "$prod" > "$P/pylock.dev.toml"
check_exit "diff --lock dev shows that lock's change" 0 "$PYLOCK" diff --lock dev
check_contains "an added package" "$out" "added      prodlib 1.0"
check_exit "diff --lock prod has none" 0 "$PYLOCK" diff --lock prod --exit-code
check_exit "diff without --lock asks which" 2 "$PYLOCK" diff
run "$PYLOCK" list "$P"
check_contains "list has a row for each lock, with its own git state" "$(echo "$out" | grep '^multi \[dev\]')" "modified"
check_contains "the other's" "$(echo "$out" | grep '^multi \[prod\]')" "clean"
check_contains "and its own environment's" "$(echo "$out" | grep '^multi \[prod\]')" "built"
run "$PYLOCK" list --json "$P"
check_contains "list --json names the lock" "$out" '"lock_name": "dev"'

# gc keeps each lock's environment, and lets a deleted lock's go.
check_exit "gc" 0 "$PYLOCK" gc
check_exit "keeps the dev lock's environment" 0 test -d "$PYLOCK_HOME/data/envs/$dev_id"
check_exit "and the prod lock's" 0 test -d "$PYLOCK_HOME/data/envs/$prod_id"
rm "$P/pylock.prod.toml"
check_exit "gc after pylock.prod.toml is deleted" 0 "$PYLOCK" gc
check_exit "removes its environment" 1 test -d "$PYLOCK_HOME/data/envs/$prod_id"
check_exit "and keeps the other's" 0 test -d "$PYLOCK_HOME/data/envs/$dev_id"

done_testing
