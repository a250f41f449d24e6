#!/bin/sh
# Builds pylock and runs every test: the normal build's `make check`; the
# same again built with AddressSanitizer + UndefinedBehaviorSanitizer; the
# fuzz targets for FUZZ_SECONDS each (default 12); and `make distcheck` (the
# release tarball builds and passes its unit tests and those that read the
# vendored data). Ends with one line
# "N passed, N failed, N skipped" over all four.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sh scripts/deps.sh --tests || exit 2
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
status=0

stage() {
	name=$1
	shift
	echo "== $name"
	if "$@" > "$logs/$name" 2>&1; then :; else status=1; fi
	cat "$logs/$name"
	grep -q '^[0-9]* passed, [0-9]* failed' "$logs/$name" ||
		echo "0 passed, 1 failed ($name did not finish)" >> "$logs/summary"
	grep '^[0-9]* passed, [0-9]* failed' "$logs/$name" | tail -1 >> "$logs/summary"
}

# make check (Automake's TAP driver, two tests at a time), then the count of
# test cases; a failed test's log is in the folder's test-suite.log.
check() {
	sh scripts/build.sh "$@" || return 1
	make -C "build-$1" -s -j2 check > "$logs/$1.check" 2>&1
	rc=$?
	grep -E '^(FAIL|ERROR|XPASS)' "$logs/$1.check" | head -40
	[ $rc = 0 ] || sed -n '/^FAIL\|^ERROR/,$p' "build-$1/test-suite.log" | head -120
	grep -E '^# (TOTAL|PASS|SKIP|FAIL|ERROR)' "$logs/$1.check"
	make -C "build-$1" -s check-summary
	return $rc
}
release() {
	check release --enable-werror
}
sanitize() {
	check sanitize --enable-sanitizers --enable-werror
}
fuzz() {
	mkdir -p build-release/tests/logs
	make -C build-release -s fuzz > "$logs/fuzz.tap" 2>&1
	rc=$?
	cat "$logs/fuzz.tap"
	awk '/^ok /{p++} /^not ok /{f++} END {printf "%d passed, %d failed, 0 skipped\n", p, f}' "$logs/fuzz.tap"
	return $rc
}

# The tarball: it builds, installs, and passes the unit tests and the tests
# that read the vendored data (the whole suite ran in the release stage,
# from the same sources).
distcheck() {
	if make -C build-release -s -j2 distcheck \
		TESTS='$(UNIT_TESTS) tests/integration/real-locks.sh tests/integration/import.sh tests/integration/import-hashed.sh tests/integration/merge-layout.sh' \
		> "$logs/distcheck.log" 2>&1; then
		echo "ok 1 - make distcheck"
		echo "1 passed, 0 failed, 0 skipped"
	else
		tail -30 "$logs/distcheck.log"
		echo "not ok 1 - make distcheck"
		echo "0 passed, 1 failed, 0 skipped"
		return 1
	fi
}

stage release release
stage sanitize sanitize
stage fuzz fuzz
stage distcheck distcheck

awk '{ p += $1; f += $3; s += $5 }
	END { printf "%d passed, %d failed, %d skipped\n", p, f, s; exit f > 0 }' "$logs/summary" || status=1
exit $status
