#!/bin/sh
# State is never stale: rows follow their locks and git by themselves
# (inotify on the projects on screen), a sync leaves the row and the Info
# tab saying what pylock status says, choices in the Conflicts tab survive
# a reread, and a root that cannot be opened is said with what to do.
. "$srcdir/tests/tui/lib.sh"

C="$WS/projects/clean-app"
start
until_shown "4 projects" > /dev/null
check_contains "clean-app starts clean" "$(line_of clean-app)" "clean"
# No key pressed from here: the rows follow the files.
echo "# edited behind the UI's back" >> "$C/pylock.toml"
check_exit "an edited lock shows as modified by itself" 0 \
	wait_for sh -c "tmux -L '$sock' capture-pane -p -t ui | grep clean-app | grep -q modified"
git -C "$C" add pylock.toml
check_exit "git add: staged, from the index" 0 \
	wait_for sh -c "tmux -L '$sock' capture-pane -p -t ui | grep clean-app | grep -q staged"
git -C "$C" -c user.name=t -c user.email=t@t commit -qm edit
check_exit "git commit: clean again" 0 \
	wait_for sh -c "tmux -L '$sock' capture-pane -p -t ui | grep clean-app | grep -q ' clean '"
keys :
check_exit "the log says what was reread and why" 0 until_shown "reread clean-app (it changed on disk)"
keys q

# After a sync the row and the Info tab agree with pylock status.
keys g 4 s
check_exit "a sync" 0 until_shown "synced clean-app"
status=$(PYLOCK_HOME="$PYLOCK_HOME" "$PYLOCK" status "$C" | sed -n 's/^env *\([a-z-]*\).*/\1/p')
check_equal "pylock status says built" "$status" "built"
check_contains "so does the row" "$(line_of clean-app)" "built"
check_contains "and the Info tab" "$(screen)" "environment  built"

# Conflict choices survive a change on disk in the project.
keys j 3 Tab o
check_exit "a choice made" 0 until_shown "1 to choose"
touch "$WS/projects/conflicted-app/pyproject.toml"
echo "# touched" >> "$WS/projects/conflicted-app/pyproject.toml"
sleep 1.5
check_contains "the choice is still there after the reread" "$(screen)" "1 to choose"
keys Escape
sleep 1

# A root that is not there: said on the status line with the way out.
ROOT="$T/no-such-folder" start
check_exit "a missing root is a warning with what to do" 0 until_shown "run pylock ui DIR, or set roots: in config.yaml"
check_contains "the list says none were found" "$(screen)" "projects (none found)"
keys :
check_exit "the whole warning is in the log, wrapped" 0 until_shown "cannot open root: No such file or directory"

done_testing
