/* The default sandbox profile (DESIGN.md, "Sandbox"), as a list of
 * operations for sandbox_run(). Everything here runs outside the sandbox,
 * before it starts: host paths are resolved and checked now. */
#include "config.h"
#include "sandbox.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boundary.h"
#include "gitguard.h"

extern char **environ;

static const char *const default_env_keep[] = { "TERM", "LANG", "LC_*", "COLORTERM", "TZ", "NO_COLOR" };

static bool clean_absolute(const char *path)
{
	if (path[0] != '/' || strlen(path) >= PATH_MAX)
		return false;
	for (const char *p = path; (p = strstr(p, "/..")); p += 3)
		if (p[3] == '/' || p[3] == '\0')
			return false;
	return true;
}

static int add_user_bind(struct sandbox_profile *p, const struct sandbox_bind *b, bool ro, struct pl_error *err)
{
	char src[PATH_MAX], real[PATH_MAX], where[64];
	const char *spec = b->spec, *colon = strchr(spec, ':');
	const char *dst;
	size_t n = colon ? (size_t)(colon - spec) : strlen(spec);

	snprintf(where, sizeof(where), "%s", b->file ? "bind" : ro ? "--ro-bind" : "--bind");
	if (n == 0 || n >= sizeof(src))
		return pl_error_set(err, b->file, b->line, b->col, "%s '%s': no source folder", where, spec);
	memcpy(src, spec, n);
	src[n] = '\0';
	if (!realpath(src, real)) {
		pl_error_errno(err, b->file, "%s source '%s' does not exist", where, src);
		err->line = b->line;
		err->col = b->col;
		return -1;
	}
	dst = colon ? colon + 1 : real;
	if (!clean_absolute(dst) || !strcmp(dst, "/"))
		return pl_error_set(err, b->file, b->line, b->col,
				    "%s '%s': the destination must be an absolute path without '..', not /", where, spec);
	sandbox_profile_add(p, ro ? SANDBOX_RO_BIND : SANDBOX_BIND, real, dst);
	return 0;
}

/* Every writable tree's git metadata: protected now, examined after. */
static void guard_git(struct sandbox_profile *p)
{
	size_t n;
	const char **trees = sandbox_profile_trees(p, &n);

	p->guard = gitguard_new(trees, n);
	free(trees);
	gitguard_protect(p->guard, p);
}

/* Host names allow letters, digits and '-', 63 at most. */
static char *host_name(const char *project)
{
	struct util_buf b = UTIL_BUF_INIT;

	util_buf_puts(&b, "pylock-");
	for (const char *c = project; *c && b.len < 63; c++)
		util_buf_putc(&b, isalnum((unsigned char)*c) ? (char)tolower((unsigned char)*c) : '-');
	return util_buf_steal(&b);
}

static bool kept(const char *name, size_t len, const struct sandbox_settings *s)
{
	char buf[256];

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, name, len);
	buf[len] = '\0';
	for (size_t i = 0; i < sizeof(default_env_keep) / sizeof(default_env_keep[0]); i++)
		if (!fnmatch(default_env_keep[i], buf, 0))
			return true;
	for (size_t i = 0; i < s->nenv_keep; i++)
		if (!fnmatch(s->env_keep[i], buf, 0))
			return true;
	return false;
}

static void set_environment(struct sandbox_profile *p, const struct sandbox_settings *s,
			    const char *home, const char *name)
{
	for (char **e = environ; *e; e++) {
		const char *eq = strchr(*e, '=');
		if (eq && kept(*e, (size_t)(eq - *e), s)) {
			char key[256];
			snprintf(key, sizeof(key), "%.*s", (int)(eq - *e), *e);
			sandbox_profile_setenv(p, key, eq + 1);
		}
	}
	sandbox_profile_setenv(p, "HOME", home);
	sandbox_profile_setenv(p, "PATH", "/opt/venv/bin:/usr/local/bin:/usr/bin:/bin");
	sandbox_profile_setenv(p, "VIRTUAL_ENV", "/opt/venv");
	sandbox_profile_setenv(p, "PYLOCK_PROJECT", name);
	sandbox_profile_setenv(p, "PYLOCK_SANDBOX", "1");
}

int sandbox_default_profile(struct sandbox_profile *p, const struct sandbox_settings *s,
			    const char *project_dir, const char *project_name,
			    const char *venv_dir, struct pl_error *err)
{
	static const char *const merged[] = { "bin", "sbin", "lib", "lib32", "lib64", "libx32" };
	const char *home = getenv("HOME");
	char real[PATH_MAX], path[PATH_MAX + 64], target[PATH_MAX];
	struct stat st;
	char *tree;

	if (!realpath(project_dir, real) || stat(real, &st) < 0)
		return pl_error_errno(err, project_dir, "project folder does not exist");
	if (!S_ISDIR(st.st_mode))
		return pl_error_set(err, project_dir, 0, 0, "the project is not a folder");
	if (!(tree = boundary_writable_tree(real, err)))
		return -1;
	if (!home || !clean_absolute(home))
		home = "/home/sandbox";
	p->net_off = s->net_off;
	p->tmpfs_size = s->tmpfs_size;
	p->processes = s->processes;
	p->memory = s->memory;
	p->hostname = host_name(project_name);
	p->cwd = util_xstrdup(real);

	sandbox_profile_add(p, SANDBOX_SYSTEM_BIND, "/usr", "/usr");
	sandbox_profile_add(p, SANDBOX_SYSTEM_BIND, "/etc", "/etc");
	/* The merged-/usr links (or, on older systems, the folders themselves). */
	for (size_t i = 0; i < sizeof(merged) / sizeof(merged[0]); i++) {
		snprintf(path, sizeof(path), "/%s", merged[i]);
		if (lstat(path, &st) < 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlink(path, target, sizeof(target) - 1);
			if (n > 0) {
				target[n] = '\0';
				sandbox_profile_add(p, SANDBOX_SYMLINK, target, path);
			}
		} else if (S_ISDIR(st.st_mode))
			sandbox_profile_add(p, SANDBOX_SYSTEM_BIND, path, path);
	}
	sandbox_profile_add(p, SANDBOX_DEV, NULL, "/dev");
	sandbox_profile_add(p, SANDBOX_PROC, NULL, "/proc");
	sandbox_profile_add(p, SANDBOX_TMPFS, NULL, "/tmp");
	sandbox_profile_add(p, SANDBOX_TMPFS, NULL, "/run");
	sandbox_profile_add(p, SANDBOX_TMPFS, NULL, home);
	for (size_t i = 0; i < s->ndotfiles; i++) {
		const char *f = s->dotfiles[i];

		if (!f[0] || f[0] == '/' || strstr(f, ".."))
			return pl_error_set(err, NULL, 0, 0, "dotfile '%s' must be a name under $HOME", f);
		snprintf(path, sizeof(path), "%s/%s", home, f);
		if (lstat(path, &st) == 0 && realpath(path, target))
			sandbox_profile_add(p, SANDBOX_RO_BIND, target, path);
	}
	sandbox_profile_add(p, SANDBOX_BIND, tree, tree);
	free(tree);
	if (venv_dir) {
		if (!realpath(venv_dir, target))
			return pl_error_errno(err, venv_dir, "environment folder does not exist");
		sandbox_profile_add(p, SANDBOX_RO_BIND, target, "/opt/venv");
	} else
		sandbox_profile_add(p, SANDBOX_RO_TMPFS, NULL, "/opt/venv");
	for (size_t i = 0; i < s->nbinds; i++)
		if (add_user_bind(p, &s->binds[i], false, err) < 0)
			return -1;
	for (size_t i = 0; i < s->nro_binds; i++)
		if (add_user_bind(p, &s->ro_binds[i], true, err) < 0)
			return -1;
	set_environment(p, s, home, project_name);
	guard_git(p);
	return 0;
}

const char **sandbox_profile_trees(const struct sandbox_profile *p, size_t *n)
{
	const char **trees = util_xcalloc(p->nops + 1, sizeof(*trees));

	*n = 0;
	for (size_t i = 0; i < p->nops; i++)
		if (p->ops[i].kind == SANDBOX_BIND)
			trees[(*n)++] = p->ops[i].src;
	return trees;
}

size_t sandbox_profile_check(struct sandbox_profile *p, struct util_buf *report)
{
	return p->guard ? gitguard_check(p->guard, report) : 0;
}
