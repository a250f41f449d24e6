#!/bin/sh
# Issue 4's benchmark: read + validate a generated pylock.toml of 5,000
# packages x 3 wheels (`pylock show`, process start included) beside
# python3's tomllib.load of the same file (interpreter start included), same run.
set -eu
: "${builddir:=.}" "${srcdir:=.}"
runs=${BENCH_RUNS:-15}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$srcdir/tests/bench/gen-lock.py" 5000 3 > "$tmp/pylock.toml"
size=$(stat -c %s "$tmp/pylock.toml")
run="$builddir/tests/bench/bench-run"

set -- $("$run" "$runs" "$builddir/pylock" show "$tmp/pylock.toml")
ours_ms=$1 ours_kb=$3
set -- $("$run" "$runs" "$builddir/pylock" show --json "$tmp/pylock.toml")
json_ms=$1 json_kb=$3
set -- $("$run" "$runs" python3 -c 'import sys, tomllib; tomllib.load(open(sys.argv[1], "rb"))' "$tmp/pylock.toml")
py_ms=$1 py_kb=$3

awk -v size="$size" -v o="$ours_ms" -v ok="$ours_kb" -v p="$py_ms" -v pk="$py_kb" -v j="$json_ms" -v jk="$json_kb" 'BEGIN {
	printf "lock-parse: %.1f MB, 5000 packages x 3 wheels, median of runs, process start included\n", size / 1e6
	printf "  pylock show      %8.1f ms  %7.1f MB peak  (%.0f MB/s)\n", o, ok / 1024, size / 1e6 / (o / 1e3)
	printf "  pylock show --json %6.1f ms  %7.1f MB peak\n", j, jk / 1024
	printf "  python3 tomllib  %8.1f ms  %7.1f MB peak\n", p, pk / 1024
	printf "  ratio: pylock is %.1fx faster than tomllib (target 20x), memory %.2fx\n", p / o, ok / pk
	printf "  ratio: show --json is %.1fx faster than tomllib loading the file (target 20x)\n", p / j
}'
