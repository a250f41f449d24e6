/* Evidence documents read into bundles: Sigstore bundles v0.1-v0.3
 * (protobuf-specs JSON), PEP 740 attestation objects and PyPI provenance
 * objects. Only the shape is checked here; sigstore-verify.c decides. */
#include "config.h"
#include "sigstore.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigstore-internal.h"

#define MAX_CERT 16384
#define MAX_SIG 1024
#define MAX_BODY (256u << 10)
#define MAX_PAYLOAD (512u << 10)
#define MAX_PROOF_HASHES 64
#define MAX_CHECKPOINT 4096

int sigstore_json_b64(json_t *o, const char *key, size_t max, unsigned char **out, size_t *len)
{
	const char *s = json_string_value(json_object_get(o, key));

	*out = NULL;
	return s ? util_base64_decode(s, strlen(s), max, out, len) : -1;
}

/* An int64 as protobuf's JSON writes it: a string of digits, or a number. */
static int int64_field(json_t *o, const char *key, int64_t *out)
{
	json_t *v = json_object_get(o, key);
	const char *s = json_string_value(v);
	char *end;

	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return *out >= 0 ? 0 : -1;
	}
	if (!s || !*s || *s == '-' || *s == '+' || strlen(s) > 19)
		return -1;
	errno = 0;
	long long n = strtoll(s, &end, 10);
	if (*end || errno)
		return -1;
	*out = n;
	return 0;
}

static const char *string_field(json_t *o, const char *key, size_t max)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s && strlen(s) < max ? s : NULL;
}

static int read_entry(json_t *o, struct sigstore_entry *e, struct sigstore_verdict *v)
{
	json_t *kv = json_object_get(o, "kindVersion"), *proof = json_object_get(o, "inclusionProof");
	json_t *promise = json_object_get(o, "inclusionPromise"), *hashes;
	unsigned char *buf = NULL;
	size_t len;
	const char *kind, *version;

	if (!json_is_object(o))
		return sigstore_fail(v, "a transparency log entry is not an object");
	if (int64_field(o, "logIndex", &e->log_index) < 0)
		return sigstore_fail(v, "the log entry's logIndex is missing or not a number");
	if (sigstore_json_b64(json_object_get(o, "logId"), "keyId", 64, &buf, &len) < 0 || len != 32) {
		free(buf);
		return sigstore_fail(v, "the log entry's logId is missing or not 32 bytes");
	}
	memcpy(e->log_id, buf, 32);
	free(buf);
	if (!(kind = string_field(kv, "kind", sizeof(e->kind))) ||
	    !(version = string_field(kv, "version", sizeof(e->version))))
		return sigstore_fail(v, "the log entry's kindVersion is missing");
	snprintf(e->kind, sizeof(e->kind), "%s", kind);
	snprintf(e->version, sizeof(e->version), "%s", version);
	if (json_object_get(o, "integratedTime")) {
		if (int64_field(o, "integratedTime", &e->integrated_time) < 0)
			return sigstore_fail(v, "the log entry's integratedTime is not a number");
		e->has_time = e->integrated_time > 0;
	}
	if (sigstore_json_b64(o, "canonicalizedBody", MAX_BODY, &e->body, &e->body_len) < 0)
		return sigstore_fail(v, "the log entry's canonicalizedBody is missing or not base64");
	if (promise) {
		if (sigstore_json_b64(promise, "signedEntryTimestamp", MAX_SIG, &e->set, &e->set_len) < 0)
			return sigstore_fail(v, "the log entry's signedEntryTimestamp is not base64");
	}
	if (!proof)
		return 0;
	if (!json_is_object(proof) || int64_field(proof, "logIndex", &e->proof_index) < 0 ||
	    int64_field(proof, "treeSize", &e->tree_size) < 0)
		return sigstore_fail(v, "the inclusion proof needs a logIndex and a treeSize");
	if (sigstore_json_b64(proof, "rootHash", 64, &buf, &len) < 0 || len != 32) {
		free(buf);
		return sigstore_fail(v, "the inclusion proof's rootHash is not 32 bytes");
	}
	memcpy(e->root_hash, buf, 32);
	free(buf);
	hashes = json_object_get(proof, "hashes");
	if (!json_is_array(hashes) || json_array_size(hashes) > MAX_PROOF_HASHES)
		return sigstore_fail(v, "the inclusion proof's hashes are missing or too many");
	e->hashes = util_xcalloc(json_array_size(hashes) + 1, 32);
	for (size_t i = 0; i < json_array_size(hashes); i++) {
		const char *h = json_string_value(json_array_get(hashes, i));
		buf = NULL;
		if (!h || util_base64_decode(h, strlen(h), 64, &buf, &len) < 0 || len != 32) {
			free(buf);
			return sigstore_fail(v, "an inclusion proof hash is not 32 bytes");
		}
		memcpy(e->hashes[e->nhashes++], buf, 32);
		free(buf);
	}
	e->has_proof = true;
	json_t *cp = json_object_get(proof, "checkpoint");
	if (cp) {
		const char *env = string_field(cp, "envelope", MAX_CHECKPOINT);
		if (!env)
			return sigstore_fail(v, "the checkpoint is not a note of at most %d bytes", MAX_CHECKPOINT);
		e->checkpoint = util_xstrdup(env);
	}
	return 0;
}

/* The first entry; how many there are is the verifier's to judge. */
static int read_entries(json_t *arr, struct sigstore_bundle *b, struct sigstore_verdict *v)
{
	if (!json_is_array(arr) || !json_array_size(arr))
		return sigstore_fail(v, "no transparency log entry");
	b->nentries = json_array_size(arr);
	return read_entry(json_array_get(arr, 0), &b->entry, v);
}

static int read_dsse(json_t *env, struct sigstore_bundle *b, struct sigstore_verdict *v)
{
	json_t *sigs = json_object_get(env, "signatures");
	const char *type = string_field(env, "payloadType", 256);

	if (!type)
		return sigstore_fail(v, "the DSSE envelope has no payloadType");
	b->dsse = true;
	b->payload_type = util_xstrdup(type);
	if (sigstore_json_b64(env, "payload", MAX_PAYLOAD, &b->payload, &b->payload_len) < 0)
		return sigstore_fail(v, "the DSSE payload is missing, not base64 or too large");
	if (!json_is_array(sigs) || !json_array_size(sigs))
		return sigstore_fail(v, "the DSSE envelope has no signature");
	b->nsigs = json_array_size(sigs);
	if (sigstore_json_b64(json_array_get(sigs, 0), "sig", MAX_SIG, &b->sig, &b->sig_len) < 0)
		return sigstore_fail(v, "the DSSE signature is missing or not base64");
	return 0;
}

static int read_bundle(json_t *doc, struct sigstore_bundle *b, struct sigstore_verdict *v)
{
	static const struct {
		const char *media;
		int minor;
	} types[] = {
		{ "application/vnd.dev.sigstore.bundle+json;version=0.1", 1 },
		{ "application/vnd.dev.sigstore.bundle+json;version=0.2", 2 },
		{ "application/vnd.dev.sigstore.bundle+json;version=0.3", 3 },
		{ "application/vnd.dev.sigstore.bundle.v0.3+json", 3 },
	};
	const char *media = json_string_value(json_object_get(doc, "mediaType"));
	json_t *vm = json_object_get(doc, "verificationMaterial"), *ms, *tvd, *env;

	for (size_t i = 0; media && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(media, types[i].media))
			b->minor = types[i].minor;
	if (!b->minor)
		return sigstore_fail(v, "not a Sigstore bundle of a known version (mediaType %.80s)",
				     media ? media : "missing");
	if (!json_is_object(vm))
		return sigstore_fail(v, "the bundle has no verificationMaterial");
	if (json_object_get(vm, "publicKey")) {
		b->keyed = true;
	} else if (b->minor >= 3) {
		if (sigstore_json_b64(json_object_get(vm, "certificate"), "rawBytes", MAX_CERT, &b->cert, &b->cert_len) < 0)
			return sigstore_fail(v, "the bundle has no certificate");
	} else {
		/* Older bundles list a chain; only its first (the leaf) counts:
		 * the CAs come from the trusted root, never from the bundle. */
		json_t *certs = json_object_get(json_object_get(vm, "x509CertificateChain"), "certificates");
		if (!json_is_array(certs) || !json_array_size(certs) ||
		    sigstore_json_b64(json_array_get(certs, 0), "rawBytes", MAX_CERT, &b->cert, &b->cert_len) < 0)
			return sigstore_fail(v, "the bundle has no certificate chain");
	}
	if (read_entries(json_object_get(vm, "tlogEntries"), b, v) < 0)
		return -1;
	tvd = json_object_get(vm, "timestampVerificationData");
	json_t *stamps = json_object_get(tvd, "rfc3161Timestamps");
	if (json_array_size(stamps) > SIGSTORE_MAX_TIMESTAMPS)
		return sigstore_fail(v, "more than %d signed timestamps", SIGSTORE_MAX_TIMESTAMPS);
	for (size_t i = 0; i < json_array_size(stamps); i++) {
		if (sigstore_json_b64(json_array_get(stamps, i), "signedTimestamp", 16384, &b->timestamps[i], &b->timestamp_len[i]) < 0)
			return sigstore_fail(v, "a signed timestamp is missing or not base64");
		b->ntimestamps++;
		for (size_t k = 0; k < i; k++)
			if (b->timestamp_len[k] == b->timestamp_len[i] &&
			    !memcmp(b->timestamps[k], b->timestamps[i], b->timestamp_len[i]))
				return sigstore_fail(v, "a signed timestamp is given twice");
	}
	ms = json_object_get(doc, "messageSignature");
	env = json_object_get(doc, "dsseEnvelope");
	if (!ms == !env)
		return sigstore_fail(v, "the bundle needs exactly one of messageSignature and dsseEnvelope");
	if (env)
		return read_dsse(env, b, v);
	json_t *md = json_object_get(ms, "messageDigest");
	unsigned char *digest = NULL;
	size_t len;
	const char *algo = string_field(md, "algorithm", 32);
	if (!algo || strcmp(algo, "SHA2_256") || sigstore_json_b64(md, "digest", 64, &digest, &len) < 0 || len != 32) {
		free(digest);
		return sigstore_fail(v, "the message signature needs a SHA2_256 messageDigest");
	}
	memcpy(b->digest, digest, 32);
	free(digest);
	b->has_digest = true;
	if (sigstore_json_b64(ms, "signature", MAX_SIG, &b->sig, &b->sig_len) < 0)
		return sigstore_fail(v, "the message signature is missing or not base64");
	b->nsigs = 1;
	return 0;
}

/* A PEP 740 attestation object: the v0.3 bundle it stands for, its DSSE
 * payload type implied. */
static int read_attestation(json_t *doc, struct sigstore_bundle *b, struct sigstore_verdict *v)
{
	json_t *vm = json_object_get(doc, "verification_material"), *env = json_object_get(doc, "envelope");
	json_t *version = json_object_get(doc, "version");

	if (!json_is_object(doc) || !json_is_integer(version) || json_integer_value(version) != 1)
		return sigstore_fail(v, "not a PEP 740 attestation of version 1");
	if (!json_is_object(vm) || !json_is_object(env))
		return sigstore_fail(v, "the attestation needs verification_material and envelope");
	b->minor = 3;
	b->pep740 = true;
	if (sigstore_json_b64(vm, "certificate", MAX_CERT, &b->cert, &b->cert_len) < 0)
		return sigstore_fail(v, "the attestation's certificate is missing or not base64");
	if (read_entries(json_object_get(vm, "transparency_entries"), b, v) < 0)
		return -1;
	b->dsse = true;
	b->payload_type = util_xstrdup("application/vnd.in-toto+json");
	if (sigstore_json_b64(env, "statement", MAX_PAYLOAD, &b->payload, &b->payload_len) < 0)
		return sigstore_fail(v, "the attestation's statement is missing, not base64 or too large");
	if (sigstore_json_b64(env, "signature", MAX_SIG, &b->sig, &b->sig_len) < 0)
		return sigstore_fail(v, "the attestation's signature is missing or not base64");
	b->nsigs = 1;
	return 0;
}

static void read_publisher(json_t *p, struct sigstore_publisher *out)
{
	const char *kind = string_field(p, "kind", sizeof(out->kind));
	const char *repo = string_field(p, "repository", sizeof(out->repository));
	const char *wf = string_field(p, "workflow", sizeof(out->workflow));
	const char *wfp = string_field(p, "workflow_filepath", sizeof(out->workflow));
	const char *email = string_field(p, "email", sizeof(out->email));

	snprintf(out->kind, sizeof(out->kind), "%s", kind ? kind : "");
	snprintf(out->repository, sizeof(out->repository), "%s", repo ? repo : "");
	snprintf(out->workflow, sizeof(out->workflow), "%s", wf ? wf : wfp ? wfp : "");
	snprintf(out->email, sizeof(out->email), "%s", email ? email : "");
}

static int read_provenance(json_t *doc, struct sigstore_evidence *e, struct sigstore_verdict *v)
{
	json_t *version = json_object_get(doc, "version"), *bundles = json_object_get(doc, "attestation_bundles");
	json_t *ab;
	size_t i;

	if (!json_is_object(doc) || !json_is_integer(version) || json_integer_value(version) != 1)
		return sigstore_fail(v, "not a PEP 740 provenance object of version 1");
	if (!json_is_array(bundles) || !json_array_size(bundles))
		return sigstore_fail(v, "the provenance has no attestation_bundles");
	json_array_foreach(bundles, i, ab) {
		json_t *atts = json_object_get(ab, "attestations"), *att, *pub = json_object_get(ab, "publisher");
		size_t k;

		if (!json_is_object(pub) || !json_is_array(atts) || !json_array_size(atts))
			return sigstore_fail(v, "an attestation bundle needs a publisher and attestations");
		json_array_foreach(atts, k, att) {
			if (e->n == SIGSTORE_MAX_SIGNERS)
				return sigstore_fail(v, "more than %d attestations", SIGSTORE_MAX_SIGNERS);
			read_publisher(pub, &e->publishers[e->n]);
			e->has_publisher[e->n] = true;
			if (read_attestation(att, &e->bundles[e->n++], v) < 0)
				return -1;
		}
	}
	return 0;
}

int sigstore_evidence_parse(enum sigstore_form form, const char *doc, size_t len, struct sigstore_evidence *e,
			    struct sigstore_verdict *v)
{
	json_error_t jerr;
	json_t *root;
	int rc;

	memset(e, 0, sizeof(*e));
	if (len > SIGSTORE_MAX_DOC)
		return sigstore_fail(v, "the evidence is larger than %u bytes", SIGSTORE_MAX_DOC);
	if (!(root = json_loadb(doc, len, JSON_REJECT_DUPLICATES, &jerr)))
		return sigstore_fail(v, "the evidence is not JSON (line %d: %.100s)", jerr.line, jerr.text);
	switch (form) {
	case SIGSTORE_PROVENANCE:
		rc = read_provenance(root, e, v);
		break;
	case SIGSTORE_ATTESTATION:
		e->n = 1;
		rc = read_attestation(root, &e->bundles[0], v);
		break;
	default:
		e->n = 1;
		rc = json_is_object(root) ? read_bundle(root, &e->bundles[0], v)
					  : sigstore_fail(v, "the bundle is not a JSON object");
	}
	json_decref(root);
	return rc;
}

void sigstore_evidence_free(struct sigstore_evidence *e)
{
	for (size_t i = 0; i < e->n; i++) {
		struct sigstore_bundle *b = &e->bundles[i];

		free(b->cert);
		free(b->payload);
		free(b->payload_type);
		free(b->sig);
		free(b->entry.set);
		free(b->entry.hashes);
		free(b->entry.checkpoint);
		free(b->entry.body);
		for (size_t k = 0; k < b->ntimestamps; k++)
			free(b->timestamps[k]);
	}
	memset(e, 0, sizeof(*e));
}
