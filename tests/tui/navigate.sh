#!/bin/sh
# Home, End, PgUp and PgDn in the project list, the Packages tab and help,
# as tmux sends them (\e[1~ and \e[4~, whatever TERM says): 40 projects,
# a lock of 100 packages.
. "$srcdir/tests/tui/lib.sh"

ROOT="$T/many"
for i in $(seq -w 1 40); do
	mkdir -p "$ROOT/proj-$i"
	git -C "$ROOT/proj-$i" init -q -b main
	printf '[project]\nname = "proj-%s"\n' "$i" > "$ROOT/proj-$i/pyproject.toml"
done
python3 "$SRC/tests/bench/gen-lock.py" 100 1 > "$ROOT/proj-01/pylock.toml"
export ROOT
title() { screen | sed -n 2p; }
# The list's rows on screen: the page PgDn moves by.
page=$((30 - 4))

start
check_exit "40 projects" 0 until_shown "40 projects"
keys 4 End
check_exit "End goes to the last project" 0 until_selected proj-40
check_contains "the title counts it" "$(title)" "projects  40 of 40"
keys Home
check_exit "Home to the first" 0 until_selected proj-01
keys PPage
sleep 0.3
check_exit "PgUp on the first stays there" 0 until_selected proj-01
keys NPage
check_exit "PgDn moves down a page" 0 until_selected "proj-$((1 + page))"
keys NPage
check_exit "the next page ends at the last" 0 until_selected proj-40
keys PPage
check_exit "PgUp moves up a page" 0 until_selected "proj-$((40 - page))"

# The Packages tab of the lock of 100, with the focus in it.
keys Home 1 Tab End
check_exit "End in the Packages tab: the last package" 0 until_shown "100 of 100"
check_contains "which is on screen" "$(screen)" "package-00099"
keys Home
check_exit "Home: the first" 0 until_shown "1 of 100"
check_contains "on screen again" "$(screen)" "package-00000"
keys NPage
check_exit "PgDn: a page further" 0 until_shown "$((1 + page)) of 100"
keys PPage
check_exit "PgUp: back" 0 until_shown "1 of 100"
keys Escape
sleep 1

# Help at 80x24 is longer than the screen: End shows its end, Home its top.
tm resize-window -t ui -x 80 -y 24
keys '?'
check_exit "help says there is more" 0 until_shown "more below"
keys End
check_exit "End shows the end of the keys" 0 until_shown "end of the keys"
keys Home
check_exit "Home its top" 0 until_shown "more below"
check_contains "the first key first" "$(screen | sed -n 2p)" "Move up"

done_testing
