#!/bin/sh
# Issue 5's benchmark: 2,000 repositories under one root, each with a few
# hundred tracked files, one in four a Python project with a lock. Times
# `pylock list` beside a shell baseline (`find -name .git` plus
# `git status --porcelain` per repository), warm page cache, same run.
set -eu
: "${builddir:=.}" "${srcdir:=.}"
repos=${BENCH_REPOS:-2000}
files=${BENCH_FILES:-300}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp/home" GIT_CONFIG_NOSYSTEM=1 PYLOCK_HOME="$tmp/pylock"
export GIT_AUTHOR_NAME=b GIT_AUTHOR_EMAIL=b@b GIT_COMMITTER_NAME=b GIT_COMMITTER_EMAIL=b@b
mkdir -p "$HOME"

# Two templates (plain and Python), committed once, copied with their .git.
for kind in plain python; do
	t="$tmp/template-$kind"
	git init -q -b main "$t"
	mkdir -p "$t/src/pkg" "$t/docs" "$t/tests"
	i=0
	while [ $i -lt "$files" ]; do
		case $((i % 3)) in
		0) echo "x = $i" > "$t/src/pkg/m$i.py" ;;
		1) echo "doc $i" > "$t/docs/d$i.md" ;;
		2) echo "def test_$i(): pass" > "$t/tests/test_$i.py" ;;
		esac
		i=$((i + 1))
	done
	if [ $kind = python ]; then
		printf '[project]\nname = "bench"\nversion = "1.0"\n' > "$t/pyproject.toml"
		python3 "$srcdir/tests/bench/gen-lock.py" 20 1 > "$t/pylock.toml"
	fi
	git -C "$t" add -A
	git -C "$t" commit -qm init
done
mkdir -p "$tmp/root"
i=0
while [ $i -lt "$repos" ]; do
	if [ $((i % 4)) = 0 ]; then kind=python; else kind=plain; fi
	cp -al "$tmp/template-$kind" "$tmp/root/repo$i"	# links: the bench only reads
	i=$((i + 1))
done
cat > "$tmp/baseline.sh" <<'SH'
find "$1" -name .git -prune | while read -r g; do git -C "${g%/.git}" status --porcelain; done
SH
# Warm the page cache and git's index stat data once.
sh "$tmp/baseline.sh" "$tmp/root" > /dev/null
"$builddir/pylock" list "$tmp/root" > /dev/null

run="$builddir/tests/bench/bench-run"
set -- $("$run" "${BENCH_RUNS:-5}" "$builddir/pylock" list "$tmp/root")
ours=$1
set -- $("$run" "${BENCH_BASE_RUNS:-3}" sh "$tmp/baseline.sh" "$tmp/root")
base=$1
found=$("$builddir/pylock" list --json "$tmp/root" | grep -c '"name"')
awk -v o="$ours" -v b="$base" -v n="$repos" -v f="$files" -v found="$found" 'BEGIN {
	printf "list: %d repositories x %d tracked files, %d Python projects found, warm cache, median\n", n, f, found
	printf "  pylock list                      %9.1f ms\n", o
	printf "  find + git status per repository %9.1f ms\n", b
	printf "  ratio: pylock is %.1fx faster than the baseline (target 5x, and under 1000 ms)\n", b / o
}'
