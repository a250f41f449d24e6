#!/bin/sh
# A project whose only lock is uv.lock: the list says so, i imports it on a
# thread, and the row becomes pylock.toml's.
. "$srcdir/tests/tui/lib.sh"

I="$T/importws"
mkdir -p "$I/uvapp" "$T/importhome/config"
cp "$SRC/tests/data/uv-locks/uv-project-template/uv.lock" "$I/uvapp/"
printf '[project]\nname = "uvapp"\nversion = "0.1.0"\n' > "$I/uvapp/pyproject.toml"
export PYLOCK_HOME="$T/importhome"
ROOT="$I" start
check_exit "the list shows the project" 0 until_shown "uvapp"
check_contains "its LOCK column names the lock it could import" "$(line_of uvapp)" "uv.lock"
keys i
check_exit "i imports it" 0 until_shown "imported uv.lock into pylock.toml (15 packages)"
check_exit "pylock.toml is on disk" 0 test -f "$I/uvapp/pylock.toml"
check_exit "and reads as a lock" 0 "$PYLOCK" show "$I/uvapp"
check_not_contains "the row is the new lock's" "$(line_of uvapp)" "uv.lock"
rm "$I/uvapp/uv.lock"
keys i
check_exit "i on a project with nothing to import says so" 0 until_shown "uvapp has no uv.lock, poetry.lock, pdm.lock or requirements.txt to import"

done_testing
