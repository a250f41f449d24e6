#!/bin/sh
# Issue 19's benchmark: verify 200 attested files with pylock's verifier,
# every check made ("cold") and from the verdict cache ("warm"), beside
# sigstore-js (@sigstore/verify, installed with npm into a temporary folder)
# verifying the same evidence in one process, same run: 200 distinct files
# of a Sigstore world made for the run (tests/tools/make-sigstore.py: its
# own CA, CT log and Rekor), and the real PyPI evidence of tests/data/sigstore
# round-robin. Per-file cost, and a fresh process verifying one file.
set -eu
: "${builddir:=.}" "${srcdir:=.}"
n=${BENCH_FILES:-200}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
D="$srcdir/tests/data/sigstore"
set -- "$D/roots/production.json" provenance "$D/pypi/abi3info-2024.10.8-py3-none-any.whl.provenance" \
	"$D/pypi/abi3info-2024.10.8-py3-none-any.whl" \
	"$D/roots/production.json" attestation "$D/pypi/pypi_attestations-0.0.19.tar.gz.publish.attestation" \
	"$D/pypi/pypi_attestations-0.0.19.tar.gz" \
	"$D/roots/production.json" attestation "$D/pypi/gitlab_oidc_project-0.0.3.tar.gz.publish.attestation" \
	"$D/pypi/gitlab_oidc_project-0.0.3.tar.gz" \
	"$D/roots/production.json" attestation "$D/pypi/sampleproject-3.0.0.tar.gz.publish.attestation" \
	"$D/pypi/sampleproject-3.0.0.tar.gz" \
	"$D/roots/staging.json" bundle "$D/pypi/rfc8785-0.1.2-py3-none-any.whl.sigstore" \
	"$D/pypi/rfc8785-0.1.2-py3-none-any.whl"
real="$*"
python3 "$srcdir/tests/tools/make-sigstore.py" "$tmp/world" "$n"
set --
for w in "$tmp"/world/dist/*.whl; do set -- "$@" "$tmp/world/root.json" attestation "$w.publish.attestation" "$w"; done
world="$*"
js_ready=
if command -v node > /dev/null && command -v npm > /dev/null &&
	(cd "$tmp" && npm install --silent --no-audit --no-fund sigstore@3 > npm.log 2>&1); then
	export NODE_PATH="$tmp/node_modules"
	js_ready=yes
fi
# measure LABEL ARGS...: both verifiers over the same evidence.
measure() {
	label=$1
	shift
	ours=$("$builddir/tests/bench/sigstore-verify" "$n" "$tmp/cache-$label" "$@")
	one=$("$builddir/tests/bench/bench-run" 5 "$builddir/tests/bench/sigstore-verify" 1 "$tmp/one-$label" "$1" "$2" "$3" "$4" |
		cut -d' ' -f1)
	js= js_one=
	if [ -n "$js_ready" ]; then
		js=$(node "$srcdir/tests/bench/sigstore-js.js" "$n" "$@")
		js_one=$("$builddir/tests/bench/bench-run" 3 node "$srcdir/tests/bench/sigstore-js.js" 1 "$1" "$2" "$3" "$4" |
			cut -d' ' -f1)
	fi
	awk -v label="$label" -v ours="$ours" -v js="$js" -v one="$one" -v js_one="$js_one" -v n="$n" 'BEGIN {
		split(ours, o, " ")
		printf "attest: %d verifications, %s, per file\n", n, label
		printf "  pylock, every check      %8.0f us  (%d of %d verified)\n", o[1], o[3], n
		printf "  pylock, verdict cached   %8.1f us  (target < 1000 us)\n", o[2]
		printf "  pylock, fresh process verifying one file %6.1f ms\n", one
		if (js == "") { printf "  sigstore-js: not measured (node, npm or the npm registry is not reachable here)\n"; exit }
		split(js, j, " ")
		printf "  sigstore-js, in process  %8.0f us  (%d of %d verified)\n", j[1], j[2], n
		printf "  sigstore-js, fresh node process verifying one file %6.1f ms\n", js_one
		printf "  ratio: pylock is %.1fx faster than sigstore-js per file with every check, %.0fx from its cache\n", j[1] / o[1], j[1] / o[2]
	}'
}
# shellcheck disable=SC2086
measure "200 distinct files of a Sigstore world made for the run" $world
# shellcheck disable=SC2086
measure "the 5 real PyPI evidence files round-robin" $real
