#!/bin/sh
# Runs test programs and scripts that speak TAP, two at a time, and ends with
# one line "N passed, N failed, N skipped" counting the individual test cases.
# A program that dies without reporting a failure counts as one failure; a
# program that exits 77 without reporting anything counts as one skip.
# Usage: harness.sh TEST...   (names relative to the build or source folder)
set -u
: "${builddir:=.}" "${srcdir:=.}"
jobs=${HARNESS_JOBS:-2}
logs="$builddir/tests/logs"
mkdir -p "$logs"

run_one() {
	t=$1
	if [ -e "$t" ]; then path=$t; else path="$srcdir/$t"; fi
	log="$logs/$(echo "$t" | sed 's|^tests/||; s|/|-|g').log"
	case "$path" in
	*.sh) CMOCKA_MESSAGE_OUTPUT=TAP sh "$path" >"$log" 2>&1 ;;
	*) CMOCKA_MESSAGE_OUTPUT=TAP "$path" >"$log" 2>&1 ;;
	esac
	rc=$?
	awk -v rc="$rc" -v name="$t" -v logf="$log" '
		/^ok / { if ($0 ~ /# [Ss][Kk][Ii][Pp]/) skip++; else pass++; next }
		/^not ok / { fail++; next }
		END {
			if (rc == 77 && pass + fail + skip == 0) skip = 1
			else if (rc != 0 && fail == 0) { fail = 1; died = 1 }
			status = fail ? "FAIL" : (pass ? "PASS" : "SKIP")
			printf "%s %s (%d passed, %d failed, %d skipped)%s\n", status, name,
				pass, fail, skip, died ? " exit " rc : ""
			printf "%d %d %d\n", pass, fail, skip > (logf ".count")
		}' "$log"
	if grep -q '^not ok' "$log" || { [ "$rc" != 0 ] && [ "$rc" != 77 ]; }; then
		grep -E '^not ok|^#' "$log" | head -40 | sed 's/^/    /'
		echo "    (full log: $log)"
	fi
}

if [ "${1:-}" = "--one" ]; then
	run_one "$2"
	exit 0
fi

rm -f "$logs"/*.count
printf '%s\n' "$@" | xargs -P "$jobs" -I{} sh "$0" --one {}
cat "$logs"/*.count 2>/dev/null | awk '
	{ p += $1; f += $2; s += $3 }
	END { printf "%d passed, %d failed, %d skipped\n", p, f, s; exit f > 0 }'
