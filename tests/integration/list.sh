#!/bin/sh
# pylock list over real git repositories made here: upstream ahead/behind, a
# linked worktree, a submodule, a lock left in merge conflict, a monorepo, an
# ignored project, a project outside git, and the broken cases.
. "$srcdir/tests/integration/lib.sh"

export HOME="$T/home" GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t
mkdir -p "$HOME"
git config --global init.defaultBranch main
git config --global protocol.file.allow always
W="$T/ws"
mkdir -p "$W"
lockfile() {	# lockfile NAME VERSION... : a valid lock with one package per version
	name=$1
	shift
	printf "lock-version = '1.0'\ncreated-by = 'test'\n"
	for v in "$@"; do
		printf "[[packages]]\nname = '%s'\nversion = '%s'\n" "$name" "$v"
	done
}
q() { "$@" >/dev/null 2>&1 || echo "setup failed: $*" >&2; }

# app: a project with a lock, pushed to a bare upstream, then 2 ahead and 1 behind.
q git init -q "$T/upstream.git" --bare
q git init -q "$W/app"
cd "$W/app" || exit 1
printf '[project]\nname = "the-app"\n' > pyproject.toml
lockfile a 1.0 1.1 > pylock.toml
q git add -A; q git commit -qm one
q git remote add origin "$T/upstream.git"; q git push -q -u origin main
q git clone -q "$T/upstream.git" "$T/other"
(cd "$T/other" && echo x > x && git add x && git commit -qm other && git push -q) >/dev/null 2>&1
q git fetch -q
echo 1 > f1; q git add f1; q git commit -qm a1
echo 2 > f2; q git add f2; q git commit -qm a2
q git worktree add -q "$W/app-wt" -b feature

# mono: three subprojects, one of them with a modified lock; an ignored project.
q git init -q "$W/mono"
cd "$W/mono" || exit 1
for s in alpha beta gamma; do
	mkdir -p "libs/$s"
	printf '[project]\nname = "%s"\n' "$s" > "libs/$s/pyproject.toml"
done
lockfile x 1 > libs/beta/pylock.toml
mkdir -p build/gen
printf '[project]\nname = "ignored"\n' > build/gen/pyproject.toml
echo build/ > .gitignore
q git add -A; q git commit -qm mono
lockfile x 1 2 > libs/beta/pylock.toml

# merge: a lock in conflict after a real git merge; plus a staged and an untracked lock.
q git init -q "$W/merge"
cd "$W/merge" || exit 1
lockfile m 1.0 > pylock.toml
q git add -A; q git commit -qm base
q git checkout -qb side
lockfile m 2.0 > pylock.toml; q git commit -qam side
q git checkout -q main
lockfile m 3.0 > pylock.toml; q git commit -qam main
git merge -q side >/dev/null 2>&1
q git init -q "$W/staged"
(cd "$W/staged" && lockfile s 1 > pylock.toml && git add pylock.toml) >/dev/null 2>&1
q git init -q "$W/untracked"
lockfile u 1 > "$W/untracked/pylock.toml"

# super: a repository with a submodule that holds a project.
q git init -q "$W/subsrc"
(cd "$W/subsrc" && printf '[project]\nname = "inner"\n' > pyproject.toml && git add -A && git commit -qm s) >/dev/null 2>&1
q git init -q "$W/super"
cd "$W/super" || exit 1
printf '[project]\nname = "outer"\n' > pyproject.toml
q git add -A; q git commit -qm outer
q git submodule add -q "$W/subsrc" vendor/inner; q git commit -qm sub
mv "$W/subsrc" "$T/subsrc"	# only the submodule copy stays under the root

# Outside git; and a detached HEAD.
mkdir -p "$W/plain/tool"
printf '[project]\nname = "plain-tool"\n' > "$W/plain/tool/pyproject.toml"
q git clone -q "$W/mono" "$W/detached"
(cd "$W/detached" && git checkout -q --detach HEAD) >/dev/null 2>&1

# Broken: bare, .git file pointing nowhere, unborn HEAD, corrupt index, symlink loop.
q git init -q --bare "$W/bare.git"
mkdir -p "$W/dangling" && echo "gitdir: /nonexistent/x" > "$W/dangling/.git"
printf '[project]\nname = "dangling"\n' > "$W/dangling/pyproject.toml"
q git init -q "$W/unborn"
printf '[project]\nname = "unborn"\n' > "$W/unborn/pyproject.toml"
q git init -q "$W/corrupt"
(cd "$W/corrupt" && printf '[project]\nname = "corrupt"\n' > pyproject.toml && git add -A && git commit -qm c) >/dev/null 2>&1
printf 'garbage' > "$W/corrupt/.git/index"
ln -s . "$W/plain/loop"

cd "$T" || exit 1
check_exit "list exits 0 despite broken repositories" 0 "$PYLOCK" list --json "$W"
printf '%s' "$out" > "$T/list.json"
printf '%s' "$err" > "$T/list.err"
field() {	# field PATH-SUFFIX KEY
	python3 - "$T/list.json" "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rows = [p for p in d["projects"] if p["path"].endswith(sys.argv[2])]
print("missing" if not rows else json.dumps(rows[0][sys.argv[3]]))
PY
}
check_equal "app: name from pyproject" "$(field /ws/app name)" '"the-app"'
check_equal "app: branch" "$(field /ws/app branch)" '"main"'
check_equal "app: ahead of upstream" "$(field /ws/app ahead)" '2'
check_equal "app: behind upstream" "$(field /ws/app behind)" '1'
check_equal "app: lock clean" "$(field /ws/app lock)" '"clean"'
check_equal "app: packages counted" "$(field /ws/app packages)" '2'
check_equal "app: repo is its work tree" "$(field /ws/app repo)" "\"$W/app\""
check_equal "app: env not built yet" "$(field /ws/app env)" 'null'
check_equal "app: not a worktree" "$(field /ws/app worktree_of)" 'null'
check_equal "worktree: its own row" "$(field /ws/app-wt branch)" '"feature"'
check_equal "worktree: marked as worktree of app" "$(field /ws/app-wt worktree_of)" "\"$W/app\""
check_equal "worktree: no upstream" "$(field /ws/app-wt ahead)" 'null'
check_equal "mono: alpha" "$(field /mono/libs/alpha name)" '"alpha"'
check_equal "mono: gamma" "$(field /mono/libs/gamma name)" '"gamma"'
check_equal "mono: beta's lock modified" "$(field /mono/libs/beta lock)" '"modified"'
check_equal "mono: beta's working-tree lock counted" "$(field /mono/libs/beta packages)" '2'
check_equal "mono: alpha has no lock" "$(field /mono/libs/alpha lock)" '"none"'
check_equal "mono: ignored project not listed" "$(field /build/gen name)" 'missing'
check_equal "merge: lock conflicted" "$(field /ws/merge lock)" '"conflicted"'
check_equal "merge: conflicted lock has no count" "$(field /ws/merge packages)" 'null'
check_equal "staged lock" "$(field /ws/staged lock)" '"staged"'
check_equal "untracked lock" "$(field /ws/untracked lock)" '"untracked"'
check_equal "submodule project found" "$(field /vendor/inner name)" '"inner"'
check_equal "superproject found" "$(field /ws/super name)" '"outer"'
check_equal "plain: outside git" "$(field /plain/tool repo)" 'null'
check_equal "plain: no branch" "$(field /plain/tool branch)" 'null'
check_equal "detached: @sha" "$(field /detached/libs/alpha branch | cut -c1-2)" '"@'
check_equal "unborn: branch to be born" "$(field /ws/unborn branch)" '"main"'
check_equal "dangling .git: skipped" "$(field /ws/dangling name)" 'missing'
check_contains "dangling .git: warned" "$(cat "$T/list.err")" "$W/dangling: cannot open repository"
check_contains "bare repository: warned" "$(cat "$T/list.err")" "$W/bare.git: bare repository"
check_contains "corrupt index: warned" "$(cat "$T/list.err")" "$W/corrupt: cannot read the index"
check_equal "corrupt index: top-level project still listed" "$(field /ws/corrupt name)" '"corrupt"'
check_equal "each project once (symlink loop not followed)" \
	"$(python3 -c 'import json,sys; p=[x["path"] for x in json.load(open(sys.argv[1]))["projects"]]; print(len(p) == len(set(p)), len(p))' "$T/list.json")" \
	"True 16"

# The table: aligned, plain when piped, one row per project.
check_exit "list table exits 0" 0 "$PYLOCK" list "$W"
check_contains "the table has a header" "$out" "NAME"
check_contains "the table shows upstream counts" "$out" "+2 -1"
check_contains "the table marks worktrees" "$out" "the-app [worktree]"
check_not_contains "no colour when piped" "$out" "$(printf '\033')"
check_contains "the table counts rows" "$out" "16 projects"

# Roots from config.yaml, ~ expanded; depth bounds the walk outside git.
mkdir -p "$PYLOCK_HOME/config"
printf 'roots:\n  - ~/../ws/plain\ndepth: 1\n' > "$PYLOCK_HOME/config/config.yaml"
check_exit "list with roots from config" 0 "$PYLOCK" list --json
check_contains "config roots are used" "$out" "plain-tool"
check_not_contains "only config roots" "$out" "the-app"
printf 'depth: 0\n' > "$PYLOCK_HOME/config/config.yaml"
cd "$W/plain" || exit 1
check_exit "list with depth 0" 0 "$PYLOCK" list --json
check_not_contains "depth 0 does not descend" "$out" "plain-tool"
printf 'roots: 3\n' > "$PYLOCK_HOME/config/config.yaml"
check_exit "a bad config is an input error" 2 "$PYLOCK" list
check_contains "the config error has a position" "$err" "config.yaml:1:8: 'roots' must be a list"
printf 'rootz: []\n' > "$PYLOCK_HOME/config/config.yaml"
check_exit "an unknown setting is an input error" 2 "$PYLOCK" list
check_contains "the unknown setting is named" "$err" "config.yaml:1:1: unknown setting 'rootz'"
rm "$PYLOCK_HOME/config/config.yaml"

# A folder without permission, as an unprivileged user.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	mkdir -p "$T/perm/open/p" "$T/perm/closed/p"
	printf '[project]\nname = "visible"\n' > "$T/perm/open/p/pyproject.toml"
	printf '[project]\nname = "hidden"\n' > "$T/perm/closed/p/pyproject.toml"
	chmod 755 "$T" "$T/perm" "$T/perm/open" "$T/perm/open/p"
	chmod 700 "$T/perm/closed"
	chmod 644 "$T/perm/open/p/pyproject.toml"
	# A copy: the unprivileged user may not reach the build folder.
	cp "$PYLOCK" "$T/pylock" && chmod 755 "$T/pylock"
	run setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/nonexistent PYLOCK_HOME="$T/perm" "$T/pylock" list "$T/perm"
	check_equal "an unreadable folder does not stop the listing" "$rc" 0
	check_contains "the readable project is listed" "$out" "visible"
	check_contains "the unreadable folder is warned about" "$err" "$T/perm/closed: cannot read folder: Permission denied"
else
	skip "an unreadable folder does not stop the listing" "needs root to switch to an unprivileged user"
fi

done_testing
