#!/bin/sh
# Issue 23's Conflicts-tab figure: a lock in merge conflict whose three
# candidates are 40 MB wheels beside it. Timed by the UI itself
# (PYLOCK_UI_BENCH=conflicts): what opening the tab costs the UI thread,
# then until the candidates' signatures arrive from the engine, on a first
# visit (nothing hashed yet) and a second (the hash cache warm). Beside it,
# in the same run, sha256sum of the three files: what every visit cost the
# UI thread when it hashed them itself.
set -eu
: "${builddir:=.}" "${srcdir:=.}"
bench_name=tui-conflicts
. "$srcdir/tests/bench/tui-lib.sh"
r="$tmp/root/app"
git init -q -b main "$r"
mkdir -p "$r/dist"
printf '[project]\nname = "app"\nversion = "1.0"\n' > "$r/pyproject.toml"
lock() {
	w="dist/big-$1-py3-none-any.whl"
	[ -f "$r/$w" ] || head -c 40M /dev/urandom > "$r/$w"
	cat > "$r/pylock.toml" <<TOML
lock-version = '1.0'
created-by = 'bench'

[[packages]]
name = 'big'
version = '$1'
wheels = [{path = '$w', size = $(stat -c %s "$r/$w"), hashes = {sha256 = '$(sha256sum "$r/$w" | cut -d' ' -f1)'}}]
TOML
}
lock 1.0
git -C "$r" add -A && git -C "$r" commit -qm base
git -C "$r" checkout -qb feature
lock 2.0
git -C "$r" add -A && git -C "$r" commit -qm theirs
git -C "$r" checkout -q main
lock 1.1
git -C "$r" add -A && git -C "$r" commit -qm ours
git -C "$r" merge -q feature > /dev/null 2>&1 || true
git -C "$r" diff --name-only --diff-filter=U | grep -q pylock.toml
tui_runs conflicts "$tmp/root" 5 fresh
set -- $("$builddir/tests/bench/bench-run" 5 sh -c "sha256sum '$r'/dist/*.whl > /dev/null")
hash=$1
awk -v hash="$hash" '
	{ open[NR] = $2; cold[NR] = $4; warm[NR] = $6 }
	function median(a, n,   i, j, t) {
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return a[int((n + 1) / 2)]
	}
	END {
		o = median(open, NR); c = median(cold, NR); w = median(warm, NR)
		printf "tui-conflicts: a lock in conflict, three 40 MB candidates beside it, median of %d\n", NR
		printf "  opening the tab (UI thread)         %7.1f ms\n", o
		printf "  signatures shown, first visit       %7.1f ms (in the background)\n", c
		printf "  signatures shown, second visit      %7.1f ms (hash cache warm)\n", w
		printf "  sha256sum of the three files        %7.1f ms (what each visit cost the UI thread before)\n", hash
		printf "  ratio: the UI thread waits %.3fx of that; a second visit shows them in %.3fx\n", o / hash, w / hash
	}' "$tmp/results"
