/* The signing certificate: its chain to a Fulcio CA of the trusted root at
 * the signed time (never now: Fulcio certificates live ten minutes), key
 * usage and code signing, its embedded SCT from a CT log of the root
 * (RFC 6962, 3.2: the precertificate's TBS without the SCT list), and the
 * signer's identity from Fulcio's extensions. */
#include "config.h"
#include "sigstore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sigstore-internal.h"

int64_t sigstore_asn1_time(const ASN1_TIME *t)
{
	struct tm tm;

	if (!t || S(ASN1_TIME_to_tm)(t, &tm) != 1)
		return -1;
	return (int64_t)timegm(&tm);
}

void sigstore_ca_prepare(struct sigstore_ca *ca)
{
	X509_STORE *store = S(X509_STORE_new)();
	X509_STORE_CTX *ctx = S(X509_STORE_CTX_new)();
	OPENSSL_STACK *middle = S(OPENSSL_sk_new_null)();
	bool ok = false;

	if (!store || !ctx || !middle || !ca->ncerts || S(X509_check_ca)(ca->certs[0]) <= 0)
		goto done;
	for (size_t i = 1; i + 1 < ca->ncerts; i++)
		S(OPENSSL_sk_push)(middle, ca->certs[i]);
	S(X509_STORE_add_cert)(store, ca->certs[ca->ncerts - 1]);
	if (ca->ncerts == 1)
		ok = S(X509_check_issued)(ca->certs[0], ca->certs[0]) == X509_V_OK;
	else if (S(X509_STORE_CTX_init)(ctx, store, ca->certs[0], (STACK_OF(X509) *)middle) == 1) {
		S(X509_VERIFY_PARAM_set_flags)(S(X509_STORE_CTX_get0_param)(ctx),
					       X509_V_FLAG_X509_STRICT | X509_V_FLAG_NO_CHECK_TIME);
		ok = S(X509_verify_cert)(ctx) == 1;
	}
done:
	S(OPENSSL_sk_free)(middle);
	S(X509_STORE_CTX_free)(ctx);
	S(X509_STORE_free)(store);
	if (!ok || !(ca->store = S(X509_STORE_new)()))
		return;
	S(X509_STORE_add_cert)(ca->store, ca->certs[0]);
}

/* Whether leaf chains to ca at t: its signature by the issuing CA (whose
 * chain to the root is proved), every certificate of the chain valid at t
 * (X509_STRICT, as sigstore-python). */
static bool chain_at(const struct sigstore_ca *ca, X509 *leaf, int64_t t, int *error)
{
	X509_STORE_CTX *ctx;
	bool ok = false;

	if (!ca->store)
		return false;
	for (size_t i = 0; i < ca->ncerts; i++)
		if (t < sigstore_asn1_time(S(X509_get0_notBefore)(ca->certs[i])) || t > sigstore_asn1_time(S(X509_get0_notAfter)(ca->certs[i]))) {
			*error = X509_V_ERR_CERT_HAS_EXPIRED;
			return false;
		}
	if (!(ctx = S(X509_STORE_CTX_new)()))
		return false;
	if (S(X509_STORE_CTX_init)(ctx, ca->store, leaf, NULL) == 1) {
		X509_VERIFY_PARAM *param = S(X509_STORE_CTX_get0_param)(ctx);
		S(X509_VERIFY_PARAM_set_time)(param, (time_t)t);
		S(X509_VERIFY_PARAM_set_flags)(param, X509_V_FLAG_X509_STRICT | X509_V_FLAG_PARTIAL_CHAIN);
		ok = S(X509_verify_cert)(ctx) == 1;
		if (!ok)
			*error = S(X509_STORE_CTX_get_error)(ctx);
	}
	S(X509_STORE_CTX_free)(ctx);
	return ok;
}

static void put24(struct util_buf *b, size_t n)
{
	unsigned char len[3] = { (unsigned char)(n >> 16), (unsigned char)(n >> 8), (unsigned char)n };

	util_buf_add(b, len, 3);
}

/* RFC 6962's digitally-signed data of an SCT over a precertificate. */
static bool sct_signed_data(const SCT *sct, X509 *leaf, X509 *issuer, struct util_buf *out)
{
	unsigned char head[12], key_hash[32], *spki = NULL, *tbs = NULL, *ext;
	X509 *pre = S(X509_dup)(leaf);
	uint64_t ts = S(SCT_get_timestamp)(sct);
	size_t extlen = S(SCT_get0_extensions)(sct, &ext);
	int n, at;
	bool ok = false;

	if (!pre)
		return false;
	/* The precertificate is the certificate without its SCT list. */
	while ((at = S(X509_get_ext_by_NID)(pre, NID_ct_precert_scts, -1)) >= 0)
		S(X509_EXTENSION_free)(S(X509_delete_ext)(pre, at));
	n = S(i2d_X509_PUBKEY)(S(X509_get_X509_PUBKEY)(issuer), &spki);
	if (n <= 0)
		goto done;
	S(EVP_Digest)(spki, (size_t)n, key_hash, NULL, S(EVP_sha256)(), NULL);
	if ((n = S(i2d_re_X509_tbs)(pre, &tbs)) <= 0 || n >= (1 << 24) || extlen >= (1u << 16))
		goto done;
	head[0] = 0;	/* v1 */
	head[1] = 0;	/* certificate_timestamp */
	for (int i = 0; i < 8; i++)
		head[2 + i] = (unsigned char)(ts >> (56 - 8 * i));
	head[10] = 0;	/* precert_entry */
	head[11] = 1;
	util_buf_add(out, head, sizeof(head));
	util_buf_add(out, key_hash, 32);
	put24(out, (size_t)n);
	util_buf_add(out, tbs, (size_t)n);
	util_buf_putc(out, (char)(extlen >> 8));
	util_buf_putc(out, (char)extlen);
	util_buf_add(out, ext, extlen);
	ok = true;
done:
	S(CRYPTO_free)(spki, __FILE__, __LINE__);
	S(CRYPTO_free)(tbs, __FILE__, __LINE__);
	S(X509_free)(pre);
	return ok;
}

/* At least one embedded SCT by a CT log of the root, valid when it was
 * made, must verify. */
static int verify_sct(const struct sigstore_root *root, X509 *leaf, X509 *issuer, struct sigstore_verdict *v)
{
	OPENSSL_STACK *scts = S(X509_get_ext_d2i)(leaf, NID_ct_precert_scts, NULL, NULL);
	bool verified = false;
	int n = scts ? S(OPENSSL_sk_num)(scts) : 0;

	for (int i = 0; i < n && !verified; i++) {
		const SCT *sct = S(OPENSSL_sk_value)(scts, i);
		unsigned char *id, *sig;
		size_t idlen = S(SCT_get0_log_id)(sct, &id), siglen = S(SCT_get0_signature)(sct, &sig);
		const struct sigstore_log *log;
		struct util_buf data = UTIL_BUF_INIT;

		if (S(SCT_get_version)(sct) != SCT_VERSION_V1 || idlen != 32 ||
		    !(log = sigstore_root_log(root->ctlogs, root->nctlogs, id,
					      (int64_t)(S(SCT_get_timestamp)(sct) / 1000))))
			continue;
		verified = sct_signed_data(sct, leaf, issuer, &data) &&
			   sigstore_signature_ok(log->pkey, sig, siglen, (const unsigned char *)data.data, data.len);
		util_buf_free(&data);
	}
	S(SCT_LIST_free)((STACK_OF(SCT) *)scts);
	if (!n)
		return sigstore_fail(v, "the certificate has no SCT");
	return verified ? 0 : sigstore_fail(v, "no SCT of the certificate verifies against a CT log of the trusted root");
}

/* The issuing CA of leaf at t: the first CA of the root, valid then, to
 * which it chains then; NULL with *error. */
static X509 *issuer_at(const struct sigstore_root *root, X509 *leaf, int64_t t, int *error)
{
	for (size_t i = 0; i < root->ncas; i++)
		if (sigstore_window_covers(&root->cas[i].valid, t) && chain_at(&root->cas[i], leaf, t, error))
			return root->cas[i].certs[0];
	return NULL;
}

int sigstore_cert_verify(const struct sigstore_root *root, X509 *leaf, const int64_t *times, size_t ntimes,
			 struct sigstore_verdict *v)
{
	X509 *issuer = NULL;
	int error = 0;
	uint32_t flags = S(X509_get_extension_flags)(leaf);
	int64_t not_before = sigstore_asn1_time(S(X509_get0_notBefore)(leaf)), not_after = sigstore_asn1_time(S(X509_get0_notAfter)(leaf));

	/* The chain holds at every signed time; what does not depend on the
	 * time (usage, the SCT) is checked once. */
	for (size_t i = 0; i < ntimes; i++) {
		if (times[i] < not_before || times[i] > not_after)
			return sigstore_fail(v, "the certificate was not valid at the signed time");
		if (!(issuer = issuer_at(root, leaf, times[i], &error)))
			return sigstore_fail(v, "the certificate does not chain to a Fulcio CA of the trusted root at the "
					     "signed time%s%s", error ? ": " : "",
					     error ? S(X509_verify_cert_error_string)(error) : "");
	}
	if (!issuer)
		return sigstore_fail(v, "no signed time to check the certificate at");
	if (S(X509_check_ca)(leaf))
		return sigstore_fail(v, "the signing certificate is a CA's");
	if (!(flags & EXFLAG_KUSAGE) || !(S(X509_get_key_usage)(leaf) & KU_DIGITAL_SIGNATURE))
		return sigstore_fail(v, "the certificate's key usage is not digital signature");
	if (!(flags & EXFLAG_XKUSAGE) || !(S(X509_get_extended_key_usage)(leaf) & XKU_CODE_SIGN))
		return sigstore_fail(v, "the certificate is not for code signing");
	return verify_sct(root, leaf, issuer, v);
}

/* The contents of extension oid: a DER UTF8String (OIDs .8 and up) or, for
 * Fulcio's first extensions, raw bytes. */
static void extension(X509 *x, const char *oid, bool der_string, char *out, size_t size)
{
	ASN1_OBJECT *obj = S(OBJ_txt2obj)(oid, 1);
	int at = obj ? S(X509_get_ext_by_OBJ)(x, obj, -1) : -1;
	ASN1_OCTET_STRING *data = at >= 0 ? S(X509_EXTENSION_get_data)(S(X509_get_ext)(x, at)) : NULL;

	out[0] = '\0';
	S(ASN1_OBJECT_free)(obj);
	if (!data)
		return;
	const unsigned char *p = S(ASN1_STRING_get0_data)(data);
	int len = S(ASN1_STRING_length)(data);
	if (der_string) {
		ASN1_UTF8STRING *s = S(d2i_ASN1_UTF8STRING)(NULL, &p, len);
		if (s && (size_t)S(ASN1_STRING_length)(s) < size && !memchr(S(ASN1_STRING_get0_data)(s), 0, (size_t)S(ASN1_STRING_length)(s)))
			snprintf(out, size, "%.*s", S(ASN1_STRING_length)(s), (const char *)S(ASN1_STRING_get0_data)(s));
		S(ASN1_STRING_free)(s);
	} else if ((size_t)len < size && !memchr(p, 0, (size_t)len))
		snprintf(out, size, "%.*s", len, (const char *)p);
}

void sigstore_cert_signer(X509 *leaf, struct sigstore_signer *s)
{
	GENERAL_NAMES *names = S(X509_get_ext_d2i)(leaf, NID_subject_alt_name, NULL, NULL);
	int n = names ? S(OPENSSL_sk_num)((const OPENSSL_STACK *)names) : 0;

	memset(s, 0, sizeof(*s));
	s->key = -1;
	for (int i = 0; i < n && !s->san[0]; i++) {
		const GENERAL_NAME *g = S(OPENSSL_sk_value)((const OPENSSL_STACK *)names, i);
		const ASN1_IA5STRING *str = g->type == GEN_URI ? g->d.uniformResourceIdentifier
					    : g->type == GEN_EMAIL ? g->d.rfc822Name : NULL;
		/* A name with a NUL in it would read as a shorter one: none. */
		if (str && (size_t)S(ASN1_STRING_length)(str) < sizeof(s->san) &&
		    !memchr(S(ASN1_STRING_get0_data)(str), 0, (size_t)S(ASN1_STRING_length)(str)))
			snprintf(s->san, sizeof(s->san), "%.*s", S(ASN1_STRING_length)(str),
				 (const char *)S(ASN1_STRING_get0_data)(str));
	}
	S(GENERAL_NAMES_free)(names);
	extension(leaf, "1.3.6.1.4.1.57264.1.8", true, s->issuer, sizeof(s->issuer));
	if (!s->issuer[0])
		extension(leaf, "1.3.6.1.4.1.57264.1.1", false, s->issuer, sizeof(s->issuer));
	extension(leaf, "1.3.6.1.4.1.57264.1.12", true, s->repository, sizeof(s->repository));
	extension(leaf, "1.3.6.1.4.1.57264.1.13", true, s->source_digest, sizeof(s->source_digest));
	extension(leaf, "1.3.6.1.4.1.57264.1.14", true, s->source_ref, sizeof(s->source_ref));
	extension(leaf, "1.3.6.1.4.1.57264.1.18", true, s->build_config, sizeof(s->build_config));
}
