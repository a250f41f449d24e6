#!/bin/sh
# Builds pylock and runs it on a demo workspace made on the fly in a
# temporary folder. It grows with pylock: today it shows the command table.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sh scripts/deps.sh
sh scripts/build.sh release
pylock="$top/build-release/pylock"
ws=$(mktemp -d "${TMPDIR:-/tmp}/pylock-demo.XXXXXX")
trap 'rm -rf "$ws"' EXIT
export PYLOCK_HOME="$ws/home"

echo "\$ pylock --version"
"$pylock" --version
echo "\$ pylock --help"
"$pylock" --help
