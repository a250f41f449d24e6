#!/bin/sh
# Configures and builds pylock in build-NAME/ (out of the source tree).
# Usage: build.sh NAME [CONFIGURE-ARGS...]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
name=$1
shift
cd "$top"
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
	autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
fi
mkdir -p "build-$name"
cd "build-$name"
if [ ! -f config.status ] || [ ../configure -nt config.status ]; then
	../configure -q "$@"
fi
make -s -j"$(nproc)" >/dev/null
