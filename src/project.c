/* pyproject.toml as "pyproject.toml specification" and "Dependency groups"
 * define the parts pylock uses. */
#include "config.h"
#include "project.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lockimport.h"
#include "pep508.h"

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool project_is_lock_name(const char *name)
{
	size_t n = strlen(name);

	if (!strcmp(name, "pylock.toml"))
		return true;
	return n > 12 && !strncmp(name, "pylock.", 7) && !strcmp(name + n - 5, ".toml") &&
	       !memchr(name + 7, '.', n - 12);
}

bool project_is_project_file(const char *name)
{
	/* A folder with only another tool's lock is a project pylock can import. */
	return !strcmp(name, "pyproject.toml") || project_is_lock_name(name) ||
	       lockimport_format_of(name) != LOCKIMPORT_NONE;
}

bool project_dir_is_project(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while (!found && (e = readdir(d)))
		found = project_is_project_file(e->d_name);
	closedir(d);
	return found;
}

char *project_locate(const char *start, struct pl_error *err)
{
	char buf[PATH_MAX];

	if (!realpath(start, buf)) {
		pl_error_errno(err, start, "cannot find folder");
		return NULL;
	}
	for (;;) {
		if (project_dir_is_project(buf))
			return util_xstrdup(buf);
		char *slash = strrchr(buf, '/');
		if (!slash || slash == buf)
			break;
		*slash = '\0';
	}
	pl_error_set(err, start, 0, 0, "not inside a Python project (no pyproject.toml or pylock.toml here or above)");
	return NULL;
}

static int fail_at(struct pl_error *err, const char *file, const struct toml_value *v, const char *msg)
{
	return pl_error_set(err, file, (int)v->line, (int)v->col, "%s", msg);
}

/* An array of PEP 508 requirement strings, returned as pointers into the doc. */
static int string_list(const struct toml_value *v, const char *file, const char *what,
		       const char ***out, size_t *n, struct pl_error *err)
{
	char msg[256];

	if (v->type != TOML_ARRAY) {
		snprintf(msg, sizeof(msg), "%s must be an array of strings", what);
		return fail_at(err, file, v, msg);
	}
	*out = util_xcalloc(v->u.array.len, sizeof(**out));
	*n = 0;
	for (size_t i = 0; i < v->u.array.len; i++) {
		const struct toml_value *s = v->u.array.items[i];
		if (s->type != TOML_STRING) {
			snprintf(msg, sizeof(msg), "%s must hold strings only", what);
			return fail_at(err, file, s, msg);
		}
		(*out)[(*n)++] = s->u.str.ptr;
	}
	return 0;
}

static int check_groups(const struct toml_value *g, const char *file, struct pl_error *err)
{
	if (g->type != TOML_TABLE)
		return fail_at(err, file, g, "[dependency-groups] must be a table");
	for (size_t i = 0; i < g->u.table.len; i++) {
		const struct toml_value *list = g->u.table.items[i].value;

		if (list->type != TOML_ARRAY)
			return fail_at(err, file, list, "a dependency group must be an array");
		for (size_t k = 0; k < list->u.array.len; k++) {
			const struct toml_value *item = list->u.array.items[k];
			const struct toml_value *inc = toml_get(item, "include-group");

			/* "Dependency groups": a requirement string or {include-group = NAME}. */
			if (item->type == TOML_STRING)
				continue;
			if (item->type != TOML_TABLE || item->u.table.len != 1 || !inc || inc->type != TOML_STRING)
				return fail_at(err, file, item,
					       "a dependency group holds strings and {include-group = \"NAME\"} tables");
		}
	}
	return 0;
}

static int read_pyproject(struct project *p, struct pl_error *err)
{
	const char *file = p->pyproject_path;
	const struct toml_value *root, *proj, *v;
	char *data;
	size_t len;

	if (util_read_file(file, PROJECT_MAX_PYPROJECT, &data, &len, err) < 0)
		return -1;
	p->doc = toml_parse(data, len, file, err);
	free(data);
	if (!p->doc)
		return -1;
	root = toml_root(p->doc);
	proj = toml_get(root, "project");
	if (proj && proj->type != TOML_TABLE)
		return fail_at(err, file, proj, "[project] must be a table");
	if ((v = toml_get(proj, "name"))) {
		if (v->type != TOML_STRING || !pep508_valid_name(v->u.str.ptr))
			return fail_at(err, file, v, "project.name must be a valid package name");
		free(p->name);
		p->name = util_xstrdup(v->u.str.ptr);
	}
	if ((v = toml_get(proj, "version"))) {
		if (v->type != TOML_STRING)
			return fail_at(err, file, v, "project.version must be a string");
		p->version = v->u.str.ptr;
	}
	if ((v = toml_get(proj, "requires-python"))) {
		if (v->type != TOML_STRING)
			return fail_at(err, file, v, "project.requires-python must be a string");
		p->requires_python = v->u.str.ptr;
	}
	if ((v = toml_get(proj, "dependencies")) &&
	    string_list(v, file, "project.dependencies", &p->dependencies, &p->ndependencies, err) < 0)
		return -1;
	if ((v = toml_get(proj, "optional-dependencies"))) {
		if (v->type != TOML_TABLE)
			return fail_at(err, file, v, "project.optional-dependencies must be a table");
		p->extras = util_xcalloc(v->u.table.len, sizeof(*p->extras));
		for (size_t i = 0; i < v->u.table.len; i++) {
			struct project_extra *e = &p->extras[p->nextras++];
			const char **reqs = NULL;

			e->name = v->u.table.items[i].key;
			if (string_list(v->u.table.items[i].value, file, "an optional-dependencies entry",
					&reqs, &e->n, err) < 0) {
				e->requirements = reqs;
				return -1;
			}
			e->requirements = reqs;
		}
	}
	if ((v = toml_get(root, "dependency-groups"))) {
		if (check_groups(v, file, err) < 0)
			return -1;
		p->dependency_groups = v;
	}
	if ((v = toml_get(toml_get(root, "tool"), "pylock"))) {
		if (v->type != TOML_TABLE)
			return fail_at(err, file, v, "[tool.pylock] must be a table");
		p->tool_pylock = v;
	}
	return 0;
}

static int by_lock_name(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;

	/* pylock.toml first. */
	if (!strcmp(x, "pylock.toml") || !strcmp(y, "pylock.toml"))
		return !strcmp(y, "pylock.toml") - !strcmp(x, "pylock.toml");
	return strcmp(x, y);
}

char **project_lock_names(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	char **names = NULL;
	struct dirent *e;

	*n = 0;
	while (d && (e = readdir(d)))
		if (project_is_lock_name(e->d_name)) {
			names = util_xrealloc(names, (*n + 1) * sizeof(*names));
			names[(*n)++] = util_xstrdup(e->d_name);
		}
	if (d)
		closedir(d);
	if (*n)
		qsort(names, *n, sizeof(*names), by_lock_name);
	return names;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

char *project_lock_list(const char *dir)
{
	size_t n;
	char **names = project_lock_names(dir, &n);
	struct util_buf b = UTIL_BUF_INIT;

	for (size_t i = 0; i < n; i++)
		util_buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
	if (!n)
		util_buf_puts(&b, "none");
	free_names(names, n);
	return util_buf_steal(&b);
}

/* pylock.toml, else the one named lock when there is only one. */
static void default_lock(struct project *p)
{
	size_t n;
	char **names = project_lock_names(p->root, &n);
	struct util_buf b = UTIL_BUF_INIT;

	util_buf_printf(&b, "%s/%s", p->root, n == 1 ? names[0] : "pylock.toml");
	p->lock_path = util_buf_steal(&b);
	p->several_locks = n > 1 && strcmp(names[0], "pylock.toml");
	free_names(names, n);
}

int project_choose_lock(struct project *p, const char *name, struct pl_error *err)
{
	struct util_buf b = UTIL_BUF_INIT;
	const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;

	if (project_is_lock_name(base)) {
		/* A path: the lock must be this project's. */
		char real[PATH_MAX], *slash;
		if (strchr(name, '/')) {
			if (!realpath(name, real))
				return pl_error_errno(err, name, "cannot open the lock");
			slash = strrchr(real, '/');
			*slash = '\0';
			if (strcmp(real, p->root))
				return pl_error_set(err, name, 0, 0, "is not a lock of the project in %s", p->root);
		}
		util_buf_printf(&b, "%s/%s", p->root, base);
	} else {
		util_buf_printf(&b, "pylock.%s.toml", name);
		if (strchr(name, '/') || !project_is_lock_name(b.data)) {
			util_buf_free(&b);
			return pl_error_set(err, NULL, 0, 0, "'%.100s' is not a lock name (pylock.NAME.toml: NAME without "
					    "dots or slashes)", name);
		}
		util_buf_truncate(&b, 0);
		util_buf_printf(&b, "%s/pylock.%s.toml", p->root, name);
	}
	if (!is_file(b.data)) {
		char *have = project_lock_list(p->root);
		pl_error_set(err, b.data, 0, 0, "no such lock in this project (it has: %s)", have);
		free(have);
		util_buf_free(&b);
		return -1;
	}
	free(p->lock_path);
	p->lock_path = util_buf_steal(&b);
	p->several_locks = false;
	return 0;
}

struct project *project_load(const char *root, struct pl_error *err)
{
	struct project *p = util_xcalloc(1, sizeof(*p));
	struct util_buf b = UTIL_BUF_INIT;
	char real[PATH_MAX];

	if (!realpath(root, real)) {
		pl_error_errno(err, root, "cannot open project folder");
		free(p);
		return NULL;
	}
	p->root = util_xstrdup(real);
	const char *base = strrchr(real, '/');
	p->name = util_xstrdup(base && base[1] ? base + 1 : real);
	default_lock(p);
	util_buf_printf(&b, "%s/pyproject.toml", real);
	if (is_file(b.data)) {
		p->pyproject_path = util_buf_steal(&b);
		if (read_pyproject(p, err) < 0) {
			project_free(p);
			return NULL;
		}
	}
	util_buf_free(&b);
	return p;
}

void project_free(struct project *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nextras; i++)
		free((void *)p->extras[i].requirements);
	free(p->extras);
	free(p->dependencies);
	toml_free(p->doc);
	free(p->root);
	free(p->pyproject_path);
	free(p->lock_path);
	free(p->name);
	free(p);
}
