/* Git metadata in the trees a sandbox writes: protected before the run,
 * examined after it (gitguard.h says what and why). */
#include "config.h"
#include "gitguard.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "boundary.h"
#include "sandbox.h"

#define CONFIG_MAX (1u << 20)
#define INCLUDE_DEPTH 10	/* git's own limit on nested includes */
#define MODULES_DEPTH 8		/* submodule names hold slashes; submodules nest */
#define ITEM_ENTRIES_MAX 4096

struct gitguard {
	char **trees;
	size_t ntrees;
	struct timespec since;		/* a change at or after this is the run's */
	char **covered;			/* read-only inside: changes there are the host's */
	size_t ncovered;
	char **watched;			/* config includes that did not exist: must not appear */
	size_t nwatched;
	char **anchored;		/* .git folders bound onto themselves: the run cannot have made them */
	size_t nanchored;
	int dirs_left;			/* git folders still to protect */
	struct sandbox_profile *p;	/* while protecting */
	struct util_buf *report;	/* while checking */
	size_t findings;
};

static void list_add(char ***list, size_t *n, const char *s)
{
	*list = util_xrealloc(*list, (*n + 1) * sizeof(**list));
	(*list)[(*n)++] = util_xstrdup(s);
}

static bool listed(char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], s))
			return true;
	return false;
}

static void list_free(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

static bool in_trees(const struct gitguard *g, const char *path)
{
	for (size_t i = 0; i < g->ntrees; i++)
		if (boundary_path_under(path, g->trees[i]))
			return true;
	return false;
}

struct gitguard *gitguard_new(const char *const *trees, size_t ntrees)
{
	struct gitguard *g = util_xcalloc(1, sizeof(*g));

	for (size_t i = 0; i < ntrees; i++)
		list_add(&g->trees, &g->ntrees, trees[i]);
	/* The clock file systems stamp inodes with: any later change is
	 * stamped at or after it. */
	clock_gettime(CLOCK_REALTIME_COARSE, &g->since);
	g->dirs_left = GITGUARD_DIRS_MAX;
	return g;
}

void gitguard_free(struct gitguard *g)
{
	if (!g)
		return;
	list_free(g->trees, g->ntrees);
	list_free(g->covered, g->ncovered);
	list_free(g->watched, g->nwatched);
	list_free(g->anchored, g->nanchored);
	free(g);
}

/* ---- before the run ---- */

static void cover(struct gitguard *g, enum sandbox_op_kind kind, const char *path)
{
	if (listed(g->covered, g->ncovered, path))
		return;
	sandbox_profile_add(g->p, kind, kind == SANDBOX_RO_TMPFS ? NULL : path, path);
	list_add(&g->covered, &g->ncovered, path);
}

/* path resolved, or for a missing one its folder resolved; NULL when
 * neither exists or the name does not fit. */
static char *resolve(const char *path, bool *exists)
{
	char real[PATH_MAX], dir[PATH_MAX];
	const char *slash = strrchr(path, '/');

	*exists = realpath(path, real) != NULL;
	if (*exists)
		return util_xstrdup(real);
	if (!slash || (size_t)(slash - path) >= sizeof(dir) || !strcmp(slash, "/..") || !strcmp(slash, "/."))
		return NULL;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (!realpath(dir[0] ? dir : "/", real) || strlen(real) + strlen(slash) >= sizeof(real))
		return NULL;
	return util_xstrdup(strcat(real, strcmp(real, "/") ? slash : slash + 1));
}

/* ~/ is the home; other relative paths start at base. */
static char *expand(const char *value, const char *base)
{
	struct util_buf b = UTIL_BUF_INIT;
	const char *home = getenv("HOME");

	if (!value[0])
		return NULL;
	if (!strncmp(value, "~/", 2) && home)
		util_buf_printf(&b, "%s/%s", home, value + 2);
	else if (value[0] == '/')
		util_buf_puts(&b, value);
	else
		util_buf_printf(&b, "%s/%s", base, value);
	return util_buf_steal(&b);
}

/* A git config file, read as a superset of what git reads: every include
 * is followed whatever its condition, and every hooks path counts. */
struct scan {
	struct gitguard *g;
	const char *worktree;		/* relative hooks paths start here */
	const char *file;		/* relative includes start at its folder */
	int depth;
};

static void scan_config(struct gitguard *g, const char *worktree, const char *file, int depth);

static void cover_hooks_path(struct gitguard *g, const char *value, const char *worktree)
{
	char *path = expand(value, worktree), *real;
	bool exists;

	if (!path || !(real = resolve(path, &exists))) {
		free(path);
		return;
	}
	if (in_trees(g, real)) {
		cover(g, exists ? SANDBOX_RO_BIND : SANDBOX_RO_TMPFS, real);
		/* husky 9 keeps its runner in .husky/_ and the hooks it runs
		 * one level up. */
		char *slash = strrchr(real, '/');
		if (exists && slash && !strcmp(slash, "/_")) {
			*slash = '\0';
			if (in_trees(g, real))
				cover(g, SANDBOX_RO_BIND, real);
		}
	}
	free(real);
	free(path);
}

static void on_include(struct scan *s, const char *value)
{
	char *dir = util_xstrdup(s->file), *path, *real;
	bool exists;

	*strrchr(dir, '/') = '\0';
	path = expand(value, dir[0] ? dir : "/");
	real = path ? resolve(path, &exists) : NULL;
	if (real && in_trees(s->g, real)) {
		if (!exists)
			list_add(&s->g->watched, &s->g->nwatched, real);
		else if (!listed(s->g->covered, s->g->ncovered, real)) {
			struct stat st;
			if (stat(real, &st) == 0 && S_ISREG(st.st_mode))
				cover(s->g, SANDBOX_RO_BIND, real);
		}
	}
	if (real && exists && s->depth < INCLUDE_DEPTH)
		scan_config(s->g, s->worktree, real, s->depth + 1);
	free(real);
	free(path);
	free(dir);
}

static void on_entry(struct scan *s, const char *section, const char *key, const char *value)
{
	if (!strcmp(section, "core") && !strcmp(key, "hookspath"))
		cover_hooks_path(s->g, value, s->worktree);
	else if ((!strcmp(section, "include") || !strcmp(section, "includeif")) && !strcmp(key, "path"))
		on_include(s, value);
}

static const char *skip_line(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	return nl ? nl + 1 : end;
}

/* A section header "[name]", "[name "sub"]" or "[name.sub]": the name,
 * lower-cased, into section. */
static const char *parse_header(const char *p, const char *end, char *section, size_t size)
{
	size_t n = 0;
	bool quoted = false;

	for (p++; p < end && (isalnum((unsigned char)*p) || *p == '-'); p++)
		if (n + 1 < size)
			section[n++] = (char)tolower((unsigned char)*p);
	section[n] = '\0';
	for (; p < end && *p != '\n' && (quoted || *p != ']'); p++) {
		if (*p == '\\' && quoted && p + 1 < end)
			p++;
		else if (*p == '"')
			quoted = !quoted;
	}
	if (p < end && *p == ']')
		return p + 1;
	section[0] = '\0';
	return p;
}

/* A value: quotes, escapes, continued lines, comments, and trimmed
 * white space, as git reads them. */
static const char *parse_value(const char *p, const char *end, struct util_buf *v)
{
	bool quoted = false;
	size_t keep = 0;

	while (p < end && *p != '\n') {
		char c = *p++;
		if (!quoted && (c == '#' || c == ';'))
			return skip_line(p, end);
		if (c == '"') {
			quoted = !quoted;
			keep = v->len;
		} else if (c == '\\' && p < end) {
			char e = *p++;
			if (e == '\r' && p < end && *p == '\n')
				p++;
			if (e == '\n' || e == '\r')
				continue;
			util_buf_putc(v, e == 'n' ? '\n' : e == 't' ? '\t' : e == 'b' ? '\b' : e);
			keep = v->len;
		} else if (!quoted && (c == ' ' || c == '\t' || c == '\r')) {
			if (v->len)
				util_buf_putc(v, c);
		} else {
			util_buf_putc(v, c);
			keep = v->len;
		}
	}
	util_buf_truncate(v, keep);
	return p;
}

static void parse_config(struct scan *s, const char *p, const char *end)
{
	char section[64] = "", key[64];
	struct util_buf value = UTIL_BUF_INIT;

	while (p < end) {
		size_t n = 0;

		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		if (*p == '[') {
			p = parse_header(p, end, section, sizeof(section));
			continue;
		}
		if (!isalpha((unsigned char)*p)) {
			p = skip_line(p, end);
			continue;
		}
		for (; p < end && (isalnum((unsigned char)*p) || *p == '-'); p++)
			if (n + 1 < sizeof(key))
				key[n++] = (char)tolower((unsigned char)*p);
		key[n] = '\0';
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		util_buf_truncate(&value, 0);
		if (p < end && *p == '=')
			p = parse_value(p + 1, end, &value);
		on_entry(s, section, key, util_buf_str(&value));
	}
	util_buf_free(&value);
}

static void scan_config(struct gitguard *g, const char *worktree, const char *file, int depth)
{
	struct scan s = { g, worktree, file, depth };
	struct pl_error ignored;
	struct stat st;
	char *text;
	size_t len;

	/* Not a FIFO or a device: reading one would block or never end. */
	if (stat(file, &st) < 0 || !S_ISREG(st.st_mode) || util_read_file(file, CONFIG_MAX, &text, &len, &ignored) < 0)
		return;
	parse_config(&s, text, text + len);
	free(text);
}

/* The config files git reads for a repository: system, global, its own. */
static void scan_repository(struct gitguard *g, const char *worktree, const char *gitdir, const char *common)
{
	const char *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME"), *env;
	char path[PATH_MAX];

	if (!getenv("GIT_CONFIG_NOSYSTEM"))
		scan_config(g, worktree, (env = getenv("GIT_CONFIG_SYSTEM")) ? env : "/etc/gitconfig", 0);
	if ((env = getenv("GIT_CONFIG_GLOBAL")))
		scan_config(g, worktree, env, 0);
	else {
		if (xdg && xdg[0] == '/')
			snprintf(path, sizeof(path), "%s/git/config", xdg);
		else
			snprintf(path, sizeof(path), "%s/.config/git/config", home ? home : "");
		scan_config(g, worktree, path, 0);
		snprintf(path, sizeof(path), "%s/.gitconfig", home ? home : "");
		scan_config(g, worktree, path, 0);
	}
	snprintf(path, sizeof(path), "%s/config", common);
	scan_config(g, worktree, path, 0);
	snprintf(path, sizeof(path), "%s/config.worktree", gitdir);
	scan_config(g, worktree, path, 0);
}

static void walk_modules(struct gitguard *g, const char *dir, int depth,
			 void (*on_git_dir)(struct gitguard *g, const char *path, int depth),
			 void (*on_other)(struct gitguard *g, const char *path, const struct stat *st));

/* The parts of a git folder that make git run a program or read config:
 * read-only inside. A missing hooks folder becomes an empty read-only one
 * (its mount point, an empty folder, stays on the host, as git init would
 * have made it). Links are left alone: a changed one is found afterwards. */
static void protect_git_dir(struct gitguard *g, const char *gitdir, int depth)
{
	static const char *const parts[] = { "config", "config.worktree", "commondir", "worktrees", "hooks" };
	char path[PATH_MAX];
	struct stat st;

	if (--g->dirs_left < 0)
		return;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", gitdir, parts[i]) >= sizeof(path))
			return;
		if (lstat(path, &st) == 0) {
			if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
				cover(g, SANDBOX_RO_BIND, path);
		} else if (errno == ENOENT && !strcmp(parts[i], "hooks"))
			cover(g, SANDBOX_RO_TMPFS, path);
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/modules", gitdir) < sizeof(path))
		walk_modules(g, path, depth + 1, protect_git_dir, NULL);
}

static bool has_head(const char *dir)
{
	char head[PATH_MAX + 8];

	snprintf(head, sizeof(head), "%s/HEAD", dir);
	return access(head, F_OK) == 0;
}

/* The submodules' git folders below dir (their names may hold slashes):
 * on_git_dir for each, on_other for any other entry that is not a folder. */
static void walk_modules(struct gitguard *g, const char *dir, int depth,
			 void (*on_git_dir)(struct gitguard *g, const char *path, int depth),
			 void (*on_other)(struct gitguard *g, const char *path, const struct stat *st))
{
	char path[PATH_MAX];
	struct dirent *e;
	struct stat st;
	DIR *d;

	if (depth > MODULES_DEPTH || !(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= sizeof(path) ||
		    lstat(path, &st) < 0)
			continue;
		if (!S_ISDIR(st.st_mode)) {
			if (on_other)
				on_other(g, path, &st);
		} else if (has_head(path))
			on_git_dir(g, path, depth);
		else
			walk_modules(g, path, depth + 1, on_git_dir, on_other);
	}
	closedir(d);
}

/* The folder the commondir file sends git to (for config and hooks). */
static char *common_dir(const char *gitdir)
{
	char path[PATH_MAX];
	char *common;

	snprintf(path, sizeof(path), "%s/commondir", gitdir);
	common = boundary_git_link(path, "", gitdir);
	return common ? common : util_xstrdup(gitdir);
}

static void protect_tree(struct gitguard *g, const char *tree)
{
	char top[PATH_MAX];
	char *gitdir = NULL, *common;
	struct stat st;

	if ((size_t)snprintf(top, sizeof(top), "%s/.git", tree) >= sizeof(top) || lstat(top, &st) < 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		/* A mount point: it cannot be renamed, removed or replaced. */
		sandbox_profile_add(g->p, SANDBOX_BIND, top, top);
		list_add(&g->anchored, &g->nanchored, top);
		gitdir = util_xstrdup(top);
	} else if (S_ISREG(st.st_mode)) {
		cover(g, SANDBOX_RO_BIND, top);
		gitdir = boundary_git_link(top, "gitdir: ", tree);
	}
	if (!gitdir)
		return;
	common = common_dir(gitdir);
	if (in_trees(g, gitdir))
		protect_git_dir(g, gitdir, 0);
	if (strcmp(common, gitdir) && in_trees(g, common))
		protect_git_dir(g, common, 0);
	scan_repository(g, tree, gitdir, common);
	free(common);
	free(gitdir);
}

void gitguard_protect(struct gitguard *g, struct sandbox_profile *p)
{
	g->p = p;
	for (size_t i = 0; i < g->ntrees; i++)
		protect_tree(g, g->trees[i]);
	g->p = NULL;
}

/* ---- after the run ---- */

/* At or after the start; a stamp of whole seconds (a file system that
 * keeps no more) counts from the start's second. */
static bool since_start(const struct gitguard *g, long long sec, long nsec)
{
	return sec > g->since.tv_sec || (sec == g->since.tv_sec && (nsec == 0 || nsec >= g->since.tv_nsec));
}

static bool changed(const struct gitguard *g, const struct stat *st)
{
	return since_start(g, st->st_ctim.tv_sec, st->st_ctim.tv_nsec);
}

/* Made while the command ran (birth time, where the file system keeps it). */
static bool born(const struct gitguard *g, const char *path)
{
	struct statx stx;

	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BTIME, &stx) < 0 || !(stx.stx_mask & STATX_BTIME))
		return false;
	return since_start(g, stx.stx_btime.tv_sec, (long)stx.stx_btime.tv_nsec);
}

/* Renamed where git does not look (never over an existing name). */
static void quarantine(struct gitguard *g, const char *path, const char *what)
{
	char dest[PATH_MAX + 32];

	g->findings++;
	util_buf_printf(g->report, "%s: %s", path, what);
	for (int i = 0; i < 100; i++) {
		snprintf(dest, sizeof(dest), i ? "%s.pylock-quarantine.%d" : "%s.pylock-quarantine", path, i);
		if (renameat2(AT_FDCWD, path, AT_FDCWD, dest, RENAME_NOREPLACE) == 0) {
			util_buf_printf(g->report, "; moved to %s\n", dest);
			return;
		}
		if (errno != EEXIST)
			break;
	}
	util_buf_printf(g->report, "; could not move it aside (%s): do not run git there before you have looked\n",
			strerror(errno));
}

/* Whether anything at or below path changed while the command ran. */
static bool tree_changed(const struct gitguard *g, const char *path, int depth, size_t *budget)
{
	char sub[PATH_MAX];
	struct dirent *e;
	struct stat st;
	bool any;
	DIR *d;

	if (lstat(path, &st) < 0)
		return false;
	if (changed(g, &st))
		return true;
	if (!S_ISDIR(st.st_mode))
		return false;
	if (depth > MODULES_DEPTH || !(d = opendir(path)))
		return true;
	any = false;
	while (!any && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (!(*budget)-- || (size_t)snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name) >= sizeof(sub))
			any = true;
		else
			any = tree_changed(g, sub, depth + 1, budget);
	}
	closedir(d);
	return any;
}

static void planted_module_entry(struct gitguard *g, const char *path, const struct stat *st);

/* A git folder: what in it makes git run a program, changed by the run
 * and not covered (covered parts are read-only inside: their changes are
 * the host's own). A git folder made by the run goes aside whole. */
static void examine_git_dir(struct gitguard *g, const char *gitdir, int depth)
{
	static const struct { const char *name, *what; } parts[] = {
		{ "config", "git config changed while the command ran" },
		{ "config.worktree", "git config changed while the command ran" },
		{ "commondir", "a commondir (it sends git to another folder's config and hooks) made or changed "
			       "while the command ran" },
		{ "hooks", "git hooks changed while the command ran" },
		{ "worktrees", "linked worktrees' git folders changed while the command ran" },
		{ "rebase-merge", "a rebase's todo (its exec lines run at git rebase --continue) made or changed "
				  "while the command ran" },
		{ "rebase-apply", "a git am or rebase in progress made or changed while the command ran" },
		{ "sequencer", "a cherry-pick or revert sequence made or changed while the command ran" },
	};
	bool hit[sizeof(parts) / sizeof(parts[0])] = { false };
	char path[PATH_MAX];
	size_t nhit = 0;

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		size_t budget = ITEM_ENTRIES_MAX;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", gitdir, parts[i].name) >= sizeof(path) ||
		    listed(g->covered, g->ncovered, path))
			continue;
		if ((hit[i] = tree_changed(g, path, 0, &budget)))
			nhit++;
	}
	if (nhit && !listed(g->anchored, g->nanchored, gitdir) && born(g, gitdir)) {
		quarantine(g, gitdir, "a git repository made while the command ran");
		return;
	}
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (hit[i]) {
			snprintf(path, sizeof(path), "%s/%s", gitdir, parts[i].name);
			quarantine(g, path, parts[i].what);
		}
	if ((size_t)snprintf(path, sizeof(path), "%s/modules", gitdir) < sizeof(path))
		walk_modules(g, path, depth + 1, examine_git_dir, planted_module_entry);
}

static void planted_module_entry(struct gitguard *g, const char *path, const struct stat *st)
{
	if (changed(g, st))
		quarantine(g, path, "an entry among the submodules' git folders made while the command ran");
}

static void examine_git_entry(struct gitguard *g, const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return;
	if (S_ISDIR(st.st_mode))
		examine_git_dir(g, path, 0);
	else if (changed(g, &st) && !listed(g->covered, g->ncovered, path))
		quarantine(g, path, "a .git file or link (it sends git to a folder of its choice) made or changed "
				    "while the command ran");
}

/* A folder the walk cannot open. One that was unreadable before the run
 * and not changed since could not have been written by the command
 * either; any other (changed, or out of descriptors or memory) may hide
 * what the command planted, so it is a finding. */
static void unexamined(struct gitguard *g, int parent, const char *name, const char *path)
{
	int why = errno;
	struct stat st;

	if (why == ENOENT || (why == EACCES && fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !changed(g, &st)))
		return;
	g->findings++;
	util_buf_printf(g->report, "%s: cannot be examined for planted git metadata (%s): do not run git there "
			"before you have looked\n", path, strerror(why));
}

/* Every .git below the folder open at fd (path names it), depth first;
 * links are not followed. */
static void walk(struct gitguard *g, int fd, struct util_buf *path, int depth)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;

	if (!d) {
		g->findings++;
		util_buf_printf(g->report, "%s: cannot be examined for planted git metadata (%s)\n", path->data,
				strerror(errno));
		close(fd);
		return;
	}
	while ((e = readdir(d))) {
		size_t mark = path->len;
		bool dir = e->d_type == DT_DIR;
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (e->d_type == DT_UNKNOWN)
			dir = fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
		util_buf_printf(path, "/%s", e->d_name);
		if (!strcmp(e->d_name, ".git"))
			examine_git_entry(g, path->data);
		else if (dir && depth >= GITGUARD_DEPTH_MAX) {
			g->findings++;
			util_buf_printf(g->report, "%s: more than %d folders deep: not examined for planted git "
					"metadata\n", path->data, GITGUARD_DEPTH_MAX);
		} else if (dir) {
			int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
			if (sub >= 0)
				walk(g, sub, path, depth + 1);
			else
				unexamined(g, dirfd(d), e->d_name, path->data);
		}
		util_buf_truncate(path, mark);
	}
	closedir(d);
}

size_t gitguard_check(struct gitguard *g, struct util_buf *report)
{
	struct stat st;

	g->report = report;
	g->findings = 0;
	for (size_t i = 0; i < g->ntrees; i++) {
		struct util_buf path = UTIL_BUF_INIT;
		int fd = open(g->trees[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);

		util_buf_puts(&path, strcmp(g->trees[i], "/") ? g->trees[i] : "");
		if (fd >= 0)
			walk(g, fd, &path, 0);
		else
			unexamined(g, AT_FDCWD, g->trees[i], g->trees[i]);
		util_buf_free(&path);
	}
	for (size_t i = 0; i < g->nwatched; i++)
		if (lstat(g->watched[i], &st) == 0)
			quarantine(g, g->watched[i], "a config file git includes, made while the command ran");
	g->report = NULL;
	return g->findings;
}
