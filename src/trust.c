/* trust's common ground: libcrypto loaded on first use, names, key ids,
 * sha256. The policy, signing, the hash cache and verification have a file
 * each. */
#include "config.h"
#include "trust.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "sigstore.h"
#include "trust-internal.h"

/* The .sig first, then the evidence in sigstore_suffixes' order. */
const struct trust_side trust_sides[TRUST_NSIDES] = {
	{ ".sig", TRUST_SIG_MAX },
	{ ".provenance", SIGSTORE_MAX_DOC },
	{ ".publish.attestation", SIGSTORE_MAX_DOC },
	{ ".attestation", SIGSTORE_MAX_DOC },
	{ ".sigstore.json", SIGSTORE_MAX_DOC },
	{ ".sigstore", SIGSTORE_MAX_DOC },
};



trust_crypto_table trust_crypto;

static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;
static const char *crypto_error;

static void load_crypto(void)
{
	crypto_error = DL_LOAD(LIBCRYPTO_SONAME, CRYPTO_FUNCTIONS, trust_crypto);
}

int trust_init(struct pl_error *err)
{
	pthread_once(&crypto_once, load_crypto);
	if (crypto_error)
		return pl_error_set(err, NULL, 0, 0, "cannot load libcrypto (%s): %s", LIBCRYPTO_SONAME, crypto_error);
	return 0;
}

const char *trust_status_name(enum trust_status s)
{
	static const char *const names[] = {
		[TRUST_HASH_MISMATCH] = "hash-mismatch", [TRUST_BAD_SIGNATURE] = "bad-signature",
		[TRUST_UNTRUSTED_SIGNER] = "untrusted-signer", [TRUST_UNSIGNED] = "unsigned",
		[TRUST_MISSING] = "missing", [TRUST_UNHASHED] = "unhashed",
		[TRUST_ALLOWED_UNSIGNED] = "allowed-unsigned", [TRUST_LOCAL] = "local", [TRUST_VERIFIED] = "verified",
	};
	return names[s];
}

const char *trust_mode_name(enum trust_mode m)
{
	return m == TRUST_ENFORCE ? "enforce" : m == TRUST_WARN ? "warn" : "off";
}

void trust_key_id(EVP_PKEY *k, char out[17])
{
	unsigned char *der = NULL, md[32];
	unsigned int mdlen = 0;
	int n = C(i2d_PUBKEY)(k, &der);

	out[0] = '\0';
	if (n <= 0)
		return;
	C(EVP_Digest)(der, (size_t)n, md, &mdlen, C(EVP_sha256)(), NULL);
	C(CRYPTO_free)(der, __FILE__, __LINE__);
	util_hex(md, 8, out);
}

bool trust_key_supported(EVP_PKEY *k)
{
	char group[64];

	if (C(EVP_PKEY_is_a)(k, "ED25519"))
		return true;
	return C(EVP_PKEY_is_a)(k, "EC") &&
	       C(EVP_PKEY_get_utf8_string_param)(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL) &&
	       (!strcmp(group, "prime256v1") || !strcmp(group, "P-256"));
}

/* ---- sha256 ---- */

int trust_sha256_file(const char *path, char hex[65], struct pl_error *err)
{
	if (trust_init(err) < 0)
		return -1;

	EVP_MD_CTX *ctx = C(EVP_MD_CTX_new)();
	unsigned char md[32], *buf = util_xmalloc(1 << 20);
	unsigned int mdlen;
	int fd = util_open_regular(path, NULL, err), rc = -1;
	ssize_t n;

	if (fd < 0)
		goto out;
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if (!ctx || C(EVP_DigestInit_ex)(ctx, C(EVP_sha256)(), NULL) != 1)
		goto out;
	while ((n = read(fd, buf, 1 << 20)) > 0)
		C(EVP_DigestUpdate)(ctx, buf, (size_t)n);
	if (n < 0) {
		pl_error_errno(err, path, "cannot read");
		goto out;
	}
	C(EVP_DigestFinal_ex)(ctx, md, &mdlen);
	util_hex(md, 32, hex);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	C(EVP_MD_CTX_free)(ctx);
	return rc;
}

struct trust_sha256 *trust_sha256_new(struct pl_error *err)
{
	EVP_MD_CTX *ctx;

	if (trust_init(err) < 0)
		return NULL;
	if (!(ctx = C(EVP_MD_CTX_new)()) || C(EVP_DigestInit_ex)(ctx, C(EVP_sha256)(), NULL) != 1) {
		C(EVP_MD_CTX_free)(ctx);
		pl_error_set(err, NULL, 0, 0, "libcrypto cannot start a sha256");
		return NULL;
	}
	return (struct trust_sha256 *)ctx;
}

void trust_sha256_update(struct trust_sha256 *h, const void *data, size_t len)
{
	C(EVP_DigestUpdate)((EVP_MD_CTX *)h, data, len);
}

void trust_sha256_final(struct trust_sha256 *h, char hex[65])
{
	unsigned char md[32];
	unsigned int mdlen;

	C(EVP_DigestFinal_ex)((EVP_MD_CTX *)h, md, &mdlen);
	util_hex(md, 32, hex);
	C(EVP_MD_CTX_free)((EVP_MD_CTX *)h);
}

/* ---- the digests a check compares ---- */

/* hashlib's names (PEP 751) as OpenSSL 3 knows them. */
static const EVP_MD *digest_named(const char *algo)
{
	static const char *const names[][2] = {
		{ "sha224", "SHA224" }, { "sha256", "SHA256" }, { "sha384", "SHA384" }, { "sha512", "SHA512" },
		{ "sha3_224", "SHA3-224" }, { "sha3_256", "SHA3-256" }, { "sha3_384", "SHA3-384" },
		{ "sha3_512", "SHA3-512" }, { "blake2b", "BLAKE2B-512" }, { "blake2s", "BLAKE2S-256" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(algo, names[i][0]))
			return C(EVP_get_digestbyname)(names[i][1]);
	return NULL;
}

struct trust_digester {
	EVP_MD_CTX *sha256, *other;
	const char *algo;
};

struct trust_digester *trust_digester_new(const char *algo, struct pl_error *err)
{
	struct trust_digester *d;
	const EVP_MD *md = NULL;

	if (trust_init(err) < 0)
		return NULL;
	if (algo && strcasecmp(algo, "sha256") && !(md = digest_named(algo))) {
		pl_error_set(err, NULL, 0, 0, "libcrypto has no %s", algo);
		return NULL;
	}
	d = util_xcalloc(1, sizeof(*d));
	d->algo = md ? algo : NULL;
	if (!(d->sha256 = C(EVP_MD_CTX_new)()) || C(EVP_DigestInit_ex)(d->sha256, C(EVP_sha256)(), NULL) != 1 ||
	    (md && (!(d->other = C(EVP_MD_CTX_new)()) || C(EVP_DigestInit_ex)(d->other, md, NULL) != 1))) {
		C(EVP_MD_CTX_free)(d->sha256);
		C(EVP_MD_CTX_free)(d->other);
		free(d);
		pl_error_set(err, NULL, 0, 0, "libcrypto cannot start a digest");
		return NULL;
	}
	return d;
}

void trust_digester_update(struct trust_digester *d, const void *data, size_t len)
{
	C(EVP_DigestUpdate)(d->sha256, data, len);
	if (d->other)
		C(EVP_DigestUpdate)(d->other, data, len);
}

static void final_hex(EVP_MD_CTX *ctx, char *hex)
{
	unsigned char md[64];
	unsigned int mdlen = 0;

	C(EVP_DigestFinal_ex)(ctx, md, &mdlen);
	util_hex(md, mdlen, hex);
	C(EVP_MD_CTX_free)(ctx);
}

void trust_digester_final(struct trust_digester *d, struct trust_digests *out)
{
	memset(out, 0, sizeof(*out));
	final_hex(d->sha256, out->sha256);
	if (d->other) {
		out->algo = d->algo;
		final_hex(d->other, out->other);
	}
	free(d);
}

int trust_digest_file(const char *path, const char *algo, struct trust_digests *out, struct pl_error *err)
{
	struct trust_digester *d = trust_digester_new(algo, err);
	int fd = d ? util_open_regular(path, NULL, err) : -1;
	unsigned char *buf;
	ssize_t n;

	if (fd < 0) {
		if (d)
			trust_digester_final(d, out);
		return -1;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	buf = util_xmalloc(1 << 20);
	while ((n = read(fd, buf, 1 << 20)) > 0)
		trust_digester_update(d, buf, (size_t)n);
	if (n < 0)
		pl_error_errno(err, path, "cannot read");
	close(fd);
	free(buf);
	trust_digester_final(d, out);
	return n < 0 ? -1 : 0;
}
