#!/bin/sh
# The command table: --help, help COMMAND, --version, and suggestions for typos.
. "$srcdir/tests/integration/lib.sh"

check_exit "--help exits 0" 0 "$PYLOCK" --help
check_contains "--help lists the help command" "$out" "  help "
check_contains "--help explains exit codes" "$out" "2 usage or input error"

check_exit "help help exits 0" 0 "$PYLOCK" help help
check_contains "help COMMAND shows its usage" "$out" "usage: pylock help [COMMAND]"

check_exit "--version exits 0" 0 "$PYLOCK" --version
check_contains "--version names the version" "$out" "pylock 0."

check_exit "a misspelt command exits 2" 2 "$PYLOCK" hlep
check_contains "a misspelt command gets the closest one" "$err" "did you mean 'pylock help'?"

check_exit "a misspelt global option exits 2" 2 "$PYLOCK" --verison
check_contains "a misspelt global option gets the closest one" "$err" "did you mean '--version'?"

check_exit "a misspelt command option exits 2" 2 "$PYLOCK" help --ruff
check_contains "a misspelt command option gets the closest one" "$err" "did you mean '--roff'?"

check_exit "help for an unknown command exits 2" 2 "$PYLOCK" help nosuch
check_contains "help for an unknown command says so" "$err" "no command 'nosuch'"

check_exit "an unrelated word gets no suggestion" 2 "$PYLOCK" zzzzzzzz
check_not_contains "no far-fetched suggestion" "$err" "did you mean"

# Every command in the table is in the man page, which the build makes from it.
man="$builddir/doc/pylock.1"
"$PYLOCK" --help | sed -n 's/^  \([a-z-]*\)  *[A-Z].*/\1/p' > "$T/cmds"
missing=
while read -r c; do
	grep -q "^\.B pylock $c" "$man" || missing="$missing $c"
done < "$T/cmds"
check_equal "the man page lists every command" "$missing" ""
check_contains "the man page carries the version" "$(head -3 "$man")" "$("$PYLOCK" --version | cut -d' ' -f2)"

done_testing
