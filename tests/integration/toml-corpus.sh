#!/bin/sh
# The whole toml-test 1.0.0 corpus (tests/data/toml-test) through tests/toml-decoder.
exec "$builddir/tests/toml-corpus" "$builddir/tests/toml-decoder" "$srcdir/tests/data/toml-test"
