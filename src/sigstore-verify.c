/* Verification of evidence for one file, in sigstore-python's order: a
 * signed time, the chain at that time, the SCT and usage, the log entry's
 * proof, the signature, the entry's body, then the artifact binding (PEP
 * 740: exactly one subject naming this very distribution). And who the
 * signer is, matched against what a lock or the policy asks for. */
#include "config.h"
#include "sigstore.h"

#include <ctype.h>
#include <jansson.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pep440.h"
#include "pep508.h"
#include "sigstore-internal.h"

#define INTOTO_TYPE "application/vnd.in-toto+json"
#define STATEMENT_V1 "https://in-toto.io/Statement/v1"
#define STATEMENT_V01 "https://in-toto.io/Statement/v0.1"

const struct sigstore_suffix sigstore_suffixes[] = {
	{ ".provenance", SIGSTORE_PROVENANCE },
	{ ".publish.attestation", SIGSTORE_ATTESTATION },
	{ ".attestation", SIGSTORE_ATTESTATION },
	{ ".sigstore.json", SIGSTORE_BUNDLE },
	{ ".sigstore", SIGSTORE_BUNDLE },
};
const size_t sigstore_nsuffixes = sizeof(sigstore_suffixes) / sizeof(sigstore_suffixes[0]);

/* ---- distribution file names, "ultranormalized" as pypi-attestations
 * compares them: name and version normalised, each tag set sorted ---- */

static int compare_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A compressed tag set ("cp312.cp311"): lower case, deduplicated, sorted. */
static bool norm_tags(const char *tags, struct util_buf *out)
{
	char buf[256], *parts[32], *save = NULL;
	size_t n = 0;

	if (!*tags || strlen(tags) >= sizeof(buf))
		return false;
	for (size_t i = 0; tags[i]; i++)
		buf[i] = (char)tolower((unsigned char)tags[i]);
	buf[strlen(tags)] = '\0';
	for (char *t = strtok_r(buf, ".", &save); t; t = strtok_r(NULL, ".", &save)) {
		if (n == 32)
			return false;
		parts[n++] = t;
	}
	if (!n)
		return false;
	qsort(parts, n, sizeof(parts[0]), compare_str);
	for (size_t i = 0; i < n; i++)
		if (!i || strcmp(parts[i], parts[i - 1]))
			util_buf_printf(out, "%s%s", i ? "." : "", parts[i]);
	return true;
}

static bool norm_name_version(const char *name, const char *version, struct util_buf *out)
{
	char norm[PEP508_MAX_NAME], ver[128];
	struct pep440_version pv;
	const char *why;

	if (strlen(name) >= sizeof(norm) || !pep508_valid_name(name) || pep440_parse(version, &pv, &why) < 0)
		return false;
	pep508_normalize_name(name, norm);
	for (char *c = norm; *c; c++)
		if (*c == '-')
			*c = '_';
	pep440_format(&pv, ver, sizeof(ver));
	util_buf_printf(out, "%s-%s", norm, ver);
	return true;
}

static bool ultranormalize(const char *file, struct util_buf *out)
{
	char buf[512], *parts[7];
	size_t len = strlen(file), n = 0;
	const char *ext = NULL;
	bool ok;

	if (len >= sizeof(buf))
		return false;
	if (len > 4 && !strcmp(file + len - 4, ".whl")) {
		char *save = NULL;

		memcpy(buf, file, len - 4);
		buf[len - 4] = '\0';
		for (char *p = strtok_r(buf, "-", &save); p; p = strtok_r(NULL, "-", &save)) {
			if (n == 7)
				return false;
			parts[n++] = p;
		}
		/* name-version[-build]-python-abi-platform, nothing empty */
		if ((n != 5 && n != 6) || strstr(file, "--") || file[0] == '-')
			return false;
		if (n == 6 && !isdigit((unsigned char)parts[2][0]))
			return false;
		ok = norm_name_version(parts[0], parts[1], out);
		if (ok && n == 6)
			util_buf_printf(out, "-%s", parts[2]);
		for (size_t i = n - 3; ok && i < n; i++) {
			util_buf_putc(out, '-');
			ok = norm_tags(parts[i], out);
		}
		util_buf_puts(out, ".whl");
		return ok;
	}
	if (len > 7 && !strcmp(file + len - 7, ".tar.gz"))
		ext = ".tar.gz";
	else if (len > 4 && !strcmp(file + len - 4, ".zip"))
		ext = ".zip";
	if (!ext)
		return false;
	memcpy(buf, file, len - strlen(ext));
	buf[len - strlen(ext)] = '\0';
	char *dash = strrchr(buf, '-');
	if (!dash || dash == buf)
		return false;
	*dash = '\0';
	ok = norm_name_version(buf, dash + 1, out);
	util_buf_puts(out, ext);
	return ok;
}

/* ---- the statement ---- */

static int check_statement(const struct sigstore_bundle *b, const char *file_name, const unsigned char sha256[32],
			   struct sigstore_verdict *v)
{
	static const char *const predicates[] = {
		"https://docs.pypi.org/attestations/publish/v1", "https://slsa.dev/provenance/v1",
	};
	json_error_t jerr;
	json_t *st = json_loadb((const char *)b->payload, b->payload_len, JSON_REJECT_DUPLICATES, &jerr);
	json_t *subjects = json_object_get(st, "subject"), *s;
	const char *type = json_string_value(json_object_get(st, "_type"));
	const char *predicate = json_string_value(json_object_get(st, "predicateType"));
	char want[65];
	int rc = -1;
	size_t i;

	util_hex(sha256, 32, want);
	if (strcmp(b->payload_type, INTOTO_TYPE)) {
		sigstore_fail(v, "the envelope's payload is %.60s, not an in-toto statement", b->payload_type);
		goto done;
	}
	if (!type || (strcmp(type, STATEMENT_V1) && (b->pep740 || strcmp(type, STATEMENT_V01))) ||
	    !json_is_array(subjects) || !json_array_size(subjects)) {
		sigstore_fail(v, "the envelope's payload is not an in-toto statement with subjects");
		goto done;
	}
	if (!b->pep740) {
		/* Sigstore's rule for a bundle: some subject is this file. */
		json_array_foreach(subjects, i, s) {
			const char *d = json_string_value(json_object_get(json_object_get(s, "digest"), "sha256"));
			if (d && !strcmp(d, want)) {
				rc = 0;
				goto done;
			}
		}
		sigstore_fail(v, "no subject of the statement has the file's sha256");
		goto done;
	}
	if (json_array_size(subjects) != 1) {
		sigstore_fail(v, "the statement has %zu subjects (PEP 740: exactly one)", json_array_size(subjects));
		goto done;
	}
	s = json_array_get(subjects, 0);
	const char *name = json_string_value(json_object_get(s, "name"));
	const char *digest = json_string_value(json_object_get(json_object_get(s, "digest"), "sha256"));
	struct util_buf a = UTIL_BUF_INIT, f = UTIL_BUF_INIT;
	if (!name || !ultranormalize(name, &a))
		sigstore_fail(v, "the statement's subject is not a distribution file name");
	else if (!ultranormalize(file_name, &f) || strcmp(a.data, f.data))
		sigstore_fail(v, "the statement is for %.100s, not %.100s", name, file_name);
	else if (!digest || strcmp(digest, want))
		sigstore_fail(v, "the statement's sha256 is not the file's");
	else if (!predicate || (strcmp(predicate, predicates[0]) && strcmp(predicate, predicates[1])))
		sigstore_fail(v, "the statement's predicate type %.80s is not a PyPI attestation",
			      predicate ? predicate : "(missing)");
	else
		rc = 0;
	util_buf_free(&a);
	util_buf_free(&f);
done:
	json_decref(st);
	return rc;
}

/* ---- signatures ---- */

void sigstore_pae(const struct sigstore_bundle *b, struct util_buf *out)
{
	util_buf_printf(out, "DSSEv1 %zu %s %zu ", strlen(b->payload_type), b->payload_type, b->payload_len);
	util_buf_add(out, b->payload, b->payload_len);
}

static int check_signature(const struct sigstore_bundle *b, EVP_PKEY *key, const unsigned char sha256[32],
			   struct sigstore_verdict *v)
{
	if (b->dsse) {
		struct util_buf pae = UTIL_BUF_INIT;
		bool ok;

		if (b->nsigs != 1)
			return sigstore_fail(v, "the envelope has %zu signatures (one expected)", b->nsigs);
		sigstore_pae(b, &pae);
		ok = sigstore_signature_ok(key, b->sig, b->sig_len, (const unsigned char *)pae.data, pae.len);
		util_buf_free(&pae);
		return ok ? 0 : sigstore_fail(v, "the envelope's signature does not verify");
	}
	if (memcmp(b->digest, sha256, 32))
		return sigstore_fail(v, "the bundle signs another file (its message digest is not the file's sha256)");
	/* The signature is over the file's digest, already computed. */
	EVP_PKEY_CTX *ctx = S(EVP_PKEY_CTX_new)(key, NULL);
	bool ok = ctx && S(EVP_PKEY_is_a)(key, "EC") && S(EVP_PKEY_verify_init)(ctx) == 1 &&
		  S(EVP_PKEY_CTX_set_signature_md)(ctx, S(EVP_sha256)()) == 1 &&
		  S(EVP_PKEY_verify)(ctx, b->sig, b->sig_len, sha256, 32) == 1;
	S(EVP_PKEY_CTX_free)(ctx);
	return ok ? 0 : sigstore_fail(v, "the signature does not verify for the file");
}

/* A keyed bundle: the index of the key that made its signature, or -1. */
static int keyed_signer(const struct sigstore_bundle *b, EVP_PKEY *const *keys, size_t nkeys,
			const unsigned char sha256[32], struct sigstore_verdict *v)
{
	struct sigstore_verdict scratch;

	for (size_t k = 0; k < nkeys; k++)
		if (check_signature(b, keys[k], sha256, &scratch) == 0)
			return (int)k;
	return sigstore_fail(v, nkeys ? "the bundle is signed by a managed key, and no key of the policy made its "
				      "signature" : "the bundle is signed by a managed key, and the policy lists no key");
}

static int verify_bundle(const struct sigstore_root *root, EVP_PKEY *const *keys, size_t nkeys,
			 const struct sigstore_bundle *b, const char *file_name, const unsigned char sha256[32],
			 struct sigstore_signer *signer, struct sigstore_verdict *v)
{
	const struct sigstore_entry *e = &b->entry;
	const unsigned char *p = b->cert;
	X509 *leaf;
	int rc = -1, k;

	if (!b->pep740 && b->nentries != 1)
		return sigstore_fail(v, "the bundle has %zu transparency log entries (one expected)", b->nentries);
	if (b->minor >= 2 && (!e->has_proof || !e->checkpoint))
		return sigstore_fail(v, "the log entry needs an inclusion proof with a checkpoint");
	/* The signed times: each RFC 3161 timestamp that verifies (at least
	 * one must, when there are any), and the log's promise of when it
	 * integrated the entry. A managed key has no validity to check a time
	 * against: a v0.2+ keyed bundle may do without (its inclusion proof
	 * still binds it). */
	int64_t times[SIGSTORE_MAX_TIMESTAMPS + 1];
	size_t ntimes = 0;
	if (b->ntimestamps && !root->ntsas)
		return sigstore_fail(v, "the bundle has signed timestamps, the trusted root no timestamp authority");
	for (size_t i = 0; i < b->ntimestamps; i++) {
		struct sigstore_verdict scratch;
		if (sigstore_timestamp_verify(root, b->timestamps[i], b->timestamp_len[i], b->sig, b->sig_len,
					      &times[ntimes], &scratch) == 0)
			ntimes++;
		else if (i + 1 == b->ntimestamps && !ntimes)
			return sigstore_fail(v, "%s", scratch.reason);
	}
	if (e->set) {
		if (sigstore_log_verify_set(root, e, v) < 0)
			return -1;
		times[ntimes++] = e->integrated_time;
	} else if (b->minor == 1)
		return sigstore_fail(v, "a v0.1 bundle needs the log's signed entry timestamp");
	if (!ntimes && !b->keyed)
		return sigstore_fail(v, "no signed time: no signed entry timestamp, no signed timestamp");
	int64_t log_time = e->set ? e->integrated_time : ntimes ? times[0] : (int64_t)time(NULL);
	/* A v0.1 bundle's proof is optional, and useless without a checkpoint. */
	if ((b->minor >= 2 || (e->has_proof && e->checkpoint)) && sigstore_log_verify_inclusion(root, e, log_time, v) < 0)
		return -1;
	if (b->keyed) {
		/* A key has no certificate, chain or SCT: its signature, the log
		 * entry naming it and the binding are what there is to check. */
		if ((k = keyed_signer(b, keys, nkeys, sha256, v)) < 0 ||
		    sigstore_log_verify_body(b, keys[k], sha256, v) < 0 ||
		    (b->dsse && check_statement(b, file_name, sha256, v) < 0))
			return -1;
		memset(signer, 0, sizeof(*signer));
		signer->key = k;
		signer->signed_at = ntimes ? times[0] : 0;
		return 0;
	}
	if (!(leaf = S(d2i_X509)(NULL, &p, (long)b->cert_len)) || p != b->cert + b->cert_len) {
		S(X509_free)(leaf);
		return sigstore_fail(v, "the certificate is not DER X.509");
	}
	if (sigstore_cert_verify(root, leaf, times, ntimes, v) == 0 &&
	    check_signature(b, S(X509_get0_pubkey)(leaf), sha256, v) == 0 &&
	    sigstore_log_verify_body(b, NULL, sha256, v) == 0 && (!b->dsse || check_statement(b, file_name, sha256, v) == 0)) {
		sigstore_cert_signer(leaf, signer);
		signer->signed_at = times[0];
		rc = 0;
	}
	S(X509_free)(leaf);
	return rc;
}

/* A provenance's publisher claim as the identity it stands for. */
static bool publisher_identity(const struct sigstore_publisher *p, struct sigstore_identity *id)
{
	memset(id, 0, sizeof(*id));
	id->repository = p->repository;
	id->workflow = p->workflow;
	id->email = p->email;
	return sigstore_publisher_kind(p->kind, &id->kind);
}

void sigstore_verify(const struct sigstore_root *root, enum sigstore_form form, const char *doc, size_t len,
		     const char *file_name, const unsigned char sha256[32], struct sigstore_verdict *v)
{
	sigstore_verify_keys(root, NULL, 0, form, doc, len, file_name, sha256, v);
}

void sigstore_verify_keys(const struct sigstore_root *root, EVP_PKEY *const *keys, size_t nkeys,
			  enum sigstore_form form, const char *doc, size_t len, const char *file_name,
			  const unsigned char sha256[32], struct sigstore_verdict *v)
{
	struct sigstore_evidence *e = util_xcalloc(1, sizeof(*e));
	struct pl_error err;

	memset(v, 0, sizeof(*v));
	if (sigstore_init(&err) < 0) {
		sigstore_fail(v, "%s", err.msg);
		free(e);
		return;
	}
	if (sigstore_evidence_parse(form, doc, len, e, v) < 0)
		goto done;
	for (size_t i = 0; i < e->n; i++) {
		struct sigstore_identity id;
		char what[sizeof(v->reason)];

		if (verify_bundle(root, keys, nkeys, &e->bundles[i], file_name, sha256, &v->signers[i], v) < 0)
			goto attestation_failed;
		if (e->has_publisher[i] && (!publisher_identity(&e->publishers[i], &id) ||
					    !sigstore_identity_match(&id, &v->signers[i]))) {
			sigstore_fail(v, "the attestation is not by its bundle's publisher (%s %.100s)",
				      e->publishers[i].kind, e->publishers[i].repository);
			goto attestation_failed;
		}
		v->nsigners++;
		continue;
attestation_failed:
		if (e->n > 1) {
			snprintf(what, sizeof(what), "%s", v->reason);
			sigstore_fail(v, "attestation %zu of %zu: %s", i + 1, e->n, what);
		}
		v->nsigners = 0;
		goto done;
	}
	v->ok = true;
done:
	sigstore_evidence_free(e);
	free(e);
}

/* ---- identities ---- */

static bool text_match(const char *want, bool regexp, const char *have)
{
	regex_t re;
	bool ok;

	if (!want)
		return true;
	if (!regexp)
		return !strcmp(want, have);
	if (regcomp(&re, want, REG_EXTENDED | REG_NOSUB))
		return false;
	ok = regexec(&re, have, 0, NULL, 0) == 0;
	regfree(&re);
	return ok;
}

/* Build Config URI = PREFIX + "@" + the commit or the ref the certificate
 * itself names: a trusted publisher knows its workflow, not its ref. */
static bool workflow_at(const struct sigstore_signer *s, const char *prefix)
{
	size_t n = strlen(prefix);
	const char *at = s->build_config + n;

	if (strncmp(s->build_config, prefix, n) || *at != '@')
		return false;
	at++;
	return (s->source_digest[0] && !strcmp(at, s->source_digest)) || (s->source_ref[0] && !strcmp(at, s->source_ref));
}

/* The trusted publishers PEP 740 knows: each one's OIDC issuer, and for a
 * forge where its repositories live and how a workflow's path follows one
 * (Build Config URI = host + repository + sep + WORKFLOW@ref). */
static const struct publisher {
	const char *kind, *issuer, *host, *sep;
} publishers[] = {
	[SIGSTORE_ID_GITHUB] = { "GitHub", "https://token.actions.githubusercontent.com", "https://github.com/",
				 "/.github/workflows/" },
	[SIGSTORE_ID_GITLAB] = { "GitLab", "https://gitlab.com", "https://gitlab.com/", "//" },
	[SIGSTORE_ID_GOOGLE] = { "Google", "https://accounts.google.com", NULL, NULL },
};

static const struct publisher *publisher_of(const struct sigstore_signer *s)
{
	for (size_t i = 0; i < sizeof(publishers) / sizeof(publishers[0]); i++)
		if (publishers[i].issuer && !strcmp(s->issuer, publishers[i].issuer))
			return &publishers[i];
	return NULL;
}

bool sigstore_publisher_kind(const char *name, enum sigstore_identity_kind *kind)
{
	for (size_t i = 0; i < sizeof(publishers) / sizeof(publishers[0]); i++)
		if (publishers[i].kind && !strcmp(name, publishers[i].kind)) {
			*kind = (enum sigstore_identity_kind)i;
			return true;
		}
	return false;
}

bool sigstore_identity_match(const struct sigstore_identity *id, const struct sigstore_signer *s)
{
	const struct publisher *p = id->kind == SIGSTORE_ID_POLICY ? NULL : &publishers[id->kind];
	char want[1024];

	switch (id->kind) {
	case SIGSTORE_ID_GITHUB:
	case SIGSTORE_ID_GITLAB:
		if (!id->repository || !id->workflow || strcmp(s->issuer, p->issuer))
			return false;
		snprintf(want, sizeof(want), "%s%s", p->host, id->repository);
		if (strcmp(s->repository, want))
			return false;
		snprintf(want, sizeof(want), "%s%s%s%s", p->host, id->repository, p->sep, id->workflow);
		return workflow_at(s, want);
	case SIGSTORE_ID_GOOGLE:
		return id->email && !strcmp(s->issuer, p->issuer) && !strcmp(s->san, id->email);
	case SIGSTORE_ID_POLICY:
		return (id->issuer || id->san) && text_match(id->issuer, id->issuer_regexp, s->issuer) &&
		       text_match(id->san, id->san_regexp, s->san);
	}
	return false;
}

const char *sigstore_signer_kind(const struct sigstore_signer *s)
{
	const struct publisher *p = publisher_of(s);

	return p ? p->kind : "";
}

/* For GitHub and GitLab: the repository path and workflow file, from the
 * Source Repository URI and the Build Config URI. */
bool sigstore_signer_publisher(const struct sigstore_signer *s, char *repo, size_t repo_size, char *workflow,
			       size_t workflow_size)
{
	const struct publisher *p = publisher_of(s);
	size_t n = strlen(s->repository);
	const char *wf, *at;

	if (!p || !p->host || strncmp(s->repository, p->host, strlen(p->host)))
		return false;
	snprintf(repo, repo_size, "%s", s->repository + strlen(p->host));
	workflow[0] = '\0';
	if (!strncmp(s->build_config, s->repository, n) && !strncmp(s->build_config + n, p->sep, strlen(p->sep))) {
		wf = s->build_config + n + strlen(p->sep);
		at = strchr(wf, '@');
		snprintf(workflow, workflow_size, "%.*s", at ? (int)(at - wf) : (int)strlen(wf), wf);
	}
	return true;
}

void sigstore_signer_describe(const struct sigstore_signer *s, char *buf, size_t size)
{
	char repo[256], workflow[256];

	if (s->key >= 0)
		snprintf(buf, size, "managed key %d", s->key);
	else if (sigstore_signer_publisher(s, repo, sizeof(repo), workflow, sizeof(workflow)))
		snprintf(buf, size, "%s %s %s", sigstore_signer_kind(s), repo, workflow);
	else if (!strcmp(sigstore_signer_kind(s), "Google"))
		snprintf(buf, size, "Google %s", s->san);
	else
		snprintf(buf, size, "%s (%s)", s->san, s->issuer);
}
