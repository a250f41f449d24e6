#!/bin/sh
# A sandboxed shell from the UI and back; a sync in the background.
. "$srcdir/tests/tui/lib.sh"

start
until_shown "4 projects" > /dev/null
# A shell in the sandbox, then back.
keys g Enter
check_exit "Enter opens a shell in the project's sandbox" 0 until_shown "(pylock:clean-app)"
keys 'echo "inside $PYLOCK_PROJECT"; exit 3' Enter
check_exit "the UI comes back and shows the shell's status" 0 until_shown "shell in clean-app exited with status 3"
check_contains "redrawn" "$(screen | head -1)" "pylock"

# s builds the environment in the background; the list shows it built.
keys 4 s
check_exit "s syncs in the background" 0 until_shown "synced clean-app"
check_contains "the env column says built" "$(line_of clean-app)" "built"

done_testing
