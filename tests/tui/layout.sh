#!/bin/sh
# Help, resizes down to 60x15, the C locale, themes and NO_COLOR, a
# broken theme, and a crash that restores the terminal.
. "$srcdir/tests/tui/lib.sh"

start
until_shown "4 projects" > /dev/null
# Help, from the keymap.
keys '?'
check_exit "? shows the keys" 0 until_shown "pylock keys"
check_contains "the list's keys first" "$(screen | sed -n 2p)" "Move up"
check_contains "and says there are more" "$(screen | tail -1)" "more below"
keys G
check_exit "the other tabs' keys below, marked as such" 0 until_shown "Conflicts: keep ours (in the Conflicts tab)"
check_contains "under a heading" "$(screen)" "elsewhere:"
check_contains "the end said" "$(screen | tail -1)" "end of the keys"
keys q
check_exit "and q closes it" 0 until_shown "4 projects"

# Resize down to 60x15: everything still fits, cut with an ellipsis.
mkdir -p "$WS/projects/a-project-with-a-name-far-too-long-to-fit-in-the-list"
printf '[project]\nname = "a-project-with-a-name-far-too-long-to-fit-in-the-list"\n' \
	> "$WS/projects/a-project-with-a-name-far-too-long-to-fit-in-the-list/pyproject.toml"
start
until_shown "5 projects"
tm resize-window -t ui -x 60 -y 15
sleep 0.5
check_equal "at 60x15 the screen has 15 lines" "$(screen | wc -l)" 15
check_equal "none wider than 60 columns" "$(screen | sed 's/…/~/g' | awk '{ if (length($0) > 60) n++ } END { print n + 0 }')" 0
check_exit "long names are cut with an ellipsis" 0 sh -c "tmux -L '$sock' capture-pane -p -t ui | grep -q 'a-project-with-a[a-z-]*…'"
check_contains "the status line is still there" "$(screen | tail -1)" "q quit"
tm resize-window -t ui -x 100 -y 30
check_exit "growing back re-lays out" 0 until_shown "1 Packages  2 Diff  3 Conflicts  4 Info"
keys q
sleep 0.3
check_not_contains "q quits" "$(screen)" "projects"

# The C locale: no UTF-8, the ellipsis is "~".
start LANG=C LC_ALL=C
until_shown "5 projects"
tm resize-window -t ui -x 60 -y 15
sleep 0.5
check_exit "in the C locale long names end with ~" 0 sh -c "tmux -L '$sock' capture-pane -p -t ui | grep -q 'a-project-with-a[a-z-]*~'"

# Colours: the mono theme and NO_COLOR use attributes, never colours.
colours() { tm capture-pane -e -p -t ui | grep -c "$(printf '\033')\[[0-9;]*3[0-7]m\|38;5"; }
start
until_shown "5 projects"
check_exit "the default theme uses colours" 0 test "$(colours)" -gt 0
start PYLOCK_THEME=mono
until_shown "5 projects"
check_equal "the mono theme uses none" "$(colours)" 0
check_exit "but marks the selection (reverse video)" 0 sh -c "tmux -L '$sock' capture-pane -e -p -t ui | grep -q '\[7m\|;7m\|\[7;'"
start NO_COLOR=1
until_shown "5 projects"
check_equal "NO_COLOR: no colours either" "$(colours)" 0
keys q
start TERM=xterm
check_exit "an 8-colour terminal gets the screen too" 0 until_shown "5 projects"
check_exit "with colours" 0 test "$(colours)" -gt 0
keys t
check_exit "t outside the Conflicts tab says where it acts, and which key is the theme's" 0 \
	until_shown "t acts in the Conflicts tab (3, then Tab); T switches themes"
keys T
check_exit "T switches themes" 0 until_shown "theme "
chosen=$(screen | tail -1 | sed -n 's/.* theme \([a-z0-9_-]*\).*/\1/p')
check_equal "and remembers the choice in the config folder" "$(cat "$PYLOCK_HOME/config/ui-theme")" "$chosen"
keys Z
check_exit "a key with no meaning here says so" 0 until_shown "Z does nothing here (? lists the keys)"
# Ctrl-L: whatever else wrote on the terminal is drawn over.
printf '\033[5;30HGARBAGE-ON-THE-SCREEN' > "$(tm display -p -t ui '#{pane_tty}')"
check_exit "something wrote over the screen" 0 until_shown "GARBAGE-ON-THE-SCREEN"
keys C-l
check_exit "Ctrl-L redraws it away" 0 wait_for sh -c "! tmux -L '$sock' capture-pane -p -t ui | grep -q GARBAGE"
start TERM=xterm
until_shown "5 projects" > /dev/null
keys :
check_exit "the next start has the theme chosen last (the log says so)" 0 \
	until_shown "theme $chosen (chosen last time with T)"
keys q
rm "$PYLOCK_HOME/config/ui-theme"

# A theme of the user's own with a mistake: named with its position, and
# the UI still comes up (attributes only).
mkdir -p "$PYLOCK_HOME/config/themes"
printf 'roles:\n  title: {fg: white}\n  titel: {fg: red}\n' > "$PYLOCK_HOME/config/themes/broken.yaml"
start PYLOCK_THEME=broken
check_exit "a broken theme is reported with line:column" 0 until_shown "broken.yaml:3:3: unknown role 'titel'"
check_exit "and the UI works regardless" 0 until_shown "5 projects"
mkfifo "$PYLOCK_HOME/config/themes/fifo.yaml"
start PYLOCK_THEME=fifo
check_exit "a theme that is a FIFO is refused at once, not waited on" 0 until_shown "fifo.yaml: a FIFO, not a regular file"
check_exit "and the UI comes up" 0 until_shown "5 projects"

# Crashing, the UI leaves the terminal as it found it: out of the
# alternate screen, its drawing gone.
ui_pid=$(pgrep -P "$(tm list-panes -t ui -F '#{pane_pid}')" -f "ui ")
check_exit "the UI's process is found" 0 test -n "$ui_pid"
check_exit "the UI draws on the alternate screen" 0 test "$(tm display-message -p -t ui '#{alternate_on}')" = 1
kill -ABRT "$ui_pid"
check_exit "after SIGABRT the terminal is back on the normal screen" 0 wait_for sh -c "test \"\$(tmux -L '$sock' display-message -p -t ui '#{alternate_on}')\" = 0"

done_testing
