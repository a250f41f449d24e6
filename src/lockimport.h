/* lockimport: a lock another tool wrote, converted to a PEP 751 lock
 * without resolving anything: the same packages, versions, files and
 * hashes, each package marked by when the source lock installs it.
 * uv.lock (its graph walked), poetry.lock 2.1 and pdm.lock 4.x (their
 * groups chosen), hashed requirements files; files the last three name
 * without URLs are found on the index by hash. */
#ifndef PYLOCK_LOCKIMPORT_H
#define PYLOCK_LOCKIMPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "projctx.h"
#include "util.h"

enum lockimport_format {
	LOCKIMPORT_NONE,
	LOCKIMPORT_UV,
	LOCKIMPORT_POETRY,
	LOCKIMPORT_PDM,
	LOCKIMPORT_REQUIREMENTS,
};

/* The format a file's name says (uv.lock, poetry.lock, pdm.lock,
 * requirements*.txt), or NONE. */
enum lockimport_format lockimport_format_of(const char *path);
/* "uv.lock", "poetry", "pdm", "requirements" (the LOCK column's words). */
const char *lockimport_format_name(enum lockimport_format f);
/* The source lock in dir, in this order: uv.lock, poetry.lock, pdm.lock,
 * requirements.txt; NULL when none (malloc'd path). */
char *lockimport_find(const char *dir, enum lockimport_format *f);

/* Which optional parts the result holds, as `uv export` chooses them: the
 * default groups ("dev") unless no_default_groups, the groups named, all
 * of them with all_groups; the root's extras named, or all. */
struct registry_options;
struct lockimport_options {
	const char *const *groups;
	size_t ngroups;
	bool all_groups, no_default_groups;
	const char *const *extras;
	size_t nextras;
	bool all_extras;
	/* Where files a lock names without a URL (poetry.lock, pdm.lock,
	 * requirements) are looked up, after the source's own indexes:
	 * --index URLs, then the policy's registries; none: PyPI. */
	char *const *indexes;
	size_t nindexes;
	const struct registry_options *fetch;	/* NULL: fetched from PyPI's hosts */
};

/* Converts text (path names it in errors) into PEP 751 TOML appended to
 * out. Returns 0, or -1 with err (FILE:LINE:COL for what the source lock
 * gets wrong). */
int lockimport_convert(enum lockimport_format f, const char *text, size_t len, const char *path,
		       const struct lockimport_options *o, struct util_buf *out, struct pl_error *err);

/* The source lock at path converted (its format by name) and read back:
 * what import writes must be a lock pylock reads. The text goes to out;
 * NULL with err. */
struct lock;
struct lock *lockimport_file(const char *path, const struct lockimport_options *o, struct util_buf *out,
			     struct pl_error *err);
/* The project's source lock (lockimport_find) converted, its files looked
 * up as lockimport_fetch_open says, and written atomically to
 * DIR/pylock.toml; *source (malloc'd) names it, *npackages
 * counts the result. */
int lockimport_project(const char *dir, const struct lockimport_options *o, char **source, size_t *npackages,
		       struct pl_error *err);

/* Where the files of a poetry.lock, pdm.lock or requirements file are
 * looked up, set in o: the indexes asked for, the project's policy's
 * registries, fetched as config.yaml says. A uv.lock needs none of it
 * (nothing opened). Close with lockimport_fetch_fini. */
struct lockimport_fetch {
	struct projctx c;
	struct projctx_sources src;
	struct registry_options fetch;
	bool open;
};
int lockimport_fetch_open(struct lockimport_fetch *f, const char *dir, enum lockimport_format format,
			  char *const *indexes, size_t n, struct lockimport_options *o, struct pl_error *err);
void lockimport_fetch_fini(struct lockimport_fetch *f);

/* uv.lock (lockimport-uv.c). */
int lockimport_uv(const char *text, size_t len, const char *path, const struct lockimport_options *o,
		  struct util_buf *out, struct pl_error *err);

#endif
