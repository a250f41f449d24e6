/* audit: a project's lock checked against its trust policy, package by
 * package, as pylock verify shows it: each locked file this interpreter
 * would use (or every file) found as sync finds it, hashed, its signature
 * checked; a package's result is its worst file's. Files are checked on
 * every core; a callback hears how many are done. */
#ifndef PYLOCK_AUDIT_H
#define PYLOCK_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "projctx.h"
#include "trust.h"

struct audit_package {
	const struct lock_package *pkg;
	const struct lock_file *file;	/* the worst file; NULL when the lock names none */
	struct trust_result result;
};

struct audit {
	struct audit_package *packages;	/* in the lock's order, those checked */
	size_t n;
	size_t skipped;			/* packages whose markers leave them out here */
	size_t counts[TRUST_VERIFIED + 1];
	bool failed;			/* any package worse than allowed-unsigned */
	bool enforced;			/* ... under mode enforce: verify fails */
	/* When the interpreter could not be found, every file was checked;
	 * this says why (else ""). */
	char every_file_why[1200];
	char cache_why[1200];		/* the hash cache could not be saved: why (else "") */
};

/* Audits c's lock (c needs PROJCTX_POLICY and PROJCTX_LOCK; the
 * interpreter is opened here unless all_files). progress, when not NULL,
 * hears phase "verify" with files done and their total, one call at a
 * time (from the checking threads). */
int audit_run(struct projctx *c, bool all_files, const struct env_progress *progress, struct audit *a,
	      struct pl_error *err);
void audit_fini(struct audit *a);

#endif
