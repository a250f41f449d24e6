# Helpers for integration tests, which print TAP for Automake's TAP driver.
# A test sources this file, calls the check_* helpers, and ends with `done_testing`.
# Each test gets a fresh temporary folder in $T, removed on exit.
set -u
: "${PYLOCK:=pylock}" "${srcdir:=.}"
T=$(mktemp -d "${TMPDIR:-/tmp}/pylock-test.XXXXXX")
cleanup_hooks=
trap 'eval "$cleanup_hooks"; rm -rf "$T"' EXIT
_n=0
_failed=0
export PYLOCK_HOME="$T/home"

# Runs a command on exit, before the folder is removed.
on_exit() { cleanup_hooks="$cleanup_hooks
$1"; }

ok() { _n=$((_n + 1)); echo "ok $_n - $1"; }
not_ok() {
	_n=$((_n + 1)); _failed=$((_failed + 1))
	echo "not ok $_n - $1"
	shift
	for line in "$@"; do printf '#   %s\n' "$line"; done
}
skip() { _n=$((_n + 1)); echo "ok $_n - $1 # SKIP ${2:-}"; }

# run CMD...: runs a command, keeping its status in $rc, stdout in $out, stderr in $err.
run() {
	"$@" >"$T/.out" 2>"$T/.err"
	rc=$?
	out=$(cat "$T/.out")
	err=$(cat "$T/.err")
}

# check_exit DESC CODE CMD...: the command exits with CODE.
check_exit() {
	desc=$1 want=$2
	shift 2
	run "$@"
	if [ "$rc" = "$want" ]; then ok "$desc"
	else not_ok "$desc" "exit $rc, expected $want: $*" "stdout: $out" "stderr: $err"; fi
}

# check_contains DESC HAYSTACK NEEDLE: NEEDLE occurs in HAYSTACK.
check_contains() {
	case "$2" in
	*"$3"*) ok "$1" ;;
	*) not_ok "$1" "expected to find: $3" "in: $2" ;;
	esac
}

check_not_contains() {
	case "$2" in
	*"$3"*) not_ok "$1" "did not expect: $3" "in: $2" ;;
	*) ok "$1" ;;
	esac
}

# check_equal DESC GOT WANT
check_equal() {
	if [ "$2" = "$3" ]; then ok "$1"
	else not_ok "$1" "got:  $2" "want: $3"; fi
}

# wait_for CMD...: polls CMD for up to 10 s until it succeeds (loaded machines
# are slow; a fixed sleep would make the test flaky).
wait_for() {
	i=0
	while [ $i -lt 200 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# compile_python FILE COMMAND: an interpreter at FILE that is $PY (its
# answers name FILE as the executable, so that sync runs FILE again for
# the bytecode compile) except for that compile, which runs COMMAND (a
# shell command line; "$@" there is the compile's arguments).
compile_python() {
	cat > "$1" <<EOF
#!/bin/sh
case "\$*" in
*cache_from_source*) $2 ;;
esac
$PY "\$@" | sed "s|\"executable\": \"[^\"]*\"|\"executable\": \"\$0\"|"
EOF
	chmod +x "$1"
}

# sandbox_setup PREFIX: for the sandbox tests. Ends the test (one skip)
# where the kernel refuses user namespaces; copies pylock into $T (the
# unprivileged user may not reach the build folder); as root, makes a user
# named PREFIX$$ for the test in $user (empty otherwise).
sandbox_setup() {
	if ! unshare -Ur true 2>/dev/null; then
		skip "sandbox tests" "this kernel refuses user namespaces"
		done_testing
		exit 0
	fi
	chmod 755 "$T"
	cp "$PYLOCK" "$T/pylock" && chmod 755 "$T/pylock" && PYLOCK="$T/pylock"
	user=
	if [ "$(id -u)" = 0 ]; then
		# One user per run, so concurrent runs do not delete each other's.
		user=$1$$
		useradd --no-create-home --home-dir /nonexistent --shell /bin/sh "$user" &&
			on_exit "userdel $user 2>/dev/null"
	fi
}

done_testing() {
	echo "1..$_n"
	[ "$_failed" = 0 ]
}

# driver_repo DIR [PATTERN]: a new git repository in DIR (the current folder
# from then on) whose locks (PATTERN, default pylock.toml) go through pylock's
# merge driver, with a pyproject.toml.
driver_repo() {
	git init -q "$1"
	cd "$1" || exit 1
	git config merge.pylock.name 'pylock lockfile merge'
	git config merge.pylock.driver "'$PYLOCK' merge-driver %O %A %B %P"
	echo "${2:-pylock.toml} merge=pylock" > .gitattributes
	printf '[project]\nname = "m"\n' > pyproject.toml
}
