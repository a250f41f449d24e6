#!/bin/sh
# A trust policy a person can live with: allow-unsigned by name glob and by
# index, refusals that name the policy and the remedy, `pylock policy` to
# see what decides (each rule with its file:line:col) and `--check`.
. "$srcdir/tests/integration/lib.sh"

SRC=$(cd "$srcdir" && pwd)
PY=/usr/bin/python3
[ -x "$PY" ] || { skip "trust policy" "needs Debian's python3"; done_testing; exit; }
P="$T/proj"
POL="$PYLOCK_HOME/config/policy.yaml"
mkdir -p "$P" "$PYLOCK_HOME/config" "$T/w"
"$PYLOCK" key generate "$T/corp" > /dev/null
printf 'python: %s\nfetch:\n  hosts: [internal.example]\n' "$PY" > "$PYLOCK_HOME/config/config.yaml"
for n in corp-alpha corp-beta outside internal-tool; do
	$PY "$SRC/tests/tools/make-wheel.py" "$T/w" "$n" 1.0 good 1 > /dev/null
done
printf '[project]\nname = "ruled"\n' > "$P/pyproject.toml"
{
	sh "$SRC/scripts/wheel-lock.sh" "$T"/w/corp_*.whl "$T"/w/outside-*.whl
	sh "$SRC/scripts/wheel-lock.sh" "$T"/w/internal_tool-*.whl | sed -n '/^\[\[packages\]\]/,$p' |
		sed "s|^version = '1.0'|version = '1.0'\\nindex = 'https://internal.example/simple/'|"
} > "$P/pylock.toml"
cat > "$POL" <<EOF
mode: enforce
keys: [{id: corp, file: $T/corp.pub}]
allow-unsigned:
  - name: Corp_*
    version: "*"
    reason: our own packages, built in CI
  - index: https://internal.example/simple
    reason: the internal index
  - name: never-used
    version: "1.0"
    reason: left behind
EOF
cd "$P" || exit 1

check_exit "verify under enforce" 1 "$PYLOCK" verify
check_contains "a name glob allows packages unsigned (names compared normalised)" \
	"$(echo "$out" | grep '^corp-alpha ')" "allowed-unsigned"
check_contains "naming the rule that did" "$(echo "$out" | grep '^corp-beta ')" "allow-unsigned at policy.yaml:4:5: our own packages"
check_contains "an index entry allows what comes from that index" "$(echo "$out" | grep '^internal-tool ')" \
	"allow-unsigned at policy.yaml:7:5: the internal index"
check_contains "and nothing else" "$(echo "$out" | grep '^outside ')" "unsigned"
check_exit "sync refuses the rest" 1 "$PYLOCK" sync
check_contains "naming the policy that decided" "$err" "decided by $POL (mode enforce)"
check_contains "and what to do" "$err" "unsigned: sign the file with a key the policy lists, or add it to allow-unsigned in policy.yaml"

check_exit "pylock policy shows the effective policy" 0 "$PYLOCK" policy
check_contains "its file" "$out" "policy   $POL"
check_contains "the mode and where it is set" "$out" "mode     enforce  ($POL:1:7)"
check_contains "each key" "$out" "corp"
check_contains "each allow-unsigned rule with its place" "$out" "Corp_*           *  \"our own packages, built in CI\"  ($POL:4:5)"
check_contains "an index rule" "$out" "from https://internal.example/simple"
printf '[project]\nname = "ruled"\n[tool.pylock.trust]\nkeys = []\n' > "$P/pyproject.toml"
check_exit "a project's tightening" 0 "$PYLOCK" policy
check_contains "shows as such, with its place" "$out" "not trusted for this project  ($P/pyproject.toml:4:8)"
printf '[project]\nname = "ruled"\n' > "$P/pyproject.toml"

check_exit "policy --check" 0 "$PYLOCK" policy --check
check_contains "says it is valid" "$out" "valid, with warnings"
check_contains "warns about a rule no lock uses, at its place" "$err" \
	"$POL:9:5: allow-unsigned 'never-used' 1.0 matches no package in ruled's locks"
check_not_contains "not about the rules in use" "$err" "Corp_*"
printf 'mode: enforce\nallow-unsigned:\n  - reason: nothing named\n' > "$POL"
check_exit "a rule naming nothing is refused" 2 "$PYLOCK" policy --check
check_contains "at its line and column" "$err" "policy.yaml:3:5: allow-unsigned needs a 'reason' and a 'name'"

done_testing
