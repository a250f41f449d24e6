/* Work that must not block keys: discovery on a thread, verify and sync as
 * child pylock processes on threads; results come back through app->wake. */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app.h"
#include "env.h"
#include "yamlconf.h"

#define OUTPUT_MAX (64u << 20)
/* The pylock a job runs bounds its own waits (fetch deadlines, its
 * children); this only ends one that is stuck beyond reason. */
#define JOB_IDLE_S 3600

struct done {
	enum { DONE_VERIFY, DONE_SYNC } kind;
	char *path;
	struct util_buf out, err;
	int status;
	struct done *next;
};

static void wake(struct app *app)
{
	char b = 1;

	if (write(app->wake[1], &b, 1) < 0)
		return;
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
	(void)path;
	(void)why;
	(void)ctx;
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

struct child {
	struct app *app;
	struct done *d;
	const char *argv[6];
};

static void *run_child(void *arg)
{
	struct child *c = arg;
	struct pl_error err;

	c->d->status = util_run(c->argv, &c->d->out, &c->d->err, OUTPUT_MAX, JOB_IDLE_S, &err);
	if (c->d->status < 0)
		util_buf_puts(&c->d->err, err.msg);
	pthread_mutex_lock(&c->app->lock);
	c->d->next = c->app->finished;
	c->app->finished = c->d;
	c->app->jobs_running--;
	pthread_mutex_unlock(&c->app->lock);
	wake(c->app);
	free(c);
	return NULL;
}

static void start_child(struct app *app, int kind, struct project_row *row, const char *cmd, const char *opt)
{
	struct child *c = util_xcalloc(1, sizeof(*c));
	pthread_t t;
	size_t n = 0;

	c->app = app;
	c->d = util_xcalloc(1, sizeof(*c->d));
	c->d->kind = kind;
	c->d->path = util_xstrdup(row->p->path);
	c->argv[n++] = app->pylock;
	c->argv[n++] = cmd;
	if (opt)
		c->argv[n++] = opt;
	c->argv[n++] = c->d->path;
	pthread_mutex_lock(&app->lock);
	app->jobs_running++;
	pthread_mutex_unlock(&app->lock);
	if (pthread_create(&t, NULL, run_child, c) == 0) {
		pthread_detach(t);
		return;
	}
	pthread_mutex_lock(&app->lock);
	app->jobs_running--;
	pthread_mutex_unlock(&app->lock);
	free(c->d->path);
	free(c->d);
	free(c);
}

void jobs_verify(struct app *app, struct project_row *row)
{
	start_child(app, DONE_VERIFY, row, "verify", "--json");
	snprintf(app->progress, sizeof(app->progress), "verifying %.40s", row->p->name);
}

void jobs_sync(struct app *app, struct project_row *row)
{
	start_child(app, DONE_SYNC, row, "sync", NULL);
	snprintf(app->progress, sizeof(app->progress), "syncing %.40s", row->p->name);
}

static struct project_row *row_at(struct app *app, const char *path)
{
	for (size_t i = 0; i < app->nrows; i++)
		if (!strcmp(app->rows[i].p->path, path))
			return &app->rows[i];
	return NULL;
}

static void free_sigs(struct project_row *row)
{
	for (size_t i = 0; i < row->nsigs; i++)
		free(row->sigs[i].name);
	free(row->sigs);
	row->sigs = NULL;
	row->nsigs = 0;
}

/* `pylock verify --json`: one status per package. */
static void apply_verify(struct app *app, struct project_row *row, struct done *d)
{
	json_error_t jerr;
	json_t *root = json_loadb(d->out.data ? d->out.data : "", d->out.len, 0, &jerr), *pkg;
	json_t *pkgs = json_object_get(root, "packages");
	size_t i;

	if (!json_is_array(pkgs)) {
		app_message(app, "verify %s failed: %.150s", row->p->name, d->err.data ? d->err.data : "no output");
		json_decref(root);
		return;
	}
	free_sigs(row);
	row->bad = 0;
	json_array_foreach(pkgs, i, pkg) {
		const char *name = json_string_value(json_object_get(pkg, "name"));
		const char *status = json_string_value(json_object_get(pkg, "status"));
		const char *key = json_string_value(json_object_get(pkg, "key_id"));
		row->sigs = util_xrealloc(row->sigs, (row->nsigs + 1) * sizeof(*row->sigs));
		struct sig_status *s = &row->sigs[row->nsigs++];
		memset(s, 0, sizeof(*s));
		s->name = util_xstrdup(name ? name : "");
		snprintf(s->status, sizeof(s->status), "%s", status ? status : "?");
		snprintf(s->key_id, sizeof(s->key_id), "%s", key ? key : "");
		row->bad += strcmp(s->status, "verified") && strcmp(s->status, "allowed-unsigned");
	}
	row->verified = true;
	if (row->bad)
		snprintf(row->summary, sizeof(row->summary), "%zu bad", row->bad);
	else
		snprintf(row->summary, sizeof(row->summary), "%zu ok", row->nsigs);
	app_message(app, "verified %s: %zu packages, %zu with problems", row->p->name, row->nsigs, row->bad);
	json_decref(root);
}

static void apply_sync(struct app *app, struct project_row *row, struct done *d)
{
	if (d->status == 0) {
		row->env = env_state_name(env_state_quick(app->store, row->p->path, row->p->lock_path));
		app_message(app, "synced %s: environment %.12s", row->p->name, d->out.data ? d->out.data : "");
	} else {
		char *nl = d->err.data ? strchr(d->err.data, '\n') : NULL;
		if (nl)
			*nl = '\0';
		app_message(app, "sync %s failed (exit %d): %.180s", row->p->name, d->status,
			    d->err.data ? d->err.data : "");
	}
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
		struct project_row *row = row_at(app, d->path);
		if (row && d->kind == DONE_VERIFY)
			apply_verify(app, row, d);
		else if (row)
			apply_sync(app, row, d);
		util_buf_free(&d->out);
		util_buf_free(&d->err);
		free(d->path);
		free(d);
		d = next;
	}
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
