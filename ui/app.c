/* The helpers every view shares (app.h): the selection, the status line,
 * text in a rectangle, reopening the current tab. */
#include "config.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "app.h"

const struct view_ops *const app_tabs[TAB_COUNT] = {
	[TAB_PACKAGES] = &packages_view,
	[TAB_DIFF] = &diff_view,
	[TAB_CONFLICTS] = &conflicts_view,
	[TAB_INFO] = &info_view,
};

const char *app_row_key(const struct project_row *r)
{
	return r->p->lock_path ? r->p->lock_path : r->p->path;
}

struct project_row *app_selected(struct app *app)
{
	return app->list.n ? &app->rows[app->shown[app->list.cursor]] : NULL;
}

static void log_add(struct app *app, const char *text)
{
	char stamp[16];
	time_t now = time(NULL);
	struct tm tm;
	struct util_buf line = UTIL_BUF_INIT;

	strftime(stamp, sizeof(stamp), "%H:%M:%S", localtime_r(&now, &tm));
	util_buf_printf(&line, "%s  %s", stamp, text);
	if (app->nlog == APP_LOG_MAX) {
		free(app->log[app->log_first]);
		app->log[app->log_first] = util_buf_steal(&line);
		app->log_first = (app->log_first + 1) % APP_LOG_MAX;
		return;
	}
	app->log[(app->log_first + app->nlog++) % APP_LOG_MAX] = util_buf_steal(&line);
}

const char *app_log_line(const struct app *app, size_t i)
{
	return i < app->nlog ? app->log[(app->log_first + i) % APP_LOG_MAX] : "";
}

/* The status line's form of a message: no "pylock: " prefix (the UI is
 * pylock), and each absolute path cut to its last two components
 * ("…/app/pylock.toml"); the log keeps the whole text. */
static void for_status(const char *in, char *out, size_t size)
{
	struct util_buf b = UTIL_BUF_INIT;

	while (!strncmp(in, "pylock: ", 8))
		in += 8;
	for (const char *p = in; *p;) {
		if (*p == '/' && (p == in || p[-1] == ' ' || p[-1] == '(' || p[-1] == '\'')) {
			size_t n = strcspn(p, " :,)'");
			const char *last = NULL, *before = NULL;
			for (const char *q = p; q < p + n; q++)
				if (*q == '/') {
					before = last;
					last = q;
				}
			if (before && before != p) {
				util_buf_puts(&b, "\xe2\x80\xa6");
				util_buf_add(&b, before, (size_t)(p + n - before));
			} else
				util_buf_add(&b, p, n);
			p += n;
			continue;
		}
		util_buf_putc(&b, *p++);
	}
	snprintf(out, size, "%s", util_buf_str(&b));
	util_buf_free(&b);
}

/* A message into the log, and onto the status line when status. */
static void say(struct app *app, bool status, const char *fmt, va_list ap)
{
	char text[2048], shown[2048];

	vsnprintf(text, sizeof(text), fmt, ap);
	log_add(app, text);
	if (!status)
		return;
	for_status(text, shown, sizeof(shown));
	/* Cut to the status line, never inside a UTF-8 character. */
	size_t n = strlen(shown);
	if (n >= sizeof(app->status)) {
		n = sizeof(app->status) - 1;
		while (n && ((unsigned char)shown[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(app->status, shown, n);
	app->status[n] = '\0';
}

void app_log(struct app *app, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(app, false, fmt, ap);
	va_end(ap);
}

void app_message(struct app *app, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(app, true, fmt, ap);
	va_end(ap);
}

void app_text(struct app *app, int y, int x, int w, enum role role, const char *text)
{
	list_text(y, x, w, app->theme.attr[role], text);
}

void app_clear(struct app *app, int y, int x, int h, int w)
{
	for (int r = 0; r < h; r++)
		app_text(app, y + r, x, w, ROLE_NORMAL, "");
}

/* Opens the current tab afresh; on the project and tab it showed before
 * (a refresh behind the user's back: a lock changed on disk, a job
 * finished) the cursor stays where the user left it. */
static void open_tab(struct app *app, struct list was)
{
	const struct project_row *r = app_selected(app);
	char now[sizeof(app->detail_for)];

	snprintf(now, sizeof(now), "%d %s", (int)app->tab, r ? app_row_key(r) : "");
	memset(&app->detail, 0, sizeof(app->detail));
	app_tabs[app->tab]->open(app);
	if (!strcmp(now, app->detail_for) && app->detail.n) {
		app->detail.cursor = was.cursor < app->detail.n ? was.cursor : app->detail.n - 1;
		app->detail.top = was.top <= app->detail.cursor ? was.top : app->detail.cursor;
	}
	memcpy(app->detail_for, now, sizeof(now));
}

void app_reopen(struct app *app)
{
	struct list was = app->detail;

	if (app_tabs[app->tab]->done)
		app_tabs[app->tab]->done(app);
	open_tab(app, was);
}

void app_set_tab(struct app *app, enum tab t)
{
	if (app->tab == t)
		return;
	if (app_tabs[app->tab]->done)
		app_tabs[app->tab]->done(app);
	app->tab = t;
	open_tab(app, app->detail);
}

struct project_row *app_row_by_key(struct app *app, const char *key)
{
	for (size_t i = 0; i < app->nrows; i++)
		if (!strcmp(app_row_key(&app->rows[i]), key))
			return &app->rows[i];
	return NULL;
}

enum keymap_context app_context(const struct app *app)
{
	enum keymap_context c = app_tabs[app->tab]->context;

	return app->pane == PANE_DETAIL || c == KEYMAP_DIFF ? c : KEYMAP_GENERAL;
}
