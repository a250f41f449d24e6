/* The message log screen (messages.h): every entry whole, wrapped to the
 * width, continuation lines indented under the text. */
#include "config.h"
#include "messages.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

#define INDENT 10	/* "HH:MM:SS  " */

struct piece {
	const char *text;
	size_t len;
	bool first;	/* an entry's first row */
};

static struct piece *pieces;
static size_t npieces;

/* Bytes of text that fill at most cols columns, ending on a character
 * boundary and, when it can, after a blank. */
static size_t fit(const char *text, int cols)
{
	size_t at = 0, blank = 0;
	int used = 0;

	while (text[at] && used < cols) {
		if (text[at] == ' ')
			blank = at + 1;
		at++;
		while (((unsigned char)text[at] & 0xC0) == 0x80)
			at++;
		used++;
	}
	return text[at] && blank > at / 2 ? blank : at;
}

static void wrap(struct app *app, int w)
{
	npieces = 0;
	for (size_t i = 0; i < app->nlog; i++) {
		const char *t = app_log_line(app, i);
		bool first = true;
		do {
			int cols = first ? w : w - INDENT;
			size_t n = fit(t, cols > 8 ? cols : 8);
			pieces = util_xrealloc(pieces, (npieces + 1) * sizeof(*pieces));
			pieces[npieces++] = (struct piece){ t, n, first };
			t += n;
			first = false;
		} while (*t);
	}
}

static void message_row(void *arg, size_t i, int y, int x, int w, bool selected)
{
	struct app *app = arg;
	char text[2100];

	(void)selected;
	snprintf(text, sizeof(text), "%*s%.*s", pieces[i].first ? 0 : INDENT, "", (int)pieces[i].len, pieces[i].text);
	app_text(app, y, x, w, ROLE_NORMAL, text);
}

void messages_open(struct app *app)
{
	app->log_open = true;
	wrap(app, COLS - 1);
	list_set_count(&app->log_list, npieces);
	/* The newest first in view. */
	list_request(&app->log_list, REQ_LAST);
}

void messages_draw(struct app *app, int y, int x, int h, int w)
{
	char title[96];

	wrap(app, w - 1);
	list_set_count(&app->log_list, npieces);
	snprintf(title, sizeof(title), " messages, %zu  (: q or Esc closes this; j/k scroll)", app->nlog);
	app_text(app, y, x, w, ROLE_TITLE, title);
	app_clear(app, y + 1, x, h - 1, w);
	list_draw(&app->log_list, y + 1, x + 1, h - 1, w - 1, message_row, app);
}

void messages_request(struct app *app, enum request req)
{
	if (req == REQ_LOG || req == REQ_QUIT || req == REQ_CANCEL)
		app->log_open = false;
	else
		list_request(&app->log_list, req);
}
