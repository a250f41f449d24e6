/* Verification: a locked file's size, hash and detached signature
 * under the policy, giving its status. */
#include "config.h"
#include "trust.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "trust-internal.h"
#include "pep508.h"
#include "sigstore.h"

/* A signature file: base64 (cosign, openssl | base64) or raw bytes. */
static size_t decode_sig(const char *text, size_t len, unsigned char *out, size_t max)
{
	bool b64 = len > 0;
	int n, m;

	for (size_t i = 0; i < len && b64; i++) {
		unsigned char c = (unsigned char)text[i];
		b64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '/' || c == '=' || c == '\n' || c == '\r';
	}
	if (!b64) {
		if (len > max)
			return 0;
		memcpy(out, text, len);
		return len;
	}
	EVP_ENCODE_CTX *ctx = C(EVP_ENCODE_CTX_new)();
	unsigned char *tmp = util_xmalloc(len + 4);
	C(EVP_DecodeInit)(ctx);
	if (C(EVP_DecodeUpdate)(ctx, tmp, &n, (const unsigned char *)text, (int)len) < 0 ||
	    C(EVP_DecodeFinal)(ctx, tmp + n, &m) < 0 || (size_t)(n + m) > max) {
		C(EVP_ENCODE_CTX_free)(ctx);
		free(tmp);
		return 0;
	}
	C(EVP_ENCODE_CTX_free)(ctx);
	memcpy(out, tmp, (size_t)(n + m));
	free(tmp);
	return (size_t)(n + m);
}

static bool verify_with(EVP_PKEY *k, const unsigned char *sig, size_t siglen, const unsigned char digest[32],
			const char *path)
{
	bool ok = false;

	if (C(EVP_PKEY_is_a)(k, "ED25519")) {
		char *data;
		size_t len;
		struct pl_error err;
		EVP_MD_CTX *ctx;

		if (siglen != 64 || util_read_file(path, ED25519_MAX_FILE, &data, &len, &err) < 0)
			return false;
		ctx = C(EVP_MD_CTX_new)();
		ok = ctx && C(EVP_DigestVerifyInit)(ctx, NULL, NULL, NULL, k) == 1 &&
		     C(EVP_DigestVerify)(ctx, sig, siglen, (unsigned char *)data, len) == 1;
		C(EVP_MD_CTX_free)(ctx);
		free(data);
		return ok;
	}
	/* ECDSA over the SHA-256 already computed for the hash check. */
	EVP_PKEY_CTX *pctx = C(EVP_PKEY_CTX_new)(k, NULL);
	ok = pctx && C(EVP_PKEY_verify_init)(pctx) == 1 && C(EVP_PKEY_CTX_set_signature_md)(pctx, C(EVP_sha256)()) == 1 &&
	     C(EVP_PKEY_verify)(pctx, sig, siglen, digest, 32) == 1;
	C(EVP_PKEY_CTX_free)(pctx);
	return ok;
}

static const struct trust_registry *registry_for(const struct trust_policy *p, const char *index)
{
	for (size_t i = 0; index && i < p->nregistries; i++) {
		size_t a = strlen(index), b = strlen(p->registries[i].url);
		while (a && index[a - 1] == '/')
			a--;
		while (b && p->registries[i].url[b - 1] == '/')
			b--;
		if (a == b && !strncmp(index, p->registries[i].url, a))
			return &p->registries[i];
	}
	return NULL;
}

/* Trusted for a file: its registry's own keys when it names some, else the
 * top-level keys (those that no registry lists). */
static bool trusted(const struct trust_policy *p, const struct trust_registry *reg, const struct trust_key *k)
{
	bool in_some_registry = false;

	if (k->distrusted)
		return false;
	for (size_t i = 0; i < p->nregistries; i++)
		for (size_t j = 0; j < p->registries[i].nkeys; j++)
			if (!strcmp(p->registries[i].keys[j], k->name)) {
				if (reg == &p->registries[i])
					return true;
				in_some_registry = true;
			}
	return !in_some_registry && !(reg && reg->nkeys);
}

bool trust_allow_matches(const struct trust_allow *a, const struct lock_package *pkg)
{
	char name[PEP508_MAX_NAME], glob[PEP508_MAX_NAME];

	if (strlen(pkg->name) >= sizeof(name) || strlen(a->name) >= sizeof(glob))
		return false;
	/* Names compare normalised (a glob too: Corp_* is corp-*). */
	pep508_normalize_name(pkg->name, name);
	pep508_normalize_name(a->name, glob);
	if (fnmatch(glob, name, 0))
		return false;
	if (strcmp(a->version, "*") && (!pkg->version || fnmatch(a->version, pkg->version, 0)))
		return false;
	return !a->index || (pkg->index && util_url_same_folder(a->index, pkg->index));
}

static const struct trust_allow *allowed_unsigned(const struct trust_policy *p, const struct lock_package *pkg)
{
	for (size_t i = 0; i < p->nallow; i++)
		if (trust_allow_matches(&p->allow[i], pkg))
			return &p->allow[i];
	return NULL;
}

const char *trust_remedy(enum trust_status s)
{
	switch (s) {
	case TRUST_HASH_MISMATCH:
		return "the bytes are not the ones the lock pins: find the right file, or lock again";
	case TRUST_BAD_SIGNATURE:
		return "the signature or attestation does not verify: get the file and what vouches for it from the signer again";
	case TRUST_UNTRUSTED_SIGNER:
		return "trust the signer's key for that registry, or its Sigstore identity, in policy.yaml, if you do";
	case TRUST_UNSIGNED:
		return "sign the file with a key the policy lists, or add it to allow-unsigned in policy.yaml";
	case TRUST_MISSING:
		return "make the file reachable: its path, a registry mirror, its url, or its index";
	case TRUST_UNHASHED:
		return "lock it again with a sha256 (or stronger) hash";
	default:
		return "";
	}
}

/* ---- Sigstore evidence ---- */

/* A lock's [[packages.attestation-identities]] entry as a wanted signer
 * (PEP 740 publisher keys; GitLab's workflow is its workflow_filepath). */
static bool lock_identity(const struct toml_value *t, struct sigstore_identity *id)
{
	const struct toml_value *kind = toml_get(t, "kind"), *wf = toml_get(t, "workflow");
	const struct toml_value *repo = toml_get(t, "repository"), *email = toml_get(t, "email");

	memset(id, 0, sizeof(*id));
	if (!kind || kind->type != TOML_STRING)
		return false;
	if (!strcmp(kind->u.str.ptr, "GitLab"))
		wf = toml_get(t, "workflow_filepath") ? toml_get(t, "workflow_filepath") : wf;
	id->repository = repo && repo->type == TOML_STRING ? repo->u.str.ptr : NULL;
	id->workflow = wf && wf->type == TOML_STRING ? wf->u.str.ptr : NULL;
	id->email = email && email->type == TOML_STRING ? email->u.str.ptr : NULL;
	return sigstore_publisher_kind(kind->u.str.ptr, &id->kind);
}

static bool lock_requires_attestation(const struct lock_package *pkg)
{
	return pkg->attestation_identities && pkg->attestation_identities->type == TOML_ARRAY &&
	       pkg->attestation_identities->u.array.len > 0;
}

/* Whether signer s is wanted: by one of the lock's identities when it
 * names any (nothing else will do), else by one of the policy's. why gets
 * which one. */
static bool signer_accepted(const struct trust_policy *p, const struct lock_package *pkg,
			    const struct sigstore_signer *s, char *why, size_t size)
{
	struct sigstore_identity id;

	/* A managed key is no publisher: it counts where its .sig would. */
	if (s->key >= 0) {
		const struct trust_key *k = &p->keys[s->key];
		snprintf(why, size, "key %.100s", k->name);
		return !lock_requires_attestation(pkg) && trusted(p, registry_for(p, pkg->index), k);
	}
	if (lock_requires_attestation(pkg)) {
		for (size_t i = 0; i < pkg->attestation_identities->u.array.len; i++) {
			const struct toml_value *t = pkg->attestation_identities->u.array.items[i];
			if (lock_identity(t, &id) && sigstore_identity_match(&id, s)) {
				snprintf(why, size, "the lock's attestation-identities (line %u)", t->line);
				return true;
			}
		}
		return false;
	}
	for (size_t i = 0; i < p->nsigstore_ids; i++) {
		const struct trust_sigstore_identity *t = &p->sigstore_ids[i];
		const char *base = strrchr(t->at.file, '/');

		id = (struct sigstore_identity){ .kind = SIGSTORE_ID_POLICY, .issuer = t->issuer, .san = t->san,
						 .issuer_regexp = t->issuer_regexp, .san_regexp = t->san_regexp };
		if (sigstore_identity_match(&id, s)) {
			snprintf(why, size, "sigstore identity at %s:%u:%u", base ? base + 1 : t->at.file, t->at.line,
				 t->at.col);
			return true;
		}
	}
	return false;
}

static void set_signer(struct trust_signer *out, const struct sigstore_signer *s)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->kind, sizeof(out->kind), "%s", sigstore_signer_kind(s));
	snprintf(out->issuer, sizeof(out->issuer), "%.*s", (int)sizeof(out->issuer) - 1, s->issuer);
	snprintf(out->san, sizeof(out->san), "%.*s", (int)sizeof(out->san) - 1, s->san);
	sigstore_signer_publisher(s, out->repository, sizeof(out->repository), out->workflow, sizeof(out->workflow));
	sigstore_signer_describe(s, out->described, sizeof(out->described));
}

/* The Sigstore evidence beside the file (base + each suffix): 0 when there
 * is none; else 1 with r verified, bad-signature or untrusted-signer.
 * Every evidence file present must verify: a forged one is never just
 * passed over. */
static int check_evidence(const struct trust_policy *p, const struct lock_package *pkg, const struct lock_file *f,
			  const char *base, const unsigned char sha256[32], struct trust_result *r)
{
	struct sigstore_signer accepted, other;
	bool any = false, have_accepted = false, have_other = false, failed = false;
	char why[160] = "", *cache = NULL;
	EVP_PKEY **keys = NULL;

	for (size_t i = 0; i < sigstore_nsuffixes && !failed; i++) {
		const char *suffix = sigstore_suffixes[i].suffix;
		struct util_buf path = UTIL_BUF_INIT;
		struct sigstore_verdict *v;
		const struct sigstore_root *root;
		struct pl_error err;
		char *doc;
		size_t len;
		int rc;

		util_buf_printf(&path, "%s%s", base, suffix);
		rc = util_read_file(path.data, SIGSTORE_MAX_DOC, &doc, &len, &err);
		util_buf_free(&path);
		if (rc < 0 && errno == ENOENT)
			continue;
		failed = true;
		if (rc < 0) {
			trust_result_set(r, TRUST_BAD_SIGNATURE, "the %s cannot be read: %.200s", suffix + 1, err.msg);
			continue;
		}
		if (!(root = p->sigstore_root ? p->sigstore_root : sigstore_root_builtin(&err))) {
			free(doc);
			trust_result_set(r, TRUST_BAD_SIGNATURE, "no Sigstore trusted root: %.200s", err.msg);
			continue;
		}
		/* What only evidence needs, made when the first is found. */
		if (!any) {
			any = true;
			cache = util_dir_file(UTIL_DIR_CACHE, "attestations", &err);
			keys = util_xcalloc(p->nkeys + 1, sizeof(*keys));
			for (size_t k = 0; k < p->nkeys; k++)
				keys[k] = p->keys[k].pkey;
		}
		v = util_xmalloc(sizeof(*v));
		sigstore_verify_cached(cache, root, keys, p->nkeys, sigstore_suffixes[i].form, doc, len, f->name, sha256, v);
		free(doc);
		if (!v->ok)
			trust_result_set(r, TRUST_BAD_SIGNATURE, "%s: %.220s", suffix + 1, v->reason);
		failed = !v->ok;
		for (size_t k = 0; k < v->nsigners; k++) {
			if (!have_accepted && signer_accepted(p, pkg, &v->signers[k], why, sizeof(why))) {
				accepted = v->signers[k];
				have_accepted = true;
			} else if (!have_other) {
				other = v->signers[k];
				have_other = true;
			}
		}
		free(v);
	}
	free(cache);
	free(keys);
	if (failed)
		return 1;
	if (!any)
		return 0;
	memset(r, 0, sizeof(*r));
	r->status = have_accepted ? TRUST_VERIFIED : TRUST_UNTRUSTED_SIGNER;
	const struct sigstore_signer *s = have_accepted ? &accepted : &other;
	if (s->key >= 0) {
		const struct trust_key *key = &p->keys[s->key];
		memcpy(r->key_id, key->key_id, sizeof(r->key_id));
		snprintf(r->reason, sizeof(r->reason), "signed by %.100s in a Sigstore bundle%s", key->name,
			 have_accepted ? "" : lock_requires_attestation(pkg) ? ", not one of the lock's attestation-identities"
			 : ", a key not trusted for this file");
		return 1;
	}
	set_signer(&r->signer, s);
	if (have_accepted)
		snprintf(r->reason, sizeof(r->reason), "attested by %.150s (%.90s)", r->signer.described, why);
	else
		snprintf(r->reason, sizeof(r->reason), "attested by %.150s, %s", r->signer.described,
			 lock_requires_attestation(pkg) ? "not one of the lock's attestation-identities"
							: "which no sigstore identity of the policy accepts");
	return 1;
}

static void hex_to_bytes(const char *hex, unsigned char out[32])
{
	for (int i = 0; i < 32; i++) {
		unsigned v;
		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (unsigned char)v;
	}
}

bool trust_admissible(const struct trust_policy *p, enum trust_status s)
{
	if (p->mode == TRUST_ENFORCE)
		return s >= TRUST_ALLOWED_UNSIGNED;
	return s != TRUST_HASH_MISMATCH && s != TRUST_MISSING && s != TRUST_UNHASHED;
}

void trust_result_set(struct trust_result *r, enum trust_status st, const char *fmt, ...)
{
	va_list ap;

	memset(r, 0, sizeof(*r));
	r->status = st;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}

bool trust_unhashed(const struct lock_file *f, struct trust_result *r)
{
	if (lock_file_best_hash(f))
		return false;
	if (f->nhashes)
		trust_result_set(r, TRUST_UNHASHED, "only a weak hash (%s) for %s; pylock checks sha224 or stronger",
				 f->hashes[0].algo, f->name);
	else
		trust_result_set(r, TRUST_UNHASHED, "the lock records no hash for %s", f->name);
	return true;
}

void trust_check_file(const struct trust_policy *p, struct trust_cache *cache, const struct lock_package *pkg,
		      const struct lock_file *f, const char *path, const char *side, struct trust_result *r)
{
	const struct lock_hash *best = lock_file_best_hash(f);
	struct trust_digests d = { .algo = NULL };
	struct pl_error err;
	struct stat st;

	memset(r, 0, sizeof(*r));
	if (stat(path, &st) < 0) {
		trust_result_set(r, TRUST_MISSING, "%.200s: %s", path, strerror(errno));
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		trust_result_set(r, TRUST_MISSING, "%.200s: not a regular file", path);
		return;
	}
	if (trust_unhashed(f, r))
		return;
	if (f->size >= 0 && st.st_size != f->size) {
		r->status = TRUST_HASH_MISMATCH;
		snprintf(r->reason, sizeof(r->reason), "size %lld, the lock says %lld",
			 (long long)st.st_size, (long long)f->size);
		return;
	}
	/* The cache knows sha256s; another algorithm means reading the file. */
	bool sha256_only = !strcasecmp(best->algo, "sha256");
	if (!sha256_only || !trust_cache_get(cache, &st, d.sha256)) {
		if (trust_digest_file(path, sha256_only ? NULL : best->algo, &d, &err) < 0) {
			trust_result_set(r, TRUST_MISSING, "%.200s", err.msg);
			return;
		}
		trust_cache_put(cache, &st, d.sha256);
	}
	trust_check_hashed(p, pkg, f, path, &d, side, r);
}

void trust_check_hashed(const struct trust_policy *p, const struct lock_package *pkg, const struct lock_file *f,
			const char *path, const struct trust_digests *d, const char *side, struct trust_result *r)
{
	const struct lock_hash *best = lock_file_best_hash(f);
	const char *want = lock_file_sha256(f), *hex = d->sha256;
	struct pl_error err;
	struct trust_result attested;
	char *sigtext = NULL, sigpath[4200];
	unsigned char sig[TRUST_SIG_MAX], digest[32];
	size_t siglen, len;
	int evidence;

	memset(r, 0, sizeof(*r));
	if (trust_unhashed(f, r))
		return;
	/* The strongest hash is the one that counts; a sha256 beside it must
	 * agree too (it is computed anyway). */
	if (strcasecmp(best->algo, "sha256") && (!d->algo || strcasecmp(d->other, best->value))) {
		trust_result_set(r, TRUST_HASH_MISMATCH, "%s %.16s..., the lock says %.16s...", best->algo,
				 d->algo ? d->other : "(not computed)", best->value);
		return;
	}
	if (want && strcasecmp(hex, want)) {
		trust_result_set(r, TRUST_HASH_MISMATCH, "sha256 %.16s..., the lock says %.16s...", hex, want);
		return;
	}
	hex_to_bytes(hex, digest);
	evidence = check_evidence(p, pkg, f, side ? side : path, digest, &attested);
	if (evidence && (attested.status != TRUST_UNTRUSTED_SIGNER || lock_requires_attestation(pkg))) {
		*r = attested;
		return;
	}
	if (!evidence && lock_requires_attestation(pkg)) {
		/* The lock pins who publishes this package: a key's signature or
		 * allow-unsigned cannot stand in for that publisher. */
		trust_result_set(r, TRUST_UNSIGNED, "the lock requires an attestation (attestation-identities); none "
				 "beside the file");
		return;
	}
	snprintf(sigpath, sizeof(sigpath), "%s.sig", side ? side : path);
	if (util_read_file(sigpath, TRUST_SIG_MAX, &sigtext, &len, &err) < 0) {
		/* Only a signature that is not there is "unsigned": one that is
		 * there but cannot be read (too large, a folder, a device) is as
		 * bad as garbage, whatever allow-unsigned says. */
		if (errno != ENOENT) {
			r->status = TRUST_BAD_SIGNATURE;
			snprintf(r->reason, sizeof(r->reason), "the .sig cannot be read: %.200s", err.msg);
			return;
		}
		const struct trust_allow *allow = allowed_unsigned(p, pkg);
		if (evidence) {
			*r = attested;
		} else if (allow) {
			const char *base = strrchr(allow->at.file, '/');
			trust_result_set(r, TRUST_ALLOWED_UNSIGNED, "allow-unsigned at %s:%u:%u: %.120s",
					 base ? base + 1 : allow->at.file, allow->at.line, allow->at.col, allow->reason);
		} else {
			trust_result_set(r, TRUST_UNSIGNED, "no .sig beside the file");
		}
		return;
	}
	siglen = decode_sig(sigtext, len, sig, sizeof(sig));
	free(sigtext);
	const struct trust_registry *reg = registry_for(p, pkg->index);
	const struct trust_key *untrusted = NULL;
	for (size_t i = 0; siglen && i < p->nkeys; i++) {
		if (!verify_with(p->keys[i].pkey, sig, siglen, digest, path))
			continue;
		if (trusted(p, reg, &p->keys[i])) {
			r->status = TRUST_VERIFIED;
			memcpy(r->key_id, p->keys[i].key_id, sizeof(r->key_id));
			snprintf(r->reason, sizeof(r->reason), "signed by %s", p->keys[i].name);
			return;
		}
		untrusted = &p->keys[i];
	}
	if (untrusted) {
		r->status = TRUST_UNTRUSTED_SIGNER;
		memcpy(r->key_id, untrusted->key_id, sizeof(r->key_id));
		snprintf(r->reason, sizeof(r->reason), "signed by %s, which is not trusted for %s", untrusted->name,
			 reg ? reg->name : "files outside a registry");
		return;
	}
	r->status = TRUST_BAD_SIGNATURE;
	snprintf(r->reason, sizeof(r->reason), "%s", siglen ? "no known key made this signature of this file"
		 : "the signature file is not a signature");
}
