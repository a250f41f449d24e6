#!/bin/sh
# Issue 6's benchmark: `pylock run P -- /bin/true` (project lookup included)
# beside Debian's bwrap with the equivalent flags (issue 15's isolation too:
# a session of its own, capped tmpfs, the host's keys hidden; bwrap has no
# Landlock scopes, rlimits or git guard, which pylock pays for besides) and `unshare -Urmpf
# --mount-proc /bin/true`, as an unprivileged user (one is made when run as
# root), same run, median of many runs.
set -eu
: "${builddir:=.}" "${srcdir:=.}"
runs=${BENCH_RUNS:-200}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
mkdir -p "$tmp/proj" "$tmp/home"
printf '[project]\nname = "bench"\n' > "$tmp/proj/pyproject.toml"
cp "$builddir/tests/bench/bench-run" "$tmp/bench-run" && chmod 755 "$tmp/bench-run"
run="$tmp/bench-run"
as=
if [ "$(id -u)" = 0 ]; then
	user=pylock-bench
	id "$user" >/dev/null 2>&1 || useradd --no-create-home --home-dir /nonexistent "$user"
	chown -R "$user" "$tmp/proj" "$tmp/home"
	as="setpriv --reuid=$user --regid=$user --clear-groups"
fi
export HOME="$tmp/home" PYLOCK_HOME="$tmp/home/pylock"
# The benchmark's user may not reach the build folder: it runs copies.
cp "$builddir/pylock" "$tmp/pylock" && chmod 755 "$tmp/pylock"
cd "$tmp/proj"

median() { set -- $($as "$run" "$runs" "$@"); echo "$1"; }
# pylock and bwrap alternate in blocks, so that a drift of the machine's
# speed during the run falls on both alike; each figure is the median of
# the blocks' medians.
blocks=${BENCH_BLOCKS:-5}
block=$(( (runs + blocks - 1) / blocks ))
: > "$tmp/ours" && : > "$tmp/bw"
for b in $(seq "$blocks"); do
	set -- $($as "$run" "$block" "$tmp/pylock" run -- /bin/true); echo "$1" >> "$tmp/ours"
	set -- $($as "$run" "$block" bwrap --unshare-all --share-net --die-with-parent --new-session \
		--ro-bind /usr /usr --ro-bind /etc /etc \
		--symlink usr/bin /bin --symlink usr/sbin /sbin --symlink usr/lib /lib --symlink usr/lib64 /lib64 \
		--proc /proc --ro-bind /dev/null /proc/keys --ro-bind /dev/null /proc/key-users \
		--dev /dev --size 1073741824 --tmpfs /tmp --size 1073741824 --tmpfs /run --size 1073741824 --tmpfs "$HOME" \
		--bind "$tmp/proj" "$tmp/proj" --chdir "$tmp/proj" /bin/true)
	echo "$1" >> "$tmp/bw"
done
mid() { sort -n "$1" | sed -n "$(( (blocks + 1) / 2 ))p"; }
ours=$(mid "$tmp/ours")
bw=$(mid "$tmp/bw")
un=$(median unshare -Urmpf --mount-proc /bin/true)
tr=$(median /bin/true)
awk -v o="$ours" -v b="$bw" -v u="$un" -v t="$tr" -v n="$runs" 'BEGIN {
	printf "sandbox: /bin/true in a sandbox, unprivileged, %d runs each (pylock and bwrap alternating in blocks), median\n", n
	printf "  pylock run P -- /bin/true        %7.2f ms\n", o
	printf "  bwrap (equivalent flags)         %7.2f ms\n", b
	printf "  unshare -Urmpf --mount-proc      %7.2f ms\n", u
	printf "  /bin/true                        %7.2f ms\n", t
	printf "  ratio: pylock takes %.2fx bwrap'"'"'s time (target <= 1.00)\n", o / b
}'
