#!/bin/sh
# pylock diff over a real git history: words, JSON, revisions and ranges.
. "$srcdir/tests/integration/lib.sh"

export HOME="$T/home" GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t
mkdir -p "$HOME" "$T/repo/app"
H1=c75a69e28a550a7e93789579c22aa26b0f5b83b75dc4e08fe092980051e1090a
H2=d75a69e28a550a7e93789579c22aa26b0f5b83b75dc4e08fe092980051e1090a
cd "$T/repo" || exit 1
git init -q -b main
printf '[project]\nname = "app"\n' > app/pyproject.toml
lock() {	# lock VERSION-OF-A HASH-OF-B PUBLISHER EXTRA-PACKAGE
	printf "lock-version = '1.0'\ncreated-by = 'test'\n"
	printf "[[packages]]\nname = 'a'\nversion = '%s'\n" "$1"
	printf "[[packages]]\nname = 'b'\nversion = '2.0'\n"
	printf "wheels = [{url = 'https://x/b-2.0-py3-none-any.whl', hashes = {sha256 = '%s'}}]\n" "$2"
	printf "attestation-identities = [{kind = 'GitHub', repository = '%s'}]\n" "$3"
	[ -n "$4" ] && printf "[[packages]]\nname = '%s'\nversion = '1'\n" "$4"
	true
}
lock 1.0 "$H1" org/b "" > app/pylock.toml
git add -A && git commit -qm one && git tag v1
lock 1.1 "$H1" org/b new-pkg > app/pylock.toml
git commit -qam two
git checkout -qb other
lock 0.9 "$H1" org/b "" > app/pylock.toml
git commit -qam other
git checkout -q main
cd app || exit 1

check_exit "no change against HEAD" 0 "$PYLOCK" diff
check_contains "it says so" "$out" "0 changes"
check_exit "--exit-code without changes is 0" 0 "$PYLOCK" diff --exit-code
# diff and show read no config.yaml: a broken one stops neither (commands
# that need it, such as status, stop and name its place).
mkdir -p "$PYLOCK_HOME/config" && printf 'depth: [\n' > "$PYLOCK_HOME/config/config.yaml"
check_exit "a broken config.yaml does not stop diff" 0 "$PYLOCK" diff
check_exit "nor show" 0 "$PYLOCK" show
check_exit "status stops" 2 "$PYLOCK" status
check_contains "naming the file and place" "$err" "config.yaml:2:1"
rm "$PYLOCK_HOME/config/config.yaml"

check_exit "diff against a tag" 0 "$PYLOCK" diff v1
check_contains "an upgrade in words" "$out" "upgraded   a: 1.0 -> 1.1"
check_contains "an added package" "$out" "added      new-pkg 1"
check_exit "--exit-code with changes is 1" 1 "$PYLOCK" diff --exit-code v1

check_exit "a range of two revisions" 0 "$PYLOCK" diff main..other
check_contains "a downgrade in words" "$out" "downgraded a: 1.1 -> 0.9"
check_contains "a removal in words" "$out" "removed    new-pkg 1"
check_exit "REV:path works" 0 "$PYLOCK" diff "v1:app/pylock.toml"
check_contains "REV:path compares that file" "$out" "upgraded   a: 1.0 -> 1.1"

lock 1.1 "$H2" org/b new-pkg > pylock.toml
check_exit "a same-version hash change is a change" 0 "$PYLOCK" diff
check_contains "it is flagged suspicious" "$out" "changed    b 2.0 (suspicious: same version, different file: b-2.0-py3-none-any.whl)"
check_contains "the summary warns" "$out" "SUSPICIOUS"
lock 1.1 "$H1" evil/b new-pkg > pylock.toml
check_exit "a new publisher is a change" 0 "$PYLOCK" diff --json
printf '%s' "$out" > "$T/d.json"
check_equal "JSON names the change and flags it" \
	"$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["changes"]; print(len(c), c[0]["name"], c[0]["kind"], ",".join(c[0]["flags"]))' "$T/d.json")" \
	"1 b changed attestations-changed,suspicious"

sed "s|https://x/|https://exfil.example/data/|" pylock.toml > "$T/moved" && mv "$T/moved" pylock.toml
check_exit "a file moved to another host is a change" 0 "$PYLOCK" diff
check_contains "flagged host-changed" "$out" "[source-changed, attestations-changed, host-changed]"
check_contains "and the summary warns" "$out" "SUSPICIOUS: a URL on a host the lock did not name before"
{ cat pylock.toml; printf "[[packages]]\nname = 'c'\nversion = '1'\nwheels = [{url = 'https://exfil.example/c-1-py3-none-any.whl', hashes = {sha256 = '%s'}}]\n" "$H1"; } > "$T/added" && mv "$T/added" pylock.toml
check_exit "an added package on a new host" 0 "$PYLOCK" diff --json
check_contains "is flagged too" "$out" '"host-changed"'

# A vcs entry moved to another commit, and a package's [packages.tool]
# table: changes --exit-code sees.
git checkout -q pylock.toml 2>/dev/null
vcslock() {	# vcslock COMMIT TOOL-VALUE
	lock 1.1 "$H1" org/b new-pkg
	printf "[[packages]]\nname = 'from-git'\nvcs = {type = 'git', url = 'https://example.org/g.git', commit-id = '%s'}\n" "$1"
	printf "[packages.tool.pdm]\nsource = '%s'\n" "$2"
}
vcslock 1111111111111111111111111111111111111111 a > pylock.toml
git commit -qam vcs
vcslock 2222222222222222222222222222222222222222 a > pylock.toml
check_exit "a vcs commit change is a change" 1 "$PYLOCK" diff --exit-code
check_contains "named with both commits" "$out" "from-git"
check_contains "said as a commit change" "$out" "commit-changed"
check_contains "with the commits" "$out" "commit 111111111111 -> 222222222222"
vcslock 1111111111111111111111111111111111111111 b > pylock.toml
check_exit "a change inside [packages.tool] is a change" 1 "$PYLOCK" diff --exit-code
check_contains "said so" "$out" "tool-changed"
git checkout -q pylock.toml

check_exit "an unknown revision is an input error" 2 "$PYLOCK" diff no-such-rev
check_contains "it says so" "$err" "unknown revision"
rm pylock.toml
check_exit "a deleted lock: everything removed" 0 "$PYLOCK" diff
check_contains "the removal is listed" "$out" "removed    a 1.1"
mkdir -p "$T/plain" && printf '[project]\nname = "plain"\n' > "$T/plain/pyproject.toml"
check_exit "outside git is an input error" 2 "$PYLOCK" diff "$T/plain"
check_contains "it says so" "$err" "not in a git repository"

done_testing
