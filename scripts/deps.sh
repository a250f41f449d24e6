#!/bin/sh
# Installs what pylock needs on Debian 12: the build dependencies, and with
# --tests also every program the tests and benchmarks use. As root it runs
# apt-get; otherwise it prints the exact command and fails.
set -eu
build="autoconf automake make gcc pkg-config libncurses-dev libmount-dev
libgit2-dev libssl-dev libyaml-dev libzip-dev libjansson-dev
libcurl4-openssl-dev libseccomp-dev libcmocka-dev"
tests="git tmux openssl clang libclang-rt-14-dev python3 zip unzip nginx
bubblewrap hyperfine python3-pip-whl python3-setuptools-whl python3-wheel-whl
passwd util-linux procps python3-cryptography"
want=$build
[ "${1:-}" = "--tests" ] && want="$build $tests"

missing=
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "pylock needs these Debian packages; install them with:" >&2
	echo "  sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2
