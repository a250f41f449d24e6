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
check_contains "as missing, with the reason" "$err" "missing ($T/no-such.whl: No such file or directory)"

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

# 3. A RECORD row without a path: refused, never read before its buffer.
bad=$($PY "$SRC/tests/make-wheel.py" "$W" demo-bad 1.0 emptyrow 1)
lock demo-bad 1.0 "name = '$(basename "$bad")', path = '$bad', size = $(stat -c %s "$bad"), hashes = {sha256 = '$(sha "$bad")'}"
check_exit "a wheel whose RECORD has a row without a path: refused" 2 "$PYLOCK" sync
check_contains "saying so" "$err" "has no path; refused"

done_testing
