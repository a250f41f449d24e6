/* Which format a source lock is, where a project keeps it, and the
 * converter for it. */
#include "config.h"
#include "lockimport-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lock.h"

enum lockimport_format lockimport_format_of(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (!strcmp(base, "uv.lock"))
		return LOCKIMPORT_UV;
	if (!strcmp(base, "poetry.lock"))
		return LOCKIMPORT_POETRY;
	if (!strcmp(base, "pdm.lock"))
		return LOCKIMPORT_PDM;
	if (!strncmp(base, "requirements", 12) && n >= 16 && !strcmp(base + n - 4, ".txt"))
		return LOCKIMPORT_REQUIREMENTS;
	return LOCKIMPORT_NONE;
}

const char *lockimport_format_name(enum lockimport_format f)
{
	static const char *const names[] = { "none", "uv.lock", "poetry", "pdm", "requirements" };

	return names[f];
}

char *lockimport_find(const char *dir, enum lockimport_format *f)
{
	static const char *const files[] = { "uv.lock", "poetry.lock", "pdm.lock", "requirements.txt", NULL };
	struct util_buf p = UTIL_BUF_INIT;

	for (size_t i = 0; files[i]; i++) {
		util_buf_truncate(&p, 0);
		util_buf_printf(&p, "%s/%s", dir, files[i]);
		if (access(p.data, F_OK) == 0) {
			*f = lockimport_format_of(files[i]);
			return util_buf_steal(&p);
		}
	}
	util_buf_free(&p);
	*f = LOCKIMPORT_NONE;
	return NULL;
}

int lockimport_convert(enum lockimport_format f, const char *text, size_t len, const char *path,
		       const struct lockimport_options *o, struct util_buf *out, struct pl_error *err)
{
	switch (f) {
	case LOCKIMPORT_UV:
		return lockimport_uv(text, len, path, o, out, err);
	case LOCKIMPORT_POETRY:
		return lockimport_poetry(text, len, path, o, out, err);
	case LOCKIMPORT_PDM:
		return lockimport_pdm(text, len, path, o, out, err);
	case LOCKIMPORT_REQUIREMENTS:
		return lockimport_requirements(text, len, path, o, out, err);
	default:
		return pl_error_set(err, path, 0, 0, "is no lock pylock knows (uv.lock, poetry.lock, pdm.lock, "
				    "requirements*.txt)");
	}
}

struct lock *lockimport_file(const char *path, const struct lockimport_options *o, struct util_buf *out,
			     struct pl_error *err)
{
	enum lockimport_format f = lockimport_format_of(path);
	struct lock *l = NULL;
	char *text;
	size_t len;

	if (f == LOCKIMPORT_NONE)
		return lockimport_convert(f, "", 0, path, o, out, err), NULL;
	if (util_read_file(path, LOCK_MAX_SIZE, &text, &len, err) < 0)
		return NULL;
	if (lockimport_convert(f, text, len, path, o, out, err) == 0 &&
	    !(l = lock_parse(util_buf_str(out), out->len, path, err))) {
		char why[sizeof(err->msg)];
		snprintf(why, sizeof(why), "%s", err->msg);
		pl_error_set(err, path, 0, 0, "the converted lock does not read back (%s); please report it", why);
	}
	free(text);
	return l;
}

int lockimport_project(const char *dir, const struct lockimport_options *o, char **source, size_t *npackages,
		       struct pl_error *err)
{
	struct util_buf out = UTIL_BUF_INIT, target = UTIL_BUF_INIT;
	enum lockimport_format f;
	struct lock *l;
	int rc = -1;

	*npackages = 0;
	struct lockimport_options with = *o;
	struct lockimport_fetch fetch;
	if (!(*source = lockimport_find(dir, &f)))
		return pl_error_set(err, dir, 0, 0, "has no uv.lock, poetry.lock, pdm.lock or requirements.txt to import");
	if (lockimport_fetch_open(&fetch, dir, f, NULL, 0, &with, err) == 0 &&
	    (l = lockimport_file(*source, &with, &out, err))) {
		util_buf_printf(&target, "%s/pylock.toml", dir);
		rc = util_write_atomic(target.data, out.data, out.len, 0644, err) < 0 ? -1 : 0;
		*npackages = l->npackages;
		lock_free(l);
	}
	lockimport_fetch_fini(&fetch);
	util_buf_free(&out);
	util_buf_free(&target);
	return rc;
}

int lockimport_fetch_open(struct lockimport_fetch *f, const char *dir, enum lockimport_format format,
			  char *const *indexes, size_t n, struct lockimport_options *o, struct pl_error *err)
{
	memset(f, 0, sizeof(*f));
	if (format == LOCKIMPORT_UV)
		return 0;
	if (projctx_open(&f->c, dir, PROJCTX_POLICY, NULL, err) < 0)
		return -1;
	f->open = true;
	projctx_sources(&f->c, indexes, n, false, &f->src);
	f->fetch = projctx_sources_fetch(&f->c, &f->src);
	o->indexes = f->src.urls;
	o->nindexes = f->src.nurls;
	o->fetch = &f->fetch;
	return 0;
}

void lockimport_fetch_fini(struct lockimport_fetch *f)
{
	if (!f->open)
		return;
	projctx_sources_fini(&f->src);
	projctx_close(&f->c);
	f->open = false;
}
