#!/bin/sh
# Issue 8's benchmark: verify a lock of 200 packages totalling 1 GiB
# (ECDSA-signed), with an empty hash cache (page cache warm, both cores) and
# with the cache filled, beside `openssl dgst -sha256` over the same files
# (one process, one core), same run.
set -eu
: "${builddir:=.}" "${srcdir:=.}"
n=${BENCH_FILES:-200}
mb=${BENCH_FILE_MB:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export PYLOCK_HOME="$tmp/home"
mkdir -p "$tmp/proj/dist" "$PYLOCK_HOME/config"
cd "$tmp/proj"
printf '[project]\nname = "bench"\n' > pyproject.toml
"$builddir/pylock" key generate "$tmp/k" > /dev/null
printf 'mode: enforce\nkeys: [{id: k, file: %s/k.pub}]\n' "$tmp" > "$PYLOCK_HOME/config/policy.yaml"
{
	echo "lock-version = '1.0'"
	echo "created-by = 'bench'"
	i=0
	while [ $i -lt "$n" ]; do
		f="dist/p$i-1.0-py3-none-any.whl"
		head -c $((mb * 1024 * 1024)) /dev/urandom > "$f"
		printf "[[packages]]\nname = 'p%d'\nversion = '1.0'\nwheels = [{path = '%s', size = %d, hashes = {sha256 = '%s'}}]\n" \
			"$i" "$f" $((mb * 1024 * 1024)) "$(openssl dgst -sha256 -r "$f" | cut -d' ' -f1)"
		i=$((i + 1))
	done
} > pylock.toml
"$builddir/pylock" sign --key "$tmp/k.key" dist/*.whl > /dev/null
run="$builddir/tests/bench/bench-run"
# Page cache warm for both; the hash cache emptied before each cold run.
cat dist/*.whl > /dev/null
cold=$(for i in 1 2 3 4 5; do rm -rf "$PYLOCK_HOME/cache"; "$run" 1 "$builddir/pylock" verify; done | sort -n | sed -n 3p | cut -d' ' -f1)
one=$(for i in 1 2 3; do rm -rf "$PYLOCK_HOME/cache"; taskset -c 0 "$run" 1 "$builddir/pylock" verify; done | sort -n | sed -n 2p | cut -d' ' -f1)
set -- $("$run" 9 "$builddir/pylock" verify)
warm=$1
set -- $("$run" 5 sh -c 'openssl dgst -sha256 dist/*.whl > /dev/null')
ossl=$1
awk -v c="$cold" -v one="$one" -v w="$warm" -v o="$ossl" -v n="$n" -v mb="$mb" 'BEGIN {
	printf "verify: %d packages, %d MiB, sha256 + ECDSA signature each, page cache warm, median\n", n, n * mb
	printf "  pylock verify, empty hash cache   %8.1f ms\n", c
	printf "  pylock verify, empty cache, 1 core %8.1f ms (taskset -c 0)\n", one
	printf "  pylock verify, hash cache filled  %8.1f ms (target < 50 ms)\n", w
	printf "  openssl dgst -sha256 (one core)   %8.1f ms\n", o
	printf "  ratio: cold pylock is %.2fx faster than openssl (target 1.6x with both cores)\n", o / c
	printf "  ratio: on one core pylock takes %.2fx openssl'"'"'s time (target <= 1.2x)\n", one / o
}'
