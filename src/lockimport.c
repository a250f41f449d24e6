/* Which format a source lock is, where a project keeps it, and the
 * converter for it. */
#include "config.h"
#include "lockimport.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

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
	case LOCKIMPORT_PDM:
	case LOCKIMPORT_REQUIREMENTS:
		return pl_error_set(err, path, 0, 0, "not yet: pylock import reads uv.lock only so far (%s files are "
				    "recognised, not converted)", lockimport_format_name(f));
	default:
		return pl_error_set(err, path, 0, 0, "is no lock pylock knows (uv.lock, poetry.lock, pdm.lock, "
				    "requirements*.txt)");
	}
}
