#!/bin/sh
# The whole toml-test 1.0.0 corpus (tests/data/toml-test) through tests/toml-decoder.
exec "$builddir/tests/tools/toml-corpus" "$builddir/tests/tools/toml-decoder" "$srcdir/tests/data/toml-test"
