#!/bin/sh
# Hostile text from a project (escape sequences in names) and a hostile
# interpreter setting: drawn as text, never run.
. "$srcdir/tests/tui/lib.sh"

# What a sandboxed command can write (a lock, pyproject.toml) is drawn as
# text: an escape sequence in it never reaches the terminal (here: it would
# retitle the pane); and the Info tab never runs the [tool.pylock] python
# it names.
ROOT="$T/hostile"
E="$ROOT/evil$(printf '\033]2;retitled\007')"
mkdir -p "$E"
printf '[tool.pylock]\npython = "%s/py"\n' "$ROOT/bin" > "$E/pyproject.toml"
mkdir -p "$ROOT/bin"
printf '#!/bin/sh\ntouch %s/ran\nexec /usr/bin/python3 "$@"\n' "$T" > "$ROOT/bin/py" && chmod 755 "$ROOT/bin/py"
printf 'lock-version = "1.0"\ncreated-by = "t"\n[[packages]]\nname = "x"\nversion = "1.0"\n' > "$E/pylock.toml"
start
check_exit "a hostile project is listed" 0 until_shown "1 project"
keys 1
check_contains "the escape in its folder's name is drawn as ?" "$(screen)" "evil?]2;re"
keys 1
check_exit "its Packages tab opens" 0 until_shown "x "
check_not_contains "the escape sequence in its name does not retitle the terminal" "$(tm display -p -t ui '#{pane_title}')" "retitled"
keys 4
check_exit "the Info tab says why the interpreter is refused" 0 until_shown "names a path"
check_exit "and never ran it" 1 test -e "$T/ran"
ROOT=

done_testing
