#!/bin/sh
# pylock run / shell: a probe run inside finds every escape blocked and the
# project usable; as root and as an unprivileged user made for the test.
. "$srcdir/tests/integration/lib.sh"

sandbox_setup plsbx
probe_src="$builddir/tests/tools/sandbox-probe"
cp "$builddir/tests/tools/no-mount-setattr" "$T/no-mount-setattr" && chmod 755 "$T/no-mount-setattr"
# A TCP listener on the host's loopback, on a port the kernel picks; the
# port is written once it listens.
python3 -c '
import os, socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0)); s.listen(50); s.settimeout(1)
with open(sys.argv[1] + ".tmp", "w") as f: f.write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
end = time.time() + 600
while time.time() < end:
    try: s.accept()[0].close()
    except socket.timeout: pass
' "$T/port" &
listener=$!
on_exit "kill $listener 2>/dev/null"
wait_for test -s "$T/port"
listener_port=$(cat "$T/port")

# suite LABEL RUNNER: RUNNER runs a command as the user under test.
suite() {
	label=$1 as=$2
	home="$T/$label-home" proj="$T/$label-proj"
	mkdir -p "$home" "$proj/sub"
	echo "secret" > "$home/secret.txt"
	echo "[user]" > "$home/.gitconfig"
	printf '[project]\nname = "probe-%s"\n' "$label" > "$proj/pyproject.toml"
	cp "$probe_src" "$proj/probe"
	mkdir -p "$home/.config/pylock"
	printf 'roots: [%s]\nsandbox:\n  dotfiles: [.gitconfig]\n' "$proj" > "$home/.config/pylock/config.yaml"
	if [ -n "$as" ]; then chown -R "$user" "$home" "$proj"; fi
	chmod 755 "$home" "$proj"
	cat > "$T/as-$label" <<SH
#!/bin/sh
cd "$proj/sub" || exit 99
exec env -u PYLOCK_HOME HOME="$home" XDG_CONFIG_HOME="$home/.config" "\$@"
SH
	chmod 755 "$T/as-$label"
	R="$T/as-$label"
	if [ -n "$as" ]; then R="setpriv --reuid=$user --regid=$user --clear-groups $T/as-$label"; fi
	P="$PYLOCK"

	inside() { run $R "$P" run -- "$proj/probe" "$@"; }
	blocked() { desc=$1; shift; inside "$@"
		case "$out" in blocked*) ok "$label: $desc ($out)" ;; *) not_ok "$label: $desc" "probe said: $out $err" ;; esac; }
	allowed() { desc=$1; shift; inside "$@"
		case "$out" in allowed*) ok "$label: $desc" ;; *) not_ok "$label: $desc" "probe said: $out $err" ;; esac; }

	blocked "writing /usr is refused" write /usr/pylock-escape
	check_contains "$label: /usr is read-only" "$out" "Read-only file system"
	blocked "writing /etc is refused" write /etc/pylock-escape
	check_contains "$label: /etc is read-only" "$out" "Read-only file system"
	blocked "writing /opt/venv is refused" write /opt/venv/x
	blocked "the real home is hidden" read "$home/secret.txt"
	allowed "a configured dotfile is passed" read "$home/.gitconfig"
	blocked "a passed dotfile is read-only" write "$home/.gitconfig"
	blocked "remounting /usr read-write is refused" remount-rw /usr
	blocked "mounting over the project is refused" mount-over "$proj"
	blocked "the kernel keyring is refused" keyctl
	# Read-only reaches submounts: a tmpfs mounted noexec (a flag the kernel
	# then locks for pylock's user namespace) inside a folder bound
	# read-only; once through mount_setattr, once through libmount reading
	# mountinfo, as on a kernel without mount_setattr.
	tree="$T/$label-tree"
	mkdir -p "$tree/sub"
	if [ -n "$as" ]; then chown -R "$user" "$tree"; fi
	with_submount() { run $R unshare -Urm sh -c 'mount -t tmpfs -o noexec tmpfs "$1/sub" && shift && exec "$@"' sh "$tree" "$@"; }
	with_submount "$T/no-mount-setattr" "$proj/probe" write "$tree/sub/outside"
	check_equal "$label: the submount is writable outside (the control)" "$out" "allowed"
	for way in mount_setattr libmount; do
		how=; if [ $way = libmount ]; then how="$T/no-mount-setattr"; fi
		with_submount $how "$P" run --ro-bind "$tree:/mnt/tree" -- "$proj/probe" write /mnt/tree/sub/inside
		check_contains "$label: a submount of a read-only bind is read-only ($way)" "$out" "Read-only file system"
		with_submount $how "$P" run --ro-bind "$tree:/mnt/tree" -- "$proj/probe" remount-rw /mnt/tree/sub
		check_contains "$label: and cannot be remounted read-write ($way)" "$out" "blocked"
		with_submount $how "$P" run -- "$proj/probe" write /usr/pylock-escape
		check_contains "$label: /usr is read-only ($way)" "$out" "Read-only file system"
	done
	allowed "writing the project folder works" write "$proj/sub/made-inside"
	check_equal "$label: the file made inside is on the host" "$(ls "$proj/sub/made-inside" 2>&1)" "$proj/sub/made-inside"
	allowed "writing /tmp works" write /tmp/scratch
	allowed "loopback is reachable with the network on" connect 127.0.0.1 "$listener_port"
	run $R "$P" run --net=off -- "$proj/probe" connect 127.0.0.1 "$listener_port"
	check_contains "$label: --net=off cuts the host's loopback" "$out" "blocked"

	run $R "$P" run -- sh -c 'for p in /proc/[0-9]*; do printf "%s " "${p#/proc/}"; done'
	check_equal "$label: no host processes in /proc (only init and sh)" "$out" "1 2 "
	run $R "$P" run -- grep -v ':/$' /proc/self/cgroup
	check_equal "$label: the host's cgroup paths are hidden (every one is /)" "$out" ""
	run $R "$P" run -- sh -c 'echo "$(hostname) $PWD $VIRTUAL_ENV $PYLOCK_PROJECT"; echo "$PATH"'
	check_contains "$label: host name, folder (the project's) and variables" "$out" "pylock-probe-$label $proj /opt/venv probe-$label"
	check_contains "$label: PATH starts at the environment" "$out" "/opt/venv/bin:"
	run $R "$P" run -- sh -c 'grep -E "^(NoNewPrivs|CapEff|CapBnd|Seccomp):" /proc/self/status | tr -s "\t" " "'
	check_contains "$label: no_new_privs is set" "$out" "NoNewPrivs: 1"
	check_contains "$label: no effective capabilities" "$out" "CapEff: 0000000000000000"
	check_contains "$label: empty bounding set" "$out" "CapBnd: 0000000000000000"
	check_contains "$label: a seccomp filter is on" "$out" "Seccomp: 2"

	printf 'from-stdin' > "$T/stdin"
	run $R "$P" run -- sh -c 'cat; echo to-stderr >&2' < "$T/stdin"
	check_equal "$label: stdin reaches the command, its stdout comes back" "$out" "from-stdin"
	check_equal "$label: and its stderr" "$err" "to-stderr"
	run $R "$P" run -- sh -c 'exit 42'
	check_equal "$label: exit status passes through" "$rc" 42
	run $R "$P" run -- sh -c 'kill -TERM $$'
	check_equal "$label: death by signal is 128+N" "$rc" 143
	run $R "$P" run -- no-such-command-here
	check_equal "$label: a missing command is 127" "$rc" 127
	check_contains "$label: and says so" "$err" "no-such-command-here: command not found"
	run sh -c "$R $P run -- no-such-command-here 2>&-"
	check_equal "$label: a missing command is 127 with stderr closed too" "$rc" 127
	run $R "$P" run -- python3 -c 'import sys; print(sys.prefix)'
	check_equal "$label: python runs inside" "$rc" 0

	# A venv at /opt/venv (bound over the empty one) runs its python.
	/usr/bin/python3 -m venv --without-pip "$T/$label-venv" >/dev/null 2>&1
	chmod -R a+rX "$T/$label-venv"
	run $R "$P" run --ro-bind "$T/$label-venv:/opt/venv" -- python -c 'import sys; print(sys.prefix)'
	check_equal "$label: python from /opt/venv" "$out" "/opt/venv"

	run $R "$P" run --bind /nonexistent-src -- true
	check_equal "$label: a missing bind source is an error" "$rc" 2
	check_contains "$label: naming the source" "$err" "bind source '/nonexistent-src' does not exist"
	run $R "$P" run --bind "$proj:/usr/no-such-folder" -- true
	check_equal "$label: a mount point inside a read-only folder is an error" "$rc" 2
	check_contains "$label: naming it as seen inside" "$err" "create folder /usr/no-such-folder: Read-only file system"
	run $R "$P" run "$T/no-such-project" -- true
	check_equal "$label: a missing project folder is an error" "$rc" 2
	# User namespaces refused (here: none left to make, inside a namespace
	# whose limit is 0): the error names the setting to change.
	run $R unshare -Ur sh -c 'echo 0 > /proc/sys/user/max_user_namespaces && exec "$@"' sh "$P" run -- true
	check_equal "$label: user namespaces refused is an error" "$rc" 2
	check_contains "$label: naming the sysctl" "$err" "sysctl -w kernel.unprivileged_userns_clone=1"
	run $R "$P" run "probe-$label" -- pwd
	check_equal "$label: a project given by name" "$out" "$proj"

	# TIOCSTI: allowed on a plain terminal here (the control), refused inside.
	run $R script -qec "$proj/probe tiocsti" /dev/null
	if echo "$out" | grep -q allowed; then
		run $R script -qec "$P run -- $proj/probe tiocsti" /dev/null
		check_contains "$label: TIOCSTI into the terminal is refused" "$out" "blocked: Operation not permitted"
	else
		skip "$label: TIOCSTI into the terminal is refused" "this kernel refuses TIOCSTI everywhere"
	fi

	# Signals sent to pylock reach the command (once its trap is set).
	code=7
	for sig in INT TERM HUP QUIT; do
		rm -f "$proj/ready"
		$R "$P" run -- sh -c "trap 'exit $code' $sig; : > $proj/ready; sleep 30 & wait" > /dev/null 2>&1 &
		bg=$!
		wait_for test -e "$proj/ready"
		kill -"$sig" "$bg" 2>/dev/null
		wait "$bg"
		check_equal "$label: SIG$sig reaches the command" "$?" "$code"
		code=$((code + 1))
	done

	# pylock killed: nothing of the sandbox survives.
	# A sleep of a length no one else uses; "[s]leep" keeps pgrep's own
	# shell from matching.
	secs=$((400000 + $$))
	$R "$P" run -- sleep "$secs" > /dev/null 2>&1 &
	bg=$!
	wait_for pgrep -f "[s]leep $secs"
	seen=$?
	kill -9 "$bg" 2>/dev/null
	wait_for sh -c "! pgrep -f '[s]leep $secs'"
	if [ $seen = 0 ] && ! pgrep -f "[s]leep $secs" > /dev/null; then ok "$label: the sandbox dies with pylock"
	else not_ok "$label: the sandbox dies with pylock" "seen=$seen, left: $(pgrep -af "[s]leep $secs")"; fi

	# Ctrl-C typed on the terminal reaches the command alone: pylock is not in
	# the foreground group and reports the command's status.
	if command -v tmux > /dev/null; then
		sock="pylock-sbx-$label-$$"
		tmux -L "$sock" new-session -d -x 80 -y 10 \
			"$R $P run -- sh -c 'trap \"echo got-int; exit 9\" INT; echo ready; sleep 30 & wait'; echo rc=\$?; sleep 30"
		on_exit "tmux -L $sock kill-server 2>/dev/null"
		wait_for sh -c "tmux -L $sock capture-pane -p | grep -q ready"
		tmux -L "$sock" send-keys C-c
		wait_for sh -c "tmux -L $sock capture-pane -p | grep -q rc="
		screen=$(tmux -L "$sock" capture-pane -p)
		check_contains "$label: Ctrl-C on the terminal reaches the command" "$screen" "got-int"
		check_contains "$label: and its status is pylock's" "$screen" "rc=9"
		tmux -L "$sock" kill-server 2>/dev/null
	else
		skip "$label: Ctrl-C on the terminal reaches the command" "needs tmux"
	fi

	# A git work tree: git works inside, but nothing that makes the user's
	# next git command on the host run a program can be planted (hooks,
	# config), in the repository or its submodules' git folders.
	repo="$T/$label-repo" lib="$T/$label-lib"
	git init -q "$lib" && git -C "$lib" -c user.name=t -c user.email=t@t commit -q --allow-empty -m lib
	git init -q "$repo" && printf '[project]\nname = "repo-%s"\n' "$label" > "$repo/pyproject.toml"
	git -C "$repo" -c protocol.file.allow=always submodule -q add "$lib" lib 2>/dev/null
	git -C "$repo" add pyproject.toml && git -C "$repo" -c user.name=t -c user.email=t@t commit -q -m init
	cp "$probe_src" "$repo/probe"
	if [ -n "$as" ]; then chown -R "$user" "$repo"; fi
	chmod -R a+rX "$repo"
	gitrun() { run $R "$P" run "$repo" -- "$@"; }
	hostgit() { run $R git -C "$repo" "$@"; }
	gitrun "$repo/probe" write "$repo/.git/hooks/post-checkout"
	check_contains "$label: a git hook cannot be planted" "$out" "Read-only file system"
	gitrun git -C "$repo" config core.fsmonitor 'touch /tmp/pwned'
	hostgit config core.bare
	check_equal "$label: nor can git's config be changed (the host reads it)" "$out" "false"
	hostgit config core.fsmonitor
	check_equal "$label: and it names no fsmonitor" "$out" ""
	mkdir "$T/$label-linked"
	if [ -n "$as" ]; then chown "$user" "$T/$label-linked"; fi
	hostgit worktree add -q "$T/$label-linked"
	gitrun "$repo/probe" write "$repo/.git/worktrees/$label-linked/config.worktree"
	check_contains "$label: nor a linked worktree's config" "$out" "Read-only file system"
	gitrun "$repo/probe" write "$repo/.git/modules/lib/hooks/post-checkout"
	check_contains "$label: nor a submodule's hook" "$out" "Read-only file system"
	gitrun sh -c 'echo new > new.txt && git add new.txt && git -c user.name=t -c user.email=t@t commit -q -m inside && echo committed'
	check_equal "$label: git commits inside the sandbox" "$out" "committed"
	hostgit log -1 --format=%s
	check_equal "$label: and the commit is the host's" "$out" "inside"
	rm -rf "$repo/.git/hooks"
	gitrun "$repo/probe" write "$repo/.git/hooks/post-checkout"
	check_contains "$label: a missing hooks folder cannot be made either" "$out" "Read-only file system"

	# Init reaps orphans: one that exits while the command goes on leaves
	# no zombie behind.
	run $R "$P" run -- sh -c '(sleep 0.2 &); sleep 1; for s in /proc/[0-9]*/status; do grep -q "^State:.Z" "$s" && echo "zombie $s"; done; echo done'
	check_equal "$label: orphans are reaped by the sandbox's init" "$out" "done"
	# What the command leaves running ends with it.
	secs=$((500000 + $$))
	run $R "$P" run -- sh -c "sleep $secs > /dev/null 2>&1 & exit 5"
	check_equal "$label: the command's status when it leaves a process running" "$rc" 5
	if pgrep -f "[s]leep $secs" > /dev/null; then not_ok "$label: nothing outlives the command" "$(pgrep -af "[s]leep $secs")"
	else ok "$label: nothing outlives the command"; fi

	# An interactive shell: prompt marker and job control, on a terminal.
	run $R env SHELL=/bin/bash script -qec "$P shell" /dev/null <<'IN'
sleep 30 &
jobs
kill %1
echo "project=$PYLOCK_PROJECT"
exit 3
IN
	check_contains "$label: the shell prompt names the project" "$out" "(pylock:probe-$label)"
	check_contains "$label: job control works in the shell" "$out" "Running"
	check_contains "$label: the shell sees PYLOCK_PROJECT" "$out" "project=probe-$label"
	check_equal "$label: the shell's status is pylock's" "$rc" 3
	# A $SHELL the sandbox cannot see: /bin/sh, marked as well.
	run $R script -qec "env SHELL=/nonexistent/zsh $P shell" /dev/null <<'IN'
echo "shell=$0 host=$(hostname)"
exit
IN
	check_contains "$label: without a usable \$SHELL, /bin/sh" "$out" "shell=/bin/sh host=pylock-probe-$label"
	check_contains "$label: and its prompt names the project" "$out" "(pylock:probe-$label) \$"
}

# A project named by its folder: the name reaches the shell's prompt as
# text, never as a command or a prompt escape.
evil="$T/"'a$(touch pwned)`touch pwned2`"q%n'
mkdir -p "$evil" && printf '[tool.x]\n' > "$evil/pyproject.toml"
run sh -c "cd '$T' && cd '$(basename "$evil")' && printf 'echo \"[\$PS1] [\$PYLOCK_PROJECT]\"\nexit\n' | SHELL=/bin/bash script -qec '$PYLOCK shell' /dev/null"
check_contains "a folder's name is shown in the prompt as text" "$out" "(pylock:a__touch_pwned__touch_pwned2__q_n)"
check_contains "and PYLOCK_PROJECT holds it whole" "$out" '[a$(touch pwned)`touch pwned2`"q%n]'
check_equal "and nothing in it ran" "$(ls "$evil")" "pyproject.toml"

suite self ""
if [ -n "$user" ]; then
	suite user "$user"
	# Setuid does not raise privileges inside (no_new_privs, nosuid).
	cp "$probe_src" "$T/user-proj/suid-probe"
	chmod 4755 "$T/user-proj/suid-probe"
	run setpriv --reuid="$user" --regid="$user" --clear-groups "$T/as-user" "$PYLOCK" run -- "$T/user-proj/suid-probe" euid
	check_equal "user: a setuid-root binary stays unprivileged" "$out" "$(id -u "$user")"
else
	skip "user: unprivileged suite" "needs root to create the user"
fi

done_testing
