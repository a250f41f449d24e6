/* The transparency log entry of a bundle (Rekor v1): its signed entry
 * timestamp, its Merkle inclusion proof (RFC 9162, 2.1.3.2) and the signed
 * checkpoint that commits to the proof's root, and its body against the
 * bundle's own signature and certificate (the check CVE-2022-36056 was
 * about). */
#include "config.h"
#include "sigstore.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigstore-internal.h"

static void sha256(const void *data, size_t len, unsigned char out[32])
{
	S(EVP_Digest)(data, len, out, NULL, S(EVP_sha256)(), NULL);
}

static char *base64(const unsigned char *b, size_t n)
{
	static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = util_xmalloc((n + 2) / 3 * 4 + 1), *o = out;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t w = (uint32_t)b[i] << 16 | (i + 1 < n ? (uint32_t)b[i + 1] << 8 : 0) |
			     (i + 2 < n ? b[i + 2] : 0);
		*o++ = digits[w >> 18];
		*o++ = digits[(w >> 12) & 63];
		*o++ = i + 1 < n ? digits[(w >> 6) & 63] : '=';
		*o++ = i + 2 < n ? digits[w & 63] : '=';
	}
	*o = '\0';
	return out;
}

int sigstore_log_verify_set(const struct sigstore_root *root, const struct sigstore_entry *e,
			    struct sigstore_verdict *v)
{
	const struct sigstore_log *log;
	struct util_buf canon = UTIL_BUF_INIT;
	char id[65], *body;
	bool ok;

	if (!e->set)
		return sigstore_fail(v, "the log entry has no signed entry timestamp (no signed time)");
	if (!e->has_time)
		return sigstore_fail(v, "the log entry has no integratedTime");
	if (!(log = sigstore_root_log(root->tlogs, root->ntlogs, e->log_id, e->integrated_time)))
		return sigstore_fail(v, "no transparency log of the trusted root has this entry's logId at its time");
	/* RFC 8785 canonical JSON: keys sorted, no blanks; nothing in these
	 * values needs escaping (base64, hex and digits). */
	util_hex(e->log_id, 32, id);
	body = base64(e->body, e->body_len);
	util_buf_printf(&canon, "{\"body\":\"%s\",\"integratedTime\":%" PRId64 ",\"logID\":\"%s\",\"logIndex\":%" PRId64 "}",
			body, e->integrated_time, id, e->log_index);
	ok = sigstore_signature_ok(log->pkey, e->set, e->set_len, (const unsigned char *)canon.data, canon.len);
	free(body);
	util_buf_free(&canon);
	return ok ? 0 : sigstore_fail(v, "the signed entry timestamp does not verify");
}

static void node_hash(const unsigned char *left, const unsigned char *right, unsigned char out[32])
{
	unsigned char buf[65];

	buf[0] = 1;
	memcpy(buf + 1, left, 32);
	memcpy(buf + 33, right, 32);
	sha256(buf, sizeof(buf), out);
}

static int verify_proof(const struct sigstore_entry *e, struct sigstore_verdict *v)
{
	unsigned char r[32], *leaf;
	uint64_t fn, sn;

	if (e->proof_index < 0 || e->tree_size <= 0 || e->proof_index >= e->tree_size)
		return sigstore_fail(v, "the inclusion proof's logIndex is not inside its treeSize");
	leaf = util_xmalloc(e->body_len + 1);
	leaf[0] = 0;
	memcpy(leaf + 1, e->body, e->body_len);
	sha256(leaf, e->body_len + 1, r);
	free(leaf);
	fn = (uint64_t)e->proof_index;
	sn = (uint64_t)e->tree_size - 1;
	for (size_t i = 0; i < e->nhashes; i++) {
		if (sn == 0)
			return sigstore_fail(v, "the inclusion proof has more hashes than its tree needs");
		if ((fn & 1) || fn == sn) {
			node_hash(e->hashes[i], r, r);
			while (!(fn & 1) && fn) {
				fn >>= 1;
				sn >>= 1;
			}
		} else
			node_hash(r, e->hashes[i], r);
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		return sigstore_fail(v, "the inclusion proof has fewer hashes than its tree needs");
	if (memcmp(r, e->root_hash, 32))
		return sigstore_fail(v, "the inclusion proof does not lead to its root hash");
	return 0;
}

/* A signed note (transparency-dev's checkpoint format): the text, a blank
 * line, then lines "— NAME BASE64(KEYHINT[4] SIGNATURE)". The log's own
 * signature must be there and verify; notes by others (witnesses) are not
 * ours to judge. */
static int verify_checkpoint(const struct sigstore_root *root, const struct sigstore_entry *e, int64_t t,
			     struct sigstore_verdict *v)
{
	const char *note = e->checkpoint, *sep = strstr(note, "\n\n"), *p;
	const struct sigstore_log *log = sigstore_root_log(root->tlogs, root->ntlogs, e->log_id, t);
	bool signed_by_log = false;
	unsigned long long size;
	char rootb64[64];

	if (!log)
		return sigstore_fail(v, "no transparency log of the trusted root signs this checkpoint");
	if (!sep || strstr(sep + 2, "\n\n") || !sep[2] || note[strlen(note) - 1] != '\n')
		return sigstore_fail(v, "the checkpoint is not a signed note");
	/* The text's first three lines: origin, tree size, root hash. */
	const char *l2 = strchr(note, '\n') + 1, *l3 = strchr(l2, '\n') + 1, *l4 = strchr(l3, '\n') + 1;
	char *end;
	if (l2 == note + 1 || l4 > sep + 2 || l4 - l3 > (ptrdiff_t)sizeof(rootb64) || !(*l2 >= '0' && *l2 <= '9'))
		return sigstore_fail(v, "the checkpoint's text is not origin, size and root hash");
	size = strtoull(l2, &end, 10);
	if (end != l3 - 1)
		return sigstore_fail(v, "the checkpoint's tree size is not a number");
	memcpy(rootb64, l3, (size_t)(l4 - l3 - 1));
	rootb64[l4 - l3 - 1] = '\0';
	unsigned char *rh;
	size_t rhlen;
	if (util_base64_decode(rootb64, strlen(rootb64), 64, &rh, &rhlen) < 0)
		return sigstore_fail(v, "the checkpoint's root hash is not base64");
	bool same = rhlen == 32 && !memcmp(rh, e->root_hash, 32);
	free(rh);
	if (!same || size != (unsigned long long)e->tree_size)
		return sigstore_fail(v, "the checkpoint commits to another tree than the inclusion proof");
	for (p = sep + 2; *p; ) {
		const char *eol = strchr(p, '\n'), *name_end;
		unsigned char *sig;
		size_t siglen;

		if (strncmp(p, "\xe2\x80\x94 ", 4) || !(name_end = memchr(p + 4, ' ', (size_t)(eol - p - 4))))
			return sigstore_fail(v, "the checkpoint has a malformed signature line");
		if (util_base64_decode(name_end + 1, (size_t)(eol - name_end - 1), 1024, &sig, &siglen) < 0 ||
		    siglen < 5) {
			free(sig);
			return sigstore_fail(v, "the checkpoint has a signature that is not base64");
		}
		if (!memcmp(sig, log->id, 4)) {
			if (!sigstore_signature_ok(log->pkey, sig + 4, siglen - 4, (const unsigned char *)note,
						   (size_t)(sep + 1 - note))) {
				free(sig);
				return sigstore_fail(v, "the checkpoint's signature does not verify");
			}
			signed_by_log = true;
		}
		free(sig);
		p = eol + 1;
	}
	return signed_by_log ? 0 : sigstore_fail(v, "the checkpoint is not signed by the log");
}

int sigstore_log_verify_inclusion(const struct sigstore_root *root, const struct sigstore_entry *e, int64_t t,
				  struct sigstore_verdict *v)
{
	if (!e->has_proof)
		return sigstore_fail(v, "the log entry has no inclusion proof");
	if (!e->checkpoint)
		return sigstore_fail(v, "the inclusion proof has no checkpoint");
	if (verify_proof(e, v) < 0)
		return -1;
	return verify_checkpoint(root, e, t, v);
}

/* Whether base64 b64 decodes to exactly want[0..len). */
static bool b64_is(const char *b64, const unsigned char *want, size_t len)
{
	unsigned char *got;
	size_t n;
	bool same;

	if (!b64 || !len || util_base64_decode(b64, strlen(b64), len, &got, &n) < 0)
		return false;
	same = n == len && !memcmp(got, want, len);
	free(got);
	return same;
}

/* What a log entry names the signer by: the bundle's certificate (DER),
 * or for a keyed bundle the key's SubjectPublicKeyInfo (*owned, to free).
 * 0 when there is none. */
static size_t signer_der(const struct sigstore_bundle *b, EVP_PKEY *key, const unsigned char **der,
			 unsigned char **owned)
{
	int n;

	*owned = NULL;
	*der = b->cert;
	if (!key)
		return b->cert_len;
	n = S(i2d_PUBKEY)(key, owned);
	*der = *owned;
	return n > 0 ? (size_t)n : 0;
}

/* The signer in a body field, base64 of a PEM: the bundle's certificate,
 * or for a keyed bundle the public key that verified it. */
static bool same_signer(const char *b64pem, const struct sigstore_bundle *b, EVP_PKEY *key)
{
	unsigned char *pem = NULL, *der = NULL, *owned;
	const unsigned char *want;
	size_t len, want_len = signer_der(b, key, &want, &owned);
	X509 *x = NULL;
	EVP_PKEY *k = NULL;
	BIO *bio;
	bool same = false;
	int n = 0;

	if (want_len && b64pem && util_base64_decode(b64pem, strlen(b64pem), 65536, &pem, &len) == 0 &&
	    (bio = S(BIO_new_mem_buf)(pem, (int)len))) {
		if (key && (k = S(PEM_read_bio_PUBKEY)(bio, NULL, NULL, NULL)))
			n = S(i2d_PUBKEY)(k, &der);
		else if (!key && (x = S(PEM_read_bio_X509)(bio, NULL, NULL, NULL)))
			n = S(i2d_X509)(x, &der);
		S(BIO_free)(bio);
		same = n > 0 && (size_t)n == want_len && !memcmp(der, want, want_len);
	}
	S(CRYPTO_free)(der, __FILE__, __LINE__);
	S(CRYPTO_free)(owned, __FILE__, __LINE__);
	S(X509_free)(x);
	S(EVP_PKEY_free)(k);
	free(pem);
	return same;
}

static bool same_sig(const char *b64sig, const struct sigstore_bundle *b)
{
	return b64_is(b64sig, b->sig, b->sig_len);
}

/* intoto 0.0.2 keeps the envelope's signature base64-encoded once more. */
static bool same_intoto_sig(const char *b64b64, const struct sigstore_bundle *b)
{
	unsigned char *inner;
	size_t len;
	bool same;

	if (!b64b64 || util_base64_decode(b64b64, strlen(b64b64), 8192, &inner, &len) < 0)
		return false;
	same = same_sig((const char *)inner, b);
	free(inner);
	return same;
}

static void pae_sha256(const struct sigstore_bundle *b, unsigned char out[32])
{
	struct util_buf pae = UTIL_BUF_INIT;

	sigstore_pae(b, &pae);
	sha256(pae.data, pae.len, out);
	util_buf_free(&pae);
}

/* Rekor v2's verifier: the certificate's DER, or the key's SPKI. */
static bool same_verifier(json_t *verifier, const struct sigstore_bundle *b, EVP_PKEY *key)
{
	const char *raw = json_string_value(json_object_get(json_object_get(verifier, key ? "publicKey" : "x509Certificate"),
							    "rawBytes"));
	const unsigned char *want;
	unsigned char *owned;
	size_t len = signer_der(b, key, &want, &owned);
	bool same = b64_is(raw, want, len);

	S(CRYPTO_free)(owned, __FILE__, __LINE__);
	return same;
}

/* Rekor v2's hash: {"algorithm": "SHA2_256", "digest": base64}. */
static bool v2_hash_is(json_t *h, const unsigned char digest[32])
{
	const char *algo = json_string_value(json_object_get(h, "algorithm"));

	return algo && !strcmp(algo, "SHA2_256") && b64_is(json_string_value(json_object_get(h, "digest")), digest, 32);
}

static bool hash_is(json_t *h, const unsigned char digest[32])
{
	char want[65];
	const char *algo = json_string_value(json_object_get(h, "algorithm"));
	const char *value = json_string_value(json_object_get(h, "value"));

	util_hex(digest, 32, want);
	return algo && value && !strcmp(algo, "sha256") && !strcmp(value, want);
}

int sigstore_log_verify_body(const struct sigstore_bundle *b, EVP_PKEY *key, const unsigned char artifact_sha256[32],
			     struct sigstore_verdict *v)
{
	const struct sigstore_entry *e = &b->entry;
	json_error_t jerr;
	json_t *body = json_loadb((const char *)e->body, e->body_len, JSON_REJECT_DUPLICATES, &jerr), *spec;
	const char *kind = json_string_value(json_object_get(body, "kind"));
	const char *api = json_string_value(json_object_get(body, "apiVersion"));
	int rc = -1;

	spec = json_object_get(body, "spec");
	if (!body || !kind || !api || !json_is_object(spec)) {
		sigstore_fail(v, "the log entry's body is not a Rekor entry");
		goto done;
	}
	if (strcmp(kind, e->kind) || strcmp(api, e->version)) {
		sigstore_fail(v, "the log entry's body is %.20s %.20s, its kindVersion says %s %s", kind, api, e->kind,
			      e->version);
		goto done;
	}
	if (b->dsse && !strcmp(kind, "dsse") && !strcmp(api, "0.0.1")) {
		unsigned char payload_hash[32];
		json_t *sigs = json_object_get(spec, "signatures"), *s0 = json_array_get(sigs, 0);

		sha256(b->payload, b->payload_len, payload_hash);
		if (!hash_is(json_object_get(spec, "payloadHash"), payload_hash))
			sigstore_fail(v, "the log entry's payload hash is not the bundle's");
		else if (json_array_size(sigs) != 1 || !same_sig(json_string_value(json_object_get(s0, "signature")), b) ||
			 !same_signer(json_string_value(json_object_get(s0, "verifier")), b, key))
			sigstore_fail(v, "the log entry's signature or certificate is not the bundle's");
		else
			rc = 0;
	} else if (!strcmp(api, "0.0.2") && (!strcmp(kind, "hashedrekord") || (b->dsse && !strcmp(kind, "dsse")))) {
		/* Rekor v2: the same facts, in protobuf's JSON. */
		bool dsse_entry = !strcmp(kind, "dsse");
		json_t *inner = json_object_get(spec, dsse_entry ? "dsseV002" : "hashedRekordV002");
		json_t *sig = dsse_entry ? json_array_get(json_object_get(inner, "signatures"), 0)
					 : json_object_get(inner, "signature");
		unsigned char digest[32];

		if (dsse_entry)
			sha256(b->payload, b->payload_len, digest);
		else if (b->dsse)
			pae_sha256(b, digest);
		else
			memcpy(digest, artifact_sha256, 32);
		if (!v2_hash_is(json_object_get(inner, dsse_entry ? "payloadHash" : "data"), digest))
			sigstore_fail(v, "the log entry's hash is not the bundle's");
		else if ((dsse_entry && json_array_size(json_object_get(inner, "signatures")) != 1) ||
			 !same_sig(json_string_value(json_object_get(sig, "content")), b) ||
			 !same_verifier(json_object_get(sig, "verifier"), b, key))
			sigstore_fail(v, "the log entry's signature or certificate is not the bundle's");
		else
			rc = 0;
	} else if (b->dsse && !strcmp(kind, "intoto") && !strcmp(api, "0.0.2")) {
		unsigned char payload_hash[32];
		json_t *env = json_object_get(json_object_get(spec, "content"), "envelope");
		json_t *sigs = json_object_get(env, "signatures"), *s0 = json_array_get(sigs, 0);

		sha256(b->payload, b->payload_len, payload_hash);
		if (!hash_is(json_object_get(json_object_get(spec, "content"), "payloadHash"), payload_hash))
			sigstore_fail(v, "the log entry's payload hash is not the bundle's");
		else if (json_array_size(sigs) != 1 || !same_intoto_sig(json_string_value(json_object_get(s0, "sig")), b) ||
			 !same_signer(json_string_value(json_object_get(s0, "publicKey")), b, key))
			sigstore_fail(v, "the log entry's signature or certificate is not the bundle's");
		else
			rc = 0;
	} else if (!strcmp(kind, "hashedrekord") && !strcmp(api, "0.0.1")) {
		/* A message signature's entry names the file; a DSSE envelope's
		 * the hash of its pre-authentication encoding (what was signed). */
		json_t *sig = json_object_get(spec, "signature");
		unsigned char signed_hash[32];

		if (b->dsse)
			pae_sha256(b, signed_hash);
		if (!hash_is(json_object_get(json_object_get(spec, "data"), "hash"), b->dsse ? signed_hash : artifact_sha256))
			sigstore_fail(v, "the log entry's artifact hash is not the file's");
		else if (!same_sig(json_string_value(json_object_get(sig, "content")), b) ||
			 !same_signer(json_string_value(json_object_get(json_object_get(sig, "publicKey"), "content")), b, key))
			sigstore_fail(v, "the log entry's signature or certificate is not the bundle's");
		else
			rc = 0;
	} else
		sigstore_fail(v, "a %.20s %.20s log entry does not fit a %s bundle", kind, api,
			      b->dsse ? "DSSE" : "message signature");
done:
	json_decref(body);
	return rc;
}
