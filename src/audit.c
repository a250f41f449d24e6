/* Auditing a lock (see audit.h). */
#include "config.h"
#include "audit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admit.h"

struct job {
	const struct lock_package *pkg;
	const struct lock_file *file;
	struct trust_result result;
};

struct work {
	struct job *jobs;
	size_t n;
	size_t done;
	pthread_mutex_t lock;		/* done, and one progress call at a time */
	struct admit admit;
	const struct env_progress *progress;
};

static void check_one(void *arg, size_t i, void **state)
{
	struct work *w = arg;
	struct job *j = &w->jobs[i];
	char *checked;

	admit_file(&w->admit, state, j->pkg, j->file, false, &checked, &j->result);
	free(checked);
	pthread_mutex_lock(&w->lock);
	w->done++;
	if (w->progress)
		w->progress->report(w->progress->arg, "verify", w->done, w->n);
	pthread_mutex_unlock(&w->lock);
}

/* The files of each package to check: the best wheel for the interpreter,
 * or every file. Packages out of this environment are counted apart. */
static void plan_jobs(struct projctx *c, bool all_files, struct work *w, bool *skip, struct audit *a)
{
	const struct lock *lock = c->lock;
	struct env_selector sel;

	if (!all_files)
		env_selector_init(&sel, &c->sel, &c->py);
	for (size_t i = 0; i < lock->npackages; i++) {
		const struct lock_package *p = &lock->packages[i];
		size_t nf = p->nwheels + p->has_sdist + p->has_archive;
		const struct lock_file *best = NULL;
		const char *why;

		if (!all_files && !env_selector_applies(&sel, p, &why) && !why) {
			skip[i] = true;
			a->skipped++;
			continue;
		}
		if (!all_files && (best = env_best_wheel(&c->py, p)))
			nf = 1;
		w->jobs = util_xrealloc(w->jobs, (w->n + nf + 1) * sizeof(*w->jobs));
		for (size_t k = 0; k < nf; k++) {
			const struct lock_file *f = best ? best : k < p->nwheels ? &p->wheels[k]
				: (k == p->nwheels && p->has_sdist) ? &p->sdist : &p->archive;
			struct job *j = &w->jobs[w->n++];
			memset(j, 0, sizeof(*j));
			j->pkg = p;
			j->file = f;
		}
	}
}

int audit_run(struct projctx *c, bool all_files, const struct env_progress *progress, struct audit *a,
	      struct pl_error *err)
{
	struct work w = { .progress = progress, .lock = PTHREAD_MUTEX_INITIALIZER };
	struct pl_error why;
	bool *skip;

	memset(a, 0, sizeof(*a));
	w.admit = projctx_admit(c, NULL);
	if (registry_check_lock(&w.admit.fetch, c->lock, err) < 0)
		return -1;
	if (!all_files && projctx_need(c, PROJCTX_PYTHON, &why) < 0) {
		pl_error_format(&why, a->every_file_why, sizeof(a->every_file_why));
		all_files = true;
	}
	skip = util_xcalloc(c->lock->npackages + 1, sizeof(*skip));
	plan_jobs(c, all_files, &w, skip, a);
	w.admit.cache = trust_cache_open_default();
	/* Hashing is most of the work: one thread per core. */
	util_parallel(w.n, check_one, admit_conn_free, &w);

	a->packages = util_xcalloc(c->lock->npackages + 1, sizeof(*a->packages));
	for (size_t i = 0, k = 0; i < c->lock->npackages; i++) {
		const struct lock_package *p = &c->lock->packages[i];
		const struct job *worst = NULL;

		if (skip[i])
			continue;
		for (; k < w.n && w.jobs[k].pkg == p; k++)
			if (!worst || w.jobs[k].result.status < worst->result.status)
				worst = &w.jobs[k];
		struct audit_package *ap = &a->packages[a->n++];
		ap->pkg = p;
		ap->file = worst ? worst->file : NULL;
		if (worst)
			ap->result = worst->result;
		else if (p->source == LOCK_SOURCE_DIRECTORY)
			trust_result_set(&ap->result, TRUST_LOCAL, "a folder of the project's (%s), not a file to check",
					 toml_get(p->directory, "path")->u.str.ptr);
		else
			trust_result_set(&ap->result, TRUST_MISSING, "the lock records no file for it");
		a->counts[ap->result.status]++;
		a->failed |= ap->result.status < TRUST_ALLOWED_UNSIGNED;
	}
	a->enforced = a->failed && c->policy.mode == TRUST_ENFORCE;
	if (trust_cache_close(w.admit.cache, &why) < 0)
		pl_error_format(&why, a->cache_why, sizeof(a->cache_why));
	free(skip);
	free(w.jobs);
	return 0;
}

void audit_fini(struct audit *a)
{
	free(a->packages);
	memset(a, 0, sizeof(*a));
}
