/* trust: the trust policy (policy.yaml), keys, detached signatures and the
 * status of each locked file (DESIGN.md, "Trust"), with OpenSSL 3's EVP API.
 * OpenSSL types stay behind this header. */
#ifndef PYLOCK_TRUST_H
#define PYLOCK_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lock.h"
#include "util.h"

/* A detached signature is read up to this size (raw Ed25519 is 64 bytes,
 * base64 DER ECDSA about 100): anything larger is not a signature. */
#define TRUST_SIG_MAX 16384

/* The files that may sit beside a file F to vouch for it: F.sig, then the
 * Sigstore evidence (sigstore.h), each read up to max bytes. Stages and the
 * store keep them beside their blob under the same names. */
struct trust_side {
	const char *suffix;
	size_t max;
};
#define TRUST_NSIDES 6
#define TRUST_SIDE_PROVENANCE 1	/* trust_sides[1]: F.provenance */
extern const struct trust_side trust_sides[TRUST_NSIDES];

/* Worst first: a package's status is the worst of its files'. */
enum trust_status {
	TRUST_HASH_MISMATCH,
	TRUST_BAD_SIGNATURE,
	TRUST_UNTRUSTED_SIGNER,
	TRUST_UNSIGNED,
	TRUST_MISSING,
	TRUST_UNHASHED,
	TRUST_ALLOWED_UNSIGNED,
	TRUST_LOCAL,		/* the project's own folder (a directory entry): no file to check */
	TRUST_VERIFIED,
};

enum trust_mode { TRUST_ENFORCE, TRUST_WARN, TRUST_OFF };

struct evp_pkey_st;

/* Where a policy setting was written (for `pylock policy` and refusals). */
struct trust_place {
	const char *file;	/* the policy's path, or the project's pyproject.toml */
	uint32_t line, col;
};

struct trust_key {
	char *name;		/* the policy's id for it */
	bool distrusted;	/* a project's [tool.pylock.trust] keys leave it out */
	struct trust_place at, distrusted_at;
	char key_id[17];	/* first 16 hex digits of sha256(DER SubjectPublicKeyInfo) */
	struct evp_pkey_st *pkey;
};

struct trust_registry {
	char *name, *url, *mirror;
	struct trust_place at;
	char **keys;		/* names of policy keys; none: top-level keys */
	size_t nkeys;
};

/* An allow-unsigned entry: a name glob (normalised names, fnmatch), a
 * version ("*" or a glob), and the packages' index (NULL: any). */
struct trust_allow {
	char *name, *version, *reason, *index;
	struct trust_place at;
};

/* A Sigstore signer the policy accepts (sigstore.identities): issuer and
 * SAN, each exact or an extended regular expression. */
struct trust_sigstore_identity {
	char *issuer, *san;
	bool issuer_regexp, san_regexp;
	struct trust_place at;
};

struct sigstore_root;

struct trust_policy {
	enum trust_mode mode;
	struct trust_place mode_at;	/* file NULL: the default (no policy.yaml, or no mode) */
	char *path;			/* policy.yaml, whether it exists or not */
	char *project_file;		/* the pyproject.toml that tightened it, or NULL */
	struct trust_key *keys;
	size_t nkeys;
	struct trust_registry *registries;
	size_t nregistries;
	struct trust_allow *allow;
	size_t nallow;
	/* sigstore.trusted-root, loaded with the policy; NULL: the built-in
	 * production root. */
	char *sigstore_root_path;
	struct sigstore_root *sigstore_root;
	struct trust_sigstore_identity *sigstore_ids;
	size_t nsigstore_ids;
};

/* Loads libcrypto (on first use; the functions below call it themselves). */
int trust_init(struct pl_error *err);

/* Reads policy.yaml; a missing file gives mode enforce with no keys. Unknown
 * keys, wrong types, unreadable or unsupported key files are errors with
 * line:column. Key files may be relative to the policy's folder. */
int trust_policy_load(const char *path, struct trust_policy *p, struct pl_error *err);
/* Applies a project's [tool.pylock.trust] table (pyproject.toml), which may
 * only tighten the policy: `mode` no looser than the global one, `keys` a
 * subset of the policy's keys (the others stop being trusted). Anything that
 * would loosen it is an error with file:line:col. */
int trust_policy_tighten(struct trust_policy *p, const struct toml_value *trust, const char *file,
			 struct pl_error *err);

/* policy.yaml in pylock's config folder. */
int trust_policy_load_default(struct trust_policy *p, struct pl_error *err);
/* The policy a project works under: the user's, tightened by the project's
 * [tool.pylock.trust] (tool_pylock is its [tool.pylock] table, or NULL).
 * Every front end that checks a project's files uses this one. */
int trust_policy_load_project(const struct toml_value *tool_pylock, const char *pyproject_path,
			      struct trust_policy *p, struct pl_error *err);
void trust_policy_fini(struct trust_policy *p);

/* An ECDSA P-256 key pair: NAME.key (PKCS#8 PEM, mode 0600, never
 * overwritten) and NAME.pub. key_id receives its id. */
int trust_key_generate(const char *name, char key_id[17], struct pl_error *err);
/* Signs file into file.sig: base64 DER ECDSA/SHA-256 for EC keys, raw
 * Ed25519 for Ed25519 keys (what cosign sign-blob and openssl make). */
int trust_sign_file(const char *key_path, const char *file, char key_id[17], struct pl_error *err);

/* Who made an attestation, for verified and untrusted-signer by Sigstore
 * evidence: the publisher kind its issuer names ("GitHub", "GitLab",
 * "Google", else ""), and for GitHub and GitLab the repository
 * ("owner/name") and workflow file. */
struct trust_signer {
	char kind[16];
	char issuer[128];
	char san[256];
	char repository[128];
	char workflow[128];
	char described[200];	/* "GitHub woodruffw/abi3info release.yml" */
};

struct trust_result {
	enum trust_status status;
	char key_id[17];	/* the signer's, for verified and untrusted-signer */
	char reason[256];
	struct trust_signer signer;	/* kind or issuer set: an attestation decided */
};

/* Sets r to status st with the reason formatted (nothing else kept). */
void trust_result_set(struct trust_result *r, enum trust_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Hashes already computed, keyed by (device, inode, size, mtime): a second
 * verification re-hashes nothing. Safe to share between threads. */
struct trust_cache;
struct trust_cache *trust_cache_open(const char *path);
/* The user's hash cache (the cache folder's "hashes"), or NULL. */
struct trust_cache *trust_cache_open_default(void);
/* Saves (atomically) when anything was added, and frees. */
int trust_cache_close(struct trust_cache *c, struct pl_error *err);

/* Checks the locked file f of package pkg found at path: size and its
 * strongest hash (and sha256 when recorded) against the lock, then what
 * vouches for it, beside it under side + trust_sides[i].suffix (side NULL:
 * path): every Sigstore evidence file must verify, and its signer be one
 * the lock's attestation-identities (when it names any: then nothing else
 * will do) or the policy's sigstore identities accept; else the .sig
 * against the keys the policy trusts for the package's index (its
 * registry; none: files outside a registry); else allow-unsigned for its
 * name and version. cache may be NULL. */
void trust_check_file(const struct trust_policy *p, struct trust_cache *cache, const struct lock_package *pkg,
		      const struct lock_file *f, const char *path, const char *side, struct trust_result *r);
/* The same with the file's digests already computed, e.g. while it
 * streamed in; the size is the caller's to have checked. */
struct trust_digests;
void trust_check_hashed(const struct trust_policy *p, const struct lock_package *pkg, const struct lock_file *f,
			const char *path, const struct trust_digests *d, const char *side, struct trust_result *r);
/* True, with r unhashed, when the lock records no hash pylock checks for f
 * (none, or only md5 / sha1). */
bool trust_unhashed(const struct lock_file *f, struct trust_result *r);
/* Whether a status lets a file into the store under the policy's mode:
 * verified or allowed-unsigned under enforce; anything but a hash mismatch
 * otherwise (the bytes must always be the ones the lock names). */
bool trust_admissible(const struct trust_policy *p, enum trust_status s);
/* What a user can do about a file refused with status s (one sentence). */
const char *trust_remedy(enum trust_status s);
/* Whether allow-unsigned entry a covers package pkg. */
bool trust_allow_matches(const struct trust_allow *a, const struct lock_package *pkg);

/* What a check compares of one file: its sha256 (what signatures and the
 * hash cache are over) and, when the lock's strongest hash is another
 * algorithm (lock_file_best_hash), that one too. */
struct trust_digests {
	char sha256[65];
	const char *algo;	/* the other algorithm, as the lock names it; NULL when none */
	char other[129];
};
/* Computes trust_digests as bytes come; algo is the lock's strongest
 * algorithm (NULL or sha256: sha256 alone). */
struct trust_digester;
struct trust_digester *trust_digester_new(const char *algo, struct pl_error *err);
void trust_digester_update(struct trust_digester *d, const void *data, size_t len);
/* Writes the digests and frees d. */
void trust_digester_final(struct trust_digester *d, struct trust_digests *out);
/* The same over a regular file (-1 with err when unreadable). */
int trust_digest_file(const char *path, const char *algo, struct trust_digests *out, struct pl_error *err);

/* sha256 of a file, hex; -1 with err when unreadable. */
int trust_sha256_file(const char *path, char hex[65], struct pl_error *err);

/* An incremental sha256; final writes the hex digest and frees it. */
struct trust_sha256;
struct trust_sha256 *trust_sha256_new(struct pl_error *err);
void trust_sha256_update(struct trust_sha256 *h, const void *data, size_t len);
void trust_sha256_final(struct trust_sha256 *h, char hex[65]);

const char *trust_status_name(enum trust_status s);
const char *trust_mode_name(enum trust_mode m);

#endif
