/* The Conflicts tab: a lock left in merge conflict, one line per conflict;
 * the selected one's base, ours and theirs side by side (version, files,
 * hashes, signature status). o/t/b/n choose, a applies the last choice to
 * the rest; w writes and stages once every conflict is chosen and the user
 * confirms; Esc leaves without writing anything. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "pep440.h"
#include "projctx.h"
#include "resolve.h"
#include "trust.h"

/* One conflict: a package item, or a top-level key. */
struct entry {
	struct lockdiff_item *item;		/* NULL for a top-level key */
	struct lockdiff_top_item *top;
	int choice;				/* enum lockdiff_side, -1 while open */
	struct trust_result sig[3];		/* of each side's first file */
	bool checked[3];
};

struct conflicts {
	struct resolve r;
	bool loaded;
	struct entry *e;
	size_t n;
	int last;				/* the last side chosen */
	char note[400];
};

static void conflicts_done(struct app *app)
{
	struct conflicts *s = app->tab_state[TAB_CONFLICTS];

	if (s) {
		resolve_close(&s->r);
		free(s->e);
		free(s);
	}
	app->tab_state[TAB_CONFLICTS] = NULL;
}

static const struct lock_file *first_file(const struct lock_package *p)
{
	return !p ? NULL : p->nwheels ? &p->wheels[0] : p->has_sdist ? &p->sdist : p->has_archive ? &p->archive : NULL;
}

/* Each candidate's signature, where its file is local (a path beside the
 * lock); remote candidates are not fetched from here. */
static void check_sides(struct app *app, struct conflicts *s, const char *root, const char *lock_dir)
{
	struct projctx c;
	struct pl_error err;

	/* The project's policy, as pylock verify sees it (its tightening too). */
	if (projctx_open(&c, root, PROJCTX_POLICY, NULL, &err) < 0) {
		app_message(app, "signatures not checked: %.300s", err.msg);
		return;
	}
	struct admit a = projctx_admit(&c, NULL);
	a.lock_dir = lock_dir;
	a.offline = true;
	for (size_t i = 0; i < s->n; i++)
		for (int side = 0; s->e[i].item && side < 3; side++) {
			const struct lock_package *p = s->e[i].item->side[side];
			const struct lock_file *f = first_file(p);
			char *checked;
			if (!f || !f->path)
				continue;
			admit_file(&a, NULL, p, f, false, &checked, &s->e[i].sig[side]);
			free(checked);
			s->e[i].checked[side] = true;
		}
	projctx_close(&c);
}

static void conflicts_open(struct app *app)
{
	struct project_row *r = app_selected(app);
	struct conflicts *s = util_xcalloc(1, sizeof(*s));
	struct pl_error err;

	app->tab_state[TAB_CONFLICTS] = s;
	s->last = LOCKDIFF_OURS;
	if (!r || !r->p->lock_path || !r->p->repo) {
		snprintf(s->note, sizeof(s->note), "%s", r ? "no lockfile in git: nothing to resolve" : "");
		return;
	}
	int rc = resolve_open(r->p->lock_path, &s->r, &err);
	if (rc != 0) {
		snprintf(s->note, sizeof(s->note), "%.390s", rc > 0 ? "the lock is not in conflict" : err.msg);
		return;
	}
	s->loaded = true;
	struct lockdiff_merge *m = &s->r.merge;
	s->e = util_xcalloc(m->n + m->ntop + 1, sizeof(*s->e));
	for (size_t i = 0; i < m->ntop; i++)
		if (m->top[i].conflict)
			s->e[s->n++] = (struct entry){ .top = &m->top[i], .choice = -1 };
	for (size_t i = 0; i < m->n; i++)
		if (m->items[i].conflict)
			s->e[s->n++] = (struct entry){ .item = &m->items[i], .choice = -1 };
	char *dir = util_xstrdup(r->p->lock_path);
	*strrchr(dir, '/') = '\0';
	check_sides(app, s, r->p->path, dir);
	free(dir);
	list_set_count(&app->detail, s->n);
}

static const char *side_name(int side)
{
	static const char *const names[] = { "base", "ours", "theirs", "newer" };
	return side >= 0 && side < 4 ? names[side] : "?";
}

static const char *ver(const struct lock_package *p)
{
	return !p ? "(absent)" : p->version ? p->version : "(no version)";
}

static size_t open_count(const struct conflicts *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++)
		n += s->e[i].choice < 0;
	return n;
}

static void entry_row(void *arg, size_t i, int y, int x, int w, bool selected)
{
	struct app *app = arg;
	struct conflicts *s = app->tab_state[TAB_CONFLICTS];
	const struct entry *e = &s->e[i];
	char text[400];

	if (e->item)
		snprintf(text, sizeof(text), "%s %-20s base %-10s ours %-10s theirs %-10s", e->choice < 0 ? "?" : "=",
			 e->item->key, ver(e->item->side[0]), ver(e->item->side[1]), ver(e->item->side[2]));
	else
		snprintf(text, sizeof(text), "%s %-20s (top-level key)", e->choice < 0 ? "?" : "=", e->top->key);
	if (e->choice >= 0)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "  -> %s", side_name(e->choice));
	int attr = selected ? app->theme.attr[app->pane == PANE_DETAIL ? ROLE_SELECTED : ROLE_SELECTED_DIM]
			    : app->theme.attr[e->choice < 0 ? ROLE_CONFLICT : ROLE_NORMAL];
	list_text(y, x, w, attr, text);
}

static enum role sig_role(enum trust_status st)
{
	return st == TRUST_VERIFIED ? ROLE_VERIFIED : st >= TRUST_MISSING ? ROLE_UNSIGNED : ROLE_INVALID;
}

/* The selected conflict's three candidates in three columns. */
static void draw_sides(struct app *app, const struct entry *e, int y, int x, int h, int w)
{
	int cw = w / 3;

	for (int side = 0; side < 3; side++) {
		int cx = x + side * cw, row = y, width = side == 2 ? w - 2 * cw : cw - 1;
		char line[300];
		snprintf(line, sizeof(line), "%s%s", side_name(side), e->choice == side ? " (chosen)" : "");
		app_text(app, row++, cx, width, e->choice == side ? ROLE_TAB_ACTIVE : ROLE_HEADER, line);
		if (!e->item) {
			app_text(app, row++, cx, width, ROLE_NORMAL, "top-level key");
			app_clear(app, row, cx, y + h - row, width);
			continue;
		}
		const struct lock_package *p = e->item->side[side];
		app_text(app, row++, cx, width, p ? ROLE_NORMAL : ROLE_MUTED, ver(p));
		for (size_t k = 0; p && k < p->nwheels + p->has_sdist && row < y + h - 1; k++) {
			const struct lock_file *f = k < p->nwheels ? &p->wheels[k] : &p->sdist;
			const char *sha = lock_file_sha256(f);
			app_text(app, row++, cx, width, ROLE_NORMAL, f->name);
			snprintf(line, sizeof(line), "  sha256 %.12s", sha ? sha : "(none)");
			if (row < y + h - 1)
				app_text(app, row++, cx, width, ROLE_MUTED, line);
		}
		if (p && row < y + h) {
			if (e->checked[side])
				snprintf(line, sizeof(line), "%s %s", trust_status_name(e->sig[side].status), e->sig[side].key_id);
			else
				snprintf(line, sizeof(line), "signature not checked (remote)");
			app_text(app, row++, cx, width, e->checked[side] ? sig_role(e->sig[side].status) : ROLE_MUTED, line);
		}
		app_clear(app, row, cx, y + h - row, width);
		if (side < 2)
			for (int r = y; r < y + h; r++)
				app_text(app, r, cx + cw - 1, 1, ROLE_MUTED, "|");
	}
}

static void conflicts_draw(struct app *app, int y, int x, int h, int w)
{
	struct conflicts *s = app->tab_state[TAB_CONFLICTS];
	char head[300];

	if (!s || !s->loaded) {
		app_text(app, y, x, w, ROLE_MUTED, s ? s->note : "");
		app_clear(app, y + 1, x, h - 1, w);
		return;
	}
	size_t left = open_count(s);
	snprintf(head, sizeof(head), "%zu conflict%s, %zu to choose: o ours  t theirs  b base  n newer  a all  w write  Esc leave",
		 s->n, s->n == 1 ? "" : "s", left);
	app_text(app, y, x, w, left ? ROLE_CONFLICT : ROLE_VERIFIED, head);
	int lh = (h - 1) / 2 < (int)s->n ? (h - 1) / 2 : (int)s->n;
	if (lh < 1)
		lh = 1;
	list_draw(&app->detail, y + 1, x, lh, w, entry_row, app);
	if (s->n && h - 1 - lh > 2)
		draw_sides(app, &s->e[app->detail.cursor], y + 1 + lh, x, h - 1 - lh, w);
	else
		app_clear(app, y + 1 + lh, x, h - 1 - lh, w);
}

/* The higher version of ours and theirs; ours on a tie or without versions. */
static int newer(const struct entry *e)
{
	struct pep440_version a, b;
	const char *why;

	if (!e->item || !e->item->side[LOCKDIFF_OURS] || !e->item->side[LOCKDIFF_THEIRS])
		return e->item && !e->item->side[LOCKDIFF_OURS] ? LOCKDIFF_THEIRS : LOCKDIFF_OURS;
	const char *va = e->item->side[LOCKDIFF_OURS]->version, *vb = e->item->side[LOCKDIFF_THEIRS]->version;
	if (!va || !vb || pep440_parse(va, &a, &why) < 0 || pep440_parse(vb, &b, &why) < 0)
		return LOCKDIFF_OURS;
	return pep440_compare(&b, &a) > 0 ? LOCKDIFF_THEIRS : LOCKDIFF_OURS;
}

static void choose(struct conflicts *s, struct entry *e, int side)
{
	int concrete = side == LOCKDIFF_NEWEST ? newer(e) : side;

	if (e->choice < 0 && s->r.merge.conflicts)
		s->r.merge.conflicts--;
	e->choice = concrete;
	if (e->item) {
		e->item->chosen = e->item->side[concrete];
		e->item->conflict = false;
	} else {
		e->top->chosen = concrete;
		e->top->conflict = false;
	}
	s->last = side;
}

static void write_resolved(struct app *app, struct conflicts *s)
{
	struct project_row *r = app_selected(app);
	struct pl_error err;
	size_t kept, left = open_count(s);
	char q[300];

	if (left) {
		app_message(app, "%zu conflict%s still to choose; nothing written", left, left == 1 ? "" : "s");
		return;
	}
	snprintf(q, sizeof(q), " write and stage %s? [y/N] ", s->r.rel);
	int k = app_prompt(app, q);
	if (k != 'y' && k != 'Y') {
		app_message(app, "not written");
		return;
	}
	if (resolve_commit(&s->r, &kept, &err) < 0) {
		app_message(app, "%s", err.msg);
		return;
	}
	app_message(app, "resolved %s (%zu packages) and staged it", s->r.rel, kept);
	if (r)
		r->p->lock = DISCOVER_LOCK_STAGED;
	app_reopen(app);
}

static bool conflicts_request(struct app *app, enum request req)
{
	struct conflicts *s = app->tab_state[TAB_CONFLICTS];
	struct entry *e = s && s->loaded && s->n ? &s->e[app->detail.cursor] : NULL;

	switch (req) {
	case REQ_CHOOSE_OURS: case REQ_CHOOSE_THEIRS: case REQ_CHOOSE_BASE: case REQ_CHOOSE_NEWER:
		if (e) {
			choose(s, e, req == REQ_CHOOSE_OURS ? LOCKDIFF_OURS : req == REQ_CHOOSE_THEIRS ? LOCKDIFF_THEIRS
				      : req == REQ_CHOOSE_BASE ? LOCKDIFF_BASE : LOCKDIFF_NEWEST);
			list_request(&app->detail, REQ_MOVE_DOWN);
		}
		return true;
	case REQ_CHOOSE_ALL:
		for (size_t i = 0; e && i < s->n; i++)
			if (s->e[i].choice < 0)
				choose(s, &s->e[i], s->last);
		return true;
	case REQ_WRITE:
		if (s && s->loaded)
			write_resolved(app, s);
		return true;
	case REQ_CANCEL:
		app_reopen(app);
		app->pane = PANE_LIST;
		app_message(app, "left the conflicts without writing anything");
		return true;
	default:
		return list_request(&app->detail, req);
	}
}

const struct view_ops conflicts_view = {
	.title = "Conflicts",
	.context = KEYMAP_CONFLICTS,
	.open = conflicts_open,
	.draw = conflicts_draw,
	.request = conflicts_request,
	.done = conflicts_done,
};
