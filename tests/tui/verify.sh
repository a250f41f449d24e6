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

# The Conflicts tab checks signatures under the project's own policy, as
# pylock verify does: a project that trusts no key sees the demo key's
# signatures as untrusted-signer there too.
C="$WS/projects/conflicted-app"
printf '[tool.pylock.trust]\nkeys = []\n' >> "$C/pyproject.toml"
keys g j r
check_exit "a project's tightened policy applies in the Conflicts tab" 0 until_shown "untrusted-signer"
check_not_contains "(nothing verified there)" "$(screen)" "verified"

done_testing
