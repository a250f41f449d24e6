/* The Diff tab: the lock against a git revision (HEAD unless R chose
 * another for the project; A..B compares two revisions), package by
 * package, suspicious changes flagged. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "gitrepo.h"
#include "lockdiff.h"

struct diff {
	struct lockdiff d;
	bool have;
	char note[400];
};

static void diff_done(struct app *app)
{
	struct diff *s = app->tab_state[TAB_DIFF];

	if (s) {
		if (s->have)
			lockdiff_fini(&s->d);
		free(s);
	}
	app->tab_state[TAB_DIFF] = NULL;
}

static void diff_open(struct app *app)
{
	struct project_row *r = app_selected(app);
	struct diff *s = util_xcalloc(1, sizeof(*s));
	struct gitrepo *repo = NULL;
	struct lock *old = NULL, *cur = NULL;
	char *old_rev = NULL, *new_rev = NULL;
	struct pl_error err;

	app->tab_state[TAB_DIFF] = s;
	if (!r || !r->p->lock_path) {
		snprintf(s->note, sizeof(s->note), "%s", r ? "no lockfile" : "");
		return;
	}
	if (!r->p->repo) {
		snprintf(s->note, sizeof(s->note), "not in a git repository: nothing to compare with");
		return;
	}
	if (gitrepo_open_containing(r->p->path, &repo, &err) < 0)
		goto fail;
	const char *rel = r->p->lock_path + strlen(gitrepo_workdir(repo)) + 1;
	lockdiff_range(r->revision, &old_rev, &new_rev);
	if (lockdiff_lock_at(repo, old_rev, rel, r->p->lock_path, &old, &err) < 0 ||
	    lockdiff_lock_at(repo, new_rev, rel, r->p->lock_path, &cur, &err) < 0)
		goto fail;
	lockdiff_diff(old, cur, &s->d);
	s->have = true;
	list_set_count(&app->detail, s->d.n);
	if (new_rev)
		snprintf(s->note, sizeof(s->note), "%zu change%s from %.100s to %.100s", s->d.n, s->d.n == 1 ? "" : "s",
			 old_rev, new_rev);
	else
		snprintf(s->note, sizeof(s->note), "%zu change%s against %.200s", s->d.n, s->d.n == 1 ? "" : "s", old_rev);
	goto out;
fail:
	snprintf(s->note, sizeof(s->note), "%.100s%s%.250s", err.file, err.file[0] ? ": " : "", err.msg);
out:
	free(old_rev);
	free(new_rev);
	lock_free(old);
	lock_free(cur);
	gitrepo_free(repo);
}

static enum role kind_role(const struct lockdiff_change *c)
{
	if (lockdiff_suspicious(c))
		return ROLE_SUSPICIOUS;
	switch (c->kind) {
	case LOCKDIFF_ADDED: return ROLE_ADDED;
	case LOCKDIFF_REMOVED: return ROLE_REMOVED;
	default: return ROLE_CHANGED;
	}
}

static void change_row(void *arg, size_t i, int y, int x, int w, bool selected)
{
	struct app *app = arg;
	struct diff *s = app->tab_state[TAB_DIFF];
	const struct lockdiff_change *c = &s->d.changes[i];
	const char *flags[LOCKDIFF_FLAGS];
	size_t nf = lockdiff_flag_names(c->flags, flags);
	char text[600];
	int len;

	len = snprintf(text, sizeof(text), "%-10s %s %s%s%s", lockdiff_kind_name(c->kind), c->name,
		       c->old ? c->old : "", c->old && c->new ? " -> " : "", c->new ? c->new : "");
	for (size_t k = 0; k < nf && len < (int)sizeof(text) - 40; k++)
		len += snprintf(text + len, sizeof(text) - (size_t)len, "%s%s", k ? ", " : "  [", flags[k]);
	if (nf)
		snprintf(text + len, sizeof(text) - (size_t)len, "]%s", lockdiff_suspicious(c) ? " SUSPICIOUS" : "");
	int attr = selected && app->pane == PANE_DETAIL ? app->theme.attr[ROLE_SELECTED] : app->theme.attr[kind_role(c)];
	list_text(y, x, w, attr, text);
}

static void diff_draw(struct app *app, int y, int x, int h, int w)
{
	struct diff *s = app->tab_state[TAB_DIFF];

	app_text(app, y, x, w, ROLE_HEADER, s ? s->note : "");
	if (s && s->have && s->d.n)
		list_draw(&app->detail, y + 1, x, h - 1, w, change_row, app);
	else
		app_clear(app, y + 1, x, h - 1, w);
}

static bool diff_request(struct app *app, enum request req)
{
	return list_request(&app->detail, req);
}

const struct view_ops diff_view = {
	.title = "Diff",
	.context = KEYMAP_DIFF,
	.open = diff_open,
	.draw = diff_draw,
	.request = diff_request,
	.done = diff_done,
};
