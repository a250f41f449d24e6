#!/bin/sh
# Merges that change only what changed, on real locks in their producers'
# layouts (pdm's and uv's, vendored in tests/data/real-locks, and uv's data
# in pip's sub-table layout, tests/data/pip-layout): no-op, disjoint, overlapping, the same
# change on both sides, [tool] and top-level keys on one side and on both,
# each result checked as data with Python's tomllib and as bytes against
# ours; then dependencies checked after the choices, same-version conflicts
# explained, and the merge concluded with `pylock resolve --continue`.
. "$srcdir/tests/integration/lib.sh"

export HOME="$T/home" GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t
mkdir -p "$HOME"
git config --global init.defaultBranch main
SRC=$(cd "$srcdir" && pwd)

# sides ORIGINAL DIR: base = the original without its 4th package; ours
# sets the 2nd's marker; theirs (the original, so it adds the 4th back) sets
# the 5th's marker and drops the 7th. expect.json: the merge as data.
sides() {
	cp "$1" "$2/base.toml"
	python3 "$SRC/tests/tools/lock-edit.py" drop "$2/base.toml" 3
	cp "$2/base.toml" "$2/ours.toml"
	python3 "$SRC/tests/tools/lock-edit.py" marker "$2/ours.toml" 1 "sys_platform == 'linux'"
	cp "$1" "$2/theirs.toml"
	python3 "$SRC/tests/tools/lock-edit.py" marker "$2/theirs.toml" 4 "python_version >= '3.8'"
	python3 "$SRC/tests/tools/lock-edit.py" drop "$2/theirs.toml" 6
	python3 - "$1" "$2/expect.json" <<'PYEOF'
import json, sys, tomllib
want = tomllib.load(open(sys.argv[1], "rb"))
pk = want["packages"]
pk[1]["marker"] = "sys_platform == 'linux'"
pk[4]["marker"] = "python_version >= '3.8'"
del pk[6]
json.dump(want, open(sys.argv[2], "w"), default=str, sort_keys=True)
PYEOF
}

# same_data FILE EXPECT.json: the file as data is the expected lock
# (packages in any order).
same_data() {
	python3 - "$1" "$2" <<'PYEOF'
import json, sys, tomllib
got = json.loads(json.dumps(tomllib.load(open(sys.argv[1], "rb")), default=str, sort_keys=True))
want = json.load(open(sys.argv[2]))
key = lambda p: (p["name"], p.get("marker", ""))
for l in (got, want):
    l["packages"] = sorted(l["packages"], key=key)
print("same" if got == want else "differs")
PYEOF
}

changed_lines() { diff "$1" "$2" | grep -c '^[<>]'; }

for real in pdm-groups uv-pip-compile pip-layout; do
	R="$T/m-$real"
	mkdir -p "$R"
	src="$SRC/tests/data/real-locks/$real/pylock.toml"
	[ "$real" = pip-layout ] && src="$SRC/tests/data/pip-layout/pylock.toml"

	# No-op: base = ours = theirs gives ours byte for byte.
	cp "$src" "$R/o.toml"; cp "$src" "$R/a.toml"; cp "$src" "$R/b.toml"
	check_exit "$real: a no-op merge" 0 "$PYLOCK" merge-driver "$R/o.toml" "$R/a.toml" "$R/b.toml" pylock.toml
	check_exit "$real: is ours byte for byte" 0 cmp "$R/a.toml" "$src"

	# Disjoint: theirs' added, changed and removed packages come in as
	# theirs wrote them; nothing else of ours moves.
	sides "$src" "$R"
	cp "$R/ours.toml" "$R/result.toml"
	check_exit "$real: disjoint changes merge" 0 "$PYLOCK" merge-driver "$R/base.toml" "$R/result.toml" "$R/theirs.toml" pylock.toml
	check_equal "$real: the result is the merge as data (tomllib)" "$(same_data "$R/result.toml" "$R/expect.json")" same
	ours_diff=$(changed_lines "$R/ours.toml" "$R/result.toml")
	theirs_diff=$(changed_lines "$R/base.toml" "$R/theirs.toml")
	check_exit "$real: diff against ours ($ours_diff lines) no bigger than theirs' own change ($theirs_diff)" 0 \
		test "$ours_diff" -gt 0 -a "$ours_diff" -le "$theirs_diff"
	if [ "$real" != pdm-groups ]; then
		# A file sorted by name: the added package goes where theirs has
		# it, so the result is exactly git's own line merge of these
		# non-overlapping edits.
		cp "$R/ours.toml" "$R/textual.toml"
		git merge-file -q "$R/textual.toml" "$R/base.toml" "$R/theirs.toml"
		check_exit "$real: and equals git merge-file's result byte for byte" 0 cmp "$R/result.toml" "$R/textual.toml"
	else
		check_equal "$real: pdm's unsorted order: the added package goes last" \
			"$(python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["packages"][-1]["name"])' "$R/result.toml")" \
			"$(python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["packages"][3]["name"])' "$R/theirs.toml")"
	fi

	# The same change on both sides merges by itself, to ours' bytes.
	cp "$R/ours.toml" "$R/same.toml"
	check_exit "$real: the same change on both sides" 0 "$PYLOCK" merge-driver "$R/base.toml" "$R/same.toml" "$R/ours.toml" pylock.toml
	check_exit "$real: gives ours byte for byte" 0 cmp "$R/same.toml" "$R/ours.toml"

	# [tool] on one side each: theirs adds a tool, ours changes another.
	printf '\n[tool.shared]\nlevel = 1\n' >> "$R/base.toml"
	sed 's/^level = 1$/level = 2/' "$R/base.toml" > "$R/tool-ours.toml"
	cp "$R/base.toml" "$R/tool-theirs.toml"
	printf '\n[tool.theirs-only]\nsetting = "x"\n' >> "$R/tool-theirs.toml"
	cp "$R/tool-ours.toml" "$R/tool-result.toml"
	check_exit "$real: [tool] changed on one side each" 0 "$PYLOCK" merge-driver "$R/base.toml" "$R/tool-result.toml" "$R/tool-theirs.toml" pylock.toml
	check_equal "$real: both tables' changes are in (tomllib)" \
		"$(python3 -c 'import sys, tomllib; t = tomllib.load(open(sys.argv[1], "rb"))["tool"]; print(t["shared"]["level"], t["theirs-only"]["setting"])' "$R/tool-result.toml")" "2 x"
	check_equal "$real: and only theirs' table's lines are new" "$(changed_lines "$R/tool-ours.toml" "$R/tool-result.toml")" 3

	# Overlapping: the 5th package and [tool.shared] changed differently
	# on both sides; one region each, where they stand.
	sed 's/^level = 1$/level = 3/' "$R/theirs.toml" > "$R/both-theirs.toml"
	printf '\n[tool.shared]\nlevel = 3\n' >> "$R/both-theirs.toml"
	sed 's/^level = 1$/level = 2/' "$R/base.toml" > "$R/both-ours.toml"
	python3 "$SRC/tests/tools/lock-edit.py" marker "$R/both-ours.toml" 3 "os_name == 'posix'"
	cp "$R/both-ours.toml" "$R/both-result.toml"
	check_exit "$real: changes on both sides are conflicts (exit 1)" 1 "$PYLOCK" merge-driver "$R/base.toml" "$R/both-result.toml" "$R/both-theirs.toml" pylock.toml
	check_equal "$real: two regions: the package and the tool" "$(grep -c '^<<<<<<< ours' "$R/both-result.toml")" 2
	check_contains "$real: ours' side of the package region" "$(sed -n '/^<<<<<<< ours$/,/^|||||||/p' "$R/both-result.toml")" "os_name == 'posix'"
	check_contains "$real: theirs' side" "$(sed -n '/^=======$/,/^>>>>>>> theirs$/p' "$R/both-result.toml")" "python_version >= '3.8'"
	# Taking ours' side of every region gives ours plus theirs' clean
	# changes (the 4th package back, the 7th gone), as data.
	sed -e '/^||||||| base$/,/^>>>>>>> theirs$/d' -e '/^<<<<<<< ours$/d' "$R/both-result.toml" > "$R/ours-side.toml"
	check_equal "$real: ours' side reads as ours with theirs' clean changes" \
		"$(python3 -c 'import sys, tomllib
o = tomllib.load(open(sys.argv[1], "rb")); b = tomllib.load(open(sys.argv[2], "rb"))
print(len(o["packages"]) - len(b["packages"]), o["tool"]["shared"]["level"])' "$R/ours-side.toml" "$R/both-ours.toml")" "0 2"
done

# A [tool] entry that is an array of tables (found by fuzzing: the merge
# of a lock with itself lost it) survives a merge, byte for byte.
cp "$SRC/tests/data/fuzz-regressions/lock-tool-array-merge.toml" "$T/arr-ours.toml"
: > "$T/arr-base.toml"
check_exit "a lock with [[tool.NAME]] merged with itself" 0 "$PYLOCK" merge-driver "$T/arr-base.toml" "$T/arr-ours.toml" \
	"$SRC/tests/data/fuzz-regressions/lock-tool-array-merge.toml" pylock.toml
check_exit "is itself, byte for byte" 0 cmp "$T/arr-ours.toml" "$SRC/tests/data/fuzz-regressions/lock-tool-array-merge.toml"

# resolve in git: the regions the driver left, or the index's stages; the
# choice written in ours' layout; [tool] and top-level keys listed and
# chosen like packages.
driver_repo "$T/repo"
cp "$SRC/tests/data/real-locks/uv-pip-compile/pylock.toml" pylock.toml
printf '\n[tool.shared]\nlevel = 1\n' >> pylock.toml
git add -A && git commit -qm base
git checkout -qb theirs
sed -e 's/^level = 1$/level = 3/' -e 's/^created-by = "uv"$/created-by = "uv 2"/' pylock.toml > x && mv x pylock.toml
python3 "$SRC/tests/tools/lock-edit.py" marker pylock.toml 2 "sys_platform == 'theirs'"
git commit -qam theirs
git checkout -q main
sed -e 's/^level = 1$/level = 2/' -e 's/^created-by = "uv"$/created-by = "uv 1"/' pylock.toml > x && mv x pylock.toml
python3 "$SRC/tests/tools/lock-edit.py" marker pylock.toml 2 "sys_platform == 'ours'"
git commit -qam ours
cp pylock.toml "$T/ours.toml"
git merge -q theirs > /dev/null 2>&1
check_exit "resolve lists the conflicts" 1 "$PYLOCK" resolve
check_contains "a package" "$out" "conflict  botocore: ours 1.42.61, theirs 1.42.61, base 1.42.61 (theirs differs in: marker-changed)"
check_contains "a [tool] table" "$out" "conflict  [tool.shared] (changed on both sides)"
check_contains "a top-level key" "$out" "conflict  created-by (top-level key)"
check_contains "three in all" "$out" "3 conflicts"
check_exit "resolve --theirs" 0 "$PYLOCK" resolve --theirs
check_contains "says what is left to do" "$out" "conclude the merge with 'git commit'"
check_equal "theirs' choices as data (tomllib)" "$(python3 -c 'import sys, tomllib
l = tomllib.load(open("pylock.toml", "rb"))
print(l["created-by"], l["tool"]["shared"]["level"], l["packages"][2]["marker"])')" "uv 2 3 sys_platform == 'theirs'"
check_equal "only the three chosen places differ from ours" "$(changed_lines "$T/ours.toml" pylock.toml)" 6
check_equal "the index has no conflict left" "$(git diff --name-only --diff-filter=U)" ""
check_exit "git commit concludes it" 0 git commit -qm merged

# Dependencies after the choice: alpha 2.0 needs beta 2.0 (ours); theirs
# moved beta to 1.5. Choosing theirs for beta breaks alpha: reported, nothing
# written, exit 1, unless --force. Choosing ours breaks nothing: no warning.
H=c75a69e28a550a7e93789579c22aa26b0f5b83b75dc4e08fe092980051e1090a
entry() { # NAME VERSION [DEPNAME DEPVERSION] [HASH]
	printf '\n[[packages]]\nname = "%s"\nversion = "%s"\n' "$1" "$2"
	[ -n "${3:-}" ] && printf 'dependencies = [{ name = "%s", version = "%s" }]\n' "$3" "$4"
	printf 'wheels = [{ url = "https://x/%s-%s-py3-none-any.whl", hashes = { sha256 = "%s" } }]\n' "$1" "$2" "${5:-$H}"
}
driver_repo "$T/deps"
{ printf 'lock-version = "1.0"\ncreated-by = "test"\n'; entry alpha 1.0 beta 1.0; entry beta 1.0; entry gamma 1.0; } > pylock.toml
echo one > other.txt
git add -A && git commit -qm base
git checkout -qb theirs
{ printf 'lock-version = "1.0"\ncreated-by = "test"\n'; entry alpha 1.0 beta 1.0; entry beta 1.5; entry gamma 1.0 "" "" "d${H#c}"; } > pylock.toml
echo theirs > other.txt
git commit -qam theirs
git checkout -q main
{ printf 'lock-version = "1.0"\ncreated-by = "test"\n'; entry alpha 2.0 beta 2.0; entry beta 2.0; entry gamma 1.0 "" "" "e${H#c}"; } > pylock.toml
echo ours > other.txt
git commit -qam ours
git merge -q theirs > /dev/null 2>&1
check_exit "resolve lists beta and gamma" 1 "$PYLOCK" resolve
check_contains "a same-version conflict says what differs" "$out" "conflict  gamma: ours 1.0, theirs 1.0, base 1.0 (theirs differs in: hash-changed (gamma-1.0-py3-none-any.whl))"
cp pylock.toml "$T/conflicted.toml"
check_exit "choosing theirs for everything breaks alpha: exit 1" 1 "$PYLOCK" resolve --theirs
check_contains "named with both versions" "$err" "alpha 2.0 needs beta 2.0; the lock has beta 1.5"
check_contains "and nothing written" "$err" "nothing written"
check_exit "the lock is untouched" 0 cmp pylock.toml "$T/conflicted.toml"
check_exit "choosing ours breaks nothing" 0 "$PYLOCK" resolve --ours
check_not_contains "and warns of nothing" "$err" "needs"
check_contains "another path is still in conflict" "$out" "1 other path still in conflict: other.txt"
git checkout -q -m pylock.toml 2>/dev/null || cp "$T/conflicted.toml" pylock.toml
check_exit "--force writes a broken choice anyway" 0 "$PYLOCK" resolve --theirs --force
check_contains "still reporting it" "$err" "alpha 2.0 needs beta 2.0; the lock has beta 1.5"
echo merged > other.txt && git add other.txt
git checkout -q -m pylock.toml 2>/dev/null
check_exit "--continue concludes the merge once nothing is left" 0 "$PYLOCK" resolve --ours --continue
check_contains "says so" "$out" "merge concluded"
check_equal "a merge commit with both parents" "$(git log -1 --format=%P | wc -w)" 2
check_equal "with the message git prepared" "$(git log -1 --format=%s)" "Merge branch 'theirs'"
check_exit "and no merge is left under way" 1 test -f .git/MERGE_HEAD

done_testing
