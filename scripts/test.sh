#!/bin/sh
# Builds pylock and runs every test: the normal build's `make check`, then the
# unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer.
# Ends with one line "N passed, N failed, N skipped" over both runs.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sh scripts/deps.sh --tests || exit 2
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
status=0

echo "== build and make check"
if sh scripts/build.sh release; then
	make -C build-release -s check 2>&1 | tee "$logs/release" || status=1
else
	echo "build failed"; echo "0 passed, 1 failed" > "$logs/release"; status=1
fi

echo "== unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
if sh scripts/build.sh sanitize --enable-sanitizers; then
	make -C build-sanitize -s check-unit 2>&1 | tee "$logs/sanitize" || status=1
else
	echo "sanitizer build failed"; echo "0 passed, 1 failed" > "$logs/sanitize"; status=1
fi

cat "$logs/release" "$logs/sanitize" | awk '
	/^[0-9]+ passed, [0-9]+ failed/ { p += $1; f += $3; s += $5; n++ }
	END {
		if (n < 2) f++
		printf "%d passed, %d failed, %d skipped\n", p, f, s
		exit f > 0
	}' || status=1
exit $status
