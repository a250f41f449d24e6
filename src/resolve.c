/* The three sides of a conflicted lock, merged, written, staged. */
#include "config.h"
#include "resolve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	}
	return 0;
}

/* From the index's conflict stages, else from the conflict regions pylock's
 * merge driver left in the file. */
static int load_sides(struct resolve *r, struct pl_error *err)
{
	struct util_buf text[3] = { UTIL_BUF_INIT, UTIL_BUF_INIT, UTIL_BUF_INIT };
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
			for (int i = 0; i < 3; i++)
				util_buf_free(&text[i]);
			pl_error_set(err, r->lock_path, 0, 0, "not conflicted: nothing to resolve");
			return 1;
		}
	}
	rc = parse_sides(text, r, err);
	for (int i = 0; i < 3; i++)
		util_buf_free(&text[i]);
	return rc;
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
	for (int i = 0; i < 3; i++)
		lock_free(r->side[i]);
	gitrepo_free(r->repo);
	free(r->lock_path);
	memset(r, 0, sizeof(*r));
}
