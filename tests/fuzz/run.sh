#!/bin/sh
# Builds the libFuzzer targets with clang and runs each for FUZZ_SECONDS
# (default 12) from a seed corpus with a fixed random seed (FUZZ_SEED,
# default 1: a finding in CI is reproduced by running longer with the same
# seed; FUZZ_SEED=0 lets libFuzzer pick one, to explore); prints TAP. A crash fails, and its input
# is kept under tests/data/fuzz-found/ to become a regression case.
# Usage: run.sh SRCDIR BUILDDIR
set -u
src=$1 build=$2
secs=${FUZZ_SECONDS:-12}
seed=${FUZZ_SEED:-1}
out="$build/fuzz"
mkdir -p "$out"
n=0 failed=0
cflags="-g -O1 -fsanitize=fuzzer,address,undefined -I$src/src -I$build"
engine="$src/src/util.c $src/src/dl.c $src/src/toml.c $src/src/toml-scalar.c $src/src/toml-write.c
$src/src/pep440.c $src/src/pep508.c $src/src/lock.c $src/src/lock-write.c $src/src/lock-update.c $src/src/lock-style.c"

# The index target needs the registry and what it links (libcurl is loaded
# at run time, for URL resolution).
index_engine="$src/src/registry.c $src/src/store.c $src/src/trust.c $src/src/yamlconf.c
$(pkg-config --cflags libcurl jansson yaml-0.1) $(pkg-config --libs jansson yaml-0.1) -ldl -lpthread"

# The wheel target zips its input with libzip and installs it (wheel.c
# loads libzip and libcrypto at run time); the YAML one needs libyaml only.
wheel_engine="$src/src/wheel.c $src/src/trust.c $src/src/yamlconf.c
$(pkg-config --cflags --libs libzip jansson yaml-0.1) -ldl -lpthread"
yaml_engine="$(pkg-config --cflags --libs yaml-0.1) -lpthread"
# The Sigstore target reads the built-in root (generated into the build's
# src/) and loads libcrypto at run time.
sigstore_engine="$src/src/sigstore-root.c $src/src/sigstore-bundle.c $src/src/sigstore-log.c
$src/src/sigstore-cert.c $src/src/sigstore-verify.c $src/src/sigstore-time.c -I$build/src $(pkg-config --cflags --libs jansson) -ldl -lpthread"

for target in toml lock index wheel yaml sigstore pyproject uvlock import; do
	n=$((n + 1))
	bin="$out/fuzz-$target"
	extra=
	case $target in
	index) extra=$index_engine ;;
	wheel) extra=$wheel_engine ;;
	yaml) extra="$src/src/yamlconf.c $yaml_engine" ;;
	sigstore) extra=$sigstore_engine ;;
	pyproject) extra="$src/src/metadata.c $src/src/pyedit.c" ;;
	uvlock | import) extra="$src/src/lockimport-uv.c $src/src/lockimport-graph.c $src/src/lockimport-walk.c
$src/src/lockimport-index.c $src/src/lockimport-req.c $src/src/lockimport-pdm.c $src/src/lockimport-poetry.c
$index_engine" ;;
	lock) extra="$src/src/lockdiff.c $src/src/lockdiff-merge.c $src/src/gitrepo.c -ldl -lpthread" ;;
	esac
	# shellcheck disable=SC2086
	if ! clang $cflags -o "$bin" "$src/tests/fuzz/fuzz-$target.c" $engine $extra -lm 2>"$out/$target.build.log"; then
		echo "not ok $n - fuzz-$target builds"
		sed 's/^/#   /' "$out/$target.build.log" | head -20
		failed=$((failed + 1))
		continue
	fi
	corpus="$out/corpus-$target"
	mkdir -p "$corpus"
	if [ -d "$src/tests/data/fuzz-$target" ]; then
		cp "$src/tests/data/fuzz-$target"/* "$corpus"/
	else
		cp "$src"/tests/data/toml-test/tests/valid/*.toml "$src"/tests/data/*.toml "$corpus"/ 2>/dev/null
	fi
	cp "$src"/tests/data/fuzz-regressions/* "$corpus"/ 2>/dev/null
	found="$src/tests/data/fuzz-found"
	if "$bin" -seed="$seed" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$out/crash-$target-" "$corpus" >"$out/$target.log" 2>&1; then
		runs=$(grep -o 'Done [0-9]* runs' "$out/$target.log" | tail -1)
		echo "ok $n - fuzz-$target for ${secs}s without a finding ($runs)"
	else
		failed=$((failed + 1))
		echo "not ok $n - fuzz-$target found a crash"
		grep -E 'ERROR|SUMMARY|Test unit written' "$out/$target.log" | head -10 | sed 's/^/#   /'
		mkdir -p "$found"
		cp "$out"/crash-"$target"-* "$found"/ 2>/dev/null
	fi
done
echo "1..$n"
[ "$failed" = 0 ]
