/* The Conflicts tab: a lock left in merge conflict, one line per conflict
 * (a package, a top-level key or a [tool.NAME] table); the selected one's
 * base, ours and theirs side by side (version, what differs, files, hashes,
 * signature status; a key's or table's text). o/t/b/n choose, a applies the
 * last choice to the rest; after each choice the dependencies the result
 * would break are named; w writes and stages once every conflict is chosen
 * and the user confirms, then offers to conclude the merge; Esc leaves
 * without writing anything. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "pep440.h"
#include "jobs.h"
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
	bool checking;				/* the candidates' signatures are on their way */
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

bool conflicts_resolving(const struct app *app)
{
	const struct conflicts *s = app->tab_state[TAB_CONFLICTS];

	return s && s->loaded;
}

bool conflicts_checking(const struct app *app)
{
	const struct conflicts *s = app->tab_state[TAB_CONFLICTS];

	return s && s->loaded && s->checking;
}

void conflicts_candidates(struct app *app, const char *lock_path, const struct candidate_status *c, size_t n,
			  const char *error)
{
	struct conflicts *s = app->tab_state[TAB_CONFLICTS];

	if (!s || !s->loaded || strcmp(s->r.lock_path, lock_path))
		return;
	s->checking = false;
	if (error)
		app_message(app, "signatures not checked: %.300s", error);
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < s->n; i++)
			if (s->e[i].item && !strcmp(s->e[i].item->key, c[k].name) && c[k].side >= 0 && c[k].side < 3) {
				s->e[i].sig[c[k].side] = c[k].result;
				s->e[i].checked[c[k].side] = true;
			}
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
	/* The candidates' signatures come from the engine on a thread of their
	 * own, with the hash cache: the tab opens at once. */
	s->checking = true;
	jobs_check_candidates(app, r->p->lock_path, r->p->path);
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
	else if (e->top->tool)
		snprintf(text, sizeof(text), "%s [tool.%s] (changed on both sides)", e->choice < 0 ? "?" : "=",
			 e->top->key);
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

/* A top-level key's or tool's text on one side, a line per row; returns
 * the next row. */
static int draw_top_side(struct app *app, const struct conflicts *s, const struct lockdiff_top_item *top, int side,
			 int row, int x, int end, int width)
{
	const struct lock *l = s->r.merge.side[side];
	struct util_buf b = UTIL_BUF_INIT;

	if (l && top->tool)
		lock_write_tool_of(l, top->key, &b);
	else if (l)
		lock_write_top(l, top->key, &b);
	if (!b.len)
		app_text(app, row++, x, width, ROLE_MUTED, "(absent)");
	for (char *line = b.data, *nl; line && *line && row < end; line = nl + 1) {
		nl = strchrnul(line, '\n');
		bool last = !*nl;
		*nl = '\0';
		if (*line)
			app_text(app, row++, x, width, ROLE_NORMAL, line);
		if (last)
			break;
	}
	util_buf_free(&b);
	return row;
}

/* The rule after a column, but the last. */
static void draw_separator(struct app *app, int side, int x, int y, int h)
{
	for (int r = y; side < 2 && r < y + h; r++)
		app_text(app, r, x, 1, ROLE_MUTED, "|");
}

/* The selected conflict's three candidates in three columns. */
static void draw_sides(struct app *app, const struct conflicts *s, const struct entry *e, int y, int x, int h, int w)
{
	int cw = w / 3;

	for (int side = 0; side < 3; side++) {
		int cx = x + side * cw, row = y, width = side == 2 ? w - 2 * cw : cw - 1;
		char line[300];
		snprintf(line, sizeof(line), "%s%s", side_name(side), e->choice == side ? " (chosen)" : "");
		app_text(app, row++, cx, width, e->choice == side ? ROLE_TAB_ACTIVE : ROLE_HEADER, line);
		if (!e->item) {
			row = draw_top_side(app, s, e->top, side, row, cx, y + h, width);
			app_clear(app, row, cx, y + h - row, width);
			draw_separator(app, side, cx + cw - 1, y, h);
			continue;
		}
		const struct lock_package *p = e->item->side[side];
		app_text(app, row++, cx, width, p ? ROLE_NORMAL : ROLE_MUTED, ver(p));
		/* Ours and theirs at one version: what else tells them apart. */
		const struct lock_package *o = e->item->side[LOCKDIFF_OURS], *t = e->item->side[LOCKDIFF_THEIRS];
		if (side == LOCKDIFF_THEIRS && o && t && util_str_equal(o->version, t->version)) {
			struct util_buf why = UTIL_BUF_INIT;
			lockdiff_package_differs(o, t, &why);
			snprintf(line, sizeof(line), "differs: %s", util_buf_str(&why));
			util_buf_free(&why);
			app_text(app, row++, cx, width, ROLE_CONFLICT, line);
		}
		for (size_t k = 0; p && k < p->nwheels + p->has_sdist && row < y + h - 1; k++) {
			const struct lock_file *f = k < p->nwheels ? &p->wheels[k] : &p->sdist;
			const char *sha = lock_file_sha256(f);
			app_text(app, row++, cx, width, ROLE_NORMAL, f->name);
			snprintf(line, sizeof(line), "  sha256 %.12s", sha ? sha : "(none)");
			if (row < y + h - 1)
				app_text(app, row++, cx, width, ROLE_MUTED, line);
		}
		if (p && row < y + h) {
			const struct lock_file *f = lock_package_first_file(p);
			if (e->checked[side])
				snprintf(line, sizeof(line), "%s %s", trust_status_name(e->sig[side].status), e->sig[side].key_id);
			else if (s->checking && f && f->path)
				snprintf(line, sizeof(line), "checking the signature...");
			else
				snprintf(line, sizeof(line), "signature not checked (remote)");
			app_text(app, row++, cx, width, e->checked[side] ? sig_role(e->sig[side].status) : ROLE_MUTED, line);
		}
		app_clear(app, row, cx, y + h - row, width);
		draw_separator(app, side, cx + cw - 1, y, h);
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
		draw_sides(app, s, &s->e[app->detail.cursor], y + 1 + lh, x, h - 1 - lh, w);
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

/* The dependencies the choices so far break, the first in words; 0 and
 * an empty text when none. */
static size_t broken_deps(const struct conflicts *s, char *text, size_t size)
{
	struct lockdiff_broken *b;
	size_t n = lockdiff_merge_broken(&s->r.merge, &b);
	struct util_buf t = UTIL_BUF_INIT;

	if (n) {
		lockdiff_broken_text(&b[0], &t);
		if (n > 1)
			util_buf_printf(&t, " (and %zu more)", n - 1);
	}
	snprintf(text, size, "%s", util_buf_str(&t));
	util_buf_free(&t);
	lockdiff_broken_free(b, n);
	return n;
}

static void report_broken(struct app *app, const struct conflicts *s)
{
	char text[400];

	if (broken_deps(s, text, sizeof(text)))
		app_message(app, "%s", text);
}

size_t conflicts_unwritten(const struct app *app)
{
	const struct conflicts *s = app->tab_state[TAB_CONFLICTS];

	return s && s->loaded ? s->n - open_count(s) : 0;
}

/* The tab's state when it still shows the project a prompt asked about;
 * NULL (and a message) when the user's answer came too late. */
static struct conflicts *still_showing(struct app *app, const char *subject)
{
	struct conflicts *s = app->tab_state[TAB_CONFLICTS];
	const struct project_row *r = app_selected(app);

	if (app->tab == TAB_CONFLICTS && s && s->loaded && r && !strcmp(app_row_key(r), subject))
		return s;
	app_message(app, "the conflicts shown changed meanwhile; nothing done");
	return NULL;
}

static void continue_answer(struct app *app, const char *subject, const char *answer)
{
	struct conflicts *s = still_showing(app, subject);
	struct util_buf out = UTIL_BUF_INIT;
	struct pl_error err;

	if (!s)
		return;
	int rc = prompt_yes(answer) ? resolve_continue(&s->r, &out, &err) : -2;
	if (rc == -2)
		app_message(app, "resolved %s and staged it; conclude the merge with 'git commit'", s->r.rel);
	else if (rc < 0)
		app_message(app, "%s", err.msg);
	else if (rc)
		app_message(app, "git commit failed (exit %d): %.200s", rc, util_buf_str(&out));
	else
		app_message(app, "resolved %s and concluded the merge", s->r.rel);
	util_buf_free(&out);
	app_reopen(app);
}

/* Once the lock is staged: what the merge still needs, and the offer to
 * conclude it; true when that offer is open (its answer reopens the tab). */
static bool offer_continue(struct app *app, struct conflicts *s, size_t kept)
{
	struct resolve_next next;
	struct pl_error err;
	bool asked = false;

	if (resolve_next(&s->r, &next, &err) < 0) {
		app_message(app, "resolved %s (%zu packages) and staged it", s->r.rel, kept);
		return false;
	}
	if (next.nunmerged)
		app_message(app, "resolved %s and staged it; %zu other path%s still in conflict, first %.200s", s->r.rel,
			    next.nunmerged, next.nunmerged == 1 ? "" : "s", next.unmerged[0]);
	else if (next.operation && strcmp(next.operation, "merge"))
		app_message(app, "resolved %s and staged it; continue with 'git %s --continue'", s->r.rel, next.operation);
	else if (next.operation) {
		app_log(app, "resolved %s (%zu packages) and staged it", s->r.rel, kept);
		prompt_ask(app, "nothing left in conflict: conclude the merge (git commit)? [y/N] ",
			   app_row_key(app_selected(app)), continue_answer);
		asked = true;
	} else
		app_message(app, "resolved %s (%zu packages) and staged it", s->r.rel, kept);
	resolve_next_fini(&next);
	return asked;
}

static void write_answer(struct app *app, const char *subject, const char *answer)
{
	struct conflicts *s = still_showing(app, subject);
	struct project_row *r = app_selected(app);
	struct pl_error err;
	size_t kept;

	if (!s)
		return;
	if (!prompt_yes(answer)) {
		app_message(app, "not written; w asks again, Esc leaves without writing");
		return;
	}
	if (resolve_commit(&s->r, &kept, &err) < 0) {
		app_message(app, "%s", err.msg);
		return;
	}
	r->p->lock = DISCOVER_LOCK_STAGED;
	if (!offer_continue(app, s, kept))
		app_reopen(app);
}

static void write_resolved(struct app *app, struct conflicts *s)
{
	size_t left = open_count(s);
	char q[300];

	if (left) {
		app_message(app, "%zu conflict%s still to choose; nothing written", left, left == 1 ? "" : "s");
		return;
	}
	char broken[400];
	if (broken_deps(s, broken, sizeof(broken)))
		snprintf(q, sizeof(q), "%.200s. Write and stage %s anyway? [y/N] ", broken, s->r.rel);
	else
		snprintf(q, sizeof(q), "write and stage %s? [y/N] ", s->r.rel);
	prompt_ask(app, q, app_row_key(app_selected(app)), write_answer);
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
			report_broken(app, s);
		}
		return true;
	case REQ_CHOOSE_ALL:
		for (size_t i = 0; e && i < s->n; i++)
			if (s->e[i].choice < 0)
				choose(s, &s->e[i], s->last);
		if (e)
			report_broken(app, s);
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
