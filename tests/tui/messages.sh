#!/bin/sh
# The message log (`:`): every job's start and result, with its time and
# whole text; Esc closes it, and help too.
. "$srcdir/tests/tui/lib.sh"

start
until_shown "4 projects" > /dev/null
keys :
check_exit "the log starts with the theme in use" 0 until_shown "  theme default"
keys Escape
check_exit "Esc closes it" 0 until_shown "4 projects"
keys G 1 v
check_exit "a verify runs" 0 until_shown "with problems"
keys :
check_exit "the log lists the job's start, with its time" 0 \
	sh -c "tmux -L '$sock' capture-pane -p -t ui | grep -Eq '[0-9]{2}:[0-9]{2}:[0-9]{2}  verify .* started'"
check_exit "and its result" 0 \
	sh -c "tmux -L '$sock' capture-pane -p -t ui | grep -Eq '[0-9]{2}:[0-9]{2}:[0-9]{2}  verified .*with problems'"
check_contains "counted in the title" "$(screen | head -1)" "messages, 3"
keys :
check_exit ": closes it too" 0 until_shown "4 projects"
# A result too long for the status line is whole in the log.
keys i
check_exit "a refusal on the status line" 0 until_shown "to import"
keys :
check_exit "is in the log, after the verify" 0 until_shown "has no uv.lock, poetry.lock, pdm.lock or requirements.txt to import"
check_contains "four messages now" "$(screen | head -1)" "messages, 4"
keys q
keys ?
check_exit "help opens" 0 until_shown "pylock keys"
keys Escape
check_exit "and Esc closes it" 0 until_shown "4 projects"
check_not_contains "without residue" "$(screen)" "pylock keys"
# (A key right after Esc would read as Alt and that key.)
sleep 1
# 1 put the focus in the detail pane: Esc leaves it, and / filters the list.
keys Escape
sleep 1

# Esc backs out of an applied filter.
keys / c l e a n - a Enter
check_exit "a filter applied" 0 until_shown "filter: clean-a"
check_contains "the title counts what is shown of all" "$(screen)" "projects  1 of 1 (filtered from 4)"
check_not_contains "hides the others" "$(screen | sed -n '3,$p' | sed '$d' | cut -c1-40)" "tampered-a"
keys Escape
check_exit "Esc clears it" 0 until_shown "filter cleared"
check_contains "the others are back" "$(screen)" "tampered-a"

# A running job shows its gauge in the status line: here clean-app's sync,
# its compile held by the interpreter (after its first report) until the
# test lets it go.
cat > "$T/slow.py" <<EOF
import os, sys, time
real_write = os.write
def write(fd, data):
    n = real_write(fd, data)
    if fd == 0:
        while not os.path.exists('$T/go'):
            time.sleep(0.05)
    return n
os.write = write
c = sys.argv.index('-c')
script, sys.argv = sys.argv[c + 1], ['-c'] + sys.argv[c + 2:]
exec(compile(script, '<compile>', 'exec'), sys.modules['__main__'].__dict__)
EOF
PY=$(sed -n 's/^python: //p' "$PYLOCK_HOME/config/config.yaml")
compile_python "$T/slow-python" "exec $PY '$T/slow.py' \"\$@\""
sed -i "s|^python: .*|python: $T/slow-python|" "$PYLOCK_HOME/config/config.yaml"
start
until_shown "4 projects" > /dev/null
keys g s
check_exit "a sync shows its gauge in the status line" 0 until_shown "[compile clean-app "
gauge=$(screen | tail -1 | grep -Eo '\[compile clean-app [0-9]+/[0-9]+\]')
check_exit "files compiled of all" 0 test -n "$gauge"
touch "$T/go"
check_exit "the sync goes on to its end" 0 until_shown "synced clean-app"
check_not_contains "and the gauge is gone" "$(screen | tail -1)" "[compile"
py_files=$(find "$PYLOCK_HOME/data/wheels" -type f -name '*.py' | wc -l)
check_equal "it counted every module of the unpacked wheels" "${gauge##*/}" "$py_files]"

done_testing
