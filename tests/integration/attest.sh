#!/bin/sh
# PyPI's own signatures: real PEP 740 attestations and provenance objects
# (tests/data/sigstore) beside the files a lock names, checked by
# pylock verify and sync against the built-in production root, a lock's
# attestation-identities and the policy's sigstore identities.
. "$srcdir/tests/integration/lib.sh"

D="$srcdir/tests/data/sigstore"
P="$T/proj"
mkdir -p "$P/dist" "$PYLOCK_HOME/config"
printf '[project]\nname = "attested"\n' > "$P/pyproject.toml"
cd "$P" || exit 1
sha() { sha256sum "$1" | cut -d' ' -f1; }
put() { cp "$D/pypi/$1" "$P/dist/$2"; }

put abi3info-2024.10.8-py3-none-any.whl abi3info-2024.10.8-py3-none-any.whl
put abi3info-2024.10.8-py3-none-any.whl.provenance abi3info-2024.10.8-py3-none-any.whl.provenance
put pypi_attestations-0.0.19.tar.gz pypi_attestations-0.0.19.tar.gz
put pypi_attestations-0.0.19.tar.gz.publish.attestation pypi_attestations-0.0.19.tar.gz.publish.attestation
put gitlab_oidc_project-0.0.3.tar.gz gitlab_oidc_project-0.0.3.tar.gz
put gitlab_oidc_project-0.0.3.tar.gz.publish.attestation gitlab_oidc_project-0.0.3.tar.gz.publish.attestation
put sampleproject-3.0.0.tar.gz sampleproject-3.0.0.tar.gz
put sampleproject-3.0.0.tar.gz.publish.attestation sampleproject-3.0.0.tar.gz.publish.attestation
# Another file's attestation beside a file: a forgery.
put rfc8785-0.1.2-py3-none-any.whl rfc8785-0.1.2-py3-none-any.whl
put pypi_attestations-0.0.19.tar.gz.publish.attestation rfc8785-0.1.2-py3-none-any.whl.publish.attestation

sdist() {
	printf "[[packages]]\nname = '%s'\nversion = '%s'\n%s\nsdist = {path = 'dist/%s', size = %s, hashes = {sha256 = '%s'}}\n" \
		"$1" "$2" "$3" "$4" "$(stat -c %s "$P/dist/$4")" "$(sha "$P/dist/$4")"
}
wheel() {
	printf "[[packages]]\nname = '%s'\nversion = '%s'\n%s\nwheels = [{path = 'dist/%s', size = %s, hashes = {sha256 = '%s'}}]\n" \
		"$1" "$2" "$3" "$4" "$(stat -c %s "$P/dist/$4")" "$(sha "$P/dist/$4")"
}
{
	echo "lock-version = '1.0'"
	echo "created-by = 'test'"
	wheel abi3info 2024.10.8 "attestation-identities = [{kind = 'GitHub', repository = 'woodruffw/abi3info', workflow = 'release.yml'}]" \
		abi3info-2024.10.8-py3-none-any.whl
	sdist pypi-attestations 0.0.19 "" pypi_attestations-0.0.19.tar.gz
	sdist gitlab-oidc-project 0.0.3 "" gitlab_oidc_project-0.0.3.tar.gz
	sdist sampleproject 3.0.0 "attestation-identities = [{kind = 'Google', email = 'someone-else@example.com'}]" \
		sampleproject-3.0.0.tar.gz
	wheel rfc8785 0.1.2 "" rfc8785-0.1.2-py3-none-any.whl
} > "$P/pylock.toml"
cat > "$PYLOCK_HOME/config/policy.yaml" <<'YAML'
mode: enforce
sigstore:
  identities:
    - issuer: https://token.actions.githubusercontent.com
      san-regexp: ^https://github\.com/trailofbits/
YAML

check_exit "verify fails under enforce when an attestation is forged or by an unwanted signer" 1 "$PYLOCK" verify --json
json=$out
status_of() { printf '%s' "$json" | python3 -c "import json,sys; d=json.load(sys.stdin); p=[p for p in d['packages'] if p['name']==sys.argv[1]][0]; print(p['status'], (p['signer'] or {}).get(sys.argv[2], '-'))" "$1" "$2"; }
check_equal "a provenance object by the lock's GitHub publisher is verified" "$(status_of abi3info described)" \
	"verified GitHub woodruffw/abi3info release.yml"
check_equal "and JSON names its repository" "$(status_of abi3info repository)" "verified woodruffw/abi3info"
check_equal "and its workflow" "$(status_of abi3info workflow)" "verified release.yml"
check_equal "an attestation whose signer a policy identity accepts is verified" "$(status_of pypi-attestations kind)" \
	"verified GitHub"
check_equal "a valid attestation by a signer nobody listed is untrusted-signer" \
	"$(status_of gitlab-oidc-project described)" "untrusted-signer GitLab facutuesca/gitlab-oidc-project .gitlab-ci.yml"
check_equal "a signer other than the lock's attestation-identities is untrusted-signer" \
	"$(status_of sampleproject described)" "untrusted-signer Google 919436158236-compute@developer.gserviceaccount.com"
check_equal "another file's attestation is bad-signature" "$(status_of rfc8785 kind)" "bad-signature -"
check_contains "and says why" "$json" "the statement is for pypi_attestations-0.0.19.tar.gz, not rfc8785"
check_contains "the trusted root used is named, with its date" "$json" '"source": "built-in"'
check_contains "its date" "$json" '"date": "20'

check_exit "the text form" 1 "$PYLOCK" verify
check_contains "shows the publisher" "$out" "GitHub woodruffw/abi3info release.yml"

# One byte of the artifact: the statement no longer names it.
cp "$P/dist/abi3info-2024.10.8-py3-none-any.whl" "$T/abi3info.keep"
printf 'x' | dd of="$P/dist/abi3info-2024.10.8-py3-none-any.whl" bs=1 seek=100 conv=notrunc 2>/dev/null
run "$PYLOCK" verify --json
json=$out
check_equal "one byte changed is a hash mismatch before anything else" "$(status_of abi3info kind)" "hash-mismatch -"
cp "$T/abi3info.keep" "$P/dist/abi3info-2024.10.8-py3-none-any.whl"
sed -i 's/"signature":"MEQCIEL/"signature":"MEQCIEX/' "$P/dist/abi3info-2024.10.8-py3-none-any.whl.provenance"
run "$PYLOCK" verify --json
json=$out
check_equal "a tampered provenance signature is bad-signature" "$(status_of abi3info kind)" "bad-signature -"
cp "$D/pypi/abi3info-2024.10.8-py3-none-any.whl.provenance" "$P/dist/"
chmod u+w "$P/dist/"*

# A lock that pins a publisher: a key's signature cannot stand in.
"$PYLOCK" key generate "$T/corp" > /dev/null
mv "$P/dist/abi3info-2024.10.8-py3-none-any.whl.provenance" "$T/prov.keep"
"$PYLOCK" sign --key "$T/corp.key" "$P/dist/abi3info-2024.10.8-py3-none-any.whl" > /dev/null
cat >> "$PYLOCK_HOME/config/policy.yaml" <<YAML
keys:
  - {id: corp, file: $T/corp.pub}
allow-unsigned:
  - {name: abi3info, version: "*", reason: "would not apply"}
YAML
run "$PYLOCK" verify --json
json=$out
check_equal "a lock's attestation-identities are not met by a key's .sig or allow-unsigned" \
	"$(status_of abi3info kind)" "unsigned -"
check_contains "and the reason says what the lock requires" "$json" "the lock requires an attestation"
mv "$T/prov.keep" "$P/dist/abi3info-2024.10.8-py3-none-any.whl.provenance"
rm "$P/dist/abi3info-2024.10.8-py3-none-any.whl.sig"

# sync admits under enforce what verify calls verified, and keeps the
# evidence beside the blob in the store.
mkdir -p "$T/one/dist"
printf '[project]\nname = "one"\n' > "$T/one/pyproject.toml"
cp "$P"/dist/abi3info-2024.10.8-py3-none-any.whl* "$T/one/dist/"
{
	echo "lock-version = '1.0'"
	echo "created-by = 'test'"
	wheel abi3info 2024.10.8 "attestation-identities = [{kind = 'GitHub', repository = 'woodruffw/abi3info', workflow = 'release.yml'}]" \
		abi3info-2024.10.8-py3-none-any.whl
} > "$T/one/pylock.toml"
check_exit "sync of an attested wheel under enforce" 0 "$PYLOCK" sync "$T/one"
stored=$(find "$PYLOCK_HOME/data/blobs" -name '*.provenance' | head -1)
check_contains "the provenance is stored beside its blob" "$stored" ".provenance"
check_exit "the environment imports it" 0 "$PYLOCK" run "$T/one" -- python3 -c 'import abi3info'
sed -i "s/woodruffw\/abi3info'/woodruffw\/other'/" "$T/one/pylock.toml"
check_exit "a lock pinning another publisher makes sync refuse the same file" 1 "$PYLOCK" sync "$T/one"
check_contains "naming the signer it found" "$err" "attested by GitHub woodruffw/abi3info release.yml"

# Evidence from the index: a file:// index whose page names the wheel's
# provenance elsewhere (PEP 503 data-provenance); the lock's own url is
# gone, so the file comes through the index, its provenance with it.
mkdir -p "$T/simple/abi3info" "$T/files" "$T/prov" "$T/idx"
cp "$D/pypi/abi3info-2024.10.8-py3-none-any.whl" "$T/files/"
cp "$D/pypi/abi3info-2024.10.8-py3-none-any.whl.provenance" "$T/prov/good.provenance"
sed 's/"signature":"MEQCIEL/"signature":"MEQCIEX/' "$D/pypi/abi3info-2024.10.8-py3-none-any.whl.provenance" > "$T/prov/forged.provenance"
page() {
	printf '<a href="file://%s/files/abi3info-2024.10.8-py3-none-any.whl" data-provenance="file://%s/prov/%s">abi3info-2024.10.8-py3-none-any.whl</a>\n' \
		"$T" "$T" "$1" > "$T/simple/abi3info/index.html"
}
printf '[project]\nname = "idx"\n' > "$T/idx/pyproject.toml"
w="$T/files/abi3info-2024.10.8-py3-none-any.whl"
cat > "$T/idx/pylock.toml" <<TOML
lock-version = '1.0'
created-by = 'test'
[[packages]]
name = 'abi3info'
version = '2024.10.8'
index = 'file://$T/simple'
attestation-identities = [{kind = 'GitHub', repository = 'woodruffw/abi3info', workflow = 'release.yml'}]
wheels = [{url = 'file://$T/gone/abi3info-2024.10.8-py3-none-any.whl', size = $(stat -c %s "$w"), hashes = {sha256 = '$(sha "$w")'}}]
TOML
rm -rf "$PYLOCK_HOME/data" "$PYLOCK_HOME/cache"
page forged.provenance
check_exit "a forged provenance the index names refuses the file" 1 "$PYLOCK" sync "$T/idx"
check_contains "as bad-signature" "$err" "bad-signature"
page nothere.provenance
check_exit "a provenance the index names but does not have leaves it unattested" 1 "$PYLOCK" sync "$T/idx"
check_contains "which the lock's publisher does not allow" "$err" "the lock requires an attestation"
page good.provenance
check_exit "the index's provenance admits it under enforce" 0 "$PYLOCK" sync "$T/idx"
stored=$(find "$PYLOCK_HOME/data/blobs" -name '*.provenance' | head -1)
check_contains "and is stored beside its blob" "$stored" ".provenance"
check_exit "verify checks the stored evidence again" 0 "$PYLOCK" verify "$T/idx"
check_contains "naming the publisher" "$out" "GitHub woodruffw/abi3info release.yml"

# The staging root, named by the policy, for a file signed against it.
mkdir -p "$T/stg/dist"
printf '[project]\nname = "stg"\n' > "$T/stg/pyproject.toml"
cp "$D/pypi/rfc8785-0.1.2-py3-none-any.whl" "$D/pypi/rfc8785-0.1.2-py3-none-any.whl.publish.attestation" "$T/stg/dist/"
P="$T/stg"
{
	echo "lock-version = '1.0'"
	echo "created-by = 'test'"
	wheel rfc8785 0.1.2 "" rfc8785-0.1.2-py3-none-any.whl
} > "$T/stg/pylock.toml"
run "$PYLOCK" verify --json "$T/stg"
json=$out
check_equal "against the production root, a staging attestation is bad-signature" "$(status_of rfc8785 kind)" "bad-signature -"
cp "$D/roots/staging.json" "$PYLOCK_HOME/config/staging.json"
cat > "$PYLOCK_HOME/config/policy.yaml" <<'YAML'
mode: enforce
sigstore:
  trusted-root: staging.json
  identities:
    - {issuer: "https://github.com/login/oauth", san: william@yossarian.net}
YAML
check_exit "with the policy's trusted-root and identity" 0 "$PYLOCK" verify --json "$T/stg"
json=$out
check_equal "it is verified" "$(status_of rfc8785 san)" "verified william@yossarian.net"
check_contains "and the root named is the policy's" "$json" "staging.json"
check_exit "pylock policy shows the Sigstore settings" 0 "$PYLOCK" policy "$T/stg"
check_contains "the root and its date" "$out" "sigstore root $PYLOCK_HOME/config/staging.json (20"
check_contains "each identity with its place" "$out" "san william@yossarian.net  ("

# A Sigstore world of the test's own (tests/tools/make-sigstore.py): its
# attestations by its GitHub publishers, and bundles signed by a managed
# key, which count where the key's .sig would.
W="$T/world"
python3 "$srcdir/tests/tools/make-sigstore.py" "$W" 3
mkdir -p "$T/w"
printf '[project]\nname = "w"\n' > "$T/w/pyproject.toml"
P="$W"
{
	echo "lock-version = '1.0'"
	echo "created-by = 'test'"
	for i in 0 1 2; do wheel "pkg$i" 1.0 "" "pkg$i-1.0-py3-none-any.whl"; done
	P="$W/keyed"
	printf "[[packages]]\nname = 'keyed0'\nversion = '1.0'\nwheels = [{path = '%s', hashes = {sha256 = '%s'}}]\n" \
		"$W/keyed/keyed0-1.0-py3-none-any.whl" "$(sha "$W/keyed/keyed0-1.0-py3-none-any.whl")"
} | sed "s|path = 'dist/|path = '$W/dist/|" > "$T/w/pylock.toml"
cat > "$PYLOCK_HOME/config/policy.yaml" <<YAML
mode: enforce
keys: [{id: managed, file: $W/keyed/key.pub}]
sigstore:
  trusted-root: $W/root.json
  identities:
    - {issuer: "https://token.actions.githubusercontent.com", san-regexp: '^https://github\.com/example/'}
YAML
check_exit "a world's attestations and a managed-key bundle verify" 0 "$PYLOCK" verify --json "$T/w"
json=$out
check_equal "each by its own publisher" "$(status_of pkg2 described)" "verified GitHub example/pkg2 release.yml"
check_equal "a managed-key bundle is verified by the policy's key" "$(status_of keyed0 kind)" "verified -"
check_contains "and says so" "$json" "signed by managed in a Sigstore bundle"
sed -i 's/"signature": "M/"signature": "X/' "$W/keyed/keyed0-1.0-py3-none-any.whl.sigstore.json"
run "$PYLOCK" verify --json "$T/w"
json=$out
check_equal "a managed-key bundle whose signature is changed is bad-signature" "$(status_of keyed0 kind)" "bad-signature -"
sed -i 's/"signature": "X/"signature": "M/' "$W/keyed/keyed0-1.0-py3-none-any.whl.sigstore.json"
sed -i '/^keys:/d' "$PYLOCK_HOME/config/policy.yaml"
run "$PYLOCK" verify --json "$T/w"
json=$out
check_equal "without the key in the policy it is bad-signature" "$(status_of keyed0 kind)" "bad-signature -"
check_contains "saying the policy lists no key" "$json" "the policy lists no key"

# Bad policies: file:line:col, exit 2.
printf 'sigstore:\n  identities:\n    - {issuer: x, san-regexp: "a(("}\n' > "$PYLOCK_HOME/config/policy.yaml"
check_exit "a regular expression that does not compile" 2 "$PYLOCK" verify "$T/stg"
check_contains "is refused at its place" "$err" "policy.yaml:3:"
printf 'sigstore:\n  trusted-root: nothere.json\n' > "$PYLOCK_HOME/config/policy.yaml"
check_exit "a trusted root that cannot be read" 2 "$PYLOCK" verify "$T/stg"
check_contains "is refused at its place" "$err" "policy.yaml:2:"
printf 'sigstore:\n  identities:\n    - {issuer: x}\n' > "$PYLOCK_HOME/config/policy.yaml"
check_exit "an identity without a san" 2 "$PYLOCK" verify "$T/stg"
check_contains "is refused" "$err" "needs one of 'san' and 'san-regexp'"
done_testing
