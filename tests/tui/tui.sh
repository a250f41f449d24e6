#!/bin/sh
# The terminal UI driven in tmux (send-keys, capture-pane) over the demo
# workspace's real git repositories: navigation, filter, the Diff tab,
# verify, resolving a real merge conflict end to end, a shell and back,
# resize down to 60x15, the help screen, the mono theme and NO_COLOR.
. "$srcdir/tests/integration/lib.sh"

command -v tmux > /dev/null || { skip "terminal UI" "needs tmux"; done_testing; exit; }
SRC=$(cd "$srcdir" && pwd)
WS="$T/ws"
HOME_DIR=$(sh "$SRC/scripts/demo-workspace.sh" "$WS" "$PYLOCK")
export PYLOCK_HOME="$HOME_DIR"
n=0
sock=
tm() { tmux -L "$sock" "$@"; }

# start [ENV=VALUE...]: the UI in a fresh 100x30 session, on a tmux server
# of its own (a server being killed cannot take a new session at once).
start() {
	[ -n "$sock" ] && tm kill-server 2>/dev/null
	n=$((n + 1))
	sock="pylock-tui-$$-$n"
	on_exit "tmux -L $sock kill-server 2>/dev/null"
	tm -f /dev/null new-session -d -s ui -x 100 -y 30 \
		"env PYLOCK_HOME='$PYLOCK_HOME' SHELL=/bin/sh TERM=xterm-256color LANG=C.UTF-8 $* '$PYLOCK' ui '${ROOT:-$WS/projects}'; sleep 30"
}
screen() { tm capture-pane -p -t ui; }
# until TEXT: waits (10 s at most) for TEXT on the screen.
until_shown() { wait_for sh -c "tmux -L '$sock' capture-pane -p -t ui | grep -qF -- \"\$0\"" "$1"; }
keys() { tm send-keys -t ui "$@"; }
line_of() { screen | grep -F -- "$1" | head -1; }
# The detail pane's first line (the Info tab names the project there).
selected() { screen | sed -n 3p | sed 's/^[^|]*|//'; }
until_selected() { wait_for sh -c "tmux -L '$sock' capture-pane -p -t ui | sed -n 3p | grep -q \"|\$0 *\$\"" "$1"; }

start
check_exit "the UI starts and lists the workspace's projects" 0 until_shown "4 projects"
check_contains "the title names the root" "$(screen | head -1)" "$WS/projects"
check_contains "each project's lock state" "$(line_of conflicted-a)" "conflicted"
check_contains "modified" "$(line_of modified-app)" "modified"
check_contains "the status line shows key hints" "$(screen | tail -1)" "q quit"
check_contains "the Packages tab shows the first project's lock" "$(screen)" "demo-lib"

keys 4
check_exit "4 opens the Info tab for the selection" 0 until_selected clean-app
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

# Verify runs in the background; the tampered package is caught.
keys G 1 v
check_exit "v verifies: the tampered file is a hash mismatch" 0 until_shown "hash-mismatch"
check_contains "and the good one is verified with the demo key's id" "$(line_of 'pip ')" "verified"

# The Conflicts tab checks signatures under the project's own policy, as
# pylock verify does: a project that trusts no key sees the demo key's
# signatures as untrusted-signer there too.
C="$WS/projects/conflicted-app"
cp "$C/pyproject.toml" "$T/pyproject.saved"
printf '[tool.pylock.trust]\nkeys = []\n' >> "$C/pyproject.toml"
keys g j r
check_exit "a project's tightened policy applies in the Conflicts tab" 0 until_shown "untrusted-signer"
check_not_contains "(nothing verified there)" "$(screen)" "verified"
keys Escape
cp "$T/pyproject.saved" "$C/pyproject.toml"

# Resolve the conflicted lock: Esc leaves it untouched, then o and w.
before=$(sha256sum "$C/pylock.toml")
keys g j r
check_exit "r opens the Conflicts tab" 0 until_shown "1 conflict, 1 to choose"
check_contains "base, ours and theirs side by side" "$(screen)" "base"
check_contains "with each side's version" "$(screen)" "ours 1.1"
check_exit "and theirs, in three columns" 0 sh -c "tmux -L '$sock' capture-pane -p -t ui | grep -q '|1\.1 *|2\.0'"
check_contains "and each candidate's signature status" "$(screen)" "verified"
keys t
check_exit "t chooses theirs" 0 until_shown "0 to choose"
keys Escape
check_exit "Esc leaves without writing" 0 until_shown "left the conflicts without writing anything"
check_equal "the lock is untouched" "$(sha256sum "$C/pylock.toml")" "$before"
check_equal "and still conflicted in git" "$(git -C "$C" diff --name-only --diff-filter=U)" "pylock.toml"
keys r o
check_exit "o chooses ours" 0 until_shown "0 to choose"
keys w
check_exit "w asks before writing" 0 until_shown "write and stage pylock.toml? [y/N]"
keys y
check_exit "y writes and stages" 0 until_shown "resolved pylock.toml"
check_equal "git has no conflict left" "$(git -C "$C" diff --name-only --diff-filter=U)" ""
check_exit "the lock is valid" 0 "$PYLOCK" show "$C"
check_contains "with our version" "$out" "1.1"
check_not_contains "no conflict markers" "$(cat "$C/pylock.toml")" "<<<<<<<"

# A shell in the sandbox, then back.
keys Tab g Enter
check_exit "Enter opens a shell in the project's sandbox" 0 until_shown "(pylock:clean-app)"
keys 'echo "inside $PYLOCK_PROJECT"; exit 3' Enter
check_exit "the UI comes back and shows the shell's status" 0 until_shown "shell in clean-app exited with status 3"
check_contains "redrawn" "$(screen | head -1)" "pylock"

# s builds the environment in the background; the list shows it built.
keys 4 s
check_exit "s syncs in the background" 0 until_shown "synced clean-app"
check_contains "the env column says built" "$(line_of clean-app)" "built"

# Help, from the keymap.
keys '?'
check_exit "? shows the keys" 0 until_shown "pylock keys"
check_contains "conflict keys included" "$(screen)" "Conflicts: keep ours"
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
check_exit "t switches themes" 0 until_shown "theme "

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

# What a sandboxed command can write (a lock, pyproject.toml) is drawn as
# text: an escape sequence in it never reaches the terminal (here: it would
# retitle the pane); and the Info tab never runs the [tool.pylock] python
# it names.
ROOT="$T/hostile"
E="$ROOT/evil$(printf '\033]2;retitled\007')"
mkdir -p "$E"
printf '[tool.pylock]\npython = "%s/py"\n' "$ROOT/bin" > "$E/pyproject.toml"
mkdir -p "$ROOT/bin"
printf '#!/bin/sh\ntouch %s/ran\nexec /usr/bin/python3 "$@"\n' "$T" > "$ROOT/bin/py" && chmod 755 "$ROOT/bin/py"
printf 'lock-version = "1.0"\ncreated-by = "t"\n[[packages]]\nname = "x"\nversion = "1.0"\n' > "$E/pylock.toml"
start
check_exit "a hostile project is listed" 0 until_shown "1 project"
keys 1
check_contains "the escape in its folder's name is drawn as ?" "$(screen)" "evil?]2;reti"
keys 1
check_exit "its Packages tab opens" 0 until_shown "x "
check_not_contains "the escape sequence in its name does not retitle the terminal" "$(tm display -p -t ui '#{pane_title}')" "retitled"
keys 4
check_exit "the Info tab says why the interpreter is refused" 0 until_shown "names a path"
check_exit "and never ran it" 1 test -e "$T/ran"
ROOT=

done_testing
