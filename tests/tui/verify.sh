#!/bin/sh
# Verify from the UI, in the background through the engine's audit, and
# the Conflicts tab under the project's own policy.
. "$srcdir/tests/tui/lib.sh"

start
until_shown "4 projects" > /dev/null
# Verify runs in the background; the tampered package is caught.
keys G 1 v
check_exit "v verifies: the tampered file is a hash mismatch" 0 until_shown "hash-mismatch"
check_contains "and the good one is verified with the demo key's id" "$(line_of 'pip ')" "verified"
# Why, not just what: the row says what did not match, and Enter on the
# package opens its details, the rule that decided among them.
tm resize-window -t ui -x 200 -y 30
sleep 0.5
check_exit "the tampered row says why" 0 until_shown "hash-mismatch: size"
check_contains "(in full where there is room)" "$(line_of 'hash-mismatch')" ", the lock says"
tm resize-window -t ui -x 100 -y 30
sleep 0.5
keys Tab
n=$(screen | grep -n 'hash-mismatch' | head -1 | cut -d: -f1)
first=$(screen | sed -n 3p)
i=3
while [ "$i" -lt "$n" ]; do keys j; i=$((i + 1)); done
keys Enter
check_exit "Enter opens the package's details" 0 until_shown "(Esc back to the list)"
check_contains "its files and hashes" "$(screen)" "sha256 "
check_contains "its marker" "$(screen)" "marker"
check_contains "who depends on it" "$(screen)" "dependents"
check_contains "what decided" "$(screen)" "decided by size"
check_contains "the footer offers the way back" "$(screen | tail -1)" "Esc back"
keys Escape
check_exit "Esc goes back to the list" 0 until_shown "hash-mismatch: siz"
check_not_contains "the details are gone" "$(screen)" "(Esc back to the list)"
sleep 1
keys Escape
sleep 1

# The Conflicts tab checks signatures under the project's own policy, as
# pylock verify does: a project that trusts no key sees the demo key's
# signatures as untrusted-signer there too.
C="$WS/projects/conflicted-app"
printf '[tool.pylock.trust]\nkeys = []\n' >> "$C/pyproject.toml"
keys g j 4
check_exit "(the conflicted project is selected)" 0 until_selected conflicted-app
keys r j
check_exit "a project's tightened policy applies in the Conflicts tab" 0 until_shown "untrusted-signer"
check_not_contains "(nothing verified there)" "$(screen | sed '$d')" "verified"
# A change on disk rereads the project behind the user's back; the
# conflict they were looking at stays selected.
check_contains "(the second conflict is selected)" "$(screen | sed -n 2p)" "2 of 2"
echo '# touched' >> "$C/pyproject.toml"
keys :
check_exit "(the change was reread)" 0 until_shown "reread conflicted-app (it changed on disk)"
keys Escape
sleep 0.3
check_contains "a reread keeps the user's place in the Conflicts tab" "$(screen | sed -n 2p)" "2 of 2"
check_contains "(and its candidates' signatures)" "$(screen)" "untrusted-signer"

# The Packages tab names who published a file a PyPI attestation vouches
# for (tests/data/sigstore: a real wheel and its provenance).
A="$T/attested/pubapp"
mkdir -p "$A/dist"
git init -q "$A"
printf '[project]\nname = "pubapp"\n' > "$A/pyproject.toml"
cp "$SRC/tests/data/sigstore/pypi/abi3info-2024.10.8-py3-none-any.whl" \
	"$SRC/tests/data/sigstore/pypi/abi3info-2024.10.8-py3-none-any.whl.provenance" "$A/dist/"
w="$A/dist/abi3info-2024.10.8-py3-none-any.whl"
cat > "$A/pylock.toml" <<TOML
lock-version = '1.0'
created-by = 'test'
[[packages]]
name = 'abi3info'
version = '2024.10.8'
attestation-identities = [{kind = 'GitHub', repository = 'woodruffw/abi3info', workflow = 'release.yml'}]
wheels = [{path = 'dist/abi3info-2024.10.8-py3-none-any.whl', size = $(stat -c %s "$w"), hashes = {sha256 = '$(sha256sum "$w" | cut -d' ' -f1)'}}]
TOML
ROOT="$T/attested" start
until_shown "pubapp" > /dev/null
tm resize-window -t ui -x 200 -y 30
keys 1 v
check_exit "v shows the publisher of an attested file in the Packages tab" 0 \
	until_shown "verified GitHub woodruffw/abi3info release.yml"

done_testing
