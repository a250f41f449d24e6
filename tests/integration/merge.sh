#!/bin/sh
# Real `git merge`s of branches that both changed pylock.toml, with and
# without pylock's merge driver, resolved with `pylock resolve`.
. "$srcdir/tests/integration/lib.sh"

export HOME="$T/home" GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t
mkdir -p "$HOME"
git config --global init.defaultBranch main
H1=c75a69e28a550a7e93789579c22aa26b0f5b83b75dc4e08fe092980051e1090a
H2=d75a69e28a550a7e93789579c22aa26b0f5b83b75dc4e08fe092980051e1090a

# lock SPEC...: one package per NAME=VERSION[=HASH]; deps: d depends on a.
lock() {
	printf "lock-version = '1.0'\ncreated-by = 'test'\n"
	for spec in "$@"; do
		n=${spec%%=*} rest=${spec#*=}
		v=${rest%%=*} h=${rest#*=}
		[ "$h" = "$rest" ] && h=$H1
		printf "\n[[packages]]\nname = '%s'\nversion = '%s'\n" "$n" "$v"
		[ "$n" = d ] && printf "dependencies = [{name = 'a'}]\n"
		printf "wheels = [{url = 'https://x/%s-%s-py3-none-any.whl', hashes = {sha256 = '%s'}}]\n" "$n" "$v" "$h"
	done
}

# make_repo DIR: base a b c d e f; ours upgrades a, b (as theirs does), removes c,
# moves d to 2, changes e's hash, upgrades f; theirs moves d to 3 and removes f.
make_repo() {
	git init -q "$1"
	cd "$1" || exit 1
	printf '[project]\nname = "m"\n' > pyproject.toml
	lock a=1 b=1 c=1 d=1 e=1 f=1 > pylock.toml
	git add -A && git commit -qm base
	git checkout -qb theirs
	lock a=1 b=2 c=1 d=3 e=1 > pylock.toml
	git commit -qam theirs
	git checkout -q main
	lock a=2 b=2 d=2 e=1=$H2 f=2 > pylock.toml
	git commit -qam ours
}

# Without the driver: git's textual merge conflicts; resolve from the index.
make_repo "$T/plain"
git merge -q theirs >/dev/null 2>&1
check_equal "git leaves the lock conflicted" "$(git diff --name-only --diff-filter=U)" "pylock.toml"
check_exit "resolve without a choice lists the conflicts" 1 "$PYLOCK" resolve
check_contains "d changed differently on both sides" "$out" "conflict  d: ours 2, theirs 3, base 1"
check_contains "f upgraded here, removed there" "$out" "conflict  f: ours 2, theirs (removed), base 1"
check_contains "two conflicts" "$out" "2 conflicts"
check_not_contains "a one-sided upgrade is no conflict" "$out" "conflict  a"
check_exit "resolve --newest" 0 "$PYLOCK" resolve --newest
check_equal "the index has no conflict left" "$(git diff --name-only --diff-filter=U)" ""
check_exit "the result is a valid lock" 0 "$PYLOCK" show --json pylock.toml
check_equal "one-sided, same, removal, hash and newest choices all applied" \
	"$(python3 -c 'import json,sys; print(" ".join(p["name"]+"="+p["version"] for p in json.load(sys.stdin)["packages"]))' <<EOF2
$out
EOF2
)" "a=2 b=2 d=3 e=1 f=2"
check_contains "e keeps our changed hash" "$(cat pylock.toml)" "$H2"
check_exit "git commit proceeds" 0 git commit -qm merged
check_exit "a clean lock is not conflicted" 2 "$PYLOCK" resolve --ours
check_contains "resolve says so" "$err" "not conflicted"

# With the driver: clean merges merge by themselves; conflicts become regions.
make_repo "$T/driver"
git config merge.pylock.driver "$PYLOCK merge-driver %O %A %B %P"
echo 'pylock.toml merge=pylock' > .gitattributes
git add .gitattributes && git commit -qm attrs
git merge -q theirs >/dev/null 2>&1
check_equal "the driver leaves the two conflicts to git" "$(git diff --name-only --diff-filter=U)" "pylock.toml"
check_contains "a person sees pylock's regions" "$(cat pylock.toml)" "||||||| base"
check_exit "the regions are a resolvable lock" 1 "$PYLOCK" resolve
check_contains "the same two conflicts" "$out" "2 conflicts"
git add pylock.toml	# as a user might, before resolving
check_exit "resolve --theirs from the file's regions" 0 "$PYLOCK" resolve --theirs
check_equal "theirs chosen for d and f" \
	"$("$PYLOCK" show --json pylock.toml | python3 -c 'import json,sys; print(" ".join(p["name"]+"="+p["version"] for p in json.load(sys.stdin)["packages"]))')" \
	"a=2 b=2 d=3 e=1"
check_exit "git commit proceeds after the driver" 0 git commit -qm merged

# A merge with no conflicting package is done by the driver alone.
git checkout -qb left
lock a=2 b=2 d=3 e=1=$H2 g=1 > pylock.toml && git commit -qam left
git checkout -q main
lock a=3 b=2 d=3 e=1=$H2 > pylock.toml && git commit -qam right
check_exit "a clean merge through the driver succeeds" 0 git merge -q left -m m
check_contains "both sides' changes are in" "$("$PYLOCK" show pylock.toml)" "g "
check_contains "ours too" "$("$PYLOCK" show pylock.toml)" "a     3"
check_exit "and the lock is valid" 0 "$PYLOCK" show pylock.toml

# The driver on its own, and a missing dependency reported.
lock a=1 d=1 > "$T/o.toml"; lock a=1 d=1 > "$T/a.toml"; lock d=1 > "$T/b.toml"
check_exit "merge-driver merges files" 0 "$PYLOCK" merge-driver "$T/o.toml" "$T/a.toml" "$T/b.toml" pylock.toml
check_equal "theirs removed a" "$(grep -c '^name = "a"' "$T/a.toml")" 0
check_contains "the dependency left dangling is reported" "$err" "d 1 needs a; the lock has no a"
check_exit "merge-driver wants four paths" 2 "$PYLOCK" merge-driver a b

# A named lock (pylock.dev.toml) goes through the driver and resolve alike.
driver_repo "$T/named" 'pylock*.toml'
lock a=1 b=1 > pylock.dev.toml
git add -A && git commit -qm base
git checkout -qb theirs
lock a=1 b=2 > pylock.dev.toml && git commit -qam theirs
git checkout -q main
lock a=2 b=1 > pylock.dev.toml && git commit -qam ours
check_exit "git merge runs the driver on pylock.dev.toml" 0 git merge -q theirs -m merged
check_equal "which takes each side's change" "$(grep -cE "^version = [\"']2[\"']" pylock.dev.toml)" 2
check_contains "ours' entries keep their own bytes (quotes and all)" "$(cat pylock.dev.toml)" "$(printf "name = 'a'\nversion = '2'")"
git checkout -qb other
lock a=4 b=2 > pylock.dev.toml && git commit -qam other
git checkout -q main
lock a=5 b=2 > pylock.dev.toml && git commit -qam ours-again
git merge -q other > /dev/null 2>&1
check_exit "a conflict in pylock.dev.toml: resolve --lock dev" 0 "$PYLOCK" resolve --lock dev --theirs
check_equal "git has no conflict left" "$(git diff --name-only --diff-filter=U)" ""
check_exit "the named lock is valid" 0 "$PYLOCK" show --lock dev

# kill -9 during resolve: the lock is the old file or a whole new one.
make_repo "$T/big"
python3 "$srcdir/tests/bench/gen-lock.py" 3000 3 > pylock.toml && git commit -qam big-base
git checkout -qb big-theirs
python3 "$srcdir/tests/bench/gen-lock.py" 3000 3 pylock 0.5 1 > pylock.toml && git commit -qam big-theirs
git checkout -q main
python3 "$srcdir/tests/bench/gen-lock.py" 3000 3 pylock 0.5 0 > pylock.toml && git commit -qam big-ours
git merge -q big-theirs >/dev/null 2>&1
cp pylock.toml "$T/before.toml"
torn=0
for delay in 0.01 0.02 0.04 0.06 0.08 0.1 0.15; do
	"$PYLOCK" resolve --ours > /dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if ! cmp -s pylock.toml "$T/before.toml" && ! "$PYLOCK" show pylock.toml > /dev/null 2>&1; then
		torn=$((torn + 1))
	fi
	cp "$T/before.toml" pylock.toml
done
check_equal "kill -9 never leaves a torn lock" "$torn" 0
check_equal "no temporary file is left beside it" "$(ls -a | grep -c '^\.pylock\.toml\.')" 0

# Real locks (pdm's and uv's, tests/data/real-locks) merged by the driver
# keep ours' own layout: a no-op merge gives ours byte for byte; theirs'
# change to one package adds that package's lines only; a [tool] table only
# theirs changed comes along. Each result checked by tomllib.
SRC=$(cd "$srcdir" && pwd)
for real in pdm-groups uv-pip-compile; do
	R="$T/real-$real"
	mkdir -p "$R"
	cp "$SRC/tests/data/real-locks/$real/pylock.toml" "$R/base.toml"
	cp "$R/base.toml" "$R/ours.toml"
	cp "$R/base.toml" "$R/theirs.toml"
	check_exit "$real: a no-op merge succeeds" 0 "$PYLOCK" merge-driver "$R/base.toml" "$R/ours.toml" "$R/theirs.toml" pylock.toml
	check_exit "$real: and gives ours byte for byte" 0 cmp "$R/ours.toml" "$R/base.toml"
	# Ours drops the first package; theirs changes the last file's hash
	# and adds a [tool] table.
	python3 -c 'import sys
t = open(sys.argv[1]).read()
a = t.index("[[packages]]"); b = t.index("[[packages]]", a + 1)
open(sys.argv[2], "w").write(t[:a] + t[b:])
i = t.rindex("sha256 = ") + 10
open(sys.argv[3], "w").write(t[:i] + "a" * 64 + t[i + 64:] + "\n[tool.theirs-tool]\nsetting = 1\n")' \
		"$R/base.toml" "$R/ours.toml" "$R/theirs.toml"
	cp "$R/ours.toml" "$R/ours-before.toml"
	check_exit "$real: disjoint changes merge" 0 "$PYLOCK" merge-driver "$R/base.toml" "$R/ours.toml" "$R/theirs.toml" pylock.toml
	changed=$(diff "$R/ours-before.toml" "$R/ours.toml" | grep -c '^[<>]')
	check_contains "$real: theirs' change is in" "$(cat "$R/ours.toml")" "$(printf '%064d' 0 | tr 0 a)"
	small=no
	[ "$changed" -le 40 ] && small=yes
	check_equal "$real: git diff against ours holds theirs' package only ($changed lines)" "$small" yes
	check_contains "$real: a [tool] table only theirs changed is merged" "$(cat "$R/ours.toml")" "[tool.theirs-tool]"
	got=$(python3 -c 'import sys, tomllib
l = tomllib.load(open(sys.argv[1], "rb"))
print(len(l["packages"]), l["tool"]["theirs-tool"]["setting"])' "$R/ours.toml")
	check_equal "$real: tomllib reads the merge (ours' removal in)" "$got" "$(python3 -c 'import sys, tomllib
print(len(tomllib.load(open(sys.argv[1], "rb"))["packages"]) - 1)' "$R/base.toml") 1"
done

done_testing
