# The terminal UI's tests share this: a demo workspace with real git
# repositories and the UI driven in tmux (send-keys, capture-pane). Each
# scenario (tests/tui/*.sh) sources it and starts the UI itself.
. "$srcdir/tests/integration/lib.sh"

command -v tmux > /dev/null || { skip "terminal UI" "needs tmux"; done_testing; exit; }
SRC=$(cd "$srcdir" && pwd)
WS="$T/ws"
HOME_DIR=$(sh "$SRC/scripts/demo-workspace.sh" "$WS" "$PYLOCK")
export PYLOCK_HOME="$HOME_DIR"
n=0
sock=
tm() { tmux -L "$sock" "$@"; }
# start [ENV=VALUE...]: the UI in a fresh session (100x30, or $TUI_SIZE as
# COLSxLINES), on a tmux server of its own (a server being killed cannot
# take a new session at once).
start() {
	[ -n "$sock" ] && tm kill-server 2>/dev/null
	n=$((n + 1))
	sock="pylock-tui-$$-$n"
	on_exit "tmux -L $sock kill-server 2>/dev/null"
	size=${TUI_SIZE:-100x30}
	tm -f /dev/null new-session -d -s ui -x "${size%x*}" -y "${size#*x}" \
		"env PYLOCK_HOME='$PYLOCK_HOME' SHELL=/bin/sh TERM=xterm-256color LANG=C.UTF-8 $* '$PYLOCK' ui '${ROOT:-$WS/projects}'; sleep 30"
}
# Under the sanitizers the UI's reports go to files (its stderr is the
# pane's): any one of them fails the scenario at its end.
if [ "${SANITIZED:-no}" = yes ]; then
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$T/sanitizer-ui"
	export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$T/sanitizer-ui"
fi
done_testing() {
	if [ "${SANITIZED:-no}" = yes ]; then
		tm kill-server 2>/dev/null
		sleep 0.3
		reports=$(cat "$T"/sanitizer-ui.* 2>/dev/null | head -40)
		if [ -z "$reports" ]; then ok "the UI ran without a sanitizer report"
		else not_ok "the UI ran without a sanitizer report" "$reports"; fi
	fi
	echo "1..$_n"
	[ "$_failed" = 0 ]
}
screen() { tm capture-pane -p -t ui; }
# until TEXT: waits (10 s at most) for TEXT on the screen; prints the
# screen when it never came (check_exit shows it).
until_shown() { wait_for sh -c "tmux -L '$sock' capture-pane -p -t ui | grep -qF -- \"\$0\"" "$1" || { screen; return 1; }; }
keys() { tm send-keys -t ui "$@"; }
line_of() { screen | grep -F -- "$1" | head -1; }
# The detail pane's first line (the Info tab names the project there).
selected() { screen | sed -n 3p | sed 's/^[^|]*|//'; }
until_selected() { wait_for sh -c "tmux -L '$sock' capture-pane -p -t ui | sed -n 3p | grep -q \"|\$0 *\$\"" "$1"; }
