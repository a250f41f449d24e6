#!/bin/sh
# Hostile input and faults around the store (issue 16): a lock cannot fill
# the disk or hang pylock on a device, a killed run's stage files do not
# outlive the next sync or gc, gc never collects what a sync is building
# or has just built, a wheel with a RECORD row without a path is refused,
# and a missing file is reported as missing.
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
good=$($PY "$SRC/tests/make-wheel.py" "$W" demo-good 1.0 good 2)
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
check_contains "as missing, with the reason" "$err" "missing ($T/no-such.whl: cannot open: No such file or directory)"

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
cat > "$T/leaving-python" <<EOF
#!/bin/sh
case "\$*" in
*compileall*) sleep 300 & echo \$! > "$T/sleeper.pid"; exit 0 ;;
esac
$PY "\$@" | sed "s|\"executable\": \"[^\"]*\"|\"executable\": \"\$0\"|"
EOF
chmod +x "$T/leaving-python"
printf 'python: %s\n' "$T/leaving-python" > "$PYLOCK_HOME/config/config.yaml"
lock demo-good 1.0 "name = 'demo_good-1.0-py3-none-any.whl', path = '$good', size = $(stat -c %s "$good"), hashes = {sha256 = '$(sha "$good")'}"
rm -rf "$S"
check_exit "a compile that leaves a process holding its output: sync ends" 0 timeout 60 "$PYLOCK" sync
check_exit "the compile ran" 0 test -s "$T/sleeper.pid"
# gone: no such process, or a zombie its new parent has yet to reap
gone() { [ ! -e "/proc/$1/stat" ] || [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" = Z ]; }
check_exit "and the process it left is gone with it" 0 wait_for gone "$(cat "$T/sleeper.pid")"
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
check_exit "the environment stays" 0 "$PYLOCK" status
check_exit "a record's stale temporary file goes with the next record written" 0 "$PYLOCK" sync
check_exit "(gone)" 1 test -e "$S/projects/.$rec.AbCdEf"
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

# 3. A RECORD row without a path: refused, never read before its buffer.
bad=$($PY "$SRC/tests/make-wheel.py" "$W" demo-bad 1.0 emptyrow 1)
lock demo-bad 1.0 "name = '$(basename "$bad")', path = '$bad', size = $(stat -c %s "$bad"), hashes = {sha256 = '$(sha "$bad")'}"
check_exit "a wheel whose RECORD has a row without a path: refused" 2 "$PYLOCK" sync
check_contains "saying so" "$err" "has no path; refused"

done_testing
