/* What the sigstore module's files share: libcrypto's functions (loaded by
 * sigstore_init, typed by OpenSSL's headers), the trusted root and the
 * parsed evidence. Not for other modules. */
#ifndef PYLOCK_SIGSTORE_INTERNAL_H
#define PYLOCK_SIGSTORE_INTERNAL_H

#include <jansson.h>
#include <openssl/ct.h>
#include <openssl/ts.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "dl.h"
#include "sigstore.h"

#define SIGSTORE_CRYPTO(X) \
	X(ASN1_STRING_free) \
	X(ASN1_STRING_get0_data) \
	X(ASN1_STRING_length) \
	X(ASN1_TIME_to_tm) \
	X(ASN1_OBJECT_free) \
	X(BIO_free) \
	X(BIO_new_mem_buf) \
	X(CRYPTO_free) \
	X(EVP_Digest) \
	X(EVP_DigestVerify) \
	X(EVP_DigestVerifyInit) \
	X(EVP_MD_CTX_free) \
	X(EVP_MD_CTX_new) \
	X(EVP_PKEY_CTX_free) \
	X(EVP_PKEY_CTX_new) \
	X(EVP_PKEY_CTX_set_signature_md) \
	X(EVP_PKEY_free) \
	X(EVP_PKEY_get_bits) \
	X(EVP_PKEY_is_a) \
	X(EVP_PKEY_verify) \
	X(EVP_PKEY_verify_init) \
	X(EVP_sha256) \
	X(EVP_sha384) \
	X(EVP_sha512) \
	X(GENERAL_NAMES_free) \
	X(OBJ_txt2obj) \
	X(OPENSSL_sk_num) \
	X(OPENSSL_sk_value) \
	X(OPENSSL_sk_new_null) \
	X(OPENSSL_sk_push) \
	X(OPENSSL_sk_free) \
	X(PEM_read_bio_X509) \
	X(PEM_read_bio_PUBKEY) \
	X(i2d_PUBKEY) \
	X(SCT_LIST_free) \
	X(SCT_get0_extensions) \
	X(SCT_get0_log_id) \
	X(SCT_get0_signature) \
	X(SCT_get_timestamp) \
	X(SCT_get_version) \
	X(X509_STORE_CTX_free) \
	X(X509_STORE_CTX_get0_param) \
	X(X509_STORE_CTX_get_error) \
	X(X509_STORE_CTX_init) \
	X(X509_STORE_CTX_new) \
	X(X509_STORE_add_cert) \
	X(X509_STORE_free) \
	X(X509_STORE_new) \
	X(X509_VERIFY_PARAM_set_flags) \
	X(X509_VERIFY_PARAM_set_time) \
	X(X509_EXTENSION_get_data) \
	X(X509_EXTENSION_free) \
	X(X509_check_issued) \
	X(X509_up_ref) \
	X(X509_STORE_get0_param) \
	X(X509_ALGOR_get0) \
	X(OBJ_obj2nid) \
	X(ASN1_INTEGER_get) \
	X(d2i_TS_RESP) \
	X(TS_RESP_free) \
	X(TS_RESP_get_status_info) \
	X(TS_STATUS_INFO_get0_status) \
	X(TS_RESP_get_tst_info) \
	X(TS_TST_INFO_get_time) \
	X(TS_TST_INFO_get_msg_imprint) \
	X(TS_MSG_IMPRINT_get_msg) \
	X(TS_MSG_IMPRINT_get_algo) \
	X(TS_VERIFY_CTX_new) \
	X(TS_VERIFY_CTX_free) \
	X(TS_VERIFY_CTX_set_flags) \
	X(TS_VERIFY_CTX_set_store) \
	X(TS_VERIFY_CTX_set_certs) \
	X(TS_RESP_verify_response) \
	X(X509_check_ca) \
	X(X509_delete_ext) \
	X(X509_dup) \
	X(X509_free) \
	X(X509_get0_notAfter) \
	X(X509_get0_notBefore) \
	X(X509_get0_pubkey) \
	X(X509_get_X509_PUBKEY) \
	X(X509_get_ext) \
	X(X509_get_ext_by_NID) \
	X(X509_get_ext_by_OBJ) \
	X(X509_get_ext_d2i) \
	X(X509_get_extended_key_usage) \
	X(X509_get_extension_flags) \
	X(X509_get_key_usage) \
	X(X509_verify_cert) \
	X(X509_verify_cert_error_string) \
	X(d2i_ASN1_UTF8STRING) \
	X(d2i_PUBKEY) \
	X(d2i_X509) \
	X(i2d_X509) \
	X(i2d_X509_PUBKEY) \
	X(i2d_re_X509_tbs)

typedef DL_TABLE(SIGSTORE_CRYPTO) sigstore_crypto_table;
extern sigstore_crypto_table sigstore_crypto;
#define S(f) (sigstore_crypto.f)

/* A validity window of the trusted root: a key or CA is usable at t only
 * when start <= t and (no end or t <= end). No start: never usable. */
struct sigstore_window {
	bool has_start, has_end;
	int64_t start, end;
};

/* A transparency log or CT log: its id (sha256 of its DER key) and key. */
struct sigstore_log {
	unsigned char id[32];
	EVP_PKEY *pkey;
	struct sigstore_window valid;
};

struct sigstore_ca {
	X509 **certs;			/* as listed: issuing CA first, root last */
	size_t ncerts;
	struct sigstore_window valid;
	/* The issuing CA as the anchor of a store, once its chain up to the
	 * root was proved (sigstore_ca_prepare); NULL: the CA is unusable. */
	X509_STORE *store;
};

struct sigstore_root {
	unsigned char digest[32];	/* sha256 of its text: what verdicts are cached under */
	struct sigstore_log *tlogs, *ctlogs;
	size_t ntlogs, nctlogs;
	struct sigstore_ca *cas;
	size_t ncas;
	struct sigstore_ca *tsas;	/* timestamp authorities: the TSA's chain, leaf first */
	size_t ntsas;
	char date[32];
};

#define SIGSTORE_MAX_TIMESTAMPS 32

/* One transparency log entry of a bundle (Rekor v1). */
struct sigstore_entry {
	int64_t log_index;
	unsigned char log_id[32];
	char kind[32], version[16];
	bool has_time;
	int64_t integrated_time;
	unsigned char *set;		/* signed entry timestamp, NULL when none */
	size_t set_len;
	bool has_proof;
	int64_t proof_index, tree_size;
	unsigned char root_hash[32];
	unsigned char (*hashes)[32];
	size_t nhashes;
	char *checkpoint;		/* NULL when none */
	unsigned char *body;		/* the canonicalized body */
	size_t body_len;
};

/* A bundle, or a PEP 740 attestation read as the v0.3 bundle it stands for. */
struct sigstore_bundle {
	int minor;			/* media type version 0.MINOR */
	bool pep740;			/* its statement must name exactly the file */
	unsigned char *cert;		/* the leaf certificate (DER); NULL when keyed */
	size_t cert_len;
	bool keyed;			/* signed by a managed key (a public key hint) */
	bool dsse;
	unsigned char *payload;		/* DSSE */
	size_t payload_len;
	char *payload_type;
	size_t nsigs;
	unsigned char *sig;		/* the (first) signature, DSSE or message */
	size_t sig_len;
	bool has_digest;		/* message signature */
	unsigned char digest[32];
	struct sigstore_entry entry;
	size_t nentries;
	/* RFC 3161 signed timestamps (DER TimeStampResp), at most 32. */
	unsigned char *timestamps[SIGSTORE_MAX_TIMESTAMPS];
	size_t timestamp_len[SIGSTORE_MAX_TIMESTAMPS];
	size_t ntimestamps;
};

/* A verdict's failure: ok false, the reason formatted. Returns -1. */
int sigstore_fail(struct sigstore_verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The base64 string o[key] decoded (at most max bytes) into *out (NULL
 * when absent or not base64: -1). */
int sigstore_json_b64(json_t *o, const char *key, size_t max, unsigned char **out, size_t *len);

/* sigstore-bundle.c: the three forms of evidence. Each returns -1 with the
 * verdict's reason when the document is not one. For provenance, every
 * attestation comes out as a bundle with its publisher's claims. */
struct sigstore_publisher {
	char kind[16], repository[256], workflow[256], email[256];
};
struct sigstore_evidence {
	struct sigstore_bundle bundles[SIGSTORE_MAX_SIGNERS];
	struct sigstore_publisher publishers[SIGSTORE_MAX_SIGNERS];
	bool has_publisher[SIGSTORE_MAX_SIGNERS];
	size_t n;
};
int sigstore_evidence_parse(enum sigstore_form form, const char *doc, size_t len, struct sigstore_evidence *e,
			    struct sigstore_verdict *v);
void sigstore_evidence_free(struct sigstore_evidence *e);

/* sigstore-root.c: the usable log of id at time t, or NULL. */
const struct sigstore_log *sigstore_root_log(const struct sigstore_log *logs, size_t n, const unsigned char id[32],
					     int64_t t);
bool sigstore_window_covers(const struct sigstore_window *w, int64_t t);
/* RFC 3339 to Unix seconds; -1 when not a date-time. */
int sigstore_parse_time(const char *s, int64_t *t);

/* sigstore-log.c: the entry's signed entry timestamp, Merkle inclusion
 * proof and checkpoint, and its body against the bundle (and key, for a
 * keyed one: NULL otherwise). */
int sigstore_log_verify_set(const struct sigstore_root *root, const struct sigstore_entry *e,
			    struct sigstore_verdict *v);
/* t: when the log's key must have been valid (the integrated time). */
int sigstore_log_verify_inclusion(const struct sigstore_root *root, const struct sigstore_entry *e, int64_t t,
				  struct sigstore_verdict *v);
int sigstore_log_verify_body(const struct sigstore_bundle *b, EVP_PKEY *key, const unsigned char artifact_sha256[32],
			     struct sigstore_verdict *v);

/* sigstore-time.c: an RFC 3161 signed timestamp over the signature sig,
 * by a timestamp authority of the root valid at the time it gives; 0 with
 * *t that time. */
int sigstore_timestamp_verify(const struct sigstore_root *root, const unsigned char *der, size_t len,
			      const unsigned char *sig, size_t siglen, int64_t *t, struct sigstore_verdict *v);

/* sigstore-cert.c: the leaf against the root at every signed time, its
 * SCT and usage; the signer's identity. */
int sigstore_cert_verify(const struct sigstore_root *root, X509 *leaf, const int64_t *times, size_t ntimes,
			 struct sigstore_verdict *v);
/* Proves ca's chain from its issuing CA to its self-signed root once (CA
 * constraints and signatures; times are checked per signing time), so that
 * a signature needs only its leaf's checked. */
void sigstore_ca_prepare(struct sigstore_ca *ca);
/* A certificate's validity bound as Unix seconds (-1: unreadable). */
int64_t sigstore_asn1_time(const ASN1_TIME *t);
void sigstore_cert_signer(X509 *leaf, struct sigstore_signer *s);

/* DSSE's pre-authentication encoding of a bundle's envelope. */
void sigstore_pae(const struct sigstore_bundle *b, struct util_buf *out);

/* A signature by key over data: ECDSA (digest by curve size), RSA
 * (SHA-256) or Ed25519. */
bool sigstore_signature_ok(EVP_PKEY *key, const unsigned char *sig, size_t siglen, const unsigned char *data,
			   size_t len);

#endif
