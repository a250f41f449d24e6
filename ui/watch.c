/* inotify on the projects on screen (watch.h). */
#include "config.h"
#include "watch.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "jobs.h"

/* A burst of writes (git writes index.lock, then renames it) is one
 * change: the row is reread once nothing happened for this long. */
#define WATCH_SETTLE_MS 150

struct watched {
	int wd;
	char *dir;
	char *repo;		/* the work tree whose git folder dir is; NULL: a project's folder */
	bool seen;		/* still wanted at the last watch_visible */
};

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

int watch_init(struct app *app)
{
	app->watch_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	return app->watch_fd;
}

/* The git folder of a work tree: WT/.git, or where a linked worktree's
 * .git file points. */
static char *git_dir(const char *worktree)
{
	char path[PATH_MAX], line[PATH_MAX + 16];
	FILE *f;

	snprintf(path, sizeof(path), "%s/.git", worktree);
	if (!(f = fopen(path, "r")))
		return NULL;
	if (fgets(line, sizeof(line), f) && !strncmp(line, "gitdir: ", 8)) {
		fclose(f);
		line[strcspn(line, "\n")] = '\0';
		if (line[8] == '/')
			return util_xstrdup(line + 8);
		struct util_buf b = UTIL_BUF_INIT;
		util_buf_printf(&b, "%s/%s", worktree, line + 8);
		return util_buf_steal(&b);
	}
	fclose(f);
	/* A folder: fopen succeeds on it, the read fails. */
	return util_xstrdup(path);
}

static void want(struct app *app, const char *dir, const char *repo)
{
	for (size_t i = 0; i < app->nwatched; i++)
		if (!strcmp(app->watched[i].dir, dir)) {
			app->watched[i].seen = true;
			return;
		}
	int wd = inotify_add_watch(app->watch_fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE |
				   IN_MOVED_FROM | IN_ONLYDIR);
	if (wd < 0)
		return;
	app->watched = util_xrealloc(app->watched, (app->nwatched + 1) * sizeof(*app->watched));
	app->watched[app->nwatched++] = (struct watched){ wd, util_xstrdup(dir), repo ? util_xstrdup(repo) : NULL, true };
}

void watch_visible(struct app *app)
{
	if (app->watch_fd < 0 || (app->watch_top == app->list.top && app->watch_n == app->list.n &&
				  app->watch_height == app->list.height && app->watch_gen == app->rows_gen && app->nwatched))
		return;
	app->watch_top = app->list.top;
	app->watch_n = app->list.n;
	app->watch_height = app->list.height;
	app->watch_gen = app->rows_gen;
	for (size_t i = 0; i < app->nwatched; i++)
		app->watched[i].seen = false;
	size_t end = app->list.top + (size_t)(app->list.height > 0 ? app->list.height : 0);
	for (size_t i = app->list.top; i < end && i < app->list.n; i++) {
		const struct project_row *r = &app->rows[app->shown[i]];
		want(app, r->p->path, NULL);
		char *g = r->p->repo ? git_dir(r->p->repo) : NULL;
		if (g)
			want(app, g, r->p->repo);
		free(g);
	}
	size_t k = 0;
	for (size_t i = 0; i < app->nwatched; i++) {
		if (app->watched[i].seen) {
			app->watched[k++] = app->watched[i];
			continue;
		}
		inotify_rm_watch(app->watch_fd, app->watched[i].wd);
		free(app->watched[i].dir);
		free(app->watched[i].repo);
	}
	app->nwatched = k;
}

/* Whether a file named name in a project's folder or git folder says
 * something about the row: its locks, pyproject.toml, git's index and HEAD. */
static bool matters(const char *name)
{
	size_t n = strlen(name);

	return !strcmp(name, "pyproject.toml") || !strcmp(name, "pylock.toml") || !strcmp(name, "index") ||
	       !strcmp(name, "HEAD") || !strcmp(name, "MERGE_HEAD") ||
	       (!strncmp(name, "pylock.", 7) && n > 12 && !strcmp(name + n - 5, ".toml"));
}

/* The rows a change in a watched folder concerns: the project in it, or
 * every project of the repository whose git folder it is. */
static void mark(struct app *app, const struct watched *w)
{
	for (size_t i = 0; i < app->nrows; i++) {
		struct project_row *r = &app->rows[i];
		if (w->repo ? r->p->repo && !strcmp(r->p->repo, w->repo) : !strcmp(r->p->path, w->dir))
			r->changed_at = now_ms();
	}
}

void watch_read(struct app *app)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t len;

	if (app->watch_fd < 0)
		return;
	while ((len = read(app->watch_fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + len;) {
			const struct inotify_event *e = (const struct inotify_event *)p;
			p += sizeof(*e) + e->len;
			if (!e->len || !matters(e->name))
				continue;
			for (size_t i = 0; i < app->nwatched; i++)
				if (app->watched[i].wd == e->wd)
					mark(app, &app->watched[i]);
		}
	}
}

int watch_due(struct app *app)
{
	long now = now_ms(), next = -1;

	for (size_t i = 0; i < app->nrows; i++) {
		struct project_row *r = &app->rows[i];
		if (!r->changed_at)
			continue;
		long due = r->changed_at + WATCH_SETTLE_MS;
		if (due <= now) {
			r->changed_at = 0;
			jobs_refresh(app, r, true);
		} else if (next < 0 || due - now < next) {
			next = due - now;
		}
	}
	return (int)next;
}

void watch_fini(struct app *app)
{
	for (size_t i = 0; i < app->nwatched; i++) {
		free(app->watched[i].dir);
		free(app->watched[i].repo);
	}
	free(app->watched);
	if (app->watch_fd >= 0)
		close(app->watch_fd);
}
