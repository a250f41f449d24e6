/* store: pylock's content-addressed store (DESIGN.md, "Files and paths"):
 * blobs/sha256/ab/cdef... hold verified files, read-only. Nothing enters
 * unless its bytes pass the lock's hash and the trust policy. */
#ifndef PYLOCK_STORE_H
#define PYLOCK_STORE_H

#include "lock.h"
#include "trust.h"
#include "util.h"

/* Admits the locked file f of package pkg, read from src (its signature from
 * src.sig): the bytes are copied into the store under a temporary name,
 * checked there (so what is checked is what is kept), and renamed into
 * place only when trust_admissible() says so. On refusal nothing is left in
 * the store and err says why; r (may be NULL) receives the check's result.
 * *blob gets the stored path (malloc'd). */
int store_admit(const char *root, const struct trust_policy *policy, const struct lock_package *pkg,
		const struct lock_file *f, const char *src, char **blob, struct trust_result *r,
		struct pl_error *err);

#endif
