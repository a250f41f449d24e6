/* The Info tab: where the project is, its lock, its environment and the
 * interpreter that environment is for. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "env.h"
#include "project.h"
#include "pyenv.h"
#include "yamlconf.h"

#define INFO_LINES 16

struct info {
	char line[INFO_LINES][512];
	enum role role[INFO_LINES];
	int n;
};

static void add(struct info *s, enum role role, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void add(struct info *s, enum role role, const char *fmt, ...)
{
	va_list ap;

	if (s->n >= INFO_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(s->line[s->n], sizeof(s->line[0]), fmt, ap);
	va_end(ap);
	s->role[s->n++] = role;
}

static void info_done(struct app *app)
{
	free(app->tab_state[TAB_INFO]);
	app->tab_state[TAB_INFO] = NULL;
}

/* The interpreter and the env-id the current lock would build. */
static void environment(struct app *app, struct info *s, const struct project_row *r)
{
	struct yamlconf_config cfg;
	struct pl_error err;
	struct project *proj = NULL;
	struct lock *lock = NULL;
	struct pyenv py;
	struct env_plan plan;
	bool have_py = false;

	memset(&cfg, 0, sizeof(cfg));
	if (yamlconf_config_load_default(&cfg, &err) < 0 || !(proj = project_load(r->p->path, &err)))
		goto fail;
	if (pyenv_find_for_project(proj, cfg.python, &py, &err) < 0)
		goto fail;
	have_py = true;
	add(s, ROLE_NORMAL, "interpreter  %s (Python %s, %s)", py.executable, py.version, py.ntags ? py.tags[0] : "");
	if (!r->p->lock_path || !(lock = lock_read(r->p->lock_path, &err)) || env_plan(lock, &py, &plan, &err) < 0) {
		if (r->p->lock_path)
			goto fail;
		goto out;
	}
	char *path = app->store ? env_path(app->store, plan.env_id) : NULL;
	add(s, path && access(path, F_OK) == 0 ? ROLE_VERIFIED : ROLE_MUTED, "env-id       %s (%s)", plan.env_id,
	    path && access(path, F_OK) == 0 ? "built" : "not built: s syncs");
	add(s, ROLE_NORMAL, "env packages %zu for this interpreter%s", plan.n,
	    plan.skipped ? ", others' markers do not apply" : "");
	if (path)
		add(s, ROLE_MUTED, "env folder   %s", path);
	free(path);
	env_plan_fini(&plan);
	goto out;
fail:
	add(s, ROLE_INVALID, "environment  %s", err.msg);
out:
	if (have_py)
		pyenv_fini(&py);
	lock_free(lock);
	project_free(proj);
	yamlconf_config_fini(&cfg);
}

static void info_open(struct app *app)
{
	struct project_row *r = app_selected(app);
	struct info *s = util_xcalloc(1, sizeof(*s));

	app->tab_state[TAB_INFO] = s;
	if (!r)
		return;
	add(s, ROLE_HEADER, "%s", r->p->name);
	add(s, ROLE_NORMAL, "path         %s", r->p->path);
	if (r->p->repo) {
		add(s, ROLE_NORMAL, "repository   %s", r->p->repo);
		if (r->p->has_upstream)
			add(s, ROLE_NORMAL, "branch       %s (+%d -%d against its upstream)", r->p->branch, r->p->ahead,
			    r->p->behind);
		else
			add(s, ROLE_NORMAL, "branch       %s", r->p->branch ? r->p->branch : "-");
	}
	if (r->p->worktree_of)
		add(s, ROLE_MUTED, "worktree of  %s", r->p->worktree_of);
	add(s, ROLE_NORMAL, "lock         %s (%s, %ld packages)", r->p->lock_path ? r->p->lock_path : "none",
	    discover_lock_name(r->p->lock), r->p->packages);
	add(s, ROLE_NORMAL, "environment  %s", r->env);
	add(s, r->verified ? (r->bad ? ROLE_INVALID : ROLE_VERIFIED) : ROLE_MUTED, "signatures   %s",
	    r->verified ? r->summary : "not verified yet: v verifies");
	environment(app, s, r);
}

static void info_draw(struct app *app, int y, int x, int h, int w)
{
	struct info *s = app->tab_state[TAB_INFO];

	for (int i = 0; i < h; i++)
		app_text(app, y + i, x, w, s && i < s->n ? s->role[i] : ROLE_NORMAL, s && i < s->n ? s->line[i] : "");
}

static bool info_request(struct app *app, enum request req)
{
	(void)app;
	(void)req;
	return false;
}

const struct view_ops info_view = {
	.title = "Info",
	.context = KEYMAP_GENERAL,
	.open = info_open,
	.draw = info_draw,
	.request = info_request,
	.done = info_done,
};
