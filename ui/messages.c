/* The message log screen (messages.h). */
#include "config.h"
#include "messages.h"

#include "app.h"

static void message_row(void *arg, size_t i, int y, int x, int w, bool selected)
{
	struct app *app = arg;

	(void)selected;
	app_text(app, y, x, w, ROLE_NORMAL, app_log_line(app, i));
}

void messages_open(struct app *app)
{
	app->log_open = true;
	list_set_count(&app->log_list, app->nlog);
	/* The newest first in view. */
	list_request(&app->log_list, REQ_LAST);
}

void messages_draw(struct app *app, int y, int x, int h, int w)
{
	char title[96];

	list_set_count(&app->log_list, app->nlog);
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
