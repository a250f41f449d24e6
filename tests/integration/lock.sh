#!/bin/sh
# `pylock lock` / `upgrade`: pyproject.toml resolved by PubGrub against
# generated indexes (file:// folders, PEP 691 JSON and PEP 503 HTML, PEP 658
# metadata files), every result checked by Python's tomllib and pip's
# packaging (tests/tools/lock-check.py), and compared with Debian's pip as an
# independent resolver (`pip install --dry-run --report`) wherever pip's
# choice is the unique newest solution.
. "$srcdir/tests/integration/lib.sh"

SRC=$(cd "$srcdir" && pwd)
PY=/usr/bin/python3
[ -x "$PY" ] || { skip "lock" "needs Debian's python3"; done_testing; exit; }
mkdir -p "$PYLOCK_HOME/config"
printf 'python: %s\n' "$PY" > "$PYLOCK_HOME/config/config.yaml"
printf 'mode: warn\n' > "$PYLOCK_HOME/config/policy.yaml"
export PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

# case NAME SPEC REQUIREMENT...: an index from SPEC (make-index.py) and a
# project depending on the requirements, in $d.
case_setup() {
	d="$T/$1"
	mkdir -p "$d/proj"
	printf '%s\n' "$2" > "$d/spec.json"
	shift 2
	$PY "$SRC/tests/tools/make-index.py" "$d/idx" "$d/spec.json" || exit 1
	reqs=$*
	{
		printf '[project]\nname = "case"\nversion = "1"\ndependencies = ['
		for r in "$@"; do printf '"%s", ' "$r"; done
		printf ']\n'
	} > "$d/proj/pyproject.toml"
}
lock() { run "$PYLOCK" lock --index "file://$d/idx/simple" "$@" "$d/proj"; }
# The lock's versions, after lock-check.py found every requirement met.
chosen() {
	# shellcheck disable=SC2086
	$PY "$SRC/tests/tools/lock-check.py" "$d/proj/pylock.toml" "$d/spec.json" $reqs 2>&1
}
# pip's choice for the same requirements, as "name==version ...".
pip_choice() {
	# shellcheck disable=SC2086
	$PY -m pip install --dry-run --ignore-installed --break-system-packages --quiet --report "$d/report.json" \
		--index-url "file://$d/idx/simple" $reqs > /dev/null 2>&1 || { echo "pip failed"; return; }
	$PY -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(" ".join(sorted(i["metadata"]["name"].lower() + "==" + i["metadata"]["version"] for i in r["install"])))' \
		"$d/report.json"
}
# solved NAME SPEC WANT REQUIREMENT...: locks, checks, and compares with pip.
solved() {
	name=$1 spec=$2 want=$3
	shift 3
	case_setup "$name" "$spec" "$@"
	lock
	if [ "$rc" != 0 ]; then
		not_ok "$name: locks" "exit $rc" "$err"
		return
	fi
	got=$(chosen)
	check_equal "$name: versions (every requirement met)" "$got" "$want"
	# pip is the same program under any build of pylock: asked once, in
	# the plain build.
	[ "${SANITIZED:-no}" = yes ] || check_equal "$name: the same as pip's" "$(pip_choice)" "$want"
}

solved chain '{"a": {"1.0": {"deps": ["b>=1"]}, "2.0": {"deps": ["b>=2"]}},
 "b": {"1.0": {}, "2.0": {"deps": ["c<3"]}}, "c": {"1.0": {}, "2.0": {}, "3.0": {}}}' \
	"a==2.0 b==2.0 c==2.0" a
solved diamond '{"left": {"1.0": {"deps": ["shared>=1"]}}, "right": {"1.0": {"deps": ["shared<2"]}},
 "shared": {"1.0": {}, "1.5": {}, "2.0": {}}}' "left==1.0 right==1.0 shared==1.5" left right
solved backtrack '{"alpha": {"1.0": {"deps": ["beta>=1"]}, "2.0": {"deps": ["beta>=2"]}},
 "beta": {"1.0": {}, "2.0": {"deps": ["gamma<2"]}}, "gamma": {"1.0": {}, "2.0": {}}}' \
	"alpha==1.0 beta==1.0 gamma==2.0" alpha "gamma>=2"
solved markers '{"a": {"1.0": {"deps": ["b; sys_platform == '"'linux'"'", "c; python_version < '"'3'"'",
 "d>=2; platform_system != '"'Linux'"'"]}}, "b": {"1.0": {}}, "c": {"1.0": {}}, "d": {"1.0": {}}}' "a==1.0 b==1.0" a
solved requires-python '{"a": {"1.0": {}, "2.0": {"requires_python": ">=3.99"}}}' "a==1.0" a
solved yanked '{"a": {"1.0": {}, "2.0": {"yanked": true}}}' "a==1.0" a
solved yanked-pinned '{"a": {"1.0": {}, "2.0": {"yanked": true}}}' "a==2.0" "a==2.0"
solved prerelease '{"a": {"1.0": {}, "2.0rc1": {}}}' "a==1.0" a
solved prerelease-asked '{"a": {"1.0": {}, "2.0rc1": {}}}' "a==2.0rc1" "a>=2.0rc1"
solved extra-of-dependency '{"a": {"1.0": {"extras": {"socks": ["pysocks>=1"]}}}, "pysocks": {"1.0": {}, "1.1": {}}}' \
	"a==1.0 pysocks==1.1" "a[socks]"
solved deep-backtrack '{"top": {"1.0": {"deps": ["mid>=1"]}, "2.0": {"deps": ["mid>=2"]}, "3.0": {"deps": ["mid>=3"]}},
 "mid": {"1.0": {"deps": ["leaf<2"]}, "2.0": {"deps": ["leaf>=2,<3"]}, "3.0": {"deps": ["leaf>=3"]}},
 "leaf": {"1.0": {}, "2.0": {}, "3.0": {"deps": ["clash"]}}, "clash": {"1.0": {"deps": ["leaf<3"]}}}' \
	"leaf==2.0 mid==2.0 top==2.0" top

# Only pre-releases: the only match is taken.
case_setup only-pre '{"a": {"1.0b1": {}}}' a
lock
check_equal "a pre-release is taken when it is the only match" "$(chosen)" "a==1.0b1"

# No solution: the explanation names the packages and the requirements.
case_setup conflict '{"alpha": {"1.0": {"deps": ["beta>=2"]}, "2.0": {"deps": ["beta>=2"]}},
 "beta": {"1.0": {}, "2.0": {}}, "gamma": {"1.0": {"deps": ["beta<2"]}, "1.1": {"deps": ["beta<2"]}}}' alpha gamma
lock
check_equal "no solution exits 1" "$rc" 1
check_contains "the explanation says what alpha needs" "$err" "every version of alpha depends on beta>=2"
check_contains "and what gamma needs" "$err" "every version of gamma depends on beta<2"
check_contains "and how they meet" "$err" "every version of alpha and every version of gamma are incompatible"
check_contains "and that they clash" "$err" "no set of versions satisfies case's requirements"
check_exit "no lock is written" 1 test -e "$d/proj/pylock.toml"
case_setup missing '{"a": {"1.0": {}}}' "a>=5"
lock
check_contains "a requirement no version matches" "$err" "case depends on a>=5, which no version of a on the index matches"

# Extras and dependency groups of the project: one lock, PEP 751 markers.
case_setup groups '{"core": {"1.0": {}}, "clix": {"1.0": {}}, "pytest": {"1.0": {}}, "ruff": {"1.0": {}},
 "shared": {"1.0": {}}}' core
cat >> "$d/proj/pyproject.toml" <<'TOML'
[project.optional-dependencies]
cli = ["clix", "shared"]
[dependency-groups]
test = ["pytest", "shared"]
dev = [{include-group = "test"}, "ruff"]
TOML
lock
check_exit "extras and groups lock" 0 test "$rc" = 0
marker() { $PY -c 'import sys, tomllib
for p in tomllib.load(open(sys.argv[1], "rb"))["packages"]:
    if p["name"] == sys.argv[2]: print(p.get("marker", "(none)"))' "$d/proj/pylock.toml" "$1"; }
check_equal "a main dependency has no marker" "$(marker core)" "(none)"
check_equal "an extra's package is marked by the extra" "$(marker clix)" "'cli' in extras"
check_equal "a group's package by the group" "$(marker pytest)" "'test' in dependency_groups or 'dev' in dependency_groups"
check_equal "include-group followed" "$(marker ruff)" "'dev' in dependency_groups"
check_equal "reached from an extra and a group" "$(marker shared)" \
	"'cli' in extras or 'test' in dependency_groups or 'dev' in dependency_groups"
top=$($PY -c 'import sys, tomllib; l = tomllib.load(open(sys.argv[1], "rb"))
print(l["extras"], l["dependency-groups"], l["default-groups"], l["created-by"].split()[0])' "$d/proj/pylock.toml")
check_equal "extras, dependency-groups, default-groups written" "$top" "['cli'] ['test', 'dev'] ['dev'] pylock"
check_exit "sync installs the default group" 0 "$PYLOCK" sync "$d/proj"
check_contains "core and the dev group (ruff, pytest, shared)" "$err" "4 packages"
check_exit "sync --extra cli adds the extra" 0 "$PYLOCK" sync --extra cli "$d/proj"
check_contains "clix too" "$err" "5 packages"

# Relocking: nothing changes unless something must; upgrade lifts that.
case_setup relock '{"a": {"1.0": {"deps": ["b"]}}, "b": {"1.0": {}}, "c": {"1.0": {}}}' a c
lock
cp "$d/proj/pylock.toml" "$T/first.toml"
lock
check_contains "a relock with nothing new says so" "$err" "pylock.toml is up to date"
check_exit "and leaves the file as it was" 0 cmp "$d/proj/pylock.toml" "$T/first.toml"
printf '{"a": {"1.0": {"deps": ["b"]}, "2.0": {"deps": ["b"]}}, "b": {"1.0": {}, "2.0": {}}, "c": {"1.0": {}, "2.0": {}}}\n' \
	> "$d/spec.json"
$PY "$SRC/tests/tools/make-index.py" "$d/idx" "$d/spec.json"
lock
check_exit "newer versions on the index do not move a lock" 0 cmp "$d/proj/pylock.toml" "$T/first.toml"
run "$PYLOCK" upgrade --index "file://$d/idx/simple" -C "$d/proj" c
check_equal "upgrade NAME moves that package only" "$(chosen)" "a==1.0 b==1.0 c==2.0"
check_contains "and says so in diff's words" "$out" "upgraded   c: 1.0 -> 2.0"
run "$PYLOCK" lock --upgrade --index "file://$d/idx/simple" "$d/proj"
check_equal "lock --upgrade moves everything" "$(chosen)" "a==2.0 b==2.0 c==2.0"
sed -i 's/"a", "c", /"a==1.0", "c", /' "$d/proj/pyproject.toml"
lock
check_equal "a changed requirement moves what it must" "$(chosen)" "a==1.0 b==2.0 c==2.0"
# A relock writes over the lock in its own layout: a person's (or another
# tool's) comments and the untouched entries stay byte for byte.
sed -i '1i # Kept by hand.' "$d/proj/pylock.toml"
sed -i 's/^name = "a"$/name = "a"  # pinned on purpose/' "$d/proj/pylock.toml"
cp "$d/proj/pylock.toml" "$T/hand.toml"
run "$PYLOCK" remove --index "file://$d/idx/simple" -C "$d/proj" c
check_contains "a relock keeps the file's comments" "$(cat "$d/proj/pylock.toml")" "$(printf '# Kept by hand.\nlock-version')"
check_contains "and its untouched entries as they were" "$(cat "$d/proj/pylock.toml")" 'name = "a"  # pinned on purpose'
awk '/^\[\[packages\]\]/{p=0} /^name = "c"/{p=1} p' "$T/hand.toml" > "$T/c-entry"
stray=$(diff "$T/hand.toml" "$d/proj/pylock.toml" | sed -n 's/^< //p' | grep -v -x -F -f "$T/c-entry" |
	grep -v -x -e '' -e '\[\[packages\]\]')
check_equal "only the removed package's lines go" "$stray" ""
check_equal "and none are added" "$(diff "$T/hand.toml" "$d/proj/pylock.toml" | grep -c '^>')" 0

# PEP 658: the metadata file is read, not the wheel (whose bytes here are
# not even a zip); without one, the wheel is fetched into the store.
case_setup metadata '{"a": {"1.0": {"bad_wheel": true, "deps": ["bee"]}}, "bee": {"1.0": {"no_metadata_file": true}}}' a
lock
check_equal "metadata from .metadata files and from the wheel" "$(chosen)" "a==1.0 bee==1.0"
sha=$(sha256sum "$d/idx/files/bee-1.0-py3-none-any.whl" | cut -d' ' -f1)
check_exit "the wheel read for its metadata is in the store" 0 \
	test -f "$PYLOCK_HOME/data/blobs/sha256/$(echo "$sha" | cut -c1-2)/$(echo "$sha" | cut -c3-)"
check_exit "and its metadata in the cache, by the wheel's sha256" 0 \
	test -f "$PYLOCK_HOME/cache/metadata/$(echo "$sha" | cut -c1-2)/$(echo "$sha" | cut -c3-).metadata"
# The same index as HTML pages only.
find "$d/idx" -name index.json -delete
rm -f "$d/proj/pylock.toml"
lock
check_equal "PEP 503 HTML pages give the same lock" "$(chosen)" "a==1.0 bee==1.0"

# Several environments: one lock, entries marked by the ones that chose them.
case_setup envs '{"a": {"1.0": {}, "2.0": {"requires_python": ">=3.12"}}, "b": {"1.0": {}}, "w": {"1.0": {}}}' a b \
	"w; sys_platform == 'win32'"
lock --env "python_version == '3.11' and sys_platform == 'linux'" \
	--env "python_version == '3.12' and sys_platform == 'linux'" \
	--env "python_version == '3.12' and sys_platform == 'win32'"
check_exit "three environments lock" 0 test "$rc" = 0
entries=$($PY -c 'import sys, tomllib
for p in tomllib.load(open(sys.argv[1], "rb"))["packages"]: print(p["name"], p["version"], p.get("marker", "-"))' \
	"$d/proj/pylock.toml")
check_contains "a version every environment uses has no marker" "$entries" "b 1.0 -"
check_contains "a 1.0 for 3.11" "$entries" "a 1.0 (python_version == '3.11' and sys_platform == 'linux')"
check_contains "a 2.0 for both 3.12s" "$entries" \
	"a 2.0 (python_version == '3.12' and sys_platform == 'linux') or (python_version == '3.12' and sys_platform == 'win32')"
check_contains "a Windows-only dependency marked Windows-only" "$entries" \
	"w 1.0 (python_version == '3.12' and sys_platform == 'win32')"
envs=$($PY -c 'import sys, tomllib; print(len(tomllib.load(open(sys.argv[1], "rb"))["environments"]))' "$d/proj/pylock.toml")
check_equal "environments recorded" "$envs" 3
lock --env "python_version >= '3.99'"
check_equal "a marker this interpreter does not meet, without == pins, is refused" "$rc" 2
check_contains "saying how to write one" "$err" "pin its variables with =="
lock --env "python_version = '3'"
check_equal "a malformed marker is refused" "$rc" 2

# The trust policy: under enforce only admitted wheels are candidates.
"$PYLOCK" key generate "$T/corp" > /dev/null
case_setup signed '{"a": {"1.0": {}, "2.0": {}}, "b": {"1.0": {}}}' a
"$PYLOCK" sign --key "$T/corp.key" "$d/idx/files/a-1.0-py3-none-any.whl" > /dev/null
printf 'mode: enforce\nkeys: [{id: corp, file: %s}]\n' "$T/corp.pub" > "$PYLOCK_HOME/config/policy.yaml"
lock
check_equal "the newest signed version is chosen over a newer unsigned one" "$(chosen)" "a==1.0"
check_exit "and sync accepts the lock" 0 "$PYLOCK" sync "$d/proj"
sed -i 's/"a", /"a", "b", /' "$d/proj/pyproject.toml"
reqs="a b"
lock
check_equal "nothing signed: no solution" "$rc" 1
check_contains "the explanation names the policy and the version" "$err" "b 1.0 is not admitted by the trust policy (unsigned"
check_contains "and says what would consider them" "$err" "--allow-unverified"
lock --allow-unverified
check_equal "--allow-unverified locks them (a stays where it was locked)" "$(chosen)" "a==1.0 b==1.0"
check_contains "and the lock says so" "$(cat "$d/proj/pylock.toml")" "allow-unverified = true"
printf 'mode: warn\n' > "$PYLOCK_HOME/config/policy.yaml"

# add / remove edit pyproject.toml in place, then relock.
case_setup addrm '{"a": {"1.0": {}, "2.0": {}}, "b": {"1.0": {}}, "pytest": {"1.0": {}}}' a
cat > "$d/proj/pyproject.toml" <<'TOML'
# The demo project.
[project]
name = "case"
version = "1"
dependencies = [
    "a",  # the one we need
]

[tool.other]
keep = "this"
TOML
idx="--index=file://$d/idx/simple"
run "$PYLOCK" add "$idx" -C "$d/proj" b
check_equal "add exits 0" "$rc" 0
check_contains "add says what changed in the lock" "$out" "added      b 1.0"
check_equal "add writes only the new element" "$(sed -n 5,8p "$d/proj/pyproject.toml")" \
	"$(printf 'dependencies = [\n    "a",  # the one we need\n    "b",\n]')"
check_contains "and keeps the rest" "$(cat "$d/proj/pyproject.toml")" "$(printf '# The demo project.\n[project]')"
reqs="a b"
check_equal "the lock has it" "$(chosen)" "a==2.0 b==1.0"
run "$PYLOCK" add "$idx" -C "$d/proj" --group test pytest
check_contains "add --group writes a dependency group" "$(cat "$d/proj/pyproject.toml")" \
	"$(printf '[dependency-groups]\ntest = ["pytest"]')"
check_equal "locked under its group's marker" "$(marker pytest)" "'test' in dependency_groups"
run "$PYLOCK" add "$idx" -C "$d/proj" "a==1.0"
check_contains "add of a named project replaces its requirement" "$(cat "$d/proj/pyproject.toml")" \
	'"a==1.0",  # the one we need'
check_contains "and relocks it" "$out" "downgraded a: 2.0 -> 1.0"
cp "$d/proj/pyproject.toml" "$T/before.toml"
cp "$d/proj/pylock.toml" "$T/before.lock"
run "$PYLOCK" add "$idx" -C "$d/proj" "a>=3"
check_equal "add of what cannot be locked exits 1" "$rc" 1
check_contains "saying pyproject.toml is left alone" "$err" "pyproject.toml is left as it was"
check_exit "which it is, byte for byte" 0 cmp "$d/proj/pyproject.toml" "$T/before.toml"
check_exit "and the lock too" 0 cmp "$d/proj/pylock.toml" "$T/before.lock"
run "$PYLOCK" remove "$idx" -C "$d/proj" B
check_contains "remove relocks without it" "$out" "removed    b 1.0"
check_not_contains "remove takes its element (any spelling)" "$(cat "$d/proj/pyproject.toml")" '"b"'
check_contains "and keeps the comment of the one before" "$(cat "$d/proj/pyproject.toml")" '"a==1.0",  # the one we need'
run "$PYLOCK" remove "$idx" -C "$d/proj" zzz
check_equal "remove of a name no list has exits 2" "$rc" 2
check_contains "naming it" "$err" "no requirement names 'zzz'"
run "$PYLOCK" add "$idx" -C "$d/proj" --group dev --optional x c
check_equal "--group and --optional together are refused" "$rc" 2

# A PyPI attestation (a real one, tests/data/sigstore) makes a file a
# candidate under enforce, and the lock records who published it.
A="$T/attested"
mkdir -p "$A/files" "$A/simple/abi3info" "$A/proj"
w=abi3info-2024.10.8-py3-none-any.whl
cp "$SRC/tests/data/sigstore/pypi/$w" "$SRC/tests/data/sigstore/pypi/$w.provenance" "$A/files/"
printf '{"meta": {"api-version": "1.1"}, "name": "abi3info", "files": [{"filename": "%s", "url": "../../files/%s", "hashes": {"sha256": "%s"}, "provenance": "../../files/%s.provenance", "requires-python": ">=3.8"}]}\n' \
	"$w" "$w" "$(sha256sum "$A/files/$w" | cut -d' ' -f1)" "$w" > "$A/simple/abi3info/index.json"
printf '[project]\nname = "attested"\nversion = "1"\ndependencies = ["abi3info"]\n' > "$A/proj/pyproject.toml"
printf 'mode: enforce\nsigstore:\n  identities:\n    - {issuer: "https://token.actions.githubusercontent.com", san-regexp: "^https://github\\\\.com/woodruffw/"}\n' \
	> "$PYLOCK_HOME/config/policy.yaml"
run "$PYLOCK" lock --index "file://$A/simple" "$A/proj"
check_equal "an attested wheel is a candidate under enforce" "$rc" 0
ids=$($PY -c 'import sys, tomllib
for p in tomllib.load(open(sys.argv[1], "rb"))["packages"]:
    print(p["name"], p.get("attestation-identities"))' "$A/proj/pylock.toml")
check_equal "the lock records its publisher" "$ids" \
	"abi3info [{'kind': 'GitHub', 'repository': 'woodruffw/abi3info', 'workflow': 'release.yml'}]"
check_exit "and verify accepts the lock" 0 "$PYLOCK" verify "$A/proj"
check_contains "by that publisher" "$out" "GitHub woodruffw/abi3info release.yml"
printf 'mode: enforce\nsigstore:\n  identities:\n    - {issuer: "https://token.actions.githubusercontent.com", san-regexp: "^https://github\\\\.com/someone-else/"}\n' \
	> "$PYLOCK_HOME/config/policy.yaml"
rm "$A/proj/pylock.toml"
run "$PYLOCK" lock --index "file://$A/simple" "$A/proj"
check_equal "an attestation by a publisher the policy does not accept: no solution" "$rc" 1
check_contains "saying why" "$err" "abi3info 2024.10.8 is not admitted by the trust policy (untrusted-signer"
printf 'mode: warn\n' > "$PYLOCK_HOME/config/policy.yaml"

# The same index served over https: PEP 503 HTML and PEP 691 JSON pages,
# PEP 658 metadata files fetched by URL.
if command -v openssl > /dev/null; then
	case_setup https '{"a": {"1.0": {"deps": ["b>=1"]}, "2.0": {"deps": ["b>=2"]}}, "b": {"1.0": {}, "2.0": {}}}' a
	cp -r "$d/idx/simple" "$d/idx/json"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=pylock-test-ca \
		-keyout "$T/ca.key" -out "$T/ca.pem" 2>/dev/null
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=127.0.0.1 \
		-keyout "$T/srv.key" -out "$T/srv.csr" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1\n' > "$T/ext"
	openssl x509 -req -in "$T/srv.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial -days 2 \
		-extfile "$T/ext" -out "$T/srv.pem" 2>/dev/null
	$PY "$SRC/tests/tools/https-server.py" "$d/idx" "$T/srv.pem" "$T/srv.key" "$T/port" 2>/dev/null &
	server=$!
	on_exit "kill $server 2>/dev/null"
	if wait_for test -s "$T/port"; then
		U="https://127.0.0.1:$(cat "$T/port")"
		printf 'python: %s\nfetch:\n  ca-file: %s\n' "$PY" "$T/ca.pem" > "$PYLOCK_HOME/config/config.yaml"
		run "$PYLOCK" lock --index "$U/simple" "$d/proj"
		check_equal "an https index of HTML pages locks" "$(chosen)" "a==2.0 b==2.0"
		check_contains "its files' URLs are the server's" "$(cat "$d/proj/pylock.toml")" "url = \"$U/files/a-2.0-py3-none-any.whl\""
		rm "$d/proj/pylock.toml"
		run "$PYLOCK" lock --index "$U/json" "$d/proj"
		check_equal "an https index of PEP 691 JSON pages too" "$(chosen)" "a==2.0 b==2.0"
		check_contains "with sizes and upload times" "$(cat "$d/proj/pylock.toml")" "upload-time = 2024-01-01T00:00:00"
		printf 'python: %s\n' "$PY" > "$PYLOCK_HOME/config/config.yaml"
	else
		not_ok "the test server started"
	fi
fi

# Bad input.
case_setup bad '{"a": {"1.0": {}}}' "a >=< 1"
lock
check_equal "a malformed requirement is refused" "$rc" 2
check_contains "naming pyproject.toml" "$err" "pyproject.toml: project.dependencies: 'a >=< 1' is not a requirement"
case_setup rp '{"a": {"1.0": {}}}' a
printf 'requires-python = ">=3.99"\n' >> "$d/proj/pyproject.toml"
lock
check_equal "a project whose requires-python this interpreter does not meet" "$rc" 2
check_contains "says so" "$err" "requires-python is >=3.99, and this interpreter has Python 3."
lock --env "python_version == '3.99' and sys_platform == 'linux'"
check_equal "an environment that meets it locks" "$rc" 0
mkdir -p "$T/empty"
run "$PYLOCK" lock "$T/empty"
check_equal "no project there" "$rc" 2
printf '[project]\nname = "x"\n' > "$T/empty/pyproject.toml"
run "$PYLOCK" lock --index "http://example.org/simple" "$T/empty"
check_equal "an http:// index is refused" "$rc" 2
done_testing
