#!/bin/sh
# Issue 20's benchmark: lock a generated index of 300 packages whose four
# app -> lib -> base chains must each be backtracked through 20 versions
# (gen-index.py), with `pylock lock`, beside Debian's pip resolving the same
# requirements on the same file:// index (`pip install --dry-run --report`,
# which also reads PEP 658 metadata files), same run; then a relock that
# changes nothing. Both run from a cold start; the store and metadata cache
# are emptied before each cold pylock run.
set -eu
: "${builddir:=.}" "${srcdir:=.}"
runs=${BENCH_RUNS:-9}
pip_runs=${BENCH_PIP_RUNS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
PY=/usr/bin/python3
reqs=$($PY "$srcdir/tests/bench/gen-index.py" 300 4 "$tmp/spec.json")
$PY "$srcdir/tests/tools/make-index.py" "$tmp/idx" "$tmp/spec.json"
mkdir -p "$tmp/proj" "$tmp/home/config"
{
	printf '[project]\nname = "bench"\nversion = "1"\ndependencies = ['
	for r in $reqs; do printf '"%s", ' "$r"; done
	printf ']\n'
} > "$tmp/proj/pyproject.toml"
printf 'mode: warn\n' > "$tmp/home/config/policy.yaml"
printf 'python: %s\n' "$PY" > "$tmp/home/config/config.yaml"
export PYLOCK_HOME="$tmp/home"
run="$builddir/tests/bench/bench-run"
pylock=$(cd "$builddir" && pwd)/pylock
index="file://$tmp/idx/simple"

"$pylock" lock --index "$index" "$tmp/proj" > /dev/null 2> "$tmp/first.err"
set -- $("$run" "$runs" sh -c "rm -rf '$tmp/home/cache/metadata' '$tmp/home/data' '$tmp/proj/pylock.toml' &&
	'$pylock' lock --index '$index' '$tmp/proj' 2>/dev/null")
cold_ms=$1 cold_kb=$3
set -- $("$run" "$runs" sh -c "rm -f '$tmp/proj/pylock.toml' && '$pylock' lock --index '$index' '$tmp/proj' 2>/dev/null")
warm_ms=$1
set -- $("$run" "$runs" sh -c "exec '$pylock' lock --index '$index' '$tmp/proj' 2>/dev/null")
relock_ms=$1
# shellcheck disable=SC2086
set -- $("$run" "$pip_runs" $PY -m pip install --dry-run --ignore-installed --break-system-packages --quiet \
	--no-cache-dir --disable-pip-version-check --report "$tmp/report.json" --index-url "$index" $reqs)
pip_ms=$1 pip_kb=$3
ours=$($PY "$srcdir/tests/tools/lock-check.py" "$tmp/proj/pylock.toml" "$tmp/spec.json" $reqs | tr ' ' '\n' | sort)
theirs=$($PY -c 'import json, sys
for i in json.load(open(sys.argv[1]))["install"]: print(i["metadata"]["name"].lower() + "==" + i["metadata"]["version"])' \
	"$tmp/report.json" | sort)
same=no
[ "$ours" = "$theirs" ] && same=yes
stats=$(sed -n 's/.*(\([0-9]* decisions, [0-9]* conflicts\)).*/\1/p' "$tmp/first.err")

awk -v c="$cold_ms" -v ck="$cold_kb" -v w="$warm_ms" -v r="$relock_ms" -v p="$pip_ms" -v pk="$pip_kb" \
    -v same="$same" -v n="$(echo "$ours" | wc -l)" -v stats="$stats" 'BEGIN {
	printf "lock: 300-package index, 4 chains backtracked through 20 versions each, %d packages locked (%s)\n", n, stats
	printf "  pylock lock, cold store and cache %8.1f ms  %6.1f MB peak\n", c, ck / 1024
	printf "  pylock lock, metadata cached     %8.1f ms\n", w
	printf "  pylock lock, nothing changed     %8.1f ms  (target < 50 ms)\n", r
	printf "  pip install --dry-run --report   %8.1f ms  %6.1f MB peak\n", p, pk / 1024
	printf "  same versions as pip: %s\n", same
	printf "  ratio: pylock is %.1fx faster than pip cold (target 20x), %.1fx with its cache\n", p / c, p / w
}'
