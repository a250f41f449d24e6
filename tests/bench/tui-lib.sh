# The terminal UI's benchmarks share this: a scratch home and git identity,
# and the UI run in a tmux pane of its own, timing itself (PYLOCK_UI_BENCH).
command -v tmux > /dev/null || { echo "$bench_name: skipped (no tmux)"; exit 0; }
tmp=$(mktemp -d)
sock="pylock-bench-$$"
trap 'tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
export HOME="$tmp/home" GIT_CONFIG_NOSYSTEM=1 PYLOCK_HOME="$tmp/pylock"
export GIT_AUTHOR_NAME=b GIT_AUTHOR_EMAIL=b@b GIT_COMMITTER_NAME=b GIT_COMMITTER_EMAIL=b@b
mkdir -p "$HOME"

# tui_runs MODE ROOT RUNS [fresh]: the UI's own figures, one line per run,
# in $tmp/results; with fresh, each run starts without PYLOCK_HOME (caches
# cold). Each run on a tmux server of its own: one being killed may refuse
# a new session for a moment, which stopped make bench.
tui_runs() {
	: > "$tmp/results"
	for _r in $(seq "$3"); do
		[ "${4:-}" = fresh ] && rm -rf "$PYLOCK_HOME"
		rm -f "$tmp/out"
		sock="pylock-bench-$$-$_r"
		tmux -L "$sock" -f /dev/null new-session -d -x 120 -y 40 \
			"env PYLOCK_UI_BENCH=$1 TERM=xterm-256color LANG=C.UTF-8 '$builddir/pylock-ui' '$2' 2> '$tmp/out.tmp'; mv '$tmp/out.tmp' '$tmp/out'"
		_i=0
		while [ ! -s "$tmp/out" ] && [ $_i -lt 300 ]; do sleep 0.1; _i=$((_i + 1)); done
		[ -s "$tmp/out" ] || { echo "$bench_name: the UI gave no figures in 30 s (run $_r)" >&2; exit 1; }
		cat "$tmp/out" >> "$tmp/results"
		tmux -L "$sock" kill-server 2>/dev/null || true
		sleep 0.2
	done
}
