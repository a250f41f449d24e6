/* The Info tab: where the project is, its lock, its environment and the
 * interpreter that environment is for. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "env.h"
#include "projctx.h"

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

/* The interpreter and the env-id the current lock would build, opened as
 * pylock status opens them. */
static void environment(struct app *app, struct info *s, const struct project_row *r)
{
	struct projctx c;
	struct pl_error err;

	struct projctx_request req = { .lock = r->p->lock_path };

	if (projctx_open(&c, r->p->path, PROJCTX_PYTHON, &req, &err) < 0) {
		add(s, ROLE_INVALID, "environment  %s", err.msg);
		return;
	}
	add(s, ROLE_NORMAL, "interpreter  %s (Python %s, %s)", c.py.executable, c.py.version,
	    c.py.ntags ? c.py.tags[0] : "");
	if (access(c.proj->lock_path, F_OK) < 0) {
		projctx_close(&c);
		return;
	}
	if (projctx_need(&c, PROJCTX_PLAN, &err) < 0) {
		add(s, ROLE_INVALID, "environment  %s", err.msg);
		projctx_close(&c);
		return;
	}
	char *path = app->store ? env_path(app->store, c.plan.env_id) : NULL;
	add(s, path && access(path, F_OK) == 0 ? ROLE_VERIFIED : ROLE_MUTED, "env-id       %s (%s)", c.plan.env_id,
	    path && access(path, F_OK) == 0 ? "built" : "not built: s syncs");
	add(s, ROLE_NORMAL, "env packages %zu for this interpreter%s", c.plan.n,
	    c.plan.skipped ? ", others' markers do not apply" : "");
	struct util_buf select = UTIL_BUF_INIT;
	env_selection_describe(&c.plan.sel, &select);
	add(s, ROLE_NORMAL, "selection    %s%s", select.data, c.plan.sel.is_default ? " (the lock's default)" : "");
	util_buf_free(&select);
	if (path)
		add(s, ROLE_MUTED, "env folder   %s", path);
	free(path);
	projctx_close(&c);
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
	if (!r->p->lock_path && r->p->source_format)
		add(s, ROLE_MUTED, "lock         none yet: i imports %s", r->p->source_format);
	else if (!r->p->lock_path)
		add(s, ROLE_MUTED, "lock         none yet: L makes one");
	else if (r->p->packages < 0)
		add(s, ROLE_NORMAL, "lock         %s (%s; it does not read as a lock)", r->p->lock_path,
		    discover_lock_name(r->p->lock));
	else
		add(s, ROLE_NORMAL, "lock         %s (%s, %ld packages)", r->p->lock_path, discover_lock_name(r->p->lock),
		    r->p->packages);
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
