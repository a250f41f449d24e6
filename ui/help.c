/* The help screen, generated from the keymap: the keys of where the user
 * is first (the tab's own, then the general ones), then the other tabs'. */
#include "config.h"
#include "help.h"

#include <stdio.h>

#include "app.h"

/* The keymap's lines in the order shown; the number that apply here. */
static size_t ordered(const struct app *app, const struct keymap_line **out, size_t max)
{
	const struct keymap_line *lines;
	size_t n = keymap_lines(&lines), k = 0, here;
	enum keymap_context c = app_context(app);

	for (int pass = 0; pass < 3; pass++)
		for (size_t i = 0; i < n && k < max; i++) {
			bool own = c != KEYMAP_GENERAL && lines[i].context == c;
			bool general = lines[i].context == KEYMAP_GENERAL;
			if ((pass == 0 && own) || (pass == 1 && general) || (pass == 2 && !own && !general))
				out[k++] = &lines[i];
		}
	for (here = 0; here < k && (out[here]->context == c || out[here]->context == KEYMAP_GENERAL); here++)
		;
	return here;
}

static const char *context_name(enum keymap_context c)
{
	return c == KEYMAP_CONFLICTS ? "the Conflicts tab" : c == KEYMAP_DIFF ? "the Diff tab" : "";
}

static void help_row(void *arg, size_t i, int y, int x, int w, bool selected)
{
	struct app *app = arg;
	const struct keymap_line *lines[256];
	size_t here = ordered(app, lines, 256);
	char text[240];

	(void)selected;
	/* One heading row between what applies here and the rest. */
	if (i == here) {
		app_text(app, y, x, w, ROLE_HEADER, "elsewhere:");
		return;
	}
	size_t k = i > here ? i - 1 : i;
	const struct keymap_line *l = lines[k];
	const char *where = k >= here ? context_name(l->context) : "";
	snprintf(text, sizeof(text), "%-14s %s%s%s%s", l->keys, keymap_help(l->req), where[0] ? " (in " : "", where,
		 where[0] ? ")" : "");
	app_text(app, y, x, w, k >= here ? ROLE_MUTED : ROLE_NORMAL, text);
}

/* The keymap's lines, and the heading when some apply elsewhere. */
static size_t rows(const struct app *app)
{
	const struct keymap_line *order[256], *all;
	size_t here = ordered(app, order, 256), n = keymap_lines(&all);

	return n + (here < n);
}

void help_draw(struct app *app, int y, int x, int h, int w)
{
	char foot[160];
	const char *where = context_name(app_context(app));

	list_set_count(&app->help_list, rows(app));
	snprintf(foot, sizeof(foot), " pylock keys%s%s%s  (? q or Esc closes this; j/k scroll)",
		 where[0] ? ", those of " : "", where, where[0] ? " first" : "");
	app_text(app, y, x, w, ROLE_TITLE, foot);
	app_clear(app, y + 1, x, h - 2, w);
	list_draw(&app->help_list, y + 1, x + 1, h - 2, w - 1, help_row, app);
	bool more = app->help_list.top + (size_t)app->help_list.height < app->help_list.n;
	snprintf(foot, sizeof(foot), " %s", more ? "more below (j, PgDn)" : "end of the keys");
	app_text(app, y + h - 1, x, w, ROLE_STATUS, foot);
}

void help_request(struct app *app, enum request req)
{
	list_request(&app->help_list, req);
	if (req == REQ_MOVE_DOWN && app->help_list.top + (size_t)app->help_list.height < app->help_list.n)
		app->help_list.top++;
}
