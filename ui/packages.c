/* The Packages tab: what the lock pins, with each package's signature
 * status from the last verify (v). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "lock.h"

struct packages {
	struct lock *lock;
	size_t *shown;		/* packages passing the tab's filter, by index */
	char error[400];
};

static void packages_done(struct app *app)
{
	struct packages *s = app->tab_state[TAB_PACKAGES];

	if (s) {
		lock_free(s->lock);
		free(s->shown);
		free(s);
	}
	app->tab_state[TAB_PACKAGES] = NULL;
}

static void packages_open(struct app *app)
{
	struct project_row *r = app_selected(app);
	struct packages *s = util_xcalloc(1, sizeof(*s));
	struct pl_error err;

	app->tab_state[TAB_PACKAGES] = s;
	if (!r || !r->p->lock_path) {
		snprintf(s->error, sizeof(s->error), "%s", r ? "no lockfile" : "");
		return;
	}
	if (!(s->lock = lock_read(r->p->lock_path, &err)))
		snprintf(s->error, sizeof(s->error), "%d:%d: %.300s", err.line, err.col, err.msg);
	else
		packages_refilter(app);
}

/* The filter matches a package's name, version, source or status. */
static bool passes(const struct app *app, const struct lock_package *p, const struct sig_status *sig)
{
	const char *f = app->detail_filter;

	return !f[0] || strcasestr(p->name, f) || (p->version && strcasestr(p->version, f)) ||
	       strcasestr(lock_source_name(p->source), f) || (sig && strcasestr(sig->status, f));
}

static const struct sig_status *sig_of(const struct project_row *r, const struct lock_package *p)
{
	for (size_t i = 0; r && i < r->nsigs; i++)
		if (!strcmp(r->sigs[i].name, p->name))
			return &r->sigs[i];
	return NULL;
}

void packages_refilter(struct app *app)
{
	struct packages *s = app->tab == TAB_PACKAGES ? app->tab_state[TAB_PACKAGES] : NULL;
	size_t n = 0;

	if (!s || !s->lock)
		return;
	free(s->shown);
	s->shown = util_xcalloc(s->lock->npackages + 1, sizeof(*s->shown));
	for (size_t i = 0; i < s->lock->npackages; i++)
		if (passes(app, &s->lock->packages[i], sig_of(app_selected(app), &s->lock->packages[i])))
			s->shown[n++] = i;
	list_set_count(&app->detail, n);
}

size_t packages_total(const struct app *app)
{
	const struct packages *s = app->tab == TAB_PACKAGES ? app->tab_state[TAB_PACKAGES] : NULL;

	return s && s->lock ? s->lock->npackages : 0;
}

const char *packages_selected(const struct app *app)
{
	const struct packages *s = app->tab == TAB_PACKAGES ? app->tab_state[TAB_PACKAGES] : NULL;

	if (!s || !s->lock || app->detail.cursor >= app->detail.n)
		return NULL;
	return s->lock->packages[s->shown[app->detail.cursor]].name;
}

static enum role status_role(const char *status)
{
	if (!strcmp(status, "verified"))
		return ROLE_VERIFIED;
	if (!strcmp(status, "allowed-unsigned") || !strcmp(status, "local") || !strcmp(status, "unsigned") ||
	    !strcmp(status, "unhashed") || !strcmp(status, "missing"))
		return ROLE_UNSIGNED;
	return ROLE_INVALID;
}

static void package_row(void *arg, size_t i, int y, int x, int w, bool selected)
{
	struct app *app = arg;
	struct packages *s = app->tab_state[TAB_PACKAGES];
	const struct lock_package *p = &s->lock->packages[s->shown[i]];
	const struct sig_status *sig = sig_of(app_selected(app), p);
	int sel = selected && app->pane == PANE_DETAIL ? app->theme.attr[ROLE_SELECTED] : 0;
	int nw = w > 60 ? 24 : w / 3, vw = w > 40 ? 12 : 8, sw = w - nw - vw - 2;
	char source[200], status[128];

	snprintf(source, sizeof(source), "%s%s%s", lock_source_name(p->source), p->index ? " " : "",
		 p->index ? p->index : "");
	if (sig)
		snprintf(status, sizeof(status), "%s%s%s", sig->status, sig->signer[0] ? " " : "", sig->signer);
	else
		snprintf(status, sizeof(status), "not verified (v)");
	int stw = sw > 60 ? 60 : sw;
	list_text(y, x, nw, sel ? sel : app->theme.attr[ROLE_NORMAL], p->name);
	list_text(y, x + nw, 1, sel, "");
	list_text(y, x + nw + 1, vw, sel ? sel : app->theme.attr[ROLE_NORMAL], p->version ? p->version : "-");
	list_text(y, x + nw + 1 + vw, 1, sel, "");
	list_text(y, x + nw + 2 + vw, stw, sel ? sel : app->theme.attr[sig ? status_role(sig->status) : ROLE_MUTED],
		  status);
	if (sw > stw + 1) {
		list_text(y, x + nw + 2 + vw + stw, 1, sel, "");
		list_text(y, x + nw + 3 + vw + stw, sw - stw - 1, sel ? sel : app->theme.attr[ROLE_MUTED], source);
	}
}

static void packages_draw(struct app *app, int y, int x, int h, int w)
{
	struct packages *s = app->tab_state[TAB_PACKAGES];

	if (!s || !s->lock) {
		app_text(app, y, x, w, ROLE_MUTED, s ? s->error : "");
		app_clear(app, y + 1, x, h - 1, w);
		return;
	}
	if (!app->detail.n) {
		app_text(app, y, x, w, ROLE_MUTED, "no package matches the filter (Esc clears it)");
		app_clear(app, y + 1, x, h - 1, w);
		return;
	}
	list_draw(&app->detail, y, x, h, w, package_row, app);
}

static bool packages_request(struct app *app, enum request req)
{
	return list_request(&app->detail, req);
}

const struct view_ops packages_view = {
	.title = "Packages",
	.context = KEYMAP_GENERAL,
	.open = packages_open,
	.draw = packages_draw,
	.request = packages_request,
	.done = packages_done,
};
