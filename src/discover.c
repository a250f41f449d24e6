/* The walk: bounded depth, no symlinks followed, hidden and tool folders
 * skipped; a folder holding .git is handed to git and not walked further. */
#include "config.h"
#include "discover.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lock.h"
#include "lockimport.h"
#include "project.h"

struct repo_job {
	char *path;
	char *prefix;		/* only projects below it (a root inside the repository) */
	bool top_has_project;	/* the walk saw a project file in its top folder */
};

struct walk {
	const struct discover_opts *opts;
	pthread_mutex_t lock;	/* callbacks and seen[] are shared by the workers */
	char **seen;		/* work trees already read */
	size_t nseen;
	/* Repositories the walk found, read by the workers while the walk goes
	 * on: the first projects are reported before the walk ends. */
	pthread_mutex_t queue_lock;
	pthread_cond_t more;
	struct repo_job *jobs;
	size_t njobs, next_job;
	bool walk_done;
};

static void warn(struct walk *w, const char *path, const char *why)
{
	if (!w->opts->on_warning)
		return;
	pthread_mutex_lock(&w->lock);
	w->opts->on_warning(path, why, w->opts->ctx);
	pthread_mutex_unlock(&w->lock);
}

/* The warning's path is where it is: FILE:LINE:COL when known. */
static void warn_err(struct walk *w, const struct pl_error *err)
{
	char where[sizeof(err->file) + 32];

	if (err->line)
		snprintf(where, sizeof(where), "%s:%d:%d", err->file, err->line, err->col);
	else
		snprintf(where, sizeof(where), "%s", err->file[0] ? err->file : "?");
	warn(w, where, err->msg);
}

const char *discover_lock_name(enum discover_lock lock)
{
	static const char *const names[] = {
		[DISCOVER_LOCK_NONE] = "none", [DISCOVER_LOCK_CLEAN] = "clean",
		[DISCOVER_LOCK_MODIFIED] = "modified", [DISCOVER_LOCK_STAGED] = "staged",
		[DISCOVER_LOCK_UNTRACKED] = "untracked", [DISCOVER_LOCK_CONFLICTED] = "conflicted",
		[DISCOVER_LOCK_PRESENT] = "present",
	};
	return names[lock];
}

const char *discover_lock_word(const struct discover_project *p)
{
	return p->lock == DISCOVER_LOCK_NONE && p->source_format ? p->source_format : discover_lock_name(p->lock);
}

const char *discover_project_label(const struct discover_project *p, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s%s", p->name, p->lock_name ? " [" : "", p->lock_name ? p->lock_name : "",
		 p->lock_name ? "]" : "");
	return buf;
}

void discover_project_free(struct discover_project *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->path);
	free(p->repo);
	free(p->branch);
	free(p->worktree_of);
	free(p->lock_path);
	free(p->lock_name);
	free(p->groups);
	free(p->extras);
	free(p);
}

/* A list of names as "a, b"; NULL for none. */
static char *joined(const struct toml_value *list)
{
	struct util_buf b = UTIL_BUF_INIT;

	return toml_join_strings(list, &b) ? util_buf_steal(&b) : NULL;
}

/* Name from pyproject.toml: what git does not tell. */
static void fill_from_files(struct walk *w, struct discover_project *p)
{
	struct pl_error err;
	struct project *proj;

	pl_error_clear(&err);
	if ((proj = project_load(p->path, &err))) {
		p->name = util_xstrdup(proj->name);
		p->groups = joined(toml_get(proj->tool_pylock, "groups"));
		p->extras = joined(toml_get(proj->tool_pylock, "extras"));
		project_free(proj);
	} else {
		warn_err(w, &err);
		const char *base = strrchr(p->path, '/');
		p->name = util_xstrdup(base && base[1] ? base + 1 : p->path);
	}
	p->packages = -1;
}

/* The package count of p's lock, or that it holds conflict markers. */
static void read_lock(struct walk *w, struct discover_project *p)
{
	struct pl_error err;
	struct lock *lock;

	if ((lock = lock_read(p->lock_path, &err))) {
		p->packages = (long)lock->npackages;
		if (!p->groups)
			p->groups = joined(lock->default_groups);
		lock_free(lock);
	} else if (!strncmp(err.msg, "conflicted", 10))
		p->lock = DISCOVER_LOCK_CONFLICTED;
	else
		warn_err(w, &err);
}

static char *dup_or_null(const char *s)
{
	return s ? util_xstrdup(s) : NULL;
}

static struct discover_project *copy_project(const struct discover_project *p)
{
	struct discover_project *q = util_xcalloc(1, sizeof(*q));

	*q = *p;
	q->name = dup_or_null(p->name);
	q->path = dup_or_null(p->path);
	q->repo = dup_or_null(p->repo);
	q->branch = dup_or_null(p->branch);
	q->worktree_of = dup_or_null(p->worktree_of);
	q->groups = dup_or_null(p->groups);
	q->extras = dup_or_null(p->extras);
	return q;
}

static void emit(struct walk *w, struct discover_project *p)
{
	bool taken = false;

	pthread_mutex_lock(&w->lock);
	w->opts->on_project(p, &taken, w->opts->ctx);
	pthread_mutex_unlock(&w->lock);
	if (!taken)
		discover_project_free(p);
}

/* ---- repositories ---- */

struct dirset {
	char **dirs;
	size_t n;
};

static void dirset_add(struct dirset *s, const char *dir, size_t len)
{
	for (size_t i = 0; i < s->n; i++)
		if (strlen(s->dirs[i]) == len && !memcmp(s->dirs[i], dir, len))
			return;
	s->dirs = util_xrealloc(s->dirs, (s->n + 1) * sizeof(*s->dirs));
	s->dirs[s->n++] = util_xstrndup(dir, len);
}

static void collect_tracked(const char *path, void *ctx)
{
	const char *slash = strrchr(path, '/');

	if (project_is_project_file(slash ? slash + 1 : path))
		dirset_add(ctx, path, slash ? (size_t)(slash - path) : 0);
}

static int compare_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk_repo(struct walk *w, const struct repo_job *job);

static void walk_submodule(const char *path, void *ctx)
{
	struct util_buf git = UTIL_BUF_INIT;
	struct stat st;
	struct repo_job job = { (char *)path, NULL, true };

	/* Only submodules that are checked out have a .git to open. */
	util_buf_printf(&git, "%s/.git", path);
	if (lstat(git.data, &st) == 0)
		walk_repo(ctx, &job);
	util_buf_free(&git);
}

static bool seen_before(struct walk *w, const char *workdir)
{
	bool seen = false;

	pthread_mutex_lock(&w->lock);
	for (size_t i = 0; i < w->nseen && !seen; i++)
		seen = !strcmp(w->seen[i], workdir);
	if (!seen) {
		w->seen = util_xrealloc(w->seen, (w->nseen + 1) * sizeof(*w->seen));
		w->seen[w->nseen++] = util_xstrdup(workdir);
	}
	pthread_mutex_unlock(&w->lock);
	return seen;
}

static enum discover_lock lock_from_git(enum gitrepo_state s)
{
	switch (s) {
	case GITREPO_CLEAN: return DISCOVER_LOCK_CLEAN;
	case GITREPO_MODIFIED: return DISCOVER_LOCK_MODIFIED;
	case GITREPO_STAGED: return DISCOVER_LOCK_STAGED;
	case GITREPO_UNTRACKED: return DISCOVER_LOCK_UNTRACKED;
	case GITREPO_CONFLICTED: return DISCOVER_LOCK_CONFLICTED;
	case GITREPO_NONE: break;
	}
	return DISCOVER_LOCK_NONE;
}

/* A project is listed once per lock (pylock.toml first, then its
 * pylock.NAME.toml files), each with its own state in git (repo, with its
 * work tree wd) or outside it. */
static void emit_each_lock(struct walk *w, struct discover_project *p, struct gitrepo *repo, const char *wd)
{
	size_t n;
	char **names = project_lock_names(p->path, &n);
	struct pl_error err;

	if (!n) {
		enum lockimport_format f;
		char *source = lockimport_find(p->path, &f);
		p->source_format = source ? lockimport_format_name(f) : NULL;
		free(source);
		emit(w, p);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct discover_project *q = i + 1 < n ? copy_project(p) : p;
		struct util_buf b = UTIL_BUF_INIT;
		size_t len = strlen(names[i]);

		util_buf_printf(&b, "%s/%s", q->path, names[i]);
		q->lock_path = util_buf_steal(&b);
		q->lock_name = strcmp(names[i], "pylock.toml") ? util_xstrndup(names[i] + 7, len - 12) : NULL;
		read_lock(w, q);
		if (repo) {
			enum gitrepo_state s;
			if (gitrepo_path_state(repo, q->lock_path + strlen(wd) + 1, &s, &err) < 0)
				warn(w, q->lock_path, err.msg);
			else if (q->lock != DISCOVER_LOCK_CONFLICTED || s == GITREPO_CONFLICTED)
				q->lock = lock_from_git(s);
		} else if (q->lock != DISCOVER_LOCK_CONFLICTED) {
			q->lock = DISCOVER_LOCK_PRESENT;
		}
		emit(w, q);
		free(names[i]);
	}
	free(names);
}

static void walk_repo(struct walk *w, const struct repo_job *job)
{
	const char *prefix = job->prefix;
	struct gitrepo *repo;
	struct pl_error err;
	struct dirset dirs = { NULL, 0 };
	char *branch = NULL, *worktree_of = NULL;
	int ahead = 0, behind = 0;
	bool upstream = false;
	const char *wd;

	pl_error_clear(&err);
	if (gitrepo_open(job->path, &repo, &err) < 0) {
		warn(w, job->path, err.msg);
		return;
	}
	wd = gitrepo_workdir(repo);
	if (seen_before(w, wd)) {
		gitrepo_free(repo);
		return;
	}
	if (gitrepo_foreach_tracked(repo, collect_tracked, &dirs, &err) < 0)
		warn(w, wd, err.msg);
	/* Untracked projects count only in the top folder (which the walk has
	 * read already): walking the rest of the work tree is what reading
	 * the index avoids. */
	if (job->top_has_project)
		dirset_add(&dirs, "", 0);
	if (dirs.n) {
		/* Most repositories hold no Python project: ask git for more only when one does. */
		if (!(branch = gitrepo_branch(repo, &err)))
			warn(w, wd, err.msg);
		if (gitrepo_ahead_behind(repo, &ahead, &behind, &upstream, &err) < 0)
			warn(w, wd, err.msg);
		worktree_of = gitrepo_worktree_of(repo);
	}
	if (dirs.n > 1)
		qsort(dirs.dirs, dirs.n, sizeof(*dirs.dirs), compare_str);
	for (size_t i = 0; i < dirs.n; i++) {
		struct discover_project *p = util_xcalloc(1, sizeof(*p));
		struct util_buf b = UTIL_BUF_INIT;
		struct stat st;

		util_buf_printf(&b, dirs.dirs[i][0] ? "%s/%s" : "%s", wd, dirs.dirs[i]);
		p->path = util_buf_steal(&b);
		if ((prefix && strncmp(p->path, prefix, strlen(prefix))) ||
		    stat(p->path, &st) < 0 || !S_ISDIR(st.st_mode)) {
			discover_project_free(p);
			continue;
		}
		p->repo = util_xstrdup(wd);
		p->branch = branch ? util_xstrdup(branch) : NULL;
		p->has_upstream = upstream;
		p->ahead = ahead;
		p->behind = behind;
		p->worktree_of = worktree_of ? util_xstrdup(worktree_of) : NULL;
		fill_from_files(w, p);
		emit_each_lock(w, p, repo, wd);
	}
	for (size_t i = 0; i < dirs.n; i++)
		free(dirs.dirs[i]);
	free(dirs.dirs);
	free(branch);
	free(worktree_of);
	gitrepo_foreach_submodule(repo, walk_submodule, w);
	gitrepo_free(repo);
}

/* ---- folders outside repositories ---- */

static void add_job(struct walk *w, const char *path, const char *prefix, bool top_has_project)
{
	pthread_mutex_lock(&w->queue_lock);
	w->jobs = util_xrealloc(w->jobs, (w->njobs + 1) * sizeof(*w->jobs));
	w->jobs[w->njobs].path = util_xstrdup(path);
	w->jobs[w->njobs].prefix = prefix ? util_xstrdup(prefix) : NULL;
	w->jobs[w->njobs++].top_has_project = top_has_project;
	pthread_cond_signal(&w->more);
	pthread_mutex_unlock(&w->queue_lock);
}

static bool skipped_folder(const char *name)
{
	return name[0] == '.' || !strcmp(name, "node_modules") || !strcmp(name, "__pycache__") ||
	       !strcmp(name, "venv") || !strcmp(name, "site-packages");
}

static void walk_dir(struct walk *w, const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool has_git = false, has_project = false, has_head = false, has_objects = false;
	char **subdirs = NULL;
	size_t nsub = 0;

	if (!d) {
		char why[256];
		snprintf(why, sizeof(why), "cannot read folder: %s", strerror(errno));
		warn(w, dir, why);
		return;
	}
	while ((e = readdir(d))) {
		const char *n = e->d_name;
		unsigned char type = e->d_type;

		if (!strcmp(n, ".") || !strcmp(n, ".."))
			continue;
		if (type == DT_UNKNOWN) {
			struct util_buf p = UTIL_BUF_INIT;
			struct stat st;
			util_buf_printf(&p, "%s/%s", dir, n);
			type = lstat(p.data, &st) < 0 ? DT_UNKNOWN : S_ISDIR(st.st_mode) ? DT_DIR
			     : S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
			util_buf_free(&p);
		}
		if (!strcmp(n, ".git") && (type == DT_DIR || type == DT_REG))
			has_git = true;
		else if (type == DT_REG && project_is_project_file(n))
			has_project = true;
		else if (type == DT_REG && !strcmp(n, "HEAD"))
			has_head = true;
		else if (type == DT_DIR && !strcmp(n, "objects"))
			has_objects = true;
		if (type == DT_DIR && !skipped_folder(n) && depth > 0) {
			subdirs = util_xrealloc(subdirs, (nsub + 1) * sizeof(*subdirs));
			subdirs[nsub++] = util_xstrdup(n);
		}
	}
	closedir(d);
	if (has_git)
		add_job(w, dir, NULL, has_project);
	else if (has_head && has_objects)
		warn(w, dir, "bare repository (no work tree), skipped");
	else {
		if (has_project) {
			struct discover_project *p = util_xcalloc(1, sizeof(*p));
			p->path = util_xstrdup(dir);
			fill_from_files(w, p);
			emit_each_lock(w, p, NULL, NULL);
		}
		if (nsub > 1)
			qsort(subdirs, nsub, sizeof(*subdirs), compare_str);
		for (size_t i = 0; i < nsub; i++) {
			struct util_buf p = UTIL_BUF_INIT;
			util_buf_printf(&p, "%s/%s", strcmp(dir, "/") ? dir : "", subdirs[i]);
			walk_dir(w, p.data, depth - 1);
			util_buf_free(&p);
		}
	}
	for (size_t i = 0; i < nsub; i++)
		free(subdirs[i]);
	free(subdirs);
}

/* The work tree holding dir, when dir lies inside one (but is not its top). */
static char *enclosing_worktree(const char *dir)
{
	char buf[PATH_MAX];
	struct util_buf git = UTIL_BUF_INIT;
	struct stat st;

	snprintf(buf, sizeof(buf), "%s", dir);
	for (char *slash; (slash = strrchr(buf, '/')) && slash != buf;) {
		*slash = '\0';
		util_buf_truncate(&git, 0);
		util_buf_printf(&git, "%s/.git", buf);
		if (lstat(git.data, &st) == 0) {
			util_buf_free(&git);
			return util_xstrdup(buf);
		}
	}
	util_buf_free(&git);
	return NULL;
}

static void *worker(void *arg)
{
	struct walk *w = arg;

	for (;;) {
		struct repo_job job;

		pthread_mutex_lock(&w->queue_lock);
		while (w->next_job >= w->njobs && !w->walk_done)
			pthread_cond_wait(&w->more, &w->queue_lock);
		if (w->next_job >= w->njobs) {
			pthread_mutex_unlock(&w->queue_lock);
			return NULL;
		}
		job = w->jobs[w->next_job++];
		pthread_mutex_unlock(&w->queue_lock);
		walk_repo(w, &job);
	}
}

int discover_run(const struct discover_opts *opts, struct pl_error *err)
{
	struct walk w = { .opts = opts };

	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nthreads = cores < 1 ? 1 : cores > 8 ? 8 : (size_t)cores, started = 0;
	pthread_t threads[8];

	pthread_mutex_init(&w.lock, NULL);
	pthread_mutex_init(&w.queue_lock, NULL);
	pthread_cond_init(&w.more, NULL);
	/* Repositories are read in parallel, one worker per core (opening one
	 * is mostly waiting on small file-system calls); this thread walks,
	 * then reads too. */
	for (size_t i = 1; i < nthreads; i++)
		if (pthread_create(&threads[started], NULL, worker, &w) == 0)
			started++;

	for (size_t i = 0; i < opts->nroots; i++) {
		char real[PATH_MAX], *outer;

		if (!realpath(opts->roots[i], real)) {
			char why[256];
			snprintf(why, sizeof(why), "cannot open root: %s", strerror(errno));
			warn(&w, opts->roots[i], why);
			continue;
		}
		if ((outer = enclosing_worktree(real))) {
			add_job(&w, outer, real, project_dir_is_project(outer));
			free(outer);
		} else
			walk_dir(&w, real, opts->depth);
	}
	pthread_mutex_lock(&w.queue_lock);
	w.walk_done = true;
	pthread_cond_broadcast(&w.more);
	pthread_mutex_unlock(&w.queue_lock);
	worker(&w);
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	for (size_t i = 0; i < w.njobs; i++) {
		free(w.jobs[i].path);
		free(w.jobs[i].prefix);
	}
	free(w.jobs);
	for (size_t i = 0; i < w.nseen; i++)
		free(w.seen[i]);
	free(w.seen);
	pthread_mutex_destroy(&w.lock);
	pthread_mutex_destroy(&w.queue_lock);
	pthread_cond_destroy(&w.more);
	return 0;
}
