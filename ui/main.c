/* pylock-ui: the terminal front end. `pylock` and `pylock ui [ROOT...]`
 * run it. Layout: a title bar, the project list beside the detail pane
 * (tabs: Packages, Diff, Conflicts, Info), a status line. */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "env.h"
#include "help.h"
#include "watch.h"
#include "messages.h"
#include "jobs.h"
#include "lockimport.h"
#include "store.h"
#include "yamlconf.h"

/* ---- the project list ---- */

static const char *lock_word(const struct discover_project *p)
{
	return p->lock == DISCOVER_LOCK_NONE && !p->source_format ? "-" : discover_lock_word(p);
}

static enum role lock_role(enum discover_lock l)
{
	switch (l) {
	case DISCOVER_LOCK_CONFLICTED: return ROLE_CONFLICT;
	case DISCOVER_LOCK_MODIFIED: case DISCOVER_LOCK_STAGED: return ROLE_CHANGED;
	case DISCOVER_LOCK_UNTRACKED: return ROLE_ADDED;
	case DISCOVER_LOCK_NONE: return ROLE_MUTED;
	default: return ROLE_NORMAL;
	}
}

static bool contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	if (!hay)
		return false;
	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return true;
	return !n;
}

static bool passes(const struct app *app, const struct project_row *r)
{
	const char *f = app->filter;

	return !f[0] || contains(r->p->name, f) || contains(r->p->path, f) || contains(r->p->branch, f) ||
	       contains(lock_word(r->p), f) || contains(r->env, f) || contains(r->summary, f);
}

static int by_name(const void *a, const void *b)
{
	const struct project_row *x = a, *y = b;
	int c = strcasecmp(x->p->name, y->p->name);

	if (!c)
		c = strcmp(x->p->path, y->p->path);
	/* pylock.toml before the named locks, those by name. */
	if (!c)
		c = (x->p->lock_name != NULL) - (y->p->lock_name != NULL);
	if (!c)
		c = strcmp(app_row_key(x), app_row_key(y));
	return c;
}

/* Rebuilds the filtered view, keeping the selected project selected. */
static void refilter(struct app *app)
{
	const char *keep = app_selected(app) ? app_row_key(app_selected(app)) : NULL;
	char *kept = keep ? util_xstrdup(keep) : NULL;
	size_t n = 0;

	free(app->shown);
	app->rows_gen++;
	app->shown = util_xcalloc(app->nrows + 1, sizeof(*app->shown));
	for (size_t i = 0; i < app->nrows; i++)
		if (passes(app, &app->rows[i]))
			app->shown[n++] = i;
	list_set_count(&app->list, n);
	for (size_t i = 0; kept && i < n; i++)
		if (!strcmp(app_row_key(&app->rows[app->shown[i]]), kept))
			app->list.cursor = i;
	free(kept);
}

/* Projects found since the last look, sorted in by name; a project found
 * again (R, a refresh) replaces its row, keeping what the UI learnt about
 * it. True when the selected row is another or was replaced. */
static bool take_incoming(struct app *app)
{
	struct discover_project **in;
	size_t n;
	bool replaced = false;

	pthread_mutex_lock(&app->lock);
	in = app->incoming;
	n = app->nincoming;
	app->incoming = NULL;
	app->nincoming = 0;
	pthread_mutex_unlock(&app->lock);
	if (!n)
		return false;
	/* Until the user moves, the first project stays selected. */
	const char *keep = app_selected(app) ? app_row_key(app_selected(app)) : NULL;
	char *kept = keep ? util_xstrdup(keep) : NULL;
	app->rows = util_xrealloc(app->rows, (app->nrows + n) * sizeof(*app->rows));
	for (size_t i = 0; i < n; i++) {
		const char *key = in[i]->lock_path ? in[i]->lock_path : in[i]->path;
		struct project_row *r = app_row_by_key(app, key);
		if (r) {
			replaced |= kept && !strcmp(kept, key);
			discover_project_free(r->p);
		} else {
			r = &app->rows[app->nrows++];
			memset(r, 0, sizeof(*r));
			snprintf(r->summary, sizeof(r->summary), "-");
		}
		r->p = in[i];
		r->env = env_state_name(env_state_quick(app->store, in[i]->path, in[i]->lock_path));
	}
	free(in);
	app->rows_gen++;
	qsort(app->rows, app->nrows, sizeof(*app->rows), by_name);
	refilter(app);
	if (!app->moved)
		app->list.cursor = 0;
	bool changed = replaced || !kept || strcmp(kept, app_row_key(app_selected(app)));
	free(kept);
	return changed;
}

struct columns {
	int name, branch, lock, env, sig;
};

/* Narrow panes drop the least needed columns first: branch, then the
 * environment, then the signature summary. */
static struct columns layout(int w)
{
	struct columns c = { 0, w >= 50 ? 9 : 0, 10, w >= 44 ? 7 : 0, w >= 36 ? 7 : 0 };
	int fixed = 1 + c.lock + 1 + (c.branch ? c.branch + 1 : 0) + (c.env ? c.env + 1 : 0) + (c.sig ? c.sig + 1 : 0);

	c.name = w - fixed;
	if (c.name < 8) {
		c.lock = 4;
		c.name = w - 6;
	}
	return c;
}

static void project_row(void *arg, size_t i, int y, int x, int w, bool selected)
{
	struct app *app = arg;
	const struct project_row *r = &app->rows[app->shown[i]];
	struct columns c = layout(w);
	int sel = selected ? app->theme.attr[app->pane == PANE_LIST ? ROLE_SELECTED : ROLE_SELECTED_DIM] : 0;
	char name[300];

	/* A column of marks: * tagged, ! its last job failed (both: * in the
	 * failure's colour). */
	list_text(y, x++, 1, sel ? sel : app->theme.attr[r->failed[0] ? ROLE_INVALID : ROLE_CHANGED],
		  r->tagged ? "*" : r->failed[0] ? "!" : "");
	size_t n = strlen(discover_project_label(r->p, name, sizeof(name)));
	snprintf(name + n, sizeof(name) - n, "%s", r->p->worktree_of ? " [wt]" : "");
	list_text(y, x, c.name, sel ? sel : app->theme.attr[ROLE_NORMAL], name);
	x += c.name;
	list_text(y, x++, 1, sel, "");
	if (c.branch) {
		list_text(y, x, c.branch, sel ? sel : app->theme.attr[ROLE_MUTED], r->p->branch ? r->p->branch : "");
		x += c.branch;
		list_text(y, x++, 1, sel, "");
	}
	list_text(y, x, c.lock, sel ? sel : app->theme.attr[lock_role(r->p->lock)], lock_word(r->p));
	x += c.lock;
	if (c.env) {
		list_text(y, x++, 1, sel, "");
		bool failed = !strcmp(r->failed, "sync");
		list_text(y, x, c.env, sel ? sel : app->theme.attr[failed ? ROLE_INVALID : strcmp(r->env, "built") ? ROLE_MUTED
								   : ROLE_VERIFIED], failed ? "failed" : r->env);
		x += c.env;
	}
	if (c.sig) {
		list_text(y, x++, 1, sel, "");
		bool failed = !strcmp(r->failed, "verify");
		enum role role = failed || (r->verified && r->bad) ? ROLE_INVALID : r->verified ? ROLE_VERIFIED : ROLE_MUTED;
		list_text(y, x, c.sig, sel ? sel : app->theme.attr[role], failed ? "failed" : r->summary);
	}
}

/* ---- drawing ---- */

static int left_width(void)
{
	int w = COLS / 2;
	return w < 24 ? (COLS < 24 ? COLS : 24) : w;
}

static void draw_title(struct app *app)
{
	char text[512], roots[256] = "";
	/* The project filter being typed shows its cursor here too. */
	bool filtering = app->prompt.open && !strcmp(app->prompt.subject, "projects");
	bool busy;

	for (size_t i = 0; i < app->nroots; i++)
		snprintf(roots + strlen(roots), sizeof(roots) - strlen(roots), "%s%s", i ? " " : "", app->roots[i]);
	pthread_mutex_lock(&app->lock);
	busy = app->discovering;
	pthread_mutex_unlock(&app->lock);
	snprintf(text, sizeof(text), " pylock  %s  %zu project%s%s%s%s%s", roots, app->nrows, app->nrows == 1 ? "" : "s",
		 app->filter[0] || filtering ? "  filter: " : "", app->filter, filtering ? "_" : "",
		 busy ? "  (discovering...)" : "");
	app_text(app, 0, 0, COLS, ROLE_TITLE, text);
}

/* The detail pane's title row: the tabs, the focused one marked, and the
 * tab's count ("3 of 40") at the right. */
static void draw_tabs(struct app *app, int y, int x, int w)
{
	char count[80] = "";
	size_t total = app->tab == TAB_PACKAGES ? packages_total(app) : app->detail.n;
	int labels = 0, compact = 0, end = x + w, cw = 0;

	for (int t = 0; t < TAB_COUNT; t++) {
		labels += (int)strlen(app_tabs[t]->title) + 4;
		compact += t == (int)app->tab ? (int)strlen(app_tabs[t]->title) + 4 : 3;
	}
	/* As much of "3 of 40 (filtered from 90)" as the row has room for;
	 * where even "3 of 40" does not fit beside the tabs' names, the other
	 * tabs show only their numbers. */
	if (app->tab != TAB_INFO && !packages_in_details(app) && (app->detail.n || total))
		for (int form = 0; form < 3; form++) {
			size_t at = app->detail.n ? app->detail.cursor + 1 : 0;
			if (total > app->detail.n && form == 0)
				snprintf(count, sizeof(count), "%zu of %zu (filtered from %zu) ", at, app->detail.n, total);
			else if (total > app->detail.n && form == 1)
				snprintf(count, sizeof(count), "%zu of %zu (filtered) ", at, app->detail.n);
			else
				snprintf(count, sizeof(count), "%zu of %zu ", at, app->detail.n);
			if ((cw = list_width(count)) < w - labels)
				break;
		}
	bool short_names = cw && cw >= w - labels && cw < w - compact;
	app_text(app, y, x, w, ROLE_TAB, "");
	for (int t = 0; t < TAB_COUNT && w > 0; t++) {
		char label[32];
		if (short_names && t != (int)app->tab)
			snprintf(label, sizeof(label), " %d ", t + 1);
		else
			snprintf(label, sizeof(label), " %d %s ", t + 1, app_tabs[t]->title);
		int lw = (int)strlen(label);
		if (lw > w)
			lw = w;
		enum role role = t != (int)app->tab ? ROLE_TAB : app->pane == PANE_DETAIL ? ROLE_FOCUS : ROLE_TAB_ACTIVE;
		app_text(app, y, x, lw, role, label);
		x += lw;
		w -= lw;
	}
	if (cw && w > cw)
		app_text(app, y, end - cw, cw, ROLE_TAB, count);
}

/* The footer's keys for where the focus is, most needed first; as many as
 * the width holds. */
static const char *const list_hints[] = {
	"q quit", "? help", "Enter shell", ": log", "/ filter", "Tab pane", "1-4 tabs", "v verify", "s sync",
	"Space tag", "R reread", "L lock", "i import", "T theme", NULL,
};
static const char *const tab_hints[TAB_COUNT][10] = {
	[TAB_PACKAGES] = { "Esc back", "Enter details", "? help", "/ filter", "U upgrade", "x remove", ": log", "1-4 tabs",
			   NULL },
	[TAB_DIFF] = { "Esc back", "? help", "R revision", "j/k scroll", ": log", "1-4 tabs", NULL },
	[TAB_CONFLICTS] = { "w write", "Esc leave", "o ours", "t theirs", "b base", "n newer", "a all", "? help", NULL },
	[TAB_INFO] = { "Esc back", "? help", ": log", "1-4 tabs", NULL },
};

/* The hints that fit in room columns (at least the first two); their width. */
static int hints(const struct app *app, int room, char *text, size_t size)
{
	/* The Conflicts tab with nothing to resolve has no write or choices
	 * to offer: the Info tab's keys. */
	const char *const *h = app->pane != PANE_DETAIL ? list_hints
			       : app->tab == TAB_CONFLICTS && !conflicts_resolving(app) ? tab_hints[TAB_INFO]
			       : tab_hints[app->tab];
	int len = 0;

	text[0] = '\0';
	for (size_t i = 0; h[i]; i++) {
		int n = (int)strlen(h[i]) + (i ? 2 : 0);
		if ((i >= 2 && len + n > room) || (size_t)(len + n) + 1 > size)
			break;
		snprintf(text + len, size - (size_t)len, "%s%s", i ? "  " : "", h[i]);
		len += n;
	}
	return len;
}

/* The status line: the job under way and the last result at the left (a
 * result stays until the next; the log has them all), the focused pane's
 * keys at the right; an open prompt instead of both. */
static void draw_status(struct app *app)
{
	char text[600], keys[256];
	int y = LINES - 1;

	if (app->prompt.open) {
		prompt_draw(app, y, COLS);
		return;
	}
	/* The jobs' threads write the gauge. */
	pthread_mutex_lock(&app->lock);
	snprintf(text, sizeof(text), " %s%s%s%s", app->progress[0] ? "[" : "", app->progress,
		 app->progress[0] ? "]  " : "", app->status);
	pthread_mutex_unlock(&app->lock);
	if (app->nqueued)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s(%zu queued)", app->status[0] ? "  " : "",
			 app->nqueued);
	int used = list_width(text) + 3;
	int kw = hints(app, COLS - used > 0 ? COLS - used : 0, keys, sizeof(keys));
	if (text[1] == '\0') {
		snprintf(text, sizeof(text), " %s", keys);
		app_text(app, y, 0, COLS, ROLE_STATUS, text);
		return;
	}
	int left = COLS - kw - 2;
	app_text(app, y, 0, COLS, ROLE_STATUS, "");
	app_text(app, y, 0, left > 0 ? left : COLS, ROLE_STATUS, text);
	if (left > 0)
		app_text(app, y, left + 1, kw, ROLE_STATUS, keys);
}

static void request(struct app *app, enum request req);

/* A key: its request, or why it does nothing here. */
static void key(struct app *app, int k)
{
	enum request req = keymap_request(k, app_context(app));

	if (req != REQ_NONE || app->help || app->log_open || k < 32 || k > 126) {
		request(app, req);
		return;
	}
	if (k == 't' || k == 'o' || k == 'b' || k == 'n' || k == 'w')
		snprintf(app->status, sizeof(app->status), "%c acts in the Conflicts tab (3, then Tab)%s", k,
			 k == 't' ? "; T switches themes" : "");
	else
		snprintf(app->status, sizeof(app->status), "%c does nothing here (? lists the keys)", k);
}

static void draw(struct app *app)
{
	int lw = left_width(), top = 1, h = LINES - 2;

	if (app->help || app->log_open) {
		(app->help ? help_draw : messages_draw)(app, 0, 0, LINES, COLS);
		doupdate();
		return;
	}
	/* +: the focused pane alone. */
	if (app->maximised)
		lw = app->pane == PANE_LIST ? COLS : -1;
	draw_title(app);
	if (h > 0 && lw > 0) {
		char header[96];
		pthread_mutex_lock(&app->lock);
		bool busy = app->discovering;
		pthread_mutex_unlock(&app->lock);
		if (!app->nrows)
			snprintf(header, sizeof(header), " projects (none found%s)", busy ? " yet" : "");
		else if (app->list.n < app->nrows)
			snprintf(header, sizeof(header), " projects  %zu of %zu (filtered from %zu)",
				 app->list.n ? app->list.cursor + 1 : 0, app->list.n, app->nrows);
		else
			snprintf(header, sizeof(header), " projects  %zu of %zu", app->list.cursor + 1, app->list.n);
		app_text(app, top, 0, lw, app->pane == PANE_LIST ? ROLE_FOCUS : ROLE_HEADER, header);
		list_draw(&app->list, top + 1, 0, h - 1, lw, project_row, app);
	}
	if (h > 0 && COLS > lw + 1) {
		/* The border belongs to the detail pane: highlighted with its focus. */
		for (int y = top; lw > 0 && y < top + h; y++)
			app_text(app, y, lw, 1, app->pane == PANE_DETAIL ? ROLE_FOCUS : ROLE_MUTED, "|");
		draw_tabs(app, top, lw + 1, COLS - lw - 1);
		app_tabs[app->tab]->draw(app, top + 1, lw + 1, h - 1, COLS - lw - 1);
	}
	draw_status(app);
	wnoutrefresh(stdscr);
	doupdate();
}

/* ---- input ---- */

/* / filters the focused list as the user types: the projects, or the
 * Packages tab's packages. Enter keeps the filter, Esc clears it. */
static void filter_changed(struct app *app, const char *subject, const char *text)
{
	if (!strcmp(subject, "packages")) {
		snprintf(app->detail_filter, sizeof(app->detail_filter), "%s", text ? text : "");
		packages_refilter(app);
		return;
	}
	const struct project_row *before = app_selected(app);
	snprintf(app->filter, sizeof(app->filter), "%s", text ? text : "");
	app->moved = true;
	refilter(app);
	if (app_selected(app) != before)
		app_reopen(app);
}

static void filter_done(struct app *app, const char *subject, const char *answer)
{
	if (!answer) {
		filter_changed(app, subject, "");
		app_message(app, "filter cleared");
	}
}

static void start_filter(struct app *app)
{
	bool packages = app->pane == PANE_DETAIL && app->tab == TAB_PACKAGES;

	prompt_line(app, packages ? "filter packages: " : "filter: ", packages ? app->detail_filter : app->filter, NULL,
		    packages ? "packages" : "projects", filter_done, filter_changed);
}

static void revision_done(struct app *app, const char *subject, const char *answer)
{
	struct project_row *r = app_row_by_key(app, subject);

	if (!answer || !r) {
		app_message(app, "%s", answer ? "that project is gone; nothing changed" : "revision unchanged");
		return;
	}
	free(r->revision);
	r->revision = strcmp(answer, "HEAD") ? util_xstrdup(answer) : NULL;
	app_log(app, "%s diffs against %s", r->p->name, answer);
	if (r == app_selected(app)) {
		if (app->tab != TAB_DIFF)
			app_set_tab(app, TAB_DIFF);
		else
			app_reopen(app);
	}
}

static void edit_done(struct app *app, const char *subject, const char *answer)
{
	/* The subject is "add:KEY" or "remove:KEY". */
	bool add = !strncmp(subject, "add:", 4);
	struct project_row *r = app_row_by_key(app, strchr(subject, ':') + 1);

	if (!answer || !answer[0])
		app_message(app, "nothing %s", add ? "added" : "removed");
	else if (!r)
		app_message(app, "that project is gone; nothing changed");
	else
		jobs_relock(app, r, add ? JOBS_ADD : JOBS_REMOVE, answer);
}

static void quit_done(struct app *app, const char *subject, const char *answer)
{
	(void)subject;
	if (prompt_yes(answer))
		app->quit = true;
	else
		app_message(app, "not quit; w writes the choices, Esc leaves them");
}

/* v and s act on the tagged projects when there are any, else on the
 * selected one. */
static void on_projects(struct app *app, void (*job)(struct app *, struct project_row *), const char *what)
{
	size_t n = 0;

	for (size_t i = 0; i < app->nrows; i++)
		if (app->rows[i].tagged) {
			job(app, &app->rows[i]);
			n++;
		}
	if (n)
		app_message(app, "%s of %zu tagged projects started (%d at a time)", what, n, jobs_max());
	else if (app_selected(app))
		job(app, app_selected(app));
}

static void shell(struct app *app)
{
	struct project_row *r = app_selected(app);

	if (!r)
		return;
	/* A named lock's path names its project and the lock. */
	const char *argv[] = { app->pylock, "shell", r->p->lock_name ? r->p->lock_path : r->p->path, NULL };
	int status = jobs_foreground(app, argv);
	app_message(app, "shell in %s exited with status %d", r->p->name, status);
	app_reopen(app);
}

/* "file:line:col: message", as the CLI reports errors. */
static void error_message(struct app *app, const struct pl_error *err)
{
	const char *base = strrchr(err->file, '/');

	if (err->file[0] && err->line)
		app_message(app, "%.100s:%d:%d: %.150s", base ? base + 1 : err->file, err->line, err->col, err->msg);
	else if (err->file[0])
		app_message(app, "%.100s: %.150s", base ? base + 1 : err->file, err->msg);
	else
		app_message(app, "%.250s", err->msg);
}

/* The theme T chose last, kept in the config folder (ui-theme) so the next
 * start has it; NULL when none or not a theme's name. */
static char *remembered_theme(void)
{
	struct pl_error err;
	char *path = util_dir_file(UTIL_DIR_CONFIG, "ui-theme", &err), *text = NULL;
	size_t len;

	if (path && util_read_file(path, 128, &text, &len, &err) == 0) {
		len = strcspn(text, "\n");
		text[len] = '\0';
		if (!len || strspn(text, "abcdefghijklmnopqrstuvwxyz0123456789-_") != len) {
			free(text);
			text = NULL;
		}
	}
	free(path);
	return text;
}

static void remember_theme(struct app *app, const char *name)
{
	struct pl_error err;
	char *dir = util_dir_path(UTIL_DIR_CONFIG, &err), *path = NULL;
	struct util_buf text = UTIL_BUF_INIT;

	util_buf_printf(&text, "%s\n", name);
	if (!dir || util_mkdir_p(dir, 0700, &err) < 0 || !(path = util_dir_file(UTIL_DIR_CONFIG, "ui-theme", &err)) ||
	    util_write_atomic(path, text.data, text.len, 0600, &err) < 0)
		app_log(app, "theme %s not remembered: %s", name, err.msg);
	free(dir);
	free(path);
	util_buf_free(&text);
}

static void next_theme(struct app *app)
{
	struct pl_error err;

	if (!app->nthemes)
		return;
	app->theme_index = (app->theme_index + 1) % app->nthemes;
	if (theme_load(app->themes[app->theme_index], has_colors() && !getenv("NO_COLOR"), &app->theme, &err) < 0) {
		error_message(app, &err);
	} else {
		app_message(app, "theme %s", app->theme.name);
		remember_theme(app, app->theme.name);
	}
	bkgdset((chtype)app->theme.attr[ROLE_NORMAL]);
	clear();
}

static void request(struct app *app, enum request req)
{
	struct project_row *r = app_selected(app);
	char label[300];

	if (app->help) {
		if (req == REQ_HELP || req == REQ_QUIT || req == REQ_CANCEL)
			app->help = false;
		else
			help_request(app, req);
		return;
	}
	if (app->log_open) {
		messages_request(app, req);
		return;
	}
	if (app->pane == PANE_DETAIL && app_tabs[app->tab]->request(app, req))
		return;
	switch (req) {
	case REQ_QUIT: {
		size_t unwritten = conflicts_unwritten(app);
		if (!unwritten) {
			app->quit = true;
			return;
		}
		snprintf(label, sizeof(label), "%zu conflict choice%s not written: quit anyway? [y/N] ", unwritten,
			 unwritten == 1 ? "" : "s");
		prompt_ask(app, label, "", quit_done);
		return;
	}
	case REQ_HELP:
		app->help = true;
		app->help_list.cursor = app->help_list.top = 0;
		return;
	case REQ_LOG:
		messages_open(app);
		return;
	case REQ_CANCEL:
		/* Esc backs out one step: a filter applied, then the pane. */
		if (app->pane == PANE_DETAIL && app->detail_filter[0] && app->tab == TAB_PACKAGES) {
			filter_changed(app, "packages", "");
			app_message(app, "package filter cleared");
		} else if (app->filter[0]) {
			filter_changed(app, "projects", "");
			app_message(app, "filter cleared");
		} else if (app->maximised) {
			app->maximised = false;
		} else if (app->pane == PANE_DETAIL) {
			app->pane = PANE_LIST;
		}
		return;
	case REQ_NEXT_PANE:
		app->pane = app->pane == PANE_LIST ? PANE_DETAIL : PANE_LIST;
		return;
	case REQ_MAXIMISE:
		app->maximised = !app->maximised;
		return;
	case REQ_TAB_PACKAGES: case REQ_TAB_DIFF: case REQ_TAB_CONFLICTS: case REQ_TAB_INFO:
		app_set_tab(app, (enum tab)(req - REQ_TAB_PACKAGES));
		return;
	case REQ_DIFF:
		app_set_tab(app, TAB_DIFF);
		return;
	case REQ_RESOLVE:
		app_set_tab(app, TAB_CONFLICTS);
		app->pane = PANE_DETAIL;
		return;
	case REQ_REVISION:
		if (!r)
			return;
		snprintf(label, sizeof(label), "diff %.60s against (REV or A..B; Tab edits the default): ", r->p->name);
		prompt_line(app, label, "", r->revision ? r->revision : "HEAD", app_row_key(r), revision_done, NULL);
		return;
	case REQ_REFRESH:
		if (r) {
			jobs_refresh(app, r, false);
			app_message(app, "rereading %s", r->p->name);
		}
		return;
	case REQ_FILTER:
		start_filter(app);
		return;
	case REQ_TAG:
		if (r && app->pane == PANE_LIST) {
			r->tagged = !r->tagged;
			list_request(&app->list, REQ_MOVE_DOWN);
			size_t n = 0;
			for (size_t i = 0; i < app->nrows; i++)
				n += app->rows[i].tagged;
			app_message(app, "%zu tagged; v verifies and s syncs them all", n);
			app_reopen(app);
		}
		return;
	case REQ_SHELL:
		shell(app);
		return;
	case REQ_VERIFY:
		on_projects(app, jobs_verify, "verify");
		return;
	case REQ_SYNC:
		on_projects(app, jobs_sync, "sync");
		return;
	case REQ_LOCK:
		if (r)
			jobs_relock(app, r, JOBS_LOCK, NULL);
		return;
	case REQ_IMPORT: {
		enum lockimport_format f;
		char *source = r ? lockimport_find(r->p->path, &f) : NULL;
		if (source)
			jobs_relock(app, r, JOBS_IMPORT, NULL);
		else if (r)
			app_message(app, "%s has no uv.lock, poetry.lock, pdm.lock or requirements.txt to import", r->p->name);
		free(source);
		return;
	}
	case REQ_UPGRADE:
		if (r)
			jobs_relock(app, r, JOBS_UPGRADE, app->pane == PANE_DETAIL ? packages_selected(app) : NULL);
		return;
	case REQ_ADD:
	case REQ_REMOVE: {
		const char *name = req == REQ_REMOVE && app->pane == PANE_DETAIL ? packages_selected(app) : NULL;
		if (!r)
			return;
		snprintf(label, sizeof(label), "%s:%s", req == REQ_ADD ? "add" : "remove", app_row_key(r));
		prompt_line(app, req == REQ_ADD ? "add requirement: " : "remove requirement: ", name, NULL, label,
			    edit_done, NULL);
		return;
	}
	case REQ_THEME:
		next_theme(app);
		return;
	case REQ_REDRAW:
		clearok(curscr, TRUE);
		return;
	default:
		break;
	}
	if (app->pane == PANE_LIST) {
		size_t before = app->list.cursor;
		if (list_request(&app->list, req))
			app->moved = true;
		if (app->list.cursor != before)
			app_reopen(app);
	}
}

static void setup_theme(struct app *app, const char *configured)
{
	bool colour = has_colors() && !getenv("NO_COLOR");
	char *kept = remembered_theme();
	const char *want = getenv("PYLOCK_THEME") ? getenv("PYLOCK_THEME") : kept ? kept : configured ? configured
			   : "default";
	struct pl_error err;

	if (colour) {
		start_color();
		use_default_colors();
	}
	app->themes = theme_names(&app->nthemes);
	for (size_t i = 0; i < app->nthemes; i++)
		if (!strcmp(app->themes[i], want))
			app->theme_index = i;
	if (theme_load(want, colour, &app->theme, &err) < 0) {
		theme_default(&app->theme);
		error_message(app, &err);
	} else
		app_log(app, "theme %s%s", app->theme.name, kept && want == kept ? " (chosen last time with T)" : "");
	free(kept);
	bkgdset((chtype)app->theme.attr[ROLE_NORMAL]);
}

static void roots_from(struct app *app, int argc, char **argv, const struct yamlconf_config *cfg)
{
	char cwd[4096];

	for (int i = 1; i < argc; i++) {
		app->roots = util_xrealloc(app->roots, (app->nroots + 1) * sizeof(*app->roots));
		app->roots[app->nroots++] = util_xstrdup(argv[i]);
	}
	for (size_t i = 0; !app->nroots && i < cfg->roots.n; i++) {
		app->roots = util_xrealloc(app->roots, (i + 1) * sizeof(*app->roots));
		app->roots[i] = util_xstrdup(cfg->roots.items[i]);
		if (i + 1 == cfg->roots.n)
			app->nroots = cfg->roots.n;
	}
	if (!app->nroots && getcwd(cwd, sizeof(cwd))) {
		app->roots = util_xmalloc(sizeof(*app->roots));
		app->roots[app->nroots++] = util_xstrdup(cwd);
	}
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Waits (on the workers' pipe only) until the Conflicts tab has its
 * candidates' signatures. */
static void wait_candidates(struct app *app)
{
	struct pollfd fd = { .fd = app->wake[0], .events = POLLIN };
	char buf[256];

	while (conflicts_checking(app) && poll(&fd, 1, 10000) > 0 && read(app->wake[0], buf, sizeof(buf)) > 0)
		jobs_collect(app);
}

/* PYLOCK_UI_BENCH=conflicts (tests/bench/tui-conflicts.sh): opening the
 * Conflicts tab of the selected project (what the key costs the UI
 * thread), then until its candidates' signatures arrive, on a first visit
 * and on a second (the hash cache warm). */
static void bench_conflicts(struct app *app)
{
	struct timespec t0;
	double open, cold, warm;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	request(app, REQ_RESOLVE);
	draw(app);
	open = ms_since(&t0);
	wait_candidates(app);
	cold = ms_since(&t0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	app_reopen(app);
	draw(app);
	wait_candidates(app);
	warm = ms_since(&t0);
	endwin();
	fprintf(stderr, "conflicts-open-ms %.1f candidates-cold-ms %.1f candidates-warm-ms %.1f\n", open, cold, warm);
}

/* What the UI holds at its end (jobs still running keep theirs). */
static void free_app(struct app *app)
{
	if (app_tabs[app->tab]->done)
		app_tabs[app->tab]->done(app);
	for (size_t i = 0; i < app->nrows; i++) {
		struct project_row *r = &app->rows[i];
		for (size_t k = 0; k < r->nsigs; k++)
			free(r->sigs[k].name);
		free(r->sigs);
		free(r->revision);
		discover_project_free(r->p);
	}
	free(app->rows);
	free(app->shown);
	jobs_fini(app);
	free(app->store);
	/* Discovery may still be reading the roots. */
	pthread_mutex_lock(&app->lock);
	bool busy = app->discovering;
	pthread_mutex_unlock(&app->lock);
	for (size_t i = 0; !busy && i < app->nroots; i++)
		free(app->roots[i]);
	if (!busy)
		free(app->roots);
	theme_names_free(app->themes, app->nthemes);
	for (size_t i = 0; i < app->nlog; i++)
		free(app->log[(app->log_first + i) % APP_LOG_MAX]);
}

/* Crashing, the UI leaves the terminal as it found it (as htop does): out
 * of curses mode, then the signal's own end. ncurses itself does this for
 * SIGINT and SIGTERM. */
static void die(int sig)
{
	endwin();
	raise(sig);
}

static void die_restores_terminal(void)
{
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	struct sigaction sa = { .sa_handler = die, .sa_flags = SA_RESETHAND };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);
}

int main(int argc, char **argv)
{
	struct app app;
	struct yamlconf_config cfg;
	struct pl_error err;
	struct timespec t0;
	/* PYLOCK_UI_BENCH=first: exit at the first full screen, printing the
	 * time; =keys: also time each of 200 keystrokes (tests/bench/tui.sh). */
	const char *bench = getenv("PYLOCK_UI_BENCH");
	bool first_done = false;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	setlocale(LC_ALL, "");
	memset(&app, 0, sizeof(app));
	if (argc > 1 && (!strcmp(argv[1], "--keys-roff"))) {
		keymap_write_roff(stdout);
		return 0;
	}
	if (yamlconf_config_load_default(&cfg, &err) < 0) {
		fprintf(stderr, "pylock: %s%s%d:%d: %s\n", err.file, err.file[0] ? ":" : "", err.line, err.col, err.msg);
		return 2;
	}
	pthread_mutex_init(&app.lock, NULL);
	if (pipe(app.wake) < 0)
		return 2;
	app.pylock = getenv("PYLOCK_BIN") ? getenv("PYLOCK_BIN") : "pylock";
	app.store = store_root(&err);
	roots_from(&app, argc, argv, &cfg);
	jobs_start_discovery(&app);

	initscr();
	die_restores_terminal();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	keymap_define_keys();
	curs_set(0);
	set_escdelay(25);
	/* getch never waits: poll() below does, on keys and workers alike. */
	timeout(0);
	setup_theme(&app, cfg.theme);
	yamlconf_config_fini(&cfg);
	app_tabs[app.tab]->open(&app);
	draw(&app);

	struct pollfd fds[3] = { { .fd = 0, .events = POLLIN }, { .fd = app.wake[0], .events = POLLIN },
				 { .fd = watch_init(&app), .events = POLLIN } };
	int bench_keys = 0;
	double worst = 0, total = 0;
	while (!app.quit) {
		int due = watch_due(&app);
		if (poll(fds, fds[2].fd >= 0 ? 3 : 2, due >= 0 && due < 200 ? due : 200) < 0 && errno != EINTR)
			break;
		if (fds[2].fd >= 0 && (fds[2].revents & POLLIN))
			watch_read(&app);
		if (fds[1].revents & POLLIN) {
			char buf[256];
			if (read(app.wake[0], buf, sizeof(buf)) < 0)
				break;
			/* A row reread behind the Conflicts tab's choices keeps them. */
			if (take_incoming(&app) && !conflicts_unwritten(&app))
				app_reopen(&app);
			jobs_warnings(&app);
			jobs_collect(&app);
		}
		int k;
		while ((k = getch()) != ERR) {
			if (k == KEY_RESIZE) {
				clear();
				continue;
			}
			if (app.prompt.open)
				prompt_key(&app, k == '\r' ? '\n' : k);
			else
				key(&app, k == '\r' ? '\n' : k);
			if (app.quit)
				break;
			draw(&app);
		}
		if (app.quit)
			break;
		draw(&app);
		watch_visible(&app);
		pthread_mutex_lock(&app.lock);
		bool settled = !app.discovering;
		pthread_mutex_unlock(&app.lock);
		if (bench && !first_done && (app.list.n >= (size_t)(LINES - 3) || settled)) {
			first_done = true;
			double first = ms_since(&t0);
			if (!strcmp(bench, "keys")) {
				for (bench_keys = 0; bench_keys < 200; bench_keys++) {
					struct timespec k0;
					clock_gettime(CLOCK_MONOTONIC, &k0);
					request(&app, bench_keys % 50 < 25 ? REQ_MOVE_DOWN : REQ_MOVE_UP);
					draw(&app);
					double d = ms_since(&k0);
					total += d;
					worst = d > worst ? d : worst;
				}
			}
			if (!strcmp(bench, "conflicts")) {
				bench_conflicts(&app);
				return 0;
			}
			endwin();
			fprintf(stderr, "first-screen-ms %.1f projects %zu keys %d mean-key-ms %.2f worst-key-ms %.2f\n", first,
			       app.list.n, bench_keys, bench_keys ? total / bench_keys : 0, worst);
			return 0;
		}
	}
	endwin();
	watch_fini(&app);
	free_app(&app);
	return 0;
}
