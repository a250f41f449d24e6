#!/bin/sh
# pylock key / sign / verify: Debian's real wheels and made-up files, signed
# by pylock, by the openssl command line (ECDSA and Ed25519), tampered with,
# signed by the wrong key, or not signed at all.
. "$srcdir/tests/integration/lib.sh"

P="$T/proj"
mkdir -p "$P/dist" "$PYLOCK_HOME/config"
printf '[project]\nname = "audited"\n' > "$P/pyproject.toml"
cd "$T" || exit 1
cp /usr/share/python-wheels/pip-*.whl /usr/share/python-wheels/setuptools-*.whl "$P/dist/"
for n in tampered untrusted narrowed othersig garbage unsigned allowed unhashed; do
	head -c 2000 /dev/urandom > "$P/dist/$n-1.0-py3-none-any.whl"
done
sha() { sha256sum "$1" | cut -d' ' -f1; }
{
	echo "lock-version = '1.0'"
	echo "created-by = 'test'"
	for w in "$P"/dist/*.whl; do
		base=$(basename "$w")
		name=$(echo "$base" | cut -d- -f1)
		echo "[[packages]]"
		echo "name = '$name'"
		echo "version = '$(echo "$base" | cut -d- -f2)'"
		[ "$name" = narrowed ] && echo "index = 'https://other.example/simple'"
		if [ "$name" = unhashed ]; then
			echo "wheels = [{path = 'dist/$base', hashes = {md5 = '$(md5sum "$w" | cut -d' ' -f1)'}}]"
		else
			echo "wheels = [{path = 'dist/$base', size = $(stat -c %s "$w"), hashes = {sha256 = '$(sha "$w")'}}]"
		fi
	done
	printf "[[packages]]\nname = 'gone'\nversion = '1'\nwheels = [{path = 'dist/gone-1-py3-none-any.whl', hashes = {sha256 = '%s'}}]\n" "$(sha "$P/dist/allowed-1.0-py3-none-any.whl")"
	printf "[[packages]]\nname = 'remote'\nversion = '1'\nwheels = [{url = 'https://files.example/remote-1-py3-none-any.whl', hashes = {sha256 = '%s'}}]\n" "$(sha "$P/dist/allowed-1.0-py3-none-any.whl")"
} > "$P/pylock.toml"

check_exit "key generate makes a pair" 0 "$PYLOCK" key generate "$T/corp"
check_contains "and prints its id" "$out" "key id "
corp_id=$(echo "$out" | sed -n 's/.*key id \([0-9a-f]*\).*/\1/p')
check_equal "the private key is mode 0600" "$(stat -c %a "$T/corp.key")" 600
check_exit "key generate never overwrites" 2 "$PYLOCK" key generate "$T/corp"
check_contains "and says so" "$err" "not overwriting a key"
"$PYLOCK" key generate "$T/other" > /dev/null

# Signatures: pylock, openssl dgst (raw DER), openssl | base64, Ed25519.
check_exit "sign writes FILE.sig" 0 "$PYLOCK" sign --key "$T/corp.key" "$P"/dist/pip-*.whl \
	"$P/dist/tampered-1.0-py3-none-any.whl" "$P/dist/narrowed-1.0-py3-none-any.whl"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/ossl.pem" 2>/dev/null
openssl pkey -in "$T/ossl.pem" -pubout -out "$T/ossl.pub"
for w in "$P"/dist/setuptools-*.whl; do openssl dgst -sha256 -sign "$T/ossl.pem" -out "$w.sig" "$w"; done
openssl genpkey -algorithm ed25519 -out "$T/ed.pem"
openssl pkey -in "$T/ed.pem" -pubout -out "$T/ed.pub"
openssl pkeyutl -sign -rawin -inkey "$T/ed.pem" -in "$P/dist/allowed-1.0-py3-none-any.whl" -out "$T/ed-allowed.sig"
"$PYLOCK" sign --key "$T/other.key" "$P/dist/untrusted-1.0-py3-none-any.whl" > /dev/null
cp "$P"/dist/pip-*.whl.sig "$P/dist/othersig-1.0-py3-none-any.whl.sig"
echo 'garbage!!' > "$P/dist/garbage-1.0-py3-none-any.whl.sig"
echo tampered >> "$P/dist/tampered-1.0-py3-none-any.whl"
cat > "$PYLOCK_HOME/config/policy.yaml" <<YAML
mode: enforce
keys:
  - {id: corp, file: $T/corp.pub}
  - {id: ossl, file: $T/ossl.pub}
  - id: ed
    pem: |
$(sed 's/^/      /' "$T/ed.pub")
registries:
  - name: other
    url: https://other.example/simple/
    keys: [{id: other-key, file: $T/other.pub}]
allow-unsigned:
  - {name: allowed, version: "1.0", reason: built in-house}
YAML

# The remote file's host is one the user named (no network here: missing).
printf 'fetch:\n  hosts: [files.example]\n' > "$PYLOCK_HOME/config/config.yaml"
check_exit "verify fails under enforce" 1 "$PYLOCK" verify "$P"
status() { echo "$out" | awk -v n="$1" '$1 == n { print $3 }'; }
check_equal "pip (signed by pylock): verified" "$(status pip)" verified
check_contains "with the signer's key id" "$(echo "$out" | grep '^pip ')" "$corp_id"
check_equal "setuptools (openssl dgst, raw DER): verified" "$(status setuptools)" verified
check_equal "tampered file: hash-mismatch" "$(status tampered)" hash-mismatch
check_equal "signed by a key trusted only for another registry: untrusted-signer" "$(status untrusted)" untrusted-signer
check_equal "a registry with its own keys does not take top-level ones: untrusted-signer" "$(status narrowed)" untrusted-signer
check_equal "a valid signature of another file: bad-signature" "$(status othersig)" bad-signature
check_equal "a garbage .sig: bad-signature" "$(status garbage)" bad-signature
check_equal "no .sig: unsigned" "$(status unsigned)" unsigned
check_equal "no .sig, allowed by policy: allowed-unsigned" "$(status allowed)" allowed-unsigned
check_equal "only an md5 in the lock: unhashed" "$(status unhashed)" unhashed
check_contains "because md5 is a weak hash" "$(echo "$out" | grep '^unhashed ')" "only a weak hash (md5)"
check_equal "a file that is not there: missing" "$(status gone)" missing
check_equal "a remote file: missing (not fetched yet)" "$(status remote)" missing
check_contains "the summary counts" "$out" "12 packages: 2 verified, 1 allowed-unsigned, 1 unhashed, 2 missing, 1 unsigned, 2 untrusted-signer, 2 bad-signature, 1 hash-mismatch (mode enforce): FAILED"

# Ed25519 (openssl pkeyutl -rawin) and base64-wrapped openssl signatures verify too.
cp "$T/ed-allowed.sig" "$P/dist/allowed-1.0-py3-none-any.whl.sig"
for w in "$P"/dist/setuptools-*.whl; do openssl dgst -sha256 -sign "$T/ossl.pem" "$w" | base64 > "$w.sig"; done
check_exit "verify --json" 1 "$PYLOCK" verify --json "$P"
printf '%s' "$out" > "$T/v.json"
check_equal "Ed25519 and base64 signatures verify; JSON has the fields" \
	"$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = {p["name"]: p for p in d["packages"]}
print(s["allowed"]["status"], s["setuptools"]["status"], s["pip"]["key_id"] is not None, d["summary"]["ok"], d["summary"]["verified"])' "$T/v.json")" \
	"verified verified True False 3"
check_equal "hashes are cached for the next run" "$(wc -l < "$PYLOCK_HOME/cache/hashes")" 8

sed -i 's/^mode: enforce/mode: warn/' "$PYLOCK_HOME/config/policy.yaml"
check_exit "under warn the problems are reported, not enforced" 0 "$PYLOCK" verify "$P"
check_contains "and says so" "$out" "problems, not enforced"

# A project may tighten the policy ([tool.pylock.trust]), never loosen it.
printf '[project]\nname = "audited"\n[tool.pylock.trust]\nmode = "enforce"\nkeys = ["ossl", "ed"]\n' > "$P/pyproject.toml"
check_exit "a project can make warn into enforce" 1 "$PYLOCK" verify "$P"
check_equal "and trust fewer keys: pip's signer is no longer trusted" "$(status pip)" untrusted-signer
check_equal "the keys it keeps still verify" "$(status setuptools)" verified
sed -i 's/^mode: warn/mode: enforce/' "$PYLOCK_HOME/config/policy.yaml"
printf '[project]\nname = "audited"\n[tool.pylock.trust]\nmode = "warn"\n' > "$P/pyproject.toml"
check_exit "a project cannot loosen the mode" 2 "$PYLOCK" verify "$P"
check_contains "it says so, with the position" "$err" "pyproject.toml:4:8: a project may only tighten the trust policy"
printf '[project]\nname = "audited"\n[tool.pylock.trust]\nallow-unsigned = []\n' > "$P/pyproject.toml"
check_exit "a project cannot allow unsigned packages" 2 "$PYLOCK" verify "$P"
printf '[project]\nname = "audited"\n[tool.pylock.trust]\nkeys = ["stranger"]\n' > "$P/pyproject.toml"
check_exit "a project cannot bring its own keys" 2 "$PYLOCK" verify "$P"
check_contains "it says so" "$err" "may only name keys the trust policy has"
printf '[project]\nname = "audited"\n' > "$P/pyproject.toml"

# Bad policies: each an error with its position.
printf 'mode: enforce\nkyes: []\n' > "$PYLOCK_HOME/config/policy.yaml"
check_exit "an unknown policy key is an input error" 2 "$PYLOCK" verify "$P"
check_contains "named with its position" "$err" "policy.yaml:2:1: unknown key 'kyes'"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 2>/dev/null | openssl pkey -pubout -out "$T/rsa.pub"
printf 'keys:\n  - {id: rsa, file: %s}\n' "$T/rsa.pub" > "$PYLOCK_HOME/config/policy.yaml"
check_exit "a key of another type is an input error" 2 "$PYLOCK" verify "$P"
check_contains "it says which types work" "$err" "unsupported type (pylock accepts ECDSA P-256 and Ed25519)"
printf 'keys:\n  - {id: lost, file: /nonexistent.pub}\n' > "$PYLOCK_HOME/config/policy.yaml"
check_exit "an unreadable key file is an input error" 2 "$PYLOCK" verify "$P"
check_contains "with the position of the file name" "$err" "policy.yaml:2:22: cannot read key file"
printf 'mode: sometimes\n' > "$PYLOCK_HOME/config/policy.yaml"
check_exit "a wrong mode is an input error" 2 "$PYLOCK" verify "$P"

# The files for this interpreter, or all of them.
if [ -x /usr/bin/python3 ]; then
	printf 'mode: enforce\nkeys: [{id: corp, file: %s}]\n' "$T/corp.pub" > "$PYLOCK_HOME/config/policy.yaml"
	printf 'python: /usr/bin/python3\nfetch:\n  hosts: [files.example]\n' > "$PYLOCK_HOME/config/config.yaml"
	for f in multi-1.0-py3-none-any.whl multi-1.0-cp311-cp311-win_amd64.whl winonly-1.0-py3-none-any.whl; do
		head -c 1000 /dev/urandom > "$P/dist/$f"
	done
	"$PYLOCK" sign --key "$T/corp.key" "$P/dist/multi-1.0-py3-none-any.whl" > /dev/null
	entry() { echo "{path = 'dist/$1', hashes = {sha256 = '$(sha "$P/dist/$1")'}}"; }
	{
		echo "lock-version = '1.0'"
		echo "created-by = 'test'"
		echo "[[packages]]"
		echo "name = 'multi'"
		echo "version = '1.0'"
		echo "wheels = [$(entry multi-1.0-py3-none-any.whl), $(entry multi-1.0-cp311-cp311-win_amd64.whl)]"
		echo "[[packages]]"
		echo "name = 'winonly'"
		echo "version = '1.0'"
		echo "marker = \"sys_platform == 'win32'\""
		echo "wheels = [$(entry winonly-1.0-py3-none-any.whl)]"
	} > "$P/pylock.toml"
	check_exit "by default only this interpreter's files are checked" 0 "$PYLOCK" verify "$P"
	check_equal "the fitting wheel: verified" "$(status multi)" verified
	check_equal "a package whose marker is false is not listed" "$(status winonly)" ""
	check_contains "but counted" "$out" "1 packages: 1 verified (1 more not for this interpreter)"
	check_exit "--all-files checks every file" 1 "$PYLOCK" verify --all-files "$P"
	check_equal "the other platform's unsigned wheel counts then" "$(status multi)" unsigned
	check_equal "and so does the other platform's package" "$(status winonly)" unsigned
	printf 'python: /nonexistent/python3\nfetch:\n  hosts: [files.example]\n' > "$PYLOCK_HOME/config/config.yaml"
	check_exit "without an interpreter, every file is checked" 1 "$PYLOCK" verify "$P"
	check_contains "and it says why" "$err" "checking every file"
else
	skip "the files for this interpreter" "needs /usr/bin/python3"
fi

# On a terminal, verify shows how many files are done (the audit's progress).
if command -v script > /dev/null; then
	run script -qec "$PYLOCK verify --all-files $P" /dev/null
	check_contains "a progress bar on a terminal" "$out" "verify  ["
	check_exit "up to every file (N/N)" 0 sh -c 'printf "%s" "$1" | grep -qE "\] ([0-9]+)/\1"' sh "$out"
	"$PYLOCK" verify --all-files "$P" > /dev/null 2> "$T/bar"
	check_not_contains "and none when stderr is no terminal" "$(cat "$T/bar")" "verify  ["
else
	skip "the progress bar" "needs script (util-linux)"
fi

done_testing
