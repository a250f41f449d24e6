/* A project's lock made again: see relock.h. */
#include "config.h"
#include "relock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "candidates.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int relock_project(struct projctx *c, const struct relock_request *req, struct relock_result *r,
		   struct pl_error *err)
{
	struct util_buf out = UTIL_BUF_INIT;
	struct candidates *cands = NULL;
	struct projctx_sources src = { 0 };
	struct stat st;
	char *cache = NULL, *old = NULL;
	size_t oldlen = 0;
	double start = now();
	int rc = -1;

	memset(r, 0, sizeof(*r));
	r->why = (struct util_buf)UTIL_BUF_INIT;
	r->lock_name = util_xstrdup(strrchr(c->proj->lock_path, '/') + 1);
	for (size_t i = 0; i < req->nindexes; i++)
		if (strncmp(req->indexes[i], "https://", 8) && strncmp(req->indexes[i], "file://", 7))
			return pl_error_set(err, NULL, 0, 0, "%.200s: only https:// and file:// indexes are read",
					    req->indexes[i]);
	if (!c->proj->pyproject_path)
		return pl_error_set(err, c->proj->root, 0, 0, "has no pyproject.toml: there is nothing to lock from");
	if (stat(c->proj->lock_path, &st) == 0 &&
	    (util_read_file(c->proj->lock_path, LOCK_MAX_SIZE, &old, &oldlen, err) < 0 ||
	     !(r->before = lock_parse(old, oldlen, c->proj->lock_path, err))))
		goto out;
	projctx_sources(c, req->indexes, req->nindexes, true, &src);
	struct candidates_options co = {
		.indexes = src.urls, .nindexes = src.nurls, .fetch = projctx_sources_fetch(c, &src), .policy = &c->policy,
		.check_trust = c->policy.mode == TRUST_ENFORCE && !req->allow_unverified, .store = c->store,
	};
	cache = util_dir_file(UTIL_DIR_CACHE, "metadata", err);
	co.cache = cache;
	if (!(cands = candidates_new(&co, err)))
		goto out;
	struct lockgen_options o = {
		.proj = c->proj, .py = &c->py, .cands = cands, .previous = r->before,
		.upgrade_all = req->upgrade_all, .upgrade = req->upgrade, .nupgrade = req->nupgrade,
		.prerelease = req->prerelease, .allow_unverified = req->allow_unverified,
		.envs = req->envs, .nenvs = req->nenvs,
	};
	rc = lockgen_run(&o, &out, &r->why, &r->stats, err);
	if (rc != 0)
		goto out;
	rc = -1;
	if (!(r->after = lock_parse(out.data, out.len, r->lock_name, err)))
		goto out;
	/* Over an existing lock, in that file's layout (another tool's
	 * comments, order and style stay): only what changed is rewritten. */
	if (r->before) {
		struct util_buf kept = UTIL_BUF_INIT;
		lock_write_update(old, oldlen, r->before, r->after, NULL, 0, &kept);
		if (lock_reads_as(kept.data, kept.len, r->after)) {
			util_buf_free(&out);
			out = kept;
		} else {
			util_buf_free(&kept);
		}
	}
	/* Nothing changed: the file stays as it is, untouched. */
	if (!old || oldlen != out.len || memcmp(old, out.data, oldlen)) {
		if (util_write_atomic(c->proj->lock_path, out.data, out.len, 0644, err) < 0)
			goto out;
		r->written = true;
	}
	rc = 0;
out:
	r->seconds = now() - start;
	candidates_free(cands);
	projctx_sources_fini(&src);
	free(cache);
	free(old);
	util_buf_free(&out);
	return rc;
}

int relock_edited(const char *dir, const char *lock, const char *old, size_t oldlen, const char *text, size_t len,
		  const struct relock_request *req, struct relock_result *r, bool *restored, struct pl_error *err)
{
	struct util_buf path = UTIL_BUF_INIT;
	struct projctx_request preq = { .lock = lock };
	struct projctx c;
	struct pl_error back;
	int rc = -1;

	*restored = false;
	memset(r, 0, sizeof(*r));
	util_buf_printf(&path, "%s/pyproject.toml", dir);
	if (util_write_atomic(path.data, text, len, 0644, err) < 0) {
		util_buf_free(&path);
		return -1;
	}
	if (projctx_open(&c, dir, PROJCTX_POLICY | PROJCTX_PYTHON, &preq, err) == 0) {
		rc = relock_project(&c, req, r, err);
		projctx_close(&c);
	}
	/* A declaration pylock cannot lock is not left behind. */
	if (rc != 0)
		*restored = util_write_atomic(path.data, old, oldlen, 0644, rc < 0 ? &back : err) == 0;
	util_buf_free(&path);
	return rc;
}

void relock_result_fini(struct relock_result *r)
{
	lock_free(r->before);
	lock_free(r->after);
	free(r->lock_name);
	util_buf_free(&r->why);
	memset(r, 0, sizeof(*r));
}
