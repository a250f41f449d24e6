#!/bin/sh
# Issue 9's benchmark: `pylock sync` of 50 wheels (47 generated of about
# 100 modules each, plus Debian's pip, setuptools and wheel; all signed,
# mode enforce) with an empty store and with a warm store (a new env-id from
# already-unpacked wheels), beside `python3 -m venv` + `pip install
# --no-index --no-deps --no-compile` of the same wheels and `cp -al` of the
# finished tree as the floor, same run; then `import pip` inside the sandbox.
# Issue 18's: the same lock with the project itself as an editable directory
# (what uv export writes), beside venv + pip installing the wheels and
# `pip install -e` of the project (setuptools from Debian, no isolation).
set -eu
: "${builddir:=.}" "${srcdir:=.}"
PY=/usr/bin/python3
runs=${BENCH_RUNS:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export PYLOCK_HOME="$tmp/home"
S="$PYLOCK_HOME/data"
mkdir -p "$tmp/proj" "$tmp/w" "$PYLOCK_HOME/config"
cd "$tmp/proj"
printf '[project]\nname = "bench"\n' > pyproject.toml
for i in $(seq 1 47); do $PY "$srcdir/tests/tools/make-wheel.py" "$tmp/w" "gen-$i" 1.0 good 100 > /dev/null; done
cp /usr/share/python-wheels/pip-*.whl /usr/share/python-wheels/setuptools-*.whl /usr/share/python-wheels/wheel-*.whl "$tmp/w/"
"$builddir/pylock" key generate "$tmp/k" > /dev/null
"$builddir/pylock" sign --key "$tmp/k.key" "$tmp"/w/*.whl > /dev/null
printf 'mode: enforce\nkeys: [{id: k, file: %s/k.pub}]\n' "$tmp" > "$PYLOCK_HOME/config/policy.yaml"
printf 'python: %s\n' "$PY" > "$PYLOCK_HOME/config/config.yaml"
sh "$srcdir/scripts/wheel-lock.sh" "$tmp"/w/*.whl > pylock.toml
cat "$tmp"/w/*.whl > /dev/null
now() { date +%s%N; }
# Between timed runs the last run's trees are moved aside, not removed:
# ext4 skips inodes freed in the last half minute when it allocates new
# ones (recently_deleted), which made every file created right after an
# rm of 12,000 others cost several times more, for pylock and pip alike.
# They go when the benchmark ends. What is still dirty is written back
# before a timed run starts; every figure below is taken so.
mkdir -p "$tmp/aside"
aside() { for p; do [ -e "$p" ] && mv "$p" "$(mktemp -d "$tmp/aside/XXXXXX")/"; done; true; }
settle() { sync; }
ms() { echo $((($2 - $1) / 1000000)); }
median() { sort -n | sed -n "$(((runs + 1) / 2))p"; }

cold=$(for i in $(seq "$runs"); do
	aside "$S" "$PYLOCK_HOME/cache"
	settle
	a=$(now); "$builddir/pylock" sync > /dev/null 2>&1; b=$(now); ms "$a" "$b"
done | median)
id=$("$builddir/pylock" sync 2>/dev/null)
files=$(find "$S/envs/$id" -type f | wc -l)
warm=$(for i in $(seq "$runs"); do
	aside "$S/envs" "$S/projects"
	settle
	a=$(now); "$builddir/pylock" sync > /dev/null 2>&1; b=$(now); ms "$a" "$b"
done | median)
noop=$(for i in $(seq "$runs"); do a=$(now); "$builddir/pylock" sync > /dev/null 2>&1; b=$(now); ms "$a" "$b"; done | median)
cpal=$(for i in $(seq "$runs"); do
	aside "$tmp/copy"
	settle
	a=$(now); cp -al "$S/envs/$id" "$tmp/copy"; b=$(now); ms "$a" "$b"
done | median)
pip=$(ls /usr/share/python-wheels/pip-*.whl)
venv=$(for i in $(seq 3); do
	aside "$tmp/venv"
	settle
	a=$(now)
	$PY -m venv --without-pip "$tmp/venv"
	"$tmp/venv/bin/python" "$pip/pip" install -q --no-index --no-deps --no-compile "$tmp"/w/*.whl > /dev/null 2>&1
	b=$(now); ms "$a" "$b"
done | sort -n | sed -n 2p)
# pip's default: bytecode compiled as it installs.
venvc=$(for i in $(seq 3); do
	aside "$tmp/venv"
	settle
	a=$(now)
	$PY -m venv --without-pip "$tmp/venv"
	"$tmp/venv/bin/python" "$pip/pip" install -q --no-index --no-deps "$tmp"/w/*.whl > /dev/null 2>&1
	b=$(now); ms "$a" "$b"
done | sort -n | sed -n 2p)
# Where a warm sync's time goes (pylock sync --timings), one run.
aside "$S/envs" "$S/projects"
steps=$("$builddir/pylock" sync --timings 2>&1 >/dev/null | awk '$3 == "ms" { printf "%s %s ms, ", $1, $2 }' | sed 's/, $//')
"$builddir/pylock" run -- python -c 'import pip._internal' > /dev/null 2>&1
set -- $("$builddir/tests/bench/bench-run" 9 "$builddir/pylock" run -- python -c 'import pip._internal')
imp=$1
# Composition instead of linking (issue 24, item 3), measured, not used by
# pylock: the environment as one read-only overlay of its wheel trees under
# a skeleton (pyvenv.cfg, bin/python), mounted unprivileged in a user
# namespace, with 51 layers and with 500 (hard-linked copies of the same
# trees: the most overlayfs stacks); what the mount costs, and what
# importing pip through it costs beside the linked environment.
E="$S/envs/$id"
sk="$tmp/skeleton"
xy=$($PY -c 'import sys; print("%d.%d" % sys.version_info[:2])')
mkdir -p "$sk/lib/python$xy/site-packages" "$tmp/ovl" "$tmp/many"
cp -a "$E/pyvenv.cfg" "$E/bin" "$E/lib64" "$sk/"
find "$sk/bin" ! -type d ! -name 'python*' -exec rm -f {} +
layers=$($PY -c 'import json, sys; print(" ".join(sys.argv[2] + "/wheels/" + p["sha256"] + "/python" + sys.argv[3] for p in json.load(open(sys.argv[1]))["packages"]))' "$E/pylock-env.json" "$S" "$xy")
i=0
for r in $(seq 10); do for l in $layers; do i=$((i + 1)); [ "$i" -lt 500 ] && cp -al "$l" "$tmp/many/$i"; done; done
probe() { "$builddir/tests/bench/overlay-probe" "$tmp/ovl" "$sk" "$@" 2>&1; }
# shellcheck disable=SC2086
if probe $layers -- true > "$tmp/probe" 2>&1; then
	# shellcheck disable=SC2086
	m51=$(for r in $(seq "$runs"); do probe $layers -- true; done | awk '/^mount-ms/ { print $2 }' | median)
	m500=$(for r in $(seq "$runs"); do probe "$tmp"/many/* -- true; done | awk '/^mount-ms/ { print $2 }' | median)
	set -- $("$builddir/tests/bench/bench-run" 15 "$E/bin/python" -c 'import pip._internal')
	il=$1
	# shellcheck disable=SC2086
	set -- $(probe $layers -- "$builddir/tests/bench/bench-run" 15 "$tmp/ovl/bin/python" -c 'import pip._internal' | grep -v '^mount-ms')
	i51=$1
	set -- $(probe "$tmp"/many/* -- "$builddir/tests/bench/bench-run" 15 "$tmp/ovl/bin/python" -c 'import pip._internal' | grep -v '^mount-ms')
	i500=$1
	compose="mount ${m51} ms for 51 layers, ${m500} ms for 500; import pip._internal ${il} ms linked, ${i51} ms through 51 layers, ${i500} ms through 500 (median)"
else
	compose="not measured: $(head -1 "$tmp/probe")"
fi
mkdir -p src/bench_app
printf 'def main():\n    print("app")\n' > src/bench_app/__init__.py
printf '[build-system]\nrequires = ["setuptools>=64"]\nbuild-backend = "setuptools.build_meta"\n' > pyproject.toml
printf '[project]\nname = "bench"\nversion = "1.0"\n[project.scripts]\nbench-app = "bench_app:main"\n' >> pyproject.toml
printf '\n[[packages]]\nname = "bench"\ndirectory = { path = ".", editable = true }\n' >> pylock.toml
"$builddir/pylock" sync > /dev/null 2>&1
ewarm=$(for i in $(seq "$runs"); do
	aside "$S/envs" "$S/projects"
	settle
	a=$(now); "$builddir/pylock" sync > /dev/null 2>&1; b=$(now); ms "$a" "$b"
done | median)
"$builddir/pylock" run -- bench-app > /dev/null 2>&1 || echo "sync: the editable project does not run" >&2
epip=$(for i in $(seq 3); do
	aside "$tmp/venv" src/*.egg-info build
	settle
	a=$(now)
	$PY -m venv --without-pip "$tmp/venv"
	"$tmp/venv/bin/python" "$pip/pip" install -q --no-index --no-deps --no-compile "$tmp"/w/*.whl > /dev/null 2>&1
	"$tmp/venv/bin/python" "$pip/pip" install -q --no-index --no-deps --no-compile --no-build-isolation -e . \
		> /dev/null 2>&1
	b=$(now); ms "$a" "$b"
done | sort -n | sed -n 2p)
"$tmp/venv/bin/bench-app" > /dev/null 2>&1 || echo "sync: pip's editable install does not run" >&2
awk -v c="$cold" -v w="$warm" -v n="$noop" -v cp="$cpal" -v v="$venv" -v vc="$venvc" -v f="$files" -v i="$imp" \
	-v ew="$ewarm" -v ep="$epip" -v steps="$steps" -v compose="$compose" 'BEGIN {
	printf "sync: 50 wheels (%d files in the environment), signed, mode enforce, median\n", f
	printf "  pylock sync, empty store              %7d ms (verify, unpack, bytecode, link)\n", c
	printf "  pylock sync, warm store (new env-id)  %7d ms\n", w
	printf "  pylock sync, nothing to do            %7d ms\n", n
	printf "  python3 -m venv + pip install         %7d ms (--no-compile)\n", v
	printf "  python3 -m venv + pip install         %7d ms (bytecode compiled, pip'"'"'s default)\n", vc
	printf "  cp -al of the finished environment    %7d ms (the floor)\n", cp
	printf "  warm sync, step by step: %s\n", steps
	printf "  ratio: warm sync is %.2fx cp -al (target <= 1x), %.1fx faster than venv + pip --no-compile\n", w / (cp ? cp : 1), v / (w ? w : 1)
	printf "  ratio: empty-store sync is %.1fx faster than venv + pip with bytecode (target >= 3x), %.1fx than --no-compile\n", vc / (c ? c : 1), v / (c ? c : 1)
	printf "  import pip._internal in the sandbox, second run: %.1f ms (bytecode precompiled)\n", i
	printf "  composition by overlayfs instead of links (not used): %s\n", compose
	printf "editable: the same lock with the project as an editable directory (uv export'"'"'s shape)\n"
	printf "  pylock sync, warm store (new env-id)  %7d ms\n", ew
	printf "  venv + pip install + pip install -e   %7d ms\n", ep
	printf "  ratio: warm sync is %.1fx faster than venv + pip with pip install -e (target 20x)\n", ep / (ew ? ew : 1)
}'
