/* Editable installs of project folders (see editable.h). */
#include "config.h"
#include "editable.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pep508.h"
#include "project.h"
#include "trust.h"
#include "wheel.h"

struct build {
	struct editable *e;
	const struct project *p;
	const char *site, *prefix;
	struct pl_error *err;
};

static struct util_buf *add_file(struct editable *e, bool exec, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static struct util_buf *add_file(struct editable *e, bool exec, const char *fmt, ...)
{
	struct util_buf path = UTIL_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	util_buf_vprintf(&path, fmt, ap);
	va_end(ap);
	e->files = util_xrealloc(e->files, (e->nfiles + 1) * sizeof(*e->files));
	struct editable_file *f = &e->files[e->nfiles++];
	memset(f, 0, sizeof(*f));
	f->path = util_buf_steal(&path);
	f->exec = exec;
	return &f->data;
}

/* Text that goes into METADATA or a file name: no control characters (a
 * newline would start a header of its own). */
static bool clean(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static int bad_value(struct build *b, const struct toml_value *v, const char *what)
{
	return pl_error_set(b->err, b->p->pyproject_path, (int)v->line, (int)v->col, "%s", what);
}

/* A requirement pyproject.toml gives (at v) that goes into METADATA: one
 * line, and PEP 508 (a reader of Requires-Dist would stop at anything
 * else). r, when not NULL, gets it parsed (pep508_requirement_fini). */
static int check_requirement(struct build *b, const struct toml_value *v, const char *req,
			     struct pep508_requirement *r)
{
	struct pep508_requirement own;
	const char *why;
	size_t at;
	char msg[400];

	if (!clean(req))
		return bad_value(b, v, "a dependency must be one line");
	if (pep508_requirement_parse(req, r ? r : &own, &why, &at) < 0) {
		snprintf(msg, sizeof(msg), "'%.200s' is not a PEP 508 requirement: %s at byte %zu", req, why, at + 1);
		return bad_value(b, v, msg);
	}
	if (!r)
		pep508_requirement_fini(&own);
	return 0;
}

/* "Core metadata specifications", the fields an installer and importlib
 * read. A requirement's marker is joined with its extra's. */
static int metadata(struct build *b, const struct toml_value *proj, struct util_buf *m)
{
	const struct project *p = b->p;
	const struct toml_value *v;

	util_buf_printf(m, "Metadata-Version: 2.1\nName: %s\nVersion: %s\n", p->name, b->e->version);
	if ((v = toml_get(proj, "description"))) {
		if (v->type != TOML_STRING || !clean(v->u.str.ptr))
			return bad_value(b, v, "project.description must be one line of text");
		util_buf_printf(m, "Summary: %s\n", v->u.str.ptr);
	}
	if (p->requires_python) {
		if (!clean(p->requires_python))
			return bad_value(b, toml_get(proj, "requires-python"), "project.requires-python must be one line");
		util_buf_printf(m, "Requires-Python: %s\n", p->requires_python);
	}
	for (size_t i = 0; i < p->ndependencies; i++) {
		if (check_requirement(b, toml_get(proj, "dependencies"), p->dependencies[i], NULL) < 0)
			return -1;
		util_buf_printf(m, "Requires-Dist: %s\n", p->dependencies[i]);
	}
	for (size_t i = 0; i < p->nextras; i++) {
		const struct project_extra *x = &p->extras[i];
		if (!pep508_valid_name(x->name))
			return bad_value(b, toml_get(proj, "optional-dependencies"), "an extra's name must be a valid name");
		util_buf_printf(m, "Provides-Extra: %s\n", x->name);
		for (size_t k = 0; k < x->n; k++) {
			const char *req = x->requirements[k];
			struct pep508_requirement r;

			if (check_requirement(b, toml_get(proj, "optional-dependencies"), req, &r) < 0)
				return -1;
			if (r.marker)
				util_buf_printf(m, "Requires-Dist: %.*s; (%s) and extra == \"%s\"\n", (int)r.head_len, req,
						req + r.marker_at, x->name);
			else
				util_buf_printf(m, "Requires-Dist: %.*s; extra == \"%s\"\n", (int)r.head_len, req, x->name);
			pep508_requirement_fini(&r);
		}
	}
	return 0;
}

/* One table of entry points (NAME = "MODULE:OBJECT") into entry_points.txt,
 * and, for scripts, into bin/. */
static int entry_group(struct build *b, const struct toml_value *t, const char *group, bool scripts,
		       struct util_buf *ep)
{
	if (!t)
		return 0;
	if (t->type != TOML_TABLE)
		return bad_value(b, t, "entry points must be a table of NAME = \"MODULE:OBJECT\"");
	if (t->u.table.len)
		util_buf_printf(ep, "[%s]\n", group);
	for (size_t i = 0; i < t->u.table.len; i++) {
		const char *name = t->u.table.items[i].key;
		const struct toml_value *v = t->u.table.items[i].value;
		struct util_buf script = UTIL_BUF_INIT;

		if (v->type != TOML_STRING || !clean(v->u.str.ptr) || !clean(name) ||
		    wheel_script(name, v->u.str.ptr, b->prefix, &script) < 0) {
			util_buf_free(&script);
			return bad_value(b, v, "an entry point must be NAME = \"MODULE:OBJECT\" with a safe file name");
		}
		util_buf_printf(ep, "%s = %s\n", name, v->u.str.ptr);
		if (scripts)
			*add_file(b->e, true, "bin/%s", name) = script;
		else
			util_buf_free(&script);
	}
	if (t->u.table.len)
		util_buf_putc(ep, '\n');
	return 0;
}

static int entry_points(struct build *b, const struct toml_value *proj, struct util_buf *ep)
{
	const struct toml_value *groups = toml_get(proj, "entry-points");

	if (entry_group(b, toml_get(proj, "scripts"), "console_scripts", true, ep) < 0 ||
	    entry_group(b, toml_get(proj, "gui-scripts"), "gui_scripts", true, ep) < 0)
		return -1;
	if (groups && groups->type != TOML_TABLE)
		return bad_value(b, groups, "project.entry-points must be a table of groups");
	for (size_t i = 0; groups && i < groups->u.table.len; i++) {
		const char *g = groups->u.table.items[i].key;
		/* The specification reserves these two for the tables above. */
		if (!strcmp(g, "console_scripts") || !strcmp(g, "gui_scripts") || !clean(g) || strpbrk(g, "[]"))
			return bad_value(b, groups->u.table.items[i].value, "this entry-point group is not allowed here");
		if (entry_group(b, groups->u.table.items[i].value, g, false, ep) < 0)
			return -1;
	}
	return 0;
}

/* A file:// URL of an absolute path (RFC 8089), for direct_url.json:
 * unreserved characters and / as they are, every other byte as %XX. */
static void file_url(const char *path, struct util_buf *out)
{
	util_buf_puts(out, "file://");
	for (const unsigned char *c = (const unsigned char *)path; *c; c++)
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || strchr("/-._~", *c))
			util_buf_putc(out, (char)*c);
		else
			util_buf_printf(out, "%%%02X", *c);
}

/* The files, then RECORD over them, then the id over everything. */
static int describe(struct build *b)
{
	struct editable *e = b->e;
	const struct toml_value *proj = toml_get(toml_root(b->p->doc), "project");
	char dist[PATH_MAX], root[PATH_MAX + 8], norm[256];
	struct stat st;
	struct util_buf *f;

	/* binary-distribution-format: name and version escaped with _. */
	pep508_normalize_name(e->name, norm);
	for (char *c = norm; *c; c++)
		*c = *c == '-' ? '_' : *c;
	snprintf(dist, sizeof(dist), "%s-%s.dist-info", norm, e->version);
	for (char *c = strchr(dist, '-') + 1; *c && strcmp(c, ".dist-info"); c++)
		*c = *c == '-' ? '_' : *c;
	snprintf(root, sizeof(root), "%s/src", e->dir);
	if (stat(root, &st) < 0 || !S_ISDIR(st.st_mode))
		snprintf(root, sizeof(root), "%s", e->dir);
	if (!clean(root))
		return pl_error_set(b->err, e->dir, 0, 0, "a folder whose name holds control characters cannot be "
				    "named in a .pth file");
	util_buf_printf(add_file(e, false, "%s/__editable__.%s.pth", b->site, norm), "%s\n", root);
	if (metadata(b, proj, add_file(e, false, "%s/%s/METADATA", b->site, dist)) < 0)
		return -1;
	util_buf_puts(add_file(e, false, "%s/%s/INSTALLER", b->site, dist), "pylock\n");
	f = add_file(e, false, "%s/%s/direct_url.json", b->site, dist);
	/* file_url leaves only unreserved characters and %XX: nothing in it
	 * needs a JSON escape. */
	util_buf_puts(f, "{\"dir_info\": {\"editable\": true}, \"url\": \"");
	file_url(e->dir, f);
	util_buf_puts(f, "\"}\n");
	struct util_buf ep = UTIL_BUF_INIT;
	if (entry_points(b, proj, &ep) < 0) {
		util_buf_free(&ep);
		return -1;
	}
	if (ep.len)
		*add_file(e, false, "%s/%s/entry_points.txt", b->site, dist) = ep;

	struct util_buf record = UTIL_BUF_INIT;
	size_t site_len = strlen(b->site);
	for (size_t i = 0; i < e->nfiles; i++) {
		const char *path = e->files[i].path;
		char rel[PATH_MAX + 16];
		if (!strncmp(path, b->site, site_len) && path[site_len] == '/')
			snprintf(rel, sizeof(rel), "%s", path + site_len + 1);
		else
			snprintf(rel, sizeof(rel), "../../../%s", path);
		wheel_record_row(&record, rel, e->files[i].data.data ? e->files[i].data.data : "", e->files[i].data.len);
	}
	util_buf_printf(&record, "%s/RECORD,,\n", dist);
	*add_file(e, false, "%s/%s/RECORD", b->site, dist) = record;

	struct trust_sha256 *h = trust_sha256_new(b->err);
	if (!h)
		return -1;
	trust_sha256_update(h, "pylock-editable 1\n", 18);
	for (size_t i = 0; i < e->nfiles; i++) {
		trust_sha256_update(h, e->files[i].path, strlen(e->files[i].path) + 1);
		trust_sha256_update(h, e->files[i].exec ? "x" : "-", 1);
		trust_sha256_update(h, e->files[i].data.data ? e->files[i].data.data : "", e->files[i].data.len);
	}
	trust_sha256_final(h, e->id);
	return 0;
}

/* dir (relative to base) as a real path inside base. */
static char *inside(const char *base, const char *dir, struct pl_error *err)
{
	char real_base[PATH_MAX], real[PATH_MAX];
	struct util_buf b = UTIL_BUF_INIT;

	util_buf_printf(&b, "%s%s%s", dir[0] == '/' ? "" : base, dir[0] == '/' ? "" : "/", dir);
	if (!realpath(base, real_base) || !realpath(b.data, real)) {
		pl_error_errno(err, b.data, "the editable project's folder");
		util_buf_free(&b);
		return NULL;
	}
	util_buf_free(&b);
	size_t n = strlen(real_base);
	if (strncmp(real, real_base, n) || (real[n] && real[n] != '/' && n > 1)) {
		pl_error_set(err, real, 0, 0, "an editable project must be inside the lock's folder %s (the sandbox "
			     "sees no other folder)", real_base);
		return NULL;
	}
	return util_xstrdup(real);
}

int editable_open(const char *base, const char *dir, const char *name, const char *version, const char *pyxy,
		  const char *prefix, struct editable *e, struct pl_error *err)
{
	struct project *p = NULL;
	char want[256], have[256], site[64];
	int rc = -1;

	memset(e, 0, sizeof(*e));
	if (!(e->dir = inside(base, dir, err)) || !(p = project_load(e->dir, err)))
		goto out;
	if (!p->pyproject_path) {
		pl_error_set(err, e->dir, 0, 0, "an editable project needs a pyproject.toml with a [project] table");
		goto out;
	}
	const struct toml_value *proj = toml_get(toml_root(p->doc), "project");
	if (!proj || !toml_get(proj, "name")) {
		pl_error_set(err, p->pyproject_path, 0, 0, "an editable project needs [project] name");
		goto out;
	}
	pep508_normalize_name(name, want);
	pep508_normalize_name(p->name, have);
	if (strcmp(want, have)) {
		pl_error_set(err, p->pyproject_path, (int)toml_get(proj, "name")->line, (int)toml_get(proj, "name")->col,
			     "the lock's package '%s' is this folder, whose project is '%s'", name, p->name);
		goto out;
	}
	e->name = util_xstrdup(p->name);
	e->version = util_xstrdup(version ? version : p->version ? p->version : "0+editable");
	if (!clean(e->version) || strpbrk(e->version, "/ ")) {
		pl_error_set(err, p->pyproject_path, 0, 0, "'%.40s' is not a version", e->version);
		goto out;
	}
	snprintf(site, sizeof(site), "lib/python%s/site-packages", pyxy);
	struct build b = { .e = e, .p = p, .site = site, .prefix = prefix, .err = err };
	rc = describe(&b);
out:
	project_free(p);
	if (rc < 0)
		editable_fini(e);
	return rc;
}

int editable_install(const struct editable *e, const char *dest, struct pl_error *err)
{
	for (size_t i = 0; i < e->nfiles; i++) {
		const struct editable_file *f = &e->files[i];
		struct util_buf path = UTIL_BUF_INIT;
		int fd, rc = 0;

		util_buf_printf(&path, "%s/%s", dest, f->path);
		*strrchr(path.data, '/') = '\0';
		rc = util_mkdir_p(path.data, 0755, err);
		path.data[strlen(path.data)] = '/';
		if (rc == 0 && (fd = open(path.data, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
					  f->exec ? 0555 : 0444)) < 0)
			rc = pl_error_errno(err, path.data, "cannot write");
		else if (rc == 0) {
			if (util_write_all(fd, f->data.data ? f->data.data : "", f->data.len) < 0)
				rc = pl_error_errno(err, path.data, "cannot write");
			close(fd);
		}
		util_buf_free(&path);
		if (rc < 0)
			return -1;
	}
	return 0;
}

void editable_fini(struct editable *e)
{
	for (size_t i = 0; i < e->nfiles; i++) {
		free(e->files[i].path);
		util_buf_free(&e->files[i].data);
	}
	free(e->files);
	free(e->dir);
	free(e->name);
	free(e->version);
	memset(e, 0, sizeof(*e));
}
