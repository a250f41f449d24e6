#!/bin/sh
# Hostile inputs kept from fuzzing and hand-made (tests/data/fuzz-regressions):
# the TOML reader and the lock reader answer each with a result or an error,
# never a crash, a hang, or an unbounded allocation.
. "$srcdir/tests/integration/lib.sh"

for f in "$srcdir"/tests/data/fuzz-regressions/*; do
	name=$(basename "$f")
	run timeout 20 "$builddir/tests/tools/toml-decoder" < "$f"
	case $rc in
	0|1) ok "toml reader answers $name (exit $rc)" ;;
	*) not_ok "toml reader answers $name" "exit $rc" "$err" ;;
	esac
	# A 4 GB address-space bound catches runaway allocation; ASan reserves
	# terabytes of shadow memory and bounds allocations itself.
	(if [ "${SANITIZED:-no}" != yes ]; then ulimit -v 4000000; fi
	 timeout 20 "$PYLOCK" show "$f" >"$T/out" 2>"$T/err")
	rc=$?
	case $rc in
	0|2) ok "pylock show answers $name (exit $rc)" ;;
	*) not_ok "pylock show answers $name" "exit $rc" "$(cat "$T/err")" ;;
	esac
done
run "$builddir/tests/tools/toml-decoder" < "$srcdir/tests/data/fuzz-regressions/deep-arrays.toml"
check_contains "deep nesting is refused with its position" "$err" "<stdin>:1:133: nested more than 128 levels deep"

done_testing
