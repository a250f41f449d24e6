#!/bin/sh
# Fetching locked files: a PEP 503 (HTML) and PEP 691 (JSON) index and plain
# URLs served over TLS on loopback by a server with a CA this test makes, a
# file:// index, and every way a server or an index can misbehave. Nothing
# that fails its checks may become visible in the store.
. "$srcdir/tests/integration/lib.sh"
SERVER="$(cd "$srcdir" && pwd)/tests/tools/https-server.py"

command -v openssl > /dev/null && command -v python3 > /dev/null || { skip "registry" "needs openssl and python3"; done_testing; exit; }
R="$T/reg"
P="$T/proj"
S="$PYLOCK_HOME/data"
mkdir -p "$R/files" "$R/simple" "$P" "$PYLOCK_HOME/config"
printf '[project]\nname = "fetcher"\n' > "$P/pyproject.toml"

# A CA and a certificate for 127.0.0.1 signed by it.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=pylock-test-ca \
	-keyout "$T/ca.key" -out "$T/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=127.0.0.1 \
	-keyout "$T/srv.key" -out "$T/srv.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' > "$T/ext"
openssl x509 -req -in "$T/srv.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial -days 2 \
	-extfile "$T/ext" -out "$T/srv.pem" 2>/dev/null

"$PYLOCK" key generate "$T/corp" > /dev/null
"$PYLOCK" key generate "$T/stranger" > /dev/null
cp /usr/share/python-wheels/pip-*.whl /usr/share/python-wheels/setuptools-*.whl /usr/share/python-wheels/wheel-*.whl "$R/files/"
head -c 300000 /dev/urandom > "$T/locked-bytes"
for n in mismatch badsigned slowpoke hopped strayed; do head -c 300000 /dev/urandom > "$R/files/$n-1.0-py3-none-any.whl"; done
for w in "$R"/files/*.whl; do "$PYLOCK" sign --key "$T/corp.key" "$w" > /dev/null; done
"$PYLOCK" sign --key "$T/stranger.key" "$R/files/badsigned-1.0-py3-none-any.whl" > /dev/null
sha() { sha256sum "$1" | cut -d' ' -f1; }
pipw=$(basename "$R"/files/pip-*.whl)
stw=$(basename "$R"/files/setuptools-*.whl)
whw=$(basename "$R"/files/wheel-*.whl)
page() {	# page NAME LINE...: a PEP 503 project page
	mkdir -p "$R/simple/$1"
	n=$1
	shift
	{ echo "<!DOCTYPE html><html><body><h1>Links for $n</h1>"; for l in "$@"; do echo "$l"; done; echo "</body></html>"; } \
		> "$R/simple/$n/index.html"
}
page pip "<a href=\"../../files/$pipw#sha256=$(sha "$R/files/$pipw")\" data-requires-python=\"&gt;=3.7\">$pipw</a><br/>"
page mismatch "<a href='../../files/mismatch-1.0-py3-none-any.whl'>mismatch-1.0-py3-none-any.whl</a>"
page badsigned "<A HREF=../../files/badsigned-1.0-py3-none-any.whl>badsigned-1.0-py3-none-any.whl</A>"
page evil "<a href=\"../../files/x/evil-1.0-py3-none-any.whl\">x/evil-1.0-py3-none-any.whl</a>" \
	"<a href=\"../../files/evil-1.0-py3-none-any.whl\">../evil-1.0-py3-none-any.whl</a>" \
	"<a href=\"../../files/other-1.0-py3-none-any.whl\">evil-1.0-py3-none-any.whl</a>"
mkdir -p "$R/json/wheel"
printf '{"meta": {"api-version": "1.1"}, "name": "wheel", "files": [{"filename": "%s", "url": "../../files/%s", "hashes": {"sha256": "%s"}}]}\n' \
	"$whw" "$whw" "$(sha "$R/files/$whw")" > "$R/json/wheel/index.json"
mkdir -p "$R/json/future"
printf '{"meta": {"api-version": "2.0"}, "name": "future", "files": []}\n' > "$R/json/future/index.json"

python3 "$SERVER" "$R" "$T/srv.pem" "$T/srv.key" "$T/port" 2>/dev/null &
server=$!
on_exit "kill $server 2>/dev/null"
wait_for test -s "$T/port" || { not_ok "the test server started"; done_testing; exit; }
U="https://127.0.0.1:$(cat "$T/port")"

# A wheel's url or path is required (PEP 751); a package's index is where a
# tool may look when that url fails. Here the urls of index-served packages
# answer 404.
lockpkg() {	# lockpkg NAME FILE-WITH-THE-LOCKED-BYTES SOURCE-KEYS [INDEX [FILE-NAME]]
	f=${5:-$(basename "$2")}
	echo "[[packages]]"
	echo "name = '$1'"
	echo "version = '$(echo "$f" | cut -d- -f2)'"
	[ -n "${4:-}" ] && echo "index = '$4'"
	echo "wheels = [{name = '$f', ${3:-url = '$U/gone/$f', }size = $(stat -c %s "$2"), hashes = {sha256 = '$(sha "$2")'}}]"
}
{
	echo "lock-version = '1.0'"
	echo "created-by = 'test'"
	lockpkg pip "$R/files/$pipw" "" "$U/simple/"
	lockpkg setuptools "$R/files/$stw" "url = '$U/files/$stw', "
	lockpkg wheel "$R/files/$whw" "" "$U/json/"
	lockpkg mismatch "$T/locked-bytes" "" "$U/simple" mismatch-1.0-py3-none-any.whl
	lockpkg badsigned "$R/files/badsigned-1.0-py3-none-any.whl" "" "$U/simple/"
	lockpkg evil "$R/files/mismatch-1.0-py3-none-any.whl" "" "$U/simple/" evil-1.0-py3-none-any.whl
	lockpkg gone "$R/files/mismatch-1.0-py3-none-any.whl" "url = '$U/files/gone-1.0-py3-none-any.whl', " "" gone-1.0-py3-none-any.whl
	lockpkg broken "$R/files/mismatch-1.0-py3-none-any.whl" "url = '$U/error/broken-1.0-py3-none-any.whl', " "" broken-1.0-py3-none-any.whl
	lockpkg stalled "$R/files/mismatch-1.0-py3-none-any.whl" "url = '$U/stall/stalled-1.0-py3-none-any.whl', " "" stalled-1.0-py3-none-any.whl
	lockpkg trickled "$R/files/mismatch-1.0-py3-none-any.whl" "url = '$U/trickle/trickled-1.0-py3-none-any.whl', " "" trickled-1.0-py3-none-any.whl
	lockpkg looping "$R/files/mismatch-1.0-py3-none-any.whl" "url = '$U/loop/looping-1.0-py3-none-any.whl', " "" looping-1.0-py3-none-any.whl
	lockpkg tofile "$R/files/mismatch-1.0-py3-none-any.whl" "url = '$U/tofile/tofile-1.0-py3-none-any.whl', " "" tofile-1.0-py3-none-any.whl
	lockpkg future "$R/files/mismatch-1.0-py3-none-any.whl" "" "$U/json/" future-1.0-py3-none-any.whl
	lockpkg plain "$R/files/mismatch-1.0-py3-none-any.whl" "url = 'http://127.0.0.1:1/plain-1.0-py3-none-any.whl', " "" plain-1.0-py3-none-any.whl
	lockpkg hopped "$R/files/hopped-1.0-py3-none-any.whl" "url = '$U/hop/hopped-1.0-py3-none-any.whl', "
	lockpkg strayed "$R/files/strayed-1.0-py3-none-any.whl" "url = '$U/elsewhere/strayed-1.0-py3-none-any.whl', "
} > "$P/pylock.toml"

cat > "$PYLOCK_HOME/config/policy.yaml" <<YAML
mode: enforce
keys: [{id: corp, file: $T/corp.pub}, {id: stranger-but-known, file: $T/stranger.pub}]
registries:
  - name: local
    url: $U/simple/
    keys: [{id: corp-only, file: $T/corp.pub}]
YAML
printf 'fetch:\n  ca-file: %s\n  timeout: 2\n  deadline: 12\n' "$T/ca.pem" > "$PYLOCK_HOME/config/config.yaml"

cd "$P" || exit 1
check_exit "verify fetches, checks, and fails under enforce" 1 "$PYLOCK" verify
status() { echo "$out" | awk -v n="$1" '$1 == n { print $3 }'; }
line() { echo "$out" | grep "^$1 "; }
check_equal "a url that answers 404, then the PEP 503 index over https: verified" "$(status pip)" verified
check_equal "https url: verified" "$(status setuptools)" verified
check_equal "PEP 691 JSON index: verified" "$(status wheel)" verified
check_equal "an index pointing at other bytes: hash-mismatch" "$(status mismatch)" hash-mismatch
check_equal "signed by a key the registry does not trust: untrusted-signer" "$(status badsigned)" untrusted-signer
check_equal "unsafe names in the index: missing" "$(status evil)" missing
check_contains "and the refusal is named" "$(line evil)" "refused 3 unsafe entries"
check_contains "HTTP 404 is reported" "$(line gone)" "HTTP 404"
check_contains "HTTP 500 is reported" "$(line broken)" "HTTP 500"
check_contains "a stalled server times out" "$(line stalled)" "no progress for 2 s"
check_contains "a server that trickles a byte at a time meets the deadline" "$(line trickled)" "not done within the 12 s deadline"
check_contains "a redirect loop is stopped" "$(line looping)" "too many redirects"
check_equal "a redirect to file:// is refused" "$(status tofile)" missing
check_contains "and says why" "$(line tofile)" "redirects only to https://"
check_contains "an unknown simple API major version is refused" "$(line future)" "unsupported simple API version 2.0"
check_contains "plain http is not fetched" "$(line plain)" "only https:// and file://"
check_equal "a redirect on the same host is followed" "$(status hopped)" verified
check_equal "a redirect to a host pylock may not fetch from is refused" "$(status strayed)" missing
check_contains "naming the host" "$(line strayed)" "host localhost is not one pylock fetches from"

blob() { echo "$S/blobs/sha256/$(echo "$1" | cut -c1-2)/$(echo "$1" | cut -c3-)"; }
check_exit "the verified files are in the store" 0 test -f "$(blob "$(sha "$R/files/$pipw")")" -a -f "$(blob "$(sha "$R/files/$whw")")"
check_exit "with their signatures" 0 test -f "$(blob "$(sha "$R/files/$pipw")").sig"
check_exit "the untrusted one is not" 1 test -e "$(blob "$(sha "$R/files/badsigned-1.0-py3-none-any.whl")")"
check_equal "nothing half-written is left" "$(find "$S" -name '.stage*' | wc -l)" 0
check_equal "every stored blob has the lock's hash" \
	"$(find "$S/blobs" -type f ! -name '*.sig' | while read -r b; do [ "$(sha "$b")" = "$(basename "$(dirname "$b")")$(basename "$b")" ] || echo bad; done)" ""

# A lock naming a host neither the policy nor config.yaml names (what a
# sandboxed command could write to send data out) is refused whole, before
# any connection, with the host and where the lock names it.
cp "$P/pylock.toml" "$T/good-lock"
{ cat "$T/good-lock"; lockpkg exfil "$R/files/mismatch-1.0-py3-none-any.whl" "url = 'https://exfil.example/secret-data/exfil-1.0-py3-none-any.whl', " "" exfil-1.0-py3-none-any.whl; } > "$P/pylock.toml"
check_exit "verify refuses a lock naming an unknown host" 2 "$PYLOCK" verify
check_contains "naming the host and the lock's line" "$err" "pylock.toml:$(grep -n exfil.example "$P/pylock.toml" | cut -d: -f1):"
check_contains "and the host" "$err" "host exfil.example is not one pylock fetches from"
check_exit "so does sync" 2 "$PYLOCK" sync
sed -i 's|https://exfil.example|HTTPS://exfil.example|' "$P/pylock.toml"
check_exit "whatever the case of its scheme" 2 "$PYLOCK" verify
check_contains "naming the host" "$err" "host exfil.example is not one pylock fetches from"
printf 'fetch:\n  ca-file: %s\n  timeout: 2\n  hosts: [exfil.example]\n' "$T/ca.pem" > "$PYLOCK_HOME/config/config.yaml"
run "$PYLOCK" verify
check_not_contains "a host named in fetch: hosts is fetched from" "$(line exfil)" "not one pylock fetches from"
printf 'fetch:\n  ca-file: %s\n  timeout: 2\n  deadline: 12\n' "$T/ca.pem" > "$PYLOCK_HOME/config/config.yaml"
cp "$T/good-lock" "$P/pylock.toml"

# Stored files need no network: the second run reads the store.
kill "$server"; wait "$server" 2>/dev/null
run "$PYLOCK" verify
check_equal "with the server gone, stored files still verify" "$(status pip) $(status wheel)" "verified verified"

# A file:// index, with a file whose index page is a plain folder tree.
{
	echo "lock-version = '1.0'"
	echo "created-by = 'test'"
	lockpkg pip "$R/files/$pipw" "url = 'file://$R/gone/$pipw', " "file://$R/simple/"
} > "$P/pylock.toml"
rm -rf "$S"
check_exit "a file:// index verifies" 0 "$PYLOCK" verify
check_equal "its file: verified" "$(status pip)" verified

# Without the test CA the server is not trusted.
python3 "$SERVER" "$R" "$T/srv.pem" "$T/srv.key" "$T/port2" 2>/dev/null &
server=$!
on_exit "kill $server 2>/dev/null"
wait_for test -s "$T/port2"
U="https://127.0.0.1:$(cat "$T/port2")"
{
	echo "lock-version = '1.0'"
	echo "created-by = 'test'"
	lockpkg setuptools "$R/files/$stw" "url = '$U/files/$stw', "
	lockpkg slowpoke "$R/files/slowpoke-1.0-py3-none-any.whl" "url = '$U/slow/slowpoke-1.0-py3-none-any.whl', "
} > "$P/pylock.toml"
: > "$PYLOCK_HOME/config/config.yaml"
check_exit "an unknown CA fails the fetch" 1 "$PYLOCK" verify
check_contains "as a certificate problem" "$(line setuptools)" "certificate"

# kill -9 in the middle of a download: nothing visible under the file's hash.
printf 'fetch:\n  ca-file: %s\n' "$T/ca.pem" > "$PYLOCK_HOME/config/config.yaml"
"$PYLOCK" verify > /dev/null 2>&1 &
v=$!
wait_for sh -c "find '$S' -name '.stage.*' -size +16k | grep -q ."
kill -9 $v; wait $v 2>/dev/null
check_exit "a download killed midway is not in the store" 1 test -e "$(blob "$(sha "$R/files/slowpoke-1.0-py3-none-any.whl")")"
check_exit "and the next run completes it" 0 "$PYLOCK" verify
check_exit "now it is" 0 test -f "$(blob "$(sha "$R/files/slowpoke-1.0-py3-none-any.whl")")"

# Other hash algorithms (PEP 751 allows hashlib's): a download is hashed
# with the strongest the lock records, as it streams in, and stored under it.
hashof() { python3 -c 'import hashlib, sys; print(hashlib.new(sys.argv[1], open(sys.argv[2], "rb").read()).hexdigest())' "$1" "$2"; }
hashed() {	# hashed NAME FILE HASHES
	printf "[[packages]]\nname = '%s'\nversion = '%s'\n" "$1" "$(basename "$2" | cut -d- -f2)"
	printf "wheels = [{url = '%s/files/%s', size = %s, hashes = {%s}}]\n" "$U" "$(basename "$2")" "$(stat -c %s "$2")" "$3"
}
{
	echo "lock-version = '1.0'"
	echo "created-by = 'test'"
	hashed setuptools "$R/files/$stw" "sha512 = '$(hashof sha512 "$R/files/$stw")'"
	hashed wheel "$R/files/$whw" "sha3_256 = '$(hashof sha3_256 "$R/files/$whw")', blake2b = '$(hashof blake2b "$T/locked-bytes")'"
	printf "[[packages]]\nname = 'pip'\nversion = '%s'\n" "$(echo "$pipw" | cut -d- -f2)"
	printf "archive = {url = '%s/files/%s', size = %s, hashes = {sha256 = '%s'}}\n" "$U" "$pipw" \
		"$(stat -c %s "$R/files/$pipw")" "$(sha "$R/files/$pipw")"
} > "$P/pylock.toml"
check_exit "verify downloads files the lock pins by sha512 only" 1 "$PYLOCK" verify
check_equal "a sha512-only file: verified (its signature is over the same bytes)" "$(status setuptools)" verified
check_equal "the strongest hash decides: blake2b over sha3_256" "$(status wheel)" hash-mismatch
check_contains "and is named" "$(line wheel)" "sent bytes with blake2b"
check_equal "an archive entry whose url is a wheel is fetched and checked like one" "$(status pip)" verified
check_exit "stored under its sha512" 0 test -f "$S/blobs/sha512/$(hashof sha512 "$R/files/$stw" | cut -c1-2)/$(hashof sha512 "$R/files/$stw" | cut -c3-)"
check_equal "nothing is stored under the wrong bytes' names" "$(find "$S/blobs/blake2b" -type f | wc -l)" 0

# Offline: a host that cannot be resolved is tried once, and the files it
# holds back are told in one line.
{
	echo "lock-version = '1.0'"
	echo "created-by = 'test'"
	for i in 1 2 3 4 5 6; do
		printf "[[packages]]\nname = 'off%s'\nversion = '1'\n" "$i"
		printf "wheels = [{url = 'https://nowhere.invalid/off%s-1-py3-none-any.whl', hashes = {sha256 = '%064d'}}]\n" "$i" 0
	done
} > "$P/pylock.toml"
printf 'fetch:\n  hosts: [nowhere.invalid]\n  timeout: 2\n' > "$PYLOCK_HOME/config/config.yaml"
check_exit "verify with a host that cannot be resolved" 1 "$PYLOCK" verify
check_equal "every file missing" "$(echo "$out" | grep -c '^off.* missing ')" 6
check_exit "the host is not tried again for the next files" 0 sh -c 'echo "$1" | grep -q "(not tried again)"' sh "$out"
check_exit "sync" 1 "$PYLOCK" sync
check_equal "tells the cause in one line" "$(echo "$err" | grep -c 'Could not resolve host')" 1
check_contains "naming three files and counting the rest" "$err" \
	"-py3-none-any.whl and 3 more): Could not resolve host: nowhere.invalid"

done_testing
