/* Work that must not block keys: discovery, verify, sync and relocks on
 * threads of their own (the engine's calls, as the CLI makes them); results
 * come back through app->wake. Only shells run the CLI, on the real
 * terminal. */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sys/stat.h>

#include "jobs.h"
#include "audit.h"
#include "env.h"
#include "lockdiff.h"
#include "lockimport.h"
#include "projctx.h"
#include "pyedit.h"
#include "relock.h"
#include "resolve.h"
#include "sync.h"
#include "yamlconf.h"

struct done {
	enum { DONE_VERIFY, DONE_SYNC, DONE_RELOCK, DONE_REFRESH, DONE_CANDIDATES } kind;
	enum jobs_relock relock;	/* what kind of relock */
	char *arg;			/* its package or requirement */
	char msg[512];			/* relock: what it did */
	bool locked;			/* relock: the lock exists now */
	char *path;			/* the project's folder */
	char *lock;			/* its lock (a project may have several), or NULL */
	bool failed;			/* err says why */
	struct pl_error err;
	struct sig_status *sigs;	/* verify: one per package checked */
	size_t nsigs;
	char env_id[65];		/* sync */
	struct app *app;		/* refresh */
	bool quiet;			/* refresh: a watched file changed; the log only */
	struct candidate_status *cands;	/* candidates: their signatures */
	size_t ncands;
	struct done *next;
};

/* A verify or sync waiting for a slot; its row by key (it may go). */
struct queued {
	int kind;
	char *key;
};

static void wake(struct app *app)
{
	char b = 1;

	if (write(app->wake[1], &b, 1) < 0)
		return;
}

/* Hands a finished job's result to the main thread (jobs_collect). */
static void finished(struct app *app, struct done *d)
{
	pthread_mutex_lock(&app->lock);
	d->next = app->finished;
	app->finished = d;
	pthread_mutex_unlock(&app->lock);
	wake(app);
}

static void on_project(struct discover_project *p, bool *taken, void *ctx)
{
	struct app *app = ctx;

	pthread_mutex_lock(&app->lock);
	app->incoming = util_xrealloc(app->incoming, (app->nincoming + 1) * sizeof(*app->incoming));
	app->incoming[app->nincoming++] = p;
	pthread_mutex_unlock(&app->lock);
	*taken = true;
	wake(app);
}

static void on_warning(const char *path, const char *why, void *ctx)
{
	struct app *app = ctx;
	struct util_buf b = UTIL_BUF_INIT;

	util_buf_printf(&b, "%s: %s", path, why);
	pthread_mutex_lock(&app->lock);
	app->warnings = util_xrealloc(app->warnings, (app->nwarnings + 1) * sizeof(*app->warnings));
	app->warnings[app->nwarnings++] = util_buf_steal(&b);
	pthread_mutex_unlock(&app->lock);
	wake(app);
}

void jobs_warnings(struct app *app)
{
	char **w;
	size_t n;

	pthread_mutex_lock(&app->lock);
	w = app->warnings;
	n = app->nwarnings;
	app->warnings = NULL;
	app->nwarnings = 0;
	pthread_mutex_unlock(&app->lock);
	for (size_t i = 0; i < n; i++)
		app_log(app, "warning: %s", w[i]);
	if (n && strstr(w[0], "cannot open root"))
		app_message(app, "run pylock ui DIR, or set roots: in config.yaml — %s%s", w[0],
			    n > 1 ? " (: lists the other warnings)" : "");
	else if (n)
		app_message(app, "warning: %s%s", w[0], n > 1 ? " (: lists the other warnings)" : "");
	for (size_t i = 0; i < n; i++)
		free(w[i]);
	free(w);
}

/* The Conflicts tab's candidates, checked from a resolve of this thread's
 * own (the tab's may go while this runs). */
static void *check_candidates(void *arg)
{
	struct done *d = arg;
	struct resolve r;
	struct resolve_candidate *c = NULL;
	size_t n = 0;

	if (resolve_open(d->lock, &r, &d->err) != 0 || resolve_check_candidates(&r, d->path, &c, &n, &d->err) < 0) {
		d->failed = true;
	} else {
		d->cands = util_xcalloc(n + 1, sizeof(*d->cands));
		for (size_t i = 0; i < n; i++)
			d->cands[d->ncands++] = (struct candidate_status){
				util_xstrdup(r.merge.items[c[i].item].key), c[i].side, c[i].result };
	}
	free(c);
	resolve_close(&r);
	finished(d->app, d);
	return NULL;
}

void jobs_check_candidates(struct app *app, const char *lock_path, const char *root)
{
	struct done *d = util_xcalloc(1, sizeof(*d));
	pthread_t t;

	d->kind = DONE_CANDIDATES;
	d->app = app;
	d->path = util_xstrdup(root);
	d->lock = util_xstrdup(lock_path);
	if (pthread_create(&t, NULL, check_candidates, d) == 0) {
		pthread_detach(t);
		return;
	}
	conflicts_candidates(app, lock_path, NULL, 0, strerror(errno));
	free(d->path);
	free(d->lock);
	free(d);
}

/* A refresh: the project's folder alone, its projects replacing their
 * rows (take_incoming). */
static void *reread(void *arg)
{
	struct done *d = arg;
	struct app *app = d->app;
	const char *roots[1] = { d->path };
	struct discover_opts o = { .roots = roots, .nroots = 1, .depth = 0, .on_project = on_project,
				   .on_warning = on_warning, .ctx = app };

	if (discover_run(&o, &d->err) < 0)
		d->failed = true;
	finished(app, d);
	return NULL;
}

void jobs_refresh(struct app *app, struct project_row *row, bool quiet)
{
	struct done *d = util_xcalloc(1, sizeof(*d));
	pthread_t t;

	d->kind = DONE_REFRESH;
	d->quiet = quiet;
	d->app = app;
	d->path = util_xstrdup(row->p->path);
	d->lock = row->p->lock_path ? util_xstrdup(row->p->lock_path) : NULL;
	if (pthread_create(&t, NULL, reread, d) == 0) {
		pthread_detach(t);
		return;
	}
	app_message(app, "cannot start a thread: %s", strerror(errno));
	free(d->path);
	free(d->lock);
	free(d);
}

static void *discovery(void *arg)
{
	struct app *app = arg;
	struct yamlconf_config cfg;
	struct pl_error err;

	if (yamlconf_config_load_default(&cfg, &err) < 0)
		cfg.depth = CONFIG_DEFAULT_DEPTH;
	struct discover_opts o = {
		.roots = (const char *const *)app->roots, .nroots = app->nroots, .depth = cfg.depth,
		.on_project = on_project, .on_warning = on_warning, .ctx = app,
	};
	discover_run(&o, &err);
	yamlconf_config_fini(&cfg);
	pthread_mutex_lock(&app->lock);
	app->discovering = false;
	pthread_mutex_unlock(&app->lock);
	wake(app);
	return NULL;
}

void jobs_start_discovery(struct app *app)
{
	pthread_t t;

	app->discovering = true;
	if (pthread_create(&t, NULL, discovery, app) == 0)
		pthread_detach(t);
	else
		app->discovering = false;
}

/* A verify or sync of one project, on its own thread, through the same
 * engine calls as pylock verify and pylock sync; its files done of total
 * show in the status line as it goes. */
struct job {
	struct app *app;
	struct done *d;
	char name[48];
	struct timespec last;		/* the last wake for progress */
};

static double since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* Called by the engine's threads, one at a time; the screen is woken at
 * most every 50 ms, and at the end of a phase. */
static void report(void *arg, const char *phase, size_t done, size_t total)
{
	struct job *j = arg;

	pthread_mutex_lock(&j->app->lock);
	snprintf(j->app->progress, sizeof(j->app->progress), "%s %.30s %zu/%zu", phase, j->name, done, total);
	pthread_mutex_unlock(&j->app->lock);
	if (done == total || since(&j->last) >= 0.05) {
		clock_gettime(CLOCK_MONOTONIC, &j->last);
		wake(j->app);
	}
}

static void verify_project(struct job *j, const struct env_progress *progress)
{
	struct done *d = j->d;
	struct projctx c;
	struct audit a;

	struct projctx_request req = { .lock = d->lock };

	if (projctx_open(&c, d->path, PROJCTX_POLICY | PROJCTX_LOCK, &req, &d->err) < 0) {
		d->failed = true;
		return;
	}
	if (audit_run(&c, false, progress, &a, &d->err) < 0) {
		d->failed = true;
		projctx_close(&c);
		return;
	}
	d->sigs = util_xcalloc(a.n + 1, sizeof(*d->sigs));
	for (size_t i = 0; i < a.n; i++) {
		struct sig_status *s = &d->sigs[d->nsigs++];
		s->name = util_xstrdup(a.packages[i].pkg->name);
		snprintf(s->status, sizeof(s->status), "%s", trust_status_name(a.packages[i].result.status));
		const struct trust_result *r = &a.packages[i].result;
		snprintf(s->signer, sizeof(s->signer), "%.79s", r->signer.described[0] ? r->signer.described : r->key_id);
		snprintf(s->reason, sizeof(s->reason), "%s", r->reason);
		snprintf(s->file, sizeof(s->file), "%.127s", a.packages[i].file ? a.packages[i].file->name : "");
	}
	audit_fini(&a);
	projctx_close(&c);
}

static void sync_env(struct job *j, const struct env_progress *progress)
{
	struct done *d = j->d;
	struct sync_result r;
	struct projctx c;

	struct projctx_request req = { .lock = d->lock };

	if (projctx_open(&c, d->path, PROJCTX_POLICY | PROJCTX_PLAN, &req, &d->err) < 0) {
		d->failed = true;
		return;
	}
	if (sync_project(&c, progress, &r, &d->err) < 0)
		d->failed = true;
	else
		snprintf(d->env_id, sizeof(d->env_id), "%s", c.plan.env_id);
	projctx_close(&c);
}

/* "2 changes: added beta 2.0, upgraded alpha 1.0 -> 2.0" */
static void changes(const struct relock_result *res, char *out, size_t size)
{
	struct lockdiff d;
	size_t used;

	lockdiff_diff(res->before, res->after, &d);
	used = (size_t)snprintf(out, size, "%zu change%s", d.n, d.n == 1 ? "" : "s");
	for (size_t i = 0; i < d.n && used < size; i++) {
		const struct lockdiff_change *c = &d.changes[i];
		if (c->kind == LOCKDIFF_TOP)
			continue;
		if (c->kind == LOCKDIFF_UPGRADED || c->kind == LOCKDIFF_DOWNGRADED)
			used += (size_t)snprintf(out + used, size - used, "%s %s %s %s -> %s", i ? "," : ":",
						 lockdiff_kind_name(c->kind), c->name, c->old ? c->old : "",
						 c->new ? c->new : "");
		else
			used += (size_t)snprintf(out + used, size - used, "%s %s %s %s", i ? "," : ":",
						 lockdiff_kind_name(c->kind), c->name,
						 c->new ? c->new : c->old ? c->old : "");
	}
	lockdiff_fini(&d);
}

/* The lock of a relock: the row's, when it exists yet. */
static const char *existing(const char *lock)
{
	struct stat st;

	return lock && stat(lock, &st) == 0 ? lock : NULL;
}

/* pyproject.toml edited as pylock add / remove edit it; -1 with err. */
static int edit(struct done *d, const char *path, struct util_buf *out, struct pl_error *err)
{
	char *text;
	size_t len, removed;
	int rc;

	if (util_read_file(path, PROJECT_MAX_PYPROJECT, &text, &len, err) < 0)
		return -1;
	if (d->relock == JOBS_ADD)
		rc = pyedit_add(text, len, path, PYEDIT_DEPENDENCIES, NULL, d->arg, out, err);
	else if ((rc = pyedit_remove(text, len, path, d->arg, out, &removed, err)) == 0 && !removed)
		rc = pl_error_set(err, NULL, 0, 0, "no requirement names '%.100s'", d->arg);
	free(text);
	return rc;
}

static void relock(struct job *j)
{
	struct done *d = j->d;
	char *upgrade[1] = { d->arg };
	struct relock_request req = {
		.upgrade_all = d->relock == JOBS_UPGRADE && !d->arg,
		.upgrade = upgrade, .nupgrade = d->relock == JOBS_UPGRADE && d->arg,
	};
	struct relock_result res = { .why = UTIL_BUF_INIT };
	const char *lock = existing(d->lock);
	char why[1400];
	bool restored = false;
	int rc = -1;

	if (d->relock == JOBS_IMPORT) {
		struct lockimport_options o = { .ngroups = 0 };
		char *source = NULL;
		size_t n;
		rc = lockimport_project(d->path, &o, &source, &n, &d->err);
		if (rc < 0)
			snprintf(d->msg, sizeof(d->msg), "import %s failed: %.300s", j->name,
				 pl_error_format(&d->err, why, sizeof(why)));
		else
			snprintf(d->msg, sizeof(d->msg), "imported %.200s into pylock.toml (%zu packages)",
				 strrchr(source, '/') + 1, n);
		free(source);
		d->locked = rc == 0;
		return;
	}
	if (d->relock == JOBS_ADD || d->relock == JOBS_REMOVE) {
		struct util_buf path = UTIL_BUF_INIT, text = UTIL_BUF_INIT;
		char *old;
		size_t oldlen;
		util_buf_printf(&path, "%s/pyproject.toml", d->path);
		if (util_read_file(path.data, PROJECT_MAX_PYPROJECT, &old, &oldlen, &d->err) == 0) {
			if (edit(d, path.data, &text, &d->err) == 0)
				rc = relock_edited(d->path, lock, old, oldlen, text.data, text.len, &req, &res, &restored,
						   &d->err);
			free(old);
		}
		util_buf_free(&path);
		util_buf_free(&text);
	} else {
		struct projctx c;
		struct projctx_request preq = { .lock = lock };
		if (projctx_open(&c, d->path, PROJCTX_POLICY | PROJCTX_PYTHON, &preq, &d->err) == 0) {
			rc = relock_project(&c, &req, &res, &d->err);
			projctx_close(&c);
		}
	}
	if (rc < 0) {
		snprintf(d->msg, sizeof(d->msg), "lock %s failed: %.300s%s", j->name, pl_error_format(&d->err, why,
			 sizeof(why)), restored ? "; pyproject.toml left as it was" : "");
	} else if (rc == 1) {
		/* The explanation's first sentence; pylock lock prints it all. */
		const char *text = util_buf_str(&res.why);
		snprintf(d->msg, sizeof(d->msg), "no solution for %s%s: %.*s", j->name,
			 restored ? " (pyproject.toml left as it was)" : "", (int)strcspn(text, "\n"), text);
	} else if (!res.written) {
		snprintf(d->msg, sizeof(d->msg), "%s: %s is up to date", j->name, res.lock_name);
	} else {
		char list[400];
		changes(&res, list, sizeof(list));
		snprintf(d->msg, sizeof(d->msg), "locked %s: %s", j->name, list);
	}
	d->locked = rc == 0;
	relock_result_fini(&res);
}

static void *run_job(void *arg)
{
	struct job *j = arg;
	struct env_progress progress = { report, j, NULL };
	sigset_t async;

	/* Resizes and Ctrl-C are the main thread's. */
	sigemptyset(&async);
	sigaddset(&async, SIGWINCH);
	sigaddset(&async, SIGINT);
	sigaddset(&async, SIGTERM);
	sigaddset(&async, SIGTSTP);
	pthread_sigmask(SIG_BLOCK, &async, NULL);
	if (j->d->kind == DONE_VERIFY)
		verify_project(j, &progress);
	else if (j->d->kind == DONE_SYNC)
		sync_env(j, &progress);
	else
		relock(j);
	pthread_mutex_lock(&j->app->lock);
	j->app->jobs_running--;
	pthread_mutex_unlock(&j->app->lock);
	finished(j->app, j->d);
	free(j);
	return NULL;
}

static void start_job(struct app *app, int kind, struct project_row *row, enum jobs_relock relock, const char *arg)
{
	static const char *const what[] = { "verify", "sync", "lock" };
	struct job *j = util_xcalloc(1, sizeof(*j));
	pthread_t t;

	j->app = app;
	j->d = util_xcalloc(1, sizeof(*j->d));
	j->d->kind = kind;
	j->d->relock = relock;
	j->d->arg = arg ? util_xstrdup(arg) : NULL;
	j->d->path = util_xstrdup(row->p->path);
	j->d->lock = row->p->lock_path ? util_xstrdup(row->p->lock_path) : NULL;
	discover_project_label(row->p, j->name, sizeof(j->name));
	pthread_mutex_lock(&app->lock);
	app->jobs_running++;
	snprintf(app->progress, sizeof(app->progress), "%s %.40s", what[kind], row->p->name);
	pthread_mutex_unlock(&app->lock);
	app_log(app, "%s %s started", relock == JOBS_IMPORT ? "import" : what[kind], j->name);
	if (pthread_create(&t, NULL, run_job, j) == 0) {
		pthread_detach(t);
		return;
	}
	pthread_mutex_lock(&app->lock);
	app->jobs_running--;
	pthread_mutex_unlock(&app->lock);
	app_message(app, "cannot start a thread: %s", strerror(errno));
	free(j->d->arg);
	free(j->d->path);
	free(j->d->lock);
	free(j->d);
	free(j);
}

int jobs_max(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 4 ? 4 : (int)n;
}

/* Starts a verify or sync now, or queues it while jobs_max() run. */
static void start_or_queue(struct app *app, int kind, struct project_row *row)
{
	pthread_mutex_lock(&app->lock);
	bool full = app->jobs_running >= jobs_max();
	pthread_mutex_unlock(&app->lock);
	if (!full) {
		start_job(app, kind, row, JOBS_LOCK, NULL);
		return;
	}
	app->queued = util_xrealloc(app->queued, (app->nqueued + 1) * sizeof(*app->queued));
	app->queued[app->nqueued++] = (struct queued){ kind, util_xstrdup(app_row_key(row)) };
}

static void start_queued(struct app *app)
{
	for (;;) {
		pthread_mutex_lock(&app->lock);
		bool full = app->jobs_running >= jobs_max();
		pthread_mutex_unlock(&app->lock);
		if (full || !app->nqueued)
			return;
		struct queued q = app->queued[0];
		memmove(app->queued, app->queued + 1, --app->nqueued * sizeof(*app->queued));
		struct project_row *row = app_row_by_key(app, q.key);
		if (row)
			start_job(app, q.kind, row, JOBS_LOCK, NULL);
		free(q.key);
	}
}

void jobs_fini(struct app *app)
{
	for (size_t i = 0; i < app->nqueued; i++)
		free(app->queued[i].key);
	free(app->queued);
	app->queued = NULL;
	app->nqueued = 0;
}

void jobs_verify(struct app *app, struct project_row *row)
{
	start_or_queue(app, DONE_VERIFY, row);
}

void jobs_sync(struct app *app, struct project_row *row)
{
	start_or_queue(app, DONE_SYNC, row);
}

void jobs_relock(struct app *app, struct project_row *row, enum jobs_relock kind, const char *arg)
{
	start_job(app, DONE_RELOCK, row, kind, arg);
}

static void free_sigs(struct project_row *row)
{
	for (size_t i = 0; i < row->nsigs; i++)
		free(row->sigs[i].name);
	free(row->sigs);
	row->sigs = NULL;
	row->nsigs = 0;
}

static void apply_verify(struct app *app, struct project_row *row, struct done *d)
{
	char msg[1400], name[300];

	if (d->failed) {
		snprintf(row->failed, sizeof(row->failed), "verify");
		app_message(app, "verify %s failed: %.300s", discover_project_label(row->p, name, sizeof(name)),
			    pl_error_format(&d->err, msg, sizeof(msg)));
		return;
	}
	row->failed[0] = '\0';
	free_sigs(row);
	row->sigs = d->sigs;
	row->nsigs = d->nsigs;
	d->sigs = NULL;
	d->nsigs = 0;
	row->bad = 0;
	for (size_t i = 0; i < row->nsigs; i++)
		row->bad += strcmp(row->sigs[i].status, "verified") && strcmp(row->sigs[i].status, "allowed-unsigned") &&
			    strcmp(row->sigs[i].status, "local");
	row->verified = true;
	if (row->bad)
		snprintf(row->summary, sizeof(row->summary), "%zu bad", row->bad);
	else
		snprintf(row->summary, sizeof(row->summary), "%zu ok", row->nsigs);
	app_message(app, "verified %s: %zu packages, %zu with problems", discover_project_label(row->p, name, sizeof(name)), row->nsigs,
		    row->bad);
}

static void apply_sync(struct app *app, struct project_row *row, struct done *d)
{
	char msg[1400], name[300];

	row->env = env_state_name(env_state_quick(app->store, row->p->path, row->p->lock_path));
	snprintf(row->failed, sizeof(row->failed), "%s", d->failed ? "sync" : "");
	if (d->failed)
		app_message(app, "sync %s failed: %.300s", discover_project_label(row->p, name, sizeof(name)),
			    pl_error_format(&d->err, msg, sizeof(msg)));
	else
		app_message(app, "synced %s: environment %.12s", discover_project_label(row->p, name, sizeof(name)), d->env_id);
	/* The Info tab says what pylock status says. */
	if (row == app_selected(app))
		app_reopen(app);
}

/* A lock made for a project that had none is its lock from now on. */
static void apply_relock(struct app *app, struct project_row *row, struct done *d)
{
	snprintf(row->failed, sizeof(row->failed), "%s", d->locked ? "" : d->relock == JOBS_IMPORT ? "import" : "lock");
	if (d->locked && !row->p->lock_path) {
		struct util_buf b = UTIL_BUF_INIT;
		util_buf_printf(&b, "%s/pylock.toml", row->p->path);
		row->p->lock_path = util_buf_steal(&b);
	}
	/* A new lock: git has not seen it yet; the row no longer offers an import. */
	if (d->locked && row->p->lock == DISCOVER_LOCK_NONE) {
		row->p->lock = row->p->repo ? DISCOVER_LOCK_UNTRACKED : DISCOVER_LOCK_PRESENT;
		row->p->source_format = NULL;
	}
	app_message(app, "%s", d->msg);
	app_reopen(app);
}

/* What a refresh found: the row (replaced by take_incoming) as it is now. */
static void apply_refresh(struct app *app, struct project_row *row, struct done *d)
{
	char msg[1400], name[300];

	void (*say)(struct app *, const char *, ...) = d->quiet ? app_log : app_message;

	if (d->failed)
		say(app, "reread %s failed: %.300s", d->path, pl_error_format(&d->err, msg, sizeof(msg)));
	else if (!row)
		say(app, "reread %s: no project there any more", d->lock ? d->lock : d->path);
	else
		say(app, "reread %s%s: lock %s, environment %s", discover_project_label(row->p, name, sizeof(name)),
		    d->quiet ? " (it changed on disk)" : "", discover_lock_word(row->p), row->env);
	/* Choices made in the Conflicts tab are not dropped behind the user's back. */
	if (row && row == app_selected(app) && !(d->quiet && conflicts_unwritten(app)))
		app_reopen(app);
}

void jobs_collect(struct app *app)
{
	struct done *d;

	pthread_mutex_lock(&app->lock);
	d = app->finished;
	app->finished = NULL;
	if (!app->jobs_running)
		app->progress[0] = '\0';
	pthread_mutex_unlock(&app->lock);
	while (d) {
		struct done *next = d->next;
		struct project_row *row = app_row_by_key(app, d->lock ? d->lock : d->path);
		if (row && d->kind == DONE_VERIFY)
			apply_verify(app, row, d);
		else if (row && d->kind == DONE_SYNC)
			apply_sync(app, row, d);
		else if (d->kind == DONE_REFRESH)
			apply_refresh(app, row, d);
		else if (d->kind == DONE_CANDIDATES)
			conflicts_candidates(app, d->lock, d->cands, d->ncands, d->failed ? d->err.msg : NULL);
		else if (row)
			apply_relock(app, row, d);
		for (size_t i = 0; i < d->ncands; i++)
			free(d->cands[i].name);
		free(d->cands);
		for (size_t i = 0; i < d->nsigs; i++)
			free(d->sigs[i].name);
		free(d->sigs);
		free(d->arg);
		free(d->path);
		free(d->lock);
		free(d);
		d = next;
	}
	start_queued(app);
}

extern char **environ;

int jobs_foreground(struct app *app, const char *const argv[])
{
	struct sigaction ignore = { .sa_handler = SIG_IGN }, old_int, old_quit;
	pid_t pid;
	int status = -1;

	def_prog_mode();
	endwin();
	/* The child owns the terminal (and its Ctrl-C) until it exits. */
	sigaction(SIGINT, &ignore, &old_int);
	sigaction(SIGQUIT, &ignore, &old_quit);
	if (posix_spawn(&pid, argv[0], NULL, NULL, (char *const *)argv, environ) == 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	reset_prog_mode();
	clearok(curscr, TRUE);
	refresh();
	(void)app;
	return status < 0 ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
