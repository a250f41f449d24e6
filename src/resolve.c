/* The three sides of a conflicted lock, merged, written, staged. */
#include "config.h"
#include "resolve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admit.h"
#include "boundary.h"
#include "projctx.h"

/* A side with no text (no common ancestor, or a side that deleted the lock)
 * stays NULL: the merge reads it as a lock without packages. */
static int parse_sides(struct util_buf text[3], struct resolve *r, struct pl_error *err)
{
	static const char *const names[] = { "base", "ours", "theirs" };

	for (int i = 0; i < 3; i++) {
		char label[4200];

		if (!text[i].len)
			continue;
		snprintf(label, sizeof(label), "%s:%s", names[i], r->rel);
		if (!(r->side[i] = lock_parse(util_buf_str(&text[i]), text[i].len, label, err)))
			return -1;
		lock_keep_text(r->side[i], util_buf_str(&text[i]), text[i].len);
	}
	return 0;
}

/* From the index's conflict stages, else from the conflict regions pylock's
 * merge driver left in the file. */
static int load_sides(struct resolve *r, struct pl_error *err)
{
	struct util_buf *text = r->text;
	char *data[3], *file;
	size_t len[3], flen;
	int rc = gitrepo_conflict(r->repo, r->rel, LOCK_MAX_SIZE, data, len, err);

	if (rc < 0)
		return -1;
	if (rc == 0) {
		r->from_index = true;
		for (int i = 0; i < 3; i++) {
			if (data[i])
				util_buf_add(&text[i], data[i], len[i]);
			free(data[i]);
		}
	} else {
		if (util_read_file(r->lock_path, LOCK_MAX_SIZE, &file, &flen, err) < 0)
			return -1;
		bool regions = lockdiff_split_conflicts(file, flen, text);
		free(file);
		if (!regions) {
			pl_error_set(err, r->lock_path, 0, 0, "not conflicted: nothing to resolve");
			return 1;
		}
	}
	return parse_sides(text, r, err);
}

int resolve_open(const char *lock_path, struct resolve *r, struct pl_error *err)
{
	int rc;

	memset(r, 0, sizeof(*r));
	r->lock_path = util_xstrdup(lock_path);
	if (gitrepo_open_containing(lock_path, &r->repo, err) < 0)
		return -1;
	const char *wd = gitrepo_workdir(r->repo);
	size_t wl = strlen(wd);
	if (strncmp(lock_path, wd, wl) || lock_path[wl] != '/')
		return pl_error_set(err, lock_path, 0, 0, "is not inside the repository at %s", wd);
	r->rel = r->lock_path + wl + 1;
	if ((rc = load_sides(r, err)) != 0)
		return rc;
	lockdiff_merge3(r->side[0], r->side[1], r->side[2], &r->merge);
	return 0;
}

int resolve_commit(struct resolve *r, size_t *kept, struct pl_error *err)
{
	struct util_buf out = UTIL_BUF_INIT;
	int rc;

	if (r->merge.conflicts)
		return pl_error_set(err, r->lock_path, 0, 0, "%zu conflict%s not chosen yet", r->merge.conflicts,
				    r->merge.conflicts == 1 ? "" : "s");
	lockdiff_merge_write(&r->merge, &out);
	rc = util_write_atomic(r->lock_path, util_buf_str(&out), out.len, 0644, err) < 0 ||
	     gitrepo_stage(r->repo, r->rel, err) < 0 ? -1 : 0;
	util_buf_free(&out);
	*kept = 0;
	for (size_t i = 0; i < r->merge.n; i++)
		*kept += r->merge.items[i].chosen != NULL;
	return rc;
}

void resolve_close(struct resolve *r)
{
	lockdiff_merge_fini(&r->merge);
	for (int i = 0; i < 3; i++) {
		lock_free(r->side[i]);
		util_buf_free(&r->text[i]);
	}
	gitrepo_free(r->repo);
	free(r->lock_path);
	memset(r, 0, sizeof(*r));
}

int resolve_next(const struct resolve *r, struct resolve_next *next, struct pl_error *err)
{
	memset(next, 0, sizeof(*next));
	next->operation = gitrepo_operation(r->repo);
	return gitrepo_unmerged(r->repo, &next->unmerged, &next->nunmerged, err);
}

void resolve_next_fini(struct resolve_next *next)
{
	for (size_t i = 0; i < next->nunmerged; i++)
		free(next->unmerged[i]);
	free(next->unmerged);
	memset(next, 0, sizeof(*next));
}

int resolve_continue(const struct resolve *r, struct util_buf *out, struct pl_error *err)
{
	struct resolve_next next;
	const char *wd = gitrepo_workdir(r->repo);
	int rc;

	if (resolve_next(r, &next, err) < 0)
		return -1;
	if (!next.operation || strcmp(next.operation, "merge"))
		rc = pl_error_set(err, wd, 0, 0, next.operation ? "a %s is under way, not a merge: continue it with "
				  "'git %s --continue'" : "no merge is under way", next.operation, next.operation);
	else if (next.nunmerged)
		rc = pl_error_set(err, wd, 0, 0, "%zu path%s still in conflict, first %s", next.nunmerged,
				  next.nunmerged == 1 ? "" : "s", next.unmerged[0]);
	else
		rc = 0;
	resolve_next_fini(&next);
	if (rc < 0)
		return -1;
	/* git from PATH, never from the tree a sandbox may have written. */
	char *git = boundary_exec_search("git", &wd, 1, err);
	if (!git)
		return -1;
	const char *argv[] = { git, "-C", wd, "commit", "--no-edit", NULL };
	rc = util_run(argv, out, out, 64 << 10, 600, err);
	free(git);
	return rc;
}


int resolve_check_candidates(const struct resolve *r, const char *root, struct resolve_candidate **out, size_t *n,
			     struct pl_error *err)
{
	struct projctx c;
	struct trust_cache *cache;
	struct pl_error ignored;

	*out = NULL;
	*n = 0;
	if (projctx_open(&c, root, PROJCTX_POLICY, NULL, err) < 0)
		return -1;
	cache = trust_cache_open_default();
	char *dir = util_xstrdup(r->lock_path);
	*strrchr(dir, '/') = '\0';
	struct admit a = projctx_admit(&c, cache);
	a.lock_dir = dir;
	a.offline = true;
	for (size_t i = 0; i < r->merge.n; i++)
		for (int side = 0; r->merge.items[i].conflict && side < 3; side++) {
			const struct lock_package *p = r->merge.items[i].side[side];
			const struct lock_file *f = lock_package_first_file(p);
			char *checked = NULL;
			if (!f || !f->path)
				continue;
			*out = util_xrealloc(*out, (*n + 1) * sizeof(**out));
			struct resolve_candidate *rc = &(*out)[(*n)++];
			rc->item = i;
			rc->side = side;
			admit_file(&a, NULL, p, f, false, &checked, &rc->result);
			free(checked);
		}
	free(dir);
	/* A cache that cannot be saved only costs the next visit its hashing. */
	trust_cache_close(cache, &ignored);
	projctx_close(&c);
	return 0;
}
