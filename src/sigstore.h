/* sigstore: Sigstore evidence verified offline (DESIGN.md, "Trust"): PyPI's
 * PEP 740 attestations and provenance objects, and Sigstore bundles
 * (v0.1-v0.3), against a trusted root (trusted_root.json). Verification is
 * sigstore-python's and sigstore-js's: the artifact binding, the DSSE or
 * message signature, the Rekor entry's body against the bundle, its Merkle
 * inclusion proof and signed checkpoint, its signed entry timestamp (the
 * signed time), the certificate chain to a Fulcio CA at that time, key
 * usage, the SCT, and every validity window of the root. Who signed comes
 * out as a sigstore_signer; whether that signer is wanted is the caller's
 * question (sigstore_identity_match). OpenSSL types stay behind this header. */
#ifndef PYLOCK_SIGSTORE_H
#define PYLOCK_SIGSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Evidence and trusted roots are read up to this size. */
#define SIGSTORE_MAX_DOC (1u << 20)
/* A provenance object holds at most this many attestations in all. */
#define SIGSTORE_MAX_SIGNERS 8

/* Loads libcrypto (on first use; the functions below call it themselves). */
int sigstore_init(struct pl_error *err);

struct sigstore_root;
/* Reads a trusted_root.json (Sigstore's protobuf-specs TrustedRoot, JSON
 * form). Malformed documents are errors; keys and certificates that cannot
 * be used are kept out, so nothing verifies against them. */
int sigstore_root_load(const char *path, struct sigstore_root **out, struct pl_error *err);
int sigstore_root_parse(const char *text, size_t len, const char *name, struct sigstore_root **out,
			struct pl_error *err);
void sigstore_root_free(struct sigstore_root *r);
/* Sigstore's production root as pylock was built with it: loaded once,
 * shared by every thread, never freed. NULL with err when it cannot be. */
const struct sigstore_root *sigstore_root_builtin(struct pl_error *err);
/* The newest validity start in the root ("2025-04-16T00:00:00Z"), to say
 * how current it is; "" when it has none. */
const char *sigstore_root_date(const struct sigstore_root *r);

enum sigstore_form {
	SIGSTORE_PROVENANCE,	/* PyPI Integrity API provenance: every attestation must verify */
	SIGSTORE_ATTESTATION,	/* one PEP 740 attestation object */
	SIGSTORE_BUNDLE,	/* a Sigstore bundle (cosign sign-blob --bundle, sigstore sign) */
};

/* The evidence files looked for beside a file F, in this order. */
struct sigstore_suffix {
	const char *suffix;
	enum sigstore_form form;
};
extern const struct sigstore_suffix sigstore_suffixes[];
extern const size_t sigstore_nsuffixes;

/* Who signed, from the certificate Fulcio issued (its extensions, OIDs
 * 1.3.6.1.4.1.57264.1.*). Empty strings when absent. */
struct sigstore_signer {
	char issuer[256];		/* OIDC issuer */
	char san[512];			/* URI or email of the subject alternative name */
	char repository[256];		/* Source Repository URI */
	char build_config[512];		/* Build Config URI (workflow@ref) */
	char source_digest[128];	/* Source Repository Digest */
	char source_ref[256];		/* Source Repository Ref */
	int64_t signed_at;		/* the verified signing time (Unix seconds) */
	int key;			/* a managed-key bundle: the index of the key that
					 * signed it (the rest is empty); -1: a certificate */
};

struct sigstore_verdict {
	bool ok;
	char reason[256];		/* why not, when !ok */
	struct sigstore_signer signers[SIGSTORE_MAX_SIGNERS];
	size_t nsigners;		/* one per verified attestation */
};

/* Verifies evidence doc[0..len) of form for the file named file_name with
 * sha256 digest (32 bytes). Never fails otherwise: every malformed,
 * oversized or unverifiable document is a verdict with its reason. */
void sigstore_verify(const struct sigstore_root *root, enum sigstore_form form, const char *doc, size_t len,
		     const char *file_name, const unsigned char sha256[32], struct sigstore_verdict *v);
/* The same, a bundle signed by a managed key (a public key hint, no
 * certificate) verified against keys[0..nkeys): the key whose signature
 * it is, and whose public key its log entry names. */
struct evp_pkey_st;
void sigstore_verify_keys(const struct sigstore_root *root, struct evp_pkey_st *const *keys, size_t nkeys,
			  enum sigstore_form form, const char *doc, size_t len, const char *file_name,
			  const unsigned char sha256[32], struct sigstore_verdict *v);

/* The same, with positive verdicts kept in the folder dir (created as
 * needed; NULL: no cache) under the sha256 of the root, the form, the
 * evidence and the file's name and digest: a verdict does not depend on
 * when it is reached, so a file verified once is not verified again
 * (managed-key verdicts, which depend on the keys, are not kept). */
void sigstore_verify_cached(const char *dir, const struct sigstore_root *root, struct evp_pkey_st *const *keys,
			    size_t nkeys, enum sigstore_form form, const char *doc, size_t len, const char *file_name,
			    const unsigned char sha256[32], struct sigstore_verdict *v);

/* A wanted signer: a PEP 740 publisher (a lock's
 * [[packages.attestation-identities]]) or a policy identity (issuer and
 * SAN, each exact or an extended regular expression, as cosign's
 * --certificate-oidc-issuer[-regexp] and --certificate-identity[-regexp]). */
enum sigstore_identity_kind {
	SIGSTORE_ID_GITHUB,	/* repository, workflow (environment is not in the certificate) */
	SIGSTORE_ID_GITLAB,	/* repository, workflow (the workflow_filepath) */
	SIGSTORE_ID_GOOGLE,	/* email */
	SIGSTORE_ID_POLICY,	/* issuer / issuer_regexp, san / san_regexp */
};

struct sigstore_identity {
	enum sigstore_identity_kind kind;
	const char *repository, *workflow, *email;
	const char *issuer, *san;
	bool issuer_regexp, san_regexp;
};

/* The identity kind a PEP 740 publisher kind names ("GitHub", "GitLab",
 * "Google"); false for any other. */
bool sigstore_publisher_kind(const char *name, enum sigstore_identity_kind *kind);
/* Whether signer s is identity id. A regular expression that does not
 * compile matches nothing. */
bool sigstore_identity_match(const struct sigstore_identity *id, const struct sigstore_signer *s);
/* For a GitHub or GitLab signer: its repository ("owner/name") and
 * workflow file; false for other signers. */
bool sigstore_signer_publisher(const struct sigstore_signer *s, char *repo, size_t repo_size, char *workflow,
			       size_t workflow_size);
/* A short form for text and the UI: "GitHub woodruffw/abi3info release.yml",
 * "GitLab group/project .gitlab-ci.yml", else "SAN (issuer)". */
void sigstore_signer_describe(const struct sigstore_signer *s, char *buf, size_t size);
/* The publisher kind the signer's issuer names ("GitHub", "GitLab",
 * "Google"), or "" for another issuer. */
const char *sigstore_signer_kind(const struct sigstore_signer *s);

#endif
