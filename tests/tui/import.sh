#!/bin/sh
# A project whose only lock is uv.lock: the list says so, i imports it on a
# thread, and the row becomes pylock.toml's. Then one with a hashed
# requirements.txt, whose files i finds on the index the file names.
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

R="$T/reqws"
mkdir -p "$R/reqapp"
python3 "$SRC/tests/tools/mirror-index.py" "$T/mirror" "$SRC/tests/data/import-locks/pdm-streamlet/pdm.lock"
printf -- '-i file://%s/mirror/simple\ncfgv==3.5.0 \\\n    --hash=sha256:%s\n' "$T" \
	a8dc6b26ad22ff227d2634a65cb388215ce6cc96bbcc5cfde7641ae87e8dacc0 > "$R/reqapp/requirements.txt"
ROOT="$R" start
check_exit "a folder with only requirements.txt is listed" 0 until_shown "reqapp"
check_contains "LOCK says requirements (cut to its column)" "$(line_of reqapp)" "requireme…"
check_contains "the list's title counts" "$(screen)" "projects  1 of 1"
keys 4
check_exit "Info says plainly there is no lock yet, and what makes one" 0 \
	until_shown "lock         none yet: i imports requirements"
check_not_contains "never a count of -1" "$(screen)" "-1 packages"
keys Escape
sleep 1
keys i
check_exit "i imports it, its file found on the index by hash" 0 \
	until_shown "imported requirements.txt into pylock.toml (1 packages)"
check_contains "with the index's URL" "$(cat "$R/reqapp/pylock.toml")" "url = \"file://$T/mirror/files/cfgv-3.5.0-py2.py3-none-any.whl\""

# A refusal names the file: cut to its last folders on the status line,
# whole in the log.
B="$T/badws"
mkdir -p "$B/badreq"
printf 'foo>=1 --hash=sha256:%064d\n' 0 > "$B/badreq/requirements.txt"
ROOT="$B" start
check_exit "a project whose requirements are not pinned" 0 until_shown "badreq"
keys i
check_exit "i says why, the path cut to fit" 0 until_shown "…/badreq/requirements.txt:1:1: foo: not pinned"
check_not_contains "no machine path on the status line" "$(screen | tail -1)" "$T"
check_not_contains "no pylock: prefix" "$(screen | tail -1)" "pylock:"
keys :
check_exit "the log has the whole path" 0 until_shown "$B/badreq/requirements.txt:1:1"

done_testing
