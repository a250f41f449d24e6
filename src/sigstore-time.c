/* RFC 3161 signed timestamps (Rekor v2's signed time, and a second source
 * beside Rekor v1's): a timestamp authority of the trusted root, valid at
 * the time the token gives, signed a token whose message imprint is the
 * sha256 of the bundle's signature. */
#include "config.h"
#include "sigstore.h"

#include <string.h>

#include "sigstore-internal.h"

/* The token's signature and its signer's chain, up to the TSA's root, at
 * time t (the TSA's certificates must have been valid when it signed). */
static bool signed_by(const struct sigstore_ca *tsa, TS_RESP *resp, int64_t t)
{
	X509_STORE *store = S(X509_STORE_new)();
	OPENSSL_STACK *certs = S(OPENSSL_sk_new_null)();
	TS_VERIFY_CTX *ctx = S(TS_VERIFY_CTX_new)();
	bool ok = false;

	if (!store || !certs || !ctx) {
		S(X509_STORE_free)(store);
		S(OPENSSL_sk_free)(certs);
		S(TS_VERIFY_CTX_free)(ctx);
		return false;
	}
	S(X509_STORE_add_cert)(store, tsa->certs[tsa->ncerts - 1]);
	for (size_t i = 0; i + 1 < tsa->ncerts; i++)
		if (S(X509_up_ref)(tsa->certs[i]) == 1)
			S(OPENSSL_sk_push)(certs, tsa->certs[i]);
	X509_VERIFY_PARAM *param = S(X509_STORE_get0_param)(store);
	S(X509_VERIFY_PARAM_set_time)(param, (time_t)t);
	/* The context owns the store and the stack from here on. */
	S(TS_VERIFY_CTX_set_flags)(ctx, TS_VFY_SIGNATURE);
	S(TS_VERIFY_CTX_set_store)(ctx, store);
	S(TS_VERIFY_CTX_set_certs)(ctx, (STACK_OF(X509) *)certs);
	ok = S(TS_RESP_verify_response)(ctx, resp) == 1;
	S(TS_VERIFY_CTX_free)(ctx);
	return ok;
}

int sigstore_timestamp_verify(const struct sigstore_root *root, const unsigned char *der, size_t len,
			      const unsigned char *sig, size_t siglen, int64_t *t, struct sigstore_verdict *v)
{
	const unsigned char *p = der;
	TS_RESP *resp = S(d2i_TS_RESP)(NULL, &p, (long)len);
	TS_TST_INFO *info = resp ? S(TS_RESP_get_tst_info)(resp) : NULL;
	unsigned char want[32];
	const ASN1_OBJECT *algo = NULL;
	int rc = -1;

	if (!resp || p != der + len || !info) {
		sigstore_fail(v, "a signed timestamp is not an RFC 3161 response with a token");
		goto done;
	}
	long status = S(ASN1_INTEGER_get)(S(TS_STATUS_INFO_get0_status)(S(TS_RESP_get_status_info)(resp)));
	if (status != 0 && status != 1) {
		sigstore_fail(v, "a signed timestamp's status is not granted");
		goto done;
	}
	TS_MSG_IMPRINT *imprint = S(TS_TST_INFO_get_msg_imprint)(info);
	ASN1_OCTET_STRING *digest = S(TS_MSG_IMPRINT_get_msg)(imprint);
	S(X509_ALGOR_get0)(&algo, NULL, NULL, S(TS_MSG_IMPRINT_get_algo)(imprint));
	S(EVP_Digest)(sig, siglen, want, NULL, S(EVP_sha256)(), NULL);
	if (S(OBJ_obj2nid)(algo) != NID_sha256 || S(ASN1_STRING_length)(digest) != 32 ||
	    memcmp(S(ASN1_STRING_get0_data)(digest), want, 32)) {
		sigstore_fail(v, "a signed timestamp is for another signature");
		goto done;
	}
	if ((*t = sigstore_asn1_time(S(TS_TST_INFO_get_time)(info))) < 0) {
		sigstore_fail(v, "a signed timestamp has no readable time");
		goto done;
	}
	for (size_t i = 0; i < root->ntsas && rc < 0; i++)
		if (sigstore_window_covers(&root->tsas[i].valid, *t) && signed_by(&root->tsas[i], resp, *t))
			rc = 0;
	if (rc < 0)
		sigstore_fail(v, "a signed timestamp is not by a timestamp authority of the trusted root valid at its time");
done:
	S(TS_RESP_free)(resp);
	return rc;
}
