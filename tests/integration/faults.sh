#!/bin/sh
# Hostile input and faults (issue 16), one section per defect class: a lock
# cannot fill the disk or hang pylock on a device; a killed run's leftovers
# go with the next gc, which never collects what a sync builds; FIFOs where
# files are expected (keys, signatures, index pages, git's files, locks) are
# refused at once; children are never waited on forever; out of descriptors
# and out of disk say so and leave nothing half-made; unreadable signatures
# are bad, not missing; wheels must be what the lock names; YAML and TOML
# errors point at their place; a read-only PYLOCK_HOME still serves.
. "$srcdir/tests/integration/lib.sh"

SRC=$(cd "$srcdir" && pwd)
PY=/usr/bin/python3
[ -x "$PY" ] || { skip "faults" "needs Debian's python3"; done_testing; exit; }
P="$T/proj"
S="$PYLOCK_HOME/data"
W="$T/wheels"
mkdir -p "$P" "$W" "$PYLOCK_HOME/config"
printf '[project]\nname = "faults"\n' > "$P/pyproject.toml"
printf 'mode: warn\n' > "$PYLOCK_HOME/config/policy.yaml"
printf 'python: %s\n' "$PY" > "$PYLOCK_HOME/config/config.yaml"
good=$($PY "$SRC/tests/tools/make-wheel.py" "$W" demo-good 1.0 good 2)
sha() { sha256sum "$1" | cut -d' ' -f1; }
# lock NAME VERSION FILE-KEYS: a one-package lock.
lock() {
	printf "lock-version = '1.0'\ncreated-by = 'test'\n[[packages]]\nname = '%s'\nversion = '%s'\nwheels = [{%s}]\n" "$@" > "$P/pylock.toml"
}
cd "$P" || exit 1

# 1. Reads are bounded by the lock's size, and only regular files are read.
lock demo-good 1.0 "name = 'demo_good-1.0-py3-none-any.whl', path = '/dev/zero', size = $(stat -c %s "$good"), hashes = {sha256 = '$(sha "$good")'}"
check_exit "a locked path that is a device: sync refuses" 1 timeout 20 "$PYLOCK" sync
check_contains "saying it is not a regular file" "$err" "not a regular file"
check_equal "and nothing large is left in the store" "$(find "$S" -type f -size +1M | wc -l)" 0
mkfifo "$T/fifo"
lock demo-good 1.0 "name = 'demo_good-1.0-py3-none-any.whl', path = '$T/fifo', size = 10, hashes = {sha256 = '$(sha "$good")'}"
check_exit "a FIFO where a file is locked: refused at once, not waited on" 1 timeout 20 "$PYLOCK" sync
head -c 5000000 /dev/zero > "$T/big.whl"
cat "$good" >> "$T/big.whl"
lock demo-good 1.0 "name = 'demo_good-1.0-py3-none-any.whl', path = '$T/big.whl', size = $(stat -c %s "$good"), hashes = {sha256 = '$(sha "$good")'}"
check_exit "a file larger than the lock says: refused" 1 "$PYLOCK" sync
check_contains "as a hash mismatch naming the size" "$err" "hash-mismatch"
check_contains "saying so" "$err" "larger than the lock's $(stat -c %s "$good") bytes"
check_equal "no copy beyond the locked size stays behind" "$(find "$S" -type f -size +1M | wc -l)" 0
lock demo-good 1.0 "name = 'demo_good-1.0-py3-none-any.whl', path = '$T/no-such.whl', size = 10, hashes = {sha256 = '$(sha "$good")'}"
check_exit "a locked file that is not there: refused" 1 "$PYLOCK" sync
check_contains "as missing, with the reason" "$err" "missing (demo_good-1.0-py3-none-any.whl): $T/no-such.whl: cannot open: No such file or directory"

# Stage files of a killed run go with the next sync or gc; a live one stays.
mkdir -p "$S/stage"
head -c 3000000 /dev/zero > "$S/stage/.stage.AbCdEf"
printf x > "$S/stage/.stage.AbCdEf.sig.GhIjKl"
lock demo-good 1.0 "name = 'demo_good-1.0-py3-none-any.whl', path = '$good', size = $(stat -c %s "$good"), hashes = {sha256 = '$(sha "$good")'}"
check_exit "sync builds" 0 "$PYLOCK" sync
check_equal "a dead run's stage and its signature are gone" "$(ls -A "$S/stage")" ""
head -c 1000 /dev/zero > "$S/stage/.stage.live00"
flock "$S/stage/.stage.live00" sleep 30 &
holder=$!
on_exit "kill $holder 2>/dev/null"
wait_for sh -c "! flock -n '$S/stage/.stage.live00' true"
head -c 1000 /dev/zero > "$S/stage/.stage.dead00"
check_exit "gc" 0 "$PYLOCK" gc
check_exit "keeps a stage whose writer lives" 0 test -e "$S/stage/.stage.live00"
check_exit "and removes one whose writer died" 1 test -e "$S/stage/.stage.dead00"
kill "$holder" 2>/dev/null

# 2. gc running all the time while sync builds: every sync that says it
# built leaves its environment in place.
( while [ ! -e "$T/stop" ]; do "$PYLOCK" gc > /dev/null 2>&1; done ) &
looper=$!
on_exit "touch $T/stop; kill $looper 2>/dev/null"
lost=0
for i in $(seq 15); do
	rm -rf "$S/envs" "$S/projects"
	if "$PYLOCK" sync > /dev/null 2>&1; then
		"$PYLOCK" status > /dev/null 2>&1 || lost=$((lost + 1))
	fi
done
touch "$T/stop"
wait "$looper" 2>/dev/null
check_equal "gc never collects what a sync built (15 tries)" "$lost" 0

# 4. Nothing waits on a FIFO where a file is expected: each is refused at
# once, naming the file. (timeout: a hang fails the check with 124.)
fifo_refused() {
	what=$1 want=$2
	shift 2
	check_exit "$what" "$want" timeout 20 "$@"
	check_contains "naming it" "$err" "a FIFO, not a regular file"
}
mkfifo "$T/key.fifo" "$T/file.fifo" "$T/sig.fifo"
printf 'mode: warn\nkeys:\n  - {id: k, file: %s}\n' "$T/key.fifo" > "$PYLOCK_HOME/config/policy.yaml"
fifo_refused "a policy key file that is a FIFO" 2 "$PYLOCK" verify
printf 'mode: warn\n' > "$PYLOCK_HOME/config/policy.yaml"
fifo_refused "sign --key FIFO" 2 "$PYLOCK" sign --key "$T/key.fifo" "$good"
"$PYLOCK" key generate "$T/k" > /dev/null
fifo_refused "signing a FIFO" 2 "$PYLOCK" sign --key "$T/k.key" "$T/file.fifo"
G="$T/repo"
mkdir -p "$G"
git -C "$G" init -q
cp "$P/pyproject.toml" "$P/pylock.toml" "$G/"
git -C "$G" add . && git -C "$G" -c user.name=t -c user.email=t@t commit -qm one
for f in .git/index .git/config .gitmodules .gitignore; do
	mv "$G/$f" "$T/saved" 2>/dev/null || rm -f "$T/saved"
	mkfifo "$G/$f"
	check_exit "list with a FIFO at $f: finishes" 0 timeout 20 "$PYLOCK" list "$G"
	case $f in .gitmodules | .gitignore) ;; *) check_contains "and names it" "$err" "$G/$f is a FIFO, not a regular file" ;; esac
	rm "$G/$f"
	[ -e "$T/saved" ] && mv "$T/saved" "$G/$f"
done
mv "$G/pylock.toml" "$T/saved" && mkfifo "$G/pylock.toml"
fifo_refused "list with a FIFO as the lock: finishes" 0 "$PYLOCK" list "$G"
rm "$G/pylock.toml" && mv "$T/saved" "$G/pylock.toml"
mv "$G/.git/config" "$T/saved" && mkfifo "$G/.git/config"
cd "$G" || exit 1
check_exit "diff with a FIFO as .git/config: finishes" 2 timeout 20 "$PYLOCK" diff
check_contains "naming it" "$err" "$G/.git/config is a FIFO, not a regular file"
cd "$P" || exit 1
rm "$G/.git/config" && mv "$T/saved" "$G/.git/config"
M="$T/mirror"
mkdir -p "$M/demo-good"
mkfifo "$M/demo-good/index.html"
printf "lock-version = '1.0'\ncreated-by = 'test'\n[[packages]]\nname = 'demo-good'\nversion = '1.0'\nindex = 'file://%s'\nwheels = [{name = 'demo_good-1.0-py3-none-any.whl', url = 'file://%s/gone.whl', size = %s, hashes = {sha256 = '%s'}}]\n" \
	"$M" "$T" "$(stat -c %s "$good")" "$(sha "$good")" > "$P/pylock.toml"
check_exit "a file:// index page that is a FIFO: verify finishes" 0 timeout 20 "$PYLOCK" verify
check_contains "naming it" "$out" "index: $M/demo-good/index.html: a FIFO, not a regular file"
check_contains "after saying why the locked url failed" "$out" "$T/gone.whl: No such file or directory; index:"

# 8. A signature that is there but cannot be read is bad, never "unsigned",
# even for a package allow-unsigned lists.
printf 'mode: enforce\nallow-unsigned:\n  - {name: demo-good, version: "1.0", reason: test}\n' > "$PYLOCK_HOME/config/policy.yaml"
cp "$good" "$T/signed.whl"
lock demo-good 1.0 "name = 'demo_good-1.0-py3-none-any.whl', path = '$T/signed.whl', size = $(stat -c %s "$good"), hashes = {sha256 = '$(sha "$good")'}"
check_exit "no .sig, allow-unsigned: allowed" 0 "$PYLOCK" verify
check_contains "as allowed-unsigned" "$out" "allowed-unsigned"
for kind in big folder fifo; do
	case $kind in
	big) head -c 20000 /dev/zero | tr '\0' A > "$T/signed.whl.sig" ;;
	folder) mkdir "$T/signed.whl.sig" ;;
	fifo) mkfifo "$T/signed.whl.sig" ;;
	esac
	check_exit "a .sig that is $kind: verify fails, allow-unsigned or not" 1 timeout 20 "$PYLOCK" verify
	check_contains "as bad-signature" "$out" "bad-signature"
	rm -rf "$T/signed.whl.sig"
done
ln -s /dev/null "$T/signed.whl.sig"
rm -rf "$S"
check_exit "a .sig that is a device: sync refuses it" 1 timeout 20 "$PYLOCK" sync
check_contains "as bad-signature" "$err" "bad-signature"
rm -f "$T/signed.whl.sig"
printf 'mode: warn\n' > "$PYLOCK_HOME/config/policy.yaml"

# 6. Out of descriptors: sync ends (the compile child included) and says
# so with the real errno; a child that says nothing is not waited for
# forever; one that leaves a process holding its output is not either.
st_whl=$(ls /usr/share/python-wheels/setuptools-*.whl 2>/dev/null | head -1)
if [ -n "$st_whl" ]; then
	lock setuptools "$(basename "$st_whl" | cut -d- -f2)" "path = '$st_whl', size = $(stat -c %s "$st_whl"), hashes = {sha256 = '$(sha "$st_whl")'}"
	for n in 14 16 20 26; do
		rm -rf "$S"
		check_exit "sync at ulimit -n $n: ends" 2 timeout 60 sh -c "ulimit -n $n && exec \"\$0\" sync" "$PYLOCK"
		check_contains "naming the real errno" "$err" "Too many open files"
		check_not_contains "never a wrong one" "$err" "Bad file descriptor"
	done
	rm -rf "$S"
	check_exit "and with descriptors enough it builds" 0 timeout 60 sh -c "ulimit -n 64 && exec \"\$0\" sync" "$PYLOCK"
else
	skip "sync out of descriptors" "needs python3-setuptools-whl"
fi
printf '#!/bin/sh\nexec sleep 300\n' > "$T/silent-python"
chmod +x "$T/silent-python"
printf 'python: %s\n' "$T/silent-python" > "$PYLOCK_HOME/config/config.yaml"
check_exit "an interpreter that never answers: stopped, not waited on" 2 timeout 60 "$PYLOCK" status
check_contains "saying so" "$err" "showed no sign of progress for 10 s: stopped"
check_equal "and nothing of it is left running" "$(pgrep -f "$T/silent-python" | wc -l)" 0
compile_python "$T/leaving-python" "sleep 300 & echo \$! > '$T/sleeper.pid'; exit 0"
printf 'python: %s\n' "$T/leaving-python" > "$PYLOCK_HOME/config/config.yaml"
lock demo-good 1.0 "name = 'demo_good-1.0-py3-none-any.whl', path = '$good', size = $(stat -c %s "$good"), hashes = {sha256 = '$(sha "$good")'}"
rm -rf "$S"
check_exit "a compile that leaves a process holding its output: sync ends" 0 timeout 60 "$PYLOCK" sync
check_exit "the compile ran" 0 test -s "$T/sleeper.pid"
# gone: no such process, or a zombie its new parent has yet to reap
gone() { [ ! -e "/proc/$1/stat" ] || [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" = Z ]; }
check_exit "and the process it left is gone with it" 0 wait_for gone "$(cat "$T/sleeper.pid")"
# A failing interpreter's last word is in the error, never its traceback
# on the terminal (the UI draws there): the compile, and the probe.
compile_python "$T/raising-python" "exec $PY -c 'import json; json.loads(\"{\")'"
printf 'python: %s\n' "$T/raising-python" > "$PYLOCK_HOME/config/config.yaml"
rm -rf "$S"
check_exit "a compile that fails: sync fails" 2 timeout 60 "$PYLOCK" sync
check_contains "saying what the interpreter said last" "$err" \
	"failed compiling the unpacked wheels to bytecode (exit 1): json.decoder.JSONDecodeError: Expecting property name"
check_not_contains "without the traceback" "$err" "Traceback"
printf '#!/bin/sh\necho "no such module: \033[31mencodings" >&2\nexit 3\n' > "$T/broken-python"
chmod +x "$T/broken-python"
printf 'python: %s\n' "$T/broken-python" > "$PYLOCK_HOME/config/config.yaml"
check_exit "an interpreter that cannot answer" 2 "$PYLOCK" status
check_contains "says why, its control characters shown as ?" "$err" \
	"is not a Python 3 interpreter pylock can use (exit 3): no such module: ?[31mencodings"
check_equal "and only that" "$(printf '%s\n' "$err" | wc -l)" 1
# A compile whose pool of workers cannot start (out of processes) compiles
# in one process, every tree handed to it, those after the failure too.
cat > "$T/nopool.py" <<'EOF'
import sys
import concurrent.futures as cf
import concurrent.futures.process
import os
with open(sys.argv.pop(1), 'w') as seen:
    for fd in sorted(os.listdir('/proc/self/fd'), key=int):
        try:
            print(fd, os.readlink('/proc/self/fd/' + fd), file=seen)
        except OSError:
            pass
class NoPool:
    def __init__(self, *args, **kwargs):
        raise OSError(11, 'Resource temporarily unavailable')
cf.ProcessPoolExecutor = NoPool
c = sys.argv.index('-c')
script, sys.argv = sys.argv[c + 1], ['-c'] + sys.argv[c + 2:]
exec(compile(script, '<compile>', 'exec'), {'__name__': '__main__'})
EOF
compile_python "$T/nopool-python" "exec $PY '$T/nopool.py' '$T/compile-fds' \"\$@\""
printf 'python: %s\n' "$T/nopool-python" > "$PYLOCK_HOME/config/config.yaml"
if ls /usr/share/python-wheels/pip-*.whl /usr/share/python-wheels/setuptools-*.whl > /dev/null 2>&1; then
	sh "$srcdir/scripts/wheel-lock.sh" /usr/share/python-wheels/*.whl "$good" > "$P/pylock.toml"
	rm -rf "$S"
	check_exit "a compile without its pool: sync builds" 0 timeout 120 "$PYLOCK" sync
	check_exit "(its wheels are unpacked)" 0 test "$(find "$S/wheels" -name '*.py' | wc -l)" -gt 500
	check_equal "the compile has stdin, stdout and stderr, and no other descriptor of pylock's" \
		"$(awk '$1 > 2 && $2 !~ /^\/proc\// && $2 !~ /nopool\.py$/ && $2 !~ /compile-fds$/' "$T/compile-fds")" ""
	check_equal "with the bytecode of every module of every wheel" "$(find "$S/wheels" -name '*.py' | while read -r p; do
		[ -f "${p%/*}/__pycache__/$(basename "$p" .py).cpython-311.pyc" ] || echo "$p"; done | head -3)" ""
else
	skip "a compile without its pool" "needs python3-pip-whl and python3-setuptools-whl"
fi
printf 'python: %s\n' "$PY" > "$PYLOCK_HOME/config/config.yaml"

# 7. Leftovers of killed runs (half-unpacked trees, partial downloads,
# temporary files of records) go with the next gc; kill -9 at any point of
# a sync leaves nothing gc keeps.
lock demo-good 1.0 "name = 'demo_good-1.0-py3-none-any.whl', path = '$good', size = $(stat -c %s "$good"), hashes = {sha256 = '$(sha "$good")'}"
rm -rf "$S"
check_exit "sync builds" 0 "$PYLOCK" sync
wheeldir=$(find "$S/wheels" -mindepth 1 -maxdepth 1 -type d | head -1)
mkdir -p "$wheeldir/.tmp-python3.11-AbCdEf/pkg" "$S/stage"
echo x > "$wheeldir/.tmp-python3.11-AbCdEf/pkg/mod.py"
chmod -R a-w "$wheeldir/.tmp-python3.11-AbCdEf"
head -c 1000 /dev/zero > "$S/stage/.stage.KiLlEd"
rec=$(ls "$S/projects" | head -1)
echo '{' > "$S/projects/.$rec.AbCdEf"
touch -d '1 hour ago' "$S/projects/.$rec.AbCdEf"
check_exit "gc" 0 "$PYLOCK" gc
check_contains "reports the half-unpacked tree" "$out" ".tmp-python3.11-AbCdEf"
check_equal "which is gone, though its wheel is kept" "$(ls -A "$wheeldir")" "$(ls "$wheeldir")"
check_equal "the partial download is gone" "$(ls -A "$S/stage")" ""
check_exit "a record's temporary file is gone" 1 test -e "$S/projects/.$rec.AbCdEf"
check_exit "the environment stays" 0 "$PYLOCK" status
if [ -n "$st_whl" ]; then
	lock setuptools "$(basename "$st_whl" | cut -d- -f2)" "path = '$st_whl', size = $(stat -c %s "$st_whl"), hashes = {sha256 = '$(sha "$st_whl")'}"
	for delay in 0.05 0.1 0.15 0.2 0.3 0.4 0.5; do
		rm -rf "$S"
		"$PYLOCK" sync > /dev/null 2>&1 &
		victim=$!
		sleep $delay
		kill -9 $victim 2>/dev/null
		wait $victim 2>/dev/null
		"$PYLOCK" gc > /dev/null 2>&1
		left=$(find "$S" -name '.tmp-*' -o -name '.stage.*' 2>/dev/null | head -1)
		check_equal "killed after ${delay}s: gc leaves no partial tree or download" "$left" ""
	done
	check_exit "and the next sync builds" 0 "$PYLOCK" sync
fi

# 19. A temporary lock of a writer that was killed goes with the next
# write of that lock; a live writer's stays.
printf 'x' > "$T/.pylock.toml.DeAdXx"
touch -d '1 hour ago' "$T/.pylock.toml.DeAdXx"
printf 'x' > "$T/.pylock.toml.LiVeXx"
touch -d '1 hour ago' "$T/.pylock.toml.LiVeXx"
flock "$T/.pylock.toml.LiVeXx" sleep 30 &
holder=$!
wait_for sh -c "! flock -n '$T/.pylock.toml.LiVeXx' true"
cp "$P/pylock.toml" "$T/o.toml" && cp "$P/pylock.toml" "$T/b.toml" && cp "$P/pylock.toml" "$T/pylock.toml"
check_exit "merge-driver writes the lock" 0 "$PYLOCK" merge-driver "$T/o.toml" "$T/pylock.toml" "$T/b.toml" pylock.toml
check_exit "a dead writer's temporary file is gone" 1 test -e "$T/.pylock.toml.DeAdXx"
check_exit "a live writer's stays" 0 test -e "$T/.pylock.toml.LiVeXx"
kill $holder 2>/dev/null

# 12, 13, 14. Wheels that would install something other than what the lock
# names, or a file name a terminal would act on: refused, saying why.
wheel_refused() {
	kind=$1 why=$2
	w=$($PY "$SRC/tests/tools/make-wheel.py" "$W" "demo-$kind" 1.0 "$kind" 1)
	lock "demo-$kind" 1.0 "name = '$(basename "$w")', path = '$w', size = $(stat -c %s "$w"), hashes = {sha256 = '$(sha "$w")'}"
	check_exit "a wheel with $kind: refused" 2 "$PYLOCK" sync
	check_contains "saying so" "$err" "$why"
}
wheel_refused wv1abc "malformed Wheel-Version '1abc'"
wheel_refused wv01 "malformed Wheel-Version '01.0'"
wheel_refused othername "its METADATA names the project 'someone-else', not demo_othername; refused"
wheel_refused otherver "its METADATA gives the version '1.0.1', not 1.0; refused"
wheel_refused ctrlscript "is not a safe script name"
wheel_refused reserved "would install 'pylock-env.json', which the environment reserves"
lock demo-other 1.0 "name = '$(basename "$good")', path = '$good', size = $(stat -c %s "$good"), hashes = {sha256 = '$(sha "$good")'}"
check_exit "a lock naming one project and a wheel of another: refused" 2 "$PYLOCK" sync
check_contains "saying so" "$err" "wheel '$(basename "$good")' is for project 'demo-good', not 'demo-other'"
w=$($PY "$SRC/tests/tools/make-wheel.py" "$W" demo-pycache 1.0 pycache 1)
lock demo-pycache 1.0 "name = '$(basename "$w")', path = '$w', size = $(stat -c %s "$w"), hashes = {sha256 = '$(sha "$w")'}"
check_exit "a wheel shipping bytecode caches installs" 0 "$PYLOCK" sync
check_exit "and its fresh environment is not drifted" 0 "$PYLOCK" status
check_not_contains "(status)" "$out" "drift"

# 9. Invalid UTF-8 is reported at its line and column (TOML and YAML).
printf "lock-version = '1.0'\ncreated-by = 'test'\n# caf\351\n" > "$T/latin1.toml"
check_exit "a lock that is not UTF-8: refused" 2 "$PYLOCK" show "$T/latin1.toml"
check_contains "at its line and column" "$err" "latin1.toml:3:6: invalid UTF-8"
printf 'mode: warn\nkeys:\n  - {id: "caf\351", file: x}\n' > "$PYLOCK_HOME/config/policy.yaml"
check_exit "a policy that is not UTF-8: refused" 2 "$PYLOCK" verify
check_contains "at its line and column" "$err" "policy.yaml:3:15:"

# 10. A YAML map of 40,000 keys: read in one pass, its duplicate found.
$PY -c "
print('mode: warn')
print('registries:')
for i in range(40000): print('  k%d: v' % i)
print('  k7: again')
" > "$PYLOCK_HOME/config/policy.yaml"
check_exit "a duplicate key among 40,000: refused" 2 timeout 20 "$PYLOCK" verify
check_contains "at its place" "$err" "policy.yaml:40003:3: key 'k7' is given twice"

# 15. YAML tags are refused, not ignored; key ids are unique and not empty.
printf 'mode: !!str warn\n' > "$PYLOCK_HOME/config/policy.yaml"
check_exit "a YAML tag: refused" 2 "$PYLOCK" verify
check_contains "saying so" "$err" "policy.yaml:1:7: YAML tags are not allowed (tag:yaml.org,2002:str)"
"$PYLOCK" key generate "$T/idk" > /dev/null
printf 'mode: warn\nkeys:\n  - {id: a, file: %s}\n  - {id: a, file: %s}\n' "$T/idk.pub" "$T/idk.pub" > "$PYLOCK_HOME/config/policy.yaml"
check_exit "two keys with one id: refused" 2 "$PYLOCK" verify
check_contains "saying so" "$err" "policy.yaml:4:10: key id 'a' is given twice"
printf 'mode: warn\nkeys:\n  - {id: "", file: %s}\n' "$T/idk.pub" > "$PYLOCK_HOME/config/policy.yaml"
check_exit "an empty key id: refused" 2 "$PYLOCK" verify
check_contains "saying so" "$err" "policy.yaml:3:10: a key's id must not be empty"
printf 'mode: warn\n' > "$PYLOCK_HOME/config/policy.yaml"

# 23. A bind in config.yaml that cannot be made is named with its place.
printf 'python: %s\nsandbox:\n  binds:\n    - /nonexistent/source\n' "$PY" > "$PYLOCK_HOME/config/config.yaml"
lock demo-good 1.0 "name = 'demo_good-1.0-py3-none-any.whl', path = '$good', size = $(stat -c %s "$good"), hashes = {sha256 = '$(sha "$good")'}"
check_exit "a config bind whose source is missing: run refuses" 2 "$PYLOCK" run -- true
check_contains "naming config.yaml:LINE:COL" "$err" "config.yaml:4:7: bind source '/nonexistent/source' does not exist"
check_exit "the same on the command line" 2 "$PYLOCK" run --bind /nonexistent/other -- true
check_contains "names the option" "$err" "config.yaml:4:7"
printf 'python: %s\nsandbox:\n  binds:\n    - %s:relative\n' "$PY" "$T" > "$PYLOCK_HOME/config/config.yaml"
check_exit "a config bind with a bad destination: refused" 2 "$PYLOCK" run -- true
check_contains "at its place" "$err" "config.yaml:4:7: bind '$T:relative': the destination must be"
printf 'python: %s\n' "$PY" > "$PYLOCK_HOME/config/config.yaml"
check_exit "a command-line bind that cannot be made" 2 "$PYLOCK" run --bind /nonexistent/other -- true
check_contains "names the option" "$err" "--bind source '/nonexistent/other' does not exist"

# 5. A full disk, at each step of a sync (copying into the store,
# unpacking, assembling): said as such, nothing half-made left, the lock
# untouched. The store is a small tmpfs in a mount namespace of the test's.
if [ -n "$st_whl" ] && unshare -Urm true 2>/dev/null; then
	NH="$T/nospc-home"
	mkdir -p "$NH/config" "$NH/data"
	printf 'mode: warn\n' > "$NH/config/policy.yaml"
	printf 'python: %s\n' "$PY" > "$NH/config/config.yaml"
	lock setuptools "$(basename "$st_whl" | cut -d- -f2)" "path = '$st_whl', size = $(stat -c %s "$st_whl"), hashes = {sha256 = '$(sha "$st_whl")'}"
	before=$(sha "$P/pylock.toml")
	for case in "300k 1 cannot copy into the store: No space left on device" \
		"2m 2 cannot write: No space left on device" "6m 2 pyvenv.cfg: cannot write: No space left on device"; do
		size=${case%% *} rest=${case#* }
		code=${rest%% *} why=${rest#* }
		run unshare -Urm sh -c 'mount -t tmpfs -o size=$1 tmpfs "$2/data" && cd "$3" && PYLOCK_HOME="$2" "$4" sync; rc=$?
			find "$2/data" -name ".tmp-*" -o -name ".stage.*" > "$2/left"; exit $rc' sh "$size" "$NH" "$P" "$PYLOCK"
		check_equal "a store of $size fills up: sync fails" "$rc" "$code"
		check_contains "saying why" "$err" "$why"
		check_equal "nothing half-made is left in the store" "$(cat "$NH/left")" ""
	done
	check_equal "and the lock is untouched" "$(sha "$P/pylock.toml")" "$before"
else
	skip "a full disk" "needs python3-setuptools-whl and user namespaces"
fi

# 16. list's warnings keep the file's line and column.
mkdir -p "$T/listed/p"
printf '[project\nname = "x"\n' > "$T/listed/p/pyproject.toml"
check_exit "list with a broken pyproject.toml" 0 "$PYLOCK" list "$T/listed"
check_contains "warns at its line and column" "$err" "warning: $T/listed/p/pyproject.toml:1:9: expected ']'"

# 20, 21, 22. sign with long file names; no "Success" as a reason; key
# names that are no names; encrypted keys are named, never prompted for.
long=$(printf 'a%.0s' $(seq 240))
cp "$good" "$T/$long.whl"
check_exit "sign a file whose name has 244 characters" 0 "$PYLOCK" sign --key "$T/k.key" "$T/$long.whl"
check_exit "its .sig is there" 0 test -s "$T/$long.whl.sig"
cp "$good" "$T/${long}aaaaaaaa.whl"
check_exit "a name too long for its .sig: refused" 2 "$PYLOCK" sign --key "$T/k.key" "$T/${long}aaaaaaaa.whl"
check_contains "saying why" "$err" "File name too long"
check_exit "a file where a project folder is expected" 2 "$PYLOCK" status "$good"
check_contains "says so" "$err" "not a project folder: not a folder"
check_not_contains "and never 'Success'" "$err" "Success"
check_exit "key generate ''" 2 "$PYLOCK" key generate ''
check_contains "is refused" "$err" "a key needs a name"
check_exit "key generate DIR/" 2 "$PYLOCK" key generate "$T/keys/"
check_equal "and writes no hidden files" "$(ls -A "$T" | grep -c '^\.\(key\|pub\)$')" 0
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -aes256 -pass pass:secret -out "$T/enc.pem" 2>/dev/null
check_exit "an encrypted signing key: refused, not prompted for" 2 timeout 20 setsid "$PYLOCK" sign --key "$T/enc.pem" "$good"
check_contains "saying it is encrypted" "$err" "is encrypted; pylock signs with unencrypted keys only"

# 17, 18. As another user: a repository owned by someone else is named as
# such; a read-only PYLOCK_HOME still serves a no-op sync, status, run and
# gc --dry-run alike.
if [ "$(id -u)" = 0 ]; then
	chmod 755 "$T"
	cp "$PYLOCK" "$T/pylock-copy" && chmod 755 "$T/pylock-copy"
	ruser=pylock-faults-$$
	useradd --no-create-home --home-dir /nonexistent --shell /bin/sh "$ruser" && on_exit "userdel $ruser 2>/dev/null"
	as_user() { run setpriv --reuid="$ruser" --regid="$ruser" --clear-groups env HOME=/nonexistent "$@"; }
	chown -R nobody "$G"
	check_exit "list a repository another user owns" 0 "$PYLOCK" list "$G"
	check_contains "says who owns it and what git wants" "$err" "owned by another user (nobody, uid 65534): git does not trust it unless you list it in safe.directory"
	chown -R root "$G"
	RH="$T/ro-home" RP="$T/ro-proj"
	mkdir -p "$RH/config" "$RP"
	printf 'mode: warn\n' > "$RH/config/policy.yaml"
	printf 'python: %s\n' "$PY" > "$RH/config/config.yaml"
	cp "$P/pyproject.toml" "$RP/"
	cp "$good" "$RP/"
	printf "lock-version = '1.0'\ncreated-by = 'test'\n[[packages]]\nname = 'demo-good'\nversion = '1.0'\nwheels = [{name = '%s', path = '%s', size = %s, hashes = {sha256 = '%s'}}]\n" \
		"$(basename "$good")" "$(basename "$good")" "$(stat -c %s "$good")" "$(sha "$good")" > "$RP/pylock.toml"
	chown -R "$ruser" "$RH" "$RP"
	cd "$RP" || exit 1
	as_user env PYLOCK_HOME="$RH" "$T/pylock-copy" sync
	check_equal "sync as the user builds" "$rc" 0
	chmod -R a-w "$RH"
	for c in "sync" "status" "run -- true" "gc --dry-run"; do
		as_user env PYLOCK_HOME="$RH" "$T/pylock-copy" $c
		check_equal "read-only PYLOCK_HOME: $c works" "$rc" 0
	done
	as_user env PYLOCK_HOME="$RH" "$T/pylock-copy" status
	check_contains "and status says built" "$out" "env      built"
	chmod -R u+w "$RH"
	cd "$P" || exit 1
else
	skip "another user's repository, a read-only PYLOCK_HOME" "needs root to make a user"
fi

# 3. A RECORD row without a path: refused, never read before its buffer.
bad=$($PY "$SRC/tests/tools/make-wheel.py" "$W" demo-bad 1.0 emptyrow 1)
lock demo-bad 1.0 "name = '$(basename "$bad")', path = '$bad', size = $(stat -c %s "$bad"), hashes = {sha256 = '$(sha "$bad")'}"
check_exit "a wheel whose RECORD has a row without a path: refused" 2 "$PYLOCK" sync
check_contains "saying so" "$err" "has no path; refused"

done_testing
