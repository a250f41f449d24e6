#!/bin/sh
# House rules the build can check: the engine neither prints, exits nor
# touches curses; the UI reaches libgit2, libmount and OpenSSL only through src/.
. "$srcdir/tests/integration/lib.sh"

cd "$srcdir" || exit 1
engine=$(ls src/*.c | grep -v -e '^src/cli\.c$' -e '^src/cmd-' -e '^src/main\.c$')

hits=$(grep -n -e '#include <n\?curses' -e '#include <ncursesw' src/*.c src/*.h 2>/dev/null)
check_equal "src/ never includes curses" "$hits" ""

# Forked processes (the sandbox's, util_run's child before exec) end with
# _exit(); nothing else may. Lines of Python given to an interpreter (C
# string literals) are not the engine's own calls.
hits=$(grep -n -E '\b(printf|puts|putchar|exit|_exit|perror)[[:space:]]*\(|\b(stdout|stderr)[[:space:]]*[,)]' $engine 2>/dev/null |
	grep -v -E 'snprintf|vsnprintf|util_buf_v?printf' | grep -v -E '^src/[a-z0-9-]+\.c:[0-9]+:[[:space:]]*"' |
	grep -v -E '^src/(sandbox|sandbox-host|util)\.c:[0-9]+:.*\b_exit\(')
check_equal "the engine never prints or exits" "$hits" ""

hits=$(grep -n -E '#include <(git2|libmount|openssl)' ui/*.c ui/*.h 2>/dev/null)
check_equal "ui/ uses libgit2, libmount and OpenSSL only through src/" "$hits" ""

done_testing
