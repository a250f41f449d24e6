#!/bin/sh
# What the UI says and does next: prompts that edit like a shell and never
# block (jobs and resizes go on behind them), the revision per project and
# A..B, results that stay, failed jobs marked on their rows, tagging and
# bulk verify, / on the packages, + to maximise, R to reread, q that asks
# before dropping conflict choices, the focus and the selection visible
# with and without colours; at 80x24 and 120x40.
. "$srcdir/tests/tui/lib.sh"

esc() { keys Escape; sleep 1; }
# The SGR sequence in force where TEXT starts on line N of the screen.
attrs_before() { tm capture-pane -e -p -t ui | sed -n "$1p" | sed "s/$2.*//" | grep -o "$(printf '\033')\[[0-9;]*m" | tail -1; }

for size in 80x24 120x40; do
	TUI_SIZE=$size start
	until_shown "4 projects" > /dev/null
	check_equal "$size: the terminal's size" "$(tm display -p -t ui '#{pane_width}x#{pane_height}')" "$size"
	# The revision prompt, on conflicted-app's Diff tab.
	keys g j 2
	keys R
	check_exit "$size: R in the Diff tab asks the revision" 0 until_shown "(REV or A..B"
	check_contains "$size: it starts empty, HEAD greyed as the default" "$(screen | tail -1)" "): HEAD"
	# Shell keys: Ctrl-W drops a word, Ctrl-U the line, Ctrl-A goes home.
	keys j u n k Space w o r d C-w
	check_contains "$size: Ctrl-W drops the last word" "$(screen | tail -1)" "): junk"
	check_not_contains "$size: (all of it)" "$(screen | tail -1)" "word"
	keys C-u . . H E A D C-a H E A D '~' 1 C-e
	check_contains "$size: Ctrl-U cleared it, Ctrl-A inserted at the start" "$(screen | tail -1)" "): HEAD~1..HEAD"
	keys Enter
	check_exit "$size: A..B compares two revisions" 0 until_shown "1 change from HEAD~1 to HEAD"
	check_contains "$size: the change itself" "$(screen)" "demo-lib"
	# Per project: clean-app still diffs against HEAD; back, the range stays.
	keys k
	check_exit "$size: another project has its own revision" 0 until_shown "0 changes against HEAD"
	keys j
	check_exit "$size: the first keeps its range" 0 until_shown "from HEAD~1 to HEAD"
	keys R
	until_shown "(REV or A..B" > /dev/null
	check_contains "$size: the prompt's default is the project's range" "$(screen | tail -1)" "HEAD~1..HEAD"
	esc
	check_exit "$size: Esc leaves the prompt, nothing changed" 0 until_shown "revision unchanged"

	# Results stay: a verify's result is still there after moving on, the
	# keys beside it.
	keys 1 g v
	check_exit "$size: a verify's result" 0 until_shown "verified clean-app"
	keys j k
	check_contains "$size: stays after other keys" "$(screen | tail -1)" "verified clean-app"
	check_contains "$size: with the keys at its right" "$(screen | tail -1)" "q quit"

	# + maximises the focused pane, Esc or + gives the other back.
	keys +
	check_exit "$size: + hides the detail pane" 1 sh -c "tmux -L '$sock' capture-pane -p -t ui | grep -q '1 Packages'"
	check_contains "$size: the list takes the width" "$(screen | sed -n 3p)" "clean-app"
	keys +
	check_exit "$size: + again brings it back" 0 until_shown "1 Packages"

	# The Packages tab: / filters it, the title counts, Enter opens a
	# package's details, Esc goes back; the focus role moved with Tab.
	focus=$(attrs_before 2 " projects ")
	keys g Tab
	sleep 0.3
	check_equal "$size: the detail pane's active tab takes the focus role" "$(attrs_before 2 " 1 Packages ")" "$focus"
	keys / w h e e Enter
	check_exit "$size: / filters the packages, counted in the tab's title" 0 until_shown "1 of 1"
	keys Enter
	check_exit "$size: Enter opens the package's details" 0 until_shown "wheel 0.38.4  (Esc back to the list)"
	check_contains "$size: with its hashes" "$(screen)" "sha256 "
	esc
	check_exit "$size: Esc goes back to the list" 0 until_shown "1 of 1"
	esc
	check_exit "$size: Esc clears the filter" 0 until_shown "package filter cleared"
	esc
	keys 1

	# Help: what applies here first, "more below" while there is.
	keys '?'
	check_exit "$size: help opens" 0 until_shown "pylock keys"
	check_contains "$size: says more is below" "$(screen | tail -1)" "more below"
	keys G
	check_exit "$size: until the end" 0 until_shown "end of the keys"
	keys q
	until_shown "4 projects" > /dev/null
done

# A prompt never blocks: a verify started just before it finishes behind
# it, and a resize re-lays out the screen, the prompt still open.
keys g a
until_shown "add requirement:" > /dev/null
tm resize-window -t ui -x 100 -y 30
check_exit "a resize behind a prompt re-lays it out" 0 until_shown "1 Packages  2 Diff  3 Conflicts  4 Info"
check_contains "the prompt is still there" "$(screen | tail -1)" "add requirement:"
esc
check_exit "Esc closes it" 0 until_shown "nothing added"
keys j j v a
until_shown "add requirement:" > /dev/null
check_exit "the verify's result reaches the row behind the prompt" 0 \
	wait_for sh -c "tmux -L '$sock' capture-pane -p -t ui | grep 'modified-app' | grep -q 'ok'"
check_contains "while the prompt stays open" "$(screen | tail -1)" "add requirement:"
esc

# A failed job marks its row: tampered-app's sync is refused.
keys G s
check_exit "a failed sync" 0 until_shown "sync tampered-app failed"
check_contains "marks the row with !" "$(line_of tampered-)" "!tampered-"
check_contains "and failed in its environment column" "$(line_of tampered-)" "failed"

# Tagging: Space tags and moves down, v verifies every tagged project.
keys g Space j Space
check_exit "Space tags" 0 until_shown "2 tagged"
check_contains "a tagged row is marked *" "$(line_of clean-app)" "*clean-app"
check_contains "the other too" "$(line_of modified-app)" "*modified-app"
check_contains "an untagged one is not" "$(line_of conflicted-)" " conflicted-"
keys G v
check_exit "v verifies the tagged projects, not the selected one" 0 \
	wait_for sh -c "tmux -L '$sock' capture-pane -p -t ui | grep clean-app | grep -q '3 ok'"
check_exit "both get their result" 0 wait_for sh -c "tmux -L '$sock' capture-pane -p -t ui | grep modified-app | grep -q 'ok'"
check_contains "the tampered one, selected, was not verified" "$(line_of tampered-)" "-      "
keys :
check_exit "the log says how many and how many at a time" 0 until_shown "verify of 2 tagged projects started ("
keys q g Space j Space

# / filters the focused list: in the Packages tab, the packages.
keys g Tab /
until_shown "filter packages:" > /dev/null
keys w h e e
check_exit "/ in the Packages tab filters the packages, the tab's title counts them" 0 until_shown "1 of 1"
check_not_contains "the others are hidden" "$(screen | sed -n '3,$p' | sed '$d' | sed 's/^[^|]*|//')" "pip"
keys Enter
check_contains "Enter keeps it" "$(screen)" "wheel"
esc
check_exit "Esc clears it" 0 until_shown "package filter cleared"
check_contains "the packages are back" "$(screen)" "pip"
esc

# R rereads a project: its lock changed behind the UI's back.
echo "# edited" >> "$WS/projects/clean-app/pylock.toml"
keys g R
check_exit "R rereads the project" 0 until_shown "reread clean-app: lock modified"
check_contains "and its row says so" "$(line_of clean-app)" "modified"

# q with conflict choices not written asks first.
keys j 3 Tab o
sleep 0.5
keys q
check_exit "q asks before dropping the choices" 0 until_shown "1 conflict choice not written: quit anyway? [y/N]"
keys n
check_exit "n keeps the UI" 0 until_shown "not quit"
keys q y
sleep 0.5
check_not_contains "y quits" "$(screen)" "projects"

# The focus: the focused pane's title in the focus role, the other not.
start
until_shown "4 projects" > /dev/null
focus=$(attrs_before 2 " projects ")
keys Tab
sleep 0.3
check_equal "the detail pane's active tab takes the focus role" "$(attrs_before 2 " 1 Packages ")" "$focus"
check_exit "and the list's title leaves it" 1 test "$(attrs_before 2 " projects ")" = "$focus"

# Without colours the selected row is still marked: reverse video.
for how in NO_COLOR=1 TERM=vt100 PYLOCK_THEME=mono; do
	start "$how"
	until_shown "4 projects" > /dev/null
	check_contains "$how: the selected row is in reverse video" \
		"$(tm capture-pane -e -p -t ui | grep -F clean-app | head -1 | od -c | tr -s ' ' | tr -d '\n')" "[ 7 m"
	check_exit "$how: no colour at all" 1 sh -c "tmux -L '$sock' capture-pane -e -p -t ui | grep -q '\[3[0-7]m\|\[4[0-7]m\|\[38;5'"
done

done_testing
