#!/bin/sh
# Issue 7's benchmark, the part that exists: semantic diff of two
# 5,000-package locks (~7 MB each) with 10% of packages changed, parsing
# included, beside git's textual `git diff --no-index` of the same files,
# same run. (The 3-way merge beside `git merge-file` comes with the merge.)
set -eu
: "${builddir:=.}" "${srcdir:=.}"
runs=${BENCH_RUNS:-9}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp" GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=b GIT_AUTHOR_EMAIL=b@b GIT_COMMITTER_NAME=b GIT_COMMITTER_EMAIL=b@b
mkdir -p "$tmp/repo"
cd "$tmp/repo"
git init -q -b main
python3 "$srcdir/tests/bench/gen-lock.py" 5000 3 pylock > pylock.toml
git add pylock.toml
git commit -qm base
cp pylock.toml "$tmp/base.toml"
python3 "$srcdir/tests/bench/gen-lock.py" 5000 3 pylock 0.1 0 > pylock.toml
cp pylock.toml "$tmp/ours.toml"

run="$builddir/tests/bench/bench-run"
set -- $("$run" "$runs" "$builddir/pylock" diff)
ours=$1
set -- $("$run" "$runs" sh -c 'git diff --no-index "$0" "$1" > /dev/null; [ $? -le 1 ]' "$tmp/base.toml" "$tmp/ours.toml")
git_ms=$1
changes=$("$builddir/pylock" diff | tail -1)
awk -v o="$ours" -v g="$git_ms" -v c="$changes" 'BEGIN {
	printf "diff: 5000-package locks, 10%% changed (%s), working tree against HEAD, median\n", c
	printf "  pylock diff (reads both locks)   %8.1f ms\n", o
	printf "  git diff --no-index (text)       %8.1f ms\n", g
	printf "  ratio: pylock takes %.2fx git'"'"'s time\n", o / g
}'
