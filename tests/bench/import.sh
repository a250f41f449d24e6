#!/bin/sh
# Issue 22's benchmark: `pylock import` of a generated uv.lock of 180
# packages and about 1,900 wheels (~650 KB, gen-uvlock.py), converted and
# read back, beside Python's tomllib merely loading the same file, same run.
set -eu
: "${builddir:=.}" "${srcdir:=.}"
runs=${BENCH_RUNS:-9}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
PY=/usr/bin/python3
mkdir -p "$tmp/proj"
$PY "$srcdir/tests/bench/gen-uvlock.py" 180 > "$tmp/proj/uv.lock"
printf '[project]\nname = "bench-app"\nversion = "0.1.0"\n' > "$tmp/proj/pyproject.toml"
run="$builddir/tests/bench/bench-run"
pylock=$(cd "$builddir" && pwd)/pylock
size=$(wc -c < "$tmp/proj/uv.lock")
wheels=$(grep -c '\.whl"' "$tmp/proj/uv.lock")
packages=$("$pylock" import -o - "$tmp/proj" | grep -c '^\[\[packages\]\]')
set -- $("$run" "$runs" sh -c "exec '$pylock' import -o - '$tmp/proj' > /dev/null")
ours=$1
set -- $("$run" "$runs" $PY -c "import tomllib; tomllib.load(open('$tmp/proj/uv.lock', 'rb'))")
toml=$1
awk -v o="$ours" -v t="$toml" -v s="$size" -v w="$wheels" -v p="$packages" 'BEGIN {
	printf "import: uv.lock of %d bytes, %d wheels -> %d packages, median of runs\n", s, w, p
	printf "  pylock import (convert, read back)  %8.1f ms  (target < 50)\n", o
	printf "  python3 tomllib.load (read only)    %8.1f ms\n", t
	printf "  ratio: pylock takes %.2fx tomllib'"'"'s time\n", o / t
}'
