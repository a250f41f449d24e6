/* The helpers every view shares (app.h): the selection, the status line,
 * text in a rectangle, reopening the current tab. */
#include "config.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
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

void app_message(struct app *app, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(app->status, sizeof(app->status), fmt, ap);
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

void app_reopen(struct app *app)
{
	const struct view_ops *v = app_tabs[app->tab];

	if (v->done)
		v->done(app);
	memset(&app->detail, 0, sizeof(app->detail));
	v->open(app);
}

int app_prompt(struct app *app, const char *question)
{
	int key;

	app_text(app, LINES - 1, 0, COLS, ROLE_STATUS, question);
	doupdate();
	timeout(-1);
	key = getch();
	timeout(0);
	return key;
}
