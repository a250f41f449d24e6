#!/bin/sh
# Builds pylock and runs it on a demo workspace made on the fly in a
# temporary folder. It grows with pylock; today: a project locked to
# Debian's real wheels, read and shown, what a broken lock gets, the project
# listed and diffed through git, its wheels signed and verified, its
# environment built and entered in the sandbox; then the terminal UI on a
# workspace of four repositories (clean, a modified lock, a lock in merge
# conflict, a tampered package) and a registry signed with a demo key.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sh scripts/deps.sh --tests
sh scripts/build.sh release
pylock="$top/build-release/pylock"
ws=$(mktemp -d "${TMPDIR:-/tmp}/pylock-demo.XXXXXX")
trap 'rm -rf "$ws"' EXIT
export PYLOCK_HOME="$ws/home"

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

mkdir -p "$ws/webapp/src"
printf '[project]\nname = "webapp"\nversion = "0.1.0"\nrequires-python = ">=3.9"\n' > "$ws/webapp/pyproject.toml"
mkdir -p "$ws/wheels" && cp /usr/share/python-wheels/*.whl "$ws/wheels/"
sh scripts/wheel-lock.sh "$ws"/wheels/*.whl > "$ws/webapp/pylock.toml"
cd "$ws/webapp/src"

say pylock --version
"$pylock" --version
say "pylock show            # from inside the project: finds ../pylock.toml"
"$pylock" show
say "pylock show --json | head -20"
"$pylock" show --json | head -20

sed 's/^lock-version.*/lock-version = "2.0"/' ../pylock.toml > "$ws/future.toml"
say "pylock show future.toml   # a lock-version pylock cannot read"
"$pylock" show "$ws/future.toml" || echo "(exit $?)"

{ head -4 ../pylock.toml; echo '<<<<<<< HEAD'; echo "created-by = 'a'"; echo '======='; echo "created-by = 'b'"; echo '>>>>>>> other'; } > "$ws/conflicted.toml"
say "pylock show conflicted.toml   # a lock left in conflict by git merge"
"$pylock" show "$ws/conflicted.toml" || echo "(exit $?)"

# The project as a git repository: list it, change the lock, diff it.
cd "$ws/webapp"
export GIT_AUTHOR_NAME=demo GIT_AUTHOR_EMAIL=demo@example.invalid
export GIT_COMMITTER_NAME=demo GIT_COMMITTER_EMAIL=demo@example.invalid
git init -q -b main && git add -A && git commit -qm "lock Debian's wheels"
mkdir -p "$ws/tool" && printf '[project]\nname = "tool"\n' > "$ws/tool/pyproject.toml"
say "pylock list $ws"
"$pylock" list "$ws"
perl -pi -e "s/(sha256 = '[0-9a-f]{63})([0-9a-f])/\$1.(\$2 eq 'a' ? 'b' : 'a')/e if /pip-/" pylock.toml
say "pylock diff               # after pip's recorded hash was changed in pylock.toml"
"$pylock" diff || true
git checkout -q pylock.toml

# A signing key, a policy that enforces it, the wheels signed; then the
# environment.
mkdir -p "$PYLOCK_HOME/config"
"$pylock" key generate "$ws/demo" > /dev/null
printf 'mode: enforce\nkeys: [{id: demo, file: %s}]\n' "$ws/demo.pub" > "$PYLOCK_HOME/config/policy.yaml"
say "pylock verify             # before signing"
"$pylock" verify || echo "(exit $?)"
"$pylock" sign --key "$ws/demo.key" "$ws"/wheels/*.whl > /dev/null
say "pylock verify             # signed by the demo key"
"$pylock" verify
say "pylock sync"
"$pylock" sync
say "pylock status"
"$pylock" status
say "pylock run -- python -c 'import pip, sys; print(sys.prefix, pip.__version__)'"
"$pylock" run -- python -c 'import pip, sys; print(sys.prefix, pip.__version__)'

say "pylock run -- sh -c 'id; hostname; ls /proc | head -3; touch /usr/x'"
"$pylock" run -- sh -c 'id; hostname; ls /proc | head -3; touch /usr/x' || echo "(exit $?)"

say "pylock --help"
"$pylock" --help

say "pylock ui                 # the terminal UI on a demo workspace (q quits, ? lists the keys)"
export PYLOCK_HOME
PYLOCK_HOME=$(sh "$top/scripts/demo-workspace.sh" "$ws/demo" "$pylock")
"$pylock" list
if [ -t 0 ] && [ -t 1 ]; then
	echo "Try: j/k to move, v to verify tampered-app, r then o and w to resolve conflicted-app, Enter for a shell."
	sleep 2
	"$pylock" ui
else
	echo "(not a terminal: run scripts/demo.sh from one to open the UI)"
fi
