/* What the trust module's files share: libcrypto's functions (loaded by
 * trust_init, typed by OpenSSL's headers), key ids, and the hash cache's
 * lookups. Not for other modules. */
#ifndef PYLOCK_TRUST_INTERNAL_H
#define PYLOCK_TRUST_INTERNAL_H

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "dl.h"
#include "trust.h"

#define ED25519_MAX_FILE (1u << 30)	/* pure Ed25519 needs the whole file in memory */

/* libcrypto (4 MB) is loaded on first use: linked, it would cost every
 * pylock command, `pylock run` included, a millisecond at start-up. The
 * headers still type every call. */
#define CRYPTO_FUNCTIONS(X) \
	X(EVP_Digest) \
	X(EVP_sha256) \
	X(EVP_get_digestbyname) \
	X(i2d_PUBKEY) \
	X(CRYPTO_free) \
	X(EVP_PKEY_is_a) \
	X(EVP_PKEY_get_utf8_string_param) \
	X(BIO_new_mem_buf) \
	X(PEM_read_bio_PUBKEY) \
	X(BIO_free) \
	X(EVP_PKEY_free) \
	X(EVP_PKEY_Q_keygen) \
	X(BIO_new) \
	X(BIO_s_mem) \
	X(PEM_write_bio_PrivateKey) \
	X(PEM_write_bio_PUBKEY) \
	X(BIO_ctrl) \
	X(EVP_MD_CTX_new) \
	X(EVP_MD_CTX_free) \
	X(PEM_read_bio_PrivateKey) \
	X(EVP_DigestSignInit) \
	X(EVP_DigestSign) \
	X(EVP_EncodeBlock) \
	X(EVP_DigestInit_ex) \
	X(EVP_DigestUpdate) \
	X(EVP_DigestFinal_ex) \
	X(EVP_ENCODE_CTX_new) \
	X(EVP_ENCODE_CTX_free) \
	X(EVP_DecodeInit) \
	X(EVP_DecodeUpdate) \
	X(EVP_DecodeFinal) \
	X(EVP_DigestVerifyInit) \
	X(EVP_DigestVerify) \
	X(EVP_PKEY_CTX_new) \
	X(EVP_PKEY_verify_init) \
	X(EVP_PKEY_CTX_set_signature_md) \
	X(EVP_PKEY_verify) \
	X(EVP_PKEY_CTX_free)

typedef DL_TABLE(CRYPTO_FUNCTIONS) trust_crypto_table;
extern trust_crypto_table trust_crypto;
#define C(f) (trust_crypto.f)

/* First 16 hex digits of sha256(DER SubjectPublicKeyInfo). */
void trust_key_id(EVP_PKEY *k, char out[17]);
/* Ed25519 or ECDSA P-256: the keys pylock signs and verifies with. */
bool trust_key_supported(EVP_PKEY *k);

/* The cache's sha256 for the file st describes, if it still matches. */
bool trust_cache_get(struct trust_cache *c, const struct stat *st, char hex[65]);
void trust_cache_put(struct trust_cache *c, const struct stat *st, const char hex[65]);

#endif
