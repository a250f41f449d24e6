#!/bin/sh
# `pylock import` of the formats that name files by hash but not by URL:
# pdm.lock (a real one, tests/data/import-locks/pdm-streamlet), poetry.lock
# in Poetry 2's layout with every source kind (poetry-features) and hashed
# requirements files. Their files are found on file:// indexes written from
# the locks (tests/tools/mirror-index.py); each result is checked against
# its source by tests/tools/import-check.py (groups, hashes, markers over a
# grid of environments), independently of pylock.
. "$srcdir/tests/integration/lib.sh"

SRC=$(cd "$srcdir" && pwd)
CHECK="/usr/bin/python3 $SRC/tests/tools/import-check.py"
MIRROR="python3 $SRC/tests/tools/mirror-index.py"
for name in pdm-streamlet poetry-features; do
	cp -r "$SRC/tests/data/import-locks/$name" "$T/$name"
done
$MIRROR "$T/good" "$T/pdm-streamlet/pdm.lock"
$MIRROR "$T/evil" "$T/pdm-streamlet/pdm.lock" --swap
$MIRROR "$T/short" "$T/pdm-streamlet/pdm.lock" --drop cfgv-3.5.0.tar.gz
GOOD="file://$T/good/simple"

# pdm.lock: the groups PDM recorded, the index's URLs, sizes and times.
P="$T/pdm-streamlet"
check_exit "pdm.lock imported" 0 "$PYLOCK" import --index "$GOOD" "$P"
check_contains "all five packages (default and dev)" "$out" "(5 packages)"
check_contains "as pdm.lock says them, hash for hash, marker for marker" \
	"$($CHECK "$P/pdm.lock" "$P/pylock.toml" --groups default,dev)" "ok 5 packages"
check_exit "pylock reads it" 0 "$PYLOCK" show "$P"
check_contains "the URL, size and upload time the index gives" "$(cat "$P/pylock.toml")" \
	"{ url = \"file://$T/good/files/cfgv-3.5.0-py2.py3-none-any.whl\", upload-time = 2024-01-02T03:04:05Z, size = 31000,"
check_contains "the index it came from" "$(cat "$P/pylock.toml")" "index = \"$GOOD\""
check_contains "the lock's one target's Python" "$(cat "$P/pylock.toml")" 'requires-python = ">=3.10"'
check_contains "the decoy of another version is not taken" "$(grep -c '0.0.1' "$P/pylock.toml")" "0"
check_exit "--no-default-groups" 0 "$PYLOCK" import --no-default-groups --index "$GOOD" -o "$T/prod.toml" "$P"
check_contains "default only" "$($CHECK "$P/pdm.lock" "$T/prod.toml" --groups default)" "ok 1 packages"
check_exit "--check: matches" 0 "$PYLOCK" import --check --index "$GOOD" "$P"
check_contains "says so" "$out" "matches"
sed -i 's/^groups = \["dev"\]$/groups = ["other"]/' "$P/pdm.lock"
check_exit "--check after the source changed" 1 "$PYLOCK" import --check --no-default-groups --index "$GOOD" "$P"
check_contains "says what differs in diff's words" "$out" "removed    bandit 1.9.4"
cp "$SRC/tests/data/import-locks/pdm-streamlet/pdm.lock" "$P/pdm.lock"

# Matched by hash, never by name.
cp "$P/pylock.toml" "$T/before.toml"
check_exit "an index with the same names but other bytes" 2 "$PYLOCK" import --index "file://$T/evil/simple" "$P"
check_contains "names the file and the hash" "$err" "annotated-types 0.7.0: no index searched (file://$T/evil/simple) lists a file with sha256 hash 1f02e8b43a8fbbc3"
check_contains "at the file's line in pdm.lock" "$err" "pdm.lock:23:5:"
check_exit "nothing written" 0 cmp "$P/pylock.toml" "$T/before.toml"
check_exit "the evil index first, then the good one" 0 "$PYLOCK" import --index "file://$T/evil/simple" --index "$GOOD" -o "$T/both.toml" "$P"
check_not_contains "nothing from the evil index" "$(cat "$T/both.toml")" "/evil/"
check_exit "an index missing one file" 2 "$PYLOCK" import --index "file://$T/short/simple" "$P"
check_contains "that file is named" "$err" "(cfgv-3.5.0.tar.gz)"

# poetry.lock 2.1: groups, per-group markers, extras, every source kind.
Q="$T/poetry-features"
$MIRROR "$T/internal" "$Q/poetry.lock"
sed -i "s|MIRROR2|file://$T/internal/simple|" "$Q/poetry.lock"
check_exit "poetry.lock imported" 0 "$PYLOCK" import --index "$GOOD" "$Q"
check_contains "main and dev (docs is optional in pyproject.toml)" \
	"$($CHECK "$Q/poetry.lock" "$Q/pylock.toml" --groups main,dev --extras audit)" "ok 6 packages"
check_contains "extra == \"audit\" is PEP 751's extras marker" "$(grep -A2 'name = "bandit"' "$Q/pylock.toml")" \
	'marker = "\"audit\" in extras"'
check_contains "the lock lists its extras" "$(cat "$Q/pylock.toml")" 'extras = ["audit"]'
check_contains "a package in two groups: either group's marker" "$(grep -A2 'name = "colorama"' "$Q/pylock.toml")" \
	'marker = "(platform_system == \"Windows\" and \"audit\" in extras) or (sys_platform == \"win32\")"'
check_contains "a legacy source: its own index" "$(grep -A4 'name = "bandit"' "$Q/pylock.toml")" \
	"index = \"file://$T/internal/simple\""
check_contains "the others: the index searched" "$(grep -A3 'name = "annotated-types"' "$Q/pylock.toml")" "index = \"$GOOD\""
check_contains "git: vcs with its commit" "$(cat "$Q/pylock.toml")" \
	'vcs = { type = "git", url = "https://github.com/example/vendored.git", requested-revision = "main", commit-id = "0123456789abcdef0123456789abcdef01234567" }'
check_contains "a develop directory: editable" "$(cat "$Q/pylock.toml")" 'directory = { path = "libs/helper", editable = true }'
check_exit "pylock reads it" 0 "$PYLOCK" show "$Q"
check_exit "--all-groups" 0 "$PYLOCK" import --all-groups --index "$GOOD" -o "$T/all.toml" "$Q"
check_contains "the optional group too" \
	"$($CHECK "$Q/poetry.lock" "$T/all.toml" --groups main,dev,docs --extras audit)" "ok 7 packages"
check_exit "--no-default-groups --group docs" 0 "$PYLOCK" import --no-default-groups --group docs --index "$GOOD" -o "$T/docs.toml" "$Q"
check_contains "main and docs" "$($CHECK "$Q/poetry.lock" "$T/docs.toml" --groups main,docs --extras audit)" "ok 5 packages"
rm -rf "$T/internal/simple/bandit"
check_exit "a legacy source without the package" 2 "$PYLOCK" import --index "$GOOD" "$Q"
check_contains "only its own index is searched for it" "$err" "bandit 1.9.4: no index searched (file://$T/internal/simple)"

# Locks that record no groups per package, walked from pyproject.toml: a
# real pdm.lock (cross_platform strategy) and Poetry 1's layout.
W="$T/pdm-mpd-now-playable"
cp -r "$SRC/tests/data/import-locks/pdm-mpd-now-playable" "$W"
$MIRROR "$T/mpd" "$W/pdm.lock"
check_exit "a pdm.lock without groups per package" 0 "$PYLOCK" import --index "file://$T/mpd/simple" "$W"
ALL='{"aiocache": null, "attrs": null, "pyobjc-framework-mediaplayer": null, "python-mpd2": null,
 "pyobjc-core": null, "pyobjc-framework-avfoundation": null, "pyobjc-framework-cocoa": null,
 "pyobjc-framework-coreaudio": null, "pyobjc-framework-coremedia": null, "pyobjc-framework-quartz": null'
check_contains "every package the project and its dev group reach, through four levels" \
	"$($CHECK "$W/pdm.lock" "$W/pylock.toml" --expect "$ALL"', "mypy": null, "mypy-extensions": null,
	"typing-extensions": null, "ruff": null}')" "ok 14 packages"
check_exit "--no-default-groups" 0 "$PYLOCK" import --no-default-groups --index "file://$T/mpd/simple" -o "$T/mpd.toml" "$W"
check_contains "the dev group's four left out" "$($CHECK "$W/pdm.lock" "$T/mpd.toml" --expect "$ALL}")" "ok 10 packages"
sed -i 's/"python-mpd2>=3.1.0"/"python-mpd2>=4"/' "$W/pyproject.toml"
check_exit "a requirement the lock has no version for" 2 "$PYLOCK" import --index "file://$T/mpd/simple" "$W"
check_contains "named in pyproject.toml, at its line" "$err" \
	"pyproject.toml:12:5: requirement 'python-mpd2>=4' names no package the lock has at a version it allows"

V="$T/poetry1-walk"
cp -r "$SRC/tests/data/import-locks/poetry1-walk" "$V"
$MIRROR "$T/walk" "$V/poetry.lock"
WALK="file://$T/walk/simple"
check_exit "Poetry 1's lock-version 2.0" 0 "$PYLOCK" import --index "$WALK" "$V"
check_contains "main and dev-dependencies; python = \"<3.11\" as a marker" \
	"$($CHECK "$V/poetry.lock" "$V/pylock.toml" --expect '{"annotated-types": null,
	"backports-asyncio-runner": "python_version < \"3.11\"", "colorama": "sys_platform == \"win32\""}')" \
	"ok 3 packages"
check_contains "python = \"^3.10\" as requires-python" "$(cat "$V/pylock.toml")" 'requires-python = ">=3.10,<4"'
check_exit "--extra audit" 0 "$PYLOCK" import --extra audit --index "$WALK" -o "$T/audit.toml" "$V"
check_contains "the optional dependency, and what it requires under its marker" \
	"$($CHECK "$V/poetry.lock" "$T/audit.toml" --expect '{"annotated-types": null,
	"backports-asyncio-runner": "python_version < \"3.11\"", "bandit": null,
	"colorama": "sys_platform == \"win32\" or platform_system == \"Windows\""}')" "ok 4 packages"
check_exit "--all-groups" 0 "$PYLOCK" import --all-groups --index "$WALK" -o "$T/walk-all.toml" "$V"
check_contains "the optional group too" "$(grep -c 'name = "cfgv"' "$T/walk-all.toml")" "1"
# Two entries of one name, told apart by their Python constraints (as
# Poetry 1 locks a package whose versions differ by Python).
python3 - "$V/poetry.lock" <<'TWO'
import re, sys
p = sys.argv[1]
s = open(p).read()
s = s.replace('python-versions = "!=3.0.*,!=3.1.*,!=3.2.*,!=3.3.*,!=3.4.*,!=3.5.*,!=3.6.*,>=2.7"',
              'python-versions = ">=3.11"')
old = '[extras]'
s = s.replace(old, """[[package]]
name = "colorama"
version = "0.4.5"
description = "Cross-platform colored terminal text."
optional = false
python-versions = "<3.11"
files = [
    {file = "colorama-0.4.5-py2.py3-none-any.whl", hash = "sha256:%s"},
]

""" % ("5" * 64) + old)
open(p, "w").write(s)
TWO
$MIRROR "$T/walk2" "$V/poetry.lock"
check_exit "a name locked twice, by Python version" 0 "$PYLOCK" import --index "file://$T/walk2/simple" -o "$T/two.toml" "$V"
check_contains "each entry under its own Python constraint" \
	"$($CHECK "$V/poetry.lock" "$T/two.toml" --expect '{"annotated-types": null,
	"backports-asyncio-runner": "python_version < \"3.11\"",
	"colorama==0.4.6": "sys_platform == \"win32\" and python_version >= \"3.11\"",
	"colorama==0.4.5": "sys_platform == \"win32\" and python_version < \"3.11\""}')" "ok 3 packages"
sed -i 's/^python-versions = "<3.11"$/python-versions = ">=3.11"/' "$V/poetry.lock"
check_exit "two entries nothing tells apart" 2 "$PYLOCK" import --index "file://$T/walk2/simple" -o "$T/two.toml" "$V"
check_contains "said at the requirement" "$err" "pyproject.toml:10:12: requirement 'colorama ' allows 2 entries of the lock and nothing tells them apart"
cp "$SRC/tests/data/import-locks/poetry1-walk/poetry.lock" "$V/poetry.lock"
sed -i 's/^annotated-types = "^0.7"/annotated-types = "^0.8"/' "$V/pyproject.toml"
check_exit "a constraint the lock's version does not meet" 2 "$PYLOCK" import --index "$WALK" "$V"
check_contains "said at pyproject.toml's line" "$err" \
	"pyproject.toml:9:19: requirement 'annotated-types >=0.8,<0.9' names no package the lock has"

# Hashed requirements, as pip-compile writes them.
R="$T/req"
mkdir -p "$R"
H_AT_WHL=1f02e8b43a8fbbc3f3e0d4f0f4bfc8131bcb4eebe8849b8e5c773f3a1c582a53
H_AT_SD=aff07c09a53a08bc8cfccb9c85b05f1aa9a2a6f23728d790723543408344ce89
H_BAR=0da0a936a8aeb554eccb426dc55af3ba63bcdc69fa1a600b5bb305413a4477b5
H_COL=4f1d9991f5acc0ca119f9d443620b77f9d6b33703e51011c16baf57afb285fc6
cat > "$R/requirements.txt" <<REQ
#
# This file is autogenerated by pip-compile with Python 3.12
#
--index-url $GOOD
--extra-index-url file://$T/internal/simple
--trusted-host example.org

annotated-types==0.7.0 \\
    --hash=sha256:$H_AT_WHL \\
    --hash=sha256:$H_AT_SD
    # via pydantic
backports-asyncio-runner==1.2.0 ; python_version < "3.11" \\
    --hash=sha256:$H_BAR
colorama==0.4.6 ; sys_platform == "win32" --hash=sha256:$H_COL  # a trailing comment
REQ
check_exit "requirements.txt imported" 0 "$PYLOCK" import "$R"
check_contains "three pins" "$out" "(3 packages)"
check_contains "hash for hash and marker for marker" "$($CHECK "$R/requirements.txt" "$R/pylock.toml")" "ok 3 packages"
check_contains "found on --index-url" "$(grep -A3 'name = "colorama"' "$R/pylock.toml")" "index = \"$GOOD\""
check_exit "pylock reads it" 0 "$PYLOCK" show "$R"
cp "$R/pylock.toml" "$T/before.toml"
req_bad() { # NAME LINE EXPECTED
	printf -- "--index-url %s\n%s\n" "$GOOD" "$2" > "$R/requirements.txt"
	check_exit "$1: exit 2" 2 "$PYLOCK" import "$R"
	check_contains "$1: said at its line" "$err" "$3"
}
req_bad "unpinned" "annotated-types>=0.7 --hash=sha256:$H_AT_WHL" \
	"requirements.txt:2:1: annotated-types: not pinned to one version"
req_bad "unhashed" "annotated-types==0.7.0" "requirements.txt:2:1: annotated-types: no --hash"
req_bad "editable" "-e ./src" "requirements.txt:2:1: -e: an editable requirement names no hashed file"
req_bad "an include" "-r other.txt" "requirements.txt:2:1: -r: not yet read by pylock import"
req_bad "a hash no index lists" "annotated-types==0.7.0 --hash=sha256:$H_COL" \
	"requirements.txt:2:31: annotated-types 0.7.0: no index searched ($GOOD) lists a file with sha256 hash 4f1d9991f5acc0ca"
req_bad "a short digest" "annotated-types==0.7.0 --hash=sha256:abc" \
	"requirements.txt:2:31: hash: the sha256 digest is not the hex digits it must be"
req_bad "a bad marker" "annotated-types==0.7.0 ; python_version <<< '3' --hash=sha256:$H_AT_WHL" "requirements.txt:2:"
req_bad "twice" "$(printf 'colorama==0.4.6 --hash=sha256:%s\ncolorama==0.4.6 --hash=sha256:%s' "$H_COL" "$H_COL")" \
	"requirements.txt:3:1: colorama is required twice (line 2)"
req_bad "an unknown option" "--frobnicate" "requirements.txt:2:1: --frobnicate: not an option of a requirements file"
printf -- "-i https://evil.example/simple\nannotated-types==0.7.0 --hash=sha256:%s\n" "$H_AT_WHL" > "$R/requirements.txt"
check_exit "an index on a host pylock may not fetch from" 2 "$PYLOCK" import "$R"
check_contains "refused before it is looked up" "$err" "evil.example"
check_exit "nothing written by any of them" 0 cmp "$R/pylock.toml" "$T/before.toml"
printf 'direct @ https://example.org/direct-1.0-py3-none-any.whl --hash=sha256:%s\n' "$H_COL" > "$R/requirements.txt"
check_exit "a URL requirement" 0 "$PYLOCK" import -o - "$R"
check_contains "is an archive with its hash" "$out" \
	"archive = { url = \"https://example.org/direct-1.0-py3-none-any.whl\", hashes = { sha256 = \"$H_COL\" } }"

done_testing
