/* sigstore's common ground: libcrypto loaded on first use, the trusted
 * root (trusted_root.json), validity windows and signatures. */
#include "config.h"
#include "sigstore.h"

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sigstore-internal.h"
#include "sigstore-trusted-root.h"

sigstore_crypto_table sigstore_crypto;

static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;
static const char *crypto_error;

static void load_crypto(void)
{
	crypto_error = DL_LOAD(LIBCRYPTO_SONAME, SIGSTORE_CRYPTO, sigstore_crypto);
}

int sigstore_init(struct pl_error *err)
{
	pthread_once(&crypto_once, load_crypto);
	if (crypto_error)
		return pl_error_set(err, NULL, 0, 0, "cannot load libcrypto (%s): %s", LIBCRYPTO_SONAME, crypto_error);
	return 0;
}

int sigstore_fail(struct sigstore_verdict *v, const char *fmt, ...)
{
	va_list ap;

	v->ok = false;
	va_start(ap, fmt);
	vsnprintf(v->reason, sizeof(v->reason), fmt, ap);
	va_end(ap);
	return -1;
}

int sigstore_parse_time(const char *s, int64_t *t)
{
	struct tm tm = { 0 };
	int off = 0, n = 0;
	const char *p;

	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
			 &tm.tm_min, &tm.tm_sec, &n) != 6 || n != 19)
		return -1;
	p = s + n;
	if (*p == '.') {
		/* Fractions of a second: the windows are compared in seconds. */
		if (!(p[1] >= '0' && p[1] <= '9'))
			return -1;
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	if ((*p == 'Z' || *p == 'z') && !p[1])
		off = 0;
	else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		int h, m;
		if (sscanf(p + 1, "%2d:%2d", &h, &m) != 2 || h > 23 || m > 59)
			return -1;
		off = (h * 60 + m) * 60 * (*p == '-' ? -1 : 1);
	} else
		return -1;
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*t = (int64_t)timegm(&tm) - off;
	return 0;
}

bool sigstore_window_covers(const struct sigstore_window *w, int64_t t)
{
	return w->has_start && t >= w->start && (!w->has_end || t <= w->end);
}

const struct sigstore_log *sigstore_root_log(const struct sigstore_log *logs, size_t n, const unsigned char id[32],
					     int64_t t)
{
	for (size_t i = 0; i < n; i++)
		if (!memcmp(logs[i].id, id, 32) && logs[i].pkey && sigstore_window_covers(&logs[i].valid, t))
			return &logs[i];
	return NULL;
}

bool sigstore_signature_ok(EVP_PKEY *key, const unsigned char *sig, size_t siglen, const unsigned char *data,
			   size_t len)
{
	const EVP_MD *md = NULL;
	EVP_MD_CTX *ctx;
	bool ok;

	if (!key)
		return false;
	if (S(EVP_PKEY_is_a)(key, "EC")) {
		int bits = S(EVP_PKEY_get_bits)(key);
		md = bits > 384 ? S(EVP_sha512)() : bits > 256 ? S(EVP_sha384)() : S(EVP_sha256)();
	} else if (S(EVP_PKEY_is_a)(key, "RSA"))
		md = S(EVP_sha256)();
	else if (!S(EVP_PKEY_is_a)(key, "ED25519"))
		return false;
	if (!(ctx = S(EVP_MD_CTX_new)()))
		return false;
	ok = S(EVP_DigestVerifyInit)(ctx, NULL, md, NULL, key) == 1 &&
	     S(EVP_DigestVerify)(ctx, sig, siglen, data, len) == 1;
	S(EVP_MD_CTX_free)(ctx);
	return ok;
}

/* ---- trusted_root.json ---- */

static int root_fail(struct pl_error *err, const char *name, const char *what, size_t i, const char *why)
{
	return pl_error_set(err, name, 0, 0, "%s[%zu]: %s", what, i, why);
}

static int read_window(json_t *o, struct sigstore_window *w)
{
	json_t *valid = json_object_get(o, "validFor"), *start, *end;

	memset(w, 0, sizeof(*w));
	if (!valid)
		return 0;
	if (!json_is_object(valid))
		return -1;
	start = json_object_get(valid, "start");
	end = json_object_get(valid, "end");
	if ((start && sigstore_parse_time(json_string_value(start), &w->start) < 0) ||
	    (end && sigstore_parse_time(json_string_value(end), &w->end) < 0))
		return -1;
	w->has_start = start != NULL;
	w->has_end = end != NULL;
	return 0;
}

static int read_logs(json_t *arr, const char *what, const char *name, struct sigstore_log **out, size_t *n,
		     struct pl_error *err)
{
	size_t i;
	json_t *o;

	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return pl_error_set(err, name, 0, 0, "%s must be an array", what);
	*out = util_xcalloc(json_array_size(arr) + 1, sizeof(**out));
	json_array_foreach(arr, i, o) {
		struct sigstore_log *l = &(*out)[(*n)++];
		unsigned char *raw = NULL, *id = NULL;
		size_t rawlen, idlen;
		json_t *pk = json_object_get(o, "publicKey");

		if (!json_is_object(o) || !json_is_object(pk) || read_window(pk, &l->valid) < 0)
			return root_fail(err, name, what, i, "needs a publicKey with a valid validFor");
		if (sigstore_json_b64(json_object_get(o, "logId"), "keyId", 64, &id, &idlen) < 0 || idlen != 32) {
			free(id);
			return root_fail(err, name, what, i, "needs a 32-byte logId.keyId");
		}
		memcpy(l->id, id, 32);
		free(id);
		/* A key OpenSSL cannot read is left out: nothing verifies with it. */
		if (sigstore_json_b64(pk, "rawBytes", 65536, &raw, &rawlen) == 0) {
			const unsigned char *p = raw;
			l->pkey = S(d2i_PUBKEY)(NULL, &p, (long)rawlen);
		}
		free(raw);
	}
	return 0;
}

/* Certificate authorities (Fulcio's, proved up to their root once) or
 * timestamp authorities. */
static int read_cas(json_t *arr, const char *what, const char *name, struct sigstore_ca **out, size_t *n,
		    struct pl_error *err)
{
	size_t i, k;
	json_t *o, *c;

	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return pl_error_set(err, name, 0, 0, "%s must be an array", what);
	*out = util_xcalloc(json_array_size(arr) + 1, sizeof(**out));
	json_array_foreach(arr, i, o) {
		struct sigstore_ca *ca = &(*out)[(*n)++];
		json_t *certs = json_object_get(json_object_get(o, "certChain"), "certificates");

		if (!json_is_object(o) || read_window(o, &ca->valid) < 0 || !json_is_array(certs) ||
		    !json_array_size(certs))
			return root_fail(err, name, what, i, "needs a certChain of certificates and a valid validFor");
		ca->certs = util_xcalloc(json_array_size(certs), sizeof(*ca->certs));
		json_array_foreach(certs, k, c) {
			unsigned char *der = NULL;
			size_t len;
			const unsigned char *p;

			if (sigstore_json_b64(c, "rawBytes", 65536, &der, &len) < 0)
				return root_fail(err, name, what, i, "a certificate is not base64");
			p = der;
			ca->certs[ca->ncerts] = S(d2i_X509)(NULL, &p, (long)len);
			free(der);
			if (!ca->certs[ca->ncerts++])
				return root_fail(err, name, what, i, "a certificate is not DER X.509");
		}
		if (!strcmp(what, "certificateAuthorities"))
			sigstore_ca_prepare(ca);
	}
	return 0;
}

static void note_date(struct sigstore_root *r, const struct sigstore_window *w)
{
	struct tm tm;
	time_t t;
	char buf[32];

	if (!w->has_start)
		return;
	t = (time_t)w->start;
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (strcmp(buf, r->date) > 0)
		snprintf(r->date, sizeof(r->date), "%s", buf);
}

int sigstore_root_parse(const char *text, size_t len, const char *name, struct sigstore_root **out,
			struct pl_error *err)
{
	struct sigstore_root *r;
	json_error_t jerr;
	json_t *doc;
	const char *media;
	int rc = -1;

	if (sigstore_init(err) < 0)
		return -1;
	if (len > SIGSTORE_MAX_DOC)
		return pl_error_set(err, name, 0, 0, "larger than %u bytes", SIGSTORE_MAX_DOC);
	if (!(doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr)))
		return pl_error_set(err, name, jerr.line, jerr.column, "not JSON: %s", jerr.text);
	r = util_xcalloc(1, sizeof(*r));
	S(EVP_Digest)(text, len, r->digest, NULL, S(EVP_sha256)(), NULL);
	media = json_string_value(json_object_get(doc, "mediaType"));
	if (!media || strncmp(media, "application/vnd.dev.sigstore.trustedroot", 40)) {
		pl_error_set(err, name, 0, 0, "not a Sigstore trusted root (mediaType %s)", media ? media : "missing");
		goto done;
	}
	if (read_logs(json_object_get(doc, "tlogs"), "tlogs", name, &r->tlogs, &r->ntlogs, err) < 0 ||
	    read_logs(json_object_get(doc, "ctlogs"), "ctlogs", name, &r->ctlogs, &r->nctlogs, err) < 0 ||
	    read_cas(json_object_get(doc, "certificateAuthorities"), "certificateAuthorities", name, &r->cas, &r->ncas,
		     err) < 0 ||
	    read_cas(json_object_get(doc, "timestampAuthorities"), "timestampAuthorities", name, &r->tsas, &r->ntsas,
		     err) < 0)
		goto done;
	for (size_t i = 0; i < r->ntlogs; i++)
		note_date(r, &r->tlogs[i].valid);
	for (size_t i = 0; i < r->nctlogs; i++)
		note_date(r, &r->ctlogs[i].valid);
	for (size_t i = 0; i < r->ncas; i++)
		note_date(r, &r->cas[i].valid);
	rc = 0;
done:
	json_decref(doc);
	if (rc < 0)
		sigstore_root_free(r);
	else
		*out = r;
	return rc;
}

int sigstore_root_load(const char *path, struct sigstore_root **out, struct pl_error *err)
{
	char *text;
	size_t len;
	int rc;

	if (util_read_file(path, SIGSTORE_MAX_DOC, &text, &len, err) < 0)
		return -1;
	rc = sigstore_root_parse(text, len, path, out, err);
	free(text);
	return rc;
}

static void free_logs(struct sigstore_log *logs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		S(EVP_PKEY_free)(logs[i].pkey);
	free(logs);
}

static void free_cas(struct sigstore_ca *cas, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < cas[i].ncerts; k++)
			S(X509_free)(cas[i].certs[k]);
		free(cas[i].certs);
		S(X509_STORE_free)(cas[i].store);
	}
	free(cas);
}

void sigstore_root_free(struct sigstore_root *r)
{
	if (!r)
		return;
	free_logs(r->tlogs, r->ntlogs);
	free_logs(r->ctlogs, r->nctlogs);
	free_cas(r->cas, r->ncas);
	free_cas(r->tsas, r->ntsas);
	free(r);
}

static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;
static struct sigstore_root *builtin;
static struct pl_error builtin_err;

static void load_builtin(void)
{
	sigstore_root_parse((const char *)sigstore_builtin_root, sizeof(sigstore_builtin_root),
			    "the built-in trusted root", &builtin, &builtin_err);
}

const struct sigstore_root *sigstore_root_builtin(struct pl_error *err)
{
	pthread_once(&builtin_once, load_builtin);
	if (!builtin)
		*err = builtin_err;
	return builtin;
}

const char *sigstore_root_date(const struct sigstore_root *r)
{
	return r->date;
}
