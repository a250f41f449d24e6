#include "config.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "sigstore.h"
#include "trust.h"

/* Real PyPI evidence (tests/data/sigstore, see its README): each verifies
 * against its root as its publisher, and every change to it fails. */

static struct sigstore_root *production, *staging;

static char *data_path(const char *rel)
{
	const char *top = getenv("srcdir");
	struct util_buf b = UTIL_BUF_INIT;

	util_buf_printf(&b, "%s/tests/data/sigstore/%s", top ? top : ".", rel);
	return util_buf_steal(&b);
}

static char *slurp(const char *rel, size_t *len)
{
	char *path = data_path(rel), *text;
	struct pl_error err;

	assert_int_equal(util_read_file(path, SIGSTORE_MAX_DOC, &text, len, &err), 0);
	free(path);
	return text;
}

static void file_sha256(const char *rel, unsigned char out[32])
{
	char *path = data_path(rel), hex[65];
	struct pl_error err;

	assert_int_equal(trust_sha256_file(path, hex, &err), 0);
	for (int i = 0; i < 32; i++) {
		unsigned v;
		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (unsigned char)v;
	}
	free(path);
}

static int setup(void **state)
{
	struct pl_error err;
	char *p = data_path("roots/production.json"), *q = data_path("roots/staging.json");

	(void)state;
	assert_int_equal(trust_init(&err), 0);
	assert_int_equal(sigstore_root_load(p, &production, &err), 0);
	assert_int_equal(sigstore_root_load(q, &staging, &err), 0);
	free(p);
	free(q);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sigstore_root_free(production);
	sigstore_root_free(staging);
	return 0;
}

struct real_case {
	const char *artifact, *evidence;
	enum sigstore_form form;
	bool staging;
	struct sigstore_identity who;
	const char *described;
};

static const struct real_case cases[] = {
	{ "abi3info-2024.10.8-py3-none-any.whl", ".provenance", SIGSTORE_PROVENANCE, false,
	  { .kind = SIGSTORE_ID_GITHUB, .repository = "woodruffw/abi3info", .workflow = "release.yml" },
	  "GitHub woodruffw/abi3info release.yml" },
	{ "pypi_attestations-0.0.19.tar.gz", ".publish.attestation", SIGSTORE_ATTESTATION, false,
	  { .kind = SIGSTORE_ID_GITHUB, .repository = "trailofbits/pypi-attestations", .workflow = "release.yml" },
	  "GitHub trailofbits/pypi-attestations release.yml" },
	{ "pypi_attestations-0.0.19.tar.gz", ".provenance", SIGSTORE_PROVENANCE, false,
	  { .kind = SIGSTORE_ID_GITHUB, .repository = "trailofbits/pypi-attestations", .workflow = "release.yml" },
	  "GitHub trailofbits/pypi-attestations release.yml" },
	{ "gitlab_oidc_project-0.0.3.tar.gz", ".publish.attestation", SIGSTORE_ATTESTATION, false,
	  { .kind = SIGSTORE_ID_GITLAB, .repository = "facutuesca/gitlab-oidc-project", .workflow = ".gitlab-ci.yml" },
	  "GitLab facutuesca/gitlab-oidc-project .gitlab-ci.yml" },
	{ "sampleproject-3.0.0.tar.gz", ".publish.attestation", SIGSTORE_ATTESTATION, false,
	  { .kind = SIGSTORE_ID_GOOGLE, .email = "919436158236-compute@developer.gserviceaccount.com" },
	  "Google 919436158236-compute@developer.gserviceaccount.com" },
	{ "rfc8785-0.1.2-py3-none-any.whl", ".publish.attestation", SIGSTORE_ATTESTATION, true,
	  { .kind = SIGSTORE_ID_POLICY, .issuer = "https://github.com/login/oauth", .san = "william@yossarian.net" },
	  "william@yossarian.net (https://github.com/login/oauth)" },
};

static void verify_case(const struct real_case *c, const struct sigstore_root *root, const char *doc, size_t len,
			const char *name, const unsigned char sha[32], struct sigstore_verdict *v)
{
	(void)c;
	sigstore_verify(root, c->form, doc, len, name, sha, v);
}

static void test_real_evidence_verifies(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct real_case *c = &cases[i];
		struct util_buf ev = UTIL_BUF_INIT;
		struct sigstore_verdict v;
		unsigned char sha[32];
		char described[300];
		size_t len;
		char *doc;

		util_buf_printf(&ev, "pypi/%s%s", c->artifact, c->evidence);
		doc = slurp(ev.data, &len);
		util_buf_truncate(&ev, 0);
		util_buf_printf(&ev, "pypi/%s", c->artifact);
		file_sha256(ev.data, sha);
		verify_case(c, c->staging ? staging : production, doc, len, c->artifact, sha, &v);
		if (!v.ok)
			print_error("%s%s: %s\n", c->artifact, c->evidence, v.reason);
		assert_true(v.ok);
		assert_int_equal(v.nsigners, 1);
		assert_true(sigstore_identity_match(&c->who, &v.signers[0]));
		sigstore_signer_describe(&v.signers[0], described, sizeof(described));
		assert_string_equal(described, c->described);
		assert_true(v.signers[0].signed_at > 1700000000);

		/* The other root does not know its CA or log. */
		verify_case(c, c->staging ? production : staging, doc, len, c->artifact, sha, &v);
		assert_false(v.ok);

		/* One byte of the artifact. */
		sha[7] ^= 1;
		verify_case(c, c->staging ? staging : production, doc, len, c->artifact, sha, &v);
		assert_false(v.ok);
		free(doc);
		util_buf_free(&ev);
	}
}

static void test_identities(void **state)
{
	static const struct sigstore_identity wrong[] = {
		{ .kind = SIGSTORE_ID_GITHUB, .repository = "woodruffw/abi3inf", .workflow = "release.yml" },
		{ .kind = SIGSTORE_ID_GITHUB, .repository = "woodruffw/abi3info", .workflow = "publish.yml" },
		{ .kind = SIGSTORE_ID_GITHUB, .repository = "woodruffw/abi3info", .workflow = "release" },
		{ .kind = SIGSTORE_ID_GITLAB, .repository = "woodruffw/abi3info", .workflow = "release.yml" },
		{ .kind = SIGSTORE_ID_GOOGLE, .email = "woodruffw@example.com" },
		{ .kind = SIGSTORE_ID_POLICY, .issuer = "https://gitlab.com", .san_regexp = true, .san = ".*" },
		{ .kind = SIGSTORE_ID_POLICY, .issuer = "https://token.actions.githubusercontent.com",
		  .san = "https://github.com/woodruffw/abi3info/.github/workflows/release.yml" },
	};
	static const struct sigstore_identity right[] = {
		{ .kind = SIGSTORE_ID_POLICY, .issuer = "https://token.actions.githubusercontent.com",
		  .san = "https://github.com/woodruffw/abi3info/.github/workflows/release.yml@refs/tags/v2024.10.08" },
		{ .kind = SIGSTORE_ID_POLICY, .issuer = "https://token\\.actions\\.githubusercontent\\.com",
		  .issuer_regexp = true, .san = "^https://github\\.com/woodruffw/", .san_regexp = true },
	};
	struct sigstore_verdict v;
	unsigned char sha[32];
	size_t len;
	char *doc = slurp("pypi/abi3info-2024.10.8-py3-none-any.whl.provenance", &len);

	(void)state;
	file_sha256("pypi/abi3info-2024.10.8-py3-none-any.whl", sha);
	sigstore_verify(production, SIGSTORE_PROVENANCE, doc, len, "abi3info-2024.10.8-py3-none-any.whl", sha, &v);
	assert_true(v.ok);
	for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++)
		assert_false(sigstore_identity_match(&wrong[i], &v.signers[0]));
	for (size_t i = 0; i < sizeof(right) / sizeof(right[0]); i++)
		assert_true(sigstore_identity_match(&right[i], &v.signers[0]));
	assert_string_equal(sigstore_signer_kind(&v.signers[0]), "GitHub");
	free(doc);
}

/* ---- tampering: one field of the real pypi_attestations attestation ---- */

static json_t *load_json(const char *rel)
{
	size_t len;
	char *doc = slurp(rel, &len);
	json_t *j = json_loadb(doc, len, 0, NULL);

	assert_non_null(j);
	free(doc);
	return j;
}

/* A string field with one base64 character changed in its middle. */
static void flip_b64(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	char *copy;
	size_t mid;

	assert_non_null(s);
	copy = strdup(s);
	mid = strlen(copy) / 2;
	copy[mid] = copy[mid] == 'A' ? 'B' : 'A';
	json_object_set_new(obj, key, json_string(copy));
	free(copy);
}

static json_t *entry0(json_t *att)
{
	return json_array_get(json_object_get(json_object_get(att, "verification_material"), "transparency_entries"), 0);
}

static void expect_refused(json_t *att, const char *name, const char *why_part)
{
	char *doc = json_dumps(att, JSON_COMPACT);
	unsigned char sha[32];
	struct sigstore_verdict v;

	file_sha256("pypi/pypi_attestations-0.0.19.tar.gz", sha);
	sigstore_verify(production, SIGSTORE_ATTESTATION, doc, strlen(doc), name, sha, &v);
	if (v.ok || !strstr(v.reason, why_part))
		print_error("expected a refusal with \"%s\", got %s: %s\n", why_part, v.ok ? "ok" : "refused", v.reason);
	assert_false(v.ok);
	assert_non_null(strstr(v.reason, why_part));
	free(doc);
	json_decref(att);
}

#define ATT "pypi/pypi_attestations-0.0.19.tar.gz.publish.attestation"
#define NAME "pypi_attestations-0.0.19.tar.gz"

static void test_tampered_fields(void **state)
{
	json_t *a, *e;

	(void)state;
	a = load_json(ATT);
	flip_b64(json_object_get(a, "envelope"), "signature");
	expect_refused(a, NAME, "signature");

	a = load_json(ATT);
	flip_b64(json_object_get(a, "verification_material"), "certificate");
	expect_refused(a, NAME, "certificate");

	a = load_json(ATT);
	flip_b64(json_object_get(a, "envelope"), "statement");
	expect_refused(a, NAME, "signature does not verify");

	a = load_json(ATT);
	flip_b64(entry0(a), "canonicalizedBody");
	expect_refused(a, NAME, "signed entry timestamp");

	a = load_json(ATT);
	flip_b64(json_object_get(entry0(a), "inclusionPromise"), "signedEntryTimestamp");
	expect_refused(a, NAME, "signed entry timestamp");

	a = load_json(ATT);
	e = entry0(a);
	json_object_set_new(e, "integratedTime", json_string("1733354042"));
	expect_refused(a, NAME, "signed entry timestamp");

	a = load_json(ATT);
	json_object_set_new(entry0(a), "logIndex", json_string("153454664"));
	expect_refused(a, NAME, "signed entry timestamp");

	a = load_json(ATT);
	e = json_object_get(entry0(a), "inclusionProof");
	json_object_set_new(e, "logIndex", json_string("31550400"));
	expect_refused(a, NAME, "inclusion proof");

	a = load_json(ATT);
	e = json_object_get(entry0(a), "inclusionProof");
	flip_b64(e, "rootHash");
	expect_refused(a, NAME, "root hash");

	a = load_json(ATT);
	e = json_object_get(entry0(a), "inclusionProof");
	json_t *hashes = json_object_get(e, "hashes");
	const char *h0 = json_string_value(json_array_get(hashes, 0));
	char *changed = strdup(h0);
	changed[3] = changed[3] == 'A' ? 'B' : 'A';
	json_array_set_new(hashes, 0, json_string(changed));
	free(changed);
	expect_refused(a, NAME, "inclusion proof");

	/* A proof hash that is not a string after one that is (a double free
	 * the fuzzer found). */
	a = load_json(ATT);
	hashes = json_object_get(json_object_get(entry0(a), "inclusionProof"), "hashes");
	json_array_set_new(hashes, 1, json_integer(5));
	expect_refused(a, NAME, "inclusion proof hash");

	a = load_json(ATT);
	e = json_object_get(json_object_get(entry0(a), "inclusionProof"), "checkpoint");
	const char *note = json_string_value(json_object_get(e, "envelope"));
	char *bad = strdup(note);
	bad[strlen(bad) - 10] = bad[strlen(bad) - 10] == 'A' ? 'B' : 'A';
	json_object_set_new(e, "envelope", json_string(bad));
	free(bad);
	expect_refused(a, NAME, "checkpoint");

	a = load_json(ATT);
	json_object_del(json_object_get(entry0(a), "inclusionProof"), "checkpoint");
	expect_refused(a, NAME, "checkpoint");

	a = load_json(ATT);
	json_object_del(entry0(a), "inclusionProof");
	expect_refused(a, NAME, "inclusion proof");

	a = load_json(ATT);
	json_object_del(entry0(a), "inclusionPromise");
	expect_refused(a, NAME, "signed time");

	a = load_json(ATT);
	json_array_clear(json_object_get(json_object_get(a, "verification_material"), "transparency_entries"));
	expect_refused(a, NAME, "no transparency log entry");

	a = load_json(ATT);
	json_object_set_new(json_object_get(entry0(a), "kindVersion"), "kind", json_string("hashedrekord"));
	expect_refused(a, NAME, "kindVersion");

	/* The same evidence for another file name. */
	expect_refused(load_json(ATT), "pypi_attestations-0.0.20.tar.gz", "not pypi_attestations-0.0.20");
	/* Another file's attestation. */
	a = load_json("pypi/gitlab_oidc_project-0.0.3.tar.gz.publish.attestation");
	expect_refused(a, NAME, "the statement is for gitlab_oidc_project");
}

/* Plain Sigstore bundles: a v0.3 DSSE bundle (sigstore sign on a wheel)
 * and a v0.1 message-signature bundle (CPython's release, P-384 key, an
 * inclusion proof without checkpoint). */
static void test_bundles(void **state)
{
	static const unsigned char python_digest[32] = {
		0x38, 0xdc, 0x4e, 0x2c, 0x26, 0x1d, 0x49, 0xc6, 0x61, 0x19, 0x60, 0x66, 0xed, 0xbf, 0xb7, 0x0f,
		0xdb, 0x16, 0xbe, 0x4a, 0x79, 0xcc, 0x82, 0x20, 0xc2, 0x24, 0xdf, 0xeb, 0x56, 0x36, 0xd4, 0x05,
	};
	struct sigstore_verdict v;
	unsigned char sha[32];
	char described[300];
	size_t len;
	char *doc = slurp("pypi/rfc8785-0.1.2-py3-none-any.whl.sigstore", &len);

	(void)state;
	file_sha256("pypi/rfc8785-0.1.2-py3-none-any.whl", sha);
	sigstore_verify(staging, SIGSTORE_BUNDLE, doc, len, "rfc8785-0.1.2-py3-none-any.whl", sha, &v);
	assert_true(v.ok);
	sigstore_signer_describe(&v.signers[0], described, sizeof(described));
	assert_string_equal(described, "william@yossarian.net (https://github.com/login/oauth)");
	/* A plain bundle's rule is the digest; the name is not compared. */
	sigstore_verify(staging, SIGSTORE_BUNDLE, doc, len, "renamed.whl", sha, &v);
	assert_true(v.ok);
	sha[0] ^= 1;
	sigstore_verify(staging, SIGSTORE_BUNDLE, doc, len, "rfc8785-0.1.2-py3-none-any.whl", sha, &v);
	assert_false(v.ok);
	assert_non_null(strstr(v.reason, "subject"));
	free(doc);

	doc = slurp("bundles/Python-3.12.5.tgz.sigstore", &len);
	sigstore_verify(production, SIGSTORE_BUNDLE, doc, len, "Python-3.12.5.tgz", python_digest, &v);
	if (!v.ok)
		print_error("%s\n", v.reason);
	assert_true(v.ok);
	sigstore_signer_describe(&v.signers[0], described, sizeof(described));
	assert_string_equal(described, "Google thomas@python.org");
	memcpy(sha, python_digest, 32);
	sha[31] ^= 1;
	sigstore_verify(production, SIGSTORE_BUNDLE, doc, len, "Python-3.12.5.tgz", sha, &v);
	assert_false(v.ok);
	assert_non_null(strstr(v.reason, "another file"));
	/* As an attestation, a bundle is not one. */
	sigstore_verify(production, SIGSTORE_ATTESTATION, doc, len, "Python-3.12.5.tgz", python_digest, &v);
	assert_false(v.ok);
	free(doc);
}

/* The verdict cache serves what it keeps (an edited record shows through),
 * never for another file, and a broken record is verified again. */
static void test_verdict_cache(void **state)
{
	char dir[] = "/tmp/pylock-sigstore-cache.XXXXXX", cmd[128];
	struct sigstore_verdict v;
	unsigned char sha[32];
	size_t len;
	char *doc = slurp(ATT, &len);

	(void)state;
	assert_non_null(mkdtemp(dir));
	file_sha256("pypi/" NAME, sha);
	sigstore_verify_cached(dir, production, NULL, 0, SIGSTORE_ATTESTATION, doc, len, NAME, sha, &v);
	assert_true(v.ok);
	snprintf(cmd, sizeof(cmd), "sed -i 's|refs/tags/v0.0.19$|refs/tags/cached|' %s/*/*", dir);
	assert_int_equal(system(cmd), 0);
	sigstore_verify_cached(dir, production, NULL, 0, SIGSTORE_ATTESTATION, doc, len, NAME, sha, &v);
	assert_true(v.ok);
	assert_string_equal(v.signers[0].source_ref, "refs/tags/cached");
	/* Another digest is another key: verified, and refused. */
	sha[0] ^= 1;
	sigstore_verify_cached(dir, production, NULL, 0, SIGSTORE_ATTESTATION, doc, len, NAME, sha, &v);
	assert_false(v.ok);
	sha[0] ^= 1;
	snprintf(cmd, sizeof(cmd), "for f in %s/*/*; do printf 'pylock-sigstore-verdict 1\\nnot a record\\n' > $f; done",
		 dir);
	assert_int_equal(system(cmd), 0);
	sigstore_verify_cached(dir, production, NULL, 0, SIGSTORE_ATTESTATION, doc, len, NAME, sha, &v);
	assert_true(v.ok);
	assert_string_equal(v.signers[0].source_ref, "refs/tags/v0.0.19");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	free(doc);
}

/* sigstore-conformance's intoto-canonical-log-entry: a managed-key bundle
 * with an intoto 0.0.2 log entry, no signed time (a key has no validity to
 * check one against), its own log. Verified by the key the policy gives,
 * by no other. */
static void test_conformance_managed_key(void **state)
{
	static const unsigned char a_txt[32] = {
		0xa0, 0xcf, 0xc7, 0x12, 0x71, 0xd6, 0xe2, 0x78, 0xe5, 0x7c, 0xd3, 0x32, 0xff, 0x95, 0x7c, 0x3f,
		0x70, 0x43, 0xfd, 0xda, 0x35, 0x4c, 0x4c, 0xbb, 0x19, 0x0a, 0x30, 0xd5, 0x6e, 0xfa, 0x01, 0xbf,
	};
	char *dir = data_path("conformance/intoto-canonical-log-entry"), policy[] = "/tmp/pylock-policy.XXXXXX";
	struct util_buf path = UTIL_BUF_INIT;
	struct trust_policy p;
	struct sigstore_root *root;
	struct sigstore_verdict v;
	struct pl_error err;
	size_t len;
	char *doc = slurp("conformance/intoto-canonical-log-entry/bundle.sigstore.json", &len);
	int fd = mkstemp(policy);
	FILE *f = fdopen(fd, "w");

	(void)state;
	fprintf(f, "keys:\n  - {id: k, file: %s/key.pub}\n", dir);
	fclose(f);
	assert_int_equal(trust_policy_load(policy, &p, &err), 0);
	util_buf_printf(&path, "%s/trusted_root.json", dir);
	assert_int_equal(sigstore_root_load(path.data, &root, &err), 0);
	sigstore_verify_keys(root, &p.keys[0].pkey, 1, SIGSTORE_BUNDLE, doc, len, "a.txt", a_txt, &v);
	if (!v.ok)
		print_error("%s\n", v.reason);
	assert_true(v.ok);
	assert_int_equal(v.signers[0].key, 0);
	/* Without the key, or with another artifact, it is refused. */
	sigstore_verify(root, SIGSTORE_BUNDLE, doc, len, "a.txt", a_txt, &v);
	assert_false(v.ok);
	assert_non_null(strstr(v.reason, "lists no key"));
	unsigned char other[32];
	memcpy(other, a_txt, 32);
	other[0] ^= 1;
	sigstore_verify_keys(root, &p.keys[0].pkey, 1, SIGSTORE_BUNDLE, doc, len, "a.txt", other, &v);
	assert_false(v.ok);
	/* Against the production root its log is unknown. */
	sigstore_verify_keys(production, &p.keys[0].pkey, 1, SIGSTORE_BUNDLE, doc, len, "a.txt", a_txt, &v);
	assert_false(v.ok);
	sigstore_root_free(root);
	trust_policy_fini(&p);
	unlink(policy);
	util_buf_free(&path);
	free(dir);
	free(doc);
}

/* sigstore-conformance's dsse-with-hashedrekord-happy-path: production
 * Fulcio and Rekor v1, a hashedrekord entry over the envelope's PAE, and an
 * RFC 3161 timestamp by the root's TSA beside the signed entry timestamp.
 * A timestamp that is changed, for another signature, or without a TSA in
 * the root fails the bundle. */
/* A bundle as JSON, verified for the artifact name with digest sha. */
static void verify_bundle_json(const struct sigstore_root *root, json_t *b, const char *name,
			       const unsigned char sha[32], struct sigstore_verdict *v)
{
	char *doc = json_dumps(b, JSON_COMPACT);

	sigstore_verify(root, SIGSTORE_BUNDLE, doc, strlen(doc), name, sha, v);
	free(doc);
}

static void test_conformance_timestamped(void **state)
{
	static const unsigned char subject[32] = {
		0x70, 0xed, 0x02, 0x77, 0x25, 0x1d, 0x0c, 0xf2, 0xeb, 0x5e, 0xda, 0x8b, 0x57, 0x4c, 0xe0, 0x12,
		0xde, 0x48, 0x5e, 0x39, 0xa3, 0xde, 0x1f, 0xb4, 0xb1, 0xe0, 0x71, 0x7e, 0x14, 0xb0, 0x2d, 0x6a,
	};
	struct sigstore_identity beacon = {
		.kind = SIGSTORE_ID_POLICY, .issuer = "https://token.actions.githubusercontent.com",
		.san = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/"
		       "extremely-dangerous-oidc-beacon.yml@refs/heads/main",
	};
	struct sigstore_verdict v;
	json_t *b = load_json("conformance/dsse-with-hashedrekord-happy-path/bundle.sigstore.json");

	(void)state;
	verify_bundle_json(production, b, "dsse-with-hashedrekord", subject, &v);
	if (!v.ok)
		print_error("%s\n", v.reason);
	assert_true(v.ok);
	assert_true(sigstore_identity_match(&beacon, &v.signers[0]));
	/* The staging root has no such TSA (nor CA). */
	verify_bundle_json(staging, b, "dsse-with-hashedrekord", subject, &v);
	assert_false(v.ok);
	flip_b64(json_array_get(json_object_get(json_object_get(json_object_get(b, "verificationMaterial"),
		 "timestampVerificationData"), "rfc3161Timestamps"), 0), "signedTimestamp");
	verify_bundle_json(production, b, "dsse-with-hashedrekord", subject, &v);
	assert_false(v.ok);
	assert_non_null(strstr(v.reason, "timestamp"));
	json_decref(b);
	/* Another signature in the envelope: the timestamp is for another. */
	b = load_json("conformance/dsse-with-hashedrekord-happy-path/bundle.sigstore.json");
	flip_b64(json_array_get(json_object_get(json_object_get(b, "dsseEnvelope"), "signatures"), 0), "sig");
	verify_bundle_json(production, b, "dsse-with-hashedrekord", subject, &v);
	assert_false(v.ok);
	assert_non_null(strstr(v.reason, "another signature"));
	json_decref(b);
}

/* sigstore-python's staging-rekor-v2 bundle: a Rekor v2 hashedrekord
 * 0.0.2 entry (no signed entry timestamp: its time is an RFC 3161
 * timestamp), the checkpoint signed by the log's Ed25519 key. */
static void test_rekor_v2(void **state)
{
	static const unsigned char digest[32] = {
		0x15, 0xf6, 0x72, 0x46, 0x11, 0x59, 0x21, 0xbb, 0x7c, 0x1d, 0xe0, 0xe7, 0xe9, 0xe9, 0x27, 0x5c,
		0x80, 0x16, 0xdc, 0x25, 0x4a, 0x0c, 0x00, 0x98, 0x88, 0x94, 0x4b, 0x7e, 0xd3, 0x64, 0x4a, 0xaa,
	};
	const char *name = "staging-rekor-v2.txt";
	struct sigstore_verdict v;
	json_t *b = load_json("bundles/staging-rekor-v2.txt.sigstore.json"), *cp;
	char *note;

	(void)state;
	verify_bundle_json(staging, b, name, digest, &v);
	if (!v.ok)
		print_error("%s\n", v.reason);
	assert_true(v.ok);
	assert_string_equal(v.signers[0].san, "jku@goto.fi");
	/* Without its timestamp it has no signed time; with the checkpoint's
	 * signature changed, no proof. */
	json_array_clear(json_object_get(json_object_get(json_object_get(b, "verificationMaterial"),
		"timestampVerificationData"), "rfc3161Timestamps"));
	verify_bundle_json(staging, b, name, digest, &v);
	assert_false(v.ok);
	assert_non_null(strstr(v.reason, "no signed time"));
	json_decref(b);
	b = load_json("bundles/staging-rekor-v2.txt.sigstore.json");
	cp = json_object_get(json_object_get(json_array_get(json_object_get(json_object_get(b,
		"verificationMaterial"), "tlogEntries"), 0), "inclusionProof"), "checkpoint");
	note = strdup(json_string_value(json_object_get(cp, "envelope")));
	note[strlen(note) - 6] = note[strlen(note) - 6] == 'A' ? 'B' : 'A';
	json_object_set_new(cp, "envelope", json_string(note));
	free(note);
	verify_bundle_json(staging, b, name, digest, &v);
	assert_false(v.ok);
	assert_non_null(strstr(v.reason, "checkpoint"));
	json_decref(b);
}

static void test_malformed(void **state)
{
	static const char *const docs[] = {
		"", "{", "[]", "null", "{\"version\": 2}", "{\"version\": \"1\"}",
		"{\"version\": 1, \"version\": 1}",
		"{\"version\": 1, \"verification_material\": {}, \"envelope\": {}}",
		"{\"version\": 1, \"verification_material\": {\"certificate\": \"!!\"}, \"envelope\": {}}",
	};
	struct sigstore_verdict v;
	unsigned char sha[32] = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		sigstore_verify(production, SIGSTORE_ATTESTATION, docs[i], strlen(docs[i]), NAME, sha, &v);
		assert_false(v.ok);
		assert_true(v.reason[0] != '\0');
		sigstore_verify(production, SIGSTORE_BUNDLE, docs[i], strlen(docs[i]), NAME, sha, &v);
		assert_false(v.ok);
		sigstore_verify(production, SIGSTORE_PROVENANCE, docs[i], strlen(docs[i]), NAME, sha, &v);
		assert_false(v.ok);
	}
}

/* A root key without a validity start is no key (the specification's
 * rule, stricter than some verifiers). */
static void test_root_window_without_start(void **state)
{
	size_t len;
	char *text = slurp("roots/production.json", &len);
	json_t *root = json_loadb(text, len, 0, NULL), *tlog;
	struct sigstore_root *r;
	struct pl_error err;
	struct sigstore_verdict v;
	unsigned char sha[32];
	size_t i;
	char *doc, *att;

	(void)state;
	json_array_foreach(json_object_get(root, "tlogs"), i, tlog)
		json_object_del(json_object_get(json_object_get(tlog, "publicKey"), "validFor"), "start");
	doc = json_dumps(root, JSON_COMPACT);
	assert_int_equal(sigstore_root_parse(doc, strlen(doc), "root.json", &r, &err), 0);
	att = slurp(ATT, &len);
	file_sha256("pypi/" NAME, sha);
	sigstore_verify(r, SIGSTORE_ATTESTATION, att, len, NAME, sha, &v);
	assert_false(v.ok);
	assert_non_null(strstr(v.reason, "transparency log"));
	sigstore_root_free(r);
	free(att);
	free(doc);
	free(text);
	json_decref(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_evidence_verifies),
		cmocka_unit_test(test_identities),
		cmocka_unit_test(test_tampered_fields),
		cmocka_unit_test(test_bundles),
		cmocka_unit_test(test_verdict_cache),
		cmocka_unit_test(test_conformance_managed_key),
		cmocka_unit_test(test_conformance_timestamped),
		cmocka_unit_test(test_rekor_v2),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_root_window_without_start),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
