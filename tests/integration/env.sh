#!/bin/sh
# pylock sync / status / gc and environments inside the sandbox: Debian's
# real wheels and generated ones (entry points, .data schemes, platlib,
# nested packages), malicious wheels, markers, drift, staleness, kill -9
# mid-sync, two syncs at once, garbage collection, an unprivileged user.
. "$srcdir/tests/integration/lib.sh"

SRC=$(cd "$srcdir" && pwd)
BLD=$(cd "${builddir:-.}" && pwd)
PY=/usr/bin/python3
[ -x "$PY" ] || { skip "environments" "needs Debian's python3"; done_testing; exit; }
MW="$SRC/tests/tools/make-wheel.py"
W="$T/wheels"
P="$T/proj"
S="$PYLOCK_HOME/data"
mkdir -p "$W" "$P" "$PYLOCK_HOME/config"
printf '[project]\nname = "envtest"\n' > "$P/pyproject.toml"
"$PYLOCK" key generate "$T/corp" > /dev/null
printf 'mode: enforce\nkeys: [{id: corp, file: %s}]\n' "$T/corp.pub" > "$PYLOCK_HOME/config/policy.yaml"
printf 'python: %s\n' "$PY" > "$PYLOCK_HOME/config/config.yaml"
cp /usr/share/python-wheels/pip-*.whl /usr/share/python-wheels/setuptools-*.whl /usr/share/python-wheels/wheel-*.whl "$W/"
good=$($PY "$MW" "$W" demo-good 1.0 good 12)
plat=$($PY "$MW" "$W" demo-plat 2.0 platlib 3)
for w in "$W"/*.whl; do "$PYLOCK" sign --key "$T/corp.key" "$w" > /dev/null; done
lock() { sh "$SRC/scripts/wheel-lock.sh" "$@"; }
lock "$W"/*.whl > "$P/pylock.toml"
cd "$P" || exit 1

check_exit "sync builds the environment" 0 "$PYLOCK" sync
id=$out
check_equal "and prints its env-id" "$(echo "$id" | grep -cE '^[0-9a-f]{64}$')" 1
check_contains "and says it built" "$err" "5 packages for Python"
E="$S/envs/$id"
check_exit "the environment is in the store under its env-id" 0 test -f "$E/pyvenv.cfg" -a -f "$E/pylock-env.json"
check_exit "a second sync is a no-op" 0 "$PYLOCK" sync
check_equal "with the same env-id" "$out" "$id"
check_contains "and says so" "$err" "up to date"
check_exit "status: built" 0 "$PYLOCK" status
check_contains "names the env-id" "$out" "built $id"
run "$PYLOCK" status --json
check_contains "status --json" "$out" '"state": "built"'

run "$PYLOCK" list "$P"
check_contains "list shows the environment built" "$(echo "$out" | grep '^envtest ')" " built "
run "$PYLOCK" list --json "$P"
check_contains "list --json too" "$out" '"env": "built"'

# Inside the sandbox, at /opt/venv.
check_exit "the real wheels import in the sandbox" 0 "$PYLOCK" run -- python -c \
	'import setuptools, pip, wheel, demo_good.sub3.m3, demo_plat, sys; print(sys.prefix, pip.__file__)'
check_equal "from /opt/venv" "$out" "/opt/venv /opt/venv/lib/python3.11/site-packages/pip/__init__.py"
check_exit "a console script runs" 0 "$PYLOCK" run -- demo-good
check_equal "and prints what its function prints" "$out" "demo-good main 1.0"
check_exit "a GUI script's exit status passes through" 3 "$PYLOCK" run -- demo-good-gui
check_exit "a .data/scripts #!python script runs" 0 "$PYLOCK" run -- demo-good-tool
check_equal "with the environment's interpreter" "$(head -1 "$E/bin/demo-good-tool")" "#!/opt/venv/bin/python"
check_exit "pip's own console script runs" 0 "$PYLOCK" run -- pip --version
check_contains "from the environment" "$out" "/opt/venv/lib/python3.11/site-packages/pip"
check_exit ".data/data lands at the environment's root" 0 "$PYLOCK" run -- cat /opt/venv/share/demo-good/data.txt
check_exit ".data/headers land under include/site" 0 test -f "$E/include/site/python3.11/demo_good/demo_good.h"
check_equal "INSTALLER says pylock" "$(cat "$E/lib/python3.11/site-packages/demo_good-1.0.dist-info/INSTALLER")" pylock
check_contains "RECORD is rewritten with installed paths" \
	"$(cat "$E/lib/python3.11/site-packages/demo_good-1.0.dist-info/RECORD")" "../../../bin/demo-good,sha256="
check_exit "the environment is read-only inside" 1 "$PYLOCK" run -- touch /opt/venv/x
run "$PYLOCK" run -- python -v -c 'import pip._internal'
check_contains "imports use the precompiled bytecode" "$err" \
	"code object from '/opt/venv/lib/python3.11/site-packages/pip/_internal/__pycache__/__init__.cpython-311.pyc'"
check_not_contains "and never write it" "$err" "could not create"
f="lib/python3.11/site-packages/demo_good/__init__.py"
uw=$(ls -d "$S"/wheels/*/python3.11 | while read -r d; do [ -f "$d/$f" ] && echo "$d"; done)
check_equal "files are hard links to the unpacked wheel" "$(stat -c %i "$E/$f")" "$(stat -c %i "$uw/$f")"
check_equal "which are read-only" "$(stat -c %a "$uw/$f")" 444
check_equal "as is every file of every unpacked wheel, bytecode and scripts too" \
	"$(find "$S/wheels" -type f -perm /222 | wc -l)" 0
check_exit "(bytecode is there)" 0 test -n "$(find "$S/wheels" -name '*.pyc' | head -1)"
# Trees are compiled as they are unpacked, pip's (a pool of workers) and
# the small ones alike: none is published without its bytecode.
check_equal "every module of every unpacked wheel has its bytecode" "$(find "$S/wheels" -name '*.py' | while read -r p; do
	[ -f "${p%/*}/__pycache__/$(basename "$p" .py).cpython-311.pyc" ] || echo "$p"; done | head -3)" ""
check_exit "status --deep: files match RECORD" 0 "$PYLOCK" status --deep
# On a terminal each phase has its gauge; compiling's counts the files
# compiled of all those unpacked (what is left once the last is unpacked).
if command -v script > /dev/null; then
	mkdir -p "$T/tty-home" && cp -r "$PYLOCK_HOME/config" "$T/tty-home/"
	PYLOCK_HOME="$T/tty-home" script -qec "'$PYLOCK' sync" /dev/null > "$T/tty-out" 2>&1
	py_files=$(find "$T/tty-home/data/wheels" -type f -name '*.py' | wc -l)
	check_equal "on a terminal, sync's gauge counts the files compiled" \
		"$(tr '\r' '\n' < "$T/tty-out" | grep -E '^compile ' | tail -1)" \
		"compile [##############################] $py_files/$py_files"
	check_contains "after those unpacked" "$(tr '\r' '\n' < "$T/tty-out" | grep -E '^(unpack|compile) ' | head -1)" "unpack "
else
	skip "sync's gauge on a terminal" "needs script(1)"
fi

# Interpreter tags: the same as pip's vendored `packaging` computes (which
# predates listing cp3X-none-any, as current packaging does).
PYTHONPATH=$(ls /usr/share/python-wheels/pip-*.whl) $PY -c \
	'from pip._vendor.packaging import tags; print("\n".join(map(str, tags.sys_tags())))' > "$T/theirs"
"$BLD/tests/tools/pyenv-tags" "$PY" | grep -v '^cp3[0-9]*-none-any$' > "$T/ours"
check_exit "wheel tags in pip's order" 0 cmp "$T/ours" "$T/theirs"

# Under enforce, one unsigned file stops the sync before anything is unpacked.
uns=$($PY "$MW" "$W" unsigned-pkg 1.0 good 2)
lock "$W"/*.whl > "$P/pylock.toml"
check_exit "an unsigned wheel under enforce: exit 1" 1 "$PYLOCK" sync
check_contains "naming it" "$err" "unsigned (unsigned_pkg-1.0-py3-none-any.whl): no .sig beside the file"
check_equal "nothing of it is unpacked" "$(ls "$S/wheels" | wc -l)" 5
check_equal "no environment is made" "$(ls "$S/envs" | wc -l)" 1
rm "$uns"

# Malicious wheels: refused with the reason, nothing left behind.
for kind in slip:outside absolute:outside symlink:"symbolic link" tampered:"RECORD hash" unlisted:"not in RECORD" \
	duplicate:"File already exists" bomb:"zip bomb" scheme:"unknown .data scheme" version:"Wheel-Version"; do
	k=${kind%%:*} why=${kind#*:}
	bad=$($PY "$MW" "$T" "bad-$k" 1.0 "$k" 2)
	"$PYLOCK" sign --key "$T/corp.key" "$bad" > /dev/null
	lock "$bad" > "$P/pylock.toml"
	check_exit "a $k wheel is refused" 2 "$PYLOCK" sync
	check_contains "because: $why" "$err" "$why"
done
check_equal "no malicious wheel left a folder in the store" "$(ls "$S/wheels" | wc -l)" 5
check_equal "nor a partial environment" "$(ls -a "$S/envs" | grep -c tmp)" 0
check_exit "no file escaped the store" 1 test -e "$T/escaped.py" -o -e /tmp/absolute.py

# Selection: markers, requires-python, sources without wheels.
{
	lock "$good"
	printf "\n[[packages]]\nname = 'windows-only'\nversion = '1'\nmarker = \"sys_platform == 'win32'\"\n"
	printf "wheels = [{path = 'nowhere/windows_only-1-py3-none-win_amd64.whl', hashes = {sha256 = '%064d'}}]\n" 0
} > "$P/pylock.toml"
check_exit "a package whose marker is false is left out" 0 "$PYLOCK" sync
{
	lock "$good"
	printf "\n[[packages]]\nname = 'source-only'\nversion = '1'\n"
	printf "sdist = {path = 'source_only-1.tar.gz', hashes = {sha256 = '%064d'}}\n" 0
	printf "\n[[packages]]\nname = 'future'\nversion = '1'\nrequires-python = '>=4'\n"
	printf "wheels = [{path = 'future-1-py3-none-any.whl', hashes = {sha256 = '%064d'}}]\n" 0
	printf "\n[[packages]]\nname = 'winbin'\nversion = '1'\n"
	printf "wheels = [{path = 'winbin-1-cp311-cp311-win_amd64.whl', hashes = {sha256 = '%064d'}}]\n" 0
	printf "\n[[packages]]\nname = 'from-git'\n"
	printf "vcs = {type = 'git', url = 'https://example.org/g.git', commit-id = '%040d'}\n" 0
	printf "\n[[packages]]\nname = 'a-folder'\ndirectory = {path = 'folder'}\n"
	printf "\n[[packages]]\nname = 'tarball'\nversion = '1'\n"
	printf "archive = {path = 'tarball-1.tar.gz', hashes = {sha256 = '%064d'}}\n" 0
} > "$P/pylock.toml"
check_exit "packages this interpreter cannot have stop the sync" 2 "$PYLOCK" sync
check_contains "those that need a build are named together, with their sources" "$err" \
	"4 packages need a build, which pylock does not do yet: source-only (sdist), from-git (vcs), a-folder (directory), tarball (archive); lock wheels for them"
check_equal "in one line" "$(echo "$err" | grep -c 'need a build')" 1
check_contains "requires-python is checked" "$err" "future 1 requires Python >=4"
check_contains "a wheel for another platform does not fit" "$err" "winbin: no wheel fits this interpreter"
check_exit "status reports that state" 1 "$PYLOCK" status
check_contains "and why" "$out" "env      cannot be built: "
run "$PYLOCK" status --json
check_contains "status --json too" "$out" '"state": "unbuildable"'
# Other hash algorithms: the strongest the lock records is checked, and a
# sha256 beside it must agree too.
h512=$($PY -c 'import hashlib, sys; print(hashlib.sha512(open(sys.argv[1], "rb").read()).hexdigest())' "$good")
lock "$good" | sed "s/hashes = {sha256 = '[0-9a-f]*'}/hashes = {sha512 = '$h512'}/" > "$P/pylock.toml"
check_exit "a wheel the lock pins by sha512 alone syncs" 0 "$PYLOCK" sync
check_exit "and imports" 0 "$PYLOCK" run -- python -c 'import demo_good'
lock "$good" | sed "s/hashes = {sha256 = '[0-9a-f]*'}/hashes = {sha512 = '$h512', sha256 = '$(printf '%064d' 0)'}/" \
	> "$P/pylock.toml"
check_exit "a wrong sha256 beside a right sha512 is refused" 1 "$PYLOCK" sync
check_contains "as a hash mismatch" "$err" "hash-mismatch (demo_good-1.0-py3-none-any.whl): sha256 "
lock "$good" | sed "s/hashes = {sha256 = '[0-9a-f]*'}/hashes = {sha1 = '$(sha1sum "$good" | cut -d' ' -f1)'}/" \
	> "$P/pylock.toml"
check_exit "a wheel pinned by sha1 alone is refused" 2 "$PYLOCK" sync
check_contains "sha1 is a weak hash" "$err" "has only a weak hash (md5 or sha1) in the lock"

# An archive whose file is a wheel (by path here; a url goes the same way)
# installs like one.
{
	lock "$good" | sed "s/^wheels = \[\(.*\)\]$/archive = \1/"
} > "$P/pylock.toml"
check_exit "an archive entry that is a wheel syncs" 0 "$PYLOCK" sync
check_exit "and its package imports" 0 "$PYLOCK" run -- python -c 'import demo_good'
printf "lock-version = '1.0'\ncreated-by = 't'\nrequires-python = '<3'\npackages = []\n" > "$P/pylock.toml"
check_exit "the lock's requires-python is checked" 2 "$PYLOCK" sync
check_contains "and named" "$err" "the lock requires Python <3"

# Stale and drifted.
lock "$W"/*.whl > "$P/pylock.toml"
"$PYLOCK" sync > /dev/null 2>&1
lock "$good" "$plat" > "$P/pylock.toml"
check_exit "status after the lock changed: stale" 1 "$PYLOCK" status
check_contains "says so" "$out" "stale: $id"
run "$PYLOCK" list "$P"
check_contains "list shows it stale" "$(echo "$out" | grep '^envtest ')" " stale "
"$PYLOCK" sync > /dev/null 2>&1
id2=$("$PYLOCK" sync 2>/dev/null)
chmod u+w "$S/envs/$id2/$f" && echo '# changed' >> "$S/envs/$id2/$f"
check_exit "a changed file: status --deep says drifted" 1 "$PYLOCK" status --deep
check_contains "and names it" "$out" "first: demo_good/__init__.py"

# kill -9 in the middle of a sync, then a sync that completes.
K="$T/big"
mkdir -p "$K/p" "$K/w"
printf '[project]\nname = "big"\n' > "$K/p/pyproject.toml"
for i in $(seq 1 12); do $PY "$MW" "$K/w" "big-$i" 1.0 good 400 > /dev/null; done
for w in "$K"/w/*.whl; do "$PYLOCK" sign --key "$T/corp.key" "$w" > /dev/null; done
lock "$K"/w/*.whl > "$K/p/pylock.toml"
"$PYLOCK" sync "$K/p" > /dev/null 2>&1 &
s=$!
wait_for sh -c "ls -a '$S/envs' '$S'/wheels/* 2>/dev/null | grep -q '^\.tmp-'"
kill -9 $s; wait $s 2>/dev/null
bigid=$("$PYLOCK" status --json "$K/p" | sed -n 's/.*"env_id": "\([0-9a-f]*\)".*/\1/p')
check_exit "killed mid-sync: no environment looks complete" 1 test -e "$S/envs/$bigid"
check_exit "the next sync succeeds" 0 "$PYLOCK" sync "$K/p"
check_equal "with that env-id" "$out" "$bigid"
check_equal "and no partial build is left" "$(ls -a "$S/envs" | grep -c '^\.tmp-')" 0

# Two syncs of one env-id at once: one builds, the other waits for it.
rm -rf "$S/envs/$bigid"
"$PYLOCK" sync "$K/p" > "$T/s1" 2>/dev/null &
a=$!
"$PYLOCK" sync "$K/p" > "$T/s2" 2>/dev/null
b=$?
wait $a
check_equal "two concurrent syncs both succeed" "$?/$b" "0/0"
check_equal "with one environment" "$(head -1 "$T/s1") $(head -1 "$T/s2")" "$bigid $bigid"

# gc: a project whose folder is gone loses its environment, unless a
# sandbox is using it.
check_exit "gc --dry-run" 0 "$PYLOCK" gc --dry-run
check_not_contains "keeps every known project's environment" "$out" "$id2"
check_not_contains "(both)" "$out" "$bigid"
rm -rf "$K/p"
check_exit "gc --dry-run lists the orphaned environment" 0 "$PYLOCK" gc --dry-run
check_contains "by path" "$out" "would remove env     $S/envs/$bigid"
check_exit "and removes nothing" 0 test -d "$S/envs/$bigid"
# The sandbox holds its environment from before it starts to after it ends:
# once the command has written its marker, the hold is certain.
"$PYLOCK" run -- sh -c 'touch held; sleep 5' &
r=$!
wait_for test -e "$P/held"
cd "$T" && rm -rf "$P"
check_exit "gc" 0 "$PYLOCK" gc
check_contains "removes the orphaned environment" "$out" "removed env     $S/envs/$bigid"
check_contains "and its unpacked wheels" "$out" "removed wheel"
check_exit "but not one a running sandbox uses" 0 test -d "$S/envs/$id2"
wait $r

# Two wheels that install one file: the environment is not built (the
# wheels are linked on every core; whichever comes second is named).
C="$T/clash"
mkdir -p "$C/w"
printf '[project]\nname = "clash"\n' > "$C/pyproject.toml"
for n in demo-clash-a demo-clash-b; do
	"$PYLOCK" sign --key "$T/corp.key" "$($PY "$MW" "$C/w" "$n" 1.0 clash 2)" > /dev/null
done
lock "$C"/w/*.whl > "$C/pylock.toml"
check_exit "two wheels installing one file: no environment" 2 "$PYLOCK" sync "$C"
check_exit "the error names the file and a package" 0 \
	sh -c "echo \"\$0\" | grep -Eq \"demo[-_]clash[-_][ab] installs 'clash.py', which another package installs too\"" "$err"
check_equal "nothing half-built is left" "$(ls "$S/envs" | grep -c '^\.tmp-')" 0

# --timings says where a sync's time went, step by step (one of those
# wheels alone builds).
lock "$C"/w/demo_clash_a-*.whl > "$C/pylock.toml"
check_exit "sync --timings" 0 "$PYLOCK" sync --timings "$C"
timings=$err
for step in policy lock python plan verify unpack compile publish link record remember cache total; do
	check_exit "names the step $step, in ms" 0 sh -c "echo \"\$0\" | grep -Eq '^  $step +[0-9]+\.[0-9] ms\$'" "$timings"
done

# An unprivileged user builds and enters its own environment.
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null; then
	user=pylock-env-$$
	useradd --no-create-home --home-dir /nonexistent --shell /bin/sh "$user" && on_exit "userdel $user 2>/dev/null"
	U="$T/user"
	mkdir -p "$U/p" "$U/home/config"
	cp "$PYLOCK" "$U/pylock"
	cp "$good" "$U/p/"
	lock "$U/p/$(basename "$good")" > "$U/p/pylock.toml"
	printf '[project]\nname = "mine"\n' > "$U/p/pyproject.toml"
	printf 'mode: warn\n' > "$U/home/config/policy.yaml"
	printf 'python: %s\n' "$PY" > "$U/home/config/config.yaml"
	chmod 755 "$T"
	chown -R "$user" "$U"
	as() { setpriv --reuid="$user" --regid="$user" --clear-groups env HOME=/nonexistent PYLOCK_HOME="$U/home" "$@"; }
	check_exit "an unprivileged user syncs" 0 as "$U/pylock" sync "$U/p"
	check_exit "and runs the environment's console script in its sandbox" 0 as "$U/pylock" run "$U/p" -- demo-good
	check_equal "which works" "$out" "demo-good main 1.0"
else
	skip "an unprivileged user syncs" "needs root to create the user"
fi

done_testing
