/* store: pylock's content-addressed store (DESIGN.md, "Files and paths"):
 * blobs/sha256/ab/cdef... hold verified files, read-only, each with its
 * signature beside it (cdef....sig) when it had one. Nothing enters unless
 * its bytes pass the lock's hash and the trust policy. */
#ifndef PYLOCK_STORE_H
#define PYLOCK_STORE_H

#include "lock.h"
#include "trust.h"
#include "util.h"

/* How much of a file whose lock gives no size is read (a lock that gives
 * a size is read no further than it). */
#define STORE_UNSIZED_MAX ((uint64_t)4 << 30)

/* A blob being written: a temporary file in the store's stage/ folder (on
 * the same file system, so that the rename that publishes it is atomic),
 * locked while its writer lives: store_clean_stages() removes those whose
 * writer died. */
struct store_stage {
	char *dir, *tmp, *final, *sig_tmp;
	int fd;
};

/* Opens a staging file for a blob whose sha256 is the lock's (hex). */
int store_stage_open(const char *root, const char *sha256, struct store_stage *s, struct pl_error *err);
/* Stages the file's detached signature (at most 16 KiB). */
int store_stage_signature(struct store_stage *s, const void *data, size_t len, struct pl_error *err);
/* Checks the staged bytes against f and the policy (hex: their sha256 when
 * computed while they were written, else NULL to hash them now) and, when
 * trust_admissible(), renames them into place; *blob gets the stored path.
 * Refused or not, the stage is finished: nothing temporary is left. r (may
 * be NULL) receives the check's result. */
int store_stage_commit(struct store_stage *s, const struct trust_policy *policy, const struct lock_package *pkg,
		       const struct lock_file *f, const char *hex, char **blob, struct trust_result *r,
		       struct pl_error *err);
/* Drops a stage without publishing anything. */
void store_stage_abort(struct store_stage *s);

/* Removes stage files whose writer is gone (a killed sync or verify). */
void store_clean_stages(const char *root);

/* Admits the locked file f of package pkg, read from the local file src (its
 * signature from src.sig): copied into a stage, checked there (so what is
 * checked is what is kept), committed. Only a regular file is read, and no
 * more of it than the lock's size (STORE_UNSIZED_MAX without one). r always
 * gets a status: missing (with the reason: no such file, not a regular
 * file, no space left) or hash-mismatch (larger than locked) when the copy
 * fails. */
int store_admit(const char *root, const struct trust_policy *policy, const struct lock_package *pkg,
		const struct lock_file *f, const char *src, char **blob, struct trust_result *r,
		struct pl_error *err);

/* The stored blob for f (by the lock's sha256), or NULL when absent. */
char *store_blob(const char *root, const struct lock_file *f);

/* The store's root folder (PYLOCK_HOME/data or XDG_DATA_HOME/pylock). */
char *store_root(struct pl_error *err);

#endif
