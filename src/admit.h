/* admit: the one way a locked file's bytes reach a verdict and, when they
 * are to be kept, the store. One sequence for every file sync installs and
 * audit reports:
 *   locate  — the lock's path, the registry's mirror folder, the file's url,
 *             the package's index page (PEP 751: when the url fails);
 *   get     — a local file is read where it is, or copied into a stage; a
 *             remote one is downloaded into a stage, hashed as it streams;
 *   check   — size, hash and signature under the policy (trust), on the
 *             bytes that will be kept;
 *   commit  — only then the staged bytes are renamed into the store.
 * New kinds of evidence plug into the check, nowhere else. */
#ifndef PYLOCK_ADMIT_H
#define PYLOCK_ADMIT_H

#include <stdbool.h>

#include "lock.h"
#include "registry.h"
#include "trust.h"

struct admit {
	const char *store;			/* NULL: nothing is kept or fetched */
	const struct trust_policy *policy;
	struct trust_cache *cache;		/* may be NULL */
	const char *lock_dir;			/* relative paths in the lock start here */
	struct registry_options fetch;		/* how remote files are fetched */
	bool offline;				/* local files and stored blobs only */
};

/* Finds, gets and checks the locked file f of package pkg; res gets its
 * status and *checked the path of the bytes checked (malloc'd, or NULL).
 * With keep, the bytes end in the store (*checked is the blob) and only
 * when trust_admissible(); without, a local file is checked in place and a
 * stored blob is preferred to the network. conn is the calling thread's
 * connection: NULL at first, made when needed, freed with admit_conn_free
 * (one per thread: the pool's per-worker state; NULL when offline). */
void admit_file(const struct admit *a, void **conn, const struct lock_package *pkg, const struct lock_file *f,
		bool keep, char **checked, struct trust_result *res);
void admit_conn_free(void *conn);

#endif
