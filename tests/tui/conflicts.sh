#!/bin/sh
# Resolving a real git merge conflict in pylock.toml end to end.
. "$srcdir/tests/tui/lib.sh"

start
until_shown "4 projects" > /dev/null
C="$WS/projects/conflicted-app"
# Resolve the conflicted lock: Esc leaves it untouched, then o and w.
before=$(sha256sum "$C/pylock.toml")
keys g j r
check_exit "r opens the Conflicts tab" 0 until_shown "2 conflicts, 2 to choose"
check_contains "the footer shows the Conflicts keys, write and leave first" "$(screen | tail -1)" "w write  Esc leave  o ours"
tm resize-window -t ui -x 80 -y 24
check_exit "at 80 columns too" 0 sh -c "tmux -L '$sock' capture-pane -p -t ui | tail -1 | grep -q 'w write  Esc leave'"
tm resize-window -t ui -x 100 -y 30
wait_for sh -c "tmux -L '$sock' capture-pane -p -t ui | tail -1 | grep -q 'w write  Esc leave  o ours  t theirs  b base  n newer'"
check_contains "a [tool] table changed on both sides is one" "$(screen)" "[tool.demo] (changed on both sides)"
check_exit "each side's table in its column" 0 sh -c "tmux -L '$sock' capture-pane -p -t ui | grep -q '|channel = \"non.*|channel = \"sta.*|channel = \"beta\"'"
keys j
check_exit "the package: base, ours and theirs side by side" 0 until_shown "ours 1.1"
check_exit "and theirs, in three columns" 0 sh -c "tmux -L '$sock' capture-pane -p -t ui | grep -q '|1\.1 *|2\.0'"
check_contains "and each candidate's signature status" "$(screen)" "verified"
keys t
check_exit "t chooses theirs" 0 until_shown "1 to choose"
keys a
check_exit "a applies it to the rest" 0 until_shown "0 to choose"
keys Escape
check_exit "Esc leaves without writing" 0 until_shown "left the conflicts without writing anything"
check_equal "the lock is untouched" "$(sha256sum "$C/pylock.toml")" "$before"
check_equal "and still conflicted in git" "$(git -C "$C" diff --name-only --diff-filter=U)" "pylock.toml"
keys r o a
check_exit "o and a choose ours for both" 0 until_shown "0 to choose"
keys w
check_exit "w asks before writing" 0 until_shown "write and stage pylock.toml? [y/N]"
keys y
check_exit "y writes, stages and offers to conclude the merge" 0 until_shown "nothing left in conflict: conclude the merge (git commit)? [y/N]"
check_equal "git has no conflict left" "$(git -C "$C" diff --name-only --diff-filter=U)" ""
check_exit "the merge is still under way until asked" 0 test -f "$C/.git/MERGE_HEAD"
keys y
check_exit "y concludes it" 0 until_shown "resolved pylock.toml and concluded the merge"
check_equal "a merge commit with both parents" "$(git -C "$C" log -1 --format=%P | wc -w)" 2
check_exit "no merge is left under way" 1 test -f "$C/.git/MERGE_HEAD"
check_exit "the lock is valid" 0 "$PYLOCK" show "$C"
check_contains "with our version" "$out" "1.1"
check_not_contains "no conflict markers" "$(cat "$C/pylock.toml")" "<<<<<<<"
check_contains "ours' [tool] table" "$(cat "$C/pylock.toml")" 'channel = "stable"'

# After writing, the UI says what the merge still needs: here another
# path in conflict beside the lock, so it offers no commit.
R="$WS/projects/two-conflicts"
g() { git -C "$R" -c user.name=t -c user.email=t@example.invalid "$@"; }
git clone -q "$C" "$R"
g reset -q --hard HEAD^1
printf '[project]\nname = "two-conflicts"\nversion = "0.1.0"\n' > "$R/pyproject.toml" && g commit -qam "rename"
echo ours > "$R/notes.txt" && g add notes.txt && g commit -qm "our notes"
g checkout -q -b side origin/feature
echo theirs > "$R/notes.txt" && g add notes.txt && g commit -qm "their notes"
g checkout -q main
g merge -q side > /dev/null 2>&1
check_equal "(a merge with two paths in conflict)" "$(g diff --name-only --diff-filter=U | tr '\n' ' ')" "notes.txt pylock.toml "
start
until_shown "5 projects" > /dev/null
keys G r
check_exit "its lock's conflicts" 0 until_shown "2 to choose"
keys o a w y
check_exit "written, the UI says what remains" 0 until_shown "1 other path still in conflict, first"
check_not_contains "and offers no commit" "$(screen)" "conclude the merge"
keys z
check_exit "the next key's answer replaces the message" 0 until_shown "z does nothing here"
check_not_contains "with nothing left to resolve, the footer offers no write" "$(screen | tail -1)" "w write"
check_contains "but the way back" "$(screen | tail -1)" "Esc back"
keys :
check_exit "the log names the path" 0 until_shown "1 other path still in conflict, first notes.txt"
keys Escape
check_equal "the lock is staged, the other path is still the user's" "$(g diff --name-only --diff-filter=U)" "notes.txt"
check_exit "the merge still under way" 0 test -f "$R/.git/MERGE_HEAD"

done_testing
