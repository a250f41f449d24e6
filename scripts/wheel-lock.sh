#!/bin/sh
# Prints a pylock.toml that pins the given wheel files by path, size and
# sha256: the demo's and the tests' way to lock Debian's real wheels.
# Usage: wheel-lock.sh WHEEL...
set -eu
echo "lock-version = '1.0'"
echo "created-by = 'pylock-demo'"
for w in "$@"; do
	base=$(basename "$w")
	echo
	echo "[[packages]]"
	echo "name = '$(echo "$base" | cut -d- -f1 | tr '_.' '--' | tr 'A-Z' 'a-z')'"
	echo "version = '$(echo "$base" | cut -d- -f2)'"
	echo "wheels = [{path = '$w', size = $(stat -c %s "$w"), hashes = {sha256 = '$(sha256sum "$w" | cut -d' ' -f1)'}}]"
done
