/* Status-line prompts that never block the loop (prompt.h). */
#include "config.h"
#include "prompt.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "app.h"

#define CTRL(c) ((c) & 0x1f)

static void open_prompt(struct app *app, const char *label, const char *subject, prompt_fn done)
{
	struct prompt *p = &app->prompt;

	memset(p, 0, sizeof(*p));
	p->open = true;
	snprintf(p->label, sizeof(p->label), "%s", label);
	snprintf(p->subject, sizeof(p->subject), "%s", subject ? subject : "");
	p->done = done;
}

void prompt_line(struct app *app, const char *label, const char *text, const char *fallback,
		 const char *subject, prompt_fn done, prompt_fn changed)
{
	struct prompt *p = &app->prompt;

	open_prompt(app, label, subject, done);
	snprintf(p->text, sizeof(p->text), "%s", text ? text : "");
	snprintf(p->fallback, sizeof(p->fallback), "%s", fallback ? fallback : "");
	p->cursor = strlen(p->text);
	p->changed = changed;
}

void prompt_ask(struct app *app, const char *question, const char *subject, prompt_fn done)
{
	open_prompt(app, question, subject, done);
	app->prompt.one_key = true;
}

bool prompt_yes(const char *answer)
{
	return answer && (!strcmp(answer, "y") || !strcmp(answer, "Y"));
}

/* Closes the prompt first: the callback may open the next one. */
static void finish(struct app *app, const char *answer)
{
	struct prompt p = app->prompt;

	app->prompt.open = false;
	if (p.done)
		p.done(app, p.subject, answer);
}

static void delete_range(struct prompt *p, size_t from, size_t to)
{
	memmove(p->text + from, p->text + to, strlen(p->text + to) + 1);
	p->cursor = from;
}

/* The line's edits; true when the text changed. */
static bool edit(struct prompt *p, int key)
{
	size_t len = strlen(p->text), c = p->cursor;

	switch (key) {
	case KEY_LEFT: case CTRL('b'):
		p->cursor -= c > 0;
		return false;
	case KEY_RIGHT: case CTRL('f'):
		p->cursor += c < len;
		return false;
	case KEY_HOME: case CTRL('a'):
		p->cursor = 0;
		return false;
	case KEY_END: case CTRL('e'):
		p->cursor = len;
		return false;
	case CTRL('u'):
		delete_range(p, 0, c);
		return c > 0;
	case CTRL('k'):
		p->text[c] = '\0';
		return c < len;
	case CTRL('w'): {
		size_t from = c;
		while (from && p->text[from - 1] == ' ')
			from--;
		while (from && p->text[from - 1] != ' ')
			from--;
		delete_range(p, from, c);
		return from < c;
	}
	case KEY_BACKSPACE: case 127: case CTRL('h'):
		if (!c)
			return false;
		delete_range(p, c - 1, c);
		return true;
	case KEY_DC: case CTRL('d'):
		if (c == len)
			return false;
		delete_range(p, c, c + 1);
		return true;
	case '\t':
		/* Tab takes the greyed default in, to edit it. */
		if (len || !p->fallback[0])
			return false;
		snprintf(p->text, sizeof(p->text), "%s", p->fallback);
		p->cursor = strlen(p->text);
		return true;
	default:
		if (key < 32 || key > 126 || len + 1 >= sizeof(p->text))
			return false;
		memmove(p->text + c + 1, p->text + c, len - c + 1);
		p->text[c] = (char)key;
		p->cursor++;
		return true;
	}
}

void prompt_key(struct app *app, int key)
{
	struct prompt *p = &app->prompt;

	if (key == 27) {
		finish(app, NULL);
		return;
	}
	if (p->one_key) {
		char answer[2] = { key == '\n' || key == KEY_ENTER || key < 32 || key > 126 ? '\0' : (char)key, '\0' };
		finish(app, answer);
		return;
	}
	if (key == '\n' || key == KEY_ENTER) {
		char answer[sizeof(p->text)];
		snprintf(answer, sizeof(answer), "%s", p->text[0] ? p->text : p->fallback);
		finish(app, answer);
		return;
	}
	if (edit(p, key) && p->changed)
		p->changed(app, p->subject, p->text);
}

void prompt_draw(struct app *app, int y, int w)
{
	const struct prompt *p = &app->prompt;
	int x = list_width(p->label) + 1;

	app_text(app, y, 0, w, ROLE_STATUS, "");
	app_text(app, y, 1, w - 1, ROLE_STATUS, p->label);
	if (p->one_key || x >= w)
		return;
	if (!p->text[0]) {
		/* The default, greyed, under the cursor. */
		app_text(app, y, x, w - x, ROLE_MUTED, p->fallback);
		list_text(y, x, 1, app->theme.attr[ROLE_STATUS] | A_REVERSE, p->fallback[0] ? (char[2]){ p->fallback[0], 0 } : " ");
		return;
	}
	/* The text scrolled so that the cursor shows. */
	size_t room = (size_t)(w - x - 1), from = p->cursor > room ? p->cursor - room : 0;
	app_text(app, y, x, w - x, ROLE_STATUS, p->text + from);
	char under[2] = { p->text[p->cursor] ? p->text[p->cursor] : ' ', '\0' };
	list_text(y, x + (int)(p->cursor - from), 1, app->theme.attr[ROLE_STATUS] | A_REVERSE, under);
}
