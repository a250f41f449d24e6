#!/bin/sh
# The sandbox boundary seen from the host (issue 15): an attacker inside
# `pylock run` tries to get code run on the host afterwards, or to reach
# outside, through what pylock does around the namespace engine. Each class
# as root and as an unprivileged user made for the test. A "marker" is a
# file a planted program would create on the host: it must never appear.
. "$srcdir/tests/integration/lib.sh"

sandbox_setup plbnd
cp "$builddir/tests/tools/sandbox-probe" "$T/probe" && chmod 755 "$T/probe"
cp "$builddir/tests/tools/no-mount-setattr" "$T/no-mount-setattr" && chmod 755 "$T/no-mount-setattr"
probe="$T/probe"
marks="$T/marks"
mkdir -p "$marks" && chmod 1777 "$marks"
unset GIT_DIR GIT_WORK_TREE GIT_CONFIG_GLOBAL GIT_CONFIG_SYSTEM

# no_marker DESC NAME: the planted program never ran.
no_marker() {
	if [ -e "$marks/$2" ]; then not_ok "$1" "the planted program ran on the host ($2)"; else ok "$1"; fi
}

suite() {
	label=$1 as=$2
	home="$T/$label-home"
	mkdir -p "$home/.config/pylock"
	echo secret > "$home/secret.txt"
	cat > "$T/as-$label" <<SH
#!/bin/sh
cd "\$1" || exit 99
shift
exec env -u PYLOCK_HOME HOME="$home" XDG_CONFIG_HOME="$home/.config" "\$@"
SH
	chmod 755 "$T/as-$label"
	R="$T/as-$label"
	if [ -n "$as" ]; then R="setpriv --reuid=$user --regid=$user --clear-groups $T/as-$label"; fi
	P="$PYLOCK"
	own() { if [ -n "$as" ]; then chown -R "$user" "$@"; fi; chmod -R a+rX "$@"; }
	own "$home"
	# at DIR CMD...: runs CMD in DIR as the user under test.
	at() { d=$1; shift; run $R "$d" "$@"; }
	# probe_in DIR CHECK ARGS...: the probe, run in DIR's sandbox.
	probe_in() { d=$1; shift; run $R "$d" "$P" run --ro-bind "$probe:/opt/probe" -- /opt/probe "$@"; }
	hostgit() { d=$1; shift; run $R "$d" git "$@"; }

	# ---- 1. host-side execution of project-chosen programs ----
	c1="$T/$label-c1"
	mkdir -p "$c1/.venv/bin"
	printf "lock-version = '1.0'\ncreated-by = 't'\npackages = []\n" > "$c1/pylock.toml"
	printf '[project]\nname = "c1"\n[tool.pylock]\npython = "./evil"\n' > "$c1/pyproject.toml"
	for f in "$c1/evil" "$c1/.venv/bin/python3"; do
		printf '#!/bin/sh\ntouch %s/c1-%s\nexec /usr/bin/python3 "$@"\n' "$marks" "$label" > "$f"
		chmod 755 "$f"
	done
	own "$c1"
	for cmd in "run -- true" "status" "sync" "verify"; do
		# shellcheck disable=SC2086
		at "$c1" "$P" $cmd
		no_marker "$label: $cmd does not run [tool.pylock] python on the host" "c1-$label"
		check_contains "$label: $cmd says why" "$err" "[tool.pylock] python names a path (./evil)"
	done
	check_equal "$label: status refuses with exit 2" "$(at "$c1" "$P" status; echo $rc)" 2
	printf '[project]\nname = "c1"\n' > "$c1/pyproject.toml"
	at "$c1" env PATH="$c1/.venv/bin:/usr/bin:/bin" "$P" status
	no_marker "$label: python3 from the project's .venv/bin on PATH is skipped" "c1-$label"
	check_contains "$label: a trusted python3 further on PATH is used" "$out" "python   /usr/bin/python3"
	# Another project's tree, once given to a sandbox, is untrusted too.
	c1b="$T/$label-c1b"
	mkdir -p "$c1b/.venv/bin"
	printf '[project]\nname = "c1b"\n' > "$c1b/pyproject.toml"
	cp "$c1/evil" "$c1b/.venv/bin/python3"
	own "$c1b"
	at "$c1b" "$P" run -- true
	at "$c1" env PATH="$c1b/.venv/bin:/usr/bin:/bin" "$P" status
	no_marker "$label: python3 in another sandboxed project's tree is skipped" "c1-$label"
	printf '[project]\nname = "c1"\n[tool.pylock]\npython = "sh"\n' > "$c1/pyproject.toml"
	at "$c1" "$P" status
	check_contains "$label: a command that is no interpreter's is refused" "$err" "not an interpreter's (sh)"
	printf '[project]\nname = "c1"\n[tool.pylock]\npython = "python3"\n' > "$c1/pyproject.toml"
	at "$c1" env PATH="/usr/bin:/bin" "$P" status
	check_contains "$label: a command name in [tool.pylock] python is looked up on PATH" "$out" "python   /usr/bin/python3"
	printf 'python: %s/evil\n' "$c1" > "$home/.config/pylock/config.yaml"
	printf '[project]\nname = "c1"\n' > "$c1/pyproject.toml"
	at "$c1" "$P" status
	if [ -e "$marks/c1-$label" ]; then ok "$label: an interpreter the user pins in config.yaml runs as given"
	else not_ok "$label: an interpreter the user pins in config.yaml runs as given" "$out $err"; fi
	rm -f "$marks/c1-$label" "$home/.config/pylock/config.yaml"

	# ---- 2. git metadata redirection ----
	repo="$T/$label-repo"
	git init -q "$repo"
	printf '[project]\nname = "repo"\n' > "$repo/pyproject.toml"
	git -C "$repo" add pyproject.toml && git -C "$repo" -c user.name=t -c user.email=t@t commit -q -m init
	own "$repo"
	inrepo() { run $R "$repo" "$P" run --ro-bind "$probe:/opt/probe" -- sh -c "$1"; }
	hoststatus() { at "${1:-$repo}" git status --porcelain; }
	fsmon="touch $marks/c2-$label"

	inrepo "mv .git .git-old && git init -q && git config core.fsmonitor '$fsmon'"
	check_contains "$label: .git cannot be renamed inside" "$err" "busy"
	hoststatus
	no_marker "$label: and the host's git runs no planted fsmonitor" "c2-$label"
	inrepo "echo 'gitdir: /tmp/x' > gitfile && /opt/probe exchange gitfile .git"
	check_contains "$label: .git cannot be swapped for a gitfile" "$out" "blocked: Device or resource busy"
	hostgit "$repo" rev-parse --git-dir
	check_equal "$label: and stays the repository" "$out" ".git"

	inrepo "git init -q --bare evil && git -C evil config core.fsmonitor '$fsmon' && echo '$repo/evil' > .git/commondir"
	check_equal "$label: a planted commondir makes pylock exit 2" "$rc" 2
	check_contains "$label: naming it" "$err" "$repo/.git/commondir: a commondir"
	check_contains "$label: and where it went" "$err" "moved to $repo/.git/commondir.pylock-quarantine"
	hoststatus
	no_marker "$label: the host's git does not follow it" "c2-$label"

	inrepo "git init -q sub && git -C sub config core.fsmonitor '$fsmon' && git -C sub -c user.name=t -c user.email=t@t commit -q --allow-empty -m s && git add sub"
	check_equal "$label: a nested repository added as a gitlink makes pylock exit 2" "$rc" 2
	check_contains "$label: naming it" "$err" "$repo/sub/.git: a git repository made while the command ran"
	hoststatus
	no_marker "$label: the host's git status does not run its fsmonitor" "c2-$label"
	hostgit "$repo" rm -q --cached sub

	inrepo "mkdir -p docs && git init -q docs && git -C docs config core.fsmonitor '$fsmon'"
	check_equal "$label: a repository planted in a subfolder makes pylock exit 2" "$rc" 2
	hoststatus "$repo/docs"
	no_marker "$label: git run in that subfolder on the host runs nothing planted" "c2-$label"

	inrepo "git init -q hidden && git -C hidden config core.fsmonitor '$fsmon' && chmod 000 hidden"
	check_equal "$label: a repository in a folder made unreadable makes pylock exit 2" "$rc" 2
	if [ -n "$as" ]; then
		check_contains "$label: the folder it cannot examine is named" "$err" "$repo/hidden: cannot be examined for planted git metadata (Permission denied)"
	else
		check_contains "$label: naming it" "$err" "$repo/hidden/.git: a git repository made while the command ran"
	fi
	chmod 755 "$repo/hidden" && rm -rf "$repo/hidden"

	inrepo "git init -q --bare .git/modules/evil && git -C .git/modules/evil config core.fsmonitor '$fsmon' && mkdir -p m && echo 'gitdir: ../.git/modules/evil' > m/.git"
	check_equal "$label: a submodule git folder made inside makes pylock exit 2" "$rc" 2
	check_contains "$label: naming the folder" "$err" "$repo/.git/modules/evil"
	check_contains "$label: and the gitfile" "$err" "$repo/m/.git: a .git file or link"
	hoststatus "$repo/m"
	no_marker "$label: the host's git does not use it" "c2-$label"

	inrepo "mkdir -p .git/rebase-merge && echo 'exec $fsmon' > .git/rebase-merge/git-rebase-todo"
	check_equal "$label: a planted rebase todo makes pylock exit 2" "$rc" 2
	check_contains "$label: naming it" "$err" "$repo/.git/rebase-merge: a rebase's todo"

	mkdir -p "$repo/.githooks" "$repo/.husky/_" && own "$repo"
	hostgit "$repo" config core.hooksPath .githooks
	hostgit "$repo" config include.path ../.gitconfig-project
	printf '[user]\n' > "$repo/.gitconfig-project" && own "$repo"
	probe_in "$repo" write "$repo/.githooks/pre-commit"
	check_contains "$label: a hooks path inside the work tree is read-only" "$out" "Read-only file system"
	probe_in "$repo" write "$repo/.gitconfig-project"
	check_contains "$label: so is a config file git includes from the work tree" "$out" "Read-only file system"
	hostgit "$repo" config core.hooksPath .husky/_
	probe_in "$repo" write "$repo/.husky/pre-commit"
	check_contains "$label: husky's hooks beside its .husky/_ runner are read-only" "$out" "Read-only file system"
	hostgit "$repo" config --unset core.hooksPath
	hostgit "$repo" config --unset include.path

	plain="$T/$label-plain"
	mkdir -p "$plain" && printf '[project]\nname = "plain"\n' > "$plain/pyproject.toml" && own "$plain"
	at "$plain" "$P" run -- sh -c "git init -q && git config core.fsmonitor '$fsmon'"
	check_equal "$label: a repository made in a project outside git makes pylock exit 2" "$rc" 2
	check_contains "$label: the report names it" "$err" "$plain/.git: a git repository made"
	hoststatus "$plain"
	no_marker "$label: and the host's git does not use it" "c2-$label"

	inrepo "echo new > made.txt && git add made.txt && git -c user.name=t -c user.email=t@t commit -q -m inside && echo ok"
	check_equal "$label: committing inside is not a finding" "$rc" 0
	hostgit "$repo" log -1 --format=%s
	check_equal "$label: and the commit is the host's" "$out" "inside"

	# ---- 3. the writable tree ----
	# wrote_host DESC PATH: whether a write inside reached the host's PATH
	# (inside, a folder outside the writable tree is the sandbox's tmpfs).
	reaches() { if [ -e "$2" ]; then ok "$1"; else not_ok "$1" "$2 is not on the host: $out $err"; fi; rm -f "$2"; }
	stays() { if [ -e "$2" ]; then not_ok "$1" "$2 was written on the host"; rm -f "$2"; else ok "$1"; fi; }
	git init -q "$home"
	mkdir -p "$home/proj" && printf '[project]\nname = "inhome"\n' > "$home/proj/pyproject.toml"
	own "$home"
	probe_in "$home/proj" write "$home/.bashrc"
	stays "$label: a dotfiles repository at \$HOME does not make the home writable" "$home/.bashrc"
	probe_in "$home/proj" read "$home/secret.txt"
	check_contains "$label: nor readable" "$out" "blocked"
	probe_in "$home/proj" write "$home/proj/made"
	reaches "$label: the project itself is writable" "$home/proj/made"
	rm -rf "$home/.git" "$home/proj"
	printf '[project]\nname = "home"\n' > "$home/pyproject.toml" && own "$home"
	at "$home" "$P" run -- true
	check_equal "$label: a project at \$HOME itself is refused" "$rc" 2
	check_contains "$label: saying why" "$err" "holds $home"
	rm -f "$home/pyproject.toml"

	outer="$marks/$label-outer"
	mkdir -p "$outer/proj" && printf '[project]\nname = "outer"\n' > "$outer/proj/pyproject.toml"
	ln -s /nonexistent "$outer/.git"
	own "$outer"
	probe_in "$outer/proj" write "$outer/x"
	stays "$label: a dangling .git link above the project widens nothing" "$outer/x"
	rm "$outer/.git" && git init -q "$outer" && own "$outer"
	if [ -n "$user" ]; then
		if [ -n "$as" ]; then chown -R root "$outer/.git"; else chown -R "$user" "$outer/.git"; fi
		probe_in "$outer/proj" write "$outer/x"
		stays "$label: a .git owned by someone else widens nothing" "$outer/x"
		chown -R "$(id -u)" "$outer/.git"
		own "$outer"
	fi
	chmod 777 "$outer"
	probe_in "$outer/proj" write "$outer/x"
	stays "$label: a work tree writable by every user widens nothing" "$outer/x"
	chmod 755 "$outer"
	probe_in "$outer/proj" write "$outer/x"
	reaches "$label: a real work tree of the caller's is writable (the control)" "$outer/x"

	# ---- 4. abstract unix sockets and signals ----
	sock="pylock-abstract-$$-$label"
	"$probe" abstract-listen "$sock" "$T/$label-listening" > /dev/null 2>&1 &
	listener=$!
	on_exit "kill $listener 2>/dev/null"
	wait_for test -e "$T/$label-listening"
	run $R "$plain" "$probe" abstract-connect "$sock"
	check_equal "$label: the host's abstract socket is reachable outside (the control)" "$out" "allowed"
	if [ "$("$probe" landlock-abi)" -ge 6 ]; then
		probe_in "$plain" abstract-connect "$sock"
		check_contains "$label: the host's abstract unix sockets are out of reach (Landlock)" "$out" "blocked"
	else
		skip "$label: the host's abstract unix sockets are out of reach" "Landlock ABI < 6 (Linux 6.12)"
	fi
	run $R "$plain" "$P" run --net=off --ro-bind "$probe:/opt/probe" -- /opt/probe abstract-connect "$sock"
	check_contains "$label: and with --net=off on every kernel" "$out" "blocked"
	kill "$listener" 2>/dev/null
	# No terminal: pylock shares its caller's process group; kill(0) from
	# inside must not reach that group.
	rm -f "$marks/$label-sibling" "$marks/$label-hit"
	run $R "$plain" setsid sh -c "sh -c 'trap \"touch $marks/$label-hit; exit\" TERM; while :; do sleep 0.1; done' & echo \$! > $marks/$label-sibling; $P run --ro-bind $probe:/opt/probe -- /opt/probe kill0; echo after=\$?"
	no_marker "$label: kill(0) inside does not reach the caller's process group" "$label-hit"
	check_contains "$label: pylock itself survives it" "$out" "after="
	sib=$(cat "$marks/$label-sibling" 2>/dev/null)
	[ -n "$sib" ] && kill "$sib" 2>/dev/null

	# ---- 5. root's view of the system ----
	probe_in "$plain" read /etc/shadow
	check_contains "$label: /etc/shadow is not readable inside" "$out" "blocked"
	probe_in "$plain" read /etc/passwd
	check_equal "$label: /etc/passwd is (the control)" "$out" "allowed"
	run $R "$plain" "$T/no-mount-setattr" "$P" run -- cat /etc/shadow
	check_not_contains "$label: nor /etc/shadow where mounts cannot be idmapped" "$out" "root:"

	# ---- 6. exfiltration through the lock ----
	# With no network, the command writes a lock whose file URL carries
	# data to a host of its choosing; the host's next sync or verify must
	# not connect. A listener on loopback counts connections.
	rm -f "$marks/$label-connected" "$marks/$label-port"
	python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(5)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
c, _ = s.accept(); open(sys.argv[2], "w").write("connected")
' "$marks/$label-port" "$marks/$label-connected" &
exfil=$!
	on_exit "kill $exfil 2>/dev/null"
	wait_for test -s "$marks/$label-port"
	port=$(cat "$marks/$label-port")
	printf "lock-version = '1.0'\ncreated-by = 't'\npackages = []\n" > "$plain/pylock.toml" && own "$plain"
	at "$plain" "$P" run --net=off -- sh -c "cat > pylock.toml <<L
lock-version = '1.0'
created-by = 'x'
[[packages]]
name = 'leak'
version = '1'
wheels = [{url = 'https://localhost:$port/\$(id -un)-secret/leak-1-py3-none-any.whl', hashes = {sha256 = '$(printf %064d 0)'}}]
L"
	for cmd in sync verify; do
		at "$plain" "$P" $cmd
		check_equal "$label: $cmd refuses a lock naming a host no one named" "$rc" 2
		check_contains "$label: $cmd names the host" "$err" "host localhost is not one pylock fetches from"
	done
	no_marker "$label: and nothing connected to it" "$label-connected"
	kill "$exfil" 2>/dev/null
	rm -f "$plain/pylock.toml"

	# ---- 7. terminal escapes in output ----
	esc=$(printf '\033')
	printf 'lock-version = "1.0"\ncreated-by = "\\u001b]2;retitled\\u0007 \\u009b31m"\n[[packages]]\nname = "x"\nversion = "1.0"\nwheels = [{name = "x-1.0-py3-none-any.whl", url = "https://files.pythonhosted.org/\\u001b]52;c;cHdu\\u0007/x-1.0-py3-none-any.whl", hashes = {sha256 = "%064d"}}]\n' 0 > "$plain/pylock.toml"
	own "$plain"
	for cmd in "show" "show --json" "verify" "verify --json" "status"; do
		# shellcheck disable=SC2086
		at "$plain" "$P" $cmd
		check_not_contains "$label: $cmd prints no escape sequence from the lock" "$out$err" "$esc"
	done
	at "$plain" "$P" show
	check_contains "$label: show prints them escaped" "$out" '\x1b]2;retitled\x07 \u009b31m'
	sed -i 's/^version = "1.0"/version = "1.0\\u001b[8m"/' "$plain/pylock.toml"
	at "$plain" "$P" show
	check_not_contains "$label: nor does an error quoting the lock" "$out$err" "$esc"
	check_contains "$label: which quotes it escaped" "$err" "'1.0\x1b[8m'"
	printf '[project]\nname = "plain\\u001b]2;x\\u0007"\n' > "$plain/pyproject.toml"
	at "$plain" "$P" list "$plain"
	check_not_contains "$label: list prints no escape sequence from pyproject.toml" "$out$err" "$esc"
	printf '[project]\nname = "plain"\n' > "$plain/pyproject.toml"
	rm -f "$plain/pylock.toml"

	# ---- 8. bind destinations through symbolic links ----
	mkdir -p "$T/$label-hostdir" && own "$T/$label-hostdir"
	echo data > "$T/$label-file" && own "$T/$label-file"
	ln -sfn "/oldroot$T/$label-hostdir" "$plain/abs"
	ln -sfn "../../../../../../../../oldroot$T/$label-hostdir" "$plain/rel"
	for link in abs rel; do
		at "$plain" "$P" run --ro-bind "$T/$label-file:$plain/$link/planted" -- true
		check_equal "$label: a bind through a symbolic link ($link) is refused" "$rc" 2
		check_contains "$label: naming the link" "$err" "passes through a symbolic link ($link)"
		stays "$label: and nothing is made in the folder it points to ($link)" "$T/$label-hostdir/planted"
	done
	at "$plain" "$P" run --bind "$T/$label-hostdir:$plain/abs/x/y" -- true
	stays "$label: nor a folder on the way to a bind" "$T/$label-hostdir/x"

	# ---- 9. smaller leaks ----
	run $R "$plain" sh -c "$probe addkey pylock-key-$label >/dev/null && grep -c pylock-key /proc/keys && $P run -- cat /proc/keys /proc/key-users"
	check_contains "$label: the host's key is listed outside (the control)" "$out" "1"
	check_not_contains "$label: /proc/keys shows no host key inside" "$out" "pylock-key"
	echo original > "$T/$label-stdin" && own "$T/$label-stdin"
	run $R "$plain" "$P" run --ro-bind "$probe:/opt/probe" -- /opt/probe reopen-write /proc/self/fd/0 < "$T/$label-stdin"
	check_equal "$label: stdin from a host file cannot be reopened to write it" "$(cat "$T/$label-stdin")" "original"
	run $R "$plain" sh -c "$P run -- sh -c 'cat; echo done' < $T/$label-stdin > $marks/$label-out 2>&1; cat $marks/$label-out"
	check_equal "$label: a file on stdin and stdout still flows through" "$out" "original
done"
	if command -v script > /dev/null; then
		run $R "$plain" script -qec "sh -c 'stty echo; $P run -- stty -echo; stty -a | tr \" \" \"\\n\" | grep -cx -- -echo'" /dev/null
		check_contains "$label: terminal modes changed inside are restored" "$out" "0"
	fi
	printf 'sandbox:\n  tmpfs-size: 8M\n  processes: 32\n  memory: 256M\n' > "$home/.config/pylock/config.yaml"
	own "$home"
	at "$plain" "$P" run -- sh -c 'dd if=/dev/zero of=/tmp/big bs=1M count=16 2>&1; echo rc=$?'
	check_contains "$label: tmpfs-size caps /tmp" "$out" "No space left on device"
	at "$plain" "$P" run -- sh -c 'for i in $(seq 64); do sleep 3 & done 2>&1; wait; echo waited'
	check_contains "$label: processes caps how many run at once" "$out$err" "fork"
	at "$plain" "$P" run -- python3 -c 'x = bytearray(1024 << 20); print("allocated")'
	check_not_contains "$label: memory caps what a process allocates" "$out" "allocated"
	# As root, a memory cgroup counts tmpfs pages as well (where pylock may
	# make one: a cgroup v1 memory hierarchy, or v2 with the controller on).
	if [ -z "$as" ] && [ "$(id -u)" = 0 ] && [ -w /sys/fs/cgroup/memory ]; then
		printf 'sandbox:\n  tmpfs-size: 1G\n  memory: 128M\n' > "$home/.config/pylock/config.yaml"
		at "$plain" "$P" run -- sh -c 'dd if=/dev/zero of=/tmp/big bs=1M count=400 2>/dev/null; echo wrote=$?'
		check_not_contains "$label: as root, memory: also bounds what the sandbox keeps in tmpfs" "$out" "wrote=0"
	fi
	rm "$home/.config/pylock/config.yaml"
	at "$plain" "$P" run -- df -k /tmp
	check_contains "$label: /tmp is capped by default (1 GiB)" "$out" "1048576"
	run $R "$plain" "$P" run --net=off --ro-bind "$probe:/opt/probe" -- /opt/probe loopback-server
	check_equal "$label: with --net=off a server inside listens on 127.0.0.1" "$out" "allowed"
}

suite self ""
if [ -n "$user" ]; then
	suite user "$user"
else
	skip "user: unprivileged suite" "needs root to create the user"
fi

done_testing
