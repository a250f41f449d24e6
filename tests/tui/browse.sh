#!/bin/sh
# Browsing: the list of the workspace's projects, navigation, the filter,
# the Diff tab against HEAD and another revision.
. "$srcdir/tests/tui/lib.sh"

start
check_exit "the UI starts and lists the workspace's projects" 0 until_shown "4 projects"
check_contains "the title names the root" "$(screen | head -1)" "$WS/projects"
check_contains "each project's lock state" "$(line_of conflicted-)" "conflicted"
check_contains "modified" "$(line_of modified-app)" "modified"
check_contains "the status line shows key hints" "$(screen | tail -1)" "q quit"
check_contains "the list's, most needed first" "$(screen | tail -1)" "q quit  ? help  Enter shell  : log  / filter"
check_contains "the Packages tab shows the first project's lock" "$(screen)" "demo-lib"

keys 4
check_exit "4 opens the Info tab for the selection" 0 until_selected clean-app
check_exit "it names the groups and extras the environment holds" 0 until_shown "selection    no groups; no extras"
keys j
check_exit "j moves to the next project" 0 until_selected conflicted-app
keys G
check_exit "G goes to the last" 0 until_selected tampered-app
keys g
check_exit "g to the first" 0 until_selected clean-app

keys / m o d
check_exit "/ filters as you type" 0 until_shown "filter: mod"
check_not_contains "other projects are hidden" "$(screen | sed -n '3,$p' | cut -c1-40)" "clean-app"
keys Enter
check_exit "the filtered project is selected" 0 until_selected modified-app
keys 2
check_exit "2: the Diff tab against HEAD" 0 until_shown "changes against HEAD"
check_contains "a removed package" "$(screen)" "removed    wheel"
check_contains "an added one" "$(screen)" "added      demo-tool"
check_contains "an upgrade" "$(screen)" "upgraded   demo-lib 1.0 -> 1.1"
keys R BSpace BSpace BSpace BSpace
keys main Enter
check_exit "R diffs against another revision" 0 until_shown "changes against main"
keys / Escape
check_exit "Esc clears the filter" 0 until_shown "clean-app"

# A project with a named lock beside its pylock.toml has a row for each.
cp "$WS/projects/clean-app/pylock.toml" "$WS/projects/clean-app/pylock.dev.toml"
start
check_exit "a second lock is a second row" 0 until_shown "5 projects"
check_exit "named by its lock (cut to the column)" 0 until_shown "clean-app ["
check_contains "with its own git state (untracked)" "$(line_of 'clean-app [')" "untracked"
tm resize-window -t ui -x 200 -y 30
keys 4 j
check_exit "its Info tab is that lock's" 0 until_shown "clean-app/pylock.dev.toml"
keys s
check_exit "s syncs that lock" 0 until_shown "synced clean-app [dev]"
check_contains "and its row says built" "$(line_of 'clean-app [')" "built"
check_contains "the other lock's row is not" "$(line_of 'clean-app  ')" " - "

done_testing
