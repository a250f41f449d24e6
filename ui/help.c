/* The help screen, generated from the keymap. */
#include "config.h"
#include "help.h"

#include <stdio.h>

#include "app.h"

static void help_row(void *arg, size_t i, int y, int x, int w, bool selected)
{
	struct app *app = arg;
	const struct keymap_line *lines;
	size_t n = keymap_lines(&lines);
	char text[200];

	(void)selected;
	if (i >= n)
		return;
	snprintf(text, sizeof(text), "%-14s %s", lines[i].keys, keymap_help(lines[i].req));
	app_text(app, y, x, w, lines[i].context == KEYMAP_CONFLICTS ? ROLE_CONFLICT : ROLE_NORMAL, text);
}

void help_draw(struct app *app, int y, int x, int h, int w)
{
	const struct keymap_line *lines;

	list_set_count(&app->help_list, keymap_lines(&lines));
	app_text(app, y, x, w, ROLE_TITLE, " pylock keys  (? or q closes this; j/k scroll)");
	list_draw(&app->help_list, y + 1, x + 1, h - 2, w - 1, help_row, app);
	app_text(app, y + h - 1, x, w, ROLE_STATUS, " Keys in the Conflicts tab apply while the detail pane has focus (Tab).");
}

void help_request(struct app *app, enum request req)
{
	(void)app;
	list_request(&app->help_list, req);
	if (req == REQ_MOVE_DOWN && app->help_list.top + (size_t)app->help_list.height < app->help_list.n)
		app->help_list.top++;
}
