#!/bin/sh
# Issue 7's benchmark: semantic diff and 3-way merge of 5,000-package locks
# (~7 MB each) with 10% of packages changed on each side, parsing included,
# beside git's textual `git diff --no-index` and `git merge-file` of the same
# files, same run. Issue 21's: the merge keeps ours' layout (the lines it
# changes against ours, and whether it equals git's line merge of these
# non-overlapping edits).
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

python3 "$srcdir/tests/bench/gen-lock.py" 5000 3 pylock 0.1 5 > "$tmp/theirs.toml"

run="$builddir/tests/bench/bench-run"
set -- $("$run" "$runs" "$builddir/pylock" diff)
ours=$1
set -- $("$run" "$runs" sh -c 'git diff --no-index "$0" "$1" > /dev/null; [ $? -le 1 ]' "$tmp/base.toml" "$tmp/ours.toml")
git_ms=$1
changes=$("$builddir/pylock" diff | tail -1)
# Each merge writes into a fresh copy of ours, as git's merge drivers do.
cat > "$tmp/m-pylock.sh" <<SH
cp "$tmp/ours.toml" "$tmp/m1.toml"
"$builddir/pylock" merge-driver "$tmp/base.toml" "$tmp/m1.toml" "$tmp/theirs.toml" pylock.toml 2>/dev/null
[ \$? -le 1 ]
SH
cat > "$tmp/m-git.sh" <<SH
cp "$tmp/ours.toml" "$tmp/m2.toml"
git merge-file "$tmp/m2.toml" "$tmp/base.toml" "$tmp/theirs.toml"
[ \$? -ge 0 ]
SH
set -- $("$run" "$runs" sh "$tmp/m-pylock.sh")
merge_ours=$1
set -- $("$run" "$runs" sh "$tmp/m-git.sh")
merge_git=$1
set -- $("$run" "$runs" cp "$tmp/ours.toml" "$tmp/m3.toml")
copy=$1
sh "$tmp/m-pylock.sh"
conflicts=$(grep -c '^<<<<<<<' "$tmp/m1.toml" || true)
git_conflicts=$(sh "$tmp/m-git.sh"; grep -c '^<<<<<<<' "$tmp/m2.toml" || true)
kept=$(diff "$tmp/ours.toml" "$tmp/m1.toml" | grep -c '^[<>]' || true)
theirs_lines=$(diff "$tmp/base.toml" "$tmp/theirs.toml" | grep -c '^[<>]' || true)
same_as_git=no
cmp -s "$tmp/m1.toml" "$tmp/m2.toml" && same_as_git=yes
awk -v o="$ours" -v g="$git_ms" -v c="$changes" -v mo="$merge_ours" -v mg="$merge_git" -v cp="$copy" \
    -v k="$conflicts" -v gk="$git_conflicts" -v kept="$kept" -v tl="$theirs_lines" -v same="$same_as_git" 'BEGIN {
	printf "diff: 5000-package locks, 10%% changed (%s), working tree against HEAD, median\n", c
	printf "  pylock diff (reads both locks)   %8.1f ms\n", o
	printf "  git diff --no-index (text)       %8.1f ms\n", g
	printf "  ratio: pylock takes %.2fx git'"'"'s time\n", o / g
	printf "merge: 3-way, 10%% changed on each side, parsing included (copy of ours %.1f ms in both)\n", cp
	printf "  pylock merge-driver              %8.1f ms  (%d conflicting packages)\n", mo, k
	printf "  git merge-file (text)            %8.1f ms  (%d conflict regions)\n", mg, gk
	printf "  ratio: pylock takes %.2fx git'"'"'s time (target <= 1.00)\n", mo / mg
	printf "  layout: the result changes %d lines of ours (theirs changed %d of base); equals git merge-file'"'"'s: %s\n", kept, tl, same
}'
